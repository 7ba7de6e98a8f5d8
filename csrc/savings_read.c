/* Reading RAG-rated savings from JSON into an ap_savings, and the pieces
 * of reading the MTFP shares with it: where the model sits in the file
 * (its own file, or a member of a plan file), money as printed, and the
 * split between authorities.
 *
 * Strict like the plan reader: an unknown or duplicate key, a number where
 * money text is expected, a negative saving or a total over rows that do
 * not exist is an error naming the JSON path, line and column. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/apportion.h"
#include "internal.h"
#include "json_reader.h"

/* Shared with mtfp_read.c, which declares them the same way: csrc/ has no
 * internal header for the two budget models. */
ap_status ap__budget_root(ap__jr *jr, const char *tag, const char *member,
                          const cJSON **obj, char *path);
ap_status ap__budget_unit(ap__jr *jr, const cJSON *obj, const char *path,
                          ap_unit *out);
ap_status ap__budget_money(ap__jr *jr, ap_unit unit, const cJSON *obj,
                           const char *path, const char *key, int required,
                           int *present, ap_amount *out);
ap_status ap__budget_texts(ap__jr *jr, const cJSON *obj, const char *path);
ap_status ap__budget_money_text(const char *text, ap_unit unit,
                                ap_amount *out, ap_error *err);
ap_status ap__budget_split_read(ap__jr *jr, const cJSON *obj,
                                const char *path, ap_authority_split *out);

static const ap__jr_format savings_format = {
    .name = "savings",
    .tag = AP_SAVINGS_FORMAT,
    .what_is = "a savings file is",
    .integer = "an integer",
    .anonymous = "<savings>",
    .max_bytes = (size_t)1 << 30,
};

/* ---- shared with the MTFP reader ---------------------------------------- */

/* The object holding the model: the root of a file of the model's own
 * format, or the `member` of a plan file.  *path receives "$" or
 * "$.member" (AP__JR_PATH_SIZE bytes). */
ap_status ap__budget_root(ap__jr *jr, const char *tag, const char *member,
                          const cJSON **obj, char *path)
{
    const cJSON *root = jr->root;
    if (!cJSON_IsObject(root))
        return ap__jr_fail(jr, root, "$", "expected an object, found %s",
                           ap__jr_type_name(root));
    const cJSON *format = ap__jr_member(root, "format");
    if (format == NULL)
        return ap__jr_fail(jr, root, "$.format", "missing required key "
                           "\"format\" (\"%s\", or \"%s\" for a plan file "
                           "with a \"%s\" member)",
                           tag, AP_PLAN_FORMAT, member);
    if (cJSON_IsString(format) && strcmp(format->valuestring, tag) == 0) {
        *obj = root;
        snprintf(path, AP__JR_PATH_SIZE, "$");
        return AP_OK;
    }
    if (!cJSON_IsString(format) ||
        strcmp(format->valuestring, AP_PLAN_FORMAT) != 0)
        return ap__jr_fail(jr, format, "$.format", "expected \"%s\", or \"%s\" "
                           "for a plan file with a \"%s\" member; this version "
                           "of apportion reads no other format",
                           tag, AP_PLAN_FORMAT, member);
    ap__jr_key_path(path, "$", member);
    const cJSON *inner = ap__jr_member(root, member);
    if (inner == NULL)
        return ap__jr_fail(jr, root, path, "this plan file has no \"%s\" "
                           "member to read", member);
    if (!cJSON_IsObject(inner))
        return ap__jr_fail(jr, inner, path, "expected an object, found %s",
                           ap__jr_type_name(inner));
    /* Inside a plan the member's own "format" is optional, but if given
     * it must still say what it is. */
    const cJSON *own = ap__jr_member(inner, "format");
    if (own != NULL &&
        (!cJSON_IsString(own) || strcmp(own->valuestring, tag) != 0)) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, "format");
        return ap__jr_fail(jr, own, p, "expected \"%s\" or no \"format\" "
                           "here", tag);
    }
    *obj = inner;
    return AP_OK;
}

/* The model's "unit"; inside a plan file the plan's own unit when the
 * member gives none; "£" by default. */
ap_status ap__budget_unit(ap__jr *jr, const cJSON *obj, const char *path,
                          ap_unit *out)
{
    const cJSON *node = ap__jr_member(obj, "unit");
    char p[AP__JR_PATH_SIZE];
    if (node == NULL && obj != jr->root) {
        node = ap__jr_member(jr->root, "unit");
        snprintf(p, sizeof p, "$.unit");
    } else {
        ap__jr_key_path(p, path, "unit");
    }
    if (node == NULL) {
        *out = AP_UNIT_POUNDS;
        return AP_OK;
    }
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, p, "expected a unit such as \"\xc2\xa3"
                           "000\", found %s", ap__jr_type_name(node));
    if (ap_unit_parse(node->valuestring, out, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, p);
    return AP_OK;
}

/* Printed money text in `unit`; a lone "-", an en dash or an em dash
 * (blanks around allowed) is a nil, printed to the unit. */
ap_status ap__budget_money_text(const char *text, ap_unit unit,
                                ap_amount *out, ap_error *err)
{
    const char *a = text, *b = text + strlen(text);
    while (*a == ' ' || *a == '\t')
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    size_t n = (size_t)(b - a);
    if ((n == 1 && *a == '-') ||
        (n == 3 && (memcmp(a, "\xe2\x80\x93", 3) == 0 ||
                    memcmp(a, "\xe2\x80\x94", 3) == 0))) {
        out->pence = 0;
        out->resolution = ap__pow10((int)unit);
        return AP_OK;
    }
    return ap_money_parse(text, (size_t)-1, unit, &out->pence,
                          &out->resolution, err);
}

/* Money under `key` as printed text ("(3,540)" in the model's unit), or
 * as integer pence under `key`_pence; never both, never a JSON number. */
ap_status ap__budget_money(ap__jr *jr, ap_unit unit, const cJSON *obj,
                           const char *path, const char *key, int required,
                           int *present, ap_amount *out)
{
    char pence_key[64], p[AP__JR_PATH_SIZE];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *text = ap__jr_member(obj, key);
    const cJSON *pence = ap__jr_member(obj, pence_key);
    if (present)
        *present = 0;
    if (text != NULL && pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        return ap__jr_fail(jr, pence, p, "give either \"%s\" or \"%s\", not "
                           "both", key, pence_key);
    }
    if (text == NULL && pence == NULL) {
        if (!required)
            return AP_OK;
        ap__jr_key_path(p, path, key);
        return ap__jr_fail(jr, obj, p, "missing required key \"%s\" (money "
                           "as printed, such as \"(3,540)\", or integer pence "
                           "under \"%s\")", key, pence_key);
    }
    if (pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        ap_status st = ap__jr_integer(jr, pence, p, &out->pence);
        if (st != AP_OK)
            return st;
        out->resolution = 1;
    } else {
        ap__jr_key_path(p, path, key);
        if (!cJSON_IsString(text))
            return ap__jr_fail(jr, text, p, "expected money as printed, such "
                               "as \"1,247\" or \"(3,540)\", found %s; write "
                               "integer pence under \"%s\" instead",
                               ap__jr_type_name(text), pence_key);
        if (ap__budget_money_text(text->valuestring, unit, out, jr->err))
            return ap__jr_refail(jr, text, p);
    }
    if (present)
        *present = 1;
    return AP_OK;
}

/* "notes" (text or a list of text) and "$schema" are for people and
 * editors: checked for type, not kept. */
ap_status ap__budget_texts(ap__jr *jr, const cJSON *obj, const char *path)
{
    char p[AP__JR_PATH_SIZE];
    const cJSON *notes = ap__jr_member(obj, "notes");
    if (notes != NULL) {
        ap__jr_key_path(p, path, "notes");
        if (!cJSON_IsString(notes) && !cJSON_IsArray(notes))
            return ap__jr_fail(jr, notes, p, "expected text or an array of "
                               "text, found %s", ap__jr_type_name(notes));
        size_t i = 0;
        for (const cJSON *n = cJSON_IsArray(notes) ? notes->child : NULL;
             n != NULL; n = n->next, i++) {
            if (!cJSON_IsString(n)) {
                char q[AP__JR_PATH_SIZE];
                ap__jr_index_path(q, p, i);
                return ap__jr_fail(jr, n, q, "expected text, found %s",
                                   ap__jr_type_name(n));
            }
        }
    }
    const cJSON *schema = ap__jr_member(obj, "$schema");
    if (schema != NULL && !cJSON_IsString(schema)) {
        ap__jr_key_path(p, path, "$schema");
        return ap__jr_fail(jr, schema, p, "expected a string, found %s",
                           ap__jr_type_name(schema));
    }
    return AP_OK;
}

/* The index of `code` among the split's first n codes, or n. */
static size_t split_find(const ap_authority_split *s, size_t n,
                         const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->codes[i], code) == 0)
            return i;
    return n;
}

static ap_status read_split_stated(ap__jr *jr, const cJSON *obj,
                                   const char *path, ap_authority_split *s)
{
    char sp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "stated");
    const cJSON *stated = ap__jr_member(obj, "stated");
    if (stated == NULL)
        return AP_OK;
    if (s->kind != AP_BASIS_PERCENT)
        return ap__jr_fail(jr, stated, sp, "a split as printed can only be "
                           "checked for a percent split");
    if (!cJSON_IsObject(stated))
        return ap__jr_fail(jr, stated, sp, "expected an object of authority "
                           "code to the percentage the paper printed, found "
                           "%s", ap__jr_type_name(stated));
    s->stated_text = calloc(s->n, sizeof *s->stated_text);
    if (s->stated_text == NULL)
        return ap__jr_nomem(jr);
    s->has_stated = 1;
    for (const cJSON *v = stated->child; v != NULL; v = v->next) {
        ap__jr_key_path(p, sp, v->string);
        size_t who = split_find(s, s->n, v->string);
        if (who == s->n)
            return ap__jr_fail(jr, v, p, "\"%s\" is not an authority of the "
                               "split's values", v->string);
        if (s->stated_text[who] != NULL)
            return ap__jr_fail(jr, v, p, "duplicate key \"%s\"", v->string);
        const char *raw;
        size_t raw_len;
        if (!ap__jr_number_text(jr, v, &raw, &raw_len))
            return ap__jr_fail(jr, v, p, "expected the percentage as printed, "
                               "such as \"56.84%%\", found %s",
                               ap__jr_type_name(v));
        ap_figure f;
        if (ap_figure_parse(raw, raw_len, &f, jr->err) != AP_OK)
            return ap__jr_refail(jr, v, p);
        if ((s->stated_text[who] = malloc(raw_len + 1)) == NULL)
            return ap__jr_nomem(jr);
        memcpy(s->stated_text[who], raw, raw_len);
        s->stated_text[who][raw_len] = '\0';
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->stated_text[i] == NULL) {
            ap__jr_key_path(p, sp, s->codes[i]);
            return ap__jr_fail(jr, stated, p, "no printed percentage for "
                               "authority \"%s\"", s->codes[i]);
        }
    }
    return AP_OK;
}

/* The optional member "split" of obj: how an amount is split between
 * authorities.  Absent: out->present stays 0. */
ap_status ap__budget_split_read(ap__jr *jr, const cJSON *obj,
                                const char *path, ap_authority_split *s)
{
    static const char *const keys[] = {"name",   "kind",          "mode",
                                       "values", "source",        "note",
                                       "stated", "stated_source", NULL};
    static const char *const kinds[] = {"metric", "percent", NULL};
    char sp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "split");
    const cJSON *split = ap__jr_member(obj, "split");
    if (split == NULL)
        return AP_OK;
    ap_status st = ap__jr_check_object(jr, split, sp, keys);
    if (st != AP_OK)
        return st;
    s->present = 1;
    if ((st = ap__jr_string(jr, split, sp, "name", 0, "", &s->name)) ||
        (st = ap__jr_string(jr, split, sp, "source", 0, "", &s->source)) ||
        (st = ap__jr_string(jr, split, sp, "note", 0, "", &s->note)) ||
        (st = ap__jr_string(jr, split, sp, "stated_source", 0, "",
                            &s->stated_source)))
        return st;
    s->kind = AP_BASIS_PERCENT;
    const cJSON *kind = ap__jr_member(split, "kind");
    if (kind != NULL) {
        size_t k;
        ap__jr_key_path(p, sp, "kind");
        if ((st = ap__jr_choice(jr, kind, p, kinds, &k)))
            return st;
        s->kind = k == 0 ? AP_BASIS_METRIC : AP_BASIS_PERCENT;
    }
    char *mode_text = NULL;
    if ((st = ap__jr_string(jr, split, sp, "mode", 0, "largest_remainder",
                            &mode_text)))
        return st;
    ap_apportion_mode mode;
    st = ap_apportion_mode_parse(mode_text, &mode, jr->err);
    free(mode_text);
    if (st != AP_OK) {
        ap__jr_key_path(p, sp, "mode");
        return ap__jr_refail(jr, ap__jr_member(split, "mode"), p);
    }
    s->mode = (int)mode;

    char vp[AP__JR_PATH_SIZE];
    ap__jr_key_path(vp, sp, "values");
    const cJSON *values = ap__jr_member(split, "values");
    if (values == NULL)
        return ap__jr_fail(jr, split, vp, "missing required key \"values\" "
                           "(authority code to its share, such as {\"NNC\": "
                           "\"44.16\", \"WNC\": \"55.84\"})");
    if (!cJSON_IsObject(values))
        return ap__jr_fail(jr, values, vp, "expected an object of authority "
                           "code to value, found %s",
                           ap__jr_type_name(values));
    size_t n = (size_t)cJSON_GetArraySize(values);
    if (n == 0)
        return ap__jr_fail(jr, values, vp, "a split needs at least one "
                           "authority");
    if (!(s->codes = calloc(n, sizeof *s->codes)) ||
        !(s->value_text = calloc(n, sizeof *s->value_text)) ||
        !(s->num = calloc(n, sizeof *s->num)) ||
        !(s->den = calloc(n, sizeof *s->den)) ||
        !(s->weights = calloc(n, sizeof *s->weights)))
        return ap__jr_nomem(jr);
    int any = 0;
    for (const cJSON *v = values->child; v != NULL; v = v->next) {
        ap__jr_key_path(p, vp, v->string);
        if (v->string[0] == '\0')
            return ap__jr_fail(jr, v, p, "an authority code cannot be empty");
        if (split_find(s, s->n, v->string) != s->n)
            return ap__jr_fail(jr, v, p, "duplicate key \"%s\"", v->string);
        size_t i = s->n;
        if ((s->codes[i] = ap__strdup(v->string)) == NULL)
            return ap__jr_nomem(jr);
        s->n = i + 1;
        const char *raw;
        size_t raw_len;
        if (!ap__jr_number_text(jr, v, &raw, &raw_len))
            return ap__jr_fail(jr, v, p, "expected a number or decimal text "
                               "such as \"44.16\", found %s",
                               ap__jr_type_name(v));
        if (ap_decimal_parse(raw, raw_len, &s->num[i], &s->den[i], jr->err))
            return ap__jr_refail(jr, v, p);
        if (s->num[i] < 0)
            return ap__jr_fail(jr, v, p, "a split value cannot be negative "
                               "(%.*s)", (int)raw_len, raw);
        if (s->kind == AP_BASIS_PERCENT) {
            /* Checked later against 100 as a printed figure. */
            ap_figure f;
            if (ap_figure_parse(raw, raw_len, &f, jr->err) != AP_OK)
                return ap__jr_refail(jr, v, p);
        }
        if ((s->value_text[i] = malloc(raw_len + 1)) == NULL)
            return ap__jr_nomem(jr);
        memcpy(s->value_text[i], raw, raw_len);
        s->value_text[i][raw_len] = '\0';
        any |= s->num[i] != 0;
    }
    if (!any)
        return ap__jr_fail(jr, values, vp, "every split value is zero; at "
                           "least one must be positive");
    if (ap_weights_common(s->num, s->den, s->n, s->weights, jr->err) != AP_OK)
        return ap__jr_refail(jr, values, vp);
    return read_split_stated(jr, split, sp, s);
}

void ap_authority_split_clear(ap_authority_split *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->codes)
            free(s->codes[i]);
        if (s->value_text)
            free(s->value_text[i]);
        if (s->stated_text)
            free(s->stated_text[i]);
    }
    free(s->codes);
    free(s->value_text);
    free(s->stated_text);
    free(s->num);
    free(s->den);
    free(s->weights);
    free(s->name);
    free(s->source);
    free(s->note);
    free(s->stated_source);
    memset(s, 0, sizeof *s);
}

/* ---- savings ------------------------------------------------------------ */

/* A RAG-table figure: a saving printed as a positive amount. */
static ap_status read_saving_money(ap__jr *jr, const ap_savings *sv,
                                   const cJSON *obj, const char *path,
                                   const char *key, int required,
                                   int *present, ap_amount *out)
{
    ap_status st = ap__budget_money(jr, sv->unit, obj, path, key, required,
                                    present, out);
    if (st != AP_OK || (present && !*present) || out->pence >= 0)
        return st;
    char p[AP__JR_PATH_SIZE], pence_key[64];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL)
        node = ap__jr_member(obj, pence_key);
    ap__jr_key_path(p, path, node && node->string ? node->string : key);
    return ap__jr_fail(jr, node, p, "a savings table prints each saving as "
                       "a positive figure; found a negative one (a line that "
                       "adds cost is a pressure, not a saving)");
}

static ap_status read_total_column(ap__jr *jr, ap_savings *sv,
                                   const cJSON *root, const char *path)
{
    static const char *const keys[] = {"label", "sums", NULL};
    char tp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(tp, path, "total_column");
    sv->total_columns = (1u << AP_SAVINGS_COLUMN_COUNT) - 1;
    const cJSON *obj = ap__jr_member(root, "total_column");
    if (obj == NULL)
        return (sv->total_label = ap__strdup("Total")) ? AP_OK
                                                       : ap__jr_nomem(jr);
    ap_status st = ap__jr_check_object(jr, obj, tp, keys);
    if (st != AP_OK ||
        (st = ap__jr_string(jr, obj, tp, "label", 0, "Total",
                            &sv->total_label)))
        return st;
    const cJSON *sums = ap__jr_member(obj, "sums");
    if (sums == NULL)
        return AP_OK;
    ap__jr_key_path(p, tp, "sums");
    if (!cJSON_IsArray(sums) || cJSON_GetArraySize(sums) == 0)
        return ap__jr_fail(jr, sums, p, "expected a non-empty array of the "
                           "columns the row total adds, such as [\"red\", "
                           "\"amber\", \"green\", \"mitigations\"]");
    static const char *const names[] = {"red", "amber", "green",
                                        "mitigations", NULL};
    sv->total_columns = 0;
    size_t i = 0;
    for (const cJSON *c = sums->child; c != NULL; c = c->next, i++) {
        char q[AP__JR_PATH_SIZE];
        ap__jr_index_path(q, p, i);
        size_t k;
        if ((st = ap__jr_choice(jr, c, q, names, &k)))
            return st;
        if (sv->total_columns & (1u << k))
            return ap__jr_fail(jr, c, q, "\"%s\" is listed twice", names[k]);
        sv->total_columns |= 1u << k;
    }
    return AP_OK;
}

static ap_status read_proposals(ap__jr *jr, ap_savings *sv,
                                const cJSON *root, const char *path)
{
    static const char *const keys[] = {
        "reference", "name", "sro", "comments", "amount", "amount_pence",
        "red", "red_pence", "amber", "amber_pence", "green", "green_pence",
        "mitigations", "mitigations_pence", "total", "total_pence", NULL};
    char pp[AP__JR_PATH_SIZE];
    ap__jr_key_path(pp, path, "proposals");
    const cJSON *arr = ap__jr_member(root, "proposals");
    if (arr == NULL)
        return ap__jr_fail(jr, root, pp, "missing required key "
                           "\"proposals\"");
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, pp, "expected an array of savings "
                           "proposals, found %s", ap__jr_type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return ap__jr_fail(jr, arr, pp, "no savings proposals");
    if ((sv->proposals = calloc(n, sizeof *sv->proposals)) == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *o = arr->child; o != NULL; o = o->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, pp, i);
        ap_status st = ap__jr_check_object(jr, o, p, keys);
        if (st != AP_OK)
            return st;
        ap_saving *s = &sv->proposals[i];
        sv->n_proposals = i + 1;
        if ((st = ap__jr_string(jr, o, p, "reference", 0, "",
                                &s->reference)) ||
            (st = ap__jr_string(jr, o, p, "name", 1, NULL, &s->name)) ||
            (st = ap__jr_string(jr, o, p, "sro", 0, "", &s->sro)) ||
            (st = ap__jr_string(jr, o, p, "comments", 0, "",
                                &s->comments)) ||
            (st = read_saving_money(jr, sv, o, p, "amount", 1, NULL,
                                    &s->amount)))
            return st;
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++)
            if ((st = read_saving_money(
                     jr, sv, o, p, ap_savings_column_name((ap_savings_column)c),
                     1, NULL, &s->rated[c])))
                return st;
        if ((st = read_saving_money(jr, sv, o, p, "total", 0, &s->has_total,
                                    &s->total)))
            return st;
    }
    return AP_OK;
}

/* A 1-based row number under key, within 1..n. */
static ap_status read_row_number(ap__jr *jr, const cJSON *obj,
                                 const char *path, const char *key, size_t n,
                                 size_t fallback, size_t *out)
{
    const cJSON *node = ap__jr_member(obj, key);
    if (node == NULL) {
        *out = fallback;
        return AP_OK;
    }
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    int64_t v;
    ap_status st = ap__jr_integer(jr, node, p, &v);
    if (st != AP_OK)
        return st;
    if (v < 1 || (uint64_t)v > n)
        return ap__jr_fail(jr, node, p, "expected a proposal number from 1 to "
                           "%zu (the order of \"proposals\"), found %lld",
                           n, (long long)v);
    *out = (size_t)v - 1;
    return AP_OK;
}

static ap_status read_totals(ap__jr *jr, ap_savings *sv, const cJSON *root,
                             const char *path)
{
    static const char *const keys[] = {
        "label", "from", "to", "amount", "amount_pence", "red", "red_pence",
        "amber", "amber_pence", "green", "green_pence", "mitigations",
        "mitigations_pence", "total", "total_pence", NULL};
    char tp[AP__JR_PATH_SIZE];
    ap__jr_key_path(tp, path, "totals");
    const cJSON *arr = ap__jr_member(root, "totals");
    if (arr == NULL)
        return AP_OK;
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, tp, "expected an array of stated total "
                           "rows, found %s", ap__jr_type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if ((sv->totals = calloc(n ? n : 1, sizeof *sv->totals)) == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *o = arr->child; o != NULL; o = o->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, tp, i);
        ap_status st = ap__jr_check_object(jr, o, p, keys);
        if (st != AP_OK)
            return st;
        ap_savings_total *t = &sv->totals[i];
        sv->n_totals = i + 1;
        if ((st = ap__jr_string(jr, o, p, "label", 1, NULL, &t->label)) ||
            (st = read_row_number(jr, o, p, "from", sv->n_proposals, 0,
                                  &t->from)) ||
            (st = read_row_number(jr, o, p, "to", sv->n_proposals,
                                  sv->n_proposals - 1, &t->to)))
            return st;
        if (t->from > t->to) {
            char q[AP__JR_PATH_SIZE];
            ap__jr_key_path(q, p, "to");
            return ap__jr_fail(jr, ap__jr_member(o, "to"), q, "\"to\" (%zu) "
                               "comes before \"from\" (%zu)", t->to + 1,
                               t->from + 1);
        }
        int any;
        if ((st = read_saving_money(jr, sv, o, p, "amount", 0, &t->has_amount,
                                    &t->amount)) ||
            (st = read_saving_money(jr, sv, o, p, "total", 0, &t->has_total,
                                    &t->total)))
            return st;
        any = t->has_amount || t->has_total;
        for (int c = 0; c < AP_SAVINGS_COLUMN_COUNT; c++) {
            if ((st = read_saving_money(
                     jr, sv, o, p, ap_savings_column_name((ap_savings_column)c),
                     0, &t->has_rated[c], &t->rated[c])))
                return st;
            any |= t->has_rated[c];
        }
        if (!any)
            return ap__jr_fail(jr, o, p, "a total row states no figure: give "
                               "\"amount\", a column or \"total\"");
    }
    return AP_OK;
}

static ap_status read_savings(ap__jr *jr, ap_savings *sv)
{
    static const char *const keys[] = {
        "$schema", "format",       "title",     "reference", "source",
        "notes",   "unit",         "year",      "as_at",     "total_column",
        "at_risk", "proposals",    "totals",    "split",     NULL};
    static const char *const risks[] = {"red", "red_and_amber", NULL};
    const cJSON *obj;
    char path[AP__JR_PATH_SIZE];
    ap_status st = ap__budget_root(jr, AP_SAVINGS_FORMAT, "savings", &obj,
                                   path);
    if (st != AP_OK || (st = ap__jr_check_object(jr, obj, path, keys)) ||
        (st = ap__budget_texts(jr, obj, path)) ||
        (st = ap__budget_unit(jr, obj, path, &sv->unit)) ||
        (st = ap__jr_string(jr, obj, path, "title", 0, "", &sv->title)) ||
        (st = ap__jr_string(jr, obj, path, "reference", 0, "",
                            &sv->reference)) ||
        (st = ap__jr_string(jr, obj, path, "source", 0, "",
                            &sv->location)) ||
        (st = ap__jr_string(jr, obj, path, "year", 0, "", &sv->year)) ||
        (st = ap__jr_string(jr, obj, path, "as_at", 0, "", &sv->as_at)))
        return st;
    const cJSON *risk = ap__jr_member(obj, "at_risk");
    if (risk != NULL) {
        char p[AP__JR_PATH_SIZE];
        size_t k;
        ap__jr_key_path(p, path, "at_risk");
        if ((st = ap__jr_choice(jr, risk, p, risks, &k)))
            return st;
        sv->amber_at_risk = k == 1;
    }
    if ((st = read_total_column(jr, sv, obj, path)) ||
        (st = read_proposals(jr, sv, obj, path)) ||
        (st = read_totals(jr, sv, obj, path)) ||
        (st = ap__budget_split_read(jr, obj, path, &sv->split)))
        return st;
    return AP_OK;
}

ap_status ap_savings_parse(const char *text, size_t len, const char *source,
                           ap_savings **out, ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    ap__jr jr;
    ap_status st = ap__jr_open(&jr, &savings_format, text, len, source, err);
    if (st != AP_OK)
        return st;
    ap_savings *sv = calloc(1, sizeof *sv);
    if (sv == NULL || (sv->source = ap__strdup(jr.source)) == NULL)
        st = ap__jr_nomem(&jr);
    else
        st = read_savings(&jr, sv);
    ap__jr_close(&jr);
    if (st != AP_OK) {
        ap_savings_free(sv);
        return st;
    }
    *out = sv;
    return AP_OK;
}

ap_status ap_savings_load(const char *path, ap_savings **out, ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    char *text;
    size_t len;
    ap_status st = ap__jr_read_file(&savings_format, path, &text, &len, err);
    if (st != AP_OK)
        return st;
    st = ap_savings_parse(text, len, path, out, err);
    free(text);
    return st;
}

void ap_savings_free(ap_savings *sv)
{
    if (sv == NULL)
        return;
    free(sv->source);
    free(sv->title);
    free(sv->reference);
    free(sv->location);
    free(sv->year);
    free(sv->as_at);
    free(sv->total_label);
    for (size_t i = 0; i < sv->n_proposals; i++) {
        free(sv->proposals[i].reference);
        free(sv->proposals[i].name);
        free(sv->proposals[i].sro);
        free(sv->proposals[i].comments);
    }
    free(sv->proposals);
    for (size_t i = 0; i < sv->n_totals; i++)
        free(sv->totals[i].label);
    free(sv->totals);
    ap_authority_split_clear(&sv->split);
    free(sv);
}
