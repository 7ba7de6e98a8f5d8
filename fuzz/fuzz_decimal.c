/* libFuzzer harness of the exact decimal readers: ap_decimal_parse (a
 * weight: "44.16", "53.57%", "1e-7", "12,345") and ap_number_parse (a KPI
 * value or band edge: "79.99", "90%", "-2.5"), with ap_number_format.  The
 * input is the text.  A weight is read in lowest terms with a positive
 * denominator; a number read prints and reads back to itself when it has
 * a decimal form. */
#include "apportion/apportion.h"
#include "apportion/kpi.h"
#include "fuzz.h"

static int64_t gcd64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? -(uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? -(uint64_t)b : (uint64_t)b;
    while (y != 0) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return (int64_t)x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fuzz_begin(data, size);
    ap_error err;
    int64_t num = 0, den = 0;
    ap_status st = ap_decimal_parse(text, size, &num, &den, &err);
    fuzz_expect_status("ap_decimal_parse", st, &err);
    if (st == AP_OK && (den <= 0 || gcd64(num, den) > 1)) {
        fprintf(stderr, "ap_decimal_parse gave %lld/%lld, not in lowest "
                "terms with a positive denominator\n", (long long)num,
                (long long)den);
        abort();
    }

    ap_number x;
    st = ap_number_parse(text, size, &x, &err);
    fuzz_expect_status("ap_number_parse", st, &err);
    if (st != AP_OK)
        return 0;
    if (x.den <= 0) {
        fprintf(stderr, "ap_number_parse gave a denominator of %lld\n",
                (long long)x.den);
        abort();
    }
    char buf[48];
    ap_number_format(x, buf, sizeof buf);
    if (memchr(buf, '\0', sizeof buf) == NULL)
        abort();
    if (strchr(buf, '/') == NULL) {
        ap_number back = {0, 1};
        st = ap_number_parse(buf, strlen(buf), &back, &err);
        if (st != AP_OK || ap_number_cmp(back, x) != 0) {
            fprintf(stderr, "%lld/%lld printed as \"%s\" and read back as "
                    "%lld/%lld (%s)\n", (long long)x.num, (long long)x.den,
                    buf, (long long)back.num, (long long)back.den,
                    st == AP_OK ? "ok" : err.message);
            abort();
        }
    }
    return 0;
}
