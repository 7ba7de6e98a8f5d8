"""KPIs: RAG bands from councils' wording, explicit bands and tolerances,
exact scoring, status KPIs, direction of travel, escalation, and the KPI
files; property tests that a worse value never scores better."""

import json
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apportion
from apportion import KPI, RAG, AmbiguousBandsWarning, Band, InputError, PlanError

ROOT = Path(__file__).resolve().parent.parent
IASS2_TEXT = "Green = 90-100%, Amber = 80-90%, Red = 80% or below"
RANK = {RAG.RED: 0, RAG.AMBER: 1, RAG.GREEN: 2}


def quiet(*args, **kwargs):
    """A KPI made with any AmbiguousBandsWarning silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        return KPI(*args, **kwargs)


def no_warning(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return KPI(*args, **kwargs)


@pytest.fixture(scope="module")
def iass2():
    return quiet("IASS2", target=90, bands=IASS2_TEXT)


# ---- IASS2 ------------------------------------------------------------------

@pytest.mark.parametrize("value, rag", [
    (79.99, "red"), (80, "red"), (80.01, "amber"), (89.99, "amber"),
    (90, "green"), (100, "green")])
def test_iass2_issue_values(iass2, value, rag):
    assert iass2.score(value) == rag
    assert iass2.score(value) is RAG(rag)


@pytest.mark.parametrize("value, rag", [
    ("80%", RAG.RED), ("80.00", RAG.RED), (Decimal("80.001"), RAG.AMBER),
    (Fraction(8001, 100), RAG.AMBER), (Fraction(179, 2), RAG.AMBER),
    ("90%", RAG.GREEN), (np.int64(90), RAG.GREEN), (np.float64(89.99), RAG.AMBER),
    (0, RAG.RED), (-5, RAG.RED)])
def test_iass2_value_forms_are_exact(iass2, value, rag):
    assert iass2.score(value) is rag


def test_iass2_bands_are_explicit(iass2):
    assert iass2.bands == (
        Band(RAG.RED, None, False, Fraction(80), True),
        Band(RAG.AMBER, Fraction(80), False, Fraction(90), False),
        Band(RAG.GREEN, Fraction(90), True, Fraction(100), True),
    )
    assert iass2.bands_text == IASS2_TEXT
    assert iass2.target == 90 and iass2.polarity == "higher"
    assert repr(iass2) == "KPI('IASS2', Red (-inf, 80]; Amber (80, 90); Green [90, 100])"


def test_iass2_above_100_is_outside_every_band(iass2):
    with pytest.raises(InputError, match=r"IASS2: 100\.01 is outside every band"):
        iass2.score("100.01")


def test_iass2_missing_values_score_none(iass2):
    assert iass2.score(None) is None
    assert iass2.score(float("nan")) is None


def test_iass2_wording_warns_and_says_how_it_was_read():
    with pytest.warns(AmbiguousBandsWarning) as record:
        kpi = KPI("IASS2", target=90, bands=IASS2_TEXT)
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith("IASS2: ")
    assert "90" in message and "80" in message
    assert "80 < Amber < 90" in message
    assert "Red <= 80" in message and "90 <= Green" in message
    assert kpi.warning and kpi.warning in message


def test_warn_false_keeps_the_reading_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kpi = KPI("IASS2", target=90, bands=IASS2_TEXT, warn=False)
    assert "80 < Amber < 90" in kpi.warning
    assert kpi.score(80) is RAG.RED


@pytest.mark.parametrize("text, polarity", [
    ("Green = over 90%, Amber = 80-90%, Red = below 80%", "higher"),
    ("Green = below 10%, Amber = 10-12%, Red = over 12%", "lower"),
    ("Green = at least 90, Red = under 90", "higher"),
    ("Red < 70; Amber = 70 to 80; Green = over 80", "higher"),
    ("Green = 100%, Red = below 100%", "higher"),
])
def test_unambiguous_wording_does_not_warn(text, polarity):
    kpi = no_warning("X", polarity=polarity, bands=text)
    assert kpi.warning == ""


@pytest.mark.parametrize("text, polarity, reading", [
    ("Green \u2265 90, Amber = 80 to 90, Red < 80", "higher",
     "Red (-inf, 80); Amber [80, 90); Green [90, inf)"),
    ("Red \u2264 80, Amber = 80-90, Green >= 90", "higher",
     "Red (-inf, 80]; Amber (80, 90); Green [90, inf)"),
    ("Green \u2264 10%, Amber = 10-12%, Red > 12%", "lower",
     "Green (-inf, 10]; Amber (10, 12]; Red (12, inf)"),
    ("Green = over 90, Amber = 80\u201390, Red = below 80", "higher",
     "Red (-inf, 80); Amber [80, 90]; Green (90, inf)"),
    ("Green = over 90, Amber = 80 \u2013 90%, Red = below 80", "higher",
     "Red (-inf, 80); Amber [80, 90]; Green (90, inf)"),
    ("Green = over 90, Amber = 80\u201490, Red = below 80", "higher",
     "Red (-inf, 80); Amber [80, 90]; Green (90, inf)"),
], ids=["ge-sign", "le-sign", "le-sign-lower", "en-dash", "en-dash-spaced", "em-dash"])
def test_wording_with_unicode_signs_and_dashes(text, polarity, reading):
    """kpi.h documents the signs \u2264 and \u2265, and kpi_bands.c the en
    and em dashes in "80\u201390", as councils type them."""
    kpi = KPI("X", polarity=polarity, bands=text, warn=False)
    assert repr(kpi) == f"KPI('X', {reading})"


@pytest.mark.parametrize("text, names, values", [
    ("Green = 90-100%, Amber = 80-85%, Red = 80% or below", ("Amber", "Green"), ("85", "90")),
    ("Green = 90-100%, Amber = 75-90%, Red = 80% or below", ("Red", "Amber"), ("75", "80")),
    ("Green = 90% or above, Amber = 80-89%, Red = below 80", ("Amber", "Green"), ("89", "90")),
    ("Green = 90-100%, Amber = 85-95%, Red = below 85", ("Amber", "Green"), ("90", "95")),
    ("Green = 90-100%, Amber = 80-90%, Red = 70% or below", ("Red", "Amber"), ("70", "80")),
])
def test_overlapping_or_gapped_wording_names_the_bands(text, names, values):
    with pytest.raises(InputError) as info:
        quiet("IASS2", target=90, bands=text)
    message = str(info.value)
    assert message.startswith("IASS2: ")
    assert "overlap" in message or "gap" in message
    for word in names + values:
        assert word in message


@pytest.mark.parametrize("text, match", [
    ("", "no bands"),
    ("Purple = 90-100%", "does not start with Green, Amber or Red"),
    ("Green = ninety", "cannot read its range"),
    ("Green = 80% to under 90%", "cannot read its range"),
])
def test_unreadable_wording(text, match):
    with pytest.raises(InputError, match=match):
        quiet("X", bands=text)


# ---- explicit bands ------------------------------------------------------------

def test_explicit_bands_as_dicts():
    kpi = no_warning("NCT-COMPLAINTS", bands=[
        {"rag": "Red", "lower": 0, "lower_inclusive": True, "upper": "70%",
         "upper_inclusive": False},
        {"rag": "amber", "lower": Decimal("70"), "lower_inclusive": True,
         "upper": Fraction(80), "upper_inclusive": False},
        {"rag": "GREEN", "lower": 80, "lower_inclusive": True, "upper": 100,
         "upper_inclusive": True},
    ])
    assert [kpi.score(v) for v in (0, 69.99, 70, 79.99, 80, 100)] == [
        RAG.RED, RAG.RED, RAG.AMBER, RAG.AMBER, RAG.GREEN, RAG.GREEN]
    with pytest.raises(InputError, match="outside every band"):
        kpi.score(-1)


def test_explicit_bands_as_band_objects_in_any_order():
    kpi = no_warning("X", bands=[
        Band(RAG.GREEN, lower=Fraction(90), lower_inclusive=True),
        Band(RAG.RED, upper=Fraction(80), upper_inclusive=True),
        Band(RAG.AMBER, Fraction(80), False, Fraction(90), False),
    ])
    assert [kpi.score(v) for v in (80, "80.01", 90)] == [RAG.RED, RAG.AMBER, RAG.GREEN]
    assert [b.rag for b in kpi.bands] == [RAG.RED, RAG.AMBER, RAG.GREEN]


@pytest.mark.parametrize("side", ["lower", "upper"])
def test_missing_inclusive_flag_names_the_field(side):
    bands = [{"rag": "red", "upper": 70, "upper_inclusive": False},
             {"rag": "green", "lower": 70, "lower_inclusive": True}]
    index = 1 if side == "lower" else 0
    del bands[index][f"{side}_inclusive"]
    with pytest.raises(InputError, match=rf"bands\[{index}\].*{side}_inclusive"):
        KPI("X", bands=bands)


@pytest.mark.parametrize("bands, match", [
    ([{"rag": "red", "upper": 70, "upper_inclusive": True},
      {"rag": "green", "lower": 70, "lower_inclusive": True}],
     r"Red \(-inf, 70\] and Green \[70, inf\) overlap: both hold 70"),
    ([{"rag": "red", "upper": 70, "upper_inclusive": False},
      {"rag": "green", "lower": 70, "lower_inclusive": False}],
     r"Red .* and Green .* leave a gap: neither holds 70"),
    ([{"rag": "red", "upper": 60, "upper_inclusive": False},
      {"rag": "green", "lower": 70, "lower_inclusive": True}],
     r"gap.*60 and 70"),
    ([{"rag": "purple", "upper": 70, "upper_inclusive": False}], r"bands\[0\]\.rag.*purple"),
    ([{"rag": "red", "upper": 70, "upper_inclusive": False, "colour": 1}], "colour"),
    ([{"upper": 70, "upper_inclusive": False}], r"bands\[0\] has no rag"),
    ([{"rag": "red", "upper_inclusive": False}], "upper_inclusive but no upper"),
    ([{"rag": "red", "lower": 80, "lower_inclusive": True, "upper": 70,
       "upper_inclusive": True}], "holds no value"),
    ([], "at least one band"),
])
def test_bad_explicit_bands(bands, match):
    with pytest.raises(InputError, match=match):
        KPI("X", bands=bands)


# ---- tolerance ----------------------------------------------------------------

def test_tolerance_in_points():
    kpi = no_warning("X", target=90, tolerance=5, tolerance_kind="points")
    assert [kpi.score(v) for v in (84.99, 85, 89.99, 90, 120)] == [
        RAG.RED, RAG.AMBER, RAG.AMBER, RAG.GREEN, RAG.GREEN]


def test_tolerance_in_percent_of_target():
    kpi = no_warning("X", target=90, tolerance=5, tolerance_kind="percent")
    # 90 less 5% of 90 is 85.5.
    assert [kpi.score(v) for v in ("85.49", "85.5", 89.99, 90)] == [
        RAG.RED, RAG.AMBER, RAG.AMBER, RAG.GREEN]


def test_tolerance_lower_polarity():
    kpi = no_warning("REREFERRALS", polarity="lower", target=22, tolerance=3)
    assert [kpi.score(v) for v in (0, 22, "22.01", 25, "25.01")] == [
        RAG.GREEN, RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]
    pct = no_warning("CPP", polarity="lower", target=20, tolerance=10,
                     tolerance_kind="percent")
    assert [pct.score(v) for v in (20, "20.01", 22, "22.01")] == [
        RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]


def test_zero_tolerance_has_no_amber():
    kpi = no_warning("X", target=90, tolerance=0)
    assert [b.rag for b in kpi.bands] == [RAG.RED, RAG.GREEN]
    assert kpi.score("89.999") is RAG.RED and kpi.score(90) is RAG.GREEN


@pytest.mark.parametrize("kwargs, match", [
    (dict(target=90, tolerance=-1), "negative"),
    (dict(target=90, tolerance=1, tolerance_kind="pct"), "points.*percent"),
    (dict(target=90), "needs bands, or a target and a tolerance"),
    (dict(tolerance=5), "needs bands, or a target and a tolerance"),
    (dict(polarity="up", target=1, tolerance=1), "polarity"),
    (dict(target="ninety", tolerance=1), "ninety"),
    (dict(target=90, tolerance=5, escalation=(0, 1)), "failure_after >= 1"),
    (dict(target=90, tolerance=5, escalation="soon"), "escalation"),
    (dict(target=90, tolerance=5, states={"in place": "green"}), "states are for status KPIs"),
])
def test_kpi_construction_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        KPI("X", **kwargs)


def test_kpi_needs_a_ref():
    with pytest.raises(InputError, match="ref"):
        KPI("  ", target=90, tolerance=5)


# ---- status KPIs ----------------------------------------------------------------

@pytest.fixture(scope="module")
def status_kpis():
    iass1 = KPI("IASS1", unit="status",
                states={"In place": "green", "not in place": "RED"})
    iass3 = KPI("IASS3", unit="status", states={
        "produced and provided": "green", "produced but not provided": "amber",
        "not produced or provided": "red"})
    return iass1, iass3


def test_status_kpis_score_their_states(status_kpis):
    iass1, iass3 = status_kpis
    assert iass1.is_status and iass3.is_status
    assert iass1.score("in place") is RAG.GREEN
    assert iass1.score("  IN PLACE ") is RAG.GREEN
    assert iass1.score("Not In Place") is RAG.RED
    assert iass3.score("Produced and provided") is RAG.GREEN
    assert iass3.score("produced but NOT provided") is RAG.AMBER
    assert iass3.score("not produced or provided") is RAG.RED
    assert iass3.score(None) is None


def test_unknown_state_lists_the_allowed_ones(status_kpis):
    _, iass3 = status_kpis
    with pytest.raises(InputError) as info:
        iass3.score("late")
    message = str(info.value)
    assert "IASS3" in message and "'late'" in message
    for label in ("produced and provided", "produced but not provided",
                  "not produced or provided"):
        assert label in message


def test_status_kpi_misuse(status_kpis):
    iass1, _ = status_kpis
    with pytest.raises(TypeError, match="status KPI"):
        iass1.score(1)
    with pytest.raises(InputError, match="no rates"):
        iass1.score_rates([1], [1])
    with pytest.raises(InputError, match="compare ratings"):
        iass1.direction(1, 2)
    with pytest.raises(InputError, match="needs states"):
        KPI("IASS1", unit="status")
    with pytest.raises(InputError, match="not by bands"):
        KPI("IASS1", unit="yes/no", states={"yes": "green"}, bands="Green = 1")
    with pytest.raises(InputError, match="given twice"):
        KPI("IASS1", unit="status", states={"In place": "green", "in place": "red"})
    with pytest.raises(InputError, match="rating 'purple'"):
        KPI("IASS1", unit="status", states={"In place": "purple"})


# ---- rates --------------------------------------------------------------------

def test_score_rates_are_exact(iass2):
    out = iass2.score_rates([4, 0, 9, 8, 1, 0, 7999, 8001], [5, 0, 10, 10, 1, 3, 10000, 10000])
    assert out.dtype == object
    assert out.tolist() == [RAG.RED, None, RAG.GREEN, RAG.RED, RAG.GREEN, RAG.RED,
                            RAG.RED, RAG.AMBER]
    # Exactly 80 and a hair above it, beyond what a float can tell apart.
    assert iass2.score_rates([8 * 10**15, 8 * 10**15 + 1], [10**16, 10**16]).tolist() == [
        RAG.RED, RAG.AMBER]
    third = no_warning("T", bands=[
        {"rag": "red", "upper": Fraction(100, 3), "upper_inclusive": True},
        {"rag": "green", "lower": Fraction(100, 3), "lower_inclusive": False}])
    assert third.score_rates([1, 2, 333333], [3, 6, 1000000]).tolist() == [
        RAG.RED, RAG.RED, RAG.RED]
    assert third.score_rates([333334], [1000000]).tolist() == [RAG.GREEN]


def test_score_rates_scale_and_errors(iass2):
    assert iass2.score_rates([45], [50], scale=100).tolist() == [RAG.GREEN]
    assert iass2.score_rates([45], [50], scale=1).tolist() == [RAG.RED]
    with pytest.raises(InputError, match="outside every band"):
        iass2.score_rates([6], [5])
    with pytest.raises(InputError, match="negative"):
        iass2.score_rates([1], [-5])
    with pytest.raises(InputError, match="same length"):
        iass2.score_rates([1, 2], [5])
    with pytest.raises(InputError, match="scale"):
        iass2.score_rates([1], [5], scale=0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=30))
def test_score_rates_equal_scoring_each_fraction(pairs):
    kpi = quiet("IASS2", target=90, bands="Green = 90% or above, Amber = 80-90%, "
                                          "Red = 80% or below")
    pairs = [(min(n, d), d) for n, d in pairs]
    got = kpi.score_rates([n for n, _ in pairs], [d for _, d in pairs])
    want = [None if d == 0 else kpi.score(Fraction(100 * n, d)) for n, d in pairs]
    assert got.tolist() == want


# ---- direction and escalation -------------------------------------------------

def test_direction_by_polarity():
    higher = no_warning("H", target=90, tolerance=5)
    lower = no_warning("L", polarity="lower", target=22, tolerance=3)
    assert higher.direction(85, 80) == "improving"
    assert higher.direction(80, 85) == "worsening"
    assert lower.direction(20, 25) == "improving"       # a falling rate
    assert lower.direction(25, 20) == "worsening"
    assert higher.direction("80.10", Decimal("80.1")) == "unchanged"
    assert lower.direction(Fraction(1, 3), "0.3333333333") == "worsening"
    assert higher.direction(None, 80) is None and higher.direction(80, None) is None


@pytest.mark.parametrize("ratings, want", [
    ([], []),
    (["green", "amber", "green"], ["none", "none", "none"]),
    (["green", "red", "red", "amber", "red"],
     ["none", "performance_failure", "rectification_plan", "none", "performance_failure"]),
    (["red", "red", "red"], ["performance_failure", "rectification_plan", "rectification_plan"]),
    # A missing period neither resolves a failure nor adds to it.
    (["red", None, "red", "green", None],
     ["performance_failure", "no_data", "rectification_plan", "none", "no_data"]),
    ([RAG.RED, RAG.GREEN], ["performance_failure", "none"]),
])
def test_escalation_default_rule(ratings, want):
    kpi = no_warning("X", target=90, tolerance=5)
    assert kpi.escalation == (1, 1)
    assert kpi.escalate(ratings) == want


@pytest.mark.parametrize("ratings, want", [
    (["red"] * 6,
     ["out_of_tolerance", "performance_failure", "performance_failure",
      "rectification_plan", "rectification_plan", "rectification_plan"]),
    (["red", "amber", "red", "red", "green", "red"],
     ["out_of_tolerance", "none", "out_of_tolerance", "performance_failure", "none",
      "out_of_tolerance"]),
    (["red", "red", None, "red", "red"],
     ["out_of_tolerance", "performance_failure", "no_data", "performance_failure",
      "rectification_plan"]),
    (["amber"] * 4, ["none"] * 4),
])
def test_escalation_custom_rule(ratings, want):
    kpi = no_warning("X", target=90, tolerance=5, escalation=(2, 2))
    assert kpi.escalate(ratings) == want


def test_escalation_rule_three_two():
    kpi = no_warning("X", target=90, tolerance=5, escalation=(3, 2))
    assert kpi.escalate(["red"] * 6) == [
        "out_of_tolerance", "out_of_tolerance", "performance_failure",
        "performance_failure", "rectification_plan", "rectification_plan"]
    with pytest.raises(ValueError):
        kpi.escalate(["purple"])


# ---- KPI files -----------------------------------------------------------------

def test_load_iass_kpis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        kpis = apportion.load_kpis(ROOT / "examples" / "iass-kpis.json")
    assert list(kpis) == ["IASS1", "IASS2", "IASS3"]
    iass1, iass2, iass3 = kpis.values()
    assert iass1.unit == "status" and iass1.frequency == "annual"
    assert iass1.score("In Place") is RAG.GREEN and iass1.score("not in place") is RAG.RED
    assert iass3.score("produced but not provided") is RAG.AMBER
    assert iass2.target == 90 and iass2.frequency == "quarterly"
    assert iass2.bands_text == IASS2_TEXT
    assert iass2.bands == quiet("IASS2", target=90, bands=IASS2_TEXT).bands
    assert "80 < Amber < 90" in iass2.warning
    assert [iass2.score(v) for v in (79.99, 80, 80.01, 89.99, 90, 100)] == [
        RAG.RED, RAG.RED, RAG.AMBER, RAG.AMBER, RAG.GREEN, RAG.GREEN]
    assert iass2.escalation == (1, 1)


def test_load_nct_kpis():
    kpis = apportion.load_kpis(str(ROOT / "examples" / "nct-kpis.json"))
    assert len(kpis) == 7
    ref = kpis["NCT-REF-DECISION"]
    assert (ref.target, ref.tolerance, ref.tolerance_kind, ref.escalation) == (90, 5, "points", (3, 2))
    assert [ref.score(v) for v in (84.99, 85, 90)] == [RAG.RED, RAG.AMBER, RAG.GREEN]
    assess = kpis["NCT-ASSESS-45WD"]
    # 85 less 10% of 85 is 76.5.
    assert [assess.score(v) for v in ("76.49", "76.5", 85)] == [RAG.RED, RAG.AMBER, RAG.GREEN]
    rereferral = kpis["NCT-REREFERRAL-12M"]
    assert rereferral.polarity == "lower"
    assert [rereferral.score(v) for v in (22, "22.01", "27.5", "27.51")] == [
        RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]
    assert rereferral.direction(20, 22) == "improving"
    complaints = kpis["NCT-COMPLAINTS-10WD"]
    assert complaints.escalation == (2, 1)
    assert complaints.escalate(["red", "red", "red"]) == [
        "out_of_tolerance", "performance_failure", "rectification_plan"]
    cic = kpis["NCT-CIC-3PLACEMENTS"]
    assert [cic.score(v) for v in (10, "10.01", 12, "12.01")] == [
        RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]
    assert "10" in cic.warning
    adoption = kpis["NCT-ADOPTION-A10"]
    assert adoption.unit == "days"
    assert [adoption.score(v) for v in (426, 427, 486, 487)] == [
        RAG.GREEN, RAG.AMBER, RAG.AMBER, RAG.RED]


def test_parse_kpis_equals_load_kpis():
    text = (ROOT / "examples" / "nct-kpis.json").read_text(encoding="utf-8")
    parsed = apportion.parse_kpis(text)
    loaded = apportion.load_kpis(ROOT / "examples" / "nct-kpis.json")
    assert list(parsed) == list(loaded)
    for ref in parsed:
        assert parsed[ref].bands == loaded[ref].bands
        assert parsed[ref].escalation == loaded[ref].escalation


def test_kpi_measure_is_read(tmp_path):
    doc = json.loads(_doc())
    doc["kpis"].append({"ref": "B", "polarity": "higher", "bands": IASS2_TEXT,
                        "measure": "responded_within_3_working_days"})
    path = tmp_path / "kpis.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        kpis = apportion.load_kpis(path)
    assert kpis["A"].measure is None
    assert kpis["B"].measure == "responded_within_3_working_days"
    assert quiet("C", bands=IASS2_TEXT, measure="m").measure == "m"
    assert quiet("C", bands=IASS2_TEXT).measure is None
    with pytest.raises(InputError, match="measure"):
        quiet("C", bands=IASS2_TEXT, measure="")


def _location(text, needle):
    """1-based line and column of the first character of needle."""
    at = text.index(needle)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, column


def _doc(**kpi):
    base = {"ref": "A", "polarity": "higher", "target": 90,
            "tolerance": {"value": 5, "kind": "points"}}
    base.update(kpi)
    return json.dumps({"format": "apportion.kpis/1", "kpis": [base]}, indent=2)


@pytest.mark.parametrize("text, path, needle, skip", [
    (_doc(polarity="sideways"), "$.kpis[0].polarity", '"sideways"', 0),
    (_doc(target="ninety"), "$.kpis[0].target", '"ninety"', 0),
    (_doc(frequency="daily"), "$.kpis[0].frequency", '"daily"', 0),
    (_doc(tolerance={"value": 5, "kind": "pct"}), "$.kpis[0].tolerance.kind", '"pct"', 0),
    (_doc(escalation={"failure_after": 0, "rectification_after": 1}),
     "$.kpis[0].escalation.failure_after", '"failure_after": 0', len('"failure_after": ')),
    (_doc(bands="Green = 90-100%, Amber = 70-80%, Red = below 70"), "$.kpis[0].bands",
     '"Green', 0),
    (_doc(measure=""), "$.kpis[0].measure", '"measure": ""', len('"measure": ')),
    (_doc(measure=3), "$.kpis[0].measure", '"measure": 3', len('"measure": ')),
])
def test_parse_kpis_errors_locate_the_value(text, path, needle, skip):
    with pytest.raises(PlanError) as info:
        apportion.parse_kpis(text)
    err = info.value
    assert err.path == path
    line, column = _location(text, needle)
    assert (err.line, err.column) == (line, column + skip)
    assert path in str(err) and f":{line}:{column + skip}:" in str(err)
    assert isinstance(err, apportion.ApportionError) and isinstance(err, ValueError)


def test_parse_kpis_invalid_json_and_source():
    with pytest.raises(PlanError) as info:
        apportion.parse_kpis("{", source="kpis.json")
    assert str(info.value).startswith("kpis.json:1:")
    assert info.value.line == 1


def test_load_kpis_error_names_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_doc(unit="hours"), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        apportion.load_kpis(path)
    assert info.value.path == "$.kpis[0].unit"
    assert "bad.json" in str(info.value)


def test_parse_kpis_reader_only_rules():
    doc = json.loads(_doc())
    doc["kpis"].append(dict(doc["kpis"][0]))
    with pytest.raises(PlanError, match="used by") as info:
        apportion.parse_kpis(json.dumps(doc))
    assert info.value.path == "$.kpis[1].ref"


# ---- properties -------------------------------------------------------------------

CENTS = st.integers(1, 9999)


def _text(cents):
    return str(Decimal(cents) / 100)


#: Wordings of three bands with boundaries a < b; for each, the rating of
#: a and of b themselves, as the wording reads.
HIGHER_TEXTS = [
    ("Green = {b}% or above, Amber = {a}-{b}%, Red = below {a}%", "amber", "green"),
    ("Green = {b}-100%, Amber = {a}-{b}%, Red = {a}% or below", "red", "green"),
    ("Red = under {a}; Amber = {a} to {b}; Green = at least {b}", "amber", "green"),
    ("Green >= {b}, Amber = between {a} and {b}, Red < {a}", "amber", "green"),
    ("Green = more than {b}, Amber = {a} - {b}, Red = less than {a}", "amber", "amber"),
    ("Green: over {b}%, Amber: {a}-{b}%, Red: {a}% or less", "red", "amber"),
    ("Green = {b}-100%, Amber = {a}-{b}%, Red = 0-{a}%", "amber", "green"),
]
LOWER_TEXTS = [
    ("Green = {a}% or below, Amber = {a}-{b}%, Red = over {b}%", "green", "amber"),
    ("Green = below {a}, Amber = {a} to {b}, Red = more than {b}", "amber", "amber"),
    ("Green <= {a}; Amber = {a}-{b}; Red > {b}", "green", "amber"),
    ("Red = {b}% or more, Amber = {a}-{b}%, Green = under {a}%", "amber", "red"),
    ("Green = 0-{a}%, Amber = {a}-{b}%, Red = over {b}%", "green", "amber"),
    ("Green = 0-{a}%, Amber = {a}-{b}%, Red = {b}-100%", "green", "amber"),
]


def boundaries():
    return st.tuples(CENTS, CENTS).filter(lambda t: t[0] != t[1]).map(sorted)


def values_near(points):
    """Exact values in [0, 100]: the boundaries, just either side, and
    anywhere between."""
    near = [p + d for p in points for d in (Fraction(0), Fraction(1, 100),
                                           Fraction(-1, 100), Fraction(1, 10**6))]
    near = [v for v in near if 0 <= v <= 100]
    return st.one_of(st.sampled_from(near),
                     st.fractions(min_value=0, max_value=100, max_denominator=1000))


def expected_from_text(polarity, a, b, at_a, at_b, x):
    if x == a:
        return RAG(at_a)
    if x == b:
        return RAG(at_b)
    inner = RAG.AMBER if a < x < b else None
    if polarity == "higher":
        return inner or (RAG.GREEN if x > b else RAG.RED)
    return inner or (RAG.RED if x > b else RAG.GREEN)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from(["higher", "lower"]), boundaries())
def test_wording_is_read_as_written(data, polarity, ab):
    texts = HIGHER_TEXTS if polarity == "higher" else LOWER_TEXTS
    template, at_a, at_b = data.draw(st.sampled_from(texts))
    a, b = (Fraction(c, 100) for c in ab)
    text = template.format(a=_text(ab[0]), b=_text(ab[1]))
    kpi = KPI("X", polarity=polarity, bands=text, warn=False)
    for _ in range(10):
        x = data.draw(values_near([a, b]))
        assert kpi.score(x) is expected_from_text(polarity, a, b, at_a, at_b, x), (text, x)


def band_holding(bands, x):
    holding = [b for b in bands
               if (b.lower is None or b.lower < x or (b.lower_inclusive and b.lower == x))
               and (b.upper is None or x < b.upper or (b.upper_inclusive and b.upper == x))]
    assert len(holding) == 1, (bands, x)
    return holding[0].rag


@st.composite
def explicit_kpis(draw):
    polarity = draw(st.sampled_from(["higher", "lower"]))
    a, b = (Fraction(c, 100) for c in draw(boundaries()))
    three = draw(st.booleans())
    worst, best = (RAG.RED, RAG.GREEN) if polarity == "higher" else (RAG.GREEN, RAG.RED)
    in_low, in_high = draw(st.booleans()), draw(st.booleans())
    form = draw(st.sampled_from([str, Fraction, Decimal, "band"]))

    def num(x):
        if form is Decimal:
            return Decimal(x.numerator) / Decimal(x.denominator)
        return _text(int(x * 100)) if form is str else x

    def band(rag, lower=None, lower_inc=False, upper=None, upper_inc=False):
        if form == "band":
            return Band(rag, lower, lower_inc, upper, upper_inc)
        d = {"rag": rag.value}
        if lower is not None:
            d.update(lower=num(lower), lower_inclusive=lower_inc)
        if upper is not None:
            d.update(upper=num(upper), upper_inclusive=upper_inc)
        return d

    if three:
        bands = [band(worst, upper=a, upper_inc=in_low),
                 band(RAG.AMBER, a, not in_low, b, in_high),
                 band(best, lower=b, lower_inc=not in_high)]
    else:
        bands = [band(worst, upper=a, upper_inc=in_low),
                 band(best, lower=a, lower_inc=not in_low)]
    bands = draw(st.permutations(bands))
    return KPI("X", polarity=polarity, bands=list(bands)), [a, b]


@st.composite
def tolerance_kpis(draw):
    polarity = draw(st.sampled_from(["higher", "lower"]))
    target = Fraction(draw(st.integers(1, 10000)), 100)
    tolerance = Fraction(draw(st.integers(0, 5000)), 100)
    kind = draw(st.sampled_from(["points", "percent"]))
    kpi = KPI("X", polarity=polarity, target=_text(int(target * 100)),
              tolerance=Decimal(_text(int(tolerance * 100))), tolerance_kind=kind)
    width = tolerance if kind == "points" else target * tolerance / 100
    edge = target - width if polarity == "higher" else target + width
    return kpi, [target, edge]


@st.composite
def text_kpis(draw):
    polarity = draw(st.sampled_from(["higher", "lower"]))
    texts = HIGHER_TEXTS if polarity == "higher" else LOWER_TEXTS
    template, _, _ = draw(st.sampled_from(texts))
    ab = draw(boundaries())
    kpi = KPI("X", polarity=polarity, warn=False,
              bands=template.format(a=_text(ab[0]), b=_text(ab[1])))
    return kpi, [Fraction(c, 100) for c in ab]


@settings(max_examples=200, deadline=None)
@given(st.data(), explicit_kpis())
def test_explicit_bands_score_the_band_holding_the_value(data, made):
    kpi, points = made
    assert kpi.warning == ""
    for _ in range(10):
        x = data.draw(values_near(points))
        assert kpi.score(x) is band_holding(kpi.bands, x)


@settings(max_examples=200, deadline=None)
@given(st.data(), tolerance_kpis())
def test_tolerance_bands_follow_the_definition(data, made):
    kpi, (target, edge) = made
    for _ in range(10):
        x = data.draw(st.one_of(
            st.sampled_from([target, edge, target + Fraction(1, 10**4),
                             target - Fraction(1, 10**4), edge + Fraction(1, 10**4),
                             edge - Fraction(1, 10**4)]),
            st.fractions(min_value=-200, max_value=300, max_denominator=1000)))
        if kpi.polarity == "higher":
            want = RAG.GREEN if x >= target else RAG.AMBER if x >= edge else RAG.RED
        else:
            want = RAG.GREEN if x <= target else RAG.AMBER if x <= edge else RAG.RED
        assert kpi.score(x) is want, (kpi, x)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.one_of(text_kpis(), explicit_kpis(), tolerance_kpis()))
def test_a_worse_value_never_scores_better(data, made):
    kpi, points = made
    covered = [v for v in points if 0 <= v <= 100]
    x = data.draw(values_near(covered))
    y = data.draw(values_near(covered))
    worse, better = (min(x, y), max(x, y)) if kpi.polarity == "higher" else (max(x, y), min(x, y))
    assert RANK[kpi.score(worse)] <= RANK[kpi.score(better)], (kpi, worse, better)
    if worse != better:
        assert kpi.direction(better, worse) == "improving"
        assert kpi.direction(worse, better) == "worsening"
