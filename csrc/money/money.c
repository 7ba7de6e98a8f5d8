/* Money: checked int64 pence arithmetic, parsing and formatting. */
#include "apportion/money.h"

#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static const char *const rounding_names[AP_ROUNDING_COUNT] = {
#define AP__NAME(code, text) text,
    AP_ROUNDING_MAP(AP__NAME)
#undef AP__NAME
};

const char *ap_rounding_name(ap_rounding rounding)
{
    if ((int)rounding < 0 || rounding >= AP_ROUNDING_COUNT)
        return "unknown";
    return rounding_names[rounding];
}

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
    if (__builtin_add_overflow(a, b, &r))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld + %lld pence overflows a 64-bit amount",
                            (long long)a, (long long)b);
    *out = r;
    return AP_OK;
}

ap_status ap_money_sub(int64_t a, int64_t b, int64_t *out, ap_error *err)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%lld - %lld pence overflows a 64-bit amount",
                            (long long)a, (long long)b);
    *out = r;
    return AP_OK;
}

ap_status ap_money_mul(int64_t a, int64_t factor, int64_t *out, ap_error *err)
{
    int64_t r;
    if (__builtin_mul_overflow(a, factor, &r))
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
        if (__builtin_add_overflow(total, values[i], &total))
            return ap_error_set(err, AP_E_OVERFLOW,
                                "sum overflows a 64-bit amount at item %zu",
                                i);
    }
    *out = total;
    return AP_OK;
}

/* ---- units ----------------------------------------------------------- */

static int unit_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* s[0..len) equals word, ignoring ASCII case. */
static int unit_is(const char *s, size_t len, const char *word)
{
    if (strlen(word) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != word[i])
            return 0;
    }
    return 1;
}

ap_status ap_unit_parse(const char *name, ap_unit *out, ap_error *err)
{
    if (name == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "no unit name or no output");
    /* As tables head their columns: blanks around, any case, and "£'000"
     * as well as "£000". */
    const char *s = name;
    size_t len = strlen(name);
    while (len > 0 && unit_blank(s[len - 1]))
        len--;
    while (len > 0 && unit_blank(*s)) {
        s++;
        len--;
    }
    int pound = len >= 2 && memcmp(s, "\xc2\xa3", 2) == 0;
    if (pound) {
        s += 2;
        len -= 2;
    }
    if (len > 1 && s[0] == '\'' && s[1] == '0') {
        s++;
        len--;
    }
    if (unit_is(s, len, "") || unit_is(s, len, "1"))
        *out = AP_UNIT_POUNDS;
    else if (unit_is(s, len, "000") || unit_is(s, len, "k") ||
             unit_is(s, len, "000s"))
        *out = AP_UNIT_THOUSANDS;
    else if (unit_is(s, len, "m"))
        *out = AP_UNIT_MILLIONS;
    else if (unit_is(s, len, "bn"))
        *out = AP_UNIT_BILLIONS;
    else if (unit_is(s, len, "p") && !pound)
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

typedef struct scan {
    const char *text;
    size_t len;
    size_t pos;
} scan;

/* 1-based character (not byte) position of byte offset `pos`, so that a
 * message about "£21x" points at the x a reader counts. */
static size_t char_position(const char *text, size_t pos)
{
    size_t chars = 0;
    for (size_t i = 0; i < pos; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

static int starts(const scan *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->len - s->pos >= n && memcmp(s->text + s->pos, lit, n) == 0;
}

static ap_status parse_fail(const scan *s, ap_error *err, const char *what)
{
    /* Quote at most 80 bytes of the text, and name the character at fault. */
    int shown = ap__utf8_prefix(s->text, s->len, 80);
    if (s->pos >= s->len)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read money \"%.*s%s\": %s at the end",
                            shown, s->text, s->len > 80 ? "..." : "", what);
    unsigned char c = (unsigned char)s->text[s->pos];
    int width = 1;
    if (c >= 0xC0)
        width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if ((size_t)width > s->len - s->pos)
        width = (int)(s->len - s->pos);
    return ap_error_set(err, AP_E_INPUT,
                        "cannot read money \"%.*s%s\": %s at character %zu "
                        "('%.*s')",
                        shown, s->text, s->len > 80 ? "..." : "", what,
                        char_position(s->text, s->pos), width,
                        s->text + s->pos);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Consumes a sign if present: returns -1 for a minus, +1 for a plus, 0. */
static int take_sign(scan *s)
{
    if (starts(s, "-")) {
        s->pos += 1;
        return -1;
    }
    if (starts(s, "\xe2\x88\x92")) { /* U+2212 MINUS SIGN */
        s->pos += 3;
        return -1;
    }
    if (starts(s, "+")) {
        s->pos += 1;
        return 1;
    }
    return 0;
}

static int take_pound(scan *s)
{
    if (starts(s, "\xc2\xa3")) {
        s->pos += 2;
        while (s->pos < s->len && s->text[s->pos] == ' ')
            s->pos++;
        return 1;
    }
    return 0;
}

ap_status ap_money_parse(const char *text, size_t len, ap_unit unit,
                         int64_t *pence, int64_t *resolution, ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "cannot read money: no text");
    if (len == (size_t)-1)
        len = strlen(text);
    scan s = {text, len, 0};
    while (s.pos < s.len && is_space(text[s.pos]))
        s.pos++;
    while (s.len > s.pos && is_space(text[s.len - 1]))
        s.len--;
    if (s.pos == s.len)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read money: the text is empty");

    int negative = 0, bracketed = 0, sign;
    if (starts(&s, "(")) {
        bracketed = 1;
        s.pos++;
    }
    sign = take_sign(&s);
    if (take_pound(&s) && sign == 0)
        sign = take_sign(&s); /* "£-211,654" */
    if (sign < 0)
        negative = 1;
    if (bracketed && sign != 0) {
        s.pos--;
        return parse_fail(&s, err, "a sign inside brackets");
    }

    /* Digits, with optional comma grouping in threes, then a fraction. */
    ap__u128 mantissa = 0;
    int digits = 0, frac_digits = 0, group = 0, grouped = 0;
    int seen_point = 0;
    for (; s.pos < s.len; s.pos++) {
        char c = text[s.pos];
        if (c >= '0' && c <= '9') {
            if (mantissa > ((ap__u128)1 << 100))
                return ap_error_set(err, AP_E_OVERFLOW,
                                    "money \"%.*s\" is too large for a "
                                    "64-bit amount of pence",
                                    ap__utf8_prefix(text, len, 80), text);
            mantissa = mantissa * 10 + (unsigned)(c - '0');
            digits++;
            if (seen_point)
                frac_digits++;
            else
                group++;
            if (grouped && group > 3)
                return parse_fail(&s, err,
                                  "a group of more than three digits after "
                                  "a comma");
        } else if (c == ',' && !seen_point) {
            if (group == 0 || (grouped && group != 3) ||
                (!grouped && group > 3))
                return parse_fail(&s, err,
                                  "a comma that does not separate thousands");
            grouped = 1;
            group = 0;
        } else if (c == '.' && !seen_point) {
            if (grouped && group != 3)
                return parse_fail(&s, err,
                                  "a group of fewer than three digits "
                                  "before the point");
            seen_point = 1;
        } else {
            break;
        }
    }
    if (digits == 0)
        return parse_fail(&s, err, "expected a digit");
    /* A stray character is reported as such, before any complaint about
     * the digits that precede it. */
    if (s.pos < s.len && strchr("mMkKbp)", text[s.pos]) == NULL)
        return parse_fail(&s, err, "unexpected text");
    if (grouped && !seen_point && group != 3)
        return parse_fail(&s, err,
                          "a group of fewer than three digits after a comma");
    if (seen_point && frac_digits == 0)
        return parse_fail(&s, err, "expected a digit after the point");

    /* A suffix names the unit and overrides the context. */
    int exponent = (int)unit;
    if (starts(&s, "bn")) {
        exponent = AP_UNIT_BILLIONS;
        s.pos += 2;
    } else if (starts(&s, "m") || starts(&s, "M")) {
        exponent = AP_UNIT_MILLIONS;
        s.pos += 1;
    } else if (starts(&s, "k") || starts(&s, "K")) {
        exponent = AP_UNIT_THOUSANDS;
        s.pos += 1;
    } else if (starts(&s, "p")) {
        exponent = AP_UNIT_PENCE;
        s.pos += 1;
    }
    if (bracketed) {
        if (!starts(&s, ")"))
            return parse_fail(&s, err, "expected a closing bracket");
        s.pos++;
    }
    if (s.pos != s.len)
        return parse_fail(&s, err, "unexpected text");

    /* value in pence = mantissa * 10^(exponent - frac_digits) */
    int shift = exponent - frac_digits;
    ap__u128 value = mantissa;
    if (shift < 0) {
        ap__u128 div = (ap__u128)ap__pow10(-shift > 18 ? 18 : -shift);
        if (-shift > 18 || value % div != 0)
            return ap_error_set(err, AP_E_INPUT,
                                "cannot read money \"%.*s\": it is more "
                                "precise than a penny",
                                ap__utf8_prefix(text, len, 80), text);
        value /= div;
    } else {
        for (int i = 0; i < shift; i++) {
            value *= 10;
            if (value > ((ap__u128)1 << 64))
                break;
        }
    }
    negative = negative || bracketed;
    ap__u128 limit = (ap__u128)INT64_MAX + (negative ? 1u : 0u);
    if (value > limit)
        return ap_error_set(err, AP_E_OVERFLOW,
                            "money \"%.*s\" is too large for a 64-bit amount "
                            "of pence",
                            ap__utf8_prefix(text, len, 80), text);
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
