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

#include <stddef.h>
#include <stdint.h>

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
    size_t max_bytes;      /* a file this large is refused as a mistake */
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
 * Syntax errors and NUL bytes are AP_E_PLAN errors at path "$". */
ap_status ap__jr_open(ap__jr *jr, const ap__jr_format *format,
                      const char *text, size_t len, const char *source,
                      ap_error *err);
void ap__jr_close(ap__jr *jr);

/* The whole file at `path` into *text (the caller frees it): AP_E_IO when
 * it cannot be opened or read, AP_E_INPUT at format->max_bytes or more. */
ap_status ap__jr_read_file(const ap__jr_format *format, const char *path,
                           char **text, size_t *len, ap_error *err);

/* The root's "format" member, which must be the format's tag exactly: a
 * file of another format or version is refused rather than half-read. */
ap_status ap__jr_check_tag(ap__jr *jr, const cJSON *root);

/* ---- errors ------------------------------------------------------------ */

/* Records an AP_E_PLAN error at `node`'s position (0:0 when node is NULL)
 * and returns AP_E_PLAN. */
ap_status ap__jr_fail(ap__jr *jr, const cJSON *node, const char *path,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
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
