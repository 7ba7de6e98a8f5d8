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

#include "base/base.h"
#include "plugin/plugin_internal.h"

/* A type's name for "argument 1 should be money, but %s was given". */
static const char *type_name(ap_value_type t)
{
    return (int)t >= 0 && t < AP_VALUE_TYPE_COUNT ? ap_value_type_name(t)
                                                   : "an unknown type";
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
