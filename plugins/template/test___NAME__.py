"""Tests of the __NAME__ plugin: the __AREA__ service area, from Python.

Run them with `make test`, or `python -m pytest test___NAME__.py` (the
plugin, __NAME__.so or .dylib on macOS, is built first when it is missing
or older than its C).
A plugin is never unloaded, so a changed plugin needs a fresh process:
run pytest again rather than reloading.
"""

import datetime
from pathlib import Path

import pandas as pd
import pytest

import apportion
from apportion.plugin import PLUGIN_SUFFIX
from apportion.plugin_tool import build_plugin

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / f"__NAME__{PLUGIN_SUFFIX}"
MEASURE = "answered_within_working_days"


@pytest.fixture(scope="module")
def area():
    sources = [*HERE.glob("*.c"), *HERE.glob("*.h")]
    if (not LIBRARY.exists() or
            LIBRARY.stat().st_mtime < max(p.stat().st_mtime for p in sources)):
        build_plugin(HERE, LIBRARY)
    info = apportion.load_plugin(LIBRARY)
    assert (info.name, info.service_area) == ("__NAME__", "__AREA__")
    return apportion.service_area(info.service_area)


def requests(late=1):
    """Twenty requests answered, late of them after 10 working days, and
    one still open."""
    rows = [("2024-03-04", "2024-03-18")] * (19 - late)  # 10 working days
    # 9 working days: Good Friday and Easter Monday are bank holidays.
    rows += [("2024-03-27", "2024-04-11")]
    rows += [("2024-03-04", "2024-03-19")] * late         # 11: late
    rows += [("2024-06-25", None)]                        # still open
    frame = pd.DataFrame(rows, columns=["received", "answered"])
    return frame.apply(pd.to_datetime)


def test_listed(area):
    listed = {p.name: p for p in apportion.plugins()}
    assert listed["__NAME__"].service_area == "__AREA__"
    assert Path(listed["__NAME__"].path).resolve() == LIBRARY


def test_registered(area):
    assert area.code == "__AREA__"
    assert list(area.kpis) == ["__AREA__1"]
    assert area.kpis["__AREA__1"].measure == MEASURE
    assert MEASURE in area.measures
    assert "monthly" in area.rules
    assert "instalments_sum" in area.checks
    assert "instalments" in area.sections
    assert "due_date" in area.calculators


def test_measure(area):
    # The open request is not yet due on 28 June: it is left out.
    m = area.measure(MEASURE, requests(), as_of="2024-06-28")
    assert m["numerator"].tolist() == [19]
    assert m["denominator"].tolist() == [20]
    assert m["value"].tolist() == [95]


def test_measure_counts_open_requests_once_late(area):
    m = area.measure(MEASURE, requests(), as_of="2024-07-31")
    assert (m["numerator"].tolist(), m["denominator"].tolist()) == ([19], [21])


def test_measure_parameter(area):
    m = area.measure(MEASURE, requests(), as_of="2024-06-28",
                     params={"days": 9})
    assert (m["numerator"].tolist(), m["denominator"].tolist()) == ([1], [20])


def test_measure_error_names_the_row(area):
    bad = pd.DataFrame({"received": ["2024-03-04", "2024-03-10"],
                        "answered": ["2024-03-05", "2024-03-08"]})
    with pytest.raises(apportion.ApportionError, match="row 1"):
        area.measure(MEASURE, bad.apply(pd.to_datetime))


@pytest.mark.parametrize("late, as_of, rag", [
    (1, "2024-06-28", "green"),  # 19/20 = 95%: the 95 both bands name is Green
    (1, "2024-07-31", "amber"),  # 19/21: the open request is now late
    (3, "2024-06-28", "amber"),  # 17/20 = 85%: Amber
    (4, "2024-06-28", "red"),    # 16/20 = 80%: below 85%
])
def test_score(area, late, as_of, rag):
    card = area.score("__AREA__1", requests(late), as_of=as_of)
    assert card.frame["rag"].tolist() == [rag]


def test_recharge(area):
    # £211,654 over twelve months: equal parts in pence, the last balancing.
    plan = area.recharge("monthly", 21165400, instalments=12)
    assert plan == [1763783] * 11 + [1763787]
    pounds = area.recharge("monthly", 21165400, instalments=12,
                           params={"equal_part": "pounds"})
    assert pounds == [1763800] * 11 + [1763600]
    # Six months billed, then the actual share turns out at £210,000.
    later = area.recharge("monthly", 21165400, instalments=12,
                          actual_share=21000000, billed=[1763800] * 6)
    assert later == [1763800] * 6 + [1736200] * 6
    assert sum(later) == 21000000


def test_check(area):
    stated = {"budget_share": "£211,654", "instalments": ["£52,914"] * 4}
    [finding] = area.check("instalments_sum", stated)
    assert finding.severity == "error"
    assert finding.field == "instalments"
    assert "£2.00 more than the budget share of £211,654.00" in finding.message
    stated["instalments"][3] = "£52,912"
    assert area.check("instalments_sum", stated) == []


def test_report(area):
    text = area.report("instalments", {"instalments": ["£52,914", "£52,912"]})
    assert "| 2 | £52,912.00 |" in text


def test_calculator(area):
    # Ten working days after Wednesday 27 March 2024, skipping Easter.
    assert (area.call("due_date", datetime.date(2024, 3, 27), 10)
            == datetime.date(2024, 4, 12))
    # Received on a Saturday: counted from the Friday before.
    assert (area.call("due_date", datetime.date(2024, 3, 2), 3)
            == datetime.date(2024, 3, 6))
    with pytest.raises(apportion.ApportionError, match="days must be"):
        area.call("due_date", datetime.date(2024, 3, 27), -1)
