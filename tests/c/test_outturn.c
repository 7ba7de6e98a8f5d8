/* Outturn against budget, the Q4 balancing payment of a recharge, and
 * contract sums in blocks: the committee papers' own figures. */
#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

#define K(x) ((int64_t)(x) * 100000) /* £000 to pence */

static ap_outturn *load_outturn(const char *path)
{
    ap_outturn *o;
    ap_error err;
    if (ap_outturn_load(path, &o, &err) != AP_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        exit(1);
    }
    return o;
}

static ap_outturn *parse_outturn(const char *json)
{
    ap_outturn *o;
    ap_error err;
    if (ap_outturn_parse(json, strlen(json), "t.json", &o, &err) != AP_OK) {
        fprintf(stderr, "%s\n  in %s\n", err.message, json);
        exit(1);
    }
    return o;
}

static ap_outturn_result *compute_outturn(const ap_outturn *o)
{
    ap_outturn_result *r;
    ap_error err;
    if (ap_outturn_compute(o, &r, &err) != AP_OK) {
        fprintf(stderr, "compute: %s\n", err.message);
        exit(1);
    }
    return r;
}

/* The finding at (row, column) whose check text contains `check`. */
static const ap_table_finding *finding(const ap_audit_report *rep,
                                       size_t row, const char *column,
                                       const char *check)
{
    for (size_t i = 0; i < rep->n_findings; i++) {
        const ap_table_finding *f = &rep->findings[i];
        if (f->row == row && strcmp(f->column_label, column) == 0 &&
            strstr(f->check, check) != NULL)
            return f;
    }
    fprintf(stderr, "no finding at row %zu, column %s, check %s\n", row,
            column, check);
    exit(1);
}

TEST(outturn_nct_example)
{
    ap_outturn *o = load_outturn(AP_SOURCE_DIR
                                 "/examples/nct-outturn-2021-22.json");
    CHECK_EQ_I64(o->n_lines, 6);
    CHECK(o->unit == AP_UNIT_THOUSANDS);
    CHECK(o->kind == AP_OUTTURN_FORECAST);
    CHECK(o->lines[5].kind == AP_LINE_INCOME);
    CHECK_EQ_I64(o->lines[0].funding[0].amount.pence, K(-856));
    CHECK_STR(o->lines[0].funding[0].source, "Covid funding");
    CHECK_EQ_I64(o->lines[1].funding[0].amount.resolution, 0); /* "-" */
    CHECK_EQ_I64(o->stated.net_variance.amount.pence, -1900000);

    ap_outturn_result *r = compute_outturn(o);
    CHECK(r->sign == AP_VARIANCE_OVERSPEND_POSITIVE);
    static const int64_t variance[6] = {172, -616, -186, 1700, 0, 0};
    for (size_t i = 0; i < 6; i++)
        CHECK_EQ_I64(r->lines[i].variance, K(variance[i]));
    /* 172 / 43,998 = 0.3909% -> 39 bp; (616) / 5,692 = -10.822% -> -1082;
     * 1,700 / 57,579 = 2.9525% -> 295. */
    CHECK_EQ_I64(r->lines[0].basis_points, 39);
    CHECK_EQ_I64(r->lines[1].basis_points, -1082);
    CHECK_EQ_I64(r->lines[3].basis_points, 295);
    CHECK_EQ_I64(r->lines[3].ratio_num, K(1700));
    CHECK_EQ_I64(r->lines[3].ratio_den, K(57579));
    /* The Trust line's (123,348) is income: |budget| is the denominator. */
    CHECK_EQ_I64(r->lines[5].ratio_den, K(123348));
    /* Totals: the budget nets to nil; the service lines carry 123,348. */
    CHECK_EQ_I64(r->total.budget, 0);
    CHECK_EQ_I64(r->service_budget, K(123348));
    CHECK_EQ_I64(r->income_budget, K(-123348));
    CHECK_EQ_I64(r->total.gross_outturn, K(3702));
    CHECK_EQ_I64(r->total.funding, K(-2632));
    CHECK_EQ_I64(r->total.outturn, K(1070));
    CHECK_EQ_I64(r->total.variance, K(1070));
    /* 1,070 / 123,348 = 0.8675% of the service budget -> 87 bp. */
    CHECK(r->total.has_ratio);
    CHECK_EQ_I64(r->total.ratio_den, K(123348));
    CHECK_EQ_I64(r->total.basis_points, 87);
    /* The carry forward reserve of £1.089m leaves an underspend of
     * £0.019m. */
    CHECK_EQ_I64(r->reserves, K(1089));
    CHECK_EQ_I64(r->net_variance, K(-19));
    /* By the contract split NNC 44.16 / WNC 55.84, exactly. */
    CHECK_EQ_I64(r->n_authorities, 2);
    CHECK_EQ_I64(r->authority_variance[0], 47251200); /* £472,512.00 */
    CHECK_EQ_I64(r->authority_variance[1], 59748800);
    CHECK_EQ_I64(r->authority_reserves[0], 48090240);
    CHECK_EQ_I64(r->authority_net[0], -839040); /* -£8,390.40 */
    CHECK_EQ_I64(r->authority_net[1], -1060960);
    CHECK_EQ_I64(r->variance_shares[0 * 2 + 0], 7595520); /* 172k x .4416 */
    CHECK_EQ_I64(r->variance_shares[3 * 2 + 1], 94928000);
    for (size_t i = 0; i < 6; i++)
        CHECK_EQ_I64(r->variance_shares[i * 2] + r->variance_shares[i * 2 + 1],
                     r->lines[i].variance);
    CHECK_EQ_I64(r->n_areas, 6);
    CHECK_STR(r->areas[3].name, "Quality Assurance and Commissioning");

    /* The audit: every figure agrees but the two rounded totals, and the
     * paper's text's funding which repeats one of them. */
    const ap_audit_report *rep = r->audit;
    CHECK_STR(rep->unit, "\xc2\xa3" "000");
    CHECK_EQ_I64(rep->n_error, 0);
    CHECK_EQ_I64(rep->n_rounding, 3);
    CHECK_EQ_I64(rep->n_ok, 22);
    const ap_table_finding *f = finding(rep, 6, "gross_outturn", "Total");
    CHECK(f->finding.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f->finding.stated, 3701);
    CHECK_EQ_I64(f->finding.computed, 3702);
    f = finding(rep, 6, "funding", "Total");
    CHECK(f->finding.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f->finding.computed, -2632);
    CHECK(finding(rep, 6, "budget", "Total")->finding.status == AP_AUDIT_OK);
    CHECK(finding(rep, 3, "variance", "Outturn - Budget")->finding.status ==
          AP_AUDIT_OK);
    CHECK(finding(rep, 0, "outturn", "Gross outturn")->finding.status ==
          AP_AUDIT_OK);
    f = finding(rep, 7, "budget", "service lines");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f->finding.stated, 123348);
    f = finding(rep, 7, "net_variance", "reserves");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f->finding.stated, -19);
    CHECK(finding(rep, 7, "variance", "lines")->finding.status ==
          AP_AUDIT_OK);
    CHECK(finding(rep, 8, "percent", "100")->finding.status == AP_AUDIT_OK);
    /* Section 12's grants: £12,076,323 in pounds, at 3 decimals of £000. */
    f = finding(rep, 9, "amount", "grants");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_EQ_I64(f->finding.stated, -12076323);
    CHECK_EQ_I64(f->finding.scale, 3);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

#define OT "{\"format\": \"apportion.outturn/1\", \"unit\": \"\xc2\xa3\", "

TEST(outturn_sign_conventions)
{
    /* Printed the other way round: 10 under budget is +10. */
    ap_outturn *o = parse_outturn(
        OT "\"variance_sign\": \"underspend_positive\", \"lines\": ["
           "{\"service\": \"A\", \"budget\": \"100\", \"outturn\": \"90\", "
           "\"variance\": \"10\"},"
           "{\"service\": \"B\", \"budget\": \"50\", \"outturn\": \"55\", "
           "\"variance\": \"(5)\"}],"
           "\"total\": {\"variance\": \"5\"},"
           "\"reserves\": [{\"name\": \"R\", \"amount\": \"2\"}],"
           "\"stated\": {\"variance\": {\"underspend\": \"5\"}, "
           "\"net_variance\": \"7\"}}");
    CHECK(o->variance_sign == AP_VARIANCE_UNDERSPEND_POSITIVE);
    CHECK_EQ_I64(o->stated.variance.amount.pence, 500); /* as printed */
    ap_outturn_result *r = compute_outturn(o);
    CHECK_EQ_I64(r->lines[0].variance, -1000); /* computed: outturn-budget */
    CHECK_EQ_I64(r->lines[1].variance, 500);
    CHECK_EQ_I64(r->total.variance, -500);
    CHECK_EQ_I64(r->net_variance, -700);
    CHECK_EQ_I64(r->audit->n_error, 0);
    CHECK_EQ_I64(r->audit->n_ok, r->audit->n_findings);
    CHECK_CONTAINS(finding(r->audit, 0, "variance", "")->check,
                   "Budget - Outturn");
    CHECK(!r->sign_reversed);
    ap_outturn_result_free(r);
    ap_outturn_free(o);

    /* The same figures read as outturn - budget: every variance is wrong
     * by twice itself, and the result says the sign looks reversed. */
    o = parse_outturn(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \"100\", "
           "\"outturn\": \"90\", \"variance\": \"10\"},"
           "{\"service\": \"B\", \"budget\": \"50\", \"outturn\": "
           "\"50\", \"variance\": \"0\"}]}");
    r = compute_outturn(o);
    const ap_table_finding *f = finding(r->audit, 0, "variance", "");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->finding.difference, 20);
    CHECK(r->sign_reversed);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

TEST(outturn_percent_exact)
{
    /* A nil budget has no percentage (and no crash); 0.125% rounds half
     * away from zero to 13 bp both ways. */
    ap_outturn *o = parse_outturn(
        OT "\"lines\": ["
           "{\"service\": \"new\", \"budget\": \"-\", \"outturn\": \"5\"},"
           "{\"service\": \"up\", \"budget\": \"800\", \"outturn\": "
           "\"801\"},"
           "{\"service\": \"down\", \"budget\": \"800\", \"outturn\": "
           "\"799\"},"
           "{\"service\": \"exact\", \"budget_pence\": 3, "
           "\"outturn_pence\": 4}]}");
    ap_outturn_result *r = compute_outturn(o);
    CHECK(!r->lines[0].has_ratio);
    CHECK_EQ_I64(r->lines[0].variance, 500);
    CHECK(r->lines[1].has_ratio);
    CHECK_EQ_I64(r->lines[1].basis_points, 13);
    CHECK_EQ_I64(r->lines[2].basis_points, -13);
    CHECK_EQ_I64(r->lines[3].ratio_num, 1); /* 1/3 exactly */
    CHECK_EQ_I64(r->lines[3].ratio_den, 3);
    CHECK_EQ_I64(r->lines[3].basis_points, 3333);
    CHECK_EQ_I64(r->total.budget, 160003);
    CHECK_EQ_I64(r->total.variance, 501);
    CHECK_EQ_I64(r->total.basis_points, 31); /* 501 / 160003 = 0.313% */
    CHECK_EQ_I64(r->n_authorities, 0);
    CHECK_EQ_I64(r->audit->n_findings, 0); /* nothing stated */
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

TEST(outturn_areas_and_authorities)
{
    /* Two areas; a line of WNC's own goes wholly to WNC; the shared lines
     * split two ways exactly (1p each way on odd pennies). */
    ap_outturn *o = parse_outturn(
        OT "\"authorities\": [{\"code\": \"NNC\"}, {\"code\": \"WNC\"}],"
           "\"split\": {\"values\": {\"NNC\": \"44.16\", \"WNC\": "
           "\"55.84\"}},"
           "\"lines\": ["
           "{\"service\": \"a1\", \"service_area\": \"A\", \"budget\": "
           "\"10.01\", \"outturn\": \"10.02\"},"
           "{\"service\": \"b1\", \"service_area\": \"B\", \"budget\": "
           "\"0\", \"gross_outturn\": \"7\", \"funding\": [{\"source\": "
           "\"Covid\", \"amount\": \"(2)\"}, {\"source\": \"Grant\", "
           "\"amount\": \"(1)\"}]},"
           "{\"service\": \"a2\", \"service_area\": \"A\", \"budget\": "
           "\"1\", \"outturn\": \"1.03\", \"authority\": \"WNC\"}],"
           "\"reserves\": [{\"name\": \"r\", \"amount\": \"1.01\"}]}");
    ap_outturn_result *r = compute_outturn(o);
    CHECK_EQ_I64(r->lines[1].funding, -300);
    CHECK_EQ_I64(r->lines[1].outturn, 400);
    CHECK_EQ_I64(r->n_areas, 2);
    CHECK_STR(r->areas[0].name, "A");
    CHECK_EQ_I64(r->areas[0].n_lines, 2);
    CHECK_EQ_I64(r->areas[0].v.variance, 4);
    CHECK_EQ_I64(r->areas[1].v.variance, 400);
    CHECK(!r->areas[1].v.has_ratio);
    /* Line a2 is WNC's: 3p to WNC, none to NNC. */
    CHECK_EQ_I64(r->variance_shares[2 * 2 + 0], 0);
    CHECK_EQ_I64(r->variance_shares[2 * 2 + 1], 3);
    int64_t col0 = 0, col1 = 0;
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_I64(r->variance_shares[i * 2] + r->variance_shares[i * 2 + 1],
                     r->lines[i].variance);
        col0 += r->variance_shares[i * 2];
        col1 += r->variance_shares[i * 2 + 1];
    }
    CHECK_EQ_I64(col0, r->authority_variance[0]);
    CHECK_EQ_I64(col1, r->authority_variance[1]);
    /* The shared 401p: 177.0816 / 223.9184 -> 177 / 224. */
    CHECK_EQ_I64(r->authority_variance[0], 177);
    CHECK_EQ_I64(r->authority_variance[1], 224 + 3);
    /* Reserves 101p: 44.6016 / 56.3984 -> 45 / 56. */
    CHECK_EQ_I64(r->authority_reserves[0], 45);
    CHECK_EQ_I64(r->authority_net[0], 132);
    CHECK_EQ_I64(r->authority_net[1], 227 - 56);
    CHECK_EQ_I64(r->net_variance, 404 - 101);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

TEST(outturn_units_widen)
{
    /* A paper figure printed to £0.1m beside a £000 table: the report is
     * in £m, each figure keeping its own precision, so 1,070 against
     * £1.1m is rounding, against £1.2m an error. */
    ap_outturn *o = parse_outturn(
        "{\"format\": \"apportion.outturn/1\", \"unit\": \"\xc2\xa3" "000\","
        "\"lines\": [{\"service\": \"A\", \"budget\": \"1,000\", "
        "\"outturn\": \"2,070\"}],"
        "\"stated\": {\"variance\": \"\xc2\xa3" "1.1m\", \"budget\": "
        "\"\xc2\xa3" "1.2m\"}}");
    ap_outturn_result *r = compute_outturn(o);
    CHECK_STR(r->audit->unit, "\xc2\xa3" "m");
    const ap_table_finding *f = finding(r->audit, 2, "variance", "");
    CHECK(f->finding.status == AP_AUDIT_ROUNDING);
    CHECK_EQ_I64(f->finding.scale, 3);
    CHECK_EQ_I64(f->finding.computed, 1070);
    f = finding(r->audit, 2, "budget", "");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

TEST(outturn_many_lines)
{
    /* 3,000 lines in 7 areas, split 44.16 / 55.84: areas in order of
     * first appearance, every line and authority exact. */
    enum { N = 3000 };
    size_t cap = (size_t)N * 128 + 512, used = 0;
    char *json = malloc(cap);
    CHECK(json != NULL);
    used += (size_t)snprintf(json + used, cap - used, "%s",
                             OT "\"authorities\": [{\"code\": \"NNC\"}, "
                                "{\"code\": \"WNC\"}], \"split\": "
                                "{\"values\": {\"NNC\": \"44.16\", "
                                "\"WNC\": \"55.84\"}}, \"lines\": [");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(json + used, cap - used,
                                 "%s{\"service\": \"s%d\", \"service_area\": "
                                 "\"A%d\", \"budget_pence\": %d, "
                                 "\"outturn_pence\": %d}",
                                 i ? "," : "", i, (i * 5) % 7, 1000 + i,
                                 1000 + 2 * i - (i % 3) * 7);
    used += (size_t)snprintf(json + used, cap - used, "]}");
    CHECK(used < cap);
    ap_outturn *o = parse_outturn(json);
    free(json);
    ap_outturn_result *r = compute_outturn(o);
    CHECK_EQ_I64(r->n_areas, 7);
    CHECK_STR(r->areas[0].name, "A0");
    CHECK_STR(r->areas[1].name, "A5"); /* line 1: (1 * 5) % 7 */
    int64_t total = 0, by_area = 0, shares = 0;
    for (int i = 0; i < N; i++) {
        total += i - (i % 3) * 7;
        CHECK_EQ_I64(r->variance_shares[2 * i] + r->variance_shares[2 * i + 1],
                     r->lines[i].variance);
        shares += r->variance_shares[2 * i];
    }
    for (size_t a = 0; a < r->n_areas; a++)
        by_area += r->areas[a].v.variance;
    CHECK_EQ_I64(r->total.variance, total);
    CHECK_EQ_I64(by_area, total);
    CHECK_EQ_I64(shares, r->authority_variance[0]);
    CHECK_EQ_I64(r->authority_variance[0] + r->authority_variance[1], total);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
}

static void expect_outturn_error(const char *json, const char *path,
                                 const char *needle)
{
    ap_outturn *o = (ap_outturn *)1;
    ap_error err;
    ap_status st = ap_outturn_parse(json, strlen(json), "t.json", &o, &err);
    if (st != AP_E_PLAN || o != NULL || strcmp(err.path, path) != 0 ||
        err.line == 0 || strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s at %d:%d: %s\n",
                json, st, err.path, err.line, err.column, err.message);
        exit(1);
    }
}

#define LINE "{\"service\": \"A\", \"budget\": \"1\", \"outturn\": \"2\"}"

TEST(outturn_errors_name_path)
{
    expect_outturn_error("{\"format\": \"apportion.ledger/1\"}", "$.format",
                         "apportion.outturn/1");
    expect_outturn_error("{\"format\": \"apportion.plan/1\"}", "$.outturn",
                         "no \"outturn\" member");
    expect_outturn_error(OT "\"lines\": []}", "$.lines", "at least one");
    expect_outturn_error(OT "\"lines\": [" LINE "], \"colour\": 1}",
                         "$.colour", "colour");
    expect_outturn_error(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": 1, \"outturn\": "
           "\"2\"}]}",
        "$.lines[0].budget", "budget_pence");
    expect_outturn_error(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \"1\"}]}",
        "$.lines[0].outturn", "gross_outturn");
    expect_outturn_error(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \"1x\", "
           "\"outturn\": \"2\"}]}",
        "$.lines[0].budget", "1x");
    expect_outturn_error(OT "\"variance_sign\": \"up\", \"lines\": [" LINE
                            "]}",
                         "$.variance_sign", "underspend_positive");
    expect_outturn_error(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \"1\", "
           "\"outturn\": \"2\", \"authority\": \"WNC\"}]}",
        "$.lines[0].authority", "WNC");
    expect_outturn_error(
        OT "\"authorities\": [{\"code\": \"N\"}, {\"code\": \"W\"}], "
           "\"lines\": [" LINE "]}",
        "$.split", "split");
    expect_outturn_error(
        OT "\"authorities\": [{\"code\": \"N\"}], \"split\": {\"values\": "
           "{\"N\": \"-1\"}}, \"lines\": [" LINE "]}",
        "$.split.values.N", "negative");
    expect_outturn_error(
        OT "\"lines\": [" LINE "], \"stated\": {\"variance\": "
           "{\"overspend\": \"1\", \"underspend\": \"1\"}}}",
        "$.stated.variance", "one of");
    expect_outturn_error(
        OT "\"lines\": [" LINE "], \"stated\": {\"net_variance\": "
           "{\"underspend\": \"(1)\"}}}",
        "$.stated.net_variance.underspend", "positive");
    expect_outturn_error(OT "\"lines\": [" LINE ", " LINE
                            "], \"reserves\": [{\"amount\": \"1\"}]}",
                         "$.reserves[0].name", "name");
    expect_outturn_error(
        OT "\"lines\": [{\"id\": \"x\", \"service\": \"A\", \"budget\": "
           "\"1\", \"outturn\": \"2\"}, {\"id\": \"x\", \"service\": \"B\", "
           "\"budget\": \"1\", \"outturn\": \"2\"}]}",
        "$.lines[1].id", "twice");
    expect_outturn_error(OT "\"lines\": [" LINE "], \"grants\": {\"items\": "
                            "[{\"name\": \"g\", \"amount\": \"1\"}], "
                            "\"unit\": \"furlongs\"}}",
                         "$.grants.unit", "furlongs");
    /* Read as every finance model reads them (finance_read.h). */
    expect_outturn_error("{\"format\": \"apportion.outturn/1\", \"unit\": "
                         "1000, \"lines\": [" LINE "]}",
                         "$.unit", "expected a unit such as");
    expect_outturn_error(OT "\"$schema\": 1, \"lines\": [" LINE "]}",
                         "$.$schema", "expected a string");
    expect_outturn_error(
        OT "\"authorities\": [{\"code\": \"N\"}], \"split\": {}, "
           "\"lines\": [" LINE "]}",
        "$.split.values", "authority code to its share");
    expect_outturn_error(
        OT "\"authorities\": [{\"code\": \"N\"}], \"split\": {\"values\": "
           "{\"N\": \"1e2\"}}, \"lines\": [" LINE "]}",
        "$.split.values.N", "1e2");
    /* A nil dash with blanks (tabs too) around it is an exact nil. */
    ap_outturn *o = parse_outturn(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \" \t- \", "
           "\"outturn\": \"\t\xe2\x80\x93\"}]}");
    CHECK_EQ_I64(o->lines[0].budget.amount.pence, 0);
    CHECK_EQ_I64(o->lines[0].budget.amount.resolution, 0);
    CHECK_EQ_I64(o->lines[0].outturn.amount.resolution, 0);
    ap_outturn_free(o);
}

/* The outturn as the "outturn" member of a plan file: read as its own
 * file is, in the plan's unit unless it gives one, every error path
 * starting "$.outturn". */
TEST(outturn_in_plan_file)
{
    const char *json =
        "{\"format\": \"apportion.plan/1\", \"unit\": \"\xc2\xa3" "000\", "
        "\"outturn\": {\"authorities\": [{\"code\": \"N\"}, {\"code\": "
        "\"W\"}], \"split\": {\"values\": {\"N\": \"44.16\", \"W\": "
        "\"55.84\"}}, \"lines\": [{\"service\": \"A\", \"budget\": "
        "\"43,998\", \"outturn\": \"44,170\"}], \"total\": {\"variance\": "
        "\"172\"}, \"stated\": {\"variance\": {\"overspend\": \"172\"}}}}";
    ap_outturn *o = parse_outturn(json);
    CHECK_STR(ap_unit_name(o->unit), "\xc2\xa3" "000");
    CHECK_EQ_I64(o->lines[0].budget.amount.pence, K(43998));
    CHECK_EQ_I64(o->n_authorities, 2);
    ap_outturn_result *r = compute_outturn(o);
    CHECK_EQ_I64(r->total.variance, K(172));
    /* £172,000 at 44.16 : 55.84, exactly. */
    CHECK_EQ_I64(r->authority_variance[0], 7595520);
    CHECK_EQ_I64(r->authority_variance[1], 9604480);
    ap_outturn_result_free(r);
    ap_outturn_free(o);

#define PO "{\"format\": \"apportion.plan/1\", \"outturn\": "
    expect_outturn_error(PO "[]}", "$.outturn", "expected an object");
    expect_outturn_error(PO "{\"format\": \"apportion.plan/1\", \"lines\": "
                            "[" LINE "]}}",
                         "$.outturn.format", "apportion.outturn/1");
    expect_outturn_error(PO "{\"lines\": []}}", "$.outturn.lines",
                         "at least one");
    expect_outturn_error(
        PO "{\"lines\": [{\"service\": \"A\", \"budget\": 1, "
           "\"outturn\": \"2\"}]}}",
        "$.outturn.lines[0].budget", "budget_pence");
    expect_outturn_error(
        PO "{\"lines\": [{\"id\": \"x\", \"service\": \"A\", \"budget\": "
           "\"1\", \"outturn\": \"2\"}, {\"id\": \"x\", \"service\": "
           "\"B\", \"budget\": \"1\", \"outturn\": \"2\"}]}}",
        "$.outturn.lines[1].id", "twice");
    expect_outturn_error(PO "{\"outturn_kind\": \"guess\", \"lines\": "
                            "[" LINE "]}}",
                         "$.outturn.outturn_kind", "forecast");
    expect_outturn_error(PO "{\"variance_sign\": 1, \"lines\": [" LINE
                            "]}}",
                         "$.outturn.variance_sign", "outturn_minus_budget");
    expect_outturn_error(PO "{\"variance_sign\": \"up\", \"lines\": ["
                            LINE "]}}",
                         "$.outturn.variance_sign", "underspend_positive");
    expect_outturn_error(PO "{\"authorities\": [{\"code\": \"N\"}, "
                            "{\"code\": \"N\"}], \"lines\": [" LINE "]}}",
                         "$.outturn.authorities[1].code", "twice");
    expect_outturn_error(PO "{\"authorities\": [{\"code\": \"N\"}], "
                            "\"lines\": [" LINE "]}}",
                         "$.outturn.split", "split");
    expect_outturn_error(
        PO "{\"authorities\": [{\"code\": \"N\"}], \"split\": "
           "{\"values\": {\"N\": \"-1\"}}, \"lines\": [" LINE "]}}",
        "$.outturn.split.values.N", "negative");
    expect_outturn_error(PO "{\"lines\": [" LINE "], \"total\": "
                            "{\"outturn\": 2}}}",
                         "$.outturn.total.outturn", "outturn_pence");
    expect_outturn_error(PO "{\"lines\": [" LINE "], \"reserves\": "
                            "[{\"amount\": \"1\"}]}}",
                         "$.outturn.reserves[0].name", "name");
    expect_outturn_error(PO "{\"lines\": [" LINE "], \"stated\": "
                            "{\"variance\": {\"underspend\": \"(1)\"}}}}",
                         "$.outturn.stated.variance.underspend", "positive");
    expect_outturn_error(PO "{\"lines\": [" LINE "], \"grants\": "
                            "{\"items\": [{\"amount\": \"1\"}]}}}",
                         "$.outturn.grants.items[0].name", "name");
#undef PO
}

/* ---- the Q4 balancing payment ------------------------------------------- */

static ap_recharge_balance *iass_balance(const ap_plan *plan, int64_t actual)
{
    ap_recharge_balance *b;
    ap_error err;
    if (ap_recharge_balance_compute(plan, actual, &b, &err) != AP_OK) {
        fprintf(stderr, "balance: %s\n", err.message);
        exit(1);
    }
    return b;
}

TEST(recharge_balance_iass)
{
    ap_plan *plan;
    ap_error err;
    CHECK(ap_plan_load(AP_SOURCE_DIR "/examples/iass-2021-22.json", &plan,
                       &err) == AP_OK);
    /* At budget: WNC's £211,654 billed £52,914 x 3, balance £52,912. */
    ap_recharge_balance *b = iass_balance(plan, 40704500);
    CHECK_STR(plan->authorities[b->payer].code, "WNC");
    CHECK_STR(plan->authorities[b->payee].code, "NNC");
    CHECK_EQ_I64(b->budget, 40704500);
    CHECK_EQ_I64(b->budget_share, 21165400);
    CHECK_EQ_I64(b->n_billed, 3);
    CHECK_EQ_I64(b->billed[0], 5291400);
    CHECK_EQ_I64(b->billed[2], 5291400);
    CHECK_EQ_I64(b->billed_total, 15874200);
    CHECK_EQ_I64(b->planned_final, 5291200);
    CHECK_EQ_I64(b->actual_share, 21165400);
    CHECK_EQ_I64(b->balance, 5291200);
    CHECK_EQ_I64(b->variance, 0);
    /* The receipt in advance, £127,882.35 WNC to NNC, stays apart. */
    CHECK_EQ_I64(b->n_carry_forwards, 1);
    CHECK_EQ_I64(b->carry_forwards_to_payee, 12788235);
    CHECK_EQ_I64(b->carry_forwards_to_payer, 0);
    ap_recharge_balance_free(b);

    /* Spent £420,000: WNC bears 211,654/407,045 of it, £218,390.30; it
     * has paid £158,742, so Q4 is £59,648.30. */
    b = iass_balance(plan, 42000000);
    CHECK_EQ_I64(b->variance, 1295500);
    CHECK_EQ_I64(b->actual_share, 21839030);
    CHECK_EQ_I64(b->balance, 21839030 - 15874200);
    CHECK_EQ_I64(b->carry_forwards_to_payee, 12788235);
    ap_recharge_balance_free(b);

    /* Spent £390,000: a smaller Q4 payment, £44,048.99. */
    b = iass_balance(plan, 39000000);
    CHECK_EQ_I64(b->actual_share, 20279099);
    CHECK_EQ_I64(b->balance, 4404899);
    ap_recharge_balance_free(b);

    /* Spent £300,000: WNC's share £155,993.07 is less than it has paid,
     * so Q4 is a refund of £2,748.93. */
    b = iass_balance(plan, 30000000);
    CHECK_EQ_I64(b->actual_share, 15599307);
    CHECK_EQ_I64(b->balance, -274893);
    CHECK_EQ_I64(b->carry_forwards_to_payee, 12788235);
    ap_recharge_balance_free(b);

    /* The plan itself is untouched: no actual, no balancing. */
    CHECK(!plan->has_actual);
    ap_plan_free(plan);
}

TEST(recharge_balance_needs_a_recharge)
{
    const char *json =
        "{\"format\": \"apportion.plan/1\", \"authorities\": [{\"code\": "
        "\"A\"}, {\"code\": \"B\"}], \"basis\": {\"kind\": \"metric\", "
        "\"values\": {\"A\": 1, \"B\": 3}}, \"budget_lines\": [{\"id\": "
        "\"1\", \"total\": \"100\"}]}";
    ap_plan *plan;
    ap_error err;
    CHECK(ap_plan_parse(json, strlen(json), "p.json", &plan, &err) == AP_OK);
    ap_recharge_balance *b = (ap_recharge_balance *)1;
    CHECK(ap_recharge_balance_compute(plan, 100, &b, &err) == AP_E_INPUT);
    CHECK(b == NULL);
    CHECK_CONTAINS(err.message, "no recharge rule");
    ap_plan_free(plan);
}

/* ---- contract sums ------------------------------------------------------ */

#define M(x) ((int64_t)(x) * 100000) /* £0.001m to pence */

TEST(contract_sum_nct_example)
{
    ap_contract_sum *c;
    ap_error err;
    if (ap_contract_sum_load(AP_SOURCE_DIR
                             "/examples/nct-contract-sum-2024-25.json",
                             &c, &err) != AP_OK) {
        fprintf(stderr, "%s: %s\n", err.path, err.message);
        exit(1);
    }
    CHECK_EQ_I64(c->n_blocks, 3);
    CHECK(c->blocks[2].kind == AP_BLOCK_PROVISION);
    CHECK(!c->blocks[2].in_contract_sum);
    CHECK_EQ_I64(c->n_cases, 12);
    CHECK(c->cases[0].approved == ap_date_from_ymd(2024, 2, 1));
    CHECK(!c->cases[3].has_block); /* Maximising Housing Benefit Subsidy */
    CHECK_EQ_I64(c->n_tables, 3);
    ap_contract_sum_result *r;
    CHECK(ap_contract_sum_compute(c, &r, &err) == AP_OK);
    /* Contract sum = Block 1 + Block 2 = £177.429m + £2.580m. */
    CHECK_EQ_I64(r->contract_sum, M(180009));
    CHECK_EQ_I64(r->provisions, M(3291));
    /* Block 3: the cases come to £1.456m, leaving £1.835m. */
    CHECK_EQ_I64(r->blocks[2].agreed, M(1456));
    CHECK_EQ_I64(r->blocks[2].balance, M(1835));
    CHECK_EQ_I64(r->blocks[2].n_cases, 7);
    /* Block 2 as printed (IRO CP Chair £0.85m) overspends its £2.580m. */
    CHECK_EQ_I64(r->blocks[1].agreed, M(3345));
    CHECK_EQ_I64(r->blocks[1].balance, M(-765));
    /* The one-off cases of Block 2: £1.280m + £1.083m = £2.363m. */
    CHECK(r->blocks[1].has_non_recurring);
    CHECK_EQ_I64(r->blocks[1].non_recurring, M(2363));
    /* WNC 55.84% / NNC 44.16% of £180.009m, exactly. */
    CHECK_EQ_I64(r->contract_sum_shares[0], 7949197440);  /* NNC */
    CHECK_EQ_I64(r->contract_sum_shares[1], 10051702560); /* WNC */
    CHECK_EQ_I64(r->provision_shares[0], 145330560);
    CHECK_EQ_I64(r->provision_shares[1], 183769440);
    CHECK_EQ_I64(r->block_shares[0] + r->block_shares[2 * 1],
                 r->contract_sum_shares[0]);

    const ap_audit_report *rep = r->audit;
    CHECK_STR(rep->unit, "\xc2\xa3" "m");
    CHECK(finding(rep, 3, "amount", "Contract sum")->finding.status ==
          AP_AUDIT_OK);
    CHECK(finding(rep, 1, "non-recurring", "one-off")->finding.status ==
          AP_AUDIT_OK);
    /* Appendix A, Block 2 (table 1, row 5): the total £2.580m is right if
     * the IRO CP Chair is £0.085m, printed £0.85m. */
    const ap_table_finding *f = finding(rep, 5, "total agreed", "items");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK(f->finding.cause == AP_CAUSE_DECIMAL_SHIFT);
    CHECK_CONTAINS(f->finding.item_label, "IRO CP Chair");
    CHECK_EQ_I64(f->finding.candidates[0].corrected.value, 85);
    CHECK_EQ_I64(f->finding.candidates[0].corrected.decimals, 3);
    /* Appendix A, Block 3 (row 6): £1.659m is the items plus IV Visitors'
     * £0.203m again. */
    f = finding(rep, 6, "total agreed", "items");
    CHECK(f->finding.cause == AP_CAUSE_DUPLICATED_ITEM);
    CHECK_EQ_I64(f->finding.difference, 203);
    CHECK_CONTAINS(f->finding.item_label, "IV Visitors");
    /* Its balance £1.862m should be £1.835m; nor is it £3.291m less the
     * stated £1.659m (£1.632m). */
    f = finding(rep, 6, "balance outstanding", "items");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->finding.computed, 1835);
    CHECK_EQ_I64(f->finding.difference, 27);
    f = finding(rep, 6, "balance outstanding", "stated total");
    CHECK_EQ_I64(f->finding.computed, 1632);
    /* Report 7.1.7 (row 4) prints MASH Review at £0.70m, Appendix A at
     * £0.070m. */
    f = finding(rep, 4, "MASH Review", "business case");
    CHECK(f->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->finding.difference, 630);
    CHECK(finding(rep, 7, "percent", "100")->finding.status == AP_AUDIT_OK);
    ap_contract_sum_result_free(r);
    ap_contract_sum_free(c);
}

static void expect_contract_error(const char *json, const char *path,
                                  const char *needle)
{
    ap_contract_sum *c = (ap_contract_sum *)1;
    ap_error err;
    ap_status st = ap_contract_sum_parse(json, strlen(json), "c.json", &c,
                                         &err);
    if (st != AP_E_PLAN || c != NULL || strcmp(err.path, path) != 0 ||
        err.line == 0 || strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s at %d:%d: %s\n",
                json, st, err.path, err.line, err.column, err.message);
        exit(1);
    }
}

#define CS                                                                 \
    "{\"format\": \"apportion.contract_sum/1\", \"unit\": \"\xc2\xa3m\", "
#define BLOCKS                                                             \
    "\"blocks\": [{\"id\": \"1\", \"kind\": \"core\", \"amount\": \"1\"}, " \
    "{\"id\": \"3\", \"kind\": \"provision\", \"amount\": \"2\"}]"

TEST(contract_sum_errors_name_path)
{
    expect_contract_error(CS "\"blocks\": []}", "$.blocks", "non-empty");
    expect_contract_error(
        CS "\"blocks\": [{\"id\": \"1\", \"amount\": \"1\"}]}",
        "$.blocks[0].kind", "provision");
    expect_contract_error(
        CS "\"blocks\": [{\"id\": \"1\", \"kind\": \"core\", \"amount\": "
           "\"1\"}, {\"id\": \"1\", \"kind\": \"items\", \"amount\": "
           "\"1\"}]}",
        "$.blocks[1].id", "twice");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"9\", \"funding\": \"1\"}]}",
        "$.business_cases[0].block", "unknown block \"9\"");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"1\", \"funding\": \"1\"}]}",
        "$.business_cases[0].block", "core funding");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "3, \"funding\": \"1\"}]}",
        "$.business_cases[0].block", "block id as text");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"3\", \"funding\": \"1\", \"approved\": "
                  "\"2024-02-30\"}]}",
        "$.business_cases[0].approved", "2024-02-30");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"3\", \"funding\": \"1\"}], \"tables\": [{\"title\": "
                  "\"t\", \"block\": \"3\", \"items\": [{\"project\": \"q\", "
                  "\"funding\": \"1\"}]}]}",
        "$.tables[0].items[0].project", "no business case \"q\"");
    expect_contract_error(
        CS BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"3\", \"funding\": 0.5}]}",
        "$.business_cases[0].funding", "funding_pence");
    expect_contract_error(CS BLOCKS ", \"as_of\": \"23/02/2024\"}", "$.as_of",
                          "23/02/2024");
}

/* The contract sum as the "contract_sum" member of a plan file: read as
 * its own file is, every error path starting "$.contract_sum". */
TEST(contract_sum_in_plan_file)
{
#define PC "{\"format\": \"apportion.plan/1\", \"unit\": \"\xc2\xa3m\", " \
           "\"contract_sum\": {"
    const char *json =
        PC "\"authorities\": [{\"code\": \"A\"}, {\"code\": \"B\"}], "
           "\"split\": {\"kind\": \"metric\", \"values\": {\"A\": 1, "
           "\"B\": 3}}, \"contract_sum\": \"1\", " BLOCKS "}}";
    ap_contract_sum *c;
    ap_error err;
    CHECK(ap_contract_sum_parse(json, strlen(json), "p.json", &c, &err) ==
          AP_OK);
    CHECK_STR(ap_unit_name(c->unit), "\xc2\xa3m"); /* the plan's */
    CHECK_EQ_I64(c->n_blocks, 2);
    ap_contract_sum_result *r;
    CHECK(ap_contract_sum_compute(c, &r, &err) == AP_OK);
    CHECK_EQ_I64(r->contract_sum, 100000000);
    CHECK_EQ_I64(r->contract_sum_shares[0], 25000000);
    CHECK_EQ_I64(r->contract_sum_shares[1], 75000000);
    ap_contract_sum_result_free(r);
    ap_contract_sum_free(c);

    expect_contract_error("{\"format\": \"apportion.plan/1\"}",
                          "$.contract_sum", "no \"contract_sum\" member");
    expect_contract_error("{\"format\": \"apportion.outturn/1\"}",
                          "$.format", "apportion.contract_sum/1");
    expect_contract_error(PC "\"blocks\": []}}", "$.contract_sum.blocks",
                          "non-empty");
    expect_contract_error(PC "\"colour\": 1, " BLOCKS "}}",
                          "$.contract_sum.colour", "colour");
    expect_contract_error(PC "\"contract_sum\": 1, " BLOCKS "}}",
                          "$.contract_sum.contract_sum",
                          "contract_sum_pence");
    expect_contract_error(
        PC BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"9\", \"funding\": \"1\"}]}}",
        "$.contract_sum.business_cases[0].block", "unknown block \"9\"");
    expect_contract_error(
        PC BLOCKS ", \"business_cases\": [{\"project\": \"p\", \"block\": "
                  "\"3\", \"funding\": \"1\"}], \"tables\": [{\"title\": "
                  "\"t\", \"block\": \"3\", \"items\": [{\"project\": \"q\", "
                  "\"funding\": \"1\"}]}]}}",
        "$.contract_sum.tables[0].items[0].project",
        "no business case \"q\"");
    expect_contract_error(PC BLOCKS ", \"as_of\": \"23/02/2024\"}}",
                          "$.contract_sum.as_of", "23/02/2024");
    expect_contract_error(PC "\"authorities\": [{\"code\": \"\"}], " BLOCKS
                             "}}",
                          "$.contract_sum.authorities[0].code", "empty");
    expect_contract_error(PC "\"authorities\": [{\"code\": \"A\"}], " BLOCKS
                             "}}",
                          "$.contract_sum.split", "contract sum");
#undef PC
}

TEST(contract_sum_tables_leave_cases_out)
{
    /* A table listing one of a provision's two cases is checked against
     * both: its total is right for what it lists, and short of the
     * block's cases by the omitted one. */
    const char *json =
        CS "\"authorities\": [{\"code\": \"A\"}, {\"code\": \"B\"}], "
           "\"split\": {\"kind\": \"metric\", \"values\": {\"A\": 1, \"B\": "
           "2}}, " BLOCKS ", \"business_cases\": ["
           "{\"project\": \"p\", \"block\": \"3\", \"funding\": \"0.5\"},"
           "{\"project\": \"q\", \"block\": \"3\", \"funding\": \"0.25\"}],"
           "\"tables\": [{\"title\": \"t\", \"block\": \"3\", \"items\": "
           "[{\"project\": \"p\", \"funding\": \"0.5\"}], \"total\": "
           "\"0.5\", \"balance_outstanding\": \"1.5\"}]}";
    ap_contract_sum *c;
    ap_error err;
    CHECK(ap_contract_sum_parse(json, strlen(json), "c.json", &c, &err) ==
          AP_OK);
    ap_contract_sum_result *r;
    CHECK(ap_contract_sum_compute(c, &r, &err) == AP_OK);
    CHECK_EQ_I64(r->contract_sum, 100000000);
    CHECK_EQ_I64(r->blocks[1].agreed, 75000000);
    CHECK_EQ_I64(r->blocks[1].balance, 125000000);
    /* Thirds: the contract sum 1/3 : 2/3 = 33,333,333 / 66,666,667. */
    CHECK_EQ_I64(r->contract_sum_shares[0], 33333333);
    CHECK_EQ_I64(r->contract_sum_shares[1], 66666667);
    CHECK_EQ_I64(r->provision_shares[0] + r->provision_shares[1], 200000000);
    const ap_audit_report *rep = r->audit;
    CHECK(finding(rep, 3, "total agreed", "items")->finding.status ==
          AP_AUDIT_OK);
    const ap_table_finding *f =
        finding(rep, 3, "total agreed", "leaves some out");
    CHECK(f->finding.cause == AP_CAUSE_OMITTED_ITEM);
    CHECK_STR(f->finding.item_label, "q");
    /* No percent check for a metric split. */
    for (size_t i = 0; i < rep->n_findings; i++)
        CHECK(strcmp(rep->findings[i].column_label, "percent") != 0);
    ap_contract_sum_result_free(r);
    ap_contract_sum_free(c);
}

/* A stated total the page cuts off, or cannot be read: carried as
 * printed, checked for consistency only, and refused where a figure is
 * computed with. */
TEST(outturn_total_partly_legible)
{
    ap_outturn *o = parse_outturn(
        OT "\"lines\": [{\"service\": \"A\", \"budget\": \"1,200\", "
           "\"outturn\": \"1,290\"},"
           "{\"service\": \"B\", \"budget\": \"2,512\", \"outturn\": "
           "\"2,400\"}],"
           "\"total\": {\"budget\": \"3,71\xe2\x80\xa6\", "
           "\"outturn\": \"not legible\"}}");
    CHECK(o->total[0].present);
    CHECK(o->total[0].amount.legibility == AP_CUT_OFF);
    CHECK_STR(o->total[0].amount.as_printed, "3,71\xe2\x80\xa6");
    CHECK_EQ_I64(o->total[0].amount.pence, 0);
    ap_outturn_result *r = compute_outturn(o);
    const ap_table_finding *f = finding(r->audit, 2, "budget", "");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK(f->finding.cause == AP_CAUSE_NONE);
    CHECK_CONTAINS(f->finding.suggestion, "the stated figure is cut off "
                   "after \"3,71\", so it can be \xc2\xa3" "3,710.00 to "
                   "\xc2\xa3" "3,719.99");
    CHECK_CONTAINS(f->finding.suggestion, "the computed \xc2\xa3"
                   "3,712.00 is consistent with it.");
    f = finding(r->audit, 2, "outturn", "");
    CHECK(f->finding.cause == AP_CAUSE_ILLEGIBLE);
    CHECK_CONTAINS(f->finding.suggestion, "cannot be checked: the stated "
                   "figure is not legible.");
    CHECK_EQ_I64(r->audit->n_error, 0);
    ap_outturn_result_free(r);
    ap_outturn_free(o);
    expect_outturn_error(OT "\"lines\": [{\"service\": \"A\", \"budget\": "
                            "\"1,2\xe2\x80\xa6\", \"outturn\": \"1\"}]}",
                         "$.lines[0].budget", "computed with");
}
