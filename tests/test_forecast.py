"""apportion.forecast: the public API against statsmodels, on the real
children-looked-after figures and on random series."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.tsa.holtwinters import Holt

import apportion
from apportion import forecast
from apportion.errors import InputError

# The DfE's figures, as shipped with the examples.
EXAMPLE_DATA = Path(__file__).resolve().parents[1] / "examples" / \
    "northants_children_looked_after.csv"

REL = 1e-9


def cla_frame():
    return pd.read_csv(EXAMPLE_DATA)


def county_series():
    """The county's children looked after at 31 March, 2014-2021, then the
    two unitaries' sum from 2022 (the same area)."""
    f = cla_frame()
    return f.groupby("year_ending_31_march")["cla_at_31_march"].sum()


def statsmodels_frame(y, t, at, level):
    X = sm.add_constant(np.asarray(t, dtype=float))
    res = sm.OLS(np.asarray(y, dtype=float), X).fit()
    Xp = sm.add_constant(np.asarray(at, dtype=float), has_constant="add")
    return res, res.get_prediction(Xp).summary_frame(alpha=1 - level)


def assert_close(actual, expected, rel=REL):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    # A value that is a small difference of large ones (an interval's bound
    # near zero, mean + t * se) carries the rounding of those ones: it is
    # judged against a thousandth of the largest value beside it, not
    # against its own size alone.  (statsmodels on numpy 2.2 gives -2.01994587
    # where apportion gives -2.01994586, beside bounds of about 5,000.)
    floor = np.max(np.abs(expected)) * 1e-3 if expected.size else 0.0
    scale = np.maximum(np.maximum(np.abs(expected), floor), 1e-300)
    err = np.max(np.abs(actual - expected) / scale)
    assert err <= rel, f"relative error {err:.3g} > {rel}"


def test_county_series_is_the_published_figures():
    s = county_series()
    assert list(s.index) == list(range(2014, 2024))
    assert list(s) == [834, 936, 993, 1004, 1092, 1123, 1157, 1144, 1182, 1233]


@pytest.mark.parametrize("level", [0.95, 0.8, 0.5])
def test_linear_trend_matches_statsmodels_on_children_in_care(level):
    s = county_series()
    at = [2024, 2025, 2026]
    frame = forecast.linear_trend(s, predict_at=at, level=level)
    res, expected = statsmodels_frame(s.values, s.index, at, level)
    assert list(frame.columns) == list(expected.columns)
    assert frame.columns[0] == "mean"
    assert list(frame.index) == at
    for column in expected.columns:
        assert_close(frame[column], expected[column])
    fit = frame.attrs["fit"]
    assert_close(fit.params, res.params)
    assert_close(fit.bse, res.bse)
    assert_close(fit.sigma2, res.scale)
    assert_close(fit.r_squared, res.rsquared)
    assert fit.nobs == 10


def test_dfe_trend_2018_22_gives_1220_not_the_nct_reports_1211():
    # The NCT annual report 2021/22, section 6: "increased from 1094 to 1184
    # across 4 years up to March 22 ... A straight linear trend line
    # estimates the March 24 total care population at 1211."  Its trend is
    # fitted to figures it does not print (an embedded document), so it
    # cannot be reproduced here.  The DfE's figures for March 2018-2022 give
    # a line to 1,220 in March 2024, not 1,211:
    s = county_series().loc[2018:2022]
    frame = forecast.linear_trend(s, predict_at=[2024])
    # slope = sum(t * y) / sum(t^2) on centred years = 201 / 10
    assert frame.attrs["fit"].slope == pytest.approx(20.1, rel=1e-12)
    assert frame["mean"].iloc[0] == pytest.approx(1220.0, rel=1e-12)


def test_nct_reports_own_two_figures_do_not_give_its_1211():
    # The only figures the report prints for the trend are 1,094 (March
    # 2018) and 1,184 (March 2022); a straight line through them reaches
    # 1,229 in March 2024, not the report's 1,211.
    # (Two points are too few for linear_trend, which needs three for an
    # interval, so the line is drawn by hand.)
    slope = np.polyfit([2018, 2022], [1094, 1184], 1)[0]
    assert slope == pytest.approx(22.5, rel=1e-12)
    march_24 = 1184 + 2 * slope
    assert march_24 == pytest.approx(1229.0, rel=1e-12)
    assert round(march_24) != 1211


def test_linear_trend_default_predicts_the_fitted_times():
    s = county_series()
    frame = forecast.linear_trend(s)
    assert list(frame.index) == list(s.index)
    res, _expected = statsmodels_frame(s.values, s.index, s.index, 0.95)
    assert_close(frame["mean"], res.fittedvalues)


def test_linear_trend_skips_missing_values():
    s = county_series().astype(float)
    s.loc[2017] = np.nan
    frame = forecast.linear_trend(s, predict_at=[2026])
    kept = s.dropna()
    _, expected = statsmodels_frame(kept.values, kept.index, [2026], 0.95)
    for column in expected.columns:
        assert_close(frame[column], expected[column])
    assert frame.attrs["fit"].nobs == 9


def test_linear_trend_random_series_against_statsmodels():
    rng = np.random.default_rng(20261123)
    for _ in range(200):
        n = int(rng.integers(3, 40))
        t = np.sort(rng.uniform(-50, 3000, n))
        y = rng.normal(rng.uniform(-1e4, 1e4), rng.uniform(0.1, 1e3), n) + \
            rng.normal(0, 5) * t
        at = rng.uniform(-100, 3100, 4)
        level = float(rng.uniform(0.5, 0.99))
        frame = forecast.linear_trend(y, times=t, predict_at=at, level=level)
        _, expected = statsmodels_frame(y, t, at, level)
        for column in expected.columns:
            assert_close(frame[column], expected[column])


def test_linear_trend_errors_name_the_problem():
    with pytest.raises(InputError, match="3"):
        forecast.linear_trend([1.0, 2.0])
    with pytest.raises(InputError, match="level"):
        forecast.linear_trend([1.0, 2.0, 4.0], level=95)
    with pytest.raises(InputError, match="same length"):
        forecast.linear_trend([1.0, 2.0, 4.0], times=[1, 2])
    with pytest.raises(InputError):
        forecast.linear_trend([1.0, 2.0, 4.0], times=[5, 5, 5])


def test_batch_equals_single_fits_and_statsmodels():
    rng = np.random.default_rng(7)
    values = rng.normal(100, 10, size=(300, 10)) + np.arange(10) * 3.0
    values[rng.random(values.shape) < 0.1] = np.nan
    years = np.arange(2014, 2024, dtype=float)
    at = [2024.0, 2026.0]
    batch = forecast.linear_trend_batch(values, times=years, predict_at=at,
                                        as_frame=False)
    assert batch.mean.shape == (300, 2)
    for s in range(0, 300, 7):
        row = values[s]
        keep = ~np.isnan(row)
        if keep.sum() < 3:
            assert np.all(np.isnan(batch.mean[s]))
            continue
        _, expected = statsmodels_frame(row[keep], years[keep], at, 0.95)
        for column in forecast.BATCH_COLUMNS:
            assert_close(getattr(batch, column)[s], expected[column])
        assert batch.nobs[s] == keep.sum()


def test_batch_frame_shape_and_threads():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(50, 8))
    frames = [forecast.linear_trend_batch(values, predict_at=[8, 9],
                                          threads=k) for k in (1, 2, 4)]
    for f in frames[1:]:
        pd.testing.assert_frame_equal(f, frames[0])
    f = frames[0]
    assert list(f.columns) == list(forecast.BATCH_COLUMNS)
    assert f.index.names == ["series", "time"]
    assert len(f) == 100


def test_batch_reads_views_in_place():
    rng = np.random.default_rng(11)
    base = rng.normal(size=(12, 40))
    view = base.T[::2]          # 20 series x 12 times, strided both ways
    a = forecast.linear_trend_batch(view, predict_at=[12], as_frame=False)
    b = forecast.linear_trend_batch(np.ascontiguousarray(view),
                                    predict_at=[12], as_frame=False)
    assert np.array_equal(a.mean, b.mean)
    assert np.array_equal(a.obs_ci_upper, b.obs_ci_upper)


def test_batch_from_a_dataframe_takes_years_from_columns():
    f = cla_frame()
    wide = f.pivot_table(index="la_name", columns="year_ending_31_march",
                         values="cla_at_31_march")
    out = forecast.linear_trend_batch(wide, predict_at=[2026])
    # North and West have two years each: too few for an interval.
    assert out.loc[("Northamptonshire", 2026), "mean"] == pytest.approx(
        forecast.linear_trend(county_series().loc[:2021],
                              predict_at=[2026])["mean"].iloc[0], rel=1e-12)
    assert np.isnan(out.loc[("North Northamptonshire", 2026), "mean"])


def holt_reference(y, alpha, beta, l0, b0, h):
    model = Holt(np.asarray(y, dtype=float), initialization_method="known",
                 initial_level=l0, initial_trend=b0)
    return model.fit(smoothing_level=alpha, smoothing_trend=beta,
                     optimized=False)


def test_holt_matches_statsmodels_for_fixed_parameters():
    s = county_series().astype(float)
    for alpha, beta in [(0.8, 0.2), (0.3, 0.1), (1.0, 0.0), (0.5, 0.5)]:
        l0, b0 = 800.0, 40.0
        frame = forecast.holt(s, 3, alpha=alpha, beta=beta,
                              initial_level=l0, initial_trend=b0)
        ref = holt_reference(s.values, alpha, beta, l0, b0, 3)
        assert list(frame.index) == [2024, 2025, 2026]
        assert frame.columns[0] == "mean"
        assert_close(frame["mean"], ref.forecast(3), rel=1e-10)
        fit = frame.attrs["fit"]
        assert_close(fit.fittedvalues, ref.fittedvalues, rel=1e-10)
        assert_close(fit.sse, ref.sse, rel=1e-10)


def test_holt_fitted_is_no_worse_than_statsmodels():
    s = county_series().astype(float)
    ours = forecast.fit_holt(s)
    ref = Holt(s.values, initialization_method="estimated").fit()
    assert ours.sse <= ref.sse * (1 + 1e-6)
    assert 0 <= ours.alpha <= 1 and 0 <= ours.beta <= 1


def test_holt_interval_contains_mean_and_widens():
    s = county_series().astype(float)
    frame = forecast.holt(s, 5, alpha=0.6, beta=0.2)
    assert (frame["obs_ci_lower"] < frame["mean"]).all()
    assert (frame["mean"] < frame["obs_ci_upper"]).all()
    width = frame["obs_ci_upper"] - frame["obs_ci_lower"]
    assert (np.diff(width.values) > 0).all()


def test_holt_batch_equals_single_fits():
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(1, 2, size=(40, 12)), axis=1)
    batch = forecast.holt_batch(values, 3, alpha=0.5, beta=0.3,
                                as_frame=False)
    for s in range(40):
        single = forecast.holt(values[s], 3, alpha=0.5, beta=0.3)
        assert np.array_equal(batch.mean[s], single["mean"].values)
        assert np.array_equal(batch.obs_ci_upper[s],
                              single["obs_ci_upper"].values)


def test_holt_errors():
    with pytest.raises(InputError, match="horizon"):
        forecast.holt([1.0, 2.0, 3.0], 0)
    with pytest.raises(InputError):
        forecast.holt([1.0, 2.0, 3.0], 2, alpha=1.5)
    with pytest.raises(InputError, match="equally spaced"):
        forecast.holt(pd.Series([1.0, 2.0, 3.0], index=[2014, 2015, 2018]), 2)


def test_forecast_module_is_exported():
    assert apportion.forecast is forecast
