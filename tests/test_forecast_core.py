"""The forecasting core's glue (python/glue/forecast.c over student_t.c and
trend.c): Student's t against scipy and closed forms, the least squares
trend against statsmodels' OLS, and the batch against one series at a
time, whatever its memory layout and thread count."""

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import special, stats

from apportion import _core
from apportion.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CLA_CSV = ROOT / "examples" / "northants_children_looked_after.csv"

PREDICT_COLUMNS = ["mean", "mean_se", "mean_ci_lower", "mean_ci_upper",
                   "obs_ci_lower", "obs_ci_upper"]
BATCH_COLUMNS = ["mean", "mean_ci_lower", "mean_ci_upper", "obs_ci_lower",
                 "obs_ci_upper"]


def rel_err(got, want):
    got, want = np.asarray(got, float), np.asarray(want, float)
    return np.max(np.abs(got - want) / np.abs(want))


# ---- Student's t ---------------------------------------------------------

DFS = [1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 30, 99, 101, 300, 1e3, 1e4, 1e5,
       1e6]
# p from 1e-12 to 1 - 1e-12.  Within 1e-2 of the median scipy's own
# quantile loses digits (it is 1e-4 out at p = 0.4999999 for df = 4), so
# the median is checked against exact forms below instead.
TAIL = np.logspace(-12, np.log10(0.49), 45)
P_GRID = np.unique(np.concatenate([TAIL, np.linspace(0.02, 0.98, 49),
                                   1.0 - TAIL]))
P_GRID = P_GRID[np.abs(P_GRID - 0.5) >= 0.01]


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_matches_scipy(df):
    got = np.array([_core.t_quantile(p, df) for p in P_GRID])
    assert rel_err(got, stats.t.ppf(P_GRID, df)) <= 1e-10


def test_t_quantile_normal():
    got = np.array([_core.t_quantile(p, math.inf) for p in P_GRID])
    assert rel_err(got, special.ndtri(P_GRID)) <= 1e-13
    far = np.array([1e-300, 1e-200, 1e-100, 1e-50])
    got = np.array([_core.t_quantile(p, math.inf) for p in far])
    assert rel_err(got, special.ndtri(far)) <= 1e-13


@pytest.mark.parametrize("df", [*DFS, math.inf])
def test_t_cdf_matches_scipy(df):
    t = stats.t.ppf(P_GRID, df)
    got = np.array([_core.t_cdf(x, df) for x in t])
    assert rel_err(got, stats.t.cdf(t, df)) <= 1e-10


def test_t_far_tails_round_trip():
    # Far below scipy's grid: the quantile's cdf is p again.
    for df in (1, 2.5, 3, 10, 1e3, 1e6):
        for p in (1e-300, 1e-200, 1e-100, 1e-30):
            t = _core.t_quantile(p, df)
            assert abs(_core.t_cdf(t, df) / p - 1) <= 1e-12, (df, p)


def test_t_closed_forms_next_to_the_median():
    # df = 1: P(T <= t) = 1/2 + atan(t)/pi; df = 2: 1/2 + t/(2 sqrt(2+t^2)).
    for h in (1e-15, 1e-12, 1e-9, 1e-6, 1e-3):
        p = 0.5 + h
        exact_h = p - 0.5  # what p carries
        assert _core.t_quantile(p, 1) == pytest.approx(
            math.tan(math.pi * exact_h), rel=1e-14)
        assert _core.t_quantile(p, 2) == pytest.approx(
            2 * exact_h * math.sqrt(2 / (4 * p * (1 - p))), rel=1e-14)
        t = 1e-3 * h
        assert _core.t_cdf(-t, 1) == pytest.approx(
            0.5 - math.atan(t) / math.pi, rel=1e-15)


def test_t_published_values():
    assert _core.t_quantile(0.975, 10) == pytest.approx(2.228138851986274,
                                                        rel=1e-14)
    assert _core.t_cdf(2.228138851986274, 10) == pytest.approx(0.975,
                                                               rel=1e-14)
    assert _core.t_quantile(0.975, math.inf) == pytest.approx(
        1.959963984540054, rel=1e-15)


def test_t_edges():
    assert _core.t_quantile(0.0, 4) == -math.inf
    assert _core.t_quantile(1.0, 4) == math.inf
    assert _core.t_quantile(0.5, 4) == 0.0
    for p, df in ((-0.1, 4), (1.5, 4), (math.nan, 4), (0.3, 0), (0.3, -1),
                  (0.3, math.nan)):
        assert math.isnan(_core.t_quantile(p, df))
    assert math.isnan(_core.t_cdf(math.nan, 4))
    assert math.isnan(_core.t_cdf(1.0, 0))
    assert _core.t_cdf(-math.inf, 4) == 0.0
    assert _core.t_cdf(math.inf, 4) == 1.0
    with pytest.raises(TypeError):
        _core.t_quantile("0.5", 4)


# ---- the trend against statsmodels --------------------------------------

def statsmodels_fit(t, y, at, level=0.95):
    """OLS on the pairs where both are present, and its summary_frame."""
    keep = ~(np.isnan(t) | np.isnan(y))
    res = sm.OLS(y[keep], sm.add_constant(t[keep], has_constant="add")).fit()
    frame = res.get_prediction(
        sm.add_constant(at, has_constant="add")).summary_frame(
            alpha=1 - level)
    return res, frame


def predict(fit, at, level=0.95):
    out = np.empty((len(at), 7))
    _core.trend_predict(fit, np.ascontiguousarray(at, dtype=np.float64),
                        level, out)
    return out


def assert_matches_statsmodels(t, y, at, level=0.95, rel=1e-9):
    """Returns the worst relative error over params, bse and the frame.

    statsmodels forms the mean as intercept + slope * at, as we do, so
    where those two nearly cancel (a mean near 0 far from the data) both
    lose digits to it: there each column is allowed 1e-13 of
    |intercept| + |slope * at| as well (the lost digits are statsmodels':
    see test_trend_against_exact_arithmetic)."""
    fit = _core.trend_fit(t, y)
    res, frame = statsmodels_fit(t, y, at, level)
    worst = 0.0
    for got, want in [((fit["intercept"], fit["slope"]), res.params),
                      ((fit["intercept_se"], fit["slope_se"]), res.bse),
                      (fit["sigma2"], res.scale), (fit["ssr"], res.ssr)]:
        err = rel_err(got, want)
        assert err <= rel, (err, got, want)
        worst = max(worst, err)
    out = predict(fit, at, level)
    cancelled = 1e-13 * (abs(fit["intercept"]) + np.abs(fit["slope"] * at))
    for k, column in enumerate(PREDICT_COLUMNS):
        got, want = out[:, k], frame[column].to_numpy()
        assert np.all(np.abs(got - want) <= rel * np.abs(want) + cancelled), \
            (column, got, want)
        worst = max(worst, rel_err(got, want))
    assert fit["nobs"] == res.nobs
    if res.centered_tss > 0:
        assert fit["r_squared"] == pytest.approx(res.rsquared, rel=1e-9)
    return worst


@pytest.fixture(scope="module")
def county():
    frame = pd.read_csv(CLA_CSV)
    return frame[frame.la_name == "Northamptonshire"].sort_values(
        "year_ending_31_march")


def test_county_children_looked_after(county):
    t = county.year_ending_31_march.to_numpy(dtype=np.float64)
    y = county.cla_at_31_march.to_numpy(dtype=np.float64)
    assert list(t) == list(range(2014, 2022))
    at = np.arange(2014, 2027, dtype=np.float64)
    assert_matches_statsmodels(t, y, at)
    fit = _core.trend_fit(t, y)
    # Pinned (statsmodels gives the same to 1e-13): 44.68 more children a
    # year, 1,236 expected at March 2022.
    assert fit["slope"] == pytest.approx(1876.5 / 42, rel=1e-15)
    assert fit["nobs"] == 8 and fit["time_mean"] == 2017.5 and \
        fit["sxx"] == 42.0
    # intercept + slope * 2022, as statsmodels forms it: the intercept of
    # -89,104 costs a few digits.
    assert predict(fit, [2022.0])[0, 0] == pytest.approx(1236 + 3 / 7,
                                                         rel=1e-13)


def test_county_series_with_a_gap(county):
    # ceased_in_year is missing for 2014: statsmodels on the other seven.
    t = county.year_ending_31_march.to_numpy(dtype=np.float64)
    for column in ("ceased_in_year", "started_in_year", "rate_per_10000",
                   "long_term_stability_pct"):
        y = county[column].to_numpy(dtype=np.float64)
        if np.count_nonzero(~np.isnan(y)) < 3:
            continue
        assert_matches_statsmodels(t, y, np.array([2022.0, 2025.0]),
                                   level=0.9)
    assert _core.trend_fit(t, county.ceased_in_year.to_numpy(
        dtype=np.float64))["nobs"] == 7


def test_random_series_match_statsmodels():
    rng = np.random.default_rng(20240331)
    for _ in range(200):
        n = int(rng.integers(3, 40))
        if rng.random() < 0.5:
            t = np.sort(rng.uniform(1990, 2030, n))
        else:
            t = rng.uniform(-50, 50, n)
        y = (rng.uniform(-500, 2000) + rng.uniform(-30, 30) * t +
             rng.normal(0, rng.uniform(0.1, 200), n))
        y[rng.random(n) < 0.1] = np.nan
        t[rng.random(n) < 0.05] = np.nan
        if np.count_nonzero(~(np.isnan(t) | np.isnan(y))) < 3:
            continue
        at = np.concatenate([t[~np.isnan(t)][:3], rng.uniform(-60, 2040, 3)])
        level = float(rng.choice([0.5, 0.8, 0.9, 0.95, 0.99]))
        assert_matches_statsmodels(t, y, at, level)


def test_trend_against_exact_arithmetic():
    # The sums in rationals, exactly, from the same doubles.
    rng = np.random.default_rng(5)
    for _ in range(25):
        n = int(rng.integers(3, 30))
        t = np.sort(rng.uniform(1990, 2030, n))
        y = rng.uniform(-100, 100) + rng.uniform(-3, 3) * (t - 2000) + \
            rng.normal(0, rng.uniform(0.01, 50), n)
        T, Y = [Fraction(v) for v in t], [Fraction(v) for v in y]
        tbar, ybar = sum(T) / n, sum(Y) / n
        sxx = sum((a - tbar) ** 2 for a in T)
        slope = sum((a - tbar) * (b - ybar) for a, b in zip(T, Y)) / sxx
        intercept = ybar - slope * tbar
        ssr = sum((b - intercept - slope * a) ** 2 for a, b in zip(T, Y))
        fit = _core.trend_fit(t, y)
        assert fit["slope"] == pytest.approx(float(slope), rel=1e-13)
        assert fit["intercept"] == pytest.approx(float(intercept), rel=1e-12)
        assert fit["ssr"] == pytest.approx(float(ssr), rel=1e-12)
        at = np.array([2031.0, 2040.0])
        mean = predict(fit, at)[:, 0]
        for k, a in enumerate(at):
            exact = float(intercept + slope * Fraction(a))
            scale = abs(float(intercept)) + abs(float(slope) * a)
            assert abs(mean[k] - exact) <= 1e-15 * scale


# ---- one series: errors -------------------------------------------------

def test_trend_fit_errors():
    t = np.arange(4.0)
    with pytest.raises(ValueError, match="same length"):
        _core.trend_fit(t, np.arange(5.0))
    with pytest.raises(InputError, match="at least 3.*2 of the 4"):
        _core.trend_fit(t, np.array([1.0, np.nan, 2.0, np.nan]))
    with pytest.raises(InputError, match="value 1 is infinite"):
        _core.trend_fit(t, np.array([1.0, np.inf, 2.0, 3.0]))
    with pytest.raises(InputError, match="time 2 is infinite"):
        _core.trend_fit(np.array([0, 1, -np.inf, 3.0]), t)
    with pytest.raises(InputError, match="the same"):
        _core.trend_fit(np.full(4, 2020.0), t)
    with pytest.raises(TypeError, match="float64"):
        _core.trend_fit(t.astype(np.float32), t)
    with pytest.raises(ValueError, match="1-D"):
        _core.trend_fit(np.zeros((2, 2)), np.zeros((2, 2)))


def test_trend_predict_errors():
    fit = _core.trend_fit(np.arange(5.0), np.array([1, 3, 2, 5, 4.0]))
    with pytest.raises(KeyError, match="sxx"):
        predict({k: v for k, v in fit.items() if k != "sxx"}, [1.0])
    with pytest.raises(TypeError, match="dict"):
        predict([1, 2], [1.0])
    with pytest.raises(TypeError, match="sigma2 must be a number"):
        predict(dict(fit, sigma2="big"), [1.0])
    with pytest.raises(TypeError, match="nobs"):
        predict(dict(fit, nobs=5.0), [1.0])
    with pytest.raises(InputError, match="level must be between 0 and 1"):
        predict(fit, [1.0], level=95)
    with pytest.raises(InputError, match="2 observations"):
        predict(dict(fit, nobs=2), [1.0])
    with pytest.raises(InputError, match="infinite"):
        predict(fit, [np.inf])
    with pytest.raises(ValueError, match="3 times x 7 columns = 21"):
        _core.trend_predict(fit, np.arange(3.0), 0.95, np.empty(20))
    # A NaN time predicts NaN.
    assert np.isnan(predict(fit, [np.nan])).all()


# ---- many series --------------------------------------------------------

def batch(values, times, at, level=0.95, threads=1):
    n_series = values.shape[0]
    outs = [np.full((n_series, len(at)), -1.0) for _ in BATCH_COLUMNS]
    fits = [np.full(n_series, -1.0) for _ in range(3)]
    nobs = np.full(n_series, -1, dtype=np.int64)
    _core.trend_batch(values, times, at, level, threads, *outs, *fits, nobs)
    return dict(zip([*BATCH_COLUMNS, "intercept", "slope", "sigma2", "nobs"], outs + fits + [nobs]))


def same(a, b):
    return np.array_equal(a, b, equal_nan=True)


def random_matrix(rng, n_series, n_times, gap=0.1):
    level = rng.uniform(100, 1000, (n_series, 1))
    trend = rng.uniform(-20, 20, (n_series, 1))
    values = level + trend * np.arange(n_times) + rng.normal(
        0, 25, (n_series, n_times))
    values[rng.random(values.shape) < gap] = np.nan
    return values


def test_batch_equals_single_fits():
    rng = np.random.default_rng(7)
    values = random_matrix(rng, 400, 10, gap=0.15)
    values[3, 2:] = np.nan          # too few values
    values[4, :] = np.nan           # none
    years = np.arange(2014, 2024, dtype=np.float64)
    at = np.array([2024.0, 2025.0, 2026.0, 2019.5])
    got = batch(values, years, at, level=0.9, threads=2)
    assert got["nobs"][3] == 2 and got["nobs"][4] == 0
    for s in range(values.shape[0]):
        y = values[s]
        if np.count_nonzero(~np.isnan(y)) < 3:
            for name in [*BATCH_COLUMNS, "intercept", "slope", "sigma2"]:
                assert np.isnan(got[name][s]).all()
            continue
        fit = _core.trend_fit(years, y)
        out = predict(fit, at, level=0.9)
        assert got["nobs"][s] == fit["nobs"]
        for name in ("intercept", "slope", "sigma2"):
            assert got[name][s] == fit[name]
        for name, k in (("mean", 0), ("mean_ci_lower", 2),
                        ("mean_ci_upper", 3), ("obs_ci_lower", 4),
                        ("obs_ci_upper", 5)):
            assert same(got[name][s], out[:, k]), (s, name)


def test_batch_matches_statsmodels_with_gaps():
    rng = np.random.default_rng(8)
    values = random_matrix(rng, 60, 12, gap=0.2)
    times = np.arange(2012, 2024, dtype=np.float64)
    at = np.array([2024.0, 2030.0])
    got = batch(values, times, at)
    for s in range(values.shape[0]):
        if got["nobs"][s] < 3:
            continue
        res, frame = statsmodels_fit(times, values[s], at)
        assert rel_err(got["slope"][s], res.params[1]) <= 1e-9
        assert rel_err(got["sigma2"][s], res.scale) <= 1e-9
        for name in BATCH_COLUMNS:
            assert rel_err(got[name][s], frame[name].to_numpy()) <= 1e-9


def test_batch_reads_any_layout():
    rng = np.random.default_rng(9)
    base = random_matrix(rng, 300, 9)
    at = np.array([9.0, 10.0])
    want = batch(np.ascontiguousarray(base), None, at)
    # Stored time-major and read through the transpose.
    transposed = np.ascontiguousarray(base.T).T
    assert not transposed.flags.c_contiguous
    # Every third row and every other column of a bigger array.
    big = np.full((900, 18), 7.0)
    big[::3, ::2] = base
    stepped = big[::3, ::2]
    # Both axes reversed.
    flipped = np.ascontiguousarray(base[::-1, ::-1])[::-1, ::-1]
    for view in (transposed, stepped, flipped):
        assert not view.flags.c_contiguous
        got = batch(view, None, at)
        for name in want:
            assert same(got[name], want[name]), name


def test_batch_threads_identical():
    rng = np.random.default_rng(10)
    values = random_matrix(rng, 20000, 10, gap=0.05)
    years = np.arange(2014, 2024, dtype=np.float64)
    at = np.array([2024.0, 2025.0])
    want = batch(values, years, at, threads=1)
    for threads in (2, 4, 0):
        got = batch(values, years, at, threads=threads)
        for name in want:
            assert same(got[name], want[name]), (threads, name)


def test_batch_outputs_may_be_none():
    rng = np.random.default_rng(11)
    values = random_matrix(rng, 50, 10)
    at = np.array([12.0])
    want = batch(values, None, at)
    slope = np.empty(50)
    _core.trend_batch(values, None, at, 0.95, 0, None, None, None, None,
                      None, None, slope, None, None)
    assert same(slope, want["slope"])


def test_batch_errors():
    values = np.ones((4, 5)) + np.arange(5.0)
    at = np.array([5.0])

    def call(values=values, times=None, at=at, level=0.95, threads=1,
             **outs):
        args = {name: np.empty((values.shape[0], len(at)))
                for name in BATCH_COLUMNS}
        args.update(intercept=np.empty(values.shape[0]),
                    slope=np.empty(values.shape[0]),
                    sigma2=np.empty(values.shape[0]),
                    nobs=np.empty(values.shape[0], dtype=np.int64))
        args.update(outs)
        _core.trend_batch(values, times, at, level, threads,
                          *args.values())

    bad = values.copy()
    bad[2, 3] = np.inf
    with pytest.raises(InputError, match="series 2 .*position 3"):
        call(bad)
    with pytest.raises(InputError, match="level"):
        call(level=1.0)
    with pytest.raises(InputError, match="threads"):
        call(threads=-2)
    with pytest.raises(InputError, match="time 1 is infinite"):
        call(times=np.array([0, np.inf, 2, 3, 4.0]))
    with pytest.raises(ValueError, match="times holds 4 values.*5 times"):
        call(times=np.arange(4.0))
    with pytest.raises(ValueError, match="mean_ci_upper holds 3 values; "
                                         "4 series x 1 predicted times"):
        call(mean_ci_upper=np.empty(3))
    with pytest.raises(ValueError, match="slope holds 5 values; one per "
                                         "series \\(4\\)"):
        call(slope=np.empty(5))
    with pytest.raises(TypeError, match="nobs must hold int64"):
        call(nobs=np.empty(4))
    with pytest.raises(TypeError, match="values must hold float64"):
        call(values.astype(np.float32))
    with pytest.raises(ValueError, match="2-D"):
        call(np.ones(5))
    readonly = np.empty(4)
    readonly.flags.writeable = False
    with pytest.raises((TypeError, BufferError, ValueError)):
        call(intercept=readonly)
    # Strides that are not whole float64 values.
    odd = np.lib.stride_tricks.as_strided(np.zeros(20), shape=(4, 5),
                                          strides=(36, 4))
    with pytest.raises(TypeError, match="stride.*whole number"):
        call(odd)


def test_batch_small_and_empty():
    at = np.array([3.0, 4.0])
    got = batch(np.array([[1.0, 2.0, 4.0]]), None, at)
    fit = _core.trend_fit(np.arange(3.0), np.array([1.0, 2.0, 4.0]))
    assert got["slope"][0] == fit["slope"]
    got = batch(np.empty((0, 5)), None, at)
    assert got["mean"].shape == (0, 2)
    got = batch(np.ones((3, 2)), None, at)  # 2 times: nothing to fit
    assert np.isnan(got["mean"]).all() and list(got["nobs"]) == [2, 2, 2]
