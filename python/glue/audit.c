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

/* ---- the checks of a large table ------------------------------------------
 * A capsule owning an ap_audit_checks: Python reads the counts and the
 * checks that are not ok, and makes a dict for any other check only when
 * asked. */

#define CHECKS_CAPSULE "apportion._core.audit_checks"

static void checks_capsule_free(PyObject *capsule)
{
    ap_audit_checks_free(PyCapsule_GetPointer(capsule, CHECKS_CAPSULE));
}

static PyObject *checks_capsule(PyObject *module, ap_status st,
                                ap_audit_table *table, ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_audit_checks *checks = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = ap_audit_table_checks(table, &checks, err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK)
        return raise_error(module, err);
    PyObject *capsule = PyCapsule_New(checks, CHECKS_CAPSULE,
                                      checks_capsule_free);
    if (capsule == NULL)
        ap_audit_checks_free(checks);
    return capsule;
}

GLUE_FUNCTION(audit_checks_text, "text, source",
"The checks of a table given as JSON text (source names it in messages),\n"
"as a capsule for audit_checks_head, audit_checks_item and\n"
"audit_checks_not_ok.")
{
    const char *text, *source;
    Py_ssize_t len;
    if (parse_args(call, "s#s", &text, &len, &source) < 0)
        return NULL;
    ap_audit_table *table = NULL;
    ap_error err;
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_audit_table_parse(text, (size_t)len, source, &table, &err);
    Py_END_ALLOW_THREADS
    return checks_capsule(module, st, table, &err);
}

GLUE_FUNCTION(audit_checks_file, "path, max_bytes=None",
"The checks of the table in the JSON file at path, as audit_checks_text's\n"
"capsule.  A file larger than max_bytes is refused before it is read.")
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
    return checks_capsule(module, st, table, &err);
}

/* The rows of a table's dict as arrays, when every row is plain: a str
 * label, "values" of ints (int64), None or None-free text the core reads
 * as a whole figure, "total" "above" or "all", "sign" 1 or -1, "note" a
 * str, and nothing else.  0 when they are; 1 when some row is not (the
 * caller then reads the table as JSON, whose reader names what is wrong);
 * -1 with an exception. */
typedef struct given_rows {
    ap_table_rows r;
    const char **labels;
    signed char *signs;
    unsigned char *totals, *kinds, *decimals;
    int64_t *values;
} given_rows;

static void given_rows_free(given_rows *g)
{
    PyMem_Free(g->labels);
    PyMem_Free(g->signs);
    PyMem_Free(g->totals);
    PyMem_Free(g->kinds);
    PyMem_Free(g->decimals);
    PyMem_Free(g->values);
}

/* One cell: 0 read, 1 not plain. */
static int given_cell(PyObject *v, unsigned char *kind, int64_t *value,
                      unsigned char *decimals)
{
    *kind = 0;
    *value = 0;
    *decimals = 0;
    if (v == Py_None)
        return 0;
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || (x == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return 1;
        }
        *kind = 2;
        *value = (int64_t)x;
        return 0;
    }
    if (!PyUnicode_CheckExact(v))
        return 1;
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(v, &len);
    if (text == NULL) {
        PyErr_Clear();
        return 1;
    }
    /* Blank, cut off or not legible text is left to the JSON reader. */
    int digit = 0, blank = 1;
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        digit |= c >= '0' && c <= '9';
        blank &= c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (c == '\0' || c == '.' || c == 'n' || c == 'N' || c >= 0x80)
            if (c != '.' || (i + 1 < len && text[i + 1] == '.'))
                return 1;
    }
    if (blank || (size_t)len != strlen(text))
        return 1;
    ap_printed_figure pf;
    ap_figure f;
    ap_error err;
    if (ap_printed_parse(text, (size_t)len, AP_FIGURE_MAX_DECIMALS, 1, &pf,
                         &err) != AP_OK ||
        pf.legibility != AP_LEGIBLE ||
        ap_figure_parse(text, (size_t)len, &f, &err) != AP_OK)
        return 1;
    *kind = digit ? 2 : 1;
    *value = f.value;
    *decimals = (unsigned char)f.decimals;
    return 0;
}

static int given_rows_read(PyObject *rows, given_rows *g)
{
    memset(g, 0, sizeof *g);
    if (!PyList_CheckExact(rows))
        return 1;
    Py_ssize_t n = PyList_GET_SIZE(rows);
    if (n == 0)
        return 1;
    PyObject *first = PyList_GET_ITEM(rows, 0);
    PyObject *first_values =
        PyDict_CheckExact(first) ? PyDict_GetItemString(first, "values")
                                 : NULL;
    if (first_values == NULL || !PyList_CheckExact(first_values))
        return 1;
    Py_ssize_t nv = PyList_GET_SIZE(first_values);
    size_t cells = (size_t)n * (size_t)(nv ? nv : 1);
    g->labels = PyMem_Calloc((size_t)n, sizeof *g->labels);
    g->signs = PyMem_Calloc((size_t)n, 1);
    g->totals = PyMem_Calloc((size_t)n, 1);
    g->kinds = PyMem_Calloc(cells, 1);
    g->decimals = PyMem_Calloc(cells, 1);
    g->values = PyMem_Calloc(cells, sizeof *g->values);
    if (!g->labels || !g->signs || !g->totals || !g->kinds || !g->decimals ||
        !g->values) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *row = PyList_GET_ITEM(rows, r);
        if (!PyDict_CheckExact(row))
            return 1;
        Py_ssize_t pos = 0, seen = 0;
        PyObject *key, *value;
        PyObject *label = NULL, *values = NULL, *total = NULL, *sign = NULL;
        while (PyDict_Next(row, &pos, &key, &value)) {
            if (!PyUnicode_CheckExact(key))
                return 1;
            seen++;
            if (PyUnicode_CompareWithASCIIString(key, "label") == 0)
                label = value;
            else if (PyUnicode_CompareWithASCIIString(key, "values") == 0)
                values = value;
            else if (PyUnicode_CompareWithASCIIString(key, "total") == 0)
                total = value;
            else if (PyUnicode_CompareWithASCIIString(key, "sign") == 0)
                sign = value;
            else if (PyUnicode_CompareWithASCIIString(key, "note") != 0 ||
                     !PyUnicode_CheckExact(value))
                return 1;
        }
        (void)seen;
        if (label == NULL || !PyUnicode_CheckExact(label) || values == NULL ||
            !PyList_CheckExact(values) || PyList_GET_SIZE(values) != nv)
            return 1;
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(label, &len);
        if (text == NULL) {
            PyErr_Clear();
            return 1;
        }
        if ((size_t)len != strlen(text))
            return 1;
        g->labels[r] = text;
        g->signs[r] = 1;
        if (sign != NULL) {
            if (!PyLong_CheckExact(sign))
                return 1;
            long s = PyLong_AsLong(sign);
            if (s != 1 && s != -1) {
                PyErr_Clear();
                return 1;
            }
            g->signs[r] = (signed char)s;
        }
        if (total != NULL) {
            if (!PyUnicode_CheckExact(total))
                return 1;
            if (PyUnicode_CompareWithASCIIString(total, "above") == 0)
                g->totals[r] = 1;
            else if (PyUnicode_CompareWithASCIIString(total, "all") == 0)
                g->totals[r] = 2;
            else
                return 1;
        }
        size_t at = (size_t)r * (size_t)nv;
        for (Py_ssize_t c = 0; c < nv; c++)
            if (given_cell(PyList_GET_ITEM(values, c), &g->kinds[at + c],
                           &g->values[at + c], &g->decimals[at + c]))
                return 1;
    }
    g->r = (ap_table_rows){(size_t)n, (size_t)nv, g->labels, g->signs,
                           g->totals, g->kinds, g->values, g->decimals};
    return 0;
}

GLUE_FUNCTION(audit_checks_rows, "text, rows, source",
"The checks of a table given as JSON text without its rows (source names\n"
"it in messages) and its rows as the list of dicts the JSON would hold,\n"
"as audit_checks_text's capsule; None when a row is not plain (a label,\n"
"ints, None or whole figures as text, \"above\" or \"all\", a sign, a\n"
"note), for the caller to read the table as JSON instead.")
{
    const char *text, *source;
    Py_ssize_t len;
    PyObject *rows;
    if (parse_args(call, "s#Os", &text, &len, &rows, &source) < 0)
        return NULL;
    given_rows g;
    int plain = given_rows_read(rows, &g);
    if (plain != 0) {
        given_rows_free(&g);
        if (plain < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    ap_audit_table *table = NULL;
    ap_error err;
    ap_status st;
    /* The labels are borrowed from the dicts: the lock stays held. */
    st = ap_audit_table_parse_rows(text, (size_t)len, source, &g.r, &table,
                                   &err);
    given_rows_free(&g);
    if (st != AP_OK)
        Py_RETURN_NONE; /* the JSON reader says what is wrong */
    return checks_capsule(module, st, table, &err);
}

static const ap_audit_checks *checks_of(PyObject *capsule)
{
    return PyCapsule_GetPointer(capsule, CHECKS_CAPSULE);
}

GLUE_FUNCTION(audit_checks_head, "checks, /",
"(title, source, unit, checks, ok, rounding, error) of a table's checks.")
{
    PyObject *capsule;
    if (parse_args(call, "O", &capsule) < 0)
        return NULL;
    (void)module;
    const ap_audit_checks *checks = checks_of(capsule);
    if (checks == NULL)
        return NULL;
    const ap_audit_report *r = ap_audit_checks_report(checks);
    PyObject *title = core_text(r->title), *source = core_text(r->source),
             *unit = core_text(r->unit);
    PyObject *out = NULL;
    if (title && source && unit)
        out = Py_BuildValue("OOOnnnn", title, source, unit,
                            (Py_ssize_t)r->n_findings,
                            (Py_ssize_t)r->n_ok, (Py_ssize_t)r->n_rounding,
                            (Py_ssize_t)r->n_error);
    Py_XDECREF(title);
    Py_XDECREF(source);
    Py_XDECREF(unit);
    return out;
}

GLUE_FUNCTION(audit_checks_item, "checks, index, /",
"The check at index (0 <= index < its count) as the dict a report gives\n"
"for it.")
{
    PyObject *capsule;
    Py_ssize_t i;
    if (parse_args(call, "On", &capsule, &i) < 0)
        return NULL;
    (void)module;
    const ap_audit_checks *checks = checks_of(capsule);
    if (checks == NULL)
        return NULL;
    const ap_audit_report *r = ap_audit_checks_report(checks);
    if (i < 0 || (size_t)i >= r->n_findings) {
        PyErr_Format(PyExc_IndexError, "check %zd of %zu", i, r->n_findings);
        return NULL;
    }
    return table_finding_item(r->findings, (size_t)i);
}

GLUE_FUNCTION(audit_checks_not_ok, "checks, /",
"The indices of the checks whose status is not ok or that could not be\n"
"made (cause illegible), in order, as a list of int.")
{
    PyObject *capsule;
    if (parse_args(call, "O", &capsule) < 0)
        return NULL;
    (void)module;
    const ap_audit_checks *checks = checks_of(capsule);
    if (checks == NULL)
        return NULL;
    size_t n;
    const size_t *at = ap_audit_checks_not_ok(checks, &n);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t k = 0; list != NULL && k < n; k++) {
        PyObject *v = PyLong_FromSize_t(at[k]);
        if (v == NULL) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)k, v);
    }
    return list;
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
    GLUE_METHOD(audit_checks_text),
    GLUE_METHOD(audit_checks_file),
    GLUE_METHOD(audit_checks_rows),
    GLUE_METHOD(audit_checks_head),
    GLUE_METHOD(audit_checks_item),
    GLUE_METHOD(audit_checks_not_ok),
    GLUE_METHOD(read_file),
    {NULL, NULL, 0, NULL},
};
