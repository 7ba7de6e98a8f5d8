/* Auditing printed amounts of mixed units with ap_audit_sum. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_report.h"
#include "finance_audit.h"
#include "internal.h"

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

ap_status ap__audit_amounts(ap_audit_report *report, ap_unit unit,
                            const ap__audit_term *terms, size_t n,
                            const ap_amount *stated, const ap__audit_at *at,
                            ap_error *err)
{
    ap_figure *items = calloc(n ? n : 1, sizeof *items);
    int *signs = calloc(n ? n : 1, sizeof *signs);
    const char **labels = calloc(n ? n : 1, sizeof *labels);
    if (items == NULL || signs == NULL || labels == NULL) {
        free(items);
        free(signs);
        free(labels);
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }
    /* Nils print no digits of their own: give them the finest precision
     * of the other figures, so they add no rounding allowance of note. */
    int finest = 0, coarse = 0;
    ap_figure stated_fig;
    int stated_dec = amount_figure(stated, unit, &stated_fig);
    if (stated_dec > finest)
        finest = stated_dec;
    coarse |= stated_dec == -2;
    for (size_t i = 0; i < n; i++) {
        int d = amount_figure(terms[i].amount, unit, &items[i]);
        if (d > finest)
            finest = d;
        coarse |= d == -2;
        signs[i] = terms[i].sign < 0 ? -1 : 1;
        labels[i] = terms[i].label;
    }
    if (coarse) {
        free(items);
        free(signs);
        free(labels);
        return ap_error_set(err, AP_E_INPUT,
                            "%s: a figure is printed more coarsely than the "
                            "audit's unit %s (widen the unit first)",
                            at->check, ap_unit_name(unit));
    }
    for (size_t i = 0; i < n; i++)
        if (terms[i].amount->resolution <= 0)
            items[i].decimals = finest;
    if (stated_dec < 0)
        stated_fig.decimals = finest;

    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_label = at->stated_label;
    ap_audit_finding finding;
    ap_status st = ap_audit_sum(items, signs, n, &stated_fig, &o, &finding,
                                err);
    free(items);
    free(signs);
    free(labels);
    if (st != AP_OK)
        return st;
    return ap__report_add(report, at->kind, at->row, at->column,
                          at->row_label, at->column_label, at->check,
                          &finding, err);
}

ap_status ap__audit_split(ap_audit_report *report, const ap_basis *split,
                          const ap_authority *authorities, size_t n,
                          size_t row, ap_error *err)
{
    if (split->kind != AP_BASIS_PERCENT || n == 0)
        return AP_OK;
    ap_figure *items = calloc(n, sizeof *items);
    const char **labels = calloc(n, sizeof *labels);
    if (items == NULL || labels == NULL) {
        free(items);
        free(labels);
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }
    ap_status st = AP_OK;
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        st = ap_figure_parse(split->value_text[i], (size_t)-1, &items[i],
                             err);
        labels[i] = authorities[i].code;
    }
    ap_audit_finding finding;
    if (st == AP_OK) {
        ap_figure hundred = {100, 0};
        ap_audit_options o = ap_audit_defaults();
        o.labels = labels;
        o.stated_exact = 1;
        o.stated_label = "100%";
        o.suffix = "%";
        st = ap_audit_sum(items, NULL, n, &hundred, &o, &finding, err);
    }
    free(items);
    free(labels);
    if (st != AP_OK)
        return st;
    const char *name = split->name && split->name[0] ? split->name : "split";
    return ap__report_add(report, AP_TABLE_CHECK_TOTAL, row, 0, name,
                          "percent", "The split's percentages sum to 100",
                          &finding, err);
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
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char *label = ap__strdup(text);
    if (label == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    ts->labels[ts->n] = label;
    ts->t[ts->n].amount = amount;
    ts->t[ts->n].sign = sign;
    ts->t[ts->n].label = label;
    ts->n++;
    return AP_OK;
}
