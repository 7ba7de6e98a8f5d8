/* The names of the ABI's enumerations (item kinds, value types,
 * severities) as messages and Python show them, and how much of a name a
 * message quotes.  Every other plugin file uses these, so they stand
 * alone. */
#include <string.h>

#include "base/base.h"
#include "plugin/plugin_internal.h"

AP__NAMES(ap_item_kind, ap_item_kind_name, kind_names, AP_ITEM_KIND_COUNT,
          AP_ITEM_KIND_MAP, AP__NAME_TEXT, "unknown item kind")
AP__NAMES(ap_value_type, ap_value_type_name, value_type_names,
          AP_VALUE_TYPE_COUNT, AP_VALUE_TYPE_MAP, AP__NAME_TEXT,
          "unknown type")
AP__NAMES(ap_severity, ap_severity_name, severity_names, AP_SEVERITY_COUNT,
          AP_SEVERITY_MAP, AP__NAME_TEXT, "unknown severity")

int ap__quoted(const char *s)
{
    return ap__utf8_prefix(s, strlen(s), 80);
}
