/* Reading a medium-term financial plan from JSON into an ap_mtfp.
 *
 * Figures are typed as the paper prints them, year by year in objects
 * keyed by the plan's years ({"2017-18": "(3,540)", ...}), so a missing or
 * unknown year is named in the error.  A savings proposal with a positive
 * amount is refused unless it says "allow_positive": savings are printed
 * negative, and a positive one is far more often a lost bracket than a
 * saving that adds to the budget.  Where the model sits in the file,
 * money, the unit and the split are read as the other finance models read
 * them (finance_read.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "papers/finance_read.h"
#include "base/text.h"

static const ap__jr_format mtfp_format = {
    .name = "MTFP",
    .tag = AP_MTFP_FORMAT,
    .what_is = "an MTFP file is",
    .integer = "an integer",
    .anonymous = "<mtfp>",
    .max_bytes = (size_t)1 << 30,
};

static const char *const category_names[] = {
#define AP__NAME(code, key, title, saving) key,
    AP_MTFP_CATEGORY_MAP(AP__NAME)
#undef AP__NAME
    NULL};
#define AP__TITLE(code, key, title, saving) title,
AP__NAMES(ap_mtfp_category, ap_mtfp_category_title, category_titles,
          AP_MTFP_CATEGORY_COUNT, AP_MTFP_CATEGORY_MAP, AP__TITLE, "Unknown")
#undef AP__TITLE
static const int category_saving[] = {
#define AP__SAVING(code, key, title, saving) saving,
    AP_MTFP_CATEGORY_MAP(AP__SAVING)
#undef AP__SAVING
};
static const char *const of_names[] = {
#define AP__NAME(code, key, title, saving) key,
    AP_MTFP_CATEGORY_MAP(AP__NAME)
#undef AP__NAME
    "growth", "savings", "base_brought_forward", "net_budget_requirement",
    NULL};

const char *ap_mtfp_category_name(ap_mtfp_category c)
{
    return (unsigned)c < AP_MTFP_CATEGORY_COUNT ? category_names[c]
                                                : "unknown";
}

int ap_mtfp_category_is_saving(ap_mtfp_category c)
{
    return (unsigned)c < AP_MTFP_CATEGORY_COUNT && category_saving[c];
}

const char *ap_mtfp_of_name(int of)
{
    return of >= 0 && of < AP_MTFP_OF_COUNT ? of_names[of] : "unknown";
}

static ap_status read_years(ap__jr *jr, ap_mtfp *m, const cJSON *obj,
                            const char *path)
{
    char yp[AP__JR_PATH_SIZE];
    ap__jr_key_path(yp, path, "years");
    const cJSON *arr = ap__jr_member(obj, "years");
    if (arr == NULL)
        return ap__jr_fail(jr, obj, yp, "missing required key \"years\" (the "
                           "plan's years in order, such as [\"2017-18\", "
                           "\"2018-19\"])");
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, yp, "expected an array of years, found "
                           "%s", ap__jr_type_name(arr));
    if (cJSON_GetArraySize(arr) == 0)
        return ap__jr_fail(jr, arr, yp, "a plan needs at least one year");
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if ((m->years = calloc(n, sizeof *m->years)) == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *y = arr->child; y != NULL; y = y->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, yp, i);
        if (!cJSON_IsString(y) || y->valuestring[0] == '\0')
            return ap__jr_fail(jr, y, p, "expected a year such as "
                               "\"2017-18\", found %s",
                               cJSON_IsString(y) ? "an empty string"
                                                 : ap__jr_type_name(y));
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->years[j], y->valuestring) == 0)
                return ap__jr_fail(jr, y, p, "year \"%s\" is listed twice",
                                   y->valuestring);
        if ((m->years[i] = ap__strdup(y->valuestring)) == NULL)
            return ap__jr_nomem(jr);
        m->n_years = i + 1;
    }
    return AP_OK;
}

static size_t year_index(const ap_mtfp *m, const char *year)
{
    for (size_t i = 0; i < m->n_years; i++)
        if (strcmp(m->years[i], year) == 0)
            return i;
    return m->n_years;
}

/* Figures by year: "amounts" as printed text, or "amounts_pence" as
 * integers, keyed by the plan's years.  every_year: each year must be
 * there (a proposal); otherwise has[y] says which were printed. */
static ap_status read_by_year(ap__jr *jr, const ap_mtfp *m, const cJSON *obj,
                              const char *path, int every_year, int *has,
                              ap_amount *out)
{
    char p[AP__JR_PATH_SIZE], q[AP__JR_PATH_SIZE];
    const cJSON *text = ap__jr_member(obj, "amounts");
    const cJSON *pence = ap__jr_member(obj, "amounts_pence");
    if (text != NULL && pence != NULL) {
        ap__jr_key_path(p, path, "amounts_pence");
        return ap__jr_fail(jr, pence, p, "give either \"amounts\" or "
                           "\"amounts_pence\", not both");
    }
    const cJSON *node = text ? text : pence;
    ap__jr_key_path(p, path, text ? "amounts" : "amounts_pence");
    if (node == NULL) {
        if (!every_year)
            return AP_OK;
        ap__jr_key_path(p, path, "amounts");
        return ap__jr_fail(jr, obj, p, "missing required key \"amounts\" "
                           "(the figure for each year, such as {\"%s\": "
                           "\"(3,540)\"})", m->years[0]);
    }
    if (!cJSON_IsObject(node))
        return ap__jr_fail(jr, node, p, "expected an object of year to "
                           "figure, found %s", ap__jr_type_name(node));
    int *seen = has ? has : calloc(m->n_years, sizeof *seen);
    if (seen == NULL)
        return ap__jr_nomem(jr);
    ap_status st = AP_OK;
    for (const cJSON *v = node->child; v != NULL && st == AP_OK; v = v->next) {
        ap__jr_key_path(q, p, v->string);
        size_t y = year_index(m, v->string);
        if (y == m->n_years) {
            st = ap__jr_fail(jr, v, q, "\"%s\" is not one of the plan's "
                             "years (\"years\")", v->string);
        } else if (seen[y]) {
            st = ap__jr_fail(jr, v, q, "duplicate key \"%s\"", v->string);
        } else if (text != NULL) {
            st = ap__fr_money_text(jr, v, q, m->unit, AP__FR_NIL_TO_UNIT,
                                   "amounts_pence", &out[y]);
        } else {
            st = ap__jr_integer(jr, v, q, &out[y].pence);
            out[y].resolution = 1;
        }
        if (y < m->n_years)
            seen[y] = 1;
    }
    for (size_t y = 0; st == AP_OK && every_year && y < m->n_years; y++) {
        if (!seen[y]) {
            ap__jr_key_path(q, p, m->years[y]);
            st = ap__jr_fail(jr, node, q, "no figure for %s; write \"0\" or "
                             "\"-\" for a nil", m->years[y]);
        }
    }
    if (seen != has)
        free(seen);
    return st;
}

static ap_status read_proposal(ap__jr *jr, const cJSON *o, const char *p,
                               size_t i, size_t n, void *ctx)
{
    ap_mtfp *m = ctx;
    ap_mtfp_proposal *pr = AP__JR_ELEMENT(m->proposals, m->n_proposals, i, n);
    if (pr == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    if ((st = ap__jr_string(jr, o, p, "reference", 0, "",
                            &pr->reference)) ||
        (st = ap__jr_string(jr, o, p, "name", 1, NULL, &pr->name)) ||
        (st = ap__jr_string(jr, o, p, "description", 0, "",
                            &pr->description)))
        return st;
    ap__jr_key_path(q, p, "category");
    size_t k;
    if ((st = ap__jr_required_choice(jr, o, "category", q,
                                     " (inflation, pressure, efficiency, "
                                     "income, transformation or cuts)",
                                     category_names, &k)))
        return st;
    pr->category = (ap_mtfp_category)k;
    const cJSON *allow = ap__jr_member(o, "allow_positive");
    if (allow != NULL) {
        ap__jr_key_path(q, p, "allow_positive");
        if (!cJSON_IsBool(allow))
            return ap__jr_fail(jr, allow, q, "expected true or false, "
                               "found %s", ap__jr_type_name(allow));
        pr->allow_positive = cJSON_IsTrue(allow);
    }
    if ((pr->amounts = calloc(m->n_years, sizeof *pr->amounts)) == NULL)
        return ap__jr_nomem(jr);
    ap_printed total;
    if ((st = read_by_year(jr, m, o, p, 1, NULL, pr->amounts)) ||
        (st = ap__fr_money(jr, o, p, "total", m->unit,
                           AP__FR_NIL_TO_UNIT | AP__FR_STATED, &total)))
        return st;
    pr->has_total = total.present;
    pr->total = total.amount;
    if (!ap_mtfp_category_is_saving(pr->category) || pr->allow_positive)
        return AP_OK;
    for (size_t y = 0; y < m->n_years; y++) {
        if (pr->amounts[y].pence <= 0)
            continue;
        const cJSON *am = ap__jr_member(o, "amounts");
        ap__jr_key_path(q, p, am ? "amounts" : "amounts_pence");
        if (!am)
            am = ap__jr_member(o, "amounts_pence");
        char r[AP__JR_PATH_SIZE];
        ap__jr_key_path(r, q, m->years[y]);
        return ap__jr_fail(jr, ap__jr_member(am, m->years[y]), r,
                           "proposal %s is a saving (%s), and savings "
                           "are printed negative, in brackets as in "
                           "\"(3,540)\"; this one is positive.  Write it "
                           "as printed, or set \"allow_positive\": true "
                           "if it really adds to the budget",
                           pr->reference[0] ? pr->reference : pr->name,
                           category_names[pr->category]);
    }
    return AP_OK;
}

static ap_status read_proposals(ap__jr *jr, ap_mtfp *m, const cJSON *obj,
                                const char *path)
{
    static const char *const keys[] = {
        "reference", "name",   "description",   "category", "allow_positive",
        "amounts",   "amounts_pence", "total", "total_pence", NULL};
    char pp[AP__JR_PATH_SIZE];
    ap__jr_key_path(pp, path, "proposals");
    const cJSON *arr = ap__jr_member(obj, "proposals");
    if (arr == NULL)
        return ap__jr_fail(jr, obj, pp, "missing required key "
                           "\"proposals\"");
    static const ap__jr_objects how = {
        .what = "an array of proposals",
        .empty = NULL,
        .keys = keys,
        .each = read_proposal};
    return ap__jr_each_object(jr, arr, pp, &how, m);
}

static ap_status read_stated_row(ap__jr *jr, const cJSON *o, const char *p,
                                 size_t i, size_t n, void *ctx)
{
    ap_mtfp *m = ctx;
    ap_mtfp_stated_row *row = AP__JR_ELEMENT(m->stated, m->n_stated, i, n);
    if (row == NULL)
        return ap__jr_nomem(jr);
    ap_status st;
    char q[AP__JR_PATH_SIZE];
    if ((st = ap__jr_string(jr, o, p, "label", 1, NULL, &row->label)) ||
        (st = ap__jr_string(jr, o, p, "table", 0, "", &row->table)))
        return st;
    ap__jr_key_path(q, p, "of");
    size_t k;
    if ((st = ap__jr_required_choice(jr, o, "of", q,
                                     " (what the row is a figure of: a "
                                     "category, \"growth\", \"savings\", "
                                     "\"base_brought_forward\" or "
                                     "\"net_budget_requirement\")",
                                     of_names, &k)))
        return st;
    row->of = (int)k;
    if (!(row->has_amount = calloc(m->n_years, sizeof *row->has_amount)) ||
        !(row->amounts = calloc(m->n_years, sizeof *row->amounts)))
        return ap__jr_nomem(jr);
    ap_printed total;
    if ((st = read_by_year(jr, m, o, p, 0, row->has_amount,
                           row->amounts)) ||
        (st = ap__fr_money(jr, o, p, "total", m->unit,
                           AP__FR_NIL_TO_UNIT | AP__FR_STATED, &total)))
        return st;
    row->has_total = total.present;
    row->total = total.amount;
    if (row->has_total && (row->of == AP_MTFP_OF_BASE ||
                           row->of == AP_MTFP_OF_REQUIREMENT)) {
        const cJSON *t = ap__jr_member(o, "total");
        ap__jr_key_path(q, p, t ? "total" : "total_pence");
        return ap__jr_fail(jr, t ? t : ap__jr_member(o, "total_pence"), q,
                           "a %s has no total across the years",
                           row->of == AP_MTFP_OF_BASE
                               ? "base brought forward"
                               : "net budget requirement");
    }
    int any = row->has_total;
    for (size_t y = 0; y < m->n_years; y++)
        any |= row->has_amount[y];
    if (!any)
        return ap__jr_fail(jr, o, p, "a stated row states no figure: give "
                           "\"amounts\" or \"total\"");
    return AP_OK;
}

static ap_status read_stated(ap__jr *jr, ap_mtfp *m, const cJSON *obj,
                             const char *path)
{
    static const char *const keys[] = {"label", "table", "of", "amounts",
                                       "amounts_pence", "total",
                                       "total_pence", NULL};
    char sp[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "stated");
    const cJSON *arr = ap__jr_member(obj, "stated");
    if (arr == NULL)
        return AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of stated rows",
        .empty = NULL,
        .keys = keys,
        .each = read_stated_row};
    return ap__jr_each_object(jr, arr, sp, &how, m);
}

static ap_status read_mtfp(ap__jr *jr, void *model)
{
    ap_mtfp *m = model;
    static const char *const keys[] = {
        "$schema", "format", "title",     "reference",
        "source",  "notes",  "unit",      "years",
        "base_brought_forward", "base_brought_forward_pence",
        "proposals", "stated", "split", NULL};
    const cJSON *obj;
    char path[AP__JR_PATH_SIZE];
    ap_printed base;
    ap_status st = ap__fr_model_root(jr, AP_MTFP_FORMAT, "mtfp", &obj, path);
    if (st != AP_OK || (st = ap__jr_check_object(jr, obj, path, keys)) ||
        (st = ap__fr_notes(jr, obj, path)) ||
        (st = ap__fr_model_unit(jr, obj, path, &m->unit)) ||
        (st = ap__jr_string(jr, obj, path, "title", 0, "", &m->title)) ||
        (st = ap__jr_string(jr, obj, path, "reference", 0, "",
                            &m->reference)) ||
        (st = ap__jr_string(jr, obj, path, "source", 0, "", &m->location)) ||
        (st = read_years(jr, m, obj, path)) ||
        (st = ap__fr_money(jr, obj, path, "base_brought_forward", m->unit,
                           AP__FR_REQUIRED | AP__FR_NIL_TO_UNIT, &base)))
        return st;
    m->base = base.amount;
    if ((st = read_proposals(jr, m, obj, path)) ||
        (st = read_stated(jr, m, obj, path)) ||
        (st = ap__fr_split_paper(jr, obj, path, &m->has_split,
                                 &m->authorities, &m->n_authorities,
                                 &m->split, &m->split_paper)))
        return st;
    return AP_OK;
}

AP__JR_ENTRY_POINTS(ap_mtfp, ap_mtfp_parse, ap_mtfp_load,
                    ap_mtfp_free, mtfp_format, read_mtfp, NULL, 0)

void ap_mtfp_free(ap_mtfp *m)
{
    if (m == NULL)
        return;
    free(m->source);
    free(m->title);
    free(m->reference);
    free(m->location);
    for (size_t i = 0; i < m->n_years; i++)
        free(m->years[i]);
    free(m->years);
    for (size_t i = 0; i < m->n_proposals; i++) {
        free(m->proposals[i].reference);
        free(m->proposals[i].name);
        free(m->proposals[i].description);
        free(m->proposals[i].amounts);
    }
    free(m->proposals);
    for (size_t i = 0; i < m->n_stated; i++) {
        free(m->stated[i].label);
        free(m->stated[i].table);
        free(m->stated[i].has_amount);
        free(m->stated[i].amounts);
    }
    free(m->stated);
    ap__fr_split_paper_free(m->authorities, m->n_authorities, &m->split,
                            &m->split_paper);
    free(m);
}
