"""Case records read from a CSV file for the command line, keeping where
each record came from, so that every error about a record names the file,
its line as an editor shows it (the header is line 1, the first record
line 2), the column as the file names it and the value.

Errors the core raises about a record by its position ("row 499 ends
(2021-03-01) before it starts (2021-04-01)", "dates[499]: ...") are
brought back to the file's line by :meth:`Records.located`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import _core, progress
from ._convert import read_file
from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Records", "check_fields", "read_records"]

_NAT = np.iinfo(np.int64).min
# A value shaped like an ISO date: a column holding one holds dates.
_ISO_SHAPE = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")
# The core's words for a record by its position.
_ROW = re.compile(r"(?:[\w.]+: )?row (?P<i>\d+)(?P<rest>.*)", re.S)
_INDEXED = re.compile(r"(?P<name>\w+)\[(?P<i>\d+)\](?P<rest>.*)", re.S)
# The measure of working days' faults (kpi/sla_measure.c), after "row i".
_START_IS = re.compile(r": start is (?P<v>\S+); every record needs a start "
                       r"date from (?P<a>\S+) to (?P<b>\S+)")
_END_IS = re.compile(r": end is (?P<v>\S+), outside the calendar's dates "
                     r"\((?P<range>.*)\)")
_ORDER = re.compile(r" ends \((?P<e>\S+)\) before it starts \((?P<s>\S+)\)")
_AS_OF = re.compile(r" is open and starts \((?P<s>\S+)\) after the as-of "
                    r"date \((?P<a>\S+)\)")


class Records:
    """The records of one CSV file as text (blanks as ""), with the line
    each record starts on."""

    def __init__(self, path: str, columns: list[str], rows: list[list[str]],
                 lines: list[int]) -> None:
        import pandas as pd

        self.path = path
        self.columns = columns
        self.lines = np.asarray(lines, dtype=np.int64)
        data = {c: [row[k] for row in rows] for k, c in enumerate(columns)}
        self.frame: pd.DataFrame = pd.DataFrame(data, columns=columns, dtype=object)

    def __len__(self) -> int:
        return len(self.lines)

    def where(self, i: int, column: str | None = None) -> str:
        """"records.csv line 501, column 'received'" for record i."""
        text = f"{self.path} line {int(self.lines[i])}"
        return text if column is None else f"{text}, column {column!r}"

    def require(self, *columns: str | None, what: str = "") -> None:
        """An InputError unless the file has every column named."""
        for column in columns:
            if column is not None and column not in self.columns:
                why = f" ({what})" if what else ""
                raise InputError(f"{self.path}: no column {column!r}{why}; "
                                 f"its columns are {', '.join(map(repr, self.columns))}")

    def text(self, column: str) -> pd.Series[Any]:
        """A column as text, blanks as None."""
        return self.frame[column].replace("", None)

    def dates(self, column: str, *, required: str = "") -> npt.NDArray[Any]:
        """A column of ISO dates (YYYY-MM-DD) as datetime64[D], blanks as
        NaT; an InputError naming the line, column and value of the first
        that is not a date, or is blank when ``required`` (what the date
        is: "start")."""
        days = np.empty(len(self), dtype=np.int64)
        for i, value in enumerate(self.frame[column].tolist()):
            text = value.strip()
            if not text:
                if required:
                    raise InputError(f"{self.where(i, column)} is blank; every "
                                     f"record needs a {required} date")
                days[i] = _NAT
                continue
            try:
                days[i] = _core.parse_date(text)
            except InputError:
                raise InputError(f"{self.where(i, column)}: {value!r} is not a "
                                 f"date (YYYY-MM-DD)") from None
        return days.view("datetime64[D]")

    def looks_like_dates(self, column: str) -> bool:
        """Whether any value of the column is shaped like an ISO date (so
        the column holds dates, and a value that is not one is an error,
        never a category)."""
        return any(_ISO_SHAPE.fullmatch(v) for v in self.frame[column].tolist())

    def locate(self, message: str, columns: Sequence[str] = ()) -> str:
        """The core's message about a record by its position, said of the
        file's line instead.  ``columns`` are the columns the computation
        read, its start and end dates first; the record's values in them
        are quoted.  Other messages come back as they are."""
        match = _ROW.fullmatch(message)
        if match is not None:
            i = int(match["i"])
            if 0 <= i < len(self):
                return self._row_message(i, match["rest"], columns)
        match = _INDEXED.fullmatch(message)
        if match is not None:
            i = int(match["i"])
            column = _column_named(match["name"], columns)
            if 0 <= i < len(self) and column is not None:
                value = self.frame[column].iat[i]
                rest = match["rest"].lstrip(": ").replace(f'"{value}"', "").strip()
                return f"{self.where(i, column)}: {value!r} {rest}".rstrip()
        return message

    def _row_message(self, i: int, rest: str, columns: Sequence[str]) -> str:
        start = columns[0] if len(columns) > 0 else None
        end = columns[1] if len(columns) > 1 else None
        values = self.frame.iloc[i]
        if start is not None and (m := _START_IS.fullmatch(rest)):
            value = values[start]
            if not value.strip():
                return f"{self.where(i, start)} is blank; every record needs a start date"
            return (f"{self.where(i, start)}: {value!r} is outside the "
                    f"calendar's dates ({m['a']} to {m['b']})")
        if end is not None and (m := _END_IS.fullmatch(rest)):
            return (f"{self.where(i, end)}: {values[end]!r} is outside the "
                    f"calendar's dates ({m['range']})")
        if start is not None and end is not None and _ORDER.fullmatch(rest):
            return (f"{self.where(i, end)}: {values[end]!r} is before the "
                    f"start in column {start!r} ({values[start]!r}); a record "
                    f"cannot end before it starts")
        if start is not None and end is not None and (m := _AS_OF.fullmatch(rest)):
            return (f"{self.where(i, start)}: {values[start]!r} is after the "
                    f"as-of date ({m['a']}) but the record is open (column "
                    f"{end!r} is blank)")
        quoted = ", ".join(f"{c} {values[c]!r}" for c in columns if c in values)
        return (f"{self.where(i)}: {rest.lstrip(': ').strip()}"
                + (f" ({quoted})" if quoted else ""))

    @contextmanager
    def located(self, columns: Sequence[str] = ()) -> Iterator[None]:
        """Re-raises an InputError about a record by position as one about
        its line (:meth:`locate`)."""
        try:
            yield
        except InputError as exc:
            text = str(exc)
            moved = self.locate(text, columns)
            if moved == text:
                raise
            raise InputError(moved) from None


def _column_named(name: str, columns: Sequence[str]) -> str | None:
    """The column a core array name stands for: the column itself, or the
    start and end of a measure of working days ("start", "dates": the
    first column; "end": the second)."""
    if name in columns:
        return name
    if name in ("start", "dates") and len(columns) > 0:
        return columns[0]
    if name == "end" and len(columns) > 1:
        return columns[1]
    return None


def _read_text(path: str, max_bytes: int | None) -> str:
    return read_file(path, "records", max_bytes).decode("utf-8")


def _rows(path: str, max_bytes: int | None,
          text: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each line of a CSV file with a header, the header
    first (as line 1 unless blank lines come before it), every record with
    as many fields as the header names.  ``text`` is the file's, if read."""
    if text is None:
        text = _read_text(path, max_bytes)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = row
                _check_header(path, start, header)
            elif len(row) != len(header):
                more = len(row) > len(header)
                raise InputError(
                    f"{path} line {start}: {len(row)} fields where the header "
                    f"names {len(header)} columns ("
                    + (f"unexpected {row[len(header)]!r} after column "
                       f"{header[-1]!r}" if more else
                       f"no {header[len(row)]!r}") + ")")
            yield start, row
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: {exc}") from None
    if header is None:
        raise InputError(f"{path}: no header line naming the columns")


def read_records(path: str | os.PathLike[str], *,
                 max_bytes: int | None = None) -> Records:
    """A CSV file of records with a header line.  Every field is kept as
    text.  A line with more fields than the header names, or fewer, is an
    InputError naming it; so is a header that names a column twice or
    none.  Blank lines are skipped.  Invalid UTF-8 and a file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) are
    refused by :func:`apportion._convert.read_file`."""
    path = os.fspath(path)
    text = _read_text(path, max_bytes)
    rows = _rows(path, max_bytes, text)
    _, header = next(rows)
    lines: list[int] = []
    records: list[list[str]] = []
    # A bar of lines for a file large enough to take a while to read.
    show = None if len(text) >= _BAR_CHARS else False
    total = text.count("\n") if show is None else 0
    with progress.bar(total, f"reading {os.path.basename(path)}", unit="line",
                      progress=show) as tick:
        shown = 0
        for line, row in rows:
            lines.append(line)
            records.append(row)
            if line - shown >= 100_000:
                tick(line - shown)
                shown = line
        tick(max(0, total - shown))
    return Records(path, header, records, lines)


#: The size (characters) from which reading records shows a progress bar.
_BAR_CHARS = 50 * 2**20


def check_fields(path: str | os.PathLike[str], *,
                 max_bytes: int | None = None) -> None:
    """The checks of :func:`read_records` on a CSV file read by another
    reader (a ledger), keeping nothing."""
    for _ in _rows(os.fspath(path), max_bytes):
        pass


def _check_header(path: str, line: int, header: list[str]) -> None:
    seen: set[str] = set()
    for k, name in enumerate(header):
        if not name.strip():
            raise InputError(f"{path} line {line}: column {k + 1} of the "
                             f"header has no name")
        if name in seen:
            raise InputError(f"{path} line {line}: the header names column "
                             f"{name!r} twice")
        seen.add(name)
