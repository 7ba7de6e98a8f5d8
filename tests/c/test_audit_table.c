/* The audit of whole tables: the seed tables shipped in examples/tables
 * with every stated total and rule pinned to what the arithmetic gives,
 * the rule forms, reclassification and when it is not claimed, one bad
 * document per reader rule, and a large generated table against sums
 * computed here independently. */
#include <stdarg.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "runner.h"

#ifndef AP_SOURCE_DIR
#define AP_SOURCE_DIR "."
#endif
#define TABLES AP_SOURCE_DIR "/examples/tables/"

/* ---- helpers ------------------------------------------------------------- */

static ap_audit_report *check_table(ap_audit_table *t)
{
    ap_audit_report *r = NULL;
    ap_error err;
    if (ap_audit_table_check(t, &r, &err) != AP_OK) {
        fprintf(stderr, "check: %s\n", err.message);
        exit(1);
    }
    ap_audit_table_free(t);
    return r;
}

static ap_audit_report *check_file(const char *path)
{
    ap_audit_table *t = NULL;
    ap_error err;
    if (ap_audit_table_load(path, &t, &err) != AP_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    return check_table(t);
}

static ap_audit_report *check_text(const char *json)
{
    ap_audit_table *t = NULL;
    ap_error err;
    if (ap_audit_table_parse(json, strlen(json), "t.json", &t, &err) !=
        AP_OK) {
        fprintf(stderr, "%s\nfor %s\n", err.message, json);
        exit(1);
    }
    return check_table(t);
}

/* The finding of `kind` on (row, column); NULL when there is none. */
static const ap_table_finding *find(const ap_audit_report *r,
                                    ap_table_check_kind kind, size_t row,
                                    size_t column)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        const ap_table_finding *f = &r->findings[i];
        if (f->kind == kind && f->row == row && f->column == column)
            return f;
    }
    return NULL;
}

static const ap_table_finding *must_find(const ap_audit_report *r,
                                         ap_table_check_kind kind, size_t row,
                                         size_t column)
{
    const ap_table_finding *f = find(r, kind, row, column);
    if (f == NULL) {
        fprintf(stderr, "no %s finding at row %zu, column %zu\n",
                kind == AP_TABLE_CHECK_TOTAL ? "total" : "rule", row, column);
        exit(1);
    }
    return f;
}

/* Status, figures and cause of one finding (all at scale 0 unless the
 * caller checks the scale itself). */
static void expect(const ap_table_finding *f, ap_audit_status status,
                   ap_audit_cause cause, int64_t stated, int64_t computed)
{
    if (f->finding.status != status || f->finding.cause != cause ||
        f->finding.stated != stated || f->finding.computed != computed ||
        f->finding.difference != stated - computed) {
        fprintf(stderr, "%s / %s [%s]: got %s/%s stated %lld computed %lld "
                "difference %lld; expected %s/%s %lld %lld\n",
                f->row_label, f->column_label, f->check,
                ap_audit_status_name(f->finding.status),
                ap_audit_cause_name(f->finding.cause),
                (long long)f->finding.stated, (long long)f->finding.computed,
                (long long)f->finding.difference,
                ap_audit_status_name(status), ap_audit_cause_name(cause),
                (long long)stated, (long long)computed);
        exit(1);
    }
}

static size_t count_kind(const ap_audit_report *r, ap_table_check_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += r->findings[i].kind == kind;
    return n;
}

/* ---- the SDC annual report 2021/22: NCT outturn 2021/22 --------------------------------------- */

TEST(audit_table_nct_outturn)
{
    ap_audit_report *r = check_file(TABLES "nct-outturn-2021-22.json");
    CHECK_STR(r->unit, "\xc2\xa3" "000");
    CHECK_CONTAINS(r->source, "Annual Report of the Service Delivery Contract");
    /* 5 column totals and 2 rules on each of the 7 rows. */
    CHECK_EQ_I64(r->n_findings, 19);
    CHECK_EQ_I64(count_kind(r, AP_TABLE_CHECK_TOTAL), 5);
    CHECK_EQ_I64(r->n_ok, 17);
    CHECK_EQ_I64(r->n_rounding, 2);
    CHECK_EQ_I64(r->n_error, 0);

    /* "-": the budget lines net to nil against the contract sum. */
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 6, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 0, 0);
    /* 45,026 + 5,076 + 15,784 + 59,399 + 1,765 - 123,348 = 3,702. */
    const ap_table_finding *gross = must_find(r, AP_TABLE_CHECK_TOTAL, 6, 1);
    expect(gross, AP_AUDIT_ROUNDING, AP_CAUSE_ROUNDING, 3701, 3702);
    CHECK_STR(gross->row_label, "Total");
    CHECK_STR(gross->column_label, "Gross Outturn");
    CHECK_STR(gross->check, "Total = sum of rows 1-6");
    CHECK_EQ_I64(gross->finding.scale, 0);
    CHECK(gross->finding.tolerance >= 1);
    /* (856) + (1,656) + (120) and three nils = (2,632). */
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 6, 2), AP_AUDIT_ROUNDING,
           AP_CAUSE_ROUNDING, -2631, -2632);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 6, 3), AP_AUDIT_OK,
           AP_CAUSE_NONE, 1070, 1070);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 6, 4), AP_AUDIT_OK,
           AP_CAUSE_NONE, 1070, 1070);

    /* Both rules hold on every row, the total row included. */
    static const int64_t forecast[] = {44170, 5076, 14128, 59279, 1765,
                                       -123348, 1070};
    static const int64_t variance[] = {172, -616, -186, 1700, 0, 0, 1070};
    for (size_t row = 0; row < 7; row++) {
        const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_RULE, row, 3);
        expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, forecast[row], forecast[row]);
        CHECK_STR(f->check,
                  "Forecast Outturn = Gross Outturn + Less Covid Funding");
        f = must_find(r, AP_TABLE_CHECK_RULE, row, 4);
        expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, variance[row], variance[row]);
        CHECK_STR(f->check, "Outturn Variance = Forecast Outturn - Budget");
    }
    /* Table order: row by row, a total row's columns before its rules. */
    CHECK_EQ_I64(r->findings[0].row, 0);
    CHECK_EQ_I64(r->findings[12].kind, AP_TABLE_CHECK_TOTAL);
    CHECK_EQ_I64(r->findings[12].column, 0);
    CHECK_EQ_I64(r->findings[18].kind, AP_TABLE_CHECK_RULE);
    ap_audit_report_free(r);
}

/* ---- the CFE business plan 2017-21: the MTFP of section 14 ------------------------------------ */

TEST(audit_table_mtfp_consistent)
{
    ap_audit_report *r = check_file(TABLES "mtfp-2017-21.json");
    /* 3 total rows x 4 years, and the base rule in years 2-4. */
    CHECK_EQ_I64(r->n_findings, 15);
    CHECK_EQ_I64(r->n_ok, 15);
    static const int64_t growth[] = {26003, 5094, 4218, 4648};
    static const int64_t savings[] = {-18021, -2274, -2024, 0};
    static const int64_t net[] = {130997, 133817, 136011, 140659};
    static const int64_t base[] = {123015, 130997, 133817, 136011};
    for (size_t year = 0; year < 4; year++) {
        expect(must_find(r, AP_TABLE_CHECK_TOTAL, 3, year), AP_AUDIT_OK,
               AP_CAUSE_NONE, growth[year], growth[year]);
        expect(must_find(r, AP_TABLE_CHECK_TOTAL, 8, year), AP_AUDIT_OK,
               AP_CAUSE_NONE, savings[year], savings[year]);
        /* Base + growth + savings (printed negative). */
        CHECK_EQ_I64(base[year] + growth[year] + savings[year], net[year]);
        expect(must_find(r, AP_TABLE_CHECK_TOTAL, 9, year), AP_AUDIT_OK,
               AP_CAUSE_NONE, net[year], net[year]);
        if (year > 0)
            expect(must_find(r, AP_TABLE_CHECK_RULE, 0, year), AP_AUDIT_OK,
                   AP_CAUSE_NONE, base[year], net[year - 1]);
    }
    CHECK(find(r, AP_TABLE_CHECK_RULE, 0, 0) == NULL);
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0)->check,
              "Total (note 1) = Inflation + Service Pressure");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 8, 0)->check,
              "Total = sum of rows 5-8");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 9, 0)->check,
              "Net Budget Requirement = Prior Yr Base Budget b/fwd + "
              "Total (note 1) + Total");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_RULE, 0, 2)->check,
              "Prior Yr Base Budget b/fwd = Net Budget Requirement in the "
              "previous column");
    ap_audit_report_free(r);
}

/* Reads a file whole into a NUL-terminated buffer (the caller frees it). */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    CHECK(n > 0);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    CHECK(text != NULL);
    CHECK(fread(text, 1, (size_t)n, f) == (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* text with the one occurrence of `from` replaced by `to` (freed here;
 * the caller frees the result). */
static char *replace_once(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);
    CHECK(at != NULL);
    CHECK(strstr(at + 1, from) == NULL);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    CHECK(out != NULL);
    size_t head = (size_t)(at - text);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    free(text);
    return out;
}

TEST(audit_table_mtfp_broken_base)
{
    /* 2019-20's base printed with two digits swapped: the cross-year rule
     * and that year's requirement both catch it.  The rule alone cannot
     * tell which of its two figures is swapped; the requirement's sum
     * names the base. */
    char *text = read_text(TABLES "mtfp-2017-21.json");
    text = replace_once(text, "\"133,817\", \"136,011\"]",
                        "\"133,871\", \"136,011\"]");
    ap_audit_report *r = check_text(text);
    free(text);
    CHECK_EQ_I64(r->n_error, 2);
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_RULE, 0, 2);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_TRANSPOSITION, 133871, 133817);
    CHECK(f->finding.item == AP_AUDIT_NO_ITEM);
    CHECK_EQ_I64(f->finding.n_candidates, 2);
    CHECK_CONTAINS(f->finding.suggestion, "Net Budget Requirement, 2018-19");
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 9, 2);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_TRANSPOSITION, 136011, 136065);
    CHECK_EQ_I64(f->finding.item, 0);
    CHECK_STR(f->finding.item_label, "Prior Yr Base Budget b/fwd");
    CHECK_EQ_I64(f->finding.candidates[0].corrected.value, 133817);
    ap_audit_report_free(r);
}

TEST(audit_table_mtfp_proposals)
{
    ap_audit_report *r = check_file(TABLES "mtfp-2017-21-proposals.json");
    /* 8 total rows x 5 columns, and the years rule on all 26 rows. */
    CHECK_EQ_I64(count_kind(r, AP_TABLE_CHECK_TOTAL), 40);
    CHECK_EQ_I64(count_kind(r, AP_TABLE_CHECK_RULE), 26);
    CHECK_EQ_I64(r->n_ok, 66);
    /* Totals pinned in the "Total" column: Total Inflation, Total Other
     * Service Pressures, Total Growth Proposals, ... */
    static const struct {
        size_t row;
        int64_t total;
    } pins[] = {{3, 7047},    {9, 32916},   {10, 39963}, {15, -7040},
                {19, -13800}, {21, -640},   {24, -839},  {25, -22319}};
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        expect(must_find(r, AP_TABLE_CHECK_TOTAL, pins[i].row, 4),
               AP_AUDIT_OK, AP_CAUSE_NONE, pins[i].total, pins[i].total);
        expect(must_find(r, AP_TABLE_CHECK_RULE, pins[i].row, 4),
               AP_AUDIT_OK, AP_CAUSE_NONE, pins[i].total, pins[i].total);
    }
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 25, 0)->check,
              "Total Savings Proposals = Total Efficiency + Total Service "
              "Transformation + Total Service Cuts + Total Income "
              "Generation");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 9, 0)->check,
              "Total Other Service Pressures = sum of rows 5-9");
    ap_audit_report_free(r);
}

/* ---- the Children's Trust Joint Committee papers of 6 March 2024: savings RAG, a reclassification --------------------------- */

TEST(audit_table_savings_reclassification)
{
    ap_audit_report *r = check_file(TABLES "nct-savings-2023-24.json");
    /* 6 column totals on each of the 2 total rows, 2 rules on 17 rows. */
    CHECK_EQ_I64(r->n_findings, 46);
    CHECK_EQ_I64(r->n_error, 5);
    CHECK_EQ_I64(r->n_rounding, 0);

    /* TOTAL (row 14 as printed, index 13): 2023/24 and Red agree. */
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 13, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 3872, 3872);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 13, 1), AP_AUDIT_OK,
           AP_CAUSE_NONE, 1247, 1247);
    /* Amber 770 against 100 + 200 from the items, Green 1,855 against
     * 2,325: +470 and -470, while the row's own RAG split adds up. */
    const ap_table_finding *amber = must_find(r, AP_TABLE_CHECK_TOTAL, 13, 2);
    const ap_table_finding *green = must_find(r, AP_TABLE_CHECK_TOTAL, 13, 3);
    expect(amber, AP_AUDIT_ERROR, AP_CAUSE_RECLASSIFICATION, 770, 300);
    expect(green, AP_AUDIT_ERROR, AP_CAUSE_RECLASSIFICATION, 1855, 2325);
    CHECK(amber->finding.item == AP_AUDIT_NO_ITEM);
    CHECK(amber->finding.item_label == NULL);
    CHECK_EQ_I64(amber->finding.n_candidates, 0);
    CHECK_CONTAINS(amber->finding.suggestion,
                   "470 appears in Amber's total that the items put in Green");
    CHECK_CONTAINS(green->finding.suggestion, "reclassification");
    CHECK_CONTAINS(green->finding.suggestion,
                   "2023/24 = Red + Amber + Green + Mitigations");
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 13, 4), AP_AUDIT_OK,
           AP_CAUSE_NONE, 0, 0);
    expect(must_find(r, AP_TABLE_CHECK_RULE, 13, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 3872, 3872);
    expect(must_find(r, AP_TABLE_CHECK_RULE, 13, 5), AP_AUDIT_OK,
           AP_CAUSE_NONE, 3872, 3872);

    /* Additional Valuing care: 3,200 against 0 + 1,070 + 2,200 + 0. */
    const ap_table_finding *vc = must_find(r, AP_TABLE_CHECK_RULE, 14, 0);
    expect(vc, AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED, 3200, 3270);
    expect(must_find(r, AP_TABLE_CHECK_RULE, 14, 5), AP_AUDIT_OK,
           AP_CAUSE_NONE, 3200, 3200);

    /* TOTAL SAVINGS sums the items: Amber 300 + 1,070 = 1,370 agrees;
     * Green 2,325 + 2,200 + 600 = 5,125 against 5,550, which no single
     * slip explains. */
    static const int64_t all[] = {7672, 1247, 1370, 5125, 0, 7672};
    static const int64_t printed[] = {7672, 1247, 1370, 5550, 0, 7672};
    for (size_t c = 0; c < 6; c++) {
        const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 16, c);
        if (c == 3)
            expect(f, AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED, printed[c],
                   all[c]);
        else
            expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, printed[c], all[c]);
    }
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 16, 0)->check,
              "TOTAL SAVINGS = sum of rows 1-13, 15-16");
    /* Its own RAG split does not add up (1,247 + 1,370 + 5,550 = 8,167),
     * so no reclassification is claimed; that rule points at Green as
     * 5,055 swapped, the figure the chain of two errors implies. */
    const ap_table_finding *ts = must_find(r, AP_TABLE_CHECK_RULE, 16, 0);
    expect(ts, AP_AUDIT_ERROR, AP_CAUSE_TRANSPOSITION, 7672, 8167);
    CHECK_EQ_I64(ts->finding.item, 2);
    CHECK_STR(ts->finding.item_label, "Green");
    CHECK_EQ_I64(ts->finding.candidates[0].corrected.value, 5055);
    ap_audit_report_free(r);
}

TEST(audit_table_savings_as_listed)
{
    /* The same TOTAL SAVINGS read as TOTAL + the two rows after it carries
     * TOTAL's misplaced 470 along: Amber 770 + 1,070 = 1,840 against
     * 1,370, Green 1,855 + 2,200 + 600 = 4,655 against 5,550. */
    char *text = read_text(TABLES "nct-savings-2023-24.json");
    text = replace_once(text, "\"total\": \"all\"",
                        "\"total\": [\"TOTAL\", \"Additional Valuing care "
                        "(see NCT 3b)\", \"Supporting families to stay "
                        "together - valuing care (see NCT 18)\"]");
    ap_audit_report *r = check_text(text);
    free(text);
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 16, 2);
    expect(f, AP_AUDIT_ERROR, f->finding.cause, 1370, 1840);
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 16, 3);
    expect(f, AP_AUDIT_ERROR, f->finding.cause, 5550, 4655);
    /* The row's own figures disagree, so these stay single errors. */
    CHECK(f->finding.cause != AP_CAUSE_RECLASSIFICATION);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 16, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 7672, 7672);
    CHECK_CONTAINS(must_find(r, AP_TABLE_CHECK_TOTAL, 16, 0)->check,
                   "TOTAL SAVINGS = TOTAL + Additional Valuing care");
    ap_audit_report_free(r);
}

TEST(audit_table_savings_row_disagrees)
{
    /* If TOTAL's own 2023/24 were 3,972 its RAG split would not add up,
     * and Amber and Green are then not called a reclassification. */
    char *text = read_text(TABLES "nct-savings-2023-24.json");
    text = replace_once(text, "[\"3,872\", \"1,247\", \"770\"",
                        "[\"3,972\", \"1,247\", \"770\"");
    ap_audit_report *r = check_text(text);
    free(text);
    CHECK(must_find(r, AP_TABLE_CHECK_RULE, 13, 0)->finding.status ==
          AP_AUDIT_ERROR);
    for (size_t c = 2; c <= 3; c++) {
        const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 13, c);
        CHECK(f->finding.status == AP_AUDIT_ERROR);
        CHECK(f->finding.cause != AP_CAUSE_RECLASSIFICATION);
    }
    ap_audit_report_free(r);
}

/* ---- the Children's Trust Joint Committee papers of 6 March 2024: the transformation blocks ---------------------------------- */

TEST(audit_table_transformation_blocks)
{
    ap_audit_report *r = check_file(TABLES "transformation-2024-25-block2.json");
    CHECK_EQ_I64(r->n_findings, 2);
    /* 1.280 + 0.85 + 0.132 + 1.083 = 3.345 against 2.580: 0.85 is 0.085
     * with the point moved. */
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0);
    CHECK_EQ_I64(f->finding.scale, 3);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_DECIMAL_SHIFT, 2580, 3345);
    CHECK_EQ_I64(f->finding.item, 1);
    CHECK_STR(f->finding.item_label,
              "Improving Outcomes for Children - IRO CP Chair");
    CHECK_EQ_I64(f->finding.candidates[0].corrected.value, 85);
    CHECK_EQ_I64(f->finding.candidates[0].corrected.decimals, 3);
    /* Provision 2.580 less the printed total 2.580: £0m agrees. */
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 6, 0);
    expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, 0, 0);
    CHECK_STR(f->check, "Balance outstanding = Block 2 provision - Total");
    ap_audit_report_free(r);

    r = check_file(TABLES "transformation-2024-25-block3.json");
    /* The items (a "-" among them) make 1.456; the printed 1.659 is that
     * plus IV Visitors' 0.203 again. */
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 8, 0);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_DUPLICATED_ITEM, 1659, 1456);
    CHECK_EQ_I64(f->finding.item, 7);
    /* The nil takes the table's three decimals: 9 figures of +-0.0005. */
    CHECK_EQ_I64(f->finding.tolerance, 4);
    /* 3.291 - 1.659 = 1.632, not the printed 1.862. */
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 10, 0);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_UNEXPLAINED, 1862, 1632);
    ap_audit_report_free(r);
}

/* ---- the forms of the format ---------------------------------------------- */

#define HEAD "{\"format\": \"apportion.table/1\", "

TEST(audit_table_forms)
{
    /* A column named with " - " in it (quoted in the text form), an
     * object rule, a subtracted row, blanks, "above", "all" and a list. */
    const char *json = HEAD
        "\"columns\": [\"A\", \"B - C\", \"Net\"],\n"
        "\"rules\": [\"Net = A - \\\"B - C\\\"\",\n"
        "          {\"column\": \"A\", \"equals\": [\"Net\", \"B - C\"]}],\n"
        "\"rows\": [\n"
        " {\"label\": \"x\", \"values\": [\"10\", \"4\", \"6\"]},\n"
        " {\"label\": \"y\", \"values\": [5, null, \"5\"]},\n"
        " {\"label\": \"z\", \"sign\": -1, \"values\": [\"3\", \"1\", \"2\"]},\n"
        " {\"label\": \"Sub\", \"total\": \"above\", \"values\": [\"12\", \"3\", \"9\"]},\n"
        " {\"label\": \"w\", \"note\": \"no net\", \"values\": [\"1\", \"1\", \"\"]},\n"
        " {\"label\": \"All\", \"total\": \"all\", \"values\": [\"13\", \"4\", \"9\"]},\n"
        " {\"label\": \"List\", \"total\": [\"Sub\", \"w\"], \"values\": [\"13\", \"4\", \"9\"]},\n"
        " {\"label\": \"Blank\", \"total\": [\"x\"], \"values\": [null, \"4\", null]}]}";
    ap_audit_report *r = check_text(json);
    CHECK_EQ_I64(r->n_error, 0);
    /* Rows x, y, z: both rules; w: A's rule only (Net is blank); three
     * totals with two rules each; Blank: one column total, no rule. */
    CHECK_EQ_I64(r->n_findings, 2 * 3 + 1 + 3 * (3 + 2) + 1);
    CHECK_EQ_I64(r->n_ok, r->n_findings);
    CHECK(find(r, AP_TABLE_CHECK_RULE, 4, 2) == NULL);
    CHECK(find(r, AP_TABLE_CHECK_TOTAL, 7, 0) == NULL);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 7, 1), AP_AUDIT_OK,
           AP_CAUSE_NONE, 4, 4);
    /* z is subtracted: 10 + 5 - 3. */
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 12, 12);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 5, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 13, 13);
    /* y's blank "B - C" counts as zero: Net 5 = 5 - 0. */
    expect(must_find(r, AP_TABLE_CHECK_RULE, 1, 2), AP_AUDIT_OK,
           AP_CAUSE_NONE, 5, 5);
    /* w's blank Net counts as zero in A = Net + "B - C". */
    expect(must_find(r, AP_TABLE_CHECK_RULE, 4, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 1, 1);
    CHECK_STR(must_find(r, AP_TABLE_CHECK_RULE, 0, 2)->check,
              "Net = A - \"B - C\"");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_RULE, 0, 0)->check,
              "A = Net + \"B - C\"");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0)->check,
              "Sub = rows 1-2 - row 3");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 5, 0)->check,
              "All = rows 1-2 - row 3 + row 5");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_TOTAL, 6, 0)->check,
              "List = Sub + w");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_RULE, 1, 2)->column_label, "Net");
    CHECK_STR(must_find(r, AP_TABLE_CHECK_RULE, 1, 2)->row_label, "y");
    ap_audit_report_free(r);

    /* A subtracted operand that is wrong is found with its sign: z's A
     * printed as -3 gives 10 + 5 + 3 = 18 against 12, a sign error. */
    const char *sign = HEAD "\"columns\": [\"A\"], \"rows\": ["
        "{\"label\": \"x\", \"values\": [\"10\"]},"
        "{\"label\": \"y\", \"values\": [\"5\"]},"
        "{\"label\": \"z\", \"sign\": -1, \"values\": [\"(3)\"]},"
        "{\"label\": \"Sub\", \"total\": \"above\", \"values\": [\"12\"]}]}";
    r = check_text(sign);
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0);
    expect(f, AP_AUDIT_ERROR, AP_CAUSE_SIGN_ERROR, 12, 18);
    CHECK_STR(f->finding.item_label, "z");
    ap_audit_report_free(r);
}

TEST(audit_table_nil_precision)
{
    /* A "-" beside figures printed to three decimals is 0.000: 0.410 and
     * a nil cannot make 0.500 by rounding. */
    const char *nil = HEAD "\"columns\": [\"X\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"0.410\"]},"
        "{\"label\": \"b\", \"values\": [\"-\"]},"
        "{\"label\": \"c\", \"values\": [\"\\u2013\"]},"
        "{\"label\": \"T\", \"total\": \"above\", \"values\": [\"0.500\"]}]}";
    ap_audit_report *r = check_text(nil);
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0);
    CHECK_EQ_I64(f->finding.scale, 3);
    expect(f, AP_AUDIT_ERROR, f->finding.cause, 500, 410);
    CHECK(f->finding.tolerance < 90);
    ap_audit_report_free(r);

    /* A nil total beside whole figures agrees with their nil sum. */
    const char *whole = HEAD "\"columns\": [\"X\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"5\"]},"
        "{\"label\": \"b\", \"values\": [\"(5)\"]},"
        "{\"label\": \"T\", \"total\": \"all\", \"values\": [\"-\"]}]}";
    r = check_text(whole);
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 2, 0), AP_AUDIT_OK,
           AP_CAUSE_NONE, 0, 0);
    ap_audit_report_free(r);

    /* "decimals" sets the printed precision: 1.2 + 2.4 may truly make 3.7
     * when printed to one decimal, and a whole 3 is 3.0. */
    const char *dec = HEAD "\"decimals\": 1, \"columns\": [\"X\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"1.2\"]},"
        "{\"label\": \"b\", \"values\": [\"2.4\"]},"
        "{\"label\": \"c\", \"values\": [\"3\"]},"
        "{\"label\": \"T\", \"total\": \"above\", \"values\": [\"6.7\"]}]}";
    r = check_text(dec);
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 3, 0);
    CHECK_EQ_I64(f->finding.scale, 1);
    expect(f, AP_AUDIT_ROUNDING, AP_CAUSE_ROUNDING, 67, 66);
    ap_audit_report_free(r);
}

TEST(audit_table_reclassification_general)
{
    /* Three columns' totals off by +50, -30 and -20 while T = A + B + C
     * holds on the total row and on every item: figures moved between
     * them. */
    const char *three = HEAD
        "\"columns\": [\"T\", \"A\", \"B\", \"C\"],"
        "\"rules\": [\"T = A + B + C\"], \"rows\": ["
        "{\"label\": \"i\", \"values\": [\"10\", \"5\", \"3\", \"2\"]},"
        "{\"label\": \"j\", \"values\": [\"20\", \"10\", \"6\", \"4\"]},"
        "{\"label\": \"Total\", \"total\": \"above\","
        " \"values\": [\"30\", \"65\", \"(21)\", \"(14)\"]}]}";
    ap_audit_report *r = check_text(three);
    CHECK_EQ_I64(r->n_error, 3);
    for (size_t c = 1; c <= 3; c++) {
        const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 2, c);
        CHECK(f->finding.cause == AP_CAUSE_RECLASSIFICATION);
        CHECK_CONTAINS(f->finding.suggestion,
                       "The totals of A, B and C differ from their items by "
                       "+50, -30 and -20, which cancel");
    }
    ap_audit_report_free(r);

    /* The same total row, but item j breaks the rule (A printed 60): the
     * column differences no longer cancel and nothing is reclassified. */
    const char *broken = HEAD
        "\"columns\": [\"T\", \"A\", \"B\", \"C\"],"
        "\"rules\": [\"T = A + B + C\"], \"rows\": ["
        "{\"label\": \"i\", \"values\": [\"10\", \"5\", \"3\", \"2\"]},"
        "{\"label\": \"j\", \"values\": [\"20\", \"60\", \"6\", \"4\"]},"
        "{\"label\": \"Total\", \"total\": \"above\","
        " \"values\": [\"30\", \"15\", \"19\", \"(4)\"]}]}";
    r = check_text(broken);
    CHECK(must_find(r, AP_TABLE_CHECK_RULE, 2, 0)->finding.status ==
          AP_AUDIT_OK);
    CHECK(must_find(r, AP_TABLE_CHECK_RULE, 1, 0)->finding.status ==
          AP_AUDIT_ERROR);
    for (size_t c = 1; c <= 3; c++) {
        const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 2, c);
        CHECK(f->finding.status == AP_AUDIT_ERROR);
        CHECK(f->finding.cause != AP_CAUSE_RECLASSIFICATION);
    }
    ap_audit_report_free(r);

    /* One column off alone is not a reclassification. */
    const char *one = HEAD
        "\"columns\": [\"T\", \"A\", \"B\"],"
        "\"rules\": [\"T = A + B\"], \"rows\": ["
        "{\"label\": \"i\", \"values\": [\"10\", \"5\", \"5\"]},"
        "{\"label\": \"Total\", \"total\": \"all\","
        " \"values\": [\"15\", \"10\", \"5\"]}]}";
    r = check_text(one);
    CHECK(must_find(r, AP_TABLE_CHECK_TOTAL, 1, 1)->finding.cause !=
          AP_CAUSE_RECLASSIFICATION);
    CHECK(must_find(r, AP_TABLE_CHECK_TOTAL, 1, 0)->finding.status ==
          AP_AUDIT_ERROR);
    ap_audit_report_free(r);
}

/* ---- errors ---------------------------------------------------------------- */

static void expect_error(const char *json, const char *path, int line,
                         int column, const char *needle)
{
    ap_audit_table *t = (ap_audit_table *)1;
    ap_error err;
    ap_status st = ap_audit_table_parse(json, strlen(json), "t.json", &t,
                                        &err);
    if (st != AP_E_PLAN || t != NULL || strcmp(err.path, path) != 0 ||
        (line && err.line != line) || (column && err.column != column) ||
        strstr(err.message, needle) == NULL) {
        fprintf(stderr, "for %s\n got status %d path %s at %d:%d: %s\n"
                " expected %s at %d:%d with \"%s\"\n",
                json, st, err.path, err.line, err.column, err.message, path,
                line, column, needle);
        exit(1);
    }
    CHECK_CONTAINS(err.message, "t.json:");
}

#define COLS "\"columns\": [\"A\", \"B\", \"C\"], "
#define ROW(label, a, b, c) \
    "{\"label\": \"" label "\", \"values\": [" a ", " b ", " c "]}"

TEST(audit_table_errors_name_path)
{
    expect_error("{\"format\": ", "$", 1, 12, "invalid JSON");
    expect_error("{}", "$.format", 1, 1, "missing required key");
    expect_error("{\"format\": \"apportion.table/2\"}", "$.format", 1, 12,
                 "apportion.table/1");
    expect_error(HEAD "\"rows\": []}", "$.columns", 0, 0,
                 "missing required key \"columns\"");
    expect_error(HEAD COLS "\"rows\": [], \"totl\": 1}", "$.totl", 0, 0,
                 "unknown key");
    expect_error(HEAD "\"columns\": [\"A\", \"B\", \"A\"], \"rows\": []}",
                 "$.columns[2]", 1, 0, "duplicate column \"A\"");
    expect_error(HEAD COLS "\"rows\": []}", "$.rows", 0, 0,
                 "at least one row");
    /* A row with the wrong number of values, at its line and column. */
    expect_error(HEAD COLS "\"rows\": [\n" ROW("a", "1", "2", "3") ",\n"
                 "  {\"label\": \"b\", \"values\": [\"1\", \"2\"]}]}",
                 "$.rows[1].values", 3, 28, "expected 3 values");
    /* A figure that does not read is quoted. */
    expect_error(HEAD COLS "\"rows\": [\n" ROW("a", "\"1\"", "\"1..2\"", "3")
                 "]}", "$.rows[0].values[1]", 2, 32, "\"1..2\"");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "true", "3") "]}",
                 "$.rows[0].values[1]", 0, 0, "found a boolean");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1e3", "1", "3") "]}",
                 "$.rows[0].values[0]", 0, 0, "1e3");
    expect_error(HEAD COLS "\"rows\": [{\"label\": \"a\"}]}",
                 "$.rows[0].values", 0, 0, "missing required key \"values\"");
    expect_error(HEAD COLS "\"rows\": [{\"label\": \" \", \"values\": "
                 "[1, 2, 3]}]}", "$.rows[0].label", 0, 0, "cannot be empty");
    expect_error(HEAD COLS "\"rows\": [{\"label\": \"a\", \"sign\": 2, "
                 "\"values\": [1, 2, 3]}]}", "$.rows[0].sign", 0, 0,
                 "expected 1 or -1");
    expect_error(HEAD COLS "\"rows\": [{\"label\": \"a\", \"totl\": \"all\", "
                 "\"values\": [1, 2, 3]}]}", "$.rows[0].totl", 0, 0,
                 "unknown key \"totl\"");
    /* Totals. */
    expect_error(HEAD COLS "\"rows\": [{\"label\": \"a\", \"total\": "
                 "\"above\", \"values\": [1, 2, 3]}]}", "$.rows[0].total", 0,
                 0, "there are none");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 "{\"label\": \"s\", \"total\": \"above\", \"values\": "
                 "[1, 2, 3]}, {\"label\": \"t\", \"total\": \"above\", "
                 "\"values\": [1, 2, 3]}]}", "$.rows[2].total", 0, 0,
                 "since the previous total row");
    expect_error(HEAD COLS "\"rows\": [{\"label\": \"a\", \"total\": "
                 "\"all\", \"values\": [1, 2, 3]}]}", "$.rows[0].total", 0, 0,
                 "every item row above this one, and there are none");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 "{\"label\": \"t\", \"total\": \"sum\", \"values\": "
                 "[1, 2, 3]}]}", "$.rows[1].total", 0, 0, "\"sum\"");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 "{\"label\": \"t\", \"total\": [\"a\", \"b\"], \"values\": "
                 "[1, 2, 3]}, " ROW("b", "1", "2", "3") "]}",
                 "$.rows[1].total[1]", 0, 0,
                 "no row above this total is labelled \"b\"");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 "{\"label\": \"t\", \"total\": [\"a\", \"a\"], \"values\": "
                 "[1, 2, 3]}]}", "$.rows[1].total[1]", 0, 0, "named twice");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 ROW("a", "1", "2", "3") ", {\"label\": \"t\", \"total\": "
                 "[\"a\"], \"values\": [1, 2, 3]}]}", "$.rows[2].total[0]", 0,
                 0, "ambiguous");
    expect_error(HEAD COLS "\"rows\": [" ROW("a", "1", "2", "3") ", "
                 "{\"label\": \"t\", \"total\": [], \"values\": [1, 2, 3]}]}",
                 "$.rows[1].total", 0, 0, "at least one row label");
    /* Precision. */
    expect_error(HEAD "\"decimals\": 16, " COLS "\"rows\": []}", "$.decimals",
                 0, 0, "0 to 15");
    expect_error(HEAD "\"decimals\": 0, " COLS "\"rows\": ["
                 ROW("a", "\"1.5\"", "2", "3") "]}", "$.rows[0].values[0]", 0,
                 0, "1 decimal");
    /* Rules. */
#define ROWS "\"rows\": [" ROW("a", "1", "2", "3") "]"
    expect_error(HEAD COLS "\"rules\": [\"C = A + D\"], " ROWS "}",
                 "$.rules[0]", 0, 0, "unknown column \"D\"");
    expect_error(HEAD COLS "\"rules\": [\"C = A = B\"], " ROWS "}",
                 "$.rules[0]", 0, 0, "only one \"=\"");
    expect_error(HEAD COLS "\"rules\": [\"C + A\"], " ROWS "}", "$.rules[0]",
                 0, 0, "expected \"=\" after the stated column");
    expect_error(HEAD COLS "\"rules\": [\"C\"], " ROWS "}", "$.rules[0]", 0,
                 0, "expected a column, \"=\"");
    expect_error(HEAD COLS "\"rules\": [\"C = A + \"], " ROWS "}",
                 "$.rules[0]", 0, 0, "after an operator");
    expect_error(HEAD COLS "\"rules\": [\"A = A + B\"], " ROWS "}",
                 "$.rules[0]", 0, 0, "both the stated figure");
    expect_error(HEAD COLS "\"rules\": [\"C = A + A\"], " ROWS "}",
                 "$.rules[0]", 0, 0, "named twice");
    expect_error(HEAD COLS "\"rules\": [\"C = \\\"A\"], " ROWS "}",
                 "$.rules[0]", 0, 0, "no closing quote");
    expect_error(HEAD COLS "\"rules\": [{\"column\": \"C\", \"equals\": "
                 "[\"A\", \"X\"]}], " ROWS "}", "$.rules[0].equals[1]", 0, 0,
                 "unknown column \"X\"");
    expect_error(HEAD COLS "\"rules\": [{\"column\": \"C\", \"equals\": []}], "
                 ROWS "}", "$.rules[0].equals", 0, 0, "non-empty array");
    expect_error(HEAD COLS "\"rules\": [{\"column\": \"C\", \"minus\": "
                 "[\"A\"]}], " ROWS "}", "$.rules[0].equals", 0, 0,
                 "missing required key \"equals\"");
    expect_error(HEAD COLS "\"rules\": [{\"column\": \"C\", \"equals\": "
                 "[\"A\"], \"minus\": [\"A\"]}], " ROWS "}",
                 "$.rules[0].minus[0]", 0, 0, "named twice");
    expect_error(HEAD COLS "\"rules\": [{\"columns\": \"C\"}], " ROWS "}",
                 "$.rules[0]", 0, 0, "expected a rule");
    expect_error(HEAD COLS "\"rules\": [3], " ROWS "}", "$.rules[0]", 0, 0,
                 "found a number");
    expect_error(HEAD COLS "\"rules\": [{\"row\": \"x\", "
                 "\"equals_previous_column_of\": \"a\"}], " ROWS "}",
                 "$.rules[0].row", 0, 0, "no row is labelled \"x\"");
    expect_error(HEAD COLS "\"rules\": [{\"row\": \"a\"}], " ROWS "}",
                 "$.rules[0].equals_previous_column_of", 0, 0,
                 "missing required key");
    expect_error(HEAD "\"columns\": [\"A\"], \"rules\": [{\"row\": \"a\", "
                 "\"equals_previous_column_of\": \"a\"}], \"rows\": ["
                 "{\"label\": \"a\", \"values\": [1]}]}", "$.rules[0]", 0, 0,
                 "at least two columns");
    expect_error(HEAD COLS "\"note\": 3, " ROWS "}", "$.note", 0, 0,
                 "expected text");
    expect_error(HEAD COLS "\"note\": [\"a\", null], " ROWS "}",
                 "$.note[1]", 0, 0, "expected text, found null");
#undef ROWS
}

TEST(audit_table_api_misuse)
{
    ap_audit_table *t = (ap_audit_table *)1;
    ap_error err;
    CHECK(ap_audit_table_load(AP_SOURCE_DIR "/examples/tables/no-such.json",
                              &t, &err) == AP_E_IO);
    CHECK(t == NULL);
    CHECK_CONTAINS(err.message, "no-such.json");
    CHECK(ap_audit_table_parse(NULL, 0, NULL, &t, &err) == AP_E_INPUT);
    CHECK(ap_audit_table_parse("{}", 2, NULL, NULL, &err) == AP_E_INPUT);
    ap_audit_report *r = (ap_audit_report *)1;
    CHECK(ap_audit_table_check(NULL, &r, &err) == AP_E_INPUT);
    CHECK(r == NULL);
    ap_audit_table_free(NULL);
    ap_audit_report_free(NULL);
    /* The source name appears in messages; the anonymous default too. */
    CHECK(ap_audit_table_parse("{}", 2, NULL, &t, &err) == AP_E_PLAN);
    CHECK_CONTAINS(err.message, "<table>");
}

TEST(audit_table_overflow_is_an_error)
{
    /* Two figures near the int64 limit cannot be summed: an error naming
     * the row and column, not a wrong answer. */
    const char *big = HEAD "\"columns\": [\"X\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"9,000,000,000,000,000,000\"]},"
        "{\"label\": \"b\", \"values\": [\"9,000,000,000,000,000,000\"]},"
        "{\"label\": \"T\", \"total\": \"above\", \"values\": [\"1\"]}]}";
    ap_audit_table *t;
    ap_error err;
    CHECK(ap_audit_table_parse(big, strlen(big), "t.json", &t, &err) ==
          AP_OK);
    ap_audit_report *r = (ap_audit_report *)1;
    CHECK(ap_audit_table_check(t, &r, &err) == AP_E_OVERFLOW);
    CHECK(r == NULL);
    CHECK_CONTAINS(err.message, "$.rows[2] (\"T\"), column \"X\"");
    ap_audit_table_free(t);
}

/* ---- printed rates ----------------------------------------------------------- */

/* The one rate finding labelled `label`. */
static const ap_table_finding *must_find_rate(const ap_audit_report *r,
                                              const char *label)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].kind == AP_TABLE_CHECK_FIGURE &&
            strcmp(r->findings[i].row_label, label) == 0)
            return &r->findings[i];
    fprintf(stderr, "no rate finding \"%s\"\n", label);
    exit(1);
}

TEST(audit_table_rates_seed)
{
    /* The NCT annual report 2021/22, section 3.1: "78.3% (29 KPIs)" of 37.
     * 29/37 is 78.378...%: rounded 78.4%, cut 78.3%. */
    ap_audit_report *r =
        check_file(TABLES "nct-support-services-kpis-2021-22.json");
    CHECK(r->n_findings == 3 && r->n_ok == 2 && r->n_rounding == 1 &&
          r->n_error == 0);
    const ap_table_finding *f =
        must_find_rate(r, "Met or exceeded target, % of all KPIs");
    CHECK(f == &r->findings[2]); /* after the totals */
    CHECK(f->row == 0 && f->column == 0);
    CHECK_STR(f->column_label, "KPIs");
    CHECK_STR(f->unit, "%");
    CHECK_STR(f->check, "Met or exceeded target / Total KPIs as a "
                        "percentage");
    CHECK(f->finding.scale == 5);
    expect(f, AP_AUDIT_ROUNDING, AP_CAUSE_TRUNCATION, 7830000, 7837838);
    CHECK_CONTAINS(f->finding.suggestion, "rounded it would be 78.4%");
    ap_audit_report_free(r);

    /* Section 10.6: 57 and 59 of 69 young people, printed 83% and 86%
     * (82.6...% and 85.5...%, both rounded). */
    r = check_file(TABLES "nct-youth-offending-survey-2021-22.json");
    CHECK(r->n_findings == 2 && r->n_ok == 2);
    CHECK(must_find_rate(r, "Found their worker supportive, % of "
                            "respondents")->finding.cause ==
          AP_CAUSE_ROUNDING);
    CHECK(must_find_rate(r, "Did not commit further offences, % of "
                            "respondents")->finding.cause ==
          AP_CAUSE_ROUNDING);
    ap_audit_report_free(r);
}

#define RATE(label, stated, num, den) \
    "{\"label\": \"" label "\", \"stated\": \"" stated "\", " \
    "\"numerator\": " num ", \"denominator\": " den "}"

TEST(audit_table_rates_forms)
{
    /* Cells at different precisions are compared at one (0.5 of 2 is a
     * quarter); a bare rate is the ratio itself; a column is named when
     * the table has several; a nil numerator is zero; a negative figure
     * keeps its sign. */
    const char *json = HEAD "\"columns\": [\"N\", \"D\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"0.5\", \"2\"]},"
        "{\"label\": \"b\", \"values\": [\"-\", \"(3)\"]}], \"rates\": ["
        RATE("q%", "25.0%", "{\"row\": \"a\", \"column\": \"N\"}",
             "{\"row\": \"a\", \"column\": \"D\"}") ","
        RATE("q", "0.25", "{\"row\": \"a\", \"column\": \"N\"}",
             "{\"row\": \"a\", \"column\": \"D\"}") ","
        RATE("wrong", "30%", "{\"row\": \"a\", \"column\": \"N\"}",
             "{\"row\": \"a\", \"column\": \"D\"}") ","
        RATE("nil", "0%", "{\"row\": \"b\", \"column\": \"N\"}",
             "{\"row\": \"b\", \"column\": \"D\"}") ","
        RATE("neg", "-16.7%", "{\"row\": \"a\", \"column\": \"N\"}",
             "{\"row\": \"b\", \"column\": \"D\"}") ","
        RATE("cut", "-16.6%", "{\"row\": \"a\", \"column\": \"N\"}",
             "{\"row\": \"b\", \"column\": \"D\"}") "]}";
    ap_audit_report *r = check_text(json);
    CHECK(r->n_findings == 6);
    const ap_table_finding *f = must_find_rate(r, "q%");
    CHECK(f->finding.status == AP_AUDIT_OK &&
          f->finding.cause == AP_CAUSE_NONE);
    CHECK_STR(f->check, "a (N) / a (D) as a percentage");
    CHECK_STR(f->unit, "%");
    f = must_find_rate(r, "q");
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK_STR(f->check, "a (N) / a (D) as a rate");
    CHECK_STR(f->unit, "");
    f = must_find_rate(r, "wrong");
    CHECK(f->finding.status == AP_AUDIT_ERROR &&
          f->finding.cause == AP_CAUSE_UNEXPLAINED);
    CHECK(f->finding.scale == 1 && f->finding.difference == 50);
    CHECK(must_find_rate(r, "nil")->finding.status == AP_AUDIT_OK);
    /* 0.5 / -3 is -16.66...%: -16.7% rounded, -16.6% cut toward zero. */
    f = must_find_rate(r, "neg");
    CHECK(f->finding.status == AP_AUDIT_OK &&
          f->finding.cause == AP_CAUSE_ROUNDING);
    f = must_find_rate(r, "cut");
    CHECK(f->finding.status == AP_AUDIT_ROUNDING &&
          f->finding.cause == AP_CAUSE_TRUNCATION);
    CHECK(r->n_ok == 4 && r->n_rounding == 1 && r->n_error == 1);
    ap_audit_report_free(r);
}

TEST(audit_table_rates_errors_name_path)
{
#define T2 HEAD "\"columns\": [\"N\", \"D\"], \"rows\": [" \
    "{\"label\": \"a\", \"values\": [\"1\", \"2\"]}," \
    "{\"label\": \"z\", \"values\": [\"-\", null]}], \"rates\": ["
#define NA "{\"row\": \"a\", \"column\": \"N\"}"
#define DA "{\"row\": \"a\", \"column\": \"D\"}"
    expect_error(T2 "3]}", "$.rates[0]", 0, 0, "found a number");
    expect_error(HEAD "\"columns\": [\"N\"], \"rows\": [{\"label\": \"a\", "
                 "\"values\": [1]}], \"rates\": {}}", "$.rates", 0, 0,
                 "an array of rates");
    expect_error(T2 "{\"label\": \"r\", \"stated\": \"50%\", \"numerator\": "
                 NA ", \"denominator\": " DA ", \"rate\": 1}]}",
                 "$.rates[0].rate", 0, 0, "unknown key");
    expect_error(T2 "{\"stated\": \"50%\", \"numerator\": " NA
                 ", \"denominator\": " DA "}]}", "$.rates[0].label", 0, 0,
                 "missing required key");
    expect_error(T2 RATE(" ", "50%", NA, DA) "]}", "$.rates[0].label", 0, 0,
                 "cannot be empty");
    expect_error(T2 "{\"label\": \"r\", \"numerator\": " NA
                 ", \"denominator\": " DA "}]}", "$.rates[0].stated", 0, 0,
                 "missing required key \"stated\"");
    expect_error(T2 "{\"label\": \"r\", \"stated\": 50, \"numerator\": " NA
                 ", \"denominator\": " DA "}]}", "$.rates[0].stated", 0, 0,
                 "as text");
    expect_error(T2 RATE("r", "fifty", NA, DA) "]}", "$.rates[0].stated", 0,
                 0, "fifty");
    expect_error(T2 RATE("r", "\302\2435", NA, DA) "]}",
                 "$.rates[0].stated", 0, 0, "money");
    expect_error(T2 "{\"label\": \"r\", \"stated\": \"50%\", "
                 "\"denominator\": " DA "}]}", "$.rates[0].numerator", 0, 0,
                 "missing required key \"numerator\"");
    expect_error(T2 RATE("r", "50%", "\"a\"", DA) "]}",
                 "$.rates[0].numerator", 0, 0, "expected a cell");
    expect_error(T2 RATE("r", "50%", "{\"row\": \"a\", \"col\": \"N\"}", DA)
                 "]}", "$.rates[0].numerator.col", 0, 0, "unknown key");
    expect_error(T2 RATE("r", "50%", "{\"column\": \"N\"}", DA) "]}",
                 "$.rates[0].numerator.row", 0, 0, "missing required key");
    expect_error(T2 RATE("r", "50%", "{\"row\": \"b\", \"column\": \"N\"}",
                         DA) "]}", "$.rates[0].numerator.row", 0, 0,
                 "no row is labelled \"b\"");
    expect_error(T2 RATE("r", "50%", "{\"row\": \"a\"}", DA) "]}",
                 "$.rates[0].numerator.column", 0, 0, "has 2 columns");
    expect_error(T2 RATE("r", "50%", NA, "{\"row\": \"a\", \"column\": 2}")
                 "]}", "$.rates[0].denominator.column", 0, 0,
                 "expected a column name");
    expect_error(T2 RATE("r", "50%", NA, "{\"row\": \"a\", \"column\": "
                         "\"X\"}") "]}", "$.rates[0].denominator.column", 0,
                 0, "unknown column \"X\"");
    expect_error(T2 RATE("r", "50%", NA, "{\"row\": \"z\", \"column\": "
                         "\"D\"}") "]}", "$.rates[0].denominator", 0, 0,
                 "is empty");
    expect_error(T2 RATE("r", "50%", NA, "{\"row\": \"z\", \"column\": "
                         "\"N\"}") "]}", "$.rates[0].denominator", 0, 0,
                 "is zero");
    /* The second rate's error names its index. */
    expect_error(T2 RATE("r", "50%", NA, DA) "," RATE("s", "x", NA, DA) "]}",
                 "$.rates[1].stated", 0, 0, "\"x\"");
#undef NA
#undef DA
#undef T2
}

TEST(audit_table_rates_overflow_is_an_error)
{
    /* At the denominator's two decimals the numerator no longer fits
     * int64: an error naming the rate, not a wrong answer. */
    const char *json = HEAD "\"columns\": [\"X\"], \"rows\": ["
        "{\"label\": \"a\", \"values\": [\"9,000,000,000,000,000,000\"]},"
        "{\"label\": \"b\", \"values\": [\"1.25\"]}], \"rates\": ["
        RATE("big", "50%", "{\"row\": \"a\"}", "{\"row\": \"b\"}") "]}";
    ap_audit_table *t;
    ap_error err;
    CHECK(ap_audit_table_parse(json, strlen(json), "t.json", &t, &err) ==
          AP_OK);
    ap_audit_report *r = (ap_audit_report *)1;
    CHECK(ap_audit_table_check(t, &r, &err) == AP_E_OVERFLOW);
    CHECK(r == NULL);
    CHECK_CONTAINS(err.message, "$.rates[0] (\"big\")");
    ap_audit_table_free(t);
}
#undef RATE

/* ---- a large generated table ----------------------------------------------- */

/* A small deterministic generator, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void append(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    CHECK(n >= 0);
    while (t->len + (size_t)n + 1 > t->cap) {
        t->cap = t->cap ? 2 * t->cap : 4096;
        t->s = realloc(t->s, t->cap);
        CHECK(t->s != NULL);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* Writes a figure as a paper would: brackets for negatives, commas. */
static void append_figure(text *t, int64_t v)
{
    char digits[48];
    ap_figure_format(v < 0 ? -v : v, 0, digits, sizeof digits);
    append(t, v < 0 ? "\"(%s)\"" : "\"%s\"", digits);
}

TEST(audit_table_generated_against_independent_sums)
{
    enum { BLOCKS = 60, PER = 19, COLS4 = 4 };
    uint64_t seed = 20240306;
    text t = {0};
    append(&t, HEAD "\"columns\": [\"A\", \"B\", \"C\", \"D\"], "
           "\"rules\": [\"D = A + B - C\"], \"rows\": [");
    int64_t grand[COLS4] = {0};
    int broken[BLOCKS] = {0};
    size_t n_broken = 0;
    size_t row = 0;
    for (int b = 0; b < BLOCKS; b++) {
        int64_t sub[COLS4] = {0};
        for (int i = 0; i < PER; i++, row++) {
            int64_t v[COLS4];
            for (int c = 0; c < 3; c++)
                v[c] = (int64_t)(next_random(&seed) % 2000001) - 1000000;
            v[3] = v[0] + v[1] - v[2];
            int sign = next_random(&seed) % 7 == 0 ? -1 : 1;
            append(&t, "%s{\"label\": \"r%zu\"%s, \"values\": [",
                   row ? ", " : "", row, sign < 0 ? ", \"sign\": -1" : "");
            for (int c = 0; c < COLS4; c++) {
                if (c)
                    append(&t, ", ");
                append_figure(&t, v[c]);
                sub[c] += sign * v[c];
                grand[c] += sign * v[c];
            }
            append(&t, "]}");
        }
        /* Every seventh subtotal has 1,000 too much in A. */
        broken[b] = b % 7 == 3;
        n_broken += (size_t)broken[b];
        append(&t, ", {\"label\": \"Subtotal %d\", \"total\": \"above\", "
               "\"values\": [", b + 1);
        for (int c = 0; c < COLS4; c++) {
            if (c)
                append(&t, ", ");
            append_figure(&t, sub[c] + (c == 0 && broken[b] ? 1000 : 0));
        }
        append(&t, "]}");
        row++;
    }
    append(&t, ", {\"label\": \"Grand total\", \"total\": \"all\", \"values\": [");
    for (int c = 0; c < COLS4; c++) {
        if (c)
            append(&t, ", ");
        append_figure(&t, grand[c]);
    }
    append(&t, "]}]}");
    ap_audit_report *r = check_text(t.s);
    free(t.s);

    size_t n_rows = row + 1;
    /* 4 column totals per total row; the rule on every row. */
    CHECK_EQ_I64(r->n_findings, (BLOCKS + 1) * COLS4 + n_rows);
    /* Each broken subtotal: A's total, and the rule on that row. */
    CHECK_EQ_I64(r->n_error, 2 * n_broken);
    for (int b = 0; b < BLOCKS; b++) {
        size_t sub_row = (size_t)(b + 1) * (PER + 1) - 1;
        const ap_table_finding *f =
            must_find(r, AP_TABLE_CHECK_TOTAL, sub_row, 0);
        CHECK_EQ_I64(f->finding.difference, broken[b] ? 1000 : 0);
        CHECK(f->finding.status ==
              (broken[b] ? AP_AUDIT_ERROR : AP_AUDIT_OK));
        CHECK(must_find(r, AP_TABLE_CHECK_RULE, sub_row, 3)->finding.status ==
              (broken[b] ? AP_AUDIT_ERROR : AP_AUDIT_OK));
    }
    for (int c = 0; c < COLS4; c++)
        expect(must_find(r, AP_TABLE_CHECK_TOTAL, n_rows - 1, (size_t)c),
               AP_AUDIT_OK, AP_CAUSE_NONE, grand[c], grand[c]);
    /* Past six runs of rows the check is described by its count. */
    CHECK_CONTAINS(must_find(r, AP_TABLE_CHECK_TOTAL, n_rows - 1, 0)->check,
                   "Grand total = sum of every item row above (1140 rows), ");
    CHECK_CONTAINS(must_find(r, AP_TABLE_CHECK_TOTAL, n_rows - 1, 0)->check,
                   " of them subtracted");
    ap_audit_report_free(r);
}

/* The IASS service plan's Table 1: three quarters of £52,914 and a fourth
 * the page cuts off after "£52,91", against WNC's budget of £211,654. */
#define QUARTERS(q4, total)                                                  \
    "{\"format\": \"apportion.table/1\", \"columns\": [\"WNC\"], "         \
    "\"rows\": [{\"label\": \"Q1\", \"values\": [\"52,914\"]}, "            \
    "{\"label\": \"Q2\", \"values\": [\"52,914\"]}, "                       \
    "{\"label\": \"Q3\", \"values\": [\"52,914\"]}, "                       \
    "{\"label\": \"Q4\", \"values\": [\"" q4 "\"]}, "                       \
    "{\"label\": \"WNC\", \"total\": \"above\", \"values\": [\"" total     \
    "\"]}]}"

TEST(audit_table_cut_off_and_illegible_cells)
{
    /* One item cut off: consistent, its finding the stated total against
     * the nearest sum the prefix allows (itself). */
    ap_audit_report *r = check_text(QUARTERS("52,91…", "211,654"));
    const ap_table_finding *f = must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0);
    expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, 211654, 211654);
    CHECK_CONTAINS(f->finding.suggestion, "Q4 is cut off after \"52,91\", so "
                   "they can sum to 211,652 to 211,661");
    ap_audit_report_free(r);
    /* Beyond what it allows by more than the rounding of the whole
     * figures (2): an error against the nearest. */
    r = check_text(QUARTERS("52,8…", "211,654"));
    expect(must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0), AP_AUDIT_ERROR,
           AP_CAUSE_UNEXPLAINED, 211654, 211641);
    ap_audit_report_free(r);
    /* The stated total cut off, at the items' scale of one decimal. */
    r = check_text(QUARTERS("52,912.0", "211,65…"));
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0);
    CHECK_EQ_I64(f->finding.scale, 1);
    expect(f, AP_AUDIT_OK, AP_CAUSE_NONE, 2116540, 2116540);
    CHECK_CONTAINS(f->finding.suggestion, "211,650.0 to 211,659.9");
    ap_audit_report_free(r);
    /* Not legible, or two cut off: the check cannot be made. */
    r = check_text(QUARTERS("not legible", "211,654"));
    f = must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0);
    CHECK(f->finding.status == AP_AUDIT_OK);
    CHECK(f->finding.cause == AP_CAUSE_ILLEGIBLE);
    CHECK_STR(f->finding.suggestion, "WNC = sum of rows 1-4: cannot be "
              "checked: the figure of Q4 is not legible.");
    ap_audit_report_free(r);
    r = check_text(QUARTERS("52,91…", "not legible"));
    CHECK_CONTAINS(must_find(r, AP_TABLE_CHECK_TOTAL, 4, 0)
                       ->finding.suggestion,
                   "the stated figure is not legible");
    ap_audit_report_free(r);
    /* A prefix too large for int64 at the check's scale is refused by
     * name, never judged. */
    ap_audit_table *t = NULL;
    ap_error err;
    const char *big = QUARTERS("922,337,203,685,477,580…", "1.5");
    CHECK(ap_audit_table_parse(big, strlen(big), "t.json", &t, &err) ==
          AP_OK);
    ap_audit_report *out = NULL;
    CHECK(ap_audit_table_check(t, &out, &err) == AP_E_OVERFLOW);
    CHECK(out == NULL);
    CHECK_CONTAINS(err.message, "too large");
    ap_audit_table_free(t);
    /* What is not the legible part of a figure is refused at its path. */
    const char *bad = QUARTERS("5a…", "1");
    CHECK(ap_audit_table_parse(bad, strlen(bad), "t.json", &t, &err) ==
          AP_E_PLAN);
    CHECK_STR(err.path, "$.rows[3].values[0]");
    CHECK_CONTAINS(err.message, "legible part of a figure");
}

/* A cut-off prefix: what it allows, by comma grouping. */
TEST(printed_parse_reads_cut_off_prefixes)
{
    ap_printed_figure f;
    ap_error err;
    CHECK(ap_printed_parse("\xc2\xa3" "52,91\xe2\x80\xa6", (size_t)-1, 2,
                           100, &f, &err) == AP_OK);
    CHECK(f.legibility == AP_CUT_OFF);
    CHECK(f.text == NULL);
    CHECK_EQ_I64(f.digits, 5291);
    CHECK_EQ_I64(f.decimals, -1);
    CHECK_EQ_I64(f.min_more, 1);
    CHECK_EQ_I64(f.unit_pence, 100);
    CHECK(ap_printed_parse("not legible", (size_t)-1, 2, 100, &f, &err) ==
          AP_OK);
    CHECK(f.legibility == AP_NOT_LEGIBLE);
    CHECK(ap_printed_parse("52,914", (size_t)-1, 2, 100, &f, &err) == AP_OK);
    CHECK(f.legibility == AP_LEGIBLE);
    CHECK(ap_printed_parse("7.123...", (size_t)-1, 2, 100, &f, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "more decimals than pence");
    CHECK(ap_printed_parse(NULL, 0, 2, 100, &f, &err) == AP_E_INPUT);
    CHECK(ap_printed_parse("1…", (size_t)-1, 2, 0, &f, &err) == AP_E_INPUT);
}
