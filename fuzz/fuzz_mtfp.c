/* libFuzzer harness of the medium-term financial plan reader
 * (ap_mtfp_parse) and of the roll-forward, split and audit of its stated
 * figures (ap_mtfp_compute).  The input is the file's JSON text. */
#include "apportion/mtfp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_mtfp *paper = NULL;
    ap_status st = ap_mtfp_parse((const char *)data, size, "fuzz.json",
                                 &paper, &err);
    fuzz_expect_status("ap_mtfp_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_mtfp_result *result = NULL;
    st = ap_mtfp_compute(paper, &result, &err);
    fuzz_expect_status("ap_mtfp_compute", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(result->audit);
    ap_mtfp_result_free(result);
    ap_mtfp_free(paper);
    return 0;
}
