/* Glue for schedule.h: quarterly instalments and the balancing payment. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- schedules -------------------------------------------------------- */

PyDoc_STRVAR(schedule_equal_doc,
"schedule_equal($module, /, share, instalments, granularity, rounding)\n--\n\n"
"share (pence) in equal instalments, each a multiple of granularity,\n"
"rounded by rounding; a list of pence.");
ARG_SPEC(schedule_equal_args, "schedule_equal", 0, 0,
         "share", "instalments", "granularity", "rounding");

static PyObject *core_schedule_equal(PyObject *module, PyObject *const *args,
                                     Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *share_obj;
    Py_ssize_t n;
    long long granularity;
    const char *rounding_name;
    if (parse_args(&schedule_equal_args, args, nargs, kwnames, "OnLs",
                   &share_obj, &n, &granularity, &rounding_name) < 0)
        return NULL;
    int64_t share;
    if (to_int64(module, share_obj, "share", &share) < 0)
        return NULL;
    ap_error err;
    ap_rounding rounding;
    if (ap_rounding_parse(rounding_name, &rounding, &err) != AP_OK)
        return raise_error(module, &err);
    if (n < 1 || n > 1000) {
        PyErr_Format(get_state(module)->input_error,
                     "instalments must be between 1 and 1000, not %zd", n);
        return NULL;
    }
    int64_t parts[1000];
    if (ap_schedule_equal(share, (size_t)n, granularity, rounding, parts,
                          &err) != AP_OK)
        return raise_error(module, &err);
    return int64_list(parts, (size_t)n);
}

PyDoc_STRVAR(schedule_balancing_doc,
"schedule_balancing($module, /, billed, actual_share)\n--\n\n"
"The balancing payment (pence) that brings what was billed to\n"
"actual_share.");
ARG_SPEC(schedule_balancing_args, "schedule_balancing", 0, 0,
         "billed", "actual_share");

static PyObject *core_schedule_balancing(PyObject *module,
                                         PyObject *const *args,
                                         Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *billed_obj, *actual_obj;
    if (parse_args(&schedule_balancing_args, args, nargs, kwnames, "OO",
                   &billed_obj, &actual_obj) < 0)
        return NULL;
    int64_t actual, balance;
    if (to_int64(module, actual_obj, "actual_share", &actual) < 0)
        return NULL;
    Py_ssize_t n;
    int64_t *billed = int64_array(module, billed_obj, "billed", &n);
    if (billed == NULL)
        return NULL;
    ap_error err;
    ap_status st = ap_schedule_balancing(billed, (size_t)n, actual, &balance,
                                         &err);
    PyMem_Free(billed);
    if (st != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(balance);
}

PyMethodDef schedule_methods[] = {
    GLUE_METHOD(schedule_equal),
    GLUE_METHOD(schedule_balancing),
    {NULL, NULL, 0, NULL},
};
