/* The number lexer (number_lexer.h): the only code in the core that looks
 * at the characters of a number, so that money, printed figures and
 * decimals read blanks, signs and comma groups by the same rules. */
#include "money/number_lexer.h"

#include <string.h>

#include "apportion/money.h"

#define POUND "\xc2\xa3"
#define MINUS_SIGN "\xe2\x88\x92" /* U+2212 */
#define EN_DASH "\xe2\x80\x93"
#define EM_DASH "\xe2\x80\x94"
#define NBSP "\xc2\xa0"           /* U+00A0 */
#define NARROW_NBSP "\xe2\x80\xaf" /* U+202F */

int ap__lex_done(const ap__lexer *lx)
{
    return lx->pos >= lx->end;
}

/* ---- blanks ---------------------------------------------------------- */

static unsigned ascii_blank_kind(unsigned char c)
{
    switch (c) {
    case ' ': case '\t': return AP__BLANK_SPACE;
    case '\n': case '\r': return AP__BLANK_LINE;
    case '\v': case '\f': return AP__BLANK_PAGE;
    default: return 0;
    }
}

/* Nonzero when text[from, to) is exactly lit. */
static int span_is(const char *text, size_t from, size_t to, const char *lit)
{
    size_t n = strlen(lit);
    return to - from == n && memcmp(text + from, lit, n) == 0;
}

/* Bytes of an allowed blank starting at p (0 if none), within [p, end). */
static size_t blank_at(const ap__lexer *lx, size_t p, unsigned kinds)
{
    if (ascii_blank_kind((unsigned char)lx->text[p]) & kinds)
        return 1;
    if (kinds & AP__BLANK_NOBREAK) {
        if (lx->end - p >= 2 && span_is(lx->text, p, p + 2, NBSP))
            return 2;
        if (lx->end - p >= 3 && span_is(lx->text, p, p + 3, NARROW_NBSP))
            return 3;
    }
    return 0;
}

/* The same for a blank ending just before p, within [pos, p). */
static size_t blank_before(const ap__lexer *lx, size_t p, unsigned kinds)
{
    if (ascii_blank_kind((unsigned char)lx->text[p - 1]) & kinds)
        return 1;
    if (kinds & AP__BLANK_NOBREAK) {
        if (p - lx->pos >= 2 && span_is(lx->text, p - 2, p, NBSP))
            return 2;
        if (p - lx->pos >= 3 && span_is(lx->text, p - 3, p, NARROW_NBSP))
            return 3;
    }
    return 0;
}

void ap__lex_skip_blanks(ap__lexer *lx, unsigned blanks)
{
    size_t b;
    while (lx->pos < lx->end && (b = blank_at(lx, lx->pos, blanks)) > 0)
        lx->pos += b;
}

void ap__lex_init(ap__lexer *lx, const char *text, size_t len,
                  unsigned blanks)
{
    lx->text = text;
    lx->len = len == (size_t)-1 ? strlen(text) : len;
    lx->pos = 0;
    lx->end = lx->len;
    ap__lex_skip_blanks(lx, blanks);
    size_t b;
    while (lx->end > lx->pos && (b = blank_before(lx, lx->end, blanks)) > 0)
        lx->end -= b;
}

/* ---- literals, signs, dashes, the pound ------------------------------- */

int ap__lex_at(const ap__lexer *lx, const char *lit)
{
    size_t n = strlen(lit);
    return lx->pos <= lx->end && lx->end - lx->pos >= n &&
           memcmp(lx->text + lx->pos, lit, n) == 0;
}

int ap__lex_take(ap__lexer *lx, const char *lit)
{
    if (!ap__lex_at(lx, lit))
        return 0;
    lx->pos += strlen(lit);
    return 1;
}

/* The sign at pos and its width in *width; 0 for none. */
static int sign_at(const ap__lexer *lx, unsigned forms, size_t *width)
{
    *width = 0;
    if ((forms & AP__SIGN_ASCII) && ap__lex_at(lx, "-"))
        return *width = 1, -1;
    if ((forms & AP__SIGN_ASCII) && ap__lex_at(lx, "+"))
        return *width = 1, 1;
    if ((forms & AP__SIGN_MINUS) && ap__lex_at(lx, MINUS_SIGN))
        return *width = 3, -1;
    return 0;
}

int ap__lex_at_sign(const ap__lexer *lx, unsigned forms)
{
    size_t width;
    return sign_at(lx, forms, &width);
}

int ap__lex_sign(ap__lexer *lx, unsigned forms)
{
    size_t width;
    int sign = sign_at(lx, forms, &width);
    lx->pos += width;
    return sign;
}

int ap__lex_at_dash(const ap__lexer *lx)
{
    return ap__lex_at(lx, EN_DASH) || ap__lex_at(lx, EM_DASH);
}

int ap__lex_is_nil(const ap__lexer *lx)
{
    return lx->pos < lx->end &&
           (span_is(lx->text, lx->pos, lx->end, "-") ||
            span_is(lx->text, lx->pos, lx->end, EN_DASH) ||
            span_is(lx->text, lx->pos, lx->end, EM_DASH));
}

int ap__lex_pound(ap__lexer *lx)
{
    if (!ap__lex_take(lx, POUND))
        return 0;
    ap__lex_skip_blanks(lx, AP__BLANKS_PRINTED);
    return 1;
}

/* ---- the digits --------------------------------------------------------- */

/* Past this the mantissa is beyond any 64-bit result, and it cannot
 * overflow 128 bits on the next digit. */
#define MANTISSA_CAP ((ap__u128)1 << 100)

static void take_digit(ap__number *n, size_t pos, unsigned digit)
{
    int fraction = n->point != AP__LEX_NONE;
    if (n->mantissa <= MANTISSA_CAP) {
        n->mantissa = n->mantissa * 10 + digit;
        n->frac_kept += (size_t)fraction;
        return;
    }
    if (n->dropped_at == AP__LEX_NONE)
        n->dropped_at = pos;
    if (digit != 0 || !fraction)
        n->dropped_significant = 1;
}

static void fault(ap__number *n, ap__number_fault what, size_t at)
{
    n->fault = what;
    n->fault_at = at;
}

void ap__lex_number(ap__lexer *lx, ap__number *n)
{
    memset(n, 0, sizeof *n);
    n->start = lx->pos;
    n->point = AP__LEX_NONE;
    n->dropped_at = AP__LEX_NONE;
    size_t group = 0; /* digits since the last comma, or since the start */
    int grouped = 0;  /* a comma has been read */
    for (; lx->pos < lx->end; lx->pos++) {
        char c = lx->text[lx->pos];
        if (c >= '0' && c <= '9') {
            take_digit(n, lx->pos, (unsigned)(c - '0'));
            if (n->point != AP__LEX_NONE) {
                n->frac_digits++;
                continue;
            }
            n->int_digits++;
            group++;
            if (grouped && group == 4 && n->fault == AP__NUMBER_OK)
                fault(n, AP__NUMBER_GROUP_LONG, lx->pos);
        } else if (c == ',' && n->point == AP__LEX_NONE) {
            if (n->fault != AP__NUMBER_OK)
                break; /* the long group ends here */
            if (group == 0)
                fault(n, AP__NUMBER_COMMA_FIRST, lx->pos);
            else if (!grouped && group > 3)
                fault(n, AP__NUMBER_COMMA_LONG, lx->pos);
            else if (grouped && group != 3)
                fault(n, AP__NUMBER_COMMA_SHORT, lx->pos);
            if (n->fault != AP__NUMBER_OK)
                break;
            grouped = 1;
            group = 0;
        } else if (c == '.' && n->point == AP__LEX_NONE) {
            if (n->fault != AP__NUMBER_OK)
                break;
            if (grouped && group != 3) {
                fault(n, AP__NUMBER_POINT_SHORT, lx->pos);
                break;
            }
            n->point = lx->pos;
        } else {
            break;
        }
    }
    if (n->fault == AP__NUMBER_OK && grouped &&
        n->point == AP__LEX_NONE && group != 3)
        fault(n, AP__NUMBER_END_SHORT, lx->pos);
    n->group_end = lx->pos;
    n->end = lx->pos;
}

/* ---- suffixes ------------------------------------------------------------ */

int ap__lex_at_unit_letter(const ap__lexer *lx)
{
    return lx->pos < lx->end && lx->text[lx->pos] != '\0' &&
           strchr("mMkKbp", lx->text[lx->pos]) != NULL;
}

int ap__lex_unit(ap__lexer *lx)
{
    if (ap__lex_take(lx, "bn"))
        return AP_UNIT_BILLIONS;
    if (ap__lex_take(lx, "m") || ap__lex_take(lx, "M"))
        return AP_UNIT_MILLIONS;
    if (ap__lex_take(lx, "k") || ap__lex_take(lx, "K"))
        return AP_UNIT_THOUSANDS;
    if (ap__lex_take(lx, "p"))
        return AP_UNIT_PENCE;
    return -1;
}

int ap__lex_exponent(ap__lexer *lx, int *out)
{
    if (!ap__lex_take(lx, "e") && !ap__lex_take(lx, "E"))
        return 0;
    int negative = ap__lex_sign(lx, AP__SIGN_ASCII) < 0;
    int e = 0, digits = 0;
    for (; lx->pos < lx->end && lx->text[lx->pos] >= '0' &&
           lx->text[lx->pos] <= '9';
         lx->pos++, digits++)
        if (e < 10000)
            e = e * 10 + (lx->text[lx->pos] - '0');
    if (digits == 0)
        return -1;
    *out = negative ? -e : e;
    return 1;
}

int ap__lex_rest_is(const ap__lexer *lx, const char *word)
{
    size_t n = strlen(word);
    if (lx->pos > lx->end || lx->end - lx->pos != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = lx->text[lx->pos + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* ---- messages ------------------------------------------------------------ */

size_t ap__lex_character(const char *text, size_t pos)
{
    size_t chars = 0;
    for (size_t i = 0; i < pos; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

ap__lex_spot ap__lex_spot_at(const ap__lexer *lx, size_t pos,
                             size_t quoted_len, size_t quote_max)
{
    ap__lex_spot s;
    s.shown = ap__utf8_prefix(lx->text, quoted_len, quote_max);
    s.more = (size_t)s.shown < quoted_len ? "..." : "";
    s.at_end = pos >= lx->end;
    s.character = ap__lex_character(lx->text, pos);
    s.at = lx->text + pos;
    s.width = 0;
    if (!s.at_end) {
        unsigned char c = (unsigned char)lx->text[pos];
        s.width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if ((size_t)s.width > lx->end - pos)
            s.width = (int)(lx->end - pos);
    }
    return s;
}
