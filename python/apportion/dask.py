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
"""

from __future__ import annotations

import numpy as np

from . import forecast as _forecast
from . import measures as _measures
from ._convert import count
from .errors import InputError
from .scenario import CostScenario, ScenarioRun

try:
    import dask as _dask
    import dask.array as _da
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError("apportion.dask needs Dask: pip install "
                      "'apportion[dask]'") from exc

__all__ = ["holt_batch", "linear_trend_batch", "simulate",
           "within_working_days"]


def _compute(tasks, client):
    if client is not None:
        return client.gather(client.compute(list(tasks)))
    return list(_dask.compute(*tasks))


# ---- SLA measures over a dask.dataframe --------------------------------

def _partition_measure(part, start_column, end_column, days, calendar, by,
                       as_of, convention):
    keys = None
    if by is not None:
        keys = (part[by] if isinstance(by, str)
                else [part[column] for column in by])
    return _measures.within_working_days(
        part[start_column], part[end_column], days, calendar=calendar,
        by=keys, as_of=as_of, convention=convention)


def within_working_days(ddf, start_column: str, end_column: str, days: int,
                        calendar="england-and-wales", by=None, as_of=None,
                        convention: str = "after_start", client=None):
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
    frames = _compute(tasks, client)
    out = _measures.combine(*frames)
    return out if by is None else _measures._sorted(out)


# ---- batch forecasts ---------------------------------------------------

def _series_blocks(values, chunk_rows: int | None):
    """Delayed (series x time) blocks: a dask array's own row chunks (the
    time axis joined into one chunk), or a numpy array cut into blocks of
    ``chunk_rows`` series."""
    if not isinstance(values, _da.Array):
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 2:
            raise InputError(f"values must be a 2-D array of series x time, "
                             f"not shape {array.shape}")
        rows = chunk_rows or max(1, -(-array.shape[0] // 8))
        values = _da.from_array(array, chunks=(rows, -1))
    elif values.ndim != 2:
        raise InputError(f"values must be a 2-D array of series x time, not "
                         f"{values.ndim}-D")
    blocks = values.rechunk({1: -1}).to_delayed()
    return [row[0] for row in blocks]


def _trend_block(block, times, predict_at, level):
    return _forecast.linear_trend_batch(block, times=times,
                                        predict_at=predict_at, level=level,
                                        threads=1, as_frame=False)


def _holt_block(block, horizon, params, level):
    return _forecast.holt_batch(block, horizon, level=level, threads=1,
                                as_frame=False, **params)


def linear_trend_batch(values, times=None, predict_at=None,
                       level: float = 0.95, chunk_rows: int | None = None,
                       client=None, as_frame: bool = False):
    """:func:`apportion.forecast.linear_trend_batch` with blocks of series
    fitted as separate tasks.  ``values`` is a dask array or a numpy array
    (cut into blocks of ``chunk_rows`` series).  Returns the joined
    :class:`~apportion.forecast.BatchForecast` (or its frame with
    ``as_frame``), equal to the single-process one."""
    fit = _dask.delayed(_trend_block)
    tasks = [fit(block, times, predict_at, level)
             for block in _series_blocks(values, chunk_rows)]
    batch = _forecast.BatchForecast.concat(_compute(tasks, client))
    return batch.to_frame() if as_frame else batch


def holt_batch(values, horizon: int, alpha=None, beta=None,
               initial_level=None, initial_trend=None, level: float = 0.95,
               chunk_rows: int | None = None, client=None,
               as_frame: bool = False):
    """:func:`apportion.forecast.holt_batch` with blocks of series fitted
    as separate tasks; see :func:`linear_trend_batch`."""
    params = {"alpha": alpha, "beta": beta, "initial_level": initial_level,
              "initial_trend": initial_trend}
    fit = _dask.delayed(_holt_block)
    tasks = [fit(block, horizon, params, level)
             for block in _series_blocks(values, chunk_rows)]
    batch = _forecast.BatchForecast.concat(_compute(tasks, client))
    return batch.to_frame() if as_frame else batch


# ---- Monte Carlo scenarios ---------------------------------------------

def _simulate_range(scenario, count, seed, start):
    return scenario.simulate(count, seed, start=start, threads=1)


def simulate(scenario: CostScenario, n: int, seed: int,
             chunk_size: int | None = None, client=None) -> ScenarioRun:
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
    return ScenarioRun.concat(_compute(tasks, client))
