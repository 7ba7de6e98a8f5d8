/* What the glue's translation units share: the module state, error
 * raising and buffer conversions.  Internal to apportion._core. */
#ifndef APPORTION_CORE_GLUE_H
#define APPORTION_CORE_GLUE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "apportion/apportion.h"

/* Below this many items the cost of releasing the GIL outweighs it. */
#define RELEASE_GIL_THRESHOLD 4096

typedef struct module_state {
    PyObject *apportion_error;
    PyObject *input_error;
    PyObject *overflow_error;
    PyObject *plan_error;
    PyObject *plugin_error;
} module_state;

module_state *get_state(PyObject *module);

/* Text from the core as str, decoding leniently. */
PyObject *core_text(const char *text);
/* Raises the exception matching err->status; returns NULL. */
PyObject *raise_error(PyObject *module, const ap_error *err);
/* Any integer but bool into int64; -1 with an exception on failure. */
int to_int64(PyObject *module, PyObject *obj, const char *what,
             int64_t *out);
PyObject *int64_list(const int64_t *values, size_t n);
/* dict[key] = value, taking over the new reference value (NULL: an error
 * already set); 0 or -1. */
int set_item(PyObject *dict, const char *key, PyObject *value);
/* A C string as str; NULL and "" as None. */
PyObject *str_or_none(const char *s);
/* The ap_calendar inside a calendar capsule (NULL with an exception when
 * the object is not one). */
const ap_calendar *calendar_of(PyObject *capsule);
/* C-contiguous buffers of a given item size and struct format. */
int get_typed_buffer(PyObject *obj, Py_buffer *view, int writable,
                     Py_ssize_t itemsize, const char *formats,
                     const char *type, const char *what);
int get_int64_buffer(PyObject *obj, Py_buffer *view, int writable,
                     const char *what);

/* A printed amount as (pence, resolution); amount_or_none gives None
 * when the paper does not print it (present 0). */
PyObject *amount_tuple(const ap_amount *a);
PyObject *amount_or_none(int present, const ap_amount *a);
/* The rows of a row-major n_rows x n_cols int64 array as a list of
 * lists (shares by line and authority, by year and category...). */
PyObject *int64_rows(const int64_t *cells, size_t n_rows, size_t n_cols);
/* An agreed split between n authorities (the plan's basis, or a paper's
 * split) as {"name", "kind": "percent" | "metric", "mode", "values":
 * [(text, num, den)...]}: what every model's split dict holds; callers
 * add their own members (the plan's "weights", a paper's "source"...). */
PyObject *basis_dict(const ap_basis *b, size_t n);

/* KPI definitions as the dicts apportion.kpi reads (the set is only
 * read). */
PyObject *kpi_list(const ap_kpi_set *set);

/* An audit finding or a whole audit report as the dicts apportion.audit
 * reads (_core_audit.c): every model whose stated figures are audited
 * hands its report to Python through these. */
PyObject *audit_finding_dict(const ap_audit_finding *f);
PyObject *audit_report_dict(const ap_audit_report *r);

/* The functions of each glue file, added to the module at exec. */
extern PyMethodDef calendar_methods[];
extern PyMethodDef kpi_methods[];
extern PyMethodDef measure_methods[];
extern PyMethodDef plugin_methods[];
extern PyMethodDef audit_methods[];
extern PyMethodDef ledger_methods[];
extern PyMethodDef budget_methods[];
extern PyMethodDef outturn_methods[];
extern PyMethodDef forecast_methods[];
extern PyMethodDef holt_methods[];
extern PyMethodDef scenario_methods[];

#endif
