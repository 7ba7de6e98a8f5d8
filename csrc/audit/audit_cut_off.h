/* Stated figures the page cuts off ("£52,91…"), checked for consistency
 * only (audit_cut_off.c): shared by the plan's checks, audited tables and
 * the papers' audits.  Internal: not part of the API. */
#ifndef APPORTION_AUDIT_CUT_OFF_H
#define APPORTION_AUDIT_CUT_OFF_H

#include <stdint.h>

#include "apportion/audit.h"
#include "base/text.h"

/* How figures read in a finding's sentence: "£52,910.00" is prefix "£",
 * scale 2; "78.3%" is suffix "%", scale 1.  Figures are integers at
 * `scale` decimals, as the finding's. */
typedef struct ap__figure_style {
    const char *prefix;
    const char *suffix;
    int scale;
} ap__figure_style;

/* v as the style prints it, "-£52,910.00", into buf (64 bytes suffice). */
void ap__style_figure(const ap__figure_style *style, int64_t v, char *buf,
                      size_t size);

/* The k-th range (k = 0, 1, ...) the cut-off figure f allows, in its
 * units (f->unit_pence), plus offset; 0 when there is none (or it would
 * not fit in int64). */
int ap__cut_off_range(const ap_printed_figure *f, int64_t offset, int k,
                      int64_t *lo, int64_t *hi);

/* The legible part of a cut-off cell, without its mark: "£52,91". */
void ap__cut_off_prefix(const ap_printed_figure *f, char *buf, size_t size);

/* A finding on a cut-off stated figure f against `computed`: ok (cause
 * none) when computed is a value the legible prefix allows, plus offset
 * (the other stated figures of a sum, when is_sum); rounding (cause
 * rounding) when it is within `tolerance` of one (the rounding of the
 * figures the computed one is made of); else error.  The finding's
 * `stated` is the allowed value nearest computed (computed itself when
 * consistent), at the style's scale; its sentence begins with `check`,
 * says `what` ("the cell", "instalment 4") is cut off after its prefix
 * and what it can be, and names `computed` as `against` ("the
 * computed", "the stated total").  check, what and against are
 * borrowed.  *out is the
 * caller's, cleared with ap_audit_finding_clear. */
ap_status ap__cut_off_finding(const ap_printed_figure *f, int64_t offset,
                              int is_sum, int64_t computed,
                              int64_t tolerance,
                              const ap__figure_style *style, const char *what,
                              const char *against, const char *check,
                              ap_audit_finding *out, ap_error *err);

/* A finding for a check that cannot be made because a figure it needs is
 * not legible or cut off: status ok with cause illegible (nothing was
 * found wrong, and nothing could be), its sentence `check` then why:
 * "<check>: cannot be checked: <why>.".  why is borrowed. */
ap_status ap__unchecked_finding(const char *check, const char *why,
                                ap_audit_finding *out, ap_error *err);

#endif
