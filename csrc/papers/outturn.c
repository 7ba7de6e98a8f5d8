/* Computing an outturn: variances by line, service area and authority, the
 * net position after reserves, and the audit of every stated figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_audit.h"
#include "papers/finance_read.h"
#include "base/text.h"

void ap_outturn_result_free(ap_outturn_result *r)
{
    if (r == NULL)
        return;
    free(r->lines);
    for (size_t i = 0; i < r->n_areas; i++)
        free(r->areas[i].name);
    free(r->areas);
    free(r->variance_shares);
    free(r->authority_variance);
    free(r->authority_reserves);
    free(r->authority_net);
    ap_audit_report_free(r->audit);
    free(r);
}

/* ---- arithmetic --------------------------------------------------------- */

/* The variance as a fraction of |denominator| and in basis points. */
static ap_status set_ratio(ap_variance *v, int64_t denominator, ap_error *err)
{
    v->has_ratio = 0;
    if (denominator == 0)
        return AP_OK;
    if (denominator == INT64_MIN)
        return ap_error_set(err, AP_E_OVERFLOW, "a budget of %lld pence is "
                            "too large to take a percentage of",
                            (long long)denominator);
    v->ratio_num = v->variance;
    v->ratio_den = denominator < 0 ? -denominator : denominator;
    ap_status st = ap_money_mul_ratio(v->variance, 10000, v->ratio_den,
                                      AP_ROUND_HALF_UP, &v->basis_points, err);
    if (st != AP_OK)
        return st;
    v->has_ratio = 1;
    return AP_OK;
}

/* acc += v, column by column. */
static ap_status add_variance(ap_variance *acc, const ap_variance *v,
                              ap_error *err)
{
    ap_status st;
    if ((st = ap_money_add(acc->budget, v->budget, &acc->budget, err)) ||
        (st = ap_money_add(acc->gross_outturn, v->gross_outturn,
                           &acc->gross_outturn, err)) ||
        (st = ap_money_add(acc->funding, v->funding, &acc->funding, err)) ||
        (st = ap_money_add(acc->outturn, v->outturn, &acc->outturn, err)) ||
        (st = ap_money_add(acc->variance, v->variance, &acc->variance, err)))
        return st;
    return AP_OK;
}

static ap_status line_variance(const ap_outturn_line *l, ap_variance *v,
                               ap_error *err)
{
    ap_status st;
    memset(v, 0, sizeof *v);
    for (size_t f = 0; f < l->n_funding; f++)
        if ((st = ap_money_add(v->funding, l->funding[f].amount.pence,
                               &v->funding, err)))
            return st;
    v->budget = l->budget.amount.pence;
    if (l->outturn.present)
        v->outturn = l->outturn.amount.pence;
    else if ((st = ap_money_add(l->gross_outturn.amount.pence, v->funding,
                                &v->outturn, err)))
        return st;
    if (l->gross_outturn.present)
        v->gross_outturn = l->gross_outturn.amount.pence;
    else if ((st = ap_money_sub(v->outturn, v->funding, &v->gross_outturn,
                                err)))
        return st;
    if ((st = ap_money_sub(v->outturn, v->budget, &v->variance, err)))
        return st;
    return set_ratio(v, v->budget, err);
}

static ap_status compute_areas(const ap_outturn *o, ap_outturn_result *r,
                               ap_error *err)
{
    size_t n = o->n_lines;
    const char **names = malloc(n * sizeof *names);
    size_t *first = malloc(n * sizeof *first);
    size_t *area_of = malloc(n * sizeof *area_of);
    r->areas = calloc(n, sizeof *r->areas);
    ap_status st = AP_OK;
    if (!names || !first || !area_of || !r->areas)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        const ap_outturn_line *l = &o->lines[i];
        names[i] = l->service_area[0] ? l->service_area : l->service;
    }
    if (st == AP_OK && ap__strings_first(names, n, first) != 0)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    /* Areas in order of their first line. */
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        if (first[i] == i) {
            area_of[i] = r->n_areas;
            if ((r->areas[r->n_areas].name = ap__strdup(names[i])) == NULL)
                st = ap_error_set(err, AP_E_NOMEM, "out of memory");
            else
                r->n_areas++;
        } else {
            area_of[i] = area_of[first[i]];
        }
        if (st == AP_OK) {
            ap_service_area *a = &r->areas[area_of[i]];
            a->n_lines++;
            st = add_variance(&a->v, &r->lines[i], err);
        }
    }
    for (size_t a = 0; a < r->n_areas && st == AP_OK; a++)
        st = set_ratio(&r->areas[a].v, r->areas[a].v.budget, err);
    free(names);
    free(first);
    free(area_of);
    return st;
}

/* Each line's variance split by the agreed split, two-way exact over the
 * shared lines; a line of one authority goes wholly to it. */
static ap_status compute_split(const ap_outturn *o, ap_outturn_result *r,
                               ap_error *err)
{
    size_t nl = o->n_lines, na = o->n_authorities;
    r->n_authorities = na;
    r->variance_shares = calloc(nl * na, sizeof *r->variance_shares);
    r->authority_variance = calloc(na, sizeof *r->authority_variance);
    r->authority_reserves = calloc(na, sizeof *r->authority_reserves);
    r->authority_net = calloc(na, sizeof *r->authority_net);
    int64_t *shared = calloc(nl, sizeof *shared);
    size_t *rows = calloc(nl, sizeof *rows);
    int64_t *cells = calloc(nl * na, sizeof *cells);
    ap_status st = AP_OK;
    if (!r->variance_shares || !r->authority_variance ||
        !r->authority_reserves || !r->authority_net || !shared || !rows ||
        !cells)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    size_t n_shared = 0;
    for (size_t i = 0; i < nl && st == AP_OK; i++) {
        if (o->lines[i].has_authority) {
            r->variance_shares[i * na + o->lines[i].authority] =
                r->lines[i].variance;
        } else {
            rows[n_shared] = i;
            shared[n_shared++] = r->lines[i].variance;
        }
    }
    ap_apportion_mode mode = (ap_apportion_mode)o->split.mode;
    if (st == AP_OK && n_shared > 0)
        st = ap_apportion_lines(shared, n_shared, o->split.weights, na, mode,
                                cells, err);
    for (size_t k = 0; k < n_shared && st == AP_OK; k++)
        memcpy(&r->variance_shares[rows[k] * na], &cells[k * na],
               na * sizeof *cells);
    for (size_t i = 0; i < nl && st == AP_OK; i++)
        for (size_t a = 0; a < na && st == AP_OK; a++)
            st = ap_money_add(r->authority_variance[a],
                              r->variance_shares[i * na + a],
                              &r->authority_variance[a], err);
    if (st == AP_OK)
        st = ap_apportion(r->reserves, o->split.weights, na, mode,
                          r->authority_reserves, err);
    for (size_t a = 0; a < na && st == AP_OK; a++)
        st = ap_money_sub(r->authority_variance[a], r->authority_reserves[a],
                          &r->authority_net[a], err);
    free(shared);
    free(rows);
    free(cells);
    return st;
}

/* ---- the audit ---------------------------------------------------------- */

typedef struct audit_ctx {
    const ap_outturn *o;
    ap_audit_report *report;
    ap_unit unit;
    int s; /* +1 when variances print as outturn - budget, else -1 */
    ap_error *err;
} audit_ctx;

static const ap_amount nil_amount = {.pence = 0, .resolution = 0};

/* The printed figures whose signed sum is line l's value in `column`. */
static ap_status line_terms(const audit_ctx *c, size_t i, int column,
                            int sign, int with_service, ap__audit_terms *ts)
{
    const ap_outturn_line *l = &c->o->lines[i];
    const char *who = with_service ? l->service : "";
    const char *sep = with_service ? ": " : "";
    ap_error *err = c->err;
    ap_status st;
    switch (column) {
    case AP_COL_BUDGET:
        return ap__audit_push(ts, err, &l->budget.amount, sign, "%s%sbudget",
                              who, sep);
    case AP_COL_FUNDING:
        for (size_t f = 0; f < l->n_funding; f++)
            if ((st = ap__audit_push(ts, err, &l->funding[f].amount, sign,
                                     "%s%s%s", who, sep,
                                     l->funding[f].source)))
                return st;
        return AP_OK;
    case AP_COL_GROSS_OUTTURN:
        if (l->gross_outturn.present)
            return ap__audit_push(ts, err, &l->gross_outturn.amount, sign,
                                  "%s%sgross outturn", who, sep);
        if ((st = ap__audit_push(ts, err, &l->outturn.amount, sign,
                                 "%s%soutturn", who, sep)))
            return st;
        return line_terms(c, i, AP_COL_FUNDING, -sign, with_service, ts);
    case AP_COL_OUTTURN:
        if (l->outturn.present)
            return ap__audit_push(ts, err, &l->outturn.amount, sign,
                                  "%s%soutturn", who, sep);
        if ((st = ap__audit_push(ts, err, &l->gross_outturn.amount, sign,
                                 "%s%sgross outturn", who, sep)))
            return st;
        return line_terms(c, i, AP_COL_FUNDING, sign, with_service, ts);
    default: /* AP_COL_VARIANCE, as the file prints it */
        if (l->variance.present)
            return ap__audit_push(ts, err, &l->variance.amount, sign,
                                  "%s%svariance", who, sep);
        if ((st = line_terms(c, i, AP_COL_OUTTURN, sign * c->s, with_service,
                             ts)))
            return st;
        return line_terms(c, i, AP_COL_BUDGET, -sign * c->s, with_service,
                          ts);
    }
}

/* Checks and empties ts.  column < 0 is a grants table's amount. */
static ap_status check(const audit_ctx *c, ap__audit_terms *ts,
                       const ap_amount *stated, ap_table_check_kind kind,
                       size_t row, int column, const char *row_label,
                       const char *check_text,
                       const char *stated_label)
{
    ap_status st;
    if (ts->n == 0 &&
        (st = ap__audit_push(ts, c->err, &nil_amount, 1, "no line has any")))
        return st;
    ap__audit_at at = {kind,
                       row,
                       column < 0 ? 0 : (size_t)column,
                       row_label,
                       column < 0 ? "amount"
                                  : ap_outturn_column_name(
                                        (ap_outturn_column)column),
                       check_text,
                       stated_label};
    return ap__audit_check(c->report, c->unit, ts, stated, &at, c->err);
}

static const char *variance_rule(int s)
{
    return s > 0 ? "Variance = Outturn - Budget"
                 : "Variance = Budget - Outturn";
}

static ap_status audit_lines(const audit_ctx *c)
{
    const ap_outturn *o = c->o;
    ap__audit_terms ts = {0};
    ap_status st = AP_OK;
    char text[200];
    for (size_t i = 0; i < o->n_lines && st == AP_OK; i++) {
        const ap_outturn_line *l = &o->lines[i];
        if (l->outturn.present && l->gross_outturn.present) {
            snprintf(text, sizeof text, "Outturn = Gross outturn + %s",
                     o->funding_label);
            if ((st = line_terms(c, i, AP_COL_GROSS_OUTTURN, 1, 0, &ts)) ||
                (st = line_terms(c, i, AP_COL_FUNDING, 1, 0, &ts)) ||
                (st = check(c, &ts, &l->outturn.amount, AP_TABLE_CHECK_RULE,
                            i, AP_COL_OUTTURN, l->service, text,
                            "the stated outturn")))
                break;
        }
        if (l->variance.present) {
            if ((st = line_terms(c, i, AP_COL_OUTTURN, c->s, 0, &ts)) ||
                (st = line_terms(c, i, AP_COL_BUDGET, -c->s, 0, &ts)) ||
                (st = check(c, &ts, &l->variance.amount, AP_TABLE_CHECK_RULE,
                            i, AP_COL_VARIANCE, l->service,
                            variance_rule(c->s),
                            "the stated variance")))
                break;
        }
    }
    ap__audit_terms_free(&ts);
    return st;
}

static ap_status audit_total_row(const audit_ctx *c)
{
    const ap_outturn *o = c->o;
    size_t row = o->n_lines;
    ap__audit_terms ts = {0};
    ap_status st = AP_OK;
    char text[200];
    snprintf(text, sizeof text, "Total = sum of the %zu lines", o->n_lines);
    for (int col = 0; col < 5 && st == AP_OK; col++) {
        if (!o->total[col].present)
            continue;
        for (size_t i = 0; i < o->n_lines && st == AP_OK; i++)
            st = line_terms(c, i, col, 1, 1, &ts);
        if (st == AP_OK)
            st = check(c, &ts, &o->total[col].amount, AP_TABLE_CHECK_TOTAL,
                       row, col, "Total", text, "the stated total");
    }
    /* The total row must add across as each line does. */
    const ap_printed *t = o->total;
    if (st == AP_OK && t[AP_COL_OUTTURN].present &&
        t[AP_COL_GROSS_OUTTURN].present && t[AP_COL_FUNDING].present) {
        snprintf(text, sizeof text, "Outturn = Gross outturn + %s",
                 o->funding_label);
        if (!(st = ap__audit_push(&ts, c->err,
                                  &t[AP_COL_GROSS_OUTTURN].amount, 1,
                                  "total gross outturn")) &&
            !(st = ap__audit_push(&ts, c->err, &t[AP_COL_FUNDING].amount, 1,
                                  "total %s", o->funding_label)))
            st = check(c, &ts, &t[AP_COL_OUTTURN].amount, AP_TABLE_CHECK_RULE,
                       row, AP_COL_OUTTURN, "Total", text,
                       "the stated total outturn");
    }
    if (st == AP_OK && t[AP_COL_VARIANCE].present &&
        t[AP_COL_OUTTURN].present && t[AP_COL_BUDGET].present) {
        if (!(st = ap__audit_push(&ts, c->err, &t[AP_COL_OUTTURN].amount,
                                  c->s, "total outturn")) &&
            !(st = ap__audit_push(&ts, c->err, &t[AP_COL_BUDGET].amount,
                                  -c->s, "total budget")))
            st = check(c, &ts, &t[AP_COL_VARIANCE].amount,
                       AP_TABLE_CHECK_RULE, row, AP_COL_VARIANCE, "Total",
                       variance_rule(c->s), "the stated total variance");
    }
    ap__audit_terms_free(&ts);
    return st;
}

/* The paper's words: the approved budget, the overspend, the funding, the
 * reserves used and the position after them. */
static ap_status audit_stated(const audit_ctx *c)
{
    const ap_outturn *o = c->o;
    const ap_outturn_stated *s = &o->stated;
    size_t row = o->n_lines + 1;
    const char *label = "Report text";
    ap__audit_terms ts = {0};
    ap_status st = AP_OK;
    if (s->budget.present) {
        int any_income = 0;
        for (size_t i = 0; i < o->n_lines && st == AP_OK; i++) {
            if (o->lines[i].kind == AP_LINE_INCOME)
                any_income = 1;
            else
                st = line_terms(c, i, AP_COL_BUDGET, 1, 1, &ts);
        }
        if (st == AP_OK)
            st = check(c, &ts, &s->budget.amount, AP_TABLE_CHECK_TOTAL, row,
                       AP_COL_BUDGET, label,
                       any_income ? "The budget = sum of the service lines' "
                                    "budgets (before income)"
                                  : "The budget = sum of the lines' budgets",
                       "the stated budget");
    }
    if (st == AP_OK && s->variance.present) {
        for (size_t i = 0; i < o->n_lines && st == AP_OK; i++)
            st = line_terms(c, i, AP_COL_VARIANCE, 1, 1, &ts);
        if (st == AP_OK)
            st = check(c, &ts, &s->variance.amount, AP_TABLE_CHECK_TOTAL, row,
                       AP_COL_VARIANCE, label,
                       "The variance = sum of the lines' variances",
                       "the stated variance");
    }
    if (st == AP_OK && s->funding.present) {
        for (size_t i = 0; i < o->n_lines && st == AP_OK; i++)
            st = line_terms(c, i, AP_COL_FUNDING, 1, 1, &ts);
        if (st == AP_OK)
            st = check(c, &ts, &s->funding.amount, AP_TABLE_CHECK_TOTAL, row,
                       AP_COL_FUNDING, label,
                       "The funding = sum of the lines' funding",
                       "the stated funding");
    }
    if (st == AP_OK && s->reserves.present && o->n_reserves > 0) {
        for (size_t k = 0; k < o->n_reserves && st == AP_OK; k++)
            st = ap__audit_push(&ts, c->err, &o->reserves[k].amount, 1,
                                "%s", o->reserves[k].name);
        if (st == AP_OK)
            st = check(c, &ts, &s->reserves.amount, AP_TABLE_CHECK_TOTAL, row,
                       AP_COL_RESERVES, label,
                       "The reserves used = sum of the reserves",
                       "the stated reserves used");
    }
    if (st == AP_OK && s->net_variance.present &&
        (o->n_reserves > 0 || s->reserves.present)) {
        /* From the paper's own variance when it states one, else the
         * lines'; less the reserves (plus, when underspends print
         * positive). */
        if (s->variance.present)
            st = ap__audit_push(&ts, c->err, &s->variance.amount, 1,
                                "the stated variance");
        else
            for (size_t i = 0; i < o->n_lines && st == AP_OK; i++)
                st = line_terms(c, i, AP_COL_VARIANCE, 1, 1, &ts);
        if (o->n_reserves > 0)
            for (size_t k = 0; k < o->n_reserves && st == AP_OK; k++)
                st = ap__audit_push(&ts, c->err, &o->reserves[k].amount,
                                    -c->s, "%s", o->reserves[k].name);
        else if (st == AP_OK)
            st = ap__audit_push(&ts, c->err, &s->reserves.amount, -c->s,
                                "the stated reserves used");
        if (st == AP_OK)
            st = check(c, &ts, &s->net_variance.amount, AP_TABLE_CHECK_TOTAL,
                       row, AP_COL_NET_VARIANCE, label,
                       c->s > 0 ? "Net variance = variance - reserves used"
                                : "Net variance = variance + reserves used",
                       "the stated net variance");
    }
    ap__audit_terms_free(&ts);
    return st;
}

static ap_status audit_grants(const audit_ctx *c)
{
    const ap_outturn_grants *g = &c->o->grants;
    if (!g->present || !g->total.present)
        return AP_OK;
    ap__audit_terms ts = {0};
    ap_status st = AP_OK;
    for (size_t k = 0; k < g->n_items && st == AP_OK; k++)
        st = ap__audit_push(&ts, c->err, &g->items[k].amount, 1, "%s",
                            g->items[k].name);
    if (st == AP_OK)
        st = check(c, &ts, &g->total.amount, AP_TABLE_CHECK_TOTAL,
                   c->o->n_lines + 3, -1, g->title[0] ? g->title : "Grants",
                   "Total = sum of the grants", "the stated total");
    ap__audit_terms_free(&ts);
    return st;
}

/* Nonzero when every line variance the file states that is not nil is
 * the computed one negated: a table printed under the other convention
 * from the one its variance_sign names. */
static int variance_sign_reversed(const ap_outturn *o,
                                  const ap_audit_report *report)
{
    int any = 0;
    for (size_t i = 0; i < report->n_findings; i++) {
        const ap_table_finding *f = &report->findings[i];
        if (f->kind != AP_TABLE_CHECK_RULE || f->row >= o->n_lines ||
            f->column != AP_COL_VARIANCE || f->finding.stated == 0)
            continue;
        if (f->finding.stated != -f->finding.computed)
            return 0;
        any = 1;
    }
    return any;
}

/* The one unit every figure of the audit fits in. */
static ap_unit audit_unit(const ap_outturn *o)
{
    ap_unit u = o->unit;
    for (size_t i = 0; i < o->n_lines; i++) {
        const ap_outturn_line *l = &o->lines[i];
        ap__audit_unit_widen(&u, &l->budget.amount);
        ap__audit_unit_widen(&u, &l->gross_outturn.amount);
        ap__audit_unit_widen(&u, &l->outturn.amount);
        ap__audit_unit_widen(&u, &l->variance.amount);
        for (size_t f = 0; f < l->n_funding; f++)
            ap__audit_unit_widen(&u, &l->funding[f].amount);
    }
    for (int col = 0; col < 5; col++)
        ap__audit_unit_widen(&u, &o->total[col].amount);
    const ap_outturn_stated *s = &o->stated;
    ap__audit_unit_widen(&u, &s->budget.amount);
    ap__audit_unit_widen(&u, &s->variance.amount);
    ap__audit_unit_widen(&u, &s->funding.amount);
    ap__audit_unit_widen(&u, &s->reserves.amount);
    ap__audit_unit_widen(&u, &s->net_variance.amount);
    for (size_t k = 0; k < o->n_reserves; k++)
        ap__audit_unit_widen(&u, &o->reserves[k].amount);
    for (size_t k = 0; k < o->grants.n_items; k++)
        ap__audit_unit_widen(&u, &o->grants.items[k].amount);
    ap__audit_unit_widen(&u, &o->grants.total.amount);
    return u;
}

static ap_status audit(const ap_outturn *o, ap_outturn_result *r,
                       ap_error *err)
{
    ap_unit unit = audit_unit(o);
    r->audit = ap__audit_report_new(o->title, o->source, "", unit);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    audit_ctx c = {o, r->audit, unit,
                   o->variance_sign == AP_VARIANCE_OVERSPEND_POSITIVE ? 1 : -1,
                   err};
    ap_status st;
    if ((st = audit_lines(&c)))
        return st;
    r->sign_reversed = variance_sign_reversed(o, r->audit);
    if ((st = audit_total_row(&c)) || (st = audit_stated(&c)))
        return st;
    if (o->has_split) {
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL, o->n_lines + 2, 0, NULL,
                           "percent", "The split's percentages sum to 100",
                           "100%"};
        if ((st = ap__audit_split(r->audit, &o->split, o->authorities,
                                  o->n_authorities, NULL, &at, err)))
            return st;
    }
    return audit_grants(&c);
}

/* ---- compute ------------------------------------------------------------ */

static ap_status compute(const ap_outturn *o, ap_outturn_result *r,
                         ap_error *err)
{
    ap_status st;
    r->sign = AP_VARIANCE_OVERSPEND_POSITIVE;
    r->n_lines = o->n_lines;
    r->lines = calloc(o->n_lines ? o->n_lines : 1, sizeof *r->lines);
    if (r->lines == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_lines; i++) {
        const ap_outturn_line *l = &o->lines[i];
        if ((st = line_variance(l, &r->lines[i], err)) ||
            (st = add_variance(&r->total, &r->lines[i], err))) {
            char msg[AP_ERROR_MESSAGE_SIZE];
            snprintf(msg, sizeof msg, "%s", err ? err->message : "");
            return ap_error_set(err, st, "line %zu (%s): %s", i + 1,
                                l->service, msg);
        }
        int64_t *into = l->kind == AP_LINE_INCOME ? &r->income_budget
                                                  : &r->service_budget;
        if ((st = ap_money_add(*into, r->lines[i].budget, into, err)))
            return st;
    }
    if ((st = set_ratio(&r->total, r->service_budget, err)) ||
        (st = compute_areas(o, r, err)))
        return st;
    for (size_t k = 0; k < o->n_reserves; k++)
        if ((st = ap_money_add(r->reserves, o->reserves[k].amount.pence,
                               &r->reserves, err)))
            return st;
    if ((st = ap_money_sub(r->total.variance, r->reserves, &r->net_variance,
                           err)))
        return st;
    if (o->has_split && (st = compute_split(o, r, err)))
        return st;
    return audit(o, r, err);
}

ap_status ap_outturn_compute(const ap_outturn *outturn,
                             ap_outturn_result **out, ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    ap_outturn_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    ap_status st = compute(outturn, r, err);
    if (st != AP_OK) {
        ap_outturn_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
