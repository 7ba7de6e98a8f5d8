/* What the tests of the grouped SLA measure (sla_measure.c) reach inside
 * it.  Not part of the API. */
#ifndef APPORTION_SLA_INTERNAL_H
#define APPORTION_SLA_INTERNAL_H

/* Nonzero: the measure's block path runs its baseline build even where
 * the CPU has a better one (AVX2), so that a test can check both; 0 (the
 * default): the best there is. */
void ap__sla_baseline_only(int on);

#endif
