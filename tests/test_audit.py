"""apportion.audit: check_total, check_split and the causes it names, with
the issue's figures and properties over random tables."""

import json
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from apportion import InputError
from apportion.audit import Finding, check_split, check_total

# ---- the examples ----------------------------------------------------

def test_decimal_shift_named():
    f = check_total({"a": "1.280", "b": "0.85", "c": "0.132", "d": "1.083"},
                    "2.580")
    assert f.status == "error"
    assert f.cause == "decimal_shift"
    assert f.item == "b"
    assert f.difference == Decimal("-0.765")
    assert f.computed == Decimal("3.345")
    assert [c.corrected for c in f.candidates] == [Decimal("0.085")]
    assert "0.085" in f.suggestion and "b" in f.suggestion


def test_split_that_makes_101():
    f = check_split({"NNC": "44.16", "WNC": "56.84"})
    assert f.status == "error"
    assert f.difference == Decimal("-1.00")
    assert str(f.difference) == "-1.00"
    assert f.computed == Decimal("101.00")
    assert f.item is None


def test_split_agrees_and_rounds():
    assert check_split({"NNC": "44.16", "WNC": "55.84"}).status == "ok"
    f = check_split(["33.33", "33.33", "33.33"])
    assert f.status == "rounding" and f.cause == "rounding"
    assert f.difference == Decimal("0.01")
    # Percent signs are allowed, as papers print them.
    assert check_split({"NNC": "44.16%", "WNC": "55.84%"}).ok


def test_nct_outturn_columns():
    # The SDC annual report 2021/22, NCT outturn 2021/22 (£000): two totals are £1k out.
    gross = ["45,026", "5,076", "15,784", "59,399", "1,765", "(123,348)"]
    f = check_total(gross, "3,701")
    assert (f.status, f.cause, f.difference) == ("rounding", "rounding",
                                                 Decimal("-1"))
    f = check_total(["(856)", "-", "(1,656)", "(120)", "-", "-"], "(2,631)")
    assert f.status == "rounding" and f.difference == Decimal("1")
    assert check_total(["172", "(616)", "(186)", "1,700", "0", "0"],
                       "1,070").status == "ok"


def test_inputs_of_every_kind():
    f = check_total({"x": Decimal("1.50"), "y": 2, "z": "£0.25"}, Decimal("3.75"))
    assert f.status == "ok" and f.stated == Decimal("3.75")
    # A float is read as its shortest text.
    assert check_total([0.1, 0.2], "0.3").status == "ok"
    with pytest.raises(InputError, match="no items"):
        check_total({}, "1")
    with pytest.raises(InputError, match="b"):
        check_total({"a": "1", "b": "1..2"}, "3")
    with pytest.raises(InputError, match="bool"):
        check_total([True], "1")
    with pytest.raises(InputError, match="decimals"):
        check_total(["1"], "1", decimals=-1)


def test_decimals_given_sets_the_precision():
    # Printed to 1 decimal, items 1.2 + 2.4 may truly make 3.7.
    assert check_total(["1.2", "2.4"], "3.7", decimals=1).status == "rounding"
    assert check_total(["1.2", "2.4"], "3.7").status == "rounding"
    assert check_total(["1.20", "2.40"], "3.70").status == "error"


def test_finding_to_dict_is_json():
    f = check_total({"a": "1.280", "b": "0.85"}, "2.130")
    d = json.loads(json.dumps(f.to_dict()))
    assert d["status"] == "ok" and d["stated"] == "2.130"


# ---- properties --------------------------------------------------------------

figures = st.integers(min_value=-10**9, max_value=10**9)


def texts(values, decimals):
    return [str(Decimal(v).scaleb(-decimals)) for v in values]


@settings(max_examples=150, deadline=None)
@given(st.lists(figures, min_size=1, max_size=12), st.integers(0, 3))
def test_true_totals_agree(values, decimals):
    f = check_total(texts(values, decimals), texts([sum(values)], decimals)[0])
    assert f.status == "ok" and f.cause == "none" and f.item is None


def corrected_total(items, f: Finding, stated):
    """The difference left when the finding's named fix is applied."""
    c = f.candidates[0]
    values = [Decimal(v) for v in items]
    label = f.item
    if c.cause in ("omitted_item", "duplicated_item"):
        # The fix is to the total: add the omitted item, or take the
        # duplicated one out once.
        return stated - sum(values) + (
            c.corrected if c.cause == "omitted_item" else -c.corrected)
    if label == "the stated total":
        return c.corrected - sum(values)
    i = int(label.split()[-1]) - 1
    values[i] = c.corrected
    return stated - sum(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(figures.filter(lambda v: abs(v) >= 10), min_size=2,
                max_size=10),
       st.integers(0, 2), st.data())
def test_injected_errors_are_found_or_left_unnamed(values, decimals, data):
    """An injected error is always among the candidates; a named item's fix
    always makes the figures agree; nothing is claimed when they agree."""
    kind = data.draw(st.sampled_from(["omitted_item", "duplicated_item",
                                      "sign_error", "decimal_shift"]))
    i = data.draw(st.integers(0, len(values) - 1))
    true = sum(values)
    v = values[i]
    shown = list(values)
    if kind == "omitted_item":
        stated = true - v
    elif kind == "duplicated_item":
        stated = true + v
    elif kind == "sign_error":
        shown[i] = -v
        stated = true
    else:
        shown[i] = v * 10
        stated = true
    items = texts(shown, decimals)
    total = texts([stated], decimals)[0]
    f = check_total(items, total)
    assume(f.status == "error")
    assert any(c.cause == kind for c in f.candidates) or f.cause == "unexplained"
    assert any(c.cause == kind and (c.label == f"item {i + 1}")
               for c in f.candidates), f
    if f.item is not None and f.item != "the stated total":
        left = corrected_total(items, f, Decimal(total))
        assert abs(left) <= f.tolerance, (f, left)


@settings(max_examples=100, deadline=None)
@given(st.integers(1000, 10**8), st.lists(figures, min_size=1, max_size=6),
       st.data())
def test_transposed_total_is_found(big, others, data):
    digits = str(big)
    a = data.draw(st.integers(0, len(digits) - 2))
    b = data.draw(st.integers(a + 1, len(digits) - 1))
    assume(digits[a] != digits[b] and not (a == 0 and digits[b] == "0"))
    swapped = list(digits)
    swapped[a], swapped[b] = swapped[b], swapped[a]
    items = [str(v) for v in [big, *others]]
    stated = int(digits) + sum(others)
    # The item, not the total, was printed with two digits swapped.
    items[0] = "".join(swapped)
    f = check_total(items, str(stated))
    assert f.status == "error"
    assert (f.difference % 9) == 0
    assert any(c.cause == "transposition" and c.label == "item 1"
               and c.corrected == big for c in f.candidates), f
