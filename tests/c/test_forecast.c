/* Forecasts (student_t.c, trend.c): the t distribution against closed
 * forms and published values, and the least squares trend against exact
 * lines, statsmodels' figures for the county's children in care, and the
 * batch against one series at a time. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "runner.h"

#define PI 3.14159265358979323846

/* |a - b| <= rel * |b| (or both NaN, or both the same infinity). */
static int close_rel(double a, double b, double rel)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= rel * fabs(b);
}

#define CHECK_REL(a, b, rel)                                                 \
    do {                                                                     \
        double a_ = (a), b_ = (b);                                           \
        if (!close_rel(a_, b_, rel)) {                                       \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g (rel %g)\n",  \
                    __FILE__, __LINE__, #a, a_, b_,                          \
                    fabs(a_ - b_) / fabs(b_));                               \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

/* The same bits, counting every NaN as the same. */
static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* A seeded linear congruential generator (Knuth's MMIX constants). */
static uint64_t lcg_state;
static void lcg_seed(uint64_t seed) { lcg_state = seed; }
static double lcg_uniform(void) /* [0, 1) */
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * 0x1p-53;
}

/* ---- Student's t ---------------------------------------------------- */

/* P(0 < T < t) for even df from the finite series (Abramowitz and Stegun
 * 26.7.3): all its terms are positive, so it is accurate next to 0. */
static double centre_even_df(double t, int df)
{
    double s = t / sqrt(df + t * t), c2 = df / (df + t * t);
    double term = 1.0, total = 1.0;
    for (int k = 1; 2 * k <= df - 2; k++) {
        term *= (2.0 * k - 1.0) / (2.0 * k) * c2;
        total += term;
    }
    return 0.5 * s * total;
}

TEST(student_t_known_quantiles)
{
    /* Published values (as scipy.stats.t.ppf gives them). */
    CHECK_REL(ap_student_t_quantile(0.975, 10), 2.228138851986274, 1e-14);
    CHECK_REL(ap_student_t_quantile(0.975, 6), 2.4469118511449786, 1e-14);
    CHECK_REL(ap_student_t_quantile(0.995, 3), 5.840909309733355, 1e-14);
    CHECK_REL(ap_student_t_quantile(0.95, 1.5), 3.70518082009675, 1e-13);
    CHECK_REL(ap_student_t_quantile(1e-10, 2.5), -8765.437771364572, 1e-12);
    CHECK_REL(ap_student_t_quantile(0.999, 30), 3.3851848668293045, 1e-14);
    CHECK_REL(ap_student_t_quantile(0.9, 1e6), 1.281552412129939, 1e-14);
    CHECK_REL(ap_student_t_quantile(1e-12, 5), -393.95695957760375, 1e-13);
    /* The normal (df = inf). */
    CHECK_REL(ap_student_t_quantile(0.975, INFINITY), 1.959963984540054,
              1e-15);
    CHECK_REL(ap_student_t_quantile(0.2, INFINITY), -0.8416212335729142,
              1e-15);
    CHECK_REL(ap_student_t_quantile(1e-20, INFINITY), -9.262340089798409,
              1e-15);
    CHECK_REL(ap_student_t_quantile(1e-300, INFINITY), -37.0470962993612,
              1e-14);
    CHECK_REL(ap_student_t_quantile(1 - 1e-12, INFINITY), 7.0344869100478356,
              1e-14);
    /* Next to the median the normal quantile is h sqrt(2 pi) (1 + pi h^2 / 3
     * + ...), where h = p - 1/2 is exact and h^2 is below rounding. */
    double p = 0.5 + 0x1p-40;
    CHECK_REL(ap_student_t_quantile(p, INFINITY), 0x1p-40 * sqrt(2 * PI),
              1e-15);

    /* df = 1 is the Cauchy: t = tan(pi (p - 1/2)), in the tails
     * -1 / tan(pi p). */
    for (double q = 0.01; q < 1.0; q += 0.01)
        CHECK_REL(ap_student_t_quantile(q, 1), tan(PI * (q - 0.5)), 1e-13);
    for (double q = 1e-300; q < 1e-2; q *= 1e3)
        CHECK_REL(ap_student_t_quantile(q, 1), -1.0 / tan(PI * q), 1e-14);
    /* df = 2: t = (2p - 1) sqrt(2 / (4 p (1 - p))). */
    for (double q = 1e-12; q < 1.0; q = q < 0.01 ? q * 7 : q + 0.0123) {
        double expect = (2 * q - 1) * sqrt(2 / (4 * q * (1 - q)));
        CHECK_REL(ap_student_t_quantile(q, 2), expect, 1e-13);
    }
    /* Next to the median for even df, against the finite series. */
    const int even[] = {4, 6, 10, 30, 100};
    for (int k = 0; k < 5; k++)
        for (double h = 1e-15; h < 0.25; h *= 10) {
            double t = ap_student_t_quantile(0.5 + h, even[k]);
            double exact_h = (0.5 + h) - 0.5; /* what p carried */
            CHECK_REL(centre_even_df(t, even[k]), exact_h, 1e-13);
        }

    /* The ends and the refusals. */
    CHECK(ap_student_t_quantile(0.0, 5) == -INFINITY);
    CHECK(ap_student_t_quantile(1.0, 5) == INFINITY);
    CHECK(ap_student_t_quantile(0.5, 5) == 0.0);
    CHECK(isnan(ap_student_t_quantile(-0.1, 5)));
    CHECK(isnan(ap_student_t_quantile(1.1, 5)));
    CHECK(isnan(ap_student_t_quantile(NAN, 5)));
    CHECK(isnan(ap_student_t_quantile(0.3, 0)));
    CHECK(isnan(ap_student_t_quantile(0.3, -2)));
    CHECK(isnan(ap_student_t_quantile(0.3, NAN)));
    /* Past the largest double for a tiny df. */
    CHECK(ap_student_t_quantile(1e-12, 0.01) == -INFINITY);
}

TEST(student_t_known_cdf)
{
    CHECK_REL(ap_student_t_cdf(2.228138851986274, 10), 0.975, 1e-14);
    CHECK_REL(ap_student_t_cdf(-3.0, 4.5), 0.01719043394437981, 1e-13);
    CHECK_REL(ap_student_t_cdf(-25.0, 100), 4.115990448503e-45, 1e-12);
    CHECK_REL(ap_student_t_cdf(-6.0, 1e6), 9.86924906177215e-10, 1e-13);
    CHECK_REL(ap_student_t_cdf(-1e10, 3), 1.1026577908435839e-30, 1e-13);
    CHECK_REL(ap_student_t_cdf(0.7, 7), 0.7467412239022, 1e-12);
    /* The normal. */
    CHECK_REL(ap_student_t_cdf(-37.0, INFINITY), 5.7255712225239266e-300,
              1e-13);
    CHECK_REL(ap_student_t_cdf(-10.0, INFINITY), 7.61985302416047e-24,
              1e-14);
    CHECK_REL(ap_student_t_cdf(-1.0, INFINITY), 0.15865525393145707, 1e-15);
    CHECK_REL(ap_student_t_cdf(3.0, INFINITY), 0.9986501019683699, 1e-15);
    /* Cauchy and df = 2 in closed form, in both tails. */
    for (double t = -1e12; t < 1e12; t = t < -1 ? t / 3.7 : t > 1 ? t * 3.7
                                                   : t + 0.37) {
        CHECK_REL(ap_student_t_cdf(t, 1),
                  t < 0 ? atan(-1.0 / t) / PI : 0.5 + atan(t) / PI, 1e-14);
        CHECK_REL(ap_student_t_cdf(t, 2),
                  t < 0 ? 0.5 * (2.0 / (t * t + 2.0)) /
                              (1.0 - t / sqrt(2.0 + t * t))
                        : 0.5 + t / (2.0 * sqrt(2.0 + t * t)),
                  1e-13);
    }
    /* Next to the median for even df, against the finite series. */
    for (double t = 1e-200; t < 0.5; t *= 1e5)
        CHECK_REL(ap_student_t_cdf(-t, 4), 0.5 - centre_even_df(t, 4), 1e-15);
    CHECK(ap_student_t_cdf(0.0, 3) == 0.5);
    CHECK(ap_student_t_cdf(-INFINITY, 3) == 0.0);
    CHECK(ap_student_t_cdf(INFINITY, 3) == 1.0);
    CHECK(isnan(ap_student_t_cdf(NAN, 3)));
    CHECK(isnan(ap_student_t_cdf(1.0, NAN)));
    CHECK(isnan(ap_student_t_cdf(1.0, 0.0)));
    CHECK(isnan(ap_student_t_cdf(1.0, -1.0)));
}

TEST(student_t_round_trips)
{
    /* cdf(quantile(p)) = p, each tail to its own relative precision. */
    const double dfs[] = {0.3, 1, 1.5, 2, 2.5, 3, 4, 7, 10, 29.5,
                          50,  99, 101, 300, 1e3, 1e4, 1e5, 1e6, 1e9,
                          INFINITY};
    for (size_t d = 0; d < sizeof dfs / sizeof dfs[0]; d++)
        for (double p = 1e-12; p < 0.5; p *= 1.7) {
            double lo = ap_student_t_quantile(p, dfs[d]);
            double hi = ap_student_t_quantile(1.0 - p, dfs[d]);
            CHECK(lo < 0 && hi > 0);
            CHECK_REL(ap_student_t_cdf(lo, dfs[d]), p, 1e-12);
            /* 1 - p rounds p a little: compare hi with -quantile(1 - (1 - p)). */
            CHECK_REL(-hi, ap_student_t_quantile(1.0 - (1.0 - p), dfs[d]),
                      1e-13);
            CHECK_REL(ap_student_t_cdf(-hi, dfs[d]), 1.0 - (1.0 - p), 1e-12);
        }
}

/* ---- one series ------------------------------------------------------ */

/* Northamptonshire's children looked after at 31 March 2014..2021
 * (DfE; examples/northants_children_looked_after.csv). */
static const double CLA_YEARS[8] = {2014, 2015, 2016, 2017,
                                    2018, 2019, 2020, 2021};
static const double CLA[8] = {834, 936, 993, 1004, 1092, 1123, 1157, 1144};

TEST(trend_county_children_looked_after)
{
    ap_trend_fit fit;
    ap_error err;
    CHECK(ap_trend_fit_series(CLA_YEARS, 1, CLA, 1, 8, &fit, &err) == AP_OK);
    /* statsmodels OLS(cla, add_constant(year)).fit(): params, bse, scale,
     * ssr, rsquared. */
    CHECK_EQ_I64(fit.nobs, 8);
    CHECK_REL(fit.intercept, -89103.64285713906, 1e-9);
    CHECK_REL(fit.slope, 44.6785714285696, 1e-9);
    CHECK_REL(fit.intercept_se, 10514.425546056445, 1e-9);
    CHECK_REL(fit.slope_se, 5.2116078142038536, 1e-9);
    CHECK_REL(fit.sigma2, 1140.755952381097, 1e-9);
    CHECK_REL(fit.ssr, 6844.535714286581, 1e-9);
    CHECK_REL(fit.r_squared, 0.9245231226137328, 1e-12);
    CHECK(fit.time_mean == 2017.5);
    CHECK(fit.sxx == 42.0);
    /* Exactly: slope = 1876.5 / 42, ssr = 47911.75 / 7. */
    CHECK_REL(fit.slope, 1876.5 / 42, 1e-15);
    CHECK_REL(fit.ssr, 47911.75 / 7, 1e-14);

    /* get_prediction(...).summary_frame(alpha=0.05) at 2022..2024: mean,
     * mean_se, mean_ci_lower, mean_ci_upper, obs_ci_lower, obs_ci_upper. */
    static const double frame[3][6] = {
        {1236.428571428667, 26.3173294278971, 1172.032386161059,
         1300.824756696275, 1131.6573667888858, 1341.1997760684483},
        {1281.1071428572322, 31.051737283236967, 1205.1262789002394,
         1357.088006814225, 1168.843042039999, 1393.3712436744654},
        {1325.785714285812, 35.918528093674745, 1237.8962422177153,
         1413.6751863539087, 1205.1428697194658, 1446.4285588521582}};
    for (int k = 0; k < 3; k++) {
        ap_trend_prediction p;
        CHECK(ap_trend_predict(&fit, 2022.0 + k, 0.95, &p, &err) == AP_OK);
        CHECK_REL(p.mean, frame[k][0], 1e-9);
        CHECK_REL(p.mean_se, frame[k][1], 1e-9);
        CHECK_REL(p.mean_ci_lower, frame[k][2], 1e-9);
        CHECK_REL(p.mean_ci_upper, frame[k][3], 1e-9);
        CHECK_REL(p.obs_ci_lower, frame[k][4], 1e-9);
        CHECK_REL(p.obs_ci_upper, frame[k][5], 1e-9);
        CHECK_REL(p.obs_se * p.obs_se, fit.sigma2 + p.mean_se * p.mean_se,
                  1e-14);
    }
    /* 2022 is 4 years on: 1236 3/7 exactly. */
    ap_trend_prediction p;
    CHECK(ap_trend_predict(&fit, 2022.0, 0.95, &p, &err) == AP_OK);
    CHECK_REL(p.mean, 1236.0 + 3.0 / 7.0, 1e-14);
}

TEST(trend_exact_lines)
{
    /* y = 3 + 2t on t = 0..9 (times NULL), and y = 5 - 0.25t on years. */
    double y[10], years[10], y2[10];
    for (int i = 0; i < 10; i++) {
        y[i] = 3.0 + 2.0 * i;
        years[i] = 2015.0 + i;
        y2[i] = 5.0 - 0.25 * (2015.0 + i);
    }
    ap_trend_fit fit;
    ap_error err;
    CHECK(ap_trend_fit_series(NULL, 0, y, 1, 10, &fit, &err) == AP_OK);
    CHECK(fit.intercept == 3.0 && fit.slope == 2.0);
    CHECK(fit.ssr == 0.0 && fit.sigma2 == 0.0);
    CHECK(fit.slope_se == 0.0 && fit.intercept_se == 0.0);
    CHECK(fit.r_squared == 1.0);
    CHECK(fit.time_mean == 4.5 && fit.sxx == 82.5);
    ap_trend_prediction p;
    CHECK(ap_trend_predict(&fit, 20.0, 0.9, &p, &err) == AP_OK);
    CHECK(p.mean == 43.0 && p.mean_se == 0.0 && p.obs_se == 0.0);
    CHECK(p.mean_ci_lower == 43.0 && p.obs_ci_upper == 43.0);

    CHECK(ap_trend_fit_series(years, 1, y2, 1, 10, &fit, &err) == AP_OK);
    CHECK_REL(fit.slope, -0.25, 1e-13);
    CHECK_REL(fit.intercept, 5.0, 1e-9);
    CHECK(fit.ssr < 1e-20 && fit.ssr >= 0.0);

    /* A flat series: slope 0, r_squared NaN (no variation to explain). */
    double flat[5] = {7, 7, 7, 7, 7};
    CHECK(ap_trend_fit_series(NULL, 0, flat, 1, 5, &fit, &err) == AP_OK);
    CHECK(fit.slope == 0.0 && fit.intercept == 7.0 && fit.ssr == 0.0);
    CHECK(isnan(fit.r_squared));

    /* Read backwards through a negative stride: the same line. */
    double rev_t[10], rev_y[10];
    for (int i = 0; i < 10; i++) {
        rev_t[i] = years[9 - i];
        rev_y[i] = y2[9 - i];
    }
    ap_trend_fit back;
    CHECK(ap_trend_fit_series(rev_t + 9, -1, rev_y + 9, -1, 10, &back,
                              &err) == AP_OK);
    CHECK(ap_trend_fit_series(years, 1, y2, 1, 10, &fit, &err) == AP_OK);
    CHECK(memcmp(&back, &fit, sizeof fit) == 0);
}

TEST(trend_missing_values_skipped)
{
    /* NaN values and NaN times drop their pair: the fit is, bit for bit,
     * the fit of the pairs that are left. */
    double t[9] = {2014, 2015, NAN, 2016, 2017, 2018, 2019, 2020, 2021};
    double y[9] = {834, NAN, 950, 993, 1004, 1092, NAN, 1157, 1144};
    double kept_t[6] = {2014, 2016, 2017, 2018, 2020, 2021};
    double kept_y[6] = {834, 993, 1004, 1092, 1157, 1144};
    ap_trend_fit fit, kept;
    ap_error err;
    CHECK(ap_trend_fit_series(t, 1, y, 1, 9, &fit, &err) == AP_OK);
    CHECK(ap_trend_fit_series(kept_t, 1, kept_y, 1, 6, &kept, &err) ==
          AP_OK);
    CHECK_EQ_I64(fit.nobs, 6);
    CHECK(memcmp(&fit, &kept, sizeof fit) == 0);
}

TEST(trend_errors)
{
    ap_trend_fit fit;
    ap_error err;
    double y[4] = {1, NAN, 2, NAN};
    CHECK(ap_trend_fit_series(NULL, 0, y, 1, 4, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "at least 3");
    CHECK_CONTAINS(err.message, "2 of the 4");
    CHECK(ap_trend_fit_series(NULL, 0, y, 1, 0, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "0 of the 0");

    double same_t[3] = {2020, 2020, 2020}, v[3] = {1, 2, 3};
    CHECK(ap_trend_fit_series(same_t, 1, v, 1, 3, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "the same");
    /* Their mean rounds away from 0.1, but they are still all the same. */
    double tenths[4] = {0.1, NAN, 0.1, 0.1}, w[4] = {1, 2, 3, 4};
    CHECK(ap_trend_fit_series(tenths, 1, w, 1, 4, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "every one of the 3 usable times is the same");

    double inf_y[5] = {1, 2, INFINITY, 4, -INFINITY};
    CHECK(ap_trend_fit_series(NULL, 0, inf_y, 1, 5, &fit, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "value 2 is infinite");
    double inf_t[3] = {1, -INFINITY, 3};
    CHECK(ap_trend_fit_series(inf_t, 1, v, 1, 3, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "time 1 is infinite");
    double huge[3] = {1e300, -1e300, 1e300};
    CHECK(ap_trend_fit_series(NULL, 0, huge, 1, 3, &fit, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "too large");
    CHECK(ap_trend_fit_series(NULL, 0, v, 1, 3, NULL, &err) == AP_E_INPUT);
    CHECK(ap_trend_fit_series(NULL, 0, NULL, 1, 3, &fit, &err) ==
          AP_E_INPUT);

    /* Predictions: the level, and a fit that cannot have come from
     * ap_trend_fit_series. */
    CHECK(ap_trend_fit_series(CLA_YEARS, 1, CLA, 1, 8, &fit, &err) == AP_OK);
    ap_trend_prediction p;
    const double bad_levels[] = {0.0, 1.0, -0.5, 95.0, NAN};
    for (int k = 0; k < 5; k++) {
        CHECK(ap_trend_predict(&fit, 2022, bad_levels[k], &p, &err) ==
              AP_E_INPUT);
        CHECK_CONTAINS(err.message, "level must be between 0 and 1");
    }
    CHECK(ap_trend_predict(&fit, INFINITY, 0.95, &p, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "infinite");
    ap_trend_fit broken = fit;
    broken.nobs = 2;
    CHECK(ap_trend_predict(&broken, 2022, 0.95, &p, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "2 observations");
    broken = fit;
    broken.sxx = 0.0;
    CHECK(ap_trend_predict(&broken, 2022, 0.95, &p, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "sxx");
    broken = fit;
    broken.sigma2 = -1.0;
    CHECK(ap_trend_predict(&broken, 2022, 0.95, &p, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "sigma2");
    broken = fit;
    broken.slope = NAN;
    CHECK(ap_trend_predict(&broken, 2022, 0.95, &p, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "finite");
    CHECK(ap_trend_predict(NULL, 2022, 0.95, &p, &err) == AP_E_INPUT);
    /* A NaN time predicts NaN, not an error. */
    CHECK(ap_trend_predict(&fit, NAN, 0.95, &p, &err) == AP_OK);
    CHECK(isnan(p.mean) && isnan(p.obs_ci_upper));
}

/* ---- many series ----------------------------------------------------- */

/* Every output of a batch, allocated together. */
typedef struct batch_result {
    double *pred[5]; /* mean, mean_ci_lower/upper, obs_ci_lower/upper */
    double *intercept, *slope, *sigma2;
    int64_t *nobs;
    ap_trend_batch_out out;
} batch_result;

static void batch_alloc(batch_result *r, size_t n_series, size_t n_predict)
{
    for (int c = 0; c < 5; c++) {
        r->pred[c] = malloc(n_series * n_predict * sizeof(double) + 1);
        CHECK(r->pred[c] != NULL);
        memset(r->pred[c], 0x5a, n_series * n_predict * sizeof(double));
    }
    r->intercept = malloc(n_series * sizeof(double) + 1);
    r->slope = malloc(n_series * sizeof(double) + 1);
    r->sigma2 = malloc(n_series * sizeof(double) + 1);
    r->nobs = malloc(n_series * sizeof(int64_t) + 1);
    CHECK(r->intercept && r->slope && r->sigma2 && r->nobs);
    r->out = (ap_trend_batch_out){r->pred[0], r->pred[1], r->pred[2],
                                  r->pred[3], r->pred[4], r->intercept,
                                  r->slope,   r->sigma2,  r->nobs};
}

static void batch_free(batch_result *r)
{
    for (int c = 0; c < 5; c++)
        free(r->pred[c]);
    free(r->intercept);
    free(r->slope);
    free(r->sigma2);
    free(r->nobs);
}

static int batch_same(const batch_result *a, const batch_result *b,
                      size_t n_series, size_t n_predict)
{
    size_t cells = n_series * n_predict;
    for (int c = 0; c < 5; c++)
        for (size_t i = 0; i < cells; i++)
            if (!same_double(a->pred[c][i], b->pred[c][i]))
                return 0;
    for (size_t i = 0; i < n_series; i++)
        if (!same_double(a->intercept[i], b->intercept[i]) ||
            !same_double(a->slope[i], b->slope[i]) ||
            !same_double(a->sigma2[i], b->sigma2[i]) ||
            a->nobs[i] != b->nobs[i])
            return 0;
    return 1;
}

/* Random demand-like series: a level in the hundreds, a trend, noise,
 * and a NaN in roughly one value in `gap_every` (0: none). */
static void random_series(double *values, size_t n_series, size_t n_times,
                          int gap_every, uint64_t seed)
{
    lcg_seed(seed);
    for (size_t s = 0; s < n_series; s++) {
        double level = 100 + 900 * lcg_uniform(), trend = 40 * lcg_uniform() - 20;
        for (size_t j = 0; j < n_times; j++) {
            double v = level + trend * j + 30 * (lcg_uniform() - 0.5);
            if (gap_every > 0 && lcg_uniform() * gap_every < 1.0)
                v = NAN;
            values[s * n_times + j] = v;
        }
    }
}

/* Checks a batch against ap_trend_fit_series and ap_trend_predict on each
 * series alone: the same bits. */
static void check_batch_against_single(const double *values, size_t n_series,
                                       size_t n_times, ptrdiff_t ss,
                                       ptrdiff_t ts, const double *times,
                                       const double *at, size_t n_predict,
                                       double level, const batch_result *r)
{
    for (size_t s = 0; s < n_series; s++) {
        ap_trend_fit fit;
        ap_error err;
        ap_status st = ap_trend_fit_series(times, 1, values + (ptrdiff_t)s * ss,
                                           ts, n_times, &fit, &err);
        if (st != AP_OK) {
            CHECK(isnan(r->intercept[s]) && isnan(r->slope[s]) &&
                  isnan(r->sigma2[s]));
            for (size_t k = 0; k < n_predict; k++)
                for (int c = 0; c < 5; c++)
                    CHECK(isnan(r->pred[c][s * n_predict + k]));
            /* nobs still says how many values the series had. */
            size_t have = 0;
            for (size_t j = 0; j < n_times; j++)
                have += !isnan(values[(ptrdiff_t)s * ss + (ptrdiff_t)j * ts]) &&
                        (times == NULL || !isnan(times[j]));
            CHECK_EQ_I64(r->nobs[s], have);
            continue;
        }
        CHECK_EQ_I64(r->nobs[s], fit.nobs);
        CHECK(same_double(r->intercept[s], fit.intercept));
        CHECK(same_double(r->slope[s], fit.slope));
        CHECK(same_double(r->sigma2[s], fit.sigma2));
        for (size_t k = 0; k < n_predict; k++) {
            ap_trend_prediction p;
            CHECK(ap_trend_predict(&fit, at[k], level, &p, &err) == AP_OK);
            size_t cell = s * n_predict + k;
            CHECK(same_double(r->pred[0][cell], p.mean));
            CHECK(same_double(r->pred[1][cell], p.mean_ci_lower));
            CHECK(same_double(r->pred[2][cell], p.mean_ci_upper));
            CHECK(same_double(r->pred[3][cell], p.obs_ci_lower));
            CHECK(same_double(r->pred[4][cell], p.obs_ci_upper));
        }
    }
}

TEST(trend_batch_matches_single)
{
    enum { S = 600, T = 10, P = 3 };
    double *values = malloc(S * T * sizeof(double));
    CHECK(values != NULL);
    random_series(values, S, T, 6, 11);
    /* Some series too short, one flat in time, one all missing. */
    for (int j = 0; j < T; j++) {
        values[5 * T + j] = j < 2 ? 1.0 * j : NAN;
        values[7 * T + j] = NAN;
    }
    double years[T], at[P] = {2025, 2026, 2030.5};
    for (int j = 0; j < T; j++)
        years[j] = 2015 + j;
    batch_result r;
    batch_alloc(&r, S, P);
    ap_error err;
    /* Row-major with the years, then with times 0..T-1. */
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, years, at, P, 0.95, 2,
                             &r.out, &err) == AP_OK);
    check_batch_against_single(values, S, T, T, 1, years, at, P, 0.95, &r);
    CHECK_EQ_I64(r.nobs[5], 2);
    CHECK_EQ_I64(r.nobs[7], 0);
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, P, 0.8, 3, &r.out,
                             &err) == AP_OK);
    check_batch_against_single(values, S, T, T, 1, NULL, at, P, 0.8, &r);

    /* The same numbers stored time-major (a transposed view), and read
     * backwards in both directions: the same bits as row-major. */
    double *transposed = malloc(S * T * sizeof(double));
    CHECK(transposed != NULL);
    for (int s = 0; s < S; s++)
        for (int j = 0; j < T; j++)
            transposed[j * S + s] = values[s * T + j];
    batch_result r2;
    batch_alloc(&r2, S, P);
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, years, at, P, 0.95, 1,
                             &r.out, &err) == AP_OK);
    CHECK(ap_trend_fit_batch(transposed, S, T, 1, S, years, at, P, 0.95, 4,
                             &r2.out, &err) == AP_OK);
    CHECK(batch_same(&r, &r2, S, P));
    /* Series reversed (stride -T from the last row) gives the rows in the
     * opposite order. */
    CHECK(ap_trend_fit_batch(values + (S - 1) * T, S, T, -T, 1, years, at, P,
                             0.95, 2, &r2.out, &err) == AP_OK);
    for (int s = 0; s < S; s++) {
        CHECK_EQ_I64(r2.nobs[s], r.nobs[S - 1 - s]);
        CHECK(same_double(r2.slope[s], r.slope[S - 1 - s]));
        CHECK(same_double(r2.pred[4][s * P + 2], r.pred[4][(S - 1 - s) * P + 2]));
    }
    batch_free(&r2);

    /* NaN times drop that column from every series. */
    double gappy_years[T];
    memcpy(gappy_years, years, sizeof years);
    gappy_years[3] = NAN;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, gappy_years, at, P, 0.95, 2,
                             &r.out, &err) == AP_OK);
    check_batch_against_single(values, S, T, T, 1, gappy_years, at, P, 0.95,
                               &r);

    /* Outputs may be left out. */
    ap_trend_batch_out only_slope = {0};
    double slope[S];
    only_slope.slope = slope;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, years, at, P, 0.95, 0,
                             &only_slope, &err) == AP_OK);
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, years, at, P, 0.95, 1,
                             &r.out, &err) == AP_OK);
    for (int s = 0; s < S; s++)
        CHECK(same_double(slope[s], r.slope[s]));
    batch_free(&r);
    free(transposed);
    free(values);
}

TEST(trend_batch_long_series)
{
    /* 100 times: the t table is filled as series need it (past the eager
     * table), with many different degrees of freedom. */
    enum { S = 300, T = 100, P = 2 };
    double *values = malloc(S * T * sizeof(double));
    CHECK(values != NULL);
    random_series(values, S, T, 3, 12);
    double at[P] = {100, 120};
    batch_result r;
    batch_alloc(&r, S, P);
    ap_error err;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, P, 0.99, 4, &r.out,
                             &err) == AP_OK);
    check_batch_against_single(values, S, T, T, 1, NULL, at, P, 0.99, &r);
    batch_free(&r);
    free(values);
}

TEST(trend_batch_threads_equal)
{
    enum { S = 5000, T = 12, P = 4 };
    double *values = malloc(S * T * sizeof(double));
    CHECK(values != NULL);
    random_series(values, S, T, 10, 13);
    double at[P] = {12, 13, 14, -3};
    batch_result one, many;
    batch_alloc(&one, S, P);
    batch_alloc(&many, S, P);
    ap_error err;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, P, 0.95, 1,
                             &one.out, &err) == AP_OK);
    const int threads[] = {0, 2, 3, 4, 7, 8, 100};
    for (int k = 0; k < 7; k++) {
        CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, P, 0.95,
                                 threads[k], &many.out, &err) == AP_OK);
        CHECK(batch_same(&one, &many, S, P));
    }
    batch_free(&one);
    batch_free(&many);
    free(values);
}

TEST(trend_batch_errors)
{
    enum { S = 4000, T = 10 };
    double *values = malloc(S * T * sizeof(double));
    CHECK(values != NULL);
    random_series(values, S, T, 0, 14);
    double at[1] = {10};
    batch_result r;
    batch_alloc(&r, S, 1);
    ap_error err;
    /* The first series with an infinite value is named, whatever the
     * threads. */
    values[3500 * T + 4] = INFINITY;
    values[1234 * T + 7] = -INFINITY;
    values[1234 * T + 8] = INFINITY;
    for (int threads = 1; threads <= 8; threads++) {
        CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, 1, 0.95,
                                 threads, &r.out, &err) == AP_E_INPUT);
        CHECK_CONTAINS(err.message, "series 1234");
        CHECK_CONTAINS(err.message, "position 7");
    }
    values[3500 * T + 4] = values[1234 * T + 7] = values[1234 * T + 8] = 1.0;
    values[9 * T + 1] = 1e300;
    values[9 * T + 2] = -1e300;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, 1, 0.95, 2,
                             &r.out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "series 9");
    CHECK_CONTAINS(err.message, "too large");
    values[9 * T + 1] = values[9 * T + 2] = 1.0;

    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, 1, 1.5, 1,
                             &r.out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "level");
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, 1, 0.95, -1,
                             &r.out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads");
    double times[T];
    for (int j = 0; j < T; j++)
        times[j] = j;
    times[6] = INFINITY;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, times, at, 1, 0.95, 1,
                             &r.out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "time 6 is infinite");
    double bad_at[1] = {-INFINITY};
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, bad_at, 1, 0.95, 1,
                             &r.out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "predict_at[0]");
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, NULL, at, 1, 0.95, 1, NULL,
                             &err) == AP_E_INPUT);
    CHECK(ap_trend_fit_batch(NULL, S, T, T, 1, NULL, at, 1, 0.95, 1, &r.out,
                             &err) == AP_E_INPUT);

    /* Times all the same: no series can be fitted, and that is not an
     * error for a batch. */
    for (int j = 0; j < T; j++)
        times[j] = 2020;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, times, at, 1, 0.95, 2,
                             &r.out, &err) == AP_OK);
    CHECK(isnan(r.slope[0]) && isnan(r.pred[0][S - 1]));
    CHECK_EQ_I64(r.nobs[17], T);
    for (int j = 0; j < T; j++)
        times[j] = 0.1;
    CHECK(ap_trend_fit_batch(values, S, T, T, 1, times, at, 1, 0.95, 2,
                             &r.out, &err) == AP_OK);
    CHECK(isnan(r.slope[0]) && isnan(r.sigma2[S - 1]));
    /* No series at all, and series of fewer than 3 times. */
    CHECK(ap_trend_fit_batch(values, 0, T, T, 1, NULL, at, 1, 0.95, 0,
                             &r.out, &err) == AP_OK);
    CHECK(ap_trend_fit_batch(values, S, 2, T, 1, NULL, at, 1, 0.95, 0,
                             &r.out, &err) == AP_OK);
    CHECK(isnan(r.intercept[S - 1]));
    CHECK_EQ_I64(r.nobs[S - 1], 2);
    batch_free(&r);
    free(values);
}
