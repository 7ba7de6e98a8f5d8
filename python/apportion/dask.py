"""apportion on a Dask cluster (the optional extra ``apportion[dask]``).

Each function splits the work into independent pieces — partitions of
records, blocks of series, ranges of scenario numbers — runs apportion's
own single-machine code on each piece, and joins the pieces exactly:

- the SLA measure adds each partition's integer numerators and
  denominators and works the rate out once from the sums;
- a batch forecast fits every series on its own, so blocks of series join
  by concatenation;
- scenario k's draws depend only on (seed, k), so ranges of scenarios join
  into the run computed in one piece, bit for bit, percentiles included.

So the results equal the single-process results exactly, however the data
is partitioned.  Work runs on the ``client`` given, else on Dask's current
scheduler (a ``distributed.Client`` made earlier becomes the default).
Every function takes ``progress=``: a bar of the pieces as they finish
(see :mod:`apportion.progress`; by default where someone is watching).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import numpy.typing as npt

from . import forecast as _forecast
from . import measures as _measures
from . import progress as _progress
from ._convert import count
from ._deprecate import keyword_only_after
from .calendar import DateScalar
from .errors import InputError
from .forecast import BatchForecast, Times
from .measures import CalendarLike
from .scenario import CostScenario, ScenarioRun

if TYPE_CHECKING:
    import dask.array as da
    import dask.dataframe as dd
    import pandas as pd
    from dask.delayed import Delayed
    from distributed import Client


try:
    import dask as _dask
    import dask.array as _da
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError("apportion.dask needs Dask: pip install "
                      "'apportion[dask]'") from exc

__all__ = ["holt_batch", "linear_trend_batch", "simulate",
           "within_working_days"]


def _compute(tasks: Sequence[Delayed], client: Client | None, what: str,
             show: bool | None) -> list[Any]:
    """The tasks' results in order, on ``client`` or Dask's current
    scheduler, with a bar of finished pieces when one shows."""
    if not _progress.enabled(show):
        if client is not None:
            gathered: list[Any] = client.gather(client.compute(list(tasks)))
            return gathered
        return list(_dask.compute(*tasks))
    with _progress.bar(len(tasks), what, unit="piece", progress=True) as tick:
        if client is None:
            client = _current_client()
        if client is not None:
            from distributed import as_completed
            futures = client.compute(list(tasks))
            for _ in as_completed(futures):
                tick(1)
            done: list[Any] = client.gather(futures)
            return done
        from dask.callbacks import Callback
        keys = {task.key for task in tasks}

        class Ticks(Callback):  # type: ignore[misc]
            def _posttask(self, key: object, *_: object) -> None:
                if key in keys:
                    tick(1)

        with Ticks():
            return list(_dask.compute(*tasks))


def _current_client() -> Client | None:
    """The distributed client Dask would use by default, if there is one."""
    try:
        from distributed import default_client
        return default_client()
    except (ImportError, ValueError):  # no distributed, or no client made
        return None


# ---- SLA measures over a dask.dataframe --------------------------------

def _partition_measure(part: pd.DataFrame, start_column: str, end_column: str,
                       days: int, calendar: CalendarLike, by: str | Sequence[str] | None,
                       as_of: DateScalar, convention: str) -> pd.DataFrame:
    keys: pd.Series[Any] | list[pd.Series[Any]] | None = None
    if by is not None:
        keys = (part[by] if isinstance(by, str)
                else [part[column] for column in by])
    return _measures.within_working_days(
        part[start_column], part[end_column], days, calendar=calendar,
        by=keys, as_of=as_of, convention=convention)


@keyword_only_after(4)
def within_working_days(ddf: dd.DataFrame, start_column: str, end_column: str,
                        days: int, *, calendar: CalendarLike = "england-and-wales",
                        by: str | Sequence[str] | None = None,
                        as_of: DateScalar = None, convention: str = "after_start",
                        client: Client | None = None,
                        progress: bool | None = None) -> pd.DataFrame:
    """:func:`apportion.within_working_days` over a ``dask.dataframe``:
    each partition's counts (within, total, late, open...) by group, added
    exactly and the rates worked out from the sums.  ``by`` is a column
    name or a list of them.  Returns the pandas DataFrame the single-machine
    call gives on the whole data."""
    for column in [start_column, end_column] + (
            [] if by is None else [by] if isinstance(by, str) else list(by)):
        if column not in ddf.columns:
            raise InputError(f"the dataframe has no column {column!r}; its "
                             f"columns are {list(ddf.columns)}")
    parts = ddf.to_delayed()
    measure = _dask.delayed(_partition_measure)
    tasks = [measure(part, start_column, end_column, days, calendar, by,
                     as_of, convention) for part in parts]
    frames = _compute(tasks, client, "partitions", progress)
    out = _measures.combine(*frames)
    return out if by is None else _measures._sorted(out)


# ---- batch forecasts ---------------------------------------------------

def _series_blocks(values: npt.ArrayLike | da.Array, chunk_rows: int | None) -> list[Delayed]:
    """Delayed (series x time) blocks: a dask array's own row chunks (the
    time axis joined into one chunk), or a numpy array cut into blocks of
    ``chunk_rows`` series."""
    if not isinstance(values, _da.Array):
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 2:
            raise InputError(f"values must be a 2-D array of series x time, "
                             f"not shape {array.shape}")
        rows = chunk_rows or max(1, -(-array.shape[0] // 8))
        blocks = _da.from_array(array, chunks=(rows, -1)).to_delayed()
    elif values.ndim != 2:
        raise InputError(f"values must be a 2-D array of series x time, not "
                         f"{values.ndim}-D")
    else:
        blocks = values.rechunk({1: -1}).to_delayed()
    return [row[0] for row in blocks]


def _trend_block(block: npt.NDArray[np.float64], times: Times | None,
                 predict_at: Times | None, level: float) -> BatchForecast:
    return _forecast.linear_trend_batch(block, times=times,
                                        predict_at=predict_at, level=level,
                                        threads=1, as_frame=False)


def _holt_block(block: npt.NDArray[np.float64], horizon: int,
                params: dict[str, float | None], level: float) -> BatchForecast:
    return _forecast.holt_batch(block, horizon, level=level, threads=1,
                                as_frame=False, **params)


@overload
def linear_trend_batch(values: npt.ArrayLike | da.Array | dd.DataFrame, times: Times | None = ...,
                       predict_at: Times | None = ..., *, level: float = ...,
                       chunk_rows: int | None = ..., client: Client | None = ...,
                       as_frame: Literal[False] = ...) -> BatchForecast: ...
@overload
def linear_trend_batch(values: npt.ArrayLike | da.Array | dd.DataFrame, times: Times | None = ...,
                       predict_at: Times | None = ..., *, level: float = ...,
                       chunk_rows: int | None = ..., client: Client | None = ...,
                       as_frame: Literal[True]) -> pd.DataFrame: ...


@keyword_only_after(3)
def linear_trend_batch(values: npt.ArrayLike | da.Array | dd.DataFrame, times: Times | None = None,
                       predict_at: Times | None = None, *,
                       level: float = 0.95, chunk_rows: int | None = None,
                       client: Client | None = None, progress: bool | None = None,
                       as_frame: bool = False) -> BatchForecast | pd.DataFrame:
    """:func:`apportion.forecast.linear_trend_batch` with blocks of series
    fitted as separate tasks.  ``values`` is a dask array, a numpy array
    (cut into blocks of ``chunk_rows`` series) or a pandas or Dask
    DataFrame of series x time.  ``times`` defaults as in the single-process
    function: a DataFrame's numeric column labels (the years, say), else
    the positions 0, 1, ...  Returns the joined
    :class:`~apportion.forecast.BatchForecast` (or its frame with
    ``as_frame``), equal to the single-process one."""
    values, times, labels = _times_and_labels(values, times)
    fit = _dask.delayed(_trend_block)
    tasks = [fit(block, times, predict_at, level)
             for block in _series_blocks(values, chunk_rows)]
    batch = _forecast.BatchForecast.concat(
        _compute(tasks, client, "series blocks", progress))
    if labels is not None:
        batch = dataclasses.replace(batch, labels=labels)
    return batch.to_frame() if as_frame else batch


def _times_and_labels(values: Any, times: Times | None
                      ) -> tuple[Any, Times | None, pd.Index[Any] | None]:
    """The same defaults as the single-process function: a pandas or Dask
    DataFrame's numeric column labels are the times (unless ``times`` is
    given) and a pandas DataFrame's index labels the series.  Without
    them the blocks would fit against positions 0, 1, ... and a forecast
    "at 2024" would be 2,024 steps out."""
    import pandas as pd
    if isinstance(values, pd.DataFrame):
        array, frame_times, labels = _forecast._matrix(values)
        return array, times if times is not None else frame_times, labels
    dd = _dask_dataframe()
    if dd is not None and isinstance(values, dd.DataFrame):
        columns = pd.Index(values.columns)
        if times is None and pd.api.types.is_numeric_dtype(columns):
            times = np.asarray(columns, dtype=np.float64)
        return values.to_dask_array(lengths=True), times, None
    return values, times, None


def _dask_dataframe() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:  # dask without its dataframe part
        return None
    return dd


@overload
def holt_batch(values: npt.ArrayLike | da.Array, horizon: int, *, alpha: float | None = ...,
               beta: float | None = ..., initial_level: float | None = ...,
               initial_trend: float | None = ..., level: float = ...,
               chunk_rows: int | None = ..., client: Client | None = ...,
               progress: bool | None = ...,
               as_frame: Literal[False] = ...) -> BatchForecast: ...
@overload
def holt_batch(values: npt.ArrayLike | da.Array, horizon: int, *, alpha: float | None = ...,
               beta: float | None = ..., initial_level: float | None = ...,
               initial_trend: float | None = ..., level: float = ...,
               chunk_rows: int | None = ..., client: Client | None = ...,
               progress: bool | None = ...,
               as_frame: Literal[True]) -> pd.DataFrame: ...


@keyword_only_after(2)
def holt_batch(values: npt.ArrayLike | da.Array, horizon: int, *, alpha: float | None = None,
               beta: float | None = None, initial_level: float | None = None,
               initial_trend: float | None = None, level: float = 0.95,
               chunk_rows: int | None = None, client: Client | None = None,
               progress: bool | None = None,
               as_frame: bool = False) -> BatchForecast | pd.DataFrame:
    """:func:`apportion.forecast.holt_batch` with blocks of series fitted
    as separate tasks; see :func:`linear_trend_batch`."""
    params = {"alpha": alpha, "beta": beta, "initial_level": initial_level,
              "initial_trend": initial_trend}
    fit = _dask.delayed(_holt_block)
    tasks = [fit(block, horizon, params, level)
             for block in _series_blocks(values, chunk_rows)]
    batch = _forecast.BatchForecast.concat(
        _compute(tasks, client, "series blocks", progress))
    return batch.to_frame() if as_frame else batch


# ---- Monte Carlo scenarios ---------------------------------------------

def _simulate_range(scenario: CostScenario, count: int, seed: int,
                    start: int) -> ScenarioRun:
    return scenario.simulate(count, seed, start=start, threads=1)


@keyword_only_after(3)
def simulate(scenario: CostScenario, n: int, seed: int, *,
             chunk_size: int | None = None,
             client: Client | None = None,
             progress: bool | None = None) -> ScenarioRun:
    """``scenario.simulate(n, seed)`` as tasks of ``chunk_size`` scenarios
    each (by default 8 tasks), joined in scenario order: bit-identical to
    the run in one process, so its percentiles are too."""
    if not isinstance(scenario, CostScenario):
        raise TypeError(f"scenario must be a CostScenario, not "
                        f"{type(scenario).__name__}")
    n = count(n, "n", of="scenarios")
    size = count(chunk_size or max(1, -(-n // 8)), "chunk_size",
                 of="scenarios")
    run = _dask.delayed(_simulate_range)
    tasks = [run(scenario, min(size, n - start), seed, start)
             for start in range(0, int(n), int(size))]
    return ScenarioRun.concat(_compute(tasks, client, "scenario ranges", progress))
