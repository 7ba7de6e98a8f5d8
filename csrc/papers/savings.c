/* Computing RAG-rated savings: totals by rating, delivery against the
 * target, the undelivered savings as a pressure split between the
 * authorities, and the audit of every figure the paper states (with
 * finance_audit.h, as the other finance models audit theirs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_report.h"
#include "base/base.h"
#include "papers/finance_audit.h"

#define AP__KEY(code, key, title) key,
#define AP__TITLE(code, key, title) title,
AP__NAMES(ap_savings_column, ap_savings_column_name, column_names,
          AP_SAVINGS_COLUMN_COUNT, AP_SAVINGS_COLUMN_MAP, AP__KEY, "unknown")
AP__NAMES(ap_savings_column, ap_savings_column_title, column_titles,
          AP_SAVINGS_COLUMN_COUNT, AP_SAVINGS_COLUMN_MAP, AP__TITLE,
          "Unknown")
#undef AP__KEY
#undef AP__TITLE

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

/* The one unit every figure of the audit fits in: the table's, or
 * wider where a figure is printed more coarsely. */
static ap_unit audit_unit(const ap_savings *sv)
{
    ap_unit u = sv->unit;
    for (size_t i = 0; i < sv->n_proposals; i++) {
        const ap_saving *s = &sv->proposals[i];
        ap__audit_unit_widen(&u, &s->amount);
        ap__audit_unit_widen(&u, &s->total);
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++)
            ap__audit_unit_widen(&u, &s->rated[c]);
    }
    for (size_t k = 0; k < sv->n_totals; k++) {
        const ap_savings_total *t = &sv->totals[k];
        ap__audit_unit_widen(&u, &t->amount);
        ap__audit_unit_widen(&u, &t->total);
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++)
            ap__audit_unit_widen(&u, &t->rated[c]);
    }
    return u;
}

typedef struct audit_ctx {
    const ap_savings *sv;
    ap_audit_report *report;
    ap_unit unit;
    ap__audit_terms terms;
    ap_error *err;
} audit_ctx;

/* Checks stated = the terms (emptying them) as a total check. */
static ap_status check(audit_ctx *x, const ap_amount *stated, size_t row,
                       size_t column, const char *row_label,
                       const char *column_label, const char *check_text,
                       const char *stated_label)
{
    ap__audit_at at = {AP_TABLE_CHECK_TOTAL, row,        column,
                       row_label,            column_label, check_text,
                       stated_label};
    return ap__audit_check(x->report, x->unit, &x->terms, stated, &at,
                           x->err);
}

/* Pushes proposal s's columns in mask, each labelled "<prefix>Title". */
static ap_status push_columns(audit_ctx *x, const ap_saving *s,
                              unsigned mask, const char *prefix)
{
    ap_status st = AP_OK;
    for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT && st == AP_OK; c++)
        if (mask & (1u << c))
            st = ap__audit_push(&x->terms, x->err, &s->rated[c], 1, "%s%s",
                                prefix, column_titles[c]);
    return st;
}

static ap_status audit_proposals(audit_ctx *x)
{
    const ap_savings *sv = x->sv;
    const char *amount_col = sv->year[0] ? sv->year : "Amount";
    char all[120], sums[120], check_all[300], check_sums[300], name[400];
    columns_text((1u << AP_SAVINGS_COLUMN_COUNT) - 1, all, sizeof all);
    columns_text(sv->total_columns, sums, sizeof sums);
    snprintf(check_all, sizeof check_all, "%s = %s", amount_col, all);
    snprintf(check_sums, sizeof check_sums, "%s = %s", sv->total_label, sums);
    ap_status st = AP_OK;
    for (size_t i = 0; i < sv->n_proposals && st == AP_OK; i++) {
        const ap_saving *s = &sv->proposals[i];
        const char *row = proposal_label(s, name, sizeof name);
        if ((st = push_columns(x, s, (1u << AP_SAVINGS_COLUMN_COUNT) - 1,
                               "")) ||
            (st = check(x, &s->amount, i, 0, row, amount_col, check_all,
                        "the amount")))
            break;
        /* The paper's own row total, over the columns it adds. */
        if (s->has_total &&
            !(st = push_columns(x, s, sv->total_columns, "")))
            st = check(x, &s->total, i, 1 + AP_SAVINGS_COLUMN_COUNT, row,
                       sv->total_label, check_sums, sv->total_label);
    }
    return st;
}

/* One printed cell of a total row against the same column of its rows.
 * column -1 is the amount, AP_SAVINGS_COLUMN_COUNT the row-total column. */
static ap_status audit_total_cell(audit_ctx *x, size_t k, int column)
{
    const ap_savings *sv = x->sv;
    const ap_savings_total *t = &sv->totals[k];
    const char *title;
    const ap_amount *stated;
    if (column < 0) {
        title = sv->year[0] ? sv->year : "Amount";
        stated = &t->amount;
    } else if (column == AP_SAVINGS_COLUMN_COUNT) {
        title = sv->total_label;
        stated = &t->total;
    } else {
        title = column_titles[column];
        stated = &t->rated[column];
    }
    ap_status st = AP_OK;
    char name[400], prefix[410];
    for (size_t i = t->from; st == AP_OK && i <= t->to; i++) {
        const ap_saving *s = &sv->proposals[i];
        if (column < 0) {
            st = ap__audit_push(&x->terms, x->err, &s->amount, 1, "%s",
                                s->name);
        } else if (column < AP_SAVINGS_COLUMN_COUNT) {
            st = ap__audit_push(&x->terms, x->err, &s->rated[column], 1, "%s",
                                s->name);
        } else if (s->has_total) {
            /* The column as printed: the row's own total where it has one,
             * so a wrong row total is found once, in its row. */
            st = ap__audit_push(&x->terms, x->err, &s->total, 1, "%s",
                                s->name);
        } else {
            snprintf(prefix, sizeof prefix, "%s: ",
                     proposal_label(s, name, sizeof name));
            st = push_columns(x, s, sv->total_columns, prefix);
        }
    }
    if (st != AP_OK)
        return st;
    char text[200];
    snprintf(text, sizeof text, "%s = the sum of proposals %zu to %zu",
             t->label, t->from + 1, t->to + 1);
    return check(x, stated, sv->n_proposals + k, (size_t)(column + 1),
                 t->label, title, text, t->label);
}

#define NONE ((size_t)-1)

/* Does the rule "stated = the columns in mask" hold on total row t itself
 * (its own printed figures, blanks left out)?  0 when it does not, or
 * when a figure is not wholly legible and so cannot tell. */
static ap_status row_rule_holds(audit_ctx *x, const ap_savings_total *t,
                                const ap_amount *stated, unsigned mask,
                                int *holds)
{
    *holds = 0;
    if (stated->legibility != AP_LEGIBLE)
        return AP_OK;
    ap_status st = AP_OK;
    for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT && st == AP_OK; c++) {
        if (!(mask & (1u << c)) || !t->has_rated[c])
            continue;
        if (t->rated[c].legibility != AP_LEGIBLE) {
            ap__audit_terms_free(&x->terms);
            return AP_OK;
        }
        st = ap__audit_push(&x->terms, x->err, &t->rated[c], 1, "%s",
                            column_titles[c]);
    }
    if (st != AP_OK || x->terms.n == 0) {
        ap__audit_terms_free(&x->terms);
        return st;
    }
    ap_audit_finding f;
    st = ap__audit_amounts_sum(x->unit, &x->terms, stated, NULL, &f, x->err);
    ap__audit_terms_free(&x->terms);
    if (st != AP_OK)
        return st;
    *holds = f.status != AP_AUDIT_ERROR;
    ap_audit_finding_clear(&f);
    return AP_OK;
}

/* Total row k's column totals as a reclassification, as the table audit
 * reads them (ap__report_reclassify): where the row's own figures agree
 * (the amount is its columns, its total the columns it adds) but two
 * column totals are out by amounts that cancel, figures were moved between
 * columns rather than mis-added.  at[c] is the finding of column c's
 * total (AP_SAVINGS_COLUMN_COUNT: the amount; + 1: the row total), NONE
 * where the row prints none. */
static ap_status reclassify_total(audit_ctx *x, size_t k, const size_t *at)
{
    const ap_savings *sv = x->sv;
    const ap_savings_total *t = &sv->totals[k];
    const size_t amount_at = at[AP_SAVINGS_COLUMN_COUNT];
    const size_t total_at = at[AP_SAVINGS_COLUMN_COUNT + 1];
    const unsigned all = (1u << AP_SAVINGS_COLUMN_COUNT) - 1;
    struct {
        size_t target;
        const ap_amount *stated;
        unsigned mask;
        const char *label;
    } rules[2] = {
        {amount_at, &t->amount, all, sv->year[0] ? sv->year : "Amount"},
        {total_at, &t->total, sv->total_columns, sv->total_label},
    };
    int holds;
    ap_status st;
    for (int i = 0; i < 2; i++) {
        if (rules[i].target == NONE)
            continue;
        if ((st = row_rule_holds(x, t, rules[i].stated, rules[i].mask,
                                 &holds)) != AP_OK)
            return st;
        if (!holds)
            return AP_OK;
    }
    for (int i = 0; i < 2; i++) {
        size_t target = rules[i].target;
        if (target == NONE ||
            x->report->findings[target].finding.status == AP_AUDIT_ERROR)
            continue;
        size_t members[AP_SAVINGS_COLUMN_COUNT], allow[AP_SAVINGS_COLUMN_COUNT + 1];
        int signs[AP_SAVINGS_COLUMN_COUNT];
        size_t m = 0, n_allow = 0;
        allow[n_allow++] = target;
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
            if (!(rules[i].mask & (1u << c)) || at[c] == NONE)
                continue;
            allow[n_allow++] = at[c];
            if (x->report->findings[at[c]].finding.status == AP_AUDIT_ERROR) {
                members[m] = at[c];
                signs[m++] = 1;
            }
        }
        char columns[120], rule[300];
        columns_text(rules[i].mask, columns, sizeof columns);
        snprintf(rule, sizeof rule, "%s = %s", rules[i].label, columns);
        if ((st = ap__report_reclassify(x->report, members, signs, m, allow,
                                        n_allow, rule, t->label,
                                        x->err)) != AP_OK)
            return st;
    }
    return AP_OK;
}

static ap_status audit_totals(audit_ctx *x)
{
    const ap_savings *sv = x->sv;
    ap_status st = AP_OK;
    for (size_t k = 0; k < sv->n_totals && st == AP_OK; k++) {
        const ap_savings_total *t = &sv->totals[k];
        /* Where each cell's finding lands: columns, then the amount and
         * the row total. */
        size_t at[AP_SAVINGS_COLUMN_COUNT + 2];
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT + 2; c++)
            at[c] = NONE;
        if (t->has_amount) {
            at[AP_SAVINGS_COLUMN_COUNT] = x->report->n_findings;
            st = audit_total_cell(x, k, -1);
        }
        for (int c = 0; st == AP_OK && c < AP_SAVINGS_COLUMN_COUNT; c++)
            if (t->has_rated[c]) {
                at[c] = x->report->n_findings;
                st = audit_total_cell(x, k, c);
            }
        if (st == AP_OK && t->has_total) {
            at[AP_SAVINGS_COLUMN_COUNT + 1] = x->report->n_findings;
            st = audit_total_cell(x, k, AP_SAVINGS_COLUMN_COUNT);
        }
        if (st == AP_OK)
            st = reclassify_total(x, k, at);
    }
    return st;
}

static ap_status audit_savings(const ap_savings *sv, ap_savings_result *r,
                               ap_error *err)
{
    ap_unit unit = audit_unit(sv);
    r->audit = ap__audit_report_new(sv->title, sv->reference,
                                    sv->location, unit);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    audit_ctx x = {sv, r->audit, unit, {0}, err};
    ap_status st;
    if (!(st = audit_proposals(&x)) && !(st = audit_totals(&x)) &&
        sv->has_split) {
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL,
                           sv->n_proposals + sv->n_totals,
                           sv->n_authorities,
                           NULL,
                           "Total",
                           "the percentages make 100%",
                           "100%"};
        st = ap__audit_split(r->audit, &sv->split, sv->authorities,
                             sv->n_authorities, &sv->split_paper, &at, err);
    }
    ap__audit_terms_free(&x.terms);
    return st;
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
    if (st == AP_OK && sv->has_split) {
        r->n_parties = sv->n_authorities;
        r->pressure_split = calloc(r->n_parties, sizeof *r->pressure_split);
        st = r->pressure_split == NULL
                 ? ap_error_set(err, AP_E_NOMEM, "out of memory")
                 : ap_apportion(r->pressure, sv->split.weights, r->n_parties,
                                (ap_apportion_mode)sv->split.mode,
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
