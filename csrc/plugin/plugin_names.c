/* The names of the ABI's enumerations (item kinds, value types,
 * severities) as messages and Python show them, how much of a name a
 * message quotes, and whether a plugin's text is UTF-8.  Every other plugin file uses these, so they stand
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

int ap__utf8_valid(const char *s, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i] != 0) {
        unsigned c = p[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c < 0x80)
            n = 0;
        else if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlong forms */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* nothing past U+10FFFF */
        } else {
            *bad = i;
            return 0;
        }
        for (size_t k = 1; k <= n; k++) {
            unsigned b = p[i + k];
            unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (b < l || b > h) {
                *bad = i;
                return 0;
            }
        }
        i += n + 1;
    }
    return 1;
}
