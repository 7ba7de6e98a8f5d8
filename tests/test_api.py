"""The public Python API, on the figures of the committee papers."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import apportion
from apportion import ApportionError, InputError, MoneyOverflowError, PlanError


def test_issue_examples():
    assert apportion.apportion(40704500, ["44.16", "55.84"]) == [17975107, 22729393]
    assert apportion.apportion(-5, [7, 3]) == [-4, -1]
    assert apportion.apportion(5, [0, 1, 1]) == [0, 3, 2]


def test_domain_first_come_figures():
    # By hand: the first-come rule gives £179,751.08 / £227,293.92.
    assert apportion.apportion(40704500, ["44.16", "55.84"], mode="first_come") == [
        17975108, 22729392]


@pytest.mark.parametrize("weights", [
    ["44.16", "55.84"],
    [Decimal("44.16"), Decimal("55.84")],
    [Fraction(1104, 25), Fraction(1396, 25)],
    [4416, 5584],
    [0.4416, 0.5584],          # read as shortest decimal text
    ["44.16%", "55.84%"],
    [np.int64(4416), np.int64(5584)],
])
def test_weight_types_are_exact(weights):
    assert apportion.apportion(40704500, weights) == [17975107, 22729393]


@pytest.mark.parametrize("total", [40704500, "£407,045", "407045.00",
                                   Decimal("407045.00"), Fraction(407045)])
def test_total_types(total):
    assert apportion.apportion(total, ["44.16", "55.84"]) == [17975107, 22729393]


def test_float_total_refused():
    with pytest.raises(TypeError, match="never a float"):
        apportion.apportion(407045.0, [1, 1])


def test_sub_penny_total_refused():
    with pytest.raises(InputError, match="whole number of pence"):
        apportion.apportion(Fraction(1, 1000), [1, 1])
    with pytest.raises(InputError, match="more precise than a penny"):
        apportion.apportion(Decimal("0.001"), [1, 1])


def test_weight_errors_name_the_weight():
    with pytest.raises(InputError, match=r"weights\[1\] is negative"):
        apportion.apportion(100, [1, -2])
    with pytest.raises(InputError, match="all 3 weights are zero"):
        apportion.apportion(100, [0, "0.00", Decimal(0)])
    with pytest.raises(InputError, match="no weights"):
        apportion.apportion(100, [])
    with pytest.raises(InputError, match=r"weights\[0\].*\"abc\""):
        apportion.apportion(100, ["abc"])
    with pytest.raises(InputError, match="finite"):
        apportion.apportion(100, [float("nan"), 1])
    with pytest.raises(TypeError, match=r"weights\[1\]"):
        apportion.apportion(100, [1, object()])
    with pytest.raises(TypeError):
        apportion.apportion(100, "12")
    with pytest.raises(InputError, match="unknown apportionment mode"):
        apportion.apportion(100, [1, 1], mode="dhondt")


def test_errors_are_a_hierarchy():
    assert issubclass(InputError, ApportionError) and issubclass(InputError, ValueError)
    assert issubclass(PlanError, ApportionError) and issubclass(PlanError, ValueError)
    assert issubclass(MoneyOverflowError, ApportionError)
    assert issubclass(MoneyOverflowError, OverflowError)


def test_overflow_is_an_error():
    with pytest.raises(MoneyOverflowError, match="total"):
        apportion.apportion(2**63, [1, 1])
    with pytest.raises(MoneyOverflowError):
        apportion.parse_money("£92,233,720,368,547,758.08")
    with pytest.raises(MoneyOverflowError, match="common denominator"):
        apportion.apportion(100, [Fraction(1, 1000000007), Fraction(1, 998244353),
                                  Fraction(1, 1000000009)])


@pytest.mark.parametrize("text, unit, pence", [
    ("£211,654", "£", 21165400),
    ("-£211,654", "£", -21165400),
    ("£127,882.35", "£", 12788235),
    ("(3,540)", "£000", -354000000),
    ("£0.85m", "£", 85000000),
    ("£1.3m", "£", 130000000),
    ("£2,094", "£", 209400),
    ("407045", "£", 40704500),
    ("0.410", "£m", 41000000),
])
def test_parse_money_seed_figures(text, unit, pence):
    assert apportion.parse_money(text, unit=unit) == pence


def test_parse_money_error_says_what_and_where():
    with pytest.raises(InputError) as info:
        apportion.parse_money("£21x,654")
    assert "character 4" in str(info.value) and "£21x,654" in str(info.value)
    with pytest.raises(InputError, match="unknown unit"):
        apportion.parse_money("5", unit="$")
    with pytest.raises(TypeError):
        apportion.parse_money(5)


def test_format_money():
    assert apportion.format_money(21165400) == "£211,654.00"
    assert apportion.format_money(-354000000, decimals=0, negative="brackets") == "(£3,540,000)"
    assert apportion.format_money(-354000000, unit="£000", negative="brackets") == "(£3,540k)"
    assert apportion.format_money(85000000, unit="£m") == "£0.85m"
    assert apportion.format_money(12788235, symbol=False, grouping=False) == "127882.35"
    with pytest.raises(InputError, match="brackets"):
        apportion.format_money(1, negative="red")


def test_recharge_schedule_seed():
    # Schedule 3B2: WNC's £211,654 invoiced quarterly, equal parts in pounds.
    q = apportion.recharge_schedule(21165400, equal_part="pounds")
    assert q == [5291400, 5291400, 5291400, 5291200]
    assert sum(q) == 21165400
    assert apportion.recharge_schedule("£211,654") == [5291350] * 4
    assert apportion.balancing_payment(q[:3], 20000000) == 20000000 - 3 * 5291400
    assert apportion.balancing_payment(q[:3], "£150,000") < 0  # a refund
    with pytest.raises(InputError, match="equal_part"):
        apportion.recharge_schedule(100, equal_part="shillings")
    with pytest.raises(InputError, match="rounding"):
        apportion.recharge_schedule(100, rounding="bankers")


def test_apportion_array_zero_copy_input_and_shape():
    totals = np.array([40704500, -5, 7, 0], dtype=np.int64)
    out = apportion.apportion_array(totals, ["44.16", "55.84"])
    assert out.dtype == np.int64 and out.shape == (4, 2)
    assert out.tolist() == [[17975107, 22729393], [-2, -3], [3, 4], [0, 0]]
    assert (out.sum(axis=1) == totals).all()
    # Other integer dtypes and lists are accepted; floats are not.
    assert apportion.apportion_array([5], [7, 3]).tolist() == [[4, 1]]
    assert apportion.apportion_array(np.array([5], dtype=np.int32), [7, 3]).tolist() == [[4, 1]]
    with pytest.raises(TypeError, match="never a float"):
        apportion.apportion_array(np.array([1.5]), [1, 1])
    with pytest.raises(InputError, match="one-dimensional"):
        apportion.apportion_array(np.zeros((2, 2), dtype=np.int64), [1, 1])
    # A strided view is made contiguous, not misread.
    wide = np.arange(10, dtype=np.int64)[::2]
    assert (apportion.apportion_array(wide, [1, 1]).sum(axis=1) == wide).all()


def test_apportion_array_many_parties_and_empty():
    out = apportion.apportion_array(np.array([10, -10]), [1, 1, 1])
    assert out.tolist() == [[4, 3, 3], [-4, -3, -3]]
    assert apportion.apportion_array(np.array([], dtype=np.int64), [1, 1]).shape == (0, 2)


def test_core_buffer_checks():
    from apportion import _core
    out = np.empty((2, 2), dtype=np.int64)
    with pytest.raises(TypeError, match="int64"):
        _core.apportion_into(np.array([1, 2], dtype=np.int32), [1, 1], "largest_remainder", out)
    with pytest.raises(ValueError, match="out holds"):
        _core.apportion_into(np.array([1, 2, 3], dtype=np.int64), [1, 1],
                             "largest_remainder", out)
    with pytest.raises((TypeError, BufferError)):
        _core.apportion_into(np.array([1, 2], dtype=np.int64), [1, 1],
                             "largest_remainder", bytes(32))
    # The kernels take totals and shares as restrict: the glue refuses
    # memory they share, whoever calls it.
    both = np.zeros(6, dtype=np.int64)
    with pytest.raises(ValueError, match="out shares memory with the totals"):
        _core.apportion_into(both[:2], [1, 1], "largest_remainder", both[1:5])
    with pytest.raises(ValueError, match="out shares memory with the lines"):
        _core.apportion_lines_into(both[:2], [1, 1], "largest_remainder", both[:4])
    _core.apportion_into(both[:2], [1, 1], "largest_remainder", both[2:6])  # side by side
    assert both.tolist() == [0, 0, 0, 0, 0, 0]


def test_apportion_lines_keeps_both_margins():
    lines = [1, 1, 1, 1, 1]
    cells = apportion.apportion_lines(lines, ["44.16", "55.84"])
    assert cells.sum(axis=1).tolist() == lines
    assert cells.sum(axis=0).tolist() == apportion.apportion(5, ["44.16", "55.84"])
    # Rounding each line on its own would give NNC nothing at all.
    independent = [apportion.apportion(1, ["44.16", "55.84"]) for _ in lines]
    assert sum(r[0] for r in independent) == 0


def test_get_include_has_headers(tmp_path):
    from pathlib import Path
    inc = Path(apportion.get_include())
    assert (inc / "apportion" / "apportion.h").is_file()
    assert (inc / "apportion" / "money.h").is_file()


def test_version_matches_header():
    from pathlib import Path
    header = Path(apportion.get_include()) / "apportion" / "version.h"
    assert f'"{apportion.__version__}"' in header.read_text()
