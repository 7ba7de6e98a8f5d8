/* Glue for the grouped measures: record arrays in through the buffer
 * protocol, group results out as bytes of packed int64 rows that numpy
 * reads without a Python object per group. */
#include <limits.h>
#include <string.h>

#include "glue.h"

/* An optional int64 array: None gives NULL. */
static int optional_int64(PyObject *obj, Py_buffer *view, const char *what,
                          size_t n, int *have)
{
    *have = 0;
    if (obj == Py_None)
        return 0;
    if (get_int64_buffer(obj, view, 0, what) < 0)
        return -1;
    *have = 1;
    if ((size_t)(view->len / 8) != n) {
        PyErr_Format(PyExc_ValueError,
                     "%s holds %zd values for %zu records; one each is "
                     "needed",
                     what, view->len / 8, n);
        PyBuffer_Release(view);
        *have = 0;
        return -1;
    }
    return 0;
}

/* Two columns of the records, int64 arrays a and b of one length: 0 with
 * both views held and their length in *n; -1 with neither held and
 * "<a> holds <n> <items> and <b> <m>; they must be the same length". */
static int record_columns(PyObject *a_obj, PyObject *b_obj, const char *a,
                          const char *b, const char *items, Py_buffer *a_view,
                          Py_buffer *b_view, size_t *n)
{
    if (get_int64_buffer(a_obj, a_view, 0, a) < 0)
        return -1;
    if (get_int64_buffer(b_obj, b_view, 0, b) < 0) {
        PyBuffer_Release(a_view);
        return -1;
    }
    *n = (size_t)(a_view->len / 8);
    if ((size_t)(b_view->len / 8) != *n) {
        PyErr_Format(PyExc_ValueError,
                     "%s holds %zu %s and %s %zd; they must be the same "
                     "length",
                     a, *n, items, b, b_view->len / 8);
        PyBuffer_Release(b_view);
        PyBuffer_Release(a_view);
        return -1;
    }
    return 0;
}

/* What a grouped measure returns: its n groups of size bytes each as
 * bytes of packed rows, or the core's error (st, err) raised. */
static PyObject *group_bytes(PyObject *module, ap_status st,
                             const ap_error *err, const void *groups,
                             size_t n, size_t size)
{
    if (st != AP_OK)
        return raise_error(module, err);
    return PyBytes_FromStringAndSize(groups, (Py_ssize_t)(n * size));
}

GLUE_FUNCTION(sla_measure,
              "calendar, start, end, keys, limit, convention, as_of, "
              "threads=None",
"Bytes of int64 rows (key, records, within, total, open_late,\n"
"open_pending, closed, elapsed_sum, elapsed_max), one a key; threads None\n"
"or 0 is every core.")
{
    PyObject *capsule, *start_obj, *end_obj, *keys_obj;
    long long limit, as_of;
    const char *convention_name;
    PyObject *threads_obj = Py_None;
    if (parse_args(call, "OOOOLsLO", &capsule, &start_obj, &end_obj,
                   &keys_obj, &limit, &convention_name, &as_of,
                   &threads_obj) < 0)
        return NULL;
    int threads = 0;
    if (threads_obj != Py_None) {
        int overflow = 0;
        long t = PyLong_AsLongAndOverflow(threads_obj, &overflow);
        if (t == -1 && PyErr_Occurred())
            return NULL;
        if (overflow != 0 || t < INT_MIN || t > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError,
                            "threads is too large for a C int");
            return NULL;
        }
        threads = (int)t;
    }
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    ap_error err;
    ap_sla_options opt = {limit, AP_ELAPSED_AFTER_START, as_of};
    if (ap_elapsed_parse(convention_name, &opt.convention, &err) != AP_OK)
        return raise_error(module, &err);
    Py_buffer start, end, keys;
    size_t n;
    if (record_columns(start_obj, end_obj, "start", "end", "dates", &start,
                       &end, &n) < 0)
        return NULL;
    int have_keys = 0;
    PyObject *result = NULL;
    if (optional_int64(keys_obj, &keys, "by", n, &have_keys) == 0) {
        ap_sla_result r = {NULL, 0};
        ap_status st;
        Py_BEGIN_ALLOW_THREADS
        st = ap_sla_measure_threads(cal, start.buf, end.buf,
                                    have_keys ? keys.buf : NULL, n, &opt,
                                    threads, &r, &err);
        Py_END_ALLOW_THREADS
        /* ap_sla_group is nine int64 fields, key first. */
        result = group_bytes(module, st, &err, r.groups, r.n_groups,
                             sizeof(ap_sla_group));
        ap_sla_result_clear(&r);
    }
    if (have_keys)
        PyBuffer_Release(&keys);
    PyBuffer_Release(&end);
    PyBuffer_Release(&start);
    return result;
}

GLUE_FUNCTION(rereferrals, "subjects, dates, keys, window_months, flags",
"Bytes of int64 rows (key, records, rereferrals), one a key, flags\n"
"marking each re-referral within window_months.")
{
    PyObject *subjects_obj, *dates_obj, *keys_obj, *flags_obj;
    long long window;
    if (parse_args(call, "OOOLO", &subjects_obj, &dates_obj, &keys_obj,
                   &window, &flags_obj) < 0)
        return NULL;
    Py_buffer subjects, dates, keys, flags;
    size_t n;
    if (record_columns(subjects_obj, dates_obj, "subjects", "dates", "values",
                       &subjects, &dates, &n) < 0)
        return NULL;
    int have_keys = 0, have_flags = 0;
    PyObject *result = NULL;
    if (optional_int64(keys_obj, &keys, "by", n, &have_keys) < 0)
        goto done;
    if (flags_obj != Py_None) {
        if (get_typed_buffer(flags_obj, &flags, 1, 1, "B?", "uint8 or bool",
                             "flags") < 0)
            goto done;
        have_flags = 1;
        if ((size_t)flags.len != n) {
            PyErr_Format(PyExc_ValueError,
                         "flags holds %zd values for %zu records",
                         flags.len, n);
            goto done;
        }
    }
    ap_error err;
    ap_rereferral_result r = {NULL, 0};
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_rereferrals(subjects.buf, dates.buf, have_keys ? keys.buf : NULL,
                        n, window, have_flags ? flags.buf : NULL, &r, &err);
    Py_END_ALLOW_THREADS
    result = group_bytes(module, st, &err, r.groups, r.n_groups,
                         sizeof(ap_rereferral_group));
    ap_rereferral_result_clear(&r);
done:
    if (have_flags)
        PyBuffer_Release(&flags);
    if (have_keys)
        PyBuffer_Release(&keys);
    PyBuffer_Release(&dates);
    PyBuffer_Release(&subjects);
    return result;
}

PyMethodDef measure_methods[] = {
    GLUE_METHOD(sla_measure),
    GLUE_METHOD(rereferrals),
    {NULL, NULL, 0, NULL},
};
