"""apportion._core's Holt functions (csrc/forecast/holt.c through python/glue/holt.c)
against statsmodels' Holt and ETSModel, on the real children-looked-after
figures and on random series: fixed parameters, fitted parameters, missing
values, the batch against single fits and thread counts, strided views and
argument errors."""

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import Holt

from apportion import _core
from apportion.errors import InputError

# Northamptonshire's children looked after at 31 March 2014..2021 (DfE;
# cla_at_31_march in examples/northants_children_looked_after.csv).
# North and West Northamptonshire's 2022..2023 pairs are too short for
# statsmodels' Holt to fit.
CLA = np.array([834, 936, 993, 1004, 1092, 1123, 1157, 1144], dtype=float)

REL = 1e-10
OUT_NAMES = ("mean", "lower", "upper", "alpha_out", "beta_out",
             "initial_level_out", "initial_trend_out", "sse", "nobs")


def close(ours, theirs, scale, rel=REL):
    """Within rel of the reference, or of the series' scale for figures
    near zero (a trend, a fitted value crossing zero)."""
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    bound = rel * np.maximum(np.abs(theirs), scale)
    assert np.all(np.abs(ours - theirs) <= bound), (ours, theirs)


def fit(values, alpha=None, beta=None, initial_level=None,
        initial_trend=None, fitted=None):
    return _core.holt_fit(values, alpha, beta, initial_level, initial_trend,
                          fitted)


def forecast(d, horizon, level=0.95):
    mean, lower, upper = (np.empty(horizon) for _ in range(3))
    _core.holt_forecast(d, horizon, level, mean, lower, upper)
    return mean, lower, upper


def statsmodels_fixed(y, a, b, l0, b0):
    return Holt(y, initialization_method="known", initial_level=l0,
                initial_trend=b0).fit(smoothing_level=a, smoothing_trend=b,
                                      optimized=False)


def statsmodels_estimated(y, **fixed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return Holt(y, initialization_method="estimated").fit(**fixed)


def random_series(rng, n_min=6, n_max=40):
    """A random walk with drift, a noisy line or an integrated walk, kept
    well away from zero."""
    n = int(rng.integers(n_min, n_max + 1))
    kind = int(rng.integers(3))
    if kind == 0:
        y = np.cumsum(rng.normal(2, 5, n))
    elif kind == 1:
        y = 3 * np.arange(n) + rng.normal(0, 8, n)
    else:
        y = np.cumsum(np.cumsum(rng.normal(0, 1, n))) + rng.normal(0, 2, n)
    return 500 + y


def check_fixed_against_statsmodels(y, a, b, l0, b0, horizon=5):
    fitted = np.empty(len(y))
    d = fit(y, a, b, l0, b0, fitted)
    s = statsmodels_fixed(y, a, b, l0, b0)
    scale = np.max(np.abs(y))
    close(fitted, s.fittedvalues, scale)
    close(d["sse"], s.sse, 0)
    close(d["level"], s.level[-1], scale)
    close(d["trend"], s.trend[-1], scale)
    close(forecast(d, horizon)[0], s.forecast(horizon), scale)
    assert d["nobs"] == len(y)
    assert d["sigma2"] == d["sse"] / len(y)
    assert (d["alpha"], d["beta"], d["initial_level"], d["initial_trend"]) \
        == (a, b, l0, b0)


# ---- fixed parameters ---------------------------------------------------

@pytest.mark.parametrize("a,b,l0,b0", [(0.6, 0.3, 800.0, 50.0),
                                       (0.2, 0.9, 830.0, 40.0),
                                       (1.0, 0.0, 834.0, 0.0),
                                       (0.0, 1.0, 700.0, 60.0),
                                       (0.05, 0.05, 900.0, -10.0)])
def test_fixed_parameters_match_statsmodels_on_cla(a, b, l0, b0):
    check_fixed_against_statsmodels(CLA, a, b, l0, b0)


def test_fixed_parameters_match_statsmodels_on_random_series():
    rng = np.random.default_rng(20140331)
    for _ in range(100):
        y = random_series(rng)
        a, b = rng.uniform(0, 1, 2)
        l0, b0 = y[0] + rng.normal(0, 10), rng.normal(0, 5)
        check_fixed_against_statsmodels(y, a, b, l0, b0)


def test_first_forecast_is_initial_level_plus_trend():
    """statsmodels' convention: the initial state stands before the first
    observation."""
    fitted = np.empty(8)
    fit(CLA, 0.6, 0.3, 800.0, 50.0, fitted)
    assert fitted[0] == 850.0


# ---- the prediction interval -------------------------------------------

def ets_frame(y, a, b, l0, b0, horizon, level):
    """ETSModel(A,A,N) with the same model: its smoothing_trend is alpha *
    beta (the error-correction form), its variance scale sse / nobs."""
    model = ETSModel(pd.Series(y), error="add", trend="add",
                     initialization_method="known", initial_level=l0,
                     initial_trend=b0)
    res = model.smooth([a, a * b])
    n = len(y)
    frame = res.get_prediction(start=n, end=n + horizon - 1).summary_frame(
        alpha=1 - level)
    return res, frame


@pytest.mark.parametrize("level", [0.95, 0.8, 0.5])
def test_interval_matches_ets_on_cla(level):
    d = fit(CLA, 0.6, 0.3, 800.0, 50.0)
    res, frame = ets_frame(CLA, 0.6, 0.3, 800.0, 50.0, 6, level)
    close(d["sse"], res.sse, 0)
    close(d["sigma2"], res.mse, 0)
    mean, lower, upper = forecast(d, 6, level)
    close(mean, frame["mean"], 1000)
    close(lower, frame["pi_lower"], 1000)
    close(upper, frame["pi_upper"], 1000)


def test_interval_matches_ets_on_random_series():
    rng = np.random.default_rng(7)
    for _ in range(30):
        y = random_series(rng)
        a, b = rng.uniform(0.01, 1, 2)
        l0, b0 = y[0], rng.normal(0, 5)
        d = fit(y, a, b, l0, b0)
        _, frame = ets_frame(y, a, b, l0, b0, 8, 0.9)
        mean, lower, upper = forecast(d, 8, 0.9)
        scale = np.max(np.abs(y))
        close(mean, frame["mean"], scale)
        close(lower, frame["pi_lower"], scale)
        close(upper, frame["pi_upper"], scale)


def test_forecast_lower_upper_optional_and_level_unused_without_them():
    d = fit(CLA, 0.6, 0.3, 800.0, 50.0)
    mean, _, upper = forecast(d, 4)
    m2, u2 = np.empty(4), np.empty(4)
    _core.holt_forecast(d, 4, 0.95, m2, None, u2)
    assert np.array_equal(mean, m2) and np.array_equal(upper, u2)
    _core.holt_forecast(d, 4, 7.0, m2, None, None)
    assert np.array_equal(mean, m2)
    _core.holt_forecast(d, 0, 0.95, np.empty(0), None, None)


# ---- fitted parameters --------------------------------------------------

def test_fitted_cla_no_worse_than_statsmodels():
    d = fit(CLA)
    s = statsmodels_estimated(CLA)
    assert d["sse"] <= s.sse * (1 + 1e-6)
    # statsmodels stops at a local minimum (alpha = beta = 0.616, sse
    # 10103.19); the global one is alpha = 0, the least-squares line.
    assert d["sse"] < 0.7 * s.sse
    line = np.polyfit(np.arange(1, 9), CLA, 1)
    assert d["alpha"] <= 1e-6
    close(d["initial_trend"], line[0], 1, rel=1e-9)
    close(d["initial_level"], line[1], 1, rel=1e-9)


def test_fitted_random_series_no_worse_than_statsmodels():
    rng = np.random.default_rng(31)
    for _ in range(50):
        y = random_series(rng, 5, 30)
        d = fit(y)
        s = statsmodels_estimated(y)
        assert d["sse"] <= s.sse * (1 + 1e-6), (y, d, s.params)
        assert 0 <= d["alpha"] <= 1 and 0 <= d["beta"] <= 1


def test_one_smoothing_parameter_fixed_no_worse_than_statsmodels():
    rng = np.random.default_rng(32)
    for _ in range(20):
        y = random_series(rng, 5, 30)
        a, b = rng.uniform(0.05, 1, 2)
        d = fit(y, alpha=a)
        assert d["alpha"] == a
        assert d["sse"] <= statsmodels_estimated(
            y, smoothing_level=a).sse * (1 + 1e-6)
        d = fit(y, beta=b)
        assert d["beta"] == b
        assert d["sse"] <= statsmodels_estimated(
            y, smoothing_trend=b).sse * (1 + 1e-6)


def test_fixed_smoothing_fitted_initials_equal_statsmodels():
    """alpha and beta fixed, the initial values fitted: ours are the exact
    least-squares values, statsmodels' an optimiser's approximation."""
    rng = np.random.default_rng(33)
    for y in [CLA] + [random_series(rng) for _ in range(40)]:
        a, b = rng.uniform(0.05, 1, 2)
        d = fit(y, a, b)
        s = statsmodels_estimated(y, smoothing_level=a, smoothing_trend=b)
        assert d["sse"] <= s.sse * (1 + 1e-12)
        close(d["sse"], s.sse, 0, rel=1e-6)
        scale = np.max(np.abs(y))
        close(d["initial_level"], s.params["initial_level"], scale, 1e-4)
        close(d["initial_trend"], s.params["initial_trend"], scale, 1e-4)


def least_squares_initials(y, a, b):
    """The initial values by numpy's lstsq on the affine map from the
    initial state to the one-step errors, read off three fixed runs."""
    runs = []
    for l0, b0 in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]:
        f = np.empty(len(y))
        fit(y, a, b, l0, b0, f)
        runs.append(f)
    ok = ~np.isnan(y) & ~np.isnan(runs[0])
    A = np.column_stack([runs[1] - runs[0], runs[2] - runs[0]])[ok]
    return np.linalg.lstsq(A, (y - runs[0])[ok], rcond=None)[0]


def test_fitted_initials_are_least_squares_with_gaps():
    rng = np.random.default_rng(34)
    for _ in range(30):
        y = random_series(rng, 8, 30)
        y[rng.uniform(size=len(y)) < 0.2] = np.nan
        y[0] = y[-1] = np.nan
        a, b = rng.uniform(0, 1, 2)
        d = fit(y, a, b)
        l0, b0 = least_squares_initials(y, a, b)
        scale = np.nanmax(np.abs(y))
        close(d["initial_level"], l0, scale, 1e-9)
        close(d["initial_trend"], b0, scale, 1e-9)
        # Only the level: the trend stays as given.
        d = fit(y, a, b, initial_trend=2.5)
        assert d["initial_trend"] == 2.5
        f = np.empty(len(y))
        fit(y, a, b, 0.0, 2.5, f)
        g = np.empty(len(y))
        fit(y, a, b, 1.0, 2.5, g)
        ok = ~np.isnan(y) & ~np.isnan(f)
        u = (g - f)[ok]
        close(d["initial_level"], u @ (y - f)[ok] / (u @ u), scale, 1e-9)


def test_fit_figures_are_those_of_the_fixed_run():
    rng = np.random.default_rng(35)
    y = random_series(rng)
    fitted = np.empty(len(y))
    d = fit(y, fitted=fitted)
    again = np.empty(len(y))
    e = fit(y, d["alpha"], d["beta"], d["initial_level"], d["initial_trend"],
            again)
    assert d == e
    assert np.array_equal(fitted, again)


def test_two_observations_fit_exactly():
    # West Northamptonshire 2022, 2023.
    d = fit(np.array([659.0, 688.0]))
    assert d["nobs"] == 2
    assert d["sse"] <= 1e-18 * 688 ** 2


# ---- missing values -----------------------------------------------------

def reference_holt(y, a, b, l0, b0):
    """The recursion as the header documents it, in plain Python: leading
    and trailing NaN trimmed, an interior NaN moves the state on by its
    trend."""
    obs = np.flatnonzero(~np.isnan(y))
    first, last = obs[0], obs[-1]
    fitted = np.full(len(y), np.nan)
    level, trend, sse = l0, b0, 0.0
    for t in range(first, last + 1):
        f = level + trend
        fitted[t] = f
        if np.isnan(y[t]):
            level = f
            continue
        sse += (y[t] - f) ** 2
        new = a * y[t] + (1 - a) * f
        trend = b * (new - level) + (1 - b) * trend
        level = new
    return fitted, sse, level, trend, len(obs)


def test_missing_values_match_the_reference():
    rng = np.random.default_rng(36)
    for _ in range(50):
        y = random_series(rng, 6, 30)
        y[rng.uniform(size=len(y)) < 0.25] = np.nan
        k = int(rng.integers(3))
        y[:k] = np.nan
        y[len(y) - int(rng.integers(3)):] = np.nan
        if np.sum(~np.isnan(y)) < 2:
            continue
        a, b = rng.uniform(0, 1, 2)
        l0, b0 = 500.0, rng.normal(0, 3)
        fitted = np.empty(len(y))
        d = fit(y, a, b, l0, b0, fitted)
        rf, sse, level, trend, nobs = reference_holt(y, a, b, l0, b0)
        scale = np.nanmax(np.abs(y))
        assert np.array_equal(np.isnan(fitted), np.isnan(rf))
        ok = ~np.isnan(rf)
        close(fitted[ok], rf[ok], scale, 1e-12)
        close(d["sse"], sse, 0, 1e-12)
        close([d["level"], d["trend"]], [level, trend], scale, 1e-12)
        assert d["nobs"] == nobs


def test_leading_and_trailing_nan_are_trimmed():
    y = np.concatenate([[np.nan, np.nan], CLA, [np.nan]])
    fitted = np.empty(len(y))
    d = fit(y, fitted=fitted)
    trimmed = np.empty(8)
    alone = fit(CLA, fitted=trimmed)
    # The same fit, one step short of the end of the series.
    assert d.pop("trailing") == 1 and alone.pop("trailing") == 0
    assert d == alone
    assert np.isnan(fitted[[0, 1, 10]]).all()
    assert np.array_equal(fitted[2:10], trimmed)


def test_interior_nan_adds_no_error_and_moves_by_the_trend():
    y = np.array([np.nan, 11.0, np.nan, 16.0, np.nan])
    fitted = np.empty(5)
    d = fit(y, 0.5, 0.5, 8.0, 2.0, fitted)
    # By hand: forecasts 10, 12.75, 15; errors 1, -, 1.
    assert np.array_equal(fitted[1:4], [10.0, 12.75, 15.0])
    assert (d["sse"], d["nobs"], d["level"], d["trend"]) == (2.0, 2, 15.5,
                                                              2.5)


# ---- the batch ----------------------------------------------------------

def batch_outputs(n_series, horizon):
    outs = [np.full(n_series * horizon, -1.0) for _ in range(3)]
    outs += [np.full(n_series, -1.0) for _ in range(5)]
    outs.append(np.full(n_series, -1, dtype=np.int64))
    return outs


def run_batch(values, horizon=4, alpha=None, beta=None, initial_level=None,
              initial_trend=None, level=0.9, threads=1):
    outs = batch_outputs(values.shape[0], horizon)
    _core.holt_batch(values, alpha, beta, initial_level, initial_trend,
                     horizon, level, threads, *outs)
    return outs


def batch_values(seed, n_series=400, n_times=12):
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(3, 6, (n_series, n_times)), axis=1) + 400
    values[rng.uniform(size=values.shape) < 0.1] = np.nan
    values[::50] = np.nan          # no observation
    values[1::50, 1:] = np.nan     # one
    values[2::50, :3] = np.nan     # leading gap
    return values


def same(a, b):
    return np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("params", [
    {}, {"alpha": 0.4, "beta": 0.3}, {"beta": 0.1},
    {"alpha": 0.4, "beta": 0.3, "initial_level": 420.0, "initial_trend": 2.0},
])
def test_batch_equals_single_fits(params):
    values = batch_values(1)
    h = 4
    outs = run_batch(values, h, **params)
    mean, lower, upper, alpha, beta, l0, b0, sse, nobs = outs
    for s, row in enumerate(values):
        n = int(np.sum(~np.isnan(row)))
        assert nobs[s] == n
        if n < 2:
            assert np.isnan(mean[s * h:(s + 1) * h]).all()
            assert np.isnan([alpha[s], beta[s], l0[s], b0[s], sse[s]]).all()
            with pytest.raises(InputError, match="at least 2 observations"):
                fit(row, **params)
            continue
        d = fit(row, **params)
        m, lo, up = forecast(d, h, 0.9)
        assert [alpha[s], beta[s], l0[s], b0[s], sse[s]] == \
            [d["alpha"], d["beta"], d["initial_level"], d["initial_trend"],
             d["sse"]]
        assert same(mean[s * h:(s + 1) * h], m)
        assert same(lower[s * h:(s + 1) * h], lo)
        assert same(upper[s * h:(s + 1) * h], up)


def test_batch_thread_counts_identical():
    values = batch_values(2, 1000, 10)
    first = run_batch(values, threads=1)
    for threads in (2, 4, 0):
        assert all(same(a, b) for a, b in
                   zip(first, run_batch(values, threads=threads)))


def test_batch_non_contiguous_views():
    values = batch_values(3, 120, 14)
    reference = run_batch(np.ascontiguousarray(values))
    fortran = np.asfortranarray(values)
    assert all(same(a, b) for a, b in zip(reference, run_batch(fortran)))
    # Reversed in time and in series order: negative strides.
    flipped = values[::-1, ::-1]
    got = run_batch(flipped[::-1, ::-1])
    assert all(same(a, b) for a, b in zip(reference, got))
    # Every other time of a wider array, and every third series.
    wide = np.full((360, 28), 1e308)
    wide[::3, ::2] = values.repeat(3, axis=0)[::3]
    got = run_batch(wide[::3, ::2])
    assert all(same(a, b) for a, b in zip(reference, got))
    # A strided 1-D series for holt_fit.
    spaced = np.full(2 * len(CLA), np.inf)
    spaced[::2] = CLA
    assert fit(spaced[::2]) == fit(CLA)


def test_batch_outputs_may_be_none():
    values = batch_values(4, 60, 9)
    full = run_batch(values)
    outs = [None] * 9
    outs[7] = np.empty(60)
    _core.holt_batch(values, None, None, None, None, 4, 0.9, 1, *outs)
    assert same(outs[7], full[7])
    # No interval wanted: the level is not checked.
    _core.holt_batch(values, None, None, None, None, 4, 5.0, 1,
                     *([None] * 9))


def test_batch_releases_the_gil():
    """A big batch on another thread lets this one run meanwhile."""
    values = batch_values(5, 20000, 10)
    outs = batch_outputs(20000, 2)
    ticks = []
    worker = threading.Thread(target=_core.holt_batch, args=(
        values, None, None, None, None, 2, 0.9, 1, *outs))
    worker.start()
    while worker.is_alive():
        ticks.append(1)
        worker.join(0.001)
    assert len(ticks) > 5


# ---- errors -------------------------------------------------------------

def test_holt_fit_errors():
    with pytest.raises(InputError, match="at least 2 observations.*has 1"):
        fit(np.array([np.nan, 3.0]))
    with pytest.raises(InputError, match="value 2 .*infinite"):
        fit(np.array([1.0, 2.0, np.inf, 3.0]))
    with pytest.raises(InputError, match="alpha"):
        fit(CLA, alpha=1.5)
    with pytest.raises(InputError, match="beta"):
        fit(CLA, beta=-0.1)
    with pytest.raises(InputError, match="initial_level"):
        fit(CLA, initial_level=float("nan"))
    with pytest.raises(TypeError, match="alpha must be a number or None"):
        fit(CLA, alpha="0.5")
    with pytest.raises(TypeError, match="initial_trend must be a number"):
        fit(CLA, initial_trend=True)
    with pytest.raises(TypeError, match="values must hold float64"):
        fit(CLA.astype(np.float32))
    with pytest.raises(ValueError, match="values must be a 1-D array; this "
                       "one has 2 dimensions"):
        fit(CLA.reshape(2, 4))
    with pytest.raises(ValueError, match="fitted holds 7 values; 8 are"):
        fit(CLA, fitted=np.empty(7))
    with pytest.raises(ValueError, match="fitted shares memory with values"):
        y = CLA.copy()
        fit(y, fitted=y)
    with pytest.raises(TypeError, match="fitted must hold float64"):
        fit(CLA, fitted=np.empty(8, dtype=np.int64))
    readonly = np.empty(8)
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="fitted .*read-only"):
        fit(CLA, fitted=readonly)
    with pytest.raises(TypeError, match="values .*bytes-like"):
        fit(list(CLA))


def test_holt_forecast_errors():
    d = fit(CLA, 0.6, 0.3, 800.0, 50.0)
    m = np.empty(3)
    with pytest.raises(InputError, match="level must be between 0 and 1"):
        _core.holt_forecast(d, 3, 1.0, m, m.copy(), None)
    with pytest.raises(TypeError, match="level must be a number"):
        _core.holt_forecast(d, 3, None, m, None, None)
    with pytest.raises(ValueError, match="horizon must be 0 or more"):
        _core.holt_forecast(d, -1, 0.95, m, None, None)
    with pytest.raises(TypeError, match="horizon must be an int"):
        _core.holt_forecast(d, 3.0, 0.95, m, None, None)
    with pytest.raises(ValueError, match="mean holds 3 values; 4 are"):
        _core.holt_forecast(d, 4, 0.95, m, None, None)
    with pytest.raises(ValueError, match="upper holds 2 values; 3 are"):
        _core.holt_forecast(d, 3, 0.95, m, None, np.empty(2))
    with pytest.raises(TypeError, match="mean must be a float64 array"):
        _core.holt_forecast(d, 3, 0.95, None, None, None)
    broken = dict(d)
    del broken["sigma2"]
    with pytest.raises(ValueError, match="fit has no 'sigma2'"):
        _core.holt_forecast(broken, 3, 0.95, m, None, None)
    broken = dict(d, trend="up")
    with pytest.raises(TypeError, match=r"fit\['trend'\] must be a number"):
        _core.holt_forecast(broken, 3, 0.95, m, None, None)
    with pytest.raises(TypeError, match="fit must be the dict"):
        _core.holt_forecast([d], 3, 0.95, m, None, None)


def test_holt_batch_errors():
    values = batch_values(6, 10, 8)
    outs = batch_outputs(10, 3)

    def call(v=values, alpha=None, horizon=3, level=0.9, threads=1, **swap):
        o = list(outs)
        for name, arr in swap.items():
            o[OUT_NAMES.index(name)] = arr
        _core.holt_batch(v, alpha, None, None, None, horizon, level,
                         threads, *o)

    with pytest.raises(ValueError, match=r"mean holds 29 values; 30 are "
                       r"needed \(n_series x horizon\)"):
        call(mean=np.empty(29))
    with pytest.raises(ValueError, match=r"sse holds 11 values; 10 are "
                       r"needed \(one a series\)"):
        call(sse=np.empty(11))
    with pytest.raises(TypeError, match="nobs must hold int64"):
        call(nobs=np.empty(10))
    with pytest.raises(TypeError, match="alpha_out must hold float64"):
        call(alpha_out=np.empty(10, dtype=np.int64))
    with pytest.raises(ValueError, match="lower .*not C-contiguous"):
        call(lower=np.empty(60)[::2])
    with pytest.raises(ValueError, match=r"values must be a 2-D \(series x "
                       r"time\) array; this one has 1 dimension$"):
        call(v=values[0])
    with pytest.raises(TypeError, match="values must hold float64"):
        call(v=values.astype(np.float32))
    odd = np.ndarray((3, 4), dtype=np.float64, buffer=np.zeros(200, np.uint8),
                     strides=(36, 4))
    with pytest.raises(ValueError, match="values has a stride of 36 bytes "
                       "in dimension 0; strides must be whole multiples of 8"):
        call(v=odd)
    with pytest.raises(ValueError, match="threads must be 0"):
        call(threads=-1)
    with pytest.raises(ValueError, match="horizon must be 0 or more"):
        call(horizon=-2)
    with pytest.raises(InputError, match="level must be between 0 and 1"):
        call(level=0.0)
    with pytest.raises(InputError, match="alpha"):
        call(alpha=2.0)
    shared = np.zeros((10, 6))
    with pytest.raises(ValueError, match="mean shares memory with values"):
        call(v=shared, mean=shared.reshape(-1)[30:])
    with pytest.raises(TypeError, match="sse .*bytes-like"):
        call(sse=[0.0] * 10)
    with pytest.raises(ValueError, match="upper .*read-only"):
        frozen = np.empty(30)
        frozen.flags.writeable = False
        call(upper=frozen)
    bad = values.copy()
    bad[7, 5] = -np.inf
    bad[3, 1] = np.inf
    with pytest.raises(InputError, match="series 3: value 1 .*infinite"):
        call(v=bad)


def test_trailing_nan_forecasts_from_the_end_of_the_series():
    # A series one year short is forecast at the same times as a full one:
    # the first forecast is two steps past its last observation.
    y = np.concatenate([CLA, [np.nan]])
    d = fit(y, 0.6, 0.3, 800.0, 50.0)
    mean, lower = np.empty(2), np.empty(2)
    _core.holt_forecast(d, 2, 0.95, mean, lower, None)
    ref = Holt(CLA, initialization_method="known", initial_level=800.0,
               initial_trend=50.0).fit(smoothing_level=0.6,
                                       smoothing_trend=0.3, optimized=False)
    close(mean, ref.forecast(3)[1:], 1.0, 1e-12)
    batch_mean = np.empty((1, 2))
    _core.holt_batch(y[None, :], 0.6, 0.3, 800.0, 50.0, 2, 0.95, 1,
                     batch_mean, None, None, None, None, None, None, None,
                     None)
    assert np.array_equal(batch_mean[0], mean)
