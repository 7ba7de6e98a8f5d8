/* The KPI definition reader: the shipped examples, read exactly, and one
 * bad document per rule, each error checked for its path and position. */
#include <stdint.h>

#include "apportion/kpi.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

static ap_kpi_set *load(const char *path)
{
    ap_kpi_set *set = NULL;
    ap_error err;
    if (ap_kpis_load(path, &set, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return set;
}

static const ap_kpi *find_kpi(const ap_kpi_set *set, const char *ref)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->kpis[i].ref, ref) == 0)
            return &set->kpis[i];
    fprintf(stderr, "no KPI %s\n", ref);
    exit(1);
}

/* Checks one band exactly; kinds are AP_BOUND_*, values num/den. */
static void check_band(const ap_band *b, ap_rag rag, ap_bound_kind lk,
                       int64_t ln, int64_t ld, ap_bound_kind uk, int64_t un,
                       int64_t ud)
{
    CHECK_EQ_I64(b->rag, rag);
    CHECK_EQ_I64(b->lower.kind, lk);
    if (lk != AP_BOUND_OPEN) {
        CHECK_EQ_I64(b->lower.value.num, ln);
        CHECK_EQ_I64(b->lower.value.den, ld);
    }
    CHECK_EQ_I64(b->upper.kind, uk);
    if (uk != AP_BOUND_OPEN) {
        CHECK_EQ_I64(b->upper.value.num, un);
        CHECK_EQ_I64(b->upper.value.den, ud);
    }
}

#define OPEN AP_BOUND_OPEN, 0, 1
#define INCL(n, d) AP_BOUND_INCLUSIVE, n, d
#define EXCL(n, d) AP_BOUND_EXCLUSIVE, n, d

static ap_rag state_of(const ap_kpi *kpi, const char *label)
{
    ap_rag rag;
    ap_error err;
    if (ap_kpi_score_state(kpi, label, &rag, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return rag;
}

static void check_iass(void)
{
    ap_kpi_set *set = load(AP_SOURCE_DIR "/examples/iass-kpis.json");
    CHECK_EQ_I64(set->n, 3);
    CHECK_CONTAINS(set->source, "examples/iass-kpis.json");

    const ap_kpi *k1 = &set->kpis[0];
    CHECK_STR(k1->ref, "IASS1");
    CHECK_EQ_I64(k1->kind, AP_KPI_STATUS);
    CHECK_STR(k1->unit, "status");
    CHECK_STR(k1->frequency, "annual");
    CHECK_CONTAINS(k1->reported_to, "Council for Disabled Children");
    CHECK_CONTAINS(k1->description, "in accordance with the CFA 2014");
    CHECK(!k1->has_target && !k1->has_tolerance && !k1->has_escalation);
    CHECK(k1->bands_text == NULL);
    CHECK_EQ_I64(k1->bands.n, 0);
    CHECK_EQ_I64(k1->n_states, 2);
    CHECK_STR(k1->states[0].label, "in place");
    CHECK_EQ_I64(k1->states[0].rag, AP_RAG_GREEN);
    CHECK_STR(k1->states[1].label, "not in place");
    CHECK_EQ_I64(k1->states[1].rag, AP_RAG_RED);
    CHECK_EQ_I64(state_of(k1, "In Place"), AP_RAG_GREEN);
    CHECK_EQ_I64(state_of(k1, "NOT IN PLACE"), AP_RAG_RED);

    ap_rag rag = AP_RAG_AMBER;
    ap_error err;
    CHECK(ap_kpi_score_state(k1, "in place ", &rag, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "\"IASS1\"");
    CHECK_CONTAINS(err.message, "\"in place \"");
    CHECK_CONTAINS(err.message, "\"in place\", \"not in place\"");
    CHECK_EQ_I64(rag, AP_RAG_AMBER); /* untouched on error */

    const ap_kpi *k2 = &set->kpis[1];
    CHECK_STR(k2->ref, "IASS2");
    CHECK_EQ_I64(k2->kind, AP_KPI_MEASURE);
    CHECK_STR(k2->unit, "%");
    CHECK_EQ_I64(k2->polarity, AP_POLARITY_HIGHER);
    CHECK(k2->has_target);
    CHECK_EQ_I64(k2->target.num, 90);
    CHECK_EQ_I64(k2->target.den, 1);
    CHECK(!k2->has_tolerance);
    CHECK_STR(k2->frequency, "quarterly");
    CHECK_STR(k2->reported_to, "");
    CHECK_STR(k2->bands_text,
              "Green = 90-100%, Amber = 80-90%, Red = 80% or below");
    /* The reading docs/domain.rst gives: Red <= 80 < Amber < 90 <= Green. */
    CHECK_EQ_I64(k2->bands.n, 3);
    check_band(&k2->bands.bands[0], AP_RAG_RED, OPEN, INCL(80, 1));
    check_band(&k2->bands.bands[1], AP_RAG_AMBER, EXCL(80, 1), EXCL(90, 1));
    check_band(&k2->bands.bands[2], AP_RAG_GREEN, INCL(90, 1),
               INCL(100, 1));
    CHECK(k2->bands.warning[0] != '\0');
    CHECK_EQ_I64(k2->n_states, 0);
    CHECK(ap_kpi_score_state(k2, "in place", &rag, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "IASS2");

    const ap_kpi *k3 = &set->kpis[2];
    CHECK_STR(k3->ref, "IASS3");
    CHECK_EQ_I64(k3->kind, AP_KPI_STATUS);
    CHECK_EQ_I64(k3->n_states, 3);
    CHECK_STR(k3->reported_to,
              "North and West Directors for Children's Services (DCS)");
    CHECK_EQ_I64(state_of(k3, "Produced and provided"), AP_RAG_GREEN);
    CHECK_EQ_I64(state_of(k3, "produced but not provided"), AP_RAG_AMBER);
    CHECK_EQ_I64(state_of(k3, "not produced or provided"), AP_RAG_RED);
    ap_kpi_set_free(set);
}

static void check_nct(void)
{
    ap_kpi_set *set = load(AP_SOURCE_DIR "/examples/nct-kpis.json");
    CHECK_EQ_I64(set->n, 7);
    for (size_t i = 0; i < set->n; i++) {
        CHECK_EQ_I64(set->kpis[i].kind, AP_KPI_MEASURE);
        CHECK_STR(set->kpis[i].frequency,
                  i == 6 ? "quarterly" : "monthly");
        /* Figures not in the seed say so. */
        CHECK_CONTAINS(set->kpis[i].description, "illustrative");
    }

    /* 90 less 5 points: Red < 85 <= Amber < 90 <= Green. */
    const ap_kpi *k = find_kpi(set, "NCT-REF-DECISION");
    CHECK_EQ_I64(k->polarity, AP_POLARITY_HIGHER);
    CHECK(k->has_target && k->has_tolerance);
    CHECK_EQ_I64(k->tolerance.num, 5);
    CHECK_EQ_I64(k->tolerance_kind, AP_TOLERANCE_POINTS);
    CHECK(k->bands_text == NULL);
    CHECK_EQ_I64(k->bands.n, 3);
    check_band(&k->bands.bands[0], AP_RAG_RED, OPEN, EXCL(85, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, INCL(85, 1), EXCL(90, 1));
    check_band(&k->bands.bands[2], AP_RAG_GREEN, INCL(90, 1), OPEN);
    CHECK_STR(k->bands.warning, "");
    CHECK(k->has_escalation);
    CHECK_EQ_I64(k->escalation.failure_after, 3);
    CHECK_EQ_I64(k->escalation.rectification_after, 2);

    /* 85 less 10 percent of itself is 76.5, exactly 153/2. */
    k = find_kpi(set, "NCT-ASSESS-45WD");
    CHECK_EQ_I64(k->target.num, 85);
    CHECK_EQ_I64(k->tolerance.num, 10);
    CHECK_EQ_I64(k->tolerance_kind, AP_TOLERANCE_PERCENT);
    check_band(&k->bands.bands[0], AP_RAG_RED, OPEN, EXCL(153, 2));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, INCL(153, 2), EXCL(85, 1));
    check_band(&k->bands.bands[2], AP_RAG_GREEN, INCL(85, 1), OPEN);

    /* Explicit bands given out of order come back sorted; "27.5" exact. */
    k = find_kpi(set, "NCT-REREFERRAL-12M");
    CHECK_EQ_I64(k->polarity, AP_POLARITY_LOWER);
    CHECK(k->has_target && !k->has_tolerance && !k->has_escalation);
    CHECK(k->bands_text == NULL);
    CHECK_EQ_I64(k->bands.n, 3);
    check_band(&k->bands.bands[0], AP_RAG_GREEN, OPEN, INCL(22, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, EXCL(22, 1), INCL(55, 2));
    check_band(&k->bands.bands[2], AP_RAG_RED, EXCL(55, 2), OPEN);

    k = find_kpi(set, "NCT-COMPLAINTS-10WD");
    check_band(&k->bands.bands[0], AP_RAG_RED, INCL(0, 1), EXCL(70, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, INCL(70, 1), EXCL(80, 1));
    check_band(&k->bands.bands[2], AP_RAG_GREEN, INCL(80, 1), INCL(100, 1));
    CHECK_EQ_I64(k->escalation.failure_after, 2);
    CHECK_EQ_I64(k->escalation.rectification_after, 1);

    /* Lower is better, 10% of 20: Green <= 20 < Amber <= 22 < Red. */
    k = find_kpi(set, "NCT-CPP-REPEAT");
    CHECK_EQ_I64(k->target.num, 20);
    check_band(&k->bands.bands[0], AP_RAG_GREEN, OPEN, INCL(20, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, EXCL(20, 1), INCL(22, 1));
    check_band(&k->bands.bands[2], AP_RAG_RED, EXCL(22, 1), OPEN);

    /* Wording whose explicit ends settle the shared values. */
    k = find_kpi(set, "NCT-CIC-3PLACEMENTS");
    CHECK(k->bands_text != NULL);
    check_band(&k->bands.bands[0], AP_RAG_GREEN, OPEN, INCL(10, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, EXCL(10, 1), INCL(12, 1));
    check_band(&k->bands.bands[2], AP_RAG_RED, EXCL(12, 1), OPEN);
    CHECK(k->bands.warning[0] != '\0');

    k = find_kpi(set, "NCT-ADOPTION-A10");
    CHECK_STR(k->unit, "days");
    check_band(&k->bands.bands[0], AP_RAG_GREEN, OPEN, INCL(426, 1));
    check_band(&k->bands.bands[1], AP_RAG_AMBER, EXCL(426, 1),
               INCL(486, 1));
    check_band(&k->bands.bands[2], AP_RAG_RED, EXCL(486, 1), OPEN);
    ap_kpi_set_free(set);
}

TEST(kpi_read_examples)
{
    check_iass();
    check_nct();

    /* The smallest file, and the defaults it gets. */
    const char *doc = "{\"format\": \"apportion.kpis/1\", \"kpis\": [{\"ref\": "
                      "\"K\", \"polarity\": \"lower\", \"bands\": [{\"rag\": "
                      "\"green\"}]}]}";
    ap_kpi_set *set = NULL;
    ap_error err;
    CHECK(ap_kpis_parse(doc, strlen(doc), NULL, &set, &err) == AP_OK);
    CHECK_STR(set->source, "<kpis>");
    CHECK_STR(set->kpis[0].unit, "%");
    CHECK_STR(set->kpis[0].description, "");
    CHECK_STR(set->kpis[0].frequency, "");
    CHECK_EQ_I64(set->kpis[0].bands.n, 1);
    check_band(&set->kpis[0].bands.bands[0], AP_RAG_GREEN, OPEN, OPEN);
    ap_kpi_set_free(set);
    ap_kpi_set_free(NULL);

    /* A zero tolerance leaves no Amber; yes/no is a status unit and may
     * escalate; money targets keep their pence; state order is kept. */
    doc = "{\"format\": \"apportion.kpis/1\", \"title\": \"t\", \"kpis\": [\n"
          " {\"ref\": \"Z\", \"unit\": \"\xc2\xa3\", \"polarity\": \"lower\", "
          "\"target\": 1250.50, \"tolerance\": {\"value\": \"0\", \"kind\": "
          "\"points\"}},\n"
          " {\"ref\": \"Y\", \"unit\": \"yes/no\", \"states\": {\"no\": "
          "\"red\", \"yes\": \"green\"}, \"escalation\": {\"failure_after\": "
          "1, \"rectification_after\": 4}}]}";
    CHECK(ap_kpis_parse(doc, strlen(doc), "z.json", &set, &err) == AP_OK);
    const ap_kpi *z = &set->kpis[0], *y = &set->kpis[1];
    CHECK_STR(z->unit, "\xc2\xa3");
    CHECK_EQ_I64(z->target.num, 2501);
    CHECK_EQ_I64(z->target.den, 2);
    CHECK_EQ_I64(z->bands.n, 2);
    check_band(&z->bands.bands[0], AP_RAG_GREEN, OPEN, INCL(2501, 2));
    check_band(&z->bands.bands[1], AP_RAG_RED, EXCL(2501, 2), OPEN);
    CHECK_EQ_I64(y->kind, AP_KPI_STATUS);
    CHECK_STR(y->states[0].label, "no");
    CHECK_STR(y->states[1].label, "yes");
    CHECK_EQ_I64(state_of(y, "YES"), AP_RAG_GREEN);
    CHECK(y->has_escalation);
    CHECK_EQ_I64(y->escalation.rectification_after, 4);
    ap_kpi_set_free(set);
}

/* Parses `doc` and checks the error: AP_E_PLAN, the exact path, the line
 * and column (when not 0) and a fragment of the message. */
static void expect_error_n(const char *doc, size_t len, const char *path,
                           int line, int column, const char *needle)
{
    ap_kpi_set *set = (ap_kpi_set *)&set; /* must come back NULL */
    ap_error err;
    ap_status st = ap_kpis_parse(doc, len, "k.json", &set, &err);
    if (st != AP_E_PLAN || set != NULL || strcmp(err.path, path) != 0 ||
        (line && err.line != line) || (column && err.column != column) ||
        strstr(err.message, needle) == NULL ||
        strncmp(err.message, "k.json:", 7) != 0) {
        fprintf(stderr, "for %s\n want %s at %d:%d containing \"%s\"\n got "
                "status %d path %s at %d:%d: %s\n",
                doc, path, line, column, needle, (int)st, err.path, err.line,
                err.column, err.message);
        exit(1);
    }
    /* And the same without an error record. */
    set = (ap_kpi_set *)&set;
    CHECK(ap_kpis_parse(doc, len, "k.json", &set, NULL) == AP_E_PLAN);
    CHECK(set == NULL);
}

static void expect_error(const char *doc, const char *path, int line,
                         int column, const char *needle)
{
    expect_error_n(doc, strlen(doc), path, line, column, needle);
}

#define HEAD "{\"format\": \"apportion.kpis/1\", \"kpis\": ["
#define TAIL "]}"
/* A good measure KPI and a good status KPI, to build on. */
#define PCT "\"ref\": \"P\", \"polarity\": \"higher\", "
#define GOOD_BANDS "\"bands\": \"Green = 90-100%, Amber = 80-90%, Red = below 80\""

TEST(kpi_read_errors_name_path)
{
    /* The file as a whole. */
    expect_error("{\"format\": \"apportion.kpi/1\", \"kpis\": []}", "$.format",
                 1, 12, "expected \"apportion.kpis/1\"");
    expect_error("{\"kpis\": []}", "$.format", 1, 1,
                 "missing required key \"format\"");
    expect_error("{\"format\": \"apportion.kpis/1\"}", "$.kpis", 1, 1,
                 "missing required key \"kpis\"");
    expect_error("{\"format\": \"apportion.kpis/1\", \"kpis\": []}", "$.kpis",
                 1, 40, "at least one KPI");
    expect_error("{\"format\": \"apportion.kpis/1\", \"kpis\": {}}", "$.kpis",
                 1, 40, "found an object");
    expect_error("[1]", "$", 1, 1, "expected an object, found an array");
    expect_error("{\"format\": \"apportion.kpis/1\",\n \"format\": \"x\"}",
                 "$.format", 2, 12, "duplicate key \"format\"");
    expect_error("{\"format\": \"apportion.kpis/1\", \"title\": 3, \"kpis\": []}",
                 "$.title", 1, 41, "expected a string, found a number");
    expect_error("{\"format\": \"apportion.kpis/1\",\n  \"kpis\": [\n    {\"ref\": "
                 "\"A\",, }]}", "$", 3, 18, "invalid JSON near \" }]}\"");
    static const char nul[] = "{\"format\":\n \"a\0b\"}";
    expect_error_n(nul, sizeof nul - 1, "$", 2, 4, "NUL byte");

    /* Keys of a KPI. */
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"colour\": \"red\"}" TAIL,
                 "$.kpis[0].colour", 1, 0, "unknown key \"colour\"");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"ref\": \"Q\"}" TAIL,
                 "$.kpis[0].ref", 0, 0, "duplicate key \"ref\"");
    expect_error(HEAD "{\"polarity\": \"higher\", " GOOD_BANDS "}" TAIL,
                 "$.kpis[0].ref", 1, 41, "missing required key \"ref\"");
    expect_error(HEAD "{\"ref\": \" \", \"polarity\": \"higher\"}" TAIL,
                 "$.kpis[0].ref", 1, 49, "cannot be empty");
    expect_error(HEAD "{" PCT GOOD_BANDS "},\n {\"ref\": \"Q\", \"unit\": \"count\", "
                 "\"polarity\": \"lower\", \"target\": 3, \"tolerance\": "
                 "{\"value\": 1, \"kind\": \"points\"}},\n {\"ref\": \"P\"}" TAIL,
                 "$.kpis[2].ref", 3, 10,
                 "ref \"P\" is used by $.kpis[0] and $.kpis[2]");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"unit\": \"percent\"}" TAIL,
                 "$.kpis[0].unit", 0, 0,
                 "expected one of \"%\", \"count\", \"days\"");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"frequency\": \"yearly\"}" TAIL,
                 "$.kpis[0].frequency", 0, 0, "found \"yearly\"");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"description\": [\"x\"]}" TAIL,
                 "$.kpis[0].description", 0, 0, "found an array");

    /* Measures. */
    expect_error(HEAD "{\"ref\": \"P\", " GOOD_BANDS "}" TAIL,
                 "$.kpis[0].polarity", 1, 41,
                 "missing required key \"polarity\"");
    expect_error(HEAD "{\"ref\": \"P\", \"polarity\": \"up\", " GOOD_BANDS "}"
                 TAIL, "$.kpis[0].polarity", 1, 66,
                 "expected one of \"higher\", \"lower\", found \"up\"");
    expect_error(HEAD "{" PCT "\"target\": 90}" TAIL, "$.kpis[0]", 1, 41,
                 "KPI \"P\" has no bands");
    expect_error(HEAD "{" PCT "\"target\": \"abc\", " GOOD_BANDS "}" TAIL,
                 "$.kpis[0].target", 1, 86,
                 "cannot read \"abc\" as a decimal number");
    expect_error(HEAD "{" PCT "\"target\": true, " GOOD_BANDS "}" TAIL,
                 "$.kpis[0].target", 0, 0, "found a boolean");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"states\": {\"yes\": \"green\"}}"
                 TAIL, "$.kpis[0].states", 0, 0,
                 "this KPI's unit is \"%\"");
    expect_error(HEAD "{" PCT "\"bands\": 5}" TAIL, "$.kpis[0].bands", 0, 0,
                 "found a number");
    expect_error(HEAD "{" PCT "\"bands\": \"Purple = 1-2\"}" TAIL,
                 "$.kpis[0].bands", 1, 85,
                 "does not start with Green, Amber or Red");
    expect_error(HEAD "{" PCT "\"bands\": \"Green = 90-100, Amber = 70-80\"}"
                 TAIL, "$.kpis[0].bands", 0, 0, "leave a gap");

    /* Tolerance. */
    expect_error(HEAD "{" PCT "\"tolerance\": {\"value\": 5, \"kind\": "
                 "\"points\"}}" TAIL, "$.kpis[0].tolerance", 1, 89,
                 "a tolerance needs a \"target\"");
    expect_error(HEAD "{" PCT "\"target\": 90, \"tolerance\": {\"value\": 5}}"
                 TAIL, "$.kpis[0].tolerance.kind", 1, 103,
                 "missing required key \"kind\"");
    expect_error(HEAD "{" PCT "\"target\": 90, \"tolerance\": {\"value\": "
                 "\"-5\", \"kind\": \"points\"}}" TAIL,
                 "$.kpis[0].tolerance.value", 1, 113, "cannot be negative");
    expect_error(HEAD "{" PCT "\"target\": 90, \"tolerance\": {\"kind\": "
                 "\"points\", \"width\": 5}}" TAIL,
                 "$.kpis[0].tolerance.width", 0, 0, "unknown key \"width\"");
    expect_error(HEAD "{" PCT "\"target\": 90, \"tolerance\": {\"value\": 5, "
                 "\"kind\": \"percentage\"}}" TAIL,
                 "$.kpis[0].tolerance.kind", 0, 0,
                 "expected one of \"points\", \"percent\"");

    /* Explicit bands. */
    expect_error(HEAD "{" PCT "\"bands\": [{\"rag\": \"green\", \"lower\": 90, "
                 "\"lower_inclusive\": true},\n {\"rag\": \"purple\"}]}" TAIL,
                 "$.kpis[0].bands[1].rag", 2, 10,
                 "expected one of \"green\", \"amber\", \"red\", found "
                 "\"purple\"");
    expect_error(HEAD "{" PCT "\"bands\": [{\"rag\": \"green\", \"lower\": "
                 "90}]}" TAIL, "$.kpis[0].bands[0].lower_inclusive", 1, 86,
                 "missing required key \"lower_inclusive\"");
    expect_error(HEAD "{" PCT "\"bands\": [{\"rag\": \"red\", "
                 "\"upper_inclusive\": false}]}" TAIL,
                 "$.kpis[0].bands[0].upper_inclusive", 1, 120,
                 "\"upper_inclusive\" without \"upper\"");
    expect_error(HEAD "{" PCT "\"bands\": [{\"rag\": \"red\", \"upper\": 8, "
                 "\"upper_inclusive\": \"yes\"}]}" TAIL,
                 "$.kpis[0].bands[0].upper_inclusive", 0, 0,
                 "expected true or false, found a string");
    expect_error(HEAD "{" PCT "\"bands\": [{\"lower\": 8, "
                 "\"lower_inclusive\": true}]}" TAIL,
                 "$.kpis[0].bands[0].rag", 0, 0,
                 "missing required key \"rag\"");
    expect_error(HEAD "{" PCT "\"bands\": []}" TAIL, "$.kpis[0].bands", 1, 85,
                 "at least one band");
    expect_error(HEAD "{" PCT "\"bands\": [\n"
                 "  {\"rag\": \"green\", \"lower\": 85, \"lower_inclusive\": "
                 "true, \"upper\": 100, \"upper_inclusive\": true},\n"
                 "  {\"rag\": \"amber\", \"lower\": 80, \"lower_inclusive\": "
                 "true, \"upper\": 90, \"upper_inclusive\": true}]}" TAIL,
                 "$.kpis[0].bands", 1, 85,
                 "Amber [80, 90] and Green [85, 100] overlap");
    expect_error(HEAD "{" PCT "\"bands\": [{\"rag\": \"red\", \"upper\": "
                 "\"8x\", \"upper_inclusive\": true}]}" TAIL,
                 "$.kpis[0].bands[0].upper", 0, 0, "cannot read \"8x\"");

    /* Status KPIs. */
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\"}" TAIL,
                 "$.kpis[0].states", 1, 41,
                 "missing required key \"states\"");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"yes/no\", \"polarity\": "
                 "\"higher\", \"states\": {\"yes\": \"green\"}}" TAIL,
                 "$.kpis[0].polarity", 1, 84, "takes no \"polarity\"");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\", \"target\": 1, "
                 "\"states\": {\"yes\": \"green\"}}" TAIL,
                 "$.kpis[0].target", 0, 0, "takes no \"target\"");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\", \"states\": "
                 "{\"in place\": \"green\", \"In Place\": \"red\"}}" TAIL,
                 "$.kpis[0].states[\"In Place\"]", 1, 116,
                 "state \"In Place\" repeats \"in place\"");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\", \"states\": "
                 "{\"\": \"green\"}}" TAIL,
                 "$.kpis[0].states[\"\"]", 0, 0, "cannot be empty");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\", \"states\": "
                 "{\"done\": \"G\"}}" TAIL,
                 "$.kpis[0].states.done", 0, 0, "found \"G\"");
    expect_error(HEAD "{\"ref\": \"S\", \"unit\": \"status\", \"states\": "
                 "{}}" TAIL, "$.kpis[0].states", 0, 0, "at least one state");

    /* Escalation. */
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"escalation\": {\"failure_after\": "
                 "0, \"rectification_after\": 1}}" TAIL,
                 "$.kpis[0].escalation.failure_after", 1, 168,
                 "1 or more, found 0");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"escalation\": {\"failure_after\": "
                 "1.5, \"rectification_after\": 1}}" TAIL,
                 "$.kpis[0].escalation.failure_after", 0, 0,
                 "expected a whole number, found 1.5");
    expect_error(HEAD "{" PCT GOOD_BANDS ", \"escalation\": {\"failure_after\": "
                 "2}}" TAIL, "$.kpis[0].escalation.rectification_after", 0,
                 0, "missing required key \"rectification_after\"");

    /* Loading. */
    ap_kpi_set *set = (ap_kpi_set *)&set;
    ap_error err;
    CHECK(ap_kpis_load(AP_SOURCE_DIR "/examples/no-such-file.json", &set,
                       &err) == AP_E_IO);
    CHECK(set == NULL);
    CHECK_CONTAINS(err.message, "no-such-file.json");
    CHECK_CONTAINS(err.message, "No such file");
    CHECK(ap_kpis_load(AP_SOURCE_DIR "/examples", &set, &err) == AP_E_IO);
    CHECK(set == NULL);
}
