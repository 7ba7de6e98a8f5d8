/* The host table handed to a plugin's init, and the registration functions
 * in it.  The items they register are checked and copied by ap__item_make
 * (plugin_item.c).
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
#include "base/base.h"
#include "base/text.h"
#include "plugin/plugin_internal.h"

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
    AP_PRINTF_FORMAT(2, 3)
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
