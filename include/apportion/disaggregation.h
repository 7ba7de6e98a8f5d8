/* apportion: the disaggregation of a hosted service — what splitting one
 * service run by a host council for others into one service per council
 * means for each of them.
 *
 * A paper proposing it (a variation notice to an inter-authority
 * agreement) states the service's budget and each council's part of it,
 * the activity each council's residents make of the service (caseload,
 * referrals, contacts), its staff (posts and full-time equivalents, some
 * term-time only), the extra cost of running two services where there was
 * one (as a range: "circa £80-90k"), and its dates.  The model carries all
 * of that as printed and computes:
 *
 *   - the budget under every basis side by side: each council's share in
 *     pence (exact, each basis's shares summing to the budget) and each
 *     basis's percentages;
 *   - the staffing split: the posts every new service needs once of its
 *     own (a manager, administration), the posts the paper already gives
 *     to one council or the other, and the rest divided by each basis in
 *     the FTE's printed hundredths; the FTE after disaggregation and the
 *     extra FTE of the posts duplicated; the extra cost as a range (low,
 *     high), never a midpoint;
 *   - the notice timeline: when notice given on a date (the committee's)
 *     would end under the agreement's notice period, and by how many days
 *     the target date falls short of it;
 *
 * and audits every stated figure into an ap_audit_report: each basis's
 * stated total against its parts, the budget's allocations against its
 * total, the FTE against its posts, and each figure the paper carries from
 * another paper (a council's budget in £k against the service plan's
 * figure to the pound) by ap_audit_figure's rounding conventions, so a
 * figure cut to £k rather than rounded is named as truncation, not as an
 * error.  Whether two papers describe the same thing is a reading the file
 * states; the finding quotes it.
 *
 * The file format is "apportion.disaggregation/1"
 * (schema/disaggregation.schema.json).
 *
 * Memory.  ap_disaggregation_load / _parse give the caller a model to
 * release with ap_disaggregation_free; every string and array inside
 * belongs to it.  ap_disaggregation_compute gives a result to release
 * with ap_disaggregation_result_free, which also frees its audit report.
 * On an error *out is NULL.  The structs are read-only views: release them
 * whole, never a member on its own.  Rule names are static strings. */
#ifndef APPORTION_DISAGGREGATION_H
#define APPORTION_DISAGGREGATION_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_DISAGGREGATION_FORMAT "apportion.disaggregation/1"

/* A basis the budget could be divided by, with what the paper says of
 * it.  Texts are "" when the file gives none. */
typedef struct ap_disagg_basis {
    ap_basis basis;     /* name, kind (metric or percent) and values */
    char *what;         /* "people who accessed the service, ..." */
    char *source;       /* the paper and section the figures come from */
    char *reading;      /* how an ambiguous cell was read, and why */
    int has_stated_total;
    char *stated_total; /* the paper's total of the values, as printed:
                           "1,202"; "100%" for a percent basis */
} ap_disagg_basis;

/* How a group of posts is split when the service becomes one per
 * authority. */
typedef enum ap_post_rule {
    AP_POST_DIVIDED = 0,     /* the FTE divided between the new services,
                                by each basis in turn */
    AP_POST_ONCE_IN_EACH = 1, /* every new service needs its own (a
                                 manager, administration) */
    AP_POST_ASSIGNED = 2     /* the paper already gives each authority its
                                part ("each leading for North or West") */
} ap_post_rule;

/* Static names: "divided", "once_in_each", "assigned". */
const char *ap_post_rule_name(ap_post_rule rule);

typedef struct ap_disagg_post {
    char *role;           /* "Case officer" */
    char *source;         /* "" when none */
    ap_post_rule rule;
    char *fte_text;       /* as printed: "5.48" */
    ap_figure fte;        /* the same, read */
    int has_headcount;
    int64_t headcount;    /* whole posts (people), when the paper says */
    char **assigned_text; /* AP_POST_ASSIGNED: per authority, as printed;
                             NULL otherwise */
    ap_figure *assigned;
} ap_disagg_post;

typedef struct ap_disagg_staffing {
    int present;
    int has_headcount;
    int64_t headcount;        /* "11 members of staff" */
    int has_fte;
    char *fte_text;           /* "9.48" */
    char *source;             /* "" when none */
    ap_disagg_post *posts;
    size_t n_posts;
    int has_extra_cost;
    char *extra_cost_printed; /* "circa £80-90k" */
    ap_amount extra_cost_low;  /* "£80k" */
    ap_amount extra_cost_high; /* "£90k" */
    char *extra_cost_source;
    char *extra_cost_what;    /* what the paper says it pays for */
} ap_disagg_staffing;

/* A figure this paper states that another paper also states: the budget
 * and allocations as this paper prints them (in £k, say), against the
 * other paper's figure (to the pound). */
typedef struct ap_disagg_cross_check {
    char *label;          /* "WNC's budget allocation" */
    char *stated;         /* this paper's figure as printed: "£211k" */
    char *stated_source;
    char *against_text;   /* the other paper's, as printed: "£211,654" */
    ap_amount against;
    char *against_source;
    char *reading;        /* whether, and why, the two are read as the same
                             thing; "" when the file says nothing */
} ap_disagg_cross_check;

typedef struct ap_disagg_event {
    int64_t date;         /* days since 1970-01-01 */
    char *what;
    char *source;
} ap_disagg_event;

typedef struct ap_disagg_timeline {
    int present;
    int64_t notice_months;  /* the agreement's notice period */
    char *notice_source;
    int64_t notice_from;    /* when notice is read as given */
    char *notice_from_what; /* "the Shared Services Joint Committee" */
    int64_t target;         /* the date the paper sets for the change */
    char *target_printed;   /* "by no later than 31st March 2023" */
    char *target_source;
    ap_disagg_event *events; /* other dates the paper gives, in order */
    size_t n_events;
} ap_disagg_timeline;

typedef struct ap_disaggregation {
    char *source;    /* the file name, or the name given to _parse */
    char *title;
    char *reference; /* the paper */
    ap_unit unit;
    ap_authority *authorities;
    size_t n_authorities;
    size_t host;     /* the host authority's index */
    /* The service's budget and each authority's allocation, as printed. */
    char *budget_text;      /* "£429k" */
    ap_amount budget;
    int *has_allocation;    /* per authority */
    char **allocation_text; /* per authority, NULL when not printed */
    ap_amount *allocations;
    char *budget_source;
    ap_disagg_basis *bases;
    size_t n_bases;
    ap_disagg_staffing staffing;
    ap_disagg_cross_check *cross_checks;
    size_t n_cross_checks;
    ap_disagg_timeline timeline;
} ap_disaggregation;

/* Parses a disaggregation from JSON text (len bytes); source names it in
 * messages.  On error *out is NULL and err names the JSON path, line and
 * column.  Threads: as ap_plan_parse. */
ap_status ap_disaggregation_parse(const char *text, size_t len,
                                  const char *source,
                                  ap_disaggregation **out, ap_error *err);
/* Reads and parses a file, as ap_disaggregation_parse; the caller frees
 * *out with ap_disaggregation_free. */
ap_status ap_disaggregation_load(const char *path, ap_disaggregation **out,
                                 ap_error *err);
/* Frees the model and every string and array in it; NULL is fine. */
void ap_disaggregation_free(ap_disaggregation *model);

/* ---- results ----------------------------------------------------------- */

typedef struct ap_disaggregation_result {
    size_t n_bases;
    size_t n_authorities;
    int64_t budget;      /* the budget apportioned, pence */
    int64_t *shares;     /* n_bases x n_authorities, pence, row-major */
    /* Each basis's percentages at percent_decimals places, apportioned
     * from 100 by largest remainder so each row sums to exactly 100. */
    int percent_decimals;
    int64_t *percents;   /* n_bases x n_authorities */
    /* Staffing, every FTE figure at fte_decimals places. */
    int fte_decimals;
    size_t n_posts;
    int64_t fte_now;     /* the sum of the posts */
    int64_t fte_after;   /* with a post of each once_in_each group in
                            every new service */
    int64_t fte_extra;   /* fte_after - fte_now */
    /* n_bases x n_posts x n_authorities: each post group's FTE in each
     * authority's new service, under each basis (a divided group follows
     * the basis; the others are the same under every basis). */
    int64_t *post_fte;
    /* n_bases x n_authorities: each new service's FTE under each basis. */
    int64_t *service_fte;
    /* The notice timeline (when the model has one). */
    int64_t notice_end;  /* notice_from + notice_months, day clamped */
    int64_t target_margin; /* target - notice_end in days: negative when
                              the target falls before notice would end */
    ap_audit_report *audit; /* every stated figure checked (owned) */
} ap_disaggregation_result;

/* Computes and audits the model, as this header's opening says.  Audit
 * findings, in this order: row k < n_bases is basis k's stated total
 * (column: the number of authorities, the total's column); row n_bases
 * the budget's allocations against the budget; row n_bases + 1 the FTE
 * against its post groups; row n_bases + 2 + p an assigned post group p's
 * parts against its FTE; row n_bases + 2 + n_posts + k cross check k
 * (kind AP_TABLE_CHECK_FIGURE, judged by ap_audit_figure).
 * Errors: AP_E_OVERFLOW naming what overflowed, AP_E_NOMEM. */
ap_status ap_disaggregation_compute(const ap_disaggregation *model,
                                    ap_disaggregation_result **out,
                                    ap_error *err);
/* Frees the result and its audit report; NULL is fine. */
void ap_disaggregation_result_free(ap_disaggregation_result *result);

#ifdef __cplusplus
}
#endif
#endif
