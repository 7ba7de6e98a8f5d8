/* Auditing printed amounts of mixed units, and agreed splits, with
 * ap_audit_sum. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_cut_off.h"
#include "audit/audit_report.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_audit.h"

static const ap_unit unit_ladder[] = {AP_UNIT_PENCE, AP_UNIT_POUNDS,
                                      AP_UNIT_THOUSANDS, AP_UNIT_MILLIONS,
                                      AP_UNIT_BILLIONS};

/* log10 of a power-of-ten resolution (ap_money_parse gives only those). */
static int resolution_digits(int64_t resolution)
{
    int k = 0;
    while (resolution >= 10) {
        resolution /= 10;
        k++;
    }
    return k;
}

void ap__audit_unit_widen(ap_unit *unit, const ap_amount *a)
{
    if (a->resolution <= 0)
        return;
    int need = resolution_digits(a->resolution);
    for (size_t i = 0; i < sizeof unit_ladder / sizeof *unit_ladder; i++)
        if ((int)unit_ladder[i] >= need && (int)unit_ladder[i] >= (int)*unit) {
            *unit = unit_ladder[i];
            return;
        }
    *unit = AP_UNIT_BILLIONS; /* nothing coarser: keep the widest */
}

ap_audit_report *ap__audit_report_new(const char *title,
                                      const char *reference,
                                      const char *location, ap_unit unit)
{
    size_t n = strlen(reference) + strlen(location) + 3;
    char *source = malloc(n);
    if (source == NULL)
        return NULL;
    snprintf(source, n, "%s%s%s", reference,
             reference[0] && location[0] ? ", " : "", location);
    ap_audit_report *report = ap__report_new(title, source,
                                             ap_unit_name(unit));
    free(source);
    return report;
}

/* The amount as a figure in `unit`: its digits and how many of them
 * follow the point there.  Returns the decimals, -1 for an exact nil
 * (whose decimals the caller chooses), or -2 when the figure is printed
 * more coarsely than `unit` can hold (the caller did not widen it). */
static int amount_figure(const ap_amount *a, ap_unit unit, ap_figure *out)
{
    out->value = 0;
    out->decimals = 0;
    if (a->resolution <= 0)
        return -1;
    int decimals = (int)unit - resolution_digits(a->resolution);
    if (decimals < 0)
        return -2;
    out->decimals = decimals;
    out->value = a->pence / a->resolution;
    return decimals;
}

/* ap_audit_sum of the figures against stated, filed in the report at
 * `at`.  suffix "%" for percentages; stated_exact when the stated figure
 * is not a rounded print. */
static ap_status sum_into_report(ap_audit_report *report,
                                 const ap_figure *items, const int *signs,
                                 const char *const *labels, size_t n,
                                 const ap_figure *stated, int stated_exact,
                                 const char *suffix, const ap__audit_at *at,
                                 ap_error *err)
{
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_label = at->stated_label;
    o.stated_exact = stated_exact;
    o.suffix = suffix;
    ap_audit_finding finding;
    ap_status st = ap_audit_sum(items, signs, n, stated, &o, &finding, err);
    if (st != AP_OK)
        return st;
    /* A percentage's finding says so in its unit. */
    ap__report_where where = {.kind = at->kind,
                              .row = at->row,
                              .column = at->column,
                              .row_label = at->row_label,
                              .column_label = at->column_label,
                              .check = at->check,
                              .unit = suffix};
    return ap__report_add(report, &where, &finding, err);
}

/* The terms' amounts and the stated one as figures in `unit`, each with
 * its own precision (a nil gets the finest of the others'), into the
 * caller's arrays of ts->n; AP_E_INPUT when one is printed more coarsely
 * than the unit. */
static ap_status amounts_figures(ap_unit unit, const ap__audit_terms *ts,
                                 const ap_amount *stated, ap_figure *items,
                                 int *signs, const char **labels,
                                 ap_figure *stated_fig, const char *what,
                                 ap_error *err)
{
    size_t n = ts->n;
    /* Nils print no digits of their own: give them the finest precision
     * of the other figures, so they add no rounding allowance of note. */
    int finest = 0, coarse = 0;
    int stated_dec = amount_figure(stated, unit, stated_fig);
    if (stated_dec > finest)
        finest = stated_dec;
    coarse |= stated_dec == -2;
    for (size_t i = 0; i < n; i++) {
        int d = amount_figure(ts->t[i].amount, unit, &items[i]);
        if (d > finest)
            finest = d;
        coarse |= d == -2;
        signs[i] = ts->t[i].sign < 0 ? -1 : 1;
        labels[i] = ts->t[i].label;
    }
    if (coarse)
        return ap_error_set(err, AP_E_INPUT,
                            "%s: a figure is printed more coarsely than the "
                            "audit's unit %s (widen the unit first)",
                            what, ap_unit_name(unit));
    for (size_t i = 0; i < n; i++)
        if (ts->t[i].amount->resolution <= 0)
            items[i].decimals = finest;
    if (stated_dec < 0)
        stated_fig->decimals = finest;
    return AP_OK;
}

/* Runs fn over the terms as figures (amounts_figures), with arrays it
 * allocates and frees. */
typedef ap_status (*figures_fn)(const ap_figure *items, const int *signs,
                                const char *const *labels, size_t n,
                                const ap_figure *stated, void *ctx,
                                ap_error *err);

static ap_status with_figures(ap_unit unit, const ap__audit_terms *ts,
                              const ap_amount *stated, const char *what,
                              figures_fn fn, void *ctx, ap_error *err)
{
    size_t n = ts->n;
    ap_figure *items = calloc(n ? n : 1, sizeof *items);
    int *signs = calloc(n ? n : 1, sizeof *signs);
    const char **labels = calloc(n ? n : 1, sizeof *labels);
    ap_status st = AP_OK;
    ap_figure stated_fig;
    if (items == NULL || signs == NULL || labels == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    if (st == AP_OK)
        st = amounts_figures(unit, ts, stated, items, signs, labels,
                             &stated_fig, what, err);
    if (st == AP_OK)
        st = fn(items, signs, labels, n, &stated_fig, ctx, err);
    free(items);
    free(signs);
    free(labels);
    return st;
}

typedef struct into_report {
    ap_audit_report *report;
    const ap__audit_at *at;
} into_report;

static ap_status file_sum(const ap_figure *items, const int *signs,
                          const char *const *labels, size_t n,
                          const ap_figure *stated, void *ctx, ap_error *err)
{
    into_report *r = ctx;
    return sum_into_report(r->report, items, signs, labels, n, stated, 0,
                           NULL, r->at, err);
}

static ap_status amounts_check(ap_audit_report *report, ap_unit unit,
                               const ap__audit_terms *ts,
                               const ap_amount *stated,
                               const ap__audit_at *at, ap_error *err)
{
    into_report r = {report, at};
    return with_figures(unit, ts, stated, at->check, file_sum, &r, err);
}

typedef struct into_finding {
    const char *stated_label;
    ap_audit_finding *out;
} into_finding;

static ap_status sum_finding(const ap_figure *items, const int *signs,
                             const char *const *labels, size_t n,
                             const ap_figure *stated, void *ctx,
                             ap_error *err)
{
    into_finding *r = ctx;
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_label = r->stated_label;
    return ap_audit_sum(items, signs, n, stated, &o, r->out, err);
}

ap_status ap__audit_amounts_sum(ap_unit unit, const ap__audit_terms *ts,
                                const ap_amount *stated,
                                const char *stated_label,
                                ap_audit_finding *out, ap_error *err)
{
    memset(out, 0, sizeof *out);
    into_finding r = {stated_label, out};
    const char *what = stated_label ? stated_label : "the stated total";
    return with_figures(unit, ts, stated, what, sum_finding, &r, err);
}

/* ---- stated figures only partly legible ---------------------------------- */

/* A check one of whose figures is cut off or not legible (plan.h,
 * ap_amount): with one cut off and the rest whole, checked for
 * consistency in pence (audit_cut_off.h), within the rounding of the whole
 * figures; otherwise a finding that it cannot be made, and why.  The
 * finding's figures are pence: at `unit`'s own count of decimals, which is
 * what a penny is in the report's unit. */
static ap_status partly_legible_check(ap_audit_report *report, ap_unit unit,
                                      const ap__audit_terms *ts,
                                      const ap_amount *stated,
                                      const ap__audit_at *at, ap_error *err)
{
    size_t n_cut = stated->legibility == AP_CUT_OFF, cut = (size_t)-1;
    int unread = stated->legibility == AP_NOT_LEGIBLE;
    const char *unread_label = unread ? "the stated figure" : NULL;
    for (size_t i = 0; i < ts->n; i++) {
        const ap_amount *a = ts->t[i].amount;
        if (a->legibility == AP_CUT_OFF) {
            n_cut++;
            cut = i;
        } else if (a->legibility == AP_NOT_LEGIBLE && !unread) {
            unread = 1;
            unread_label = ts->t[i].label;
        }
    }
    ap__report_where where = {.kind = at->kind,
                              .row = at->row,
                              .column = at->column,
                              .row_label = at->row_label,
                              .column_label = at->column_label,
                              .check = at->check};
    ap_audit_finding f;
    ap_status st;
    if (unread || n_cut > 1) {
        struct ap_text why = {0};
        if (unread)
            ap__text_append(&why, "%s is not legible", unread_label);
        else
            ap__text_append(&why, "more than one of its figures is cut off");
        char *text = ap__text_take(&why);
        if (text == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        st = ap__unchecked_finding(at->check, text, &f, err);
        free(text);
        if (st != AP_OK)
            return st;
        f.scale = (int)unit;
        return ap__report_add(report, &where, &f, err);
    }
    /* One cut off: the others' signed sum and their rounding, in pence. */
    int stated_cut = stated->legibility == AP_CUT_OFF;
    ap__i128 sum = 0, res = 0;
    for (size_t i = 0; i < ts->n; i++) {
        if (!stated_cut && i == cut)
            continue;
        sum += (ap__i128)(ts->t[i].sign < 0 ? -1 : 1) *
               ts->t[i].amount->pence;
        res += ts->t[i].amount->resolution;
    }
    if (!stated_cut)
        res += stated->resolution;
    const ap_amount *c = stated_cut ? stated : ts->t[cut].amount;
    ap_printed_figure pf = c->cut;
    pf.text = (char *)c->as_printed;
    if (!stated_cut && ts->t[cut].sign < 0)
        pf.negative = !pf.negative;
    int64_t lo, hi;
    if (!ap__fits_i64(sum) || !ap__fits_i64(res) ||
        !ap__cut_off_range(&pf, stated_cut ? 0 : (int64_t)sum, 0, &lo, &hi))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%s: its figures are too large for money in "
                            "pence",
                            at->check);
    static const ap__figure_style pounds = {"\xc2\xa3", "", 2};
    if (stated_cut) {
        st = ap__cut_off_finding(&pf, 0, 0, (int64_t)sum,
                                 (int64_t)(res / 2), &pounds,
                                 "the stated figure", "the computed",
                                 at->check, &f, err);
    } else {
        st = ap__cut_off_finding(&pf, (int64_t)sum, 1, stated->pence,
                                 (int64_t)(res / 2), &pounds,
                                 ts->t[cut].label, "the stated figure",
                                 at->check, &f, err);
        int64_t nearest = f.stated;
        f.stated = f.computed;
        f.computed = nearest;
        f.difference = -f.difference;
    }
    if (st != AP_OK)
        return st;
    f.scale = (int)unit; /* pence, in the report's unit */
    return ap__report_add(report, &where, &f, err);
}

ap_status ap__audit_check(ap_audit_report *report, ap_unit unit,
                          ap__audit_terms *ts, const ap_amount *stated,
                          const ap__audit_at *at, ap_error *err)
{
    int whole = stated->legibility == AP_LEGIBLE;
    for (size_t i = 0; i < ts->n; i++)
        whole &= ts->t[i].amount->legibility == AP_LEGIBLE;
    ap_status st = whole ? amounts_check(report, unit, ts, stated, at, err)
                         : partly_legible_check(report, unit, ts, stated, at,
                                                err);
    ap__audit_terms_free(ts);
    return st;
}

/* texts[i] (percentages as written, one per authority) against exactly
 * 100, at `at`. */
static ap_status percent_sum(ap_audit_report *report, char *const *texts,
                             const ap_authority *authorities, size_t n,
                             const ap__audit_at *at, ap_error *err)
{
    ap_figure *items = calloc(n, sizeof *items);
    const char **labels = calloc(n, sizeof *labels);
    ap_status st = AP_OK;
    if (items == NULL || labels == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        st = ap_figure_parse(texts[i], (size_t)-1, &items[i], err);
        labels[i] = authorities[i].code;
    }
    ap_figure hundred = {100, 0};
    if (st == AP_OK)
        st = sum_into_report(report, items, NULL, labels, n, &hundred, 1, "%",
                             at, err);
    free(items);
    free(labels);
    return st;
}

/* The split as printed (row at->row + 1): against 100, and each printed
 * percentage against the agreed one. */
static ap_status audit_split_printed(ap_audit_report *report,
                                     const ap_basis *split,
                                     const ap_authority *authorities,
                                     size_t n, const ap_split_paper *paper,
                                     const ap__audit_at *at, ap_error *err)
{
    const char *name = at->row_label;
    char label[200], stated_label[120], item_label[120], check[200];
    if (paper->stated_source[0])
        snprintf(label, sizeof label, "%s as printed (%s)", name,
                 paper->stated_source);
    else
        snprintf(label, sizeof label, "%s as printed", name);
    ap__audit_at printed = *at;
    printed.row = at->row + 1;
    printed.row_label = label;
    ap_status st = percent_sum(report, paper->stated_text, authorities, n,
                               &printed, err);
    for (size_t a = 0; a < n && st == AP_OK; a++) {
        const char *code = authorities[a].code;
        ap_figure agreed, print;
        if ((st = ap_figure_parse(split->value_text[a], (size_t)-1, &agreed,
                                  err)) ||
            (st = ap_figure_parse(paper->stated_text[a], (size_t)-1, &print,
                                  err)))
            break;
        snprintf(item_label, sizeof item_label, "%s in the %s", code, name);
        snprintf(stated_label, sizeof stated_label, "%s as printed", code);
        snprintf(check, sizeof check, "%s as printed = %s in the %s", code,
                 code, name);
        const char *labels[1] = {item_label};
        ap__audit_at one = {at->kind, at->row + 1, a,          label,
                            code,     check,       stated_label};
        st = sum_into_report(report, &agreed, NULL, labels, 1, &print, 0, "%",
                             &one, err);
    }
    return st;
}

ap_status ap__audit_split(ap_audit_report *report, const ap_basis *split,
                          const ap_authority *authorities, size_t n,
                          const ap_split_paper *paper, const ap__audit_at *at,
                          ap_error *err)
{
    if (split->kind != AP_BASIS_PERCENT || n == 0)
        return AP_OK;
    ap__audit_at sum = *at;
    if (sum.row_label == NULL)
        sum.row_label = split->name && split->name[0] ? split->name : "split";
    ap_status st = percent_sum(report, split->value_text, authorities, n,
                               &sum, err);
    if (st != AP_OK || paper == NULL || paper->stated_text == NULL)
        return st;
    return audit_split_printed(report, split, authorities, n, paper, &sum,
                               err);
}

void ap__audit_terms_free(ap__audit_terms *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        free(ts->labels[i]);
    free(ts->labels);
    free(ts->t);
    memset(ts, 0, sizeof *ts);
}

ap_status ap__audit_push(ap__audit_terms *ts, ap_error *err,
                         const ap_amount *amount, int sign, const char *fmt,
                         ...)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 8;
        ap__audit_term *t = realloc(ts->t, cap * sizeof *t);
        if (t != NULL)
            ts->t = t;
        char **labels = realloc(ts->labels, cap * sizeof *labels);
        if (labels != NULL)
            ts->labels = labels;
        if (t == NULL || labels == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        ts->cap = cap;
    }
    /* The label at its full length: names are the paper's, never cut. */
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *label = len < 0 ? NULL : malloc((size_t)len + 1);
    if (label == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(label, (size_t)len + 1, fmt, ap);
    va_end(ap);
    ts->labels[ts->n] = label;
    ts->t[ts->n].amount = amount;
    ts->t[ts->n].sign = sign;
    ts->t[ts->n].label = label;
    ts->n++;
    return AP_OK;
}
