/* __NAME__: the __AREA__ service area, as an apportion plugin.
 *
 * Made by `python -m apportion plugin new __NAME__` from apportion's plugin
 * template.  It is small but complete, and meant to be read from top to
 * bottom and then changed into your own service area.  It registers:
 *
 *   measure     answered_within_working_days  columns received,answered:
 *               % of requests answered within N working days (params
 *               "days", 10 unless given)
 *   KPI         __AREA__1  that measure, target 95%, banded in the council's
 *               own words
 *   rule        monthly   equal instalments (call it with 12) and a
 *               balancing last one; what is already billed stays billed
 *   check       instalments_sum   do the stated instalments add up to the
 *               stated budget share?
 *   section     instalments   the instalments as a Markdown table
 *   calculator  due_date  date(date, int64): when a request is due
 *
 * Build it with `python -m apportion plugin build .` (or `make`), load it
 * with apportion.load_plugin("./__NAME__.so"), and see test___NAME__.py for
 * every item called from Python.  The ABI is include/apportion/plugin.h
 * (`python -c "import apportion; print(apportion.get_include())"`); this
 * file uses only what that header declares.
 *
 * The rules of the ABI, each shown below where it first matters:
 *
 *   - Two exported functions and nothing else: apportion_plugin_info and
 *     apportion_plugin_init, which AP_PLUGIN_DEFINE at the end of this
 *     file writes.  Everything else in this file is static, and the build
 *     uses -fvisibility=hidden, so no other symbol can clash with the
 *     host's or another plugin's.
 *   - Never link against apportion.  Every core function a plugin may use
 *     is a member of the host table (ap_host) passed to init.
 *   - Ownership: what the host hands you (records, fields, the calendar,
 *     the host table) is the host's, read only, valid for the call (the
 *     table for ever).  What you hand the host is copied (names,
 *     descriptions, KPI JSON) or must stay valid for ever (your functions,
 *     your static data: the library is never unloaded).  Memory the host
 *     will free (an init error message, a string result) comes from
 *     host->alloc or host->strdup; what you make with the host (a calendar
 *     from calendar_new) you release.
 *   - Errors: every fallible function returns an ap_status and fills an
 *     ap_error with a sentence naming the field at fault; fill yours with
 *     host->error_set and return its result.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apportion/plugin.h"

/* The host table, `static const ap_host *host`, kept by init for the
 * functions called later.  It is written once, before anything registered
 * here can be called, and only read afterwards, so reading it from several
 * threads is safe. */
AP_PLUGIN_HOST_DECLARE(host);

/* ---- who the plugin is ------------------------------------------------- */

/* The info block: static, the plugin's, read by the host before init to
 * decide whether it can load this file at all.  size, abi_major and
 * abi_minor record the header this file was compiled against; the host
 * refuses another major, or a minor newer than its own, and reads only the
 * fields that `size` covers.  (AP_PLUGIN_INFO_HEADER spells the first
 * three for a positional initialiser.) */
static const ap_plugin_info info = {
    .size = sizeof(ap_plugin_info),
    .abi_major = AP_PLUGIN_ABI_MAJOR,
    .abi_minor = AP_PLUGIN_ABI_MINOR,
    /* Unique among loaded plugins: 1 to 64 lower-case letters, digits,
     * '_' or '-'. */
    .name = "__NAME__",
    .version = "0.1.0",
    /* One plugin, one service area: 1 to 32 upper-case letters, digits
     * or '_'. */
    .service_area = "__AREA__",
    .description = "The __AREA__ service area: requests answered in time, "
                   "monthly recharges",
    .licence = "MIT", /* an SPDX identifier */
    .url = NULL,      /* ABI 1.1; may be NULL */
};

/* ---- a measure on case records ----------------------------------------- */

/* The limit when the caller gives no "days" parameter.  The KPI below
 * says "10 working days": keep the two in step. */
#define DEFAULT_DAYS 10

/* Reads the optional "days" parameter.  Parameters come from Python as
 * params={"days": 5}; a missing one takes the default, a wrong one is an
 * error naming it (the host adds the area and the measure). */
static ap_status read_days(const ap_fields *params, int64_t *days,
                           ap_error *err)
{
    const ap_value *v = host->field_find(params, "days");
    if (v == NULL) {
        *days = DEFAULT_DAYS;
        return AP_OK;
    }
    if (v->type != AP_TYPE_INT64 || v->as.i < 0 || v->as.i > 366)
        return host->error_set(err, AP_E_INPUT,
                               "parameter \"days\" must be a whole number of "
                               "working days from 0 to 366");
    *days = v->as.i;
    return AP_OK;
}

/* One request per row.  For rows [from, to) it writes, at r - from:
 *
 *   answered within the limit            numerator 1, denominator 1
 *   answered late                        0, 1
 *   open and already past the limit      0, 1   (late whatever happens)
 *     on the reporting date (as_of)
 *   open and not yet due, or no as_of    0, 0   (left out)
 *
 * and the host sums each group exactly, so the value is
 * 100 * sum(numerator) / sum(denominator), scored as an exact rational.
 * Working days follow the calendar the caller chose (in->calendar: bank
 * holidays of England and Wales unless told otherwise) and count the days
 * after the day received, up to and including the day answered: received
 * Friday, answered Wednesday is 3.
 *
 * That is the rule of apportion.within_working_days, and the host applies
 * it for us: host->sla_rows writes each row's numerator and denominator,
 * and refuses a request with no received date, one answered before it was
 * received, one still open on an as_of before it was received, or a date
 * outside the calendar (1970-2100), naming the row.  Passing `from` as the
 * first row makes that row number the caller's, not the block's.
 *
 * The columns are the host's int64 arrays: dates as days since 1970-01-01,
 * AP_DATE_NAT for none.  The host has already checked that every column
 * named in the definition is present. */
static ap_status answered_within(void *user, const ap_measure_input *in,
                                 size_t from, size_t to, int64_t *numerator,
                                 int64_t *denominator, ap_error *err)
{
    (void)user; /* the definition's user pointer; unused here */
    const int64_t *received = host->records_column(in, "received", err);
    const int64_t *answered = host->records_column(in, "answered", err);
    int64_t days = DEFAULT_DAYS;
    ap_status st;

    if (received == NULL || answered == NULL)
        return AP_E_INPUT; /* err names the column and those present */
    if ((st = read_days(in->params, &days, err)) != AP_OK)
        return st;
    return host->sla_rows(in->calendar, received + from, answered + from,
                          to - from, days, AP_ELAPSED_AFTER_START, in->as_of,
                          from, numerator, denominator, err);
}

/* A definition is copied by the host when registered, so it may live on
 * the stack or, as here, in static data.  Each starts with its size, so a
 * host of a newer minor knows which of its fields this file knew about. */
static const ap_measure_def answered_within_def = {
    .size = sizeof(ap_measure_def),
    .name = "answered_within_working_days",
    .description = "% of requests answered within N working days of being "
                   "received (params: days, 10 unless given); open requests "
                   "count as late once past the limit on the as_of date",
    .columns = "received,answered",
    .scale = 100, /* a percentage */
    /* Rows are independent and the function keeps no state of its own,
     * so the host may split the rows and run the parts on several
     * threads at once. */
    .flags = AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE,
    .fn = answered_within,
    .user = NULL,
};

/* ---- a KPI --------------------------------------------------------------- */

/* KPIs are given as JSON in apportion's KPI file format (docs/formats.rst, "KPI
 * files"; python/apportion/schema/kpis.schema.json), with one addition:
 * "measure" names a measure of this plugin, which is what scores the KPI
 * from records (area.score("__AREA__1", records)).  Bands are the
 * council's own wording: the 95 that "95-100%" and "85-95%" share goes to
 * the better band, Green, and the loader says so.  KPI refs are unique
 * across every loaded plugin, hence the area code in the ref. */
static const char kpis_json[] =
    "{\n"
    "  \"format\": \"apportion.kpis/1\",\n"
    "  \"title\": \"__AREA__ key performance indicators\",\n"
    "  \"kpis\": [\n"
    "    {\n"
    "      \"ref\": \"__AREA__1\",\n"
    "      \"description\": \"% of requests answered within 10 working "
    "days\",\n"
    "      \"unit\": \"%\",\n"
    "      \"polarity\": \"higher\",\n"
    "      \"target\": \"95%\",\n"
    "      \"frequency\": \"quarterly\",\n"
    "      \"bands\": \"Green = 95-100%, Amber = 85-95%, Red = below 85%\",\n"
    "      \"measure\": \"answered_within_working_days\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* ---- a recharge rule ----------------------------------------------------- */

/* Writes in->n_instalments instalments (12 for monthly billing).  Those
 * already invoiced (in->billed) stay as they were; the rest of the year's
 * share -- the actual share once it is known, the budget share until then
 * -- is spread over the instalments still to come: equal parts, rounded
 * half up to whole pence (or whole pounds with params={"equal_part":
 * "pounds"}), the last one balancing.  The host then checks that the
 * instalments sum exactly to the share and refuses them otherwise. */
static ap_status monthly(void *user, const ap_recharge_input *in,
                         int64_t *instalments, ap_error *err)
{
    (void)user;
    const ap_value *part = host->field_find(in->params, "equal_part");
    int64_t share = in->actual_share != AP_MONEY_NONE ? in->actual_share
                                                      : in->budget_share;
    int64_t granularity = 1, billed = 0, rest;
    size_t n = in->n_instalments, done = in->n_billed;
    ap_status st;

    if (part != NULL) {
        if (part->type == AP_TYPE_STRING && strcmp(part->as.s, "pounds") == 0)
            granularity = 100;
        else if (part->type != AP_TYPE_STRING ||
                 strcmp(part->as.s, "pence") != 0)
            return host->error_set(err, AP_E_INPUT,
                                   "parameter \"equal_part\" must be "
                                   "\"pence\" or \"pounds\"");
    }
    if (done > n)
        return host->error_set(err, AP_E_INPUT,
                               "%zu instalments are billed already, more "
                               "than the %zu asked for", done, n);

    /* Pennies are never lost: every sum and difference is checked for
     * overflow by the core. */
    if ((st = host->money_sum(in->billed, done, &billed, err)) != AP_OK ||
        (st = host->money_sub(share, billed, &rest, err)) != AP_OK)
        return st;
    for (size_t i = 0; i < done; i++)
        instalments[i] = in->billed[i];
    if (done == n) {
        /* Everything is billed: the last instalment takes the balance. */
        return host->money_add(instalments[n - 1], rest, &instalments[n - 1],
                               err);
    }
    return host->schedule_equal(rest, n - done, granularity, AP_ROUND_HALF_UP,
                                instalments + done, err);
}

static const ap_rule_def monthly_def = {
    .size = sizeof(ap_rule_def),
    .name = "monthly",
    .description = "Equal monthly instalments (ask for 12) with a balancing "
                   "last one; billed instalments are kept and the rest of "
                   "the actual share, once known, spread over those to come "
                   "(params: equal_part, \"pence\" or \"pounds\")",
    .fn = monthly,
    .user = NULL,
};

/* ---- a check --------------------------------------------------------------- */

/* Data comes flattened into named fields: Python's
 *   {"budget_share": "£211,654", "instalments": ["£52,914", ...]}
 * arrives as "budget_share", "instalments[0]", "instalments[1]", ...
 * What the check finds goes through host->finding; returning a status
 * other than AP_OK means the check could not run at all (here: a figure
 * that is missing or cannot be read, which err names). */
static ap_status instalments_sum(void *user, const ap_fields *data,
                                 ap_findings *out, ap_error *err)
{
    (void)user;
    size_t n = host->field_count(data, "instalments");
    int64_t budget, total = 0, amount, diff;
    char path[64], total_s[64], budget_s[64], diff_s[64];
    ap_format_options pounds = host->format_defaults(); /* "£211,654.00" */
    ap_status st;

    if ((st = host->field_money(data, "budget_share", AP_UNIT_POUNDS,
                                &budget, err)) != AP_OK)
        return st;
    if (n == 0)
        return host->finding(out, AP_SEVERITY_WARNING, "instalments",
                             "there are no instalments to check");
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "instalments[%zu]", i);
        if ((st = host->field_money(data, path, AP_UNIT_POUNDS, &amount,
                                    err)) != AP_OK ||
            (st = host->money_add(total, amount, &total, err)) != AP_OK)
            return st;
    }
    if (total == budget)
        return AP_OK; /* nothing found: no findings */

    if ((st = host->money_sub(total, budget, &diff, err)) != AP_OK ||
        (diff < 0 && (st = host->money_sub(0, diff, &diff, err)) != AP_OK) ||
        (st = host->money_format(total, &pounds, total_s, sizeof total_s,
                                 err)) != AP_OK ||
        (st = host->money_format(budget, &pounds, budget_s, sizeof budget_s,
                                 err)) != AP_OK ||
        (st = host->money_format(diff, &pounds, diff_s, sizeof diff_s,
                                 err)) != AP_OK)
        return st;
    /* The field is a path in the data, so a report can point at it. */
    return host->finding(out, AP_SEVERITY_ERROR, "instalments",
                         "the %zu instalments sum to %s, %s %s than the "
                         "budget share of %s", n, total_s, diff_s,
                         total > budget ? "more" : "less", budget_s);
}

static const ap_check_def instalments_sum_def = {
    .size = sizeof(ap_check_def),
    .name = "instalments_sum",
    .description = "The stated instalments sum exactly to the stated budget "
                   "share (data: budget_share, instalments)",
    .fn = instalments_sum,
    .user = NULL,
};

/* ---- a report section -------------------------------------------------- */

/* Writes Markdown through host->text_append, which copies as it goes;
 * the host joins the text into its report. */
static ap_status instalments_table(void *user, const ap_fields *data,
                                   ap_text *out, ap_error *err)
{
    (void)user;
    size_t n = host->field_count(data, "instalments");
    ap_format_options pounds = host->format_defaults();
    char path[64], amount_s[64];
    int64_t amount;
    ap_status st;

    if ((st = host->text_append(out, "| Instalment | Amount |\n"
                                     "|---:|---:|\n")) != AP_OK)
        return st; /* AP_E_NOMEM: pass it on */
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "instalments[%zu]", i);
        if ((st = host->field_money(data, path, AP_UNIT_POUNDS, &amount,
                                    err)) != AP_OK ||
            (st = host->money_format(amount, &pounds, amount_s,
                                     sizeof amount_s, err)) != AP_OK ||
            (st = host->text_append(out, "| %zu | %s |\n", i + 1,
                                    amount_s)) != AP_OK)
            return st;
    }
    return AP_OK;
}

static const ap_section_def instalments_table_def = {
    .size = sizeof(ap_section_def),
    .name = "instalments",
    .title = "__AREA__ instalments",
    .fn = instalments_table,
    .user = NULL,
};

/* ---- a calculator -------------------------------------------------------- */

/* A plain C function the host calls through libffi, with the types its
 * signature declares ("date(date, int64)": date is int64_t days since
 * 1970-01-01) and a trailing ap_error *.  An error is any result with
 * err->status set.
 *
 * The date a request received on `received` is due, `days` working days
 * later in England and Wales (the measure's counting: a request received
 * on a weekend or a bank holiday counts from the working day before). */
static int64_t due_date(int64_t received, int64_t days, ap_error *err)
{
    ap_calendar *cal = NULL;
    int64_t due = AP_DATE_NAT;

    if (days < 0 || days > 366) {
        host->error_set(err, AP_E_INPUT,
                        "days must be from 0 to 366, not %" PRId64, days);
        return AP_DATE_NAT;
    }
    /* The calendar is ours: made here, released here.  (One made in init
     * and kept would do as well; calendars are immutable, so several
     * threads may share one.) */
    if (host->calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                           NULL, 0, &cal, err) != AP_OK)
        return AP_DATE_NAT;
    host->add_working_days(cal, received, days, AP_ROLL_BACKWARD, &due, err);
    host->calendar_free(cal);
    return due;
}

static const ap_calculator_def due_date_def = {
    .size = sizeof(ap_calculator_def),
    .name = "due_date",
    .signature = "date(date, int64)",
    .description = "The date a request received on a date is due, a number "
                   "of working days later (England and Wales)",
    /* Stored as a generic function pointer; the signature says how the
     * host calls it. */
    .fn = AP_CALCULATOR_FN(due_date),
};

/* ---- registration -------------------------------------------------------- */

/* Called by init once, on one thread, after the info block checked out
 * and with host kept.  Everything registered here is staged: it joins the
 * registry only if this returns AP_OK and every registration succeeded.
 * Otherwise nothing of the plugin stays and the library is closed again,
 * so there is nothing to undo.  reg is valid only until init returns:
 * keep the host table, never reg.  Item names are 1 to 64 letters, digits
 * or '_', unique within their kind.
 *
 * A failure's message goes to the user, naming this file: fill err (each
 * host->register_* does) and return its status. */
static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    ap_status st = host->register_measure(reg, &answered_within_def, err);

    if (st == AP_OK)
        st = host->register_kpis(reg, kpis_json, err);
    if (st == AP_OK)
        st = host->register_rule(reg, &monthly_def, err);
    if (st == AP_OK)
        st = host->register_check(reg, &instalments_sum_def, err);
    if (st == AP_OK)
        st = host->register_section(reg, &instalments_table_def, err);
    if (st == AP_OK)
        st = host->register_calculator(reg, &due_date_def, err);
    return st;
}

/* The two entry points.  apportion_plugin_info returns &info;
 * apportion_plugin_init checks the host, keeps it in host and calls
 * register_all, passing err's message on to the user.
 *
 * Which functions a host has: this file declares ABI 1.1 (info's
 * abi_minor), so init refuses, with a message, a host older than 1.1, and
 * everything up to 1.1 (host->sla_rows among it) can be called without a
 * test.  A plugin that means to load on older hosts too declares the older
 * minor (abi_minor = 0) and, rather than refusing, does without a newer
 * function when it is absent: AP_HOST_HAS(host, member) is true when the
 * member lies within the host's table and is set,
 *     if (AP_HOST_HAS(host, warn)) host->warn(reg, "...");
 * New functions only ever go at the end of the table, so a host that has
 * one has every function before it. */
AP_PLUGIN_DEFINE(info, register_all);
