"""The array kernels release the GIL; results must not depend on threads.

The last test runs every part of the library (apportionment, calendars,
measures, the readers of every paper format, audits, the service areas'
plugins, forecasts and simulations) from 8 threads at once and compares
each result, exactly, with the one computed on a single thread first.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import apportion
from apportion import audit, forecast
from apportion.ledger import Ledger
from apportion.scenario import CostScenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TABLES = EXAMPLES / "tables"


def test_threads_give_the_same_answer():
    rng = np.random.default_rng(7)
    chunks = [rng.integers(-10**12, 10**12, size=50_000) for _ in range(8)]
    expected = [apportion.apportion_array(c, ["44.16", "55.84"]) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda c: apportion.apportion_array(c, ["44.16", "55.84"]),
                            chunks))
    for chunk, e, g in zip(chunks, expected, got):
        assert np.array_equal(e, g)
        assert np.array_equal(g.sum(axis=1), chunk)


def test_large_array_conserves_pennies():
    rng = np.random.default_rng(11)
    totals = rng.integers(-(2**62), 2**62, size=300_000)  # above the threading threshold
    out = apportion.apportion_array(totals, ["46.43", "53.57"])
    assert np.array_equal(out.sum(axis=1), totals)
    # Spot-check against the scalar path, which uses a different kernel.
    for i in rng.integers(0, totals.size, size=200):
        assert out[i].tolist() == apportion.apportion(int(totals[i]), ["46.43", "53.57"])


def test_plugin_measures_from_many_threads():
    """The registry and its measures, C and Python (through a libffi
    closure that takes the GIL back on its calling thread), used from
    several threads at once give what they give on one."""
    area = apportion.service_area("IASS")
    rng = np.random.default_rng(5)
    n = 20_000
    received = np.datetime64("2021-04-01") + rng.integers(0, 360, n)
    responded = received + rng.integers(0, 9, n)
    records = {"received": received.astype("datetime64[D]"),
               "responded": responded.astype("datetime64[D]")}
    keys = rng.integers(0, 5, n)
    cal = apportion.Calendar()

    def python_within(recs, ctx):
        r = recs["received"].view("datetime64[D]")
        s = recs["responded"].view("datetime64[D]")
        elapsed = ctx.calendar.elapsed_working_days(r, s)
        return (np.asarray(elapsed) <= 3).astype(np.int64), np.ones(len(r), np.int64)

    area.register_measure("threads_python_within", python_within,
                          ["received", "responded"])
    names = ["responded_within_3_working_days", "threads_python_within"] * 4
    serial = area.measure(names[0], records, by=keys, calendar=cal)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(
            lambda name: area.measure(name, records, by=keys, calendar=cal), names))
    for got in results:
        assert got[["numerator", "denominator"]].equals(
            serial[["numerator", "denominator"]])


# ---- everything at once, from 8 threads ----------------------------------------


def canon(value: Any) -> Any:
    """A result as plain, exactly comparable data: floats by their bits (so
    NaN equals NaN and -0.0 differs from 0.0), arrays by dtype, shape and
    bytes, frames by dtypes, labels and columns, papers and reports by
    their text."""
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, (str, int, bool, Decimal, Fraction, dt.date, type(None))):
        return value
    if isinstance(value, np.generic):
        return canon(value.item())
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ("objects", value.shape, tuple(canon(v) for v in value.ravel()))
        return ("array", value.dtype.str, value.shape,
                np.ascontiguousarray(value).tobytes())
    if isinstance(value, pd.DataFrame):
        return ("frame", canon(value.index), canon(value.columns),
                tuple(canon(value.iloc[:, j]) for j in range(value.shape[1])),
                repr(value.attrs))
    if isinstance(value, pd.Series):
        return ("series", str(value.dtype), canon(value.index), value.name,
                canon(value.to_numpy(dtype=object)))
    if isinstance(value, pd.Index):
        return ("index", str(value.dtype), value.names,
                canon(value.to_numpy(dtype=object)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(canon(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, canon(v)) for k, v in value.items()))
    if isinstance(value, apportion.audit.Report):
        return ("report", value.report(everything=True), value.to_json())
    if all(hasattr(value, a) for a in ("_repr_html_", "report", "findings")):
        # a paper (plan, outturn, contract sum, MTFP, savings); a scenario
        # run has an HTML view and a report too, and is compared below
        return (type(value).__name__, value.report(), canon(value.findings()))
    if isinstance(value, apportion.audit.Finding):
        return ("finding", canon(value.to_dict()))
    if isinstance(value, apportion.scenario.ScenarioRun):
        return ("run", canon(value.totals), canon(value.shares))
    if isinstance(value, forecast.BatchForecast):
        return ("batch", canon(value.to_frame()))
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if hasattr(value, "__dict__"):  # a KPI, a Band, a PluginInfo...
        return (type(value).__name__, canon(vars(value)))
    raise TypeError(f"canon: no exact form for {type(value).__name__}")


def _records(seed: int, n: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    received = np.datetime64("2021-04-01") + rng.integers(0, 700, n)
    return {"received": received.astype("datetime64[D]"),
            "responded": (received + rng.integers(0, 12, n)).astype("datetime64[D]"),
            "by": rng.integers(0, 4, n)}


def _table_csv(folder: Path) -> Path:
    """The outturn table of examples/tables in the audit's CSV form."""
    data = audit.load_table(TABLES / "nct-outturn-2021-22.json")
    lines = [f"#title: {data['title']}", f"#unit: {data['unit']}"]
    lines += [f"#rule: {rule}" for rule in data["rules"]]
    lines.append(",".join(["Service", *data["columns"], "total"]))
    for row in data["rows"]:
        total = row.get("total", "")
        cells = [row["label"], *[v or "" for v in row["values"]],
                 total if isinstance(total, str) else ";".join(total)]
        lines.append(",".join(f'"{c}"' for c in cells))
    path = folder / "nct-outturn-2021-22.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tasks(folder: Path) -> dict[str, Callable[[], Any]]:
    """Each task computes one thing the library does; named, so a mismatch
    says which.  Inputs are made here, once (files in ``folder``), and
    only read by the tasks."""
    rng = np.random.default_rng(2024)
    totals = rng.integers(-10**13, 10**13, size=4_000)
    lines = rng.integers(0, 10**9, size=1_200)
    recs = _records(3, 3_000)
    ew = apportion.Calendar("england-and-wales")
    scot = apportion.Calendar("scotland", extra_closures=["2021-12-29"])
    days = np.arange(np.datetime64("2021-01-01"), np.datetime64("2023-12-31"))
    offsets = rng.integers(-40, 40, size=days.size)
    subjects = rng.integers(0, 400, size=3_000)
    kpis = apportion.load_kpis(EXAMPLES / "iass-kpis.json")
    kpi = next(k for k in kpis.values() if not k.is_status)
    numerators = rng.integers(0, 100, size=2_000)
    denominators = numerators + rng.integers(0, 50, size=2_000)
    series = np.cumsum(rng.normal(100, 15, size=(64, 24)), axis=1)
    bases = json.loads((EXAMPLES / "iass-disaggregation-2022.json").read_text(
        encoding="utf-8"))
    scenario = CostScenario([1094, 1184, 1230], 8_912_300,
                            {"NNC": "44.16", "WNC": "55.84"},
                            inflation=[0, 0.035, 0.03],
                            demand_sd=[30.0, 45.0, 50.0], demand_correlation=0.5,
                            inflation_sd=0.01)
    iass = apportion.service_area("IASS")

    def python_within(r: dict[str, Any], ctx: Any) -> tuple[Any, Any]:
        # a measure in Python, called by the core through a libffi closure
        # that takes the GIL back on the calling thread
        elapsed = ctx.calendar.elapsed_working_days(r["received"].view("datetime64[D]"),
                                                    r["responded"].view("datetime64[D]"))
        return ((np.asarray(elapsed) <= 2).astype(np.int64),
                np.ones(len(elapsed), np.int64))

    if "everything_python_within" not in iass.measures:
        iass.register_measure("everything_python_within", python_within,
                              ["received", "responded"])
    nct = apportion.service_area("NCT")
    tr = apportion.service_area("TRANSFORMATION")
    transformation = json.loads((EXAMPLES / "transformation-2024-25.json").read_text(
        encoding="utf-8"))
    outturn_table = audit.load_table(TABLES / "nct-outturn-2021-22.json")
    outturn_csv = _table_csv(folder)
    iass_check = {"iass1": {"status": "not in place"},
                  "iass2": [{"period": "2021/22 Q1", "within": 95, "total": 100},
                            {"period": "2021/22 Q2", "within": 80, "total": 100}],
                  "failures": [{"type": "2.1.2", "date": dt.date(2021, 11, 3)}]}
    referrals = pd.read_csv(EXAMPLES / "iass-referrals-2021-22.csv",
                            parse_dates=["received", "responded"])

    papers = {
        "plan": (apportion.load_plan, apportion.parse_plan, "iass-2021-22.json"),
        "outturn": (apportion.load_outturn, apportion.parse_outturn,
                    "nct-outturn-2021-22.json"),
        "contract_sum": (apportion.load_contract_sum, apportion.parse_contract_sum,
                         "nct-contract-sum-2024-25.json"),
        "mtfp": (apportion.load_mtfp, apportion.parse_mtfp, "nct-mtfp-2017-21.json"),
        "savings": (apportion.load_savings, apportion.parse_savings,
                    "nct-savings-2023-24.json"),
        "kpis_iass": (apportion.load_kpis, apportion.parse_kpis, "iass-kpis.json"),
        "kpis_nct": (apportion.load_kpis, apportion.parse_kpis, "nct-kpis.json"),
        "disaggregation": (apportion.load_disaggregation, apportion.parse_disaggregation,
                           "iass-disaggregation-2022.json"),
    }

    tasks: dict[str, Callable[[], Any]] = {
        # apportionment, scalar and arrays
        "apportion": lambda: [apportion.apportion(int(t), ["44.16", "55.84"], mode)
                              for t in totals[:200] for mode in apportion.MODES],
        "apportion_array": lambda: [apportion.apportion_array(totals, w)
                                    for w in (["44.16", "55.84"], [1, 2, 3, 4, 5])],
        "apportion_lines": lambda: apportion.apportion_lines(lines, ["46.43", "53.57"]),
        "recharge_schedule": lambda: [apportion.recharge_schedule(int(t) % 10**9,
                                                                  equal_part="pounds")
                                      for t in totals[:100]],
        "money_text": lambda: [apportion.format_money(apportion.parse_money(
            apportion.format_money(int(t), "£000", decimals=3), "£000"))
            for t in totals[:300]],
        "compare_bases": lambda: apportion.compare_bases(
            "£429,000", {b["name"]: b["values"] for b in bases["bases"]}),
        # calendars and working days
        "calendar_holidays": lambda: [c.holidays(y) for c in (ew, scot)
                                      for y in range(2015, 2031)],
        "working_days": lambda: (ew.working_days(days[:-30], days[30:]),
                                 scot.is_working_day(days),
                                 ew.add_working_days(days, offsets, roll="forward"),
                                 scot.elapsed_working_days(days[:-9], days[9:]),
                                 ew.financial_year_working_days("2022/23")),
        "date_parts": lambda: (apportion.date_parts(days, "quarter"),
                               apportion.financial_year(days[::17])),
        # measures
        "within_working_days": lambda: apportion.within_working_days(
            recs["received"], recs["responded"], 5, calendar=ew, by=recs["by"]),
        "elapsed_summary": lambda: apportion.elapsed_working_days_summary(
            recs["received"], recs["responded"], calendar=scot, by=recs["by"]),
        "rereferrals": lambda: apportion.rereferrals(
            subjects, recs["received"], recs["by"], return_flags=True),
        "referrals_file": lambda: apportion.within_working_days(
            referrals["received"], referrals["responded"], 3, calendar=ew,
            by=referrals["authority"]),
        "kpi_scores": lambda: (kpi.score_rates(numerators, denominators),
                               [kpi.score(Decimal(v) / 4) for v in range(0, 404, 7)]),
        # readers: every paper format, from the file and from its text
        **{f"load_{name}": (lambda load=load, file=file: load(EXAMPLES / file))
           for name, (load, _, file) in papers.items()},
        **{f"parse_{name}": (lambda parse=parse, file=file: parse(
            (EXAMPLES / file).read_text(encoding="utf-8")))
           for name, (_, parse, file) in papers.items()},
        "ledger_csv": lambda: Ledger.read_csv(
            EXAMPLES / "nct-ledger-2021-22.csv", centre="cost_centre",
            date="date", amount="amount").apportion(
                {"NNC": "44.16", "WNC": "55.84"}).to_frame(),
        # audits
        **{f"check_table_{p.stem}": (lambda p=p: apportion.check_table(p))
           for p in sorted(TABLES.glob("*.json"))},
        "check_table_dict": lambda: apportion.check_table(outturn_table),
        "check_table_csv": lambda: apportion.check_table(outturn_csv),
        "check_figure": lambda: [audit.check_figure(s, v) for s, v in (
            ("£1.280m", 128_000_000), ("43,998", Decimal("43998.4")),
            ("(3,540)", Fraction(-354_012, 100)), ("£0.85m", 8_500_000))],
        "check_rate": lambda: [audit.check_rate(n, d, f"{s}%")
                               for n, d, s in ((29, 37, "78.3"), (57, 69, "83"),
                                               (59, 69, "85"), (1, 3, "33.4"))],
        "check_split_total": lambda: (apportion.check_split({"NNC": "44.16",
                                                             "WNC": "56.84"}),
                                      apportion.check_total(
                                          {"a": "1.280", "b": "0.410"}, "1.691")),
        # the service areas' plugins (loaded before the threads start)
        "iass_calls": lambda: (iass.call("notice_end", dt.date(2022, 1, 31)),
                               iass.call("population_share", "£407,045", 92050,
                                         92050 + 79186),
                               iass.recharge("quarterly", 21165400,
                                             actual_share="£205,000"),
                               iass.check("critical_service_failures", iass_check),
                               iass.report("recharge_summary",
                                           {"budget_share": "£211,654",
                                            "authority": "WNC", "year": "2021/22"})),
        "iass_measure": lambda: iass.measure("responded_within_3_working_days",
                                             {"received": recs["received"],
                                              "responded": recs["responded"]},
                                             by=recs["by"], calendar=ew),
        # two calendars, by turns: each call must see its own through the
        # closure (as the thread's current call), whatever other threads do
        **{f"iass_python_measure_{k}": (lambda cals=cals: [iass.measure(
            "everything_python_within", {"received": recs["received"][:300],
                                         "responded": recs["responded"][:300]},
            by=recs["by"][:300], calendar=cal) for cal in cals * 8])
           for k, cals in (("ew_first", (ew, scot)), ("scot_first", (scot, ew)))},
        "iass_score": lambda: iass.score("IASS2", {"received": recs["received"],
                                                   "responded": recs["responded"]},
                                         calendar=ew).frame,
        "nct_calls": lambda: ([nct.call("contract_split", int(t), k)
                               for t in totals[:50] for k in (0, 1)],
                              nct.measure("cic_three_or_more_placements",
                                          {"placements": subjects % 6})),
        "transformation": lambda: (tr.check(None, transformation),
                                   tr.call("balance_outstanding", "£3.291m",
                                           "£1.456m")),
        # forecasts and simulations
        "linear_trend_batch": lambda: forecast.linear_trend_batch(
            series, predict_at=np.arange(24, 30), threads=2),
        "holt_batch": lambda: forecast.holt_batch(series, 6, threads=2),
        "holt_fixed": lambda: forecast.holt_batch(series, 4, alpha=0.4, beta=0.2,
                                                  as_frame=False),
        "simulate": lambda: [scenario.simulate(500, seed, threads=2)
                             for seed in (1, 2**40 + 3)],
        "project": lambda: scenario.project(),
    }
    return tasks


THREADS = 8
ROUNDS = 4


def test_everything_from_eight_threads_gives_the_single_thread_results(tmp_path):
    """8 threads run every task of _tasks at once, each in its own order
    (so different parts of the library overlap), starting each round
    together at a barrier (at least 4 tasks must be seen running at once);
    every result must equal, exactly, the one computed first on one
    thread."""
    for code in ("IASS", "NCT", "TRANSFORMATION"):  # load the plugins up front
        apportion.service_area(code)
    tasks = _tasks(tmp_path)
    names = list(tasks)
    expected = {name: canon(tasks[name]()) for name in names}
    # A second serial pass: a task that is not deterministic on one thread
    # would be no test of threads.
    assert {name: canon(tasks[name]()) for name in names} == expected

    barrier = threading.Barrier(THREADS, timeout=120)
    mismatches: list[str] = []
    failures: list[BaseException] = []
    runs = [0] * THREADS
    lock = threading.Lock()
    active = [0, 0]  # tasks running now, the most at once

    def worker(k: int) -> None:
        order = np.random.default_rng(k).permutation(len(names))
        try:
            for r in range(ROUNDS):
                barrier.wait()
                for i in np.roll(order, r * 5):
                    name = names[i]
                    with lock:
                        active[0] += 1
                        active[1] = max(active)
                    result = canon(tasks[name]())
                    with lock:
                        active[0] -= 1
                    if result != expected[name]:
                        mismatches.append(f"thread {k}, round {r}: {name}")
                    runs[k] += 1
        except BaseException as e:  # reported after the join
            barrier.abort()
            failures.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    assert mismatches == []
    assert runs == [ROUNDS * len(names)] * THREADS
    assert active[1] >= 4, "the threads hardly overlapped"


def test_canon_tells_apart_what_differs():
    """The comparison above cannot pass by seeing too little."""
    frame = pd.DataFrame({"a": [1.0, math.nan]})
    assert canon(frame) == canon(frame.copy())
    assert canon(frame) != canon(pd.DataFrame({"a": [1.0, 2.0]}))
    assert canon(0.0) != canon(-0.0)
    assert canon(np.array([1, 2])) != canon(np.array([1, 2], dtype=np.int32))
    with pytest.raises(TypeError):
        canon(object())
