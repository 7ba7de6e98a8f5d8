/* apportion: demand forecasts — an ordinary least squares linear trend
 * with the confidence interval of the mean and the prediction interval of
 * a new observation, Holt's linear exponential smoothing, and both fitted
 * to many short series at once.
 *
 * Demand (children in care, referrals) is a count, not money, so these
 * work in doubles; what a forecast costs is turned into pence by the
 * scenarios (scenario.h).  Missing values are NaN and are skipped.
 * Nothing here touches Python; every function is safe without the GIL.
 * Output arrays and structs are the caller's; a batch that returns an
 * error may have written some of its outputs.
 *
 * Memory.  Nothing for the caller to free: fits, predictions and batch
 * outputs go to the caller's structs and arrays (ap_trend_batch_out and
 * ap_holt_batch_out only point at them), and inputs are read in place.
 * Scratch a call needs is allocated and freed within it (out of memory is
 * AP_E_NOMEM). */
#ifndef APPORTION_FORECAST_H
#define APPORTION_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Student's t distribution --------------------------------------- */

/* P(T <= t) for T with df > 0 degrees of freedom (df need not be whole;
 * df = +inf is the normal).  NaN when df <= 0 or either argument is NaN. */
double ap_student_t_cdf(double t, double df);

/* The t with P(T <= t) = p: within 1e-10 relative (or 1e-300 absolute) of
 * the exact quantile for 0 < p < 1 and df >= 1 (fractional df above 0 is
 * allowed, with the same target).  -inf at p = 0, +inf at p = 1, NaN for
 * p outside [0, 1], df <= 0 or NaN. */
double ap_student_t_quantile(double p, double df);

/* ---- linear trend (ordinary least squares) -------------------------- */

/* y = intercept + slope * t fitted to the pairs whose time and value are
 * both finite.  Fitted on centred times (two passes), so years such as
 * 2014..2023 lose no precision.  sigma2 = ssr / (nobs - 2), and the
 * standard errors are statsmodels' OLS bse for the same design. */
typedef struct ap_trend_fit {
    int64_t nobs;          /* pairs used */
    double intercept, slope;
    double intercept_se, slope_se;
    double sigma2;         /* residual variance, ssr / (nobs - 2) */
    double ssr;            /* sum of squared residuals */
    double r_squared;      /* NaN when every value is the same */
    double time_mean;      /* mean of the times used */
    double sxx;            /* sum of (t - time_mean)^2 over the pairs used */
} ap_trend_fit;

/* One predicted time: the fitted mean and the two intervals at the level
 * asked for (the mean's, and a new observation's). */
typedef struct ap_trend_prediction {
    double mean, mean_se, obs_se;
    double mean_ci_lower, mean_ci_upper;
    double obs_ci_lower, obs_ci_upper;
} ap_trend_prediction;

/* Fits one series: times[i * time_stride], values[i * value_stride] for i
 * < n (strides in elements; times NULL means 0, 1, ..., n-1).  Fewer than 3
 * usable pairs (no residual degree of freedom) is AP_E_INPUT giving the
 * count; times that are all the same is AP_E_INPUT; an infinite value or
 * time is AP_E_INPUT naming its position. */
ap_status ap_trend_fit_series(const double *times, ptrdiff_t time_stride,
                              const double *values, ptrdiff_t value_stride,
                              size_t n, ap_trend_fit *fit, ap_error *err);

/* The prediction at time `at`, with intervals at `level` (0 < level < 1,
 * say 0.95): mean +- t(df = nobs - 2) * se.  A level outside (0, 1), an
 * infinite `at`, or a fit that ap_trend_fit_series could not have made
 * (nobs < 3, sxx not positive, sigma2 negative) is AP_E_INPUT. */
ap_status ap_trend_predict(const ap_trend_fit *fit, double at, double level,
                           ap_trend_prediction *out, ap_error *err);

/* Where ap_trend_fit_batch writes: row-major arrays the caller allocates,
 * [n_series * n_predict] for the predictions and [n_series] for the fits.
 * Any pointer may be NULL to skip that output. */
typedef struct ap_trend_batch_out {
    double *mean, *mean_ci_lower, *mean_ci_upper;
    double *obs_ci_lower, *obs_ci_upper;
    double *intercept, *slope, *sigma2;
    int64_t *nobs;
} ap_trend_batch_out;

/* Fits every series of a (series x time) array and predicts each at the
 * same times: values[s * series_stride + j * time_stride] (strides in
 * elements, any sign, so a numpy view is read in place) is series s at
 * times[j] (NULL: j).  A series with fewer than 3 usable values, or whose
 * usable times are all the same, is not an error: its outputs are NaN and
 * its nobs says how many it had.  An infinite value is AP_E_INPUT naming
 * the series and the position, as is an infinite time or predict_at.  The
 * t quantile is worked out once per degrees of freedom, not once per
 * series.  `threads` 0 uses every core (at most 8), 1 the calling thread;
 * the results do not depend on it. */
ap_status ap_trend_fit_batch(const double *values, size_t n_series,
                             size_t n_times, ptrdiff_t series_stride,
                             ptrdiff_t time_stride, const double *times,
                             const double *predict_at, size_t n_predict,
                             double level, int threads,
                             const ap_trend_batch_out *out, ap_error *err);

/* ---- Holt's linear exponential smoothing ---------------------------- */

/* Holt's method in its error-correction form, as statsmodels' Holt:
 *   level_t = alpha * y_t + (1 - alpha) * (level_{t-1} + trend_{t-1})
 *   trend_t = beta * (level_t - level_{t-1}) + (1 - beta) * trend_{t-1}
 * with level_0 = initial_level and trend_0 = initial_trend standing just
 * before the first observation, so the one-step forecast of y_1 is
 * initial_level + initial_trend.  A missing y_t (NaN) updates nothing: the
 * state moves on by its trend. */
typedef struct ap_holt_params {
    double alpha;          /* smoothing_level, 0..1 */
    double beta;           /* smoothing_trend, 0..1 */
    double initial_level;
    double initial_trend;
} ap_holt_params;

/* Which parameters the caller fixes; the others are fitted. */
enum {
    AP_HOLT_FIX_ALPHA = 1,
    AP_HOLT_FIX_BETA = 2,
    AP_HOLT_FIX_INITIAL_LEVEL = 4,
    AP_HOLT_FIX_INITIAL_TREND = 8,
    AP_HOLT_FIX_ALL = 15
};

typedef struct ap_holt_fit {
    ap_holt_params params; /* as fixed or fitted */
    int64_t nobs;          /* observations used */
    double sse;            /* sum of squared one-step errors */
    double sigma2;         /* sse / nobs, the ETS(A,A,N) estimate */
    double level, trend;   /* the state after the last observation */
    int64_t trailing;      /* missing values after the last observation:
                              the forecasts start after them, at the end
                              of the series */
} ap_holt_fit;

/* Fits Holt's method to values[i * stride], i < n (leading and trailing
 * NaN trimmed, others missing).  Parameters not fixed are chosen to
 * minimise the sum of squared one-step errors: for given alpha and beta
 * the errors are linear in the initial level and trend, so those are
 * solved exactly by least squares, and alpha and beta are searched over
 * [0, 1] (a grid, then a bounded refinement; deterministic).  Fewer than
 * 2 observations is AP_E_INPUT; a fixed alpha or beta outside [0, 1], or a
 * value that is infinite, is AP_E_INPUT naming it.  `fitted`, if not NULL,
 * receives the n one-step forecasts (NaN before the first observation
 * and after the last). */
ap_status ap_holt_fit_series(const double *values, ptrdiff_t stride,
                             size_t n, unsigned fixed,
                             const ap_holt_params *given, ap_holt_fit *fit,
                             double *fitted, ap_error *err);

/* The forecasts 1..horizon steps after the end of the series, which is
 * k = fit->trailing + h steps after the last observation:
 * mean[h-1] = level + k * trend, and if lower/upper are not NULL the
 * prediction interval at `level_ci` from the ETS(A,A,N) variance
 * sigma2 * (1 + sum_{j=1}^{k-1} alpha^2 (1 + beta j)^2), using the normal
 * quantile.  So every series of a batch is forecast at the same times.
 * Arrays are the caller's, of `horizon` each; any may be NULL, not all. */
ap_status ap_holt_forecast(const ap_holt_fit *fit, size_t horizon,
                           double level_ci, double *mean, double *lower,
                           double *upper, ap_error *err);

/* Where ap_holt_fit_batch writes: [n_series * horizon] for the forecasts
 * and [n_series] for the parameters; any pointer may be NULL. */
typedef struct ap_holt_batch_out {
    double *mean, *lower, *upper;
    double *alpha, *beta, *initial_level, *initial_trend, *sse;
    int64_t *nobs;
} ap_holt_batch_out;

/* ap_holt_fit_series on every series of a (series x time) array (strides
 * in elements) with the same fixed parameters, then ap_holt_forecast.
 * A series with fewer than 2 observations gets NaN outputs, not an error.
 * `threads` as ap_trend_fit_batch. */
ap_status ap_holt_fit_batch(const double *values, size_t n_series,
                            size_t n_times, ptrdiff_t series_stride,
                            ptrdiff_t time_stride, unsigned fixed,
                            const ap_holt_params *given, size_t horizon,
                            double level_ci, int threads,
                            const ap_holt_batch_out *out, ap_error *err);

#ifdef __cplusplus
}
#endif

#endif
