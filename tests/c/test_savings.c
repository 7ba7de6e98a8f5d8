/* The savings paper's own audit names the causes the table audit names:
 * two column totals of a total row out by amounts that cancel, while the
 * row's own figures agree, are a reclassification between the columns
 * (ap__report_reclassify, shared with audit_table.c); when the row's own
 * figures do not agree, no reclassification is claimed. */
#include <string.h>

#include "apportion/apportion.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

/* The cause of the finding at (row_label, column_label); -1 if none. */
static int cause_at(const ap_audit_report *rep, const char *row,
                    const char *column, ap_audit_status *status)
{
    for (size_t i = 0; i < rep->n_findings; i++) {
        const ap_table_finding *f = &rep->findings[i];
        if (strcmp(f->row_label, row) == 0 &&
            strcmp(f->column_label, column) == 0 &&
            f->kind == AP_TABLE_CHECK_TOTAL) {
            *status = f->finding.status;
            return (int)f->finding.cause;
        }
    }
    return -1;
}

static ap_savings_result *compute(const char *json)
{
    ap_savings *sv = NULL;
    ap_savings_result *r = NULL;
    ap_error err;
    if (ap_savings_parse(json, strlen(json), "s.json", &sv, &err) != AP_OK ||
        ap_savings_compute(sv, &r, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        ap_savings_free(sv);
        return NULL;
    }
    ap_savings_free(sv);
    return r;
}

#define PAPER(total_amount)                                                  \
    "{\"format\": \"apportion.savings/1\", \"title\": \"t\", \"unit\": "     \
    "\"£000\", \"proposals\": ["                                              \
    "{\"name\": \"A\", \"amount\": \"100\", \"red\": \"0\", \"amber\": "      \
    "\"60\", \"green\": \"40\", \"mitigations\": \"0\"},"                     \
    "{\"name\": \"B\", \"amount\": \"50\", \"red\": \"10\", \"amber\": "      \
    "\"0\", \"green\": \"40\", \"mitigations\": \"0\"}],"                     \
    "\"totals\": [{\"label\": \"TOTAL\", \"amount\": \"" total_amount "\", "  \
    "\"red\": \"10\", \"amber\": \"70\", \"green\": \"70\", "                 \
    "\"mitigations\": \"0\"}]}"

TEST(savings_audit_names_a_swap_between_columns_a_reclassification)
{
    ap_savings_result *r = compute(PAPER("150"));
    CHECK(r != NULL);
    if (r == NULL)
        return;
    ap_audit_status amber, green;
    CHECK(cause_at(r->audit, "TOTAL", "Amber", &amber) ==
          AP_CAUSE_RECLASSIFICATION);
    CHECK(cause_at(r->audit, "TOTAL", "Green", &green) ==
          AP_CAUSE_RECLASSIFICATION);
    CHECK(amber == AP_AUDIT_ERROR && green == AP_AUDIT_ERROR);
    ap_savings_result_free(r);
}

TEST(savings_audit_claims_no_reclassification_when_the_row_is_out)
{
    /* 160 is not 10 + 70 + 70 + 0: the row itself is wrong. */
    ap_savings_result *r = compute(PAPER("160"));
    CHECK(r != NULL);
    if (r == NULL)
        return;
    ap_audit_status amber, green;
    CHECK(cause_at(r->audit, "TOTAL", "Amber", &amber) !=
          AP_CAUSE_RECLASSIFICATION);
    CHECK(cause_at(r->audit, "TOTAL", "Green", &green) !=
          AP_CAUSE_RECLASSIFICATION);
    CHECK(amber == AP_AUDIT_ERROR && green == AP_AUDIT_ERROR);
    ap_savings_result_free(r);
}

TEST(savings_audit_of_the_nct_paper_agrees_with_its_table)
{
    ap_savings *sv = NULL;
    ap_savings_result *r = NULL;
    ap_error err;
    CHECK(ap_savings_load(AP_SOURCE_DIR "/examples/nct-savings-2023-24.json",
                          &sv, &err) == AP_OK);
    if (sv == NULL)
        return;
    CHECK(ap_savings_compute(sv, &r, &err) == AP_OK);
    if (r != NULL) {
        ap_audit_status st;
        CHECK(cause_at(r->audit, "TOTAL", "Amber", &st) ==
              AP_CAUSE_RECLASSIFICATION);
        CHECK(cause_at(r->audit, "TOTAL", "Green", &st) ==
              AP_CAUSE_RECLASSIFICATION);
        /* TOTAL SAVINGS' own figures do not agree (8,167 against 7,672). */
        CHECK(cause_at(r->audit, "TOTAL SAVINGS", "Green", &st) ==
              AP_CAUSE_UNEXPLAINED);
        CHECK(r->audit->n_findings == 46 && r->audit->n_error == 7);
    }
    ap_savings_result_free(r);
    ap_savings_free(sv);
}
