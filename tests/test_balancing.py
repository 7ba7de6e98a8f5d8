"""The Q4 balancing payment or refund of a recharge from the year's actual
expenditure: the IASS plan 2021/22 (WNC's £211,654, invoiced £52,914 in
each of Q1-Q3), with the receipt in advance kept apart."""

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

import apportion
from apportion.outturn import Q4Balance, parse_q4_balance, q4_balance
from apportion.plan import load_plan, parse_plan

ROOT = Path(__file__).resolve().parent.parent
IASS = ROOT / "examples" / "iass-2021-22.json"
BILLED = 3 * 5_291_400  # £158,742.00
RECEIPT_IN_ADVANCE = 12_788_235  # £127,882.35, WNC to NNC


def test_at_budget_the_balance_is_the_planned_q4():
    b = q4_balance(IASS, 40_704_500)
    assert (b.payer, b.payee) == ("WNC", "NNC")
    assert b.budget == 40_704_500 and b.budget_share == 21_165_400
    assert b.billed == (5_291_400,) * 3 and b.billed_total == BILLED
    assert b.actual_share == 21_165_400
    assert b.balance == b.planned_final == 5_291_200  # £52,912
    assert b.variance == 0 and b.kind == "payment"


def test_above_budget_a_larger_payment():
    # £420,000 spent: WNC bears 211,654/407,045 of it, £218,390.30
    b = q4_balance(IASS, "£420,000")
    assert b.variance == 1_295_500
    assert b.actual_share == 21_839_030
    assert b.balance == 21_839_030 - BILLED == 5_964_830
    assert b.kind == "payment"


def test_below_budget_a_smaller_payment_then_a_refund():
    b = q4_balance(IASS, Decimal("390000"))
    assert (b.actual_share, b.balance) == (20_279_099, 4_404_899)
    # £300,000 spent: WNC's share £155,993.07 is less than the £158,742 billed
    b = q4_balance(IASS, 30_000_000)
    assert b.actual_share == 15_599_307
    assert b.balance == -274_893 and b.kind == "refund"
    frame = b.to_frame()
    assert list(frame.index) == ["Q1", "Q2", "Q3", "Q4"]
    assert list(frame["amount"]) == [5_291_400] * 3 + [-274_893]
    assert frame.loc["Q4", "kind"] == "balance (refund)"
    assert frame["amount"].sum() == b.actual_share


def test_carry_forwards_are_listed_apart_never_netted():
    for actual in (30_000_000, 40_704_500, 42_000_000):
        b = q4_balance(IASS, actual)
        assert b.balance == b.actual_share - b.billed_total  # no carry-forward in it
        assert len(b.carry_forwards) == 1
        cf = b.carry_forwards[0]
        assert (cf["payer"], cf["payee"], cf["amount"], cf["kind"]) == (
            "WNC", "NNC", RECEIPT_IN_ADVANCE, "receipt in advance")
    frame = b.carry_forwards_frame()
    assert list(frame["amount"]) == [RECEIPT_IN_ADVANCE]
    text = b.report()
    assert "Invoiced apart, not in the balance:" in text
    assert "WNC pays NNC £127,882.35: receipt in advance from 2020/21" in text


def test_a_plan_object_and_plan_text():
    plan = load_plan(IASS)
    assert plan.balancing is None  # the file states no actual
    b = q4_balance(plan, 42_000_000)
    assert b.balance == 5_964_830
    # The same through the plan's own compute: the plan with the actual set
    # gives the same balancing instalment.
    data = json.loads(IASS.read_text(encoding="utf-8"))
    data["actuals"] = {"expenditure": "£420,000"}
    with_actual = parse_plan(json.dumps(data))
    assert with_actual.balancing == {"actual_share": b.actual_share,
                                     "final_instalment": b.balance}
    from_text = parse_q4_balance(IASS.read_text(encoding="utf-8"), 42_000_000)
    assert from_text == dataclasses.replace(b, source="<plan>")
    with pytest.raises(ValueError, match="parse_q4_balance"):
        q4_balance(parse_plan(IASS.read_text(encoding="utf-8")), 1)


def test_report_and_html():
    b = q4_balance(IASS, 30_000_000)
    text = str(b)
    assert "Balance: -£2,748.93, a refund to WNC." in text
    assert "£155,993.07 of the actual spend" in text
    assert "<table" in b._repr_html_()
    assert isinstance(b, Q4Balance)


def test_bad_input():
    with pytest.raises(TypeError):
        q4_balance(IASS, 420000.0)
    with pytest.raises(ValueError, match="finer than a penny"):
        q4_balance(IASS, Decimal("0.001"))
    with pytest.raises(apportion.InputError):
        q4_balance(IASS, "£12x")
    no_recharge = {"format": "apportion.plan/1",
                   "authorities": [{"code": "A"}, {"code": "B"}],
                   "basis": {"kind": "metric", "values": {"A": 1, "B": 3}},
                   "budget_lines": [{"id": "1", "total": "£100"}]}
    with pytest.raises(apportion.InputError, match="no recharge rule"):
        parse_q4_balance(json.dumps(no_recharge), 100)
    with pytest.raises(apportion.PlanError):
        parse_q4_balance("{", 100)
