#include <stdint.h>

#include "apportion/apportion.h"
#include "money/number_lexer.h"
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

/* ---- the number lexer (number_lexer.c) ---------------------------------- */

#define NBSP "\xc2\xa0"           /* U+00A0 */
#define NARROW_NBSP "\xe2\x80\xaf" /* U+202F */

static ap__lexer lexer(const char *text)
{
    ap__lexer lx;
    ap__lex_init(&lx, text, (size_t)-1, 0);
    return lx;
}

static ap__lexer trimmed(const char *text, unsigned blanks)
{
    ap__lexer lx;
    ap__lex_init(&lx, text, strlen(text), blanks);
    return lx;
}

TEST(lexer_blanks)
{
    /* Every printed blank, the no-break spaces included, at both ends. */
    ap__lexer lx = trimmed(NBSP " \t" NARROW_NBSP "1,070\v\f" NBSP "\r\n",
                           AP__BLANKS_PRINTED);
    CHECK_EQ_I64(lx.pos, 7);
    CHECK_EQ_I64(lx.end, 12);
    CHECK_EQ_I64(lx.len, 18);
    /* Only the kinds asked for: a decimal's spaces and tabs. */
    lx = trimmed(" \t" NBSP "5 \t", AP__BLANK_SPACE);
    CHECK_EQ_I64(lx.pos, 2);
    CHECK_EQ_I64(lx.end, 5);
    lx = trimmed("\n5\n", AP__BLANK_SPACE);
    CHECK_EQ_I64(lx.pos, 0);
    CHECK_EQ_I64(lx.end, 3);
    /* None asked for: nothing trimmed. */
    lx = lexer(" 5 ");
    CHECK(lx.pos == 0 && lx.end == 3);
    /* A no-break space cut short by the end is no blank. */
    ap__lex_init(&lx, "5" NBSP, 2, AP__BLANKS_PRINTED);
    CHECK_EQ_I64(lx.end, 2);
    /* All blank: nothing is left. */
    lx = trimmed(NBSP NARROW_NBSP " ", AP__BLANKS_PRINTED);
    CHECK(ap__lex_done(&lx));
    /* Blanks inside stay, to be skipped where a grammar allows them. */
    lx = trimmed("-" NBSP "5", AP__BLANKS_PRINTED);
    CHECK(ap__lex_sign(&lx, AP__SIGNS_PRINTED) == -1 && lx.pos == 1);
    ap__lex_skip_blanks(&lx, AP__BLANK_SPACE);
    CHECK_EQ_I64(lx.pos, 1);
    ap__lex_skip_blanks(&lx, AP__BLANKS_PRINTED);
    CHECK_EQ_I64(lx.pos, 3);
    /* The pound takes the blanks after it. */
    lx = lexer("\xc2\xa3" NBSP " 5");
    CHECK(ap__lex_pound(&lx));
    CHECK_EQ_I64(lx.pos, 5);
    CHECK(!ap__lex_pound(&lx));
}

TEST(lexer_signs_and_dashes)
{
    ap__lexer lx = lexer("-+\xe2\x88\x92" "5");
    CHECK(ap__lex_at_sign(&lx, AP__SIGNS_PRINTED) == -1);
    CHECK(ap__lex_sign(&lx, AP__SIGNS_PRINTED) == -1);
    CHECK(ap__lex_sign(&lx, AP__SIGNS_PRINTED) == 1);
    /* U+2212 is a sign in print, not in a decimal's ASCII. */
    CHECK(ap__lex_sign(&lx, AP__SIGN_ASCII) == 0);
    CHECK_EQ_I64(lx.pos, 2);
    CHECK(ap__lex_sign(&lx, AP__SIGNS_PRINTED) == -1);
    CHECK_EQ_I64(lx.pos, 5);
    CHECK(ap__lex_sign(&lx, AP__SIGNS_PRINTED) == 0);
    CHECK_EQ_I64(lx.pos, 5);
    /* Dashes print a nil and are no sign. */
    lx = lexer("\xe2\x80\x93");
    CHECK(ap__lex_at_dash(&lx) && ap__lex_is_nil(&lx));
    CHECK(ap__lex_at_sign(&lx, AP__SIGNS_PRINTED) == 0);
    lx = lexer("\xe2\x80\x94");
    CHECK(ap__lex_is_nil(&lx));
    lx = lexer("-");
    CHECK(ap__lex_is_nil(&lx) && !ap__lex_at_dash(&lx));
    lx = lexer("-5");
    CHECK(!ap__lex_is_nil(&lx));
    lx = lexer("\xe2\x88\x92");
    CHECK(!ap__lex_is_nil(&lx));
    lx = lexer("");
    CHECK(!ap__lex_is_nil(&lx) && ap__lex_done(&lx));
}

static ap__number number(const char *text)
{
    ap__lexer lx = lexer(text);
    ap__number n;
    ap__lex_number(&lx, &n);
    CHECK(lx.pos == n.end);
    return n;
}

TEST(lexer_number)
{
    ap__number n = number("1,234,567.891%");
    CHECK(n.fault == AP__NUMBER_OK);
    CHECK_EQ_I64(n.end, 13);
    CHECK_EQ_I64(n.int_digits, 7);
    CHECK_EQ_I64(n.frac_digits, 3);
    CHECK_EQ_I64(n.point, 9);
    CHECK_EQ_I64((int64_t)n.mantissa, 1234567891);
    CHECK_EQ_I64(n.frac_kept, 3);
    CHECK(n.dropped_at == AP__LEX_NONE);
    n = number("407045");
    CHECK(n.fault == AP__NUMBER_OK && n.point == AP__LEX_NONE);
    CHECK_EQ_I64((int64_t)n.mantissa, 407045);
    /* A lone point or fraction: the grammars decide. */
    n = number(".5");
    CHECK(n.fault == AP__NUMBER_OK && n.int_digits == 0 && n.point == 0);
    n = number("5.");
    CHECK(n.fault == AP__NUMBER_OK && n.frac_digits == 0 && n.end == 2);
    /* Nothing numeric: nothing read. */
    n = number("x1");
    CHECK(n.fault == AP__NUMBER_OK && n.end == 0 && n.int_digits == 0);
    /* A second point or a comma after the point ends the digits. */
    CHECK_EQ_I64(number("1.2.3").end, 3);
    CHECK_EQ_I64(number("1.5,000").end, 3);
    /* Each grouping fault, where a reader meets it. */
    n = number(",100");
    CHECK(n.fault == AP__NUMBER_COMMA_FIRST && n.fault_at == 0);
    n = number("1,,000");
    CHECK(n.fault == AP__NUMBER_COMMA_FIRST && n.fault_at == 2);
    n = number("1000,000");
    CHECK(n.fault == AP__NUMBER_COMMA_LONG && n.fault_at == 4);
    n = number("1,00,000");
    CHECK(n.fault == AP__NUMBER_COMMA_SHORT && n.fault_at == 4);
    n = number("1,00.5");
    CHECK(n.fault == AP__NUMBER_POINT_SHORT && n.fault_at == 4);
    n = number("10,70");
    CHECK(n.fault == AP__NUMBER_END_SHORT && n.fault_at == 5);
    CHECK(!ap__number_fault_inside(&n));
    /* A long group is seen at its fourth digit and read to its end. */
    n = number("1,07000,5");
    CHECK(n.fault == AP__NUMBER_GROUP_LONG && n.fault_at == 5);
    CHECK_EQ_I64(n.group_end, 7);
    CHECK(ap__number_fault_inside(&n));
    n = number("1,0700x");
    CHECK(n.fault == AP__NUMBER_GROUP_LONG && n.group_end == 6);
}

TEST(lexer_number_beyond_2_100)
{
    /* 2^100 = 1267650600228229401496703205376 keeps one more digit; past
     * it the digits are dropped and the first one named. */
    ap__number n = number("12676506002282294014967032053760");
    CHECK(n.dropped_at == AP__LEX_NONE);
    n = number("126765060022822940149670320537601");
    CHECK_EQ_I64(n.dropped_at, 32);
    CHECK(n.dropped_significant);
    /* Fraction zeros past the cap change no value. */
    n = number("2.50000000000000000000000000000000000");
    CHECK(n.dropped_at != AP__LEX_NONE && !n.dropped_significant);
    CHECK(n.fault == AP__NUMBER_OK);
    n = number("2.500000000000000000000000000000000001");
    CHECK(n.dropped_significant);
    /* Leading zeros keep nothing. */
    n = number("0000000000000000000000000000000000000000001");
    CHECK(n.dropped_at == AP__LEX_NONE);
    CHECK_EQ_I64((int64_t)n.mantissa, 1);
}

TEST(lexer_suffixes)
{
    ap__lexer lx = lexer("bnmMkKpx");
    CHECK(ap__lex_at_unit_letter(&lx));
    CHECK(ap__lex_unit(&lx) == AP_UNIT_BILLIONS);
    CHECK(ap__lex_unit(&lx) == AP_UNIT_MILLIONS);
    CHECK(ap__lex_unit(&lx) == AP_UNIT_MILLIONS);
    CHECK(ap__lex_unit(&lx) == AP_UNIT_THOUSANDS);
    CHECK(ap__lex_unit(&lx) == AP_UNIT_THOUSANDS);
    CHECK(ap__lex_unit(&lx) == AP_UNIT_PENCE);
    CHECK(!ap__lex_at_unit_letter(&lx));
    CHECK(ap__lex_unit(&lx) == -1 && lx.pos == 7);
    lx = lexer("b");
    CHECK(ap__lex_at_unit_letter(&lx) && ap__lex_unit(&lx) == -1);
    int e = 99;
    lx = lexer("e-7%");
    CHECK(ap__lex_exponent(&lx, &e) == 1 && e == -7 && lx.pos == 3);
    lx = lexer("E+12");
    CHECK(ap__lex_exponent(&lx, &e) == 1 && e == 12);
    lx = lexer("e\xe2\x88\x92" "7");
    CHECK(ap__lex_exponent(&lx, &e) == -1 && lx.pos == 1);
    lx = lexer("e");
    CHECK(ap__lex_exponent(&lx, &e) == -1);
    lx = lexer("x");
    CHECK(ap__lex_exponent(&lx, &e) == 0 && lx.pos == 0);
    lx = lexer("e999999999999");
    CHECK(ap__lex_exponent(&lx, &e) == 1 && e >= 10000 && e < 100000);
    lx = lexer("\xc2\xa3" "000S");
    CHECK(ap__lex_take(&lx, "\xc2\xa3"));
    CHECK(ap__lex_rest_is(&lx, "000s") && !ap__lex_rest_is(&lx, "000"));
}

TEST(lexer_message_spots)
{
    CHECK_EQ_I64(ap__lex_character("\xc2\xa3" "21x", 4), 4);
    CHECK_EQ_I64(ap__lex_character("abc", 0), 1);
    ap__lexer lx = trimmed("\xc2\xa3" "1\xe2\x80\x93" "2   ",
                           AP__BLANKS_PRINTED);
    ap__lex_spot at = ap__lex_spot_at(&lx, 3, lx.len, 80);
    CHECK(!at.at_end && at.character == 3 && at.width == 3);
    CHECK(at.shown == 10 && strcmp(at.more, "") == 0);
    at = ap__lex_spot_at(&lx, lx.end, lx.len, 80);
    CHECK(at.at_end);
    /* The quote is cut at a character, never inside one. */
    at = ap__lex_spot_at(&lx, 0, lx.len, 5);
    CHECK(at.shown == 3 && strcmp(at.more, "...") == 0);
    /* The character's width is cut at the end being read. */
    ap__lex_init(&lx, "1\xe2\x80\x93", 3, 0);
    at = ap__lex_spot_at(&lx, 1, lx.len, 80);
    CHECK_EQ_I64(at.width, 2);
}

TEST(money_parse_no_break_spaces)
{
    /* As the audit reads printed figures: no-break spaces copied from a
     * PDF around the figure and after the £, never inside the digits. */
    CHECK_EQ_I64(parse(NBSP "1,070", AP_UNIT_POUNDS), 107000);
    CHECK_EQ_I64(parse("1,070" NARROW_NBSP, AP_UNIT_POUNDS), 107000);
    CHECK_EQ_I64(parse(NARROW_NBSP "(\xc2\xa3" NBSP "3,540)" NBSP,
                       AP_UNIT_THOUSANDS),
                 -354000000);
    CHECK_EQ_I64(parse("\xc2\xa3" NARROW_NBSP "0.85m", AP_UNIT_POUNDS),
                 85000000);
    CHECK_CONTAINS(parse_error("1" NBSP "070", AP_UNIT_POUNDS),
                   "unexpected text at character 2");
    CHECK_CONTAINS(parse_error("5" NBSP "m", AP_UNIT_POUNDS),
                   "unexpected text");
    CHECK_CONTAINS(parse_error(NBSP NARROW_NBSP, AP_UNIT_POUNDS), "empty");
    /* The message quotes the figure without its trailing blanks. */
    CHECK_CONTAINS(parse_error(NBSP "1,23" NBSP, AP_UNIT_POUNDS),
                   "\"" NBSP "1,23\": a group of fewer than three digits "
                   "after a comma at the end");
    /* A sign inside brackets is named where it stands. */
    CHECK_CONTAINS(parse_error("(\xe2\x88\x92" "5)", AP_UNIT_POUNDS),
                   "a sign inside brackets at character 2 "
                   "('\xe2\x88\x92')");
    CHECK_CONTAINS(parse_error("(\xc2\xa3-5)", AP_UNIT_POUNDS),
                   "a sign inside brackets at character 3 ('-')");
}
