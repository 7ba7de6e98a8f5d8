/* Glue for KPIs: band sets travel as lists of plain tuples
 *   (rag, lower_kind, lower_num, lower_den, upper_kind, upper_num, upper_den)
 * with kinds 0 open, 1 inclusive, 2 exclusive, and are checked again by
 * the core (ap_bands_make) whenever they come back in. */
#include <string.h>

#include "glue.h"

static PyObject *band_tuple(const void *ctx, size_t i)
{
    const ap_band *b = (const ap_band *)ctx + i;
    return Py_BuildValue("(siLLiLL)", ap_rag_name(b->rag), (int)b->lower.kind,
                         (long long)b->lower.value.num,
                         (long long)b->lower.value.den, (int)b->upper.kind,
                         (long long)b->upper.value.num,
                         (long long)b->upper.value.den);
}

static PyObject *band_set_result(const ap_band_set *set)
{
    PyObject *list = list_of(set->bands, set->n, band_tuple);
    if (list == NULL)
        return NULL;
    return Py_BuildValue("(NN)", list, core_text(set->warning));
}

/* A list of band tuples into a checked band set. */
static int band_set_from(PyObject *module, PyObject *obj, ap_band_set *set)
{
    PyObject *fast = PySequence_Fast(obj, "bands must be a sequence");
    if (fast == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    ap_band bands[AP_BANDS_MAX];
    ap_error err;
    if (n > AP_BANDS_MAX) {
        Py_DECREF(fast);
        ap_error_set(&err, AP_E_INPUT,
                     "%zd bands given; a band set holds at most %d", n,
                     AP_BANDS_MAX);
        raise_error(module, &err);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *rag;
        int lk, uk;
        long long ln, ld, un, ud;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i),
                              "siLLiLL;a band is (rag, lower_kind, "
                              "lower_num, lower_den, upper_kind, upper_num, "
                              "upper_den)",
                              &rag, &lk, &ln, &ld, &uk, &un, &ud)) {
            Py_DECREF(fast);
            return -1;
        }
        if (ap_rag_parse(rag, strlen(rag), &bands[i].rag, &err) != AP_OK) {
            Py_DECREF(fast);
            raise_error(module, &err);
            return -1;
        }
        bands[i].lower = (ap_bound){(ap_bound_kind)lk, {ln, ld}};
        bands[i].upper = (ap_bound){(ap_bound_kind)uk, {un, ud}};
    }
    Py_DECREF(fast);
    if (ap_bands_make(bands, (size_t)n, set, &err) != AP_OK) {
        raise_error(module, &err);
        return -1;
    }
    return 0;
}

static int polarity_from(PyObject *module, const char *name,
                         ap_polarity *out)
{
    ap_error err;
    if (ap_polarity_parse(name, out, &err) != AP_OK) {
        raise_error(module, &err);
        return -1;
    }
    return 0;
}

GLUE_FUNCTION(bands_make, "bands, /",
"The RAG bands (rag, lower_kind, lower_num, lower_den, upper_kind,\n"
"upper_num, upper_den) checked, as (bands, warning).")
{
    PyObject *arg;
    if (parse_args(call, "O", &arg) < 0)
        return NULL;
    ap_band_set set;
    if (band_set_from(module, arg, &set) < 0)
        return NULL;
    return band_set_result(&set);
}

GLUE_FUNCTION(bands_parse_text, "text, polarity",
"The RAG bands written in text for a KPI of polarity, as (bands,\n"
"warning).")
{
    const char *text, *polarity_name;
    Py_ssize_t len;
    if (parse_args(call, "s#s", &text, &len, &polarity_name) < 0)
        return NULL;
    ap_polarity polarity;
    if (polarity_from(module, polarity_name, &polarity) < 0)
        return NULL;
    ap_band_set set;
    ap_error err;
    if (ap_bands_parse_text(text, (size_t)len, polarity, &set, &err) !=
        AP_OK)
        return raise_error(module, &err);
    return band_set_result(&set);
}

GLUE_FUNCTION(bands_from_tolerance, "polarity, target, tolerance, kind",
"The RAG bands around target (num, den) with tolerance (num, den) of\n"
"kind, as (bands, '').")
{
    const char *polarity_name, *kind_name;
    long long tn, td, wn, wd;
    if (parse_args(call, "s(LL)(LL)s", &polarity_name, &tn, &td, &wn, &wd,
                   &kind_name) < 0)
        return NULL;
    ap_polarity polarity;
    if (polarity_from(module, polarity_name, &polarity) < 0)
        return NULL;
    ap_error err;
    ap_tolerance_kind kind;
    if (strcmp(kind_name, "points") == 0)
        kind = AP_TOLERANCE_POINTS;
    else if (strcmp(kind_name, "percent") == 0)
        kind = AP_TOLERANCE_PERCENT;
    else {
        ap_error_set(&err, AP_E_INPUT,
                     "tolerance kind must be \"points\" or \"percent\", not "
                     "\"%s\"",
                     kind_name);
        return raise_error(module, &err);
    }
    ap_band_set set;
    if (ap_bands_from_tolerance(polarity, (ap_number){tn, td},
                                (ap_number){wn, wd}, kind, &set,
                                &err) != AP_OK)
        return raise_error(module, &err);
    return band_set_result(&set);
}

GLUE_FUNCTION(bands_score, "bands, num, den",
"The RAG of the value num/den in bands: 'green', 'amber' or 'red'.")
{
    PyObject *bands;
    long long num, den;
    if (parse_args(call, "OLL", &bands, &num, &den) < 0)
        return NULL;
    ap_band_set set;
    if (band_set_from(module, bands, &set) < 0)
        return NULL;
    ap_error err;
    ap_rag rag;
    if (ap_bands_score(&set, (ap_number){num, den}, &rag, &err) != AP_OK)
        return raise_error(module, &err);
    return PyUnicode_FromString(ap_rag_name(rag));
}

GLUE_FUNCTION(bands_score_rates, "bands, num, den, scale, no_data, out",
"Fills out with the RAG code of each rate num/den (arrays) scaled by\n"
"scale, no_data where there is none.")
{
    PyObject *bands, *num_obj, *den_obj, *out_obj;
    long long scale;
    int no_data;
    if (parse_args(call, "OOOLiO", &bands, &num_obj, &den_obj, &scale,
                   &no_data, &out_obj) < 0)
        return NULL;
    ap_band_set set;
    if (band_set_from(module, bands, &set) < 0)
        return NULL;
    Py_buffer num, den, out;
    if (get_int64_buffer(num_obj, &num, 0, "numerators") < 0)
        return NULL;
    if (get_int64_buffer(den_obj, &den, 0, "denominators") < 0) {
        PyBuffer_Release(&num);
        return NULL;
    }
    if (get_typed_buffer(out_obj, &out, 1, 1, "B", "uint8", "out") < 0) {
        PyBuffer_Release(&num);
        PyBuffer_Release(&den);
        return NULL;
    }
    size_t n = (size_t)out.len;
    PyObject *result = NULL;
    if ((size_t)(num.len / 8) != n || (size_t)(den.len / 8) != n) {
        PyErr_SetString(PyExc_ValueError,
                        "numerators, denominators and out must be the same "
                        "length");
    } else {
        ap_error err;
        if (ap_bands_score_rates(&set, num.buf, den.buf, n, scale,
                                 (uint8_t)no_data, out.buf, &err) != AP_OK)
            raise_error(module, &err);
        else
            result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&den);
    PyBuffer_Release(&num);
    return result;
}

GLUE_FUNCTION(direction, "polarity, current, previous",
"Whether current (num, den) is better, worse or the same as previous\n"
"for a KPI of polarity.")
{
    const char *polarity_name;
    long long cn, cd, pn, pd;
    if (parse_args(call, "s(LL)(LL)", &polarity_name, &cn, &cd, &pn, &pd) < 0)
        return NULL;
    ap_polarity polarity;
    if (polarity_from(module, polarity_name, &polarity) < 0)
        return NULL;
    if (cd <= 0 || pd <= 0) {
        PyErr_SetString(PyExc_ValueError, "denominators must be positive");
        return NULL;
    }
    return PyUnicode_FromString(ap_direction_name(ap_direction_of(
        polarity, (ap_number){cn, cd}, (ap_number){pn, pd})));
}

GLUE_FUNCTION(escalation,
              "rags, no_data, failure_after, rectification_after, out",
"Fills out with the escalation state of each period from the run of RAG\n"
"codes before it.")
{
    PyObject *rags_obj, *out_obj;
    int no_data;
    long long failure_after, rectification_after;
    if (parse_args(call, "OiLLO", &rags_obj, &no_data, &failure_after,
                   &rectification_after, &out_obj) < 0)
        return NULL;
    Py_buffer rags, out;
    if (get_typed_buffer(rags_obj, &rags, 0, 1, "B", "uint8", "rags") < 0)
        return NULL;
    if (get_typed_buffer(out_obj, &out, 1, 1, "B", "uint8", "out") < 0) {
        PyBuffer_Release(&rags);
        return NULL;
    }
    PyObject *result = NULL;
    if (rags.len != out.len) {
        PyErr_SetString(PyExc_ValueError, "rags and out differ in length");
    } else {
        ap_error err;
        ap_escalation_rule rule = {failure_after, rectification_after};
        if (ap_escalation_run(rags.buf, (size_t)rags.len, (uint8_t)no_data,
                              &rule, out.buf, &err) != AP_OK)
            raise_error(module, &err);
        else
            result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&rags);
    return result;
}

static PyObject *escalation_item(const void *ctx, size_t i)
{
    (void)ctx;
    return PyUnicode_FromString(ap_escalation_name((ap_escalation)i));
}

GLUE_FUNCTION(escalation_names, "",
"The escalation states' names, by code.")
{
    if (bind_args(call, NULL) < 0)
        return NULL;
    (void)module;
    return list_of(NULL, AP_ESCALATION_COUNT, escalation_item);
}

/* ---- KPI definition files ---------------------------------------------- */

static PyObject *number_or_none(int present, ap_number x)
{
    if (!present)
        Py_RETURN_NONE;
    return Py_BuildValue("(LL)", (long long)x.num, (long long)x.den);
}

static PyObject *state_item(const void *ctx, size_t i)
{
    const ap_kpi_state *s = (const ap_kpi_state *)ctx + i;
    return Py_BuildValue("(Ns)", core_text(s->label), ap_rag_name(s->rag));
}

static PyObject *kpi_dict(const void *ctx, size_t i)
{
    const ap_kpi *k = (const ap_kpi *)ctx + i;
    PyObject *states = list_of(k->states, k->n_states, state_item);
    if (states == NULL)
        return NULL;
    PyObject *bands = k->kind == AP_KPI_MEASURE ? band_set_result(&k->bands)
                                                : Py_NewRef(Py_None);
    if (bands == NULL) {
        Py_DECREF(states);
        return NULL;
    }
    PyObject *escalation =
        k->has_escalation
            ? Py_BuildValue("(LL)", (long long)k->escalation.failure_after,
                            (long long)k->escalation.rectification_after)
            : Py_NewRef(Py_None);
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N,s:s,s:s,s:N,s:N,s:s,s:N,s:N,s:N,s:N,s:N}",
        "ref",
        str_or_none(k->ref), "description", str_or_none(k->description),
        "unit", str_or_none(k->unit), "frequency", str_or_none(k->frequency),
        "reported_to", str_or_none(k->reported_to), "kind",
        k->kind == AP_KPI_STATUS ? "status" : "measure", "polarity",
        k->polarity == AP_POLARITY_LOWER ? "lower" : "higher", "target",
        number_or_none(k->has_target, k->target), "tolerance",
        number_or_none(k->has_tolerance, k->tolerance), "tolerance_kind",
        k->tolerance_kind == AP_TOLERANCE_PERCENT ? "percent" : "points",
        "bands", bands, "bands_text", str_or_none(k->bands_text), "states",
        states, "escalation", escalation, "measure",
        str_or_none(k->measure));
}

PyObject *kpi_list(const ap_kpi_set *set)
{
    return list_of(set->kpis, set->n, kpi_dict);
}

/* A freshly read set as that list; the set is released. */
static PyObject *kpi_set_list(PyObject *module, ap_status st, ap_kpi_set *set,
                              ap_error *err)
{
    if (st != AP_OK)
        return raise_error(module, err);
    PyObject *list = kpi_list(set);
    ap_kpi_set_free(set);
    return list;
}

PAPER_READERS(kpis, ap_kpi_set, "KPI", ap_kpis_parse,
              kpi_set_list,
              "The KPI definitions in the file at path, as a list of\n"
              "dicts.",
              "The KPI definitions in text (source names it in messages),\n"
              "as a list of dicts.")

PyMethodDef kpi_methods[] = {
    GLUE_METHOD(bands_make),
    GLUE_METHOD(bands_parse_text),
    GLUE_METHOD(bands_from_tolerance),
    GLUE_METHOD(bands_score),
    GLUE_METHOD(bands_score_rates),
    GLUE_METHOD(direction),
    GLUE_METHOD(escalation),
    GLUE_METHOD(escalation_names),
    PAPER_METHODS(kpis),
    {NULL, NULL, 0, NULL},
};
