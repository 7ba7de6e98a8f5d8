/* The audit of a whole printed table: every stated total and every rule
 * checked with ap_audit_sum, then each total row looked at across its
 * columns for a reclassification; then each printed rate against the
 * cells it is a rate of (ap_audit_rate).
 *
 * Cells that are empty (blank) or a printed nil count as zero.  Neither
 * has printed digits of its own, so each takes the finest precision among
 * the figures of its check: a "-" beside "0.410" is 0.000, not 0 give or
 * take a half.  A blank stated figure is not checked. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/audit.h"
#include "audit/audit_cut_off.h"
#include "audit/audit_report.h"
#include "audit/audit_table_internal.h"
#include "base/base.h"
#include "base/text.h"

#define NONE ((size_t)-1)

/* ---- text ------------------------------------------------------------- */

/* How many bytes of a label a message quotes ("%.*s"): at most 80, never
 * cutting a character. */
static int quoted(const char *s)
{
    return ap__utf8_prefix(s, strlen(s), 80);
}

/* "rows 3-8" or "row 3", 1-based as a reader counts the printed rows. */
static void tb_rows(struct ap_text *b, size_t first, size_t last, int plural_word)
{
    if (first == last)
        ap__text_append(b, "%s%zu", plural_word ? "row " : "", first + 1);
    else
        ap__text_append(b, "%s%zu-%zu", plural_word ? "rows " : "", first + 1,
                  last + 1);
}

/* What a total row is checked against: "Total = sum of rows 1-6",
 * "Total = rows 1-5 - row 6", "Net = Base + Growth + Savings", or for a
 * long run of rows a count of them. */
static char *total_check_text(const ap_audit_table *t, size_t r,
                              const size_t *cover, size_t n)
{
    const ap__table_row *row = &t->rows[r];
    struct ap_text b = {0};
    ap__text_append(&b, "%s = ", row->label);
    if (row->kind == AP__ROW_LIST) {
        for (size_t k = 0; k < n; k++) {
            int sign = t->rows[cover[k]].sign;
            ap__text_append(&b, "%s%s", k == 0 ? (sign < 0 ? "-" : "")
                                         : (sign < 0 ? " - " : " + "),
                      t->rows[cover[k]].label);
        }
        return ap__text_take(&b);
    }
    /* Runs of consecutive rows with one sign. */
    size_t segments = 0, negatives = 0;
    for (size_t k = 0; k < n; k++) {
        negatives += t->rows[cover[k]].sign < 0;
        if (k == 0 || cover[k] != cover[k - 1] + 1 ||
            t->rows[cover[k]].sign != t->rows[cover[k - 1]].sign)
            segments++;
    }
    if (segments > 6) {
        if (row->kind == AP__ROW_ABOVE)
            ap__text_append(&b, "sum of the %zu item rows %zu-%zu", n, row->from + 1,
                      row->to);
        else
            ap__text_append(&b, "sum of every item row above (%zu rows)", n);
        if (negatives)
            ap__text_append(&b, ", %zu of them subtracted", negatives);
        return ap__text_take(&b);
    }
    if (negatives == 0)
        ap__text_append(&b, "sum of ");
    int words = 1;
    for (size_t k = 0; k < n;) {
        size_t end = k;
        int sign = t->rows[cover[k]].sign;
        while (end + 1 < n && cover[end + 1] == cover[end] + 1 &&
               t->rows[cover[end + 1]].sign == sign)
            end++;
        if (negatives == 0)
            ap__text_append(&b, "%s", k == 0 ? "" : ", ");
        else
            ap__text_append(&b, "%s", k == 0 ? (sign < 0 ? "-" : "")
                                       : (sign < 0 ? " - " : " + "));
        tb_rows(&b, cover[k], cover[end], words || negatives);
        words = 0;
        k = end + 1;
    }
    return ap__text_take(&b);
}

/* ---- one check ----------------------------------------------------------- */

/* Room for the parts of any one check. */
typedef struct scratch {
    ap_figure *items;
    int *signs;
    const char **labels;
    unsigned char *kinds; /* ap__cell_kind of each part */
    const ap__table_cell **cells; /* each part's cell */
    size_t *cover;        /* a total's rows */
    /* Nonzero: checks whose figures agree exactly are added with their
     * strings borrowed (ap__report_add_plain), and the texts of total
     * checks are kept in texts[0..n_texts) to outlive the report. */
    int lazy;
    char **texts;
    size_t n_texts, cap_texts;
    /* Per column, over a total's rows in one pass: the signed sum of the
     * printed digits, the fewest and most decimals of its figures, and
     * whether every cell is whole. */
    ap__i128 *col_sum;
    int *col_dmin, *col_dmax;
    unsigned char *col_whole;
} scratch;

/* Keeps a total check's text for the borrowed findings: 0 on no memory. */
static int keep_text(scratch *s, char *text)
{
    if (s->n_texts == s->cap_texts) {
        size_t cap = s->cap_texts ? 2 * s->cap_texts : 64;
        char **grown = realloc(s->texts, cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        s->texts = grown;
        s->cap_texts = cap;
    }
    s->texts[s->n_texts++] = text;
    return 1;
}

/* 10^k for 0 <= k <= 18, without a call per figure. */
static const int64_t powers_of_ten[19] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
    1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000,
    100000000000000, 1000000000000000, 10000000000000000,
    100000000000000000, 1000000000000000000};

/* When the figures of a check agree exactly, what ap_audit_sum would find
 * (status ok, cause none) without its search: the common scale, the
 * stated figure at it and the rounding allowed, and 1; else 0 (they
 * differ, or a figure does not fit int64 at the scale), and the caller
 * runs ap_audit_sum.  Blanks and nils are placed already.  The rounding
 * allowed is half the sum of the printed units (ap_audit_sum's
 * tolerance): each figure's unit is 10^(scale - its decimals), or of the
 * table's decimals when it states them. */
static int agrees_exactly(const ap_audit_table *t, const scratch *s, size_t n,
                          const ap_figure *stated, int *scale_out,
                          int64_t *stated_out, int64_t *tolerance_out)
{
    if (n == 0)
        return 0;
    int scale = t->decimals, same = 1;
    if (stated->decimals > scale)
        scale = stated->decimals;
    for (size_t k = 0; k < n; k++) {
        if (s->items[k].decimals > scale)
            scale = s->items[k].decimals;
        same &= s->items[k].decimals == stated->decimals;
    }
    if (scale < 0 || scale > AP_FIGURE_MAX_DECIMALS || stated->decimals < 0)
        return 0;
    ap__i128 sum = 0, res = 0, sv;
    if (same && stated->decimals == scale &&
        (t->decimals < 0 || t->decimals == scale)) {
        /* Every figure at the one scale: each unit is 1. */
        for (size_t k = 0; k < n; k++)
            sum += s->signs[k] * (ap__i128)s->items[k].value;
        res = (ap__i128)n + 1;
        sv = stated->value;
    } else {
        for (size_t k = 0; k < n; k++) {
            int d = s->items[k].decimals;
            if (d < 0)
                return 0;
            ap__i128 v = (ap__i128)s->items[k].value * powers_of_ten[scale - d];
            if (!ap__fits_i64(v))
                return 0;
            sum += s->signs[k] * v;
            res += powers_of_ten[scale - (t->decimals >= 0 ? t->decimals : d)];
        }
        sv = (ap__i128)stated->value * powers_of_ten[scale - stated->decimals];
        res += powers_of_ten[scale - (t->decimals >= 0 ? t->decimals
                                                       : stated->decimals)];
    }
    if (!ap__fits_i64(sv) || !ap__fits_i64(sum) || sv != sum)
        return 0;
    ap__i128 tol = res / 2;
    *scale_out = scale;
    *stated_out = (int64_t)sv;
    *tolerance_out = ap__fits_i64(tol) ? (int64_t)tol : INT64_MAX;
    return 1;
}

static ap_figure cell_figure(const ap__table_cell *c)
{
    return (ap_figure){c->value, c->decimals};
}

/* Gives blanks and nils among the n parts (kinds) and the stated figure
 * the finest precision printed in the check. */
static void place_zeros(ap_figure *items, const unsigned char *kinds,
                        size_t n, ap_figure *stated, int stated_kind)
{
    int finest = stated_kind == AP__CELL_FIGURE ? stated->decimals : 0;
    for (size_t k = 0; k < n; k++)
        if (kinds[k] == AP__CELL_FIGURE && items[k].decimals > finest)
            finest = items[k].decimals;
    for (size_t k = 0; k < n; k++)
        if (kinds[k] != AP__CELL_FIGURE)
            items[k] = (ap_figure){0, finest};
    if (stated_kind != AP__CELL_FIGURE)
        *stated = (ap_figure){0, finest};
}

static char *pair_label(const char *a, const char *b)
{
    struct ap_text t = {0};
    ap__text_append(&t, "%s, %s", a, b);
    return ap__text_take(&t);
}

/* ---- cells cut off or not legible ---------------------------------------- */

/* "is not legible" or "is cut off (\"52,91…\")" of a cell not whole. */
static void not_whole_text(struct ap_text *b, const ap__table_cell *cell)
{
    if (cell->kind == AP__CELL_ILLEGIBLE)
        ap__text_append(b, "is not legible");
    else
        ap__text_append(b, "is cut off (\"%s\")", cell->printed->text);
}

/* value at `decimals` brought to `scale` (>= decimals) into *out; 0 when
 * it does not fit int64. */
static int at_scale(int64_t value, int decimals, int scale, ap__i128 *out)
{
    if (scale - decimals > 18)
        return 0;
    ap__i128 v = (ap__i128)value * ap__pow10(scale - decimals);
    *out = v;
    return ap__fits_i64(v);
}

/* A check one of whose figures is cut off or not legible (the stated one
 * at (row, column), or one of the scratch's n parts).  With one figure
 * cut off and the rest whole, it is checked for consistency: whether the
 * others leave it a value its legible prefix allows, within the rounding
 * of the whole figures printed (audit_cut_off.h).  Otherwise, with a
 * figure not legible or more than one cut off, the finding says the check
 * cannot be made and why. */
static ap_status audit_partly_legible(const ap_audit_table *t,
                                      ap_audit_report *rep, scratch *s,
                                      size_t n, ap__report_where *where,
                                      ap_error *err)
{
    const ap__table_cell *stated = ap__table_at(t, where->row, where->column);
    size_t n_cut = 0, cut = NONE, unread = NONE;
    int stated_cut = stated->kind == AP__CELL_CUT_OFF;
    n_cut += (size_t)stated_cut;
    for (size_t k = 0; k < n; k++) {
        if (s->kinds[k] == AP__CELL_CUT_OFF) {
            n_cut++;
            cut = k;
        } else if (s->kinds[k] == AP__CELL_ILLEGIBLE && unread == NONE) {
            unread = k;
        }
    }
    ap_audit_finding f;
    ap_status st;
    if (stated->kind == AP__CELL_ILLEGIBLE || unread != NONE || n_cut > 1) {
        struct ap_text why = {0};
        if (stated->kind == AP__CELL_ILLEGIBLE) {
            ap__text_append(&why, "the stated figure ");
            not_whole_text(&why, stated);
        } else if (unread != NONE) {
            ap__text_append(&why, "the figure of %s ", s->labels[unread]);
            not_whole_text(&why, s->cells[unread]);
        } else {
            ap__text_append(&why, "more than one of its figures is cut "
                            "off: ");
            const char *sep = "";
            if (stated_cut) {
                ap__text_append(&why, "the stated figure (\"%s\")",
                                stated->printed->text);
                sep = ", ";
            }
            for (size_t k = 0; k < n; k++)
                if (s->kinds[k] == AP__CELL_CUT_OFF) {
                    ap__text_append(&why, "%s%s (\"%s\")", sep, s->labels[k],
                                    s->cells[k]->printed->text);
                    sep = ", ";
                }
        }
        char *text = ap__text_take(&why);
        if (text == NULL)
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory checking a table");
        st = ap__unchecked_finding(where->check, text, &f, err);
        free(text);
        if (st != AP_OK)
            return st;
        return ap__report_add(rep, where, &f, err);
    }

    /* One figure cut off: the common scale of the whole ones and the
     * cut one's printed point, and the rounding the whole ones allow. */
    int scale = t->decimals >= 0 ? t->decimals : 0;
    const ap__table_cell *cut_cell = stated_cut ? stated : s->cells[cut];
    if (cut_cell->printed->decimals > scale)
        scale = cut_cell->printed->decimals;
    if (!stated_cut && stated->kind == AP__CELL_FIGURE &&
        stated->decimals > scale)
        scale = stated->decimals;
    for (size_t k = 0; k < n; k++)
        if (s->kinds[k] == AP__CELL_FIGURE && s->items[k].decimals > scale)
            scale = s->items[k].decimals;
    ap__i128 sum = 0, res = 0, v = 0;
    int fits = 1;
    for (size_t k = 0; k < n && fits; k++) {
        if (k == cut && !stated_cut)
            continue;
        if (s->kinds[k] != AP__CELL_FIGURE)
            continue; /* blanks and nils: exactly zero */
        fits = at_scale(s->items[k].value, s->items[k].decimals, scale, &v);
        sum += s->signs[k] * v;
        int rd = t->decimals >= 0 ? t->decimals : s->items[k].decimals;
        res += ap__pow10(scale - rd);
    }
    ap__i128 stated_v = 0;
    if (fits && !stated_cut && stated->kind == AP__CELL_FIGURE) {
        fits = at_scale(stated->value, stated->decimals, scale, &stated_v);
        int rd = t->decimals >= 0 ? t->decimals : stated->decimals;
        res += ap__pow10(scale - rd);
    }
    ap_printed_figure pf = *cut_cell->printed;
    pf.unit_pence = ap__pow10(scale);
    if (!stated_cut && s->signs[cut] < 0)
        pf.negative = !pf.negative;
    int64_t lo, hi;
    if (!fits || !ap__fits_i64(sum) ||
        !ap__cut_off_range(&pf, stated_cut ? 0 : (int64_t)sum, 0, &lo, &hi))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "$.rows[%zu] (\"%.*s\"), column \"%.*s\": the "
                            "figures of \"%.*s\" are too large for a 64-bit "
                            "integer at %d decimals",
                            where->row, quoted(where->row_label),
                            where->row_label, quoted(where->column_label),
                            where->column_label, quoted(where->check),
                            where->check, scale);
    ap__figure_style style = {"", "", scale};
    int64_t tolerance = (int64_t)(res / 2);
    if (stated_cut) {
        st = ap__cut_off_finding(&pf, 0, 0, (int64_t)sum, tolerance, &style,
                                 "the stated figure", "the computed",
                                 where->check, &f, err);
    } else {
        struct ap_text what = {0};
        ap__text_append(&what, "%s", s->labels[cut]);
        char *label = ap__text_take(&what);
        if (label == NULL)
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory checking a table");
        st = ap__cut_off_finding(&pf, (int64_t)sum, 1, (int64_t)stated_v,
                                 tolerance, &style, label,
                                 "the stated figure", where->check, &f, err);
        free(label);
        /* The stated figure is the whole one; the sum is what the cut
         * item lets it be. */
        int64_t nearest = f.stated;
        f.stated = f.computed;
        f.computed = nearest;
        f.difference = -f.difference;
    }
    if (st != AP_OK)
        return st;
    return ap__report_add(rep, where, &f, err);
}

/* Appends a check whose figures agree exactly: ap_audit_sum's finding
 * (status ok, cause none) without its search, borrowing its strings when
 * the scratch is lazy. */
static ap_status add_agreeing(const ap_audit_table *t, ap_audit_report *rep,
                              const scratch *s, ap_table_check_kind kind,
                              size_t row, size_t column, const char *check,
                              int scale, int64_t stated, int64_t tolerance,
                              ap_error *err)
{
    ap__report_where where = {kind, row, column, t->rows[row].label,
                              t->columns[column], check, NULL, NULL};
    if (s->lazy)
        return ap__report_add_plain(rep, &where, scale, stated, tolerance,
                                    err);
    ap_audit_finding f;
    memset(&f, 0, sizeof f);
    f.status = AP_AUDIT_OK;
    f.cause = AP_CAUSE_NONE;
    f.item = AP_AUDIT_NO_ITEM;
    f.scale = scale;
    f.stated = f.computed = stated;
    f.tolerance = tolerance;
    f.suggestion = ap__strdup(ap__report_agree_text);
    if (f.suggestion == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    return ap__report_add(rep, &where, &f, err);
}

/* Runs ap_audit_sum on the scratch's n parts against the stated cell at
 * (row, column) and appends the finding to the report. */
static ap_status audit_one(const ap_audit_table *t, ap_audit_report *rep,
                           scratch *s, size_t n, ap_table_check_kind kind,
                           size_t row, size_t column, const char *check,
                           ap_error *err)
{
    const ap__table_cell *cell = ap__table_at(t, row, column);
    const char *row_label = t->rows[row].label;
    const char *column_label = t->columns[column];
    int whole = ap__cell_whole(cell->kind);
    for (size_t k = 0; k < n; k++)
        whole &= ap__cell_whole(s->kinds[k]);
    if (!whole) {
        ap__report_where at = {kind, row, column, row_label, column_label,
                               check, NULL, NULL};
        return audit_partly_legible(t, rep, s, n, &at, err);
    }
    ap_figure stated = cell_figure(cell);
    place_zeros(s->items, s->kinds, n, &stated, cell->kind);
    int scale;
    int64_t stated_v, tolerance;
    if (agrees_exactly(t, s, n, &stated, &scale, &stated_v, &tolerance))
        return add_agreeing(t, rep, s, kind, row, column, check, scale,
                            stated_v, tolerance, err);
    char *stated_label = pair_label(row_label, column_label);
    if (stated_label == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    ap_audit_options o = ap_audit_defaults();
    o.decimals = t->decimals;
    o.labels = s->labels;
    o.stated_label = stated_label;
    ap_audit_finding f;
    ap_status st = ap_audit_sum(s->items, s->signs, n, &stated, &o, &f, err);
    free(stated_label);
    if (st != AP_OK) {
        if (err != NULL) {
            char inner[AP_ERROR_MESSAGE_SIZE];
            snprintf(inner, sizeof inner, "%s", err->message);
            ap_error_set(err, st, "$.rows[%zu] (\"%.*s\"), column \"%.*s\": "
                         "%s", row, quoted(row_label), row_label,
                         quoted(column_label), column_label, inner);
        }
        return st;
    }
    ap__report_where where = {kind, row, column, row_label, column_label,
                              check, NULL, NULL};
    return ap__report_add(rep, &where, &f, err);
}

/* The rows total row r states the sum of, into s->cover (or pointed at
 * the running list of item rows for "all"). */
static const size_t *total_cover(const ap_audit_table *t, size_t r,
                                 scratch *s, const size_t *item_rows,
                                 size_t n_items, size_t *n)
{
    const ap__table_row *row = &t->rows[r];
    switch (row->kind) {
    case AP__ROW_ABOVE:
        for (size_t k = row->from; k < row->to; k++)
            s->cover[k - row->from] = k;
        *n = row->to - row->from;
        return s->cover;
    case AP__ROW_ALL:
        *n = n_items;
        return item_rows;
    case AP__ROW_LIST:
        *n = row->n_list;
        return row->list;
    default:
        *n = 0;
        return NULL;
    }
}

/* The scratch's column sums over the total's n rows cover[], in one pass
 * along the rows (a table's cells lie row by row). */
static void column_sums(const ap_audit_table *t, scratch *s,
                        const size_t *cover, size_t n)
{
    size_t nc = t->n_columns;
    for (size_t c = 0; c < nc; c++) {
        s->col_sum[c] = 0;
        s->col_dmin[c] = AP_FIGURE_MAX_DECIMALS + 1;
        s->col_dmax[c] = -1;
        s->col_whole[c] = 1;
    }
    for (size_t k = 0; k < n; k++) {
        const ap__table_cell *row = ap__table_at(t, cover[k], 0);
        int sign = t->rows[cover[k]].sign;
        for (size_t c = 0; c < nc; c++) {
            const ap__table_cell *cell = &row[c];
            if (cell->kind == AP__CELL_FIGURE) {
                s->col_sum[c] += sign * (ap__i128)cell->value;
                if (cell->decimals < s->col_dmin[c])
                    s->col_dmin[c] = cell->decimals;
                if (cell->decimals > s->col_dmax[c])
                    s->col_dmax[c] = cell->decimals;
            } else if (!ap__cell_whole(cell->kind)) {
                s->col_whole[c] = 0;
            }
        }
    }
}

/* Whether the total of column c on row r (over n rows) agrees exactly by
 * the column sums, every figure of the check printed to the same
 * decimals: then it is added (its index in *at, the outcome in *st) and
 * 1 returned; else 0, for the check to be made figure by figure.  Blanks
 * and nils (value 0) take the figures' precision, as place_zeros gives
 * them. */
static int column_agrees(const ap_audit_table *t, ap_audit_report *rep,
                         const scratch *s, size_t r, size_t c, size_t n,
                         const char *check, size_t *at, ap_status *st,
                         ap_error *err)
{
    const ap__table_cell *stated = ap__table_at(t, r, c);
    if (n == 0 || !s->col_whole[c] || !ap__cell_whole(stated->kind))
        return 0;
    int lo = s->col_dmin[c], hi = s->col_dmax[c];
    if (stated->kind == AP__CELL_FIGURE) {
        if (stated->decimals < lo)
            lo = stated->decimals;
        if (stated->decimals > hi)
            hi = stated->decimals;
    }
    if (hi < 0)
        lo = hi = 0; /* nils and blanks only: at 0 decimals */
    if (lo != hi || (t->decimals >= 0 && t->decimals != hi))
        return 0;
    int64_t value = stated->kind == AP__CELL_FIGURE ? stated->value : 0;
    if (s->col_sum[c] != (ap__i128)value)
        return 0;
    *at = rep->n_findings;
    *st = add_agreeing(t, rep, s, AP_TABLE_CHECK_TOTAL, r, c, check, hi,
                       value, (int64_t)((n + 1) / 2), err);
    return 1;
}

static ap_status check_total_row(const ap_audit_table *t, ap_audit_report *rep,
                                 scratch *s, size_t r, const size_t *item_rows,
                                 size_t n_items, size_t *total_at,
                                 ap_error *err)
{
    size_t n;
    const size_t *cover = total_cover(t, r, s, item_rows, n_items, &n);
    char *check = NULL;
    ap_status st = AP_OK;
    column_sums(t, s, cover, n);
    for (size_t c = 0; c < t->n_columns && st == AP_OK; c++) {
        if (ap__table_at(t, r, c)->kind == AP__CELL_BLANK)
            continue;
        if (check == NULL) {
            if ((check = total_check_text(t, r, cover, n)) == NULL)
                return ap_error_set(err, AP_E_NOMEM,
                                    "out of memory checking a table");
            if (s->lazy && !keep_text(s, check)) {
                free(check);
                return ap_error_set(err, AP_E_NOMEM,
                                    "out of memory checking a table");
            }
        }
        if (column_agrees(t, rep, s, r, c, n, check, &total_at[c], &st,
                          err))
            continue;
        for (size_t k = 0; k < n; k++) {
            const ap__table_cell *cell = ap__table_at(t, cover[k], c);
            s->items[k] = cell_figure(cell);
            s->kinds[k] = (unsigned char)cell->kind;
            s->cells[k] = cell;
            s->signs[k] = t->rows[cover[k]].sign;
            s->labels[k] = t->rows[cover[k]].label;
        }
        total_at[c] = rep->n_findings;
        st = audit_one(t, rep, s, n, AP_TABLE_CHECK_TOTAL, r, c, check, err);
    }
    if (!s->lazy)
        free(check);
    return st;
}

static ap_status check_rules(const ap_audit_table *t, ap_audit_report *rep,
                             scratch *s, size_t r, size_t *rule_at,
                             ap_error *err)
{
    for (size_t k = 0; k < t->n_rules; k++) {
        const ap__table_rule *rule = &t->rules[k];
        rule_at[k] = NONE;
        if (rule->kind == AP__RULE_COLUMNS) {
            if (ap__table_at(t, r, rule->target)->kind == AP__CELL_BLANK)
                continue;
            for (size_t i = 0; i < rule->n_operands; i++) {
                const ap__table_cell *cell =
                    ap__table_at(t, r, rule->operands[i]);
                s->items[i] = cell_figure(cell);
                s->kinds[i] = (unsigned char)cell->kind;
                s->cells[i] = cell;
                s->signs[i] = rule->signs[i];
                s->labels[i] = t->columns[rule->operands[i]];
            }
            rule_at[k] = rep->n_findings;
            ap_status st = audit_one(t, rep, s, rule->n_operands,
                                     AP_TABLE_CHECK_RULE, r, rule->target,
                                     rule->text, err);
            if (st != AP_OK)
                return st;
            continue;
        }
        /* This column's figure in row `target` repeats the one in row
         * operands[0] in the column before. */
        if (rule->target != r)
            continue;
        size_t from = rule->operands[0];
        for (size_t c = 1; c < t->n_columns; c++) {
            if (ap__table_at(t, r, c)->kind == AP__CELL_BLANK)
                continue;
            const ap__table_cell *cell = ap__table_at(t, from, c - 1);
            char *label = pair_label(t->rows[from].label, t->columns[c - 1]);
            if (label == NULL)
                return ap_error_set(err, AP_E_NOMEM,
                                    "out of memory checking a table");
            s->items[0] = cell_figure(cell);
            s->kinds[0] = (unsigned char)cell->kind;
            s->cells[0] = cell;
            s->signs[0] = 1;
            s->labels[0] = label;
            ap_status st = audit_one(t, rep, s, 1, AP_TABLE_CHECK_RULE, r, c,
                                     rule->text, err);
            free(label);
            if (st != AP_OK)
                return st;
        }
    }
    return AP_OK;
}

/* ---- reclassification ---------------------------------------------------- */

/* Turns the column findings of total row r into reclassifications where
 * a column rule holds on the row but two or more of its parts' totals are
 * errors whose differences cancel (ap__report_reclassify).  members,
 * signs and allow have room for every operand of a rule and its target. */
static ap_status reclassify_row(const ap_audit_table *t, ap_audit_report *rep,
                                size_t r, const size_t *total_at,
                                const size_t *rule_at, size_t *members,
                                int *signs, size_t *allow, ap_error *err)
{
    /* Every rule across columns must hold on the total row itself. */
    for (size_t k = 0; k < t->n_rules; k++)
        if (rule_at[k] != NONE &&
            rep->findings[rule_at[k]].finding.status == AP_AUDIT_ERROR)
            return AP_OK;
    for (size_t k = 0; k < t->n_rules; k++) {
        const ap__table_rule *rule = &t->rules[k];
        if (rule->kind != AP__RULE_COLUMNS || rule_at[k] == NONE)
            continue;
        size_t target = total_at[rule->target];
        if (target == NONE ||
            rep->findings[target].finding.status == AP_AUDIT_ERROR)
            continue;
        size_t m = 0, n_allow = 0;
        allow[n_allow++] = target;
        for (size_t i = 0; i < rule->n_operands; i++) {
            size_t fi = total_at[rule->operands[i]];
            if (fi == NONE)
                continue;
            allow[n_allow++] = fi;
            if (rep->findings[fi].finding.status == AP_AUDIT_ERROR) {
                members[m] = fi;
                signs[m] = rule->signs[i];
                m++;
            }
        }
        ap_status st = ap__report_reclassify(rep, members, signs, m, allow,
                                             n_allow, rule->text,
                                             t->rows[r].label, err);
        if (st != AP_OK)
            return st;
    }
    return AP_OK;
}

/* ---- rates ----------------------------------------------------------------- */

/* Each printed rate against its two cells, by ap_audit_rate's rules: ok
 * when correctly rounded, rounding (truncation) when cut, else an error.
 * The cells are brought to one precision first, which leaves their ratio
 * as it is. */
static ap_status check_rates(const ap_audit_table *t, ap_audit_report *rep,
                             ap_error *err)
{
    for (size_t k = 0; k < t->n_rates; k++) {
        const ap__table_rate *rate = &t->rates[k];
        const ap__table_cell *num =
            ap__table_at(t, rate->num_row, rate->num_column);
        const ap__table_cell *den =
            ap__table_at(t, rate->den_row, rate->den_column);
        ap__report_where where = {
            AP_TABLE_CHECK_FIGURE, rate->num_row, rate->num_column,
            rate->label, t->columns[rate->num_column], rate->text, NULL,
            strchr(rate->stated, '%') != NULL ? "%" : NULL};
        ap_status st;
        ap_audit_finding f;
        if (!ap__cell_whole(num->kind) || !ap__cell_whole(den->kind)) {
            /* A rate of a figure not whole cannot be judged. */
            const ap__table_cell *bad = ap__cell_whole(num->kind) ? den : num;
            struct ap_text why = {0};
            ap__text_append(&why, "its %s's cell (row \"%s\", column "
                            "\"%s\") ",
                            bad == num ? "numerator" : "denominator",
                            t->rows[bad == num ? rate->num_row
                                               : rate->den_row].label,
                            t->columns[bad == num ? rate->num_column
                                                  : rate->den_column]);
            not_whole_text(&why, bad);
            char *text = ap__text_take(&why);
            if (text == NULL)
                return ap_error_set(err, AP_E_NOMEM,
                                    "out of memory checking a table");
            st = ap__unchecked_finding(rate->text, text, &f, err);
            free(text);
            if (st == AP_OK)
                st = ap__report_add(rep, &where, &f, err);
            if (st != AP_OK)
                return st;
            continue;
        }
        int scale = num->decimals > den->decimals ? num->decimals
                                                  : den->decimals;
        ap__i128 n = (ap__i128)num->value * ap__pow10(scale - num->decimals);
        ap__i128 d = (ap__i128)den->value * ap__pow10(scale - den->decimals);
        if (!ap__fits_i64(n) || !ap__fits_i64(d))
            return ap_error_set(err, AP_E_OVERFLOW, "$.rates[%zu] (\"%.*s\"): "
                                "its numerator and denominator at %d "
                                "decimals are too large to check", k,
                                quoted(rate->label), rate->label, scale);
        st = ap_audit_rate((int64_t)n, (int64_t)d, rate->stated, (size_t)-1,
                           &f, err);
        if (st != AP_OK) {
            if (err != NULL) {
                char inner[AP_ERROR_MESSAGE_SIZE];
                snprintf(inner, sizeof inner, "%s", err->message);
                ap_error_set(err, st, "$.rates[%zu] (\"%.*s\"): %s", k,
                             quoted(rate->label), rate->label, inner);
            }
            return st;
        }
        if ((st = ap__report_add(rep, &where, &f, err)) != AP_OK)
            return st;
    }
    return AP_OK;
}

/* ---- the table ------------------------------------------------------------- */

/* Every check of the table into *out; lazy as scratch.lazy, the kept
 * texts handed to *texts (lazy only; freed here on an error). */
static ap_status check_table(const ap_audit_table *t, int lazy,
                             ap_audit_report **out, char ***texts,
                             size_t *n_texts, ap_error *err)
{
    size_t room = (t->n_rows > t->n_columns ? t->n_rows : t->n_columns) + 1;
    scratch s = {
        .items = malloc(room * sizeof *s.items),
        .signs = malloc(room * sizeof *s.signs),
        .labels = malloc(room * sizeof *s.labels),
        .kinds = malloc(room),
        .cells = malloc(room * sizeof *s.cells),
        .cover = malloc(room * sizeof *s.cover),
        .lazy = lazy,
        .col_sum = malloc((t->n_columns + 1) * sizeof(ap__i128)),
        .col_dmin = malloc((t->n_columns + 1) * sizeof(int)),
        .col_dmax = malloc((t->n_columns + 1) * sizeof(int)),
        .col_whole = malloc(t->n_columns + 1),
    };
    size_t *item_rows = malloc(room * sizeof *item_rows);
    size_t *total_at = malloc((t->n_columns + 1) * sizeof *total_at);
    size_t *rule_at = malloc((t->n_rules + 1) * sizeof *rule_at);
    size_t *members = malloc((t->n_columns + 1) * sizeof *members);
    int *member_signs = malloc((t->n_columns + 1) * sizeof *member_signs);
    size_t *allow = malloc((t->n_columns + 1) * sizeof *allow);
    ap_audit_report *rep = ap__report_new(t->title, t->origin, t->unit);
    ap_status st = AP_OK;
    if (!s.items || !s.signs || !s.labels || !s.kinds || !s.cells ||
        !s.cover || !s.col_sum || !s.col_dmin || !s.col_dmax ||
        !s.col_whole ||
        !item_rows || !total_at || !rule_at || !members || !member_signs ||
        !allow || !rep)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    size_t n_items = 0;
    for (size_t r = 0; r < t->n_rows && st == AP_OK; r++) {
        const ap__table_row *row = &t->rows[r];
        for (size_t c = 0; c < t->n_columns; c++)
            total_at[c] = NONE;
        if (row->kind != AP__ROW_ITEM)
            st = check_total_row(t, rep, &s, r, item_rows, n_items, total_at,
                                 err);
        if (st == AP_OK)
            st = check_rules(t, rep, &s, r, rule_at, err);
        if (st == AP_OK && row->kind != AP__ROW_ITEM)
            st = reclassify_row(t, rep, r, total_at, rule_at, members,
                                member_signs, allow, err);
        if (row->kind == AP__ROW_ITEM)
            item_rows[n_items++] = r;
    }
    if (st == AP_OK)
        st = check_rates(t, rep, err);
    free(s.items);
    free(s.signs);
    free(s.labels);
    free(s.kinds);
    free(s.cells);
    free(s.cover);
    free(s.col_sum);
    free(s.col_dmin);
    free(s.col_dmax);
    free(s.col_whole);
    free(item_rows);
    free(total_at);
    free(rule_at);
    free(members);
    free(member_signs);
    free(allow);
    if (st != AP_OK) {
        ap_audit_report_free(rep);
        for (size_t i = 0; i < s.n_texts; i++)
            free(s.texts[i]);
        free(s.texts);
        return st;
    }
    *out = rep;
    if (lazy) {
        *texts = s.texts;
        *n_texts = s.n_texts;
    }
    return AP_OK;
}

ap_status ap_audit_table_check(const ap_audit_table *table,
                               ap_audit_report **out, ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_check: out is NULL");
    *out = NULL;
    if (table == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_check: no table");
    return check_table(table, 0, out, NULL, NULL, err);
}

/* ---- the checks of a large table ------------------------------------------ */

struct ap_audit_checks {
    ap_audit_table *table;   /* owned: the findings borrow its labels */
    ap_audit_report *report; /* every check */
    char **texts;            /* the total checks' texts, borrowed too */
    size_t n_texts;
    size_t *not_ok;          /* the checks not ok or not made, in order */
    size_t n_not_ok;
};

ap_status ap_audit_table_checks(ap_audit_table *table, ap_audit_checks **out,
                                ap_error *err)
{
    ap_error_clear(err);
    if (out == NULL) {
        ap_audit_table_free(table);
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_checks: out is NULL");
    }
    *out = NULL;
    if (table == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_audit_table_checks: no table");
    ap_audit_checks *c = calloc(1, sizeof *c);
    if (c == NULL) {
        ap_audit_table_free(table);
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    }
    c->table = table;
    ap_status st = check_table(table, 1, &c->report, &c->texts, &c->n_texts,
                               err);
    if (st != AP_OK) {
        ap_audit_checks_free(c);
        return st;
    }
    const ap_audit_report *r = c->report;
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += r->findings[i].finding.status != AP_AUDIT_OK ||
             r->findings[i].finding.cause == AP_CAUSE_ILLEGIBLE;
    c->not_ok = malloc((n ? n : 1) * sizeof *c->not_ok);
    if (c->not_ok == NULL) {
        ap_audit_checks_free(c);
        return ap_error_set(err, AP_E_NOMEM, "out of memory checking a table");
    }
    for (size_t i = 0; i < r->n_findings; i++)
        if (r->findings[i].finding.status != AP_AUDIT_OK ||
            r->findings[i].finding.cause == AP_CAUSE_ILLEGIBLE)
            c->not_ok[c->n_not_ok++] = i;
    *out = c;
    return AP_OK;
}

const ap_audit_report *ap_audit_checks_report(const ap_audit_checks *checks)
{
    return checks->report;
}

const size_t *ap_audit_checks_not_ok(const ap_audit_checks *checks,
                                     size_t *n)
{
    *n = checks->n_not_ok;
    return checks->not_ok;
}

void ap_audit_checks_free(ap_audit_checks *checks)
{
    if (checks == NULL)
        return;
    ap_audit_report_free(checks->report);
    for (size_t i = 0; i < checks->n_texts; i++)
        free(checks->texts[i]);
    free(checks->texts);
    free(checks->not_ok);
    ap_audit_table_free(checks->table);
    free(checks);
}
