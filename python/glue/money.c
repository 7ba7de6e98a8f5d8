/* Glue for money.h: parsing and formatting money, and exact decimals. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- money -------------------------------------------------------------- */

GLUE_FUNCTION(parse_money, "text, unit",
"The money in text, in unit (\"£\", \"£000\", \"£m\"...), as (pence,\n"
"resolution): resolution the pence its last printed digit is worth.")
{
    const char *text, *unit_name;
    Py_ssize_t len;
    if (parse_args(call, "s#s", &text, &len, &unit_name) < 0)
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

GLUE_FUNCTION(format_money,
              "pence, unit, decimals, negative, symbol, grouping",
"pence printed in unit as str: decimals places (-1: the unit's own),\n"
"negative \"minus\" or \"brackets\", with the unit's symbol and comma\n"
"groups when symbol and grouping are true.")
{
    PyObject *amount;
    const char *unit_name, *negative;
    int decimals, symbol, grouping;
    if (parse_args(call, "Osispp", &amount, &unit_name, &decimals, &negative,
                   &symbol, &grouping) < 0)
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

GLUE_FUNCTION(parse_decimal, "text",
"The decimal number in text, exactly, as (numerator, denominator).")
{
    const char *text;
    Py_ssize_t len;
    if (parse_args(call, "s#", &text, &len) < 0)
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
