/* Ledgers (ledger.c): periods from dates, the one-pass sum by cost centre
 * and period, and the apportionment that keeps every penny. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "runner.h"

/* A seeded linear congruential generator (Knuth's MMIX constants): the
 * same lines on every run and every platform. */
static uint64_t lcg_state;
static void lcg_seed(uint64_t seed) { lcg_state = seed; }
static uint64_t lcg_next(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state >> 11;
}
static int64_t lcg_range(int64_t lo, int64_t hi) /* lo..hi inclusive */
{
    return lo + (int64_t)(lcg_next() % (uint64_t)(hi - lo + 1));
}

/* Codes copied into an array of the given width (the caller frees). */
static void *codes_as(const int64_t *codes, size_t n, ap_code_type type)
{
    void *out = malloc(n * (size_t)type + 1);
    CHECK(out != NULL);
    for (size_t i = 0; i < n; i++)
        switch (type) {
        case AP_CODE_I8: ((int8_t *)out)[i] = (int8_t)codes[i]; break;
        case AP_CODE_I16: ((int16_t *)out)[i] = (int16_t)codes[i]; break;
        case AP_CODE_I32: ((int32_t *)out)[i] = (int32_t)codes[i]; break;
        case AP_CODE_I64: ((int64_t *)out)[i] = codes[i]; break;
        }
    return out;
}

static const ap_code_type widths[] = {AP_CODE_I8, AP_CODE_I16, AP_CODE_I32,
                                      AP_CODE_I64};

/* The sum as plainly as it can be written: 128-bit, line by line. */
static void reference_sum(const int64_t *centre, const int64_t *period,
                          const int64_t *amount, size_t n, size_t n_periods,
                          __int128 *totals, size_t cells)
{
    memset(totals, 0, cells * sizeof *totals);
    for (size_t i = 0; i < n; i++)
        totals[centre[i] * (int64_t)n_periods + period[i]] += amount[i];
}

TEST(ledger_sum_hand_checked)
{
    /* Three centres, four quarters; amounts in pence. */
    const int64_t centre[] = {0, 2, 0, 1, 2, 0, 2, 1};
    const int64_t period[] = {0, 3, 0, 1, 3, 2, 0, 1};
    const int64_t amount[] = {1000, 250, -300, 99, 1, 5, 7, -99};
    const int64_t expected[12] = {700, 0, 5, 0,  /* centre 0 */
                                  0, 0, 0, 0,    /* centre 1: 99 - 99 */
                                  7, 0, 0, 251}; /* centre 2 */
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            void *c = codes_as(centre, 8, widths[a]);
            void *p = codes_as(period, 8, widths[b]);
            int64_t totals[12];
            memset(totals, 0x5a, sizeof totals); /* overwritten, not added */
            ap_error err;
            CHECK(ap_ledger_sum((ap_codes){c, widths[a]},
                                (ap_codes){p, widths[b]}, amount, 8, 3, 4, 1,
                                totals, &err) == AP_OK);
            for (int k = 0; k < 12; k++)
                CHECK_EQ_I64(totals[k], expected[k]);
            free(c);
            free(p);
        }
    /* No lines: every total is zero. */
    int64_t totals[12];
    memset(totals, 0x5a, sizeof totals);
    int16_t none16[1] = {0};
    int8_t none8[1] = {0};
    CHECK(ap_ledger_sum((ap_codes){none16, AP_CODE_I16},
                        (ap_codes){none8, AP_CODE_I8}, amount, 0, 3, 4, 0,
                        totals, NULL) == AP_OK);
    for (int k = 0; k < 12; k++)
        CHECK_EQ_I64(totals[k], 0);
}

TEST(ledger_sum_errors)
{
    int16_t centre[] = {0, 1, 2, 1};
    int8_t period[] = {0, 3, 1, 2};
    int64_t amount[] = {1, 2, 3, 4};
    int64_t totals[12];
    ap_error err;
    ap_codes c = {centre, AP_CODE_I16}, p = {period, AP_CODE_I8};

    /* A centre code past the end, and a negative one: the first is named. */
    centre[2] = 3;
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, 1, totals, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 2 has cost centre code 3; codes must be 0 "
                           "to 2");
    centre[1] = -1;
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, 1, totals, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 1 has cost centre code -1; codes must be 0 "
                           "to 2");
    centre[1] = 1;
    centre[2] = 2;
    /* A period code out of range, including -1 in int8 (255 unsigned). */
    period[3] = 4;
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, 1, totals, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 3 has period code 4; codes must be 0 to 3");
    period[3] = -1;
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 200, 1, totals, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 3 has period code -1; codes must be 0 to 199");
    period[3] = 2;
    /* No centres at all. */
    CHECK(ap_ledger_sum(c, p, amount, 4, 0, 4, 1, totals, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 0 has cost centre code 0, but there are no "
                           "cost centres");
    /* Bad widths, threads, pointers. */
    CHECK(ap_ledger_sum((ap_codes){centre, (ap_code_type)3}, p, amount, 4, 3,
                        4, 1, totals, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "1, 2, 4 or 8-byte");
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, -1, totals, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads");
    CHECK(ap_ledger_sum(c, p, NULL, 4, 3, 4, 1, totals, &err) == AP_E_INPUT);
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, 1, NULL, &err) == AP_E_INPUT);
    CHECK(ap_ledger_sum(c, p, amount, 4, SIZE_MAX / 2, 4, 1, totals, &err) ==
          AP_E_NOMEM);
    /* The good ledger still sums after all that. */
    CHECK(ap_ledger_sum(c, p, amount, 4, 3, 4, 1, totals, NULL) == AP_OK);
    CHECK_EQ_I64(totals[0 * 4 + 0], 1);
    CHECK_EQ_I64(totals[1 * 4 + 3], 2);
    CHECK_EQ_I64(totals[2 * 4 + 1], 3);
    CHECK_EQ_I64(totals[1 * 4 + 2], 4);
}

/* Enough lines that 2, 4 and 8 threads really split them. */
#define BIG_LEDGER 300000

TEST(ledger_sum_first_fault_whatever_the_threads)
{
    size_t n = BIG_LEDGER;
    int32_t *centre = calloc(n, sizeof *centre);
    int8_t *period = calloc(n, sizeof *period);
    int64_t *amount = calloc(n, sizeof *amount);
    CHECK(centre && period && amount);
    lcg_seed(7);
    for (size_t i = 0; i < n; i++) {
        centre[i] = (int32_t)lcg_range(0, 99);
        period[i] = (int8_t)lcg_range(0, 3);
        amount[i] = lcg_range(-1000, 1000);
    }
    /* Faults late in the third and fourth quarters of the lines: the lower
     * one is reported however the lines are split. */
    centre[n - 10] = 100;
    period[n / 2 + 17] = 9;
    centre[n / 2 + 40000] = -5;
    int64_t totals[400];
    ap_error err;
    const int threads[] = {0, 1, 2, 3, 4, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        CHECK(ap_ledger_sum((ap_codes){centre, AP_CODE_I32},
                            (ap_codes){period, AP_CODE_I8}, amount, n, 100,
                            4, threads[t], totals, &err) == AP_E_INPUT);
        CHECK_STR(err.message, "line 150017 has period code 9; codes must be "
                               "0 to 3");
    }
    /* With those mended, the one left in the last lines (past the last
     * whole block of the last chunk) is found too. */
    period[n / 2 + 17] = 1;
    centre[n / 2 + 40000] = 5;
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        CHECK(ap_ledger_sum((ap_codes){centre, AP_CODE_I32},
                            (ap_codes){period, AP_CODE_I8}, amount, n, 100,
                            4, threads[t], totals, &err) == AP_E_INPUT);
        CHECK_STR(err.message, "line 299990 has cost centre code 100; codes "
                               "must be 0 to 99");
    }
    free(centre);
    free(period);
    free(amount);
}

TEST(ledger_sum_threads_equal)
{
    size_t n = BIG_LEDGER, nc = 2000, np = 12;
    int64_t *c64 = malloc(n * sizeof *c64);
    int64_t *p64 = malloc(n * sizeof *p64);
    int64_t *amount = malloc(n * sizeof *amount);
    __int128 *expected = malloc(nc * np * sizeof *expected);
    int64_t *totals = malloc(nc * np * sizeof *totals);
    int64_t *first = malloc(nc * np * sizeof *first);
    CHECK(c64 && p64 && amount && expected && totals && first);
    lcg_seed(2021);
    for (size_t i = 0; i < n; i++) {
        c64[i] = lcg_range(0, (int64_t)nc - 1);
        p64[i] = lcg_range(0, (int64_t)np - 1);
        /* Mostly everyday amounts, now and then a huge one of either sign. */
        amount[i] = lcg_next() % 97 == 0
                        ? lcg_range(-(INT64_C(1) << 50), INT64_C(1) << 50)
                        : lcg_range(-5000000, 5000000);
    }
    reference_sum(c64, p64, amount, n, np, expected, nc * np);
    void *c16 = codes_as(c64, n, AP_CODE_I16);
    void *p8 = codes_as(p64, n, AP_CODE_I8);
    const int threads[] = {1, 0, 2, 3, 4, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        ap_error err;
        CHECK(ap_ledger_sum((ap_codes){c16, AP_CODE_I16},
                            (ap_codes){p8, AP_CODE_I8}, amount, n, nc, np,
                            threads[t], totals, &err) == AP_OK);
        for (size_t k = 0; k < nc * np; k++)
            CHECK(totals[k] == expected[k]);
        if (t == 0)
            memcpy(first, totals, nc * np * sizeof *totals);
        CHECK(memcmp(first, totals, nc * np * sizeof *totals) == 0);
    }
    /* Every pairing of widths gives the same table. */
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            if (widths[a] == AP_CODE_I8)
                continue; /* 2,000 centres do not fit in int8 */
            void *c = codes_as(c64, n, widths[a]);
            void *p = codes_as(p64, n, widths[b]);
            CHECK(ap_ledger_sum((ap_codes){c, widths[a]},
                                (ap_codes){p, widths[b]}, amount, n, nc, np,
                                2, totals, NULL) == AP_OK);
            CHECK(memcmp(first, totals, nc * np * sizeof *totals) == 0);
            free(c);
            free(p);
        }
    free(c16);
    free(p8);
    free(c64);
    free(p64);
    free(amount);
    free(expected);
    free(totals);
    free(first);
}

TEST(ledger_sum_overflow)
{
    /* One cell whose true total is beyond int64: named, whatever the
     * threads. */
    int8_t centre[] = {0, 1, 1, 0};
    int8_t period[] = {0, 1, 1, 0};
    int64_t amount[] = {5, INT64_MAX, 1, 6};
    int64_t totals[4];
    ap_error err;
    ap_codes c = {centre, AP_CODE_I8}, p = {period, AP_CODE_I8};
    CHECK(ap_ledger_sum(c, p, amount, 4, 2, 2, 1, totals, &err) ==
          AP_E_OVERFLOW);
    CHECK_STR(err.message, "the lines of cost centre 1 in period 1 sum to "
                           "more than 64-bit pence can hold");
    /* Running sums that wrap but a true total that fits: exact. */
    int64_t back[] = {5, INT64_MAX, 1, -2};
    int8_t period2[] = {0, 1, 1, 1};
    int8_t centre2[] = {0, 1, 1, 1};
    CHECK(ap_ledger_sum((ap_codes){centre2, AP_CODE_I8},
                        (ap_codes){period2, AP_CODE_I8}, back, 4, 2, 2, 1,
                        totals, &err) == AP_OK);
    CHECK_EQ_I64(totals[0], 5);
    CHECK_EQ_I64(totals[3], INT64_MAX - 1);
    CHECK_EQ_I64(totals[1] + totals[2], 0);
    int64_t low[] = {INT64_MIN, 0, 0, -1};
    CHECK(ap_ledger_sum(c, p, low, 4, 2, 2, 1, totals, &err) ==
          AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "cost centre 0 in period 0");

    /* Across threads: each chunk's sum fits but their total does not, or
     * a chunk wraps and the total fits. */
    size_t n = BIG_LEDGER;
    int16_t *cc = calloc(n, sizeof *cc);
    int8_t *pp = calloc(n, sizeof *pp);
    int64_t *aa = calloc(n, sizeof *aa);
    CHECK(cc && pp && aa);
    aa[0] = INT64_MAX - 10;
    aa[n - 1] = 11; /* cell (0, 0) ends one past INT64_MAX */
    int64_t one[1];
    for (int t = 1; t <= 4; t++) {
        CHECK(ap_ledger_sum((ap_codes){cc, AP_CODE_I16},
                            (ap_codes){pp, AP_CODE_I8}, aa, n, 1, 1, t, one,
                            &err) == AP_E_OVERFLOW);
        CHECK_CONTAINS(err.message, "cost centre 0 in period 0");
    }
    /* The first chunk's lines sum past INT64_MAX; the last chunk brings
     * the total back: INT64_MAX - 10 + 20 - 45.  (With one thread the
     * running sum wraps and unwraps; with more, the first chunk's table
     * must be added again in 128 bits.) */
    aa[1] = 20;
    aa[n - 1] = -45;
    for (int t = 1; t <= 4; t++) {
        CHECK(ap_ledger_sum((ap_codes){cc, AP_CODE_I16},
                            (ap_codes){pp, AP_CODE_I8}, aa, n, 1, 1, t, one,
                            &err) == AP_OK);
        CHECK_EQ_I64(one[0], INT64_MAX - 35);
    }
    free(cc);
    free(pp);
    free(aa);
}

/* Cells whose sums swing far one way and then back, and now and then a
 * line far beyond everyday pence: the totals are still exact. */
TEST(ledger_sum_large_swings)
{
    size_t n = BIG_LEDGER;
    int64_t *c64 = malloc(n * sizeof *c64);
    int64_t *p64 = malloc(n * sizeof *p64);
    int64_t *amount = malloc(n * sizeof *amount);
    CHECK(c64 && p64 && amount);
    lcg_seed(99);
    for (size_t i = 0; i < n; i++) {
        c64[i] = lcg_range(0, 1);
        p64[i] = lcg_range(0, 1);
        /* About £10,000 a line, one way in the first half and the other
         * in the second; now and then beyond int32 on its own. */
        amount[i] = (i < n / 2 ? 1 : -1) * lcg_range(900000, 1100000);
        if (lcg_next() % 1000 == 0)
            amount[i] = lcg_range(-(INT64_C(1) << 40), INT64_C(1) << 40);
    }
    __int128 expected[4];
    reference_sum(c64, p64, amount, n, 2, expected, 4);
    void *c16 = codes_as(c64, n, AP_CODE_I16);
    void *p8 = codes_as(p64, n, AP_CODE_I8);
    int64_t totals[4];
    for (int t = 1; t <= 4; t++) {
        CHECK(ap_ledger_sum((ap_codes){c16, AP_CODE_I16},
                            (ap_codes){p8, AP_CODE_I8}, amount, n, 2, 2, t,
                            totals, NULL) == AP_OK);
        for (int k = 0; k < 4; k++)
            CHECK(totals[k] == expected[k]);
    }
    free(c16);
    free(p8);
    free(c64);
    free(p64);
    free(amount);
}

/* The kernel adds a block of lines with plain adds while the block's
 * amounts are below 2^54 in magnitude and the bound on its table's cells
 * stays within 2^62; other blocks are added with a check a line.  Amounts
 * at both edges (2^54 - 1 and -2^54 take the plain adds, 2^54, -2^54 - 1,
 * INT64_MAX and INT64_MIN do not), blocks of either kind in turn, and a
 * bound reached every other block: the totals are exactly the 128-bit
 * sums, on any number of threads. */
TEST(ledger_sum_fast_and_checked_blocks)
{
    size_t n = BIG_LEDGER;
    int64_t *c64 = malloc(n * sizeof *c64);
    int64_t *p64 = malloc(n * sizeof *p64);
    int64_t *amount = malloc(n * sizeof *amount);
    CHECK(c64 && p64 && amount);
    const int64_t edge = INT64_C(1) << 54;
    const int64_t edges[] = {edge - 1, -edge, edge, -edge - 1, INT64_MAX,
                             INT64_MIN};
    lcg_seed(54);
    for (size_t i = 0; i < n; i++) {
        c64[i] = lcg_range(0, 2);
        p64[i] = lcg_range(0, 1);
        /* Blocks of 128 lines: mostly near the edge with either sign, a
         * walk whose totals stay well inside int64; now and then one of
         * the edge values itself, undone by its negation (or, for
         * INT64_MIN, INT64_MAX + 1) a few lines on in the same cell. */
        int64_t bits = (int64_t)((lcg_next() << 11) ^ lcg_next());
        amount[i] = (bits >> 9) / (int64_t)((i / 128) % 3 + 1); /* -2^54.. */
    }
    for (size_t i = 300; i + 200 < n; i += 997) {
        int64_t e = edges[(i / 997) % 6];
        size_t j = i + 1 + (size_t)lcg_range(0, 190);
        c64[j] = c64[i];
        p64[j] = p64[i];
        amount[i] = e;
        amount[j] = e == INT64_MIN ? INT64_MAX : -e;
        if (e == INT64_MIN)
            amount[j + 1] = 1, c64[j + 1] = c64[i], p64[j + 1] = p64[i];
    }
    __int128 expected[6];
    reference_sum(c64, p64, amount, n, 2, expected, 6);
    for (int k = 0; k < 6; k++) /* the case meant: totals that fit */
        CHECK(expected[k] >= INT64_MIN && expected[k] <= INT64_MAX);
    void *c16 = codes_as(c64, n, AP_CODE_I16);
    void *p8 = codes_as(p64, n, AP_CODE_I8);
    int64_t totals[6];
    for (int t = 1; t <= 4; t++) {
        ap_error err;
        CHECK(ap_ledger_sum((ap_codes){c16, AP_CODE_I16},
                            (ap_codes){p8, AP_CODE_I8}, amount, n, 3, 2, t,
                            totals, &err) == AP_OK);
        for (int k = 0; k < 6; k++)
            CHECK(totals[k] == expected[k]);
    }
    free(c16);
    free(p8);
    free(c64);
    free(p64);
    free(amount);
}

/* Overflow found when every line takes the plain adds (2^46 a line, far
 * below the fast path's limit): 300,000 such lines in one cell are past
 * INT64_MAX, an error on any number of threads; two thirds of them and
 * then a third the other way run past INT64_MAX on the way and end at
 * 100,000 x 2^46, which fits and is exact. */
TEST(ledger_sum_overflow_in_plain_adds)
{
    size_t n = BIG_LEDGER;
    int16_t *cc = calloc(n, sizeof *cc);
    int8_t *pp = calloc(n, sizeof *pp);
    int64_t *aa = malloc(n * sizeof *aa);
    CHECK(cc && pp && aa);
    const int64_t step = INT64_C(1) << 46;
    for (size_t i = 0; i < n; i++)
        aa[i] = step;
    int64_t one[1];
    ap_error err;
    for (int t = 1; t <= 4; t++) {
        CHECK(ap_ledger_sum((ap_codes){cc, AP_CODE_I16},
                            (ap_codes){pp, AP_CODE_I8}, aa, n, 1, 1, t, one,
                            &err) == AP_E_OVERFLOW);
        CHECK_STR(err.message, "the lines of cost centre 0 in period 0 sum "
                               "to more than 64-bit pence can hold");
    }
    for (size_t i = 2 * n / 3; i < n; i++)
        aa[i] = -step;
    for (int t = 1; t <= 4; t++) {
        CHECK(ap_ledger_sum((ap_codes){cc, AP_CODE_I16},
                            (ap_codes){pp, AP_CODE_I8}, aa, n, 1, 1, t, one,
                            &err) == AP_OK);
        CHECK_EQ_I64(one[0], (int64_t)(n / 3) * step);
    }
    free(cc);
    free(pp);
    free(aa);
}

TEST(ledger_periods_quarters_and_months)
{
    int64_t fy2021 = ap_date_from_ymd(2021, 4, 1);
    const int ymd[][3] = {{2021, 4, 1},  {2021, 4, 30}, {2021, 5, 1},
                          {2021, 6, 30}, {2021, 7, 1},  {2021, 9, 30},
                          {2021, 10, 1}, {2021, 12, 31}, {2022, 1, 1},
                          {2022, 2, 28}, {2022, 3, 1},  {2022, 3, 31}};
    const int quarter[] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3};
    const int month[] = {0, 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 11};
    int64_t days[12];
    int8_t out[12];
    for (int i = 0; i < 12; i++)
        days[i] = ap_date_from_ymd(ymd[i][0], ymd[i][1], ymd[i][2]);
    ap_error err;
    CHECK(ap_ledger_periods(days, 12, fy2021, AP_PERIOD_QUARTER, out, &err) ==
          AP_OK);
    for (int i = 0; i < 12; i++)
        CHECK_EQ_I64(out[i], quarter[i]);
    CHECK(ap_ledger_periods(days, 12, fy2021, AP_PERIOD_MONTH, out, &err) ==
          AP_OK);
    for (int i = 0; i < 12; i++)
        CHECK_EQ_I64(out[i], month[i]);
    /* Every day of a leap year (2023/24 holds 29 February 2024) against
     * the calendar's own financial-year functions. */
    int64_t fy2023 = ap_date_from_ymd(2023, 4, 1);
    int64_t year[366];
    int8_t q[366], m[366];
    for (int i = 0; i < 366; i++)
        year[i] = fy2023 + i;
    CHECK(ap_date_from_ymd(2024, 3, 31) == fy2023 + 365);
    CHECK(ap_ledger_periods(year, 366, fy2023, AP_PERIOD_QUARTER, q, &err) ==
          AP_OK);
    CHECK(ap_ledger_periods(year, 366, fy2023, AP_PERIOD_MONTH, m, &err) ==
          AP_OK);
    for (int i = 0; i < 366; i++) {
        CHECK_EQ_I64(q[i], ap_fy_quarter(year[i]) - 1);
        CHECK_EQ_I64(m[i], ap_fy_period(year[i]) - 1);
    }
    CHECK_EQ_I64(m[ap_date_from_ymd(2024, 2, 29) - fy2023], 10); /* P11 */
}

TEST(ledger_periods_errors)
{
    int64_t fy = ap_date_from_ymd(2021, 4, 1);
    int64_t days[] = {fy, fy + 100, fy + 364, fy + 365, fy - 1};
    int8_t out[5];
    ap_error err;
    CHECK(ap_ledger_periods(days, 5, fy, AP_PERIOD_QUARTER, out, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 3: the date 2022-04-01 is outside the "
                           "financial year 2021/22 (2021-04-01 to "
                           "2022-03-31)");
    days[3] = fy;
    CHECK(ap_ledger_periods(days, 5, fy, AP_PERIOD_MONTH, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "line 4: the date 2021-03-31 is outside");
    days[1] = AP_DATE_NAT;
    CHECK(ap_ledger_periods(days, 5, fy, AP_PERIOD_MONTH, out, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "line 1 has no date (NaT); every line needs a "
                           "date in 2021/22");
    days[1] = INT64_MAX;
    CHECK(ap_ledger_periods(days, 5, fy, AP_PERIOD_MONTH, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "line 1: the date 9223372036854775807 days "
                                "from 1970-01-01 is outside");
    CHECK(ap_ledger_periods(days, 5, fy + 1, AP_PERIOD_MONTH, out, &err) ==
          AP_E_INPUT);
    CHECK_STR(err.message, "a financial year starts on 1 April, not "
                           "2021-04-02");
    CHECK(ap_ledger_periods(days, 5, AP_DATE_NAT, AP_PERIOD_MONTH, out,
                            &err) == AP_E_INPUT);
    CHECK_STR(err.message, "a financial year starts on 1 April, not NaT");
    CHECK(ap_ledger_periods(days, 5, fy, (ap_period_kind)6, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "not 6");
    CHECK(ap_ledger_periods(NULL, 5, fy, AP_PERIOD_MONTH, out, &err) ==
          AP_E_INPUT);
    CHECK(ap_ledger_periods(NULL, 0, fy, AP_PERIOD_MONTH, NULL, &err) ==
          AP_OK);

    /* Many lines (split over threads): the first bad date is named. */
    size_t n = BIG_LEDGER;
    int64_t *many = malloc(n * sizeof *many);
    int8_t *per = malloc(n);
    CHECK(many && per);
    lcg_seed(11);
    for (size_t i = 0; i < n; i++)
        many[i] = fy + lcg_range(0, 364);
    CHECK(ap_ledger_periods(many, n, fy, AP_PERIOD_QUARTER, per, &err) ==
          AP_OK);
    for (size_t i = 0; i < n; i += 997)
        CHECK_EQ_I64(per[i], ap_fy_quarter(many[i]) - 1);
    many[n - 3] = fy - 400;
    many[n / 2 + 5] = fy + 365 + 31;
    CHECK(ap_ledger_periods(many, n, fy, AP_PERIOD_QUARTER, per, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "line 150005: the date 2022-05-02 is outside");
    free(many);
    free(per);
}

TEST(ledger_apportion_hand_checked)
{
    /* Centre 0 by 44.16 : 55.84, centre 1 by 1 : 1 : 0 (three parties). */
    const int64_t totals[] = {40704500, -5, 3, 0, /* centre 0 */
                              1, 1, 1, -7};       /* centre 1 */
    const int64_t weights[] = {4416, 5584, 0,     /* centre 0 */
                               1, 1, 0};          /* centre 1 */
    int64_t shares[2 * 4 * 3];
    ap_error err;
    CHECK(ap_ledger_apportion(totals, 2, 4, weights, 3, AP_LARGEST_REMAINDER,
                              shares, &err) == AP_OK);
    /* By hand: £407,045.00 is £179,751.07 / £227,293.93. */
    CHECK_EQ_I64(shares[0], 17975107);
    CHECK_EQ_I64(shares[1], 22729393);
    CHECK_EQ_I64(shares[2], 0);
    /* Running totals 40704500, 40704495, 40704498, 40704498; the first
     * party's shares of them 17975107, 17975105, 17975106, 17975106. */
    const int64_t first[] = {17975107, -2, 1, 0};
    const int64_t second[] = {22729393, -3, 2, 0};
    for (int p = 0; p < 4; p++) {
        CHECK_EQ_I64(shares[p * 3 + 0], first[p]);
        CHECK_EQ_I64(shares[p * 3 + 1], second[p]);
        CHECK_EQ_I64(shares[p * 3 + 2], 0);
    }
    /* Centre 1: running 1, 2, 3, -4 split 1:1 -> (1,0), (1,1), (2,1),
     * (-2,-2); differences (1,0), (0,1), (1,0), (-4,-3). */
    const int64_t c1[] = {1, 0, 0, 1, 1, 0, -4, -3};
    for (int p = 0; p < 4; p++) {
        CHECK_EQ_I64(shares[12 + p * 3 + 0], c1[2 * p]);
        CHECK_EQ_I64(shares[12 + p * 3 + 1], c1[2 * p + 1]);
        CHECK_EQ_I64(shares[12 + p * 3 + 2], 0);
    }
}

TEST(ledger_apportion_errors)
{
    const int64_t totals[] = {10, 20, 30, 40};
    int64_t weights[] = {1, 1, 0, 0};
    int64_t shares[8];
    ap_error err;
    CHECK(ap_ledger_apportion(totals, 2, 2, weights, 2, AP_LARGEST_REMAINDER,
                              shares, &err) == AP_E_INPUT);
    CHECK_STR(err.message, "cost centre 1: all 2 weights are zero; at least "
                           "one must be positive");
    weights[2] = -3;
    CHECK(ap_ledger_apportion(totals, 2, 2, weights, 2, AP_LARGEST_REMAINDER,
                              shares, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "cost centre 1: weights[0] is negative (-3)");
    weights[2] = 1;
    CHECK(ap_ledger_apportion(totals, 2, 2, weights, 0, AP_LARGEST_REMAINDER,
                              shares, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no parties");
    CHECK(ap_ledger_apportion(totals, 2, 2, weights, 2,
                              (ap_apportion_mode)99, shares, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "cost centre 0: unknown apportionment mode");
    /* A centre's running total beyond int64. */
    const int64_t big[] = {INT64_MAX, 1, 0, 0};
    CHECK(ap_ledger_apportion(big, 2, 2, weights, 2, AP_LARGEST_REMAINDER,
                              shares, &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "cost centre 0: ");
    /* No periods: nothing to share, but the weights are still checked. */
    CHECK(ap_ledger_apportion(NULL, 2, 0, weights, 2, AP_LARGEST_REMAINDER,
                              NULL, &err) == AP_OK);
    weights[3] = -1;
    CHECK(ap_ledger_apportion(NULL, 2, 0, weights, 2, AP_LARGEST_REMAINDER,
                              NULL, &err) == AP_E_INPUT);
    CHECK(ap_ledger_apportion(totals, 2, 2, weights, 2, AP_LARGEST_REMAINDER,
                              NULL, &err) == AP_E_INPUT);
    CHECK(ap_ledger_apportion(NULL, 0, 2, NULL, 0, AP_LARGEST_REMAINDER, NULL,
                              &err) == AP_OK);
}

/* Random ledgers: every penny of the lines reaches an authority, each cell
 * splits exactly, and each party's year for a centre is its apportionment
 * of the centre's year. */
TEST(ledger_conservation_random)
{
    lcg_seed(404);
    for (int round = 0; round < 40; round++) {
        size_t n = (size_t)lcg_range(0, 3000);
        size_t nc = (size_t)lcg_range(1, 50);
        size_t np = lcg_next() % 2 ? 4 : 12;
        size_t k = (size_t)lcg_range(1, 5);
        ap_apportion_mode mode = (ap_apportion_mode)(lcg_next() % 3);
        int64_t *c = malloc((n + 1) * sizeof *c);
        int64_t *p = malloc((n + 1) * sizeof *p);
        int64_t *a = malloc((n + 1) * sizeof *a);
        int64_t *totals = malloc(nc * np * sizeof *totals);
        __int128 *expected = malloc(nc * np * sizeof *expected);
        int64_t *weights = malloc(nc * k * sizeof *weights);
        int64_t *shares = malloc(nc * np * k * sizeof *shares);
        int64_t *year = malloc(k * sizeof *year);
        CHECK(c && p && a && totals && expected && weights && shares && year);
        __int128 ledger = 0;
        for (size_t i = 0; i < n; i++) {
            c[i] = lcg_range(0, (int64_t)nc - 1);
            p[i] = lcg_range(0, (int64_t)np - 1);
            a[i] = lcg_range(-100000000, 100000000);
            ledger += a[i];
        }
        for (size_t j = 0; j < nc; j++) {
            int64_t sum = 0;
            for (size_t q = 0; q < k; q++) {
                weights[j * k + q] = lcg_next() % 4 == 0 ? 0
                                                         : lcg_range(1, 100000);
                sum += weights[j * k + q];
            }
            if (sum == 0)
                weights[j * k + lcg_next() % k] = 1;
        }
        void *c32 = codes_as(c, n, AP_CODE_I32);
        void *p8 = codes_as(p, n, AP_CODE_I8);
        CHECK(ap_ledger_sum((ap_codes){c32, AP_CODE_I32},
                            (ap_codes){p8, AP_CODE_I8}, a, n, nc, np, 0,
                            totals, NULL) == AP_OK);
        reference_sum(c, p, a, n, np, expected, nc * np);
        ap_error err;
        CHECK(ap_ledger_apportion(totals, nc, np, weights, k, mode, shares,
                                  &err) == AP_OK);
        __int128 apportioned = 0;
        for (size_t j = 0; j < nc; j++) {
            int64_t centre_year = 0;
            for (size_t t = 0; t < np; t++) {
                CHECK(totals[j * np + t] == expected[j * np + t]);
                int64_t cell = 0;
                for (size_t q = 0; q < k; q++)
                    cell += shares[(j * np + t) * k + q];
                CHECK_EQ_I64(cell, totals[j * np + t]);
                apportioned += cell;
                centre_year += totals[j * np + t];
            }
            CHECK(ap_apportion(centre_year, weights + j * k, k, mode, year,
                               NULL) == AP_OK);
            for (size_t q = 0; q < k; q++) {
                int64_t party = 0;
                for (size_t t = 0; t < np; t++)
                    party += shares[(j * np + t) * k + q];
                CHECK_EQ_I64(party, year[q]);
            }
        }
        CHECK(apportioned == ledger);
        free(c32);
        free(p8);
        free(c);
        free(p);
        free(a);
        free(totals);
        free(expected);
        free(weights);
        free(shares);
        free(year);
    }
}
