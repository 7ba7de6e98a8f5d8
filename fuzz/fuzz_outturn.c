/* libFuzzer harness of the outturn reader (ap_outturn_parse) and of the
 * variances, reserves and audit of its stated figures
 * (ap_outturn_compute).  The input is the file's JSON text. */
#include "apportion/outturn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_outturn *paper = NULL;
    ap_status st = ap_outturn_parse((const char *)data, size, "fuzz.json",
                                 &paper, &err);
    fuzz_expect_status("ap_outturn_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_outturn_result *result = NULL;
    st = ap_outturn_compute(paper, &result, &err);
    fuzz_expect_status("ap_outturn_compute", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(result->audit);
    ap_outturn_result_free(result);
    ap_outturn_free(paper);
    return 0;
}
