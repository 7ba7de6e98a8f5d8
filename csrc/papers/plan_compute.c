/* Computing a plan: apportionment, recharge schedule, and the checks of
 * every figure the paper states against what apportion computes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "audit/audit_cut_off.h"
#include "audit/audit_figure.h"
#include "audit/audit_report.h"
#include "base/base.h"
#include "base/text.h"
#include "papers/finance_audit.h"

/* The plan's checks are findings of the shared audit report, so a plan is
 * audited and read the way every other paper is, and judged by the
 * audit's rounding conventions: a stated figure against the one figure
 * apportion computes for it by ap_audit_figure's rules (ap__audit_judge:
 * ok when it is the computed figure correctly rounded at its printed
 * precision, rounding by truncation when cut toward zero there, else
 * error), a stated total against its printed items by ap_audit_sum's.
 * The findings are in pence (scale 2), and each says what it checked in
 * the plan's own words. */
typedef struct checks {
    ap_audit_report *report;
    ap_error *err;
} checks;

/* printf into a new string the caller frees; NULL when memory runs out.
 * Never a fixed buffer: a name of any length, in any script, is whole. */
static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *out = n < 0 ? NULL : malloc((size_t)n + 1);
    if (out != NULL)
        vsnprintf(out, (size_t)n + 1, fmt, again);
    va_end(again);
    return out;
}

static char *format(const char *fmt, ...)
    AP_PRINTF_FORMAT(1, 2)
    ;

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = vformat(fmt, ap);
    va_end(ap);
    return out;
}

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

/* One unit of a printed figure's last digit, for "to the nearest £1":
 * "1p", "£1", "£1,000"; resolution in pence (a power of ten). */
static void unit_text(int64_t resolution, char *buf, size_t size)
{
    if (resolution < 100) {
        snprintf(buf, size, "%lldp", (long long)(resolution < 1 ? 1
                                                               : resolution));
        return;
    }
    char digits[48];
    ap_figure_format(resolution / 100, 0, digits, sizeof digits);
    snprintf(buf, size, "\xc2\xa3%s", digits);
}

/* How a check was judged beyond its status and figures: for a figure
 * rounded or cut, the nearest unit and its correct rounding. */
typedef struct verdict {
    int figure;       /* one figure judged (else a sum) */
    char nearest[64]; /* "£1" */
    int64_t rounded;  /* the computed figure rounded there, in pence */
    const char *why;  /* for a sum in error, the audit's explanation */
} verdict;

/* The finding's sentence: the check, then "yes" with the figure, or the
 * verdict with both figures and how far apart they are. */
static char *suggestion(const char *description, const ap_audit_finding *f,
                        const char *unit, const verdict *v)
{
    char stated[64], computed[64], apart[64], rounded[64];
    figure_text(unit, f->scale, f->stated, 0, stated, sizeof stated);
    figure_text(unit, f->scale, f->computed, 0, computed, sizeof computed);
    figure_text(unit, f->scale, f->difference, 1, apart, sizeof apart);
    struct ap_text t = {0};
    if (f->status == AP_AUDIT_OK && f->cause == AP_CAUSE_NONE) {
        ap__text_append(&t, "%s: yes, %s.", description, stated);
    } else if (f->status == AP_AUDIT_OK) {
        ap__text_append(&t, "%s: yes, %s, the computed %s rounded to the "
                        "nearest %s.",
                        description, stated, computed, v->nearest);
    } else if (f->cause == AP_CAUSE_TRUNCATION) {
        ap__text_append(&t,
                        "%s: cut, not rounded \xe2\x80\x94 stated %s, "
                        "computed %s; the stated figure is %s %s",
                        description, stated, computed, apart,
                        f->difference > 0 ? "more" : "less");
        if (v->figure) {
            figure_text(unit, f->scale, v->rounded, 0, rounded,
                        sizeof rounded);
            ap__text_append(&t, ", the computed figure cut toward zero to "
                            "the nearest %s (truncation); rounded it would "
                            "be %s.",
                            v->nearest, rounded);
        } else {
            ap__text_append(&t, ", more than the rounding of the printed "
                            "figures allows but what cutting them toward "
                            "zero leaves (truncation).");
        }
    } else {
        ap__text_append(&t,
                        "%s: %s \xe2\x80\x94 stated %s, computed %s; the "
                        "stated figure is %s %s.",
                        description,
                        f->status == AP_AUDIT_ROUNDING
                            ? "within its printed rounding"
                            : "it does not",
                        stated, computed, apart,
                        f->difference > 0 ? "more" : "less");
        if (v->why != NULL && v->why[0] != '\0')
            ap__text_append(&t, " %s", v->why);
    }
    return ap__text_take(&t);
}

/* Files f (its figures set) at `where` with its sentence; description is
 * borrowed.  Clears f on an error. */
static ap_status file_check(checks *c, ap__report_where where,
                            ap_audit_finding *f, const char *description,
                            const verdict *v)
{
    f->suggestion = suggestion(description, f, where.unit ? where.unit : "",
                               v);
    if (f->suggestion == NULL) {
        ap_audit_finding_clear(f);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    where.check = description;
    return ap__report_add(c->report, &where, f, c->err);
}

/* log10 of a power-of-ten resolution; 0 for an exact nil's 0. */
static int resolution_digits(int64_t resolution)
{
    int k = 0;
    while (resolution >= 10) {
        resolution /= 10;
        k++;
    }
    return k;
}

/* A stated money figure against the one apportion computes (pence), by
 * the audit's rounding conventions at the figure's printed precision.
 * description is the caller's (freed by it). */
static ap_status figure_check(checks *c, ap__report_where where,
                              const ap_amount *stated, int64_t computed,
                              const char *description)
{
    if (description == NULL)
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    int64_t res = stated->resolution > 0 ? stated->resolution : 1;
    ap__judgement jg;
    ap__audit_judge(stated->pence / res, 2 - resolution_digits(res),
                    computed, 100, &jg);
    ap_audit_finding f = {0};
    ap_status st = ap_money_sub(stated->pence, computed, &f.difference,
                                c->err);
    if (st != AP_OK)
        return st;
    f.status = jg.status;
    f.cause = jg.cause;
    f.item = AP_AUDIT_NO_ITEM;
    f.scale = 2;
    f.stated = stated->pence;
    f.computed = computed;
    f.tolerance = res / 2;
    verdict v = {1, "", 0, NULL};
    unit_text(res, v.nearest, sizeof v.nearest);
    /* |rounded| is within one printed unit of |computed|: it may still
     * leave int64 at its very edge, when the sentence does without it. */
    ap__i128 rounded = jg.rounded * res;
    v.rounded = ap__fits_i64(rounded) ? (int64_t)rounded : computed;
    return file_check(c, where, &f, description, &v);
}

/* A sum the paper's rule makes exact (invoices of a schedule are not
 * rounded prints): equal or not. */
static ap_status exact_check(checks *c, ap__report_where where,
                             int64_t stated, int64_t computed,
                             const char *description)
{
    if (description == NULL)
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    ap_audit_finding f = {0};
    ap_status st = ap_money_sub(stated, computed, &f.difference, c->err);
    if (st != AP_OK)
        return st;
    f.status = f.difference == 0 ? AP_AUDIT_OK : AP_AUDIT_ERROR;
    f.cause = f.difference == 0 ? AP_CAUSE_NONE : AP_CAUSE_UNEXPLAINED;
    f.item = AP_AUDIT_NO_ITEM;
    f.scale = 2;
    f.stated = stated;
    f.computed = computed;
    verdict v = {0, "", 0, NULL};
    return file_check(c, where, &f, description, &v);
}

/* A stated total against its printed items (the terms) by ap_audit_sum's
 * rules: within the rounding of every printed figure, or explained by
 * cutting them, or an error with the cause ap_audit_sum finds.  The
 * finding is brought to pence. */
static ap_status sum_check(checks *c, ap__report_where where, ap_unit unit,
                           ap__audit_terms *ts, const ap_amount *stated,
                           const char *description)
{
    if (description == NULL) {
        ap__audit_terms_free(ts);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    ap__audit_unit_widen(&unit, stated);
    for (size_t i = 0; i < ts->n; i++)
        ap__audit_unit_widen(&unit, ts->t[i].amount);
    ap_audit_finding f;
    ap_status st = ap__audit_amounts_sum(unit, ts, stated, NULL, &f, c->err);
    ap__audit_terms_free(ts);
    if (st != AP_OK)
        return st;
    /* Figures in `unit` at f.scale decimals, to pence: every figure is
     * whole pence, so f.scale <= (int)unit and the factor is whole. */
    int up = (int)unit - f.scale;
    int64_t k = ap__pow10(up < 0 ? 0 : up);
    int64_t computed;
    if ((st = ap_money_mul(f.computed, k, &computed, c->err)) ||
        (st = ap_money_mul(f.tolerance, k, &f.tolerance, c->err))) {
        ap_audit_finding_clear(&f);
        return st;
    }
    f.scale = 2;
    f.stated = stated->pence;
    f.computed = computed;
    if ((st = ap_money_sub(stated->pence, computed, &f.difference,
                           c->err))) {
        ap_audit_finding_clear(&f);
        return st;
    }
    /* What the audit found of an error ("One item (two) may have been
     * counted twice: ..."), after its own statement of the figures. */
    char *why = NULL;
    const char *after = f.suggestion ? strstr(f.suggestion, "). ") : NULL;
    if (f.status == AP_AUDIT_ERROR && f.cause != AP_CAUSE_UNEXPLAINED &&
        after != NULL && (why = ap__strdup(after + 3)) == NULL) {
        ap_audit_finding_clear(&f);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    free(f.suggestion);
    f.suggestion = NULL;
    verdict v = {0, "", 0, NULL};
    v.why = why;
    st = file_check(c, where, &f, description, &v);
    free(why);
    return st;
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

/* The percent basis should sum to exactly 100: 44.16 + 56.84 does not.
 * The percentages are rounded prints, the 100 is exact (ap_audit_sum's
 * stated_exact). */
static ap_status check_percent_sum(const ap_plan *plan, checks *c)
{
    const ap_basis *b = &plan->basis;
    size_t n = plan->n_authorities;
    ap_figure *items = calloc(n ? n : 1, sizeof *items);
    const char **labels = calloc(n ? n : 1, sizeof *labels);
    if (items == NULL || labels == NULL) {
        free(items);
        free(labels);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    int printed = 1;
    for (size_t i = 0; i < n && printed; i++) {
        printed = ap_figure_parse(b->value_text[i], (size_t)-1, &items[i],
                                  NULL) == AP_OK;
        labels[i] = plan->authorities[i].code;
    }
    ap_status st = AP_OK;
    ap_audit_finding f = {0};
    ap_audit_options o = ap_audit_defaults();
    o.labels = labels;
    o.stated_exact = 1;
    o.suffix = "%";
    ap_figure hundred = {100, 0};
    /* Not decimal figures (thirds, say): nothing printed to check. */
    if (printed)
        st = ap_audit_sum(items, NULL, n, &hundred, &o, &f, c->err);
    free(items);
    free(labels);
    if (!printed || st != AP_OK)
        return st;
    /* The paper's percentages sum to f.computed, which should be 100. */
    int64_t sum = f.computed;
    f.computed = f.stated;
    f.stated = sum;
    f.difference = -f.difference;
    free(f.suggestion);
    f.suggestion = NULL;
    const char *name = b->name[0] ? b->name : "basis";
    ap__report_where at = {AP_TABLE_CHECK_TOTAL, 0, 0, name, "percent",
                           NULL, "basis.percent_sum", "%"};
    char *what = format("The %s split's percentages sum to 100%%", name);
    if (what == NULL) {
        ap_audit_finding_clear(&f);
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    }
    verdict v = {0, "", 0, NULL};
    st = file_check(c, at, &f, what, &v);
    free(what);
    return st;
}

/* What percentage of the line the stated budget really is, so a reader
 * sees 52.00% beside the basis's 53.57%: " (52.00% of it)", or "". */
static void implied_percent(int64_t amount, int64_t total, char *buf,
                            size_t size)
{
    int64_t h;
    buf[0] = '\0';
    if (total == 0 || ap_money_mul_ratio(amount, 10000, total,
                                         AP_ROUND_HALF_UP, &h,
                                         NULL) != AP_OK)
        return;
    uint64_t m = h < 0 ? (uint64_t)0 - (uint64_t)h : (uint64_t)h;
    snprintf(buf, size, " (%s%llu.%02llu%% of it)", h < 0 ? "-" : "",
             (unsigned long long)(m / 100), (unsigned long long)(m % 100));
}

/* The reading of the basis, when the paper leaves it open (a split
 * printed without names); NULL when none. */
static const ap_reading *basis_reading(const ap_plan *plan)
{
    const ap_reading *reading = NULL;
    for (size_t k = 0; k < plan->n_readings; k++)
        if (strncmp(plan->readings[k].of, "$.basis", 7) == 0)
            reading = &plan->readings[k];
    return reading;
}

/* An authority's stated budget on a line: its funding sources' sum and
 * its share by the basis. */
static ap_status check_share(const ap_plan *plan, const ap_plan_result *r,
                             size_t j, size_t a, checks *c)
{
    const ap_budget_line *line = &plan->lines[j];
    const ap_stated_share *s = &line->stated[a];
    const char *code = plan->authorities[a].code;
    const char *basis = plan->basis.name[0] ? plan->basis.name : "basis";
    ap_status st = AP_OK;
    if (s->n_funding > 0) {
        ap__audit_terms ts = {0};
        for (size_t f = 0; f < s->n_funding && st == AP_OK; f++)
            st = ap__audit_push(&ts, c->err, &s->funding[f].amount, 1,
                                "%s", s->funding[f].source);
        if (st != AP_OK) {
            ap__audit_terms_free(&ts);
            return st;
        }
        char *id = format("line[%s].%s.funding", line->id, code);
        char *what = format("%s's stated budget on line %s equals the sum "
                            "of its %zu funding sources",
                            code, line->id, s->n_funding);
        ap__report_where at = {AP_TABLE_CHECK_TOTAL, 1 + j, a, line->id,
                               code, NULL, id, NULL};
        st = id == NULL ? ap_error_set(c->err, AP_E_NOMEM, "out of memory")
                        : AP_OK;
        if (st == AP_OK)
            st = sum_check(c, at, plan->unit, &ts, &s->amount, what);
        else
            ap__audit_terms_free(&ts);
        free(id);
        free(what);
        if (st != AP_OK)
            return st;
    }
    char implied[64];
    implied_percent(s->amount.pence, line->total.pence, implied,
                    sizeof implied);
    const ap_reading *reading = basis_reading(plan);
    char *note = reading == NULL
                     ? format("%s", "")
                     : format(", reading the printed \"%s\" as %s",
                              reading->printed, reading->read_as);
    char *id = format("line[%s].%s.basis_share", line->id, code);
    char *what = note == NULL ? NULL
                 : format("%s's stated budget on line %s%s equals its "
                          "share by the %s basis (%s%s%s)",
                          code, line->id, implied, basis,
                          plan->basis.value_text[a],
                          plan->basis.kind == AP_BASIS_PERCENT &&
                                  !strchr(plan->basis.value_text[a], '%')
                              ? "%"
                              : "",
                          note);
    ap__report_where at = {AP_TABLE_CHECK_FIGURE, 1 + j, a, line->id, code,
                           NULL, id, NULL};
    st = id == NULL ? ap_error_set(c->err, AP_E_NOMEM, "out of memory")
                    : figure_check(c, at, &s->amount,
                                   r->shares[j * plan->n_authorities + a],
                                   what);
    free(note);
    free(id);
    free(what);
    return st;
}

/* A line's stated total against its authorities' stated budgets, when
 * every one is stated, and the host's income against the receiving
 * authority's budget. */
static ap_status check_line_total(const ap_plan *plan,
                                  const ap_plan_result *r, size_t j,
                                  checks *c)
{
    const ap_budget_line *line = &plan->lines[j];
    size_t na = plan->n_authorities;
    ap_status st = AP_OK;
    int all_stated = 1;
    for (size_t a = 0; a < na; a++)
        all_stated &= line->stated[a].present != 0;
    if (all_stated) {
        ap__audit_terms ts = {0};
        for (size_t a = 0; a < na && st == AP_OK; a++)
            st = ap__audit_push(&ts, c->err, &line->stated[a].amount, 1,
                                "%s", plan->authorities[a].code);
        char *id = format("line[%s].total", line->id);
        char *what = format("Line %s's total equals the sum of the "
                            "authorities' stated budgets",
                            line->id);
        ap__report_where at = {AP_TABLE_CHECK_TOTAL, 1 + j, na, line->id,
                               "total", NULL, id, NULL};
        if (st == AP_OK && id == NULL)
            st = ap_error_set(c->err, AP_E_NOMEM, "out of memory");
        if (st == AP_OK)
            st = sum_check(c, at, plan->unit, &ts, &line->total, what);
        else
            ap__audit_terms_free(&ts);
        free(id);
        free(what);
        if (st != AP_OK)
            return st;
    }
    if (!line->has_host_income || !plan->agreement.has_parties)
        return AP_OK;
    size_t recv = plan->agreement.receiving, host = plan->agreement.host;
    const ap_stated_share *s = &line->stated[recv];
    int64_t expected = s->present ? s->amount.pence : r->shares[j * na + recv];
    if (expected == INT64_MIN)
        return ap_error_set(c->err, AP_E_OVERFLOW,
                            "line %s: the negative of %s's budget is too "
                            "large for money in pence",
                            line->id, plan->authorities[recv].code);
    char *id = format("line[%s].host_income", line->id);
    char *what = format("%s's income budget on line %s equals the negative "
                        "of %s's %s budget",
                        plan->authorities[host].code, line->id,
                        plan->authorities[recv].code,
                        s->present ? "stated" : "basis");
    ap__report_where at = {AP_TABLE_CHECK_FIGURE, 1 + j, host, line->id,
                           plan->authorities[host].code, NULL, id, NULL};
    st = id == NULL ? ap_error_set(c->err, AP_E_NOMEM, "out of memory")
                    : figure_check(c, at, &line->host_income, -expected,
                                   what);
    free(id);
    free(what);
    return st;
}

static ap_status check_lines(const ap_plan *plan, const ap_plan_result *r,
                             checks *c)
{
    for (size_t j = 0; j < plan->n_lines; j++) {
        ap_status st;
        for (size_t a = 0; a < plan->n_authorities; a++)
            if (plan->lines[j].stated[a].present &&
                (st = check_share(plan, r, j, a, c)))
                return st;
        if ((st = check_line_total(plan, r, j, c)))
            return st;
    }
    return AP_OK;
}

/* ---- cut-off figures ---------------------------------------------------
 * A cell the page cuts off ("£52,91…") is checked for consistency only
 * (audit_cut_off.h), in pence; a schedule is exact, so no rounding
 * allowance. */
static ap_status add_cut_off_check(checks *c, ap__report_where where,
                                   const ap_printed_figure *f,
                                   int64_t offset, int is_sum,
                                   int64_t computed, const char *what,
                                   const char *check)
{
    if (check == NULL || what == NULL)
        return ap_error_set(c->err, AP_E_NOMEM, "out of memory");
    static const ap__figure_style pounds = {"\xc2\xa3", "", 2};
    ap_audit_finding x;
    ap_status st = ap__cut_off_finding(f, offset, is_sum, computed, 0,
                                       &pounds, what, "the computed", check,
                                       &x, c->err);
    if (st != AP_OK)
        return st;
    where.check = check;
    return ap__report_add(c->report, &where, &x, c->err);
}

/* "Stated instalment 2 of 4 equals the schedule's" (freed by the
 * caller; NULL when memory runs out). */
static char *instalment_check(size_t k, size_t n)
{
    return format("Stated instalment %zu of %zu equals the schedule's%s",
                  k + 1, n, k + 1 == n ? " balancing one" : "");
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
        char id[64], label[48];
        snprintf(id, sizeof id, "recharge.instalment[%zu]", k + 1);
        snprintf(label, sizeof label, "instalment %zu", k + 1);
        ap__report_where at = {AP_TABLE_CHECK_FIGURE, row + k, payer_at,
                               label, payer, NULL, id, NULL};
        if (f->legibility == AP_NOT_LEGIBLE) {
            n_unread++;
            continue;
        }
        char *what = instalment_check(k, r->n_instalments);
        if (f->legibility == AP_CUT_OFF) {
            cut = f;
            n_cut++;
            st = add_cut_off_check(c, at, f, 0, 0, r->instalments[k],
                                   "the cell", what);
        } else {
            st = ap_money_add(sum, a->pence, &sum, c->err);
            if (st == AP_OK)
                st = figure_check(c, at, a, r->instalments[k], what);
        }
        free(what);
        if (st != AP_OK)
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
    char *check = format("The %zu stated instalments sum to %s's %s budget "
                         "being recharged",
                         plan->n_stated_instalments, payer,
                         plan->recharge.of == AP_RECHARGE_OF_STATED
                             ? "stated"
                             : "basis");
    if (n_cut == 1) {
        char what[64];
        snprintf(what, sizeof what, "instalment %zu",
                 (size_t)(cut - plan->stated_printed) + 1);
        st = add_cut_off_check(c, at, cut, sum, 1, r->recharge_share, what,
                               check);
    } else {
        /* The invoices of a schedule are exact, not rounded prints. */
        st = exact_check(c, at, sum, r->recharge_share, check);
    }
    free(check);
    return st;
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
