/* Loading a plugin: the file's permissions, the check of its bytes
 * (plugin_file_check.c), opening the library (dlopen, LoadLibrary: the
 * platform layer's), the info block, init, and the commit to the
 * registry.
 *
 * Every failure leaves the registry as it was: the plugin is staged (its
 * own ap_plugin and area, seen only by this thread) until init has
 * succeeded and every check passed, and a library whose init did not
 * succeed is closed again.  Loads run one at a time under load_lock, a
 * lock of their own, so a plugin's init never runs with the registry lock
 * held and other threads can use what is loaded meanwhile. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"

static ap__plat_mutex load_lock = AP__PLAT_MUTEX_INIT;

/* A staged plugin and its registrar in one allocation, the plugin first so
 * that ap__plugin_free's free(plugin) releases both.  The registrar thus
 * lives as long as the plugin: a plugin that kept the pointer and
 * registers after init finds it closed, not freed. */
typedef struct staged_plugin {
    ap_plugin plugin;
    ap_registrar reg;
} staged_plugin;

/* ---- the file ------------------------------------------------------------ */

/* Checks path as ap_plugin_check_path does and leaves what it found in
 * *info.  Another user able to write the file, or to replace it in its
 * folder, could run code in this process.  What "writable by others"
 * means on each platform: platform/platform.h (ap__plat_file_info). */
static ap_status check_path(const char *path, ap__plat_file_info *info,
                            ap_error *err)
{
    char why[AP_ERROR_MESSAGE_SIZE], fix[AP_ERROR_MESSAGE_SIZE];
    if (ap__plat_file_info_get(path, info, why, sizeof why) != 0)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be read: %s",
                            path, why);
    if (info->kind != AP__PLAT_FILE_REGULAR)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: it is "
                            "not a regular file", path);
    if (info->others_may_write) {
        ap__plat_others_write_fix(path, info, fix, sizeof fix);
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: it is "
                            "writable by others %s", path, fix);
    }

    /* Its folder: up to the last separator (the separator too for the
     * root, "/" or a drive's "C:\"), or "." for a bare name. */
    const char *slash = ap__plat_last_separator(path);
    size_t len = slash == NULL ? 1 : (size_t)(slash - path);
    if (slash != NULL && (slash == path || slash[-1] == ':'))
        len++;
    char *folder = malloc(len + 1);
    if (folder == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking plugin "
                            "%s", path);
    memcpy(folder, slash == NULL ? "." : path, len);
    folder[len] = '\0';
    ap__plat_file_info fb;
    ap_status st = AP_OK;
    if (ap__plat_file_info_get(folder, &fb, why, sizeof why) != 0) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be checked: "
                          "its folder %s cannot be read: %s",
                          path, folder, why);
    } else if (fb.others_may_write) {
        ap__plat_others_write_fix(folder, &fb, fix, sizeof fix);
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: its "
                          "folder %s is writable by others %s",
                          path, folder, fix);
    }
    free(folder);
    return st;
}

ap_status ap_plugin_check_path(const char *path, ap_error *err)
{
    ap_error_clear(err);
    if (path == NULL || path[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "no plugin path given");
    ap__plat_file_info info;
    return check_path(path, &info, err);
}

/* ---- the info block ------------------------------------------------------ */

/* [a-z0-9_-] for a plugin name, [A-Z0-9_] for a service area, 1 to max
 * characters. */
static int well_formed(const char *s, size_t max, int upper)
{
    size_t len = strlen(s);
    if (len == 0 || len > max)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= '0' && c <= '9') || c == '_' ||
                 (upper ? (c >= 'A' && c <= 'Z')
                        : ((c >= 'a' && c <= 'z') || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}

/* url is ABI 1.1: read only when the plugin's block has it. */
static const char *info_url(const ap_plugin_info *info)
{
    if (info->size >= offsetof(ap_plugin_info, url) + sizeof info->url)
        return info->url;
    return NULL;
}

static ap_status check_text(const char *value, const char *field,
                            const char *where, ap_error *err)
{
    if (value == NULL || value[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: its info block has "
                            "no %s; every plugin gives a name, version, "
                            "service_area, description and licence",
                            where, field);
    return AP_OK;
}

/* Where an info block's pointers may point: into a readable loaded
 * segment of an object the dynamic loader has mapped (the plugin's own,
 * or a library it opened, as a shim plugin does), found by the platform
 * layer (dl_iterate_phdr, dyld's images, VirtualQuery).  A pointer
 * damaged in the file, or set wrong by the plugin, points elsewhere and
 * is refused, never followed. */
typedef struct segment {
    uintptr_t at;         /* the address looked for */
    uintptr_t start, end; /* the segment holding it, when found */
} segment;

/* The loaded segment holding p, or 0 when none does. */
static int segment_of(const void *p, segment *s)
{
    s->at = (uintptr_t)p;
    s->start = s->end = 0;
    return ap__plat_loaded_span(p, &s->start, &s->end);
}

/* Nonzero when [p, p + len) lies in one loaded segment. */
static int readable(const void *p, size_t len)
{
    segment s;
    return segment_of(p, &s) && len <= s.end - s.at;
}

/* Nonzero when the string at p ends inside the segment it starts in. */
static int readable_string(const char *p)
{
    segment s;
    return segment_of(p, &s) && memchr(p, '\0', s.end - s.at) != NULL;
}

/* Every pointer of the info block, before anything reads through it:
 * the block itself, then each string, inside loaded segments. */
static ap_status check_info_pointers(const ap_plugin_info *info,
                                     const char *where, ap_error *err)
{
    if (info == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: %s() returned NULL",
                            where, AP_PLUGIN_INFO_SYMBOL);
    if (!readable(info, sizeof info->size))
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: %s() "
                            "returned %p, outside every loaded segment",
                            where, AP_PLUGIN_INFO_SYMBOL, (const void *)info);
    size_t size = info->size < sizeof *info ? info->size : sizeof *info;
    if (size < sizeof info->size)
        size = sizeof info->size;
    if (!readable(info, size))
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: its info "
                            "block (%zu bytes at %p) runs out of its loaded "
                            "segment", where, info->size,
                            (const void *)info);
    if (size < AP_PLUGIN_INFO_SIZE_1_0)
        return AP_OK; /* check_info refuses it, naming the size */
    const struct {
        const char *field;
        const char *value;
    } texts[] = {
        {"name", info->name},
        {"version", info->version},
        {"service_area", info->service_area},
        {"description", info->description},
        {"licence", info->licence},
        {"url", size >= offsetof(ap_plugin_info, url) + sizeof info->url
                    ? info->url
                    : NULL},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (texts[i].value != NULL && !readable_string(texts[i].value))
            return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: its "
                                "info block's %s points at %p, outside every "
                                "loaded segment", where,
                                texts[i].field, (const void *)texts[i].value);
    return AP_OK;
}

/* A text of the info block must be UTF-8, as everything Python shows. */
static ap_status check_utf8(const char *value, const char *field,
                            const char *where, ap_error *err)
{
    size_t bad;
    if (value == NULL || ap__utf8_valid(value, &bad))
        return AP_OK;
    return ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: its info "
                        "block's %s is not valid UTF-8 (byte %zu is 0x%02x)",
                        where, field, bad + 1, (unsigned)(unsigned char)value[bad]);
}

static ap_status check_info(const ap_plugin_info *info, const char *where,
                            ap_error *err)
{
    if (info == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: %s() returned NULL",
                            where, AP_PLUGIN_INFO_SYMBOL);
    if (info->size < AP_PLUGIN_INFO_SIZE_1_0)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: its info block "
                            "declares %zu bytes, fewer than the %zu of plugin "
                            "ABI 1.0; build it against apportion/plugin.h and "
                            "start the block with AP_PLUGIN_INFO_HEADER",
                            where, info->size,
                            (size_t)AP_PLUGIN_INFO_SIZE_1_0);
    if (info->abi_major != AP_PLUGIN_ABI_MAJOR)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s was built for plugin "
                            "ABI %u.%u, but this host speaks ABI %d.%d, and "
                            "ABI majors do not mix; %s",
                            where, (unsigned)info->abi_major,
                            (unsigned)info->abi_minor, AP_PLUGIN_ABI_MAJOR,
                            AP_PLUGIN_ABI_MINOR,
                            info->abi_major > AP_PLUGIN_ABI_MAJOR
                                ? "upgrade apportion"
                                : "rebuild the plugin against this apportion");
    if (info->abi_minor > AP_PLUGIN_ABI_MINOR)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s was built for plugin "
                            "ABI %u.%u, newer than this host's %d.%d; upgrade "
                            "apportion", where, (unsigned)info->abi_major,
                            (unsigned)info->abi_minor, AP_PLUGIN_ABI_MAJOR,
                            AP_PLUGIN_ABI_MINOR);
    ap_status st;
    if ((st = check_text(info->name, "name", where, err)))
        return st;
    if (!well_formed(info->name, 64, 0))
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: its name \"%.*s\" "
                            "must be 1 to 64 lower-case letters, digits, '_' "
                            "or '-'",
                            where, ap__quoted(info->name), info->name);
    if ((st = check_text(info->version, "version", where, err)) ||
        (st = check_text(info->service_area, "service_area", where, err)))
        return st;
    if (!well_formed(info->service_area, 32, 1))
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: its service_area "
                            "\"%.*s\" must be 1 to 32 upper-case letters, "
                            "digits or '_', as \"IASS\"",
                            where, ap__quoted(info->service_area),
                            info->service_area);
    if ((st = check_text(info->description, "description", where, err)) ||
        (st = check_text(info->licence, "licence", where, err)))
        return st;
    if ((st = check_utf8(info->version, "version", where, err)) ||
        (st = check_utf8(info->description, "description", where, err)) ||
        (st = check_utf8(info->licence, "licence", where, err)) ||
        (st = check_utf8(info_url(info), "url", where, err)))
        return st;
    return AP_OK;
}

/* ---- staging, init and commit ------------------------------------------- */

/* A new staged plugin with copies of the info block's fields and an empty
 * area; NULL when out of memory. */
static staged_plugin *stage(const ap_plugin_info *info, const char *where)
{
    staged_plugin *block = calloc(1, sizeof *block);
    if (block == NULL)
        return NULL;
    ap_plugin *p = &block->plugin;
    const char *url = info_url(info);
    if ((p->name = ap__strdup(info->name)) == NULL ||
        (p->version = ap__strdup(info->version)) == NULL ||
        (p->service_area = ap__strdup(info->service_area)) == NULL ||
        (p->description = ap__strdup(info->description)) == NULL ||
        (p->licence = ap__strdup(info->licence)) == NULL ||
        (url != NULL && (p->url = ap__strdup(url)) == NULL) ||
        (p->path = ap__strdup(where)) == NULL ||
        (p->area = calloc(1, sizeof *p->area)) == NULL ||
        (p->area->code = ap__strdup(info->service_area)) == NULL ||
        (p->area->kpis.source = ap__strdup(where)) == NULL) {
        ap__plugin_free(p);
        return NULL;
    }
    p->abi_major = info->abi_major;
    p->abi_minor = info->abi_minor;
    p->area->plugin = p;
    block->reg.plugin = p;
    block->reg.failed = AP_OK;
    ap_error_clear(&block->reg.first_error);
    return block;
}

/* What init's return and the registrations come to. */
static ap_status init_outcome(const ap_plugin *p, const ap_registrar *reg,
                              ap_status init_st, const char *message,
                              ap_error *err)
{
    if (init_st != AP_OK) {
        const char *why = message != NULL && message[0] != '\0' ? message
                          : reg->failed != AP_OK ? reg->first_error.message
                                                 : NULL;
        if (why == NULL)
            return ap_error_set(err, AP_E_PLUGIN, "plugin %s: init failed "
                                "(%s) and gave no message",
                                p->path, ap_status_name(init_st));
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: init failed (%s): "
                            "%s", p->path, ap_status_name(init_st), why);
    }
    if (reg->failed != AP_OK) {
        ap_status st = reg->failed == AP_E_NOMEM ? AP_E_NOMEM : AP_E_PLUGIN;
        const char *first = reg->first_error.message;
        /* Registrations name the plugin, but an out-of-memory message
         * from deep inside may not. */
        if (strstr(first, p->path) == NULL)
            return ap_error_set(err, st, "plugin %s: %s", p->path, first);
        /* Whole, so a KPI parse error keeps its JSON path, line and
         * column. */
        if (err != NULL) {
            *err = reg->first_error;
            err->status = st;
        }
        return st;
    }
    return AP_OK;
}

/* Every KPI's measure must be one the plugin registered. */
static ap_status check_kpi_measures(const ap_plugin *p, ap_error *err)
{
    const ap_area *a = p->area;
    for (size_t i = 0; i < a->kpis.n; i++) {
        const ap_kpi *kpi = &a->kpis.kpis[i];
        if (kpi->measure == NULL)
            continue;
        ap_error missing;
        if (ap__area_item_or_error(a, AP_ITEM_MEASURE, kpi->measure,
                                   &missing) == NULL)
            return ap_error_set(err, AP_E_PLUGIN, "plugin %s: KPI \"%s\" "
                                "names a measure the plugin did not register: "
                                "%s", p->path, kpi->ref, missing.message);
    }
    return AP_OK;
}

/* Checks the info block (its pointers first), stages the plugin and runs
 * init: everything of a load but the commit.  where is the real path or
 * the static label.  On success *out is the staged plugin, which the
 * caller commits or frees; on failure nothing stays and the caller closes
 * the library. */
static ap_status run_init(ap_plugin_info_fn info_fn,
                          ap_plugin_init_fn init_fn, const char *where,
                          void *handle, const ap__plat_file_info *file,
                          ap_plugin **out, ap_error *err)
{
    const ap_plugin_info *info = info_fn();
    /* A file's info block is checked; a static plugin's is the program's
     * own, built with it, and may live anywhere. */
    ap_status st = handle != NULL ? check_info_pointers(info, where, err)
                                  : AP_OK;
    if (st == AP_OK)
        st = check_info(info, where, err);
    if (st != AP_OK)
        return st;
    staged_plugin *block = stage(info, where);
    if (block == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory loading plugin "
                            "%s", where);
    ap_plugin *p = &block->plugin;
    p->handle = handle;
    if (file != NULL) {
        p->has_file_id = 1;
        p->file_id = file->id;
    }

    char *message = NULL;
    ap_status init_st = init_fn(ap_host_table(), &block->reg, &message);
    block->reg.closed = 1;
    st = init_outcome(p, &block->reg, init_st, message, err);
    free(message); /* host->free */
    if (st == AP_OK)
        st = check_kpi_measures(p, err);
    if (st != AP_OK) {
        ap__plugin_free(p);
        return st;
    }
    *out = p;
    return AP_OK;
}

/* run_init, then the commit to the registry. */
static ap_status load_locked(ap_plugin_info_fn info_fn,
                             ap_plugin_init_fn init_fn, const char *where,
                             void *handle, const ap__plat_file_info *file,
                             const ap_plugin **out, ap_error *err)
{
    ap_plugin *p = NULL;
    ap_status st = run_init(info_fn, init_fn, where, handle, file, &p, err);
    if (st != AP_OK)
        return st;
    st = ap__registry_commit(p, err);
    if (st != AP_OK) {
        ap__plugin_free(p);
        return st;
    }
    *out = p;
    return AP_OK;
}

/* Opens a checked file and finds its two entry points; *handle is NULL
 * on failure. */
static ap_status open_library(const char *real, void **handle,
                              ap_plugin_info_fn *info_fn,
                              ap_plugin_init_fn *init_fn, ap_error *err)
{
    /* Every symbol resolved now (a missing one fails here, naming it, not
     * at first call), and none made global (plugins' symbols never bind
     * to each other's). */
    char why[AP_ERROR_MESSAGE_SIZE];
    *handle = ap__plat_library_open(real, why, sizeof why);
    if (*handle == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s is not a loadable "
                            "shared library: %s", real, why);
    static const char *const symbols[2] = {AP_PLUGIN_INFO_SYMBOL,
                                           AP_PLUGIN_INIT_SYMBOL};
    ap__plat_function found[2];
    for (int i = 0; i < 2; i++) {
        found[i] = ap__plat_library_function(*handle, symbols[i]);
        if (found[i] == NULL) {
            ap_status st = ap_error_set(
                err, AP_E_PLUGIN, "plugin %s has no function %s; a plugin "
                "exports %s and %s (declared with AP_PLUGIN_EXPORT)", real,
                symbols[i], AP_PLUGIN_INFO_SYMBOL, AP_PLUGIN_INIT_SYMBOL);
            ap__plat_library_close(*handle);
            *handle = NULL;
            return st;
        }
    }
    *info_fn = (ap_plugin_info_fn)found[0];
    *init_fn = (ap_plugin_init_fn)found[1];
    return AP_OK;
}

/* Opens the real path and loads it, or finds it loaded (load_lock held). */
static ap_status load_file(const char *real, const ap_plugin **out,
                           int *already, ap_error *err)
{
    ap__plat_file_info file;
    ap_status st = check_path(real, &file, err);
    if (st != AP_OK)
        return st;
    ap__registry_lock();
    const ap_plugin *loaded = ap__registry_find_file(file.id);
    ap__registry_unlock();
    if (loaded != NULL) {
        *out = loaded;
        if (already != NULL)
            *already = 1;
        return AP_OK;
    }
    /* A damaged file is never opened. */
    if ((st = ap_plugin_file_check_path(real, err)) != AP_OK)
        return st;
    void *handle;
    ap_plugin_info_fn info_fn;
    ap_plugin_init_fn init_fn;
    if ((st = open_library(real, &handle, &info_fn, &init_fn, err)) != AP_OK)
        return st;
    st = load_locked(info_fn, init_fn, real, handle, &file, out, err);
    if (st != AP_OK)
        ap__plat_library_close(handle); /* init did not succeed: nothing
                                         * points in */
    return st;
}

/* ---- for the probe (plugin_probe.c) ---------------------------------------- */

ap_status ap__plugin_resolve(const char *path, char **real, ap_error *err)
{
    *real = NULL;
    if (path == NULL || path[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "no plugin path given");
    /* Without a separator, dlopen or LoadLibrary would search a path. */
    if (ap__plat_last_separator(path) == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %.*s is refused: give "
                            "a path holding '/' (./%.*s for a file in this "
                            "folder), so that no search path is searched",
                            ap__quoted(path), path, ap__quoted(path), path);
    char why[AP_ERROR_MESSAGE_SIZE];
    int failed = ap__plat_realpath(path, real, why, sizeof why);
    if (failed)
        return ap_error_set(err, failed == AP__PLAT_NOMEM ? AP_E_NOMEM
                                                          : AP_E_PLUGIN,
                            "plugin %s cannot be found: %s", path, why);
    return AP_OK;
}

ap_status ap__plugin_checked(const char *real, int *already, ap_error *err)
{
    ap__plat_file_info file;
    *already = 0;
    ap_status st = check_path(real, &file, err);
    if (st != AP_OK)
        return st;
    ap__registry_lock();
    *already = ap__registry_find_file(file.id) != NULL;
    ap__registry_unlock();
    if (*already)
        return AP_OK;
    return ap_plugin_file_check_path(real, err);
}

ap_status ap__plugin_trial(const char *real, ap_error *err)
{
    void *handle;
    ap_plugin_info_fn info_fn;
    ap_plugin_init_fn init_fn;
    ap_status st = open_library(real, &handle, &info_fn, &init_fn, err);
    if (st != AP_OK)
        return st;
    ap_plugin *p = NULL;
    st = run_init(info_fn, init_fn, real, handle, NULL, &p, err);
    if (st != AP_OK)
        return st;
    /* A plugin the host would refuse at the commit is refused here, so
     * that the host never opens it. */
    st = ap__registry_check(p, err);
    ap__plugin_free(p);
    /* Runs the finalisers, which the host would run at its exit. */
    if (st == AP_OK)
        ap__plat_library_close(handle);
    return st;
}

ap_status ap_plugin_load(const char *path, const ap_plugin **out,
                         int *already, ap_error *err)
{
    ap_error_clear(err);
    if (already != NULL)
        *already = 0;
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_plugin_load: out is NULL");
    *out = NULL;
    char *real;
    ap_status st = ap__plugin_resolve(path, &real, err);
    if (st != AP_OK)
        return st;
    ap__plat_mutex_lock(&load_lock);
    st = load_file(real, out, already, err);
    ap__plat_mutex_unlock(&load_lock);
    free(real);
    return st;
}

ap_status ap_plugin_load_static(ap_plugin_info_fn info, ap_plugin_init_fn init,
                                const char *label, const ap_plugin **out,
                                ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_plugin_load_static: out is "
                            "NULL");
    *out = NULL;
    if (label == NULL || label[0] == '\0')
        return ap_error_set(err, AP_E_PLUGIN, "a static plugin needs a "
                            "label, such as \"<builtin:iass>\"");
    if (info == NULL || init == NULL)
        return ap_error_set(err, AP_E_PLUGIN, "plugin %s: no %s function "
                            "given", label,
                            info == NULL ? "info" : "init");
    ap__plat_mutex_lock(&load_lock);
    ap_status st = load_locked(info, init, label, NULL, NULL, out, err);
    ap__plat_mutex_unlock(&load_lock);
    return st;
}

const char *ap_plugin_file_suffix(void)
{
    return AP__PLAT_PLUGIN_SUFFIX;
}
