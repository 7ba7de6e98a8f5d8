/* The ordinary least squares linear trend, y = intercept + slope * t, of
 * one series or of many at once, with the confidence interval of the
 * fitted mean and the prediction interval of a new observation.
 *
 * The sums are centred (means first, then the sums of products of the
 * deviations, then the residuals), so that times such as 2014..2023 and
 * counts in the thousands lose no precision, and the residual sum of
 * squares is never negative.  The batch gives bit for bit what fitting
 * each series alone gives: both run the same arithmetic in the same
 * order, and the batch only saves work that comes out the same (the
 * times' mean and spread when a series has no gap, and the t quantile
 * for each number of degrees of freedom). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/forecast.h"
#include "base/base.h"
#include "base/parallel.h"
#include "platform/platform.h"

/* A batch chunk is at least this many values (series x times): below it a
 * thread costs more than it saves. */
#define BATCH_MIN_VALUES_PER_CHUNK 65536

/* A table of t quantiles up to this many degrees of freedom is filled
 * before the batch's threads start; past it, entries are filled as
 * series need them. */
#define EAGER_T_TABLE 64

/* The centred sums of one series' usable pairs. */
typedef struct trend_sums {
    size_t n;
    double time_mean, value_mean;
    double sxx, sxy, syy, ssr;
    double slope;   /* sxy / sxx (0 when sxx is 0) */
    int same_times; /* every usable time equal (sxx may still not be 0
                     * after rounding, as for 0.1, 0.1, 0.1) */
} trend_sums;

/* Why a series could not be fitted. */
typedef enum series_fault {
    SERIES_OK,
    SERIES_TOO_FEW,    /* fewer than 3 usable pairs */
    SERIES_SAME_TIMES, /* every usable time the same */
    SERIES_INFINITE,   /* an infinite value, at *where */
    SERIES_TOO_LARGE   /* values so large their squares overflow */
} series_fault;

/* The time of position j: times[j * stride], or j itself. */
static inline double time_at(const double *times, ptrdiff_t stride, size_t j)
{
    return times != NULL ? times[(ptrdiff_t)j * stride] : (double)j;
}

/* The line and its residual variance from the sums, shared by the single
 * fit and the batch so that both give the same bits.  The standard errors
 * and r_squared, which the batch does not report, are left to
 * fit_extras. */
static series_fault fit_from_sums(const trend_sums *s, ap_trend_fit *fit)
{
    fit->nobs = (int64_t)s->n;
    fit->time_mean = s->time_mean;
    fit->sxx = s->sxx;
    if (s->n < 3)
        return SERIES_TOO_FEW;
    if (s->same_times || !(s->sxx > 0.0))
        return SERIES_SAME_TIMES;
    if (!isfinite(s->value_mean) || !isfinite(s->sxx) ||
        !isfinite(s->syy) || !isfinite(s->ssr))
        return SERIES_TOO_LARGE;
    fit->slope = s->slope;
    fit->intercept = s->value_mean - fit->slope * s->time_mean;
    fit->ssr = s->ssr;
    fit->sigma2 = s->ssr / ((double)s->n - 2.0);
    return SERIES_OK;
}

/* statsmodels' bse for the design [1, t], and r_squared. */
static void fit_extras(const trend_sums *s, ap_trend_fit *fit)
{
    double n = (double)s->n;
    fit->slope_se = sqrt(fit->sigma2 / s->sxx);
    fit->intercept_se =
        sqrt(fit->sigma2 * (1.0 / n + s->time_mean * s->time_mean / s->sxx));
    fit->r_squared = s->syy > 0.0 ? 1.0 - s->ssr / s->syy : NAN;
}

/* Every sum runs as two partial sums, of the even and of the odd
 * positions, added at the end: each partial sum waits on half as many
 * additions, which is most of the time a short series takes.  The batch's
 * path for a series with no gap does the same, in the same order. */
typedef struct pair_sum {
    double even, odd;
} pair_sum;

static inline void pair_add(pair_sum *acc, size_t j, double x)
{
    if (j & 1)
        acc->odd += x;
    else
        acc->even += x;
}

static inline double pair_total(pair_sum acc) { return acc.even + acc.odd; }

/* The sums over the pairs whose time and value are both not NaN (the
 * caller has checked that no time is infinite); an infinite value stops
 * it with its position in *where. */
static series_fault sum_series(const double *times, ptrdiff_t time_stride,
                               const double *values, ptrdiff_t value_stride,
                               size_t n, trend_sums *s, size_t *where)
{
    size_t used = 0;
    int same_times = 1;
    double first_t = 0.0;
    pair_sum sum_t = {0.0, 0.0}, sum_y = {0.0, 0.0};
    for (size_t j = 0; j < n; j++) {
        double y = values[(ptrdiff_t)j * value_stride];
        if (isinf(y)) {
            *where = j;
            return SERIES_INFINITE;
        }
        double t = time_at(times, time_stride, j);
        if (isnan(y) || isnan(t))
            continue;
        if (used == 0)
            first_t = t;
        else if (t != first_t)
            same_times = 0;
        pair_add(&sum_t, j, t);
        pair_add(&sum_y, j, y);
        used++;
    }
    memset(s, 0, sizeof *s);
    s->n = used;
    s->same_times = same_times;
    if (used == 0)
        return SERIES_OK;
    double tbar = pair_total(sum_t) / (double)used;
    double ybar = pair_total(sum_y) / (double)used;
    pair_sum sxx = {0.0, 0.0}, sxy = {0.0, 0.0}, syy = {0.0, 0.0};
    for (size_t j = 0; j < n; j++) {
        double y = values[(ptrdiff_t)j * value_stride];
        double t = time_at(times, time_stride, j);
        if (isnan(y) || isnan(t))
            continue;
        double dt = t - tbar, dy = y - ybar;
        pair_add(&sxx, j, dt * dt);
        pair_add(&sxy, j, dt * dy);
        pair_add(&syy, j, dy * dy);
    }
    s->sxx = pair_total(sxx);
    s->sxy = pair_total(sxy);
    s->syy = pair_total(syy);
    double slope = s->sxx > 0.0 ? s->sxy / s->sxx : 0.0;
    s->slope = slope;
    pair_sum ssr = {0.0, 0.0};
    for (size_t j = 0; j < n; j++) {
        double y = values[(ptrdiff_t)j * value_stride];
        double t = time_at(times, time_stride, j);
        if (isnan(y) || isnan(t))
            continue;
        double r = (y - ybar) - slope * (t - tbar);
        pair_add(&ssr, j, r * r);
    }
    s->time_mean = tbar;
    s->value_mean = ybar;
    s->ssr = pair_total(ssr);
    return SERIES_OK;
}

ap_status ap_trend_fit_series(const double *times, ptrdiff_t time_stride,
                              const double *values, ptrdiff_t value_stride,
                              size_t n, ap_trend_fit *fit, ap_error *err)
{
    if (fit == NULL)
        return ap_error_set(err, AP_E_INPUT, "no room for the fit");
    if (n > 0 && values == NULL)
        return ap_error_set(err, AP_E_INPUT, "no values for %zu times", n);
    for (size_t j = 0; times != NULL && j < n; j++)
        if (isinf(times[(ptrdiff_t)j * time_stride]))
            return ap_error_set(err, AP_E_INPUT,
                                "time %zu is infinite; times must be finite "
                                "(or NaN where missing)",
                                j);
    *fit = (ap_trend_fit){0};
    trend_sums s;
    size_t where = 0;
    series_fault fault = sum_series(times, time_stride, values, value_stride,
                                    n, &s, &where);
    if (fault == SERIES_OK)
        fault = fit_from_sums(&s, fit);
    switch (fault) {
    case SERIES_OK:
        fit_extras(&s, fit);
        return AP_OK;
    case SERIES_TOO_FEW:
        return ap_error_set(err, AP_E_INPUT,
                            "a linear trend needs at least 3 pairs of a "
                            "time and a value that are not missing; %zu of "
                            "the %zu given %s",
                            s.n, n, s.n == 1 ? "is" : "are");
    case SERIES_SAME_TIMES:
        return ap_error_set(err, AP_E_INPUT,
                            "every one of the %zu usable times is the same "
                            "(%.17g), so no trend can be fitted",
                            s.n, s.time_mean);
    case SERIES_INFINITE:
        return ap_error_set(err, AP_E_INPUT,
                            "value %zu is infinite; values must be finite "
                            "(or NaN where missing)",
                            where);
    case SERIES_TOO_LARGE:
        break;
    }
    return ap_error_set(err, AP_E_INPUT,
                        "the values are too large to fit a trend to (their "
                        "squares overflow a double)");
}

/* ---- predictions ----------------------------------------------------- */

/* The square roots of 1/n + (at - time mean)^2 / sxx (the fitted mean's
 * variance at `at` in units of sigma2) and of 1 plus it (a new
 * observation's): shared so that the batch's copies, worked out once for
 * the series with no gap, are the same bits. */
typedef struct leverage_roots {
    double mean, obs;
} leverage_roots;

static inline leverage_roots leverage_at(double nobs, double time_mean,
                                         double sxx, double at)
{
    double d = at - time_mean;
    double leverage = 1.0 / nobs + d * d / sxx;
    return (leverage_roots){sqrt(leverage), sqrt(1.0 + leverage)};
}

/* The t quantile for intervals at `level`: t with P(T > t) = (1 - level) / 2,
 * worked out on the smaller tail so that level near 1 keeps its digits. */
static inline double interval_quantile(double level, double df)
{
    return -ap_student_t_quantile(0.5 * (1.0 - level), df);
}

/* mean_se = sqrt(sigma2 (1/n + d^2/sxx)) and obs_se = sqrt(sigma2 +
 * mean_se^2), each as sd times a root of the leverage, so that a series
 * costs one square root (sd) however many times it is predicted at. */
static inline void predict_point(double intercept, double slope, double sd,
                                 leverage_roots roots, double tq, double at,
                                 ap_trend_prediction *out)
{
    double mean = intercept + slope * at;
    out->mean = mean;
    out->mean_se = sd * roots.mean;
    out->obs_se = sd * roots.obs;
    out->mean_ci_lower = mean - tq * out->mean_se;
    out->mean_ci_upper = mean + tq * out->mean_se;
    out->obs_ci_lower = mean - tq * out->obs_se;
    out->obs_ci_upper = mean + tq * out->obs_se;
}

static ap_status check_level(double level, ap_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return ap_error_set(err, AP_E_INPUT,
                            "level must be between 0 and 1 (0.95 for a 95%% "
                            "interval), not %g",
                            level);
    return AP_OK;
}

ap_status ap_trend_predict(const ap_trend_fit *fit, double at, double level,
                           ap_trend_prediction *out, ap_error *err)
{
    if (fit == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "no fit, or no room for the "
                                             "prediction");
    if (check_level(level, err) != AP_OK)
        return AP_E_INPUT;
    if (fit->nobs < 3)
        return ap_error_set(err, AP_E_INPUT,
                            "the fit has %lld observations; a prediction "
                            "needs at least 3",
                            (long long)fit->nobs);
    if (!(fit->sxx > 0.0) || isinf(fit->sxx))
        return ap_error_set(err, AP_E_INPUT,
                            "the fit's sxx (the spread of its times) must be "
                            "positive and finite, not %g",
                            fit->sxx);
    if (!(fit->sigma2 >= 0.0) || isinf(fit->sigma2))
        return ap_error_set(err, AP_E_INPUT,
                            "the fit's sigma2 must be 0 or more and finite, "
                            "not %g",
                            fit->sigma2);
    if (!isfinite(fit->intercept) || !isfinite(fit->slope) ||
        !isfinite(fit->time_mean))
        return ap_error_set(err, AP_E_INPUT,
                            "the fit's intercept, slope and time_mean must "
                            "be finite, not %g, %g and %g",
                            fit->intercept, fit->slope, fit->time_mean);
    if (isinf(at))
        return ap_error_set(err, AP_E_INPUT,
                            "cannot predict at an infinite time");
    double tq = interval_quantile(level, (double)(fit->nobs - 2));
    predict_point(fit->intercept, fit->slope, sqrt(fit->sigma2),
                  leverage_at((double)fit->nobs, fit->time_mean, fit->sxx,
                              at),
                  tq, at, out);
    return AP_OK;
}

/* ---- many series at once -------------------------------------------- */

typedef struct batch_job {
    const double *values;
    size_t n_series, n_times;
    ptrdiff_t series_stride, time_stride;
    const double *times;
    const double *predict_at;
    size_t n_predict;
    double level;
    const ap_trend_batch_out *out;
    /* Every time usable (none NaN): then a series with no gap has these
     * sums of the times, worked out once. */
    int all_times_usable;
    double full_time_mean, full_sxx;
    int full_same_times;
    const double *full_dt;       /* times[j] - full_time_mean */
    const leverage_roots *full_roots; /* leverage_at each predict_at */
    int want_predictions;        /* any of the five prediction outputs */
    double *t_table;             /* [df] for df < n_times; NaN: not yet */
    /* What stopped each chunk at its first faulty series (the series is
     * what ap__parallel_run_checked returns): SERIES_INFINITE at
     * bad_position, or SERIES_TOO_LARGE. */
    series_fault bad_kind[AP__MAX_THREADS];
    size_t bad_position[AP__MAX_THREADS];
} batch_job;

/* Series i's row; values may be NULL when there are no times. */
static inline const double *series_row(const batch_job *job, size_t i)
{
    return job->n_times > 0 ? job->values + (ptrdiff_t)i * job->series_stride
                            : job->values;
}

/* The interval quantile for df degrees of freedom from the table, filled
 * in on first use when it was too long to fill ahead (a long series with
 * gaps needs only the few df its series have, so filling every entry
 * first would cost a quantile per time).  Threads racing on an entry
 * compute and store the same bits, so the result never depends on which
 * one wins; the loads and stores are atomic, so the race is not a data
 * race under the C11 memory model (the NaNs were stored before the
 * threads started, which orders them before every load). */
static double table_quantile(const batch_job *job, size_t df)
{
    double v;
    __atomic_load(&job->t_table[df], &v, __ATOMIC_RELAXED);
    if (isnan(v)) {
        v = interval_quantile(job->level, (double)df);
        __atomic_store(&job->t_table[df], &v, __ATOMIC_RELAXED);
    }
    return v;
}

/* The sums of a series with no gap (every value finite, every time
 * usable), using the times' sums worked out once: the same operations in
 * the same order as sum_series, so the same bits.  0 when the series has a
 * value that is not finite, for sum_series to deal with. */
static int sum_full_series(const batch_job *job, const double *row,
                           trend_sums *s)
{
    size_t n = job->n_times, j;
    ptrdiff_t ts = job->time_stride;
    const double *dt = job->full_dt;
    /* Two positions a step, the even one first. */
    double y0 = 0.0, y1 = 0.0;
    for (j = 0; j + 1 < n; j += 2) {
        y0 += row[(ptrdiff_t)j * ts];
        y1 += row[(ptrdiff_t)(j + 1) * ts];
    }
    if (j < n)
        y0 += row[(ptrdiff_t)j * ts];
    double sum_y = y0 + y1;
    if (!isfinite(sum_y))
        return 0;
    double ybar = sum_y / (double)n;
    double xy0 = 0.0, xy1 = 0.0, yy0 = 0.0, yy1 = 0.0;
    for (j = 0; j + 1 < n; j += 2) {
        double d0 = row[(ptrdiff_t)j * ts] - ybar;
        double d1 = row[(ptrdiff_t)(j + 1) * ts] - ybar;
        xy0 += dt[j] * d0;
        xy1 += dt[j + 1] * d1;
        yy0 += d0 * d0;
        yy1 += d1 * d1;
    }
    if (j < n) {
        double d0 = row[(ptrdiff_t)j * ts] - ybar;
        xy0 += dt[j] * d0;
        yy0 += d0 * d0;
    }
    double sxx = job->full_sxx, sxy = xy0 + xy1;
    double slope = sxx > 0.0 ? sxy / sxx : 0.0;
    double r0s = 0.0, r1s = 0.0;
    for (j = 0; j + 1 < n; j += 2) {
        double r0 = (row[(ptrdiff_t)j * ts] - ybar) - slope * dt[j];
        double r1 = (row[(ptrdiff_t)(j + 1) * ts] - ybar) - slope * dt[j + 1];
        r0s += r0 * r0;
        r1s += r1 * r1;
    }
    if (j < n) {
        double r0 = (row[(ptrdiff_t)j * ts] - ybar) - slope * dt[j];
        r0s += r0 * r0;
    }
    s->n = n;
    s->time_mean = job->full_time_mean;
    s->value_mean = ybar;
    s->sxx = sxx;
    s->sxy = sxy;
    s->syy = yy0 + yy1;
    s->ssr = r0s + r1s;
    s->slope = slope;
    s->same_times = job->full_same_times;
    return 1;
}

/* Series i's per-series outputs (those asked for). */
static void write_fit(const ap_trend_batch_out *o, size_t i, double intercept,
                      double slope, double sigma2, size_t nobs)
{
    ap__put(o->intercept, i, intercept);
    ap__put(o->slope, i, slope);
    ap__put(o->sigma2, i, sigma2);
    if (o->nobs != NULL)
        o->nobs[i] = (int64_t)nobs;
}

/* The prediction outputs (those asked for) at cell. */
static inline void write_prediction(const ap_trend_batch_out *o, size_t cell,
                                    const ap_trend_prediction *p)
{
    ap__put(o->mean, cell, p->mean);
    ap__put(o->mean_ci_lower, cell, p->mean_ci_lower);
    ap__put(o->mean_ci_upper, cell, p->mean_ci_upper);
    ap__put(o->obs_ci_lower, cell, p->obs_ci_lower);
    ap__put(o->obs_ci_upper, cell, p->obs_ci_upper);
}

static void write_unfitted(const batch_job *job, size_t series, size_t nobs)
{
    const ap_trend_batch_out *o = job->out;
    size_t np = job->n_predict, base = series * np;
    double *rows[5] = {o->mean, o->mean_ci_lower, o->mean_ci_upper,
                       o->obs_ci_lower, o->obs_ci_upper};
    for (int c = 0; c < 5; c++)
        if (rows[c] != NULL)
            for (size_t k = 0; k < np; k++)
                rows[c][base + k] = NAN;
    write_fit(o, series, NAN, NAN, NAN, nobs);
}

/* Fits series i (its sums already in *s when summed_full) and writes its
 * outputs; 0 when it has an infinite value or values too large, recorded
 * for the chunk (but for the series number, the chunk's return). */
static int finish_series(batch_job *job, size_t chunk, size_t i,
                         trend_sums *s, int summed_full)
{
    const ap_trend_batch_out *o = job->out;
    if (!summed_full) {
        size_t where = 0;
        if (sum_series(job->times, 1, series_row(job, i), job->time_stride,
                       job->n_times, s, &where) == SERIES_INFINITE) {
            job->bad_position[chunk] = where;
            job->bad_kind[chunk] = SERIES_INFINITE;
            return 0;
        }
    }
    ap_trend_fit fit;
    series_fault fault = fit_from_sums(s, &fit);
    if (fault == SERIES_TOO_LARGE) {
        job->bad_kind[chunk] = SERIES_TOO_LARGE;
        return 0;
    }
    if (fault != SERIES_OK) {
        write_unfitted(job, i, s->n);
        return 1;
    }
    write_fit(o, i, fit.intercept, fit.slope, fit.sigma2, s->n);
    size_t np = job->n_predict;
    if (np == 0 || !job->want_predictions)
        return 1;
    double tq = table_quantile(job, s->n - 2), sd = sqrt(fit.sigma2);
    for (size_t k = 0; k < np; k++) {
        double at = job->predict_at[k];
        leverage_roots roots =
            summed_full ? job->full_roots[k]
                        : leverage_at((double)fit.nobs, fit.time_mean,
                                      fit.sxx, at);
        ap_trend_prediction p;
        predict_point(fit.intercept, fit.slope, sd, roots, tq, at, &p);
        write_prediction(o, i * np + k, &p);
    }
    return 1;
}

static size_t batch_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    batch_job *job = ctx;
    for (size_t i = from; i < to; i++) {
        trend_sums s;
        int full = job->all_times_usable &&
                   sum_full_series(job, series_row(job, i), &s);
        if (!finish_series(job, chunk, i, &s, full))
            return i;
    }
    return AP__NO_FAULT;
}

ap_status ap_trend_fit_batch(const double *values, size_t n_series,
                             size_t n_times, ptrdiff_t series_stride,
                             ptrdiff_t time_stride, const double *times,
                             const double *predict_at, size_t n_predict,
                             double level, int threads,
                             const ap_trend_batch_out *out, ap_error *err)
{
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "no outputs given");
    if (check_level(level, err) != AP_OK)
        return AP_E_INPUT;
    if (ap__check_threads(threads, err) != AP_OK)
        return AP_E_INPUT;
    size_t cells;
    if (ap__mul_overflow_size(n_series, n_times, &cells) ||
        ap__mul_overflow_size(n_series, n_predict, &cells))
        return ap_error_set(err, AP_E_INPUT,
                            "%zu series by %zu times (or %zu predictions) "
                            "is too many",
                            n_series, n_times, n_predict);
    if (n_series > 0 && n_times > 0 && values == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no values for %zu series of %zu times",
                            n_series, n_times);
    if (n_predict > 0 && predict_at == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no times to predict at for %zu predictions",
                            n_predict);
    int all_usable = 1;
    for (size_t j = 0; times != NULL && j < n_times; j++) {
        if (isinf(times[j]))
            return ap_error_set(err, AP_E_INPUT,
                                "time %zu is infinite; times must be finite "
                                "(or NaN where missing)",
                                j);
        if (isnan(times[j]))
            all_usable = 0;
    }
    for (size_t k = 0; k < n_predict; k++)
        if (isinf(predict_at[k]))
            return ap_error_set(err, AP_E_INPUT,
                                "predict_at[%zu] is infinite; predictions "
                                "need finite times",
                                k);
    if (n_series == 0)
        return AP_OK;

    /* One block: the times' deviations and the leverages of a series with
     * no gap, and the t quantile by degrees of freedom (df < n_times). */
    size_t n_table = n_times > 0 ? n_times : 1;
    /* Sizes a caller could pass without the arrays to match must not wrap
     * round to a small block (the + 1 keeps malloc(0) away; the products
     * are multiples of 8, so it cannot wrap). */
    size_t scratch_bytes, roots_bytes;
    int too_big = n_times > SIZE_MAX / 2 ||
                  ap__mul_overflow_size(n_times + n_table, sizeof(double),
                                         &scratch_bytes) ||
                  ap__mul_overflow_size(n_predict, sizeof(leverage_roots),
                                         &roots_bytes);
    double *scratch = too_big ? NULL : malloc(scratch_bytes + 1);
    leverage_roots *full_roots = too_big ? NULL : malloc(roots_bytes + 1);
    if (scratch == NULL || full_roots == NULL) {
        free(scratch);
        free(full_roots);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for the sums of %zu times",
                            n_times);
    }
    double *full_dt = scratch, *t_table = scratch + n_times;
    for (size_t d = 0; d < n_table; d++)
        t_table[d] = NAN;
    size_t eager = n_times > 2 ? n_times - 2 : 0;
    if (eager > EAGER_T_TABLE)
        eager = 0;
    for (size_t d = 1; d <= eager; d++)
        t_table[d] = interval_quantile(level, (double)d);

    batch_job job = {
        .values = values, .n_series = n_series, .n_times = n_times,
        .series_stride = series_stride, .time_stride = time_stride,
        .times = times, .predict_at = predict_at, .n_predict = n_predict,
        .level = level, .out = out, .all_times_usable = all_usable,
        .full_dt = full_dt, .full_roots = full_roots,
        .t_table = t_table,
        .want_predictions = out->mean != NULL || out->mean_ci_lower != NULL ||
                            out->mean_ci_upper != NULL ||
                            out->obs_ci_lower != NULL ||
                            out->obs_ci_upper != NULL,
    };
    if (all_usable && n_times > 0) {
        /* As sum_series works them out for a series with no gap. */
        pair_sum sum_t = {0.0, 0.0}, sxx = {0.0, 0.0};
        job.full_same_times = 1;
        for (size_t j = 0; j < n_times; j++) {
            pair_add(&sum_t, j, time_at(times, 1, j));
            if (time_at(times, 1, j) != time_at(times, 1, 0))
                job.full_same_times = 0;
        }
        double tbar = pair_total(sum_t) / (double)n_times;
        for (size_t j = 0; j < n_times; j++) {
            full_dt[j] = time_at(times, 1, j) - tbar;
            pair_add(&sxx, j, full_dt[j] * full_dt[j]);
        }
        job.full_time_mean = tbar;
        job.full_sxx = pair_total(sxx);
        for (size_t k = 0; k < n_predict; k++)
            full_roots[k] = leverage_at((double)n_times, tbar, job.full_sxx,
                                        predict_at[k]);
    } else {
        job.all_times_usable = 0;
    }

    size_t per_chunk = n_times > 0 ? BATCH_MIN_VALUES_PER_CHUNK / n_times
                                   : n_series;
    size_t chunks = ap__batch_chunks(threads, n_series, per_chunk);
    size_t c = 0;
    size_t bad = ap__parallel_run_checked(n_series, chunks, batch_chunk, &job,
                                          &c);
    free(scratch);
    free(full_roots);
    if (bad == AP__NO_FAULT)
        return AP_OK;
    if (job.bad_kind[c] == SERIES_INFINITE)
        return ap_error_set(err, AP_E_INPUT,
                            "series %zu has an infinite value at time "
                            "position %zu; values must be finite (or NaN "
                            "where missing)",
                            bad, job.bad_position[c]);
    return ap_error_set(err, AP_E_INPUT,
                        "series %zu has values too large to fit a trend to "
                        "(their squares overflow a double)",
                        bad);
}
