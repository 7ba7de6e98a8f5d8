/* libFuzzer harness of audited tables written as CSV.  The CSV form is
 * read by apportion.audit (Python), which turns it into the JSON form and
 * hands that to the core's ap_audit_table_parse; this harness does the
 * same in C with cJSON, following the same rules, so the fuzzer explores
 * tables through the CSV shape: "#key: value" directive lines first
 * (title, source, unit, decimals, rule, note), then a header row whose
 * first cell names the label column, a column headed "total" saying which
 * rows a total row sums ("above", "all", or labels separated by ';'), and
 * rows of cells, blank cells null.  The table is then checked
 * (ap_audit_table_check). */
#include <cJSON.h>

#include "apportion/audit.h"
#include "fuzz.h"
#include "fuzz_csv.h"

static int blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\v' &&
            *s != '\f')
            return 0;
    return 1;
}

/* The directives at the top; returns where the body starts, or NULL when
 * a directive line is malformed (as the Python reader's InputError). */
static const char *directives(const char *text, const char *end,
                              cJSON *table, cJSON *rules)
{
    const char *line = text;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *eol = nl != NULL ? nl : end;
        char *s = stripped(line, (size_t)(eol - line));
        if (s == NULL)
            return NULL;
        if (s[0] != '#') {
            int empty = s[0] == '\0';
            free(s);
            if (!empty)
                return line;
            line = nl != NULL ? nl + 1 : end;
            continue;
        }
        char *colon = strchr(s, ':');
        if (colon == NULL) {
            free(s);
            return NULL;
        }
        char *key = stripped(s + 1, (size_t)(colon - s - 1));
        char *value = stripped(colon + 1, strlen(colon + 1));
        int ok = key != NULL && value != NULL;
        if (ok) {
            for (char *k = key; *k; k++)
                if (*k >= 'A' && *k <= 'Z')
                    *k = (char)(*k - 'A' + 'a');
            if (strcmp(key, "rule") == 0) {
                cJSON_AddItemToArray(rules, cJSON_CreateString(value));
            } else if (strcmp(key, "decimals") == 0) {
                char *stop;
                long d = strtol(value, &stop, 10);
                ok = value[0] != '\0' && *stop == '\0';
                if (ok) {
                    cJSON_DeleteItemFromObject(table, "decimals");
                    cJSON_AddNumberToObject(table, "decimals", (double)d);
                }
            } else if (strcmp(key, "title") == 0 ||
                       strcmp(key, "source") == 0 ||
                       strcmp(key, "unit") == 0 ||
                       strcmp(key, "note") == 0) {
                cJSON_DeleteItemFromObject(table, key);
                cJSON_AddStringToObject(table, key, value);
            } else {
                ok = 0;
            }
        }
        free(key);
        free(value);
        free(s);
        if (!ok)
            return NULL;
        line = nl != NULL ? nl + 1 : end;
    }
    return line;
}

static cJSON *table_from_csv(const char *text, size_t size)
{
    const char *end = text + size;
    cJSON *table = cJSON_CreateObject();
    cJSON *rules = cJSON_CreateArray();
    if (table == NULL || rules == NULL) {
        cJSON_Delete(table);
        cJSON_Delete(rules);
        return NULL;
    }
    cJSON_AddStringToObject(table, "format", AP_TABLE_FORMAT);
    const char *p = directives(text, end, table, rules);
    if (p == NULL) {
        cJSON_Delete(rules);
        cJSON_Delete(table);
        return NULL;
    }
    if (cJSON_GetArraySize(rules) > 0)
        cJSON_AddItemToObject(table, "rules", rules);
    else
        cJSON_Delete(rules);

    row header = {0}, r = {0};
    if (!read_record(&p, end, &header)) {
        cJSON_Delete(table);
        return NULL;
    }
    size_t total_col = 0;
    cJSON *columns = cJSON_AddArrayToObject(table, "columns");
    for (size_t i = 1; i < header.n; i++) {
        char *h = stripped(header.cells[i].text,
                           strlen(header.cells[i].text));
        if (h == NULL)
            continue;
        if (total_col == 0 && strcmp(h, "total") == 0)
            total_col = i;
        else
            cJSON_AddItemToArray(columns, cJSON_CreateString(h));
        free(h);
    }
    cJSON *rows = cJSON_AddArrayToObject(table, "rows");
    int ok = 1;
    while (ok && read_record(&p, end, &r)) {
        int all_blank = 1;
        for (size_t i = 0; i < r.n; i++)
            all_blank &= blank(r.cells[i].text);
        if (all_blank) {
            row_clear(&r);
            continue;
        }
        if (r.n != header.n) {
            ok = 0;
            row_clear(&r);
            break;
        }
        cJSON *out = cJSON_CreateObject();
        cJSON_AddItemToArray(rows, out);
        char *label = stripped(r.cells[0].text, strlen(r.cells[0].text));
        cJSON_AddStringToObject(out, "label", label != NULL ? label : "");
        free(label);
        cJSON *values = cJSON_CreateArray();
        for (size_t i = 1; i < r.n; i++) {
            char *v = stripped(r.cells[i].text, strlen(r.cells[i].text));
            if (v == NULL)
                continue;
            if (i == total_col) {
                if (strcmp(v, "above") == 0 || strcmp(v, "all") == 0) {
                    cJSON_AddStringToObject(out, "total", v);
                } else if (v[0] != '\0') {
                    cJSON *labels = cJSON_AddArrayToObject(out, "total");
                    char *save = v;
                    for (;;) {
                        char *semi = strchr(save, ';');
                        size_t n = semi != NULL ? (size_t)(semi - save)
                                                : strlen(save);
                        char *one = stripped(save, n);
                        if (one != NULL)
                            cJSON_AddItemToArray(labels,
                                                 cJSON_CreateString(one));
                        free(one);
                        if (semi == NULL)
                            break;
                        save = semi + 1;
                    }
                }
            } else if (v[0] == '\0') {
                cJSON_AddItemToArray(values, cJSON_CreateNull());
            } else {
                cJSON_AddItemToArray(values, cJSON_CreateString(v));
            }
            free(v);
        }
        cJSON_AddItemToObject(out, "values", values);
        row_clear(&r);
    }
    row_clear(&header);
    if (!ok) {
        cJSON_Delete(table);
        return NULL;
    }
    return table;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_begin(data, size);
    cJSON *json = table_from_csv((const char *)data, size);
    if (json == NULL)
        return 0;
    char *text = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    if (text == NULL)
        return 0;
    ap_error err;
    ap_audit_table *table = NULL;
    ap_status st = ap_audit_table_parse(text, strlen(text), "fuzz.csv",
                                        &table, &err);
    free(text);
    fuzz_expect_status("ap_audit_table_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_audit_report *report = NULL;
    st = ap_audit_table_check(table, &report, &err);
    fuzz_expect_status("ap_audit_table_check", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(report);
    ap_audit_report_free(report);
    ap_audit_table_free(table);
    return 0;
}
