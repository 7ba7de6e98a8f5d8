/* Computing RAG-rated savings: totals by rating, delivery against the
 * target, the undelivered savings as a pressure split between the
 * authorities, and the audit of every figure the paper states.  Also the
 * pieces of auditing the MTFP shares with it: printed amounts as audit
 * figures, one stated figure checked into a report, and a split's checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "audit_report.h"
#include "internal.h"

/* Shared with mtfp.c, which declares them the same way: csrc/ has no
 * internal header for the two budget models. */
ap_figure ap__budget_figure(ap_amount amount, ap_unit unit);
ap_status ap__budget_check(ap_audit_report *report, const ap_figure *items,
                           const char *const *labels, size_t n,
                           const ap_figure *stated, const char *stated_label,
                           size_t row, size_t column, const char *row_label,
                           const char *column_label, const char *check,
                           ap_error *err);
ap_status ap__budget_split_audit(const ap_authority_split *split,
                                 ap_audit_report *report, size_t row,
                                 ap_error *err);
char *ap__budget_source(const char *reference, const char *location);

static const char *const column_names[] = {
#define AP__NAME(code, key, title) key,
    AP_SAVINGS_COLUMN_MAP(AP__NAME)
#undef AP__NAME
};
static const char *const column_titles[] = {
#define AP__TITLE(code, key, title) title,
    AP_SAVINGS_COLUMN_MAP(AP__TITLE)
#undef AP__TITLE
};

const char *ap_savings_column_name(ap_savings_column column)
{
    return (unsigned)column < AP_SAVINGS_COLUMN_COUNT ? column_names[column]
                                                      : "unknown";
}

const char *ap_savings_column_title(ap_savings_column column)
{
    return (unsigned)column < AP_SAVINGS_COLUMN_COUNT ? column_titles[column]
                                                      : "Unknown";
}

/* ---- shared with the MTFP ------------------------------------------------ */

/* A printed amount as the audit reads figures: its digits in the model's
 * unit, as many decimals as were printed ("(3,540)" in £000 is -3540 at 0
 * decimals; pence given exactly in £000 are at 5). */
ap_figure ap__budget_figure(ap_amount amount, ap_unit unit)
{
    int e = (int)unit, k = 0;
    while (k < e && ap__pow10(k + 1) <= amount.resolution &&
           amount.pence % ap__pow10(k + 1) == 0)
        k++;
    return (ap_figure){.value = amount.pence / ap__pow10(k),
                       .decimals = e - k};
}

/* Checks stated = the sum of the items, as printed, and files the finding
 * in the report. */
ap_status ap__budget_check(ap_audit_report *report, const ap_figure *items,
                           const char *const *labels, size_t n,
                           const ap_figure *stated, const char *stated_label,
                           size_t row, size_t column, const char *row_label,
                           const char *column_label, const char *check,
                           ap_error *err)
{
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_label = stated_label;
    ap_audit_finding f;
    ap_status st = ap_audit_sum(items, NULL, n, stated, &o, &f, err);
    if (st != AP_OK)
        return st;
    return ap__report_add(report, AP_TABLE_CHECK_TOTAL, row, column,
                          row_label, column_label, check, &f, err);
}

/* A check of percentages: as ap__budget_check, with a "%" on figures and
 * the stated figure exact or not. */
static ap_status percent_check(ap_audit_report *report,
                               const ap_figure *items,
                               const char *const *labels, size_t n,
                               const ap_figure *stated, int stated_exact,
                               const char *stated_label, size_t row,
                               size_t column, const char *row_label,
                               const char *column_label, const char *check,
                               ap_error *err)
{
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_label = stated_label;
    o.stated_exact = stated_exact;
    o.suffix = "%";
    ap_audit_finding f;
    ap_status st = ap_audit_sum(items, NULL, n, stated, &o, &f, err);
    if (st != AP_OK)
        return st;
    return ap__report_add(report, AP_TABLE_CHECK_TOTAL, row, column,
                          row_label, column_label, check, &f, err);
}

/* The percentages in texts (one per authority) against exactly 100. */
static ap_status percent_sum(ap_audit_report *report,
                             const ap_authority_split *s,
                             char *const *texts, size_t row,
                             const char *row_label, ap_error *err)
{
    ap_figure *items = calloc(s->n, sizeof *items);
    if (items == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    ap_status st = AP_OK;
    for (size_t i = 0; i < s->n && st == AP_OK; i++)
        st = ap_figure_parse(texts[i], (size_t)-1, &items[i], err);
    ap_figure hundred = {100, 0};
    if (st == AP_OK)
        st = percent_check(report, items, (const char *const *)s->codes,
                           s->n, &hundred, 1, "100%", row, s->n, row_label,
                           "Total", "the percentages make 100%", err);
    free(items);
    return st;
}

/* A percentage split must make exactly 100; the split as the paper
 * printed it must make 100 and agree with the agreed one.  Findings at
 * `row` (the agreed split) and row + 1 (as printed). */
ap_status ap__budget_split_audit(const ap_authority_split *s,
                                 ap_audit_report *report, size_t row,
                                 ap_error *err)
{
    if (!s->present || s->kind != AP_BASIS_PERCENT)
        return AP_OK;
    const char *name = s->name[0] ? s->name : "split";
    ap_status st = percent_sum(report, s, s->value_text, row, name, err);
    if (st != AP_OK || !s->has_stated)
        return st;
    char label[200], stated_label[120], item_label[120], check[200];
    if (s->stated_source[0])
        snprintf(label, sizeof label, "%s as printed (%s)", name,
                 s->stated_source);
    else
        snprintf(label, sizeof label, "%s as printed", name);
    if ((st = percent_sum(report, s, s->stated_text, row + 1, label, err)))
        return st;
    for (size_t a = 0; a < s->n; a++) {
        ap_figure agreed, printed;
        if ((st = ap_figure_parse(s->value_text[a], (size_t)-1, &agreed,
                                  err)) ||
            (st = ap_figure_parse(s->stated_text[a], (size_t)-1, &printed,
                                  err)))
            return st;
        snprintf(item_label, sizeof item_label, "%s in the %s", s->codes[a],
                 name);
        snprintf(stated_label, sizeof stated_label, "%s as printed",
                 s->codes[a]);
        snprintf(check, sizeof check, "%s as printed = %s in the %s",
                 s->codes[a], s->codes[a], name);
        const char *labels[1] = {item_label};
        if ((st = percent_check(report, &agreed, labels, 1, &printed, 0,
                                stated_label, row + 1, a, label, s->codes[a],
                                check, err)))
            return st;
    }
    return AP_OK;
}

/* "reference, location", either part optional; the caller frees it. */
char *ap__budget_source(const char *reference, const char *location)
{
    size_t n = strlen(reference) + strlen(location) + 3;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s%s%s", reference,
                 reference[0] && location[0] ? ", " : "", location);
    return out;
}

ap_status ap_authority_split_apportion(const ap_authority_split *split,
                                       int64_t total, int64_t *shares,
                                       ap_error *err)
{
    if (split == NULL || !split->present)
        return ap_error_set(err, AP_E_INPUT, "no split to apportion by");
    return ap_apportion(total, split->weights, split->n,
                        (ap_apportion_mode)split->mode, shares, err);
}

/* ---- the items of one check ---------------------------------------------- */

typedef struct item_list {
    ap_figure *figures;
    const char **labels;
    char **owned; /* labels made for this check */
    size_t n;
} item_list;

static ap_status items_init(item_list *l, size_t cap, ap_error *err)
{
    l->n = 0;
    l->figures = calloc(cap ? cap : 1, sizeof *l->figures);
    l->labels = calloc(cap ? cap : 1, sizeof *l->labels);
    l->owned = calloc(cap ? cap : 1, sizeof *l->owned);
    if (!l->figures || !l->labels || !l->owned)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    return AP_OK;
}

static void items_free(item_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->owned[i]);
    free(l->figures);
    free(l->labels);
    free(l->owned);
}

/* Appends a figure labelled by `label`, or by "label: suffix". */
static ap_status items_push(item_list *l, ap_figure f, const char *label,
                            const char *suffix, ap_error *err)
{
    l->figures[l->n] = f;
    l->owned[l->n] = NULL;
    if (suffix != NULL) {
        size_t len = strlen(label) + strlen(suffix) + 3;
        if ((l->owned[l->n] = malloc(len)) == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        snprintf(l->owned[l->n], len, "%s: %s", label, suffix);
        label = l->owned[l->n];
    }
    l->labels[l->n++] = label;
    return AP_OK;
}

/* ---- the audit of the savings table -------------------------------------- */

/* A proposal's label in findings: its reference and name, or its name. */
static const char *proposal_label(const ap_saving *s, char *buf, size_t size)
{
    if (s->reference[0] == '\0')
        return s->name;
    snprintf(buf, size, "%s %s", s->reference, s->name);
    return buf;
}

/* "Red + Amber + Green + Mitigations" for the columns in mask. */
static void columns_text(unsigned mask, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
        if (!(mask & (1u << c)))
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", used ? " + " : "",
                         column_titles[c]);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
}

static ap_status audit_proposals(const ap_savings *sv, ap_audit_report *rep,
                                 ap_error *err)
{
    const char *amount_col = sv->year[0] ? sv->year : "Amount";
    char all[120], sums[120], check[300], name[400];
    columns_text((1u << AP_SAVINGS_COLUMN_COUNT) - 1, all, sizeof all);
    columns_text(sv->total_columns, sums, sizeof sums);
    for (size_t i = 0; i < sv->n_proposals; i++) {
        const ap_saving *s = &sv->proposals[i];
        const char *row = proposal_label(s, name, sizeof name);
        ap_figure items[AP_SAVINGS_COLUMN_COUNT];
        const char *labels[AP_SAVINGS_COLUMN_COUNT];
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
            items[c] = ap__budget_figure(s->rated[c], sv->unit);
            labels[c] = column_titles[c];
        }
        ap_figure stated = ap__budget_figure(s->amount, sv->unit);
        snprintf(check, sizeof check, "%s = %s", amount_col, all);
        ap_status st = ap__budget_check(rep, items, labels,
                                        AP_SAVINGS_COLUMN_COUNT, &stated,
                                        "the amount", i, 0, row, amount_col,
                                        check, err);
        if (st != AP_OK)
            return st;
        if (!s->has_total)
            continue;
        /* The paper's own row total, over the columns it adds. */
        size_t k = 0;
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++)
            if (sv->total_columns & (1u << c)) {
                items[k] = items[c];
                labels[k++] = column_titles[c];
            }
        stated = ap__budget_figure(s->total, sv->unit);
        snprintf(check, sizeof check, "%s = %s", sv->total_label, sums);
        if ((st = ap__budget_check(rep, items, labels, k, &stated,
                                   sv->total_label, i,
                                   1 + AP_SAVINGS_COLUMN_COUNT, row,
                                   sv->total_label, check, err)))
            return st;
    }
    return AP_OK;
}

/* One printed cell of a total row against the same column of its rows.
 * column -1 is the amount, AP_SAVINGS_COLUMN_COUNT the row-total column. */
static ap_status audit_total_cell(const ap_savings *sv, size_t k, int column,
                                  ap_audit_report *rep, ap_error *err)
{
    const ap_savings_total *t = &sv->totals[k];
    size_t rows = t->to - t->from + 1;
    const char *title;
    ap_amount stated;
    if (column < 0) {
        title = sv->year[0] ? sv->year : "Amount";
        stated = t->amount;
    } else if (column == AP_SAVINGS_COLUMN_COUNT) {
        title = sv->total_label;
        stated = t->total;
    } else {
        title = column_titles[column];
        stated = t->rated[column];
    }
    item_list l;
    ap_status st = items_init(&l, rows * AP_SAVINGS_COLUMN_COUNT, err);
    char name[400];
    for (size_t i = t->from; st == AP_OK && i <= t->to; i++) {
        const ap_saving *s = &sv->proposals[i];
        const char *label = proposal_label(s, name, sizeof name);
        if (column < 0) {
            st = items_push(&l, ap__budget_figure(s->amount, sv->unit),
                            s->name, NULL, err);
        } else if (column < AP_SAVINGS_COLUMN_COUNT) {
            st = items_push(&l, ap__budget_figure(s->rated[column], sv->unit),
                            s->name, NULL, err);
        } else if (s->has_total) {
            /* The column as printed: the row's own total where it has one,
             * so a wrong row total is found once, in its row. */
            st = items_push(&l, ap__budget_figure(s->total, sv->unit),
                            s->name, NULL, err);
        } else {
            for (int c = 0; st == AP_OK && c < AP_SAVINGS_COLUMN_COUNT; c++)
                if (sv->total_columns & (1u << c))
                    st = items_push(&l,
                                    ap__budget_figure(s->rated[c], sv->unit),
                                    label, column_titles[c], err);
        }
    }
    if (st == AP_OK) {
        char check[200];
        snprintf(check, sizeof check, "%s = the sum of proposals %zu to %zu",
                 t->label, t->from + 1, t->to + 1);
        ap_figure f = ap__budget_figure(stated, sv->unit);
        st = ap__budget_check(rep, l.figures, l.labels, l.n, &f, t->label,
                              sv->n_proposals + k, (size_t)(column + 1),
                              t->label, title, check, err);
    }
    items_free(&l);
    return st;
}

static ap_status audit_totals(const ap_savings *sv, ap_audit_report *rep,
                              ap_error *err)
{
    for (size_t k = 0; k < sv->n_totals; k++) {
        const ap_savings_total *t = &sv->totals[k];
        ap_status st = AP_OK;
        if (t->has_amount)
            st = audit_total_cell(sv, k, -1, rep, err);
        for (int c = 0; st == AP_OK && c < AP_SAVINGS_COLUMN_COUNT; c++)
            if (t->has_rated[c])
                st = audit_total_cell(sv, k, c, rep, err);
        if (st == AP_OK && t->has_total)
            st = audit_total_cell(sv, k, AP_SAVINGS_COLUMN_COUNT, rep, err);
        if (st != AP_OK)
            return st;
    }
    return AP_OK;
}

static ap_status audit_savings(const ap_savings *sv, ap_savings_result *r,
                               ap_error *err)
{
    char *source = ap__budget_source(sv->reference, sv->location);
    if (source == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    r->audit = ap__report_new(sv->title, source, ap_unit_name(sv->unit));
    free(source);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    ap_status st;
    if ((st = audit_proposals(sv, r->audit, err)) ||
        (st = audit_totals(sv, r->audit, err)) ||
        (st = ap__budget_split_audit(&sv->split, r->audit,
                                     sv->n_proposals + sv->n_totals, err)))
        return st;
    return AP_OK;
}

/* ---- compute ------------------------------------------------------------ */

void ap_savings_result_free(ap_savings_result *r)
{
    if (r == NULL)
        return;
    free(r->row_rated);
    free(r->pressure_split);
    ap_audit_report_free(r->audit);
    free(r);
}

static ap_status add(int64_t *acc, int64_t v, const char *what,
                     ap_error *err)
{
    if (ap_money_add(*acc, v, acc, err) != AP_OK)
        return ap_error_set(err, AP_E_OVERFLOW, "the %s overflows int64 "
                            "pence", what);
    return AP_OK;
}

static ap_status totals(const ap_savings *sv, ap_savings_result *r,
                        ap_error *err)
{
    ap_status st;
    for (size_t i = 0; i < sv->n_proposals; i++) {
        const ap_saving *s = &sv->proposals[i];
        if ((st = add(&r->target, s->amount.pence, "target", err)))
            return st;
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
            if ((st = add(&r->by_column[c], s->rated[c].pence,
                          column_names[c], err)) ||
                (st = add(&r->row_rated[i], s->rated[c].pence, s->name,
                          err)))
                return st;
        }
        if ((st = add(&r->rated, r->row_rated[i], "total rated", err)))
            return st;
    }
    const int64_t *by = r->by_column;
    if ((st = add(&r->secured, by[AP_SAVINGS_GREEN], "secured", err)) ||
        (st = add(&r->secured, by[AP_SAVINGS_MITIGATIONS], "secured", err)) ||
        (st = add(&r->forecast, r->secured, "forecast", err)) ||
        (st = add(&r->forecast, by[AP_SAVINGS_AMBER], "forecast", err)) ||
        (st = add(&r->pressure, by[AP_SAVINGS_RED], "pressure", err)))
        return st;
    if (sv->amber_at_risk &&
        (st = add(&r->pressure, by[AP_SAVINGS_AMBER], "pressure", err)))
        return st;
    if (r->target != 0) {
        r->has_percentages = 1;
        if ((st = ap_money_mul_ratio(r->secured, 10000, r->target,
                                     AP_ROUND_HALF_UP,
                                     &r->secured_basis_points, err)) ||
            (st = ap_money_mul_ratio(r->forecast, 10000, r->target,
                                     AP_ROUND_HALF_UP,
                                     &r->forecast_basis_points, err)))
            return st;
    }
    return AP_OK;
}

ap_status ap_savings_compute(const ap_savings *sv, ap_savings_result **out,
                             ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    ap_savings_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    r->n_proposals = sv->n_proposals;
    r->row_rated = calloc(sv->n_proposals ? sv->n_proposals : 1,
                          sizeof *r->row_rated);
    ap_status st = r->row_rated == NULL
                       ? ap_error_set(err, AP_E_NOMEM, "out of memory")
                       : totals(sv, r, err);
    if (st == AP_OK && sv->split.present) {
        r->n_parties = sv->split.n;
        r->pressure_split = calloc(sv->split.n, sizeof *r->pressure_split);
        st = r->pressure_split == NULL
                 ? ap_error_set(err, AP_E_NOMEM, "out of memory")
                 : ap_authority_split_apportion(&sv->split, r->pressure,
                                                r->pressure_split, err);
    }
    if (st == AP_OK)
        st = audit_savings(sv, r, err);
    if (st != AP_OK) {
        ap_savings_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
