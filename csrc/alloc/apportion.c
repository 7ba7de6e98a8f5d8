/* Apportionment of whole pence by exact integer weights.
 *
 * Each party first takes the floor of its exact share total * w / W, which
 * leaves fewer pennies than there are parties with a fractional part; the
 * mode decides which of those parties receive one more.  All arithmetic is
 * on the magnitude of the total in 128 bits, so a negative total is the
 * exact mirror of the positive one and INT64_MIN needs no special case. */
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "base/parallel.h"
#include "platform/platform.h"

AP__NAMES(ap_apportion_mode, ap_apportion_mode_name, mode_names,
          AP_APPORTION_MODE_COUNT, AP_APPORTION_MODE_MAP, AP__NAME_TEXT,
          "unknown")

ap_status ap_apportion_mode_parse(const char *name, ap_apportion_mode *out,
                                  ap_error *err)
{
    for (int i = 0; i < AP_APPORTION_MODE_COUNT; i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (ap_apportion_mode)i;
            return AP_OK;
        }
    }
    return ap_error_set(err, AP_E_INPUT,
                        "unknown apportionment mode \"%s\"; expected "
                        "largest_remainder, first_come or largest_ratio",
                        name);
}

/* A party whose exact share has a fractional part: a candidate for one of
 * the pennies left over. */
typedef struct slot {
    ap__u128 remainder; /* fractional part, in units of 1/W */
    int64_t weight;
    size_t index;
} slot;

static int by_remainder(const void *pa, const void *pb)
{
    const slot *a = pa, *b = pb;
    if (a->remainder != b->remainder)
        return a->remainder > b->remainder ? -1 : 1;
    return a->index < b->index ? -1 : 1;
}

static int by_weight(const void *pa, const void *pb)
{
    const slot *a = pa, *b = pb;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return a->index < b->index ? -1 : 1;
}

/* What every entry point checks first: the weights (their sum into *sum),
 * then the mode. */
static ap_status check_inputs(const int64_t *weights, size_t n,
                              ap_apportion_mode mode, ap__u128 *sum,
                              ap_error *err)
{
    if (n == 0 || weights == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no weights given; apportionment needs at least "
                            "one party");
    ap__u128 total = 0;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0)
            return ap_error_set(err, AP_E_INPUT,
                                "weights[%zu] is negative (%lld); weights "
                                "must be zero or more",
                                i, (long long)weights[i]);
        total += (ap__u128)weights[i];
    }
    if (total == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "all %zu weights are zero; at least one must be "
                            "positive",
                            n);
    if ((int)mode < 0 || mode >= AP_APPORTION_MODE_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown apportionment mode %d",
                            (int)mode);
    *sum = total;
    return AP_OK;
}

static inline int64_t signed_share(ap__u128 magnitude, int negative)
{
    return negative ? (int64_t)(-(ap__i128)magnitude) : (int64_t)magnitude;
}

/* The general kernel; slots has room for n entries. */
static void apportion_with(int64_t total, const int64_t *weights, size_t n,
                           ap__u128 weight_sum, ap_apportion_mode mode,
                           int64_t *shares, slot *slots)
{
    int negative = total < 0;
    ap__u128 magnitude =
        negative ? (ap__u128)(-(ap__i128)total) : (ap__u128)total;
    ap__u128 given = 0;
    size_t candidates = 0;
    for (size_t i = 0; i < n; i++) {
        ap__u128 product = magnitude * (ap__u128)weights[i];
        ap__u128 q = product / weight_sum;
        ap__u128 r = product - q * weight_sum;
        given += q;
        shares[i] = signed_share(q, negative);
        if (r != 0) {
            slots[candidates].remainder = r;
            slots[candidates].weight = weights[i];
            slots[candidates].index = i;
            candidates++;
        }
    }
    size_t left = (size_t)(magnitude - given); /* < candidates */
    if (left == 0)
        return;
    if (mode == AP_LARGEST_REMAINDER)
        qsort(slots, candidates, sizeof *slots, by_remainder);
    else if (mode == AP_LARGEST_RATIO)
        qsort(slots, candidates, sizeof *slots, by_weight);
    /* AP_FIRST_COME: slots are already in party order. */
    for (size_t k = 0; k < left; k++)
        shares[slots[k].index] += negative ? -1 : 1;
}

ap_status ap_apportion(int64_t total, const int64_t *weights, size_t n,
                       ap_apportion_mode mode, int64_t *shares, ap_error *err)
{
    ap__u128 weight_sum = 0;
    ap_status st = check_inputs(weights, n, mode, &weight_sum, err);
    if (st != AP_OK)
        return st;
    slot small[8];
    slot *slots = small;
    if (n > 8) {
        slots = malloc(n * sizeof *slots);
        if (slots == NULL)
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory apportioning between %zu "
                                "parties",
                                n);
    }
    apportion_with(total, weights, n, weight_sum, mode, shares, slots);
    if (slots != small)
        free(slots);
    return AP_OK;
}

/* Two parties, the common case, with one division or none per total.
 * Party 0's exact share is |t| * a / W with remainder r; party 1's
 * remainder is W - r, so the one leftover penny (there is one exactly when
 * r != 0) goes to party 0 when 2r >= W in largest-remainder mode. */
static void apportion_pairs(const int64_t *totals, size_t n_totals,
                            const int64_t *weights, ap_apportion_mode mode,
                            int64_t *shares)
{
    const uint64_t a = (uint64_t)weights[0];
    const ap__u128 wide_sum = (ap__u128)weights[0] + (ap__u128)weights[1];
    const int narrow = wide_sum <= (ap__u128)INT64_MAX;
    const uint64_t sum = narrow ? (uint64_t)wide_sum : 0;
    /* |t| * a is exact in a double and below 2^53 when |t| <= limit53, and
     * then a multiply by 1/W estimates the quotient within one. */
    const uint64_t limit53 = (narrow && a != 0) ? ((uint64_t)1 << 53) / a : 0;
    const double inverse = narrow ? 1.0 / (double)sum : 0.0;
    const int first_wins_ratio = weights[0] >= weights[1];

    for (size_t k = 0; k < n_totals; k++) {
        int64_t t = totals[k];
        int negative = t < 0;
        uint64_t mag = negative ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
        uint64_t q;
        ap__u128 r, w;
        if (a == 0) {
            q = 0;
            r = 0;
            w = 1;
        } else if (narrow && mag <= limit53) {
            /* Signed conversions: p < 2^53, and int64 <-> double is one
             * instruction where uint64 is not. */
            int64_t p = (int64_t)(mag * a);
            int64_t s = (int64_t)sum;
            int64_t est = (int64_t)((double)p * inverse);
            int64_t rem = p - est * s;
            /* The estimate is within one of the quotient either way. */
            est -= rem < 0;
            rem += rem < 0 ? s : 0;
            est += rem >= s;
            rem -= rem >= s ? s : 0;
            q = (uint64_t)est;
            r = (ap__u128)rem;
            w = sum;
        } else {
            ap__u128 p = (ap__u128)mag * a;
            ap__u128 q128 = p / wide_sum;
            q = (uint64_t)q128;
            r = p - q128 * wide_sum;
            w = wide_sum;
        }
        int extra = 0;
        if (r != 0) {
            if (mode == AP_LARGEST_REMAINDER)
                extra = 2 * r >= w;
            else if (mode == AP_FIRST_COME)
                extra = 1;
            else
                extra = first_wins_ratio;
        }
        uint64_t s0 = q + (uint64_t)extra;
        shares[2 * k] = signed_share(s0, negative);
        shares[2 * k + 1] = signed_share(mag - s0, negative);
    }
}

/* Rows are independent, so large arrays are split between threads; the
 * result is the same whichever thread computes a row. */
#define PARALLEL_MIN_ROWS ((size_t)1 << 18)

typedef struct pairs_job {
    const int64_t *totals;
    const int64_t *weights;
    ap_apportion_mode mode;
    int64_t *shares;
} pairs_job;

static void pairs_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    (void)chunk;
    pairs_job *job = ctx;
    apportion_pairs(job->totals + from, to - from, job->weights, job->mode,
                    job->shares + 2 * from);
}

static void apportion_pairs_parallel(const int64_t *totals, size_t n_totals,
                                     const int64_t *weights,
                                     ap_apportion_mode mode, int64_t *shares)
{
    pairs_job job = {totals, weights, mode, shares};
    ap__parallel_run(n_totals,
                     ap__parallel_chunks(n_totals, PARALLEL_MIN_ROWS),
                     pairs_chunk, &job);
}

ap_status ap_apportion_many(const int64_t *totals, size_t n_totals,
                            const int64_t *weights, size_t n_parties,
                            ap_apportion_mode mode, int64_t *shares,
                            ap_error *err)
{
    ap__u128 weight_sum = 0;
    ap_status st = check_inputs(weights, n_parties, mode, &weight_sum, err);
    if (st != AP_OK)
        return st;
    if (n_parties == 2) {
        apportion_pairs_parallel(totals, n_totals, weights, mode, shares);
        return AP_OK;
    }
    slot *slots = malloc(n_parties * sizeof *slots);
    if (slots == NULL)
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory apportioning between %zu parties",
                            n_parties);
    for (size_t k = 0; k < n_totals; k++)
        apportion_with(totals[k], weights, n_parties, weight_sum, mode,
                       shares + k * n_parties, slots);
    free(slots);
    return AP_OK;
}

ap_status ap_apportion_lines(const int64_t *line_totals, size_t n_lines,
                             const int64_t *weights, size_t n_parties,
                             ap_apportion_mode mode, int64_t *cells,
                             ap_error *err)
{
    ap__u128 weight_sum = 0;
    ap_status st = check_inputs(weights, n_parties, mode, &weight_sum, err);
    if (st != AP_OK)
        return st;
    int64_t *previous = calloc(n_parties, sizeof *previous);
    slot *slots = malloc(n_parties * sizeof *slots);
    if (previous == NULL || slots == NULL) {
        free(previous);
        free(slots);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory apportioning %zu lines", n_lines);
    }
    int64_t running = 0;
    st = AP_OK;
    for (size_t j = 0; j < n_lines && st == AP_OK; j++) {
        if (ap__add_overflow_i64(running, line_totals[j], &running)) {
            st = ap_error_set(err, AP_E_OVERFLOW,
                              "the running total overflows 64 bits at line "
                              "%zu",
                              j);
            break;
        }
        int64_t *row = cells + j * n_parties;
        apportion_with(running, weights, n_parties, weight_sum, mode, row,
                       slots);
        for (size_t i = 0; i < n_parties; i++) {
            int64_t cumulative = row[i];
            if (ap__sub_overflow_i64(cumulative, previous[i], &row[i])) {
                st = ap_error_set(err, AP_E_OVERFLOW,
                                  "line %zu's share for party %zu overflows "
                                  "64 bits",
                                  j, i);
                break;
            }
            previous[i] = cumulative;
        }
    }
    free(previous);
    free(slots);
    return st;
}
