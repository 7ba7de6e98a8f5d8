"""The old call forms and names of the public API, kept one release.

Options after the first two or three arguments became keyword-only in
apportion 0.2, and the DataFrame-returning methods of ledgers took the
names of the rule (``to_frame()`` for the main table, ``<view>_frame()``
for the others).  Each old form must still work, warn with a
DeprecationWarning that points at the caller, and answer exactly as the new
form does.
"""

import datetime
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import apportion
from apportion import KPI, CostScenario, Ledger, forecast
from apportion import plugin as plugin_module

SPLIT = {"NNC": "44.16", "WNC": "55.84"}


def same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def old_and_new(old, new, match):
    """Calls old (which must warn, naming this file as the caller) and new
    (which must not warn) and returns both results."""
    with pytest.warns(DeprecationWarning, match=match) as record:
        got = old()
    assert any(w.filename == __file__ for w in record), \
        [w.filename for w in record]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        want = new()
    return got, want


# ---- keyword-only options ------------------------------------------------

def test_format_money_options_by_position():
    got, want = old_and_new(
        lambda: apportion.format_money(-354000000, "£", 0, "brackets", True, False),
        lambda: apportion.format_money(-354000000, "£", decimals=0,
                                       negative="brackets", symbol=True,
                                       grouping=False),
        r"passing decimals, negative, symbol, grouping to format_money\(\)")
    assert got == want == "(£3540000)"


def test_recharge_schedule_options_by_position():
    got, want = old_and_new(
        lambda: apportion.recharge_schedule(21165400, 4, "pounds"),
        lambda: apportion.recharge_schedule(21165400, 4, equal_part="pounds"),
        "passing equal_part to recharge_schedule")
    assert got == want == [5291400, 5291400, 5291400, 5291200]


def test_kpi_options_by_position():
    bands = "Green = 90-100%, Amber = 80-90%, Red = 80% or below"
    got, want = old_and_new(
        lambda: KPI("IASS2", "in time", "%", "higher", 90, bands, warn=False),
        lambda: KPI("IASS2", "in time", "%", polarity="higher", target=90,
                    bands=bands, warn=False),
        r"passing polarity, target, bands to KPI.__init__\(\)")
    assert repr(got) == repr(want)
    assert got.target == want.target == 90
    assert got.score(80) == want.score(80) == apportion.RAG.RED


RECEIVED = np.array(["2024-03-01", "2024-03-04", "2024-03-05", "2024-03-05"],
                    dtype="datetime64[D]")
RESPONDED = np.array(["2024-03-04", "2024-03-12", "NaT", "2024-03-06"],
                     dtype="datetime64[D]")
TEAM = np.array(["a", "b", "a", "b"], dtype=object)


def test_within_working_days_options_by_position():
    got, want = old_and_new(
        lambda: apportion.within_working_days(RECEIVED, RESPONDED, 3, "scotland",
                                              TEAM, "2024-03-20"),
        lambda: apportion.within_working_days(RECEIVED, RESPONDED, 3,
                                              calendar="scotland", by=TEAM,
                                              as_of="2024-03-20"),
        "passing calendar, by, as_of to within_working_days")
    same(got, want)
    assert got["open_late"].sum() == 1


def test_elapsed_working_days_summary_options_by_position():
    got, want = old_and_new(
        lambda: apportion.elapsed_working_days_summary(RECEIVED, RESPONDED,
                                                       "england-and-wales", TEAM),
        lambda: apportion.elapsed_working_days_summary(
            RECEIVED, RESPONDED, calendar="england-and-wales", by=TEAM),
        "passing calendar, by to elapsed_working_days_summary")
    same(got, want)


def test_rereferrals_options_by_position():
    subjects = [1, 1, 2, 1]
    got, want = old_and_new(
        lambda: apportion.rereferrals(subjects, RECEIVED, None, 1, True),
        lambda: apportion.rereferrals(subjects, RECEIVED, None, window_months=1,
                                      return_flags=True),
        "passing window_months, return_flags to rereferrals")
    same(got, want)
    assert got[1].tolist() == [False, True, False, True]


SERIES = pd.Series([834.0, 936, 993, 1004, 1092, 1123, 1157, 1144],
                   index=range(2014, 2022))
WIDE = np.array([[1.0, 2, 4, 5, 7], [3.0, 3, 2, 2, 1], [0.0, 1, 1, 3, 2]])


def test_linear_trend_options_by_position():
    got, want = old_and_new(
        lambda: forecast.linear_trend(SERIES, None, [2022, 2023], 0.8),
        lambda: forecast.linear_trend(SERIES, None, [2022, 2023], level=0.8),
        "passing level to linear_trend")
    same(got, want)


def test_linear_trend_batch_options_by_position():
    got, want = old_and_new(
        lambda: forecast.linear_trend_batch(WIDE, None, [5, 6], 0.9, 1, False),
        lambda: forecast.linear_trend_batch(WIDE, None, [5, 6], level=0.9,
                                            threads=1, as_frame=False),
        "passing level, threads, as_frame to linear_trend_batch")
    same(got.to_frame(), want.to_frame())


def test_fit_holt_parameters_by_position():
    got, want = old_and_new(
        lambda: forecast.fit_holt(SERIES, 0.8, 0.2),
        lambda: forecast.fit_holt(SERIES, alpha=0.8, beta=0.2),
        "passing alpha, beta to fit_holt")
    assert (got.alpha, got.beta, got.sse) == (want.alpha, want.beta, want.sse) == \
        (0.8, 0.2, want.sse)


def test_holt_options_by_position():
    got, want = old_and_new(
        lambda: forecast.holt(SERIES, 3, 0.8, 0.2, 800, 40, 0.9),
        lambda: forecast.holt(SERIES, 3, alpha=0.8, beta=0.2, initial_level=800,
                              initial_trend=40, level=0.9),
        "passing alpha, beta, initial_level, initial_trend, level to holt")
    same(got, want)


def test_holt_batch_options_by_position():
    got, want = old_and_new(
        lambda: forecast.holt_batch(WIDE, 2, 0.5, 0.1),
        lambda: forecast.holt_batch(WIDE, 2, alpha=0.5, beta=0.1),
        "passing alpha, beta to holt_batch")
    same(got, want)


def scenario(**options):
    return CostScenario([1094.0, 1184.0], 6415000, SPLIT, **options)


def test_cost_scenario_options_by_position():
    got, want = old_and_new(
        lambda: CostScenario([1094.0, 1184.0], 6415000, SPLIT, [0, 0.035],
                             [2025, 2026]),
        lambda: scenario(inflation=[0, 0.035], years=[2025, 2026]),
        r"passing inflation, years to CostScenario.__init__\(\)")
    assert got.same_model(want)
    same(got.project(), want.project())


def test_simulate_options_by_position():
    s = scenario(demand_sd=50.0, inflation=0.03)
    got, want = old_and_new(lambda: s.simulate(50, 7, 10, 1),
                            lambda: s.simulate(50, 7, start=10, threads=1),
                            "passing start, threads to CostScenario.simulate")
    assert got.identical(want)
    assert got.start == 10


def ledger():
    return Ledger(["A", "A", "B"], [1000, 250, 99], period=["Q1", "Q2", "Q1"])


def test_ledger_apportion_options_by_position():
    got, want = old_and_new(
        lambda: ledger().apportion(SPLIT, ["WNC", "NNC"], "first_come"),
        lambda: ledger().apportion(SPLIT, ["WNC", "NNC"], mode="first_come"),
        "passing mode to Ledger.apportion")
    same(got.shares, want.shares)
    assert got.mode == "first_come"


@pytest.fixture(scope="module")
def iass():
    return apportion.service_area("IASS")


RECORDS = pd.DataFrame({"received": RECEIVED, "responded": RESPONDED,
                        "authority": ["NNC", "WNC", "NNC", "WNC"]})


def test_measure_options_by_position(iass):
    name = "responded_within_3_working_days"
    got, want = old_and_new(
        lambda: iass.measure(name, RECORDS, "authority", "england-and-wales",
                             "2024-03-20"),
        lambda: iass.measure(name, RECORDS, "authority", as_of="2024-03-20"),
        "passing calendar, as_of to ServiceArea.measure")
    same(got, want)


def test_score_options_by_position(iass):
    got, want = old_and_new(
        lambda: iass.score("IASS2", RECORDS, None, "england-and-wales",
                           "2024-03-20", None, "previous", "IASS2 in March"),
        lambda: iass.score("IASS2", RECORDS, as_of="2024-03-20",
                           title="IASS2 in March"),
        "passing calendar, as_of, params, compare, title to ServiceArea.score")
    assert got.to_text() == want.to_text()
    assert "IASS2 in March" in got.to_text()


def test_recharge_options_by_position(iass):
    got, want = old_and_new(
        lambda: iass.recharge("quarterly", 21165400, 4, 21000000, [5291400] * 3),
        lambda: iass.recharge("quarterly", 21165400, 4, actual_share=21000000,
                              billed=[5291400] * 3),
        "passing actual_share, billed to ServiceArea.recharge")
    assert got == want
    assert sum(got) == 21000000


@pytest.fixture()
def registered(monkeypatch):
    """What register_measure and register_rule hand to the core, without
    adding to the process-wide registry."""
    calls = []
    monkeypatch.setattr(plugin_module._core, "add_measure",
                        lambda *args: calls.append(("measure", *args[:5])))
    monkeypatch.setattr(plugin_module._core, "add_rule",
                        lambda *args: calls.append(("rule", *args[:3])))
    monkeypatch.setattr(plugin_module, "_python_items", {})
    return calls


def count_measure(records, ctx):
    return np.ones(len(records["received"])), np.ones(len(records["received"]))


def equal_rule(budget, ctx):
    return [budget]


def test_register_measure_options_by_position(registered):
    area = apportion.ServiceArea("NOWHERE")
    _, _ = old_and_new(
        lambda: area.register_measure("m", count_measure, ["received"], 50,
                                      "every record"),
        lambda: area.register_measure("n", count_measure, ["received"], scale=50,
                                      description="every record"),
        "passing scale, description to ServiceArea.register_measure")
    assert registered == [
        ("measure", "NOWHERE", "m", "every record", "received", 50),
        ("measure", "NOWHERE", "n", "every record", "received", 50)]


def test_register_rule_options_by_position(registered):
    area = apportion.ServiceArea("NOWHERE")
    old_and_new(lambda: area.register_rule("r", equal_rule, "all at once"),
                lambda: area.register_rule("s", equal_rule, description="all at once"),
                "passing description to ServiceArea.register_rule")
    assert registered == [("rule", "NOWHERE", "r", "all at once"),
                          ("rule", "NOWHERE", "s", "all at once")]


def test_new_signatures_are_keyword_only():
    """What inspect (and so a reader of the docs) sees is the new form."""
    for fn, first_keyword in [
            (apportion.format_money, "decimals"),
            (apportion.recharge_schedule, "equal_part"),
            (apportion.within_working_days, "calendar"),
            (forecast.holt, "alpha"),
            (CostScenario.simulate, "start"),
            (Ledger.apportion, "mode"),
            (apportion.ServiceArea.recharge, "actual_share")]:
        param = inspect.signature(fn).parameters[first_keyword]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, fn


# ---- renamed methods -----------------------------------------------------

@pytest.mark.parametrize("old, new", [
    ("long", "to_frame"),
    ("by_authority", "by_authority_frame"),
    ("by_centre", "by_centre_frame"),
])
def test_ledger_apportionment_frames_renamed(old, new):
    result = ledger().apportion(SPLIT)
    got, want = old_and_new(getattr(result, old), getattr(result, new),
                            f"LedgerApportionment.{old} is deprecated .* use {new}")
    same(got, want)


def test_by_service_renamed():
    result = ledger().apportion({"s": SPLIT, "t": {"NNC": 1}},
                                services={"A": "s", "B": "t"})
    got, want = old_and_new(result.by_service, result.by_service_frame,
                            "LedgerApportionment.by_service is deprecated")
    same(got, want)
    assert want.loc["t"].tolist() == [99, 0]


def test_ledger_totals_renamed():
    led = ledger()
    got, want = old_and_new(lambda: led.totals(1), lambda: led.totals_frame(1),
                            "Ledger.totals is deprecated .* use totals_frame")
    same(got, want)
    assert want.loc["A"].tolist() == [1000, 250, 0, 0]


def test_calendar_bank_holidays_renamed():
    cal = apportion.Calendar("scotland")
    got, want = old_and_new(lambda: cal.bank_holidays(2022),
                            lambda: cal.bank_holidays_frame(2022),
                            "Calendar.bank_holidays is deprecated .* use "
                            "bank_holidays_frame")
    same(got, want)
    assert "St Andrew's Day" in want["title"].tolist()


def test_dates_still_pass_by_position_where_they_always_did():
    """Calendar's methods kept their forms: nothing to warn about."""
    cal = apportion.Calendar("england-and-wales")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert cal.add_working_days(datetime.date(2024, 3, 28), 1, "raise") == \
            datetime.date(2024, 4, 2)


def test_warnings_of_wrapped_functions_still_name_the_caller():
    """The wrapper that keeps positional calls working adds a frame; the
    warnings raised inside still point at the line that called."""
    with pytest.warns(apportion.AmbiguousBandsWarning) as record:
        KPI("IASS2", bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
    assert [w.filename for w in record] == [__file__]
    with pytest.warns(apportion.UnusedBasisWarning) as record:
        ledger().apportion({"A": SPLIT, "B": SPLIT, "Z": SPLIT})
    assert [w.filename for w in record] == [__file__]


def test_dask_options_by_position():
    import dask.dataframe as dd  # the test extra installs dask

    from apportion import dask as apdask

    got, want = old_and_new(
        lambda: apdask.linear_trend_batch(WIDE, None, [5, 6], 0.9, 2),
        lambda: apdask.linear_trend_batch(WIDE, None, [5, 6], level=0.9,
                                          chunk_rows=2),
        "passing level, chunk_rows to linear_trend_batch")
    same(got.to_frame(), want.to_frame())
    got, want = old_and_new(
        lambda: apdask.holt_batch(WIDE, 2, 0.5, 0.1),
        lambda: apdask.holt_batch(WIDE, 2, alpha=0.5, beta=0.1),
        "passing alpha, beta to holt_batch")
    same(got.to_frame(), want.to_frame())
    s = scenario(demand_sd=50.0)
    got, want = old_and_new(lambda: apdask.simulate(s, 40, 3, 10),
                            lambda: apdask.simulate(s, 40, 3, chunk_size=10),
                            "passing chunk_size to simulate")
    assert got.identical(want)
    frame = pd.DataFrame({"received": RECEIVED, "responded": RESPONDED,
                          "team": TEAM})
    ddf = dd.from_pandas(frame, npartitions=2)
    got, want = old_and_new(
        lambda: apdask.within_working_days(ddf, "received", "responded", 3,
                                           "england-and-wales", "team"),
        lambda: apdask.within_working_days(ddf, "received", "responded", 3,
                                           by="team"),
        "passing calendar, by to within_working_days")
    same(got, want)
