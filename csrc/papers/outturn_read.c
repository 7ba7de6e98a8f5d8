/* Reading an outturn table from JSON into an ap_outturn.
 *
 * Strict like the plan reader: an unknown key, a duplicate key, a number
 * where money text is expected or an undeclared authority is an error that
 * names the JSON path, line and column.  The file is also the data of the
 * NCT plugin's outturn check, which reads lines[i].{service, budget,
 * gross_outturn, funding, outturn, variance}, total.{...}, unit and
 * variance_sign by path: those members mean the same here.  The outturn
 * may also be the "outturn" member of a plan file (ap__fr_model_root),
 * every error path then starting "$.outturn". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_read.h"
#include "base/base.h"
#include "base/text.h"

static const ap__jr_format outturn_format = {
    .name = "outturn",
    .tag = AP_OUTTURN_FORMAT,
    .what_is = "an outturn file is",
    .integer = "an integer",
    .anonymous = "<outturn>",
    .max_bytes = (size_t)1 << 30,
};

static const char *const column_keys[5] = {"budget", "gross_outturn",
                                           "funding", "outturn", "variance"};

const char *ap_outturn_column_name(ap_outturn_column column)
{
    static const char *const names[AP_OUTTURN_COLUMN_COUNT] = {
        "budget",   "gross_outturn", "funding",     "outturn",
        "variance", "reserves",      "net_variance"};
    if ((int)column < 0 || column >= AP_OUTTURN_COLUMN_COUNT)
        return "";
    return names[column];
}

/* ---- variance signs ----------------------------------------------------- */

const char *ap_variance_sign_name(ap_variance_sign sign)
{
    return sign == AP_VARIANCE_UNDERSPEND_POSITIVE ? "budget_minus_outturn"
                                                   : "outturn_minus_budget";
}

const char *ap_variance_sign_rule(ap_variance_sign sign)
{
    return sign == AP_VARIANCE_UNDERSPEND_POSITIVE
               ? "Variance = budget - outturn: a positive variance is an "
                 "underspend, a negative one an overspend (adverse)."
               : "Variance = outturn - budget: a positive variance is an "
                 "overspend (adverse), a negative one an underspend.";
}

ap_status ap_variance_sign_parse(const char *name, ap_variance_sign *out,
                                 ap_error *err)
{
    static const char *const names[] = {
        "outturn_minus_budget", "overspend_positive", "budget_minus_outturn",
        "underspend_positive"};
    int k;
    ap_status st = ap__parse_name(name, names, 4, "variance sign", &k, err);
    if (st == AP_OK)
        *out = k < 2 ? AP_VARIANCE_OVERSPEND_POSITIVE
                     : AP_VARIANCE_UNDERSPEND_POSITIVE;
    return st;
}

/* ---- pieces ------------------------------------------------------------- */

/* A stated variance: money text signed under the file's convention, or
 * {"overspend": text} / {"underspend": text}, kept under the convention. */
static ap_status read_variance(ap__jr *jr, const ap_outturn *o,
                               const cJSON *obj, const char *path,
                               const char *key, ap_printed *out)
{
    static const char *const keys[] = {"overspend", "underspend", NULL};
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL || !cJSON_IsObject(node))
        return ap__fr_money(jr, obj, path, key, o->unit, 0, out);
    char p[AP__JR_PATH_SIZE], q[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    ap_status st = ap__jr_check_object(jr, node, p, keys);
    if (st != AP_OK)
        return st;
    const cJSON *over = ap__jr_member(node, "overspend");
    const cJSON *under = ap__jr_member(node, "underspend");
    if ((over == NULL) == (under == NULL))
        return ap__jr_fail(jr, node, p, "give one of \"overspend\" or "
                           "\"underspend\"");
    ap__jr_key_path(q, p, over ? "overspend" : "underspend");
    if ((st = ap__fr_money_text(jr, over ? over : under, q, o->unit, 0,
                                NULL, &out->amount)))
        return st;
    if (out->amount.pence < 0)
        return ap__jr_fail(jr, over ? over : under, q,
                           "an %s is written as a positive amount; the key "
                           "says which way it goes",
                           over ? "overspend" : "underspend");
    /* An overspend is positive under outturn - budget; flip for the other
     * convention, and flip an underspend. */
    int negate = (over != NULL) !=
                 (o->variance_sign == AP_VARIANCE_OVERSPEND_POSITIVE);
    if (negate)
        out->amount.pence = -out->amount.pence;
    out->present = 1;
    return AP_OK;
}

/* One line's funding sources. */
typedef struct funding_ctx {
    const ap_outturn *o;
    ap_outturn_line *l;
} funding_ctx;

static ap_status read_source(ap__jr *jr, const cJSON *f, const char *fp,
                             size_t i, size_t n, void *ctx)
{
    const ap_outturn *o = ((funding_ctx *)ctx)->o;
    ap_outturn_line *l = ((funding_ctx *)ctx)->l;
    ap_outturn_funding *fund =
        AP__JR_ELEMENT(l->funding, l->n_funding, i, n);
    if (fund == NULL)
        return ap__jr_nomem(jr);
    ap_printed amount;
    ap_status st;
    if ((st = ap__jr_string(jr, f, fp, "source", 1, NULL, &fund->source)) ||
        (st = ap__fr_money(jr, f, fp, "amount", o->unit, AP__FR_REQUIRED,
                           &amount)))
        return st;
    fund->amount = amount.amount;
    return AP_OK;
}

static ap_status read_funding(ap__jr *jr, const ap_outturn *o,
                              const cJSON *line, const char *path,
                              ap_outturn_line *l)
{
    static const char *const keys[] = {"source", "amount", "amount_pence",
                                       NULL};
    const cJSON *node = ap__jr_member(line, "funding");
    const cJSON *pence = ap__jr_member(line, "funding_pence");
    if (node == NULL && pence == NULL)
        return AP_OK;
    char p[AP__JR_PATH_SIZE];
    ap_status st;
    if (node == NULL || !cJSON_IsArray(node)) {
        /* One figure: the file's funding column. */
        ap_printed one;
        if ((st = ap__fr_money(jr, line, path, "funding", o->unit, 0, &one)))
            return st;
        l->funding = calloc(1, sizeof *l->funding);
        if (l->funding == NULL)
            return ap__jr_nomem(jr);
        l->n_funding = 1;
        l->funding[0].amount = one.amount;
        l->funding[0].source = ap__strdup(o->funding_label);
        if (l->funding[0].source == NULL)
            return ap__jr_nomem(jr);
        return AP_OK;
    }
    ap__jr_key_path(p, path, "funding");
    if (pence != NULL) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_key_path(q, path, "funding_pence");
        return ap__jr_fail(jr, pence, q, "give either \"funding\" or "
                           "\"funding_pence\", not both");
    }
    static const ap__jr_objects how = {
        .what = "an array of funding sources",
        .empty = "expected at least one funding source; leave \"funding\" out "
            "for none",
        .keys = keys,
        .each = read_source};
    funding_ctx c = {o, l};
    return ap__jr_each_object(jr, node, p, &how, &c);
}

/* Line ids are unique: the first repeat, in file order, is the error. */
static ap_status check_ids(ap__jr *jr, const ap_outturn *o, const cJSON *arr,
                           const char *lines_path)
{
    size_t n = o->n_lines;
    const char **ids = malloc(n * sizeof *ids);
    size_t *first = malloc(n * sizeof *first);
    if (ids == NULL || first == NULL) {
        free(ids);
        free(first);
        return ap__jr_nomem(jr);
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = o->lines[i].id;
    int failed = ap__strings_first(ids, n, first);
    free(ids);
    if (failed) {
        free(first);
        return ap__jr_nomem(jr);
    }
    size_t i = 0;
    while (i < n && first[i] == i)
        i++;
    if (i == n) {
        free(first);
        return AP_OK;
    }
    size_t j = first[i];
    free(first);
    const cJSON *l = cJSON_GetArrayItem(arr, (int)i);
    char p[AP__JR_PATH_SIZE], q[AP__JR_PATH_SIZE];
    ap__jr_index_path(p, lines_path, i);
    ap__jr_key_path(q, p, "id");
    return ap__jr_fail(jr, ap__jr_member(l, "id"), q,
                       "line id \"%s\" is used twice (also by line %zu)",
                       o->lines[i].id, j + 1);
}

static ap_status read_line(ap__jr *jr, const cJSON *l, const char *p,
                           size_t i, size_t n, void *ctx)
{
    static const char *const kinds[] = {"service", "income", NULL};
    ap_outturn *o = ctx;
    ap_outturn_line *line = AP__JR_ELEMENT(o->lines, o->n_lines, i, n);
    if (line == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    char fallback_id[32];
    snprintf(fallback_id, sizeof fallback_id, "%zu", i + 1);
    if ((st = ap__jr_string(jr, l, p, "id", 0, fallback_id,
                            &line->id)) ||
        (st = ap__jr_string(jr, l, p, "service", 1, NULL,
                            &line->service)) ||
        (st = ap__jr_string(jr, l, p, "service_area", 0, "",
                            &line->service_area)))
        return st;
    const cJSON *kind = ap__jr_member(l, "kind");
    if (kind != NULL) {
        size_t k;
        ap__jr_key_path(q, p, "kind");
        if ((st = ap__jr_choice(jr, kind, q, kinds, &k)))
            return st;
        line->kind = (ap_outturn_line_kind)k;
    }
    const cJSON *who = ap__jr_member(l, "authority");
    if (who != NULL) {
        ap__jr_key_path(q, p, "authority");
        if (!cJSON_IsString(who))
            return ap__jr_fail(jr, who, q, "expected an authority code, "
                               "found %s",
                               ap__jr_type_name(who));
        if ((st = ap__fr_find_authority(jr, o->authorities,
                                        o->n_authorities, who, q,
                                        who->valuestring,
                                        &line->authority)))
            return st;
        line->has_authority = 1;
    }
    if ((st = ap__fr_money(jr, l, p, "budget", o->unit,
                           AP__FR_REQUIRED, &line->budget)) ||
        (st = ap__fr_money(jr, l, p, "gross_outturn", o->unit, 0,
                           &line->gross_outturn)) ||
        (st = read_funding(jr, o, l, p, line)) ||
        (st = ap__fr_money(jr, l, p, "outturn", o->unit, 0,
                           &line->outturn)) ||
        (st = ap__fr_money(jr, l, p, "variance", o->unit, 0,
                           &line->variance)))
        return st;
    if (!line->outturn.present && !line->gross_outturn.present) {
        ap__jr_key_path(q, p, "outturn");
        return ap__jr_fail(jr, l, q, "a line needs its \"outturn\", or "
                           "its \"gross_outturn\" (and any "
                           "\"funding\") to make it");
    }
    return AP_OK;
}

static ap_status read_lines(ap__jr *jr, ap_outturn *o, const cJSON *root,
                            const char *root_path)
{
    static const char *const keys[] = {
        "id",           "service",       "service_area",
        "kind",         "authority",     "budget",
        "budget_pence", "gross_outturn", "gross_outturn_pence",
        "funding",      "funding_pence", "outturn",
        "outturn_pence", "variance",     "variance_pence",
        NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "lines");
    const cJSON *arr = ap__jr_member(root, "lines");
    if (arr == NULL)
        return ap__jr_fail(jr, root, path, "missing required key \"lines\"");
    static const ap__jr_objects how = {
        .what = "an array of lines",
        .empty = "an outturn needs at least one line",
        .keys = keys,
        .each = read_line};
    ap_status st = ap__jr_each_object(jr, arr, path, &how, o);
    if (st != AP_OK)
        return st;
    return check_ids(jr, o, arr, path);
}

static ap_status read_total(ap__jr *jr, ap_outturn *o, const cJSON *root,
                            const char *root_path)
{
    static const char *const keys[] = {
        "budget",        "budget_pence",  "gross_outturn",
        "gross_outturn_pence", "funding", "funding_pence",
        "outturn",       "outturn_pence", "variance",
        "variance_pence", NULL};
    const cJSON *obj = ap__jr_member(root, "total");
    if (obj == NULL)
        return AP_OK;
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "total");
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    for (int c = 0; c < 5 && st == AP_OK; c++)
        st = ap__fr_money(jr, obj, path, column_keys[c], o->unit,
                          AP__FR_STATED, &o->total[c]);
    return st;
}

static ap_status read_reserve(ap__jr *jr, const cJSON *r, const char *p,
                              size_t i, size_t n, void *ctx)
{
    ap_outturn *o = ctx;
    ap_outturn_reserve *res = AP__JR_ELEMENT(o->reserves, o->n_reserves, i, n);
    if (res == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    ap_printed amount;
    if ((st = ap__jr_string(jr, r, p, "name", 1, NULL, &res->name)) ||
        (st = ap__jr_string(jr, r, p, "description", 0, "",
                            &res->description)) ||
        (st = ap__fr_money(jr, r, p, "amount", o->unit, AP__FR_REQUIRED,
                           &amount)))
        return st;
    res->amount = amount.amount;
    return AP_OK;
}

static ap_status read_reserves(ap__jr *jr, ap_outturn *o, const cJSON *root,
                               const char *root_path)
{
    static const char *const keys[] = {"name", "description", "amount",
                                       "amount_pence", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "reserves");
    const cJSON *arr = ap__jr_member(root, "reserves");
    if (arr == NULL)
        return AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of reserves used",
        .empty = NULL,
        .keys = keys,
        .each = read_reserve};
    return ap__jr_each_object(jr, arr, path, &how, o);
}

static ap_status read_stated(ap__jr *jr, ap_outturn *o, const cJSON *root,
                             const char *root_path)
{
    static const char *const keys[] = {
        "budget",   "budget_pence",  "variance",     "variance_pence",
        "funding",  "funding_pence", "reserves",     "reserves_pence",
        "net_variance", "net_variance_pence", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "stated");
    const cJSON *obj = ap__jr_member(root, "stated");
    if (obj == NULL)
        return AP_OK;
    ap_outturn_stated *s = &o->stated;
    ap_status st;
    if ((st = ap__jr_check_object(jr, obj, path, keys)) ||
        (st = ap__fr_money(jr, obj, path, "budget", o->unit, 0,
                           &s->budget)) ||
        (st = read_variance(jr, o, obj, path, "variance", &s->variance)) ||
        (st = ap__fr_money(jr, obj, path, "funding", o->unit, 0,
                           &s->funding)) ||
        (st = ap__fr_money(jr, obj, path, "reserves", o->unit, 0,
                           &s->reserves)) ||
        (st = read_variance(jr, o, obj, path, "net_variance",
                            &s->net_variance)))
        return st;
    return AP_OK;
}

static ap_status read_grant(ap__jr *jr, const cJSON *it, const char *q,
                            size_t i, size_t n, void *ctx)
{
    ap_outturn_grants *g = ctx;
    ap_outturn_grant *item = AP__JR_ELEMENT(g->items, g->n_items, i, n);
    if (item == NULL)
        return ap__jr_nomem(jr);
    g->present = 1;
    ap_printed amount;
    ap_status st;
    if ((st = ap__jr_string(jr, it, q, "name", 1, NULL, &item->name)) ||
        (st = ap__fr_money(jr, it, q, "amount", g->unit, AP__FR_REQUIRED,
                           &amount)))
        return st;
    item->amount = amount.amount;
    return AP_OK;
}

static ap_status read_grants(ap__jr *jr, ap_outturn *o, const cJSON *root,
                             const char *root_path)
{
    static const char *const keys[] = {"title", "unit", "items", "total",
                                       "total_pence", NULL};
    static const char *const item_keys[] = {"name", "amount", "amount_pence",
                                            NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "grants");
    const cJSON *obj = ap__jr_member(root, "grants");
    ap_outturn_grants *g = &o->grants;
    if (obj == NULL)
        return AP_OK;
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    g->unit = o->unit; /* unless the grants table says otherwise */
    if ((st = ap__fr_unit(jr, obj, path, &g->unit)) ||
        (st = ap__jr_string(jr, obj, path, "title", 0, "", &g->title)) ||
        (st = ap__fr_money(jr, obj, path, "total", g->unit, AP__FR_STATED,
                           &g->total)))
        return st;
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "items");
    const cJSON *arr = ap__jr_member(obj, "items");
    if (arr == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"items\"");
    static const ap__jr_objects how = {
        .what = "a non-empty array of grants",
        .empty = "expected a non-empty array of grants, found an empty array",
        .keys = item_keys,
        .each = read_grant};
    return ap__jr_each_object(jr, arr, p, &how, g);
}

/* The outturn at the root of its own file or under "outturn" in a plan
 * file (ap__fr_model_root): every path below starts from where it is. */
static ap_status read_outturn(ap__jr *jr, void *model)
{
    ap_outturn *o = model;
    static const char *const keys[] = {
        "$schema",      "format",        "title",      "source",
        "notes",        "financial_year", "period",    "unit",
        "outturn_kind", "variance_sign", "funding_label", "authorities",
        "split",        "lines",         "total",      "reserves",
        "stated",       "grants",        NULL};
    static const char *const kinds[] = {"actual", "forecast", NULL};
    const cJSON *root;
    char path[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap_status st = ap__fr_model_root(jr, AP_OUTTURN_FORMAT, "outturn", &root,
                                     path);
    if (st != AP_OK || (st = ap__jr_check_object(jr, root, path, keys)) ||
        (st = ap__fr_notes(jr, root, path)) ||
        (st = ap__fr_model_unit(jr, root, path, &o->unit)) ||
        (st = ap__jr_string(jr, root, path, "title", 0, "", &o->title)) ||
        (st = ap__jr_string(jr, root, path, "financial_year", 0, "",
                            &o->financial_year)) ||
        (st = ap__jr_string(jr, root, path, "period", 0, "", &o->period)) ||
        (st = ap__jr_string(jr, root, path, "funding_label", 0, "Funding",
                            &o->funding_label)))
        return st;
    const cJSON *kind = ap__jr_member(root, "outturn_kind");
    if (kind != NULL) {
        size_t k;
        ap__jr_key_path(p, path, "outturn_kind");
        if ((st = ap__jr_choice(jr, kind, p, kinds, &k)))
            return st;
        o->kind = (ap_outturn_kind)k;
    }
    const cJSON *sign = ap__jr_member(root, "variance_sign");
    if (sign != NULL) {
        ap__jr_key_path(p, path, "variance_sign");
        if (!cJSON_IsString(sign))
            return ap__jr_fail(jr, sign, p, "expected text such as "
                               "\"outturn_minus_budget\", found %s",
                               ap__jr_type_name(sign));
        if (ap_variance_sign_parse(sign->valuestring, &o->variance_sign,
                                   jr->err) != AP_OK)
            return ap__jr_refail(jr, sign, p);
    }
    if ((st = ap__fr_authorities_split(jr, root, path,
                                       "how to share the variance between "
                                       "them",
                                       &o->authorities, &o->n_authorities,
                                       &o->split, &o->has_split)) ||
        (st = read_lines(jr, o, root, path)) ||
        (st = read_total(jr, o, root, path)) ||
        (st = read_reserves(jr, o, root, path)) ||
        (st = read_stated(jr, o, root, path)) ||
        (st = read_grants(jr, o, root, path)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_outturn, ap_outturn_parse, ap_outturn_load,
                    ap_outturn_free, outturn_format, read_outturn, NULL, 0)

void ap_outturn_free(ap_outturn *o)
{
    if (o == NULL)
        return;
    free(o->source);
    free(o->title);
    free(o->financial_year);
    free(o->period);
    free(o->funding_label);
    ap__fr_split_free(&o->split, o->n_authorities);
    ap__fr_authorities_free(o->authorities, o->n_authorities);
    for (size_t i = 0; i < o->n_lines; i++) {
        ap_outturn_line *l = &o->lines[i];
        free(l->id);
        free(l->service);
        free(l->service_area);
        for (size_t f = 0; f < l->n_funding; f++)
            free(l->funding[f].source);
        free(l->funding);
    }
    free(o->lines);
    for (size_t i = 0; i < o->n_reserves; i++) {
        free(o->reserves[i].name);
        free(o->reserves[i].description);
    }
    free(o->reserves);
    free(o->grants.title);
    for (size_t i = 0; i < o->grants.n_items; i++)
        free(o->grants.items[i].name);
    free(o->grants.items);
    free(o);
}
