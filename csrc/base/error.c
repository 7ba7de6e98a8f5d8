#include "apportion/error.h"
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

AP__NAMES(ap_status, ap_status_name, status_names, AP_STATUS_COUNT,
          AP_STATUS_MAP, AP__NAME_TEXT, "unknown status")

void ap_error_clear(ap_error *err)
{
    if (err == NULL)
        return;
    err->status = AP_OK;
    err->message[0] = '\0';
    err->path[0] = '\0';
    err->line = 0;
    err->column = 0;
}

/* Drops an unfinished UTF-8 character from the end of text[0..len). */
static void cut_whole(char *text, size_t len)
{
    size_t i = len, tail = 0;
    while (i > 0 && tail < 3 && ((unsigned char)text[i - 1] & 0xC0) == 0x80) {
        i--;
        tail++;
    }
    if (i == 0)
        return;
    unsigned lead = (unsigned char)text[i - 1];
    size_t needs = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (tail < needs)
        text[i - 1] = '\0';
}

ap_status ap_error_set(ap_error *err, ap_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->message) {
        /* Cut at the buffer's end: never in the middle of a character,
         * so the message stays UTF-8 however long the quoted text. */
        cut_whole(err->message, sizeof err->message - 1);
    }
    return status;
}

ap_status ap__parse_name(const char *name, const char *const *names, int n,
                         const char *what, int *out, ap_error *err)
{
    for (int i = 0; i < n; i++)
        if (name != NULL && strcmp(name, names[i]) == 0) {
            *out = i;
            return AP_OK;
        }
    char list[256];
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i ? ", " : "", names[i]);
    return ap_error_set(err, AP_E_INPUT, "%s must be one of %s; not \"%s\"",
                        what, list, name ? name : "(null)");
}
