"""Apportion 10 million totals by a two-party basis (44.16 : 55.84).

Beside apportion's C kernel (on every core and on one thread), the same job
as an analyst would otherwise write it: numpy's cheapest float path (a
multiply, rint, a subtraction and a stack, no fix-up: fast, but it can
misplace a penny), and exact Python with fractions.Fraction (right, but slow;
timed on a sample and scaled).  Prints each time, the throughput, the ratios,
and the kernel's memory traffic beside the machine's measured bandwidth.

    .venv/bin/python bench/bench_apportion.py [--n N] [--repeat R] [--sample S]
"""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
from timing import bench_parser, best_of, memory_bandwidth, print_ratios, print_traffic

import apportion
from apportion import _core
from apportion._convert import integer_weights

WEIGHTS = ["44.16", "55.84"]
FLOAT_SHARE = 0.4416  # the first party's share as a float, as an analyst types it
INT64_MAX = 2**63 - 1



def numpy_float(totals, share=FLOAT_SHARE):
    # THE FLOAT APPROACH -- what a spreadsheet or a quick numpy script does:
    # the first share by a float multiply and np.rint (round half to even),
    # the second share the rest (total - first) so that every row still sums.
    # It is fast, but not the exact largest-remainder answer: 0.4416 is not
    # exact in binary, a product near a half-penny can round the wrong way,
    # large totals lose pence to the 53-bit mantissa, and at exact halves
    # rint goes to the even penny where largest remainder gives the penny to
    # the earlier party.  main() counts the rows it gets wrong.
    first = np.rint(totals * share).astype(np.int64)
    return np.stack([first, totals - first], axis=1)


def numpy_float_into(totals, out, scratch, share=FLOAT_SHARE):
    # The same float path given its memory, as apportion_array is given
    # out=: the products and their rounding in a float scratch array, the
    # first share cast into out's first column, the rest into the second.
    # Nothing is allocated, so like apportion into out= it pays for no
    # fresh pages.
    np.multiply(totals, share, out=scratch)
    np.rint(scratch, out=scratch)
    np.copyto(out[:, 0], scratch, casting="unsafe")
    np.subtract(totals, out[:, 0], out=out[:, 1])
    return out


def apportion_threads(totals, threads, weights=WEIGHTS, out=None):
    """apportion.apportion_array(totals, weights, out=out) on at most
    ``threads`` threads (1: the calling thread alone), through the kernel's
    own entry point, which takes the thread count; without ``out`` the
    output is allocated afresh and said to be new (fresh=True), as
    apportion_array does."""
    fresh = out is None
    if out is None:
        out = np.empty((totals.shape[0], len(weights)), dtype=np.int64)
    _core.apportion_into(totals, integer_weights(weights), "largest_remainder",
                         out, threads=threads, fresh=fresh)
    return out


def polars_float(totals, share=FLOAT_SHARE):
    # The same float approach written in polars (only if polars is installed).
    import polars as pl

    t = pl.Series("t", totals)
    first = (t * share).round(0).cast(pl.Int64)
    return np.stack([first.to_numpy(), (t - first).to_numpy()], axis=1)


def fraction_exact(totals, weights=WEIGHTS):
    """Exact largest remainder (Hamilton) in plain Python with Fraction.

    Each party gets floor(|total| * w_i / W); the pennies left over go one
    each to the largest fractional parts, ties to the earlier party; a
    negative total is apportioned as |total| and negated.  Written for any
    number of parties, independently of apportion's C code.
    """
    ws = [Fraction(w) for w in weights]
    wsum = sum(ws)
    shares = [w / wsum for w in ws]
    order_idx = range(len(ws))
    out = []
    for t in totals:
        t = int(t)
        mag = abs(t)
        exact = [mag * s for s in shares]
        floors = [q.numerator // q.denominator for q in exact]
        left = mag - sum(floors)
        by_remainder = sorted(order_idx, key=lambda i: (floors[i] - exact[i], i))
        for i in by_remainder[:left]:
            floors[i] += 1
        out.append(floors if t >= 0 else [-f for f in floors])
    return out


def check_against_reference(sample):
    """Assert apportion equals the Fraction reference, so the timings below
    compare right answers with right answers."""
    edges = [0, 1, -1, 2, -2, 3, 99, -99, 10**15 + 1, -(10**15 + 1),
             INT64_MAX, -INT64_MAX]
    values = edges + sample.tolist()
    got = apportion.apportion_array(np.array(values, dtype=np.int64), WEIGHTS)
    assert got.tolist() == fraction_exact(values), \
        "apportion_array disagrees with the Fraction reference"
    # 44.16 : 55.84 never gives an exact half-penny (276/625 has an odd
    # denominator), so check the tie rule on a 50 : 50 basis too.
    small = values[:2000]
    got = apportion.apportion_array(np.array(small, dtype=np.int64), ["50", "50"])
    assert got.tolist() == fraction_exact(small, ["50", "50"]), \
        "apportion_array disagrees with the Fraction reference at ties"
    return len(values)


def main(argv=None):
    parser = bench_parser(__doc__, 10_000_000, "number of totals")
    parser.add_argument("--sample", type=int, default=20_000,
                        help="totals the Fraction loop runs on before scaling "
                             "to --n (default 20,000)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1 or args.sample < 1:
        parser.error("--n, --repeat and --sample must be positive")
    sample_n = min(args.sample, args.n)

    rng = np.random.default_rng(args.seed)
    # Uniform from -£10m to £10m, in pence.
    totals = rng.integers(-10**9, 10**9, size=args.n, dtype=np.int64, endpoint=True)
    sample = totals[:sample_n]

    checked = check_against_reference(sample)

    exact = apportion.apportion_array(totals, WEIGHTS)
    assert (exact.sum(axis=1) == totals).all()
    assert np.array_equal(apportion_threads(totals, 1), exact)
    # The output arrays the out= runs reuse, their pages faulted in by a
    # first run, and checked, as every answer is before any timing.
    out = np.full((args.n, 2), -1, dtype=np.int64)
    assert apportion.apportion_array(totals, WEIGHTS, out=out) is out
    assert np.array_equal(out, exact)
    out.fill(-1)
    assert np.array_equal(apportion_threads(totals, 1, out=out), exact)
    approx = numpy_float(totals)
    wrong_np = int(np.count_nonzero(approx != exact) // 2)  # a wrong row has 2 wrong cells
    # On these totals and this basis the float path is exact (see
    # bench/README.md), so the race below is between equal answers.
    assert wrong_np == 0, f"numpy's float path misplaced {wrong_np} rows"
    np_out = np.full((args.n, 2), -1, dtype=np.int64)
    scratch = np.full(args.n, -1.0)
    assert np.array_equal(numpy_float_into(totals, np_out, scratch), approx)
    del approx
    # apportion on every core and on one thread, into fresh arrays and into
    # out=, numpy both ways, and the machine's read bandwidth, timed in
    # turns so that a busy moment slows all alike.
    (t_c, t_c1, t_np, t_co, t_co1, t_npo), gbps_one, gbps_all = memory_bandwidth(
        args.repeat,
        kernels=(lambda: apportion.apportion_array(totals, WEIGHTS),
                 lambda: apportion_threads(totals, 1),
                 lambda: numpy_float(totals),
                 lambda: apportion.apportion_array(totals, WEIGHTS, out=out),
                 lambda: apportion_threads(totals, 1, out=out),
                 lambda: numpy_float_into(totals, np_out, scratch)))
    assert np.array_equal(out, exact) and np.array_equal(np_out, exact)
    sample_list = sample.tolist()
    t_fr, _ = best_of(args.repeat, lambda: fraction_exact(sample_list))
    t_fr_scaled = t_fr * args.n / sample_n

    rows = [
        ("apportion.apportion_array (C), every core", t_c, "0 (exact)"),
        ("apportion (C), one thread", t_c1, "0 (exact)"),
        ("numpy float: rint(t*0.4416), t-first", t_np, f"{wrong_np:,}"),
        ("apportion_array(out=), every core", t_co, "0 (exact)"),
        ("apportion (out=), one thread", t_co1, "0 (exact)"),
        ("numpy float, into out= and a scratch", t_npo, f"{wrong_np:,}"),
    ]
    others = [("numpy float", t_np)]

    try:
        import polars  # noqa: F401
    except ImportError:
        polars_note = "polars: not installed, skipped"
    else:
        t_pl, approx = best_of(args.repeat, lambda: polars_float(totals))
        wrong_pl = int(np.count_nonzero(approx != exact) // 2)
        del approx
        rows.append(("polars float: round(t*0.4416)", t_pl, f"{wrong_pl:,}"))
        others.append(("polars float", t_pl))
        polars_note = None

    rows.append((f"Python Fraction loop (scaled x{args.n / sample_n:,.4g})",
                 t_fr_scaled, "0 (exact)"))
    others.append(("Python Fraction", t_fr_scaled))

    # Where the float approach does go wrong, on the same totals.
    halves = int(np.count_nonzero(
        np.rint(totals * 0.5).astype(np.int64)
        != apportion.apportion_array(totals, ["50", "50"])[:, 0]))
    # Fresh totals up to ±£10tn, where a double no longer holds pence exactly.
    big = np.random.default_rng(args.seed + 1).integers(
        -10**15, 10**15, size=args.n, dtype=np.int64, endpoint=True)
    big_wrong = int(np.count_nonzero(
        np.rint(big * FLOAT_SHARE).astype(np.int64)
        != apportion.apportion_array(big, WEIGHTS)[:, 0]))
    del big

    print(f"{args.n:,} totals (seeded, -£10m..£10m in pence) by 44.16 : 55.84; "
          f"best of {args.repeat}; {os.cpu_count()} CPUs")
    print(f"checked: apportion == Fraction largest remainder on {checked:,} totals")
    print()
    print(f"  {'method':<42} {'seconds':>8} {'M totals/s':>11} {'rows wrong':>11}")
    print(f"  {'-' * 42} {'-' * 8} {'-' * 11} {'-' * 11}")
    for name, t, wrong in rows:
        print(f"  {name:<42} {t:8.3f} {args.n / t / 1e6:11.2f} {wrong:>11}")
    print()
    print("  Each into a fresh array (what apportion_array returns without out=):")
    print_ratios(t_c, others)
    print_ratios(t_c1, [("numpy float (one thread too)", t_np)],
                 who="apportion on one thread")
    print("  Each into memory it is given (out=, numpy's scratch too):")
    print_ratios(t_co, [("numpy float into out=", t_npo)])
    print_ratios(t_co1, [("numpy float into out= (one thread too)", t_npo)],
                 who="apportion on one thread")
    # Read the totals (8 bytes each), write two shares (16): into out=
    # first, then into fresh arrays, whose pages the system faults in and
    # zeroes on the way.
    print("  Traffic into out= (first) and into a fresh array (second):")
    print_traffic(24 * args.n, t_co1, t_co, gbps_one, gbps_all, label="into out=:")
    print_traffic(24 * args.n, t_c1, t_c, gbps_one, gbps_all, label="into a new array:")
    print()
    print(f"  Fraction: {t_fr:.3f} s for {sample_n:,} totals, scaled linearly to {args.n:,}.")
    print("  rows wrong = rows where the float answer differs from apportion's exact one.")
    print(f"  The float approach elsewhere ({args.n:,} rows each): {halves:,} wrong on these")
    print(f"  totals with a 50 : 50 basis (exact halves); {big_wrong:,} wrong at 44.16 : 55.84")
    print("  on totals up to ±£10tn.")
    if polars_note:
        print(f"  {polars_note}")


if __name__ == "__main__":
    main()
