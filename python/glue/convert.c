/* The glue's shared conversions: Python numbers and sequences to the
 * core's types, buffers taken through the buffer protocol without copying,
 * and the dicts the Python package reads results from. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- text -------------------------------------------------------------- */

/* apportion.errors.InputError, for the helpers that have no module at
 * hand; ValueError should the import itself fail.  A new reference. */
PyObject *input_error_class(void)
{
    PyObject *errors = PyImport_ImportModule("apportion.errors");
    PyObject *cls = errors ? PyObject_GetAttrString(errors, "InputError")
                           : NULL;
    Py_XDECREF(errors);
    if (cls == NULL) {
        PyErr_Clear();
        cls = Py_NewRef(PyExc_ValueError);
    }
    return cls;
}

/* Raises InputError with a printf-formatted message; returns NULL. */
static PyObject *input_error(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
static PyObject *input_error(const char *format, ...)
{
    PyObject *cls = input_error_class();
    char text[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    PyObject *message =
        PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
    if (message != NULL) {
        PyErr_SetObject(cls, message);
        Py_DECREF(message);
    }
    Py_DECREF(cls);
    return NULL;
}

/* Where the Unicode error just raised starts (0 when it cannot say); the
 * error is cleared. */
static Py_ssize_t raised_start(int (*start)(PyObject *, Py_ssize_t *))
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_ssize_t at = 0;
    if (value == NULL || start(value, &at) < 0)
        at = 0;
    PyErr_Clear();
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return at;
}

PyObject *core_text(const char *text)
{
    /* An earlier argument of the same call failed (the arguments of
     * Py_BuildValue are all made before it runs): keep its exception
     * rather than decoding, or raising, over it. */
    if (PyErr_Occurred())
        return NULL;
    if (text == NULL) /* as Py_BuildValue's "s" makes it */
        Py_RETURN_NONE;
    Py_ssize_t n = (Py_ssize_t)strlen(text);
    PyObject *s = PyUnicode_DecodeUTF8(text, n, NULL);
    if (s != NULL || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        return s;
    Py_ssize_t at = raised_start(PyUnicodeDecodeError_GetStart);
    /* The core read the text from a file it checked: this is the core's
     * own mistake (a buffer that cut a character), said plainly. */
    int shown = at < 40 ? (int)at : 40;
    return input_error("text from the core is not UTF-8 at byte %zd "
                       "(after \"%.*s\"); please report it", at, shown,
                       text + (at - shown));
}

const char *utf8_of(PyObject *obj, Py_ssize_t *len, const char *what)
{
    Py_ssize_t n = 0;
    const char *s = PyUnicode_AsUTF8AndSize(obj, &n);
    if (s == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
            return NULL;
        Py_ssize_t at = raised_start(PyUnicodeEncodeError_GetStart);
        Py_UCS4 c = at < PyUnicode_GetLength(obj) ? PyUnicode_ReadChar(obj, at)
                                                  : 0;
        PyErr_Clear();
        input_error("%s is not valid text: it holds a lone surrogate "
                    "(U+%04X) at position %zd, which no UTF-8 file can "
                    "hold", what, (unsigned)c, at);
        return NULL;
    }
    if (len != NULL)
        *len = n;
    return s;
}

/* ---- files ------------------------------------------------------------- */

int read_file_arg(PyObject *module, PyObject *path, PyObject *max_obj,
                  const char *what, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    size_t max_bytes = SIZE_MAX;
    if (max_obj != Py_None) {
        PyObject *index = int_of(max_obj, "max_bytes");
        if (index == NULL)
            return -1;
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
        Py_DECREF(index);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (overflow != 0 || v < 0) {
            input_error("max_bytes must be a whole number of bytes from 0 to "
                        "9223372036854775807");
            return -1;
        }
        max_bytes = (size_t)v;
    }
    ap_error err;
    ap_status st;
    const char *name = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS
    st = ap_file_read(name, max_bytes, what, text, len, &err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK) {
        raise_error(module, &err);
        return -1;
    }
    return 0;
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

/* InputError "<what> must be an integer from lo to hi, not <value>"
 * (a value of many digits cut short); returns -1. */
int out_of_range(const char *what, long long lo, long long hi,
                 PyObject *value)
{
    PyObject *repr = PyObject_Repr(value);
    const char *text = repr != NULL ? PyUnicode_AsUTF8(repr) : NULL;
    if (text == NULL) {
        Py_XDECREF(repr);
        return -1;
    }
    input_error("%s must be an integer from %lld to %lld, not %.60s%s", what,
                lo, hi, text, strlen(text) > 60 ? "..." : "");
    Py_DECREF(repr);
    return -1;
}

int to_integer(PyObject *obj, const char *what, long long lo, long long hi,
               long long *out)
{
    PyObject *index = int_of(obj, what);
    if (index == NULL)
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        Py_DECREF(index);
        return -1;
    }
    if (overflow != 0 || v < lo || v > hi) {
        out_of_range(what, lo, hi, index);
        Py_DECREF(index);
        return -1;
    }
    Py_DECREF(index);
    *out = v;
    return 0;
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
                     "%s does not fit in a 64-bit integer (from -2**63 to "
                     "2**63 - 1)", what);
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* A sequence of ints as a new int64 array (caller frees). */
int64_t *int64_array(PyObject *module, PyObject *seq, const char *what,
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

int parse_mode(PyObject *module, const char *name,
                      ap_apportion_mode *mode)
{
    ap_error err;
    if (ap_apportion_mode_parse(name, mode, &err) != AP_OK) {
        raise_error(module, &err);
        return -1;
    }
    return 0;
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

/* ---- result dicts ------------------------------------------------------------- */

PyObject *none_or_raise(PyObject *module, ap_status st,
                        const ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    Py_RETURN_NONE;
}

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
    return core_text(s);
}

PyObject *amount_tuple(const ap_amount *a)
{
    return Py_BuildValue("LL", (long long)a->pence, (long long)a->resolution);
}

PyObject *amount_or_none(int present, const ap_amount *a)
{
    /* A stated total cut off or not legible has no amount: its audit
     * finding says what it can be. */
    if (!present || a->legibility != AP_LEGIBLE)
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


/* ---- lists and the members every paper's dict has ---------------------- */

PyObject *list_of(const void *ctx, size_t n, item_fn make)
{
    if (PyErr_Occurred()) /* an earlier argument failed: as core_text */
        return NULL;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *item = make(ctx, i);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *text_item(const void *ctx, size_t i)
{
    return core_text(((char *const *)ctx)[i]);
}

PyObject *text_list(char *const *texts, size_t n)
{
    return list_of(texts, n, text_item);
}

static PyObject *code_item(const void *ctx, size_t i)
{
    return core_text(((const ap_authority *)ctx)[i].code);
}

PyObject *authority_codes(const ap_authority *a, size_t n)
{
    return list_of(a, n, code_item);
}

static PyObject *authority_item(const void *ctx, size_t i)
{
    const ap_authority *a = (const ap_authority *)ctx + i;
    return Py_BuildValue("(NN)", core_text(a->code), core_text(a->name));
}

PyObject *authorities_list(const ap_authority *a, size_t n)
{
    return list_of(a, n, authority_item);
}

PyObject *amount_list(const ap_amount *a, const int *has, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *item = amount_or_none(has ? has[i] : 1, &a[i]);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

PyObject *printed_obj(const ap_printed *p)
{
    return amount_or_none(p->present, &p->amount);
}

PyObject *split_dict(int has, const ap_basis *b, size_t n)
{
    if (!has)
        Py_RETURN_NONE;
    return basis_dict(b, n);
}

PyObject *paper_split_dict(int has, const ap_authority *authorities,
                           size_t n, const ap_basis *s,
                           const ap_split_paper *paper)
{
    PyObject *d = split_dict(has, s, n);
    if (d == NULL || d == Py_None)
        return d;
    SET(d, "source", core_text(paper->source));
    SET(d, "note", core_text(paper->note));
    SET(d, "codes", authority_codes(authorities, n));
    SET(d, "weights", int64_list(s->weights, n));
    SET(d, "stated", paper->stated_text ? text_list(paper->stated_text, n)
                                        : Py_NewRef(Py_None));
    SET(d, "stated_source", core_text(paper->stated_source));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* ---- arguments --------------------------------------------------------- */

/* A text signature the binder cannot read: the glue's own mistake, which
 * tests/test_core_signatures.py would show on the first call. */
static int bad_signature(const glue_call *call, const char *why)
{
    PyErr_Format(PyExc_SystemError, "%s(): text signature %s", call->name,
                 why);
    return -1;
}

/* The parameters of call's function read from its docstring's text
 * signature, "name($module, a, b=None)\n--\n\n", into *spec.  0, or -1
 * with SystemError. */
static int read_spec(const glue_call *call, arg_spec *spec)
{
    static const char head[] = "($module, ";
    size_t name_len = strlen(call->name);
    const char *p = call->doc + name_len;
    if (strncmp(call->doc, call->name, name_len) != 0 ||
        strncmp(p, head, sizeof head - 1) != 0)
        return bad_signature(call, "does not open with ($module, ");
    p += sizeof head - 1;
    const char *close = strstr(p, ")\n--\n\n");
    if (close == NULL || (size_t)(close - p) >= sizeof spec->text)
        return bad_signature(call, "has no end or is too long");
    spec->name = call->name;
    spec->n = spec->optional = spec->posonly = 0;
    size_t len = (size_t)(close - p);
    memcpy(spec->text, p, len);
    spec->text[len] = '\0';
    char *t = spec->text;
    while (*t != '\0') {
        char *comma = strstr(t, ", ");
        if (comma != NULL)
            *comma = '\0';
        char *eq = strchr(t, '=');
        if (strcmp(t, "/") == 0) {
            if (spec->posonly != 0 || spec->optional != 0)
                return bad_signature(call, "has a misplaced /");
            spec->posonly = spec->n;
        } else if (spec->n == MAX_ARGS) {
            return bad_signature(call, "has too many parameters");
        } else if (eq == NULL && spec->optional > 0) {
            return bad_signature(call, "has a default before a required "
                                       "parameter");
        } else {
            if (eq != NULL) {
                if (strcmp(eq, "=None") != 0)
                    return bad_signature(call, "has a default other than "
                                               "None");
                *eq = '\0';
                spec->optional++;
            }
            if (*t == '\0' || strspn(t, "abcdefghijklmnopqrstuvwxyz_0123456"
                                        "789") != strlen(t))
                return bad_signature(call, "has a name the binder cannot "
                                           "read");
            spec->params[spec->n++] = t;
        }
        if (comma == NULL)
            break;
        t = comma + 2;
    }
    return 0;
}

/* The value given by keyword for `name`, or NULL. */
static PyObject *keyword_value(PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames, const char *name)
{
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++)
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, k),
                                             name) == 0)
            return args[nargs + k];
    return NULL;
}

/* Keywords left over once every parameter had its turn: one naming a
 * parameter given by position, else one naming none that takes a
 * keyword. */
static int leftover_keywords(const arg_spec *spec, PyObject *const *args,
                             Py_ssize_t nargs, PyObject *kwnames)
{
    for (int i = spec->posonly; i < nargs; i++)
        if (keyword_value(args, nargs, kwnames, spec->params[i]) != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "argument for %.200s() given by name ('%s') and "
                         "position (%d)",
                         spec->name, spec->params[i], i + 1);
            return -1;
        }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kwnames); k++) {
        PyObject *keyword = PyTuple_GET_ITEM(kwnames, k);
        int known = 0;
        for (int i = spec->posonly; i < spec->n && !known; i++)
            known = PyUnicode_CompareWithASCIIString(keyword,
                                                     spec->params[i]) == 0;
        if (!known) {
            PyErr_Format(PyExc_TypeError,
                         "'%S' is an invalid keyword argument for %.200s()",
                         keyword, spec->name);
            return -1;
        }
    }
    /* Unreachable while the interpreter refuses a keyword given twice. */
    PyErr_Format(PyExc_TypeError, "invalid keyword argument for %.200s()",
                 spec->name);
    return -1;
}

/* The spec of call's function: the cached one once read.  Until then the
 * first call to get there reads it into the cache, alone (the state's
 * compare-and-swap from 0 to 1 lets one thread in; its release store of 2
 * publishes the spec to the acquire loads of later calls), and any call
 * meanwhile reads its own copy into *local.  NULL with SystemError when
 * the signature cannot be read (the cache then stays unread). */
static const arg_spec *spec_of(const glue_call *call, arg_spec *local)
{
    arg_cache *cache = call->cache;
    if (atomic_load_explicit(&cache->state, memory_order_acquire) == 2)
        return &cache->spec;
    int unread = 0;
    if (!atomic_compare_exchange_strong_explicit(&cache->state, &unread, 1,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return read_spec(call, local) < 0 ? NULL : local;
    if (read_spec(call, &cache->spec) < 0) {
        atomic_store_explicit(&cache->state, 0, memory_order_release);
        return NULL;
    }
    atomic_store_explicit(&cache->state, 2, memory_order_release);
    return &cache->spec;
}

static int bind_spec(const arg_spec *spec, const glue_call *call,
                     PyObject **slots)
{
    PyObject *const *args = call->args;
    Py_ssize_t nargs = call->nargs;
    PyObject *kwnames = call->kwnames;
    int n = spec->n;
    int required = n - spec->optional;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (n == 0) {
        if (nkw > 0)
            PyErr_Format(PyExc_TypeError,
                         "%.200s() takes no keyword arguments", spec->name);
        else if (nargs > 0)
            PyErr_Format(PyExc_TypeError,
                         "%.200s() takes no arguments (%zd given)",
                         spec->name, nargs);
        return nargs + nkw > 0 ? -1 : 0;
    }
    if (nargs + nkw > n) {
        PyErr_Format(PyExc_TypeError,
                     "%.200s() takes at most %d %sargument%s (%zd given)",
                     spec->name, n, nargs == 0 ? "keyword " : "",
                     n == 1 ? "" : "s", nargs + nkw);
        return -1;
    }
    int min_posonly = spec->posonly < required ? spec->posonly : required;
    if (nargs < min_posonly) {
        PyErr_Format(PyExc_TypeError,
                     "%.200s() takes %s %d positional argument%s (%zd given)",
                     spec->name, min_posonly < n ? "at least" : "exactly",
                     min_posonly, min_posonly == 1 ? "" : "s", nargs);
        return -1;
    }
    if (slots == NULL)
        return bad_signature(call, "names parameters but no slots were "
                                   "given");
    for (int i = 0; i < n; i++) {
        if (i < nargs)
            slots[i] = args[i];
        else if (i < spec->posonly || nkw == 0)
            slots[i] = NULL;
        else if ((slots[i] = keyword_value(args, nargs, kwnames,
                                           spec->params[i])) != NULL)
            nkw--;
        if (slots[i] == NULL && i < required) {
            PyErr_Format(PyExc_TypeError,
                         "%.200s() missing required argument '%s' (pos %d)",
                         spec->name, spec->params[i], i + 1);
            return -1;
        }
    }
    if (nkw > 0)
        return leftover_keywords(spec, args, nargs, kwnames);
    return 0;
}

int bind_args(const glue_call *call, PyObject **slots)
{
    arg_spec local;
    const arg_spec *spec = spec_of(call, &local);
    return spec == NULL ? -1 : bind_spec(spec, call, slots);
}

/* An argument that is not what its format code takes: TypeError in
 * PyArg_ParseTuple's words, "f() argument 2 must be str, not int". */
static int wrong_type(const arg_spec *spec, int i, const char *expected,
                      PyObject *obj)
{
    PyErr_Format(PyExc_TypeError,
                 "%.200s() argument %d must be %.50s, not %.50s", spec->name,
                 i + 1, expected,
                 obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
    return -1;
}

/* An integer argument (an int, or anything with __index__; TypeError
 * otherwise, as PyArg_ParseTuple gives it) from lo to hi: one outside is
 * InputError naming the function, the parameter and the range, where
 * PyArg_ParseTuple gave a bare OverflowError in C's words ("signed integer
 * is greater than maximum"). */
static int int_arg(const arg_spec *spec, int i, PyObject *obj, long long lo,
                   long long hi, long long *out)
{
    PyObject *index = PyNumber_Index(obj);
    if (index == NULL)
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        Py_DECREF(index);
        return -1;
    }
    if (overflow == 0 && v >= lo && v <= hi) {
        Py_DECREF(index);
        *out = v;
        return 0;
    }
    char what[300];
    snprintf(what, sizeof what, "%s() argument '%s'", spec->name,
             spec->params[i]);
    out_of_range(what, lo, hi, index);
    Py_DECREF(index);
    return -1;
}

/* The str argument i as UTF-8: utf8_of, naming "f() argument 'x'" in its
 * error, the name made only when there is one to give. */
static const char *arg_utf8(const arg_spec *spec, int i, PyObject *obj,
                            Py_ssize_t *len)
{
    const char *s = PyUnicode_AsUTF8AndSize(obj, len);
    if (s != NULL || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return s;
    PyErr_Clear();
    char what[300];
    snprintf(what, sizeof what, "%s() argument '%s'", spec->name,
             spec->params[i]);
    return utf8_of(obj, len, what);
}

/* s# as PyArg_ParseTuple reads it: str as UTF-8, or a read-only bytes-like
 * object whose memory stays put once its buffer is released. */
static int text_arg(const arg_spec *spec, int i, PyObject *obj,
                    const char **text, Py_ssize_t *len)
{
    if (PyUnicode_Check(obj)) {
        *text = arg_utf8(spec, i, obj, len);
        return *text == NULL ? -1 : 0;
    }
    PyBufferProcs *pb = Py_TYPE(obj)->tp_as_buffer;
    if (pb != NULL && pb->bf_releasebuffer != NULL)
        return wrong_type(spec, i, "read-only bytes-like object", obj);
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0) {
        if (PyErr_Occurred())
            return -1;
        return wrong_type(spec, i, "bytes-like object", obj);
    }
    if (!PyBuffer_IsContiguous(&view, 'C')) {
        PyBuffer_Release(&view);
        return wrong_type(spec, i, "contiguous buffer", obj);
    }
    *text = view.buf;
    *len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

/* s and z: str without a NUL inside (z: or None, as NULL). */
static int str_arg(const arg_spec *spec, int i, PyObject *obj, int or_none,
                   const char **out)
{
    if (or_none && obj == Py_None) {
        *out = NULL;
        return 0;
    }
    if (!PyUnicode_Check(obj))
        return wrong_type(spec, i, or_none ? "str or None" : "str", obj);
    Py_ssize_t len;
    const char *s = arg_utf8(spec, i, obj, &len);
    if (s == NULL)
        return -1;
    if ((size_t)len != strlen(s)) {
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return -1;
    }
    *out = s;
    return 0;
}

/* (LL...): a sequence of exactly as many ints as the format has L's. */
static int tuple_arg(const arg_spec *spec, int i, PyObject *obj,
                     const char **format, va_list *ap)
{
    const char *f = *format;
    int n = 0;
    while (f[n] == 'L')
        n++;
    if (f[n] != ')') {
        PyErr_Format(PyExc_SystemError, "%s(): bad tuple format", spec->name);
        return -1;
    }
    *format = f + n + 1;
    long long *out[8];
    for (int k = 0; k < n; k++)
        out[k] = va_arg(*ap, long long *);
    if (obj == NULL)
        return 0;
    if (!PySequence_Check(obj) || PyBytes_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%.200s() argument %d must be %d-item sequence, not "
                     "%.50s",
                     spec->name, i + 1, n,
                     obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t len = PySequence_Size(obj);
    if (len != n) {
        if (len < 0 && PyErr_Occurred())
            return -1;
        PyErr_Format(PyExc_TypeError,
                     "%.200s() argument %d must be sequence of length %d, "
                     "not %zd",
                     spec->name, i + 1, n, len);
        return -1;
    }
    for (int k = 0; k < n; k++) {
        PyObject *item = PySequence_GetItem(obj, k);
        if (item == NULL) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "%.200s() argument %d, item %d is not retrievable",
                         spec->name, i + 1, k);
            return -1;
        }
        long long v;
        int rc = int_arg(spec, i, item, LLONG_MIN, LLONG_MAX, &v);
        Py_DECREF(item);
        if (rc < 0)
            return -1;
        *out[k] = v;
    }
    return 0;
}

/* An O& conversion to undo if a later argument fails, as PyArg_ParseTuple
 * calls a converter that returned Py_CLEANUP_SUPPORTED again with NULL. */
typedef struct cleanup {
    int (*converter)(PyObject *, void *);
    void *address;
} cleanup;

static int convert_va(const arg_spec *spec, PyObject *const *slots,
                      const char *format, va_list *ap)
{
    int n = spec->n;
    cleanup undo[MAX_ARGS];
    int n_undo = 0, rc = 0;
    for (int i = 0; rc == 0 && *format != '\0'; i++) {
        if (i >= n) {
            PyErr_Format(PyExc_SystemError,
                         "%s(): more format codes than parameters",
                         spec->name);
            rc = -1;
            break;
        }
        PyObject *obj = slots[i]; /* NULL: an optional argument left out */
        char c = *format++;
        int hash = c == 's' && *format == '#';
        if (hash)
            format++;
        if (c == '(') {
            rc = tuple_arg(spec, i, obj, &format, ap);
            continue;
        }
        void *out = NULL;
        PyTypeObject *type = NULL;
        int (*converter)(PyObject *, void *) = NULL;
        if (c == 'O' && *format == '!') {
            format++;
            type = va_arg(*ap, PyTypeObject *);
        } else if (c == 'O' && *format == '&') {
            format++;
            converter = va_arg(*ap, int (*)(PyObject *, void *));
        }
        out = va_arg(*ap, void *);
        Py_ssize_t *len = hash ? va_arg(*ap, Py_ssize_t *) : NULL;
        if (obj == NULL)
            continue;
        switch (c) {
        case 'O':
            if (converter != NULL) {
                int res = converter(obj, out);
                if (res == 0)
                    rc = -1;
                else if (res == Py_CLEANUP_SUPPORTED)
                    undo[n_undo++] = (cleanup){converter, out};
            } else if (type != NULL && !PyObject_TypeCheck(obj, type)) {
                rc = wrong_type(spec, i, type->tp_name, obj);
            } else {
                *(PyObject **)out = obj;
            }
            break;
        case 's':
            rc = hash ? text_arg(spec, i, obj, out, len)
                      : str_arg(spec, i, obj, 0, out);
            break;
        case 'z':
            rc = str_arg(spec, i, obj, 1, out);
            break;
        case 'p': {
            int v = PyObject_IsTrue(obj);
            if (v < 0)
                rc = -1;
            else
                *(int *)out = v;
            break;
        }
        case 'i': {
            long long v;
            rc = int_arg(spec, i, obj, INT_MIN, INT_MAX, &v);
            if (rc == 0)
                *(int *)out = (int)v;
            break;
        }
        case 'I': {
            long long v;
            rc = int_arg(spec, i, obj, 0, UINT_MAX, &v);
            if (rc == 0)
                *(unsigned *)out = (unsigned)v;
            break;
        }
        case 'L': {
            long long v;
            rc = int_arg(spec, i, obj, LLONG_MIN, LLONG_MAX, &v);
            if (rc == 0)
                *(long long *)out = v;
            break;
        }
        case 'n': {
            long long v;
            rc = int_arg(spec, i, obj, PY_SSIZE_T_MIN, PY_SSIZE_T_MAX, &v);
            if (rc == 0)
                *(Py_ssize_t *)out = (Py_ssize_t)v;
            break;
        }
        case 'd': {
            double v = PyFloat_AsDouble(obj);
            if (v == -1.0 && PyErr_Occurred())
                rc = -1;
            else
                *(double *)out = v;
            break;
        }
        default:
            PyErr_Format(PyExc_SystemError, "%s(): bad format '%c'",
                         spec->name, c);
            rc = -1;
        }
    }
    if (rc < 0)
        while (n_undo > 0) {
            n_undo--;
            undo[n_undo].converter(NULL, undo[n_undo].address);
        }
    return rc;
}

int parse_args(const glue_call *call, const char *format, ...)
{
    arg_spec local;
    const arg_spec *spec = spec_of(call, &local);
    PyObject *slots[MAX_ARGS];
    if (spec == NULL || bind_spec(spec, call, slots) < 0)
        return -1;
    va_list ap;
    va_start(ap, format);
    int rc = convert_va(spec, slots, format, &ap);
    va_end(ap);
    return rc;
}
