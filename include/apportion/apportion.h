/* apportion: the public C API of the core.  Include this one header.
 *
 * Conventions: amounts are int64 pence; every fallible function returns an
 * ap_status and fills the caller's ap_error (which may be NULL).  Output
 * arrays are supplied and owned by the caller unless a function says
 * otherwise.
 *
 * Memory.  One rule for the whole library, in every header:
 *   - A function that hands back a pointer through `T **out` gives the
 *     caller what it points to; the caller releases it with the matching
 *     `_free` (a plan from ap_plan_load with ap_plan_free), which frees it
 *     and everything it holds.
 *   - A function that fills a struct the caller supplies (`T *out`, on
 *     the caller's stack, say) gives the caller what the struct's pointers
 *     then hold; the matching `_clear` (ap_sla_result_clear) frees only
 *     that and leaves the struct empty, so clearing twice is harmless.
 *     The struct itself is never freed by the library.
 *   - Every _free and _clear does nothing given NULL.  On an error *out is
 *     NULL, or the struct empty, so there is nothing to release.
 *   - Returned structs are read-only views: release them whole, never a
 *     member on its own.  Names such as ap_status_name's are static
 *     strings, never freed.  The few functions that return a plain string
 *     to free() say so (ap_area_section, ap_area_call: registry.h).
 * The functions of this header allocate nothing the caller sees: they
 * write into the caller's arrays (the scratch of ap_apportion and
 * ap_apportion_many is freed before they return). */
#ifndef APPORTION_APPORTION_H
#define APPORTION_APPORTION_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the pennies left after every party takes the floor of its exact
 * share are handed out.  In every mode each share is the floor or the
 * ceiling of its exact value, only parties whose exact share is not whole
 * receive a penny, and the shares sum exactly to the total. */
#define AP_APPORTION_MODE_MAP(X)                                              \
    X(AP_LARGEST_REMAINDER, "largest_remainder") /* Hamilton: largest        \
                                      fractional parts first, ties earlier */ \
    X(AP_FIRST_COME, "first_come")   /* in party order */                     \
    X(AP_LARGEST_RATIO, "largest_ratio") /* largest weights first, ties      \
                                            earlier */

typedef enum ap_apportion_mode {
#define AP__ENUM(code, text) code,
    AP_APPORTION_MODE_MAP(AP__ENUM)
#undef AP__ENUM
    AP_APPORTION_MODE_COUNT
} ap_apportion_mode;

/* Returns a static string such as "largest_remainder". */
const char *ap_apportion_mode_name(ap_apportion_mode mode);
ap_status ap_apportion_mode_parse(const char *name, ap_apportion_mode *out,
                                  ap_error *err);

/* ---- exact weights ------------------------------------------------------ */

/* Reads a decimal weight such as "44.16", "0.5357", "53.57%", "1e-7" or
 * "12,345" exactly, as the fraction *num / *den in lowest terms (den > 0).
 * A trailing "%" is allowed and ignored: weights are relative.
 * len may be (size_t)-1 for a NUL-terminated string. */
ap_status ap_decimal_parse(const char *text, size_t len, int64_t *num,
                           int64_t *den, ap_error *err);

/* Brings n exact weights num[i]/den[i] to a common denominator:
 * scaled[i] = num[i] * (L / den[i]) with L the least common multiple of the
 * den[i] (after reducing each fraction).  Negative weights are errors that
 * name the weight; overflow of L or of a scaled weight is AP_E_OVERFLOW.
 * scaled is the caller's array of n elements. */
ap_status ap_weights_common(const int64_t *num, const int64_t *den, size_t n,
                            int64_t *scaled, ap_error *err);

/* ---- apportionment ----------------------------------------------------- */

/* Splits total pence between n parties in proportion to the non-negative
 * integer weights.  shares (n elements, the caller's) receives whole pence
 * that sum exactly to total, each within one penny of its exact value
 * total * w[i] / sum(w).  A negative total is the mirror image of the
 * positive one.  Errors (AP_E_INPUT, naming the weight): no weights, a
 * negative weight, all weights zero.  Needs no more than O(n) scratch,
 * allocated internally (AP_E_NOMEM if that fails). */
ap_status ap_apportion(int64_t total, const int64_t *weights, size_t n,
                       ap_apportion_mode mode, int64_t *shares, ap_error *err);

/* The same for many totals by one basis: shares is row-major, n_totals rows
 * of n_parties, and must not overlap totals.  Does not touch Python; safe
 * to call without the GIL. */
ap_status ap_apportion_many(const int64_t *totals, size_t n_totals,
                            const int64_t *weights, size_t n_parties,
                            ap_apportion_mode mode, int64_t *shares,
                            ap_error *err);

/* ap_apportion_many on at most `threads` threads: 0 for every core (as
 * ap_apportion_many does, splitting only arrays large enough to gain), 1
 * for the calling thread alone.  The shares are the same whatever the
 * threads.  A negative `threads` is AP_E_INPUT.  Two parties are split
 * between threads; more are apportioned on the calling thread. */
ap_status ap_apportion_many_threads(const int64_t *totals, size_t n_totals,
                                    const int64_t *weights, size_t n_parties,
                                    ap_apportion_mode mode, int threads,
                                    int64_t *shares, ap_error *err);

/* How ap_apportion_many_stores writes the shares; neither changes them.
 *   AP_STORE_AUTO    a two-party output of 2^21 rows (32 MB) or more,
 *                    aligned to 16 bytes, goes to memory with non-temporal
 *                    stores where the CPU has them (x86-64), without each
 *                    line of it being read into the caches first: the
 *                    fastest for memory the caller has written before and
 *                    reuses.  A smaller output is stored through the
 *                    caches, where the caller finds it next.
 *   AP_STORE_CACHED  always through the caches: the fastest for memory
 *                    never written yet, whose pages the system zeroes
 *                    through the caches as the kernel first touches them
 *                    (a fresh array, as numpy's empty gives). */
typedef enum ap_store_mode {
    AP_STORE_AUTO = 0,
    AP_STORE_CACHED = 1
} ap_store_mode;

/* ap_apportion_many_threads (which is AP_STORE_AUTO) with the stores
 * chosen; an unknown `stores` is AP_E_INPUT. */
ap_status ap_apportion_many_stores(const int64_t *totals, size_t n_totals,
                                   const int64_t *weights, size_t n_parties,
                                   ap_apportion_mode mode, int threads,
                                   ap_store_mode stores, int64_t *shares,
                                   ap_error *err);

/* Two-way apportionment of a budget of many lines by one basis.  cells is
 * row-major (n_lines rows of n_parties).  Every row sums exactly to its
 * line total, and every party's column sums exactly to its apportionment of
 * the grand total (so within a penny of its exact share).  Each cell is
 * at most one penny from its exact share for two parties in
 * largest-remainder mode, and less than two pennies from it otherwise.  Method: party shares of the running total, differenced line by
 * line.  An overflow of the running total is AP_E_OVERFLOW naming the
 * line. */
ap_status ap_apportion_lines(const int64_t *line_totals, size_t n_lines,
                             const int64_t *weights, size_t n_parties,
                             ap_apportion_mode mode, int64_t *cells,
                             ap_error *err);

#ifdef __cplusplus
}
#endif

#include "apportion/schedule.h"
#include "apportion/plan.h"
#include "apportion/calendar.h"
#include "apportion/kpi.h"
#include "apportion/measures.h"
#include "apportion/audit.h"
#include "apportion/ledger.h"
#include "apportion/outturn.h"
#include "apportion/contract_sum.h"
#include "apportion/savings.h"
#include "apportion/mtfp.h"
#include "apportion/disaggregation.h"
#include "apportion/forecast.h"
#include "apportion/scenario.h"
#include "apportion/text.h"

#endif
