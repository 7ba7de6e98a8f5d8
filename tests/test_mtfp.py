"""MTFP roll-forward (the CFE business plan 2017-21, sections 14 and 14.2): the paper's figures,
broken copies, errors that name the JSON path, the views and the schema."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion.mtfp import MTFP, load_mtfp, parse_mtfp

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "nct-mtfp-2017-21.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" / "mtfp.schema.json")
                    .read_text(encoding="utf-8"))
YEARS = ["2017-18", "2018-19", "2019-20", "2020-21"]
K = 100_000  # pence in £1,000


def k(*values):
    return {y: v * K for y, v in zip(YEARS, values)}


@pytest.fixture(scope="module")
def mtfp():
    return load_mtfp(EXAMPLE_PATH)


def test_seed_roll_forward(mtfp):
    assert mtfp.years == YEARS and mtfp.unit == "£000"
    assert mtfp.requirement == k(130997, 133817, 136011, 140659)
    assert mtfp.base == k(123015, 130997, 133817, 136011)
    assert mtfp.growth == k(26003, 5094, 4218, 4648)
    assert mtfp.savings == k(-18021, -2274, -2024, 0)
    cats = mtfp.by_category
    assert cats["inflation"] == k(1560, 1621, 1718, 2148)
    assert cats["pressure"] == k(24443, 3473, 2500, 2500)
    assert cats["efficiency"] == k(-3540, -2000, -1500, 0)
    assert cats["income"] == k(-41, -274, -524, 0)
    assert cats["transformation"] == k(-13800, 0, 0, 0)
    assert cats["cuts"] == k(-640, 0, 0, 0)
    assert mtfp.growth_total == 39963 * K
    assert mtfp.savings_total == -22319 * K
    assert mtfp.category_totals["inflation"] == 7047 * K
    assert mtfp.category_totals["pressure"] == 32916 * K
    totals = {p.reference: p.total for p in mtfp.proposals}
    assert totals["15-002-31"] == -1000 * K
    assert totals["16-002-06"] == -6000 * K
    assert totals["15-004-19c"] == -89 * K
    # each year's requirement is the next year's base
    assert [mtfp.base[y] for y in YEARS[1:]] == [mtfp.requirement[y] for y in YEARS[:-1]]


def test_seed_stated_figures_all_agree(mtfp):
    # 18 proposal totals, 8 total rows x (4 years + total), 10 summary rows
    # x 4 years, and the split's percentages
    assert len(mtfp.audit.findings) == 18 + 8 * 5 + 10 * 4 + 1
    assert mtfp.audit.counts() == {"ok": 99, "rounding": 0, "error": 0}
    assert mtfp.ok
    frame = mtfp.findings()
    assert frame.equals(mtfp.audit.to_frame()) and len(frame) == 99


def test_split_of_each_requirement_to_the_penny(mtfp):
    split = mtfp.requirement_split
    assert split["2017-18"] == {"NNC": 5_784_827_520, "WNC": 7_314_872_480}
    for year, shares in split.items():
        assert sum(shares.values()) == mtfp.requirement[year]
    frame = mtfp.split_frame(unit="£")
    assert frame.loc["2017-18", "NNC"] == Decimal("57848275.2")
    assert "illustration" in mtfp.split["note"]


def test_by_year_frame(mtfp):
    frame = mtfp.by_year_frame()
    assert list(frame.columns) == [*YEARS, "Total"]
    assert list(frame.index) == [
        "Base brought forward", "Inflation", "Service pressures", "Growth",
        "Efficiencies", "Income generation", "Service transformation",
        "Service cuts", "Savings", "Net budget requirement"]
    assert frame.loc["Net budget requirement", "2020-21"] == 140659 * K
    assert frame.loc["Savings", "Total"] == -22319 * K
    assert frame["Total"].isna().tolist() == [True] + [False] * 8 + [True]
    in_thousands = mtfp.by_year_frame(unit="£000")
    assert in_thousands.loc["Growth", "2017-18"] == Decimal(26003)


def test_proposals_frame(mtfp):
    frame = mtfp.proposals_frame()
    assert frame.shape == (18, 2 + 4 + 2)  # name, category, years, totals
    assert frame.loc["15-002-31", "2017-18"] == -1000 * K
    assert frame.loc["16-002-09", "total"] == -750 * K
    assert frame.loc["16-002-09", "stated_total"] == -750 * K
    assert frame.loc["10-033-01b", "category"] == "inflation"
    assert (frame["total"] == frame[YEARS].sum(axis=1)).all()


def test_text_and_html(mtfp):
    text = mtfp.report()
    assert "Net budget requirement" in text and "140,659" in text
    assert "(18,021)" in text  # savings as the paper prints them
    assert "£57,848,275.20" in text
    assert "99 checks: 99 agree" in text
    assert "contract split (NNC 44.16%, WNC 55.84%; pennies by largest remainder)" in text
    page = mtfp._repr_html_()
    assert "<table" in page and "Proposals by year" in page
    assert mtfp.audit.to_html(heading=False) in page
    assert "99 checks, 0 errors" in repr(mtfp)


def test_figures_are_shown_without_rounding_anything_away():
    from apportion._present import figure, finest_decimals

    # as many digits as the figure needs (the MTFP and savings reports) ...
    assert figure(-354_000_000, "£000") == "(3,540)"
    assert figure(12_345_678, "£000") == "123.45678"
    assert figure(128_000_000, "£m") == "1.28"
    assert figure(0, "£m") == "0"
    assert figure(None, "£m") == ""
    # ... or a table's finest printed precision, so its columns align
    # (outturn, contract sums): "1.280" and "0.85" in £m show 3 digits
    printed = [(128_000_000, 100_000), (85_000_000, 1_000_000), (0, 0)]
    assert finest_decimals("£m", printed) == 3
    assert figure(85_000_000, "£m", 3) == "0.850"
    assert finest_decimals("£000", [(4_399_800_000, 100_000)]) == 0


def broken(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    return MTFP.from_dict(data)


def proposal(data, ref):
    return next(p for p in data["proposals"] if p["reference"] == ref)


def find(m, row, column):
    return next(f for f in m.audit.findings
                if f.row_label == row and f.column_label == column)


def test_transposed_figure_is_found_once_where_it_is():
    m = broken(lambda d: proposal(d, "16-002-08")["amounts"].update({"2017-18": "(530)"}))
    assert m.requirement["2017-18"] == 130817 * K  # the model follows the figures
    f = find(m, "Total Efficiency (14.2)", "2017-18")
    assert (f.status, f.cause, f.item) == ("error", "transposition", "16-002-08")
    assert f.candidates[0].corrected == Decimal(-350)
    assert find(m, "Net Budget Requirement (14)", "2017-18").difference == 180
    assert find(m, "Net Budget Requirement (14)", "2018-19").status == "ok"
    assert m.audit.counts()["error"] == 8


def test_omitted_proposal():
    def drop(d):
        d["proposals"] = [p for p in d["proposals"] if p["reference"] != "16-002-11"]
    m = broken(drop)
    errors = m.audit.errors
    assert len(errors) == 7
    assert {f.difference for f in errors} == {Decimal(-150)}  # the one left out
    assert find(m, "Total Efficiency (14.2)", "2017-18").status == "error"


def test_total_that_left_a_proposal_out():
    def slip(d):
        row = next(r for r in d["stated"] if r["label"] == "Total Efficiency")
        row["amounts"]["2017-18"] = "(3,390)"
    m = broken(slip)
    f = find(m, "Total Efficiency (14.2)", "2017-18")
    assert (f.cause, f.item) == ("omitted_item", "16-002-11")
    assert len(m.audit.errors) == 1


@pytest.mark.parametrize("fn, path, words", [
    (lambda d: proposal(d, "16-002-06")["amounts"].update({"2018-19": "2,000"}),
     '$.proposals[8].amounts["2018-19"]', "allow_positive"),
    (lambda d: proposal(d, "16-002-06")["amounts"].pop("2019-20"),
     '$.proposals[8].amounts["2019-20"]', "no figure for 2019-20"),
    (lambda d: proposal(d, "16-002-06").update(category="saving"),
     "$.proposals[8].category", "efficiency"),
    (lambda d: proposal(d, "16-002-06")["amounts"].update({"2017-18": -250000}),
     '$.proposals[8].amounts["2017-18"]', "amounts_pence"),
    (lambda d: d["stated"][0]["amounts"].update({"2021-22": "1"}),
     '$.stated[0].amounts["2021-22"]', "not one of the plan's years"),
    (lambda d: d.pop("base_brought_forward"), "$.base_brought_forward", "missing"),
    (lambda d: d["split"]["values"].update(WNC="-55.84"), "$.split.values.WNC",
     "negative"),
    (lambda d: d.update(extra=1), "$.extra", "unknown key"),
])
def test_errors_name_the_path(fn, path, words):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    with pytest.raises(apportion.PlanError) as info:
        MTFP.from_dict(data)
    assert path in str(info.value) and words in str(info.value)


def test_a_saving_may_be_positive_when_allowed():
    def allow(d):
        p = proposal(d, "16-002-09")
        p["allow_positive"] = True
        p["amounts"]["2020-21"] = "100"
    m = broken(allow)
    assert m.requirement["2020-21"] == 140759 * K
    assert not m.ok  # the paper's totals do not have it


def test_loaded_from_a_plan_file(tmp_path):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items()
              if k not in ("$schema", "format")}
    plan_file = {"format": "apportion.plan/1", "mtfp": member}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_file), encoding="utf-8")
    m = load_mtfp(path)
    assert m.requirement == k(130997, 133817, 136011, 140659)
    member["proposals"][0]["category"] = "growth"
    with pytest.raises(apportion.PlanError, match=r"\$\.mtfp\.proposals\[0\]\.category"):
        parse_mtfp(json.dumps(plan_file))


def test_schema_accepts_the_example_and_the_reader_agrees():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(EXAMPLE)
    parse_mtfp(json.dumps(EXAMPLE))


@pytest.mark.parametrize("fn", [
    lambda d: d.update(typo=1),
    lambda d: d.pop("years"),
    lambda d: d["proposals"][0].update(category="growth"),
    lambda d: d["proposals"][0]["amounts"].update({"2017-18": 417}),
    lambda d: d["stated"][0].update(of="everything"),
    lambda d: d["split"].update(kind="ratio"),
])
def test_schema_and_reader_both_refuse(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    with pytest.raises(apportion.PlanError):
        MTFP.from_dict(data)


def test_schema_ships_with_the_package():
    shipped = Path(apportion.__file__).resolve().parent / "schema" / "mtfp.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_a_member_of_a_real_plan_file(tmp_path, mtfp):
    """The MTFP beside the IASS plan's own members: the plan still loads,
    the MTFP reads as its own file does, and an error inside it gives the
    line and column as well as the path."""
    iass = ROOT / "examples" / "iass-2021-22.json"
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items() if k != "$schema"}
    plan_file = {**json.loads(iass.read_text(encoding="utf-8")), "mtfp": member}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_file, indent=1), encoding="utf-8")
    assert apportion.load_plan(path).unit == apportion.load_plan(iass).unit
    m = load_mtfp(path)
    assert m.unit == "£000" and m.years == YEARS
    assert m.report().replace(str(path), "X") == mtfp.report().replace(
        str(EXAMPLE_PATH), "X")
    member["proposals"][1]["amounts"]["2018-19"] = 843  # a number, not text
    text = json.dumps(plan_file, indent=1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(apportion.PlanError) as info:
        load_mtfp(path)
    assert info.value.path == '$.mtfp.proposals[1].amounts["2018-19"]'
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"2018-19": 843' in line)
    assert info.value.line == row + 1
    assert 1 <= info.value.column <= len(lines[row]) + 1
