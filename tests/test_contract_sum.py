"""Contract sums in blocks: the NCT 2024/25 contract sum and transformation
blocks (the T&E Board Update, 6 March 2024, 7.1.1-7.1.7 and Appendix A), balances outstanding, the
split between the councils, the audit of every printed figure with its
cause, and the shipped schema."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

import apportion
from apportion.__main__ import main
from apportion.audit import Report
from apportion.contract import ContractSum, load_contract_sum, parse_contract_sum

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "nct-contract-sum-2024-25.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
PLUGIN_EXAMPLE = ROOT / "examples" / "transformation-2024-25.json"
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" /
                     "contract_sum.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

M = 100_000  # £0.001m in pence


@pytest.fixture(scope="module")
def nct() -> ContractSum:
    return load_contract_sum(EXAMPLE_PATH)


def test_blocks_contract_sum_and_balances(nct):
    blocks = nct.blocks_frame()
    assert list(blocks.index) == ["1", "2", "3"]
    assert list(blocks["kind"]) == ["core", "items", "provision"]
    assert list(blocks["in_contract_sum"]) == [True, True, False]
    assert list(blocks["amount"]) == [177_429 * M, 2_580 * M, 3_291 * M]
    # "a Contract Sum of £180.009m made up of Block 1 ... and Block 2"
    assert nct.contract_sum == 180_009 * M == nct.stated_contract_sum
    assert nct.provisions == 3_291 * M
    # Block 3: the business cases agree £1.456m, leaving £1.835m.
    assert (blocks.loc["3", "agreed"], blocks.loc["3", "balance"]) == (
        1_456 * M, 1_835 * M)
    assert blocks.loc["3", "cases"] == 7
    # Block 2 as printed (IRO CP Chair £0.85m) would be overdrawn.
    assert (blocks.loc["2", "agreed"], blocks.loc["2", "balance"]) == (
        3_345 * M, -765 * M)
    # "include £2.363m which is non-recurring": the two one-off cases.
    assert blocks.loc["2", "non_recurring"] == 2_363 * M
    assert nct.agreed == 4_801 * M


def test_split_by_the_disaggregation_is_exact(nct):
    frame = nct.by_authority_frame()
    # WNC 55.84% / NNC 44.16% of £180.009m
    assert (frame.loc["Contract sum", "NNC"], frame.loc["Contract sum", "WNC"]) == (
        7_949_197_440, 10_051_702_560)
    assert frame.loc["Contract sum", "total"] == nct.contract_sum
    assert (frame.loc["Provisions", "NNC"], frame.loc["Provisions", "WNC"]) == (
        145_330_560, 183_769_440)
    blocks = frame.loc[["Block 1", "Block 2", "Block 3"]]
    assert list(blocks["total"]) == list(nct.blocks_frame()["amount"])
    assert frame.loc[["Block 1", "Block 2"], "NNC"].sum() == frame.loc["Contract sum", "NNC"]
    assert list(nct.blocks_frame()["WNC"]) == list(blocks["WNC"])


def test_business_cases_and_printed_items(nct):
    cases = nct.business_cases_frame()
    assert len(cases) == 12
    circle = cases[cases["project"] == "Circle to Success"]
    assert list(circle["block"]) == ["2", "3"]
    assert list(circle["funding"]) == [1_280 * M, 410 * M]
    assert str(circle["approved"].iloc[0].date()) == "2024-02-01"
    housing = cases[cases["project"] == "Maximising Housing Benefit Subsidy"].iloc[0]
    assert pd.isna(housing["block"]) and housing["funding"] == 0
    items = nct.items_frame()
    assert len(items) == 20
    # 7.1.7 prints MASH Review at £0.70m, Appendix A at £0.070m.
    off = items[items["difference"] != 0]
    assert list(off["project"]) == ["MASH Review"]
    assert off.iloc[0]["difference"] == 630 * M
    tables = nct.tables_frame()
    appendix3 = tables.iloc[2]
    assert (appendix3["items"], appendix3["stated_total"]) == (1_456 * M, 1_659 * M)
    assert (appendix3["balance"], appendix3["stated_balance"]) == (1_835 * M, 1_862 * M)


def finding(nct, table_word, column, check_word):
    audit = nct.findings()
    rows = audit[audit["row_label"].str.contains(table_word, regex=False)
                 & (audit["column_label"] == column)
                 & audit["check"].str.contains(check_word, regex=False)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_the_audit_finds_the_papers_slips_and_their_causes(nct):
    report = nct.audit
    assert isinstance(report, Report) and not nct.ok
    assert nct.findings().equals(report.to_frame())
    assert report.unit == "£m"
    assert report.counts() == {"ok": 25, "rounding": 0, "error": 9}
    assert finding(nct, "Contract sum", "amount", "blocks")["status"] == "ok"
    assert finding(nct, "Block 2", "non-recurring", "one-off")["status"] == "ok"
    # Block 2 adds up only with the IRO CP Chair at £0.085m, printed £0.85m.
    f = finding(nct, "Appendix A, T&E Board funding summary as of 23 February 2024: Block 2",
                "total agreed", "items")
    assert f["cause"] == "decimal_shift" and "IRO CP Chair" in f["item"]
    assert "0.085" in f["suggestion"]
    # Block 3's stated total counts IV Visitors' £0.203m twice ...
    f = finding(nct, "Block 3 - £3.291m", "total agreed", "items")
    assert f["cause"] == "duplicated_item" and "IV Visitors" in f["item"]
    assert f["difference"] == Decimal("0.203")
    # ... and its balance £1.862m should be £1.835m.
    f = finding(nct, "Block 3 - £3.291m", "balance outstanding", "items")
    assert f["status"] == "error"
    assert (f["stated"], f["computed"]) == (Decimal("1.862"), Decimal("1.835"))
    # Nor is it the provision less the stated total (£1.632m).
    f = finding(nct, "Block 3 - £3.291m", "balance outstanding", "stated total")
    assert f["computed"] == Decimal("1.632")
    # The two printings of MASH Review disagree.
    f = finding(nct, "Report 7.1.7", "MASH Review", "business case")
    assert f["status"] == "error" and f["difference"] == Decimal("0.630")
    assert finding(nct, "disaggregation split", "percent", "100")["status"] == "ok"


def test_the_transformation_plugin_file_holds_the_same_figures(nct, capsys):
    plugin = json.loads(PLUGIN_EXAMPLE.read_text(encoding="utf-8"))
    money = lambda text: apportion.parse_money(text, "£m")  # noqa: E731
    assert money(plugin["contract_sum"]) == nct.stated_contract_sum
    amounts = dict(zip(nct.blocks_frame().index, nct.blocks_frame()["amount"]))
    for k in ("1", "2", "3"):
        assert money(plugin[f"block{k}"]["amount"]) == amounts[k]
    def key(project, block):
        name = "".join(ch for ch in project.lower() if ch.isalnum())
        block = "".join(ch for ch in str(block) if ch.isdigit()) or None
        return name, block

    ours = {key(c["project"], c["block"] if isinstance(c["block"], str) else ""):
            c["funding"] for _, c in nct.business_cases_frame().iterrows()}
    theirs = {key(c["project"], c["block"]):
              0 if c["funding"] == "-" else money(c["funding"])
              for c in plugin["business_cases"]}
    assert ours == theirs
    # and the plugin's check finds what the audit finds
    status = main(["service", "TRANSFORMATION", "--check", str(PLUGIN_EXAMPLE)])
    out = capsys.readouterr().out
    assert status == 0
    assert "error [block3.total]" in out and "£0.203m more" in out
    assert "error [block2.total]" in out
    assert "(£3.291m - £1.456m) is £1.835m" in out


def test_report_and_html(nct):
    text = nct.report()
    assert "Contract sum (Blocks 1 + 2): 180.009 (stated 180.009)" in text
    assert "Balance outstanding = amount - funding agreed" in text
    assert "£79,491,974.40" in text and "£100,517,025.60" in text
    audit = text[text.index("Audit of the paper's figures"):].splitlines()
    assert audit[1:] == nct.audit.report(heading=False).splitlines()
    assert audit[1] == "34 checks: 25 agree, 0 within rounding, 9 errors."
    assert "(decimal_shift)" in text and "(duplicated_item)" in text
    assert "ContractSum" in repr(nct) and "34 checks, 9 errors" in repr(nct)
    page = nct._repr_html_()
    assert "<table" in page and "Business cases" in page
    assert nct.audit.to_html(heading=False) in page and "decimal_shift" in page
    formatted = nct.formatted_frame()
    assert formatted.loc["3", "balance"] == "1.835"
    assert formatted.loc["1", "agreed"] == ""


def test_run_prints_the_audit_as_json_and_strict_fails(nct, capsys):
    # the paper's nine slips make `run --strict` exit 1
    assert main(["run", "--json", "--strict", str(EXAMPLE_PATH)]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"] == {"ok": 25, "rounding": 0, "error": 9}
    assert main(["run", str(EXAMPLE_PATH)]) == 0
    assert "(duplicated_item)" in capsys.readouterr().out


HEAD = {"format": "apportion.contract_sum/1", "unit": "£m"}
BLOCKS = [{"id": "1", "kind": "core", "amount": "1"},
          {"id": "3", "kind": "provision", "amount": "2"}]


def contract(**members) -> ContractSum:
    return parse_contract_sum(json.dumps({**HEAD, "blocks": BLOCKS, **members}))


def test_a_table_that_leaves_a_case_out():
    c = contract(business_cases=[
        {"project": "p", "block": "3", "funding": "0.5"},
        {"project": "q", "block": "3", "funding": "0.25"}],
        tables=[{"title": "t", "block": "3", "items": [
            {"project": "p", "funding": "0.5"}], "total": "0.5"}])
    assert not c.ok and len(c.audit.errors) == 1
    audit = c.findings()
    left_out = audit[audit["check"].str.contains("leaves some out")].iloc[0]
    assert left_out["cause"] == "omitted_item" and left_out["item"] == "q"
    assert c.blocks_frame().loc["3", "balance"] == 125_000_000
    with pytest.raises(ValueError, match="no authorities"):
        c.by_authority_frame()


@pytest.mark.parametrize("members, path", [
    ({"blocks": []}, "$.blocks"),
    ({"business_cases": [{"project": "p", "block": "9", "funding": "1"}]},
     "$.business_cases[0].block"),
    ({"business_cases": [{"project": "p", "block": "1", "funding": "1"}]},
     "$.business_cases[0].block"),
    ({"business_cases": [{"project": "p", "block": "3", "funding": 1}]},
     "$.business_cases[0].funding"),
    ({"business_cases": [{"project": "p", "block": "3", "funding": "1"}],
      "tables": [{"title": "t", "block": "3", "items": [
          {"project": "q", "funding": "1"}]}]}, "$.tables[0].items[0].project"),
    ({"authorities": [{"code": "A"}]}, "$.split"),
])
def test_bad_files_name_the_path(members, path):
    with pytest.raises(apportion.PlanError) as info:
        contract(**members)
    assert info.value.path == path and info.value.line >= 1


# ---- the schema ---------------------------------------------------------------

def test_schema_is_valid_and_accepts_the_example():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    VALIDATOR.validate(EXAMPLE)
    parse_contract_sum(json.dumps(EXAMPLE))


def test_schema_ships_with_the_package():
    shipped = (Path(apportion.__file__).resolve().parent / "schema" /
               "contract_sum.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def broken(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    return data


@pytest.mark.parametrize("fn", [
    lambda d: d.update(typo=1),
    lambda d: d.pop("blocks"),
    lambda d: d["blocks"][0].update(kind="base"),
    lambda d: d["blocks"][0].pop("amount"),
    lambda d: d["blocks"][0].update(amount=177.429),
    lambda d: d["business_cases"][0].update(block=2),
    lambda d: d["business_cases"][0].update(approved="1 Feb 24"),
    lambda d: d["business_cases"][0].update(recurring="no"),
    lambda d: d["tables"][0].pop("items"),
    lambda d: d["tables"][0]["items"][0].update(funding="£0.41mm"),
    lambda d: d.update(contract_sum="£180.009m", contract_sum_pence=1),
])
def test_schema_and_reader_both_refuse(fn):
    data = broken(fn)
    assert list(VALIDATOR.iter_errors(data))
    with pytest.raises(apportion.PlanError):
        parse_contract_sum(json.dumps(data))


# ---- as a member of a plan file ----------------------------------------------

IASS_PLAN = json.loads((ROOT / "examples" / "iass-2021-22.json").read_text(encoding="utf-8"))


def plan_with_contract_sum(tmp_path, member: dict):
    """The IASS plan with `member` as its "contract_sum", written indented
    so that each key has its own line."""
    plan = {**copy.deepcopy(IASS_PLAN), "contract_sum": member}
    text = json.dumps(plan, indent=1, ensure_ascii=False)
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return path, text


def without_source(data: dict) -> dict:
    """The loaded model less the file name (top level and the audit's)."""
    out = {k: v for k, v in data.items() if k != "source"}
    out["result"] = {**data["result"],
                     "audit": {k: v for k, v in data["result"]["audit"].items()
                               if k != "source"}}
    return out


def test_a_plan_file_holds_the_contract_sum(tmp_path, nct):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items() if k != "$schema"}
    path, _ = plan_with_contract_sum(tmp_path, member)
    c = load_contract_sum(path)
    assert c.source == str(path)
    assert without_source(c._data) == without_source(nct._data)
    assert c.contract_sum == 180_009 * M
    assert c.report().replace(str(path), "X") == nct.report().replace(
        str(EXAMPLE_PATH), "X")
    # Inside a plan the member's own "format" may be left out.
    member.pop("format")
    path, _ = plan_with_contract_sum(tmp_path, member)
    assert without_source(load_contract_sum(path)._data) == without_source(nct._data)
    # The plan itself still loads.
    plan = apportion.load_plan(path)
    assert plan.unit == apportion.load_plan(ROOT / "examples" / "iass-2021-22.json").unit


def test_an_error_inside_the_member_names_its_path_line_and_column(tmp_path):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items()
              if k not in ("$schema", "format")}
    member["business_cases"][4]["block"] = "9"
    path, text = plan_with_contract_sum(tmp_path, member)
    with pytest.raises(apportion.PlanError, match='unknown block "9"') as info:
        load_contract_sum(path)
    err = info.value
    assert err.path == "$.contract_sum.business_cases[4].block"
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"block": "9"' in line)
    assert err.line == row + 1
    assert 1 <= err.column <= len(lines[row]) + 1
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(IASS_PLAN), encoding="utf-8")
    with pytest.raises(apportion.PlanError, match='no "contract_sum" member') as info:
        load_contract_sum(path)
    assert info.value.path == "$.contract_sum"
