"""Stated totals of the papers (outturn, savings, MTFP, contract sum) only
partly legible: a cut-off prefix ("3,70…") or "not legible", carried as
printed with the parser the plans and tables use, checked only for
consistency, and never taken where a figure is computed with.  The figures
are the committee papers' own (the shipped examples)."""

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion import PlanError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMAS = ROOT / "python" / "apportion" / "schema"


def _example(name: str) -> dict:
    data: dict = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def _validate(data: dict, schema: str) -> None:
    s = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(s).validate(data)


def _partial(paper) -> list:
    return [f for f in paper.audit.findings
            if "cut off" in f.suggestion or f.cause == "illegible"]


def test_outturn_total_cut_off_is_consistent_with_its_lines():
    # NCT outturn 2021/22: the total gross outturn printed 3,701 (£000);
    # cut to "3,70…" it allows £3,700,000-£3,709,999 (or more digits), and
    # the lines' 3,702 is one of them.  Where it is an item (outturn =
    # gross outturn + Covid funding), the stated 1,070 is consistent too.
    data = _example("nct-outturn-2021-22.json")
    data["total"]["gross_outturn"] = "3,70…"
    _validate(data, "outturn.schema.json")
    o = apportion.parse_outturn(json.dumps(data))
    total, rule = _partial(o)
    assert (total.status, total.cause) == ("ok", "none")
    assert total.stated == total.computed == Decimal("3702")
    assert ('the stated figure is cut off after "3,70", so it can be '
            "£3,700,000.00 to £3,709,999.99") in total.suggestion
    assert total.suggestion.endswith(
        "the computed £3,702,000.00 is consistent with it.")
    assert (rule.status, rule.stated, rule.computed) == ("ok", Decimal("1070"),
                                                         Decimal("1070"))
    assert "the stated figure £1,070,000.00 is consistent with that." in rule.suggestion
    # The paper's data has no amount for it (not £0), and the report and
    # its HTML render with it.
    assert o._data["total"]["gross_outturn"] is None
    assert o._data["total"]["outturn"] == (107000000, 100000)
    assert "cut off" in o.audit.report(everything=True)
    o._repr_html_()


def test_outturn_total_not_legible_cannot_be_checked():
    data = _example("nct-outturn-2021-22.json")
    data["total"]["gross_outturn"] = "not legible"
    _validate(data, "outturn.schema.json")
    o = apportion.parse_outturn(json.dumps(data))
    found = {(f.status, f.cause, f.suggestion.split(": ", 1)[1]) for f in _partial(o)}
    assert found == {
        ("ok", "illegible", "cannot be checked: the stated figure is not legible."),
        ("ok", "illegible", "cannot be checked: total gross outturn is not legible."),
    }
    # The other checks are made as before: none is an error.
    assert not o.audit.errors


def test_savings_mtfp_and_contract_sum_totals():
    # Savings paper: TOTAL of proposals 1-13 printed 3,872 (£000).
    data = _example("nct-savings-2023-24.json")
    data["totals"][0]["total"] = "3,8…"
    _validate(data, "savings.schema.json")
    (f,) = _partial(apportion.parse_savings(json.dumps(data)))
    assert (f.status, f.stated) == ("ok", Decimal("3872"))
    # CFE business plan: Total Inflation printed 7,047 (£000).
    data = _example("nct-mtfp-2017-21.json")
    data["stated"][0]["total"] = "7,0…"
    _validate(data, "mtfp.schema.json")
    (f,) = _partial(apportion.parse_mtfp(json.dumps(data)))
    assert (f.status, f.stated) == ("ok", Decimal("7047"))
    # "7,1…" cannot be 7,047: the nearest it can be is 7,100, 53 more.
    data["stated"][0]["total"] = "7,1…"
    (f,) = _partial(apportion.parse_mtfp(json.dumps(data)))
    assert f.status == "error" and f.difference == Decimal("53")
    assert "the nearest it can be is £7,100,000.00, £53,000.00 more." in f.suggestion
    # Contract sum: the stated contract sum £180.009m of its blocks.
    data = _example("nct-contract-sum-2024-25.json")
    data["contract_sum"] = "£180.0…"
    _validate(data, "contract_sum.schema.json")
    c = apportion.parse_contract_sum(json.dumps(data))
    (f,) = [f for f in _partial(c) if "180.0" in f.suggestion]
    assert (f.status, f.stated, f.computed) == ("ok", Decimal("180.009"),
                                                Decimal("180.009"))
    assert f.suggestion.endswith(
        'the stated figure is cut off after "£180.0", so it can be '
        "£180,000,000.00 to £180,099,999.99; the computed £180,009,000.00 is "
        "consistent with it.")


@pytest.mark.parametrize(("name", "where", "key"), [
    ("nct-outturn-2021-22.json", ("lines", 0), "budget"),
    ("nct-mtfp-2017-21.json", ("proposals", 0, "amounts"), "2017-18"),
])
def test_a_figure_computed_with_may_not_be_partly_legible(name, where, key):
    data = _example(name)
    node = data
    for k in where:
        node = node[k]
    node[key] = "1,2…"
    with pytest.raises(PlanError, match="computed with, not only checked"):
        (apportion.parse_outturn if "outturn" in name else apportion.parse_mtfp)(
            json.dumps(data))


def test_a_negative_cut_off_total():
    # The grants table's total printed -12,076,323 (£), cut to "-12,07…".
    data = _example("nct-outturn-2021-22.json")
    data["grants"]["total"] = "-12,07…"
    o = apportion.parse_outturn(json.dumps(data))
    (f,) = _partial(o)
    assert f.status == "ok" and f.stated == f.computed
    assert "-£12,079,999.99 to -£12,070,000.00" in f.suggestion
