#include <stdint.h>

#include "apportion/apportion.h"
#include "runner.h"

#define IASS2_TEXT "Green = 90-100%, Amber = 80 -90%, Red = 80% or below"

static ap_number num(const char *text)
{
    ap_number x;
    if (ap_number_parse(text, (size_t)-1, &x, NULL) != AP_OK) {
        fprintf(stderr, "bad number %s\n", text);
        exit(1);
    }
    return x;
}

static ap_rag score(const ap_band_set *set, const char *value)
{
    ap_rag r;
    ap_error err;
    if (ap_bands_score(set, num(value), &r, &err) != AP_OK) {
        fprintf(stderr, "score %s: %s\n", value, err.message);
        exit(1);
    }
    return r;
}

static ap_band band(ap_rag rag, ap_bound_kind lk, const char *lo,
                    ap_bound_kind uk, const char *hi)
{
    ap_band b = {rag, {lk, {0, 1}}, {uk, {0, 1}}};
    if (lk != AP_BOUND_OPEN)
        b.lower.value = num(lo);
    if (uk != AP_BOUND_OPEN)
        b.upper.value = num(hi);
    return b;
}

#define INC AP_BOUND_INCLUSIVE
#define EXC AP_BOUND_EXCLUSIVE
#define OPEN AP_BOUND_OPEN

TEST(kpi_bands_make)
{
    ap_band_set set;
    ap_error err;
    ap_band ok[] = {band(AP_RAG_GREEN, INC, "90", INC, "100"),
                    band(AP_RAG_RED, OPEN, NULL, INC, "80"),
                    band(AP_RAG_AMBER, EXC, "80", EXC, "90")};
    CHECK(ap_bands_make(ok, 3, &set, &err) == AP_OK);
    CHECK(set.n == 3 && set.bands[0].rag == AP_RAG_RED &&
          set.bands[2].rag == AP_RAG_GREEN);

    ap_band overlap[] = {band(AP_RAG_GREEN, INC, "85", INC, "100"),
                         band(AP_RAG_AMBER, INC, "80", EXC, "90")};
    CHECK(ap_bands_make(overlap, 2, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "Amber [80, 90)");
    CHECK_CONTAINS(err.message, "Green [85, 100]");
    CHECK_CONTAINS(err.message, "from 85 to 90");

    ap_band gap[] = {band(AP_RAG_GREEN, INC, "90", INC, "100"),
                     band(AP_RAG_RED, OPEN, NULL, EXC, "85")};
    CHECK(ap_bands_make(gap, 2, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "Red (-inf, 85)");
    CHECK_CONTAINS(err.message, "gap");
    CHECK_CONTAINS(err.message, "between 85 and 90");

    ap_band point[] = {band(AP_RAG_GREEN, INC, "90", INC, "100"),
                       band(AP_RAG_AMBER, INC, "80", INC, "90")};
    CHECK(ap_bands_make(point, 2, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "both hold 90");

    ap_band hole[] = {band(AP_RAG_GREEN, EXC, "90", INC, "100"),
                      band(AP_RAG_AMBER, INC, "80", EXC, "90")};
    CHECK(ap_bands_make(hole, 2, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "neither holds 90");

    ap_band empty[] = {band(AP_RAG_GREEN, INC, "90", EXC, "90")};
    CHECK(ap_bands_make(empty, 1, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "holds no value");

    ap_band two_open[] = {band(AP_RAG_RED, OPEN, NULL, INC, "80"),
                          band(AP_RAG_AMBER, OPEN, NULL, INC, "90")};
    CHECK(ap_bands_make(two_open, 2, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "overlap");
    CHECK(ap_bands_make(ok, 0, &set, &err) == AP_E_INPUT);
}

TEST(kpi_bands_text)
{
    ap_band_set set;
    ap_error err;
    CHECK(ap_bands_parse_text(IASS2_TEXT, (size_t)-1, AP_POLARITY_HIGHER,
                              &set, &err) == AP_OK);
    /* Schedule 3B2's IASS2 bands, as docs/domain.rst reads them: Green >= 90;
     * 80 < Amber < 90; Red <= 80. */
    CHECK(set.n == 3);
    const ap_band *red = &set.bands[0], *amber = &set.bands[1],
                  *green = &set.bands[2];
    CHECK(red->rag == AP_RAG_RED && red->lower.kind == OPEN &&
          red->upper.kind == INC && ap_number_cmp(red->upper.value,
                                                  num("80")) == 0);
    CHECK(amber->lower.kind == EXC && amber->upper.kind == EXC);
    CHECK(green->lower.kind == INC && green->upper.kind == INC);
    CHECK_CONTAINS(set.warning, "90 is in both Amber");
    CHECK_CONTAINS(set.warning, "read as Green");
    CHECK_CONTAINS(set.warning, "80 is in both Red");
    CHECK_CONTAINS(set.warning, "read as Red");
    CHECK_CONTAINS(set.warning, "90 <= Green <= 100");
    CHECK_CONTAINS(set.warning, "80 < Amber < 90");
    CHECK_CONTAINS(set.warning, "Red <= 80");

    /* Explicit wording leaves nothing to warn about. */
    CHECK(ap_bands_parse_text("Green: at least 90%; Amber: 80 to 90; "
                              "Red: below 80",
                              (size_t)-1, AP_POLARITY_HIGHER, &set,
                              &err) == AP_OK);
    CHECK(set.n == 3 && set.bands[0].upper.kind == EXC &&
          set.bands[1].lower.kind == INC && set.bands[1].upper.kind == EXC);
    CHECK(score(&set, "80") == AP_RAG_AMBER);

    /* A range beside an explicitly exclusive end: no ambiguity. */
    CHECK(ap_bands_parse_text("Green = 0-8%, Amber = 8-12%, Red = over 12%",
                              (size_t)-1, AP_POLARITY_LOWER, &set,
                              &err) == AP_OK);
    CHECK(score(&set, "12") == AP_RAG_AMBER);
    CHECK(score(&set, "12.01") == AP_RAG_RED);
    CHECK(score(&set, "8") == AP_RAG_GREEN);
    CHECK(strstr(set.warning, "12 is in both") == NULL);
    CHECK_CONTAINS(set.warning, "8 is in both Green");

    /* Lower is better: re-referrals.  The shared 20 goes to Green. */
    CHECK(ap_bands_parse_text("Green = 0-20%, Amber = 20-25%, Red = 25% or "
                              "above",
                              (size_t)-1, AP_POLARITY_LOWER, &set,
                              &err) == AP_OK);
    CHECK(score(&set, "20") == AP_RAG_GREEN);
    CHECK(score(&set, "20.01") == AP_RAG_AMBER);
    CHECK(score(&set, "25") == AP_RAG_RED);
    CHECK_CONTAINS(set.warning, "20 is in both Green");

    CHECK(ap_bands_parse_text("Green = 85-100%, Amber = 80-90%, Red = 80% "
                              "or below",
                              (size_t)-1, AP_POLARITY_HIGHER, &set,
                              &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "Amber");
    CHECK_CONTAINS(err.message, "Green");
    CHECK_CONTAINS(err.message, "overlap");
    CHECK(ap_bands_parse_text("Green = 90-100%, Red = 80% or below",
                              (size_t)-1, AP_POLARITY_HIGHER, &set,
                              &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "between 80 and 90");
    CHECK(ap_bands_parse_text("Blue = 90-100%", (size_t)-1,
                              AP_POLARITY_HIGHER, &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "\"Blue = 90-100%\"");
    CHECK(ap_bands_parse_text("Green = lots", (size_t)-1, AP_POLARITY_HIGHER,
                              &set, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "cannot read its range");
}

TEST(kpi_score_exact)
{
    ap_band_set set;
    ap_error err;
    CHECK(ap_bands_parse_text(IASS2_TEXT, (size_t)-1, AP_POLARITY_HIGHER,
                              &set, &err) == AP_OK);
    /* The figures. */
    CHECK(score(&set, "79.99") == AP_RAG_RED);
    CHECK(score(&set, "80") == AP_RAG_RED);
    CHECK(score(&set, "80.01") == AP_RAG_AMBER);
    CHECK(score(&set, "89.99") == AP_RAG_AMBER);
    CHECK(score(&set, "90") == AP_RAG_GREEN);
    CHECK(score(&set, "100") == AP_RAG_GREEN);
    ap_rag r;
    CHECK(ap_bands_score(&set, num("100.5"), &r, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "100.5 is outside every band");
    CHECK_CONTAINS(err.message, "(-inf, 100]");

    /* 4 of 5 is exactly 80: Red (a double would give 80.00000000000001);
     * 9 of 10 is exactly 90: Green; 2 of 3 is Red; no data is no data. */
    int64_t within[] = {4, 9, 2, 0, 8, INT64_MAX - 1};
    int64_t total[] = {5, 10, 3, 0, 9, INT64_MAX};
    uint8_t out[6];
    CHECK(ap_bands_score_rates(&set, within, total, 6, 100, 255, out, &err) ==
          AP_OK);
    CHECK(out[0] == AP_RAG_RED && out[1] == AP_RAG_GREEN &&
          out[2] == AP_RAG_RED && out[3] == 255 && out[4] == AP_RAG_AMBER &&
          out[5] == AP_RAG_GREEN);
    int64_t over[] = {11}, ten[] = {10};
    CHECK(ap_bands_score_rates(&set, over, ten, 1, 100, 255, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "11/10");

    /* Exact comparison far beyond what a product of int64s can hold. */
    ap_number a = {INT64_MAX, INT64_MAX - 1}, b = {INT64_MAX - 1,
                                                   INT64_MAX - 2};
    CHECK(ap_number_cmp(a, b) < 0 && ap_number_cmp(b, a) > 0);
    CHECK(ap_number_cmp(a, a) == 0);
    ap_number neg = {-3, 2}, neg2 = {-4, 3};
    CHECK(ap_number_cmp(neg, neg2) < 0);
    char buf[48];
    ap_number_format(num("79.99"), buf, sizeof buf);
    CHECK_STR(buf, "79.99");
    ap_number third = {1, 3};
    ap_number_format(third, buf, sizeof buf);
    CHECK_STR(buf, "1/3");
    ap_number_format(num("-2.5"), buf, sizeof buf);
    CHECK_STR(buf, "-2.5");
}

TEST(kpi_tolerance_direction)
{
    ap_band_set set;
    ap_error err;
    /* Target 90, 5 points: Green >= 90, Amber [85, 90), Red < 85. */
    CHECK(ap_bands_from_tolerance(AP_POLARITY_HIGHER, num("90"), num("5"),
                                  AP_TOLERANCE_POINTS, &set, &err) == AP_OK);
    CHECK(score(&set, "90") == AP_RAG_GREEN);
    CHECK(score(&set, "85") == AP_RAG_AMBER);
    CHECK(score(&set, "84.99") == AP_RAG_RED);
    /* 5% of target: the edge is 85.5. */
    CHECK(ap_bands_from_tolerance(AP_POLARITY_HIGHER, num("90"), num("5"),
                                  AP_TOLERANCE_PERCENT, &set, &err) == AP_OK);
    CHECK(score(&set, "85.5") == AP_RAG_AMBER);
    CHECK(score(&set, "85.49") == AP_RAG_RED);
    /* Lower is better: re-referrals, target 22, 3 points. */
    CHECK(ap_bands_from_tolerance(AP_POLARITY_LOWER, num("22"), num("3"),
                                  AP_TOLERANCE_POINTS, &set, &err) == AP_OK);
    CHECK(score(&set, "22") == AP_RAG_GREEN);
    CHECK(score(&set, "25") == AP_RAG_AMBER);
    CHECK(score(&set, "25.01") == AP_RAG_RED);
    CHECK(ap_bands_from_tolerance(AP_POLARITY_HIGHER, num("90"), num("0"),
                                  AP_TOLERANCE_POINTS, &set, &err) == AP_OK);
    CHECK(set.n == 2 && score(&set, "89.9") == AP_RAG_RED);
    CHECK(ap_bands_from_tolerance(AP_POLARITY_HIGHER, num("90"), num("-1"),
                                  AP_TOLERANCE_POINTS, &set, &err) ==
          AP_E_INPUT);

    CHECK(ap_direction_of(AP_POLARITY_HIGHER, num("91"), num("90")) ==
          AP_DIRECTION_IMPROVING);
    CHECK(ap_direction_of(AP_POLARITY_LOWER, num("21"), num("23")) ==
          AP_DIRECTION_IMPROVING);
    CHECK(ap_direction_of(AP_POLARITY_LOWER, num("23"), num("21")) ==
          AP_DIRECTION_WORSENING);
    CHECK(ap_direction_of(AP_POLARITY_HIGHER, num("90"), num("90.0")) ==
          AP_DIRECTION_UNCHANGED);
}

TEST(kpi_escalation)
{
    ap_error err;
    enum { G = AP_RAG_GREEN, A = AP_RAG_AMBER, R = AP_RAG_RED, N = 255 };
    uint8_t rags[] = {G, R, R, R, N, R, A, R, R};
    uint8_t out[9];
    ap_escalation_rule rule = {2, 2};
    CHECK(ap_escalation_run(rags, 9, N, &rule, out, &err) == AP_OK);
    uint8_t expect[] = {AP_ESC_NONE,
                        AP_ESC_OUT_OF_TOLERANCE,
                        AP_ESC_PERFORMANCE_FAILURE,
                        AP_ESC_PERFORMANCE_FAILURE,
                        AP_ESC_NO_DATA,
                        AP_ESC_RECTIFICATION_PLAN, /* unresolved */
                        AP_ESC_NONE,               /* resolved */
                        AP_ESC_OUT_OF_TOLERANCE,
                        AP_ESC_PERFORMANCE_FAILURE};
    for (int i = 0; i < 9; i++)
        CHECK_EQ_I64(out[i], expect[i]);
    CHECK_STR(ap_escalation_name(AP_ESC_RECTIFICATION_PLAN),
              "rectification_plan");
    ap_escalation_rule bad = {0, 1};
    CHECK(ap_escalation_run(rags, 9, N, &bad, out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "failure_after");
}
