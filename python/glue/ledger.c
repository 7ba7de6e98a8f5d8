/* Glue for ledgers (ledger.h): code, date and amount arrays come in
 * through the buffer protocol without a copy, and results go into int64
 * or int8 arrays that apportion.ledger allocates.  The sum releases the
 * GIL.  Also a loop of ap_money_parse over a column of money text, so a
 * CSV's amounts are read exactly without a Python call per figure. */
#include <string.h>

#include "glue.h"

/* A C-contiguous array of signed integer codes of 1, 2, 4 or 8 bytes. */
static int get_codes(PyObject *obj, Py_buffer *view, const char *what,
                     ap_codes *out)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int ok = strlen(f) == 1 && strchr("bhilq", *f) != NULL &&
             (view->itemsize == 1 || view->itemsize == 2 ||
              view->itemsize == 4 || view->itemsize == 8);
    if (!ok) {
        PyErr_Format(PyExc_TypeError,
                     "%s must hold signed integer codes (int8, int16, int32 "
                     "or int64), not items of format '%s' and size %zd",
                     what, view->format ? view->format : "B", view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    out->data = view->buf;
    out->type = (ap_code_type)view->itemsize;
    return 0;
}

static int check_length(Py_ssize_t got, size_t want, const char *what,
                        const char *of)
{
    if ((size_t)got == want)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s holds %zd values; %zu are needed (%s)",
                 what, got, want, of);
    return -1;
}

GLUE_FUNCTION(ledger_sum,
              "centre, period, amount, n_centres, n_periods, threads, out",
"out[c * n_periods + p] = the sum of the amounts of the lines of centre\n"
"c in period p.")
{
    PyObject *centre_obj, *period_obj, *amount_obj, *out_obj;
    Py_ssize_t n_centres, n_periods;
    int threads;
    if (parse_args(call, "OOOnniO", &centre_obj, &period_obj, &amount_obj,
                   &n_centres, &n_periods, &threads, &out_obj) < 0)
        return NULL;
    if (n_centres < 0 || n_periods < 0 ||
        (n_centres > 0 && n_periods > PY_SSIZE_T_MAX / n_centres)) {
        PyErr_SetString(PyExc_ValueError,
                        "n_centres and n_periods must not be negative, nor "
                        "their product beyond the address space");
        return NULL;
    }
    Py_buffer cv, pv, av, ov;
    ap_codes centre, period;
    if (get_codes(centre_obj, &cv, "centre", &centre) < 0)
        return NULL;
    if (get_codes(period_obj, &pv, "period", &period) < 0) {
        PyBuffer_Release(&cv);
        return NULL;
    }
    if (get_int64_buffer(amount_obj, &av, 0, "amount") < 0) {
        PyBuffer_Release(&pv);
        PyBuffer_Release(&cv);
        return NULL;
    }
    if (get_int64_buffer(out_obj, &ov, 1, "out") < 0) {
        PyBuffer_Release(&av);
        PyBuffer_Release(&pv);
        PyBuffer_Release(&cv);
        return NULL;
    }
    size_t n = (size_t)(av.len / 8);
    PyObject *result = NULL;
    if (check_length(cv.len / cv.itemsize, n, "centre", "one code a line") ==
            0 &&
        check_length(pv.len / pv.itemsize, n, "period", "one code a line") ==
            0 &&
        check_length(ov.len / 8, (size_t)n_centres * (size_t)n_periods,
                     "out", "n_centres x n_periods") == 0) {
        ap_error err;
        ap_status st;
        Py_BEGIN_ALLOW_THREADS
        st = ap_ledger_sum(centre, period, av.buf, n, (size_t)n_centres,
                           (size_t)n_periods, threads, ov.buf, &err);
        Py_END_ALLOW_THREADS
        result = none_or_raise(module, st, &err);
    }
    PyBuffer_Release(&ov);
    PyBuffer_Release(&av);
    PyBuffer_Release(&pv);
    PyBuffer_Release(&cv);
    return result;
}

/* ledger_periods(days, year_start, kind, out): days are int64 days since
 * 1970 (a datetime64[D] array viewed as int64); out is int8. */
GLUE_FUNCTION(ledger_periods, "days, year_start, kind, out",
"Fills out (int8) with the 0-based quarter (kind 4) or month (kind 12)\n"
"of each date in the year starting year_start.")
{
    PyObject *days_obj, *out_obj;
    long long year_start;
    int kind;
    if (parse_args(call, "OLiO", &days_obj, &year_start, &kind, &out_obj) < 0)
        return NULL;
    Py_buffer dv, ov;
    if (get_int64_buffer(days_obj, &dv, 0, "days") < 0)
        return NULL;
    if (get_typed_buffer(out_obj, &ov, 1, 1, "b", "int8", "out") < 0) {
        PyBuffer_Release(&dv);
        return NULL;
    }
    size_t n = (size_t)(dv.len / 8);
    PyObject *result = NULL;
    if (check_length(ov.len, n, "out", "one period a date") == 0) {
        ap_error err;
        ap_status st;
        Py_BEGIN_ALLOW_THREADS
        st = ap_ledger_periods(dv.buf, n, (int64_t)year_start,
                               (ap_period_kind)kind, ov.buf, &err);
        Py_END_ALLOW_THREADS
        result = none_or_raise(module, st, &err);
    }
    PyBuffer_Release(&ov);
    PyBuffer_Release(&dv);
    return result;
}

/* ledger_apportion(totals, n_centres, n_periods, weights, mode, out):
 * weights is n_centres rows of integer weights, one per party. */
GLUE_FUNCTION(ledger_apportion,
              "totals, n_centres, n_periods, weights, mode, out",
"Each centre's periods apportioned two-way by its row of weights, into\n"
"out.")
{
    PyObject *totals_obj, *weights_obj, *out_obj;
    Py_ssize_t n_centres, n_periods;
    const char *mode_name;
    if (parse_args(call, "OnnOsO", &totals_obj, &n_centres, &n_periods,
                   &weights_obj, &mode_name, &out_obj) < 0)
        return NULL;
    if (n_centres < 1 || n_periods < 0 ||
        n_periods > PY_SSIZE_T_MAX / n_centres) {
        PyErr_SetString(PyExc_ValueError,
                        "n_centres must be positive and n_periods not "
                        "negative, their product within the address space");
        return NULL;
    }
    ap_error err;
    ap_apportion_mode mode;
    if (parse_mode(module, mode_name, &mode) < 0)
        return NULL;
    Py_buffer tv, wv, ov;
    if (get_int64_buffer(totals_obj, &tv, 0, "totals") < 0)
        return NULL;
    if (get_int64_buffer(weights_obj, &wv, 0, "weights") < 0) {
        PyBuffer_Release(&tv);
        return NULL;
    }
    if (get_int64_buffer(out_obj, &ov, 1, "out") < 0) {
        PyBuffer_Release(&wv);
        PyBuffer_Release(&tv);
        return NULL;
    }
    size_t cells = (size_t)n_centres * (size_t)n_periods;
    size_t n_parties = (size_t)(wv.len / 8) / (size_t)n_centres;
    PyObject *result = NULL;
    if (check_length(tv.len / 8, cells, "totals", "n_centres x n_periods") ==
            0 &&
        check_length(wv.len / 8, (size_t)n_centres * n_parties, "weights",
                     "a row of weights per centre") == 0 &&
        check_length(ov.len / 8, cells * n_parties, "out",
                     "n_centres x n_periods x parties") == 0) {
        ap_status st;
        if (cells * n_parties >= RELEASE_GIL_THRESHOLD) {
            Py_BEGIN_ALLOW_THREADS
            st = ap_ledger_apportion(tv.buf, (size_t)n_centres,
                                     (size_t)n_periods, wv.buf, n_parties,
                                     mode, ov.buf, &err);
            Py_END_ALLOW_THREADS
        } else {
            st = ap_ledger_apportion(tv.buf, (size_t)n_centres,
                                     (size_t)n_periods, wv.buf, n_parties,
                                     mode, ov.buf, &err);
        }
        result = none_or_raise(module, st, &err);
    }
    PyBuffer_Release(&ov);
    PyBuffer_Release(&wv);
    PyBuffer_Release(&tv);
    return result;
}

/* parse_money_array(texts, unit, out) -> None, or (index, message) for the
 * first text that is not money (the caller names the row).  texts is a
 * sequence of str (a list, or a numpy object array). */
GLUE_FUNCTION(parse_money_array, "texts, unit, out",
"Fills out (int64 pence) with the money in each of texts; returns None,\n"
"or (index, message) of the first text that is not money.")
{
    PyObject *texts_obj, *out_obj;
    const char *unit_name;
    if (parse_args(call, "OsO", &texts_obj, &unit_name, &out_obj) < 0)
        return NULL;
    ap_error err;
    ap_unit unit;
    if (ap_unit_parse(unit_name, &unit, &err) != AP_OK)
        return raise_error(module, &err);
    PyObject *fast = PySequence_Fast(texts_obj, "texts must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_buffer ov;
    if (get_int64_buffer(out_obj, &ov, 1, "out") < 0) {
        Py_DECREF(fast);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject *result = NULL;
    if (check_length(ov.len / 8, (size_t)n, "out", "one amount a text") ==
        0) {
        PyObject **items = PySequence_Fast_ITEMS(fast);
        int64_t *out = ov.buf;
        result = Py_NewRef(Py_None);
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!PyUnicode_Check(items[i])) {
                Py_SETREF(result,
                          Py_BuildValue("(ns)", i, "is not text"));
                break;
            }
            Py_ssize_t len;
            char name[48];
            snprintf(name, sizeof name, "texts[%zd]", i);
            const char *text = utf8_of(items[i], &len, name);
            if (text == NULL) {
                Py_CLEAR(result);
                break;
            }
            if (ap_money_parse(text, (size_t)len, unit, &out[i], NULL,
                               &err) != AP_OK) {
                Py_SETREF(result, Py_BuildValue("(nN)", i,
                                                core_text(err.message)));
                break;
            }
        }
    }
    PyBuffer_Release(&ov);
    Py_DECREF(fast);
    return result;
}

PyMethodDef ledger_methods[] = {
    GLUE_METHOD(ledger_sum),
    GLUE_METHOD(ledger_periods),
    GLUE_METHOD(ledger_apportion),
    GLUE_METHOD(parse_money_array),
    {NULL, NULL, 0, NULL},
};
