/* libFuzzer harness of the readers of printed figures as the audits take
 * them: ap_figure_parse ("(3,540)", "44.16%", "–"), ap_figure_format, and
 * the judging of one printed figure against an exact value
 * (ap_audit_figure: "£407k", "£2.1 million") and of a printed rate
 * (ap_audit_rate: "78.4%").  The first 16 bytes are the value's numerator
 * and denominator; the rest is the text.  A figure read must print and
 * read back to itself. */
#include "apportion/audit.h"
#include "fuzz.h"

static int64_t take_int64(const uint8_t **data, size_t *size)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | fuzz_take_byte(data, size);
    return (int64_t)v;
}

static void expect_finding(const ap_audit_finding *f)
{
    fuzz_expect_text("a finding's item label", f->item_label);
    fuzz_expect_text("a finding's suggestion", f->suggestion);
    for (size_t k = 0; k < f->n_candidates; k++)
        fuzz_expect_text("a candidate's label", f->candidates[k].label);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t num = take_int64(&data, &size);
    int64_t den = take_int64(&data, &size);
    const char *text = (const char *)data;
    fuzz_begin(data, size);
    ap_error err;

    ap_figure fig;
    ap_status st = ap_figure_parse(text, size, &fig, &err);
    fuzz_expect_status("ap_figure_parse", st, &err);
    if (st == AP_OK) {
        if (fig.decimals < 0 || fig.decimals > AP_FIGURE_MAX_DECIMALS) {
            fprintf(stderr, "ap_figure_parse gave %d decimals\n",
                    fig.decimals);
            abort();
        }
        char buf[48];
        ap_figure_format(fig.value, fig.decimals, buf, sizeof buf);
        ap_figure back = {0, 0};
        st = ap_figure_parse(buf, (size_t)-1, &back, &err);
        if (st != AP_OK || back.value != fig.value ||
            back.decimals != fig.decimals) {
            fprintf(stderr, "figure %lld at %d decimals printed as \"%s\" "
                    "and read back as %lld at %d (%s)\n",
                    (long long)fig.value, fig.decimals, buf,
                    (long long)back.value, back.decimals,
                    st == AP_OK ? "ok" : err.message);
            abort();
        }
    }

    ap_audit_finding f;
    st = ap_audit_figure(text, size, num, den, &f, &err);
    fuzz_expect_status("ap_audit_figure", st, &err);
    if (st == AP_OK)
        expect_finding(&f);
    ap_audit_finding_clear(&f);
    st = ap_audit_rate(num, den, text, size, &f, &err);
    fuzz_expect_status("ap_audit_rate", st, &err);
    if (st == AP_OK)
        expect_finding(&f);
    ap_audit_finding_clear(&f);
    return 0;
}
