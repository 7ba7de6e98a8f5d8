/* Recharge schedules: n - 1 equal instalments and a balancing last one. */
#include "apportion/schedule.h"

#include "base/base.h"

ap_status ap_schedule_equal(int64_t share, size_t n, int64_t granularity,
                            ap_rounding rounding, int64_t *instalments,
                            ap_error *err)
{
    if (n == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "a schedule needs at least one instalment");
    if (n > 1000)
        return ap_error_set(err, AP_E_INPUT,
                            "a schedule of %zu instalments is not a "
                            "recharge schedule; at most 1000",
                            n);
    if (granularity <= 0)
        return ap_error_set(err, AP_E_INPUT,
                            "instalment granularity must be a positive "
                            "number of pence, not %lld",
                            (long long)granularity);
    ap__i128 step = (ap__i128)n * granularity;
    ap__i128 part = ap__div_round(share, step, rounding) * granularity;
    ap__i128 last = (ap__i128)share - part * (ap__i128)(n - 1);
    if (!ap__fits_i64(part) || !ap__fits_i64(last))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "instalments of %lld pence overflow 64 bits",
                            (long long)share);
    for (size_t i = 0; i + 1 < n; i++)
        instalments[i] = (int64_t)part;
    instalments[n - 1] = (int64_t)last;
    return AP_OK;
}

ap_status ap_schedule_balancing(const int64_t *billed, size_t n_billed,
                                int64_t actual_share, int64_t *balance,
                                ap_error *err)
{
    int64_t sum;
    ap_status st = ap_money_sum(billed, n_billed, &sum, err);
    if (st != AP_OK)
        return st;
    return ap_money_sub(actual_share, sum, balance, err);
}
