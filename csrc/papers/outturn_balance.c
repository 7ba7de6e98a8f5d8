/* The Q4 balancing payment (or refund) of a plan's recharge from the
 * year's actual expenditure.  Not a second schedule: the plan's own compute
 * is run again with the actual set, so the payer's share of the actual and
 * the instalments already billed are exactly the plan's. */
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"

void ap_recharge_balance_free(ap_recharge_balance *b)
{
    if (b == NULL)
        return;
    free(b->billed);
    free(b);
}

ap_status ap_recharge_balance_compute(const ap_plan *plan,
                                      int64_t actual_expenditure,
                                      ap_recharge_balance **out,
                                      ap_error *err)
{
    *out = NULL;
    ap_error_clear(err);
    if (!plan->recharge.present)
        return ap_error_set(err, AP_E_INPUT,
                            "plan %s has no recharge rule ($.recharge), so "
                            "there is no balancing payment to compute",
                            plan->source);
    /* A view of the plan with this year's actual: the copy shares every
     * pointer and is only read by ap_plan_compute, never freed. */
    ap_plan with_actual = *plan;
    with_actual.has_actual = 1;
    with_actual.actual_expenditure.pence = actual_expenditure;
    with_actual.actual_expenditure.resolution = 1;
    ap_plan_result *r;
    ap_status st = ap_plan_compute(&with_actual, &r, err);
    if (st != AP_OK)
        return st;
    ap_recharge_balance *b = calloc(1, sizeof *b);
    size_t n = r->n_instalments;
    if (b == NULL || (b->billed = calloc(n, sizeof *b->billed)) == NULL) {
        free(b);
        ap_plan_result_free(r);
        return ap_error_set(err, AP_E_NOMEM, "out of memory");
    }
    b->payer = plan->recharge.payer;
    b->payee = plan->recharge.payee;
    b->budget = r->grand_total;
    b->actual_expenditure = actual_expenditure;
    b->budget_share = r->recharge_share;
    b->actual_share = r->actual_share;
    b->n_billed = n - 1;
    memcpy(b->billed, r->instalments, (n - 1) * sizeof *b->billed);
    b->planned_final = r->instalments[n - 1];
    b->balance = r->balancing;
    st = ap_money_sub(actual_expenditure, r->grand_total, &b->variance, err);
    for (size_t k = 0; k + 1 < n && st == AP_OK; k++)
        st = ap_money_add(b->billed_total, b->billed[k], &b->billed_total,
                          err);
    /* Carry-forwards and receipts in advance are invoiced apart: totalled
     * for the reader, never added to the balance. */
    b->n_carry_forwards = plan->n_carry_forwards;
    for (size_t k = 0; k < plan->n_carry_forwards && st == AP_OK; k++) {
        const ap_carry_forward *cf = &plan->carry_forwards[k];
        if (cf->payer == b->payer && cf->payee == b->payee)
            st = ap_money_add(b->carry_forwards_to_payee, cf->amount.pence,
                              &b->carry_forwards_to_payee, err);
        else if (cf->payer == b->payee && cf->payee == b->payer)
            st = ap_money_add(b->carry_forwards_to_payer, cf->amount.pence,
                              &b->carry_forwards_to_payer, err);
    }
    ap_plan_result_free(r);
    if (st != AP_OK) {
        ap_recharge_balance_free(b);
        return st;
    }
    *out = b;
    return AP_OK;
}
