/* UK bank holidays from their rules, 1970 to 2100.
 *
 * A year's list is built in three steps: the standing rules of the
 * division (a table, below), weekend substitution for the fixed-date ones,
 * then the one-off proclamations (a second table).  Both tables are data,
 * so a new proclamation is one row.
 *
 * History followed for the 1970s (the holidays package, 0.109, differs in
 * places; tests/c/test_bank_holidays.c lists where and why):
 *  - England, Wales and Northern Ireland: Good Friday and Christmas Day are
 *    common-law holidays; Easter Monday and Boxing Day are in the 1871 and
 *    1971 Acts.  Under the 1965-70 trial the spring and late summer holidays
 *    of 1970 fell on the last Mondays of May and August (25 May, 31 Aug),
 *    the dates the Banking and Financial Dealings Act 1971 then fixed.
 *    New Year's Day was first proclaimed for 1974, the early May holiday
 *    for 1978.  Northern Ireland has had St Patrick's Day since 1903 and
 *    12 July by annual proclamation throughout.
 *  - Scotland: New Year's Day, Good Friday, the first Mondays of May and
 *    August and Christmas Day date from the 1871 Act; 2 January came with
 *    the 1971 Act (in force for 1972), Boxing Day by proclamation from
 *    1974, the last Monday in May from 1978, and St Andrew's Day with the
 *    St Andrew's Day Bank Holiday (Scotland) Act 2007.
 *  - A holiday on a Saturday or Sunday moves to the next weekday that is
 *    not already a holiday, as the annual proclamations have done
 *    throughout (the Acts themselves only move Sundays). */
#include <string.h>

#include "apportion/calendar.h"
#include "base/base.h"

#define EW (1u << AP_DIVISION_ENGLAND_AND_WALES)
#define SC (1u << AP_DIVISION_SCOTLAND)
#define NI (1u << AP_DIVISION_NORTHERN_IRELAND)
#define UK (EW | SC | NI)

/* Names a rule holiday so that a proclamation can move it. */
typedef enum holiday_id {
    H_NEW_YEAR,
    H_JAN_2,
    H_ST_PATRICK,
    H_GOOD_FRIDAY,
    H_EASTER_MONDAY,
    H_EARLY_MAY,
    H_SPRING,
    H_BOYNE,
    H_SUMMER,
    H_ST_ANDREW,
    H_CHRISTMAS,
    H_BOXING,
    H_EXTRA /* a day a proclamation adds */
} holiday_id;

typedef enum rule_kind {
    FIXED,        /* month/day, moved off a weekend */
    FIRST_MONDAY, /* of month */
    LAST_MONDAY,  /* of month */
    EASTER        /* day = offset from Easter Sunday */
} rule_kind;

typedef struct rule {
    holiday_id id;
    unsigned divisions;
    int first_year;
    rule_kind kind;
    int month, day;
    /* Set on 2 January: when New Year's Day falls on a Sunday its Monday
     * substitute takes 2 January's place, and 2 January moves to the
     * Tuesday, as gov.uk published for 2023 and the holidays package does.
     * Christmas does not yield that way: a Monday Boxing Day stays and
     * Christmas moves to the 27th. */
    int yields_to_previous;
    const char *title;
} rule;

/* In date order within the year: weekend substitutes are taken in this
 * order, so Christmas Day (Saturday) gets Monday and Boxing Day Tuesday. */
static const rule rules[] = {
    {H_NEW_YEAR, EW | NI, 1974, FIXED, 1, 1, 0, "New Year's Day"},
    {H_NEW_YEAR, SC, 1970, FIXED, 1, 1, 0, "New Year's Day"},
    {H_JAN_2, SC, 1972, FIXED, 1, 2, 1, "2nd January"},
    {H_ST_PATRICK, NI, 1970, FIXED, 3, 17, 0, "St Patrick's Day"},
    {H_GOOD_FRIDAY, UK, 1970, EASTER, 0, -2, 0, "Good Friday"},
    {H_EASTER_MONDAY, EW | NI, 1970, EASTER, 0, 1, 0, "Easter Monday"},
    {H_EARLY_MAY, EW | NI, 1978, FIRST_MONDAY, 5, 0, 0,
     "Early May bank holiday"},
    {H_EARLY_MAY, SC, 1970, FIRST_MONDAY, 5, 0, 0, "Early May bank holiday"},
    {H_SPRING, EW | NI, 1970, LAST_MONDAY, 5, 0, 0, "Spring bank holiday"},
    {H_SPRING, SC, 1978, LAST_MONDAY, 5, 0, 0, "Spring bank holiday"},
    {H_BOYNE, NI, 1970, FIXED, 7, 12, 0,
     "Battle of the Boyne (Orangemen's Day)"},
    {H_SUMMER, SC, 1970, FIRST_MONDAY, 8, 0, 0, "Summer bank holiday"},
    {H_SUMMER, EW | NI, 1970, LAST_MONDAY, 8, 0, 0, "Summer bank holiday"},
    {H_ST_ANDREW, SC, 2007, FIXED, 11, 30, 0, "St Andrew's Day"},
    {H_CHRISTMAS, UK, 1970, FIXED, 12, 25, 0, "Christmas Day"},
    {H_BOXING, EW | NI, 1970, FIXED, 12, 26, 0, "Boxing Day"},
    {H_BOXING, SC, 1974, FIXED, 12, 26, 0, "Boxing Day"},
};

/* A proclamation: moves rule holiday `id` of that year to the date, or
 * with H_EXTRA adds the date.  A NULL title keeps the rule's. */
typedef struct one_off {
    int year, month, day;
    unsigned divisions;
    holiday_id id;
    int substitute;
    const char *title;
} one_off;

static const one_off one_offs[] = {
    {1977, 6, 7, UK, H_EXTRA, 0, "Queen's Silver Jubilee"},
    {1981, 7, 29, UK, H_EXTRA, 0, "Royal wedding"},
    /* VE day's 50th anniversary.  Scotland kept its statutory 1 May and
     * had 8 May as well (Hansard, HC Deb 2 March 1995 vol 255 c709W). */
    {1995, 5, 8, EW | NI, H_EARLY_MAY, 0, "Early May bank holiday (VE day)"},
    {1995, 5, 8, SC, H_EXTRA, 0, "VE day bank holiday"},
    {1999, 12, 31, UK, H_EXTRA, 0, "Millennium celebrations"},
    {2002, 6, 4, UK, H_SPRING, 0, NULL},
    {2002, 6, 3, UK, H_EXTRA, 0, "Queen's Golden Jubilee"},
    {2011, 4, 29, UK, H_EXTRA, 0, "Royal wedding"},
    {2012, 6, 4, UK, H_SPRING, 0, NULL},
    {2012, 6, 5, UK, H_EXTRA, 0, "Queen's Diamond Jubilee"},
    /* gov.uk's 2017 list for Scotland kept 2 January on Monday 2 and put
     * New Year's Day on Tuesday 3 (the 1971 Act's reading); the same days,
     * labelled the other way round from the rule above. */
    {2017, 1, 3, SC, H_NEW_YEAR, 1, NULL},
    {2017, 1, 2, SC, H_JAN_2, 0, NULL},
    {2020, 5, 8, UK, H_EARLY_MAY, 0, "Early May bank holiday (VE day)"},
    {2022, 6, 2, UK, H_SPRING, 0, NULL},
    {2022, 6, 3, UK, H_EXTRA, 0, "Platinum Jubilee bank holiday"},
    {2022, 9, 19, UK, H_EXTRA, 0,
     "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {2023, 5, 8, UK, H_EXTRA, 0,
     "Bank holiday for the coronation of King Charles III"},
    {2026, 6, 15, SC, H_EXTRA, 0, "World Cup bank holiday"},
};

#define N_RULES (sizeof rules / sizeof rules[0])
#define N_ONE_OFFS (sizeof one_offs / sizeof one_offs[0])

AP__NAMES(ap_division, ap_division_name, division_names, AP_DIVISION_COUNT,
          AP_DIVISION_MAP, AP__NAME_TEXT, "unknown")

/* ", england-and-wales, scotland, ..." for messages; skip the first 2. */
static const char division_list[] =
#define AP__LIST(code, text) ", " text
    AP_DIVISION_MAP(AP__LIST)
#undef AP__LIST
    ;

ap_status ap_division_parse(const char *name, ap_division *out,
                            ap_error *err)
{
    if (name == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "division must be one of %s; not (null)",
                            division_list + 2);
    for (int i = 0; i < AP_DIVISION_COUNT; i++)
        if (strcmp(name, division_names[i]) == 0) {
            *out = (ap_division)i;
            return AP_OK;
        }
    size_t len = strlen(name);
    return ap_error_set(err, AP_E_INPUT,
                        "division must be one of %s; not \"%.*s\"",
                        division_list + 2, ap__utf8_prefix(name, len, 60),
                        name);
}

/* Easter Sunday by the Gregorian computus (the anonymous algorithm
 * published in Nature, 1876): the Paschal full moon from the Metonic
 * cycle with the solar and lunar century corrections, then the Sunday
 * after it. */
static int64_t easter_sunday(int64_t year)
{
    int64_t golden = year % 19;
    int64_t century = year / 100, in_century = year % 100;
    int64_t skipped_leaps = century / 4, century_leap = century % 4;
    int64_t moon_fix = (century + 8) / 25;
    int64_t lunar = (century - moon_fix + 1) / 3;
    /* Roughly the days from 21 March to the Paschal full moon; `fix`
     * below is 1 in the two cases (29, or 28 late in the Metonic cycle)
     * where the tables take the full moon a day earlier, so Easter never
     * passes 25 April. */
    int64_t epact =
        (19 * golden + century - skipped_leaps - lunar + 15) % 30;
    int64_t to_sunday = (32 + 2 * century_leap + 2 * (in_century / 4) -
                         epact - in_century % 4) %
                        7;
    int64_t fix = (golden + 11 * epact + 22 * to_sunday) / 451;
    int64_t n = epact + to_sunday - 7 * fix + 114;
    return ap_date_from_ymd(year, (int)(n / 31), (int)(n % 31) + 1);
}

static int64_t first_monday(int64_t year, int month)
{
    int64_t first = ap_date_from_ymd(year, month, 1);
    return first + (7 - ap_date_weekday(first)) % 7;
}

static int64_t last_monday(int64_t year, int month)
{
    /* The day before the 1st of the next month is the month's last. */
    int64_t last = month == 12 ? ap_date_from_ymd(year + 1, 1, 1) - 1
                               : ap_date_from_ymd(year, month + 1, 1) - 1;
    return last - ap_date_weekday(last);
}

static int is_weekend(int64_t date)
{
    return ap_date_weekday(date) >= 5;
}

/* Appends to the caller's array; 0 when it is full, which the tables
 * never make happen (at most 12 days: Northern Ireland in 2022). */
static int push(ap_holiday *out, holiday_id *ids, size_t *n, int64_t date,
                const char *title, int substitute, holiday_id id)
{
    if (*n == AP_HOLIDAYS_PER_YEAR_MAX)
        return 0;
    out[*n] = (ap_holiday){date, title, substitute};
    ids[(*n)++] = id;
    return 1;
}

static int taken(const ap_holiday *list, size_t n, int64_t date)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].date == date)
            return 1;
    return 0;
}

ap_status ap_bank_holidays(ap_division division, int64_t year,
                           ap_holiday *out, size_t *n_out, ap_error *err)
{
    if (out == NULL || n_out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "bank holidays need an output array and count");
    *n_out = 0;
    if ((int)division < 0 || division >= AP_DIVISION_COUNT)
        return ap_error_set(err, AP_E_INPUT,
                            "division %d is not one of %s", (int)division,
                            division_list + 2);
    if (year < AP_CALENDAR_FIRST_YEAR || year > AP_CALENDAR_LAST_YEAR)
        return ap_error_set(err, AP_E_INPUT,
                            "year %lld is outside the bank holiday "
                            "calendar, which covers %d to %d",
                            (long long)year, AP_CALENDAR_FIRST_YEAR,
                            AP_CALENDAR_LAST_YEAR);
    if (division == AP_DIVISION_NONE)
        return AP_OK;

    unsigned bit = 1u << division;
    int64_t easter = easter_sunday(year);
    int in_force[N_RULES];
    int64_t nominal[N_RULES];
    for (size_t r = 0; r < N_RULES; r++) {
        const rule *ru = &rules[r];
        in_force[r] = (ru->divisions & bit) && year >= ru->first_year;
        nominal[r] = 0;
        if (!in_force[r])
            continue;
        switch (ru->kind) {
        case FIXED:
            nominal[r] = ap_date_from_ymd(year, ru->month, ru->day);
            break;
        case FIRST_MONDAY:
            nominal[r] = first_monday(year, ru->month);
            break;
        case LAST_MONDAY:
            nominal[r] = last_monday(year, ru->month);
            break;
        case EASTER:
            nominal[r] = easter + ru->day;
            break;
        }
    }

    /* Which fixed-date holidays move: those on a weekend, and a yielding
     * one whose predecessor (the day before) is on a weekend. */
    int moves[N_RULES];
    for (size_t r = 0; r < N_RULES; r++) {
        moves[r] = in_force[r] && rules[r].kind == FIXED &&
                   is_weekend(nominal[r]);
        if (in_force[r] && rules[r].yields_to_previous)
            for (size_t p = 0; p < N_RULES; p++)
                if (in_force[p] && nominal[p] == nominal[r] - 1 &&
                    is_weekend(nominal[p]))
                    moves[r] = 1;
    }

    holiday_id ids[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = 0;
    /* Holidays that stay first, so that the substitutes, taken in date
     * order, find the days already spoken for. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < N_RULES; r++) {
            if (!in_force[r] || moves[r] != pass)
                continue;
            int64_t date = nominal[r];
            while (pass == 1 && (is_weekend(date) || taken(out, n, date)))
                date++;
            if (!push(out, ids, &n, date, rules[r].title,
                      date != nominal[r], rules[r].id))
                goto full;
        }

    for (size_t k = 0; k < N_ONE_OFFS; k++) {
        const one_off *o = &one_offs[k];
        if (o->year != year || !(o->divisions & bit))
            continue;
        int64_t date = ap_date_from_ymd(year, o->month, o->day);
        if (o->id == H_EXTRA) {
            if (!push(out, ids, &n, date, o->title, o->substitute, H_EXTRA))
                goto full;
            continue;
        }
        size_t i = 0;
        while (i < n && ids[i] != o->id)
            i++;
        if (i == n)
            continue; /* the rule was not in force: nothing to move */
        out[i].date = date;
        out[i].substitute = o->substitute;
        if (o->title != NULL)
            out[i].title = o->title;
    }

    /* Insertion sort: a dozen entries, mostly in order already. */
    for (size_t i = 1; i < n; i++) {
        ap_holiday h = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1].date > h.date; j--)
            out[j] = out[j - 1];
        out[j] = h;
    }
    *n_out = n;
    return AP_OK;

full:
    return ap_error_set(err, AP_E_OVERFLOW,
                        "more than %d bank holidays in %lld in %s",
                        AP_HOLIDAYS_PER_YEAR_MAX, (long long)year,
                        division_names[division]);
}
