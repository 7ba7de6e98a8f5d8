/* Holt's linear exponential smoothing: one series fitted, its forecasts
 * with the ETS(A,A,N) prediction interval, and many series at once.
 *
 * The convention is statsmodels' Holt (checked against 0.15): the state
 * (initial_level, initial_trend) stands just before the first observation,
 * so the first one-step forecast (fittedvalues[0]) is initial_level +
 * initial_trend, and smoothing_trend is the beta* of Holt's form,
 *   trend_t = beta (level_t - level_{t-1}) + (1 - beta) trend_{t-1}.
 * The update is written as statsmodels writes it, alpha y + (1 - alpha)
 * (level + trend), so fixed parameters agree to rounding.  In the ETS form
 * (statsmodels' ETSModel) the same model has smoothing_trend alpha * beta:
 * level_t = f_t + alpha e_t and trend_t = trend_{t-1} + alpha beta e_t.
 *
 * Fitting: for fixed alpha and beta the one-step errors are affine in the
 * initial level and trend (the recursion is linear in the state), so the
 * errors' sensitivities to each are carried alongside the state and the
 * initial values that minimise the sum of squares come from a 2 x 2
 * least-squares solve.  Alpha and beta are then searched on [0, 1]: a grid,
 * a rough Nelder-Mead (kept inside the square) from each of its best few
 * local minima, and the best point refined; for one of them alone, a grid
 * and golden sections.  The search is deterministic: the same series gives
 * the same fit bit for bit, alone or in a batch on any number of threads. */
#include <math.h>
#include <stdlib.h>

#include "apportion/forecast.h"
#include "base/base.h"
#include "base/parallel.h"
#include "platform/platform.h"

/* The observations of one series from the first to the last non-missing
 * value: len values, y[t * stride], nobs of them not NaN. */
typedef struct holt_series {
    const double *y;
    ptrdiff_t stride;
    size_t len;
    int64_t nobs;
} holt_series;

/* Trims values[i * stride], i < n, to its first and last observations.
 * Returns 0, or 1 with *bad the position of the first infinite value. */
static int holt_trim(const double *values, ptrdiff_t stride, size_t n,
                     holt_series *s, size_t *first, size_t *bad)
{
    size_t lo = n, hi = 0;
    int64_t nobs = 0;
    /* Indexed, not a stepped pointer: a pointer stepped past either end of
     * a strided view would be out of range, even unread. */
    for (size_t i = 0; i < n; i++) {
        double v = values[(ptrdiff_t)i * stride];
        if (isnan(v))
            continue;
        if (isinf(v)) {
            *bad = i;
            return 1;
        }
        if (lo == n)
            lo = i;
        hi = i;
        nobs++;
    }
    *first = lo;
    s->stride = stride;
    s->nobs = nobs;
    if (nobs == 0) {
        s->y = values;
        s->len = 0;
    } else {
        s->y = values + (ptrdiff_t)lo * stride;
        s->len = hi - lo + 1;
    }
    return 0;
}

/* Runs the recursion from (level, trend); returns the sum of squared
 * one-step errors and leaves the final state in *level, *trend.  fitted,
 * if not NULL, gets the len one-step forecasts. */
static double holt_run(const holt_series *s, double alpha, double beta,
                       double *level, double *trend, double *fitted)
{
    double alphac = 1.0 - alpha, betac = 1.0 - beta;
    double l = *level, b = *trend, sse = 0.0;
    for (size_t t = 0; t < s->len; t++) {
        double f = l + b, y = s->y[(ptrdiff_t)t * s->stride];
        /* y is read first, so fitted may be the values themselves. */
        if (fitted != NULL)
            fitted[t] = f;
        if (isnan(y)) { /* missing: the state moves on by its trend */
            l = f;
            continue;
        }
        double e = y - f;
        sse += e * e;
        double ln = alpha * y + alphac * f;
        b = beta * (ln - l) + betac * b;
        l = ln;
    }
    *level = l;
    *trend = b;
    return sse;
}

/* What a fit searches: the series, which parameters are fixed and at
 * what, and where the free initial values start (the first forecast then
 * equals the first observation, so the errors the least-squares solve
 * corrects are small and lose no precision to cancellation). */
typedef struct holt_problem {
    holt_series s;
    unsigned fixed;
    ap_holt_params given;
    double base_level, base_trend;
} holt_problem;

static void holt_problem_init(holt_problem *pr, const holt_series *s,
                              unsigned fixed, const ap_holt_params *given)
{
    pr->s = *s;
    pr->fixed = fixed;
    pr->given = *given;
    /* The first two observations, and the steps between them. */
    const double *p = s->y;
    double y1 = *p, y2 = y1;
    size_t gap = 1;
    for (size_t t = 1; t < s->len; t++) {
        double v = p[(ptrdiff_t)t * s->stride];
        if (!isnan(v)) {
            y2 = v;
            gap = t;
            break;
        }
    }
    double b = (fixed & AP_HOLT_FIX_INITIAL_TREND) ? given->initial_trend
                                                    : (y2 - y1) / (double)gap;
    double l = (fixed & AP_HOLT_FIX_INITIAL_LEVEL) ? given->initial_level
                                                    : y1 - b;
    if ((fixed & AP_HOLT_FIX_INITIAL_LEVEL) &&
        !(fixed & AP_HOLT_FIX_INITIAL_TREND))
        b = y1 - l;
    pr->base_level = l;
    pr->base_trend = b;
}

/* The least sum of squared errors over the free initial values for this
 * alpha and beta, and those values.  The forecast is affine in the initial
 * state: f_t = base f_t + u_t dl + v_t db, where (u, v) run the recursion
 * with y = 0 from (1, 0) and (0, 1); the corrections (dl, db) solve the
 * normal equations.  Written in the error-correction form
 *   f_{t+1} = f_t + trend_{t-1} + alpha (1 + beta) e_t,
 *   trend_t = trend_{t-1} + alpha beta e_t,
 * which is the same recursion with a shorter chain of dependent operations
 * per step (this is the search's inner loop); the fit's final figures come
 * from holt_run. */
static double holt_profile(const holt_problem *pr, double alpha, double beta,
                           double *l0, double *b0)
{
    int free_level = !(pr->fixed & AP_HOLT_FIX_INITIAL_LEVEL);
    int free_trend = !(pr->fixed & AP_HOLT_FIX_INITIAL_TREND);
    if (!free_level && !free_trend) {
        double l = pr->base_level, b = pr->base_trend;
        *l0 = l;
        *b0 = b;
        return holt_run(&pr->s, alpha, beta, &l, &b, NULL);
    }
    double ab = alpha * beta, k = alpha + ab;
    /* (forecast, trend) of the base run and of the two sensitivities. */
    double f = pr->base_level + pr->base_trend, b = pr->base_trend;
    double fu = 1.0, bu = 0.0, fv = 1.0, bv = 1.0;
    double suu = 0.0, suv = 0.0, svv = 0.0, sue = 0.0, sve = 0.0, see = 0.0;
    const double *p = pr->s.y;
    ptrdiff_t stride = pr->s.stride;
    for (size_t t = 0; t < pr->s.len; t++) {
        double y = p[(ptrdiff_t)t * stride];
        if (isnan(y)) {
            f += b;
            fu += bu;
            fv += bv;
            continue;
        }
        double e = y - f;
        suu += fu * fu;
        suv += fu * fv;
        svv += fv * fv;
        sue += fu * e;
        sve += fv * e;
        see += e * e;
        f = f + b + k * e;
        b = b + ab * e;
        /* y = 0 for the sensitivities: e = -fu, -fv. */
        double fu1 = fu + bu - k * fu, fv1 = fv + bv - k * fv;
        bu = bu - ab * fu;
        bv = bv - ab * fv;
        fu = fu1;
        fv = fv1;
    }
    double dl = 0.0, db = 0.0;
    if (free_level && free_trend) {
        /* With two observations the map from (l0, b0) to their forecasts
         * has determinant equal to the steps between them, so the system
         * is regular; the guard is for rounding in long series. */
        double det = suu * svv - suv * suv;
        if (det > 1e-14 * suu * svv && isfinite(det)) {
            dl = (svv * sue - suv * sve) / det;
            db = (suu * sve - suv * sue) / det;
        } else if (suu > 0.0) {
            dl = sue / suu;
        }
    } else if (free_level) {
        if (suu > 0.0)
            dl = sue / suu;
    } else if (svv > 0.0) {
        db = sve / svv;
    }
    *l0 = pr->base_level + dl;
    *b0 = pr->base_trend + db;
    double sse = see - dl * sue - db * sve;
    return sse > 0.0 ? sse : 0.0;
}

/* f better than g; NaN is worse than anything. */
static int holt_better(double f, double g)
{
    return f < g || (isnan(g) && !isnan(f));
}

static double clamp01(double x)
{
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

static double holt_objective(const holt_problem *pr, const double x[2])
{
    double l0, b0;
    return holt_profile(pr, x[0], x[1], &l0, &b0);
}

/* The search's grid: finer in alpha near 0, where a small change in alpha
 * moves the sum of squares most (tuned against a 48 x 41 grid with 30
 * starts on 3,000 random series: it finds the same minimum in all but one,
 * in a fifth of the evaluations). */
static const double holt_grid_alpha[] = {0.0, 0.03, 0.07, 0.12, 0.2, 0.3, 0.4,
                                         0.5, 0.6,  0.7,  0.8,  0.9, 1.0};
static const double holt_grid_beta[] = {0.0,   0.125, 0.25,  0.375, 0.5,
                                        0.625, 0.75,  0.875, 1.0};
#define HOLT_NA (sizeof holt_grid_alpha / sizeof holt_grid_alpha[0])
#define HOLT_NB (sizeof holt_grid_beta / sizeof holt_grid_beta[0])
#define HOLT_STARTS 3         /* the grid's best local minima refined */
#define HOLT_GRID_1D 20       /* grid steps when one is searched alone */
#define HOLT_NM_MAX_EVALS 400 /* per Nelder-Mead run */
#define HOLT_NM_RESTARTS 4
#define HOLT_LOOSE_XTOL 1e-2 /* each start, roughly */
#define HOLT_XTOL 1e-7       /* the best, finally: the sum of squares is then
                              * within ~1e-14 of the local minimum's */

/* Nelder-Mead in the unit square, from the simplex x[0..2] with values
 * f[0..2], until the simplex is smaller than xtol; points outside are
 * moved onto the nearest edge.  Leaves the best vertex in x[0], f[0]. */
static void holt_nelder_mead(const holt_problem *pr, double x[3][2],
                             double f[3], double xtol)
{
    for (int evals = 0; evals < HOLT_NM_MAX_EVALS;) {
        /* Order best to worst (ties keep their order: deterministic). */
        for (int i = 1; i < 3; i++)
            for (int j = i; j > 0 && holt_better(f[j], f[j - 1]); j--) {
                double tf = f[j];
                f[j] = f[j - 1];
                f[j - 1] = tf;
                for (int k = 0; k < 2; k++) {
                    double tx = x[j][k];
                    x[j][k] = x[j - 1][k];
                    x[j - 1][k] = tx;
                }
            }
        double size = 0.0;
        for (int i = 1; i < 3; i++)
            for (int k = 0; k < 2; k++) {
                double d = fabs(x[i][k] - x[0][k]);
                size = d > size ? d : size;
            }
        if (size <= xtol)
            break;
        double c[2], xr[2], fr;
        for (int k = 0; k < 2; k++) {
            c[k] = 0.5 * (x[0][k] + x[1][k]);
            xr[k] = clamp01(2.0 * c[k] - x[2][k]);
        }
        fr = holt_objective(pr, xr);
        evals++;
        if (holt_better(fr, f[0])) { /* reflected: try expanding */
            double xe[2], fe;
            for (int k = 0; k < 2; k++)
                xe[k] = clamp01(3.0 * c[k] - 2.0 * x[2][k]);
            fe = holt_objective(pr, xe);
            evals++;
            int take_e = holt_better(fe, fr);
            for (int k = 0; k < 2; k++)
                x[2][k] = take_e ? xe[k] : xr[k];
            f[2] = take_e ? fe : fr;
        } else if (holt_better(fr, f[1])) {
            x[2][0] = xr[0];
            x[2][1] = xr[1];
            f[2] = fr;
        } else {
            /* Contract towards the centroid, outside or inside. */
            int outside = holt_better(fr, f[2]);
            double xc[2], fc;
            for (int k = 0; k < 2; k++)
                xc[k] = outside ? 0.5 * (c[k] + xr[k])
                                : 0.5 * (c[k] + x[2][k]);
            fc = holt_objective(pr, xc);
            evals++;
            if (holt_better(fc, outside ? fr : f[2])) {
                x[2][0] = xc[0];
                x[2][1] = xc[1];
                f[2] = fc;
            } else { /* shrink towards the best */
                for (int i = 1; i < 3; i++) {
                    for (int k = 0; k < 2; k++)
                        x[i][k] = 0.5 * (x[0][k] + x[i][k]);
                    f[i] = holt_objective(pr, x[i]);
                    evals++;
                }
            }
        }
    }
    int best = 0;
    for (int i = 1; i < 3; i++)
        if (holt_better(f[i], f[best]))
            best = i;
    if (best != 0) {
        f[0] = f[best];
        x[0][0] = x[best][0];
        x[0][1] = x[best][1];
    }
}

/* Nelder-Mead from `at` (value *fat) with a simplex of side h, turned
 * inwards at an edge; then, if restarts > 1, again from where it stopped
 * with a fresh simplex (which frees one collapsed against an edge) while
 * that still improves.  Leaves the best point in at, *fat. */
static void holt_refine_2d(const holt_problem *pr, double at[2], double *fat,
                           double h, double xtol, int restarts)
{
    for (int r = 0; r < restarts; r++) {
        double x[3][2], f[3];
        for (int i = 0; i < 3; i++) {
            x[i][0] = at[0];
            x[i][1] = at[1];
        }
        f[0] = *fat;
        for (int k = 0; k < 2; k++) {
            x[k + 1][k] = at[k] + h <= 1.0 ? at[k] + h : at[k] - h;
            f[k + 1] = holt_objective(pr, x[k + 1]);
        }
        holt_nelder_mead(pr, x, f, xtol);
        int improved = holt_better(f[0], *fat);
        if (improved) {
            *fat = f[0];
            at[0] = x[0][0];
            at[1] = x[0][1];
        }
        if (!improved && r > 0)
            break;
        h = 0.01;
    }
}

/* Both alpha and beta searched: the grid; a rough Nelder-Mead from each of
 * its best few local minima (a surface with two basins is common: one at
 * beta = 1 with a small alpha); then the best point refined finely. */
static void holt_search_2d(const holt_problem *pr, double best[2])
{
    double g[HOLT_NA][HOLT_NB];
    for (size_t i = 0; i < HOLT_NA; i++)
        for (size_t j = 0; j < HOLT_NB; j++) {
            double x[2] = {holt_grid_alpha[i], holt_grid_beta[j]};
            g[i][j] = holt_objective(pr, x);
        }
    /* The local minima (no neighbour better), best first; ties in grid
     * order.  A flat surface has many: the first few are enough. */
    size_t si[HOLT_STARTS] = {0}, sj[HOLT_STARTS] = {0}, ns = 0;
    for (size_t i = 0; i < HOLT_NA; i++)
        for (size_t j = 0; j < HOLT_NB; j++) {
            int local = 1;
            for (size_t a = i > 0 ? i - 1 : 0; a <= i + 1 && a < HOLT_NA; a++)
                for (size_t b = j > 0 ? j - 1 : 0; b <= j + 1 && b < HOLT_NB;
                     b++)
                    if (holt_better(g[a][b], g[i][j]))
                        local = 0;
            if (!local)
                continue;
            size_t k = ns;
            if (ns < HOLT_STARTS)
                ns++;
            else if (holt_better(g[i][j], g[si[ns - 1]][sj[ns - 1]]))
                k = ns - 1;
            else
                continue;
            for (; k > 0 && holt_better(g[i][j], g[si[k - 1]][sj[k - 1]]);
                 k--) {
                si[k] = si[k - 1];
                sj[k] = sj[k - 1];
            }
            si[k] = i;
            sj[k] = j;
        }
    /* There is always one: the grid's best point has no better neighbour. */
    double fbest = NAN;
    for (size_t k = 0; k < ns; k++) {
        double x[2] = {holt_grid_alpha[si[k]], holt_grid_beta[sj[k]]};
        double fx = g[si[k]][sj[k]];
        holt_refine_2d(pr, x, &fx, 0.05, HOLT_LOOSE_XTOL, 1);
        if (k == 0 || holt_better(fx, fbest)) {
            fbest = fx;
            best[0] = x[0];
            best[1] = x[1];
        }
    }
    holt_refine_2d(pr, best, &fbest, 0.01, HOLT_XTOL, HOLT_NM_RESTARTS);
}

/* One of alpha (k = 0) and beta (k = 1) searched, the other fixed at
 * x[1 - k]: the grid, then golden sections on the bracket either side of
 * its best point. */
static void holt_search_1d(const holt_problem *pr, double x[2], int k)
{
    double fbest = NAN, xbest = 0.0;
    for (int i = 0; i <= HOLT_GRID_1D; i++) {
        x[k] = (double)i / HOLT_GRID_1D;
        double fx = holt_objective(pr, x);
        if (i == 0 || holt_better(fx, fbest)) {
            fbest = fx;
            xbest = x[k];
        }
    }
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double lo = xbest - 1.0 / HOLT_GRID_1D, hi = xbest + 1.0 / HOLT_GRID_1D;
    lo = lo < 0.0 ? 0.0 : lo;
    hi = hi > 1.0 ? 1.0 : hi;
    double p = hi - g * (hi - lo), q = lo + g * (hi - lo), fp, fq;
    x[k] = p;
    fp = holt_objective(pr, x);
    x[k] = q;
    fq = holt_objective(pr, x);
    while (hi - lo > HOLT_XTOL) {
        if (holt_better(fp, fq)) {
            hi = q;
            q = p;
            fq = fp;
            p = hi - g * (hi - lo);
            x[k] = p;
            fp = holt_objective(pr, x);
        } else {
            lo = p;
            p = q;
            fp = fq;
            q = lo + g * (hi - lo);
            x[k] = q;
            fq = holt_objective(pr, x);
        }
    }
    /* The bracket's ends were the grid's neighbours, not evaluated here. */
    if (holt_better(fp, fbest)) {
        fbest = fp;
        xbest = p;
    }
    if (holt_better(fq, fbest))
        xbest = q;
    x[k] = xbest;
}

/* Fits a trimmed series with at least two observations (parameters
 * already checked); fitted, if not NULL, gets its s->len forecasts. */
static void holt_fit_trimmed(const holt_series *s, unsigned fixed,
                             const ap_holt_params *given, ap_holt_fit *fit,
                             double *fitted)
{
    holt_problem pr;
    holt_problem_init(&pr, s, fixed, given);
    double x[2] = {given->alpha, given->beta};
    int free_alpha = !(fixed & AP_HOLT_FIX_ALPHA);
    int free_beta = !(fixed & AP_HOLT_FIX_BETA);
    if (free_alpha && free_beta)
        holt_search_2d(&pr, x);
    else if (free_alpha)
        holt_search_1d(&pr, x, 0);
    else if (free_beta)
        holt_search_1d(&pr, x, 1);
    double l0, b0;
    holt_profile(&pr, x[0], x[1], &l0, &b0);
    double level = l0, trend = b0;
    double sse = holt_run(s, x[0], x[1], &level, &trend, fitted);
    fit->params.alpha = x[0];
    fit->params.beta = x[1];
    fit->params.initial_level = l0;
    fit->params.initial_trend = b0;
    fit->nobs = s->nobs;
    fit->sse = sse;
    fit->sigma2 = sse / (double)s->nobs;
    fit->level = level;
    fit->trend = trend;
    fit->trailing = 0;
}

/* The fixed parameters' values are usable; given may be NULL only when
 * nothing is fixed. */
static ap_status holt_check_given(unsigned fixed, const ap_holt_params *given,
                                  ap_error *err)
{
    if (fixed & ~(unsigned)AP_HOLT_FIX_ALL)
        return ap_error_set(err, AP_E_INPUT,
                            "fixed must combine the AP_HOLT_FIX_* flags "
                            "(0 to 15), not %u",
                            fixed);
    if (fixed != 0 && given == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "parameters are fixed but none are given");
    if ((fixed & AP_HOLT_FIX_ALPHA) &&
        !(given->alpha >= 0.0 && given->alpha <= 1.0))
        return ap_error_set(err, AP_E_INPUT,
                            "alpha (smoothing_level) must be between 0 and "
                            "1, not %g",
                            given->alpha);
    if ((fixed & AP_HOLT_FIX_BETA) &&
        !(given->beta >= 0.0 && given->beta <= 1.0))
        return ap_error_set(err, AP_E_INPUT,
                            "beta (smoothing_trend) must be between 0 and "
                            "1, not %g",
                            given->beta);
    if ((fixed & AP_HOLT_FIX_INITIAL_LEVEL) && !isfinite(given->initial_level))
        return ap_error_set(err, AP_E_INPUT,
                            "initial_level must be a finite number, not %g",
                            given->initial_level);
    if ((fixed & AP_HOLT_FIX_INITIAL_TREND) && !isfinite(given->initial_trend))
        return ap_error_set(err, AP_E_INPUT,
                            "initial_trend must be a finite number, not %g",
                            given->initial_trend);
    return AP_OK;
}

/* The given parameters with the unfixed ones zeroed (given may be NULL). */
static ap_holt_params holt_given_or_zero(unsigned fixed,
                                         const ap_holt_params *given)
{
    ap_holt_params p = {0.0, 0.0, 0.0, 0.0};
    if (given == NULL)
        return p;
    if (fixed & AP_HOLT_FIX_ALPHA)
        p.alpha = given->alpha;
    if (fixed & AP_HOLT_FIX_BETA)
        p.beta = given->beta;
    if (fixed & AP_HOLT_FIX_INITIAL_LEVEL)
        p.initial_level = given->initial_level;
    if (fixed & AP_HOLT_FIX_INITIAL_TREND)
        p.initial_trend = given->initial_trend;
    return p;
}

ap_status ap_holt_fit_series(const double *values, ptrdiff_t stride,
                             size_t n, unsigned fixed,
                             const ap_holt_params *given, ap_holt_fit *fit,
                             double *fitted, ap_error *err)
{
    if (fit == NULL)
        return ap_error_set(err, AP_E_INPUT, "no fit to write");
    if (n > 0 && values == NULL)
        return ap_error_set(err, AP_E_INPUT, "no values for %zu times", n);
    ap_status st = holt_check_given(fixed, given, err);
    if (st != AP_OK)
        return st;
    ap_holt_params g = holt_given_or_zero(fixed, given);
    holt_series s;
    size_t first, bad;
    if (holt_trim(values, stride, n, &s, &first, &bad) != 0)
        return ap_error_set(err, AP_E_INPUT,
                            "value %zu (counting from 0) is infinite; "
                            "missing values are NaN",
                            bad);
    if (s.nobs < 2)
        return ap_error_set(err, AP_E_INPUT,
                            "Holt's method needs at least 2 observations; "
                            "the series has %lld",
                            (long long)s.nobs);
    holt_fit_trimmed(&s, fixed, &g, fit, fitted != NULL ? fitted + first
                                                        : NULL);
    fit->trailing = (int64_t)(n - (first + s.len));
    if (fitted != NULL) {
        for (size_t i = 0; i < first; i++)
            fitted[i] = NAN;
        for (size_t i = first + s.len; i < n; i++)
            fitted[i] = NAN;
    }
    return AP_OK;
}

/* The forecasts with the interval's normal quantile z already worked out
 * (unused when lower and upper are NULL). */
static void holt_forecast_z(const ap_holt_fit *fit, size_t horizon, double z,
                            double *mean, double *lower, double *upper)
{
    double alpha = fit->params.alpha, beta = fit->params.beta;
    /* Steps from the last observation: the trailing missing values are
     * steps the state has already moved on without an update. */
    size_t gap = fit->trailing > 0 ? (size_t)fit->trailing : 0;
    double sum = 0.0; /* sum_{j=1}^{k-1} alpha^2 (1 + beta j)^2 */
    int intervals = lower != NULL || upper != NULL;
    if (intervals)
        for (size_t j = 1; j <= gap; j++) {
            double c = alpha * (1.0 + beta * (double)j);
            sum += c * c;
        }
    for (size_t h = 1; h <= horizon; h++) {
        size_t k = gap + h;
        double m = fit->level + (double)k * fit->trend;
        if (mean != NULL)
            mean[h - 1] = m;
        if (intervals) {
            double half = z * sqrt(fit->sigma2 * (1.0 + sum));
            if (lower != NULL)
                lower[h - 1] = m - half;
            if (upper != NULL)
                upper[h - 1] = m + half;
            double c = alpha * (1.0 + beta * (double)k);
            sum += c * c;
        }
    }
}

static ap_status holt_interval_z(double level_ci, double *z, ap_error *err)
{
    if (!(level_ci > 0.0 && level_ci < 1.0))
        return ap_error_set(err, AP_E_INPUT,
                            "the interval's level must be between 0 and 1 "
                            "(say 0.95), not %g",
                            level_ci);
    *z = ap_student_t_quantile(0.5 + 0.5 * level_ci, INFINITY);
    return AP_OK;
}

ap_status ap_holt_forecast(const ap_holt_fit *fit, size_t horizon,
                           double level_ci, double *mean, double *lower,
                           double *upper, ap_error *err)
{
    if (fit == NULL)
        return ap_error_set(err, AP_E_INPUT, "no fit to forecast from");
    if (horizon > 0 && mean == NULL && lower == NULL && upper == NULL)
        return ap_error_set(err, AP_E_INPUT, "no room for the forecasts");
    double z = NAN;
    if (lower != NULL || upper != NULL) {
        ap_status st = holt_interval_z(level_ci, &z, err);
        if (st != AP_OK)
            return st;
    }
    holt_forecast_z(fit, horizon, z, mean, lower, upper);
    return AP_OK;
}

/* ---- many series ------------------------------------------------------- */

/* Fewer series than this to a chunk are not worth a thread. */
#define HOLT_MIN_SERIES_PER_CHUNK 64

typedef struct holt_batch_job {
    const double *values;
    size_t n_times, horizon;
    ptrdiff_t series_stride, time_stride;
    unsigned fixed;
    ap_holt_params given;
    double z;
    const ap_holt_batch_out *out;
    /* Where the infinite value is in each chunk's first series that has
     * one (the series is what ap__parallel_run_checked returns). */
    size_t bad_time[AP__MAX_THREADS];
} holt_batch_job;

static size_t holt_batch_chunk(void *ctx, size_t chunk, size_t from,
                               size_t to)
{
    holt_batch_job *job = ctx;
    const ap_holt_batch_out *out = job->out;
    size_t H = job->horizon;
    for (size_t i = from; i < to; i++) {
        const double *row =
            job->n_times > 0 ? job->values + (ptrdiff_t)i * job->series_stride
                             : job->values;
        holt_series s;
        size_t first, bad;
        if (holt_trim(row, job->time_stride, job->n_times, &s, &first,
                      &bad) != 0) {
            job->bad_time[chunk] = bad;
            return i;
        }
        if (out->nobs != NULL)
            out->nobs[i] = s.nobs;
        if (s.nobs < 2) {
            for (size_t h = 0; h < H; h++) {
                ap__put(out->mean, i * H + h, NAN);
                ap__put(out->lower, i * H + h, NAN);
                ap__put(out->upper, i * H + h, NAN);
            }
            ap__put(out->alpha, i, NAN);
            ap__put(out->beta, i, NAN);
            ap__put(out->initial_level, i, NAN);
            ap__put(out->initial_trend, i, NAN);
            ap__put(out->sse, i, NAN);
            continue;
        }
        ap_holt_fit fit;
        holt_fit_trimmed(&s, job->fixed, &job->given, &fit, NULL);
        fit.trailing = (int64_t)(job->n_times - (first + s.len));
        holt_forecast_z(&fit, H, job->z,
                        out->mean != NULL ? out->mean + i * H : NULL,
                        out->lower != NULL ? out->lower + i * H : NULL,
                        out->upper != NULL ? out->upper + i * H : NULL);
        ap__put(out->alpha, i, fit.params.alpha);
        ap__put(out->beta, i, fit.params.beta);
        ap__put(out->initial_level, i, fit.params.initial_level);
        ap__put(out->initial_trend, i, fit.params.initial_trend);
        ap__put(out->sse, i, fit.sse);
    }
    return AP__NO_FAULT;
}

ap_status ap_holt_fit_batch(const double *values, size_t n_series,
                            size_t n_times, ptrdiff_t series_stride,
                            ptrdiff_t time_stride, unsigned fixed,
                            const ap_holt_params *given, size_t horizon,
                            double level_ci, int threads,
                            const ap_holt_batch_out *out, ap_error *err)
{
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "no outputs to write");
    if (ap__check_threads(threads, err) != AP_OK)
        return AP_E_INPUT;
    if (n_series > 0 && n_times > 0 && values == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no values for %zu series of %zu times", n_series,
                            n_times);
    size_t cells;
    if (ap__mul_overflow_size(n_series, horizon, &cells))
        return ap_error_set(err, AP_E_INPUT,
                            "%zu series by a horizon of %zu is too many "
                            "forecasts",
                            n_series, horizon);
    ap_status st = holt_check_given(fixed, given, err);
    if (st != AP_OK)
        return st;
    holt_batch_job job = {0};
    job.values = values;
    job.n_times = n_times;
    job.horizon = horizon;
    job.series_stride = series_stride;
    job.time_stride = time_stride;
    job.fixed = fixed;
    job.given = holt_given_or_zero(fixed, given);
    job.z = NAN;
    job.out = out;
    if (horizon > 0 && (out->lower != NULL || out->upper != NULL)) {
        st = holt_interval_z(level_ci, &job.z, err);
        if (st != AP_OK)
            return st;
    }
    if (n_series == 0)
        return AP_OK;
    size_t chunks =
        ap__batch_chunks(threads, n_series, HOLT_MIN_SERIES_PER_CHUNK);
    size_t c = 0;
    size_t bad = ap__parallel_run_checked(n_series, chunks, holt_batch_chunk,
                                          &job, &c);
    if (bad != AP__NO_FAULT)
        return ap_error_set(err, AP_E_INPUT,
                            "series %zu: value %zu (counting from 0) is "
                            "infinite; missing values are NaN",
                            bad, job.bad_time[c]);
    return AP_OK;
}
