/* Ledgers: lines of (cost centre, period, amount) summed by centre and
 * period in one pass over the lines, and apportioned centre by centre.
 *
 * The sum is the hot loop.  Each thread adds its contiguous chunk of lines
 * into private tables of n_centres x n_periods cells, checking every code
 * (vectorised, a block of lines at a time) and guarding every add against
 * overflow without a test a line: a block's amounts are bounded as a
 * whole, and go into a table whose cells cannot overflow with plain adds
 * (see "the sum" below).  The tables are merged at the end in 128-bit
 * arithmetic.  A chunk whose checked 64-bit sums wrapped on the way is
 * added again in 128 bits, so an error is reported exactly when a true
 * total is beyond int64, whatever the order of the lines or the number of
 * threads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/calendar.h"
#include "apportion/ledger.h"
#include "base/base.h"
#include "base/parallel.h"
#include "platform/platform.h"

/* Fewer lines than this per thread and starting the thread costs more
 * than it saves. */
#define LEDGER_MIN_LINES_PER_CHUNK ((size_t)1 << 16)

/* Dates further than this from 1970 (about 8,000 years) are printed as a
 * day count: the civil-date conversion is not meant for them. */
#define LEDGER_DATE_LIMIT 3000000

static void format_day(int64_t day, char *buf, size_t size)
{
    if (day != AP_DATE_NAT && ap__in_range(day, -LEDGER_DATE_LIMIT,
                                            LEDGER_DATE_LIMIT))
        ap_date_format(day, buf, size);
    else if (day == AP_DATE_NAT)
        snprintf(buf, size, "NaT");
    else
        snprintf(buf, size, "%lld days from 1970-01-01", (long long)day);
}

/* ---- periods of the financial year ------------------------------------ */

typedef struct periods_job {
    const int64_t *days;
    int8_t *period;
    int64_t year_start;
    uint64_t year_length;
    const int8_t *by_day; /* period of each day of the year */
    size_t first_bad[AP__MAX_THREADS];
} periods_job;

static void periods_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    periods_job *job = ctx;
    const int64_t *days = job->days;
    int8_t *period = job->period;
    const int8_t *by_day = job->by_day;
    uint64_t start = (uint64_t)job->year_start, length = job->year_length;
    job->first_bad[chunk] = SIZE_MAX;
    for (size_t i = from; i < to; i++) {
        /* Unsigned: a day before the year (or NaT) wraps to a huge offset,
         * so one compare turns away both ends. */
        uint64_t offset = (uint64_t)days[i] - start;
        if (AP__PLAT_UNLIKELY(offset >= length)) {
            job->first_bad[chunk] = i;
            return;
        }
        period[i] = by_day[offset];
    }
}

ap_status ap_ledger_periods(const int64_t *days, size_t n, int64_t year_start,
                            ap_period_kind kind, int8_t *period,
                            ap_error *err)
{
    if (kind != AP_PERIOD_QUARTER && kind != AP_PERIOD_MONTH)
        return ap_error_set(err, AP_E_INPUT,
                            "periods must be quarters (4) or months (12), "
                            "not %d",
                            (int)kind);
    char text[48];
    format_day(year_start, text, sizeof text);
    int64_t y = 0;
    int m = 0, d = 0;
    if (year_start != AP_DATE_NAT &&
        ap__in_range(year_start, -LEDGER_DATE_LIMIT, LEDGER_DATE_LIMIT))
        ap_date_to_ymd(year_start, &y, &m, &d);
    if (m != 4 || d != 1)
        return ap_error_set(err, AP_E_INPUT,
                            "a financial year starts on 1 April, not %s",
                            text);
    if (n > 0 && (days == NULL || period == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "no dates or no room for the periods of %zu lines",
                            n);
    /* The period of every day of the year, from the first day of each of
     * its months: month_start[p] for P1 (April) .. P12 (March), and the
     * next year's 1 April. */
    int64_t month_start[13];
    for (int p = 0; p < 12; p++)
        month_start[p] = ap_date_from_ymd(p < 9 ? y : y + 1, (p + 3) % 12 + 1,
                                          1) -
                         year_start;
    month_start[12] = ap_date_from_ymd(y + 1, 4, 1) - year_start;
    int64_t next_year = year_start + month_start[12];
    int8_t by_day[366];
    for (int p = 0; p < 12; p++)
        for (int64_t k = month_start[p]; k < month_start[p + 1]; k++)
            by_day[k] = (int8_t)(kind == AP_PERIOD_MONTH ? p : p / 3);
    periods_job job = {days, period, year_start,
                       (uint64_t)(next_year - year_start), by_day, {0}};
    size_t chunks = ap__parallel_chunks(n, LEDGER_MIN_LINES_PER_CHUNK);
    ap__parallel_run(n, chunks, periods_chunk, &job);
    for (size_t c = 0; c < chunks; c++) {
        size_t i = job.first_bad[c];
        if (i == SIZE_MAX)
            continue;
        char date[48], last[48], label[16];
        format_day(days[i], date, sizeof date);
        format_day(next_year - 1, last, sizeof last);
        ap_fy_label(y, label, sizeof label);
        if (days[i] == AP_DATE_NAT)
            return ap_error_set(err, AP_E_INPUT,
                                "line %zu has no date (NaT); every line needs "
                                "a date in %s",
                                i, label);
        return ap_error_set(err, AP_E_INPUT,
                            "line %zu: the date %s is outside the financial "
                            "year %s (%s to %s)",
                            i, date, label, text, last);
    }
    return AP_OK;
}

/* ---- the sum ----------------------------------------------------------- */

/* Lines are taken in blocks.  First the block's codes are checked and
 * turned into table indexes, and the magnitudes of its amounts OR-ed
 * together (one loop, which the compiler vectorises: as two loops it took
 * 8% more instructions); then the amounts are added
 * into an int64 table with plain adds, no check a line.  That table's
 * cells cannot overflow: a block of amounts whose OR-ed magnitudes are m
 * moves no cell by more than LEDGER_BLOCK * (m + 1), and the block is
 * added there only while the sum of those bounds since the table was last
 * emptied stays within 2^62 (for everyday pence it never reaches it).
 * Past that bound the fast table is emptied, with checked adds, into a
 * second int64 table; a block with an amount of 2^LEDGER_FAST_BITS or
 * more goes to that checked table line by line, as do the lines after the
 * last whole block.  A line a register's worth of work, so the scan runs
 * at the speed the memory streams the lines in; the blocks ahead are
 * prefetched (a hint; the hardware's own prefetcher stops at each 4 KB
 * page). */
#define LEDGER_BLOCK 128
#define LEDGER_FAST_BITS 54
#define LEDGER_FAST_BOUND (UINT64_C(1) << 62)
/* How far ahead the blocks are prefetched, in lines (2 KB of amounts): of
 * 1, 2, 3, 4, 8 and 16 blocks ahead, 2 was the fastest on a 2-core Xeon.
 * The codes' few cache lines are prefetched before a block, the amounts'
 * one a turn of the adding loop, without a loop of their own (the two
 * changes took the AVX2 loop from 8.5 to 7.1 instructions a line and the
 * scan from 82% to 94% of a plain read of the amounts, on one thread). */
#define LEDGER_PREFETCH_LINES (2 * LEDGER_BLOCK)

/* The block loops are built for AVX-512 and AVX2 as well as the baseline,
 * and the loader picks one for the CPU (GCC's function multiversioning,
 * through an ifunc): the vector checks of a block's codes are much of the
 * gain.  Elsewhere the baseline alone. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 &&            \
    defined(__x86_64__) && defined(__linux__)
#define LEDGER_CLONES                                                        \
    __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define LEDGER_CLONES
#endif

typedef struct sum_job {
    ap_codes centre, period;
    const int64_t *amount;
    uint64_t n_centres, n_periods;
    size_t cells;
    int64_t *acc;  /* chunk k's checked table at acc + k * cells */
    int64_t *fast; /* and its unchecked one at fast + k * cells */
    size_t first_bad[AP__MAX_THREADS];
    int overflowed[AP__MAX_THREADS];
} sum_job;

/* Adds the fast table into the checked one and zeroes it. */
static void empty_fast_table(int64_t *restrict acc, int64_t *restrict fast,
                             size_t cells, int *wrapped)
{
    int w = 0;
    for (size_t k = 0; k < cells; k++) {
        w |= ap__add_overflow_i64(acc[k], fast[k], &acc[k]);
        fast[k] = 0;
    }
    *wrapped |= w;
}

/* Prefetches n bytes from p on, a cache line at a time (64 bytes or more
 * on the machines this runs on). */
static inline void prefetch_bytes(const void *p, size_t n)
{
    for (size_t off = 0; off < n; off += 64)
        AP__PLAT_PREFETCH((const char *)p + off);
}

/* Adds lines [from, to) into the checked table, checking codes and adds;
 * returns the first line with a code out of range, or SIZE_MAX.  The
 * blocks fall back on it, and it takes the lines after the last block. */
#define LEDGER_SUM_CHECKED(NAME, CT, PT)                                     \
    static size_t NAME(const CT *restrict centre,                           \
                       const PT *restrict period,                           \
                       const int64_t *restrict amount, size_t from,         \
                       size_t to, uint64_t nc, uint64_t np,                 \
                       int64_t *restrict acc, int *wrapped)                 \
    {                                                                        \
        for (size_t i = from; i < to; i++) {                                 \
            uint64_t c = (uint64_t)(int64_t)centre[i];                       \
            uint64_t p = (uint64_t)(int64_t)period[i];                       \
            if ((c >= nc) | (p >= np))                                       \
                return i;                                                    \
            int64_t *cell = acc + c * np + p;                                \
            *wrapped |= ap__add_overflow_i64(*cell, amount[i], cell);      \
        }                                                                    \
        return SIZE_MAX;                                                     \
    }

/* One loop per pair of code widths, so that the common case (int16 or
 * int32 centres, int8 periods) reads its codes without a branch on their
 * type.  A code is widened with its sign before the unsigned compare, so
 * -1 is out of range whatever the width (UC and UP, the compare types,
 * are 32-bit for codes of up to 32 bits: the tables have fewer than 2^31
 * cells, so a negative code still compares as too large).  The magnitude
 * of an amount is taken as a ^ (a >> 63): a itself, or -a - 1 for a
 * negative one, so |a| <= m + 1 without the overflow of -INT64_MIN. */
#define LEDGER_SUM_LOOP(NAME, CT, PT, UC, UP)                                \
    LEDGER_SUM_CHECKED(NAME##_checked, CT, PT)                               \
    LEDGER_CLONES                                                            \
    static size_t NAME(const void *centre_v, const void *period_v,          \
                       const int64_t *restrict amount, size_t from,         \
                       size_t to, uint64_t nc, uint64_t np,                 \
                       int64_t *restrict acc, int64_t *restrict fast,       \
                       size_t cells, int *overflowed)                       \
    {                                                                        \
        const CT *restrict centre = centre_v;                               \
        const PT *restrict period = period_v;                               \
        const UC ncu = (UC)nc;                                               \
        const UP npu = (UP)np;                                               \
        const int shift = (np & (np - 1)) == 0 ? ap__ctz64(np) : -1;          \
        int wrapped = 0;                                                     \
        uint64_t room = LEDGER_FAST_BOUND; /* left to the fast table */      \
        uint32_t index[LEDGER_BLOCK];                                        \
        size_t i = from;                                                     \
        for (; to - i >= LEDGER_BLOCK; i += LEDGER_BLOCK) {                  \
            const CT *cb = centre + i;                                       \
            const PT *pb = period + i;                                       \
            const int64_t *ab = amount + i;                                  \
            /* The blocks ahead, or this one again near the end (a      \
             * pointer past the lines is not one to compute). */            \
            const int ahead = to - i >= LEDGER_PREFETCH_LINES + LEDGER_BLOCK; \
            const int64_t *ab_ahead =                                        \
                ahead ? ab + LEDGER_PREFETCH_LINES : ab;                     \
            prefetch_bytes(ahead ? cb + LEDGER_PREFETCH_LINES : cb,          \
                           LEDGER_BLOCK * sizeof *cb);                       \
            prefetch_bytes(ahead ? pb + LEDGER_PREFETCH_LINES : pb,          \
                           LEDGER_BLOCK * sizeof *pb);                       \
            unsigned bad = 0;                                                \
            uint64_t m = 0;                                                  \
            if (shift >= 0) /* a shift is cheaper than a multiply in SIMD */ \
                for (int k = 0; k < LEDGER_BLOCK; k++) {                     \
                    UC c = (UC)(int64_t)cb[k];                               \
                    UP p = (UP)(int64_t)pb[k];                               \
                    bad |= (c >= ncu) | (p >= npu);                          \
                    index[k] = ((uint32_t)c << shift) + (uint32_t)p;         \
                    m |= (uint64_t)(ab[k] ^ (ab[k] >> 63));                  \
                }                                                            \
            else                                                             \
                for (int k = 0; k < LEDGER_BLOCK; k++) {                     \
                    UC c = (UC)(int64_t)cb[k];                               \
                    UP p = (UP)(int64_t)pb[k];                               \
                    bad |= (c >= ncu) | (p >= npu);                          \
                    index[k] = (uint32_t)c * (uint32_t)npu + (uint32_t)p;    \
                    m |= (uint64_t)(ab[k] ^ (ab[k] >> 63));                  \
                }                                                            \
            if (bad)                                                         \
                break; /* the checked loop finds the line */                 \
            if (AP__PLAT_UNLIKELY((m >> LEDGER_FAST_BITS) != 0)) {           \
                for (int k = 0; k < LEDGER_BLOCK; k++)                       \
                    wrapped |= ap__add_overflow_i64(                       \
                        acc[index[k]], ab[k], &acc[index[k]]);               \
                continue;                                                    \
            }                                                                \
            uint64_t bound = (m + 1) * LEDGER_BLOCK;                         \
            if (AP__PLAT_UNLIKELY(bound > room)) {                           \
                empty_fast_table(acc, fast, cells, &wrapped);                \
                room = LEDGER_FAST_BOUND;                                    \
            }                                                                \
            room -= bound;                                                   \
            /* Eight lines a turn, with the prefetch of the amounts'     \
             * cache line (64 bytes) as far ahead. */                       \
            for (int k = 0; k < LEDGER_BLOCK; k += 8) {                      \
                AP__PLAT_PREFETCH(ab_ahead + k);                             \
                fast[index[k]] += ab[k];                                     \
                fast[index[k + 1]] += ab[k + 1];                             \
                fast[index[k + 2]] += ab[k + 2];                             \
                fast[index[k + 3]] += ab[k + 3];                             \
                fast[index[k + 4]] += ab[k + 4];                             \
                fast[index[k + 5]] += ab[k + 5];                             \
                fast[index[k + 6]] += ab[k + 6];                             \
                fast[index[k + 7]] += ab[k + 7];                             \
            }                                                                \
        }                                                                    \
        size_t bad_line = NAME##_checked(centre, period, amount, i, to, nc,  \
                                         np, acc, &wrapped);                 \
        empty_fast_table(acc, fast, cells, &wrapped);                        \
        *overflowed = wrapped;                                               \
        return bad_line;                                                     \
    }

#define LEDGER_SUM_LOOPS_FOR(CT, NAME, UC)                                   \
    LEDGER_SUM_LOOP(sum_##NAME##_i8, CT, int8_t, UC, uint32_t)               \
    LEDGER_SUM_LOOP(sum_##NAME##_i16, CT, int16_t, UC, uint32_t)             \
    LEDGER_SUM_LOOP(sum_##NAME##_i32, CT, int32_t, UC, uint32_t)             \
    LEDGER_SUM_LOOP(sum_##NAME##_i64, CT, int64_t, UC, uint64_t)

LEDGER_SUM_LOOPS_FOR(int8_t, i8, uint32_t)
LEDGER_SUM_LOOPS_FOR(int16_t, i16, uint32_t)
LEDGER_SUM_LOOPS_FOR(int32_t, i32, uint32_t)
LEDGER_SUM_LOOPS_FOR(int64_t, i64, uint64_t)

typedef size_t (*sum_loop)(const void *, const void *, const int64_t *,
                           size_t, size_t, uint64_t, uint64_t, int64_t *,
                           int64_t *, size_t, int *);

/* Index 0..3 of a code width: 1, 2, 4, 8 bytes. */
static int width_index(ap_code_type type)
{
    switch (type) {
    case AP_CODE_I8: return 0;
    case AP_CODE_I16: return 1;
    case AP_CODE_I32: return 2;
    case AP_CODE_I64: return 3;
    default: return -1;
    }
}

static const sum_loop sum_loops[4][4] = {
    {sum_i8_i8, sum_i8_i16, sum_i8_i32, sum_i8_i64},
    {sum_i16_i8, sum_i16_i16, sum_i16_i32, sum_i16_i64},
    {sum_i32_i8, sum_i32_i16, sum_i32_i32, sum_i32_i64},
    {sum_i64_i8, sum_i64_i16, sum_i64_i32, sum_i64_i64},
};

static void sum_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    sum_job *job = ctx;
    sum_loop loop = sum_loops[width_index(job->centre.type)]
                             [width_index(job->period.type)];
    job->first_bad[chunk] =
        loop(job->centre.data, job->period.data, job->amount, from, to,
             job->n_centres, job->n_periods, job->acc + chunk * job->cells,
             job->fast + chunk * job->cells, job->cells,
             &job->overflowed[chunk]);
}

/* The code of line i, read by its width (for the slow paths). */
static int64_t code_at(ap_codes codes, size_t i)
{
    switch (codes.type) {
    case AP_CODE_I8: return ((const int8_t *)codes.data)[i];
    case AP_CODE_I16: return ((const int16_t *)codes.data)[i];
    case AP_CODE_I32: return ((const int32_t *)codes.data)[i];
    default: return ((const int64_t *)codes.data)[i];
    }
}

/* Adds lines [from, to) again into 128-bit sums (all codes are known to be
 * in range): for a chunk whose 64-bit sums wrapped on the way. */
static void sum_wide(const sum_job *job, size_t from, size_t to,
                     ap__i128 *wide)
{
    for (size_t i = from; i < to; i++) {
        size_t c = (size_t)code_at(job->centre, i);
        size_t p = (size_t)code_at(job->period, i);
        wide[c * job->n_periods + p] += job->amount[i];
    }
}

static ap_status code_error(const char *what, ap_codes codes, size_t line,
                            size_t limit, ap_error *err)
{
    long long code = (long long)code_at(codes, line);
    if (limit == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "line %zu has %s code %lld, but there are no %ss",
                            line, what, code, what);
    return ap_error_set(err, AP_E_INPUT,
                        "line %zu has %s code %lld; codes must be 0 to %zu",
                        line, what, code, limit - 1);
}

ap_status ap_ledger_sum(ap_codes centre, ap_codes period,
                        const int64_t *amount, size_t n, size_t n_centres,
                        size_t n_periods, int threads, int64_t *totals,
                        ap_error *err)
{
    if (width_index(centre.type) < 0 || width_index(period.type) < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "codes must be 1, 2, 4 or 8-byte integers, not "
                            "%d and %d bytes",
                            (int)centre.type, (int)period.type);
    ap_status st = ap__check_threads(threads, err);
    if (st != AP_OK)
        return st;
    size_t cells;
    /* Fewer than 2^31 cells keeps the block loops' indexes in 32 bits (a
     * table that size is 24 GB a thread already). */
    if (ap__mul_overflow_size(n_centres, n_periods, &cells) ||
        cells > (size_t)INT32_MAX)
        return ap_error_set(err, AP_E_NOMEM,
                            "%zu centres by %zu periods is too many cells",
                            n_centres, n_periods);
    if (n > 0 && (centre.data == NULL || period.data == NULL ||
                  amount == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "no codes or amounts for %zu lines", n);
    if (cells > 0 && totals == NULL)
        return ap_error_set(err, AP_E_INPUT, "no room for the totals");
    if (n == 0) {
        if (cells > 0)
            memset(totals, 0, cells * sizeof *totals);
        return AP_OK;
    }
    /* Chunks: as asked (0: one per core), but never smaller than the table
     * each one zeroes and merges, nor than a thread is worth starting. */
    size_t chunks = ap__batch_chunks(threads, n, 1);
    size_t min_lines = cells > LEDGER_MIN_LINES_PER_CHUNK
                           ? cells
                           : LEDGER_MIN_LINES_PER_CHUNK;
    if (chunks > n / min_lines)
        chunks = n / min_lines < 1 ? 1 : n / min_lines;
    int64_t *acc = NULL;
    int64_t *fast = NULL;
    if (cells > 0 && ((acc = calloc(chunks * cells, sizeof *acc)) == NULL ||
                      (fast = calloc(chunks * cells, sizeof *fast)) ==
                          NULL)) {
        free(acc);
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory for %zu tables of %zu centres by "
                            "%zu periods",
                            chunks, n_centres, n_periods);
    }
    sum_job job = {centre, period, amount, n_centres, n_periods,
                   cells, acc, fast, {0}, {0}};
    if (cells == 0) {
        job.first_bad[0] = 0; /* no code can be in range */
        chunks = 1;
    } else {
        ap__parallel_run(n, chunks, sum_chunk, &job);
    }
    /* Chunks are in line order, so the first faulty chunk holds the first
     * faulty line. */
    for (size_t k = 0; k < chunks; k++) {
        size_t i = job.first_bad[k];
        if (i == SIZE_MAX)
            continue;
        free(acc);
        free(fast);
        if ((uint64_t)(int64_t)code_at(centre, i) >= n_centres)
            return code_error("cost centre", centre, i, n_centres, err);
        return code_error("period", period, i, n_periods, err);
    }
    ap__i128 *wide = NULL;
    size_t size = (n + chunks - 1) / chunks; /* as ap__parallel_run splits */
    for (size_t k = 0; k < chunks; k++) {
        if (!job.overflowed[k])
            continue;
        if (wide == NULL &&
            (wide = calloc(chunks * cells, sizeof *wide)) == NULL) {
            free(acc);
            free(fast);
            return ap_error_set(err, AP_E_NOMEM,
                                "out of memory re-adding %zu centres by %zu "
                                "periods in 128 bits",
                                n_centres, n_periods);
        }
        size_t from = k * size < n ? k * size : n;
        size_t to = from + size < n ? from + size : n;
        sum_wide(&job, from, to, wide + k * cells);
    }
    st = AP_OK;
    for (size_t cell = 0; cell < cells; cell++) {
        ap__i128 total = 0;
        for (size_t k = 0; k < chunks; k++)
            total += job.overflowed[k] ? wide[k * cells + cell]
                                       : (ap__i128)acc[k * cells + cell];
        if (!ap__fits_i64(total)) {
            st = ap_error_set(err, AP_E_OVERFLOW,
                              "the lines of cost centre %zu in period %zu "
                              "sum to more than 64-bit pence can hold",
                              cell / n_periods, cell % n_periods);
            break;
        }
        totals[cell] = (int64_t)total;
    }
    free(wide);
    free(fast);
    free(acc);
    return st;
}

/* ---- apportionment ----------------------------------------------------- */

ap_status ap_ledger_apportion(const int64_t *totals, size_t n_centres,
                              size_t n_periods, const int64_t *weights,
                              size_t n_parties, ap_apportion_mode mode,
                              int64_t *shares, ap_error *err)
{
    size_t cells, outputs;
    if (ap__mul_overflow_size(n_centres, n_periods, &cells) ||
        ap__mul_overflow_size(cells, n_parties, &outputs))
        return ap_error_set(err, AP_E_NOMEM,
                            "%zu centres by %zu periods by %zu parties is "
                            "too many shares",
                            n_centres, n_periods, n_parties);
    if (n_centres > 0 && n_parties == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "no parties to apportion %zu cost centres to",
                            n_centres);
    if (n_centres > 0 && (weights == NULL ||
                          (cells > 0 && (totals == NULL || shares == NULL))))
        return ap_error_set(err, AP_E_INPUT,
                            "no totals, weights or room for the shares of "
                            "%zu cost centres",
                            n_centres);
    for (size_t c = 0; c < n_centres; c++) {
        ap_error inner;
        /* No pointer arithmetic on absent arrays when there are no cells;
         * the weights are still checked. */
        ap_status st = ap_apportion_lines(
            cells ? totals + c * n_periods : NULL, n_periods,
            weights + c * n_parties, n_parties, mode,
            cells ? shares + c * n_periods * n_parties : NULL, &inner);
        if (st != AP_OK)
            return ap_error_set(err, st, "cost centre %zu: %s", c,
                                inner.message);
    }
    return AP_OK;
}
