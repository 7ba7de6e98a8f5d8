/* Glue for Holt's linear exponential smoothing (csrc/holt.c), as
 * apportion.forecast calls it: holt_fit, holt_forecast and holt_batch.
 * Values come in through the buffer protocol with their strides (a numpy
 * view is read in place); outputs are the caller's float64 arrays. */
#include <limits.h>
#include <string.h>

#include "_core.h"

/* A real number (float, int, numpy scalar; not bool) as a double. */
static int holt_number(PyObject *obj, const char *name, const char *expected,
                       double *value)
{
    if (PyBool_Check(obj) ||
        !(PyFloat_Check(obj) || PyIndex_Check(obj) ||
          (Py_TYPE(obj)->tp_as_number != NULL &&
           Py_TYPE(obj)->tp_as_number->nb_float != NULL))) {
        PyErr_Format(PyExc_TypeError, "%s must be %s, not %.100s", name,
                     expected, Py_TYPE(obj)->tp_name);
        return -1;
    }
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    *value = v;
    return 0;
}

/* A parameter: None leaves it to be fitted; a number fixes it. */
static int holt_param(PyObject *obj, const char *name, unsigned flag,
                      double *value, unsigned *fixed)
{
    if (obj == Py_None)
        return 0;
    if (holt_number(obj, name, "a number or None (to fit it)", value) < 0)
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

/* PyObject_GetBuffer with the argument's name put before the exporter's
 * message ("ndarray is not C-contiguous" alone does not say which). */
static int named_buffer(PyObject *obj, Py_buffer *view, int flags,
                        const char *what)
{
    if (PyObject_GetBuffer(obj, view, flags) == 0)
        return 0;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (type != NULL && PyErr_GivenExceptionMatches(type, PyExc_Exception) &&
        value != NULL) {
        PyErr_Format(type, "%s (%s): %S", what,
                     flags & PyBUF_WRITABLE
                         ? "a writable C-contiguous float64 array"
                         : "a float64 array",
                     value);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
    } else {
        PyErr_Restore(type, value, tb);
    }
    return -1;
}

/* A float64 array of `ndim` dimensions with any strides (whole multiples
 * of the item size), read in place. */
static int strided_doubles(PyObject *obj, Py_buffer *view, int ndim,
                           const char *what)
{
    if (named_buffer(obj, view, PyBUF_STRIDES | PyBUF_FORMAT, what) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    if (view->itemsize != 8 || strcmp(f, "d") != 0) {
        PyErr_Format(PyExc_TypeError,
                     "%s must hold float64 values, not items of format '%s' "
                     "and size %zd",
                     what, view->format ? view->format : "B", view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    if (view->ndim != ndim) {
        PyErr_Format(PyExc_ValueError,
                     "%s must be a %s array; this one has %d dimension%s",
                     what, ndim == 1 ? "1-D" : "2-D (series x time)",
                     view->ndim, view->ndim == 1 ? "" : "s");
        PyBuffer_Release(view);
        return -1;
    }
    for (int d = 0; d < ndim; d++)
        if (view->strides[d] % 8 != 0) {
            PyErr_Format(PyExc_ValueError,
                         "%s has a stride of %zd bytes in dimension %d; "
                         "strides must be whole multiples of 8 bytes",
                         what, view->strides[d], d);
            PyBuffer_Release(view);
            return -1;
        }
    return 0;
}

/* The bytes a view spans, [*lo, *hi); empty when it holds nothing. */
static void view_span(const Py_buffer *v, const char **lo, const char **hi)
{
    const char *a = v->buf, *b = v->buf;
    int empty = 0;
    if (v->ndim == 0 || v->strides == NULL) {
        b = a + v->len;
        empty = v->len == 0;
    } else {
        for (int d = 0; d < v->ndim; d++) {
            if (v->shape[d] == 0)
                empty = 1;
            else if (v->strides[d] > 0)
                b += (v->shape[d] - 1) * v->strides[d];
            else
                a += (v->shape[d] - 1) * v->strides[d];
        }
        b += v->itemsize;
    }
    *lo = a;
    *hi = empty ? a : b;
}

/* Nonzero (with ValueError) when an output shares memory with the values:
 * writing it would change series not yet read. */
static int overlaps_values(const Py_buffer *values, const Py_buffer *out,
                           const char *what)
{
    const char *a, *b, *c, *d;
    view_span(values, &a, &b);
    view_span(out, &c, &d);
    if (a < b && c < d && a < d && c < b) {
        PyErr_Format(PyExc_ValueError,
                     "%s shares memory with values; give it an array of its "
                     "own",
                     what);
        return 1;
    }
    return 0;
}

/* An optional writable C-contiguous output of n items (float64, or int64
 * for nobs): None gives *have = 0. */
static int holt_output(PyObject *obj, Py_buffer *view, int *have, int is_int,
                       size_t n, const char *what, const char *expected,
                       const Py_buffer *values)
{
    *have = 0;
    if (obj == Py_None)
        return 0;
    if (named_buffer(obj, view,
                     PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE,
                     what) < 0)
        return -1;
    /* The item checks of get_typed_buffer, on the view already taken. */
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    if (view->itemsize != 8 || strlen(f) != 1 ||
        strchr(is_int ? "ql" : "d", *f) == NULL) {
        PyErr_Format(PyExc_TypeError,
                     "%s must hold %s values, not items of format '%s' and "
                     "size %zd",
                     what, is_int ? "int64" : "float64",
                     view->format ? view->format : "B", view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    if ((size_t)(view->len / 8) != n) {
        PyErr_Format(PyExc_ValueError,
                     "%s holds %zd values; %zu are needed (%s)", what,
                     view->len / 8, n, expected);
        PyBuffer_Release(view);
        return -1;
    }
    if (values != NULL && overlaps_values(values, view, what)) {
        PyBuffer_Release(view);
        return -1;
    }
    *have = 1;
    return 0;
}

static PyObject *holt_fit_dict(const ap_holt_fit *fit)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "alpha", PyFloat_FromDouble(fit->params.alpha)) < 0 ||
        set_item(d, "beta", PyFloat_FromDouble(fit->params.beta)) < 0 ||
        set_item(d, "initial_level",
                 PyFloat_FromDouble(fit->params.initial_level)) < 0 ||
        set_item(d, "initial_trend",
                 PyFloat_FromDouble(fit->params.initial_trend)) < 0 ||
        set_item(d, "nobs", PyLong_FromLongLong(fit->nobs)) < 0 ||
        set_item(d, "sse", PyFloat_FromDouble(fit->sse)) < 0 ||
        set_item(d, "sigma2", PyFloat_FromDouble(fit->sigma2)) < 0 ||
        set_item(d, "level", PyFloat_FromDouble(fit->level)) < 0 ||
        set_item(d, "trend", PyFloat_FromDouble(fit->trend)) < 0 ||
        set_item(d, "trailing", PyLong_FromLongLong(fit->trailing)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* holt_fit(values, alpha, beta, initial_level, initial_trend, fitted)
 * -> dict: the fit of one series; fitted (None or a float64 array of
 * len(values)) receives the one-step forecasts. */
static PyObject *core_holt_fit(PyObject *module, PyObject *args)
{
    PyObject *values_obj, *alpha, *beta, *level, *trend, *fitted_obj;
    if (!PyArg_ParseTuple(args, "OOOOOO:holt_fit", &values_obj, &alpha,
                          &beta, &level, &trend, &fitted_obj))
        return NULL;
    ap_holt_params given;
    unsigned fixed;
    if (holt_params(alpha, beta, level, trend, &given, &fixed) < 0)
        return NULL;
    Py_buffer values, fitted;
    if (strided_doubles(values_obj, &values, 1, "values") < 0)
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
    ptrdiff_t stride = (ptrdiff_t)(values.strides[0] / 8);
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
    return holt_fit_dict(&fit);
}

/* A number from the dict holt_fit returned. */
static int fit_number(PyObject *fit, const char *key, double *out)
{
    PyObject *v = PyDict_GetItemString(fit, key); /* borrowed */
    if (v == NULL) {
        PyErr_Format(PyExc_ValueError,
                     "fit has no '%s': it must be the dict holt_fit "
                     "returned",
                     key);
        return -1;
    }
    char name[32];
    snprintf(name, sizeof name, "fit['%s']", key);
    return holt_number(v, name, "a number", out);
}

#define LEVEL_EXPECTED "a number between 0 and 1 (say 0.95)"

/* holt_forecast(fit, horizon, level, mean, lower, upper) -> None: the
 * forecasts 1..horizon steps after the last observation into mean, and
 * the prediction interval at level into lower and upper (either may be
 * None). */
static PyObject *core_holt_forecast(PyObject *module, PyObject *args)
{
    PyObject *fit_obj, *horizon_obj, *level_obj, *mean_obj, *lower_obj,
        *upper_obj;
    double level;
    if (!PyArg_ParseTuple(args, "OOOOOO:holt_forecast", &fit_obj,
                          &horizon_obj, &level_obj, &mean_obj, &lower_obj,
                          &upper_obj) ||
        holt_number(level_obj, "level", LEVEL_EXPECTED, &level) < 0)
        return NULL;
    if (!PyDict_Check(fit_obj)) {
        PyErr_Format(PyExc_TypeError,
                     "fit must be the dict holt_fit returned, not %.100s",
                     Py_TYPE(fit_obj)->tp_name);
        return NULL;
    }
    ap_holt_fit fit;
    int64_t horizon;
    PyObject *nobs_obj = PyDict_GetItemString(fit_obj, "nobs");
    if (nobs_obj == NULL) {
        PyErr_SetString(PyExc_ValueError,
                        "fit has no 'nobs': it must be the dict holt_fit "
                        "returned");
        return NULL;
    }
    if (to_int64(module, nobs_obj, "fit['nobs']", &fit.nobs) < 0 ||
        fit_number(fit_obj, "alpha", &fit.params.alpha) < 0 ||
        fit_number(fit_obj, "beta", &fit.params.beta) < 0 ||
        fit_number(fit_obj, "initial_level", &fit.params.initial_level) < 0 ||
        fit_number(fit_obj, "initial_trend", &fit.params.initial_trend) < 0 ||
        fit_number(fit_obj, "sse", &fit.sse) < 0 ||
        fit_number(fit_obj, "sigma2", &fit.sigma2) < 0 ||
        fit_number(fit_obj, "level", &fit.level) < 0 ||
        fit_number(fit_obj, "trend", &fit.trend) < 0 ||
        to_int64(module, horizon_obj, "horizon", &horizon) < 0)
        return NULL;
    /* Missing values after the last observation (none if not said). */
    PyObject *trailing_obj = PyDict_GetItemString(fit_obj, "trailing");
    fit.trailing = 0;
    if (trailing_obj != NULL &&
        to_int64(module, trailing_obj, "fit['trailing']", &fit.trailing) < 0)
        return NULL;
    if (fit.trailing < 0) {
        PyErr_Format(PyExc_ValueError,
                     "fit['trailing'] must be 0 or more, not %lld",
                     (long long)fit.trailing);
        return NULL;
    }
    if (horizon < 0) {
        PyErr_Format(PyExc_ValueError,
                     "horizon must be 0 or more steps, not %lld",
                     (long long)horizon);
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
static PyObject *core_holt_batch(PyObject *module, PyObject *args)
{
    PyObject *values_obj, *alpha, *beta, *initial_level, *trend,
        *horizon_obj, *level_obj, *threads_obj, *outs[N_OUT];
    double level;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOOOOOO:holt_batch", &values_obj,
                          &alpha, &beta, &initial_level, &trend, &horizon_obj,
                          &level_obj, &threads_obj, &outs[OUT_MEAN],
                          &outs[OUT_LOWER], &outs[OUT_UPPER],
                          &outs[OUT_ALPHA], &outs[OUT_BETA],
                          &outs[OUT_LEVEL], &outs[OUT_TREND], &outs[OUT_SSE],
                          &outs[OUT_NOBS]))
        return NULL;
    ap_holt_params given;
    unsigned fixed;
    int64_t horizon, threads;
    if (holt_params(alpha, beta, initial_level, trend, &given, &fixed) < 0 ||
        holt_number(level_obj, "level", LEVEL_EXPECTED, &level) < 0 ||
        to_int64(module, horizon_obj, "horizon", &horizon) < 0 ||
        to_int64(module, threads_obj, "threads", &threads) < 0)
        return NULL;
    if (horizon < 0) {
        PyErr_Format(PyExc_ValueError,
                     "horizon must be 0 or more steps, not %lld",
                     (long long)horizon);
        return NULL;
    }
    if (threads < 0 || threads > INT_MAX) {
        PyErr_Format(PyExc_ValueError,
                     "threads must be 0 (every core) or more, not %lld",
                     (long long)threads);
        return NULL;
    }
    Py_buffer values;
    if (strided_doubles(values_obj, &values, 2, "values") < 0)
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
        ptrdiff_t ss = (ptrdiff_t)(values.strides[0] / 8);
        ptrdiff_t ts = (ptrdiff_t)(values.strides[1] / 8);
        ap_error err;
        ap_status st;
        if (n_series * n_times >= RELEASE_GIL_THRESHOLD ||
            n_series >= RELEASE_GIL_THRESHOLD) {
            Py_BEGIN_ALLOW_THREADS
            st = ap_holt_fit_batch(values.buf, n_series, n_times, ss, ts,
                                   fixed, &given, (size_t)horizon, level,
                                   (int)threads, &out, &err);
            Py_END_ALLOW_THREADS
        } else {
            st = ap_holt_fit_batch(values.buf, n_series, n_times, ss, ts,
                                   fixed, &given, (size_t)horizon, level,
                                   (int)threads, &out, &err);
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
    {"holt_fit", core_holt_fit, METH_VARARGS,
     "holt_fit(values, alpha, beta, initial_level, initial_trend, fitted) "
     "-> dict: Holt's linear method fitted to one series (each parameter a "
     "number to fix it or None to fit it)."},
    {"holt_forecast", core_holt_forecast, METH_VARARGS,
     "holt_forecast(fit, horizon, level, mean, lower, upper): the forecasts "
     "and ETS(A,A,N) prediction interval from holt_fit's dict."},
    {"holt_batch", core_holt_batch, METH_VARARGS,
     "holt_batch(values, alpha, beta, initial_level, initial_trend, "
     "horizon, level, threads, mean, lower, upper, alpha_out, beta_out, "
     "initial_level_out, initial_trend_out, sse, nobs): every row of a "
     "2-D array fitted and forecast."},
    {NULL, NULL, 0, NULL}
};
