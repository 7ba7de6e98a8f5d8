/* Text the core builds (text.c): a copy of a string, and a string grown
 * piece by piece.  Not part of the API. */
#ifndef APPORTION_TEXT_H
#define APPORTION_TEXT_H

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
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The finished text, which the caller frees ("" when nothing was
 * appended), or NULL after a failure, when the buffer is freed. */
char *ap__text_take(struct ap_text *t);

#endif
