/* The one UTF-8 check every reader shares, its line and column, the
 * whole-file read with its size limit, messages never cut inside a
 * character, and the JSON layer reading what cJSON reads (every byte up to
 * 0x20 is space) and refusing invalid UTF-8 at its position. */
#include <stdint.h>
#include <stdio.h>

#include "apportion/apportion.h"
#include "apportion/kpi.h"
#include "apportion/text.h"
#include "base/text.h"
#include "platform/platform.h"
#include "runner.h"

#define VALID(lit) CHECK_EQ_I64(ap__utf8_valid_prefix(lit, sizeof lit - 1), \
                                sizeof lit - 1)
#define BAD_AT(lit, at) CHECK_EQ_I64(ap__utf8_valid_prefix(lit, sizeof lit - 1), \
                                     at)

TEST(utf8_accepts_well_formed_text)
{
    VALID("");
    VALID("plain ASCII, with\ttabs\nand lines");
    VALID("\xc2\xa3" "211,654");         /* £ */
    VALID("caf\xc3\xa9 \xe2\x80\x93 dash"); /* é, en dash */
    VALID("\xef\xbb\xbf{}");             /* a byte order mark */
    VALID("\xed\x9f\xbf");               /* U+D7FF, just below surrogates */
    VALID("\xee\x80\x80");               /* U+E000, just above them */
    VALID("\xf0\x90\x80\x80");           /* U+10000 */
    VALID("\xf4\x8f\xbf\xbf");           /* U+10FFFF, the last */
    VALID("\x01\x1d\x7f");               /* control characters are UTF-8 */
}

TEST(utf8_refuses_each_ill_formed_sequence_at_its_first_byte)
{
    BAD_AT("ab\xff", 2);                 /* never in UTF-8 */
    BAD_AT("ab\x80", 2);                 /* a continuation on its own */
    BAD_AT("\xc0\xaf", 0);               /* overlong '/' */
    BAD_AT("x\xc1\xbf", 1);              /* overlong, C1 */
    BAD_AT("\xe0\x80\xaf", 0);           /* overlong three bytes */
    BAD_AT("\xf0\x80\x80\xaf", 0);       /* overlong four bytes */
    BAD_AT("ok\xed\xa0\x80", 2);         /* a surrogate, U+D800 */
    BAD_AT("\xed\xbf\xbf", 0);           /* U+DFFF */
    BAD_AT("\xf4\x90\x80\x80", 0);       /* beyond U+10FFFF */
    BAD_AT("\xf5\x80\x80\x80", 0);
    BAD_AT("caf\xc3", 3);                /* cut at the end */
    BAD_AT("\xe2\x80", 0);
    BAD_AT("\xf0\x90\x80", 0);
    BAD_AT("\xc3(", 0);                  /* no continuation */
    BAD_AT("\xe2\x28\xa1", 0);
    BAD_AT("\xe2\x82\x28", 0);
    BAD_AT("\xc3\xa9\xc3\xa9\xe9", 4);   /* é é then Latin-1 é */
}

TEST(utf8_check_names_source_line_and_column)
{
    ap_error err;
    CHECK(ap_utf8_check("a,b\n", 4, "t.csv", &err) == AP_OK);
    CHECK(ap_utf8_check(NULL, 0, "t.csv", &err) == AP_OK);
    const char text[] = "name,amount\n\xc3\xa9t\xc3\xa9,\xff" "5\n";
    CHECK(ap_utf8_check(text, sizeof text - 1, "t.csv", &err) == AP_E_INPUT);
    CHECK_STR(err.message, "t.csv:2:5: invalid UTF-8 (byte 0xFF); the file "
                           "must be UTF-8 text");
    CHECK_EQ_I64(err.line, 2);
    CHECK_EQ_I64(err.column, 5); /* é, t, é and a comma before it */
    CHECK(ap_utf8_check("\x80", 1, NULL, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "<text>:1:1: invalid UTF-8 (byte 0x80)");
    CHECK(ap_utf8_check(NULL, 3, "x", &err) == AP_E_INPUT);
    CHECK(ap_utf8_check("\xff", 1, "x", NULL) == AP_E_INPUT);
}

TEST(text_line_column_counts_characters)
{
    int line, column;
    ap__text_line_column("\xc2\xa3" "1\n\xc3\xa9x", 6, &line, &column);
    CHECK_EQ_I64(line, 2);
    CHECK_EQ_I64(column, 2); /* after the é */
    ap__text_line_column("abc", 0, &line, &column);
    CHECK_EQ_I64(line, 1);
    CHECK_EQ_I64(column, 1);
}

static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(bytes, 1, n, f) == n);
    CHECK(fclose(f) == 0);
}

TEST(file_read_enforces_the_limit_before_reading)
{
    char dir[512], path[600];
    ap_test_temp_dir("ap_test_text", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ledger.csv", dir);
    write_file(path, "0123456789", 10);
    char *text = NULL;
    size_t len = 0;
    ap_error err;
    CHECK(ap_file_read(path, 10, "ledger", &text, &len, &err) == AP_OK);
    CHECK_EQ_I64(len, 10);
    CHECK_STR(text, "0123456789"); /* NUL-terminated */
    free(text);
    CHECK(ap_file_read(path, 9, "ledger", &text, &len, &err) == AP_E_INPUT);
    CHECK(text == NULL);
    char expected[800];
    snprintf(expected, sizeof expected, "ledger file %s is larger than the "
             "limit of 9 bytes (max_bytes)", path);
    CHECK_CONTAINS(err.message, expected);
    CHECK(ap_file_read(path, 0, "ledger", &text, &len, &err) == AP_E_INPUT);
    write_file(path, "", 0);
    CHECK(ap_file_read(path, 0, "ledger", &text, &len, &err) == AP_OK);
    CHECK_EQ_I64(len, 0);
    CHECK_STR(text, "");
    free(text);
    /* Larger than the first buffer, under no limit to speak of. */
    size_t big = ((size_t)1 << 17) + 3;
    char *bytes = malloc(big);
    CHECK(bytes != NULL);
    memset(bytes, 'x', big);
    write_file(path, bytes, big);
    free(bytes);
    CHECK(ap_file_read(path, SIZE_MAX, NULL, &text, &len, &err) == AP_OK);
    CHECK_EQ_I64(len, big);
    free(text);
    ap_test_remove(path);
    CHECK(ap_file_read(path, 10, "plan", &text, &len, &err) == AP_E_IO);
    snprintf(expected, sizeof expected, "cannot open plan file %s", path);
    CHECK_CONTAINS(err.message, expected);
    ap_test_remove_dir(dir);
    CHECK(ap_file_read(NULL, 10, "plan", &text, &len, &err) == AP_E_INPUT);
}

TEST(file_read_stops_a_stream_at_the_limit)
{
    /* /dev/zero has no size to look at: the read stops past the limit. */
#if AP__PLAT_WINDOWS
    SKIP("a platform limit: Windows has no /dev/zero, no path that reads "
         "as an endless stream with no size");
#else
    char *text = NULL;
    size_t len = 0;
    ap_error err;
    CHECK(ap_file_read("/dev/zero", 100000, "table", &text, &len, &err) ==
          AP_E_INPUT);
    CHECK(text == NULL);
    CHECK_CONTAINS(err.message, "table file /dev/zero is larger than the "
                                "limit of 100000 bytes");
#endif
}

TEST(error_messages_are_never_cut_inside_a_character)
{
    ap_error err;
    char long_text[AP_ERROR_MESSAGE_SIZE * 2];
    for (size_t shift = 0; shift < 3; shift++) {
        size_t n = 0;
        for (; n < shift; n++)
            long_text[n] = 'a';
        while (n + 2 < sizeof long_text) {
            long_text[n++] = '\xc3';
            long_text[n++] = '\xa9';
        }
        long_text[n] = '\0';
        ap_error_set(&err, AP_E_INPUT, "%s", long_text);
        size_t len = strlen(err.message);
        CHECK(len >= AP_ERROR_MESSAGE_SIZE - 2);
        CHECK_EQ_I64(ap__utf8_valid_prefix(err.message, len), len);
    }
    char euro[AP_ERROR_MESSAGE_SIZE * 2];
    size_t n = 0;
    while (n + 3 < sizeof euro) {
        memcpy(euro + n, "\xe2\x82\xac", 3);
        n += 3;
    }
    euro[n] = '\0';
    ap_error_set(&err, AP_E_INPUT, "x%s", euro);
    size_t len = strlen(err.message);
    CHECK_EQ_I64(ap__utf8_valid_prefix(err.message, len), len);
}

static ap_status kpis(const char *text, ap_error *err)
{
    ap_kpi_set *set = NULL;
    ap_status st = ap_kpis_parse(text, strlen(text), "k.json", &set, err);
    ap_kpi_set_free(set);
    return st;
}

TEST(json_space_is_what_cjson_skips)
{
    /* A group separator (0x1d) between tokens: cJSON skips it, and so
     * must the scan that locates values, or every reader failed. */
    ap_error err;
    CHECK(kpis("{\x1d\"a\":1}", &err) == AP_E_PLAN);
    CHECK_CONTAINS(err.message, "k.json:1:7: $.a: unknown key \"a\"");
    CHECK(kpis("{\"format\":\x01\"apportion.kpis/1\",\x1f\"kpis\"\x0b:[]\x7f}",
               &err) != AP_E_NOMEM);
    CHECK(err.status != AP_E_NOMEM);
    CHECK(kpis("\x1d{\"format\":\"apportion.kpis/1\",\"kpis\":[1\x1e]}",
               &err) == AP_E_PLAN);
    CHECK_CONTAINS(err.message, "$.kpis[0]");
}

TEST(json_readers_refuse_invalid_utf8_at_its_position)
{
    ap_error err;
    CHECK(kpis("{\"format\": \"apportion.kpis/1\",\n \"title\": \"x\xff\"}",
               &err) == AP_E_PLAN);
    CHECK_STR(err.message, "k.json:2:13: $: invalid UTF-8 (byte 0xFF); KPI "
                           "definitions are UTF-8 text");
    CHECK_EQ_I64(err.line, 2);
    CHECK_EQ_I64(err.column, 13);
    CHECK_STR(err.path, "$");
    /* Two bad strings: the first is named, once. */
    CHECK(kpis("{\"a\": \"\xc3\", \"b\": \"\xed\xa0\x80\"}", &err) == AP_E_PLAN);
    CHECK_CONTAINS(err.message, "k.json:1:8: $: invalid UTF-8 (byte 0xC3)");
}
