/* Glue for schedule.h: quarterly instalments and the balancing payment. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- schedules -------------------------------------------------------- */

GLUE_FUNCTION(schedule_equal, "share, instalments, granularity, rounding",
"share (pence) in equal instalments, each a multiple of granularity,\n"
"rounded by rounding; a list of pence.")
{
    PyObject *share_obj;
    Py_ssize_t n;
    long long granularity;
    const char *rounding_name;
    if (parse_args(call, "OnLs", &share_obj, &n, &granularity,
                   &rounding_name) < 0)
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

GLUE_FUNCTION(schedule_balancing, "billed, actual_share",
"The balancing payment (pence) that brings what was billed to\n"
"actual_share.")
{
    PyObject *billed_obj, *actual_obj;
    if (parse_args(call, "OO", &billed_obj, &actual_obj) < 0)
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
