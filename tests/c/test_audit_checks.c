/* The checks of a large table (ap_audit_table_checks) against the full
 * report of ap_audit_table_check, finding by finding, on every table in
 * examples/tables; and a table whose rows are given as arrays
 * (ap_audit_table_parse_rows) against the same table written as JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/audit.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif
#define TABLES AP_SOURCE_DIR "/examples/tables/"

static const char *const seed_tables[] = {
    "iass-table-1-2021-22.json", "mtfp-2017-21-proposals.json",
    "mtfp-2017-21.json", "nct-budget-gaps-2023-26.json",
    "nct-contract-split-2023-24.json", "nct-grants-2021-22.json",
    "nct-invest-to-save-2023-24.json", "nct-outturn-2021-22.json",
    "nct-outturn-reserves-2021-22.json", "nct-pressures-2023-24.json",
    "nct-property-2021-22.json", "nct-savings-2023-24-rag.json",
    "nct-savings-2023-24.json", "nct-social-worker-survey-2021.json",
    "nct-support-services-kpis-2021-22.json",
    "nct-youth-offending-survey-2021-22.json",
    "transformation-2024-25-appendix-a.json",
    "transformation-2024-25-block2.json",
    "transformation-2024-25-block3-section-7.json",
    "transformation-2024-25-block3.json",
    "transformation-2024-25-contract-sum.json", NULL};

static void same_finding(const ap_audit_finding *a, const ap_audit_finding *b)
{
    CHECK(a->status == b->status);
    CHECK(a->cause == b->cause);
    CHECK(a->item == b->item);
    CHECK((a->item_label == NULL) == (b->item_label == NULL));
    if (a->item_label != NULL)
        CHECK_STR(a->item_label, b->item_label);
    CHECK_EQ_I64(a->scale, b->scale);
    CHECK_EQ_I64(a->stated, b->stated);
    CHECK_EQ_I64(a->computed, b->computed);
    CHECK_EQ_I64(a->difference, b->difference);
    CHECK_EQ_I64(a->tolerance, b->tolerance);
    CHECK_EQ_I64(a->n_candidates, b->n_candidates);
    for (size_t k = 0; k < a->n_candidates; k++) {
        CHECK(a->candidates[k].cause == b->candidates[k].cause);
        CHECK(a->candidates[k].item == b->candidates[k].item);
        CHECK_STR(a->candidates[k].label, b->candidates[k].label);
        CHECK_EQ_I64(a->candidates[k].corrected.value,
                     b->candidates[k].corrected.value);
        CHECK_EQ_I64(a->candidates[k].corrected.decimals,
                     b->candidates[k].corrected.decimals);
        CHECK(a->candidates[k].exact == b->candidates[k].exact);
    }
    CHECK_STR(a->suggestion, b->suggestion);
}

static void same_report(const ap_audit_report *a, const ap_audit_report *b)
{
    CHECK_STR(a->title, b->title);
    CHECK_STR(a->source, b->source);
    CHECK_STR(a->unit, b->unit);
    CHECK_EQ_I64(a->n_findings, b->n_findings);
    CHECK_EQ_I64(a->n_ok, b->n_ok);
    CHECK_EQ_I64(a->n_rounding, b->n_rounding);
    CHECK_EQ_I64(a->n_error, b->n_error);
    for (size_t i = 0; i < a->n_findings; i++) {
        const ap_table_finding *x = &a->findings[i], *y = &b->findings[i];
        CHECK(x->kind == y->kind);
        CHECK_EQ_I64(x->row, y->row);
        CHECK_EQ_I64(x->column, y->column);
        CHECK_STR(x->row_label, y->row_label);
        CHECK_STR(x->column_label, y->column_label);
        CHECK_STR(x->check, y->check);
        CHECK_STR(x->id, y->id);
        CHECK_STR(x->unit, y->unit);
        same_finding(&x->finding, &y->finding);
    }
}

/* The lazy checks' report and not-ok list against the full report. */
static void same_checks(const ap_audit_checks *c, const ap_audit_report *full)
{
    const ap_audit_report *r = ap_audit_checks_report(c);
    same_report(r, full);
    size_t n, k = 0;
    const size_t *not_ok = ap_audit_checks_not_ok(c, &n);
    for (size_t i = 0; i < full->n_findings; i++) {
        const ap_audit_finding *f = &full->findings[i].finding;
        if (f->status == AP_AUDIT_OK && f->cause != AP_CAUSE_ILLEGIBLE)
            continue;
        CHECK(k < n);
        CHECK_EQ_I64(not_ok[k], i);
        k++;
    }
    CHECK_EQ_I64(k, n);
}

TEST(audit_checks_seed_tables_as_the_full_report)
{
    for (size_t i = 0; seed_tables[i] != NULL; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", TABLES, seed_tables[i]);
        ap_audit_table *t = NULL, *t2 = NULL;
        ap_error err;
        CHECK(ap_audit_table_load(path, &t, &err) == AP_OK);
        CHECK(ap_audit_table_load(path, &t2, &err) == AP_OK);
        ap_audit_report *full = NULL;
        CHECK(ap_audit_table_check(t, &full, &err) == AP_OK);
        ap_audit_table_free(t);
        ap_audit_checks *c = NULL;
        CHECK(ap_audit_table_checks(t2, &c, &err) == AP_OK);
        same_checks(c, full);
        ap_audit_checks_free(c);
        ap_audit_report_free(full);
    }
}

/* ---- rows given as arrays -------------------------------------------------- */

#define HEADER                                                               \
    "{\"format\": \"apportion.table/1\", \"title\": \"T\", \"unit\": "    \
    "\"£000\", \"columns\": [\"A\", \"B\", \"C\"], "                      \
    "\"rules\": [\"C = A - B\"]"

enum { ROWS = 9, COLS = 3 };

/* Items r1..r3, a subtotal ("above"), items r5..r7 (r6 subtracted, one
 * cell blank, one a nil, one at 2 decimals), a subtotal out by 0.01 and a
 * stated C that breaks the rule, and a grand total ("all"). */
static const char *const labels[ROWS] = {"r1", "r2", "r3", "Sub 1", "r5",
                                         "r6", "r7", "Sub 2", "Total"};
static const signed char signs[ROWS] = {1, 1, 1, 1, 1, -1, 1, 1, 1};
static const unsigned char totals[ROWS] = {0, 0, 0, 1, 0, 0, 0, 1, 2};
static const unsigned char kinds[ROWS * COLS] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 0, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
static const int64_t values[ROWS * COLS] = {
    10, 4, 6, 20, 5, 15, 30, 10, 20, 60, 19, 41,
    7, 0, 7, 3, 0, 3, 1250, 2, 1248, 1651, 200, 1450, 7651, 3900, 3851};
static const unsigned char decimals[ROWS * COLS] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 2, 0, 2, 2, 0, 2, 2, 2, 2};
/* The same rows as JSON. */
#define ROWS_JSON                                                            \
    "\"rows\": ["                                                           \
    "{\"label\": \"r1\", \"values\": [10, 4, 6]}, "                         \
    "{\"label\": \"r2\", \"values\": [20, 5, 15]}, "                        \
    "{\"label\": \"r3\", \"values\": [30, 10, 20]}, "                       \
    "{\"label\": \"Sub 1\", \"total\": \"above\", \"values\": [60, 19, 41]}, " \
    "{\"label\": \"r5\", \"values\": [7, null, 7]}, "                       \
    "{\"label\": \"r6\", \"sign\": -1, \"values\": [3, \"-\", 3]}, "       \
    "{\"label\": \"r7\", \"values\": [\"12.50\", 2, \"12.48\"]}, "         \
    "{\"label\": \"Sub 2\", \"total\": \"above\", \"values\": "            \
    "[\"16.51\", 200, \"14.50\"]}, "                                        \
    "{\"label\": \"Total\", \"total\": \"all\", \"values\": "              \
    "[\"76.51\", \"39.00\", \"38.51\"]}]"

static ap_table_rows given(void)
{
    return (ap_table_rows){ROWS, COLS, labels, signs, totals, kinds, values,
                           decimals};
}

TEST(audit_checks_rows_given_as_the_json)
{
    const char *header = HEADER "}";
    const char *whole = HEADER ", " ROWS_JSON "}";
    ap_error err;
    ap_audit_table *t = NULL, *from_rows = NULL, *again = NULL;
    CHECK(ap_audit_table_parse(whole, strlen(whole), "t", &t, &err) == AP_OK);
    ap_table_rows rows = given();
    if (ap_audit_table_parse_rows(header, strlen(header), "t", &rows,
                                  &from_rows, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        CHECK(0);
    }
    CHECK(ap_audit_table_parse_rows(header, strlen(header), "t", &rows,
                                    &again, &err) == AP_OK);
    ap_audit_report *want = NULL, *got = NULL;
    CHECK(ap_audit_table_check(t, &want, &err) == AP_OK);
    CHECK(ap_audit_table_check(from_rows, &got, &err) == AP_OK);
    same_report(got, want);
    /* Some checks differ, so both paths of the check are taken. */
    CHECK(want->n_error > 0 && want->n_ok > 0);
    ap_audit_checks *c = NULL;
    CHECK(ap_audit_table_checks(again, &c, &err) == AP_OK);
    same_checks(c, want);
    ap_audit_checks_free(c);
    ap_audit_report_free(want);
    ap_audit_report_free(got);
    ap_audit_table_free(t);
    ap_audit_table_free(from_rows);
}

static void rows_refused(const char *header, const ap_table_rows *rows,
                         const char *needle)
{
    ap_audit_table *t = (ap_audit_table *)1;
    ap_error err;
    CHECK(ap_audit_table_parse_rows(header, strlen(header), "t", rows, &t,
                                    &err) == AP_E_PLAN);
    CHECK(t == NULL);
    CHECK_CONTAINS(err.message, needle);
}

TEST(audit_checks_rows_refused_with_the_row_named)
{
    ap_table_rows rows = given();
    rows_refused(HEADER ", " ROWS_JSON "}", &rows, "given as arrays");
    rows_refused(HEADER ", \"decimals\": 0}", &rows,
                 "$.rows[6]: value 0 has 2 decimals");
    signed char bad_signs[ROWS];
    memcpy(bad_signs, signs, sizeof bad_signs);
    bad_signs[2] = 0;
    rows.signs = bad_signs;
    rows_refused(HEADER "}", &rows, "$.rows[2]: expected a sign of 1 or -1");
    rows = given();
    unsigned char bad_totals[ROWS];
    memcpy(bad_totals, totals, sizeof bad_totals);
    bad_totals[0] = 1;
    rows.totals = bad_totals;
    rows_refused(HEADER "}", &rows, "$.rows[0]: \"above\" sums");
    rows = given();
    rows.n_values = 2;
    rows_refused(HEADER "}", &rows, "expected 3 values in each row");
    rows = given();
    const char *blank_labels[ROWS];
    memcpy(blank_labels, labels, sizeof blank_labels);
    blank_labels[4] = " ";
    rows.labels = blank_labels;
    rows_refused(HEADER "}", &rows, "$.rows[4]: a row label cannot be empty");
    rows = given();
    ap_audit_table *t = NULL;
    ap_error err;
    CHECK(ap_audit_table_parse_rows(HEADER "}", 3, "t", &rows, &t, &err) ==
          AP_E_PLAN);
    CHECK(ap_audit_table_parse_rows(HEADER "}", strlen(HEADER "}"), "t",
                                    NULL, &t, &err) == AP_E_INPUT);
    CHECK(ap_audit_table_checks(NULL, NULL, &err) == AP_E_INPUT);
}
