/* Printed figures as committee papers print them, kept exactly: the digits
 * as an integer and how many of them follow the point (audit.h).  Unlike
 * ap_money_parse this knows no units: an audit compares figures in the
 * table's own unit, and "0.85" must stay 85 at 2 decimals so that the
 * audit knows how finely it was printed.  A grammar over the number lexer
 * (number_lexer.h), as money and decimals are. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apportion/audit.h"
#include "base/base.h"
#include "money/number_lexer.h"

/* Quoted in messages: at most this many bytes of the text. */
#define QUOTE_MAX 60

#define EXPECTED                                                             \
    "expected a figure such as 1,070, (3,540), -0.85, £1,070, 44.16%% or a " \
    "lone - for nil"

/* An AP_E_INPUT error quoting the text and naming what is wrong where. */
static ap_status fail(const ap__lexer *lx, size_t pos, ap_error *err,
                      const char *what)
{
    ap__lex_spot at = ap__lex_spot_at(lx, pos, lx->len, QUOTE_MAX);
    if (at.at_end)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s%s\": %s at the "
                            "end; " EXPECTED,
                            at.shown, lx->text, at.more, what);
    return ap_error_set(err, AP_E_INPUT,
                        "cannot read the figure \"%.*s%s\": %s at character "
                        "%zu ('%.*s'); " EXPECTED,
                        at.shown, lx->text, at.more, what, at.character,
                        at.width, at.at);
}

/* What is wrong with digits the lexer found at fault, in a figure's
 * words. */
static const char *grouping_fault(ap__number_fault fault)
{
    switch (fault) {
    case AP__NUMBER_COMMA_FIRST:
        return "a comma without digits before it";
    case AP__NUMBER_COMMA_LONG:
        return "a comma after more than three digits (comma groups must be "
               "threes)";
    case AP__NUMBER_COMMA_SHORT:
        return "a comma after fewer than three digits (comma groups must be "
               "threes)";
    case AP__NUMBER_GROUP_LONG:
        return "a group of more than three digits after a comma";
    case AP__NUMBER_POINT_SHORT:
        return "a group of fewer than three digits before the point";
    default:
        return "a group of fewer than three digits after a comma";
    }
}

ap_status ap_figure_parse(const char *text, size_t len, ap_figure *out,
                          ap_error *err)
{
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a figure: no text; " EXPECTED);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a figure: nowhere to put it");
    ap__lexer lx;
    ap__lex_init(&lx, text, len, AP__BLANKS_PRINTED);
    if (ap__lex_done(&lx))
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s\": it is %s; "
                            EXPECTED,
                            ap__utf8_prefix(text, lx.len, QUOTE_MAX), text,
                            lx.len == 0 ? "empty" : "blank");

    /* A lone dash is a nil: "-", en dash, em dash. */
    if (ap__lex_is_nil(&lx)) {
        out->value = 0;
        out->decimals = 0;
        return AP_OK;
    }

    /* ( sign £ blanks sign digits[.digits] % ) %  -- at most one sign,
     * no sign inside brackets, and not both £ and %. */
    int bracketed = ap__lex_take(&lx, "(");
    if (bracketed && ap__lex_at_sign(&lx, AP__SIGNS_PRINTED))
        return fail(&lx, lx.pos, err, "a sign inside brackets");
    int sign = ap__lex_sign(&lx, AP__SIGNS_PRINTED);
    if (ap__lex_at(&lx, "("))
        return fail(&lx, lx.pos, err,
                    sign ? "a bracket after a sign" : "a second bracket");
    int pound = ap__lex_pound(&lx);
    if (pound && ap__lex_at_sign(&lx, AP__SIGNS_PRINTED)) {
        if (bracketed)
            return fail(&lx, lx.pos, err, "a sign inside brackets");
        if (sign != 0)
            return fail(&lx, lx.pos, err, "a second sign");
        sign = ap__lex_sign(&lx, AP__SIGNS_PRINTED);
    }
    if (ap__lex_at_sign(&lx, AP__SIGNS_PRINTED))
        return fail(&lx, lx.pos, err, "a second sign");
    if (ap__lex_at_dash(&lx))
        return fail(&lx, lx.pos, err,
                    "a dash used as a sign (only -, + and the minus sign "
                    "\xe2\x88\x92 are signs)");

    /* The digits, in the order a reader meets their faults. */
    ap__number n;
    ap__lex_number(&lx, &n);
    if (ap__number_fault_inside(&n))
        return fail(&lx, n.fault_at, err, grouping_fault(n.fault));
    if (n.point != AP__LEX_NONE && n.int_digits == 0)
        return fail(&lx, n.point, err, "a point without a digit before it");
    if (n.frac_digits > AP_FIGURE_MAX_DECIMALS) {
        char what[64];
        snprintf(what, sizeof what, "more than %d digits after the point",
                 AP_FIGURE_MAX_DECIMALS);
        return fail(&lx, n.point + 1 + AP_FIGURE_MAX_DECIMALS, err, what);
    }
    if (n.int_digits == 0)
        return fail(&lx, lx.pos, err, "expected a digit");
    if (!ap__lex_done(&lx) && !ap__lex_at(&lx, "%") && !ap__lex_at(&lx, ")"))
        return fail(&lx, lx.pos, err, "unexpected text");
    if (n.fault == AP__NUMBER_END_SHORT)
        return fail(&lx, lx.pos, err, grouping_fault(n.fault));
    if (n.point != AP__LEX_NONE && n.frac_digits == 0)
        return fail(&lx, lx.pos, err, "a point without a digit after it");

    int percent = ap__lex_take(&lx, "%");
    if (bracketed && !ap__lex_take(&lx, ")"))
        return fail(&lx, lx.pos, err, "expected a closing bracket");
    if (!percent)
        percent = ap__lex_take(&lx, "%");
    if (!ap__lex_done(&lx))
        return fail(&lx, lx.pos, err, "unexpected text");
    if (percent && pound)
        return fail(&lx, lx.pos, err, "both £ and %");

    int negative = bracketed || sign < 0;
    if (n.dropped_at != AP__LEX_NONE || n.mantissa > (ap__u128)INT64_MAX) {
        int shown = ap__utf8_prefix(text, lx.len, QUOTE_MAX);
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s%s\": it has more "
                            "digits than a 64-bit integer holds; expected at "
                            "most 9,223,372,036,854,775,807 ignoring the "
                            "point",
                            shown, text, (size_t)shown < lx.len ? "..." : "");
    }
    int64_t mag = (int64_t)n.mantissa;
    out->value = negative ? -mag : mag;
    out->decimals = (int)n.frac_digits;
    return AP_OK;
}

/* Appends c to buf if there is room, always counting it. */
static void put(char *buf, size_t size, size_t *n, char c)
{
    if (*n + 1 < size)
        buf[*n] = c;
    (*n)++;
}

void ap_figure_format(int64_t value, int decimals, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    /* Figures have at most AP_FIGURE_MAX_DECIMALS; anything beyond what
     * the digit buffer below holds is not a figure's and is cut. */
    if (decimals < 0)
        decimals = 0;
    if (decimals > 40)
        decimals = 40;
    /* The digits of |value|, least significant first, padded with zeros
     * so that one digit precedes the point. */
    char digits[64];
    int nd = 0;
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[nd++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    int width = decimals + 1 > nd ? decimals + 1 : nd;
    for (; nd < width; nd++)
        digits[nd] = '0';
    int int_digits = nd - decimals;
    if (int_digits < 1)
        int_digits = 1;
    size_t n = 0;
    if (value < 0)
        put(buf, size, &n, '-');
    for (int i = nd - 1; i >= 0; i--) {
        int place = i - (nd - int_digits); /* digits left of the point: >= 0 */
        put(buf, size, &n, digits[i]);
        if (place > 0 && place % 3 == 0)
            put(buf, size, &n, ',');
        if (place == 0 && i > 0)
            put(buf, size, &n, '.');
    }
    buf[n < size ? n : size - 1] = '\0';
}

/* ---- figures only partly legible ------------------------------------------
 * One reader for every stated figure a page cuts off: plans, audited
 * tables and the papers' own figures. */

/* The text a figure's cell is cut off with, at its end: "…" or "...";
 * returns its length in bytes (both are 3), 0 when none. */
static size_t cut_off_mark(const char *t, size_t n)
{
    if (n >= 3 && memcmp(t + n - 3, "\xe2\x80\xa6", 3) == 0)
        return 3;
    if (n >= 3 && memcmp(t + n - 3, "...", 3) == 0)
        return 3;
    return 0;
}

/* Reads the legible prefix t[0..n) of a cut-off figure, "£52,91", into
 * what it allows (audit.h, ap_printed_figure).  Comma grouping is what
 * limits the digits cut off: after "52,91" at least one more digit must
 * follow to complete the group.  `whole` (whole_len bytes) is the text as
 * written, for messages. */
static ap_status read_prefix(const char *t, size_t n, const char *whole,
                             size_t whole_len, int max_decimals,
                             int64_t unit, ap_printed_figure *f,
                             ap_error *err)
{
    int shown = ap__utf8_prefix(whole, whole_len, QUOTE_MAX);
    const char *more = (size_t)shown < whole_len ? "..." : "";
    size_t i = 0;
    while (i < n && t[i] == ' ')
        i++;
    if (i < n && (t[i] == '-' || t[i] == '(')) {
        f->negative = 1;
        i++;
    }
    if (i + 1 < n && (unsigned char)t[i] == 0xc2 &&
        (unsigned char)t[i + 1] == 0xa3)
        i += 2;
    int64_t digits = 0;
    int n_digits = 0, group = 0, commas = 0, decimals = -1;
    for (; i < n; i++) {
        char c = t[i];
        if (c >= '0' && c <= '9') {
            if (digits > (INT64_MAX - 9) / 10)
                return ap_error_set(err, AP_E_INPUT,
                                    "too many digits in \"%.*s%s\"", shown,
                                    whole, more);
            digits = digits * 10 + (c - '0');
            n_digits++;
            if (decimals >= 0)
                decimals++;
            else
                group++;
        } else if (c == ',' && decimals < 0 && group > 0 &&
                   (commas == 0 ? group <= 3 : group == 3)) {
            commas++;
            group = 0;
        } else if (c == '.' && decimals < 0 && group > 0 &&
                   (commas == 0 || group == 3)) {
            decimals = 0;
        } else {
            return ap_error_set(err, AP_E_INPUT,
                                "expected the legible part of a figure "
                                "(such as \"\xc2\xa3" "52,91\xe2\x80\xa6\"), "
                                "found \"%.*s%s\"",
                                shown, whole, more);
        }
    }
    if (n_digits == 0 || (commas > 0 && decimals < 0 && group == 0))
        return ap_error_set(err, AP_E_INPUT,
                            "a cut-off figure needs at least one legible "
                            "digit before its mark, found \"%.*s%s\"",
                            shown, whole, more);
    f->digits = digits;
    f->decimals = decimals;
    f->unit_pence = unit;
    if (decimals > max_decimals)
        return ap_error_set(err, AP_E_INPUT,
                            "\"%.*s%s\" has more decimals than %s (%d)",
                            shown, whole, more,
                            max_decimals == 2 ? "pence" : "can be checked",
                            max_decimals);
    f->min_more = 0;
    f->more_mask = 0;
    /* The prefix's own digits must fit in int64 units, as money does. */
    ap__i128 least = (ap__i128)(digits + 1) * unit;
    if (decimals > 0)
        least /= (ap__i128)ap__pow10(decimals);
    if (least > (ap__i128)INT64_MAX)
        return ap_error_set(err, AP_E_OVERFLOW,
                            "\"%.*s%s\" is too large for a 64-bit integer "
                            "in %s",
                            shown, whole, more,
                            max_decimals == 2 ? "pence" : "its unit");
    if (decimals >= 0)
        return AP_OK;
    if (commas > 0) {
        /* The last group needs 3 digits; whole groups may follow. */
        f->min_more = 3 - group;
        f->more_mask = 1u << (f->min_more % 3);
    } else if (group > 3) {
        f->more_mask = 7; /* printed without grouping: any digits */
    } else {
        /* No comma yet: the first group (1-3 digits) must still hold all
         * `group` digits once `more` follow. */
        for (int m = 0; m < 3; m++)
            if ((group + m - 1) % 3 + 1 >= group)
                f->more_mask |= 1u << m;
    }
    return AP_OK;
}

ap_status ap_printed_parse(const char *text, size_t len, int max_decimals,
                           int64_t unit_pence, ap_printed_figure *out,
                           ap_error *err)
{
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a figure: nowhere to put it");
    memset(out, 0, sizeof *out);
    out->decimals = -1;
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a figure: no text; " EXPECTED);
    if (len == (size_t)-1)
        len = strlen(text);
    if (unit_pence < 1 || max_decimals < 0 || max_decimals > 18)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read a cut-off figure in units of %lld "
                            "at up to %d decimals",
                            (long long)unit_pence, max_decimals);
    if (len == 11 && memcmp(text, "not legible", 11) == 0) {
        out->legibility = AP_NOT_LEGIBLE;
        return AP_OK;
    }
    size_t mark = cut_off_mark(text, len);
    if (mark == 0) {
        out->legibility = AP_LEGIBLE;
        return AP_OK;
    }
    out->legibility = AP_CUT_OFF;
    return read_prefix(text, len - mark, text, len, max_decimals,
                       unit_pence, out, err);
}
