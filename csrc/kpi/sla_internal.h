/* What the tests of the grouped SLA measure (sla_measure.c) reach inside
 * it.  Not part of the API. */
#ifndef APPORTION_SLA_INTERNAL_H
#define APPORTION_SLA_INTERNAL_H

#include <stddef.h>

/* Nonzero: the measure's block path runs its baseline build even where
 * the CPU has a better one (AVX2), so that a test can check both; 0 (the
 * default): the best there is. */
void ap__sla_baseline_only(int on);

/* Nonzero: threads sharing the rows take them `rows` at a time (instead
 * of 65,536), so that a test's few records make many pieces; 0 (the
 * default): 65,536. */
void ap__sla_piece_rows(size_t rows);

#endif
