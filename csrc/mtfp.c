/* Rolling an MTFP forward: each year's totals by category, growth,
 * savings and net budget requirement, which is the next year's base; each
 * requirement split between authorities; and the audit of every figure
 * the paper states against the proposals' own printed figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "audit_report.h"
#include "internal.h"

/* Defined in savings.c (see there). */
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
    if (!m->split.present)
        return AP_OK;
    r->n_parties = m->split.n;
    r->split = calloc(m->n_years * m->split.n, sizeof *r->split);
    if (r->split == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t y = 0; y < m->n_years; y++)
        if ((st = ap_authority_split_apportion(&m->split, r->requirement[y],
                                               r->split + y * m->split.n,
                                               err)))
            return st;
    return AP_OK;
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

/* Appends a figure labelled by `label`, or by "label suffix". */
static ap_status items_push(item_list *l, ap_figure f, const char *label,
                            const char *suffix, ap_error *err)
{
    l->figures[l->n] = f;
    l->owned[l->n] = NULL;
    if (suffix != NULL) {
        size_t len = strlen(label) + strlen(suffix) + 2;
        if ((l->owned[l->n] = malloc(len)) == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        snprintf(l->owned[l->n], len, "%s %s", label, suffix);
        label = l->owned[l->n];
    }
    l->labels[l->n++] = label;
    return AP_OK;
}

/* ---- the audit ------------------------------------------------------------ */

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

static ap_status audit_proposal_totals(const ap_mtfp *m,
                                       ap_audit_report *rep, ap_error *err)
{
    char check[200], row[400];
    snprintf(check, sizeof check, "Total = the sum of %s to %s", m->years[0],
             m->years[m->n_years - 1]);
    for (size_t i = 0; i < m->n_proposals; i++) {
        const ap_mtfp_proposal *p = &m->proposals[i];
        if (!p->has_total)
            continue;
        item_list l;
        ap_status st = items_init(&l, m->n_years, err);
        for (size_t y = 0; st == AP_OK && y < m->n_years; y++)
            st = items_push(&l, ap__budget_figure(p->amounts[y], m->unit),
                            m->years[y], NULL, err);
        if (st == AP_OK) {
            snprintf(row, sizeof row, "%s%s%s", p->reference,
                     p->reference[0] ? " " : "", p->name);
            ap_figure stated = ap__budget_figure(p->total, m->unit);
            st = ap__budget_check(rep, l.figures, l.labels, l.n, &stated,
                                  "the proposal's total", i, m->n_years, row,
                                  "Total", check, err);
        }
        items_free(&l);
        if (st != AP_OK)
            return st;
    }
    return AP_OK;
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

static ap_status push_proposals(const ap_mtfp *m, size_t y, item_list *l,
                                ap_error *err)
{
    ap_status st = AP_OK;
    for (size_t i = 0; st == AP_OK && i < m->n_proposals; i++)
        st = items_push(l, ap__budget_figure(m->proposals[i].amounts[y],
                                             m->unit),
                        proposal_label(&m->proposals[i]), m->years[y], err);
    return st;
}

static ap_status push_requirement(const ap_mtfp *m, size_t y, item_list *l,
                                  ap_error *err);

/* The items that make year y's base brought forward as the paper prints
 * it: the file's first base; a printed base row; last year's printed
 * requirement; or, when the paper prints neither, last year's base and
 * proposals.  Checking each year against the paper's own figures for the
 * year before finds a wrong figure once, in its year, rather than in every
 * year after it. */
static ap_status push_base(const ap_mtfp *m, size_t y, item_list *l,
                           ap_error *err)
{
    if (y == 0)
        return items_push(l, ap__budget_figure(m->base, m->unit),
                          "base brought forward", m->years[0], err);
    const ap_mtfp_stated_row *row = stated_figure(m, AP_MTFP_OF_BASE, y);
    if (row != NULL)
        return items_push(l, ap__budget_figure(row->amounts[y], m->unit),
                          row->label, m->years[y], err);
    return push_requirement(m, y - 1, l, err);
}

/* The items that make year y's requirement as printed: a printed
 * requirement, or the base and the year's proposals. */
static ap_status push_requirement(const ap_mtfp *m, size_t y, item_list *l,
                                  ap_error *err)
{
    const ap_mtfp_stated_row *row =
        stated_figure(m, AP_MTFP_OF_REQUIREMENT, y);
    if (row != NULL)
        return items_push(l, ap__budget_figure(row->amounts[y], m->unit),
                          row->label, m->years[y], err);
    ap_status st = push_base(m, y, l, err);
    return st != AP_OK ? st : push_proposals(m, y, l, err);
}

/* One year's figure of a stated row (y < n_years), or its total across
 * the years (y == n_years). */
static ap_status audit_stated_cell(const ap_mtfp *m, size_t k, size_t y,
                                   ap_audit_report *rep, ap_error *err)
{
    const ap_mtfp_stated_row *row = &m->stated[k];
    const size_t ny = m->n_years;
    item_list l;
    ap_status st = items_init(&l, 1 + m->n_proposals * ny, err);
    if (st != AP_OK) {
        items_free(&l);
        return st;
    }
    if (row->of == AP_MTFP_OF_BASE) {
        st = y == 0 ? push_base(m, 0, &l, err)
                    : push_requirement(m, y - 1, &l, err);
    } else if (row->of == AP_MTFP_OF_REQUIREMENT) {
        st = push_base(m, y, &l, err);
        if (st == AP_OK)
            st = push_proposals(m, y, &l, err);
    } else {
        for (size_t i = 0; st == AP_OK && i < m->n_proposals; i++) {
            const ap_mtfp_proposal *p = &m->proposals[i];
            if (!row_takes(row->of, p))
                continue;
            if (y < ny)
                st = items_push(&l, ap__budget_figure(p->amounts[y], m->unit),
                                proposal_label(p), NULL, err);
            for (size_t t = 0; st == AP_OK && y == ny && t < ny; t++)
                st = items_push(&l, ap__budget_figure(p->amounts[t], m->unit),
                                proposal_label(p), m->years[t], err);
        }
        /* No proposal of the kind: the row should be nil. */
        if (st == AP_OK && l.n == 0)
            st = items_push(&l, (ap_figure){0, 0}, "no proposals", NULL, err);
    }
    if (st != AP_OK) {
        items_free(&l);
        return st;
    }
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
    ap_figure stated = ap__budget_figure(y < ny ? row->amounts[y] : row->total,
                                         m->unit);
    st = ap__budget_check(rep, l.figures, l.labels, l.n, &stated, row->label,
                          m->n_proposals + k, y, label, year, check, err);
    items_free(&l);
    return st;
}

static ap_status audit_mtfp(const ap_mtfp *m, ap_mtfp_result *r,
                            ap_error *err)
{
    char *source = ap__budget_source(m->reference, m->location);
    if (source == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    r->audit = ap__report_new(m->title, source, ap_unit_name(m->unit));
    free(source);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    ap_status st = audit_proposal_totals(m, r->audit, err);
    for (size_t k = 0; st == AP_OK && k < m->n_stated; k++) {
        for (size_t y = 0; st == AP_OK && y < m->n_years; y++)
            if (m->stated[k].has_amount[y])
                st = audit_stated_cell(m, k, y, r->audit, err);
        if (st == AP_OK && m->stated[k].has_total)
            st = audit_stated_cell(m, k, m->n_years, r->audit, err);
    }
    if (st == AP_OK)
        st = ap__budget_split_audit(&m->split, r->audit,
                                    m->n_proposals + m->n_stated, err);
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
