/* Glue for disaggregation.h: a disaggregation paper's file or text in, the
 * model, its computed split and its audit out as the dict
 * apportion.disaggregation reads.  Money stays int pence, each printed
 * figure as (pence, resolution) beside its text; FTE and percentages are
 * ints at the result's stated number of decimals; dates are ISO text. */
#include "glue.h"

static PyObject *iso_date(int64_t date)
{
    char buf[24];
    ap_date_format(date, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

static PyObject *allocation_text_item(const void *ctx, size_t a)
{
    return str_or_none(((char *const *)ctx)[a]);
}

static PyObject *basis_item(const void *ctx, size_t k)
{
    const ap_disaggregation *m = ctx;
    const ap_disagg_basis *b = &m->bases[k];
    PyObject *d = basis_dict(&b->basis, m->n_authorities);
    if (d == NULL)
        return NULL;
    SET(d, "what", core_text(b->what));
    SET(d, "source", core_text(b->source));
    SET(d, "reading", core_text(b->reading));
    SET(d, "stated_total", str_or_none(b->has_stated_total ? b->stated_total
                                                           : NULL));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *post_item(const void *ctx, size_t p)
{
    const ap_disaggregation *m = ctx;
    const ap_disagg_post *post = &m->staffing.posts[p];
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "role", core_text(post->role));
    SET(d, "rule", PyUnicode_FromString(ap_post_rule_name(post->rule)));
    SET(d, "fte", core_text(post->fte_text));
    SET(d, "headcount", post->has_headcount
                            ? PyLong_FromLongLong(post->headcount)
                            : Py_NewRef(Py_None));
    SET(d, "assigned", post->assigned_text
                           ? text_list(post->assigned_text, m->n_authorities)
                           : Py_NewRef(Py_None));
    SET(d, "source", core_text(post->source));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *staffing_dict(const ap_disaggregation *m)
{
    const ap_disagg_staffing *s = &m->staffing;
    if (!s->present)
        return Py_NewRef(Py_None);
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "headcount", s->has_headcount ? PyLong_FromLongLong(s->headcount)
                                         : Py_NewRef(Py_None));
    SET(d, "fte", str_or_none(s->has_fte ? s->fte_text : NULL));
    SET(d, "source", core_text(s->source));
    SET(d, "posts", list_of(m, s->n_posts, post_item));
    if (s->has_extra_cost) {
        SET(d, "extra_cost",
            Py_BuildValue("{s:s,s:N,s:N,s:s,s:s}", "printed",
                          s->extra_cost_printed, "low",
                          amount_tuple(&s->extra_cost_low), "high",
                          amount_tuple(&s->extra_cost_high), "what",
                          s->extra_cost_what, "source",
                          s->extra_cost_source));
    } else {
        SET(d, "extra_cost", Py_NewRef(Py_None));
    }
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *cross_check_item(const void *ctx, size_t k)
{
    const ap_disaggregation *m = ctx;
    const ap_disagg_cross_check *x = &m->cross_checks[k];
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "label", core_text(x->label));
    SET(d, "stated", core_text(x->stated));
    SET(d, "stated_source", core_text(x->stated_source));
    SET(d, "against", core_text(x->against_text));
    SET(d, "against_pence", PyLong_FromLongLong(x->against.pence));
    SET(d, "against_source", core_text(x->against_source));
    SET(d, "reading", core_text(x->reading));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *event_item(const void *ctx, size_t k)
{
    const ap_disagg_event *e = &((const ap_disagg_timeline *)ctx)->events[k];
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "date", iso_date(e->date));
    SET(d, "what", core_text(e->what));
    SET(d, "source", core_text(e->source));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *timeline_dict(const ap_disaggregation *m,
                               const ap_disaggregation_result *r)
{
    const ap_disagg_timeline *t = &m->timeline;
    if (!t->present)
        return Py_NewRef(Py_None);
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "notice_months", PyLong_FromLongLong(t->notice_months));
    SET(d, "notice_source", core_text(t->notice_source));
    SET(d, "notice_from", iso_date(t->notice_from));
    SET(d, "notice_from_what", core_text(t->notice_from_what));
    SET(d, "target", iso_date(t->target));
    SET(d, "target_printed", core_text(t->target_printed));
    SET(d, "target_source", core_text(t->target_source));
    SET(d, "events", list_of(t, t->n_events, event_item));
    SET(d, "notice_end", iso_date(r->notice_end));
    SET(d, "target_margin_days", PyLong_FromLongLong(r->target_margin));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *disaggregation_result(const ap_disaggregation_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    size_t nb = r->n_bases, na = r->n_authorities;
    SET(d, "budget", PyLong_FromLongLong(r->budget));
    SET(d, "shares", int64_rows(r->shares, nb, na));
    SET(d, "percent_decimals", PyLong_FromLong(r->percent_decimals));
    SET(d, "percents", int64_rows(r->percents, nb, na));
    SET(d, "fte_decimals", PyLong_FromLong(r->fte_decimals));
    SET(d, "fte_now", PyLong_FromLongLong(r->fte_now));
    SET(d, "fte_after", PyLong_FromLongLong(r->fte_after));
    SET(d, "fte_extra", PyLong_FromLongLong(r->fte_extra));
    /* bases x (posts x authorities), one row per basis. */
    SET(d, "post_fte", int64_rows(r->post_fte, nb, r->n_posts * na));
    SET(d, "service_fte", int64_rows(r->service_fte, nb, na));
    SET(d, "audit", audit_report_dict(r->audit));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *disaggregation_to_dict(const ap_disaggregation *m,
                                        const ap_disaggregation_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    SET(d, "source", core_text(m->source));
    SET(d, "title", core_text(m->title));
    SET(d, "reference", core_text(m->reference));
    SET(d, "unit", PyUnicode_FromString(ap_unit_name(m->unit)));
    SET(d, "authorities", authorities_list(m->authorities, m->n_authorities));
    SET(d, "host", PyUnicode_FromString(m->authorities[m->host].code));
    SET(d, "budget", Py_BuildValue("{s:s,s:N,s:s}", "printed", m->budget_text,
                                   "amount", amount_tuple(&m->budget),
                                   "source", m->budget_source));
    SET(d, "allocations", amount_list(m->allocations, m->has_allocation,
                                      m->n_authorities));
    SET(d, "allocations_printed",
        list_of(m->allocation_text, m->n_authorities, allocation_text_item));
    SET(d, "bases", list_of(m, m->n_bases, basis_item));
    SET(d, "staffing", staffing_dict(m));
    SET(d, "cross_checks", list_of(m, m->n_cross_checks, cross_check_item));
    SET(d, "timeline", timeline_dict(m, r));
    SET(d, "result", disaggregation_result(r));
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

PAPER_FINISH(finish_disaggregation, ap_disaggregation,
             ap_disaggregation_result, ap_disaggregation_compute,
             disaggregation_to_dict, ap_disaggregation_result_free,
             ap_disaggregation_free, 1)

PAPER_READERS(disaggregation, ap_disaggregation, "disaggregation",
              ap_disaggregation_parse, finish_disaggregation,
              "The disaggregation paper in the file at path, its split of\n"
              "the budget and staff and its audit, as a dict.",
              "The disaggregation paper in text (source names it in\n"
              "messages), its split of the budget and staff and its audit,\n"
              "as a dict.")

PAPER_TABLE(disaggregation);
