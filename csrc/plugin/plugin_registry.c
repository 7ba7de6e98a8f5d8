/* The process-wide registry of loaded plugins and their service areas.
 *
 * One mutex guards the list of plugins and every area's item arrays (the
 * only things that change after a load: ap_area_add_measure and
 * ap_area_add_rule append to a loaded area).  A plugin's metadata and KPIs
 * never change once committed, so their accessors read them without the
 * lock.  Items are allocated one by one and never freed before
 * ap_plugins_shutdown, so the strings ap_area_item hands out stay valid
 * after the lock is released even when the arrays holding them grow. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "kpi/kpi_internal.h"
#include "platform/platform.h"
#include "plugin/plugin_internal.h"

static struct {
    ap__plat_mutex lock;
    ap_plugin **plugins; /* in load order */
    size_t n, cap;
} registry = {AP__PLAT_MUTEX_INIT, NULL, 0, 0};

void ap__registry_lock(void)
{
    ap__plat_mutex_lock(&registry.lock);
}

void ap__registry_unlock(void)
{
    ap__plat_mutex_unlock(&registry.lock);
}

static int valid_kind(ap_item_kind kind)
{
    return (int)kind >= 0 && kind < AP_ITEM_KIND_COUNT;
}

static void area_free(ap_area *a)
{
    if (a == NULL)
        return;
    free(a->code);
    /* The set is embedded in the area, so ap_kpi_set_free cannot take it:
     * its KPIs are released one by one, as that function does. */
    for (size_t i = 0; i < a->kpis.n; i++)
        ap__kpi_release(&a->kpis.kpis[i]);
    free(a->kpis.kpis);
    free(a->kpis.source);
    for (int k = 0; k < AP_ITEM_KIND_COUNT; k++) {
        for (size_t i = 0; i < a->kinds[k].n; i++)
            ap__item_free((ap_item_kind)k, a->kinds[k].items[i]);
        free(a->kinds[k].items);
    }
    free(a);
}

void ap__plugin_free(ap_plugin *p)
{
    if (p == NULL)
        return;
    free(p->name);
    free(p->version);
    free(p->service_area);
    free(p->description);
    free(p->licence);
    free(p->url);
    free(p->path);
    area_free(p->area);
    for (size_t i = 0; i < p->n_warnings; i++)
        free(p->warnings[i]);
    free(p->warnings);
    free(p);
}

/* ---- lookups (lock held) ----------------------------------------------- */

static void *find_item_locked(const ap_area *a, ap_item_kind kind,
                              const char *name)
{
    const ap__items *items = &a->kinds[kind];
    for (size_t i = 0; i < items->n; i++)
        if (strcmp(ap__item_name(kind, items->items[i]), name) == 0)
            return items->items[i];
    return NULL;
}

/* Writes "\"a\", \"b\"" into buf, cut short with "..." when it does not
 * fit. */
static void list_names_locked(const ap_area *a, ap_item_kind kind, char *buf,
                              size_t size)
{
    const ap__items *items = &a->kinds[kind];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < items->n; i++) {
        /* Keep room for ", ..." so a cut list still says it was cut. */
        int w = snprintf(buf + used, size - used - 6, "%s\"%s\"",
                         i ? ", " : "", ap__item_name(kind, items->items[i]));
        if (w < 0 || (size_t)w >= size - used - 6) {
            snprintf(buf + used, size - used, "%s...", i ? ", " : "");
            return;
        }
        used += (size_t)w;
    }
}

static ap_status not_found_locked(const ap_area *a, ap_item_kind kind,
                                  const char *name, ap_error *err)
{
    const char *k = ap_item_kind_name(kind);
    if (a->kinds[kind].n == 0)
        return ap_error_set(err, AP_E_INPUT, "service area \"%s\" has no %s "
                            "\"%.*s\"; it has no %ss",
                            a->code, k, ap__quoted(name), name, k);
    char list[300];
    list_names_locked(a, kind, list, sizeof list);
    return ap_error_set(err, AP_E_INPUT, "service area \"%s\" has no %s "
                        "\"%.*s\"; its %ss are %s",
                        a->code, k, ap__quoted(name), name, k, list);
}

static int same_file(ap__plat_file_id a, ap__plat_file_id b)
{
    return a.volume == b.volume && a.index == b.index;
}

const ap_plugin *ap__registry_find_file(ap__plat_file_id id)
{
    for (size_t i = 0; i < registry.n; i++) {
        const ap_plugin *p = registry.plugins[i];
        if (p->has_file_id && same_file(p->file_id, id))
            return p;
    }
    return NULL;
}

static ap_plugin *find_plugin_locked(const char *name)
{
    for (size_t i = 0; i < registry.n; i++)
        if (strcmp(registry.plugins[i]->name, name) == 0)
            return registry.plugins[i];
    return NULL;
}

static ap_area *find_area_locked(const char *code)
{
    for (size_t i = 0; i < registry.n; i++)
        if (strcmp(registry.plugins[i]->area->code, code) == 0)
            return registry.plugins[i]->area;
    return NULL;
}

void *ap__area_item(const ap_area *a, ap_item_kind kind, const char *name)
{
    if (a == NULL || !valid_kind(kind) || name == NULL)
        return NULL;
    ap__registry_lock();
    void *item = find_item_locked(a, kind, name);
    ap__registry_unlock();
    return item;
}

void *ap__area_item_or_error(const ap_area *a, ap_item_kind kind,
                             const char *name, ap_error *err)
{
    if (a == NULL || !valid_kind(kind) || name == NULL) {
        ap_error_set(err, AP_E_INPUT, "no service area, item kind or name "
                     "given");
        return NULL;
    }
    ap__registry_lock();
    void *item = find_item_locked(a, kind, name);
    if (item == NULL)
        not_found_locked(a, kind, name, err);
    ap__registry_unlock();
    return item;
}

/* ---- committing a load ------------------------------------------------- */

/* Whether a staged plugin may join: its name, service area, file and
 * KPI refs new (lock held). */
static ap_status check_new_locked(const ap_plugin *plugin, ap_error *err)
{
    const ap_area *area = plugin->area;
    ap_status st = AP_OK;
    for (size_t i = 0; i < registry.n && st == AP_OK; i++) {
        const ap_plugin *q = registry.plugins[i];
        if (strcmp(q->name, plugin->name) == 0)
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s: a plugin named "
                              "\"%s\" is already loaded, from %s",
                              plugin->path, plugin->name, q->path);
        else if (strcmp(q->area->code, area->code) == 0)
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s: service area "
                              "\"%s\" is already provided by plugin \"%s\" "
                              "(%s); one service area has one plugin",
                              plugin->path, area->code, q->name, q->path);
        else if (plugin->has_file_id && q->has_file_id &&
                 same_file(q->file_id, plugin->file_id))
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s: this file is "
                              "already loaded as plugin \"%s\" from %s",
                              plugin->path, q->name, q->path);
        for (size_t k = 0; k < area->kpis.n && st == AP_OK; k++) {
            const char *ref = area->kpis.kpis[k].ref;
            for (size_t j = 0; j < q->area->kpis.n; j++)
                if (strcmp(q->area->kpis.kpis[j].ref, ref) == 0) {
                    st = ap_error_set(err, AP_E_PLUGIN, "plugin %s: KPI "
                                      "\"%s\" is already registered by "
                                      "service area \"%s\" (plugin \"%s\", "
                                      "%s); KPI refs must be unique",
                                      plugin->path, ref, q->area->code,
                                      q->name, q->path);
                    break;
                }
        }
    }
    return st;
}

ap_status ap__registry_check(const ap_plugin *plugin, ap_error *err)
{
    ap__registry_lock();
    ap_status st = check_new_locked(plugin, err);
    ap__registry_unlock();
    return st;
}

ap_status ap__registry_commit(ap_plugin *plugin, ap_error *err)
{
    ap__registry_lock();
    ap_status st = check_new_locked(plugin, err);
    if (st == AP_OK && registry.n == registry.cap) {
        size_t cap = registry.cap ? registry.cap * 2 : 8;
        ap_plugin **grown = realloc(registry.plugins,
                                    cap * sizeof *grown);
        if (grown == NULL) {
            st = ap_error_set(err, AP_E_NOMEM, "out of memory loading "
                              "plugin %s", plugin->path);
        } else {
            registry.plugins = grown;
            registry.cap = cap;
        }
    }
    if (st == AP_OK)
        registry.plugins[registry.n++] = plugin;
    ap__registry_unlock();
    return st;
}

void ap_plugins_shutdown(void)
{
    ap__registry_lock();
    for (size_t i = 0; i < registry.n; i++)
        ap__plugin_free(registry.plugins[i]);
    free(registry.plugins);
    registry.plugins = NULL;
    registry.n = registry.cap = 0;
    ap__registry_unlock();
}

/* ---- what is loaded ---------------------------------------------------- */

size_t ap_plugin_count(void)
{
    ap__registry_lock();
    size_t n = registry.n;
    ap__registry_unlock();
    return n;
}

const ap_plugin *ap_plugin_get(size_t i)
{
    ap__registry_lock();
    const ap_plugin *p = i < registry.n ? registry.plugins[i] : NULL;
    ap__registry_unlock();
    return p;
}

const ap_plugin *ap_plugin_find(const char *name)
{
    if (name == NULL)
        return NULL;
    ap__registry_lock();
    const ap_plugin *p = find_plugin_locked(name);
    ap__registry_unlock();
    return p;
}

/* A committed plugin's metadata never changes: read without the lock. */
const char *ap_plugin_name(const ap_plugin *p)
{
    return p ? p->name : NULL;
}

const char *ap_plugin_version(const ap_plugin *p)
{
    return p ? p->version : NULL;
}

const char *ap_plugin_service_area(const ap_plugin *p)
{
    return p ? p->service_area : NULL;
}

const char *ap_plugin_description(const ap_plugin *p)
{
    return p ? p->description : NULL;
}

const char *ap_plugin_licence(const ap_plugin *p)
{
    return p ? p->licence : NULL;
}

const char *ap_plugin_url(const ap_plugin *p)
{
    return p ? p->url : NULL;
}

const char *ap_plugin_path(const ap_plugin *p)
{
    return p ? p->path : NULL;
}

uint32_t ap_plugin_abi_minor(const ap_plugin *p)
{
    return p ? p->abi_minor : 0;
}

size_t ap_plugin_warning_count(const ap_plugin *p)
{
    return p ? p->n_warnings : 0;
}

const char *ap_plugin_warning(const ap_plugin *p, size_t i)
{
    return p && i < p->n_warnings ? p->warnings[i] : NULL;
}

const ap_area *ap_plugin_area(const ap_plugin *p)
{
    return p ? p->area : NULL;
}

const ap_area *ap_area_find(const char *code)
{
    if (code == NULL)
        return NULL;
    ap__registry_lock();
    const ap_area *a = find_area_locked(code);
    ap__registry_unlock();
    return a;
}

const char *ap_area_code(const ap_area *a)
{
    return a ? a->code : NULL;
}

const ap_plugin *ap_area_plugin(const ap_area *a)
{
    return a ? a->plugin : NULL;
}

const ap_kpi_set *ap_area_kpis(const ap_area *a)
{
    return a ? &a->kpis : NULL;
}

/* ---- what an area offers ----------------------------------------------- */

size_t ap_area_item_count(const ap_area *a, ap_item_kind kind)
{
    if (a == NULL || !valid_kind(kind))
        return 0;
    ap__registry_lock();
    size_t n = a->kinds[kind].n;
    ap__registry_unlock();
    return n;
}

static void item_info(ap_item_kind kind, const void *item, ap_item_info *out)
{
    memset(out, 0, sizeof *out);
    out->detail = "";
    switch (kind) {
    case AP_ITEM_MEASURE: {
        const ap__measure *m = item;
        out->name = m->name;
        out->description = m->description;
        out->detail = m->columns;
        out->scale = m->scale;
        out->flags = m->flags;
        break;
    }
    case AP_ITEM_RULE: {
        const ap__rule *r = item;
        out->name = r->name;
        out->description = r->description;
        break;
    }
    case AP_ITEM_CHECK: {
        const ap__check *c = item;
        out->name = c->name;
        out->description = c->description;
        break;
    }
    case AP_ITEM_SECTION: {
        const ap__section *s = item;
        out->name = s->name;
        out->description = s->title;
        break;
    }
    case AP_ITEM_CALCULATOR: {
        const ap__calculator *c = item;
        out->name = c->name;
        out->description = c->description;
        out->detail = c->signature;
        out->result = c->result;
        out->n_args = c->n_args;
        memcpy(out->args, c->args, c->n_args * sizeof c->args[0]);
        break;
    }
    default:
        break;
    }
}

ap_status ap_area_item(const ap_area *a, ap_item_kind kind, size_t i,
                       ap_item_info *out, ap_error *err)
{
    if (a == NULL || !valid_kind(kind) || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_area_item: no area, an "
                            "unknown item kind or no output");
    ap_status st = AP_OK;
    ap__registry_lock();
    size_t n = a->kinds[kind].n;
    if (i < n)
        item_info(kind, a->kinds[kind].items[i], out);
    else
        st = ap_error_set(err, AP_E_INPUT, "service area \"%s\" has no %s "
                          "%zu: it has %zu (counting from 0)", a->code,
                          ap_item_kind_name(kind), i, n);
    ap__registry_unlock();
    return st;
}

ap_status ap_area_item_find(const ap_area *a, ap_item_kind kind,
                            const char *name, ap_item_info *out,
                            ap_error *err)
{
    if (a == NULL || !valid_kind(kind) || name == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_area_item_find: no area, "
                            "an unknown item kind, no name or no output");
    ap_status st = AP_OK;
    ap__registry_lock();
    const void *item = find_item_locked(a, kind, name);
    if (item != NULL)
        item_info(kind, item, out);
    else
        st = not_found_locked(a, kind, name, err);
    ap__registry_unlock();
    return st;
}

/* ---- the host's own registrations -------------------------------------- */

/* Adds a made item to the loaded area `code`, refusing a name it has. */
static ap_status add_item(const char *code, ap_item_kind kind, void *item,
                          ap_error *err)
{
    const char *name = ap__item_name(kind, item);
    ap_status st = AP_OK;
    ap__registry_lock();
    ap_area *a = find_area_locked(code);
    if (a == NULL)
        st = ap_error_set(err, AP_E_PLUGIN, "no service area \"%.*s\" is "
                          "loaded; load its plugin first",
                          ap__quoted(code), code);
    else if (find_item_locked(a, kind, name) != NULL)
        st = ap_error_set(err, AP_E_PLUGIN, "service area \"%s\" already has "
                          "a %s named \"%s\"", a->code, ap_item_kind_name(kind),
                          name);
    else
        st = ap__items_push(&a->kinds[kind], item, err);
    ap__registry_unlock();
    if (st != AP_OK)
        ap__item_free(kind, item);
    return st;
}

/* ap_area_add_measure and ap_area_add_rule: fn names the function in
 * messages, and the area the caller in those about its definition. */
static ap_status add_from_def(const char *fn, const char *area_code,
                              ap_item_kind kind, const void *def,
                              ap_error *err)
{
    ap_error_clear(err);
    if (area_code == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: no service area code given",
                            fn);
    char what[128];
    snprintf(what, sizeof what, "service area \"%.*s\"",
             ap__quoted(area_code), area_code);
    void *item = NULL;
    ap_status st = ap__item_make(kind, def, what, &item, err);
    if (st != AP_OK)
        return st;
    return add_item(area_code, kind, item, err);
}

ap_status ap_area_add_measure(const char *area_code, const ap_measure_def *def,
                              ap_error *err)
{
    return add_from_def("ap_area_add_measure", area_code, AP_ITEM_MEASURE, def,
                        err);
}

ap_status ap_area_add_rule(const char *area_code, const ap_rule_def *def,
                           ap_error *err)
{
    return add_from_def("ap_area_add_rule", area_code, AP_ITEM_RULE, def, err);
}
