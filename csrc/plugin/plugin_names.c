/* The names of the ABI's enumerations (item kinds, value types,
 * severities) as messages and Python show them, and how much of a name a
 * message quotes.  Every other plugin file uses these, so they stand
 * alone. */
#include <string.h>

#include "base/base.h"
#include "plugin/plugin_internal.h"

static const char *const kind_names[AP_ITEM_KIND_COUNT] = {
#define AP__NAME(code, text) text,
    AP_ITEM_KIND_MAP(AP__NAME)
#undef AP__NAME
};

static const char *const value_type_names[AP_VALUE_TYPE_COUNT] = {
#define AP__NAME(code, text) text,
    AP_VALUE_TYPE_MAP(AP__NAME)
#undef AP__NAME
};

static const char *const severity_names[AP_SEVERITY_COUNT] = {
#define AP__NAME(code, text) text,
    AP_SEVERITY_MAP(AP__NAME)
#undef AP__NAME
};

const char *ap_item_kind_name(ap_item_kind kind)
{
    if ((int)kind < 0 || kind >= AP_ITEM_KIND_COUNT)
        return "unknown item kind";
    return kind_names[kind];
}

const char *ap_value_type_name(ap_value_type type)
{
    if ((int)type < 0 || type >= AP_VALUE_TYPE_COUNT)
        return "unknown type";
    return value_type_names[type];
}

const char *ap_severity_name(ap_severity severity)
{
    if ((int)severity < 0 || severity >= AP_SEVERITY_COUNT)
        return "unknown severity";
    return severity_names[severity];
}

int ap__quoted(const char *s)
{
    return ap__utf8_prefix(s, strlen(s), 80);
}
