"""What the benchmarks share: their common options, best-of-N wall-clock
timing, and the ratio to each peer said in words.

The scripts run from this folder (directly or through run.py), so they
import it as a plain module."""

import argparse
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


def ratio_words(ours, theirs):
    """How many times faster (or slower) a time of ``ours`` is than
    ``theirs``, as "3.2x faster" or "1.5x slower"."""
    ratio = theirs / ours
    word = "faster" if ratio >= 1 else "slower"
    return f"{max(ratio, 1 / ratio):,.1f}x {word}"


def print_ratios(ours, others, who="apportion"):
    """One line per (name, seconds) peer: who is so many times faster or
    slower than it."""
    for name, t in others:
        print(f"  {who} is {ratio_words(ours, t)} than {name}")


def bench_parser(doc, n_default, n_help):
    """The options every bench takes: --n (what it counts, `n_help`),
    --repeat and --seed; a bench adds its own after."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=n_default,
                        help=f"{n_help} (default {n_default:,})")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per method; the best is reported (default 3)")
    parser.add_argument("--seed", type=int, default=2021)
    return parser
