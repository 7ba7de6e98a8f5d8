"""Performance measures from case records, grouped, computed in C in one pass.

Every result carries its numerators and denominators beside the rate, so
results on separate chunks of records add up exactly (:func:`combine`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, overload

import numpy as np
import numpy.typing as npt

from . import _core
from ._convert import threads as _threads
from ._deprecate import keyword_only_after
from .calendar import Calendar, Dates, DateScalar, as_days
from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "combine",
    "elapsed_working_days_summary",
    "rereferrals",
    "within_working_days",
]

#: A calendar, or the name of a division to make one of.
CalendarLike = Calendar | str
#: One grouping column (one key per record: a numpy array, a pandas Series
#: or Index, a list), or a list of such columns; None is one group, "all".
By = Union["npt.NDArray[Any]", "pd.Series[Any]", "pd.Index[Any]", Sequence[Any], None]

_NAT = np.iinfo(np.int64).min
_SLA_FIELDS = ("key", "records", "within", "total", "open_late",
               "open_pending", "closed", "elapsed_sum", "elapsed_max")
(_RECORDS, _WITHIN, _TOTAL, _OPEN_LATE, _OPEN_PENDING, _CLOSED, _ELAPSED_SUM,
 _ELAPSED_MAX) = range(1, len(_SLA_FIELDS))
_COUNT_COLUMNS = ("within", "total", "records", "open_late", "open_pending",
                  "closed", "elapsed_sum")


def _calendar(calendar: object) -> Calendar:
    if isinstance(calendar, Calendar):
        return calendar
    if isinstance(calendar, str):
        return Calendar(calendar)
    raise TypeError(f"calendar must be an apportion.Calendar or a division "
                    f"name, not {type(calendar).__name__}")


def _as_key_array(values: object, n: int, name: str
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any] | pd.Index[Any] | None,
                             Hashable | None]:
    """One grouping column: (int64 keys, labels for the keys or None when
    the keys are their own labels, the column's name)."""
    import pandas as pd
    label: Hashable | None = getattr(values, "name", None)
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InputError(f"{name} has shape {arr.shape}; one key per record "
                         f"({n}) is needed")
    if arr.dtype.kind in "iu" and (arr.dtype.kind == "i" or
                                   arr.size == 0 or arr.max() <= np.iinfo(np.int64).max):
        return np.ascontiguousarray(arr, dtype=np.int64), None, label
    # Anything else (authority codes, periods, dates) is numbered first; a
    # missing key is a group of its own, never dropped.
    codes, uniques = pd.factorize(arr, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), uniques, label


def _group_keys(by: By, n: int
                ) -> tuple[npt.NDArray[np.int64] | None,
                           Callable[[npt.NDArray[np.int64]], pd.Index[Any]]]:
    """Grouping columns as one int64 key per record, and a function from
    the distinct keys to the result's index."""
    keys, decode, _ = _keys_and_decode(by, n)
    return keys, decode


def _keys_and_decode(by: By, n: int
                     ) -> tuple[npt.NDArray[np.int64] | None,
                                Callable[[npt.NDArray[np.int64]], pd.Index[Any]],
                                bool]:
    """_group_keys, and whether the kernels' key order (ascending int64)
    is already the labels' order, so that the result needs no sort."""
    if type(by) is np.ndarray and by.shape == (n,) and by.dtype.kind == "i":
        # The common case, integer keys in a numpy array: the keys are
        # their own labels, passed on without a copy when they are int64.
        def decode_ints(k: npt.NDArray[np.int64]) -> pd.Index[Any]:
            import pandas as pd
            return pd.Index(k)
        return np.ascontiguousarray(by, dtype=np.int64), decode_ints, True
    import pandas as pd
    if by is None:
        def decode_all(keys: npt.NDArray[np.int64]) -> pd.Index[Any]:
            return pd.Index(["all"] * len(keys), name=None)
        return None, decode_all, True
    # A list of columns (each one key per record), not a list of keys.
    is_multi = isinstance(by, (list, tuple)) and len(by) > 0 and all(
        isinstance(b, (np.ndarray, pd.Series, pd.Index, list, tuple)) and
        np.ndim(b) == 1 and len(b) == n for b in by)
    if not is_multi:
        keys, labels, name = _as_key_array(by, n, "by")

        def decode(k: npt.NDArray[np.int64]) -> pd.Index[Any]:
            return pd.Index(k if labels is None else labels[k], name=name)
        return keys, decode, labels is None
    columns = [_as_key_array(b, n, f"by[{i}]") for i, b in enumerate(by)]
    # Renumber each column densely and combine them in mixed radix.
    dense = []
    for keys, labels, name in columns:
        codes, uniques = pd.factorize(keys, use_na_sentinel=False)
        level = uniques if labels is None else labels[uniques]
        dense.append((codes.astype(np.int64, copy=False), level, name))
    sizes = [max(len(level), 1) for _, level, _ in dense]
    if np.prod([float(s) for s in sizes]) >= 2.0 ** 62:
        raise InputError("too many combinations of group keys to number")
    combined = np.zeros(n, dtype=np.int64)
    for (codes, _, _), size in zip(dense, sizes):
        combined = combined * size + codes

    def decode_multi(k: npt.NDArray[np.int64]) -> pd.Index[Any]:
        k = np.asarray(k, dtype=np.int64)
        parts = []
        for size in reversed(sizes):
            parts.append(k % size)
            k = k // size
        parts.reverse()
        return pd.MultiIndex.from_arrays(
            [level[p] for (_, level, _), p in zip(dense, parts)],
            names=[name for _, _, name in dense])
    return combined, decode_multi, False


def _sla_groups(start: Dates, end: Dates, calendar: CalendarLike, by: By, limit: int,
                as_of: DateScalar, convention: str, threads: int | None
                ) -> tuple[npt.NDArray[np.int64], pd.Index[Any]]:
    """The kernel's groups as one row per field of _SLA_FIELDS (a column
    per group, in the order of the result's index: each field is a
    contiguous, writable array that the result's frame takes as its
    column without a copy), and that index."""
    n_threads = _threads(threads)
    cal = _calendar(calendar)
    s = as_days(start, "start")
    e = as_days(end, "end")
    n = s.days.shape[0]
    if e.days.shape[0] != n:
        raise InputError(f"start has {n} dates and end {e.days.shape[0]}; "
                         f"they must be the same length")
    if s.scalar or e.scalar:
        raise InputError("start and end must be arrays of record dates")
    as_of_day = _NAT if as_of is None else int(as_days(as_of, "as_of").days[0])
    keys, decode, in_order = _keys_and_decode(by, n)
    raw = _core.sla_measure(cal._cal, s.days, e.days, keys, int(limit),
                            convention, as_of_day, n_threads)
    # The kernel's packed rows (read-only bytes) turned to one row a field:
    # one small copy of the groups (72 bytes each), never of the records.
    fields = np.frombuffer(raw, dtype=np.int64).reshape(
        -1, len(_SLA_FIELDS)).T.copy()
    if by is None and fields.shape[1] == 0:
        # No records: the one group "all", empty (no maximum: -1).
        fields = np.zeros((len(_SLA_FIELDS), 1), dtype=np.int64)
        fields[_ELAPSED_MAX] = -1
        import pandas as pd
        return fields, pd.Index(["all"])
    index = decode(fields[0])
    if not in_order:
        # Groups in label order where the labels can be ordered, as
        # _sorted orders a frame (sort_index: missing labels last); the
        # kernel's key order where they cannot (mixed label types).
        import pandas as pd
        position = _sorted(pd.Series(np.arange(len(index)), index=index))
        fields, index = fields[:, position.to_numpy()], position.index
    return fields, index


def _frame(columns: dict[str, npt.NDArray[Any]], index: pd.Index[Any]) -> pd.DataFrame:
    """A result frame from its columns (in order) in one step."""
    import pandas as pd
    return pd.DataFrame(columns, index=index, copy=False)


_Frame = TypeVar("_Frame", "pd.DataFrame", "pd.Series[Any]")


def _sorted(frame: _Frame) -> _Frame:
    """Groups in label order where the labels can be ordered."""
    try:
        return frame.sort_index()
    except TypeError:  # mixed label types: keep the kernel's key order
        return frame


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike,
           scale: float) -> npt.NDArray[np.float64]:
    """scale * numerator / denominator, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1), np.nan)


def _rate(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """A percentage."""
    return _ratio(numerator, denominator, 100.0)


#: The most working days a limit may be (the core counts in int64).
_DAYS_MAX = 2**63 - 1


@keyword_only_after(3)
def within_working_days(start: Dates, end: Dates, days: int, *,
                        calendar: CalendarLike = "england-and-wales",
                        by: By = None, as_of: DateScalar = None,
                        convention: str = "after_start",
                        threads: int | None = None) -> pd.DataFrame:
    """The share of records answered within ``days`` working days, by group.

    ``start`` and ``end`` are record dates (numpy datetime64 arrays, pandas
    Series, or sequences of dates or ISO text); an end of NaT/None is a
    record still open.  Open records count as late once they are past the
    limit on the ``as_of`` date, and are left out (``open_pending``) until
    then, or always when no ``as_of`` is given.  ``by`` is one key per
    record (authority, month...) or a list of such columns; integer keys go
    to the C kernel as they are, other keys are numbered first.

    Returns a DataFrame indexed by group with ``within``, ``total`` and
    ``rate`` (a percentage; NaN with no records), then ``late``,
    ``open_late``, ``open_pending`` and ``records``.  Elapsed days follow
    ``convention`` (see :meth:`Calendar.elapsed_working_days`).  The
    records are counted on ``threads`` threads (None: every core, for
    large inputs) without the GIL; the result is the same for any number.
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) \
            or not 0 <= days <= _DAYS_MAX:
        raise InputError(f"days must be a whole number of working days from 0 "
                         f"to {_DAYS_MAX}, not {days!r}")
    fields, index = _sla_groups(start, end, calendar, by, days, as_of, convention,
                              threads)
    within, total = fields[_WITHIN], fields[_TOTAL]
    return _frame({"within": within, "total": total,
                   "rate": _rate(within, total), "late": total - within,
                   "open_late": fields[_OPEN_LATE],
                   "open_pending": fields[_OPEN_PENDING],
                   "records": fields[_RECORDS]}, index)


@keyword_only_after(2)
def elapsed_working_days_summary(start: Dates, end: Dates, *,
                                 calendar: CalendarLike = "england-and-wales",
                                 by: By = None,
                                 convention: str = "after_start",
                                 threads: int | None = None) -> pd.DataFrame:
    """Counts and means of elapsed working days of closed records, by group:
    ``closed``, ``open``, ``elapsed_sum``, ``mean`` and ``max`` (on
    ``threads`` threads as :func:`within_working_days`)."""
    fields, index = _sla_groups(start, end, calendar, by, 0, None, convention,
                              threads)
    closed, elapsed_sum = fields[_CLOSED], fields[_ELAPSED_SUM]
    maxima: npt.NDArray[Any] = fields[_ELAPSED_MAX]
    if not (closed > 0).all():
        # No maximum without a closed record: NaN, which makes the column
        # float (it stays int64 when every group has one).
        maxima = np.where(closed > 0, maxima, np.nan)
    return _frame({"closed": closed, "open": fields[_OPEN_PENDING],
                   "elapsed_sum": elapsed_sum,
                   "mean": _ratio(elapsed_sum, closed, 1.0), "max": maxima},
                  index)


@overload
def rereferrals(subjects: npt.ArrayLike | pd.Series[Any], dates: Dates, by: By = ...,
                *, window_months: int = ...,
                return_flags: Literal[False] = ...) -> pd.DataFrame: ...
@overload
def rereferrals(subjects: npt.ArrayLike | pd.Series[Any], dates: Dates, by: By = ...,
                *, window_months: int = ..., return_flags: Literal[True]
                ) -> tuple[pd.DataFrame, npt.NDArray[np.bool_]]: ...


@keyword_only_after(3)
def rereferrals(subjects: npt.ArrayLike | pd.Series[Any], dates: Dates, by: By = None,
                *, window_months: int = 12, return_flags: bool = False
                ) -> pd.DataFrame | tuple[pd.DataFrame, npt.NDArray[np.bool_]]:
    """Records whose subject had an earlier record within ``window_months``
    months (on or after the same day that many months before), by group.

    ``subjects`` identifies the child or family (integers, or anything
    pandas can factorize).  Returns a DataFrame with ``rereferrals``,
    ``records`` and ``rate`` (a percentage); with ``return_flags`` also a
    boolean array marking each re-referral.  Records on the same day for
    the same subject: each after the first counts as a re-referral.
    """
    import pandas as pd
    d = as_days(dates, "dates")
    n = d.days.shape[0]
    subj, _, _ = _as_key_array(subjects, n, "subjects")
    keys, decode = _group_keys(by, n)
    flags = np.zeros(n, dtype=np.bool_) if return_flags else None
    raw = _core.rereferrals(subj, d.days, keys, int(window_months), flags)
    rows = np.frombuffer(raw, dtype=np.int64).reshape(-1, 3)
    frame = pd.DataFrame({"rereferrals": rows[:, 2], "records": rows[:, 1]},
                         index=decode(rows[:, 0]))
    frame = _sorted(frame)
    frame["rate"] = _rate(frame["rereferrals"], frame["records"])
    return (frame, flags) if flags is not None else frame


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    """Adds results computed on separate chunks of records: counts add
    exactly, the maximum is the largest, and each rate is worked out again
    from the summed counts."""
    import pandas as pd
    if not frames:
        raise InputError("combine needs at least one result")
    columns = list(frames[0].columns)
    counts = [c for c in columns if c in _COUNT_COLUMNS or c in
              ("late", "rereferrals", "open", "records")]
    total = frames[0][counts]
    for f in frames[1:]:
        if list(f.columns) != columns:
            raise InputError("results to combine must have the same columns")
        total = total.add(f[counts], fill_value=0)
    total = total.astype(np.int64)
    out = total.copy()
    if "rate" in columns:
        if "within" in columns:
            out["rate"] = _rate(total["within"], total["total"])
        else:
            out["rate"] = _rate(total["rereferrals"], total["records"])
    if "max" in columns:
        out["max"] = pd.concat([f["max"] for f in frames], axis=1).max(axis=1)
    if "mean" in columns:
        out["mean"] = _ratio(total["elapsed_sum"], total["closed"], 1.0)
    return out[columns]
