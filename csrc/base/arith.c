/* Whole-number helpers for money and rates: powers of ten, and division
 * of 128-bit intermediates rounded as a rounding rule asks. */
#include "base/base.h"

int64_t ap__pow10(int k)
{
    int64_t p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

ap__i128 ap__div_round(ap__i128 num, ap__i128 den, ap_rounding rounding)
{
    /* C division truncates towards zero; adjust from there. */
    ap__i128 q = num / den;
    ap__i128 r = num % den;
    if (r == 0)
        return q;
    int negative = num < 0;
    ap__i128 twice = r < 0 ? -2 * r : 2 * r; /* 2|r| < 2 den: no overflow */
    int away; /* move one step away from zero? */
    switch (rounding) {
    case AP_ROUND_DOWN: away = 0; break;
    case AP_ROUND_UP: away = 1; break;
    case AP_ROUND_FLOOR: away = negative; break;
    case AP_ROUND_CEILING: away = !negative; break;
    case AP_ROUND_HALF_EVEN:
        away = twice > den || (twice == den && (q & 1) != 0);
        break;
    case AP_ROUND_HALF_UP:
    default:
        away = twice >= den;
        break;
    }
    if (away)
        q += negative ? -1 : 1;
    return q;
}
