/* apportion: recharge schedules — equal instalments with a balancing one.
 *
 * Memory.  Nothing here allocates: instalments go to the caller's array of
 * n and the balance to the caller's variable. */
#ifndef APPORTION_SCHEDULE_H
#define APPORTION_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"
#include "apportion/money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Splits `share` into n instalments (the caller's array of n): each of the
 * first n - 1 is share / n rounded as asked to a multiple of `granularity`
 * pence (1 for pence, 100 for whole pounds); the last is the balance, so the
 * n always sum exactly to the share.  A negative share mirrors a positive
 * one under the symmetric roundings (half_up, half_even, down, up).
 * Errors: n == 0, granularity <= 0, overflow. */
ap_status ap_schedule_equal(int64_t share, size_t n, int64_t granularity,
                            ap_rounding rounding, int64_t *instalments,
                            ap_error *err);

/* The balancing payment once the year's actual share is known:
 * *balance = actual_share - sum(billed[0..n_billed)).  Positive is a further
 * payment by the receiving authority, negative a refund to it. */
ap_status ap_schedule_balancing(const int64_t *billed, size_t n_billed,
                                int64_t actual_share, int64_t *balance,
                                ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
