/* apportion: dates, financial years, UK bank holidays and working days.
 *
 * A date is a count of days since 1970-01-01 in an int64, the layout of
 * numpy's datetime64[D], so arrays of dates pass from numpy without a copy.
 * AP_DATE_NAT (INT64_MIN, numpy's NaT) means "no date".
 *
 * Bank holidays come from each division's rules (Easter included) and a
 * table of one-off proclamations, for every year from AP_CALENDAR_FIRST_YEAR
 * to AP_CALENDAR_LAST_YEAR.  Working-day functions work on dates in that
 * span; a date outside it is an error that names the element, never a
 * silent guess.
 *
 * Memory.  ap_calendar_new gives the caller a calendar to release with
 * ap_calendar_free (on an error *out is NULL).  Nothing else allocates:
 * results go to the caller's variables, arrays and buffers; names
 * (ap_division_name, ap_roll_name, ...) and holiday titles are static
 * strings. */
#ifndef APPORTION_CALENDAR_H
#define APPORTION_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_DATE_NAT INT64_MIN
#define AP_CALENDAR_FIRST_YEAR 1970
#define AP_CALENDAR_LAST_YEAR 2100

/* ---- civil dates ------------------------------------------------------- */

/* Nonzero when year-month-day is a real Gregorian date. */
int ap_date_valid(int64_t year, int month, int day);
/* Days since 1970-01-01 of a valid date (proleptic Gregorian). */
int64_t ap_date_from_ymd(int64_t year, int month, int day);
/* The inverse; date must not be AP_DATE_NAT. */
void ap_date_to_ymd(int64_t date, int64_t *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday (numpy's weekmask order). */
int ap_date_weekday(int64_t date);
/* Writes "YYYY-MM-DD" (or "NaT") into buf of at least 24 bytes. */
void ap_date_format(int64_t date, char *buf, size_t size);
/* Reads ISO "YYYY-MM-DD"; errors name the text. */
ap_status ap_date_parse(const char *text, size_t len, int64_t *out,
                        ap_error *err);
/* The same date n calendar months later (n may be negative), the day
 * clamped to the end of a shorter month: 29 Feb 2024 - 12 months is
 * 28 Feb 2023. */
int64_t ap_date_add_months(int64_t date, int64_t months);

/* ---- financial years (1 April to 31 March) ---------------------------- */

/* The calendar year in which the date's financial year starts: 2021 for
 * any date from 2021-04-01 to 2022-03-31. */
int64_t ap_fy_start_year(int64_t date);
/* 1..4: Q1 April-June ... Q4 January-March. */
int ap_fy_quarter(int64_t date);
/* 1..12: P1 April ... P9 December ... P12 March. */
int ap_fy_period(int64_t date);
/* Writes "2021/22" for start year 2021 into buf (at least 16 bytes). */
void ap_fy_label(int64_t start_year, char *buf, size_t size);
/* Reads "2021/22", "2021-22" or "2021/2022" as start year 2021; the second
 * year must follow the first. */
ap_status ap_fy_parse(const char *text, size_t len, int64_t *start_year,
                      ap_error *err);

/* ---- bank holidays ----------------------------------------------------- */

#define AP_DIVISION_MAP(X)                                     \
    X(AP_DIVISION_ENGLAND_AND_WALES, "england-and-wales")      \
    X(AP_DIVISION_SCOTLAND, "scotland")                        \
    X(AP_DIVISION_NORTHERN_IRELAND, "northern-ireland")        \
    X(AP_DIVISION_NONE, "none") /* no bank holidays at all */

typedef enum ap_division {
#define AP__ENUM(code, text) code,
    AP_DIVISION_MAP(AP__ENUM)
#undef AP__ENUM
    AP_DIVISION_COUNT
} ap_division;

/* Returns a static string such as "england-and-wales". */
const char *ap_division_name(ap_division division);
ap_status ap_division_parse(const char *name, ap_division *out,
                            ap_error *err);

typedef struct ap_holiday {
    int64_t date;
    const char *title; /* static string, e.g. "Early May bank holiday" */
    int substitute;    /* 1 when moved off a weekend to a weekday */
} ap_holiday;

/* More than any division has in one year. */
#define AP_HOLIDAYS_PER_YEAR_MAX 16

/* The bank holidays (all on weekdays, sorted by date) of one year in one
 * division, in the caller's array out of AP_HOLIDAYS_PER_YEAR_MAX.  A year
 * outside AP_CALENDAR_FIRST_YEAR..AP_CALENDAR_LAST_YEAR is AP_E_INPUT. */
ap_status ap_bank_holidays(ap_division division, int64_t year,
                           ap_holiday *out, size_t *n_out, ap_error *err);

/* ---- calendars and working days --------------------------------------- */

/* A calendar: a division's bank holidays, an organisation's own closure
 * days and a weekmask.  Immutable once made, so one calendar may be used
 * from many threads at once. */
typedef struct ap_calendar ap_calendar;

/* Bit d of a weekmask is set when weekday d (0 = Monday) is a working day. */
#define AP_WEEKMASK_MON_FRI 0x1Fu

/* Makes a calendar.  closures (n_closures dates, may be NULL when 0) are
 * extra non-working days; each must lie in the calendar's span, and
 * AP_DATE_NAT is refused, naming the element.  A weekmask with no working
 * day is an error.  On success *out is the caller's, to release with
 * ap_calendar_free. */
ap_status ap_calendar_new(ap_division division, unsigned weekmask,
                          const int64_t *closures, size_t n_closures,
                          ap_calendar **out, ap_error *err);
/* Frees the calendar; NULL is fine. */
void ap_calendar_free(ap_calendar *cal);

/* The first and last dates the calendar covers (1970-01-01, 2100-12-31). */
int64_t ap_calendar_first(const ap_calendar *cal);
int64_t ap_calendar_last(const ap_calendar *cal);
unsigned ap_calendar_weekmask(const ap_calendar *cal);
ap_division ap_calendar_division(const ap_calendar *cal);

/* Nonzero when the date is a working day; 0 for a date outside the span. */
int ap_calendar_is_working_day(const ap_calendar *cal, int64_t date);

/* How a date that is not a working day is moved before an offset: numpy's
 * busday_offset roll conventions. */
#define AP_ROLL_MAP(X)                                          \
    X(AP_ROLL_RAISE, "raise")                                   \
    X(AP_ROLL_NAT, "nat")                                       \
    X(AP_ROLL_FORWARD, "forward")                               \
    X(AP_ROLL_FOLLOWING, "following")                           \
    X(AP_ROLL_BACKWARD, "backward")                             \
    X(AP_ROLL_PRECEDING, "preceding")                           \
    X(AP_ROLL_MODIFIED_FOLLOWING, "modifiedfollowing")          \
    X(AP_ROLL_MODIFIED_PRECEDING, "modifiedpreceding")

typedef enum ap_roll {
#define AP__ENUM(code, text) code,
    AP_ROLL_MAP(AP__ENUM)
#undef AP__ENUM
    AP_ROLL_COUNT
} ap_roll;

const char *ap_roll_name(ap_roll roll);
ap_status ap_roll_parse(const char *name, ap_roll *out, ap_error *err);

/* How many working days SLA measures count between a start and an end. */
#define AP_ELAPSED_MAP(X)                                                  \
    /* working days after the start day up to and including the end day:  \
     * received Friday, answered Wednesday = 3 (docs/domain.rst) */        \
    X(AP_ELAPSED_AFTER_START, "after_start")                               \
    /* numpy busday_count(start, end): working days in [start, end) */     \
    X(AP_ELAPSED_BUSDAY_COUNT, "busday_count")                             \
    /* both ends counted: working days in [start, end] */                  \
    X(AP_ELAPSED_INCLUSIVE, "inclusive")

typedef enum ap_elapsed {
#define AP__ENUM(code, text) code,
    AP_ELAPSED_MAP(AP__ENUM)
#undef AP__ENUM
    AP_ELAPSED_COUNT
} ap_elapsed;

const char *ap_elapsed_name(ap_elapsed convention);
ap_status ap_elapsed_parse(const char *name, ap_elapsed *out, ap_error *err);

/* The vectorised functions below take arrays of n dates (int64 days) owned
 * by the caller and write into the caller's out array of n.  They touch no
 * global state, so they may run without the GIL.  An element outside the
 * span, or NaT where a date is needed, stops the call with AP_E_INPUT and
 * a message naming the element's index and value; out is then partly
 * written. */

/* out[i] = 1 if dates[i] is a working day, else 0.  NaT is an error. */
ap_status ap_is_working_day_many(const ap_calendar *cal, const int64_t *dates,
                                 size_t n, uint8_t *out, ap_error *err);

/* numpy busday_count semantics (numpy 1.25 and later): working days in
 * [begin, end); when end < begin, minus the working days in (end, begin].
 * end may be the day after the last covered date. */
ap_status ap_working_days_many(const ap_calendar *cal, const int64_t *begin,
                               const int64_t *end, size_t n, int64_t *out,
                               ap_error *err);

/* numpy busday_offset semantics: roll each date by roll, then move
 * offsets[i] working days (negative goes back).  AP_ROLL_NAT writes
 * AP_DATE_NAT for a date that is not a working day; AP_ROLL_RAISE makes
 * it an error.  A NaT date gives NaT, except under AP_ROLL_RAISE, where
 * it is an error.  A result beyond the span is an error naming the
 * element. */
ap_status ap_add_working_days_many(const ap_calendar *cal,
                                   const int64_t *dates,
                                   const int64_t *offsets, size_t n,
                                   ap_roll roll, int64_t *out, ap_error *err);
/* The same with errors="coerce": a date outside the calendar's span, and
 * one whose result would fall outside it, gives AP_DATE_NAT for that
 * element alone (and a NaT date gives NaT under every roll).  AP_ROLL_RAISE
 * still refuses a date that is not a working day. */
ap_status ap_add_working_days_coerce(const ap_calendar *cal,
                                     const int64_t *dates,
                                     const int64_t *offsets, size_t n,
                                     ap_roll roll, int64_t *out,
                                     ap_error *err);

/* Elapsed working days from start[i] to end[i] under the convention.  An
 * end before its start is an error naming the element; NaT in either
 * gives out[i] = missing. */
ap_status ap_elapsed_working_days_many(const ap_calendar *cal,
                                       const int64_t *start,
                                       const int64_t *end, size_t n,
                                       ap_elapsed convention, int64_t missing,
                                       int64_t *out, ap_error *err);

/* Scalar forms, for one date; same rules as the arrays. */
ap_status ap_working_days(const ap_calendar *cal, int64_t begin, int64_t end,
                          int64_t *out, ap_error *err);
ap_status ap_add_working_days(const ap_calendar *cal, int64_t date,
                              int64_t offset, ap_roll roll, int64_t *out,
                              ap_error *err);

/* Financial-year working days: how many working days the financial year
 * starting in start_year has (2021/22 in England and Wales: 253). */
ap_status ap_fy_working_days(const ap_calendar *cal, int64_t start_year,
                             int64_t *out, ap_error *err);

/* Vectorised date parts, for grouping keys: out[i] is the financial year's
 * start year, quarter (1..4), period (1..12) or calendar month key
 * (year * 100 + month), and `missing` for NaT. */
#define AP_DATE_PART_MAP(X)                    \
    X(AP_PART_FY, "financial_year")            \
    X(AP_PART_QUARTER, "quarter")              \
    X(AP_PART_PERIOD, "period")                \
    X(AP_PART_FY_QUARTER, "financial_quarter") \
    X(AP_PART_MONTH, "month")

typedef enum ap_date_part {
#define AP__ENUM(code, text) code,
    AP_DATE_PART_MAP(AP__ENUM)
#undef AP__ENUM
    AP_DATE_PART_COUNT
} ap_date_part;

ap_status ap_date_part_parse(const char *name, ap_date_part *out,
                             ap_error *err);
/* AP_PART_FY_QUARTER gives start_year * 10 + quarter (20213 = 2021/22 Q3). */
ap_status ap_date_parts_many(const int64_t *dates, size_t n, ap_date_part part,
                             int64_t missing, int64_t *out, ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
