/* The rounding conventions of ap_audit_figure (audit_figure.c) for callers
 * that hold a printed figure as digits rather than text: the plan's
 * checks, which word their own findings.  Internal: not part of the API. */
#ifndef APPORTION_AUDIT_FIGURE_H
#define APPORTION_AUDIT_FIGURE_H

#include <stdint.h>

#include "apportion/audit.h"
#include "base/base.h"

typedef struct ap__judgement {
    ap_audit_status status; /* ok, rounding (truncation) or error */
    ap_audit_cause cause;   /* none, rounding, truncation or unexplained */
    ap__i128 rounded;       /* the value rounded half up, in printed units */
    ap__i128 cut;           /* the value cut toward zero, in printed units */
} ap__judgement;

/* Judges `printed` units of 10^-pd (pd may be negative: 407 at pd = -3 is
 * 407,000) against the exact value p / q (q > 0) with ap_audit_figure's
 * rules: ok when it is the value rounded half up or half to even (cause
 * none when exact, else rounding), rounding with cause truncation when it
 * is the value cut toward zero and no rounding of it, else error.  The
 * caller keeps |p| * 10^max(pd, 0) and q * 10^max(-pd, 0) below 2^126. */
void ap__audit_judge(int64_t printed, int pd, ap__i128 p, ap__i128 q,
                     ap__judgement *out);

#endif
