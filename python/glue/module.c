/* apportion._core: the CPython glue over the C core.
 *
 * It converts Python values to the core's types and back, and maps the
 * core's status codes to apportion.errors; every computation happens in
 * csrc/.  Multi-phase initialisation with per-module state, so the module
 * can be loaded in subinterpreters. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

module_state *get_state(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

/* An error message as str.  The core never cuts one inside a character,
 * but a message is for people: any byte that is not UTF-8 becomes U+FFFD
 * rather than a second error hiding the first. */
static PyObject *message_text(const char *text)
{
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
}

/* Raises the exception matching err->status and returns NULL. */
PyObject *raise_error(PyObject *module, const ap_error *err)
{
    module_state *st = get_state(module);
    PyObject *type;
    switch (err->status) {
    case AP_E_NOMEM:
        /* MemoryError with the core's words ("out of memory reading
         * x.json"), never PyErr_NoMemory's empty one. */
        if (err->message[0] == '\0')
            return PyErr_NoMemory();
        type = PyExc_MemoryError;
        break;
    case AP_E_IO: type = PyExc_OSError; break;
    case AP_E_OVERFLOW: type = st->overflow_error; break;
    case AP_E_PLAN: type = st->plan_error; break;
    case AP_E_PLUGIN: type = st->plugin_error; break;
    case AP_E_INPUT:
    default: type = st->input_error; break;
    }
    PyObject *exc;
    if (type == st->plan_error)
        exc = PyObject_CallFunction(type, "NNii", message_text(err->message),
                                    message_text(err->path), err->line,
                                    err->column);
    else
        exc = PyObject_CallFunction(type, "N", message_text(err->message));
    if (exc != NULL) {
        PyErr_SetObject(type, exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* ---- module ------------------------------------------------------------ */

static int core_exec(PyObject *module)
{
    module_state *st = get_state(module);
    PyObject *errors = PyImport_ImportModule("apportion.errors");
    if (errors == NULL)
        return -1;
    /* The first failure stops the fetching, its exception set; the
     * members not reached stay NULL, and core_clear frees the rest. */
    int ok = 1;
#define LOAD_ERROR(member, name)                                           \
    ok = ok && (st->member = PyObject_GetAttrString(errors, name)) != NULL;
    MODULE_ERRORS(LOAD_ERROR)
#undef LOAD_ERROR
    Py_DECREF(errors);
    if (!ok)
        return -1;
    if (PyModule_AddStringConstant(module, "C_VERSION", AP_VERSION_STRING) <
        0)
        return -1;
    PyMethodDef *const tables[] = {
        money_methods,   apportion_methods, schedule_methods,
        plan_methods,    calendar_methods,  kpi_methods,
        measure_methods, plugin_methods,    audit_methods,
        ledger_methods,  mtfp_methods,      savings_methods,
        outturn_methods, contract_sum_methods, forecast_methods,
        scenario_methods, disaggregation_methods};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (PyModule_AddFunctions(module, tables[i]) < 0)
        return -1;
    return 0;
}

static int core_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *st = get_state(module);
#define VISIT_ERROR(member, name) Py_VISIT(st->member);
    MODULE_ERRORS(VISIT_ERROR)
#undef VISIT_ERROR
    return 0;
}

static int core_clear(PyObject *module)
{
    module_state *st = get_state(module);
#define CLEAR_ERROR(member, name) Py_CLEAR(st->member);
    MODULE_ERRORS(CLEAR_ERROR)
#undef CLEAR_ERROR
    return 0;
}

static void core_free(void *module)
{
    core_clear((PyObject *)module);
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_mod_gil
    /* Safe without the GIL on a free-threaded build (3.13t and later).
     * The mutable state that outlives a call, found by listing the
     * extension's and the plugins' .data, .bss and .tbss symbols, is
     * guarded without the GIL: the plugin registry (plugin_registry.c)
     * by its own mutex and loads by load_lock (plugin_loader.c); each
     * function's cached argument spec (arg_cache, glue.h) by an atomic
     * state with one writer; the current call of a Python measure
     * (current_call, plugin.c) is thread-local; this module's state (the
     * error classes) and a plugin's globals are written once, at exec
     * and at init under load_lock, and only read after.  Calendars are
     * immutable once made.  Apart from the str, bytes and buffers it
     * reads, the glue borrows items only from sequences the package has
     * just built for the call, which no other thread can see. */
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "apportion._core",
    .m_doc = "The C core of apportion, exposed for the Python package.",
    .m_size = sizeof(module_state),
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}

