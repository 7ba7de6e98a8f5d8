/* Reading KPI definitions ("apportion.kpis/1") from JSON into an
 * ap_kpi_set.
 *
 * As strict as the plan reader: an unknown or repeated key, a missing
 * required key or a value of the wrong kind is an error naming the JSON
 * path, line and column.  Targets, band boundaries and tolerances are read
 * from their own text in the file, never through a double, so 79.99 is
 * exactly 7999/100 and a boundary scores exactly what the council wrote. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/kpi.h"
#include "base/base.h"
#include "base/text.h"
#include "kpi/kpi_internal.h"
#include "json/json_reader.h"

#define KPIS_FORMAT "apportion.kpis/1"
/* KPI files are a page of definitions; anything this large is a mistake. */
#define KPIS_FILE_MAX ((size_t)64 << 20)

/* How KPI files differ in wording from the other JSON files we read. */
static const ap__jr_format kpis_format = {
    .name = "KPI",
    .tag = KPIS_FORMAT,
    .what_is = "KPI definitions are",
    .integer = "a whole number",
    .anonymous = "<kpis>",
    .max_bytes = KPIS_FILE_MAX,
};

/* ---- values ----------------------------------------------------------- */

/* A number from a JSON number's own text or from decimal text such as
 * "90%", exactly. */
static ap_status read_number(ap__jr *jr, const cJSON *node, const char *path,
                             ap_number *out)
{
    const char *raw;
    size_t len;
    if (!ap__jr_number_text(jr, node, &raw, &len))
        return ap__jr_fail(jr, node, path, "expected a number, or decimal "
                           "text such as \"90\" or \"79.99%%\", found %s",
                           ap__jr_type_name(node));
    if (ap_number_parse(raw, len, out, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
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

static ap_status read_rag(ap__jr *jr, const cJSON *node, const char *path,
                          ap_rag *out)
{
    size_t which;
    ap_status st = ap__jr_choice(jr, node, path, rag_names, &which);
    if (st != AP_OK)
        return st;
    /* The name table and the enum live in kpi_bands.c; go through it. */
    if (ap_rag_parse(node->valuestring, strlen(node->valuestring), out,
                     jr->err) != AP_OK)
        return ap__jr_refail(jr, node, path);
    return AP_OK;
}

/* One side of an explicit band.  An absent bound is unbounded; a present
 * one must say whether the value itself is in the band, because councils'
 * tables are most often wrong exactly there. */
static ap_status read_bound(ap__jr *jr, const cJSON *band, const char *path,
                            const char *key, const char *flag_key,
                            ap_bound *out)
{
    char vp[AP__JR_PATH_SIZE], fp[AP__JR_PATH_SIZE];
    ap__jr_key_path(vp, path, key);
    ap__jr_key_path(fp, path, flag_key);
    const cJSON *value = ap__jr_member(band, key);
    const cJSON *flag = ap__jr_member(band, flag_key);
    out->kind = AP_BOUND_OPEN;
    out->value.num = 0;
    out->value.den = 1;
    if (value == NULL) {
        if (flag != NULL)
            return ap__jr_fail(jr, flag, fp, "\"%s\" without \"%s\": a band "
                               "with no %s bound is unbounded on that side, "
                               "which has no end to include",
                               flag_key, key, key);
        return AP_OK;
    }
    ap_status st = read_number(jr, value, vp, &out->value);
    if (st != AP_OK)
        return st;
    if (flag == NULL)
        return ap__jr_fail(jr, band, fp, "missing required key \"%s\": say "
                           "whether the %s bound itself is in the band (true) "
                           "or not (false); there is no default",
                           flag_key, key);
    if (!cJSON_IsBool(flag))
        return ap__jr_fail(jr, flag, fp, "expected true or false, found %s",
                           ap__jr_type_name(flag));
    out->kind = cJSON_IsTrue(flag) ? AP_BOUND_INCLUSIVE : AP_BOUND_EXCLUSIVE;
    return AP_OK;
}

static ap_status read_band(ap__jr *jr, const cJSON *b, const char *p,
                           size_t i, size_t n, void *ctx)
{
    (void)n;
    ap_band *bands = ctx;
    char q[AP__JR_PATH_SIZE];
    const cJSON *rag = ap__jr_member(b, "rag");
    ap__jr_key_path(q, p, "rag");
    if (rag == NULL)
        return ap__jr_fail(jr, b, q, "missing required key \"rag\" "
                           "(\"green\", \"amber\" or \"red\")");
    ap_status st;
    if ((st = read_rag(jr, rag, q, &bands[i].rag)) ||
        (st = read_bound(jr, b, p, "lower", "lower_inclusive",
                         &bands[i].lower)) ||
        (st = read_bound(jr, b, p, "upper", "upper_inclusive",
                         &bands[i].upper)))
        return st;
    return AP_OK;
}

/* arr is an array (the caller has said what else bands may be). */
static ap_status read_band_array(ap__jr *jr, const cJSON *arr,
                                 const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"rag", "lower", "lower_inclusive",
                                       "upper", "upper_inclusive", NULL};
    static const ap__jr_objects how = {
        .what = "an array of bands",
        .empty = "expected at least one band",
        .keys = keys,
        .each = read_band};
    if (cJSON_GetArraySize(arr) > AP_BANDS_MAX)
        return ap__jr_fail(jr, arr, path, "%d bands given; at most %d are "
                           "allowed", cJSON_GetArraySize(arr), AP_BANDS_MAX);
    ap_band bands[AP_BANDS_MAX];
    ap_status st = ap__jr_each_object(jr, arr, path, &how, bands);
    if (st != AP_OK)
        return st;
    if (ap_bands_make(bands, (size_t)cJSON_GetArraySize(arr), &kpi->bands,
                      jr->err) != AP_OK)
        return ap__jr_refail(jr, arr, path);
    return AP_OK;
}

static ap_status read_tolerance(ap__jr *jr, const cJSON *obj,
                                const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"value", "kind", NULL};
    static const char *const kinds[] = {"points", "percent", NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    char p[AP__JR_PATH_SIZE];
    const cJSON *value = ap__jr_member(obj, "value");
    ap__jr_key_path(p, path, "value");
    if (value == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"value\"");
    if ((st = read_number(jr, value, p, &kpi->tolerance)))
        return st;
    if (kpi->tolerance.num < 0)
        return ap__jr_fail(jr, value, p, "a tolerance cannot be negative");
    /* No default: 5 points off 90 is 85, 5 percent off 90 is 85.5, and a
     * file must say which its council meant. */
    ap__jr_key_path(p, path, "kind");
    size_t which;
    if ((st = ap__jr_required_choice(jr, obj, "kind", p,
                                     ": \"points\" (percentage points: "
                                     "90 - 5 = 85) or \"percent\" (of the "
                                     "target: 90 less 5% = 85.5)",
                                     kinds, &which)))
        return st;
    kpi->tolerance_kind = which == 0 ? AP_TOLERANCE_POINTS
                                     : AP_TOLERANCE_PERCENT;
    kpi->has_tolerance = 1;
    return AP_OK;
}

/* A KPI measured by a number: polarity, target, tolerance and bands. */
static ap_status read_measure(ap__jr *jr, const cJSON *obj, const char *path,
                              ap_kpi *kpi)
{
    static const char *const polarities[] = {"higher", "lower", NULL};
    char p[AP__JR_PATH_SIZE];
    ap_status st;

    const cJSON *states = ap__jr_member(obj, "states");
    if (states != NULL) {
        ap__jr_key_path(p, path, "states");
        return ap__jr_fail(jr, states, p, "\"states\" are for KPIs with unit "
                           "\"status\" or \"yes/no\"; this KPI's unit is "
                           "\"%s\" and it is scored by its bands",
                           kpi->unit);
    }

    const cJSON *polarity = ap__jr_member(obj, "polarity");
    ap__jr_key_path(p, path, "polarity");
    size_t which;
    if ((st = ap__jr_required_choice(jr, obj, "polarity", p,
                                     ": \"higher\" if higher values are "
                                     "better, \"lower\" if lower ones are",
                                     polarities, &which)))
        return st;
    if (ap_polarity_parse(polarity->valuestring, &kpi->polarity,
                          jr->err) != AP_OK)
        return ap__jr_refail(jr, polarity, p);

    const cJSON *target = ap__jr_member(obj, "target");
    if (target != NULL) {
        ap__jr_key_path(p, path, "target");
        if ((st = read_number(jr, target, p, &kpi->target)))
            return st;
        kpi->has_target = 1;
    }

    const cJSON *tolerance = ap__jr_member(obj, "tolerance");
    char tp[AP__JR_PATH_SIZE];
    ap__jr_key_path(tp, path, "tolerance");
    if (tolerance != NULL) {
        if (target == NULL)
            return ap__jr_fail(jr, tolerance, tp, "a tolerance needs a "
                               "\"target\" to be measured from");
        if ((st = read_tolerance(jr, tolerance, tp, kpi)))
            return st;
    }

    const cJSON *bands = ap__jr_member(obj, "bands");
    ap__jr_key_path(p, path, "bands");
    if (bands == NULL) {
        if (tolerance == NULL)
            return ap__jr_fail(jr, obj, path, "KPI \"%s\" has no bands: give "
                               "\"bands\", or a \"target\" and a "
                               "\"tolerance\" to make them from",
                               kpi->ref);
        if (ap_bands_from_tolerance(kpi->polarity, kpi->target,
                                    kpi->tolerance, kpi->tolerance_kind,
                                    &kpi->bands, jr->err) != AP_OK)
            return ap__jr_refail(jr, tolerance, tp);
        return AP_OK;
    }
    if (cJSON_IsString(bands)) {
        const char *text = bands->valuestring;
        if ((kpi->bands_text = ap__strdup(text)) == NULL)
            return ap__jr_nomem(jr);
        if (ap_bands_parse_text(text, strlen(text), kpi->polarity,
                                &kpi->bands, jr->err) != AP_OK)
            return ap__jr_refail(jr, bands, p);
        return AP_OK;
    }
    if (cJSON_IsArray(bands))
        return read_band_array(jr, bands, p, kpi);
    return ap__jr_fail(jr, bands, p, "expected the council's wording as text "
                       "(\"Green = 90-100%%, Amber = 80-90%%, ...\") or an "
                       "array of bands, found %s",
                       ap__jr_type_name(bands));
}

/* A KPI scored from a table of states ("in place" -> green). */
static ap_status read_status(ap__jr *jr, const cJSON *obj, const char *path,
                             ap_kpi *kpi)
{
    static const char *const measure_only[] = {"polarity", "target",
                                               "tolerance", "bands", NULL};
    char p[AP__JR_PATH_SIZE];
    for (size_t i = 0; measure_only[i] != NULL; i++) {
        const cJSON *node = ap__jr_member(obj, measure_only[i]);
        if (node != NULL) {
            ap__jr_key_path(p, path, measure_only[i]);
            return ap__jr_fail(jr, node, p, "a KPI with unit \"%s\" is scored "
                               "by its \"states\", so it takes no \"%s\"",
                               kpi->unit, measure_only[i]);
        }
    }
    const cJSON *states = ap__jr_member(obj, "states");
    char sp[AP__JR_PATH_SIZE];
    ap__jr_key_path(sp, path, "states");
    if (states == NULL)
        return ap__jr_fail(jr, obj, sp, "missing required key \"states\": a "
                           "KPI with unit \"%s\" is scored from its state, as "
                           "in {\"in place\": \"green\", \"not in place\": "
                           "\"red\"}",
                           kpi->unit);
    if (!cJSON_IsObject(states))
        return ap__jr_fail(jr, states, sp, "expected an object of state label "
                           "to \"green\", \"amber\" or \"red\", found %s",
                           ap__jr_type_name(states));
    size_t n = (size_t)cJSON_GetArraySize(states);
    if (n == 0)
        return ap__jr_fail(jr, states, sp, "expected at least one state");
    if ((kpi->states = calloc(n, sizeof *kpi->states)) == NULL)
        return ap__jr_nomem(jr);
    for (const cJSON *s = states->child; s != NULL; s = s->next) {
        ap__jr_key_path(p, sp, s->string);
        if (is_blank(s->string))
            return ap__jr_fail(jr, s, p, "a state label cannot be empty");
        /* Also catches a key given twice, as check_object would. */
        for (size_t j = 0; j < kpi->n_states; j++)
            if (same_label(kpi->states[j].label, s->string))
                return ap__jr_fail(jr, s, p, "state \"%s\" repeats \"%s\"; "
                                   "labels are matched regardless of case, so "
                                   "each must differ by more than that",
                                   s->string, kpi->states[j].label);
        ap_kpi_state *state = &kpi->states[kpi->n_states];
        ap_status st = read_rag(jr, s, p, &state->rag);
        if (st != AP_OK)
            return st;
        if ((state->label = ap__strdup(s->string)) == NULL)
            return ap__jr_nomem(jr);
        kpi->n_states++;
    }
    return AP_OK;
}

static ap_status read_escalation(ap__jr *jr, const cJSON *obj,
                                 const char *path, ap_kpi *kpi)
{
    static const char *const keys[] = {"failure_after",
                                       "rectification_after", NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    int64_t *fields[] = {&kpi->escalation.failure_after,
                         &kpi->escalation.rectification_after};
    for (size_t i = 0; i < 2; i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, path, keys[i]);
        const cJSON *node = ap__jr_member(obj, keys[i]);
        if (node == NULL)
            return ap__jr_fail(jr, obj, p, "missing required key \"%s\" (a "
                               "number of reporting periods, 1 or more)",
                               keys[i]);
        if ((st = ap__jr_integer(jr, node, p, fields[i])))
            return st;
        if (*fields[i] < 1)
            return ap__jr_fail(jr, node, p, "expected a number of reporting "
                               "periods, 1 or more, found %lld",
                               (long long)*fields[i]);
    }
    kpi->has_escalation = 1;
    return AP_OK;
}

static ap_status read_kpi(ap__jr *jr, const cJSON *obj, const char *path,
                          ap_kpi_set *set, size_t at)
{
    static const char *const keys[] = {
        "ref",      "description", "unit",  "polarity",
        "target",   "frequency",   "reported_to", "bands",
        "tolerance", "states",     "escalation",  "measure",
        NULL};
    static const char *const units[] = {"%",      "count",  "days",
                                        "\xc2\xa3", "yes/no", "status",
                                        NULL};
    static const char *const frequencies[] = {"monthly", "quarterly",
                                              "annual",  "termly",
                                              "weekly",  NULL};
    ap_kpi *kpi = &set->kpis[at];
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;

    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, "ref");
    if ((st = ap__jr_string(jr, obj, path, "ref", 1, NULL, &kpi->ref)))
        return st;
    const cJSON *ref = ap__jr_member(obj, "ref");
    if (is_blank(kpi->ref))
        return ap__jr_fail(jr, ref, p, "a KPI ref cannot be empty");
    for (size_t j = 0; j < at; j++)
        if (strcmp(set->kpis[j].ref, kpi->ref) == 0)
            return ap__jr_fail(jr, ref, p, "ref \"%s\" is used by $.kpis[%zu] "
                               "and $.kpis[%zu]; each KPI needs its own",
                               kpi->ref, j, at);

    if ((st = ap__jr_string(jr, obj, path, "description", 0, "",
                            &kpi->description)) ||
        (st = ap__jr_string(jr, obj, path, "reported_to", 0, "",
                            &kpi->reported_to)))
        return st;

    const char *unit = "%";
    const cJSON *node = ap__jr_member(obj, "unit");
    if (node != NULL) {
        size_t which;
        ap__jr_key_path(p, path, "unit");
        if ((st = ap__jr_choice(jr, node, p, units, &which)))
            return st;
        unit = units[which];
    }
    if ((kpi->unit = ap__strdup(unit)) == NULL)
        return ap__jr_nomem(jr);

    const char *frequency = "";
    if ((node = ap__jr_member(obj, "frequency")) != NULL) {
        size_t which;
        ap__jr_key_path(p, path, "frequency");
        if ((st = ap__jr_choice(jr, node, p, frequencies, &which)))
            return st;
        frequency = frequencies[which];
    }
    if ((kpi->frequency = ap__strdup(frequency)) == NULL)
        return ap__jr_nomem(jr);

    int status = strcmp(unit, "status") == 0 || strcmp(unit, "yes/no") == 0;
    kpi->kind = status ? AP_KPI_STATUS : AP_KPI_MEASURE;
    st = status ? read_status(jr, obj, path, kpi)
                : read_measure(jr, obj, path, kpi);
    if (st != AP_OK)
        return st;

    if ((node = ap__jr_member(obj, "escalation")) != NULL) {
        ap__jr_key_path(p, path, "escalation");
        if ((st = read_escalation(jr, node, p, kpi)))
            return st;
    }

    /* Optional, and NULL when absent rather than "": a KPI without a
     * measure is one whose value is supplied, not computed. */
    if ((node = ap__jr_member(obj, "measure")) != NULL) {
        ap__jr_key_path(p, path, "measure");
        if (!cJSON_IsString(node))
            return ap__jr_fail(jr, node, p, "expected the name of a measure "
                               "as a string, found %s",
                               ap__jr_type_name(node));
        if (node->valuestring[0] == '\0')
            return ap__jr_fail(jr, node, p, "a measure name cannot be empty; "
                               "leave \"measure\" out when the KPI has none");
        if ((kpi->measure = ap__strdup(node->valuestring)) == NULL)
            return ap__jr_nomem(jr);
    }
    return AP_OK;
}

static ap_status each_kpi(ap__jr *jr, const cJSON *obj, const char *path,
                          size_t i, size_t n, void *ctx)
{
    ap_kpi_set *set = ctx;
    if (i == 0) {
        if ((set->kpis = calloc(n, sizeof *set->kpis)) == NULL)
            return ap__jr_nomem(jr);
        set->n = n; /* all zero, so freeing a half-read set is safe */
    }
    return read_kpi(jr, obj, path, set, i);
}

/* The root object's keys (checked by ap__jr_parse_model with its
 * "format" before read_root runs). */
static const char *const kpis_keys[] = {"$schema", "format", "title", "kpis",
                                        NULL};

static ap_status read_root(ap__jr *jr, void *model)
{
    ap_kpi_set *set = model;
    const cJSON *root = jr->root;
    static const char *const texts[] = {"$schema", "title"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *node = ap__jr_member(root, texts[i]);
        char p[AP__JR_PATH_SIZE];
        ap__jr_key_path(p, "$", texts[i]);
        if (node != NULL && !cJSON_IsString(node))
            return ap__jr_fail(jr, node, p, "expected a string, found %s",
                               ap__jr_type_name(node));
    }

    const cJSON *kpis = ap__jr_member(root, "kpis");
    if (kpis == NULL)
        return ap__jr_fail(jr, root, "$.kpis", "missing required key \"kpis\" "
                           "(an array of KPI definitions)");
    /* read_kpi checks each element's keys, in its own words. */
    static const ap__jr_objects how = {
        .what = "an array of KPI definitions",
        .empty = "expected at least one KPI",
        .keys = NULL,
        .each = each_kpi};
    return ap__jr_each_object(jr, kpis, "$.kpis", &how, set);
}

/* ---- entry points ----------------------------------------------------- */

AP__JR_ENTRY_POINTS(ap_kpi_set, ap_kpis_parse, ap_kpis_load,
                    ap_kpi_set_free, kpis_format, read_root, kpis_keys, 1)

void ap__kpi_release(ap_kpi *kpi)
{
    free(kpi->ref);
    free(kpi->description);
    free(kpi->unit);
    free(kpi->frequency);
    free(kpi->reported_to);
    free(kpi->bands_text);
    free(kpi->measure);
    for (size_t i = 0; i < kpi->n_states; i++)
        free(kpi->states[i].label);
    free(kpi->states);
}

void ap_kpi_set_free(ap_kpi_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        ap__kpi_release(&set->kpis[i]);
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
