/* Glue for mtfp.h: an MTFP (medium-term financial plan) file or text in,
 * the model, its roll-forward and its audit out as the dict apportion.mtfp
 * reads.  Money stays int pence, each printed figure as (pence,
 * resolution); the audit report goes through audit_report_dict like every
 * other audited model's. */
#include "glue.h"

static PyObject *category_item(const void *ctx, size_t c)
{
    (void)ctx;
    ap_mtfp_category cat = (ap_mtfp_category)c;
    return Py_BuildValue("(ssN)", ap_mtfp_category_name(cat),
                         ap_mtfp_category_title(cat),
                         PyBool_FromLong(ap_mtfp_category_is_saving(cat)));
}

static PyObject *mtfp_proposal(const void *ctx, size_t i)
{
    const ap_mtfp *m = ctx;
    const ap_mtfp_proposal *p = &m->proposals[i];
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

static PyObject *mtfp_stated_row(const void *ctx, size_t i)
{
    const ap_mtfp *m = ctx;
    const ap_mtfp_stated_row *row = &m->stated[i];
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
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "proposals", list_of(m, m->n_proposals, mtfp_proposal));
    SET(d, "stated", list_of(m, m->n_stated, mtfp_stated_row));
    SET(d, "source", core_text(m->source));
    SET(d, "title", core_text(m->title));
    SET(d, "reference", core_text(m->reference));
    SET(d, "location", core_text(m->location));
    SET(d, "unit", PyUnicode_FromString(ap_unit_name(m->unit)));
    SET(d, "years", text_list(m->years, m->n_years));
    SET(d, "base", amount_tuple(&m->base));
    SET(d, "categories",
        list_of(NULL, AP_MTFP_CATEGORY_COUNT, category_item));
    SET(d, "split", paper_split_dict(m->has_split, m->authorities,
                                     m->n_authorities, &m->split,
                                     &m->split_paper));
    SET(d, "result", mtfp_result(r));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

PAPER_FINISH(finish_mtfp, ap_mtfp, ap_mtfp_result, ap_mtfp_compute,
             mtfp_to_dict, ap_mtfp_result_free, ap_mtfp_free, 1)

PAPER_READERS(mtfp, ap_mtfp, "MTFP", ap_mtfp_parse,
              finish_mtfp,
              "The MTFP in the file at path, its roll-forward and audit,\n"
              "as a dict.",
              "The MTFP in text (source names it in messages), its\n"
              "roll-forward and audit, as a dict.")

PAPER_TABLE(mtfp);
