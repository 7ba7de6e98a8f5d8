/* Computing a plan: apportionment, recharge schedule, and the checks of
 * every figure the paper states against what apportion computes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "base/text.h"

typedef struct checks {
    ap_check *items;
    size_t n;
    size_t cap;
} checks;

static ap_status add_check(checks *c, ap_error *err, const char *id,
                           ap_check_kind kind, int scale, int64_t stated,
                           int64_t computed, int64_t tolerance,
                           const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 9, 10)))
#endif
    ;

/* tolerance: the largest difference the printed precision explains. */
static ap_status add_check(checks *c, ap_error *err, const char *id,
                           ap_check_kind kind, int scale, int64_t stated,
                           int64_t computed, int64_t tolerance,
                           const char *fmt, ...)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        ap_check *grown = realloc(c->items, cap * sizeof *grown);
        if (grown == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        c->items = grown;
        c->cap = cap;
    }
    int64_t difference;
    ap_status st = ap_money_sub(stated, computed, &difference, err);
    if (st != AP_OK)
        return st;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    ap_check *k = &c->items[c->n];
    k->id = ap__strdup(id);
    k->description = ap__strdup(text);
    if (k->id == NULL || k->description == NULL) {
        free(k->id);
        free(k->description);
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }
    k->kind = kind;
    k->scale = scale;
    k->stated = stated;
    k->computed = computed;
    k->difference = difference;
    uint64_t magnitude = difference < 0 ? (uint64_t)0 - (uint64_t)difference
                                        : (uint64_t)difference;
    k->status = difference == 0 ? AP_CHECK_OK
                : magnitude <= (uint64_t)tolerance ? AP_CHECK_ROUNDING
                                                   : AP_CHECK_MISMATCH;
    c->n++;
    return AP_OK;
}

void ap_plan_result_free(ap_plan_result *result)
{
    if (result == NULL)
        return;
    free(result->shares);
    free(result->authority_totals);
    free(result->instalments);
    for (size_t i = 0; i < result->n_checks; i++) {
        free(result->checks[i].id);
        free(result->checks[i].description);
    }
    free(result->checks);
    free(result);
}

/* The percent basis should sum to exactly 100: 44.16 + 56.84 does not. */
static ap_status check_percent_sum(const ap_plan *plan, checks *c,
                                   ap_error *err)
{
    const ap_basis *b = &plan->basis;
    /* weights[i] = value[i] * L, with L the common denominator; express
     * the sum in units of 10^-scale percent. */
    int64_t common = 1;
    /* weights[i] = num[i] * L / den[i], so any nonzero weight gives L. */
    for (size_t i = 0; i < plan->n_authorities; i++)
        if (b->num[i] != 0) {
            common = (int64_t)((ap__i128)b->weights[i] * b->den[i] /
                               b->num[i]);
            break;
        }
    int scale = 0;
    while (scale <= 18 && ap__pow10(scale) % common != 0)
        scale++;
    if (scale > 18)
        return AP_OK; /* not a decimal split (e.g. thirds): nothing printed */
    int64_t factor = ap__pow10(scale) / common;
    ap__i128 sum = 0;
    for (size_t i = 0; i < plan->n_authorities; i++)
        sum += (ap__i128)b->weights[i] * factor;
    ap__i128 hundred = (ap__i128)100 * ap__pow10(scale);
    if (!ap__fits_i64(sum) || !ap__fits_i64(hundred))
        return AP_OK;
    /* Each printed percentage may be off by half a unit of its last digit,
     * which is the unit of `sum`. */
    int64_t tolerance = (int64_t)plan->n_authorities / 2;
    return add_check(c, err, "basis.percent_sum", AP_CHECK_PERCENT, scale,
                     (int64_t)sum, (int64_t)hundred, tolerance,
                     "The %s split's percentages sum to 100%%",
                     b->name[0] ? b->name : "basis");
}

static ap_status check_lines(const ap_plan *plan, const ap_plan_result *r,
                             checks *c, ap_error *err)
{
    const char *basis = plan->basis.name[0] ? plan->basis.name : "basis";
    for (size_t j = 0; j < plan->n_lines; j++) {
        const ap_budget_line *line = &plan->lines[j];
        char id[160];
        ap_status st;
        int all_stated = 1;
        int64_t stated_sum = 0;
        for (size_t a = 0; a < plan->n_authorities; a++) {
            const ap_stated_share *s = &line->stated[a];
            const char *code = plan->authorities[a].code;
            if (!s->present) {
                all_stated = 0;
                continue;
            }
            if ((st = ap_money_add(stated_sum, s->amount.pence, &stated_sum,
                                   err)))
                return st;
            if (s->n_funding > 0) {
                int64_t funded = 0;
                for (size_t f = 0; f < s->n_funding; f++)
                    if ((st = ap_money_add(funded, s->funding[f].amount.pence,
                                           &funded, err)))
                        return st;
                snprintf(id, sizeof id, "line[%s].%s.funding", line->id,
                         code);
                if ((st = add_check(c, err, id, AP_CHECK_MONEY, 2,
                                    s->amount.pence, funded, 0,
                                    "%s's stated budget on line %s equals "
                                    "the sum of its %zu funding sources",
                                    code, line->id, s->n_funding)))
                    return st;
            }
            /* What percentage of the line the stated budget really is,
             * so a reader sees 52.00% beside the basis's 53.57%. */
            char implied[48] = "";
            int64_t hundredths;
            if (line->total.pence != 0 &&
                ap_money_mul_ratio(s->amount.pence, 10000, line->total.pence,
                                   AP_ROUND_HALF_UP, &hundredths,
                                   NULL) == AP_OK)
                snprintf(implied, sizeof implied, " (%s%lld.%02lld%% of it)",
                         hundredths < 0 ? "-" : "",
                         (long long)(hundredths < 0 ? -(hundredths / 100)
                                                    : hundredths / 100),
                         (long long)(hundredths < 0 ? -(hundredths % 100)
                                                    : hundredths % 100));
            snprintf(id, sizeof id, "line[%s].%s.basis_share", line->id,
                     code);
            if ((st = add_check(c, err, id, AP_CHECK_MONEY, 2,
                                s->amount.pence,
                                r->shares[j * plan->n_authorities + a],
                                s->amount.resolution / 2,
                                "%s's stated budget on line %s%s equals its "
                                "share by the %s basis (%s%s)",
                                code, line->id, implied, basis,
                                plan->basis.value_text[a],
                                plan->basis.kind == AP_BASIS_PERCENT &&
                                        !strchr(plan->basis.value_text[a],
                                                '%')
                                    ? "%"
                                    : "")))
                return st;
        }
        if (all_stated) {
            snprintf(id, sizeof id, "line[%s].total", line->id);
            if ((st = add_check(c, err, id, AP_CHECK_MONEY, 2,
                                line->total.pence, stated_sum, 0,
                                "Line %s's total equals the sum of the "
                                "authorities' stated budgets",
                                line->id)))
                return st;
        }
        if (line->has_host_income && plan->agreement.has_parties) {
            size_t recv = plan->agreement.receiving;
            const ap_stated_share *s = &line->stated[recv];
            int64_t expected =
                s->present ? s->amount.pence
                           : r->shares[j * plan->n_authorities + recv];
            snprintf(id, sizeof id, "line[%s].host_income", line->id);
            if ((st = add_check(c, err, id, AP_CHECK_MONEY, 2,
                                line->host_income.pence, -expected,
                                line->host_income.resolution / 2,
                                "%s's income budget on line %s equals the "
                                "negative of %s's %s budget",
                                plan->authorities[plan->agreement.host].code,
                                line->id,
                                plan->authorities[recv].code,
                                s->present ? "stated" : "basis")))
                return st;
        }
    }
    return AP_OK;
}

static ap_status check_instalments(const ap_plan *plan,
                                   const ap_plan_result *r, checks *c,
                                   ap_error *err)
{
    if (plan->n_stated_instalments == 0)
        return AP_OK;
    const char *payer = plan->authorities[plan->recharge.payer].code;
    int64_t sum = 0;
    ap_status st;
    for (size_t k = 0; k < plan->n_stated_instalments; k++) {
        const ap_amount *a = &plan->stated_instalments[k];
        if ((st = ap_money_add(sum, a->pence, &sum, err)))
            return st;
        char id[64];
        snprintf(id, sizeof id, "recharge.instalment[%zu]", k + 1);
        if ((st = add_check(c, err, id, AP_CHECK_MONEY, 2, a->pence,
                            r->instalments[k], a->resolution / 2,
                            "Stated instalment %zu of %zu equals the "
                            "schedule's%s",
                            k + 1, r->n_instalments,
                            k + 1 == r->n_instalments ? " balancing one"
                                                      : "")))
            return st;
    }
    return add_check(c, err, "recharge.instalments.sum", AP_CHECK_MONEY, 2,
                     sum, r->recharge_share, 0, /* a schedule is exact */
                     "The %zu stated instalments sum to %s's %s budget "
                     "being recharged",
                     plan->n_stated_instalments, payer,
                     plan->recharge.of == AP_RECHARGE_OF_STATED ? "stated"
                                                                : "basis");
}

static ap_status compute_schedule(const ap_plan *plan, ap_plan_result *r,
                                  ap_error *err)
{
    const ap_recharge_rule *rule = &plan->recharge;
    ap_status st;
    int64_t share = 0;
    if (rule->of == AP_RECHARGE_OF_STATED) {
        for (size_t j = 0; j < plan->n_lines; j++)
            if ((st = ap_money_add(share,
                                   plan->lines[j].stated[rule->payer]
                                       .amount.pence,
                                   &share, err)))
                return st;
    } else {
        share = r->authority_totals[rule->payer];
    }
    r->recharge_share = share;
    r->n_instalments = rule->instalments;
    r->instalments = calloc(rule->instalments, sizeof *r->instalments);
    if (r->instalments == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    if ((st = ap_schedule_equal(share, rule->instalments, rule->granularity,
                                rule->rounding, r->instalments, err)))
        return st;
    r->has_schedule = 1;
    if (!plan->has_actual)
        return AP_OK;
    int64_t actual = plan->actual_expenditure.pence;
    if (rule->of == AP_RECHARGE_OF_BASIS) {
        int64_t *shares = calloc(plan->n_authorities, sizeof *shares);
        if (shares == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        st = ap_apportion(actual, plan->basis.weights, plan->n_authorities,
                          (ap_apportion_mode)plan->basis.mode, shares, err);
        r->actual_share = shares[rule->payer];
        free(shares);
        if (st != AP_OK)
            return st;
    } else {
        /* The payer bears the same proportion of the actual spend as its
         * approved budget is of the whole budget. */
        if (r->grand_total == 0)
            return ap_error_set(err, AP_E_INPUT,
                                "the budget totals zero, so the payer's "
                                "proportion of actual spend is undefined");
        if ((st = ap_money_mul_ratio(actual, share, r->grand_total,
                                     AP_ROUND_HALF_UP, &r->actual_share,
                                     err)))
            return st;
    }
    if ((st = ap_schedule_balancing(r->instalments, rule->instalments - 1,
                                    r->actual_share, &r->balancing, err)))
        return st;
    r->has_balancing = 1;
    return AP_OK;
}

ap_status ap_plan_compute(const ap_plan *plan, ap_plan_result **out,
                          ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    size_t nl = plan->n_lines, na = plan->n_authorities;
    ap_plan_result *r = calloc(1, sizeof *r);
    int64_t *totals = calloc(nl, sizeof *totals);
    if (r == NULL || totals == NULL) {
        free(r);
        free(totals);
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }
    r->n_lines = nl;
    r->n_authorities = na;
    r->shares = calloc(nl * na, sizeof *r->shares);
    r->authority_totals = calloc(na, sizeof *r->authority_totals);
    ap_status st = AP_OK;
    checks c = {NULL, 0, 0};
    if (r->shares == NULL || r->authority_totals == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t j = 0; j < nl && st == AP_OK; j++) {
        totals[j] = plan->lines[j].total.pence;
        st = ap_money_add(r->grand_total, totals[j], &r->grand_total, err);
    }
    if (st == AP_OK)
        st = ap_apportion_lines(totals, nl, plan->basis.weights, na,
                                (ap_apportion_mode)plan->basis.mode,
                                r->shares, err);
    for (size_t j = 0; j < nl && st == AP_OK; j++)
        for (size_t a = 0; a < na; a++)
            r->authority_totals[a] += r->shares[j * na + a];
    if (st == AP_OK && plan->recharge.present)
        st = compute_schedule(plan, r, err);
    if (st == AP_OK && plan->basis.kind == AP_BASIS_PERCENT)
        st = check_percent_sum(plan, &c, err);
    if (st == AP_OK)
        st = check_lines(plan, r, &c, err);
    if (st == AP_OK && r->has_schedule)
        st = check_instalments(plan, r, &c, err);
    r->checks = c.items;
    r->n_checks = c.n;
    free(totals);
    if (st != AP_OK) {
        ap_plan_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
