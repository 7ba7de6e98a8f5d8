/* Reading the JSON pieces the outturn and contract-sum files share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finance_read.h"
#include "internal.h"

/* A lone dash is how tables print nil: "-", "–" (U+2013), "—" (U+2014). */
static int is_nil_text(const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return (n == 1 && s[0] == '-') ||
           (n == 3 && (memcmp(s, "\xe2\x80\x93", 3) == 0 ||
                       memcmp(s, "\xe2\x80\x94", 3) == 0));
}

ap_status ap__fr_money_text(ap__jr *jr, const cJSON *node, const char *path,
                            ap_unit unit, ap_amount *out)
{
    if (!cJSON_IsString(node))
        return ap__jr_fail(jr, node, path,
                           "expected money as text such as \"\xc2\xa3"
                           "1.070m\" or \"(3,540)\", found %s",
                           ap__jr_type_name(node));
    if (is_nil_text(node->valuestring)) {
        out->pence = 0;
        out->resolution = 0;
        return AP_OK;
    }
    if (ap_money_parse(node->valuestring, (size_t)-1, unit, &out->pence,
                       &out->resolution, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
    return AP_OK;
}

ap_status ap__fr_money(ap__jr *jr, const cJSON *obj, const char *path,
                       const char *key, ap_unit unit, int required,
                       ap_printed *out)
{
    char pence_key[64], p[AP__JR_PATH_SIZE];
    snprintf(pence_key, sizeof pence_key, "%s_pence", key);
    const cJSON *text = ap__jr_member(obj, key);
    const cJSON *pence = ap__jr_member(obj, pence_key);
    out->present = 0;
    if (text != NULL && pence != NULL) {
        ap__jr_key_path(p, path, pence_key);
        return ap__jr_fail(jr, pence, p,
                           "give either \"%s\" or \"%s\", not both", key,
                           pence_key);
    }
    if (text == NULL && pence == NULL) {
        if (!required)
            return AP_OK;
        ap__jr_key_path(p, path, key);
        return ap__jr_fail(jr, obj, p,
                           "missing required key \"%s\" (money as text such "
                           "as \"\xc2\xa3" "1.070m\", or integer pence under "
                           "\"%s\")",
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
        if (!cJSON_IsString(text))
            return ap__jr_fail(jr, text, p,
                               "expected money as text such as \"\xc2\xa3"
                               "1.070m\", found %s; write integer pence "
                               "under \"%s\" instead",
                               ap__jr_type_name(text), pence_key);
        if ((st = ap__fr_money_text(jr, text, p, unit, &out->amount)))
            return st;
    }
    out->present = 1;
    return AP_OK;
}

ap_status ap__fr_unit(ap__jr *jr, const cJSON *obj, const char *path,
                      ap_unit *out)
{
    char *unit = NULL;
    ap_status st = ap__jr_string(jr, obj, path, "unit", 0, "\xc2\xa3", &unit);
    if (st != AP_OK)
        return st;
    st = ap_unit_parse(unit, out, jr->err);
    free(unit);
    if (st != AP_OK) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, "unit");
        return ap__jr_refail(jr, ap__jr_member(obj, "unit"), p);
    }
    return AP_OK;
}

ap_status ap__fr_notes(ap__jr *jr, const cJSON *root)
{
    const cJSON *notes = ap__jr_member(root, "notes");
    if (notes != NULL) {
        if (!cJSON_IsString(notes) && !cJSON_IsArray(notes))
            return ap__jr_fail(jr, notes, "$.notes", "expected text or an "
                               "array of text, found %s",
                               ap__jr_type_name(notes));
        size_t i = 0;
        if (cJSON_IsArray(notes))
            for (const cJSON *n = notes->child; n; n = n->next, i++)
                if (!cJSON_IsString(n)) {
                    char p[AP__JR_PATH_SIZE];
                    ap__jr_index_path(p, "$.notes", i);
                    return ap__jr_fail(jr, n, p, "expected text, found %s",
                                       ap__jr_type_name(n));
                }
    }
    const cJSON *src = ap__jr_member(root, "source");
    if (src != NULL && !cJSON_IsString(src))
        return ap__jr_fail(jr, src, "$.source", "expected a string, found %s",
                           ap__jr_type_name(src));
    return AP_OK;
}

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

ap_status ap__fr_authorities(ap__jr *jr, const cJSON *root, int required,
                             ap_authority **out, size_t *n_out)
{
    static const char *const keys[] = {"code", "name", NULL};
    const char *path = "$.authorities";
    *out = NULL;
    *n_out = 0;
    const cJSON *arr = ap__jr_member(root, "authorities");
    if (arr == NULL)
        return required ? ap__jr_fail(jr, root, path,
                                      "missing required key \"authorities\"")
                        : AP_OK;
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, path, "expected an array of authorities, "
                           "found %s", ap__jr_type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return ap__jr_fail(jr, arr, path, "expected at least one authority");
    ap_authority *list = calloc(n, sizeof *list);
    if (list == NULL)
        return ap__jr_nomem(jr);
    *out = list;
    size_t i = 0;
    for (const cJSON *a = arr->child; a != NULL; a = a->next, i++) {
        char p[AP__JR_PATH_SIZE], cp[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, path, i);
        ap_status st = ap__jr_check_object(jr, a, p, keys);
        if (st != AP_OK)
            return st;
        *n_out = i + 1;
        if ((st = ap__jr_string(jr, a, p, "code", 1, NULL, &list[i].code)) ||
            (st = ap__jr_string(jr, a, p, "name", 0, "", &list[i].name)))
            return st;
        ap__jr_key_path(cp, p, "code");
        if (list[i].code[0] == '\0')
            return ap__jr_fail(jr, ap__jr_member(a, "code"), cp,
                               "an authority code cannot be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(list[j].code, list[i].code) == 0)
                return ap__jr_fail(jr, ap__jr_member(a, "code"), cp,
                                   "authority \"%s\" is declared twice",
                                   list[i].code);
    }
    return AP_OK;
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
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i ? ", " : "", authorities[i].code);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    if (n == 0)
        return ap__jr_fail(jr, node, path, "unknown authority \"%s\": the "
                           "file declares no $.authorities",
                           code);
    return ap__jr_fail(jr, node, path, "unknown authority \"%s\"; the "
                       "authorities are: %s",
                       code, list);
}

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

ap_status ap__fr_split(ap__jr *jr, const cJSON *obj, const char *path,
                       const ap_authority *authorities, size_t n,
                       ap_basis *b)
{
    static const char *const keys[] = {"name", "kind", "values", "mode",
                                       NULL};
    static const char *const kinds[] = {"metric", "percent", NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    if ((st = ap__jr_string(jr, obj, path, "name", 0, "", &b->name)))
        return st;
    char p[AP__JR_PATH_SIZE];
    b->kind = AP_BASIS_PERCENT;
    const cJSON *kind = ap__jr_member(obj, "kind");
    if (kind != NULL) {
        size_t k;
        ap__jr_key_path(p, path, "kind");
        if ((st = ap__jr_choice(jr, kind, p, kinds, &k)))
            return st;
        b->kind = k == 0 ? AP_BASIS_METRIC : AP_BASIS_PERCENT;
    }
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
        return ap__jr_fail(jr, obj, p, "a split needs $.authorities to "
                           "name whom it splits between");
    }
    b->value_text = calloc(n, sizeof *b->value_text);
    b->num = calloc(n, sizeof *b->num);
    b->den = calloc(n, sizeof *b->den);
    b->weights = calloc(n, sizeof *b->weights);
    if (!b->value_text || !b->num || !b->den || !b->weights)
        return ap__jr_nomem(jr);

    char vp[AP__JR_PATH_SIZE];
    ap__jr_key_path(vp, path, "values");
    const cJSON *values = ap__jr_member(obj, "values");
    if (values == NULL)
        return ap__jr_fail(jr, obj, vp, "missing required key \"values\" "
                           "(one value per authority)");
    if (!cJSON_IsObject(values))
        return ap__jr_fail(jr, values, vp, "expected an object of authority "
                           "code to value, found %s",
                           ap__jr_type_name(values));
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
                               "such as \"44.16\", found %s",
                               ap__jr_type_name(v));
        if (ap_decimal_parse(raw, raw_len, &b->num[who], &b->den[who],
                             jr->err) != AP_OK)
            return ap__jr_refail(jr, v, p);
        if (b->num[who] < 0)
            return ap__jr_fail(jr, v, p, "a split value cannot be negative "
                               "(%.*s)",
                               (int)raw_len, raw);
        b->value_text[who] = malloc(raw_len + 1);
        if (b->value_text[who] == NULL)
            return ap__jr_nomem(jr);
        memcpy(b->value_text[who], raw, raw_len);
        b->value_text[who][raw_len] = '\0';
    }
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->value_text[i] == NULL) {
            ap__jr_key_path(p, vp, authorities[i].code);
            return ap__jr_fail(jr, values, p,
                               "no split value for authority \"%s\"",
                               authorities[i].code);
        }
        any |= b->num[i] != 0;
    }
    if (!any)
        return ap__jr_fail(jr, values, vp, "every split value is zero; at "
                           "least one must be positive");
    if (ap_weights_common(b->num, b->den, n, b->weights, jr->err) != AP_OK)
        return ap__jr_refail(jr, values, vp);
    return AP_OK;
}

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
