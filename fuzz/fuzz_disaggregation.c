/* libFuzzer harness of the disaggregation reader (ap_disaggregation_parse)
 * and of the split of its budget and staff, its timeline and the audit of
 * its stated figures (ap_disaggregation_compute).  The input is the
 * file's JSON text. */
#include "apportion/disaggregation.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_disaggregation *paper = NULL;
    ap_status st = ap_disaggregation_parse((const char *)data, size, "fuzz.json",
                                 &paper, &err);
    fuzz_expect_status("ap_disaggregation_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_disaggregation_result *result = NULL;
    st = ap_disaggregation_compute(paper, &result, &err);
    fuzz_expect_status("ap_disaggregation_compute", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(result->audit);
    ap_disaggregation_result_free(result);
    ap_disaggregation_free(paper);
    return 0;
}
