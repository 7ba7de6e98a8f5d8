/* Glue for forecast.h: the Student t distribution, the linear trend
 * (student_t.c, trend.c) and Holt's linear exponential smoothing
 * (holt.c), as apportion.forecast calls them.  Values come in through the
 * buffer protocol without copying (a batch's values with any strides, a
 * numpy view read in place); results go into the caller's float64 arrays
 * or a dict. */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "glue.h"

/* f(x, df) of Student's t from the arguments (x, df). */
static PyObject *t_function(const glue_call *call,
                            double (*f)(double, double))
{
    double x, df;
    if (parse_args(call, "dd", &x, &df) < 0)
        return NULL;
    return PyFloat_FromDouble(f(x, df));
}

GLUE_FUNCTION(t_cdf, "t, df",
"P(T <= t) for Student's t with df degrees of freedom (df = inf: the\n"
"normal).")
{
    (void)module;
    return t_function(call, ap_student_t_cdf);
}

GLUE_FUNCTION(t_quantile, "p, df",
"The t with P(T <= t) = p for Student's t with df degrees of freedom.")
{
    (void)module;
    return t_function(call, ap_student_t_quantile);
}

/* ---- one series ------------------------------------------------------ */

/* The dict trend_fit returns and trend_predict reads back. */
#define FIT_DOUBLE(name) {#name, offsetof(ap_trend_fit, name), 0}
static const result_field TREND_FIELDS[] = {
    {"nobs", offsetof(ap_trend_fit, nobs), 1},
    FIT_DOUBLE(intercept),
    FIT_DOUBLE(slope),
    FIT_DOUBLE(intercept_se),
    FIT_DOUBLE(slope_se),
    FIT_DOUBLE(sigma2),
    FIT_DOUBLE(ssr),
    FIT_DOUBLE(r_squared),
    FIT_DOUBLE(time_mean),
    FIT_DOUBLE(sxx),
};
#undef FIT_DOUBLE
enum { N_TREND_FIELDS = sizeof TREND_FIELDS / sizeof TREND_FIELDS[0] };

GLUE_FUNCTION(trend_fit, "times, values",
"The least squares line through the pairs of times and values (float64\n"
"arrays) where both are present, as a dict (nobs, intercept, slope,\n"
"intercept_se, slope_se, sigma2, ssr, r_squared, time_mean, sxx).")
{
    PyObject *times_obj, *values_obj;
    if (parse_args(call, "OO", &times_obj, &values_obj) < 0)
        return NULL;
    Py_buffer times, values;
    if (get_double_vector(times_obj, &times, "times", NULL) < 0)
        return NULL;
    if (get_double_vector(values_obj, &values, "values", NULL) < 0) {
        PyBuffer_Release(&times);
        return NULL;
    }
    size_t n = (size_t)(values.len / 8);
    PyObject *result = NULL;
    if ((size_t)(times.len / 8) != n) {
        PyErr_Format(PyExc_ValueError,
                     "times holds %zd values and values %zu; they must be "
                     "the same length",
                     times.len / 8, n);
    } else {
        ap_trend_fit fit;
        ap_error err;
        ap_status st;
        if (n >= RELEASE_GIL_THRESHOLD) {
            Py_BEGIN_ALLOW_THREADS
            st = ap_trend_fit_series(times.buf, 1, values.buf, 1, n, &fit,
                                     &err);
            Py_END_ALLOW_THREADS
        } else {
            st = ap_trend_fit_series(times.buf, 1, values.buf, 1, n, &fit,
                                     &err);
        }
        if (st != AP_OK)
            raise_error(module, &err);
        else
            result = result_dict(&fit, TREND_FIELDS, N_TREND_FIELDS);
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&times);
    return result;
}

/* Every key of the fit is needed to predict from it. */
static int trend_key_missing(const char *key)
{
    PyErr_Format(PyExc_KeyError,
                 "the fit has no '%s': pass the dict trend_fit returned", key);
    return -1;
}

static int fit_from_dict(PyObject *module, PyObject *d, ap_trend_fit *fit)
{
    if (!PyDict_Check(d)) {
        PyErr_Format(PyExc_TypeError,
                     "fit must be the dict trend_fit returned, not %.100s",
                     Py_TYPE(d)->tp_name);
        return -1;
    }
    return result_from_dict(module, d, "the fit's %s", trend_key_missing, fit,
                            TREND_FIELDS, N_TREND_FIELDS);
}

/* The columns trend_predict writes for each time, in this order. */
enum { PREDICT_COLUMNS = 7 };

/* trend_predict(fit, at, level, out): out is (n, 7) float64, row-major:
 * mean, mean_se, mean_ci_lower, mean_ci_upper, obs_ci_lower, obs_ci_upper,
 * obs_se. */
GLUE_FUNCTION(trend_predict, "fit, at, level, out",
"Predictions from trend_fit's dict at each time in at: out (n x 7\n"
"float64) gets mean, mean_se, mean_ci_lower, mean_ci_upper,\n"
"obs_ci_lower, obs_ci_upper and obs_se.")
{
    PyObject *fit_obj, *at_obj, *out_obj;
    double level;
    if (parse_args(call, "OOdO", &fit_obj, &at_obj, &level, &out_obj) < 0)
        return NULL;
    ap_trend_fit fit;
    if (fit_from_dict(module, fit_obj, &fit) < 0)
        return NULL;
    Py_buffer at, out;
    int have_out;
    if (get_double_vector(at_obj, &at, "at", NULL) < 0)
        return NULL;
    size_t n = (size_t)(at.len / 8);
    if (get_output(out_obj, &out, &have_out, 0, n * PREDICT_COLUMNS, NULL,
                   "out", "%zu times x %d columns = %zu are needed", n,
                   PREDICT_COLUMNS, n * PREDICT_COLUMNS) < 0) {
        PyBuffer_Release(&at);
        return NULL;
    }
    const double *times = at.buf;
    double *cells = out.buf;
    ap_error err;
    ap_status st = AP_OK;
    for (size_t i = 0; i < n && st == AP_OK; i++) {
        ap_trend_prediction p;
        st = ap_trend_predict(&fit, times[i], level, &p, &err);
        double *row = cells + i * PREDICT_COLUMNS;
        row[0] = p.mean;
        row[1] = p.mean_se;
        row[2] = p.mean_ci_lower;
        row[3] = p.mean_ci_upper;
        row[4] = p.obs_ci_lower;
        row[5] = p.obs_ci_upper;
        row[6] = p.obs_se;
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&at);
    return none_or_raise(module, st, &err);
}

/* ---- many series ----------------------------------------------------- */

/* The batch's outputs, in the order trend_batch takes them. */
enum {
    TREND_MEAN,
    TREND_MEAN_CI_LOWER,
    TREND_MEAN_CI_UPPER,
    TREND_OBS_CI_LOWER,
    TREND_OBS_CI_UPPER,
    TREND_INTERCEPT,
    TREND_SLOPE,
    TREND_SIGMA2,
    TREND_NOBS,
    N_TREND_OUTS
};

static const char *const TREND_OUT_NAMES[N_TREND_OUTS] = {
    "mean",      "mean_ci_lower", "mean_ci_upper", "obs_ci_lower",
    "obs_ci_upper", "intercept",  "slope",         "sigma2",
    "nobs"};

/* The (series x time) values read in place: a 2-D float64 buffer with any
 * strides that are whole elements.  Strides in elements in *series_stride
 * and *time_stride.  (holt_batch's check differs, both pinned by tests:
 * it raises ValueError and checks the stride of a dimension of length 1
 * too.) */
static int matrix_buffer(PyObject *obj, Py_buffer *view,
                         ptrdiff_t *series_stride, ptrdiff_t *time_stride)
{
    if (get_strided_doubles(obj, view, 2, "values") < 0)
        return -1;
    ptrdiff_t strides[2];
    for (int d = 0; d < 2; d++) {
        Py_ssize_t s = view->strides[d];
        /* A dimension of length 0 or 1 is never stepped along, and numpy
         * may give it any stride. */
        if (view->shape[d] <= 1)
            s = 0;
        if (s % 8 != 0) {
            PyErr_Format(PyExc_TypeError,
                         "values' %s stride is %zd bytes, not a whole "
                         "number of float64 values; pass a copy "
                         "(numpy.ascontiguousarray)",
                         d == 0 ? "series" : "time", s);
            PyBuffer_Release(view);
            return -1;
        }
        strides[d] = (ptrdiff_t)(s / 8);
    }
    *series_stride = strides[0];
    *time_stride = strides[1];
    return 0;
}

/* trend_batch(values, times, predict_at, level, threads, mean,
 * mean_ci_lower, mean_ci_upper, obs_ci_lower, obs_ci_upper, intercept,
 * slope, sigma2, nobs): times None means 0, 1, ...; each output None to
 * skip it. */
GLUE_FUNCTION(trend_batch,
              "values, times, predict_at, level, threads, mean=None, "
              "mean_ci_lower=None, mean_ci_upper=None, obs_ci_lower=None, "
              "obs_ci_upper=None, intercept=None, slope=None, sigma2=None, "
              "nobs=None",
"A trend fitted to each row of values (series x time, read in place)\n"
"and predicted at predict_at; times None means 0, 1, ...; an output\n"
"left None is not computed.")
{
    PyObject *values_obj, *times_obj, *at_obj;
    PyObject *out_objs[N_TREND_OUTS] = {Py_None, Py_None, Py_None,
                                        Py_None, Py_None, Py_None,
                                        Py_None, Py_None, Py_None};
    double level;
    int threads;
    if (parse_args(call, "OOOdiOOOOOOOOO", &values_obj, &times_obj, &at_obj,
                   &level, &threads, &out_objs[0], &out_objs[1], &out_objs[2],
                   &out_objs[3], &out_objs[4], &out_objs[5], &out_objs[6],
                   &out_objs[7], &out_objs[8]) < 0)
        return NULL;
    Py_buffer values, times, at, outs[N_TREND_OUTS];
    int have_times = 0, have_at = 0, have_out[N_TREND_OUTS] = {0};
    PyObject *result = NULL;
    ptrdiff_t series_stride, time_stride;
    if (matrix_buffer(values_obj, &values, &series_stride, &time_stride) < 0)
        return NULL;
    size_t n_series = (size_t)values.shape[0];
    size_t n_times = (size_t)values.shape[1];
    size_t n_predict = 0;
    if (times_obj != Py_None) {
        if (get_double_vector(times_obj, &times, "times", NULL) < 0)
            goto done;
        have_times = 1;
        if ((size_t)(times.len / 8) != n_times) {
            PyErr_Format(PyExc_ValueError,
                         "times holds %zd values, but values has %zu times "
                         "(columns) per series",
                         times.len / 8, n_times);
            goto done;
        }
    }
    if (get_double_vector(at_obj, &at, "predict_at", NULL) < 0)
        goto done;
    have_at = 1;
    n_predict = (size_t)(at.len / 8);
    ap_trend_batch_out out = {0};
    double **doubles[TREND_NOBS] = {
        &out.mean,         &out.mean_ci_lower, &out.mean_ci_upper,
        &out.obs_ci_lower, &out.obs_ci_upper,  &out.intercept,
        &out.slope,        &out.sigma2};
    for (int k = 0; k < N_TREND_OUTS; k++) {
        unsigned flags =
            OUTPUT_OPTIONAL | (k == TREND_NOBS ? OUTPUT_INT64 : 0);
        int rc = k < TREND_INTERCEPT
                     ? get_output(out_objs[k], &outs[k], &have_out[k], flags,
                                  n_series * n_predict, &values,
                                  TREND_OUT_NAMES[k],
                                  "%zu series x %zu predicted times = %zu "
                                  "are needed",
                                  n_series, n_predict, n_series * n_predict)
                     : get_output(out_objs[k], &outs[k], &have_out[k], flags,
                                  n_series, &values, TREND_OUT_NAMES[k],
                                  "one per series (%zu) is needed", n_series);
        if (rc < 0)
            goto done;
        if (!have_out[k])
            continue;
        if (k == TREND_NOBS)
            out.nobs = outs[k].buf;
        else
            *doubles[k] = outs[k].buf;
    }
    ap_error err;
    ap_status st;
    const double *times_buf = have_times ? times.buf : NULL;
    if (n_series * n_times >= RELEASE_GIL_THRESHOLD) {
        Py_BEGIN_ALLOW_THREADS
        st = ap_trend_fit_batch(values.buf, n_series, n_times, series_stride,
                                time_stride, times_buf, at.buf, n_predict,
                                level, threads, &out, &err);
        Py_END_ALLOW_THREADS
    } else {
        st = ap_trend_fit_batch(values.buf, n_series, n_times, series_stride,
                                time_stride, times_buf, at.buf, n_predict,
                                level, threads, &out, &err);
    }
    result = none_or_raise(module, st, &err);
done:
    for (int k = 0; k < N_TREND_OUTS; k++)
        if (have_out[k])
            PyBuffer_Release(&outs[k]);
    if (have_at)
        PyBuffer_Release(&at);
    if (have_times)
        PyBuffer_Release(&times);
    PyBuffer_Release(&values);
    return result;
}

/* ---- Holt's linear method ------------------------------------------ */

/* A parameter: None leaves it to be fitted; a number fixes it. */
static int holt_param(PyObject *obj, const char *name, unsigned flag,
                      double *value, unsigned *fixed)
{
    if (obj == Py_None)
        return 0;
    if (to_double(obj, name, "a number or None (to fit it)", value) < 0)
        return -1;
    *fixed |= flag;
    return 0;
}

/* The four parameters as the core takes them. */
static int holt_params(PyObject *alpha, PyObject *beta, PyObject *level,
                       PyObject *trend, ap_holt_params *given,
                       unsigned *fixed)
{
    *fixed = 0;
    memset(given, 0, sizeof *given);
    if (holt_param(alpha, "alpha", AP_HOLT_FIX_ALPHA, &given->alpha,
                   fixed) < 0 ||
        holt_param(beta, "beta", AP_HOLT_FIX_BETA, &given->beta, fixed) < 0 ||
        holt_param(level, "initial_level", AP_HOLT_FIX_INITIAL_LEVEL,
                   &given->initial_level, fixed) < 0 ||
        holt_param(trend, "initial_trend", AP_HOLT_FIX_INITIAL_TREND,
                   &given->initial_trend, fixed) < 0)
        return -1;
    return 0;
}

/* The values read in place, their strides whole float64 items (in
 * elements in strides[]).  (trend_batch's check differs, both pinned by
 * tests: it raises TypeError and lets a dimension of length 1 have any
 * stride.) */
static int strided_doubles(PyObject *obj, Py_buffer *view, int ndim,
                           ptrdiff_t *strides)
{
    if (get_strided_doubles(obj, view, ndim, "values") < 0)
        return -1;
    for (int d = 0; d < ndim; d++) {
        if (view->strides[d] % 8 != 0) {
            PyErr_Format(PyExc_ValueError,
                         "values has a stride of %zd bytes in dimension %d; "
                         "strides must be whole multiples of 8 bytes",
                         view->strides[d], d);
            PyBuffer_Release(view);
            return -1;
        }
        strides[d] = (ptrdiff_t)(view->strides[d] / 8);
    }
    return 0;
}

/* An optional float64 output (int64 for nobs) of n items, `expected`
 * saying how n is made; values (or NULL) the input it must not overlap. */
static int holt_output(PyObject *obj, Py_buffer *view, int *have, int is_int,
                       size_t n, const char *what, const char *expected,
                       const Py_buffer *values)
{
    return get_output(obj, view, have,
                      OUTPUT_OPTIONAL | (is_int ? OUTPUT_INT64 : 0), n,
                      values, what, "%zu are needed (%s)", n, expected);
}

/* The dict holt_fit returns and holt_forecast reads back. */
#define FIT_DOUBLE(member, key) {key, offsetof(ap_holt_fit, member), 0}
static const result_field HOLT_FIELDS[] = {
    FIT_DOUBLE(params.alpha, "alpha"),
    FIT_DOUBLE(params.beta, "beta"),
    FIT_DOUBLE(params.initial_level, "initial_level"),
    FIT_DOUBLE(params.initial_trend, "initial_trend"),
    {"nobs", offsetof(ap_holt_fit, nobs), 1},
    FIT_DOUBLE(sse, "sse"),
    FIT_DOUBLE(sigma2, "sigma2"),
    FIT_DOUBLE(level, "level"),
    FIT_DOUBLE(trend, "trend"),
    {"trailing", offsetof(ap_holt_fit, trailing), 1},
};
#undef FIT_DOUBLE
enum { N_HOLT_FIELDS = sizeof HOLT_FIELDS / sizeof HOLT_FIELDS[0] };

/* holt_fit(values, alpha, beta, initial_level, initial_trend, fitted)
 * -> dict: the fit of one series; fitted (None or a float64 array of
 * len(values)) receives the one-step forecasts. */
GLUE_FUNCTION(holt_fit,
              "values, alpha=None, beta=None, initial_level=None, "
              "initial_trend=None, fitted=None",
"Holt's linear method fitted to one series, as a dict; each parameter a\n"
"number to fix it or None to fit it; fitted (a float64 array, or None)\n"
"receives the one-step forecasts.")
{
    PyObject *values_obj, *alpha = Py_None, *beta = Py_None,
             *level = Py_None, *trend = Py_None, *fitted_obj = Py_None;
    if (parse_args(call, "OOOOOO", &values_obj, &alpha, &beta, &level, &trend,
                   &fitted_obj) < 0)
        return NULL;
    ap_holt_params given;
    unsigned fixed;
    if (holt_params(alpha, beta, level, trend, &given, &fixed) < 0)
        return NULL;
    Py_buffer values, fitted;
    ptrdiff_t stride;
    if (strided_doubles(values_obj, &values, 1, &stride) < 0)
        return NULL;
    size_t n = (size_t)values.shape[0];
    int have_fitted;
    if (holt_output(fitted_obj, &fitted, &have_fitted, 0, n, "fitted",
                    "one a value", &values) < 0) {
        PyBuffer_Release(&values);
        return NULL;
    }
    ap_holt_fit fit;
    ap_error err;
    ap_status st;
    double *fv = have_fitted ? fitted.buf : NULL;
    if (n >= RELEASE_GIL_THRESHOLD) {
        Py_BEGIN_ALLOW_THREADS
        st = ap_holt_fit_series(values.buf, stride, n, fixed, &given, &fit,
                                fv, &err);
        Py_END_ALLOW_THREADS
    } else {
        st = ap_holt_fit_series(values.buf, stride, n, fixed, &given, &fit,
                                fv, &err);
    }
    if (have_fitted)
        PyBuffer_Release(&fitted);
    PyBuffer_Release(&values);
    if (st != AP_OK)
        return raise_error(module, &err);
    return result_dict(&fit, HOLT_FIELDS, N_HOLT_FIELDS);
}

/* A fit without "trailing" has no missing values after its last
 * observation; every other key is needed. */
static int holt_key_missing(const char *key)
{
    if (strcmp(key, "trailing") == 0)
        return 0;
    PyErr_Format(PyExc_ValueError,
                 "fit has no '%s': it must be the dict holt_fit returned",
                 key);
    return -1;
}

/* A count (a horizon, threads) from 0 to hi: a negative one is
 * ValueError "<what> must be <words>, not -2", one beyond hi InputError
 * with the range (never MoneyOverflowError: a count is not money). */
static int to_count(PyObject *obj, const char *what, const char *words,
                    long long hi, int64_t *out)
{
    PyObject *index = int_of(obj, what);
    if (index == NULL)
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
    int rc = 0;
    if (v == -1 && PyErr_Occurred())
        rc = -1;
    else if (overflow > 0 || (overflow == 0 && v > hi))
        rc = out_of_range(what, 0, hi, index);
    else if (overflow < 0 || v < 0)
        rc = (PyErr_Format(PyExc_ValueError, "%s must be %s, not %S", what,
                           words, index), -1);
    else
        *out = v;
    Py_DECREF(index);
    return rc;
}

/* The number of steps to forecast, 0 or more. */
static int to_horizon(PyObject *module, PyObject *obj, int64_t *horizon)
{
    (void)module;
    return to_count(obj, "horizon", "0 or more steps", LLONG_MAX, horizon);
}

#define LEVEL_EXPECTED "a number between 0 and 1 (say 0.95)"

/* holt_forecast(fit, horizon, level, mean, lower, upper) -> None: the
 * forecasts 1..horizon steps after the last observation into mean, and
 * the prediction interval at level into lower and upper (either may be
 * None). */
GLUE_FUNCTION(holt_forecast,
              "fit, horizon, level, mean, lower=None, upper=None",
"The forecasts 1..horizon steps on from holt_fit's dict into mean, and\n"
"the ETS(A,A,N) prediction interval at level into lower and upper (None\n"
"to skip).")
{
    PyObject *fit_obj, *horizon_obj, *level_obj, *mean_obj,
        *lower_obj = Py_None, *upper_obj = Py_None;
    double level;
    if (parse_args(call, "OOOOOO", &fit_obj, &horizon_obj, &level_obj,
                   &mean_obj, &lower_obj, &upper_obj) < 0 ||
        to_double(level_obj, "level", LEVEL_EXPECTED, &level) < 0)
        return NULL;
    if (!PyDict_Check(fit_obj)) {
        PyErr_Format(PyExc_TypeError,
                     "fit must be the dict holt_fit returned, not %.100s",
                     Py_TYPE(fit_obj)->tp_name);
        return NULL;
    }
    ap_holt_fit fit = {0}; /* trailing stays 0 if the dict has none */
    int64_t horizon;
    if (result_from_dict(module, fit_obj, "fit['%s']", holt_key_missing, &fit,
                         HOLT_FIELDS, N_HOLT_FIELDS) < 0 ||
        to_horizon(module, horizon_obj, &horizon) < 0)
        return NULL;
    if (fit.trailing < 0) {
        PyErr_Format(PyExc_ValueError,
                     "fit['trailing'] must be 0 or more, not %lld",
                     (long long)fit.trailing);
        return NULL;
    }
    size_t h = (size_t)horizon;
    if (mean_obj == Py_None) {
        PyErr_SetString(PyExc_TypeError,
                        "mean must be a float64 array of horizon values, not "
                        "None");
        return NULL;
    }
    Py_buffer mean, lower, upper;
    int have_mean = 0, have_lower = 0, have_upper = 0;
    PyObject *result = NULL;
    if (holt_output(mean_obj, &mean, &have_mean, 0, h, "mean",
                    "one a step of the horizon", NULL) == 0 &&
        holt_output(lower_obj, &lower, &have_lower, 0, h, "lower",
                    "one a step of the horizon", NULL) == 0 &&
        holt_output(upper_obj, &upper, &have_upper, 0, h, "upper",
                    "one a step of the horizon", NULL) == 0) {
        ap_error err;
        if (ap_holt_forecast(&fit, h, level, mean.buf,
                             have_lower ? lower.buf : NULL,
                             have_upper ? upper.buf : NULL, &err) != AP_OK)
            raise_error(module, &err);
        else
            result = Py_NewRef(Py_None);
    }
    if (have_upper)
        PyBuffer_Release(&upper);
    if (have_lower)
        PyBuffer_Release(&lower);
    if (have_mean)
        PyBuffer_Release(&mean);
    return result;
}

enum { HOLT_MEAN, HOLT_LOWER, HOLT_UPPER, HOLT_ALPHA, HOLT_BETA, HOLT_LEVEL,
       HOLT_TREND, HOLT_SSE, HOLT_NOBS, N_HOLT_OUTS };

static const char *const HOLT_OUT_NAMES[N_HOLT_OUTS] = {
    "mean",          "lower",         "upper", "alpha_out", "beta_out",
    "initial_level_out", "initial_trend_out", "sse", "nobs"};

/* holt_batch(values, alpha, beta, initial_level, initial_trend, horizon,
 * level, threads, mean, lower, upper, alpha_out, beta_out,
 * initial_level_out, initial_trend_out, sse, nobs) -> None: every row of
 * the 2-D values (series x time) fitted with the same fixed parameters and
 * forecast; each output None or a C-contiguous array of n_series * horizon
 * (mean, lower, upper) or n_series (the rest; nobs int64) values. */
GLUE_FUNCTION(holt_batch,
              "values, alpha, beta, initial_level, initial_trend, horizon, "
              "level, threads, mean=None, lower=None, upper=None, "
              "alpha_out=None, beta_out=None, initial_level_out=None, "
              "initial_trend_out=None, sse=None, nobs=None",
"Every row of the 2-D values (series x time) fitted with the same fixed\n"
"parameters (None: fitted) and forecast; each output None or a\n"
"C-contiguous array of n_series * horizon (mean, lower, upper) or\n"
"n_series (the rest; nobs int64) values.")
{
    PyObject *values_obj, *alpha, *beta, *initial_level, *trend,
        *horizon_obj, *level_obj, *threads_obj;
    PyObject *outs[N_HOLT_OUTS] = {Py_None, Py_None, Py_None, Py_None, Py_None,
                             Py_None, Py_None, Py_None, Py_None};
    double level;
    if (parse_args(call, "OOOOOOOOOOOOOOOOO", &values_obj, &alpha, &beta,
                   &initial_level, &trend, &horizon_obj, &level_obj,
                   &threads_obj, &outs[HOLT_MEAN], &outs[HOLT_LOWER],
                   &outs[HOLT_UPPER], &outs[HOLT_ALPHA], &outs[HOLT_BETA],
                   &outs[HOLT_LEVEL], &outs[HOLT_TREND], &outs[HOLT_SSE],
                   &outs[HOLT_NOBS]) < 0)
        return NULL;
    ap_holt_params given;
    unsigned fixed;
    int64_t horizon, threads;
    if (holt_params(alpha, beta, initial_level, trend, &given, &fixed) < 0 ||
        to_double(level_obj, "level", LEVEL_EXPECTED, &level) < 0 ||
        to_horizon(module, horizon_obj, &horizon) < 0 ||
        to_count(threads_obj, "threads", "0 (every core) or more", INT_MAX,
                 &threads) < 0)
        return NULL;
    Py_buffer values;
    ptrdiff_t strides[2];
    if (strided_doubles(values_obj, &values, 2, strides) < 0)
        return NULL;
    size_t n_series = (size_t)values.shape[0];
    size_t n_times = (size_t)values.shape[1];
    size_t cells;
    if (__builtin_mul_overflow(n_series, (size_t)horizon, &cells)) {
        PyBuffer_Release(&values);
        PyErr_Format(PyExc_ValueError,
                     "%zu series by a horizon of %lld is too many forecasts",
                     n_series, (long long)horizon);
        return NULL;
    }
    Py_buffer views[N_HOLT_OUTS];
    int have[N_HOLT_OUTS] = {0};
    double *ptr[N_HOLT_OUTS] = {NULL};
    int failed = 0;
    for (int k = 0; k < N_HOLT_OUTS && !failed; k++) {
        int per_step = k <= HOLT_UPPER;
        failed = holt_output(outs[k], &views[k], &have[k], k == HOLT_NOBS,
                             per_step ? cells : n_series, HOLT_OUT_NAMES[k],
                             per_step ? "n_series x horizon" : "one a series",
                             &values) < 0;
        if (have[k])
            ptr[k] = views[k].buf;
    }
    PyObject *result = NULL;
    if (!failed) {
        ap_holt_batch_out out = {
            ptr[HOLT_MEAN],  ptr[HOLT_LOWER], ptr[HOLT_UPPER],
            ptr[HOLT_ALPHA], ptr[HOLT_BETA],  ptr[HOLT_LEVEL],
            ptr[HOLT_TREND], ptr[HOLT_SSE],   (int64_t *)ptr[HOLT_NOBS]};
        ap_error err;
        ap_status st;
        if (n_series * n_times >= RELEASE_GIL_THRESHOLD ||
            n_series >= RELEASE_GIL_THRESHOLD) {
            Py_BEGIN_ALLOW_THREADS
            st = ap_holt_fit_batch(values.buf, n_series, n_times, strides[0],
                                   strides[1], fixed, &given,
                                   (size_t)horizon, level, (int)threads,
                                   &out, &err);
            Py_END_ALLOW_THREADS
        } else {
            st = ap_holt_fit_batch(values.buf, n_series, n_times, strides[0],
                                   strides[1], fixed, &given,
                                   (size_t)horizon, level, (int)threads,
                                   &out, &err);
        }
        result = none_or_raise(module, st, &err);
    }
    for (int k = 0; k < N_HOLT_OUTS; k++)
        if (have[k])
            PyBuffer_Release(&views[k]);
    PyBuffer_Release(&values);
    return result;
}

PyMethodDef forecast_methods[] = {
    GLUE_METHOD(t_cdf),
    GLUE_METHOD(t_quantile),
    GLUE_METHOD(trend_fit),
    GLUE_METHOD(trend_predict),
    GLUE_METHOD(trend_batch),
    GLUE_METHOD(holt_fit),
    GLUE_METHOD(holt_forecast),
    GLUE_METHOD(holt_batch),
    {NULL, NULL, 0, NULL},
};
