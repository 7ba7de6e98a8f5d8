/* Calendars and working days.
 *
 * A calendar precomputes, for its whole span (1970-01-01 to 2100-12-31,
 * about 47,800 days), the number of working days before each date, and the
 * list of working days in order.  Every count is then two loads and a
 * subtraction and every offset one more load, with both tables small
 * enough (under 600 KB) to stay in cache while millions of records are
 * measured. */
#include <stdlib.h>
#include <string.h>

#include "apportion/calendar.h"
#include "base/base.h"
#include "calendar/calendar_internal.h"
#include "platform/platform.h"

struct ap_calendar {
    ap_division division;
    unsigned weekmask;
    int64_t first, last; /* the covered dates, inclusive */
    /* before[i]: working days in [first, first + i), for i in 0..span. */
    int32_t *before;
    /* workdays[j]: the j-th working day of the span. */
    int64_t *workdays;
    size_t n_workdays;
};

AP__NAMES(ap_roll, ap_roll_name, roll_names, AP_ROLL_COUNT, AP_ROLL_MAP,
          AP__NAME_TEXT, "unknown roll")
AP__NAMES(ap_elapsed, ap_elapsed_name, elapsed_names, AP_ELAPSED_COUNT,
          AP_ELAPSED_MAP, AP__NAME_TEXT, "unknown convention")

ap_status ap_roll_parse(const char *name, ap_roll *out, ap_error *err)
{
    int i;
    ap_status st = ap__parse_name(name, roll_names, AP_ROLL_COUNT, "roll", &i,
                              err);
    if (st == AP_OK)
        *out = (ap_roll)i;
    return st;
}

ap_status ap_elapsed_parse(const char *name, ap_elapsed *out, ap_error *err)
{
    int i;
    ap_status st = ap__parse_name(name, elapsed_names, AP_ELAPSED_COUNT,
                              "convention", &i, err);
    if (st == AP_OK)
        *out = (ap_elapsed)i;
    return st;
}

/* ---- making a calendar ------------------------------------------------ */

ap_status ap_calendar_new(ap_division division, unsigned weekmask,
                          const int64_t *closures, size_t n_closures,
                          ap_calendar **out, ap_error *err)
{
    *out = NULL;
    if ((int)division < 0 || division >= AP_DIVISION_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown division %d",
                            (int)division);
    weekmask &= 0x7Fu;
    if (weekmask == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "weekmask has no working day: at least one "
                            "weekday must be a working day");
    int64_t first = ap_date_from_ymd(AP_CALENDAR_FIRST_YEAR, 1, 1);
    int64_t last = ap_date_from_ymd(AP_CALENDAR_LAST_YEAR, 12, 31);
    size_t span = (size_t)(last - first + 1);
    for (size_t i = 0; i < n_closures; i++) {
        if (closures[i] < first || closures[i] > last) {
            char text[32];
            ap_date_format(closures[i], text, sizeof text);
            return ap_error_set(err, AP_E_INPUT,
                                "closures[%zu] is %s; closure days must lie "
                                "between 1970-01-01 and 2100-12-31",
                                i, text);
        }
    }

    ap_calendar *cal = calloc(1, sizeof *cal);
    uint8_t *open = malloc(span);
    if (cal == NULL || open == NULL ||
        (cal->before = malloc((span + 1) * sizeof *cal->before)) == NULL) {
        free(open);
        ap_calendar_free(cal);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory making a calendar");
    }
    cal->division = division;
    cal->weekmask = weekmask;
    cal->first = first;
    cal->last = last;

    for (size_t i = 0; i < span; i++)
        open[i] = (weekmask >> ap_date_weekday(first + (int64_t)i)) & 1u;
    for (int64_t y = AP_CALENDAR_FIRST_YEAR; y <= AP_CALENDAR_LAST_YEAR;
         y++) {
        ap_holiday days[AP_HOLIDAYS_PER_YEAR_MAX];
        size_t n = 0;
        ap_status st = ap_bank_holidays(division, y, days, &n, err);
        if (st != AP_OK) {
            free(open);
            ap_calendar_free(cal);
            return st;
        }
        for (size_t k = 0; k < n; k++)
            open[days[k].date - first] = 0;
    }
    for (size_t i = 0; i < n_closures; i++)
        open[closures[i] - first] = 0;

    size_t count = 0;
    for (size_t i = 0; i < span; i++) {
        cal->before[i] = (int32_t)count;
        count += open[i];
    }
    cal->before[span] = (int32_t)count;
    cal->n_workdays = count;
    cal->workdays = malloc((count ? count : 1) * sizeof *cal->workdays);
    if (cal->workdays == NULL) {
        free(open);
        ap_calendar_free(cal);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory making a calendar");
    }
    for (size_t i = 0, j = 0; i < span; i++)
        if (open[i])
            cal->workdays[j++] = first + (int64_t)i;
    free(open);
    *out = cal;
    return AP_OK;
}

void ap_calendar_free(ap_calendar *cal)
{
    if (cal == NULL)
        return;
    free(cal->before);
    free(cal->workdays);
    free(cal);
}

int64_t ap_calendar_first(const ap_calendar *cal) { return cal->first; }
int64_t ap_calendar_last(const ap_calendar *cal) { return cal->last; }
unsigned ap_calendar_weekmask(const ap_calendar *cal) { return cal->weekmask; }
ap_division ap_calendar_division(const ap_calendar *cal)
{
    return cal->division;
}

/* ---- lookups ---------------------------------------------------------- */

static inline int64_t before(const ap_calendar *cal, int64_t d)
{
    return cal->before[d - cal->first];
}

int ap_calendar_is_working_day(const ap_calendar *cal, int64_t date)
{
    if (!ap__in_range(date, cal->first, cal->last))
        return 0;
    return before(cal, date + 1) != before(cal, date);
}

static ap_status out_of_span(const ap_calendar *cal, const char *what,
                             size_t i, int64_t date, ap_error *err)
{
    char text[32], lo[32], hi[32];
    ap_date_format(date, text, sizeof text);
    ap_date_format(cal->first, lo, sizeof lo);
    ap_date_format(cal->last, hi, sizeof hi);
    if (date == AP_DATE_NAT)
        return ap_error_set(err, AP_E_INPUT, "%s[%zu] is NaT; a date is "
                            "needed", what, i);
    return ap_error_set(err, AP_E_INPUT,
                        "%s[%zu] is %s, outside the calendar's dates "
                        "(%s to %s)", what, i, text, lo, hi);
}

ap_status ap_is_working_day_many(const ap_calendar *cal, const int64_t *dates,
                                 size_t n, uint8_t *out, ap_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!ap__in_range(dates[i], cal->first, cal->last))
            return out_of_span(cal, "dates", i, dates[i], err);
        out[i] = before(cal, dates[i] + 1) != before(cal, dates[i]);
    }
    return AP_OK;
}

ap_status ap_working_days_many(const ap_calendar *cal, const int64_t *begin,
                               const int64_t *end, size_t n, int64_t *out,
                               ap_error *err)
{
    /* The end is exclusive, so it may be the day after the last date. */
    int64_t lo = cal->first, hi = cal->last + 1;
    for (size_t i = 0; i < n; i++) {
        int64_t b = begin[i], e = end[i];
        if (!ap__in_range(b, lo, e < b ? cal->last : hi))
            return out_of_span(cal, "begin", i, b, err);
        if (!ap__in_range(e, lo, hi))
            return out_of_span(cal, "end", i, e, err);
        /* numpy >= 1.25: for end < begin, minus the working days in
         * (end, begin], so reversing a pair only flips the sign when
         * both ends are working days. */
        out[i] = e >= b ? before(cal, e) - before(cal, b)
                        : before(cal, e + 1) - before(cal, b + 1);
    }
    return AP_OK;
}

ap_status ap_working_days(const ap_calendar *cal, int64_t begin, int64_t end,
                          int64_t *out, ap_error *err)
{
    return ap_working_days_many(cal, &begin, &end, 1, out, err);
}

static int month_of(int64_t date)
{
    int64_t y;
    int m, d;
    ap_date_to_ymd(date, &y, &m, &d);
    return (int)(y * 12 + m);
}

/* Index in workdays of the first working day on or after d, and of the
 * last on or before d; either may fall outside [0, n_workdays). */
static inline int64_t next_index(const ap_calendar *cal, int64_t d)
{
    return before(cal, d);
}
static inline int64_t prev_index(const ap_calendar *cal, int64_t d)
{
    return before(cal, d + 1) - 1;
}

static ap_status beyond(const ap_calendar *cal, size_t i, int64_t date,
                        int64_t offset, ap_error *err)
{
    char text[32], lo[32], hi[32];
    ap_date_format(date, text, sizeof text);
    ap_date_format(cal->first, lo, sizeof lo);
    ap_date_format(cal->last, hi, sizeof hi);
    return ap_error_set(err, AP_E_INPUT,
                        "dates[%zu] (%s) moved %lld working days falls "
                        "outside the calendar's dates (%s to %s)",
                        i, text, (long long)offset, lo, hi);
}

/* ap_add_working_days_many, and with coerce its errors="coerce" form
 * (ap_add_working_days_coerce): a date outside the calendar's span, or
 * one whose result falls outside it, gives NaT for that element alone. */
static ap_status add_working_days(const ap_calendar *cal,
                                  const int64_t *dates,
                                  const int64_t *offsets, size_t n,
                                  ap_roll roll, int coerce, int64_t *out,
                                  ap_error *err)
{
    if ((int)roll < 0 || roll >= AP_ROLL_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown roll %d", (int)roll);
    int64_t count = (int64_t)cal->n_workdays;
    for (size_t i = 0; i < n; i++) {
        int64_t d = dates[i];
        if (d == AP_DATE_NAT) {
            /* As numpy: NaT passes through, except where roll="raise"
             * asks for every date to be checked. */
            if (roll == AP_ROLL_RAISE && !coerce)
                return out_of_span(cal, "dates", i, d, err);
            out[i] = AP_DATE_NAT;
            continue;
        }
        if (!ap__in_range(d, cal->first, cal->last)) {
            if (!coerce)
                return out_of_span(cal, "dates", i, d, err);
            out[i] = AP_DATE_NAT;
            continue;
        }
        int64_t j;
        if (before(cal, d + 1) != before(cal, d)) {
            j = before(cal, d);
        } else {
            int64_t next = next_index(cal, d), prev = prev_index(cal, d);
            switch (roll) {
            case AP_ROLL_RAISE: {
                char text[32];
                ap_date_format(d, text, sizeof text);
                return ap_error_set(err, AP_E_INPUT,
                                    "dates[%zu] is %s, which is not a "
                                    "working day (roll=\"raise\"; choose "
                                    "another roll to move it)", i, text);
            }
            case AP_ROLL_NAT:
                out[i] = AP_DATE_NAT;
                continue;
            case AP_ROLL_FORWARD:
            case AP_ROLL_FOLLOWING:
                j = next;
                break;
            case AP_ROLL_BACKWARD:
            case AP_ROLL_PRECEDING:
                j = prev;
                break;
            case AP_ROLL_MODIFIED_FOLLOWING:
                /* Following, unless that crosses into the next month. */
                j = next < count && month_of(cal->workdays[next]) ==
                                        month_of(d)
                        ? next
                        : prev;
                break;
            case AP_ROLL_MODIFIED_PRECEDING:
            default:
                j = prev >= 0 && month_of(cal->workdays[prev]) == month_of(d)
                        ? prev
                        : next;
                break;
            }
            if (j < 0 || j >= count) {
                if (!coerce)
                    return beyond(cal, i, d, 0, err);
                out[i] = AP_DATE_NAT;
                continue;
            }
        }
        int64_t k;
        if (ap__add_overflow_i64(j, offsets[i], &k) || k < 0 ||
            k >= count) {
            if (!coerce)
                return beyond(cal, i, d, offsets[i], err);
            out[i] = AP_DATE_NAT;
            continue;
        }
        out[i] = cal->workdays[k];
    }
    return AP_OK;
}

ap_status ap_add_working_days_many(const ap_calendar *cal,
                                   const int64_t *dates,
                                   const int64_t *offsets, size_t n,
                                   ap_roll roll, int64_t *out, ap_error *err)
{
    return add_working_days(cal, dates, offsets, n, roll, 0, out, err);
}

ap_status ap_add_working_days_coerce(const ap_calendar *cal,
                                     const int64_t *dates,
                                     const int64_t *offsets, size_t n,
                                     ap_roll roll, int64_t *out,
                                     ap_error *err)
{
    return add_working_days(cal, dates, offsets, n, roll, 1, out, err);
}

ap_status ap_add_working_days(const ap_calendar *cal, int64_t date,
                              int64_t offset, ap_roll roll, int64_t *out,
                              ap_error *err)
{
    return ap_add_working_days_many(cal, &date, &offset, 1, roll, out, err);
}

ap_status ap_elapsed_working_days_many(const ap_calendar *cal,
                                       const int64_t *start,
                                       const int64_t *end, size_t n,
                                       ap_elapsed convention, int64_t missing,
                                       int64_t *out, ap_error *err)
{
    if ((int)convention < 0 || convention >= AP_ELAPSED_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown convention %d",
                            (int)convention);
    /* Offsets into the "before" table for each end of the range. */
    int64_t s_off = convention == AP_ELAPSED_AFTER_START ? 1 : 0;
    int64_t e_off = convention == AP_ELAPSED_BUSDAY_COUNT ? 0 : 1;
    for (size_t i = 0; i < n; i++) {
        int64_t s = start[i], e = end[i];
        if (s == AP_DATE_NAT || e == AP_DATE_NAT) {
            out[i] = missing;
            continue;
        }
        if (!ap__in_range(s, cal->first, cal->last))
            return out_of_span(cal, "start", i, s, err);
        if (!ap__in_range(e, cal->first, cal->last))
            return out_of_span(cal, "end", i, e, err);
        if (e < s) {
            char a[32], b[32];
            ap_date_format(s, a, sizeof a);
            ap_date_format(e, b, sizeof b);
            return ap_error_set(err, AP_E_INPUT,
                                "row %zu ends (%s) before it starts (%s)", i,
                                b, a);
        }
        out[i] = before(cal, e + e_off) - before(cal, s + s_off);
    }
    return AP_OK;
}

ap_status ap_fy_working_days(const ap_calendar *cal, int64_t start_year,
                             int64_t *out, ap_error *err)
{
    if (start_year < AP_CALENDAR_FIRST_YEAR ||
        start_year >= AP_CALENDAR_LAST_YEAR)
        return ap_error_set(err, AP_E_INPUT,
                            "financial year %lld/%02lld is outside the "
                            "calendar's years (1970/71 to 2099/00)",
                            (long long)start_year,
                            (long long)((start_year + 1) % 100));
    return ap_working_days(cal, ap_date_from_ymd(start_year, 4, 1),
                           ap_date_from_ymd(start_year + 1, 4, 1), out, err);
}

/* Used by the measures: the table pointers, for their inner loops. */
const int32_t *ap__calendar_before(const ap_calendar *cal, int64_t *first,
                                   int64_t *last)
{
    *first = cal->first;
    *last = cal->last;
    return cal->before;
}
