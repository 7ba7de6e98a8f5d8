"""The grouped "% within 3 working days" measure on 10 million records.

Records have a start date (uniform from 2019-04-01 to 2024-03-31), an end
date 0 to 10 calendar days later (all closed, no NaT) and one of 150 integer
groups.  Elapsed working days are counted after the start day up to and
including the end day, with England and Wales bank holidays, which is
numpy.busday_count(start + 1, end + 1).  The same job three ways:

1. apportion.within_working_days (the C kernel ap_sla_measure);
2. numpy busday_count (one busdaycalendar, built before timing) + pandas
   groupby;
3. polars business_day_count + group_by, on a DataFrame with Date columns
   built before timing (skipped when polars is not installed).

Asserts that all three give identical within and total per group, then
prints each time, the throughput and the ratios.  apportion is timed on
every core and on one thread (threads=1), in turns with numpy reading a
1 GiB array (timing.memory_bandwidth), and its traffic is printed beside
that bandwidth: the kernel reads each record's start, end and key once,
24 bytes a record.

    .venv/bin/python bench/bench_measures.py [--n N] [--repeat R] [--seed S]
"""

from __future__ import annotations

import os

import numpy as np
from timing import bench_parser, best_of, memory_bandwidth, print_ratios, print_traffic

import apportion

LIMIT = 3  # working days
GROUPS = 150
FIRST_DAY = np.datetime64("2019-04-01")
LAST_DAY = np.datetime64("2024-03-31")
MAX_DELAY = 10  # calendar days from start to end



def make_records(n, seed):
    """Seeded start and end dates (datetime64[D]) and int64 group keys."""
    rng = np.random.default_rng(seed)
    span = int((LAST_DAY - FIRST_DAY).astype(np.int64)) + 1
    start = FIRST_DAY + rng.integers(0, span, size=n, dtype=np.int64)
    end = start + rng.integers(0, MAX_DELAY, size=n, dtype=np.int64, endpoint=True)
    keys = rng.integers(0, GROUPS, size=n, dtype=np.int64)
    return start.astype("datetime64[D]"), end.astype("datetime64[D]"), keys


def holidays_for(cal, start, end):
    """Every holiday of ``cal`` in the years the records cover, as
    datetime.date objects."""
    first = int(str(start.min())[:4])
    last = int(str(end.max())[:4])
    return [d for year in range(first, last + 1) for d in cal.holidays(year)]


def by_apportion(start, end, keys, cal, threads=None):
    out = apportion.within_working_days(start, end, LIMIT, calendar=cal, by=keys,
                                        threads=threads)
    return out[["within", "total"]]


def by_numpy_pandas(start, end, keys, busdaycal):
    import pandas as pd

    one = np.timedelta64(1, "D")
    elapsed = np.busday_count(start + one, end + one, busdaycal=busdaycal)
    frame = pd.DataFrame({"k": keys, "ok": elapsed <= LIMIT})
    out = frame.groupby("k")["ok"].agg(["sum", "count"])
    return out.rename(columns={"sum": "within", "count": "total"})


def by_polars(frame, holidays):
    import polars as pl

    one = pl.duration(days=1)
    # business_day_count counts [start, end) as busday_count does, so shift
    # both ends by a day for "after the start day, up to and including the end".
    elapsed = pl.business_day_count(pl.col("start") + one, pl.col("end") + one,
                                    holidays=holidays)
    return (frame.group_by("k")
            .agg(within=(elapsed <= LIMIT).sum(), total=pl.len())
            .sort("k"))


def as_arrays(result):
    """(keys, within, total) as int64 arrays, in key order."""
    if hasattr(result, "index"):  # pandas
        keys = result.index.to_numpy()
        within, total = result["within"].to_numpy(), result["total"].to_numpy()
    else:  # polars
        keys = result["k"].to_numpy()
        within, total = result["within"].to_numpy(), result["total"].to_numpy()
    order = np.argsort(keys, kind="stable")
    return tuple(np.asarray(a, dtype=np.int64)[order] for a in (keys, within, total))


def assert_same(name, got, want):
    for label, g, w in zip(("groups", "within", "total"), got, want):
        assert g.shape == w.shape and (g == w).all(), \
            f"{name} disagrees with apportion on {label} per group"


def main(argv=None):
    parser = bench_parser(__doc__, 10_000_000, "number of records")
    # run.py passes its arguments to every bench_*.py; take the ones meant
    # for other scripts (bench_apportion's --sample) without failing.
    args, _ = parser.parse_known_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be positive")

    start, end, keys = make_records(args.n, args.seed)
    cal = apportion.Calendar("england-and-wales")
    holidays = holidays_for(cal, start, end)
    busdaycal = np.busdaycalendar(holidays=np.array(holidays, dtype="datetime64[D]"))

    # One untimed call of each method on a few records first, so that no
    # timing includes a one-off import (apportion's measures import pandas
    # on first use, about 0.17 s) or a first-call set-up.
    w = slice(0, min(args.n, 10_000))
    by_apportion(start[w], end[w], keys[w], cal)
    by_numpy_pandas(start[w], end[w], keys[w], busdaycal)

    got_ap = by_apportion(start, end, keys, cal)
    want = as_arrays(got_ap)
    assert want[2].sum() == args.n, "apportion lost records"
    assert_same("apportion on one thread",
                as_arrays(by_apportion(start, end, keys, cal, threads=1)), want)
    # Timed in turns with the memory read, so that a busy moment on a
    # shared machine slows both alike.
    (t_ap, t_one), gbps_one, gbps_all = memory_bandwidth(
        args.repeat, [lambda: by_apportion(start, end, keys, cal),
                      lambda: by_apportion(start, end, keys, cal, threads=1)])
    nbytes = start.nbytes + end.nbytes + keys.nbytes
    t_np, got_np = best_of(args.repeat,
                           lambda: by_numpy_pandas(start, end, keys, busdaycal))
    assert_same("numpy + pandas", as_arrays(got_np), want)
    del got_np

    rows = [("apportion.within_working_days (C), every core", t_ap),
            ("apportion.within_working_days (C), one thread", t_one),
            ("numpy busday_count + pandas groupby", t_np)]
    others = [("numpy + pandas", t_np)]
    try:
        import polars as pl
    except ImportError:
        polars_note = "polars: not installed, skipped"
    else:
        # Built before timing: polars times the measure, not the conversion.
        frame = pl.DataFrame({"start": start, "end": end, "k": keys})
        assert frame.schema["start"] == pl.Date and frame.schema["end"] == pl.Date
        by_polars(frame.head(10_000), holidays)  # untimed warm-up, as above
        t_pl, got_pl = best_of(args.repeat, lambda: by_polars(frame, holidays))
        assert_same("polars", as_arrays(got_pl), want)
        del frame, got_pl
        rows.append((f"polars {pl.__version__} business_day_count + group_by", t_pl))
        others.append(("polars", t_pl))
        polars_note = ("polars: the DataFrame (Date columns) is built before "
                       "timing; the time is the measure alone.")

    within, total = want[1].sum(), want[2].sum()
    print(f"{args.n:,} records (seeded, starts {FIRST_DAY}..{LAST_DAY}, "
          f"0-{MAX_DELAY} days to close), {len(want[0])} groups, within "
          f"{LIMIT} working days; best of {args.repeat}; {os.cpu_count()} CPUs")
    print(f"checked: identical within and total in every group for all methods "
          f"({within:,} of {total:,} within, {100 * within / total:.2f}%)")
    print("threads: apportion's kernel splits large inputs across the CPUs; "
          "polars is multi-threaded too; numpy + pandas run on one thread.")
    print()
    print(f"  {'method':<50} {'seconds':>8} {'M rows/s':>9}")
    print(f"  {'-' * 50} {'-' * 8} {'-' * 9}")
    for name, t in rows:
        print(f"  {name:<50} {t:8.3f} {args.n / t / 1e6:9.1f}")
    print()
    print_ratios(t_ap, others, who="apportion on every core")
    print_ratios(t_one, others, who="apportion on one thread")
    print_traffic(nbytes, t_one, t_ap, gbps_one, gbps_all)
    print()
    print(f"  Each time runs from the date arrays to the grouped counts; holidays: "
          f"England and Wales, {len(holidays)} days.")
    print("  numpy: busday_count(start + 1, end + 1) with one busdaycalendar "
          "built before timing.")
    print(f"  {polars_note}")
    print("  Each method runs once untimed on 10,000 records first (imports, set-up).")
    print("  Traffic: start, end and key read once, 24 bytes a record; bandwidth: "
          "numpy summing 1 GiB of int64 on one thread and on every core, timed "
          "in turns with apportion (best of each).")


if __name__ == "__main__":
    main()
