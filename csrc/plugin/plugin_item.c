/* ap__item_make: checks an item definition a plugin or Python gives (a
 * measure, rule, check, section or calculator) against the ABI and copies
 * it into a registry item.  The host table's register_* functions and
 * ap_area_add_measure / ap_area_add_rule both use it, so it sits below
 * them both; so do the item's name, the growing lists of items and
 * ap__item_free. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "base/text.h"
#include "plugin/plugin_internal.h"

#define NAME_MAX_LEN 64

/* The size of the ABI 1.0 part of a definition struct: every current
 * member is 1.0, so it ends with the last one. */
#define DEF_SIZE_1_0(type, last) \
    (offsetof(type, last) + sizeof(((type *)0)->last))

/* ---- making items ------------------------------------------------------- */

/* Item names are how Python and the command line refer to items, so they
 * are identifiers: 1 to 64 ASCII letters, digits and '_'. */
static int is_identifier(const char *s, size_t len)
{
    if (len == 0 || len > NAME_MAX_LEN)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Checks that a definition is there and that its size covers ABI 1.0
 * (min), before any member past size is read.  def is any ap_*_def, all
 * of which start with their size_t size.  kind ("measure") words the
 * messages. */
static ap_status check_def_size(const void *def, size_t min,
                                const char *kind, const char *what,
                                ap_error *err)
{
    if (def == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: no %s definition given "
                            "(NULL)", what, kind);
    /* A pointer to a struct converts to one to its first member. */
    size_t size = *(const size_t *)def;
    if (size < min)
        return ap_error_set(err, AP_E_PLUGIN, "%s: a %s definition's size "
                            "is %zu bytes, smaller than the %zu of plugin "
                            "ABI 1.0; set size to sizeof the struct",
                            what, kind, size, min);
    return AP_OK;
}

static ap_status check_name(const char *name, const char *kind,
                            const char *what, ap_error *err)
{
    if (name == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: a %s has no name; give "
                            "each a name of 1 to %d letters, digits or '_'",
                            what, kind, NAME_MAX_LEN);
    if (!is_identifier(name, strlen(name)))
        return ap_error_set(err, AP_E_PLUGIN, "%s: %s \"%.*s\": the name "
                            "must be 1 to %d letters, digits or '_'",
                            what, kind, ap__quoted(name), name, NAME_MAX_LEN);
    return AP_OK;
}

/* Splits "received, responded" into trimmed, checked column names. */
static ap_status split_columns(ap__measure *m, const char *what,
                               ap_error *err)
{
    const char *columns = m->columns;
    size_t n = 1;
    for (const char *p = columns; *p != '\0'; p++)
        n += *p == ',';
    if ((m->column_names = calloc(n, sizeof *m->column_names)) == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "measure \"%s\"", m->name);
    const char *p = columns;
    for (size_t i = 0; i < n; i++) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *b = p, *e = end;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        size_t len = (size_t)(e - b);
        if (len == 0)
            return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": "
                                "columns \"%.*s\": column %zu is empty; list "
                                "the columns fn reads, as "
                                "\"received,responded\"",
                                what, m->name, ap__quoted(columns), columns,
                                i + 1);
        if (!is_identifier(b, len))
            return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": "
                                "columns: \"%.*s\" is not a column name (1 to "
                                "%d letters, digits or '_')",
                                what, m->name, ap__utf8_prefix(b, len, 80), b,
                                NAME_MAX_LEN);
        for (size_t j = 0; j < i; j++)
            if (strlen(m->column_names[j]) == len &&
                memcmp(m->column_names[j], b, len) == 0)
                return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": "
                                    "columns: \"%s\" is listed twice",
                                    what, m->name, m->column_names[j]);
        if ((m->column_names[i] = malloc(len + 1)) == NULL)
            return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                                "measure \"%s\"", m->name);
        memcpy(m->column_names[i], b, len);
        m->column_names[i][len] = '\0';
        m->n_column_names = i + 1;
        p = end + 1;
    }
    return AP_OK;
}

static ap_status make_measure(const ap_measure_def *def, const char *what,
                              void **out, ap_error *err)
{
    ap_status st;
    if ((st = check_def_size(def, DEF_SIZE_1_0(ap_measure_def, user),
                             "measure", what, err)) ||
        (st = check_name(def->name, "measure", what, err)))
        return st;
    const char *name = def->name;
    if (def->fn == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": fn is "
                            "NULL", what, name);
    if (def->columns == NULL || def->columns[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": columns "
                            "is empty; list the columns fn reads, as "
                            "\"received,responded\"", what, name);
    if (def->scale < 1)
        return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": scale "
                            "must be 1 or more (100 for a percentage, 1 for "
                            "a mean), not %lld",
                            what, name, (long long)def->scale);
    const unsigned known = AP_MEASURE_ROWWISE | AP_MEASURE_THREAD_SAFE;
    if (def->flags & ~known)
        return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": flags "
                            "0x%x hold bits this host does not know (0x%x); "
                            "it knows AP_MEASURE_ROWWISE (0x1) and "
                            "AP_MEASURE_THREAD_SAFE (0x2)",
                            what, name, def->flags, def->flags & ~known);
    if ((def->flags & AP_MEASURE_THREAD_SAFE) &&
        !(def->flags & AP_MEASURE_ROWWISE))
        return ap_error_set(err, AP_E_PLUGIN, "%s: measure \"%s\": flags: "
                            "AP_MEASURE_THREAD_SAFE needs AP_MEASURE_ROWWISE, "
                            "since only independent rows can be split "
                            "between threads", what, name);

    ap__measure *m = calloc(1, sizeof *m);
    if (m == NULL || (m->name = ap__strdup(name)) == NULL ||
        (m->description = ap__strdup(def->description ? def->description
                                                       : "")) == NULL ||
        (m->columns = ap__strdup(def->columns)) == NULL) {
        ap__item_free(AP_ITEM_MEASURE, m);
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "measure \"%s\"", name);
    }
    if ((st = split_columns(m, what, err)) != AP_OK) {
        ap__item_free(AP_ITEM_MEASURE, m);
        return st;
    }
    m->scale = def->scale;
    m->flags = def->flags;
    m->fn = def->fn;
    m->user = def->user;
    *out = m;
    return AP_OK;
}

static ap_status make_rule(const ap_rule_def *def, const char *what,
                           void **out, ap_error *err)
{
    ap_status st;
    if ((st = check_def_size(def, DEF_SIZE_1_0(ap_rule_def, user),
                             "rule", what, err)) ||
        (st = check_name(def->name, "rule", what, err)))
        return st;
    if (def->fn == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: rule \"%s\": fn is NULL",
                            what, def->name);
    ap__rule *r = calloc(1, sizeof *r);
    if (r == NULL || (r->name = ap__strdup(def->name)) == NULL ||
        (r->description = ap__strdup(def->description ? def->description
                                                       : "")) == NULL) {
        ap__item_free(AP_ITEM_RULE, r);
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "rule \"%s\"", def->name);
    }
    r->fn = def->fn;
    r->user = def->user;
    *out = r;
    return AP_OK;
}

static ap_status make_check(const ap_check_def *def, const char *what,
                            void **out, ap_error *err)
{
    ap_status st;
    if ((st = check_def_size(def, DEF_SIZE_1_0(ap_check_def, user),
                             "check", what, err)) ||
        (st = check_name(def->name, "check", what, err)))
        return st;
    if (def->fn == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: check \"%s\": fn is NULL",
                            what, def->name);
    ap__check *c = calloc(1, sizeof *c);
    if (c == NULL || (c->name = ap__strdup(def->name)) == NULL ||
        (c->description = ap__strdup(def->description ? def->description
                                                       : "")) == NULL) {
        ap__item_free(AP_ITEM_CHECK, c);
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "check \"%s\"", def->name);
    }
    c->fn = def->fn;
    c->user = def->user;
    *out = c;
    return AP_OK;
}

static ap_status make_section(const ap_section_def *def, const char *what,
                              void **out, ap_error *err)
{
    ap_status st;
    if ((st = check_def_size(def, DEF_SIZE_1_0(ap_section_def, user),
                             "section", what, err)) ||
        (st = check_name(def->name, "section", what, err)))
        return st;
    if (def->title == NULL || def->title[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "%s: section \"%s\": title is "
                            "empty; a report section needs a heading",
                            what, def->name);
    if (def->fn == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: section \"%s\": fn is "
                            "NULL", what, def->name);
    ap__section *s = calloc(1, sizeof *s);
    if (s == NULL || (s->name = ap__strdup(def->name)) == NULL ||
        (s->title = ap__strdup(def->title)) == NULL) {
        ap__item_free(AP_ITEM_SECTION, s);
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "section \"%s\"", def->name);
    }
    s->fn = def->fn;
    s->user = def->user;
    *out = s;
    return AP_OK;
}

static ap_status make_calculator(const ap_calculator_def *def,
                                 const char *what, void **out, ap_error *err)
{
    ap_status st;
    if ((st = check_def_size(def, DEF_SIZE_1_0(ap_calculator_def, fn),
                             "calculator", what, err)) ||
        (st = check_name(def->name, "calculator", what, err)))
        return st;
    if (def->fn == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: calculator \"%s\": fn is "
                            "NULL", what, def->name);
    if (def->signature == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "%s: calculator \"%s\": "
                            "signature is NULL; declare the types, as "
                            "\"money(money, int64)\"", what, def->name);
    ap__calculator *c = calloc(1, sizeof *c);
    if (c == NULL || (c->name = ap__strdup(def->name)) == NULL ||
        (c->description = ap__strdup(def->description ? def->description
                                                       : "")) == NULL ||
        (c->signature = ap__strdup(def->signature)) == NULL) {
        ap__item_free(AP_ITEM_CALCULATOR, c);
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                            "calculator \"%s\"", def->name);
    }
    ap_error inner;
    ap_error_clear(&inner);
    st = ap__calculator_prepare(c, c->signature, &inner);
    if (st != AP_OK) {
        ap__item_free(AP_ITEM_CALCULATOR, c);
        return ap_error_set(err, st, "%s: calculator \"%s\": %s", what,
                            def->name, inner.message);
    }
    c->fn = def->fn;
    *out = c;
    return AP_OK;
}

ap_status ap__item_make(ap_item_kind kind, const void *def, const char *what,
                        void **out, ap_error *err)
{
    *out = NULL;
    switch (kind) {
    case AP_ITEM_MEASURE: return make_measure(def, what, out, err);
    case AP_ITEM_RULE: return make_rule(def, what, out, err);
    case AP_ITEM_CHECK: return make_check(def, what, out, err);
    case AP_ITEM_SECTION: return make_section(def, what, out, err);
    case AP_ITEM_CALCULATOR: return make_calculator(def, what, out, err);
    default:
        return ap_error_set(err, AP_E_PLUGIN, "%s: unknown item kind %d",
                            what, (int)kind);
    }
}

/* ---- names, lists and freeing of items ------------------------------------ */

const char *ap__item_name(ap_item_kind kind, const void *item)
{
    switch (kind) {
    case AP_ITEM_MEASURE: return ((const ap__measure *)item)->name;
    case AP_ITEM_RULE: return ((const ap__rule *)item)->name;
    case AP_ITEM_CHECK: return ((const ap__check *)item)->name;
    case AP_ITEM_SECTION: return ((const ap__section *)item)->name;
    case AP_ITEM_CALCULATOR: return ((const ap__calculator *)item)->name;
    default: return "";
    }
}

ap_status ap__items_push(ap__items *items, void *item, ap_error *err)
{
    if (items->n == items->cap) {
        size_t cap = items->cap ? items->cap * 2 : 8;
        void **grown = cap <= SIZE_MAX / sizeof *grown
                           ? realloc(items->items, cap * sizeof *grown)
                           : NULL;
        if (grown == NULL)
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory registering an item");
        items->items = grown;
        items->cap = cap;
    }
    items->items[items->n++] = item;
    return AP_OK;
}

void ap__item_free(ap_item_kind kind, void *item)
{
    if (item == NULL)
        return;
    switch (kind) {
    case AP_ITEM_MEASURE: {
        ap__measure *m = item;
        free(m->name);
        free(m->description);
        free(m->columns);
        for (size_t i = 0; i < m->n_column_names; i++)
            free(m->column_names[i]);
        free(m->column_names);
        break;
    }
    case AP_ITEM_RULE: {
        ap__rule *r = item;
        free(r->name);
        free(r->description);
        break;
    }
    case AP_ITEM_CHECK: {
        ap__check *c = item;
        free(c->name);
        free(c->description);
        break;
    }
    case AP_ITEM_SECTION: {
        ap__section *s = item;
        free(s->name);
        free(s->title);
        break;
    }
    case AP_ITEM_CALCULATOR: {
        /* The cif points at static ffi types and at ffi_args, which is in
         * the item itself: nothing of libffi's to release. */
        ap__calculator *c = item;
        free(c->name);
        free(c->description);
        free(c->signature);
        break;
    }
    default:
        break;
    }
    free(item);
}
