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
