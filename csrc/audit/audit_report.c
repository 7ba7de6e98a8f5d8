/* Audit reports: a growing list of findings, each owning its strings. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_report.h"
#include "base/text.h"

ap_audit_report *ap__report_new(const char *title, const char *source,
                                const char *unit)
{
    ap_audit_report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->title = ap__strdup(title ? title : "");
    r->source = ap__strdup(source ? source : "");
    r->unit = ap__strdup(unit ? unit : "");
    if (!r->title || !r->source || !r->unit) {
        ap_audit_report_free(r);
        return NULL;
    }
    return r;
}

static void finding_entry_clear(ap_table_finding *f)
{
    free(f->row_label);
    free(f->column_label);
    free(f->check);
    free(f->id);
    free(f->unit);
    ap_audit_finding_clear(&f->finding);
}

static char *copy(const char *s)
{
    return ap__strdup(s ? s : "");
}

ap_status ap__report_add(ap_audit_report *report,
                         const ap__report_where *where,
                         ap_audit_finding *finding, ap_error *err)
{
    /* Capacity is implicit: 8, then doubled whenever n reaches a power
     * of two from 8 on, so no capacity field is needed in the public
     * struct. */
    size_t n = report->n_findings;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        size_t cap = n ? 2 * n : 8;
        ap_table_finding *grown = realloc(report->findings, cap * sizeof *grown);
        if (grown == NULL) {
            ap_audit_finding_clear(finding);
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory for audit findings");
        }
        report->findings = grown;
    }
    ap_table_finding *f = &report->findings[n];
    memset(f, 0, sizeof *f);
    f->kind = where->kind;
    f->row = where->row;
    f->column = where->column;
    f->row_label = copy(where->row_label);
    f->column_label = copy(where->column_label);
    f->check = copy(where->check);
    f->id = copy(where->id);
    f->unit = copy(where->unit);
    f->finding = *finding;
    memset(finding, 0, sizeof *finding);
    if (!f->row_label || !f->column_label || !f->check || !f->id ||
        !f->unit) {
        finding_entry_clear(f);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for audit findings");
    }
    report->n_findings = n + 1;
    switch (f->finding.status) {
    case AP_AUDIT_OK: report->n_ok++; break;
    case AP_AUDIT_ROUNDING: report->n_rounding++; break;
    default: report->n_error++; break;
    }
    return AP_OK;
}

void ap_audit_report_free(ap_audit_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->n_findings; i++)
        finding_entry_clear(&report->findings[i]);
    free(report->findings);
    free(report->title);
    free(report->source);
    free(report->unit);
    free(report);
}
