/* Glue for outturn.h: outturn against budget and the Q4 balancing payment
 * of a recharge: files in, dicts of the model and its computed results
 * out, for apportion.outturn.  Money is int pence; a printed figure is
 * (pence, resolution) with resolution 0 for a nil printed "-", or None
 * when the paper does not print it. */
#include "glue.h"

static PyObject *code_or_none(const ap_authority *authorities, int has,
                              size_t index)
{
    if (!has)
        Py_RETURN_NONE;
    return core_text(authorities[index].code);
}

/* ---- outturn ------------------------------------------------------------ */

static PyObject *variance_dict(const ap_variance *v)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    /* Each value is built only when its turn comes: set_item consumes it,
     * so a failure part-way leaks nothing. */
    if (set_item(d, "budget", PyLong_FromLongLong(v->budget)) < 0 ||
        set_item(d, "gross_outturn", PyLong_FromLongLong(v->gross_outturn)) <
            0 ||
        set_item(d, "funding", PyLong_FromLongLong(v->funding)) < 0 ||
        set_item(d, "outturn", PyLong_FromLongLong(v->outturn)) < 0 ||
        set_item(d, "variance", PyLong_FromLongLong(v->variance)) < 0 ||
        set_item(d, "ratio",
                 v->has_ratio ? Py_BuildValue("LL", (long long)v->ratio_num,
                                              (long long)v->ratio_den)
                              : Py_NewRef(Py_None)) < 0 ||
        set_item(d, "basis_points",
                 v->has_ratio ? PyLong_FromLongLong(v->basis_points)
                              : Py_NewRef(Py_None)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *funding_item(const void *ctx, size_t i)
{
    const ap_outturn_funding *f = (const ap_outturn_funding *)ctx + i;
    return Py_BuildValue("(NN)", core_text(f->source),
                         amount_tuple(&f->amount));
}

static PyObject *outturn_line(const void *ctx, size_t i)
{
    const ap_outturn *o = ctx;
    const ap_outturn_line *l = &o->lines[i];
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "id", core_text(l->id)) < 0 ||
        set_item(d, "service", core_text(l->service)) < 0 ||
        set_item(d, "service_area", str_or_none(l->service_area)) < 0 ||
        set_item(d, "kind", PyUnicode_FromString(
                                l->kind == AP_LINE_INCOME ? "income"
                                                          : "service")) < 0 ||
        set_item(d, "authority", code_or_none(o->authorities,
                                              l->has_authority,
                                              l->authority)) < 0 ||
        set_item(d, "budget", printed_obj(&l->budget)) < 0 ||
        set_item(d, "gross_outturn", printed_obj(&l->gross_outturn)) < 0 ||
        set_item(d, "funding", list_of(l->funding, l->n_funding,
                                       funding_item)) < 0 ||
        set_item(d, "outturn", printed_obj(&l->outturn)) < 0 ||
        set_item(d, "variance", printed_obj(&l->variance)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

static PyObject *reserve_item(const void *ctx, size_t i)
{
    const ap_outturn_reserve *r = (const ap_outturn_reserve *)ctx + i;
    return Py_BuildValue("{s:N,s:N,s:N}", "name", core_text(r->name),
                         "description", core_text(r->description), "amount",
                         amount_tuple(&r->amount));
}

static PyObject *grant_item(const void *ctx, size_t i)
{
    const ap_outturn_grant *g = (const ap_outturn_grant *)ctx + i;
    return Py_BuildValue("(NN)", core_text(g->name),
                         amount_tuple(&g->amount));
}

static PyObject *variance_item(const void *ctx, size_t i)
{
    return variance_dict((const ap_variance *)ctx + i);
}

static PyObject *area_item(const void *ctx, size_t i)
{
    const ap_service_area *a = (const ap_service_area *)ctx + i;
    PyObject *d = variance_dict(&a->v);
    if (d == NULL)
        return NULL;
    if (set_item(d, "name", core_text(a->name)) < 0 ||
        set_item(d, "n_lines", PyLong_FromSize_t(a->n_lines)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* The variances and reserves by authority, None without authorities. */
static PyObject *by_authority_dict(const ap_outturn_result *r)
{
    if (r->n_authorities == 0)
        Py_RETURN_NONE;
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N}", "variance_shares",
        int64_rows(r->variance_shares, r->n_lines, r->n_authorities),
        "variance", int64_list(r->authority_variance, r->n_authorities),
        "reserves", int64_list(r->authority_reserves, r->n_authorities),
        "net_variance", int64_list(r->authority_net, r->n_authorities));
}

static PyObject *outturn_result(const ap_outturn_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "sign", PyUnicode_FromString(
                                ap_variance_sign_name(r->sign))) < 0 ||
        set_item(d, "lines", list_of(r->lines, r->n_lines, variance_item)) <
            0 ||
        set_item(d, "areas", list_of(r->areas, r->n_areas, area_item)) < 0 ||
        set_item(d, "total", variance_dict(&r->total)) < 0 ||
        set_item(d, "service_budget",
                 PyLong_FromLongLong(r->service_budget)) < 0 ||
        set_item(d, "income_budget", PyLong_FromLongLong(r->income_budget)) <
            0 ||
        set_item(d, "reserves", PyLong_FromLongLong(r->reserves)) < 0 ||
        set_item(d, "net_variance", PyLong_FromLongLong(r->net_variance)) <
            0 ||
        set_item(d, "by_authority", by_authority_dict(r)) < 0 ||
        set_item(d, "sign_reversed", PyBool_FromLong(r->sign_reversed)) < 0 ||
        set_item(d, "audit", audit_report_dict(r->audit)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* The paper's total row: each column as printed, or None. */
static PyObject *total_dict(const ap_outturn *o)
{
    static const char *const total_keys[5] = {
        "budget", "gross_outturn", "funding", "outturn", "variance"};
    PyObject *total = PyDict_New();
    for (int c = 0; total != NULL && c < 5; c++)
        if (set_item(total, total_keys[c], printed_obj(&o->total[c])) < 0)
            Py_CLEAR(total);
    return total;
}

static PyObject *stated_dict(const ap_outturn_stated *s)
{
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N}", "budget", printed_obj(&s->budget),
        "variance", printed_obj(&s->variance), "funding",
        printed_obj(&s->funding), "reserves", printed_obj(&s->reserves),
        "net_variance", printed_obj(&s->net_variance));
}

/* The grants table, None when the paper has none. */
static PyObject *grants_dict(const ap_outturn *o)
{
    if (!o->grants.present)
        Py_RETURN_NONE;
    return Py_BuildValue(
        "{s:N,s:s,s:N,s:N}", "title", core_text(o->grants.title), "unit",
        ap_unit_name(o->grants.unit), "items",
        list_of(o->grants.items, o->grants.n_items, grant_item), "total",
        printed_obj(&o->grants.total));
}

/* Each value is built only when its turn comes: set_item consumes it, so
 * a failure part-way leaks nothing. */
static PyObject *outturn_dict(const ap_outturn *o, const ap_outturn_result *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (set_item(d, "source", core_text(o->source)) < 0 ||
        set_item(d, "title", str_or_none(o->title)) < 0 ||
        set_item(d, "financial_year", str_or_none(o->financial_year)) < 0 ||
        set_item(d, "period", str_or_none(o->period)) < 0 ||
        set_item(d, "funding_label", core_text(o->funding_label)) < 0 ||
        set_item(d, "unit", PyUnicode_FromString(ap_unit_name(o->unit))) < 0 ||
        set_item(d, "outturn_kind",
                 PyUnicode_FromString(o->kind == AP_OUTTURN_FORECAST
                                          ? "forecast"
                                          : "actual")) < 0 ||
        set_item(d, "variance_sign", PyUnicode_FromString(
                                         ap_variance_sign_name(
                                             o->variance_sign))) < 0 ||
        set_item(d, "variance_sign_rule",
                 PyUnicode_FromString(ap_variance_sign_rule(
                     o->variance_sign))) < 0 ||
        set_item(d, "sign_rule", PyUnicode_FromString(ap_variance_sign_rule(
                                     r->sign))) < 0 ||
        set_item(d, "authorities",
                 authorities_list(o->authorities, o->n_authorities)) < 0 ||
        set_item(d, "split", split_dict(o->has_split, &o->split,
                                        o->n_authorities)) < 0 ||
        set_item(d, "lines", list_of(o, o->n_lines, outturn_line)) < 0 ||
        set_item(d, "total", total_dict(o)) < 0 ||
        set_item(d, "stated", stated_dict(&o->stated)) < 0 ||
        set_item(d, "reserves", list_of(o->reserves, o->n_reserves,
                                        reserve_item)) < 0 ||
        set_item(d, "grants", grants_dict(o)) < 0 ||
        set_item(d, "result", outturn_result(r)) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PAPER_FINISH(finish_outturn, ap_outturn, ap_outturn_result, ap_outturn_compute,
             outturn_dict, ap_outturn_result_free, ap_outturn_free, 0)

PAPER_READERS(outturn, ap_outturn, "outturn", ap_outturn_parse,
              finish_outturn,
              "The outturn in the file at path and its computed results,\n"
              "as a dict.",
              "The outturn in text (source names it in messages) and its\n"
              "results, as a dict.")

/* ---- the Q4 balancing payment ------------------------------------------- */

static PyObject *carry_forward_item(const void *ctx, size_t i)
{
    const ap_plan *plan = ctx;
    const ap_carry_forward *c = &plan->carry_forwards[i];
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:N}", "description",
                         core_text(c->description), "kind",
                         core_text(c->kind), "from_year",
                         core_text(c->from_year), "amount",
                         amount_tuple(&c->amount), "payer",
                         core_text(plan->authorities[c->payer].code),
                         "payee",
                         core_text(plan->authorities[c->payee].code));
}

static PyObject *balance_dict(const ap_plan *plan,
                              const ap_recharge_balance *b)
{
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:L,s:L,s:L,s:L,s:L,s:N,s:L,s:L,s:L,s:N,s:L,s:L}",
        "source", core_text(plan->source), "payer",
        core_text(plan->authorities[b->payer].code), "payee",
        core_text(plan->authorities[b->payee].code), "budget",
        (long long)b->budget,
        "actual_expenditure", (long long)b->actual_expenditure, "variance",
        (long long)b->variance, "budget_share", (long long)b->budget_share,
        "actual_share", (long long)b->actual_share, "billed",
        int64_list(b->billed, b->n_billed), "billed_total",
        (long long)b->billed_total, "planned_final",
        (long long)b->planned_final, "balance", (long long)b->balance,
        "carry_forwards",
        list_of(plan, plan->n_carry_forwards, carry_forward_item),
        "carry_forwards_to_payee", (long long)b->carry_forwards_to_payee,
        "carry_forwards_to_payer", (long long)b->carry_forwards_to_payer);
}

static PyObject *finish_balance(PyObject *module, ap_status st,
                                ap_plan *plan, int64_t actual, ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    ap_recharge_balance *b = NULL;
    PyObject *d = NULL;
    if (ap_recharge_balance_compute(plan, actual, &b, err) != AP_OK)
        raise_error(module, err);
    else
        d = balance_dict(plan, b);
    ap_recharge_balance_free(b);
    ap_plan_free(plan);
    return d;
}

GLUE_FUNCTION(load_plan_balance, "path, actual_expenditure, max_bytes=None",
"The Q4 balancing payment of the plan at path given the actual\n"
"expenditure (pence), as a dict; a file larger than max_bytes is refused.")
{
    PyObject *path, *actual_obj, *max_bytes = Py_None;
    if (parse_args(call, "O&OO", PyUnicode_FSConverter, &path, &actual_obj,
                   &max_bytes) < 0)
        return NULL;
    int64_t actual;
    char *text = NULL;
    size_t len;
    if (to_int64(module, actual_obj, "actual_expenditure", &actual) < 0 ||
        read_file_arg(module, path, max_bytes, "plan", &text, &len) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    ap_plan *plan = NULL;
    ap_error err;
    ap_status st =
        ap_plan_parse(text, len, PyBytes_AS_STRING(path), &plan, &err);
    free(text);
    Py_DECREF(path);
    return finish_balance(module, st, plan, actual, &err);
}

GLUE_FUNCTION(parse_plan_balance, "text, source, actual_expenditure",
"The Q4 balancing payment of the plan in text given the actual\n"
"expenditure (pence), as a dict.")
{
    const char *text, *source;
    Py_ssize_t len;
    PyObject *actual_obj;
    if (parse_args(call, "s#sO", &text, &len, &source, &actual_obj) < 0)
        return NULL;
    int64_t actual;
    if (to_int64(module, actual_obj, "actual_expenditure", &actual) < 0)
        return NULL;
    ap_plan *plan = NULL;
    ap_error err;
    ap_status st = ap_plan_parse(text, (size_t)len, source, &plan, &err);
    return finish_balance(module, st, plan, actual, &err);
}

PyMethodDef outturn_methods[] = {
    PAPER_METHODS(outturn),
    PAPER_METHODS(plan_balance),
    {NULL, NULL, 0, NULL},
};
