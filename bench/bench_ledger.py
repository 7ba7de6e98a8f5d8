"""Apportion a ledger of 50 million lines to two authorities, beside pandas
and polars.

The job: sum the lines by cost centre and quarter, then split each centre's
quarters between two authorities by the centre's own weights, exactly (a
largest-remainder apportionment of each centre's running total, differenced
quarter by quarter, so every cell and every authority's year are exact).
apportion does it with ``Ledger.from_codes(...).apportion(...)``; pandas and
polars do the sum (``groupby([centre, quarter]).sum()``), then the same
exact apportionment written in integer numpy.  All three must give
identical shares before anything is timed.  The script also measures the
machine's memory read bandwidth (timing.memory_bandwidth, in turns with the
scan) and prints the bytes the scan reads and its fraction of that
bandwidth, on one thread and on every core.

    .venv/bin/python bench/bench_ledger.py [--n N] [--centres C] [--repeat R] [--seed S]
"""

from __future__ import annotations

import gc
import os

import numpy as np
from timing import bench_parser, best_of, memory_bandwidth, print_ratios, print_traffic

from apportion import _core
from apportion.ledger import Ledger

AUTHORITIES = ["NNC", "WNC"]
QUARTERS = 4


def make_ledger(n, centres, seed):
    """Seeded lines: int16 centres, int8 quarters (0-3), int64 pence (-£5k
    to £50k), and a basis per centre: two whole weights, as populations."""
    rng = np.random.default_rng(seed)
    centre = rng.integers(0, centres, size=n, dtype=np.int16)
    quarter = rng.integers(0, QUARTERS, size=n, dtype=np.int8)
    amount = rng.integers(-500_000, 5_000_000, size=n, dtype=np.int64)
    weights = rng.integers(1, 100_000, size=(centres, len(AUTHORITIES)), dtype=np.int64)
    return centre, quarter, amount, weights


def exact_two_way(totals, weights):
    """Largest remainder in integer numpy, as apportion defines it: each
    centre's running total over the quarters is apportioned (each party the
    floor of its exact share, the pennies left to the largest remainders,
    ties to the earlier party, a negative total the mirror of the positive)
    and the cumulative shares are differenced quarter by quarter.

    Exact without 128-bit integers: with M = q * W + r (0 <= r < W),
    M * w / W = q * w + r * w / W, and r * w < W * W, so it needs W < 3e9.
    """
    W = weights.sum(axis=1)
    assert W.max() < 3_000_000_000, "weights too large for this int64 method"
    bound = np.abs(totals).sum(axis=1).max()
    assert bound < 2**62, "running totals could overflow int64"
    running = np.cumsum(totals, axis=1)                      # centre x quarter
    magnitude = np.abs(running)
    q, r = np.divmod(magnitude, W[:, None])
    w = weights[:, None, :]                                  # centre x 1 x party
    rw = r[:, :, None] * w
    floors = q[:, :, None] * w + rw // W[:, None, None]
    remainders = rw % W[:, None, None]
    left = magnitude - floors.sum(axis=2)
    # Rank parties by remainder, largest first, ties to the earlier party.
    order = np.argsort(-remainders, axis=2, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(weights.shape[1]), axis=2)
    cumulative = floors + (rank < left[:, :, None])
    cumulative = np.where(running[:, :, None] < 0, -cumulative, cumulative)
    return np.diff(cumulative, axis=1, prepend=0)


def run_apportion(centre, quarter, amount, names, basis, threads=0):
    ledger = Ledger.from_codes(centre, quarter, amount, centres=names)
    return ledger.apportion(basis, threads=threads).shares


def run_pandas(frame, weights, centres):
    sums = frame.groupby(["centre", "quarter"], sort=False)["amount"].sum()
    totals = np.zeros((centres, QUARTERS), dtype=np.int64)
    totals[sums.index.get_level_values(0), sums.index.get_level_values(1)] = sums.to_numpy()
    return exact_two_way(totals, weights)


def run_polars(frame, weights, centres):
    import polars as pl

    sums = frame.group_by(["centre", "quarter"]).agg(pl.col("amount").sum())
    totals = np.zeros((centres, QUARTERS), dtype=np.int64)
    totals[sums["centre"].to_numpy(), sums["quarter"].to_numpy()] = sums["amount"].to_numpy()
    return exact_two_way(totals, weights)


def main(argv=None):
    parser = bench_parser(__doc__, 50_000_000, "ledger lines")
    parser.add_argument("--centres", type=int, default=2000,
                        help="cost centres (default 2,000)")
    args, _ = parser.parse_known_args(argv)  # run.py passes every bench's options
    if args.n < 1 or args.repeat < 1 or not 1 <= args.centres <= 32767:
        parser.error("--n and --repeat must be positive; --centres 1 to 32,767")

    centre, quarter, amount, weights = make_ledger(args.n, args.centres, args.seed)
    names = [f"CC{c:05d}" for c in range(args.centres)]
    import pandas as pd
    basis = pd.DataFrame(weights, index=names, columns=AUTHORITIES)

    # Right answers first: each method's shares must equal apportion's, on
    # every core and on one thread.
    expected = run_apportion(centre, quarter, amount, names, basis)
    t_apportion, shares = best_of(args.repeat, lambda: run_apportion(
        centre, quarter, amount, names, basis))
    assert np.array_equal(shares, expected)
    t_apportion_one, shares = best_of(args.repeat, lambda: run_apportion(
        centre, quarter, amount, names, basis, threads=1))
    assert np.array_equal(shares, expected)
    total = int(amount.sum(dtype=np.int64))
    assert int(shares.sum()) == total

    # The scan alone (the C kernel, through the glue), on one thread and on
    # every core, timed in turns with the machine's read bandwidth.
    cells = np.empty(args.centres * QUARTERS, dtype=np.int64)

    def scan(threads):
        return lambda: _core.ledger_sum(centre, quarter, amount, args.centres,
                                        QUARTERS, threads, cells)
    (t_scan_one, t_scan), gbps_one, gbps_all = memory_bandwidth(
        args.repeat, (scan(1), scan(0)))
    scanned = args.n * (centre.itemsize + quarter.itemsize + amount.itemsize)

    rows = [("apportion: Ledger.from_codes().apportion()", t_apportion),
            ("  on one thread", t_apportion_one),
            ("  of which the scan (ap_ledger_sum)", t_scan),
            ("  the scan on one thread", t_scan_one)]
    ratios = []

    frame = pd.DataFrame({"centre": centre, "quarter": quarter, "amount": amount})
    got = run_pandas(frame, weights, args.centres)
    assert np.array_equal(got, expected), "pandas + numpy disagrees with apportion"
    t_pandas, _ = best_of(args.repeat, lambda: run_pandas(frame, weights, args.centres))
    rows.append(("pandas groupby-sum + integer numpy", t_pandas))
    ratios.append(("pandas", t_pandas))
    del frame, got
    gc.collect()

    try:
        import polars as pl
    except ImportError:
        polars_note = "polars: not installed (pip install -e '.[bench]'), skipped"
    else:
        polars_note = None
        frame = pl.DataFrame({"centre": centre, "quarter": quarter, "amount": amount})
        got = run_polars(frame, weights, args.centres)
        assert np.array_equal(got, expected), "polars + numpy disagrees with apportion"
        t_polars, _ = best_of(args.repeat, lambda: run_polars(frame, weights, args.centres))
        rows.append((f"polars {pl.__version__} group_by-sum + integer numpy", t_polars))
        ratios.append(("polars", t_polars))
        del frame, got
        gc.collect()

    print(f"{args.n:,} ledger lines (seeded): {args.centres:,} cost centres (int16), "
          f"{QUARTERS} quarters (int8), amounts int64 pence; {len(AUTHORITIES)} "
          f"authorities, a basis per centre; best of {args.repeat}; "
          f"{os.cpu_count()} CPUs")
    print(f"checked: apportion (every core and one thread), pandas + numpy and "
          f"polars + numpy give identical shares ({args.centres * QUARTERS:,} "
          f"cells x {len(AUTHORITIES)} authorities), summing to the ledger "
          f"total, {total:,} pence")
    print()
    print(f"  {'method':<46} {'seconds':>8} {'M lines/s':>10}")
    print(f"  {'-' * 46} {'-' * 8} {'-' * 10}")
    for name, t in rows:
        print(f"  {name:<46} {t:8.4f} {args.n / t / 1e6:10,.0f}")
    print()
    print_ratios(t_apportion, ratios, "apportion (every core)")
    print_ratios(t_apportion_one, ratios, "apportion (one thread)")
    print()
    print(f"  The scan reads n x ({centre.itemsize} + {quarter.itemsize} + "
          f"{amount.itemsize}) bytes, beside numpy summing 1 GiB of int64:")
    print_traffic(scanned, t_scan_one, t_scan, gbps_one, gbps_all)
    print("  pandas and polars sums wrap silently past int64; apportion checks "
          "every add.")
    if polars_note:
        print(f"  {polars_note}")


if __name__ == "__main__":
    main()
