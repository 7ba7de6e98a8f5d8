/* apportion: text files.  Every file apportion reads is UTF-8 text; these
 * are the checks every reader shares, for callers that read a file of
 * their own (a CSV the core does not parse) the same way.
 *
 * Memory.  ap_utf8_check allocates nothing.  ap_file_read gives the
 * caller the file's bytes in *text, which the caller releases with
 * free(); on an error *text is NULL. */
#ifndef APPORTION_TEXT_H
#define APPORTION_TEXT_H

#include <stddef.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* AP_OK when text[0..len) is well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing beyond U+10FFFF; NUL bytes are left to the
 * caller).  Otherwise AP_E_INPUT "<source>:<line>:<column>: invalid UTF-8
 * (byte 0xNN); the file must be UTF-8 text", with err->line and
 * err->column (1-based, the column in characters) at the first byte that
 * is not part of a well-formed character.  source NULL reads "<text>". */
ap_status ap_utf8_check(const char *text, size_t len, const char *source,
                        ap_error *err);

/* The whole file at path into *text (NUL-terminated; *len bytes before
 * the NUL), refusing a file of more than max_bytes bytes before reading
 * it (AP_E_INPUT naming what, "plan" in "plan file x.json", the path and
 * the limit) when its size is known, and as soon as the limit is passed
 * otherwise (a pipe).  AP_E_IO when it cannot be opened or read,
 * AP_E_NOMEM.  The bytes are not checked as UTF-8: ap_utf8_check. */
ap_status ap_file_read(const char *path, size_t max_bytes, const char *what,
                       char **text, size_t *len, ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
