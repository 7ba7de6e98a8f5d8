/* apportion._core: the CPython glue over the C core.
 *
 * It converts Python values to the core's types and back, and maps the
 * core's status codes to apportion.errors; every computation happens in
 * csrc/.  Multi-phase initialisation with per-module state, so the module
 * can be loaded in subinterpreters. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "_core.h"

module_state *get_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

/* Text from the core as str; a message cut at its buffer's end may split
 * a UTF-8 character, which becomes U+FFFD rather than a second error. */
PyObject *core_text(const char *text)
{
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
}

/* Raises the exception matching err->status and returns NULL. */
PyObject *raise_error(PyObject *module, const ap_error *err)
{
    module_state *st = get_state(module);
    PyObject *type;
    switch (err->status) {
    case AP_E_NOMEM:
        return PyErr_NoMemory();
    case AP_E_IO: type = PyExc_OSError; break;
    case AP_E_OVERFLOW: type = st->overflow_error; break;
    case AP_E_PLAN: type = st->plan_error; break;
    case AP_E_PLUGIN: type = st->plugin_error; break;
    case AP_E_INPUT:
    default: type = st->input_error; break;
    }
    PyObject *exc;
    if (type == st->plan_error)
        exc = PyObject_CallFunction(type, "NNii", core_text(err->message),
                                    core_text(err->path), err->line,
                                    err->column);
    else
        exc = PyObject_CallFunction(type, "N", core_text(err->message));
    if (exc != NULL) {
        PyErr_SetObject(type, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* ---- conversions ------------------------------------------------------- */

/* Any integer (int, numpy integer: whatever has __index__) but not bool
 * or float. */
PyObject *int_of(PyObject *obj, const char *what)
{
    if (PyBool_Check(obj) || PyFloat_Check(obj) ||
        Py_TYPE(obj)->tp_as_number == NULL ||
        Py_TYPE(obj)->tp_as_number->nb_index == NULL) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", what,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return PyNumber_Index(obj);
}

int to_int64(PyObject *module, PyObject *obj, const char *what,
             int64_t *out)
{
    PyObject *index = int_of(obj, what);
    if (index == NULL)
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (overflow != 0) {
        PyErr_Format(get_state(module)->overflow_error,
                     "%s does not fit in a 64-bit integer", what);
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* A sequence of ints as a new int64 array (caller frees). */
static int64_t *int64_array(PyObject *module, PyObject *seq, const char *what,
                            Py_ssize_t *n_out)
{
    PyObject *fast = PySequence_Fast(seq, "expected a sequence of ints");
    if (fast == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int64_t *values = PyMem_Calloc(n ? (size_t)n : 1, sizeof *values);
    if (values == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zd]", what, i);
        if (to_int64(module, items[i], name, &values[i]) < 0) {
            PyMem_Free(values);
            Py_DECREF(fast);
            return NULL;
        }
    }
    Py_DECREF(fast);
    *n_out = n;
    return values;
}

PyObject *int64_list(const int64_t *values, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLongLong(values[i]);
        if (v == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    return list;
}

static int parse_mode(PyObject *module, const char *name,
                      ap_apportion_mode *mode)
{
    ap_error err;
    if (ap_apportion_mode_parse(name, mode, &err) != AP_OK) {
        raise_error(module, &err);
        return -1;
    }
    return 0;
}

/* ---- money -------------------------------------------------------------- */

static PyObject *core_parse_money(PyObject *module, PyObject *args)
{
    const char *text, *unit_name;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#s:parse_money", &text, &len, &unit_name))
        return NULL;
    ap_error err;
    ap_unit unit;
    int64_t pence, resolution;
    if (ap_unit_parse(unit_name, &unit, &err) != AP_OK ||
        ap_money_parse(text, (size_t)len, unit, &pence, &resolution, &err) !=
            AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("LL", (long long)pence, (long long)resolution);
}

static PyObject *core_format_money(PyObject *module, PyObject *args)
{
    PyObject *amount;
    const char *unit_name, *negative;
    int decimals, symbol, grouping;
    if (!PyArg_ParseTuple(args, "Osispp:format_money", &amount, &unit_name,
                          &decimals, &negative, &symbol, &grouping))
        return NULL;
    int64_t pence;
    if (to_int64(module, amount, "pence", &pence) < 0)
        return NULL;
    ap_error err;
    ap_format_options o = ap_format_defaults();
    if (ap_unit_parse(unit_name, &o.unit, &err) != AP_OK)
        return raise_error(module, &err);
    if (strcmp(negative, "minus") == 0)
        o.negative = AP_NEGATIVE_MINUS;
    else if (strcmp(negative, "brackets") == 0)
        o.negative = AP_NEGATIVE_BRACKETS;
    else {
        PyErr_Format(get_state(module)->input_error,
                     "negative must be \"minus\" or \"brackets\", not \"%s\"",
                     negative);
        return NULL;
    }
    o.decimals = decimals;
    o.symbol = symbol;
    o.grouping = grouping;
    char buf[64];
    if (ap_money_format(pence, &o, buf, sizeof buf, &err) != AP_OK)
        return raise_error(module, &err);
    return PyUnicode_FromString(buf);
}

static PyObject *core_parse_decimal(PyObject *module, PyObject *args)
{
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#:parse_decimal", &text, &len))
        return NULL;
    int64_t num, den;
    ap_error err;
    if (ap_decimal_parse(text, (size_t)len, &num, &den, &err) != AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("LL", (long long)num, (long long)den);
}

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

static PyObject *core_weights_common(PyObject *module, PyObject *args)
{
    PyObject *nums, *dens;
    if (!PyArg_ParseTuple(args, "OO:weights_common", &nums, &dens))
        return NULL;
    Py_ssize_t n;
    int64_t *w = common_weights(module, nums, dens, &n);
    if (w == NULL)
        return NULL;
    PyObject *list = int64_list(w, (size_t)n);
    PyMem_Free(w);
    return list;
}

static PyObject *core_apportion(PyObject *module, PyObject *args)
{
    PyObject *total_obj, *weights_obj;
    const char *mode_name;
    if (!PyArg_ParseTuple(args, "OOs:apportion", &total_obj, &weights_obj,
                          &mode_name))
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

/* The items of a view already taken must be itemsize bytes with a struct
 * format among `formats`; otherwise TypeError and the view released. */
static int check_item_type(Py_buffer *view, Py_ssize_t itemsize,
                           const char *formats, const char *type,
                           const char *what)
{
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    if (view->itemsize != itemsize || strlen(f) != 1 ||
        strchr(formats, *f) == NULL) {
        PyErr_Format(PyExc_TypeError,
                     "%s must hold %s values, not items of format '%s' and "
                     "size %zd",
                     what, type, view->format ? view->format : "B",
                     view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Gets a C-contiguous buffer whose items are itemsize bytes with a
 * struct format among `formats` (each one character, e.g. "ql" or "B?");
 * type names the item type in the error ("int64"). */
int get_typed_buffer(PyObject *obj, Py_buffer *view, int writable,
                     Py_ssize_t itemsize, const char *formats,
                     const char *type, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    if (writable)
        flags |= PyBUF_WRITABLE;
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    return check_item_type(view, itemsize, formats, type, what);
}

int get_int64_buffer(PyObject *obj, Py_buffer *view, int writable,
                     const char *what)
{
    return get_typed_buffer(obj, view, writable, 8, "ql", "int64", what);
}

/* ---- arrays, numbers and result dicts of the forecast glue ------------- */

/* PyObject_GetBuffer with the argument's name and what was asked for put
 * before the exporter's message ("ndarray is not C-contiguous" alone does
 * not say which argument). */
static int named_buffer(PyObject *obj, Py_buffer *view, int flags,
                        const char *what, const char *asked)
{
    if (PyObject_GetBuffer(obj, view, flags) == 0)
        return 0;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (type != NULL && PyErr_GivenExceptionMatches(type, PyExc_Exception) &&
        value != NULL) {
        PyErr_Format(type, "%s (%s): %S", what, asked, value);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
    } else {
        PyErr_Restore(type, value, tb);
    }
    return -1;
}

int get_strided_doubles(PyObject *obj, Py_buffer *view, int ndim,
                        const char *what)
{
    if (named_buffer(obj, view, PyBUF_STRIDES | PyBUF_FORMAT, what,
                     "a float64 array") < 0 ||
        check_item_type(view, 8, "d", "float64", what) < 0)
        return -1;
    if (view->ndim != ndim) {
        PyErr_Format(PyExc_ValueError,
                     "%s must be a %s array; this one has %d dimension%s",
                     what, ndim == 1 ? "1-D" : "2-D (series x time)",
                     view->ndim, view->ndim == 1 ? "" : "s");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

int get_double_vector(PyObject *obj, Py_buffer *view, const char *what,
                      const char *each)
{
    if (get_typed_buffer(obj, view, 0, 8, "d", "float64", what) < 0)
        return -1;
    if (view->ndim == 1)
        return 0;
    if (each != NULL)
        PyErr_Format(PyExc_ValueError, "%s must be 1-D, %s, not %d-D", what,
                     each, view->ndim);
    else
        PyErr_Format(PyExc_ValueError, "%s must be 1-D, not %d-D", what,
                     view->ndim);
    PyBuffer_Release(view);
    return -1;
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

/* Nonzero (with ValueError) when an output shares memory with the input
 * the core reads while it writes: writing it would change values not yet
 * read. */
static int overlaps_source(const Py_buffer *source, const Py_buffer *out,
                           const char *what)
{
    const char *a, *b, *c, *d;
    view_span(source, &a, &b);
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

int get_output(PyObject *obj, Py_buffer *view, int *have, unsigned flags,
               size_t n, const Py_buffer *source, const char *what,
               const char *needed, ...)
{
    *have = 0;
    if (obj == Py_None && (flags & OUTPUT_OPTIONAL))
        return 0;
    int int64 = (flags & OUTPUT_INT64) != 0;
    if (named_buffer(obj, view,
                     PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE, what,
                     int64 ? "a writable C-contiguous int64 array"
                           : "a writable C-contiguous float64 array") < 0 ||
        check_item_type(view, 8, int64 ? "ql" : "d",
                        int64 ? "int64" : "float64", what) < 0)
        return -1;
    if ((size_t)(view->len / 8) != n) {
        va_list ap;
        va_start(ap, needed);
        PyObject *tail = PyUnicode_FromFormatV(needed, ap);
        va_end(ap);
        if (tail != NULL) {
            PyErr_Format(PyExc_ValueError, "%s holds %zd values; %U", what,
                         view->len / 8, tail);
            Py_DECREF(tail);
        }
        PyBuffer_Release(view);
        return -1;
    }
    if (source != NULL && overlaps_source(source, view, what)) {
        PyBuffer_Release(view);
        return -1;
    }
    *have = 1;
    return 0;
}

int to_double(PyObject *obj, const char *what, const char *expected,
              double *out)
{
    if (PyBool_Check(obj) ||
        !(PyFloat_Check(obj) || PyIndex_Check(obj) ||
          (Py_TYPE(obj)->tp_as_number != NULL &&
           Py_TYPE(obj)->tp_as_number->nb_float != NULL))) {
        PyErr_Format(PyExc_TypeError, "%s must be %s, not %.100s", what,
                     expected, Py_TYPE(obj)->tp_name);
        return -1;
    }
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

PyObject *result_dict(const void *result, const result_field *fields,
                      size_t n)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *member = (const char *)result + fields[i].offset;
        PyObject *v = fields[i].is_int64
                          ? PyLong_FromLongLong(*(const int64_t *)member)
                          : PyFloat_FromDouble(*(const double *)member);
        if (set_item(d, fields[i].key, v) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

int result_from_dict(PyObject *module, PyObject *dict,
                     const char *name_format, int (*missing)(const char *),
                     void *result, const result_field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *key = fields[i].key;
        PyObject *v = PyDict_GetItemString(dict, key); /* borrowed */
        if (v == NULL) {
            if (missing(key) < 0)
                return -1;
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, name_format, key);
        char *member = (char *)result + fields[i].offset;
        if (fields[i].is_int64
                ? to_int64(module, v, what, (int64_t *)member) < 0
                : to_double(v, what, "a number", (double *)member) < 0)
            return -1;
    }
    return 0;
}

typedef ap_status (*many_kernel)(const int64_t *, size_t, const int64_t *,
                                 size_t, ap_apportion_mode, int64_t *,
                                 ap_error *);

/* apportion_into(totals, weights, mode, out) and the lines variant: out
 * must hold len(totals) * len(weights) int64 values. */
static PyObject *run_many(PyObject *module, PyObject *args, many_kernel fn,
                          const char *name)
{
    PyObject *totals_obj, *weights_obj, *out_obj;
    const char *mode_name;
    if (!PyArg_ParseTuple(args, "OOsO", &totals_obj, &weights_obj,
                          &mode_name, &out_obj))
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
        if (st != AP_OK)
            raise_error(module, &err);
        else
            result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&totals);
    PyMem_Free(w);
    return result;
}

static PyObject *core_apportion_into(PyObject *module, PyObject *args)
{
    return run_many(module, args, ap_apportion_many, "apportion_into");
}

static PyObject *core_apportion_lines_into(PyObject *module, PyObject *args)
{
    return run_many(module, args, ap_apportion_lines, "apportion_lines_into");
}

/* ---- schedules -------------------------------------------------------- */

static PyObject *core_schedule_equal(PyObject *module, PyObject *args)
{
    PyObject *share_obj;
    Py_ssize_t n;
    long long granularity;
    const char *rounding_name;
    if (!PyArg_ParseTuple(args, "OnLs:schedule_equal", &share_obj, &n,
                          &granularity, &rounding_name))
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

static PyObject *core_schedule_balancing(PyObject *module, PyObject *args)
{
    PyObject *billed_obj, *actual_obj;
    if (!PyArg_ParseTuple(args, "OO:schedule_balancing", &billed_obj,
                          &actual_obj))
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

/* ---- plans ------------------------------------------------------------- */

int set_item(PyObject *dict, const char *key, PyObject *value)
{
    if (value == NULL)
        return -1;
    int rc = PyDict_SetItemString(dict, key, value);
    Py_DECREF(value);
    return rc;
}

PyObject *str_or_none(const char *s)
{
    if (s == NULL || *s == '\0')
        Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

static PyObject *code_of(const ap_plan *plan, size_t index)
{
    return PyUnicode_FromString(plan->authorities[index].code);
}

PyObject *amount_tuple(const ap_amount *a)
{
    return Py_BuildValue("LL", (long long)a->pence, (long long)a->resolution);
}

PyObject *amount_or_none(int present, const ap_amount *a)
{
    if (!present)
        Py_RETURN_NONE;
    return amount_tuple(a);
}

PyObject *int64_rows(const int64_t *cells, size_t n_rows, size_t n_cols)
{
    PyObject *rows = PyList_New((Py_ssize_t)n_rows);
    for (size_t i = 0; rows != NULL && i < n_rows; i++) {
        PyObject *row = int64_list(cells + i * n_cols, n_cols);
        if (row == NULL)
            Py_CLEAR(rows);
        else
            PyList_SET_ITEM(rows, (Py_ssize_t)i, row);
    }
    return rows;
}

PyObject *basis_dict(const ap_basis *b, size_t n)
{
    PyObject *values = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; values != NULL && i < n; i++) {
        PyObject *v = Py_BuildValue("(NLL)", core_text(b->value_text[i]),
                                    (long long)b->num[i],
                                    (long long)b->den[i]);
        if (v == NULL)
            Py_CLEAR(values);
        else
            PyList_SET_ITEM(values, (Py_ssize_t)i, v);
    }
    if (values == NULL)
        return NULL;
    PyObject *d = PyDict_New();
    if (d == NULL) {
        Py_DECREF(values);
        return NULL;
    }
    if (set_item(d, "name", core_text(b->name)) < 0 ||
        set_item(d, "kind", PyUnicode_FromString(b->kind == AP_BASIS_PERCENT
                                                     ? "percent"
                                                     : "metric")) < 0 ||
        set_item(d, "mode", PyUnicode_FromString(ap_apportion_mode_name(
                                (ap_apportion_mode)b->mode))) < 0 ||
        set_item(d, "values", values) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *stated_share(const ap_stated_share *s)
{
    PyObject *funding = PyList_New((Py_ssize_t)s->n_funding);
    if (funding == NULL)
        return NULL;
    for (size_t f = 0; f < s->n_funding; f++) {
        PyObject *item = Py_BuildValue("(sN)", s->funding[f].source,
                                       amount_tuple(&s->funding[f].amount));
        if (item == NULL) {
            Py_DECREF(funding);
            return NULL;
        }
        PyList_SET_ITEM(funding, (Py_ssize_t)f, item);
    }
    return Py_BuildValue("{s:N,s:N}", "amount", amount_tuple(&s->amount),
                         "funding", funding);
}

static PyObject *budget_line(const ap_plan *plan, const ap_budget_line *l)
{
    PyObject *stated = PyDict_New();
    if (stated == NULL)
        return NULL;
    for (size_t a = 0; a < plan->n_authorities; a++) {
        if (!l->stated[a].present)
            continue;
        if (set_item(stated, plan->authorities[a].code,
                     stated_share(&l->stated[a])) < 0) {
            Py_DECREF(stated);
            return NULL;
        }
    }
    return Py_BuildValue(
        "{s:s,s:s,s:N,s:N,s:N}", "id", l->id, "description", l->description,
        "total", amount_tuple(&l->total), "host_income",
        l->has_host_income ? amount_tuple(&l->host_income)
                           : Py_NewRef(Py_None),
        "stated", stated);
}

static PyObject *plan_lines(const ap_plan *plan)
{
    PyObject *lines = PyList_New((Py_ssize_t)plan->n_lines);
    if (lines == NULL)
        return NULL;
    for (size_t j = 0; j < plan->n_lines; j++) {
        PyObject *line = budget_line(plan, &plan->lines[j]);
        if (line == NULL) {
            Py_DECREF(lines);
            return NULL;
        }
        PyList_SET_ITEM(lines, (Py_ssize_t)j, line);
    }
    return lines;
}

/* The plan's basis: the split as every model gives it, with the
 * weights it apportions by. */
static PyObject *plan_basis(const ap_plan *plan)
{
    PyObject *d = basis_dict(&plan->basis, plan->n_authorities);
    if (d == NULL ||
        set_item(d, "weights", int64_list(plan->basis.weights,
                                          plan->n_authorities)) < 0) {
        Py_XDECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *plan_result(const ap_plan_result *r)
{
    size_t na = r->n_authorities;
    PyObject *shares = int64_rows(r->shares, r->n_lines, na);
    if (shares == NULL)
        return NULL;
    PyObject *checks = PyList_New((Py_ssize_t)r->n_checks);
    if (checks == NULL) {
        Py_DECREF(shares);
        return NULL;
    }
    static const char *const statuses[] = {"ok", "rounding", "mismatch"};
    for (size_t i = 0; i < r->n_checks; i++) {
        const ap_check *c = &r->checks[i];
        PyObject *item = Py_BuildValue(
            "{s:s,s:s,s:s,s:i,s:L,s:L,s:L,s:s}", "id", c->id, "description",
            c->description, "kind",
            c->kind == AP_CHECK_MONEY ? "money" : "percent", "scale",
            c->scale, "stated", (long long)c->stated, "computed",
            (long long)c->computed, "difference", (long long)c->difference,
            "status", statuses[c->status]);
        if (item == NULL) {
            Py_DECREF(shares);
            Py_DECREF(checks);
            return NULL;
        }
        PyList_SET_ITEM(checks, (Py_ssize_t)i, item);
    }
    PyObject *instalments =
        r->has_schedule ? int64_list(r->instalments, r->n_instalments)
                        : Py_NewRef(Py_None);
    PyObject *balancing = r->has_balancing
                              ? Py_BuildValue("LL", (long long)r->actual_share,
                                              (long long)r->balancing)
                              : Py_NewRef(Py_None);
    return Py_BuildValue("{s:N,s:N,s:L,s:L,s:N,s:N,s:N}", "shares", shares,
                         "authority_totals",
                         int64_list(r->authority_totals, na), "grand_total",
                         (long long)r->grand_total, "recharge_share",
                         (long long)r->recharge_share, "instalments",
                         instalments, "balancing", balancing, "checks",
                         checks);
}

static PyObject *plan_authorities(const ap_plan *plan)
{
    PyObject *list = PyList_New((Py_ssize_t)plan->n_authorities);
    for (size_t i = 0; list != NULL && i < plan->n_authorities; i++) {
        PyObject *t = Py_BuildValue("(ss)", plan->authorities[i].code,
                                    plan->authorities[i].name);
        if (t == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

static PyObject *plan_agreement(const ap_plan *plan)
{
    const ap_agreement *ag = &plan->agreement;
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N,s:N}", "service_area",
        str_or_none(ag->service_area), "function", str_or_none(ag->function),
        "treatment", str_or_none(ag->treatment), "host",
        ag->has_parties ? code_of(plan, ag->host) : Py_NewRef(Py_None),
        "receiving",
        ag->has_parties ? code_of(plan, ag->receiving) : Py_NewRef(Py_None),
        "notice_months",
        ag->notice_months >= 0 ? PyLong_FromLong(ag->notice_months)
                               : Py_NewRef(Py_None));
}

static PyObject *plan_recharge(const ap_plan *plan)
{
    const ap_recharge_rule *rr = &plan->recharge;
    if (!rr->present)
        Py_RETURN_NONE;
    return Py_BuildValue(
        "{s:N,s:N,s:s,s:n,s:L,s:s}", "payer", code_of(plan, rr->payer),
        "payee", code_of(plan, rr->payee), "of",
        rr->of == AP_RECHARGE_OF_STATED ? "stated" : "basis", "instalments",
        (Py_ssize_t)rr->instalments, "granularity",
        (long long)rr->granularity, "rounding",
        ap_rounding_name(rr->rounding));
}

static PyObject *plan_carry_forwards(const ap_plan *plan)
{
    PyObject *list = PyList_New((Py_ssize_t)plan->n_carry_forwards);
    for (size_t i = 0; list != NULL && i < plan->n_carry_forwards; i++) {
        const ap_carry_forward *c = &plan->carry_forwards[i];
        PyObject *item = Py_BuildValue(
            "{s:s,s:s,s:s,s:N,s:N,s:N}", "description", c->description,
            "kind", c->kind, "from_year", c->from_year, "amount",
            amount_tuple(&c->amount), "payer", code_of(plan, c->payer),
            "payee", code_of(plan, c->payee));
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *plan_stated_instalments(const ap_plan *plan)
{
    PyObject *list = PyList_New((Py_ssize_t)plan->n_stated_instalments);
    for (size_t i = 0; list != NULL && i < plan->n_stated_instalments; i++) {
        PyObject *t = amount_tuple(&plan->stated_instalments[i]);
        if (t == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* Each value is built only when its turn comes, so a failure part-way
 * leaks nothing: set_item consumes what it is given. */
static PyObject *plan_to_dict(const ap_plan *plan, const ap_plan_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "source", PyUnicode_FromString(plan->source)) ||
        set_item(d, "title", str_or_none(plan->title)) ||
        set_item(d, "reference", str_or_none(plan->reference)) ||
        set_item(d, "financial_year", str_or_none(plan->financial_year)) ||
        set_item(d, "unit", PyUnicode_FromString(ap_unit_name(plan->unit))) ||
        set_item(d, "authorities", plan_authorities(plan)) ||
        set_item(d, "agreement", plan_agreement(plan)) ||
        set_item(d, "basis", plan_basis(plan)) ||
        set_item(d, "lines", plan_lines(plan)) ||
        set_item(d, "recharge", plan_recharge(plan)) ||
        set_item(d, "actual_expenditure",
                 plan->has_actual ? amount_tuple(&plan->actual_expenditure)
                                  : Py_NewRef(Py_None)) ||
        set_item(d, "carry_forwards", plan_carry_forwards(plan)) ||
        set_item(d, "stated_instalments", plan_stated_instalments(plan)) ||
        set_item(d, "result", plan_result(r))) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *finish_plan(PyObject *module, ap_status st, ap_plan *plan,
                             ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_plan_result *result = NULL;
    PyObject *d = NULL;
    if (ap_plan_compute(plan, &result, err) != AP_OK)
        raise_error(module, err);
    else
        d = plan_to_dict(plan, result);
    ap_plan_result_free(result);
    ap_plan_free(plan);
    return d;
}

static PyObject *core_load_plan(PyObject *module, PyObject *args)
{
    PyObject *path_obj;
    if (!PyArg_ParseTuple(args, "O&:load_plan", PyUnicode_FSConverter,
                          &path_obj))
        return NULL;
    ap_plan *plan = NULL;
    ap_error err;
    /* The GIL stays held: cJSON records parse failures in a process-wide
     * variable, so two parses must not run at once. */
    ap_status st = ap_plan_load(PyBytes_AS_STRING(path_obj), &plan, &err);
    Py_DECREF(path_obj);
    return finish_plan(module, st, plan, &err);
}

static PyObject *core_parse_plan(PyObject *module, PyObject *args)
{
    const char *text, *source;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#s:parse_plan", &text, &len, &source))
        return NULL;
    ap_plan *plan = NULL;
    ap_error err;
    ap_status st = ap_plan_parse(text, (size_t)len, source, &plan, &err);
    return finish_plan(module, st, plan, &err);
}

/* ---- module ------------------------------------------------------------ */

static PyMethodDef core_methods[] = {
    {"parse_money", core_parse_money, METH_VARARGS,
     "parse_money(text, unit) -> (pence, resolution)"},
    {"format_money", core_format_money, METH_VARARGS,
     "format_money(pence, unit, decimals, negative, symbol, grouping) -> str"},
    {"parse_decimal", core_parse_decimal, METH_VARARGS,
     "parse_decimal(text) -> (numerator, denominator)"},
    {"weights_common", core_weights_common, METH_VARARGS,
     "weights_common(numerators, denominators) -> list of int weights"},
    {"apportion", core_apportion, METH_VARARGS,
     "apportion(total, int_weights, mode) -> list of pence"},
    {"apportion_into", core_apportion_into, METH_VARARGS,
     "apportion_into(totals, int_weights, mode, out): fills out (n x k)"},
    {"apportion_lines_into", core_apportion_lines_into, METH_VARARGS,
     "apportion_lines_into(lines, int_weights, mode, out): two-way"},
    {"schedule_equal", core_schedule_equal, METH_VARARGS,
     "schedule_equal(share, n, granularity, rounding) -> list of pence"},
    {"schedule_balancing", core_schedule_balancing, METH_VARARGS,
     "schedule_balancing(billed, actual_share) -> pence"},
    {"load_plan", core_load_plan, METH_VARARGS,
     "load_plan(path) -> dict of the plan and its computed results"},
    {"parse_plan", core_parse_plan, METH_VARARGS,
     "parse_plan(text, source) -> dict of the plan and its results"},
    {NULL, NULL, 0, NULL},
};

static int core_exec(PyObject *module)
{
    module_state *st = get_state(module);
    PyObject *errors = PyImport_ImportModule("apportion.errors");
    if (errors == NULL)
        return -1;
    st->apportion_error = PyObject_GetAttrString(errors, "ApportionError");
    st->input_error = PyObject_GetAttrString(errors, "InputError");
    st->overflow_error = PyObject_GetAttrString(errors, "MoneyOverflowError");
    st->plan_error = PyObject_GetAttrString(errors, "PlanError");
    st->plugin_error = PyObject_GetAttrString(errors, "PluginError");
    Py_DECREF(errors);
    if (!st->apportion_error || !st->input_error || !st->overflow_error ||
        !st->plan_error || !st->plugin_error)
        return -1;
    if (PyModule_AddStringConstant(module, "C_VERSION", AP_VERSION_STRING) <
        0)
        return -1;
    if (PyModule_AddFunctions(module, calendar_methods) < 0 ||
        PyModule_AddFunctions(module, kpi_methods) < 0 ||
        PyModule_AddFunctions(module, measure_methods) < 0 ||
        PyModule_AddFunctions(module, plugin_methods) < 0 ||
        PyModule_AddFunctions(module, audit_methods) < 0 ||
        PyModule_AddFunctions(module, ledger_methods) < 0 ||
        PyModule_AddFunctions(module, budget_methods) < 0 ||
        PyModule_AddFunctions(module, outturn_methods) < 0 ||
        PyModule_AddFunctions(module, forecast_methods) < 0 ||
        PyModule_AddFunctions(module, holt_methods) < 0 ||
        PyModule_AddFunctions(module, scenario_methods) < 0)
        return -1;
    return 0;
}

static int core_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *st = get_state(module);
    Py_VISIT(st->apportion_error);
    Py_VISIT(st->input_error);
    Py_VISIT(st->overflow_error);
    Py_VISIT(st->plan_error);
    Py_VISIT(st->plugin_error);
    return 0;
}

static int core_clear(PyObject *module)
{
    module_state *st = get_state(module);
    Py_CLEAR(st->apportion_error);
    Py_CLEAR(st->input_error);
    Py_CLEAR(st->overflow_error);
    Py_CLEAR(st->plan_error);
    Py_CLEAR(st->plugin_error);
    return 0;
}

static void core_free(void *module)
{
    core_clear((PyObject *)module);
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "apportion._core",
    .m_doc = "The C core of apportion, exposed for the Python package.",
    .m_size = sizeof(module_state),
    .m_methods = core_methods,
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}
