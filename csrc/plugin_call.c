/* Calculators: plain C functions with a declared signature, called
 * through libffi.
 *
 * The signature is read once, at registration, into the calculator's
 * types and a prepared ffi_cif; a call only checks the caller's values
 * against the declared types and hands them over. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ffi.h>

#include "internal.h"
#include "plugin_internal.h"

/* ---- signatures ---------------------------------------------------------- */

/* A type's name for "argument 1 should be money, but %s was given". */
static const char *type_name(ap_value_type t)
{
    return (int)t >= 0 && t < AP_VALUE_TYPE_COUNT ? ap_value_type_name(t)
                                                   : "an unknown type";
}

/* money and date are int64 to C; they differ only in how Python converts
 * them. */
static ffi_type *ffi_type_of(ap_value_type t)
{
    switch (t) {
    case AP_TYPE_DOUBLE:
        return &ffi_type_double;
    case AP_TYPE_STRING:
        return &ffi_type_pointer;
    case AP_TYPE_INT64:
    case AP_TYPE_MONEY:
    case AP_TYPE_DATE:
    default:
        return &ffi_type_sint64;
    }
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static int is_word_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '_';
}

/* Reads a type name at *p and moves past it.  `what` ("the result",
 * "argument 2") words the error. */
static ap_status read_type(const char *signature, const char **p,
                           const char *what, ap_value_type *out,
                           ap_error *err)
{
    const char *start = *p, *end = start;
    while (is_word_char(*end))
        end++;
    size_t len = (size_t)(end - start);
    if (len == 0) {
        if (*start == '\0')
            return ap_error_set(err, AP_E_PLUGIN,
                                "signature \"%s\": %s has no type; the "
                                "signature ends early",
                                signature, what);
        return ap_error_set(err, AP_E_PLUGIN,
                            "signature \"%s\": expected a type for %s, "
                            "found \"%.*s\"; types are int64, double, "
                            "money, date and string",
                            signature, what,
                            ap__utf8_prefix(start, strlen(start), 20),
                            start);
    }
    for (int t = 0; t < AP_VALUE_TYPE_COUNT; t++) {
        const char *name = ap_value_type_name((ap_value_type)t);
        if (strlen(name) == len && memcmp(name, start, len) == 0) {
            *out = (ap_value_type)t;
            *p = end;
            return AP_OK;
        }
    }
    return ap_error_set(err, AP_E_PLUGIN,
                        "signature \"%s\": unknown type \"%.*s\" for %s; "
                        "types are int64, double, money, date and string",
                        signature, ap__utf8_prefix(start, len, 40), start,
                        what);
}

static ap_status expected(const char *signature, const char *what,
                          const char *at, ap_error *err)
{
    if (*at == '\0')
        return ap_error_set(err, AP_E_PLUGIN,
                            "signature \"%s\": expected %s, but the "
                            "signature ends",
                            signature, what);
    return ap_error_set(err, AP_E_PLUGIN,
                        "signature \"%s\": expected %s, found \"%.*s\"",
                        signature, what, ap__utf8_prefix(at, strlen(at), 20),
                        at);
}

ap_status ap__calculator_prepare(ap__calculator *c, const char *signature,
                                 ap_error *err)
{
    if (signature == NULL)
        return ap_error_set(err, AP_E_PLUGIN,
                            "a calculator needs a signature such as "
                            "\"money(money, int64)\"");
    const char *p = skip_space(signature);
    ap_value_type result, args[AP_CALCULATOR_MAX_ARGS];
    size_t n = 0;
    ap_status st = read_type(signature, &p, "the result", &result, err);
    if (st != AP_OK)
        return st;
    p = skip_space(p);
    if (*p != '(')
        return expected(signature, "\"(\" after the result type", p, err);
    p = skip_space(p + 1);
    if (*p != ')') {
        for (;;) {
            char what[32];
            snprintf(what, sizeof what, "argument %zu", n + 1);
            if (n == AP_CALCULATOR_MAX_ARGS)
                return ap_error_set(err, AP_E_PLUGIN,
                                    "signature \"%s\": more than %d "
                                    "arguments",
                                    signature, AP_CALCULATOR_MAX_ARGS);
            if ((st = read_type(signature, &p, what, &args[n], err)))
                return st;
            n++;
            p = skip_space(p);
            if (*p == ')')
                break;
            if (*p != ',')
                return expected(signature, "\",\" or \")\" after an argument",
                                p, err);
            p = skip_space(p + 1);
        }
    }
    p = skip_space(p + 1);
    if (*p != '\0')
        return expected(signature, "nothing after \")\"", p, err);

    c->result = result;
    c->n_args = n;
    for (size_t i = 0; i < n; i++) {
        c->args[i] = args[i];
        c->ffi_args[i] = ffi_type_of(args[i]);
    }
    /* Every calculator takes the error record last. */
    c->ffi_args[n] = &ffi_type_pointer;
    ffi_status fs = ffi_prep_cif(&c->cif, FFI_DEFAULT_ABI, (unsigned)(n + 1),
                                 ffi_type_of(result), c->ffi_args);
    if (fs != FFI_OK)
        return ap_error_set(err, AP_E_PLUGIN,
                            "signature \"%s\": libffi cannot prepare the "
                            "call (ffi_prep_cif status %d)",
                            signature, (int)fs);
    return AP_OK;
}

/* ---- calls ---------------------------------------------------------------- */

ap_status ap_area_call(const ap_area *a, const char *name,
                       const ap_value *args, size_t n_args, ap_value *result,
                       ap_error *err)
{
    ap_error local;
    if (err == NULL)
        err = &local;
    ap_error_clear(err);
    if (result == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_area_call: result is NULL");
    result->type = AP_TYPE_INT64;
    result->as.i = 0;
    if (a == NULL || name == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_area_call: no service area or no "
                            "calculator name");
    const ap__calculator *c =
        ap__area_item_or_error(a, AP_ITEM_CALCULATOR, name, err);
    if (c == NULL)
        return err->status != AP_OK ? err->status : AP_E_INPUT;
    result->type = c->result;

    if (n_args != c->n_args)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s takes %zu argument%s (%s); %zu given",
                            a->code, c->name, c->n_args,
                            c->n_args == 1 ? "" : "s", c->signature, n_args);
    if (n_args > 0 && args == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the arguments are NULL", a->code,
                            c->name);

    /* Copies of the values, so libffi is handed pointers to our own
     * storage rather than to the caller's const data. */
    int64_t ints[AP_CALCULATOR_MAX_ARGS];
    double doubles[AP_CALCULATOR_MAX_ARGS];
    const char *strings[AP_CALCULATOR_MAX_ARGS];
    void *avalues[AP_CALCULATOR_MAX_ARGS + 1];
    for (size_t i = 0; i < n_args; i++) {
        ap_value_type want = c->args[i], got = args[i].type;
        if (got != want)
            return ap_error_set(err, AP_E_INPUT,
                                "%s.%s: argument %zu should be %s, but %s "
                                "was given (signature %s)",
                                a->code, c->name, i + 1, type_name(want),
                                type_name(got), c->signature);
        switch (want) {
        case AP_TYPE_DOUBLE:
            doubles[i] = args[i].as.d;
            avalues[i] = &doubles[i];
            break;
        case AP_TYPE_STRING:
            if (args[i].as.s == NULL)
                return ap_error_set(err, AP_E_INPUT,
                                    "%s.%s: argument %zu is a string but "
                                    "NULL was given (signature %s)",
                                    a->code, c->name, i + 1, c->signature);
            strings[i] = args[i].as.s;
            avalues[i] = &strings[i];
            break;
        default:
            ints[i] = args[i].as.i;
            avalues[i] = &ints[i];
            break;
        }
    }
    ap_error call_err;
    ap_error_clear(&call_err);
    ap_error *call_err_ptr = &call_err;
    avalues[n_args] = &call_err_ptr;

    /* libffi writes at least an ffi_arg; every result type here is 8
     * bytes, and the union holds both. */
    union {
        ffi_arg word;
        int64_t i;
        double d;
        void *p;
    } rv;
    memset(&rv, 0, sizeof rv);
    ffi_call((ffi_cif *)&c->cif, FFI_FN(c->fn), &rv, avalues);

    if (call_err.status != AP_OK) {
        if (c->result == AP_TYPE_STRING)
            free(rv.p);
        /* The calculator's own error: its status is the one it set. */
        return ap__item_failed(a, c->name, call_err.status, &call_err, NULL,
                               err);
    }
    switch (c->result) {
    case AP_TYPE_DOUBLE:
        result->as.d = rv.d;
        break;
    case AP_TYPE_STRING:
        if (rv.p == NULL)
            return ap_error_set(err, AP_E_PLUGIN,
                                "%s.%s returned no string and no error",
                                a->code, c->name);
        /* From host->alloc (malloc): the caller frees it with free(). */
        result->as.s = rv.p;
        break;
    default:
        result->as.i = rv.i;
        break;
    }
    return AP_OK;
}
