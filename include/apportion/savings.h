/* apportion: RAG-rated savings — a year's savings proposals with their
 * Red / Amber / Green / Mitigations split, totals by rating, how much of
 * the target is delivered, and the savings that will not be delivered
 * turned into a pressure the authorities fund by their contract split.
 *
 * What counts as delivered (docs/domain.rst): Green is confirmed; Amber is
 * likely but not confirmed; Red will not be delivered; Mitigations are
 * other savings found to offset red.  apportion gives two measures, both
 * exact fractions of the year's target:
 *   secured  = green + mitigations          (confirmed only)
 *   forecast = green + amber + mitigations  (if every amber item lands)
 * The pressure is the red total, or red + amber when amber is treated as
 * at risk (ap_savings.amber_at_risk).
 *
 * Figures are RAG-table figures: every amount and every column is printed
 * as a positive saving (a negative one is refused when the file is read).
 * Each stated figure of the paper (a proposal's own total, the TOTAL rows)
 * is checked with ap_audit_sum, and the findings are collected in an
 * ap_audit_report.
 *
 * The file format is "apportion.savings/1" (schema/savings.schema.json);
 * a plan file ("apportion.plan/1") may carry the same object under its
 * top-level member "savings".
 *
 * Memory.  ap_savings_load / ap_savings_parse give the caller a model to
 * release with ap_savings_free; every string and array inside belongs to
 * it (its ap_split_paper too).  ap_savings_compute gives a result to
 * release with ap_savings_result_free, which also frees its audit report.
 * On an error *out is NULL.  The structs are read-only views: release them
 * whole, never a member on its own.  The column names are static
 * strings. */
#ifndef APPORTION_SAVINGS_H
#define APPORTION_SAVINGS_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_SAVINGS_FORMAT "apportion.savings/1"

/* ---- what the paper says of a split -------------------------------------
 * Savings (the pressure) and the MTFP (each year's requirement) are split
 * between authorities by an agreed split: an ap_basis (plan.h), the same
 * type as a plan's basis and the outturn's and contract sum's split, over
 * the model's authorities (the keys of the split's values, in file order).
 * Besides its values the paper may say where the split is agreed and print
 * it again, which is checked: the seed's "44.16% for NNC and 56.84% for
 * WNC" makes 101%. */
typedef struct ap_split_paper {
    char *source;        /* where the split is agreed; "" when not given */
    char *note;          /* e.g. "an illustration"; "" when none */
    char **stated_text;  /* per authority, "56.84%" as the paper printed
                            it; NULL when the paper's print is not given */
    char *stated_source; /* "paragraph 2.8"; "" when not given */
} ap_split_paper;

/* ---- the model ------------------------------------------------------------ */

/* The four columns of a RAG-rated savings table, in the paper's order. */
#define AP_SAVINGS_COLUMN_MAP(X)                                             \
    X(AP_SAVINGS_RED, "red", "Red")                                          \
    X(AP_SAVINGS_AMBER, "amber", "Amber")                                    \
    X(AP_SAVINGS_GREEN, "green", "Green")                                    \
    X(AP_SAVINGS_MITIGATIONS, "mitigations", "Mitigations")

typedef enum ap_savings_column {
#define AP__ENUM(code, key, title) code,
    AP_SAVINGS_COLUMN_MAP(AP__ENUM)
#undef AP__ENUM
    AP_SAVINGS_COLUMN_COUNT
} ap_savings_column;

/* Static names: the JSON key ("red") and the heading ("Red"). */
const char *ap_savings_column_name(ap_savings_column column);
const char *ap_savings_column_title(ap_savings_column column);

typedef struct ap_saving {
    char *reference; /* "" when the paper gives none */
    char *name;      /* "Review of Contracts" */
    char *sro;       /* the senior responsible owner; "" when not given */
    char *comments;  /* "" when none */
    ap_amount amount;                         /* the year's target */
    ap_amount rated[AP_SAVINGS_COLUMN_COUNT]; /* red, amber, green, mitig. */
    int has_total;   /* the paper's own row total (its "Total" column) */
    ap_amount total;
} ap_saving;

/* A stated total row: the sum of proposals from..to (0-based, inclusive)
 * in every column it prints. */
typedef struct ap_savings_total {
    char *label; /* "TOTAL SAVINGS" */
    size_t from;
    size_t to;
    int has_amount;
    ap_amount amount;
    int has_rated[AP_SAVINGS_COLUMN_COUNT];
    ap_amount rated[AP_SAVINGS_COLUMN_COUNT];
    int has_total;
    ap_amount total;
} ap_savings_total;

typedef struct ap_savings {
    char *source;    /* the file name, or the name given to _parse */
    char *title;
    char *reference; /* the paper: "Children's Trust Joint Committee ..." */
    char *location;  /* where in it the table is printed: "Appendix A" */
    char *year;      /* "2023/24"; "" when not given */
    char *as_at;     /* "Period 09 - December 2023"; "" when not given */
    ap_unit unit;
    /* Which columns the paper's row "Total" column adds up (bit i for
     * column i): all four by default.  The seed heads it "Total (A,G,M)"
     * but prints 620 on a red-only row, so its figures add all four. */
    unsigned total_columns;
    char *total_label; /* that column's heading: "Total (A,G,M)" */
    int amber_at_risk; /* nonzero: amber counts towards the pressure */
    ap_saving *proposals;
    size_t n_proposals;
    ap_savings_total *totals;
    size_t n_totals;
    /* How the pressure is funded, if the file gives a split: its
     * authorities (none without one; each name ""), the agreed split
     * between them (apportioned with ap_apportion: its weights and mode)
     * and what the paper says of it. */
    ap_authority *authorities;
    size_t n_authorities;
    int has_split;
    ap_basis split;
    ap_split_paper split_paper;
} ap_savings;

/* Parses a savings model from JSON text (len bytes): an
 * "apportion.savings/1" file, or a plan file with a "savings" member.
 * On error *out is NULL and err names the JSON path, line and column.
 * Threads: as ap_plan_parse (serialise parses). */
ap_status ap_savings_parse(const char *text, size_t len, const char *source,
                           ap_savings **out, ap_error *err);
/* Reads and parses a file, as ap_savings_parse; the caller frees *out with
 * ap_savings_free. */
ap_status ap_savings_load(const char *path, ap_savings **out, ap_error *err);
/* Frees the model and every string and array in it; NULL is fine. */
void ap_savings_free(ap_savings *savings);

/* ---- results ----------------------------------------------------------- */

typedef struct ap_savings_result {
    size_t n_proposals;
    int64_t *row_rated;  /* per proposal: red + amber + green + mitigations */
    int64_t target;      /* the sum of the proposals' amounts */
    int64_t by_column[AP_SAVINGS_COLUMN_COUNT]; /* totals by rating */
    int64_t rated;       /* the sum of all four columns */
    int64_t secured;     /* green + mitigations */
    int64_t forecast;    /* green + amber + mitigations */
    int64_t pressure;    /* red, plus amber when amber is at risk */
    /* secured / target and forecast / target exactly are the fractions of
     * the fields above; here also in basis points (1/100 of a percent),
     * rounded half up.  has_percentages is 0 when the target is zero. */
    int has_percentages;
    int64_t secured_basis_points;
    int64_t forecast_basis_points;
    size_t n_parties;      /* the split's authorities; 0 without a split */
    int64_t *pressure_split; /* the pressure by the split, pence; or NULL */
    ap_audit_report *audit;  /* every stated figure checked (owned) */
} ap_savings_result;

/* Totals by rating, delivery, the pressure and its split, and the audit of
 * every stated figure: each proposal's amount against its four columns,
 * its row total against the columns that total adds, every printed cell
 * of every TOTAL row against the same column of its proposals (the
 * row-total column against the rows' own printed totals, so a wrong row
 * total is found once, in its row), and a percent split against 100.
 * Findings: `row` is the proposal's index for a proposal, n_proposals + k
 * for total row k, n_proposals + n_totals for the agreed split and one
 * more for the split as printed; `column` is 0 for the amount, 1..4 for
 * red..mitigations, 5 for the row-total column; for the split, the
 * authority's index (as printed against agreed), or n_authorities for the
 * sum. */
ap_status ap_savings_compute(const ap_savings *savings,
                             ap_savings_result **out, ap_error *err);
/* Frees the result and its audit report; NULL is fine. */
void ap_savings_result_free(ap_savings_result *result);

#ifdef __cplusplus
}
#endif
#endif
