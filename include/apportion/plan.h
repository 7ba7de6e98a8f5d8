/* apportion: service plans — read from JSON, apportioned, scheduled and
 * checked against the figures the paper itself states.
 *
 * Memory.  ap_plan_load / ap_plan_parse give the caller a plan to release
 * with ap_plan_free; every string and array inside it belongs to the plan.
 * ap_plan_compute gives a result, with its audit report, to release with
 * ap_plan_result_free; it does not refer to the plan, which may be freed
 * first.  On an error *out is NULL.  The structs are read-only views:
 * release them whole, never a member on its own. */
#ifndef APPORTION_PLAN_H
#define APPORTION_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plan format this library reads (the "format" member of the file). */
#define AP_PLAN_FORMAT "apportion.plan/1"

typedef struct ap_authority {
    char *code; /* "WNC" */
    char *name; /* "West Northamptonshire Council"; "" when not given */
} ap_authority;

/* The longest text of a partly legible stated figure an ap_amount keeps
 * (bytes, with its NUL); a longer one is refused, never cut. */
#define AP_AMOUNT_PRINTED_MAX 48

/* A printed amount with how precisely it was printed: `resolution` is the
 * value in pence of one unit of its last digit (100 for "£211,654").
 * A stated figure the papers' readers allow to be partly legible (their
 * stated totals, which are checked and never computed with) may be cut
 * off or not legible (audit.h, ap_legibility): then pence and resolution
 * are 0, `cut` says what a cut-off prefix allows (unit_pence the paper's
 * unit, its text NULL) and `as_printed` holds the text as written. */
typedef struct ap_amount {
    int64_t pence;
    int64_t resolution;
    ap_legibility legibility; /* AP_LEGIBLE (0) unless so */
    ap_printed_figure cut;
    char as_printed[AP_AMOUNT_PRINTED_MAX];
} ap_amount;

typedef struct ap_funding {
    char *source; /* "DSG" */
    ap_amount amount;
} ap_funding;

/* What the paper states as one authority's budget on one line. */
typedef struct ap_stated_share {
    int present;
    ap_amount amount;
    ap_funding *funding; /* its funding sources, if stated */
    size_t n_funding;
} ap_stated_share;

typedef struct ap_budget_line {
    char *id;
    char *description;
    ap_amount total;
    ap_stated_share *stated; /* one per authority, in plan order */
    int has_host_income;     /* the host's income budget for the line */
    ap_amount host_income;
} ap_budget_line;

typedef enum ap_basis_kind {
    AP_BASIS_METRIC = 0, /* values such as 0-18 population per authority */
    AP_BASIS_PERCENT = 1 /* an agreed split that should sum to 100 */
} ap_basis_kind;

typedef struct ap_basis {
    char *name;         /* "0-18 population" */
    ap_basis_kind kind;
    int mode;           /* an ap_apportion_mode */
    char **value_text;  /* per authority, as written in the file */
    int64_t *num;       /* per authority, exact value num/den */
    int64_t *den;
    int64_t *weights;   /* per authority, on a common denominator */
} ap_basis;

typedef enum ap_recharge_of {
    AP_RECHARGE_OF_STATED = 0, /* the payer's approved (stated) budget */
    AP_RECHARGE_OF_BASIS = 1   /* the payer's share by the basis */
} ap_recharge_of;

typedef struct ap_recharge_rule {
    int present;
    size_t payer; /* authority indexes */
    size_t payee;
    ap_recharge_of of;
    size_t instalments;  /* 4 for quarterly */
    int64_t granularity; /* 100: equal parts in whole pounds; 1: pence */
    ap_rounding rounding;
} ap_recharge_rule;

typedef struct ap_carry_forward {
    char *description;
    char *kind;      /* "receipt in advance" */
    char *from_year; /* "2020/21" */
    ap_amount amount;
    size_t payer;
    size_t payee;
} ap_carry_forward;

typedef struct ap_agreement {
    char *service_area;
    char *function;
    char *treatment; /* "host" */
    int has_parties;
    size_t host;      /* authority indexes, valid when has_parties */
    size_t receiving;
    int notice_months; /* -1 when not given */
} ap_agreement;

/* ap_legibility and ap_printed_figure, a stated figure as printed (whole,
 * cut off or not legible), are in audit.h, shared with every paper. */

/* How an ambiguous printed figure was read: a split printed without the
 * authorities' names, say.  `of` is the JSON path in the file of what the
 * reading gave ("$.basis.values"); findings that depend on it say so. */
typedef struct ap_reading {
    char *of;
    char *printed;  /* as printed: "53.57% 46.43%" */
    char *read_as;  /* "WNC 53.57%, NNC 46.43%" */
    char *evidence; /* why it was read so */
} ap_reading;

typedef struct ap_plan {
    char *source; /* the file name, or the name given to ap_plan_parse */
    char *title;
    char *reference;
    char *financial_year;
    ap_unit unit;
    ap_authority *authorities;
    size_t n_authorities;
    ap_agreement agreement;
    ap_basis basis;
    ap_budget_line *lines;
    size_t n_lines;
    ap_recharge_rule recharge;
    int has_actual;
    ap_amount actual_expenditure;
    ap_carry_forward *carry_forwards;
    size_t n_carry_forwards;
    ap_amount *stated_instalments; /* the paper's own invoices, if any;
                                    * {0, 0} where stated_printed says the
                                    * cell is cut off or not legible */
    size_t n_stated_instalments;
    ap_printed_figure *stated_printed; /* per stated instalment, as printed */
    ap_reading *readings; /* how ambiguous cells were read, if any */
    size_t n_readings;
} ap_plan;

/* Parses a plan from JSON text (len bytes, need not be NUL-terminated).
 * `source` names the text in messages.  On error *out is NULL and err says
 * what, with the JSON path in err->path and the line and column.  The
 * caller frees *out with ap_plan_free.
 * Threads: cJSON also notes a failed parse in a process-wide variable that
 * apportion never reads; callers that parse on several threads at once
 * should serialise the calls (the Python module holds the GIL). */
ap_status ap_plan_parse(const char *text, size_t len, const char *source,
                        ap_plan **out, ap_error *err);
/* Reads and parses a file, as ap_plan_parse; the caller frees *out with
 * ap_plan_free. */
ap_status ap_plan_load(const char *path, ap_plan **out, ap_error *err);
/* Frees the plan and every string and array in it; NULL is fine. */
void ap_plan_free(ap_plan *plan);

/* ---- results ----------------------------------------------------------- */

/* Deprecated, to be removed in the release after 0.2: ap_check and the
 * result's checks and n_checks are the plan's checks in their old shape,
 * kept one release beside the audit report that now holds them (each
 * check is the finding with the same id).  Read result->audit instead. */
typedef enum ap_check_status {
    AP_CHECK_OK = 0,       /* the stated figure is right */
    AP_CHECK_ROUNDING = 1, /* off by no more than its printed precision */
    AP_CHECK_MISMATCH = 2  /* wrong */
} ap_check_status;

typedef enum ap_check_kind {
    AP_CHECK_MONEY = 0,  /* values in pence */
    AP_CHECK_PERCENT = 1 /* values in units of 10^-scale percent */
} ap_check_kind;

typedef struct ap_check {
    char *id;          /* stable, e.g. "recharge.instalments.sum" */
    char *description; /* one sentence for a reader */
    ap_check_kind kind;
    int scale;
    int64_t stated;
    int64_t computed;
    int64_t difference; /* stated - computed */
    ap_check_status status;
} ap_check;

typedef struct ap_plan_result {
    size_t n_lines;
    size_t n_authorities;
    int64_t *shares;           /* n_lines x n_authorities, by the basis */
    int64_t *authority_totals; /* n_authorities */
    int64_t grand_total;
    int has_schedule;
    int64_t recharge_share; /* the annual amount the schedule invoices */
    size_t n_instalments;
    int64_t *instalments; /* planned; the last is the balance */
    int has_balancing;    /* actual expenditure was given */
    int64_t actual_share; /* the payer's share of the actual spend */
    int64_t balancing;    /* the last instalment: actual share - billed */
    ap_check *checks;     /* deprecated: the audit's findings, old shape */
    size_t n_checks;
    /* Every figure the paper states, checked against what apportion
     * computes, as the other papers' audits are: money in £ at 2 decimals
     * (pence), percentages in finding units of "%".  Each finding has a
     * stable id ("line[40000154].WNC.basis_share",
     * "recharge.instalments.sum"), its check says what was checked and its
     * suggestion gives the figures.  They are judged by the audit's
     * rounding conventions: a stated figure against the one apportion
     * computes for it (a share, the host's income, an instalment) by
     * ap_audit_figure's rules at its printed precision (ok when correctly
     * rounded, rounding with cause truncation when cut toward zero, else
     * error); a stated total against its printed items (funding sources,
     * a line's budgets, the percentages against 100) by ap_audit_sum's;
     * the invoices of a schedule are exact and their sum has no
     * allowance.  A cut-off stated figure is checked
     * for consistency only: "ok" when the computed figure is one the
     * legible prefix allows, "error" when not; its finding's `stated` is
     * the value the cell can be that is nearest the computed one (the
     * computed one itself when consistent) and the suggestion says the
     * cell is cut off and what it can be.  A cell not legible is not
     * checked, nor is a sum it is part of. */
    ap_audit_report *audit;
} ap_plan_result;

/* Apportions every line by the basis (two-way: lines and authorities both
 * exact), builds the recharge schedule and audits each stated figure.
 * The caller frees *out with ap_plan_result_free. */
ap_status ap_plan_compute(const ap_plan *plan, ap_plan_result **out,
                          ap_error *err);
/* Frees the result and its checks; NULL is fine. */
void ap_plan_result_free(ap_plan_result *result);

#ifdef __cplusplus
}
#endif
#endif
