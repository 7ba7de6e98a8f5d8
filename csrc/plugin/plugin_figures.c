/* Printed figures for plugins' checks (host->money_text,
 * host->compare_figure): a figure in a table's unit with exactly the
 * digits it needs, and a stated figure against the one its parts give,
 * told apart from a difference of the printed figures' rounding. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apportion/money.h"

#include "plugin/plugin_internal.h"

/* Digits after the point that print pence exactly in unit (a unit is a
 * power of ten of pence: ap_unit's value is the exponent). */
static int exact_decimals(int64_t pence, ap_unit unit)
{
    int d = (int)unit;
    for (; d > 0 && pence % 10 == 0; d--)
        pence /= 10;
    return d;
}

void ap__money_text(int64_t pence, ap_unit unit, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    ap_format_options o = ap_format_defaults();
    o.unit = unit;
    o.decimals = exact_decimals(pence, unit);
    if (ap_money_format(pence, &o, buf, size, NULL) != AP_OK)
        snprintf(buf, size, "%lldp", (long long)pence);
}

ap_status ap__compare_figure(ap_findings *out, const char *path,
                             const char *what_stated, int64_t stated,
                             int64_t stated_resolution,
                             const char *what_computed, int64_t computed,
                             int64_t computed_resolution, ap_unit unit)
{
    if (what_stated == NULL)
        what_stated = "the stated figure";
    if (what_computed == NULL)
        what_computed = "the computed figure";
    int64_t diff;
    ap_error e;
    memset(&e, 0, sizeof e);
    if (ap_money_sub(stated, computed, &diff, &e) == AP_OK &&
        diff == INT64_MIN)
        ap_error_set(&e, AP_E_OVERFLOW,
                     "%lld - %lld pence: the difference has no 64-bit size",
                     (long long)stated, (long long)computed);
    if (e.status != AP_OK)
        return ap__finding(out, AP_SEVERITY_ERROR, path, "%s: %s",
                           what_stated, e.message);
    if (diff == 0)
        return AP_OK;
    int64_t size = diff < 0 ? -diff : diff;
    int64_t sr = stated_resolution > 0 ? stated_resolution : 0;
    int64_t cr = computed_resolution > 0 ? computed_resolution : 0;
    int64_t res_sum = sr > INT64_MAX - cr ? INT64_MAX : sr + cr;
    int rounding = size <= INT64_MAX / 2 && 2 * size <= res_sum;
    char s[64], c[64], d[64];
    ap__money_text(stated, unit, s, sizeof s);
    ap__money_text(computed, unit, c, sizeof c);
    ap__money_text(size, unit, d, sizeof d);
    return ap__finding(
        out, rounding ? AP_SEVERITY_WARNING : AP_SEVERITY_ERROR, path,
        "%s is stated as %s but %s is %s: the stated figure is %s %s%s",
        what_stated, s, what_computed, c, d, diff > 0 ? "more" : "less",
        rounding ? ", within the rounding of the printed figures" : "");
}
