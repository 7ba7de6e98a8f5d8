/* libFuzzer harness of the plan reader (ap_plan_parse) and of what reads
 * its result: the apportionment, the recharge schedule, the audit of the
 * stated figures (ap_plan_compute) and the Q4 balancing payment
 * (ap_recharge_balance_compute).  The input is the plan's JSON text. */
#include "apportion/outturn.h"
#include "apportion/plan.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_plan *plan = NULL;
    ap_status st = ap_plan_parse((const char *)data, size, "fuzz.json",
                                 &plan, &err);
    fuzz_expect_status("ap_plan_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_plan_result *result = NULL;
    st = ap_plan_compute(plan, &result, &err);
    fuzz_expect_status("ap_plan_compute", st, &err);
    if (st == AP_OK) {
        fuzz_expect_report(result->audit);
        for (size_t i = 0; i < result->n_checks; i++)
            fuzz_expect_text("a check's description",
                             result->checks[i].description);
    }
    ap_plan_result_free(result);
    if (plan->recharge.present) {
        ap_recharge_balance *balance = NULL;
        int64_t actual = plan->has_actual ? plan->actual_expenditure.pence
                                          : 0;
        st = ap_recharge_balance_compute(plan, actual, &balance, &err);
        fuzz_expect_status("ap_recharge_balance_compute", st, &err);
        ap_recharge_balance_free(balance);
    }
    ap_plan_free(plan);
    return 0;
}
