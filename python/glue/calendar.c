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

PyDoc_STRVAR(calendar_new_doc,
"calendar_new($module, /, division, weekmask, closures)\n--\n\n"
"A calendar capsule: the bank holidays of division, the working\n"
"weekdays in weekmask (bit 0 Monday) and closures (an int64 array of\n"
"days) as further days off.");
ARG_SPEC(calendar_new_args, "calendar_new", 0, 0,
         "division", "weekmask", "closures");

static PyObject *core_calendar_new(PyObject *module, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    const char *division_name;
    unsigned int weekmask;
    PyObject *closures_obj;
    if (parse_args(&calendar_new_args, args, nargs, kwnames, "sIO",
                   &division_name, &weekmask, &closures_obj) < 0)
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

PyDoc_STRVAR(calendar_span_doc,
"calendar_span($module, calendar, /)\n--\n\n"
"The first and last day the calendar knows, as (first, last) days since\n"
"1970-01-01.");
ARG_SPEC(calendar_span_args, "calendar_span", 0, 1, "calendar");

static PyObject *core_calendar_span(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule;
    if (parse_args(&calendar_span_args, args, nargs, kwnames, "O",
                   &capsule) < 0)
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

PyDoc_STRVAR(bank_holidays_doc,
"bank_holidays($module, /, division, year)\n--\n\n"
"The bank holidays of division in year as [(day, title, substitute)].");
ARG_SPEC(bank_holidays_args, "bank_holidays", 0, 0, "division", "year");

static PyObject *core_bank_holidays(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    const char *division_name;
    long long year;
    if (parse_args(&bank_holidays_args, args, nargs, kwnames, "sL",
                   &division_name, &year) < 0)
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

PyDoc_STRVAR(is_working_day_doc,
"is_working_day($module, /, calendar, dates, out)\n--\n\n"
"Fills out (uint8) with whether each of dates (datetime64[D] as int64)\n"
"is a working day.");
ARG_SPEC(is_working_day_args, "is_working_day", 0, 0,
         "calendar", "dates", "out");

static PyObject *core_is_working_day(PyObject *module, PyObject *const *args,
                                     Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule, *dates, *out;
    if (parse_args(&is_working_day_args, args, nargs, kwnames, "OOO", &capsule,
                   &dates, &out) < 0)
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

PyDoc_STRVAR(working_days_doc,
"working_days($module, /, calendar, begin, end, out)\n--\n\n"
"Fills out with the working days from each begin to end, with\n"
"numpy.busday_count's semantics.");
ARG_SPEC(working_days_args, "working_days", 0, 0,
         "calendar", "begin", "end", "out");

static PyObject *core_working_days(PyObject *module, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule, *in[2], *out;
    if (parse_args(&working_days_args, args, nargs, kwnames, "OOOO", &capsule,
                   &in[0], &in[1], &out) < 0)
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

PyDoc_STRVAR(add_working_days_doc,
"add_working_days($module, /, calendar, dates, offsets, roll, out)\n--\n\n"
"Fills out with each date moved offsets working days, first rolling it\n"
"by roll, as numpy.busday_offset.");
ARG_SPEC(add_working_days_args, "add_working_days", 0, 0,
         "calendar", "dates", "offsets", "roll", "out");

static PyObject *core_add_working_days(PyObject *module, PyObject *const *args,
                                       Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule, *in[2], *out;
    const char *roll_name;
    if (parse_args(&add_working_days_args, args, nargs, kwnames, "OOOsO",
                   &capsule, &in[0], &in[1], &roll_name, &out) < 0)
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

PyDoc_STRVAR(elapsed_working_days_doc,
"elapsed_working_days($module, /, calendar, start, end, convention, "
"missing, out)\n--\n\n"
"Fills out with the working days elapsed from each start to end under\n"
"convention, missing where either is missing.");
ARG_SPEC(elapsed_working_days_args, "elapsed_working_days", 0, 0,
         "calendar", "start", "end", "convention", "missing", "out");

static PyObject *core_elapsed_working_days(PyObject *module,
                                           PyObject *const *args,
                                           Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule, *in[2], *out;
    const char *convention_name;
    long long missing;
    if (parse_args(&elapsed_working_days_args, args, nargs, kwnames, "OOOsLO",
                   &capsule, &in[0], &in[1], &convention_name, &missing,
                   &out) < 0)
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

PyDoc_STRVAR(fy_working_days_doc,
"fy_working_days($module, /, calendar, start_year)\n--\n\n"
"The working days in the financial year that starts in April of\n"
"start_year.");
ARG_SPEC(fy_working_days_args, "fy_working_days", 0, 0,
         "calendar", "start_year");

static PyObject *core_fy_working_days(PyObject *module, PyObject *const *args,
                                      Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *capsule;
    long long year;
    if (parse_args(&fy_working_days_args, args, nargs, kwnames, "OL", &capsule,
                   &year) < 0)
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

PyDoc_STRVAR(date_parts_doc,
"date_parts($module, /, dates, part, missing, out)\n--\n\n"
"Fills out with part (\"year\", \"month\", \"fy\"...) of each date, missing\n"
"where the date is missing.");
ARG_SPEC(date_parts_args, "date_parts", 0, 0,
         "dates", "part", "missing", "out");

static PyObject *core_date_parts(PyObject *module, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *dates, *out;
    const char *part_name;
    long long missing;
    if (parse_args(&date_parts_args, args, nargs, kwnames, "OsLO", &dates,
                   &part_name, &missing, &out) < 0)
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

PyDoc_STRVAR(fy_label_doc,
"fy_label($module, start_year, /)\n--\n\n"
"The label of the financial year that starts in start_year, as\n"
"'2021/22'.");
ARG_SPEC(fy_label_args, "fy_label", 0, 1, "start_year");

static PyObject *core_fy_label(PyObject *module, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *arg;
    if (parse_args(&fy_label_args, args, nargs, kwnames, "O", &arg) < 0)
        return NULL;
    int64_t year;
    if (to_int64(module, arg, "year", &year) < 0)
        return NULL;
    char buf[32];
    ap_fy_label(year, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

PyDoc_STRVAR(parse_fy_doc,
"parse_fy($module, /, text)\n--\n\n"
"The start year of the financial year named in text ('2021/22',\n"
"'2021-22'...).");
ARG_SPEC(parse_fy_args, "parse_fy", 0, 0, "text");

static PyObject *core_parse_fy(PyObject *module, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(&parse_fy_args, args, nargs, kwnames, "s#", &text,
                   &len) < 0)
        return NULL;
    ap_error err;
    int64_t year;
    if (ap_fy_parse(text, (size_t)len, &year, &err) != AP_OK)
        return raise_error(module, &err);
    return PyLong_FromLongLong(year);
}

PyDoc_STRVAR(parse_date_doc,
"parse_date($module, /, text)\n--\n\n"
"The date 'YYYY-MM-DD' in text as days since 1970-01-01.");
ARG_SPEC(parse_date_args, "parse_date", 0, 0, "text");

static PyObject *core_parse_date(PyObject *module, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(&parse_date_args, args, nargs, kwnames, "s#", &text,
                   &len) < 0)
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
