/* The host table handed to a plugin's init, and the registration functions
 * in it; also ap__item_make, which checks and copies an item definition
 * for these and for ap_area_add_measure and ap_area_add_rule.
 *
 * Registrations go to the plugin being loaded (reg->plugin and its staged
 * area), which only the loading thread can see; the registry lock is
 * taken only briefly, by ap__area_item's lookup of a duplicate name.
 * Each checks and copies what it is given.  A failure is returned to the
 * plugin and also kept in the registrar, so the load fails even when init
 * ignores it and returns AP_OK: registration is all or nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "internal.h"
#include "plugin_internal.h"

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

/* ---- the registrar ------------------------------------------------------ */

/* "plugin /path/to/x.so", naming the plugin in messages. */
static void plugin_what(const ap_registrar *reg, char *buf, size_t size)
{
    snprintf(buf, size, "plugin %s", reg->plugin->path);
}

/* Refuses a call without a registrar, or after init returned: the plugin
 * is then committed (or gone) and nothing may be added behind the
 * registry's checks. */
static ap_status reg_open(ap_registrar *reg, const char *fn, ap_error *err)
{
    ap_error_clear(err);
    if (reg == NULL || reg->plugin == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: no registrar given; pass "
                            "the one init received", fn);
    if (reg->closed)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: %s was called "
                            "after init returned; register everything during "
                            "init", reg->plugin->path, fn);
    return AP_OK;
}

/* Ends a registration: a failure goes to the plugin's err and, when it is
 * the first, into the registrar, which fails the load. */
static ap_status reg_close(ap_registrar *reg, ap_status st,
                           const ap_error *local, ap_error *err)
{
    if (st == AP_OK)
        return AP_OK;
    if (reg->failed == AP_OK) {
        reg->failed = st;
        reg->first_error = *local;
        reg->first_error.status = st;
    }
    if (err != NULL) {
        *err = *local;
        err->status = st;
    }
    return st;
}

/* ---- registration ------------------------------------------------------- */

static ap_status add_kpis(ap_registrar *reg, const char *json, ap_error *err)
{
    ap_plugin *p = reg->plugin;
    ap_kpi_set *into = &p->area->kpis;
    if (json == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: register_kpis was "
                            "given no JSON text", p->path);
    static const char suffix[] = ": registered KPIs";
    size_t len = strlen(p->path);
    char *source = malloc(len + sizeof suffix);
    if (source == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory registering the "
                            "KPIs of plugin %s", p->path);
    memcpy(source, p->path, len);
    memcpy(source + len, suffix, sizeof suffix);
    ap_kpi_set *set;
    ap_status st = ap_kpis_parse(json, strlen(json), source, &set, err);
    free(source);
    if (st != AP_OK)
        return st;

    /* The file itself refuses a ref given twice; this catches a ref
     * repeated between two calls.  Refs of other plugins are checked at
     * commit. */
    for (size_t i = 0; i < set->n && st == AP_OK; i++)
        for (size_t j = 0; j < into->n; j++)
            if (strcmp(set->kpis[i].ref, into->kpis[j].ref) == 0) {
                st = ap_error_set(err, AP_E_PLUGIN, "plugin %s: KPI \"%s\" "
                                  "is registered twice; each KPI ref needs "
                                  "its own definition",
                                  p->path, set->kpis[i].ref);
                break;
            }
    if (st == AP_OK && set->n > 0) {
        ap_kpi *grown = into->n + set->n <= SIZE_MAX / sizeof *grown
                            ? realloc(into->kpis,
                                      (into->n + set->n) * sizeof *grown)
                            : NULL;
        if (grown == NULL) {
            st = ap_error_set(err, AP_E_NOMEM, "out of memory registering "
                              "the KPIs of plugin %s", p->path);
        } else {
            /* The KPIs move into the area; the emptied set is freed. */
            memcpy(grown + into->n, set->kpis, set->n * sizeof *grown);
            into->kpis = grown;
            into->n += set->n;
            set->n = 0;
        }
    }
    ap_kpi_set_free(set);
    return st;
}

static ap_status host_register_kpis(ap_registrar *reg, const char *json,
                                    ap_error *err)
{
    ap_status st = reg_open(reg, "register_kpis", err);
    if (st != AP_OK)
        return st;
    ap_error local;
    ap_error_clear(&local);
    st = add_kpis(reg, json, &local);
    return reg_close(reg, st, &local, err);
}

/* Refuses a second item of a kind with one name, then adds it.  On error
 * the item is freed. */
static ap_status stage_item(ap_registrar *reg, ap_item_kind kind, void *item,
                            const char *what, ap_error *err)
{
    const char *kind_name = ap_item_kind_name(kind);
    const char *name = ap__item_name(kind, item);
    ap_status st = AP_OK;
    if (ap__area_item(reg->plugin->area, kind, name) != NULL)
        st = ap_error_set(err, AP_E_PLUGIN, "%s: %s \"%s\" is registered "
                          "twice; each %s needs its own name",
                          what, kind_name, name, kind_name);
    else
        st = ap__items_push(&reg->plugin->area->kinds[kind], item, err);
    if (st != AP_OK)
        ap__item_free(kind, item);
    return st;
}

/* One registration of an item: fn names the host function in messages,
 * def is the plugin's definition of an item of kind. */
static ap_status register_item(ap_registrar *reg, const char *fn,
                               ap_item_kind kind, const void *def,
                               ap_error *err)
{
    ap_status st = reg_open(reg, fn, err);
    if (st != AP_OK)
        return st;
    ap_error local;
    ap_error_clear(&local);
    char what[AP_ERROR_MESSAGE_SIZE];
    plugin_what(reg, what, sizeof what);
    void *item = NULL;
    st = ap__item_make(kind, def, what, &item, &local);
    if (st == AP_OK)
        st = stage_item(reg, kind, item, what, &local);
    return reg_close(reg, st, &local, err);
}

static ap_status host_register_measure(ap_registrar *reg,
                                       const ap_measure_def *def,
                                       ap_error *err)
{
    return register_item(reg, "register_measure", AP_ITEM_MEASURE, def, err);
}

static ap_status host_register_rule(ap_registrar *reg, const ap_rule_def *def,
                                    ap_error *err)
{
    return register_item(reg, "register_rule", AP_ITEM_RULE, def, err);
}

static ap_status host_register_check(ap_registrar *reg,
                                     const ap_check_def *def, ap_error *err)
{
    return register_item(reg, "register_check", AP_ITEM_CHECK, def, err);
}

static ap_status host_register_section(ap_registrar *reg,
                                       const ap_section_def *def,
                                       ap_error *err)
{
    return register_item(reg, "register_section", AP_ITEM_SECTION, def, err);
}

static ap_status host_register_calculator(ap_registrar *reg,
                                          const ap_calculator_def *def,
                                          ap_error *err)
{
    return register_item(reg, "register_calculator", AP_ITEM_CALCULATOR, def,
                         err);
}

/* ---- warnings (ABI 1.1) ------------------------------------------------- */

static ap_status host_warn(ap_registrar *reg, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static ap_status host_warn(ap_registrar *reg, const char *fmt, ...)
{
    ap_status st = reg_open(reg, "warn", NULL);
    if (st != AP_OK)
        return st;
    ap_plugin *p = reg->plugin;
    ap_error local;
    ap_error_clear(&local);
    if (fmt == NULL)
        return reg_close(reg, ap_error_set(&local, AP_E_PLUGIN, "plugin %s: "
                                           "warn was given no format",
                                           p->path),
                         &local, NULL);
    char *text;
    va_list ap;
    va_start(ap, fmt);
    ap_status formatted = ap__vformat(&text, fmt, ap);
    va_end(ap);
    char **grown = text == NULL ? NULL
                                : realloc(p->warnings, (p->n_warnings + 1) *
                                                           sizeof *grown);
    if (grown == NULL) {
        free(text);
        /* A lost warning would hide what the plugin meant to tell the
         * user, so it fails the load like any other registration. */
        st = formatted == AP_E_INPUT
                 ? ap_error_set(&local, AP_E_PLUGIN, "plugin %s: warn could "
                                "not format \"%s\"", p->path, fmt)
                 : ap_error_set(&local, AP_E_NOMEM, "out of memory keeping a "
                                "warning of plugin %s", p->path);
        return reg_close(reg, st, &local, NULL);
    }
    p->warnings = grown;
    p->warnings[p->n_warnings++] = text;
    return AP_OK;
}

/* ---- the table ---------------------------------------------------------- */

static char *host_strdup(const char *s)
{
    return s != NULL ? ap__strdup(s) : NULL;
}

static const ap_host host_table = {
    .size = sizeof(ap_host),
    .abi_major = AP_PLUGIN_ABI_MAJOR,
    .abi_minor = AP_PLUGIN_ABI_MINOR,
    .library_version = AP_VERSION_STRING,

    .alloc = malloc,
    .free = free,
    .strdup = host_strdup,
    .error_set = ap_error_set,
    .status_name = ap_status_name,

    .money_add = ap_money_add,
    .money_sub = ap_money_sub,
    .money_mul = ap_money_mul,
    .money_mul_ratio = ap_money_mul_ratio,
    .money_sum = ap_money_sum,
    .money_parse = ap_money_parse,
    .money_format = ap_money_format,
    .format_defaults = ap_format_defaults,

    .decimal_parse = ap_decimal_parse,
    .apportion = ap_apportion,
    .schedule_equal = ap_schedule_equal,
    .schedule_balancing = ap_schedule_balancing,

    .date_from_ymd = ap_date_from_ymd,
    .date_to_ymd = ap_date_to_ymd,
    .date_parse = ap_date_parse,
    .date_format = ap_date_format,
    .date_add_months = ap_date_add_months,
    .date_weekday = ap_date_weekday,
    .fy_start_year = ap_fy_start_year,
    .fy_quarter = ap_fy_quarter,

    .calendar_new = ap_calendar_new,
    .calendar_free = ap_calendar_free,
    .is_working_day = ap_calendar_is_working_day,
    .working_days = ap_working_days,
    .add_working_days = ap_add_working_days,
    .elapsed_working_days_many = ap_elapsed_working_days_many,

    .number_parse = ap_number_parse,
    .number_cmp = ap_number_cmp,
    .bands_parse_text = ap_bands_parse_text,
    .bands_score = ap_bands_score,

    .register_kpis = host_register_kpis,
    .register_measure = host_register_measure,
    .register_rule = host_register_rule,
    .register_check = host_register_check,
    .register_section = host_register_section,
    .register_calculator = host_register_calculator,

    .records_column = ap__records_column,
    .field_find = ap__field_find,
    .field_money = ap__field_money,
    .field_count = ap__field_count,
    .finding = ap__finding,
    .text_append = ap__text_append,

    .warn = host_warn,
    .sla_rows = ap_sla_rows,
    .elapsed_parse = ap_elapsed_parse,
    .unit_parse = ap_unit_parse,
    .unit_name = ap_unit_name,
    .field_figure = ap__field_figure,
    .value_type_name = ap_value_type_name,
    .measure_within = ap__measure_within,
    .rereferral_flags = ap__rereferral_flags,
    .money_text = ap__money_text,
    .compare_figure = ap__compare_figure,
};

const ap_host *ap_host_table(void)
{
    return &host_table;
}
