/* apportion: the audit of reported tables — do the printed figures add up,
 * and when they do not, the most likely reason.
 *
 * A figure is kept as printed: its digits as an integer and how many of
 * them follow the point ("0.85" is 85 at 2 decimals, "(3,540)" is -3540 at
 * 0).  Each printed figure is within half a unit of its last digit of the
 * true value, so a stated total may differ from the sum of its printed
 * items by up to half the sum of their resolutions without anyone having
 * made a mistake: that is "rounding", not an error.
 *
 * Memory.  ap_audit_sum fills the caller's ap_audit_finding (on its stack,
 * say) with a suggestion, labels and candidates the library allocated;
 * ap_audit_finding_clear frees them and zeroes the finding, not the
 * finding itself (clearing twice is harmless; on an error the finding is
 * zeroed already).  ap_audit_table_parse and ap_audit_table_load give the
 * caller a table to release with ap_audit_table_free, and
 * ap_audit_table_check a report to release with ap_audit_report_free,
 * which frees every finding and string in it (on an error *out is NULL).
 * A report inside a paper's result (outturn, contract sum, MTFP, savings)
 * belongs to that result and goes with its _free.  ap_figure_format writes
 * into the caller's buffer; names are static strings. */
#ifndef APPORTION_AUDIT_H
#define APPORTION_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most digits after the point a figure may have. */
#define AP_FIGURE_MAX_DECIMALS 15

typedef struct ap_figure {
    int64_t value; /* the printed digits: "(3,540)" -> -3540 */
    int decimals;  /* digits after the point: 0..AP_FIGURE_MAX_DECIMALS */
} ap_figure;

/* Reads one figure as committee papers print it: "0.410", "(3,540)",
 * "-3,540", "−5" (U+2212), "£1,070", "£0.85", "44.16%", "+12".  A lone
 * "-", "–" (U+2013) or "—" (U+2014) is a nil: zero at 0 decimals.  Comma
 * groups must be threes.  Blanks around are ignored.  Anything else (an
 * empty text, letters, two signs, more than AP_FIGURE_MAX_DECIMALS
 * decimals, more digits than int64 holds) is AP_E_INPUT quoting the text.
 * len may be (size_t)-1 for a NUL-terminated string. */
ap_status ap_figure_parse(const char *text, size_t len, ap_figure *out,
                          ap_error *err);

/* Writes value at `decimals` as text with grouping commas and a leading
 * "-" when negative: (-354000, 2) -> "-3,540.00".  The caller owns buf; 48
 * bytes always suffice (a shorter buffer gets a truncated, terminated
 * text). */
void ap_figure_format(int64_t value, int decimals, char *buf, size_t size);

/* ---- figures only partly legible ----------------------------------------
 * How much of a stated figure the source shows.  A cell the page cuts
 * off is carried as printed, never completed: "£52,91…" is a legible
 * prefix, and the audit checks only that a computed figure could be it. */
typedef enum ap_legibility {
    AP_LEGIBLE = 0,    /* printed whole */
    AP_CUT_OFF = 1,    /* a legible prefix, the rest cut off: "£52,91…" */
    AP_NOT_LEGIBLE = 2 /* nothing of it can be read: "not legible" */
} ap_legibility;

/* A stated figure as printed.  For a cut-off one, what the prefix allows:
 * the figure is [digits + x] * 10^more * unit_pence for some fraction
 * 0 <= x < 1, where `more` (the integer digits cut off) is min_more or
 * larger with bit (more % 3) set in more_mask, as comma grouping allows;
 * with a printed point (decimals >= 0) no integer digit is cut off
 * (more = -decimals).  Negative when `negative`.  unit_pence is what one
 * printed unit is worth in the units compared: pence for money (100 for
 * "£", 100000 for "£000"), or 10^scale for a table's figures compared at
 * `scale` decimals. */
typedef struct ap_printed_figure {
    ap_legibility legibility;
    char *text;         /* as written in the file: "£52,91…", "not legible" */
    int negative;
    int64_t digits;     /* the legible digits: "£52,91…" -> 5291 */
    int decimals;       /* digits after a printed point; -1 when none */
    int min_more;
    unsigned more_mask; /* bits 0-2 */
    int64_t unit_pence; /* 100 for "£", 100000 for "£000" */
} ap_printed_figure;

/* Reads how much of a stated figure is legible: "not legible" (exactly) is
 * AP_NOT_LEGIBLE; a text ending in "…" (U+2026) or "..." is AP_CUT_OFF,
 * its legible prefix read as papers print figures (an optional "-" or
 * "(", an optional "£", digits in comma groups of three, an optional point
 * and decimals: at most max_decimals of them) into what it allows, with
 * unit_pence (>= 1) the worth of one printed unit; anything else is
 * AP_LEGIBLE, with nothing else filled in (the caller reads the figure
 * whole).  out->text is set to NULL: the caller keeps its own copy if it
 * wants one.  Errors (AP_E_INPUT, AP_E_OVERFLOW for a prefix too large
 * for int64 units) quote the text.  len may be (size_t)-1. */
ap_status ap_printed_parse(const char *text, size_t len, int max_decimals,
                           int64_t unit_pence, ap_printed_figure *out,
                           ap_error *err);

/* ---- findings ------------------------------------------------------------ */

typedef enum ap_audit_status {
    AP_AUDIT_OK = 0,       /* the figures agree exactly */
    AP_AUDIT_ROUNDING = 1, /* they differ by no more than rounding allows */
    AP_AUDIT_ERROR = 2     /* they disagree */
} ap_audit_status;

#define AP_AUDIT_CAUSE_MAP(X)                                                \
    X(AP_CAUSE_NONE, "none")             /* the figures agree */            \
    X(AP_CAUSE_ROUNDING, "rounding")     /* within printed rounding */      \
    X(AP_CAUSE_TRANSPOSITION, "transposition") /* two digits swapped */     \
    X(AP_CAUSE_DECIMAL_SHIFT, "decimal_shift") /* x or / 10, 100, 1000 */   \
    X(AP_CAUSE_DUPLICATED_ITEM, "duplicated_item") /* counted twice */      \
    X(AP_CAUSE_OMITTED_ITEM, "omitted_item")       /* left out */           \
    X(AP_CAUSE_SIGN_ERROR, "sign_error")   /* taken with the wrong sign */  \
    X(AP_CAUSE_RECLASSIFICATION, "reclassification") /* moved between    \
                              columns: row totals agree, columns do not */  \
    X(AP_CAUSE_UNEXPLAINED, "unexplained") /* none of the above fits */ \
    X(AP_CAUSE_TRUNCATION, "truncation") /* figures cut toward zero at    \
                              their printed precision, not rounded */     \
    X(AP_CAUSE_ILLEGIBLE, "illegible") /* not checked: a figure it needs  \
                              is not legible or cut off (status ok:      \
                              nothing found wrong, nothing could be) */

typedef enum ap_audit_cause {
#define AP__ENUM(code, text) code,
    AP_AUDIT_CAUSE_MAP(AP__ENUM)
#undef AP__ENUM
    AP_AUDIT_CAUSE_COUNT
} ap_audit_cause;

/* Static names: "ok", "rounding", "error"; "transposition", ... */
const char *ap_audit_status_name(ap_audit_status status);
const char *ap_audit_cause_name(ap_audit_cause cause);

/* An item index meaning "the stated total itself", and "no one figure". */
#define AP_AUDIT_TOTAL ((size_t)-1)
#define AP_AUDIT_NO_ITEM ((size_t)-2)

/* One explanation that fits: the figure at fault and the value that would
 * make the figures agree (for an omitted or duplicated item, the item
 * itself; the fix is then to the total). */
typedef struct ap_audit_candidate {
    ap_audit_cause cause;
    size_t item;         /* an item index, or AP_AUDIT_TOTAL */
    char *label;         /* that figure's label (owned) */
    ap_figure corrected; /* what the figure should have been */
    int exact;           /* nonzero: the correction leaves no difference */
} ap_audit_candidate;

typedef struct ap_audit_finding {
    ap_audit_status status;
    ap_audit_cause cause;
    /* The one figure at fault: an item index, AP_AUDIT_TOTAL, or
     * AP_AUDIT_NO_ITEM when the figures agree, nothing fits, or several
     * explanations fit equally well (then all of them are candidates). */
    size_t item;
    char *item_label;     /* its label (owned), NULL when item is not one */
    int scale;            /* decimals of the four figures below */
    int64_t stated;
    int64_t computed;     /* the sum of the items, each with its sign */
    int64_t difference;   /* stated - computed */
    int64_t tolerance;    /* the largest |difference| rounding allows */
    ap_audit_candidate *candidates; /* the explanations that fit best */
    size_t n_candidates;
    char *suggestion;     /* one or two sentences for the reader (owned) */
} ap_audit_finding;

typedef struct ap_audit_options {
    /* The precision the paper printed every figure to; -1 (the default)
     * takes each figure's own from its text. */
    int decimals;
    /* Nonzero: the stated figure is exact, not a rounded print (the 100
     * that percentage shares must make). */
    int stated_exact;
    /* Labels of the n items for findings and suggestions; NULL for
     * "item 1", "item 2", ... */
    const char *const *labels;
    /* What the stated figure is called: NULL for "the stated total". */
    const char *stated_label;
    /* Appended to figures in suggestions: "%" or NULL. */
    const char *suffix;
    /* Nonzero: the items are exact, not rounded prints (counts of people
     * or cases), so they allow no rounding and cannot have been cut. */
    int items_exact;
} ap_audit_options;

/* The defaults: decimals -1, nothing exact, no labels, no suffix. */
ap_audit_options ap_audit_defaults(void);

/* Checks that stated = sum of signs[i] * items[i] (signs NULL: all +1;
 * otherwise each +1 or -1), allowing for the printed rounding, and when
 * not, looks for the causes of AP_AUDIT_CAUSE_MAP other than
 * reclassification, claiming one only when the arithmetic supports it.
 * options may be NULL for the defaults.  *out is the caller's; on AP_OK it
 * holds a finding to clear with ap_audit_finding_clear, on an error it is
 * zeroed.  Errors: n == 0 (AP_E_INPUT), a figure or sum too large for
 * int64 at the common scale (AP_E_OVERFLOW naming the item), AP_E_NOMEM. */
ap_status ap_audit_sum(const ap_figure *items, const int *signs, size_t n,
                       const ap_figure *stated,
                       const ap_audit_options *options, ap_audit_finding *out,
                       ap_error *err);

/* Frees what the finding owns and zeroes it; NULL is fine. */
void ap_audit_finding_clear(ap_audit_finding *finding);

/* ---- one printed figure against an exact value ----------------------------
 * The rounding conventions: a printed figure is judged at its printed
 * precision (its last digit: "£407k" to £1,000, "£1.2m" to £100,000,
 * "78.4%" to 0.1%) against the exact value.
 *   - AP_AUDIT_OK: the figure is the value correctly rounded.  A tie (the
 *     value exactly half-way) may go either way a paper rounds it: half up
 *     (away from zero) or half to even; both are accepted.  The cause is
 *     AP_CAUSE_NONE when the figure is the value exactly, else
 *     AP_CAUSE_ROUNDING.
 *   - AP_AUDIT_ROUNDING with AP_CAUSE_TRUNCATION: the figure is the value
 *     cut toward zero at that precision, which no rounding gives.
 *   - AP_AUDIT_ERROR (AP_CAUSE_UNEXPLAINED) otherwise.
 * The finding's figures are in pounds (a rate's in its own unit, "%" for
 * a percentage) at `scale` decimals: computed is the value, exact when it
 * has at most AP_FIGURE_MAX_DECIMALS decimals and otherwise rounded half
 * to even a few places below the printed precision; tolerance is half the
 * printed unit.  item is AP_AUDIT_TOTAL (labelled "the stated figure")
 * when the figure is not ok, else AP_AUDIT_NO_ITEM.  *out is the
 * caller's, cleared with ap_audit_finding_clear. */

/* A money figure as printed, "£52,914", "£407k", "£1.2m", "£0.3bn",
 * "(£3.5m)", "£2.1 million", against value_num / value_den pence
 * (value_den > 0).  A bare number is pounds; a percentage is AP_E_INPUT
 * (ap_audit_rate judges those).  len may be (size_t)-1 for a
 * NUL-terminated string.  Errors: AP_E_INPUT (the text, a zero or
 * negative denominator), AP_E_OVERFLOW (figures beyond int64 at the
 * finding's scale). */
ap_status ap_audit_figure(const char *stated, size_t len, int64_t value_num,
                          int64_t value_den, ap_audit_finding *out,
                          ap_error *err);

/* A printed rate of numerator / denominator (denominator != 0): a
 * percentage "78.4%" (the ratio times 100) or a bare rate "0.784" (the
 * ratio itself).  Rules and errors as ap_audit_figure. */
ap_status ap_audit_rate(int64_t numerator, int64_t denominator,
                        const char *stated, size_t len,
                        ap_audit_finding *out, ap_error *err);

/* ---- whole tables ---------------------------------------------------------
 * A table as a paper prints it: columns of figures, rows with labels,
 * stated total rows, and rules between columns such as
 * "Variance = Outturn - Budget".  Read from JSON of the format
 * "apportion.table/1" (docs/formats.rst documents it). */

#define AP_TABLE_FORMAT "apportion.table/1"

typedef struct ap_audit_table ap_audit_table;

/* Parses a table from JSON text (len bytes); source names it in messages.
 * Errors are AP_E_PLAN with the JSON path, line and column.  The caller
 * frees *out with ap_audit_table_free. */
ap_status ap_audit_table_parse(const char *text, size_t len,
                               const char *source, ap_audit_table **out,
                               ap_error *err);
/* The rows of a table given as arrays, not JSON: row r has the label
 * labels[r] (UTF-8), the sign signs[r] (+1, or -1 when subtracted in
 * totals), totals[r] 0 for an item, 1 for a total of the item rows since
 * the last total ("above"), 2 for one of every item row above it
 * ("all"), and n_values cells (one per column) at r * n_values: a kind
 * (0 blank, 1 a printed nil "-", 2 a figure), the printed digits and the
 * digits after the point, as ap_figure.  Borrowed: the caller's. */
typedef struct ap_table_rows {
    size_t n_rows, n_values;
    const char *const *labels;
    const signed char *signs;
    const unsigned char *totals;
    const unsigned char *kinds;
    const int64_t *values;
    const unsigned char *decimals;
} ap_table_rows;

/* As ap_audit_table_parse, of JSON text holding everything of the table
 * but its "rows" (which it must not hold), with the rows given in *rows:
 * the same table as the JSON with those rows written out.  Errors in the
 * rows are AP_E_PLAN naming $.rows[r].  The caller frees *out with
 * ap_audit_table_free. */
ap_status ap_audit_table_parse_rows(const char *text, size_t len,
                                    const char *source,
                                    const ap_table_rows *rows,
                                    ap_audit_table **out, ap_error *err);
/* Reads and parses a file, as ap_audit_table_parse; the caller frees *out
 * with ap_audit_table_free. */
ap_status ap_audit_table_load(const char *path, ap_audit_table **out,
                              ap_error *err);
/* Frees the table and everything in it; NULL is fine. */
void ap_audit_table_free(ap_audit_table *table);

/* What a table check looked at. */
typedef enum ap_table_check_kind {
    AP_TABLE_CHECK_TOTAL = 0, /* a stated total row, in one column */
    AP_TABLE_CHECK_RULE = 1,  /* a column rule, in one row */
    AP_TABLE_CHECK_FIGURE = 2 /* one stated figure against the one figure
                                 apportion computes for it (a plan's share
                                 by the basis, a scheduled instalment, a
                                 table's printed rate of two cells) */
} ap_table_check_kind;

typedef struct ap_table_finding {
    ap_table_check_kind kind;
    size_t row;          /* the row of the stated figure */
    size_t column;       /* the column of the stated figure */
    char *row_label;     /* owned */
    char *column_label;  /* owned */
    char *check;         /* "Total = sum of rows 1-6" or the rule (owned) */
    ap_audit_finding finding;
    char *id;   /* a stable name for the check, "recharge.instalments.sum";
                   "" when the check has none (owned) */
    char *unit; /* the unit of this finding's figures when it is not the
                   report's ("%" for percentages); "" otherwise (owned) */
} ap_table_finding;

typedef struct ap_audit_report {
    char *title;   /* the table's title, "" when none (owned) */
    char *source;  /* where the figures come from, "" when none (owned) */
    char *unit;    /* the table's unit as written, "" when none (owned) */
    ap_table_finding *findings; /* every check, in table order (owned) */
    size_t n_findings;
    size_t n_ok, n_rounding, n_error;
} ap_audit_report;

/* Checks every stated total and every rule of the table, then looks across
 * each total row for reclassification, then checks each printed rate with
 * ap_audit_rate's rules (findings of kind AP_TABLE_CHECK_FIGURE, labelled
 * with the rate's label, unit "%" for a percentage).  The caller frees *out with
 * ap_audit_report_free. */
ap_status ap_audit_table_check(const ap_audit_table *table,
                               ap_audit_report **out, ap_error *err);
/* Frees the report, every finding in it and their strings; NULL is fine. */
void ap_audit_report_free(ap_audit_report *report);

/* ---- the checks of a large table ---------------------------------------
 * ap_audit_table_check's findings for a table of hundreds of thousands of
 * rows, nearly all of whose checks agree: each check whose figures agree
 * exactly is found without the search for causes and costs no string of
 * its own (its labels and check text are the table's, its suggestion
 * static), and the checks that are not ok are listed, so that a caller
 * makes objects only for those.  The findings are ap_audit_table_check's,
 * in the same order. */
typedef struct ap_audit_checks ap_audit_checks;

/* Checks every figure of the table, which it takes over (freed with the
 * checks, or here on an error).  The caller frees *out with
 * ap_audit_checks_free. */
ap_status ap_audit_table_checks(ap_audit_table *table, ap_audit_checks **out,
                                ap_error *err);
/* Every check, as ap_audit_table_check reports them; the report and its
 * strings belong to the checks (never pass it to ap_audit_report_free). */
const ap_audit_report *ap_audit_checks_report(const ap_audit_checks *checks);
/* The indices of the findings whose status is not ok, or that could not be
 * made (cause illegible), in order; *n their count.  Owned by checks. */
const size_t *ap_audit_checks_not_ok(const ap_audit_checks *checks,
                                     size_t *n);
/* Frees the checks, their report and their table; NULL is fine. */
void ap_audit_checks_free(ap_audit_checks *checks);

#ifdef __cplusplus
}
#endif
#endif
