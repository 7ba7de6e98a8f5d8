/* Reading RAG-rated savings from JSON into an ap_savings.
 *
 * Strict like the plan reader: an unknown or duplicate key, a number where
 * money text is expected, a negative saving or a total over rows that do
 * not exist is an error naming the JSON path, line and column.  Where the
 * model sits in the file, money, the unit and the split are read as the
 * other finance models read them (finance_read.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_read.h"
#include "base/text.h"

static const ap__jr_format savings_format = {
    .name = "savings",
    .tag = AP_SAVINGS_FORMAT,
    .what_is = "a savings file is",
    .integer = "an integer",
    .anonymous = "<savings>",
    .max_bytes = (size_t)1 << 30,
};

/* A RAG-table figure: a saving printed as a positive amount. */
static ap_status read_saving_money(ap__jr *jr, const ap_savings *sv,
                                   const cJSON *obj, const char *path,
                                   const char *key, int required,
                                   int *present, ap_amount *out)
{
    ap_printed printed;
    ap_status st = ap__fr_money(jr, obj, path, key, sv->unit,
                                AP__FR_NIL_TO_UNIT |
                                    (required ? AP__FR_REQUIRED : 0) |
                                    /* a stated total is only checked */
                                    (strcmp(key, "total") == 0
                                         ? AP__FR_STATED
                                         : 0),
                                &printed);
    if (present)
        *present = printed.present;
    if (st != AP_OK || !printed.present)
        return st;
    *out = printed.amount;
    if (out->pence >= 0)
        return AP_OK;
    char p[AP__JR_PATH_SIZE], pence_key[64];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL)
        node = ap__jr_member(obj, pence_key);
    ap__jr_key_path(p, path, node && node->string ? node->string : key);
    return ap__jr_fail(jr, node, p, "a savings table prints each saving as "
                       "a positive figure; found a negative one (a line that "
                       "adds cost is a pressure, not a saving)");
}

static ap_status read_total_column(ap__jr *jr, ap_savings *sv,
                                   const cJSON *root, const char *path)
{
    static const char *const keys[] = {"label", "sums", NULL};
    char tp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(tp, path, "total_column");
    sv->total_columns = (1u << AP_SAVINGS_COLUMN_COUNT) - 1;
    const cJSON *obj = ap__jr_member(root, "total_column");
    if (obj == NULL)
        return (sv->total_label = ap__strdup("Total")) ? AP_OK
                                                       : ap__jr_nomem(jr);
    ap_status st = ap__jr_check_object(jr, obj, tp, keys);
    if (st != AP_OK ||
        (st = ap__jr_string(jr, obj, tp, "label", 0, "Total",
                            &sv->total_label)))
        return st;
    const cJSON *sums = ap__jr_member(obj, "sums");
    if (sums == NULL)
        return AP_OK;
    ap__jr_key_path(p, tp, "sums");
    if (!cJSON_IsArray(sums) || cJSON_GetArraySize(sums) == 0)
        return ap__jr_fail(jr, sums, p, "expected a non-empty array of the "
                           "columns the row total adds, such as [\"red\", "
                           "\"amber\", \"green\", \"mitigations\"]");
    static const char *const names[] = {"red", "amber", "green",
                                        "mitigations", NULL};
    sv->total_columns = 0;
    size_t i = 0;
    for (const cJSON *c = sums->child; c != NULL; c = c->next, i++) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_index_path(q, p, i);
        size_t k;
        if ((st = ap__jr_choice(jr, c, q, names, &k)))
            return st;
        if (sv->total_columns & (1u << k))
            return ap__jr_fail(jr, c, q, "\"%s\" is listed twice", names[k]);
        sv->total_columns |= 1u << k;
    }
    return AP_OK;
}

static ap_status read_proposal(ap__jr *jr, const cJSON *o, const char *p,
                               size_t i, size_t n, void *ctx)
{
    ap_savings *sv = ctx;
    ap_saving *s = AP__JR_ELEMENT(sv->proposals, sv->n_proposals, i, n);
    if (s == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    if ((st = ap__jr_string(jr, o, p, "reference", 0, "",
                            &s->reference)) ||
        (st = ap__jr_string(jr, o, p, "name", 1, NULL, &s->name)) ||
        (st = ap__jr_string(jr, o, p, "sro", 0, "", &s->sro)) ||
        (st = ap__jr_string(jr, o, p, "comments", 0, "",
                            &s->comments)) ||
        (st = read_saving_money(jr, sv, o, p, "amount", 1, NULL,
                                &s->amount)))
        return st;
    for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++)
        if ((st = read_saving_money(
                 jr, sv, o, p, ap_savings_column_name((ap_savings_column)c),
                 1, NULL, &s->rated[c])))
            return st;
    if ((st = read_saving_money(jr, sv, o, p, "total", 0, &s->has_total,
                                &s->total)))
        return st;
    return AP_OK;
}

static ap_status read_proposals(ap__jr *jr, ap_savings *sv,
                                const cJSON *root, const char *path)
{
    static const char *const keys[] = {
        "reference", "name", "sro", "comments", "amount", "amount_pence",
        "red", "red_pence", "amber", "amber_pence", "green", "green_pence",
        "mitigations", "mitigations_pence", "total", "total_pence", NULL};
    char pp[AP__JR_PATH_SIZE];
    ap__jr_key_path(pp, path, "proposals");
    const cJSON *arr = ap__jr_member(root, "proposals");
    if (arr == NULL)
        return ap__jr_fail(jr, root, pp, "missing required key "
                           "\"proposals\"");
    static const ap__jr_objects how = {
        .what = "an array of savings proposals",
        .empty = "no savings proposals",
        .keys = keys,
        .each = read_proposal};
    return ap__jr_each_object(jr, arr, pp, &how, sv);
}

/* A 1-based row number under key, within 1..n. */
static ap_status read_row_number(ap__jr *jr, const cJSON *obj,
                                 const char *path, const char *key, size_t n,
                                 size_t fallback, size_t *out)
{
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL) {
        *out = fallback;
        return AP_OK;
    }
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    int64_t v;
    ap_status st = ap__jr_integer(jr, node, p, &v);
    if (st != AP_OK)
        return st;
    if (v < 1 || (uint64_t)v > n)
        return ap__jr_fail(jr, node, p, "expected a proposal number from 1 to "
                           "%zu (the order of \"proposals\"), found %lld",
                           n, (long long)v);
    *out = (size_t)v - 1;
    return AP_OK;
}

static ap_status read_total(ap__jr *jr, const cJSON *o, const char *p,
                            size_t i, size_t n, void *ctx)
{
    ap_savings *sv = ctx;
    ap_savings_total *t = AP__JR_ELEMENT(sv->totals, sv->n_totals, i, n);
    if (t == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    if ((st = ap__jr_string(jr, o, p, "label", 1, NULL, &t->label)) ||
        (st = read_row_number(jr, o, p, "from", sv->n_proposals, 0,
                              &t->from)) ||
        (st = read_row_number(jr, o, p, "to", sv->n_proposals,
                              sv->n_proposals - 1, &t->to)))
        return st;
    if (t->from > t->to) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_key_path(q, p, "to");
        return ap__jr_fail(jr, ap__jr_member(o, "to"), q, "\"to\" (%zu) "
                           "comes before \"from\" (%zu)", t->to + 1,
                           t->from + 1);
    }
    int any;
    if ((st = read_saving_money(jr, sv, o, p, "amount", 0, &t->has_amount,
                                &t->amount)) ||
        (st = read_saving_money(jr, sv, o, p, "total", 0, &t->has_total,
                                &t->total)))
        return st;
    any = t->has_amount || t->has_total;
    for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
        if ((st = read_saving_money(
                 jr, sv, o, p, ap_savings_column_name((ap_savings_column)c),
                 0, &t->has_rated[c], &t->rated[c])))
            return st;
        any |= t->has_rated[c];
    }
    if (!any)
        return ap__jr_fail(jr, o, p, "a total row states no figure: give "
                           "\"amount\", a column or \"total\"");
    return AP_OK;
}

static ap_status read_totals(ap__jr *jr, ap_savings *sv, const cJSON *root,
                             const char *path)
{
    static const char *const keys[] = {
        "label", "from", "to", "amount", "amount_pence", "red", "red_pence",
        "amber", "amber_pence", "green", "green_pence", "mitigations",
        "mitigations_pence", "total", "total_pence", NULL};
    char tp[AP__JR_PATH_SIZE];
    ap__jr_key_path(tp, path, "totals");
    const cJSON *arr = ap__jr_member(root, "totals");
    if (arr == NULL)
        return AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of stated total rows",
        .empty = NULL,
        .keys = keys,
        .each = read_total};
    return ap__jr_each_object(jr, arr, tp, &how, sv);
}

static ap_status read_savings(ap__jr *jr, void *model)
{
    ap_savings *sv = model;
    static const char *const keys[] = {
        "$schema", "format",       "title",     "reference", "source",
        "notes",   "unit",         "year",      "as_at",     "total_column",
        "at_risk", "proposals",    "totals",    "split",     NULL};
    static const char *const risks[] = {"red", "red_and_amber", NULL};
    const cJSON *obj;
    char path[AP__JR_PATH_SIZE];
    ap_status st = ap__fr_model_root(jr, AP_SAVINGS_FORMAT, "savings", &obj,
                                     path);
    if (st != AP_OK || (st = ap__jr_check_object(jr, obj, path, keys)) ||
        (st = ap__fr_notes(jr, obj, path)) ||
        (st = ap__fr_model_unit(jr, obj, path, &sv->unit)) ||
        (st = ap__jr_string(jr, obj, path, "title", 0, "", &sv->title)) ||
        (st = ap__jr_string(jr, obj, path, "reference", 0, "",
                            &sv->reference)) ||
        (st = ap__jr_string(jr, obj, path, "source", 0, "",
                            &sv->location)) ||
        (st = ap__jr_string(jr, obj, path, "year", 0, "", &sv->year)) ||
        (st = ap__jr_string(jr, obj, path, "as_at", 0, "", &sv->as_at)))
        return st;
    const cJSON *risk = ap__jr_member(obj, "at_risk");
    if (risk != NULL) {
        char p[AP__JR_PATH_SIZE];
        size_t k;
        ap__jr_key_path(p, path, "at_risk");
        if ((st = ap__jr_choice(jr, risk, p, risks, &k)))
            return st;
        sv->amber_at_risk = k == 1;
    }
    if ((st = read_total_column(jr, sv, obj, path)) ||
        (st = read_proposals(jr, sv, obj, path)) ||
        (st = read_totals(jr, sv, obj, path)) ||
        (st = ap__fr_split_paper(jr, obj, path, &sv->has_split,
                                 &sv->authorities, &sv->n_authorities,
                                 &sv->split, &sv->split_paper)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_savings, ap_savings_parse, ap_savings_load,
                    ap_savings_free, savings_format, read_savings, NULL, 0)

void ap_savings_free(ap_savings *sv)
{
    if (sv == NULL)
        return;
    free(sv->source);
    free(sv->title);
    free(sv->reference);
    free(sv->location);
    free(sv->year);
    free(sv->as_at);
    free(sv->total_label);
    for (size_t i = 0; i < sv->n_proposals; i++) {
        free(sv->proposals[i].reference);
        free(sv->proposals[i].name);
        free(sv->proposals[i].sro);
        free(sv->proposals[i].comments);
    }
    free(sv->proposals);
    for (size_t i = 0; i < sv->n_totals; i++)
        free(sv->totals[i].label);
    free(sv->totals);
    ap__fr_split_paper_free(sv->authorities, sv->n_authorities, &sv->split,
                            &sv->split_paper);
    free(sv);
}
