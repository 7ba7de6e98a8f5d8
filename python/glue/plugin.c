/* Glue for plugins: loading them, listing the registry's service areas,
 * running what the areas offer, and Python callables registered as
 * measures and recharge rules.
 *
 * A Python callable gets a real C function pointer from a libffi closure,
 * so the core calls it exactly as it calls a plugin's C function.  The
 * closure re-enters Python on the calling thread: the glue releases the GIL
 * around the core's call and records its thread state in a thread-local
 * call context, which the closure uses to take the GIL back and in which
 * it leaves any exception the callable raised, for the glue to re-raise
 * once the core returns. */
#include <ffi.h>
#include <stdlib.h>
#include <string.h>

#include "glue.h"
#include "apportion/plugin.h"
#include "apportion/registry.h"

/* ---- the thread's current call ------------------------------------------ */

typedef struct call_context {
    PyThreadState *tstate;   /* saved when the GIL was released */
    PyObject *calendar;      /* the call's apportion.Calendar, borrowed */
    PyObject *exc_type, *exc_value, *exc_tb; /* raised by a callable */
    int kept_view;           /* a callable kept a view of host memory */
} call_context;

static _Thread_local call_context *current_call;

/* Runs `call` without the GIL, with ctx as the thread's call context. */
#define WITHOUT_GIL(ctx, call)                         \
    do {                                               \
        call_context *prev_ = current_call;            \
        current_call = (ctx);                          \
        (ctx)->tstate = PyEval_SaveThread();           \
        call;                                          \
        PyEval_RestoreThread((ctx)->tstate);           \
        (ctx)->tstate = NULL;                          \
        current_call = prev_;                          \
    } while (0)

/* After the core returned: the callable's own exception if it raised one,
 * else the core's error.  Returns NULL. */
static PyObject *raise_call_error(PyObject *module, call_context *ctx,
                                  const ap_error *err)
{
    if (ctx->exc_type != NULL) {
        PyErr_Restore(ctx->exc_type, ctx->exc_value, ctx->exc_tb);
        ctx->exc_type = ctx->exc_value = ctx->exc_tb = NULL;
        return NULL;
    }
    return raise_error(module, err);
}

static void call_context_clear(call_context *ctx)
{
    Py_CLEAR(ctx->exc_type);
    Py_CLEAR(ctx->exc_value);
    Py_CLEAR(ctx->exc_tb);
}

/* ---- plugins ------------------------------------------------------------- */

/* An optional text of the core as str (core_text's decoding), or None
 * when absent or empty. */
static PyObject *text_or_none(const char *s)
{
    if (s == NULL || *s == '\0')
        Py_RETURN_NONE;
    return core_text(s);
}

static PyObject *warning_item(const void *ctx, size_t i)
{
    return core_text(ap_plugin_warning(ctx, i));
}

static PyObject *plugin_dict(const ap_plugin *p)
{
    PyObject *warnings = list_of(p, ap_plugin_warning_count(p), warning_item);
    if (warnings == NULL)
        return NULL;
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:(II),s:N}", "name",
        core_text(ap_plugin_name(p)), "version",
        core_text(ap_plugin_version(p)), "service_area",
        core_text(ap_plugin_service_area(p)), "description",
        core_text(ap_plugin_description(p)), "licence",
        core_text(ap_plugin_licence(p)), "url", text_or_none(ap_plugin_url(p)),
        "path", core_text(ap_plugin_path(p)), "abi",
        (unsigned)AP_PLUGIN_ABI_MAJOR, (unsigned)ap_plugin_abi_minor(p),
        "warnings", warnings);
}

/* How long the probe waits for its child: a plugin's init takes
 * milliseconds, so this only ends one that never returns. */
#define PROBE_TIMEOUT_MS 30000L

GLUE_FUNCTION(plugin_load, "path, /, probe=None",
"Loads the plugin at path; returns (plugin dict, already loaded).  With\n"
"probe true, loads and initialises it first in a child process and\n"
"refuses it, naming the signal, if the child dies.")
{
    PyObject *bytes;
    int probe = 0;
    if (parse_args(call, "O&p", PyUnicode_FSConverter, &bytes, &probe) < 0)
        return NULL;
    const ap_plugin *p = NULL;
    int already = 0;
    ap_error err;
    ap_error_clear(&err);
    /* The GIL stays held: a plugin's KPIs are parsed with cJSON, whose
     * error state is process-wide, and every other parse in this module
     * runs under the GIL too.  The probe's fork happens under it too, so
     * no other thread is inside the interpreter, or importing (dlopen),
     * when the child is made. */
    ap_status st = probe ? ap_plugin_probe(PyBytes_AS_STRING(bytes),
                                           PROBE_TIMEOUT_MS, &err)
                         : AP_OK;
    if (st == AP_OK)
        st = ap_plugin_load(PyBytes_AS_STRING(bytes), &p, &already, &err);
    Py_DECREF(bytes);
    if (st != AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("(NO)", plugin_dict(p), already ? Py_True : Py_False);
}

GLUE_FUNCTION(plugin_list, "",
"The loaded plugins' dicts, in load order.")
{
    if (bind_args(call, NULL) < 0)
        return NULL;
    (void)module;
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list != NULL; i++) {
        const ap_plugin *p = ap_plugin_get(i);
        if (p == NULL)
            break;
        PyObject *d = plugin_dict(p);
        if (d == NULL || PyList_Append(list, d) < 0)
            Py_CLEAR(list);
        Py_XDECREF(d);
    }
    return list;
}

static const ap_area *area_of(PyObject *module, const char *code)
{
    const ap_area *a = ap_area_find(code);
    if (a == NULL) {
        ap_error err;
        ap_error_set(&err, AP_E_PLUGIN,
                     "no service area \"%s\" is loaded", code);
        raise_error(module, &err);
    }
    return a;
}

static PyObject *value_types(const ap_item_info *info)
{
    PyObject *args = PyTuple_New((Py_ssize_t)info->n_args);
    for (size_t i = 0; args != NULL && i < info->n_args; i++) {
        PyObject *t = PyUnicode_FromString(ap_value_type_name(info->args[i]));
        if (t == NULL)
            Py_CLEAR(args);
        else
            PyTuple_SET_ITEM(args, (Py_ssize_t)i, t);
    }
    return args;
}

static PyObject *item_dict(ap_item_kind kind, const ap_item_info *info)
{
    if (kind == AP_ITEM_CALCULATOR) {
        PyObject *args = value_types(info);
        if (args == NULL)
            return NULL;
        return Py_BuildValue("{s:N,s:N,s:N,s:s,s:N}", "name",
                             core_text(info->name), "description",
                             core_text(info->description), "signature",
                             core_text(info->detail), "result",
                             ap_value_type_name(info->result), "args", args);
    }
    return Py_BuildValue("{s:N,s:N,s:N,s:L,s:I}", "name",
                         core_text(info->name), "description",
                         core_text(info->description), "detail",
                         core_text(info->detail), "scale",
                         (long long)info->scale, "flags", info->flags);
}

GLUE_FUNCTION(area_info, "code",
"The service area with code as a dict (code, plugin, kpis, items:\n"
"{kind: [item]}), or None.")
{
    (void)module;
    const char *code;
    if (parse_args(call, "s", &code) < 0)
        return NULL;
    const ap_area *a = ap_area_find(code);
    if (a == NULL)
        Py_RETURN_NONE;
    PyObject *kpis = kpi_list(ap_area_kpis(a));
    PyObject *items = kpis ? PyDict_New() : NULL;
    for (int k = 0; items != NULL && k < AP_ITEM_KIND_COUNT; k++) {
        PyObject *list = PyList_New(0);
        size_t n = ap_area_item_count(a, (ap_item_kind)k);
        for (size_t i = 0; list != NULL && i < n; i++) {
            ap_item_info info;
            ap_error err;
            if (ap_area_item(a, (ap_item_kind)k, i, &info, &err) != AP_OK)
                break; /* added since the count: seen next time */
            PyObject *d = item_dict((ap_item_kind)k, &info);
            if (d == NULL || PyList_Append(list, d) < 0)
                Py_CLEAR(list);
            Py_XDECREF(d);
        }
        if (list == NULL ||
            PyDict_SetItemString(items, ap_item_kind_name((ap_item_kind)k),
                                 list) < 0)
            Py_CLEAR(items);
        Py_XDECREF(list);
    }
    if (items == NULL) {
        Py_XDECREF(kpis);
        return NULL;
    }
    return Py_BuildValue("{s:N,s:N,s:N,s:N}", "code",
                         core_text(ap_area_code(a)), "plugin",
                         plugin_dict(ap_area_plugin(a)), "kpis", kpis,
                         "items", items);
}

/* ---- values and fields --------------------------------------------------- */

static int value_type_from(PyObject *module, const char *name,
                           ap_value_type *out)
{
    for (int t = 0; t < AP_VALUE_TYPE_COUNT; t++)
        if (strcmp(name, ap_value_type_name((ap_value_type)t)) == 0) {
            *out = (ap_value_type)t;
            return 0;
        }
    PyErr_Format(get_state(module)->input_error,
                 "unknown value type \"%s\"", name);
    return -1;
}

/* One Python value as an ap_value of a given type; a string stays owned by
 * obj, which the caller keeps alive for the call. */
static int value_from(PyObject *module, PyObject *obj, ap_value_type type,
                      const char *what, ap_value *out)
{
    out->type = type;
    switch (type) {
    case AP_TYPE_INT64:
    case AP_TYPE_MONEY:
    case AP_TYPE_DATE:
        return to_int64(module, obj, what, &out->as.i);
    case AP_TYPE_DOUBLE:
        if (!PyFloat_Check(obj) && !PyLong_Check(obj)) {
            PyErr_Format(PyExc_TypeError, "%s must be a float, not %.100s",
                         what, Py_TYPE(obj)->tp_name);
            return -1;
        }
        out->as.d = PyFloat_AsDouble(obj);
        return out->as.d == -1.0 && PyErr_Occurred() ? -1 : 0;
    case AP_TYPE_STRING:
        if (!PyUnicode_Check(obj)) {
            PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s",
                         what, Py_TYPE(obj)->tp_name);
            return -1;
        }
        out->as.s = PyUnicode_AsUTF8(obj);
        return out->as.s == NULL ? -1 : 0;
    default:
        PyErr_Format(get_state(module)->input_error, "%s has no type", what);
        return -1;
    }
}

static PyObject *value_to_python(const ap_value *v)
{
    switch (v->type) {
    case AP_TYPE_DOUBLE:
        return PyFloat_FromDouble(v->as.d);
    case AP_TYPE_STRING:
        return core_text(v->as.s);
    default:
        return PyLong_FromLongLong(v->as.i);
    }
}

/* A list of (path, type, value) as ap_fields; *items is PyMem's, freed by
 * the caller; strings borrow from the list, which the caller keeps. */
static int fields_from(PyObject *module, PyObject *list, ap_fields *out,
                       ap_field **items)
{
    *items = NULL;
    out->n = 0;
    out->items = NULL;
    if (list == Py_None)
        return 0;
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "fields must be a list");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    *items = PyMem_Calloc(n ? (size_t)n : 1, sizeof **items);
    if (*items == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *path, *type_name;
        PyObject *value;
        if (!PyArg_ParseTuple(PyList_GET_ITEM(list, i),
                              "ssO;a field is (path, type, value)", &path,
                              &type_name, &value))
            goto fail;
        ap_value_type type;
        if (value_type_from(module, type_name, &type) < 0 ||
            value_from(module, value, type, path, &(*items)[i].value) < 0)
            goto fail;
        (*items)[i].path = path;
    }
    out->n = (size_t)n;
    out->items = *items;
    return 0;
fail:
    PyMem_Free(*items);
    *items = NULL;
    return -1;
}

static PyObject *fields_to_python(const ap_fields *fields)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d != NULL && fields != NULL && i < fields->n; i++) {
        PyObject *v = value_to_python(&fields->items[i].value);
        if (v == NULL || PyDict_SetItemString(d, fields->items[i].path, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* ---- calculators ------------------------------------------------------------ */

GLUE_FUNCTION(area_call, "code, name, values",
"Calls the area's function name with values (a list); returns (result\n"
"type, value).")
{
    const char *code, *name;
    PyObject *values;
    if (parse_args(call, "ssO!", &code, &name, &PyList_Type, &values) < 0)
        return NULL;
    const ap_area *a = area_of(module, code);
    if (a == NULL)
        return NULL;
    ap_item_info info;
    ap_error err;
    ap_error_clear(&err);
    if (ap_area_item_find(a, AP_ITEM_CALCULATOR, name, &info, &err) != AP_OK)
        return raise_error(module, &err);
    Py_ssize_t n = PyList_GET_SIZE(values);
    if ((size_t)n != info.n_args) {
        ap_error_set(&err, AP_E_INPUT,
                     "%s.%s takes %zu argument%s (%s), not %zd", code, name,
                     info.n_args, info.n_args == 1 ? "" : "s", info.detail, n);
        return raise_error(module, &err);
    }
    ap_value argv[AP_CALCULATOR_MAX_ARGS];
    for (Py_ssize_t i = 0; i < n; i++) {
        char what[96];
        snprintf(what, sizeof what, "argument %zd of %s.%s", i + 1, code,
                 name);
        if (value_from(module, PyList_GET_ITEM(values, i), info.args[i], what,
                       &argv[i]) < 0)
            return NULL;
    }
    ap_value result;
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_area_call(a, name, argv, (size_t)n, &result, &err);
    Py_END_ALLOW_THREADS
    if (st != AP_OK)
        return raise_error(module, &err);
    PyObject *value = value_to_python(&result);
    if (result.type == AP_TYPE_STRING)
        free((char *)result.as.s);
    if (value == NULL)
        return NULL;
    return Py_BuildValue("(sN)", ap_value_type_name(result.type), value);
}

/* ---- measures ----------------------------------------------------------------- */

/* area_measure(code, name, names, columns, keys, calendar, as_of, fields,
 *              calendar_obj) -> (bytes of (key, rows, num, den) rows, scale) */
GLUE_FUNCTION(area_measure,
              "code, name, names, columns, keys, calendar, as_of, fields, "
              "calendar_obj",
"Runs the area's measure name over the columns; returns (bytes of\n"
"groups, scale).")
{
    const char *code, *name;
    PyObject *names, *columns, *keys_obj, *capsule, *fields_obj, *calendar_obj;
    long long as_of;
    if (parse_args(call, "ssO!O!OOLOO", &code, &name, &PyTuple_Type, &names,
                   &PyList_Type, &columns, &keys_obj, &capsule, &as_of,
                   &fields_obj, &calendar_obj) < 0)
        return NULL;
    const ap_area *a = area_of(module, code);
    const ap_calendar *cal = a ? calendar_of(capsule) : NULL;
    if (cal == NULL)
        return NULL;
    Py_ssize_t n_cols = PyTuple_GET_SIZE(names);
    if (PyList_GET_SIZE(columns) != n_cols) {
        PyErr_SetString(PyExc_ValueError, "one column per name is needed");
        return NULL;
    }
    PyObject *result = NULL;
    Py_buffer *views = PyMem_Calloc((size_t)n_cols + 1, sizeof *views);
    const char **cnames = PyMem_Calloc((size_t)n_cols + 1, sizeof *cnames);
    const int64_t **cdata = PyMem_Calloc((size_t)n_cols + 1, sizeof *cdata);
    Py_buffer keys_view = {0};
    ap_field *field_items = NULL;
    Py_ssize_t got = 0;
    if (views == NULL || cnames == NULL || cdata == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t n_rows = -1;
    for (; got < n_cols; got++) {
        cnames[got] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, got));
        if (cnames[got] == NULL ||
            get_int64_buffer(PyList_GET_ITEM(columns, got), &views[got], 0,
                             cnames[got]) < 0)
            goto done;
        Py_ssize_t len = views[got].len / 8;
        if (n_rows >= 0 && len != n_rows) {
            PyErr_Format(get_state(module)->input_error,
                         "column \"%s\" has %zd rows and \"%s\" %zd; the "
                         "columns of the records must be the same length",
                         cnames[got], len, cnames[0], n_rows);
            got++;
            goto done;
        }
        n_rows = len;
        cdata[got] = views[got].buf;
    }
    if (n_rows < 0)
        n_rows = 0;
    const int64_t *keys = NULL;
    if (keys_obj != Py_None) {
        if (get_int64_buffer(keys_obj, &keys_view, 0, "keys") < 0)
            goto done;
        if (keys_view.len / 8 != n_rows) {
            PyErr_Format(get_state(module)->input_error,
                         "%zd group keys for %zd records; one key per record "
                         "is needed", keys_view.len / 8, n_rows);
            goto done;
        }
        keys = keys_view.buf;
    }
    ap_fields params;
    if (fields_from(module, fields_obj, &params, &field_items) < 0)
        goto done;
    ap_measure_input in = {
        .size = sizeof in,
        .n_rows = (size_t)n_rows,
        .n_columns = (size_t)n_cols,
        .names = cnames,
        .columns = cdata,
        .calendar = cal,
        .as_of = (int64_t)as_of,
        .params = &params,
    };
    call_context ctx = {.calendar = calendar_obj};
    ap_measure_result out = {0};
    ap_error err;
    ap_error_clear(&err);
    ap_status st;
    WITHOUT_GIL(&ctx, st = ap_area_measure(a, name, &in, keys, &out, &err));
    if (st != AP_OK) {
        raise_call_error(module, &ctx, &err);
        call_context_clear(&ctx);
        goto done;
    }
    call_context_clear(&ctx);
    PyObject *bytes = PyBytes_FromStringAndSize(
        (const char *)out.groups,
        (Py_ssize_t)(out.n_groups * sizeof(ap_measure_group)));
    long long scale = (long long)out.scale;
    ap_measure_result_clear(&out);
    if (bytes != NULL)
        result = Py_BuildValue("(NL)", bytes, scale);
done:
    for (Py_ssize_t i = 0; views != NULL && i < got; i++)
        if (views[i].obj != NULL)
            PyBuffer_Release(&views[i]);
    if (keys_view.obj != NULL)
        PyBuffer_Release(&keys_view);
    PyMem_Free(views);
    PyMem_Free(cnames);
    PyMem_Free(cdata);
    PyMem_Free(field_items);
    return result;
}

/* ---- recharge rules, checks and sections ------------------------------------ */

GLUE_FUNCTION(area_recharge,
              "code, rule, budget_share, actual_share, instalments, billed, "
              "fields",
"The area's recharge rule applied: a list of pence, one an instalment.")
{
    const char *code, *name;
    PyObject *budget_obj, *actual_obj, *billed_obj, *fields_obj;
    Py_ssize_t n;
    if (parse_args(call, "ssOOnOO", &code, &name, &budget_obj, &actual_obj, &n,
                   &billed_obj, &fields_obj) < 0)
        return NULL;
    const ap_area *a = area_of(module, code);
    if (a == NULL)
        return NULL;
    if (n < 1 || n > 1000) {
        PyErr_Format(get_state(module)->input_error,
                     "instalments must be from 1 to 1000, not %zd", n);
        return NULL;
    }
    int64_t budget, actual = AP_MONEY_NONE;
    if (to_int64(module, budget_obj, "budget_share", &budget) < 0 ||
        (actual_obj != Py_None &&
         to_int64(module, actual_obj, "actual_share", &actual) < 0))
        return NULL;
    PyObject *fast = PySequence_Fast(billed_obj, "billed must be a sequence");
    if (fast == NULL)
        return NULL;
    Py_ssize_t n_billed = PySequence_Fast_GET_SIZE(fast);
    int64_t *billed = PyMem_Calloc((size_t)n_billed + 1, sizeof *billed);
    int64_t *instalments = PyMem_Calloc((size_t)n, sizeof *instalments);
    ap_field *field_items = NULL;
    PyObject *result = NULL;
    if (billed == NULL || instalments == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_billed; i++) {
        char what[48];
        snprintf(what, sizeof what, "billed[%zd]", i);
        if (to_int64(module, PySequence_Fast_GET_ITEM(fast, i), what,
                     &billed[i]) < 0)
            goto done;
    }
    ap_fields params;
    if (fields_from(module, fields_obj, &params, &field_items) < 0)
        goto done;
    ap_recharge_input in = {
        .size = sizeof in,
        .budget_share = budget,
        .actual_share = actual,
        .n_instalments = (size_t)n,
        .billed = billed,
        .n_billed = (size_t)n_billed,
        .params = &params,
    };
    call_context ctx = {0};
    ap_error err;
    ap_error_clear(&err);
    ap_status st;
    WITHOUT_GIL(&ctx, st = ap_area_recharge(a, name, &in, instalments, &err));
    if (st != AP_OK)
        raise_call_error(module, &ctx, &err);
    else
        result = int64_list(instalments, (size_t)n);
    call_context_clear(&ctx);
done:
    Py_DECREF(fast);
    PyMem_Free(billed);
    PyMem_Free(instalments);
    PyMem_Free(field_items);
    return result;
}

/* The arguments (code, name, fields) of area_check and area_section: the
 * area, the item's name and the fields, whose items the caller frees
 * with PyMem_Free.  0, or -1 with an exception and nothing held. */
static int area_fields_args(PyObject *module, const glue_call *call,
                            const ap_area **area, const char **name,
                            ap_fields *data, ap_field **items)
{
    const char *code;
    PyObject *fields_obj;
    if (parse_args(call, "ssO", &code, name, &fields_obj) < 0)
        return -1;
    *area = area_of(module, code);
    if (*area == NULL)
        return -1;
    return fields_from(module, fields_obj, data, items);
}

static PyObject *finding_item(const void *ctx, size_t i)
{
    const ap_finding *f = (const ap_finding *)ctx + i;
    return Py_BuildValue("(sNN)", ap_severity_name(f->severity),
                         core_text(f->field), core_text(f->message));
}

GLUE_FUNCTION(area_check, "code, name, fields",
"The area's check name run over fields; returns [(severity, field,\n"
"message)].")
{
    const ap_area *a;
    const char *name;
    ap_fields data;
    ap_field *field_items = NULL;
    if (area_fields_args(module, call, &a, &name, &data, &field_items) < 0)
        return NULL;
    ap_finding_list out = {0};
    ap_error err;
    ap_error_clear(&err);
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_area_check(a, name, &data, &out, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(field_items);
    if (st != AP_OK)
        return raise_error(module, &err);
    PyObject *list = list_of(out.items, out.n, finding_item);
    ap_finding_list_clear(&out);
    return list;
}

GLUE_FUNCTION(area_section, "code, name, fields",
"The area's section name written from fields, as str.")
{
    const ap_area *a;
    const char *name;
    ap_fields data;
    ap_field *field_items = NULL;
    if (area_fields_args(module, call, &a, &name, &data, &field_items) < 0)
        return NULL;
    char *text = NULL;
    ap_error err;
    ap_error_clear(&err);
    ap_status st;
    Py_BEGIN_ALLOW_THREADS
    st = ap_area_section(a, name, &data, &text, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(field_items);
    if (st != AP_OK)
        return raise_error(module, &err);
    PyObject *result = core_text(text);
    free(text);
    return result;
}

/* ---- Python callables as C functions ------------------------------------ */

/* One registered callable.  Lives as long as the registry, which is the
 * life of the process, so it is never freed. */
typedef struct py_item {
    PyObject *func;      /* the user's callable */
    PyObject *adapter;   /* apportion.plugin's converter around it */
    char label[160];     /* "IASS.my_measure" */
    ffi_cif cif;
    ffi_type *arg_types[7];
    ffi_closure *closure;
    void *code;          /* the closure's entry point */
} py_item;

/* Takes the GIL back on the calling thread; see the file comment. */
static PyGILState_STATE enter_python(call_context *ctx)
{
    if (ctx != NULL && ctx->tstate != NULL) {
        PyEval_RestoreThread(ctx->tstate);
        return PyGILState_LOCKED; /* unused on this path */
    }
    return PyGILState_Ensure();
}

static void leave_python(call_context *ctx, PyGILState_STATE g)
{
    if (ctx != NULL && ctx->tstate != NULL)
        ctx->tstate = PyEval_SaveThread();
    else
        PyGILState_Release(g);
}

/* The pending Python exception as the core's error; kept for re-raising
 * when this thread has a call context. */
static ap_status python_failed(call_context *ctx, const py_item *item,
                               const char *what, ap_error *err)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
    if (msg == NULL) {
        PyErr_Clear();
        msg = "(no message)";
    }
    ap_error_set(err, AP_E_PLUGIN, "Python %s %s raised %s: %s", what,
                 item->label,
                 type ? ((PyTypeObject *)type)->tp_name : "an exception",
                 msg);
    Py_XDECREF(text);
    if (ctx != NULL && ctx->exc_type == NULL) {
        ctx->exc_type = type;
        ctx->exc_value = value;
        ctx->exc_tb = tb;
    } else {
        PyErr_Restore(type, value, tb);
        PyErr_WriteUnraisable(item->func);
    }
    return AP_E_PLUGIN;
}

/* Releases a memoryview over host memory; a callable that kept a view
 * (say, a numpy array over it) would read freed memory later, so that is
 * an error rather than a silent danger. */
static int release_view(PyObject *view)
{
    if (view == NULL)
        return 0;
    PyObject *r = PyObject_CallMethod(view, "release", NULL);
    Py_DECREF(view);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *host_view(const void *p, size_t bytes, int writable)
{
    static char empty[8];
    return PyMemoryView_FromMemory(p ? (char *)p : empty, (Py_ssize_t)bytes,
                                   writable ? PyBUF_WRITE : PyBUF_READ);
}

/* The C signature of ap_measure_fn, reached through the closure. */
static void measure_trampoline(ffi_cif *cif, void *ret, void **args,
                               void *user_data)
{
    (void)cif;
    py_item *item = user_data;
    const ap_measure_input *in = *(const ap_measure_input **)args[1];
    size_t from = *(size_t *)args[2], to = *(size_t *)args[3];
    int64_t *num = *(int64_t **)args[4], *den = *(int64_t **)args[5];
    ap_error *err = *(ap_error **)args[6];
    call_context *ctx = current_call;
    PyGILState_STATE g = enter_python(ctx);
    ap_status st = AP_OK;
    PyObject *names = PyTuple_New((Py_ssize_t)in->n_columns);
    PyObject *cols = PyTuple_New((Py_ssize_t)in->n_columns);
    PyObject *num_view = host_view(num, (to - from) * 8, 1);
    PyObject *den_view = host_view(den, (to - from) * 8, 1);
    PyObject *params = fields_to_python(in->params);
    int ok = names && cols && num_view && den_view && params;
    for (size_t j = 0; ok && j < in->n_columns; j++) {
        PyObject *nm = PyUnicode_FromString(in->names[j]);
        PyObject *v = host_view(in->columns[j], in->n_rows * 8, 0);
        if (nm == NULL || v == NULL) {
            Py_XDECREF(nm);
            Py_XDECREF(v);
            ok = 0;
            break;
        }
        PyTuple_SET_ITEM(names, (Py_ssize_t)j, nm);
        PyTuple_SET_ITEM(cols, (Py_ssize_t)j, v);
    }
    PyObject *r = NULL;
    if (ok) {
        PyObject *as_of = in->as_of == AP_DATE_NAT
                              ? Py_NewRef(Py_None)
                              : PyLong_FromLongLong(in->as_of);
        if (as_of != NULL)
            r = PyObject_CallFunction(
                item->adapter, "OOOnnOOOOO", item->func, names, cols,
                (Py_ssize_t)from, (Py_ssize_t)to, num_view, den_view,
                ctx && ctx->calendar ? ctx->calendar : Py_None, as_of,
                params);
        Py_XDECREF(as_of);
    }
    Py_XDECREF(r);
    if (r == NULL)
        st = python_failed(ctx, item, "measure", err);
    /* Every view must be let go of, whatever happened above. */
    int kept = 0;
    for (size_t j = 0; cols != NULL && j < in->n_columns; j++) {
        PyObject *v = PyTuple_GET_ITEM(cols, (Py_ssize_t)j);
        if (v != NULL) {
            PyObject *rr = PyObject_CallMethod(v, "release", NULL);
            if (rr == NULL)
                kept = 1;
            Py_XDECREF(rr);
        }
    }
    if (release_view(num_view) < 0 || release_view(den_view) < 0)
        kept = 1;
    if (kept) {
        PyErr_Clear();
        if (st == AP_OK)
            st = ap_error_set(err, AP_E_PLUGIN,
                              "Python measure %s kept a view of the records "
                              "or results after it returned; copy what it "
                              "keeps",
                              item->label);
    }
    Py_XDECREF(names);
    Py_XDECREF(cols);
    Py_XDECREF(params);
    leave_python(ctx, g);
    *(ffi_sarg *)ret = (ffi_sarg)st;
}

/* The C signature of ap_rule_fn. */
static void rule_trampoline(ffi_cif *cif, void *ret, void **args,
                            void *user_data)
{
    (void)cif;
    py_item *item = user_data;
    const ap_recharge_input *in = *(const ap_recharge_input **)args[1];
    int64_t *instalments = *(int64_t **)args[2];
    ap_error *err = *(ap_error **)args[3];
    call_context *ctx = current_call;
    PyGILState_STATE g = enter_python(ctx);
    ap_status st = AP_OK;
    PyObject *out_view = host_view(instalments, in->n_instalments * 8, 1);
    PyObject *billed = int64_list(in->billed, in->n_billed);
    PyObject *params = fields_to_python(in->params);
    PyObject *r = NULL;
    if (out_view && billed && params) {
        PyObject *actual = in->actual_share == AP_MONEY_NONE
                               ? Py_NewRef(Py_None)
                               : PyLong_FromLongLong(in->actual_share);
        if (actual != NULL)
            r = PyObject_CallFunction(item->adapter, "OLOnOOO", item->func,
                                      (long long)in->budget_share, actual,
                                      (Py_ssize_t)in->n_instalments, billed,
                                      params, out_view);
        Py_XDECREF(actual);
    }
    Py_XDECREF(r);
    if (r == NULL)
        st = python_failed(ctx, item, "rule", err);
    if (release_view(out_view) < 0) {
        PyErr_Clear();
        if (st == AP_OK)
            st = ap_error_set(err, AP_E_PLUGIN,
                              "Python rule %s kept a view of its instalments "
                              "after it returned",
                              item->label);
    }
    Py_XDECREF(billed);
    Py_XDECREF(params);
    leave_python(ctx, g);
    *(ffi_sarg *)ret = (ffi_sarg)st;
}

static ffi_type *size_type(void)
{
    return sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32;
}

/* A closure for func with the given C signature; NULL with an exception. */
static py_item *py_item_new(PyObject *module, const char *code,
                            const char *name, PyObject *func,
                            PyObject *adapter, ffi_type **types,
                            unsigned n_types,
                            void (*trampoline)(ffi_cif *, void *, void **,
                                               void *))
{
    if (!PyCallable_Check(func) || !PyCallable_Check(adapter)) {
        PyErr_SetString(PyExc_TypeError, "the function must be callable");
        return NULL;
    }
    py_item *item = calloc(1, sizeof *item);
    if (item == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    snprintf(item->label, sizeof item->label, "%s.%s", code, name);
    memcpy(item->arg_types, types, n_types * sizeof *types);
    item->closure = ffi_closure_alloc(sizeof(ffi_closure), &item->code);
    if (item->closure == NULL ||
        ffi_prep_cif(&item->cif, FFI_DEFAULT_ABI, n_types, &ffi_type_sint,
                     item->arg_types) != FFI_OK ||
        ffi_prep_closure_loc(item->closure, &item->cif, trampoline, item,
                             item->code) != FFI_OK) {
        if (item->closure != NULL)
            ffi_closure_free(item->closure);
        free(item);
        ap_error err;
        ap_error_set(&err, AP_E_PLUGIN,
                     "libffi could not make a closure for %s.%s", code, name);
        raise_error(module, &err);
        return NULL;
    }
    item->func = Py_NewRef(func);
    item->adapter = Py_NewRef(adapter);
    return item;
}

/* The registry refused the item: nothing refers to it yet. */
static void py_item_discard(py_item *item)
{
    Py_DECREF(item->func);
    Py_DECREF(item->adapter);
    ffi_closure_free(item->closure);
    free(item);
}

/* What adding a Python callable returns: None, or with the item
 * discarded the core's error (st, err) raised. */
static PyObject *item_added(PyObject *module, py_item *item, ap_status st,
                            const ap_error *err)
{
    if (st == AP_OK)
        Py_RETURN_NONE;
    py_item_discard(item);
    return raise_error(module, err);
}

GLUE_FUNCTION(add_measure,
              "code, name, description, columns, scale, func, adapter",
"Adds a Python measure to the area with code: func called through\n"
"adapter.")
{
    const char *code, *name, *description, *columns;
    long long scale;
    PyObject *func, *adapter;
    if (parse_args(call, "ssssLOO", &code, &name, &description, &columns,
                   &scale, &func, &adapter) < 0)
        return NULL;
    ffi_type *types[7] = {&ffi_type_pointer, &ffi_type_pointer, size_type(),
                          size_type(), &ffi_type_pointer, &ffi_type_pointer,
                          &ffi_type_pointer};
    py_item *item = py_item_new(module, code, name, func, adapter, types, 7,
                                measure_trampoline);
    if (item == NULL)
        return NULL;
    ap_measure_def def = {
        .size = sizeof def,
        .name = name,
        .description = description,
        .columns = columns,
        .scale = (int64_t)scale,
        .flags = 0, /* whole range, on the calling thread */
        .user = NULL,
    };
    /* A function pointer from the closure's entry point. */
    memcpy(&def.fn, &item->code, sizeof def.fn);
    ap_error err;
    ap_status st = ap_area_add_measure(code, &def, &err);
    return item_added(module, item, st, &err);
}

GLUE_FUNCTION(add_rule, "code, name, description, func, adapter",
"Adds a Python recharge rule to the area with code: func called through\n"
"adapter.")
{
    const char *code, *name, *description;
    PyObject *func, *adapter;
    if (parse_args(call, "sssOO", &code, &name, &description, &func,
                   &adapter) < 0)
        return NULL;
    ffi_type *types[4] = {&ffi_type_pointer, &ffi_type_pointer,
                          &ffi_type_pointer, &ffi_type_pointer};
    py_item *item = py_item_new(module, code, name, func, adapter, types, 4,
                                rule_trampoline);
    if (item == NULL)
        return NULL;
    ap_rule_def def = {
        .size = sizeof def,
        .name = name,
        .description = description,
        .user = NULL,
    };
    memcpy(&def.fn, &item->code, sizeof def.fn);
    ap_error err;
    ap_status st = ap_area_add_rule(code, &def, &err);
    return item_added(module, item, st, &err);
}

GLUE_FUNCTION(plugin_abi, "",
"The host's plugin ABI as (major, minor).")
{
    if (bind_args(call, NULL) < 0)
        return NULL;
    (void)module;
    return Py_BuildValue("(II)", (unsigned)AP_PLUGIN_ABI_MAJOR,
                         (unsigned)AP_PLUGIN_ABI_MINOR);
}

PyMethodDef plugin_methods[] = {
    GLUE_METHOD(plugin_load),
    GLUE_METHOD(plugin_list),
    GLUE_METHOD(plugin_abi),
    GLUE_METHOD(area_info),
    GLUE_METHOD(area_call),
    GLUE_METHOD(area_measure),
    GLUE_METHOD(area_recharge),
    GLUE_METHOD(area_check),
    GLUE_METHOD(area_section),
    GLUE_METHOD(add_measure),
    GLUE_METHOD(add_rule),
    {NULL, NULL, 0, NULL},
};
