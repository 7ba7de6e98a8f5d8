/* Glue for money.h: parsing and formatting money, and exact decimals. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- money -------------------------------------------------------------- */

PyDoc_STRVAR(parse_money_doc,
"parse_money($module, /, text, unit)\n--\n\n"
"The money in text, in unit (\"£\", \"£000\", \"£m\"...), as (pence,\n"
"resolution): resolution the pence its last printed digit is worth.");
ARG_SPEC(parse_money_args, "parse_money", 0, 0, "text", "unit");

static PyObject *core_parse_money(PyObject *module, PyObject *const *args,
                                  Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text, *unit_name;
    Py_ssize_t len;
    if (parse_args(&parse_money_args, args, nargs, kwnames, "s#s", &text,
                   &len, &unit_name) < 0)
        return NULL;
    ap_error err;
    ap_unit unit;
    int64_t pence, resolution;
    if (ap_unit_parse(unit_name, &unit, &err) != AP_OK ||
        ap_money_parse(text, (size_t)len, unit, &pence, &resolution, &err) !=
            AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("LL", (long long)pence, (long long)resolution);
}

PyDoc_STRVAR(format_money_doc,
"format_money($module, /, pence, unit, decimals, negative, symbol, "
"grouping)\n--\n\n"
"pence printed in unit as str: decimals places (-1: the unit's own),\n"
"negative \"minus\" or \"brackets\", with the unit's symbol and comma\n"
"groups when symbol and grouping are true.");
ARG_SPEC(format_money_args, "format_money", 0, 0, "pence", "unit",
         "decimals", "negative", "symbol", "grouping");

static PyObject *core_format_money(PyObject *module, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *amount;
    const char *unit_name, *negative;
    int decimals, symbol, grouping;
    if (parse_args(&format_money_args, args, nargs, kwnames, "Osispp",
                   &amount, &unit_name, &decimals, &negative, &symbol,
                   &grouping) < 0)
        return NULL;
    int64_t pence;
    if (to_int64(module, amount, "pence", &pence) < 0)
        return NULL;
    ap_error err;
    ap_format_options o = ap_format_defaults();
    if (ap_unit_parse(unit_name, &o.unit, &err) != AP_OK)
        return raise_error(module, &err);
    if (strcmp(negative, "minus") == 0)
        o.negative = AP_NEGATIVE_MINUS;
    else if (strcmp(negative, "brackets") == 0)
        o.negative = AP_NEGATIVE_BRACKETS;
    else {
        PyErr_Format(get_state(module)->input_error,
                     "negative must be \"minus\" or \"brackets\", not \"%s\"",
                     negative);
        return NULL;
    }
    o.decimals = decimals;
    o.symbol = symbol;
    o.grouping = grouping;
    char buf[64];
    if (ap_money_format(pence, &o, buf, sizeof buf, &err) != AP_OK)
        return raise_error(module, &err);
    return PyUnicode_FromString(buf);
}

PyDoc_STRVAR(parse_decimal_doc,
"parse_decimal($module, /, text)\n--\n\n"
"The decimal number in text, exactly, as (numerator, denominator).");
ARG_SPEC(parse_decimal_args, "parse_decimal", 0, 0, "text");

static PyObject *core_parse_decimal(PyObject *module, PyObject *const *args,
                                    Py_ssize_t nargs, PyObject *kwnames)
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(&parse_decimal_args, args, nargs, kwnames, "s#", &text,
                   &len) < 0)
        return NULL;
    int64_t num, den;
    ap_error err;
    if (ap_decimal_parse(text, (size_t)len, &num, &den, &err) != AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("LL", (long long)num, (long long)den);
}

PyMethodDef money_methods[] = {
    GLUE_METHOD(parse_money),
    GLUE_METHOD(format_money),
    GLUE_METHOD(parse_decimal),
    {NULL, NULL, 0, NULL},
};
