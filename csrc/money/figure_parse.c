/* Printed figures as committee papers print them, kept exactly: the digits
 * as an integer and how many of them follow the point (audit.h).  Unlike
 * ap_money_parse this knows no units: an audit compares figures in the
 * table's own unit, and "0.85" must stay 85 at 2 decimals so that the
 * audit knows how finely it was printed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apportion/audit.h"
#include "base/base.h"

/* Quoted in messages: at most this many bytes of the text. */
#define QUOTE_MAX 60

#define EXPECTED                                                             \
    "expected a figure such as 1,070, (3,540), -0.85, £1,070, 44.16%% or a " \
    "lone - for nil"

typedef struct scan {
    const char *text; /* the whole text, for quoting */
    size_t len;
    size_t pos, end;  /* the part being read, blanks trimmed */
} scan;

static int at(const scan *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->end - s->pos >= n && memcmp(s->text + s->pos, lit, n) == 0;
}

static int take(scan *s, const char *lit)
{
    if (!at(s, lit))
        return 0;
    s->pos += strlen(lit);
    return 1;
}

/* Bytes of the blank at p (0 if none): ASCII blanks, and the no-break
 * spaces (U+00A0, U+202F) that text copied from a PDF often has. */
static size_t blank_at(const char *t, size_t p, size_t end)
{
    unsigned char c = (unsigned char)t[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f')
        return 1;
    if (end - p >= 2 && c == 0xC2 && (unsigned char)t[p + 1] == 0xA0)
        return 2;
    if (end - p >= 3 && c == 0xE2 && (unsigned char)t[p + 1] == 0x80 &&
        (unsigned char)t[p + 2] == 0xAF)
        return 3;
    return 0;
}

/* The same, for a blank that ends just before p. */
static size_t blank_before(const char *t, size_t start, size_t p)
{
    unsigned char c = (unsigned char)t[p - 1];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f')
        return 1;
    if (p - start >= 2 && c == 0xA0 && (unsigned char)t[p - 2] == 0xC2)
        return 2;
    if (p - start >= 3 && c == 0xAF && (unsigned char)t[p - 2] == 0x80 &&
        (unsigned char)t[p - 3] == 0xE2)
        return 3;
    return 0;
}

static void skip_blanks(scan *s)
{
    size_t b;
    while (s->pos < s->end && (b = blank_at(s->text, s->pos, s->end)) > 0)
        s->pos += b;
}

/* 1-based character (not byte) position of byte offset pos. */
static size_t char_position(const char *text, size_t pos)
{
    size_t chars = 0;
    for (size_t i = 0; i < pos; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

/* An AP_E_INPUT error quoting the text and naming what is wrong where. */
static ap_status fail(const scan *s, ap_error *err, const char *what)
{
    int shown = ap__utf8_prefix(s->text, s->len, QUOTE_MAX);
    const char *more = (size_t)shown < s->len ? "..." : "";
    if (s->pos >= s->end)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s%s\": %s at the "
                            "end; " EXPECTED,
                            shown, s->text, more, what);
    unsigned char c = (unsigned char)s->text[s->pos];
    int width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if ((size_t)width > s->end - s->pos)
        width = (int)(s->end - s->pos);
    return ap_error_set(err, AP_E_INPUT,
                        "cannot read the figure \"%.*s%s\": %s at character "
                        "%zu ('%.*s'); " EXPECTED,
                        shown, s->text, more, what,
                        char_position(s->text, s->pos), width,
                        s->text + s->pos);
}

/* A sign: -1 for "-" or U+2212, +1 for "+", 0 for none. */
static int take_sign(scan *s)
{
    if (take(s, "-") || take(s, "\xe2\x88\x92"))
        return -1;
    if (take(s, "+"))
        return 1;
    return 0;
}

static int at_sign(const scan *s)
{
    return at(s, "-") || at(s, "\xe2\x88\x92") || at(s, "+");
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
    if (len == (size_t)-1)
        len = strlen(text);
    scan s = {text, len, 0, len};
    skip_blanks(&s);
    size_t b;
    while (s.end > s.pos && (b = blank_before(text, s.pos, s.end)) > 0)
        s.end -= b;
    if (s.pos == s.end)
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s\": it is %s; "
                            EXPECTED,
                            ap__utf8_prefix(text, len, QUOTE_MAX), text,
                            len == 0 ? "empty" : "blank");

    /* A lone dash is a nil: "-", en dash, em dash. */
    size_t rest = s.end - s.pos;
    if ((rest == 1 && at(&s, "-")) ||
        (rest == 3 && (at(&s, "\xe2\x80\x93") || at(&s, "\xe2\x80\x94")))) {
        out->value = 0;
        out->decimals = 0;
        return AP_OK;
    }

    /* ( sign £ blanks sign digits[.digits] % ) %  -- at most one sign,
     * no sign inside brackets, and not both £ and %. */
    int bracketed = take(&s, "(");
    int sign = 0;
    if (at_sign(&s) && bracketed)
        return fail(&s, err, "a sign inside brackets");
    sign = take_sign(&s);
    if (at(&s, "("))
        return fail(&s, err,
                    sign ? "a bracket after a sign" : "a second bracket");
    int pound = take(&s, "\xc2\xa3");
    if (pound) {
        skip_blanks(&s);
        if (at_sign(&s)) {
            if (bracketed)
                return fail(&s, err, "a sign inside brackets");
            if (sign != 0)
                return fail(&s, err, "a second sign");
            sign = take_sign(&s);
        }
    }
    if (at_sign(&s))
        return fail(&s, err, "a second sign");
    if (at(&s, "\xe2\x80\x93") || at(&s, "\xe2\x80\x94"))
        return fail(&s, err,
                    "a dash used as a sign (only -, + and the minus sign "
                    "\xe2\x88\x92 are signs)");

    /* The digits: comma groups of three before the point, if any. */
    uint64_t mag = 0;
    int int_digits = 0, decimals = 0, group = 0, grouped = 0;
    int point = 0, too_large = 0;
    for (; s.pos < s.end; s.pos++) {
        char c = text[s.pos];
        if (c >= '0' && c <= '9') {
            unsigned d = (unsigned)(c - '0');
            if (mag > (UINT64_MAX - d) / 10)
                too_large = 1;
            else
                mag = mag * 10 + d;
            if (point) {
                decimals++;
                if (decimals > AP_FIGURE_MAX_DECIMALS) {
                    char what[64];
                    snprintf(what, sizeof what,
                             "more than %d digits after the point",
                             AP_FIGURE_MAX_DECIMALS);
                    return fail(&s, err, what);
                }
            } else {
                int_digits++;
                group++;
                if (grouped && group > 3)
                    return fail(&s, err,
                                "a group of more than three digits after a "
                                "comma");
            }
        } else if (c == ',' && !point) {
            if (group == 0)
                return fail(&s, err, "a comma without digits before it");
            if (!grouped && group > 3)
                return fail(&s, err,
                            "a comma after more than three digits (comma "
                            "groups must be threes)");
            if (grouped && group != 3)
                return fail(&s, err,
                            "a comma after fewer than three digits (comma "
                            "groups must be threes)");
            grouped = 1;
            group = 0;
        } else if (c == '.' && !point) {
            if (int_digits == 0)
                return fail(&s, err, "a point without a digit before it");
            if (grouped && group != 3)
                return fail(&s, err,
                            "a group of fewer than three digits before the "
                            "point");
            point = 1;
        } else {
            break;
        }
    }
    if (int_digits == 0)
        return fail(&s, err, "expected a digit");
    if (s.pos < s.end && text[s.pos] != '%' && text[s.pos] != ')')
        return fail(&s, err, "unexpected text");
    if (grouped && !point && group != 3) {
        /* Point at the short group's end for the message. */
        return fail(&s, err,
                    "a group of fewer than three digits after a comma");
    }
    if (point && decimals == 0)
        return fail(&s, err, "a point without a digit after it");

    int percent = take(&s, "%");
    if (bracketed && !take(&s, ")"))
        return fail(&s, err, "expected a closing bracket");
    if (!percent)
        percent = take(&s, "%");
    if (s.pos != s.end)
        return fail(&s, err, "unexpected text");
    if (percent && pound)
        return fail(&s, err, "both £ and %");

    int negative = bracketed || sign < 0;
    if (too_large || mag > (uint64_t)INT64_MAX) {
        int shown = ap__utf8_prefix(text, len, QUOTE_MAX);
        return ap_error_set(err, AP_E_INPUT,
                            "cannot read the figure \"%.*s%s\": it has more "
                            "digits than a 64-bit integer holds; expected at "
                            "most 9,223,372,036,854,775,807 ignoring the "
                            "point",
                            shown, text, (size_t)shown < len ? "..." : "");
    }
    out->value = negative ? -(int64_t)mag : (int64_t)mag;
    out->decimals = decimals;
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
