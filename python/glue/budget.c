/* Glue for MTFP roll-forward and savings by RAG (mtfp.h, savings.h): a
 * file or text in, the model and its computed results out as the dicts
 * apportion.mtfp and apportion.savings read.  Money stays int pence, each
 * printed figure as (pence, resolution); the audit report goes through
 * audit_report_dict like every other audited model's. */
#include "glue.h"

/* dict[key] = value for a run of keys; value NULL (an error already set)
 * stops it.  Each value is built only when its turn comes, so a failure
 * part-way leaks nothing: set_item consumes what it is given. */
#define SET(d, key, value)                                                   \
    do {                                                                     \
        if (set_item((d), (key), (value)) < 0)                               \
            goto fail;                                                       \
    } while (0)

/* n printed amounts; has (may be NULL: all present) marks which were
 * printed, the rest are None. */
static PyObject *amount_list(const ap_amount *a, const int *has, size_t n)
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

static PyObject *text_list(char *const *texts, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *item = core_text(texts[i]);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *authority_codes(const ap_authority *a, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *item = core_text(a[i].code);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

/* The split of a savings or MTFP model: the split every model gives
 * (basis_dict), its authorities' codes and weights, and what the paper
 * says of it. */
static PyObject *split_dict(int has_split, const ap_authority *authorities,
                            size_t n, const ap_basis *s,
                            const ap_split_paper *paper)
{
    if (!has_split)
        Py_RETURN_NONE;
    PyObject *d = basis_dict(s, n);
    if (d == NULL)
        return NULL;
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

/* ---- MTFP ------------------------------------------------------------------ */

static PyObject *mtfp_categories(void)
{
    PyObject *list = PyList_New(AP_MTFP_CATEGORY_COUNT);
    for (int c = 0; list != NULL && c < AP_MTFP_CATEGORY_COUNT; c++) {
        ap_mtfp_category cat = (ap_mtfp_category)c;
        PyObject *t = Py_BuildValue("(ssN)", ap_mtfp_category_name(cat),
                                    ap_mtfp_category_title(cat),
                                    PyBool_FromLong(
                                        ap_mtfp_category_is_saving(cat)));
        if (t == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, c, t);
    }
    return list;
}

static PyObject *mtfp_proposal(const ap_mtfp *m, const ap_mtfp_proposal *p)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "reference", core_text(p->reference));
    SET(d, "name", core_text(p->name));
    SET(d, "description", core_text(p->description));
    SET(d, "category",
        PyUnicode_FromString(ap_mtfp_category_name(p->category)));
    SET(d, "allow_positive", PyBool_FromLong(p->allow_positive));
    SET(d, "amounts", amount_list(p->amounts, NULL, m->n_years));
    SET(d, "total", amount_or_none(p->has_total, &p->total));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *mtfp_stated_row(const ap_mtfp *m,
                                 const ap_mtfp_stated_row *row)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "label", core_text(row->label));
    SET(d, "table", core_text(row->table));
    SET(d, "of", PyUnicode_FromString(ap_mtfp_of_name(row->of)));
    SET(d, "amounts", amount_list(row->amounts, row->has_amount, m->n_years));
    SET(d, "total", amount_or_none(row->has_total, &row->total));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *mtfp_result(const ap_mtfp_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    size_t ny = r->n_years;
    SET(d, "base", int64_list(r->base, ny));
    SET(d, "by_category",
        int64_rows(r->by_category, ny, AP_MTFP_CATEGORY_COUNT));
    SET(d, "growth", int64_list(r->growth, ny));
    SET(d, "savings", int64_list(r->savings, ny));
    SET(d, "requirement", int64_list(r->requirement, ny));
    SET(d, "proposal_totals", int64_list(r->proposal_totals, r->n_proposals));
    SET(d, "category_totals",
        int64_list(r->category_totals, AP_MTFP_CATEGORY_COUNT));
    SET(d, "growth_total", PyLong_FromLongLong(r->growth_total));
    SET(d, "savings_total", PyLong_FromLongLong(r->savings_total));
    SET(d, "split", r->split ? int64_rows(r->split, ny, r->n_parties)
                             : Py_NewRef(Py_None));
    SET(d, "audit", audit_report_dict(r->audit));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *mtfp_to_dict(const ap_mtfp *m, const ap_mtfp_result *r)
{
    PyObject *proposals = PyList_New((Py_ssize_t)m->n_proposals);
    for (size_t i = 0; proposals != NULL && i < m->n_proposals; i++) {
        PyObject *p = mtfp_proposal(m, &m->proposals[i]);
        if (p == NULL)
            Py_CLEAR(proposals);
        else
            PyList_SET_ITEM(proposals, (Py_ssize_t)i, p);
    }
    if (proposals == NULL)
        return NULL;
    PyObject *d = PyDict_New();
    if (d == NULL) {
        Py_DECREF(proposals);
        return NULL;
    }
    SET(d, "proposals", proposals);
    PyObject *stated = PyList_New((Py_ssize_t)m->n_stated);
    for (size_t k = 0; stated != NULL && k < m->n_stated; k++) {
        PyObject *row = mtfp_stated_row(m, &m->stated[k]);
        if (row == NULL)
            Py_CLEAR(stated);
        else
            PyList_SET_ITEM(stated, (Py_ssize_t)k, row);
    }
    SET(d, "stated", stated);
    SET(d, "source", core_text(m->source));
    SET(d, "title", core_text(m->title));
    SET(d, "reference", core_text(m->reference));
    SET(d, "location", core_text(m->location));
    SET(d, "unit", PyUnicode_FromString(ap_unit_name(m->unit)));
    SET(d, "years", text_list(m->years, m->n_years));
    SET(d, "base", amount_tuple(&m->base));
    SET(d, "categories", mtfp_categories());
    SET(d, "split", split_dict(m->has_split, m->authorities, m->n_authorities,
                               &m->split, &m->split_paper));
    SET(d, "result", mtfp_result(r));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *finish_mtfp(PyObject *module, ap_status st, ap_mtfp *m,
                             ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_mtfp_result *r = NULL;
    PyObject *d = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = ap_mtfp_compute(m, &r, err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK)
        raise_error(module, err);
    else
        d = mtfp_to_dict(m, r);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);
    return d;
}

PyDoc_STRVAR(load_mtfp_doc,
"load_mtfp($module, /, path)\n--\n\n"
"The MTFP in the file at path, its roll-forward and audit, as a dict.");
ARG_SPEC(load_mtfp_args, "load_mtfp", 0, 0, "path");

static PyObject *core_load_mtfp(PyObject *module, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *path_obj;
    if (parse_args(&load_mtfp_args, args, nargs, kwnames, "O&",
                   PyUnicode_FSConverter, &path_obj) < 0)
        return NULL;
    ap_mtfp *m = NULL;
    ap_error err;
    /* The GIL stays held while parsing: cJSON notes parse failures in a
     * process-wide variable. */
    ap_status st = ap_mtfp_load(PyBytes_AS_STRING(path_obj), &m, &err);
    Py_DECREF(path_obj);
    return finish_mtfp(module, st, m, &err);
}

PyDoc_STRVAR(parse_mtfp_doc,
"parse_mtfp($module, /, text, source)\n--\n\n"
"The MTFP in text (source names it in messages), its roll-forward and\n"
"audit, as a dict.");
ARG_SPEC(parse_mtfp_args, "parse_mtfp", 0, 0, "text", "source");

static PyObject *core_parse_mtfp(PyObject *module, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text, *source;
    Py_ssize_t len;
    if (parse_args(&parse_mtfp_args, args, nargs, kwnames, "s#s", &text, &len,
                   &source) < 0)
        return NULL;
    ap_mtfp *m = NULL;
    ap_error err;
    ap_status st = ap_mtfp_parse(text, (size_t)len, source, &m, &err);
    return finish_mtfp(module, st, m, &err);
}

/* ---- savings ----------------------------------------------------------- */

static PyObject *savings_columns(void)
{
    PyObject *list = PyList_New(AP_SAVINGS_COLUMN_COUNT);
    for (int c = 0; list != NULL && c < AP_SAVINGS_COLUMN_COUNT; c++) {
        PyObject *t = Py_BuildValue(
            "(ss)", ap_savings_column_name((ap_savings_column)c),
            ap_savings_column_title((ap_savings_column)c));
        if (t == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, c, t);
    }
    return list;
}

static PyObject *column_names(unsigned mask)
{
    PyObject *list = PyList_New(0);
    for (int c = 0; list != NULL && c < AP_SAVINGS_COLUMN_COUNT; c++) {
        if (!(mask & (1u << c)))
            continue;
        PyObject *name = PyUnicode_FromString(
            ap_savings_column_name((ap_savings_column)c));
        if (name == NULL || PyList_Append(list, name) < 0)
            Py_CLEAR(list);
        Py_XDECREF(name);
    }
    return list;
}

static PyObject *saving_dict(const ap_saving *s)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "reference", core_text(s->reference));
    SET(d, "name", core_text(s->name));
    SET(d, "sro", core_text(s->sro));
    SET(d, "comments", core_text(s->comments));
    SET(d, "amount", amount_tuple(&s->amount));
    SET(d, "rated", amount_list(s->rated, NULL, AP_SAVINGS_COLUMN_COUNT));
    SET(d, "total", amount_or_none(s->has_total, &s->total));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *savings_total_dict(const ap_savings_total *t)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "label", core_text(t->label));
    SET(d, "from", PyLong_FromSize_t(t->from));
    SET(d, "to", PyLong_FromSize_t(t->to));
    SET(d, "amount", amount_or_none(t->has_amount, &t->amount));
    SET(d, "rated",
        amount_list(t->rated, t->has_rated, AP_SAVINGS_COLUMN_COUNT));
    SET(d, "total", amount_or_none(t->has_total, &t->total));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *savings_result(const ap_savings_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "row_rated", int64_list(r->row_rated, r->n_proposals));
    SET(d, "target", PyLong_FromLongLong(r->target));
    SET(d, "by_column", int64_list(r->by_column, AP_SAVINGS_COLUMN_COUNT));
    SET(d, "rated", PyLong_FromLongLong(r->rated));
    SET(d, "secured", PyLong_FromLongLong(r->secured));
    SET(d, "forecast", PyLong_FromLongLong(r->forecast));
    SET(d, "pressure", PyLong_FromLongLong(r->pressure));
    SET(d, "secured_basis_points",
        r->has_percentages ? PyLong_FromLongLong(r->secured_basis_points)
                           : Py_NewRef(Py_None));
    SET(d, "forecast_basis_points",
        r->has_percentages ? PyLong_FromLongLong(r->forecast_basis_points)
                           : Py_NewRef(Py_None));
    SET(d, "pressure_split",
        r->pressure_split ? int64_list(r->pressure_split, r->n_parties)
                          : Py_NewRef(Py_None));
    SET(d, "audit", audit_report_dict(r->audit));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *savings_to_dict(const ap_savings *sv,
                                 const ap_savings_result *r)
{
    PyObject *proposals = PyList_New((Py_ssize_t)sv->n_proposals);
    for (size_t i = 0; proposals != NULL && i < sv->n_proposals; i++) {
        PyObject *p = saving_dict(&sv->proposals[i]);
        if (p == NULL)
            Py_CLEAR(proposals);
        else
            PyList_SET_ITEM(proposals, (Py_ssize_t)i, p);
    }
    if (proposals == NULL)
        return NULL;
    PyObject *d = PyDict_New();
    if (d == NULL) {
        Py_DECREF(proposals);
        return NULL;
    }
    SET(d, "proposals", proposals);
    PyObject *totals = PyList_New((Py_ssize_t)sv->n_totals);
    for (size_t k = 0; totals != NULL && k < sv->n_totals; k++) {
        PyObject *t = savings_total_dict(&sv->totals[k]);
        if (t == NULL)
            Py_CLEAR(totals);
        else
            PyList_SET_ITEM(totals, (Py_ssize_t)k, t);
    }
    SET(d, "totals", totals);
    SET(d, "source", core_text(sv->source));
    SET(d, "title", core_text(sv->title));
    SET(d, "reference", core_text(sv->reference));
    SET(d, "location", core_text(sv->location));
    SET(d, "year", core_text(sv->year));
    SET(d, "as_at", core_text(sv->as_at));
    SET(d, "unit", PyUnicode_FromString(ap_unit_name(sv->unit)));
    SET(d, "columns", savings_columns());
    SET(d, "total_label", core_text(sv->total_label));
    SET(d, "total_columns", column_names(sv->total_columns));
    SET(d, "at_risk", PyUnicode_FromString(sv->amber_at_risk ? "red_and_amber"
                                                             : "red"));
    SET(d, "split", split_dict(sv->has_split, sv->authorities,
                               sv->n_authorities, &sv->split,
                               &sv->split_paper));
    SET(d, "result", savings_result(r));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *finish_savings(PyObject *module, ap_status st,
                                ap_savings *sv, ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_savings_result *r = NULL;
    PyObject *d = NULL;
    Py_BEGIN_ALLOW_THREADS
    st = ap_savings_compute(sv, &r, err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK)
        raise_error(module, err);
    else
        d = savings_to_dict(sv, r);
    ap_savings_result_free(r);
    ap_savings_free(sv);
    return d;
}

PyDoc_STRVAR(load_savings_doc,
"load_savings($module, /, path)\n--\n\n"
"The savings in the file at path, their totals by RAG and audit, as a\n"
"dict.");
ARG_SPEC(load_savings_args, "load_savings", 0, 0, "path");

static PyObject *core_load_savings(PyObject *module, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *path_obj;
    if (parse_args(&load_savings_args, args, nargs, kwnames, "O&",
                   PyUnicode_FSConverter, &path_obj) < 0)
        return NULL;
    ap_savings *sv = NULL;
    ap_error err;
    ap_status st = ap_savings_load(PyBytes_AS_STRING(path_obj), &sv, &err);
    Py_DECREF(path_obj);
    return finish_savings(module, st, sv, &err);
}

PyDoc_STRVAR(parse_savings_doc,
"parse_savings($module, /, text, source)\n--\n\n"
"The savings in text (source names it in messages), their totals by RAG\n"
"and audit, as a dict.");
ARG_SPEC(parse_savings_args, "parse_savings", 0, 0, "text", "source");

static PyObject *core_parse_savings(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text, *source;
    Py_ssize_t len;
    if (parse_args(&parse_savings_args, args, nargs, kwnames, "s#s", &text,
                   &len, &source) < 0)
        return NULL;
    ap_savings *sv = NULL;
    ap_error err;
    ap_status st = ap_savings_parse(text, (size_t)len, source, &sv, &err);
    return finish_savings(module, st, sv, &err);
}

PyMethodDef budget_methods[] = {
    GLUE_METHOD(load_mtfp),
    GLUE_METHOD(parse_mtfp),
    GLUE_METHOD(load_savings),
    GLUE_METHOD(parse_savings),
    {NULL, NULL, 0, NULL},
};
