/* Computing and auditing a disaggregation (disaggregation.h): the budget
 * under each basis, the staffing split, the notice timeline, and the
 * audit of every figure the paper states.
 *
 * FTE figures are exact decimals: every one is brought to the most places
 * any of them is printed to (9.48 and 1 become 948 and 100 hundredths), so
 * a divided group is apportioned in whole hundredths and the new services'
 * FTE add up to exactly what is divided. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "apportion/calendar.h"
#include "apportion/disaggregation.h"
#include "audit/audit_report.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_audit.h"
#include "platform/platform.h"

/* A basis's percentages are shown to two places, as papers print them. */
#define PERCENT_DECIMALS 2

typedef struct ctx {
    const ap_disaggregation *m;
    ap_disaggregation_result *r;
    ap_error *err;
} ctx;

/* f at `decimals` places (decimals >= f's own), overflow checked. */
static ap_status scale_figure(const ap_figure *f, int decimals,
                              const char *what, int64_t *out, ap_error *err)
{
    int64_t v = f->value;
    for (int d = f->decimals; d < decimals; d++)
        if (ap__mul_overflow_i64(v, 10, &v))
            return ap_error_set(err, AP_E_OVERFLOW, "%s is too large at %d "
                                "decimal places", what, decimals);
    *out = v;
    return AP_OK;
}

static ap_status add_checked(int64_t *acc, int64_t v, const char *what,
                             ap_error *err)
{
    if (ap__add_overflow_i64(*acc, v, acc))
        return ap_error_set(err, AP_E_OVERFLOW, "the %s overflows", what);
    return AP_OK;
}

/* ---- the budget under each basis ---------------------------------------- */

static ap_status compute_bases(ctx *c)
{
    const ap_disaggregation *m = c->m;
    ap_disaggregation_result *r = c->r;
    size_t na = m->n_authorities;
    int64_t hundred = 100;
    for (int d = 0; d < PERCENT_DECIMALS; d++)
        hundred *= 10;
    for (size_t k = 0; k < m->n_bases; k++) {
        const ap_basis *b = &m->bases[k].basis;
        ap_status st = ap_apportion(r->budget, b->weights, na,
                                    (ap_apportion_mode)b->mode,
                                    &r->shares[k * na], c->err);
        if (st == AP_OK)
            st = ap_apportion(hundred, b->weights, na, AP_LARGEST_REMAINDER,
                              &r->percents[k * na], c->err);
        if (st != AP_OK)
            return st;
    }
    return AP_OK;
}

/* ---- staffing ----------------------------------------------------------- */

static int fte_decimals(const ap_disaggregation *m)
{
    const ap_disagg_staffing *s = &m->staffing;
    int d = 0;
    for (size_t p = 0; p < s->n_posts; p++) {
        const ap_disagg_post *post = &s->posts[p];
        if (post->fte.decimals > d)
            d = post->fte.decimals;
        for (size_t a = 0; post->assigned && a < m->n_authorities; a++)
            if (post->assigned[a].decimals > d)
                d = post->assigned[a].decimals;
    }
    return d;
}

static ap_status compute_staffing(ctx *c)
{
    const ap_disaggregation *m = c->m;
    ap_disaggregation_result *r = c->r;
    const ap_disagg_staffing *s = &m->staffing;
    size_t na = m->n_authorities, np = s->n_posts, nb = m->n_bases;
    int d = r->fte_decimals = fte_decimals(m);
    ap_status st;
    for (size_t p = 0; p < np; p++) {
        const ap_disagg_post *post = &s->posts[p];
        int64_t fte = 0, after = 0;
        if ((st = scale_figure(&post->fte, d, post->role, &fte, c->err)) ||
            (st = add_checked(&r->fte_now, fte, "FTE of the service",
                              c->err)))
            return st;
        for (size_t k = 0; k < nb; k++) {
            int64_t *cell = &r->post_fte[(k * np + p) * na];
            if (post->rule == AP_POST_DIVIDED) {
                if ((st = ap_apportion(fte, m->bases[k].basis.weights, na,
                                       AP_LARGEST_REMAINDER, cell, c->err)))
                    return st;
            } else {
                for (size_t a = 0; a < na; a++) {
                    if (post->rule == AP_POST_ONCE_IN_EACH)
                        cell[a] = fte;
                    else if ((st = scale_figure(&post->assigned[a], d,
                                                post->role, &cell[a],
                                                c->err)))
                        return st;
                }
            }
            for (size_t a = 0; a < na; a++)
                if ((st = add_checked(&r->service_fte[k * na + a], cell[a],
                                      "FTE of a new service", c->err)))
                    return st;
        }
        /* After: a divided group is the same FTE spread; a group every
         * service needs is there once in each; an assigned group is what
         * the paper gives each authority. */
        for (size_t a = 0; a < na; a++) {
            int64_t part = fte;
            if (post->rule == AP_POST_DIVIDED)
                part = a == 0 ? fte : 0;
            else if (post->rule == AP_POST_ASSIGNED &&
                     (st = scale_figure(&post->assigned[a], d, post->role,
                                        &part, c->err)))
                return st;
            if ((st = add_checked(&after, part, "FTE after disaggregation",
                                  c->err)))
                return st;
        }
        if ((st = add_checked(&r->fte_after, after,
                              "FTE after disaggregation", c->err)))
            return st;
    }
    r->fte_extra = r->fte_after - r->fte_now;
    return AP_OK;
}

/* ---- the audit ---------------------------------------------------------- */

/* "Total = NNC + WNC" for the authorities' codes. */
static char *sum_of_codes(const ap_disaggregation *m, const char *lhs)
{
    struct ap_text t = {0};
    ap__text_append(&t, "%s = ", lhs);
    for (size_t a = 0; a < m->n_authorities; a++)
        ap__text_append(&t, "%s%s", a ? " + " : "", m->authorities[a].code);
    return ap__text_take(&t);
}

static ap_status add_sum(ctx *c, const ap_figure *items, size_t n,
                         const char *const *labels, const ap_figure *stated,
                         const char *stated_label, const char *suffix,
                         int exact, const ap__report_where *where)
{
    ap_audit_options o = ap_audit_defaults();
    o.items_exact = o.stated_exact = exact;
    o.labels = labels;
    o.stated_label = stated_label;
    o.suffix = suffix;
    ap_audit_finding f;
    ap_status st = ap_audit_sum(items, NULL, n, stated, &o, &f, c->err);
    if (st == AP_OK)
        st = ap__report_add(c->r->audit, where, &f, c->err);
    ap_audit_finding_clear(&f);
    return st;
}

static ap_status audit_bases(ctx *c, const char *const *codes)
{
    const ap_disaggregation *m = c->m;
    size_t na = m->n_authorities;
    ap_figure *items = calloc(na ? na : 1, sizeof *items);
    char *check = sum_of_codes(m, "Total");
    ap_status st = AP_OK;
    if (items == NULL || check == NULL)
        st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    for (size_t k = 0; st == AP_OK && k < m->n_bases; k++) {
        const ap_disagg_basis *b = &m->bases[k];
        if (!b->has_stated_total) {
            /* A percent basis must make exactly 100 even unprinted. */
            ap__audit_at at = {AP_TABLE_CHECK_TOTAL, k, na, NULL, "total",
                               check, "100%"};
            if (b->basis.kind == AP_BASIS_PERCENT)
                st = ap__audit_split(c->r->audit, &b->basis,
                                     m->authorities, na, NULL, &at, c->err);
            continue;
        }
        for (size_t a = 0; st == AP_OK && a < na; a++)
            st = ap_figure_parse(b->basis.value_text[a], (size_t)-1,
                                 &items[a], c->err);
        ap_figure stated;
        if (st == AP_OK)
            st = ap_figure_parse(b->stated_total, (size_t)-1, &stated,
                                 c->err);
        if (st != AP_OK)
            break;
        int percent = b->basis.kind == AP_BASIS_PERCENT;
        char id[48];
        snprintf(id, sizeof id, "bases.%zu.total", k);
        ap__report_where where = {AP_TABLE_CHECK_TOTAL, k, na,
                                  b->basis.name, "total", check, id,
                                  percent ? "%" : "number"};
        /* A metric basis's values are the weights apportionment uses
         * exactly (counts of people, referrals, contacts), so its stated
         * total is judged exactly: 522 + 680 must be 1,202, not within a
         * rounding of it. */
        st = add_sum(c, items, na, codes, &stated, "the stated total",
                     percent ? "%" : NULL, !percent, &where);
    }
    free(items);
    free(check);
    return st;
}

static ap_status audit_budget(ctx *c, ap_unit unit)
{
    const ap_disaggregation *m = c->m;
    for (size_t a = 0; a < m->n_authorities; a++)
        if (!m->has_allocation[a])
            return AP_OK; /* nothing to check a part against */
    ap__audit_terms ts = {0};
    ap_status st = AP_OK;
    for (size_t a = 0; st == AP_OK && a < m->n_authorities; a++)
        st = ap__audit_push(&ts, c->err, &m->allocations[a], 1, "%s",
                            m->authorities[a].code);
    char *check = sum_of_codes(m, "Budget");
    if (st == AP_OK && check == NULL)
        st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    if (st == AP_OK) {
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL, m->n_bases,
                           m->n_authorities, "budget", "total", check,
                           "the stated budget"};
        st = ap__audit_check(c->r->audit, unit, &ts, &m->budget, &at,
                             c->err);
    }
    ap__audit_terms_free(&ts);
    free(check);
    return st;
}

static ap_status audit_staffing(ctx *c)
{
    const ap_disaggregation *m = c->m;
    const ap_disagg_staffing *s = &m->staffing;
    size_t np = s->n_posts, na = m->n_authorities;
    ap_status st = AP_OK;
    size_t width = np > na ? np : na;
    ap_figure *items = calloc(width ? width : 1, sizeof *items);
    const char **labels = calloc(width ? width : 1, sizeof *labels);
    if (items == NULL || labels == NULL) {
        free(items);
        free(labels);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    if (s->has_fte) {
        ap_figure stated;
        st = ap_figure_parse(s->fte_text, (size_t)-1, &stated, c->err);
        for (size_t p = 0; p < np; p++) {
            items[p] = s->posts[p].fte;
            labels[p] = s->posts[p].role;
        }
        ap__report_where where = {AP_TABLE_CHECK_TOTAL, m->n_bases + 1, 0,
                                  "staffing", "FTE",
                                  "FTE = the sum of the post groups' FTE",
                                  "staffing.fte", "FTE"};
        if (st == AP_OK)
            st = add_sum(c, items, np, labels, &stated, "the stated FTE",
                         NULL, 0, &where);
    }
    /* An assigned group's parts against the group's FTE. */
    for (size_t p = 0; st == AP_OK && p < np; p++) {
        const ap_disagg_post *post = &s->posts[p];
        if (post->rule != AP_POST_ASSIGNED)
            continue;
        for (size_t a = 0; a < na; a++) {
            items[a] = post->assigned[a];
            labels[a] = m->authorities[a].code;
        }
        char id[48];
        snprintf(id, sizeof id, "staffing.posts.%zu.assigned", p);
        char *check = sum_of_codes(m, "FTE");
        if (check == NULL) {
            st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
            break;
        }
        ap__report_where where = {AP_TABLE_CHECK_TOTAL,
                                  m->n_bases + 2 + p, na,
                                  post->role, "FTE", check, id, "FTE"};
        st = add_sum(c, items, na, labels, &post->fte,
                     "the group's FTE", NULL, 0, &where);
        free(check);
    }
    free(items);
    free(labels);
    return st;
}

static ap_status audit_cross_checks(ctx *c)
{
    const ap_disaggregation *m = c->m;
    ap_status st = AP_OK;
    for (size_t k = 0; st == AP_OK && k < m->n_cross_checks; k++) {
        const ap_disagg_cross_check *x = &m->cross_checks[k];
        ap_audit_finding f;
        if ((st = ap_audit_figure(x->stated, (size_t)-1, x->against.pence,
                                  1, &f, c->err)))
            break;
        if (x->reading[0] != '\0' && f.suggestion != NULL) {
            /* The finding holds only if the two papers describe the same
             * thing: the reader is told on what reading it rests. */
            struct ap_text t = {0};
            ap__text_append(&t, "%s The two are compared as the same "
                            "figure: %s", f.suggestion, x->reading);
            char *text = ap__text_take(&t);
            if (text == NULL) {
                ap_audit_finding_clear(&f);
                st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
                break;
            }
            free(f.suggestion);
            f.suggestion = text;
        }
        struct ap_text t = {0};
        ap__text_append(&t, "%s (%s) against %s (%s)", x->stated,
                        x->stated_source[0] ? x->stated_source : "this paper",
                        x->against_text, x->against_source);
        char *check = ap__text_take(&t);
        char id[48];
        snprintf(id, sizeof id, "cross_checks.%zu", k);
        ap__report_where where = {AP_TABLE_CHECK_FIGURE,
                                  m->n_bases + 2 + m->staffing.n_posts + k,
                                  0, x->label,
                                  "as printed", check, id, "£"};
        if (check == NULL)
            st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
        else
            st = ap__report_add(c->r->audit, &where, &f, c->err);
        ap_audit_finding_clear(&f);
        free(check);
    }
    return st;
}

/* ---- the whole -------------------------------------------------------- */

void ap_disaggregation_result_free(ap_disaggregation_result *r)
{
    if (r == NULL)
        return;
    free(r->shares);
    free(r->percents);
    free(r->post_fte);
    free(r->service_fte);
    ap_audit_report_free(r->audit);
    free(r);
}

ap_status ap_disaggregation_compute(const ap_disaggregation *m,
                                    ap_disaggregation_result **out,
                                    ap_error *err)
{
    if (out == NULL || m == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_disaggregation_compute: "
                            "model and out must not be NULL");
    *out = NULL;
    size_t na = m->n_authorities, nb = m->n_bases,
           np = m->staffing.n_posts;
    ap_disaggregation_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    r->n_bases = nb;
    r->n_authorities = na;
    r->n_posts = np;
    r->budget = m->budget.pence;
    r->percent_decimals = PERCENT_DECIMALS;
    ap_unit unit = m->unit;
    ap__audit_unit_widen(&unit, &m->budget);
    for (size_t a = 0; a < na; a++)
        if (m->has_allocation[a])
            ap__audit_unit_widen(&unit, &m->allocations[a]);
    ctx c = {m, r, err};
    ap_status st = AP_OK;
    const char **codes = calloc(na ? na : 1, sizeof *codes);
    if (codes == NULL || !(r->shares = calloc(nb * na + 1, sizeof *r->shares)) ||
        !(r->percents = calloc(nb * na + 1, sizeof *r->percents)) ||
        !(r->post_fte = calloc(nb * np * na + 1, sizeof *r->post_fte)) ||
        !(r->service_fte = calloc(nb * na + 1, sizeof *r->service_fte)) ||
        !(r->audit = ap__audit_report_new(m->title, m->reference, "", unit)))
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t a = 0; st == AP_OK && a < na; a++)
        codes[a] = m->authorities[a].code;
    if (st == AP_OK && m->timeline.present) {
        r->notice_end = ap_date_add_months(m->timeline.notice_from,
                                           m->timeline.notice_months);
        r->target_margin = m->timeline.target - r->notice_end;
    }
    if (st == AP_OK && !(st = compute_bases(&c)) &&
        !(st = compute_staffing(&c)) && !(st = audit_bases(&c, codes)) &&
        !(st = audit_budget(&c, unit)) && !(st = audit_staffing(&c)))
        st = audit_cross_checks(&c);
    free(codes);
    if (st != AP_OK) {
        ap_disaggregation_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
