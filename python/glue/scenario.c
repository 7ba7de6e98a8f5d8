/* Glue for cost scenarios (scenario.h): the Philox draws, the cost model's
 * projection and Monte Carlo runs, and percentiles of pence.  Arrays come
 * in through the buffer protocol without a copy and results go into int64
 * arrays that apportion.scenario allocates; every shape is checked here,
 * naming the argument and what was expected, and every value by the core.
 * The runs and the percentiles release the GIL when they are large. */
#include "glue.h"

/* Scenario-years from which a run releases the GIL: each costs a few
 * Philox calls and logarithms, so far fewer than the item threshold. */
#define SIMULATE_RELEASE_GIL 256

/* ---- arguments --------------------------------------------------------- */

/* A whole number in [0, limit] from any integer but bool (numpy integers
 * too); -1 with InputError (a ValueError) or TypeError naming `what`. */
static int to_unsigned(PyObject *obj, uint64_t limit, const char *range,
                       const char *what, uint64_t *out)
{
    PyObject *number = int_of(obj, what);
    if (number == NULL)
        return -1;
    /* Negative numbers and those past 64 bits raise OverflowError here;
     * both become the one message below. */
    unsigned long long v = PyLong_AsUnsignedLongLong(number);
    if ((v == (unsigned long long)-1 && PyErr_Occurred()) || v > limit) {
        PyErr_Clear();
        PyObject *cls = input_error_class();
        PyErr_Format(cls, "%s must be an int in %s, not %R", what, range,
                     number);
        Py_DECREF(cls);
        Py_DECREF(number);
        return -1;
    }
    Py_DECREF(number);
    *out = (uint64_t)v;
    return 0;
}

static int to_u64(PyObject *obj, const char *what, uint64_t *out)
{
    return to_unsigned(obj, UINT64_MAX, "[0, 2**64)", what, out);
}

static int to_u32(PyObject *obj, const char *what, uint32_t *out)
{
    uint64_t v;
    if (to_unsigned(obj, UINT32_MAX, "[0, 2**32)", what, &v) < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* n words of 32 bits from a sequence of exactly n ints. */
static int u32_words(PyObject *obj, size_t n, const char *what,
                     uint32_t *out)
{
    PyObject *fast = PySequence_Fast(obj, "");
    if (fast == NULL || (size_t)PySequence_Fast_GET_SIZE(fast) != n) {
        Py_XDECREF(fast);
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s must be a tuple of %zu ints in "
                     "[0, 2**32)", what, n);
        return -1;
    }
    char name[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s[%zu]", what, i);
        if (to_u32(PySequence_Fast_GET_ITEM(fast, i), name, &out[i]) < 0) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* An int64 output of `want` items, `of` saying how that number is made;
 * None allowed when `optional` (then *have is 0). */
static int int64_output(PyObject *obj, Py_buffer *view, int *have,
                        int optional, const char *what, size_t want,
                        const char *of)
{
    return get_output(obj, view, have,
                      OUTPUT_INT64 | (optional ? OUTPUT_OPTIONAL : 0), want,
                      NULL, what, "expected %s = %zu", of, want);
}

/* ---- draws ------------------------------------------------------------- */

GLUE_FUNCTION(philox4x32, "counter, key",
"Philox4x32-10 of counter (a 4-tuple of 32-bit words) under key (a\n"
"2-tuple), as a 4-tuple.")
{
    (void)module;
    PyObject *counter_obj, *key_obj;
    if (parse_args(call, "OO", &counter_obj, &key_obj) < 0)
        return NULL;
    uint32_t counter[4], key[2], out[4];
    if (u32_words(counter_obj, 4, "counter", counter) < 0 ||
        u32_words(key_obj, 2, "key", key) < 0)
        return NULL;
    ap_philox4x32(counter, key, out);
    return Py_BuildValue("(kkkk)", (unsigned long)out[0],
                         (unsigned long)out[1], (unsigned long)out[2],
                         (unsigned long)out[3]);
}

/* The four coordinates shared by the uniform and the normal. */
static int draw_coordinates(PyObject *seed_obj, PyObject *scenario_obj,
                            PyObject *variable_obj, PyObject *year_obj,
                            uint64_t *seed, uint64_t *scenario,
                            uint32_t *variable, uint32_t *year)
{
    if (to_u64(seed_obj, "seed", seed) < 0 ||
        to_u64(scenario_obj, "scenario", scenario) < 0 ||
        to_u32(variable_obj, "variable", variable) < 0 ||
        to_u32(year_obj, "year", year) < 0)
        return -1;
    return 0;
}

GLUE_FUNCTION(scenario_uniform, "seed, scenario, variable, year, which",
"The uniform draw in (0, 1) at those coordinates (variables 2v and\n"
"2v + 1 share the uniforms of pair v).")
{
    (void)module;
    PyObject *seed_obj, *scenario_obj, *variable_obj, *year_obj, *which_obj;
    if (parse_args(call, "OOOOO", &seed_obj, &scenario_obj, &variable_obj,
                   &year_obj, &which_obj) < 0)
        return NULL;
    uint64_t seed, scenario;
    uint32_t variable, year;
    uint64_t which;
    if (draw_coordinates(seed_obj, scenario_obj, variable_obj, year_obj,
                         &seed, &scenario, &variable, &year) < 0 ||
        to_unsigned(which_obj, 1, "{0, 1}", "which", &which) < 0)
        return NULL;
    return PyFloat_FromDouble(
        ap_scenario_uniform(seed, scenario, variable, year, (uint32_t)which));
}

GLUE_FUNCTION(scenario_normal, "seed, scenario, variable, year",
"The standard normal draw at those coordinates: Box-Muller on the two\n"
"uniforms of pair variable >> 1, its cosine branch for an even variable,\n"
"its sine branch for an odd one, with apportion's own log, cos and sin.")
{
    (void)module;
    PyObject *seed_obj, *scenario_obj, *variable_obj, *year_obj;
    if (parse_args(call, "OOOO", &seed_obj, &scenario_obj, &variable_obj,
                   &year_obj) < 0)
        return NULL;
    uint64_t seed, scenario;
    uint32_t variable, year;
    if (draw_coordinates(seed_obj, scenario_obj, variable_obj, year_obj,
                         &seed, &scenario, &variable, &year) < 0)
        return NULL;
    return PyFloat_FromDouble(
        ap_scenario_normal(seed, scenario, variable, year));
}

/* ---- the cost model ----------------------------------------------------- */

/* The model's arrays and the run's outputs, held as buffer views while the
 * core reads and writes them. */
typedef struct model_views {
    Py_buffer demand, demand_sd, inflation, inflation_sd, weights;
    int have_demand, have_demand_sd, have_inflation, have_inflation_sd,
        have_weights;
    Py_buffer totals, shares;
    int have_totals, have_shares;
} model_views;

static void release_model(model_views *v)
{
    if (v->have_shares)
        PyBuffer_Release(&v->shares);
    if (v->have_totals)
        PyBuffer_Release(&v->totals);
    if (v->have_weights)
        PyBuffer_Release(&v->weights);
    if (v->have_inflation_sd)
        PyBuffer_Release(&v->inflation_sd);
    if (v->have_inflation)
        PyBuffer_Release(&v->inflation);
    if (v->have_demand_sd)
        PyBuffer_Release(&v->demand_sd);
    if (v->have_demand)
        PyBuffer_Release(&v->demand);
}

/* A 1-D float64 array of one value a year; n_years 0 takes its length. */
static int year_vector(PyObject *obj, Py_buffer *view, int *have,
                       const char *what, size_t *n_years)
{
    if (get_double_vector(obj, view, what, "one value a year") < 0)
        return -1;
    *have = 1;
    size_t n = (size_t)view->shape[0];
    if (*n_years == 0) {
        if (n == 0) {
            PyErr_Format(PyExc_ValueError,
                         "%s holds no years; expected one value a year",
                         what);
            return -1;
        }
        *n_years = n;
    } else if (n != *n_years) {
        PyErr_Format(PyExc_ValueError,
                     "%s holds %zu values; expected %zu, one a year as "
                     "demand",
                     what, n, *n_years);
        return -1;
    }
    return 0;
}

/* Fills model from the first seven arguments of cost_project and
 * cost_simulate; -1 with an exception (views holds what to release). */
static int read_model(PyObject *module, PyObject *demand_obj,
                      PyObject *demand_sd_obj, double correlation,
                      PyObject *unit_obj, PyObject *inflation_obj,
                      PyObject *inflation_sd_obj, PyObject *weights_obj,
                      model_views *v, ap_cost_model *model)
{
    size_t n_years = 0;
    memset(model, 0, sizeof *model);
    if (year_vector(demand_obj, &v->demand, &v->have_demand, "demand",
                    &n_years) < 0)
        return -1;
    if (demand_sd_obj != Py_None &&
        year_vector(demand_sd_obj, &v->demand_sd, &v->have_demand_sd,
                    "demand_sd", &n_years) < 0)
        return -1;
    if (year_vector(inflation_obj, &v->inflation, &v->have_inflation,
                    "inflation", &n_years) < 0)
        return -1;
    if (inflation_sd_obj != Py_None &&
        year_vector(inflation_sd_obj, &v->inflation_sd,
                    &v->have_inflation_sd, "inflation_sd", &n_years) < 0)
        return -1;
    int64_t unit;
    if (to_int64(module, unit_obj, "unit_cost_pence", &unit) < 0)
        return -1;
    if (get_int64_buffer(weights_obj, &v->weights, 0, "weights") < 0)
        return -1;
    v->have_weights = 1;
    if (v->weights.ndim != 2) {
        PyErr_Format(PyExc_ValueError,
                     "weights must be 2-D (n_years x n_authorities), not "
                     "%d-D",
                     v->weights.ndim);
        return -1;
    }
    if ((size_t)v->weights.shape[0] != n_years ||
        v->weights.shape[1] < 1) {
        PyErr_Format(PyExc_ValueError,
                     "weights is %zd x %zd; expected %zu rows (one a year, "
                     "as demand) of at least one authority",
                     v->weights.shape[0], v->weights.shape[1], n_years);
        return -1;
    }
    model->n_years = n_years;
    model->n_authorities = (size_t)v->weights.shape[1];
    model->demand = v->demand.buf;
    model->demand_sd = v->have_demand_sd ? v->demand_sd.buf : NULL;
    model->demand_correlation = correlation;
    model->unit_cost_pence = unit;
    model->inflation = v->inflation.buf;
    model->inflation_sd = v->have_inflation_sd ? v->inflation_sd.buf : NULL;
    model->weights = v->weights.buf;
    return 0;
}

/* cost_project(demand, demand_sd, correlation, unit_cost_pence, inflation,
 * inflation_sd, weights, totals, shares) -> None */
GLUE_FUNCTION(cost_project,
              "demand, demand_sd, correlation, unit_cost_pence, inflation, "
              "inflation_sd, weights, totals, shares",
"The expected path in pence into totals and shares, each year's shares\n"
"summing to its total.")
{
    PyObject *demand, *demand_sd, *unit, *inflation, *inflation_sd, *weights,
        *totals_obj, *shares_obj;
    double correlation;
    if (parse_args(call, "OOdOOOOOO", &demand, &demand_sd, &correlation, &unit,
                   &inflation, &inflation_sd, &weights, &totals_obj,
                   &shares_obj) < 0)
        return NULL;
    model_views v = {0};
    ap_cost_model model;
    PyObject *result = NULL;
    if (read_model(module, demand, demand_sd, correlation, unit, inflation,
                   inflation_sd, weights, &v, &model) < 0 ||
        int64_output(totals_obj, &v.totals, &v.have_totals, 0, "totals",
                     model.n_years, "n_years") < 0 ||
        int64_output(shares_obj, &v.shares, &v.have_shares, 0, "shares",
                     model.n_years * model.n_authorities,
                     "n_years x n_authorities") < 0)
        goto done;
    ap_error err;
    if (ap_cost_project(&model, v.totals.buf, v.shares.buf, &err) != AP_OK)
        raise_error(module, &err);
    else
        result = Py_NewRef(Py_None);
done:
    release_model(&v);
    return result;
}

/* cost_simulate(demand, demand_sd, correlation, unit_cost_pence,
 * inflation, inflation_sd, weights, seed, first, count, threads, totals,
 * shares) -> None */
GLUE_FUNCTION(cost_simulate,
              "demand, demand_sd, correlation, unit_cost_pence, inflation, "
              "inflation_sd, weights, seed, first, count, threads, totals, "
              "shares",
"Scenarios first .. first + count - 1 into totals and shares (either\n"
"may be None).")
{
    PyObject *demand, *demand_sd, *unit, *inflation, *inflation_sd, *weights,
        *seed_obj, *first_obj, *totals_obj, *shares_obj;
    double correlation;
    Py_ssize_t count;
    int threads;
    if (parse_args(call, "OOdOOOOOOniOO", &demand, &demand_sd, &correlation,
                   &unit, &inflation, &inflation_sd, &weights, &seed_obj,
                   &first_obj, &count, &threads, &totals_obj, &shares_obj) < 0)
        return NULL;
    uint64_t seed, first;
    if (to_u64(seed_obj, "seed", &seed) < 0 ||
        to_u64(first_obj, "first", &first) < 0)
        return NULL;
    if (count < 0) {
        PyErr_Format(PyExc_ValueError,
                     "count must not be negative, not %zd", count);
        return NULL;
    }
    model_views v = {0};
    ap_cost_model model;
    PyObject *result = NULL;
    if (read_model(module, demand, demand_sd, correlation, unit, inflation,
                   inflation_sd, weights, &v, &model) < 0)
        goto done;
    size_t n = (size_t)count, n_years = model.n_years,
           row = n_years * model.n_authorities;
    if (n > 0 && row > (size_t)PY_SSIZE_T_MAX / 8 / n) {
        PyErr_Format(PyExc_ValueError,
                     "count x n_years x n_authorities (%zu x %zu x %zu) is "
                     "beyond the address space",
                     n, n_years, model.n_authorities);
        goto done;
    }
    if (int64_output(totals_obj, &v.totals, &v.have_totals, 1, "totals",
                     n * n_years, "count x n_years") < 0 ||
        int64_output(shares_obj, &v.shares, &v.have_shares, 1, "shares",
                     n * row, "count x n_years x n_authorities") < 0)
        goto done;
    int64_t *totals = v.have_totals ? v.totals.buf : NULL;
    int64_t *shares = v.have_shares ? v.shares.buf : NULL;
    ap_error err;
    ap_status st;
    if (n * n_years >= SIMULATE_RELEASE_GIL) {
        Py_BEGIN_ALLOW_THREADS
        st = ap_cost_simulate(&model, seed, first, n, threads, totals, shares,
                              &err);
        Py_END_ALLOW_THREADS
    } else {
        st = ap_cost_simulate(&model, seed, first, n, threads, totals, shares,
                              &err);
    }
    result = none_or_raise(module, st, &err);
done:
    release_model(&v);
    return result;
}

/* ---- percentiles ------------------------------------------------------- */

GLUE_FUNCTION(percentiles_i64, "values, q, out",
"out[k * columns + c] = numpy's linear percentile q[k] of column c of\n"
"values, rounded half to even.")
{
    PyObject *values_obj, *q_obj, *out_obj;
    if (parse_args(call, "OOO", &values_obj, &q_obj, &out_obj) < 0)
        return NULL;
    Py_buffer vv, qv, ov;
    int have_out;
    if (get_int64_buffer(values_obj, &vv, 0, "values") < 0)
        return NULL;
    if (vv.ndim != 2) {
        PyErr_Format(PyExc_ValueError,
                     "values must be 2-D (rows x columns), not %d-D",
                     vv.ndim);
        PyBuffer_Release(&vv);
        return NULL;
    }
    if (get_double_vector(q_obj, &qv, "q", "one percent each") < 0) {
        PyBuffer_Release(&vv);
        return NULL;
    }
    size_t rows = (size_t)vv.shape[0], columns = (size_t)vv.shape[1];
    size_t n_q = (size_t)qv.shape[0];
    if (int64_output(out_obj, &ov, &have_out, 0, "out", n_q * columns,
                     "len(q) x columns") < 0) {
        PyBuffer_Release(&qv);
        PyBuffer_Release(&vv);
        return NULL;
    }
    ap_error err;
    ap_status st;
    if (rows * columns >= RELEASE_GIL_THRESHOLD) {
        Py_BEGIN_ALLOW_THREADS
        st = ap_percentiles_i64(vv.buf, rows, columns, qv.buf, n_q, ov.buf,
                                &err);
        Py_END_ALLOW_THREADS
    } else {
        st = ap_percentiles_i64(vv.buf, rows, columns, qv.buf, n_q, ov.buf,
                                &err);
    }
    PyBuffer_Release(&ov);
    PyBuffer_Release(&qv);
    PyBuffer_Release(&vv);
    return none_or_raise(module, st, &err);
}

PyMethodDef scenario_methods[] = {
    GLUE_METHOD(philox4x32),
    GLUE_METHOD(scenario_uniform),
    GLUE_METHOD(scenario_normal),
    GLUE_METHOD(cost_project),
    GLUE_METHOD(cost_simulate),
    GLUE_METHOD(percentiles_i64),
    {NULL, NULL, 0, NULL},
};
