"""Excel out and in (issue 14).

Out: apportion.present.excel.write_workbook lays real results (the IASS
plan's apportionment and recharge schedule, the audit of the NCT outturn
table, the IASS2 scorecard) out as sheets; the structure is read back with
openpyxl, and LibreOffice (headless, with a profile of its own that says to
recalculate on load) recalculates the workbook: every total and difference
it computes must be apportion's own figure, and an edited line must move its
total by exactly the edit.

In: apportion.workbook reads a ledger, a table to audit and case records
from sheets, giving what the CSV paths give for the same data, and every
error names the sheet, the cell, the column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook.defined_name import DefinedName

import apportion
from apportion import Ledger, _core, workbook
from apportion.audit import check_table, check_table_excel
from apportion.calendar import date_parts
from apportion.errors import InputError, PlanError
from apportion.plugin import service_area
from apportion.present.excel import (
    RAG_FILLS,
    findings_header_row,
    header_row_of,
    sheet_names,
    write_workbook,
)
from apportion.present.model import Column, Finding, Row, Table, View

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OUTTURN = EXAMPLES / "tables" / "nct-outturn-2021-22.json"


# ---- views of real results ---------------------------------------------------------


def table_view(path: Path = OUTTURN) -> View:
    """An audited table: each column's figures as printed beside the
    audit's computed figures (a total row's computed total is the audit's
    sum) and computed - printed."""
    data = json.loads(path.read_text())
    report = check_table(path)
    unit = data["unit"]
    per = _core.parse_money("1", unit)[0]
    columns = [Column("label", "")]
    for k, name in enumerate(data["columns"]):
        columns += [Column(f"s{k}", f"{name} as printed", "money", unit, role="stated"),
                    Column(f"c{k}", f"{name} computed", "money", unit, role="computed"),
                    Column(f"d{k}", f"{name}: computed - printed", "money", unit,
                           role="difference", difference_of=(f"s{k}", f"c{k}"))]
    totals = {(f.row, f.column): f for f in report.findings if f.kind == "total"}
    rows = []
    for i, row in enumerate(data["rows"]):
        values: list = [row["label"]]
        for k, text in enumerate(row["values"]):
            stated = 0 if text.strip() == "-" else _core.parse_money(text, unit)[0]
            f = totals.get((i, k))
            computed = stated if f is None else int(f.computed * per)
            values += [stated, computed, computed - stated]
        rows.append(Row(tuple(values), kind="total" if "total" in row else "line"))
    findings = tuple(Finding("error" if f.status == "error" else "warning",
                             f"{f.row_label} / {f.column_label}", f.suggestion,
                             figures=(format(f.stated, ","), format(f.computed, ",")))
                     for f in report.findings if f.status != "ok")
    return View(report.title, findings=findings,
                tables=(Table(data["title"], tuple(columns), tuple(rows),
                              source=data["source"], name="NCT outturn"),))


def referrals() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "iass-referrals-2021-22.csv", dtype=str,
                       keep_default_na=False).replace("", None)


def iass2_card(records: pd.DataFrame):
    area = service_area("IASS")
    period = date_parts(records["received"], "quarter").map(lambda k: f"Q{k}")
    return area.score("IASS2", records, by=[records["authority"], period],
                      as_of="2022-03-31")


def scorecard_view() -> View:
    """The IASS2 scorecard by authority and quarter: counts, the rate and
    its RAG rating, and a total row of the counts."""
    frame = iass2_card(referrals()).to_frame().reset_index()
    rows = []
    for _, r in frame.iterrows():
        num, den = int(r["numerator"]), int(r["denominator"])
        rate = (Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"))
        rows.append(Row((r["group"], r["period"], num, den, rate, r["rag"].title())))
    rows.append(Row(("All", "", int(frame["numerator"].sum()),
                     int(frame["denominator"].sum()), None, None), kind="total"))
    table = Table("IASS2: responded to within the time limit",
                  (Column("authority", "Authority"), Column("quarter", "Quarter"),
                   Column("in_time", "Responded in time", "count"),
                   Column("referrals", "Referrals", "count"),
                   Column("rate", "In time", "percent"),
                   Column("rag", "RAG", "rag")),
                  tuple(rows), source="examples/iass-referrals-2021-22.csv",
                  name="IASS2")
    findings = tuple(Finding("warning", f"{r['group']} {r['period']}",
                             f"IASS2 escalation: {r['escalation']}")
                     for _, r in frame.iterrows() if r["escalation"] != "none")
    return View("IASS2 scorecard", findings=findings, tables=(table,))


@pytest.fixture(scope="module")
def views():
    """The plan's own view (the present layer's), and views of the audited
    table and the scorecard made here."""
    plan = apportion.load_plan(EXAMPLES / "iass-2021-22.json")
    return [plan.view(), table_view(), scorecard_view()]


def papers_views() -> list[View]:
    """Every paper of examples/ and the audit of every table of
    examples/tables/, as the present layer describes them."""
    from apportion.contract import load_contract_sum
    from apportion.disaggregation import load_disaggregation
    from apportion.mtfp import load_mtfp
    from apportion.outturn import load_outturn
    from apportion.savings import load_savings

    papers = [apportion.load_plan(EXAMPLES / "iass-2021-22.json"),
              load_outturn(EXAMPLES / "nct-outturn-2021-22.json"),
              load_savings(EXAMPLES / "nct-savings-2023-24.json"),
              load_mtfp(EXAMPLES / "nct-mtfp-2017-21.json"),
              load_contract_sum(EXAMPLES / "nct-contract-sum-2024-25.json"),
              load_disaggregation(EXAMPLES / "iass-disaggregation-2022.json")]
    reports = [check_table(p) for p in sorted((EXAMPLES / "tables").glob("*.json"))]
    return [p.view() for p in [*papers, *reports]]


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    views = papers_views()
    path = tmp_path_factory.mktemp("papers") / "papers.xlsx"
    write_workbook(views, path)
    return views, path


@pytest.fixture(scope="module")
def book(tmp_path_factory, views):
    path = tmp_path_factory.mktemp("excel") / "pack.xlsx"
    write_workbook(views, path)
    return path


def exact(value: float | int) -> Decimal:
    """A cell's number as the decimal it stands for (its shortest text)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def in_unit(pence: int, unit: str) -> Decimal:
    return Decimal(pence) / Decimal(_core.parse_money("1", unit)[0])


def layout(views):
    """(sheet name, view, table) in the order write_workbook writes them."""
    pairs = [(v, t) for v in views for t in v.tables]
    names = sheet_names([t for _, t in pairs], reserved=["Findings"])
    return [(n, v, t) for n, (v, t) in zip(names, pairs)]


def formula_cells(views):
    """Every formula cell write_workbook writes: (sheet, cell, table,
    row, column index, the view's figure)."""
    out = []
    for name, view, table in layout(views):
        first = header_row_of(view, table) + 2  # Excel's row of the first line
        keys = [c.key for c in table.columns]
        for i, row in enumerate(table.rows):
            for j, col in enumerate(table.columns):
                value = row.values[j]
                if not isinstance(value, int) or row.kind == "note":
                    continue
                summed = (row.kind in ("total", "subtotal") and col.kind in ("money", "count")
                          and col.role not in ("stated", "difference"))
                differs = col.difference_of is not None and all(
                    isinstance(row.values[keys.index(k)], int) for k in col.difference_of)
                if summed or differs:
                    ref = f"{openpyxl.utils.get_column_letter(j + 1)}{first + i}"
                    out.append((name, ref, table, i, j, value))
    return out


def figure(table: Table, j: int, value: int) -> Decimal:
    col = table.columns[j]
    return in_unit(value, col.unit) if col.kind == "money" else Decimal(value)


# ---- the workbook's structure -------------------------------------------------------


def test_one_sheet_per_table_after_the_findings(book, views):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Findings", "Apportionment", "Recharge schedule",
                             "Carry-forwards", "NCT outturn", "IASS2"]
    for name, view, table in layout(views):
        ws = wb[name]
        top = [ws.cell(r, 1).value for r in range(1, header_row_of(view, table) + 1)]
        assert table.title in top
        assert table.caption() in top
        assert "Figures in" in table.caption() or not table.units()


def test_money_is_in_the_unit_with_a_pound_format(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Apportionment"]
    assert [c.value for c in ws[5]][:5] == ["Line", "Description", "Budget (£)",
                                           "NNC (£)", "WNC (£)"]
    # £407,045 in pounds, not 40,704,500 pence; the shares to the penny
    assert [ws[c].value for c in ("C6", "D6", "E6")] == [407045, 188990.99, 218054.01]
    assert ws["D6"].number_format == "£#,##0.00;-£#,##0.00"
    out = wb["NCT outturn"]
    assert out["B4"].value == "Budget as printed (£000)"
    assert out["B5"].value == 43998 and out["H5"].value == -856
    assert out["H5"].number_format == "#,##0;(#,##0)"
    schedule = wb["Recharge schedule"]
    assert schedule["C9"].value == "£52,91…"   # Q4's stated figure, cut off as printed
    assert schedule["D9"].value is None      # so no difference
    assert schedule["E9"].value == "cut off as printed: not checked against the invoice"
    card = wb["IASS2"]
    assert card["E6"].number_format == "0.0%;(0.0%)"
    assert card["C6"].number_format == "#,##0;(#,##0)"


def test_totals_and_differences_are_live_formulas(book, views):
    wb = openpyxl.load_workbook(book)
    assert wb["Apportionment"]["C7"].value == 407045     # the stated budget: a constant
    assert wb["Apportionment"]["D7"].value == "=SUM(D6)"
    assert wb["Recharge schedule"]["B10"].value == "=SUM(B6:B9)"
    assert wb["Recharge schedule"]["D6"].value == "=C6-B6"
    out = wb["NCT outturn"]
    assert out["C11"].value == "=SUM(C5:C10)"
    assert out["D11"].value == "=C11-B11"
    assert out["E11"].value == 3701          # the stated total: a constant
    assert wb["IASS2"]["C14"].value == "=SUM(C6:C13)"
    cells = formula_cells(views)
    # the apportionment 2 sums; the schedule 3 differences (Q4's stated
    # figure is cut off) and a sum; the outturn 7 rows of 5 differences and 5
    # sums; the scorecard 2 sums
    assert len(cells) == 2 + 4 + (7 * 5 + 5) + 2
    for name, ref, *_ in cells:
        assert str(wb[name][ref].value).startswith("="), (name, ref)


def test_formulas_carry_apportions_figures_as_their_results(book, views):
    """A reader that does not recalculate (openpyxl, pandas) sees the
    figures: each formula's cached result is the view's exact figure."""
    wb = openpyxl.load_workbook(book, data_only=True)
    for name, ref, table, _, j, value in formula_cells(views):
        assert exact(wb[name][ref].value) == figure(table, j, value), (name, ref)


def test_rag_cells_hold_the_text_and_are_coloured_by_conditional_formatting(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["IASS2"]
    ratings = [ws.cell(r, 6).value for r in range(6, 14)]
    assert set(ratings) <= {"Red", "Amber", "Green"} and len(set(ratings)) >= 2
    rules = {}
    for cf in ws.conditional_formatting:
        assert str(cf.sqref) == "F6:F14"
        for rule in cf.rules:
            rules[rule.formula[0]] = rule.dxf.fill.bgColor.rgb
    assert rules == {f'"{k}"': "FF" + v[0][1:] for k, v in RAG_FILLS.items()}
    assert len({fill for fill, _ in RAG_FILLS.values()}) == 3


def test_headers_frozen_and_widths_fit(book, views):
    wb = openpyxl.load_workbook(book)
    assert wb["Apportionment"].freeze_panes == "B6"
    assert wb["NCT outturn"].freeze_panes == "B5"
    assert wb["Findings"].freeze_panes == f"A{findings_header_row(views) + 2}"
    out = wb["NCT outturn"]
    longest = max(len(r.values[0]) for r in views[1].tables[0].rows)
    assert out.column_dimensions["A"].width >= longest
    # a figure column fits "(123,348)" but is not as wide as the label column
    assert 10 <= out.column_dimensions["B"].width < out.column_dimensions["A"].width


def test_findings_sheet_lists_every_finding_errors_first(book, views):
    ws = openpyxl.load_workbook(book)["Findings"]
    top = findings_header_row(views) + 1
    assert [c.value for c in ws[top]] == ["Paper", "Severity", "Where", "Message"]
    assert ws["A3"].value == f"{views[0].title}: {views[0].findings_summary}"
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=top + 1)]
    expected = [(v.title, f"{f.severity} ({f.mark})" if f.mark and f.mark != "ERROR"
                 else f.severity, f.where, f.message) for v in views for f in v.findings]
    assert sorted(rows) == sorted(expected)
    assert len(rows) >= 4
    order = {"error": 0, "warning": 1, "note": 2}
    assert [order[r[1]] for r in rows] == sorted(order[r[1]] for r in rows)
    assert rows[0][:2] == (views[0].title, "error")
    assert rows[0][2].startswith("40000154 / WNC")
    text = " ".join(r[3] for r in rows)
    for f in views[1].findings:
        for fig in f.figures:
            assert fig in text


def test_to_excel_on_a_result_object(tmp_path):
    plan = apportion.load_plan(EXAMPLES / "iass-2021-22.json")
    path = tmp_path / "plan.xlsx"
    plan.to_excel(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Findings", "Apportionment", "Recharge schedule",
                             "Carry-forwards"]
    assert wb["Apportionment"]["D7"].value == "=SUM(D6)"


def test_a_total_that_does_not_follow_from_its_rows_is_refused(tmp_path):
    table = Table("T", (Column("l", "Line"), Column("v", "Value", "money", "£")),
                  (Row(("a", 100)), Row(("b", 250)), Row(("Total", 351), kind="total")))
    path = tmp_path / "bad.xlsx"
    with pytest.raises(ValueError, match=r"row 2 .*'Value \(£\)'.*351.*sum of its rows \(350\)"):
        write_workbook([View("V", tables=(table,))], path)
    assert not path.exists()
    diff = Table("D", (Column("a", "A", "money", "£"), Column("b", "B", "money", "£"),
                       Column("d", "B - A", "money", "£", difference_of=("a", "b"))),
                 (Row((100, 300, 199)),))
    with pytest.raises(ValueError, match="difference 199 is not b - a"):
        write_workbook([View("V", tables=(diff,))], path)


def test_a_difference_across_units_stays_a_constant(tmp_path):
    """B (£) - A (£000) as a cell formula would subtract thousands from
    pounds: the view's difference is written as it is."""
    table = Table("U", (Column("a", "A", "money", "£000"), Column("b", "B", "money", "£"),
                        Column("d", "B - A", "money", "£", difference_of=("a", "b"))),
                  (Row((100000, 250000, 150000)),))
    path = tmp_path / "units.xlsx"
    write_workbook([View("U", tables=(table,))], path, findings=False)
    ws = openpyxl.load_workbook(path)["U"]
    assert [ws[c].value for c in ("A5", "B5", "C5")] == [1, 2500, 1500]
    assert ws["A5"].number_format == "#,##0;(#,##0)"


def test_sheet_names_are_excel_names():
    long = "Savings by proposal: Red/Amber [period 9]? and more words"
    tables = [Table(t, (), ()) for t in (long, long, "findings", "")]
    names = sheet_names(tables, reserved=["Findings"])
    assert names[0] == "Savings by proposal Red Amber p"
    assert names[1] == "Savings by proposal Red Amb (2)"
    assert names[2] == "findings (2)"
    assert names[3] == "Table"
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


# ---- LibreOffice recalculates ----------------------------------------------------

SOFFICE_TIMEOUT = 300


#: What every formula's cached result is replaced with before LibreOffice
#: opens the workbook: a figure no total of these tables has.
POISON = -999999.125


def poison_cached_results(src: Path, dst: Path) -> int:
    """A copy of the workbook whose formulas carry POISON as their cached
    results, so that a figure LibreOffice shows is one it computed (without
    the profile's OOXMLRecalcMode, it would show POISON)."""
    poisoned = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text, n = re.subn(r"(<f>[^<]*</f>)<v>[^<]*</v>", rf"\1<v>{POISON}</v>",
                                  data.decode())
                poisoned += n
                data = text.encode()
            zout.writestr(item, data)
    return poisoned


def recalculate(files: list[Path], out: Path, profile: Path) -> float:
    """LibreOffice, headless with a profile of its own that recalculates
    every xlsx on load, saves each file again as xlsx into ``out``.  The
    whole process group is killed if it runs past the timeout."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: make deps installs libreoffice-calc-nogui"
    user = profile / "user"
    user.mkdir(parents=True)
    # OOXMLRecalcMode 0: always recalculate an Excel file on load (the
    # default asks, which headless takes as never).
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '</oor:items>\n')
    env = dict(os.environ, HOME=str(profile), SAL_USE_VCLPLUGIN="svp")
    start = time.monotonic()
    proc = subprocess.Popen(
        [soffice, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    try:
        output, _ = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice took more than {SOFFICE_TIMEOUT} s")
    finally:
        # soffice.bin may outlive the launcher: end the whole group.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 0, output.decode(errors="replace")
    for f in files:
        assert (out / f.name).exists(), output.decode(errors="replace")
    return time.monotonic() - start


#: The edits: (sheet, line cell, its total's cell, the amount added in the
#: cell's unit): NNC's share of the plan's line, and a line of the audited
#: table's computed Gross Outturn.
EDITS = [("Apportionment", "D6", "D7", Decimal("1234.56")),
         ("NCT outturn", "F5", "F11", Decimal("250"))]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, book, papers):
    work = tmp_path_factory.mktemp("libreoffice")
    plain = work / "plain.xlsx"
    assert poison_cached_results(book, plain) == 2 + 4 + (7 * 5 + 5) + 2
    wb = openpyxl.load_workbook(book)
    for sheet, cell, _, delta in EDITS:
        wb[sheet][cell].value = float(exact(wb[sheet][cell].value) + delta)
    edited = work / "edited.xlsx"
    wb.save(edited)   # openpyxl keeps the formulas and drops their results
    all_papers = work / "papers.xlsx"
    assert poison_cached_results(papers[1], all_papers) == len(formula_cells(papers[0]))
    seconds = recalculate([plain, edited, all_papers], work / "out", work / "profile")
    print(f"LibreOffice recalculated three workbooks in {seconds:.1f} s")
    return tuple(openpyxl.load_workbook(work / "out" / name, data_only=True)
                 for name in ("plain.xlsx", "edited.xlsx", "papers.xlsx"))


def assert_recalculated(book, views):
    cells = formula_cells(views)
    assert cells
    for name, ref, table, _, j, value in cells:
        got = book[name][ref].value
        assert got is not None and got != POISON, f"{name}!{ref} was not calculated"
        want = figure(table, j, value)
        # a float sum of figures in pounds: equal to the penny, and within a
        # millionth of a penny of the exact figure
        assert abs(exact(got) - want) < Decimal("1e-8"), (name, ref, got, want)


def test_libreoffice_computes_apportions_totals(recalculated, views):
    plain = recalculated[0]
    assert_recalculated(plain, views)
    # the audit's rounding differences, computed by LibreOffice from the
    # printed figures
    out = plain["NCT outturn"]
    assert (out["F11"].value, out["G11"].value) == (3702, 1)
    assert (out["I11"].value, out["J11"].value) == (-2632, -1)


def test_libreoffice_computes_every_papers_totals(recalculated, papers):
    """The present layer's views of every paper and audited table: each
    total and difference LibreOffice computes is apportion's figure."""
    assert_recalculated(recalculated[2], papers[0])


def test_an_edited_line_moves_its_total_by_exactly_the_edit(recalculated, views):
    plain, edited, _ = recalculated
    for sheet, cell, total, delta in EDITS:
        before, after = exact(plain[sheet][total].value), exact(edited[sheet][total].value)
        assert after - before == delta, (sheet, total, before, after)
        assert exact(edited[sheet][cell].value) - exact(plain[sheet][cell].value) == delta
    # the difference beside the edited total moves with it; other totals stay
    out_p, out_e = plain["NCT outturn"], edited["NCT outturn"]
    assert exact(out_e["G11"].value) - exact(out_p["G11"].value) == 250
    assert exact(out_e["G5"].value) == 250
    for ref in ("C11", "I11", "L11", "O11"):
        assert out_e[ref].value == out_p[ref].value
    assert edited["Apportionment"]["E7"].value == plain["Apportionment"]["E7"].value


# ---- Excel in: ledgers ---------------------------------------------------------------

LEDGER_CSV = EXAMPLES / "nct-ledger-2021-22.csv"


@pytest.fixture(scope="module")
def ledger_book(tmp_path_factory):
    """The NCT ledger as an analyst's workbook: dates as date cells,
    amounts as numbers in pounds, a title row above the table, and a
    defined name over the table."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.xlsx"
    rows = list(csv.reader(LEDGER_CSV.open()))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ledger"
    ws.append(["NCT ledger 2021/22"])
    ws.append(rows[0])
    for r in rows[1:]:
        ws.append([dt.date.fromisoformat(r[0]), r[1], r[2], float(r[3])])
    wb.defined_names["LedgerLines"] = DefinedName(
        "LedgerLines", attr_text=f"Ledger!$A$2:$D${len(rows) + 1}")
    quarters = wb.create_sheet("By quarter")
    quarters.append(["centre", "quarter", "amount"])
    quarters.append(["A", "Q1", "£1,234.56"])
    quarters.append(["A", 2, 100])
    quarters.append(["B", "Q4", "(616)"])
    wb.save(path)
    return path


def test_a_ledger_from_a_sheet_is_the_ledger_from_its_csv(ledger_book):
    from_csv = Ledger.read_csv(LEDGER_CSV, centre="cost_centre", amount="amount",
                               date="date", financial_year="2021/22")
    for kw in ({"sheet": "Ledger", "range": "A2:D730"}, {"range": "LedgerLines"},
               {"sheet": "Ledger", "range": "A2:D5000"}):
        ledger = Ledger.read_excel(ledger_book, centre="cost_centre", amount="amount",
                                   date="date", financial_year="2021/22", **kw)
        assert ledger.total == from_csv.total
        pd.testing.assert_frame_equal(ledger.totals_frame(), from_csv.totals_frame())
        assert len(ledger) == len(from_csv)
    split = {"NNC": "44.16", "WNC": "55.84"}
    assert ledger.apportion(split).authority_totals == \
        from_csv.apportion(split).authority_totals


def test_a_ledger_by_period_with_money_text(ledger_book):
    ledger = workbook.read_ledger(ledger_book, sheet="By quarter", centre="centre",
                                  amount="amount", period="quarter")
    assert ledger.totals_frame().loc["A"].tolist() == [123456, 10000, 0, 0]
    assert ledger.totals_frame().loc["B"].tolist() == [0, 0, 0, -61600]
    in_thousands = workbook.read_ledger(ledger_book, sheet="By quarter", centre="centre",
                                        amount="amount", period="quarter", unit="£000",
                                        range="A1:C3")
    assert in_thousands.total == 123456000 + 10000000


def edited_ledger(tmp_path, src, cells, sheet="Ledger"):
    wb = openpyxl.load_workbook(src)
    for ref, value in cells.items():
        wb[sheet][ref].value = value
        if isinstance(value, (int, float)):
            wb[sheet][ref].number_format = "General"
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


LEDGER_ARGS = {"sheet": "Ledger", "range": "A2:D730", "centre": "cost_centre",
               "amount": "amount", "date": "date", "financial_year": "2021/22"}


@pytest.mark.parametrize(("cells", "message"), [
    ({"D17": 12.345}, r"^Ledger!D17 \(column 'amount'\): expected money exact to the "
                      r"penny in £, found the number 12\.345, which is not a whole "
                      r"number of pence"),
    ({"D17": 2 / 3}, r"^Ledger!D17 \(column 'amount'\): .*found the number 0\.6666"),
    ({"D17": "£1,2x4"}, r"^Ledger!D17 \(column 'amount'\): amount '£1,2x4': .*expected "
                        r"money in £"),
    ({"D17": None}, r"^Ledger!D17 \(column 'amount'\): no amount"),
    ({"D17": dt.date(2021, 4, 1)}, r"^Ledger!D17 \(column 'amount'\): expected money "
                                   r"in £ .*found the date 2021-04-01"),
    ({"B17": None}, r"^Ledger!B17 \(column 'cost_centre'\): no cost centre"),
    ({"A17": "31/03/2022"}, r"^Ledger!A17 \(column 'date'\): expected a date "
                            r"\(%Y-%m-%d as text, or a date cell\), found '31/03/2022'"),
    ({"A17": 44287}, r"^Ledger!A17 \(column 'date'\): expected a date, found the number "
                     r"44287 \(is the cell formatted as a date\?\)"),
    ({"A17": dt.date(2022, 4, 1)}, r"^Ledger!A17 \(column 'date'\): the date 2022-04-01 "
                                   r"is outside the financial year 2021/22"),
])
def test_ledger_errors_name_the_sheet_cell_and_column(tmp_path, ledger_book, cells, message):
    path = edited_ledger(tmp_path, ledger_book, cells)
    with pytest.raises(InputError, match=message):
        Ledger.read_excel(path, **LEDGER_ARGS)


def test_ledger_errors_for_the_sheet_range_and_columns(tmp_path, ledger_book):
    args = dict(LEDGER_ARGS)
    with pytest.raises(InputError, match=r"has no sheet 'Ledgr'; its sheets are 'Ledger', 'By quarter'"):
        Ledger.read_excel(ledger_book, **{**args, "sheet": "Ledgr"})
    with pytest.raises(InputError, match=r"^Ledger!A2:D2: no column headed 'centre' for the "
                                         r"cost centre; the headers are 'date', 'cost_centre'"):
        Ledger.read_excel(ledger_book, **{**args, "centre": "centre"})
    with pytest.raises(InputError, match=r"range 'Ledgerlines' is neither cells such as "
                                         r"'A1:F200' nor a name the workbook defines"):
        Ledger.read_excel(ledger_book, **{**args, "range": "Ledgerlines"})
    with pytest.raises(InputError, match=r"has 2 sheets \(Ledger, By quarter\): say which"):
        Ledger.read_excel(ledger_book, **{**args, "sheet": None, "range": None})
    with pytest.raises(InputError, match=r"^Ledger!A1:D1: no column headed 'cost_centre'"):
        # without the range the title row is taken as the header
        Ledger.read_excel(ledger_book, **{**args, "range": None})
    path = edited_ledger(tmp_path, ledger_book, {"B3": 5}, sheet="By quarter")
    with pytest.raises(InputError, match=r"^'By quarter'!B3 \(column 'quarter'\): period 5 "
                                         r"is not one of Q1 to Q4"):
        workbook.read_ledger(path, sheet="By quarter", centre="centre", amount="amount",
                             period="quarter")
    path = edited_ledger(tmp_path, ledger_book, {"C2": 1.234567}, sheet="By quarter")
    with pytest.raises(InputError, match=r"^'By quarter'!C2 \(column 'amount'\): expected "
                                         r"money exact to the penny in £000"):
        workbook.read_ledger(path, sheet="By quarter", centre="centre", amount="amount",
                             period="quarter", unit="£000")
    not_a_book = tmp_path / "ledger.xlsx"
    not_a_book.write_text("date,amount\n")
    with pytest.raises(InputError, match="not an Excel workbook"):
        Ledger.read_excel(not_a_book, **args)
    with pytest.raises(InputError, match="cannot read the workbook"):
        Ledger.read_excel(tmp_path / "missing.xlsx", **args)


# ---- Excel in: tables to audit ---------------------------------------------------------


def table_sheet(path: Path, data: dict, numbers: bool = True) -> Path:
    """A table file laid out in a sheet as its CSV form: directive rows,
    the header, the rows; figures as numbers where they are plain."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Outturn"
    ws.append(["#title:", data["title"]])
    ws.append([f"#unit: {data['unit']}"])
    for rule in data.get("rules", []):
        ws.append(["#rule", rule])
    ws.append(["", *data["columns"], "total"])
    for row in data["rows"]:
        values: list = []
        for text in row["values"]:
            plain = text.replace(",", "")
            if plain.startswith("("):
                plain = "-" + plain[1:-1]
            values.append(int(plain) if numbers and re.fullmatch(r"-?\d+", plain) else text)
        ws.append([row["label"], *values, row.get("total")])
    wb.save(path)
    return path


def test_a_table_from_a_sheet_audits_as_its_file(tmp_path):
    data = json.loads(OUTTURN.read_text())
    expected = check_table(OUTTURN)
    for numbers in (True, False):
        path = table_sheet(tmp_path / f"t{numbers}.xlsx", data, numbers)
        report = check_table_excel(path, sheet="Outturn")
        assert report.title == expected.title
        assert report.counts() == expected.counts() == {"ok": 17, "rounding": 2, "error": 0}
        assert [(f.row_label, f.column_label, f.stated, f.computed, f.status)
                for f in report.findings] == \
            [(f.row_label, f.column_label, f.stated, f.computed, f.status)
             for f in expected.findings]
    as_dict = workbook.read_table(path, sheet="Outturn")
    assert as_dict["rows"][0]["values"] == ["43,998", "45,026", "(856)", "44,170", "172"]
    assert as_dict["cells"]["$.rows[0].values[2]"] == "Outturn!D6 (column 'Less Covid Funding')"


def test_a_table_cell_reads_as_it_shows(tmp_path):
    data = json.loads(OUTTURN.read_text())
    path = table_sheet(tmp_path / "t.xlsx", data)
    wb = openpyxl.load_workbook(path)
    ws = wb["Outturn"]
    ws["C6"].value = 45026.0
    ws["C6"].number_format = "#,##0.0"
    wb.save(path)
    table = workbook.read_table(path, sheet="Outturn", unit="£000")
    assert table["rows"][0]["values"][1] == "45026.0"
    ws["C6"].value = 45026.25
    wb.save(path)
    with pytest.raises(InputError, match=r"^Outturn!C6 \(column 'Gross Outturn'\): the cell "
                                         r"holds 45026\.25 but shows 1 decimal \(#,##0\.0\)"):
        check_table_excel(path, sheet="Outturn")
    ws["C6"].value = "45,02x"
    wb.save(path)
    with pytest.raises(PlanError, match=r"^Outturn!C6 \(column 'Gross Outturn'\): cannot read "
                                        r"the figure \"45,02x\""):
        check_table_excel(path, sheet="Outturn")
    ws["A2"].value = "#units: £000"
    wb.save(path)
    with pytest.raises(InputError, match=r"^Outturn!A2: a directive reads '#key: value'"):
        check_table_excel(path, sheet="Outturn")


# ---- Excel in: case records and KPI values ----------------------------------------------


def test_case_records_from_a_sheet_score_as_from_the_csv(tmp_path):
    csv_records = referrals()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append(list(csv_records.columns))
    for r in csv_records.itertuples(index=False):
        ws.append([r.reference, r.authority, dt.date.fromisoformat(r.received),
                   None if pd.isna(r.responded) else dt.date.fromisoformat(r.responded)])
    path = tmp_path / "referrals.xlsx"
    wb.save(path)
    records = workbook.read_records(path, sheet="Referrals", dates=["received", "responded"])
    def cells(frame):
        return [[None if pd.isna(v) else v for v in row]
                for row in frame.itertuples(index=False)]

    assert list(records.columns) == list(csv_records.columns)
    assert cells(records) == cells(csv_records)
    assert records["responded"].isna().sum() == csv_records["responded"].isna().sum() > 0
    pd.testing.assert_frame_equal(iass2_card(records).to_frame(),
                                  iass2_card(csv_records).to_frame())
    ws["C9"].value = "yesterday"
    wb.save(path)
    with pytest.raises(InputError, match=r"^Referrals!C9 \(column 'received'\): expected a "
                                         r"date \(%Y-%m-%d as text, or a date cell\), found "
                                         r"'yesterday'"):
        workbook.read_records(path, sheet="Referrals", dates=["received", "responded"])


def test_kpi_values_from_a_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws.append(["kpi", "group", "period", "numerator", "denominator", "value"])
    ws.append(["IASS2", "NNC", "Q1", 29, 37, 78.4])
    ws.append(["IASS2", "NNC", "Q2", "31", 40.0, "77.5"])
    path = tmp_path / "kpis.xlsx"
    wb.save(path)
    frame = workbook.read_records(path, sheet="KPIs", integers=["numerator", "denominator"],
                                  numbers=["value"])
    assert frame["numerator"].tolist() == [29, 31]
    assert frame["denominator"].tolist() == [37, 40]
    assert frame["value"].tolist() == [Decimal("78.4"), Decimal("77.5")]
    assert frame["period"].tolist() == ["Q1", "Q2"]
    ws["E3"].value = 40.5
    wb.save(path)
    with pytest.raises(InputError, match=r"^KPIs!E3 \(column 'denominator'\): expected a whole "
                                         r"number, found the number 40\.5"):
        workbook.read_records(path, sheet="KPIs", integers=["numerator", "denominator"])
