/* Exact decimal weights: "44.16" -> 1104/25, and common denominators. */
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"

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

ap_status ap_decimal_parse(const char *text, size_t len, int64_t *num,
                           int64_t *den, ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "cannot read a number: no text");
    if (len == (size_t)-1)
        len = strlen(text);
    size_t i = 0, end = len;
    while (i < end && (text[i] == ' ' || text[i] == '\t'))
        i++;
    while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    int negative = 0;
    if (i < end && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    ap__u128 mantissa = 0;
    int exponent = 0, digits = 0, point = 0, too_long = 0;
    /* Grouping commas must make groups of three ("12,345"): "1,23" is
     * 1.23 in much of Europe, so it is refused rather than read as 123. */
    int commas = 0, group = 0;
    for (; i < end; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            digits++;
            group += !point;
            if (mantissa < ((ap__u128)1 << 100))
                mantissa = mantissa * 10 + (unsigned)(c - '0');
            else if (c != '0' || !point)
                too_long = 1;
            else
                continue; /* trailing fraction zeros beyond the cap */
            if (point)
                exponent--;
        } else if (c == '.' && !point) {
            if (commas && group != 3)
                goto bad;
            point = 1;
        } else if (c == ',' && !point && digits > 0) {
            if (group == 0 || group > 3 || (commas && group != 3))
                goto bad;
            commas++;
            group = 0;
        } else {
            break;
        }
    }
    if (digits == 0 || (commas && !point && group != 3))
        goto bad;
    if (i < end && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        int eneg = 0, edigits = 0, e = 0;
        if (i < end && (text[i] == '-' || text[i] == '+'))
            eneg = text[i++] == '-';
        for (; i < end && text[i] >= '0' && text[i] <= '9'; i++, edigits++)
            if (e < 10000)
                e = e * 10 + (text[i] - '0');
        if (edigits == 0)
            goto bad;
        exponent += eneg ? -e : e;
    }
    if (i < end && text[i] == '%')
        i++;
    if (i != end)
        goto bad;
    if (too_long)
        goto overflow;

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
        goto overflow;
    ap__u128 n = mantissa, d = 1;
    if (exponent > 0)
        n *= (ap__u128)ap__pow10(exponent);
    else
        d = (ap__u128)ap__pow10(-exponent);
    if (n > (ap__u128)INT64_MAX)
        goto overflow;
    int64_t g = gcd64((int64_t)n, (int64_t)d);
    *num = negative ? -(int64_t)(n / (ap__u128)g) : (int64_t)(n / (ap__u128)g);
    *den = (int64_t)(d / (ap__u128)g);
    return AP_OK;
bad:
    return ap_error_set(err, AP_E_INPUT,
                        "cannot read \"%.*s\" as a decimal number such as "
                        "\"44.16\" (character %zu)",
                        ap__utf8_prefix(text, len, 80), text, i + 1);
overflow:
    return ap_error_set(err, AP_E_OVERFLOW,
                        "\"%.*s\" has more digits than a 64-bit exact "
                        "weight can hold",
                        ap__utf8_prefix(text, len, 80), text);
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
        if (__builtin_mul_overflow(lcm, step, &lcm))
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
        if (__builtin_mul_overflow(num[i] / g, factor, &scaled[i]))
            return ap_error_set(err, AP_E_OVERFLOW,
                                "weights[%zu] overflows 64 bits on a common "
                                "denominator of %lld",
                                i, (long long)lcm);
    }
    return AP_OK;
}
