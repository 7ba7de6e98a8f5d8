/* The audit of one stated total against its items (audit.h): do the
 * printed figures add up, within what their printed rounding allows, and
 * when they do not, which single slip would explain the difference.
 *
 * All arithmetic is on integers.  The figures are brought to a common
 * scale S (the most decimals among them, or the paper's precision);
 * corrections that move the point left (0.85 -> 0.085) can need up to 3
 * more decimals, so candidates are weighed at the fine scale F = S + 3 in
 * 128 bits, where every value fits (|value| < 2^63 x 10^18 < 2^127).
 *
 * A correction "fits" when the difference it leaves is within the
 * rounding allowance (half the sum of the printed figures' resolutions),
 * and is "exact" when it leaves none.  The search visits each figure once
 * and tries a bounded number of corrections on it (at most 171 digit
 * swaps, 6 shifts of the point, 3 item slips), so a finding costs O(n). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/audit.h"
#include "base/base.h"
#include "base/text.h"

/* How many more decimals than S a corrected figure may have: the point
 * moved by up to three places. */
#define SHIFT_MAX 3
/* Digits of the largest int64 magnitude. */
#define MAX_DIGITS 19
/* Possibilities listed in a suggestion before "and N more". */
#define LIST_MAX 4

/* ---- names ------------------------------------------------------------- */

ap_audit_options ap_audit_defaults(void)
{
    ap_audit_options o;
    o.decimals = -1;
    o.stated_exact = 0;
    o.labels = NULL;
    o.stated_label = NULL;
    o.suffix = NULL;
    o.items_exact = 0;
    return o;
}

const char *ap_audit_status_name(ap_audit_status status)
{
    switch (status) {
    case AP_AUDIT_OK:
        return "ok";
    case AP_AUDIT_ROUNDING:
        return "rounding";
    case AP_AUDIT_ERROR:
        return "error";
    }
    return "unknown";
}

AP__NAMES(ap_audit_cause, ap_audit_cause_name, cause_names,
          AP_AUDIT_CAUSE_COUNT, AP_AUDIT_CAUSE_MAP, AP__NAME_TEXT, "unknown")

void ap_audit_finding_clear(ap_audit_finding *finding)
{
    if (finding == NULL)
        return;
    for (size_t i = 0; i < finding->n_candidates; i++)
        free(finding->candidates[i].label);
    free(finding->candidates);
    free(finding->item_label);
    free(finding->suggestion);
    memset(finding, 0, sizeof *finding);
}

/* ---- 128-bit helpers ----------------------------------------------------- */

/* 10^k for 0 <= k <= 19 (a figure has at most 19 digits, and scales
 * reach at most AP_FIGURE_MAX_DECIMALS + SHIFT_MAX = 18). */
static ap__i128 pow10_128(int k)
{
    static const uint64_t p[20] = {1ull,
                                   10ull,
                                   100ull,
                                   1000ull,
                                   10000ull,
                                   100000ull,
                                   1000000ull,
                                   10000000ull,
                                   100000000ull,
                                   1000000000ull,
                                   10000000000ull,
                                   100000000000ull,
                                   1000000000000ull,
                                   10000000000000ull,
                                   100000000000000ull,
                                   1000000000000000ull,
                                   10000000000000000ull,
                                   100000000000000000ull,
                                   1000000000000000000ull,
                                   10000000000000000000ull};
    return (ap__i128)p[k];
}

static ap__i128 abs128(ap__i128 v)
{
    return v < 0 ? -v : v;
}

/* Quotients rounded down and up; b > 0. */
static ap__i128 floor_div(ap__i128 a, ap__i128 b)
{
    ap__i128 q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static ap__i128 ceil_div(ap__i128 a, ap__i128 b)
{
    ap__i128 q = a / b;
    return (a % b != 0 && a > 0) ? q + 1 : q;
}

/* ---- the search ----------------------------------------------------------- */

/* A correction found while searching; labels are added only to the best. */
typedef struct found {
    ap_audit_cause cause;
    size_t item;
    ap_figure corrected;
    int exact;
} found;

typedef struct search {
    int F;               /* the fine scale */
    ap__i128 diff;       /* stated - computed at F */
    ap__i128 allowance2; /* twice the rounding allowance at F: the sum of
                            the resolutions */
    found *v;
    size_t n, cap;
    int have_exact;      /* once an exact fit is known, inexact ones are
                            not kept: they can no longer be the best */
    int nomem;
    /* For transpositions: the changes of magnitude that fit, for figures
     * of each number of decimals and each direction of effect, worked out
     * once (128-bit divisions are dear) and clamped to int64, which holds
     * every change a swap can make (under 9 x 10^18). */
    struct reach {
        int ready, none;
        int64_t lo, hi;
    } reach[AP_FIGURE_MAX_DECIMALS + 1][2];
} search;

static ap__i128 at_fine(const search *s, int64_t value, int decimals)
{
    return (ap__i128)value * pow10_128(s->F - decimals);
}

/* Records a correction of `item` to `corrected` that leaves `remaining`
 * (at F), if it fits.  The corrections of one figure are recorded
 * together, so a duplicate can only be among the last few. */
static void consider(search *s, ap_audit_cause cause, size_t item,
                     ap_figure corrected, ap__i128 remaining)
{
    if (2 * abs128(remaining) > s->allowance2)
        return;
    int exact = remaining == 0;
    if (!exact && s->have_exact)
        return;
    if (exact && !s->have_exact) {
        s->have_exact = 1;
        s->n = 0;
    }
    for (size_t k = s->n; k > 0 && s->v[k - 1].item == item; k--) {
        const found *f = &s->v[k - 1];
        if (f->cause == cause && f->corrected.value == corrected.value &&
            f->corrected.decimals == corrected.decimals)
            return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        found *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL) {
            s->nomem = 1;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].cause = cause;
    s->v[s->n].item = item;
    s->v[s->n].corrected = corrected;
    s->v[s->n].exact = exact;
    s->n++;
}

/* What is left of the difference when a figure changes by change (at F):
 * an item enters the sum with its sign, the stated total with its own. */
static ap__i128 remaining_after(const search *s, int effect, ap__i128 change)
{
    return s->diff + (effect > 0 ? change : -change);
}

/* Transposition: every swap of two different digits of the figure as
 * printed (at its own decimals, with the one zero before the point that
 * "0.85" prints).  A swap of the digits x (at 10^a) and y (at 10^b) moves
 * the magnitude by (y - x)(10^a - 10^b), a multiple of 9: a figure whose
 * needed change has no multiple of 9 in reach is passed over before any
 * digit is looked at.  A swap that would put a zero first in a number of
 * two or more digits before the point is no transposition (nobody prints
 * "0,251") and is not tried.  effect is +1 when raising the figure raises
 * the difference (the stated total), -1 when it lowers it (an item with
 * sign +1), and so on. */
static void try_transpositions(search *s, size_t item, ap_figure fig,
                               int effect)
{
    if (fig.value == 0)
        return;
    int vsign = fig.value < 0 ? -1 : 1;
    uint64_t mag = fig.value < 0 ? (uint64_t)0 - (uint64_t)fig.value
                                 : (uint64_t)fig.value;
    ap__i128 unit = pow10_128(s->F - fig.decimals);
    int g = effect * vsign;
    struct reach *r = &s->reach[fig.decimals][g > 0];
    if (!r->ready) {
        /* The magnitude changes m that leave 2|diff + g*m*unit| <=
         * allowance2, as a range [lo, hi]. */
        ap__i128 lo = ceil_div(-s->allowance2 - 2 * s->diff, 2 * unit);
        ap__i128 hi = floor_div(s->allowance2 - 2 * s->diff, 2 * unit);
        if (g < 0) {
            ap__i128 t = lo;
            lo = -hi;
            hi = -t;
        }
        ap__i128 q_lo = ceil_div(lo, 9), q_hi = floor_div(hi, 9);
        r->none = q_lo > q_hi || (q_lo == 0 && q_hi == 0);
        r->lo = lo < -(ap__i128)INT64_MAX ? -INT64_MAX
                : lo > (ap__i128)INT64_MAX ? INT64_MAX
                                           : (int64_t)lo;
        r->hi = hi < -(ap__i128)INT64_MAX ? -INT64_MAX
                : hi > (ap__i128)INT64_MAX ? INT64_MAX
                                           : (int64_t)hi;
        r->ready = 1;
    }
    if (r->none)
        return;

    int dig[MAX_DIGITS + 1];
    int len = 0;
    for (uint64_t m = mag; m > 0; m /= 10)
        dig[len++] = (int)(m % 10);
    while (len < fig.decimals + 1)
        dig[len++] = 0;
    /* Every swap of len digits changes the magnitude by less than 10^len. */
    if (len < MAX_DIGITS &&
        (r->lo >= (int64_t)pow10_128(len) || r->hi <= -(int64_t)pow10_128(len)))
        return;
    int leading_zero_banned = len - fig.decimals >= 2;
    for (int a = len - 1; a > 0; a--) {
        int64_t pa = (int64_t)pow10_128(a);
        for (int b = a - 1; b >= 0; b--) {
            int x = dig[a], y = dig[b];
            if (x == y)
                continue;
            int64_t m = (int64_t)(y - x) * (pa - (int64_t)pow10_128(b));
            if (m < r->lo || m > r->hi)
                continue;
            if (leading_zero_banned && a == len - 1 && y == 0)
                continue;
            ap__i128 swapped = (ap__i128)mag + m;
            if (swapped > (ap__i128)INT64_MAX)
                continue;
            ap_figure c = {(int64_t)swapped * vsign, fig.decimals};
            consider(s, AP_CAUSE_TRANSPOSITION, item, c,
                     remaining_after(s, effect, (ap__i128)m * vsign * unit));
        }
    }
}

/* Decimal shift: the point 1, 2 or 3 places out.  Moving it left keeps
 * the digits and adds decimals (0.85 -> 0.085 is 85 at 3); moving it right
 * takes decimals away and, past the last, multiplies (0.85 -> 85 -> 850).
 * A correction with more than AP_FIGURE_MAX_DECIMALS decimals, or too
 * large for int64, is not a candidate. */
static void try_decimal_shifts(search *s, size_t item, ap_figure fig,
                               int effect)
{
    if (fig.value == 0)
        return;
    ap__i128 was = at_fine(s, fig.value, fig.decimals);
    for (int k = 1; k <= SHIFT_MAX; k++) {
        ap_figure up = fig;
        if (k <= fig.decimals) {
            up.decimals = fig.decimals - k;
        } else {
            ap__i128 v = (ap__i128)fig.value * pow10_128(k - fig.decimals);
            up.decimals = 0;
            up.value = ap__fits_i64(v) ? (int64_t)v : 0;
        }
        if (up.value != 0)
            consider(s, AP_CAUSE_DECIMAL_SHIFT, item, up,
                     remaining_after(
                         s, effect, at_fine(s, up.value, up.decimals) - was));
        ap_figure down = {fig.value, fig.decimals + k};
        if (down.decimals <= AP_FIGURE_MAX_DECIMALS)
            consider(s, AP_CAUSE_DECIMAL_SHIFT, item, down,
                     remaining_after(s, effect,
                                     at_fine(s, down.value, down.decimals) -
                                         was));
    }
}

/* Slips of a whole item: counted twice in the total (it holds sign*item
 * once too often), left out of it (once too few), or taken with the wrong
 * sign (twice the wrong way).  As audit.h says, a duplicated or omitted
 * item's candidate carries the item itself (the fix is to the total: the
 * item is what it must add or take away); a sign error's carries the item
 * with its sign turned, the figure that makes the sum agree. */
static void try_item_slips(search *s, size_t item, ap_figure fig, int sign)
{
    if (fig.value == 0)
        return;
    ap__i128 v = sign * at_fine(s, fig.value, fig.decimals);
    consider(s, AP_CAUSE_DUPLICATED_ITEM, item, fig, s->diff - v);
    consider(s, AP_CAUSE_OMITTED_ITEM, item, fig, s->diff + v);
    if (fig.value != INT64_MIN) {
        ap_figure turned = {-fig.value, fig.decimals};
        consider(s, AP_CAUSE_SIGN_ERROR, item, turned, s->diff + 2 * v);
    }
}

/* The stated total printed with the wrong sign (a variance table in the
 * other convention): turning it leaves diff - 2 * stated. */
static void try_total_sign(search *s, ap_figure fig)
{
    if (fig.value == 0 || fig.value == INT64_MIN)
        return;
    ap_figure turned = {-fig.value, fig.decimals};
    consider(s, AP_CAUSE_SIGN_ERROR, AP_AUDIT_TOTAL, turned,
             s->diff - 2 * at_fine(s, fig.value, fig.decimals));
}

/* ---- text -------------------------------------------------------------- */

/* A figure as printed, with the options' suffix. */
static void put_figure(struct ap_text *t, int64_t value, int decimals,
                       const char *suffix)
{
    char buf[48];
    ap_figure_format(value, decimals, buf, sizeof buf);
    ap__text_append(t, "%s%s", buf, suffix ? suffix : "");
}

typedef struct context {
    const ap_figure *items;
    const int *signs;
    size_t n;
    const ap_figure *stated;
    const ap_audit_options *o;
} context;

/* The label of an item or the stated total; "item 3" is written into
 * buf (32 bytes) when the caller gave none. */
static const char *label_of(const context *c, size_t item, char *buf)
{
    if (item == AP_AUDIT_TOTAL)
        return c->o->stated_label ? c->o->stated_label : "the stated total";
    if (c->o->labels != NULL && c->o->labels[item] != NULL)
        return c->o->labels[item];
    snprintf(buf, 32, "item %zu", item + 1);
    return buf;
}

/* The same, to open a sentence: the default names capitalised, the
 * caller's labels as given. */
static const char *subject_of(const context *c, size_t item, char *buf)
{
    if (item == AP_AUDIT_TOTAL && c->o->stated_label == NULL)
        return "The stated total";
    const char *label = label_of(c, item, buf);
    if (label == buf)
        buf[0] = 'I';
    return label;
}

static ap_figure figure_of(const context *c, size_t item)
{
    return item == AP_AUDIT_TOTAL ? *c->stated : c->items[item];
}

/* A cause in a list of possibilities. */
static const char *cause_short(ap_audit_cause cause)
{
    switch (cause) {
    case AP_CAUSE_TRANSPOSITION:
        return "a transposition";
    case AP_CAUSE_DECIMAL_SHIFT:
        return "a decimal shift";
    default:
        break;
    }
    return NULL;
}

/* A cause as the end of a sentence that names it. */
static const char *cause_phrase(ap_audit_cause cause)
{
    switch (cause) {
    case AP_CAUSE_TRANSPOSITION:
        return "a transposition (two digits swapped)";
    case AP_CAUSE_DECIMAL_SHIFT:
        return "a decimal shift (the point in the wrong place)";
    case AP_CAUSE_DUPLICATED_ITEM:
        return "a duplicated item";
    case AP_CAUSE_OMITTED_ITEM:
        return "an omitted item";
    case AP_CAUSE_SIGN_ERROR:
        return "a sign error";
    default:
        return "an unexplained difference";
    }
}

/* One possibility, for a list of them: "b, printed as 0.85, should be
 * 0.085" or "c (200) counted twice in the total". */
static void put_possibility(struct ap_text *t, const context *c, const found *f)
{
    char buf[32];
    const char *suffix = c->o->suffix;
    ap_figure was = figure_of(c, f->item);
    ap__text_append(t, "%s", label_of(c, f->item, buf));
    switch (f->cause) {
    case AP_CAUSE_TRANSPOSITION:
    case AP_CAUSE_DECIMAL_SHIFT:
        ap__text_append(t, ", printed as ");
        put_figure(t, was.value, was.decimals, suffix);
        ap__text_append(t, ", should be ");
        put_figure(t, f->corrected.value, f->corrected.decimals, suffix);
        break;
    default:
        ap__text_append(t, " (");
        put_figure(t, was.value, was.decimals, suffix);
        ap__text_append(t, ") %s",
            f->cause == AP_CAUSE_DUPLICATED_ITEM ? "counted twice in the total"
            : f->cause == AP_CAUSE_OMITTED_ITEM  ? "left out of the total"
                                                 : "taken with the wrong sign");
        break;
    }
}

/* "either A, or B (and 3 more)" for the best candidates. */
static void put_either(struct ap_text *t, const context *c, const found *best,
                       size_t n, int with_causes)
{
    size_t shown = n > LIST_MAX ? LIST_MAX : n;
    ap__text_append(t, "either ");
    for (size_t k = 0; k < shown; k++) {
        if (k > 0)
            ap__text_append(t, ", or ");
        put_possibility(t, c, &best[k]);
        if (with_causes) {
            const char *brief = cause_short(best[k].cause);
            ap__text_append(t, " (%s)", brief ? brief : cause_phrase(best[k].cause));
        }
    }
    if (n > shown)
        ap__text_append(t, " (or one of %zu more like them)", n - shown);
}

/* The second sentence when the evidence points at one figure: best[0..n)
 * all name the same cause and figure (several only when several
 * corrections of it fit equally well). */
static void put_single(struct ap_text *t, const context *c, const found *best,
                       size_t n)
{
    char buf[32], sbuf[32];
    const char *suffix = c->o->suffix;
    const found *f = &best[0];
    ap_figure was = figure_of(c, f->item);
    const char *name = label_of(c, f->item, buf);
    const char *within = f->exact ? "" : " within rounding";
    switch (f->cause) {
    case AP_CAUSE_TRANSPOSITION:
    case AP_CAUSE_DECIMAL_SHIFT:
        ap__text_append(t, "%s is printed as ", subject_of(c, f->item, sbuf));
        put_figure(t, was.value, was.decimals, suffix);
        ap__text_append(t, "; %s", n > 1 ? "either " : "");
        for (size_t k = 0; k < n; k++) {
            if (k > 0)
                ap__text_append(t, k + 1 == n ? " or " : ", ");
            put_figure(t, best[k].corrected.value, best[k].corrected.decimals,
                       suffix);
        }
        ap__text_append(t, " would %s%s: %s.",
            f->item == AP_AUDIT_TOTAL ? "agree with the items"
                                      : "make the total agree",
            within, cause_phrase(f->cause));
        return;
    case AP_CAUSE_DUPLICATED_ITEM:
    case AP_CAUSE_OMITTED_ITEM:
    case AP_CAUSE_SIGN_ERROR: {
        char tbuf[32];
        if (f->cause == AP_CAUSE_SIGN_ERROR && f->item == AP_AUDIT_TOTAL) {
            ap__text_append(t, "%s is printed as ", subject_of(c, AP_AUDIT_TOTAL, tbuf));
            put_figure(t, was.value, was.decimals, suffix);
            ap__text_append(t, "; ");
            put_figure(t, f->corrected.value, f->corrected.decimals, suffix);
            ap__text_append(t, " would agree with the items%s: %s.", within,
                cause_phrase(f->cause));
            return;
        }
        if (f->cause == AP_CAUSE_SIGN_ERROR)
            ap__text_append(t, "The difference is %stwice %s (", f->exact ? "exactly " : "",
                name);
        else
            ap__text_append(t, "%s differs from the items by %s%s (",
                subject_of(c, AP_AUDIT_TOTAL, tbuf), f->exact ? "exactly " : "",
                name);
        put_figure(t, was.value, was.decimals, suffix);
        ap__text_append(t, ")%s, as if ", within);
        if (f->cause == AP_CAUSE_DUPLICATED_ITEM)
            ap__text_append(t, "it counted %s twice", name);
        else if (f->cause == AP_CAUSE_OMITTED_ITEM)
            ap__text_append(t, "it left %s out", name);
        else
            ap__text_append(t, "%s took %s with the wrong sign",
                label_of(c, AP_AUDIT_TOTAL, tbuf), name);
        ap__text_append(t, ": %s.", cause_phrase(f->cause));
        return;
    }
    default:
        return;
    }
}

/* The suggestion for a finding whose status, figures and best candidates
 * are known.  It names a figure only when the evidence singles it out. */
static char *suggestion_for(const context *c, const ap_audit_finding *f,
                            const found *best, size_t n_best)
{
    struct ap_text t = {0};
    const char *suffix = c->o->suffix;
    if (f->status == AP_AUDIT_OK) {
        ap__text_append(&t, "The items sum to the stated total.");
        return ap__text_take(&t);
    }
    ap__text_append(&t, "The items sum to ");
    put_figure(&t, f->computed, f->scale, suffix);
    ap__text_append(&t, ", not the stated ");
    put_figure(&t, c->stated->value, c->stated->decimals, suffix);
    ap__text_append(&t, " (difference ");
    put_figure(&t, f->difference, f->scale, suffix);
    ap__text_append(&t, ")");
    if (f->status == AP_AUDIT_ROUNDING && f->cause == AP_CAUSE_TRUNCATION) {
        ap__text_append(&t, ", more than the rounding of the printed figures "
                "allows (up to ");
        put_figure(&t, f->tolerance, f->scale, suffix);
        ap__text_append(&t, " either way) but what printing them cut toward "
                "zero rather than rounded leaves: truncation.");
        return ap__text_take(&t);
    }
    if (f->status == AP_AUDIT_ROUNDING) {
        ap__text_append(&t, ", which is within the rounding of the printed figures (up "
                "to ");
        put_figure(&t, f->tolerance, f->scale, suffix);
        ap__text_append(&t, " either way).");
        return ap__text_take(&t);
    }
    ap__text_append(&t, ". ");
    if (n_best == 0) {
        ap__text_append(&t, "No single transposition, decimal shift, duplicated, "
                "omitted or sign-reversed item explains it.");
    } else if (f->item != AP_AUDIT_NO_ITEM) {
        put_single(&t, c, best, n_best);
    } else if (f->cause != AP_CAUSE_UNEXPLAINED) {
        const char *phrase = cause_phrase(f->cause);
        ap__text_append(&t, "%c%s would explain it in more than one figure: ",
            phrase[0] - 'a' + 'A', phrase + 1);
        put_either(&t, c, best, n_best, 0);
        ap__text_append(&t, "; the figures alone cannot tell which.");
    } else {
        ap__text_append(&t, "More than one explanation fits equally well: ");
        put_either(&t, c, best, n_best, 1);
        ap__text_append(&t, "; the figures alone cannot tell which.");
    }
    return ap__text_take(&t);
}

/* ---- the audit ------------------------------------------------------------- */

static ap_status check_inputs(const context *c, ap_audit_finding *out,
                              ap_error *err)
{
    char buf[32];
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot audit a sum: nowhere to put the finding");
    if (c->n == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot audit a sum of no items: give at least "
                            "one item");
    if (c->items == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot audit a sum: the %zu items are missing",
                            c->n);
    if (c->stated == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot audit a sum: the stated total is "
                            "missing");
    if (c->o->decimals < -1 || c->o->decimals > AP_FIGURE_MAX_DECIMALS)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot audit a sum: decimals %d is not -1 (each "
                            "figure's own) or 0..%d",
                            c->o->decimals, AP_FIGURE_MAX_DECIMALS);
    for (size_t i = 0; i < c->n; i++) {
        if (c->items[i].decimals < 0 ||
            c->items[i].decimals > AP_FIGURE_MAX_DECIMALS)
            return ap_error_set(err, AP_E_INPUT,
                                "%s: %d decimals is outside 0..%d",
                                label_of(c, i, buf), c->items[i].decimals,
                                AP_FIGURE_MAX_DECIMALS);
        if (c->signs != NULL && c->signs[i] != 1 && c->signs[i] != -1)
            return ap_error_set(err, AP_E_INPUT,
                                "%s: sign %d is not +1 or -1",
                                label_of(c, i, buf), c->signs[i]);
    }
    if (c->stated->decimals < 0 ||
        c->stated->decimals > AP_FIGURE_MAX_DECIMALS)
        return ap_error_set(err, AP_E_INPUT, "%s: %d decimals is outside 0..%d",
                            label_of(c, AP_AUDIT_TOTAL, buf),
                            c->stated->decimals, AP_FIGURE_MAX_DECIMALS);
    return AP_OK;
}

/* The figure at scale S, or an overflow error naming it. */
static ap_status to_scale(const context *c, size_t item, ap_figure fig,
                          int scale, int64_t *out, ap_error *err)
{
    ap__i128 v = (ap__i128)fig.value * pow10_128(scale - fig.decimals);
    if (!ap__fits_i64(v)) {
        char buf[32], shown[48];
        ap_figure_format(fig.value, fig.decimals, shown, sizeof shown);
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%s: %s is too large for a 64-bit integer at %d "
                            "decimals, the common scale of the figures",
                            label_of(c, item, buf), shown, scale);
    }
    *out = (int64_t)v;
    return AP_OK;
}

/* computed = sum of sign * value at S.  The sum is taken in 128 bits;
 * when it does not fit int64, the item at which a running 64-bit sum
 * first leaves the range is named. */
static ap_status sum_items(const context *c, int scale, int64_t *computed,
                           ap__i128 *res2_items, ap_error *err)
{
    ap__i128 sum = 0, res2 = 0;
    for (size_t i = 0; i < c->n; i++) {
        int64_t v = 0;
        ap_status st = to_scale(c, i, c->items[i], scale, &v, err);
        if (st != AP_OK)
            return st;
        sum += (ap__i128)(c->signs ? c->signs[i] : 1) * v;
        int rd = c->o->decimals >= 0 ? c->o->decimals : c->items[i].decimals;
        if (!c->o->items_exact)
            res2 += pow10_128(scale + SHIFT_MAX - rd);
    }
    if (!ap__fits_i64(sum)) {
        ap__i128 run = 0;
        size_t at = c->n - 1;
        for (size_t i = 0; i < c->n; i++) {
            run += (ap__i128)(c->signs ? c->signs[i] : 1) *
                   ((ap__i128)c->items[i].value *
                    pow10_128(scale - c->items[i].decimals));
            if (!ap__fits_i64(run)) {
                at = i;
                break;
            }
        }
        char buf[32];
        return ap_error_set(err, AP_E_OVERFLOW,
                            "the sum of the items overflows a 64-bit integer "
                            "at %d decimals when %s is added",
                            scale, label_of(c, at, buf));
    }
    *computed = (int64_t)sum;
    *res2_items = res2;
    return AP_OK;
}

/* Whether cutting, not rounding, explains the difference: each item
 * printed toward zero, up to a whole unit of its last digit short of its
 * true value (a positive item's true value in [v, v + r), a negative
 * one's in (v - r, v]), and the stated total rounded or cut likewise (or
 * exact).  A nil ("-", "£0m") is a nil, taken as rounded and never as cut:
 * papers print nothing as a nil, and a figure cut to nothing could hide a
 * whole unit of its last digit (the £0.765m a "£0m" balance would
 * otherwise excuse in the NCT contract sum's Block 2).  The difference stated - computed is then
 * sum(sign * e_i) - (true total - stated), whose range is summed end by
 * end; an end is open when any part of it is.  Worked at the fine scale
 * with every bound doubled, so the total's half unit is whole. */
static int truncation_fits(const context *c, int scale, ap__i128 diff)
{
    int F = scale + SHIFT_MAX;
    ap__i128 lo = 0, hi = 0; /* doubled */
    int lo_open = 0, hi_open = 0;
    for (size_t i = 0; !c->o->items_exact && i < c->n; i++) {
        int rd = c->o->decimals >= 0 ? c->o->decimals : c->items[i].decimals;
        ap__i128 r2 = 2 * pow10_128(F - rd);
        int sign = c->signs ? c->signs[i] : 1;
        int64_t v = c->items[i].value;
        /* The item's error e in [elo, ehi], both ends open or not. */
        ap__i128 elo = v < 0 ? -r2 : 0, ehi = v > 0 ? r2 : 0;
        int elo_open = v < 0, ehi_open = v > 0;
        if (v == 0) {
            elo = -r2 / 2;
            ehi = r2 / 2;
        }
        if (sign < 0) {
            ap__i128 t = elo;
            int to = elo_open;
            elo = -ehi;
            ehi = -t;
            elo_open = ehi_open;
            ehi_open = to;
        }
        lo += elo;
        hi += ehi;
        lo_open |= elo_open;
        hi_open |= ehi_open;
    }
    if (!c->o->stated_exact) {
        int rd = c->o->decimals >= 0 ? c->o->decimals : c->stated->decimals;
        ap__i128 r2 = 2 * pow10_128(F - rd);
        int64_t v = c->stated->value;
        /* true total - stated: rounded [-r/2, r/2], cut toward zero
         * [0, r) above zero, (-r, 0] below, (-r, r) at nil; the union,
         * then negated. */
        ap__i128 tlo = v < 0 ? -r2 : -r2 / 2, thi = v > 0 ? r2 : r2 / 2;
        int tlo_open = v < 0, thi_open = v > 0;
        lo -= thi;
        hi -= tlo;
        lo_open |= thi_open;
        hi_open |= tlo_open;
    }
    ap__i128 d2 = 2 * diff * pow10_128(SHIFT_MAX);
    int above = lo_open ? d2 > lo : d2 >= lo;
    int below = hi_open ? d2 < hi : d2 <= hi;
    return above && below;
}

/* Fills the finding's cause, item and candidates from the best fits. */
static ap_status settle(const context *c, ap_audit_finding *f,
                        const found *best, size_t n_best)
{
    f->cause = AP_CAUSE_UNEXPLAINED;
    f->item = AP_AUDIT_NO_ITEM;
    if (n_best > 0) {
        int one_cause = 1, one_figure = 1;
        for (size_t k = 1; k < n_best; k++) {
            one_cause = one_cause && best[k].cause == best[0].cause;
            one_figure = one_figure && best[k].item == best[0].item;
        }
        if (one_cause) {
            f->cause = best[0].cause;
            if (one_figure)
                f->item = best[0].item;
        }
        f->candidates = calloc(n_best, sizeof *f->candidates);
        if (f->candidates == NULL)
            return AP_E_NOMEM;
        for (size_t k = 0; k < n_best; k++) {
            char buf[32];
            ap_audit_candidate *cand = &f->candidates[k];
            cand->cause = best[k].cause;
            cand->item = best[k].item;
            cand->corrected = best[k].corrected;
            cand->exact = best[k].exact;
            cand->label = ap__strdup(label_of(c, best[k].item, buf));
            f->n_candidates = k + 1; /* so that clear frees what is made */
            if (cand->label == NULL)
                return AP_E_NOMEM;
        }
    }
    if (f->item != AP_AUDIT_NO_ITEM) {
        char buf[32];
        f->item_label = ap__strdup(label_of(c, f->item, buf));
        if (f->item_label == NULL)
            return AP_E_NOMEM;
    }
    return AP_OK;
}

ap_status ap_audit_sum(const ap_figure *items, const int *signs, size_t n,
                       const ap_figure *stated,
                       const ap_audit_options *options, ap_audit_finding *out,
                       ap_error *err)
{
    ap_audit_options defaults = ap_audit_defaults();
    context c = {items, signs, n, stated, options ? options : &defaults};
    if (out != NULL)
        memset(out, 0, sizeof *out);
    ap_status st = check_inputs(&c, out, err);
    if (st != AP_OK)
        return st;

    /* The common scale: the finest figure, or the paper's precision. */
    int scale = c.o->decimals;
    if (stated->decimals > scale)
        scale = stated->decimals;
    for (size_t i = 0; i < n; i++)
        if (items[i].decimals > scale)
            scale = items[i].decimals;

    ap_audit_finding f;
    memset(&f, 0, sizeof f);
    f.scale = scale;
    f.item = AP_AUDIT_NO_ITEM;
    ap__i128 res2 = 0;
    st = to_scale(&c, AP_AUDIT_TOTAL, *stated, scale, &f.stated, err);
    if (st == AP_OK)
        st = sum_items(&c, scale, &f.computed, &res2, err);
    if (st != AP_OK)
        return st;
    ap__i128 diff = (ap__i128)f.stated - f.computed;
    if (!ap__fits_i64(diff)) {
        char buf[32];
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%s: its difference from the sum of the items is "
                            "too large for a 64-bit integer at %d decimals",
                            label_of(&c, AP_AUDIT_TOTAL, buf), scale);
    }
    f.difference = (int64_t)diff;
    if (!c.o->stated_exact) {
        int rd = c.o->decimals >= 0 ? c.o->decimals : stated->decimals;
        res2 += pow10_128(scale + SHIFT_MAX - rd);
    }
    /* res2 is the sum of the resolutions at F, a multiple of 10^3. */
    ap__i128 tol = res2 / pow10_128(SHIFT_MAX) / 2;
    f.tolerance = ap__fits_i64(tol) ? (int64_t)tol : INT64_MAX;

    search s;
    memset(&s, 0, sizeof s);
    if (diff == 0) {
        f.status = AP_AUDIT_OK;
        f.cause = AP_CAUSE_NONE;
    } else if (abs128(diff) <= tol) {
        f.status = AP_AUDIT_ROUNDING;
        f.cause = AP_CAUSE_ROUNDING;
    } else if (truncation_fits(&c, scale, diff)) {
        f.status = AP_AUDIT_ROUNDING;
        f.cause = AP_CAUSE_TRUNCATION;
    } else {
        f.status = AP_AUDIT_ERROR;
        s.F = scale + SHIFT_MAX;
        s.diff = diff * pow10_128(SHIFT_MAX);
        s.allowance2 = res2;
        for (size_t i = 0; i < n && !s.nomem; i++) {
            int sign = signs ? signs[i] : 1;
            /* Raising an item by d lowers the difference by sign * d. */
            try_transpositions(&s, i, items[i], -sign);
            try_decimal_shifts(&s, i, items[i], -sign);
            try_item_slips(&s, i, items[i], sign);
        }
        if (!s.nomem) {
            try_transpositions(&s, AP_AUDIT_TOTAL, *stated, 1);
            try_decimal_shifts(&s, AP_AUDIT_TOTAL, *stated, 1);
            try_total_sign(&s, *stated);
        }
        if (!s.nomem && settle(&c, &f, s.v, s.n) != AP_OK)
            s.nomem = 1;
    }
    if (!s.nomem) {
        f.suggestion = suggestion_for(&c, &f, s.v, s.n);
        s.nomem = f.suggestion == NULL;
    }
    free(s.v);
    if (s.nomem) {
        ap_audit_finding_clear(&f);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory auditing a sum of %zu items", n);
    }
    *out = f;
    return AP_OK;
}
