/* Whole measures a plugin gets in one call (host->measure_within,
 * host->rereferral_flags): the glue between a measure's input and the
 * core's row rules, ap_sla_rows and ap_rereferrals, so that every plugin
 * reads its parameters and columns the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/measures.h"

#include "plugin/plugin_internal.h"

/* The elapsed-days convention, from the parameter "convention" (default
 * "after_start", as apportion.within_working_days). */
static ap_status within_convention(const ap_fields *params, ap_elapsed *out,
                                   ap_error *err)
{
    *out = AP_ELAPSED_AFTER_START;
    for (size_t i = 0; params != NULL && i < params->n; i++) {
        const ap_field *f = &params->items[i];
        if (f->path == NULL || strcmp(f->path, "convention") != 0)
            return ap_error_set(err, AP_E_INPUT,
                                "unknown parameter \"%s\"; this measure "
                                "takes only \"convention\"",
                                f->path ? f->path : "(null)");
        if (f->value.type != AP_TYPE_STRING || f->value.as.s == NULL)
            return ap_error_set(err, AP_E_INPUT,
                                "the parameter convention is a %s; it "
                                "must be text such as \"after_start\"",
                                ap_value_type_name(f->value.type));
        ap_status st = ap_elapsed_parse(f->value.as.s, out, err);
        if (st != AP_OK)
            return st;
    }
    return AP_OK;
}

ap_status ap__measure_within(const ap_measure_input *in,
                             const char *start_column, const char *end_column,
                             int64_t limit, size_t from, size_t to,
                             int64_t *numerator, int64_t *denominator,
                             ap_error *err)
{
    if (in == NULL || start_column == NULL || end_column == NULL ||
        (to > from && (numerator == NULL || denominator == NULL)))
        return ap_error_set(err, AP_E_INPUT,
                            "measure_within: no input, column name or "
                            "result array");
    if (from > to || to > in->n_rows)
        return ap_error_set(err, AP_E_INPUT,
                            "measure_within: rows [%zu, %zu) are not within "
                            "the %zu rows",
                            from, to, in->n_rows);
    ap_elapsed convention;
    ap_status st = within_convention(in->params, &convention, err);
    if (st != AP_OK)
        return st;
    ap_error local;
    memset(&local, 0, sizeof local);
    ap_error *e = err ? err : &local;
    const int64_t *start = ap__records_column(in, start_column, e);
    const int64_t *end = start ? ap__records_column(in, end_column, e) : NULL;
    if (start == NULL || end == NULL)
        return e->status != AP_OK ? e->status : AP_E_INPUT;
    return ap_sla_rows(in->calendar, start + from, end + from, to - from,
                       limit, convention, in->as_of, from, numerator,
                       denominator, err);
}

ap_status ap__rereferral_flags(const int64_t *subjects, const int64_t *dates,
                               size_t n, int64_t window_months,
                               uint8_t *flags, ap_error *err)
{
    if (n > 0 && (subjects == NULL || dates == NULL || flags == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "rereferral_flags: no subjects, dates or flags");
    ap_rereferral_result result;
    ap_status st = ap_rereferrals(subjects, dates, NULL, n, window_months,
                                  flags, &result, err);
    if (st == AP_OK)
        ap_rereferral_result_clear(&result);
    return st;
}
