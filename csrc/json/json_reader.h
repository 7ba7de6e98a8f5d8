/* The strict JSON-reading layer under the plan and KPI readers.
 *
 * Both file formats are read the same way: the whole text is parsed with
 * cJSON, every node is located in the text (json_locate.h), and anything
 * wrong is an AP_E_PLAN error "file:line:col: $.path: message" whose path,
 * line and column are also set in the ap_error.  Each reader keeps only
 * what its format means; this layer keeps how JSON is read.  Internal: not
 * part of the API. */
#ifndef APPORTION_JSON_READER_H
#define APPORTION_JSON_READER_H

#include <stddef.h> /* offsetof, for AP__JR_ENTRY_POINTS */
#include <stdint.h>
#include <stdlib.h> /* calloc, for AP__JR_ELEMENT */

#include <cJSON.h>

#include "apportion/error.h"
#include "json/json_locate.h"

/* A JSON path such as $.kpis[0].states["in place"] fits in this, or ends
 * in "..." to show it was cut. */
#define AP__JR_PATH_SIZE AP_ERROR_PATH_SIZE

/* The few words in which one file format's messages differ from another's,
 * so that the messages read naturally for each. */
typedef struct ap__jr_format {
    const char *name;      /* "plan": "cannot open plan file x.json" */
    const char *tag;       /* the root's "format", e.g. "apportion.plan/1" */
    const char *what_is;   /* "a plan is": "...; a plan is UTF-8 text" */
    const char *integer;   /* "an integer": "expected an integer, found 1.5" */
    const char *anonymous; /* the source's name when the caller gives none */
    size_t max_bytes;      /* a file larger is refused as a mistake */
} ap__jr_format;

typedef struct ap__jr {
    const ap__jr_format *format;
    const char *source; /* the caller's name for the text, or anonymous */
    char *text;         /* NUL-terminated copy of the input */
    cJSON *root;
    ap__json_index index;
    ap_error *err;      /* the caller's; may be NULL */
} ap__jr;

/* Parses text[0..len) and locates its nodes.  On AP_OK the caller reads
 * jr->root and then calls ap__jr_close; on an error nothing is left open.
 * Invalid UTF-8, NUL bytes and syntax errors are AP_E_PLAN errors at path
 * "$" with the line and column of the first bad byte. */
ap_status ap__jr_open(ap__jr *jr, const ap__jr_format *format,
                      const char *text, size_t len, const char *source,
                      ap_error *err);
void ap__jr_close(ap__jr *jr);

/* The whole file at `path` into *text (the caller frees it): AP_E_IO when
 * it cannot be opened or read, AP_E_INPUT beyond format->max_bytes
 * (ap_file_read). */
ap_status ap__jr_read_file(const ap__jr_format *format, const char *path,
                           char **text, size_t *len, ap_error *err);

/* The root's "format" member, which must be the format's tag exactly: a
 * file of another format or version is refused rather than half-read. */
ap_status ap__jr_check_tag(ap__jr *jr, const cJSON *root);

/* ---- a whole file into its model ---------------------------------------- */

/* How one file format's public parse and load build its model: every
 * reader opens the text, allocates the model, names its source, reads and
 * frees what it built when that fails the same way, so that is done once
 * here and a reader keeps only what its format means. */
typedef struct ap__jr_model {
    const ap__jr_format *format;
    size_t size;      /* of the model, which starts zeroed */
    size_t source_at; /* offsetof its `char *source`: a copy of the name */
    /* The root's allowed keys: when given, the root must be an object of
     * only these whose "format" is the tag (ap__jr_check_object, then
     * ap__jr_check_tag) before read runs; NULL leaves the root to read (a
     * paper that may also sit in a plan file, ap__fr_model_root). */
    const char *const *root_keys;
    ap_status (*read)(ap__jr *jr, void *model);
    void (*release)(void *model); /* the model's public _free */
    /* Nonzero: a NULL text (or len SIZE_MAX) or path is refused in the
     * entry point's own name ("ap_kpis_parse: no text for x.json") before
     * any reading; zero leaves a NULL text to ap__jr_open. */
    int check_args;
} ap__jr_model;

/* Parses text[0..len) (named source, or format->anonymous) into a new
 * model in *out; on an error *out is NULL and nothing is left allocated.
 * `entry` names the public function in argument errors: a NULL out is
 * always refused ("ap_mtfp_parse: out is NULL"). */
ap_status ap__jr_parse_model(const ap__jr_model *how, const char *entry,
                             const char *text, size_t len, const char *source,
                             void **out, ap_error *err);
/* The same for the file at path (ap__jr_read_file), named by its path. */
ap_status ap__jr_load_model(const ap__jr_model *how, const char *entry,
                            const char *path, void **out, ap_error *err);

/* Defines a format's public entry points
 *     ap_status parse_fn(const char *text, size_t len, const char *source,
 *                        type **out, ap_error *err);
 *     ap_status load_fn(const char *path, type **out, ap_error *err);
 * on ap__jr_parse_model and ap__jr_load_model, with the model `type`
 * (which has a `char *source`) read by read_fn (ap__jr_model.read) from a
 * file of `format`, freed by free_fn, its root's keys root_keys and
 * check_args as ap__jr_model says. */
#define AP__JR_ENTRY_POINTS(type, parse_fn, load_fn, free_fn, format_,        \
                            read_fn, root_keys_, check_args_)                 \
    static void ap__jr_release_##type(void *model) { free_fn(model); }        \
    static const ap__jr_model ap__jr_model_##type = {                         \
        .format = &(format_),                                                 \
        .size = sizeof(type),                                                 \
        .source_at = offsetof(type, source),                                  \
        .root_keys = (root_keys_),                                            \
        .read = (read_fn),                                                    \
        .release = ap__jr_release_##type,                                     \
        .check_args = (check_args_)};                                         \
    ap_status parse_fn(const char *text, size_t len, const char *source,      \
                       type **out, ap_error *err)                             \
    {                                                                         \
        void *model = NULL;                                                   \
        ap_status st = ap__jr_parse_model(&ap__jr_model_##type, #parse_fn,    \
                                          text, len, source,                  \
                                          out != NULL ? &model : NULL, err);  \
        if (out != NULL)                                                      \
            *out = model;                                                     \
        return st;                                                            \
    }                                                                         \
    ap_status load_fn(const char *path, type **out, ap_error *err)            \
    {                                                                         \
        void *model = NULL;                                                   \
        ap_status st = ap__jr_load_model(&ap__jr_model_##type, #load_fn,      \
                                         path, out != NULL ? &model : NULL,   \
                                         err);                                \
        if (out != NULL)                                                      \
            *out = model;                                                     \
        return st;                                                            \
    }

/* ---- errors ------------------------------------------------------------ */

/* Records an AP_E_PLAN error at `node`'s position (0:0 when node is NULL)
 * and returns AP_E_PLAN. */
ap_status ap__jr_fail(ap__jr *jr, const cJSON *node, const char *path,
                      const char *fmt, ...)
    AP_PRINTF_FORMAT(4, 5)
    ;
/* Re-records the error a lower layer (money, numbers, bands) has just set
 * as an AP_E_PLAN error at `node`, keeping its message. */
ap_status ap__jr_refail(ap__jr *jr, const cJSON *node, const char *path);
ap_status ap__jr_nomem(ap__jr *jr);

/* ---- paths ------------------------------------------------------------- */

/* path.key, or path["key"] for a key that is not an identifier (a state
 * label "in place", an authority code "E-1"), so the path reads back
 * unambiguously.  out has AP__JR_PATH_SIZE bytes. */
void ap__jr_key_path(char *out, const char *path, const char *key);
/* path[i]. */
void ap__jr_index_path(char *out, const char *path, size_t i);

/* ---- arrays ------------------------------------------------------------ */

/* How ap__jr_each_object reads one array member. */
typedef struct ap__jr_objects {
    /* The array as messages call it: "expected <what>, found a string"
     * ("an array of budget lines"). */
    const char *what;
    /* The whole message refusing an empty array ("a plan needs at least
     * one budget line"); NULL: an empty array is fine. */
    const char *empty;
    /* Each element's allowed keys (ap__jr_check_object refuses anything
     * else, and a non-object); NULL leaves the element's type to each(). */
    const char *const *keys;
    /* Each element in order, with its path ("$.budget_lines[2]"), its
     * index and the array's length (to allocate at index 0); the first
     * error stops the walk. */
    ap_status (*each)(ap__jr *jr, const cJSON *elem, const char *path,
                      size_t i, size_t n, void *ctx);
} ap__jr_objects;

/* In an `each` callback: the element i of n of the array `list`, which is
 * allocated (zeroed) at the first, with `count` set to i + 1 so that a
 * free after an error sees what was read; NULL when out of memory. */
#define AP__JR_ELEMENT(list, count, i, n)                                     \
    ((i) == 0 && ((list) = calloc((n), sizeof *(list))) == NULL               \
         ? NULL                                                               \
         : ((count) = (i) + 1, &(list)[i]))

/* Reads the array `arr` at `path` as `how` says, passing ctx on. */
ap_status ap__jr_each_object(ap__jr *jr, const cJSON *arr, const char *path,
                             const ap__jr_objects *how, void *ctx);

/* ---- values ------------------------------------------------------------ */

/* "a string", "an object", ... for "expected X, found Y" messages. */
const char *ap__jr_type_name(const cJSON *node);

static inline const cJSON *ap__jr_member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Refuses a non-object, a key not in `allowed` (NULL-terminated) and a key
 * given twice, which cJSON would otherwise let the first one win. */
ap_status ap__jr_check_object(ap__jr *jr, const cJSON *obj, const char *path,
                              const char *const *allowed);

/* A copy of the string member `key` of obj, or of `fallback` ("" when
 * NULL) when it is absent and not required.  The caller frees *out; it is
 * left alone on error. */
ap_status ap__jr_string(ap__jr *jr, const cJSON *obj, const char *path,
                        const char *key, int required, const char *fallback,
                        char **out);

/* A JSON integer read from its own digits, never through a double, so
 * 2^53 + 1 survives; fractions and exponents are refused. */
ap_status ap__jr_integer(ap__jr *jr, const cJSON *node, const char *path,
                         int64_t *out);

/* The index in `choices` (NULL-terminated) of a string value that must be
 * one of them exactly. */
ap_status ap__jr_choice(ap__jr *jr, const cJSON *node, const char *path,
                        const char *const *choices, size_t *out);
/* The same for the required member `key` of obj, at key_path (the
 * caller's, for its own later messages): when it is missing, "missing
 * required key "<key>"<hint>" at obj, hint saying what it may be. */
ap_status ap__jr_required_choice(ap__jr *jr, const cJSON *obj,
                                 const char *key, const char *key_path,
                                 const char *hint, const char *const *choices,
                                 size_t *out);
/* The same, for a format whose messages name what the value is: a value
 * that is not text is refused as ap__jr_string refuses it, and one not
 * among the choices as: unknown basis kind "ratio"; expected "percent" or
 * "metric" (what: "basis kind"). */
ap_status ap__jr_choice_named(ap__jr *jr, const cJSON *node, const char *path,
                              const char *const *choices, const char *what,
                              size_t *out);

/* The text of a decimal given as a string ("53.57", "90%") or as a JSON
 * number (its own text, not a double).  0 for any other value, which the
 * caller reports in its own words. */
int ap__jr_number_text(const ap__jr *jr, const cJSON *node,
                       const char **text, size_t *len);

#endif
