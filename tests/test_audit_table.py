"""apportion.audit.check_table and `python -m apportion audit`: the seed
tables shipped in examples/tables audit as the papers' figures say, in
JSON and in CSV, and the schema describes what the reader accepts."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion import InputError, PlanError
from apportion.audit import check_table, load_table

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "examples" / "tables"
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" /
                     "table.schema.json").read_text(encoding="utf-8"))


def by_place(report):
    return {(f.row_label, f.column_label, f.kind): f for f in report.findings}


def test_nct_outturn_agrees_within_rounding():
    r = check_table(TABLES / "nct-outturn-2021-22.json")
    assert r.ok and r.counts() == {"ok": 17, "rounding": 2, "error": 0}
    f = by_place(r)
    gross = f[("Total", "Gross Outturn", "total")]
    assert (gross.status, gross.stated, gross.computed) == (
        "rounding", Decimal("3701"), Decimal("3702"))
    funding = f[("Total", "Less Covid Funding", "total")]
    assert funding.status == "rounding" and funding.difference == 1


def test_mtfp_tables_are_consistent():
    for name in ("mtfp-2017-21.json", "mtfp-2017-21-proposals.json"):
        r = check_table(TABLES / name)
        assert r.findings and all(f.status == "ok" for f in r.findings), name
    r = check_table(TABLES / "mtfp-2017-21.json")
    nbr = [f for f in r.findings if f.row_label == "Net Budget Requirement"
           and f.kind == "total"]
    assert [f.stated for f in nbr] == [Decimal(v) for v in
                                       ("130997", "133817", "136011", "140659")]


def test_savings_reclassification_and_errors():
    r = check_table(TABLES / "nct-savings-2023-24.json")
    f = by_place(r)
    amber = f[("TOTAL", "Amber", "total")]
    green = f[("TOTAL", "Green", "total")]
    assert amber.cause == green.cause == "reclassification"
    assert (amber.difference, green.difference) == (470, -470)
    assert amber.item is None and "Amber" in amber.suggestion
    assert f[("TOTAL", "2023/24", "total")].status == "ok"
    valuing = [x for x in r.errors
               if x.row_label.startswith("Additional Valuing care")]
    assert len(valuing) == 1 and valuing[0].difference == -70
    assert valuing[0].cause == "unexplained"


def test_transformation_blocks_named_causes():
    r = check_table(TABLES / "transformation-2024-25-block2.json")
    (e,) = r.errors
    assert e.cause == "decimal_shift" and "IRO CP Chair" in e.item
    assert e.candidates[0].corrected == Decimal("0.085")
    r = check_table(TABLES / "transformation-2024-25-block3.json")
    causes = sorted(x.cause for x in r.errors)
    assert causes == ["duplicated_item", "unexplained"]


def test_csv_form_gives_the_same_findings(tmp_path):
    data = load_table(TABLES / "nct-outturn-2021-22.json")
    lines = [f"#title: {data['title']}", f"#unit: {data['unit']}"]
    lines += [f"#rule: {rule}" for rule in data["rules"]]
    lines.append(",".join(["Service", *data["columns"], "total"]))
    for row in data["rows"]:
        cells = [row["label"], *[v or "" for v in row["values"]],
                 row.get("total", "") if isinstance(row.get("total", ""), str)
                 else ";".join(row["total"])]
        lines.append(",".join(f'"{c}"' for c in cells))
    path = tmp_path / "outturn.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = check_table(path)
    from_json = check_table(TABLES / "nct-outturn-2021-22.json")
    assert [(f.row_label, f.column_label, f.status, f.difference)
            for f in from_csv.findings] == \
        [(f.row_label, f.column_label, f.status, f.difference)
         for f in from_json.findings]


def test_csv_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("#colour: red\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:1: .*colour"):
        check_table(bad)
    bad.write_text("Label,A,B\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:2: expected 3 cells"):
        check_table(bad)


def test_table_errors_name_the_json_path():
    table = {"format": "apportion.table/1", "columns": ["A", "B"],
             "rows": [{"label": "x", "values": ["1", "2"]},
                      {"label": "Total", "total": "above",
                       "values": ["1", "2..0"]}]}
    with pytest.raises(PlanError) as info:
        check_table(table)
    assert "$.rows[1].values[1]" in str(info.value)
    table["rows"][1]["values"][1] = "2"
    table["rules"] = ["C = A + B"]
    with pytest.raises(PlanError, match="C"):
        check_table(table)


def test_dict_tables_take_decimals_and_ints():
    r = check_table({"format": "apportion.table/1", "columns": ["A"],
                     "rows": [{"label": "x", "values": [Decimal("1.25")]},
                              {"label": "y", "values": [2]},
                              {"label": "T", "total": "all",
                               "values": ["3.25"]}]})
    assert r.counts() == {"ok": 1, "rounding": 0, "error": 0}


def test_report_views():
    r = check_table(TABLES / "nct-savings-2023-24.json")
    frame = r.to_frame()
    assert len(frame) == len(r.findings)
    assert set(frame["status"]) == {"ok", "error"}
    assert "reclassification" in r._repr_html_()
    assert "5 errors" in r.report()
    d = json.loads(r.to_json())
    assert d["counts"]["error"] == 5


def test_report_text_names_each_cause_and_can_leave_out_its_heading():
    r = check_table(TABLES / "nct-savings-2023-24.json")
    text = r.report().splitlines()
    assert text[0] == r.title and f"Figures in {r.unit}" in text
    body = r.report(heading=False).splitlines()
    assert body == text[text.index(body[0]):]
    assert body[0] == "46 checks: 41 agree, 0 within rounding, 5 errors."
    errors = [line for line in body if line.startswith("  ERROR")]
    assert len(errors) == 5
    for line, f in zip(errors, r.errors):
        assert line.endswith(f"[{f.check}] ({f.cause})")
    assert r.to_html() == r._repr_html_()
    page = r.to_html(heading=False)
    assert "<strong>" not in page and r.to_html().count("<tr>") == page.count("<tr>")


def test_one_check_is_not_plural():
    r = check_table({"format": "apportion.table/1", "columns": ["A"],
                     "rows": [{"label": "x", "values": ["1.00"]},
                              {"label": "T", "total": "all", "values": ["2.00"]}]})
    assert "1 check: 0 agree, 0 within rounding, 1 error." in r.report()


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "apportion", *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_cli_prints_and_writes_json(tmp_path):
    out = tmp_path / "findings.json"
    p = run_cli("audit", str(TABLES / "nct-savings-2023-24.json"), "--json",
                str(out))
    assert p.returncode == 0, p.stderr
    assert "reclassification" in p.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["counts"] == {"ok": 41, "rounding": 0, "error": 5}
    strict = run_cli("audit", str(TABLES / "nct-savings-2023-24.json"),
                     "--strict")
    assert strict.returncode == 1
    ok = run_cli("audit", str(TABLES / "nct-outturn-2021-22.json"), "--strict",
                 "--json", "-")
    assert ok.returncode == 0 and json.loads(ok.stdout)["counts"]["error"] == 0
    missing = run_cli("audit", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_schema_accepts_every_example_and_ships():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    examples = sorted(TABLES.glob("*.json"))
    assert len(examples) >= 4
    for path in examples:
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
    shipped = Path(apportion.__file__).resolve().parent / "schema" / \
        "table.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_differences_without_building_every_finding():
    lazy = check_table(TABLES / "nct-savings-2023-24.json")
    errors = lazy.errors
    assert lazy.counts()["error"] == len(errors) == 5 and len(lazy) == 46
    assert "5 errors" in lazy.report()
    assert [f for f in lazy.findings if f.status == "error"] == errors
    assert lazy.errors == errors and not lazy.ok


# ---- cells cut off or not legible ------------------------------------------------
# The IASS service plan's Table 1: three quarters of £52,914 and a fourth
# the page cuts off after "£52,91", against WNC's budget of £211,654.

def _quarters(q4: str, total: str = "211,654") -> dict:
    rows = [{"label": f"Quarter {k}", "values": ["52,914"]} for k in (1, 2, 3)]
    rows.append({"label": "Quarter 4", "values": [q4]})
    rows.append({"label": "WNC budget", "total": "above", "values": [total]})
    return {"format": "apportion.table/1", "columns": ["WNC"], "rows": rows}


def test_a_cut_off_item_is_checked_for_consistency_only():
    (f,) = check_table(_quarters("52,91…")).findings
    assert (f.status, f.cause, f.stated, f.computed) == ("ok", "none", 211654, 211654)
    assert ('Quarter 4 is cut off after "52,91", so they can sum to 211,652 to '
            "211,661") in f.suggestion
    assert f.suggestion.endswith("the stated figure 211,654 is consistent with that.")
    # "52,8…" cannot make the quarters £211,654: the nearest it can be is
    # £211,542 + 52,899, more than the rounding of four whole figures.
    (f,) = check_table(_quarters("52,8…")).findings
    assert f.status == "error" and f.stated == 211654 and f.computed == 211641
    assert "is not: the nearest the sum can be is 211,641, 13 less." in f.suggestion
    # Within the rounding of the whole figures (up to 2 either way): rounding.
    (f,) = check_table(_quarters("52,91…", "211,663")).findings
    assert (f.status, f.cause) == ("rounding", "rounding")


def test_a_cut_off_stated_total_is_checked_for_consistency_only():
    (f,) = check_table(_quarters("52,912", "211,65...")).findings
    assert (f.status, f.stated, f.computed) == ("ok", 211654, 211654)
    assert ('the stated figure is cut off after "211,65", so it can be 211,650 to '
            "211,659") in f.suggestion
    (f,) = check_table(_quarters("52,912", "211,7…")).findings
    assert f.status == "error"


def test_a_total_over_a_cell_not_legible_cannot_be_made():
    r = check_table(_quarters("not legible"))
    (f,) = r.findings
    assert (f.status, f.cause) == ("ok", "illegible")
    assert f.suggestion == ("WNC budget = sum of rows 1-4: cannot be checked: the "
                            "figure of Quarter 4 is not legible.")
    # Said apart in the counts and shown in the report, not counted as agreeing.
    assert "0 agree, 0 within rounding, 0 errors, 1 could not be made." in r.report()
    assert "not made" in r.report() and "cannot be checked" in r.to_html()
    (f,) = check_table(_quarters("52,91…", "211,6…")).findings
    assert f.cause == "illegible"
    assert f.suggestion.endswith('more than one of its figures is cut off: the stated '
                                 'figure ("211,6…"), Quarter 4 ("52,91…").')


def test_a_rate_of_a_cell_not_whole_cannot_be_made():
    t = _quarters("52,91…")
    t["rates"] = [{"label": "Quarter 4 of the budget", "stated": "25%",
                   "numerator": {"row": "Quarter 4"},
                   "denominator": {"row": "WNC budget"}}]
    rate = check_table(t).findings[-1]
    assert (rate.status, rate.cause) == ("ok", "illegible")
    assert rate.suggestion.endswith(
        "cannot be checked: its numerator's cell (row \"Quarter 4\", column "
        "\"WNC\") is cut off (\"52,91…\").")


def test_cut_off_cells_in_csv_and_the_schema(tmp_path):
    path = tmp_path / "quarters.csv"
    path.write_text("#title: IASS Table 1\nQuarter,WNC,total\n"
                    "Quarter 1,\"52,914\",\nQuarter 2,\"52,914\",\n"
                    "Quarter 3,\"52,914\",\nQuarter 4,\"52,91…\",\n"
                    "WNC budget,\"211,654\",above\n", encoding="utf-8")
    (f,) = check_table(path).findings
    assert (f.status, f.cause) == ("ok", "none") and "cut off" in f.suggestion
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for cell in ("52,91…", "£52,91...", "not legible", "(1,2…"):
        validator.validate(_quarters(cell))
    for bad in ("52,91,…", "…"):
        with pytest.raises(PlanError, match="legible"):
            check_table(_quarters(bad))
    with pytest.raises(PlanError, match=r"\$\.rows\[3\]\.values\[0\]"):
        check_table(_quarters("5a…"))


# ---- a dict's rows handed to the core as arrays ----------------------------------

def _rows_path(table):
    """The core's checks from the dict's rows as arrays, or None when
    check_table would read the table as JSON text instead."""
    from apportion import _core

    header = {k: v for k, v in table.items() if k != "rows"}
    return _core.audit_checks_rows(json.dumps(header), table["rows"], "<table>")


def _as_json_text(table):
    from apportion import _core
    from apportion.audit import Report

    return Report._from_checks(_core.audit_checks_text(json.dumps(table),
                                                       "<table>"))


def test_seed_tables_as_dicts_give_what_their_files_give():
    taken = 0
    for path in sorted(TABLES.glob("*.json")):
        table = load_table(path)
        taken += _rows_path(table) is not None
        from_dict, from_file = check_table(table).to_dict(), check_table(path).to_dict()
        from_dict.pop("file"), from_file.pop("file")
        assert from_dict == from_file, path.name
    assert taken >= 10  # most seed tables print only whole figures


def test_plain_rows_go_as_arrays_and_agree_with_the_json_reader():
    table = {"format": "apportion.table/1", "title": "T", "unit": "£000",
             "columns": ["A", "B", "C"], "rules": ["C = A - B"],
             "rows": [{"label": "r1", "values": [10, "4", "6"], "note": "n"},
                      {"label": "r2", "sign": -1, "values": ["(2)", "-", -2]},
                      {"label": "r3", "values": ["1,250.5", None, "1,250.25"]},
                      {"label": "Sub", "total": "above",
                       "values": ["1,258.5", "4", "1,254.30"]},
                      {"label": "All", "total": "all",
                       "values": ["1,258.50", "4.1", "1,254.25"]}]}
    assert _rows_path(table) is not None
    got, want = check_table(table), _as_json_text(table)
    assert got.counts() == want.counts() and got.counts()["error"] > 0
    assert got.to_dict() == want.to_dict()
    assert [f.to_dict() for f in got.errors] == [f.to_dict() for f in want.errors]


@pytest.mark.parametrize("cell, row_key", [
    ("52,91…", None), ("not legible", None), (Decimal("1.5"), None),
    (1.5, None), (True, None), ("", None), (2**70, None),
    (1, ("total", ["r1"])), (1, ("sign", True)), (1, ("colour", "red"))])
def test_rows_not_plain_are_read_as_json(cell, row_key):
    rows = [{"label": "r1", "values": [1]}, {"label": "r2", "values": [cell]},
            {"label": "T", "total": "above", "values": ["2"]}]
    if row_key is not None:
        rows[2][row_key[0]] = row_key[1]
    table = {"format": "apportion.table/1", "columns": ["A"], "rows": rows}
    assert _rows_path(table) is None
    try:
        want = _as_json_text(json.loads(json.dumps(
            table, default=lambda v: format(v, "f"))))
    except PlanError as e:
        with pytest.raises(PlanError) as info:
            check_table(table)
        assert str(info.value) == str(e)
        return
    assert check_table(table).to_dict() == want.to_dict()


def test_rows_the_core_refuses_are_named_as_the_json_reader_names_them():
    table = {"format": "apportion.table/1", "columns": ["A"],
             "rows": [{"label": "Sub", "total": "above", "values": [1]},
                      {"label": "x", "values": [1]}]}
    with pytest.raises(PlanError) as info:
        check_table(table)
    # The JSON reader's message, with the line and column of the text.
    assert str(info.value).startswith("<table>:1:")
    assert "$.rows[0].total" in str(info.value)
    assert "name the rows in a list instead" in str(info.value)
    table["rows"][0] = {"label": " ", "values": [1]}
    with pytest.raises(PlanError, match=r"\$\.rows\[0\]\.label"):
        check_table(table)
    table = {"format": "apportion.table/1", "columns": ["A"], "decimals": 0,
             "rows": [{"label": "x", "values": ["1.5"]}]}
    with pytest.raises(PlanError, match=r"\$\.rows\[0\]\.values\[0\]"):
        check_table(table)
