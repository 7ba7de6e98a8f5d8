/* Glue for the audit of stated totals and tables (audit.h): figures in as
 * text, findings out as dicts.  apportion.audit turns the scaled integers
 * into Decimals. */
#include <string.h>

#include "glue.h"

/* An item index as Python sees it: an int, "total", or None. */
static PyObject *item_object(size_t item)
{
    if (item == AP_AUDIT_TOTAL)
        return PyUnicode_FromString("total");
    if (item == AP_AUDIT_NO_ITEM)
        Py_RETURN_NONE;
    return PyLong_FromSize_t(item);
}

static PyObject *candidate_item(const void *ctx, size_t i)
{
    const ap_audit_candidate *c = (const ap_audit_candidate *)ctx + i;
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "cause",
                 PyUnicode_FromString(ap_audit_cause_name(c->cause))) < 0 ||
        set_item(d, "item", item_object(c->item)) < 0 ||
        set_item(d, "label", str_or_none(c->label)) < 0 ||
        set_item(d, "corrected",
                 Py_BuildValue("Li", (long long)c->corrected.value,
                               c->corrected.decimals)) < 0 ||
        set_item(d, "exact", PyBool_FromLong(c->exact)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyObject *audit_finding_dict(const ap_audit_finding *f)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    /* Each value is built only when its turn comes: set_item consumes it,
     * so a failure part-way leaks nothing. */
    if (set_item(d, "status",
                 PyUnicode_FromString(ap_audit_status_name(f->status))) < 0 ||
        set_item(d, "cause",
                 PyUnicode_FromString(ap_audit_cause_name(f->cause))) < 0 ||
        set_item(d, "item", item_object(f->item)) < 0 ||
        set_item(d, "item_label", str_or_none(f->item_label)) < 0 ||
        set_item(d, "scale", PyLong_FromLong(f->scale)) < 0 ||
        set_item(d, "stated", PyLong_FromLongLong(f->stated)) < 0 ||
        set_item(d, "computed", PyLong_FromLongLong(f->computed)) < 0 ||
        set_item(d, "difference", PyLong_FromLongLong(f->difference)) < 0 ||
        set_item(d, "tolerance", PyLong_FromLongLong(f->tolerance)) < 0 ||
        set_item(d, "candidates", list_of(f->candidates, f->n_candidates,
                                          candidate_item)) < 0 ||
        set_item(d, "suggestion", core_text(f->suggestion ? f->suggestion
                                                           : "")) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *table_finding_item(const void *ctx, size_t i)
{
    const ap_table_finding *t = (const ap_table_finding *)ctx + i;
    PyObject *d = audit_finding_dict(&t->finding);
    if (d == NULL)
        return NULL;
    static const char *const kinds[] = {"total", "rule", "figure"};
    if (set_item(d, "kind", PyUnicode_FromString(kinds[t->kind])) < 0 ||
        set_item(d, "row", PyLong_FromSize_t(t->row)) < 0 ||
        set_item(d, "column", PyLong_FromSize_t(t->column)) < 0 ||
        set_item(d, "row_label", core_text(t->row_label)) < 0 ||
        set_item(d, "column_label", core_text(t->column_label)) < 0 ||
        set_item(d, "check", core_text(t->check)) < 0 ||
        /* Only the checks that have them (a plan's) carry an id and a
         * unit of their own. */
        (t->id[0] && set_item(d, "id", core_text(t->id)) < 0) ||
        (t->unit[0] && set_item(d, "unit", core_text(t->unit)) < 0)) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyObject *audit_report_dict(const ap_audit_report *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "title", core_text(r->title)) < 0 ||
        set_item(d, "source", core_text(r->source)) < 0 ||
        set_item(d, "unit", core_text(r->unit)) < 0 ||
        set_item(d, "findings", list_of(r->findings, r->n_findings,
                                        table_finding_item)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* ---- one stated total ----------------------------------------------------- */

/* Strings of a sequence (NULL when obj is None), borrowed from the fast
 * sequence kept in *keep; -1 with an exception on a non-string. */
static int string_items(PyObject *obj, Py_ssize_t n, const char *what,
                        PyObject **keep, const char ***out)
{
    *keep = NULL;
    *out = NULL;
    if (obj == Py_None)
        return 0;
    PyObject *fast = PySequence_Fast(obj, "expected a sequence of str");
    if (fast == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd, found %zd", what, n,
                     PySequence_Fast_GET_SIZE(fast));
        Py_DECREF(fast);
        return -1;
    }
    const char **texts = PyMem_Calloc(n ? (size_t)n : 1, sizeof *texts);
    if (texts == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(fast, i);
        char name[160];
        snprintf(name, sizeof name, "%s[%zd]", what, i);
        texts[i] = PyUnicode_Check(s) ? utf8_of(s, NULL, name) : NULL;
        if (texts[i] == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s[%zd]: expected str, found %s",
                             what, i, Py_TYPE(s)->tp_name);
            PyMem_Free(texts);
            Py_DECREF(fast);
            return -1;
        }
    }
    *keep = fast;
    *out = texts;
    return 0;
}

/* Reads one figure; the error names it by its label. */
static int parse_figure(PyObject *module, const char *text, const char *label,
                        ap_figure *out)
{
    ap_error err;
    if (ap_figure_parse(text, (size_t)-1, out, &err) == AP_OK)
        return 0;
    ap_error named = err;
    snprintf(named.message, sizeof named.message, "%.200s: %.300s", label,
             err.message);
    raise_error(module, &named);
    return -1;
}

GLUE_FUNCTION(audit_sum,
              "items, signs, stated, decimals, stated_exact, labels, "
              "stated_label=None, suffix=None",
"The audit of a stated total against the items (texts) that sum to it,\n"
"signs (None: all added) giving each item's sign; returns the finding\n"
"as a dict.")
{
    PyObject *items_obj, *signs_obj, *labels_obj;
    const char *stated_text, *stated_label = NULL, *suffix = NULL;
    int decimals, stated_exact;
    if (parse_args(call, "OOsipOzz", &items_obj, &signs_obj, &stated_text,
                   &decimals, &stated_exact, &labels_obj, &stated_label,
                   &suffix) < 0)
        return NULL;
    Py_ssize_t n = PySequence_Size(items_obj);
    if (n < 0)
        return NULL;
    PyObject *keep_items = NULL, *keep_labels = NULL, *result = NULL;
    const char **texts = NULL, **labels = NULL;
    ap_figure *figures = NULL;
    int *signs = NULL;
    if (string_items(items_obj, n, "items", &keep_items, &texts) < 0 ||
        string_items(labels_obj, n, "labels", &keep_labels, &labels) < 0)
        goto done;
    figures = PyMem_Calloc(n ? (size_t)n : 1, sizeof *figures);
    if (figures == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "item %zd", i + 1);
        if (parse_figure(module, texts[i], labels ? labels[i] : fallback,
                         &figures[i]) < 0)
            goto done;
    }
    if (signs_obj != Py_None) {
        PyObject *fast = PySequence_Fast(signs_obj, "signs: expected ints");
        if (fast == NULL)
            goto done;
        signs = PyMem_Calloc(n ? (size_t)n : 1, sizeof *signs);
        int ok = signs != NULL && PySequence_Fast_GET_SIZE(fast) == n;
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            char name[48];
            snprintf(name, sizeof name, "signs[%zd]", i);
            long long s = 0;
            ok = to_integer(PySequence_Fast_GET_ITEM(fast, i), name, -1, 1,
                            &s) == 0 &&
                 s != 0;
            signs[i] = (int)s;
        }
        Py_DECREF(fast);
        if (!ok) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError,
                                "signs: one +1 or -1 for each item");
            goto done;
        }
    }
    ap_figure stated;
    if (parse_figure(module, stated_text,
                     stated_label ? stated_label : "the stated total",
                     &stated) < 0)
        goto done;
    ap_audit_options o = ap_audit_defaults();
    o.decimals = decimals;
    o.stated_exact = stated_exact;
    o.labels = labels;
    o.stated_label = stated_label;
    o.suffix = suffix;
    ap_audit_finding f;
    ap_error err;
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_audit_sum(figures, signs, (size_t)n, &stated, &o, &f, &err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK) {
        raise_error(module, &err);
        goto done;
    }
    result = audit_finding_dict(&f);
    ap_audit_finding_clear(&f);
done:
    PyMem_Free(signs);
    PyMem_Free(figures);
    PyMem_Free(texts);
    PyMem_Free(labels);
    Py_XDECREF(keep_items);
    Py_XDECREF(keep_labels);
    return result;
}

/* ---- one printed figure ---------------------------------------------------- */

GLUE_FUNCTION(audit_figure, "stated, numerator, denominator, rate",
"The check of one printed figure (text) against the exact value\n"
"numerator / denominator: pence for money, or, when rate is true, the\n"
"ratio a printed rate or percentage states; returns the finding as a\n"
"dict.")
{
    const char *stated;
    Py_ssize_t len;
    long long num, den;
    int rate;
    if (parse_args(call, "s#LLp", &stated, &len, &num, &den, &rate) < 0)
        return NULL;
    ap_audit_finding f;
    ap_error err;
    ap_status st = rate ? ap_audit_rate(num, den, stated, (size_t)len, &f, &err)
                        : ap_audit_figure(stated, (size_t)len, num, den, &f,
                                          &err);
    if (st != AP_OK)
        return raise_error(module, &err);
    PyObject *d = audit_finding_dict(&f);
    ap_audit_finding_clear(&f);
    return d;
}

/* ---- whole tables --------------------------------------------------------- */

static PyObject *check_table(PyObject *module, ap_status st,
                             ap_audit_table *table, ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_audit_report *report = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = ap_audit_table_check(table, &report, err);
    Py_END_ALLOW_THREADS
    ap_audit_table_free(table);
    if (st != AP_OK)
        return raise_error(module, err);
    PyObject *d = audit_report_dict(report);
    ap_audit_report_free(report);
    return d;
}

GLUE_FUNCTION(audit_table_text, "text, source",
"The audit of a table given as JSON text (source names it in messages);\n"
"returns the report as a dict.")
{
    const char *text, *source;
    Py_ssize_t len;
    if (parse_args(call, "s#s", &text, &len, &source) < 0)
        return NULL;
    ap_audit_table *table = NULL;
    ap_error err;
    ap_status st = ap_audit_table_parse(text, (size_t)len, source, &table, &err);
    return check_table(module, st, table, &err);
}

GLUE_FUNCTION(audit_table_file, "path, max_bytes=None",
"The audit of the table in the JSON file at path; returns the report as\n"
"a dict.  A file larger than max_bytes is refused before it is read.")
{
    PyObject *path_obj, *max_bytes = Py_None;
    if (parse_args(call, "O&O", PyUnicode_FSConverter, &path_obj,
                   &max_bytes) < 0)
        return NULL;
    char *text;
    size_t len;
    if (read_file_arg(module, path_obj, max_bytes, "table", &text, &len) <
        0) {
        Py_DECREF(path_obj);
        return NULL;
    }
    ap_audit_table *table = NULL;
    ap_error err;
    ap_status st = ap_audit_table_parse(text, len, PyBytes_AS_STRING(path_obj),
                                        &table, &err);
    free(text);
    Py_DECREF(path_obj);
    return check_table(module, st, table, &err);
}

/* read_file(path, what, max_bytes, check_utf8) -> bytes: a file the core
 * does not parse (a CSV) read as its readers read theirs. */
GLUE_FUNCTION(read_file, "path, what, max_bytes, check_utf8",
"The bytes of the file at path, refused (InputError naming what, the path\n"
"and the limit) when larger than max_bytes before it is read, and, with\n"
"check_utf8, when it is not UTF-8 (InputError naming the path, line and\n"
"column of the first bad byte).")
{
    PyObject *path_obj, *max_bytes;
    const char *what;
    int check_utf8;
    if (parse_args(call, "O&sOp", PyUnicode_FSConverter, &path_obj, &what,
                   &max_bytes, &check_utf8) < 0)
        return NULL;
    char *text;
    size_t len;
    if (read_file_arg(module, path_obj, max_bytes, what, &text, &len) < 0) {
        Py_DECREF(path_obj);
        return NULL;
    }
    PyObject *result = NULL;
    ap_error err;
    ap_status st = AP_OK;
    if (check_utf8) {
        Py_BEGIN_ALLOW_THREADS
        st = ap_utf8_check(text, len, PyBytes_AS_STRING(path_obj), &err);
        Py_END_ALLOW_THREADS
    }
    if (st != AP_OK)
        raise_error(module, &err);
    else
        result = PyBytes_FromStringAndSize(text, (Py_ssize_t)len);
    free(text);
    Py_DECREF(path_obj);
    return result;
}

PyMethodDef audit_methods[] = {
    GLUE_METHOD(audit_sum),
    GLUE_METHOD(audit_figure),
    GLUE_METHOD(audit_table_text),
    GLUE_METHOD(audit_table_file),
    GLUE_METHOD(read_file),
    {NULL, NULL, 0, NULL},
};
