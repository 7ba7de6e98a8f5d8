/* libFuzzer harness of the KPI file reader (ap_kpis_parse), with the band
 * wording and tolerances it reads, and of scoring a status KPI's states
 * (ap_kpi_score_state) and a measure's target (ap_bands_score).  The input
 * is the file's JSON text. */
#include "apportion/kpi.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_json_skip(data, size))
        return 0;
    fuzz_begin(data, size);
    ap_error err;
    ap_kpi_set *set = NULL;
    ap_status st = ap_kpis_parse((const char *)data, size, "fuzz.json", &set,
                                 &err);
    fuzz_expect_status("ap_kpis_parse", st, &err);
    if (st != AP_OK)
        return 0;
    for (size_t i = 0; i < set->n; i++) {
        const ap_kpi *kpi = &set->kpis[i];
        ap_rag rag;
        if (kpi->kind == AP_KPI_STATUS) {
            for (size_t k = 0; k < kpi->n_states; k++) {
                st = ap_kpi_score_state(kpi, kpi->states[k].label, &rag, &err);
                fuzz_expect_status("ap_kpi_score_state", st, &err);
            }
            st = ap_kpi_score_state(kpi, "no such state", &rag, &err);
            fuzz_expect_status("ap_kpi_score_state", st, &err);
        } else if (kpi->has_target) {
            st = ap_bands_score(&kpi->bands, kpi->target, &rag, &err);
            fuzz_expect_status("ap_bands_score", st, &err);
        }
    }
    ap_kpi_set_free(set);
    return 0;
}
