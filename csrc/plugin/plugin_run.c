/* Running what a service area offers: measures over case records, recharge
 * rules, checks and report sections.
 *
 * A measure computes a numerator and a denominator per row; the host sums
 * them by group, exactly.  Row-wise measures are called on blocks of rows
 * with small scratch arrays, each block grouped as soon as it is computed,
 * so memory stays flat however many records there are; thread-safe ones
 * run their blocks on several threads, each with its own groups, added
 * together in chunk order.  Sums are kept in 128 bits and checked against
 * int64 at the end, so the result (and whether it overflows) does not
 * depend on how the rows were split. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi/group_map.h"
#include "base/base.h"
#include "base/parallel.h"
#include "base/text.h"
#include "plugin/plugin_internal.h"

static const ap_fields no_fields = {0, NULL};

/* Shared with plugin_call.c (calculators); see plugin_internal.h. */
ap_status ap__item_failed(const ap_area *a, const char *item, ap_status st,
                          const ap_error *inner, const char *fallback,
                          ap_error *err)
{
    if ((int)st <= (int)AP_OK || st >= AP_STATUS_COUNT)
        return ap_error_set(err, AP_E_PLUGIN,
                            "%s.%s: failed with the unknown status %d%s%s",
                            a->code, item, (int)st,
                            inner->message[0] ? ": " : "", inner->message);
    if (inner->message[0] != '\0')
        return ap_error_set(err, st, "%s.%s: %s", a->code, item,
                            inner->message);
    if (fallback != NULL)
        return ap_error_set(err, st, "%s.%s: %s", a->code, item, fallback);
    return ap_error_set(err, st, "%s.%s: failed (%s) without saying why",
                        a->code, item, ap_status_name(st));
}

/* The item, or NULL with err set (the registry names what the area has). */
static void *find_item(const ap_area *a, ap_item_kind kind, const char *name,
                       ap_error *err)
{
    if (a == NULL || name == NULL) {
        ap_error_set(err, AP_E_INPUT, "no service area or no %s name given",
                     ap_item_kind_name(kind));
        return NULL;
    }
    void *item = ap__area_item_or_error(a, kind, name, err);
    if (item == NULL && err->status == AP_OK)
        ap_error_set(err, AP_E_INPUT, "%s has no %s \"%s\"", a->code,
                     ap_item_kind_name(kind), name);
    return item;
}

/* ---- measures ------------------------------------------------------------ */

/* Rows per call of a row-wise measure: scratch that stays in cache. */
#define MEASURE_BLOCK ((size_t)4096)
/* Rows per thread, at least: below this a thread costs more than it saves. */
#define MEASURE_CHUNK_MIN ((size_t)1 << 15)

/* Accumulator fields: the row count (nonzero marks a group in use), then
 * the numerator and denominator sums, each an __int128 in two fields. */
enum { F_ROWS = 0, F_NUM = 1, F_DEN = 3, F_WIDTH = 5 };

static inline void acc_add(int64_t *field, int64_t v)
{
    ap__i128 s;
    memcpy(&s, field, sizeof s);
    s += v;
    memcpy(field, &s, sizeof s);
}

static inline ap__i128 acc_get(const int64_t *field)
{
    ap__i128 s;
    memcpy(&s, field, sizeof s);
    return s;
}

/* Why a chunk stopped; the earliest chunk's reason is reported. */
typedef enum bad_kind {
    BAD_NONE,
    BAD_FN,        /* the measure failed on rows [bad_row, bad_to) */
    BAD_NEGATIVE,  /* row bad_row has denominator bad_value */
    BAD_NOMEM
} bad_kind;

typedef struct measure_job {
    const ap__measure *m;
    const ap_measure_input *in;
    const int64_t *keys;
    size_t block;                 /* rows per call */
    ap__group_map maps[AP__MAX_THREADS];
    bad_kind bad[AP__MAX_THREADS];
    size_t bad_row[AP__MAX_THREADS], bad_to[AP__MAX_THREADS];
    int64_t bad_value[AP__MAX_THREADS];
    ap_status fn_status[AP__MAX_THREADS];
    ap_error errs[AP__MAX_THREADS];
} measure_job;

/* Adds rows [from, to), whose values start at num and den, to map. */
static bad_kind group_rows(measure_job *job, ap__group_map *map, size_t chunk,
                           size_t from, size_t to, const int64_t *num,
                           const int64_t *den)
{
    const int64_t *keys = job->keys;
    for (size_t r = from; r < to; r++) {
        int64_t d = den[r - from];
        if (d < 0) {
            job->bad_row[chunk] = r;
            job->bad_value[chunk] = d;
            return BAD_NEGATIVE;
        }
        int64_t *acc = keys != NULL ? ap__group_acc(map, keys[r]) : map->acc;
        if (acc == NULL)
            return BAD_NOMEM;
        acc[F_ROWS]++;
        acc_add(acc + F_NUM, num[r - from]);
        acc_add(acc + F_DEN, d);
    }
    return BAD_NONE;
}

static void measure_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    measure_job *job = ctx;
    const ap__measure *m = job->m;
    size_t block = job->block < to - from ? job->block : to - from;
    bad_kind bad = BAD_NONE;
    int64_t *num = calloc(block ? block : 1, sizeof *num);
    int64_t *den = calloc(block ? block : 1, sizeof *den);
    if (num == NULL || den == NULL)
        bad = BAD_NOMEM;
    for (size_t b = from; bad == BAD_NONE && b < to; b += block) {
        size_t e = to - b < block ? to : b + block;
        /* A row the measure leaves alone counts as 0 and 0, not as the
         * previous block's values. */
        if (b != from) {
            memset(num, 0, (e - b) * sizeof *num);
            memset(den, 0, (e - b) * sizeof *den);
        }
        ap_error_clear(&job->errs[chunk]);
        ap_status st = m->fn(m->user, job->in, b, e, num, den,
                             &job->errs[chunk]);
        if (st != AP_OK) {
            bad = BAD_FN;
            job->fn_status[chunk] = st;
            job->bad_row[chunk] = b;
            job->bad_to[chunk] = e;
            break;
        }
        bad = group_rows(job, &job->maps[chunk], chunk, b, e, num, den);
    }
    free(num);
    free(den);
    job->bad[chunk] = bad;
}

static ap_status report_bad(const ap_area *a, const measure_job *job,
                            size_t chunk, ap_error *err)
{
    const char *name = job->m->name;
    switch (job->bad[chunk]) {
    case BAD_FN: {
        char fallback[96];
        snprintf(fallback, sizeof fallback,
                 "failed (%s) on rows %zu to %zu without saying why",
                 ap_status_name(job->fn_status[chunk]), job->bad_row[chunk],
                 job->bad_to[chunk] - 1);
        return ap__item_failed(a, name, job->fn_status[chunk],
                               &job->errs[chunk], fallback, err);
    }
    case BAD_NEGATIVE:
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: row %zu has denominator %lld; "
                            "denominators must not be negative",
                            a->code, name, job->bad_row[chunk],
                            (long long)job->bad_value[chunk]);
    case BAD_NOMEM:
    default:
        return ap_error_set(err, AP_E_NOMEM,
                            "%s.%s: out of memory grouping the records",
                            a->code, name);
    }
}

typedef struct merge_ctx {
    ap__group_map *into;
    int failed;
} merge_ctx;

static void merge_group(void *ctx, int64_t key, const int64_t *acc)
{
    merge_ctx *c = ctx;
    int64_t *to = ap__group_acc(c->into, key);
    if (to == NULL) {
        c->failed = 1;
        return;
    }
    to[F_ROWS] += acc[F_ROWS];
    ap__i128 num = acc_get(to + F_NUM) + acc_get(acc + F_NUM);
    ap__i128 den = acc_get(to + F_DEN) + acc_get(acc + F_DEN);
    memcpy(to + F_NUM, &num, sizeof num);
    memcpy(to + F_DEN, &den, sizeof den);
}

typedef struct emit_ctx {
    ap_measure_group *groups;
    size_t n;
    int overflow;
    int64_t overflow_key;
} emit_ctx;

static void emit_group(void *ctx, int64_t key, const int64_t *acc)
{
    emit_ctx *e = ctx;
    ap__i128 num = acc_get(acc + F_NUM), den = acc_get(acc + F_DEN);
    if (!ap__fits_i64(num) || !ap__fits_i64(den)) {
        /* The smallest such key, so the message does not depend on the
         * map's order. */
        if (!e->overflow || key < e->overflow_key)
            e->overflow_key = key;
        e->overflow = 1;
        return;
    }
    e->groups[e->n++] =
        (ap_measure_group){key, acc[F_ROWS], (int64_t)num, (int64_t)den};
}

static int cmp_group_key(const void *a, const void *b)
{
    int64_t x = ((const ap_measure_group *)a)->key;
    int64_t y = ((const ap_measure_group *)b)->key;
    return (x > y) - (x < y);
}

/* Checks the caller's records before any plugin code sees them. */
static ap_status check_input(const ap_area *a, const ap__measure *m,
                             const ap_measure_input *in, ap_error *err)
{
    if (in->size < sizeof *in)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the input's size is %zu; set it to "
                            "sizeof(ap_measure_input), %zu",
                            a->code, m->name, in->size, sizeof *in);
    if (in->n_columns > 0 && (in->names == NULL || in->columns == NULL))
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the input has %zu columns but no names "
                            "or no column arrays",
                            a->code, m->name, in->n_columns);
    for (size_t i = 0; i < in->n_columns; i++) {
        if (in->names[i] == NULL)
            return ap_error_set(err, AP_E_INPUT,
                                "%s.%s: column %zu of the input has no name",
                                a->code, m->name, i);
        if (in->columns[i] == NULL && in->n_rows > 0)
            return ap_error_set(err, AP_E_INPUT,
                                "%s.%s: column '%s' of the input has no "
                                "values",
                                a->code, m->name, in->names[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->names[j], in->names[i]) == 0)
                return ap_error_set(err, AP_E_INPUT,
                                    "%s.%s: the input has two columns "
                                    "named '%s'",
                                    a->code, m->name, in->names[i]);
    }
    if (in->calendar == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the input has no calendar", a->code,
                            m->name);
    for (size_t j = 0; j < m->n_column_names; j++) {
        ap_error inner;
        if (ap__records_column(in, m->column_names[j], &inner) == NULL)
            return ap_error_set(err, AP_E_INPUT, "%s.%s reads column '%s': %s",
                                a->code, m->name, m->column_names[j],
                                inner.message);
    }
    return AP_OK;
}

ap_status ap_area_measure(const ap_area *a, const char *name,
                          const ap_measure_input *in, const int64_t *keys,
                          ap_measure_result *out, ap_error *err)
{
    ap_error local;
    if (err == NULL)
        err = &local;
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "ap_area_measure: out is NULL");
    out->groups = NULL;
    out->n_groups = 0;
    out->scale = 0;
    const ap__measure *m = find_item(a, AP_ITEM_MEASURE, name, err);
    if (m == NULL)
        return err->status;
    if (in == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s.%s: no input records",
                            a->code, m->name);
    ap_status st = check_input(a, m, in, err);
    if (st != AP_OK)
        return st;
    size_t n = in->n_rows;
    if (n == 0) {
        out->scale = m->scale;
        return AP_OK;
    }

    /* The measure sees the host's promises kept: params never NULL. */
    ap_measure_input call_in = *in;
    call_in.size = sizeof call_in;
    if (call_in.params == NULL)
        call_in.params = &no_fields;

    measure_job *job = calloc(1, sizeof *job);
    if (job == NULL)
        return ap_error_set(err, AP_E_NOMEM,
                            "%s.%s: out of memory grouping the records",
                            a->code, m->name);
    job->m = m;
    job->in = &call_in;
    job->keys = keys;
    int rowwise = (m->flags & AP_MEASURE_ROWWISE) != 0;
    int threaded = rowwise && (m->flags & AP_MEASURE_THREAD_SAFE) != 0;
    job->block = rowwise ? MEASURE_BLOCK : n;

    int64_t kmin = 0, kmax = 0;
    if (keys != NULL)
        ap__keys_range(keys, n, &kmin, &kmax);
    size_t chunks = threaded ? ap__parallel_chunks(n, MEASURE_CHUNK_MIN) : 1;
    size_t made = 0;
    for (; made < chunks; made++)
        if (ap__group_map_init(&job->maps[made], F_WIDTH, kmin, kmax) < 0) {
            made++;
            st = ap_error_set(err, AP_E_NOMEM,
                              "%s.%s: out of memory grouping the records",
                              a->code, m->name);
            break;
        }
    if (st == AP_OK) {
        /* One chunk runs here, on the calling thread: measures that are
         * not thread-safe (those backed by Python among them) rely on it. */
        if (chunks == 1)
            measure_chunk(job, 0, 0, n);
        else
            ap__parallel_run(n, chunks, measure_chunk, job);
        /* Chunks are in row order, so the first one that stopped holds the
         * earliest bad row. */
        for (size_t t = 0; t < chunks; t++)
            if (job->bad[t] != BAD_NONE) {
                st = report_bad(a, job, t, err);
                break;
            }
    }
    merge_ctx mc = {&job->maps[0], 0};
    for (size_t t = 1; st == AP_OK && t < chunks; t++) {
        ap__group_map_each(&job->maps[t], merge_group, &mc);
        if (mc.failed)
            st = ap_error_set(err, AP_E_NOMEM,
                              "%s.%s: out of memory grouping the records",
                              a->code, m->name);
    }
    if (st == AP_OK) {
        size_t groups = ap__group_map_size(&job->maps[0]);
        emit_ctx e = {malloc((groups ? groups : 1) * sizeof *e.groups), 0, 0,
                      0};
        if (e.groups == NULL) {
            st = ap_error_set(err, AP_E_NOMEM,
                              "%s.%s: out of memory grouping the records",
                              a->code, m->name);
        } else {
            ap__group_map_each(&job->maps[0], emit_group, &e);
            if (e.overflow) {
                free(e.groups);
                st = ap_error_set(err, AP_E_OVERFLOW,
                                  "%s.%s: the sums of group %lld do not fit "
                                  "in 64 bits",
                                  a->code, m->name,
                                  (long long)e.overflow_key);
            } else {
                qsort(e.groups, e.n, sizeof *e.groups, cmp_group_key);
                out->groups = e.groups;
                out->n_groups = e.n;
                out->scale = m->scale;
            }
        }
    }
    for (size_t t = 0; t < made; t++)
        ap__group_map_free(&job->maps[t]);
    free(job);
    return st;
}

void ap_measure_result_clear(ap_measure_result *result)
{
    if (result == NULL)
        return;
    free(result->groups);
    result->groups = NULL;
    result->n_groups = 0;
}

/* The old name, kept for one release so that programs built against it
 * still link: it only ever freed the members, which is what _clear means. */
void ap_measure_result_free(ap_measure_result *result)
{
    ap_measure_result_clear(result);
}

/* ---- recharge rules ------------------------------------------------------ */

ap_status ap_area_recharge(const ap_area *a, const char *name,
                           const ap_recharge_input *in, int64_t *instalments,
                           ap_error *err)
{
    ap_error local;
    if (err == NULL)
        err = &local;
    ap_error_clear(err);
    const ap__rule *r = find_item(a, AP_ITEM_RULE, name, err);
    if (r == NULL)
        return err->status;
    if (in == NULL || instalments == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: no input or nowhere to write the "
                            "instalments",
                            a->code, r->name);
    if (in->size < sizeof *in)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the input's size is %zu; set it to "
                            "sizeof(ap_recharge_input), %zu",
                            a->code, r->name, in->size, sizeof *in);
    if (in->n_instalments < 1 ||
        in->n_instalments > SIZE_MAX / sizeof *instalments)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: %zu instalments asked for; a recharge "
                            "needs at least one",
                            a->code, r->name, in->n_instalments);
    if (in->n_billed > 0 && in->billed == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: %zu instalments billed but none given",
                            a->code, r->name, in->n_billed);
    if (in->budget_share == AP_MONEY_NONE)
        return ap_error_set(err, AP_E_INPUT,
                            "%s.%s: the budget share is required",
                            a->code, r->name);

    ap_recharge_input call_in = *in;
    call_in.size = sizeof call_in;
    if (call_in.params == NULL)
        call_in.params = &no_fields;
    /* An instalment the rule does not write is 0, never the caller's
     * garbage; the conservation check then catches it. */
    memset(instalments, 0, in->n_instalments * sizeof *instalments);
    ap_error inner;
    ap_error_clear(&inner);
    ap_status st = r->fn(r->user, &call_in, instalments, &inner);
    if (st != AP_OK)
        return ap__item_failed(a, r->name, st, &inner, NULL, err);

    ap__i128 sum = 0;
    for (size_t i = 0; i < in->n_instalments; i++)
        sum += instalments[i];
    int known = in->actual_share != AP_MONEY_NONE;
    int64_t want = known ? in->actual_share : in->budget_share;
    if (sum == want)
        return AP_OK;
    char got_text[64] = "more than 64 bits hold", want_text[64];
    if (ap__fits_i64(sum))
        ap_money_format((int64_t)sum, NULL, got_text, sizeof got_text, NULL);
    ap_money_format(want, NULL, want_text, sizeof want_text, NULL);
    return ap_error_set(err, AP_E_PLUGIN,
                        "rule %s.%s broke penny conservation: instalments "
                        "sum to %s, expected %s (the %s share)",
                        a->code, r->name, got_text, want_text,
                        known ? "actual" : "budget");
}

/* ---- checks and report sections ----------------------------------------- */

/* What a check or section came to: its own status st, or, when it
 * returned AP_OK after an append to its sink failed (failed, sticky), that
 * failure, since its result is incomplete.  nomem and bad word the
 * sink's AP_E_NOMEM and AP_E_INPUT. */
static ap_status sink_outcome(const ap_area *a, const char *item,
                              ap_status st, ap_status failed,
                              ap_error *inner, const char *nomem,
                              const char *bad, ap_error *err)
{
    if (st == AP_OK && failed != AP_OK) {
        st = failed;
        ap_error_clear(inner);
    }
    if (st == AP_OK)
        return AP_OK;
    return ap__item_failed(a, item, st, inner,
                           failed == AP_E_NOMEM ? nomem
                           : failed != AP_OK    ? bad
                                                : NULL,
                           err);
}

ap_status ap_area_check(const ap_area *a, const char *name,
                        const ap_fields *data, ap_finding_list *out,
                        ap_error *err)
{
    ap_error local;
    if (err == NULL)
        err = &local;
    ap_error_clear(err);
    if (out == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_area_check: out is NULL");
    out->items = NULL;
    out->n = 0;
    const ap__check *c = find_item(a, AP_ITEM_CHECK, name, err);
    if (c == NULL)
        return err->status;
    ap_findings found;
    memset(&found, 0, sizeof found);
    ap_error inner;
    ap_error_clear(&inner);
    ap_status st = c->fn(c->user, data != NULL ? data : &no_fields, &found,
                         &inner);
    st = sink_outcome(a, c->name, st, found.failed, &inner,
                      "out of memory recording its findings",
                      "gave a finding with an unknown severity or no "
                      "message (severities are info, warning and error)",
                      err);
    if (st != AP_OK) {
        ap_finding_list_clear(&found.list);
        return st;
    }
    *out = found.list;
    return AP_OK;
}

ap_status ap_area_section(const ap_area *a, const char *name,
                          const ap_fields *data, char **text, ap_error *err)
{
    ap_error local;
    if (err == NULL)
        err = &local;
    ap_error_clear(err);
    if (text == NULL)
        return ap_error_set(err, AP_E_INPUT, "ap_area_section: text is NULL");
    *text = NULL;
    const ap__section *s = find_item(a, AP_ITEM_SECTION, name, err);
    if (s == NULL)
        return err->status;
    ap_text out;
    memset(&out, 0, sizeof out);
    ap_error inner;
    ap_error_clear(&inner);
    ap_status st = s->fn(s->user, data != NULL ? data : &no_fields, &out,
                         &inner);
    st = sink_outcome(a, s->name, st, out.failed, &inner,
                      "out of memory writing its text",
                      "gave text that could not be formatted", err);
    if (st != AP_OK) {
        free(out.buf);
        return st;
    }
    if (out.buf == NULL && (out.buf = ap__strdup("")) == NULL)
        return ap_error_set(err, AP_E_NOMEM,
                            "%s.%s: out of memory for its text", a->code,
                            s->name);
    *text = out.buf;
    return AP_OK;
}
