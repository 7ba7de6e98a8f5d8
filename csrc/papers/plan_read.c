/* Reading a service plan from JSON into an ap_plan.
 *
 * Strict by design: an unknown key, a duplicate key, a number where money
 * text is expected or an authority code nobody declared is an error that
 * names the JSON path, line and column.  Nothing is dropped silently. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_read.h"
#include "json/json_reader.h"

/* How plan files differ in wording from the other JSON files we read. */
static const ap__jr_format plan_format = {
    .name = "plan",
    .tag = AP_PLAN_FORMAT,
    .what_is = "a plan is",
    .integer = "an integer",
    .anonymous = "<plan>",
    .max_bytes = (size_t)1 << 30,
};

/* Money under `key` as text, or as integer pence under `key`_pence; never
 * both, never a JSON number under `key`. */
static ap_status read_money(ap__jr *jr, const ap_plan *plan, const cJSON *obj,
                            const char *path, const char *key, int required,
                            int *present, ap_amount *out)
{
    char pence_key[64], p[AP__JR_PATH_SIZE];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *text = ap__jr_member(obj, key);
    const cJSON *pence = ap__jr_member(obj, pence_key);
    if (present)
        *present = 0;
    if (text != NULL && pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        return ap__jr_fail(jr, pence, p,
                           "give either \"%s\" or \"%s\", not both", key,
                           pence_key);
    }
    if (text == NULL && pence == NULL) {
        if (!required)
            return AP_OK;
        ap__jr_key_path(p, path, key);
        return ap__jr_fail(jr, obj, p,
                           "missing required key \"%s\" (money as text such "
                           "as \"\xc2\xa3" "407,045\", or integer pence "
                           "under \"%s\")",
                           key, pence_key);
    }
    if (pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        ap_status st = ap__jr_integer(jr, pence, p, &out->pence);
        if (st != AP_OK)
            return st;
        out->resolution = 1;
    } else {
        ap__jr_key_path(p, path, key);
        if (!cJSON_IsString(text))
            return ap__jr_fail(jr, text, p,
                               "expected money as text such as \"\xc2\xa3"
                               "407,045\", found %s; write integer pence "
                               "under \"%s\" instead",
                               ap__jr_type_name(text), pence_key);
        if (ap_money_parse(text->valuestring, (size_t)-1, plan->unit,
                           &out->pence, &out->resolution,
                           jr->err) != AP_OK)
            return ap__jr_refail(jr, text, p);
    }
    if (present)
        *present = 1;
    return AP_OK;
}

static ap_status find_authority(ap__jr *jr, const ap_plan *plan,
                                const cJSON *node, const char *path,
                                const char *code, size_t *out)
{
    return ap__fr_find_authority(jr, plan->authorities, plan->n_authorities,
                                 node, path, code, out);
}

/* An authority code held in a string member. */
static ap_status read_authority_ref(ap__jr *jr, const ap_plan *plan,
                                    const cJSON *obj, const char *path,
                                    const char *key, int required,
                                    int *present, size_t *out)
{
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    const cJSON *node = ap__jr_member(obj, key);
    *present = 0;
    if (node == NULL) {
        if (required)
            return ap__jr_fail(jr, obj, p, "missing required key \"%s\"",
                               key);
        return AP_OK;
    }
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, p, "expected an authority code, found %s",
                           ap__jr_type_name(node));
    ap_status st = find_authority(jr, plan, node, p, node->valuestring, out);
    if (st == AP_OK)
        *present = 1;
    return st;
}

/* ---- sections ---------------------------------------------------------- */

static ap_status read_authorities(ap__jr *jr, ap_plan *plan,
                                  const cJSON *root)
{
    static const char *const keys[] = {"code", "name", NULL};
    static const ap__jr_objects how = {
        .what = "an array of authorities",
        .empty = "a plan needs at least one authority",
        .keys = keys,
        .each = ap__fr_read_authority};
    ap__fr_authority_list list = {&plan->authorities, &plan->n_authorities};
    const cJSON *arr = ap__jr_member(root, "authorities");
    if (arr == NULL)
        return ap__jr_fail(jr, root, "$.authorities",
                           "missing required key \"authorities\"");
    return ap__jr_each_object(jr, arr, "$.authorities", &how, &list);
}

static ap_status read_agreement(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"service_area", "function",
                                       "treatment",    "host",
                                       "receiving",    "notice_months",
                                       NULL};
    const char *path = "$.agreement";
    ap_agreement *ag = &plan->agreement;
    ag->notice_months = -1;
    const cJSON *obj = ap__jr_member(root, "agreement");
    if (obj == NULL) {
        if (!(ag->service_area = ap__strdup("")) ||
            !(ag->function = ap__strdup("")) ||
            !(ag->treatment = ap__strdup("")))
            return ap__jr_nomem(jr);
        return AP_OK;
    }
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    if ((st = ap__jr_string(jr, obj, path, "service_area", 0, "",
                            &ag->service_area)) ||
        (st = ap__jr_string(jr, obj, path, "function", 0, "",
                            &ag->function)) ||
        (st = ap__jr_string(jr, obj, path, "treatment", 0, "",
                            &ag->treatment)))
        return st;
    int has_host, has_receiving;
    if ((st = read_authority_ref(jr, plan, obj, path, "host", 0, &has_host,
                                 &ag->host)) ||
        (st = read_authority_ref(jr, plan, obj, path, "receiving", 0,
                                 &has_receiving, &ag->receiving)))
        return st;
    if (has_host != has_receiving) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, has_host ? "receiving" : "host");
        return ap__jr_fail(jr, obj, p, "give both \"host\" and \"receiving\", "
                           "or neither");
    }
    ag->has_parties = has_host;
    if (has_host && ag->host == ag->receiving) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, "receiving");
        return ap__jr_fail(jr, ap__jr_member(obj, "receiving"), p,
                           "the receiving authority cannot be the host");
    }
    const cJSON *notice = ap__jr_member(obj, "notice_months");
    if (notice != NULL) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, "notice_months");
        int64_t months;
        if ((st = ap__jr_integer(jr, notice, p, &months)) != AP_OK)
            return st;
        if (months < 0 || months > 1200)
            return ap__jr_fail(jr, notice, p,
                               "expected a number of months from 0 to 1200, "
                               "found %lld",
                               (long long)months);
        ag->notice_months = (int)months;
    }
    return AP_OK;
}

static ap_status read_basis(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const ap__fr_weight_words words = {
        "basis", "53.57", "one value per authority", 0, 1};
    const cJSON *obj = ap__jr_member(root, "basis");
    if (obj == NULL)
        return ap__jr_fail(jr, root, "$.basis",
                           "missing required key \"basis\"");
    return ap__fr_basis(jr, obj, "$.basis", plan->authorities,
                        plan->n_authorities, &words, &plan->basis);
}

typedef struct funding_ctx {
    const ap_plan *plan;
    ap_stated_share *share;
} funding_ctx;

static ap_status read_source(ap__jr *jr, const cJSON *f, const char *p,
                             size_t i, size_t n, void *ctx)
{
    funding_ctx *c = ctx;
    ap_stated_share *share = c->share;
    ap_funding *fund = AP__JR_ELEMENT(share->funding, share->n_funding, i, n);
    if (fund == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    if ((st = ap__jr_string(jr, f, p, "source", 1, NULL, &fund->source)) ||
        (st = read_money(jr, c->plan, f, p, "amount", 1, NULL,
                         &fund->amount)))
        return st;
    return AP_OK;
}

static ap_status read_funding(ap__jr *jr, const ap_plan *plan,
                              const cJSON *arr, const char *path,
                              ap_stated_share *share)
{
    static const char *const keys[] = {"source", "amount", "amount_pence",
                                       NULL};
    static const ap__jr_objects how = {
        .what = "an array of funding sources",
        .empty = NULL,
        .keys = keys,
        .each = read_source};
    funding_ctx c = {plan, share};
    return ap__jr_each_object(jr, arr, path, &how, &c);
}

static ap_status read_line(ap__jr *jr, const cJSON *l, const char *p,
                           size_t i, size_t n, void *ctx)
{
    static const char *const stated_keys[] = {"amount", "amount_pence",
                                              "funding", NULL};
    ap_plan *plan = ctx;
    ap_budget_line *line = AP__JR_ELEMENT(plan->lines, plan->n_lines, i, n);
    if (line == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    line->stated = calloc(plan->n_authorities, sizeof *line->stated);
    if (line->stated == NULL)
        return ap__jr_nomem(jr);
    if ((st = ap__jr_string(jr, l, p, "id", 1, NULL, &line->id)) ||
        (st = ap__jr_string(jr, l, p, "description", 0, "",
                            &line->description)) ||
        (st = read_money(jr, plan, l, p, "total", 1, NULL,
                         &line->total)) ||
        (st = read_money(jr, plan, l, p, "host_income", 0,
                         &line->has_host_income, &line->host_income)))
        return st;
    const cJSON *stated = ap__jr_member(l, "stated");
    if (stated == NULL)
        return AP_OK;
    char sp[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, p, "stated");
    if (!cJSON_IsObject(stated))
        return ap__jr_fail(jr, stated, sp, "expected an object of "
                           "authority code to stated budget, found %s",
                           ap__jr_type_name(stated));
    for (const cJSON *s = stated->child; s != NULL; s = s->next) {
        char ap_[AP__JR_PATH_SIZE];
        ap__jr_key_path(ap_, sp, s->string);
        size_t who;
        if ((st = find_authority(jr, plan, s, ap_, s->string, &who)))
            return st;
        ap_stated_share *share = &line->stated[who];
        if (share->present)
            return ap__jr_fail(jr, s, ap_, "duplicate key \"%s\"",
                               s->string);
        if ((st = ap__jr_check_object(jr, s, ap_, stated_keys)) ||
            (st = read_money(jr, plan, s, ap_, "amount", 1, NULL,
                             &share->amount)))
            return st;
        share->present = 1;
        const cJSON *funding = ap__jr_member(s, "funding");
        if (funding != NULL) {
            char fp[AP__JR_PATH_SIZE];
            ap__jr_key_path(fp, ap_, "funding");
            if ((st = read_funding(jr, plan, funding, fp, share)))
                return st;
        }
    }
    return AP_OK;
}

static ap_status read_lines(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"id",          "description",
                                       "total",       "total_pence",
                                       "stated",      "host_income",
                                       "host_income_pence", NULL};
    static const ap__jr_objects how = {
        .what = "an array of budget lines",
        .empty = "a plan needs at least one budget line",
        .keys = keys,
        .each = read_line};
    const cJSON *arr = ap__jr_member(root, "budget_lines");
    if (arr == NULL)
        return ap__jr_fail(jr, root, "$.budget_lines",
                           "missing required key \"budget_lines\"");
    return ap__jr_each_object(jr, arr, "$.budget_lines", &how, plan);
}

static ap_status read_recharge(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"payer",      "payee",
                                       "of",         "instalments",
                                       "equal_part", "rounding",
                                       NULL};
    const char *path = "$.recharge";
    ap_recharge_rule *r = &plan->recharge;
    const cJSON *obj = ap__jr_member(root, "recharge");
    if (obj == NULL)
        return AP_OK;
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    char p[AP__JR_PATH_SIZE];
    int has_payer, has_payee;
    if ((st = read_authority_ref(jr, plan, obj, path, "payer", 0, &has_payer,
                                 &r->payer)) ||
        (st = read_authority_ref(jr, plan, obj, path, "payee", 0, &has_payee,
                                 &r->payee)))
        return st;
    /* The agreement's receiving authority pays its host by default. */
    if (!has_payer || !has_payee) {
        if (!plan->agreement.has_parties) {
            ap__jr_key_path(p, path, has_payer ? "payee" : "payer");
            return ap__jr_fail(jr, obj, p, "name the payer and payee, or the "
                               "host and receiving authorities under "
                               "$.agreement");
        }
        if (!has_payer)
            r->payer = plan->agreement.receiving;
        if (!has_payee)
            r->payee = plan->agreement.host;
    }
    if (r->payer == r->payee) {
        ap__jr_key_path(p, path, "payee");
        return ap__jr_fail(jr, obj, p,
                           "the payer and the payee are the same authority");
    }

    char *text = NULL;
    if ((st = ap__jr_string(jr, obj, path, "of", 0, "stated", &text)))
        return st;
    ap__jr_key_path(p, path, "of");
    if (strcmp(text, "stated") == 0)
        r->of = AP_RECHARGE_OF_STATED;
    else if (strcmp(text, "basis") == 0)
        r->of = AP_RECHARGE_OF_BASIS;
    else {
        st = ap__jr_fail(jr, ap__jr_member(obj, "of"), p,
                         "expected \"stated\" (the approved budget) or "
                         "\"basis\", found \"%s\"",
                         text);
        free(text);
        return st;
    }
    free(text);
    if (r->of == AP_RECHARGE_OF_STATED) {
        for (size_t i = 0; i < plan->n_lines; i++) {
            if (!plan->lines[i].stated[r->payer].present) {
                /* Built like the path read_lines gives the same share. */
                char lp[AP__JR_PATH_SIZE], sp[AP__JR_PATH_SIZE];
                ap__jr_index_path(lp, "$.budget_lines", i);
                ap__jr_key_path(sp, lp, "stated");
                ap__jr_key_path(lp, sp, plan->authorities[r->payer].code);
                return ap__jr_fail(jr, ap__jr_member(obj, "of"), lp,
                                   "the recharge is of the stated budget, but "
                                   "line \"%s\" states none for %s",
                                   plan->lines[i].id,
                                   plan->authorities[r->payer].code);
            }
        }
    }

    r->instalments = 4;
    const cJSON *count = ap__jr_member(obj, "instalments");
    if (count != NULL) {
        int64_t v;
        ap__jr_key_path(p, path, "instalments");
        if ((st = ap__jr_integer(jr, count, p, &v)))
            return st;
        if (v < 1 || v > 12)
            return ap__jr_fail(jr, count, p, "expected 1 to 12 instalments, "
                               "found %lld", (long long)v);
        r->instalments = (size_t)v;
    }

    if ((st = ap__jr_string(jr, obj, path, "equal_part", 0, "pence", &text)))
        return st;
    ap__jr_key_path(p, path, "equal_part");
    if (strcmp(text, "pounds") == 0)
        r->granularity = 100;
    else if (strcmp(text, "pence") == 0)
        r->granularity = 1;
    else {
        st = ap__jr_fail(jr, ap__jr_member(obj, "equal_part"), p,
                         "expected \"pounds\" or \"pence\", found \"%s\"",
                         text);
        free(text);
        return st;
    }
    free(text);

    if ((st = ap__jr_string(jr, obj, path, "rounding", 0, "half_up", &text)))
        return st;
    st = ap_rounding_parse(text, &r->rounding, jr->err);
    free(text);
    if (st != AP_OK) {
        ap__jr_key_path(p, path, "rounding");
        return ap__jr_refail(jr, ap__jr_member(obj, "rounding"), p);
    }
    r->present = 1;
    return AP_OK;
}

static ap_status read_carry_forward(ap__jr *jr, const cJSON *c,
                                    const char *p, size_t i, size_t n,
                                    void *ctx)
{
    ap_plan *plan = ctx;
    ap_carry_forward *cf = AP__JR_ELEMENT(plan->carry_forwards,
                                          plan->n_carry_forwards, i, n);
    if (cf == NULL)
        return ap__jr_nomem(jr);
    int has_payer, has_payee;
    ap_status st;
    if ((st = ap__jr_string(jr, c, p, "description", 0, "",
                            &cf->description)) ||
        (st = ap__jr_string(jr, c, p, "kind", 0, "carry forward",
                            &cf->kind)) ||
        (st = ap__jr_string(jr, c, p, "from_year", 0, "",
                            &cf->from_year)) ||
        (st = read_money(jr, plan, c, p, "amount", 1, NULL,
                         &cf->amount)) ||
        (st = read_authority_ref(jr, plan, c, p, "payer", 0, &has_payer,
                                 &cf->payer)) ||
        (st = read_authority_ref(jr, plan, c, p, "payee", 0, &has_payee,
                                 &cf->payee)))
        return st;
    if (!has_payer || !has_payee) {
        if (!plan->agreement.has_parties) {
            char q[AP__JR_PATH_SIZE];
            ap__jr_key_path(q, p, has_payer ? "payee" : "payer");
            return ap__jr_fail(jr, c, q, "name the payer and payee, or "
                               "the host and receiving authorities under "
                               "$.agreement");
        }
        if (!has_payer)
            cf->payer = plan->agreement.receiving;
        if (!has_payee)
            cf->payee = plan->agreement.host;
    }
    return AP_OK;
}

static ap_status read_carry_forwards(ap__jr *jr, ap_plan *plan,
                                     const cJSON *root)
{
    static const char *const keys[] = {"description", "kind",
                                       "from_year",   "amount",
                                       "amount_pence", "payer",
                                       "payee",       NULL};
    static const ap__jr_objects how = {
        .what = "an array",
        .empty = NULL,
        .keys = keys,
        .each = read_carry_forward};
    const cJSON *arr = ap__jr_member(root, "carry_forwards");
    if (arr == NULL)
        return AP_OK;
    return ap__jr_each_object(jr, arr, "$.carry_forwards", &how, plan);
}

static ap_status read_actuals(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"expenditure", "expenditure_pence",
                                       NULL};
    const cJSON *obj = ap__jr_member(root, "actuals");
    if (obj == NULL)
        return AP_OK;
    ap_status st = ap__jr_check_object(jr, obj, "$.actuals", keys);
    if (st != AP_OK)
        return st;
    return read_money(jr, plan, obj, "$.actuals", "expenditure", 1,
                      &plan->has_actual, &plan->actual_expenditure);
}

/* One stated figure as printed: whole ("£52,914"), cut off ("£52,91…")
 * or "not legible" (ap_printed_parse reads the last two). */
static ap_status read_printed(ap__jr *jr, const ap_plan *plan,
                              const cJSON *v, const char *path,
                              ap_amount *amount, ap_printed_figure *f)
{
    const char *t = v->valuestring;
    if (ap_printed_parse(t, (size_t)-1, (int)plan->unit,
                         ap__pow10((int)plan->unit), f, jr->err) != AP_OK)
        return ap__jr_refail(jr, v, path);
    if ((f->text = ap__strdup(t)) == NULL)
        return ap__jr_nomem(jr);
    if (f->legibility != AP_LEGIBLE)
        return AP_OK;
    if (ap_money_parse(t, (size_t)-1, plan->unit, &amount->pence,
                       &amount->resolution, jr->err) != AP_OK)
        return ap__jr_refail(jr, v, path);
    return AP_OK;
}

static ap_status read_stated(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"instalments", NULL};
    const char *path = "$.stated";
    const cJSON *obj = ap__jr_member(root, "stated");
    if (obj == NULL)
        return AP_OK;
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    const cJSON *arr = ap__jr_member(obj, "instalments");
    if (arr == NULL)
        return AP_OK;
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "instalments");
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, p, "expected an array of money text, "
                           "found %s", ap__jr_type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (!plan->recharge.present)
        return ap__jr_fail(jr, arr, p, "stated instalments need a $.recharge "
                           "rule to check them against");
    if (n != plan->recharge.instalments)
        return ap__jr_fail(jr, arr, p, "%zu instalments stated, but the "
                           "recharge rule has %zu",
                           n, plan->recharge.instalments);
    plan->stated_instalments = calloc(n ? n : 1,
                                      sizeof *plan->stated_instalments);
    plan->stated_printed = calloc(n ? n : 1, sizeof *plan->stated_printed);
    if (plan->stated_instalments == NULL || plan->stated_printed == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *v = arr->child; v != NULL; v = v->next, i++) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_index_path(q, p, i);
        if (!cJSON_IsString(v))
            return ap__jr_fail(jr, v, q, "expected money as text such as "
                               "\"\xc2\xa3" "52,914\" (or a cut-off "
                               "\"\xc2\xa3" "52,91\xe2\x80\xa6\", or "
                               "\"not legible\"), found %s",
                               ap__jr_type_name(v));
        plan->n_stated_instalments = i + 1;
        if ((st = read_printed(jr, plan, v, q, &plan->stated_instalments[i],
                               &plan->stated_printed[i])))
            return st;
    }
    return AP_OK;
}

static ap_status read_reading(ap__jr *jr, const cJSON *o, const char *p,
                              size_t i, size_t n, void *ctx)
{
    ap_plan *plan = ctx;
    ap_reading *r = AP__JR_ELEMENT(plan->readings, plan->n_readings, i, n);
    if (r == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    if ((st = ap__jr_string(jr, o, p, "of", 1, NULL, &r->of)) ||
        (st = ap__jr_string(jr, o, p, "printed", 1, NULL, &r->printed)) ||
        (st = ap__jr_string(jr, o, p, "read_as", 1, NULL, &r->read_as)) ||
        (st = ap__jr_string(jr, o, p, "evidence", 1, NULL, &r->evidence)))
        return st;
    if (strncmp(r->of, "$.", 2) != 0) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_key_path(q, p, "of");
        return ap__jr_fail(jr, ap__jr_member(o, "of"), q,
                           "expected the JSON path of what was read, such "
                           "as \"$.basis.values\", found \"%s\"",
                           r->of);
    }
    return AP_OK;
}

/* How ambiguous cells were read, with the evidence. */
static ap_status read_readings(ap__jr *jr, ap_plan *plan, const cJSON *root)
{
    static const char *const keys[] = {"of", "printed", "read_as",
                                       "evidence", NULL};
    static const ap__jr_objects how = {
        .what = "an array of readings",
        .empty = NULL,
        .keys = keys,
        .each = read_reading};
    const cJSON *arr = ap__jr_member(root, "readings");
    if (arr == NULL)
        return AP_OK;
    return ap__jr_each_object(jr, arr, "$.readings", &how, plan);
}

/* The root object's keys (checked by ap__jr_parse_model with its
 * "format" before read_root runs). */
static const char *const plan_keys[] = {
    "$schema", "format",   "title",         "reference",
    "financial_year",      "source",        "notes",
    "unit",    "authorities", "agreement",  "basis",
    "budget_lines",        "recharge",      "actuals",
    "carry_forwards",      "stated",        "readings",
    /* The service's other papers, each read by its own loader
     * (ap_mtfp_load, ap_savings_load, ...) from the same file. */
    "mtfp",    "savings",  "outturn",       "contract_sum",
    NULL};

static ap_status read_root(ap__jr *jr, void *model)
{
    ap_plan *plan = model;
    const cJSON *root = jr->root;
    ap_status st;
    char *unit = NULL;
    if ((st = ap__jr_string(jr, root, "$", "unit", 0, "\xc2\xa3", &unit)))
        return st;
    st = ap_unit_parse(unit, &plan->unit, jr->err);
    free(unit);
    if (st != AP_OK)
        return ap__jr_refail(jr, ap__jr_member(root, "unit"), "$.unit");
    if ((st = ap__jr_string(jr, root, "$", "title", 0, "", &plan->title)) ||
        (st = ap__jr_string(jr, root, "$", "reference", 0, "",
                            &plan->reference)) ||
        (st = ap__jr_string(jr, root, "$", "financial_year", 0, "",
                            &plan->financial_year)))
        return st;
    const cJSON *notes = ap__jr_member(root, "notes");
    if (notes != NULL && !cJSON_IsString(notes) && !cJSON_IsArray(notes))
        return ap__jr_fail(jr, notes, "$.notes", "expected text or an array "
                           "of text, found %s", ap__jr_type_name(notes));
    const cJSON *src = ap__jr_member(root, "source");
    if (src != NULL && !cJSON_IsString(src))
        return ap__jr_fail(jr, src, "$.source", "expected a string, found %s",
                           ap__jr_type_name(src));
    if ((st = read_authorities(jr, plan, root)) ||
        (st = read_agreement(jr, plan, root)) ||
        (st = read_basis(jr, plan, root)) ||
        (st = read_lines(jr, plan, root)) ||
        (st = read_recharge(jr, plan, root)) ||
        (st = read_actuals(jr, plan, root)) ||
        (st = read_carry_forwards(jr, plan, root)) ||
        (st = read_stated(jr, plan, root)) ||
        (st = read_readings(jr, plan, root)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_plan, ap_plan_parse, ap_plan_load,
                    ap_plan_free, plan_format, read_root, plan_keys, 0)

void ap_plan_free(ap_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->source);
    free(plan->title);
    free(plan->reference);
    free(plan->financial_year);
    for (size_t i = 0; i < plan->n_authorities; i++) {
        free(plan->authorities[i].code);
        free(plan->authorities[i].name);
    }
    free(plan->authorities);
    free(plan->agreement.service_area);
    free(plan->agreement.function);
    free(plan->agreement.treatment);
    ap_basis *b = &plan->basis;
    if (b->value_text != NULL)
        for (size_t i = 0; i < plan->n_authorities; i++)
            free(b->value_text[i]);
    free(b->value_text);
    free(b->name);
    free(b->num);
    free(b->den);
    free(b->weights);
    for (size_t i = 0; i < plan->n_lines; i++) {
        ap_budget_line *line = &plan->lines[i];
        free(line->id);
        free(line->description);
        if (line->stated != NULL) {
            for (size_t a = 0; a < plan->n_authorities; a++) {
                for (size_t f = 0; f < line->stated[a].n_funding; f++)
                    free(line->stated[a].funding[f].source);
                free(line->stated[a].funding);
            }
        }
        free(line->stated);
    }
    free(plan->lines);
    for (size_t i = 0; i < plan->n_carry_forwards; i++) {
        free(plan->carry_forwards[i].description);
        free(plan->carry_forwards[i].kind);
        free(plan->carry_forwards[i].from_year);
    }
    free(plan->carry_forwards);
    free(plan->stated_instalments);
    for (size_t i = 0; i < plan->n_stated_instalments; i++)
        free(plan->stated_printed[i].text);
    free(plan->stated_printed);
    for (size_t i = 0; i < plan->n_readings; i++) {
        free(plan->readings[i].of);
        free(plan->readings[i].printed);
        free(plan->readings[i].read_as);
        free(plan->readings[i].evidence);
    }
    free(plan->readings);
    free(plan);
}
