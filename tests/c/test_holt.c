/* Holt's linear exponential smoothing (holt.c): fixed parameters against
 * statsmodels' Holt, the interval against its ETSModel, the fit's least
 * squares, missing values, errors, and the batch against single fits.
 *
 * The reference figures were computed with statsmodels 0.15 on
 * Northamptonshire's children looked after at 31 March 2014..2021 (DfE,
 * examples/northants_children_looked_after.csv):
 *   Holt(y, initialization_method="known", initial_level=800,
 *        initial_trend=50).fit(smoothing_level=0.6, smoothing_trend=0.3,
 *        optimized=False)
 *   ETSModel(y, error="add", trend="add", initialization_method="known",
 *            initial_level=800, initial_trend=50).smooth([0.6, 0.18])
 * (ETSModel's smoothing_trend is alpha * beta = 0.18). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "runner.h"

static const double cla[8] = {834, 936, 993, 1004, 1092, 1123, 1157, 1144};

/* |a - b| within rel of |b| (or of scale, for figures near zero). */
static int close_rel(double a, double b, double rel, double scale)
{
    double m = fabs(b) > scale ? fabs(b) : scale;
    return fabs(a - b) <= rel * m;
}

#define CHECK_CLOSE(a, b, rel)                                               \
    do {                                                                     \
        double a_ = (a), b_ = (b);                                           \
        if (!close_rel(a_, b_, rel, 0.0)) {                                  \
            fprintf(stderr, "%s:%d: %s == %s failed: %.17g != %.17g\n",      \
                    __FILE__, __LINE__, #a, #b, a_, b_);                     \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

/* The same double, bit for bit (NaN equal to NaN). */
static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static ap_holt_fit fit_fixed(const double *y, size_t n, double alpha,
                             double beta, double l0, double b0,
                             double *fitted)
{
    ap_holt_params p = {alpha, beta, l0, b0};
    ap_holt_fit fit;
    ap_error err;
    CHECK(ap_holt_fit_series(y, 1, n, AP_HOLT_FIX_ALL, &p, &fit, fitted,
                             &err) == AP_OK);
    return fit;
}

TEST(holt_fixed_matches_statsmodels)
{
    static const double fitted_sm[8] = {
        850.0,          887.52,           972.4544000000001,
        1044.326368,    1072.41640896,    1139.9774717312,
        1182.545951928064, 1215.3750726597577};
    static const double forecast_sm[4] = {1207.8592078736792,
                                          1243.168386683455,
                                          1278.4775654932312,
                                          1313.7867443030073};
    double fitted[8];
    ap_holt_fit fit = fit_fixed(cla, 8, 0.6, 0.3, 800, 50, fitted);
    /* fittedvalues[0] = initial_level + initial_trend. */
    CHECK(fitted[0] == 850.0);
    for (int i = 0; i < 8; i++)
        CHECK_CLOSE(fitted[i], fitted_sm[i], 1e-12);
    CHECK_EQ_I64(fit.nobs, 8);
    CHECK_CLOSE(fit.sse, 11073.396276933738, 1e-12);
    CHECK_CLOSE(fit.sigma2, 11073.396276933738 / 8, 1e-12);
    CHECK_CLOSE(fit.level, 1172.5500290639031, 1e-12);
    CHECK_CLOSE(fit.trend, 35.30917880977601, 1e-12);
    CHECK(fit.params.alpha == 0.6 && fit.params.beta == 0.3);
    CHECK(fit.params.initial_level == 800 && fit.params.initial_trend == 50);
    double mean[4];
    ap_error err;
    CHECK(ap_holt_forecast(&fit, 4, 0.95, mean, NULL, NULL, &err) == AP_OK);
    for (int h = 0; h < 4; h++)
        CHECK_CLOSE(mean[h], forecast_sm[h], 1e-12);
}

TEST(holt_interval_matches_ets)
{
    /* summary_frame(alpha=0.05) and (alpha=0.2): pi_lower, pi_upper. */
    static const double lo95[4] = {1134.9397353345585, 1150.6899348354332,
                                   1162.4920441006004, 1171.0879755944832};
    static const double up95[4] = {1280.7786804128, 1335.6468385314774,
                                   1394.4630868858624, 1456.4855130115318};
    static const double lo80[4] = {1160.179727572858, 1182.6999772229692,
                                   1202.6387094256213, 1220.4810346664033};
    static const double up80[4] = {1255.5386881745005, 1303.6367961439414,
                                   1354.3164215608415, 1407.0924539396117};
    ap_holt_fit fit = fit_fixed(cla, 8, 0.6, 0.3, 800, 50, NULL);
    double mean[4], lower[4], upper[4];
    ap_error err;
    CHECK(ap_holt_forecast(&fit, 4, 0.95, mean, lower, upper, &err) ==
          AP_OK);
    for (int h = 0; h < 4; h++) {
        CHECK_CLOSE(lower[h], lo95[h], 1e-10);
        CHECK_CLOSE(upper[h], up95[h], 1e-10);
    }
    CHECK(ap_holt_forecast(&fit, 4, 0.8, NULL, lower, upper, &err) == AP_OK);
    for (int h = 0; h < 4; h++) {
        CHECK_CLOSE(lower[h], lo80[h], 1e-10);
        CHECK_CLOSE(upper[h], up80[h], 1e-10);
    }
}

/* The least-squares initial values worked out independently: the one-step
 * errors of three fixed runs (initial state (0,0), (1,0), (0,1)) give the
 * affine map, and the 2 x 2 normal equations are solved here. */
static void least_squares_initials(const double *y, size_t n, double alpha,
                                   double beta, double *l0, double *b0)
{
    double f0[64], fl[64], fb[64];
    CHECK(n <= 64);
    fit_fixed(y, n, alpha, beta, 0, 0, f0);
    fit_fixed(y, n, alpha, beta, 1, 0, fl);
    fit_fixed(y, n, alpha, beta, 0, 1, fb);
    double suu = 0, suv = 0, svv = 0, sue = 0, sve = 0;
    for (size_t t = 0; t < n; t++) {
        if (isnan(y[t]) || isnan(f0[t]))
            continue;
        double e = y[t] - f0[t], u = fl[t] - f0[t], v = fb[t] - f0[t];
        suu += u * u;
        suv += u * v;
        svv += v * v;
        sue += u * e;
        sve += v * e;
    }
    double det = suu * svv - suv * suv;
    *l0 = (svv * sue - suv * sve) / det;
    *b0 = (suu * sve - suv * sue) / det;
}

TEST(holt_fitted_initial_values_are_least_squares)
{
    /* statsmodels' Holt(y, initialization_method="estimated")
     * .fit(smoothing_level=0.5, smoothing_trend=0.2) optimises the
     * initial values numerically: sse 10612.561619954937 at
     * (820.3229432295919, 47.57858718827405).  Ours are exact. */
    ap_holt_params p = {0.5, 0.2, 0, 0};
    ap_holt_fit fit;
    ap_error err;
    CHECK(ap_holt_fit_series(cla, 1, 8, AP_HOLT_FIX_ALPHA | AP_HOLT_FIX_BETA,
                             &p, &fit, NULL, &err) == AP_OK);
    double l0, b0;
    least_squares_initials(cla, 8, 0.5, 0.2, &l0, &b0);
    CHECK_CLOSE(fit.params.initial_level, l0, 1e-9);
    CHECK_CLOSE(fit.params.initial_trend, b0, 1e-9);
    CHECK(fit.sse <= 10612.561619954937);
    CHECK_CLOSE(fit.sse, 10612.561619954937, 1e-6);
    CHECK_CLOSE(fit.params.initial_level, 820.3229432295919, 1e-5);
    CHECK_CLOSE(fit.params.initial_trend, 47.57858718827405, 1e-4);
    /* Moving either initial value either way only adds error. */
    for (int k = 0; k < 4; k++) {
        double d = (k & 1) ? 0.01 : -0.01;
        ap_holt_fit moved = fit_fixed(cla, 8, 0.5, 0.2, l0 + (k < 2 ? d : 0),
                                      b0 + (k >= 2 ? d : 0), NULL);
        CHECK(moved.sse > fit.sse);
    }
    /* One initial value fixed: the other alone is fitted. */
    CHECK(ap_holt_fit_series(cla, 1, 8,
                             AP_HOLT_FIX_ALPHA | AP_HOLT_FIX_BETA |
                                 AP_HOLT_FIX_INITIAL_TREND,
                             &(ap_holt_params){0.5, 0.2, 0, 40.0}, &fit,
                             NULL, &err) == AP_OK);
    CHECK(fit.params.initial_trend == 40.0);
    ap_holt_fit lower = fit_fixed(cla, 8, 0.5, 0.2,
                                  fit.params.initial_level - 0.01, 40, NULL);
    ap_holt_fit higher = fit_fixed(cla, 8, 0.5, 0.2,
                                   fit.params.initial_level + 0.01, 40, NULL);
    CHECK(lower.sse > fit.sse && higher.sse > fit.sse);
}

TEST(holt_fitted_cla_beats_statsmodels)
{
    /* Everything fitted.  statsmodels' Holt(...).fit() stops at sse
     * 10103.191648770508 (alpha = beta = 0.6164); the global minimum for
     * these eight years is the corner alpha = beta = 0, where Holt's
     * method is the least-squares line: statsmodels' OLS of y on (1, t),
     * t = 1..8, has ssr 6844.535714285714, intercept 834.3214285714283
     * and slope 44.6785714285714. */
    ap_holt_fit fit;
    double fitted[8];
    ap_error err;
    CHECK(ap_holt_fit_series(cla, 1, 8, 0, NULL, &fit, fitted, &err) ==
          AP_OK);
    CHECK(fit.sse < 10103.191648770508);
    CHECK(fit.params.alpha <= 1e-6); /* at alpha = 0 beta does nothing */
    CHECK_CLOSE(fit.sse, 6844.535714285714, 1e-9);
    CHECK_CLOSE(fit.params.initial_level, 834.3214285714283, 1e-9);
    CHECK_CLOSE(fit.params.initial_trend, 44.6785714285714, 1e-9);
    /* The figures are those of the fixed run at the fitted parameters. */
    double again[8];
    ap_holt_fit fixed = fit_fixed(cla, 8, fit.params.alpha, fit.params.beta,
                                  fit.params.initial_level,
                                  fit.params.initial_trend, again);
    CHECK(same_double(fixed.sse, fit.sse) &&
          same_double(fixed.level, fit.level) &&
          same_double(fixed.trend, fit.trend));
    for (int i = 0; i < 8; i++)
        CHECK(same_double(again[i], fitted[i]));
    /* West Northamptonshire 2022..2023: two observations are fitted
     * exactly. */
    const double west[2] = {659, 688};
    CHECK(ap_holt_fit_series(west, 1, 2, 0, NULL, &fit, NULL, &err) ==
          AP_OK);
    CHECK_EQ_I64(fit.nobs, 2);
    CHECK(fit.sse < 1e-18 * 688 * 688);
}

TEST(holt_missing_values)
{
    /* Leading and trailing NaN trimmed; the interior NaN updates nothing.
     * By hand, alpha = beta = 0.5 from level 8, trend 2:
     *   11: forecast 10, error 1; level 10.5, trend 2.25
     *   NaN: forecast 12.75; level 12.75, trend 2.25
     *   16: forecast 15, error 1; level 15.5, trend 2.5
     * The trailing NaN is a step already taken: the forecasts are 2 and 3
     * steps past the last observation, 20.5 and 23, with variances
     * 1 + 0.75^2 = 1.5625 and 1.5625 + 1^2 = 2.5625 (c_j = 0.5 (1 + 0.5 j)). */
    const double y[5] = {NAN, 11, NAN, 16, NAN};
    double fitted[5];
    ap_holt_fit fit = fit_fixed(y, 5, 0.5, 0.5, 8, 2, fitted);
    CHECK(isnan(fitted[0]) && isnan(fitted[4]));
    CHECK(fitted[1] == 10 && fitted[2] == 12.75 && fitted[3] == 15);
    CHECK_EQ_I64(fit.nobs, 2);
    CHECK(fit.sse == 2 && fit.sigma2 == 1);
    CHECK(fit.level == 15.5 && fit.trend == 2.5);
    CHECK_EQ_I64(fit.trailing, 1);
    double mean[2], lower[2], upper[2];
    ap_error err;
    CHECK(ap_holt_forecast(&fit, 2, 0.95, mean, lower, upper, &err) ==
          AP_OK);
    CHECK(mean[0] == 20.5 && mean[1] == 23);
    double z = 1.959963984540054; /* the normal's 0.975 quantile */
    CHECK_CLOSE(upper[0] - mean[0], z * 1.25, 1e-12);
    CHECK_CLOSE(mean[1] - lower[1], z * sqrt(2.5625), 1e-12);
    /* With no trailing step, the forecasts start from the last one. */
    fit.trailing = 0;
    CHECK(ap_holt_forecast(&fit, 2, 0.95, mean, lower, upper, &err) ==
          AP_OK);
    CHECK(mean[0] == 18 && mean[1] == 20.5);
    CHECK_CLOSE(upper[0] - mean[0], z, 1e-12);
    CHECK_CLOSE(mean[1] - lower[1], z * 1.25, 1e-12);
    /* A strided view of the same values (every other element). */
    double spaced[10];
    for (int i = 0; i < 10; i++)
        spaced[i] = i % 2 ? -1e300 : y[i / 2];
    ap_holt_fit again;
    CHECK(ap_holt_fit_series(spaced, 2, 5, AP_HOLT_FIX_ALL,
                             &(ap_holt_params){0.5, 0.5, 8, 2}, &again, NULL,
                             &err) == AP_OK);
    CHECK(again.sse == 2 && again.level == 15.5);
    /* Fitting with gaps: the initial values are still least squares. */
    const double gappy[9] = {NAN, 5, 7, NAN, 12, 13, NAN, NAN, 21};
    CHECK(ap_holt_fit_series(gappy, 1, 9, AP_HOLT_FIX_ALPHA | AP_HOLT_FIX_BETA,
                             &(ap_holt_params){0.3, 0.6, 0, 0}, &fit, NULL,
                             &err) == AP_OK);
    double l0, b0;
    least_squares_initials(gappy, 9, 0.3, 0.6, &l0, &b0);
    CHECK_CLOSE(fit.params.initial_level, l0, 1e-9);
    CHECK_CLOSE(fit.params.initial_trend, b0, 1e-9);
    CHECK_EQ_I64(fit.nobs, 5);
}

TEST(holt_errors)
{
    ap_holt_fit fit;
    ap_error err;
    const double one[3] = {NAN, 4, NAN};
    CHECK(ap_holt_fit_series(one, 1, 3, 0, NULL, &fit, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "at least 2 observations");
    CHECK_CONTAINS(err.message, "has 1");
    const double inf[4] = {1, 2, INFINITY, 4};
    CHECK(ap_holt_fit_series(inf, 1, 4, 0, NULL, &fit, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "value 2");
    CHECK_CONTAINS(err.message, "infinite");
    ap_holt_params p = {1.5, 0.2, 0, 0};
    CHECK(ap_holt_fit_series(cla, 1, 8, AP_HOLT_FIX_ALPHA, &p, &fit, NULL,
                             &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "alpha");
    p = (ap_holt_params){0.5, NAN, 0, 0};
    CHECK(ap_holt_fit_series(cla, 1, 8, AP_HOLT_FIX_BETA, &p, &fit, NULL,
                             &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "beta");
    p = (ap_holt_params){0.5, 0.5, INFINITY, 0};
    CHECK(ap_holt_fit_series(cla, 1, 8, AP_HOLT_FIX_INITIAL_LEVEL, &p, &fit,
                             NULL, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "initial_level");
    CHECK(ap_holt_fit_series(cla, 1, 8, 16, &p, &fit, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "AP_HOLT_FIX_");
    CHECK(ap_holt_fit_series(cla, 1, 8, AP_HOLT_FIX_ALPHA, NULL, &fit, NULL,
                             &err) == AP_E_INPUT);
    /* The parameters not fixed may hold anything. */
    p = (ap_holt_params){NAN, NAN, NAN, INFINITY};
    CHECK(ap_holt_fit_series(cla, 1, 8, 0, &p, &fit, NULL, &err) == AP_OK);
    fit = fit_fixed(cla, 8, 0.6, 0.3, 800, 50, NULL);
    double mean[2], lower[2];
    CHECK(ap_holt_forecast(&fit, 2, 1.0, mean, lower, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "level");
    CHECK(ap_holt_forecast(&fit, 2, NAN, mean, NULL, lower, &err) ==
          AP_E_INPUT);
    /* No interval asked for: the level is not used. */
    CHECK(ap_holt_forecast(&fit, 2, 0.0, mean, NULL, NULL, &err) == AP_OK);
    ap_holt_batch_out out = {0};
    CHECK(ap_holt_fit_batch(cla, 1, 8, 8, 1, 0, NULL, 2, 0.95, -1, &out,
                            &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads");
}

/* A seeded linear congruential generator (Knuth's MMIX constants). */
static uint64_t holt_lcg = 1;
static double lcg_uniform(void) /* [0, 1) */
{
    holt_lcg = holt_lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(holt_lcg >> 11) / 9007199254740992.0;
}

enum { BS = 150, BT = 12, BH = 3 };

/* BS series of BT times: random walks with drift, some values missing,
 * some series too short to fit. */
static void batch_values(double *v)
{
    holt_lcg = 20240331;
    for (int s = 0; s < BS; s++) {
        double level = 100 + 400 * lcg_uniform(), drift = lcg_uniform() * 10;
        for (int t = 0; t < BT; t++) {
            level += drift + 8 * (lcg_uniform() - 0.5);
            v[s * BT + t] = lcg_uniform() < 0.1 ? NAN : level;
        }
        if (s % 37 == 5) /* one observation: NaN outputs */
            for (int t = 0; t < BT; t++)
                v[s * BT + t] = t == 7 ? 3.0 : NAN;
        if (s % 41 == 9) /* leading and trailing NaN */
            v[s * BT] = v[s * BT + 1] = v[s * BT + BT - 1] = NAN;
    }
}

typedef struct batch_result {
    double mean[BS * BH], lower[BS * BH], upper[BS * BH];
    double alpha[BS], beta[BS], l0[BS], b0[BS], sse[BS];
    int64_t nobs[BS];
} batch_result;

static void run_batch(const double *v, size_t n_series, ptrdiff_t ss,
                      ptrdiff_t ts, unsigned fixed, const ap_holt_params *p,
                      int threads, batch_result *r)
{
    memset(r, 0x5a, sizeof *r);
    ap_holt_batch_out out = {r->mean, r->lower, r->upper, r->alpha, r->beta,
                             r->l0,   r->b0,    r->sse,   r->nobs};
    ap_error err;
    CHECK(ap_holt_fit_batch(v, n_series, BT, ss, ts, fixed, p, BH, 0.9,
                            threads, &out, &err) == AP_OK);
}

TEST(holt_batch_matches_single_fits)
{
    static double v[BS * BT];
    static batch_result r, r2;
    batch_values(v);
    const unsigned fixes[3] = {0, AP_HOLT_FIX_ALPHA | AP_HOLT_FIX_BETA,
                               AP_HOLT_FIX_ALL};
    const ap_holt_params p = {0.4, 0.25, 150, 3};
    for (int k = 0; k < 3; k++) {
        run_batch(v, BS, BT, 1, fixes[k], &p, 1, &r);
        for (int s = 0; s < BS; s++) {
            ap_holt_fit fit;
            ap_error err;
            ap_status st = ap_holt_fit_series(v + s * BT, 1, BT, fixes[k], &p,
                                              &fit, NULL, &err);
            if (s % 37 == 5) { /* too short: NaN, not an error */
                CHECK(st == AP_E_INPUT);
                CHECK_EQ_I64(r.nobs[s], 1);
                CHECK(isnan(r.mean[s * BH]) && isnan(r.upper[s * BH + 2]));
                CHECK(isnan(r.alpha[s]) && isnan(r.sse[s]));
                continue;
            }
            CHECK(st == AP_OK);
            double mean[BH], lower[BH], upper[BH];
            CHECK(ap_holt_forecast(&fit, BH, 0.9, mean, lower, upper, &err) ==
                  AP_OK);
            CHECK_EQ_I64(r.nobs[s], fit.nobs);
            CHECK(same_double(r.alpha[s], fit.params.alpha));
            CHECK(same_double(r.beta[s], fit.params.beta));
            CHECK(same_double(r.l0[s], fit.params.initial_level));
            CHECK(same_double(r.b0[s], fit.params.initial_trend));
            CHECK(same_double(r.sse[s], fit.sse));
            for (int h = 0; h < BH; h++) {
                CHECK(same_double(r.mean[s * BH + h], mean[h]));
                CHECK(same_double(r.lower[s * BH + h], lower[h]));
                CHECK(same_double(r.upper[s * BH + h], upper[h]));
            }
        }
        /* Any number of threads: the same bits. */
        for (int threads = 0; threads <= 4; threads++) {
            run_batch(v, BS, BT, 1, fixes[k], &p, threads, &r2);
            CHECK(memcmp(&r, &r2, sizeof r) == 0);
        }
    }
}

TEST(holt_batch_strides)
{
    /* The same series read as the transpose (time x series) and reversed
     * in both directions (negative strides) give the same fits. */
    static double v[BS * BT], tr[BT * BS], rev[BS * BT];
    static batch_result r, r2;
    batch_values(v);
    for (int s = 0; s < BS; s++)
        for (int t = 0; t < BT; t++) {
            tr[t * BS + s] = v[s * BT + t];
            rev[(BS - 1 - s) * BT + (BT - 1 - t)] = v[s * BT + t];
        }
    run_batch(v, BS, BT, 1, 0, NULL, 2, &r);
    run_batch(tr, BS, 1, BS, 0, NULL, 2, &r2);
    CHECK(memcmp(&r, &r2, sizeof r) == 0);
    run_batch(rev + BS * BT - 1, BS, -BT, -1, 0, NULL, 2, &r2);
    CHECK(memcmp(&r, &r2, sizeof r) == 0);
    /* Outputs may be left out. */
    ap_holt_batch_out out = {0};
    out.sse = r2.sse;
    ap_error err;
    CHECK(ap_holt_fit_batch(v, BS, BT, BT, 1, 0, NULL, BH, 2.0, 1, &out,
                            &err) == AP_OK); /* no interval: level unused */
    CHECK(memcmp(r.sse, r2.sse, sizeof r.sse) == 0);
}

TEST(holt_batch_first_infinite_value)
{
    static double v[BS * BT];
    static batch_result r;
    batch_values(v);
    v[120 * BT + 4] = -INFINITY;
    v[60 * BT + 11] = INFINITY;
    for (int threads = 1; threads <= 4; threads++) {
        ap_holt_batch_out out = {r.mean, NULL, NULL, NULL, NULL,
                                 NULL,   NULL, NULL, NULL};
        ap_error err;
        CHECK(ap_holt_fit_batch(v, BS, BT, BT, 1, 0, NULL, BH, 0.95, threads,
                                &out, &err) == AP_E_INPUT);
        CHECK_CONTAINS(err.message, "series 60: value 11");
    }
}
