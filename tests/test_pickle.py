"""apportion's objects pickle, so they travel to workers (issue 6).

Every public object is sent through pickle and through cloudpickle (what
Dask's distributed falls back to) and must come back the same: the same
state, attribute by attribute, and the same behaviour, every public
property and every public method that needs no argument giving the same
value (DataFrames compared by pandas.testing), besides the calls each
object's own tests make.  A fresh interpreter then unpickles them as a
worker would, with no plugin loaded and no calendar cached, and must give
the figures this process gives.

What needed work: a Calendar holds its C calendar in a capsule, which
cannot be pickled, so it travels as its division, closure days and
weekmask; a Ledger named its lines with lambdas; a LedgerApportionment's
shares came back writeable; a ServiceArea is looked up again by its code,
loading its plugin from the same path if need be, and brings the Python
measures and rules registered on it (by name, or by value with cloudpickle
when pickle could not send them by name).
"""

import dataclasses
import datetime as dt
import functools
import inspect
import math
import os
import pickle
import subprocess
import sys
import textwrap
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import apportion
from apportion import (
    KPI,
    AmbiguousBandsWarning,
    ApportionError,
    Calendar,
    InputError,
    Ledger,
    MoneyOverflowError,
    PlanError,
    PluginError,
    PluginWarning,
    UnusedBasisWarning,
)
from apportion.plugin import Calculator, Item, Measure, MeasureContext, RuleContext, _unpickle_area
from apportion.plugin_tool import build_plugin, new_plugin

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IASS_PLAN = EXAMPLES / "iass-2021-22.json"
NCT_LEDGER = EXAMPLES / "nct-ledger-2021-22.csv"
REFERRALS = EXAMPLES / "iass-referrals-2021-22.csv"
SPLIT = {"NNC": "44.16", "WNC": "55.84"}  # the NCT contract's split

DUMPERS = {"pickle": lambda obj: pickle.dumps(obj, pickle.HIGHEST_PROTOCOL),
           "cloudpickle": cloudpickle.dumps}


@pytest.fixture(params=sorted(DUMPERS))
def roundtrip(request):
    """obj -> pickle.loads(dumps(obj)), once with pickle and once with
    cloudpickle."""
    dumps = DUMPERS[request.param]
    return lambda obj: pickle.loads(dumps(obj))


# ---- comparing ------------------------------------------------------------------

CAPSULE = type(Calendar()._cal)


def assert_same(a, b, where="obj"):
    """a and b hold the same values all the way down: DataFrames and
    arrays equal with their dtypes, apportion objects attribute by
    attribute.  A C capsule cannot be compared, only that both have one."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, pd.DataFrame):
        pdt.assert_frame_equal(a, b, obj=where)
        assert a.attrs == b.attrs, where
    elif isinstance(a, pd.Series):
        pdt.assert_series_equal(a, b, obj=where)
    elif isinstance(a, pd.Index):
        pdt.assert_index_equal(a, b, obj=where)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, where
        assert a.flags.writeable == b.flags.writeable, f"{where}: writeable"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, CAPSULE):
        pass
    elif isinstance(a, apportion.ServiceArea):
        assert a.code == b.code, where  # the rest is looked up: see behaviour
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, functools.partial):
        assert a.func is b.func, where
        assert_same(a.args, b.args, f"{where}.args")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)) and not hasattr(a, "_fields"):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    elif isinstance(a, BaseException):
        assert a.args == b.args and str(a) == str(b), where
        assert_same(vars(a), vars(b), f"{where}.__dict__")
    elif type(a).__module__.startswith("apportion") and hasattr(a, "__dict__"):
        assert_same(vars(a), vars(b), f"{where}.__dict__")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def outcome(call):
    """What a call gives, or the exception it raises (type and message)."""
    try:
        return call()
    except Exception as exc:  # an error is behaviour too: the same one
        return ("raised", type(exc).__name__, str(exc))


def behaviour(obj) -> dict:
    """Every public property, and every public method that needs no
    argument, of obj; and its repr, str and HTML."""
    out = {"repr": repr(obj), "str": str(obj)}
    if hasattr(obj, "_repr_html_"):
        out["html"] = outcome(obj._repr_html_)
    for name in dir(type(obj)):
        if name.startswith("_") or name in ("plot",):
            continue
        attr = inspect.getattr_static(type(obj), name)
        if hasattr(attr, "__deprecated__") or hasattr(
                getattr(attr, "fget", None), "__deprecated__"):
            continue  # an old name, kept one release, of what is walked here
        if isinstance(attr, property):
            out[name] = outcome(lambda: getattr(obj, name))
        elif callable(attr) and not isinstance(attr, (classmethod, staticmethod, type)):
            signature = inspect.signature(getattr(obj, name))
            if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   for p in signature.parameters.values()):
                out[f"{name}()"] = outcome(getattr(obj, name))
    return out


def check_roundtrip(obj, roundtrip, extra=()):
    """obj after a round trip: the same state and the same behaviour, the
    calls in extra (functions of the object) included."""
    back = roundtrip(obj)
    assert back is not obj
    assert_same(obj, back, type(obj).__name__)
    assert_same(behaviour(obj), behaviour(back), f"{type(obj).__name__} behaviour")
    for i, call in enumerate(extra):
        assert_same(outcome(lambda: call(obj)), outcome(lambda: call(back)),
                    f"{type(obj).__name__} extra[{i}]")
    return back


def test_the_comparison_can_fail():
    """assert_same and behaviour see a difference when there is one."""
    plan = apportion.load_plan(IASS_PLAN)
    other = apportion.load_plan(IASS_PLAN)
    other.title = "another title"
    with pytest.raises(AssertionError):
        assert_same(plan, other)
    with pytest.raises(AssertionError):
        assert_same(behaviour(plan), behaviour(other))
    frame = plan.apportionment()
    changed = frame.copy()
    changed.iloc[0, 1] += 1
    with pytest.raises(AssertionError):
        assert_same(frame, changed)
    with pytest.raises(AssertionError):
        assert_same(Calendar("scotland"), Calendar("england-and-wales"))


# ---- calendars ----------------------------------------------------------------------

def test_calendar_travels_as_what_made_it(roundtrip):
    cal = Calendar("scotland", extra_closures=["2021-12-24", "2022-01-04"],
                   weekmask="Mon Tue Wed Thu")
    dates = np.arange(np.datetime64("2021-12-20"), np.datetime64("2022-01-10"))
    later = pd.Series(dates + 5, index=list("abcdefghijklmnopqrstu"), name="due")
    back = check_roundtrip(cal, roundtrip, extra=[
        lambda c: c.bank_holidays_frame(2022),
        lambda c: c.holidays(2021),
        lambda c: c.is_working_day(dates),
        lambda c: c.is_working_day(later),
        lambda c: c.working_days(dates, later.to_numpy()),
        lambda c: c.add_working_days(dates, 3, roll="forward"),
        lambda c: c.elapsed_working_days(dates, later),
        lambda c: c.elapsed_working_days("2021-12-23", "2022-01-05"),
        lambda c: c.financial_year_working_days("2021/22"),
    ])
    assert repr(back) == "Calendar('scotland', weekmask='1111000', 2 closure days)"
    assert back.extra_closures == [dt.date(2021, 12, 24), dt.date(2022, 1, 4)]
    # The same figures as a calendar made here, from the C calendar rebuilt.
    assert back.financial_year_working_days(2021) == \
        Calendar("scotland", ["2021-12-24", "2022-01-04"],
                 "1111000").financial_year_working_days(2021)


def test_default_calendar_keeps_the_docstring_figure(roundtrip):
    back = check_roundtrip(Calendar(), roundtrip)
    assert back.working_days("2021-04-01", "2022-04-01") == 253


def test_a_capsule_itself_never_pickles():
    cal = Calendar()
    for dumps in DUMPERS.values():
        with pytest.raises(TypeError, match="PyCapsule"):
            dumps(cal._cal)
    # What a Calendar pickles to names no capsule.
    assert b"PyCapsule" not in pickle.dumps(cal)


def test_measure_results_computed_apart_combine_after_travelling(roundtrip):
    """The Dask pattern: measures on chunks of records, sent back and
    combined, give what one pass over every record gives."""
    records = pd.read_csv(REFERRALS, parse_dates=["received", "responded"])
    cal = roundtrip(Calendar("england-and-wales"))
    month = records["received"].dt.to_period("M").astype(str)
    whole = apportion.within_working_days(records["received"], records["responded"],
                                          3, calendar=cal, by=records["authority"])
    parts = [roundtrip(apportion.within_working_days(
        chunk["received"], chunk["responded"], 3, calendar=cal,
        by=chunk["authority"]))
        for chunk in (records.iloc[i:i + 400] for i in range(0, len(records), 400))]
    assert len(parts) > 1
    pdt.assert_frame_equal(apportion.combine(*parts), whole)
    for result in (whole,
                   apportion.elapsed_working_days_summary(
                       records["received"], records["responded"], calendar=cal,
                       by=[records["authority"], month]),
                   apportion.rereferrals(records["reference"].str[-2:],
                                         records["received"], by=month)):
        assert_same(result, roundtrip(result))


# ---- files read into objects ------------------------------------------------------

def test_plan(roundtrip):
    plan = apportion.load_plan(IASS_PLAN)
    back = check_roundtrip(plan, roundtrip)
    # Schedule 3B2: WNC's £211,654 share, invoiced £52,914 in Q1-Q3 and the
    # balancing £52,912 in Q4 (the table's Q4 cell is cut off: "£52,91…").
    assert back.recharge_share == 21_165_400
    assert back.instalments == [5_291_400] * 3 + [5_291_200]
    for finding in plan.audit.findings:
        assert roundtrip(finding) == finding
    parsed = apportion.parse_plan(IASS_PLAN.read_text(), "iass.json")
    check_roundtrip(parsed, roundtrip)


def test_q4_balance(roundtrip):
    balance = apportion.q4_balance(IASS_PLAN, "£420,000")
    back = check_roundtrip(balance, roundtrip)
    assert back == balance
    assert back.balance == 5_964_830  # £218,390.30 - 3 x £52,914


@pytest.mark.parametrize("load, name", [
    (apportion.load_outturn, "nct-outturn-2021-22.json"),
    (apportion.load_contract_sum, "nct-contract-sum-2024-25.json"),
    (apportion.load_mtfp, "nct-mtfp-2017-21.json"),
    (apportion.load_savings, "nct-savings-2023-24.json"),
])
def test_papers(load, name, roundtrip):
    paper = load(EXAMPLES / name)
    extra = [lambda p: p.audit.report(everything=True),
             lambda p: p.audit.to_json()]
    for method in ("by_year_frame", "proposals_frame", "split_frame", "by_rag_frame",
                   "pressure_split_frame"):
        if hasattr(paper, method):
            extra.append(lambda p, m=method: getattr(p, m)(unit="£000"))
    check_roundtrip(paper, roundtrip, extra)
    for item in getattr(paper, "proposals", []):
        assert roundtrip(item) == item


def test_audit_report_before_and_after_its_findings_are_made(roundtrip):
    report = apportion.check_table(EXAMPLES / "tables" / "nct-outturn-2021-22.json")
    assert roundtrip(report)._findings is None  # still lazy after the trip
    check_roundtrip(report, roundtrip,
                    extra=[lambda r: r.report(everything=True),
                           lambda r: r.to_html(heading=False)])
    assert report._findings is not None  # made now, so the list travels
    check_roundtrip(report, roundtrip)


def test_audit_findings(roundtrip):
    total = apportion.check_total({"a": "1.280", "b": "0.85", "c": "0.132",
                                   "d": "1.083"}, "2.580")
    assert (total.cause, total.item) == ("decimal_shift", "b")
    assert total.status == "error"
    back = check_roundtrip(total, roundtrip)
    assert back == total and back.candidates == total.candidates
    split = apportion.check_split(["44.16", "55.84"])
    assert roundtrip(split) == split and split.ok


# ---- KPIs and scorecards --------------------------------------------------------------

IASS2 = "Green = 90-100%, Amber = 80-90%, Red = 80% or below"


def kpi_calls():
    return [lambda k: [k.score(v) for v in (79.99, 80, "80.01", Fraction(9, 10) * 100, 100)],
            lambda k: k.score_rates([4, 9, 0], [5, 10, 0]),
            lambda k: k.direction(85, 90),
            lambda k: k.escalate(["red", "red", None, "amber", "red"])]


def test_kpis(roundtrip):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        worded = KPI("IASS2", target=90, bands=IASS2)
        kpis = apportion.load_kpis(EXAMPLES / "nct-kpis.json")
    made = [worded,
            KPI("T", target=90, tolerance=5, polarity="lower", escalation=(3, 2)),
            KPI("B", bands=[{"rag": "green", "lower": "90", "lower_inclusive": True},
                            {"rag": "red", "upper": "90", "upper_inclusive": False}])]
    with warnings.catch_warnings():
        # Unpickling a KPI must not warn about its bands again.
        warnings.simplefilter("error")
        for kpi in [*made, *kpis.values()]:
            back = check_roundtrip(kpi, roundtrip, kpi_calls())
            assert back.bands == kpi.bands
        assert_same(kpis, roundtrip(kpis))
        status = KPI("S", unit="status", states={"In place": "green", "Not": "red"})
        back = check_roundtrip(status, roundtrip,
                               [lambda k: k.score("in place"), lambda k: k.score("not")])
        assert back.score("in place") is apportion.RAG.GREEN
    for rag in apportion.RAG:
        assert roundtrip(rag) is rag
    for band in worded.bands:
        assert roundtrip(band) == band


def test_scorecard(roundtrip):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        kpis = apportion.load_kpis(EXAMPLES / "iass-kpis.json")
    long = pd.DataFrame({"kpi": "IASS2", "group": ["NNC"] * 3 + ["WNC"] * 3,
                         "period": ["Q1", "Q2", "Q3"] * 2,
                         "numerator": [9, 8, 10, 4, 9, 7],
                         "denominator": [10, 10, 10, 5, 10, 0]})
    card = apportion.scorecard(kpis, long, title="IASS2 by authority")
    back = check_roundtrip(card, roundtrip)
    assert back.frame["rag"].iloc[:5].tolist() == ["green", "red", "green",
                                                   "red", "green"]
    assert pd.isna(back.frame["rag"].iloc[5])  # 7 of 0: no data


# ---- ledgers ------------------------------------------------------------------------------

def nct_ledger():
    return Ledger.read_csv(NCT_LEDGER, centre="cost_centre", date="date",
                           amount="amount")


def test_ledgers_made_every_way(roundtrip):
    frame = pd.DataFrame({"cc": ["a", "b", "a"], "q": ["Q1", "Q2", "Q4"],
                          "pence": [100, 250, -40]}, index=["x", "y", "z"])
    made = [Ledger(["A", "A", "B"], [1000, 250, 99], period=["Q1", "Q2", "Q1"]),
            Ledger.from_codes(np.array([0, 1, 1], np.int8), np.array([0, 3, 11], np.int8),
                              np.array([5, 6, 7]), centres=["x", "y"], periods="month"),
            Ledger.from_frame(frame, centre="cc", period="q", amount="pence"),
            nct_ledger()]
    for ledger in made:
        back = check_roundtrip(ledger, roundtrip)
        assert back.total == ledger.total
    # Pickled after its totals were summed: they come back read-only.
    summed = made[0]
    summed.totals_frame()
    back = check_roundtrip(summed, roundtrip)
    assert not back._sum().flags.writeable


def test_errors_still_name_the_line_after_travelling(roundtrip, tmp_path):
    bad_code = Ledger.from_codes(np.array([0, 3], np.int32), np.array([0, 0], np.int8),
                                 np.array([1, 2]), centres=["x", "y", "z"])
    back = roundtrip(bad_code)
    with pytest.raises(InputError) as before:
        bad_code.totals_frame()
    with pytest.raises(InputError) as after:
        back.totals_frame()
    assert str(after.value) == str(before.value)
    assert str(after.value).startswith("line 1")
    # How a ledger from a frame or a file names its lines travels with it.
    frame = pd.DataFrame({"cc": ["a", "b"], "q": ["Q1", "Q2"], "pence": [1, 2]},
                         index=["first", "second"])
    from_frame = roundtrip(Ledger.from_frame(frame, centre="cc", period="q",
                                             amount="pence"))
    assert from_frame._where(1) == "row 'second'"
    path = tmp_path / "lines.csv"
    frame.to_csv(path, index=False)
    from_file = roundtrip(Ledger.read_csv(path, centre="cc", period="q", amount="pence"))
    assert from_file._where(1) == f"{path} line 3"


def test_ledger_apportionment(roundtrip):
    ledger = nct_ledger()
    lines = pd.read_csv(NCT_LEDGER, dtype=str)
    services = dict(zip(lines["cost_centre"], lines["service"]))
    result = ledger.apportion({s: SPLIT for s in set(services.values())},
                              services=services)
    back = check_roundtrip(result, roundtrip)
    assert back.total == 107_000_000  # the NCT's £1,070k outturn (the SDC annual report 2021/22)
    assert not back.shares.flags.writeable
    assert back.ledger.centres is back.centres
    with pytest.raises(ValueError, match="read-only"):
        back.shares[0, 0, 0] = 1
    by_centre = Ledger(["A", "B"], [1001, 99], period=["Q1", "Q3"]).apportion(
        {"A": {"NNC": 1, "WNC": 1}, "B": {"WNC": 1}})
    check_roundtrip(by_centre, roundtrip)


def test_a_tampered_apportionment_is_refused_when_unpickled():
    """The shares are checked again where they are unpickled."""
    result = Ledger(["A"], [1001], period=["Q1"]).apportion(SPLIT)
    reduce = result.__reduce__()
    shares = reduce[1][2].copy()
    shares[0, 0, 0] += 1
    with pytest.raises(ApportionError, match="do not sum"):
        reduce[0](*reduce[1][:2], shares, *reduce[1][3:])


# ---- errors -------------------------------------------------------------------------------

def raised(call):
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("no error")


def test_errors_keep_their_attributes_and_message(roundtrip):
    errors = [
        ApportionError("something"),
        InputError("weights[1] is negative"),
        MoneyOverflowError("too large"),
        PluginError("no service area"),
        PlanError("bad plan", "$.budget_lines[0].total", 12, 7, "plan.json"),
        raised(lambda: apportion.parse_plan('{"format": 1}', "x.json")),
        raised(lambda: apportion.apportion(100, [1, -1])),
        raised(lambda: apportion.parse_money("£99999999999999999999")),
        raised(lambda: apportion.service_area("NO_SUCH_AREA")),
        PluginWarning("a plugin warned"),
        AmbiguousBandsWarning("80 in two bands"),
        UnusedBasisWarning("no lines"),
    ]
    noted = PlanError("noted", "$.x", 1, 2)
    # What add_note (Python 3.11) does, written out so 3.10 runs it too.
    noted.__notes__ = ["seen in the committee paper"]
    errors.append(noted)
    for exc in errors:
        back = roundtrip(exc)
        assert type(back) is type(exc)
        assert_same(exc, back, type(exc).__name__)
        assert getattr(back, "__notes__", None) == getattr(exc, "__notes__", None)
    plan_error = roundtrip(errors[5])
    assert (plan_error.path, plan_error.line, plan_error.column) == ("$.format", 1, 12)
    assert isinstance(plan_error, ValueError)
    assert str(plan_error).startswith("x.json:1:12: $.format:")


# ---- service areas ------------------------------------------------------------------------

def test_shipped_service_areas(roundtrip):
    own = apportion.plugin._package_folder()
    shipped = {p.service_area for p in apportion.plugins() if Path(p.path).parent == own}
    assert {"IASS", "NCT", "TRANSFORMATION"} <= shipped
    for code in sorted(shipped):
        area = apportion.service_area(code)
        back = check_roundtrip(area, roundtrip)
        assert back == area and back.code == code
        assert_same(back.kpis, area.kpis)
    iass = roundtrip(apportion.service_area("IASS"))
    assert iass.recharge("quarterly", 21_165_400) == [5_291_400] * 3 + [5_291_200]
    for info in apportion.plugins():
        assert roundtrip(info) == info
    for item in (Item("a", "b"), Measure("m", "d", ("x", "y"), 10),
                 Calculator("c", "d", "date(date, int64)", "date", ("date", "int64"))):
        assert roundtrip(item) == item
    finding = apportion.plugin.Finding("warning", "a.b", "odd", "check")
    assert roundtrip(finding) == finding


def test_contexts(roundtrip):
    ctx = MeasureContext(Calendar("northern-ireland"), np.datetime64("2021-06-30"),
                         {"days": 3})
    assert_same(ctx, roundtrip(ctx))
    rule = RuleContext(100, 4, [25, 25], {"x": Decimal("1.5")})
    assert roundtrip(rule) == rule


def test_an_area_whose_plugin_is_nowhere_says_what_to_do(tmp_path):
    gone = tmp_path / "gone.so"
    with pytest.raises(PluginError) as info:
        _unpickle_area("PICKLE_GONE", str(gone))
    message = str(info.value)
    assert "'PICKLE_GONE' cannot be restored" in message
    assert str(gone) in message and "install that plugin here" in message


# ---- in a fresh interpreter, as on a worker ------------------------------------------------

AREA_NAME, AREA = "pickletrip", "PICKLETRIP"

WORKER = textwrap.dedent("""
    import pickle, sys, warnings
    from concurrent.futures import ThreadPoolExecutor
    warnings.simplefilter("ignore")
    import apportion
    payload = open(sys.argv[1], "rb").read()
    assert "{area}" not in [p.service_area for p in apportion.plugins()]
    if sys.argv[3] == "plain first":
        # The area alone, by plain pickle: its plugin is loaded from its
        # path and its Python measure and rule registered from their bytes.
        area = pickle.loads(open(sys.argv[4], "rb").read())
        assert "py_answered_same_week" in area.measures, area.measures
        assert "py_two_parts" in area.rules, area.rules
    # A worker's threads unpickle at once: the area's Python measure is
    # registered once, and every thread gets the area.
    with ThreadPoolExecutor(8) as pool:
        bundles = list(pool.map(lambda _: pickle.loads(payload), range(8)))
    objs = bundles[0]
    results = objs["compute"](objs)
    with open(sys.argv[2], "wb") as out:
        pickle.dump(results, out)
""")


def compute(objs):
    """The figures a worker is sent the objects to work out."""
    area, cal, records = objs["area"], objs["calendar"], objs["records"]
    return {
        "plan": objs["plan"].report(),
        "ledger": objs["result"].by_service_frame(),
        "calendar": cal.elapsed_working_days(records["received"], records["answered"]),
        "measure": area.measure("answered_within_working_days", records, by="team",
                                calendar=cal, params={"days": 9}),
        "python measure": area.measure("py_answered_same_week", records, by="team",
                                       calendar=cal),
        "python rule": area.recharge("py_two_parts", 1001, instalments=2),
        "score": area.score(f"{AREA}1", records, by="team", calendar=cal).frame,
        "due": area.call("due_date", "2024-03-28", 3),
        "kpi": [objs["kpi"].score(v) for v in (79.99, 80, 85, 90)],
        "area": (sorted(area.measures), sorted(area.rules), area.plugin.name),
    }


@pytest.fixture(scope="module")
def plugin_area(tmp_path_factory):
    """The plugin template made and built as a plugin of its own, loaded
    from its path (not on any search path), with a Python measure and a
    Python rule registered on it."""
    root = tmp_path_factory.mktemp("pickle_plugin")
    folder = new_plugin(AREA_NAME, root)
    library = build_plugin(folder, folder / f"{AREA_NAME}.so")
    apportion.load_plugin(library)
    area = apportion.service_area(AREA)

    # Defined here, so cloudpickle carries them by value.
    def same_week(records, ctx):
        received = records["received"].view("datetime64[D]")
        answered = records["answered"].view("datetime64[D]")
        closed = ~np.isnat(answered)
        days = ctx.calendar.elapsed_working_days(received, answered)
        return (closed & (days <= 5)).astype(np.int64), closed.astype(np.int64)

    def two_parts(budget, ctx):
        return [budget // 2, budget - budget // 2]

    area.register_measure("py_answered_same_week", same_week,
                          ["received", "answered"], description="within 5 days")
    area.register_rule("py_two_parts", two_parts, description="halves")
    return area, library


def test_a_plugin_area_round_trips_here(plugin_area):
    area, _ = plugin_area
    records = worker_objects(area)["records"]
    back = check_roundtrip(area, lambda a: pickle.loads(cloudpickle.dumps(a)), [
        lambda a: a.measure("py_answered_same_week", records, by="team"),
        lambda a: a.recharge("py_two_parts", 1001, instalments=2),
        lambda a: a.report("instalments", {"instalments": ["£10", "£20"]}),
        lambda a: a.call("due_date", "2024-03-28", 3),
    ])
    # Already registered here: the round trip leaves the registry alone.
    assert sorted(back.measures) == sorted(area.measures)


def worker_objects(area):
    records = pd.DataFrame({
        "received": pd.to_datetime(["2024-03-04"] * 4 + ["2024-03-27"]),
        # 10, 10, 11 and 3 working days; the last still open
        "answered": pd.to_datetime(["2024-03-18", "2024-03-18", "2024-03-19",
                                    "2024-03-07", None]),
        "team": ["north", "north", "south", "south", "south"],
    })
    ledger = nct_ledger()
    lines = pd.read_csv(NCT_LEDGER, dtype=str)
    services = dict(zip(lines["cost_centre"], lines["service"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        kpi = KPI("IASS2", target=90, bands=IASS2)
    return {"area": area, "records": records, "plan": apportion.load_plan(IASS_PLAN),
            # A closure day in the records' fortnight: the measures see it.
            "calendar": Calendar("england-and-wales", ["2024-03-05"]),
            "result": ledger.apportion({s: SPLIT for s in set(services.values())},
                                       services=services),
            "kpi": kpi, "compute": compute}


@pytest.mark.parametrize("order", ["threads first", "plain first"])
def test_objects_travel_to_a_fresh_interpreter(plugin_area, tmp_path, order):
    area, _library = plugin_area
    objs = worker_objects(area)
    here = compute(objs)
    assert here["python rule"] == [500, 501]
    # Less the closure day, 9, 9, 10 and 2 working days; the last still open.
    assert here["measure"]["numerator"].tolist() == [2, 1]
    assert here["python measure"]["numerator"].tolist() == [0, 1]
    assert here["python measure"]["denominator"].tolist() == [2, 2]
    sent, got = tmp_path / "sent.pkl", tmp_path / "got.pkl"
    # cloudpickle, as Dask falls back to: the Python measure and rule are
    # functions defined in a fixture, and compute() is sent by value, as
    # this test module is not importable in the worker.
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    try:
        sent.write_bytes(cloudpickle.dumps(objs))
    finally:
        cloudpickle.unregister_pickle_by_value(module)
    plain = tmp_path / "area.pkl"
    plain.write_bytes(pickle.dumps(area))
    env = {k: v for k, v in os.environ.items() if k != "APPORTION_PLUGIN_PATH"}
    run = subprocess.run([sys.executable, "-c", WORKER.format(area=AREA),
                          str(sent), str(got), order, str(plain)], env=env,
                         capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    there = pickle.loads(got.read_bytes())
    assert_same(here, there, "worker")
    assert there["area"][2] == AREA_NAME


def test_local_functions_travel_by_value_even_under_plain_pickle(plugin_area,
                                                                 monkeypatch):
    """The fixture's functions are local, which pickle cannot send by name:
    cloudpickle's bytes of them travel inside the plain pickle."""
    area, _ = plugin_area
    back = pickle.loads(pickle.dumps(area))
    assert back == area and "py_answered_same_week" in back.measures
    assert b"same_week" in pickle.dumps(area)
    # Without cloudpickle there is no way to send them: a clear TypeError.
    monkeypatch.setitem(sys.modules, "cloudpickle", None)
    with pytest.raises(TypeError) as info:
        pickle.dumps(area)
    message = str(info.value)
    assert "py_answered_same_week" in message and AREA in message
    assert "register a module-level function, or install cloudpickle" in message
