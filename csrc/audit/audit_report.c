/* Audit reports: a growing list of findings, each owning its strings,
 * and the one judgement made across findings (a reclassification between
 * columns), so that every audit names it the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_report.h"
#include "base/base.h"
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

char ap__report_borrowed[] = "";
char ap__report_agree_text[] = "The items sum to the stated total.";

static void finding_entry_clear(ap_table_finding *f)
{
    if (f->id == ap__report_borrowed)
        return; /* nothing of it is owned */
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

/* Room for one more finding: 0 when memory runs out. */
static int report_grow(ap_audit_report *report)
{
    /* Capacity is implicit: 8, then doubled whenever n reaches a power
     * of two from 8 on, so no capacity field is needed in the public
     * struct. */
    size_t n = report->n_findings;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        size_t cap = n ? 2 * n : 8;
        ap_table_finding *grown = realloc(report->findings, cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        report->findings = grown;
    }
    return 1;
}

ap_status ap__report_add_plain(ap_audit_report *report,
                               const ap__report_where *where, int scale,
                               int64_t stated, int64_t tolerance,
                               ap_error *err)
{
    if (!report_grow(report))
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for audit findings");
    ap_table_finding *f = &report->findings[report->n_findings++];
    memset(f, 0, sizeof *f);
    f->kind = where->kind;
    f->row = where->row;
    f->column = where->column;
    /* Borrowed: the strings outlive the report, which frees none of them. */
    f->row_label = (char *)(uintptr_t)where->row_label;
    f->column_label = (char *)(uintptr_t)where->column_label;
    f->check = (char *)(uintptr_t)where->check;
    f->id = ap__report_borrowed;
    f->unit = ap__report_borrowed;
    f->finding.status = AP_AUDIT_OK;
    f->finding.cause = AP_CAUSE_NONE;
    f->finding.item = AP_AUDIT_NO_ITEM;
    f->finding.scale = scale;
    f->finding.stated = stated;
    f->finding.computed = stated;
    f->finding.tolerance = tolerance;
    f->finding.suggestion = ap__report_agree_text;
    report->n_ok++;
    return AP_OK;
}

ap_status ap__report_add(ap_audit_report *report,
                         const ap__report_where *where,
                         ap_audit_finding *finding, ap_error *err)
{
    size_t n = report->n_findings;
    if (!report_grow(report)) {
        ap_audit_finding_clear(finding);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for audit findings");
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

/* ---- reclassification ---------------------------------------------------- */

/* v at `scale` brought to `to` (>= scale) decimals; 0 when it does not
 * fit, which the caller treats as "cannot tell". */
static int rescale(int64_t v, int scale, int to, ap__i128 *out)
{
    if (to - scale > 18)
        return 0;
    ap__i128 r = (ap__i128)v * ap__pow10(to - scale);
    if (!ap__fits_i64(r))
        return 0;
    *out = r;
    return 1;
}

/* The suggestion for the findings of a reclassification between columns
 * members[0..m) (finding indices), whose signed differences cancel. */
static char *reclass_text(const ap_audit_report *rep, const size_t *members,
                          const int *signs, size_t m, const char *rule_text,
                          const char *row_label)
{
    struct ap_text b = {0};
    const ap_table_finding *f0 = &rep->findings[members[0]];
    if (m == 2 && signs[0] > 0 && signs[1] > 0 &&
        f0->finding.scale == rep->findings[members[1]].finding.scale &&
        f0->finding.difference == -rep->findings[members[1]].finding.difference) {
        /* "470 appears in Amber's total that the items put in Green". */
        const ap_table_finding *more = f0, *less = &rep->findings[members[1]];
        if (more->finding.difference < 0) {
            more = less;
            less = f0;
        }
        char amount[48];
        ap_figure_format(more->finding.difference, more->finding.scale,
                         amount, sizeof amount);
        ap__text_append(&b, "%s appears in %s's total that the items put in %s: "
                  "the row's own figures agree (%s) but the %s and %s "
                  "columns do not, a reclassification between them rather "
                  "than an arithmetic error.",
                  amount, more->column_label, less->column_label, rule_text,
                  more->column_label, less->column_label);
        return ap__text_take(&b);
    }
    ap__text_append(&b, "The totals of ");
    for (size_t i = 0; i < m; i++)
        ap__text_append(&b, "%s%s", i == 0 ? "" : i + 1 == m ? " and " : ", ",
                  rep->findings[members[i]].column_label);
    ap__text_append(&b, " differ from their items by ");
    for (size_t i = 0; i < m; i++) {
        const ap_audit_finding *f = &rep->findings[members[i]].finding;
        char amount[48];
        ap_figure_format(f->difference, f->scale, amount, sizeof amount);
        ap__text_append(&b, "%s%s%s", i == 0 ? "" : i + 1 == m ? " and " : ", ",
                  f->difference > 0 ? "+" : "", amount);
    }
    ap__text_append(&b, ", which cancel, while the row's own figures agree "
              "(%s on %s): figures look reclassified between these columns "
              "rather than mis-added.",
              rule_text, row_label);
    return ap__text_take(&b);
}

ap_status ap__report_reclassify(ap_audit_report *rep, const size_t *members,
                                const int *signs, size_t m,
                                const size_t *allow, size_t n_allow,
                                const char *rule_text, const char *row_label,
                                ap_error *err)
{
    if (m < 2)
        return AP_OK;
    /* One scale for every figure of the rule on this row. */
    int scale = rep->findings[n_allow ? allow[0] : members[0]].finding.scale;
    for (size_t i = 0; i < n_allow; i++)
        if (rep->findings[allow[i]].finding.scale > scale)
            scale = rep->findings[allow[i]].finding.scale;
    for (size_t i = 0; i < m; i++)
        if (rep->findings[members[i]].finding.scale > scale)
            scale = rep->findings[members[i]].finding.scale;
    /* The errors' signed sum, against the rounding every column of the
     * rule is allowed. */
    ap__i128 sum = 0, allowed = 0, v;
    int fits = 1;
    for (size_t i = 0; i < m && fits; i++) {
        const ap_audit_finding *f = &rep->findings[members[i]].finding;
        if ((fits = rescale(f->difference, f->scale, scale, &v)))
            sum += signs[i] * v;
    }
    for (size_t i = 0; i < n_allow && fits; i++) {
        const ap_audit_finding *f = &rep->findings[allow[i]].finding;
        if ((fits = rescale(f->tolerance, f->scale, scale, &v)))
            allowed += v;
    }
    if (!fits || (sum < 0 ? -sum : sum) > allowed)
        return AP_OK;
    char *text = reclass_text(rep, members, signs, m, rule_text,
                              row_label ? row_label : "");
    if (text == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    for (size_t i = 0; i < m; i++) {
        ap_table_finding *tf = &rep->findings[members[i]];
        if (tf->finding.cause == AP_CAUSE_RECLASSIFICATION)
            continue;
        char *own = ap__strdup(text);
        if (own == NULL) {
            free(text);
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory checking a table");
        }
        /* Keep the figures; the single-error candidates no longer apply,
         * since no one figure is at fault. */
        ap_audit_finding keep = tf->finding;
        keep.candidates = NULL;
        keep.n_candidates = 0;
        keep.item_label = NULL;
        keep.suggestion = NULL;
        ap_audit_finding_clear(&tf->finding);
        tf->finding = keep;
        tf->finding.cause = AP_CAUSE_RECLASSIFICATION;
        tf->finding.item = AP_AUDIT_NO_ITEM;
        tf->finding.suggestion = own;
    }
    free(text);
    return AP_OK;
}
