/* "% of records within N working days", grouped, in one pass.
 *
 * Each record costs two loads from the calendar's table of working days
 * before each date, a subtraction and a few counter updates into its
 * group's accumulator.  Large inputs are split into chunks, one per
 * thread, each with its own accumulators, added together at the end in
 * chunk order, so the result does not depend on the threads. */
#include <stdlib.h>
#include <string.h>

#include "apportion/measures.h"
#include "group_map.h"
#include "internal.h"

/* Accumulator fields, in the order of ap_sla_group after its key. */
enum {
    F_RECORDS,
    F_WITHIN,
    F_TOTAL,
    F_OPEN_LATE,
    F_OPEN_PENDING,
    F_CLOSED,
    F_ELAPSED_SUM,
    F_ELAPSED_MAX,
    F_COUNT
};

#define SLA_CHUNK_MIN ((size_t)1 << 18)

/* Why a chunk stopped, kept to report the earliest bad row of all. */
typedef enum bad_kind {
    BAD_NONE,
    BAD_START,   /* start NaT or outside the calendar */
    BAD_END,     /* end outside the calendar */
    BAD_ORDER,   /* end before start */
    BAD_AS_OF,   /* open record started after the as-of date */
    BAD_NOMEM
} bad_kind;

typedef struct sla_job {
    const int32_t *before;
    int64_t first, last;
    const int64_t *start, *end, *keys;
    ap_sla_options opt;
    int64_t s_off, e_off;
    ap__group_map maps[AP__MAX_THREADS];
    bad_kind bad[AP__MAX_THREADS];
    size_t bad_row[AP__MAX_THREADS];
} sla_job;

static void sla_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    sla_job *job = ctx;
    ap__group_map *map = &job->maps[chunk];
    const int32_t *before = job->before;
    const int64_t first = job->first, last = job->last;
    const int64_t limit = job->opt.limit, as_of = job->opt.as_of;
    const int64_t s_off = job->s_off, e_off = job->e_off;
    const int64_t *keys = job->keys;
    bad_kind bad = BAD_NONE;
    size_t i;
    for (i = from; i < to; i++) {
        int64_t s = job->start[i], e = job->end[i];
        if (!ap__in_range(s, first, last)) {
            bad = BAD_START;
            break;
        }
        int64_t *acc = keys ? ap__group_acc(map, keys[i]) : map->acc;
        if (acc == NULL) {
            bad = BAD_NOMEM;
            break;
        }
        acc[F_RECORDS]++;
        int64_t from_start = before[s + s_off - first];
        if (e == AP_DATE_NAT) {
            if (as_of == AP_DATE_NAT) {
                acc[F_OPEN_PENDING]++;
                continue;
            }
            if (as_of < s) {
                bad = BAD_AS_OF;
                break;
            }
            /* Open and already past the limit: late, whenever it closes. */
            if (before[as_of + e_off - first] - from_start > limit) {
                acc[F_OPEN_LATE]++;
                acc[F_TOTAL]++;
            } else {
                acc[F_OPEN_PENDING]++;
            }
            continue;
        }
        if (!ap__in_range(e, s, last)) {
            bad = ap__in_range(e, first, last) ? BAD_ORDER : BAD_END;
            break;
        }
        int64_t elapsed = before[e + e_off - first] - from_start;
        acc[F_CLOSED]++;
        acc[F_TOTAL]++;
        acc[F_WITHIN] += elapsed <= limit;
        acc[F_ELAPSED_SUM] += elapsed;
        if (elapsed > acc[F_ELAPSED_MAX])
            acc[F_ELAPSED_MAX] = elapsed;
    }
    job->bad[chunk] = bad;
    job->bad_row[chunk] = i;
}

static ap_status report_bad(const sla_job *job, bad_kind bad, size_t row,
                            ap_error *err)
{
    char s[32], e[32], a[32];
    ap_date_format(job->start[row], s, sizeof s);
    ap_date_format(job->end[row], e, sizeof e);
    ap_date_format(job->opt.as_of, a, sizeof a);
    switch (bad) {
    case BAD_START:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu: start is %s; every record needs a "
                            "start date from 1970-01-01 to 2100-12-31",
                            row, s);
    case BAD_END:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu: end is %s, outside the calendar's "
                            "dates (1970-01-01 to 2100-12-31)",
                            row, e);
    case BAD_ORDER:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu ends (%s) before it starts (%s)", row, e,
                            s);
    case BAD_AS_OF:
        return ap_error_set(err, AP_E_INPUT,
                            "row %zu is open and starts (%s) after the as-of "
                            "date (%s)",
                            row, s, a);
    case BAD_NOMEM:
    default:
        return ap_error_set(err, AP_E_NOMEM,
                            "out of memory grouping the records");
    }
}

typedef struct collect {
    ap__group_map *into;
    int failed;
} collect;

static void add_group(void *ctx, int64_t key, const int64_t *acc)
{
    collect *c = ctx;
    int64_t *to = ap__group_acc(c->into, key);
    if (to == NULL) {
        c->failed = 1;
        return;
    }
    for (int f = 0; f < F_COUNT; f++)
        to[f] = f == F_ELAPSED_MAX ? (acc[f] > to[f] ? acc[f] : to[f])
                                   : to[f] + acc[f];
}

typedef struct emit {
    ap_sla_group *groups;
    size_t n;
} emit;

static void emit_group(void *ctx, int64_t key, const int64_t *acc)
{
    emit *e = ctx;
    e->groups[e->n++] = (ap_sla_group){
        key,
        acc[F_RECORDS],
        acc[F_WITHIN],
        acc[F_TOTAL],
        acc[F_OPEN_LATE],
        acc[F_OPEN_PENDING],
        acc[F_CLOSED],
        acc[F_ELAPSED_SUM],
        acc[F_CLOSED] ? acc[F_ELAPSED_MAX] : -1,
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
    out->groups = NULL;
    out->n_groups = 0;
    if (options->limit < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "the limit is %lld working days; it must be 0 "
                            "or more",
                            (long long)options->limit);
    if ((int)options->convention < 0 ||
        options->convention >= AP_ELAPSED_COUNT)
        return ap_error_set(err, AP_E_INPUT, "unknown convention %d",
                            (int)options->convention);
    sla_job job;
    memset(&job, 0, sizeof job);
    job.before = ap__calendar_before(cal, &job.first, &job.last);
    if (options->as_of != AP_DATE_NAT &&
        !ap__in_range(options->as_of, job.first, job.last)) {
        char a[32];
        ap_date_format(options->as_of, a, sizeof a);
        return ap_error_set(err, AP_E_INPUT,
                            "as_of is %s, outside the calendar's dates "
                            "(1970-01-01 to 2100-12-31)",
                            a);
    }
    job.start = start;
    job.end = end;
    job.keys = keys;
    job.opt = *options;
    job.s_off = options->convention == AP_ELAPSED_AFTER_START ? 1 : 0;
    job.e_off = options->convention == AP_ELAPSED_BUSDAY_COUNT ? 0 : 1;

    int64_t kmin = 0, kmax = 0;
    if (keys != NULL && n > 0)
        ap__keys_range(keys, n, &kmin, &kmax);
    size_t chunks = ap__parallel_chunks(n, SLA_CHUNK_MIN);
    ap_status st = AP_OK;
    size_t made = 0;
    for (; made < chunks; made++)
        if (ap__group_map_init(&job.maps[made], F_COUNT, kmin, kmax) < 0) {
            made++;
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
            break;
        }
    if (st == AP_OK) {
        ap__parallel_run(n, chunks, sla_chunk, &job);
        /* The earliest bad row of all, whichever chunk met it. */
        for (size_t t = 0; t < chunks; t++)
            if (job.bad[t] != BAD_NONE) {
                st = report_bad(&job, job.bad[t], job.bad_row[t], err);
                break;
            }
    }
    collect c = {&job.maps[0], 0};
    for (size_t t = 1; st == AP_OK && t < chunks; t++) {
        ap__group_map_each(&job.maps[t], add_group, &c);
        if (c.failed)
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
    }
    if (st == AP_OK) {
        size_t groups = n == 0 ? 0 : ap__group_map_size(&job.maps[0]);
        emit e = {malloc((groups ? groups : 1) * sizeof *e.groups), 0};
        if (e.groups == NULL) {
            st = ap_error_set(err, AP_E_NOMEM,
                              "out of memory grouping the records");
        } else {
            if (n > 0)
                ap__group_map_each(&job.maps[0], emit_group, &e);
            qsort(e.groups, e.n, sizeof *e.groups, cmp_group_key);
            out->groups = e.groups;
            out->n_groups = e.n;
        }
    }
    for (size_t t = 0; t < made; t++)
        ap__group_map_free(&job.maps[t]);
    return st;
}

static ap_status add_checked(int64_t *a, int64_t b, int64_t key,
                             ap_error *err)
{
    if (__builtin_add_overflow(*a, b, a))
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

void ap_sla_result_free(ap_sla_result *result)
{
    if (result == NULL)
        return;
    free(result->groups);
    result->groups = NULL;
    result->n_groups = 0;
}
