/* What plugins read and write during a call: the columns of case records,
 * named fields, and the sinks for a check's findings and a report
 * section's text.
 *
 * Plugins reach these through the host table, so every function here
 * checks its pointers rather than trusting them, and the sinks make an
 * out-of-memory failure sticky: a plugin that ignores one failed append
 * cannot go on to produce a result that silently lacks it. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/text.h"
#include "plugin/plugin_internal.h"

/* ---- records ------------------------------------------------------------- */

const int64_t *ap__records_column(const ap_measure_input *in,
                                  const char *name, ap_error *err)
{
    if (in == NULL || name == NULL) {
        ap_error_set(err, AP_E_INPUT,
                     "records_column: no input or no column name");
        return NULL;
    }
    for (size_t i = 0; i < in->n_columns; i++)
        if (in->names[i] != NULL && strcmp(in->names[i], name) == 0)
            return in->columns[i];

    /* List what there is, cut short to fit the message. */
    char list[320];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < in->n_columns; i++) {
        const char *col = in->names[i] != NULL ? in->names[i] : "(null)";
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i ? ", " : "", col);
        if (w < 0 || (size_t)w >= sizeof list - used) {
            /* Room is kept for the ellipsis by cutting back to a comma. */
            list[used] = '\0';
            snprintf(list + used, sizeof list - used, "%s...",
                     i ? ", " : "");
            break;
        }
        used += (size_t)w;
    }
    ap_error_set(err, AP_E_INPUT, "measure input has no column '%.*s'; %s%s",
                 ap__utf8_prefix(name, strlen(name), 80), name,
                 in->n_columns ? "it has: " : "it has no columns",
                 list);
    return NULL;
}

/* ---- fields ---------------------------------------------------------------- */

const ap_value *ap__field_find(const ap_fields *fields, const char *path)
{
    if (fields == NULL || path == NULL)
        return NULL;
    for (size_t i = 0; i < fields->n; i++)
        if (fields->items[i].path != NULL &&
            strcmp(fields->items[i].path, path) == 0)
            return &fields->items[i].value;
    return NULL;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A lone nil as tables print it: "-", an en or em dash, or "nil" in any
 * case, with blanks around. */
static int is_nil(const char *text)
{
    size_t len = strlen(text);
    while (len > 0 && is_blank(text[len - 1]))
        len--;
    while (len > 0 && is_blank(*text)) {
        text++;
        len--;
    }
    return (len == 1 && text[0] == '-') ||
           (len == 3 && (memcmp(text, "\xe2\x80\x93", 3) == 0 ||  /* – */
                         memcmp(text, "\xe2\x80\x94", 3) == 0 ||  /* — */
                         ((text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'i' &&
                          (text[2] | 0x20) == 'l')));
}

/* The reader behind field_money and field_figure: money as it is, text
 * read as a printed figure in unit.  A figure (field_figure) also reads a
 * lone nil as 0 and the integer 0 as 0 (zero is zero in any unit), each
 * exact; resolution (may be NULL) receives the value of the figure's last
 * printed digit in pence, 1 for exact money. */
static ap_status read_money_field(const ap_fields *fields, const char *path,
                                  ap_unit unit, int figure, int64_t *pence,
                                  int64_t *resolution, ap_error *err)
{
    const char *fn = figure ? "field_figure" : "field_money";
    if (path == NULL || pence == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: no path or no output", fn);
    int shown = ap__utf8_prefix(path, strlen(path), 120);
    const char *hint = figure ? "money is given as text such as "
                                "\"\xc2\xa3" "1,234\" (\"-\" for nil) or as "
                                "a money value"
                              : "money is given as text such as "
                                "\"\xc2\xa3" "1,234\" or as a money value";
    const ap_value *v = ap__field_find(fields, path);
    if (v == NULL)
        return ap_error_set(err, AP_E_INPUT, "field '%.*s' is missing; %s",
                            shown, path, hint);
    int64_t value = 0, res = 1;
    if (v->type == AP_TYPE_MONEY) {
        value = v->as.i;
    } else if (figure && ((v->type == AP_TYPE_INT64 && v->as.i == 0) ||
                          (v->type == AP_TYPE_STRING && v->as.s != NULL &&
                           is_nil(v->as.s)))) {
        value = 0;
    } else if (v->type == AP_TYPE_STRING && v->as.s != NULL) {
        ap_error inner;
        ap_status st = ap_money_parse(v->as.s, (size_t)-1, unit, &value, &res,
                                      &inner);
        if (st != AP_OK)
            return ap_error_set(err, st, "field '%.*s': %s", shown, path,
                                inner.message);
    } else {
        return ap_error_set(err, AP_E_INPUT,
                            "field '%.*s' is %s %s, not money; %s", shown,
                            path, v->type == AP_TYPE_INT64 ? "an" : "a",
                            v->type == AP_TYPE_STRING
                                ? "NULL string"
                                : ap_value_type_name(v->type),
                            hint);
    }
    *pence = value;
    if (resolution != NULL)
        *resolution = res;
    return AP_OK;
}

ap_status ap__field_money(const ap_fields *fields, const char *path,
                          ap_unit unit, int64_t *out, ap_error *err)
{
    return read_money_field(fields, path, unit, 0, out, NULL, err);
}

ap_status ap__field_figure(const ap_fields *fields, const char *path,
                           ap_unit unit, int64_t *pence, int64_t *resolution,
                           ap_error *err)
{
    return read_money_field(fields, path, unit, 1, pence, resolution, err);
}

/* The index i when path is "prefix[i]", "prefix[i].…" or "prefix[i][…",
 * else -1 (also for an index too large to be a list's). */
static long long item_index(const char *path, const char *prefix, size_t plen)
{
    if (strncmp(path, prefix, plen) != 0 || path[plen] != '[')
        return -1;
    const char *p = path + plen + 1;
    if (*p < '0' || *p > '9')
        return -1;
    long long i = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (i > (LLONG_MAX - 9) / 10)
            return -1;
        i = i * 10 + (*p - '0');
    }
    if (*p != ']')
        return -1;
    p++;
    return *p == '\0' || *p == '.' || *p == '[' ? i : -1;
}

size_t ap__field_count(const ap_fields *fields, const char *prefix)
{
    if (fields == NULL || prefix == NULL)
        return 0;
    size_t plen = strlen(prefix), count = 0;
    for (size_t k = 0; k < fields->n; k++) {
        const char *path = fields->items[k].path;
        if (path == NULL)
            continue;
        long long i = item_index(path, prefix, plen);
        if (i >= 0 && (unsigned long long)i < SIZE_MAX &&
            (size_t)i + 1 > count)
            count = (size_t)i + 1;
    }
    return count;
}

/* ---- formatted text ------------------------------------------------------- */

ap_status ap__vformat(char **out, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    *out = s;
    return n < 0 ? AP_E_INPUT : s == NULL ? AP_E_NOMEM : AP_OK;
}

/* ---- findings ------------------------------------------------------------- */

ap_status ap__finding(ap_findings *out, ap_severity severity,
                      const char *field, const char *fmt, ...)
{
    if (out == NULL)
        return AP_E_INPUT;
    if (out->failed != AP_OK)
        return out->failed;
    if (fmt == NULL || (int)severity < 0 || severity >= AP_SEVERITY_COUNT) {
        /* Sticky too: the check's result would otherwise lack a finding
         * its author meant to report. */
        out->failed = AP_E_INPUT;
        return AP_E_INPUT;
    }
    ap_finding_list *list = &out->list;
    if (list->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        ap_finding *items = cap <= SIZE_MAX / sizeof *items
                                ? realloc(list->items, cap * sizeof *items)
                                : NULL;
        if (items == NULL) {
            out->failed = AP_E_NOMEM;
            return AP_E_NOMEM;
        }
        list->items = items;
        out->cap = cap;
    }
    /* A message vsnprintf cannot expand is lost like one out of memory
     * (AP_E_NOMEM): message is NULL either way. */
    char *message;
    va_list ap;
    va_start(ap, fmt);
    ap__vformat(&message, fmt, ap);
    va_end(ap);
    char *copy = ap__strdup(field != NULL ? field : "");
    if (message == NULL || copy == NULL) {
        free(message);
        free(copy);
        out->failed = AP_E_NOMEM;
        return AP_E_NOMEM;
    }
    list->items[list->n++] = (ap_finding){severity, copy, message};
    return AP_OK;
}

void ap_finding_list_clear(ap_finding_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].field);
        free(list->items[i].message);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* The old name, kept for one release so that programs built against it
 * still link: it only ever freed the members, which is what _clear means. */
void ap_finding_list_free(ap_finding_list *list)
{
    ap_finding_list_clear(list);
}

