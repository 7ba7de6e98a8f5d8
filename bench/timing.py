"""What the benchmarks share: best-of-N wall-clock timing.

The scripts run from this folder (directly or through run.py), so they
import it as a plain module."""

import time


def best_of(repeat, fn):
    """Best wall time of ``repeat`` calls of ``fn`` (time.perf_counter), and
    the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result
