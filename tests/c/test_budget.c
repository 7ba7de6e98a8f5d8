/* MTFP roll-forward (the CFE business plan 2017-21, section 14 and 14.2) and RAG-rated savings
 * (the Children's Trust Joint Committee papers of 6 March 2024, Appendix A): the papers' own figures, broken copies and the
 * errors of bad files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/apportion.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif

#define MTFP_EXAMPLE AP_SOURCE_DIR "/examples/nct-mtfp-2017-21.json"
#define SAVINGS_EXAMPLE AP_SOURCE_DIR "/examples/nct-savings-2023-24.json"

/* £000 as pence. */
#define K(x) ((int64_t)(x) * 100000)

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    CHECK(text != NULL && fread(text, 1, (size_t)n, f) == (size_t)n);
    text[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(text);
    free(text);
    CHECK(root != NULL);
    return root;
}

static cJSON *find_by(cJSON *array, const char *key, const char *value)
{
    for (cJSON *o = array->child; o != NULL; o = o->next) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
            return o;
    }
    fprintf(stderr, "no %s = %s\n", key, value);
    exit(1);
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
    CHECK(cJSON_ReplaceItemInObjectCaseSensitive(obj, key,
                                                 cJSON_CreateString(value)));
}

static const ap_table_finding *finding_at(const ap_audit_report *r,
                                          const char *row_label,
                                          const char *column_label)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (strcmp(r->findings[i].row_label, row_label) == 0 &&
            strcmp(r->findings[i].column_label, column_label) == 0)
            return &r->findings[i];
    fprintf(stderr, "no finding at %s / %s\n", row_label, column_label);
    exit(1);
}

/* ---- MTFP --------------------------------------------------------------- */

static ap_mtfp *mtfp_from(cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);
    ap_mtfp *m;
    ap_error err;
    ap_status st = ap_mtfp_parse(text, strlen(text), "t.json", &m, &err);
    free(text);
    if (st != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return m;
}

static ap_mtfp_result *mtfp_compute(const ap_mtfp *m)
{
    ap_mtfp_result *r;
    ap_error err;
    if (ap_mtfp_compute(m, &r, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return r;
}

static size_t proposal_index(const ap_mtfp *m, const char *reference)
{
    for (size_t i = 0; i < m->n_proposals; i++)
        if (strcmp(m->proposals[i].reference, reference) == 0)
            return i;
    fprintf(stderr, "no proposal %s\n", reference);
    exit(1);
}

TEST(mtfp_seed_roll_forward)
{
    ap_mtfp *m;
    ap_error err;
    CHECK(ap_mtfp_load(MTFP_EXAMPLE, &m, &err) == AP_OK);
    CHECK_EQ_I64(m->n_years, 4);
    CHECK_STR(m->years[3], "2020-21");
    CHECK(m->unit == AP_UNIT_THOUSANDS);
    CHECK_EQ_I64(m->base.pence, K(123015));
    CHECK_EQ_I64(m->n_proposals, 18);
    ap_mtfp_result *r = mtfp_compute(m);

    static const int64_t base[] = {123015, 130997, 133817, 136011};
    static const int64_t growth[] = {26003, 5094, 4218, 4648};
    static const int64_t savings[] = {-18021, -2274, -2024, 0};
    static const int64_t requirement[] = {130997, 133817, 136011, 140659};
    static const int64_t inflation[] = {1560, 1621, 1718, 2148};
    static const int64_t income[] = {-41, -274, -524, 0};
    for (size_t y = 0; y < 4; y++) {
        CHECK_EQ_I64(r->base[y], K(base[y]));
        CHECK_EQ_I64(r->growth[y], K(growth[y]));
        CHECK_EQ_I64(r->savings[y], K(savings[y]));
        CHECK_EQ_I64(r->requirement[y], K(requirement[y]));
        const int64_t *cats = r->by_category + y * AP_MTFP_CATEGORY_COUNT;
        CHECK_EQ_I64(cats[AP_MTFP_INFLATION], K(inflation[y]));
        CHECK_EQ_I64(cats[AP_MTFP_INCOME], K(income[y]));
        /* the next year's base is this year's requirement */
        if (y > 0)
            CHECK_EQ_I64(r->base[y], r->requirement[y - 1]);
    }
    CHECK_EQ_I64(r->by_category[AP_MTFP_EFFICIENCY], K(-3540));
    CHECK_EQ_I64(r->by_category[AP_MTFP_TRANSFORMATION], K(-13800));
    CHECK_EQ_I64(r->by_category[AP_MTFP_CUTS], K(-640));
    CHECK_EQ_I64(r->by_category[AP_MTFP_PRESSURE], K(24443));
    CHECK_EQ_I64(r->growth_total, K(39963));
    CHECK_EQ_I64(r->savings_total, K(-22319));
    CHECK_EQ_I64(r->category_totals[AP_MTFP_INFLATION], K(7047));
    CHECK_EQ_I64(r->category_totals[AP_MTFP_PRESSURE], K(32916));
    CHECK_EQ_I64(r->category_totals[AP_MTFP_EFFICIENCY], K(-7040));
    CHECK_EQ_I64(r->category_totals[AP_MTFP_INCOME], K(-839));
    CHECK_EQ_I64(r->proposal_totals[proposal_index(m, "15-002-31")],
                 K(-1000));
    CHECK_EQ_I64(r->proposal_totals[proposal_index(m, "16-002-06")],
                 K(-6000));
    CHECK_EQ_I64(r->proposal_totals[proposal_index(m, "14-002-01")],
                 K(-254));

    /* Every stated figure of the seed agrees: 18 proposal totals, 8 total
     * rows of 4 years and a total, 10 summary rows of 4 years, and the
     * split's percentages. */
    CHECK_EQ_I64(r->audit->n_findings, 18 + 8 * 5 + 10 * 4 + 1);
    CHECK_EQ_I64(r->audit->n_ok, r->audit->n_findings);
    CHECK_STR(r->audit->unit, "\xc2\xa3" "000");

    /* 2017-18's £130,997,000 by 44.16 : 55.84, to the penny. */
    CHECK_EQ_I64(r->n_parties, 2);
    CHECK_EQ_I64(r->split[0], 5784827520LL);
    CHECK_EQ_I64(r->split[1], 7314872480LL);
    for (size_t y = 0; y < 4; y++)
        CHECK_EQ_I64(r->split[2 * y] + r->split[2 * y + 1], r->requirement[y]);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);
}

TEST(mtfp_broken_copies)
{
    /* A transposed figure: 16-002-08 printed (530) for (350) in 2017-18. */
    cJSON *root = load_json(MTFP_EXAMPLE);
    cJSON *p = find_by(cJSON_GetObjectItem(root, "proposals"), "reference",
                       "16-002-08");
    set_string(cJSON_GetObjectItem(p, "amounts"), "2017-18", "(530)");
    ap_mtfp *m = mtfp_from(root);
    cJSON_Delete(root);
    ap_mtfp_result *r = mtfp_compute(m);
    CHECK_EQ_I64(r->requirement[0], K(130817));
    CHECK_EQ_I64(r->requirement[3], K(140479));
    const ap_audit_finding *f =
        &finding_at(r->audit, "Total Efficiency (14.2)", "2017-18")->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK(f->cause == AP_CAUSE_TRANSPOSITION);
    CHECK_STR(f->item_label, "16-002-08");
    CHECK_EQ_I64(f->stated, -3540);
    CHECK_EQ_I64(f->computed, -3720);
    CHECK_EQ_I64(f->candidates[0].corrected.value, -350);
    f = &finding_at(r->audit, "Net Budget Requirement (14)", "2017-18")
             ->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->difference, 180);
    /* Found once, in its year: 2018-19 agrees with the printed base. */
    CHECK(finding_at(r->audit, "Net Budget Requirement (14)", "2018-19")
              ->finding.status == AP_AUDIT_OK);
    CHECK(finding_at(r->audit, "Prior Yr Base Budget b/fwd (14)", "2018-19")
              ->finding.status == AP_AUDIT_OK);
    /* the proposal's own Total column, two totals of efficiency, two of
     * savings, the summary's efficiencies and savings, and 2017-18's
     * requirement */
    CHECK_EQ_I64(r->audit->n_error, 8);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);

    /* An omitted proposal: 16-002-11 (150) left out of the file. */
    root = load_json(MTFP_EXAMPLE);
    cJSON *props = cJSON_GetObjectItem(root, "proposals");
    int at = 0;
    for (cJSON *o = props->child; o != NULL; o = o->next, at++)
        if (strcmp(cJSON_GetObjectItem(o, "reference")->valuestring,
                   "16-002-11") == 0)
            break;
    cJSON_DeleteItemFromArray(props, at);
    m = mtfp_from(root);
    cJSON_Delete(root);
    r = mtfp_compute(m);
    CHECK_EQ_I64(r->requirement[0], K(131147));
    f = &finding_at(r->audit, "Total Efficiency (14.2)", "2017-18")->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->difference, -150); /* stated - computed: the missing */
    CHECK_EQ_I64(finding_at(r->audit, "Net Budget Requirement (14)",
                            "2017-18")->finding.difference, -150);
    CHECK(finding_at(r->audit, "Total Efficiency (14.2)", "2018-19")
              ->finding.status == AP_AUDIT_OK);
    CHECK_EQ_I64(r->audit->n_error, 7);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);

    /* A stated total that left a proposal out: the paper's own slip. */
    root = load_json(MTFP_EXAMPLE);
    cJSON *row = find_by(cJSON_GetObjectItem(root, "stated"), "label",
                         "Total Efficiency");
    set_string(cJSON_GetObjectItem(row, "amounts"), "2017-18", "(3,390)");
    m = mtfp_from(root);
    cJSON_Delete(root);
    r = mtfp_compute(m);
    f = &finding_at(r->audit, "Total Efficiency (14.2)", "2017-18")->finding;
    CHECK(f->cause == AP_CAUSE_OMITTED_ITEM);
    CHECK_STR(f->item_label, "16-002-11");
    CHECK_EQ_I64(r->audit->n_error, 1);
    /* the model's own figures are the proposals', whatever the paper says */
    CHECK_EQ_I64(r->requirement[0], K(130997));
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);

    /* A printed requirement transposed: found there and in the next
     * year's base brought forward, which disagrees with it. */
    root = load_json(MTFP_EXAMPLE);
    row = find_by(cJSON_GetObjectItem(root, "stated"), "label",
                  "Net Budget Requirement");
    set_string(cJSON_GetObjectItem(row, "amounts"), "2018-19", "133,871");
    m = mtfp_from(root);
    cJSON_Delete(root);
    r = mtfp_compute(m);
    f = &finding_at(r->audit, "Net Budget Requirement (14)", "2018-19")
             ->finding;
    CHECK(f->cause == AP_CAUSE_TRANSPOSITION);
    CHECK(f->item == AP_AUDIT_TOTAL);
    CHECK_EQ_I64(f->candidates[0].corrected.value, 133817);
    CHECK(finding_at(r->audit, "Prior Yr Base Budget b/fwd (14)", "2019-20")
              ->finding.status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(r->audit->n_error, 2);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);
}

static void expect_mtfp_error(const char *json, const char *path,
                              const char *needle)
{
    ap_mtfp *m = (ap_mtfp *)1;
    ap_error err;
    ap_status st = ap_mtfp_parse(json, strlen(json), "t.json", &m, &err);
    if (st != AP_E_PLAN || m != NULL || strcmp(err.path, path) != 0 ||
        strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s: %s\n", json, st,
                err.path, err.message);
        exit(1);
    }
}

#define MHEAD "{\"format\": \"apportion.mtfp/1\", \"unit\": \"\xc2\xa3" "000\", "
#define YEARS "\"years\": [\"2017-18\", \"2018-19\"], "
#define BASE "\"base_brought_forward\": \"100\", "

TEST(mtfp_errors_name_path)
{
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [{\"reference\": "
                      "\"S1\", \"name\": \"s\", \"category\": \"efficiency\", "
                      "\"amounts\": {\"2017-18\": \"(5)\", \"2018-19\": "
                      "\"5\"}}]}",
                      "$.proposals[0].amounts[\"2018-19\"]",
                      "\"allow_positive\"");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [{\"name\": \"s\", "
                      "\"category\": \"growth\", \"amounts\": {}}]}",
                      "$.proposals[0].category", "inflation");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [{\"name\": \"s\", "
                      "\"category\": \"pressure\", \"amounts\": "
                      "{\"2017-18\": \"5\"}}]}",
                      "$.proposals[0].amounts[\"2018-19\"]",
                      "no figure for 2018-19");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [{\"name\": \"s\", "
                      "\"category\": \"pressure\", \"amounts\": "
                      "{\"2017-18\": \"5\", \"2018-19\": \"5\", "
                      "\"2019-20\": \"5\"}}]}",
                      "$.proposals[0].amounts[\"2019-20\"]",
                      "not one of the plan's years");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [{\"name\": \"s\", "
                      "\"category\": \"pressure\", \"amounts\": "
                      "{\"2017-18\": 5, \"2018-19\": \"5\"}}]}",
                      "$.proposals[0].amounts[\"2017-18\"]", "amounts_pence");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [], \"stated\": "
                      "[{\"label\": \"NBR\", \"of\": "
                      "\"net_budget_requirement\", \"total\": \"5\"}]}",
                      "$.stated[0].total", "no total across the years");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [], \"stated\": "
                      "[{\"label\": \"X\", \"of\": \"everything\"}]}",
                      "$.stated[0].of", "net_budget_requirement");
    expect_mtfp_error(MHEAD YEARS "\"proposals\": []}",
                      "$.base_brought_forward", "missing required key");
    expect_mtfp_error(MHEAD YEARS BASE "\"proposals\": [], \"split\": "
                      "{\"values\": {\"NNC\": \"44.16\", \"WNC\": \"x\"}}}",
                      "$.split.values.WNC", "cannot read \"x\"");
    expect_mtfp_error("{\"format\": \"apportion.savings/1\"}", "$.format",
                      "apportion.mtfp/1");
    expect_mtfp_error("{\"format\": \"apportion.plan/1\"}", "$.mtfp",
                      "no \"mtfp\" member");
    expect_mtfp_error("{\"format\": \"apportion.plan/1\", \"mtfp\": {"
                      "\"years\": [\"2017-18\"], \"base_brought_forward\": "
                      "\"1\", \"proposals\": [], \"typo\": 1}}",
                      "$.mtfp.typo", "unknown key");

    /* allow_positive lets a saving add (the reversal of an earlier one). */
    const char *ok = MHEAD YEARS BASE "\"proposals\": [{\"name\": \"s\", "
                     "\"category\": \"cuts\", \"allow_positive\": true, "
                     "\"amounts\": {\"2017-18\": \"(5)\", \"2018-19\": "
                     "\"5\"}}]}";
    ap_mtfp *m;
    ap_error err;
    CHECK(ap_mtfp_parse(ok, strlen(ok), "t.json", &m, &err) == AP_OK);
    ap_mtfp_result *r = mtfp_compute(m);
    CHECK_EQ_I64(r->requirement[0], K(95));
    CHECK_EQ_I64(r->requirement[1], K(100));
    CHECK_EQ_I64(r->savings_total, 0);
    CHECK_EQ_I64(r->audit->n_findings, 0);
    CHECK(r->split == NULL && r->n_parties == 0);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);
}

TEST(mtfp_in_plan_file)
{
    /* A plan file may carry the MTFP under "mtfp"; the plan's unit is
     * used when the member gives none, "-" is a nil, and pence are exact. */
    const char *json =
        "{\"format\": \"apportion.plan/1\", \"unit\": \"\xc2\xa3" "000\", "
        "\"mtfp\": {\"years\": [\"2024/25\", \"2025/26\"], "
        "\"base_brought_forward\": \"1,000\", \"proposals\": ["
        "{\"name\": \"pay\", \"category\": \"inflation\", \"amounts\": "
        "{\"2024/25\": \"30\", \"2025/26\": \"-\"}, \"total\": \"30\"},"
        "{\"name\": \"beds\", \"category\": \"efficiency\", "
        "\"amounts_pence\": {\"2024/25\": -1234567, \"2025/26\": 0}}],"
        "\"stated\": [{\"label\": \"NBR\", \"of\": "
        "\"net_budget_requirement\", \"amounts\": {\"2024/25\": "
        "\"1,017.65433\"}}]}}";
    ap_mtfp *m;
    ap_error err;
    CHECK(ap_mtfp_parse(json, strlen(json), "p.json", &m, &err) == AP_OK);
    CHECK(m->unit == AP_UNIT_THOUSANDS);
    CHECK_EQ_I64(m->proposals[0].amounts[1].pence, 0);
    /* The MTFP's "-" is a nil printed to the unit (the outturn's is an
     * exact nil, resolution 0). */
    CHECK_EQ_I64(m->proposals[0].amounts[1].resolution, K(1));
    ap_mtfp_result *r = mtfp_compute(m);
    CHECK_EQ_I64(r->requirement[0], K(1030) - 1234567);
    CHECK_EQ_I64(r->requirement[1], r->requirement[0]);
    CHECK_EQ_I64(r->audit->n_findings, 2);
    CHECK_EQ_I64(r->audit->n_ok, 2);
    ap_mtfp_result_free(r);
    ap_mtfp_free(m);
}

/* ---- savings ------------------------------------------------------------ */

static ap_savings *savings_from(cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);
    ap_savings *s;
    ap_error err;
    ap_status st = ap_savings_parse(text, strlen(text), "t.json", &s, &err);
    free(text);
    if (st != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return s;
}

static ap_savings_result *savings_compute(const ap_savings *s)
{
    ap_savings_result *r;
    ap_error err;
    if (ap_savings_compute(s, &r, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return r;
}

TEST(savings_seed_by_rag)
{
    ap_savings *s;
    ap_error err;
    CHECK(ap_savings_load(SAVINGS_EXAMPLE, &s, &err) == AP_OK);
    CHECK_EQ_I64(s->n_proposals, 15);
    CHECK_EQ_I64(s->n_totals, 2);
    CHECK_EQ_I64(s->totals[0].to, 12);
    CHECK_STR(s->proposals[7].sro, "Olivia Ives");
    ap_savings_result *r = savings_compute(s);
    CHECK_EQ_I64(r->target, K(7672));
    CHECK_EQ_I64(r->by_column[AP_SAVINGS_RED], K(1247));
    CHECK_EQ_I64(r->by_column[AP_SAVINGS_AMBER], K(1370)); /* 100+200+1,070 */
    CHECK_EQ_I64(r->by_column[AP_SAVINGS_GREEN], K(5125));
    CHECK_EQ_I64(r->by_column[AP_SAVINGS_MITIGATIONS], 0);
    CHECK_EQ_I64(r->rated, K(7742)); /* 70 more than the target */
    CHECK_EQ_I64(r->row_rated[13], K(3270));
    CHECK_EQ_I64(r->secured, K(5125));
    CHECK_EQ_I64(r->forecast, K(6495));
    /* 5,125 / 7,672 = 66.801...%; 6,495 / 7,672 = 84.658...% */
    CHECK(r->has_percentages);
    CHECK_EQ_I64(r->secured_basis_points, 6680);
    CHECK_EQ_I64(r->forecast_basis_points, 8466);
    /* The red £1,247,000 is a pressure funded 44.16 : 55.84. */
    CHECK_EQ_I64(r->pressure, K(1247));
    CHECK_EQ_I64(r->n_parties, 2);
    CHECK_EQ_I64(r->pressure_split[0], 55067520);
    CHECK_EQ_I64(r->pressure_split[1], 69632480);

    const ap_audit_report *a = r->audit;
    CHECK_EQ_I64(a->n_findings, 15 * 2 + 2 * 6 + 4);
    CHECK_EQ_I64(a->n_error, 7);
    const char *vc = "Additional Valuing care (see NCT 3b)";
    const ap_audit_finding *f = &finding_at(a, vc, "2023/24")->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->stated, 3200);
    CHECK_EQ_I64(f->computed, 3270);
    CHECK(finding_at(a, vc, "Total (A,G,M)")->finding.status ==
          AP_AUDIT_ERROR);
    f = &finding_at(a, "TOTAL", "Amber")->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->stated, 770);
    CHECK_EQ_I64(f->computed, 300);
    f = &finding_at(a, "TOTAL", "Green")->finding;
    CHECK_EQ_I64(f->stated, 1855);
    CHECK_EQ_I64(f->computed, 2325);
    CHECK(finding_at(a, "TOTAL", "Red")->finding.status == AP_AUDIT_OK);
    CHECK(finding_at(a, "TOTAL", "2023/24")->finding.status == AP_AUDIT_OK);
    CHECK(finding_at(a, "TOTAL SAVINGS", "Amber")->finding.status ==
          AP_AUDIT_OK);
    f = &finding_at(a, "TOTAL SAVINGS", "Green")->finding;
    CHECK_EQ_I64(f->stated, 5550);
    CHECK_EQ_I64(f->computed, 5125);
    /* The row-total column adds the printed row totals: 7,672. */
    CHECK(finding_at(a, "TOTAL SAVINGS", "Total (A,G,M)")->finding.status ==
          AP_AUDIT_OK);
    /* "44.16% for NNC and 56.84% for WNC" makes 101%. */
    CHECK(finding_at(a, "contract split", "Total")->finding.status ==
          AP_AUDIT_OK);
    f = &finding_at(a, "contract split as printed (paragraph 2.8)", "Total")
             ->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->scale, 2);
    CHECK_EQ_I64(f->difference, -100);
    CHECK(finding_at(a, "contract split as printed (paragraph 2.8)", "WNC")
              ->finding.status == AP_AUDIT_ERROR);
    CHECK(finding_at(a, "contract split as printed (paragraph 2.8)", "NNC")
              ->finding.status == AP_AUDIT_OK);
    ap_savings_result_free(r);
    ap_savings_free(s);
}

TEST(savings_amber_at_risk_and_options)
{
    cJSON *root = load_json(SAVINGS_EXAMPLE);
    set_string(root, "at_risk", "red_and_amber");
    /* The heading's own reading, amber + green + mitigations, makes the
     * red-only rows wrong: 620 and 627 printed against 0. */
    cJSON *tc = cJSON_GetObjectItem(root, "total_column");
    cJSON_ReplaceItemInObjectCaseSensitive(
        tc, "sums",
        cJSON_CreateStringArray((const char *const[]){"amber", "green",
                                                      "mitigations"},
                                3));
    ap_savings *s = savings_from(root);
    cJSON_Delete(root);
    CHECK(s->amber_at_risk);
    CHECK_EQ_I64(s->total_columns, 0xE);
    ap_savings_result *r = savings_compute(s);
    CHECK_EQ_I64(r->pressure, K(2617));
    /* £2,617,000 x 44.16% = £1,155,667.20 exactly */
    CHECK_EQ_I64(r->pressure_split[0], 115566720);
    CHECK_EQ_I64(r->pressure_split[1], 146133280);
    const ap_audit_finding *f =
        &finding_at(r->audit, "Increase in In house Fostering",
                    "Total (A,G,M)")->finding;
    CHECK(f->status == AP_AUDIT_ERROR);
    CHECK_EQ_I64(f->computed, 0);
    /* the TOTAL rows' column adds the printed row totals: still agrees */
    CHECK_EQ_I64(r->audit->n_error, 7 + 2);
    ap_savings_result_free(r);
    ap_savings_free(s);

    /* The domain's own example of the rule: £407,045.00 by 44.16 : 55.84
     * is £179,751.07 / £227,293.93. */
    root = load_json(SAVINGS_EXAMPLE);
    s = savings_from(root);
    cJSON_Delete(root);
    int64_t shares[2];
    ap_error err;
    CHECK(s->has_split && s->n_authorities == 2);
    CHECK_STR(s->authorities[0].code, "NNC");
    CHECK(ap_apportion(40704500, s->split.weights, s->n_authorities,
                       (ap_apportion_mode)s->split.mode, shares,
                       &err) == AP_OK);
    CHECK_EQ_I64(shares[0], 17975107);
    CHECK_EQ_I64(shares[1], 22729393);
    ap_savings_free(s);
}

static void expect_savings_error(const char *json, const char *path,
                                 const char *needle)
{
    ap_savings *s = (ap_savings *)1;
    ap_error err;
    ap_status st = ap_savings_parse(json, strlen(json), "t.json", &s, &err);
    if (st != AP_E_PLAN || s != NULL || strcmp(err.path, path) != 0 ||
        strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s: %s\n", json, st,
                err.path, err.message);
        exit(1);
    }
}

#define SHEAD "{\"format\": \"apportion.savings/1\", \"unit\": \"\xc2\xa3" "000\", "
#define ONE                                                                  \
    "\"proposals\": [{\"name\": \"a\", \"amount\": \"10\", \"red\": \"0\", " \
    "\"amber\": \"0\", \"green\": \"10\", \"mitigations\": \"0\"}]"

TEST(savings_errors_name_path)
{
    expect_savings_error(SHEAD "\"proposals\": [{\"name\": \"a\", \"amount\": "
                         "\"(10)\", \"red\": \"0\", \"amber\": \"0\", "
                         "\"green\": \"10\", \"mitigations\": \"0\"}]}",
                         "$.proposals[0].amount", "positive");
    expect_savings_error(SHEAD "\"proposals\": [{\"name\": \"a\", \"amount\": "
                         "\"10\", \"amber\": \"0\", \"green\": \"10\", "
                         "\"mitigations\": \"0\"}]}",
                         "$.proposals[0].red", "missing required key");
    expect_savings_error(SHEAD "\"proposals\": []}", "$.proposals",
                         "no savings proposals");
    expect_savings_error(SHEAD ONE ", \"totals\": [{\"label\": \"T\", \"to\": "
                         "2, \"amount\": \"10\"}]}",
                         "$.totals[0].to", "from 1 to 1");
    expect_savings_error(SHEAD ONE ", \"totals\": [{\"label\": \"T\"}]}",
                         "$.totals[0]", "states no figure");
    expect_savings_error(SHEAD ONE ", \"at_risk\": \"amber\"}", "$.at_risk",
                         "red_and_amber");
    expect_savings_error(SHEAD ONE ", \"total_column\": {\"sums\": "
                         "[\"red\", \"red\"]}}",
                         "$.total_column.sums[1]", "listed twice");
    expect_savings_error(SHEAD ONE ", \"split\": {\"values\": {\"NNC\": "
                         "\"44.16\", \"WNC\": \"55.84\"}, \"stated\": "
                         "{\"NNC\": \"44.16%\", \"XYZ\": \"56.84%\"}}}",
                         "$.split.stated.XYZ", "not an authority");
    expect_savings_error(SHEAD ONE ", \"split\": {\"values\": {\"NNC\": "
                         "\"44.16\", \"WNC\": \"55.84\"}, \"stated\": "
                         "{\"NNC\": \"44.16%\"}}}",
                         "$.split.stated.WNC", "no printed percentage");
    expect_savings_error(SHEAD ONE ", \"split\": {\"kind\": \"metric\", "
                         "\"values\": {\"A\": 0, \"B\": 0}}}",
                         "$.split.values", "every split value is zero");
    expect_savings_error(SHEAD ONE ", \"split\": {\"values\": {\"A\": "
                         "\"-1\", \"B\": 2}}}",
                         "$.split.values.A", "cannot be negative");
    expect_savings_error("{\"format\": \"apportion.plan/1\", \"savings\": "
                         "{\"format\": \"apportion.mtfp/1\"}}",
                         "$.savings.format", "apportion.savings/1");
}

TEST(savings_in_plan_file)
{
    const char *json =
        "{\"format\": \"apportion.plan/1\", \"savings\": {\"unit\": "
        "\"\xc2\xa3\", \"year\": \"2024/25\", " ONE ", \"totals\": "
        "[{\"label\": \"T\", \"amount\": \"10\", \"green\": \"10\"}], "
        "\"split\": {\"kind\": \"metric\", \"values\": {\"NNC\": 80112, "
        "\"WNC\": 93502}}}}";
    ap_savings *s;
    ap_error err;
    CHECK(ap_savings_parse(json, strlen(json), "p.json", &s, &err) == AP_OK);
    ap_savings_result *r = savings_compute(s);
    CHECK_EQ_I64(r->target, 1000);
    CHECK_EQ_I64(r->secured_basis_points, 10000);
    CHECK_EQ_I64(r->pressure, 0);
    CHECK_EQ_I64(r->pressure_split[0] + r->pressure_split[1], 0);
    CHECK_EQ_I64(r->audit->n_findings, 3); /* a metric split: no % check */
    CHECK_EQ_I64(r->audit->n_ok, 3);
    ap_savings_result_free(r);
    ap_savings_free(s);

    /* A figure printed more coarsely than the table ("£1.3m" in £000):
     * the audit is in £m, each figure keeping its own precision, so
     * 1,268 against £1.3m is rounding and 1,200 an error. */
    const char *coarse[2] = {"1,268", "1,200"};
    for (int k = 0; k < 2; k++) {
        char text[600];
        snprintf(text, sizeof text,
                 SHEAD "\"proposals\": [{\"name\": \"a\", \"amount\": "
                 "\"\xc2\xa3" "1.3m\", \"red\": \"%s\", \"amber\": \"-\", "
                 "\"green\": \"0\", \"mitigations\": \"0\"}]}",
                 coarse[k]);
        CHECK(ap_savings_parse(text, strlen(text), "c.json", &s, &err) ==
              AP_OK);
        r = savings_compute(s);
        CHECK_STR(r->audit->unit, "\xc2\xa3" "m");
        CHECK_EQ_I64(r->audit->n_findings, 1);
        CHECK_EQ_I64(r->audit->findings[0].finding.scale, 3);
        CHECK(r->audit->findings[0].finding.status ==
              (k == 0 ? AP_AUDIT_ROUNDING : AP_AUDIT_ERROR));
        ap_savings_result_free(r);
        ap_savings_free(s);
    }
}
