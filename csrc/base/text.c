/* Text: report sections, suggestions and check descriptions are built
 * piece by piece, and a failure anywhere is reported once, at the end;
 * and every file the core reads is UTF-8, checked here once for every
 * reader, which point at a bad byte by line and column. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/text.h"
#include "base/text.h"
#include "platform/platform.h"

char *ap__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

ap_status ap__text_append(struct ap_text *out, const char *fmt, ...)
{
    if (out == NULL)
        return AP_E_INPUT;
    if (out->failed != AP_OK)
        return out->failed;
    if (fmt == NULL) {
        out->failed = AP_E_INPUT;
        return AP_E_INPUT;
    }
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ap_status st = AP_OK;
    if (n < 0) {
        st = AP_E_INPUT;
    } else if (out->len + (size_t)n + 1 > out->cap) {
        size_t need = out->len + (size_t)n + 1;
        size_t cap = out->cap ? out->cap : 256;
        while (cap < need && cap <= SIZE_MAX / 2)
            cap *= 2;
        char *buf = cap >= need ? realloc(out->buf, cap) : NULL;
        if (buf == NULL) {
            st = AP_E_NOMEM;
        } else {
            out->buf = buf;
            out->cap = cap;
        }
    }
    if (st == AP_OK) {
        vsnprintf(out->buf + out->len, out->cap - out->len, fmt, again);
        out->len += (size_t)n;
    } else {
        out->failed = st;
    }
    va_end(again);
    return st;
}

char *ap__text_take(struct ap_text *t)
{
    if (t->failed != AP_OK) {
        free(t->buf);
        t->buf = NULL;
        return NULL;
    }
    char *out = t->buf != NULL ? t->buf : ap__strdup("");
    t->buf = NULL;
    t->len = t->cap = 0;
    return out;
}

/* ---- UTF-8 ------------------------------------------------------------- */

size_t ap__utf8_valid_prefix(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Unicode's table of well-formed sequences: the lead byte fixes
         * how many continuation bytes follow and the range of the first,
         * which turns away overlong forms (E0 80, F0 80), surrogates
         * (ED A0..BF) and code points beyond U+10FFFF (F4 90). */
        size_t more;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i; /* a continuation byte, C0, C1 or F5..FF */
        }
        if (len - i <= more || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= more; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += more + 1;
    }
    return len;
}

void ap__text_line_column(const char *text, size_t offset, int *line,
                          int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

ap_status ap_utf8_check(const char *text, size_t len, const char *source,
                        ap_error *err)
{
    if (text == NULL && len != 0)
        return ap_error_set(err, AP_E_INPUT, "ap_utf8_check: no text");
    size_t at = len != 0 ? ap__utf8_valid_prefix(text, len) : 0;
    if (at == len)
        return AP_OK;
    int line, column;
    ap__text_line_column(text, at, &line, &column);
    ap_status st = ap_error_set(
        err, AP_E_INPUT,
        "%s:%d:%d: invalid UTF-8 (byte 0x%02X); the file must be UTF-8 text",
        source != NULL ? source : "<text>", line, column,
        (unsigned char)text[at]);
    if (err != NULL) {
        err->line = line;
        err->column = column;
    }
    return st;
}

/* ---- whole files ------------------------------------------------------- */

static ap_status too_large(const char *what, const char *path,
                           size_t max_bytes, ap_error *err)
{
    return ap_error_set(err, AP_E_INPUT,
                        "%s file %s is larger than the limit of %zu bytes "
                        "(max_bytes); a larger limit reads it",
                        what, path, max_bytes);
}

ap_status ap_file_read(const char *path, size_t max_bytes, const char *what,
                       char **text, size_t *len, ap_error *err)
{
    if (text == NULL || len == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_file_read: no output");
    *text = NULL;
    *len = 0;
    if (what == NULL)
        what = "input";
    if (path == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_file_read: no path");
    if (max_bytes >= SIZE_MAX - 1)
        max_bytes = SIZE_MAX - 2; /* room for the byte past it and a NUL */
    FILE *f = ap__plat_fopen(path, "rb");
    if (f == NULL)
        return ap_error_set(err, AP_E_IO, "cannot open %s file %s: %s", what,
                            path, strerror(errno));
    /* A regular file's size is known: one too large is refused before a
     * byte of it is read, and the buffer is allocated once. */
    uint64_t file_size;
    size_t cap = (size_t)1 << 16;
    if (ap__plat_stream_size(f, &file_size)) {
        if (file_size > (uint64_t)max_bytes) {
            fclose(f);
            return too_large(what, path, max_bytes, err);
        }
        cap = (size_t)file_size + 2; /* + 1 to see the end, + 1 NUL */
    }
    if (cap > max_bytes + 2)
        cap = max_bytes + 2;
    char *buf = malloc(cap);
    size_t n = 0;
    int over = 0;
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (n > max_bytes) {
            over = 1;
            break;
        }
        if (n < cap - 1)
            break; /* end of file or an error; ferror tells which */
        size_t grown_cap = cap <= (max_bytes + 2) / 2 ? cap * 2
                                                       : max_bytes + 2;
        char *grown = realloc(buf, grown_cap);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap = grown_cap;
    }
    int read_error = buf != NULL && !over && ferror(f);
    int saved = errno;
    fclose(f);
    ap_status st = AP_OK;
    if (buf == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory reading %s file %s",
                          what, path);
    else if (over)
        st = too_large(what, path, max_bytes, err);
    else if (read_error)
        st = ap_error_set(err, AP_E_IO, "cannot read %s file %s: %s", what,
                          path, strerror(saved));
    if (st != AP_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return AP_OK;
}
