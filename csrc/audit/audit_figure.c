/* One printed figure against the exact value it stands for (audit.h):
 * the rounding conventions.  Councils round half up, round half to even,
 * or cut their figures toward zero, and print money in pounds, £k, £m or
 * £bn; a figure is right when it is the value correctly rounded at the
 * precision it is printed to, and cut when it is the value truncated there
 * but not its rounding.
 *
 * All arithmetic is on 128-bit integers: the value is a fraction p/q in
 * the finding's unit (pounds, or the rate's), and the printed figure is D
 * units of 10^-pd of that unit (pd may be negative: "£407k" is 407 at
 * pd = -3).  The value in printed units is then p * 10^pd / q; every
 * operand stays below 10^36 < 2^127. */
#include <stdio.h>
#include <string.h>

#include "apportion/audit.h"
#include "base/base.h"
#include "audit/audit_figure.h"
#include "base/text.h"

/* Decimals below the printed precision at which a value with no exact
 * decimal form (29/37) is shown. */
#define EXTRA_DECIMALS 3
/* The longest figure text read. */
#define TEXT_MAX 120

static ap__i128 pow10_i128(int k)
{
    ap__i128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

static ap__i128 abs_i128(ap__i128 v)
{
    return v < 0 ? -v : v;
}

/* What a figure's unit is: its prefix, suffix and the power of ten of one
 * printed unit at 0 decimals in the finding's unit (£k: 3 in pounds). */
typedef struct judged {
    const char *prefix; /* "£" or "" */
    const char *suffix; /* "%" or "" */
    ap_figure printed;  /* D at its decimals */
    int pd;             /* decimals in the finding's unit: may be < 0 */
    ap__i128 p, q;      /* the value, p / q in the finding's unit; q > 0 */
    char text[TEXT_MAX + 1]; /* the figure as printed, trimmed */
} judged;

/* A multiplier word or letter at the end of a money figure: "k", "m",
 * "bn", "million", ...; returns its power of ten (0 when none) and cuts it
 * from buf. */
static int cut_multiplier(char *buf)
{
    static const struct {
        const char *word;
        int power;
    } words[] = {{"billion", 9}, {"million", 6}, {"thousand", 3},
                 {"bn", 9},      {"m", 6},       {"k", 3}};
    size_t n = strlen(buf);
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t k = strlen(words[w].word);
        if (n <= k)
            continue;
        int same = 1;
        for (size_t i = 0; i < k && same; i++) {
            char c = buf[n - k + i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            same = c == words[w].word[i];
        }
        /* The word must follow a digit or a blank ("£1.2m", "£2 million"). */
        char before = buf[n - k - 1];
        if (same && ((before >= '0' && before <= '9') || before == ' ')) {
            size_t end = n - k;
            buf[end] = '\0';
            while (end > 0 && buf[end - 1] == ' ')
                buf[--end] = '\0';
            return words[w].power;
        }
    }
    return 0;
}

/* Copies the text, trimmed of blanks, into j->text. */
static ap_status take_text(judged *j, const char *stated, size_t len,
                           ap_error *err)
{
    if (stated == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check a figure: no stated figure");
    if (len == (size_t)-1)
        len = strlen(stated);
    while (len > 0 && (*stated == ' ' || *stated == '\t'))
        stated++, len--;
    while (len > 0 && (stated[len - 1] == ' ' || stated[len - 1] == '\t'))
        len--;
    if (len > TEXT_MAX)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the stated figure \"%.*s...\": "
                            "longer than %d characters",
                            ap__utf8_prefix(stated, len, 60), stated,
                            TEXT_MAX);
    memcpy(j->text, stated, len);
    j->text[len] = '\0';
    return AP_OK;
}

/* v at decimals as the figure's unit prints it: "-£1,200.50", "78.4%". */
static void show(const judged *j, ap__i128 v, int decimals, char *buf,
                 size_t size)
{
    char digits[64];
    /* Callers pass values that fit int64 (checked, or within one printed
     * unit of one that was). */
    int64_t v64 = (int64_t)v;
    ap_figure_format(v64 < 0 ? -v64 : v64, decimals, digits, sizeof digits);
    snprintf(buf, size, "%s%s%s%s", v64 < 0 ? "-" : "", j->prefix, digits,
             j->suffix);
}

void ap__audit_judge(int64_t printed, int pd, ap__i128 p, ap__i128 q,
                     ap__judgement *out)
{
    ap__i128 a = p, b = q;
    if (pd >= 0)
        a *= pow10_i128(pd);
    else
        b *= pow10_i128(-pd);
    ap__i128 trunc = a / b, rem = a % b;
    int away_sign = a < 0 ? -1 : 1;
    ap__i128 twice = 2 * abs_i128(rem);
    ap__i128 half_up = twice >= b ? trunc + away_sign : trunc;
    ap__i128 half_even = twice > b ? trunc + away_sign
                         : twice < b ? trunc
                         : (trunc % 2 == 0 ? trunc : trunc + away_sign);
    ap__i128 d = printed;
    out->rounded = half_up;
    out->cut = trunc;
    if (d == half_up || d == half_even) {
        out->status = AP_AUDIT_OK;
        out->cause = rem == 0 ? AP_CAUSE_NONE : AP_CAUSE_ROUNDING;
    } else if (d == trunc) {
        out->status = AP_AUDIT_ROUNDING;
        out->cause = AP_CAUSE_TRUNCATION;
    } else {
        out->status = AP_AUDIT_ERROR;
        out->cause = AP_CAUSE_UNEXPLAINED;
    }
}

/* The judgement of D against x = a / b (b > 0) in printed units, and the
 * finding's figures; the finding's suggestion is written by the caller. */
static ap_status judge(const judged *j, ap_audit_finding *f, ap_error *err)
{
    ap__judgement jg;
    ap__audit_judge(j->printed.value, j->pd, j->p, j->q, &jg);
    ap__i128 half_up = jg.rounded, trunc = jg.cut;

    /* The scale: the value exactly when it has few enough decimals,
     * never coarser than pence for money nor than one place below the
     * printed digit (so that half a printed unit is whole). */
    if (j->pd >= AP_FIGURE_MAX_DECIMALS)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check \"%s\": it is printed to %d "
                            "decimals of its unit, and at most %d can be "
                            "checked",
                            j->text, j->pd, AP_FIGURE_MAX_DECIMALS - 1);
    int base = j->pd + 1;
    if (j->prefix[0] != '\0' && base < 2)
        base = 2;
    if (base < 0)
        base = 0;
    int scale = -1;
    for (int k = base; k <= AP_FIGURE_MAX_DECIMALS; k++)
        if ((j->p * pow10_i128(k)) % j->q == 0) {
            scale = k;
            break;
        }
    int exact = scale >= 0;
    int rounded_scale = base + EXTRA_DECIMALS;
    if (rounded_scale > AP_FIGURE_MAX_DECIMALS)
        rounded_scale = AP_FIGURE_MAX_DECIMALS;
    if (rounded_scale < base)
        rounded_scale = base;
    if (!exact)
        scale = rounded_scale;
    ap__i128 stated = (ap__i128)j->printed.value * pow10_i128(scale - j->pd);
    ap__i128 computed =
        ap__div_round(j->p * pow10_i128(scale), j->q, AP_ROUND_HALF_EVEN);
    ap__i128 diff = stated - computed;
    if (exact && scale > rounded_scale &&
        (!ap__fits_i64(stated) || !ap__fits_i64(computed) ||
         !ap__fits_i64(diff))) {
        /* The value is exact only at many decimals, where a figure far from
         * it (9,224 against 2/65,536) does not fit: show it rounded a few
         * places below the printed digit instead, as a value with no exact
         * decimal form is.  The judgement above is unaffected. */
        exact = 0;
        scale = rounded_scale;
        stated = (ap__i128)j->printed.value * pow10_i128(scale - j->pd);
        computed = ap__div_round(j->p * pow10_i128(scale), j->q,
                                 AP_ROUND_HALF_EVEN);
        diff = stated - computed;
    }
    if (!ap__fits_i64(stated) || !ap__fits_i64(computed) ||
        !ap__fits_i64(diff))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "the stated figure \"%s\" or its value is too "
                            "large for a 64-bit integer at %d decimals",
                            j->text, scale);
    f->scale = scale;
    f->stated = (int64_t)stated;
    f->computed = (int64_t)computed;
    f->difference = (int64_t)diff;
    f->tolerance = (int64_t)(pow10_i128(scale - j->pd) / 2);
    f->item = AP_AUDIT_NO_ITEM;
    f->status = jg.status;
    f->cause = jg.cause;
    if (f->status != AP_AUDIT_OK)
        f->item = AP_AUDIT_TOTAL;
    if (f->item == AP_AUDIT_TOTAL) {
        f->item_label = ap__strdup("the stated figure");
        if (f->item_label == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }

    /* The suggestion names the figures in the figure's own unit. */
    struct ap_text t = {0};
    char value[80], unit[80], rounded[80], cut[80], apart[80];
    show(j, computed, scale, value, sizeof value);
    if (j->pd >= 0)
        show(j, 1, j->pd, unit, sizeof unit);
    else
        show(j, pow10_i128(-j->pd), 0, unit, sizeof unit);
    int shown = j->pd > 0 ? j->pd : 0;
    ap__i128 step = j->pd >= 0 ? 1 : pow10_i128(-j->pd);
    show(j, half_up * step, shown, rounded, sizeof rounded);
    show(j, trunc * step, shown, cut, sizeof cut);
    show(j, diff, scale, apart, sizeof apart);
    const char *about = exact ? "" : "about ";
    if (f->status == AP_AUDIT_OK && f->cause == AP_CAUSE_NONE)
        ap__text_append(&t, "%s is the value exactly.", j->text);
    else if (f->status == AP_AUDIT_OK)
        ap__text_append(&t, "%s is %s%s rounded to the nearest %s.", j->text,
                        about, value, unit);
    else if (f->status == AP_AUDIT_ROUNDING)
        ap__text_append(&t,
                        "%s is %s%s cut toward zero to the nearest %s "
                        "(truncation); rounded it would be %s.",
                        j->text, about, value, unit, rounded);
    else
        ap__text_append(&t,
                        "%s is not %s%s rounded or cut to the nearest %s: "
                        "rounded it is %s, cut %s (difference %s).",
                        j->text, about, value, unit, rounded, cut, apart);
    f->suggestion = ap__text_take(&t);
    if (f->suggestion == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    return AP_OK;
}

/* Runs judge into *out, clearing on an error. */
static ap_status finish(const judged *j, ap_audit_finding *out, ap_error *err)
{
    ap_audit_finding f;
    memset(&f, 0, sizeof f);
    ap_status st = judge(j, &f, err);
    if (st != AP_OK) {
        ap_audit_finding_clear(&f);
        return st;
    }
    *out = f;
    return AP_OK;
}

/* What both checks do first: refuse a NULL out (naming `what` is
 * checked), empty *out and j, and take the stated text into j. */
static ap_status begin(judged *j, const char *what, const char *stated,
                       size_t len, ap_audit_finding *out, ap_error *err)
{
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check %s: nowhere to put the finding",
                            what);
    memset(out, 0, sizeof *out);
    memset(j, 0, sizeof *j);
    return take_text(j, stated, len, err);
}

ap_status ap_audit_figure(const char *stated, size_t len, int64_t value_num,
                          int64_t value_den, ap_audit_finding *out,
                          ap_error *err)
{
    judged j;
    ap_status st = begin(&j, "a figure", stated, len, out, err);
    if (st != AP_OK)
        return st;
    if (value_den <= 0)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check \"%s\": the value's denominator "
                            "is %lld, not a positive number of pence",
                            j.text, (long long)value_den);
    if (strchr(j.text, '%') != NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check \"%s\" as money: it is a "
                            "percentage (check it as a rate)",
                            j.text);
    char buf[TEXT_MAX + 1];
    memcpy(buf, j.text, sizeof buf);
    /* "(£3.5m)": the multiplier sits inside the brackets. */
    size_t n = strlen(buf);
    int closing = n > 0 && buf[n - 1] == ')';
    if (closing)
        buf[n - 1] = '\0';
    int power = cut_multiplier(buf);
    if (closing)
        strcat(buf, ")");
    ap_error inner;
    if (ap_figure_parse(buf, (size_t)-1, &j.printed, &inner) != AP_OK)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the stated figure \"%s\": expected "
                            "money such as £52,914, £407k, £1.2m or "
                            "(£3.5m) (%s)",
                            j.text, inner.message);
    j.prefix = "£";
    j.suffix = "";
    j.pd = j.printed.decimals - power;
    j.p = value_num;
    j.q = (ap__i128)value_den * 100;
    return finish(&j, out, err);
}

ap_status ap_audit_rate(int64_t numerator, int64_t denominator,
                        const char *stated, size_t len,
                        ap_audit_finding *out, ap_error *err)
{
    judged j;
    ap_status st = begin(&j, "a rate", stated, len, out, err);
    if (st != AP_OK)
        return st;
    if (denominator == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check the rate \"%s\" of %lld out of 0: "
                            "the denominator is zero",
                            j.text, (long long)numerator);
    if (strstr(j.text, "\xc2\xa3") != NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot check \"%s\" as a rate: it is money "
                            "(check it as a figure)",
                            j.text);
    ap_error inner;
    if (ap_figure_parse(j.text, (size_t)-1, &j.printed, &inner) != AP_OK)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the stated rate \"%s\": expected a "
                            "percentage such as 78.4%% or a rate such as "
                            "0.784 (%s)",
                            j.text, inner.message);
    int percent = strchr(j.text, '%') != NULL;
    j.prefix = "";
    j.suffix = percent ? "%" : "";
    j.pd = j.printed.decimals;
    j.p = (ap__i128)numerator * (percent ? 100 : 1);
    j.q = denominator;
    if (j.q < 0) {
        j.p = -j.p;
        j.q = -j.q;
    }
    return finish(&j, out, err);
}
