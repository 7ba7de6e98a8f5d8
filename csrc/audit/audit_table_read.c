/* Reading a printed table ("apportion.table/1") from JSON into an
 * ap_audit_table, for ap_audit_table_check.
 *
 * As strict as the plan and KPI readers: an unknown or repeated key, a row
 * with the wrong number of values, a figure that does not read, a total
 * naming a row that is not above it, a rule naming a column the table does
 * not have, a rate whose cell is empty or whose denominator is zero:
 * each is an AP_E_PLAN error naming the JSON path, line and
 * column.  Figures are read from their own text (ap_figure_parse), never
 * through a double, so "0.410" keeps its three decimals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "apportion/audit.h"
#include "audit/audit_table_internal.h"
#include "base/base.h"
#include "base/text.h"
#include "json/json_reader.h"

/* A printed table is a page; 200,000 rows of figures is about 20 MiB.
 * Anything at 1 GiB is a mistake. */
#define TABLE_FILE_MAX ((size_t)1 << 30)

static const ap__jr_format table_format = {
    .name = "table",
    .tag = AP_TABLE_FORMAT,
    .what_is = "a table is",
    .integer = "a whole number",
    .anonymous = "<table>",
    .max_bytes = TABLE_FILE_MAX,
};

/* ---- small helpers ---------------------------------------------------- */

static int is_blank_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* A figure read without a digit is a lone dash (hyphen, en or em dash):
 * the printed nil, which ap_figure_parse reads as zero at 0 decimals.  The
 * table keeps that it was a nil so that the check can give it the
 * precision of the figures around it rather than a whole unit of slack. */
static int has_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return 1;
    return 0;
}

/* "Budget", "Gross Outturn", ... into buf, stopping before it fills rather
 * than ending in half a name. */
static void list_columns(const ap_audit_table *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_columns; i++) {
        int w = snprintf(buf + used, size - used, "%s\"%s\"", i ? ", " : "",
                         t->columns[i]);
        if (w < 0 || (size_t)w >= size - used) {
            buf[used] = '\0';
            snprintf(buf + used, size - used, "%s...", used ? ", " : "");
            break;
        }
        used += (size_t)w;
    }
}

static ap_status find_column(ap__jr *jr, const ap_audit_table *t,
                             const cJSON *node, const char *path,
                             const char *name, size_t len, size_t *out)
{
    for (size_t i = 0; i < t->n_columns; i++) {
        if (strlen(t->columns[i]) == len &&
            memcmp(t->columns[i], name, len) == 0) {
            *out = i;
            return AP_OK;
        }
    }
    char list[300];
    list_columns(t, list, sizeof list);
    return ap__jr_fail(jr, node, path, "unknown column \"%.*s\"; names are "
                       "matched exactly, and the table's columns are: %s",
                       ap__utf8_prefix(name, len, 80), name, list);
}

/* The one row labelled `label`; `before` limits the search to the rows
 * above a total (SIZE_MAX: the whole table). */
static ap_status find_row(ap__jr *jr, const ap_audit_table *t,
                          const cJSON *node, const char *path,
                          const char *label, size_t before, size_t *out)
{
    size_t n = before < t->n_rows ? before : t->n_rows;
    size_t found = SIZE_MAX;
    int shown = ap__utf8_prefix(label, strlen(label), 80);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t->rows[i].label, label) != 0)
            continue;
        if (found != SIZE_MAX)
            return ap__jr_fail(jr, node, path, "\"%.*s\" is ambiguous: "
                               "$.rows[%zu] and $.rows[%zu] are both "
                               "labelled so; give the rows distinct labels",
                               shown, label, found, i);
        found = i;
    }
    if (found == SIZE_MAX) {
        if (before != SIZE_MAX)
            return ap__jr_fail(jr, node, path, "no row above this total is "
                               "labelled \"%.*s\"; a total can only sum rows "
                               "printed above it, named exactly",
                               shown, label);
        return ap__jr_fail(jr, node, path, "no row is labelled \"%.*s\" "
                           "(labels are matched exactly)", shown, label);
    }
    *out = found;
    return AP_OK;
}

/* ---- cells ------------------------------------------------------------ */

/* A plain whole number, "-1234" or "0": an optional minus, then 1 to 18
 * digits, the first not 0 unless it is the only one.  Into *out. */
static int plain_integer(const char *raw, size_t len, int64_t *out)
{
    size_t i = len > 0 && raw[0] == '-';
    size_t digits = len - i;
    if (digits == 0 || digits > 18 || (raw[i] == '0' && digits > 1) ||
        (raw[i] == '0' && i == 1))
        return 0;
    int64_t v = 0;
    for (; i < len; i++) {
        if (raw[i] < '0' || raw[i] > '9')
            return 0;
        v = v * 10 + (raw[i] - '0');
    }
    *out = raw[0] == '-' ? -v : v;
    return 1;
}

/* Cell c of the values at values_path; its own path is written only
 * for a message (a large table has millions of cells). */
static ap_status read_cell(ap__jr *jr, const ap_audit_table *t,
                           const cJSON *node, const char *values_path,
                           size_t c, ap__table_cell *cell)
{
    char path[AP__JR_PATH_SIZE];
#define PATH (ap__jr_index_path(path, values_path, c), path)
    *cell = (ap__table_cell){0, 0, AP__CELL_BLANK, NULL};
    if (cJSON_IsNull(node))
        return AP_OK;
    const char *raw;
    size_t len;
    if (!ap__jr_number_text(jr, node, &raw, &len))
        return ap__jr_fail(jr, node, PATH, "expected a figure as printed "
                           "(\"1,070\", \"(856)\", \"-\", a cut-off "
                           "\"52,91\xe2\x80\xa6\" or \"not legible\"), a "
                           "number, or null for a cell the table leaves "
                           "empty; found %s",
                           ap__jr_type_name(node));
    if (cJSON_IsString(node) && is_blank_text(raw, len))
        return AP_OK;
    if (plain_integer(raw, len, &cell->value)) {
        /* What ap_figure_parse reads it as, without the lexer. */
        cell->kind = AP__CELL_FIGURE;
        return AP_OK;
    }
    if (cJSON_IsString(node)) {
        /* Cut off or not legible: carried as printed, never completed. */
        ap_printed_figure pf;
        if (ap_printed_parse(raw, len, AP_FIGURE_MAX_DECIMALS, 1, &pf,
                             jr->err) != AP_OK)
            return ap__jr_refail(jr, node, PATH);
        if (pf.legibility != AP_LEGIBLE) {
            if (t->decimals >= 0 && pf.decimals > t->decimals)
                return ap__jr_fail(jr, node, PATH, "\"%.*s\" has %d "
                                   "decimal%s but the table's \"decimals\" "
                                   "says every figure is printed to %d",
                                   ap__utf8_prefix(raw, len, 60), raw,
                                   pf.decimals, pf.decimals == 1 ? "" : "s",
                                   t->decimals);
            cell->printed = malloc(sizeof *cell->printed);
            if (cell->printed == NULL)
                return ap__jr_nomem(jr);
            *cell->printed = pf;
            cell->printed->text = malloc(len + 1);
            if (cell->printed->text == NULL)
                return ap__jr_nomem(jr);
            memcpy(cell->printed->text, raw, len);
            cell->printed->text[len] = '\0';
            cell->kind = pf.legibility == AP_CUT_OFF ? AP__CELL_CUT_OFF
                                                     : AP__CELL_ILLEGIBLE;
            return AP_OK;
        }
    }
    ap_figure f;
    if (ap_figure_parse(raw, len, &f, jr->err) != AP_OK)
        return ap__jr_refail(jr, node, PATH);
    if (t->decimals >= 0 && f.decimals > t->decimals)
        return ap__jr_fail(jr, node, PATH, "\"%.*s\" has %d decimal%s but "
                           "the table's \"decimals\" says every figure is "
                           "printed to %d",
                           ap__utf8_prefix(raw, len, 60), raw, f.decimals,
                           f.decimals == 1 ? "" : "s", t->decimals);
    cell->value = f.value;
    cell->decimals = f.decimals;
    cell->kind = has_digit(raw, len) ? AP__CELL_FIGURE : AP__CELL_NIL;
    return AP_OK;
}
#undef PATH

/* ---- rows ------------------------------------------------------------- */

static ap_status read_total(ap__jr *jr, ap_audit_table *t, const cJSON *node,
                            const char *path, size_t at, size_t last_total,
                            size_t n_items)
{
    ap__table_row *row = &t->rows[at];
    if (cJSON_IsString(node)) {
        if (strcmp(node->valuestring, "above") == 0) {
            row->kind = AP__ROW_ABOVE;
            row->from = last_total == SIZE_MAX ? 0 : last_total + 1;
            row->to = at;
            if (row->from == row->to)
                return ap__jr_fail(jr, node, path, "\"above\" sums the item "
                                   "rows since the previous total row (or "
                                   "the top of the table), and there are "
                                   "none; name the rows in a list instead");
            return AP_OK;
        }
        if (strcmp(node->valuestring, "all") == 0) {
            row->kind = AP__ROW_ALL;
            if (n_items == 0)
                return ap__jr_fail(jr, node, path, "\"all\" sums every item "
                                   "row above this one, and there are none");
            return AP_OK;
        }
        const char *s = node->valuestring;
        return ap__jr_fail(jr, node, path, "expected \"above\" (the item rows "
                           "since the previous total), \"all\" (every item "
                           "row above) or a list of row labels, found "
                           "\"%.*s\"",
                           ap__utf8_prefix(s, strlen(s), 60), s);
    }
    if (!cJSON_IsArray(node))
        return ap__jr_fail(jr, node, path, "expected \"above\", \"all\" or a "
                           "list of the labels of the rows above that this "
                           "row is the total of, found %s",
                           ap__jr_type_name(node));
    size_t n = (size_t)cJSON_GetArraySize(node);
    if (n == 0)
        return ap__jr_fail(jr, node, path, "expected at least one row label");
    row->kind = AP__ROW_LIST;
    if ((row->list = calloc(n, sizeof *row->list)) == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *e = node->child; e != NULL; e = e->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, path, i);
        if (!cJSON_IsString(e))
            return ap__jr_fail(jr, e, p, "expected the label of a row above, "
                               "found %s", ap__jr_type_name(e));
        size_t which;
        ap_status st = find_row(jr, t, e, p, e->valuestring, at, &which);
        if (st != AP_OK)
            return st;
        for (size_t j = 0; j < i; j++)
            if (row->list[j] == which)
                return ap__jr_fail(jr, e, p, "\"%s\" is named twice; each "
                                   "row is counted once",
                                   e->valuestring);
        row->list[i] = which;
        row->n_list = i + 1;
    }
    return AP_OK;
}

/* The table being read and where its rows have got to. */
typedef struct rows_ctx {
    ap_audit_table *t;
    size_t last_total; /* the last total row, SIZE_MAX before one */
    size_t n_items;    /* item rows so far */
} rows_ctx;

static ap_status read_row(ap__jr *jr, const cJSON *obj, const char *path,
                          size_t at, size_t n_rows, void *ctx)
{
    rows_ctx *rc = ctx;
    ap_audit_table *t = rc->t;
    if (at == 0 &&
        ((t->rows = calloc(n_rows, sizeof *t->rows)) == NULL ||
         (t->cells = calloc(n_rows, t->n_columns * sizeof *t->cells)) == NULL))
        return ap__jr_nomem(jr);
    size_t *last_total = &rc->last_total, *n_items = &rc->n_items;
    ap_status st;
    ap__table_row *row = &t->rows[at];
    row->sign = 1;
    char p[AP__JR_PATH_SIZE];
    if ((st = ap__jr_string(jr, obj, path, "label", 1, NULL, &row->label)))
        return st;
    t->n_rows = at + 1; /* the label is owned now: free it with the table */
    if (is_blank_text(row->label, strlen(row->label))) {
        ap__jr_key_path(p, path, "label");
        return ap__jr_fail(jr, ap__jr_member(obj, "label"), p, "a row label "
                           "cannot be empty: totals and findings name rows "
                           "by their labels");
    }
    const cJSON *note = ap__jr_member(obj, "note");
    if (note != NULL && !cJSON_IsString(note)) {
        ap__jr_key_path(p, path, "note");
        return ap__jr_fail(jr, note, p, "expected a string, found %s",
                           ap__jr_type_name(note));
    }
    const cJSON *sign = ap__jr_member(obj, "sign");
    if (sign != NULL) {
        ap__jr_key_path(p, path, "sign");
        int64_t s;
        if ((st = ap__jr_integer(jr, sign, p, &s)))
            return st;
        if (s != 1 && s != -1)
            return ap__jr_fail(jr, sign, p, "expected 1 or -1 (subtracted "
                               "in the totals that include this row), found "
                               "%lld", (long long)s);
        row->sign = (int)s;
    }

    const cJSON *values = ap__jr_member(obj, "values");
    ap__jr_key_path(p, path, "values");
    if (values == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"values\" (one "
                           "figure per column, null where the table prints "
                           "nothing)");
    if (!cJSON_IsArray(values))
        return ap__jr_fail(jr, values, p, "expected an array of %zu figures, "
                           "one per column, found %s",
                           t->n_columns, ap__jr_type_name(values));
    size_t n = (size_t)cJSON_GetArraySize(values);
    if (n != t->n_columns) {
        char list[300];
        list_columns(t, list, sizeof list);
        return ap__jr_fail(jr, values, p, "expected %zu value%s, one per "
                           "column (%s), found %zu; write null for a cell "
                           "the table leaves empty",
                           t->n_columns, t->n_columns == 1 ? "" : "s", list,
                           n);
    }
    size_t c = 0;
    for (const cJSON *v = values->child; v != NULL; v = v->next, c++)
        if ((st = read_cell(jr, t, v, p, c,
                            &t->cells[at * t->n_columns + c])))
            return st;

    const cJSON *total = ap__jr_member(obj, "total");
    if (total == NULL) {
        row->kind = AP__ROW_ITEM;
        (*n_items)++;
        return AP_OK;
    }
    ap__jr_key_path(p, path, "total");
    if ((st = read_total(jr, t, total, p, at, *last_total, *n_items)))
        return st;
    *last_total = at;
    return AP_OK;
}

static ap_status read_rows(ap__jr *jr, ap_audit_table *t, const cJSON *root)
{
    static const char *const keys[] = {"label", "values", "total", "sign",
                                       "note", NULL};
    static const ap__jr_objects how = {
        .what = "an array of rows",
        .empty = "expected at least one row",
        .keys = keys,
        .each = read_row};
    const cJSON *arr = ap__jr_member(root, "rows");
    if (arr == NULL)
        return ap__jr_fail(jr, root, "$.rows", "missing required key \"rows\" "
                           "(an array of {\"label\": ..., \"values\": [...]})");
    rows_ctx c = {t, SIZE_MAX, 0};
    return ap__jr_each_object(jr, arr, "$.rows", &how, &c);
}

/* ---- columns ---------------------------------------------------------- */

static ap_status read_columns(ap__jr *jr, ap_audit_table *t,
                              const cJSON *root)
{
    const cJSON *arr = ap__jr_member(root, "columns");
    if (arr == NULL)
        return ap__jr_fail(jr, root, "$.columns", "missing required key "
                           "\"columns\" (the names of the figure columns, as "
                           "headed)");
    if (!cJSON_IsArray(arr))
        return ap__jr_fail(jr, arr, "$.columns", "expected an array of column "
                           "names, found %s", ap__jr_type_name(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return ap__jr_fail(jr, arr, "$.columns", "expected at least one "
                           "column");
    if ((t->columns = calloc(n, sizeof *t->columns)) == NULL)
        return ap__jr_nomem(jr);
    size_t i = 0;
    for (const cJSON *c = arr->child; c != NULL; c = c->next, i++) {
        char p[AP__JR_PATH_SIZE];
        ap__jr_index_path(p, "$.columns", i);
        if (!cJSON_IsString(c))
            return ap__jr_fail(jr, c, p, "expected a column name, found %s",
                               ap__jr_type_name(c));
        const char *name = c->valuestring;
        if (is_blank_text(name, strlen(name)))
            return ap__jr_fail(jr, c, p, "a column name cannot be empty");
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->columns[j], name) == 0)
                return ap__jr_fail(jr, c, p, "duplicate column \"%s\": "
                                   "$.columns[%zu] has the same name, and "
                                   "rules name columns, so each needs its "
                                   "own",
                                   name, j);
        if ((t->columns[i] = ap__strdup(name)) == NULL)
            return ap__jr_nomem(jr);
        t->n_columns = i + 1;
    }
    return AP_OK;
}

/* ---- rules ------------------------------------------------------------ */

/* Appends operand `column` with `sign` to a column rule, refusing the
 * stated column itself and a column named twice. */
static ap_status add_operand(ap__jr *jr, ap_audit_table *t,
                             ap__table_rule *rule, const cJSON *node,
                             const char *path, size_t column, int sign)
{
    if (column == rule->target)
        return ap__jr_fail(jr, node, path, "column \"%s\" is both the stated "
                           "figure and one of its parts",
                           t->columns[column]);
    for (size_t k = 0; k < rule->n_operands; k++)
        if (rule->operands[k] == column)
            return ap__jr_fail(jr, node, path, "column \"%s\" is named twice "
                               "in the rule", t->columns[column]);
    rule->operands[rule->n_operands] = column;
    rule->signs[rule->n_operands] = sign;
    rule->n_operands++;
    return AP_OK;
}

/* One name of a rule's text: "quoted" or running up to the next " = ",
 * " + " or " - " (or the end), without surrounding blanks. */
static int next_name(const char **at, const char **name, size_t *len)
{
    const char *s = *at;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '"') {
        const char *close = strchr(s + 1, '"');
        if (close == NULL)
            return 0;
        *name = s + 1;
        *len = (size_t)(close - s - 1);
        *at = close + 1;
        return 1;
    }
    const char *end = s + strlen(s);
    static const char *const seps[] = {" = ", " + ", " - "};
    for (size_t i = 0; i < 3; i++) {
        const char *hit = strstr(s, seps[i]);
        if (hit != NULL && hit < end)
            end = hit;
    }
    const char *stop = end;
    while (stop > s && (stop[-1] == ' ' || stop[-1] == '\t'))
        stop--;
    *name = s;
    *len = (size_t)(stop - s);
    *at = end;
    return 1;
}

/* "Forecast Outturn = Gross Outturn + Less Covid Funding". */
static ap_status read_rule_text(ap__jr *jr, ap_audit_table *t,
                                const cJSON *node, const char *path,
                                ap__table_rule *rule)
{
    const char *s = node->valuestring;
    const char *name;
    size_t len;
    int shown = ap__utf8_prefix(s, strlen(s), 120);
    const char *form = "a rule reads \"Column = Column + Column - Column\", "
                       "with a space each side of = + and -, and a name in "
                       "double quotes when it contains them";
    size_t count = 0; /* names read so far */
    int sign = 1;
    ap_status st;
    for (;;) {
        if (!next_name(&s, &name, &len))
            return ap__jr_fail(jr, node, path, "\"%.*s\": a quoted column "
                               "name has no closing quote; %s",
                               shown, node->valuestring, form);
        if (len == 0)
            return ap__jr_fail(jr, node, path, "\"%.*s\": expected a column "
                               "name %s; %s",
                               shown, node->valuestring,
                               count == 0 ? "before \"=\"" : "after an "
                               "operator", form);
        size_t column;
        if ((st = find_column(jr, t, node, path, name, len, &column)))
            return st;
        if (count == 0)
            rule->target = column;
        else if ((st = add_operand(jr, t, rule, node, path, column, sign)))
            return st;
        count++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        char op = *s++;
        if (op != '=' && op != '+' && op != '-')
            return ap__jr_fail(jr, node, path, "\"%.*s\": expected = + or - "
                               "after column \"%.*s\"; %s",
                               shown, node->valuestring,
                               ap__utf8_prefix(name, len, 60), name, form);
        if ((op == '=') != (count == 1))
            return ap__jr_fail(jr, node, path, "\"%.*s\": %s; %s", shown,
                               node->valuestring,
                               count == 1 ? "expected \"=\" after the stated "
                                            "column"
                                          : "only one \"=\" is allowed",
                               form);
        sign = op == '-' ? -1 : 1;
    }
    if (count < 2)
        return ap__jr_fail(jr, node, path, "\"%.*s\": expected a column, "
                           "\"=\" and the columns it is the sum of; %s",
                           shown, node->valuestring, form);
    if ((rule->text = ap__strdup(node->valuestring)) == NULL)
        return ap__jr_nomem(jr);
    return AP_OK;
}

/* Appends `name` to the text being composed, quoted when it holds what
 * the text form splits on, so the composed rule reads back the same. */
static void compose_name(char *buf, size_t size, size_t *used,
                         const char *prefix, const char *name)
{
    int quote = strstr(name, " = ") || strstr(name, " + ") ||
                strstr(name, " - ") || name[0] == '"';
    int w = snprintf(buf + *used, size - *used, quote ? "%s\"%s\"" : "%s%s",
                     prefix, name);
    if (w > 0)
        *used += (size_t)w < size - *used ? (size_t)w : size - *used - 1;
}

/* {"column": "Total", "equals": ["A", "B"], "minus": ["C"]}. */
static ap_status read_rule_columns(ap__jr *jr, ap_audit_table *t,
                                   const cJSON *obj, const char *path,
                                   ap__table_rule *rule)
{
    static const char *const keys[] = {"column", "equals", "minus", NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    char p[AP__JR_PATH_SIZE];
    const cJSON *column = ap__jr_member(obj, "column");
    ap__jr_key_path(p, path, "column");
    if (!cJSON_IsString(column))
        return ap__jr_fail(jr, column, p, "expected the name of the column "
                           "that states the sum, found %s",
                           ap__jr_type_name(column));
    if ((st = find_column(jr, t, column, p, column->valuestring,
                          strlen(column->valuestring), &rule->target)))
        return st;
    static const char *const lists[] = {"equals", "minus"};
    for (int l = 0; l < 2; l++) {
        const cJSON *arr = ap__jr_member(obj, lists[l]);
        ap__jr_key_path(p, path, lists[l]);
        if (arr == NULL) {
            if (l == 0)
                return ap__jr_fail(jr, obj, p, "missing required key "
                                   "\"equals\" (the columns added to make "
                                   "\"%s\")", column->valuestring);
            continue;
        }
        if (!cJSON_IsArray(arr) || (l == 0 && arr->child == NULL))
            return ap__jr_fail(jr, arr, p, "expected a non-empty array of "
                               "column names, found %s",
                               cJSON_IsArray(arr) ? "an empty array"
                                                  : ap__jr_type_name(arr));
        size_t i = 0;
        for (const cJSON *e = arr->child; e != NULL; e = e->next, i++) {
            char ep[AP__JR_PATH_SIZE];
            ap__jr_index_path(ep, p, i);
            if (!cJSON_IsString(e))
                return ap__jr_fail(jr, e, ep, "expected a column name, "
                                   "found %s", ap__jr_type_name(e));
            size_t c;
            if ((st = find_column(jr, t, e, ep, e->valuestring,
                                  strlen(e->valuestring), &c)) ||
                (st = add_operand(jr, t, rule, e, ep, c, l == 0 ? 1 : -1)))
                return st;
        }
    }
    char text[1024];
    size_t used = 0;
    text[0] = '\0';
    compose_name(text, sizeof text, &used, "", t->columns[rule->target]);
    for (size_t k = 0; k < rule->n_operands; k++)
        compose_name(text, sizeof text, &used,
                     k == 0 ? " = " : rule->signs[k] < 0 ? " - " : " + ",
                     t->columns[rule->operands[k]]);
    if ((rule->text = ap__strdup(text)) == NULL)
        return ap__jr_nomem(jr);
    return AP_OK;
}

/* {"row": "Prior Yr Base Budget b/fwd",
 *  "equals_previous_column_of": "Net Budget Requirement"}. */
static ap_status read_rule_previous(ap__jr *jr, ap_audit_table *t,
                                    const cJSON *obj, const char *path,
                                    ap__table_rule *rule)
{
    static const char *const keys[] = {"row", "equals_previous_column_of",
                                       NULL};
    ap_status st = ap__jr_check_object(jr, obj, path, keys);
    if (st != AP_OK)
        return st;
    rule->kind = AP__RULE_PREVIOUS_COLUMN;
    char p[AP__JR_PATH_SIZE];
    const cJSON *row = ap__jr_member(obj, "row");
    const cJSON *of = ap__jr_member(obj, "equals_previous_column_of");
    ap__jr_key_path(p, path, "equals_previous_column_of");
    if (of == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key "
                           "\"equals_previous_column_of\" (the label of the "
                           "row whose figure in the column before this row "
                           "repeats)");
    if (t->n_columns < 2)
        return ap__jr_fail(jr, obj, path, "a rule between a column and the "
                           "one before it needs at least two columns");
    const cJSON *nodes[] = {row, of};
    const char *names[] = {"row", "equals_previous_column_of"};
    size_t found[2];
    for (int i = 0; i < 2; i++) {
        ap__jr_key_path(p, path, names[i]);
        if (!cJSON_IsString(nodes[i]))
            return ap__jr_fail(jr, nodes[i], p, "expected a row label, "
                               "found %s", ap__jr_type_name(nodes[i]));
        if ((st = find_row(jr, t, nodes[i], p, nodes[i]->valuestring,
                           SIZE_MAX, &found[i])))
            return st;
    }
    rule->target = found[0];
    rule->operands[0] = found[1];
    rule->signs[0] = 1;
    rule->n_operands = 1;
    size_t size = strlen(row->valuestring) + strlen(of->valuestring) + 48;
    if ((rule->text = malloc(size)) == NULL)
        return ap__jr_nomem(jr);
    snprintf(rule->text, size, "%s = %s in the previous column",
             row->valuestring, of->valuestring);
    return AP_OK;
}

/* A rule is text or one of two objects, so each() checks its type. */
static ap_status read_rule(ap__jr *jr, const cJSON *r, const char *p,
                           size_t i, size_t n, void *ctx)
{
    ap_audit_table *t = ctx;
    ap__table_rule *rule = AP__JR_ELEMENT(t->rules, t->n_rules, i, n);
    if (rule == NULL)
        return ap__jr_nomem(jr);
    /* At most every other column is a part. */
    rule->operands = calloc(t->n_columns, sizeof *rule->operands);
    rule->signs = calloc(t->n_columns, sizeof *rule->signs);
    if (rule->operands == NULL || rule->signs == NULL)
        return ap__jr_nomem(jr);
    if (cJSON_IsString(r))
        return read_rule_text(jr, t, r, p, rule);
    if (cJSON_IsObject(r) && ap__jr_member(r, "row") != NULL)
        return read_rule_previous(jr, t, r, p, rule);
    if (cJSON_IsObject(r) && ap__jr_member(r, "column") != NULL)
        return read_rule_columns(jr, t, r, p, rule);
    return ap__jr_fail(jr, r, p, "expected a rule: text such as "
                       "\"Variance = Outturn - Budget\", "
                       "{\"column\": ..., \"equals\": [...], "
                       "\"minus\": [...]}, or {\"row\": ..., "
                       "\"equals_previous_column_of\": ...}; found %s",
                       ap__jr_type_name(r));
}

static ap_status read_rules(ap__jr *jr, ap_audit_table *t, const cJSON *root)
{
    static const ap__jr_objects how = {
        .what = "an array of rules",
        .empty = NULL,
        .keys = NULL,
        .each = read_rule};
    const cJSON *arr = ap__jr_member(root, "rules");
    if (arr == NULL)
        return AP_OK;
    return ap__jr_each_object(jr, arr, "$.rules", &how, t);
}

/* ---- rates ------------------------------------------------------------- */

/* {"row": "Total KPIs", "column": "KPIs"}: one cell, by its row's label
 * and its column's name; the column may be left out when the table has
 * only one.  The cell must print a figure (a nil reads as zero). */
static ap_status read_cell_ref(ap__jr *jr, const ap_audit_table *t,
                               const cJSON *obj, const char *path,
                               const char *key, size_t *row, size_t *column)
{
    static const char *const keys[] = {"row", "column", NULL};
    char p[AP__JR_PATH_SIZE];
    ap__jr_key_path(p, path, key);
    const cJSON *ref = ap__jr_member(obj, key);
    if (ref == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"%s\" (the "
                           "cell of the rate's %s: {\"row\": <label>, "
                           "\"column\": <name>})", key, key);
    if (!cJSON_IsObject(ref))
        return ap__jr_fail(jr, ref, p, "expected a cell: {\"row\": <label>, "
                           "\"column\": <name>}, found %s",
                           ap__jr_type_name(ref));
    ap_status st = ap__jr_check_object(jr, ref, p, keys);
    if (st != AP_OK)
        return st;
    char q[AP__JR_PATH_SIZE];
    const cJSON *r = ap__jr_member(ref, "row");
    ap__jr_key_path(q, p, "row");
    if (r == NULL)
        return ap__jr_fail(jr, ref, q, "missing required key \"row\" (the "
                           "label of the cell's row)");
    if (!cJSON_IsString(r))
        return ap__jr_fail(jr, r, q, "expected a row label, found %s",
                           ap__jr_type_name(r));
    if ((st = find_row(jr, t, r, q, r->valuestring, SIZE_MAX, row)))
        return st;
    const cJSON *c = ap__jr_member(ref, "column");
    ap__jr_key_path(q, p, "column");
    if (c == NULL) {
        if (t->n_columns != 1) {
            char list[300];
            list_columns(t, list, sizeof list);
            return ap__jr_fail(jr, ref, q, "missing required key \"column\": "
                               "the table has %zu columns (%s); it may be "
                               "left out only when there is one",
                               t->n_columns, list);
        }
        *column = 0;
    } else {
        if (!cJSON_IsString(c))
            return ap__jr_fail(jr, c, q, "expected a column name, found %s",
                               ap__jr_type_name(c));
        if ((st = find_column(jr, t, c, q, c->valuestring,
                              strlen(c->valuestring), column)))
            return st;
    }
    const ap__table_cell *cell = ap__table_at(t, *row, *column);
    if (cell->kind == AP__CELL_BLANK)
        return ap__jr_fail(jr, ref, p, "the cell of row \"%.*s\", column "
                           "\"%s\" is empty: a rate is checked against "
                           "printed figures",
                           ap__utf8_prefix(t->rows[*row].label,
                                           strlen(t->rows[*row].label), 80),
                           t->rows[*row].label, t->columns[*column]);
    return AP_OK;
}

/* {"label": ..., "stated": "78.3%", "numerator": {cell},
 *  "denominator": {cell}, "note": ...}. */
static ap_status read_rate(ap__jr *jr, const cJSON *obj, const char *path,
                           size_t i, size_t n, void *ctx)
{
    ap_audit_table *t = ctx;
    ap__table_rate *rate = AP__JR_ELEMENT(t->rates, t->n_rates, i, n);
    if (rate == NULL)
        return ap__jr_nomem(jr);
    char p[AP__JR_PATH_SIZE];
    ap_status st;
    if ((st = ap__jr_string(jr, obj, path, "label", 1, NULL, &rate->label)))
        return st;
    if (is_blank_text(rate->label, strlen(rate->label))) {
        ap__jr_key_path(p, path, "label");
        return ap__jr_fail(jr, ap__jr_member(obj, "label"), p, "a rate's "
                           "label cannot be empty: findings name the rate "
                           "by it");
    }
    const cJSON *note = ap__jr_member(obj, "note");
    if (note != NULL && !cJSON_IsString(note)) {
        ap__jr_key_path(p, path, "note");
        return ap__jr_fail(jr, note, p, "expected a string, found %s",
                           ap__jr_type_name(note));
    }
    const cJSON *stated = ap__jr_member(obj, "stated");
    ap__jr_key_path(p, path, "stated");
    if (stated == NULL)
        return ap__jr_fail(jr, obj, p, "missing required key \"stated\" (the "
                           "rate as printed: \"78.3%%\" or \"0.783\")");
    if (!cJSON_IsString(stated))
        return ap__jr_fail(jr, stated, p, "expected the rate as printed, as "
                           "text (\"78.3%%\" or \"0.783\"), found %s",
                           ap__jr_type_name(stated));
    /* Read now, so that a rate that does not read is refused at its path
     * rather than when the table is checked. */
    ap_audit_finding probe;
    if (ap_audit_rate(1, 1, stated->valuestring, (size_t)-1, &probe,
                      jr->err) != AP_OK)
        return ap__jr_refail(jr, stated, p);
    ap_audit_finding_clear(&probe);
    if ((rate->stated = ap__strdup(stated->valuestring)) == NULL)
        return ap__jr_nomem(jr);
    if ((st = read_cell_ref(jr, t, obj, path, "numerator", &rate->num_row,
                            &rate->num_column)) ||
        (st = read_cell_ref(jr, t, obj, path, "denominator", &rate->den_row,
                            &rate->den_column)))
        return st;
    if (ap__table_at(t, rate->den_row, rate->den_column)->value == 0) {
        ap__jr_key_path(p, path, "denominator");
        return ap__jr_fail(jr, ap__jr_member(obj, "denominator"), p,
                           "the denominator's cell (row \"%.*s\", column "
                           "\"%s\") is zero: no rate is a share of nothing",
                           ap__utf8_prefix(t->rows[rate->den_row].label,
                                           strlen(t->rows[rate->den_row]
                                                      .label), 80),
                           t->rows[rate->den_row].label,
                           t->columns[rate->den_column]);
    }
    /* "Met / Total KPIs as a percentage", naming columns only when the
     * table has more than one. */
    int one = t->n_columns == 1;
    const char *num = t->rows[rate->num_row].label;
    const char *den = t->rows[rate->den_row].label;
    const char *nc = t->columns[rate->num_column];
    const char *dc = t->columns[rate->den_column];
    size_t size = strlen(num) + strlen(den) + strlen(nc) + strlen(dc) + 48;
    if ((rate->text = malloc(size)) == NULL)
        return ap__jr_nomem(jr);
    snprintf(rate->text, size, "%s%s%s%s / %s%s%s%s as %s", num,
             one ? "" : " (", one ? "" : nc, one ? "" : ")", den,
             one ? "" : " (", one ? "" : dc, one ? "" : ")",
             strchr(rate->stated, '%') ? "a percentage" : "a rate");
    return AP_OK;
}

static ap_status read_rates(ap__jr *jr, ap_audit_table *t, const cJSON *root)
{
    static const char *const keys[] = {"label", "stated", "numerator",
                                       "denominator", "note", NULL};
    static const ap__jr_objects how = {
        .what = "an array of rates",
        .empty = NULL,
        .keys = keys,
        .each = read_rate};
    const cJSON *arr = ap__jr_member(root, "rates");
    if (arr == NULL)
        return AP_OK;
    return ap__jr_each_object(jr, arr, "$.rates", &how, t);
}

/* ---- the root --------------------------------------------------------- */

/* The root object's keys (checked by ap__jr_parse_model with its
 * "format" before read_root runs). */
static const char *const table_keys[] = {"$schema", "format", "title",
                                         "source",  "unit",   "decimals",
                                         "note",    "columns", "rules",
                                         "rows",    "rates",  NULL};

static ap_status fill_rows(ap__jr *jr, ap_audit_table *t,
                           const ap_table_rows *rows);

/* The root, its rows from the JSON's "rows" or, when given, from rows. */
static ap_status read_root_with(ap__jr *jr, ap_audit_table *t,
                                const ap_table_rows *rows)
{
    const cJSON *root = jr->root;
    ap_status st;
    const cJSON *schema = ap__jr_member(root, "$schema");
    if (schema != NULL && !cJSON_IsString(schema))
        return ap__jr_fail(jr, schema, "$.$schema", "expected a string, "
                           "found %s", ap__jr_type_name(schema));
    const cJSON *note = ap__jr_member(root, "note");
    if (note != NULL && !cJSON_IsString(note) && !cJSON_IsArray(note))
        return ap__jr_fail(jr, note, "$.note", "expected text or an array "
                           "of text, found %s", ap__jr_type_name(note));
    if (note != NULL && cJSON_IsArray(note)) {
        size_t i = 0;
        for (const cJSON *e = note->child; e != NULL; e = e->next, i++) {
            char p[AP__JR_PATH_SIZE];
            ap__jr_index_path(p, "$.note", i);
            if (!cJSON_IsString(e))
                return ap__jr_fail(jr, e, p, "expected text, found %s",
                                   ap__jr_type_name(e));
        }
    }
    if ((st = ap__jr_string(jr, root, "$", "title", 0, "", &t->title)) ||
        (st = ap__jr_string(jr, root, "$", "source", 0, "", &t->origin)) ||
        (st = ap__jr_string(jr, root, "$", "unit", 0, "", &t->unit)))
        return st;
    t->decimals = -1;
    const cJSON *decimals = ap__jr_member(root, "decimals");
    if (decimals != NULL) {
        int64_t d;
        if ((st = ap__jr_integer(jr, decimals, "$.decimals", &d)))
            return st;
        if (d < 0 || d > AP_FIGURE_MAX_DECIMALS)
            return ap__jr_fail(jr, decimals, "$.decimals", "expected the "
                               "number of digits printed after the point, 0 "
                               "to %d, found %lld",
                               AP_FIGURE_MAX_DECIMALS, (long long)d);
        t->decimals = (int)d;
    }
    /* Rows name columns' count, rules name columns and rows. */
    if ((st = read_columns(jr, t, root)) ||
        (st = rows != NULL ? fill_rows(jr, t, rows) : read_rows(jr, t, root)) ||
        (st = read_rules(jr, t, root)) || (st = read_rates(jr, t, root)))
        return st;
    return AP_OK;
}

static ap_status read_root(ap__jr *jr, void *model)
{
    return read_root_with(jr, model, NULL);
}

/* ---- rows given as arrays ---------------------------------------------- */

/* The rows as read_rows would read them from JSON holding the same
 * labels, signs, totals ("above", "all") and figures. */
static ap_status fill_rows(ap__jr *jr, ap_audit_table *t,
                           const ap_table_rows *g)
{
/* "$.rows[r]", written only for a message. */
#define ROW_PATH (ap__jr_index_path(p, "$.rows", r), p)
    const cJSON *root = jr->root;
    if (ap__jr_member(root, "rows") != NULL)
        return ap__jr_fail(jr, ap__jr_member(root, "rows"), "$.rows",
                           "the rows are given as arrays: the text holds "
                           "the rest of the table");
    if (g->n_rows == 0)
        return ap__jr_fail(jr, root, "$.rows", "expected at least one row");
    if (g->n_values != t->n_columns)
        return ap__jr_fail(jr, root, "$.rows", "expected %zu values in each "
                           "row, one per column, found %zu", t->n_columns,
                           g->n_values);
    size_t n = g->n_rows, nc = t->n_columns;
    if ((t->rows = calloc(n, sizeof *t->rows)) == NULL ||
        (t->cells = calloc(n, nc * sizeof *t->cells)) == NULL)
        return ap__jr_nomem(jr);
    size_t last_total = SIZE_MAX, n_items = 0;
    for (size_t r = 0; r < n; r++) {
        ap__table_row *row = &t->rows[r];
        char p[AP__JR_PATH_SIZE];
        if ((row->label = ap__strdup(g->labels[r])) == NULL)
            return ap__jr_nomem(jr);
        t->n_rows = r + 1;
        if (is_blank_text(row->label, strlen(row->label)))
            return ap__jr_fail(jr, root, ROW_PATH, "a row label cannot be empty: "
                               "totals and findings name rows by their "
                               "labels");
        if (g->signs[r] != 1 && g->signs[r] != -1)
            return ap__jr_fail(jr, root, ROW_PATH, "expected a sign of 1 or -1, "
                               "found %d", g->signs[r]);
        row->sign = g->signs[r];
        for (size_t c = 0; c < nc; c++) {
            size_t at = r * nc + c;
            int kind = g->kinds[at], d = g->decimals[at];
            if (kind != AP__CELL_BLANK && kind != AP__CELL_NIL &&
                kind != AP__CELL_FIGURE)
                return ap__jr_fail(jr, root, ROW_PATH, "value %zu: kind %d is not "
                                   "a blank, a nil or a figure", c, kind);
            if (d > AP_FIGURE_MAX_DECIMALS ||
                (kind != AP__CELL_FIGURE && (d != 0 || g->values[at] != 0)))
                return ap__jr_fail(jr, root, ROW_PATH, "value %zu: %d decimals is "
                                   "outside 0..%d, or a blank or nil has "
                                   "digits", c, d, AP_FIGURE_MAX_DECIMALS);
            if (t->decimals >= 0 && d > t->decimals)
                return ap__jr_fail(jr, root, ROW_PATH, "value %zu has %d decimals "
                                   "but the table's \"decimals\" says every "
                                   "figure is printed to %d", c, d,
                                   t->decimals);
            t->cells[at] = (ap__table_cell){g->values[at], d, kind, NULL};
        }
        switch (g->totals[r]) {
        case 0:
            row->kind = AP__ROW_ITEM;
            n_items++;
            continue;
        case 1:
            row->kind = AP__ROW_ABOVE;
            row->from = last_total == SIZE_MAX ? 0 : last_total + 1;
            row->to = r;
            if (row->from == row->to)
                return ap__jr_fail(jr, root, ROW_PATH, "\"above\" sums the item "
                                   "rows since the previous total row (or "
                                   "the top of the table), and there are "
                                   "none");
            break;
        case 2:
            row->kind = AP__ROW_ALL;
            if (n_items == 0)
                return ap__jr_fail(jr, root, ROW_PATH, "\"all\" sums every item "
                                   "row above this one, and there are none");
            break;
        default:
            return ap__jr_fail(jr, root, ROW_PATH, "total %d is not 0 (an item), 1 "
                               "(\"above\") or 2 (\"all\")", g->totals[r]);
        }
        last_total = r;
    }
    return AP_OK;
}
#undef ROW_PATH

ap_status ap_audit_table_parse_rows(const char *text, size_t len,
                                    const char *source,
                                    const ap_table_rows *rows,
                                    ap_audit_table **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_parse_rows: out is NULL");
    *out = NULL;
    if (text == NULL || rows == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_parse_rows: no text or no rows");
    if (source == NULL)
        source = table_format.anonymous;
    ap__jr jr;
    ap_status st = ap__jr_open(&jr, &table_format, text, len, source, err);
    if (st != AP_OK)
        return st;
    ap_audit_table *t = calloc(1, sizeof *t);
    if (t == NULL || (t->source = ap__strdup(jr.source)) == NULL)
        st = ap__jr_nomem(&jr);
    else if ((st = ap__jr_check_object(&jr, jr.root, "$", table_keys)) ==
                 AP_OK &&
             (st = ap__jr_check_tag(&jr, jr.root)) == AP_OK)
        st = read_root_with(&jr, t, rows);
    ap__jr_close(&jr);
    if (st != AP_OK) {
        ap_audit_table_free(t);
        return st;
    }
    *out = t;
    return AP_OK;
}

/* ---- entry points ----------------------------------------------------- */

AP__JR_ENTRY_POINTS(ap_audit_table, ap_audit_table_parse,
                    ap_audit_table_load, ap_audit_table_free,
                    table_format, read_root, table_keys, 1)

void ap_audit_table_free(ap_audit_table *table)
{
    if (table == NULL)
        return;
    free(table->source);
    free(table->title);
    free(table->origin);
    free(table->unit);
    for (size_t i = 0; i < table->n_columns; i++)
        free(table->columns[i]);
    free(table->columns);
    for (size_t i = 0; i < table->n_rows; i++) {
        free(table->rows[i].label);
        free(table->rows[i].list);
    }
    free(table->rows);
    /* Rows are counted before their cells are read, and the cells were
     * allocated zeroed for every row, so each has a printed or NULL. */
    for (size_t i = 0; table->cells != NULL &&
                       i < table->n_rows * table->n_columns;
         i++)
        if (table->cells[i].printed != NULL) {
            free(table->cells[i].printed->text);
            free(table->cells[i].printed);
        }
    free(table->cells);
    for (size_t i = 0; i < table->n_rules; i++) {
        free(table->rules[i].text);
        free(table->rules[i].operands);
        free(table->rules[i].signs);
    }
    free(table->rules);
    for (size_t i = 0; i < table->n_rates; i++) {
        free(table->rates[i].label);
        free(table->rates[i].stated);
        free(table->rates[i].text);
    }
    free(table->rates);
    free(table);
}
