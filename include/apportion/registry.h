/* apportion: loading plugins, and the registry of service areas they fill.
 *
 * The host side of plugin.h.  A plugin is loaded once per process (a file
 * is known by its device and inode, or on Windows its volume and file
 * index, so a second path or a link to it finds the first load) and never unloaded after its init succeeded; each
 * plugin brings one service area.  The registry is process-wide and guarded
 * by a lock: every function here may be called from any thread.  Loaded
 * plugins, areas and what they registered live until ap_plugins_shutdown,
 * so the pointers these functions return stay valid until then.
 *
 * Loading fails, leaving the registry as it was, with AP_E_PLUGIN and a
 * message that names the file and what was wrong: the file or its folder
 * is writable by others; not a shared library (the system loader's reason
 * quoted, dlerror's or FormatMessage's); no
 * apportion_plugin_info or apportion_plugin_init; an info block too small,
 * of another ABI major or a newer ABI minor than the host's (both sides'
 * versions named); missing or malformed metadata (the field named); a
 * plugin name or service area already loaded from another file; init
 * failing (with the plugin's own message); a bad registration (the item
 * and the field named); a KPI ref already registered.
 *
 * Memory.  What the registry hands out (plugins, areas, their metadata and
 * warnings, an area's KPI set, the strings of an ap_item_info) is the
 * registry's: never freed by the caller, valid until ap_plugins_shutdown,
 * which frees it all.  ap_area_measure and ap_area_check fill a struct the
 * caller owns (an ap_measure_result, an ap_finding_list) with arrays and
 * strings the library allocated: ap_measure_result_clear and
 * ap_finding_list_clear free them and leave the struct empty (clearing
 * twice is harmless).  The Markdown of ap_area_section and a string result
 * of ap_area_call are the caller's, released with free().  On an error
 * there is nothing to release.  ap_measure_result_free and
 * ap_finding_list_free are the deprecated names of the _clear functions. */
#ifndef APPORTION_REGISTRY_H
#define APPORTION_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ap_plugin ap_plugin; /* a loaded plugin */
typedef struct ap_area ap_area;     /* its service area */

/* ---- loading ------------------------------------------------------------ */

/* Loads the shared library at path (which must hold a '/', or on Windows
 * a '/' or '\', so that the system's loader never searches a path).  When the same file is already loaded, *out is that plugin
 * and *already (if not NULL) is set to 1; otherwise 0.  *out is the
 * registry's. */
ap_status ap_plugin_load(const char *path, const ap_plugin **out,
                         int *already, ap_error *err);

/* Registers a plugin linked into the program: the same checks and init as
 * a loaded one, with `label` ("<builtin:iass>") in place of a path. */
ap_status ap_plugin_load_static(ap_plugin_info_fn info, ap_plugin_init_fn init,
                                const char *label, const ap_plugin **out,
                                ap_error *err);

/* Checks that a file may be loaded: a regular file that neither it nor its
 * folder is writable by others.  AP_E_PLUGIN saying why otherwise.
 * "Writable by others": the S_IWOTH bit on Linux and macOS; on Windows an
 * access list that lets Everyone, Authenticated Users, Users, Guests or
 * Anonymous Logon write, or no access list at all
 * (csrc/platform/platform.h says exactly what is checked). */
ap_status ap_plugin_check_path(const char *path, ap_error *err);

/* The table handed to init; static, the library's. */
const ap_host *ap_host_table(void);

/* Frees the registry (the libraries stay mapped).  Only for a program
 * about to exit, or a test: nothing registered may be in use. */
void ap_plugins_shutdown(void);

/* ---- what is loaded ----------------------------------------------------- */

size_t ap_plugin_count(void);
/* The i-th plugin in load order, or NULL when i >= ap_plugin_count(). */
const ap_plugin *ap_plugin_get(size_t i);
const ap_plugin *ap_plugin_find(const char *name);

/* The plugin's metadata, the registry's copies.  url may be NULL. */
const char *ap_plugin_name(const ap_plugin *p);
const char *ap_plugin_version(const ap_plugin *p);
const char *ap_plugin_service_area(const ap_plugin *p);
const char *ap_plugin_description(const ap_plugin *p);
const char *ap_plugin_licence(const ap_plugin *p);
const char *ap_plugin_url(const ap_plugin *p);
const char *ap_plugin_path(const ap_plugin *p);  /* or the static label */
uint32_t ap_plugin_abi_minor(const ap_plugin *p); /* as the plugin declared */
/* Warnings the plugin gave during init (host->warn), the registry's. */
size_t ap_plugin_warning_count(const ap_plugin *p);
const char *ap_plugin_warning(const ap_plugin *p, size_t i);

const ap_area *ap_plugin_area(const ap_plugin *p);
/* The service area with this code ("IASS"), or NULL. */
const ap_area *ap_area_find(const char *code);
const char *ap_area_code(const ap_area *a);
const ap_plugin *ap_area_plugin(const ap_area *a);
/* The area's KPIs, the registry's, read only. */
const ap_kpi_set *ap_area_kpis(const ap_area *a);

/* ---- what an area offers ------------------------------------------------- */

#define AP_ITEM_KIND_MAP(X)                   \
    X(AP_ITEM_MEASURE, "measure")             \
    X(AP_ITEM_RULE, "rule")                   \
    X(AP_ITEM_CHECK, "check")                 \
    X(AP_ITEM_SECTION, "section")             \
    X(AP_ITEM_CALCULATOR, "calculator")

typedef enum ap_item_kind {
#define AP__ENUM(code, text) code,
    AP_ITEM_KIND_MAP(AP__ENUM)
#undef AP__ENUM
    AP_ITEM_KIND_COUNT
} ap_item_kind;

const char *ap_item_kind_name(ap_item_kind kind);
const char *ap_value_type_name(ap_value_type type);
const char *ap_severity_name(ap_severity severity);

/* One registered item, the registry's strings. */
typedef struct ap_item_info {
    const char *name;
    const char *description;  /* a section's title */
    const char *detail;       /* a measure's columns, a calculator's
                                 signature; "" otherwise */
    int64_t scale;            /* measures: value = scale * num / den */
    unsigned flags;           /* measures: AP_MEASURE_* */
    ap_value_type result;     /* calculators */
    size_t n_args;            /* calculators */
    ap_value_type args[AP_CALCULATOR_MAX_ARGS];
} ap_item_info;

size_t ap_area_item_count(const ap_area *a, ap_item_kind kind);
/* The i-th item of a kind in registration order; AP_E_INPUT when out of
 * range. */
ap_status ap_area_item(const ap_area *a, ap_item_kind kind, size_t i,
                       ap_item_info *out, ap_error *err);
/* The item by name; AP_E_INPUT naming the area and listing the names it
 * has when there is none. */
ap_status ap_area_item_find(const ap_area *a, ap_item_kind kind,
                            const char *name, ap_item_info *out,
                            ap_error *err);

/* ---- running what an area offers --------------------------------------- */

/* What one group of records came to. */
typedef struct ap_measure_group {
    int64_t key;
    int64_t rows;
    int64_t numerator;
    int64_t denominator;
} ap_measure_group;

/* One row per distinct key in ascending key order.  The struct is the
 * caller's; after a successful call its groups array is too, released with
 * ap_measure_result_clear. */
typedef struct ap_measure_result {
    ap_measure_group *groups;
    size_t n_groups;
    int64_t scale;
} ap_measure_result;

/* Runs a measure on in's records (the caller's), grouped by keys (n_rows,
 * or NULL for one group with key 0), summing numerators and denominators
 * exactly (overflow is AP_E_OVERFLOW).  Before the call, each column the
 * measure declared must be present; after, a negative denominator is an
 * error naming the measure and the row.  A measure's own error comes back
 * with its status and message, prefixed by the area and measure names. */
ap_status ap_area_measure(const ap_area *a, const char *name,
                          const ap_measure_input *in, const int64_t *keys,
                          ap_measure_result *out, ap_error *err);
/* Frees result->groups and leaves the caller's struct empty (NULL, 0);
 * clearing twice, or NULL, is fine. */
void ap_measure_result_clear(ap_measure_result *result);
/* The old name of ap_measure_result_clear, kept for one release: still
 * exported, so code built against it links; the compiler warns at each
 * use. */
AP_DEPRECATED("use ap_measure_result_clear")
void ap_measure_result_free(ap_measure_result *result);

/* Runs a recharge rule into instalments (in->n_instalments, the
 * caller's), and checks that they sum exactly to the actual share when
 * known, else to the budget share. */
ap_status ap_area_recharge(const ap_area *a, const char *name,
                           const ap_recharge_input *in, int64_t *instalments,
                           ap_error *err);

typedef struct ap_finding {
    ap_severity severity;
    char *field;     /* the path it is about, or "" */
    char *message;
} ap_finding;

typedef struct ap_finding_list {
    ap_finding *items;
    size_t n;
} ap_finding_list;

/* Runs a check into the caller's *out.  After a successful call the
 * findings in it (possibly none: nothing found) and their strings are the
 * caller's too, released with ap_finding_list_clear. */
ap_status ap_area_check(const ap_area *a, const char *name,
                        const ap_fields *data, ap_finding_list *out,
                        ap_error *err);
/* Frees every finding's field and message and the items array, and
 * leaves the caller's list empty (NULL, 0); clearing twice, or NULL, is
 * fine. */
void ap_finding_list_clear(ap_finding_list *list);
/* The old name of ap_finding_list_clear, kept for one release: still
 * exported, so code built against it links; the compiler warns at each
 * use. */
AP_DEPRECATED("use ap_finding_list_clear")
void ap_finding_list_free(ap_finding_list *list);

/* Runs a report section; *text (Markdown, NUL-terminated) is the caller's,
 * released with free(). */
ap_status ap_area_section(const ap_area *a, const char *name,
                          const ap_fields *data, char **text, ap_error *err);

/* Calls a calculator through libffi.  args must match the declared types
 * in number and type (an argument of the wrong type is AP_E_INPUT naming
 * its position, the expected and the given type).  A string result is the
 * caller's, released with free(): ap_value holds it as const char *, so
 * cast it back, free((char *)result.as.s).  On error there is no string
 * to free. */
ap_status ap_area_call(const ap_area *a, const char *name,
                       const ap_value *args, size_t n_args, ap_value *result,
                       ap_error *err);

/* ---- the host's own registrations -------------------------------------- */

/* Adds a measure or rule to a loaded area from outside a plugin (the
 * Python glue registers Python callables this way).  The same checks as
 * registration during init, and AP_E_PLUGIN for an area not loaded or a
 * name the area has already.
 * def->fn and def->user must stay valid until ap_plugins_shutdown. */
ap_status ap_area_add_measure(const char *area_code, const ap_measure_def *def,
                              ap_error *err);
ap_status ap_area_add_rule(const char *area_code, const ap_rule_def *def,
                           ap_error *err);

#ifdef __cplusplus
}
#endif

#endif
