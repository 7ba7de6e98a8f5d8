/* Glue for savings.h: a savings tracker file or text in, the proposals,
 * their totals by RAG and the audit out as the dict apportion.savings
 * reads.  Money stays int pence, each printed figure as (pence,
 * resolution). */
#include "glue.h"

static PyObject *column_item(const void *ctx, size_t c)
{
    (void)ctx;
    return Py_BuildValue("(ss)", ap_savings_column_name((ap_savings_column)c),
                         ap_savings_column_title((ap_savings_column)c));
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

static PyObject *saving_item(const void *ctx, size_t i)
{
    const ap_saving *s = (const ap_saving *)ctx + i;
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

static PyObject *savings_total_item(const void *ctx, size_t i)
{
    const ap_savings_total *t = (const ap_savings_total *)ctx + i;
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
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "proposals", list_of(sv->proposals, sv->n_proposals, saving_item));
    SET(d, "totals", list_of(sv->totals, sv->n_totals, savings_total_item));
    SET(d, "source", core_text(sv->source));
    SET(d, "title", core_text(sv->title));
    SET(d, "reference", core_text(sv->reference));
    SET(d, "location", core_text(sv->location));
    SET(d, "year", core_text(sv->year));
    SET(d, "as_at", core_text(sv->as_at));
    SET(d, "unit", PyUnicode_FromString(ap_unit_name(sv->unit)));
    SET(d, "columns", list_of(NULL, AP_SAVINGS_COLUMN_COUNT, column_item));
    SET(d, "total_label", core_text(sv->total_label));
    SET(d, "total_columns", column_names(sv->total_columns));
    SET(d, "at_risk", PyUnicode_FromString(sv->amber_at_risk ? "red_and_amber"
                                                             : "red"));
    SET(d, "split", paper_split_dict(sv->has_split, sv->authorities,
                                     sv->n_authorities, &sv->split,
                                     &sv->split_paper));
    SET(d, "result", savings_result(r));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

PAPER_FINISH(finish_savings, ap_savings, ap_savings_result, ap_savings_compute,
             savings_to_dict, ap_savings_result_free, ap_savings_free, 1)

PAPER_READERS(savings, ap_savings, "savings", ap_savings_parse,
              finish_savings,
              "The savings in the file at path, their totals by RAG and\n"
              "audit, as a dict.",
              "The savings in text (source names it in messages), their\n"
              "totals by RAG and audit, as a dict.")

PAPER_TABLE(savings);
