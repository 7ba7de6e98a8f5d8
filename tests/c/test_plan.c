#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

static const ap_check *find_check(const ap_plan_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].id, id) == 0)
            return &r->checks[i];
    fprintf(stderr, "no check %s\n", id);
    exit(1);
}

static const ap_table_finding *find_finding(const ap_plan_result *r,
                                            const char *id)
{
    for (size_t i = 0; i < r->audit->n_findings; i++)
        if (strcmp(r->audit->findings[i].id, id) == 0)
            return &r->audit->findings[i];
    fprintf(stderr, "no finding %s\n", id);
    exit(1);
}

/* The plan's checks are findings of its audit report, with the same
 * figures and judgements as the deprecated ap_check list beside them. */
static void check_audit(const ap_plan_result *r)
{
    const ap_audit_report *a = r->audit;
    CHECK_EQ_I64(a->n_findings, 9);
    CHECK_EQ_I64(a->n_findings, r->n_checks);
    CHECK_EQ_I64(a->n_error, 3);
    CHECK_EQ_I64(a->n_ok, 6);
    CHECK_STR(a->unit, "£");
    const ap_table_finding *sum = find_finding(r, "recharge.instalments.sum");
    CHECK(sum->kind == AP_TABLE_CHECK_TOTAL);
    CHECK_STR(sum->column_label, "WNC");
    CHECK_STR(sum->unit, "");
    CHECK_EQ_I64(sum->finding.scale, 2);
    CHECK_EQ_I64(sum->finding.stated, 21165600);
    CHECK_EQ_I64(sum->finding.computed, 21165400);
    CHECK_EQ_I64(sum->finding.difference, 200);
    CHECK_EQ_I64(sum->finding.tolerance, 0);
    CHECK(sum->finding.status == AP_AUDIT_ERROR);
    CHECK(sum->finding.cause == AP_CAUSE_UNEXPLAINED);
    CHECK_STR(sum->check, "The 4 stated instalments sum to WNC's stated "
                          "budget being recharged");
    CHECK_STR(sum->finding.suggestion,
              "The 4 stated instalments sum to WNC's stated budget being "
              "recharged: it does not \xe2\x80\x94 stated \xc2\xa3"
              "211,656.00, computed \xc2\xa3" "211,654.00; the stated "
              "figure is \xc2\xa3" "2.00 more.");
    const ap_table_finding *share =
        find_finding(r, "line[40000154].WNC.basis_share");
    CHECK(share->kind == AP_TABLE_CHECK_FIGURE);
    CHECK_STR(share->row_label, "40000154");
    CHECK_EQ_I64(share->finding.tolerance, 50); /* printed to the pound */
    CHECK(share->finding.status == AP_AUDIT_ERROR);
    const ap_table_finding *pct = find_finding(r, "basis.percent_sum");
    CHECK_STR(pct->unit, "%");
    CHECK(pct->finding.status == AP_AUDIT_OK);
    CHECK_STR(pct->finding.suggestion, "The 0-18 population split's "
                                       "percentages sum to 100%: yes, "
                                       "100.00%.");
    for (size_t i = 0; i < a->n_findings; i++) {
        const ap_check *c = &r->checks[i];
        const ap_table_finding *f = &a->findings[i];
        CHECK_STR(c->id, f->id);
        CHECK_STR(c->description, f->check);
        CHECK_EQ_I64(c->stated, f->finding.stated);
        CHECK_EQ_I64(c->difference, f->finding.difference);
        CHECK_EQ_I64((int)c->status, (int)f->finding.status);
    }
}

TEST(plan_iass_example)
{
    ap_plan *plan;
    ap_error err;
    if (ap_plan_load(AP_SOURCE_DIR "/examples/iass-2021-22.json", &plan,
                     &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    CHECK_EQ_I64(plan->n_authorities, 2);
    CHECK_STR(plan->authorities[1].code, "WNC");
    CHECK_EQ_I64(plan->lines[0].total.pence, 40704500);
    CHECK_EQ_I64(plan->lines[0].stated[1].amount.pence, 21165400);
    CHECK_EQ_I64(plan->lines[0].stated[1].n_funding, 2);
    CHECK_EQ_I64(plan->carry_forwards[0].amount.pence, 12788235);
    CHECK_EQ_I64(plan->agreement.notice_months, 9);

    ap_plan_result *r;
    CHECK(ap_plan_compute(plan, &r, &err) == AP_OK);
    /* 46.43% / 53.57% of £407,045.00 = £188,990.9935 / £218,054.0065 */
    CHECK_EQ_I64(r->shares[0], 18899099);
    CHECK_EQ_I64(r->shares[1], 21805401);
    CHECK_EQ_I64(r->recharge_share, 21165400);
    CHECK_EQ_I64(r->instalments[0], 5291400);
    CHECK_EQ_I64(r->instalments[3], 5291200);

    /* Table 1's Quarter 4 cell is cut off by the page after "£52,91": it
     * is carried as printed and the balancing £52,912 is consistent with
     * it, so neither it nor the instalments' sum is wrong. */
    CHECK(plan->stated_printed[3].legibility == AP_CUT_OFF);
    CHECK_STR(plan->stated_printed[3].text, "\xc2\xa3" "52,91\xe2\x80\xa6");
    CHECK(plan->stated_printed[0].legibility == AP_LEGIBLE);
    const ap_check *sum = find_check(r, "recharge.instalments.sum");
    CHECK_EQ_I64(sum->difference, 0);
    CHECK(sum->status == AP_CHECK_OK);
    const ap_table_finding *q4 = find_finding(r, "recharge.instalment[4]");
    CHECK(q4->finding.status == AP_AUDIT_OK);
    CHECK_STR(q4->finding.suggestion,
              "Stated instalment 4 of 4 equals the schedule's balancing one: "
              "the cell is cut off after \"\xc2\xa3" "52,91\", so it can be "
              "\xc2\xa3" "52,910.00 to \xc2\xa3" "52,919.99 (or, were more "
              "digits cut off, \xc2\xa3" "52,910,000.00 to \xc2\xa3"
              "52,919,999.99, and so on); the computed \xc2\xa3" "52,912.00 "
              "is consistent with it.");
    /* The split is printed without names: the finding that rests on
     * reading it as WNC 53.57% says so. */
    CHECK_EQ_I64(plan->n_readings, 1);
    CHECK_STR(plan->readings[0].of, "$.basis.values");
    CHECK_CONTAINS(find_finding(r, "line[40000154].WNC.basis_share")->check,
                   "reading the printed \"53.57% 46.43%\" as WNC 53.57%, "
                   "NNC 46.43%");
    CHECK_EQ_I64(r->audit->n_error, 1);
    const ap_check *share = find_check(r, "line[40000154].WNC.basis_share");
    CHECK_EQ_I64(share->difference, 21165400 - 21805401);
    CHECK(share->status == AP_CHECK_MISMATCH);
    CHECK(find_check(r, "line[40000154].WNC.funding")->status == AP_CHECK_OK);
    CHECK(find_check(r, "line[40000154].host_income")->status ==
          AP_CHECK_OK);
    CHECK(find_check(r, "basis.percent_sum")->status == AP_CHECK_OK);
    CHECK(find_check(r, "recharge.instalment[1]")->status == AP_CHECK_OK);
    ap_plan_result_free(r);
    ap_plan_free(plan);
}

/* Were Table 1's Quarter 4 printed whole as "£52,914" (it is not: the page
 * cuts it off), the audit would find it and the instalments' sum £2 over
 * the balancing schedule.  This keeps the mismatch path tested on the
 * example's other figures. */
TEST(plan_iass_whole_q4_of_52914_is_2_over)
{
    FILE *fp = fopen(AP_SOURCE_DIR "/examples/iass-2021-22.json", "rb");
    CHECK(fp != NULL);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    const char *cut = "\"\xc2\xa3" "52,91\xe2\x80\xa6\"";
    char *at = strstr(text, cut);
    CHECK(at != NULL);
    const char *whole = "\"\xc2\xa3" "52,914\"";
    memmove(at + strlen(whole), at + strlen(cut),
            strlen(at + strlen(cut)) + 1);
    memcpy(at, whole, strlen(whole));
    /* and without the reading, as the paper prints the split */
    char *readings = strstr(text, ",\n  \"readings\"");
    CHECK(readings != NULL);
    strcpy(readings, "\n}\n");
    ap_plan *plan;
    ap_error err;
    CHECK(ap_plan_parse(text, strlen(text), "whole.json", &plan, &err) ==
          AP_OK);
    ap_plan_result *r;
    CHECK(ap_plan_compute(plan, &r, &err) == AP_OK);
    const ap_check *sum = find_check(r, "recharge.instalments.sum");
    CHECK_EQ_I64(sum->stated, 21165600);
    CHECK_EQ_I64(sum->difference, 200);
    CHECK(sum->status == AP_CHECK_MISMATCH);
    CHECK(find_check(r, "recharge.instalment[4]")->status ==
          AP_CHECK_MISMATCH);
    check_audit(r);
    ap_plan_result_free(r);
    ap_plan_free(plan);
}

static void expect_error(const char *json, const char *path, int line,
                         int column, const char *needle)
{
    ap_plan *plan = (ap_plan *)1;
    ap_error err;
    ap_status st = ap_plan_parse(json, strlen(json), "t.json", &plan, &err);
    if (st != AP_E_PLAN || plan != NULL || strcmp(err.path, path) != 0 ||
        (line && err.line != line) || (column && err.column != column) ||
        strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s at %d:%d: %s\n",
                json, st, err.path, err.line, err.column, err.message);
        exit(1);
    }
}

#define HEAD "{\"format\": \"apportion.plan/1\", "
#define AUTH "\"authorities\": [{\"code\": \"A\"}, {\"code\": \"B\"}], "
#define BASIS "\"basis\": {\"kind\": \"metric\", \"values\": {\"A\": 1, \"B\": 3}}, "

TEST(plan_errors_name_path)
{
    expect_error("{\"format\": ", "$", 1, 12, "invalid JSON");
    /* The basis is read by the reader of the papers' splits, in its own
     * words. */
    expect_error(HEAD AUTH "\"basis\": {\"kind\": \"ratio\"}}",
                 "$.basis.kind", 1, 0,
                 "unknown basis kind \"ratio\"; expected \"percent\" or "
                 "\"metric\"");
    expect_error(HEAD AUTH "\"basis\": {\"kind\": 3}}", "$.basis.kind", 1, 0,
                 "expected a string, found a number");
    expect_error(HEAD AUTH "\"basis\": {\"values\": {\"A\": 1}}}",
                 "$.basis.kind", 1, 0, "missing required key \"kind\"");
    expect_error(HEAD AUTH "\"basis\": {\"kind\": \"metric\", \"values\": "
                 "{\"A\": 1}}}",
                 "$.basis.values.B", 1, 0, "no basis value");
    /* Arrays of objects, read by ap__jr_each_object. */
    expect_error(HEAD AUTH BASIS "\"budget_lines\": {}}", "$.budget_lines", 1,
                 0, "expected an array of budget lines, found an object");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": []}", "$.budget_lines", 1,
                 0, "a plan needs at least one budget line");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [{\"id\": \"a\", "
                 "\"total\": \"1\"}, 3]}",
                 "$.budget_lines[1]", 1, 0, "expected an object, found a number");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [{\"id\": \"a\", "
                 "\"total\": \"1\", \"colour\": 1}]}",
                 "$.budget_lines[0].colour", 1, 0, "unknown key");
    expect_error("{}", "$.format", 1, 1, "missing required key");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [{\"id\": \"x\", "
                 "\"total\": 5}]}",
                 "$.budget_lines[0].total", 1, 0, "total_pence");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [{\"id\": \"x\",\n"
                 "  \"total\": \"£12x\"}]}",
                 "$.budget_lines[0].total", 2, 12, "character 4");
    expect_error(HEAD AUTH "\"basis\": {\"kind\": \"metric\", \"values\": "
                 "{\"A\": 1, \"C\": 3}}, \"budget_lines\": []}",
                 "$.basis.values.C", 0, 0, "unknown authority \"C\"");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [], \"totl\": 1}",
                 "$.totl", 0, 0, "unknown key");
    expect_error(HEAD AUTH AUTH BASIS "\"budget_lines\": []}",
                 "$.authorities", 0, 0, "duplicate key");
}

TEST(plan_pence_keys_exact)
{
    /* 2^53 + 1 pence is not representable as a double: it must survive. */
    const char *json = HEAD AUTH BASIS
        "\"budget_lines\": [{\"id\": \"x\", \"total_pence\": "
        "9007199254740993}]}";
    ap_plan *plan;
    ap_error err;
    CHECK(ap_plan_parse(json, strlen(json), "t.json", &plan, &err) == AP_OK);
    CHECK_EQ_I64(plan->lines[0].total.pence, 9007199254740993LL);
    ap_plan_result *r;
    CHECK(ap_plan_compute(plan, &r, &err) == AP_OK);
    CHECK_EQ_I64(r->shares[0] + r->shares[1], 9007199254740993LL);
    ap_plan_result_free(r);
    ap_plan_free(plan);
    const char *frac = HEAD AUTH BASIS
        "\"budget_lines\": [{\"id\": \"x\", \"total_pence\": 1.5}]}";
    expect_error(frac, "$.budget_lines[0].total_pence", 0, 0,
                 "expected an integer");
}

/* A plan of one line of £400 shared by A and B 1:3, B paying A its £300
 * share by the basis in four instalments of £75, as stated. */
#define CUT_PLAN(i1, i2, i3, i4)                                             \
    HEAD AUTH BASIS                                                          \
    "\"budget_lines\": [{\"id\": \"x\", \"total\": \"£400\"}], "         \
    "\"recharge\": {\"payer\": \"B\", \"payee\": \"A\", \"of\": "          \
    "\"basis\", \"equal_part\": \"pounds\"}, "                              \
    "\"stated\": {\"instalments\": [\"" i1 "\", \"" i2 "\", \"" i3        \
    "\", \"" i4 "\"]}}"

static ap_plan_result *computed(const char *json, ap_plan **plan)
{
    ap_error err;
    if (ap_plan_parse(json, strlen(json), "t.json", plan, &err) != AP_OK) {
        fprintf(stderr, "%s: %s\n", err.path, err.message);
        exit(1);
    }
    ap_plan_result *r;
    CHECK(ap_plan_compute(*plan, &r, &err) == AP_OK);
    return r;
}

static int has_finding(const ap_plan_result *r, const char *id)
{
    for (size_t i = 0; i < r->audit->n_findings; i++)
        if (strcmp(r->audit->findings[i].id, id) == 0)
            return 1;
    return 0;
}

TEST(plan_cut_off_figures_checked_for_consistency)
{
    ap_plan *plan;
    /* "£7…" can be £7.00-£7.99 or £70.00-£79.99 or £700... : £75 is one */
    ap_plan_result *r = computed(CUT_PLAN("£75", "£75", "£75", "£7…"), &plan);
    const ap_table_finding *f = find_finding(r, "recharge.instalment[4]");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f->finding.stated, 7500); /* the computed: no completion */
    CHECK_CONTAINS(f->finding.suggestion, "\xc2\xa3" "7.00 to \xc2\xa3"
                   "7.99 (or, were more digits cut off, \xc2\xa3" "70.00 to "
                   "\xc2\xa3" "79.99, and so on)");
    CHECK(find_finding(r, "recharge.instalments.sum")->finding.status ==
          AP_AUDIT_OK);
    ap_plan_result_free(r);
    ap_plan_free(plan);

    /* "£8…" cannot be £75: the nearest it can be is £80.00, £5 more. */
    r = computed(CUT_PLAN("£75", "£75", "£75", "£8..."), &plan);
    f = find_finding(r, "recharge.instalment[4]");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->finding.stated, 8000);
    CHECK_EQ_I64(f->finding.difference, 500);
    CHECK_CONTAINS(f->finding.suggestion, "is not: the nearest it can be is "
                   "\xc2\xa3" "80.00, \xc2\xa3" "5.00 more.");
    f = find_finding(r, "recharge.instalments.sum");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_CONTAINS(f->finding.suggestion, "instalment 4 is cut off after "
                   "\"\xc2\xa3" "8\", so they can sum to ");
    ap_plan_result_free(r);
    ap_plan_free(plan);

    /* Comma grouping: "£1,0…" needs two more digits at least, so it is
     * £1,000.00-£1,099.99 first, never £1,0 or £1,00; a point ends the
     * integer part, "£75.…" is £75.00-£75.99. */
    r = computed(CUT_PLAN("£1,0…", "£75.…", "not legible", "£75"), &plan);
    f = find_finding(r, "recharge.instalment[1]");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_CONTAINS(f->finding.suggestion, "\xc2\xa3" "1,000.00 to \xc2\xa3"
                   "1,099.99 (or, were more digits cut off, \xc2\xa3"
                   "1,000,000.00 to");
    f = find_finding(r, "recharge.instalment[2]");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_CONTAINS(f->finding.suggestion, "\xc2\xa3" "75.00 to \xc2\xa3"
                   "75.99;");
    /* Not legible: not checked, nor any sum it is part of. */
    CHECK(plan->stated_printed[2].legibility == AP_NOT_LEGIBLE);
    CHECK(!has_finding(r, "recharge.instalment[3]"));
    CHECK(!has_finding(r, "recharge.instalments.sum"));
    ap_plan_result_free(r);
    ap_plan_free(plan);

    /* A cut-off negative figure. */
    r = computed(HEAD AUTH BASIS
                 "\"budget_lines\": [{\"id\": \"x\", \"total\": "
                 "\"-£400\"}], \"recharge\": {\"payer\": \"B\", "
                 "\"payee\": \"A\", \"of\": \"basis\", \"instalments\": 1}, "
                 "\"stated\": {\"instalments\": [\"-£30…\"]}}",
                 &plan);
    f = find_finding(r, "recharge.instalment[1]");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_CONTAINS(f->finding.suggestion, "-\xc2\xa3" "309.99 to -\xc2\xa3"
                   "300.00");
    ap_plan_result_free(r);
    ap_plan_free(plan);

    /* What is not the legible part of a figure is refused, by path. */
    expect_error(CUT_PLAN("£75", "£75", "£75", "£7,5,1…"),
                 "$.stated.instalments[3]", 0, 0, "legible part of a figure");
    expect_error(CUT_PLAN("£75", "£75", "£75", "£…"),
                 "$.stated.instalments[3]", 0, 0, "at least one legible");
    expect_error(CUT_PLAN("£75", "£75", "£75", "£92,233,720,368,547,758…"),
                 "$.stated.instalments[3]", 0, 0, "too large");
    expect_error(CUT_PLAN("£75", "£75", "£75", "£7.123…"),
                 "$.stated.instalments[3]", 0, 0, "more decimals than pence");
    expect_error(HEAD AUTH BASIS "\"budget_lines\": [{\"id\": \"x\", "
                 "\"total\": \"£1\"}], \"readings\": [{\"of\": \"basis\", "
                 "\"printed\": \"1 3\", \"read_as\": \"A 1, B 3\", "
                 "\"evidence\": \"order\"}]}",
                 "$.readings[0].of", 0, 0, "JSON path");
}

/* A plan of one line of `total` shared by A and B 1:3, with B's stated
 * budget and its funding. */
#define ROUNDING_PLAN(total, stated, f1, f2)                                 \
    HEAD AUTH BASIS                                                          \
    "\"budget_lines\": [{\"id\": \"x\", \"total\": \"" total "\", "        \
    "\"stated\": {\"B\": {\"amount\": \"" stated "\", \"funding\": ["      \
    "{\"source\": \"one\", \"amount\": \"" f1 "\"}, "                       \
    "{\"source\": \"two\", \"amount\": \"" f2 "\"}]}}}]}"

static void expect_verdict(const char *json, const char *id,
                           ap_audit_status status, ap_audit_cause cause,
                           const char *needle)
{
    ap_plan *plan;
    ap_plan_result *r = computed(json, &plan);
    const ap_table_finding *f = find_finding(r, id);
    if (f->finding.status != status || f->finding.cause != cause ||
        strstr(f->finding.suggestion, needle) == NULL) {
        fprintf(stderr, "%s: %s/%s: %s\n", id,
                ap_audit_status_name(f->finding.status),
                ap_audit_cause_name(f->finding.cause),
                f->finding.suggestion);
        exit(1);
    }
    ap_plan_result_free(r);
    ap_plan_free(plan);
}

/* The plan's own figures are judged by the audit's rounding conventions
 * (ap_audit_figure's rules for one figure, ap_audit_sum's for a sum). */
TEST(plan_checks_by_the_audits_rounding_conventions)
{
    /* B's share of £402.40 is £301.80: "£302" is it rounded (ok), "£301"
     * it cut toward zero (truncation), "£300" neither (error). */
    const char *share = "line[x].B.basis_share";
    expect_verdict(ROUNDING_PLAN("£402.40", "£302", "£2", "£300"), share,
                   AP_AUDIT_OK, AP_CAUSE_ROUNDING,
                   ": yes, \xc2\xa3" "302.00, the computed \xc2\xa3"
                   "301.80 rounded to the nearest \xc2\xa3" "1.");
    expect_verdict(ROUNDING_PLAN("£402.40", "£301", "£1", "£300"), share,
                   AP_AUDIT_ROUNDING, AP_CAUSE_TRUNCATION,
                   ": cut, not rounded \xe2\x80\x94 stated \xc2\xa3"
                   "301.00, computed \xc2\xa3" "301.80; the stated figure is "
                   "\xc2\xa3" "0.80 less, the computed figure cut toward "
                   "zero to the nearest \xc2\xa3" "1 (truncation); rounded "
                   "it would be \xc2\xa3" "302.00.");
    expect_verdict(ROUNDING_PLAN("£402.40", "£300", "£0", "£300"), share,
                   AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED,
                   ": it does not \xe2\x80\x94 stated \xc2\xa3" "300.00, "
                   "computed \xc2\xa3" "301.80; the stated figure is "
                   "\xc2\xa3" "1.80 less.");
    /* Printed to the penny, £301.80 is the share exactly. */
    expect_verdict(ROUNDING_PLAN("£402.40", "£301.80", "£1.80", "£300"),
                   share, AP_AUDIT_OK, AP_CAUSE_NONE,
                   ": yes, \xc2\xa3" "301.80.");
    /* The funding: printed to the pound, £302 = £2 + £300 exactly; £1
     * apart is within the rounding of three figures (up to £1.50); £301
     * from £1.90 and £299.90 printed to the penny is cut, not rounded
     * (the total £301.80 cut); £305 is an error. */
    const char *funding = "line[x].B.funding";
    expect_verdict(ROUNDING_PLAN("£402.40", "£302", "£2", "£300"), funding,
                   AP_AUDIT_OK, AP_CAUSE_NONE, ": yes, \xc2\xa3" "302.00.");
    expect_verdict(ROUNDING_PLAN("£402.40", "£302", "£3", "£300"), funding,
                   AP_AUDIT_ROUNDING, AP_CAUSE_ROUNDING,
                   ": within its printed rounding \xe2\x80\x94 stated "
                   "\xc2\xa3" "302.00, computed \xc2\xa3" "303.00;");
    expect_verdict(ROUNDING_PLAN("£402.40", "£301", "£1.90", "£299.90"),
                   funding, AP_AUDIT_ROUNDING, AP_CAUSE_TRUNCATION,
                   "(truncation).");
    expect_verdict(ROUNDING_PLAN("£402.40", "£350", "£2", "£300"), funding,
                   AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED,
                   ": it does not \xe2\x80\x94 stated \xc2\xa3" "350.00, "
                   "computed \xc2\xa3" "302.00; the stated figure is "
                   "\xc2\xa3" "48.00 more.");
    /* The audit's explanation of an error follows: £310 for £2 + £300
     * is £301 with two digits swapped, £301 being within rounding. */
    expect_verdict(ROUNDING_PLAN("£402.40", "£310", "£2", "£300"), funding,
                   AP_AUDIT_ERROR, AP_CAUSE_TRANSPOSITION,
                   "the stated figure is \xc2\xa3" "8.00 more. The stated "
                   "total is printed as 310; 301 would agree with the items "
                   "within rounding: a transposition (two digits swapped).");
}

/* Stated instalments printed to the pound against a schedule in pence:
 * the seed's £52,914 for a schedule of £52,913.50 is it rounded half up
 * (ok), £52,913 it cut (truncation); "£52,91…" is consistent with it. */
TEST(plan_instalments_by_the_audits_rounding_conventions)
{
    /* B's share of £282,205.33 by 1:3 is £211,654.00 (pence by largest
     * remainder), in four equal parts of £52,913.50. */
    const char *json =
        HEAD AUTH BASIS
        "\"budget_lines\": [{\"id\": \"x\", \"total\": \"£282,205.33\"}], "
        "\"recharge\": {\"payer\": \"B\", \"payee\": \"A\", \"of\": "
        "\"basis\", \"equal_part\": \"pence\"}, "
        "\"stated\": {\"instalments\": [\"£52,914\", \"£52,913\", "
        "\"£52,913.50\", \"£52,91…\"]}}";
    ap_plan *plan;
    ap_plan_result *r = computed(json, &plan);
    CHECK_EQ_I64(r->recharge_share, 21165400);
    CHECK_EQ_I64(r->instalments[0], 5291350);
    const ap_table_finding *f = find_finding(r, "recharge.instalment[1]");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK(f->finding.cause == AP_CAUSE_ROUNDING);
    CHECK_EQ_I64(f->finding.tolerance, 50);
    f = find_finding(r, "recharge.instalment[2]");
    CHECK(f->finding.status == AP_AUDIT_ROUNDING);
    CHECK(f->finding.cause == AP_CAUSE_TRUNCATION);
    CHECK_EQ_I64(f->finding.difference, -50);
    CHECK_CONTAINS(f->finding.suggestion, "rounded it would be \xc2\xa3"
                   "52,914.00.");
    f = find_finding(r, "recharge.instalment[3]");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK(f->finding.cause == AP_CAUSE_NONE);
    CHECK(find_finding(r, "recharge.instalment[4]")->finding.status ==
          AP_AUDIT_OK);
    /* The invoices' sum has no rounding: it is £1.50 short, and the cut
     * cell allows £211,650.50 to £211,660.49, which holds £211,654. */
    f = find_finding(r, "recharge.instalments.sum");
    CHECK(f->finding.status == AP_AUDIT_OK);
    ap_plan_result_free(r);
    ap_plan_free(plan);
}

/* Issue 17, finding 3: a check's text was cut by a fixed buffer, once in
 * the middle of a character.  A basis name of 162 "é" (324 bytes) now
 * reaches every finding whole, and every text is valid UTF-8. */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0)
            return 0;
        p++;
        for (int k = 0; k < n; k++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

TEST(plan_check_text_never_cut_mid_character)
{
    char name[2 * 162 + 1];
    for (int i = 0; i < 162; i++)
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[2 * 162] = '\0';
    char json[4096];
    snprintf(json, sizeof json,
             HEAD AUTH
             "\"basis\": {\"name\": \"%s\", \"kind\": \"percent\", "
             "\"values\": {\"A\": \"25.00\", \"B\": \"75.00\"}}, "
             "\"budget_lines\": [{\"id\": \"%s\", \"total\": \"£400\", "
             "\"stated\": {\"B\": {\"amount\": \"£300\", \"funding\": "
             "[{\"source\": \"%s\", \"amount\": \"£300\"}]}}}]}",
             name, name, name);
    ap_plan *plan;
    ap_plan_result *r = computed(json, &plan);
    CHECK_EQ_I64(r->audit->n_findings, 3);
    for (size_t i = 0; i < r->audit->n_findings; i++) {
        const ap_table_finding *f = &r->audit->findings[i];
        CHECK(valid_utf8(f->check));
        CHECK(valid_utf8(f->id));
        CHECK(valid_utf8(f->finding.suggestion));
        CHECK_CONTAINS(f->check, name);
        CHECK_CONTAINS(f->finding.suggestion, name);
    }
    ap_plan_result_free(r);
    ap_plan_free(plan);
}
