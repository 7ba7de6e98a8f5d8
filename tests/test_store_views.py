"""The store's history as views (issue 18): Store.trend_view,
escalations_view and history_view lay out what the store read, through the
presentation layer like every other result, on SQLite and PostgreSQL.

Each expectation is worked out here from the values recorded and the KPI's
own scoring (score_rates, escalate), never read back from the view."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import apportion
import apportion.store
from apportion.errors import StoreError
from apportion.present import View

BANDS = "Green = 90-100%, Amber = 80-90%, Red = 80% or below"
MONTHS = ["2021-04", "2021-05", "2021-06", "2021-07", "2021-08", "2021-09"]
# Two councils' counts: WNC is Red for three months from June.
COUNTS = {"NNC": [(95, 100), (88, 100), (91, 100), (93, 100), (90, 100), (97, 100)],
          "WNC": [(92, 100), (90, 100), (70, 100), (75, 100), (79, 100), (85, 100)]}


def kpi(**kw: object) -> apportion.KPI:
    return apportion.KPI("IASS2", "% responded to within 3 working days",
                         target=90, bands=BANDS, warn=False, **kw)  # type: ignore[arg-type]


def values(group: str) -> pd.DataFrame:
    return pd.DataFrame({"kpi": "IASS2", "group": group, "period": MONTHS,
                         "numerator": [n for n, _ in COUNTS[group]],
                         "denominator": [d for _, d in COUNTS[group]]})


@pytest.fixture
def store(store_url: str) -> apportion.store.Store:
    s = apportion.store.open(store_url)
    # Month by month, as the returns arrive.
    for i in range(len(MONTHS)):
        for group in COUNTS:
            apportion.scorecard(kpi(escalation=(2, 1)), values(group).iloc[[i]],
                                store=s)
    yield s
    s.close()


def expected(group: str, rule: tuple[int, int] = (2, 1)) -> tuple[list[str], list[str]]:
    k = kpi(escalation=rule)
    nums, dens = zip(*COUNTS[group])
    rags = [r.value for r in k.score_rates(list(nums), list(dens))]
    return rags, k.escalate(rags)


def test_trend_view_charts_each_group_rated_by_its_bands(
        store: apportion.store.Store) -> None:
    shown = store.trend_view("IASS2")
    view = shown.view()
    assert isinstance(view, View)
    (chart,) = view.charts
    assert chart.kind == "line" and chart.unit == "%"
    assert chart.categories == tuple(MONTHS)
    assert [s.name for s in chart.series] == ["NNC", "WNC"]
    for series in chart.series:
        rags, _ = expected(series.name)
        assert series.rag == tuple(r.capitalize() for r in rags)
        assert series.values == tuple(float(Fraction(100 * n, d))
                                      for n, d in COUNTS[series.name])
    # The bands' edges as reference lines, the target named at its edge.
    assert sorted(value for _, value in chart.targets) == [80.0, 90.0]
    labels = dict((v, label) for label, v in chart.targets)
    assert labels[90.0] == "Amber | Green at 90% (the target)"
    assert labels[80.0].endswith("at 80%") and "Red" in labels[80.0]


def test_trend_view_table_has_each_period_with_its_escalation(
        store: apportion.store.Store) -> None:
    view = store.trend_view("IASS2").view()
    (table,) = view.tables
    keys = [c.key for c in table.columns]
    rows = [dict(zip(keys, r.values)) for r in table.rows]
    assert [(r["group"], r["period"]) for r in rows] == [
        (g, m) for g in ("NNC", "WNC") for m in MONTHS]
    names = {"none": "none", "out_of_tolerance": "out of tolerance",
             "performance_failure": "Performance Failure",
             "rectification_plan": "Rectification Plan"}
    for group in COUNTS:
        rags, states = expected(group)
        mine = [r for r in rows if r["group"] == group]
        assert [r["rag"] for r in mine] == [x.capitalize() for x in rags]
        assert [r["escalation"] for r in mine] == [names[s] for s in states]
        assert [r["value"] for r in mine] == [Decimal(100 * n) / d
                                              for n, d in COUNTS[group]]
        assert [(r["numerator"], r["denominator"]) for r in mine] == COUNTS[group]
    # Each period in Performance Failure or needing a plan is a finding.
    _, states = expected("WNC")
    escalated = [m for m, s in zip(MONTHS, states)
                 if s in ("performance_failure", "rectification_plan")]
    assert escalated  # the data are made so
    assert [f.where for f in view.findings] == [f"IASS2 WNC {m}" for m in escalated]
    # The rule is given (2, 1) and the description does not call it
    # illustrative: the contract's, so no assumption is listed.
    assert view.assumptions == ()


def test_trend_view_of_one_group_and_the_default_rule_as_an_assumption(
        store_url: str) -> None:
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi(), values("WNC"), store=s)
        view = s.trend_view("IASS2", "WNC").view()
    assert view.title == "IASS2 WNC: trend from 2021-04 to 2021-09"
    assert [s.name for s in view.charts[0].series] == ["WNC"]
    (assumption,) = view.assumptions
    assert assumption.startswith("Escalation (IASS2): ")
    assert "gives no escalation rule" in assumption


def test_trend_view_renders_as_text_html_markdown_and_excel(
        store: apportion.store.Store, tmp_path: Path) -> None:
    shown = store.trend_view("IASS2")
    text = shown.to_text()
    assert text.splitlines()[0] == "IASS2: trend from 2021-04 to 2021-09"
    assert "Performance Failure" in text
    html = shown.to_html(full=True)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert shown._repr_html_().count("<table") >= 1
    assert "| WNC | 2021-06 |" in shown.to_markdown().replace("  ", " ")
    shown.to_excel(tmp_path / "trend.xlsx")
    book = openpyxl.load_workbook(tmp_path / "trend.xlsx", read_only=True)
    assert "IASS2 trend" in book.sheetnames
    book.close()
    frame = shown.to_frame()
    assert len(frame) == 12 and {"direction", "escalation"} <= set(frame.columns)


def test_a_changed_band_definition_is_said(store_url: str) -> None:
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi(), values("NNC").iloc[:3], store=s)
        stricter = apportion.KPI("IASS2", target=95, warn=False,
                                 bands="Green = 95-100%, Amber = 85-95%, Red = 85% or below")
        apportion.scorecard(stricter, values("NNC").iloc[3:], store=s)
        view = s.trend_view("IASS2").view()
        history = s.history(kpi="IASS2")
    assert any("band definition changed" in p for p in view.paragraphs)
    # Each point keeps the rating it was given when recorded.
    assert view.charts[0].series[0].rag == tuple(r.capitalize() for r in history["rag"])
    assert sorted(v for _, v in view.charts[0].targets) == [85.0, 95.0]


def test_escalations_view_one_line_per_kpi_and_group(
        store: apportion.store.Store) -> None:
    view = store.escalations_view().view()
    lanes, periods = view.tables
    keys = [c.key for c in lanes.columns]
    rows = [dict(zip(keys, r.values)) for r in lanes.rows]
    assert [(r["kpi"], r["group"]) for r in rows] == [("IASS2", "NNC"), ("IASS2", "WNC")]
    for r in rows:
        rags, states = expected(str(r["group"]))
        assert r["periods"] == len(MONTHS)
        assert r["red"] == rags.count("red")
        assert r["rag"] == rags[-1].capitalize()
        assert r["basis"] == "contract"
        assert r["rule"] == "failure after 2, plan 1 later"
    # The periods table: only those out of tolerance or escalated.
    pkeys = [c.key for c in periods.columns]
    shown = [dict(zip(pkeys, r.values)) for r in periods.rows]
    _, states = expected("WNC")
    assert [(r["group"], r["period"]) for r in shown] == [
        ("WNC", m) for m, s in zip(MONTHS, states) if s not in ("none", "no_data")]
    assert [r["run"] for r in shown] == [1, 2, 3]
    every = store.escalations_view(every_period=True).view().tables[1]
    assert len(every.rows) == 12
    # A finding when a lane enters a state, not for each period in it.
    entered = [m for i, (m, s) in enumerate(zip(MONTHS, states))
               if s in ("performance_failure", "rectification_plan")
               and (i == 0 or states[i - 1] != s)]
    assert [f.where for f in view.findings] == [f"IASS2 WNC {m}" for m in entered]
    assert all("(the contract's)" in f.message for f in view.findings)


def test_escalations_view_of_illustrative_rules_lists_them_as_assumptions(
        store_url: str) -> None:
    kpis = apportion.load_kpis(Path(__file__).resolve().parents[1] / "examples"
                               / "nct-kpis.json")
    frame = pd.DataFrame({"kpi": "NCT-REF-DECISION", "period": MONTHS,
                          "numerator": [80] * 6, "denominator": [100] * 6})
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpis, frame, store=s)
        view = s.escalations_view("NCT-REF-DECISION").view()
    (lane,) = view.tables[0].rows
    assert lane.values[-1] == "assumption"
    (assumption,) = view.assumptions
    assert "illustrative" in assumption
    # Six Red months under (3, 2): failure at the third, plan at the fifth.
    states = kpis["NCT-REF-DECISION"].escalate(["red"] * 6)
    assert [f.where.split()[-1] for f in view.findings] == [
        MONTHS[states.index("performance_failure")],
        MONTHS[states.index("rectification_plan")]]


def test_history_view_shows_the_superseded_with_their_trail(store_url: str) -> None:
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi(), values("NNC"), store=s)
        changed = values("NNC")
        changed.loc[2, "numerator"] = 60
        apportion.scorecard(kpi(), changed, store=s)
        imports = s.imports()
        view = s.history_view("IASS2", superseded=True).view()
        current = s.history_view("IASS2").view()
    (table,) = view.tables
    keys = [c.key for c in table.columns]
    rows = [dict(zip(keys, r.values)) for r in table.rows]
    assert len(rows) == 7 and len(current.tables[0].rows) == 6
    first, second = (int(i) for i in imports["id"])
    old = [r for r in rows if r["superseded"] is not None]
    assert [(r["period"], r["numerator"], r["import"], r["superseded"])
            for r in old] == [("2021-06", 91, first, second)]
    assert [r["numerator"] for r in rows if r["period"] == "2021-06"
            and r["superseded"] is None] == [60]
    assert "1 superseded result kept" in view.paragraphs[0]


def test_no_results_is_a_store_error_naming_the_store(store_url: str) -> None:
    with apportion.store.open(store_url) as s:
        with pytest.raises(StoreError, match="has no KPI results yet"):
            s.escalations_view()
        apportion.scorecard(kpi(), values("NNC"), store=s)
        with pytest.raises(StoreError) as caught:
            s.trend_view("IASS3")
        with pytest.raises(StoreError, match="for group 'XYZ'"):
            s.trend_view("IASS2", "XYZ")
    assert str(caught.value) == (f"{s.url}: table kpi_results has no results of "
                                 f"KPI IASS3; it has results of IASS2")


def test_a_status_kpi_has_a_table_of_its_states_and_no_chart(store_url: str) -> None:
    iass1 = apportion.KPI("IASS1", unit="status",
                          states={"in place": "green", "not in place": "red"})
    frame = pd.DataFrame({"kpi": "IASS1", "period": ["2021", "2022"],
                          "value": ["in place", "not in place"]})
    with apportion.store.open(store_url) as s:
        apportion.scorecard(iass1, frame, store=s)
        view = s.trend_view("IASS1").view()
    assert view.charts == ()
    (table,) = view.tables
    value = [c.key for c in table.columns].index("value")
    assert [r.values[value] for r in table.rows] == ["in place", "not in place"]
    assert "in place = Green" in table.notes[0]
