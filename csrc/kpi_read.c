/* Reading KPI definitions ("apportion.kpis/1") from JSON into an
 * ap_kpi_set.
 *
 * As strict as the plan reader: an unknown or repeated key, a missing
 * required key or a value of the wrong kind is an error naming the JSON
 * path, line and column.  Targets, band boundaries and tolerances are read
 * from their own text in the file, never through a double, so 79.99 is
 * exactly 7999/100 and a boundary scores exactly what the council wrote. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/kpi.h"
#include "internal.h"
#include "json_locate.h"

#define KPIS_FORMAT "apportion.kpis/1"
#define PATH_LEN AP_ERROR_PATH_SIZE
/* KPI files are a page of definitions; anything this large is a mistake. */
#define KPIS_FILE_MAX ((size_t)64 << 20)

typedef struct reader {
    const char *text; /* NUL-terminated copy of the input */
    const char *source;
    ap__json_index index;
    ap_error *err;
} reader;

/* ---- errors and paths ------------------------------------------------- */

static ap_status record(ap_error *err, const char *source, const char *path,
                        int line, int column, const char *what)
{
    if (err == NULL)
        return AP_E_PLAN;
    ap_error_set(err, AP_E_PLAN, "%s:%d:%d: %s: %s", source, line, column,
                 path, what);
    snprintf(err->path, sizeof err->path, "%s", path);
    err->line = line;
    err->column = column;
    return AP_E_PLAN;
}

/* An AP_E_PLAN error at `node` (line and column 0 if it is unknown). */
static ap_status fail(reader *rd, const cJSON *node, const char *path,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static ap_status fail(reader *rd, const cJSON *node, const char *path,
                      const char *fmt, ...)
{
    if (rd->err == NULL)
        return AP_E_PLAN;
    char what[AP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = 0, column = 0;
    const ap__json_loc *loc = node ? ap__json_find(&rd->index, node) : NULL;
    if (loc != NULL)
        ap__json_line_column(rd->text, loc->offset, &line, &column);
    return record(rd->err, rd->source, path, line, column, what);
}

/* Turns an error from the bands or numbers layer into a file error at the
 * offending value, keeping its message. */
static ap_status refail(reader *rd, const cJSON *node, const char *path)
{
    if (rd->err == NULL)
        return AP_E_PLAN;
    char inner[AP_ERROR_MESSAGE_SIZE];
    snprintf(inner, sizeof inner, "%s", rd->err->message);
    return fail(rd, node, path, "%s", inner);
}

static ap_status nomem(reader *rd)
{
    return ap_error_set(rd->err, AP_E_NOMEM,
                        "out of memory reading KPI definitions from %s",
                        rd->source);
}

/* A path too long for the error record ends in "..." rather than being
 * cut without a sign. */
static void mark_cut(char *out, int written)
{
    if (written < 0 || written >= PATH_LEN)
        memcpy(out + PATH_LEN - 4, "...", 4);
}

static void path_index(char *out, const char *path, size_t i)
{
    mark_cut(out, snprintf(out, PATH_LEN, "%s[%zu]", path, i));
}

static int is_identifier(const char *key)
{
    for (const char *c = key; *c != '\0'; c++) {
        int alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    *c == '_' || *c == '$';
        if (!alpha && (c == key || *c < '0' || *c > '9'))
            return 0;
    }
    return key[0] != '\0';
}

/* $.a.b for plain keys; $.a["in place"] for keys such as state labels
 * that a dotted path could not show unambiguously. */
static void path_key(char *out, const char *path, const char *key)
{
    if (is_identifier(key)) {
        mark_cut(out, snprintf(out, PATH_LEN, "%s.%s", path, key));
        return;
    }
    char quoted[PATH_LEN];
    size_t n = 0;
    for (const char *c = key; *c != '\0' && n + 2 < sizeof quoted; c++) {
        if (*c == '"' || *c == '\\')
            quoted[n++] = '\\';
        quoted[n++] = *c;
    }
    quoted[n] = '\0';
    /* A key cut short above makes the whole path too long, so mark_cut
     * flags it. */
    mark_cut(out, snprintf(out, PATH_LEN, "%s[\"%s\"]", path, quoted));
}

static const char *type_name(const cJSON *node)
{
    if (cJSON_IsString(node)) return "a string";
    if (cJSON_IsNumber(node)) return "a number";
    if (cJSON_IsObject(node)) return "an object";
    if (cJSON_IsArray(node)) return "an array";
    if (cJSON_IsBool(node)) return "a boolean";
    if (cJSON_IsNull(node)) return "null";
    return "an invalid value";
}

/* "a", "b", "c" (quoted when asked) into buf, stopping before it fills. */
static void join(char *buf, size_t size, const char *const *items,
                 size_t n, int quote)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, quote ? "%s\"%s\"" : "%s%s",
                         i ? ", " : "", items[i]);
        if (w < 0 || (size_t)w >= size - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
}

static size_t count(const char *const *items)
{
    size_t n = 0;
    while (items[n] != NULL)
        n++;
    return n;
}

/* ---- values ----------------------------------------------------------- */

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Refuses a non-object, unknown keys (allowed is NULL-terminated) and a
 * key given twice, which cJSON would otherwise let the first one win. */
static ap_status check_object(reader *rd, const cJSON *obj, const char *path,
                              const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return fail(rd, obj, path, "expected an object, found %s",
                    type_name(obj));
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        char p[PATH_LEN];
        path_key(p, path, m->string);
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], m->string) != 0)
            i++;
        if (allowed[i] == NULL) {
            char list[256];
            join(list, sizeof list, allowed, count(allowed), 0);
            return fail(rd, m, p, "unknown key \"%s\"; expected one of: %s",
                        m->string, list);
        }
        for (const cJSON *o = obj->child; o != m; o = o->next)
            if (strcmp(o->string, m->string) == 0)
                return fail(rd, m, p, "duplicate key \"%s\"; each key may "
                            "appear once", m->string);
    }
    return AP_OK;
}

/* A copy of a string member, or of `fallback` when it is absent and not
 * required.  *out is left alone on error. */
static ap_status read_text(reader *rd, const cJSON *obj, const char *path,
                           const char *key, int required,
                           const char *fallback, char **out)
{
    char p[PATH_LEN];
    path_key(p, path, key);
    const cJSON *node = member(obj, key);
    const char *value = fallback;
    if (node == NULL) {
        if (required)
            return fail(rd, obj, p, "missing required key \"%s\"", key);
    } else if (!cJSON_IsString(node)) {
        return fail(rd, node, p, "expected a string, found %s",
                    type_name(node));
    } else {
        value = node->valuestring;
    }
    if ((*out = ap__strdup(value)) == NULL)
        return nomem(rd);
    return AP_OK;
}

/* The index in `choices` (NULL-terminated) of a string value that must be
 * one of them exactly. */
static ap_status read_choice(reader *rd, const cJSON *node, const char *path,
                             const char *const *choices, size_t *out)
{
    char list[256];
    join(list, sizeof list, choices, count(choices), 1);
    if (!cJSON_IsString(node))
        return fail(rd, node, path, "expected one of %s, found %s", list,
                    type_name(node));
    for (size_t i = 0; choices[i] != NULL; i++) {
        if (strcmp(choices[i], node->valuestring) == 0) {
            *out = i;
            return AP_OK;
        }
    }
    const char *s = node->valuestring;
    return fail(rd, node, path, "expected one of %s, found \"%.*s\"", list,
                ap__utf8_prefix(s, strlen(s), 60), s);
}

/* A number from a JSON number's own text or from decimal text such as
 * "90%", exactly. */
static ap_status read_number(reader *rd, const cJSON *node, const char *path,
                             ap_number *out)
{
    const char *raw;
    size_t len;
    if (cJSON_IsString(node)) {
        raw = node->valuestring;
        len = strlen(raw);
    } else if (cJSON_IsNumber(node)) {
        const ap__json_loc *loc = ap__json_find(&rd->index, node);
        if (loc == NULL)
            return fail(rd, node, path, "cannot find the number's text");
        raw = rd->text + loc->offset;
        len = loc->length;
    } else {
        return fail(rd, node, path, "expected a number, or decimal text "
                    "such as \"90\" or \"79.99%%\", found %s",
                    type_name(node));
    }
    if (ap_number_parse(raw, len, out, rd->err) != AP_OK)
        return refail(rd, node, path);
    return AP_OK;
}

/* A whole JSON number, read from its digits (1e3 and 2.0 are refused:
 * a count of periods is written as one). */
static ap_status read_integer(reader *rd, const cJSON *node, const char *path,
                              int64_t *out)
{
    const ap__json_loc *loc = ap__json_find(&rd->index, node);
    if (!cJSON_IsNumber(node) || loc == NULL)
        return fail(rd, node, path, "expected a whole number, found %s",
                    type_name(node));
    const char *t = rd->text + loc->offset;
    size_t n = loc->length;
    int negative = n > 0 && t[0] == '-';
    int64_t v = 0;
    for (size_t i = (size_t)negative; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return fail(rd, node, path, "expected a whole number, found "
                        "%.*s", ap__utf8_prefix(t, n, 40), t);
        int d = t[i] - '0';
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, negative ? -d : d, &v))
            return fail(rd, node, path, "%.*s does not fit in 64 bits",
                        ap__utf8_prefix(t, n, 40), t);
    }
    *out = v;
    return AP_OK;
}

static int is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

/* Equal ignoring ASCII case: state labels come from hand-typed returns
 * ("In place", "IN PLACE"); other scripts are compared as written. */
static int same_label(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
        if (x == '\0')
            return 1;
    }
}

/* ---- one KPI ---------------------------------------------------------- */

static const char *const rag_names[] = {"green", "amber", "red", NULL};

static ap_status read_rag(reader *rd, const cJSON *node, const char *path,
                          ap_rag *out)
{
    size_t which;
    ap_status st = read_choice(rd, node, path, rag_names, &which);
    if (st != AP_OK)
        return st;
    /* The name table and the enum live in kpi_bands.c; go through it. */
    if (ap_rag_parse(node->valuestring, strlen(node->valuestring), out,
                     rd->err) != AP_OK)
        return refail(rd, node, path);
    return AP_OK;
}

/* One side of an explicit band.  An absent bound is unbounded; a present
 * one must say whether the value itself is in the band, because councils'
 * tables are most often wrong exactly there. */
static ap_status read_bound(reader *rd, const cJSON *band, const char *path,
                            const char *key, const char *flag_key,
                            ap_bound *out)
{
    char vp[PATH_LEN], fp[PATH_LEN];
    path_key(vp, path, key);
    path_key(fp, path, flag_key);
    const cJSON *value = member(band, key), *flag = member(band, flag_key);
    out->kind = AP_BOUND_OPEN;
    out->value.num = 0;
    out->value.den = 1;
    if (value == NULL) {
        if (flag != NULL)
            return fail(rd, flag, fp, "\"%s\" without \"%s\": a band with "
                        "no %s bound is unbounded on that side, which has "
                        "no end to include",
                        flag_key, key, key);
        return AP_OK;
    }
    ap_status st = read_number(rd, value, vp, &out->value);
    if (st != AP_OK)
        return st;
    if (flag == NULL)
        return fail(rd, band, fp, "missing required key \"%s\": say "
                    "whether the %s bound itself is in the band (true) or "
                    "not (false); there is no default",
                    flag_key, key);
    if (!cJSON_IsBool(flag))
        return fail(rd, flag, fp, "expected true or false, found %s",
                    type_name(flag));
    out->kind = cJSON_IsTrue(flag) ? AP_BOUND_INCLUSIVE : AP_BOUND_EXCLUSIVE;
    return AP_OK;
}

static ap_status read_band_array(reader *rd, const cJSON *arr,
                                 const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"rag", "lower", "lower_inclusive",
                                       "upper", "upper_inclusive", NULL};
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return fail(rd, arr, path, "expected at least one band");
    if (n > AP_BANDS_MAX)
        return fail(rd, arr, path, "%zu bands given; at most %d are "
                    "allowed", n, AP_BANDS_MAX);
    ap_band bands[AP_BANDS_MAX];
    size_t i = 0;
    for (const cJSON *b = arr->child; b != NULL; b = b->next, i++) {
        char p[PATH_LEN], q[PATH_LEN];
        path_index(p, path, i);
        ap_status st = check_object(rd, b, p, keys);
        if (st != AP_OK)
            return st;
        const cJSON *rag = member(b, "rag");
        path_key(q, p, "rag");
        if (rag == NULL)
            return fail(rd, b, q, "missing required key \"rag\" (\"green\", "
                        "\"amber\" or \"red\")");
        if ((st = read_rag(rd, rag, q, &bands[i].rag)) ||
            (st = read_bound(rd, b, p, "lower", "lower_inclusive",
                             &bands[i].lower)) ||
            (st = read_bound(rd, b, p, "upper", "upper_inclusive",
                             &bands[i].upper)))
            return st;
    }
    if (ap_bands_make(bands, n, &kpi->bands, rd->err) != AP_OK)
        return refail(rd, arr, path);
    return AP_OK;
}

static ap_status read_tolerance(reader *rd, const cJSON *obj,
                                const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"value", "kind", NULL};
    static const char *const kinds[] = {"points", "percent", NULL};
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    char p[PATH_LEN];
    const cJSON *value = member(obj, "value"), *kind = member(obj, "kind");
    path_key(p, path, "value");
    if (value == NULL)
        return fail(rd, obj, p, "missing required key \"value\"");
    if ((st = read_number(rd, value, p, &kpi->tolerance)))
        return st;
    if (kpi->tolerance.num < 0)
        return fail(rd, value, p, "a tolerance cannot be negative");
    /* No default: 5 points off 90 is 85, 5 percent off 90 is 85.5, and a
     * file must say which its council meant. */
    path_key(p, path, "kind");
    if (kind == NULL)
        return fail(rd, obj, p, "missing required key \"kind\": \"points\" "
                    "(percentage points: 90 - 5 = 85) or \"percent\" (of "
                    "the target: 90 less 5%% = 85.5)");
    size_t which;
    if ((st = read_choice(rd, kind, p, kinds, &which)))
        return st;
    kpi->tolerance_kind = which == 0 ? AP_TOLERANCE_POINTS
                                     : AP_TOLERANCE_PERCENT;
    kpi->has_tolerance = 1;
    return AP_OK;
}

/* A KPI measured by a number: polarity, target, tolerance and bands. */
static ap_status read_measure(reader *rd, const cJSON *obj, const char *path,
                              ap_kpi *kpi)
{
    static const char *const polarities[] = {"higher", "lower", NULL};
    char p[PATH_LEN];
    ap_status st;

    const cJSON *states = member(obj, "states");
    if (states != NULL) {
        path_key(p, path, "states");
        return fail(rd, states, p, "\"states\" are for KPIs with unit "
                    "\"status\" or \"yes/no\"; this KPI's unit is \"%s\" "
                    "and it is scored by its bands",
                    kpi->unit);
    }

    const cJSON *polarity = member(obj, "polarity");
    path_key(p, path, "polarity");
    if (polarity == NULL)
        return fail(rd, obj, p, "missing required key \"polarity\": "
                    "\"higher\" if higher values are better, \"lower\" if "
                    "lower ones are");
    size_t which;
    if ((st = read_choice(rd, polarity, p, polarities, &which)))
        return st;
    if (ap_polarity_parse(polarity->valuestring, &kpi->polarity,
                          rd->err) != AP_OK)
        return refail(rd, polarity, p);

    const cJSON *target = member(obj, "target");
    if (target != NULL) {
        path_key(p, path, "target");
        if ((st = read_number(rd, target, p, &kpi->target)))
            return st;
        kpi->has_target = 1;
    }

    const cJSON *tolerance = member(obj, "tolerance");
    char tp[PATH_LEN];
    path_key(tp, path, "tolerance");
    if (tolerance != NULL) {
        if (target == NULL)
            return fail(rd, tolerance, tp, "a tolerance needs a \"target\" "
                        "to be measured from");
        if ((st = read_tolerance(rd, tolerance, tp, kpi)))
            return st;
    }

    const cJSON *bands = member(obj, "bands");
    path_key(p, path, "bands");
    if (bands == NULL) {
        if (tolerance == NULL)
            return fail(rd, obj, path, "KPI \"%s\" has no bands: give "
                        "\"bands\", or a \"target\" and a \"tolerance\" to "
                        "make them from",
                        kpi->ref);
        if (ap_bands_from_tolerance(kpi->polarity, kpi->target,
                                    kpi->tolerance, kpi->tolerance_kind,
                                    &kpi->bands, rd->err) != AP_OK)
            return refail(rd, tolerance, tp);
        return AP_OK;
    }
    if (cJSON_IsString(bands)) {
        const char *text = bands->valuestring;
        if ((kpi->bands_text = ap__strdup(text)) == NULL)
            return nomem(rd);
        if (ap_bands_parse_text(text, strlen(text), kpi->polarity,
                                &kpi->bands, rd->err) != AP_OK)
            return refail(rd, bands, p);
        return AP_OK;
    }
    if (cJSON_IsArray(bands))
        return read_band_array(rd, bands, p, kpi);
    return fail(rd, bands, p, "expected the council's wording as text "
                "(\"Green = 90-100%%, Amber = 80-90%%, ...\") or an array "
                "of bands, found %s",
                type_name(bands));
}

/* A KPI scored from a table of states ("in place" -> green). */
static ap_status read_status(reader *rd, const cJSON *obj, const char *path,
                             ap_kpi *kpi)
{
    static const char *const measure_only[] = {"polarity", "target",
                                               "tolerance", "bands", NULL};
    char p[PATH_LEN];
    for (size_t i = 0; measure_only[i] != NULL; i++) {
        const cJSON *node = member(obj, measure_only[i]);
        if (node != NULL) {
            path_key(p, path, measure_only[i]);
            return fail(rd, node, p, "a KPI with unit \"%s\" is scored by "
                        "its \"states\", so it takes no \"%s\"",
                        kpi->unit, measure_only[i]);
        }
    }
    const cJSON *states = member(obj, "states");
    char sp[PATH_LEN];
    path_key(sp, path, "states");
    if (states == NULL)
        return fail(rd, obj, sp, "missing required key \"states\": a KPI "
                    "with unit \"%s\" is scored from its state, as in "
                    "{\"in place\": \"green\", \"not in place\": \"red\"}",
                    kpi->unit);
    if (!cJSON_IsObject(states))
        return fail(rd, states, sp, "expected an object of state label to "
                    "\"green\", \"amber\" or \"red\", found %s",
                    type_name(states));
    size_t n = (size_t)cJSON_GetArraySize(states);
    if (n == 0)
        return fail(rd, states, sp, "expected at least one state");
    if ((kpi->states = calloc(n, sizeof *kpi->states)) == NULL)
        return nomem(rd);
    for (const cJSON *s = states->child; s != NULL; s = s->next) {
        path_key(p, sp, s->string);
        if (is_blank(s->string))
            return fail(rd, s, p, "a state label cannot be empty");
        /* Also catches a key given twice, as check_object would. */
        for (size_t j = 0; j < kpi->n_states; j++)
            if (same_label(kpi->states[j].label, s->string))
                return fail(rd, s, p, "state \"%s\" repeats \"%s\"; labels "
                            "are matched regardless of case, so each must "
                            "differ by more than that",
                            s->string, kpi->states[j].label);
        ap_kpi_state *state = &kpi->states[kpi->n_states];
        ap_status st = read_rag(rd, s, p, &state->rag);
        if (st != AP_OK)
            return st;
        if ((state->label = ap__strdup(s->string)) == NULL)
            return nomem(rd);
        kpi->n_states++;
    }
    return AP_OK;
}

static ap_status read_escalation(reader *rd, const cJSON *obj,
                                 const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"failure_after",
                                       "rectification_after", NULL};
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;
    int64_t *fields[] = {&kpi->escalation.failure_after,
                         &kpi->escalation.rectification_after};
    for (size_t i = 0; i < 2; i++) {
        char p[PATH_LEN];
        path_key(p, path, keys[i]);
        const cJSON *node = member(obj, keys[i]);
        if (node == NULL)
            return fail(rd, obj, p, "missing required key \"%s\" (a number "
                        "of reporting periods, 1 or more)", keys[i]);
        if ((st = read_integer(rd, node, p, fields[i])))
            return st;
        if (*fields[i] < 1)
            return fail(rd, node, p, "expected a number of reporting "
                        "periods, 1 or more, found %lld",
                        (long long)*fields[i]);
    }
    kpi->has_escalation = 1;
    return AP_OK;
}

static ap_status read_kpi(reader *rd, const cJSON *obj, const char *path,
                          ap_kpi_set *set, size_t at)
{
    static const char *const keys[] = {
        "ref",      "description", "unit",  "polarity",
        "target",   "frequency",   "reported_to", "bands",
        "tolerance", "states",     "escalation",  NULL};
    static const char *const units[] = {"%",      "count",  "days",
                                        "\xc2\xa3", "yes/no", "status",
                                        NULL};
    static const char *const frequencies[] = {"monthly", "quarterly",
                                              "annual",  "termly",
                                              "weekly",  NULL};
    ap_kpi *kpi = &set->kpis[at];
    ap_status st = check_object(rd, obj, path, keys);
    if (st != AP_OK)
        return st;

    char p[PATH_LEN];
    path_key(p, path, "ref");
    if ((st = read_text(rd, obj, path, "ref", 1, NULL, &kpi->ref)))
        return st;
    const cJSON *ref = member(obj, "ref");
    if (is_blank(kpi->ref))
        return fail(rd, ref, p, "a KPI ref cannot be empty");
    for (size_t j = 0; j < at; j++)
        if (strcmp(set->kpis[j].ref, kpi->ref) == 0)
            return fail(rd, ref, p, "ref \"%s\" is used by $.kpis[%zu] and "
                        "$.kpis[%zu]; each KPI needs its own",
                        kpi->ref, j, at);

    if ((st = read_text(rd, obj, path, "description", 0, "",
                        &kpi->description)) ||
        (st = read_text(rd, obj, path, "reported_to", 0, "",
                        &kpi->reported_to)))
        return st;

    const char *unit = "%";
    const cJSON *node = member(obj, "unit");
    if (node != NULL) {
        size_t which;
        path_key(p, path, "unit");
        if ((st = read_choice(rd, node, p, units, &which)))
            return st;
        unit = units[which];
    }
    if ((kpi->unit = ap__strdup(unit)) == NULL)
        return nomem(rd);

    const char *frequency = "";
    if ((node = member(obj, "frequency")) != NULL) {
        size_t which;
        path_key(p, path, "frequency");
        if ((st = read_choice(rd, node, p, frequencies, &which)))
            return st;
        frequency = frequencies[which];
    }
    if ((kpi->frequency = ap__strdup(frequency)) == NULL)
        return nomem(rd);

    int status = strcmp(unit, "status") == 0 || strcmp(unit, "yes/no") == 0;
    kpi->kind = status ? AP_KPI_STATUS : AP_KPI_MEASURE;
    st = status ? read_status(rd, obj, path, kpi)
                : read_measure(rd, obj, path, kpi);
    if (st != AP_OK)
        return st;

    if ((node = member(obj, "escalation")) != NULL) {
        path_key(p, path, "escalation");
        if ((st = read_escalation(rd, node, p, kpi)))
            return st;
    }
    return AP_OK;
}

static ap_status read_root(reader *rd, const cJSON *root, ap_kpi_set *set)
{
    static const char *const keys[] = {"$schema", "format", "title", "kpis",
                                       NULL};
    ap_status st = check_object(rd, root, "$", keys);
    if (st != AP_OK)
        return st;
    const cJSON *format = member(root, "format");
    if (format == NULL)
        return fail(rd, root, "$.format", "missing required key \"format\" "
                    "(\"" KPIS_FORMAT "\")");
    if (!cJSON_IsString(format) ||
        strcmp(format->valuestring, KPIS_FORMAT) != 0)
        return fail(rd, format, "$.format", "expected \"" KPIS_FORMAT "\"; "
                    "this version of apportion reads no other KPI format");
    static const char *const texts[] = {"$schema", "title"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *node = member(root, texts[i]);
        char p[PATH_LEN];
        path_key(p, "$", texts[i]);
        if (node != NULL && !cJSON_IsString(node))
            return fail(rd, node, p, "expected a string, found %s",
                        type_name(node));
    }

    const cJSON *kpis = member(root, "kpis");
    if (kpis == NULL)
        return fail(rd, root, "$.kpis", "missing required key \"kpis\" (an "
                    "array of KPI definitions)");
    if (!cJSON_IsArray(kpis))
        return fail(rd, kpis, "$.kpis", "expected an array of KPI "
                    "definitions, found %s", type_name(kpis));
    size_t n = (size_t)cJSON_GetArraySize(kpis);
    if (n == 0)
        return fail(rd, kpis, "$.kpis", "expected at least one KPI");
    if ((set->kpis = calloc(n, sizeof *set->kpis)) == NULL)
        return nomem(rd);
    set->n = n; /* all zero, so freeing a half-read set is safe */
    size_t i = 0;
    for (const cJSON *k = kpis->child; k != NULL; k = k->next, i++) {
        char p[PATH_LEN];
        path_index(p, "$.kpis", i);
        if ((st = read_kpi(rd, k, p, set, i)))
            return st;
    }
    return AP_OK;
}

/* ---- entry points ----------------------------------------------------- */

ap_status ap_kpis_parse(const char *text, size_t len, const char *source,
                        ap_kpi_set **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_kpis_parse: out is NULL");
    *out = NULL;
    if (source == NULL)
        source = "<kpis>";
    if (text == NULL || len == SIZE_MAX)
        return ap_error_set(err, AP_E_INPUT, "ap_kpis_parse: no text for %s",
                            source);
    /* cJSON refuses trailing text only in a NUL-terminated buffer. */
    char *buffer = malloc(len + 1);
    if (buffer == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory reading %s",
                            source);
    memcpy(buffer, text, len);
    buffer[len] = '\0';
    int line, column;
    const char *nul = memchr(buffer, '\0', len);
    if (nul != NULL) {
        ap__json_line_column(buffer, (size_t)(nul - buffer), &line, &column);
        free(buffer);
        return record(err, source, "$", line, column, "the file contains a "
                      "NUL byte; KPI definitions are UTF-8 text");
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buffer, len + 1, &end, 1);
    if (root == NULL) {
        size_t at = end != NULL ? (size_t)(end - buffer) : 0;
        if (at > len)
            at = len;
        char what[128];
        snprintf(what, sizeof what, "invalid JSON near \"%.*s\"",
                 ap__utf8_prefix(buffer + at, len - at, 20), buffer + at);
        ap__json_line_column(buffer, at, &line, &column);
        free(buffer);
        return record(err, source, "$", line, column, what);
    }

    reader rd = {buffer, source, {NULL, 0}, err};
    ap_kpi_set *set = calloc(1, sizeof *set);
    ap_status st;
    if (set == NULL || (set->source = ap__strdup(source)) == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory reading %s",
                          source);
    else if ((st = ap__json_index_build(buffer, len, root, &rd.index,
                                        err)) == AP_OK)
        st = read_root(&rd, root, set);
    ap__json_index_free(&rd.index);
    cJSON_Delete(root);
    free(buffer);
    if (st != AP_OK) {
        ap_kpi_set_free(set);
        return st;
    }
    *out = set;
    return AP_OK;
}

ap_status ap_kpis_load(const char *path, ap_kpi_set **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_kpis_load: out is NULL");
    *out = NULL;
    if (path == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_kpis_load: no path");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ap_error_set(err, AP_E_IO, "cannot open KPI file %s: %s",
                            path, strerror(errno));
    size_t cap = 1 << 14, len = 0;
    char *buf = malloc(cap);
    int too_big = 0;
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break; /* end of file or an error; ferror tells which */
        if (cap >= KPIS_FILE_MAX) {
            too_big = 1;
            break;
        }
        char *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int read_error = buf != NULL && ferror(f);
    int saved = errno;
    fclose(f);
    ap_status st;
    if (buf == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory reading %s", path);
    else if (read_error)
        st = ap_error_set(err, AP_E_IO, "cannot read KPI file %s: %s", path,
                          strerror(saved));
    else if (too_big)
        st = ap_error_set(err, AP_E_INPUT, "KPI file %s is %zu MiB or "
                          "more; KPI definitions are never that large", path, KPIS_FILE_MAX >> 20);
    else
        st = ap_kpis_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

static void kpi_release(ap_kpi *kpi)
{
    free(kpi->ref);
    free(kpi->description);
    free(kpi->unit);
    free(kpi->frequency);
    free(kpi->reported_to);
    free(kpi->bands_text);
    for (size_t i = 0; i < kpi->n_states; i++)
        free(kpi->states[i].label);
    free(kpi->states);
}

void ap_kpi_set_free(ap_kpi_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        kpi_release(&set->kpis[i]);
    free(set->kpis);
    free(set->source);
    free(set);
}

ap_status ap_kpi_score_state(const ap_kpi *kpi, const char *label,
                             ap_rag *out, ap_error *err)
{
    ap_error_clear(err);
    if (kpi == NULL || label == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_kpi_score_state: the KPI, "
                            "the label and the output must not be NULL");
    const char *ref = kpi->ref != NULL ? kpi->ref : "?";
    if (kpi->kind != AP_KPI_STATUS)
        return ap_error_set(err, AP_E_INPUT, "KPI \"%s\" is a measure "
                            "scored by its bands, not by a state such as "
                            "\"%s\"",
                            ref, label);
    for (size_t i = 0; i < kpi->n_states; i++) {
        if (same_label(kpi->states[i].label, label)) {
            *out = kpi->states[i].rag;
            return AP_OK;
        }
    }
    char list[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < kpi->n_states; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s\"%s\"",
                         i ? ", " : "", kpi->states[i].label);
        if (w < 0 || (size_t)w >= sizeof list - used) {
            list[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
    return ap_error_set(err, AP_E_INPUT, "KPI \"%s\" has no state \"%.*s\"; "
                        "its states are %s (case does not matter)",
                        ref, ap__utf8_prefix(label, strlen(label), 80), label,
                        list);
}
