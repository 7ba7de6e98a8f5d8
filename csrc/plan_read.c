/* Reading a service plan from JSON into an ap_plan.
 *
 * Strict by design: an unknown key, a duplicate key, a number where money
 * text is expected or an authority code nobody declared is an error that
 * names the JSON path, line and column.  Nothing is dropped silently. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/apportion.h"
#include "internal.h"
#include "json_locate.h"

#define PATH_MAX_LEN AP_ERROR_PATH_SIZE

typedef struct reader {
    const char *text;
    size_t len;
    const char *source;
    ap__json_index index;
    ap_plan *plan;
    ap_error *err;
} reader;

/* Records a plan error at `node` (or at the start when NULL). */
static ap_status fail(reader *rd, const cJSON *node, const char *path,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static ap_status fail(reader *rd, const cJSON *node, const char *path,
                      const char *fmt, ...)
{
    ap_error *err = rd->err;
    if (err == NULL)
        return AP_E_PLAN;
    char what[AP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = 0, column = 0;
    const ap__json_loc *loc = node ? ap__json_find(&rd->index, node) : NULL;
    if (loc != NULL)
        ap__json_line_column(rd->text, loc->offset, &line, &column);
    ap_error_set(err, AP_E_PLAN, "%s:%d:%d: %s: %s", rd->source, line,
                 column, path, what);
    snprintf(err->path, sizeof err->path, "%s", path);
    err->line = line;
    err->column = column;
    return AP_E_PLAN;
}

/* Re-records an error from a lower layer (money, weights) as a plan error
 * at the node, keeping its message. */
static ap_status refail(reader *rd, const cJSON *node, const char *path)
{
    char inner[AP_ERROR_MESSAGE_SIZE];
    snprintf(inner, sizeof inner, "%s", rd->err ? rd->err->message : "");
    return fail(rd, node, path, "%s", inner);
}

/* Paths longer than the error record's field end in "..." rather than
 * being cut silently. */
static void mark_if_cut(char *out, int written)
{
    if (written >= PATH_MAX_LEN)
        memcpy(out + PATH_MAX_LEN - 4, "...", 4);
}

static void child_path(char *out, const char *path, const char *key)
{
    mark_if_cut(out, snprintf(out, PATH_MAX_LEN, "%s.%s", path, key));
}

static void index_path(char *out, const char *path, size_t i)
{
    mark_if_cut(out, snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i));
}

static const char *type_name(const cJSON *node)
{
    if (cJSON_IsString(node)) return "a string";
    if (cJSON_IsNumber(node)) return "a number";
    if (cJSON_IsObject(node)) return "an object";
    if (cJSON_IsArray(node)) return "an array";
    if (cJSON_IsBool(node)) return "a boolean";
    if (cJSON_IsNull(node)) return "null";
    return "an invalid value";
}

/* Checks an object's keys against the allowed list (NULL-terminated) and
 * refuses duplicates. */
static ap_status check_object(reader *rd, const cJSON *obj, const char *path,
                              const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return fail(rd, obj, path, "expected an object, found %s",
                    type_name(obj));
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        char p[PATH_MAX_LEN];
        child_path(p, path, m->string);
        int known = 0;
        for (const char *const *a = allowed; *a != NULL; a++)
            if (strcmp(*a, m->string) == 0)
                known = 1;
        if (!known) {
            char list[256] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a != NULL; a++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s",
                                 a == allowed ? "" : ", ", *a);
                if (w < 0 || (size_t)w >= sizeof list - used)
                    break;
                used += (size_t)w;
            }
            return fail(rd, m, p, "unknown key \"%s\"; expected one of: %s",
                        m->string, list);
        }
        for (const cJSON *o = obj->child; o != m; o = o->next)
            if (strcmp(o->string, m->string) == 0)
                return fail(rd, m, p,
                            "duplicate key \"%s\"; each key may appear once",
                            m->string);
    }
    return AP_OK;
}

/* Returns a copy of a string member (or of `fallback` when absent and not
 * required).  *out is owned by the plan. */
static ap_status read_string(reader *rd, const cJSON *obj, const char *path,
                             const char *key, int required,
                             const char *fallback, char **out)
{
    char p[PATH_MAX_LEN];
    child_path(p, path, key);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, key);
    const char *value = fallback;
    if (node == NULL) {
        if (required)
            return fail(rd, obj, p, "missing required key \"%s\"", key);
    } else if (!cJSON_IsString(node)) {
        return fail(rd, node, p, "expected a string, found %s",
                    type_name(node));
    } else {
        value = node->valuestring;
    }
    *out = ap__strdup(value ? value : "");
    if (*out == NULL)
        return ap_error_set(rd->err, AP_E_NOMEM, "out of memory");
    return AP_OK;
}

/* Reads the raw text of a JSON integer exactly (no double involved). */
static ap_status read_integer(reader *rd, const cJSON *node, const char *path,
                              int64_t *out)
{
    const ap__json_loc *loc = ap__json_find(&rd->index, node);
    if (!cJSON_IsNumber(node) || loc == NULL)
        return fail(rd, node, path, "expected an integer, found %s",
                    type_name(node));
    const char *t = rd->text + loc->offset;
    size_t n = loc->length, i = 0;
    int negative = 0;
    if (i < n && t[i] == '-') {
        negative = 1;
        i++;
    }
    int64_t v = 0;
    for (; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return fail(rd, node, path,
                        "expected an integer, found %.*s (no fractions or "
                        "exponents)",
                        (int)n, t);
        int d = t[i] - '0';
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, negative ? -d : d, &v))
            return fail(rd, node, path,
                        "integer %.*s does not fit in 64 bits", (int)n, t);
    }
    *out = v;
    return AP_OK;
}

/* Money under `key` as text, or as integer pence under `key`_pence; never
 * both, never a JSON number under `key`. */
static ap_status read_money(reader *rd, const cJSON *obj, const char *path,
                            const char *key, int required, int *present,
                            ap_amount *out)
{
    char pence_key[64], p[PATH_MAX_LEN];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, key);
    const cJSON *pence = cJSON_GetObjectItemCaseSensitive(obj, pence_key);
    if (present)
        *present = 0;
    if (text != NULL && pence != NULL) {
        child_path(p, path, pence_key);
        return fail(rd, pence, p, "give either \"%s\" or \"%s\", not both",
                    key, pence_key);
    }
    if (text == NULL && pence == NULL) {
        if (!required)
            return AP_OK;
        child_path(p, path, key);
        return fail(rd, obj, p,
                    "missing required key \"%s\" (money as text such as "
                    "\"\xc2\xa3" "407,045\", or integer pence under \"%s\")",
                    key, pence_key);
    }
    if (pence != NULL) {
        child_path(p, path, pence_key);
        ap_status st = read_integer(rd, pence, p, &out->pence);
        if (st != AP_OK)
            return st;
        out->resolution = 1;
    } else {
        child_path(p, path, key);
        if (!cJSON_IsString(text))
            return fail(rd, text, p,
                        "expected money as text such as \"\xc2\xa3"
                        "407,045\", found %s; write integer pence under "
                        "\"%s\" instead",
                        type_name(text), pence_key);
        if (ap_money_parse(text->valuestring, (size_t)-1, rd->plan->unit,
                           &out->pence, &out->resolution,
                           rd->err) != AP_OK)
            return refail(rd, text, p);
    }
    if (present)
        *present = 1;
    return AP_OK;
}

static ap_status find_authority(reader *rd, const cJSON *node,
                                const char *path, const char *code,
                                size_t *out)
{
    const ap_plan *plan = rd->plan;
    for (size_t i = 0; i < plan->n_authorities; i++) {
        if (strcmp(plan->authorities[i].code, code) == 0) {
            *out = i;
            return AP_OK;
        }
    }
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < plan->n_authorities; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i ? ", " : "", plan->authorities[i].code);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return fail(rd, node, path,
                "unknown authority \"%s\"; the plan's authorities are: %s",
                code, list);
}

/* An authority code held in a string member. */
static ap_status read_authority_ref(reader *rd, const cJSON *obj,
                                    const char *path, const char *key,
                                    int required, int *present, size_t *out)
{
    char p[PATH_MAX_LEN];
    child_path(p, path, key);
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(obj, key);
    *present = 0;
    if (node == NULL) {
        if (required)
            return fail(rd, obj, p, "missing required key \"%s\"", key);
        return AP_OK;
    }
    if (!cJSON_IsString(node))
        return fail(rd, node, p, "expected an authority code, found %s",
                    type_name(node));
    ap_status st = find_authority(rd, node, p, node->valuestring, out);
    if (st == AP_OK)
        *present = 1;
    return st;
}

static ap_status nomem(reader *rd)
{
    return ap_error_set(rd->err, AP_E_NOMEM, "out of memory reading a plan");
}

/* ---- sections ---------------------------------------------------------- */

static ap_status read_authorities(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"code", "name", NULL};
    const char *path = "$.authorities";
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "authorities");
    if (arr == NULL)
        return fail(rd, root, path, "missing required key \"authorities\"");
    if (!cJSON_IsArray(arr))
        return fail(rd, arr, path, "expected an array of authorities, "
                    "found %s", type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return fail(rd, arr, path, "a plan needs at least one authority");
    ap_plan *plan = rd->plan;
    plan->authorities = calloc(n, sizeof *plan->authorities);
    if (plan->authorities == NULL)
        return nomem(rd);
    size_t i = 0;
    for (const cJSON *a = arr->child; a != NULL; a = a->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, path, i);
        ap_status st = check_object(rd, a, p, keys);
        if (st != AP_OK)
            return st;
        ap_authority *auth = &plan->authorities[i];
        plan->n_authorities = i + 1;
        if ((st = read_string(rd, a, p, "code", 1, NULL, &auth->code)) ||
            (st = read_string(rd, a, p, "name", 0, "", &auth->name)))
            return st;
        char cp[PATH_MAX_LEN];
        child_path(cp, p, "code");
        if (auth->code[0] == '\0')
            return fail(rd, cJSON_GetObjectItemCaseSensitive(a, "code"), cp,
                        "an authority code cannot be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(plan->authorities[j].code, auth->code) == 0)
                return fail(rd, cJSON_GetObjectItemCaseSensitive(a, "code"),
                            cp, "authority \"%s\" is declared twice",
                            auth->code);
    }
    return AP_OK;
}

static ap_status read_agreement(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"service_area", "function",
                                       "treatment",    "host",
                                       "receiving",    "notice_months",
                                       NULL};
    const char *path = "$.agreement";
    ap_agreement *ag = &rd->plan->agreement;
    ag->notice_months = -1;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "agreement");
    if (obj == NULL) {
        if (!(ag->service_area = ap__strdup("")) ||
            !(ag->function = ap__strdup("")) ||
            !(ag->treatment = ap__strdup("")))
            return nomem(rd);
        return AP_OK;
    }
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    if ((st = read_string(rd, obj, path, "service_area", 0, "",
                          &ag->service_area)) ||
        (st = read_string(rd, obj, path, "function", 0, "", &ag->function)) ||
        (st = read_string(rd, obj, path, "treatment", 0, "",
                          &ag->treatment)))
        return st;
    int has_host, has_receiving;
    if ((st = read_authority_ref(rd, obj, path, "host", 0, &has_host,
                                 &ag->host)) ||
        (st = read_authority_ref(rd, obj, path, "receiving", 0,
                                 &has_receiving, &ag->receiving)))
        return st;
    if (has_host != has_receiving) {
        char p[PATH_MAX_LEN];
        child_path(p, path, has_host ? "receiving" : "host");
        return fail(rd, obj, p, "give both \"host\" and \"receiving\", or "
                    "neither");
    }
    ag->has_parties = has_host;
    if (has_host && ag->host == ag->receiving) {
        char p[PATH_MAX_LEN];
        child_path(p, path, "receiving");
        return fail(rd, cJSON_GetObjectItemCaseSensitive(obj, "receiving"),
                    p, "the receiving authority cannot be the host");
    }
    const cJSON *notice = cJSON_GetObjectItemCaseSensitive(obj,
                                                           "notice_months");
    if (notice != NULL) {
        char p[PATH_MAX_LEN];
        child_path(p, path, "notice_months");
        int64_t months;
        if ((st = read_integer(rd, notice, p, &months)) != AP_OK)
            return st;
        if (months < 0 || months > 1200)
            return fail(rd, notice, p,
                        "expected a number of months from 0 to 1200, "
                        "found %lld",
                        (long long)months);
        ag->notice_months = (int)months;
    }
    return AP_OK;
}

static ap_status read_basis(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"name", "kind", "values", "mode",
                                       NULL};
    const char *path = "$.basis";
    ap_plan *plan = rd->plan;
    ap_basis *b = &plan->basis;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "basis");
    if (obj == NULL)
        return fail(rd, root, path, "missing required key \"basis\"");
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    if ((st = read_string(rd, obj, path, "name", 0, "", &b->name)))
        return st;

    char p[PATH_MAX_LEN];
    char *text = NULL;
    if ((st = read_string(rd, obj, path, "kind", 1, NULL, &text)))
        return st;
    child_path(p, path, "kind");
    if (strcmp(text, "percent") == 0)
        b->kind = AP_BASIS_PERCENT;
    else if (strcmp(text, "metric") == 0)
        b->kind = AP_BASIS_METRIC;
    else {
        st = fail(rd, cJSON_GetObjectItemCaseSensitive(obj, "kind"), p,
                  "unknown basis kind \"%s\"; expected \"percent\" or "
                  "\"metric\"",
                  text);
        free(text);
        return st;
    }
    free(text);

    if ((st = read_string(rd, obj, path, "mode", 0, "largest_remainder",
                          &text)))
        return st;
    ap_apportion_mode mode;
    st = ap_apportion_mode_parse(text, &mode, rd->err);
    free(text);
    if (st != AP_OK) {
        child_path(p, path, "mode");
        return refail(rd, cJSON_GetObjectItemCaseSensitive(obj, "mode"), p);
    }
    b->mode = (int)mode;

    size_t n = plan->n_authorities;
    b->value_text = calloc(n, sizeof *b->value_text);
    b->num = calloc(n, sizeof *b->num);
    b->den = calloc(n, sizeof *b->den);
    b->weights = calloc(n, sizeof *b->weights);
    if (!b->value_text || !b->num || !b->den || !b->weights)
        return nomem(rd);

    char vp[PATH_MAX_LEN];
    child_path(vp, path, "values");
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(obj, "values");
    if (values == NULL)
        return fail(rd, obj, vp, "missing required key \"values\" (one "
                    "value per authority)");
    if (!cJSON_IsObject(values))
        return fail(rd, values, vp, "expected an object of authority code "
                    "to value, found %s", type_name(values));
    for (const cJSON *v = values->child; v != NULL; v = v->next) {
        child_path(p, vp, v->string);
        size_t who;
        if ((st = find_authority(rd, v, p, v->string, &who)))
            return st;
        if (b->value_text[who] != NULL)
            return fail(rd, v, p, "duplicate key \"%s\"", v->string);
        const char *raw;
        size_t raw_len;
        if (cJSON_IsString(v)) {
            raw = v->valuestring;
            raw_len = strlen(raw);
        } else if (cJSON_IsNumber(v)) {
            /* The number's own text: 53.57 stays 53.57, not a double. */
            const ap__json_loc *loc = ap__json_find(&rd->index, v);
            raw = rd->text + loc->offset;
            raw_len = loc->length;
        } else {
            return fail(rd, v, p, "expected a number or decimal text such "
                        "as \"53.57\", found %s", type_name(v));
        }
        if (ap_decimal_parse(raw, raw_len, &b->num[who], &b->den[who],
                             rd->err) != AP_OK)
            return refail(rd, v, p);
        if (b->num[who] < 0)
            return fail(rd, v, p, "a basis value cannot be negative (%.*s)",
                        (int)raw_len, raw);
        b->value_text[who] = malloc(raw_len + 1);
        if (b->value_text[who] == NULL)
            return nomem(rd);
        memcpy(b->value_text[who], raw, raw_len);
        b->value_text[who][raw_len] = '\0';
    }
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->value_text[i] == NULL) {
            child_path(p, vp, plan->authorities[i].code);
            return fail(rd, values, p, "no basis value for authority \"%s\"",
                        plan->authorities[i].code);
        }
        any |= b->num[i] != 0;
    }
    if (!any)
        return fail(rd, values, vp, "every basis value is zero; at least "
                    "one must be positive");
    if (ap_weights_common(b->num, b->den, n, b->weights, rd->err) != AP_OK)
        return refail(rd, values, vp);
    return AP_OK;
}

static ap_status read_funding(reader *rd, const cJSON *arr, const char *path,
                              ap_stated_share *share)
{
    static const char *const keys[] = {"source", "amount", "amount_pence",
                                       NULL};
    if (!cJSON_IsArray(arr))
        return fail(rd, arr, path, "expected an array of funding sources, "
                    "found %s", type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    share->funding = calloc(n ? n : 1, sizeof *share->funding);
    if (share->funding == NULL)
        return nomem(rd);
    size_t i = 0;
    for (const cJSON *f = arr->child; f != NULL; f = f->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, path, i);
        ap_status st = check_object(rd, f, p, keys);
        if (st != AP_OK)
            return st;
        share->n_funding = i + 1;
        if ((st = read_string(rd, f, p, "source", 1, NULL,
                              &share->funding[i].source)) ||
            (st = read_money(rd, f, p, "amount", 1, NULL,
                             &share->funding[i].amount)))
            return st;
    }
    return AP_OK;
}

static ap_status read_lines(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"id",          "description",
                                       "total",       "total_pence",
                                       "stated",      "host_income",
                                       "host_income_pence", NULL};
    static const char *const stated_keys[] = {"amount", "amount_pence",
                                              "funding", NULL};
    const char *path = "$.budget_lines";
    ap_plan *plan = rd->plan;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "budget_lines");
    if (arr == NULL)
        return fail(rd, root, path, "missing required key \"budget_lines\"");
    if (!cJSON_IsArray(arr))
        return fail(rd, arr, path, "expected an array of budget lines, "
                    "found %s", type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return fail(rd, arr, path, "a plan needs at least one budget line");
    plan->lines = calloc(n, sizeof *plan->lines);
    if (plan->lines == NULL)
        return nomem(rd);
    size_t i = 0;
    for (const cJSON *l = arr->child; l != NULL; l = l->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, path, i);
        ap_status st = check_object(rd, l, p, keys);
        if (st != AP_OK)
            return st;
        ap_budget_line *line = &plan->lines[i];
        plan->n_lines = i + 1;
        line->stated = calloc(plan->n_authorities, sizeof *line->stated);
        if (line->stated == NULL)
            return nomem(rd);
        if ((st = read_string(rd, l, p, "id", 1, NULL, &line->id)) ||
            (st = read_string(rd, l, p, "description", 0, "",
                              &line->description)) ||
            (st = read_money(rd, l, p, "total", 1, NULL, &line->total)) ||
            (st = read_money(rd, l, p, "host_income", 0,
                             &line->has_host_income, &line->host_income)))
            return st;
        const cJSON *stated = cJSON_GetObjectItemCaseSensitive(l, "stated");
        if (stated == NULL)
            continue;
        char sp[PATH_MAX_LEN];
        child_path(sp, p, "stated");
        if (!cJSON_IsObject(stated))
            return fail(rd, stated, sp, "expected an object of authority "
                        "code to stated budget, found %s",
                        type_name(stated));
        for (const cJSON *s = stated->child; s != NULL; s = s->next) {
            char ap_[PATH_MAX_LEN];
            child_path(ap_, sp, s->string);
            size_t who;
            if ((st = find_authority(rd, s, ap_, s->string, &who)))
                return st;
            ap_stated_share *share = &line->stated[who];
            if (share->present)
                return fail(rd, s, ap_, "duplicate key \"%s\"", s->string);
            if ((st = check_object(rd, s, ap_, stated_keys)) ||
                (st = read_money(rd, s, ap_, "amount", 1, NULL,
                                 &share->amount)))
                return st;
            share->present = 1;
            const cJSON *funding = cJSON_GetObjectItemCaseSensitive(s,
                                                                  "funding");
            if (funding != NULL) {
                char fp[PATH_MAX_LEN];
                child_path(fp, ap_, "funding");
                if ((st = read_funding(rd, funding, fp, share)))
                    return st;
            }
        }
    }
    return AP_OK;
}

static ap_status read_recharge(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"payer",      "payee",
                                       "of",         "instalments",
                                       "equal_part", "rounding",
                                       NULL};
    const char *path = "$.recharge";
    ap_plan *plan = rd->plan;
    ap_recharge_rule *r = &plan->recharge;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "recharge");
    if (obj == NULL)
        return AP_OK;
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    char p[PATH_MAX_LEN];
    int has_payer, has_payee;
    if ((st = read_authority_ref(rd, obj, path, "payer", 0, &has_payer,
                                 &r->payer)) ||
        (st = read_authority_ref(rd, obj, path, "payee", 0, &has_payee,
                                 &r->payee)))
        return st;
    /* The agreement's receiving authority pays its host by default. */
    if (!has_payer || !has_payee) {
        if (!plan->agreement.has_parties) {
            child_path(p, path, has_payer ? "payee" : "payer");
            return fail(rd, obj, p, "name the payer and payee, or the host "
                        "and receiving authorities under $.agreement");
        }
        if (!has_payer)
            r->payer = plan->agreement.receiving;
        if (!has_payee)
            r->payee = plan->agreement.host;
    }
    if (r->payer == r->payee) {
        child_path(p, path, "payee");
        return fail(rd, obj, p, "the payer and the payee are the same "
                    "authority");
    }

    char *text = NULL;
    if ((st = read_string(rd, obj, path, "of", 0, "stated", &text)))
        return st;
    child_path(p, path, "of");
    if (strcmp(text, "stated") == 0)
        r->of = AP_RECHARGE_OF_STATED;
    else if (strcmp(text, "basis") == 0)
        r->of = AP_RECHARGE_OF_BASIS;
    else {
        st = fail(rd, cJSON_GetObjectItemCaseSensitive(obj, "of"), p,
                  "expected \"stated\" (the approved budget) or \"basis\", "
                  "found \"%s\"",
                  text);
        free(text);
        return st;
    }
    free(text);
    if (r->of == AP_RECHARGE_OF_STATED) {
        for (size_t i = 0; i < plan->n_lines; i++) {
            if (!plan->lines[i].stated[r->payer].present) {
                char lp[PATH_MAX_LEN];
                snprintf(lp, sizeof lp, "$.budget_lines[%zu].stated.%s", i,
                         plan->authorities[r->payer].code);
                return fail(rd, cJSON_GetObjectItemCaseSensitive(obj, "of"),
                            lp,
                            "the recharge is of the stated budget, but line "
                            "\"%s\" states none for %s",
                            plan->lines[i].id,
                            plan->authorities[r->payer].code);
            }
        }
    }

    r->instalments = 4;
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(obj, "instalments");
    if (count != NULL) {
        int64_t v;
        child_path(p, path, "instalments");
        if ((st = read_integer(rd, count, p, &v)))
            return st;
        if (v < 1 || v > 12)
            return fail(rd, count, p, "expected 1 to 12 instalments, found "
                        "%lld", (long long)v);
        r->instalments = (size_t)v;
    }

    if ((st = read_string(rd, obj, path, "equal_part", 0, "pence", &text)))
        return st;
    child_path(p, path, "equal_part");
    if (strcmp(text, "pounds") == 0)
        r->granularity = 100;
    else if (strcmp(text, "pence") == 0)
        r->granularity = 1;
    else {
        st = fail(rd, cJSON_GetObjectItemCaseSensitive(obj, "equal_part"), p,
                  "expected \"pounds\" or \"pence\", found \"%s\"", text);
        free(text);
        return st;
    }
    free(text);

    if ((st = read_string(rd, obj, path, "rounding", 0, "half_up", &text)))
        return st;
    st = ap_rounding_parse(text, &r->rounding, rd->err);
    free(text);
    if (st != AP_OK) {
        child_path(p, path, "rounding");
        return refail(rd, cJSON_GetObjectItemCaseSensitive(obj, "rounding"),
                      p);
    }
    r->present = 1;
    return AP_OK;
}

static ap_status read_carry_forwards(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"description", "kind",
                                       "from_year",   "amount",
                                       "amount_pence", "payer",
                                       "payee",       NULL};
    const char *path = "$.carry_forwards";
    ap_plan *plan = rd->plan;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root,
                                                        "carry_forwards");
    if (arr == NULL)
        return AP_OK;
    if (!cJSON_IsArray(arr))
        return fail(rd, arr, path, "expected an array, found %s",
                    type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    plan->carry_forwards = calloc(n ? n : 1, sizeof *plan->carry_forwards);
    if (plan->carry_forwards == NULL)
        return nomem(rd);
    size_t i = 0;
    for (const cJSON *c = arr->child; c != NULL; c = c->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, path, i);
        ap_status st = check_object(rd, c, p, keys);
        if (st != AP_OK)
            return st;
        ap_carry_forward *cf = &plan->carry_forwards[i];
        plan->n_carry_forwards = i + 1;
        int has_payer, has_payee;
        if ((st = read_string(rd, c, p, "description", 0, "",
                              &cf->description)) ||
            (st = read_string(rd, c, p, "kind", 0, "carry forward",
                              &cf->kind)) ||
            (st = read_string(rd, c, p, "from_year", 0, "",
                              &cf->from_year)) ||
            (st = read_money(rd, c, p, "amount", 1, NULL, &cf->amount)) ||
            (st = read_authority_ref(rd, c, p, "payer", 0, &has_payer,
                                     &cf->payer)) ||
            (st = read_authority_ref(rd, c, p, "payee", 0, &has_payee,
                                     &cf->payee)))
            return st;
        if (!has_payer || !has_payee) {
            if (!plan->agreement.has_parties) {
                char q[PATH_MAX_LEN];
                child_path(q, p, has_payer ? "payee" : "payer");
                return fail(rd, c, q, "name the payer and payee, or the "
                            "host and receiving authorities under "
                            "$.agreement");
            }
            if (!has_payer)
                cf->payer = plan->agreement.receiving;
            if (!has_payee)
                cf->payee = plan->agreement.host;
        }
    }
    return AP_OK;
}

static ap_status read_actuals(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"expenditure", "expenditure_pence",
                                       NULL};
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "actuals");
    if (obj == NULL)
        return AP_OK;
    ap_status st = check_object(rd, obj, "$.actuals", keys);
    if (st != AP_OK)
        return st;
    return read_money(rd, obj, "$.actuals", "expenditure", 1,
                      &rd->plan->has_actual, &rd->plan->actual_expenditure);
}

static ap_status read_stated(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {"instalments", NULL};
    const char *path = "$.stated";
    ap_plan *plan = rd->plan;
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "stated");
    if (obj == NULL)
        return AP_OK;
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "instalments");
    if (arr == NULL)
        return AP_OK;
    char p[PATH_MAX_LEN];
    child_path(p, path, "instalments");
    if (!cJSON_IsArray(arr))
        return fail(rd, arr, p, "expected an array of money text, found %s",
                    type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (!plan->recharge.present)
        return fail(rd, arr, p, "stated instalments need a $.recharge rule "
                    "to check them against");
    if (n != plan->recharge.instalments)
        return fail(rd, arr, p, "%zu instalments stated, but the recharge "
                    "rule has %zu",
                    n, plan->recharge.instalments);
    plan->stated_instalments = calloc(n ? n : 1,
                                      sizeof *plan->stated_instalments);
    if (plan->stated_instalments == NULL)
        return nomem(rd);
    size_t i = 0;
    for (const cJSON *v = arr->child; v != NULL; v = v->next, i++) {
        char q[PATH_MAX_LEN];
        index_path(q, p, i);
        if (!cJSON_IsString(v))
            return fail(rd, v, q, "expected money as text such as "
                        "\"\xc2\xa3" "52,914\", found %s", type_name(v));
        if (ap_money_parse(v->valuestring, (size_t)-1, plan->unit,
                           &plan->stated_instalments[i].pence,
                           &plan->stated_instalments[i].resolution,
                           rd->err) != AP_OK)
            return refail(rd, v, q);
        plan->n_stated_instalments = i + 1;
    }
    return AP_OK;
}

static ap_status read_root(reader *rd, const cJSON *root)
{
    static const char *const keys[] = {
        "$schema", "format",   "title",         "reference",
        "financial_year",      "source",        "notes",
        "unit",    "authorities", "agreement",  "basis",
        "budget_lines",        "recharge",      "actuals",
        "carry_forwards",      "stated",        NULL};
    ap_plan *plan = rd->plan;
    ap_status st = check_object(rd, root, "$", keys);
    if (st != AP_OK)
        return st;
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (format == NULL)
        return fail(rd, root, "$.format", "missing required key \"format\" "
                    "(\"" AP_PLAN_FORMAT "\")");
    if (!cJSON_IsString(format) ||
        strcmp(format->valuestring, AP_PLAN_FORMAT) != 0)
        return fail(rd, format, "$.format", "expected \"" AP_PLAN_FORMAT
                    "\"; this version of apportion reads no other format");
    char *unit = NULL;
    if ((st = read_string(rd, root, "$", "unit", 0, "\xc2\xa3", &unit)))
        return st;
    st = ap_unit_parse(unit, &plan->unit, rd->err);
    free(unit);
    if (st != AP_OK)
        return refail(rd, cJSON_GetObjectItemCaseSensitive(root, "unit"),
                      "$.unit");
    if ((st = read_string(rd, root, "$", "title", 0, "", &plan->title)) ||
        (st = read_string(rd, root, "$", "reference", 0, "",
                          &plan->reference)) ||
        (st = read_string(rd, root, "$", "financial_year", 0, "",
                          &plan->financial_year)))
        return st;
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(root, "notes");
    if (notes != NULL && !cJSON_IsString(notes) && !cJSON_IsArray(notes))
        return fail(rd, notes, "$.notes", "expected text or an array of "
                    "text, found %s", type_name(notes));
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "source");
    if (src != NULL && !cJSON_IsString(src))
        return fail(rd, src, "$.source", "expected a string, found %s",
                    type_name(src));
    if ((st = read_authorities(rd, root)) || (st = read_agreement(rd, root)) ||
        (st = read_basis(rd, root)) || (st = read_lines(rd, root)) ||
        (st = read_recharge(rd, root)) || (st = read_actuals(rd, root)) ||
        (st = read_carry_forwards(rd, root)) || (st = read_stated(rd, root)))
        return st;
    return AP_OK;
}

ap_status ap_plan_parse(const char *text, size_t len, const char *source,
                        ap_plan **out, ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    if (source == NULL)
        source = "<plan>";
    /* cJSON wants a NUL-terminated buffer to refuse trailing text. */
    char *buffer = malloc(len + 1);
    if (buffer == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory reading %s",
                            source);
    memcpy(buffer, text, len);
    buffer[len] = '\0';
    if (memchr(buffer, '\0', len) != NULL) {
        size_t at = (size_t)((char *)memchr(buffer, '\0', len) - buffer);
        int line, column;
        ap__json_line_column(buffer, at, &line, &column);
        free(buffer);
        ap_error_set(err, AP_E_PLAN, "%s:%d:%d: $: the file contains a NUL "
                     "byte; a plan is UTF-8 text", source, line, column);
        if (err) {
            snprintf(err->path, sizeof err->path, "$");
            err->line = line;
            err->column = column;
        }
        return AP_E_PLAN;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buffer, len + 1, &end, 1);
    if (root == NULL) {
        size_t at = end ? (size_t)(end - buffer) : 0;
        if (at > len)
            at = len;
        int line, column;
        ap__json_line_column(buffer, at, &line, &column);
        ap_error_set(err, AP_E_PLAN,
                     "%s:%d:%d: $: invalid JSON near \"%.*s\"", source, line,
                     column, ap__utf8_prefix(buffer + at, len - at, 20),
                     buffer + at);
        if (err) {
            snprintf(err->path, sizeof err->path, "$");
            err->line = line;
            err->column = column;
        }
        free(buffer);
        return AP_E_PLAN;
    }
    ap_plan *plan = calloc(1, sizeof *plan);
    reader rd = {buffer, len, source, {NULL, 0}, plan, err};
    ap_status st;
    if (plan == NULL || (plan->source = ap__strdup(source)) == NULL) {
        st = ap_error_set(err, AP_E_NOMEM, "out of memory reading %s",
                          source);
    } else {
        st = ap__json_index_build(buffer, len, root, &rd.index, err);
        if (st == AP_OK)
            st = read_root(&rd, root);
    }
    ap__json_index_free(&rd.index);
    cJSON_Delete(root);
    free(buffer);
    if (st != AP_OK) {
        ap_plan_free(plan);
        return st;
    }
    *out = plan;
    return AP_OK;
}

ap_status ap_plan_load(const char *path, ap_plan **out, ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ap_error_set(err, AP_E_IO, "cannot open plan %s: %s", path,
                            strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        if (cap >= ((size_t)1 << 30)) {
            free(buf);
            fclose(f);
            return ap_error_set(err, AP_E_INPUT,
                                "plan %s is larger than 1 GiB", path);
        }
        char *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = buf == NULL || ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return buf == NULL ? ap_error_set(err, AP_E_NOMEM,
                                          "out of memory reading %s", path)
                           : ap_error_set(err, AP_E_IO, "cannot read %s: %s",
                                          path, strerror(saved));
    }
    ap_status st = ap_plan_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

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
    free(plan);
}
