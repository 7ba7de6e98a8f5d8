"""Ledgers: lines of (cost centre, date or period, amount) summed by cost
centre and period, and apportioned to authorities by each centre's basis,
keeping every penny.

A :class:`Ledger` is built from numpy arrays, a pandas DataFrame or a CSV
file.  The C core sums the lines by centre and period in one pass over them
(:meth:`Ledger.totals_frame`), and :meth:`Ledger.apportion` splits each centre's
periods between the authorities by the centre's basis, two ways exact: each
cell's shares sum to the cell, each authority's year for a centre is its
apportionment of the centre's year, and so everything sums to the ledger.

>>> ledger = Ledger(["A", "A", "B"], [1000, 250, 99], period=["Q1", "Q2", "Q1"])
>>> ledger.totals_frame().loc["A"].tolist()
[1000, 250, 0, 0]
>>> result = ledger.apportion({"NNC": "44.16", "WNC": "55.84"})
>>> result.total
1349

>>> result.authority_totals
{'NNC': 596, 'WNC': 753}
"""

from __future__ import annotations

import codecs
import io
import os
import re
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Union, cast

import numpy as np
import numpy.typing as npt

from . import _core
from ._basis import basis_rows as _basis_rows
from ._basis import listing as _listing
from ._basis import plain as _plain
from ._convert import pence as _pence
from ._convert import read_file
from ._deprecate import keyword_only_after, renamed
from ._present import pounds, text_table
from .calendar import as_days
from .errors import ApportionError, InputError, MoneyOverflowError
from .present.mixin import Presentable
from .present.model import Chart, Column, Row, Series, Table, View

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Ledger", "LedgerApportionment", "UnusedBasisWarning"]

_I64 = npt.NDArray[np.int64]
# A column as the ledger reads it: a numpy array, or a pandas Categorical
# (or a Series or Index of one), whose codes are read as they are.
_Column = Union["npt.NDArray[Any]", "pd.Categorical", "pd.Series[Any]", "pd.Index[Any]"]
# Ledger columns as callers give them: a sequence, a numpy array, a pandas
# Series, Index or Categorical.
ColumnLike = Union[Sequence[Any], "npt.NDArray[Any]", "pd.Series[Any]", "pd.Index[Any]",
                   "pd.Categorical"]

_NAT = np.iinfo(np.int64).min
_KINDS = {"quarter": 4, "month": 12}
_PREFIX = {"quarter": "Q", "month": "P"}
_WORD = {"quarter": "quarters", "month": "months"}
_INT64_MAX = 2**63 - 1

class UnusedBasisWarning(UserWarning):
    """The basis names cost centres (or services) that have no lines in the
    ledger.  Not an error: a basis is often a master list for every centre
    while a ledger is one extract, and a misspelt centre in the ledger
    still fails, as a centre with no basis."""


# How an error names line i: functions (bound with functools.partial), not
# lambdas, so that a Ledger pickles.
def _line_where(i: int) -> str:
    return f"line {i}"


def _row_where(index: pd.Index[Any], i: int) -> str:
    return f"row {_plain(index[i])!r}"


def _file_line_where(path: str, i: int) -> str:
    return f"{path} line {i + 2}"


def _column(values: object, name: str) -> _Column:
    """A 1-D numpy array of a column, without a copy where possible."""
    import pandas as pd

    if isinstance(values, pd.Categorical):
        return values
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.CategoricalDtype):
            return values
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, not of shape {arr.shape}")
    return arr


def _smallest_signed(codes: npt.NDArray[np.integer[Any]], count: int
                     ) -> npt.NDArray[np.signedinteger[Any]]:
    """Codes 0..count-1 in the narrowest signed type: fewer bytes to scan."""
    for dtype in (np.int8, np.int16, np.int32):
        if count <= np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes.astype(np.int64, copy=False)


def _period_label(kind: str, code: int) -> str:
    return f"{_PREFIX[kind]}{code + 1}"


_LABEL = re.compile(r"^\s*([QqPpMm]?)\s*0*(\d{1,2})\s*$")


def _read_period_label(label: object, kind: str | None) -> tuple[str | None, int] | None:
    """("quarter" or "month" or None when the label does not say, 0-based
    code) for one distinct label: "Q1".."Q4", "P1".."P12" ("P01"), or
    1..12 as an int or digits."""
    if isinstance(label, (bool, np.bool_)):
        return None
    if isinstance(label, (int, np.integer)):
        number, said = int(label), None
    elif isinstance(label, str):
        match = _LABEL.match(label)
        if not match:
            return None
        prefix, number = match.group(1).upper(), int(match.group(2))
        said = {"Q": "quarter", "P": "month", "M": "month", "": None}[prefix]
    else:
        return None
    if said is not None and kind is not None and said != kind:
        return None
    effective = said or kind or "quarter"
    if not 1 <= number <= _KINDS[effective]:
        return None
    return said, number - 1


class Ledger(Presentable):
    """Ledger lines: a cost centre, a period (or a date) and an amount each.

    ``centre`` holds each line's cost centre (names of any kind, or a pandas
    Categorical); ``amount`` its amount in int pence, or money text read
    exactly in ``unit`` (``"£1,234.56"``, ``"(3,540)"``); never floats.
    Give either ``period`` — "Q1".."Q4", "P1".."P12", or integers 1..4
    (quarters; pass ``periods="month"`` for 1..12) — or ``date`` with the
    ``financial_year`` it belongs to ("2021/22", starting 1 April 2021; by
    default the year of the earliest date), grouped by ``periods``
    ("quarter", the default, or "month").

    For millions of lines already coded, :meth:`from_codes` takes integer
    codes as they are, without a copy.  :meth:`from_frame` and
    :meth:`read_csv` take columns by name.
    """

    def __init__(self, centre: ColumnLike, amount: ColumnLike, *,
                 period: ColumnLike | None = None, date: ColumnLike | None = None,
                 financial_year: str | None = None,
                 periods: str | None = None, unit: str = "£") -> None:
        self._init_from(centre, amount, period, date, financial_year, periods,
                        unit, source=None, where=_line_where)

    # ---- construction ----------------------------------------------------

    source: str | None
    centres: pd.Index[Any]
    kind: str
    financial_year: str | None
    period_labels: list[str]
    _where: Callable[[int], str]
    _centre_codes: npt.NDArray[np.signedinteger[Any]]
    _period_codes: npt.NDArray[np.signedinteger[Any]]
    _amount: _I64
    _totals: _I64 | None

    def _init_from(self, centre: object, amount: object, period: object | None,
                   date: object | None, financial_year: str | None,
                   periods: str | None, unit: str, source: str | None,
                   where: Callable[[int], str], texts: bool = False,
                   date_format: str | None = None) -> None:
        self.source = source
        self._where = where
        if (period is None) == (date is None):
            raise InputError("give a ledger either period= or date=, not "
                             f"{'both' if period is not None else 'neither'}")
        if periods is not None and periods not in _KINDS:
            raise InputError(f"periods must be 'quarter' or 'month', not {periods!r}")
        centre = _column(centre, "centre")
        n = len(centre)
        amounts = self._amounts(amount, n, unit, texts)
        self._centre_codes, self.centres = self._centres(centre, texts)
        if period is not None:
            if financial_year is not None:
                self.financial_year = self._fy_label(financial_year)
            else:
                self.financial_year = None
            self._period_codes, self.kind = self._periods(_column(period, "period"),
                                                          n, periods)
        else:
            self._period_codes, self.kind, self.financial_year = self._dates(
                date, n, financial_year, periods or "quarter", texts, date_format)
        self._amount = amounts
        self.period_labels = [_period_label(self.kind, p)
                              for p in range(_KINDS[self.kind])]
        self._totals = None

    @classmethod
    def from_codes(cls, centre_codes: npt.ArrayLike, period_codes: npt.ArrayLike,
                   amount: npt.ArrayLike, *, centres: Sequence[Hashable],
                   periods: str = "quarter",
                   financial_year: str | None = None) -> Ledger:
        """Lines already coded: ``centre_codes[i]`` indexes ``centres`` and
        ``period_codes[i]`` is the 0-based period (0 = Q1 or P1).  Signed
        integer codes of any width and int64 pence are read in place, never
        copied; a code out of range is an error naming the line."""
        import pandas as pd

        if periods not in _KINDS:
            raise InputError(f"periods must be 'quarter' or 'month', not {periods!r}")
        self = cls.__new__(cls)
        self.source = None
        self._where = _line_where
        self._centre_codes = np.ascontiguousarray(_column(centre_codes, "centre_codes"))
        self._period_codes = np.ascontiguousarray(_column(period_codes, "period_codes"))
        for name, codes in (("centre_codes", self._centre_codes),
                            ("period_codes", self._period_codes)):
            if codes.dtype.kind != "i":
                raise TypeError(f"{name} must be signed integers, not {codes.dtype}")
        self._amount = self._amounts(amount, len(self._centre_codes), "£", False)
        if len(self._period_codes) != len(self._centre_codes):
            raise InputError(f"period_codes holds {len(self._period_codes)} codes "
                             f"for {len(self._centre_codes)} lines")
        self.centres = pd.Index(list(centres), name="centre")
        if self.centres.has_duplicates:
            raise InputError("centres holds duplicate names: " + _listing(
                self.centres[self.centres.duplicated()].unique()))
        self.kind = periods
        self.financial_year = (None if financial_year is None
                               else self._fy_label(financial_year))
        self.period_labels = [_period_label(periods, p) for p in range(_KINDS[periods])]
        self._totals = None
        return self

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, centre: str, amount: str,
                   period: str | None = None, date: str | None = None,
                   financial_year: str | None = None,
                   periods: str | None = None, unit: str = "£") -> Ledger:
        """A ledger from a DataFrame's columns, named.  Errors name the
        row by the frame's index."""
        names = {"centre": centre, "amount": amount, "period": period, "date": date}
        for role, col in names.items():
            if col is not None and col not in frame.columns:
                raise InputError(f"the frame has no column {col!r} for the {role}; "
                                 f"its columns are {_listing(frame.columns)}")
        self = cls.__new__(cls)
        index = frame.index
        self._init_from(frame[centre], frame[amount],
                        None if period is None else frame[period],
                        None if date is None else frame[date],
                        financial_year, periods, unit, source=None,
                        where=partial(_row_where, index))
        return self

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str], *, centre: str, amount: str,
                 period: str | None = None, date: str | None = None,
                 financial_year: str | None = None,
                 periods: str | None = None, unit: str = "£",
                 date_format: str = "%Y-%m-%d", max_bytes: int | None = None,
                 **read_csv_options: Any) -> Ledger:
        """A ledger from a CSV file's columns, named.

        Amounts are money text read exactly in ``unit`` ("£", "£000", or
        "p" for a file of whole pence); dates are read by ``date_format``
        (``"%d/%m/%Y"`` for 31/03/2022).  Every field is read as text, so
        nothing passes through a float.  Errors name the file, its line
        (the header is line 1) and the text.  Other keyword arguments go to
        :func:`pandas.read_csv` (``sep``, ``encoding``...).

        The file is UTF-8 unless ``encoding`` says otherwise: invalid UTF-8
        is an InputError naming the path, line and column of the first bad
        byte.  A file larger than ``max_bytes`` (None:
        :data:`apportion.limits.max_input_bytes`) is refused before it is
        read.
        """
        import pandas as pd

        path = os.fspath(path)
        encoding = str(read_csv_options.get("encoding") or "utf-8")
        utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
        data = read_file(path, "ledger", max_bytes, check_utf8=utf8)
        wanted = [c for c in (centre, period, date, amount) if c is not None]
        header = pd.read_csv(io.BytesIO(data), nrows=0, dtype=str,
                             **read_csv_options).columns
        missing = [c for c in wanted if c not in header]
        if missing:
            raise InputError(f"{path}: no column {_listing(missing)}; its columns "
                             f"are {_listing(header)}")
        frame = pd.read_csv(io.BytesIO(data), usecols=wanted, dtype=str,
                            keep_default_na=False, na_filter=False,
                            **read_csv_options)
        self = cls.__new__(cls)
        # Line numbers assume no quoted field spans lines, as in ledgers.
        self._init_from(frame[centre], frame[amount],
                        None if period is None else frame[period],
                        None if date is None else frame[date],
                        financial_year, periods, unit, source=path,
                        where=partial(_file_line_where, path), texts=True,
                        date_format=date_format)
        return self

    def __setstate__(self, state: dict[str, Any]) -> None:
        # numpy arrays come back from a pickle writeable; the cached sums
        # are read-only, as _sum made them.
        self.__dict__.update(state)
        if self._totals is not None:
            self._totals.flags.writeable = False

    def _missing(self, mask: npt.ArrayLike, what: str) -> None:
        bad = np.flatnonzero(mask)
        if bad.size:
            raise InputError(f"{self._where(int(bad[0]))} has no {what}")

    def _amounts(self, amount: object, n: int, unit: str, texts: bool) -> _I64:
        import pandas as pd

        if isinstance(amount, (pd.Series, pd.Index)):
            if amount.hasnans:
                self._missing(amount.isna().to_numpy(), "amount")
            if pd.api.types.is_extension_array_dtype(amount.dtype):
                kind = amount.dtype.kind
                amount = amount.to_numpy(dtype=np.int64 if kind in "iu" else object)
            else:
                amount = amount.to_numpy()
        arr = np.asarray(amount)
        if arr.ndim != 1 or arr.shape[0] != n:
            raise InputError(f"amount has shape {arr.shape}; one amount per line "
                             f"({n}) is needed")
        if arr.dtype.kind == "i":
            return np.ascontiguousarray(arr, dtype=np.int64)
        if arr.dtype.kind == "u":
            if arr.size and arr.max() > _INT64_MAX:
                line = int(np.argmax(arr > _INT64_MAX))
                raise MoneyOverflowError(f"{self._where(line)}: the amount "
                                         f"{int(arr[line])} is beyond 64-bit pence")
            return arr.astype(np.int64)
        if arr.dtype.kind == "f":
            raise TypeError("amount holds floats; money is never a float: give int "
                            "pence, money text or Decimal")
        if arr.dtype.kind == "U":
            arr = arr.astype(object)
        if arr.dtype.kind != "O":
            raise TypeError(f"amount must be int pence or money text, not {arr.dtype}")
        out = np.empty(n, dtype=np.int64)
        if all(isinstance(v, str) for v in arr[: min(n, 64)]):
            failure = _core.parse_money_array(arr, unit, out)
            if failure is None:
                return out
            i, message = failure
            if message == "is not text":  # a mixed column: one value at a time
                return self._amounts_one_by_one(arr, unit, out)
            text = arr[i]
            if texts and not text.strip():
                raise InputError(f"{self._where(i)} has no amount")
            raise InputError(f"{self._where(i)}: amount {text!r}: {message}")
        return self._amounts_one_by_one(arr, unit, out)

    def _amounts_one_by_one(self, arr: npt.NDArray[np.object_], unit: str,
                            out: _I64) -> _I64:
        for i, v in enumerate(arr.tolist()):
            if v is None or (isinstance(v, float) and v != v):
                raise InputError(f"{self._where(i)} has no amount")
            try:
                value = _pence(v, "amount", unit)
                if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
                    raise MoneyOverflowError("it is beyond 64-bit pence")
                out[i] = value
            except (InputError, MoneyOverflowError) as exc:
                raise type(exc)(f"{self._where(i)}: amount {v!r}: {exc}") from None
            except TypeError as exc:
                raise TypeError(f"{self._where(i)}: {exc}") from None
        return out

    def _centres(self, centre: _Column, texts: bool
                 ) -> tuple[npt.NDArray[np.signedinteger[Any]], pd.Index[Any]]:
        import pandas as pd

        if isinstance(getattr(centre, "dtype", None), pd.CategoricalDtype):
            cat = cast("pd.Categorical", centre.array
                       if isinstance(centre, (pd.Series, pd.Index)) else centre)
            codes = np.ascontiguousarray(cat.codes)
            self._missing(codes < 0, "cost centre")
            return codes, pd.Index(cat.categories, name="centre")
        if texts:
            self._missing(np.asarray(centre == ""), "cost centre")
        codes, names = pd.factorize(centre, sort=True)
        self._missing(codes < 0, "cost centre")
        return _smallest_signed(codes, len(names)), pd.Index(names, name="centre")

    def _periods(self, column: _Column, n: int, periods: str | None
                 ) -> tuple[npt.NDArray[np.int8], str]:
        import pandas as pd

        if len(column) != n:
            raise InputError(f"period holds {len(column)} values for {n} lines")
        # A Categorical as its labels; anything else is an array already.
        values: npt.NDArray[Any] = np.asarray(column)
        if values.dtype.kind in "iu":
            kind = periods or "quarter"
            count = _KINDS[kind]
            bad = np.flatnonzero((values < 1) | (values > count))
            if bad.size:
                i = int(bad[0])
                hint = (" (for months, pass periods='month')"
                        if kind == "quarter" and 1 <= values[i] <= 12 else "")
                raise InputError(f"{self._where(i)}: period {_plain(values[i])} is "
                                 f"not a {kind} 1 to {count}{hint}")
            return (values - 1).astype(np.int8), kind
        if values.dtype.kind not in "OU":
            raise TypeError(f"period must hold labels such as 'Q1' or 'P1', or "
                            f"integers; not {values.dtype} (for dates, use date=)")
        codes, uniques = pd.factorize(values)
        self._missing(codes < 0, "period")
        read: list[tuple[str | None, int]] = []
        for j, u in enumerate(uniques):
            r = _read_period_label(u, periods)
            if r is None:
                line = int(np.argmax(codes == j))
                allowed = {"quarter": "Q1 to Q4", "month": "P1 to P12"}.get(
                    periods or "", "Q1 to Q4, P1 to P12 or 1 to 4")
                raise InputError(f"{self._where(line)}: period {_plain(uniques[j])!r} "
                                 f"is not one of {allowed}")
            read.append(r)
        said = {k for k, _ in read if k is not None}
        if len(said) > 1:
            first = {k: int(np.argmax(codes == j)) for j, (k, _) in enumerate(read)
                     if k is not None}
            raise InputError(f"the periods mix quarters ({self._where(first['quarter'])}) "
                             f"and months ({self._where(first['month'])})")
        kind = periods or (said.pop() if said else "quarter")
        lookup = np.array([c for _, c in read], dtype=np.int8)
        if kind == "quarter" and lookup.size and lookup.max() >= 4:
            line = int(np.argmax(codes == int(np.argmax(lookup >= 4))))
            raise InputError(f"{self._where(line)}: period "
                             f"{_plain(uniques[int(np.argmax(lookup >= 4))])!r} is not "
                             f"a quarter 1 to 4 (for months, pass periods='month')")
        return lookup[codes], kind

    @staticmethod
    def _fy_label(financial_year: object) -> str:
        if not isinstance(financial_year, str):
            raise TypeError(f"financial_year must be text such as '2021/22', not "
                            f"{type(financial_year).__name__}")
        return _core.fy_label(_core.parse_fy(financial_year.strip()))

    def _dates(self, values: object, n: int, financial_year: str | None, kind: str,
               texts: bool, date_format: str | None
               ) -> tuple[npt.NDArray[np.int8], str, str]:
        if texts:
            days = self._text_dates(values, date_format)
        else:
            days = as_days(values, "date").days
        if days.shape[0] != n:
            raise InputError(f"date holds {days.shape[0]} values for {n} lines")
        if financial_year is not None:
            start_year = _core.parse_fy(str(financial_year).strip())
        else:
            known = days[days != _NAT]
            if known.size == 0:
                if n == 0:
                    raise InputError("a ledger of no lines needs financial_year=")
                self._missing(days == _NAT, "date")
            first = np.datetime64(int(known.min()), "D").astype(object)
            start_year = first.year if first.month >= 4 else first.year - 1
        year_start = int(np.datetime64(f"{start_year:04d}-04-01", "D").view(np.int64))
        codes = np.empty(n, dtype=np.int8)
        try:
            _core.ledger_periods(np.ascontiguousarray(days), year_start,
                                 _KINDS[kind], codes)
        except InputError as exc:
            raise InputError(self._locate(str(exc))) from None
        return codes, kind, _core.fy_label(start_year)

    def _text_dates(self, values: object, date_format: str | None) -> _I64:
        import pandas as pd

        text = pd.Series(np.asarray(values, dtype=object))
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            if not str(text[i]).strip():
                raise InputError(f"{self._where(i)} has no date")
            raise InputError(f"{self._where(i)}: date {text[i]!r} does not read as "
                             f"{date_format}")
        return parsed.to_numpy().astype("datetime64[D]").view(np.int64)

    def _locate(self, message: str) -> str:
        """The core's "line 12" as the caller knows the line, and centre
        and period indexes as their names."""
        message = re.sub(r"^line (\d+)", lambda m: self._where(int(m.group(1))),
                         message)
        message = re.sub(r"cost centre (\d+)",
                         lambda m: f"cost centre {_plain(self.centres[int(m.group(1))])!r}"
                         if int(m.group(1)) < len(self.centres) else m.group(0),
                         message)
        return re.sub(r"in period (\d+)",
                      lambda m: f"in {self.period_labels[int(m.group(1))]}"
                      if int(m.group(1)) < len(self.period_labels) else m.group(0),
                      message)

    # ---- figures ---------------------------------------------------------

    def __len__(self) -> int:
        return int(self._amount.shape[0])

    @property
    def periods(self) -> list[str]:
        """The period labels: Q1..Q4 or P1..P12."""
        return list(self.period_labels)

    def _sum(self, threads: int = 0) -> _I64:
        if self._totals is None:
            nc, np_ = len(self.centres), len(self.period_labels)
            out = np.empty(nc * np_, dtype=np.int64)
            try:
                _core.ledger_sum(self._centre_codes, self._period_codes, self._amount,
                                 nc, np_, threads, out)
            except (InputError, MoneyOverflowError) as exc:
                raise type(exc)(self._locate(str(exc))) from None
            out.flags.writeable = False
            self._totals = out.reshape(nc, np_)
        return self._totals

    def totals_frame(self, threads: int = 0) -> pd.DataFrame:
        """DataFrame of int64 pence: a row per cost centre, a column per
        period; each cell the sum of the centre's lines in the period
        (summed in C, overflow checked).  ``threads`` 0 uses every core."""
        import pandas as pd

        return pd.DataFrame(self._sum(threads), index=self.centres,
                            columns=pd.Index(self.period_labels, name="period"))

    totals = renamed(totals_frame, "Ledger.totals")

    @property
    def total(self) -> int:
        """Every line's amount added up, in pence (exact, a Python int)."""
        return _exact_total(self._sum())

    @keyword_only_after(3)
    def apportion(self, basis: object, authorities: Sequence[Hashable] | None = None, *,
                  mode: str = "largest_remainder",
                  services: Mapping[Hashable, Hashable] | pd.Series[Any] | None = None,
                  threads: int = 0) -> LedgerApportionment:
        """Apportion each cost centre's periods to the authorities by the
        centre's basis.

        ``basis`` maps each cost centre — or, with ``services`` (a mapping
        or Series from centre to service), each service — to weights per
        authority: a DataFrame (a row per centre or service, a column per
        authority) or a dict of dicts; a single dict of weights (or a
        Series) is one basis for every centre.  Weights are exact: ints,
        decimal text ("44.16"), Decimal or Fraction (a float is read as its
        shortest text).  An authority a dict leaves out has weight 0.

        A centre with lines and no basis, or whose weights are all zero, is
        an error naming it; a basis for a centre (or service) with no lines
        here is only a warning (:class:`UnusedBasisWarning`).
        """
        import pandas as pd

        # The sum first, so that a bad code is reported before the basis.
        totals = self._sum(threads)
        keys, rows, authorities = _basis_rows(basis, authorities)
        centre_names = self.centres.tolist()
        if services is not None:
            mapping = services.to_dict() if isinstance(services, pd.Series) else services
            if not isinstance(mapping, Mapping):
                raise TypeError("services must map each cost centre to its service "
                                "(a dict or a Series)")
            unmapped = [c for c in centre_names if c not in mapping]
            unmapped = self._with_lines(unmapped)
            if unmapped:
                raise InputError(f"no service for cost centre {_listing(unmapped)}; "
                                 "services must name each centre's service")
            centre_keys = [mapping.get(c) for c in centre_names]
            what = "service"
        else:
            centre_keys = centre_names
            what = "cost centre"
        used = np.zeros(len(keys), dtype=bool)
        if keys == [None]:  # one basis for every centre
            key_of = np.zeros(len(centre_names), dtype=np.intp)
            used[0] = True
        else:
            key_of = pd.Index(keys, dtype=object).get_indexer(
                pd.Index(centre_keys, dtype=object))
            lacking = [centre_names[i] for i in np.flatnonzero(key_of < 0)]
            lacking = self._with_lines(lacking)
            if lacking:
                detail = ("" if services is None else " (services " + _listing(
                    sorted({mapping[c] for c in lacking}, key=str)) + ")")
                raise InputError(f"no basis for cost centre {_listing(lacking)}"
                                 f"{detail}, which has lines in the ledger")
            used[key_of[key_of >= 0]] = True
            unused = [keys[j] for j in np.flatnonzero(~used)]
            if unused:
                # 3: past keyword_only_after's wrapper, at the caller.
                warnings.warn(f"the basis names {len(unused)} {what}(s) with no lines "
                              f"in this ledger: {_listing(unused)}",
                              UnusedBasisWarning, stacklevel=3)
        table = np.array(rows, dtype=np.int64).reshape(len(rows), len(authorities))
        for j in np.flatnonzero(~table.any(axis=1) & used).tolist():
            label = "the basis" if keys == [None] else f"the basis for {what} {keys[j]!r}"
            raise InputError(f"{label} gives every authority a zero weight")
        weights = np.zeros((len(centre_names), len(authorities)), dtype=np.int64)
        have = key_of >= 0
        weights[have] = table[key_of[have]]
        # A centre with no lines and no basis takes nothing; any weight will do.
        weights[~have, 0] = 1
        nc, np_ = totals.shape
        shares = np.empty((nc, np_, len(authorities)), dtype=np.int64)
        if nc:
            try:
                _core.ledger_apportion(totals.reshape(-1), nc, np_, weights.reshape(-1),
                                       mode, shares.reshape(-1))
            except (InputError, MoneyOverflowError) as exc:
                raise type(exc)(self._locate(str(exc))) from None
        return LedgerApportionment(self, authorities, shares, weights, mode,
                                   centre_keys if services is not None else None)

    def _with_lines(self, names: list[Hashable]) -> list[Hashable]:
        """Those of the named centres that have lines (a Categorical or a
        coded ledger may name centres that have none)."""
        if not names:
            return names
        counts = np.bincount(self._centre_codes.astype(np.intp, copy=False),
                             minlength=len(self.centres))
        position = {c: i for i, c in enumerate(self.centres)}
        return [c for c in names if counts[position[c]] > 0]

    # ---- text ------------------------------------------------------------

    def _describe(self) -> str:
        fy = f" {self.financial_year}" if self.financial_year else ""
        where = f" ({self.source})" if self.source else ""
        return (f"Ledger{fy}{where}: {len(self):,} lines, {len(self.centres):,} cost "
                f"centres, {_WORD[self.kind]} {self.period_labels[0]}-"
                f"{self.period_labels[-1]}")

    def __repr__(self) -> str:
        return f"<{self._describe()}>"

    @classmethod
    def read_excel(cls, path: str | os.PathLike[str], *, sheet: str | None = None,
                   range: str | None = None, centre: str, amount: str,
                   period: str | None = None, date: str | None = None,
                   financial_year: str | None = None, periods: str | None = None,
                   unit: str = "£", date_format: str = "%Y-%m-%d",
                   max_bytes: int | None = None) -> Ledger:
        """A ledger from a workbook's sheet (a ``range`` such as "A1:D729"
        or a defined name; by default the sheet's used cells), its columns
        named by their headers as :meth:`read_csv` names a file's.  Amounts
        are numbers in ``unit`` exact to the penny, or money text; dates
        are date cells or text.  Errors name the cell ("Ledger!D17"), its
        column and what was expected: see :func:`apportion.workbook.read_ledger`."""
        from .workbook import read_ledger

        return read_ledger(path, sheet=sheet, range=range, centre=centre,
                           amount=amount, period=period, date=date,
                           financial_year=financial_year, periods=periods,
                           unit=unit, date_format=date_format, max_bytes=max_bytes)

    def _where_from(self) -> str:
        return self.source or "The ledger's lines"

    def view(self) -> View:
        """The ledger on a page: its lines summed by cost centre and period
        (in £, with the year and a total row; beyond 40 centres the largest
        40 by their year and one line for the rest) and a bar chart of the
        periods' totals."""
        totals = self._sum()
        names = [str(c) for c in self.centres]
        rows = _money_rows(names, totals, with_year=True)
        columns = (Column("centre", "Cost centre", role="label"),
                   *(_money_column(p, p) for p in self.period_labels),
                   _money_column("year", "Year"))
        fy = f" {self.financial_year}" if self.financial_year else ""
        table = Table(f"Ledger{fy}: totals by cost centre and period", columns,
                      tuple(rows), source=f"{self._where_from()}, summed by apportion",
                      negatives="minus", name="Ledger totals")
        period_totals = [_exact_total(totals[:, p]) for p in range(totals.shape[1])]
        chart = _money_chart(f"Ledger{fy}: total by period", self.period_labels,
                             [("Total", period_totals)], self._where_from())
        return View(f"Ledger{fy}", (self._describe() + ".",
                                    f"Total {pounds(self.total)}."),
                    tables=(table,), charts=(chart,), source=self.source or "")


def _exact_total(values: _I64) -> int:
    """The exact sum of int64 values as a Python int (no wrap-around)."""
    flat = values.reshape(-1)
    if flat.size == 0:
        return 0
    bound = max(int(flat.max()), -int(flat.min()))
    if bound * flat.size <= _INT64_MAX:
        return int(flat.sum())
    return sum(flat.tolist())


def _exact_sum(values: _I64, axis: int) -> npt.NDArray[np.int64 | np.object_]:
    """Sum along an axis, exact: int64 when it cannot wrap, else Python
    ints (an object array)."""
    if values.size == 0:
        empty: npt.NDArray[np.int64] = values.sum(axis=axis)
        return empty
    bound = max(int(values.max()), -int(values.min()))
    if bound * values.shape[axis] <= _INT64_MAX:
        small: npt.NDArray[np.int64] = values.sum(axis=axis)
        return small
    exact: npt.NDArray[np.object_] = values.astype(object).sum(axis=axis)
    return exact


class LedgerApportionment(Presentable):
    """A ledger apportioned to authorities, every penny kept.

    ``shares[c, p, a]`` is authority ``a``'s share of centre ``c`` in period
    ``p``, in int64 pence.  On construction it is checked that every cell's
    shares sum to the cell and that all shares sum to the ledger's
    ``total``; a failure would be a bug and raises
    :class:`~apportion.ApportionError`.
    """

    def __init__(self, ledger: Ledger, authorities: Sequence[Hashable], shares: _I64,
                 weights: _I64, mode: str, services: list[Hashable] | None) -> None:
        self.ledger = ledger
        self.authorities = list(authorities)
        self.centres = ledger.centres
        self.periods = list(ledger.period_labels)
        self.mode = mode
        self.weights = weights
        self._services = services
        shares.flags.writeable = False
        self.shares = shares
        totals = ledger._sum()
        if not np.array_equal(shares.sum(axis=2), totals):
            raise ApportionError("internal error: a cell's shares do not sum to "
                                 "the cell's total")
        self.total: int = _exact_total(totals)
        self.authority_totals: dict[Hashable, int] = {
            a: _exact_total(shares[:, :, k]) for k, a in enumerate(self.authorities)}
        if sum(self.authority_totals.values()) != self.total:
            raise ApportionError("internal error: the authorities' shares do not "
                                 "sum to the ledger total")

    def __reduce__(self) -> tuple[type[LedgerApportionment],
                                  tuple[Ledger, list[Hashable], _I64, _I64, str,
                                        list[Hashable] | None]]:
        # Made again from its parts: the shares come back read-only and
        # their pennies are checked again where they are unpickled.
        return (type(self), (self.ledger, self.authorities, self.shares,
                             self.weights, self.mode, self._services))

    # ---- DataFrames ------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The apportionment as a long DataFrame, one row per centre,
        period and authority: columns centre, period, authority, pence
        (int64)."""
        import pandas as pd

        nc, np_, na = self.shares.shape
        cells = nc * np_ * na
        return pd.DataFrame({
            "centre": pd.Categorical.from_codes(
                np.repeat(np.arange(nc), np_ * na), categories=self.centres),
            "period": pd.Categorical.from_codes(
                np.tile(np.repeat(np.arange(np_), na), nc),
                categories=pd.Index(self.periods)),
            "authority": pd.Categorical.from_codes(
                np.tile(np.arange(na), nc * np_),
                categories=pd.Index(self.authorities)),
            "pence": self.shares.reshape(cells),
        })

    def by_authority_frame(self) -> pd.DataFrame:
        """DataFrame in pence: a row per authority, a column per period,
        each the authority's share of every centre in the period."""
        import pandas as pd

        values = _exact_sum(self.shares, axis=0).T
        return pd.DataFrame(values, index=pd.Index(self.authorities, name="authority"),
                            columns=pd.Index(self.periods, name="period"))

    def by_centre_frame(self) -> pd.DataFrame:
        """DataFrame in pence: a row per cost centre, a column per
        authority, each the authority's share of the centre's year."""
        import pandas as pd

        return pd.DataFrame(self.shares.sum(axis=1), index=self.centres,
                            columns=pd.Index(self.authorities, name="authority"))

    def by_service_frame(self) -> pd.DataFrame:
        """DataFrame in pence: a row per service, a column per authority
        (only when the basis was given by service)."""
        import pandas as pd

        if self._services is None:
            raise ValueError("the basis was given by cost centre; there are no "
                             "services to group by")
        frame = self.by_centre_frame()
        frame.index = pd.Index(self._services, name="service")
        return frame.groupby(level=0, sort=False).sum()

    # The names before apportion 0.2, kept for one release.
    long = renamed(to_frame, "LedgerApportionment.long")
    by_authority = renamed(by_authority_frame, "LedgerApportionment.by_authority")
    by_centre = renamed(by_centre_frame, "LedgerApportionment.by_centre")
    by_service = renamed(by_service_frame, "LedgerApportionment.by_service")

    # ---- text and HTML ---------------------------------------------------

    def _headline(self) -> list[str]:
        names = " and ".join(map(str, self.authorities)) if len(self.authorities) < 3 \
            else ", ".join(map(str, self.authorities))
        by = "service" if self._services is not None else "cost centre"
        return [self.ledger._describe(),
                f"Apportioned to {names} by each {by}'s basis; pennies by "
                f"{self.mode.replace('_', ' ')}.",
                f"Every penny kept: the shares sum to the ledger total, "
                f"{pounds(self.total)}."]

    def _authority_table(self) -> list[list[str]]:
        frame = self.by_authority_frame()
        header = ["authority", *self.periods, "year"]
        rows = [header]
        # The frame's rows are the authorities, in order.
        for a, cells in zip(self.authorities, frame.to_numpy()):
            rows.append([str(a), *[pounds(int(v)) for v in cells],
                         pounds(self.authority_totals[a])])
        period_totals = [_exact_total(self.ledger._sum()[:, p])
                         for p in range(len(self.periods))]
        rows.append(["Total", *[pounds(v) for v in period_totals], pounds(self.total)])
        return rows

    def _detail(self) -> tuple[str, pd.DataFrame] | None:
        """The second table: by service, or by centre when there are few."""
        if self._services is not None:
            return "service", self.by_service_frame()
        if len(self.centres) <= 40:
            return "cost centre", self.by_centre_frame()
        return None

    def report(self) -> str:
        """The apportionment as text, money in £: by authority and period,
        then by service (or cost centre, when there are at most 40)."""
        out = self._headline()
        out += ["", "By authority and period"]
        out += text_table(self._authority_table(), right=range(1, len(self.periods) + 2))
        detail = self._detail()
        if detail is not None:
            label, frame = detail
            out += ["", f"By {label} and authority (the year)"]
            rows = [[label, "total", *map(str, self.authorities)]]
            for name, row in frame.iterrows():
                values = [int(v) for v in row]
                rows.append([str(name), pounds(sum(values)), *map(pounds, values)])
            out += text_table(rows, right=range(1, len(self.authorities) + 2))
        else:
            out += ["", f"{len(self.centres):,} cost centres: see by_centre_frame()."]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return (f"<LedgerApportionment of {len(self.ledger):,} lines to "
                f"{', '.join(map(str, self.authorities))}: total {pounds(self.total)}>")

    def view(self) -> View:
        """The apportionment on a page: the headline, each authority's
        share by period (with the year and a total row), the shares by
        service or cost centre (beyond 40 centres, the largest 40 and one
        line for the rest), and a bar chart of the authorities' shares by
        period.  Money in £ and pence, negatives with a minus sign."""
        source = f"{self.ledger._where_from()}, apportioned by apportion"
        by_period = _exact_sum(self.shares, axis=0).T  # authority x period
        authority_rows = _money_rows([str(a) for a in self.authorities],
                                     by_period, with_year=True)
        first = Table("By authority and period",
                      (Column("authority", "Authority", role="label"),
                       *(_money_column(p, p) for p in self.periods),
                       _money_column("year", "Year")),
                      tuple(authority_rows), source=source, negatives="minus",
                      name="By authority")
        label = "service" if self._services is not None else "cost centre"
        if self._services is not None:
            detail = self.by_service_frame()
            names = [str(n) for n in detail.index]
            values = detail.to_numpy(dtype=np.int64)
        else:
            names = [str(c) for c in self.centres]
            values = self.shares.sum(axis=1)
        detail_rows = _money_rows(names, values, with_year=True)
        second = Table(f"By {label} and authority (the year)",
                       (Column("name", label.capitalize(), role="label"),
                        *(_money_column(f"a{k}", str(a))
                          for k, a in enumerate(self.authorities)),
                        _money_column("total", "Total")),
                       tuple(detail_rows), source=source, negatives="minus",
                       name=f"By {label}")
        chart = _money_chart("Each authority's share by period", self.periods,
                             [(str(a), [int(v) for v in by_period[k]])
                              for k, a in enumerate(self.authorities)], source)
        return View("Ledger apportionment", tuple(self._headline()),
                    tables=(first, second), charts=(chart,),
                    source=self.ledger.source or "")


#: Lines a ledger's view lists before it folds the rest into one.
_VIEW_LINES = 40


def _money_column(key: str, label: str) -> Column:
    return Column(key, label, "money", unit="£", decimals=2, role="computed")


def _money_rows(names: Sequence[str], values: npt.NDArray[Any], *,
                with_year: bool) -> list[Row]:
    """A row per name of int pence (the row's sum last when ``with_year``)
    and a total row; beyond :data:`_VIEW_LINES` names, the largest by
    their sum and one row for the rest, so the total still adds up."""
    matrix = [[int(v) for v in row] for row in values.tolist()]
    sums = [sum(row) for row in matrix]
    order = list(range(len(names)))
    rest: list[int] = []
    if len(order) > _VIEW_LINES:
        order.sort(key=lambda i: -abs(sums[i]))
        order, rest = sorted(order[:_VIEW_LINES]), order[_VIEW_LINES:]
    rows = [Row((names[i], *matrix[i], *([sums[i]] if with_year else [])))
            for i in order]
    width = len(matrix[0]) if matrix else values.shape[1] if values.ndim == 2 else 0
    if rest:
        folded = [sum(matrix[i][j] for i in rest) for j in range(width)]
        rows.append(Row((f"{len(rest):,} other lines", *folded,
                         *([sum(folded)] if with_year else [])),
                        note="the smaller lines together"))
    column_totals = [sum(row[j] for row in matrix) for j in range(width)]
    rows.append(Row(("Total", *column_totals,
                     *([sum(column_totals)] if with_year else [])), kind="total"))
    return rows


def _chart_unit(pence: Sequence[int]) -> str:
    """The unit a chart of these amounts reads best in."""
    largest = max((abs(p) for p in pence), default=0)
    if largest >= 10_000_000_00:
        return "£m"
    if largest >= 100_000_00:
        return "£000"
    return "£"


def _money_chart(title: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]], source: str) -> Chart:
    """A bar chart of amounts in pence, drawn in the unit that suits them."""
    from decimal import Decimal

    unit = _chart_unit([p for _, values in series for p in values])
    per = Decimal({"£m": 100_000_000, "£000": 100_000, "£": 100}[unit])
    return Chart(title, "bar", tuple(categories),
                 tuple(Series(name, tuple(Decimal(v) / per for v in values))
                       for name, values in series),
                 unit=unit, source=source)
