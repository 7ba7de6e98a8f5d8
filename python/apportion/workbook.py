"""Excel in: ledgers, tables to audit and case records read from a
workbook's sheet, with every error naming the sheet, the cell and the
column, and what was expected there.

Each reader takes the workbook's path, the ``sheet`` (by name; it may be
left out when the workbook has one sheet, or when ``range`` is a defined
name, which names its sheet) and optionally a ``range``: ``"A1:F200"``,
``"B:E"``, or a name the workbook defines.  Without a range the sheet's
used cells are read.  The first non-empty row of the range is the header;
rows with no value at all are skipped.

The cells become what the CSV readers take, then the CSV path's own code
reads them (:class:`~apportion.ledger.Ledger`, :func:`~apportion.audit.check_table`),
so a workbook and a CSV file of the same figures give the same results:

- money cells hold a number in the unit (``1234.56`` in £) or money text
  (``"£1,234.56"``, ``"(616)"``); a number that is not exact to the penny
  in the unit (``12.345`` in £) is an error naming the cell, never rounded;
- dates are date cells, or text in ``date_format``;
- a table's figures are read as the sheet shows them: a number cell as its
  value with as many decimals as its number format shows (``1.28`` in a
  ``0.000`` cell is ``"1.280"``), and a cell that holds more digits than it
  shows is an error, since the printed figure and the value differ.

openpyxl reads the workbooks (read-only, cached values, not formulas): a
formula's cell is read as the value Excel last saved for it.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core, limits
from .errors import InputError, MoneyOverflowError, PlanError

if TYPE_CHECKING:
    import pandas as pd

    from .audit import Report
    from .ledger import Ledger

__all__ = ["Region", "check_table", "read_ledger", "read_records", "read_region",
           "read_table"]

_INT64_MAX = 2**63 - 1
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})(\$?\d+)?(?::\$?([A-Za-z]{1,3})(\$?\d+)?)?$")


# ---- cell references ---------------------------------------------------------------


def column_letter(index: int) -> str:
    """The letters of the 1-based column ``index``: 1 is A, 28 is AB."""
    letters = ""
    while index:
        index, r = divmod(index - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_ref(sheet: str) -> str:
    """The sheet as a reference names it: Ledger, or 'Cost centres'."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def cell_ref(sheet: str, row: int, column: int) -> str:
    """"Ledger!C17" for the 1-based ``row`` and ``column``."""
    return f"{_sheet_ref(sheet)}!{column_letter(column)}{row}"


# ---- a sheet's range -----------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """The cells of a sheet's range, as read: the ``header`` texts (the
    range's first non-empty row), and each following row that holds a value
    as ``(row number, values)``; ``formats`` holds each such row's cell
    number formats.  :meth:`ref` names a cell ("Ledger!C17")."""

    path: str
    sheet: str
    header_row: int
    first_column: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    formats: tuple[tuple[str, ...], ...]

    def ref(self, row: int, j: int) -> str:
        """The cell of (Excel) ``row`` in the range's ``j``-th column (0-based)."""
        return cell_ref(self.sheet, row, self.first_column + j)

    def where(self, row: int, j: int) -> str:
        """"Ledger!C17 (column 'amount')": a cell and its column's header."""
        name = self.header[j] if j < len(self.header) else ""
        return f"{self.ref(row, j)} (column {name!r})" if name else self.ref(row, j)

    def column(self, name: str, role: str) -> int:
        """The index of the column headed ``name`` (the ``role`` it plays,
        for the error), which must be there once."""
        found = [j for j, h in enumerate(self.header) if h == name]
        header_cells = (f"{self.ref(self.header_row, 0)}:"
                        f"{column_letter(self.first_column + len(self.header) - 1)}"
                        f"{self.header_row}")
        if not found:
            shown = ", ".join(repr(h) for h in self.header if h) or "none"
            raise InputError(f"{header_cells}: no column headed {name!r} for the "
                             f"{role}; the headers are {shown}")
        if len(found) > 1:
            cells = " and ".join(self.ref(self.header_row, j) for j in found)
            raise InputError(f"{cells} both head {name!r}: the {role} column is "
                             f"ambiguous")
        return found[0]


def _open(path: str, max_bytes: int | None) -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the report extra
        raise ImportError("reading Excel needs openpyxl: pip install "
                          "'apportion[report]'") from exc
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the workbook: "
                         f"{exc.strerror or exc}") from None
    limit = limits.input_bytes(max_bytes)
    if size > limit:
        raise InputError(f"{path}: the workbook is {size:,} bytes, more than the "
                         f"limit of {limit:,} (max_bytes)")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors
        raise InputError(f"{path}: not an Excel workbook (.xlsx) that can be "
                         f"read: {exc}") from None


def _defined_range(book: Any, name: str) -> tuple[str, str] | None:
    """(sheet, "A1:F200") of a defined name, or None when there is none."""
    names = book.defined_names
    try:
        defined = names.get(name) if hasattr(names, "get") else names[name]
    except KeyError:
        defined = None
    if defined is None:
        for ws in book.worksheets:
            local = getattr(ws, "defined_names", {})
            if name in local:
                defined = local[name]
                break
    if defined is None:
        return None
    destinations = list(defined.destinations)
    if len(destinations) != 1:
        raise InputError(f"the defined name {name!r} refers to "
                         f"{len(destinations)} ranges; one is needed")
    sheet, cells = destinations[0]
    return sheet, cells.replace("$", "")


def _bounds(text: str) -> tuple[int, int | None, int, int | None]:
    """(first column, first row or None, last column, last row or None)."""
    match = _RANGE.match(text.strip())
    if not match:
        raise ValueError(text)
    c1, r1, c2, r2 = match.groups()
    col1 = _column_index(c1)
    col2 = _column_index(c2) if c2 else col1
    row1 = int(r1.lstrip("$")) if r1 else None
    row2 = int(r2.lstrip("$")) if r2 else (row1 if not c2 else None)
    if (c2 and r1 and not r2) or col2 < col1 or (row1 and row2 and row2 < row1):
        raise ValueError(text)
    return col1, row1, col2, row2


def read_region(path: str | os.PathLike[str], *, sheet: str | None = None,
                range: str | None = None,
                max_bytes: int | None = None) -> Region:
    """The header and rows of a sheet's range (see the module's notes).
    A missing sheet, a range that is neither cells nor a defined name, or a
    range with no header row is an InputError naming them."""
    path = os.fspath(path)
    book = _open(path, max_bytes)
    try:
        bounds: tuple[int, int | None, int, int | None] | None = None
        if range is not None:
            try:
                bounds = _bounds(range)
            except ValueError:
                bounds = None
            if bounds is None:
                defined = _defined_range(book, range)
                if defined is None:
                    raise InputError(
                        f"{path}: range {range!r} is neither cells such as "
                        f"'A1:F200' nor a name the workbook defines")
                named_sheet, cells = defined
                if sheet is not None and sheet != named_sheet:
                    raise InputError(f"{path}: the name {range!r} refers to sheet "
                                     f"{named_sheet!r}, not {sheet!r}")
                sheet = named_sheet
                bounds = _bounds(cells)
        titles = list(book.sheetnames)
        if sheet is None:
            if len(titles) != 1:
                raise InputError(f"{path} has {len(titles)} sheets "
                                 f"({', '.join(titles)}): say which with sheet=")
            sheet = titles[0]
        if sheet not in titles:
            raise InputError(f"{path} has no sheet {sheet!r}; its sheets are "
                             f"{', '.join(repr(t) for t in titles)}")
        ws = book[sheet]
        col1, first_row, col2, row2 = bounds if bounds is not None else (1, 1, None, None)
        row1 = first_row or 1
        header: tuple[str, ...] | None = None
        header_row = 0
        rows: list[tuple[int, tuple[Any, ...]]] = []
        formats: list[tuple[str, ...]] = []
        for number, cells in enumerate(
                ws.iter_rows(min_row=row1, max_row=row2, min_col=col1, max_col=col2),
                row1):
            values = tuple(getattr(c, "value", None) for c in cells)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if header is None:
                header = tuple("" if v is None else str(v).strip() for v in values)
                header_row = number
                continue
            rows.append((number, values))
            formats.append(tuple(str(getattr(c, "number_format", None) or "General")
                                 for c in cells))
        if header is None:
            where = f"{_sheet_ref(sheet)}!{range}" if range else f"sheet {sheet!r}"
            raise InputError(f"{path}: {where} is empty: a header row is needed")
        width = len(header)
        rows = [(n, v + (None,) * (width - len(v))) for n, v in rows]
        formats = [f + ("General",) * (width - len(f)) for f in formats]
        return Region(path, sheet, header_row, col1, header, tuple(rows),
                      tuple(formats))
    finally:
        book.close()


# ---- cells ---------------------------------------------------------------------------


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: float | int) -> str:
    """A number cell's value as its shortest decimal text: 1234.56."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


def _described(value: object) -> str:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return f"the date {value:%Y-%m-%d}"
    if isinstance(value, bool):
        return f"the logical value {str(value).upper()}"
    if isinstance(value, (int, float)):
        return f"the number {_number_text(value)}"
    return repr(value)


def money_cell(value: object, unit: str, where: str, what: str = "amount") -> int:
    """A money cell as int pence: a number in ``unit`` exact to the penny,
    or money text.  Errors name ``where`` (the cell and column)."""
    from ._present import per_unit

    if _empty(value):
        raise InputError(f"{where}: no {what}; expected money in {unit}")
    if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime)):
        raise InputError(f"{where}: expected money in {unit} (a number or text "
                         f"such as £1,234.56 or (616)), found {_described(value)}")
    if isinstance(value, (int, float)):
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        pence = exact * per_unit(unit)
        if pence != pence.to_integral_value():
            raise InputError(f"{where}: expected money exact to the penny in "
                             f"{unit}, found the number {_number_text(value)}, "
                             f"which is not a whole number of pence (never rounded)")
        result = int(pence)
        if not -_INT64_MAX - 1 <= result <= _INT64_MAX:
            raise MoneyOverflowError(f"{where}: {what} {_number_text(value)} is "
                                     f"beyond 64-bit pence")
        return result
    text = str(value)
    try:
        return int(_core.parse_money(text, unit)[0])
    except (InputError, MoneyOverflowError) as exc:
        raise type(exc)(f"{where}: {what} {text!r}: {exc}; expected money in "
                        f"{unit} such as £1,234.56 or (616)") from None


def date_cell(value: object, where: str, date_format: str) -> _dt.date:
    """A date cell, or text in ``date_format``, as a date."""
    if isinstance(value, _dt.datetime):
        if value.time() != _dt.time():
            raise InputError(f"{where}: expected a date, found {value:%Y-%m-%d %H:%M} "
                             f"(a date and a time)")
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.datetime.strptime(value.strip(), date_format).date()
        except ValueError:
            raise InputError(f"{where}: expected a date ({date_format} as text, "
                             f"or a date cell), found {value!r}") from None
    hint = " (is the cell formatted as a date?)" if isinstance(value, (int, float)) \
        and not isinstance(value, bool) else ""
    raise InputError(f"{where}: expected a date, found {_described(value)}{hint}")


def _text(value: object) -> str:
    """A label cell as text: numbers as their shortest text."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ") if value.time() != _dt.time() \
            else value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


# ---- ledgers -------------------------------------------------------------------------


def _cell_where(sheet: str, column: int, name: str, rows: tuple[int, ...],
                i: int) -> str:
    """How a ledger error names line ``i``: the cell of its period or date,
    and its column."""
    return f"{cell_ref(sheet, rows[i], column)} (column {name!r})"


def read_ledger(path: str | os.PathLike[str], *, sheet: str | None = None,
                range: str | None = None,
                centre: str, amount: str, period: str | None = None,
                date: str | None = None, financial_year: str | None = None,
                periods: str | None = None, unit: str = "£",
                date_format: str = "%Y-%m-%d",
                max_bytes: int | None = None) -> Ledger:
    """A :class:`~apportion.ledger.Ledger` from a sheet's columns, named by
    their headers as :meth:`~apportion.ledger.Ledger.read_csv` names a
    CSV file's.  Amounts are numbers in ``unit`` or money text; dates are
    date cells or text in ``date_format``.  Every error names the sheet, the
    cell ("Ledger!C17"), the column and what was expected."""
    from .ledger import Ledger

    if (period is None) == (date is None):
        raise InputError("give a ledger either period= or date=, not "
                         f"{'both' if period is not None else 'neither'}")
    region = read_region(path, sheet=sheet, range=range, max_bytes=max_bytes)
    jc = region.column(centre, "cost centre")
    ja = region.column(amount, "amount")
    jw = region.column(period if period is not None else str(date),
                       "period" if period is not None else "date")
    n = len(region.rows)
    centres = np.empty(n, dtype=object)
    amounts = np.empty(n, dtype=np.int64)
    when = np.empty(n, dtype=object if period is not None else "datetime64[D]")
    for i, (row, values) in enumerate(region.rows):
        if _empty(values[jc]):
            raise InputError(f"{region.where(row, jc)}: no cost centre")
        centres[i] = _text(values[jc])
        amounts[i] = money_cell(values[ja], unit, region.where(row, ja))
        value = values[jw]
        if period is not None:
            if _empty(value):
                raise InputError(f"{region.where(row, jw)}: no period; expected "
                                 f"Q1 to Q4, P1 to P12 or a number")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            when[i] = value.strip() if isinstance(value, str) else value
        else:
            if _empty(value):
                raise InputError(f"{region.where(row, jw)}: no date")
            when[i] = np.datetime64(date_cell(value, region.where(row, jw),
                                              date_format), "D")
    rows = tuple(r for r, _ in region.rows)
    ledger = Ledger.__new__(Ledger)
    ledger._init_from(centres, amounts, when if period is not None else None,
                      when if date is not None else None, financial_year, periods,
                      unit, source=f"{region.path} [{region.sheet}]",
                      where=partial(_cell_where, region.sheet,
                                    region.first_column + jw, region.header[jw],
                                    rows))
    return ledger


# ---- tables to audit -----------------------------------------------------------------

_DIRECTIVES = ("title", "source", "unit", "decimals", "rule", "note")
_FORMAT_DECIMALS = re.compile(r"0\.(0+)")


def _format_decimals(number_format: str) -> int | None:
    """The digits after the point a number format shows (its first
    section), or None for General."""
    first = number_format.split(";")[0]
    first = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", first)
    if first.strip().lower() in ("general", ""):
        return None
    match = _FORMAT_DECIMALS.search(first)
    return len(match.group(1)) if match else 0


def figure_cell(value: object, number_format: str, where: str) -> str | None:
    """A table cell as the figure it prints: text as it is, a number as its
    value with the decimals its format shows.  A number with more digits
    than the format shows is an error: the printed figure is not the
    value."""
    if _empty(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: expected a figure (a number, or text as "
                         f"printed), found {_described(value)}")
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    shown = _format_decimals(number_format)
    percent = "%" in number_format.split(";")[0]
    if percent:
        exact *= 100
    if shown is not None:
        try:
            padded = exact.quantize(Decimal(1).scaleb(-shown))
        except InvalidOperation:
            padded = exact
        if padded != exact:
            raise InputError(f"{where}: the cell holds {_number_text(value)} but "
                             f"shows {shown} decimal{'s' if shown != 1 else ''} "
                             f"({number_format}): type the figure as printed")
        exact = padded
    text = format(exact, "f")
    return text + "%" if percent else text


def _directive(values: tuple[Any, ...]) -> tuple[str, str] | None:
    first = values[0]
    if not isinstance(first, str) or not first.strip().startswith("#"):
        return None
    key, _, value = first.strip()[1:].partition(":")
    value = value.strip()
    if not value:
        value = next((_text(v) for v in values[1:] if not _empty(v)), "")
    return key.strip().lower(), value


def read_table(path: str | os.PathLike[str], *, sheet: str | None = None,
               range: str | None = None,
               title: str | None = None, source: str | None = None,
               unit: str | None = None, decimals: int | None = None,
               rules: Sequence[str] = (), note: str | None = None,
               max_bytes: int | None = None) -> dict[str, Any]:
    """A table to audit (the JSON form of ``apportion.table/1``) from a
    sheet laid out as the CSV form is: optional directive rows first (a
    first cell ``#title: ...``, ``#unit: £000``, ``#rule: ...``, or the
    key in the first cell and its value in the next), then the header row
    (the label column, the figure columns, and optionally a column headed
    ``total`` saying which rows a total row sums: ``above``, ``all`` or
    labels separated by ``;``), then the rows.  Keyword arguments give or
    override the directives.  The dict's ``"cells"`` maps each figure's
    JSON path (``$.rows[2].values[1]``) to its cell, for errors."""
    region = read_region(path, sheet=sheet, range=range, max_bytes=max_bytes)
    table: dict[str, Any] = {"format": "apportion.table/1"}
    table_rules: list[str] = []
    raw = [(region.header_row, region.header)] + [(n, tuple(v)) for n, v in region.rows]
    formats = [("General",) * len(region.header), *region.formats]
    start = 0
    while start < len(raw):
        found = _directive(raw[start][1])
        if found is None:
            break
        key, value = found
        where = region.ref(raw[start][0], 0)
        if key not in _DIRECTIVES:
            raise InputError(f"{where}: a directive reads '#key: value' with key "
                             f"one of {', '.join(_DIRECTIVES)}; found {key!r}")
        if key == "rule":
            table_rules.append(value)
        elif key == "decimals":
            try:
                table["decimals"] = int(value)
            except ValueError:
                raise InputError(f"{where}: decimals must be an integer, found "
                                 f"{value!r}") from None
        else:
            table[key] = value
        start += 1
    if start >= len(raw):
        raise InputError(f"{region.path}: sheet {region.sheet!r} has directives "
                         f"but no header row")
    header_row, header_values = raw[start]
    header = [_text(h) if not _empty(h) else "" for h in header_values]
    total_col = header.index("total") if "total" in header[1:] else None
    given: tuple[tuple[str, object], ...] = (
        ("title", title), ("source", source), ("unit", unit),
        ("decimals", decimals), ("note", note))
    for key, setting in given:
        if setting is not None:
            table[key] = setting
    table_rules.extend(rules)
    if table_rules:
        table["rules"] = table_rules
    table.setdefault("title", region.sheet)
    table["columns"] = [h for j, h in enumerate(header) if j > 0 and j != total_col]
    for j, h in enumerate(header):
        if j > 0 and j != total_col and not h:
            raise InputError(f"{region.ref(header_row, j)}: a figure column "
                             f"needs a header")
    table["rows"] = []
    cells: dict[str, str] = {}
    for k in builtins.range(start + 1, len(raw)):
        number, values = raw[k]
        row: dict[str, Any] = {"label": _text(values[0]) if not _empty(values[0])
                               else ""}
        figures: list[str | None] = []
        i = len(table["rows"])
        for j, value in enumerate(values):
            if j == 0:
                continue
            where = f"{region.ref(number, j)} (column {header[j]!r})"
            if j == total_col:
                if not _empty(value):
                    spec = _text(value)
                    row["total"] = (spec if spec in ("above", "all") else
                                    [s.strip() for s in spec.split(";")])
                continue
            cells[f"$.rows[{i}].values[{len(figures)}]"] = where
            figures.append(figure_cell(value, formats[k][j], where))
        row["values"] = figures
        cells[f"$.rows[{i}]"] = region.ref(number, 0)
        table["rows"].append(row)
    table["cells"] = cells
    return table


def _cell_of(cells: dict[str, str], json_path: str) -> str | None:
    """The cell a JSON path of the table names: its figure's, else its
    row's first cell."""
    probe = json_path
    while probe:
        if probe in cells:
            return cells[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            break
        probe = probe[:cut]
    return None


def check_table(path: str | os.PathLike[str], *, sheet: str | None = None,
                range: str | None = None,
                max_bytes: int | None = None, **directives: Any) -> Report:
    """:func:`apportion.audit.check_table` of a table read from a sheet by
    :func:`read_table` (``directives``: title, source, unit, decimals,
    rules, note).  A figure the audit cannot read is a PlanError naming
    its cell ("Outturn!C7 (column 'Gross Outturn')")."""
    from . import audit

    table = read_table(path, sheet=sheet, range=range, max_bytes=max_bytes,
                       **directives)
    cells = table.pop("cells")
    try:
        report = audit.check_table(table)
    except PlanError as exc:
        where = _cell_of(cells, exc.path) if exc.path else None
        message = str(exc)
        detail = message.split(f"{exc.path}: ", 1)[-1] if exc.path else message
        raise PlanError(f"{where or os.fspath(path)}: {detail}", exc.path,
                        source=os.fspath(path)) from None
    report.file = os.fspath(path)
    return report


# ---- case records --------------------------------------------------------------------


def read_records(path: str | os.PathLike[str], *, sheet: str | None = None,
                 range: str | None = None,
                 dates: Sequence[str] = (), integers: Sequence[str] = (),
                 numbers: Sequence[str] = (), date_format: str = "%Y-%m-%d",
                 max_bytes: int | None = None) -> pd.DataFrame:
    """Case records (one row per referral, request or case), or KPI values
    for :func:`~apportion.scorecard.scorecard`, as the CSV path reads them:
    a DataFrame of text, an empty cell None.  The columns named in
    ``dates`` hold dates (ISO text "2021-04-01" in the frame, as a CSV
    holds them; an empty cell is an open case's missing end), ``integers``
    whole numbers (a numerator, a denominator) and ``numbers`` exact
    numbers (Decimal).  A cell that is not what its column needs is an
    error naming the sheet, cell and column."""
    import pandas as pd

    region = read_region(path, sheet=sheet, range=range, max_bytes=max_bytes)
    kinds: dict[int, str] = {}
    for names, wanted in ((dates, "date"), (integers, "integer"),
                          (numbers, "number")):
        if isinstance(names, str):
            raise TypeError(f"{wanted}s must be a sequence of column names, "
                            f"not a string")
        for name in names:
            kinds[region.column(name, f"{wanted} column")] = wanted
    header = list(region.header)
    for j, h in enumerate(header):
        if not h:
            header[j] = column_letter(region.first_column + j)
    columns: list[list[Any]] = [[] for _ in header]
    for row, values in region.rows:
        for j, value in enumerate(values):
            kind: str | None = kinds.get(j)
            out: Any
            if _empty(value):
                out = None
            elif kind == "date":
                out = date_cell(value, region.where(row, j), date_format).isoformat()
            elif kind == "integer":
                out = _integer_cell(value, region.where(row, j))
            elif kind == "number":
                out = _number_cell(value, region.where(row, j))
            else:
                out = _text(value)
            columns[j].append(out)
    frame = pd.DataFrame({h: pd.Series(c, dtype=object) for h, c in zip(header, columns)})
    for j, kind in kinds.items():
        if kind == "integer":
            frame[header[j]] = frame[header[j]].astype("Int64")
    return frame


def _integer_cell(value: object, where: str) -> int:
    if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime)):
        raise InputError(f"{where}: expected a whole number, found {_described(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(",", "")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    raise InputError(f"{where}: expected a whole number, found {_described(value)}")


def _number_cell(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, (_dt.date, _dt.datetime)):
        raise InputError(f"{where}: expected a number, found {_described(value)}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace(",", "")
    try:
        exact = Decimal(text)
    except InvalidOperation:
        exact = Decimal("nan")
    if not exact.is_finite():
        raise InputError(f"{where}: expected a number, found {value!r}")
    return exact
