/* Helpers shared by the core's translation units; not part of the API. */
#ifndef APPORTION_INTERNAL_H
#define APPORTION_INTERNAL_H

#include <stdint.h>

#include "apportion/money.h"

typedef __int128 ap__i128;
typedef unsigned __int128 ap__u128;

/* num / den rounded as asked; den > 0.  The result may exceed int64: the
 * caller checks the range. */
ap__i128 ap__div_round(ap__i128 num, ap__i128 den, ap_rounding rounding);

/* Nonzero when v fits in int64. */
static inline int ap__fits_i64(ap__i128 v)
{
    return v >= (ap__i128)INT64_MIN && v <= (ap__i128)INT64_MAX;
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

/* strdup that reports AP_E_NOMEM; the caller frees the result. */
char *ap__strdup(const char *s);

#endif
