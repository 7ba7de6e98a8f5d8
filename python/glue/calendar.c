/* Glue for calendars and working days: a calendar travels to Python as a
 * capsule that owns its ap_calendar; the vectorised functions read and
 * write numpy arrays in place through the buffer protocol. */
#include <string.h>

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

GLUE_FUNCTION(calendar_new, "division, weekmask, closures",
"A calendar capsule: the bank holidays of division, the working\n"
"weekdays in weekmask (bit 0 Monday) and closures (an int64 array of\n"
"days) as further days off.")
{
    const char *division_name;
    unsigned int weekmask;
    PyObject *closures_obj;
    if (parse_args(call, "sIO", &division_name, &weekmask, &closures_obj) < 0)
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

GLUE_FUNCTION(calendar_span, "calendar, /",
"The first and last day the calendar knows, as (first, last) days since\n"
"1970-01-01.")
{
    PyObject *capsule;
    if (parse_args(call, "O", &capsule) < 0)
        return NULL;
    (void)module;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    return Py_BuildValue("LL", (long long)ap_calendar_first(cal),
                         (long long)ap_calendar_last(cal));
}

static PyObject *holiday_item(const void *ctx, size_t i)
{
    const ap_holiday *h = (const ap_holiday *)ctx + i;
    return Py_BuildValue("(LsO)", (long long)h->date, h->title,
                         h->substitute ? Py_True : Py_False);
}

GLUE_FUNCTION(bank_holidays, "division, year",
"The bank holidays of division in year as [(day, title, substitute)].")
{
    const char *division_name;
    long long year;
    if (parse_args(call, "sL", &division_name, &year) < 0)
        return NULL;
    ap_error err;
    ap_division division;
    ap_holiday days[AP_HOLIDAYS_PER_YEAR_MAX];
    size_t n = 0;
    if (ap_division_parse(division_name, &division, &err) != AP_OK ||
        ap_bank_holidays(division, year, days, &n, &err) != AP_OK)
        return raise_error(module, &err);
    return list_of(days, n, holiday_item);
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
    return none_or_raise(module, st, err);
}

GLUE_FUNCTION(is_working_day, "calendar, dates, out",
"Fills out (uint8) with whether each of dates (datetime64[D] as int64)\n"
"is a working day.")
{
    PyObject *capsule, *dates, *out;
    if (parse_args(call, "OOO", &capsule, &dates, &out) < 0)
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

GLUE_FUNCTION(working_days, "calendar, begin, end, out",
"Fills out with the working days from each begin to end, with\n"
"numpy.busday_count's semantics.")
{
    PyObject *capsule, *in[2], *out;
    if (parse_args(call, "OOOO", &capsule, &in[0], &in[1], &out) < 0)
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

GLUE_FUNCTION(add_working_days,
              "calendar, dates, offsets, roll, out, errors=None",
"Fills out with each date moved offsets working days, first rolling it\n"
"by roll, as numpy.busday_offset.  errors \"raise\" (None) refuses a\n"
"result outside the calendar's dates, naming the element; \"coerce\"\n"
"makes it NaT.")
{
    PyObject *capsule, *in[2], *out;
    const char *roll_name, *errors = NULL;
    if (parse_args(call, "OOOsOz", &capsule, &in[0], &in[1], &roll_name,
                   &out, &errors) < 0)
        return NULL;
    const ap_calendar *cal = calendar_of(capsule);
    if (cal == NULL)
        return NULL;
    ap_error err;
    ap_roll roll;
    if (ap_roll_parse(roll_name, &roll, &err) != AP_OK)
        return raise_error(module, &err);
    int coerce = errors != NULL && strcmp(errors, "coerce") == 0;
    if (errors != NULL && !coerce && strcmp(errors, "raise") != 0) {
        ap_error_set(&err, AP_E_INPUT,
                     "errors must be \"raise\" or \"coerce\", not \"%s\"",
                     errors);
        return raise_error(module, &err);
    }
    vec_call v;
    const char *names[] = {"dates", "offsets"};
    if (vec_get(&v, in, names, 2, out, 8, "ql") < 0)
        return NULL;
    ap_status st;
    if (coerce)
        RUN_KERNEL(v.n, st,
                   ap_add_working_days_coerce(cal, v.in[0].buf, v.in[1].buf,
                                              v.n, roll, v.out.buf, &err));
    else
        RUN_KERNEL(v.n, st,
                   ap_add_working_days_many(cal, v.in[0].buf, v.in[1].buf,
                                            v.n, roll, v.out.buf, &err));
    return finish(module, &v, st, &err);
}

GLUE_FUNCTION(elapsed_working_days,
              "calendar, start, end, convention, missing, out",
"Fills out with the working days elapsed from each start to end under\n"
"convention, missing where either is missing.")
{
    PyObject *capsule, *in[2], *out;
    const char *convention_name;
    long long missing;
    if (parse_args(call, "OOOsLO", &capsule, &in[0], &in[1], &convention_name,
                   &missing, &out) < 0)
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

GLUE_FUNCTION(fy_working_days, "calendar, start_year",
"The working days in the financial year that starts in April of\n"
"start_year.")
{
    PyObject *capsule;
    long long year;
    if (parse_args(call, "OL", &capsule, &year) < 0)
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

GLUE_FUNCTION(date_parts, "dates, part, missing, out",
"Fills out with part (\"year\", \"month\", \"fy\"...) of each date, missing\n"
"where the date is missing.")
{
    PyObject *dates, *out;
    const char *part_name;
    long long missing;
    if (parse_args(call, "OsLO", &dates, &part_name, &missing, &out) < 0)
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

GLUE_FUNCTION(fy_label, "start_year, /",
"The label of the financial year that starts in start_year, as\n"
"'2021/22'.")
{
    PyObject *arg;
    if (parse_args(call, "O", &arg) < 0)
        return NULL;
    long long year;
    (void)module;
    if (to_integer(arg, "start_year", LLONG_MIN, LLONG_MAX, &year) < 0)
        return NULL;
    char buf[32];
    ap_fy_label(year, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

GLUE_FUNCTION(parse_fy, "text",
"The start year of the financial year named in text ('2021/22',\n"
"'2021-22'...).")
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(call, "s#", &text, &len) < 0)
        return NULL;
    ap_error err;
    int64_t year;
    if (ap_fy_parse(text, (size_t)len, &year, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(year);
}

GLUE_FUNCTION(parse_date, "text",
"The date 'YYYY-MM-DD' in text as days since 1970-01-01.")
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(call, "s#", &text, &len) < 0)
        return NULL;
    ap_error err;
    int64_t day;
    if (ap_date_parse(text, (size_t)len, &day, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(day);
}

PyMethodDef calendar_methods[] = {
    GLUE_METHOD(calendar_new),
    GLUE_METHOD(calendar_span),
    GLUE_METHOD(bank_holidays),
    GLUE_METHOD(is_working_day),
    GLUE_METHOD(working_days),
    GLUE_METHOD(add_working_days),
    GLUE_METHOD(elapsed_working_days),
    GLUE_METHOD(fy_working_days),
    GLUE_METHOD(date_parts),
    GLUE_METHOD(fy_label),
    GLUE_METHOD(parse_fy),
    GLUE_METHOD(parse_date),
    {NULL, NULL, 0, NULL},
};
