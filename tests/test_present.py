"""The presentation layer: the text, HTML and Markdown renderers on tables
made by hand (units, negatives, totals, captions, escaping, RAG, alignment),
each paper's view in all three, and the charts (SVG with nothing fetched,
a Figure that leaves matplotlib's backend and pyplot alone)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from apportion.audit import check_table, quoted_figures
from apportion.contract import load_contract_sum
from apportion.disaggregation import load_disaggregation
from apportion.mtfp import load_mtfp
from apportion.outturn import load_outturn
from apportion.plan import Plan, load_plan
from apportion.present import (
    Chart,
    Column,
    Finding,
    Presentable,
    Row,
    Series,
    Table,
    View,
)
from apportion.present._format import RAG_COLOURS, RAG_MARKERS, RAG_SYMBOLS
from apportion.present.charts import ChartFigure, chart_figure, chart_png, chart_svg
from apportion.present.html import STYLESHEET, table_html, view_html
from apportion.present.markdown import table_markdown, view_markdown
from apportion.present.text import table_text, view_text
from apportion.savings import load_savings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# ---- helpers ------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Balanced(HTMLParser):
    """Checks that every element is closed, in order, and collects the
    page's text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Balanced:
    p = Balanced()
    p.feed(page)
    p.close()
    assert p.errors == [] and p.stack == [], (p.errors, p.stack)
    return p


def page_text(page: str) -> str:
    return " ".join(" ".join(parse(page).text).split())


def markdown_text(md: str) -> str:
    """Markdown as a reader sees it: escapes and emphasis gone."""
    return re.sub(r"\\(.)", r"\1", md).replace("**", "")


K = 1000 * 100  # pence in £1,000


def budget_table(negatives: str = "brackets") -> Table:
    return Table(
        "Budget <2021/22> & more",
        (Column("item", "Item"),
         Column("budget", "Budget", "money", "£000", role="stated"),
         Column("outturn", "Outturn", "money", "£000", role="computed"),
         Column("variance", "Variance", "money", "£000", role="difference",
                difference_of=("budget", "outturn")),
         Column("rag", "RAG", "rag")),
        (Row(("Staff", 616 * K, 618 * K, 2 * K, "Amber")),
         Row(("Income | fees", -270 * K, -275 * K, -5 * K, "Green")),
         Row(("Agency", 0, 40 * K, 40 * K, "Red"), note="not budgeted"),
         Row(("Total", 346 * K, 383 * K, 37 * K, None), kind="total")),
        source="the committee paper, Table 2", negatives=negatives,  # type: ignore[arg-type]
        notes=("Agency staff were approved in month 7.",))


# ---- the renderers on tables made by hand -----------------------------------


def test_units_scale_the_figures_and_name_the_unit():
    pence = 123_456_789
    cases = {"£": "£1,234,567.89", "£000": "1,234.56789", "£m": "1.23456789",
             "p": "123,456,789"}
    for unit, shown in cases.items():
        t = Table("t", (Column("a", "Item"), Column("v", "Value", "money", unit)),
                  (Row(("x", pence)),))
        text = table_text(t)
        assert shown in text
        named = "pence" if unit == "p" else unit
        assert f"Value ({named})" in text and f"Figures in {named};" in text
        assert f"Value ({named})" in page_text(table_html(t))
        assert shown in table_markdown(t)


def test_decimals_fixed_by_the_column_or_its_finest_figure():
    t = Table("t", (Column("a", "Item"), Column("v", "Value", "money", "£000"),
                    Column("w", "Whole", "money", "£000", decimals=0)),
              (Row(("x", 1_234 * K, 1_234 * K)), Row(("y", 5 * K + 50_000, 2 * K))))
    text = table_text(t)
    assert "1,234.0" in text and "5.5" in text   # one decimal: the finest needs it
    assert re.search(r" 1,234\n", text) and re.search(r" 2\n", text)


@pytest.mark.parametrize("negatives, negative, rule", [
    ("brackets", "(270)", "negatives in brackets"),
    ("minus", "-270", "negatives with a minus sign"),
])
def test_one_negative_convention_per_table_stated_in_its_caption(negatives, negative, rule):
    t = budget_table(negatives)
    caption = t.caption()
    assert caption == (f"Source: the committee paper, Table 2. Figures in £000; {rule}.")
    for shown in (table_text(t), page_text(table_html(t)), table_markdown(t)):
        assert negative in shown and caption in shown
        other = "-270" if negatives == "brackets" else "(270)"
        assert other not in shown


def test_a_difference_is_signed_as_the_text_signs_it():
    t = budget_table()
    for shown in (table_text(t), page_text(table_html(t)), markdown_text(table_markdown(t))):
        assert "+2" in shown and "+37" in shown and "(5)" in shown
    pounds = Table("p", (Column("a", "Item"), Column("d", "Difference", "money", "£", 2,
                                                     role="difference")),
                   (Row(("x", 200)), Row(("y", -640_001)), Row(("z", 0))), negatives="minus")
    assert "+£2.00" in table_text(pounds) and "-£6,400.01" in table_text(pounds)
    assert "+£0.00" not in table_text(pounds) and "£0.00" in table_text(pounds)


def test_text_table_aligns_figures_right_and_rules_off_the_total():
    lines = table_text(budget_table()).splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("Item"))
    rows = lines[header:]
    assert set(rows[1].replace(" ", "")) == {"-"}          # a rule under the headings
    total = next(i for i, line in enumerate(rows) if line.strip().startswith("Total"))
    assert set(rows[total - 1].replace(" ", "")) == {"-"}  # and one above the total
    # the Budget column's figures end where its heading ends (the closing
    # bracket of a negative hangs one place to the right)
    end = rows[0].index("Budget (£000)") + len("Budget (£000)")
    staff = next(r for r in rows if "Staff" in r)
    income = next(r for r in rows if "Income" in r)
    assert staff[:end].endswith("616 ") and income[:end + 0].endswith("(270)")
    assert rows.count(next(r for r in rows if r.strip().startswith("Total"))) == 1
    assert sum(r.strip().startswith("Total") for r in rows) == 1
    assert lines[lines.index(next(r for r in lines if "Agency" in r)) + 1].strip() \
        == "not budgeted"                              # the row's note under it


def test_html_table_right_aligns_bolds_the_total_and_labels_every_column():
    page = table_html(budget_table())
    p = parse(page)
    headers = [a for t, a in p.tags if t == "th" and a.get("scope") == "col"]
    assert len(headers) == 5
    heads = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert all(h.strip() for h in heads) and len(heads) == 5
    assert page.count("<thead>") == 1 and page.count("<tr", 0, page.index("<tbody>")) == 1
    figures = re.findall(r'<td class="ap-num[^"]*" style="([^"]*)"', page)
    assert figures and all("text-align:right" in s for s in figures)
    total = page[page.index('<tr class="ap-total"'):]
    total = total[:total.index("</tr>")]
    assert "font-weight:bold" in total and "border-top" in total
    assert page_text(page).count("Total") == 1
    assert "Source: the committee paper, Table 2." in page_text(page)
    assert "not budgeted" in page_text(page)


def test_markdown_table_aligns_figures_and_bolds_the_total():
    md = table_markdown(budget_table())
    lines = md.splitlines()
    align = next(line for line in lines if line.startswith("| :---"))
    assert align == "| :--- | ---: | ---: | ---: | :--- |"
    assert "| **Total** | **346** | **383** | **+37** |  |" in lines
    assert "Income \\| fees" in md and "Budget \\<2021/22\\> & more" in md
    # no math or strikethrough where a reading quotes a JSON path
    assert markdown_text(view_markdown(View("$.basis.values ~ $x$"))) == "### $.basis.values ~ $x$"
    assert "\\$.basis.values \\~ \\$x\\$" in view_markdown(View("$.basis.values ~ $x$"))


def test_everything_is_escaped_in_html():
    t = Table("<script>alert(1)</script>", (Column("a", "A & <b>"),),
              (Row(("<img src=x onerror=alert(1)>",)),), source='"quoted" <src>')
    v = View("<h1>title</h1>", paragraphs=("<p>para</p>",), tables=(t,),
             findings=(Finding("error", "<where>", "<message>"),))
    page = view_html(v)
    assert "<script>" not in page and "<img" not in page and "<h1>" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    text = page_text(page)
    assert "<h1>title</h1>" in text and '"quoted" <src>' in text
    assert "<message>" in text


def test_rag_is_a_word_a_shape_and_a_colour_with_a_key():
    t = budget_table()
    text = table_text(t)
    assert all(w in text for w in ("Red", "Amber", "Green"))
    page = table_html(t)
    for name, colour in RAG_COLOURS.items():
        cell = re.search(rf'<td class="ap-rag-{name.lower()}"[^>]*>(.*?)</td>', page)
        assert cell is not None
        assert colour in cell.group(1) and RAG_SYMBOLS[name] in cell.group(1)
        assert cell.group(1).endswith(name)            # the word, not colour alone
    assert "Key:" in page_text(page)
    md = table_markdown(t)
    assert f"{RAG_SYMBOLS['Red']} Red" in md and "Key:" in md
    # each rating its own shape, in tables and in charts
    assert len(set(RAG_SYMBOLS.values())) == 3 and len(set(RAG_MARKERS.values())) == 3


# Machado, Oliveira and Fernandes (2009): the simulation of full protanopia,
# deuteranopia and tritanopia in linear RGB.
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    "normal vision": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
}


def _lab(colour: str, simulate: list[list[float]]) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(np.array(simulate) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_rag_colours_stay_apart_for_colour_blind_readers():
    # CIE76 distance between each pair of ratings as each kind of full
    # dichromat sees them: at least 15 (about 7 steps a reader notices
    # side by side); the Okabe-Ito three reach 18 at the closest (amber
    # and red in deuteranopia), where the former red, amber and green of
    # the audit's HTML fell to 13.
    for vision, matrix in _CVD.items():
        for a, b in itertools.combinations(RAG_COLOURS, 2):
            distance = np.linalg.norm(_lab(RAG_COLOURS[a], matrix)
                                      - _lab(RAG_COLOURS[b], matrix))
            assert distance > 15, (vision, a, b, distance)


def test_view_text_html_and_markdown_say_the_same():
    v = View("The view", paragraphs=("Total variance +£2.00.",),
             tables=(budget_table(),), source="paper.json",
             assumptions=("unit cost £1,200",),
             findings=(Finding("error", "Q4", "Stated £52,914.00, computed £52,912.00.",
                               ("£52,914.00", "£52,912.00")),
                       Finding("warning", "Total", "Within rounding (1).", mark="rounding")),
             findings_title="Audit", findings_summary="3 checks: 1 agree.")
    text, page, md = view_text(v), view_html(v), view_markdown(v)
    shown = page_text(page)
    for words in ("The view", "Source: paper.json", "Total variance +£2.00.",
                  "Assumption: unit cost £1,200", "Audit", "3 checks: 1 agree.",
                  "£52,914.00", "£52,912.00", "ERROR", "rounding", "(270)", "+37"):
        assert words in text and words in shown and words in markdown_text(md), words
    assert text.index("Budget") < text.index("Audit")
    assert "  ERROR    Q4\n           Stated £52,914.00" in text
    assert page.startswith('<div class="apportion-view') and page.endswith("</div>")
    assert "mathjax_ignore" in page.split(">")[0]        # "$" is never TeX here
    assert "<h3>The view</h3>" in page and "<h4>Audit</h4>" in page
    assert "<h2>The view</h2>" in view_html(v, level=2)
    with pytest.raises(ValueError, match="level"):
        view_html(v, level=9)
    assert md.startswith("### The view") and "#### Audit" in md


def test_html_is_self_contained():
    v = View("v", tables=(budget_table(),), charts=(
        Chart("c", "bar", ("a", "b"), (Series("s", (1, 2)),)),))
    page = view_html(v)
    parse(page)
    for outside in ("<script", "<link", "<img", "<iframe", "@import", "url(http",
                    "url(//", 'href="http', "src="):
        assert outside not in page, outside
    assert "<style" not in page.split("<svg")[0]        # styles inline (attributes)
    assert STYLESHEET.count("{") == STYLESHEET.count("}")
    rules = [r.strip() for r in re.findall(r"([^{}]+)\{", STYLESHEET)
             if not r.strip().startswith("@")]
    assert all(sel.strip().startswith(".apportion-view")
               for r in rules for sel in r.split(","))


def test_quoted_figures_are_the_figures_a_message_prints():
    assert quoted_figures("it does not — stated £211,654.00, computed £218,054.01; "
                          "the stated figure is £6,400.01 less.") == (
        "£211,654.00", "£218,054.01", "£6,400.01")
    assert quoted_figures("The items sum to 3,702, not the stated 3,701 "
                          "(difference -1), up to 3 either way.") == ("3,702", "3,701")
    assert quoted_figures("0.87% of (£3.5m) and 6 lines") == ("0.87%", "(£3.5m)")


# ---- each paper's view ----------------------------------------------------------

PAPERS = [
    (load_plan, "iass-2021-22.json", ["Apportionment by the basis", "Recharge schedule"]),
    (load_outturn, "nct-outturn-2021-22.json", ["Outturn by line", "By authority"]),
    (load_contract_sum, "nct-contract-sum-2024-25.json",
     ["Blocks", "Business cases", "By authority"]),
    (load_mtfp, "nct-mtfp-2017-21.json", ["Roll-forward", "Proposals by year"]),
    (load_savings, "nct-savings-2023-24.json",
     ["Proposals by rating", "Delivery against the target"]),
    (load_disaggregation, "iass-disaggregation-2022.json",
     ["The budget (£429k) under each basis", "Timeline"]),
]


@pytest.fixture(scope="module", params=PAPERS, ids=[p[1] for p in PAPERS])
def paper_view(request):
    load, name, tables = request.param
    paper = load(EXAMPLES / name)
    return paper, paper.view(), tables


def test_each_papers_view_has_its_title_tables_and_findings(paper_view):
    paper, view, tables = paper_view
    assert view.title == (paper.title or paper.source)
    titles = [t.title for t in view.tables]
    for expected in tables:
        assert any(t.startswith(expected) for t in titles), (expected, titles)
    assert view.findings_title == "Audit of the paper's figures"
    assert len(view.findings) == len(paper.audit._differences())
    for table in view.tables:
        assert table.caption(), table.title            # source and units said
        assert all(c.label for c in table.columns)
        assert sum(str(r.values[0]) == "Total" for r in table.rows) <= 1


def test_the_findings_figures_appear_in_text_html_and_markdown(paper_view):
    paper, view, _ = paper_view
    text, shown, md = paper.report(), page_text(paper._repr_html_()), \
        markdown_text(paper.to_markdown())
    assert paper.to_text() == text == str(paper)
    figures = [f for finding in view.findings for f in finding.figures]
    assert figures or not view.findings
    for figure in figures:
        assert figure in text and figure in shown and figure in md, figure
    assert view.title in text and view.title in shown and view.title in md


def test_each_papers_html_parses_and_puts_figures_right(paper_view):
    paper, _, _ = paper_view
    page = paper._repr_html_()
    p = parse(page)
    assert "<style" not in page.split("<svg")[0]
    for tag, attrs in p.tags:
        if tag == "td" and "ap-num" in (attrs.get("class") or ""):
            assert "text-align:right" in (attrs.get("style") or "")
    # no pandas index row: every <thead> has exactly one row
    for head in re.findall(r"<thead>(.*?)</thead>", page):
        assert head.count("<tr") == 1


def test_the_issues_defects_of_the_outturn_and_plan_views_are_gone():
    outturn = load_outturn(EXAMPLES / "nct-outturn-2021-22.json")
    page = outturn._repr_html_()
    text = page_text(page)
    # one negative convention in the view: brackets in £000 and in pounds
    assert "(616)" in text and "(£8,390.40)" in text
    assert not re.search(r"-£\d", text.split("Audit of the paper")[0])
    # every column labelled, "Total" once per table
    for table in outturn.view().tables:
        assert all(c.label.strip() for c in table.columns)
        assert [r.values[0] for r in table.rows].count("Total") == 1
    plan = load_plan(EXAMPLES / "iass-2021-22.json")
    data = json.loads((EXAMPLES / "iass-2021-22.json").read_text(encoding="utf-8"))
    data["stated"]["instalments"][-1] = "£52,914"   # Q4 as if printed whole
    whole = Plan.from_dict(data)
    for shown in (whole.report(), page_text(whole._repr_html_()),
                  markdown_text(whole.to_markdown())):
        assert "+£2.00" in shown and "£211,656.00" in shown
    assert "£52,91…" in page_text(plan._repr_html_())


def test_the_audit_report_renders_through_the_same_view():
    r = check_table(EXAMPLES / "tables" / "nct-savings-2023-24.json")
    v = r.view()
    assert v.findings_summary == "46 checks: 41 agree, 0 within rounding, 5 errors."
    assert [f.mark for f in v.findings] == ["ERROR"] * 5
    assert r.report() == view_text(v)
    assert r.to_html() == r._repr_html_() == view_html(v)
    everything = r.view(everything=True)
    assert len(everything.findings) == 46
    md = markdown_text(r.to_markdown())
    assert sum(bool(f.figures) for f in v.findings) >= 3
    for f in v.findings:
        assert all(x in md for x in f.figures)


# ---- the mixin ------------------------------------------------------------------

class Thing(Presentable):
    def view(self) -> View:
        return View("A thing", tables=(budget_table(),))


def test_presentable_renders_its_view_and_writes_excel_by_the_excel_module(
        monkeypatch, tmp_path):
    thing = Thing()
    assert thing._repr_html_() == view_html(thing.view())
    assert thing.to_markdown() == view_markdown(thing.view())
    assert thing.to_text() == view_text(thing.view())
    # no _repr_markdown_: a frontend ranking Markdown first would show it
    # instead of the HTML
    assert not hasattr(thing, "_repr_markdown_")
    written = []
    fake = types.ModuleType("apportion.present.excel")
    fake.write_workbook = lambda views, path: written.append((views, path))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "apportion.present.excel", fake)
    thing.to_excel(tmp_path / "x.xlsx")
    assert written == [([thing.view()], tmp_path / "x.xlsx")]
    with pytest.raises(NotImplementedError):
        Presentable().view()


# ---- charts -----------------------------------------------------------------------

CHARTS = [
    Chart("Savings by rating, a long title that must wrap rather than be clipped "
          "at the edge of the figure", "bar", ("Red", "Amber", "Green", "Mitigations"),
          (Series("Savings (£000)", (1247, 1370, 5125, 0), ("Red", "Amber", "Green", None)),),
          unit="£000", targets=(("Target", 7672),), source="NCT savings <2023/24>"),
    Chart("Trend", "line", ("2019", "2020", "2021", "2022"),
          (Series("Actual", (1, 2, 3, None)), Series("Forecast", (None, None, 3, 4)),
           Series("Low", (None, None, 3, 3.5)), Series("High", (None, None, 3, 4.5))),
          band=("Low", "High"), unit="children"),
    Chart("On time", "rag", ("Q1", "Q2", "Q3", "Q4"),
          (Series("%", (Decimal("80.5"), 70, 55, None), ("Green", "Amber", "Red", None)),),
          unit="%", targets=(("Target 75%", 75),)),
]


@pytest.mark.parametrize("chart", CHARTS, ids=[c.kind for c in CHARTS])
def test_chart_svg_is_inline_svg_that_fetches_nothing(chart):
    svg = chart_svg(chart)
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    refs = re.findall(r'href="([^"]*)"', svg)
    assert all(r.startswith("#") for r in refs), refs
    assert "<image" not in svg and "url(http" not in svg and "@import" not in svg
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == chart.title
    # text is kept as text, so the legend and labels can be read and searched
    for s in chart.series:
        if not chart.band or s.name not in chart.band:
            assert f">{s.name}<" in svg.replace("&lt;", "<") or s.name in svg
    if chart.kind != "line":
        for name in ("Red", "Amber", "Green"):
            assert name in svg                              # each rating in the legend


def test_chart_figure_is_a_figure_that_shows_itself_as_png():
    from matplotlib.figure import Figure

    fig = chart_figure(CHARTS[0])
    assert isinstance(fig, Figure) and isinstance(fig, ChartFigure)
    assert fig._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")
    assert chart_png(CHARTS[2]).startswith(b"\x89PNG")
    legend = fig.axes[0].get_legend()
    # the series (its mitigations bar is unrated), each rating, the target
    assert [t.get_text() for t in legend.get_texts()] == [
        "Savings (£000)", "Green", "Amber", "Red", "Target"]


CHECK_BACKEND = """
import sys, matplotlib
{setup}
before = dict.__getitem__(matplotlib.rcParams, "backend")
from apportion.present.charts import chart_figure, chart_png, chart_svg
from apportion.present import Chart, Series
c = Chart("t", "rag", ("a", "b"), (Series("s", (1, 2), ("Red", "Green")),))
chart_figure(c); chart_svg(c); chart_png(c)
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported"
assert dict.__getitem__(matplotlib.rcParams, "backend") == before
{after}
print("ok")
"""


@pytest.mark.parametrize("setup, after", [
    ("", ""),
    ("matplotlib.use('pdf')", "assert matplotlib.get_backend() == 'pdf'"),
])
def test_charts_leave_the_backend_and_pyplot_alone(setup, after):
    out = subprocess.run([sys.executable, "-c", CHECK_BACKEND.format(setup=setup, after=after)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_a_view_with_a_chart_carries_it_inline():
    savings = load_savings(EXAMPLES / "nct-savings-2023-24.json")
    page = savings._repr_html_()
    parse(page)
    assert page.count("<svg ") == 1 and "Delivery by rating" in page_text(page)
    assert "Chart: Delivery by rating" in savings.report()
