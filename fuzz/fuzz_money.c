/* libFuzzer harness of the money reader (ap_money_parse: "£211,654",
 * "(3,540)", "£0.85m", "−£5"), the unit reader (ap_unit_parse) and the
 * formatting back (ap_money_format).  The first byte chooses the unit the
 * figure is read in and the options it is printed with; the rest is the
 * text.  What is read must print in a 64-byte buffer under any options,
 * and print and read back to the same pence in pounds at 2 decimals. */
#include "apportion/money.h"
#include "fuzz.h"

static const ap_unit units[] = {AP_UNIT_PENCE, AP_UNIT_POUNDS,
                                AP_UNIT_THOUSANDS, AP_UNIT_MILLIONS,
                                AP_UNIT_BILLIONS};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t choice = fuzz_take_byte(&data, &size);
    uint8_t style = fuzz_take_byte(&data, &size);
    ap_unit unit = units[choice % 5];
    fuzz_begin(data, size);
    ap_error err;

    char *text = fuzz_string(data, size);
    if (text == NULL)
        return 0;
    ap_unit parsed_unit;
    ap_status st = ap_unit_parse(text, &parsed_unit, &err);
    fuzz_expect_status("ap_unit_parse", st, &err);
    free(text);

    int64_t pence = 0, resolution = 0;
    st = ap_money_parse((const char *)data, size, unit, &pence, &resolution,
                        &err);
    fuzz_expect_status("ap_money_parse", st, &err);
    if (st != AP_OK)
        return 0;
    if (resolution < 1) {
        fprintf(stderr, "ap_money_parse gave a resolution of %lld\n",
                (long long)resolution);
        abort();
    }

    ap_format_options o = ap_format_defaults();
    o.unit = units[(choice / 5) % 5];
    o.decimals = (int)(style % 20) - 1; /* -1 (the unit's own) to 18 */
    o.rounding = (ap_rounding)((style / 20) % AP_ROUNDING_COUNT);
    o.negative = (choice & 0x80) ? AP_NEGATIVE_BRACKETS : AP_NEGATIVE_MINUS;
    o.symbol = (choice & 0x40) != 0;
    o.grouping = (choice & 0x20) != 0;
    char buf[64];
    st = ap_money_format(pence, &o, buf, sizeof buf, &err);
    fuzz_expect_status("ap_money_format", st, &err);
    if (st != AP_OK) {
        fprintf(stderr, "ap_money_format(%lld) failed in 64 bytes: %s\n",
                (long long)pence, err.message);
        abort();
    }

    /* Pounds at 2 decimals hold every penny: the round trip is exact. */
    o = ap_format_defaults();
    o.negative = (choice & 0x80) ? AP_NEGATIVE_BRACKETS : AP_NEGATIVE_MINUS;
    o.grouping = (choice & 0x20) != 0;
    st = ap_money_format(pence, &o, buf, sizeof buf, &err);
    fuzz_expect_status("ap_money_format", st, &err);
    int64_t back = 0;
    if (st == AP_OK)
        st = ap_money_parse(buf, (size_t)-1, AP_UNIT_POUNDS, &back, NULL,
                            &err);
    if (st != AP_OK || back != pence) {
        fprintf(stderr, "%lld pence printed as \"%s\" and read back as %lld "
                "(%s)\n", (long long)pence, buf, (long long)back,
                st == AP_OK ? "ok" : err.message);
        abort();
    }
    return 0;
}
