"""A plugin's measure and calculator, through the registry, beside the tools
a user would otherwise pick.

1. The IASS plugin's "responded within 3 working days" measure on 10 million
   records in 150 groups (the records of bench_measures.py), called through
   the registry (ServiceArea.measure: column conversion, the host's grouped
   run over threads, the plugin's per-row C); beside apportion's built-in
   kernel (within_working_days), numpy busday_count + pandas groupby, and the
   same measure written in Python with numpy and registered through a
   libffi closure (register_measure), so the cost of each path shows.
2. A calculator called through libffi (IASS population_share: an exact
   split of a total by population) beside the same exact arithmetic in
   Python with fractions.Fraction, per call.

Asserts identical counts per group (and identical shares) before printing
the times and ratios.

    .venv/bin/python bench/bench_plugins.py [--n N] [--repeat R] [--seed S]
"""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
from bench_measures import (
    LIMIT,
    as_arrays,
    assert_same,
    by_numpy_pandas,
    holidays_for,
    make_records,
)
from timing import (
    bench_parser,
    best_of,
    memory_bandwidth,
    print_ratios,
    print_traffic,
    ratio_words,
)

import apportion

MEASURE = "responded_within_3_working_days"


def by_plugin(area, records, keys, cal):
    return area.measure(MEASURE, records, by=keys, calendar=cal)


def by_builtin(start, end, keys, cal):
    return apportion.within_working_days(start, end, LIMIT, calendar=cal, by=keys)


def python_within(busdaycal):
    """The measure in Python: numpy busday_count on the int64 day arrays."""
    one = np.timedelta64(1, "D")

    def measure(records, ctx):
        start = records["received"].view("datetime64[D]")
        end = records["responded"].view("datetime64[D]")
        elapsed = np.busday_count(start + one, end + one, busdaycal=busdaycal)
        return (elapsed <= LIMIT).astype(np.int64), np.ones(len(start), np.int64)
    return measure


def on_one_core(fn):
    """fn run with this thread (and the threads it starts, which inherit it)
    held to one CPU: the measure has no threads option, so this is how it
    runs on one core.  None where the platform cannot pin threads."""
    if not hasattr(os, "sched_setaffinity"):
        return None

    def pinned():
        cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cpus)})
        try:
            return fn()
        finally:
            os.sched_setaffinity(0, cpus)
    return pinned


def counts(frame):
    """(keys, within, total) from a measure's numerator and denominator."""
    if "numerator" in frame:
        frame = frame.rename(columns={"numerator": "within", "denominator": "total"})
    return as_arrays(frame[["within", "total"]])


def share_exact(total, population, all_population):
    """Largest remainder between two parties, in Python, exactly."""
    mine = Fraction(total * population, all_population)
    rest = Fraction(total * (all_population - population), all_population)
    floor_mine, floor_rest = mine.numerator // mine.denominator, \
        rest.numerator // rest.denominator
    if floor_mine + floor_rest == total:
        return floor_mine
    # One penny left: to the larger remainder, the earlier party on a tie.
    return floor_mine + 1 if mine - floor_mine >= rest - floor_rest else floor_mine


def main(argv=None):
    parser = bench_parser(__doc__, 10_000_000, "records")
    parser.add_argument("--calls", type=int, default=100_000,
                        help="calculator calls (default 100,000)")
    args, _ = parser.parse_known_args(argv)
    if args.n < 1 or args.repeat < 1 or args.calls < 1:
        parser.error("--n, --repeat and --calls must be positive")

    area = apportion.service_area("IASS")
    start, end, keys = make_records(args.n, args.seed)
    records = {"received": start, "responded": end}
    cal = apportion.Calendar("england-and-wales")
    holidays = holidays_for(cal, start, end)
    busdaycal = np.busdaycalendar(holidays=np.array(holidays, dtype="datetime64[D]"))
    name = f"bench_python_within_{os.getpid()}"
    area.register_measure(name, python_within(busdaycal), ["received", "responded"])

    w = slice(0, min(args.n, 10_000))  # untimed warm-ups: imports, set-up
    by_plugin(area, {k: v[w] for k, v in records.items()}, keys[w], cal)
    by_builtin(start[w], end[w], keys[w], cal)
    by_numpy_pandas(start[w], end[w], keys[w], busdaycal)

    t_plugin, got = best_of(args.repeat, lambda: by_plugin(area, records, keys, cal))
    want = counts(got)
    assert want[2].sum() == args.n, "the plugin measure lost records"
    t_builtin, got = best_of(args.repeat, lambda: by_builtin(start, end, keys, cal))
    assert_same("within_working_days", counts(got), want)
    t_np, got = best_of(args.repeat, lambda: by_numpy_pandas(start, end, keys, busdaycal))
    assert_same("numpy + pandas", as_arrays(got), want)
    t_py, got = best_of(args.repeat, lambda: area.measure(name, records, by=keys,
                                                          calendar=cal))
    assert_same("the Python measure", counts(got), want)
    del got

    print(f"{args.n:,} records, {len(want[0])} groups, within {LIMIT} working "
          f"days; best of {args.repeat}; {os.cpu_count()} CPUs")
    print("checked: identical within and total in every group for all four")
    print()
    rows = [("IASS plugin measure (C, through the registry)", t_plugin),
            ("apportion.within_working_days (built-in C)", t_builtin),
            ("numpy busday_count + pandas groupby", t_np),
            ("Python measure via libffi closure (numpy)", t_py)]
    print(f"  {'method':<48} {'seconds':>8} {'M rows/s':>9}")
    print(f"  {'-' * 48} {'-' * 8} {'-' * 9}")
    for label, t in rows:
        print(f"  {label:<48} {t:8.3f} {args.n / t / 1e6:9.1f}")
    print()
    print_ratios(t_plugin, rows[1:], who="the plugin measure")

    # The plugin measure's memory traffic: it reads the two date columns and
    # the keys (8 bytes each a record) at the least, timed on one core and
    # on every core in turns with the machine's read bandwidth.
    def plugin():
        return by_plugin(area, records, keys, cal)
    one_core = on_one_core(plugin)
    if one_core is not None:
        (t_one, t_all), gbps_one, gbps_all = memory_bandwidth(
            args.repeat, (one_core, plugin))
        print()
        print("  The plugin measure reads n x (8 + 8 + 8) bytes (two dates and a "
              "key), beside numpy summing 1 GiB of int64:")
        print_traffic(args.n * (start.itemsize + end.itemsize + keys.itemsize),
                      t_one, t_all, gbps_one, gbps_all)

    # ---- a calculator through libffi ----
    rng = np.random.default_rng(args.seed)
    totals = rng.integers(1, 10**9, size=args.calls).tolist()
    pops = rng.integers(1, 100_000, size=args.calls).tolist()
    alls = [p + int(x) for p, x in zip(pops, rng.integers(1, 100_000, size=args.calls))]
    sample = list(zip(totals, pops, alls))
    for t, p, a in sample[:2000]:
        assert area.call("population_share", t, p, a) == share_exact(t, p, a), (t, p, a)
    t_call, _ = best_of(args.repeat, lambda: [area.call("population_share", t, p, a)
                                               for t, p, a in sample])
    t_frac, _ = best_of(args.repeat, lambda: [share_exact(t, p, a) for t, p, a in sample])
    print()
    print(f"  calculator population_share, {args.calls:,} calls (checked equal "
          f"to exact Fraction arithmetic on 2,000):")
    print(f"  {'IASS.call (libffi)':<48} {t_call / args.calls * 1e6:8.2f} us/call")
    print(f"  {'Python fractions.Fraction':<48} {t_frac / args.calls * 1e6:8.2f} us/call")
    print(f"  the libffi call is {ratio_words(t_call, t_frac)} than the "
          f"Python arithmetic")


if __name__ == "__main__":
    main()
