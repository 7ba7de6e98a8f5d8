"""Demand forecasts: a linear trend fitted by ordinary least squares, with
the confidence interval of the mean and the prediction interval of a new
observation, and Holt's linear exponential smoothing; each for one series
or for thousands at once.

The fitting runs in the C core (forecast.h); this module converts the
caller's values and lays the results out as statsmodels users expect:
``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``,
``obs_ci_lower``, ``obs_ci_upper``.  Missing values (NaN, None, pandas NA)
are skipped.  Demand is a count of children or referrals, not money, so it
is a float here; what it costs is worked out in pence by
:mod:`apportion.scenario`.

>>> from apportion import forecast
>>> trend = forecast.linear_trend([10, 12, 14, 16], predict_at=[4, 5])
>>> trend["mean"].tolist()
[18.0, 20.0]
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union, cast, overload

import numpy as np
import numpy.typing as npt

from . import _core, limits
from ._convert import count
from ._convert import threads as _threads
from ._deprecate import keyword_only_after
from .errors import InputError
from .present.mixin import Presentable
from .present.model import Chart, Column, Row, Series, Table, View

if TYPE_CHECKING:
    import pandas as pd

_F64 = npt.NDArray[np.float64]
#: One series: a sequence of numbers (None for a missing one), a numpy
#: array or a pandas Series (whose numeric index gives the times).
Series1D = Union[Sequence[float | None], "npt.NDArray[Any]", "pd.Series[Any]"]
#: Many series: a 2-D (series x time) numpy array, or a DataFrame with a row
#: a series (numeric column labels are the times).
Series2D = Union["npt.NDArray[Any]", "pd.DataFrame"]
#: Times: a number or a sequence of them.
Times = Union[float, Sequence[float], "npt.NDArray[Any]", "pd.Series[Any]", "pd.Index[Any]"]

__all__ = [
    "BatchForecast",
    "Forecast",
    "HoltFit",
    "TrendFit",
    "fit_holt",
    "fit_linear_trend",
    "holt",
    "holt_batch",
    "linear_trend",
    "linear_trend_batch",
]

#: The columns of a forecast frame, in statsmodels' order.
TREND_COLUMNS = ("mean", "mean_se", "mean_ci_lower", "mean_ci_upper",
                 "obs_ci_lower", "obs_ci_upper")
BATCH_COLUMNS = ("mean", "mean_ci_lower", "mean_ci_upper", "obs_ci_lower",
                 "obs_ci_upper")
HOLT_COLUMNS = ("mean", "obs_ci_lower", "obs_ci_upper")

#: Series a BatchForecast's view lists.
_VIEW_SERIES = 40

# trend_predict writes these seven columns per predicted time.
_PREDICT_COLUMNS = (*TREND_COLUMNS, "obs_se")


# ---- converting what callers hold -------------------------------------

def _level(level: object) -> float:
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise TypeError(f"level must be a number such as 0.95, not "
                        f"{type(level).__name__}")
    value = float(level)
    if not 0.0 < value < 1.0:
        raise InputError(f"level must be between 0 and 1 (0.95 for a 95% "
                         f"interval), not {value!r}")
    return value


def _float_vector(values: object, name: str) -> _F64:
    """A 1-D float64 array; None and pandas NA become NaN."""
    try:
        import pandas as pd
        if isinstance(values, (pd.Series, pd.Index)):
            values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers: {exc}") from None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        objects = np.array([np.nan if v is None else v
                            for v in cast("Iterable[object]", values)], dtype=object)
        try:
            array = objects.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name} must be numbers: {exc}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise InputError(f"{name} must be one series (1-D), not an array of "
                         f"shape {array.shape}")
    return np.ascontiguousarray(array)


def _index_times(values: object) -> _F64 | None:
    """The times a pandas Series carries in a numeric index (years, say;
    a default index is 0, 1, 2...); None for a non-numeric index."""
    import pandas as pd
    if not isinstance(values, pd.Series):
        return None
    index = values.index
    if not pd.api.types.is_numeric_dtype(index):
        return None
    return np.asarray(index, dtype=np.float64)


def _series_and_times(values: Series1D, times: Times | None) -> tuple[_F64, _F64]:
    y = _float_vector(values, "values")
    if times is None:
        t = _index_times(values)
        if t is None:
            t = np.arange(y.shape[0], dtype=np.float64)
    else:
        t = _float_vector(times, "times")
    if t.shape[0] != y.shape[0]:
        raise InputError(f"times has {t.shape[0]} values and values "
                         f"{y.shape[0]}; they must be the same length")
    return y, t


def _times_to_predict(predict_at: Times | None, default: _F64) -> _F64:
    if predict_at is None:
        return default
    return _float_vector(predict_at, "predict_at")


def _time_index(at: _F64, name: str = "time") -> pd.Index[Any]:
    """Whole-number times (years) as an integer index, others as floats."""
    import pandas as pd
    if at.size and np.all(np.isfinite(at)) and np.all(at == np.round(at)):
        return pd.Index(at.astype(np.int64), name=name)
    return pd.Index(at, name=name)


def _matrix(values: Series2D) -> tuple[_F64, _F64 | None, pd.Index[Any] | None]:
    """A 2-D float64 array of series x time, read in place when it is one
    already (any strides); with the times a DataFrame's numeric columns
    carry, and the series labels of its index."""
    import pandas as pd
    times: _F64 | None = None
    labels: pd.Index[Any] | None = None
    if isinstance(values, pd.DataFrame):
        if pd.api.types.is_numeric_dtype(values.columns):
            times = np.asarray(values.columns, dtype=np.float64)
        labels = values.index
        values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    array = np.asarray(values)
    if array.dtype != np.float64:
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"values must be numbers: {exc}") from None
    if array.ndim != 2:
        raise InputError(f"values must be a 2-D array of series x time, not "
                         f"shape {array.shape}")
    if array.strides[0] % 8 or array.strides[1] % 8:
        array = np.ascontiguousarray(array)
    return array, times, labels


def _out(shape: int | tuple[int, int]) -> _F64:
    return np.empty(shape, dtype=np.float64)


def _counts(n: int) -> npt.NDArray[np.int64]:
    return np.empty(n, dtype=np.int64)


# ---- linear trend -------------------------------------------------------

@dataclass(frozen=True)
class TrendFit(Presentable):
    """An ordinary least squares line, ``value = intercept + slope * time``,
    fitted to the pairs where both are present."""

    nobs: int
    intercept: float
    slope: float
    intercept_se: float
    slope_se: float
    sigma2: float
    ssr: float
    r_squared: float
    time_mean: float
    sxx: float
    #: the (times, values) the line was fitted to, for views and charts;
    #: None for a fit made from its parameters alone
    observed: tuple[_F64, _F64] | None = field(default=None, compare=False,
                                               repr=False)

    def __deepcopy__(self, memo: dict[int, object]) -> TrendFit:
        # Immutable: pandas copies a frame's attrs (where a forecast keeps
        # its fit) deeply, and the observations need not be copied.
        return self

    @property
    def params(self) -> np.ndarray:
        """[intercept, slope], as statsmodels' ``results.params``."""
        return np.array([self.intercept, self.slope])

    @property
    def bse(self) -> np.ndarray:
        """The standard errors of :attr:`params`."""
        return np.array([self.intercept_se, self.slope_se])

    @property
    def df_resid(self) -> int:
        return self.nobs - 2

    def predict(self, at: Times | None = None, level: float = 0.95) -> pd.DataFrame:
        """The fitted mean at the times ``at`` (a time or a sequence of
        them; the mean time fitted when None), with both intervals at
        ``level``: a DataFrame indexed by time."""
        import pandas as pd
        at_times = _times_to_predict(
            at, np.array([self.time_mean], dtype=np.float64))
        out = _out((at_times.shape[0], len(_PREDICT_COLUMNS)))
        _core.trend_predict(self._as_dict(), at_times, _level(level), out)
        frame = pd.DataFrame(out[:, :len(TREND_COLUMNS)],
                             columns=list(TREND_COLUMNS),
                             index=_time_index(at_times))
        frame.attrs.update(fit=self, level=float(level),
                           quantile=_core.t_quantile(0.5 + level / 2,
                                                     float(self.df_resid)))
        return frame

    def _as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in
                self.__dataclass_fields__ if name != "observed"}

    def view(self) -> View:
        """The fit on a page: the line and its standard errors, and, when
        the observations are known, the fitted line over them with its
        prediction interval (:class:`Forecast`'s table and chart)."""
        table = Table("Linear trend fitted by ordinary least squares", (
            Column("quantity", "Quantity", role="label"),
            Column("estimate", "Estimate", "number", decimals=4),
            Column("se", "Standard error", "number", decimals=4)), (
            Row(("Intercept", self.intercept, self.intercept_se)),
            Row(("Slope (a time step)", self.slope, self.slope_se)),
            Row(("Residual variance", self.sigma2, None)),
            Row(("R squared", self.r_squared, None)),
            Row(("Observations", self.nobs, None))),
            source="computed by apportion", negatives="minus", name="Trend fit")
        paragraphs = (f"value = {self.intercept:,.4g} + {self.slope:,.4g} x time, "
                      f"fitted to {self.nobs} values; R squared "
                      f"{self.r_squared:.3f}.",)
        if self.observed is None:
            return View("Linear trend", paragraphs, tables=(table,))
        times, values = self.observed
        fitted = Forecast(self.predict(times), observed=_observed_series(times, values),
                          title="Linear trend").view()
        return View("Linear trend", paragraphs + fitted.paragraphs[1:],
                    tables=(table, *fitted.tables), charts=fitted.charts)


def fit_linear_trend(values: Series1D, times: Times | None = None) -> TrendFit:
    """Fits ``value = intercept + slope * time`` by ordinary least squares.

    ``values`` is one series: a sequence, numpy array or pandas Series
    (whose numeric index, years say, gives the times when ``times`` is
    None; otherwise the times are 0, 1, 2...).  Missing values are left
    out; at least 3 pairs are needed, so that the intervals have a degree
    of freedom.
    """
    y, t = _series_and_times(values, times)
    return TrendFit(**_core.trend_fit(t, y), observed=_kept(t, y))


@keyword_only_after(3)
def linear_trend(values: Series1D, times: Times | None = None,
                 predict_at: Times | None = None, *,
                 level: float = 0.95) -> pd.DataFrame:
    """A linear trend's forecast: a DataFrame with one row per time in
    ``predict_at`` (the fitted times when None) and the columns
    ``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``,
    ``obs_ci_lower`` and ``obs_ci_upper`` — statsmodels'
    ``get_prediction(...).summary_frame(alpha=1 - level)``.

    ``mean_ci_*`` bound the line itself; ``obs_ci_*`` bound a new year's
    figure, which also varies about the line.  The fit is in
    ``frame.attrs["fit"]`` (a :class:`TrendFit`).

    >>> import pandas as pd
    >>> cla = pd.Series([834, 936, 993, 1004, 1092, 1123, 1157, 1144],
    ...                 index=range(2014, 2022))
    >>> linear_trend(cla, predict_at=[2022, 2023, 2024])   # doctest: +SKIP
    """
    y, t = _series_and_times(values, times)
    fit = TrendFit(**_core.trend_fit(t, y), observed=_kept(t, y))
    return fit.predict(_times_to_predict(predict_at, t), level)


def _kept(times: _F64, values: _F64) -> tuple[_F64, _F64]:
    """Read-only copies of a fit's observations, for its view."""
    t, y = times.copy(), values.copy()
    t.flags.writeable = y.flags.writeable = False
    return t, y


def _observed_series(times: _F64, values: _F64) -> pd.Series[float]:
    import pandas as pd
    keep = ~np.isnan(values)
    return pd.Series(values[keep], index=_time_index(times[keep]))


@dataclass(frozen=True, eq=False)
class BatchForecast(Presentable):
    """Forecasts of many series as arrays: each prediction array is
    (series x predicted time), each fit array has one value per series.
    A series with too few values has NaN throughout and its ``nobs``.
    Holt's method has no interval of the mean: ``mean_ci_*`` are None."""

    predict_at: _F64
    mean: _F64
    mean_ci_lower: _F64 | None
    mean_ci_upper: _F64 | None
    obs_ci_lower: _F64
    obs_ci_upper: _F64
    nobs: npt.NDArray[np.int64]
    params: dict[str, _F64]
    labels: npt.NDArray[Any] | pd.Index[Any] | None = None
    method: str = "linear_trend"

    def to_frame(self) -> pd.DataFrame:
        """A long DataFrame indexed by (series, time), a column per
        output as in :func:`linear_trend` (no ``mean_se``)."""
        import pandas as pd
        n_series, n_pred = self.mean.shape
        series = (pd.Index(self.labels) if self.labels is not None
                  else pd.RangeIndex(n_series))
        index = pd.MultiIndex.from_arrays(
            [np.repeat(series, n_pred),
             np.tile(_time_index(self.predict_at), n_series)],
            names=[series.name or "series", "time"])
        columns = {"mean": self.mean.ravel()}
        if self.mean_ci_lower is not None and self.mean_ci_upper is not None:
            columns["mean_ci_lower"] = self.mean_ci_lower.ravel()
            columns["mean_ci_upper"] = self.mean_ci_upper.ravel()
        columns["obs_ci_lower"] = self.obs_ci_lower.ravel()
        columns["obs_ci_upper"] = self.obs_ci_upper.ravel()
        return pd.DataFrame(columns, index=index)

    def view(self) -> View:
        """The forecasts on a page: each series' forecast mean at each
        predicted time (the first 40 series; :meth:`to_frame` has them
        all, with their intervals)."""
        n_series, n_pred = self.mean.shape
        shown = min(n_series, _VIEW_SERIES)
        labels = (list(self.labels[:shown]) if self.labels is not None
                  else list(range(shown)))
        times = [_time_text(t) for t in self.predict_at.tolist()]
        columns = (Column("series", "Series", role="label"),
                   Column("nobs", "Values", "count", summed=False),
                   *(Column(f"t{j}", t, "number", decimals=1)
                     for j, t in enumerate(times)))
        rows = tuple(Row((str(labels[i]), int(self.nobs[i]), *_gaps(self.mean[i])))
                     for i in range(shown))
        method = ("Holt's linear exponential smoothing" if self.method == "holt"
                  else "a linear trend fitted by ordinary least squares")
        notes = () if shown == n_series else (
            f"The first {shown:,} of {n_series:,} series; to_frame() has them all.",)
        table = Table("Forecast means", columns, rows,
                      source="forecast by apportion", notes=notes, negatives="minus",
                      name="Forecast means")
        return View(f"Forecasts of {n_series:,} series",
                    (f"Each series forecast by {method} at {n_pred} "
                     f"{'time' if n_pred == 1 else 'times'}; a series with too "
                     f"few values has no forecast.",), tables=(table,))

    @classmethod
    def concat(cls, parts: Iterable[BatchForecast]) -> BatchForecast:
        """Joins the forecasts of consecutive blocks of series."""
        parts = list(parts)
        if not parts:
            raise InputError("concat needs at least one BatchForecast")
        first = parts[0]
        for p in parts[1:]:
            if p.method != first.method or not np.array_equal(
                    p.predict_at, first.predict_at, equal_nan=True):
                raise InputError("forecasts to join must come from the same "
                                 "method and predict the same times")

        def cat(name: str) -> npt.NDArray[Any]:
            return np.concatenate([getattr(p, name) for p in parts])

        def cat_optional(name: str) -> _F64 | None:
            return None if getattr(first, name) is None else cat(name)

        labels = None
        if all(p.labels is not None for p in parts):
            labels = np.concatenate([np.asarray(p.labels) for p in parts])
        return cls(first.predict_at, cat("mean"), cat_optional("mean_ci_lower"),
                   cat_optional("mean_ci_upper"),
                   cat("obs_ci_lower"), cat("obs_ci_upper"), cat("nobs"),
                   {k: np.concatenate([p.params[k] for p in parts])
                    for k in first.params},
                   labels, first.method)


@overload
def linear_trend_batch(values: Series2D, times: Times | None = ...,
                       predict_at: Times | None = ..., *, level: float = ...,
                       threads: int | None = ...,
                       as_frame: Literal[True] = ...) -> pd.DataFrame: ...
@overload
def linear_trend_batch(values: Series2D, times: Times | None = ...,
                       predict_at: Times | None = ..., *, level: float = ...,
                       threads: int | None = ...,
                       as_frame: Literal[False]) -> BatchForecast: ...
@overload
def linear_trend_batch(values: Series2D, times: Times | None = ...,
                       predict_at: Times | None = ..., *, level: float = ...,
                       threads: int | None = ...,
                       as_frame: bool) -> pd.DataFrame | BatchForecast: ...


@keyword_only_after(3)
def linear_trend_batch(values: Series2D, times: Times | None = None,
                       predict_at: Times | None = None, *,
                       level: float = 0.95, threads: int | None = None,
                       as_frame: bool = True) -> pd.DataFrame | BatchForecast:
    """Fits a linear trend to every row of a (series x time) array at once
    and predicts each at the same times.

    ``values`` is a 2-D numpy array (read in place whatever its strides) or
    a DataFrame with a row per series (numeric column labels are the
    times).  Missing values are skipped row by row.  The fitting runs in C
    over ``threads`` threads (None: every core) without the GIL, and the
    results do not depend on the thread count.

    Returns the long DataFrame of :meth:`BatchForecast.to_frame`, or with
    ``as_frame=False`` the :class:`BatchForecast` of arrays (the fast path
    for a million series).
    """
    array, frame_times, labels = _matrix(values)
    n_series, n_times = array.shape
    if times is None:
        t = (frame_times if frame_times is not None
             else np.arange(n_times, dtype=np.float64))
    else:
        t = _float_vector(times, "times")
    if t.shape[0] != n_times:
        raise InputError(f"times has {t.shape[0]} values and each series "
                         f"{n_times}; they must be the same length")
    at = _times_to_predict(predict_at, t)
    shape = (n_series, at.shape[0])
    outs = [_out(shape) for _ in BATCH_COLUMNS]
    intercept, slope, sigma2 = (_out(n_series) for _ in range(3))
    nobs = _counts(n_series)
    _core.trend_batch(array, t, at, _level(level), _threads(threads), outs[0],
                      outs[1], outs[2], outs[3], outs[4], intercept, slope,
                      sigma2, nobs)
    batch = BatchForecast(at, outs[0], outs[1], outs[2], outs[3], outs[4],
                          nobs, {"intercept": intercept, "slope": slope,
                                 "sigma2": sigma2}, labels)
    return batch.to_frame() if as_frame else batch


# ---- Holt's linear exponential smoothing -------------------------------

@dataclass(frozen=True, eq=False)
class HoltFit(Presentable):
    """Holt's linear method as fitted (or fixed): the smoothing parameters,
    the initial state, the state after the last observation and the one-
    step errors' sum of squares.  ``fittedvalues`` are the one-step
    forecasts of the observations."""

    alpha: float
    beta: float
    initial_level: float
    initial_trend: float
    nobs: int
    sse: float
    sigma2: float
    level: float
    trend: float
    trailing: int = 0
    fittedvalues: np.ndarray | None = None
    last_time: float = 0.0     # the time of the series' last value
    step: float = 1.0
    #: the series fitted (NaN where missing), for views and charts
    observed: _F64 | None = field(default=None, compare=False, repr=False)

    def __deepcopy__(self, memo: dict[int, object]) -> HoltFit:
        return self  # immutable; see TrendFit.__deepcopy__

    def _times(self) -> _F64:
        n = 0 if self.observed is None else self.observed.shape[0]
        return self.last_time - self.step * np.arange(n - 1, -1, -1,
                                                      dtype=np.float64)

    def view(self) -> View:
        """The fit on a page: the smoothing parameters, the states and the
        errors, and, when the series is known, a chart of it beside the
        one-step forecasts."""
        table = Table("Holt's linear exponential smoothing", (
            Column("quantity", "Quantity", role="label"),
            Column("value", "Value", "number", decimals=4)), tuple(
            Row((name, value)) for name, value in (
                ("Alpha (level smoothing)", self.alpha),
                ("Beta (trend smoothing)", self.beta),
                ("Initial level", self.initial_level),
                ("Initial trend", self.initial_trend),
                ("Level after the last value", self.level),
                ("Trend after the last value", self.trend),
                ("Sum of squared one-step errors", self.sse),
                ("Residual variance", self.sigma2),
                ("Observations", self.nobs))),
            source="computed by apportion", negatives="minus", name="Holt fit")
        paragraphs = (f"Holt's linear method with alpha {self.alpha:.4g} and beta "
                      f"{self.beta:.4g}, fitted to {self.nobs} values.",)
        charts: tuple[Chart, ...] = ()
        if self.observed is not None and self.fittedvalues is not None:
            times = [_time_text(t) for t in self._times()]
            charts = (Chart("Holt's one-step forecasts", "line", tuple(times), (
                Series("Observed", _gaps(self.observed)),
                Series("One-step forecast", _gaps(self.fittedvalues))),
                source="computed by apportion"),)
        return View("Holt's linear exponential smoothing", paragraphs,
                    tables=(table,), charts=charts)

    def forecast(self, horizon: int, level: float = 0.95) -> pd.DataFrame:
        """The ``horizon`` values after the end of the series (after any
        missing values at its end, too), with the ETS(A,A,N) prediction
        interval at ``level``: a DataFrame with ``mean``, ``obs_ci_lower``
        and ``obs_ci_upper``."""
        import pandas as pd
        h = _horizon(horizon)
        mean, lower, upper = _out(h), _out(h), _out(h)
        _core.holt_forecast(self._core_dict(), h, _level(level), mean,
                            lower, upper)
        at = self.last_time + self.step * np.arange(1, h + 1,
                                                    dtype=np.float64)
        frame = pd.DataFrame({"mean": mean, "obs_ci_lower": lower,
                              "obs_ci_upper": upper}, index=_time_index(at))
        frame.attrs.update(fit=self, level=float(level),
                           quantile=_core.t_quantile(0.5 + level / 2,
                                                     float("inf")))
        return frame

    def _core_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in
                ("alpha", "beta", "initial_level", "initial_trend", "nobs",
                 "sse", "sigma2", "level", "trend", "trailing")}


def _horizon(horizon: object) -> int:
    h = count(horizon, "horizon", of="steps")
    # A forecast's mean, bounds and times, four arrays of h values.
    limits.check_items(h, "horizon", items=4 * h)
    return h


def _param(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number or None (to fit it), not "
                        f"{type(value).__name__}")
    return float(value)


def _regular_step(times: _F64) -> float:
    if times.shape[0] < 2:
        return 1.0
    steps = np.diff(times)
    if not np.all(steps == steps[0]) or steps[0] <= 0:
        raise InputError("Holt's method needs equally spaced times (one a "
                         "year, say); these are not")
    return float(steps[0])


@keyword_only_after(1)
def fit_holt(values: Series1D, *, alpha: float | None = None,
             beta: float | None = None, initial_level: float | None = None,
             initial_trend: float | None = None) -> HoltFit:
    """Fits Holt's linear exponential smoothing (statsmodels' ``Holt``).

    Each parameter given is kept; those left None are fitted by least
    squares of the one-step errors: the initial level and trend exactly,
    ``alpha`` and ``beta`` by a bounded search over [0, 1].  A Series with
    a numeric index (years) dates the forecasts; its times must be evenly
    spaced.  Missing values update nothing: the level moves on by its
    trend.
    """
    y = _float_vector(values, "values")
    times = _index_times(values)
    step, last = 1.0, float(y.shape[0] - 1)
    if times is not None:
        step = _regular_step(times)
        last = float(times[-1])
    fitted = _out(y.shape[0])
    d = _core.holt_fit(y, _param(alpha, "alpha"), _param(beta, "beta"),
                       _param(initial_level, "initial_level"),
                       _param(initial_trend, "initial_trend"), fitted)
    return HoltFit(fittedvalues=fitted, last_time=last, step=step,
                   observed=_kept(y, y)[1], **d)


@keyword_only_after(2)
def holt(values: Series1D, horizon: int, *, alpha: float | None = None,
         beta: float | None = None, initial_level: float | None = None,
         initial_trend: float | None = None, level: float = 0.95) -> pd.DataFrame:
    """Holt's forecast ``horizon`` steps past the last value: a DataFrame
    with ``mean`` then ``obs_ci_lower`` and ``obs_ci_upper`` (the
    ETS(A,A,N) prediction interval at ``level``), indexed by time (after a
    Series' numeric index, else after 0..n-1).  The fit is in
    ``frame.attrs["fit"]`` (a :class:`HoltFit`); see :func:`fit_holt`."""
    return fit_holt(values, alpha=alpha, beta=beta, initial_level=initial_level,
                    initial_trend=initial_trend).forecast(horizon, level)


@overload
def holt_batch(values: Series2D, horizon: int, *, alpha: float | None = ...,
               beta: float | None = ..., initial_level: float | None = ...,
               initial_trend: float | None = ..., level: float = ...,
               threads: int | None = ...,
               as_frame: Literal[True] = ...) -> pd.DataFrame: ...
@overload
def holt_batch(values: Series2D, horizon: int, *, alpha: float | None = ...,
               beta: float | None = ..., initial_level: float | None = ...,
               initial_trend: float | None = ..., level: float = ...,
               threads: int | None = ...,
               as_frame: Literal[False]) -> BatchForecast: ...
@overload
def holt_batch(values: Series2D, horizon: int, *, alpha: float | None = ...,
               beta: float | None = ..., initial_level: float | None = ...,
               initial_trend: float | None = ..., level: float = ...,
               threads: int | None = ...,
               as_frame: bool) -> pd.DataFrame | BatchForecast: ...


@keyword_only_after(2)
def holt_batch(values: Series2D, horizon: int, *, alpha: float | None = None,
               beta: float | None = None, initial_level: float | None = None,
               initial_trend: float | None = None, level: float = 0.95,
               threads: int | None = None,
               as_frame: bool = True) -> pd.DataFrame | BatchForecast:
    """Holt's method on every row of a (series x time) array, with the same
    fixed parameters for all (None: fitted per series), forecast
    ``horizon`` steps: the long DataFrame of
    :meth:`BatchForecast.to_frame` or, with ``as_frame=False``, the
    :class:`BatchForecast` (``params`` holds each series' alpha, beta,
    initial level and trend and sse)."""
    array, frame_times, labels = _matrix(values)
    n_series, n_times = array.shape
    h = _horizon(horizon)
    # mean, lower and upper for every series, and the times.
    limits.check_items(h, "horizon", items=(3 * n_series + 1) * h)
    last = float(frame_times[-1]) if frame_times is not None else n_times - 1.0
    step = _regular_step(frame_times) if frame_times is not None else 1.0
    at = last + step * np.arange(1, h + 1, dtype=np.float64)
    mean, lower, upper = (_out((n_series, h)) for _ in range(3))
    params = {k: _out(n_series) for k in
              ("alpha", "beta", "initial_level", "initial_trend", "sse")}
    nobs = _counts(n_series)
    _core.holt_batch(array, _param(alpha, "alpha"), _param(beta, "beta"),
                     _param(initial_level, "initial_level"),
                     _param(initial_trend, "initial_trend"), h, _level(level),
                     _threads(threads), mean, lower, upper, params["alpha"],
                     params["beta"], params["initial_level"],
                     params["initial_trend"], params["sse"], nobs)
    batch = BatchForecast(at, mean, None, None, lower, upper, nobs, params,
                          labels, "holt")
    return batch.to_frame() if as_frame else batch


# ---- forecasts on a page ------------------------------------------------

def _time_text(t: float) -> str:
    """A time as a chart or table names it: 2024, not 2024.0."""
    return str(int(t)) if float(t).is_integer() else f"{t:g}"


def _gaps(values: npt.ArrayLike) -> tuple[float | None, ...]:
    """Floats with None where missing, as a chart's series takes them."""
    return tuple(None if v != v else float(v)
                 for v in np.asarray(values, dtype=np.float64).tolist())


class Forecast(Presentable):
    """A forecast frame (from :func:`linear_trend`, :meth:`TrendFit.predict`,
    :func:`holt` or :meth:`HoltFit.forecast`) made presentable: its
    :meth:`view` is the table of the forecast with its prediction interval
    and a line chart with the interval as a band, beside the observed
    values.

    ``observed`` is the series the forecast was made from (a Series indexed
    by time); None takes it from the frame's fit when the fit kept it.
    ``unit`` names what is counted ("children"); ``source`` the data's
    origin, for captions.

    >>> from apportion import forecast
    >>> f = forecast.Forecast(forecast.linear_trend([10, 12, 14, 16],
    ...                                             predict_at=[4, 5]))
    >>> f.view().tables[0].rows[-1].values
    ('5', None, 20.0, 20.0, 20.0)
    """

    def __init__(self, frame: pd.DataFrame, *, observed: pd.Series[Any] | None = None,
                 title: str = "Forecast", unit: str = "", source: str = "") -> None:
        if "mean" not in frame.columns:
            raise InputError("a forecast frame needs a 'mean' column (from "
                             "apportion.forecast)")
        self.frame = frame
        fit = frame.attrs.get("fit")
        if observed is None and isinstance(fit, TrendFit) and fit.observed is not None:
            observed = _observed_series(*fit.observed)
        if observed is None and isinstance(fit, HoltFit) and fit.observed is not None:
            observed = _observed_series(fit._times(), fit.observed)
        self.observed = observed
        self.title = title
        self.unit = unit
        self.source = source

    def __repr__(self) -> str:
        return f"Forecast({self.title!r}, {len(self.frame)} times)"

    def to_frame(self) -> pd.DataFrame:
        """A copy of the forecast frame."""
        return self.frame.copy()

    def _method(self) -> str:
        fit = self.frame.attrs.get("fit")
        if isinstance(fit, TrendFit):
            return (f"A linear trend fitted by ordinary least squares to "
                    f"{fit.nobs} values (R squared {fit.r_squared:.3f}).")
        if isinstance(fit, HoltFit):
            return (f"Holt's linear exponential smoothing (alpha {fit.alpha:.3g}, "
                    f"beta {fit.beta:.3g}) fitted to {fit.nobs} values.")
        return "A forecast."

    def view(self) -> View:
        """The forecast on a page: a row per time (observed, forecast and
        the prediction interval's bounds) and a line chart with the
        interval as a band."""
        level = self.frame.attrs.get("level")
        shown = "" if level is None else f"{float(level) * 100:g}% "
        lower, upper = f"{shown}interval, lower", f"{shown}interval, upper"
        times: dict[float, list[float | None]] = {}
        if self.observed is not None:
            for t, v in zip(np.asarray(self.observed.index, dtype=np.float64).tolist(),
                            _gaps(self.observed.to_numpy(dtype=np.float64,
                                                         na_value=np.nan))):
                times.setdefault(t, [None] * 4)[0] = v
        has_band = {"obs_ci_lower", "obs_ci_upper"} <= set(self.frame.columns)
        for i, t in enumerate(np.asarray(self.frame.index, dtype=np.float64).tolist()):
            row = times.setdefault(t, [None] * 4)
            row[1] = float(self.frame["mean"].iloc[i])
            if has_band:
                row[2] = float(self.frame["obs_ci_lower"].iloc[i])
                row[3] = float(self.frame["obs_ci_upper"].iloc[i])
        order = sorted(times)
        label = f" ({self.unit})" if self.unit else ""
        columns = [Column("time", "Time", role="label"),
                   Column("observed", f"Observed{label}", "number", decimals=1),
                   Column("mean", f"Forecast{label}", "number", decimals=1)]
        if has_band:
            columns += [Column("lower", lower.capitalize(), "number", decimals=1),
                        Column("upper", upper.capitalize(), "number", decimals=1)]
        width = len(columns) - 1
        rows = tuple(Row((_time_text(t), *times[t][:width])) for t in order)
        source = f"{self.source}; forecast by apportion" if self.source else \
            "Forecast by apportion"
        table = Table(self.title, tuple(columns), rows, source=source,
                      negatives="minus", name="Forecast")
        series = [Series("Observed", tuple(times[t][0] for t in order)),
                  Series("Forecast", tuple(times[t][1] for t in order))]
        band = None
        if has_band:
            series += [Series(lower, tuple(times[t][2] for t in order)),
                       Series(upper, tuple(times[t][3] for t in order))]
            band = (lower, upper)
        chart = Chart(self.title, "line", tuple(_time_text(t) for t in order),
                      tuple(series), unit=self.unit, band=band, source=source)
        paragraphs = [self._method()]
        if has_band:
            paragraphs.append(f"The band is the {shown}prediction interval: where "
                              f"a new period's figure is expected to fall, "
                              f"allowing for the scatter about the trend as "
                              f"well as the trend's own uncertainty.")
        return View(self.title, tuple(paragraphs), tables=(table,),
                    charts=(chart,), source=self.source)
