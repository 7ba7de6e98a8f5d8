/* Glue for the Student t distribution and the linear trend (student_t.c,
 * trend.c): float64 buffers in without copying (the batch's values with
 * any strides), results into the caller's arrays or a dict. */
#include <stddef.h>

#include "glue.h"

/* f(x, df) of Student's t from the arguments (x, df). */
static PyObject *t_function(const arg_spec *spec, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames,
                            double (*f)(double, double))
{
    double x, df;
    if (parse_args(spec, args, nargs, kwnames, "dd", &x, &df) < 0)
        return NULL;
    return PyFloat_FromDouble(f(x, df));
}

PyDoc_STRVAR(t_cdf_doc,
"t_cdf($module, /, t, df)\n--\n\n"
"P(T <= t) for Student's t with df degrees of freedom (df = inf: the\n"
"normal).");
ARG_SPEC(t_cdf_args, "t_cdf", 0, 0, "t", "df");

static PyObject *core_t_cdf(PyObject *module, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames)
{
    (void)module;
    return t_function(&t_cdf_args, args, nargs, kwnames, ap_student_t_cdf);
}

PyDoc_STRVAR(t_quantile_doc,
"t_quantile($module, /, p, df)\n--\n\n"
"The t with P(T <= t) = p for Student's t with df degrees of freedom.");
ARG_SPEC(t_quantile_args, "t_quantile", 0, 0, "p", "df");

static PyObject *core_t_quantile(PyObject *module, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    (void)module;
    return t_function(&t_quantile_args, args, nargs, kwnames,
                      ap_student_t_quantile);
}

/* ---- one series ------------------------------------------------------ */

/* The dict trend_fit returns and trend_predict reads back. */
#define FIT_DOUBLE(name) {#name, offsetof(ap_trend_fit, name), 0}
static const result_field FIT_FIELDS[] = {
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
enum { N_FIT_FIELDS = sizeof FIT_FIELDS / sizeof FIT_FIELDS[0] };

/* trend_fit(times, values) -> dict */
PyDoc_STRVAR(trend_fit_doc,
"trend_fit($module, /, times, values)\n--\n\n"
"The least squares line through the pairs of times and values (float64\n"
"arrays) where both are present, as a dict (nobs, intercept, slope,\n"
"intercept_se, slope_se, sigma2, ssr, r_squared, time_mean, sxx).");
ARG_SPEC(trend_fit_args, "trend_fit", 0, 0, "times", "values");

static PyObject *core_trend_fit(PyObject *module, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *times_obj, *values_obj;
    if (parse_args(&trend_fit_args, args, nargs, kwnames, "OO", &times_obj,
                   &values_obj) < 0)
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
            result = result_dict(&fit, FIT_FIELDS, N_FIT_FIELDS);
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&times);
    return result;
}

/* Every key of the fit is needed to predict from it. */
static int fit_key_missing(const char *key)
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
    return result_from_dict(module, d, "the fit's %s", fit_key_missing, fit,
                            FIT_FIELDS, N_FIT_FIELDS);
}

/* The columns trend_predict writes for each time, in this order. */
enum { PREDICT_COLUMNS = 7 };

/* trend_predict(fit, at, level, out): out is (n, 7) float64, row-major:
 * mean, mean_se, mean_ci_lower, mean_ci_upper, obs_ci_lower, obs_ci_upper,
 * obs_se. */
PyDoc_STRVAR(trend_predict_doc,
"trend_predict($module, /, fit, at, level, out)\n--\n\n"
"Predictions from trend_fit's dict at each time in at: out (n x 7\n"
"float64) gets mean, mean_se, mean_ci_lower, mean_ci_upper,\n"
"obs_ci_lower, obs_ci_upper and obs_se.");
ARG_SPEC(trend_predict_args, "trend_predict", 0, 0,
         "fit", "at", "level", "out");

static PyObject *core_trend_predict(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *fit_obj, *at_obj, *out_obj;
    double level;
    if (parse_args(&trend_predict_args, args, nargs, kwnames, "OOdO", &fit_obj,
                   &at_obj, &level, &out_obj) < 0)
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
    if (st != AP_OK)
        return raise_error(module, &err);
    Py_RETURN_NONE;
}

/* ---- many series ----------------------------------------------------- */

/* The batch's outputs, in the order trend_batch takes them. */
enum {
    OUT_MEAN,
    OUT_MEAN_CI_LOWER,
    OUT_MEAN_CI_UPPER,
    OUT_OBS_CI_LOWER,
    OUT_OBS_CI_UPPER,
    OUT_INTERCEPT,
    OUT_SLOPE,
    OUT_SIGMA2,
    OUT_NOBS,
    N_OUTS
};

static const char *const OUT_NAMES[N_OUTS] = {
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
PyDoc_STRVAR(trend_batch_doc,
"trend_batch($module, /, values, times, predict_at, level, threads, "
"mean=None, mean_ci_lower=None, mean_ci_upper=None, obs_ci_lower=None, "
"obs_ci_upper=None, intercept=None, slope=None, sigma2=None, nobs=None)\n--\n\n"
"A trend fitted to each row of values (series x time, read in place)\n"
"and predicted at predict_at; times None means 0, 1, ...; an output\n"
"left None is not computed.");
ARG_SPEC(trend_batch_args, "trend_batch", 9, 0,
         "values", "times", "predict_at", "level", "threads", "mean",
         "mean_ci_lower", "mean_ci_upper", "obs_ci_lower", "obs_ci_upper",
         "intercept", "slope", "sigma2", "nobs");

static PyObject *core_trend_batch(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *values_obj, *times_obj, *at_obj;
    PyObject *out_objs[N_OUTS] = {Py_None, Py_None, Py_None, Py_None, Py_None,
                                  Py_None, Py_None, Py_None, Py_None};
    double level;
    int threads;
    if (parse_args(&trend_batch_args, args, nargs, kwnames, "OOOdiOOOOOOOOO",
                   &values_obj, &times_obj, &at_obj, &level, &threads,
                   &out_objs[0], &out_objs[1], &out_objs[2], &out_objs[3],
                   &out_objs[4], &out_objs[5], &out_objs[6], &out_objs[7],
                   &out_objs[8]) < 0)
        return NULL;
    Py_buffer values, times, at, outs[N_OUTS];
    int have_times = 0, have_at = 0, have_out[N_OUTS] = {0};
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
    double **doubles[OUT_NOBS] = {
        &out.mean,         &out.mean_ci_lower, &out.mean_ci_upper,
        &out.obs_ci_lower, &out.obs_ci_upper,  &out.intercept,
        &out.slope,        &out.sigma2};
    for (int k = 0; k < N_OUTS; k++) {
        unsigned flags = OUTPUT_OPTIONAL | (k == OUT_NOBS ? OUTPUT_INT64 : 0);
        int rc = k < OUT_INTERCEPT
                     ? get_output(out_objs[k], &outs[k], &have_out[k], flags,
                                  n_series * n_predict, &values,
                                  OUT_NAMES[k],
                                  "%zu series x %zu predicted times = %zu "
                                  "are needed",
                                  n_series, n_predict, n_series * n_predict)
                     : get_output(out_objs[k], &outs[k], &have_out[k], flags,
                                  n_series, &values, OUT_NAMES[k],
                                  "one per series (%zu) is needed", n_series);
        if (rc < 0)
            goto done;
        if (!have_out[k])
            continue;
        if (k == OUT_NOBS)
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
    if (st != AP_OK)
        raise_error(module, &err);
    else
        result = Py_NewRef(Py_None);
done:
    for (int k = 0; k < N_OUTS; k++)
        if (have_out[k])
            PyBuffer_Release(&outs[k]);
    if (have_at)
        PyBuffer_Release(&at);
    if (have_times)
        PyBuffer_Release(&times);
    PyBuffer_Release(&values);
    return result;
}

PyMethodDef forecast_methods[] = {
    GLUE_METHOD(t_cdf),
    GLUE_METHOD(t_quantile),
    GLUE_METHOD(trend_fit),
    GLUE_METHOD(trend_predict),
    GLUE_METHOD(trend_batch),
    {NULL, NULL, 0, NULL}};
