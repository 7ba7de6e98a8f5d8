"""Every result object other than the papers describes itself as a
present.View (tables, charts, captions, assumptions) and renders through
the presentation layer; Scorecard.plot leaves the user's backend alone
(issue 14)."""

import copy
import json
import pickle
import subprocess
import sys
import warnings
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import apportion
from apportion import CostScenario, Ledger, forecast
from apportion.calendar import Calendar
from apportion.kpi import KPI, AmbiguousBandsWarning
from apportion.present import Presentable, View
from apportion.present.model import RAG_NAMES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SPLIT = {"NNC": "44.16", "WNC": "55.84"}
CLA = pd.Series([834, 936, 993, 1004, 1092, 1123, 1157, 1144], index=range(2014, 2022))


def iass_kpis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        return apportion.load_kpis(EXAMPLES / "iass-kpis.json")


def iass2_card(source=""):
    long = pd.DataFrame({"kpi": "IASS2", "group": ["NNC"] * 3 + ["WNC"] * 3,
                         "period": ["Q1", "Q2", "Q3"] * 2,
                         "numerator": [9, 7, 7, 17, 9, 7],
                         "denominator": [10, 10, 10, 20, 10, 0]})
    return apportion.scorecard(iass_kpis(), long, title="IASS2 by authority",
                               source=source)


def small_ledger():
    return Ledger(["A", "A", "B", "C"], [1000, 250, 99, -50],
                  period=["Q1", "Q2", "Q1", "Q4"])


def scenario():
    return CostScenario([100, 110, 120], "£52,000", SPLIT, inflation=0.035,
                        years=[2024, 2025, 2026], demand_sd=[5, 8, 10])


def every_object():
    """One of each presentable object, by name."""
    led = small_ledger()
    sc = scenario()
    return {
        "scorecard": iass2_card("referrals.csv"),
        "ledger": led,
        "ledger apportionment": led.apportion(SPLIT),
        "cost scenario": sc,
        "scenario run": sc.simulate(200, seed=3),
        "forecast": forecast.Forecast(forecast.linear_trend(CLA, predict_at=[2022, 2023]),
                                      unit="children"),
        "trend fit": forecast.fit_linear_trend(CLA),
        "holt fit": forecast.fit_holt(CLA),
        "batch forecast": forecast.linear_trend_batch(
            np.vstack([CLA.to_numpy(float), CLA.to_numpy(float) / 2]),
            predict_at=[8, 9], as_frame=False),
        "kpi": iass_kpis()["IASS2"],
        "status kpi": iass_kpis()["IASS1"],
        "calendar": Calendar("scotland", extra_closures=["2024-12-27"]),
        "service area": apportion.plugin.service_area("IASS"),
    }


OBJECTS = every_object()


class _Balanced(HTMLParser):
    """Fails on a closing tag that does not close the innermost open one."""

    VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "wbr",
                      "source"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, \
            f"</{tag}> closes {self.stack[-1:] or 'nothing'}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page):
    parser = _Balanced()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return " ".join(" ".join(parser.text).split())


# ---- every object -----------------------------------------------------------

@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_object_is_presentable(name):
    obj = OBJECTS[name]
    assert isinstance(obj, Presentable)
    view = obj.view()
    assert isinstance(view, View) and view.title and view.tables
    for table in view.tables:
        # Captions name the source; sheet names fit a spreadsheet.
        assert table.caption().startswith("Source: "), table.title
        assert 0 < len(table.name) <= 31
        for column in table.columns:
            if column.kind == "money":
                assert column.unit in ("£", "£000", "£m", "p")
                for row in table.rows:
                    value = row.values[table.column(column.key)]
                    assert value is None or type(value) is int  # pence
            if column.kind == "percent":
                for row in table.rows:
                    value = row.values[table.column(column.key)]
                    assert value is None or isinstance(value, Decimal)
            if column.kind == "rag":
                assert {row.values[table.column(column.key)] for row in table.rows} \
                    <= {*RAG_NAMES, None}
    for chart in view.charts:
        names = [s.name for s in chart.series]
        assert all(len(s.values) == len(chart.categories) for s in chart.series)
        if chart.band:
            assert set(chart.band) <= set(names)
    for assumption in view.assumptions:
        assert ": " in assumption  # labelled


@pytest.mark.parametrize("name", list(OBJECTS))
def test_totals_rows_add_up(name):
    """Every total row carries the sum of the lines above it in each summed
    money or count column: what a spreadsheet's =SUM() would compute."""
    for table in OBJECTS[name].view().tables:
        start = 0
        for i, row in enumerate(table.rows):
            if row.kind not in ("total", "subtotal"):
                continue
            lines = [r for r in table.rows[start:i] if r.kind == "line"] \
                if row.sum_of is None else [table.rows[k] for k in row.sum_of]
            for j, column in enumerate(table.columns):
                if column.kind in ("money", "count") and column.summed:
                    assert row.values[j] == sum(r.values[j] or 0 for r in lines), \
                        (table.title, column.key)
            start = i + 1


@pytest.mark.parametrize("name", list(OBJECTS))
def test_repr_html_parses_and_carries_the_view(name):
    obj = OBJECTS[name]
    page = obj._repr_html_()
    text = parse(page)
    view = obj.view()
    assert view.title in text
    for table in view.tables:
        assert table.title in text
    assert "<svg" in page if view.charts else True
    assert obj.to_markdown().strip() and obj.to_text().strip()


# ---- the scorecard ----------------------------------------------------------

def test_scorecard_view():
    view = iass2_card("referrals.csv").view()
    (table,) = view.tables
    keys = [c.key for c in table.columns]
    assert keys == ["kpi", "group", "period", "value", "numerator", "denominator",
                    "target", "rag", "direction", "escalation"]
    rows = {(r.values[1], r.values[2]): dict(zip(keys, r.values)) for r in table.rows}
    # 17 in 20 is exactly 85: Amber, in words; 7 of 0 is no data, not zero.
    assert rows[("WNC", "Q1")]["value"] == Decimal(85)
    assert rows[("WNC", "Q1")]["rag"] == "Amber"
    assert rows[("NNC", "Q1")]["rag"] == "Green"
    assert rows[("WNC", "Q3")]["value"] is None and rows[("WNC", "Q3")]["rag"] is None
    assert rows[("WNC", "Q3")]["escalation"] == "no data"
    assert rows[("NNC", "Q2")]["escalation"] == "Performance Failure"
    assert rows[("NNC", "Q3")]["escalation"] == "Rectification Plan"
    assert table.caption() == ("Source: referrals.csv; scored by apportion "
                               "against each KPI's bands.")
    assert any("Red: 80% or below" in n for n in table.notes)
    # A finding for each period that escalates, with its figure.
    assert [(f.where, f.figures) for f in view.findings] == [
        ("IASS2 NNC Q2", ("70.0% (7/10)",)), ("IASS2 NNC Q3", ("70.0% (7/10)",))]
    assert view.assumptions[0].startswith("Escalation (IASS2): Performance Failure")
    (chart,) = view.charts
    assert chart.kind == "rag" and chart.categories == ("Q1", "Q2", "Q3")
    assert chart.unit == "%" and chart.targets == (("Target", 90.0),)
    nnc, wnc = chart.series
    assert nnc.name == "IASS2 NNC" and nnc.rag == ("Green", "Red", "Red")
    assert wnc.values == (85.0, 90.0, None) and wnc.rag == ("Amber", "Green", None)


def test_scorecard_of_status_and_number_kpis():
    kpis = iass_kpis()
    card = apportion.scorecard(
        kpis, {"IASS1": {"2021/22": "in place", "2022/23": "not in place"}})
    (table,) = card.view().tables
    assert table.columns[table.column("value")].kind == "text"
    assert [r.values[table.column("rag")] for r in table.rows] == ["Green", "Red"]
    assert "numerator" not in [c.key for c in table.columns]
    days = KPI("DAYS", unit="days", polarity="lower", target=426, tolerance=60)
    card = apportion.scorecard(days, {"DAYS": {"Q1": 400, "Q2": 2000 / 3}})
    (table,) = card.view().tables
    assert table.columns[table.column("value")].kind == "number"
    assert [r.values[table.column("rag")] for r in table.rows] == ["Green", "Red"]
    assert card.view().charts[0].unit == "days"


def test_scorecard_to_html_full_is_a_whole_page():
    card = iass2_card()
    fragment = card.to_html()
    assert "<html" not in fragment and "IASS2 by authority" in fragment
    page = card.to_html(full=True)
    assert page.startswith("<!DOCTYPE html>") and "<meta charset=\"utf-8\">" in page
    assert "<style>" in page and "<svg" in page and "</html>" in page
    text = parse(page)
    assert "IASS2 by authority" in text and "Amber" in text and "Red" in text
    # Nothing fetched from elsewhere: no external source, link or import.
    for token in ('src="http', "src='http", 'href="http', "url(http", "@import",
                  "<script", "<link"):
        assert token not in page


def test_scorecard_to_text_is_kept():
    text = iass2_card().to_text()
    assert text.splitlines()[0] == "IASS2 by authority"
    assert "70.0% (7/10)" in text and "rectification plan" in text


_PLOT = r"""
import json, sys, warnings
import matplotlib
matplotlib.use(sys.argv[1])
import pandas as pd
import apportion
from apportion.kpi import AmbiguousBandsWarning
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AmbiguousBandsWarning)
    kpis = apportion.load_kpis(sys.argv[2])
long = pd.DataFrame({"kpi": "IASS2", "period": ["Q1", "Q2"], "numerator": [9, 7],
                     "denominator": [10, 10]})
card = apportion.scorecard(kpis, long, title="IASS2")
from matplotlib.figure import Figure
fig = card.plot(sys.argv[3])
later = card.plot()
print(json.dumps({"backend": matplotlib.get_backend(),
                  "pyplot": "matplotlib.pyplot" in sys.modules,
                  "figure": isinstance(fig, Figure) and isinstance(later, Figure),
                  "png": open(sys.argv[3], "rb").read(8).hex()}))
"""


@pytest.mark.parametrize("backend", ["pdf", "svg"])
def test_plot_leaves_the_backend_alone(tmp_path, backend):
    png = tmp_path / "card.png"
    out = subprocess.run([sys.executable, "-c", _PLOT, backend,
                          str(EXAMPLES / "iass-kpis.json"), str(png)],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"backend": backend, "pyplot": False, "figure": True,
                      "png": "89504e470d0a1a0a"}


def test_plot_png_title_inside_the_canvas_and_a_legend(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    card = iass2_card("referrals.csv")
    card.title = ("IASS2: % of referrals and enquiries responded to within 3 "
                  "working days, by authority and quarter")
    fig = card.plot(tmp_path / "card.png")
    # Jupyter shows it inline by itself, whatever the backend.
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    titles = [t for t in fig.findobj(Text) if t.get_text().startswith("IASS2:")]
    assert titles
    for t in titles:
        extent = t.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, extent
        assert box.y0 <= extent.y0 and extent.y1 <= box.y1, extent
    (ax,) = fig.axes
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert {"Amber", "Red", "Green", "Target"} <= set(labels)
    # Amber and Red differ by colour and by marker, and each is named.
    handles = dict(zip(labels, legend.legend_handles))
    amber, red = handles["Amber"], handles["Red"]
    assert amber.get_marker() != red.get_marker()
    assert amber.get_markerfacecolor() != red.get_markerfacecolor()
    import matplotlib.image
    image = matplotlib.image.imread(tmp_path / "card.png")
    assert image.shape[0] > 100 and image.shape[1] > 100


# ---- ledgers ----------------------------------------------------------------

def test_ledger_views():
    ledger = small_ledger()
    (table,) = ledger.view().tables
    assert [c.label for c in table.columns] == ["Cost centre", "Q1", "Q2", "Q3", "Q4",
                                                "Year"]
    assert table.negatives == "minus"
    assert table.rows[-1].kind == "total"
    assert table.rows[-1].values == ("Total", 1099, 250, 0, -50, ledger.total)
    result = ledger.apportion(SPLIT)
    view = result.view()
    by_authority, by_centre = view.tables
    assert [r.values[0] for r in by_authority.rows] == ["NNC", "WNC", "Total"]
    assert [r.values[-1] for r in by_authority.rows[:2]] == [
        result.authority_totals["NNC"], result.authority_totals["WNC"]]
    assert by_centre.title == "By cost centre and authority (the year)"
    assert by_centre.rows[-1].values[-1] == result.total == 1299
    (chart,) = view.charts
    assert chart.kind == "bar" and [s.name for s in chart.series] == ["NNC", "WNC"]
    assert chart.unit == "£" and chart.series[0].values[0] == Decimal("4.86")


def test_ledger_view_folds_many_centres_and_still_adds_up():
    ledger = Ledger([f"C{i:02d}" for i in range(60)], [(i + 1) * 100 for i in range(60)],
                    period=[1] * 60)
    (table,) = ledger.view().tables
    assert len(table.rows) == 40 + 2
    folded = table.rows[-2]
    assert folded.values[0] == "20 other lines"
    assert folded.values[1] == sum((i + 1) * 100 for i in range(20))  # the smallest
    assert table.rows[-1].values[-1] == ledger.total


def test_ledger_by_service_view():
    ledger = small_ledger()
    result = ledger.apportion({"S1": SPLIT, "S2": {"NNC": 1, "WNC": 1}},
                              services={"A": "S1", "B": "S1", "C": "S2"})
    second = result.view().tables[1]
    assert second.title.startswith("By service")
    assert [r.values[0] for r in second.rows] == ["S1", "S2", "Total"]


# ---- scenarios --------------------------------------------------------------

def test_cost_scenario_view():
    sc = scenario()
    view = sc.view()
    (table,) = view.tables
    frame = sc.project()
    assert [r.values[-1] for r in table.rows[:-1]] == frame["total"].tolist()
    assert table.rows[-1].values[-1] == int(frame["total"].sum())
    assert view.assumptions[:3] == (
        "Unit cost: £52,000.00 a unit a year, in year-0 prices (2024)",
        "Inflation: 3.5% a year, year 0 included",
        "Basis every year: NNC 44.16%, WNC 55.84%")
    assert view.charts[0].unit == "£000"


def test_scenario_run_view():
    run = scenario().simulate(300, seed=11)
    view = run.view()
    (table,) = view.tables
    assert len(table.rows) == 3 * 3
    assert not any(c.summed for c in table.columns if c.kind == "money")
    pct = run.percentiles()
    assert table.rows[4].values[2:] == tuple(int(v) for v in pct.iloc[4])
    (chart,) = view.charts
    assert chart.kind == "line"
    assert chart.band == ("5th percentile", "95th percentile")
    assert [s.name for s in chart.series] == ["5th percentile", "Median",
                                             "95th percentile"]
    assert view.assumptions == scenario().assumptions()


# ---- forecasts --------------------------------------------------------------

def test_forecast_view_has_its_band():
    frame = forecast.linear_trend(CLA, predict_at=[2022, 2023, 2024])
    view = forecast.Forecast(frame, unit="children", source="DfE").view()
    (table,) = view.tables
    assert [r.values[0] for r in table.rows] == [str(y) for y in range(2014, 2025)]
    assert table.rows[0].values[1] == 834.0 and table.rows[0].values[2] is None
    last = table.rows[-1].values
    assert last[2:] == tuple(frame.loc[2024, ["mean", "obs_ci_lower", "obs_ci_upper"]])
    assert table.caption().startswith("Source: DfE; forecast by apportion.")
    (chart,) = view.charts
    assert chart.kind == "line" and chart.unit == "children"
    assert chart.band == ("95% interval, lower", "95% interval, upper")
    assert "95% prediction interval" in " ".join(view.paragraphs)


def test_trend_fit_keeps_its_series_without_changing_what_it_is():
    fit = forecast.fit_linear_trend(CLA)
    times, values = fit.observed
    assert times.tolist() == list(range(2014, 2022)) and not values.flags.writeable
    again = forecast.TrendFit(**{k: getattr(fit, k) for k in
                                 fit.__dataclass_fields__ if k != "observed"})
    assert again == fit and again.view().charts == ()
    assert copy.deepcopy(fit) is fit
    assert pickle.loads(pickle.dumps(fit)).observed[1].tolist() == values.tolist()
    view = fit.view()
    assert view.tables[0].rows[1].values[1] == fit.slope
    assert view.charts[0].band is not None


def test_holt_views():
    frame = forecast.holt(CLA, 3)
    view = forecast.Forecast(frame).view()
    assert [r.values[0] for r in view.tables[0].rows][-3:] == ["2022", "2023", "2024"]
    fit = frame.attrs["fit"]
    assert fit.view().charts[0].categories == tuple(str(y) for y in range(2014, 2022))


def test_forecast_needs_a_mean():
    with pytest.raises(apportion.InputError, match="mean"):
        forecast.Forecast(pd.DataFrame({"x": [1]}))


# ---- KPIs, calendars, service areas -----------------------------------------

def test_kpi_view_bands():
    view = iass_kpis()["IASS2"].view()
    (table,) = view.tables
    assert [r.values for r in table.rows] == [
        ("Red", None, Decimal(80), "80% or below"),
        ("Amber", Decimal(80), Decimal(90), "from 80% (not included) to 90% (not included)"),
        ("Green", Decimal(90), Decimal(100), "from 90% (included) to 100% (included)")]
    assert [f.severity for f in view.findings] == ["note"]  # the wording's reading
    lower = KPI("REREF", polarity="lower", target=22, tolerance=3).view()
    assert [r.values[3] for r in lower.tables[0].rows] == [
        "22% or below", "from 22% (not included) to 25% (included)", "above 25%"]
    assert "tolerance of 3 points" in " ".join(lower.paragraphs)


def test_calendar_view():
    cal = Calendar("scotland", extra_closures=["2024-12-27"])
    closed, years = cal.view(2024).tables
    rows = {r.values[0]: r.values[1:] for r in closed.rows}
    assert rows["2024-12-02"] == ("St Andrew's Day", "moved off a weekend")
    assert rows["2024-12-27"][0].startswith("Closure")
    assert [r.values for r in years.rows] == [
        (label, cal.financial_year_working_days(label))
        for label in ("2023/24", "2024/25", "2025/26")]


def test_service_area_view():
    area = apportion.plugin.service_area("IASS")
    kpis, offers = area.view().tables
    assert [r.values[0] for r in kpis.rows] == list(area.kpis)
    assert ("measure", "responded_within_3_working_days") in [
        r.values[:2] for r in offers.rows]
