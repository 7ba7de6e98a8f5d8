/* What alloc's files share with the tests, not part of the API. */
#ifndef APPORTION_ALLOC_INTERNAL_H
#define APPORTION_ALLOC_INTERNAL_H

#include <stddef.h>

/* For the tests: on (nonzero), apportion_many's two-party float path runs
 * its baseline code even where the CPU has a faster instruction set
 * (AVX2), so that both are tested on one machine; off (0) is the default.
 * Not thread-safe: set it before apportioning. */
void ap__apportion_baseline_only(int on);

/* For the tests: from how many totals the two-party float path writes its
 * blocks with non-temporal stores (0 restores the default, 2^21), so that
 * a small array takes that path too.  Not thread-safe either. */
void ap__apportion_stream_min_rows(size_t rows);

#endif
