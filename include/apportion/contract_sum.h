/* apportion: contract sums paid in blocks — core funding, named items, and
 * provisions drawn down by approved business cases — with the balance
 * outstanding of each block, the split between the authorities, and the
 * audit of every figure the paper states.
 *
 * The NCT contract sum for 2024/25 (the T&E Board Update to the
 * Children's Trust Joint Committee of 6 March 2024) is the model: Block 1 core
 * funding and Block 2 named transformation items make the contract sum;
 * Block 3 is a provision outside it, used only by business cases the
 * Transformation and Efficiency Board approves.  Balance outstanding =
 * block amount - funding agreed.
 *
 * Memory.  ap_contract_sum_load / ap_contract_sum_parse give the caller a
 * contract sum to release with ap_contract_sum_free; every string and
 * array in it belongs to it.  ap_contract_sum_compute gives a result to
 * release with ap_contract_sum_result_free, which frees its audit report
 * too; it does not refer to the contract sum, which may be freed first.
 * On an error *out is NULL.  The structs are read-only views: release them
 * whole, never a member on its own.  ap_block_kind_name returns a static
 * string. */
#ifndef APPORTION_CONTRACT_SUM_H
#define APPORTION_CONTRACT_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/audit.h"
#include "apportion/calendar.h"
#include "apportion/error.h"
#include "apportion/money.h"
#include "apportion/outturn.h"
#include "apportion/plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The contract-sum format this library reads ("format" member). */
#define AP_CONTRACT_SUM_FORMAT "apportion.contract_sum/1"

typedef enum ap_block_kind {
    AP_BLOCK_CORE = 0,     /* core funding: nothing is drawn from it */
    AP_BLOCK_ITEMS = 1,    /* named items agreed with the contract sum */
    AP_BLOCK_PROVISION = 2 /* set aside; drawn by approved business cases */
} ap_block_kind;

/* "core", "items", "provision" ("" for an unknown kind). */
const char *ap_block_kind_name(ap_block_kind kind);

typedef struct ap_contract_block {
    char *id;   /* "1" */
    char *name; /* "Core funding" */
    ap_block_kind kind;
    int in_contract_sum; /* core and items by default; provisions not */
    ap_amount amount;
    ap_printed non_recurring; /* the stated part that is one-off */
} ap_contract_block;

typedef struct ap_business_case {
    char *theme;    /* "Operational Efficiency"; "" when not given */
    char *project;  /* "Circle to Success" */
    char *duration; /* as written; "" when not given */
    int64_t approved; /* days since 1970-01-01, AP_DATE_NAT when not given */
    int has_block;    /* funded from a block (a case may fund nothing) */
    size_t block;
    ap_amount amount; /* funding agreed; a case funded from two blocks is
                         listed once for each */
    int recurring;    /* 1, 0, or -1 when not stated */
} ap_business_case;

/* One line of a table the paper prints for a block. */
typedef struct ap_block_table_item {
    char *project;
    size_t business_case; /* the case it names (same project and block) */
    ap_amount amount;      /* as printed in this table */
} ap_block_table_item;

/* A table of a block's funding agreed as the paper prints it, with its
 * stated total and balance outstanding. */
typedef struct ap_block_table {
    char *title; /* "Appendix A: Block 3 - £3.291m" */
    size_t block;
    ap_printed amount; /* the block's amount as the table heads it */
    ap_block_table_item *items;
    size_t n_items;
    ap_printed total;
    ap_printed balance;
} ap_block_table;

typedef struct ap_contract_sum {
    char *source; /* the file name, or the name given to the parser */
    char *title;
    char *financial_year;
    char *as_of; /* "2024-02-23" as written; "" when not given */
    ap_unit unit;
    ap_authority *authorities;
    size_t n_authorities;
    int has_split;
    ap_basis split; /* WNC 55.84 / NNC 44.16 */
    ap_printed stated_contract_sum;
    ap_contract_block *blocks;
    size_t n_blocks;
    ap_business_case *cases;
    size_t n_cases;
    ap_block_table *tables;
    size_t n_tables;
} ap_contract_sum;

/* Parses a contract sum from JSON text (len bytes; source names it in
 * messages).  Errors are AP_E_PLAN with the JSON path, line and column;
 * *out is then NULL.  Threads: as ap_plan_parse. */
ap_status ap_contract_sum_parse(const char *text, size_t len,
                                const char *source, ap_contract_sum **out,
                                ap_error *err);
/* Reads and parses a file, as ap_contract_sum_parse; the caller frees *out
 * with ap_contract_sum_free. */
ap_status ap_contract_sum_load(const char *path, ap_contract_sum **out,
                               ap_error *err);
/* Frees the contract sum and every string and array in it; NULL is fine. */
void ap_contract_sum_free(ap_contract_sum *contract);

/* ---- results ----------------------------------------------------------- */

typedef struct ap_block_result {
    int64_t amount;
    int64_t agreed;  /* the funding of the business cases it pays for */
    int64_t balance; /* amount - agreed: the balance outstanding */
    size_t n_cases;
    int has_non_recurring; /* every case of the block says whether it
                              recurs */
    int64_t non_recurring; /* the funding of its one-off cases */
} ap_block_result;

typedef struct ap_contract_sum_result {
    size_t n_blocks;
    ap_block_result *blocks;
    int64_t contract_sum; /* the blocks in the contract sum */
    int64_t provisions;   /* the blocks outside it */
    int64_t agreed;       /* all business cases' funding */
    int64_t unallocated;  /* business cases funded from no block */
    /* By authority (n_authorities is 0 without a split): each block split
     * by the agreed split, largest remainder, exact by block and by
     * authority at once; the contract sum's shares are exactly its own
     * apportionment (the contract blocks are split before the
     * provisions). */
    size_t n_authorities;
    int64_t *block_shares;        /* n_blocks x n_authorities */
    int64_t *contract_sum_shares; /* n_authorities */
    int64_t *provision_shares;    /* n_authorities */
    /* Every stated figure checked.  Rows: blocks by index for the
     * contract sum (row n_blocks) and non-recurring parts; tables follow
     * as n_blocks + 1 + table index; n_blocks + 1 + n_tables is the
     * split.  Columns: 0 amount, 1 total agreed, 2 balance outstanding,
     * 3 non-recurring; for a table's items, 10 + the item's index.
     * Figures are in units of report->unit. */
    ap_audit_report *audit;
} ap_contract_sum_result;

/* Computes block balances, the contract sum and the split, and audits
 * every stated figure.  Errors: AP_E_OVERFLOW, AP_E_NOMEM.  The caller
 * frees *out with ap_contract_sum_result_free. */
ap_status ap_contract_sum_compute(const ap_contract_sum *contract,
                                  ap_contract_sum_result **out,
                                  ap_error *err);
/* Frees the result and its audit report; NULL is fine. */
void ap_contract_sum_result_free(ap_contract_sum_result *result);

#ifdef __cplusplus
}
#endif
#endif
