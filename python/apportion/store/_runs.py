"""Ledger totals after apportionment, and forecast and scenario runs, in
the store.

Ledger totals are pence by ledger, cost centre, period and authority, as
:meth:`apportion.ledger.Ledger.apportion` leaves them: every cell is
stored, so the totals read back add up to the ledger to the penny.

A run is stored by what makes it: the forecast's method and arguments, or
the cost scenario's model, seed and scenario numbers, every number kept
exactly (floats by their bits, arrays by their bytes), with the SHA-256 of
its result.  :meth:`RunHistory.rerun` computes the run again from what is
stored and checks the result is the same, bit for bit.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import sqlalchemy as sa

from ..errors import InputError, StoreError
from . import _schema
from ._base import StoreBase
from ._papers import (
    _as_date,
    _fy_month,
    _fy_quarter,
    _fy_start,
    _inserted_id,
    from_stored,
    insert_rows,
    period_of,
    stored_frequency,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..ledger import LedgerApportionment
    from ..scenario import CostScenario, ScenarioRun

__all__ = ["FORECAST_METHODS", "LedgerRecorded", "RunHistory", "RunRecorded"]

#: The forecasts :meth:`Store.record_forecast` runs: functions of
#: :mod:`apportion.forecast`.
FORECAST_METHODS = ("linear_trend", "holt", "linear_trend_batch", "holt_batch")

_INT64 = (-(1 << 63), (1 << 63) - 1)
#: Rows an UPDATE names at once.
_CHUNK = 500


class LedgerRecorded(NamedTuple):
    """What :meth:`Store.record_ledger` did: the import's id (None
    when nothing changed), the cells added (not stored before), those that
    superseded a different stored amount, those stored as they are, and
    those stored for a recorded period that the new totals no longer hold
    (superseded with no replacement)."""

    import_id: int | None
    added: int
    superseded: int
    unchanged: int
    removed: int


class RunRecorded(NamedTuple):
    """What :meth:`Store.record_forecast` and
    :meth:`Store.record_scenario` did: the stored run's id, the
    import's id (None when the same run was stored already), whether it
    was ``"added"``, ``"superseded"`` (the same parameters gave a
    different result before; both stay) or ``"unchanged"``, and the
    result itself."""

    run_id: int
    import_id: int | None
    status: str
    result: Any


# ---- exact encoding of parameters ------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode(value: object, where: str = "parameter") -> Any:
    """A value as JSON-ready data that :func:`decode` makes again exactly:
    floats by their bits (``float.hex``), numpy arrays by their bytes and
    dtype, pandas Series, Index and DataFrames by their parts; ints,
    text, None and booleans as they are.  Anything else is a StoreError
    naming ``where``."""
    import pandas as pd
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return {"scalar": encode(np.asarray(value).reshape(1), where)}
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return {"float": value.hex()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, Fraction):
        return {"fraction": [value.numerator, value.denominator]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufcmM":
            data = np.ascontiguousarray(value)
            return {"ndarray": value.dtype.str, "shape": list(value.shape),
                    "data": _b64(data.tobytes())}
        if value.dtype.kind == "O" or value.dtype.kind == "U":
            return {"ndarray": value.dtype.str, "shape": list(value.shape),
                    "items": [encode(v, where) for v in value.ravel().tolist()]}
        raise StoreError(f"{where}: an array of dtype {value.dtype} cannot be "
                         f"stored exactly")
    if isinstance(value, pd.RangeIndex):
        return {"range": [value.start, value.stop, value.step],
                "name": encode(value.name, where)}
    if isinstance(value, pd.MultiIndex):
        raise StoreError(f"{where}: a MultiIndex cannot be stored; give a "
                         f"plain index")
    if isinstance(value, pd.Index):
        return {"index": encode(np.asarray(value), where),
                "dtype": str(value.dtype), "name": encode(value.name, where)}
    if isinstance(value, pd.Series):
        return {"series": encode(np.asarray(value), where),
                "dtype": str(value.dtype), "index": encode(value.index, where),
                "name": encode(value.name, where)}
    if isinstance(value, pd.DataFrame):
        return {"frame": [encode(np.asarray(value.iloc[:, k]), where)
                          for k in range(value.shape[1])],
                "dtypes": [str(d) for d in value.dtypes],
                "columns": encode(value.columns, where),
                "index": encode(value.index, where)}
    if isinstance(value, (list, tuple)):
        return {"list" if isinstance(value, list) else "tuple":
                [encode(v, where) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, where), encode(v, where)]
                         for k, v in value.items()]}
    if value is pd.NA:
        return {"na": True}
    raise StoreError(f"{where}: a {type(value).__name__} cannot be stored "
                     f"exactly; give numbers, text, lists, numpy arrays or "
                     f"pandas Series and DataFrames")


def _with_dtype(make: Callable[[str | None], Any], dtype: str) -> Any:
    """``make(dtype)``, or ``make(None)`` where this pandas does not know
    the dtype's name."""
    try:
        return make(dtype)
    except (TypeError, ValueError):
        return make(None)


def decode(data: Any) -> Any:
    """The value :func:`encode` encoded, exactly."""
    import pandas as pd
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if not isinstance(data, dict) or not data:
        raise StoreError(f"stored parameters hold {data!r}, which is not "
                         f"what the store writes")
    if "float" in data:
        return float.fromhex(data["float"])
    if "decimal" in data:
        return Decimal(data["decimal"])
    if "fraction" in data:
        return Fraction(*data["fraction"])
    if "scalar" in data:
        return decode(data["scalar"])[0]
    if "ndarray" in data:
        dtype, shape = np.dtype(data["ndarray"]), tuple(data["shape"])
        if "data" in data:
            raw = base64.b64decode(data["data"])
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        items = [decode(v) for v in data["items"]]
        out = np.empty(len(items), dtype=dtype)
        out[:] = items if dtype.kind != "O" else _object_items(items)
        return out.reshape(shape)
    if "range" in data:
        start, stop, step = data["range"]
        return pd.RangeIndex(start, stop, step, name=decode(data["name"]))
    if "index" in data and "series" not in data and "frame" not in data:
        values = decode(data["index"])
        return _with_dtype(lambda d: pd.Index(values, dtype=d,
                                              name=decode(data["name"])),
                           data["dtype"])
    if "series" in data:
        values, index = decode(data["series"]), decode(data["index"])
        return _with_dtype(lambda d: pd.Series(values, index=index, dtype=d,
                                               name=decode(data["name"])),
                           data["dtype"])
    if "frame" in data:
        arrays = [decode(c) for c in data["frame"]]
        frame = pd.DataFrame(dict(enumerate(arrays)), index=decode(data["index"]))
        for k, dt in enumerate(data["dtypes"]):
            if str(frame.dtypes.iloc[k]) != dt:
                column = frame[k]

                def retype(d: str | None, c: Any = column) -> Any:
                    return c if d is None else c.astype(d)

                frame[k] = _with_dtype(retype, dt)
        frame.columns = decode(data["columns"])
        return frame
    if "list" in data:
        return [decode(v) for v in data["list"]]
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        return {decode(k): decode(v) for k, v in data["dict"]}
    if "na" in data:
        return pd.NA
    raise StoreError(f"stored parameters hold {data!r}, which is not what "
                     f"the store writes")


def _object_items(items: list[Any]) -> Any:
    """Items for an object array, each kept as it is (a list stays one
    element)."""
    out = np.empty(len(items), dtype=object)
    for k, v in enumerate(items):
        out[k] = v
    return out


def _canonical(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"))


# ---- the digest of a result --------------------------------------------------------

def _feed(h: Any, value: object) -> None:
    """Feeds a result's exact content to a hash: structure, dtypes, shapes
    and the bytes of every array."""
    import pandas as pd

    from ..scenario import ScenarioRun

    def tag(text: str) -> None:
        h.update(text.encode("utf-8") + b"\x00")

    if isinstance(value, ScenarioRun):
        tag(f"ScenarioRun {value.seed} {value.start}")
        _feed(h, value.totals)
        _feed(h, value.shares)
    elif isinstance(value, pd.DataFrame):
        tag(f"DataFrame {value.shape}")
        _feed(h, value.columns)
        _feed(h, value.index)
        for k in range(value.shape[1]):
            _feed(h, value.iloc[:, k])
    elif isinstance(value, pd.Series):
        tag("Series")
        _feed(h, value.index)
        _feed(h, _plain_values(value))
    elif isinstance(value, pd.Index):
        tag(f"Index {value.nlevels}")
        _feed(h, np.asarray(value.to_list(), dtype=object)
              if value.nlevels > 1 else _plain_values(value))
    elif isinstance(value, np.ndarray):
        tag(f"ndarray {value.dtype.str} {value.shape}")
        if value.dtype.kind in "biufcmM":
            h.update(np.ascontiguousarray(value).tobytes())
        else:
            for item in value.ravel().tolist():
                _feed(h, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        tag(type(value).__name__)
        for f in dataclasses.fields(value):
            tag(f.name)
            _feed(h, getattr(value, f.name))
    elif isinstance(value, dict):
        tag(f"dict {len(value)}")
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
    elif isinstance(value, (list, tuple)):
        tag(f"{type(value).__name__} {len(value)}")
        for v in value:
            _feed(h, v)
    elif isinstance(value, float):
        tag(f"float {value.hex()}")
    elif isinstance(value, np.generic):
        _feed(h, np.asarray(value).reshape(1))
    else:
        tag(f"{type(value).__name__} {value!r}")


def _plain_values(values: pd.Series[Any] | pd.Index[Any]) -> Any:
    """A Series' or an Index's values as numpy holds them: numbers in
    their own dtype, anything else (text, whatever this pandas calls its
    string dtype) as objects, so a digest does not change with pandas'
    names for text."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        return np.asarray(values)
    return np.asarray(values, dtype=object)


def digest(result: object) -> str:
    """The SHA-256 of a run's result: its arrays' bytes, dtypes, shapes,
    index and columns, so that two results have the same digest only when
    they are the same bit for bit."""
    h = hashlib.sha256()
    _feed(h, result)
    return h.hexdigest()


# ---- runs ---------------------------------------------------------------------------

def _scenario_parameters(scenario: CostScenario) -> dict[str, Any]:
    return {"years": encode(list(scenario.years), "years"),
            "demand": encode(scenario.demand),
            "demand_sd": encode(scenario.demand_sd),
            "demand_correlation": encode(float(scenario.demand_correlation)),
            "unit_cost_pence": int(scenario.unit_cost_pence),
            "inflation": encode(scenario.inflation),
            "inflation_sd": encode(scenario.inflation_sd),
            "authorities": encode(list(scenario.authorities)),
            "weights": encode(scenario.weights)}


def _scenario_of(p: dict[str, Any]) -> CostScenario:
    """The cost scenario made again from its stored model."""
    import pandas as pd

    from ..scenario import CostScenario
    years = decode(p["years"])
    authorities = decode(p["authorities"])
    basis = pd.DataFrame(decode(p["weights"]), index=pd.Index(years, dtype=object),
                         columns=authorities)
    return CostScenario(decode(p["demand"]), int(p["unit_cost_pence"]), basis,
                        inflation=decode(p["inflation"]), years=years,
                        demand_sd=decode(p["demand_sd"]),
                        demand_correlation=decode(p["demand_correlation"]),
                        inflation_sd=decode(p["inflation_sd"]),
                        authorities=authorities)


def _run(kind: str, method: str, parameters: dict[str, Any],
         threads: int | None) -> Any:
    """Runs a stored run again from its decoded parameters."""
    if kind == "forecast":
        from .. import forecast
        args = {k: decode(v) for k, v in parameters.items() if k != "values"}
        if method.endswith("_batch"):
            args["threads"] = threads
        return getattr(forecast, method)(decode(parameters["values"]), **args)
    scenario = _scenario_of(parameters)
    if method == "project":
        return scenario.project()
    return scenario.simulate(int(parameters["n"]), int(parameters["seed"]),
                             start=int(parameters["start"]), threads=threads)


class RunHistory(StoreBase):
    """Ledger totals, forecasts and scenario runs of a
    :class:`~apportion.store.Store` (a mixin)."""

    # ---- ledger totals ---------------------------------------------------------

    def record_ledger(self, apportionment: LedgerApportionment, *,
                      period: object = None, name: str | None = None,
                      financial_year: str | None = None,
                      file: str | os.PathLike[str] | None = None
                      ) -> LedgerRecorded:
        """Records a ledger's totals after apportionment, pence by cost
        centre, period and authority, every cell (zeros too, so the stored
        totals add up to the ledger), in one import.

        The ledger's periods (P1..P12 or Q1..Q4) are dated within
        ``financial_year`` ("2021/22"; None: the ledger's own, which a
        ledger read by date has).  ``period`` records one period of the
        ledger only (its label "P9", or a Period or text such as "2021-12"
        naming it); None records every period.  ``name`` keeps ledgers
        apart (None: the store's one ledger, stored as '').  ``file`` is
        the trail's file (None: the file the ledger was read from).

        For each period recorded, the totals are the period's whole
        statement: a cell stored as it is changes nothing, a different
        amount supersedes the stored one (both stay), and a stored cell
        the new totals do not hold (a centre gone) is superseded with no
        replacement.  Recording the same totals again changes nothing."""
        ledger = apportionment.ledger
        fy_text = financial_year or ledger.financial_year
        if not fy_text:
            raise InputError("the ledger does not say its financial year (it "
                             "was read by period, not by date); give "
                             "financial_year= such as '2021/22'")
        start_year = _fy_start(str(fy_text), "financial_year")
        dating = _fy_month if ledger.kind == "month" else _fy_quarter
        dated = [dating(start_year, k + 1) for k in range(len(apportionment.periods))]
        chosen = list(range(len(dated)))
        if period is not None:
            chosen = [_ledger_period(period, apportionment.periods, dated)]
        key_name = name or ""
        centres = [str(c) for c in apportionment.centres]
        authorities = [str(a) for a in apportionment.authorities]
        keys = [(dated[p].start_time.date(), stored_frequency(dated[p]))
                for p in chosen]
        # The chosen periods' cells, centre by centre: [period][centre][authority].
        cells = apportionment.shares[:, chosen, :].transpose(1, 0, 2).tolist()
        if file is None and ledger.source and Path(ledger.source).is_file():
            file = ledger.source
        t = _schema.metadata.tables["ledger_totals"]
        added = superseded = unchanged = 0
        with self.write("ledger", file=file,
                        source=f"ledger {key_name or '(unnamed)'} {fy_text}") \
                as (conn, import_id):
            # The stored cells of each chosen period: (centre, period's
            # position, authority) -> (id, pence).
            current: dict[tuple[str, int, str], tuple[int, int]] = {}
            for k, (start, freq) in enumerate(keys):
                rows = conn.execute(sa.select(
                    t.c.id, t.c.centre, t.c.authority, t.c.pence).where(
                        t.c.ledger == key_name, t.c.period_start == start,
                        t.c.frequency == freq,
                        t.c.superseded_by.is_(None))).all()
                current.update(((centre, k, authority), (int(id_), int(pence)))
                               for id_, centre, authority, pence in rows)
            stale: list[int] = []
            inserts: list[dict[str, Any]] = []
            for k, (start, freq) in enumerate(keys):
                period_cells = cells[k]
                for c, centre in enumerate(centres):
                    row = period_cells[c]
                    for a, authority in enumerate(authorities):
                        pence = row[a]
                        old = current.pop((centre, k, authority), None)
                        if old is not None:
                            if old[1] == pence:
                                unchanged += 1
                                continue
                            stale.append(old[0])
                            superseded += 1
                        else:
                            added += 1
                        inserts.append({"ledger": key_name, "centre": centre,
                                        "period_start": start, "frequency": freq,
                                        "authority": authority, "pence": pence,
                                        "import_id": import_id})
            # Stored cells the new totals do not hold: superseded, no
            # replacement.
            removed = len(current)
            stale.extend(old[0] for old in current.values())
            for k in range(0, len(stale), _CHUNK):
                conn.execute(sa.update(t).where(t.c.id.in_(stale[k:k + _CHUNK]))
                             .values(superseded_by=import_id))
            insert_rows(conn, t, inserts)
            changed = bool(inserts or stale)
        return LedgerRecorded(import_id if changed else None, added, superseded,
                              unchanged, removed)

    def ledger_totals(self, ledger: str | None = None, *,
                      centre: str | None = None, authority: str | None = None,
                      since: object = None, until: object = None,
                      superseded: bool = False) -> pd.DataFrame:
        """Stored ledger totals as a long DataFrame, a row per ledger, cost
        centre, period and authority: ledger (None for the unnamed one),
        centre, period (a pandas Period), authority, pence (int64),
        import_id and superseded_by (None while current), in the order
        they were stored.

        ``ledger`` ("" for the unnamed one), ``centre`` and ``authority``
        filter; ``since`` and ``until`` (a Period, a financial year
        "2021/22" or text such as "2021-12") keep the periods that start
        within them; ``superseded`` includes amounts a later import
        replaced."""
        import pandas as pd
        t = _schema.metadata.tables["ledger_totals"]
        query = sa.select(t.c.ledger, t.c.centre, t.c.period_start,
                          t.c.frequency, t.c.authority, t.c.pence,
                          t.c.import_id, t.c.superseded_by).order_by(t.c.id)
        if ledger is not None:
            query = query.where(t.c.ledger == ledger)
        if centre is not None:
            query = query.where(t.c.centre == centre)
        if authority is not None:
            query = query.where(t.c.authority == authority)
        if since is not None:
            query = query.where(
                t.c.period_start >= period_of(since, "since").start_time.date())
        if until is not None:
            query = query.where(
                t.c.period_start <= period_of(until, "until").end_time.date())
        if not superseded:
            query = query.where(t.c.superseded_by.is_(None))
        with self.read() as conn:
            rows = conn.execute(query).all()
        (ledgers, centres, starts, freqs, authorities, pence, imports,
         superseding) = (list(c) for c in zip(*rows)) if rows else ([],) * 8
        periods = {key: from_stored(_as_date(key[0]), key[1])
                   for key in set(zip(starts, freqs))}
        return pd.DataFrame({
            "ledger": pd.Series([v or None for v in ledgers], dtype=object),
            "centre": pd.Series(centres, dtype=object),
            "period": pd.Series([periods[k] for k in zip(starts, freqs)],
                                dtype=object),
            "authority": pd.Series(authorities, dtype=object),
            "pence": np.array(pence, dtype=np.int64),
            "import_id": np.array(imports, dtype=np.int64),
            "superseded_by": pd.array(superseding, dtype="Int64"),
        })

    # ---- runs -------------------------------------------------------------------

    def record_forecast(self, method: str, values: object, /, *,
                        name: str | None = None, threads: int | None = None,
                        **arguments: Any) -> RunRecorded:
        """Runs a forecast of :mod:`apportion.forecast` and records it by
        its method and arguments, in one import: ``method`` is
        "linear_trend", "holt", "linear_trend_batch" or "holt_batch",
        ``values`` the series (or the series x time array or DataFrame),
        and ``arguments`` the function's own (``times``, ``predict_at``,
        ``horizon``, ``level``, ``alpha``...).  ``threads`` goes to the
        batch functions and is not stored: their results do not depend
        on it.  Every argument is stored exactly (floats by their bits,
        arrays by their bytes), with the SHA-256 of the result.

        Returns a ``RunRecorded`` whose ``result`` is the function's
        result.  The same forecast again changes nothing; ``name`` labels
        the run (None: '')."""
        from .. import forecast
        if method not in FORECAST_METHODS:
            raise InputError(f"method must be one of {', '.join(FORECAST_METHODS)}"
                             f", not {method!r}")
        call = dict(arguments)
        if method.endswith("_batch"):
            call["threads"] = threads
        elif threads is not None:
            raise InputError(f"{method} takes no threads=")
        result = getattr(forecast, method)(values, **call)
        parameters = {"values": encode(values, "values")}
        parameters.update({k: encode(v, k) for k, v in arguments.items()})
        return self._record_run("forecast", method, name, parameters, None,
                                result)

    def record_scenario(self, run: ScenarioRun | CostScenario, *,
                        name: str | None = None) -> RunRecorded:
        """Records a cost scenario run by its model and seed, in one import:
        a :class:`~apportion.scenario.ScenarioRun` (from
        ``CostScenario.simulate(n, seed, start=...)``) by its model, seed,
        first scenario and count, or a
        :class:`~apportion.scenario.CostScenario` by its model (its
        expected path, ``project()``).  The model is stored exactly (demand
        and inflation by their bits, unit cost in pence, weights as
        integers), with the SHA-256 of the result, so ``rerun()`` makes
        the same scenarios again bit for bit.

        Returns a ``RunRecorded`` whose ``result`` is the run (or the
        projected frame).  The same run again changes nothing; ``name``
        labels it (None: '')."""
        from ..scenario import CostScenario, ScenarioRun
        if isinstance(run, ScenarioRun):
            parameters = _scenario_parameters(run.scenario)
            parameters.update(seed=str(run.seed), start=int(run.start),
                              n=int(run.n))
            return self._record_run("scenario", "simulate", name, parameters,
                                    run.seed, run, start=run.start, n=run.n)
        if isinstance(run, CostScenario):
            return self._record_run("scenario", "project", name,
                                    _scenario_parameters(run), None,
                                    run.project())
        raise TypeError(f"record_scenario takes a ScenarioRun or a "
                        f"CostScenario, not {type(run).__name__}")

    def _record_run(self, kind: str, method: str, name: str | None,
                    parameters: dict[str, Any], seed: int | None,
                    result: object, *, start: int | None = None,
                    n: int | None = None) -> RunRecorded:
        text = _canonical({"method": method, "parameters": parameters})
        params_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        result_sha = digest(result)
        label = name or ""
        t = _schema.metadata.tables["runs"]
        for value, what in ((start, "start"), (n, "n")):
            if value is not None and not _INT64[0] <= value <= _INT64[1]:
                raise StoreError(f"{what} {value} does not fit the store's "
                                 f"64-bit column")
        with self.write("run", source=f"{kind} {method}"
                        + (f" {label}" if label else "")) as (conn, import_id):
            current = conn.execute(sa.select(t.c.id, t.c.result_sha256).where(
                t.c.kind == kind, t.c.name == label,
                t.c.parameters_sha256 == params_sha,
                t.c.superseded_by.is_(None))).first()
            if current is not None and current.result_sha256 == result_sha:
                return RunRecorded(int(current.id), None, "unchanged", result)
            status = "added"
            if current is not None:
                conn.execute(sa.update(t).where(t.c.id == current.id)
                             .values(superseded_by=import_id))
                status = "superseded"
            run_id = _inserted_id(conn.execute(sa.insert(t).values(
                kind=kind, method=method, name=label,
                seed=None if seed is None else str(seed), start=start, n=n,
                parameters=text, parameters_sha256=params_sha,
                result_sha256=result_sha, import_id=import_id)))
        return RunRecorded(run_id, import_id, status, result)

    def runs(self, kind: str | None = None, *, name: str | None = None,
             superseded: bool = False) -> pd.DataFrame:
        """The stored runs as a DataFrame, oldest first: id, kind
        ("forecast" or "scenario"), method, name (None when unnamed), seed
        (a Python int, None for a forecast or a projection), start and n
        (the scenarios of a simulation), parameters_sha256,
        result_sha256, import_id, recorded_at (UTC), apportion_version
        (the release that computed it) and superseded_by.  ``kind`` and
        ``name`` filter; ``superseded`` includes replaced runs."""
        import pandas as pd
        t = _schema.metadata.tables["runs"]
        i = _schema.imports
        query = (sa.select(t.c.id, t.c.kind, t.c.method, t.c.name, t.c.seed,
                           t.c.start, t.c.n, t.c.parameters_sha256,
                           t.c.result_sha256, t.c.import_id,
                           i.c.at.label("recorded_at"), i.c.apportion_version,
                           t.c.superseded_by)
                 .join(i, i.c.id == t.c.import_id).order_by(t.c.id))
        if kind is not None:
            query = query.where(t.c.kind == kind)
        if name is not None:
            query = query.where(t.c.name == name)
        if not superseded:
            query = query.where(t.c.superseded_by.is_(None))
        with self.read() as conn:
            rows = conn.execute(query).all()

        def ints(values: list[Any]) -> Any:
            return pd.array([None if v is None else int(v) for v in values],
                            dtype="Int64")

        def objects(values: list[Any]) -> Any:
            return pd.Series(values, dtype=object)

        return pd.DataFrame({
            "id": np.array([int(r.id) for r in rows], dtype=np.int64),
            "kind": objects([r.kind for r in rows]),
            "method": objects([r.method for r in rows]),
            "name": objects([r.name or None for r in rows]),
            "seed": objects([None if r.seed is None else int(r.seed)
                             for r in rows]),
            "start": ints([r.start for r in rows]),
            "n": ints([r.n for r in rows]),
            "parameters_sha256": objects([r.parameters_sha256 for r in rows]),
            "result_sha256": objects([r.result_sha256 for r in rows]),
            "import_id": np.array([int(r.import_id) for r in rows],
                                  dtype=np.int64),
            "recorded_at": pd.to_datetime(pd.Series(
                [r.recorded_at for r in rows], dtype=object), utc=True),
            "apportion_version": objects([r.apportion_version for r in rows]),
            "superseded_by": ints([r.superseded_by for r in rows]),
        })

    def run_parameters(self, run_id: int) -> dict[str, Any]:
        """A stored run's method and parameters, decoded: ``{"kind",
        "method", "name", and each argument}`` (a simulation's ``seed``,
        ``start`` and ``n`` among them), every number as it was given."""
        row = self._run_row(run_id)
        stored = json.loads(row.parameters)
        out: dict[str, Any] = {"kind": row.kind, "method": row.method,
                               "name": row.name or None}
        for key, value in stored["parameters"].items():
            out[key] = decode(value)
        if row.seed is not None:
            out["seed"] = int(row.seed)
        return out

    def _run_row(self, run_id: int) -> Any:
        if isinstance(run_id, bool) or not isinstance(run_id, int):
            raise TypeError(f"a run is named by its id (an int), not "
                            f"{type(run_id).__name__}")
        t = _schema.metadata.tables["runs"]
        with self.read() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == run_id)).first()
        if row is None:
            raise StoreError(f"{self.url}: table runs has no run id {run_id}")
        return row

    def rerun(self, run_id: int, *, threads: int | None = None) -> Any:
        """Computes a stored run again from its stored parameters and seed
        and returns the result: the forecast's DataFrame (or
        BatchForecast), the :class:`~apportion.scenario.ScenarioRun`, or a
        projection's DataFrame.  The result is checked against the SHA-256
        stored with the run: a result that is not the same bit for bit is
        a StoreError naming the run and the release that recorded it.
        ``threads`` runs batch forecasts and simulations on that many
        threads (None: every core); the numbers do not depend on it."""
        row = self._run_row(run_id)
        stored = json.loads(row.parameters)
        result = _run(str(row.kind), str(row.method), stored["parameters"],
                      threads)
        again = digest(result)
        if again != row.result_sha256:
            i = _schema.imports
            with self.read() as conn:
                version = conn.execute(sa.select(i.c.apportion_version).where(
                    i.c.id == row.import_id)).scalar()
            raise StoreError(
                f"{self.url}: table runs, run id {run_id} ({row.kind} "
                f"{row.method}): the run made again differs from the result "
                f"recorded by apportion {version} (result SHA-256 "
                f"{row.result_sha256[:12]}..., now {again[:12]}...)")
        return result


def _ledger_period(period: object, labels: list[str],
                   dated: list[pd.Period]) -> int:
    """The position of the ledger's period that ``period`` names: its label
    ("P9", "Q3") or a Period (or text) equal to one of its dated periods."""
    if isinstance(period, str):
        wanted = period.strip().upper()
        for k, label in enumerate(labels):
            if label.upper() == wanted:
                return k
    try:
        at = period_of(period, "period")
    except InputError:
        at = None
    for k, p in enumerate(dated):
        if at is not None and stored_frequency(p) == stored_frequency(at) \
                and p.start_time == at.start_time:
            return k
    raise InputError(f"period {period!r} is not one of the ledger's periods "
                     f"({labels[0]}..{labels[-1]}: {dated[0]} to {dated[-1]})")
