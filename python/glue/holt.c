/* Glue for Holt's linear exponential smoothing (csrc/forecast/holt.c), as
 * apportion.forecast calls it: holt_fit, holt_forecast and holt_batch.
 * Values come in through the buffer protocol with their strides (a numpy
 * view is read in place); outputs are the caller's float64 arrays. */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "glue.h"

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
static const result_field FIT_FIELDS[] = {
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
enum { N_FIT_FIELDS = sizeof FIT_FIELDS / sizeof FIT_FIELDS[0] };

/* holt_fit(values, alpha, beta, initial_level, initial_trend, fitted)
 * -> dict: the fit of one series; fitted (None or a float64 array of
 * len(values)) receives the one-step forecasts. */
PyDoc_STRVAR(holt_fit_doc,
"holt_fit($module, /, values, alpha=None, beta=None, initial_level=None, "
"initial_trend=None, fitted=None)\n--\n\n"
"Holt's linear method fitted to one series, as a dict; each parameter a\n"
"number to fix it or None to fit it; fitted (a float64 array, or None)\n"
"receives the one-step forecasts.");
ARG_SPEC(holt_fit_args, "holt_fit", 5, 0,
         "values", "alpha", "beta", "initial_level", "initial_trend", "fitted");

static PyObject *core_holt_fit(PyObject *module, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *values_obj, *alpha = Py_None, *beta = Py_None,
             *level = Py_None, *trend = Py_None, *fitted_obj = Py_None;
    if (parse_args(&holt_fit_args, args, nargs, kwnames, "OOOOOO", &values_obj,
                   &alpha, &beta, &level, &trend, &fitted_obj) < 0)
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
    return result_dict(&fit, FIT_FIELDS, N_FIT_FIELDS);
}

/* A fit without "trailing" has no missing values after its last
 * observation; every other key is needed. */
static int fit_key_missing(const char *key)
{
    if (strcmp(key, "trailing") == 0)
        return 0;
    PyErr_Format(PyExc_ValueError,
                 "fit has no '%s': it must be the dict holt_fit returned",
                 key);
    return -1;
}

/* The number of steps to forecast, 0 or more. */
static int to_horizon(PyObject *module, PyObject *obj, int64_t *horizon)
{
    if (to_int64(module, obj, "horizon", horizon) < 0)
        return -1;
    if (*horizon < 0) {
        PyErr_Format(PyExc_ValueError,
                     "horizon must be 0 or more steps, not %lld",
                     (long long)*horizon);
        return -1;
    }
    return 0;
}

#define LEVEL_EXPECTED "a number between 0 and 1 (say 0.95)"

/* holt_forecast(fit, horizon, level, mean, lower, upper) -> None: the
 * forecasts 1..horizon steps after the last observation into mean, and
 * the prediction interval at level into lower and upper (either may be
 * None). */
PyDoc_STRVAR(holt_forecast_doc,
"holt_forecast($module, /, fit, horizon, level, mean, lower=None, "
"upper=None)\n--\n\n"
"The forecasts 1..horizon steps on from holt_fit's dict into mean, and\n"
"the ETS(A,A,N) prediction interval at level into lower and upper (None\n"
"to skip).");
ARG_SPEC(holt_forecast_args, "holt_forecast", 2, 0,
         "fit", "horizon", "level", "mean", "lower", "upper");

static PyObject *core_holt_forecast(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *fit_obj, *horizon_obj, *level_obj, *mean_obj,
        *lower_obj = Py_None, *upper_obj = Py_None;
    double level;
    if (parse_args(&holt_forecast_args, args, nargs, kwnames, "OOOOOO",
                   &fit_obj, &horizon_obj, &level_obj, &mean_obj, &lower_obj,
                   &upper_obj) < 0 ||
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
    if (result_from_dict(module, fit_obj, "fit['%s']", fit_key_missing, &fit,
                         FIT_FIELDS, N_FIT_FIELDS) < 0 ||
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

enum { OUT_MEAN, OUT_LOWER, OUT_UPPER, OUT_ALPHA, OUT_BETA, OUT_LEVEL,
       OUT_TREND, OUT_SSE, OUT_NOBS, N_OUT };

static const char *const out_names[N_OUT] = {
    "mean",          "lower",         "upper", "alpha_out", "beta_out",
    "initial_level_out", "initial_trend_out", "sse", "nobs"};

/* holt_batch(values, alpha, beta, initial_level, initial_trend, horizon,
 * level, threads, mean, lower, upper, alpha_out, beta_out,
 * initial_level_out, initial_trend_out, sse, nobs) -> None: every row of
 * the 2-D values (series x time) fitted with the same fixed parameters and
 * forecast; each output None or a C-contiguous array of n_series * horizon
 * (mean, lower, upper) or n_series (the rest; nobs int64) values. */
PyDoc_STRVAR(holt_batch_doc,
"holt_batch($module, /, values, alpha, beta, initial_level, initial_trend, "
"horizon, level, threads, mean=None, lower=None, upper=None, "
"alpha_out=None, beta_out=None, initial_level_out=None, "
"initial_trend_out=None, sse=None, nobs=None)\n--\n\n"
"Every row of the 2-D values (series x time) fitted with the same fixed\n"
"parameters (None: fitted) and forecast; each output None or a\n"
"C-contiguous array of n_series * horizon (mean, lower, upper) or\n"
"n_series (the rest; nobs int64) values.");
ARG_SPEC(holt_batch_args, "holt_batch", 9, 0,
         "values", "alpha", "beta", "initial_level", "initial_trend",
         "horizon", "level", "threads", "mean", "lower", "upper", "alpha_out",
         "beta_out", "initial_level_out", "initial_trend_out", "sse", "nobs");

static PyObject *core_holt_batch(PyObject *module, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *values_obj, *alpha, *beta, *initial_level, *trend,
        *horizon_obj, *level_obj, *threads_obj;
    PyObject *outs[N_OUT] = {Py_None, Py_None, Py_None, Py_None, Py_None,
                             Py_None, Py_None, Py_None, Py_None};
    double level;
    if (parse_args(&holt_batch_args, args, nargs, kwnames, "OOOOOOOOOOOOOOOOO",
                   &values_obj, &alpha, &beta, &initial_level, &trend,
                   &horizon_obj, &level_obj, &threads_obj, &outs[OUT_MEAN],
                   &outs[OUT_LOWER], &outs[OUT_UPPER], &outs[OUT_ALPHA],
                   &outs[OUT_BETA], &outs[OUT_LEVEL], &outs[OUT_TREND],
                   &outs[OUT_SSE], &outs[OUT_NOBS]) < 0)
        return NULL;
    ap_holt_params given;
    unsigned fixed;
    int64_t horizon, threads;
    if (holt_params(alpha, beta, initial_level, trend, &given, &fixed) < 0 ||
        to_double(level_obj, "level", LEVEL_EXPECTED, &level) < 0 ||
        to_horizon(module, horizon_obj, &horizon) < 0 ||
        to_int64(module, threads_obj, "threads", &threads) < 0)
        return NULL;
    if (threads < 0 || threads > INT_MAX) {
        PyErr_Format(PyExc_ValueError,
                     "threads must be 0 (every core) or more, not %lld",
                     (long long)threads);
        return NULL;
    }
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
    Py_buffer views[N_OUT];
    int have[N_OUT] = {0};
    double *ptr[N_OUT] = {NULL};
    int failed = 0;
    for (int k = 0; k < N_OUT && !failed; k++) {
        int per_step = k <= OUT_UPPER;
        failed = holt_output(outs[k], &views[k], &have[k], k == OUT_NOBS,
                             per_step ? cells : n_series, out_names[k],
                             per_step ? "n_series x horizon" : "one a series",
                             &values) < 0;
        if (have[k])
            ptr[k] = views[k].buf;
    }
    PyObject *result = NULL;
    if (!failed) {
        ap_holt_batch_out out = {
            ptr[OUT_MEAN],  ptr[OUT_LOWER], ptr[OUT_UPPER],
            ptr[OUT_ALPHA], ptr[OUT_BETA],  ptr[OUT_LEVEL],
            ptr[OUT_TREND], ptr[OUT_SSE],   (int64_t *)ptr[OUT_NOBS]};
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
        if (st != AP_OK)
            raise_error(module, &err);
        else
            result = Py_NewRef(Py_None);
    }
    for (int k = 0; k < N_OUT; k++)
        if (have[k])
            PyBuffer_Release(&views[k]);
    PyBuffer_Release(&values);
    return result;
}

PyMethodDef holt_methods[] = {
    GLUE_METHOD(holt_fit),
    GLUE_METHOD(holt_forecast),
    GLUE_METHOD(holt_batch),
    {NULL, NULL, 0, NULL}
};
