"""apportion.scenario: cost paths apportioned in pence, and Monte Carlo
runs that are the same however they are split."""

import pickle
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from apportion import CostScenario, ScenarioRun, forecast
from apportion.errors import InputError

# The NCT contract split (Transformation and Efficiency Board update, 6 March
# 2024, 7.1.1), and a unit cost that is an ASSUMPTION: £64,150 is the Homes
# for Ukraine first-year rate per child in care after a broken sponsorship
# (NCT annual report 2021/22, 9.3), not a cost of a child in care; the tests
# need only a figure of the right size.
SPLIT = {"NNC": "44.16", "WNC": "55.84"}
RATE = "£64,150"


def two_years(**kw):
    return CostScenario([1094, 1184], RATE, SPLIT, inflation=[0, 0.035],
                        years=["2022/23", "2023/24"], **kw)


def test_projection_worked_by_hand():
    frame = two_years().project()
    assert list(frame.columns) == ["NNC", "WNC", "total"]
    assert list(frame.index) == ["2022/23", "2023/24"]
    # 1,094 x £64,150 = £70,180,100.00, split 44.16 / 55.84 exactly.
    assert frame.loc["2022/23"].tolist() == [3_099_153_216, 3_918_856_784,
                                             7_018_010_000]
    # 1,184 x £64,150 x 1.035 = £78,611,976.00; NNC's exact share ends .16p
    # and WNC's .84p, so the penny left goes to WNC.
    assert frame.loc["2023/24"].tolist() == [3_471_504_860, 4_389_692_740,
                                             7_861_197_600]
    assert (frame[["NNC", "WNC"]].sum(axis=1) == frame["total"]).all()
    assert frame.dtypes.tolist() == [np.int64] * 3


def test_basis_may_change_by_year():
    s = CostScenario([100, 100], 10_000, {"A": [1, 3], "B": [1, 1]})
    frame = s.project()
    assert frame["A"].tolist() == [500_000, 750_000]
    assert frame["B"].tolist() == [500_000, 250_000]


def test_basis_as_a_dataframe_and_decimal_weights():
    basis = pd.DataFrame({"NNC": [Decimal("44.16")] * 2,
                          "WNC": [Decimal("55.84")] * 2})
    a = CostScenario([1094, 1184], RATE, basis, inflation=[0, 0.035])
    b = CostScenario([1094, 1184], RATE, SPLIT, inflation=[0, 0.035])
    pd.testing.assert_frame_equal(a.project(), b.project())


def test_simulation_is_the_same_however_split_and_threaded():
    s = two_years(demand_sd=[30.0, 45.0], demand_correlation=0.5,
                  inflation_sd=0.01)
    whole = s.simulate(1000, seed=42)
    for threads in (1, 2, 4):
        assert s.simulate(1000, seed=42, threads=threads).identical(whole)
    pieces = [s.simulate(300, 42, start=700), s.simulate(700, 42, start=0)]
    assert ScenarioRun.concat(pieces).identical(whole)
    pd.testing.assert_frame_equal(ScenarioRun.concat(pieces).percentiles(),
                                  whole.percentiles())
    assert not s.simulate(1000, seed=43).identical(whole)


def test_every_scenario_conserves_pennies():
    s = two_years(demand_sd=[30.0, 45.0], inflation_sd=0.02)
    run = s.simulate(2000, seed=1)
    assert np.array_equal(run.shares.sum(axis=2), run.totals)
    assert run.totals.dtype == np.int64
    assert (run.totals > 0).all()


def test_no_uncertainty_gives_the_projection_every_time():
    s = two_years()
    run = s.simulate(50, seed=9)
    expected = s.project()
    assert (run.totals == expected["total"].to_numpy()).all()
    assert (run.shares[:, :, 0] == expected["NNC"].to_numpy()).all()


def test_percentiles_match_numpy_linear_rounded_to_a_penny():
    s = two_years(demand_sd=[40.0, 60.0], demand_correlation=0.0,
                  inflation_sd=0.015)
    run = s.simulate(999, seed=2026)
    q = [5, 10, 50, 90, 95, 97.5]
    frame = run.percentiles(q)
    assert frame.index.names == ["year", "percentile"]
    for y, year in enumerate(s.years):
        for a, name in enumerate([*s.authorities, "total"]):
            values = run.totals[:, y] if name == "total" else \
                run.shares[:, y, a]
            expected = np.round(np.percentile(values, q, method="linear"))
            got = [frame.loc[(year, p), name] for p in [5, 10, 50, 90, 95, 97.5]]
            assert got == expected.astype(np.int64).tolist()


def test_mean_cost_near_the_projection():
    s = two_years(demand_sd=[30.0, 45.0], demand_correlation=1.0)
    run = s.simulate(20000, seed=3)
    expected = s.project()["total"].to_numpy()
    sd = np.array([30.0, 45.0]) * 6_415_000 * np.array([1, 1.035])
    # The mean of 20,000 draws is within 5 standard errors.
    assert np.all(np.abs(run.totals.mean(axis=0) - expected) <
                  5 * sd / np.sqrt(20000))


def test_demand_from_a_forecast_frame():
    cla = pd.Series([834, 936, 993, 1004, 1092, 1123, 1157, 1144, 1182, 1233],
                    index=range(2014, 2024), dtype=float)
    f = forecast.linear_trend(cla, predict_at=[2024, 2025, 2026])
    s = CostScenario(f, RATE, SPLIT, inflation=0.03)
    assert s.years == [2024, 2025, 2026]
    np.testing.assert_array_equal(s.demand, f["mean"].to_numpy())
    # The forecast's prediction interval gives the sd of a new year.
    q = f.attrs["quantile"]
    np.testing.assert_allclose(s.demand_sd * q,
                               f["obs_ci_upper"] - f["mean"], rtol=1e-12)
    run = s.simulate(500, seed=5)
    assert run.totals.shape == (500, 3)


def test_objects_pickle():
    s = two_years(demand_sd=[30.0, 45.0])
    run = s.simulate(100, seed=8)
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.same_model(s)
    pd.testing.assert_frame_equal(s2.project(), s.project())
    assert s2.simulate(100, seed=8).identical(run)
    assert pickle.loads(pickle.dumps(run)).identical(run)


def test_reports_print_pounds():
    s = two_years(demand_sd=[30.0, 45.0])
    text = s.report()
    assert "£70,180,100.00" in text and "£30,991,532.16" in text
    assert "percentiles" in s.simulate(100, 1).report()


def test_long_frame():
    run = two_years(demand_sd=[30.0, 45.0]).simulate(3, 1, start=10)
    frame = run.to_frame()
    assert frame.index.names == ["scenario", "year"]
    assert frame.index.get_level_values(0).unique().tolist() == [10, 11, 12]
    assert (frame["NNC"] + frame["WNC"] == frame["total"]).all()


def test_bad_input_is_named():
    with pytest.raises(InputError, match="seed"):
        two_years().simulate(10, seed=-1)
    with pytest.raises(InputError, match="seed"):
        two_years().simulate(10, seed=2 ** 64)
    with pytest.raises(InputError, match="n must"):
        two_years().simulate(0, seed=1)
    with pytest.raises(InputError, match="demand_correlation"):
        two_years(demand_correlation=1.5)
    with pytest.raises(InputError, match="inflation"):
        CostScenario([1, 2], RATE, SPLIT, inflation=[0, 0, 0])
    with pytest.raises(InputError, match="basis"):
        CostScenario([1, 2], RATE, {"A": [1, 2, 3]})
    with pytest.raises(TypeError, match="float"):
        CostScenario([1, 2], 64150.0, SPLIT)
    with pytest.raises(InputError, match="demand"):
        CostScenario([1, float("nan")], RATE, SPLIT)
    with pytest.raises(InputError, match="consecutive"):
        s = two_years(demand_sd=[1.0, 1.0])
        ScenarioRun.concat([s.simulate(5, 1), s.simulate(5, 1, start=6)])
    with pytest.raises(InputError, match="model and seed"):
        s = two_years(demand_sd=[1.0, 1.0])
        ScenarioRun.concat([s.simulate(5, 1), s.simulate(5, 2, start=5)])


def test_a_drawn_inflation_below_minus_100_percent_is_named():
    # A 200-point spread on a 3% rate draws below -100% in some scenario.
    s = CostScenario([100, 100], RATE, SPLIT, inflation=0.03,
                     inflation_sd=2.0)
    with pytest.raises(InputError, match=r"scenario \d+, year \d: the drawn "
                       r"inflation rate .* at or below -100%"):
        s.simulate(200, seed=1)
