/* "% of records within N working days", grouped, in one pass
 * (ap_sla_measure), or row by row (ap_sla_rows, for plugins' measures).
 * Both apply one rule, sla_row.  The grouped kernel has two shortcuts of
 * it for the common record (closed, both dates in the calendar, end not
 * before start, key in the group map's range): sla_closed_run, a row at a
 * time, and the block path, 64 rows checked at once and then counted with
 * no test a row; every other record goes to sla_row.  test_measures checks
 * them against each other for every convention, on both builds of the
 * block path.
 *
 * Each closed record costs two loads from the calendar's table of working
 * days before each date, a subtraction and one increment, of a bin of its
 * group's histogram.  Large inputs are shared between threads, which take
 * them in pieces from a counter, each thread with its own accumulators,
 * added together at the end: counts add and maxima are maxima, so the
 * result does not depend on the threads nor on which took which piece. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/measures.h"
#include "base/base.h"
#include "base/parallel.h"
#include "calendar/calendar_internal.h"
#include "kpi/group_map.h"
#include "kpi/sla_internal.h"
#include "platform/platform.h"

/* A group's accumulator: 32 int64 (256 bytes, found by a shift).  A
 * closed record of fewer than SLA_BINS elapsed days costs one increment,
 * of its bin in the group's histogram; records, within, the sum and the
 * maximum are worked out from the histogram when it is folded (sla_fold:
 * when a thread has taken its last piece, and before its map is widened,
 * since a map turned to hashing keeps only the groups whose record count
 * is nonzero).
 * Every other record (open ones, and closed ones of SLA_BINS elapsed days
 * or more) updates the fields directly, F_RECORDS included.  closed and
 * total are not counted: they are records - open_late - open_pending and
 * records - open_pending. */
enum {
    F_RECORDS = 0, /* nonzero in every group in use once folded */
    F_BIN0 = 1,    /* F_BIN0 + d: closed records of d elapsed days */
    SLA_BINS = 23,
    F_WITHIN = F_BIN0 + SLA_BINS,
    F_ELAPSED_SUM,
    F_ELAPSED_MAX,
    F_OPEN_LATE,
    F_OPEN_PENDING,
    F_COUNT = 32
};

#define SLA_CHUNK_MIN ((size_t)1 << 18)
/* Records a thread takes at a time (1.5 MB of dates and keys), from a
 * shared counter, when there are several threads: a thread that runs
 * slower (its core shared with other work) takes fewer pieces instead of
 * holding the others up at the end. */
#define SLA_PIECE ((size_t)1 << 16)

/* What the rule makes of one record, and the faults that stop a call. */
typedef enum sla_kind {
    SLA_CLOSED,       /* has an end: in total; in within if elapsed <= limit */
    SLA_OPEN_LATE,    /* open and past the limit on as_of: in total, late */
    SLA_OPEN_PENDING, /* open, not yet past the limit or no as_of: in
                         neither */
    SLA_BAD_START,    /* start NaT or outside the calendar */
    SLA_BAD_END,      /* end outside the calendar */
    SLA_BAD_ORDER,    /* end before start */
    SLA_BAD_AS_OF,    /* open record started after the as-of date */
    SLA_BAD_NOMEM
} sla_kind;

#define SLA_FAILED(kind) ((kind) >= SLA_BAD_START)

/* The rule's settings, checked once per call by sla_rule_make. */
typedef struct sla_rule {
    const int32_t *before; /* working days before each date of the span */
    int64_t first, last;   /* the calendar's span */
    int64_t limit, as_of;
    int64_t s_off, e_off;  /* the convention, as offsets into before */
    const int32_t *from_s, *from_e; /* before + s_off and + e_off */
} sla_rule;

static ap_status sla_rule_make(const ap_calendar *cal, int64_t limit,
                               ap_elapsed convention, int64_t as_of,
                               sla_rule *rule, ap_error *err)
{
    if (cal == NULL)
        return ap_error_set(err, AP_E_INPUT, "no calendar given");
    if (limit < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "the limit is %lld working days; it must be 0 "
                            "or more",
                            (long long)limit);
    if ((int)convention < 0 || convention >= AP_ELAPSED_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown convention %d",
                            (int)convention);
    rule->before = ap__calendar_before(cal, &rule->first, &rule->last);
    if (as_of != AP_DATE_NAT && !ap__in_range(as_of, rule->first, rule->last)) {
        char a[32];
        ap_date_format(as_of, a, sizeof a);
        return ap_error_set(err, AP_E_INPUT,
                            "as_of is %s, outside the calendar's dates "
                            "(1970-01-01 to 2100-12-31)",
                            a);
    }
    rule->limit = limit;
    rule->as_of = as_of;
    rule->s_off = convention == AP_ELAPSED_AFTER_START ? 1 : 0;
    rule->e_off = convention == AP_ELAPSED_BUSDAY_COUNT ? 0 : 1;
    rule->from_s = rule->before + rule->s_off;
    rule->from_e = rule->before + rule->e_off;
    return AP_OK;
}

/* The rule for one record, the only place it is written: start s (never
 * NaT), end e (NaT while open).  Elapsed working days are two loads from
 * the calendar's table; *elapsed is set for a closed record and for an
 * open one measured to as_of. */
static inline sla_kind sla_row(const sla_rule *r, int64_t s, int64_t e,
                               int64_t *elapsed)
{
    if (!ap__in_range(s, r->first, r->last))
        return SLA_BAD_START;
    const int64_t from_start = r->before[s + r->s_off - r->first];
    if (e == AP_DATE_NAT) {
        if (r->as_of == AP_DATE_NAT)
            return SLA_OPEN_PENDING;
        if (r->as_of < s)
            return SLA_BAD_AS_OF;
        /* Open and already past the limit: late, whenever it closes. */
        *elapsed = r->before[r->as_of + r->e_off - r->first] - from_start;
        return *elapsed > r->limit ? SLA_OPEN_LATE : SLA_OPEN_PENDING;
    }
    if (!ap__in_range(e, s, r->last))
        return ap__in_range(e, r->first, r->last) ? SLA_BAD_ORDER
                                                   : SLA_BAD_END;
    *elapsed = r->before[e + r->e_off - r->first] - from_start;
    return SLA_CLOSED;
}

/* The message for a fault of the rule at row (the caller's numbering). */
static ap_status sla_fault(sla_kind bad, size_t row, int64_t start,
                           int64_t end, int64_t as_of, ap_error *err)
{
    char s[32], e[32], a[32];
    ap_date_format(start, s, sizeof s);
    ap_date_format(end, e, sizeof e);
    ap_date_format(as_of, a, sizeof a);
    switch (bad) {
    case SLA_BAD_START:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu: start is %s; every record needs a "
                            "start date from 1970-01-01 to 2100-12-31",
                            row, s);
    case SLA_BAD_END:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu: end is %s, outside the calendar's "
                            "dates (1970-01-01 to 2100-12-31)",
                            row, e);
    case SLA_BAD_ORDER:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu ends (%s) before it starts (%s)", row, e,
                            s);
    case SLA_BAD_AS_OF:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu is open and starts (%s) after the as-of "
                            "date (%s)",
                            row, s, a);
    default:
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory grouping the records");
    }
}

/* ---- per row ---------------------------------------------------------- */

ap_status ap_sla_rows(const ap_calendar *cal, const int64_t *start,
                      const int64_t *end, size_t n, int64_t limit,
                      ap_elapsed convention, int64_t as_of, size_t first_row,
                      int64_t *within, int64_t *counted, ap_error *err)
{
    if (n > 0 && (start == NULL || end == NULL || within == NULL ||
                  counted == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "sla_rows: %zu rows but no start, end, within or "
                            "counted array",
                            n);
    sla_rule rule;
    ap_status st = sla_rule_make(cal, limit, convention, as_of, &rule, err);
    if (st != AP_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        int64_t elapsed = 0;
        sla_kind kind = sla_row(&rule, start[i], end[i], &elapsed);
        if (SLA_FAILED(kind))
            return sla_fault(kind, first_row + i, start[i], end[i], as_of,
                             err);
        within[i] = kind == SLA_CLOSED && elapsed <= limit;
        counted[i] = kind != SLA_OPEN_PENDING;
    }
    return AP_OK;
}

/* ---- grouped ---------------------------------------------------------- */

typedef struct sla_job {
    sla_rule rule;
    const int64_t *start, *end, *keys;
    size_t (*blocks)(const sla_rule *, ap__group_map *,
                     const int64_t *restrict, const int64_t *restrict,
                     const int64_t *restrict, size_t, size_t);
    size_t n, piece, pieces;       /* the rows in pieces of `piece` */
    atomic_size_t next;            /* the next piece to take */
    atomic_int stop;               /* a thread met a fault: take no more */
    ap__group_map maps[AP__MAX_THREADS]; /* one a thread */
    int made[AP__MAX_THREADS];     /* maps[t] was set up */
    sla_kind bad[AP__MAX_THREADS]; /* SLA_FAILED, or no fault */
    size_t bad_row[AP__MAX_THREADS];
} sla_job;

/* Any record through the rule, into its group's accumulator: open ones,
 * faults, and a key outside the map's present range (which widens the
 * map).  The rare path of sla_rows, and its whole loop in hash mode. */
/* What the rule made of a record (kind, and elapsed for a closed one),
 * into its group's accumulator acc. */
static inline void sla_count(int64_t *acc, sla_kind kind, int64_t elapsed,
                             int64_t limit)
{
    acc[F_RECORDS]++;
    if (kind == SLA_OPEN_PENDING) {
        acc[F_OPEN_PENDING]++;
    } else if (kind == SLA_OPEN_LATE) {
        acc[F_OPEN_LATE]++;
    } else {
        acc[F_WITHIN] += elapsed <= limit;
        acc[F_ELAPSED_SUM] += elapsed;
        if (elapsed > acc[F_ELAPSED_MAX])
            acc[F_ELAPSED_MAX] = elapsed;
    }
}

static sla_kind sla_add_row(const sla_rule *rule, ap__group_map *map,
                            int64_t s, int64_t e, int64_t key)
{
    int64_t elapsed = 0;
    sla_kind kind = sla_row(rule, s, e, &elapsed);
    if (SLA_FAILED(kind))
        return kind;
    int64_t *acc = ap__group_map_get(map, key);
    if (acc == NULL)
        return SLA_BAD_NOMEM;
    sla_count(acc, kind, elapsed, rule->limit);
    return kind;
}

/* A closed record of SLA_BINS elapsed days or more, into its group's
 * fields (the fast paths' rare case). */
AP__PLAT_NOINLINE static void sla_add_long(int64_t *a, int64_t elapsed,
                                           int64_t limit)
{
    a[F_RECORDS]++;
    a[F_WITHIN] += elapsed <= limit;
    a[F_ELAPSED_SUM] += elapsed;
    if (elapsed > a[F_ELAPSED_MAX])
        a[F_ELAPSED_MAX] = elapsed;
}

/* A closed record of any elapsed days (0 or more), into its group's
 * accumulator a. */
static inline void sla_add_closed(int64_t *a, int64_t elapsed, int64_t limit)
{
    if ((uint64_t)elapsed < SLA_BINS)
        a[F_BIN0 + elapsed]++;
    else
        sla_add_long(a, elapsed, limit);
}

/* The common case, rows [i, to) while each is closed, in the calendar and
 * keyed inside the direct map's range: three predictable tests (unsigned
 * differences), two loads from the calendar's table and one increment, of
 * a bin of the group's histogram.  Returns the first row it cannot take
 * (to when none).  has_keys is a constant in each caller below, so that
 * the loop without keys does not test for them; the two are kept out of
 * line, so that the loop has the registers to itself. */
static inline size_t sla_closed_run(const sla_rule *rule, ap__group_map *map,
                                    const int64_t *start, const int64_t *end,
                                    const int64_t *keys, const int has_keys,
                                    size_t i, size_t to)
{
    const int32_t *from_s = rule->from_s, *from_e = rule->from_e;
    const uint64_t first = (uint64_t)rule->first;
    const uint64_t span = (uint64_t)rule->last - first;
    const uint64_t kmin = (uint64_t)map->min;
    const uint64_t slots = map->n_slots;
    const int64_t limit = rule->limit;
    int64_t *acc = map->acc;
    for (; i < to; i++) {
        const uint64_t ds = (uint64_t)start[i] - first;
        const uint64_t de = (uint64_t)end[i] - first;
        const uint64_t k = has_keys ? (uint64_t)keys[i] - kmin : 0;
        /* s and e in the calendar (NaT wraps to a huge difference), e not
         * before s, the key in the map. */
        if (AP__PLAT_UNLIKELY(de > span) || AP__PLAT_UNLIKELY(de < ds) ||
            AP__PLAT_UNLIKELY(k >= slots))
            break;
        /* 0 or more: the table never decreases and e is not before s. */
        const int64_t elapsed = (int64_t)from_e[de] - (int64_t)from_s[ds];
        int64_t *a = acc + (size_t)k * F_COUNT;
        if (AP__PLAT_LIKELY((uint64_t)elapsed < SLA_BINS))
            a[F_BIN0 + elapsed]++;
        else
            sla_add_long(a, elapsed, limit);
    }
    return i;
}

AP__PLAT_NOINLINE static size_t sla_closed_run_keyed(const sla_rule *rule, ap__group_map *map,
                                   const int64_t *start, const int64_t *end,
                                   const int64_t *keys, size_t i, size_t to)
{
    return sla_closed_run(rule, map, start, end, keys, 1, i, to);
}

AP__PLAT_NOINLINE static size_t sla_closed_run_all(const sla_rule *rule, ap__group_map *map,
                                 const int64_t *start, const int64_t *end,
                                 size_t i, size_t to)
{
    return sla_closed_run(rule, map, start, end, NULL, 0, i, to);
}

/* Rows per block of the block path: a whole number of vectors, so that
 * the compiler's cheapest vectorisation (GCC's at -O2) takes the check's
 * loop whole. */
#define SLA_BLOCK 64
/* The block path asks for the block SLA_PREFETCH blocks ahead of the one
 * it checks (1 KB of each column): 0, 2, 3, 4, 6, 8 and 16 were timed on
 * 10 million records (CPU time, the machine being shared), 2 to 4 the
 * fastest, 13% less than none. */
#define SLA_PREFETCH 2

/* The block path, on whole blocks of rows from i, defined (as `name`) once
 * per instruction set and with and without keys: sla_closed_run's tests
 * for a block at once, then its loads and increment with no test a row,
 * two rows a step.  The tests are made on sign bits, with no comparison:
 * the start's and the end's differences from the calendar's first date,
 * the key's from the map's first key, the calendar's span less the end's,
 * the map's less the key's and the end's less the start's are all below
 * 2^63 exactly when the row is one sla_closed_run takes, so that OR-ing
 * them is the test and the compiler vectorises its loop, which keeps the
 * differences (and each key's accumulator offset) for the loads after
 * it.  A block with rows
 * the test refuses (open records, faults, keys outside the map) is
 * counted with a test a row: a refused row keyed inside the map goes
 * through the rule into its group's accumulator; one keyed outside it
 * (the map must widen), or a fault, ends the call there.  Returns that row,
 * or the first of the rows after the last whole block. */
#define DEFINE_SLA_BLOCKS(name, target, has_keys)                             \
    target static size_t name(const sla_rule *rule, ap__group_map *map,       \
                              const int64_t *restrict start,                  \
                              const int64_t *restrict end,                    \
                              const int64_t *restrict keys, size_t i,         \
                              size_t to)                                      \
    {                                                                         \
        const int32_t *from_s = rule->from_s, *from_e = rule->from_e;         \
        const uint64_t first = (uint64_t)rule->first;                         \
        const uint64_t span = (uint64_t)rule->last - first;                   \
        const uint64_t kmin = (uint64_t)map->min;                             \
        const uint64_t kspan = (uint64_t)map->n_slots - 1;                    \
        const int64_t limit = rule->limit;                                    \
        int64_t *acc = map->acc;                                              \
        uint64_t ds[SLA_BLOCK], de[SLA_BLOCK], at[SLA_BLOCK];                 \
        for (; to - i >= SLA_BLOCK; i += SLA_BLOCK) {                         \
            const int64_t *restrict s = start + i, *restrict e = end + i;     \
            const int64_t *restrict k = has_keys ? keys + i : NULL;           \
            if (to - i >= (SLA_PREFETCH + 1) * SLA_BLOCK)                     \
                for (int line = 0; line < SLA_BLOCK * 8; line += 64) {        \
                    AP__PLAT_PREFETCH((const char *)(s + SLA_PREFETCH *       \
                                      SLA_BLOCK) + line);                     \
                    AP__PLAT_PREFETCH((const char *)(e + SLA_PREFETCH *       \
                                      SLA_BLOCK) + line);                     \
                    if (has_keys)                                             \
                        AP__PLAT_PREFETCH((const char *)(k + SLA_PREFETCH *   \
                                          SLA_BLOCK) + line);                 \
                }                                                             \
            uint64_t outside = 0;                                             \
            for (int j = 0; j < SLA_BLOCK; j++) {                             \
                uint64_t dk = has_keys ? (uint64_t)k[j] - kmin : 0;           \
                ds[j] = (uint64_t)s[j] - first;                               \
                de[j] = (uint64_t)e[j] - first;                               \
                at[j] = dk * F_COUNT + F_BIN0;                                \
                outside |= ds[j] | de[j] | (de[j] - ds[j]) | (span - de[j]) | \
                           dk | (kspan - dk);                                 \
            }                                                                 \
            if (AP__PLAT_LIKELY(!(outside >> 63))) {                          \
                for (int j = 0; j < SLA_BLOCK; j += 2) {                      \
                    const int64_t e0 =                                        \
                        (int64_t)from_e[de[j]] - (int64_t)from_s[ds[j]];      \
                    const int64_t e1 = (int64_t)from_e[de[j + 1]] -           \
                                       (int64_t)from_s[ds[j + 1]];            \
                    if (AP__PLAT_LIKELY((uint64_t)e0 < SLA_BINS &&            \
                                        (uint64_t)e1 < SLA_BINS)) {           \
                        acc[at[j] + (uint64_t)e0]++;                          \
                        acc[at[j + 1] + (uint64_t)e1]++;                      \
                        continue;                                             \
                    }                                                         \
                    sla_add_closed(acc + (at[j] - F_BIN0), e0, limit);        \
                    sla_add_closed(acc + (at[j + 1] - F_BIN0), e1, limit);    \
                }                                                             \
                continue;                                                     \
            }                                                                 \
            for (int j = 0; j < SLA_BLOCK; j++) {                             \
                const uint64_t dk = has_keys ? (uint64_t)k[j] - kmin : 0;     \
                if ((ds[j] | de[j] | (de[j] - ds[j]) | (span - de[j]) | dk |  \
                     (kspan - dk)) >> 63) {                                   \
                    int64_t elapsed = 0;                                      \
                    sla_kind kind;                                            \
                    if (dk > kspan ||                                         \
                        SLA_FAILED(kind = sla_row(rule, s[j], e[j], &elapsed))) \
                        return i + (size_t)j;                                 \
                    sla_count(acc + (at[j] - F_BIN0), kind, elapsed, limit);  \
                    continue;                                                 \
                }                                                             \
                const int64_t elapsed =                                       \
                    (int64_t)from_e[de[j]] - (int64_t)from_s[ds[j]];          \
                if (AP__PLAT_LIKELY((uint64_t)elapsed < SLA_BINS))            \
                    acc[at[j] + (uint64_t)elapsed]++;                         \
                else                                                          \
                    sla_add_long(acc + (at[j] - F_BIN0), elapsed, limit);     \
            }                                                                 \
        }                                                                     \
        return i;                                                             \
    }

DEFINE_SLA_BLOCKS(sla_blocks_keyed, , 1)
DEFINE_SLA_BLOCKS(sla_blocks_all, , 0)
#if AP__PLAT_AVX2_CLONES
DEFINE_SLA_BLOCKS(sla_blocks_keyed_avx2, AP__PLAT_TARGET_AVX2, 1)
DEFINE_SLA_BLOCKS(sla_blocks_all_avx2, AP__PLAT_TARGET_AVX2, 0)
#endif

typedef size_t (*sla_blocks_fn)(const sla_rule *rule, ap__group_map *map,
                                const int64_t *restrict start,
                                const int64_t *restrict end,
                                const int64_t *restrict keys, size_t i,
                                size_t to);

/* The rows of a piece when several threads share the rows: SLA_PIECE,
 * unless a test asks for fewer (ap__sla_piece_rows). */
static size_t piece_rows = 0;

void ap__sla_piece_rows(size_t rows)
{
    piece_rows = rows;
}

/* Which instruction set the block path uses: the best this CPU has,
 * unless a test asks for the baseline (ap__sla_baseline_only). */
static int baseline_only = 0;

void ap__sla_baseline_only(int on)
{
    baseline_only = on;
}

static sla_blocks_fn sla_blocks_choice(int has_keys)
{
#if AP__PLAT_AVX2_CLONES
    if (!baseline_only && ap__plat_cpu_has_avx2())
        return has_keys ? sla_blocks_keyed_avx2 : sla_blocks_all_avx2;
#endif
    return has_keys ? sla_blocks_keyed : sla_blocks_all;
}

/* A group's histogram into its records, within, sum and maximum, and
 * emptied. */
static void sla_fold(int64_t *acc, int64_t limit)
{
    for (int64_t d = 0; d < SLA_BINS; d++) {
        int64_t c = acc[F_BIN0 + d];
        if (c == 0)
            continue;
        acc[F_RECORDS] += c;
        acc[F_WITHIN] += d <= limit ? c : 0;
        acc[F_ELAPSED_SUM] += d * c;
        if (d > acc[F_ELAPSED_MAX])
            acc[F_ELAPSED_MAX] = d;
        acc[F_BIN0 + d] = 0;
    }
}

/* Every group's accumulator folded: n_slots of them in either mode of the
 * map. */
static void sla_fold_all(ap__group_map *map, int64_t limit)
{
    for (size_t g = 0; g < map->n_slots; g++)
        sla_fold(map->acc + g * F_COUNT, limit);
}

/* Rows [i, to) into the thread's map; SLA_CLOSED, or the fault that
 * stopped it with its row in *row. */
static sla_kind sla_rows(const sla_job *job, ap__group_map *map, size_t i,
                         size_t to, size_t *row)
{
    const sla_rule *rule = &job->rule;
    const int64_t *start = job->start, *end = job->end, *keys = job->keys;
    size_t one_by_one = i;
    while (i < to) {
        if (map->direct) {
            /* Whole blocks, then a row at a time up to one_by_one: the
             * rows after the last whole block, or from a row the block
             * path left (a key outside the map, or a fault) to the end of
             * a block's length after it. */
            if (i >= one_by_one) {
                i = job->blocks(rule, map, start, end, keys, i, to);
                one_by_one = to - i < SLA_BLOCK ? to : i + SLA_BLOCK;
            }
            size_t stop = one_by_one < to ? one_by_one : to;
            i = keys ? sla_closed_run_keyed(rule, map, start, end, keys, i,
                                            stop)
                     : sla_closed_run_all(rule, map, start, end, i, stop);
            if (i == stop)
                continue;
            /* A key outside the direct map widens it, and may turn it to
             * hashing, which keeps only groups with a record count. */
            if (keys && (uint64_t)keys[i] - (uint64_t)map->min >=
                            (uint64_t)map->n_slots)
                sla_fold_all(map, rule->limit);
        }
        sla_kind kind =
            sla_add_row(rule, map, start[i], end[i], keys ? keys[i] : 0);
        if (SLA_FAILED(kind)) {
            *row = i;
            return kind;
        }
        i++;
    }
    return SLA_CLOSED;
}

/* One thread: pieces from the shared counter, in rising order, into its
 * own map, until none is left or a thread has met a fault.  The map
 * starts at the first piece's first key and widens as keys come: no pass
 * over the keys beforehand to find their range. */
static void sla_worker(void *ctx, size_t t, size_t from, size_t to)
{
    (void)from; /* the rows come from the counter, not the split */
    (void)to;
    sla_job *job = ctx;
    ap__group_map *map = &job->maps[t];
    job->bad[t] = SLA_CLOSED;
    while (!atomic_load_explicit(&job->stop, memory_order_relaxed)) {
        size_t p = atomic_fetch_add_explicit(&job->next, 1,
                                             memory_order_relaxed);
        if (p >= job->pieces)
            break;
        size_t a = p * job->piece;
        size_t b = job->n - a > job->piece ? a + job->piece : job->n;
        size_t row = a;
        sla_kind kind = SLA_CLOSED;
        if (!job->made[t]) {
            if (ap__group_map_init_at(map, F_COUNT,
                                      job->keys ? job->keys[a] : 0) < 0)
                kind = SLA_BAD_NOMEM;
            else
                job->made[t] = 1;
        }
        if (!SLA_FAILED(kind))
            kind = sla_rows(job, map, a, b, &row);
        if (SLA_FAILED(kind)) {
            /* Every piece before this one was taken (the counter only
             * rises) and is finished by its thread: the earliest fault
             * of all threads is the first of the rows. */
            job->bad[t] = kind;
            job->bad_row[t] = row;
            atomic_store_explicit(&job->stop, 1, memory_order_relaxed);
            return;
        }
    }
    if (job->made[t])
        sla_fold_all(map, job->rule.limit);
}

typedef struct collect {
    ap__group_map *into;
    int failed;
} collect;

static void add_group(void *ctx, int64_t key, const int64_t *acc)
{
    collect *c = ctx;
    int64_t *to = ap__group_map_get(c->into, key);
    if (to == NULL) {
        c->failed = 1;
        return;
    }
    /* The histograms are folded and empty. */
    to[F_RECORDS] += acc[F_RECORDS];
    to[F_WITHIN] += acc[F_WITHIN];
    to[F_ELAPSED_SUM] += acc[F_ELAPSED_SUM];
    to[F_OPEN_LATE] += acc[F_OPEN_LATE];
    to[F_OPEN_PENDING] += acc[F_OPEN_PENDING];
    if (acc[F_ELAPSED_MAX] > to[F_ELAPSED_MAX])
        to[F_ELAPSED_MAX] = acc[F_ELAPSED_MAX];
}

typedef struct emit {
    ap_sla_group *groups;
    size_t n;
} emit;

static void emit_group(void *ctx, int64_t key, const int64_t *acc)
{
    emit *e = ctx;
    const int64_t closed =
        acc[F_RECORDS] - acc[F_OPEN_LATE] - acc[F_OPEN_PENDING];
    e->groups[e->n++] = (ap_sla_group){
        key,
        acc[F_RECORDS],
        acc[F_WITHIN],
        acc[F_RECORDS] - acc[F_OPEN_PENDING],
        acc[F_OPEN_LATE],
        acc[F_OPEN_PENDING],
        closed,
        acc[F_ELAPSED_SUM],
        closed ? acc[F_ELAPSED_MAX] : -1,
    };
}

static int cmp_group_key(const void *a, const void *b)
{
    int64_t x = ((const ap_sla_group *)a)->key;
    int64_t y = ((const ap_sla_group *)b)->key;
    return (x > y) - (x < y);
}

ap_status ap_sla_measure(const ap_calendar *cal, const int64_t *start,
                         const int64_t *end, const int64_t *keys, size_t n,
                         const ap_sla_options *options, ap_sla_result *out,
                         ap_error *err)
{
    return ap_sla_measure_threads(cal, start, end, keys, n, options, 0, out,
                                  err);
}

ap_status ap_sla_measure_threads(const ap_calendar *cal,
                                 const int64_t *start, const int64_t *end,
                                 const int64_t *keys, size_t n,
                                 const ap_sla_options *options, int threads,
                                 ap_sla_result *out, ap_error *err)
{
    out->groups = NULL;
    out->n_groups = 0;
    ap_status st = ap__check_threads(threads, err);
    if (st != AP_OK)
        return st;
    sla_job job;
    memset(&job, 0, sizeof job);
    st = sla_rule_make(cal, options->limit, options->convention,
                       options->as_of, &job.rule, err);
    if (st != AP_OK)
        return st;
    if (n > 0 && (start == NULL || end == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "sla_measure: %zu records but no start or end "
                            "array",
                            n);
    job.start = start;
    job.end = end;
    job.keys = keys;
    job.blocks = sla_blocks_choice(keys != NULL);

    size_t chunks =
        n == 0 ? 1 : ap__batch_chunks(threads, n, SLA_CHUNK_MIN);
    job.n = n;
    job.piece = chunks == 1 || n == 0 ? (n ? n : 1)
                : piece_rows ? piece_rows : SLA_PIECE;
    job.pieces = (n + job.piece - 1) / job.piece;
    atomic_init(&job.next, 0);
    atomic_init(&job.stop, 0);
    ap__parallel_run(n, chunks, sla_worker, &job);
    /* The earliest bad row of all, whichever thread met it. */
    size_t first_bad = chunks;
    for (size_t t = 0; t < chunks; t++)
        if (SLA_FAILED(job.bad[t]) &&
            (first_bad == chunks || job.bad_row[t] < job.bad_row[first_bad]))
            first_bad = t;
    if (first_bad < chunks) {
        size_t row = job.bad_row[first_bad];
        if (job.bad[first_bad] == SLA_BAD_NOMEM)
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
        else
            st = sla_fault(job.bad[first_bad], row, start[row], end[row],
                           options->as_of, err);
    }
    /* The groups are gathered into the first thread's map, which took no
     * piece when there were none (no records). */
    if (st == AP_OK && !job.made[0]) {
        if (ap__group_map_init_at(&job.maps[0], F_COUNT, 0) < 0)
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
        else
            job.made[0] = 1;
    }
    collect c = {&job.maps[0], 0};
    for (size_t t = 1; st == AP_OK && t < chunks; t++) {
        if (!job.made[t])
            continue;
        ap__group_map_each(&job.maps[t], add_group, &c);
        if (c.failed)
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
    }
    if (st == AP_OK) {
        size_t groups = ap__group_map_size(&job.maps[0]);
        emit e = {malloc((groups ? groups : 1) * sizeof *e.groups), 0};
        if (e.groups == NULL) {
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
        } else {
            ap__group_map_each(&job.maps[0], emit_group, &e);
            qsort(e.groups, e.n, sizeof *e.groups, cmp_group_key);
            out->groups = e.groups;
            out->n_groups = e.n;
        }
    }
    for (size_t t = 0; t < chunks; t++)
        if (job.made[t])
            ap__group_map_free(&job.maps[t]);
    return st;
}

static ap_status add_checked(int64_t *a, int64_t b, int64_t key,
                             ap_error *err)
{
    if (ap__add_overflow_i64(*a, b, a))
        return ap_error_set(err, AP_E_OVERFLOW,
                            "group %lld: adding the results overflows "
                            "64 bits",
                            (long long)key);
    return AP_OK;
}

static ap_status add_group_into(ap_sla_group *to, const ap_sla_group *g,
                                ap_error *err)
{
    ap_status st;
    if ((st = add_checked(&to->records, g->records, g->key, err)) ||
        (st = add_checked(&to->within, g->within, g->key, err)) ||
        (st = add_checked(&to->total, g->total, g->key, err)) ||
        (st = add_checked(&to->open_late, g->open_late, g->key, err)) ||
        (st = add_checked(&to->open_pending, g->open_pending, g->key, err)) ||
        (st = add_checked(&to->closed, g->closed, g->key, err)) ||
        (st = add_checked(&to->elapsed_sum, g->elapsed_sum, g->key, err)))
        return st;
    if (g->elapsed_max > to->elapsed_max)
        to->elapsed_max = g->elapsed_max;
    return AP_OK;
}

ap_status ap_sla_result_merge(ap_sla_result *a, const ap_sla_result *b,
                              ap_error *err)
{
    size_t cap = a->n_groups + b->n_groups;
    ap_sla_group *merged = malloc((cap ? cap : 1) * sizeof *merged);
    if (merged == NULL)
        return ap_error_set(err, AP_E_NOMEM, "out of memory merging results");
    size_t i = 0, j = 0, k = 0;
    while (i < a->n_groups || j < b->n_groups) {
        const ap_sla_group *x = i < a->n_groups ? &a->groups[i] : NULL;
        const ap_sla_group *y = j < b->n_groups ? &b->groups[j] : NULL;
        if (y == NULL || (x != NULL && x->key < y->key)) {
            merged[k++] = *x;
            i++;
        } else if (x == NULL || y->key < x->key) {
            merged[k++] = *y;
            j++;
        } else {
            merged[k] = *x;
            ap_status st = add_group_into(&merged[k], y, err);
            if (st != AP_OK) {
                free(merged);
                return st;
            }
            k++;
            i++;
            j++;
        }
    }
    free(a->groups);
    a->groups = merged;
    a->n_groups = k;
    return AP_OK;
}

void ap_sla_result_clear(ap_sla_result *result)
{
    if (result == NULL)
        return;
    free(result->groups);
    result->groups = NULL;
    result->n_groups = 0;
}

/* The old name, kept for one release so that programs built against it
 * still link: it only ever freed the members, which is what _clear means. */
void ap_sla_result_free(ap_sla_result *result)
{
    ap_sla_result_clear(result);
}
