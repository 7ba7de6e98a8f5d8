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


def memory_bandwidth(repeat, kernels=(), threads=None):
    """Best times of ``kernels`` (callables) and of numpy summing a 1 GiB
    int64 array on one thread and in ``threads`` parts on as many threads
    at once (numpy releases the GIL inside the sum; None: every core),
    taken in turns so that a busy moment on a shared machine slows all
    alike.  Returns (list of the kernels' best seconds, read GB/s on one
    thread, read GB/s on all)."""
    import os
    import threading

    import numpy as np

    threads = threads or os.cpu_count() or 1
    data = np.ones(1 << 27, dtype=np.int64)
    data.sum()  # fault the pages in
    parts = np.array_split(data, threads)

    def all_threads():
        workers = [threading.Thread(target=p.sum) for p in parts]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    fns = [*kernels, data.sum, all_threads]
    best = [float("inf")] * len(fns)
    for _ in range(max(repeat, 5)):
        for k, fn in enumerate(fns):
            t, _ = best_of(1, fn)
            best[k] = min(best[k], t)
    return best[:-2], data.nbytes / best[-2] / 1e9, data.nbytes / best[-1] / 1e9


def print_traffic(nbytes, seconds_one, seconds_all, gbps_one, gbps_all, *,
                  label=""):
    """The kernel's memory traffic beside the machine's measured read
    bandwidth, on one thread and on every core: "moves 240 MB: 4.1 GB/s on
    one thread, 38% of the 10.8 GB/s measured; ...".  ``label`` tells apart
    two lines of one bench (run.py's table shows it)."""
    def line(seconds, gbps, who):
        rate = nbytes / seconds / 1e9
        return (f"{rate:.1f} GB/s {who}, {rate / gbps:.0%} of the {gbps:.1f} "
                f"GB/s measured")
    print(f"  {label + ' ' if label else ''}moves {nbytes / 1e6:,.0f} MB: "
          f"{line(seconds_one, gbps_one, 'on one thread')}; "
          f"{line(seconds_all, gbps_all, 'on every core')}")
