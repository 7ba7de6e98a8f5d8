/* Percentiles of pence, column by column, as numpy.percentile(method=
 * "linear") followed by a round half to even: the figures a run's
 * summary prints, equal however the run was split or threaded because
 * they depend only on the multiset of values in a column.
 *
 * Columns are copied into scratch, up to GROUP of them in one pass over
 * the rows (so a wide row-major array is read once per group, not once
 * per column), and only the order statistics the percentiles need are
 * put in place (a multi-rank quickselect with a three-way partition,
 * since money columns hold many equal values such as zero-demand years);
 * many percentiles sort the column instead. */
#include <stdlib.h>
#include <string.h>

#include "apportion/scenario.h"
#include "base/base.h"

/* Ranges this short are finished by insertion sort. */
#define SMALL_RANGE 16
/* More distinct ranks than this (4 KB of them on the stack) and the
 * column is sorted outright. */
#define MAX_SELECT_RANKS 512
/* Columns copied out together in one pass over the rows. */
#define GROUP 8

static int compare_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

static void insertion_sort(int64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static int64_t median_of_three(int64_t x, int64_t y, int64_t z)
{
    if (x > y) {
        int64_t t = x;
        x = y;
        y = t;
    }
    /* now x <= y */
    return z <= x ? x : z >= y ? y : z;
}

/* Puts a[r] where a sort would for every r in ranks[0..n_ranks)
 * (ascending, all within [lo, hi)), or for every r when ranks is NULL.
 * After `depth` partitions of one range the rest is sorted by qsort, so
 * an adversarial column cannot make it quadratic. */
static void select_ranks(int64_t *a, size_t lo, size_t hi,
                         const size_t *ranks, size_t n_ranks, int depth)
{
    while (hi - lo > SMALL_RANGE) {
        if (ranks != NULL && n_ranks == 0)
            return;
        if (depth-- <= 0) {
            qsort(a + lo, hi - lo, sizeof *a, compare_i64);
            return;
        }
        int64_t pivot =
            median_of_three(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        /* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            int64_t v = a[i];
            if (v < pivot) {
                a[i++] = a[lt];
                a[lt++] = v;
            } else if (v > pivot) {
                a[i] = a[--gt];
                a[gt] = v;
            } else {
                i++;
            }
        }
        /* The ranks in [lt, gt) are in place; those below go left, those
         * from gt right. */
        const size_t *right_ranks = NULL;
        size_t n_left = 0, n_right = 0;
        if (ranks != NULL) {
            while (n_left < n_ranks && ranks[n_left] < lt)
                n_left++;
            size_t skip = n_left;
            while (skip < n_ranks && ranks[skip] < gt)
                skip++;
            right_ranks = ranks + skip;
            n_right = n_ranks - skip;
        }
        /* Recurse on the left, loop on the right. */
        select_ranks(a, lo, lt, ranks, n_left, depth);
        lo = gt;
        ranks = right_ranks;
        n_ranks = n_right;
    }
    if (ranks == NULL || n_ranks > 0)
        insertion_sort(a + lo, hi - lo);
}

/* a + (b - a) * g rounded half to even, exactly, for 0 < g < 1 and
 * a < b: g is m * 2^-s for whole m < 2^53, and (b - a) * m < 2^117. */
static int64_t exact_lerp(int64_t a, int64_t b, double g)
{
    uint64_t bits;
    memcpy(&bits, &g, sizeof bits);
    unsigned exponent = (unsigned)(bits >> 52) & 0x7ffu;
    uint64_t m = bits & (((uint64_t)1 << 52) - 1);
    unsigned s;
    if (exponent != 0) {
        m |= (uint64_t)1 << 52;
        s = 1075u - exponent;
    } else {
        s = 1074u;
    }
    ap__u128 d = (ap__u128)((ap__i128)b - (ap__i128)a);
    ap__u128 p = d * m;
    if (s >= 118) /* p / 2^s < 1/2 */
        return a;
    ap__u128 q = p >> s;
    ap__u128 r = p & (((ap__u128)1 << s) - 1);
    ap__u128 half = (ap__u128)1 << (s - 1);
    ap__i128 v = (ap__i128)a + (ap__i128)q;
    if (r > half || (r == half && (v & 1) != 0))
        v++;
    return (int64_t)v;
}

/* The percentile between the order statistics a <= b at fraction g of
 * the way. */
static int64_t interpolate(int64_t a, int64_t b, double g)
{
    if (g == 0.0 || a == b)
        return a;
    const int64_t limit = (int64_t)1 << 53;
    if (a >= -limit && b <= limit) {
        /* numpy's _lerp, operation for operation: its doubles hold both
         * values exactly here, so this is numpy's number. */
        double diff = (double)(b - a);
        double v = g < 0.5 ? (double)a + diff * g
                           : (double)b - diff * (1.0 - g);
        /* v is within [a, b], so it rounds to an int64. */
        int64_t whole = a;
        ap__round_half_even(v, &whole);
        return whole;
    }
    /* Beyond 2^53 numpy's doubles would lose pennies: exact instead. */
    return exact_lerp(a, b, g);
}

/* Rank h of percent q among n values as numpy computes it, (n - 1) *
 * (q / 100) in double; *lo = floor(h) and *g = h - floor(h), or the last
 * rank with g = 0 when h reaches it. */
static void rank_of(double q, size_t n, size_t *lo, double *g)
{
    double h = (double)(n - 1) * (q / 100.0);
    if (h >= (double)(n - 1)) {
        *lo = n - 1;
        *g = 0.0;
        return;
    }
    *lo = (size_t)h;
    *g = h - (double)*lo;
}

static int compare_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

ap_status ap_percentiles_i64(const int64_t *values, size_t n_rows,
                             size_t n_columns, const double *q, size_t n_q,
                             int64_t *out, ap_error *err)
{
    if (n_rows == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "no rows: a percentile needs at least one value");
    if (n_q > 0 && q == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no percents given for %zu percentiles", n_q);
    for (size_t k = 0; k < n_q; k++)
        if (!(q[k] >= 0.0 && q[k] <= 100.0))
            return ap_error_set(err, AP_E_INPUT,
                                "q[%zu] is %.17g; expected a percent from 0 "
                                "to 100",
                                k, q[k]);
    if (n_columns == 0 || n_q == 0)
        return AP_OK;
    if (values == NULL || out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "no values, or no room for the percentiles, of "
                            "%zu columns",
                            n_columns);
    if (n_rows > SIZE_MAX / sizeof(int64_t))
        return ap_error_set(err, AP_E_NOMEM,
                            "%zu rows are beyond the address space", n_rows);

    /* The ranks every percentile reads, distinct and ascending; NULL (a
     * full sort) when there are too many to select one by one. */
    size_t rank_store[MAX_SELECT_RANKS];
    const size_t *ranks = NULL;
    size_t n_ranks = 0;
    if (n_q <= MAX_SELECT_RANKS / 2) {
        for (size_t k = 0; k < n_q; k++) {
            size_t lo;
            double g;
            rank_of(q[k], n_rows, &lo, &g);
            rank_store[n_ranks++] = lo;
            if (g != 0.0)
                rank_store[n_ranks++] = lo + 1;
        }
        qsort(rank_store, n_ranks, sizeof *rank_store, compare_size);
        size_t kept = 0;
        for (size_t i = 0; i < n_ranks; i++)
            if (kept == 0 || rank_store[kept - 1] != rank_store[i])
                rank_store[kept++] = rank_store[i];
        n_ranks = kept;
        ranks = rank_store;
    }
    int depth = 2;
    for (size_t n = n_rows; n > 1; n >>= 1)
        depth += 2;

    /* Columns are copied out GROUP at a time in one pass over the rows
     * (a row's values are adjacent: one pass reads every column of the
     * group, where a column at a time would read the whole array once per
     * column); with too little memory for a group, one at a time. */
    size_t group = n_columns < GROUP ? n_columns : GROUP;
    int64_t *scratch = NULL;
    if (group > 1 && n_rows <= SIZE_MAX / sizeof(int64_t) / group)
        scratch = malloc(group * n_rows * sizeof *scratch);
    if (scratch == NULL) {
        group = 1;
        scratch = malloc(n_rows * sizeof *scratch);
    }
    if (scratch == NULL)
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for the %zu values of a column",
                            n_rows);
    for (size_t c0 = 0; c0 < n_columns; c0 += group) {
        size_t width = n_columns - c0 < group ? n_columns - c0 : group;
        for (size_t r = 0; r < n_rows; r++) {
            const int64_t *row = values + r * n_columns + c0;
            for (size_t j = 0; j < width; j++)
                scratch[j * n_rows + r] = row[j];
        }
        for (size_t j = 0; j < width; j++) {
            int64_t *column = scratch + j * n_rows;
            size_t c = c0 + j;
            select_ranks(column, 0, n_rows, ranks, n_ranks, depth);
            for (size_t k = 0; k < n_q; k++) {
                size_t lo;
                double g;
                rank_of(q[k], n_rows, &lo, &g);
                int64_t a = column[lo];
                int64_t b = g != 0.0 ? column[lo + 1] : a;
                out[k * n_columns + c] = interpolate(a, b, g);
            }
        }
    }
    free(scratch);
    return AP_OK;
}
