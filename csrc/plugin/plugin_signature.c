/* A calculator's signature ("money(money, int64)") read into the types
 * libffi calls it with.  Making an item prepares it (plugin_item.c) and
 * calling one uses it (plugin_call.c), so it sits below both. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ffi.h>

#include "base/base.h"
#include "plugin/plugin_internal.h"

/* ---- signatures ---------------------------------------------------------- */

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
