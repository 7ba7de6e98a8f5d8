/* What alloc's files share with the tests, not part of the API. */
#ifndef APPORTION_ALLOC_INTERNAL_H
#define APPORTION_ALLOC_INTERNAL_H

/* For the tests: on (nonzero), apportion_many's two-party float path runs
 * its baseline code even where the CPU has a faster instruction set
 * (AVX2), so that both are tested on one machine; off (0) is the default.
 * Not thread-safe: set it before apportioning. */
void ap__apportion_baseline_only(int on);

#endif
