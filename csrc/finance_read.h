/* JSON pieces the outturn and contract-sum readers share: printed money,
 * the authorities and an agreed split between them.  Built on the strict
 * layer of json_reader.h, so every error names the JSON path, line and
 * column.  Internal: not part of the API. */
#ifndef APPORTION_FINANCE_READ_H
#define APPORTION_FINANCE_READ_H

#include <stddef.h>

#include "apportion/apportion.h"
#include "json_reader.h"

/* A printed figure under `key` of obj: money text in `unit` ("£1.070m",
 * "(3,540)", "-£19k"; a suffix overrides the unit; a lone "-", "–" or "—"
 * is an exact nil, resolution 0), or integer pence under `key`_pence
 * (resolution 1), never both and never a JSON number under `key`.  A
 * missing key is an error only when required; out->present says which. */
ap_status ap__fr_money(ap__jr *jr, const cJSON *obj, const char *path,
                       const char *key, ap_unit unit, int required,
                       ap_printed *out);

/* The same for a node that must itself be money text (path names it). */
ap_status ap__fr_money_text(ap__jr *jr, const cJSON *node, const char *path,
                            ap_unit unit, ap_amount *out);

/* The root's optional "unit" (default "£"). */
ap_status ap__fr_unit(ap__jr *jr, const cJSON *obj, const char *path,
                      ap_unit *out);

/* The root's optional "notes" (text or an array of text) and "source"
 * (text): checked for type, kept by nobody. */
ap_status ap__fr_notes(ap__jr *jr, const cJSON *root);

/* "authorities": [{"code", "name"}...]: codes unique and not empty.
 * Absent: *n is 0 unless required.  The caller frees with
 * ap__fr_authorities_free (also after an error: *out and *n are always
 * consistent). */
ap_status ap__fr_authorities(ap__jr *jr, const cJSON *root, int required,
                             ap_authority **out, size_t *n);
void ap__fr_authorities_free(ap_authority *authorities, size_t n);

/* The index of the authority whose code is `code`, or an error at node
 * listing the codes there are. */
ap_status ap__fr_find_authority(ap__jr *jr, const ap_authority *authorities,
                                size_t n, const cJSON *node, const char *path,
                                const char *code, size_t *out);

/* An agreed split at obj (path): {"name", "kind": "percent" (default) or
 * "metric", "values": {code: number or decimal text}, "mode"}; every
 * authority needs a value, none negative, not all zero.  The caller frees
 * with ap__fr_split_free (also after an error). */
ap_status ap__fr_split(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       ap_basis *out);
void ap__fr_split_free(ap_basis *split, size_t n);

/* first[i] = the smallest j with strcmp(s[j], s[i]) == 0, for n strings
 * in O(n log n): line ids checked for repeats, lines grouped by area.
 * Returns 0, or -1 when out of memory. */
int ap__strings_first(const char *const *s, size_t n, size_t *first);

#endif
