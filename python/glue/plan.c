/* Glue for plan.h: a plan file read and computed, as the dict
 * apportion.plan builds a Plan from. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

static PyObject *code_of(const ap_plan *plan, size_t index)
{
    return core_text(plan->authorities[index].code);
}

static PyObject *stated_share(const ap_stated_share *s)
{
    PyObject *funding = PyList_New((Py_ssize_t)s->n_funding);
    if (funding == NULL)
        return NULL;
    for (size_t f = 0; f < s->n_funding; f++) {
        PyObject *item = Py_BuildValue("(NN)", core_text(s->funding[f].source),
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
        /* The code is the file's text: decoded as every other. */
        PyObject *code = core_text(plan->authorities[a].code);
        PyObject *share = code != NULL ? stated_share(&l->stated[a]) : NULL;
        int rc = share != NULL ? PyDict_SetItem(stated, code, share) : -1;
        Py_XDECREF(code);
        Py_XDECREF(share);
        if (rc < 0) {
            Py_DECREF(stated);
            return NULL;
        }
    }
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N}", "id", core_text(l->id), "description",
        core_text(l->description),
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
    PyObject *instalments =
        r->has_schedule ? int64_list(r->instalments, r->n_instalments)
                        : Py_NewRef(Py_None);
    PyObject *balancing = r->has_balancing
                              ? Py_BuildValue("LL", (long long)r->actual_share,
                                              (long long)r->balancing)
                              : Py_NewRef(Py_None);
    /* The checks go as the audit report every paper gives, built like
     * outturn.c's; the deprecated ap_check list is not passed on. */
    return Py_BuildValue("{s:N,s:N,s:L,s:L,s:N,s:N,s:N}", "shares", shares,
                         "authority_totals",
                         int64_list(r->authority_totals, na), "grand_total",
                         (long long)r->grand_total, "recharge_share",
                         (long long)r->recharge_share, "instalments",
                         instalments, "balancing", balancing, "audit",
                         audit_report_dict(r->audit));
}

static PyObject *plan_authorities(const ap_plan *plan)
{
    PyObject *list = PyList_New((Py_ssize_t)plan->n_authorities);
    for (size_t i = 0; list != NULL && i < plan->n_authorities; i++) {
        PyObject *t = Py_BuildValue("(NN)",
                                    core_text(plan->authorities[i].code),
                                    core_text(plan->authorities[i].name));
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
            "{s:N,s:N,s:N,s:N,s:N,s:N}", "description",
            core_text(c->description), "kind", core_text(c->kind),
            "from_year", core_text(c->from_year), "amount",
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

/* Per stated instalment, how it is printed: (legibility, text), the
 * legibility "legible", "cut off" or "not legible". */
static PyObject *plan_stated_printed(const ap_plan *plan)
{
    static const char *const names[] = {"legible", "cut off", "not legible"};
    PyObject *list = PyList_New((Py_ssize_t)plan->n_stated_instalments);
    for (size_t i = 0; list != NULL && i < plan->n_stated_instalments; i++) {
        const ap_printed_figure *f = &plan->stated_printed[i];
        PyObject *t = Py_BuildValue("(sN)", names[f->legibility],
                                    core_text(f->text));
        if (t == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* How ambiguous cells were read: dicts of of, printed, read_as, evidence. */
static PyObject *plan_readings(const ap_plan *plan)
{
    PyObject *list = PyList_New((Py_ssize_t)plan->n_readings);
    for (size_t i = 0; list != NULL && i < plan->n_readings; i++) {
        const ap_reading *r = &plan->readings[i];
        PyObject *d = Py_BuildValue(
            "{s:N,s:N,s:N,s:N}", "of", core_text(r->of), "printed",
            core_text(r->printed), "read_as", core_text(r->read_as),
            "evidence", core_text(r->evidence));
        if (d == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, d);
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
    if (set_item(d, "source", core_text(plan->source)) ||
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
        set_item(d, "stated_printed", plan_stated_printed(plan)) ||
        set_item(d, "readings", plan_readings(plan)) ||
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

PAPER_READERS(plan, ap_plan, "plan", ap_plan_parse, finish_plan,
              "The plan in the file at path and its computed results, as a "
              "dict.",
              "The plan in text (source names it in messages) and its\n"
              "computed results, as a dict.")

PAPER_TABLE(plan);
