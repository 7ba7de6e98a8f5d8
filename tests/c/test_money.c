#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

static int64_t parse(const char *text, ap_unit unit)
{
    int64_t v = 0, res = 0;
    ap_error err;
    if (ap_money_parse(text, (size_t)-1, unit, &v, &res, &err) != AP_OK) {
        fprintf(stderr, "parse(%s) failed: %s\n", text, err.message);
        exit(1);
    }
    return v;
}

static const char *parse_error(const char *text, ap_unit unit)
{
    static ap_error err;
    int64_t v = 12345;
    CHECK(ap_money_parse(text, (size_t)-1, unit, &v, NULL, &err) != AP_OK);
    CHECK_EQ_I64(v, 12345); /* untouched on error */
    return err.message;
}

TEST(money_arithmetic)
{
    int64_t r = 7;
    ap_error err;
    CHECK(ap_money_add(1, 2, &r, &err) == AP_OK && r == 3);
    CHECK(ap_money_add(INT64_MAX, 1, &r, &err) == AP_E_OVERFLOW);
    CHECK_EQ_I64(r, 3);
    CHECK_CONTAINS(err.message, "overflows");
    CHECK(ap_money_sub(INT64_MIN, 1, &r, &err) == AP_E_OVERFLOW);
    CHECK(ap_money_mul(INT64_MAX / 2, 3, &r, &err) == AP_E_OVERFLOW);
    CHECK(ap_money_mul(-21165400, 4, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, -84661600);
    int64_t v[] = {INT64_MAX, 1, -5};
    CHECK(ap_money_sum(v, 3, &r, &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "item 1");
    int64_t w[] = {1082900, 20082500};
    CHECK(ap_money_sum(w, 2, &r, &err) == AP_OK && r == 21165400);
}

TEST(money_mul_ratio)
{
    int64_t r;
    ap_error err;
    /* £407,045 x 44.16% = £179,751.072 */
    CHECK(ap_money_mul_ratio(40704500, 4416, 10000, AP_ROUND_HALF_UP, &r,
                             &err) == AP_OK);
    CHECK_EQ_I64(r, 17975107);
    CHECK(ap_money_mul_ratio(5, 1, 2, AP_ROUND_HALF_EVEN, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, 2);
    CHECK(ap_money_mul_ratio(-5, 1, 2, AP_ROUND_HALF_UP, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, -3);
    CHECK(ap_money_mul_ratio(-5, 1, 2, AP_ROUND_FLOOR, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, -3);
    CHECK(ap_money_mul_ratio(-5, 1, 2, AP_ROUND_CEILING, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, -2);
    CHECK(ap_money_mul_ratio(5, 1, -2, AP_ROUND_DOWN, &r, &err) == AP_OK);
    CHECK_EQ_I64(r, -2);
    /* The product exceeds int64 but the result does not. */
    CHECK(ap_money_mul_ratio(INT64_MAX, INT64_MAX, INT64_MAX, AP_ROUND_DOWN,
                             &r, &err) == AP_OK);
    CHECK_EQ_I64(r, INT64_MAX);
    CHECK(ap_money_mul_ratio(INT64_MAX, 3, 2, AP_ROUND_DOWN, &r, &err) ==
          AP_E_OVERFLOW);
    CHECK(ap_money_mul_ratio(1, 1, 0, AP_ROUND_DOWN, &r, &err) == AP_E_INPUT);
}

TEST(money_parse_seed_figures)
{
    CHECK_EQ_I64(parse("£211,654", AP_UNIT_POUNDS), 21165400);
    CHECK_EQ_I64(parse("-£211,654", AP_UNIT_POUNDS), -21165400);
    CHECK_EQ_I64(parse("£-211,654", AP_UNIT_POUNDS), -21165400);
    CHECK_EQ_I64(parse("\xe2\x88\x92£5", AP_UNIT_POUNDS), -500);
    CHECK_EQ_I64(parse("£127,882.35", AP_UNIT_POUNDS), 12788235);
    CHECK_EQ_I64(parse("(3,540)", AP_UNIT_THOUSANDS), -354000000);
    CHECK_EQ_I64(parse("(£3,540)", AP_UNIT_THOUSANDS), -354000000);
    CHECK_EQ_I64(parse("£0.85m", AP_UNIT_POUNDS), 85000000);
    CHECK_EQ_I64(parse("£1.3m", AP_UNIT_THOUSANDS), 130000000);
    CHECK_EQ_I64(parse("£2,094", AP_UNIT_POUNDS), 209400);
    CHECK_EQ_I64(parse("407045", AP_UNIT_POUNDS), 40704500);
    CHECK_EQ_I64(parse("  407045.00 ", AP_UNIT_POUNDS), 40704500);
    CHECK_EQ_I64(parse("0.410", AP_UNIT_MILLIONS), 41000000);
    CHECK_EQ_I64(parse("85p", AP_UNIT_POUNDS), 85);
    CHECK_EQ_I64(parse("£1.2bn", AP_UNIT_POUNDS), 120000000000LL);
    CHECK_EQ_I64(parse("92,233,720,368,547,758.07", AP_UNIT_POUNDS),
                 INT64_MAX);
    CHECK_EQ_I64(parse("-92,233,720,368,547,758.08", AP_UNIT_POUNDS),
                 INT64_MIN);
    int64_t v, res;
    CHECK(ap_money_parse("£211,654", 9, AP_UNIT_POUNDS, &v, &res, NULL) ==
          AP_OK);
    CHECK_EQ_I64(v, 21165400);
    CHECK_EQ_I64(res, 100);
    CHECK(ap_money_parse("(3,540)", 7, AP_UNIT_THOUSANDS, &v, &res, NULL) ==
          AP_OK);
    CHECK_EQ_I64(res, 100000);
    CHECK(ap_money_parse("£0.85m", (size_t)-1, AP_UNIT_POUNDS, &v, &res,
                         NULL) == AP_OK);
    CHECK_EQ_I64(res, 1000000);
}

TEST(money_parse_errors)
{
    CHECK_CONTAINS(parse_error("£21x,654", AP_UNIT_POUNDS), "character 4");
    CHECK_CONTAINS(parse_error("£21x,654", AP_UNIT_POUNDS), "'x'");
    CHECK_CONTAINS(parse_error("", AP_UNIT_POUNDS), "empty");
    CHECK_CONTAINS(parse_error("£", AP_UNIT_POUNDS), "expected a digit");
    CHECK_CONTAINS(parse_error("£1,23", AP_UNIT_POUNDS), "three digits");
    CHECK_CONTAINS(parse_error("£1,2345", AP_UNIT_POUNDS), "three digits");
    CHECK_CONTAINS(parse_error("1234,567", AP_UNIT_POUNDS), "comma");
    CHECK_CONTAINS(parse_error("£127,882.355", AP_UNIT_POUNDS),
                   "more precise than a penny");
    CHECK_CONTAINS(parse_error("(3,540", AP_UNIT_THOUSANDS),
                   "closing bracket");
    CHECK_CONTAINS(parse_error("(-3,540)", AP_UNIT_THOUSANDS),
                   "sign inside brackets");
    CHECK_CONTAINS(parse_error("£5.", AP_UNIT_POUNDS), "after the point");
    CHECK_CONTAINS(parse_error("£5 m", AP_UNIT_POUNDS), "unexpected text");
    CHECK_CONTAINS(parse_error("92,233,720,368,547,758.08", AP_UNIT_POUNDS),
                   "too large");
    CHECK_CONTAINS(parse_error("99999999999999999999999999999999999999999",
                               AP_UNIT_POUNDS),
                   "too large");
    ap_error err;
    int64_t v;
    CHECK(ap_money_parse(NULL, 0, AP_UNIT_POUNDS, &v, NULL, &err) ==
          AP_E_INPUT);
    ap_unit u;
    CHECK(ap_unit_parse("£000", &u, &err) == AP_OK && u == AP_UNIT_THOUSANDS);
    CHECK(ap_unit_parse("£m", &u, &err) == AP_OK && u == AP_UNIT_MILLIONS);
    CHECK(ap_unit_parse("$", &u, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "unknown unit");
}

static const char *fmt(int64_t pence, ap_unit unit, int decimals,
                       ap_negative_style neg)
{
    static char buf[64];
    ap_format_options o = ap_format_defaults();
    o.unit = unit;
    o.decimals = decimals;
    o.negative = neg;
    ap_error err;
    if (ap_money_format(pence, &o, buf, sizeof buf, &err) != AP_OK) {
        fprintf(stderr, "format failed: %s\n", err.message);
        exit(1);
    }
    return buf;
}

TEST(money_format)
{
    CHECK_STR(fmt(21165400, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS),
              "£211,654.00");
    CHECK_STR(fmt(-354000000, AP_UNIT_POUNDS, 0, AP_NEGATIVE_BRACKETS),
              "(£3,540,000)");
    CHECK_STR(fmt(-354000000, AP_UNIT_THOUSANDS, -1, AP_NEGATIVE_BRACKETS),
              "(£3,540k)");
    CHECK_STR(fmt(85000000, AP_UNIT_MILLIONS, -1, AP_NEGATIVE_MINUS),
              "£0.85m");
    CHECK_STR(fmt(130000000, AP_UNIT_MILLIONS, 1, AP_NEGATIVE_MINUS),
              "£1.3m");
    CHECK_STR(fmt(12788235, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS),
              "£127,882.35");
    CHECK_STR(fmt(12788235, AP_UNIT_POUNDS, 0, AP_NEGATIVE_MINUS),
              "£127,882");
    CHECK_STR(fmt(12788250, AP_UNIT_POUNDS, 0, AP_NEGATIVE_MINUS),
              "£127,883");
    CHECK_STR(fmt(-12788250, AP_UNIT_POUNDS, 0, AP_NEGATIVE_MINUS),
              "-£127,883");
    CHECK_STR(fmt(0, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS), "£0.00");
    CHECK_STR(fmt(5, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS), "£0.05");
    CHECK_STR(fmt(-5, AP_UNIT_POUNDS, -1, AP_NEGATIVE_BRACKETS), "(£0.05)");
    CHECK_STR(fmt(100000, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS),
              "£1,000.00");
    CHECK_STR(fmt(99999, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS), "£999.99");
    CHECK_STR(fmt(INT64_MIN, AP_UNIT_POUNDS, -1, AP_NEGATIVE_MINUS),
              "-£92,233,720,368,547,758.08");
    CHECK_STR(fmt(85, AP_UNIT_PENCE, -1, AP_NEGATIVE_MINUS), "85p");
    CHECK_STR(fmt(1, AP_UNIT_POUNDS, 4, AP_NEGATIVE_MINUS), "£0.0100");
    ap_format_options o = ap_format_defaults();
    o.symbol = 0;
    o.grouping = 0;
    char buf[64];
    CHECK(ap_money_format(21165400, &o, buf, sizeof buf, NULL) == AP_OK);
    CHECK_STR(buf, "211654.00");
    ap_error err;
    CHECK(ap_money_format(21165400, NULL, buf, 5, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "too small");
}

TEST(money_round_trip)
{
    /* Every formatted figure parses back to itself. */
    int64_t samples[] = {0, 1, -1, 99, 100, 12345678, -98765432101LL,
                         INT64_MAX, INT64_MIN, 21165400, -354000000};
    char buf[64];
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        for (int neg = 0; neg < 2; neg++) {
            ap_format_options o = ap_format_defaults();
            o.negative = (ap_negative_style)neg;
            CHECK(ap_money_format(samples[i], &o, buf, sizeof buf, NULL) ==
                  AP_OK);
            int64_t back;
            CHECK(ap_money_parse(buf, (size_t)-1, AP_UNIT_POUNDS, &back,
                                 NULL, NULL) == AP_OK);
            CHECK_EQ_I64(back, samples[i]);
        }
    }
}
