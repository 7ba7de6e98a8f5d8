/* apportion: outturn against budget — variances by line, service area and
 * authority, the use of reserves, and the audit of every figure the paper
 * states; and the Q4 balancing payment (or refund) of a recharge from the
 * year's actual expenditure.
 *
 * Sign: apportion computes variance = outturn - budget, so a positive
 * variance is an overspend (adverse).  A file may print its variances the
 * other way round ("variance_sign": "budget_minus_outturn", also spelt
 * "underspend_positive"); that flips only how its stated variances are
 * read, never the computed ones.
 *
 * Memory.  ap_outturn_load / ap_outturn_parse give the caller an outturn
 * to release with ap_outturn_free; every string and array inside belongs
 * to it.  ap_outturn_compute gives a result to release with
 * ap_outturn_result_free, which frees its audit report too; it holds its
 * own copies of the area names, so the outturn may be freed first.
 * ap_recharge_balance_compute gives a balance to release with
 * ap_recharge_balance_free; it refers to the plan's carry-forwards by
 * index and does not own the plan.  On an error *out is NULL.  The
 * structs are read-only views: release them whole, never a member on its
 * own.  ap_variance_sign_name, ap_variance_sign_rule and
 * ap_outturn_column_name return static strings. */
#ifndef APPORTION_OUTTURN_H
#define APPORTION_OUTTURN_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The outturn format this library reads (the file's "format" member). */
#define AP_OUTTURN_FORMAT "apportion.outturn/1"

typedef enum ap_variance_sign {
    AP_VARIANCE_OVERSPEND_POSITIVE = 0, /* variance = outturn - budget */
    AP_VARIANCE_UNDERSPEND_POSITIVE = 1 /* variance = budget - outturn */
} ap_variance_sign;

/* "outturn_minus_budget" / "budget_minus_outturn" (the names the file
 * uses; "overspend_positive" and "underspend_positive" are read too). */
const char *ap_variance_sign_name(ap_variance_sign sign);
/* One sentence for a reader: "Variance = outturn - budget: a positive
 * variance is an overspend (adverse)." */
const char *ap_variance_sign_rule(ap_variance_sign sign);
ap_status ap_variance_sign_parse(const char *name, ap_variance_sign *out,
                                 ap_error *err);

typedef enum ap_outturn_kind {
    AP_OUTTURN_ACTUAL = 0,  /* a finished year's outturn */
    AP_OUTTURN_FORECAST = 1 /* a projection of the year end */
} ap_outturn_kind;

typedef enum ap_outturn_line_kind {
    AP_LINE_SERVICE = 0, /* spending on a service */
    AP_LINE_INCOME = 1   /* an income line such as the contract sum that
                            nets the services' budget to nil */
} ap_outturn_line_kind;

/* A figure as printed: pence and the value of one unit of its last digit
 * (ap_amount, plan.h); `present` says whether the paper printed it. */
typedef struct ap_printed {
    int present;
    ap_amount amount; /* resolution 0: an exact nil printed "-" */
} ap_printed;

typedef struct ap_outturn_funding {
    char *source;     /* "Covid funding" */
    ap_amount amount; /* as printed: negative reduces the outturn */
} ap_outturn_funding;

typedef struct ap_outturn_line {
    char *id;           /* given, or "1", "2", ... */
    char *service;      /* "Corporate Parent Service" */
    char *service_area; /* a grouping; "" puts the line in its own area */
    ap_outturn_line_kind kind;
    int has_authority;  /* the whole line is one authority's */
    size_t authority;
    ap_printed budget;  /* always present */
    ap_printed gross_outturn;
    ap_outturn_funding *funding;
    size_t n_funding;
    ap_printed outturn;  /* present, or gross_outturn is */
    ap_printed variance; /* as printed, under the file's variance_sign */
} ap_outturn_line;

typedef struct ap_outturn_reserve {
    char *name;        /* "Carry forward reserve" */
    char *description; /* "" when not given */
    ap_amount amount;  /* used to meet the overspend: positive */
} ap_outturn_reserve;

typedef struct ap_outturn_grant {
    char *name;
    ap_amount amount;
} ap_outturn_grant;

/* A further table the paper prints beside the outturn, such as its
 * government revenue grants, with its stated total. */
typedef struct ap_outturn_grants {
    int present;
    char *title;
    ap_unit unit;
    ap_outturn_grant *items;
    size_t n_items;
    ap_printed total;
} ap_outturn_grants;

/* The paper's own words about the whole: "an overspend of £1.070m
 * against the approved budget of £123.348m ... leaving a net underspend
 * of £0.019m".  Variances are kept under the file's variance_sign, like
 * the table's; the file may give them signed that way or as
 * {"overspend": ...} / {"underspend": ...}. */
typedef struct ap_outturn_stated {
    ap_printed budget;       /* the service budget */
    ap_printed variance;     /* the total variance */
    ap_printed funding;      /* the total of the funding column */
    ap_printed reserves;     /* the reserves used */
    ap_printed net_variance; /* the variance after reserves */
} ap_outturn_stated;

/* Columns of the outturn table, for the audit's findings. */
typedef enum ap_outturn_column {
    AP_COL_BUDGET = 0,
    AP_COL_GROSS_OUTTURN = 1,
    AP_COL_FUNDING = 2,
    AP_COL_OUTTURN = 3,
    AP_COL_VARIANCE = 4,
    AP_COL_RESERVES = 5,
    AP_COL_NET_VARIANCE = 6,
    AP_OUTTURN_COLUMN_COUNT
} ap_outturn_column;

/* "budget", "gross_outturn", ... ("" for an unknown column). */
const char *ap_outturn_column_name(ap_outturn_column column);

typedef struct ap_outturn {
    char *source; /* the file name, or the name given to ap_outturn_parse */
    char *title;
    char *financial_year;
    char *period;        /* "P12"; "" when not given */
    char *funding_label; /* what a line's single funding figure is */
    ap_unit unit;
    ap_outturn_kind kind;
    ap_variance_sign variance_sign; /* how the file prints variances */
    ap_authority *authorities;      /* none without a split */
    size_t n_authorities;
    int has_split;
    ap_basis split; /* the agreed split, such as NNC 44.16 / WNC 55.84 */
    ap_outturn_line *lines;
    size_t n_lines;
    ap_printed total[5]; /* the stated total row, by ap_outturn_column */
    ap_outturn_reserve *reserves;
    size_t n_reserves;
    ap_outturn_stated stated;
    ap_outturn_grants grants;
} ap_outturn;

/* Parses an outturn from JSON text (len bytes, need not be NUL-terminated;
 * source names it in messages).  Errors are AP_E_PLAN with the JSON path,
 * line and column in err; *out is then NULL.  Threads: as ap_plan_parse. */
ap_status ap_outturn_parse(const char *text, size_t len, const char *source,
                           ap_outturn **out, ap_error *err);
/* Reads and parses a file, as ap_outturn_parse; the caller frees *out with
 * ap_outturn_free. */
ap_status ap_outturn_load(const char *path, ap_outturn **out, ap_error *err);
/* Frees the outturn and every string and array in it; NULL is fine. */
void ap_outturn_free(ap_outturn *outturn);

/* ---- results ----------------------------------------------------------- */

typedef struct ap_variance {
    int64_t budget;
    int64_t gross_outturn; /* printed, or outturn - funding */
    int64_t funding;       /* the sum of the funding */
    int64_t outturn;       /* printed, or gross outturn + funding */
    int64_t variance;      /* outturn - budget: positive is an overspend */
    /* The variance as a fraction of the budget, exactly num / den, with
     * den = |budget| so the sign is the variance's; has_ratio is 0 for a
     * zero budget. */
    int has_ratio;
    int64_t ratio_num;
    int64_t ratio_den;
    int64_t basis_points; /* 10000 * num / den, rounded half away from 0 */
} ap_variance;

typedef struct ap_service_area {
    char *name;   /* the service_area, or the line's service (owned) */
    size_t n_lines;
    ap_variance v;
} ap_service_area;

typedef struct ap_outturn_result {
    ap_variance_sign sign; /* of every variance below: overspend positive */
    size_t n_lines;
    ap_variance *lines;
    ap_service_area *areas; /* in order of first appearance */
    size_t n_areas;
    /* Over every line.  Its ratio is of the service budget, which equals
     * the total budget unless income lines net it down (NCT's is nil). */
    ap_variance total;
    int64_t service_budget; /* the budget of the service lines */
    int64_t income_budget;  /* the budget of the income lines */
    int64_t reserves;       /* reserves used */
    int64_t net_variance;   /* total variance - reserves */
    /* By authority (n_authorities is 0 without a split): each line's
     * variance split by the agreed split (largest remainder, exact by line
     * and by authority at once), a line of one authority wholly to it. */
    size_t n_authorities;
    int64_t *variance_shares;    /* n_lines x n_authorities */
    int64_t *authority_variance; /* column totals */
    int64_t *authority_reserves; /* the reserves split the same way */
    int64_t *authority_net;      /* variance - reserves */
    /* Every stated figure checked: rules within each line, the total row,
     * the paper's words, the split and the grants table.  Findings' rows
     * are line indexes, n_lines for the total row, n_lines + 1 for the
     * paper's words, n_lines + 2 for the split, n_lines + 3 for the grants
     * total; columns are ap_outturn_column values (0 for the split and the
     * grants, whose column labels are "percent" and "amount").  Figures
     * are in units of report->unit: the file's unit, widened when a figure
     * is printed more coarsely. */
    ap_audit_report *audit;
    /* Nonzero when every stated line variance that is not nil is the
     * computed one negated: the file's variance_sign is probably the
     * other convention (each such line is also an error in the audit). */
    int sign_reversed;
} ap_outturn_result;

/* Computes the variances, totals, net position and authority split, and
 * audits every stated figure.  Errors: AP_E_OVERFLOW naming the line,
 * AP_E_NOMEM.  The caller frees *out with ap_outturn_result_free. */
ap_status ap_outturn_compute(const ap_outturn *outturn,
                             ap_outturn_result **out, ap_error *err);
/* Frees the result, its area names and its audit report; NULL is fine. */
void ap_outturn_result_free(ap_outturn_result *result);

/* ---- the Q4 balancing payment of a recharge ------------------------------
 * A plan (plan.h) invoices its payer equal instalments; the last is the
 * balance once the year's actual expenditure is known.  This re-runs the
 * plan's own compute with that actual, so the shares, the rounding and the
 * schedule are the plan's. */

typedef struct ap_recharge_balance {
    size_t payer; /* authority indexes of the plan */
    size_t payee;
    int64_t budget;             /* the plan's budget (all lines) */
    int64_t actual_expenditure; /* what was spent */
    int64_t variance;           /* actual - budget: positive overspend */
    int64_t budget_share;       /* the payer's share being recharged */
    int64_t actual_share;       /* its share of the actual spend */
    size_t n_billed;            /* instalments invoiced before the last */
    int64_t *billed;            /* their amounts (owned) */
    int64_t billed_total;
    int64_t planned_final;      /* the last instalment as planned */
    int64_t balance;            /* actual_share - billed_total: positive is
                                   a payment by the payer, negative a refund */
    /* The plan's carry-forwards and receipts in advance: invoiced apart and
     * never netted into the balance.  Totals of those the payer pays the
     * payee (and the reverse), for the reader's one line. */
    size_t n_carry_forwards;
    int64_t carry_forwards_to_payee;
    int64_t carry_forwards_to_payer;
} ap_recharge_balance;

/* Errors: AP_E_INPUT when the plan has no recharge rule; whatever the
 * plan's compute reports (a zero budget with a stated recharge). */
ap_status ap_recharge_balance_compute(const ap_plan *plan,
                                      int64_t actual_expenditure,
                                      ap_recharge_balance **out,
                                      ap_error *err);
/* Frees the balance and its billed array (not the plan); NULL is fine. */
void ap_recharge_balance_free(ap_recharge_balance *balance);

#ifdef __cplusplus
}
#endif
#endif
