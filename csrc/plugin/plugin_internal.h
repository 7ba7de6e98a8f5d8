/* The registry's structures, shared by the plugin files of the core:
 *   plugin_registry.c  the process-wide registry, its lock and lookups
 *   plugin_loader.c    path checks, opening the library, info checks,
 *                      init and commit
 *   plugin_file_check.c  the check of a file's bytes before it is opened:
 *                      its format, and all of an ELF file
 *   plugin_probe.c     loading a plugin first in a child process
 *   plugin_host.c      the host table, item definitions and registration
 *   plugin_call.c      calculator signatures and calls through libffi
 *   plugin_run.c       running measures, rules, checks and sections
 *   plugin_data.c      fields, findings and text sinks
 *   plugin_measures.c  whole measures for plugins (measure_within,
 *                      rereferral_flags)
 *   figure_compare.c   printed figures for checks (money_text,
 *                      compare_figure)
 * Internal to the core. */
#ifndef APPORTION_PLUGIN_INTERNAL_H
#define APPORTION_PLUGIN_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <ffi.h>

#include "apportion/registry.h"
#include "platform/platform.h"

/* ---- registered items (each allocated on its own, so pointers to it stay
 * valid while the arrays holding them grow) ---------------------------- */

typedef struct ap__measure {
    char *name, *description, *columns;
    char **column_names; /* columns split at commas, trimmed */
    size_t n_column_names;
    int64_t scale;
    unsigned flags;
    ap_measure_fn fn;
    void *user;
} ap__measure;

typedef struct ap__rule {
    char *name, *description;
    ap_rule_fn fn;
    void *user;
} ap__rule;

typedef struct ap__check {
    char *name, *description;
    ap_check_fn fn;
    void *user;
} ap__check;

typedef struct ap__section {
    char *name, *title;
    ap_section_fn fn;
    void *user;
} ap__section;

typedef struct ap__calculator {
    char *name, *description, *signature;
    ap_value_type result;
    size_t n_args;
    ap_value_type args[AP_CALCULATOR_MAX_ARGS];
    ap_generic_fn fn;
    /* Prepared once at registration; the call adds the trailing
     * ap_error * argument, so ffi_args has n_args + 1 entries. */
    ffi_cif cif;
    ffi_type *ffi_args[AP_CALCULATOR_MAX_ARGS + 1];
} ap__calculator;

/* A growable array of item pointers. */
typedef struct ap__items {
    void **items;
    size_t n, cap;
} ap__items;

struct ap_area {
    char *code;
    const ap_plugin *plugin;
    ap_kpi_set kpis;                 /* source is the plugin's path */
    ap__items kinds[AP_ITEM_KIND_COUNT]; /* ap__measure *, ap__rule *, ... */
};

struct ap_plugin {
    char *name, *version, *service_area, *description, *licence, *url;
    char *path;                      /* the real path, or a static label */
    uint32_t abi_major, abi_minor;
    void *handle;                    /* the library's; NULL when static */
    int has_file_id;
    ap__plat_file_id file_id;        /* the file's, when has_file_id */
    ap_area *area;
    char **warnings;
    size_t n_warnings;
};

/* What one init registers, staged until it succeeds. */
struct ap_registrar {
    ap_plugin *plugin;     /* being loaded; plugin->area is the staged area */
    ap_status failed;      /* the first registration error, sticky */
    ap_error first_error;
    int closed;            /* set after init returns: later calls refused */
};

/* ---- the registry (plugin_registry.c) --------------------------------- */

void ap__registry_lock(void);
void ap__registry_unlock(void);

/* Appends a staged plugin, under the lock, after checking that its name,
 * service area, file and KPI refs are new.  On error nothing changes. */
ap_status ap__registry_commit(ap_plugin *plugin, ap_error *err);
/* ap__registry_commit's checks, without the append: AP_OK when the
 * staged plugin could join. */
ap_status ap__registry_check(const ap_plugin *plugin, ap_error *err);
/* The loaded plugin from the file with this identity (device and inode,
 * or volume and file index), or NULL (lock held). */
const ap_plugin *ap__registry_find_file(ap__plat_file_id id);

/* An item of an area by name, or NULL; takes the lock. */
void *ap__area_item(const ap_area *a, ap_item_kind kind, const char *name);
/* The same with an error naming the area and listing what it has. */
void *ap__area_item_or_error(const ap_area *a, ap_item_kind kind,
                             const char *name, ap_error *err);

ap_status ap__items_push(ap__items *items, void *item, ap_error *err);
/* An item's name (the name member of the struct its kind stands for). */
const char *ap__item_name(ap_item_kind kind, const void *item);
/* How many bytes of s a message quotes, for "%.*s": at most 80, not
 * cutting a UTF-8 character. */
int ap__quoted(const char *s);
/* Frees a staged or registered plugin and everything it owns (not the
 * library). */
void ap__plugin_free(ap_plugin *p);
void ap__item_free(ap_item_kind kind, void *item);

/* Nonzero when s is valid UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF); else 0 with *bad the offset of the first byte
 * that is not (plugin_names.c). */
int ap__utf8_valid(const char *s, size_t *bad);

/* ---- loading (plugin_loader.c), for the probe --------------------------- */

/* path's real path in *real (the caller frees it), after the checks of
 * ap_plugin_load: a path given, holding '/', that exists. */
ap_status ap__plugin_resolve(const char *path, char **real, ap_error *err);
/* The permissions of real and, unless the file is loaded already
 * (*already set to 1), ap_plugin_file_check_path. */
ap_status ap__plugin_checked(const char *real, int *already, ap_error *err);
/* Everything of a load but the append to the registry: dlopen, the info
 * block's checks, init, the KPI measures' check and the registry's checks
 * (a name, area or KPI ref already loaded); then, when all passed,
 * dlclose, so that the plugin's finalisers run too.  What the probe's
 * child runs. */
ap_status ap__plugin_trial(const char *real, ap_error *err);

/* ---- a file's format (plugin_file_format.c) ----------------------------- */

typedef enum ap__plugin_format {
    AP__FORMAT_UNKNOWN,
    AP__FORMAT_ELF,
    AP__FORMAT_PE,
    AP__FORMAT_MACHO
} ap__plugin_format;

/* The format of a file starting with bytes b[0..size), by its magic. */
ap__plugin_format ap__plugin_format_of(const unsigned char *b, size_t size);
/* "an ELF shared library (Linux's format)", ...: for messages. */
const char *ap__plugin_format_name(ap__plugin_format format);
/* The check of a file's format before it is read further.  On an ELF host
 * an ELF file, or one of no known format, is left to the ELF reader
 * (*read_elf set to 1, AP_OK).  A file of the host's format on Windows or
 * macOS has its PE or Mach-O header checked here (the processor, that it
 * is a library); a file of another platform's format is refused, naming
 * it and what this host loads. */
ap_status ap__plugin_format_check(const unsigned char *b, size_t size,
                                  const char *name, int *read_elf,
                                  ap_error *err);

/* ---- making items (plugin_item.c) -------------------------------------- */

/* Checks def, the definition of an item of kind (an ap_measure_def for
 * AP_ITEM_MEASURE, and so on), and copies it into a new item in *out (an
 * ap__measure *, ...; NULL on error): the checks shared by registration
 * during init and ap_area_add_*.  what names the plugin or caller in
 * messages. */
ap_status ap__item_make(ap_item_kind kind, const void *def, const char *what,
                        void **out, ap_error *err);

/* ---- calculators' signatures (plugin_signature.c) ----------------------- */

/* Reads a signature ("money(money, int64)") into c->result, c->args and
 * c->n_args and prepares c->cif.  Any fault is AP_E_PLUGIN, with a
 * message that starts `signature "..."` and names the unknown type or the
 * syntax fault; the caller adds which calculator it is. */
ap_status ap__calculator_prepare(ap__calculator *c, const char *signature,
                                 ap_error *err);

/* ---- running items (plugin_run.c) --------------------------------------- */

/* A plugin function's own failure with status st, reported under the
 * area and item as "AREA.name: message".  fallback says what went wrong
 * when inner has no message (NULL: "failed (status) without saying why");
 * a status that is not one of ours becomes AP_E_PLUGIN. */
ap_status ap__item_failed(const ap_area *a, const char *item, ap_status st,
                          const ap_error *inner, const char *fallback,
                          ap_error *err);

/* ---- data passed to and from plugins (plugin_data.c) ------------------- */

/* A check's findings as it gives them.  The first failed append is
 * sticky: failed is then AP_E_NOMEM (out of memory), or AP_E_INPUT (an
 * unknown severity or a NULL format), and every later append returns it,
 * since host->finding has no error argument to say more.  cap is the
 * allocated length of list.items. */
struct ap_findings {
    ap_finding_list list;
    size_t cap;
    ap_status failed;
};

/* Formats into a new malloc'd string in *out: AP_OK, else AP_E_INPUT
 * when vsnprintf cannot expand the format or AP_E_NOMEM, with *out NULL.
 * ap is used up, as by vsnprintf. */
ap_status ap__vformat(char **out, const char *fmt, va_list ap);

const int64_t *ap__records_column(const ap_measure_input *in,
                                  const char *name, ap_error *err);
const ap_value *ap__field_find(const ap_fields *fields, const char *path);
ap_status ap__field_money(const ap_fields *fields, const char *path,
                          ap_unit unit, int64_t *out, ap_error *err);
/* field_money for printed tables (host->field_figure): also the figure's
 * resolution, a lone "-", en or em dash or "nil" as an exact 0, and the
 * integer 0 as 0.  Shares its reader with ap__field_money. */
ap_status ap__field_figure(const ap_fields *fields, const char *path,
                           ap_unit unit, int64_t *pence, int64_t *resolution,
                           ap_error *err);
size_t ap__field_count(const ap_fields *fields, const char *prefix);
ap_status ap__finding(ap_findings *out, ap_severity severity,
                      const char *field, const char *fmt, ...)
    AP_PRINTF_FORMAT(4, 5)
    ;

/* ---- whole measures for plugins (plugin_measures.c) -------------------- */

/* host->measure_within: the parameter "convention" and two date columns
 * of in, then ap_sla_rows over rows [from, to). */
ap_status ap__measure_within(const ap_measure_input *in,
                             const char *start_column, const char *end_column,
                             int64_t limit, size_t from, size_t to,
                             int64_t *numerator, int64_t *denominator,
                             ap_error *err);
/* host->rereferral_flags: ap_rereferrals' flags for all n records. */
ap_status ap__rereferral_flags(const int64_t *subjects, const int64_t *dates,
                               size_t n, int64_t window_months,
                               uint8_t *flags, ap_error *err);

/* ---- printed figures for checks (plugin_figures.c) --------------------- */

/* host->money_text: pence in unit with the fewest exact decimals. */
void ap__money_text(int64_t pence, ap_unit unit, char *buf, size_t size);
/* host->compare_figure: nothing, a warning within the rounding, or an
 * error, written to out. */
ap_status ap__compare_figure(ap_findings *out, const char *path,
                             const char *what_stated, int64_t stated,
                             int64_t stated_resolution,
                             const char *what_computed, int64_t computed,
                             int64_t computed_resolution, ap_unit unit);

#endif
