"""Apportion 10 million totals by a two-party basis (44.16 : 55.84).

Beside apportion's C kernel, the same job as an analyst would otherwise write
it: numpy with a float multiply, round and fix-up (fast, but it can misplace a
penny), and exact Python with fractions.Fraction (right, but slow; timed on a
sample and scaled).  Prints each time and the ratio.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np

import apportion

WEIGHTS = ["44.16", "55.84"]


def best_of(repeat, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def numpy_float(totals):
    # What a spreadsheet or a quick numpy script does: first share by a float
    # multiply and round, the second the rest so the row still sums.
    first = np.rint(totals * 0.4416).astype(np.int64)
    return np.stack([first, totals - first], axis=1)


def fraction_exact(totals):
    share = Fraction(4416, 10000)
    out = []
    for t in totals.tolist():
        mag = abs(t)
        exact = mag * share
        first = exact.numerator // exact.denominator
        rem = exact - first
        if rem != 0 and rem >= Fraction(1, 2):  # larger remainder, ties earlier
            first += 1
        pair = (first, mag - first)
        out.append(pair if t >= 0 else (-pair[0], -pair[1]))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(2021)
    # Amounts from -£10m to £10m, in pence.
    totals = rng.integers(-10**9, 10**9, size=args.n, dtype=np.int64)
    sample = totals[: args.sample]

    # Guard: the benchmark must compare right answers with right answers.
    reference = fraction_exact(sample)
    assert apportion.apportion_array(sample, WEIGHTS).tolist() == [list(p) for p in reference]

    t_c, exact = best_of(args.repeat, lambda: apportion.apportion_array(totals, WEIGHTS))
    t_np, approx = best_of(args.repeat, lambda: numpy_float(totals))
    t_fr, _ = best_of(1, lambda: fraction_exact(sample))
    t_fr_scaled = t_fr * args.n / args.sample
    wrong = int(np.count_nonzero(approx[:, 0] != exact[:, 0]))

    rows = [
        ("apportion (C, exact)", t_c, "exact"),
        ("numpy float round + fix-up", t_np, f"{wrong:,} rows a penny off"),
        (f"Python Fraction (x{args.n // args.sample} from {args.sample:,})",
         t_fr_scaled, "exact"),
    ]
    print(f"apportion {args.n:,} totals by 44.16 : 55.84 (best of {args.repeat})")
    print(f"  {'method':<40} {'seconds':>9} {'M totals/s':>11}  {'vs apportion':>13}  result")
    for name, t, note in rows:
        ratio = t / t_c
        print(f"  {name:<40} {t:9.3f} {args.n / t / 1e6:11.1f}  {ratio:12.1f}x  {note}")


if __name__ == "__main__":
    main()
