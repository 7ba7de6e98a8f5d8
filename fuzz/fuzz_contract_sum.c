/* libFuzzer harness of the contract-sum reader (ap_contract_sum_parse) and
 * of the block balances, split and audit of its stated figures
 * (ap_contract_sum_compute).  The input is the file's JSON text. */
#include "apportion/contract_sum.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_contract_sum *paper = NULL;
    ap_status st = ap_contract_sum_parse((const char *)data, size, "fuzz.json",
                                 &paper, &err);
    fuzz_expect_status("ap_contract_sum_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_contract_sum_result *result = NULL;
    st = ap_contract_sum_compute(paper, &result, &err);
    fuzz_expect_status("ap_contract_sum_compute", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(result->audit);
    ap_contract_sum_result_free(result);
    ap_contract_sum_free(paper);
    return 0;
}
