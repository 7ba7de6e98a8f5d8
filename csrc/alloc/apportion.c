/* Apportionment of whole pence by exact integer weights.
 *
 * Each party first takes the floor of its exact share total * w / W, which
 * leaves fewer pennies than there are parties with a fractional part; the
 * mode decides which of those parties receive one more.  All arithmetic is
 * on the magnitude of the total in 128 bits, so a negative total is the
 * exact mirror of the positive one and INT64_MIN needs no special case. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "base/base.h"
#include "alloc/alloc_internal.h"
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

/* Two parties, the common case.  Party 0's exact share is |t| * a / W with
 * remainder r; party 1's remainder is W - r, so the one leftover penny
 * (there is one exactly when r != 0) goes to party 0 when 2r >= W in
 * largest-remainder mode, always in first-come mode, and when a >= b in
 * largest-ratio mode.  Reducing a and b by their common divisor changes
 * none of these choices (r and W scale alike). */
typedef struct pair_basis {
    uint64_t a, w;        /* party 0's weight and the sum, reduced */
    ap_apportion_mode mode;
    int first_wins_ratio; /* largest ratio: party 0 takes the penny */
    int fast;             /* the float path below is usable at all */
    int stream;           /* its blocks go out with non-temporal stores */
    uint64_t limit;       /* the float path takes |t| <= limit */
    size_t (*blocks)(const struct pair_basis *restrict, const int64_t *restrict,
                     size_t, int64_t *restrict); /* pair_blocks_... */
    double a_d, w_d, inverse, threshold;
} pair_basis;

static uint64_t gcd_u64(uint64_t x, uint64_t y)
{
    while (y != 0) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return x;
}

/* 2^52 + 2^51: adding it to a double of magnitude below 2^51 rounds it to
 * the nearest integer and leaves that integer, in two's complement, in the
 * low 52 bits of its representation; its bits are the converse. */
#define MAGIC_D 6755399441055744.0
#define MAGIC_BITS UINT64_C(0x4338000000000000)
/* The float path's bound: W and |t| * a below 2^52, |t| below 2^51. */
#define TWO_52 UINT64_C(0x10000000000000)

static inline double bits_to_double(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint64_t double_to_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void pair_basis_init(const int64_t *weights, ap_apportion_mode mode,
                            pair_basis *pb)
{
    uint64_t a = (uint64_t)weights[0], b = (uint64_t)weights[1];
    uint64_t g = gcd_u64(a, b); /* > 0: not both weights are zero */
    a /= g;
    b /= g;
    pb->a = a;
    pb->w = a + b; /* each at most INT64_MAX, so the sum fits */
    pb->mode = mode;
    pb->first_wins_ratio = weights[0] >= weights[1];
    /* a == 0 leaves nothing to compute (party 1 takes everything) and is
     * done exactly below; W < 2^52 makes every product of the float path
     * exact. */
    pb->fast = a != 0 && pb->w < TWO_52;
    if (!pb->fast)
        return;
    pb->a_d = (double)a;
    pb->w_d = (double)pb->w;
    pb->inverse = 1.0 / pb->w_d;
    /* The remainder r (an integer in [0, W)) earns party 0 the penny when
     * r >= threshold. */
    if (mode == AP_LARGEST_REMAINDER)
        pb->threshold = 0.5 * pb->w_d; /* 2r >= W, exactly */
    else if (mode == AP_FIRST_COME || pb->first_wins_ratio)
        pb->threshold = 1.0; /* r != 0 */
    else
        pb->threshold = 2.0 * pb->w_d; /* never */
    uint64_t limit = (TWO_52 - 1) / a;
    if (limit > (TWO_52 >> 1) - 1)
        limit = (TWO_52 >> 1) - 1;
    pb->limit = limit;
}

/* One total exactly, on 128-bit integers: the fallback of the float path,
 * for totals too large for it and for bases it cannot take. */
static void pair_exact(const pair_basis *pb, int64_t t, int64_t *out)
{
    int negative = t < 0;
    uint64_t mag = negative ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    ap__u128 p = (ap__u128)mag * pb->a;
    ap__u128 q = p / pb->w;
    ap__u128 r = p - q * pb->w;
    int extra = 0;
    if (r != 0) {
        if (pb->mode == AP_LARGEST_REMAINDER)
            extra = 2 * r >= pb->w;
        else if (pb->mode == AP_FIRST_COME)
            extra = 1;
        else
            extra = pb->first_wins_ratio;
    }
    uint64_t s0 = (uint64_t)q + (uint64_t)extra;
    out[0] = signed_share(s0, negative);
    out[1] = signed_share(mag - s0, negative);
}

/* Rows per block of the float path: a whole number of vectors, so that the
 * compiler's cheapest vectorisation (GCC's at -O2) takes the loop whole. */
#define PAIR_BLOCK 64

/* The float path on the whole blocks of n totals, defined (as `name`) once
 * per instruction set: every value is an integer below 2^53 held exactly in
 * a double, the quotient's estimate e = round(p / W) is within one of
 * floor(p / W), and the sign of the exact remainder p - e * W says which.
 * The choices are made on sign bits, as integers, so that the compiler has
 * no float operation to make conditional (which it will not do, as it could
 * trap) and vectorises the block's loop whole.  A block with a total
 * outside the path's bounds is redone exactly.  Returns the rows done (n
 * rounded down to whole blocks). */
#define DEFINE_PAIR_BLOCKS(name, target)                                      \
    target static size_t name(const pair_basis *restrict pb,                 \
                              const int64_t *restrict totals, size_t n,      \
                              int64_t *restrict shares)                      \
    {                                                                         \
        const double a = pb->a_d, w = pb->w_d, inverse = pb->inverse;         \
        const double threshold = pb->threshold;                               \
        const uint64_t w_bits = double_to_bits(w);                            \
        const uint64_t limit = pb->limit, span = 2 * pb->limit;               \
        const int stream =                                                    \
            pb->stream &&                                                     \
            (uintptr_t)(void *)shares % AP__PLAT_STREAM_ALIGN == 0;           \
        int64_t block[2 * PAIR_BLOCK];                                        \
        size_t k = 0;                                                         \
        for (; k + PAIR_BLOCK <= n; k += PAIR_BLOCK) {                        \
            const int64_t *restrict in = totals + k;                          \
            int64_t *restrict out = stream ? block : shares + 2 * k;          \
            uint64_t outside = 0;                                             \
            for (int i = 0; i < PAIR_BLOCK; i++) {                            \
                uint64_t total = (uint64_t)in[i];                             \
                /* -limit <= total <= limit on unsigned integers: shifted   \
                 * is at most span < 2^63, else it or span - shifted has    \
                 * its top bit set. */                                        \
                uint64_t shifted = total + limit;                             \
                outside |= ((span - shifted) | shifted) >> 63;                \
                double t = bits_to_double(total + MAGIC_BITS) - MAGIC_D;      \
                double p = fabs(t) * a;                                       \
                double rounded = p * inverse + MAGIC_D;                       \
                double r = p - (rounded - MAGIC_D) * w;                       \
                uint64_t low = double_to_bits(r) >> 63; /* e one too many */  \
                r += bits_to_double(w_bits & ((uint64_t)0 - low));            \
                uint64_t extra = 1 - (double_to_bits(r - threshold) >> 63);   \
                uint64_t s0 =                                                 \
                    double_to_bits(rounded) - MAGIC_BITS - low + extra;       \
                uint64_t negative = (uint64_t)0 - (double_to_bits(t) >> 63);  \
                s0 = (s0 ^ negative) - negative;                              \
                out[2 * i] = (int64_t)s0;                                     \
                out[2 * i + 1] = (int64_t)(total - s0);                       \
            }                                                                 \
            if (outside != 0)                                                 \
                for (size_t j = 0; j < PAIR_BLOCK; j++)                       \
                    pair_exact(pb, in[j], out + 2 * j);                       \
            if (stream)                                                       \
                ap__plat_stream_copy(shares + 2 * k, block, sizeof block);    \
        }                                                                     \
        if (stream)                                                           \
            ap__plat_stream_fence();                                          \
        return k;                                                             \
    }

DEFINE_PAIR_BLOCKS(pair_blocks_baseline, )
#if AP__PLAT_AVX2_CLONES
DEFINE_PAIR_BLOCKS(pair_blocks_avx2, AP__PLAT_TARGET_AVX2)
#endif

typedef size_t (*pair_blocks_fn)(const pair_basis *restrict pb,
                                 const int64_t *restrict totals, size_t n,
                                 int64_t *restrict shares);

/* An output of this many totals (16 bytes each: 32 MB) or more streams
 * out; a smaller one is stored through the caches, where the caller finds
 * it next.  Timed on a 2-core Xeon writing into memory it had written
 * before: streaming lost up to 1M totals (by 14-35%), drew level at 2M and
 * won from 4M (by 22% at 4M, 17% at 10M, on one thread). */
#define PAIR_STREAM_MIN_ROWS ((size_t)1 << 21)

/* Which instruction set the float path uses: the best this CPU has, unless
 * a test asks for the baseline (ap__apportion_baseline_only). */
static int baseline_only = 0;

void ap__apportion_baseline_only(int on)
{
    baseline_only = on;
}

/* From how many totals the float path streams its blocks out
 * (ap__plat_stream_copy) rather than storing them through the caches. */
static size_t stream_min_rows = PAIR_STREAM_MIN_ROWS;

void ap__apportion_stream_min_rows(size_t rows)
{
    stream_min_rows = rows == 0 ? PAIR_STREAM_MIN_ROWS : rows;
}

static pair_blocks_fn pair_blocks_choice(void)
{
#if AP__PLAT_AVX2_CLONES
    if (!baseline_only && ap__plat_cpu_has_avx2())
        return pair_blocks_avx2;
#endif
    return pair_blocks_baseline;
}

static void apportion_pairs(const int64_t *totals, size_t n_totals,
                            const pair_basis *pb, int64_t *shares)
{
    size_t k = pb->fast ? pb->blocks(pb, totals, n_totals, shares) : 0;
    for (; k < n_totals; k++)
        pair_exact(pb, totals[k], shares + 2 * k);
}

/* Rows are independent, so large arrays are split between threads; the
 * result is the same whichever thread computes a row. */
#define PARALLEL_MIN_ROWS ((size_t)1 << 18)

typedef struct pairs_job {
    const int64_t *totals;
    const pair_basis *basis;
    int64_t *shares;
} pairs_job;

static void pairs_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    (void)chunk;
    pairs_job *job = ctx;
    apportion_pairs(job->totals + from, to - from, job->basis,
                    job->shares + 2 * from);
}

static void apportion_pairs_parallel(const int64_t *totals, size_t n_totals,
                                     const int64_t *weights,
                                     ap_apportion_mode mode, size_t chunks,
                                     ap_store_mode stores, int64_t *shares)
{
    pair_basis basis;
    pair_basis_init(weights, mode, &basis);
    basis.blocks = pair_blocks_choice();
    basis.stream = stores == AP_STORE_AUTO && n_totals >= stream_min_rows;
    pairs_job job = {totals, &basis, shares};
    ap__parallel_run(n_totals, chunks, pairs_chunk, &job);
}

ap_status ap_apportion_many(const int64_t *totals, size_t n_totals,
                            const int64_t *weights, size_t n_parties,
                            ap_apportion_mode mode, int64_t *shares,
                            ap_error *err)
{
    return ap_apportion_many_threads(totals, n_totals, weights, n_parties,
                                     mode, 0, shares, err);
}

ap_status ap_apportion_many_threads(const int64_t *totals, size_t n_totals,
                                    const int64_t *weights, size_t n_parties,
                                    ap_apportion_mode mode, int threads,
                                    int64_t *shares, ap_error *err)
{
    return ap_apportion_many_stores(totals, n_totals, weights, n_parties,
                                    mode, threads, AP_STORE_AUTO, shares,
                                    err);
}

ap_status ap_apportion_many_stores(const int64_t *totals, size_t n_totals,
                                   const int64_t *weights, size_t n_parties,
                                   ap_apportion_mode mode, int threads,
                                   ap_store_mode stores, int64_t *shares,
                                   ap_error *err)
{
    ap__u128 weight_sum = 0;
    ap_status st = check_inputs(weights, n_parties, mode, &weight_sum, err);
    if (st == AP_OK)
        st = ap__check_threads(threads, err);
    if (st == AP_OK && stores != AP_STORE_AUTO && stores != AP_STORE_CACHED)
        st = ap_error_set(err, AP_E_INPUT,
                          "unknown store mode %d; expected AP_STORE_AUTO (0) "
                          "or AP_STORE_CACHED (1)",
                          (int)stores);
    if (st != AP_OK || n_totals == 0)
        return st;
    if (n_parties == 2) {
        apportion_pairs_parallel(
            totals, n_totals, weights, mode,
            ap__batch_chunks(threads, n_totals, PARALLEL_MIN_ROWS), stores,
            shares);
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
