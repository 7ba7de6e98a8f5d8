/* Computing a plan: apportionment, recharge schedule, and the checks of
 * every figure the paper states against what apportion computes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "audit/audit_report.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_audit.h"

/* The plan's checks are findings of the shared audit report, so a plan is
 * audited and read the way every other paper is.  Its judgements are its
 * own, though: each check knows the tolerance its figures' printed
 * precision explains (half a unit of the stated figure's last digit, none
 * for a schedule's exact sum), so it fills the finding itself rather than
 * asking ap_audit_sum, whose allowance is the sum of every item's. */
typedef struct checks {
    ap_audit_report *report;
    ap_error *err;
} checks;

/* A figure as the plan's findings print it: money (at scale 2, pence) as
 * "£211,654.00", a percentage as "100.00%".  The leading "-" of a
 * negative is left out when `magnitude` is set. */
static void figure_text(const char *unit, int scale, int64_t v, int magnitude,
                        char *buf, size_t size)
{
    if (unit[0] == '\0') {
        ap_format_options o = ap_format_defaults();
        char text[64];
        if (ap_money_format(v, &o, text, sizeof text, NULL) != AP_OK)
            snprintf(text, sizeof text, "%lld pence", (long long)v);
        snprintf(buf, size, "%s", magnitude && text[0] == '-' ? text + 1
                                                               : text);
        return;
    }
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const char *sign = v < 0 && !magnitude ? "-" : "";
    if (scale <= 0) {
        snprintf(buf, size, "%s%llu%s", sign, (unsigned long long)m, unit);
        return;
    }
    uint64_t p = (uint64_t)ap__pow10(scale > 18 ? 18 : scale);
    /* m % p + p has the fraction's digits after a leading 1. */
    char frac[24];
    snprintf(frac, sizeof frac, "%llu", (unsigned long long)(m % p + p));
    snprintf(buf, size, "%s%llu.%s%s", sign, (unsigned long long)(m / p),
             frac + 1, unit);
}

/* The finding's sentence: the check, then "yes" with the figure, or the
 * verdict with both figures and how far apart they are. */
static char *suggestion(const char *description, const ap_audit_finding *f,
                        const char *unit)
{
    char stated[64], computed[64], apart[64];
    figure_text(unit, f->scale, f->stated, 0, stated, sizeof stated);
    struct ap_text t = {0};
    if (f->status == AP_AUDIT_OK) {
        ap__text_append(&t, "%s: yes, %s.", description, stated);
        return ap__text_take(&t);
    }
    figure_text(unit, f->scale, f->computed, 0, computed, sizeof computed);
    figure_text(unit, f->scale, f->difference, 1, apart, sizeof apart);
    ap__text_append(&t,
                    "%s: %s \xe2\x80\x94 stated %s, computed %s; the stated "
                    "figure is %s %s.",
                    description,
                    f->status == AP_AUDIT_ROUNDING
                        ? "within its printed rounding"
                        : "it does not",
                    stated, computed, apart,
                    f->difference > 0 ? "more" : "less");
    return ap__text_take(&t);
}

static ap_status add_check(checks *c, ap__report_where where, int scale,
                           int64_t stated, int64_t computed,
                           int64_t tolerance, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* where: the check's place, id and unit ("%" for percentages, NULL for
 * money); fmt: what it checks, a sentence.  tolerance: the largest
 * difference the printed precision explains. */
static ap_status add_check(checks *c, ap__report_where where, int scale,
                           int64_t stated, int64_t computed,
                           int64_t tolerance, const char *fmt, ...)
{
    int64_t difference;
    ap_status st = ap_money_sub(stated, computed, &difference, c->err);
    if (st != AP_OK)
        return st;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    uint64_t magnitude = difference < 0 ? (uint64_t)0 - (uint64_t)difference
                                        : (uint64_t)difference;
    ap_audit_finding f = {0};
    f.status = difference == 0 ? AP_AUDIT_OK
               : magnitude <= (uint64_t)tolerance ? AP_AUDIT_ROUNDING
                                                  : AP_AUDIT_ERROR;
    f.cause = f.status == AP_AUDIT_OK         ? AP_CAUSE_NONE
              : f.status == AP_AUDIT_ROUNDING ? AP_CAUSE_ROUNDING
                                              : AP_CAUSE_UNEXPLAINED;
    f.item = AP_AUDIT_NO_ITEM;
    f.scale = scale;
    f.stated = stated;
    f.computed = computed;
    f.difference = difference;
    f.tolerance = tolerance;
    f.suggestion = suggestion(text, &f, where.unit ? where.unit : "");
    if (f.suggestion == NULL)
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    where.check = text;
    return ap__report_add(c->report, &where, &f, c->err);
}

/* The deprecated old shape of the checks (plan.h), one per finding. */
static ap_status old_checks(ap_plan_result *r, ap_error *err)
{
    const ap_audit_report *a = r->audit;
    r->checks = calloc(a->n_findings ? a->n_findings : 1, sizeof *r->checks);
    if (r->checks == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (size_t i = 0; i < a->n_findings; i++) {
        const ap_table_finding *t = &a->findings[i];
        ap_check *k = &r->checks[i];
        k->id = ap__strdup(t->id);
        k->description = ap__strdup(t->check);
        r->n_checks = i + 1;
        if (k->id == NULL || k->description == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
        k->kind = t->unit[0] ? AP_CHECK_PERCENT : AP_CHECK_MONEY;
        k->scale = t->finding.scale;
        k->stated = t->finding.stated;
        k->computed = t->finding.computed;
        k->difference = t->finding.difference;
        k->status = t->finding.status == AP_AUDIT_OK ? AP_CHECK_OK
                    : t->finding.status == AP_AUDIT_ROUNDING
                        ? AP_CHECK_ROUNDING
                        : AP_CHECK_MISMATCH;
    }
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
    ap_audit_report_free(result->audit);
    free(result);
}

/* The percent basis should sum to exactly 100: 44.16 + 56.84 does not. */
static ap_status check_percent_sum(const ap_plan *plan, checks *c)
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
    const char *name = b->name[0] ? b->name : "basis";
    ap__report_where at = {AP_TABLE_CHECK_TOTAL, 0, 0, name, "percent",
                           NULL, "basis.percent_sum", "%"};
    return add_check(c, at, scale, (int64_t)sum, (int64_t)hundred, tolerance,
                     "The %s split's percentages sum to 100%%", name);
}

static ap_status check_lines(const ap_plan *plan, const ap_plan_result *r,
                             checks *c)
{
    ap_error *err = c->err;
    size_t na = plan->n_authorities;
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
                ap__report_where at = {AP_TABLE_CHECK_TOTAL, 1 + j, a,
                                       line->id, code, NULL, id, NULL};
                if ((st = add_check(c, at, 2, s->amount.pence, funded, 0,
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
            /* The share depends on how the basis was read when the paper
             * leaves that open (a split printed without names). */
            const ap_reading *reading = NULL;
            for (size_t k = 0; k < plan->n_readings; k++)
                if (strncmp(plan->readings[k].of, "$.basis", 7) == 0)
                    reading = &plan->readings[k];
            char read_note[300] = "";
            if (reading != NULL)
                snprintf(read_note, sizeof read_note,
                         ", reading the printed \"%s\" as %s",
                         reading->printed, reading->read_as);
            snprintf(id, sizeof id, "line[%s].%s.basis_share", line->id,
                     code);
            ap__report_where at = {AP_TABLE_CHECK_FIGURE, 1 + j, a,
                                   line->id, code, NULL, id, NULL};
            if ((st = add_check(c, at, 2, s->amount.pence,
                                r->shares[j * na + a],
                                s->amount.resolution / 2,
                                "%s's stated budget on line %s%s equals its "
                                "share by the %s basis (%s%s%s)",
                                code, line->id, implied, basis,
                                plan->basis.value_text[a],
                                plan->basis.kind == AP_BASIS_PERCENT &&
                                        !strchr(plan->basis.value_text[a],
                                                '%')
                                    ? "%"
                                    : "",
                                read_note)))
                return st;
        }
        if (all_stated) {
            snprintf(id, sizeof id, "line[%s].total", line->id);
            ap__report_where at = {AP_TABLE_CHECK_TOTAL, 1 + j, na,
                                   line->id, "total", NULL, id, NULL};
            if ((st = add_check(c, at, 2, line->total.pence, stated_sum, 0,
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
            size_t host = plan->agreement.host;
            ap__report_where at = {AP_TABLE_CHECK_FIGURE, 1 + j, host,
                                   line->id, plan->authorities[host].code,
                                   NULL, id, NULL};
            if ((st = add_check(c, at, 2, line->host_income.pence, -expected,
                                line->host_income.resolution / 2,
                                "%s's income budget on line %s equals the "
                                "negative of %s's %s budget",
                                plan->authorities[host].code, line->id,
                                plan->authorities[recv].code,
                                s->present ? "stated" : "basis")))
                return st;
        }
    }
    return AP_OK;
}

/* ---- cut-off figures ---------------------------------------------------
 * A cell the page cuts off ("£52,91…") is never completed: the audit asks
 * only whether the computed figure is one the legible prefix allows.  The
 * prefix allows a run of ranges, one per count of digits cut off (plan.h,
 * ap_printed_figure); `offset` shifts them all (the other instalments of a
 * sum). */

/* The k-th range the prefix allows, in pence, plus offset; 0 when there
 * is none (or it would not fit in int64). */
static int cut_off_range(const ap_printed_figure *f, int64_t offset, int k,
                         int64_t *lo, int64_t *hi)
{
    ap__i128 step;
    if (f->decimals >= 0) {
        if (k > 0)
            return 0;
        step = f->unit_pence / ap__pow10(f->decimals);
    } else {
        int more = f->min_more, seen = 0;
        for (;; more++) {
            if (more > 18)
                return 0;
            if ((f->more_mask >> (more % 3)) & 1u) {
                if (seen == k)
                    break;
                seen++;
            }
        }
        step = (ap__i128)ap__pow10(more) * f->unit_pence;
    }
    if (step > (ap__i128)INT64_MAX)
        return 0; /* and digits * step below stays within 128 bits */
    ap__i128 low = (ap__i128)f->digits * step;
    ap__i128 high = low + step - 1;
    if (f->negative) {
        ap__i128 t = -low;
        low = -high;
        high = t;
    }
    low += offset;
    high += offset;
    if (!ap__fits_i64(low) || !ap__fits_i64(high))
        return 0;
    *lo = (int64_t)low;
    *hi = (int64_t)high;
    return 1;
}

/* The value the cell can be that is nearest `computed` (computed itself
 * when the prefix allows it). */
static int64_t cut_off_nearest(const ap_printed_figure *f, int64_t offset,
                               int64_t computed)
{
    int64_t best = 0, lo, hi;
    ap__i128 gap = -1;
    for (int k = 0; cut_off_range(f, offset, k, &lo, &hi); k++) {
        if (computed >= lo && computed <= hi)
            return computed;
        int64_t edge = computed < lo ? lo : hi;
        ap__i128 d = (ap__i128)edge - computed;
        if (d < 0)
            d = -d;
        if (gap < 0 || d < gap) {
            gap = d;
            best = edge;
        }
    }
    return best;
}

/* "£52,910.00 to £52,919.99 (or, were more digits cut off,
 * £52,910,000.00 to £52,919,999.99, and so on)". */
static void cut_off_ranges_text(const ap_printed_figure *f, int64_t offset,
                                struct ap_text *t)
{
    int64_t lo, hi;
    char a[64], b[64];
    for (int k = 0; k < 2 && cut_off_range(f, offset, k, &lo, &hi); k++) {
        figure_text("", 2, lo, 0, a, sizeof a);
        figure_text("", 2, hi, 0, b, sizeof b);
        ap__text_append(t, "%s%s to %s", k ? " (or, were more digits cut "
                                             "off, "
                                           : "",
                        a, b);
    }
    if (cut_off_range(f, offset, 1, &lo, &hi))
        ap__text_append(t, "%s)",
                        cut_off_range(f, offset, 2, &lo, &hi)
                            ? ", and so on"
                            : "");
}

/* The legible part of a cut-off cell, without its mark: "£52,91". */
static void cut_off_prefix(const ap_printed_figure *f, char *buf,
                           size_t size)
{
    size_t n = strlen(f->text);
    size_t mark = n >= 3 ? 3 : 0; /* "…" and "..." are both 3 bytes */
    snprintf(buf, size, "%.*s", (int)(n - mark), f->text);
}

/* A cut-off stated figure checked for consistency with `computed`. */
static ap_status add_cut_off_check(checks *c, ap__report_where where,
                                   const ap_printed_figure *f,
                                   int64_t offset, int is_sum,
                                   int64_t computed, const char *what,
                                   const char *check)
{
    int64_t nearest = cut_off_nearest(f, offset, computed);
    ap_audit_finding x = {0};
    x.status = nearest == computed ? AP_AUDIT_OK : AP_AUDIT_ERROR;
    x.cause = x.status == AP_AUDIT_OK ? AP_CAUSE_NONE : AP_CAUSE_UNEXPLAINED;
    x.item = AP_AUDIT_NO_ITEM;
    x.scale = 2;
    x.stated = nearest;
    x.computed = computed;
    ap_status st = ap_money_sub(nearest, computed, &x.difference, c->err);
    if (st != AP_OK)
        return st;
    char prefix[96], comp[64], apart[64];
    cut_off_prefix(f, prefix, sizeof prefix);
    figure_text("", 2, computed, 0, comp, sizeof comp);
    struct ap_text t = {0};
    ap__text_append(&t, "%s: %s is cut off after \"%s\", so %s ", check,
                    what, prefix, is_sum ? "they can sum to" : "it can be");
    cut_off_ranges_text(f, offset, &t);
    if (x.status == AP_AUDIT_OK) {
        ap__text_append(&t, "; the computed %s is consistent with %s.", comp,
                        is_sum ? "that" : "it");
    } else {
        char near[64];
        figure_text("", 2, nearest, 0, near, sizeof near);
        figure_text("", 2, x.difference, 1, apart, sizeof apart);
        ap__text_append(&t, "; the computed %s is not: the nearest %s can "
                        "be is %s, %s %s.",
                        comp, is_sum ? "the sum" : "it", near, apart,
                        x.difference > 0 ? "more" : "less");
    }
    x.suggestion = ap__text_take(&t);
    if (x.suggestion == NULL)
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    where.check = check;
    return ap__report_add(c->report, &where, &x, c->err);
}

static ap_status check_instalments(const ap_plan *plan,
                                   const ap_plan_result *r, checks *c)
{
    size_t payer_at = plan->recharge.payer, row = 1 + plan->n_lines;
    if (plan->n_stated_instalments == 0)
        return AP_OK;
    const char *payer = plan->authorities[payer_at].code;
    int64_t sum = 0;
    ap_status st;
    /* The sum can be checked while at most one cell is cut off and every
     * cell can be read. */
    const ap_printed_figure *cut = NULL;
    size_t n_cut = 0, n_unread = 0;
    for (size_t k = 0; k < plan->n_stated_instalments; k++) {
        const ap_amount *a = &plan->stated_instalments[k];
        const ap_printed_figure *f = &plan->stated_printed[k];
        char id[64], label[48], what[160];
        snprintf(id, sizeof id, "recharge.instalment[%zu]", k + 1);
        snprintf(label, sizeof label, "instalment %zu", k + 1);
        ap__report_where at = {AP_TABLE_CHECK_FIGURE, row + k, payer_at,
                               label, payer, NULL, id, NULL};
        if (f->legibility == AP_NOT_LEGIBLE) {
            n_unread++;
            continue;
        }
        if (f->legibility == AP_CUT_OFF) {
            cut = f;
            n_cut++;
            snprintf(what, sizeof what, "Stated instalment %zu of %zu equals "
                     "the schedule's%s",
                     k + 1, r->n_instalments,
                     k + 1 == r->n_instalments ? " balancing one" : "");
            if ((st = add_cut_off_check(c, at, f, 0, 0, r->instalments[k],
                                        "the cell", what)))
                return st;
            continue;
        }
        if ((st = ap_money_add(sum, a->pence, &sum, c->err)))
            return st;
        if ((st = add_check(c, at, 2, a->pence,
                            r->instalments[k], a->resolution / 2,
                            "Stated instalment %zu of %zu equals the "
                            "schedule's%s",
                            k + 1, r->n_instalments,
                            k + 1 == r->n_instalments ? " balancing one"
                                                      : "")))
            return st;
    }
    ap__report_where at = {AP_TABLE_CHECK_TOTAL,
                           row + plan->n_stated_instalments,
                           payer_at,
                           "instalments",
                           payer,
                           NULL,
                           "recharge.instalments.sum",
                           NULL};
    if (n_unread > 0 || n_cut > 1)
        return AP_OK; /* no sum of cells that cannot be read */
    if (n_cut == 1) {
        char check[200], what[64];
        snprintf(check, sizeof check, "The %zu stated instalments sum to "
                 "%s's %s budget being recharged",
                 plan->n_stated_instalments, payer,
                 plan->recharge.of == AP_RECHARGE_OF_STATED ? "stated"
                                                            : "basis");
        snprintf(what, sizeof what, "instalment %zu",
                 (size_t)(cut - plan->stated_printed) + 1);
        return add_cut_off_check(c, at, cut, sum, 1, r->recharge_share, what,
                                 check);
    }
    return add_check(c, at, 2, sum, r->recharge_share,
                     0, /* a schedule is exact */
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
    r->audit = ap__audit_report_new(plan->title ? plan->title : "",
                                    plan->reference ? plan->reference : "",
                                    "", AP_UNIT_POUNDS);
    checks c = {r->audit, err};
    if (r->shares == NULL || r->authority_totals == NULL || r->audit == NULL)
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
        st = check_percent_sum(plan, &c);
    if (st == AP_OK)
        st = check_lines(plan, r, &c);
    if (st == AP_OK && r->has_schedule)
        st = check_instalments(plan, r, &c);
    if (st == AP_OK)
        st = old_checks(r, err);
    free(totals);
    if (st != AP_OK) {
        ap_plan_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
