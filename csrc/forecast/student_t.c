/* Student's t distribution: the cdf through the regularized incomplete beta
 * function, and the quantile by Newton's method from a close start.
 *
 * With x = df / (df + t^2) and a = df / 2,
 *     P(T > |t|)     = I_x(a, 1/2) / 2        (the tail)
 *     P(0 < T < |t|) = I_{1-x}(1/2, a) / 2    (the centre)
 * and each of the two is computed directly by the continued fraction of
 * the incomplete beta function on the side where that converges fast;
 * the other is 1/2 minus it, where the cancellation costs at most a few
 * bits.  Working with the smaller of the two keeps full relative precision
 * in the far tails (p = 1e-300) and next to the median (p = 0.5 + 1e-15).
 *
 * For large df (above 100) the tail's continued fraction needs many terms
 * and loses digits, so the tail comes from an expansion of I_x(a, 1/2) in
 * incomplete gamma functions instead (see tail_large_df). */
#include <float.h>
#include <math.h>

#include "apportion/forecast.h"

#define LOG_PI 1.1447298858494001741   /* log(pi) */
#define LOG_2 0.69314718055994530942    /* log(2): M_LN2, which C11 lacks */
#define PI 3.14159265358979323846
#define SQRT_HALF 0.70710678118654752440

/* Above this many degrees of freedom t is the normal to within 1e-17 of
 * the quantile (the first correction is z(z^2 + 1) / (4 df)) for every
 * representable tail (|z| <= 38). */
#define NORMAL_DF 1e20

/* From this a = df / 2 the tail comes from tail_large_df. */
#define LARGE_A 50.0

#define CF_MAX_TERMS 100000

/* ---- the normal distribution ---------------------------------------- */

/* The standard normal quantile, Wichura's algorithm AS 241 (PPND16), good
 * to about 1e-16 relative; 0 < p < 1. */
static double normal_quantile(double p)
{
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        double num = ((((((2509.0809287301226727 * r +
                           33430.575583588128105) * r +
                          67265.770927008700853) * r +
                         45921.953931549871457) * r +
                        13731.693765509461125) * r +
                       1971.5909503065514427) * r +
                      133.14166789178437745) * r +
                     3.387132872796366608;
        double den = ((((((5226.495278852545925 * r +
                           28729.085735721942674) * r +
                          39307.89580009271061) * r +
                         21213.794301586595867) * r +
                        5394.1960214247511077) * r +
                       687.1870074920579083) * r +
                      42.313330701600911252) * r +
                     1.0;
        return q * num / den;
    }
    double r = q < 0 ? p : 1.0 - p;
    r = sqrt(-log(r));
    double z;
    if (r <= 5.0) {
        r -= 1.6;
        double num = ((((((7.7454501427834140764e-4 * r +
                           0.0227238449892691845833) * r +
                          0.24178072517745061177) * r +
                         1.27045825245236838258) * r +
                        3.64784832476320460504) * r +
                       5.7694972214606914055) * r +
                      4.6303378461565452959) * r +
                     1.42343711074968357734;
        double den = ((((((1.05075007164441684324e-9 * r +
                           5.475938084995344946e-4) * r +
                          0.0151986665636164571966) * r +
                         0.14810397642748007459) * r +
                        0.68976733498510000455) * r +
                       1.6763848301838038494) * r +
                      2.05319162663775882187) * r +
                     1.0;
        z = num / den;
    } else {
        r -= 5.0;
        double num = ((((((2.01033439929228813265e-7 * r +
                           2.71155556874348757815e-5) * r +
                          0.0012426609473880784386) * r +
                         0.026532189526576123093) * r +
                        0.29656057182850489123) * r +
                       1.7848265399172913358) * r +
                      5.4637849111641143699) * r +
                     6.6579046435011037772;
        double den = ((((((2.04426310338993978564e-15 * r +
                           1.4215117583164458887e-7) * r +
                          1.8463183175100546818e-5) * r +
                         7.868691311456132591e-4) * r +
                        0.0148753612908506148525) * r +
                       0.13692988092273580531) * r +
                      0.59983220655588793769) * r +
                     1.0;
        z = num / den;
    }
    return q < 0 ? -z : z;
}

/* P(Z <= z) for the standard normal. */
static double normal_cdf(double z)
{
    return 0.5 * erfc(-z * SQRT_HALF);
}

/* ---- the Cornish-Fisher series ------------------------------------ */

/* t as a series in 1/df about the normal quantile z (Abramowitz and
 * Stegun 26.7.5): a starting value for the quantile. */
static double cornish_fisher(double z, double df)
{
    double z2 = z * z, v = 1.0 / df;
    double g1 = (z2 + 1.0) / 4.0;
    double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 -
                 945.0) / 92160.0;
    return z + z * v * (g1 + v * (g2 + v * (g3 + v * g4)));
}

/* ---- the incomplete beta function ----------------------------------- */

/* Stirling's correction lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2)
 * for z >= 10: its series in 1/z (the Bernoulli numbers' B_2k / (2k (2k-1)))
 * is below 1e-17 after eight terms there. */
static double stirling_correction(double z)
{
    double r = 1.0 / z, r2 = r * r;
    return r * (1.0 / 12 -
                r2 * (1.0 / 360 -
                      r2 * (1.0 / 1260 -
                            r2 * (1.0 / 1680 -
                                  r2 * (1.0 / 1188 -
                                        r2 * (691.0 / 360360 -
                                              r2 * (1.0 / 156 -
                                                    r2 * 3617.0 /
                                                        122400)))))));
}

/* log(Gamma(a + 1/2) / Gamma(a)) for a > 0.  For a >= 10 from Stirling's
 * series written as a difference, so that nothing large cancels (lgamma
 * of 5e5 is 6e6, and its last bits would cost 1e-10 of the answer). */
static double log_gamma_ratio_half(double a)
{
    if (a < 10.0)
        return lgamma(a + 0.5) - lgamma(a);
    return 0.5 * log(a) + (a * log1p(0.5 / a) - 0.5) +
           (stirling_correction(a + 0.5) - stirling_correction(a));
}

/* Keeps the Lentz method's denominators away from 0. */
#define LENTZ_TINY 1e-300

/* One step of the modified Lentz method with the next coefficient: updates
 * its two running ratios c and d and returns the factor the fraction's
 * value is multiplied by. */
static inline double lentz_step(double coef, double *c, double *d)
{
    double dn = 1.0 + coef * *d;
    if (fabs(dn) < LENTZ_TINY)
        dn = LENTZ_TINY;
    double cn = 1.0 + coef / *c;
    if (fabs(cn) < LENTZ_TINY)
        cn = LENTZ_TINY;
    *d = 1.0 / dn;
    *c = cn;
    return *d * cn;
}

/* The continued fraction of I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * cf,
 * evaluated by the modified Lentz method; converges quickly for
 * x < (a + 1) / (a + b + 2). */
static double beta_continued_fraction(double a, double b, double x)
{
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < LENTZ_TINY)
        d = LENTZ_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= CF_MAX_TERMS; m++) {
        double m2 = 2.0 * m;
        /* The even term m (b - m) x / ((a + 2m - 1)(a + 2m)). */
        h *= lentz_step(m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)), &c,
                        &d);
        /* The odd term -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)). */
        double delta = lentz_step(
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)), &c, &d);
        h *= delta;
        if (fabs(delta - 1.0) <= 1e-16)
            break;
    }
    return h;
}

/* ---- the t distribution for finite df ------------------------------- */

/* log x and log(1 - x) for x = df / (df + t^2), without forming 1 - x. */
static void beta_arguments(double t, double df, double *x, double *y,
                           double *log_x, double *log_y)
{
    double at = fabs(t);
    if (at * at <= df) {
        double s = at * at / df; /* t^2 / df <= 1 */
        /* When s underflows its logarithm still comes from the logs. */
        double log_s = s > 1e-290 ? log(s) : 2.0 * log(at) - log(df);
        *x = 1.0 / (1.0 + s);
        *y = s / (1.0 + s);
        *log_x = -log1p(s);
        *log_y = log_s - log1p(s);
    } else {
        double r = df / at / at; /* df / t^2 < 1 */
        /* When r underflows its logarithm still comes from the logs. */
        double log_r = r > 1e-290 ? log(r) : log(df) - 2.0 * log(at);
        *x = r / (1.0 + r);
        *y = 1.0 / (1.0 + r);
        *log_x = log_r - log1p(r);
        *log_y = -log1p(r);
    }
}

/* The coefficients of (sinh(w/2) / (w/2))^(-1/2) in powers of w^2:
 * 1, -1/48, 1/2560, -61/7741440, ... (worked out exactly in rationals by
 * raising the series of sinh(y)/y to the power -1/2); they fall by about
 * (2 pi)^2 each. */
static const double SINH_HALF_POWER[] = {
    1.0,
    -0.020833333333333332,
    0.000390625,
    -7.879670965608466e-06,
    1.6967665791721782e-07,
    -3.805064191721906e-09,
    8.748377596315407e-11,
    -2.044523359411974e-12,
    4.833351797967704e-14,
    -1.152434101767386e-15,
    2.76605204359937e-17,
    -6.67428195089166e-19,
    1.61745507718158e-20,
    -3.93397792009138e-22,
    9.597634062586047e-24,
    -2.347690291162632e-25,
    5.7558703875442666e-27,
    -1.414008810826549e-28,
    3.479869365059028e-30,
    -8.577466165340376e-32,
    2.1172351041679865e-33,
};
#define N_SINH_HALF_POWER \
    (sizeof SINH_HALF_POWER / sizeof SINH_HALF_POWER[0])

/* P(T > |t|) = I_x(a, 1/2) / 2 for large a, with w0 = -log x <= 2.
 * Putting s = exp(-w) in the integral of I_x, with T = a - 1/4,
 *   B(a, 1/2) I_x(a, 1/2) = int_{w0}^inf exp(-T w) w^(-1/2)
 *                                 (sinh(w/2) / (w/2))^(-1/2) dw
 * and the last factor, expanded in w^2, integrates term by term to upper
 * incomplete gamma functions Gamma(1/2 + 2k, T w0) / T^(1/2 + 2k), which
 * follow from Gamma(1/2, u) = sqrt(pi) erfc(sqrt(u)) by the recurrence
 * Gamma(s + 1, u) = s Gamma(s, u) + u^s exp(-u).  The terms fall at least
 * as fast as (w0 / 2 pi)^2k and (2k)! / (2 pi T)^2k. */
static double tail_large_df(double a, double w0)
{
    double T = a - 0.25, u = T * w0;
    /* g(s) = Gamma(s, u) / (sqrt(pi) T^(s - 1/2)), so that
     * g(s + 1) = (s / T) g(s) + w0^s exp(-u) / sqrt(pi T). */
    double lead = exp(-u) / sqrt(PI * T);
    double w0_power = sqrt(w0); /* w0^s */
    double g = erfc(sqrt(u)), s = 0.5, sum = g;
    for (size_t k = 1; k < N_SINH_HALF_POWER; k++) {
        for (int step = 0; step < 2; step++) {
            g = (s / T) * g + w0_power * lead;
            w0_power *= w0;
            s += 1.0;
        }
        double term = SINH_HALF_POWER[k] * g;
        sum += term;
        if (fabs(term) <= 1e-17 * sum)
            break;
    }
    /* 1 / B(a, 1/2) = Gamma(a + 1/2) / (Gamma(a) sqrt(pi)), and the
     * sqrt(pi) of Gamma(1/2, u) cancels it. */
    return 0.5 * exp(log_gamma_ratio_half(a)) / sqrt(T) * sum;
}

/* P(T > |t|) in *tail and P(0 < T < |t|) in *centre, each to full
 * relative precision; finite df > 0 up to NORMAL_DF. */
static void t_split(double t, double df, double *tail, double *centre)
{
    if (t == 0.0) {
        *tail = 0.5;
        *centre = 0.0;
        return;
    }
    if (isinf(t)) {
        *tail = 0.0;
        *centre = 0.5;
        return;
    }
    double a = 0.5 * df, x, y, log_x, log_y;
    beta_arguments(t, df, &x, &y, &log_x, &log_y);
    /* The continued fraction of I_x(a, 1/2) converges fast for
     * x < (a + 1) / (a + 2.5), that is for 1 - x = y > 1.5 / (a + 2.5),
     * and that of I_y(1/2, a) on the other side. */
    if (y * (a + 2.5) > 1.5) {
        if (a >= LARGE_A && -log_x <= 2.0) {
            *tail = tail_large_df(a, -log_x);
        } else {
            /* log(1 / B(a, 1/2)) = log(Gamma(a + 1/2) / Gamma(a)) -
             * log(pi) / 2 */
            double f = exp(a * log_x + 0.5 * log_y +
                           log_gamma_ratio_half(a) - 0.5 * LOG_PI - log(a));
            *tail = f == 0.0 ? 0.0
                             : 0.5 * f * beta_continued_fraction(a, 0.5, x);
        }
        *centre = 0.5 - *tail;
    } else {
        /* The prefactor y^(1/2) x^a / ((1/2) B(1/2, a)). */
        double f = exp(a * log_x + 0.5 * log_y + log_gamma_ratio_half(a) -
                       0.5 * LOG_PI + LOG_2);
        *centre = 0.5 * f * beta_continued_fraction(0.5, a, y);
        *tail = 0.5 - *centre;
    }
}

/* The density of t with df degrees of freedom (finite, up to NORMAL_DF). */
static double t_density(double t, double df)
{
    double at = fabs(t), log_kernel;
    if (at * at <= df)
        log_kernel = -0.5 * (df + 1.0) * log1p(at * at / df);
    else
        log_kernel = -0.5 * (df + 1.0) *
                     (2.0 * log(at) - log(df) + log1p(df / at / at));
    return exp(log_gamma_ratio_half(0.5 * df) - 0.5 * (log(df) + LOG_PI) +
               log_kernel);
}

double ap_student_t_cdf(double t, double df)
{
    if (isnan(t) || isnan(df) || df <= 0.0)
        return NAN;
    if (df > NORMAL_DF)
        return normal_cdf(t);
    double tail, centre;
    t_split(t, df, &tail, &centre);
    return t < 0 ? tail : 0.5 + centre;
}

/* ---- the quantile --------------------------------------------------- */

/* |t| with P(T > |t|) = q, 0 < q < 1/4: Newton's method on log P(T > e^u)
 * as a function of u = log t.  Its slope falls from 0 to -df and in the
 * tail it is nearly straight, so from a start this close Newton's method
 * takes a few steps (two or three for df >= 8, at most about 30 for
 * df = 0.01); a step past the largest double is taken back. */
static double tail_quantile(double q, double df)
{
    double beyond, centre_unused;
    t_split(DBL_MAX, df, &beyond, &centre_unused);
    if (beyond > q) /* the quantile is past the largest double */
        return INFINITY;
    double log_q = log(q);
    /* Two starts: the Cornish-Fisher series about the normal quantile
     * (good while z^2 / df is small), and the leading term of the tail,
     * q = x^a / (2 a B(a, 1/2)) with x = df / (df + t^2).  Keep the one
     * whose tail is nearer q. */
    double z = -normal_quantile(q);
    double start_cf = cornish_fisher(z, df);
    double a = 0.5 * df;
    double log_x = (log(2.0 * q * a) - log_gamma_ratio_half(a) +
                    0.5 * LOG_PI) / a;
    double start_tail = log_x < -1e-3
                            ? sqrt(df) * exp(-0.5 * log_x) *
                                  sqrt(-expm1(log_x))
                            : start_cf;
    double best = start_cf, best_miss = INFINITY;
    const double starts[2] = {start_cf, start_tail};
    for (int k = 0; k < 2; k++) {
        double s = starts[k];
        if (!(s > 0.0) || isinf(s))
            continue;
        double tail, centre;
        t_split(s, df, &tail, &centre);
        double miss = tail > 0.0 ? fabs(log(tail) - log_q) : INFINITY;
        if (miss < best_miss) {
            best_miss = miss;
            best = s;
        }
    }
    if (!(best > 0.0) || isinf(best))
        best = 1.0;
    double u = log(best), last_step = INFINITY;
    for (int i = 0; i < 200; i++) {
        double t = exp(u), tail, centre;
        t_split(t, df, &tail, &centre);
        if (tail == 0.0) { /* far past the root: step back */
            u -= 0.5 * fabs(u) + 1.0;
            continue;
        }
        double f = t_density(t, df);
        double slope = -t * f / tail; /* d log tail / du */
        double step = (log(tail) - log_q) / slope;
        if (!isfinite(step))
            break;
        u -= step;
        /* Done when the step is at rounding level, or has stopped
         * shrinking near the root (the noise of the cdf). */
        double scale = fabs(u) > 1.0 ? fabs(u) : 1.0;
        if (fabs(step) <= 1e-14 * scale ||
            (fabs(step) >= last_step && fabs(step) <= 1e-8 * scale))
            break;
        last_step = fabs(step);
    }
    return exp(u);
}

/* t >= 0 with P(0 < T < t) = h, 0 <= h <= 1/4: Newton's method on the
 * centre, which is concave and increasing in t.  From the left of the
 * root it climbs to it without overshooting; from the right its first
 * step lands on the left, or at t <= 0, when it restarts from
 * h / f(0), which is on the left because the centre is below f(0) t. */
static double centre_quantile(double h, double df)
{
    if (h == 0.0)
        return 0.0;
    double from_left = h / t_density(0.0, df);
    double t = cornish_fisher(normal_quantile(0.5 + h), df);
    if (!(t > 0.0) || isinf(t))
        t = from_left;
    double last_move = INFINITY;
    for (int i = 0; i < 200; i++) {
        double tail, centre;
        t_split(t, df, &tail, &centre);
        double next = t - (centre - h) / t_density(t, df);
        if (!(next > 0.0))
            next = from_left < t ? from_left : 0.5 * t;
        if (!isfinite(next))
            break;
        double moved = fabs(next - t);
        t = next;
        /* Done when the step is at rounding level, or has stopped
         * shrinking near the root (the noise of the cdf). */
        if (moved <= 1e-14 * t || (moved >= last_move && moved <= 1e-8 * t))
            break;
        last_move = moved;
    }
    return t;
}

double ap_student_t_quantile(double p, double df)
{
    if (isnan(p) || isnan(df) || df <= 0.0 || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return -INFINITY;
    if (p == 1.0)
        return INFINITY;
    if (p == 0.5)
        return 0.0;
    /* q is the smaller tail; 1 - p is exact for p >= 1/2, and p - 1/2 is
     * exact for 1/4 <= p <= 3/4, where the centre is solved for. */
    double sign = p < 0.5 ? -1.0 : 1.0;
    double q = p < 0.5 ? p : 1.0 - p;
    double h = fabs(p - 0.5);
    if (df > NORMAL_DF)
        return normal_quantile(p);
    if (df == 1.0) { /* Cauchy: P(T > t) = atan(1 / t) / pi */
        return sign * (q < 0.25 ? 1.0 / tan(PI * q) : tan(PI * h));
    }
    if (df == 2.0) { /* P(T <= t) = 1/2 + t / (2 sqrt(2 + t^2)) */
        return sign * 2.0 * h * sqrt(2.0 / (4.0 * q * (1.0 - q)));
    }
    double t = q < 0.25 ? tail_quantile(q, df) : centre_quantile(h, df);
    return sign * t;
}
