/* Reading the JSON pieces the outturn, contract-sum, savings and MTFP
 * files share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_read.h"
#include "base/base.h"
#include "base/text.h"

/* ---- where the model is ------------------------------------------------- */

ap_status ap__fr_model_root(ap__jr *jr, const char *tag, const char *member,
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

ap_status ap__fr_unit(ap__jr *jr, const cJSON *obj, const char *path,
                      ap_unit *out)
{
    const cJSON *node = ap__jr_member(obj, "unit");
    if (node == NULL)
        return AP_OK;
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "unit");
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, p, "expected a unit such as \"\xc2\xa3"
                           "000\", found %s", ap__jr_type_name(node));
    if (ap_unit_parse(node->valuestring, out, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, p);
    return AP_OK;
}

ap_status ap__fr_model_unit(ap__jr *jr, const cJSON *obj, const char *path,
                            ap_unit *out)
{
    *out = AP_UNIT_POUNDS;
    if (obj != jr->root && ap__jr_member(obj, "unit") == NULL)
        return ap__fr_unit(jr, jr->root, "$", out);
    return ap__fr_unit(jr, obj, path, out);
}

ap_status ap__fr_notes(ap__jr *jr, const cJSON *obj, const char *path)
{
    static const char *const texts[] = {"$schema", "source"};
    char p[AP__JR_PATH_SIZE];
    const cJSON *notes = ap__jr_member(obj, "notes");
    if (notes != NULL) {
        ap__jr_key_path(p, path, "notes");
        if (!cJSON_IsString(notes) && !cJSON_IsArray(notes))
            return ap__jr_fail(jr, notes, p, "expected text or an array of "
                               "text, found %s", ap__jr_type_name(notes));
        size_t i = 0;
        for (const cJSON *n = cJSON_IsArray(notes) ? notes->child : NULL;
             n != NULL; n = n->next, i++)
            if (!cJSON_IsString(n)) {
                char q[AP__JR_PATH_SIZE];
                ap__jr_index_path(q, p, i);
                return ap__jr_fail(jr, n, q, "expected text, found %s",
                                   ap__jr_type_name(n));
            }
    }
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        const cJSON *t = ap__jr_member(obj, texts[k]);
        if (t != NULL && !cJSON_IsString(t)) {
            ap__jr_key_path(p, path, texts[k]);
            return ap__jr_fail(jr, t, p, "expected a string, found %s",
                               ap__jr_type_name(t));
        }
    }
    return AP_OK;
}

/* ---- printed money ------------------------------------------------------ */

/* A lone dash is how tables print nil: "-", "–" (U+2013), "—" (U+2014),
 * with blanks around it as ap_money_parse allows them around figures. */
static int is_nil_text(const char *s)
{
    const char *end = s + strlen(s);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
                       end[-1] == '\r' || end[-1] == '\n'))
        end--;
    size_t n = (size_t)(end - s);
    return (n == 1 && s[0] == '-') ||
           (n == 3 && (memcmp(s, "\xe2\x80\x93", 3) == 0 ||
                       memcmp(s, "\xe2\x80\x94", 3) == 0));
}

ap_status ap__fr_money_text(ap__jr *jr, const cJSON *node, const char *path,
                            ap_unit unit, int flags, const char *pence_key,
                            ap_amount *out)
{
    if (!cJSON_IsString(node)) {
        char hint[96] = "";
        if (pence_key != NULL)
            snprintf(hint, sizeof hint, "; write integer pence under \"%s\" "
                     "instead", pence_key);
        return ap__jr_fail(jr, node, path,
                           "expected money as text such as \"\xc2\xa3"
                           "1.070m\" or \"(3,540)\", found %s%s",
                           ap__jr_type_name(node), hint);
    }
    ap_printed_figure pf;
    if (ap_printed_parse(node->valuestring, (size_t)-1, (int)unit,
                         ap__pow10((int)unit), &pf, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
    if (pf.legibility != AP_LEGIBLE) {
        const char *t = node->valuestring;
        size_t n = strlen(t);
        if (!(flags & AP__FR_STATED))
            return ap__jr_fail(jr, node, path,
                               "\"%.*s\" is %s, but this figure is computed "
                               "with, not only checked: only a stated total "
                               "may be carried as partly legible",
                               ap__utf8_prefix(t, n, 60), t,
                               pf.legibility == AP_CUT_OFF ? "cut off"
                                                           : "not legible");
        if (n >= AP_AMOUNT_PRINTED_MAX)
            return ap__jr_fail(jr, node, path,
                               "\"%.*s...\" is longer than a partly legible "
                               "figure can be (%d bytes)",
                               ap__utf8_prefix(t, n, 60), t,
                               AP_AMOUNT_PRINTED_MAX - 1);
        out->pence = 0;
        out->resolution = 0;
        out->legibility = pf.legibility;
        out->cut = pf;
        memcpy(out->as_printed, t, n + 1);
        return AP_OK;
    }
    if (is_nil_text(node->valuestring)) {
        out->pence = 0;
        out->resolution = flags & AP__FR_NIL_TO_UNIT ? ap__pow10((int)unit)
                                                     : 0;
        return AP_OK;
    }
    if (ap_money_parse(node->valuestring, (size_t)-1, unit, &out->pence,
                       &out->resolution, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
    return AP_OK;
}

ap_status ap__fr_money(ap__jr *jr, const cJSON *obj, const char *path,
                       const char *key, ap_unit unit, int flags,
                       ap_printed *out)
{
    char pence_key[64], p[AP__JR_PATH_SIZE];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *text = ap__jr_member(obj, key);
    const cJSON *pence = ap__jr_member(obj, pence_key);
    out->present = 0;
    memset(&out->amount, 0, sizeof out->amount);
    if (text != NULL && pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        return ap__jr_fail(jr, pence, p,
                           "give either \"%s\" or \"%s\", not both", key,
                           pence_key);
    }
    if (text == NULL && pence == NULL) {
        if (!(flags & AP__FR_REQUIRED))
            return AP_OK;
        ap__jr_key_path(p, path, key);
        return ap__jr_fail(jr, obj, p,
                           "missing required key \"%s\" (money as text such "
                           "as \"\xc2\xa3" "1.070m\" or \"(3,540)\", or "
                           "integer pence under \"%s\")",
                           key, pence_key);
    }
    ap_status st;
    if (pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        if ((st = ap__jr_integer(jr, pence, p, &out->amount.pence)))
            return st;
        out->amount.resolution = 1;
    } else {
        ap__jr_key_path(p, path, key);
        if ((st = ap__fr_money_text(jr, text, p, unit, flags, pence_key,
                                    &out->amount)))
            return st;
    }
    out->present = 1;
    return AP_OK;
}

/* ---- authorities -------------------------------------------------------- */

void ap__fr_authorities_free(ap_authority *authorities, size_t n)
{
    if (authorities == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(authorities[i].code);
        free(authorities[i].name);
    }
    free(authorities);
}

ap_status ap__fr_read_authority(ap__jr *jr, const cJSON *a, const char *p,
                                size_t i, size_t n, void *ctx)
{
    ap__fr_authority_list *l = ctx;
    if (i == 0 && (*l->list = calloc(n, sizeof **l->list)) == NULL)
        return ap__jr_nomem(jr);
    ap_authority *list = *l->list;
    *l->n = i + 1;
    ap_status st;
    if ((st = ap__jr_string(jr, a, p, "code", 1, NULL, &list[i].code)) ||
        (st = ap__jr_string(jr, a, p, "name", 0, "", &list[i].name)))
        return st;
    char cp[AP__JR_PATH_SIZE];
    ap__jr_key_path(cp, p, "code");
    if (list[i].code[0] == '\0')
        return ap__jr_fail(jr, ap__jr_member(a, "code"), cp,
                           "an authority code cannot be empty");
    for (size_t j = 0; j < i; j++)
        if (strcmp(list[j].code, list[i].code) == 0)
            return ap__jr_fail(jr, ap__jr_member(a, "code"), cp,
                               "authority \"%s\" is declared twice",
                               list[i].code);
    return AP_OK;
}

ap_status ap__fr_authorities(ap__jr *jr, const cJSON *root,
                             const char *root_path, int required,
                             ap_authority **out, size_t *n_out)
{
    static const char *const keys[] = {"code", "name", NULL};
    char path[AP__JR_PATH_SIZE];
    ap__jr_key_path(path, root_path, "authorities");
    *out = NULL;
    *n_out = 0;
    const cJSON *arr = ap__jr_member(root, "authorities");
    if (arr == NULL)
        return required ? ap__jr_fail(jr, root, path,
                                      "missing required key \"authorities\"")
                        : AP_OK;
    static const ap__jr_objects how = {
        .what = "an array of authorities",
        .empty = "expected at least one authority",
        .keys = keys,
        .each = ap__fr_read_authority};
    ap__fr_authority_list list = {out, n_out};
    return ap__jr_each_object(jr, arr, path, &how, &list);
}

ap_status ap__fr_find_authority(ap__jr *jr, const ap_authority *authorities,
                                size_t n, const cJSON *node, const char *path,
                                const char *code, size_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(authorities[i].code, code) == 0) {
            *out = i;
            return AP_OK;
        }
    if (n == 0)
        return ap__jr_fail(jr, node, path, "unknown authority \"%s\": the "
                           "file declares no $.authorities",
                           code);
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i ? ", " : "", authorities[i].code);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    return ap__jr_fail(jr, node, path, "unknown authority \"%s\"; the "
                       "authorities are: %s",
                       code, list);
}

/* ---- the split ---------------------------------------------------------- */

void ap__fr_split_free(ap_basis *b, size_t n)
{
    if (b->value_text != NULL)
        for (size_t i = 0; i < n; i++)
            free(b->value_text[i]);
    free(b->value_text);
    free(b->name);
    free(b->num);
    free(b->den);
    free(b->weights);
    memset(b, 0, sizeof *b);
}

/* A copy of raw[0..len) as a string, or NULL. */
static char *copy_text(const char *raw, size_t len)
{
    char *s = malloc(len + 1);
    if (s != NULL) {
        memcpy(s, raw, len);
        s[len] = '\0';
    }
    return s;
}

/* What a split's "values" holds, for its missing-key message. */
#define SPLIT_VALUES_HOLD                                                  \
    "authority code to its share, such as {\"NNC\": \"44.16\", "          \
    "\"WNC\": \"55.84\"}"

/* The "values" object of a basis or split at obj, or an error at vp
 * whose missing-key message says what it holds. */
static ap_status values_object(ap__jr *jr, const cJSON *obj, const char *vp,
                               const char *holds, const cJSON **out)
{
    const cJSON *values = ap__jr_member(obj, "values");
    if (values == NULL)
        return ap__jr_fail(jr, obj, vp, "missing required key \"values\" "
                           "(%s)", holds);
    if (!cJSON_IsObject(values))
        return ap__jr_fail(jr, values, vp, "expected an object of authority "
                           "code to value, found %s",
                           ap__jr_type_name(values));
    *out = values;
    return AP_OK;
}

/* The "values" of a basis or split at obj (path): each authority's exact
 * weight from its own digits, every authority given once, none negative,
 * not all zero, then on a common denominator.  Allocates b->value_text,
 * num, den and weights (n each); b->kind must be set first. */
static ap_status weights(ap__jr *jr, const cJSON *obj, const char *path,
                         const ap_authority *authorities, size_t n,
                         const ap__fr_weight_words *words, ap_basis *b)
{
    b->value_text = calloc(n ? n : 1, sizeof *b->value_text);
    b->num = calloc(n ? n : 1, sizeof *b->num);
    b->den = calloc(n ? n : 1, sizeof *b->den);
    b->weights = calloc(n ? n : 1, sizeof *b->weights);
    if (!b->value_text || !b->num || !b->den || !b->weights)
        return ap__jr_nomem(jr);
    char vp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(vp, path, "values");
    const cJSON *values;
    ap_status st = values_object(jr, obj, vp, words->missing, &values);
    if (st != AP_OK)
        return st;
    for (const cJSON *v = values->child; v != NULL; v = v->next) {
        ap__jr_key_path(p, vp, v->string);
        size_t who;
        if ((st = ap__fr_find_authority(jr, authorities, n, v, p, v->string,
                                        &who)))
            return st;
        if (b->value_text[who] != NULL)
            return ap__jr_fail(jr, v, p, "duplicate key \"%s\"", v->string);
        /* The number's own text: 44.16 stays 44.16, not a double. */
        const char *raw;
        size_t raw_len;
        if (!ap__jr_number_text(jr, v, &raw, &raw_len))
            return ap__jr_fail(jr, v, p, "expected a number or decimal text "
                               "such as \"%s\", found %s",
                               words->example, ap__jr_type_name(v));
        if (ap_decimal_parse(raw, raw_len, &b->num[who], &b->den[who],
                             jr->err) != AP_OK)
            return ap__jr_refail(jr, v, p);
        if (b->num[who] < 0)
            return ap__jr_fail(jr, v, p, "a %s value cannot be negative "
                               "(%.*s)",
                               words->word, (int)raw_len, raw);
        ap_figure f; /* audited against 100 as a printed figure */
        if (words->percent_figures && b->kind == AP_BASIS_PERCENT &&
            ap_figure_parse(raw, raw_len, &f, jr->err) != AP_OK)
            return ap__jr_refail(jr, v, p);
        if ((b->value_text[who] = copy_text(raw, raw_len)) == NULL)
            return ap__jr_nomem(jr);
    }
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->value_text[i] == NULL) {
            ap__jr_key_path(p, vp, authorities[i].code);
            return ap__jr_fail(jr, values, p,
                               "no %s value for authority \"%s\"",
                               words->word, authorities[i].code);
        }
        any |= b->num[i] != 0;
    }
    if (!any)
        return ap__jr_fail(jr, values, vp, "every %s value is zero; at "
                           "least one must be positive", words->word);
    if (ap_weights_common(b->num, b->den, n, b->weights, jr->err) != AP_OK)
        return ap__jr_refail(jr, values, vp);
    return AP_OK;
}

/* The kind of basis or split: a plan's basis must say it and calls a
 * wrong one an "unknown basis kind"; a split is percent unless it says
 * otherwise.  Each list names the kinds in the order its format's
 * messages always have; kind_of maps either's index to the kind. */
static ap_status read_kind(ap__jr *jr, const cJSON *obj, const char *path,
                           const ap__fr_weight_words *words, ap_basis *b)
{
    static const char *const listed[] = {"metric", "percent", NULL};
    static const char *const named[] = {"percent", "metric", NULL};
    static const ap_basis_kind listed_kind[] = {AP_BASIS_METRIC,
                                                AP_BASIS_PERCENT};
    static const ap_basis_kind named_kind[] = {AP_BASIS_PERCENT,
                                               AP_BASIS_METRIC};
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "kind");
    const cJSON *kind = ap__jr_member(obj, "kind");
    b->kind = AP_BASIS_PERCENT;
    if (kind == NULL)
        return words->kind_required
                   ? ap__jr_fail(jr, obj, p, "missing required key \"kind\"")
                   : AP_OK;
    size_t k;
    char what[48];
    snprintf(what, sizeof what, "%s kind", words->word);
    ap_status st =
        words->kind_required
            ? ap__jr_choice_named(jr, kind, p, named, what, &k)
            : ap__jr_choice(jr, kind, p, listed, &k);
    if (st == AP_OK)
        b->kind = words->kind_required ? named_kind[k] : listed_kind[k];
    return st;
}

/* The basis or split at obj once its keys are checked: name, kind, mode
 * and one value per authority. */
static ap_status basis_members(ap__jr *jr, const cJSON *obj,
                               const char *path,
                               const ap_authority *authorities, size_t n,
                               const ap__fr_weight_words *words,
                               ap_basis *b)
{
    ap_status st;
    if ((st = ap__jr_string(jr, obj, path, "name", 0, "", &b->name)) ||
        (st = read_kind(jr, obj, path, words, b)))
        return st;
    char p[AP__JR_PATH_SIZE];
    char *text = NULL;
    if ((st = ap__jr_string(jr, obj, path, "mode", 0, "largest_remainder",
                            &text)))
        return st;
    ap_apportion_mode mode;
    st = ap_apportion_mode_parse(text, &mode, jr->err);
    free(text);
    if (st != AP_OK) {
        ap__jr_key_path(p, path, "mode");
        return ap__jr_refail(jr, ap__jr_member(obj, "mode"), p);
    }
    b->mode = (int)mode;
    if (n == 0) {
        ap__jr_key_path(p, path, "values");
        return ap__jr_fail(jr, obj, p, "a %s needs $.authorities to name "
                           "whom it splits between", words->word);
    }
    return weights(jr, obj, path, authorities, n, words, b);
}

static const ap__fr_weight_words split_words = {"split", "44.16",
                                                SPLIT_VALUES_HOLD, 1, 0};

ap_status ap__fr_basis(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       const ap__fr_weight_words *words, ap_basis *b)
{
    static const char *const keys[] = {"name", "kind", "values", "mode",
                                       NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    return basis_members(jr, obj, path, authorities, n, words, b);
}

ap_status ap__fr_basis_members(ap__jr *jr, const cJSON *obj,
                               const char *path,
                               const ap_authority *authorities, size_t n,
                               const ap__fr_weight_words *words, ap_basis *b)
{
    return basis_members(jr, obj, path, authorities, n, words, b);
}

ap_status ap__fr_split(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       ap_basis *b)
{
    return ap__fr_basis(jr, obj, path, authorities, n, &split_words, b);
}

ap_status ap__fr_authorities_split(ap__jr *jr, const cJSON *root,
                                   const char *root_path, const char *says,
                                   ap_authority **authorities, size_t *n,
                                   ap_basis *split, int *has_split)
{
    ap_status st = ap__fr_authorities(jr, root, root_path, 0, authorities, n);
    if (st != AP_OK)
        return st;
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, root_path, "split");
    const cJSON *node = ap__jr_member(root, "split");
    if (node == NULL)
        return *n == 0 ? AP_OK
                       : ap__jr_fail(jr, root, p, "authorities are declared "
                                     "but no \"split\" says %s", says);
    if ((st = ap__fr_split(jr, node, p, *authorities, *n, split)))
        return st;
    *has_split = 1;
    return AP_OK;
}

/* The authorities a split names by the keys of its "values", in file
 * order. */
static ap_status split_authorities(ap__jr *jr, const cJSON *split,
                                   const char *path, ap_authority **out,
                                   size_t *n_out)
{
    char vp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(vp, path, "values");
    const cJSON *values;
    ap_status st = values_object(jr, split, vp, SPLIT_VALUES_HOLD, &values);
    if (st != AP_OK)
        return st;
    size_t n = (size_t)cJSON_GetArraySize(values);
    if (n == 0)
        return ap__jr_fail(jr, values, vp, "a split needs at least one "
                           "authority");
    ap_authority *list = calloc(n, sizeof *list);
    if (list == NULL)
        return ap__jr_nomem(jr);
    *out = list;
    size_t i = 0;
    for (const cJSON *v = values->child; v != NULL; v = v->next, i++) {
        ap__jr_key_path(p, vp, v->string);
        if (v->string[0] == '\0')
            return ap__jr_fail(jr, v, p, "an authority code cannot be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(list[j].code, v->string) == 0)
                return ap__jr_fail(jr, v, p, "duplicate key \"%s\"",
                                   v->string);
        list[i].code = ap__strdup(v->string);
        list[i].name = ap__strdup("");
        *n_out = i + 1;
        if (list[i].code == NULL || list[i].name == NULL)
            return ap__jr_nomem(jr);
    }
    return AP_OK;
}

/* The split as the paper printed it: a percentage per authority. */
static ap_status read_stated(ap__jr *jr, const cJSON *split,
                             const char *path, const ap_authority *a,
                             size_t n, const ap_basis *b,
                             ap_split_paper *paper)
{
    char sp[AP__JR_PATH_SIZE], p[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "stated");
    const cJSON *stated = ap__jr_member(split, "stated");
    if (stated == NULL)
        return AP_OK;
    if (b->kind != AP_BASIS_PERCENT)
        return ap__jr_fail(jr, stated, sp, "a split as printed can only be "
                           "checked for a percent split");
    if (!cJSON_IsObject(stated))
        return ap__jr_fail(jr, stated, sp, "expected an object of authority "
                           "code to the percentage the paper printed, found "
                           "%s", ap__jr_type_name(stated));
    char **texts = calloc(n, sizeof *texts);
    if ((paper->stated_text = texts) == NULL)
        return ap__jr_nomem(jr);
    for (const cJSON *v = stated->child; v != NULL; v = v->next) {
        ap__jr_key_path(p, sp, v->string);
        size_t who = 0;
        while (who < n && strcmp(a[who].code, v->string) != 0)
            who++;
        if (who == n)
            return ap__jr_fail(jr, v, p, "\"%s\" is not an authority of the "
                               "split's values", v->string);
        if (texts[who] != NULL)
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
        if ((texts[who] = copy_text(raw, raw_len)) == NULL)
            return ap__jr_nomem(jr);
    }
    for (size_t i = 0; i < n; i++)
        if (texts[i] == NULL) {
            ap__jr_key_path(p, sp, a[i].code);
            return ap__jr_fail(jr, stated, p, "no printed percentage for "
                               "authority \"%s\"", a[i].code);
        }
    return AP_OK;
}

ap_status ap__fr_split_paper(ap__jr *jr, const cJSON *obj, const char *path,
                             int *has_split, ap_authority **authorities,
                             size_t *n, ap_basis *b, ap_split_paper *paper)
{
    static const char *const keys[] = {"name",   "kind",          "mode",
                                       "values", "source",        "note",
                                       "stated", "stated_source", NULL};
    char sp[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "split");
    const cJSON *split = ap__jr_member(obj, "split");
    *has_split = 0;
    if (split == NULL)
        return AP_OK;
    ap_status st;
    if ((st = ap__jr_check_object(jr, split, sp, keys)) ||
        (st = ap__jr_string(jr, split, sp, "source", 0, "",
                            &paper->source)) ||
        (st = ap__jr_string(jr, split, sp, "note", 0, "", &paper->note)) ||
        (st = ap__jr_string(jr, split, sp, "stated_source", 0, "",
                            &paper->stated_source)) ||
        (st = split_authorities(jr, split, sp, authorities, n)) ||
        (st = basis_members(jr, split, sp, *authorities, *n, &split_words,
                            b)) ||
        (st = read_stated(jr, split, sp, *authorities, *n, b, paper)))
        return st;
    *has_split = 1;
    return AP_OK;
}

void ap__fr_split_paper_free(ap_authority *authorities, size_t n,
                             ap_basis *split, ap_split_paper *paper)
{
    if (paper->stated_text != NULL)
        for (size_t i = 0; i < n; i++)
            free(paper->stated_text[i]);
    free(paper->stated_text);
    free(paper->source);
    free(paper->note);
    free(paper->stated_source);
    memset(paper, 0, sizeof *paper);
    ap__fr_split_free(split, n);
    ap__fr_authorities_free(authorities, n);
}

/* ---- other -------------------------------------------------------------- */

typedef struct keyed {
    const char *s;
    size_t i;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int ap__strings_first(const char *const *s, size_t n, size_t *first)
{
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    if (k == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        k[i].s = s[i];
        k[i].i = i;
    }
    qsort(k, n, sizeof *k, keyed_cmp);
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && strcmp(k[b].s, k[a].s) == 0)
            first[k[b++].i] = k[a].i; /* sorted by index within equals */
        a = b;
    }
    free(k);
    return 0;
}
