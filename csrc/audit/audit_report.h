/* Building an ap_audit_report: shared by the table audit and by every
 * model whose stated figures are audited (outturn, contract sums, savings,
 * MTFP), so that all of them report the same way.  Internal. */
#ifndef APPORTION_AUDIT_REPORT_H
#define APPORTION_AUDIT_REPORT_H

#include "apportion/audit.h"

/* A new, empty report with copies of title, source and unit (NULL reads as
 * ""); NULL when memory runs out. */
ap_audit_report *ap__report_new(const char *title, const char *source,
                                const char *unit);

/* Where a finding sits and what it checked; the strings are borrowed and
 * NULL reads as "". */
typedef struct ap__report_where {
    ap_table_check_kind kind;
    size_t row;
    size_t column;
    const char *row_label;
    const char *column_label;
    const char *check; /* "Total = sum of rows 1-6", or a sentence */
    const char *id;    /* a stable name, "recharge.instalments.sum" */
    const char *unit;  /* the figures' unit when not the report's: "%" */
} ap__report_where;

/* Appends one finding, copying the strings of *where and taking over what
 * *finding owns (which is zeroed, so the caller's clear is harmless).
 * Counts it under its status.  On AP_E_NOMEM the finding is cleared and
 * the report is unchanged. */
ap_status ap__report_add(ap_audit_report *report,
                         const ap__report_where *where,
                         ap_audit_finding *finding, ap_error *err);

/* The id of an entry whose strings are borrowed (from the table and the
 * check's texts, which outlive the report) and whose finding owns nothing:
 * a check whose figures agree exactly, added by ap__report_add_plain.
 * ap_audit_report_free frees nothing of such an entry. */
extern char ap__report_borrowed[];
/* The suggestion of a check whose figures agree exactly (static). */
extern char ap__report_agree_text[];

/* Appends a check whose figures agree exactly (status ok, cause none, no
 * item): its strings borrowed from *where, its figures given.  The caller
 * keeps those strings alive as long as the report.  Counts it ok. */
ap_status ap__report_add_plain(ap_audit_report *report,
                               const ap__report_where *where, int scale,
                               int64_t stated, int64_t tolerance,
                               ap_error *err);

/* A reclassification between columns.  members[0..m) are the findings of
 * one total row that are errors, each the total of a column entering a
 * rule that holds on the row itself (rule_text, e.g. "2023/24 = Red +
 * Amber + Green"), with that column's sign in the rule; allow[0..n_allow)
 * are the findings of every column of the rule on the row, its target
 * too.  When m >= 2 and the members' signed differences cancel within the
 * rounding the allow findings are allowed, no one figure is at fault: each
 * member (not already a reclassification) becomes one, its single-error
 * candidates dropped, with a suggestion naming the columns.  Otherwise
 * nothing changes.  Shared by the table audit and the models whose papers
 * print a rated table (savings), so both name the same cause. */
ap_status ap__report_reclassify(ap_audit_report *report,
                                const size_t *members, const int *signs,
                                size_t m, const size_t *allow, size_t n_allow,
                                const char *rule_text, const char *row_label,
                                ap_error *err);

#endif
