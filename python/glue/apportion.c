/* Glue for apportion.h: a total apportioned by weights, one total or
 * arrays of them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
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

GLUE_FUNCTION(weights_common, "numerators, denominators",
"Exact weights (numerators and denominators, two lists of ints) as int\n"
"weights over their common denominator.")
{
    PyObject *nums, *dens;
    if (parse_args(call, "OO", &nums, &dens) < 0)
        return NULL;
    Py_ssize_t n;
    int64_t *w = common_weights(module, nums, dens, &n);
    if (w == NULL)
        return NULL;
    PyObject *list = int64_list(w, (size_t)n);
    PyMem_Free(w);
    return list;
}

GLUE_FUNCTION(apportion, "total, weights, mode",
"total (pence) apportioned by int weights with mode\n"
"(\"largest_remainder\"...); returns the shares, a list of pence.")
{
    PyObject *total_obj, *weights_obj;
    const char *mode_name;
    if (parse_args(call, "OOs", &total_obj, &weights_obj, &mode_name) < 0)
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

/* apportion_into(totals, weights, mode, out, threads=None, fresh=None)
 * and apportion_lines_into(lines, weights, mode, out): out must hold
 * len(totals) * len(weights) int64 values.  The GIL is released while a
 * large array is apportioned. */
static PyObject *run_many(PyObject *module, const glue_call *call, int lines)
{
    PyObject *totals_obj, *weights_obj, *out_obj, *threads_obj = Py_None;
    PyObject *fresh_obj = Py_None;
    const char *mode_name;
    const char *name = call->name;
    if (lines ? parse_args(call, "OOsO", &totals_obj, &weights_obj,
                           &mode_name, &out_obj) < 0
              : parse_args(call, "OOsOOO", &totals_obj, &weights_obj,
                           &mode_name, &out_obj, &threads_obj,
                           &fresh_obj) < 0)
        return NULL;
    ap_apportion_mode mode;
    long threads = 0;
    if (parse_mode(module, mode_name, &mode) < 0)
        return NULL;
    int fresh = fresh_obj == Py_None ? 0 : PyObject_IsTrue(fresh_obj);
    if (fresh < 0)
        return NULL;
    if (threads_obj != Py_None) {
        threads = PyLong_AsLong(threads_obj);
        if (threads == -1 && PyErr_Occurred())
            return NULL;
        if (threads < INT_MIN || threads > INT_MAX) {
            PyErr_Format(PyExc_ValueError,
                         "%s: threads must be 0 (every core) or more, not "
                         "%ld",
                         name, threads);
            return NULL;
        }
    }
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
    /* The kernels take both pointers as restrict: refuse memory shared
     * by the two here too, not only in the Python wrapper.  (Compared as
     * integers: the buffers may belong to different objects.) */
    uintptr_t t0 = (uintptr_t)totals.buf, o0 = (uintptr_t)out.buf;
    int overlap = totals.len > 0 && out.len > 0 &&
                  t0 < o0 + (uintptr_t)out.len && o0 < t0 + (uintptr_t)totals.len;
    if ((size_t)out.len / 8 != n * (size_t)n_parties) {
        PyErr_Format(PyExc_ValueError,
                     "%s: out holds %zd values; %zu x %zd are needed", name,
                     out.len / 8, n, n_parties);
    } else if (overlap) {
        PyErr_Format(PyExc_ValueError,
                     "%s: out shares memory with the %s; give it an array "
                     "of its own", name, lines ? "lines" : "totals");
    } else {
        ap_error err;
        ap_status st;
        PyThreadState *saved = NULL;
        if (n >= RELEASE_GIL_THRESHOLD)
            saved = PyEval_SaveThread();
        if (lines)
            st = ap_apportion_lines(totals.buf, n, w, (size_t)n_parties, mode,
                                    out.buf, &err);
        else
            st = ap_apportion_many_stores(
                totals.buf, n, w, (size_t)n_parties, mode, (int)threads,
                fresh ? AP_STORE_CACHED : AP_STORE_AUTO, out.buf, &err);
        if (saved != NULL)
            PyEval_RestoreThread(saved);
        result = none_or_raise(module, st, &err);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&totals);
    PyMem_Free(w);
    return result;
}

GLUE_FUNCTION(apportion_into,
              "totals, weights, mode, out, threads=None, fresh=None",
"Each total of the int64 array totals apportioned by the int weights;\n"
"the shares go into out (an int64 array of len(totals) x len(weights)).\n"
"threads: 0 or None for every core, 1 for the calling thread alone.\n"
"fresh: true when out was never written (a new array), so that the\n"
"shares are stored through the caches (AP_STORE_CACHED), not streamed.")
{
    return run_many(module, call, 0);
}

GLUE_FUNCTION(apportion_lines_into, "lines, weights, mode, out",
"The lines (an int64 array) apportioned two-way by the int weights, so\n"
"each authority's total is apportioned too; the shares go into out\n"
"(len(lines) x len(weights)).")
{
    return run_many(module, call, 1);
}

PyMethodDef apportion_methods[] = {
    GLUE_METHOD(weights_common),
    GLUE_METHOD(apportion),
    GLUE_METHOD(apportion_into),
    GLUE_METHOD(apportion_lines_into),
    {NULL, NULL, 0, NULL},
};
