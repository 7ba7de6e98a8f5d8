/* JSON pieces the outturn, contract-sum, savings and MTFP readers share:
 * where a model sits in its file, printed money, the unit, notes, the
 * authorities and an agreed split between them (an ap_basis, plan.h).
 * Built on the strict layer of json_reader.h, so every error names the
 * JSON path, line and column.  Internal: not part of the API. */
#ifndef APPORTION_FINANCE_READ_H
#define APPORTION_FINANCE_READ_H

#include <stddef.h>

#include "apportion/apportion.h"
#include "json/json_reader.h"

/* ---- where the model is ------------------------------------------------- */

/* The object holding a model that may also sit in a plan file: the root
 * of a file whose "format" is `tag`, or the member `member` of an
 * "apportion.plan/1" file (whose own "format", if given, must be tag).
 * *path receives "$" or "$.member" (AP__JR_PATH_SIZE bytes). */
ap_status ap__fr_model_root(ap__jr *jr, const char *tag, const char *member,
                            const cJSON **obj, char *path);

/* The model's "unit" (at obj, path): inside a plan file the plan's own
 * "unit" when the model gives none; "£" by default. */
ap_status ap__fr_model_unit(ap__jr *jr, const cJSON *obj, const char *path,
                            ap_unit *out);

/* obj's optional "unit" into *out; *out is left as it was (the caller's
 * default) when obj has none. */
ap_status ap__fr_unit(ap__jr *jr, const cJSON *obj, const char *path,
                      ap_unit *out);

/* obj's "notes" (text or an array of text), "$schema" and "source"
 * (text): what is for people and editors, checked for type here. */
ap_status ap__fr_notes(ap__jr *jr, const cJSON *obj, const char *path);

/* ---- printed money ------------------------------------------------------ */

/* Flags of ap__fr_money and ap__fr_money_text. */
enum {
    AP__FR_REQUIRED = 1, /* a missing key is an error */
    /* A lone dash reads as a nil printed to the unit (resolution one
     * unit, as ap_figure_parse reads it: the savings and MTFP models);
     * without this flag it is an exact nil, resolution 0, which the
     * audit gives the precision of the figures beside it (the outturn
     * and contract-sum models). */
    AP__FR_NIL_TO_UNIT = 2,
    /* A stated figure that is only checked, never computed with (a stated
     * total): it may be cut off ("£52,91…") or "not legible", carried as
     * printed (plan.h, ap_amount).  Without this flag such a text is an
     * error saying why it cannot be taken. */
    AP__FR_STATED = 4
};

/* Money text at node in `unit` ("£1.070m", "(3,540)", "-£19k"; a suffix
 * overrides the unit); a lone "-", "–" or "—" (blanks around allowed) is a
 * nil as `flags` says.  Anything but text is an error whose message points
 * to pence_key (NULL: no pence alternative) for integer pence. */
ap_status ap__fr_money_text(ap__jr *jr, const cJSON *node, const char *path,
                            ap_unit unit, int flags, const char *pence_key,
                            ap_amount *out);

/* A printed figure under `key` of obj: money text as ap__fr_money_text,
 * or integer pence under `key`_pence (resolution 1), never both and never
 * a JSON number under `key`.  A missing key is an error only with
 * AP__FR_REQUIRED; out->present says which (0 leaves out->amount zero). */
ap_status ap__fr_money(ap__jr *jr, const cJSON *obj, const char *path,
                       const char *key, ap_unit unit, int flags,
                       ap_printed *out);

/* ---- authorities and the split between them ----------------------------- */

/* "authorities": [{"code", "name"}...] of the model at root (whose path
 * is root_path): codes unique and not empty.  Absent: *n is 0 unless
 * required.  The caller frees with ap__fr_authorities_free (also after an
 * error: *out and *n are always consistent). */
ap_status ap__fr_authorities(ap__jr *jr, const cJSON *root,
                             const char *root_path, int required,
                             ap_authority **out, size_t *n);
void ap__fr_authorities_free(ap_authority *authorities, size_t n);

/* One authority {"code", "name"} of an array read with ap__jr_each_object
 * into the list ctx points to (allocated at the first): code not empty and
 * not declared before it.  Shared with the plan's reader. */
typedef struct ap__fr_authority_list {
    ap_authority **list;
    size_t *n; /* how many are read (and so to be freed) */
} ap__fr_authority_list;
ap_status ap__fr_read_authority(ap__jr *jr, const cJSON *a, const char *p,
                                size_t i, size_t n, void *ctx);

/* How a reader of a basis or split names it in messages. */
typedef struct ap__fr_weight_words {
    const char *word;    /* "basis" or "split": "no split value for ..." */
    const char *example; /* a value such as "44.16" */
    const char *missing; /* what "values" holds, for its missing-key error */
    int percent_figures; /* nonzero: a percent value must also read as a
                            printed figure (it is audited against 100) */
    int kind_required;   /* nonzero (a plan's basis): "kind" must be given
                            and a wrong one is an "unknown basis kind";
                            zero (a split): percent unless given */
} ap__fr_weight_words;

/* A basis or split at obj (path) between the declared authorities:
 * {"name", "kind": "percent" or "metric", "values": {code: number or
 * decimal text}, "mode"}, read the same way for a plan's basis and a
 * paper's split, in the words of `words`: every authority needs a value,
 * none negative, not all zero; weights on a common denominator.  The
 * caller frees what *b holds (also after an error). */
ap_status ap__fr_basis(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       const ap__fr_weight_words *words, ap_basis *b);

/* ap__fr_basis without its check of obj's keys, for a format whose basis
 * objects carry members of their own beside name, kind, values and mode
 * (a disaggregation's "what" and "source"): the caller checks the keys. */
ap_status ap__fr_basis_members(ap__jr *jr, const cJSON *obj,
                               const char *path,
                               const ap_authority *authorities, size_t n,
                               const ap__fr_weight_words *words, ap_basis *b);

/* The index of the authority whose code is `code`, or an error at node
 * listing the codes there are. */
ap_status ap__fr_find_authority(ap__jr *jr, const ap_authority *authorities,
                                size_t n, const cJSON *node, const char *path,
                                const char *code, size_t *out);

/* An agreed split at obj (path): ap__fr_basis in a split's words (kind
 * percent by default; a percent split's values must read as printed
 * figures, as they are audited against 100).  The caller frees with
 * ap__fr_split_free (also after an error). */
ap_status ap__fr_split(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       ap_basis *out);
void ap__fr_split_free(ap_basis *split, size_t n);

/* The model's own "authorities" at root (root_path), as
 * ap__fr_authorities reads them, and its "split" between them, which must
 * be given when there are any: "authorities are declared but no "split"
 * says <says>".  Absent, *has_split is 0.  The caller frees all three
 * (also after an error). */
ap_status ap__fr_authorities_split(ap__jr *jr, const cJSON *root,
                                   const char *root_path, const char *says,
                                   ap_authority **authorities, size_t *n,
                                   ap_basis *split, int *has_split);

/* The optional member "split" of a savings or MTFP model at obj (path):
 * the split as ap__fr_split reads it, whose authorities are the keys of
 * its "values" in file order (the model declares none of its own), with
 * what the paper says of it (ap_split_paper, savings.h): "source",
 * "note", and the split as printed, "stated" (percent splits only) and
 * "stated_source".  Absent: *has_split is 0 and nothing is allocated.
 * The caller frees all three with ap__fr_split_paper_free (also after an
 * error). */
ap_status ap__fr_split_paper(ap__jr *jr, const cJSON *obj, const char *path,
                             int *has_split, ap_authority **authorities,
                             size_t *n, ap_basis *split,
                             ap_split_paper *paper);
void ap__fr_split_paper_free(ap_authority *authorities, size_t n,
                             ap_basis *split, ap_split_paper *paper);

/* ---- other -------------------------------------------------------------- */

/* first[i] = the smallest j with strcmp(s[j], s[i]) == 0, for n strings
 * in O(n log n): line ids checked for repeats, lines grouped by area.
 * Returns 0, or -1 when out of memory. */
int ap__strings_first(const char *const *s, size_t n, size_t *first);

#endif
