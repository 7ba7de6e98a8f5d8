"""KPI results in the store: recording scorecards (idempotent, superseding
with a trail, all or nothing), reading the history back, and escalation
across runs, on SQLite and PostgreSQL alike."""

import json
import warnings
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

import apportion
import apportion.store
from apportion import KPI, AmbiguousBandsWarning
from apportion.errors import InputError, StoreError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MONTHS = [f"{y}-{m:02d}" for y, m in
          [(2021, m) for m in range(4, 13)] + [(2022, m) for m in range(1, 4)]]
# Referrals answered in time, of 20, April 2021 to March 2022 (made up):
# NNC goes Red for three months twice, WNC for five months in a row.
NUMERATORS = {"NNC": [19, 18, 15, 14, 15, 17, 19, 19, 14, 15, 15, 19],
              "WNC": [18, 16, 16, 16, 16, 16, 18, 18, 18, 15, 18, 18]}



def load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        return apportion.load_kpis(EXAMPLES / name)


def iass2():
    return load("iass-kpis.json")["IASS2"]


def year(ref="IASS2", months=MONTHS):
    rows = [(ref, g, m, NUMERATORS[g][MONTHS.index(m)], 20)
            for g in NUMERATORS for m in months]
    return pd.DataFrame(rows, columns=["kpi", "group", "period", "numerator",
                                       "denominator"])


def listed(column):
    """A column as a list, None for each missing value (NaN or None)."""
    return [None if pd.isna(x) else x for x in column]


def test_done_when(store_url):
    """Issue 18's example: scorecard(kpi, values, store=s) records the
    results; recording them again changes nothing; history is one row per
    (kpi, group, period)."""
    kpi = iass2()
    values = year(months=MONTHS[:3])
    with apportion.store.open(store_url) as s:
        card = apportion.scorecard(kpi, values, store=s)
        assert len(card.frame) == 6
        first = s.history(kpi="IASS2")
        trail = s.imports()
        again = apportion.scorecard(kpi, values, store=s)
        pd.testing.assert_frame_equal(card.frame, again.frame)
        pd.testing.assert_frame_equal(s.history(kpi="IASS2"), first)
        pd.testing.assert_frame_equal(s.imports(), trail)
        assert len(trail) == 1 and trail["kind"].tolist() == ["kpi"]
    assert {"kpi", "group", "period", "numerator", "denominator", "rag"} <= set(first.columns)
    assert not first.duplicated(["kpi", "group", "period"]).any()
    assert [str(p) for p in first["period"]] == MONTHS[:3] * 2
    assert isinstance(first["period"].iloc[0], pd.Period)
    assert first["group"].tolist() == ["NNC"] * 3 + ["WNC"] * 3
    assert first["numerator"].tolist() == [19, 18, 15, 18, 16, 16]
    assert first["denominator"].tolist() == [20] * 6
    assert first["rag"].tolist() == ["green", "green", "red", "green", "red", "red"]
    assert first["value_exact"].tolist() == [Fraction(95), Fraction(90), Fraction(75),
                                             Fraction(90), Fraction(80), Fraction(80)]


def test_band_definition_and_rule_are_stored(store_url):
    kpi = iass2()
    nct = load("nct-kpis.json")["NCT-REF-DECISION"]
    own = KPI("OWN", target=90, tolerance=5, escalation=(2, 1))
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi, year(months=MONTHS[:1]), store=s)
        apportion.scorecard(nct, year("NCT-REF-DECISION", MONTHS[:1]), store=s)
        apportion.scorecard(own, year("OWN", MONTHS[:1]), store=s)
        h = s.history().set_index(["kpi", "group"])
    row = h.loc[("IASS2", "NNC")]
    bands = json.loads(row["bands"])
    assert bands["text"] == "Green = 90-100%, Amber = 80-90%, Red = 80% or below"
    assert bands["target"] == [90, 1] and bands["polarity"] == "higher"
    assert {"rag": "red", "lower": None, "lower_inclusive": False,
            "upper": [80, 1], "upper_inclusive": True} in bands["bands"]
    assert (row["failure_after"], row["rectification_after"], row["rule_basis"]) == \
        (1, 1, "assumption")
    assert "gives no escalation rule" in row["rule_note"]
    row = h.loc[("NCT-REF-DECISION", "NNC")]
    assert (row["failure_after"], row["rectification_after"], row["rule_basis"]) == \
        (3, 2, "assumption")
    assert "escalation figures are illustrative" in row["rule_note"]
    row = h.loc[("OWN", "NNC")]
    assert (row["failure_after"], row["rectification_after"], row["rule_basis"]) == \
        (2, 1, "contract")
    assert json.loads(row["bands"])["tolerance"] == [5, 1]


def test_a_changed_return_supersedes_and_both_stay(store_url, tmp_path):
    kpi = iass2()
    first_file, second_file = tmp_path / "may.csv", tmp_path / "may-revised.csv"
    first_file.write_text("first\n")
    second_file.write_text("revised\n")
    values = year(months=MONTHS[:2])
    with apportion.store.open(store_url) as s:
        card = apportion.scorecard(kpi, values, title="IASS2", store=s)
        s.record_scorecard(card, file=first_file)   # the same again: no change
        assert len(s.imports()) == 1
        revised = values.copy()
        revised.loc[(revised["group"] == "WNC") & (revised["period"] == MONTHS[1]),
                    "numerator"] = 19
        changed = apportion.scorecard(kpi, revised, source="revised return")
        recorded = s.record_scorecard(changed, file=second_file)
        assert (recorded.added, recorded.superseded, recorded.unchanged) == (0, 1, 3)
        trail = s.imports()
        now = s.history()
        every = s.history(superseded=True)
    assert len(trail) == 2 and recorded.import_id == trail["id"].iloc[1]
    assert trail["file"].iloc[1] == str(second_file)
    assert trail["source"].iloc[1] == "revised return"
    assert len(now) == 4 and len(every) == 5
    wnc_may = every[(every["group"] == "WNC") & (every["period"].astype(str) == MONTHS[1])]
    assert wnc_may["numerator"].tolist() == [16, 19]
    assert wnc_may["rag"].tolist() == ["red", "green"]
    assert wnc_may["superseded_by"].tolist() == [trail["id"].iloc[1], pd.NA]
    assert wnc_may["import_id"].tolist() == trail["id"].tolist()
    assert now.loc[(now["group"] == "WNC") & (now["period"].astype(str) == MONTHS[1]),
                   "numerator"].tolist() == [19]


def test_a_bad_row_in_the_middle_leaves_the_store_unchanged(store_url, monkeypatch):
    # One row a round of statements, so the rows before the bad one are
    # written in the transaction before it fails.
    monkeypatch.setattr(apportion.store._kpi, "_CHUNK", 1)
    kpi = iass2()
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi, year(months=MONTHS[:3]), store=s)
        before, trail = s.history(superseded=True), s.imports()
        # A revised May for NNC, a new June, and between them a row whose
        # period has no year: nothing of it may land.
        bad = pd.DataFrame({"kpi": "IASS2", "group": "NNC",
                            "period": [pd.Period(MONTHS[1]), "Q3", pd.Period(MONTHS[3])],
                            "numerator": [10, 19, 19], "denominator": [20, 20, 20]})
        card = apportion.scorecard(kpi, bad)
        with pytest.raises(InputError, match=r"table kpi_results: KPI IASS2 NNC: period 'Q3'.*with its year"):
            s.record_scorecard(card)
        pd.testing.assert_frame_equal(s.history(superseded=True), before)
        pd.testing.assert_frame_equal(s.imports(), trail)
        # A number the store's 64-bit columns cannot hold, after good rows.
        huge = card.frame.reset_index()
        huge["period"] = [pd.Period(m) for m in MONTHS[1:4]]
        huge.loc[2, "numerator"] = 2**62
        huge.loc[2, "denominator"] = 1
        card.frame = huge.set_index(["kpi", "group", "period"])
        with pytest.raises(StoreError, match=r"table kpi_results: KPI IASS2 NNC 2021-07: value's numerator \d+ does not fit"):
            s.record_scorecard(card)
        pd.testing.assert_frame_equal(s.history(superseded=True), before)
        pd.testing.assert_frame_equal(s.imports(), trail)


@pytest.mark.parametrize("ref", ["IASS2", "NCT-REF-DECISION"])
def test_twelve_monthly_runs_escalate_as_one_run_over_the_year(store_url, ref):
    kpi = iass2() if ref == "IASS2" else load("nct-kpis.json")[ref]
    whole = apportion.scorecard(kpi, year(ref)).frame.reset_index()
    whole["period"] = whole["period"].astype(str)
    monthly = []
    with apportion.store.open(store_url) as s:
        for month in MONTHS:
            card = apportion.scorecard(kpi, year(ref, [month]), store=s)
            monthly.append(card.frame.reset_index())
        history = s.escalations(kpi=ref)
        march = s.scorecard(MONTHS[-1])
        assert len(s.imports()) == 12
    runs = pd.concat(monthly).sort_values(["group", "period"]).reset_index(drop=True)
    runs["period"] = runs["period"].astype(str)
    for column in ("rag", "direction", "escalation"):
        assert listed(runs[column]) == listed(whole[column]), column
    assert history["escalation"].tolist() == whole["escalation"].tolist()
    assert listed(history["direction"]) == listed(whole["direction"])
    assert [str(p) for p in history["period"]] == whole["period"].tolist()
    # The year does escalate: a Performance Failure, and a Rectification
    # Plan in the five-month run.
    assert "performance_failure" in whole["escalation"].tolist()
    assert "rectification_plan" in whole["escalation"].tolist()
    wnc = history[history["group"] == "WNC"]
    assert wnc["consecutive_red"].tolist()[:7] == [0, 1, 2, 3, 4, 5, 0]
    assert march["group"].tolist() == ["NNC", "WNC"]
    assert march["escalation"].tolist() == whole[whole["period"] == MONTHS[-1]][
        "escalation"].tolist()


def test_an_earlier_month_recorded_late_counts_in_its_place(store_url):
    """A lane's periods are ordered by date, whatever the order they were
    recorded in."""
    kpi = iass2()
    whole = apportion.scorecard(kpi, year()).frame.reset_index()
    with apportion.store.open(store_url) as s:
        for month in MONTHS[6:] + MONTHS[:6]:
            apportion.scorecard(kpi, year(months=[month]), store=s)
        history = s.escalations()
    assert history["escalation"].tolist() == whole["escalation"].tolist()


def test_history_filters(store_url):
    kpi = iass2()
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi, year(), store=s)
        assert len(s.history()) == 24
        assert len(s.history(group="WNC")) == 12
        assert len(s.history(kpi="IASS1")) == 0
        since = s.history(since="2021-10", until=pd.Period("2021-12"))
        assert sorted({str(p) for p in since["period"]}) == MONTHS[6:9]
        only = s.scorecard("2021-06", kpis="IASS2")
        assert only["numerator"].tolist() == [15, 16]
        assert only["direction"].tolist() == ["worsening", "unchanged"]
        assert len(s.scorecard("2020-01")) == 0


def test_status_and_plain_values(store_url):
    kpis = load("iass-kpis.json")
    status = pd.DataFrame({"kpi": "IASS3", "period": ["2021Q2", "2021Q3"],
                           "value": ["produced and provided", "not produced or provided"]})
    days = KPI("DAYS", unit="days", polarity="lower", target=20, tolerance=5,
               frequency="monthly")
    plain = pd.DataFrame({"kpi": "DAYS", "period": ["2021-04-30", "2021-05-31"],
                          "value": [18.5, Fraction(80, 3)]})
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpis, status, store=s)
        apportion.scorecard(days, plain, store=s)
        h = s.history().set_index("kpi")
        e = s.escalations(kpi="IASS3")
    assert h.loc["IASS3", "state"].tolist() == ["produced and provided",
                                                "not produced or provided"]
    assert [str(p) for p in h.loc["IASS3", "period"]] == ["2021Q2", "2021Q3"]
    assert h.loc["IASS3", "rag"].tolist() == ["green", "red"]
    assert e["escalation"].tolist() == ["none", "performance_failure"]
    assert [str(p) for p in h.loc["DAYS", "period"]] == ["2021-04", "2021-05"]
    assert h.loc["DAYS", "value_exact"].tolist() == [Fraction(37, 2), Fraction(80, 3)]
    assert h.loc["DAYS", "rag"].tolist() == ["green", "red"]


def test_periods_the_store_cannot_date(store_url):
    kpi = iass2()
    values = pd.DataFrame({"kpi": "IASS2", "period": ["Q1"], "numerator": [9],
                           "denominator": [10]})
    with apportion.store.open(store_url) as s:
        with pytest.raises(InputError, match="period 'Q1' is not a period"):
            apportion.scorecard(kpi, values, store=s)
        assert len(s.imports()) == 0


def test_service_area_score_records(store_url):
    area = apportion.service_area("IASS")
    ref = next(r for r, k in area.kpis.items() if k.measure)
    records = pd.read_csv(EXAMPLES / "iass-referrals-2021-22.csv",
                          parse_dates=["received", "responded"])
    records["month"] = records["received"].dt.to_period("M")
    with apportion.store.open(store_url) as s:
        card = area.score(ref, records, by=["authority", "month"],
                          as_of="2022-03-31", store=s)
        history = s.history(kpi=ref)
        again = area.score(ref, records, by=["authority", "month"],
                           as_of="2022-03-31", store=s)
        assert len(s.imports()) == 1
    assert len(history) == len(card.frame) > 0
    assert history["numerator"].tolist() == card.frame["numerator"].tolist()
    assert again.frame["escalation"].tolist() == card.frame["escalation"].tolist()


def test_periods_of_different_lengths_in_a_lane_are_refused(store_url):
    """A KPI with no frequency reads a whole date as a day; beside stored
    months it cannot be put in order, so the scorecard refuses it (naming
    the lane and the lengths) rather than escalate out of order, and the
    store is unchanged."""
    kpi = KPI("IASS2", target=90, warn=False,
              bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
    months = pd.DataFrame({"kpi": "IASS2", "period": ["2021-04", "2021-05"],
                           "numerator": [7, 7], "denominator": [10, 10]})
    june = pd.DataFrame({"kpi": "IASS2", "period": ["2021-06-01"],
                         "numerator": [7], "denominator": [10]})
    with apportion.store.open(store_url) as s:
        apportion.scorecard(kpi, months, store=s)
        before, trail = s.history(), s.imports()
        with pytest.raises(InputError, match=r"KPI IASS2: periods of different "
                                             r"lengths in one lane \(D, M\)"):
            apportion.scorecard(kpi, june, store=s)
        pd.testing.assert_frame_equal(s.history(), before)
        pd.testing.assert_frame_equal(s.imports(), trail)
