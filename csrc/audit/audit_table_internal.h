/* The parsed form of an "apportion.table/1" table, shared by its reader
 * (audit_table_read.c) and its check (audit_table.c).  Internal: not part
 * of the API; callers see only the opaque ap_audit_table. */
#ifndef APPORTION_AUDIT_TABLE_INTERNAL_H
#define APPORTION_AUDIT_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"

/* What a cell holds.  A blank (JSON null or "") is a cell the table leaves
 * empty; a nil is a printed "-".  Both count as zero when summed; a blank
 * stated figure is not checked.  A cell the page cuts off ("52,91…") or
 * that cannot be read ("not legible") is carried as printed: a check that
 * needs it is made for consistency only, or said not to be possible. */
typedef enum ap__cell_kind {
    AP__CELL_BLANK = 0,
    AP__CELL_NIL = 1,
    AP__CELL_FIGURE = 2,
    AP__CELL_CUT_OFF = 3,
    AP__CELL_ILLEGIBLE = 4
} ap__cell_kind;

typedef struct ap__table_cell {
    int64_t value;  /* the printed digits, as ap_figure */
    int decimals;   /* as ap_figure; 0 for blanks, nils and cells not
                       whole */
    int kind;       /* ap__cell_kind */
    /* For a cell cut off or not legible: what is printed (owned, with its
     * text; unit_pence 1, set by the check to its scale); else NULL. */
    ap_printed_figure *printed;
} ap__table_cell;

/* Whether a cell prints its figure whole (or a nil, or nothing). */
static inline int ap__cell_whole(int kind)
{
    return kind != AP__CELL_CUT_OFF && kind != AP__CELL_ILLEGIBLE;
}

/* Which rows a row states the sum of. */
typedef enum ap__row_kind {
    AP__ROW_ITEM = 0,  /* no "total": an item */
    AP__ROW_ABOVE = 1, /* "above": the item rows [from, to) since the last total */
    AP__ROW_ALL = 2,   /* "all": every item row above it */
    AP__ROW_LIST = 3   /* a list of earlier rows, items or totals, by label */
} ap__row_kind;

typedef struct ap__table_row {
    char *label;
    ap__row_kind kind;
    int sign;        /* +1, or -1 when the row is subtracted in totals */
    size_t from, to; /* AP__ROW_ABOVE */
    size_t *list;    /* AP__ROW_LIST: the rows named, in the order named */
    size_t n_list;
} ap__table_row;

typedef enum ap__rule_kind {
    /* In every row that prints column `target`: it equals the sum of the
     * operand columns, each with its sign. */
    AP__RULE_COLUMNS = 0,
    /* In every column but the first, row `target` equals row operands[0]
     * in the column before: this year's base is last year's requirement. */
    AP__RULE_PREVIOUS_COLUMN = 1
} ap__rule_kind;

typedef struct ap__table_rule {
    ap__rule_kind kind;
    char *text;        /* the rule as written, or composed from an object */
    size_t target;     /* a column (COLUMNS) or a row (PREVIOUS_COLUMN) */
    size_t *operands;  /* columns (COLUMNS) or the one row (PREVIOUS_COLUMN) */
    int *signs;        /* +1 or -1 per operand */
    size_t n_operands;
} ap__table_rule;

/* A printed rate: `stated` ("78.3%", "0.783") is cell (num_row,
 * num_column) over cell (den_row, den_column), judged by ap_audit_rate. */
typedef struct ap__table_rate {
    char *label;     /* the rate's name in findings */
    char *stated;    /* the rate as printed */
    char *text;      /* the check: "Met / Total KPIs (KPIs) as printed" */
    size_t num_row, num_column, den_row, den_column;
} ap__table_rate;

struct ap_audit_table {
    char *source;   /* the caller's name for the text */
    char *title;    /* "" when none */
    char *origin;   /* the file's "source": where the figures come from */
    char *unit;     /* "" when none */
    int decimals;   /* the printed precision, or -1: each figure's own */
    char **columns;
    size_t n_columns;
    ap__table_row *rows;
    size_t n_rows;
    ap__table_cell *cells; /* n_rows * n_columns, row by row */
    ap__table_rule *rules;
    size_t n_rules;
    ap__table_rate *rates;
    size_t n_rates;
};

static inline const ap__table_cell *ap__table_at(const ap_audit_table *t,
                                                 size_t row, size_t column)
{
    return &t->cells[row * t->n_columns + column];
}

#endif
