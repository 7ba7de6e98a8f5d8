/* Glue for money.h: parsing and formatting money, and exact decimals. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "glue.h"

/* ---- money -------------------------------------------------------------- */

static PyObject *core_parse_money(PyObject *module, PyObject *args)
{
    const char *text, *unit_name;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#s:parse_money", &text, &len, &unit_name))
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

static PyObject *core_format_money(PyObject *module, PyObject *args)
{
    PyObject *amount;
    const char *unit_name, *negative;
    int decimals, symbol, grouping;
    if (!PyArg_ParseTuple(args, "Osispp:format_money", &amount, &unit_name,
                          &decimals, &negative, &symbol, &grouping))
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

static PyObject *core_parse_decimal(PyObject *module, PyObject *args)
{
    const char *text;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#:parse_decimal", &text, &len))
        return NULL;
    int64_t num, den;
    ap_error err;
    if (ap_decimal_parse(text, (size_t)len, &num, &den, &err) != AP_OK)
        return raise_error(module, &err);
    return Py_BuildValue("LL", (long long)num, (long long)den);
}

PyMethodDef money_methods[] = {
    {"parse_money", core_parse_money, METH_VARARGS,
     "parse_money(text, unit) -> (pence, resolution)"},
    {"format_money", core_format_money, METH_VARARGS,
     "format_money(pence, unit, decimals, negative, symbol, grouping) -> str"},
    {"parse_decimal", core_parse_decimal, METH_VARARGS,
     "parse_decimal(text) -> (numerator, denominator)"},
    {NULL, NULL, 0, NULL},
};
