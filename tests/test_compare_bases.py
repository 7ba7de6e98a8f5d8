"""apportion.compare_bases: the IASS budget under each basis the variation
notice of 26 October 2022 (and the 2021/22 service plan) gives, side by
side, on the example's figures; and a property that every row conserves
pennies."""

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apportion

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "iass-disaggregation-2022.json"


@pytest.fixture(scope="module")
def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bases(example):
    return {b["name"]: b["values"] for b in example["bases"]}


@pytest.fixture(scope="module")
def frame(example, bases):
    return apportion.compare_bases(example["budget"]["total"], bases)


def exact(weight):
    text = str(weight).rstrip("%")
    return Fraction(Decimal(text))


def test_example_figures_agree_with_the_totals_the_paper_states(example):
    # Sections 4.5, 4.5.1 and 4.5.2: North and West add up to the totals of
    # section 4.5; the plan's split makes 100%; the two budgets of 7.1.2 add
    # up to its £429k.
    for basis in example["bases"]:
        whole = sum(exact(w) for w in basis["values"].values())
        if "stated_total" in basis:
            assert whole == exact(basis["stated_total"].replace(",", "")), basis["name"]
        elif basis["kind"] == "percent":
            assert whole == 100, basis["name"]
    allocations = example["budget"]["allocations"].values()
    assert (sum(apportion.parse_money(a) for a in allocations)
            == apportion.parse_money(example["budget"]["total"]))
    for basis in example["bases"]:
        assert basis["source"].startswith(("section", "Inter Authority Agreement")), basis["name"]


def test_shape(frame, example):
    assert frame.index.name == "basis"
    assert frame.index.tolist() == [b["name"] for b in example["bases"]]
    assert frame.columns.nlevels == 2
    assert frame.columns.names == [None, "authority"]
    assert frame.columns.get_level_values(0).unique().tolist() == ["share", "percent"]
    assert frame["share"].columns.tolist() == ["NNC", "WNC"]
    assert frame["percent"].columns.tolist() == ["NNC", "WNC"]
    assert all(dt == "int64" for dt in frame["share"].dtypes)


def test_every_row_sums_to_the_budget(frame):
    assert frame["share"].sum(axis=1).tolist() == [42_900_000] * len(frame)


@pytest.mark.parametrize("mode", apportion.MODES)
def test_shares_are_apportion_per_basis(example, bases, mode):
    frame = apportion.compare_bases("£429k", bases, mode=mode)
    for name, weights in bases.items():
        assert frame.loc[name, "share"].tolist() == apportion.apportion(
            "£429k", [weights["NNC"], weights["WNC"]], mode)


def test_each_share_is_within_a_penny_of_its_exact_value(frame, bases):
    for name, weights in bases.items():
        whole = sum(exact(w) for w in weights.values())
        for authority, weight in weights.items():
            value = Fraction(42_900_000) * exact(weight) / whole
            assert abs(frame.loc[name, ("share", authority)] - value) < 1


def test_current_budget_basis_gives_back_the_printed_allocations(frame, example):
    printed = example["budget"]["allocations"]
    assert frame.loc["current budget", "share"].to_dict() == {
        a: apportion.parse_money(text) for a, text in printed.items()}


def test_activity_gives_west_more_than_its_current_budget(frame):
    # What the comparison shows: on caseload, referrals and contacts WNC has
    # over 56% of the work, on population 53.57%, against 49.18% of the budget.
    share = frame["share"]
    for basis in ("caseload", "new referrals", "contacts", "0-18 population"):
        assert share.loc[basis, "WNC"] > share.loc["current budget", "WNC"]
        assert share.loc[basis, "NNC"] < share.loc["current budget", "NNC"]


def test_percentages(frame, bases):
    percent = frame["percent"]
    assert percent.loc["0-18 population"].tolist() == [Decimal("46.43"), Decimal("53.57")]
    assert percent.loc["caseload"].tolist() == [Decimal("43.43"), Decimal("56.57")]
    for name, weights in bases.items():
        row = percent.loc[name]
        assert sum(row) == 100
        whole = sum(exact(w) for w in weights.values())
        for authority, weight in weights.items():
            assert abs(Fraction(row[authority]) - 100 * exact(weight) / whole) <= Fraction(1, 200)


def test_exact_percentages(bases):
    frame = apportion.compare_bases("£429k", bases, decimals=None)
    assert frame.loc["caseload", ("percent", "NNC")] == Fraction(100 * 522, 1202)
    assert frame.loc["0-18 population", ("percent", "WNC")] == Fraction("53.57")
    assert all(sum(row) == 100 for _, row in frame["percent"].iterrows())


def test_decimals():
    frame = apportion.compare_bases(300, {"thirds": {"a": 1, "b": 1, "c": 1}}, decimals=0)
    assert frame.loc["thirds", "percent"].tolist() == [Decimal(34), Decimal(33), Decimal(33)]
    assert frame.loc["thirds", "share"].tolist() == [100, 100, 100]


def test_authorities_in_another_order_follow_the_first_basis():
    frame = apportion.compare_bases(1000, {"x": {"B": 1, "A": 3}, "y": {"A": 1, "B": 1}})
    assert frame["share"].columns.tolist() == ["B", "A"]
    assert frame.loc["y", "share"].tolist() == [500, 500]


def test_weights_as_apportion_takes_them():
    frame = apportion.compare_bases(Decimal("10.00"), {
        "mixed": {"a": Decimal("1.5"), "b": Fraction(1, 2), "c": "2"}})
    assert frame.loc["mixed", "share"].tolist() == apportion.apportion(
        1000, [Decimal("1.5"), Fraction(1, 2), "2"])


@pytest.mark.parametrize(("bases", "words"), [
    ({"caseload": {"NNC": 522, "WNC": 680}, "budget": {"NNC": 218, "West": 211}},
     ["bases['budget']", "same authorities as bases['caseload']", "adds 'West'",
      "lacks 'WNC'"]),
    ({"caseload": {"NNC": 522, "WNC": 680}, "budget": {"NNC": 218}},
     ["bases['budget']", "lacks 'WNC'"]),
    ({"caseload": {"NNC": 522}, "budget": {"NNC": 218, "WNC": 211}},
     ["bases['budget']", "adds 'WNC'"]),
    ({"population": {"NNC": "46.43%", "WNC": "53.5?%"}},
     ["bases['population']['WNC']", "53.5?%"]),
    ({"contacts": {"NNC": -2196, "WNC": 2865}},
     ["bases['contacts']['NNC']", "negative"]),
    ({"contacts": {"NNC": 0, "WNC": 0}}, ["bases['contacts']", "zero"]),
    ({"contacts": {}}, ["bases['contacts']", "names no authorities"]),
    ({}, ["bases is empty"]),
])
def test_errors_name_the_basis_and_authority(bases, words):
    with pytest.raises(apportion.InputError) as info:
        apportion.compare_bases("£429k", bases)
    for word in words:
        assert word in str(info.value)


def test_type_errors():
    with pytest.raises(TypeError, match=r"bases\['caseload'\]\['NNC'\]"):
        apportion.compare_bases(100, {"caseload": {"NNC": True, "WNC": 1}})
    with pytest.raises(TypeError, match=r"bases\['caseload'\] must map"):
        apportion.compare_bases(100, {"caseload": [522, 680]})
    with pytest.raises(TypeError, match="bases must map"):
        apportion.compare_bases(100, [("caseload", {"NNC": 1})])
    with pytest.raises(TypeError, match="float"):
        apportion.compare_bases(429000.0, {"caseload": {"NNC": 1}})


def test_options_are_keyword_only_and_checked():
    with pytest.raises(TypeError):
        apportion.compare_bases(100, {"b": {"a": 1}}, "first_come")  # type: ignore[misc]
    with pytest.raises(apportion.InputError, match="mode"):
        apportion.compare_bases(100, {"b": {"a": 1}}, mode="fairest")
    for bad in (-1, 16, 2.0, True):
        with pytest.raises(apportion.InputError, match="decimals"):
            apportion.compare_bases(100, {"b": {"a": 1}}, decimals=bad)


def test_exported():
    assert "compare_bases" in apportion.__all__
    assert isinstance(apportion.compare_bases(1, {"b": {"a": 1}}), pd.DataFrame)


NAMES = st.sampled_from(["NNC", "WNC", "NCT", "CFE", "IASS"])


@st.composite
def basis_sets(draw):
    authorities = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    count = draw(st.integers(min_value=1, max_value=6))
    bases = {}
    for k in range(count):
        weights = draw(st.lists(st.integers(min_value=0, max_value=2**63 - 1),
                                min_size=len(authorities), max_size=len(authorities))
                       .filter(any))
        order = draw(st.permutations(authorities))
        bases[f"basis {k}"] = {a: weights[authorities.index(a)] for a in order}
    return authorities, bases


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), basis_sets(),
       st.sampled_from(apportion.MODES))
def test_every_row_conserves_pennies(total, drawn, mode):
    _, bases = drawn
    frame = apportion.compare_bases(total, bases, mode=mode)
    authorities = list(next(iter(bases.values())))  # the first basis's order
    assert frame["share"].columns.tolist() == authorities
    for name, weights in bases.items():
        row = frame.loc[name, "share"]
        assert sum(int(v) for v in row) == total
        assert row.tolist() == apportion.apportion(
            total, [weights[a] for a in authorities], mode)
        assert sum(frame.loc[name, "percent"]) == 100


def test_the_example_script_prints_each_basis(frame):
    import subprocess
    import sys

    script = EXAMPLE.parent / "compare_iass_bases.py"
    out = subprocess.run([sys.executable, str(script)], check=True,
                         capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("IASS budget £429k under each basis")
    caseload = next(line for line in lines if line.strip().startswith("caseload"))
    assert "WNC £242,695.51  56.57%  +£31,695.51" in caseload
    assert "NNC £186,304.49  43.43%  -£31,695.51" in caseload
    for name in frame.index:
        assert any(line.strip().startswith(name) for line in lines)
    assert 'printed "5 | 3.57% | 46.43%", read as WNC 53.57%, NNC 46.43%' in out
