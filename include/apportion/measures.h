/* apportion: performance measures from case records, grouped by an integer
 * key, in one pass.
 *
 * Every measure returns its numerators and denominators, not only a rate,
 * so results computed on separate chunks of records add up exactly to the
 * result on all of them (ap_sla_groups_merge).  Arrays are the caller's and
 * are only read; nothing here touches global state, so the kernels run
 * without the GIL and split large inputs across threads.
 *
 * Memory.  ap_sla_measure and ap_rereferrals fill a result struct the
 * caller owns (on its stack, say) with a groups array the library
 * allocated: ap_sla_result_clear and ap_rereferral_result_clear free that
 * array and leave the struct empty, not the struct itself (clearing twice
 * is harmless).  On an error the struct is left empty.
 * ap_sla_result_merge replaces a's array (freeing the old one) and only
 * reads b; on an error a is as it was.  ap_sla_rows allocates nothing.
 * ap_sla_result_free and ap_rereferral_result_free are the deprecated
 * names of the two _clear functions. */
#ifndef APPORTION_MEASURES_H
#define APPORTION_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/calendar.h"
#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one group's records came to, for "within N working days". */
typedef struct ap_sla_group {
    int64_t key;
    int64_t records;      /* every record of the group */
    int64_t within;       /* closed within the limit */
    int64_t total;        /* the denominator: closed, plus open ones late */
    int64_t open_late;    /* open on the as-of date and already past the
                             limit: in total, counted late */
    int64_t open_pending; /* open and not yet past the limit (or no as-of
                             date): in neither within nor total */
    int64_t closed;       /* records with an end date */
    int64_t elapsed_sum;  /* sum of elapsed working days of closed records */
    int64_t elapsed_max;  /* largest elapsed of a closed record; -1 if none */
} ap_sla_group;

typedef struct ap_sla_options {
    int64_t limit;          /* within means elapsed <= limit (>= 0) */
    ap_elapsed convention;  /* how elapsed days are counted */
    int64_t as_of;          /* AP_DATE_NAT: open records are all pending */
} ap_sla_options;

/* Results, one row per distinct key in ascending key order.  The struct
 * is the caller's (on its stack, say); after a successful call its groups
 * array is too, released with ap_sla_result_clear. */
typedef struct ap_sla_result {
    ap_sla_group *groups;
    size_t n_groups;
} ap_sla_result;

/* Measures n records: start[i] (never NaT), end[i] (NaT when the record is
 * still open) and, when keys is not NULL, the group key of each record
 * (all records form the single group 0 otherwise).  An end before its
 * start, a NaT start, a date outside the calendar or an as-of date before
 * an open record's start is AP_E_INPUT naming the row and the dates.  out
 * is the caller's struct; on success its groups array is the caller's
 * too, released with ap_sla_result_clear (on an error it is empty). */
ap_status ap_sla_measure(const ap_calendar *cal, const int64_t *start,
                         const int64_t *end, const int64_t *keys, size_t n,
                         const ap_sla_options *options, ap_sla_result *out,
                         ap_error *err);
/* ap_sla_measure on `threads` threads: 0 uses every core (at most 8), 1
 * the calling thread only; a negative count is AP_E_INPUT.  The result is
 * the same for any count. */
ap_status ap_sla_measure_threads(const ap_calendar *cal,
                                 const int64_t *start, const int64_t *end,
                                 const int64_t *keys, size_t n,
                                 const ap_sla_options *options, int threads,
                                 ap_sla_result *out, ap_error *err);

/* The same rule as ap_sla_measure, row by row, for callers that sum the
 * rows themselves (a plugin's measure, through host->sla_rows).  For each
 * of the n records, start[i] and end[i] as for ap_sla_measure:
 *
 *   closed (end given)                  within[i] = elapsed <= limit,
 *                                       counted[i] = 1
 *   open and past the limit on as_of    within[i] = 0, counted[i] = 1
 *   open and not yet past it, or        within[i] = 0, counted[i] = 0
 *     no as_of (AP_DATE_NAT)
 *
 * so the sums of within and counted are a group's within and total.
 * limit >= 0 working days; convention counts elapsed days as in
 * ap_elapsed_working_days_many.  The faults are ap_sla_measure's, with the
 * same AP_E_INPUT messages, and a message names row first_row + i: a
 * caller handed rows [from, to) of a larger table passes from, so the row
 * named is the table's.  The first faulty row stops the call; within and
 * counted are then written only for the rows before it.  Every array is
 * the caller's, of n; nothing is kept, and the function touches no global
 * state, so calls on disjoint rows may run on several threads at once. */
ap_status ap_sla_rows(const ap_calendar *cal, const int64_t *start,
                      const int64_t *end, size_t n, int64_t limit,
                      ap_elapsed convention, int64_t as_of, size_t first_row,
                      int64_t *within, int64_t *counted, ap_error *err);

/* Adds b into a, group by group (keys present in either), exactly;
 * overflow is AP_E_OVERFLOW.  a is replaced by the merged result; b is
 * left as it was. */
ap_status ap_sla_result_merge(ap_sla_result *a, const ap_sla_result *b,
                              ap_error *err);

/* Frees result->groups and leaves the struct empty (NULL, 0), not the
 * struct itself, which is the caller's; clearing twice, or NULL, is fine. */
void ap_sla_result_clear(ap_sla_result *result);
/* The old name of ap_sla_result_clear, kept for one release: still
 * exported, so code built against it links; the compiler warns at each
 * use. */
AP_DEPRECATED("use ap_sla_result_clear")
void ap_sla_result_free(ap_sla_result *result);

/* Re-referrals: record i is a re-referral when the same subject has an
 * earlier record (by date, then by row order) dated on or after the same
 * day `window_months` months before record i's date (the day clamped to
 * a shorter month).  flags (n bytes, may be NULL) receives 1 for each
 * re-referral.  Per group: records (the denominator) and re-referrals (the
 * numerator).  NaT dates are errors naming the row.  Sorts a copy of the
 * subjects and dates: O(n log n) time and O(n) scratch.  out is the
 * caller's struct; on success its groups array is the caller's too,
 * released with ap_rereferral_result_clear (on an error it is empty). */
typedef struct ap_rereferral_group {
    int64_t key;
    int64_t records;
    int64_t rereferrals;
} ap_rereferral_group;

typedef struct ap_rereferral_result {
    ap_rereferral_group *groups;
    size_t n_groups;
} ap_rereferral_result;

ap_status ap_rereferrals(const int64_t *subjects, const int64_t *dates,
                         const int64_t *keys, size_t n, int64_t window_months,
                         uint8_t *flags, ap_rereferral_result *out,
                         ap_error *err);
/* As ap_sla_result_clear: frees the groups, leaves the caller's struct
 * empty. */
void ap_rereferral_result_clear(ap_rereferral_result *result);
/* The old name of ap_rereferral_result_clear, kept for one release: still
 * exported, so code built against it links; the compiler warns at each
 * use. */
AP_DEPRECATED("use ap_rereferral_result_clear")
void ap_rereferral_result_free(ap_rereferral_result *result);

#ifdef __cplusplus
}
#endif
#endif
