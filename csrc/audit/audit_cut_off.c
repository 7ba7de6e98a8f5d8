/* Cut-off stated figures (audit_cut_off.h).  A cell the page cuts off
 * ("£52,91…") is never completed: the audit asks only whether the
 * computed figure is one the legible prefix allows.  The prefix allows a
 * run of ranges, one per count of digits cut off (audit.h,
 * ap_printed_figure); `offset` shifts them all (the other figures of a
 * sum). */
#include <stdio.h>
#include <string.h>

#include "audit/audit_cut_off.h"
#include "base/base.h"

void ap__style_figure(const ap__figure_style *style, int64_t v, char *buf,
                      size_t size)
{
    char digits[64];
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    /* ap_figure_format takes int64: the one magnitude it cannot hold
     * (2^63) is written from its own digits. */
    if (m > (uint64_t)INT64_MAX)
        ap_figure_format(INT64_MIN, style->scale, digits, sizeof digits);
    else
        ap_figure_format((int64_t)m, style->scale, digits, sizeof digits);
    snprintf(buf, size, "%s%s%s%s", v < 0 ? "-" : "", style->prefix,
             digits[0] == '-' ? digits + 1 : digits, style->suffix);
}

int ap__cut_off_range(const ap_printed_figure *f, int64_t offset, int k,
                      int64_t *lo, int64_t *hi)
{
    ap__i128 step;
    if (f->decimals >= 0) {
        if (k > 0 || f->decimals > 18 ||
            f->unit_pence % ap__pow10(f->decimals) != 0)
            return 0;
        step = f->unit_pence / ap__pow10(f->decimals);
    } else {
        int more = f->min_more, seen = 0;
        for (;; more++) {
            if (more > 18)
                return 0;
            if ((f->more_mask >> (more % 3)) & 1u) {
                if (seen == k)
                    break;
                seen++;
            }
        }
        step = (ap__i128)ap__pow10(more) * f->unit_pence;
    }
    if (step > (ap__i128)INT64_MAX)
        return 0; /* and digits * step below stays within 128 bits */
    ap__i128 low = (ap__i128)f->digits * step;
    ap__i128 high = low + step - 1;
    if (f->negative) {
        ap__i128 t = -low;
        low = -high;
        high = t;
    }
    low += offset;
    high += offset;
    if (!ap__fits_i64(low) || !ap__fits_i64(high))
        return 0;
    *lo = (int64_t)low;
    *hi = (int64_t)high;
    return 1;
}

/* The value the cell can be that is nearest `computed` (computed itself
 * when the prefix allows it). */
static int64_t cut_off_nearest(const ap_printed_figure *f, int64_t offset,
                               int64_t computed)
{
    int64_t best = 0, lo, hi;
    ap__i128 gap = -1;
    for (int k = 0; ap__cut_off_range(f, offset, k, &lo, &hi); k++) {
        if (computed >= lo && computed <= hi)
            return computed;
        int64_t edge = computed < lo ? lo : hi;
        ap__i128 d = (ap__i128)edge - computed;
        if (d < 0)
            d = -d;
        if (gap < 0 || d < gap) {
            gap = d;
            best = edge;
        }
    }
    return best;
}

/* "£52,910.00 to £52,919.99 (or, were more digits cut off,
 * £52,910,000.00 to £52,919,999.99, and so on)". */
static void ranges_text(const ap_printed_figure *f, int64_t offset,
                        const ap__figure_style *style, struct ap_text *t)
{
    int64_t lo, hi;
    char a[64], b[64];
    for (int k = 0; k < 2 && ap__cut_off_range(f, offset, k, &lo, &hi);
         k++) {
        ap__style_figure(style, lo, a, sizeof a);
        ap__style_figure(style, hi, b, sizeof b);
        ap__text_append(t, "%s%s to %s",
                        k ? " (or, were more digits cut off, " : "", a, b);
    }
    if (ap__cut_off_range(f, offset, 1, &lo, &hi))
        ap__text_append(t, "%s)",
                        ap__cut_off_range(f, offset, 2, &lo, &hi)
                            ? ", and so on"
                            : "");
}

void ap__cut_off_prefix(const ap_printed_figure *f, char *buf, size_t size)
{
    const char *text = f->text ? f->text : "";
    size_t n = strlen(text);
    size_t mark = n >= 3 ? 3 : 0; /* "…" and "..." are both 3 bytes */
    int keep = ap__utf8_prefix(text, n - mark, size > 0 ? size - 1 : 0);
    snprintf(buf, size, "%.*s", keep, text);
}

ap_status ap__cut_off_finding(const ap_printed_figure *f, int64_t offset,
                              int is_sum, int64_t computed,
                              int64_t tolerance,
                              const ap__figure_style *style, const char *what,
                              const char *against, const char *check,
                              ap_audit_finding *out, ap_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t nearest = cut_off_nearest(f, offset, computed);
    ap__i128 diff = (ap__i128)nearest - computed;
    if (!ap__fits_i64(diff))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "%s: the difference is too large for a 64-bit "
                            "integer",
                            check);
    ap__i128 gap = diff < 0 ? -diff : diff;
    ap_audit_finding x;
    memset(&x, 0, sizeof x);
    x.status = diff == 0             ? AP_AUDIT_OK
               : gap <= tolerance    ? AP_AUDIT_ROUNDING
                                     : AP_AUDIT_ERROR;
    x.cause = x.status == AP_AUDIT_OK         ? AP_CAUSE_NONE
              : x.status == AP_AUDIT_ROUNDING ? AP_CAUSE_ROUNDING
                                              : AP_CAUSE_UNEXPLAINED;
    x.item = AP_AUDIT_NO_ITEM;
    x.scale = style->scale;
    x.stated = nearest;
    x.computed = computed;
    x.difference = (int64_t)diff;
    x.tolerance = tolerance;
    char prefix[128], comp[64], near[64], apart[64];
    ap__cut_off_prefix(f, prefix, sizeof prefix);
    ap__style_figure(style, computed, comp, sizeof comp);
    struct ap_text t = {0};
    ap__text_append(&t, "%s: %s is cut off after \"%s\", so %s ", check,
                    what, prefix, is_sum ? "they can sum to" : "it can be");
    ranges_text(f, offset, style, &t);
    if (x.status == AP_AUDIT_OK) {
        ap__text_append(&t, "; %s %s is consistent with %s.", against,
                        comp, is_sum ? "that" : "it");
    } else {
        ap__style_figure(style, nearest, near, sizeof near);
        ap__style_figure(style, x.difference < 0 ? -x.difference
                                                 : x.difference,
                         apart, sizeof apart);
        ap__text_append(&t, "; %s %s is not%s: the nearest %s can be is "
                        "%s, %s %s.",
                        against, comp,
                        x.status == AP_AUDIT_ROUNDING
                            ? ", though within the rounding of the "
                              "figures it is made of"
                            : "",
                        is_sum ? "the sum" : "it", near, apart,
                        x.difference > 0 ? "more" : "less");
    }
    x.suggestion = ap__text_take(&t);
    if (x.suggestion == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    *out = x;
    return AP_OK;
}

ap_status ap__unchecked_finding(const char *check, const char *why,
                                ap_audit_finding *out, ap_error *err)
{
    memset(out, 0, sizeof *out);
    out->status = AP_AUDIT_OK;
    out->cause = AP_CAUSE_ILLEGIBLE;
    out->item = AP_AUDIT_NO_ITEM;
    struct ap_text t = {0};
    ap__text_append(&t, "%s: cannot be checked: %s.", check, why);
    out->suggestion = ap__text_take(&t);
    if (out->suggestion == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    return AP_OK;
}
