#include <stdint.h>
#include <stdlib.h>

#include "apportion/apportion.h"
#include "runner.h"

static int64_t ymd(int y, int m, int d) { return ap_date_from_ymd(y, m, d); }

TEST(dates_civil)
{
    CHECK_EQ_I64(ymd(1970, 1, 1), 0);
    CHECK_EQ_I64(ymd(2000, 3, 1), 11017);
    CHECK_EQ_I64(ymd(1969, 12, 31), -1);
    /* Every day from 1900 to 2200 round-trips and weekdays advance. */
    int64_t first = ymd(1900, 1, 1), last = ymd(2200, 12, 31);
    int prev_wd = ap_date_weekday(first) - 1;
    for (int64_t t = first; t <= last; t++) {
        int64_t y;
        int m, d;
        ap_date_to_ymd(t, &y, &m, &d);
        CHECK(ap_date_valid(y, m, d));
        CHECK_EQ_I64(ap_date_from_ymd(y, m, d), t);
        CHECK_EQ_I64(ap_date_weekday(t), (prev_wd + 1) % 7);
        prev_wd = ap_date_weekday(t);
    }
    CHECK_EQ_I64(ap_date_weekday(ymd(2021, 4, 2)), 4); /* a Friday */
    CHECK(!ap_date_valid(2023, 2, 29) && ap_date_valid(2024, 2, 29));
    CHECK(!ap_date_valid(1900, 2, 29) && ap_date_valid(2000, 2, 29));

    char buf[32];
    ap_date_format(ymd(2021, 12, 31), buf, sizeof buf);
    CHECK_STR(buf, "2021-12-31");
    ap_date_format(AP_DATE_NAT, buf, sizeof buf);
    CHECK_STR(buf, "NaT");
    int64_t t;
    ap_error err;
    CHECK(ap_date_parse("2022-06-03", (size_t)-1, &t, &err) == AP_OK);
    CHECK_EQ_I64(t, ymd(2022, 6, 3));
    CHECK(ap_date_parse("2022-02-30", (size_t)-1, &t, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "2022-02-30");
    CHECK(ap_date_parse("3/6/2022", (size_t)-1, &t, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "YYYY-MM-DD");

    CHECK_EQ_I64(ap_date_add_months(ymd(2024, 2, 29), -12), ymd(2023, 2, 28));
    CHECK_EQ_I64(ap_date_add_months(ymd(2021, 3, 31), -1), ymd(2021, 2, 28));
    CHECK_EQ_I64(ap_date_add_months(ymd(2021, 1, 15), 14), ymd(2022, 3, 15));
}

/* Day counts at the ends of int64 (a corrupt date in an error message)
 * convert without overflow: 146097 days (400 years, whole weeks) apart
 * they give the same month, day and weekday, and weekdays keep stepping. */
TEST(dates_extreme_day_counts)
{
    const int64_t ends[] = {INT64_MAX, INT64_MAX - 1, INT64_MIN + 1,
                            INT64_MIN + 146097 + 5};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        int64_t t = ends[i];
        int64_t near = t > 0 ? t - 146097 : t + 146097;
        int64_t y1, y2;
        int m1, d1, m2, d2;
        ap_date_to_ymd(t, &y1, &m1, &d1);
        ap_date_to_ymd(near, &y2, &m2, &d2);
        /* (Past ap_date_valid's +-1,000,000 years, so checked by hand.) */
        CHECK(m1 >= 1 && m1 <= 12 && d1 >= 1 && d1 <= 31);
        CHECK_EQ_I64(m1, m2);
        CHECK_EQ_I64(d1, d2);
        CHECK_EQ_I64(y1 - y2, t > 0 ? 400 : -400);
        /* 146097 days are whole weeks. */
        CHECK_EQ_I64(ap_date_weekday(t), ap_date_weekday(near));
        int64_t a = t > 0 ? t - 1 : t;
        CHECK_EQ_I64(ap_date_weekday(a + 1), (ap_date_weekday(a) + 1) % 7);
        char buf[32];
        ap_date_format(t, buf, sizeof buf);
        CHECK(buf[0] != '\0');
    }
}

TEST(dates_financial_year)
{
    CHECK_EQ_I64(ap_fy_start_year(ymd(2021, 4, 1)), 2021);
    CHECK_EQ_I64(ap_fy_start_year(ymd(2022, 3, 31)), 2021);
    CHECK_EQ_I64(ap_fy_quarter(ymd(2021, 12, 1)), 3);
    CHECK_EQ_I64(ap_fy_period(ymd(2021, 12, 1)), 9);
    CHECK_EQ_I64(ap_fy_period(ymd(2022, 3, 1)), 12);
    CHECK_EQ_I64(ap_fy_quarter(ymd(2022, 1, 1)), 4);
    char buf[16];
    ap_fy_label(2021, buf, sizeof buf);
    CHECK_STR(buf, "2021/22");
    ap_fy_label(1999, buf, sizeof buf);
    CHECK_STR(buf, "1999/00");
    int64_t y;
    ap_error err;
    CHECK(ap_fy_parse("2021/22", (size_t)-1, &y, &err) == AP_OK && y == 2021);
    CHECK(ap_fy_parse("1999-2000", (size_t)-1, &y, &err) == AP_OK &&
          y == 1999);
    CHECK(ap_fy_parse("2021/23", (size_t)-1, &y, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "2021/23");

    int64_t dates[] = {ymd(2021, 12, 25), AP_DATE_NAT, ymd(2022, 3, 31)};
    int64_t out[3];
    CHECK(ap_date_parts_many(dates, 3, AP_PART_FY_QUARTER, -1, out, &err) ==
          AP_OK);
    CHECK(out[0] == 20213 && out[1] == -1 && out[2] == 20214);
    CHECK(ap_date_parts_many(dates, 3, AP_PART_MONTH, -1, out, &err) ==
          AP_OK);
    CHECK(out[0] == 202112 && out[2] == 202203);

    /* England and Wales working days per financial year, counted by hand. */
    ap_calendar *cal;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    int64_t expected[][2] = {{2021, 253}, {2022, 251}, {2023, 250},
                             {2024, 254}};
    for (int i = 0; i < 4; i++) {
        int64_t n;
        CHECK(ap_fy_working_days(cal, expected[i][0], &n, &err) == AP_OK);
        CHECK_EQ_I64(n, expected[i][1]);
    }
    ap_calendar_free(cal);
}

/* A slow, obviously right count to compare the tables with. */
/* numpy >= 1.25: [a, b) forwards, minus (b, a] backwards. */
static int64_t brute_count(const ap_calendar *cal, int64_t a, int64_t b)
{
    int64_t n = 0;
    if (a <= b) {
        for (int64_t t = a; t < b; t++)
            n += ap_calendar_is_working_day(cal, t);
        return n;
    }
    for (int64_t t = b + 1; t <= a; t++)
        n += ap_calendar_is_working_day(cal, t);
    return -n;
}

TEST(working_days_against_brute_force)
{
    ap_error err;
    ap_calendar *cal;
    /* A Saturday closure day is harmless; a Tuesday one counts. */
    int64_t closures[] = {ymd(2021, 12, 29), ymd(2022, 1, 8)};
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          closures, 2, &cal, &err) == AP_OK);
    CHECK(!ap_calendar_is_working_day(cal, ymd(2021, 12, 29)));
    CHECK(!ap_calendar_is_working_day(cal, ymd(2021, 12, 27))); /* sub. */
    CHECK(ap_calendar_is_working_day(cal, ymd(2021, 12, 30)));
    srand(7);
    int64_t first = ap_calendar_first(cal), last = ap_calendar_last(cal);
    for (int k = 0; k < 20000; k++) {
        int64_t a = first + rand() % (last - first + 2);
        int64_t b = a + rand() % 120 - 60;
        if (b < first || b > last + 1 || (b < a && a > last))
            continue;
        int64_t n;
        CHECK(ap_working_days(cal, a, b, &n, &err) == AP_OK);
        CHECK_EQ_I64(n, brute_count(cal, a, b));
    }
    int64_t n;
    CHECK(ap_working_days(cal, first, last + 1, &n, &err) == AP_OK);
    CHECK(ap_working_days(cal, first - 1, last, &n, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "begin[0] is 1969-12-31");
    CHECK(ap_working_days(cal, AP_DATE_NAT, last, &n, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "NaT");
    ap_calendar_free(cal);

    /* A weekmask: Monday to Thursday, no holidays. */
    CHECK(ap_calendar_new(AP_DIVISION_NONE, 0x0F, NULL, 0, &cal, &err) ==
          AP_OK);
    CHECK(ap_working_days(cal, ymd(2021, 4, 5), ymd(2021, 4, 19), &n,
                          &err) == AP_OK);
    CHECK_EQ_I64(n, 8);
    ap_calendar_free(cal);
    CHECK(ap_calendar_new(AP_DIVISION_NONE, 0, NULL, 0, &cal, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "weekmask");
    int64_t bad = ymd(2101, 1, 1);
    CHECK(ap_calendar_new(AP_DIVISION_NONE, 0x1F, &bad, 1, &cal, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "closures[0] is 2101-01-01");
}

TEST(add_working_days_rolls)
{
    ap_error err;
    ap_calendar *cal;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    int64_t out;
    /* Sat 3 April 2021; Good Friday 2 April and Easter Monday 5 April. */
    int64_t sat = ymd(2021, 4, 3);
    CHECK(ap_add_working_days(cal, sat, 0, AP_ROLL_FORWARD, &out, &err) ==
          AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 4, 6));
    CHECK(ap_add_working_days(cal, sat, 0, AP_ROLL_BACKWARD, &out, &err) ==
          AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 4, 1));
    CHECK(ap_add_working_days(cal, sat, 3, AP_ROLL_FOLLOWING, &out, &err) ==
          AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 4, 9));
    CHECK(ap_add_working_days(cal, sat, 0, AP_ROLL_RAISE, &out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "2021-04-03");
    CHECK(ap_add_working_days(cal, sat, 0, AP_ROLL_NAT, &out, &err) == AP_OK);
    CHECK_EQ_I64(out, AP_DATE_NAT);
    /* Sat 31 July 2021: following crosses into August, so modified
     * following goes back to Fri 30 July. */
    int64_t end_july = ymd(2021, 7, 31);
    CHECK(ap_add_working_days(cal, end_july, 0, AP_ROLL_MODIFIED_FOLLOWING,
                              &out, &err) == AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 7, 30));
    /* Sat 1 May 2021: preceding crosses into April, so modified preceding
     * goes on to Tue 4 May (Mon 3 May is the Early May holiday). */
    CHECK(ap_add_working_days(cal, ymd(2021, 5, 1), 0,
                              AP_ROLL_MODIFIED_PRECEDING, &out, &err) ==
          AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 5, 4));
    CHECK(ap_add_working_days(cal, ymd(2021, 4, 6), -2, AP_ROLL_RAISE, &out,
                              &err) == AP_OK);
    CHECK_EQ_I64(out, ymd(2021, 3, 31));
    CHECK(ap_add_working_days(cal, ymd(2100, 12, 30), 5, AP_ROLL_RAISE, &out,
                              &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "outside the calendar");
    CHECK(ap_add_working_days(cal, AP_DATE_NAT, 5, AP_ROLL_RAISE, &out,
                              &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "NaT");
    CHECK(ap_add_working_days(cal, AP_DATE_NAT, 5, AP_ROLL_FORWARD, &out,
                              &err) == AP_OK);
    CHECK_EQ_I64(out, AP_DATE_NAT);
    /* Reversed pairs as numpy 1.25+: Sun 10 March back to Mon 4 March
     * 2024 is minus (Tue 5 .. Fri 8) = -4. */
    int64_t count;
    CHECK(ap_working_days(cal, ymd(2024, 3, 10), ymd(2024, 3, 4), &count,
                          &err) == AP_OK);
    CHECK_EQ_I64(count, -4);
    ap_roll roll;
    CHECK(ap_roll_parse("modifiedfollowing", &roll, &err) == AP_OK &&
          roll == AP_ROLL_MODIFIED_FOLLOWING);
    CHECK(ap_roll_parse("sideways", &roll, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "modifiedpreceding");
    ap_calendar_free(cal);
}

TEST(elapsed_conventions)
{
    ap_error err;
    ap_calendar *cal;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    /* docs/domain.rst: received Friday, responded Wednesday = 3. */
    int64_t start[] = {ymd(2021, 6, 4), ymd(2021, 6, 5), ymd(2021, 4, 1),
                       ymd(2021, 6, 4), AP_DATE_NAT};
    int64_t end[] = {ymd(2021, 6, 9), ymd(2021, 6, 8), ymd(2021, 4, 7),
                     ymd(2021, 6, 4), ymd(2021, 6, 4)};
    int64_t out[5];
    CHECK(ap_elapsed_working_days_many(cal, start, end, 5,
                                       AP_ELAPSED_AFTER_START, -1, out,
                                       &err) == AP_OK);
    CHECK_EQ_I64(out[0], 3);
    CHECK_EQ_I64(out[1], 2); /* received Saturday: Mon, Tue */
    CHECK_EQ_I64(out[2], 2); /* over Easter 2021: Tue 6, Wed 7 */
    CHECK_EQ_I64(out[3], 0); /* same day */
    CHECK_EQ_I64(out[4], -1);
    CHECK(ap_elapsed_working_days_many(cal, start, end, 4,
                                       AP_ELAPSED_BUSDAY_COUNT, -1, out,
                                       &err) == AP_OK);
    CHECK(out[0] == 3 && out[1] == 1 && out[2] == 2 && out[3] == 0);
    CHECK(ap_elapsed_working_days_many(cal, start, end, 4,
                                       AP_ELAPSED_INCLUSIVE, -1, out,
                                       &err) == AP_OK);
    CHECK(out[0] == 4 && out[1] == 2 && out[2] == 3 && out[3] == 1);
    int64_t s2[] = {ymd(2021, 6, 9)}, e2[] = {ymd(2021, 6, 4)};
    CHECK(ap_elapsed_working_days_many(cal, s2, e2, 1, AP_ELAPSED_AFTER_START,
                                       -1, out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 0 ends (2021-06-04) before it starts "
                                "(2021-06-09)");
    ap_calendar_free(cal);
}
