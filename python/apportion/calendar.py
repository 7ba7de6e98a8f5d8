"""Working-day calendars for England and Wales, Scotland and Northern Ireland.

Bank holidays come from each division's rules and proclamations (computed in
C for 1970-2100); a calendar can add an organisation's own closure days and a
weekmask.  Every method takes a ``datetime.date``, ISO text, a numpy array or
a pandas Series, and answers in kind: a scalar for a scalar, an array for an
array, a Series (same index) for a Series.

>>> from apportion.calendar import Calendar
>>> scotland = Calendar("scotland")
>>> scotland.holidays(2024)[:2]
[datetime.date(2024, 1, 1), datetime.date(2024, 1, 2)]
>>> scotland.working_days("2024-01-01", "2024-01-08")
3
>>> Calendar("england-and-wales").working_days("2024-01-01", "2024-01-08")
4
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union, overload

import numpy as np
import numpy.typing as npt

from . import _core
from ._deprecate import renamed
from .errors import InputError
from .present.mixin import Presentable
from .present.model import View

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONVENTIONS",
    "DIVISIONS",
    "ROLLS",
    "Calendar",
    "date_parts",
    "financial_year",
    "fy_label",
]

#: The divisions with bank holidays ("none": weekends only).
DIVISIONS = ("england-and-wales", "scotland", "northern-ireland", "none")
_DIVISION_NAMES = {"england-and-wales": "England and Wales", "scotland": "Scotland",
                   "northern-ireland": "Northern Ireland",
                   "none": "no division (weekends only)"}
#: numpy.busday_offset's roll conventions.
ROLLS = ("raise", "nat", "forward", "following", "backward", "preceding",
         "modifiedfollowing", "modifiedpreceding")
#: How elapsed working days are counted (see Calendar.elapsed_working_days).
CONVENTIONS = ("after_start", "busday_count", "inclusive")

#: One date: a date or datetime (a pandas Timestamp too), ISO text
#: ("2021-04-01") or a numpy datetime64; None (or NaT) is a date not known.
DateScalar = _dt.date | str | np.datetime64 | None
#: Many dates: a numpy array, a pandas Index, or a sequence of dates.
DateArray = Union["npt.NDArray[Any]", "pd.Index[Any]", Sequence[DateScalar]]
#: Dates in any form a calendar takes; a Series' index is kept.
Dates = Union[DateScalar, DateArray, "pd.Series[Any]"]
# What _Dates.wrap hands back: a scalar, an array or a Series.
_Wrapped = Union[int, bool, _dt.date, None, "npt.NDArray[Any]", "pd.Series[Any]"]

_NAT = np.iinfo(np.int64).min
_DAY = np.dtype("datetime64[D]")
_EPOCH = _dt.date(1970, 1, 1)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Dates:
    """Dates as an int64 array of days since 1970-01-01, and how to hand a
    result back in the form the caller gave (scalar, array or Series)."""

    __slots__ = ("days", "index", "name", "scalar")

    def __init__(self, days: npt.NDArray[np.int64], scalar: bool,
                 index: pd.Index[Any] | None = None,
                 name: Hashable | None = None) -> None:
        self.days = days
        self.scalar = scalar
        self.index = index
        self.name = name

    def wrap(self, values: npt.NDArray[Any], dates: bool = False) -> _Wrapped:
        if dates:
            values = values.view("datetime64[D]")
        if self.scalar:
            v = values[0]
            if dates:
                day: _dt.date | None = None if np.isnat(v) else v.astype(_dt.date)
                return day
            item: int | bool = v.item()
            return item
        if self.index is not None:
            import pandas as pd
            return pd.Series(values, index=self.index, name=self.name)
        return values


def _is_missing(value: object) -> bool:
    """None, NaN, numpy NaT and pandas NaT: a date not yet known."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    return value is pd.NaT


def _scalar_day(value: object, name: str) -> int:
    if _is_missing(value):
        return _NAT
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - _EPOCH).days
    if isinstance(value, str):
        try:
            return _core.parse_date(value.strip())
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").view(np.int64))
    raise TypeError(f"{name} must be a date, ISO text (YYYY-MM-DD), a numpy "
                    f"array or a pandas Series, not {type(value).__name__}")


def as_days(values: object, name: str) -> _Dates:
    """Any supported date input as days since 1970-01-01 (NaT kept)."""
    if type(values) is np.ndarray and values.dtype == _DAY and values.ndim == 1:
        # The common case first: datetime64[D] holds days since 1970 as
        # int64 already, so the days are a view of the array (a copy only
        # of a strided one), with no check of what else it might be.
        if not values.flags.c_contiguous:
            values = np.ascontiguousarray(values)
        return _Dates(values.view(np.int64), False)
    if _is_missing(values) or isinstance(values, (str, _dt.date, np.datetime64)):
        return _Dates(np.array([_scalar_day(values, name)], dtype=np.int64),
                      scalar=True)
    import pandas as pd

    if isinstance(values, pd.Timestamp):
        return _Dates(np.array([_scalar_day(values.to_pydatetime(), name)],
                               dtype=np.int64), scalar=True)
    index: pd.Index[Any] | None = None
    series_name: Hashable | None = None
    if isinstance(values, pd.Series):
        index, series_name = values.index, values.name
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        values = values.to_numpy()
    elif isinstance(values, pd.Index):
        if isinstance(values, pd.DatetimeIndex) and values.tz is not None:
            values = values.tz_localize(None)
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        if arr.ndim != 1:
            raise InputError(f"{name} must be one-dimensional, not of shape "
                             f"{arr.shape}")
    days: npt.NDArray[Any]
    if arr.dtype.kind == "M":
        days = arr if arr.dtype == np.dtype("datetime64[D]") \
            else arr.astype("datetime64[D]")
    elif arr.dtype.kind in "OU":
        days = np.empty(arr.shape[0], dtype=np.int64)
        for i, v in enumerate(arr.tolist()):
            days[i] = _scalar_day(v, f"{name}[{i}]")
        return _Dates(days, False, index, series_name)
    elif arr.size == 0:  # [] reads as float64; it holds no dates at all
        return _Dates(np.zeros(0, dtype=np.int64), False, index, series_name)
    else:
        raise TypeError(f"{name} must hold dates (datetime64, date objects or "
                        f"ISO text), not {arr.dtype}")
    return _Dates(np.ascontiguousarray(days).view(np.int64), False, index,
                  series_name)


def _int_vector(values: object, n: int, name: str) -> npt.NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "b" or arr.dtype.kind == "f":
            raise TypeError(f"{name} must be whole numbers of days, not {arr.dtype}")
        raise TypeError(f"{name} must be integers, not {arr.dtype}")
    if arr.ndim == 0:
        arr = np.full(n, int(arr), dtype=np.int64)
    if arr.shape != (n,):
        raise InputError(f"{name} has shape {arr.shape}; {n} values are needed")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _weekmask_bits(weekmask: str | Sequence[bool | int]) -> int:
    """numpy's weekmask forms: "1111100", "Mon Tue Wed Thu Fri", or seven
    booleans, Monday first."""
    if isinstance(weekmask, str):
        text = weekmask.strip()
        if len(text) == 7 and set(text) <= {"0", "1"}:
            flags = [c == "1" for c in text]
        else:
            words = [w.lower()[:3] for w in text.replace(",", " ").split()]
            unknown = [w for w in words if w not in _WEEKDAYS]
            if unknown or not words:
                raise InputError(f"weekmask {weekmask!r}: expected seven 0/1 "
                                 f"digits or day names such as 'Mon Tue Wed'")
            flags = [d in words for d in _WEEKDAYS]
    else:
        flags = [bool(f) for f in weekmask]
        if len(flags) != 7:
            raise InputError(f"weekmask has {len(flags)} entries; 7 are needed, "
                             f"Monday first")
    return sum(1 << i for i, f in enumerate(flags) if f)


@lru_cache(maxsize=32)
def _make(division: str, weekmask: int, closures: tuple[int, ...]) -> _core._Calendar:
    return _core.calendar_new(division, weekmask,
                              np.array(closures, dtype=np.int64))


class Calendar(Presentable):
    """A working-day calendar: a division's bank holidays, an organisation's
    own closure days and a weekmask.

    >>> cal = Calendar("england-and-wales")
    >>> cal.working_days("2021-04-01", "2022-04-01")
    253
    """

    def __init__(self, division: str = "england-and-wales",
                 extra_closures: Dates = (),
                 weekmask: str | Sequence[bool | int] = "1111100") -> None:
        if not isinstance(division, str):
            raise TypeError(f"division must be a str such as "
                            f"'england-and-wales', not {type(division).__name__}")
        closures = as_days(extra_closures, "extra_closures") \
            if not isinstance(extra_closures, (list, tuple)) or extra_closures \
            else _Dates(np.zeros(0, dtype=np.int64), False)
        days = closures.days
        if (days == _NAT).any():
            raise InputError("extra_closures holds NaT; every closure needs a date")
        self.division = division
        self._weekmask = _weekmask_bits(weekmask)
        self._closures = tuple(sorted(set(days.tolist())))
        self._cal = _make(division, self._weekmask, self._closures)
        self.first, self.last = (np.datetime64(d, "D") for d in
                                 _core.calendar_span(self._cal))

    def __reduce__(self) -> tuple[type[Calendar], tuple[str, list[_dt.date], str]]:
        # The C calendar (a capsule) cannot be pickled: a calendar travels
        # as what made it and is built again where it is unpickled.
        return (type(self), (self.division, self.extra_closures, self.weekmask))

    def __repr__(self) -> str:
        extra = f", {len(self._closures)} closure days" if self._closures else ""
        mask = "".join("1" if self._weekmask >> i & 1 else "0" for i in range(7))
        return f"Calendar({self.division!r}, weekmask={mask!r}{extra})"

    @property
    def weekmask(self) -> str:
        return "".join("1" if self._weekmask >> i & 1 else "0" for i in range(7))

    @property
    def extra_closures(self) -> list[_dt.date]:
        return [_EPOCH + _dt.timedelta(days=d) for d in self._closures]

    # ---- holidays ---------------------------------------------------------

    def bank_holidays_frame(self, year: int) -> pd.DataFrame:
        """The division's bank holidays in ``year`` as a DataFrame with
        columns date, title and substitute (moved off a weekend)."""
        import pandas as pd
        rows = _core.bank_holidays(self.division, _year(year))
        return pd.DataFrame({
            "date": [_EPOCH + _dt.timedelta(days=d) for d, _, _ in rows],
            "title": [t for _, t, _ in rows],
            "substitute": [s for _, _, s in rows],
        })

    bank_holidays = renamed(bank_holidays_frame, "Calendar.bank_holidays")

    def holidays(self, year: int) -> list[_dt.date]:
        """Every weekday this calendar closes in ``year``: the bank holidays
        and the extra closure days, sorted."""
        year = _year(year)
        days = {d for d, _, _ in _core.bank_holidays(self.division, year)}
        lo = (_dt.date(year, 1, 1) - _EPOCH).days
        hi = (_dt.date(year, 12, 31) - _EPOCH).days
        days.update(d for d in self._closures if lo <= d <= hi)
        return [_EPOCH + _dt.timedelta(days=d) for d in sorted(days)]

    # ---- working days -----------------------------------------------------

    @overload
    def is_working_day(self, dates: DateScalar) -> bool: ...  # type: ignore[overload-overlap]  # text is one date, not a sequence
    @overload
    def is_working_day(self, dates: pd.Series[Any]) -> pd.Series[bool]: ...
    @overload
    def is_working_day(
            self, dates: DateArray) -> npt.NDArray[np.bool_]: ...

    def is_working_day(self, dates: Dates) -> _Wrapped:
        """True where a date is a working day."""
        d = as_days(dates, "dates")
        out = np.empty(d.days.shape[0], dtype=np.bool_)
        _core.is_working_day(self._cal, d.days, out)
        return d.wrap(out)

    @overload
    def working_days(self, start: DateScalar, end: DateScalar) -> int: ...  # type: ignore[overload-overlap]  # text is one date, not a sequence
    @overload
    def working_days(self, start: pd.Series[Any], end: Dates) -> pd.Series[int]: ...
    @overload
    def working_days(self, start: Dates, end: pd.Series[Any]) -> pd.Series[int]: ...
    @overload
    def working_days(
            self, start: DateScalar | DateArray,
            end: DateScalar | DateArray) -> npt.NDArray[np.int64]: ...

    def working_days(self, start: Dates, end: Dates) -> _Wrapped:
        """Working days in [start, end), as numpy.busday_count (1.25 and
        later): when end is before start, minus the working days in
        (end, start]."""
        a, b = _pair(start, end, "start", "end")
        out = np.empty(a.days.shape[0], dtype=np.int64)
        _call(_core.working_days, {"begin": "start"}, self._cal, a.days,
              b.days, out)
        return _wrap_pair(a, b, out)

    @overload
    def add_working_days(self, dates: DateScalar, n: int | npt.ArrayLike,  # type: ignore[overload-overlap]  # text is one date, not a sequence
                         roll: str = ..., *,
                         errors: str = ...) -> _dt.date | None: ...
    @overload
    def add_working_days(self, dates: pd.Series[Any], n: int | npt.ArrayLike,
                         roll: str = ..., *,
                         errors: str = ...) -> pd.Series[Any]: ...
    @overload
    def add_working_days(
            self, dates: DateArray, n: int | npt.ArrayLike,
            roll: str = ..., *,
            errors: str = ...) -> npt.NDArray[np.datetime64]: ...

    def add_working_days(self, dates: Dates, n: int | npt.ArrayLike,
                         roll: str = "raise", *,
                         errors: str = "raise") -> _Wrapped:
        """Move each date ``n`` working days (numpy.busday_offset), first
        rolling a date that is not a working day by ``roll``.  A missing
        date stays missing, except with roll="raise", where it is an
        error.

        A result outside the calendar's dates (1970 to 2100) is an
        InputError naming the element with ``errors="raise"`` (the
        default); with ``errors="coerce"`` it is NaT (None for one date)
        for that element alone, as is a date outside those years."""
        if errors not in ("raise", "coerce"):
            raise InputError(f"errors must be 'raise' or 'coerce', not {errors!r}")
        d = as_days(dates, "dates")
        offsets = _int_vector(n, d.days.shape[0], "n")
        out = np.empty(d.days.shape[0], dtype=np.int64)
        _core.add_working_days(self._cal, d.days, offsets, roll, out, errors)
        return d.wrap(out, dates=True)

    @overload
    def elapsed_working_days(self, received: DateScalar, responded: DateScalar,  # type: ignore[overload-overlap]  # text is one date, not a sequence
                             convention: str = ...) -> int | None: ...
    @overload
    def elapsed_working_days(self, received: pd.Series[Any], responded: Dates,
                             convention: str = ...) -> pd.Series[int]: ...
    @overload
    def elapsed_working_days(self, received: Dates, responded: pd.Series[Any],
                             convention: str = ...) -> pd.Series[int]: ...
    @overload
    def elapsed_working_days(
            self, received: DateScalar | DateArray,
            responded: DateScalar | DateArray,
            convention: str = ...) -> npt.NDArray[np.int64]: ...

    def elapsed_working_days(self, received: Dates, responded: Dates,
                             convention: str = "after_start") -> _Wrapped:
        """Working days taken from ``received`` to ``responded``.

        The default counts the working days after the day of receipt up to
        and including the day of response (received Friday, answered
        Wednesday = 3), which is numpy.busday_count(received + 1, responded
        + 1).  "busday_count" counts [received, responded); "inclusive"
        counts both ends.  A missing date (NaT, None) gives -1 in an array
        and None for a scalar; a response before its receipt is an error
        that names the row.
        """
        a, b = _pair(received, responded, "received", "responded")
        out = np.empty(a.days.shape[0], dtype=np.int64)
        _call(_core.elapsed_working_days,
              {"start": "received", "end": "responded"},
              self._cal, a.days, b.days, convention, -1, out)
        result = _wrap_pair(a, b, out)
        if a.scalar and b.scalar and result == -1:
            return None
        return result

    def view(self, year: int | None = None) -> View:
        """The calendar on a page: its division, working week and closure
        days, the weekdays it closes in ``year`` (None: this year) -- each
        bank holiday with its title and whether it was moved off a weekend,
        then the organisation's own closures -- and the working days in
        the financial years around it."""
        from .present.model import Column, Row, Table
        year = _dt.date.today().year if year is None else _year(year)
        days = [name.capitalize() for name, on in zip(
            _WEEKDAYS, self.weekmask) if on == "1"]
        name = _DIVISION_NAMES.get(self.division, self.division)
        paragraphs = [
            f"Bank holidays of {name}" if self.division != "none"
            else "No bank holidays (weekends only)",
            f"Working days: {', '.join(days) or 'none'}."]
        if self._closures:
            paragraphs.append(f"{len(self._closures)} closure "
                              f"{'day' if len(self._closures) == 1 else 'days'} "
                              f"of the organisation's own.")
        paragraphs[0] += f"; dates from {self.first} to {self.last}."
        rows = [Row((d.isoformat(), title, "moved off a weekend" if sub else None))
                for d, title, sub in (
                    (_EPOCH + _dt.timedelta(days=n), t, s)
                    for n, t, s in _core.bank_holidays(self.division, year))]
        rows += [Row((d.isoformat(), "Closure (the organisation's own)", None))
                 for d in self.extra_closures if d.year == year]
        rows.sort(key=lambda r: str(r.values[0]))
        closed = Table(f"Days closed in {year}", (
            Column("date", "Date", "date", role="label"),
            Column("title", "Holiday"),
            Column("note", "Substitute day")), tuple(rows),
            source=f"apportion's bank-holiday rules for {name}",
            name=f"Closed {year}")
        fys = [year - 1, year, year + 1]
        counts = Table("Working days by financial year", (
            Column("fy", "Financial year", role="label"),
            Column("days", "Working days", "count", summed=False)), tuple(
            Row((fy_label(y), self.financial_year_working_days(y)))
            for y in fys if self.first.astype(object).year <= y
            and y + 1 <= self.last.astype(object).year),
            source="computed by apportion (1 April to 31 March)",
            name="Working days")
        return View(f"Working-day calendar: {name}", tuple(paragraphs),
                    tables=(closed, counts))

    def financial_year_working_days(self, year: int | str) -> int:
        """Working days in a financial year, given as 2021 or "2021/22"."""
        start = _core.parse_fy(year) if isinstance(year, str) else _year(year)
        return _core.fy_working_days(self._cal, start)


def _year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"year must be an int, not {type(year).__name__}")
    return int(year)


def _call(fn: Callable[..., None], names: dict[str, str], *args: object) -> None:
    """Calls a core kernel; its messages name arrays by the core's names
    (begin[3], start[3]), which are put back as the caller's."""
    try:
        fn(*args)
    except InputError as exc:
        message = str(exc)
        for core_name, user_name in names.items():
            message = re.sub(rf"\b{core_name}\[", f"{user_name}[", message)
        raise InputError(message) from None


def _pair(a: Dates, b: Dates, name_a: str, name_b: str) -> tuple[_Dates, _Dates]:
    da, db = as_days(a, name_a), as_days(b, name_b)
    na, nb = da.days.shape[0], db.days.shape[0]
    if na != nb:
        if da.scalar:
            da = _Dates(np.full(nb, da.days[0], dtype=np.int64), False,
                        db.index, db.name)
        elif db.scalar:
            db = _Dates(np.full(na, db.days[0], dtype=np.int64), False,
                        da.index, da.name)
        else:
            raise InputError(f"{name_a} has {na} dates and {name_b} {nb}; "
                             f"they must be the same length")
    return da, db


def _wrap_pair(a: _Dates, b: _Dates, values: npt.NDArray[Any]) -> _Wrapped:
    if a.scalar and b.scalar:
        return a.wrap(values)
    return (a if a.index is not None or b.index is None else b).wrap(values)


def fy_label(year: int) -> str:
    """The label of the financial year starting in ``year``: "2021/22"."""
    return _core.fy_label(_year(year))


_PARTS = ("financial_year", "quarter", "period", "financial_quarter", "month")


@overload
def date_parts(dates: DateScalar, part: str) -> int: ...  # type: ignore[overload-overlap]  # text is one date, not a sequence
@overload
def date_parts(dates: pd.Series[Any], part: str) -> pd.Series[int]: ...
@overload
def date_parts(
        dates: DateArray, part: str) -> npt.NDArray[np.int64]: ...


def date_parts(dates: Dates, part: str) -> _Wrapped:
    """Financial-year parts of dates, for grouping: "financial_year" (2021
    for 2021/22), "quarter" (1-4, Q1 = April-June), "period" (1-12, P1 =
    April), "financial_quarter" (20213 = 2021/22 Q3) or "month" (202112).
    NaT gives -1."""
    if part not in _PARTS:
        raise InputError(f"part must be one of {', '.join(_PARTS)}; not {part!r}")
    d = as_days(dates, "dates")
    out = np.empty(d.days.shape[0], dtype=np.int64)
    _core.date_parts(d.days, part, -1, out)
    return d.wrap(out)


@overload
def financial_year(dates: DateScalar) -> str: ...  # type: ignore[overload-overlap]  # text is one date, not a sequence
@overload
def financial_year(dates: pd.Series[Any]) -> pd.Series[Any]: ...
@overload
def financial_year(
        dates: DateArray) -> npt.NDArray[np.object_]: ...


def financial_year(dates: Dates) -> str | pd.Series[Any] | npt.NDArray[np.object_]:
    """The financial year of each date as its label ("2021/22")."""
    import pandas as pd

    years = date_parts(dates, "financial_year")
    if isinstance(years, int):
        return fy_label(years)
    labels = {y: fy_label(y) for y in np.unique(np.asarray(years)).tolist()
              if y != -1}
    mapped = [labels.get(y) for y in np.asarray(years).tolist()]
    if isinstance(years, pd.Series):
        return pd.Series(mapped, index=years.index, name=years.name)
    return np.array(mapped, dtype=object)
