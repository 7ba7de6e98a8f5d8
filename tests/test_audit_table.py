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
