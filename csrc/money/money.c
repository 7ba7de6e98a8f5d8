/* Money: checked int64 pence arithmetic, parsing and formatting.  The
 * parsing is a grammar over the number lexer (number_lexer.h), which reads
 * blanks, signs and comma groups as printed figures do. */
#include "apportion/money.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "money/number_lexer.h"
#include "platform/platform.h"

AP__NAMES(ap_rounding, ap_rounding_name, rounding_names, AP_ROUNDING_COUNT,
          AP_ROUNDING_MAP, AP__NAME_TEXT, "unknown")

ap_status ap_rounding_parse(const char *name, ap_rounding *out, ap_error *err)
{
    for (int i = 0; i < AP_ROUNDING_COUNT; i++) {
        if (strcmp(name, rounding_names[i]) == 0) {
            *out = (ap_rounding)i;
            return AP_OK;
        }
    }
    return ap_error_set(err, AP_E_INPUT,
                        "unknown rounding \"%s\"; expected one of half_up, "
                        "half_even, down, up, floor, ceiling",
                        name);
}

/* ---- checked arithmetic ---------------------------------------------- */

ap_status ap_money_add(int64_t a, int64_t b, int64_t *out, ap_error *err)
{
    int64_t r;
    if (ap__add_overflow_i64(a, b, &r))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld + %lld pence overflows a 64-bit amount",
                            (long long)a, (long long)b);
    *out = r;
    return AP_OK;
}

ap_status ap_money_sub(int64_t a, int64_t b, int64_t *out, ap_error *err)
{
    int64_t r;
    if (ap__sub_overflow_i64(a, b, &r))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld - %lld pence overflows a 64-bit amount",
                            (long long)a, (long long)b);
    *out = r;
    return AP_OK;
}

ap_status ap_money_mul(int64_t a, int64_t factor, int64_t *out, ap_error *err)
{
    int64_t r;
    if (ap__mul_overflow_i64(a, factor, &r))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld pence x %lld overflows a 64-bit amount",
                            (long long)a, (long long)factor);
    *out = r;
    return AP_OK;
}

ap_status ap_money_mul_ratio(int64_t a, int64_t num, int64_t den,
                             ap_rounding rounding, int64_t *out, ap_error *err)
{
    if (den == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "ratio %lld/0 has a zero denominator",
                            (long long)num);
    ap__i128 n = (ap__i128)a * num; /* |n| <= 2^126: exact */
    ap__i128 d = den;
    if (d < 0) {
        n = -n;
        d = -d;
    }
    ap__i128 q = ap__div_round(n, d, rounding);
    if (!ap__fits_i64(q))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld pence x %lld/%lld overflows a 64-bit amount",
                            (long long)a, (long long)num, (long long)den);
    *out = (int64_t)q;
    return AP_OK;
}

ap_status ap_money_sum(const int64_t *values, size_t n, int64_t *out,
                       ap_error *err)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ap__add_overflow_i64(total, values[i], &total))
            return ap_error_set(err, AP_E_OVERFLOW,
                                "sum overflows a 64-bit amount at item %zu",
                                i);
    }
    *out = total;
    return AP_OK;
}

/* ---- units ----------------------------------------------------------- */

ap_status ap_unit_parse(const char *name, ap_unit *out, ap_error *err)
{
    if (name == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "no unit name or no output");
    /* As tables head their columns: blanks around, any case, and "£'000"
     * as well as "£000". */
    ap__lexer lx;
    ap__lex_init(&lx, name, (size_t)-1, AP__BLANK_SPACE | AP__BLANK_LINE);
    int pound = ap__lex_take(&lx, "\xc2\xa3");
    if (ap__lex_at(&lx, "'0"))
        ap__lex_take(&lx, "'");
    if (ap__lex_rest_is(&lx, "") || ap__lex_rest_is(&lx, "1"))
        *out = AP_UNIT_POUNDS;
    else if (ap__lex_rest_is(&lx, "000") || ap__lex_rest_is(&lx, "k") ||
             ap__lex_rest_is(&lx, "000s"))
        *out = AP_UNIT_THOUSANDS;
    else if (ap__lex_rest_is(&lx, "m"))
        *out = AP_UNIT_MILLIONS;
    else if (ap__lex_rest_is(&lx, "bn"))
        *out = AP_UNIT_BILLIONS;
    else if (ap__lex_rest_is(&lx, "p") && !pound)
        *out = AP_UNIT_PENCE;
    else
        return ap_error_set(err, AP_E_INPUT,
                            "unknown unit \"%.*s\"; expected \xc2\xa3, "
                            "\xc2\xa3" "000 (or \xc2\xa3'000, \xc2\xa3k), "
                            "\xc2\xa3m, \xc2\xa3" "bn or p",
                            ap__utf8_prefix(name, strlen(name), 40), name);
    return AP_OK;
}

const char *ap_unit_name(ap_unit unit)
{
    switch (unit) {
    case AP_UNIT_PENCE: return "p";
    case AP_UNIT_POUNDS: return "\xc2\xa3";
    case AP_UNIT_THOUSANDS: return "\xc2\xa3" "000";
    case AP_UNIT_MILLIONS: return "\xc2\xa3m";
    case AP_UNIT_BILLIONS: return "\xc2\xa3" "bn";
    }
    return "?";
}

/* ---- parsing --------------------------------------------------------- */

/* An AP_E_INPUT error quoting the text (without its trailing blanks) and
 * naming the character at byte pos. */
static ap_status parse_fail(const ap__lexer *lx, size_t pos, ap_error *err,
                            const char *what)
{
    ap__lex_spot at = ap__lex_spot_at(lx, pos, lx->end, 80);
    if (at.at_end)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read money \"%.*s%s\": %s at the end",
                            at.shown, lx->text, at.more, what);
    return ap_error_set(err, AP_E_INPUT,
                        "cannot read money \"%.*s%s\": %s at character %zu "
                        "('%.*s')",
                        at.shown, lx->text, at.more, what, at.character,
                        at.width, at.at);
}

static ap_status too_large(const ap__lexer *lx, ap_error *err)
{
    return ap_error_set(err, AP_E_OVERFLOW,
                        "money \"%.*s\" is too large for a 64-bit amount "
                        "of pence",
                        ap__utf8_prefix(lx->text, lx->len, 80), lx->text);
}

/* What is wrong with digits the lexer found at fault, in money's words. */
static const char *grouping_fault(ap__number_fault fault)
{
    switch (fault) {
    case AP__NUMBER_GROUP_LONG:
        return "a group of more than three digits after a comma";
    case AP__NUMBER_POINT_SHORT:
        return "a group of fewer than three digits before the point";
    case AP__NUMBER_END_SHORT:
        return "a group of fewer than three digits after a comma";
    default:
        return "a comma that does not separate thousands";
    }
}

ap_status ap_money_parse(const char *text, size_t len, ap_unit unit,
                         int64_t *pence, int64_t *resolution, ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "cannot read money: no text");
    /* The blanks are a printed figure's (figure_parse.c), no-break spaces
     * from a PDF included. */
    ap__lexer lx;
    ap__lex_init(&lx, text, len, AP__BLANKS_PRINTED);
    if (ap__lex_done(&lx))
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read money: the text is empty");

    /* ( sign £ blanks sign digits[.digits] suffix ) -- one sign, before
     * or after the £ ("£-211,654"), and none inside brackets. */
    int bracketed = ap__lex_take(&lx, "(");
    size_t sign_at = lx.pos;
    int sign = ap__lex_sign(&lx, AP__SIGNS_PRINTED);
    if (ap__lex_pound(&lx) && sign == 0) {
        sign_at = lx.pos;
        sign = ap__lex_sign(&lx, AP__SIGNS_PRINTED);
    }
    if (bracketed && sign != 0)
        return parse_fail(&lx, sign_at, err, "a sign inside brackets");

    ap__number n;
    ap__lex_number(&lx, &n);
    /* Faults are reported in reading order: a digit past 2^100 before a
     * grouping fault after it. */
    int inside = ap__number_fault_inside(&n);
    if (n.dropped_at != AP__LEX_NONE && (!inside || n.dropped_at <= n.fault_at))
        return too_large(&lx, err);
    if (inside)
        return parse_fail(&lx, n.fault_at, err, grouping_fault(n.fault));
    if (n.int_digits + n.frac_digits == 0)
        return parse_fail(&lx, lx.pos, err, "expected a digit");
    /* A stray character is reported as such, before any complaint about
     * the digits that precede it. */
    if (!ap__lex_done(&lx) && !ap__lex_at_unit_letter(&lx) &&
        !ap__lex_at(&lx, ")"))
        return parse_fail(&lx, lx.pos, err, "unexpected text");
    if (n.fault == AP__NUMBER_END_SHORT)
        return parse_fail(&lx, lx.pos, err, grouping_fault(n.fault));
    if (n.point != AP__LEX_NONE && n.frac_digits == 0)
        return parse_fail(&lx, lx.pos, err, "expected a digit after the point");

    /* A suffix names the unit and overrides the context. */
    int exponent = ap__lex_unit(&lx);
    if (exponent < 0)
        exponent = (int)unit;
    if (bracketed && !ap__lex_take(&lx, ")"))
        return parse_fail(&lx, lx.pos, err, "expected a closing bracket");
    if (!ap__lex_done(&lx))
        return parse_fail(&lx, lx.pos, err, "unexpected text");

    /* value in pence = mantissa * 10^(exponent - frac_digits); any
     * fraction beyond 18 + 11 digits is finer than a penny in every unit. */
    int frac_digits = n.frac_digits > 64 ? 64 : (int)n.frac_digits;
    int shift = exponent - frac_digits;
    ap__u128 value = n.mantissa;
    if (shift < 0) {
        ap__u128 div = (ap__u128)ap__pow10(-shift > 18 ? 18 : -shift);
        if (-shift > 18 || value % div != 0)
            return ap_error_set(err, AP_E_INPUT,
                                "cannot read money \"%.*s\": it is more "
                                "precise than a penny",
                                ap__utf8_prefix(text, lx.len, 80), text);
        value /= div;
    } else {
        for (int i = 0; i < shift; i++) {
            value *= 10;
            if (value > ((ap__u128)1 << 64))
                break;
        }
    }
    int negative = sign < 0 || bracketed;
    ap__u128 limit = (ap__u128)INT64_MAX + (negative ? 1u : 0u);
    if (value > limit)
        return too_large(&lx, err);
    *pence = negative ? (int64_t)(-(ap__i128)value) : (int64_t)value;
    if (resolution != NULL)
        *resolution = shift > 0 ? ap__pow10(shift) : 1;
    return AP_OK;
}

/* ---- formatting ------------------------------------------------------ */

ap_format_options ap_format_defaults(void)
{
    ap_format_options o;
    o.unit = AP_UNIT_POUNDS;
    o.decimals = -1;
    o.rounding = AP_ROUND_HALF_UP;
    o.negative = AP_NEGATIVE_MINUS;
    o.symbol = 1;
    o.grouping = 1;
    return o;
}

ap_status ap_money_format(int64_t pence, const ap_format_options *options,
                          char *buf, size_t size, ap_error *err)
{
    ap_format_options o = options ? *options : ap_format_defaults();
    int unit_exp = (int)o.unit;
    if (unit_exp != 0 && unit_exp != 2 && unit_exp != 5 && unit_exp != 8 &&
        unit_exp != 11)
        return ap_error_set(err, AP_E_INPUT, "unknown unit %d", unit_exp);
    int decimals = o.decimals;
    if (decimals < 0)
        decimals = (o.unit == AP_UNIT_THOUSANDS || o.unit == AP_UNIT_PENCE)
                       ? 0
                       : 2;
    if (decimals > 18)
        return ap_error_set(err, AP_E_INPUT,
                            "decimals must be between 0 and 18, not %d",
                            decimals);

    /* scaled = pence / 10^(unit_exp - decimals), rounded; exact when the
     * printed precision is finer than a penny. */
    ap__i128 scaled = pence;
    int drop = unit_exp - decimals;
    if (drop > 0)
        scaled = ap__div_round(scaled, (ap__i128)ap__pow10(drop), o.rounding);
    else
        for (int i = 0; i < -drop; i++)
            scaled *= 10;
    int negative = scaled < 0;
    ap__u128 mag = negative ? (ap__u128)(-scaled) : (ap__u128)scaled;

    /* Digits of mag, least significant first. */
    char digits[64];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag != 0 && nd < 60);
    while (nd <= decimals)
        digits[nd++] = '0';

    char out[128];
    size_t k = 0;
    if (negative)
        out[k++] = o.negative == AP_NEGATIVE_BRACKETS ? '(' : '-';
    if (o.symbol && o.unit != AP_UNIT_PENCE) {
        out[k++] = '\xc2';
        out[k++] = '\xa3';
    }
    for (int i = nd - 1; i >= decimals; i--) {
        out[k++] = digits[i];
        int left = i - decimals; /* integer digits still to print */
        if (o.grouping && left > 0 && left % 3 == 0)
            out[k++] = ',';
    }
    if (decimals > 0) {
        out[k++] = '.';
        for (int i = decimals - 1; i >= 0; i--)
            out[k++] = digits[i];
    }
    if (o.symbol) {
        const char *suffix = o.unit == AP_UNIT_THOUSANDS   ? "k"
                             : o.unit == AP_UNIT_MILLIONS ? "m"
                             : o.unit == AP_UNIT_BILLIONS ? "bn"
                             : o.unit == AP_UNIT_PENCE    ? "p"
                                                          : "";
        for (const char *p = suffix; *p; p++)
            out[k++] = *p;
    }
    if (negative && o.negative == AP_NEGATIVE_BRACKETS)
        out[k++] = ')';
    if (k + 1 > size)
        return ap_error_set(err, AP_E_INPUT,
                            "a buffer of %zu bytes is too small for the "
                            "figure; %zu are needed",
                            size, k + 1);
    memcpy(buf, out, k);
    buf[k] = '\0';
    return AP_OK;
}
