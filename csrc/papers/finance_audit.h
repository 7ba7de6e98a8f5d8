/* Auditing printed amounts into an ap_audit_report: figures printed in
 * different units and to different precisions ("£1.070m", "1,070" in a
 * £000 table, "£2,631,000") are brought to one unit as ap_figures, each
 * keeping its own precision, so ap_audit_sum allows exactly the rounding
 * each one's print allows.  Shared by the outturn, contract-sum, savings
 * and MTFP models, with the audit of an agreed split.
 * Internal: not part of the API. */
#ifndef APPORTION_FINANCE_AUDIT_H
#define APPORTION_FINANCE_AUDIT_H

#include <stddef.h>

#include "apportion/apportion.h"

/* Widens *unit (never narrows it) until one unit of a's last printed digit
 * is a whole number of it's: a report in £000 holding "£1.3m" (printed to
 * £100k) becomes a report in £m. */
void ap__audit_unit_widen(ap_unit *unit, const ap_amount *a);

/* A new, empty report (ap__report_new, audit_report.h) of figures in
 * `unit`, whose source is "reference, location" (either part may be "");
 * NULL when memory runs out. */
ap_audit_report *ap__audit_report_new(const char *title,
                                      const char *reference,
                                      const char *location, ap_unit unit);

/* One printed figure of a sum, with its sign (+1 or -1) and its label
 * (borrowed). */
typedef struct ap__audit_term {
    const ap_amount *amount;
    int sign;
    const char *label;
} ap__audit_term;

/* A growing list of terms whose labels it composes and owns. */
typedef struct ap__audit_terms {
    ap__audit_term *t;
    char **labels;
    size_t n, cap;
} ap__audit_terms;

/* Appends amount (borrowed: it must outlive the check) with its sign and
 * a printf-made label. */
ap_status ap__audit_push(ap__audit_terms *ts, ap_error *err,
                         const ap_amount *amount, int sign, const char *fmt,
                         ...)
    AP_PRINTF_FORMAT(5, 6)
    ;
/* Frees the labels and empties the list for the next check. */
void ap__audit_terms_free(ap__audit_terms *ts);

/* Where a check sits in the report and how it reads (all borrowed). */
typedef struct ap__audit_at {
    ap_table_check_kind kind;
    size_t row;
    size_t column;
    const char *row_label;
    const char *column_label;
    const char *check;        /* "Total = sum of the service lines" */
    const char *stated_label; /* what the stated figure is */
} ap__audit_at;

/* Checks stated = sum of the terms' signed amounts with ap_audit_sum, in
 * `unit` (which every amount must fit: see ap__audit_unit_widen), adds the
 * finding to the report and empties ts (also on error).  An exact nil
 * (resolution 0) is given the finest precision of the check's other
 * figures.  ts must hold at least one term. */
ap_status ap__audit_check(ap_audit_report *report, ap_unit unit,
                          ap__audit_terms *ts, const ap_amount *stated,
                          const ap__audit_at *at, ap_error *err);

/* ap_audit_sum of stated against the terms' signed amounts in `unit`
 * (as ap__audit_check, which every amount must fit), into the caller's
 * *out, to clear with ap_audit_finding_clear; ts is left as it is.
 * stated_label (borrowed, NULL for "the stated total") names the stated
 * figure in the finding. */
ap_status ap__audit_amounts_sum(ap_unit unit, const ap__audit_terms *ts,
                                const ap_amount *stated,
                                const char *stated_label,
                                ap_audit_finding *out, ap_error *err);

/* The audit of an agreed split between n authorities; nothing for a
 * metric split.  Its percentages against exactly 100 (the 100 is not a
 * rounded print, the percentages are) as the finding at `at`, whose
 * row_label NULL reads as the split's name.  With paper->stated_text (the
 * split as the paper printed it; paper may be NULL): that too against 100,
 * and each printed percentage against the agreed one (column: the
 * authority's index), in row at->row + 1 labelled "<name> as printed". */
ap_status ap__audit_split(ap_audit_report *report, const ap_basis *split,
                          const ap_authority *authorities, size_t n,
                          const ap_split_paper *paper, const ap__audit_at *at,
                          ap_error *err);

#endif
