/* Exact decimal weights: "44.16" -> 1104/25, and common denominators.  The
 * reading is a grammar over the number lexer (number_lexer.h). */
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "money/number_lexer.h"
#include "platform/platform.h"

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* Where the lexer's digits went wrong for a decimal: a long group is
 * refused where it ends, as a weight's grammar only counts whole groups. */
static size_t number_fault_at(const ap__number *n)
{
    if (n->fault == AP__NUMBER_GROUP_LONG)
        return n->group_end;
    if (n->fault != AP__NUMBER_OK)
        return n->fault_at;
    if (n->int_digits + n->frac_digits == 0)
        return n->end;
    return AP__LEX_NONE;
}

/* The grammar after the blanks: an ASCII sign, digits, an exponent, a percent
 * sign, blanks.  Returns the byte a reader stops at when the text breaks
 * it, else AP__LEX_NONE with the digits in *n and their power of ten in
 * *exponent. */
static size_t read_decimal(ap__lexer *lx, ap__number *n, int *negative,
                           int *exponent)
{
    *negative = ap__lex_sign(lx, AP__SIGN_ASCII) < 0;
    /* Grouping commas must make groups of three ("12,345"): "1,23" is
     * 1.23 in much of Europe, so it is refused rather than read as 123. */
    ap__lex_number(lx, n);
    size_t bad_at = number_fault_at(n);
    if (bad_at != AP__LEX_NONE)
        return bad_at;
    int e = 0;
    if (ap__lex_exponent(lx, &e) < 0)
        return lx->pos;
    *exponent = e - (int)n->frac_kept;
    ap__lex_take(lx, "%");
    return ap__lex_done(lx) ? AP__LEX_NONE : lx->pos;
}

static ap_status too_long(const ap__lexer *lx, ap_error *err)
{
    return ap_error_set(err, AP_E_OVERFLOW,
                        "\"%.*s\" has more digits than a 64-bit exact "
                        "weight can hold",
                        ap__utf8_prefix(lx->text, lx->len, 80), lx->text);
}

ap_status ap_decimal_parse(const char *text, size_t len, int64_t *num,
                           int64_t *den, ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "cannot read a number: no text");
    /* Weights are typed or exported, not copied from print: spaces and
     * tabs around, an ASCII sign, and "1e-7" or "53.57%" as well. */
    ap__lexer lx;
    ap__lex_init(&lx, text, len, AP__BLANK_SPACE);
    ap__number n;
    int negative = 0, exponent = 0;
    size_t bad_at = read_decimal(&lx, &n, &negative, &exponent);
    if (bad_at != AP__LEX_NONE)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read \"%.*s\" as a decimal number such "
                            "as \"44.16\" (character %zu)",
                            ap__utf8_prefix(text, lx.len, 80), text,
                            ap__lex_character(text, bad_at));
    if (n.dropped_significant)
        return too_long(&lx, err);

    ap__u128 mantissa = n.mantissa;
    while (mantissa != 0 && exponent < 0 && mantissa % 10 == 0) {
        mantissa /= 10;
        exponent++;
    }
    if (mantissa == 0) {
        *num = 0;
        *den = 1;
        return AP_OK;
    }
    if (exponent > 18 || exponent < -18)
        return too_long(&lx, err);
    ap__u128 v = mantissa, d = 1;
    if (exponent > 0)
        v *= (ap__u128)ap__pow10(exponent);
    else
        d = (ap__u128)ap__pow10(-exponent);
    if (v > (ap__u128)INT64_MAX)
        return too_long(&lx, err);
    int64_t g = gcd64((int64_t)v, (int64_t)d);
    *num = negative ? -(int64_t)(v / (ap__u128)g) : (int64_t)(v / (ap__u128)g);
    *den = (int64_t)(d / (ap__u128)g);
    return AP_OK;
}

ap_status ap_weights_common(const int64_t *num, const int64_t *den, size_t n,
                            int64_t *scaled, ap_error *err)
{
    int64_t lcm = 1;
    for (size_t i = 0; i < n; i++) {
        if (den[i] <= 0)
            return ap_error_set(err, AP_E_INPUT,
                                "weights[%zu] has denominator %lld; it must "
                                "be positive",
                                i, (long long)den[i]);
        if (num[i] < 0)
            return ap_error_set(err, AP_E_INPUT,
                                "weights[%zu] is negative (%lld/%lld); "
                                "weights must be zero or more",
                                i, (long long)num[i], (long long)den[i]);
        if (num[i] == 0)
            continue;
        int64_t g = gcd64(num[i], den[i]);
        int64_t d = den[i] / g;
        int64_t step = d / gcd64(lcm, d);
        if (ap__mul_overflow_i64(lcm, step, &lcm))
            return ap_error_set(err, AP_E_OVERFLOW,
                                "the weights' common denominator overflows "
                                "64 bits at weights[%zu]",
                                i);
    }
    for (size_t i = 0; i < n; i++) {
        if (num[i] == 0) {
            scaled[i] = 0;
            continue;
        }
        int64_t g = gcd64(num[i], den[i]);
        int64_t factor = lcm / (den[i] / g);
        if (ap__mul_overflow_i64(num[i] / g, factor, &scaled[i]))
            return ap_error_set(err, AP_E_OVERFLOW,
                                "weights[%zu] overflows 64 bits on a common "
                                "denominator of %lld",
                                i, (long long)lcm);
    }
    return AP_OK;
}
