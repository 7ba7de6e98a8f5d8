"""Record a year of monthly KPI results and a year of ledger totals in the
history store (apportion.store), on SQLite and on PostgreSQL, and read them
back; beside the same data through pandas ``DataFrame.to_sql`` and
``read_sql`` on the same engine.

The year: 21 monthly KPIs (the NCT contract's 14 monthly KPIs the plugin
defines, and 7 made-up stand-ins for the rest of Schedule 6, which the
papers do not print) x 2 authorities x 12 months, seeded numerators and
denominators, scored month by month; and a ledger of 2,000 cost centres
apportioned to the 2 authorities by period, 12 months of totals (48,000
cells).  PostgreSQL is a throwaway cluster the bench starts with
tests/postgres_cluster.py (fsync off: a test server), unless --backend
sqlite.

What is timed, each on a fresh empty database (the store's schema made
before the clock starts, and pandas' table too):

- KPIs, month by month: ``apportion.scorecard(kpis, month, store=s)`` (scores
  the month with the stored months before it, and records it: one import
  each), and ``s.record_scorecard(card)`` of the twelve cards scored
  beforehand (the store alone); pandas: ``to_sql`` appending each month's
  rows (kpi, group, period's first day, frequency, numerator, denominator,
  exact value as numerator and denominator, rag).  The year recorded again
  (nothing changes: the store's idempotent path).  Read back:
  ``s.history()`` (a row per kpi, group and period, periods as pandas
  Periods, values as Fractions too, joined with the import trail) against
  ``read_sql`` of pandas' table.
- Ledger: ``s.record_ledger(apportionment, period="P1")`` ... "P12" (one
  import a month, 4,000 cells) and the year in one import; pandas:
  ``to_sql`` of the long frame (centre, period's first day, frequency,
  authority, pence) a month at a time and the year at once.  Read back:
  ``s.ledger_totals()`` against ``read_sql``.

Before anything is timed, what each path reads back is asserted equal to
what went in.

    .venv/bin/python bench/bench_store.py [--centres C] [--kpis K] [--repeat R]
                                          [--seed S] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from timing import best_of, ratio_words

import apportion
import apportion.store
from apportion import KPI
from apportion.ledger import Ledger

HERE = Path(__file__).resolve().parent
AUTHORITIES = ["NNC", "WNC"]
FINANCIAL_YEAR = "2021/22"
MONTHS = [f"{y}-{m:02d}" for y, m in
          [(2021, m) for m in range(4, 13)] + [(2022, m) for m in range(1, 4)]]


def month_start(k):
    """The first day of the financial year's month k (0 = April)."""
    year, month = MONTHS[k].split("-")
    return dt.date(int(year), int(month), 1)


# ---- the data ------------------------------------------------------------

def make_kpis(count):
    """The NCT plugin's monthly KPIs, then made-up stand-ins up to count."""
    nct = apportion.service_area("NCT").kpis
    kpis = {ref: k for ref, k in nct.items() if k.frequency == "monthly"}
    kpis = dict(list(kpis.items())[:count])
    n = len(kpis)
    while len(kpis) < count:
        n += 1
        ref = f"MADE-UP-{n:02d}"
        higher = n % 2 == 0
        kpis[ref] = KPI(ref, f"Made-up KPI {n} (a stand-in for the bench)", "%",
                        polarity="higher" if higher else "lower",
                        target=90 if higher else 10,
                        bands=("Green = 90% or above, Amber = 80-90%, Red = below 80%"
                               if higher else
                               "Green = 10% or below, Amber = 10-20%, Red = above 20%"),
                        frequency="monthly", warn=False)
    return kpis


def make_kpi_values(kpis, seed):
    """A seeded year of returns: per KPI, authority and month a denominator
    of 20 to 400 cases and a numerator around a KPI's own rate."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    months = []
    for k in range(len(MONTHS)):
        rows = []
        for i, ref in enumerate(kpis):
            for group in AUTHORITIES:
                den = int(rng.integers(20, 401))
                rate = 0.70 + 0.25 * ((i * 7 + k) % 11) / 10
                num = int(rng.binomial(den, min(rate, 0.99)))
                rows.append((ref, group, MONTHS[k], num, den))
        months.append(pd.DataFrame(rows, columns=["kpi", "group", "period",
                                                  "numerator", "denominator"]))
    return months


def kpi_rows_frame(card):
    """What pandas writes for a scored month: the stored result's facts in
    plain columns (the period as its first day, the exact value as a
    numerator and denominator, as the store keeps them)."""
    import pandas as pd

    f = card.frame.reset_index()
    value_num, value_den = [], []
    for num, den in zip(f["numerator"], f["denominator"]):
        g = np.gcd(100 * int(num), int(den))
        value_num.append(100 * int(num) // g)
        value_den.append(int(den) // g)
    return pd.DataFrame({
        "kpi": f["kpi"].astype(str),
        "grp": f["group"].astype(str),
        "period_start": [pd.Period(p, "M").start_time.date() for p in f["period"]],
        "frequency": "M",
        "numerator": f["numerator"].astype("int64"),
        "denominator": f["denominator"].astype("int64"),
        "value_num": np.array(value_num, dtype=np.int64),
        "value_den": np.array(value_den, dtype=np.int64),
        "rag": f["rag"].astype(str),
    })


def make_ledger(centres, lines, seed):
    """A seeded ledger of the year by month, and its apportionment to the
    two authorities by each centre's own weights."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    codes = np.arange(lines, dtype=np.int64) % centres          # every centre
    period = rng.integers(0, 12, size=lines, dtype=np.int8)
    period[:centres * 12] = np.repeat(np.arange(12, dtype=np.int8), centres)[:lines]
    amount = rng.integers(-500_000, 5_000_000, size=lines, dtype=np.int64)
    names = [f"CC{c:05d}" for c in range(centres)]
    ledger = Ledger.from_codes(codes.astype(np.int16), period, amount, centres=names,
                               periods="month", financial_year=FINANCIAL_YEAR)
    weights = rng.integers(1, 100_000, size=(centres, len(AUTHORITIES)), dtype=np.int64)
    basis = pd.DataFrame(weights, index=names, columns=AUTHORITIES)
    return ledger.apportion(basis)


def ledger_frame(app):
    """The long frame of the apportionment's cells: centre, period_start,
    frequency, authority, pence (centre-major, as the store reads back)."""
    import pandas as pd

    shares = np.asarray(app.shares)                              # centre x period x authority
    c, p, a = np.meshgrid(np.arange(shares.shape[0]), np.arange(shares.shape[1]),
                          np.arange(shares.shape[2]), indexing="ij")
    centres = np.array([str(x) for x in app.centres], dtype=object)
    authorities = np.array([str(x) for x in app.authorities], dtype=object)
    starts = np.array([month_start(k) for k in range(shares.shape[1])], dtype=object)
    return pd.DataFrame({
        "centre": centres[c.ravel()],
        "period_start": starts[p.ravel()],
        "frequency": "M",
        "authority": authorities[a.ravel()],
        "pence": shares.ravel().astype(np.int64),
    })


# ---- databases -----------------------------------------------------------

class Databases:
    """A fresh empty database per call of ``new()``, on one backend."""

    def __init__(self, backend, folder, cluster):
        self.backend, self.folder, self.cluster = backend, folder, cluster
        self.made = []
        self.count = 0

    def new(self):
        self.count += 1
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder}/store_{self.count}.db"
        name = self.cluster.create_database()
        self.made.append(name)
        return self.cluster.url(name)

    def drop_all(self):
        for name in self.made:
            self.cluster.drop_database(name)
        self.made.clear()


def fresh(dbs, *tables):
    """A store on a fresh database, with pandas' tables made empty (the
    schema's time kept out of the timing, as the store's is)."""
    store = apportion.store.open(dbs.new())
    for name, frame in tables:
        frame.head(0).to_sql(name, store.engine, index=False)
    return store


def read_table(store, name, columns):
    import pandas as pd

    frame = pd.read_sql(f"SELECT * FROM {name} ORDER BY {', '.join(columns)}",
                        store.engine)
    return frame


def normalise_dates(frame):
    """read_sql gives DATE as datetime.date on PostgreSQL and as text on
    SQLite: both as dates."""
    import pandas as pd

    out = frame.copy()
    out["period_start"] = [x if isinstance(x, dt.date) and not isinstance(x, dt.datetime)
                           else pd.Timestamp(x).date() for x in out["period_start"]]
    return out


# ---- the benchmark on one backend -----------------------------------------

def run_backend(backend, dbs, kpis, months, app, repeat):
    import pandas as pd

    print(f"-- {backend}")
    cards = [apportion.scorecard(kpis, m) for m in months]
    kpi_frames = [kpi_rows_frame(c) for c in cards]
    kpi_all = pd.concat(kpi_frames, ignore_index=True)
    ledger_all = ledger_frame(app)
    n_centres = len(app.centres)
    ledger_months = [ledger_all[ledger_all["period_start"] == month_start(k)]
                     for k in range(len(MONTHS))]

    # -- right answers first -------------------------------------------------
    s = fresh(dbs, ("kpi_pandas", kpi_all))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in months:
            apportion.scorecard(kpis, m, store=s)
    hist = s.history()
    want = pd.concat(months, ignore_index=True).sort_values(
        ["kpi", "group", "period"]).reset_index(drop=True)
    assert len(hist) == len(want) == len(kpis) * len(AUTHORITIES) * len(MONTHS)
    assert list(hist["kpi"]) == list(want["kpi"])
    assert list(hist["group"]) == list(want["group"])
    assert [str(p) for p in hist["period"]] == list(want["period"])
    assert list(hist["numerator"]) == list(want["numerator"])
    assert list(hist["denominator"]) == list(want["denominator"])
    rags = {(r.kpi, r.group, str(r.period)): r.rag
            for c in cards for r in c.frame.reset_index().itertuples()}
    assert [rags[(k, g, str(p))] for k, g, p in
            zip(hist["kpi"], hist["group"], hist["period"])] == list(hist["rag"])
    for f in kpi_frames:
        f.to_sql("kpi_pandas", s.engine, index=False, if_exists="append")
    keys = ["kpi", "grp", "period_start"]
    back = normalise_dates(read_table(s, "kpi_pandas", keys))
    pd.testing.assert_frame_equal(
        back, kpi_all.sort_values(keys).reset_index(drop=True), check_dtype=False)
    s.close()

    s = fresh(dbs, ("ledger_pandas", ledger_all))
    for k in range(len(MONTHS)):
        s.record_ledger(app, period=f"P{k + 1}")
    totals = s.ledger_totals()
    got = totals.assign(period_start=[p.start_time.date() for p in totals["period"]])
    got = got.sort_values(["centre", "period_start", "authority"]).reset_index(drop=True)
    assert len(got) == n_centres * len(MONTHS) * len(AUTHORITIES)
    assert list(got["pence"]) == list(ledger_all["pence"])
    assert list(got["centre"]) == list(ledger_all["centre"])
    assert list(got["period_start"]) == list(ledger_all["period_start"])
    assert list(got["authority"]) == list(ledger_all["authority"])
    assert int(got["pence"].sum()) == int(np.asarray(app.shares).sum())
    for f in ledger_months:
        f.to_sql("ledger_pandas", s.engine, index=False, if_exists="append")
    keys = ["centre", "period_start", "authority"]
    back = normalise_dates(read_table(s, "ledger_pandas", keys))
    pd.testing.assert_frame_equal(back, ledger_all, check_dtype=False)
    s.close()
    dbs.drop_all()

    # -- timings ---------------------------------------------------------------
    def on_fresh(setup, work, tables=()):
        """Best of repeat: each run on a fresh database made by setup."""
        best = float("inf")
        for _ in range(repeat):
            store = fresh(dbs, *tables)
            try:
                setup(store)
                t, _ = best_of(1, lambda s=store: work(s))
            finally:
                store.close()
            best = min(best, t)
        dbs.drop_all()
        return best

    def scorecards(store):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for m in months:
                apportion.scorecard(kpis, m, store=store)

    def record_cards(store):
        for c in cards:
            store.record_scorecard(c)

    def nothing(store):
        pass

    def kpi_to_sql(store):
        for f in kpi_frames:
            f.to_sql("kpi_pandas", store.engine, index=False, if_exists="append")

    results = {}
    results["kpi scorecard"] = on_fresh(nothing, scorecards)
    results["kpi record"] = on_fresh(nothing, record_cards)
    results["kpi again"] = on_fresh(record_cards, record_cards)
    results["kpi to_sql"] = on_fresh(nothing, kpi_to_sql, [("kpi_pandas", kpi_all)])

    def both_kpi(store):
        record_cards(store)
        kpi_to_sql(store)

    store = fresh(dbs, ("kpi_pandas", kpi_all))
    both_kpi(store)
    results["kpi history"], _ = best_of(repeat, store.history)
    results["kpi read_sql"], _ = best_of(repeat, lambda: read_table(
        store, "kpi_pandas", ["kpi", "grp", "period_start"]))
    store.close()
    dbs.drop_all()

    def ledger_by_month(store):
        for k in range(len(MONTHS)):
            store.record_ledger(app, period=f"P{k + 1}")

    def ledger_year(store):
        store.record_ledger(app)

    def ledger_to_sql_months(store):
        for f in ledger_months:
            f.to_sql("ledger_pandas", store.engine, index=False, if_exists="append")

    def ledger_to_sql_year(store):
        ledger_all.to_sql("ledger_pandas", store.engine, index=False, if_exists="append")

    lt = [("ledger_pandas", ledger_all)]
    results["ledger months"] = on_fresh(nothing, ledger_by_month)
    results["ledger year"] = on_fresh(nothing, ledger_year)
    results["ledger again"] = on_fresh(ledger_year, ledger_year)
    results["ledger to_sql months"] = on_fresh(nothing, ledger_to_sql_months, lt)
    results["ledger to_sql year"] = on_fresh(nothing, ledger_to_sql_year, lt)

    store = fresh(dbs, *lt)
    ledger_year(store)
    ledger_to_sql_year(store)
    results["ledger totals"], _ = best_of(repeat, store.ledger_totals)
    results["ledger read_sql"], _ = best_of(repeat, lambda: read_table(
        store, "ledger_pandas", ["centre", "period_start", "authority"]))
    store.close()
    dbs.drop_all()

    n_kpi = len(kpi_all)
    n_ledger = len(ledger_all)
    for job, ours, theirs, kind in _SUMMARY_ROWS:
        SUMMARY.append((backend, job, n_kpi if kind == "kpi" else n_ledger,
                        results[ours], results[theirs]))
    print(f"  KPI results: {len(kpis)} KPIs x {len(AUTHORITIES)} authorities x "
          f"{len(MONTHS)} months = {n_kpi:,} rows, a month at a time")
    line(f"scorecard(..., store=) x{len(MONTHS)}", results["kpi scorecard"], n_kpi)
    line(f"record_scorecard x{len(MONTHS)}", results["kpi record"], n_kpi)
    line("the year again (unchanged)", results["kpi again"], n_kpi)
    line(f"pandas to_sql x{len(MONTHS)}", results["kpi to_sql"], n_kpi)
    line("history()", results["kpi history"], n_kpi)
    line("pandas read_sql", results["kpi read_sql"], n_kpi)
    compare("record_scorecard", results["kpi record"], "to_sql", results["kpi to_sql"])
    compare("scorecard(..., store=)", results["kpi scorecard"], "to_sql",
            results["kpi to_sql"])
    compare("history()", results["kpi history"], "read_sql", results["kpi read_sql"])
    print(f"  Ledger totals: {n_centres:,} centres x {len(MONTHS)} months x "
          f"{len(AUTHORITIES)} authorities = {n_ledger:,} cells")
    line(f"record_ledger a month at a time x{len(MONTHS)}", results["ledger months"],
         n_ledger)
    line("record_ledger the year at once", results["ledger year"], n_ledger)
    line("the year again (unchanged)", results["ledger again"], n_ledger)
    line(f"pandas to_sql a month at a time x{len(MONTHS)}",
         results["ledger to_sql months"], n_ledger)
    line("pandas to_sql the year at once", results["ledger to_sql year"], n_ledger)
    line("ledger_totals()", results["ledger totals"], n_ledger)
    line("pandas read_sql", results["ledger read_sql"], n_ledger)
    compare("record_ledger by month", results["ledger months"], "to_sql by month",
            results["ledger to_sql months"])
    compare("record_ledger the year", results["ledger year"], "to_sql the year",
            results["ledger to_sql year"])
    compare("ledger_totals()", results["ledger totals"], "read_sql",
            results["ledger read_sql"])
    return results


#: What run.py gathers into its closing table: (backend, job, rows, the
#: store's seconds, pandas' seconds), filled by main().
SUMMARY = []

_SUMMARY_ROWS = [
    ("KPI year, month by month", "kpi record", "kpi to_sql", "kpi"),
    ("KPI history read back", "kpi history", "kpi read_sql", "kpi"),
    ("ledger year, month by month", "ledger months", "ledger to_sql months", "ledger"),
    ("ledger year in one import", "ledger year", "ledger to_sql year", "ledger"),
    ("ledger totals read back", "ledger totals", "ledger read_sql", "ledger"),
]


def line(what, seconds, rows):
    print(f"    {what:<44} {seconds:8.3f} s  {rows / seconds:>10,.0f} rows/s")


def compare(ours, t_ours, theirs, t_theirs):
    print(f"    {ours} is {ratio_words(t_ours, t_theirs)} than pandas {theirs}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kpis", type=int, default=21, help="monthly KPIs (default 21)")
    parser.add_argument("--centres", type=int, default=2000,
                        help="cost centres (default 2,000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per method, each on a fresh database; the best is "
                             "reported (default 3)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"],
                        default="both")
    args, _ = parser.parse_known_args(argv)  # run.py passes every bench's options
    if args.repeat < 1 or not 1 <= args.kpis <= 99 or not 1 <= args.centres <= 32767:
        parser.error("--repeat must be positive; --kpis 1 to 99; --centres 1 to 32,767")

    import sqlalchemy

    kpis = make_kpis(args.kpis)
    months = make_kpi_values(kpis, args.seed)
    app = make_ledger(args.centres, max(20 * args.centres, args.centres * 12), args.seed)
    print(f"apportion {apportion.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
          f"pandas {__import__('pandas').__version__}; {os.cpu_count()} CPUs; "
          f"best of {args.repeat}, each on a fresh database")

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    found = {}
    with tempfile.TemporaryDirectory(prefix="apportion-bench-store-") as folder:
        for backend in backends:
            cluster = None
            if backend == "postgresql":
                sys.path.insert(0, str(HERE.parent / "tests"))
                from postgres_cluster import PostgresCluster

                cluster = PostgresCluster().start()
                print(f"PostgreSQL {cluster.sql('SHOW server_version')}: a throwaway "
                      f"cluster from {cluster.bin_dir}, fsync off")
            try:
                found[backend] = run_backend(backend, Databases(backend, folder, cluster),
                                             kpis, months, app, args.repeat)
            finally:
                if cluster is not None:
                    cluster.stop()
    if len(found) == 2:
        print("-- PostgreSQL against SQLite (the same work)")
        for key in found["sqlite"]:
            print(f"    {key:<24} {ratio_words(found['postgresql'][key], found['sqlite'][key])}"
                  " on PostgreSQL")


if __name__ == "__main__":
    main()
