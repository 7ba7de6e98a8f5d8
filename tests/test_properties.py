"""Property tests: pennies are conserved and every share is within a penny
of its exact value, for totals over the whole int64 range, against an
independent reference written with fractions.Fraction."""

from fractions import Fraction
from math import floor

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import apportion

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
WEIGHT = st.integers(min_value=0, max_value=2**63 - 1)
SMALL_WEIGHT = st.integers(min_value=0, max_value=10**6)
MODES = st.sampled_from(apportion.MODES)


def weight_lists(element=WEIGHT, max_size=8):
    return st.lists(element, min_size=1, max_size=max_size).filter(any)


def reference(total, weights, mode):
    """Exact apportionment with Fractions, written independently of C."""
    W = sum(weights)
    magnitude = abs(total)
    exact = [Fraction(magnitude * w, W) for w in weights]
    shares = [floor(e) for e in exact]
    left = magnitude - sum(shares)
    candidates = [i for i, e in enumerate(exact) if e != shares[i]]
    if mode == "largest_remainder":
        candidates.sort(key=lambda i: (-(exact[i] - shares[i]), i))
    elif mode == "largest_ratio":
        candidates.sort(key=lambda i: (-weights[i], i))
    for i in candidates[:left]:
        shares[i] += 1
    return [-s for s in shares] if total < 0 else shares


@settings(max_examples=400)
@given(INT64, weight_lists(), MODES)
def test_shares_sum_and_quota(total, weights, mode):
    shares = apportion.apportion(total, weights, mode=mode)
    assert sum(shares) == total
    W = sum(weights)
    for s, w in zip(shares, weights):
        exact = Fraction(total * w, W)
        assert abs(s - exact) < 1
        if w == 0:
            assert s == 0


@settings(max_examples=400)
@given(INT64, weight_lists(), MODES)
def test_matches_fraction_reference(total, weights, mode):
    assert apportion.apportion(total, weights, mode=mode) == reference(total, weights, mode)


@given(INT64.filter(lambda t: t != -(2**63)), weight_lists(SMALL_WEIGHT), MODES)
def test_negative_total_mirrors_positive(total, weights, mode):
    assert apportion.apportion(-total, weights, mode=mode) == [
        -s for s in apportion.apportion(total, weights, mode=mode)]


@settings(max_examples=200)
@given(st.lists(INT64, max_size=50), weight_lists(max_size=4), MODES)
def test_array_equals_scalar(totals, weights, mode):
    out = apportion.apportion_array(np.array(totals, dtype=np.int64), weights, mode=mode)
    assert out.tolist() == [apportion.apportion(t, weights, mode=mode) for t in totals]


@settings(max_examples=200)
@given(st.lists(st.integers(-(2**58), 2**58), min_size=1, max_size=30),
       weight_lists(max_size=5), MODES)
def test_lines_keep_every_line_and_authority_total(lines, weights, mode):
    cells = apportion.apportion_lines(lines, weights, mode=mode)
    assert [int(v) for v in cells.sum(axis=1)] == lines
    grand = sum(lines)
    columns = [sum(int(cells[j, i]) for j in range(len(lines))) for i in range(len(weights))]
    assert columns == apportion.apportion(grand, weights, mode=mode)
    W = sum(weights)
    for col, w in zip(columns, weights):
        assert abs(col - Fraction(grand * w, W)) < 1
    for j, line in enumerate(lines):
        for i, w in enumerate(weights):
            error = abs(int(cells[j, i]) - Fraction(line * w, W))
            if len(weights) <= 2 and mode == "largest_remainder":
                assert error <= 1
            else:
                assert error < 2


@given(INT64, st.integers(1, 12), st.sampled_from(["pence", "pounds"]),
       st.sampled_from(["half_up", "half_even", "down", "up", "floor", "ceiling"]))
def test_schedule_sums_to_share(share, n, part, rounding):
    try:
        q = apportion.recharge_schedule(share, instalments=n, equal_part=part,
                                        rounding=rounding)
    except apportion.MoneyOverflowError:
        assume(False)
    assert sum(q) == share
    assert len(set(q[:-1])) <= 1
    if part == "pounds":
        assert all(v % 100 == 0 for v in q[:-1])
