"""RAG-rated savings (the Children's Trust Joint Committee papers of 6 March 2024, Appendix A): totals by rating, delivery,
the red savings as a pressure split 44.16 : 55.84, the audit of the
paper's figures, errors naming the JSON path, the views and the schema."""

import copy
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion.savings import Savings, load_savings, parse_savings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "nct-savings-2023-24.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" / "savings.schema.json")
                    .read_text(encoding="utf-8"))
K = 100_000  # pence in £1,000
VALUING_CARE = "Additional Valuing care (see NCT 3b)"


@pytest.fixture(scope="module")
def savings():
    return load_savings(EXAMPLE_PATH)


def find(s, row, column):
    return next(f for f in s.audit.findings
                if f.row_label == row and f.column_label == column)


def test_totals_by_rag(savings):
    assert len(savings.proposals) == 15
    assert savings.target == 7672 * K
    # amber from the items: 100 + 200 + 1,070, not the TOTAL row's 770 + 1,070
    assert savings.by_rag == {"red": 1247 * K, "amber": 1370 * K,
                              "green": 5125 * K, "mitigations": 0}
    assert savings.rated == 7742 * K  # Valuing care's columns make 3,270


def test_delivery_is_exact(savings):
    assert savings.secured == 5125 * K
    assert savings.forecast == 6495 * K
    assert savings.secured_percent == Fraction(512500, 7672)
    assert savings.forecast_percent == Fraction(649500, 7672)
    assert (savings.secured_basis_points, savings.forecast_basis_points) == (6680, 8466)


def test_red_savings_are_a_pressure_split_by_the_contract(savings):
    assert savings.at_risk == "red"
    assert savings.pressure == 1_247_000 * 100
    assert savings.pressure_split == {"NNC": 55_067_520, "WNC": 69_632_480}
    frame = savings.pressure_split_frame(unit="£")
    assert frame.loc["NNC", "share"] == Decimal("550675.2")
    assert frame.loc["WNC", "share"] == Decimal("696324.8")


def test_percentages_shown_are_the_cores_basis_points(savings):
    # 5,125 / 7,672 = 66.8013...%: the text shows the core's 6680 bp
    assert "= 66.80% of the target" in savings.report()
    data = copy.deepcopy(EXAMPLE)
    data["proposals"] = [dict(data["proposals"][0], amount="0", red="0",
                              amber="0", green="0", mitigations="0")]
    del data["totals"], data["split"]
    nil = Savings.from_dict(data)
    assert nil.target == 0 and nil.secured_basis_points is None
    assert "0 = n/a of the target" in nil.report() and "secured n/a" in repr(nil)


def test_amber_at_risk():
    data = copy.deepcopy(EXAMPLE)
    data["at_risk"] = "red_and_amber"
    s = Savings.from_dict(data)
    assert s.pressure == 2617 * K
    assert s.pressure_split == {"NNC": 115_566_720, "WNC": 146_133_280}


def test_the_papers_errors_are_found(savings):
    a = savings.audit
    assert a.counts() == {"ok": 39, "rounding": 0, "error": 7}
    assert not savings.ok
    frame = savings.findings()
    assert frame.equals(a.to_frame())
    assert list(frame["status"]).count("error") == 7
    f = find(savings, VALUING_CARE, "2023/24")
    assert (f.status, f.stated, f.computed) == ("error", 3200, 3270)
    assert find(savings, VALUING_CARE, "Total (A,G,M)").status == "error"
    f = find(savings, "TOTAL", "Amber")
    assert (f.status, f.stated, f.computed) == ("error", 770, 300)
    f = find(savings, "TOTAL", "Green")
    assert (f.status, f.stated, f.computed) == ("error", 1855, 2325)
    assert find(savings, "TOTAL SAVINGS", "Amber").status == "ok"
    f = find(savings, "TOTAL SAVINGS", "Green")
    assert (f.stated, f.computed) == (5550, 5125)
    assert find(savings, "TOTAL SAVINGS", "Total (A,G,M)").status == "ok"
    # "44.16% for NNC and 56.84% for WNC" does not make 100
    assert find(savings, "contract split", "Total").status == "ok"
    printed = "contract split as printed (paragraph 2.8)"
    f = find(savings, printed, "Total")
    assert (f.status, f.difference) == ("error", Decimal("-1.00"))
    assert find(savings, printed, "WNC").status == "error"
    assert find(savings, printed, "NNC").status == "ok"


def test_proposals_frame(savings):
    frame = savings.proposals_frame()
    assert list(frame.columns) == ["sro", "amount", "red", "amber", "green",
                                   "mitigations", "rated", "unrated",
                                   "stated_total", "comments"]
    assert frame.loc[VALUING_CARE, "unrated"] == -70 * K
    assert frame["red"].sum() == 1247 * K
    assert frame.loc["Review of Contracts", "sro"] == "Louise De Chiara"
    thousands = savings.proposals_frame(unit="£000")
    assert thousands.loc["Review of Contracts", "green"] == Decimal(100)


def test_by_rag_frame(savings):
    frame = savings.by_rag_frame()
    assert frame.loc["Red", "amount"] == 1247 * K
    assert frame.loc["Target", "percent_of_target"] == 100
    assert frame.loc["Secured (green + mitigations)", "percent_of_target"] == \
        Fraction(512500, 7672)


def test_text_and_html(savings):
    text = savings.report()
    assert "66.80% of the target" in text and "84.66% of the target" in text
    assert "NNC £550,675.20" in text and "WNC £696,324.80" in text
    assert "7 errors" in text
    page = savings._repr_html_()
    assert "<table" in page and "Delivery" in page
    assert savings.audit.to_html(heading=False) in page
    assert "66.80%" in repr(savings) and "46 checks, 7 errors" in repr(savings)


@pytest.mark.parametrize("fn, path, words", [
    (lambda d: d["proposals"][0].update(amber="(100)"), "$.proposals[0].amber", "positive"),
    (lambda d: d["proposals"][0].pop("green"), "$.proposals[0].green", "missing"),
    (lambda d: d["proposals"][0].update(amount=100), "$.proposals[0].amount", "amount_pence"),
    (lambda d: d["totals"][0].update(to=16), "$.totals[0].to", "from 1 to 15"),
    (lambda d: d.update(at_risk="amber"), "$.at_risk", "red_and_amber"),
    (lambda d: d["split"]["stated"].pop("WNC"), "$.split.stated.WNC", "no printed"),
    (lambda d: d["split"].update(kind="metric"), "$.split.stated", "percent split"),
])
def test_errors_name_the_path(fn, path, words):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    with pytest.raises(apportion.PlanError) as info:
        Savings.from_dict(data)
    assert path in str(info.value) and words in str(info.value)


def test_loaded_from_a_plan_file(tmp_path):
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items()
              if k not in ("$schema", "format")}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format": "apportion.plan/1", "savings": member}),
                    encoding="utf-8")
    s = load_savings(path)
    assert s.by_rag["red"] == 1247 * K
    with pytest.raises(apportion.PlanError, match="no \"savings\" member"):
        parse_savings(json.dumps({"format": "apportion.plan/1"}))


def test_schema_accepts_the_example_and_the_reader_agrees():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(EXAMPLE)
    parse_savings(json.dumps(EXAMPLE))


@pytest.mark.parametrize("fn", [
    lambda d: d.update(typo=1),
    lambda d: d.pop("proposals"),
    lambda d: d["proposals"][0].update(red="(5)"),
    lambda d: d["proposals"][0].pop("amount"),
    lambda d: d["totals"][0].update(to=0),
    lambda d: d.update(at_risk="everything"),
])
def test_schema_and_reader_both_refuse(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    with pytest.raises(apportion.PlanError):
        Savings.from_dict(data)


def test_schema_ships_with_the_package():
    shipped = Path(apportion.__file__).resolve().parent / "schema" / "savings.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_a_member_of_a_real_plan_file(tmp_path, savings):
    """The savings beside the IASS plan's own members: the plan still
    loads, the savings read as their own file does, and an error inside
    them names "$.savings..." with its line and column."""
    iass = ROOT / "examples" / "iass-2021-22.json"
    member = {k: copy.deepcopy(v) for k, v in EXAMPLE.items() if k != "$schema"}
    plan_file = {**json.loads(iass.read_text(encoding="utf-8")), "savings": member}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_file, indent=1), encoding="utf-8")
    assert apportion.load_plan(path).unit == apportion.load_plan(iass).unit
    s = load_savings(path)
    assert s.by_rag == savings.by_rag and s.by_rag["red"] == 1247 * K
    assert s.report().replace(str(path), "X") == savings.report().replace(
        str(EXAMPLE_PATH), "X")
    member["proposals"][1]["green"] = 600  # a number, not text
    text = json.dumps(plan_file, indent=1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(apportion.PlanError) as info:
        load_savings(path)
    assert info.value.path == "$.savings.proposals[1].green"
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"green": 600' in line)
    assert info.value.line == row + 1
    assert 1 <= info.value.column <= len(lines[row]) + 1
