/* The strict JSON-reading layer; see json_reader.h. */
#include "json/json_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/text.h"
#include "base/base.h"
#include "base/text.h"
#include "platform/platform.h"

/* ---- errors ------------------------------------------------------------ */

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

ap_status ap__jr_fail(ap__jr *jr, const cJSON *node, const char *path,
                      const char *fmt, ...)
{
    if (jr->err == NULL)
        return AP_E_PLAN;
    char what[AP_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    int line = 0, column = 0;
    const ap__json_loc *loc = node ? ap__json_find(&jr->index, node) : NULL;
    if (loc != NULL)
        ap__json_line_column(jr->text, loc->offset, &line, &column);
    return record(jr->err, jr->source, path, line, column, what);
}

ap_status ap__jr_refail(ap__jr *jr, const cJSON *node, const char *path)
{
    if (jr->err == NULL)
        return AP_E_PLAN;
    /* Copied first: the message is about to be overwritten. */
    char inner[AP_ERROR_MESSAGE_SIZE];
    snprintf(inner, sizeof inner, "%s", jr->err->message);
    return ap__jr_fail(jr, node, path, "%s", inner);
}

ap_status ap__jr_nomem(ap__jr *jr)
{
    return ap_error_set(jr->err, AP_E_NOMEM, "out of memory reading %s",
                        jr->source);
}

/* ---- opening ----------------------------------------------------------- */

ap_status ap__jr_open(ap__jr *jr, const ap__jr_format *format,
                      const char *text, size_t len, const char *source,
                      ap_error *err)
{
    *jr = (ap__jr){.format = format,
                   .source = source ? source : format->anonymous,
                   .err = err};
    if ((text == NULL && len != 0) || len == SIZE_MAX)
        return ap_error_set(err, AP_E_INPUT, "no JSON text to read for %s",
                            jr->source);
    /* cJSON refuses trailing text only in a NUL-terminated buffer. */
    char *buffer = malloc(len + 1);
    if (buffer == NULL)
        return ap__jr_nomem(jr);
    if (len != 0) /* text may be NULL then, which memcpy may not see */
        memcpy(buffer, text, len);
    buffer[len] = '\0';
    int line, column;
    const char *nul = memchr(buffer, '\0', len);
    if (nul != NULL) {
        /* cJSON would stop there and call the rest trailing text. */
        ap__json_line_column(buffer, (size_t)(nul - buffer), &line, &column);
        free(buffer);
        char what[128];
        snprintf(what, sizeof what, "the file contains a NUL byte; %s UTF-8 "
                 "text", format->what_is);
        return record(err, jr->source, "$", line, column, what);
    }
    size_t valid = ap__utf8_valid_prefix(buffer, len);
    if (valid != len) {
        ap__json_line_column(buffer, valid, &line, &column);
        char what[128];
        snprintf(what, sizeof what, "invalid UTF-8 (byte 0x%02X); %s UTF-8 "
                 "text", (unsigned char)buffer[valid], format->what_is);
        free(buffer);
        return record(err, jr->source, "$", line, column, what);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buffer, len + 1, &end, 1);
    if (root == NULL) {
        size_t at = end != NULL ? (size_t)(end - buffer) : 0;
        if (at > len)
            at = len;
        /* cJSON may stop inside a character: quote from its first byte. */
        while (at > 0 && ((unsigned char)buffer[at] & 0xC0) == 0x80)
            at--;
        char what[128];
        snprintf(what, sizeof what, "invalid JSON near \"%.*s\"",
                 ap__utf8_prefix(buffer + at, len - at, 20), buffer + at);
        ap__json_line_column(buffer, at, &line, &column);
        free(buffer);
        return record(err, jr->source, "$", line, column, what);
    }
    jr->text = buffer;
    jr->root = root;
    ap_status st = ap__json_index_build(buffer, len, root, &jr->index, err);
    if (st != AP_OK)
        ap__jr_close(jr);
    return st;
}

void ap__jr_close(ap__jr *jr)
{
    ap__json_index_free(&jr->index);
    cJSON_Delete(jr->root);
    free(jr->text);
    jr->root = NULL;
    jr->text = NULL;
}

ap_status ap__jr_read_file(const ap__jr_format *format, const char *path,
                           char **text, size_t *len, ap_error *err)
{
    return ap_file_read(path, format->max_bytes, format->name, text, len,
                        err);
}

ap_status ap__jr_check_tag(ap__jr *jr, const cJSON *root)
{
    const char *tag = jr->format->tag;
    const cJSON *node = ap__jr_member(root, "format");
    if (node == NULL)
        return ap__jr_fail(jr, root, "$.format", "missing required key "
                           "\"format\" (\"%s\")", tag);
    if (!cJSON_IsString(node) || strcmp(node->valuestring, tag) != 0)
        return ap__jr_fail(jr, node, "$.format", "expected \"%s\"; this "
                           "version of apportion reads no other %s format",
                           tag, jr->format->name);
    return AP_OK;
}

/* ---- a whole file into its model ---------------------------------------- */

ap_status ap__jr_parse_model(const ap__jr_model *how, const char *entry,
                             const char *text, size_t len, const char *source,
                             void **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: out is NULL", entry);
    *out = NULL;
    if (source == NULL)
        source = how->format->anonymous;
    if (how->check_args && (text == NULL || len == SIZE_MAX))
        return ap_error_set(err, AP_E_INPUT, "%s: no text for %s", entry,
                            source);
    ap__jr jr;
    ap_status st = ap__jr_open(&jr, how->format, text, len, source, err);
    if (st != AP_OK)
        return st;
    void *model = calloc(1, how->size);
    char *name = model != NULL ? ap__strdup(jr.source) : NULL;
    if (name == NULL) {
        st = ap__jr_nomem(&jr);
    } else {
        /* The model's own `source` member, where the release frees it. */
        memcpy((char *)model + how->source_at, &name, sizeof name);
        const char *const *keys = how->root_keys;
        if (keys == NULL ||
            ((st = ap__jr_check_object(&jr, jr.root, "$", keys)) == AP_OK &&
             (st = ap__jr_check_tag(&jr, jr.root)) == AP_OK))
            st = how->read(&jr, model);
    }
    ap__jr_close(&jr);
    if (st != AP_OK) {
        if (model != NULL)
            how->release(model);
        return st;
    }
    *out = model;
    return AP_OK;
}

ap_status ap__jr_load_model(const ap__jr_model *how, const char *entry,
                            const char *path, void **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: out is NULL", entry);
    *out = NULL;
    if (how->check_args && path == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s: no path", entry);
    char *text;
    size_t len;
    ap_status st = ap__jr_read_file(how->format, path, &text, &len, err);
    if (st != AP_OK)
        return st;
    st = ap__jr_parse_model(how, entry, text, len, path, out, err);
    free(text);
    return st;
}

/* ---- paths ------------------------------------------------------------- */

/* A path too long for the error record ends in "..." rather than being
 * cut without a sign. */
static void mark_cut(char *out, int written)
{
    if (written < 0 || written >= AP__JR_PATH_SIZE)
        memcpy(out + AP__JR_PATH_SIZE - 4, "...", 4);
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

void ap__jr_key_path(char *out, const char *path, const char *key)
{
    if (is_identifier(key)) {
        mark_cut(out, snprintf(out, AP__JR_PATH_SIZE, "%s.%s", path, key));
        return;
    }
    char quoted[AP__JR_PATH_SIZE];
    size_t n = 0;
    for (const char *c = key; *c != '\0' && n + 2 < sizeof quoted; c++) {
        if (*c == '"' || *c == '\\')
            quoted[n++] = '\\';
        quoted[n++] = *c;
    }
    quoted[n] = '\0';
    /* A key cut short above makes the whole path too long, so mark_cut
     * flags it. */
    mark_cut(out, snprintf(out, AP__JR_PATH_SIZE, "%s[\"%s\"]", path,
                           quoted));
}

void ap__jr_index_path(char *out, const char *path, size_t i)
{
    mark_cut(out, snprintf(out, AP__JR_PATH_SIZE, "%s[%zu]", path, i));
}

/* ---- values ------------------------------------------------------------ */

const char *ap__jr_type_name(const cJSON *node)
{
    if (cJSON_IsString(node)) return "a string";
    if (cJSON_IsNumber(node)) return "a number";
    if (cJSON_IsObject(node)) return "an object";
    if (cJSON_IsArray(node)) return "an array";
    if (cJSON_IsBool(node)) return "a boolean";
    if (cJSON_IsNull(node)) return "null";
    return "an invalid value";
}

/* a, b, c (or "a", "b", "c" when quoted) into buf, stopping before it
 * fills rather than ending in half a name. */
static void join(char *buf, size_t size, const char *const *items,
                 int quote)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; items[i] != NULL; i++) {
        int w = snprintf(buf + used, size - used, quote ? "%s\"%s\"" : "%s%s",
                         i ? ", " : "", items[i]);
        if (w < 0 || (size_t)w >= size - used) {
            buf[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
}

ap_status ap__jr_check_object(ap__jr *jr, const cJSON *obj, const char *path,
                              const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return ap__jr_fail(jr, obj, path, "expected an object, found %s",
                           ap__jr_type_name(obj));
    for (const cJSON *m = obj->child; m != NULL; m = m->next) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, m->string);
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], m->string) != 0)
            i++;
        if (allowed[i] == NULL) {
            char list[256];
            join(list, sizeof list, allowed, 0);
            return ap__jr_fail(jr, m, p, "unknown key \"%s\"; expected one "
                               "of: %s", m->string, list);
        }
        for (const cJSON *o = obj->child; o != m; o = o->next)
            if (strcmp(o->string, m->string) == 0)
                return ap__jr_fail(jr, m, p, "duplicate key \"%s\"; each "
                                   "key may appear once", m->string);
    }
    return AP_OK;
}

ap_status ap__jr_string(ap__jr *jr, const cJSON *obj, const char *path,
                        const char *key, int required, const char *fallback,
                        char **out)
{
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    const cJSON *node = ap__jr_member(obj, key);
    const char *value = fallback;
    if (node == NULL) {
        if (required)
            return ap__jr_fail(jr, obj, p, "missing required key \"%s\"",
                               key);
    } else if (!cJSON_IsString(node)) {
        return ap__jr_fail(jr, node, p, "expected a string, found %s",
                           ap__jr_type_name(node));
    } else {
        value = node->valuestring;
    }
    if ((*out = ap__strdup(value ? value : "")) == NULL)
        return ap__jr_nomem(jr);
    return AP_OK;
}

ap_status ap__jr_integer(ap__jr *jr, const cJSON *node, const char *path,
                         int64_t *out)
{
    const char *noun = jr->format->integer;
    const ap__json_loc *loc = ap__json_find(&jr->index, node);
    if (!cJSON_IsNumber(node) || loc == NULL)
        return ap__jr_fail(jr, node, path, "expected %s, found %s", noun,
                           ap__jr_type_name(node));
    const char *t = jr->text + loc->offset;
    size_t n = loc->length;
    int shown = ap__utf8_prefix(t, n, 40);
    int negative = n > 0 && t[0] == '-';
    int64_t v = 0;
    for (size_t i = (size_t)negative; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return ap__jr_fail(jr, node, path, "expected %s, found %.*s (no "
                               "fractions or exponents)", noun, shown, t);
        int d = t[i] - '0';
        if (ap__mul_overflow_i64(v, 10, &v) ||
            ap__add_overflow_i64(v, negative ? -d : d, &v))
            return ap__jr_fail(jr, node, path, "integer %.*s does not fit "
                               "in 64 bits", shown, t);
    }
    *out = v;
    return AP_OK;
}

ap_status ap__jr_required_choice(ap__jr *jr, const cJSON *obj,
                                 const char *key, const char *key_path,
                                 const char *hint, const char *const *choices,
                                 size_t *out)
{
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL)
        return ap__jr_fail(jr, obj, key_path, "missing required key \"%s\"%s",
                           key, hint);
    return ap__jr_choice(jr, node, key_path, choices, out);
}

ap_status ap__jr_choice(ap__jr *jr, const cJSON *node, const char *path,
                        const char *const *choices, size_t *out)
{
    char list[256];
    join(list, sizeof list, choices, 1);
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, path, "expected one of %s, found %s",
                           list, ap__jr_type_name(node));
    for (size_t i = 0; choices[i] != NULL; i++) {
        if (strcmp(choices[i], node->valuestring) == 0) {
            *out = i;
            return AP_OK;
        }
    }
    const char *s = node->valuestring;
    return ap__jr_fail(jr, node, path, "expected one of %s, found \"%.*s\"",
                       list, ap__utf8_prefix(s, strlen(s), 60), s);
}

ap_status ap__jr_each_object(ap__jr *jr, const cJSON *arr, const char *path,
                             const ap__jr_objects *how, void *ctx)
{
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, path, "expected %s, found %s", how->what,
                           ap__jr_type_name(arr));
    if (how->empty != NULL && arr->child == NULL)
        return ap__jr_fail(jr, arr, path, "%s", how->empty);
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    for (const cJSON *e = arr->child; e != NULL; e = e->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, path, i);
        ap_status st;
        if ((how->keys != NULL &&
             (st = ap__jr_check_object(jr, e, p, how->keys)) != AP_OK) ||
            (st = how->each(jr, e, p, i, n, ctx)) != AP_OK)
            return st;
    }
    return AP_OK;
}

ap_status ap__jr_choice_named(ap__jr *jr, const cJSON *node, const char *path,
                              const char *const *choices, const char *what,
                              size_t *out)
{
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, path, "expected a string, found %s",
                           ap__jr_type_name(node));
    size_t n = 0;
    for (; choices[n] != NULL; n++) {
        if (strcmp(choices[n], node->valuestring) == 0) {
            *out = n;
            return AP_OK;
        }
    }
    /* "a", "b" or "c" */
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s\"%s\"",
                         i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return ap__jr_fail(jr, node, path, "unknown %s \"%s\"; expected %s", what,
                       node->valuestring, list);
}

int ap__jr_number_text(const ap__jr *jr, const cJSON *node,
                       const char **text, size_t *len)
{
    if (cJSON_IsString(node)) {
        *text = node->valuestring;
        *len = strlen(node->valuestring);
        return 1;
    }
    const ap__json_loc *loc =
        cJSON_IsNumber(node) ? ap__json_find(&jr->index, node) : NULL;
    if (loc == NULL)
        return 0;
    *text = jr->text + loc->offset;
    *len = loc->length;
    return 1;
}
