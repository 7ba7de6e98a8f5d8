/* What every part of the core shares: the rounding, range and text
 * helpers built on the 128-bit intermediates (ap__i128 and ap__u128, from
 * the platform layer, platform/platform.h, with the overflow-checked
 * arithmetic), and a name lookup for messages.  Not part of the API;
 * nothing here knows a subsystem. */
#ifndef APPORTION_BASE_H
#define APPORTION_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"
#include "apportion/money.h"
#include "platform/platform.h"

/* num / den rounded as asked; den > 0.  The result may exceed int64: the
 * caller checks the range. */
ap__i128 ap__div_round(ap__i128 num, ap__i128 den, ap_rounding rounding);

/* Nonzero when v fits in int64. */
static inline int ap__fits_i64(ap__i128 v)
{
    return v >= (ap__i128)INT64_MIN && v <= (ap__i128)INT64_MAX;
}

/* Nonzero when lo <= d <= hi (lo <= hi): one unsigned compare, which also
 * turns away NaT (INT64_MIN) without a separate test. */
static inline int ap__in_range(int64_t d, int64_t lo, int64_t hi)
{
    return (uint64_t)d - (uint64_t)lo <= (uint64_t)hi - (uint64_t)lo;
}

/* x rounded half to even to a whole number (a penny, for costs in pence)
 * in *out; 0 when x is NaN or the result is beyond int64.  Written without
 * the current rounding mode or libm, so every build rounds alike. */
static inline int ap__round_half_even(double x, int64_t *out)
{
    double r = x; /* from 2^52 up every double is a whole number */
    if (x > -0x1p52 && x < 0x1p52) {
        double t = (double)(int64_t)x; /* toward zero: exact here */
        double f = t > x ? t - 1.0 : t; /* floor */
        double frac = x - f;            /* exact, in [0, 1) */
        if (frac > 0.5 || (frac == 0.5 && (int64_t)f % 2 != 0))
            r = f + 1.0;
        else
            r = f;
    }
    if (!(r >= -0x1p63 && r < 0x1p63)) /* NaN fails too */
        return 0;
    *out = (int64_t)r;
    return 1;
}

/* a[i] = v unless a is NULL: an optional output the caller skipped. */
static inline void ap__put(double *a, size_t i, double v)
{
    if (a != NULL)
        a[i] = v;
}

/* 10^k for 0 <= k <= 18. */
int64_t ap__pow10(int k);

/* The longest prefix of text[0..len) of at most max bytes that does not
 * end inside a UTF-8 character, for quoting input in messages. */
static inline int ap__utf8_prefix(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return (int)len;
    size_t n = max;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* An enumeration's names, written once from its X-macro list: the table
 * `table` of `count` names, each given by entry(...) for one item of
 * map (AP__NAME_TEXT for a list of (code, text)), which a parser may
 * search too, and `const char *fn(type value)`, its name, or `unknown` for
 * a value outside the enumeration. */
#define AP__NAMES(type, fn, table, count, map, entry, unknown)                \
    static const char *const table[count] = {map(entry)};                     \
    const char *fn(type value)                                                \
    {                                                                         \
        return (int)value >= 0 && value < (count) ? table[value] : (unknown); \
    }
#define AP__NAME_TEXT(code, text) text,

/* Finds name among n names and stores its index in *out; otherwise an
 * AP_E_INPUT error that names `what` and lists every allowed name. */
ap_status ap__parse_name(const char *name, const char *const *names, int n,
                         const char *what, int *out, ap_error *err);

#endif
