/* apportion plugin: IASS, the SEND Information, Advice and Support Service.
 *
 * North Northamptonshire Council (NNC) hosts the service and provides it to
 * West Northamptonshire Council (WNC) under the Inter Authority Agreement:
 * Schedule 2B2 lists the functions, Schedule 3B2 is the service plan this
 * plugin follows (critical service failures in section 2, the 9-month
 * notice period in 3, KPIs IASS1-IASS3 in 4, quarterly recharging in 5).
 *
 * Registers
 *   KPIs         IASS1-IASS3 as Schedule 3B2 section 4 words them; IASS2 is
 *                scored from the measure below.
 *   measure      responded_within_3_working_days (columns received,
 *                responded): the same within/total as
 *                apportion.within_working_days(received, responded, 3, ...).
 *   rule         quarterly: Q1-Q3 a quarter of the budget share each, to
 *                whole pounds; Q4 the balancing payment or refund (5.2).
 *   check        critical_service_failures (2.1.1 and 2.1.2).
 *   section      recharge_summary: the quarterly invoices as a table.
 *   calculators  notice_end date(date); population_share
 *                money(money, int64, int64).
 *
 * Figures of Schedule 3B2 Table 1, 2021/22: budget before disaggregation
 * £407,045; WNC's share £211,654 (DSG £10,829 + general fund £200,825),
 * £52,914 printed for each of Q1-Q3.  The Q4 cell is cut off by the page
 * ("£52,91…"); the rule's balancing £52,912 is consistent with it.
 *
 * Everything the core offers is reached through the host table; nothing
 * here links against the core.  The measure's rule, printed figures and
 * units are the host's (ABI 1.1: measure_within, field_figure,
 * unit_parse), so they are the same as everywhere else in apportion.  Measures read only
 * their input and the host pointer, which is set once in init, so they
 * are thread-safe. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/plugin.h"
#include "../common/first_party.h"

/* The span of dates the calendars cover, set in init. */
static int64_t span_first, span_last;

/* IASS2's bands as Schedule 3B2 words them, read in init. */
static const char iass2_bands_text[] =
    "Green = 90-100%, Amber = 80-90%, Red = 80% or below";
static ap_band_set iass2_bands;

static const ap_plugin_info info = {
    AP_PLUGIN_INFO_HEADER,
    "iass",
    "1.0.0",
    "IASS",
    "SEND Information, Advice and Support Service hosted by NNC for WNC "
    "(Inter Authority Agreement Schedule 3B2)",
    "MIT",
    NULL,
};

/* ---- small helpers -------------------------------------------------- */

/* Copies text without leading and trailing blanks into buf. */
static void trimmed(const char *text, char *buf, size_t size)
{
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' ||
                     text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
}

/* A money figure in pounds: "£52,914" when whole, "£52,913.50" when not. */
static void fmt_pounds(int64_t pence, char *buf, size_t size)
{
    ap_format_options o = host->format_defaults();
    o.unit = AP_UNIT_POUNDS;
    o.decimals = pence % 100 == 0 ? 0 : 2;
    if (host->money_format(pence, &o, buf, size, NULL) != AP_OK)
        snprintf(buf, size, "%lldp", (long long)pence);
}

/* ---- the measure: responded within 3 working days ------------------- */

/* Responded within 3 working days after the day of receipt, by the core's
 * rule (host->measure_within, as apportion.within_working_days): a closed
 * record is in the denominator, and in the numerator when within the
 * limit; an open one (responded NaT) counts as late once it is past the
 * limit on in->as_of, and is left out until then.  The optional parameter
 * "convention" chooses how elapsed days are counted.  Errors name the row. */
static ap_status iass2_measure(void *user, const ap_measure_input *in,
                               size_t from, size_t to, int64_t *numerator,
                               int64_t *denominator, ap_error *err)
{
    (void)user;
    return host->measure_within(in, "received", "responded", 3, from, to,
                                numerator, denominator, err);
}

/* ---- the recharge rule: quarterly ------------------------------------ */

/* The granularity of Q1-Q3 in pence, from the parameter "granularity"
 * (default 100: whole pounds, as Table 1 prints them). */
static ap_status quarterly_granularity(const ap_fields *params, int64_t *out,
                                       ap_error *err)
{
    *out = 100;
    for (size_t i = 0; i < params->n; i++) {
        const ap_field *f = &params->items[i];
        if (strcmp(f->path, "granularity") != 0)
            return host->error_set(err, AP_E_INPUT,
                                   "unknown parameter \"%s\"; the quarterly "
                                   "rule takes \"granularity\" (pence, "
                                   "default 100)",
                                   f->path);
        if (f->value.type != AP_TYPE_INT64 &&
            f->value.type != AP_TYPE_MONEY)
            return host->error_set(err, AP_E_INPUT,
                                   "the parameter granularity is a %s; it "
                                   "must be a whole number of pence",
                                   host->value_type_name(f->value.type));
        if (f->value.as.i <= 0)
            return host->error_set(err, AP_E_INPUT,
                                   "granularity is %lld; it must be 1 penny "
                                   "or more",
                                   (long long)f->value.as.i);
        *out = f->value.as.i;
    }
    return AP_OK;
}

/* Schedule 3B2 5.2: Q1-Q3 each an equal part of the budget share, rounded
 * half up to whole pounds (an assumption: 5.2 says "an equivalent
 * proportion"; it gives Table 1's printed £52,914); Q4 the balance.  Instalments already billed
 * stay as billed; the last instalment is the balancing payment (or, when
 * negative, the refund) that brings the total to the actual share when it
 * is known, and to the budget share otherwise. */
static ap_status quarterly(void *user, const ap_recharge_input *in,
                           int64_t *instalments, ap_error *err)
{
    (void)user;
    size_t n = in->n_instalments;
    int64_t granularity;
    ap_status st = quarterly_granularity(in->params, &granularity, err);
    if (st != AP_OK)
        return st;
    if (n == 0)
        return host->error_set(err, AP_E_INPUT,
                               "the schedule needs at least one instalment");
    if (in->n_billed > n)
        return host->error_set(err, AP_E_INPUT,
                               "%zu instalments were billed but the schedule "
                               "has only %zu",
                               in->n_billed, n);
    const int known = in->actual_share != AP_MONEY_NONE;
    const int64_t target = known ? in->actual_share : in->budget_share;
    st = host->schedule_equal(in->budget_share, n, granularity,
                              AP_ROUND_HALF_UP, instalments, err);
    if (st != AP_OK)
        return st;
    for (size_t i = 0; i < in->n_billed; i++)
        instalments[i] = in->billed[i];
    if (in->n_billed == n) {
        int64_t billed, gap;
        char t[64], s[64], g[64];
        if ((st = host->money_sum(in->billed, n, &billed, err)) != AP_OK)
            return st;
        if (billed == target)
            return AP_OK;
        if ((st = host->money_sub(target, billed, &gap, err)) != AP_OK)
            return st;
        fmt_pounds(billed, s, sizeof s);
        fmt_pounds(target, t, sizeof t);
        fmt_pounds(gap, g, sizeof g);
        return host->error_set(err, AP_E_INPUT,
                               "all %zu instalments are billed and come to "
                               "%s, not the %s share %s (%s to balance), "
                               "and none is left for the balancing payment",
                               n, s, known ? "actual" : "budget", t, g);
    }
    return host->schedule_balancing(instalments, n - 1, target,
                                    &instalments[n - 1], err);
}

/* ---- calculators ------------------------------------------------------ */

/* Schedule 3B2 3.1: "The Notice period for termination of this Delegated
 * Function is 9 months."  Notice given on a date ends 9 calendar months
 * later, the day clamped to the end of a shorter month (notice given on
 * 31 May 2022 ends on 28 February 2023). */
static int64_t notice_end(int64_t given, ap_error *err)
{
    if (given == AP_DATE_NAT || given < span_first || given > span_last) {
        char d[32];
        host->date_format(given, d, sizeof d);
        host->error_set(err, AP_E_INPUT,
                        "the notice date is %s; give a date from 1970-01-01 "
                        "to 2100-12-31",
                        d);
        return AP_DATE_NAT;
    }
    return host->date_add_months(given, 9);
}

/* The share of `total` for a party by 0-18 population (the metric of
 * Table 1's disaggregation): total * party / all, to the penny, split
 * exactly between the party and the rest by the largest remainder. */
static int64_t population_share(int64_t total, int64_t party, int64_t all,
                                ap_error *err)
{
    if (party < 0 || all <= 0 || party > all) {
        host->error_set(err, AP_E_INPUT,
                        "the party's population is %lld and the whole "
                        "population %lld; the whole must be positive and "
                        "the party's between 0 and the whole",
                        (long long)party, (long long)all);
        return 0;
    }
    int64_t weights[2] = {party, all - party}, shares[2] = {0, 0};
    if (host->apportion(total, weights, 2, AP_LARGEST_REMAINDER, shares,
                        err) != AP_OK)
        return 0;
    return shares[0];
}

/* ---- the check: critical service failures ----------------------------- */

/* Schedule 3B2 section 2.1, word for word. */
static const char clause_211[] =
    "2.1.1 Failure to facilitate a formal agreement between all partners in "
    "line with the requirements of the Children and Families Act 2014";
static const char clause_212[] =
    "2.1.2 Failure to provide a SEND IASS service to users by not responding "
    "to referrals and enquiries in line with agreed service level as set "
    "out in IASS2";

/* Which clause a recorded failure's type names: 1 for 2.1.1, 2 for 2.1.2,
 * 0 for neither. */
static int failure_clause(const char *type)
{
    char buf[64];
    trimmed(type, buf, sizeof buf);
    if (strcmp(buf, "2.1.1") == 0 || same_text(buf, "formal_agreement") ||
        same_text(buf, "IASS1"))
        return 1;
    if (strcmp(buf, "2.1.2") == 0 || same_text(buf, "service_level") ||
        same_text(buf, "IASS2"))
        return 2;
    return 0;
}

/* IASS1: the formal agreement (2.1.1).  Reads "iass1.status" ("in place"
 * or "not in place"). */
static ap_status check_agreement(const ap_fields *data, ap_findings *out,
                                 ap_error *err)
{
    const ap_value *v = host->field_find(data, "iass1.status");
    if (v == NULL) {
        FIND(AP_SEVERITY_WARNING, "iass1.status",
             "iass1.status is missing, so whether the formal agreement is "
             "in place (IASS1) cannot be checked against %s",
             clause_211);
        return AP_OK;
    }
    if (v->type != AP_TYPE_STRING) {
        FIND(AP_SEVERITY_ERROR, "iass1.status",
             "iass1.status is a %s; it must be the IASS1 state: \"in "
             "place\" or \"not in place\"",
             host->value_type_name(v->type));
        return AP_OK;
    }
    char state[64];
    trimmed(v->as.s, state, sizeof state);
    if (same_text(state, "in place"))
        return AP_OK;
    if (same_text(state, "not in place")) {
        FIND(AP_SEVERITY_ERROR, "iass1.status",
             "the formal agreement is not in place (IASS1 Red): critical "
             "service failure under Schedule 3B2 %s",
             clause_211);
        return AP_OK;
    }
    FIND(AP_SEVERITY_ERROR, "iass1.status",
         "iass1.status is \"%s\"; the IASS1 states are \"in place\" and "
         "\"not in place\"",
         state);
    return AP_OK;
}

/* IASS2 by period (2.1.2): "iass2[i].within" and "iass2[i].total" (int64),
 * "iass2[i].period" (text, optional).  Red is a critical service failure;
 * Amber (below the 90% target, within tolerance) a warning. */
static ap_status check_service_level(const ap_fields *data, ap_findings *out,
                                     ap_error *err)
{
    size_t n = host->field_count(data, "iass2");
    if (n == 0) {
        FIND(AP_SEVERITY_WARNING, "iass2",
             "no IASS2 figures (iass2[i].within and iass2[i].total), so "
             "responses to referrals and enquiries cannot be checked "
             "against %s",
             clause_212);
        return AP_OK;
    }
    for (size_t i = 0; i < n; i++) {
        char pw[64], pt[64], pp[64], label[96];
        snprintf(pw, sizeof pw, "iass2[%zu].within", i);
        snprintf(pt, sizeof pt, "iass2[%zu].total", i);
        snprintf(pp, sizeof pp, "iass2[%zu].period", i);
        const ap_value *period = host->field_find(data, pp);
        if (period != NULL && period->type == AP_TYPE_STRING)
            snprintf(label, sizeof label, "%s", period->as.s);
        else
            snprintf(label, sizeof label, "period %zu", i + 1);
        const ap_value *w = host->field_find(data, pw);
        const ap_value *t = host->field_find(data, pt);
        if (w == NULL || t == NULL) {
            FIND(AP_SEVERITY_ERROR, w == NULL ? pw : pt,
                 "%s is missing: %s needs the referrals and enquiries "
                 "answered within 3 working days (within) and all of them "
                 "(total)",
                 w == NULL ? pw : pt, label);
            continue;
        }
        if (w->type != AP_TYPE_INT64 || t->type != AP_TYPE_INT64) {
            const char *bad = w->type != AP_TYPE_INT64 ? pw : pt;
            ap_value_type type = w->type != AP_TYPE_INT64 ? w->type : t->type;
            FIND(AP_SEVERITY_ERROR, bad, "%s is a %s; it must be a count",
                 bad, host->value_type_name(type));
            continue;
        }
        int64_t within = w->as.i, total = t->as.i;
        if (within < 0 || total < 0 || within > total ||
            within > INT64_MAX / 100) {
            FIND(AP_SEVERITY_ERROR, pw,
                 "%s: %lld answered in time out of %lld is not a count of "
                 "some of them",
                 label, (long long)within, (long long)total);
            continue;
        }
        if (total == 0) {
            FIND(AP_SEVERITY_INFO, pt,
                 "%s: no referrals or enquiries, so IASS2 has no value", label);
            continue;
        }
        ap_number rate = {within * 100, total};
        ap_rag rag;
        ap_error e;
        memset(&e, 0, sizeof e);
        if (host->bands_score(&iass2_bands, rate, &rag, &e) != AP_OK) {
            FIND(AP_SEVERITY_ERROR, pw, "%s: %s", label, e.message);
            continue;
        }
        /* The rate to one decimal place, rounded half up, for the text. */
        int64_t tenths = (within * 1000 + total / 2) / total;
        if (rag == AP_RAG_RED)
            FIND(AP_SEVERITY_ERROR, pw,
                 "%s: %lld of %lld referrals and enquiries (%lld.%lld%%) "
                 "were responded to within 3 working days, Red against "
                 "IASS2 (%s): critical service failure under Schedule 3B2 "
                 "%s",
                 label, (long long)within, (long long)total,
                 (long long)(tenths / 10), (long long)(tenths % 10),
                 iass2_bands_text, clause_212);
        else if (rag == AP_RAG_AMBER)
            FIND(AP_SEVERITY_WARNING, pw,
                 "%s: %lld of %lld referrals and enquiries (%lld.%lld%%) "
                 "were responded to within 3 working days, below the 90%% "
                 "target (Amber against IASS2): not the agreed service "
                 "level, though within tolerance; see Schedule 3B2 %s",
                 label, (long long)within, (long long)total,
                 (long long)(tenths / 10), (long long)(tenths % 10),
                 clause_212);
    }
    return AP_OK;
}

/* Failures recorded by the parties: "failures[i].type" ("2.1.1" or
 * "2.1.2"; also "formal_agreement" / "service_level"), "failures[i].date"
 * (a date or ISO text) and "failures[i].description" (optional). */
static ap_status check_recorded(const ap_fields *data, ap_findings *out,
                                ap_error *err)
{
    size_t n = host->field_count(data, "failures");
    for (size_t i = 0; i < n; i++) {
        char pt[64], pd[64], px[64], at[64], when[32] = "";
        snprintf(at, sizeof at, "failures[%zu]", i);
        snprintf(pt, sizeof pt, "failures[%zu].type", i);
        snprintf(pd, sizeof pd, "failures[%zu].date", i);
        snprintf(px, sizeof px, "failures[%zu].description", i);
        const ap_value *type = host->field_find(data, pt);
        const ap_value *date = host->field_find(data, pd);
        const ap_value *text = host->field_find(data, px);
        if (type == NULL || type->type != AP_TYPE_STRING) {
            FIND(AP_SEVERITY_ERROR, pt,
                 "%s %s; it must name the clause of Schedule 3B2 section 2.1: "
                 "\"2.1.1\" (formal agreement) or \"2.1.2\" (responses in "
                 "line with IASS2)",
                 pt, type == NULL ? "is missing" : "is not text");
            continue;
        }
        int clause = failure_clause(type->as.s);
        if (clause == 0) {
            FIND(AP_SEVERITY_ERROR, pt,
                 "%s is \"%s\", which is not a critical service failure of "
                 "Schedule 3B2 section 2.1 (2.1.1 or 2.1.2)",
                 pt, type->as.s);
            continue;
        }
        if (date == NULL) {
            FIND(AP_SEVERITY_WARNING, pd, "%s is missing: when did it happen?",
                 pd);
        } else if (date->type == AP_TYPE_DATE) {
            host->date_format(date->as.i, when, sizeof when);
        } else if (date->type == AP_TYPE_STRING) {
            int64_t day;
            ap_error e;
            memset(&e, 0, sizeof e);
            if (host->date_parse(date->as.s, (size_t)-1, &day, &e) == AP_OK)
                host->date_format(day, when, sizeof when);
            else
                FIND(AP_SEVERITY_ERROR, pd, "%s: %s", pd, e.message);
        } else {
            FIND(AP_SEVERITY_ERROR, pd, "%s is a %s, not a date", pd,
                 host->value_type_name(date->type));
        }
        const char *detail = text != NULL && text->type == AP_TYPE_STRING
                                 ? text->as.s
                                 : "";
        FIND(AP_SEVERITY_ERROR, at,
             "critical service failure%s%s: Schedule 3B2 %s%s%s",
             when[0] ? " on " : "", when,
             clause == 1 ? clause_211 : clause_212, detail[0] ? ". " : "",
             detail);
    }
    return AP_OK;
}

static ap_status critical_service_failures(void *user, const ap_fields *data,
                                           ap_findings *out, ap_error *err)
{
    (void)user;
    ap_status st;
    if (data->n == 0) {
        FIND(AP_SEVERITY_ERROR, "",
             "no data: the check reads iass1.status, iass2[i].within and "
             "iass2[i].total, and failures[i].type and failures[i].date");
        return AP_OK;
    }
    if ((st = check_agreement(data, out, err)) != AP_OK ||
        (st = check_service_level(data, out, err)) != AP_OK ||
        (st = check_recorded(data, out, err)) != AP_OK)
        return st;
    return AP_OK;
}

/* ---- the section: recharge summary ------------------------------------ */

/* A money field of the section, a printed figure in unit ("-" is nil):
 * unreadable, or missing when required, is an error of the call naming
 * the path. */
static ap_status section_money(const ap_fields *data, const char *path,
                               ap_unit unit, int required, int64_t *pence,
                               int *present, ap_error *err)
{
    *present = host->field_find(data, path) != NULL;
    if (!*present && !required)
        return AP_OK;
    return host->field_figure(data, path, unit, pence, NULL, err);
}

/* "budget_share" and optional "actual_share", "billed[i]" (Q1-Q3 as
 * invoiced), "authority" ("WNC"), "year" ("2021/22") and "unit" (of text
 * figures; "£" by default). */
static ap_status recharge_summary(void *user, const ap_fields *data,
                                  ap_text *out, ap_error *err)
{
    (void)user;
    static const char *const months[4] = {
        "April - June", "July - September", "October - December",
        "January - March"};
    ap_unit unit = AP_UNIT_POUNDS;
    ap_status st;
    const ap_value *v = host->field_find(data, "unit");
    if (v != NULL && v->type != AP_TYPE_STRING)
        return host->error_set(err, AP_E_INPUT,
                               "unit is a %s; it must be text such as "
                               "\"£\" or \"£000\"",
                               host->value_type_name(v->type));
    if (v != NULL && (st = host->unit_parse(v->as.s, &unit, err)) != AP_OK)
        return st;
    int64_t budget, actual = AP_MONEY_NONE, billed[4];
    int present;
    if ((st = section_money(data, "budget_share", unit, 1, &budget, &present,
                            err)) != AP_OK)
        return st;
    if ((st = section_money(data, "actual_share", unit, 0, &actual, &present,
                            err)) != AP_OK)
        return st;
    if (!present)
        actual = AP_MONEY_NONE;
    size_t n_billed = host->field_count(data, "billed");
    if (n_billed > 4)
        return host->error_set(err, AP_E_INPUT,
                               "billed has %zu instalments; a year has 4",
                               n_billed);
    for (size_t i = 0; i < n_billed; i++) {
        char path[32];
        snprintf(path, sizeof path, "billed[%zu]", i);
        if ((st = section_money(data, path, unit, 1, &billed[i], &present,
                                err)) != AP_OK)
            return st;
    }
    ap_fields no_params = {0, NULL};
    ap_recharge_input in = {sizeof in, budget, actual, 4, billed, n_billed,
                            &no_params};
    int64_t q[4];
    if ((st = quarterly(NULL, &in, q, err)) != AP_OK)
        return st;

    const ap_value *who = host->field_find(data, "authority");
    const ap_value *year = host->field_find(data, "year");
    const char *authority =
        who != NULL && who->type == AP_TYPE_STRING ? who->as.s
                                                   : "the receiving authority";
    long first_year = -1;
    if (year != NULL && year->type == AP_TYPE_STRING) {
        char *rest;
        first_year = strtol(year->as.s, &rest, 10);
        if (first_year < 1970 || first_year > 2100)
            first_year = -1;
    }
    char b[64], a[64], t[64], cell[64];
    fmt_pounds(budget, b, sizeof b);
    TEXT("Recharge to %s%s%s: budget share %s, invoiced quarterly under "
         "Schedule 3B2 5.2 (Q1-Q3 each an equal part of the budget share, "
         "rounded to whole pounds; Q4 a balancing payment or refund",
         authority, first_year > 0 ? ", " : "",
         first_year > 0 ? year->as.s : "", b);
    if (actual != AP_MONEY_NONE) {
        fmt_pounds(actual, a, sizeof a);
        TEXT(" to the actual share of %s).\n\n", a);
    } else {
        TEXT("; the actual share is not yet known).\n\n");
    }
    TEXT("| Quarter | Months | Invoice | Basis |\n"
         "|:--|:--|--:|:--|\n");
    for (int i = 0; i < 4; i++) {
        char when[64];
        if (first_year > 0)
            snprintf(when, sizeof when, "%s %ld", months[i],
                     i < 3 ? first_year : first_year + 1);
        else
            snprintf(when, sizeof when, "%s", months[i]);
        fmt_pounds(q[i], cell, sizeof cell);
        const char *basis;
        if ((size_t)i < n_billed)
            basis = "as billed";
        else if (i < 3)
            basis = "a quarter of the budget share";
        else if (actual == AP_MONEY_NONE)
            basis = "balance of the budget share";
        else
            basis = q[i] < 0 ? "refund: balance to the actual share"
                             : "balancing payment to the actual share";
        TEXT("| Q%d | %s | %s | %s |\n", i + 1, when, cell, basis);
    }
    int64_t total;
    if ((st = host->money_sum(q, 4, &total, err)) != AP_OK)
        return st;
    fmt_pounds(total, t, sizeof t);
    TEXT("| **Total** | | **%s** | |\n", t);
    return AP_OK;
}

/* ---- KPIs -------------------------------------------------------------- */

/* examples/iass-kpis.json, with IASS2 scored by the measure. */
static const char kpis_json[] =
    "{\"format\": \"apportion.kpis/1\",\n"
    " \"title\": \"SEND Information, Advice and Support Service (IASS): key "
    "performance indicators, Schedule 3B2 section 4. IASS1 is "
    "national/statutory (4.1); IASS2 and IASS3 are locally agreed (4.2), and "
    "that table names no recipient. Not responding to referrals and "
    "enquiries as IASS2 sets out is a failure under 2.1.2.\",\n"
    " \"kpis\": [\n"
    "  {\"ref\": \"IASS1\",\n"
    "   \"description\": \"A joint agreement for the provision of IASS is in "
    "place between all partners in accordance with the CFA 2014\",\n"
    "   \"unit\": \"status\", \"frequency\": \"annual\",\n"
    "   \"reported_to\": \"Council for Disabled Children (a copy of the "
    "agreement is provided to it)\",\n"
    "   \"states\": {\"in place\": \"green\", \"not in place\": \"red\"}},\n"
    "  {\"ref\": \"IASS2\",\n"
    "   \"description\": \"% of referrals and enquiries responded to within 3 "
    "working days\",\n"
    "   \"unit\": \"%\", \"polarity\": \"higher\", \"target\": \"90%\",\n"
    "   \"frequency\": \"quarterly\",\n"
    "   \"bands\": \"Green = 90-100%, Amber = 80-90%, Red = 80% or below\",\n"
    "   \"measure\": \"responded_within_3_working_days\"},\n"
    "  {\"ref\": \"IASS3\",\n"
    "   \"description\": \"A quarterly progress report is provided to the "
    "North and West Directors for Children's Services (DCS) providing an "
    "overview of the IASS service delivery\",\n"
    "   \"unit\": \"status\", \"frequency\": \"quarterly\",\n"
    "   \"reported_to\": \"North and West Directors for Children's Services "
    "(DCS)\",\n"
    "   \"states\": {\"produced and provided\": \"green\",\n"
    "              \"produced but not provided\": \"amber\",\n"
    "              \"not produced or provided\": \"red\"}}\n"
    " ]}\n";

/* ---- registration ------------------------------------------------------ */

static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    ap_status st;
    span_first = host->date_from_ymd(AP_CALENDAR_FIRST_YEAR, 1, 1);
    span_last = host->date_from_ymd(AP_CALENDAR_LAST_YEAR, 12, 31);
    st = host->bands_parse_text(iass2_bands_text, sizeof iass2_bands_text - 1,
                                AP_POLARITY_HIGHER, &iass2_bands, err);
    if (st != AP_OK)
        return st;

    const ap_measure_def measure = {
        sizeof(ap_measure_def),
        "responded_within_3_working_days",
        "Referrals and enquiries responded to within 3 working days after "
        "the day of receipt (IASS2); open records count as late once past "
        "the limit on the as-of date",
        "received,responded",
        100,
        AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE,
        iass2_measure,
        NULL,
    };
    if ((st = host->register_measure(reg, &measure, err)) != AP_OK)
        return st;
    if ((st = host->register_kpis(reg, kpis_json, err)) != AP_OK)
        return st;

    const ap_rule_def rule = {
        sizeof(ap_rule_def),
        "quarterly",
        "Schedule 3B2 5.2: Q1-Q3 each a quarter of the budget share rounded "
        "half up to whole pounds; Q4 the balancing payment or refund to the "
        "actual share once known",
        quarterly,
        NULL,
    };
    if ((st = host->register_rule(reg, &rule, err)) != AP_OK)
        return st;

    const ap_check_def check = {
        sizeof(ap_check_def),
        "critical_service_failures",
        "Schedule 3B2 2.1: the formal agreement (iass1.status), responses in "
        "line with IASS2 (iass2[i].within, iass2[i].total, "
        "iass2[i].period) and recorded failures (failures[i].type, "
        "failures[i].date, failures[i].description)",
        critical_service_failures,
        NULL,
    };
    if ((st = host->register_check(reg, &check, err)) != AP_OK)
        return st;

    const ap_section_def section = {
        sizeof(ap_section_def),
        "recharge_summary",
        "IASS recharge: quarterly invoices",
        recharge_summary,
        NULL,
    };
    if ((st = host->register_section(reg, &section, err)) != AP_OK)
        return st;

    const ap_calculator_def calculators[] = {
        {sizeof(ap_calculator_def), "notice_end", "date(date)",
         "The end of the 9-month notice period (Schedule 3B2 3.1) for notice "
         "given on a date",
         AP_CALCULATOR_FN(notice_end)},
        {sizeof(ap_calculator_def), "population_share",
         "money(money, int64, int64)",
         "A party's share of a total by 0-18 population: (total, the "
         "party's population, the whole population), exact to the penny",
         AP_CALCULATOR_FN(population_share)},
    };
    for (size_t i = 0; i < sizeof calculators / sizeof calculators[0]; i++)
        if ((st = host->register_calculator(reg, &calculators[i], err)) !=
            AP_OK)
            return st;
    return AP_OK;
}

/* The entry points (plugin.h): init refuses a host older than the ABI 1.1
 * that info declares (this file uses measure_within), keeps it in host and
 * calls register_all. */
AP_PLUGIN_DEFINE(info, register_all);
