/* Helpers shared by the core's translation units; not part of the API. */
#ifndef APPORTION_INTERNAL_H
#define APPORTION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"
#include "apportion/kpi.h"
#include "apportion/money.h"

typedef __int128 ap__i128;
typedef unsigned __int128 ap__u128;

/* num / den rounded as asked; den > 0.  The result may exceed int64: the
 * caller checks the range. */
ap__i128 ap__div_round(ap__i128 num, ap__i128 den, ap_rounding rounding);

/* Nonzero when v fits in int64. */
static inline int ap__fits_i64(ap__i128 v)
{
    return v >= (ap__i128)INT64_MIN && v <= (ap__i128)INT64_MAX;
}

/* Nonzero when lo <= d <= hi (lo <= hi): one unsigned compare, which also
 * turns away NaT (INT64_MIN) without a separate test. */
static inline int ap__in_range(int64_t d, int64_t lo, int64_t hi)
{
    return (uint64_t)d - (uint64_t)lo <= (uint64_t)hi - (uint64_t)lo;
}

/* x rounded half to even to a whole number (a penny, for costs in pence)
 * in *out; 0 when x is NaN or the result is beyond int64.  Written without
 * the current rounding mode or libm, so every build rounds alike. */
static inline int ap__round_half_even(double x, int64_t *out)
{
    double r = x; /* from 2^52 up every double is a whole number */
    if (x > -0x1p52 && x < 0x1p52) {
        double t = (double)(int64_t)x; /* toward zero: exact here */
        double f = t > x ? t - 1.0 : t; /* floor */
        double frac = x - f;            /* exact, in [0, 1) */
        if (frac > 0.5 || (frac == 0.5 && (int64_t)f % 2 != 0))
            r = f + 1.0;
        else
            r = f;
    }
    if (!(r >= -0x1p63 && r < 0x1p63)) /* NaN fails too */
        return 0;
    *out = (int64_t)r;
    return 1;
}

/* a[i] = v unless a is NULL: an optional output the caller skipped. */
static inline void ap__put(double *a, size_t i, double v)
{
    if (a != NULL)
        a[i] = v;
}

/* 10^k for 0 <= k <= 18. */
int64_t ap__pow10(int k);

/* The longest prefix of text[0..len) of at most max bytes that does not
 * end inside a UTF-8 character, for quoting input in messages. */
static inline int ap__utf8_prefix(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return (int)len;
    size_t n = max;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* ---- parallel loops (parallel.c) ---------------------------------------- */

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

/* ---- calendars (working_days.c) ---------------------------------------- */

struct ap_calendar;
/* The calendar's table of working days before each date (index date -
 * *first, for dates *first..*last + 1), for the measures' inner loops. */
const int32_t *ap__calendar_before(const struct ap_calendar *cal,
                                   int64_t *first, int64_t *last);

/* Finds name among n names and stores its index in *out; otherwise an
 * AP_E_INPUT error that names `what` and lists every allowed name. */
ap_status ap__parse_name(const char *name, const char *const *names, int n,
                         const char *what, int *out, ap_error *err);

/* strdup that reports AP_E_NOMEM; the caller frees the result. */
char *ap__strdup(const char *s);

/* ---- KPIs (kpi_read.c) -------------------------------------------------- */

/* Frees every pointer one KPI owns (not the KPI itself), as
 * ap_kpi_set_free does for each of a set's: for KPIs held outside a
 * heap-allocated set, such as a plugin area's. */
void ap__kpi_release(ap_kpi *kpi);


/* ---- growing text (text.c) ---------------------------------------------- */

/* A string built piece by piece (a report section, a suggestion); failed
 * is sticky: AP_E_NOMEM, or AP_E_INPUT for a NULL or unformattable
 * format.  Zero-initialise to start.  (plugin.h names it ap_text for
 * plugins' report sections.) */
struct ap_text {
    char *buf;
    size_t len, cap;
    ap_status failed;
};

/* Appends printf-style text; returns the (sticky) status. */
ap_status ap__text_append(struct ap_text *out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The finished text, which the caller frees ("" when nothing was
 * appended), or NULL after a failure, when the buffer is freed. */
char *ap__text_take(struct ap_text *t);

#endif
