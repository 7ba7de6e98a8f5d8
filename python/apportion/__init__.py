"""apportion: exact apportionment, recharges and checks for councils that
run services jointly.

Money is int pence throughout.  The arithmetic runs in a C core; this
package converts values, checks them and presents results.

>>> import apportion
>>> apportion.apportion("£407,045", ["44.16", "55.84"])
[17975107, 22729393]
>>> apportion.recharge_schedule("£211,654", equal_part="pounds")
[5291400, 5291400, 5291400, 5291200]
>>> apportion.format_money(apportion.parse_money("(3,540)", unit="£000"))
'-£3,540,000.00'
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import _core, audit, forecast, limits, scenario
from ._basis import listing
from ._convert import Money, Weight, exact_ratio, integer_weights
from ._convert import pence as _pence
from ._deprecate import keyword_only_after
from .audit import check_split, check_table, check_total
from .calendar import Calendar, date_parts, financial_year, fy_label
from .contract import ContractSum, load_contract_sum, parse_contract_sum
from .disaggregation import Disaggregation, load_disaggregation, parse_disaggregation
from .errors import (
    ApportionError,
    InputError,
    MoneyOverflowError,
    PlanError,
    PluginError,
    PluginWarning,
)
from .kpi import KPI, RAG, AmbiguousBandsWarning, Band, load_kpis, parse_kpis
from .ledger import Ledger, LedgerApportionment, UnusedBasisWarning
from .measures import combine, elapsed_working_days_summary, rereferrals, within_working_days
from .mtfp import MTFP, MTFPProposal, load_mtfp, parse_mtfp
from .outturn import Outturn, Q4Balance, load_outturn, parse_outturn, parse_q4_balance, q4_balance
from .plan import Check, Plan, load_plan, parse_plan
from .plugin import PluginInfo, ServiceArea, load_plugin, plugins, service_area, service_areas
from .savings import Saving, Savings, load_savings, parse_savings
from .scenario import CostScenario, ScenarioRun
from .scorecard import Scorecard, scorecard

if TYPE_CHECKING:
    import pandas as pd

__version__ = _core.C_VERSION

__all__ = [
    "KPI",
    "MODES",
    "MTFP",
    "RAG",
    "AmbiguousBandsWarning",
    "ApportionError",
    "Band",
    "Calendar",
    "Check",
    "ContractSum",
    "CostScenario",
    "Disaggregation",
    "InputError",
    "Ledger",
    "LedgerApportionment",
    "MTFPProposal",
    "MoneyOverflowError",
    "Outturn",
    "Plan",
    "PlanError",
    "PluginError",
    "PluginInfo",
    "PluginWarning",
    "Q4Balance",
    "Saving",
    "Savings",
    "ScenarioRun",
    "Scorecard",
    "ServiceArea",
    "UnusedBasisWarning",
    "apportion",
    "apportion_array",
    "apportion_lines",
    "audit",
    "balancing_payment",
    "check_split",
    "check_table",
    "check_total",
    "combine",
    "compare_bases",
    "date_parts",
    "elapsed_working_days_summary",
    "financial_year",
    "forecast",
    "format_money",
    "fy_label",
    "get_include",
    "limits",
    "load_contract_sum",
    "load_disaggregation",
    "load_kpis",
    "load_mtfp",
    "load_outturn",
    "load_plan",
    "load_plugin",
    "load_savings",
    "parse_contract_sum",
    "parse_disaggregation",
    "parse_kpis",
    "parse_money",
    "parse_mtfp",
    "parse_outturn",
    "parse_plan",
    "parse_q4_balance",
    "parse_savings",
    "plugins",
    "q4_balance",
    "recharge_schedule",
    "rereferrals",
    "scenario",
    "scorecard",
    "service_area",
    "service_areas",
    "within_working_days",
]

#: The apportionment modes, the default first.
MODES = ("largest_remainder", "first_come", "largest_ratio")


def apportion(total: Money, weights: Iterable[Weight],
              mode: str = "largest_remainder") -> list[int]:
    """Split ``total`` between parties in proportion to ``weights``, in pence.

    ``total`` is int pence, money text ("£407,045"), or a ``Decimal`` /
    ``Fraction`` of pounds.  Weights are ints, decimal text ("44.16"),
    ``Decimal`` or ``Fraction`` (a float is read as its shortest decimal
    text).  The shares are whole pence that sum exactly to the total, each
    within a penny of its exact value; ``mode`` decides who gets the pennies
    left over (see :data:`MODES`).

    >>> apportion(40704500, ["44.16", "55.84"])
    [17975107, 22729393]
    """
    return _core.apportion(_pence(total), integer_weights(weights), mode)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int64_vector(values: object, name: str) -> npt.NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "O" and arr.size and all(
                isinstance(v, int) and not isinstance(v, bool) for v in arr.ravel()):
            # Python ints of any size: one beyond int64 is named as the
            # scalar apportion names its total.
            for i, v in enumerate(arr.ravel()):
                if not _INT64_MIN <= v <= _INT64_MAX:
                    raise MoneyOverflowError(
                        f"{name}[{i}] does not fit in a 64-bit integer (from "
                        f"-2**63 to 2**63 - 1): {v}")
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must be integer pence, not an array of "
                            f"{arr.dtype}; money is never a float")
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, not of shape {arr.shape}")
    if arr.dtype != np.int64:
        if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
            raise MoneyOverflowError(f"{name} holds values beyond 64-bit pence")
        arr = arr.astype(np.int64)
    return np.ascontiguousarray(arr)


def apportion_array(totals: npt.ArrayLike, weights: Sequence[Weight],
                    mode: str = "largest_remainder", *,
                    out: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
    """Apportion every total of a 1-D integer array by one basis.

    Returns an int64 array of shape ``(len(totals), len(weights))`` whose
    rows sum exactly to the totals.  A C-contiguous int64 array is read in
    place through the buffer protocol; the GIL is released for large arrays.

    ``out``, as numpy's ufuncs take it, is an array for the shares, which
    is filled and returned instead of a new one: it must be a writable,
    C-contiguous int64 array of that shape sharing no memory with
    ``totals``.  A caller apportioning array after array into the same
    ``out`` spares the operating system handing over (and zeroing) fresh
    pages each time, which for large arrays costs more than the
    apportionment itself.  An ``out`` that does not fit is an
    :class:`InputError` saying what is wrong (a ``TypeError`` if it is not
    a numpy array at all), before anything is written.

    >>> shares = np.empty((2, 2), dtype=np.int64)
    >>> apportion_array([100, -7], ["44.16", "55.84"], out=shares) is shares
    True
    >>> shares.tolist()
    [[44, 56], [-3, -4]]
    """
    t = _int64_vector(totals, "totals")
    w = integer_weights(weights)
    if out is None:
        # A new array's pages are zeroed by the system as the kernel first
        # writes them, so the shares are best stored through the caches.
        out = np.empty((t.shape[0], len(w)), dtype=np.int64)
        _core.apportion_into(t, w, mode, out, fresh=True)
    else:
        _check_out(out, t, (t.shape[0], len(w)))
        _core.apportion_into(t, w, mode, out)
    return out


def _check_out(out: object, totals: npt.NDArray[np.int64],
               shape: tuple[int, int]) -> None:
    """That ``out`` can take apportion_array's shares of ``totals``: an
    InputError naming the first thing wrong, TypeError for a non-array."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array of int64, not {type(out).__name__}")
    if out.dtype != np.int64:
        raise InputError(f"out must be an array of int64 (pence), not of {out.dtype}")
    if out.shape != shape:
        raise InputError(f"out must have shape {shape} (a row per total, a column "
                         f"per party), not {out.shape}")
    if not out.flags.c_contiguous:
        raise InputError("out must be C-contiguous (rows one after another in "
                         "memory), not a strided view")
    if not out.flags.writeable:
        raise InputError("out must be writable, not a read-only array")
    # Both arrays are contiguous, so their extents overlapping is their
    # memory overlapping.
    if np.may_share_memory(out, totals):
        raise InputError("out must not share memory with totals: the shares "
                         "would overwrite totals not yet read")


def apportion_lines(line_totals: npt.ArrayLike, weights: Sequence[Weight],
                    mode: str = "largest_remainder") -> npt.NDArray[np.int64]:
    """Two-way apportionment of a budget of many lines by one basis.

    Returns an int64 array ``(lines, parties)`` in which every row sums to
    its line total and every column to the party's apportionment of the
    grand total, so both margins are exact at once.
    """
    t = _int64_vector(line_totals, "line_totals")
    w = integer_weights(weights)
    out = np.empty((t.shape[0], len(w)), dtype=np.int64)
    _core.apportion_lines_into(t, w, mode, out)
    return out


#: Beyond this many places, 100% in units of the last place no longer fits
#: comfortably in 64 bits.
_PERCENT_DECIMALS_MAX = 15


def compare_bases(total: Money,
                  bases: Mapping[Hashable, Mapping[Hashable, Weight]], *,
                  mode: str = "largest_remainder",
                  decimals: int | None = 2) -> pd.DataFrame:
    """Each authority's share of ``total`` under several bases, side by side.

    ``bases`` maps a basis name ("caseload", "0-18 population"...) to
    ``{authority: weight}``, the weights as :func:`apportion` takes them
    (ints, decimal text such as "53.57" or "53.57%", ``Decimal``,
    ``Fraction``).  Every basis must name the same authorities, so that
    each row compares like with like; their order may differ, and the
    columns follow the first basis's order.  An authority a basis gives
    nothing is named with weight 0.

    One row per basis (the index, named "basis", in the order given); the
    columns have two levels, the first "share" or "percent", the second
    the authority:

    * ``frame["share"]``: each authority's share in int64 pence, as
      :func:`apportion` gives it with ``mode``: exact, each row summing
      to ``total``.
    * ``frame["percent"]``: the basis's percentages, computed from its
      weights by the same core: ``decimals`` places (``Decimal``),
      apportioned from 100% by largest remainder so each row sums to
      exactly 100 (with two authorities, each is its exact percentage
      rounded to the nearest); weights that are percentages at that
      precision come back as given.  ``decimals=None`` gives the exact
      percentages as ``Fraction``.

    A bad weight, a basis that names other authorities than the first, or
    a basis whose weights are all zero is an :class:`InputError` naming
    the basis and the authority.

    >>> frame = compare_bases("£429,000", {
    ...     "budget": {"NNC": 218, "WNC": 211},
    ...     "population": {"WNC": "53.57%", "NNC": "46.43%"}})
    >>> frame["share"]  # doctest: +NORMALIZE_WHITESPACE
    authority        NNC       WNC
    basis
    budget      21800000  21100000
    population  19918470  22981530
    >>> frame.loc["budget", "percent"].tolist()
    [Decimal('50.82'), Decimal('49.18')]
    """
    import pandas as pd

    if not isinstance(bases, Mapping):
        raise TypeError("bases must map a basis name to {authority: weight}, "
                        f"not {type(bases).__name__}")
    if not bases:
        raise InputError("bases is empty: give at least one basis")
    if mode not in MODES:
        raise InputError(f"unknown apportionment mode {mode!r}; expected "
                         f"{', '.join(MODES)}")
    if decimals is not None and (isinstance(decimals, bool)
                                 or not isinstance(decimals, int)
                                 or not 0 <= decimals <= _PERCENT_DECIMALS_MAX):
        raise InputError(f"decimals must be None (exact) or a whole number "
                         f"from 0 to {_PERCENT_DECIMALS_MAX}, not {decimals!r}")
    pence = _pence(total)
    authorities: list[Hashable] = []
    shares: list[list[int]] = []
    percents: list[list[Decimal] | list[Fraction]] = []
    for name, basis in bases.items():
        where = f"bases[{name!r}]"
        if not isinstance(basis, Mapping):
            raise TypeError(f"{where} must map authorities to weights, not "
                            f"{type(basis).__name__}")
        if not basis:
            raise InputError(f"{where} names no authorities")
        if not authorities:
            authorities = list(basis)
            first = f"bases[{next(iter(bases))!r}]"
        else:
            extra = [a for a in basis if a not in authorities]
            missing = [a for a in authorities if a not in basis]
            if extra or missing:
                raise InputError(
                    f"{where} must name the same authorities as {first} "
                    f"({listing(authorities)}): "
                    + "; ".join(part for part in (
                        f"it adds {listing(extra)}" if extra else "",
                        f"it lacks {listing(missing)}" if missing else "")
                        if part))
        weights = [basis[a] for a in authorities]
        ratios = [exact_ratio(w, f"{where}[{a!r}]")
                  for a, w in zip(authorities, weights)]
        for a, w, (num, _) in zip(authorities, weights, ratios):
            if num < 0:
                raise InputError(f"{where}[{a!r}] is negative ({w!s}); "
                                 "weights must be zero or more")
        try:
            shares.append(apportion(pence, weights, mode))
            if decimals is None:
                parts = [Fraction(num, den) for num, den in ratios]
                whole = sum(parts, Fraction(0))
                percents.append([100 * p / whole for p in parts])
            else:
                units = apportion(100 * 10**decimals, weights, "largest_remainder")
                percents.append([Decimal(u).scaleb(-decimals) for u in units])
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    index = pd.Index(list(bases), name="basis")
    share = pd.DataFrame(shares, index=index, columns=authorities, dtype="int64")
    percent = pd.DataFrame(percents, index=index, columns=authorities, dtype=object)
    return pd.concat({"share": share, "percent": percent}, axis=1,
                     names=[None, "authority"])


def parse_money(text: str, unit: str = "£") -> int:
    """Read a figure as printed in a committee paper, in int pence.

    ``unit`` is the table's unit ("£", "£000", "£m"); a suffix in the text
    (k, m, bn, p) overrides it.  Brackets mean negative.

    >>> parse_money("(3,540)", unit="£000")
    -354000000
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    return _core.parse_money(text, unit)[0]


@keyword_only_after(2)
def format_money(pence: int, unit: str = "£", *, decimals: int | None = None,
                 negative: str = "minus", symbol: bool = True,
                 grouping: bool = True) -> str:
    """Format int pence: ``£211,654.00``, ``(£3,540,000)``, ``£0.85m``.

    ``decimals`` defaults to 2 for £ and £m and 0 for £000; dropped digits
    are rounded half away from zero.  ``negative`` is "minus" or "brackets".
    """
    return _core.format_money(pence, unit, -1 if decimals is None else decimals,
                              negative, symbol, grouping)


@keyword_only_after(2)
def recharge_schedule(share: Money, instalments: int = 4, *,
                      equal_part: str = "pence",
                      rounding: str = "half_up") -> list[int]:
    """Equal instalments with a balancing last one, summing exactly to share.

    ``equal_part`` is "pence" or "pounds" (the first instalments in whole
    pounds, as Schedule 3B2 prints them).
    """
    granularity = {"pence": 1, "pounds": 100}.get(equal_part)
    if granularity is None:
        raise InputError(f"equal_part must be 'pence' or 'pounds', not {equal_part!r}")
    if isinstance(instalments, numbers.Integral) and not isinstance(instalments, bool):
        limits.check_items(int(instalments), "instalments", items=int(instalments))
    return _core.schedule_equal(_pence(share, "share"), instalments, granularity,
                                rounding)


def balancing_payment(billed: Iterable[Money], actual_share: Money) -> int:
    """The final instalment once the year's actual share is known.

    Positive: the receiving authority pays more; negative: a refund to it.
    """
    return _core.schedule_balancing([_pence(b, "billed") for b in billed],
                                    _pence(actual_share, "actual_share"))


def get_include() -> str:
    """The folder holding apportion's public C headers (``apportion/*.h``)."""
    here = Path(__file__).resolve().parent
    shipped = here / "include"
    if shipped.is_dir():
        return str(shipped)
    return str(here.parent.parent / "include")  # a source checkout
