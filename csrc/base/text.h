/* Text the core builds and reads (text.c): a copy of a string, a string
 * grown piece by piece, and the UTF-8 check and line and column every
 * reader of a file shares (apportion/text.h has their public face).  Not
 * part of the API. */
#ifndef APPORTION_BASE_TEXT_H
#define APPORTION_BASE_TEXT_H

#include <stddef.h>

#include "apportion/error.h"

/* strdup that reports AP_E_NOMEM; the caller frees the result. */
char *ap__strdup(const char *s);

/* A string built piece by piece (a report section, a suggestion); failed
 * is sticky: AP_E_NOMEM, or AP_E_INPUT for a NULL or unformattable
 * format.  Zero-initialise to start.  (plugin.h names it ap_text for
 * plugins' report sections.) */
struct ap_text {
    char *buf;
    size_t len, cap;
    ap_status failed;
};

/* Appends printf-style text; returns the (sticky) status. */
ap_status ap__text_append(struct ap_text *out, const char *fmt, ...)
    AP_PRINTF_FORMAT(2, 3)
    ;

/* The finished text, which the caller frees ("" when nothing was
 * appended), or NULL after a failure, when the buffer is freed. */
char *ap__text_take(struct ap_text *t);

/* The length of the longest prefix of text[0..len) that is well-formed
 * UTF-8 (len when all of it is): the offset of the first byte that does
 * not belong to a well-formed character. */
size_t ap__utf8_valid_prefix(const char *text, size_t len);

/* 1-based line and column (in characters, a UTF-8 character counting
 * one) of a byte offset into text. */
void ap__text_line_column(const char *text, size_t offset, int *line,
                          int *column);

#endif
