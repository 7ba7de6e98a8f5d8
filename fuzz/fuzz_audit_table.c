/* libFuzzer harness of the audited-table reader (ap_audit_table_parse,
 * the JSON form "apportion.table/1") and of the whole table's audit
 * (ap_audit_table_check: totals, rules, reclassification and printed
 * rates).  The input is the table's JSON text. */
#include "apportion/audit.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_audit_table *table = NULL;
    ap_status st = ap_audit_table_parse((const char *)data, size,
                                        "fuzz.json", &table, &err);
    fuzz_expect_status("ap_audit_table_parse", st, &err);
    if (st != AP_OK)
        return 0;
    ap_audit_report *report = NULL;
    st = ap_audit_table_check(table, &report, &err);
    fuzz_expect_status("ap_audit_table_check", st, &err);
    if (st == AP_OK)
        fuzz_expect_report(report);
    if (st == AP_OK &&
        report->n_ok + report->n_rounding + report->n_error !=
            report->n_findings) {
        fprintf(stderr, "a report of %zu findings counts %zu ok, %zu "
                "rounding and %zu errors\n", report->n_findings,
                report->n_ok, report->n_rounding, report->n_error);
        abort();
    }
    ap_audit_report_free(report);
    ap_audit_table_free(table);
    return 0;
}
