/* Splitting a loop over rows into contiguous chunks run on threads.
 *
 * The kernels that use it give the same result whichever thread takes a
 * chunk: each chunk writes only its own rows or its own accumulator, and
 * the caller combines the accumulators in chunk order. */
#include "base/parallel.h"
#include "platform/platform.h"

size_t ap__parallel_chunks(size_t n, size_t min_rows_per_chunk)
{
    int cpus = ap__plat_cpu_count();
    size_t threads = cpus < 1 ? 1
                     : cpus > AP__MAX_THREADS ? AP__MAX_THREADS
                                              : (size_t)cpus;
    if (min_rows_per_chunk == 0)
        min_rows_per_chunk = 1;
    size_t by_size = n / min_rows_per_chunk;
    if (by_size < threads)
        threads = by_size < 1 ? 1 : by_size;
    return threads;
}

typedef struct chunk_job {
    ap__chunk_fn fn;
    void *ctx;
    size_t index, from, to;
} chunk_job;

static void chunk_worker(void *arg)
{
    chunk_job *job = arg;
    job->fn(job->ctx, job->index, job->from, job->to);
}

void ap__parallel_run(size_t n, size_t chunks, ap__chunk_fn fn, void *ctx)
{
    if (chunks < 1)
        chunks = 1;
    if (chunks > AP__MAX_THREADS)
        chunks = AP__MAX_THREADS;
    ap__plat_thread ids[AP__MAX_THREADS];
    chunk_job jobs[AP__MAX_THREADS];
    size_t size = (n + chunks - 1) / chunks, started = 0;
    for (size_t t = 0; t < chunks; t++) {
        size_t from = t * size < n ? t * size : n;
        size_t to = from + size < n ? from + size : n;
        jobs[t] = (chunk_job){fn, ctx, t, from, to};
        /* The calling thread takes the last chunk itself, and any chunk a
         * thread could not be started for. */
        if (t + 1 < chunks &&
            ap__plat_thread_start(&ids[started], chunk_worker, &jobs[t]) == 0)
            started++;
        else
            chunk_worker(&jobs[t]);
    }
    for (size_t t = 0; t < started; t++)
        ap__plat_thread_join(&ids[t]);
}

/* ---- batches whose chunks can fail ------------------------------------- */

typedef struct checked_run {
    ap__checked_chunk_fn fn;
    void *ctx;
    size_t failed[AP__MAX_THREADS]; /* each chunk's first failing row */
} checked_run;

static void checked_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    checked_run *run = ctx;
    run->failed[chunk] = run->fn(run->ctx, chunk, from, to);
}

size_t ap__parallel_run_checked(size_t n, size_t chunks,
                                ap__checked_chunk_fn fn, void *ctx,
                                size_t *failed_chunk)
{
    /* As ap__parallel_run bounds it, so that every chunk read below ran
     * (ap__parallel_run calls fn for every chunk, empty or not). */
    if (chunks < 1)
        chunks = 1;
    if (chunks > AP__MAX_THREADS)
        chunks = AP__MAX_THREADS;
    checked_run run = {.fn = fn, .ctx = ctx};
    ap__parallel_run(n, chunks, checked_chunk, &run);
    for (size_t c = 0; c < chunks; c++)
        if (run.failed[c] != AP__NO_FAULT) {
            *failed_chunk = c;
            return run.failed[c];
        }
    return AP__NO_FAULT;
}

ap_status ap__check_threads(int threads, ap_error *err)
{
    if (threads < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "threads must be 0 (every core) or more, not %d",
                            threads);
    return AP_OK;
}

size_t ap__batch_chunks(int threads, size_t n, size_t min_rows_per_chunk)
{
    size_t chunks = threads <= 0 ? ap__parallel_chunks(n, min_rows_per_chunk)
                                 : (size_t)threads;
    if (chunks > AP__MAX_THREADS)
        chunks = AP__MAX_THREADS;
    if (chunks > n)
        chunks = n;
    return chunks;
}
