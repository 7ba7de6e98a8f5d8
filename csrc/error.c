#include "apportion/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[AP_STATUS_COUNT] = {
#define AP__NAME(code, text) text,
    AP_STATUS_MAP(AP__NAME)
#undef AP__NAME
};

const char *ap_status_name(ap_status status)
{
    if ((int)status < 0 || status >= AP_STATUS_COUNT)
        return "unknown status";
    return status_names[status];
}

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

ap_status ap_error_set(ap_error *err, ap_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}
