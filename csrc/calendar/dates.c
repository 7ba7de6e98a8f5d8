/* Civil dates as days since 1970-01-01, and financial-year parts.
 *
 * The day-number conversions use the era-of-400-years method (Gregorian
 * cycles repeat every 146,097 days), so they need no tables and work for
 * any year an int64 day count can reach within reason. */
#include <stdio.h>
#include <string.h>

#include "apportion/calendar.h"
#include "base/base.h"

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int ap_date_valid(int64_t year, int month, int day)
{
    /* The bound keeps every day number far inside int64. */
    if (year < -1000000 || year > 1000000 || month < 1 || month > 12)
        return 0;
    return day >= 1 && day <= days_in_month(year, month);
}

/* Floor division for the era arithmetic (C's / truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t ap_date_from_ymd(int64_t year, int month, int day)
{
    /* Count from 1 March so the leap day ends the year. */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                 /* 0..399 */
    int64_t mp = (month + 9) % 12;                               /* Mar = 0 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;                  /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void ap_date_to_ymd(int64_t date, int64_t *year, int *month, int *day)
{
    /* Take whole 400-year cycles (146097 days) off first, so that no
     * intermediate overflows for any int64 day count, however far from
     * 1970 (an error message may format a corrupt date). */
    int64_t cycles = date / 146097, rest = date % 146097;
    if (rest < 0) {
        rest += 146097;
        cycles -= 1;
    }
    int64_t z = rest + 719468;                               /* 0..865564 */
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    /* |cycles| * 400 < 2^63 / 146097 * 400: no overflow. */
    *year = yoe + (era + cycles) * 400 + (m <= 2);
    *month = m;
    *day = d;
}

int ap_date_weekday(int64_t date)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0); reduce before adding
     * so that a date near INT64_MAX cannot overflow. */
    int64_t w = date % 7 + 3;
    w %= 7;
    return (int)(w < 0 ? w + 7 : w);
}

void ap_date_format(int64_t date, char *buf, size_t size)
{
    if (date == AP_DATE_NAT) {
        snprintf(buf, size, "NaT");
        return;
    }
    int64_t y;
    int m, d;
    ap_date_to_ymd(date, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

static int read_digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

ap_status ap_date_parse(const char *text, size_t len, int64_t *out,
                        ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "cannot read a date: no text");
    if (len == (size_t)-1)
        len = strlen(text);
    int64_t y, m, d;
    if (len != 10 || text[4] != '-' || text[7] != '-' ||
        !read_digits(text, 4, &y) || !read_digits(text + 5, 2, &m) ||
        !read_digits(text + 8, 2, &d))
        return ap_error_set(err, AP_E_INPUT,
                            "\"%.*s\" is not a date of the form YYYY-MM-DD",
                            ap__utf8_prefix(text, len, 40), text);
    if (!ap_date_valid(y, (int)m, (int)d))
        return ap_error_set(err, AP_E_INPUT, "\"%.*s\" is not a real date",
                            (int)len, text);
    *out = ap_date_from_ymd(y, (int)m, (int)d);
    return AP_OK;
}

int64_t ap_date_add_months(int64_t date, int64_t months)
{
    int64_t y;
    int m, d;
    ap_date_to_ymd(date, &y, &m, &d);
    int64_t index = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(index, 12);
    int nm = (int)(index - ny * 12) + 1;
    int last = days_in_month(ny, nm);
    return ap_date_from_ymd(ny, nm, d > last ? last : d);
}

int64_t ap_fy_start_year(int64_t date)
{
    int64_t y;
    int m, d;
    ap_date_to_ymd(date, &y, &m, &d);
    return m >= 4 ? y : y - 1;
}

int ap_fy_period(int64_t date)
{
    int64_t y;
    int m, d;
    ap_date_to_ymd(date, &y, &m, &d);
    return m >= 4 ? m - 3 : m + 9;
}

int ap_fy_quarter(int64_t date)
{
    return (ap_fy_period(date) - 1) / 3 + 1;
}

void ap_fy_label(int64_t start_year, char *buf, size_t size)
{
    int64_t next = (start_year + 1) % 100;
    snprintf(buf, size, "%04lld/%02lld", (long long)start_year,
             (long long)(next < 0 ? next + 100 : next));
}

ap_status ap_fy_parse(const char *text, size_t len, int64_t *start_year,
                      ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a financial year: no text");
    if (len == (size_t)-1)
        len = strlen(text);
    int64_t first, second;
    int ok = (len == 7 || len == 9) && (text[4] == '/' || text[4] == '-') &&
             read_digits(text, 4, &first) &&
             read_digits(text + 5, len - 5, &second);
    if (ok)
        ok = len == 7 ? second == (first + 1) % 100 : second == first + 1;
    if (!ok)
        return ap_error_set(
            err, AP_E_INPUT,
            "\"%.*s\" is not a financial year such as 2021/22 (the second "
            "year must follow the first)",
            ap__utf8_prefix(text, len, 40), text);
    *start_year = first;
    return AP_OK;
}

static const char *const part_names[AP_DATE_PART_COUNT] = {
    AP_DATE_PART_MAP(AP__NAME_TEXT)};

ap_status ap_date_part_parse(const char *name, ap_date_part *out,
                             ap_error *err)
{
    int i;
    ap_status st = ap__parse_name(name, part_names, AP_DATE_PART_COUNT,
                                  "date part", &i, err);
    if (st == AP_OK)
        *out = (ap_date_part)i;
    return st;
}

/* Dates further than this from 1970 are refused: no council record is
 * dated in another millennium, and it keeps the arithmetic small. */
#define DATE_PART_LIMIT 3000000

ap_status ap_date_parts_many(const int64_t *dates, size_t n, ap_date_part part,
                             int64_t missing, int64_t *out, ap_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int64_t t = dates[i];
        if (t == AP_DATE_NAT) {
            out[i] = missing;
            continue;
        }
        if (t < -DATE_PART_LIMIT || t > DATE_PART_LIMIT)
            return ap_error_set(err, AP_E_INPUT,
                                "dates[%zu] is %lld days from 1970-01-01, "
                                "beyond any date this can take",
                                i, (long long)t);
        int64_t y;
        int m, d;
        ap_date_to_ymd(t, &y, &m, &d);
        int64_t fy = m >= 4 ? y : y - 1;
        int period = m >= 4 ? m - 3 : m + 9;
        int quarter = (period - 1) / 3 + 1;
        switch (part) {
        case AP_PART_FY: out[i] = fy; break;
        case AP_PART_QUARTER: out[i] = quarter; break;
        case AP_PART_PERIOD: out[i] = period; break;
        case AP_PART_FY_QUARTER: out[i] = fy * 10 + quarter; break;
        case AP_PART_MONTH: out[i] = y * 100 + m; break;
        default:
            return ap_error_set(err, AP_E_INPUT, "unknown date part %d",
                                (int)part);
        }
    }
    return AP_OK;
}
