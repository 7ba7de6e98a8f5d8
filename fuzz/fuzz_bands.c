/* libFuzzer harness of the reader of a council's band wording
 * (ap_bands_parse_text: "Green = 90-100%, Amber = 80-90%, Red = 80% or
 * below"), and of scoring values against what it read.  The first byte
 * chooses the polarity; the rest is the wording.  Every band edge read is
 * then scored: a value on an inclusive edge of a band is in that band, so
 * a failure there is a defect. */
#include "apportion/kpi.h"
#include "fuzz.h"

static void score(const ap_band_set *set, ap_number value)
{
    ap_error err;
    ap_rag rag;
    ap_status st = ap_bands_score(set, value, &rag, &err);
    fuzz_expect_status("ap_bands_score", st, &err);
    if (st != AP_OK) {
        fprintf(stderr, "a value on an inclusive band edge is in no band: "
                "%s\n", err.message);
        abort();
    }
    if ((int)rag >= AP_RAG_COUNT) {
        fprintf(stderr, "ap_bands_score gave RAG %d\n", (int)rag);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ap_polarity polarity = (fuzz_take_byte(&data, &size) & 1)
                               ? AP_POLARITY_LOWER
                               : AP_POLARITY_HIGHER;
    fuzz_begin(data, size);
    ap_error err;
    ap_band_set set;
    ap_status st = ap_bands_parse_text((const char *)data, size, polarity,
                                       &set, &err);
    fuzz_expect_status("ap_bands_parse_text", st, &err);
    if (st != AP_OK)
        return 0;
    if (set.n == 0 || set.n > AP_BANDS_MAX ||
        memchr(set.warning, '\0', sizeof set.warning) == NULL) {
        fprintf(stderr, "ap_bands_parse_text gave %zu bands or an "
                "unterminated warning\n", set.n);
        abort();
    }
    fuzz_expect_text("the bands' warning", set.warning);
    for (size_t i = 0; i < set.n; i++) {
        const ap_band *b = &set.bands[i];
        if (b->lower.kind == AP_BOUND_INCLUSIVE)
            score(&set, b->lower.value);
        if (b->upper.kind == AP_BOUND_INCLUSIVE)
            score(&set, b->upper.value);
        char text[48];
        ap_number_format(b->lower.value, text, sizeof text);
        ap_number_format(b->upper.value, text, sizeof text);
    }
    return 0;
}
