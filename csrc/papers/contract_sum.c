/* Computing a contract sum in blocks: funding agreed and balance
 * outstanding per block, the contract sum, the split between the
 * authorities, and the audit of every figure the paper states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papers/finance_audit.h"

/* Audit columns (contract_sum.h). */
enum { COL_AMOUNT = 0, COL_TOTAL = 1, COL_BALANCE = 2, COL_NON_RECURRING = 3,
       COL_ITEM = 10 };

void ap_contract_sum_result_free(ap_contract_sum_result *r)
{
    if (r == NULL)
        return;
    free(r->blocks);
    free(r->block_shares);
    free(r->contract_sum_shares);
    free(r->provision_shares);
    ap_audit_report_free(r->audit);
    free(r);
}

static ap_status compute_blocks(const ap_contract_sum *c,
                                ap_contract_sum_result *r, ap_error *err)
{
    ap_status st;
    for (size_t j = 0; j < c->n_blocks; j++) {
        ap_block_result *b = &r->blocks[j];
        b->amount = c->blocks[j].amount.pence;
        b->has_non_recurring = 1;
        int64_t *into = c->blocks[j].in_contract_sum ? &r->contract_sum
                                                     : &r->provisions;
        if ((st = ap_money_add(*into, b->amount, into, err)))
            return st;
    }
    for (size_t i = 0; i < c->n_cases; i++) {
        const ap_business_case *bc = &c->cases[i];
        int64_t v = bc->amount.pence;
        if ((st = ap_money_add(r->agreed, v, &r->agreed, err)))
            return st;
        if (!bc->has_block) {
            if ((st = ap_money_add(r->unallocated, v, &r->unallocated, err)))
                return st;
            continue;
        }
        ap_block_result *b = &r->blocks[bc->block];
        b->n_cases++;
        if ((st = ap_money_add(b->agreed, v, &b->agreed, err)))
            return st;
        if (bc->recurring < 0)
            b->has_non_recurring = 0;
        else if (bc->recurring == 0 &&
                 (st = ap_money_add(b->non_recurring, v, &b->non_recurring,
                                    err)))
            return st;
    }
    for (size_t j = 0; j < c->n_blocks; j++) {
        ap_block_result *b = &r->blocks[j];
        if ((st = ap_money_sub(b->amount, b->agreed, &b->balance, err)))
            return st;
        if (b->n_cases == 0)
            b->has_non_recurring = 0;
    }
    return AP_OK;
}

/* The contract blocks are split first and the provisions apart, so the
 * contract sum's shares are exactly its own apportionment. */
static ap_status compute_split(const ap_contract_sum *c,
                               ap_contract_sum_result *r, ap_error *err)
{
    size_t nb = c->n_blocks, na = c->n_authorities;
    r->n_authorities = na;
    r->block_shares = calloc(nb * na, sizeof *r->block_shares);
    r->contract_sum_shares = calloc(na, sizeof *r->contract_sum_shares);
    r->provision_shares = calloc(na, sizeof *r->provision_shares);
    int64_t *amounts = calloc(nb, sizeof *amounts);
    size_t *rows = calloc(nb, sizeof *rows);
    int64_t *cells = calloc(nb * na, sizeof *cells);
    ap_status st = AP_OK;
    if (!r->block_shares || !r->contract_sum_shares || !r->provision_shares ||
        !amounts || !rows || !cells)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    for (int in = 1; in >= 0 && st == AP_OK; in--) {
        size_t m = 0;
        for (size_t j = 0; j < nb; j++)
            if (c->blocks[j].in_contract_sum == in) {
                rows[m] = j;
                amounts[m++] = r->blocks[j].amount;
            }
        if (m == 0)
            continue;
        st = ap_apportion_lines(amounts, m, c->split.weights, na,
                                (ap_apportion_mode)c->split.mode, cells, err);
        int64_t *totals = in ? r->contract_sum_shares : r->provision_shares;
        for (size_t k = 0; k < m && st == AP_OK; k++) {
            memcpy(&r->block_shares[rows[k] * na], &cells[k * na],
                   na * sizeof *cells);
            for (size_t a = 0; a < na && st == AP_OK; a++)
                st = ap_money_add(totals[a], cells[k * na + a], &totals[a],
                                  err);
        }
    }
    free(amounts);
    free(rows);
    free(cells);
    return st;
}

/* ---- the audit ---------------------------------------------------------- */

typedef struct audit_ctx {
    const ap_contract_sum *c;
    const ap_contract_sum_result *r;
    ap_audit_report *report;
    ap_unit unit;
    ap_error *err;
} audit_ctx;

/* An exact nil, for a sum of nothing. */
static const ap_amount zero_exact = {.pence = 0, .resolution = 0};

static const char *const column_labels[] = {"amount", "total agreed",
                                            "balance outstanding",
                                            "non-recurring"};

static ap_status check(const audit_ctx *x, ap__audit_terms *ts,
                       const ap_amount *stated, ap_table_check_kind kind,
                       size_t row, size_t column, const char *row_label,
                       const char *column_label, const char *check_text,
                       const char *stated_label)
{
    if (column_label == NULL)
        column_label = column < 4 ? column_labels[column] : "";
    ap__audit_at at = {kind,         row,        column,      row_label,
                       column_label, check_text, stated_label};
    return ap__audit_check(x->report, x->unit, ts, stated, &at, x->err);
}

static void block_label(const ap_contract_block *b, char *buf, size_t size)
{
    if (b->name[0])
        snprintf(buf, size, "Block %s: %s", b->id, b->name);
    else
        snprintf(buf, size, "Block %s", b->id);
}

static ap_status audit_contract_sum(const audit_ctx *x, ap__audit_terms *ts)
{
    const ap_contract_sum *c = x->c;
    ap_status st = AP_OK;
    if (c->stated_contract_sum.present) {
        for (size_t j = 0; j < c->n_blocks && st == AP_OK; j++)
            if (c->blocks[j].in_contract_sum)
                st = ap__audit_push(ts, x->err, &c->blocks[j].amount, 1,
                                    "Block %s", c->blocks[j].id);
        if (st == AP_OK && ts->n == 0)
            return ap_error_set(x->err, AP_E_INPUT,
                                "a contract sum is stated, but every block "
                                "is outside it (in_contract_sum false)");
        if (st == AP_OK)
            st = check(x, ts, &c->stated_contract_sum.amount,
                       AP_TABLE_CHECK_TOTAL, c->n_blocks, COL_AMOUNT,
                       "Contract sum", NULL,
                       "Contract sum = sum of the blocks in it",
                       "the stated contract sum");
    }
    /* The non-recurring part of a block: its one-off business cases. */
    for (size_t j = 0; j < c->n_blocks && st == AP_OK; j++) {
        const ap_contract_block *b = &c->blocks[j];
        if (!b->non_recurring.present || !x->r->blocks[j].has_non_recurring)
            continue;
        for (size_t i = 0; i < c->n_cases && st == AP_OK; i++) {
            const ap_business_case *bc = &c->cases[i];
            if (bc->has_block && bc->block == j && bc->recurring == 0)
                st = ap__audit_push(ts, x->err, &bc->amount, 1, "%s",
                                    bc->project);
        }
        if (st == AP_OK && ts->n == 0)
            st = ap__audit_push(ts, x->err, &zero_exact, 1,
                                "no one-off business case");
        char label[200];
        block_label(b, label, sizeof label);
        if (st == AP_OK)
            st = check(x, ts, &b->non_recurring.amount, AP_TABLE_CHECK_TOTAL,
                       j, COL_NON_RECURRING, label, NULL,
                       "Non-recurring = sum of the block's one-off business "
                       "cases",
                       "the stated non-recurring part");
    }
    return st;
}

static ap_status audit_table(const audit_ctx *x, size_t t,
                             ap__audit_terms *ts)
{
    const ap_contract_sum *c = x->c;
    const ap_block_table *tab = &c->tables[t];
    const ap_contract_block *blk = &c->blocks[tab->block];
    size_t row = c->n_blocks + 1 + t;
    ap_status st = AP_OK;
    char text[300];
    /* The block's amount as the table heads it. */
    if (tab->amount.present) {
        if ((st = ap__audit_push(ts, x->err, &blk->amount, 1,
                                 "Block %s's amount", blk->id)) ||
            (st = check(x, ts, &tab->amount.amount, AP_TABLE_CHECK_RULE, row,
                        COL_AMOUNT, tab->title, NULL,
                        "Heading = the block's amount",
                        "the amount in the heading")))
            return st;
    }
    /* Each item against its business case. */
    for (size_t k = 0; k < tab->n_items && st == AP_OK; k++) {
        const ap_block_table_item *it = &tab->items[k];
        const ap_business_case *bc = &c->cases[it->business_case];
        char col[200];
        snprintf(col, sizeof col, "%s", it->project);
        if ((st = ap__audit_push(ts, x->err, &bc->amount, 1,
                                 "business case %s", bc->project)))
            break;
        st = check(x, ts, &it->amount, AP_TABLE_CHECK_RULE, row,
                   COL_ITEM + k, tab->title, col,
                   "Item = the business case's funding agreed",
                   "the item as printed here");
    }
    if (st != AP_OK)
        return st;
    /* The stated total against the items. */
    if (tab->total.present) {
        for (size_t k = 0; k < tab->n_items && st == AP_OK; k++)
            st = ap__audit_push(ts, x->err, &tab->items[k].amount, 1, "%s",
                                tab->items[k].project);
        snprintf(text, sizeof text, "Total = sum of the %zu items",
                 tab->n_items);
        if (st == AP_OK)
            st = check(x, ts, &tab->total.amount, AP_TABLE_CHECK_TOTAL, row,
                       COL_TOTAL, tab->title, NULL, text,
                       "the stated total");
        /* Cases of the block the table leaves out. */
        size_t listed = 0;
        for (size_t i = 0; i < c->n_cases; i++)
            if (c->cases[i].has_block && c->cases[i].block == tab->block)
                listed++;
        for (size_t k = 0; k < tab->n_items; k++)
            if (c->cases[tab->items[k].business_case].has_block)
                listed--;
        if (st == AP_OK && listed > 0) {
            for (size_t i = 0; i < c->n_cases && st == AP_OK; i++)
                if (c->cases[i].has_block && c->cases[i].block == tab->block)
                    st = ap__audit_push(ts, x->err, &c->cases[i].amount, 1,
                                        "%s", c->cases[i].project);
            if (st == AP_OK)
                st = check(x, ts, &tab->total.amount, AP_TABLE_CHECK_TOTAL,
                           row, COL_TOTAL, tab->title, NULL,
                           "Total = the block's business cases (the table "
                           "leaves some out)",
                           "the stated total");
        }
    }
    if (st != AP_OK || !tab->balance.present)
        return st;
    /* The balance as the paper's own arithmetic: amount - stated total. */
    const ap_amount *amount = tab->amount.present ? &tab->amount.amount
                                                  : &blk->amount;
    if (tab->total.present) {
        if ((st = ap__audit_push(ts, x->err, amount, 1, "Block %s's amount",
                                 blk->id)) ||
            (st = ap__audit_push(ts, x->err, &tab->total.amount, -1,
                                 "the stated total")) ||
            (st = check(x, ts, &tab->balance.amount, AP_TABLE_CHECK_RULE, row,
                        COL_BALANCE, tab->title, NULL,
                        "Balance outstanding = amount - stated total",
                        "the stated balance outstanding")))
            return st;
    }
    /* And as it should be: amount - the items. */
    if ((st = ap__audit_push(ts, x->err, amount, 1, "Block %s's amount",
                             blk->id)))
        return st;
    for (size_t k = 0; k < tab->n_items && st == AP_OK; k++)
        st = ap__audit_push(ts, x->err, &tab->items[k].amount, -1, "%s",
                            tab->items[k].project);
    snprintf(text, sizeof text,
             "Balance outstanding = amount - the %zu items", tab->n_items);
    if (st == AP_OK)
        st = check(x, ts, &tab->balance.amount, AP_TABLE_CHECK_TOTAL, row,
                   COL_BALANCE, tab->title, NULL, text,
                   "the stated balance outstanding");
    return st;
}

static ap_unit audit_unit(const ap_contract_sum *c)
{
    ap_unit u = c->unit;
    ap__audit_unit_widen(&u, &c->stated_contract_sum.amount);
    for (size_t j = 0; j < c->n_blocks; j++) {
        ap__audit_unit_widen(&u, &c->blocks[j].amount);
        ap__audit_unit_widen(&u, &c->blocks[j].non_recurring.amount);
    }
    for (size_t i = 0; i < c->n_cases; i++)
        ap__audit_unit_widen(&u, &c->cases[i].amount);
    for (size_t t = 0; t < c->n_tables; t++) {
        const ap_block_table *tab = &c->tables[t];
        ap__audit_unit_widen(&u, &tab->amount.amount);
        ap__audit_unit_widen(&u, &tab->total.amount);
        ap__audit_unit_widen(&u, &tab->balance.amount);
        for (size_t k = 0; k < tab->n_items; k++)
            ap__audit_unit_widen(&u, &tab->items[k].amount);
    }
    return u;
}

static ap_status audit(const ap_contract_sum *c, ap_contract_sum_result *r,
                       ap_error *err)
{
    ap_unit unit = audit_unit(c);
    r->audit = ap__audit_report_new(c->title, c->source, "", unit);
    if (r->audit == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    audit_ctx x = {c, r, r->audit, unit, err};
    ap__audit_terms ts = {0};
    ap_status st = audit_contract_sum(&x, &ts);
    for (size_t t = 0; t < c->n_tables && st == AP_OK; t++)
        st = audit_table(&x, t, &ts);
    ap__audit_terms_free(&ts);
    if (st == AP_OK && c->has_split) {
        ap__audit_at at = {AP_TABLE_CHECK_TOTAL, c->n_blocks + 1 + c->n_tables,
                           0, NULL, "percent",
                           "The split's percentages sum to 100", "100%"};
        st = ap__audit_split(r->audit, &c->split, c->authorities,
                             c->n_authorities, NULL, &at, err);
    }
    return st;
}

ap_status ap_contract_sum_compute(const ap_contract_sum *contract,
                                  ap_contract_sum_result **out,
                                  ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    ap_contract_sum_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    r->n_blocks = contract->n_blocks;
    r->blocks = calloc(contract->n_blocks ? contract->n_blocks : 1,
                       sizeof *r->blocks);
    ap_status st = AP_OK;
    if (r->blocks == NULL)
        st = ap_error_set(err, AP_E_NOMEM, "out of memory");
    if (st == AP_OK)
        st = compute_blocks(contract, r, err);
    if (st == AP_OK && contract->has_split)
        st = compute_split(contract, r, err);
    if (st == AP_OK)
        st = audit(contract, r, err);
    if (st != AP_OK) {
        ap_contract_sum_result_free(r);
        return st;
    }
    *out = r;
    return AP_OK;
}
