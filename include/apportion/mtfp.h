/* apportion: the medium-term financial plan (MTFP) rolled forward over
 * several years.
 *
 * Each year: base brought forward + growth (inflation, service pressures)
 * + savings (efficiencies, income generation, service transformation,
 * service cuts) = net budget requirement, which becomes the next year's
 * base brought forward.
 *
 * Signs are the paper's: figures are typed as printed.  Growth lines add
 * and may be negative (the seed's "SEN Grant Cash Flow" is (127)).
 * Savings are printed negative, in brackets ("(3,540)"), and are added as
 * printed, so the savings total is negative; a savings proposal with a
 * positive amount is refused when the file is read, naming it, unless the
 * proposal says "allow_positive" (the reversal of an earlier saving).
 *
 * Every figure the paper states (a proposal's "Total" column, the total
 * rows of each category, growth and savings, the summary's base brought
 * forward and net budget requirement) is checked with ap_audit_sum against
 * the proposals' own printed figures and collected in an ap_audit_report.
 * Each year's requirement may be split between authorities by an agreed
 * split (an ap_basis, plan.h, with an ap_split_paper, savings.h).
 *
 * The file format is "apportion.mtfp/1" (schema/mtfp.schema.json); a
 * plan file ("apportion.plan/1") may carry the same object under its
 * top-level member "mtfp".
 *
 * Memory.  ap_mtfp_load / ap_mtfp_parse give the caller a model to release
 * with ap_mtfp_free; every string and array inside belongs to it.
 * ap_mtfp_compute gives a result to release with ap_mtfp_result_free,
 * which also frees its audit report.  On an error *out is NULL.  The
 * structs are read-only views: release them whole, never a member on its
 * own.  The category and "of" names are static strings. */
#ifndef APPORTION_MTFP_H
#define APPORTION_MTFP_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/plan.h"
#include "apportion/savings.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_MTFP_FORMAT "apportion.mtfp/1"

/* The categories of proposal, growth first: code, JSON name, heading,
 * and whether it is a saving (printed negative). */
#define AP_MTFP_CATEGORY_MAP(X)                                              \
    X(AP_MTFP_INFLATION, "inflation", "Inflation", 0)                        \
    X(AP_MTFP_PRESSURE, "pressure", "Service pressures", 0)                  \
    X(AP_MTFP_EFFICIENCY, "efficiency", "Efficiencies", 1)                   \
    X(AP_MTFP_INCOME, "income", "Income generation", 1)                      \
    X(AP_MTFP_TRANSFORMATION, "transformation", "Service transformation", 1) \
    X(AP_MTFP_CUTS, "cuts", "Service cuts", 1)

typedef enum ap_mtfp_category {
#define AP__ENUM(code, key, title, saving) code,
    AP_MTFP_CATEGORY_MAP(AP__ENUM)
#undef AP__ENUM
    AP_MTFP_CATEGORY_COUNT
} ap_mtfp_category;

/* Static texts: "inflation"; "Inflation"; nonzero for a saving. */
const char *ap_mtfp_category_name(ap_mtfp_category category);
const char *ap_mtfp_category_title(ap_mtfp_category category);
int ap_mtfp_category_is_saving(ap_mtfp_category category);

typedef struct ap_mtfp_proposal {
    char *reference;   /* "10-033-01b"; "" when none */
    char *name;        /* "Forecast Pay Inflation" */
    char *description; /* "" when none */
    ap_mtfp_category category;
    int allow_positive; /* a saving that may be printed positive */
    ap_amount *amounts; /* one per year, as printed */
    int has_total;      /* the paper's "Total £000" for the proposal */
    ap_amount total;
} ap_mtfp_proposal;

/* What a stated row of the paper is a figure of: a category's total (the
 * category values), or one of these. */
#define AP_MTFP_OF_GROWTH ((int)AP_MTFP_CATEGORY_COUNT)          /* "growth" */
#define AP_MTFP_OF_SAVINGS ((int)AP_MTFP_CATEGORY_COUNT + 1)     /* "savings" */
#define AP_MTFP_OF_BASE ((int)AP_MTFP_CATEGORY_COUNT + 2)  /* "base_brought_forward" */
#define AP_MTFP_OF_REQUIREMENT ((int)AP_MTFP_CATEGORY_COUNT + 3) /* "net_budget_requirement" */
#define AP_MTFP_OF_COUNT ((int)AP_MTFP_CATEGORY_COUNT + 4)

/* Static JSON name of an "of" value: "inflation", ..., "growth". */
const char *ap_mtfp_of_name(int of);

typedef struct ap_mtfp_stated_row {
    char *label;      /* "Total Inflation" */
    char *table;      /* where it is printed: "14.2"; "" when not given */
    int of;           /* an ap_mtfp_category or AP_MTFP_OF_* */
    int *has_amount;  /* per year: the paper printed this year's figure */
    ap_amount *amounts;
    int has_total;    /* the figure across all years ("Total £000") */
    ap_amount total;
} ap_mtfp_stated_row;

typedef struct ap_mtfp {
    char *source;    /* the file name, or the name given to _parse */
    char *title;
    char *reference; /* the paper the figures come from */
    char *location;  /* where in it: "sections 14 and 14.2" */
    ap_unit unit;
    char **years;    /* "2017-18", in order */
    size_t n_years;
    ap_amount base;  /* the first year's base brought forward */
    ap_mtfp_proposal *proposals;
    size_t n_proposals;
    ap_mtfp_stated_row *stated;
    size_t n_stated;
    /* How each requirement is split, if the file gives a split: as in
     * ap_savings (savings.h). */
    ap_authority *authorities;
    size_t n_authorities;
    int has_split;
    ap_basis split;
    ap_split_paper split_paper;
} ap_mtfp;

/* Parses an MTFP from JSON text (len bytes): an "apportion.mtfp/1" file,
 * or a plan file with an "mtfp" member.  On error *out is NULL and err
 * names the JSON path, line and column.  Threads: as ap_plan_parse. */
ap_status ap_mtfp_parse(const char *text, size_t len, const char *source,
                        ap_mtfp **out, ap_error *err);
/* Reads and parses a file, as ap_mtfp_parse; the caller frees *out with
 * ap_mtfp_free. */
ap_status ap_mtfp_load(const char *path, ap_mtfp **out, ap_error *err);
/* Frees the model and every string and array in it; NULL is fine. */
void ap_mtfp_free(ap_mtfp *mtfp);

/* ---- results ----------------------------------------------------------- */

typedef struct ap_mtfp_result {
    size_t n_years;
    size_t n_proposals;
    int64_t *base;        /* per year: base brought forward, pence */
    int64_t *by_category; /* n_years x AP_MTFP_CATEGORY_COUNT, row-major */
    int64_t *growth;      /* per year: inflation + pressures */
    int64_t *savings;     /* per year: the savings, negative as printed */
    int64_t *requirement; /* per year: base + growth + savings */
    int64_t *proposal_totals; /* per proposal, across the years */
    int64_t category_totals[AP_MTFP_CATEGORY_COUNT]; /* across the years */
    int64_t growth_total;
    int64_t savings_total;
    size_t n_parties;     /* the split's authorities; 0 without a split */
    int64_t *split;       /* n_years x n_parties: each requirement split */
    ap_audit_report *audit; /* every stated figure checked (owned) */
} ap_mtfp_result;

/* Rolls the plan forward and checks every stated figure against the
 * printed figures it is made of: a proposal's total against its years; a
 * category, growth or savings row against its proposals (its total column
 * against every year of them); a base brought forward against the year
 * before's printed requirement; a requirement against the year's printed
 * base and its proposals.  Where the paper prints no base or requirement
 * for a year, the chain goes back through the proposals to the first
 * base.  So a wrong figure is found once, where it is, not in every year
 * after it; the computed roll-forward (base, requirement) is the model's
 * own and is always from the first base and the proposals.
 * Findings: `column` is the year's index, n_years for a "Total" across
 * the years; `row` is the proposal's index for its own total,
 * n_proposals + k for stated row k, n_proposals + n_stated for the
 * agreed split and one more for the split as printed (then `column` is
 * the authority's index, n_authorities for the percentages' sum).  An
 * overflow is AP_E_OVERFLOW naming the year. */
ap_status ap_mtfp_compute(const ap_mtfp *mtfp, ap_mtfp_result **out,
                          ap_error *err);
/* Frees the result and its audit report; NULL is fine. */
void ap_mtfp_result_free(ap_mtfp_result *result);

#ifdef __cplusplus
}
#endif
#endif
