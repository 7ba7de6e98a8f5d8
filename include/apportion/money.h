/* apportion: money as int64 pence — checked arithmetic, parsing of the
 * figures printed in committee papers, and formatting back.
 *
 * Money is never a float.  Every operation that can overflow reports
 * AP_E_OVERFLOW and leaves *out unchanged; nothing wraps.
 *
 * Memory.  Nothing here allocates.  Results go to the caller's variables
 * (*out, *pence, *resolution) and ap_money_format writes into the caller's
 * buffer; ap_rounding_name and ap_unit_name return static strings. */
#ifndef APPORTION_MONEY_H
#define APPORTION_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rounding of an exact quotient to an integer. */
#define AP_ROUNDING_MAP(X)                                                     \
    X(AP_ROUND_HALF_UP, "half_up")     /* nearest; halves away from zero */  \
    X(AP_ROUND_HALF_EVEN, "half_even") /* nearest; halves to even */         \
    X(AP_ROUND_DOWN, "down")           /* towards zero */                    \
    X(AP_ROUND_UP, "up")               /* away from zero */                  \
    X(AP_ROUND_FLOOR, "floor")         /* towards minus infinity */          \
    X(AP_ROUND_CEILING, "ceiling")     /* towards plus infinity */

typedef enum ap_rounding {
#define AP__ENUM(code, text) code,
    AP_ROUNDING_MAP(AP__ENUM)
#undef AP__ENUM
    AP_ROUNDING_COUNT
} ap_rounding;

/* Returns a static string such as "half_up". */
const char *ap_rounding_name(ap_rounding rounding);
/* Reads a name such as "half_up"; an unknown name is AP_E_INPUT. */
ap_status ap_rounding_parse(const char *name, ap_rounding *out, ap_error *err);

/* ---- checked arithmetic ------------------------------------------------ */
ap_status ap_money_add(int64_t a, int64_t b, int64_t *out, ap_error *err);
ap_status ap_money_sub(int64_t a, int64_t b, int64_t *out, ap_error *err);
ap_status ap_money_mul(int64_t a, int64_t factor, int64_t *out, ap_error *err);
/* a * num / den rounded as asked, through a 128-bit product; den != 0. */
ap_status ap_money_mul_ratio(int64_t a, int64_t num, int64_t den,
                             ap_rounding rounding, int64_t *out, ap_error *err);
/* Sum of n amounts; an overflow at any step is an error. */
ap_status ap_money_sum(const int64_t *values, size_t n, int64_t *out,
                       ap_error *err);

/* ---- units ------------------------------------------------------------- */
/* The unit a printed figure is in: a table headed "£000" prints 3,540 for
 * £3,540,000.  Each unit is a power of ten of pence. */
typedef enum ap_unit {
    AP_UNIT_PENCE = 0,     /* "p"    */
    AP_UNIT_POUNDS = 2,    /* "£"    */
    AP_UNIT_THOUSANDS = 5, /* "£000" (also "£k") */
    AP_UNIT_MILLIONS = 8,  /* "£m"   */
    AP_UNIT_BILLIONS = 11  /* "£bn"  */
} ap_unit;

/* Reads "£", "£000", "£k", "£m", "£bn" or "p" (the "£" may be omitted), as
 * tables head their columns: blanks around, any case, "£'000". */
ap_status ap_unit_parse(const char *name, ap_unit *out, ap_error *err);
/* Returns a static string: "£", "£000", "£m", "£bn" or "p". */
const char *ap_unit_name(ap_unit unit);

/* ---- parsing ----------------------------------------------------------- */
/* Parses one printed figure: `£211,654`, `-£211,654`, `£127,882.35`,
 * `(3,540)`, `£0.85m`, `£1.3m`, `407045`, `−£5` (U+2212).  `unit` is the
 * context (the table's heading); a suffix in the text itself (k, m, bn, p)
 * overrides it.  Brackets mean negative.  Comma grouping must be in threes.
 * Blanks may stand around the figure and after the "£", as in a printed
 * figure (ap_figure_parse): ASCII blanks and the no-break spaces U+00A0 and
 * U+202F that text copied from a PDF has; never among the digits.
 * A figure finer than a penny, a missing digit, stray text or an overflow is
 * an error whose message quotes the text and gives the character position.
 * `len` may be (size_t)-1 for a NUL-terminated string.
 * On success *pence holds the amount; if resolution is not NULL it receives
 * the value of one unit in the last printed digit, in pence (100 for
 * "£211,654", 1 for "£127,882.35", 100000 for "(3,540)" in £000): how far
 * the printed figure may be from the true one is half of that. */
ap_status ap_money_parse(const char *text, size_t len, ap_unit unit,
                         int64_t *pence, int64_t *resolution, ap_error *err);

/* ---- formatting -------------------------------------------------------- */
typedef enum ap_negative_style {
    AP_NEGATIVE_MINUS = 0,   /* -£3,540,000.00 */
    AP_NEGATIVE_BRACKETS = 1 /* (£3,540,000.00) */
} ap_negative_style;

typedef struct ap_format_options {
    ap_unit unit;          /* figure printed in this unit */
    int decimals;          /* digits after the point; -1: 2 for £ and £m,
                              0 for £000, £bn has 2, p has 0 */
    ap_rounding rounding;  /* applied when decimals drop precision */
    ap_negative_style negative;
    int symbol;            /* nonzero: "£" prefix and k/m/bn/p suffix */
    int grouping;          /* nonzero: thousands separated by commas */
} ap_format_options;

/* The defaults: pounds, 2 decimals, half up, minus sign, symbol, grouping. */
ap_format_options ap_format_defaults(void);

/* Writes the figure into buf (NUL-terminated).  A buffer of 64 bytes always
 * suffices; a smaller one that is too short is AP_E_INPUT.  The caller owns
 * buf.  Examples: 21165400 -> "£211,654.00"; -354000000 with brackets and
 * 0 decimals -> "(£3,540,000)"; 85000000 in £m -> "£0.85m". */
ap_status ap_money_format(int64_t pence, const ap_format_options *options,
                          char *buf, size_t size, ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
