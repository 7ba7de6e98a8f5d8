/* apportion plugin: NCT, Northamptonshire Children's Trust.
 *
 * The Trust is owned by North and West Northamptonshire Councils (NNC and
 * WNC) and paid a contract sum under the Service Delivery Contract (SDC):
 * Schedule 6 holds its 21 KPIs with targets, tolerances and the escalation
 * to Performance Failure and Rectification Plan; Schedule 5 the financial
 * mechanism.  The source is the Service Delivery Contract's annual report
 * 2021/22 (NCT, West and North Northamptonshire Councils), which names 16
 * of the 21 KPIs but
 * does not print Schedule 6's figures: the targets, tolerances and
 * escalation periods below are assumptions and say so.
 *
 * Registers
 *   KPIs         16 contractual KPIs the report names, each with polarity,
 *                unit and escalation; five are scored from the measures.
 *   measures     referral_decision_within_2_working_days (received,
 *                decided); rereferrals_within_12_months (subject,
 *                referred); assessments_within_45_working_days (started,
 *                completed); cp_plans_second_or_subsequent (plan_start,
 *                previous_plans); cic_three_or_more_placements
 *                (placements).
 *   check        outturn: each line's variance against outturn - budget,
 *                and the stated totals against their lines.
 *   section      outturn_by_service_area.
 *   calculator   contract_split money(money, int64): an authority's part
 *                of a pressure in the contract split (NNC 44.16%, WNC
 *                55.84%).
 *
 * The 2021/22 outturn table (section 4 of the report, £000):
 *   Service area                         Budget   Gross  Covid  Outturn  Var
 *   Corporate Parent Service             43,998  45,026  (856)  44,170   172
 *   Children, Young People and Family     5,692   5,076      -   5,076 (616)
 *     Support Services
 *   Prevention & Safeguarding            14,314  15,784 (1,656) 14,128 (186)
 *   Quality Assurance and Commissioning  57,579  59,399  (120)  59,279 1,700
 *   NCT Central                           1,765   1,765      -   1,765     0
 *   Northamptonshire Children's Trust  (123,348) (123,348)   - (123,348)  0
 *   Total                                     -   3,701 (2,631)  1,070 1,070
 * Every line adds up; the gross outturn and covid funding columns sum to
 * 3,702 and (2,632), one more than the stated totals: the rounding of the
 * printed figures, which the check reports as a warning, not an error.
 *
 * The working-day and re-referral rules, printed figures ("-" an exact
 * nil), the stated-versus-computed findings and units are the host's
 * (ABI 1.1: measure_within, rereferral_flags, field_figure,
 * compare_figure, unit_parse), so they are the same as everywhere else in
 * apportion. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "../common/first_party.h"

/* The span of dates the calendars cover, set in init. */
static int64_t span_first, span_last;

static const ap_plugin_info info = {
    AP_PLUGIN_INFO_HEADER,
    "nct",
    "1.0.0",
    "NCT",
    "Northamptonshire Children's Trust: Service Delivery Contract KPIs, "
    "case-record measures, outturn checks and the NNC/WNC contract split",
    "MIT",
    NULL,
};

/* ---- small helpers -------------------------------------------------- */

static ap_status column_missing(ap_error *err)
{
    return err->status != AP_OK ? err->status : AP_E_INPUT;
}

static ap_status no_params(const ap_fields *params, const char *measure,
                           ap_error *err)
{
    if (params->n == 0)
        return AP_OK;
    return host->error_set(err, AP_E_INPUT,
                           "unknown parameter \"%s\"; %s takes none",
                           params->items[0].path, measure);
}

/* ---- measures: within N working days -------------------------------- */

typedef struct sla_spec {
    int64_t limit;           /* working days */
    const char *start;       /* column of the start date */
    const char *end;         /* column of the end date (NaT: open) */
} sla_spec;

static sla_spec referral_spec = {2, "received", "decided"};
static sla_spec assessment_spec = {45, "started", "completed"};

/* As apportion.within_working_days, by the core's own rule
 * (host->measure_within): a closed record is in the denominator, and in
 * the numerator when its elapsed working days are within the limit; an
 * open one counts as late only when as_of is given and it is already past
 * the limit then, and is left out otherwise.  The optional parameter
 * "convention" chooses how elapsed days are counted.  Errors name the
 * row. */
static ap_status sla_measure(void *user, const ap_measure_input *in,
                             size_t from, size_t to, int64_t *numerator,
                             int64_t *denominator, ap_error *err)
{
    const sla_spec *spec = user;
    return host->measure_within(in, spec->start, spec->end, spec->limit, from,
                                to, numerator, denominator, err);
}

/* ---- measure: re-referrals within 12 months -------------------------- */

/* As apportion.rereferrals (host->rereferral_flags): a referral is a
 * re-referral when the subject's latest earlier referral is dated on or
 * after the same day 12 months before.  Every referral is in the
 * denominator.  Not rowwise: each row needs the whole subject history, so
 * the flags are worked out on all rows and rows [from, to) written. */
static ap_status rereferrals(void *user, const ap_measure_input *in,
                             size_t from, size_t to, int64_t *numerator,
                             int64_t *denominator, ap_error *err)
{
    (void)user;
    ap_status st = no_params(in->params, "rereferrals_within_12_months", err);
    if (st != AP_OK)
        return st;
    const int64_t *subject = host->records_column(in, "subject", err);
    if (subject == NULL)
        return column_missing(err);
    const int64_t *date = host->records_column(in, "referred", err);
    if (date == NULL)
        return column_missing(err);
    uint8_t *flag = malloc(in->n_rows ? in->n_rows : 1);
    if (flag == NULL)
        return host->error_set(err, AP_E_NOMEM,
                               "out of memory flagging %zu referrals",
                               in->n_rows);
    st = host->rereferral_flags(subject, date, in->n_rows, 12, flag, err);
    for (size_t r = from; r < to && st == AP_OK; r++) {
        numerator[r - from] = flag[r];
        denominator[r - from] = 1;
    }
    free(flag);
    return st;
}

/* ---- measures: child protection plans and placements ----------------- */

/* Child protection plans started for the second or subsequent time: each
 * plan is in the denominator, and in the numerator when the child had a
 * plan before (previous_plans > 0). */
static ap_status cp_repeat(void *user, const ap_measure_input *in,
                           size_t from, size_t to, int64_t *numerator,
                           int64_t *denominator, ap_error *err)
{
    (void)user;
    ap_status st = no_params(in->params, "cp_plans_second_or_subsequent", err);
    if (st != AP_OK)
        return st;
    const int64_t *start = host->records_column(in, "plan_start", err);
    if (start == NULL)
        return column_missing(err);
    const int64_t *previous = host->records_column(in, "previous_plans", err);
    if (previous == NULL)
        return column_missing(err);
    for (size_t r = from; r < to; r++) {
        if (start[r] == AP_DATE_NAT || start[r] < span_first ||
            start[r] > span_last) {
            char d[32];
            host->date_format(start[r], d, sizeof d);
            return host->error_set(err, AP_E_INPUT,
                                   "row %zu: plan_start is %s; every plan "
                                   "needs a start date from 1970-01-01 to "
                                   "2100-12-31",
                                   r, d);
        }
        if (previous[r] < 0)
            return host->error_set(err, AP_E_INPUT,
                                   "row %zu: previous_plans is %lld; it "
                                   "must be a count, 0 or more",
                                   r, (long long)previous[r]);
        numerator[r - from] = previous[r] > 0;
        denominator[r - from] = 1;
    }
    return AP_OK;
}

/* Children in care with three or more placements in the year: each child
 * in the denominator, in the numerator when placements >= 3. */
static ap_status cic_placements(void *user, const ap_measure_input *in,
                                size_t from, size_t to, int64_t *numerator,
                                int64_t *denominator, ap_error *err)
{
    (void)user;
    ap_status st = no_params(in->params, "cic_three_or_more_placements", err);
    if (st != AP_OK)
        return st;
    const int64_t *placements = host->records_column(in, "placements", err);
    if (placements == NULL)
        return column_missing(err);
    for (size_t r = from; r < to; r++) {
        if (placements[r] < 0)
            return host->error_set(err, AP_E_INPUT,
                                   "row %zu: placements is %lld; it must be "
                                   "a count, 0 or more",
                                   r, (long long)placements[r]);
        numerator[r - from] = placements[r] >= 3;
        denominator[r - from] = 1;
    }
    return AP_OK;
}

/* ---- the outturn table ------------------------------------------------- */

enum {
    COL_BUDGET,
    COL_GROSS,
    COL_FUNDING,
    COL_OUTTURN,
    COL_VARIANCE,
    N_COLS
};
static const char *const col_key[N_COLS] = {"budget", "gross_outturn",
                                            "funding", "outturn", "variance"};
static const char *const col_title[N_COLS] = {
    "Budget", "Gross outturn", "Funding", "Outturn", "Variance"};
static const int col_required[N_COLS] = {1, 0, 0, 1, 1};

typedef struct row {
    const char *service;
    int64_t v[N_COLS], res[N_COLS];
    int has[N_COLS]; /* read */
    int bad[N_COLS]; /* present but unreadable (reported) */
} row;

typedef struct table {
    ap_unit unit;
    int budget_minus_outturn; /* the variance's sign convention */
    size_t n;
    row *lines;               /* n, malloc'd */
    row total;
    int has_gross;            /* some line has gross_outturn or funding */
} table;

/* A figure of the table (host->field_figure: a printed figure in unit
 * with its resolution, "-" for nil).  Missing is a problem only when
 * required; unreadable always is. */
static ap_status read_cell(const ap_fields *data, const char *path,
                           ap_unit unit, int required, int64_t *v,
                           int64_t *res, int *has, int *bad, problem_fn fn,
                           void *ctx)
{
    ap_error e;
    memset(&e, 0, sizeof e);
    *has = 0;
    *bad = 0;
    if (host->field_find(data, path) == NULL)
        return required ? report(fn, ctx, AP_SEVERITY_ERROR, path,
                                 "%s is missing", path)
                        : AP_OK;
    if (host->field_figure(data, path, unit, v, res, &e) != AP_OK) {
        *bad = 1;
        return report(fn, ctx, AP_SEVERITY_ERROR, path, "%s", e.message);
    }
    *has = 1;
    return AP_OK;
}

/* Reads "unit", "variance_sign", "lines[i].{service, budget,
 * gross_outturn, funding, outturn, variance}" and "total.{...}".  Returns
 * nonzero in *usable when the table can be checked at all. */
static ap_status table_read(const ap_fields *data, table *t, int *usable,
                            problem_fn fn, void *ctx, ap_error *err)
{
    ap_status st;
    memset(t, 0, sizeof *t);
    t->unit = AP_UNIT_POUNDS;
    *usable = 0;
    const ap_value *u = host->field_find(data, "unit");
    if (u == NULL) {
        if ((st = report(fn, ctx, AP_SEVERITY_WARNING, "unit",
                         "unit is missing, so text figures are read as "
                         "pounds; give \"£\", \"£000\" or \"£m\" as the "
                         "table's heading does")) != AP_OK)
            return st;
    } else if (u->type != AP_TYPE_STRING) {
        return report(fn, ctx, AP_SEVERITY_ERROR, "unit",
                      "unit is a %s; it must be text such as \"£000\"",
                      host->value_type_name(u->type));
    } else {
        ap_error e;
        memset(&e, 0, sizeof e);
        if (host->unit_parse(u->as.s, &t->unit, &e) != AP_OK)
            return report(fn, ctx, AP_SEVERITY_ERROR, "unit", "unit: %s",
                          e.message);
    }
    const ap_value *sign = host->field_find(data, "variance_sign");
    if (sign != NULL) {
        if (sign->type == AP_TYPE_STRING &&
            same_text(sign->as.s, "budget_minus_outturn"))
            t->budget_minus_outturn = 1;
        else if (sign->type != AP_TYPE_STRING ||
                 !same_text(sign->as.s, "outturn_minus_budget"))
            return report(fn, ctx, AP_SEVERITY_ERROR, "variance_sign",
                          "variance_sign is %s; it must be "
                          "\"outturn_minus_budget\" (positive is an "
                          "overspend) or \"budget_minus_outturn\"",
                          sign->type == AP_TYPE_STRING ? sign->as.s
                                                       : "not text");
    }
    t->n = host->field_count(data, "lines");
    if (t->n == 0)
        return report(fn, ctx, AP_SEVERITY_ERROR, "lines",
                      "no lines: the table is lines[i].service, "
                      "lines[i].budget, lines[i].outturn and "
                      "lines[i].variance");
    t->lines = calloc(t->n, sizeof *t->lines);
    if (t->lines == NULL)
        return host->error_set(err, AP_E_NOMEM,
                               "out of memory reading %zu lines", t->n);
    char path[96];
    for (size_t i = 0; i < t->n; i++) {
        row *r = &t->lines[i];
        snprintf(path, sizeof path, "lines[%zu].service", i);
        const ap_value *s = host->field_find(data, path);
        r->service = s != NULL && s->type == AP_TYPE_STRING ? s->as.s : NULL;
        if (r->service == NULL &&
            (st = report(fn, ctx, AP_SEVERITY_WARNING, path,
                         "%s is missing or not text", path)) != AP_OK)
            return st;
        for (int c = 0; c < N_COLS; c++) {
            snprintf(path, sizeof path, "lines[%zu].%s", i, col_key[c]);
            if ((st = read_cell(data, path, t->unit, col_required[c], &r->v[c],
                                &r->res[c], &r->has[c], &r->bad[c], fn,
                                ctx)) != AP_OK)
                return st;
        }
        if (r->has[COL_GROSS] || r->has[COL_FUNDING] || r->bad[COL_GROSS] ||
            r->bad[COL_FUNDING])
            t->has_gross = 1;
    }
    t->total.service = "Total";
    for (int c = 0; c < N_COLS; c++) {
        snprintf(path, sizeof path, "total.%s", col_key[c]);
        if ((st = read_cell(data, path, t->unit, 0, &t->total.v[c],
                            &t->total.res[c], &t->total.has[c],
                            &t->total.bad[c], fn, ctx)) != AP_OK)
            return st;
    }
    *usable = 1;
    return AP_OK;
}

static const char *line_name(const table *t, size_t i, char *buf, size_t size)
{
    if (t->lines[i].service != NULL)
        snprintf(buf, size, "%s (lines[%zu])", t->lines[i].service, i);
    else
        snprintf(buf, size, "lines[%zu]", i);
    return buf;
}

/* Checks one row's identities: variance = outturn - budget (or the
 * reverse under budget_minus_outturn), and outturn = gross outturn +
 * funding when both are given. */
static ap_status check_row(const table *t, const row *r, const char *prefix,
                           const char *name, ap_findings *out, ap_error *err)
{
    char path[128], subject[256];
    ap_status st;
    ap_error e;
    memset(&e, 0, sizeof e);
    if (r->has[COL_BUDGET] && r->has[COL_OUTTURN] && r->has[COL_VARIANCE]) {
        int64_t expect;
        st = t->budget_minus_outturn
                 ? host->money_sub(r->v[COL_BUDGET], r->v[COL_OUTTURN],
                                   &expect, &e)
                 : host->money_sub(r->v[COL_OUTTURN], r->v[COL_BUDGET],
                                   &expect, &e);
        snprintf(path, sizeof path, "%s.variance", prefix);
        snprintf(subject, sizeof subject, "%s: the variance", name);
        if (st != AP_OK)
            FIND(AP_SEVERITY_ERROR, path, "%s: %s", subject, e.message);
        else if ((st = host->compare_figure(
                      out, path, subject, r->v[COL_VARIANCE],
                      r->res[COL_VARIANCE],
                      t->budget_minus_outturn ? "budget - outturn"
                                              : "outturn - budget",
                      expect, r->res[COL_BUDGET] + r->res[COL_OUTTURN],
                      t->unit)) != AP_OK)
            return out_failed(err, st);
    }
    if (r->has[COL_GROSS] && r->has[COL_FUNDING] && r->has[COL_OUTTURN]) {
        int64_t expect;
        snprintf(path, sizeof path, "%s.outturn", prefix);
        snprintf(subject, sizeof subject, "%s: the outturn", name);
        if (host->money_add(r->v[COL_GROSS], r->v[COL_FUNDING], &expect, &e) !=
            AP_OK)
            FIND(AP_SEVERITY_ERROR, path, "%s: %s", subject, e.message);
        else if ((st = host->compare_figure(
                      out, path, subject, r->v[COL_OUTTURN],
                      r->res[COL_OUTTURN], "gross outturn + funding", expect,
                      r->res[COL_GROSS] + r->res[COL_FUNDING], t->unit)) !=
                 AP_OK)
            return out_failed(err, st);
    } else if (r->has[COL_GROSS] != r->has[COL_FUNDING] &&
               !r->bad[COL_GROSS] && !r->bad[COL_FUNDING]) {
        snprintf(path, sizeof path, "%s.%s", prefix,
                 r->has[COL_GROSS] ? "funding" : "gross_outturn");
        FIND(AP_SEVERITY_WARNING, path,
             "%s: %s is missing, so the outturn cannot be checked against "
             "gross outturn + funding",
             name, path);
    }
    return AP_OK;
}

static ap_status outturn_check(void *user, const ap_fields *data,
                               ap_findings *out, ap_error *err)
{
    (void)user;
    table t;
    int usable;
    check_ctx ctx = {out};
    ap_status st = table_read(data, &t, &usable, to_finding, &ctx, err);
    if (st != AP_OK || !usable) {
        free(t.lines);
        return st == AP_OK || err->status != AP_OK ? st : out_failed(err, st);
    }
    char name[256], path[64], subject[256];
    for (size_t i = 0; i < t.n && st == AP_OK; i++) {
        snprintf(path, sizeof path, "lines[%zu]", i);
        st = check_row(&t, &t.lines[i], path, line_name(&t, i, name, sizeof name),
                       out, err);
    }
    /* Each stated total against the sum of its lines. */
    for (int c = 0; c < N_COLS && st == AP_OK; c++) {
        snprintf(path, sizeof path, "total.%s", col_key[c]);
        if (!t.total.has[c]) {
            if (col_required[c] && !t.total.bad[c])
                st = host->finding(out, AP_SEVERITY_INFO, path,
                                   "%s is not given, so the %s column's "
                                   "total is not checked",
                                   path, col_key[c]);
            if (st != AP_OK)
                st = out_failed(err, st);
            continue;
        }
        int64_t sum = 0, res = 0;
        int complete = 1;
        ap_error e;
        memset(&e, 0, sizeof e);
        for (size_t i = 0; i < t.n; i++) {
            if (!t.lines[i].has[c]) {
                complete = 0;
                break;
            }
            if (host->money_add(sum, t.lines[i].v[c], &sum, &e) != AP_OK)
                break;
            res += t.lines[i].res[c];
        }
        if (e.status != AP_OK) {
            st = host->finding(out, AP_SEVERITY_ERROR, path, "%s: %s", path,
                               e.message);
            if (st != AP_OK)
                st = out_failed(err, st);
            continue;
        }
        if (!complete)
            continue; /* a line without the figure is reported already */
        snprintf(subject, sizeof subject, "the total %s (%s)",
                 c == COL_GROSS ? "gross outturn" : col_key[c], path);
        st = host->compare_figure(out, path, subject, t.total.v[c],
                                  t.total.res[c], "the sum of the lines", sum,
                                  res, t.unit);
        if (st != AP_OK)
            st = out_failed(err, st);
    }
    if (st == AP_OK)
        st = check_row(&t, &t.total, "total", "Total", out, err);
    free(t.lines);
    return st;
}

/* ---- the section: outturn by service area ----------------------------- */

static ap_status outturn_section(void *user, const ap_fields *data,
                                 ap_text *out, ap_error *err)
{
    (void)user;
    table t;
    int usable;
    section_ctx ctx = {err, 0};
    ap_status st = table_read(data, &t, &usable, to_error, &ctx, err);
    if (st == AP_OK && (ctx.failed || !usable))
        st = AP_E_INPUT;
    if (st != AP_OK) {
        free(t.lines);
        if (st == AP_E_INPUT && !ctx.failed)
            host->error_set(err, st, "the outturn table cannot be read");
        return st;
    }
    /* The totals row: the stated totals, else the sums of the lines. */
    row total = t.total;
    for (int c = 0; c < N_COLS; c++) {
        if (total.has[c])
            continue;
        int64_t sum = 0;
        int complete = 1;
        for (size_t i = 0; i < t.n && complete; i++)
            if (!t.lines[i].has[c] ||
                host->money_add(sum, t.lines[i].v[c], &sum, NULL) != AP_OK)
                complete = 0;
        total.v[c] = sum;
        total.has[c] = complete;
    }
    int decimals = 0;
    for (size_t i = 0; i <= t.n; i++) {
        const row *r = i < t.n ? &t.lines[i] : &total;
        for (int c = 0; c < N_COLS; c++)
            if (r->has[c] && exact_decimals(r->v[c], t.unit) > decimals)
                decimals = exact_decimals(r->v[c], t.unit);
    }
    int cols[N_COLS], n_cols = 0;
    for (int c = 0; c < N_COLS; c++)
        if (col_required[c] || t.has_gross)
            cols[n_cols++] = c;
    const char *unit = host->unit_name(t.unit);
    st = host->text_append(out,
                           "Figures in %s; brackets are negative.  Variance "
                           "= %s, so a positive variance is %s.\n\n"
                           "| Service area |",
                           unit,
                           t.budget_minus_outturn ? "budget - outturn"
                                                  : "outturn - budget",
                           t.budget_minus_outturn ? "an underspend"
                                                  : "an overspend (adverse)");
    for (int k = 0; k < n_cols && st == AP_OK; k++)
        st = host->text_append(out, " %s |", col_title[cols[k]]);
    if (st == AP_OK)
        st = host->text_append(out, " |\n|:--|");
    for (int k = 0; k < n_cols && st == AP_OK; k++)
        st = host->text_append(out, "--:|");
    if (st == AP_OK)
        st = host->text_append(out, ":--|\n");
    for (size_t i = 0; i <= t.n && st == AP_OK; i++) {
        const row *r = i < t.n ? &t.lines[i] : &total;
        const int bold = i == t.n;
        char label[64];
        if (r->service == NULL)
            snprintf(label, sizeof label, "line %zu", i + 1);
        st = host->text_append(out, bold ? "| **%s** |" : "| %s |",
                               r->service != NULL ? r->service : label);
        for (int k = 0; k < n_cols && st == AP_OK; k++) {
            char cell[64] = "";
            if (r->has[cols[k]])
                fmt_cell(r->v[cols[k]], t.unit, decimals, cell, sizeof cell);
            st = host->text_append(out, bold && cell[0] ? " **%s** |" : " %s |",
                                   cell);
        }
        const char *note = "";
        if (st == AP_OK && r->has[COL_VARIANCE] && r->v[COL_VARIANCE] != 0)
            note = (r->v[COL_VARIANCE] > 0) != t.budget_minus_outturn
                       ? "overspend"
                       : "underspend";
        if (st == AP_OK)
            st = host->text_append(out, " %s |\n", note);
    }
    free(t.lines);
    if (st != AP_OK)
        return out_failed(err, st);
    return AP_OK;
}

/* ---- calculator: the contract split ----------------------------------- */

/* The contract split of the councils' funding of NCT, in hundredths of a
 * percent: NNC 44.16%, WNC 55.84% (the T&E Board report of 6 March 2024,
 * 7.1.1; the savings report of the same meeting prints WNC as 56.84%, which
 * with 44.16% makes 101%, and rounds it to 56% / 44% in its 7.1.1). */
static const int64_t contract_weights[2] = {4416, 5584};

/* The part of a pressure (or any sum) that authority 0 (NNC) or 1 (WNC)
 * funds: the pressure split 44.16 : 55.84 to the penny by the largest
 * remainder, so the two parts always add up to it.  £29.670m (the 2023/24
 * period 9 forecast pressure) gives NNC £13,102,272 and WNC
 * £16,567,728. */
static int64_t contract_split(int64_t amount, int64_t authority,
                              ap_error *err)
{
    if (authority != 0 && authority != 1) {
        host->error_set(err, AP_E_INPUT,
                        "authority is %lld; it must be 0 for NNC (44.16%%) "
                        "or 1 for WNC (55.84%%)",
                        (long long)authority);
        return 0;
    }
    int64_t shares[2] = {0, 0};
    if (host->apportion(amount, contract_weights, 2, AP_LARGEST_REMAINDER,
                        shares, err) != AP_OK)
        return 0;
    return shares[authority];
}

/* ---- KPIs -------------------------------------------------------------- */

/* SDC Schedule 6 KPIs named in the 2021/22 annual report.  Each literal
 * stays under the 4095 characters C requires compilers to take; they are
 * joined in init. */
static const char *const kpis_json[] = {
    "{\"format\": \"apportion.kpis/1\",\n"
    " \"title\": \"Northamptonshire Children's Trust: the Service Delivery "
    "Contract KPIs (Schedule 6) named in the SDC annual report 2021/22. "
    "Schedule 6 holds 21 KPIs; the report names these 16 (its Appendix 1, "
    "the full list with performance, is an attachment not reproduced). The "
    "report does not print Schedule 6's targets, tolerances or escalation "
    "periods: every target, tolerance, band and escalation figure here is "
    "an assumption, not the contract's. Escalation: out of tolerance (Red) for failure_after "
    "consecutive periods is a Performance Failure; one not resolved "
    "rectification_after periods later needs a Rectification Plan. The "
    "report records no Performance Failures and so no Rectification Plans "
    "in 2021/22.\",\n"
    " \"kpis\": [\n",
    "  {\"ref\": \"NCT-REF-DECISION\",\n"
    "   \"description\": \"Percentage of all referrals with a decision "
    "within 2 working days (above target 11 months of 12 in 2021/22). The "
    "contract words it as 24 working hours; the report proposes 2 working "
    "days, as measured. Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": 90,\n"
    "   \"tolerance\": {\"value\": \"5\", \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2},\n"
    "   \"measure\": \"referral_decision_within_2_working_days\"},\n"
    "  {\"ref\": \"NCT-REREFERRAL-12M\",\n"
    "   \"description\": \"Percentage of referrals with a previous referral "
    "within 12 months (lower is better; above target but within tolerance "
    "all of 2021/22). Target and bands are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 22,\n"
    "   \"bands\": [\n"
    "    {\"rag\": \"green\", \"upper\": 22, \"upper_inclusive\": true},\n"
    "    {\"rag\": \"amber\", \"lower\": 22, \"lower_inclusive\": false, "
    "\"upper\": \"27.5\", \"upper_inclusive\": true},\n"
    "    {\"rag\": \"red\", \"lower\": \"27.5\", \"lower_inclusive\": false}"
    "],\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2},\n"
    "   \"measure\": \"rereferrals_within_12_months\"},\n"
    "  {\"ref\": \"NCT-ASSESS-45WD\",\n"
    "   \"description\": \"Percentage of Single Assessments authorised "
    "within 45 working days (consistently above target and never below "
    "97% in 2021/22). Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": \"85\",\n"
    "   \"tolerance\": {\"value\": 10, \"kind\": \"percent\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2},\n"
    "   \"measure\": \"assessments_within_45_working_days\"},\n",
    "  {\"ref\": \"NCT-CPP-REPEAT\",\n"
    "   \"description\": \"Percentage of children who became the subject of "
    "a Child Protection Plan for the second or subsequent time (lower is "
    "better; fluctuated through 2021/22, repeat plans too high on "
    "occasion). Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": \"20%\",\n"
    "   \"tolerance\": {\"value\": \"10\", \"kind\": \"percent\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2},\n"
    "   \"measure\": \"cp_plans_second_or_subsequent\"},\n"
    "  {\"ref\": \"NCT-CIC-3PLACEMENTS\",\n"
    "   \"description\": \"Percentage of Children in Care with three or "
    "more placements in the previous 12 months (short term placement "
    "stability; lower is better; performance declined gradually through "
    "2021/22). Target and band wording are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 10,\n"
    "   \"bands\": \"Green = 10% or below, Amber = 10-12%, Red = over "
    "12%\",\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2},\n"
    "   \"measure\": \"cic_three_or_more_placements\"},\n"
    "  {\"ref\": \"NCT-CIC-LONG-TERM-STABILITY\",\n"
    "   \"description\": \"Percentage of children in care 2.5 years or more "
    "who have been in the same placement for 2+ years or placed for "
    "adoption (long term placement stability; improved through 2021/22 "
    "and finished above target). Target and tolerance are "
    "assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": 70,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n",
    "  {\"ref\": \"NCT-CARE-LEAVERS-ACCOMMODATION\",\n"
    "   \"description\": \"Percentage of young people now aged 17-21 and "
    "living in suitable accommodation who were looked after when aged 16 "
    "(above target and the national average in 2021/22; the report "
    "proposes year-to-date monthly figures). Target and tolerance are "
    "assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": 85,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-CARE-LEAVERS-EET\",\n"
    "   \"description\": \"Percentage of young people now aged 17-21 and in "
    "employment, education or training who were looked after when aged 16 "
    "(above target and the national average in 2021/22). Target and "
    "tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": 55,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-SW-VACANCIES\",\n"
    "   \"description\": \"Percentage of social worker posts vacant (lower "
    "is better; rose mid-year, then finished 2021/22 better than target "
    "and at the national average). Target and tolerance are "
    "assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 15,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n",
    "  {\"ref\": \"NCT-SW-AGENCY\",\n"
    "   \"description\": \"Percentage of social worker posts filled with "
    "agency staff (lower is better; hovered around target in 2021/22). "
    "Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 15,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-SW-CASELOADS\",\n"
    "   \"description\": \"Percentage of qualified social workers with "
    "caseloads above target (lower is better; just above target in "
    "2021/22). Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 10,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-COMPLAINTS-10WD\",\n"
    "   \"description\": \"Percentage of complaints responded to within 10 "
    "working days (below target on 4 occasions in 2021/22). Target and "
    "bands are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": 80,\n"
    "   \"bands\": [\n"
    "    {\"rag\": \"red\", \"lower\": 0, \"lower_inclusive\": true, "
    "\"upper\": 70, \"upper_inclusive\": false},\n"
    "    {\"rag\": \"amber\", \"lower\": 70, \"lower_inclusive\": true, "
    "\"upper\": 80, \"upper_inclusive\": false},\n"
    "    {\"rag\": \"green\", \"lower\": 80, \"lower_inclusive\": true, "
    "\"upper\": 100, \"upper_inclusive\": true}],\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 2, \"rectification_after\": 1}},\n",
    "  {\"ref\": \"NCT-COMPLAINTS-STAGE2\",\n"
    "   \"description\": \"Stage 2 investigations as a % of stage 1 "
    "complaints received within the year (lower is better; often missed "
    "target in 2021/22, and NCT and the Councils propose removing it). "
    "Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 10,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-PLACED-20-MILES\",\n"
    "   \"description\": \"Percentage of children placed more than 20 miles "
    "from their homes, outside the LA boundary (lower is better; the LA "
    "boundary is Northamptonshire as was, and the report questions the "
    "KPI's benefit). Target and tolerance are assumptions.\",\n"
    "   \"unit\": \"%\", \"polarity\": \"lower\", \"target\": 15,\n"
    "   \"tolerance\": {\"value\": 5, \"kind\": \"points\"},\n"
    "   \"frequency\": \"monthly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 3, \"rectification_after\": 2}},\n",
    "  {\"ref\": \"NCT-ADOPTION-A10\",\n"
    "   \"description\": \"Average days between a child entering care and "
    "moving in with its adoptive family (adoption scorecard A10; lower is "
    "better). The report prints only that both adoption indicators "
    "dropped in quarter 2 of 2021/22 and improved in quarters 3 and 4; it "
    "does not name them. Reading them as scorecard A10 and A2 is an "
    "assumption, as are the target (the national threshold of 426 days) "
    "and the tolerance.\",\n"
    "   \"unit\": \"days\", \"polarity\": \"lower\", \"target\": 426,\n"
    "   \"tolerance\": {\"value\": 60, \"kind\": \"points\"},\n"
    "   \"frequency\": \"quarterly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 2, \"rectification_after\": 2}},\n"
    "  {\"ref\": \"NCT-ADOPTION-A2\",\n"
    "   \"description\": \"Average days between the court authority to "
    "place a child and the decision on a match to an adoptive family "
    "(adoption scorecard A2; lower is better; dropped in quarter 2 of "
    "2021/22, improved in quarters 3 and 4). Reading the report's second "
    "adoption indicator as A2 is an assumption, as are the target (the "
    "national threshold of 121 days) and the tolerance.\",\n"
    "   \"unit\": \"days\", \"polarity\": \"lower\", \"target\": 121,\n"
    "   \"tolerance\": {\"value\": 30, \"kind\": \"points\"},\n"
    "   \"frequency\": \"quarterly\",\n"
    "   \"reported_to\": \"Operational Group (monthly performance report to "
    "NNC and WNC)\",\n"
    "   \"escalation\": {\"failure_after\": 2, \"rectification_after\": 2}}\n"
    " ]}\n",
};

static ap_status register_kpis(ap_registrar *reg, ap_error *err)
{
    size_t n = sizeof kpis_json / sizeof kpis_json[0], len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(kpis_json[i]);
    char *json = malloc(len + 1);
    if (json == NULL)
        return host->error_set(err, AP_E_NOMEM,
                               "out of memory joining the KPI definitions");
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(kpis_json[i]);
        memcpy(json + at, kpis_json[i], k);
        at += k;
    }
    json[at] = '\0';
    ap_status st = host->register_kpis(reg, json, err);
    free(json);
    return st;
}

/* ---- registration ------------------------------------------------------ */

static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    ap_status st;
    const unsigned rowwise = AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE;

    span_first = host->date_from_ymd(AP_CALENDAR_FIRST_YEAR, 1, 1);
    span_last = host->date_from_ymd(AP_CALENDAR_LAST_YEAR, 12, 31);
    const ap_measure_def measures[] = {
        {sizeof(ap_measure_def), "referral_decision_within_2_working_days",
         "Referrals with a decision within 2 working days after the day of "
         "receipt; open ones count as late once past the limit on the as-of "
         "date",
         "received,decided", 100, rowwise, sla_measure,
         &referral_spec},
        {sizeof(ap_measure_def), "rereferrals_within_12_months",
         "Referrals whose subject had an earlier referral on or after the "
         "same day 12 months before, of all referrals (lower is better)",
         "subject,referred", 100, 0, rereferrals, NULL},
        {sizeof(ap_measure_def), "assessments_within_45_working_days",
         "Single Assessments authorised within 45 working days after the "
         "day they started; open ones count as late once past the limit on "
         "the as-of date",
         "started,completed", 100, rowwise, sla_measure,
         &assessment_spec},
        {sizeof(ap_measure_def), "cp_plans_second_or_subsequent",
         "Child protection plans started for the second or subsequent time "
         "(previous_plans > 0), of all plans started (lower is better)",
         "plan_start,previous_plans", 100, rowwise, cp_repeat, NULL},
        {sizeof(ap_measure_def), "cic_three_or_more_placements",
         "Children in care with three or more placements in the year, of "
         "all children in care (lower is better)",
         "placements", 100, rowwise, cic_placements, NULL},
    };
    for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++)
        if ((st = host->register_measure(reg, &measures[i], err)) != AP_OK)
            return st;
    if ((st = register_kpis(reg, err)) != AP_OK)
        return st;

    const ap_check_def check = {
        sizeof(ap_check_def),
        "outturn",
        "The outturn table: each line's variance against outturn - budget "
        "(and outturn against gross outturn + funding when given), and each "
        "stated total against its lines.  Reads unit, variance_sign, "
        "lines[i].service, .budget, .gross_outturn, .funding, .outturn, "
        ".variance and total.*",
        outturn_check,
        NULL,
    };
    if ((st = host->register_check(reg, &check, err)) != AP_OK)
        return st;

    const ap_section_def section = {
        sizeof(ap_section_def),
        "outturn_by_service_area",
        "NCT outturn by service area",
        outturn_section,
        NULL,
    };
    if ((st = host->register_section(reg, &section, err)) != AP_OK)
        return st;

    const ap_calculator_def calculator = {
        sizeof(ap_calculator_def),
        "contract_split",
        "money(money, int64)",
        "The part of a pressure funded by an authority in the contract split "
        "(0: NNC 44.16%, 1: WNC 55.84%), exact to the penny",
        AP_CALCULATOR_FN(contract_split),
    };
    return host->register_calculator(reg, &calculator, err);
}

/* The entry points (plugin.h): init refuses a host older than the ABI 1.1
 * that info declares (this file uses compare_figure), keeps it in host and
 * calls register_all. */
AP_PLUGIN_DEFINE(info, register_all);
