/* Parallel loops over rows (parallel.c): the kernels' chunking and the
 * batches' checks of their `threads` argument.  Not part of the API. */
#ifndef APPORTION_PARALLEL_H
#define APPORTION_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#define AP__MAX_THREADS 8

/* Called once per chunk with the chunk's index and its rows [from, to). */
typedef void (*ap__chunk_fn)(void *ctx, size_t chunk, size_t from, size_t to);

/* How many chunks to split n rows into: one per CPU (at most
 * AP__MAX_THREADS), but none smaller than min_rows_per_chunk; at least 1. */
size_t ap__parallel_chunks(size_t n, size_t min_rows_per_chunk);

/* Runs fn on `chunks` contiguous chunks of [0, n), on threads, and returns
 * when all are done.  The calling thread runs one chunk itself. */
void ap__parallel_run(size_t n, size_t chunks, ap__chunk_fn fn, void *ctx);

/* For kernels whose chunks stop at their first failing row: fn returns
 * that row, or AP__NO_FAULT. */
#define AP__NO_FAULT SIZE_MAX
typedef size_t (*ap__checked_chunk_fn)(void *ctx, size_t chunk, size_t from,
                                       size_t to);

/* ap__parallel_run for a checked kernel.  Returns the lowest failing row of
 * [0, n) (chunks are contiguous and in row order, so it is the first
 * failing chunk's), or AP__NO_FAULT, and its chunk in *failed_chunk, for the
 * caller to read what that chunk recorded about it. */
size_t ap__parallel_run_checked(size_t n, size_t chunks,
                                ap__checked_chunk_fn fn, void *ctx,
                                size_t *failed_chunk);

/* The batches' check of their `threads` argument: AP_E_INPUT for a
 * negative one, saying what is allowed. */
ap_status ap__check_threads(int threads, ap_error *err);

/* How many chunks a batch of n > 0 rows runs in for a checked `threads`:
 * that many, or for 0 ap__parallel_chunks(n, min_rows_per_chunk); never
 * more than AP__MAX_THREADS or n. */
size_t ap__batch_chunks(int threads, size_t n, size_t min_rows_per_chunk);

#endif
