#include <stdint.h>
#include <string.h>

#include "alloc/alloc_internal.h"
#include "apportion/apportion.h"
#include "runner.h"

TEST(decimal_parse)
{
    int64_t n, d;
    ap_error err;
    CHECK(ap_decimal_parse("44.16", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 1104 && d == 25);
    CHECK(ap_decimal_parse("12,345.5", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 24691 && d == 2);
    CHECK(ap_decimal_parse("1,234,567", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 1234567 && d == 1);
    CHECK(ap_decimal_parse("1,23", (size_t)-1, &n, &d, &err) == AP_E_INPUT);
    CHECK(ap_decimal_parse("12,34,567", (size_t)-1, &n, &d, &err) ==
          AP_E_INPUT);
    CHECK(ap_decimal_parse("1,2345", (size_t)-1, &n, &d, &err) == AP_E_INPUT);
    CHECK(ap_decimal_parse("53.57%", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 5357 && d == 100);
    CHECK(ap_decimal_parse("0.5357", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 5357 && d == 10000);
    CHECK(ap_decimal_parse("1e-7", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 1 && d == 10000000);
    CHECK(ap_decimal_parse("79,186", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == 79186 && d == 1);
    CHECK(ap_decimal_parse("2.50000000000000000000000000", (size_t)-1, &n, &d,
                           &err) == AP_OK);
    CHECK(n == 5 && d == 2);
    CHECK(ap_decimal_parse("-3", (size_t)-1, &n, &d, &err) == AP_OK);
    CHECK(n == -3 && d == 1);
    CHECK(ap_decimal_parse("4x", (size_t)-1, &n, &d, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "\"4x\"");
    CHECK(ap_decimal_parse("", (size_t)-1, &n, &d, &err) == AP_E_INPUT);
    CHECK(ap_decimal_parse("1e30", (size_t)-1, &n, &d, &err) ==
          AP_E_OVERFLOW);
}

TEST(weights_common)
{
    int64_t num[] = {1104, 1396, 0}, den[] = {25, 25, 7}, w[3];
    ap_error err;
    CHECK(ap_weights_common(num, den, 3, w, &err) == AP_OK);
    CHECK(w[0] == 1104 && w[1] == 1396 && w[2] == 0);
    int64_t num2[] = {1, 1}, den2[] = {3, 4};
    CHECK(ap_weights_common(num2, den2, 2, w, &err) == AP_OK);
    CHECK(w[0] == 4 && w[1] == 3);
    int64_t bad[] = {1, -2};
    CHECK(ap_weights_common(bad, den2, 2, w, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "weights[1]");
    int64_t big_den[] = {1000000007, 998244353, 1000000009};
    int64_t ones[] = {1, 1, 1};
    CHECK(ap_weights_common(ones, big_den, 3, w, &err) == AP_E_OVERFLOW);
}

TEST(apportion_issue_examples)
{
    int64_t s[3];
    int64_t w1[] = {4416, 5584};
    CHECK(ap_apportion(40704500, w1, 2, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK(s[0] == 17975107 && s[1] == 22729393);
    int64_t w2[] = {7, 3};
    CHECK(ap_apportion(-5, w2, 2, AP_LARGEST_REMAINDER, s, NULL) == AP_OK);
    CHECK(s[0] == -4 && s[1] == -1);
    int64_t w3[] = {0, 1, 1};
    CHECK(ap_apportion(5, w3, 3, AP_LARGEST_REMAINDER, s, NULL) == AP_OK);
    CHECK(s[0] == 0 && s[1] == 3 && s[2] == 2);
}

TEST(apportion_modes)
{
    int64_t s[4];
    int64_t w[] = {4416, 5584};
    CHECK(ap_apportion(40704500, w, 2, AP_FIRST_COME, s, NULL) == AP_OK);
    CHECK(s[0] == 17975108 && s[1] == 22729392); /* worked by hand */
    CHECK(ap_apportion(40704500, w, 2, AP_LARGEST_RATIO, s, NULL) == AP_OK);
    CHECK(s[0] == 17975107 && s[1] == 22729393);
    /* 10 by 1:1:1 -> 3.33 each; one penny over. */
    int64_t thirds[] = {1, 1, 1};
    CHECK(ap_apportion(10, thirds, 3, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK(s[0] == 4 && s[1] == 3 && s[2] == 3);
    /* Largest remainder vs largest ratio: 100 by 10:45:45 -> 10, 45, 45
     * exact; 101 by 2:3:5 -> 20.2, 30.3, 50.5 */
    int64_t w235[] = {2, 3, 5};
    CHECK(ap_apportion(101, w235, 3, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK(s[0] == 20 && s[1] == 30 && s[2] == 51);
    /* 7 by 1:2:4 = 1, 2, 4 exact; 8 by 1:2:4 -> 1.14, 2.29, 4.57 */
    int64_t w124[] = {1, 2, 4};
    CHECK(ap_apportion(8, w124, 3, AP_FIRST_COME, s, NULL) == AP_OK);
    CHECK(s[0] == 2 && s[1] == 2 && s[2] == 4);
    CHECK(ap_apportion(8, w124, 3, AP_LARGEST_RATIO, s, NULL) == AP_OK);
    CHECK(s[0] == 1 && s[1] == 2 && s[2] == 5);
    CHECK(ap_apportion(8, w124, 3, AP_LARGEST_REMAINDER, s, NULL) == AP_OK);
    CHECK(s[0] == 1 && s[1] == 2 && s[2] == 5);
    /* Zero weights never get a penny, in any mode. */
    int64_t wz[] = {0, 1, 0, 1};
    for (int m = 0; m < AP_APPORTION_MODE_COUNT; m++) {
        CHECK(ap_apportion(3, wz, 4, (ap_apportion_mode)m, s, NULL) == AP_OK);
        CHECK(s[0] == 0 && s[2] == 0 && s[1] + s[3] == 3);
    }
    ap_apportion_mode mode;
    ap_error err;
    CHECK(ap_apportion_mode_parse("first_come", &mode, &err) == AP_OK);
    CHECK(mode == AP_FIRST_COME);
    CHECK(ap_apportion_mode_parse("dhondt", &mode, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "dhondt");
}

TEST(apportion_errors)
{
    int64_t s[3];
    ap_error err;
    int64_t zeros[] = {0, 0};
    CHECK(ap_apportion(100, zeros, 2, AP_LARGEST_REMAINDER, s, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "all 2 weights are zero");
    int64_t neg[] = {1, -1, 3};
    CHECK(ap_apportion(100, neg, 3, AP_LARGEST_REMAINDER, s, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "weights[1] is negative");
    CHECK(ap_apportion(100, NULL, 0, AP_LARGEST_REMAINDER, s, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no weights");
    int64_t w[] = {1};
    CHECK(ap_apportion(100, w, 1, (ap_apportion_mode)99, s, &err) ==
          AP_E_INPUT);
}

TEST(apportion_extremes)
{
    int64_t s[3];
    int64_t w[] = {INT64_MAX, INT64_MAX, 1};
    CHECK(ap_apportion(INT64_MAX, w, 3, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK((__int128)s[0] + s[1] + s[2] == INT64_MAX);
    CHECK(ap_apportion(INT64_MIN, w, 3, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK((__int128)s[0] + s[1] + s[2] == INT64_MIN);
    int64_t one[] = {5};
    CHECK(ap_apportion(INT64_MIN, one, 1, AP_LARGEST_REMAINDER, s, NULL) ==
          AP_OK);
    CHECK(s[0] == INT64_MIN);
    /* Mirror symmetry. */
    int64_t w3[] = {3, 3, 1};
    int64_t p[3], m[3];
    for (int64_t t = 0; t < 200; t++) {
        CHECK(ap_apportion(t, w3, 3, AP_LARGEST_REMAINDER, p, NULL) == 0);
        CHECK(ap_apportion(-t, w3, 3, AP_LARGEST_REMAINDER, m, NULL) == 0);
        for (int i = 0; i < 3; i++)
            CHECK(p[i] == -m[i]);
    }
    /* More parties than fit in the stack scratch. */
    int64_t many[20], out[20];
    for (int i = 0; i < 20; i++)
        many[i] = i + 1;
    CHECK(ap_apportion(1000001, many, 20, AP_LARGEST_REMAINDER, out, NULL) ==
          AP_OK);
    int64_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += out[i];
    CHECK_EQ_I64(sum, 1000001);
}

TEST(apportion_many_matches_single)
{
    /* The two-party fast path and the general kernel agree, in every mode,
     * including totals beyond the 2^53 estimate and weights whose sum
     * exceeds int64. */
    int64_t totals[] = {0, 1, -1, 5, -5, 40704500, -40704500, 999999999999,
                        INT64_MAX, INT64_MIN, (int64_t)1 << 53,
                        ((int64_t)1 << 53) + 1, 123456789012345LL};
    size_t n = sizeof totals / sizeof totals[0];
    int64_t bases[][2] = {{4416, 5584}, {7, 3}, {0, 1}, {1, 0}, {1, 1},
                          {INT64_MAX, INT64_MAX}, {INT64_MAX, 1},
                          {5357, 4643}, {1, 2}};
    int64_t many[26], one[2];
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        for (int m = 0; m < AP_APPORTION_MODE_COUNT; m++) {
            CHECK(ap_apportion_many(totals, n, bases[b], 2,
                                    (ap_apportion_mode)m, many,
                                    NULL) == AP_OK);
            for (size_t k = 0; k < n; k++) {
                CHECK(ap_apportion(totals[k], bases[b], 2,
                                   (ap_apportion_mode)m, one, NULL) == AP_OK);
                if (one[0] != many[2 * k] || one[1] != many[2 * k + 1]) {
                    fprintf(stderr, "basis %zu mode %d total %lld: "
                            "%lld/%lld vs %lld/%lld\n", b, m,
                            (long long)totals[k], (long long)one[0],
                            (long long)one[1], (long long)many[2 * k],
                            (long long)many[2 * k + 1]);
                    CHECK(0);
                }
            }
        }
    }
    int64_t w3[] = {1, 1, 1}, out3[6], t2[] = {10, -10};
    CHECK(ap_apportion_many(t2, 2, w3, 3, AP_LARGEST_REMAINDER, out3, NULL) ==
          AP_OK);
    CHECK(out3[0] == 4 && out3[1] == 3 && out3[2] == 3);
    CHECK(out3[3] == -4 && out3[4] == -3 && out3[5] == -3);
}

TEST(apportion_lines_exact)
{
    int64_t lines[] = {1, 1, 1, 1, 1, -3, 40704500, 7};
    size_t nl = sizeof lines / sizeof lines[0];
    int64_t w[] = {4416, 5584};
    int64_t cells[16], grand = 0, col[2] = {0, 0}, expect[2];
    CHECK(ap_apportion_lines(lines, nl, w, 2, AP_LARGEST_REMAINDER, cells,
                             NULL) == AP_OK);
    for (size_t j = 0; j < nl; j++) {
        CHECK_EQ_I64(cells[2 * j] + cells[2 * j + 1], lines[j]);
        col[0] += cells[2 * j];
        col[1] += cells[2 * j + 1];
        grand += lines[j];
        /* Each cell within a penny of exact, for two parties. */
        __int128 exact_num = (__int128)lines[j] * w[0];
        __int128 diff = (__int128)cells[2 * j] * 10000 - exact_num;
        CHECK(diff > -10000 && diff < 10000);
    }
    CHECK(ap_apportion(grand, w, 2, AP_LARGEST_REMAINDER, expect, NULL) == 0);
    CHECK(col[0] == expect[0] && col[1] == expect[1]);
    /* Independent rounding of five 1p lines would give 0p to party 0 each
     * time; the two-way apportionment keeps party 0 at its 2.2p. */
    int64_t five[] = {1, 1, 1, 1, 1}, c5[10];
    CHECK(ap_apportion_lines(five, 5, w, 2, AP_LARGEST_REMAINDER, c5, NULL) ==
          AP_OK);
    CHECK_EQ_I64(c5[0] + c5[2] + c5[4] + c5[6] + c5[8], 2);
    int64_t over[] = {INT64_MAX, 1};
    ap_error err;
    CHECK(ap_apportion_lines(over, 2, w, 2, AP_LARGEST_REMAINDER, cells,
                             &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "line 1");
}

TEST(apportion_many_parallel)
{
    /* Above the threading threshold every row equals the scalar result. */
    size_t n = 300000;
    int64_t *totals = malloc(n * sizeof *totals);
    int64_t *shares = malloc(2 * n * sizeof *shares);
    CHECK(totals != NULL && shares != NULL);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        totals[i] = (int64_t)x >> (i % 40);
    }
    int64_t w[] = {5357, 4643}, one[2];
    CHECK(ap_apportion_many(totals, n, w, 2, AP_LARGEST_REMAINDER, shares,
                            NULL) == AP_OK);
    for (size_t i = 0; i < n; i++) {
        CHECK(ap_apportion(totals[i], w, 2, AP_LARGEST_REMAINDER, one,
                           NULL) == AP_OK);
        CHECK(one[0] == shares[2 * i] && one[1] == shares[2 * i + 1]);
    }
    free(totals);
    free(shares);
}

/* The rows of ap_apportion_many for two parties against ap_apportion's
 * general kernel, row by row; returns the rows that differ. */
static size_t pairs_differ(const int64_t *totals, size_t n,
                           const int64_t *w, ap_apportion_mode mode,
                           int64_t *shares)
{
    size_t wrong = 0;
    int64_t one[2];
    CHECK(ap_apportion_many(totals, n, w, 2, mode, shares, NULL) == AP_OK);
    for (size_t k = 0; k < n; k++) {
        CHECK(ap_apportion(totals[k], w, 2, mode, one, NULL) == AP_OK);
        if (one[0] != shares[2 * k] || one[1] != shares[2 * k + 1]) {
            if (wrong++ == 0)
                fprintf(stderr, "weights %lld:%lld mode %d total %lld: "
                        "%lld/%lld expected, %lld/%lld\n", (long long)w[0],
                        (long long)w[1], (int)mode, (long long)totals[k],
                        (long long)one[0], (long long)one[1],
                        (long long)shares[2 * k],
                        (long long)shares[2 * k + 1]);
        }
    }
    return wrong;
}

TEST(apportion_many_float_path)
{
    /* The two-party float path (whole blocks of 64 totals, on each
     * instruction set this machine has) against the general kernel's exact
     * 128-bit arithmetic: totals spread to the path's bound |t| * a < 2^52,
     * |t| < 2^51, around it and far beyond it, alone in a block or among
     * others, on bases whose sum reaches 2^52 and beyond, in every mode;
     * with the blocks stored through the caches, streamed out (as large
     * arrays are), and asked to stream into an output not aligned for it
     * (which stores them through the caches instead). */
    int64_t bases[][2] = {
        {4416, 5584}, {276, 349}, {1, 1}, {1, 0}, {0, 1}, {3, 1}, {1, 2},
        {50, 50}, {1, ((int64_t)1 << 52) - 2}, {1, ((int64_t)1 << 52) - 1},
        {((int64_t)1 << 51), ((int64_t)1 << 51) - 1}, {123456789, 987654321},
        {(int64_t)1 << 40, 3}, {INT64_MAX, INT64_MAX - 2}, {7, INT64_MAX}};
    enum { N = 64 * 40 + 17 };
    int64_t *totals = malloc(N * sizeof *totals);
    int64_t *room = malloc((2 * N + 1) * sizeof *room);
    CHECK(totals != NULL && room != NULL);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int variant = 0; variant < 6; variant++) {
        int baseline = variant % 2, stream = variant / 2;
        /* malloc's memory is aligned for any type, so room + 1 is 8 bytes
         * off a 16-byte boundary. */
        int64_t *shares = stream == 2 ? room + 1 : room;
        ap__apportion_baseline_only(baseline);
        ap__apportion_stream_min_rows(stream ? 1 : 0);
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            int64_t a = bases[b][0] > 0 ? bases[b][0] : 1;
            int64_t sum = bases[b][0] / 2 + bases[b][1] / 2; /* no overflow */
            int64_t limit = (((int64_t)1 << 52) - 1) / a;
            if (limit > ((int64_t)1 << 51) - 1)
                limit = ((int64_t)1 << 51) - 1;
            for (size_t i = 0; i < N; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                size_t block = i / 64;
                int64_t near = limit - (int64_t)(x % 5) + 2; /* limit +- 2 */
                int64_t t;
                if (block < 8) /* within the bound, random magnitudes */
                    t = (int64_t)(x % (uint64_t)(limit + 1)) >> (x >> 58);
                else if (block < 16) /* at the bound, some just past it */
                    t = near;
                else if (block < 24) /* small, one total far out */
                    t = i % 64 == (block * 7) % 64 ? (int64_t)x
                                                   : (int64_t)(x % 2001) - 1000;
                else if (block < 32) /* anything */
                    t = (int64_t)x;
                else /* multiples of the weights' sum, and one either side */
                    t = sum < ((int64_t)1 << 40)
                            ? (int64_t)(x % 1000) * sum + (int64_t)(x % 3) - 1
                            : (int64_t)(x % 100000);
                totals[i] = (x & 1) ? t : (t == INT64_MIN ? t : -t);
            }
            totals[0] = INT64_MIN;
            totals[64 * 9] = INT64_MAX;
            totals[64 * 10 + 5] = ((int64_t)1 << 51);
            totals[64 * 11 + 6] = -((int64_t)1 << 51);
            totals[64 * 12 + 7] = ((int64_t)1 << 51) - 1;
            totals[64 * 13 + 8] = 1 - ((int64_t)1 << 51);
            for (int m = 0; m < AP_APPORTION_MODE_COUNT; m++)
                CHECK(pairs_differ(totals, N, bases[b], (ap_apportion_mode)m,
                                   shares) == 0);
        }
    }
    ap__apportion_baseline_only(0);
    ap__apportion_stream_min_rows(0);
    free(totals);
    free(room);
}

TEST(apportion_many_threads)
{
    /* Any number of threads gives the same shares, stored through the
     * caches or streamed out (each thread's chunk ending with its fence);
     * a negative one is an error that says what is allowed. */
    size_t n = 300001;
    int64_t *totals = malloc(n * sizeof *totals);
    int64_t *every = malloc(2 * n * sizeof *every);
    int64_t *some = malloc(2 * n * sizeof *some);
    CHECK(totals != NULL && every != NULL && some != NULL);
    for (size_t i = 0; i < n; i++)
        totals[i] = (int64_t)(i * 2654435761u % 2000000001u) - 1000000000;
    int64_t w[] = {4416, 5584};
    CHECK(ap_apportion_many(totals, n, w, 2, AP_LARGEST_REMAINDER, every,
                            NULL) == AP_OK);
    for (int stream = 0; stream <= 1; stream++) {
        ap__apportion_stream_min_rows(stream ? 1 : 0);
        for (int threads = 1; threads <= 5; threads += 2) {
            memset(some, 0, 2 * n * sizeof *some);
            CHECK(ap_apportion_many_threads(totals, n, w, 2,
                                            AP_LARGEST_REMAINDER, threads,
                                            some, NULL) == AP_OK);
            CHECK(memcmp(every, some, 2 * n * sizeof *some) == 0);
            memset(some, 0, 2 * n * sizeof *some);
            CHECK(ap_apportion_many_stores(totals, n, w, 2,
                                           AP_LARGEST_REMAINDER, threads,
                                           AP_STORE_CACHED, some,
                                           NULL) == AP_OK);
            CHECK(memcmp(every, some, 2 * n * sizeof *some) == 0);
        }
    }
    ap__apportion_stream_min_rows(0);
    ap_error err;
    CHECK(ap_apportion_many_stores(totals, n, w, 2, AP_LARGEST_REMAINDER, 0,
                                   (ap_store_mode)7, some,
                                   &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "store mode 7");
    CHECK(ap_apportion_many_threads(totals, n, w, 2, AP_LARGEST_REMAINDER, -1,
                                    some, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads");
    free(totals);
    free(every);
    free(some);
}
