"""Fit a linear trend to a million series of ten points, beside a
statsmodels loop and a vectorised numpy closed form; then Holt's method
beside a statsmodels loop and a numpy recursion.

The job: for each series (ten years of a count), the OLS line, and at the
next three years the mean with its 95% confidence interval and the 95%
prediction interval of a new observation — what statsmodels'
``get_prediction(...).summary_frame()`` gives.  apportion runs
``linear_trend_batch(..., as_frame=False)``: C, every core, no GIL.  numpy
runs the closed form on the whole array (the t quantile from scipy, once).
statsmodels runs per series, so it is timed on a sample and scaled.  All
three must agree to 1e-9 relative before anything is timed.

    .venv/bin/python bench/bench_forecast.py [--n N] [--sample S] [--repeat R]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from timing import best_of

from apportion import forecast

LEVEL = 0.95


def make_series(n, points, seed):
    rng = np.random.default_rng(seed)
    level = rng.uniform(50, 2000, size=(n, 1))
    slope = rng.normal(0, 20, size=(n, 1))
    noise = rng.normal(0, 1, size=(n, points)) * rng.uniform(1, 60, (n, 1))
    return level + slope * np.arange(points) + noise


def numpy_closed_form(values, times, at):
    """OLS by its closed form, vectorised over series (no missing values)."""
    from scipy import stats
    n = times.shape[0]
    tbar = times.mean()
    dt = times - tbar
    sxx = dt @ dt
    ybar = values.mean(axis=1)
    slope = (values @ dt) / sxx
    intercept = ybar - slope * tbar
    resid = values - intercept[:, None] - slope[:, None] * times
    sigma2 = np.einsum("ij,ij->i", resid, resid) / (n - 2)
    q = stats.t.ppf(0.5 + LEVEL / 2, n - 2)
    mean = intercept[:, None] + slope[:, None] * at
    h = 1.0 / n + (at - tbar) ** 2 / sxx
    mean_se = np.sqrt(sigma2[:, None] * h)
    obs_se = np.sqrt(sigma2[:, None] * (1 + h))
    return {"mean": mean, "mean_ci_lower": mean - q * mean_se,
            "mean_ci_upper": mean + q * mean_se,
            "obs_ci_lower": mean - q * obs_se,
            "obs_ci_upper": mean + q * obs_se}


def statsmodels_loop(values, times, at):
    import statsmodels.api as sm
    X = sm.add_constant(times)
    Xp = sm.add_constant(at, has_constant="add")
    out = []
    for row in values:
        res = sm.OLS(row, X).fit()
        out.append(res.get_prediction(Xp).summary_frame(alpha=1 - LEVEL))
    return out


def numpy_holt(values, alpha, beta, l0, b0, horizon):
    """Holt's recursion, vectorised over series, looped over time."""
    level = np.full(values.shape[0], l0)
    trend = np.full(values.shape[0], b0)
    for j in range(values.shape[1]):
        prev = level
        level = alpha * values[:, j] + (1 - alpha) * (level + trend)
        trend = beta * (level - prev) + (1 - beta) * trend
    return level[:, None] + trend[:, None] * np.arange(1, horizon + 1)


def statsmodels_holt_loop(values, alpha, beta, l0, b0, horizon):
    from statsmodels.tsa.holtwinters import Holt
    out = []
    for row in values:
        model = Holt(row, initialization_method="known", initial_level=l0,
                     initial_trend=b0)
        out.append(model.fit(smoothing_level=alpha, smoothing_trend=beta,
                             optimized=False).forecast(horizon))
    return np.array(out)


def relative_gap(a, b, scale):
    """The largest |a - b| relative to |b|, where a figure within a
    thousandth of its series' magnitude (``scale``, one per row) counts
    relative to that instead: an interval bound that cancels to nearly 0
    carries the rounding of the numbers it came from, in every method."""
    floor = 1e-3 * np.asarray(scale, dtype=np.float64).reshape(-1, 1)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--points", type=int, default=10)
    p.add_argument("--sample", type=int, default=2_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=2026)
    args, _ = p.parse_known_args(argv)

    values = make_series(args.n, args.points, args.seed)
    times = np.arange(args.points, dtype=np.float64)
    at = np.arange(args.points, args.points + 3, dtype=np.float64)
    sample = values[:: max(1, args.n // args.sample)][: args.sample]
    print(f"{args.n:,} series x {args.points} points, predicting 3 times at "
          f"{LEVEL:.0%}; statsmodels on {sample.shape[0]:,} series, scaled")

    ours = forecast.linear_trend_batch(values, times=times, predict_at=at,
                                       as_frame=False)
    closed = numpy_closed_form(values, times, at)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = statsmodels_loop(sample[:50], times, at)
    idx = np.arange(0, values.shape[0], max(1, args.n // args.sample))[:50]
    scale = np.abs(values).max(axis=1)
    worst = 0.0
    for name in forecast.BATCH_COLUMNS:
        worst = max(worst, relative_gap(getattr(ours, name), closed[name],
                                        scale))
        ref = np.array([f[name].to_numpy() for f in frames])
        worst = max(worst, relative_gap(getattr(ours, name)[idx], ref,
                                        scale[idx]))
    assert worst < 1e-9, worst
    print(f"agreement: worst relative gap {worst:.2e} against numpy and "
          f"statsmodels")

    t_all, _ = best_of(args.repeat, lambda: forecast.linear_trend_batch(
        values, times=times, predict_at=at, as_frame=False))
    t_one, _ = best_of(args.repeat, lambda: forecast.linear_trend_batch(
        values, times=times, predict_at=at, threads=1, as_frame=False))
    t_np, _ = best_of(args.repeat, lambda: numpy_closed_form(values, times, at))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        statsmodels_loop(sample, times, at)
    t_sm = (time.perf_counter() - start) * args.n / sample.shape[0]

    print(f"\nlinear trend, best of {args.repeat}:")
    print(f"  apportion (every core)        {t_all:9.4f} s   "
          f"{args.n / t_all / 1e6:8.1f} M series/s")
    print(f"  apportion (1 thread)          {t_one:9.4f} s   "
          f"{args.n / t_one / 1e6:8.1f} M series/s")
    print(f"  numpy closed form             {t_np:9.4f} s   "
          f"{args.n / t_np / 1e6:8.1f} M series/s")
    print(f"  statsmodels loop (scaled)     {t_sm:9.1f} s   "
          f"{args.n / t_sm / 1e6:8.4f} M series/s")
    print(f"  apportion is {t_sm / t_all:,.0f}x the statsmodels loop (aim "
          f"100x) and {t_np / t_all:.1f}x numpy (aim: faster); on one thread "
          f"{t_np / t_one:.1f}x numpy")

    # Holt's method with fixed parameters.
    alpha, beta, l0, b0, horizon = 0.6, 0.2, 500.0, 10.0, 3
    hb = forecast.holt_batch(values, horizon, alpha=alpha, beta=beta,
                             initial_level=l0, initial_trend=b0,
                             as_frame=False)
    gap = relative_gap(hb.mean, numpy_holt(values, alpha, beta, l0, b0,
                                           horizon), scale)
    ref = statsmodels_holt_loop(sample[:50], alpha, beta, l0, b0, horizon)
    gap = max(gap, relative_gap(hb.mean[idx], ref, scale[idx]))
    assert gap < 1e-9, gap
    t_h, _ = best_of(args.repeat, lambda: forecast.holt_batch(
        values, horizon, alpha=alpha, beta=beta, initial_level=l0,
        initial_trend=b0, as_frame=False))
    t_hnp, _ = best_of(args.repeat, lambda: numpy_holt(
        values, alpha, beta, l0, b0, horizon))
    start = time.perf_counter()
    statsmodels_holt_loop(sample, alpha, beta, l0, b0, horizon)
    t_hsm = (time.perf_counter() - start) * args.n / sample.shape[0]
    print(f"\nHolt, fixed parameters (worst gap {gap:.1e}), best of "
          f"{args.repeat}:")
    print(f"  apportion (every core, with intervals)  {t_h:9.4f} s")
    print(f"  numpy recursion (forecasts only)        {t_hnp:9.4f} s")
    print(f"  statsmodels Holt loop (scaled)          {t_hsm:9.1f} s")
    print(f"  apportion is {t_hsm / t_h:,.0f}x the statsmodels loop and "
          f"{t_hnp / t_h:.1f}x numpy")

    t_fit, _ = best_of(1, lambda: forecast.holt_batch(
        values[:100_000], horizon, as_frame=False))
    print(f"  fitting alpha, beta and the initial state of 100,000 series: "
          f"{t_fit:.2f} s")


if __name__ == "__main__":
    main()
