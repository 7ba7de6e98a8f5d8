/* Growing text: report sections, suggestions and check descriptions are
 * built piece by piece, and a failure anywhere is reported once, at the
 * end. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

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
