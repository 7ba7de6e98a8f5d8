"""Outturn against budget: the NCT 2021/22 outturn table (the SDC annual report 2021/22, section
4) and its text, variances, variance %, reserves, the split between the
authorities, the audit of every stated figure, and the shipped schema."""

import copy
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion.__main__ import main
from apportion.audit import Report
from apportion.outturn import Outturn, load_outturn, parse_outturn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "nct-outturn-2021-22.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" /
                     "outturn.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

K = 100_000  # £000 in pence


@pytest.fixture(scope="module")
def nct() -> Outturn:
    return load_outturn(EXAMPLE_PATH)


def test_lines_variances_and_percentages(nct):
    lines = nct.lines_frame()
    assert next(iter(lines["service"])) == "Corporate Parent Service"
    for col in ("budget", "gross_outturn", "funding", "outturn", "variance"):
        assert lines[col].dtype == "int64"
    assert list(lines["variance"]) == [v * K for v in (172, -616, -186, 1700, 0, 0)]
    # variance = outturn - budget, positive an overspend
    assert (lines["variance"] == lines["outturn"] - lines["budget"]).all()
    assert list(lines["direction"])[:4] == ["overspend", "underspend",
                                             "underspend", "overspend"]
    # exact: 172 / 43,998; rounded half away from zero to basis points
    assert lines.loc["1", "variance_ratio"] == Fraction(172, 43998)
    assert list(lines["variance_bp"]) == [39, -1082, -130, 295, 0, 0]
    # the Trust's income line: its |budget| is the denominator
    assert lines.loc["6", "kind"] == "income"
    assert lines.loc["6", "variance_ratio"] == 0
    # the paper's own variances, as printed
    assert list(lines["stated_variance"]) == list(lines["variance"])


def test_totals_service_budget_and_reserves(nct):
    t = nct.total
    assert t["budget"] == 0  # the table prints "-": income nets it to nil
    assert nct.service_budget == 123_348 * K  # "the approved budget of £123.348m"
    assert nct.income_budget == -123_348 * K
    assert (t["gross_outturn"], t["funding"], t["outturn"]) == (
        3_702 * K, -2_632 * K, 1_070 * K)
    assert t["variance"] == 1_070 * K  # "an overspend of £1.070m"
    assert t["variance_ratio"] == Fraction(1070, 123348)
    assert t["variance_bp"] == 87
    assert nct.reserves == 1_089 * K  # the carry forward reserve
    assert nct.net_variance == -19 * K  # "a net underspend position of £0.019m"
    assert nct.sign == "outturn_minus_budget" == nct.variance_sign
    assert "positive variance is an overspend" in nct.sign_rule
    assert not nct.sign_reversed


def test_split_between_authorities_is_exact(nct):
    frame = nct.by_authority_frame()
    assert list(frame.columns) == ["service", "NNC", "WNC", "total"]
    lines = nct.lines_frame()
    shares = frame.iloc[:6]
    assert list(shares["total"]) == list(lines["variance"])
    assert shares["NNC"].sum() == frame.loc["Total", "NNC"]
    # 44.16% / 55.84% of the £1,070,000 overspend, to the penny
    assert (frame.loc["Total", "NNC"], frame.loc["Total", "WNC"]) == (
        47_251_200, 59_748_800)
    assert (frame.loc["Reserves used", "NNC"], frame.loc["Reserves used", "WNC"]) == (
        48_090_240, 60_809_760)
    assert (frame.loc["Net variance", "NNC"], frame.loc["Net variance", "WNC"]) == (
        -839_040, -1_060_960)
    assert frame.loc["Net variance", "total"] == nct.net_variance


def test_audit_agrees_but_for_the_two_rounded_totals(nct):
    assert isinstance(nct.audit, Report) and nct.ok
    audit = nct.findings()
    assert audit.equals(nct.audit.to_frame())
    assert len(audit) == 25
    assert list(audit["status"]).count("error") == 0
    rounding = audit[audit["status"] == "rounding"]
    assert sorted(rounding["column_label"]) == ["funding", "funding", "gross_outturn"]
    gross = rounding[rounding["column_label"] == "gross_outturn"].iloc[0]
    assert (str(gross["stated"]), str(gross["computed"])) == ("3701", "3702")
    text = audit[audit["row_label"] == "Report text"]
    assert set(text["column_label"]) == {"budget", "variance", "funding",
                                         "net_variance"}
    net = text[text["column_label"] == "net_variance"].iloc[0]
    assert net["status"] == "ok" and str(net["stated"]) == "-19"
    grants = audit[audit["row_label"] == "Other Government Revenue Grants"].iloc[0]
    assert grants["status"] == "ok" and str(grants["stated"]) == "-12076.323"
    assert nct.audit.unit == "£000"


def test_the_nct_plugin_reads_the_same_file_and_agrees(nct, capsys):
    status = main(["service", "NCT", "--check", str(EXAMPLE_PATH), "--section",
                   "outturn_by_service_area"])
    out = capsys.readouterr().out
    assert status == 0
    assert "warning [total.gross_outturn]" in out and "warning [total.funding]" in out
    assert "| **Total** | **0** | **3,701** | **(2,631)** | **1,070** |" in out
    flagged = {f.column_label for f in nct.audit.rounding
               if f.row_label == "Total"}
    assert flagged == {"gross_outturn", "funding"}


def test_report_and_html(nct):
    text = nct.report()
    assert "Variance = outturn - budget" in text
    assert "Forecast outturn 2021/22 (P12)" in text
    assert "0.87% of the service budget" in text
    assert "Net variance after reserves (19): a net underspend of £19,000.00." in text
    assert "NNC 44.16%, WNC 55.84%" in text
    assert "Total as printed" in text and "3,701" in text
    # the audit section is the Report's own text, without its heading
    audit = text[text.index("Audit of the paper's figures"):].splitlines()
    assert audit[1:] == nct.audit.report(heading=False).splitlines()
    assert audit[1] == "25 checks: 22 agree, 3 within rounding, 0 errors."
    assert "rounding Total / gross_outturn [Total = sum of the 6 lines]" in text
    assert str(nct) == text
    assert "Outturn" in repr(nct) and "+£1,070,000.00" in repr(nct)
    assert "25 checks, 0 errors" in repr(nct)
    page = nct._repr_html_()
    assert "<table" in page and "Covid funding" in page and "£472,512.00" in page
    assert nct.audit.to_html(heading=False) in page
    formatted = nct.formatted_frame()
    assert formatted.loc["2", "Variance"] == "(616)"
    assert formatted.loc["2", "Variance %"] == "-10.82%"
    assert formatted.loc["Total as printed", "Budget"] == "-"
    areas = nct.areas_frame()
    assert len(areas) == 6 and areas["variance"].sum() == 1_070 * K
    grants = nct.grants_frame()
    assert grants["amount"].sum() == -1_207_632_300
    assert list(nct.reserves_frame()["amount"]) == [1_089 * K]


def test_run_prints_the_audit_as_json_and_strict_passes(nct, capsys):
    # `run` reads .audit as a Report (to_json, ok), as for MTFP and savings
    assert main(["run", "--json", "--strict", str(EXAMPLE_PATH)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == nct.audit.to_dict()
    assert printed["counts"] == {"ok": 22, "rounding": 3, "error": 0}
    assert main(["run", str(EXAMPLE_PATH)]) == 0
    assert capsys.readouterr().out == nct.report() + "\n"


HEAD = {"format": "apportion.outturn/1", "unit": "£"}


def outturn(**members) -> Outturn:
    return parse_outturn(json.dumps({**HEAD, **members}))


def test_underspend_positive_flips_only_the_reading_of_stated_figures():
    o = outturn(variance_sign="underspend_positive", lines=[
        {"service": "A", "budget": "100", "outturn": "90", "variance": "10"},
        {"service": "B", "budget": "50", "outturn": "55", "variance": "(5)"}],
        stated={"variance": {"underspend": "5"}})
    assert list(o.lines_frame()["variance"]) == [-1000, 500]  # outturn - budget
    assert o.total["variance"] == -500
    assert o.ok and len(o.audit.findings) == 3
    assert o.sign == "outturn_minus_budget" and o.variance_sign == "budget_minus_outturn"
    assert "prints its variances as budget - outturn" in o.report()
    # The same table read the other way: every variance is wrong.
    wrong = outturn(lines=[
        {"service": "A", "budget": "100", "outturn": "90", "variance": "10"}])
    assert wrong.sign_reversed and not wrong.ok
    assert "WARNING" in wrong.report()
    cause = wrong.audit.errors[0].cause
    assert f"A / variance [Variance = Outturn - Budget] ({cause})" in wrong.report()


def test_a_nil_budget_has_no_percentage():
    o = outturn(lines=[{"service": "new", "budget": "-", "outturn": "5"},
                       {"service": "up", "budget": "800", "outturn": "801"},
                       {"service": "down", "budget": "800", "outturn": "799"}])
    lines = o.lines_frame()
    assert lines.loc["1", "variance_ratio"] is None
    assert lines["variance_bp"].isna().tolist() == [True, False, False]
    # 1/800 = 0.125%: 12.5 bp rounds half away from zero
    assert lines["variance_bp"].tolist()[1:] == [13, -13]
    assert o.formatted_frame().loc["1", "Variance %"] == ""
    with pytest.raises(ValueError, match="no authorities"):
        o.by_authority_frame()


def test_lines_of_one_authority_and_named_funding():
    o = outturn(authorities=[{"code": "NNC"}, {"code": "WNC"}],
                split={"values": {"NNC": "44.16", "WNC": "55.84"}},
                lines=[{"service": "shared", "budget": "10.01", "outturn": "10.02"},
                       {"service": "b", "budget": "0", "gross_outturn": "7",
                        "funding": [{"source": "Covid", "amount": "(2)"},
                                    {"source": "Grant", "amount": "(1)"}]},
                       {"service": "wnc only", "budget": "1", "outturn": "1.03",
                        "authority": "WNC"}])
    frame = o.by_authority_frame()
    assert (frame.loc["3", "NNC"], frame.loc["3", "WNC"]) == (0, 3)
    assert list(frame.iloc[:3]["total"]) == list(o.lines_frame()["variance"])
    assert o.lines_frame().loc["2", "funding"] == -300


@pytest.mark.parametrize("members, path", [
    ({"lines": []}, "$.lines"),
    ({"lines": [{"service": "A", "budget": 1, "outturn": "2"}]}, "$.lines[0].budget"),
    ({"lines": [{"service": "A", "budget": "1"}]}, "$.lines[0].outturn"),
    ({"lines": [{"service": "A", "budget": "1", "outturn": "2"}], "colour": "red"},
     "$.colour"),
    ({"variance_sign": "up", "lines": [{"service": "A", "budget": "1",
                                        "outturn": "2"}]}, "$.variance_sign"),
    ({"authorities": [{"code": "N"}], "lines": [{"service": "A", "budget": "1",
                                                  "outturn": "2"}]}, "$.split"),
])
def test_bad_files_name_the_path(members, path):
    with pytest.raises(apportion.PlanError) as info:
        outturn(**members)
    assert info.value.path == path and info.value.line >= 1


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        load_outturn(tmp_path / "none.json")


# ---- the schema ---------------------------------------------------------------

def test_schema_is_valid_and_accepts_the_example():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    VALIDATOR.validate(EXAMPLE)
    parse_outturn(json.dumps(EXAMPLE))


def test_schema_ships_with_the_package():
    shipped = (Path(apportion.__file__).resolve().parent / "schema" /
               "outturn.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def broken(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    return data


@pytest.mark.parametrize("fn", [
    lambda d: d.update(typo=1),
    lambda d: d.update(format="apportion.plan/1"),
    lambda d: d["lines"][0].update(budget=43998),
    lambda d: d["lines"][0].update(budget_pence=1),
    lambda d: d["lines"][0].pop("budget"),
    lambda d: d["lines"][0].update(budget="£12x"),
    lambda d: d["lines"][0].update(kind="expense"),
    lambda d: d.update(variance_sign="up"),
    lambda d: d["stated"].update(net_variance={"underspend": "1", "overspend": "2"}),
    lambda d: d["split"].update(mode="nearest"),
    lambda d: d["reserves"][0].pop("amount"),
    lambda d: d["grants"].update(items=[]),
])
def test_schema_and_reader_both_refuse(fn):
    data = broken(fn)
    assert list(VALIDATOR.iter_errors(data))
    with pytest.raises(apportion.PlanError):
        parse_outturn(json.dumps(data))


# ---- as a member of a plan file ----------------------------------------------

IASS_PLAN = json.loads((ROOT / "examples" / "iass-2021-22.json").read_text(encoding="utf-8"))


def plan_with_outturn(tmp_path, member: dict):
    """The IASS plan with `member` as its "outturn", written indented so
    that each key has its own line."""
    plan = {**copy.deepcopy(IASS_PLAN), "outturn": member}
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


def test_a_plan_file_holds_the_outturn(tmp_path, nct):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items() if k != "$schema"}
    path, _ = plan_with_outturn(tmp_path, member)
    o = load_outturn(path)
    assert o.source == str(path)
    assert without_source(o._data) == without_source(nct._data)
    assert o.total["variance"] == 1_070 * K  # "an overspend of £1.070m"
    assert o.report().replace(str(path), "X") == nct.report().replace(
        str(EXAMPLE_PATH), "X")
    # Inside a plan the member's own "format" may be left out.
    member.pop("format")
    path, _ = plan_with_outturn(tmp_path, member)
    assert without_source(load_outturn(path)._data) == without_source(nct._data)
    # The plan itself still loads, its own figures untouched.
    plan = apportion.load_plan(path)
    assert plan.unit == apportion.load_plan(ROOT / "examples" / "iass-2021-22.json").unit


def test_an_error_inside_the_member_names_its_path_line_and_column(tmp_path):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items()
              if k not in ("$schema", "format")}
    member["lines"][2]["budget"] = 12345  # a number where money text goes
    path, text = plan_with_outturn(tmp_path, member)
    with pytest.raises(apportion.PlanError) as info:
        load_outturn(path)
    err = info.value
    assert err.path == "$.outturn.lines[2].budget"
    assert "budget_pence" in str(err)
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"budget": 12345' in line)
    assert err.line == row + 1
    assert 1 <= err.column <= len(lines[row]) + 1
    # An own "format" inside the member must still be the outturn's.
    member["lines"][2]["budget"] = EXAMPLE["lines"][2]["budget"]
    member["format"] = "apportion.savings/1"
    path, _ = plan_with_outturn(tmp_path, member)
    with pytest.raises(apportion.PlanError) as info:
        load_outturn(path)
    assert info.value.path == "$.outturn.format" and info.value.line > 1


def test_a_plan_file_without_the_member_says_so(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(IASS_PLAN), encoding="utf-8")
    with pytest.raises(apportion.PlanError, match='no "outturn" member') as info:
        load_outturn(path)
    assert info.value.path == "$.outturn"
