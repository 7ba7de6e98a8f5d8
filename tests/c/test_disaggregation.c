/* The disaggregation of the IASS (variation notice to the Shared Services
 * Joint Committee, 26 October 2022): the example's own figures, a broken
 * copy the audit must catch, and the errors of bad files by JSON path. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

#define EXAMPLE AP_SOURCE_DIR "/examples/iass-disaggregation-2022.json"

static const ap_table_finding *finding_with_id(const ap_audit_report *r,
                                               const char *id)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (strcmp(r->findings[i].id, id) == 0)
            return &r->findings[i];
    fprintf(stderr, "no finding %s\n", id);
    exit(1);
}

TEST(disaggregation_example)
{
    ap_error err;
    ap_disaggregation *m = NULL;
    CHECK(ap_disaggregation_load(EXAMPLE, &m, &err) == AP_OK);
    CHECK_EQ_I64(m->n_authorities, 2);
    CHECK_STR(m->authorities[m->host].code, "NNC");
    CHECK_EQ_I64(m->budget.pence, 42900000);
    ap_disaggregation_result *r = NULL;
    CHECK(ap_disaggregation_compute(m, &r, &err) == AP_OK);
    /* Caseload 522 : 680 of £429,000, exact to the penny. */
    CHECK_EQ_I64(r->shares[0], 18630449);
    CHECK_EQ_I64(r->shares[1], 24269551);
    for (size_t k = 0; k < r->n_bases; k++) {
        CHECK_EQ_I64(r->shares[2 * k] + r->shares[2 * k + 1], 42900000);
        CHECK_EQ_I64(r->percents[2 * k] + r->percents[2 * k + 1], 10000);
    }
    /* 9.48 FTE today; a manager and an administrator in each service. */
    CHECK_EQ_I64(r->fte_decimals, 2);
    CHECK_EQ_I64(r->fte_now, 948);
    CHECK_EQ_I64(r->fte_after, 1148);
    CHECK_EQ_I64(r->fte_extra, 200);
    /* The 5.48 case officers by caseload: 2.38 and 3.10. */
    size_t np = r->n_posts, case_officers = np - 1;
    CHECK_EQ_I64(r->post_fte[case_officers * 2], 238);
    CHECK_EQ_I64(r->post_fte[case_officers * 2 + 1], 310);
    /* Nine months from 26 October 2022 is 26 July 2023; 31 March 2023 is
     * 117 days short of it. */
    CHECK_EQ_I64(r->notice_end, ap_date_from_ymd(2023, 7, 26));
    CHECK_EQ_I64(r->target_margin, -117);
    /* £211k is £211,654 cut to the £1,000, not rounded (£212k). */
    const ap_table_finding *wnc = finding_with_id(r->audit, "cross_checks.0");
    CHECK(wnc->finding.status == AP_AUDIT_ROUNDING);
    CHECK(wnc->finding.cause == AP_CAUSE_TRUNCATION);
    CHECK_CONTAINS(wnc->finding.suggestion, "read as the same allocation");
    const ap_table_finding *total = finding_with_id(r->audit,
                                                    "cross_checks.1");
    CHECK(total->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(r->audit->n_error, 1);
    ap_disaggregation_result_free(r);
    ap_disaggregation_free(m);
}

static const char *const small =
    "{\"format\": \"apportion.disaggregation/1\","
    " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"},"
    "                   {\"code\": \"B\", \"name\": \"b\"}],"
    " \"host\": \"A\","
    " \"budget\": {\"total\": \"£100\", \"allocations\": {\"A\": \"£60\","
    "              \"B\": \"£40\"}},"
    " \"bases\": [{\"name\": \"people\", \"kind\": \"metric\","
    "              \"values\": {\"A\": 2, \"B\": 1}, \"stated_total\": \"%s\"}]}";

TEST(disaggregation_stated_total_wrong)
{
    char text[1024];
    snprintf(text, sizeof text, small, "4");
    ap_error err;
    ap_disaggregation *m = NULL;
    CHECK(ap_disaggregation_parse(text, strlen(text), "t", &m, &err) ==
          AP_OK);
    ap_disaggregation_result *r = NULL;
    CHECK(ap_disaggregation_compute(m, &r, &err) == AP_OK);
    CHECK_EQ_I64(r->shares[0], 6667);
    CHECK_EQ_I64(r->shares[1], 3333);
    const ap_table_finding *f = finding_with_id(r->audit, "bases.0.total");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->finding.difference, 1);
    ap_disaggregation_result_free(r);
    ap_disaggregation_free(m);
}

static void check_refused(const char *text, const char *path,
                          const char *words)
{
    ap_error err;
    ap_disaggregation *m = (ap_disaggregation *)1;
    CHECK(ap_disaggregation_parse(text, strlen(text), "t", &m, &err) ==
          AP_E_PLAN);
    CHECK(m == NULL);
    CHECK_STR(err.path, path);
    CHECK_CONTAINS(err.message, words);
}

TEST(disaggregation_errors_name_the_path)
{
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"Z\", \"budget\": {\"total\": \"£1\"}}",
                  "$.host", "unknown authority \"Z\"");
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"A\"}",
                  "$.budget", "missing required key \"budget\"");
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"A\", \"budget\": {\"total\": \"£1\"},"
                  " \"staffing\": {\"posts\": [{\"role\": \"Manager\","
                  " \"rule\": \"assigned\", \"fte\": \"1\"}]}}",
                  "$.staffing.posts[0].assigned",
                  "missing required key \"assigned\"");
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"A\", \"budget\": {\"total\": \"£1\"},"
                  " \"staffing\": {\"posts\": [{\"role\": \"Manager\","
                  " \"rule\": \"divided\", \"fte\": \"9,48\"}]}}",
                  "$.staffing.posts[0].fte", "9,48");
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"A\", \"budget\": {\"total\": \"£1\"},"
                  " \"timeline\": {\"notice_months\": 9, \"notice_from\":"
                  " {\"date\": \"2022-13-26\", \"what\": \"x\"},"
                  " \"target\": {\"date\": \"2023-03-31\", \"printed\": \"y\"}}}",
                  "$.timeline.notice_from.date", "2022-13-26");
    check_refused("{\"format\": \"apportion.disaggregation/1\","
                  " \"authorities\": [{\"code\": \"A\", \"name\": \"a\"}],"
                  " \"host\": \"A\", \"budget\": {\"total\": \"£1\"},"
                  " \"staffing\": {\"posts\": [{\"role\": \"M\","
                  " \"rule\": \"divided\", \"fte\": \"1\"}], \"extra_cost\":"
                  " {\"printed\": \"£90-80k\", \"low\": \"£90k\","
                  " \"high\": \"£80k\"}}}",
                  "$.staffing.extra_cost.high", "below its low end");
}
