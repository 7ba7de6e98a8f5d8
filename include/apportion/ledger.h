/* apportion: ledgers — lines of (cost centre, period, amount) summed by
 * cost centre and period and apportioned to authorities by each cost
 * centre's basis, keeping every penny.
 *
 * Cost centres and periods arrive as small integer codes (a pandas
 * factorize or categorical, a numpy array): the caller keeps the names.
 * Codes may be 8, 16, 32 or 64-bit signed integers, read in place.
 * Nothing here touches Python; every function is safe without the GIL.
 * Output arrays are the caller's.
 *
 * Memory.  Nothing for the caller to free: every output goes to the
 * caller's arrays, and the code arrays are read in place.  Scratch a call
 * needs is allocated and freed within it (out of memory is AP_E_NOMEM). */
#ifndef APPORTION_LEDGER_H
#define APPORTION_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/apportion.h"
#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The width of an array of integer codes. */
typedef enum ap_code_type {
    AP_CODE_I8 = 1,
    AP_CODE_I16 = 2,
    AP_CODE_I32 = 4,
    AP_CODE_I64 = 8
} ap_code_type;

/* An array of codes as the caller holds it. */
typedef struct ap_codes {
    const void *data;
    ap_code_type type;
} ap_codes;

/* The periods of a financial year that start on `year_start` (days since
 * 1970-01-01, a 1 April): quarters Q1..Q4 or months P1..P12. */
typedef enum ap_period_kind {
    AP_PERIOD_QUARTER = 4,
    AP_PERIOD_MONTH = 12
} ap_period_kind;

/* period[i] = the 0-based period of the year in which days[i] falls
 * (days since 1970-01-01, as numpy datetime64[D]).  A date before
 * year_start or after the year's last day, or NaT (INT64_MIN), is
 * AP_E_INPUT naming the line and the date.  period is the caller's array
 * of n. */
ap_status ap_ledger_periods(const int64_t *days, size_t n, int64_t year_start,
                            ap_period_kind kind, int8_t *period,
                            ap_error *err);

/* totals[c * n_periods + p] = the sum of amount[i] over the lines with
 * centre c and period p; totals (n_centres * n_periods) is overwritten.
 * A code outside [0, n_centres) or [0, n_periods) is AP_E_INPUT naming the
 * first such line; a sum beyond int64 is AP_E_OVERFLOW naming the centre
 * and period.  `threads` 0 uses every core (at most 8), 1 the calling
 * thread only; the result does not depend on it.  Needs about
 * threads * n_centres * n_periods * 16 bytes of scratch (two int64 tables
 * per thread), and 16 bytes a cell more for a chunk whose running sums
 * wrap; a table of 2^31 cells or more, or scratch that cannot be had, is
 * AP_E_NOMEM. */
ap_status ap_ledger_sum(ap_codes centre, ap_codes period,
                        const int64_t *amount, size_t n, size_t n_centres,
                        size_t n_periods, int threads, int64_t *totals,
                        ap_error *err);

/* Apportions each centre's period totals to n_parties by the centre's
 * integer weights (weights[c * n_parties + k], a row per centre):
 * shares[(c * n_periods + p) * n_parties + k].  Each centre is two-way
 * exact (ap_apportion_lines over its periods): every cell's shares sum to
 * its total, and each party's year for the centre is its apportionment of
 * the centre's year.  So the shares of all cells sum exactly to the
 * ledger.  A centre whose weights are all zero or negative is AP_E_INPUT
 * naming the centre. */
ap_status ap_ledger_apportion(const int64_t *totals, size_t n_centres,
                              size_t n_periods, const int64_t *weights,
                              size_t n_parties, ap_apportion_mode mode,
                              int64_t *shares, ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
