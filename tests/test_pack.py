"""The committee pack (apportion.report): its HTML opened in headless
Chromium (no request anywhere, no console error, every finding's figures
in the page's text, a screenshot), its PDF (page numbers, the same
figures), its workbook, its command and its errors.

Chromium and pdftotext come from `make deps` (Debian's chromium and
poppler-utils); the tests start Chromium themselves."""

from __future__ import annotations

import gc
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import apportion
from apportion.__main__ import main as cli
from apportion.errors import ApportionError
from apportion.present import Column, Finding, Row, Table, View
from apportion.report import Chromium, Pack, load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PLAN = EXAMPLES / "iass-2021-22.json"
OUTTURN = EXAMPLES / "nct-outturn-2021-22.json"
SAVINGS = EXAMPLES / "nct-savings-2023-24.json"


def iass2_scorecard() -> apportion.Scorecard:
    """The IASS2 scorecard as the tour builds it: a year of referrals
    answered within 3 working days, by council and quarter."""
    kpis = apportion.load_kpis(EXAMPLES / "iass-kpis.json")
    refs = pd.read_csv(EXAMPLES / "iass-referrals-2021-22.csv",
                       parse_dates=["received", "responded"])
    quarter = apportion.date_parts(refs.received, "quarter")
    measure = apportion.within_working_days(
        refs.received, refs.responded, 3,
        calendar=apportion.Calendar("england-and-wales"),
        by=[refs.authority, quarter], as_of="2022-03-31")
    return apportion.Scorecard.from_measure(kpis["IASS2"], measure,
                                            title="IASS2 2021/22")


@pytest.fixture(scope="module")
def pack() -> Pack:
    # Files and objects mixed, as a user would: the plan and the outturn
    # by path (read as `run` reads them), the savings tracker and the
    # scorecard as objects.
    return Pack([PLAN, OUTTURN, apportion.load_savings(SAVINGS), iass2_scorecard()],
                title="Children's services: committee pack")


@pytest.fixture(scope="module")
def written(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pack")
    written = pack.write(out)
    assert sorted(written.paths) == ["html", "pdf", "xlsx"]
    return written.paths


def figures(pack: Pack) -> list[str]:
    found = [f for _, finding in pack.findings() for f in finding.figures]
    assert found, "the demo papers have findings with figures"
    return found


def squash(text: str) -> str:
    """Text with every run of white space one space, so that a figure
    wrapped at a line's end in a PDF is still found."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


# ---- the pack's content, without a browser -----------------------------------


def test_pack_holds_the_four_papers_findings_first(pack: Pack) -> None:
    views = pack.views()
    assert len(views) == 4
    assert views[3].title.startswith("IASS2 2021/22")
    severities = [f.severity for _, f in pack.findings()]
    assert severities == sorted(severities, key=["error", "warning", "note"].index)
    assert "error" in severities  # the savings tracker's and outturn's wrong figures
    page = pack.to_html()
    # The findings section comes before every paper, the contents first.
    contents = page.index('id="contents-title"')
    findings = page.index('id="findings"')
    papers = [page.index(f'id="paper-{i}"') for i in range(1, 5)]
    assert contents < findings < papers[0] < papers[1] < papers[2] < papers[3]
    for view in views:
        assert view.title.replace("'", "&#x27;") in page[contents:findings]


def test_findings_are_listed_errors_first_and_escaped() -> None:
    notes = View("First paper", findings=(
        Finding("note", "line 1", "A note on £1 <b>", ("£1",)),
        Finding("warning", "line 2", "A warning on 2%", ("2%",))))
    errors = View("Second & last", findings=(
        Finding("error", "Total", "Stated £10 but the lines sum to £12", ("£10", "£12")),))
    page = Pack([notes, errors], title="T <1>").to_html()
    rows = re.findall(r'<tr class="pack-(\w+)"', page)
    assert rows == ["error", "warning", "note"]
    assert "<title>T &lt;1&gt;</title>" in page
    assert "A note on £1 &lt;b&gt;" in page and "Second &amp; last" in page
    assert "3 findings (1 error, 1 warning, 1 note)" in page
    # Each paper's line in the findings links to the paper.
    assert '<a href="#paper-2">Second &amp; last</a>' in page


def test_the_pack_refers_to_nothing_outside_itself(pack: Pack) -> None:
    page = pack.to_html()
    # No attribute loads from a URL; a link to an anchor or data: only.
    for attr, value in re.findall(r'\b(src|href|xlink:href)="([^"]*)"', page):
        assert value.startswith(("#", "data:")), (attr, value)
    assert "@import" not in page and "url(http" not in page
    assert "<script" not in page


def test_an_empty_pack_is_refused() -> None:
    with pytest.raises(ApportionError, match="at least one paper"):
        Pack([])


def test_load_reads_files_as_run_does() -> None:
    assert type(load(SAVINGS)).__name__ == "Savings"
    assert type(load(PLAN)).__name__ == "Plan"
    assert type(load(EXAMPLES / "tables" / "mtfp-2017-21.json")).__name__ == "Report"
    with pytest.raises(ApportionError, match=r"iass-kpis.json: a pack cannot show "
                       r"a file of the format 'apportion.kpis/1'"):
        load(EXAMPLES / "iass-kpis.json")


def test_a_csv_table_is_audited_into_the_pack(tmp_path: Path) -> None:
    table = tmp_path / "savings.csv"
    table.write_text("#title: Savings by rating\n#unit: £000\n"
                     "#rule: Total = Red + Amber + Green\n"
                     "label,Red,Amber,Green,Total,total\n"
                     "Transport,620,0,0,620,\nPlacements,0,300,1200,1500,\n"
                     "All savings,620,300,1200,2210,above\n", encoding="utf-8")
    pack = Pack([table])
    (view,) = pack.views()
    assert view.title.startswith("Savings by rating")
    errors = [f for _, f in pack.findings() if f.severity == "error"]
    assert errors and "2,210" in " ".join((*errors[0].figures, errors[0].message))
    assert "2,210" in pack.to_html()


def test_progress_is_reported_after_each_step(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    pack = Pack([View("A"), View("B")], progress=lambda *a: calls.append(a))
    pack.write(tmp_path, formats=["html"])
    assert calls == [("view", 1, 2), ("view", 2, 2), ("html", 1, 1)]


# ---- the HTML in headless Chromium -------------------------------------------


def test_pack_html_in_chromium(pack: Pack, written: dict[str, Path],
                               tmp_path: Path) -> None:
    url = written["html"].resolve().as_uri()
    with Chromium() as browser:
        page = browser.open(url)
        # Nothing fetched but the file itself (and data: URIs), no error.
        assert page.requests[0] == url
        assert all(r == url or r.startswith("data:") for r in page.requests), \
            page.requests
        assert page.errors == []
        text = squash(page.text())
        missing = [f for f in figures(pack) if squash(f) not in text]
        assert missing == []
        for view in pack.views():
            assert squash(view.title) in text
        # Charts are inline SVG: the scorecard has one.
        assert page.evaluate("document.querySelectorAll('svg').length") >= 1
        shot = tmp_path / "pack.png"
        shot.write_bytes(page.screenshot())
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # The print rules as Chromium applies them: each paper starts a
        # page, header rows repeat, rows are never split.
        page.send("Emulation.setEmulatedMedia", {"media": "print"})
        style = page.evaluate("""(() => {
            const s = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
            return {paper: s('.pack-paper', 'breakBefore'),
                    head: s('.pack-paper thead', 'display'),
                    row: s('.pack-paper tbody tr', 'breakInside')};
        })()""")
        assert style == {"paper": "page", "head": "table-header-group",
                         "row": "avoid"}


# ---- the PDF -------------------------------------------------------------------


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1]  # each page ends with a form feed


def test_pack_pdf_has_page_numbers_headings_and_figures(pack: Pack,
                                                        written: dict[str, Path]) -> None:
    pages = pdf_pages(written["pdf"])
    total = len(pages)
    assert total >= 2 + len(pack.views())  # cover, findings, a page per paper
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {total}" in text
        assert pack.title in text  # the running heading
    text = squash(" ".join(pages))
    missing = [f for f in figures(pack) if squash(f) not in text]
    assert missing == []
    # Each paper starts a page of its own, in the pack's order.
    starts = []
    for view in pack.views():
        heading = squash(view.title)[:40]
        starts.append(next(i for i, p in enumerate(pages)
                           if i > 0 and squash(p).find(heading) != -1
                           and "Contents" not in p and "Findings" not in p[:200]))
    assert starts == sorted(set(starts))
    info = subprocess.run(["pdfinfo", str(written["pdf"])], check=True,
                          capture_output=True, text=True).stdout
    assert re.search(r"Page size:.*\(A4\)", info), info
    # The headings are the PDF's bookmarks: the findings and every paper.
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(written["pdf"])],
                         check=True, capture_output=True, text=True).stdout
    marks = [squash(html.unescape(m)) for m in re.findall(r'<item page="\d+">(.*?)</item>', xml)]
    assert "Findings" in marks
    for view in pack.views():
        assert squash(view.title) in marks


def test_a_long_table_repeats_its_header_on_each_page(tmp_path: Path) -> None:
    rows = tuple(Row((f"Line {i}", i * 100_000)) for i in range(1, 121))
    table = Table("A long table", (Column("item", "Item", role="label"),
                                   Column("amount", "Amount in pounds", kind="money",
                                          unit="£000")),
                  (*rows, Row(("Total", sum(r.values[1] for r in rows)), kind="total")))
    pack = Pack([View("Long", tables=(table,))], title="Long")
    written = pack.write(tmp_path, formats=["html", "pdf"]).paths
    pages = [p for p in pdf_pages(written["pdf"]) if "Line " in p]
    assert len(pages) >= 2
    for text in pages:
        assert "Amount in pounds" in text
    # No row is split: each line's label and figure are on one page.
    for i in (1, 60, 120):
        page = next(p for p in pages if re.search(rf"\bLine {i}\b", p))
        assert re.search(rf"\bLine {i}\s+{i:,}\b", page)


# ---- the workbook ------------------------------------------------------------


def test_pack_xlsx_has_a_sheet_per_table_and_the_findings(pack: Pack,
                                                         written: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(written["xlsx"])
    assert book.sheetnames[0] == "Findings"
    assert len(book.sheetnames) == 1 + sum(len(v.tables) for v in pack.views())
    cells = {c for row in book["Findings"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)}
    assert [f.message for _, f in pack.findings() if f.message not in cells] == []


# ---- the command and its errors ---------------------------------------------------


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli(["report", str(PLAN), str(SAVINGS), "--out", str(out),
                "--title", "Two papers", "--formats", "html"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Two papers: 2 papers, ")
    assert f"{out / 'pack.html'} (" in said
    assert sorted(p.name for p in out.iterdir()) == ["pack.html"]
    assert "<title>Two papers</title>" in (out / "pack.html").read_text()


def test_report_command_refuses_an_unknown_format(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["report", str(PLAN), "--out", str(tmp_path), "--formats", "html,docx"]) == 2
    err = capsys.readouterr().err
    assert "--formats: expected some of html, xlsx, pdf" in err
    assert not any(tmp_path.iterdir())  # refused before any work


def test_report_command_refuses_a_missing_file_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-paper.json"
    assert cli(["report", str(PLAN), str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("apportion: ") and str(missing) in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_chromium_still_writes_the_rest(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("APPORTION_CHROMIUM", raising=False)
    with pytest.raises(ApportionError, match=r"pack.pdf needs headless Chromium, "
                       r"which is not installed: install Debian's chromium package "
                       r"\(apt-get install chromium\).*\(written: .*pack.html"):
        Pack([View("A")]).write(tmp_path / "out", formats=["html", "pdf"])
    assert (tmp_path / "out" / "pack.html").exists()
    assert not (tmp_path / "out" / "pack.pdf").exists()
    monkeypatch.setenv("APPORTION_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ApportionError, match="APPORTION_CHROMIUM is .*no-such-chromium"):
        Pack([View("A")]).write(tmp_path / "out", formats=["pdf"])


def test_a_chromium_that_stops_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot start: no display' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(ApportionError, match=r"headless Chromium \(.*chromium\) "
                       r"stopped: cannot start: no display"):
        Chromium(str(fake))


def test_chromium_and_pdftotext_are_installed() -> None:
    # make deps installs them; a test never skips for want of them.
    assert shutil.which("pdftotext"), "make deps installs poppler-utils"
    assert any(shutil.which(n) for n in ("chromium", "chromium-browser")) or \
        os.environ.get("APPORTION_CHROMIUM"), "make deps installs chromium"


def test_missing_xlsxwriter_still_writes_the_rest(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # as if not installed
    with pytest.raises(ApportionError, match=r"pack.xlsx: writing Excel needs "
                       r"xlsxwriter: pip install 'apportion\[report\]' \(written: "):
        Pack([View("A")]).write(tmp_path, formats=["html", "xlsx"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.html"]


def test_a_browser_left_open_is_stopped_when_dropped() -> None:
    browser = Chromium()
    process, profile = browser._process, Path(browser._profile)
    assert process.poll() is None and profile.is_dir()
    del browser
    gc.collect()
    assert process.poll() is not None
    assert not profile.exists()
