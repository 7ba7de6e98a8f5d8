/* Glue for calendars and working days: a calendar travels to Python as a
 * capsule that owns its ap_calendar; the vectorised functions read and
 * write numpy arrays in place through the buffer protocol. */
#include "glue.h"

#define CALENDAR_CAPSULE "apportion._core.calendar"

static void calendar_capsule_free(PyObject *capsule)
{
    ap_calendar_free(PyCapsule_GetPointer(capsule, CALENDAR_CAPSULE));
}

const ap_calendar *calendar_of(PyObject *capsule)
{
    return PyCapsule_GetPointer(capsule, CALENDAR_CAPSULE);
}

static PyObject *core_calendar_new(PyObject *module, PyObject *args)
{
    const char *division_name;
    unsigned int weekmask;
    PyObject *closures_obj;
    if (!PyArg_ParseTuple(args, "sIO:calendar_new", &division_name,
                          &weekmask, &closures_obj))
        return NULL;
    ap_error err;
    ap_division division;
    if (ap_division_parse(division_name, &division, &err) != AP_OK)
        return raise_error(module, &err);
    Py_buffer closures;
    if (get_int64_buffer(closures_obj, &closures, 0, "closures") < 0)
        return NULL;
    ap_calendar *cal = NULL;
    ap_status st = ap_calendar_new(division, weekmask, closures.buf,
                                   (size_t)(closures.len / 8), &cal, &err);
    PyBuffer_Release(&closures);
    if (st != AP_OK)
        return raise_error(module, &err);
    PyObject *capsule = PyCapsule_New(cal, CALENDAR_CAPSULE,
                                      calendar_capsule_free);
    if (capsule == NULL)
        ap_calendar_free(cal);
    return capsule;
}

static PyObject *core_calendar_span(PyObject *module, PyObject *capsule)
{
    (void)module;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    return Py_BuildValue("LL", (long long)ap_calendar_first(cal),
                         (long long)ap_calendar_last(cal));
}

static PyObject *core_bank_holidays(PyObject *module, PyObject *args)
{
    const char *division_name;
    long long year;
    if (!PyArg_ParseTuple(args, "sL:bank_holidays", &division_name, &year))
        return NULL;
    ap_error err;
    ap_division division;
    ap_holiday days[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = 0;
    if (ap_division_parse(division_name, &division, &err) != AP_OK ||
        ap_bank_holidays(division, year, days, &n, &err) != AP_OK)
        return raise_error(module, &err);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list != NULL && i < n; i++) {
        PyObject *item = Py_BuildValue("(LsO)", (long long)days[i].date,
                                       days[i].title,
                                       days[i].substitute ? Py_True
                                                          : Py_False);
        if (item == NULL)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

/* The buffers of one vectorised call: up to two int64 inputs of equal
 * length n and one output of n items. */
typedef struct vec_call {
    Py_buffer in[2];
    Py_buffer out;
    int n_in;
    int have_out;
    size_t n;
} vec_call;

static void vec_release(vec_call *v)
{
    for (int i = 0; i < v->n_in; i++)
        PyBuffer_Release(&v->in[i]);
    if (v->have_out)
        PyBuffer_Release(&v->out);
}

/* Reads n_in int64 inputs and an output of out_itemsize bytes (format
 * among out_formats); all must have the same length. */
static int vec_get(vec_call *v, PyObject **inputs, const char **names,
                   int n_in, PyObject *out, Py_ssize_t out_itemsize,
                   const char *out_formats)
{
    v->n_in = 0;
    v->have_out = 0;
    for (int i = 0; i < n_in; i++) {
        if (get_int64_buffer(inputs[i], &v->in[i], 0, names[i]) < 0) {
            vec_release(v);
            return -1;
        }
        v->n_in++;
    }
    if (get_typed_buffer(out, &v->out, 1, out_itemsize, out_formats,
                         out_itemsize == 8 ? "int64" : "uint8 or bool", "out") <
        0) {
        vec_release(v);
        return -1;
    }
    v->have_out = 1;
    v->n = (size_t)(v->out.len / out_itemsize);
    for (int i = 0; i < n_in; i++)
        if ((size_t)(v->in[i].len / 8) != v->n) {
            PyErr_Format(PyExc_ValueError,
                         "%s holds %zd values and out %zu; they must be the "
                         "same length",
                         names[i], v->in[i].len / 8, v->n);
            vec_release(v);
            return -1;
        }
    return 0;
}

/* Runs a kernel call with the GIL released when the arrays are large. */
#define RUN_KERNEL(n, st, call)                                              \
    do {                                                                     \
        if ((n) >= RELEASE_GIL_THRESHOLD) {                                  \
            Py_BEGIN_ALLOW_THREADS(st) = (call);                             \
            Py_END_ALLOW_THREADS                                             \
        } else {                                                             \
            (st) = (call);                                                   \
        }                                                                    \
    } while (0)

static PyObject *finish(PyObject *module, vec_call *v, ap_status st,
                        const ap_error *err)
{
    vec_release(v);
    if (st != AP_OK)
        return raise_error(module, err);
    Py_RETURN_NONE;
}

static PyObject *core_is_working_day(PyObject *module, PyObject *args)
{
    PyObject *capsule, *dates, *out;
    if (!PyArg_ParseTuple(args, "OOO:is_working_day", &capsule, &dates,
                          &out))
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    vec_call v;
    const char *names[] = {"dates"};
    if (vec_get(&v, &dates, names, 1, out, 1, "B?") < 0)
        return NULL;
    ap_error err;
    ap_status st;
    RUN_KERNEL(v.n, st,
               ap_is_working_day_many(cal, v.in[0].buf, v.n, v.out.buf,
                                      &err));
    return finish(module, &v, st, &err);
}

static PyObject *core_working_days(PyObject *module, PyObject *args)
{
    PyObject *capsule, *in[2], *out;
    if (!PyArg_ParseTuple(args, "OOOO:working_days", &capsule, &in[0],
                          &in[1], &out))
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    vec_call v;
    const char *names[] = {"begin", "end"};
    if (vec_get(&v, in, names, 2, out, 8, "ql") < 0)
        return NULL;
    ap_error err;
    ap_status st;
    RUN_KERNEL(v.n, st,
               ap_working_days_many(cal, v.in[0].buf, v.in[1].buf, v.n,
                                    v.out.buf, &err));
    return finish(module, &v, st, &err);
}

static PyObject *core_add_working_days(PyObject *module, PyObject *args)
{
    PyObject *capsule, *in[2], *out;
    const char *roll_name;
    if (!PyArg_ParseTuple(args, "OOOsO:add_working_days", &capsule, &in[0],
                          &in[1], &roll_name, &out))
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    ap_error err;
    ap_roll roll;
    if (ap_roll_parse(roll_name, &roll, &err) != AP_OK)
        return raise_error(module, &err);
    vec_call v;
    const char *names[] = {"dates", "offsets"};
    if (vec_get(&v, in, names, 2, out, 8, "ql") < 0)
        return NULL;
    ap_status st;
    RUN_KERNEL(v.n, st,
               ap_add_working_days_many(cal, v.in[0].buf, v.in[1].buf, v.n,
                                        roll, v.out.buf, &err));
    return finish(module, &v, st, &err);
}

static PyObject *core_elapsed_working_days(PyObject *module, PyObject *args)
{
    PyObject *capsule, *in[2], *out;
    const char *convention_name;
    long long missing;
    if (!PyArg_ParseTuple(args, "OOOsLO:elapsed_working_days", &capsule,
                          &in[0], &in[1], &convention_name, &missing, &out))
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    ap_error err;
    ap_elapsed convention;
    if (ap_elapsed_parse(convention_name, &convention, &err) != AP_OK)
        return raise_error(module, &err);
    vec_call v;
    const char *names[] = {"start", "end"};
    if (vec_get(&v, in, names, 2, out, 8, "ql") < 0)
        return NULL;
    ap_status st;
    RUN_KERNEL(v.n, st,
               ap_elapsed_working_days_many(cal, v.in[0].buf, v.in[1].buf,
                                            v.n, convention, missing,
                                            v.out.buf, &err));
    return finish(module, &v, st, &err);
}

static PyObject *core_fy_working_days(PyObject *module, PyObject *args)
{
    PyObject *capsule;
    long long year;
    if (!PyArg_ParseTuple(args, "OL:fy_working_days", &capsule, &year))
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    ap_error err;
    int64_t n;
    if (ap_fy_working_days(cal, year, &n, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(n);
}

static PyObject *core_date_parts(PyObject *module, PyObject *args)
{
    PyObject *dates, *out;
    const char *part_name;
    long long missing;
    if (!PyArg_ParseTuple(args, "OsLO:date_parts", &dates, &part_name,
                          &missing, &out))
        return NULL;
    ap_error err;
    ap_date_part part;
    if (ap_date_part_parse(part_name, &part, &err) != AP_OK)
        return raise_error(module, &err);
    vec_call v;
    const char *names[] = {"dates"};
    if (vec_get(&v, &dates, names, 1, out, 8, "ql") < 0)
        return NULL;
    ap_status st;
    RUN_KERNEL(v.n, st,
               ap_date_parts_many(v.in[0].buf, v.n, part, missing, v.out.buf,
                                  &err));
    return finish(module, &v, st, &err);
}

static PyObject *core_fy_label(PyObject *module, PyObject *arg)
{
    int64_t year;
    if (to_int64(module, arg, "year", &year) < 0)
        return NULL;
    char buf[32];
    ap_fy_label(year, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

static PyObject *core_parse_fy(PyObject *module, PyObject *args)
{
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#:parse_fy", &text, &len))
        return NULL;
    ap_error err;
    int64_t year;
    if (ap_fy_parse(text, (size_t)len, &year, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(year);
}

static PyObject *core_parse_date(PyObject *module, PyObject *args)
{
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#:parse_date", &text, &len))
        return NULL;
    ap_error err;
    int64_t day;
    if (ap_date_parse(text, (size_t)len, &day, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(day);
}

PyMethodDef calendar_methods[] = {
    {"calendar_new", core_calendar_new, METH_VARARGS,
     "calendar_new(division, weekmask, closures) -> calendar capsule"},
    {"calendar_span", core_calendar_span, METH_O,
     "calendar_span(calendar) -> (first day, last day)"},
    {"bank_holidays", core_bank_holidays, METH_VARARGS,
     "bank_holidays(division, year) -> [(day, title, substitute)]"},
    {"is_working_day", core_is_working_day, METH_VARARGS,
     "is_working_day(calendar, dates, out): fills out (uint8)"},
    {"working_days", core_working_days, METH_VARARGS,
     "working_days(calendar, begin, end, out): busday_count semantics"},
    {"add_working_days", core_add_working_days, METH_VARARGS,
     "add_working_days(calendar, dates, offsets, roll, out)"},
    {"elapsed_working_days", core_elapsed_working_days, METH_VARARGS,
     "elapsed_working_days(calendar, start, end, convention, missing, out)"},
    {"fy_working_days", core_fy_working_days, METH_VARARGS,
     "fy_working_days(calendar, start_year) -> int"},
    {"date_parts", core_date_parts, METH_VARARGS,
     "date_parts(dates, part, missing, out)"},
    {"fy_label", core_fy_label, METH_O, "fy_label(start_year) -> '2021/22'"},
    {"parse_fy", core_parse_fy, METH_VARARGS, "parse_fy(text) -> start year"},
    {"parse_date", core_parse_date, METH_VARARGS,
     "parse_date('YYYY-MM-DD') -> days since 1970-01-01"},
    {NULL, NULL, 0, NULL},
};
