/* libFuzzer harness of the savings tracker reader (ap_savings_parse) and
 * of the totals, RAG and audit of its stated figures (ap_savings_compute).
 * The input is the file's JSON text. */
#include "apportion/savings.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_savings *paper = NULL;
    ap_status st = ap_savings_parse((const char *)data, size, "fuzz.json",
                                 &paper, &err);
    fuzz_expect_status("ap_savings_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_savings_result *result = NULL;
    st = ap_savings_compute(paper, &result, &err);
    fuzz_expect_status("ap_savings_compute", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(result->audit);
    ap_savings_result_free(result);
    ap_savings_free(paper);
    return 0;
}
