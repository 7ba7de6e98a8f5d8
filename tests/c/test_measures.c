#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "apportion/apportion.h"
#include "kpi/sla_internal.h"
#include "runner.h"

static int64_t ymd(int y, int m, int d) { return ap_date_from_ymd(y, m, d); }

static ap_calendar *england(void)
{
    ap_calendar *cal;
    ap_error err;
    CHECK(ap_calendar_new(AP_DIVISION_ENGLAND_AND_WALES, AP_WEEKMASK_MON_FRI,
                          NULL, 0, &cal, &err) == AP_OK);
    return cal;
}

TEST(sla_measure_grouped)
{
    ap_calendar *cal = england();
    ap_error err;
    /* Group 7: Fri -> Wed (3, within), Fri -> Thu (4, late), open since
     * Mon 7 June (as of Fri 11 June: 4 days, late).  Group 3: Thu 1 April
     * -> Wed 7 April over Easter (2, within), open since Thu 10 June
     * (1 day as of the 11th, pending). */
    int64_t start[] = {ymd(2021, 6, 4), ymd(2021, 6, 4), ymd(2021, 6, 7),
                       ymd(2021, 4, 1), ymd(2021, 6, 10)};
    int64_t end[] = {ymd(2021, 6, 9), ymd(2021, 6, 10), AP_DATE_NAT,
                     ymd(2021, 4, 7), AP_DATE_NAT};
    int64_t keys[] = {7, 7, 7, 3, 3};
    ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, ymd(2021, 6, 11)};
    ap_sla_result r;
    CHECK(ap_sla_measure(cal, start, end, keys, 5, &opt, &r, &err) == AP_OK);
    CHECK_EQ_I64(r.n_groups, 2);
    const ap_sla_group *g3 = &r.groups[0], *g7 = &r.groups[1];
    CHECK(g3->key == 3 && g7->key == 7);
    CHECK(g7->records == 3 && g7->within == 1 && g7->total == 3 &&
          g7->open_late == 1 && g7->open_pending == 0 && g7->closed == 2 &&
          g7->elapsed_sum == 7 && g7->elapsed_max == 4);
    CHECK(g3->records == 2 && g3->within == 1 && g3->total == 1 &&
          g3->open_pending == 1 && g3->elapsed_sum == 2);
    ap_sla_result_clear(&r);

    /* Without an as-of date every open record is pending; no keys: one
     * group. */
    opt.as_of = AP_DATE_NAT;
    CHECK(ap_sla_measure(cal, start, end, NULL, 5, &opt, &r, &err) == AP_OK);
    CHECK(r.n_groups == 1 && r.groups[0].key == 0 &&
          r.groups[0].total == 3 && r.groups[0].open_pending == 2);
    ap_sla_result_clear(&r);

    /* Keys far apart take the hash path and give the same counts. */
    int64_t wide[] = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MIN, INT64_MIN};
    opt.as_of = ymd(2021, 6, 11);
    CHECK(ap_sla_measure(cal, start, end, wide, 5, &opt, &r, &err) == AP_OK);
    CHECK(r.n_groups == 2 && r.groups[0].key == INT64_MIN &&
          r.groups[1].within == 1 && r.groups[1].open_late == 1);
    ap_sla_result_clear(&r);

    /* Bad rows are named; the earliest one is reported. */
    int64_t bad_end[] = {ymd(2021, 6, 9), ymd(2021, 6, 3), ymd(2021, 6, 1),
                         ymd(2021, 4, 7), AP_DATE_NAT};
    CHECK(ap_sla_measure(cal, start, bad_end, keys, 5, &opt, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 1 ends (2021-06-03) before it starts "
                                "(2021-06-04)");
    CHECK(r.groups == NULL);
    int64_t bad_start[] = {ymd(2021, 6, 4), AP_DATE_NAT};
    CHECK(ap_sla_measure(cal, bad_start, end, NULL, 2, &opt, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 1: start is NaT");
    opt.as_of = ymd(2021, 6, 8);
    CHECK(ap_sla_measure(cal, start, end, keys, 5, &opt, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 4 is open and starts (2021-06-10) after "
                                "the as-of date (2021-06-08)");
    opt.limit = -1;
    CHECK(ap_sla_measure(cal, start, end, keys, 5, &opt, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "limit");
    ap_calendar_free(cal);
}

/* Many records across threads and chunks: the grouped counts equal a
 * plain loop, and two halves merged equal the whole. */
TEST(sla_merge)
{
    ap_calendar *cal = england();
    ap_error err;
    size_t n = (size_t)1 << 20;
    int64_t *start = malloc(n * sizeof *start), *end = malloc(n * sizeof *end);
    int64_t *keys = malloc(n * sizeof *keys);
    int64_t *elapsed = malloc(n * sizeof *elapsed);
    CHECK(start && end && keys && elapsed);
    srand(11);
    int64_t base = ymd(2021, 4, 1);
    for (size_t i = 0; i < n; i++) {
        start[i] = base + rand() % 365;
        end[i] = rand() % 10 == 0 ? AP_DATE_NAT : start[i] + rand() % 9;
        keys[i] = rand() % 150;
    }
    ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, AP_DATE_NAT};
    ap_sla_result whole, half;
    CHECK(ap_sla_measure(cal, start, end, keys, n, &opt, &whole, &err) ==
          AP_OK);
    CHECK_EQ_I64(whole.n_groups, 150);
    CHECK(ap_elapsed_working_days_many(cal, start, end, n,
                                       AP_ELAPSED_AFTER_START, -1, elapsed,
                                       &err) == AP_OK);
    int64_t within[150] = {0}, total[150] = {0};
    for (size_t i = 0; i < n; i++) {
        if (elapsed[i] < 0)
            continue;
        total[keys[i]]++;
        within[keys[i]] += elapsed[i] <= 3;
    }
    for (size_t g = 0; g < 150; g++) {
        CHECK_EQ_I64(whole.groups[g].key, (int64_t)g);
        CHECK_EQ_I64(whole.groups[g].within, within[g]);
        CHECK_EQ_I64(whole.groups[g].total, total[g]);
    }
    CHECK(ap_sla_measure(cal, start, end, keys, n / 3, &opt, &half, &err) ==
          AP_OK);
    ap_sla_result rest;
    CHECK(ap_sla_measure(cal, start + n / 3, end + n / 3, keys + n / 3,
                         n - n / 3, &opt, &rest, &err) == AP_OK);
    CHECK(ap_sla_result_merge(&half, &rest, &err) == AP_OK);
    CHECK_EQ_I64(half.n_groups, whole.n_groups);
    for (size_t g = 0; g < 150; g++) {
        const ap_sla_group *a = &half.groups[g], *b = &whole.groups[g];
        CHECK(a->key == b->key && a->records == b->records &&
              a->within == b->within && a->total == b->total &&
              a->open_pending == b->open_pending &&
              a->elapsed_sum == b->elapsed_sum &&
              a->elapsed_max == b->elapsed_max);
    }
    ap_sla_result_clear(&half);
    ap_sla_result_clear(&rest);
    ap_sla_result_clear(&whole);
    free(start);
    free(end);
    free(keys);
    free(elapsed);
    ap_calendar_free(cal);
}

TEST(rereferrals)
{
    ap_error err;
    /* Subject 1: 1 Mar 2021, 28 Feb 2022 (within 12 months), 1 Mar 2023
     * (a year and a day after: not).  Subject 2: two on the same day (the
     * second is a re-referral).  Subject 3: 29 Feb 2024 after 28 Feb 2023
     * (exactly 12 months, clamped: a re-referral). */
    int64_t subjects[] = {1, 2, 1, 1, 2, 3, 3};
    int64_t dates[] = {ymd(2021, 3, 1), ymd(2021, 5, 5), ymd(2022, 2, 28),
                       ymd(2023, 3, 1), ymd(2021, 5, 5), ymd(2024, 2, 29),
                       ymd(2023, 2, 28)};
    int64_t keys[] = {10, 10, 10, 20, 20, 20, 10};
    uint8_t flags[7];
    ap_rereferral_result r;
    CHECK(ap_rereferrals(subjects, dates, keys, 7, 12, flags, &r, &err) ==
          AP_OK);
    uint8_t expect[] = {0, 0, 1, 0, 1, 1, 0};
    for (int i = 0; i < 7; i++)
        CHECK_EQ_I64(flags[i], expect[i]);
    CHECK(r.n_groups == 2 && r.groups[0].key == 10 &&
          r.groups[0].records == 4 && r.groups[0].rereferrals == 1 &&
          r.groups[1].records == 3 && r.groups[1].rereferrals == 2);
    ap_rereferral_result_clear(&r);
    int64_t nat[] = {ymd(2021, 3, 1), AP_DATE_NAT};
    CHECK(ap_rereferrals(subjects, nat, NULL, 2, 12, NULL, &r, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 1");
    CHECK(ap_rereferrals(subjects, dates, NULL, 7, 0, NULL, &r, &err) ==
          AP_E_INPUT);
}

/* ---- the grouped kernel against the row-by-row rule -------------------- */

typedef struct keyed_row {
    int64_t key;
    size_t row;
} keyed_row;

static int cmp_keyed_row(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->row > y->row) - (x->row < y->row);
}

/* The groups of n records worked out the slow way: ap_sla_rows and
 * ap_elapsed_working_days_many row by row, then the rows sorted by key
 * and added up.  Returns the number of groups written to out. */
static size_t sla_reference(const ap_calendar *cal, const int64_t *start,
                            const int64_t *end, const int64_t *keys, size_t n,
                            const ap_sla_options *opt, ap_sla_group *out)
{
    ap_error err;
    int64_t *within = malloc(n * sizeof *within);
    int64_t *counted = malloc(n * sizeof *counted);
    int64_t *elapsed = malloc(n * sizeof *elapsed);
    keyed_row *order = malloc(n * sizeof *order);
    CHECK(within && counted && elapsed && order);
    CHECK(ap_sla_rows(cal, start, end, n, opt->limit, opt->convention,
                      opt->as_of, 0, within, counted, &err) == AP_OK);
    CHECK(ap_elapsed_working_days_many(cal, start, end, n, opt->convention,
                                       -1, elapsed, &err) == AP_OK);
    for (size_t i = 0; i < n; i++)
        order[i] = (keyed_row){keys ? keys[i] : 0, i};
    qsort(order, n, sizeof *order, cmp_keyed_row);
    size_t groups = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j].row;
        if (j == 0 || order[j].key != order[j - 1].key)
            out[groups++] = (ap_sla_group){order[j].key, 0, 0, 0, 0,
                                           0, 0, 0, -1};
        ap_sla_group *g = &out[groups - 1];
        int open = end[i] == AP_DATE_NAT;
        g->records++;
        g->within += within[i];
        g->total += counted[i];
        g->open_late += open && counted[i];
        g->open_pending += !counted[i];
        if (!open) {
            g->closed++;
            g->elapsed_sum += elapsed[i];
            if (elapsed[i] > g->elapsed_max)
                g->elapsed_max = elapsed[i];
        }
    }
    free(within);
    free(counted);
    free(elapsed);
    free(order);
    return groups;
}

static int same_group(const ap_sla_group *a, const ap_sla_group *b)
{
    return a->key == b->key && a->records == b->records &&
           a->within == b->within && a->total == b->total &&
           a->open_late == b->open_late &&
           a->open_pending == b->open_pending && a->closed == b->closed &&
           a->elapsed_sum == b->elapsed_sum &&
           a->elapsed_max == b->elapsed_max;
}

/* Keys in every layout the map meets (a few small keys; rising and
 * falling keys that widen it again and again until it turns into a hash
 * map; one far key in the middle of small ones; keys at both ends of
 * int64), open and closed records mixed, elapsed days below and past the
 * kernel's histogram, each convention and several limits, on one to
 * three threads and on every core: the same groups as the slow way. */
TEST(sla_measure_equals_rows_for_every_key_layout_and_thread_count)
{
    ap_calendar *cal = england();
    ap_error err;
    size_t n = 40000;
    int64_t *start = malloc(n * sizeof *start), *end = malloc(n * sizeof *end);
    int64_t *keys = malloc(n * sizeof *keys);
    ap_sla_group *want = malloc(n * sizeof *want);
    CHECK(start && end && keys && want);
    uint64_t x = 88172645463325252ull;
    int64_t base = ymd(2019, 12, 1);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        start[i] = base + (int64_t)(x % 700);
        /* Mostly under the kernel's histogram (23 working days), some
         * far past it. */
        end[i] = (x >> 20) % 8 == 0 ? AP_DATE_NAT
                 : (x >> 30) % 5 == 0 ? start[i] + (int64_t)((x >> 34) % 90)
                                      : start[i] + (int64_t)((x >> 24) % 15);
    }
    for (int layout = 0; layout < 7; layout++) {
        for (size_t i = 0; i < n; i++) {
            int64_t small = (int64_t)((i * 2654435761u) % 150);
            switch (layout) {
            case 0: keys[i] = small; break;
            case 1: keys[i] = (int64_t)i * 3; break;           /* rising */
            case 2: keys[i] = -(int64_t)i * 5; break;          /* falling */
            case 3: keys[i] = i == n / 2 + 7 ? (int64_t)1 << 40 : small;
                break;
            case 4: keys[i] = INT64_MIN + small; break;
            case 5: keys[i] = INT64_MAX - small; break;
            default: keys[i] = small % 2 ? INT64_MAX - small
                                         : INT64_MIN + small;
            }
        }
        for (int conv = 0; conv < AP_ELAPSED_COUNT; conv++) {
            /* Limits below, at and past the histogram's end. */
            const int64_t limits[] = {2, 30, 0, 5, 22, 23, 3};
            ap_sla_options opt = {limits[layout], (ap_elapsed)conv,
                                  layout % 2 ? AP_DATE_NAT
                                             : ymd(2021, 11, 30)};
            const int64_t *k = layout == 0 && conv == 1 ? NULL : keys;
            size_t groups = sla_reference(cal, start, end, k, n, &opt, want);
            /* Threads sharing the rows in pieces of 65,536 (one here)
             * and of 1,000 rows. */
            for (int piece = 0; piece <= 1000; piece += 1000)
                for (int threads = 0; threads <= 3; threads++) {
                    ap__sla_piece_rows((size_t)piece);
                    ap_sla_result r;
                    CHECK(ap_sla_measure_threads(cal, start, end, k, n,
                                                 &opt, threads, &r,
                                                 &err) == AP_OK);
                    CHECK_EQ_I64(r.n_groups, groups);
                    size_t same = 0;
                    for (size_t g = 0; g < groups && g < r.n_groups; g++)
                        same += same_group(&r.groups[g], &want[g]);
                    CHECK_EQ_I64(same, groups);
                    ap_sla_result_clear(&r);
                }
            ap__sla_piece_rows(0);
        }
    }
    /* The earliest bad row is named whichever thread meets it, after open
     * rows and keys that widened the map, in pieces of any size. */
    keys[n - 5] = (int64_t)1 << 50;
    end[n - 3] = start[n - 3] - 1;
    end[n / 2 + 11] = AP_DATE_NAT;
    start[n / 2 + 11] = ymd(2150, 1, 1);
    ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, AP_DATE_NAT};
    for (int piece = 0; piece <= 1000; piece += 250)
        for (int threads = 0; threads <= 3; threads++) {
            ap__sla_piece_rows((size_t)piece);
            ap_sla_result r;
            CHECK(ap_sla_measure_threads(cal, start, end, keys, n, &opt,
                                         threads, &r, &err) == AP_E_INPUT);
            CHECK_CONTAINS(err.message, "row 20011: start is 2150-01-01");
            CHECK(r.groups == NULL && r.n_groups == 0);
        }
    ap__sla_piece_rows(0);
    start[n / 2 + 11] = start[n / 2 + 10];
    ap_sla_result r;
    CHECK(ap_sla_measure_threads(cal, start, end, keys, n, &opt, 2, &r,
                                 &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "row 39997 ends");
    CHECK(ap_sla_measure_threads(cal, start, end, keys, n, &opt, -1, &r,
                                 &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads must be 0 (every core) or more");
    ap_calendar_free(cal);
    free(start);
    free(end);
    free(keys);
    free(want);
}

/* The grouped measure's block path (whole blocks of 64 closed records
 * checked at once, then counted with no test a row), on records that are
 * mostly what it takes: clean blocks; blocks with one open record, one
 * key past the map's range (which widens it), or one record of many
 * elapsed days; the calendar's first and last dates; keys that in the end
 * turn the map to hashing; no keys at all.  Its baseline and AVX2 builds,
 * each convention and limits around the histogram's end, on one to three
 * threads and every core: the same groups as the slow way. */
TEST(sla_measure_block_path_equals_rows)
{
    ap_calendar *cal = england();
    ap_error err;
    size_t n = 64 * 300 + 37;
    int64_t *start = malloc(n * sizeof *start), *end = malloc(n * sizeof *end);
    int64_t *keys = malloc(n * sizeof *keys);
    ap_sla_group *want = malloc(n * sizeof *want);
    CHECK(start && end && keys && want);
    uint64_t x = 0x2545F4914F6CDD1DULL;
    int64_t base = ymd(2019, 4, 1);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t block = i / 64, row = i % 64;
        start[i] = base + (int64_t)(x % 1800);
        end[i] = start[i] + (int64_t)((x >> 20) % 11);
        keys[i] = 40 + (int64_t)((x >> 40) % 150);
        if (block % 5 == 1 && row == (block * 7) % 64)
            end[i] = AP_DATE_NAT; /* one open record */
        if (block % 7 == 2 && row == (block * 11) % 64)
            keys[i] = 40 + 150 + (int64_t)block; /* past the map: widens */
        if (block % 3 == 0 && row % 16 == 5) /* past the histogram */
            end[i] = start[i] + 30 + (int64_t)((x >> 50) % 60);
        if (block % 50 == 7 && row == 3) { /* the calendar's ends */
            start[i] = ymd(1970, 1, 1);
            end[i] = ymd(1970, 1, 1) + (int64_t)(x % 40);
        }
        if (block % 50 == 8 && row == 60) {
            start[i] = ymd(2100, 12, 31) - (int64_t)(x % 40);
            end[i] = ymd(2100, 12, 31);
        }
    }
    for (int layout = 0; layout < 3; layout++) {
        /* 0: small keys; 1: a far key near the end turns the map to
         * hashing; 2: no keys. */
        if (layout == 1)
            keys[n - 100] = (int64_t)1 << 40;
        const int64_t *k = layout == 2 ? NULL : keys;
        for (int conv = 0; conv < AP_ELAPSED_COUNT; conv++) {
            const int64_t limits[] = {0, 3, 22, 23, 40};
            for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
                ap_sla_options opt = {limits[l], (ap_elapsed)conv,
                                      l % 2 ? ymd(2101, 1, 1) - 1
                                            : AP_DATE_NAT};
                size_t groups = sla_reference(cal, start, end, k, n, &opt,
                                              want);
                for (int baseline = 0; baseline <= 1; baseline++) {
                    ap__sla_baseline_only(baseline);
                    /* Threads sharing the rows in pieces of 65,536 (one
                     * here) and of 640 rows (ten blocks). */
                    ap__sla_piece_rows(baseline ? 640 : 0);
                    for (int threads = 0; threads <= 3; threads++) {
                        ap_sla_result r;
                        CHECK(ap_sla_measure_threads(cal, start, end, k, n,
                                                     &opt, threads, &r,
                                                     &err) == AP_OK);
                        CHECK_EQ_I64(r.n_groups, groups);
                        size_t same = 0;
                        for (size_t g = 0; g < groups && g < r.n_groups; g++)
                            same += same_group(&r.groups[g], &want[g]);
                        CHECK_EQ_I64(same, groups);
                        ap_sla_result_clear(&r);
                    }
                }
            }
        }
    }
    ap__sla_baseline_only(0);
    /* A bad row in the middle of blocks that are otherwise clean (the
     * first row of one, another's 14th, the last of the last) is named,
     * whichever build and thread meets it: a start outside the calendar,
     * an end before its start, a NaT start, an end past the calendar, and
     * both so far out (a start 2^62 days after 1970, an end 2^63 - 2^61
     * before it) that only the end's own difference tells the block so. */
    ap_sla_options opt = {3, AP_ELAPSED_AFTER_START, AP_DATE_NAT};
    const size_t bad_rows[] = {64 * 43, 64 * 40 + 13, 64 * 299 + 63};
    const char *why[] = {": start is 1969-12-31", " ends (", ": start is NaT",
                         ": end is 2101-01-01", ": start is "};
    for (int fault = 0; fault < 5; fault++)
        for (size_t b = 0; b < sizeof bad_rows / sizeof bad_rows[0]; b++) {
            size_t row = bad_rows[b];
            int64_t s0 = start[row], e0 = end[row];
            if (fault == 0)
                start[row] = ymd(1969, 12, 31);
            else if (fault == 1)
                end[row] = start[row] - 1;
            else if (fault == 2)
                start[row] = AP_DATE_NAT;
            else if (fault == 3)
                end[row] = ymd(2101, 1, 1);
            else {
                start[row] = ymd(1970, 1, 1) + ((int64_t)1 << 62);
                end[row] = INT64_MIN + ((int64_t)1 << 61) + ymd(1970, 1, 1);
            }
            char want_row[64];
            snprintf(want_row, sizeof want_row, "row %zu%s", row, why[fault]);
            for (int baseline = 0; baseline <= 1; baseline++) {
                ap__sla_baseline_only(baseline);
                ap__sla_piece_rows(baseline ? 640 : 0);
                for (int threads = 0; threads <= 3; threads++) {
                    ap_sla_result r;
                    CHECK(ap_sla_measure_threads(cal, start, end, keys, n,
                                                 &opt, threads, &r,
                                                 &err) == AP_E_INPUT);
                    CHECK_CONTAINS(err.message, want_row);
                    CHECK(r.groups == NULL && r.n_groups == 0);
                }
            }
            start[row] = s0;
            end[row] = e0;
        }
    ap__sla_baseline_only(0);
    ap__sla_piece_rows(0);
    ap_calendar_free(cal);
    free(start);
    free(end);
    free(keys);
    free(want);
}
