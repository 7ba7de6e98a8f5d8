/* Defects the fuzz targets of fuzz/ found, each pinned by the smallest
 * input that shows it and the clean result expected instead.  The inputs
 * themselves are also under fuzz/regressions/<target>/, which make
 * fuzz-smoke replays through the target. */
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/kpi.h"
#include "apportion/plan.h"
#include "runner.h"

/* Nonzero when s is well-formed UTF-8. */
static int valid_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s != '\0') {
        size_t len = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2
                     : (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4
                                                                    : 0;
        if (len == 0 || (len == 2 && *s < 0xC2))
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[k] & 0xC0) != 0x80)
                return 0;
        s += len;
    }
    return 1;
}

/* fuzz_audit_table: a syntax error inside a multi-byte character.  cJSON
 * stops one byte into the "–" (U+2013) and the message quoted the text
 * from there, starting with two stray continuation bytes; it now quotes
 * from the character's first byte, at that character's column. */
TEST(fuzz_json_syntax_error_quotes_whole_characters)
{
    static const char text[] = "{\n\xe2\x80\x93 \"a\": 1}";
    ap_error err;
    ap_audit_table *table = NULL;
    CHECK_EQ_I64(ap_audit_table_parse(text, sizeof text - 1, "t.json",
                                      &table, &err),
                 AP_E_PLAN);
    CHECK(table == NULL);
    CHECK(valid_utf8(err.message));
    CHECK_CONTAINS(err.message,
                   "invalid JSON near \"\xe2\x80\x93 \"a\": 1}\"");
    CHECK_EQ_I64(err.line, 2);
    CHECK_EQ_I64(err.column, 1);

    /* The same through every JSON reader: the plan's and the KPI file's. */
    ap_plan *plan = NULL;
    CHECK_EQ_I64(ap_plan_parse(text, sizeof text - 1, "p.json", &plan, &err),
                 AP_E_PLAN);
    CHECK(valid_utf8(err.message));
    ap_kpi_set *set = NULL;
    CHECK_EQ_I64(ap_kpis_parse(text, sizeof text - 1, "k.json", &set, &err),
                 AP_E_PLAN);
    CHECK(valid_utf8(err.message));
}

/* fuzz_figure: a stated figure too long to read is quoted in the message
 * by its first 60 bytes, which cut the U+202F (a narrow no-break space,
 * three bytes) at bytes 59-61 in two; the quote now ends before it. */
TEST(fuzz_long_stated_figure_quoted_by_whole_characters)
{
    char text[200];
    memset(text, '1', sizeof text);
    memcpy(text + 59, "\xe2\x80\xaf", 3);
    ap_audit_finding f;
    ap_error err;
    CHECK_EQ_I64(ap_audit_figure(text, sizeof text, 1, 1, &f, &err),
                 AP_E_INPUT);
    CHECK(valid_utf8(err.message));
    CHECK_CONTAINS(err.message, "cannot read the stated figure \"");
    CHECK_CONTAINS(err.message, "11111...\": longer than");
    CHECK_EQ_I64(ap_audit_rate(1, 2, text, sizeof text, &f, &err),
                 AP_E_INPUT);
    CHECK(valid_utf8(err.message));
}

/* fuzz_audit_table: an error in a total row whose label is longer than
 * the 80 bytes a message quotes cut the "é" straddling bytes 80-81 in
 * two; the quote now ends before it. */
TEST(fuzz_long_row_label_quoted_by_whole_characters)
{
    char label[91];
    memset(label, 'x', 79);
    memcpy(label + 79, "\xc3\xa9", 2);
    memset(label + 81, 'y', 9);
    label[90] = '\0';
    char text[512];
    snprintf(text, sizeof text,
             "{\"format\": \"apportion.table/1\", \"columns\": [\"A\"], "
             "\"rows\": [{\"label\": \"a\", \"values\": "
             "[\"9223372036854775807\"]}, {\"label\": \"%s\", \"values\": "
             "[\"0.1\"], \"total\": \"above\"}]}",
             label);
    ap_error err;
    ap_audit_table *table = NULL;
    CHECK_EQ_I64(ap_audit_table_parse(text, strlen(text), "t.json", &table,
                                      &err),
                 AP_OK);
    ap_audit_report *report = NULL;
    CHECK_EQ_I64(ap_audit_table_check(table, &report, &err),
                 AP_E_OVERFLOW);
    CHECK(report == NULL);
    CHECK(valid_utf8(err.message));
    CHECK_CONTAINS(err.message, "$.rows[1] (\"xxxxxxxxx");
    CHECK_CONTAINS(err.message, "xxx\"), column \"A\"");
    ap_audit_table_free(table);
}
