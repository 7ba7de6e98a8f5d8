"""Cost scenarios: what a service's demand will cost each authority, year
by year, in pence.

Year y costs ``demand_y x unit cost x inflation index_y``, rounded to a
penny, and is apportioned to the authorities by that year's basis exactly,
so every year's shares sum to its cost.  :meth:`CostScenario.project` is
the expected path; :meth:`CostScenario.simulate` runs Monte Carlo
scenarios whose draws come from a counter-based generator (Philox4x32-10):
scenario k has the same draws whichever thread, chunk or machine computes
it, so runs split any way join into the same numbers.  The arithmetic is in
the C core (scenario.h).
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union, overload

import numpy as np
import numpy.typing as npt

from . import _core, limits
from ._basis import basis_rows
from ._convert import Money, count, pence
from ._convert import threads as _threads
from ._deprecate import keyword_only_after
from ._present import pounds, text_table
from .errors import InputError
from .present.mixin import Presentable
from .present.model import Chart, Column, Row, Series, Table, View

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CostScenario", "ScenarioRun"]

_MAX_SEED = 2 ** 64

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
#: A number a year: one number (the same every year), a sequence of one a
#: year, a numpy array or a Series.
YearValues = Union[float, Sequence[float], "npt.NDArray[Any]", "pd.Series[Any]"]
#: Demand a year as above, or a forecast frame (its ``mean`` the demand and
#: its prediction interval the spread).
Demand = Union[Sequence[float], "npt.NDArray[Any]", "pd.Series[Any]", "pd.DataFrame"]
#: What the core's cost_project and cost_simulate take first: demand,
#: demand_sd, correlation, unit cost, inflation, inflation_sd, weights.
_ModelArgs = tuple[_F64, _F64 | None, float, int, _F64, _F64 | None, _I64]


@overload
def _year_vector(value: YearValues, n: int, name: str,
                 default: _F64 | None = ...) -> _F64: ...
@overload
def _year_vector(value: None, n: int, name: str,
                 default: _F64 | None = ...) -> _F64 | None: ...


def _year_vector(value: YearValues | None, n: int, name: str,
                 default: _F64 | None = None) -> _F64 | None:
    """A float per year from a number (the same every year) or a sequence
    of n."""
    if value is None:
        return default
    import pandas as pd
    if isinstance(value, pd.Series):
        value = value.to_numpy(dtype=np.float64, na_value=np.nan)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        array: _F64 = np.full(n, float(value))
    else:
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name} must be numbers: {exc}") from None
        if array.ndim != 1 or array.shape[0] != n:
            raise InputError(f"{name} must be one number or {n} (one a year), "
                             f"not shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InputError(f"{name}[{bad[0]}] is {array[bad[0]]}; it must be a "
                         f"finite number")
    return np.ascontiguousarray(array)


def _forecast_sd(frame: pd.DataFrame) -> _F64 | None:
    """A forecast frame's standard deviation of a new observation, from its
    prediction interval and the quantile it was drawn with."""
    q = frame.attrs.get("quantile")
    if q is None or "obs_ci_upper" not in frame.columns:
        return None
    sd: _F64 = ((frame["obs_ci_upper"] - frame["mean"]) / q).to_numpy(
        dtype=np.float64)
    return sd


def _basis_matrix(basis: object, years: list[Hashable],
                  authorities: Sequence[Hashable] | None) -> tuple[list[str], _I64]:
    """(authorities, integer weights years x authorities), each year's row
    exact.  The forms are the ledger's (a DataFrame with a row a year, or
    one mapping of weights for every year), plus a mapping of authority ->
    a weight a year."""
    import pandas as pd
    n = len(years)
    if isinstance(basis, Mapping) and any(
            isinstance(w, (list, tuple, np.ndarray, pd.Series))
            for w in basis.values()):
        columns: dict[Hashable, list[Any]] = {}
        for name, w in basis.items():
            if isinstance(w, (list, tuple, np.ndarray, pd.Series)):
                w = list(w)
                if len(w) != n:
                    raise InputError(f"basis[{name!r}] has {len(w)} weights "
                                     f"and there are {n} years")
                columns[name] = w
            else:
                columns[name] = [w] * n
        basis = pd.DataFrame(columns, index=pd.Index(years, name="year"))
    elif not isinstance(basis, (Mapping, pd.DataFrame, pd.Series)):
        raise TypeError("basis must be a dict of authority -> weight (or a "
                        "weight a year), or a DataFrame of years x "
                        "authorities")
    keys, rows, names = basis_rows(basis, authorities)
    if keys == [None]:
        rows = rows * n
    elif len(rows) != n:
        raise InputError(f"basis has {len(rows)} rows and there are {n} "
                         f"years; give a row a year")
    return [str(a) for a in names], np.array(rows, dtype=np.int64)


class CostScenario(Presentable):
    """Demand x unit cost x inflation over a run of years, apportioned to
    authorities by a basis each year.

    ``demand`` is the expected units each year (children in care,
    placements): a sequence, a Series indexed by year, or a forecast frame
    from :mod:`apportion.forecast`, whose ``mean`` is the demand and whose
    prediction interval gives ``demand_sd`` unless it is given.
    ``unit_cost`` is money in year-0 prices (int pence, "£52,000" or a
    Decimal).  ``inflation`` is each year's rate over the year before
    (0.035 is 3.5%; year 0's is applied too, so give 0 there for costs in
    year-0 prices), one number for every year or one a year.  ``basis`` is
    a dict of authority -> weight (the same every year), authority -> a
    weight a year, or a DataFrame of years x authorities; weights are exact
    (ints, decimal text, Decimal, Fraction).  ``authorities``, if given,
    orders the basis's authorities (and must name them all), as for a
    ledger.

    In a simulation year y's demand is ``max(0, demand + demand_sd * z)``
    where z shares ``demand_correlation`` of its variance across the
    scenario's years (1: one shock for the whole path; 0: independent
    years), and inflation is ``inflation + inflation_sd * u`` with u a fresh
    normal each year.  Objects pickle, so they travel to Dask workers.
    """

    years: list[Hashable]
    demand: _F64
    demand_sd: _F64 | None
    demand_correlation: float
    unit_cost_pence: int
    inflation: _F64
    inflation_sd: _F64 | None
    authorities: list[str]
    weights: _I64

    @keyword_only_after(4)
    def __init__(self, demand: Demand, unit_cost: Money, basis: object, *,
                 inflation: YearValues = 0.0,
                 years: Sequence[Hashable] | None = None,
                 demand_sd: YearValues | None = None,
                 demand_correlation: float = 1.0,
                 inflation_sd: YearValues | None = None,
                 authorities: Sequence[Hashable] | None = None) -> None:
        import pandas as pd
        sd_from_forecast = None
        index: pd.Index[Any] | None
        if isinstance(demand, pd.DataFrame):
            if "mean" not in demand.columns:
                raise InputError("a demand frame needs a 'mean' column (a "
                                 "forecast from apportion.forecast)")
            sd_from_forecast = _forecast_sd(demand)
            index = demand.index
            demand = demand["mean"]
        else:
            index = demand.index if isinstance(demand, pd.Series) else None
        if years is None:
            years = list(index) if index is not None else list(
                range(len(demand)))
        self.years = list(years)
        n = len(self.years)
        if n == 0:
            raise InputError("a scenario needs at least one year")
        self.demand = _year_vector(demand, n, "demand")
        self.demand_sd = _year_vector(demand_sd, n, "demand_sd",
                                      sd_from_forecast)
        if isinstance(demand_correlation, bool) or not isinstance(
                demand_correlation, numbers.Real) or \
                not 0.0 <= float(demand_correlation) <= 1.0:
            raise InputError(f"demand_correlation must be between 0 and 1, "
                             f"not {demand_correlation!r}")
        self.demand_correlation = float(demand_correlation)
        self.unit_cost_pence = pence(unit_cost, "unit_cost")
        self.inflation = _year_vector(inflation, n, "inflation")
        self.inflation_sd = _year_vector(inflation_sd, n, "inflation_sd")
        self.authorities, self.weights = _basis_matrix(basis, self.years,
                                                       authorities)
        # The core checks the rest (signs, ranges) and names the field.
        self._project()

    # -- the model as the core takes it
    def _model_args(self) -> _ModelArgs:
        return (self.demand, self.demand_sd, self.demand_correlation,
                self.unit_cost_pence, self.inflation, self.inflation_sd,
                self.weights)

    def _project(self) -> tuple[_I64, _I64]:
        totals = np.empty(len(self.years), dtype=np.int64)
        shares = np.empty(self.weights.shape, dtype=np.int64)
        _core.cost_project(*self._model_args(), totals, shares)
        return totals, shares

    def _frame(self, totals: _I64, shares: _I64) -> pd.DataFrame:
        import pandas as pd
        frame = pd.DataFrame(shares, columns=self.authorities,
                             index=pd.Index(self.years, name="year"))
        frame["total"] = totals
        return frame

    def project(self) -> pd.DataFrame:
        """The expected path: a DataFrame of int pence indexed by year, a
        column per authority and ``total``; each row's shares sum exactly
        to its total."""
        return self._frame(*self._project())

    @keyword_only_after(3)
    def simulate(self, n: int, seed: int, *, start: int = 0,
                 threads: int | None = None) -> ScenarioRun:
        """Scenarios ``start`` .. ``start + n - 1`` of the run with this
        ``seed``.  The numbers depend only on (model, seed, scenario
        number), not on ``threads`` (None: every core) nor on how a run is
        split: ``ScenarioRun.concat`` of pieces equals the run in one."""
        n = count(n, "n", of="scenarios")
        start = count(start, "start", least=0)
        seed = _seed(seed)
        if start + n > _MAX_SEED:
            raise InputError("start + n must stay below 2**64")
        n_years, n_auth = self.weights.shape
        limits.check_items(n, "n", items=n * n_years * (1 + n_auth))
        totals = np.empty((n, n_years), dtype=np.int64)
        shares = np.empty((n, n_years, n_auth), dtype=np.int64)
        _core.cost_simulate(*self._model_args(), seed, start, n,
                            _threads(threads), totals, shares)
        return ScenarioRun(self, seed, start, totals, shares)

    def report(self) -> str:
        """The expected path as a text table in pounds."""
        frame = self.project()
        header = ["Year", *self.authorities, "Total"]
        rows = [[str(y)] + [pounds(v) for v in frame.loc[y]]
                for y in frame.index]
        right = range(1, len(header))
        return "\n".join(["Expected cost by year (shares apportioned exactly)",
                          *text_table([header, *rows], right)])

    def _title(self) -> str:
        span = (str(self.years[0]) if len(self.years) == 1
                else f"{self.years[0]} to {self.years[-1]}")
        return f"Cost scenario, {span}"

    def assumptions(self) -> tuple[str, ...]:
        """The model's inputs as labelled assumptions, for a view: none of
        them is a figure from a paper unless the caller says so."""
        out = [f"Unit cost: {pounds(self.unit_cost_pence)} a unit a year, in "
               f"year-0 prices ({self.years[0]})"]
        rates = sorted(set(self.inflation.tolist()))
        if len(rates) == 1:
            out.append(f"Inflation: {_percent(rates[0])}% a year, year 0 "
                       f"included")
        else:
            out.append("Inflation: " + ", ".join(
                f"{y} {_percent(r)}%" for y, r in zip(self.years,
                                                      self.inflation.tolist())))
        shares = [_shares(row) for row in self.weights]
        if all(s == shares[0] for s in shares):
            out.append("Basis every year: " + ", ".join(
                f"{a} {p}%" for a, p in zip(self.authorities, shares[0])))
        else:
            out.append("Basis by year: " + "; ".join(
                f"{y} " + ", ".join(f"{a} {p}%" for a, p in zip(self.authorities, s))
                for y, s in zip(self.years, shares)))
        if self.demand_sd is not None:
            out.append("Demand spread (simulations): standard deviation "
                       + ", ".join(f"{v:g}" for v in self.demand_sd.tolist())
                       + f"; correlation across years {self.demand_correlation:g}")
        if self.inflation_sd is not None:
            spread = list(dict.fromkeys(_percent(v) for v in
                                        self.inflation_sd.tolist()))
            out.append("Inflation spread (simulations): standard deviation "
                       + (f"{spread[0]} points a year" if len(spread) == 1 else
                          ", ".join(f"{y} {_percent(v)}" for y, v in zip(
                              self.years, self.inflation_sd.tolist())) + " points"))
        return tuple(out)

    def view(self) -> View:
        """The expected path on a page: demand, each authority's share and
        the total by year (in £, a total row over the years), a bar chart
        of the shares, and the unit cost, inflation and basis as labelled
        assumptions."""
        frame = self.project()
        columns = (Column("year", "Year", role="label"),
                   Column("demand", "Demand", "number", role="value",
                          decimals=0 if all(float(d).is_integer() for d in
                                            self.demand.tolist()) else 1),
                   *(Column(f"a{k}", a, "money", unit="£", decimals=2,
                            role="computed")
                     for k, a in enumerate(self.authorities)),
                   Column("total", "Total", "money", unit="£", decimals=2,
                          role="computed"))
        rows = [Row((str(y), float(d), *(int(v) for v in frame.iloc[i])))
                for i, (y, d) in enumerate(zip(self.years, self.demand.tolist()))]
        sums = [sum(int(v) for v in frame[c]) for c in frame.columns]
        rows.append(Row(("Total", None, *sums), kind="total"))
        source = "computed by apportion from the assumptions below"
        table = Table("Expected cost by year", columns, tuple(rows),
                      source=source, negatives="minus", name="Expected cost")
        chart = _money_chart("Expected cost by year", [str(y) for y in self.years],
                             [(a, [int(v) for v in frame[a]])
                              for a in self.authorities], source, "bar")
        paragraphs = (
            f"Year y costs demand x unit cost x inflation index, rounded to a "
            f"penny, and is apportioned to {_names(self.authorities)} by that "
            f"year's basis exactly, so every year's shares sum to its cost.",
            f"Expected cost over the {len(self.years)} "
            f"{'year' if len(self.years) == 1 else 'years'}: {pounds(sums[-1])}.")
        return View(self._title(), paragraphs, tables=(table,), charts=(chart,),
                    assumptions=self.assumptions())

    def same_model(self, other: object) -> bool:
        """Whether two scenarios would compute the same numbers."""
        if not isinstance(other, CostScenario):
            return False

        def same(a: npt.NDArray[Any] | None, b: npt.NDArray[Any] | None) -> bool:
            if a is None or b is None:
                return a is None and b is None
            return np.array_equal(a, b)

        return (self.years == other.years and
                self.authorities == other.authorities and
                self.unit_cost_pence == other.unit_cost_pence and
                self.demand_correlation == other.demand_correlation and
                all(same(getattr(self, k), getattr(other, k)) for k in
                    ("demand", "demand_sd", "inflation", "inflation_sd",
                     "weights")))

    def __repr__(self) -> str:
        return (f"CostScenario({len(self.years)} years {self.years[0]}.."
                f"{self.years[-1]}, authorities {self.authorities}, unit cost "
                f"{pounds(self.unit_cost_pence)})")


def _seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or \
            not 0 <= int(seed) < _MAX_SEED:
        raise InputError(f"seed must be a whole number from 0 to 2**64 - 1, "
                         f"not {seed!r}")
    return int(seed)


class ScenarioRun(Presentable):
    """Monte Carlo scenarios of a :class:`CostScenario`: ``totals`` (n x
    years) and ``shares`` (n x years x authorities), int pence, for
    scenarios ``start`` .. ``start + n - 1`` of the run with ``seed``."""

    def __init__(self, scenario: CostScenario, seed: int, start: int,
                 totals: _I64, shares: _I64) -> None:
        self.scenario = scenario
        self.seed = seed
        self.start = start
        self.totals = totals
        self.shares = shares

    @property
    def n(self) -> int:
        return int(self.totals.shape[0])

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return (f"ScenarioRun(scenarios {self.start}..{self.start + self.n - 1}"
                f", seed {self.seed}, {self.scenario!r})")

    def identical(self, other: ScenarioRun) -> bool:
        """Bit for bit the same scenarios of the same model."""
        return (isinstance(other, ScenarioRun) and self.seed == other.seed
                and self.start == other.start and
                self.scenario.same_model(other.scenario) and
                np.array_equal(self.totals, other.totals) and
                np.array_equal(self.shares, other.shares))

    @classmethod
    def concat(cls, runs: Iterable[ScenarioRun]) -> ScenarioRun:
        """Joins runs of consecutive scenarios of one model and seed (in
        any order) into one run."""
        runs = sorted(runs, key=lambda r: r.start)
        if not runs:
            raise InputError("concat needs at least one run")
        first = runs[0]
        expected = first.start
        for r in runs:
            if r.seed != first.seed or not r.scenario.same_model(
                    first.scenario):
                raise InputError("runs to join must share their model and "
                                 "seed")
            if r.start != expected:
                raise InputError(f"runs to join must be consecutive: "
                                 f"scenario {expected} is missing, the next "
                                 f"run starts at {r.start}")
            expected = r.start + r.n
        return cls(first.scenario, first.seed, first.start,
                   np.concatenate([r.totals for r in runs]),
                   np.concatenate([r.shares for r in runs]))

    def _columns(self) -> _I64:
        """(n x (years * (authorities + 1))): each year's shares then its
        total."""
        return np.ascontiguousarray(np.concatenate(
            [self.shares, self.totals[:, :, None]], axis=2).reshape(
                self.n, -1))

    def percentiles(self, q: float | Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Percentiles of each authority's cost and of the total, by year:
        a DataFrame of int pence indexed by (year, percentile).  numpy's
        "linear" percentile, rounded half to even to a penny, so runs
        joined from any split give the same figures."""
        import pandas as pd
        qs = np.array(q if not isinstance(q, numbers.Real) else [q],
                      dtype=np.float64).ravel()
        values = self._columns()
        out = np.empty((qs.shape[0], values.shape[1]), dtype=np.int64)
        _core.percentiles_i64(values, qs, out)
        n_years = len(self.scenario.years)
        names = [*self.scenario.authorities, "total"]
        cube = out.reshape(qs.shape[0], n_years, len(names))
        index = pd.MultiIndex.from_product(
            [self.scenario.years, [_q_label(x) for x in qs]],
            names=["year", "percentile"])
        return pd.DataFrame(cube.transpose(1, 0, 2).reshape(-1, len(names)),
                            index=index, columns=names)

    def to_frame(self) -> pd.DataFrame:
        """Every scenario as rows (scenario, year) with a column per
        authority and ``total``, int pence."""
        import pandas as pd
        n_years = len(self.scenario.years)
        index = pd.MultiIndex.from_product(
            [np.arange(self.start, self.start + self.n),
             self.scenario.years], names=["scenario", "year"])
        frame = pd.DataFrame(self.shares.reshape(-1, self.shares.shape[2]),
                             index=index, columns=self.scenario.authorities)
        frame["total"] = self.totals.reshape(self.n * n_years)
        return frame

    def report(self, q: Sequence[float] = (5, 50, 95)) -> str:
        """The percentiles as a text table in pounds."""
        frame = self.percentiles(q)
        header = ["Year", "Percentile", *self.scenario.authorities, "Total"]
        rows = [[str(y), str(p)] + [pounds(v) for v in frame.loc[(y, p)]]
                for y, p in frame.index]
        right = range(1, len(header))
        return "\n".join([f"{self.n:,} scenarios (seed {self.seed}): cost "
                          f"percentiles by year",
                          *text_table([header, *rows], right)])

    def view(self, q: Sequence[float] = (5, 50, 95)) -> View:
        """The run on a page: percentiles ``q`` of each authority's cost
        and of the total by year (in £), a line chart of the total's
        middle percentile with the outer two as its band, and the model's
        assumptions."""
        frame = self.percentiles(q)
        names = [*self.scenario.authorities, "total"]
        columns = (Column("year", "Year", role="label"),
                   Column("percentile", "Percentile", "number"),
                   *(Column(f"a{k}", a, "money", unit="£", decimals=2,
                            role="computed", summed=False)
                     for k, a in enumerate(self.scenario.authorities)),
                   Column("total", "Total", "money", unit="£", decimals=2,
                          role="computed", summed=False))
        rows = tuple(Row((str(y), p, *(int(v) for v in frame.loc[(y, p)])))
                     for y, p in frame.index)
        source = (f"computed by apportion: {self.n:,} Monte Carlo scenarios, "
                  f"seed {self.seed}")
        table = Table("Cost percentiles by year", columns, rows, source=source,
                      negatives="minus", name="Percentiles")
        labels = list(dict.fromkeys(p for _, p in frame.index))
        years = [str(y) for y in self.scenario.years]
        total = {key: int(v) for key, v in frame[names[-1]].items()}
        series = [(_ordinal(p), [total[(y, p)] for y in self.scenario.years])
                  for p in labels]
        band = (series[0][0], series[-1][0]) if len(series) >= 3 else None
        chart = _money_chart("Total cost by year", years, series, source, "line",
                             band)
        paragraphs = (
            f"Scenarios {self.start:,} to {self.start + self.n - 1:,} of the run "
            f"with seed {self.seed}: each scenario draws demand and inflation "
            f"afresh, and each year's cost is apportioned exactly.",
            "Percentiles are numpy's linear percentiles, rounded half to even "
            "to a penny; an authority's percentiles and the total's are each "
            "taken on their own, so they do not add across a row.")
        return View(f"{self.scenario._title()}: {self.n:,} scenarios", paragraphs,
                    tables=(table,), charts=(chart,),
                    assumptions=self.scenario.assumptions())


def _percent(rate: float) -> Decimal:
    """A rate (0.035) as percentage points (3.5), from its shortest text."""
    return (Decimal(repr(float(rate))) * 100).normalize()


def _shares(weights: _I64) -> list[Decimal]:
    """Integer weights as percentages to two places."""
    total = int(weights.sum())
    return [(Decimal(int(w) * 100) / Decimal(total)).quantize(Decimal("0.01"))
            for w in weights.tolist()]


def _names(names: Sequence[str]) -> str:
    return " and ".join(names) if len(names) < 3 else \
        ", ".join(names[:-1]) + " and " + names[-1]


def _ordinal(q: int | float) -> str:
    if q == 50:
        return "Median"
    if isinstance(q, float):
        return f"Percentile {q:g}"
    suffix = "th" if 10 <= q % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        q % 10, "th")
    return f"{q}{suffix} percentile"


def _money_chart(title: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]], source: str,
                 kind: str, band: tuple[str, str] | None = None) -> Chart:
    """A chart of amounts in pence, drawn in the unit that suits them."""
    largest = max((abs(v) for _, values in series for v in values), default=0)
    unit, per = (("£m", 100_000_000) if largest >= 10_000_000_00 else
                 ("£000", 100_000) if largest >= 100_000_00 else ("£", 100))
    return Chart(title, "line" if kind == "line" else "bar", tuple(categories),
                 tuple(Series(name, tuple(Decimal(v) / per for v in values))
                       for name, values in series),
                 unit=unit, source=source, band=band)


def _q_label(q: float) -> int | float:
    return int(q) if float(q).is_integer() else float(q)
