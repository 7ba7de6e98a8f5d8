/* Glue for apportion.h: a total apportioned by weights, one total or
 * arrays of them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- apportionment ---------------------------------------------------- */

/* Exact weights (numerators, denominators) to common-denominator ints. */
static int64_t *common_weights(PyObject *module, PyObject *nums,
                               PyObject *dens, Py_ssize_t *n_out)
{
    Py_ssize_t n, nd;
    int64_t *num = int64_array(module, nums, "weights", &n);
    if (num == NULL)
        return NULL;
    int64_t *den = int64_array(module, dens, "weights", &nd);
    if (den == NULL) {
        PyMem_Free(num);
        return NULL;
    }
    int64_t *scaled = NULL;
    if (n != nd) {
        PyErr_SetString(PyExc_ValueError,
                        "numerators and denominators differ in length");
    } else if ((scaled = PyMem_Calloc(n ? (size_t)n : 1, sizeof *scaled)) ==
               NULL) {
        PyErr_NoMemory();
    } else {
        ap_error err;
        if (ap_weights_common(num, den, (size_t)n, scaled, &err) != AP_OK) {
            raise_error(module, &err);
            PyMem_Free(scaled);
            scaled = NULL;
        }
    }
    PyMem_Free(num);
    PyMem_Free(den);
    *n_out = n;
    return scaled;
}

PyDoc_STRVAR(weights_common_doc,
"weights_common($module, /, numerators, denominators)\n--\n\n"
"Exact weights (numerators and denominators, two lists of ints) as int\n"
"weights over their common denominator.");
ARG_SPEC(weights_common_args, "weights_common", 0, 0,
         "numerators", "denominators");

static PyObject *core_weights_common(PyObject *module, PyObject *const *args,
                                     Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *nums, *dens;
    if (parse_args(&weights_common_args, args, nargs, kwnames, "OO", &nums,
                   &dens) < 0)
        return NULL;
    Py_ssize_t n;
    int64_t *w = common_weights(module, nums, dens, &n);
    if (w == NULL)
        return NULL;
    PyObject *list = int64_list(w, (size_t)n);
    PyMem_Free(w);
    return list;
}

PyDoc_STRVAR(apportion_doc,
"apportion($module, /, total, weights, mode)\n--\n\n"
"total (pence) apportioned by int weights with mode\n"
"(\"largest_remainder\"...); returns the shares, a list of pence.");
ARG_SPEC(apportion_args, "apportion", 0, 0, "total", "weights", "mode");

static PyObject *core_apportion(PyObject *module, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *total_obj, *weights_obj;
    const char *mode_name;
    if (parse_args(&apportion_args, args, nargs, kwnames, "OOs", &total_obj,
                   &weights_obj, &mode_name) < 0)
        return NULL;
    int64_t total;
    ap_apportion_mode mode;
    Py_ssize_t n;
    if (to_int64(module, total_obj, "total", &total) < 0 ||
        parse_mode(module, mode_name, &mode) < 0)
        return NULL;
    int64_t *w = int64_array(module, weights_obj, "weights", &n);
    if (w == NULL)
        return NULL;
    int64_t *shares = PyMem_Calloc(n ? (size_t)n : 1, sizeof *shares);
    PyObject *result = NULL;
    if (shares == NULL) {
        PyErr_NoMemory();
    } else {
        ap_error err;
        if (ap_apportion(total, w, (size_t)n, mode, shares, &err) != AP_OK)
            raise_error(module, &err);
        else
            result = int64_list(shares, (size_t)n);
    }
    PyMem_Free(shares);
    PyMem_Free(w);
    return result;
}

typedef ap_status (*many_kernel)(const int64_t *, size_t, const int64_t *,
                                 size_t, ap_apportion_mode, int64_t *,
                                 ap_error *);

/* apportion_into(totals, weights, mode, out) and the lines variant: out
 * must hold len(totals) * len(weights) int64 values. */
static PyObject *run_many(PyObject *module, const arg_spec *spec,
                          PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames, many_kernel fn)
{
    PyObject *totals_obj, *weights_obj, *out_obj;
    const char *mode_name;
    const char *name = spec->name;
    if (parse_args(spec, args, nargs, kwnames, "OOsO", &totals_obj,
                   &weights_obj, &mode_name, &out_obj) < 0)
        return NULL;
    ap_apportion_mode mode;
    if (parse_mode(module, mode_name, &mode) < 0)
        return NULL;
    Py_ssize_t n_parties;
    int64_t *w = int64_array(module, weights_obj, "weights", &n_parties);
    if (w == NULL)
        return NULL;
    Py_buffer totals, out;
    if (get_int64_buffer(totals_obj, &totals, 0, "totals") < 0) {
        PyMem_Free(w);
        return NULL;
    }
    if (get_int64_buffer(out_obj, &out, 1, "out") < 0) {
        PyBuffer_Release(&totals);
        PyMem_Free(w);
        return NULL;
    }
    size_t n = (size_t)(totals.len / 8);
    PyObject *result = NULL;
    if ((size_t)out.len / 8 != n * (size_t)n_parties) {
        PyErr_Format(PyExc_ValueError,
                     "%s: out holds %zd values; %zu x %zd are needed", name,
                     out.len / 8, n, n_parties);
    } else {
        ap_error err;
        ap_status st;
        if (n >= RELEASE_GIL_THRESHOLD) {
            Py_BEGIN_ALLOW_THREADS
            st = fn(totals.buf, n, w, (size_t)n_parties, mode, out.buf, &err);
            Py_END_ALLOW_THREADS
        } else {
            st = fn(totals.buf, n, w, (size_t)n_parties, mode, out.buf, &err);
        }
        result = none_or_raise(module, st, &err);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&totals);
    PyMem_Free(w);
    return result;
}

PyDoc_STRVAR(apportion_into_doc,
"apportion_into($module, /, totals, weights, mode, out)\n--\n\n"
"Each total of the int64 array totals apportioned by the int weights;\n"
"the shares go into out (an int64 array of len(totals) x len(weights)).");
ARG_SPEC(apportion_into_args, "apportion_into", 0, 0,
         "totals", "weights", "mode", "out");

static PyObject *core_apportion_into(PyObject *module, PyObject *const *args,
                                     Py_ssize_t nargs, PyObject *kwnames)
{
    return run_many(module, &apportion_into_args, args, nargs, kwnames,
                    ap_apportion_many);
}

PyDoc_STRVAR(apportion_lines_into_doc,
"apportion_lines_into($module, /, lines, weights, mode, out)\n--\n\n"
"The lines (an int64 array) apportioned two-way by the int weights, so\n"
"each authority's total is apportioned too; the shares go into out\n"
"(len(lines) x len(weights)).");
ARG_SPEC(apportion_lines_into_args, "apportion_lines_into", 0, 0,
         "lines", "weights", "mode", "out");

static PyObject *core_apportion_lines_into(PyObject *module,
                                           PyObject *const *args,
                                           Py_ssize_t nargs, PyObject *kwnames)
{
    return run_many(module, &apportion_lines_into_args, args, nargs, kwnames,
                    ap_apportion_lines);
}

PyMethodDef apportion_methods[] = {
    GLUE_METHOD(weights_common),
    GLUE_METHOD(apportion),
    GLUE_METHOD(apportion_into),
    GLUE_METHOD(apportion_lines_into),
    {NULL, NULL, 0, NULL},
};
