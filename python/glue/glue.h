/* What the glue's translation units share: the module state, error
 * raising and buffer conversions.  Internal to apportion._core. */
#ifndef APPORTION_CORE_GLUE_H
#define APPORTION_CORE_GLUE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdatomic.h>

#include "apportion/apportion.h"

/* Below this many items the cost of releasing the GIL outweighs it. */
#define RELEASE_GIL_THRESHOLD 4096

/* The module state's members, each an exception class of
 * apportion.errors: X(member, class name).  One list serves the struct,
 * its loading at exec, traverse and clear. */
#define MODULE_ERRORS(X)                                                   \
    X(apportion_error, "ApportionError")                                   \
    X(input_error, "InputError")                                           \
    X(overflow_error, "MoneyOverflowError")                                \
    X(plan_error, "PlanError")                                             \
    X(plugin_error, "PluginError")

typedef struct module_state {
#define STATE_MEMBER(member, name) PyObject *member;
    MODULE_ERRORS(STATE_MEMBER)
#undef STATE_MEMBER
} module_state;

module_state *get_state(PyObject *module);

/* Text from the core (a name, a description, a check: data read from a
 * file the core checked as UTF-8) as str; NULL as None.  The one way the
 * glue makes str of the core's text: text that is not UTF-8 is
 * InputError saying so, never UnicodeDecodeError, and called with an
 * exception already set (an earlier argument of the same Py_BuildValue
 * failed) it returns NULL at once and keeps that exception, so a call
 * never returns with two errors or a result and an error. */
PyObject *core_text(const char *text);
/* A str as UTF-8 (owned by obj: valid while obj is), its length in *len
 * when len is not NULL.  A lone surrogate, which no UTF-8 can hold, is
 * InputError naming `what` ("parse_money() argument 'text'") and the
 * position, never UnicodeEncodeError; NULL then. */
const char *utf8_of(PyObject *obj, Py_ssize_t *len, const char *what);
/* apportion.errors.InputError as a new reference, for the helpers that
 * have no module at hand (ValueError should its import fail). */
PyObject *input_error_class(void);
/* Raises the exception matching err->status; returns NULL. */
PyObject *raise_error(PyObject *module, const ap_error *err);
/* What a function that fills the caller's arrays returns: None when the
 * core's status st is AP_OK, else NULL with raise_error's exception. */
PyObject *none_or_raise(PyObject *module, ap_status st,
                        const ap_error *err);
/* Any integer but bool into int64 (money, and weights); one beyond int64
 * is MoneyOverflowError naming `what`; -1 with an exception on failure. */
int to_int64(PyObject *module, PyObject *obj, const char *what,
             int64_t *out);
/* An integer (anything with __index__ but bool: TypeError otherwise) that
 * is not money, from lo to hi: one outside is InputError "<what> must be
 * an integer from <lo> to <hi>, not <value>".  0, or -1 with the
 * exception. */
int to_integer(PyObject *obj, const char *what, long long lo, long long hi,
               long long *out);
/* to_integer's InputError for the integer `value`; returns -1. */
int out_of_range(const char *what, long long lo, long long hi,
                 PyObject *value);
/* An integer (int, numpy integer: anything with __index__, but not bool
 * or float) as a new reference to a Python int; NULL with TypeError
 * "<what> must be an int, not <type>". */
PyObject *int_of(PyObject *obj, const char *what);
/* A real number (float, int, numpy scalar: anything with __float__ or
 * __index__, but not bool) as a double; -1 with TypeError "<what> must be
 * <expected>, not <type>". */
int to_double(PyObject *obj, const char *what, const char *expected,
              double *out);
PyObject *int64_list(const int64_t *values, size_t n);
/* A sequence of integers as a PyMem_Malloc'ed int64 array the caller
 * frees with PyMem_Free, its length in *n; NULL with an exception naming
 * `what`. */
int64_t *int64_array(PyObject *module, PyObject *seq, const char *what,
                     Py_ssize_t *n);
/* An apportionment mode's name ("largest_remainder", ...) into *mode; -1
 * with the core's error raised. */
int parse_mode(PyObject *module, const char *name, ap_apportion_mode *mode);
/* dict[key] = value, taking over the new reference value (NULL: an error
 * already set); 0 or -1. */
int set_item(PyObject *dict, const char *key, PyObject *value);
/* The file at path (bytes, as PyUnicode_FSConverter makes them) read
 * whole into *text (free() it) with the GIL released, refused when larger
 * than max_obj bytes (an int from 0 to 2**63 - 1; None: no limit of the
 * glue's) before it is read: InputError naming `what` ("plan file"), the
 * path and the limit; OSError when it cannot be read.  0, or -1 with the
 * exception set and *text NULL. */
int read_file_arg(PyObject *module, PyObject *path, PyObject *max_obj,
                  const char *what, char **text, size_t *len);
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
/* A read-only 1-D C-contiguous float64 buffer; `each` (NULL: nothing)
 * says in the error what one item is ("one value a year"). */
int get_double_vector(PyObject *obj, Py_buffer *view, const char *what,
                      const char *each);
/* A float64 array of `ndim` dimensions (2: series x time) read in place
 * with whatever strides it has: the caller checks that they are whole
 * float64 items before stepping by view->strides[d] / 8.  -1 with an
 * exception naming `what`, nothing held, when obj is no buffer, holds
 * other items or has another number of dimensions. */
int get_strided_doubles(PyObject *obj, Py_buffer *view, int ndim,
                        const char *what);

/* get_output's flags: int64 items (float64 without), and None allowed. */
enum { OUTPUT_INT64 = 1, OUTPUT_OPTIONAL = 2 };
/* An array the core writes its results into: a writable C-contiguous
 * buffer of exactly n items.  With OUTPUT_OPTIONAL, None gives *have 0
 * and nothing held; otherwise *have is 1 when the view is held.  source
 * (or NULL) is the input the core reads as it writes: an output sharing
 * memory with it is refused.  The length error reads "<what> holds <k>
 * values; " then `needed` formatted with the arguments after it
 * (PyUnicode_FromFormat's conversions: %s, %d, %zu...).  -1 with
 * an exception naming `what`, nothing held. */
int get_output(PyObject *obj, Py_buffer *view, int *have, unsigned flags,
               size_t n, const Py_buffer *source, const char *what,
               const char *needed, ...)
    __attribute__((format(printf, 8, 9)));

/* A member of a core result struct (a double, or an int64 count) and its
 * key in the dict the glue gives Python: one table per struct serves both
 * ways, so the keys written and read back cannot drift apart. */
typedef struct result_field {
    const char *key;
    size_t offset;
    int is_int64;
} result_field;
/* The n fields of *result as a new dict, in the table's order. */
PyObject *result_dict(const void *result, const result_field *fields,
                      size_t n);
/* The n fields of *result read back from dict (as result_dict made it, or
 * Python code alike), each named in errors by name_format with its key
 * (one %s: "fit['%s']").  A key not in dict calls missing(key), which
 * raises the caller's own error and returns -1, or returns 0 to leave the
 * member as it was.  0, or -1 with an exception. */
int result_from_dict(PyObject *module, PyObject *dict,
                     const char *name_format, int (*missing)(const char *),
                     void *result, const result_field *fields, size_t n);

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

/* dict[key] = value for a run of keys in a function with a `fail:` label;
 * value NULL (an error already set) jumps there.  Each value is built
 * only when its turn comes, so a failure part-way leaks nothing: set_item
 * consumes what it is given. */
#define SET(d, key, value)                                                   \
    do {                                                                     \
        if (set_item((d), (key), (value)) < 0)                               \
            goto fail;                                                       \
    } while (0)

/* A new list of n items made by make(ctx, i); NULL with an exception. */
typedef PyObject *(*item_fn)(const void *ctx, size_t i);
PyObject *list_of(const void *ctx, size_t n, item_fn make);
/* n texts from the core as a list of str. */
PyObject *text_list(char *const *texts, size_t n);
/* The authorities' codes, or (code, name) pairs, as a list. */
PyObject *authority_codes(const ap_authority *a, size_t n);
PyObject *authorities_list(const ap_authority *a, size_t n);
/* n printed amounts; has (may be NULL: all present) marks which were
 * printed, the rest are None. */
PyObject *amount_list(const ap_amount *a, const int *has, size_t n);
/* A figure the paper may print: (pence, resolution), or None. */
PyObject *printed_obj(const ap_printed *p);
/* A paper's split (basis_dict), None without one (has 0). */
PyObject *split_dict(int has, const ap_basis *b, size_t n);
/* The split of a savings or MTFP paper: split_dict with its authorities'
 * codes and weights and what the paper says of it (source, note, the
 * stated values). */
PyObject *paper_split_dict(int has, const ap_authority *authorities,
                           size_t n, const ap_basis *s,
                           const ap_split_paper *paper);

/* KPI definitions as the dicts apportion.kpi reads (the set is only
 * read). */
PyObject *kpi_list(const ap_kpi_set *set);

/* An audit finding or a whole audit report as the dicts apportion.audit
 * reads (audit.c): every model whose stated figures are audited
 * hands its report to Python through these. */
PyObject *audit_finding_dict(const ap_audit_finding *f);
PyObject *audit_report_dict(const ap_audit_report *r);

/* ---- arguments ----------------------------------------------------------
 * Every function of _core is METH_FASTCALL | METH_KEYWORDS: its arguments
 * come as a vector (positional ones, then the values of the keywords
 * named in kwnames).  Its parameters are written once, in the text
 * signature GLUE_FUNCTION puts at the head of its docstring, which
 * inspect.signature reads and the binder reads too: bind_args puts each
 * argument in its parameter's slot, with CPython's TypeError for too
 * many, missing, unexpected or doubled arguments; parse_args then
 * converts the slots with PyArg_ParseTuple's format codes and messages
 * ("f() argument 1 must be str, not int").  The public C API parses only
 * a tuple and a dict (PyArg_ParseTupleAndKeywords), not a vector, and
 * the private _PyArg_* parsers may change in any release. */

/* The most parameters a function of _core has (holt_batch: 17). */
enum { MAX_ARGS = 20 };

/* A function's parameters as its text signature names them. */
typedef struct arg_spec {
    const char *name;             /* the function's, for messages */
    int n;                        /* how many parameters */
    int optional;                 /* how many at the end may be left out */
    int posonly;                  /* how many at the start are
                                     positional-only */
    const char *params[MAX_ARGS]; /* their names, in text */
    char text[320];               /* the parameter list, cut into names */
} arg_spec;

/* A function's arg_spec, read from its text signature by the first call
 * and kept: state 0 unread, 1 being read, 2 read.  In the default build
 * that call holds the GIL, but the cache is static, shared by every
 * interpreter: subinterpreters each with a GIL of their own, and threads
 * with no GIL at all where the module says Py_MOD_GIL_NOT_USED, may call
 * a function first at once.  So the state is atomic: one thread reads
 * the spec into the cache, and a call that finds it not yet read reads
 * its own copy. */
typedef struct arg_cache {
    atomic_int state;
    arg_spec spec;
} arg_cache;

/* One call of a function of _core: its name, docstring (the text
 * signature first) and spec cache, and the arguments as the interpreter
 * passed them. */
typedef struct glue_call {
    const char *name;
    const char *doc;
    arg_cache *cache;
    PyObject *const *args;
    Py_ssize_t nargs;
    PyObject *kwnames;
} glue_call;

/* The function core_<name> of _core with the docstring <name>_doc:
 * "<name>($module, " params ")\n--\n\n" doc, composed at compile time.
 * params is the parameter list as Python writes it: "text, unit",
 * "values, alpha=None" (a default, always None, makes a parameter
 * optional; only trailing ones have them), "calendar, /" (those before
 * the / are positional-only), "" for none.  The body that follows the
 * macro is that of a function (PyObject *module, const glue_call *call)
 * returning a new reference; it binds its arguments with
 * parse_args(call, format, ...).  GLUE_METHOD(name) is its method table
 * entry. */
#define GLUE_FUNCTION(name, params, doc)                                   \
    PyDoc_STRVAR(name##_doc, #name "($module, " params ")\n--\n\n" doc);   \
    static arg_cache name##_cache;                                         \
    static PyObject *name##_body(PyObject *module, const glue_call *call); \
    static PyObject *core_##name(PyObject *module, PyObject *const *args,  \
                                 Py_ssize_t nargs, PyObject *kwnames)      \
    {                                                                      \
        const glue_call call = {#name, name##_doc, &name##_cache, args,    \
                                nargs, kwnames};                           \
        return name##_body(module, &call);                                 \
    }                                                                      \
    static PyObject *name##_body(PyObject *module, const glue_call *call)

/* Slots: MAX_ARGS borrowed references, NULL for an optional argument
 * left out (slots may be NULL for a function without parameters).  0, or
 * -1 with TypeError. */
int bind_args(const glue_call *call, PyObject **slots);
/* bind_args, then the slots converted in order by the format codes O O!
 * O& s s# z i I L n d p and (LL...), one per parameter, into the
 * pointers after format as PyArg_ParseTuple takes them; a left-out slot
 * leaves its pointer as it was (the caller's default).  0, or -1 with the
 * exception PyArg_ParseTuple would raise. */
int parse_args(const glue_call *call, const char *format, ...);

/* A method table entry for core_<name>, a fastcall function with keywords
 * whose docstring (text signature first) is <name>_doc.  The cast through
 * void (*)(void) is how CPython's own tables silence -Wcast-function-type. */
#define GLUE_METHOD(name)                                                  \
    {#name, (PyCFunction)(void (*)(void))core_##name,                      \
     METH_FASTCALL | METH_KEYWORDS, name##_doc}

/* finish(module, status, paper, err) for PAPER_READERS, for a paper of
 * type T whose results the core computes into an R *: raises err when the
 * read failed (status not AP_OK), else computes (with the GIL released
 * when nogil is 1) and gives to_dict(paper, result), freeing both on
 * every path. */
#define PAPER_FINISH(finish, T, R, compute, to_dict, result_free,          \
                     paper_free, nogil)                                    \
    static PyObject *finish(PyObject *module, ap_status st, T *paper,      \
                            ap_error *err)                                 \
    {                                                                      \
        if (st != AP_OK)                                                   \
            return raise_error(module, err);                               \
        R *result = NULL;                                                  \
        PyObject *d = NULL;                                                \
        if (nogil) {                                                       \
            Py_BEGIN_ALLOW_THREADS                                         \
            st = compute(paper, &result, err);                             \
            Py_END_ALLOW_THREADS                                           \
        } else {                                                           \
            st = compute(paper, &result, err);                             \
        }                                                                  \
        if (st != AP_OK)                                                   \
            raise_error(module, err);                                      \
        else                                                               \
            d = to_dict(paper, result);                                    \
        result_free(result);                                               \
        paper_free(paper);                                                 \
        return d;                                                          \
    }

/* load_<name>(path, max_bytes=None) and parse_<name>(text, source) for a
 * paper the core parses into a T * with parse(text, len, source, &paper,
 * &err); the file is read by read_file_arg (`what` names it: "plan file
 * x.json") and parsed under its path.  finish(module, status, paper,
 * &err) makes its dict (or raises) and frees the paper.  The GIL stays
 * held while the core parses: cJSON notes a parse failure in a
 * process-wide variable.  load_doc and parse_doc are the docstrings after
 * the text signatures. */
#define PAPER_READERS(name, T, what, parse, finish, load_doc, parse_doc)   \
    GLUE_FUNCTION(load_##name, "path, max_bytes=None", load_doc)           \
    {                                                                      \
        PyObject *path, *max_bytes = Py_None;                              \
        if (parse_args(call, "O&O", PyUnicode_FSConverter, &path,          \
                       &max_bytes) < 0)                                    \
            return NULL;                                                   \
        char *text;                                                        \
        size_t len;                                                        \
        if (read_file_arg(module, path, max_bytes, what, &text, &len) <    \
            0) {                                                           \
            Py_DECREF(path);                                               \
            return NULL;                                                   \
        }                                                                  \
        T *paper = NULL;                                                   \
        ap_error err;                                                      \
        ap_status st =                                                     \
            parse(text, len, PyBytes_AS_STRING(path), &paper, &err);       \
        free(text);                                                        \
        Py_DECREF(path);                                                   \
        return finish(module, st, paper, &err);                            \
    }                                                                      \
                                                                           \
    GLUE_FUNCTION(parse_##name, "text, source", parse_doc)                 \
    {                                                                      \
        const char *text, *source;                                         \
        Py_ssize_t len;                                                    \
        if (parse_args(call, "s#s", &text, &len, &source) < 0)             \
            return NULL;                                                   \
        T *paper = NULL;                                                   \
        ap_error err;                                                      \
        ap_status st = parse(text, (size_t)len, source, &paper, &err);     \
        return finish(module, st, paper, &err);                            \
    }

/* The method table entries of PAPER_READERS' two functions. */
#define PAPER_METHODS(name) GLUE_METHOD(load_##name), GLUE_METHOD(parse_##name)
/* The method table of a glue file whose functions are those two alone. */
#define PAPER_TABLE(name)                                                  \
    PyMethodDef name##_methods[] = {PAPER_METHODS(name),                   \
                                    {NULL, NULL, 0, NULL}}

/* The functions of each glue file, added to the module at exec. */
extern PyMethodDef money_methods[];
extern PyMethodDef apportion_methods[];
extern PyMethodDef schedule_methods[];
extern PyMethodDef plan_methods[];
extern PyMethodDef calendar_methods[];
extern PyMethodDef kpi_methods[];
extern PyMethodDef measure_methods[];
extern PyMethodDef plugin_methods[];
extern PyMethodDef audit_methods[];
extern PyMethodDef ledger_methods[];
extern PyMethodDef mtfp_methods[];
extern PyMethodDef disaggregation_methods[];
extern PyMethodDef savings_methods[];
extern PyMethodDef outturn_methods[];
extern PyMethodDef contract_sum_methods[];
extern PyMethodDef forecast_methods[];
extern PyMethodDef scenario_methods[];

#endif
