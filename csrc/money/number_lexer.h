/* The one lexer behind every number the core reads from text: money
 * (money.c), printed figures (figure_parse.c) and exact decimals
 * (decimal.c).  Each of those is a grammar over these pieces; none scans
 * characters itself, so that a rule such as "a no-break space copied from
 * a PDF is a blank" or "comma groups are threes" is written once and the
 * three cannot drift apart again.  Not part of the API.
 *
 * The lexer only finds pieces and says where they stand; each grammar
 * decides what is allowed and words its own messages. */
#ifndef APPORTION_NUMBER_LEXER_H
#define APPORTION_NUMBER_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* No position: a point or a dropped digit that is not there. */
#define AP__LEX_NONE ((size_t)-1)

/* The text being read: the whole of it for quoting, and the part [pos,
 * end) still to read. */
typedef struct ap__lexer {
    const char *text;
    size_t len;
    size_t pos, end;
} ap__lexer;

/* Starts reading text[0..len) (len may be (size_t)-1 for a NUL-terminated
 * text, as the public parsers allow) with the blanks of the given kinds
 * (AP__BLANK_*, below) dropped from both ends. */
void ap__lex_init(ap__lexer *lx, const char *text, size_t len,
                  unsigned blanks);

/* Nonzero when nothing is left to read. */
int ap__lex_done(const ap__lexer *lx);

/* ---- blanks ---------------------------------------------------------- */
/* Kinds of blank, as flags: each grammar names those it allows. */
#define AP__BLANK_SPACE 1u   /* ' ', '\t' */
#define AP__BLANK_LINE 2u    /* '\n', '\r' */
#define AP__BLANK_PAGE 4u    /* '\v', '\f' */
#define AP__BLANK_NOBREAK 8u /* U+00A0 and U+202F, as text copied from a PDF has */
/* The blanks around and inside a printed figure or sum of money. */
#define AP__BLANKS_PRINTED \
    (AP__BLANK_SPACE | AP__BLANK_LINE | AP__BLANK_PAGE | AP__BLANK_NOBREAK)

/* Skips blanks of the given kinds at pos. */
void ap__lex_skip_blanks(ap__lexer *lx, unsigned blanks);

/* ---- literals, signs, dashes, the pound ------------------------------- */
/* Nonzero when what is left starts with lit; take also consumes it. */
int ap__lex_at(const ap__lexer *lx, const char *lit);
int ap__lex_take(ap__lexer *lx, const char *lit);

/* Forms of sign, as flags. */
#define AP__SIGN_ASCII 1u /* '-' and '+' */
#define AP__SIGN_MINUS 2u /* U+2212 MINUS SIGN, as typeset papers print it */
#define AP__SIGNS_PRINTED (AP__SIGN_ASCII | AP__SIGN_MINUS)

/* The sign at pos among the given forms: -1, +1, or 0 for none. */
int ap__lex_at_sign(const ap__lexer *lx, unsigned forms);
/* The same, consuming it. */
int ap__lex_sign(ap__lexer *lx, unsigned forms);

/* Nonzero at an en dash or an em dash, which print a nil but are no sign. */
int ap__lex_at_dash(const ap__lexer *lx);
/* Nonzero when all that is left is one dash printing a nil: "-", an en
 * dash or an em dash. */
int ap__lex_is_nil(const ap__lexer *lx);

/* Takes "£" and the printed blanks after it ("£ 1,070"); 0 if none. */
int ap__lex_pound(ap__lexer *lx);

/* ---- the digits --------------------------------------------------------- */
/* What can be wrong with the digits' comma grouping, where it is seen. */
typedef enum ap__number_fault {
    AP__NUMBER_OK = 0,
    AP__NUMBER_COMMA_FIRST,  /* a comma with no digit just before it */
    AP__NUMBER_COMMA_LONG,   /* a comma after a first group of 4+ digits */
    AP__NUMBER_COMMA_SHORT,  /* a comma after a later group of under three */
    AP__NUMBER_GROUP_LONG,   /* the fourth digit of a group after a comma */
    AP__NUMBER_POINT_SHORT,  /* the point after a group of under three */
    AP__NUMBER_END_SHORT     /* the digits end in a group of under three */
} ap__number_fault;

/* Digits with optional comma grouping, an optional point and fraction
 * digits: "1,070", "0.85", ".5", "5.".  The digits are kept exactly as an
 * integer until it passes 2^100, past any 64-bit result; a grammar that
 * cares reads dropped_at. */
typedef struct ap__number {
    size_t start, end;      /* the bytes read: [start, end) */
    size_t int_digits;      /* digits before the point */
    size_t frac_digits;     /* digits after it */
    size_t point;           /* byte of the point, or AP__LEX_NONE */
    ap__number_fault fault; /* the first fault, reading left to right */
    size_t fault_at;        /* its byte (for END_SHORT, end) */
    size_t group_end;       /* for GROUP_LONG: the byte ending that group */
    ap__u128 mantissa;      /* the digits kept, as an integer */
    size_t frac_kept;       /* how many of them follow the point */
    size_t dropped_at;      /* the first digit not kept, or AP__LEX_NONE */
    int dropped_significant; /* a digit not kept was not a fraction zero */
} ap__number;

/* Reads digits at pos.  It stops at the first grouping fault, except that
 * after GROUP_LONG it reads on to the end of that group (decimal.c points
 * there).  Reads nothing and sets no fault when no digit, comma or point
 * is at pos. */
void ap__lex_number(ap__lexer *lx, ap__number *out);

/* Nonzero for a fault seen inside the digits rather than at their end. */
static inline int ap__number_fault_inside(const ap__number *n)
{
    return n->fault != AP__NUMBER_OK && n->fault != AP__NUMBER_END_SHORT;
}

/* ---- suffixes ------------------------------------------------------------ */
/* Nonzero at a letter that may start a unit suffix (m, M, k, K, b, p). */
int ap__lex_at_unit_letter(const ap__lexer *lx);
/* Takes a unit suffix ("bn", "m", "M", "k", "K", "p") and returns its
 * ap_unit (a power of ten of pence); -1, consuming nothing, if none. */
int ap__lex_unit(ap__lexer *lx);

/* Takes an exponent ("e-7", "E3"; ASCII signs only): 0 when there is no
 * e, 1 with *out set, -1 when the e has no digit after it (pos is where
 * one should be).  Its value stops growing past 10,000, far beyond any
 * exponent a 64-bit result allows. */
int ap__lex_exponent(ap__lexer *lx, int *out);

/* Nonzero when what is left equals word, ignoring ASCII case. */
int ap__lex_rest_is(const ap__lexer *lx, const char *word);

/* ---- messages ------------------------------------------------------------ */
/* 1-based character (not byte) position of byte pos, so that a message
 * about "£21x" points at the x a reader counts. */
size_t ap__lex_character(const char *text, size_t pos);

/* What a message says about byte pos: the text quoted (at most quote_max
 * bytes of its first quoted_len, cut at a character), and the character
 * there and its number, or at_end when nothing is left there. */
typedef struct ap__lex_spot {
    int shown;          /* bytes of text to quote */
    const char *more;   /* "..." when the quote is cut, else "" */
    int at_end;         /* pos is at or past the end being read */
    size_t character;   /* ap__lex_character(text, pos) */
    int width;          /* bytes of the character at pos */
    const char *at;     /* text + pos */
} ap__lex_spot;

ap__lex_spot ap__lex_spot_at(const ap__lexer *lx, size_t pos,
                             size_t quoted_len, size_t quote_max);

#endif
