/* Rolling an MTFP forward: each year's totals by category, growth,
 * savings and net budget requirement, which is the next year's base; each
 * requirement split between authorities; and the audit of every figure
 * the paper states against the proposals' own printed figures (with
 * finance_audit.h, as the other finance models audit theirs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_audit.h"
#include "base/base.h"

void ap_mtfp_result_free(ap_mtfp_result *r)
{
    if (r == NULL)
        return;
    free(r->base);
    free(r->by_category);
    free(r->growth);
    free(r->savings);
    free(r->requirement);
    free(r->proposal_totals);
    free(r->split);
    ap_audit_report_free(r->audit);
    free(r);
}

/* ---- the roll-forward ---------------------------------------------------- */

static ap_status add(int64_t *acc, int64_t v, const char *what,
                     const char *year, ap_error *err)
{
    if (ap_money_add(*acc, v, acc, err) != AP_OK)
        return ap_error_set(err, AP_E_OVERFLOW, "the %s for %s overflows "
                            "int64 pence", what, year);
    return AP_OK;
}

static ap_status roll_forward(const ap_mtfp *m, ap_mtfp_result *r,
                              ap_error *err)
{
    const size_t nc = AP_MTFP_CATEGORY_COUNT;
    ap_status st;
    r->base[0] = m->base.pence;
    for (size_t y = 0; y < m->n_years; y++) {
        const char *year = m->years[y];
        int64_t *cats = r->by_category + y * nc;
        for (size_t i = 0; i < m->n_proposals; i++) {
            const ap_mtfp_proposal *p = &m->proposals[i];
            int64_t v = p->amounts[y].pence;
            if ((st = add(&cats[p->category], v,
                          ap_mtfp_category_name(p->category), year, err)) ||
                (st = add(&r->proposal_totals[i], v, p->name, "all years",
                          err)) ||
                (st = add(&r->category_totals[p->category], v,
                          ap_mtfp_category_name(p->category), "all years",
                          err)))
                return st;
        }
        for (size_t c = 0; c < nc; c++) {
            int saving = ap_mtfp_category_is_saving((ap_mtfp_category)c);
            if ((st = add(saving ? &r->savings[y] : &r->growth[y], cats[c],
                          saving ? "savings" : "growth", year, err)))
                return st;
        }
        r->requirement[y] = r->base[y];
        if ((st = add(&r->requirement[y], r->growth[y],
                      "net budget requirement", year, err)) ||
            (st = add(&r->requirement[y], r->savings[y],
                      "net budget requirement", year, err)) ||
            (st = add(&r->growth_total, r->growth[y], "growth", "all years",
                      err)) ||
            (st = add(&r->savings_total, r->savings[y], "savings",
                      "all years", err)))
            return st;
        if (y + 1 < m->n_years)
            r->base[y + 1] = r->requirement[y];
    }
    if (!m->has_split)
        return AP_OK;
    size_t na = m->n_authorities;
    r->n_parties = na;
    r->split = calloc(m->n_years * na, sizeof *r->split);
    if (r->split == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t y = 0; y < m->n_years; y++)
        if ((st = ap_apportion(r->requirement[y], m->split.weights, na,
                               (ap_apportion_mode)m->split.mode,
                               r->split + y * na, err)))
            return st;
    return AP_OK;
}

/* ---- the audit ------------------------------------------------------------ */

typedef struct audit_ctx {
    const ap_mtfp *m;
    ap_audit_report *report;
    ap_unit unit;
    ap__audit_terms terms;
    ap_error *err;
} audit_ctx;

/* The one unit every figure of the audit fits in: the plan's, or wider
 * where a figure is printed more coarsely. */
static ap_unit audit_unit(const ap_mtfp *m)
{
    ap_unit u = m->unit;
    ap__audit_unit_widen(&u, &m->base);
    for (size_t i = 0; i < m->n_proposals; i++) {
        ap__audit_unit_widen(&u, &m->proposals[i].total);
        for (size_t y = 0; y < m->n_years; y++)
            ap__audit_unit_widen(&u, &m->proposals[i].amounts[y]);
    }
    for (size_t k = 0; k < m->n_stated; k++) {
        ap__audit_unit_widen(&u, &m->stated[k].total);
        for (size_t y = 0; y < m->n_years; y++)
            ap__audit_unit_widen(&u, &m->stated[k].amounts[y]);
    }
    return u;
}

/* Appends a figure labelled by `label`, or by "label suffix". */
static ap_status push(audit_ctx *x, const ap_amount *amount,
                      const char *label, const char *suffix)
{
    return ap__audit_push(&x->terms, x->err, amount, 1, "%s%s%s", label,
                          suffix ? " " : "", suffix ? suffix : "");
}

static const char *proposal_label(const ap_mtfp_proposal *p)
{
    return p->reference[0] ? p->reference : p->name;
}

/* Does a stated row of kind `of` add up this proposal? */
static int row_takes(int of, const ap_mtfp_proposal *p)
{
    if (of < (int)AP_MTFP_CATEGORY_COUNT)
        return (int)p->category == of;
    if (of == AP_MTFP_OF_GROWTH)
        return !ap_mtfp_category_is_saving(p->category);
    if (of == AP_MTFP_OF_SAVINGS)
        return ap_mtfp_category_is_saving(p->category);
    return 1; /* base and requirement: every proposal */
}

/* What a stated row is, in words, for checks: "the inflation proposals". */
static void row_words(int of, char *buf, size_t size)
{
    if (of < (int)AP_MTFP_CATEGORY_COUNT)
        snprintf(buf, size, "the %s proposals",
                 ap_mtfp_category_name((ap_mtfp_category)of));
    else if (of == AP_MTFP_OF_GROWTH)
        snprintf(buf, size, "the growth proposals (inflation and pressures)");
    else
        snprintf(buf, size, "the savings proposals");
}

static ap_status audit_proposal_totals(audit_ctx *x)
{
    const ap_mtfp *m = x->m;
    char check[200], row[400];
    snprintf(check, sizeof check, "Total = the sum of %s to %s", m->years[0],
             m->years[m->n_years - 1]);
    ap_status st = AP_OK;
    for (size_t i = 0; i < m->n_proposals && st == AP_OK; i++) {
        const ap_mtfp_proposal *p = &m->proposals[i];
        if (!p->has_total)
            continue;
        for (size_t y = 0; st == AP_OK && y < m->n_years; y++)
            st = push(x, &p->amounts[y], m->years[y], NULL);
        snprintf(row, sizeof row, "%s%s%s", p->reference,
                 p->reference[0] ? " " : "", p->name);
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL, i,     m->n_years,
                           row,                  "Total", check,
                           "the proposal's total"};
        if (st == AP_OK)
            st = ap__audit_check(x->report, x->unit, &x->terms, &p->total,
                                 &at, x->err);
    }
    return st;
}

/* The first stated row of kind `of` that prints year y's figure. */
static const ap_mtfp_stated_row *stated_figure(const ap_mtfp *m, int of,
                                               size_t y)
{
    for (size_t k = 0; k < m->n_stated; k++)
        if (m->stated[k].of == of && m->stated[k].has_amount[y])
            return &m->stated[k];
    return NULL;
}

static ap_status push_proposals(audit_ctx *x, size_t y)
{
    const ap_mtfp *m = x->m;
    ap_status st = AP_OK;
    for (size_t i = 0; st == AP_OK && i < m->n_proposals; i++)
        st = push(x, &m->proposals[i].amounts[y],
                  proposal_label(&m->proposals[i]), m->years[y]);
    return st;
}

static ap_status push_requirement(audit_ctx *x, size_t y);

/* The items that make year y's base brought forward as the paper prints
 * it: the file's first base; a printed base row; last year's printed
 * requirement; or, when the paper prints neither, last year's base and
 * proposals.  Checking each year against the paper's own figures for the
 * year before finds a wrong figure once, in its year, rather than in every
 * year after it. */
static ap_status push_base(audit_ctx *x, size_t y)
{
    const ap_mtfp *m = x->m;
    if (y == 0)
        return push(x, &m->base, "base brought forward", m->years[0]);
    const ap_mtfp_stated_row *row = stated_figure(m, AP_MTFP_OF_BASE, y);
    if (row != NULL)
        return push(x, &row->amounts[y], row->label, m->years[y]);
    return push_requirement(x, y - 1);
}

/* The items that make year y's requirement as printed: a printed
 * requirement, or the base and the year's proposals. */
static ap_status push_requirement(audit_ctx *x, size_t y)
{
    const ap_mtfp *m = x->m;
    const ap_mtfp_stated_row *row =
        stated_figure(m, AP_MTFP_OF_REQUIREMENT, y);
    if (row != NULL)
        return push(x, &row->amounts[y], row->label, m->years[y]);
    ap_status st = push_base(x, y);
    return st != AP_OK ? st : push_proposals(x, y);
}

/* One year's figure of a stated row (y < n_years), or its total across
 * the years (y == n_years). */
static ap_status audit_stated_cell(audit_ctx *x, size_t k, size_t y)
{
    const ap_mtfp *m = x->m;
    const ap_mtfp_stated_row *row = &m->stated[k];
    const size_t ny = m->n_years;
    /* No proposal of the kind: the row should be nil, printed to the
     * plan's unit. */
    const ap_amount nil = {.pence = 0,
                           .resolution = ap__pow10((int)m->unit)};
    ap_status st = AP_OK;
    if (row->of == AP_MTFP_OF_BASE) {
        st = y == 0 ? push_base(x, 0) : push_requirement(x, y - 1);
    } else if (row->of == AP_MTFP_OF_REQUIREMENT) {
        st = push_base(x, y);
        if (st == AP_OK)
            st = push_proposals(x, y);
    } else {
        for (size_t i = 0; st == AP_OK && i < m->n_proposals; i++) {
            const ap_mtfp_proposal *p = &m->proposals[i];
            if (!row_takes(row->of, p))
                continue;
            if (y < ny)
                st = push(x, &p->amounts[y], proposal_label(p), NULL);
            for (size_t t = 0; st == AP_OK && y == ny && t < ny; t++)
                st = push(x, &p->amounts[t], proposal_label(p), m->years[t]);
        }
        if (st == AP_OK && x->terms.n == 0)
            st = push(x, &nil, "no proposals", NULL);
    }
    if (st != AP_OK)
        return st;
    char words[120], check[400], label[300];
    const char *year = y < ny ? m->years[y] : "Total";
    if (row->of == AP_MTFP_OF_BASE && y == 0)
        snprintf(check, sizeof check, "%s = the base brought forward, %s",
                 row->label, year);
    else if (row->of == AP_MTFP_OF_BASE)
        snprintf(check, sizeof check, "%s = the net budget requirement of %s",
                 row->label, m->years[y - 1]);
    else if (row->of == AP_MTFP_OF_REQUIREMENT)
        snprintf(check, sizeof check, "%s = base brought forward + growth + "
                 "savings, %s", row->label, year);
    else {
        row_words(row->of, words, sizeof words);
        if (y < ny)
            snprintf(check, sizeof check, "%s = %s, %s", row->label, words,
                     year);
        else
            snprintf(check, sizeof check, "%s = %s, %s to %s", row->label,
                     words, m->years[0], m->years[ny - 1]);
    }
    if (row->table[0])
        snprintf(label, sizeof label, "%s (%s)", row->label, row->table);
    else
        snprintf(label, sizeof label, "%s", row->label);
    ap__audit_at at = {AP_TABLE_CHECK_TOTAL, m->n_proposals + k, y, label,
                       year, check, row->label};
    return ap__audit_check(x->report, x->unit, &x->terms,
                           y < ny ? &row->amounts[y] : &row->total, &at,
                           x->err);
}

static ap_status audit_mtfp(const ap_mtfp *m, ap_mtfp_result *r,
                            ap_error *err)
{
    ap_unit unit = audit_unit(m);
    r->audit = ap__audit_report_new(m->title, m->reference,
                                    m->location, unit);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    audit_ctx x = {m, r->audit, unit, {0}, err};
    ap_status st = audit_proposal_totals(&x);
    for (size_t k = 0; st == AP_OK && k < m->n_stated; k++) {
        for (size_t y = 0; st == AP_OK && y < m->n_years; y++)
            if (m->stated[k].has_amount[y])
                st = audit_stated_cell(&x, k, y);
        if (st == AP_OK && m->stated[k].has_total)
            st = audit_stated_cell(&x, k, m->n_years);
    }
    ap__audit_terms_free(&x.terms);
    if (st == AP_OK && m->has_split) {
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL,
                           m->n_proposals + m->n_stated,
                           m->n_authorities,
                           NULL,
                           "Total",
                           "the percentages make 100%",
                           "100%"};
        st = ap__audit_split(r->audit, &m->split, m->authorities,
                             m->n_authorities, &m->split_paper, &at, err);
    }
    return st;
}

ap_status ap_mtfp_compute(const ap_mtfp *m, ap_mtfp_result **out,
                          ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    ap_mtfp_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    size_t ny = m->n_years, np = m->n_proposals ? m->n_proposals : 1;
    r->n_years = ny;
    r->n_proposals = m->n_proposals;
    r->base = calloc(ny, sizeof *r->base);
    r->by_category = calloc(ny * AP_MTFP_CATEGORY_COUNT,
                            sizeof *r->by_category);
    r->growth = calloc(ny, sizeof *r->growth);
    r->savings = calloc(ny, sizeof *r->savings);
    r->requirement = calloc(ny, sizeof *r->requirement);
    r->proposal_totals = calloc(np, sizeof *r->proposal_totals);
    ap_status st = AP_OK;
    if (!r->base || !r->by_category || !r->growth || !r->savings ||
        !r->requirement || !r->proposal_totals)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    if (st == AP_OK)
        st = roll_forward(m, r, err);
    if (st == AP_OK)
        st = audit_mtfp(m, r, err);
    if (st != AP_OK) {
        ap_mtfp_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
