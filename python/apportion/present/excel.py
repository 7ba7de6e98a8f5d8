"""Excel workbooks from views: one sheet per table, and a findings sheet.

:func:`write_workbook` lays each :class:`~apportion.present.model.Table` of
the views out as a committee paper prints it, as a spreadsheet a user can
work in:

- money as numbers in the column's unit (pounds, £000, £m; never pence
  unless the unit is "p"), each value exact until the cell: pence divided
  as a :class:`~decimal.Decimal`, turned into a float only as it is
  written, with a number format that shows the unit and the table's one
  convention for negatives (brackets or a minus sign);
- totals and subtotals as live ``=SUM(...)`` formulas and difference
  columns as live ``=D5-C5`` formulas, so that a user who edits a line sees
  the totals move; each formula carries apportion's own figure as its
  cached result, so a reader that does not recalculate still shows it;
- the stated figures (as printed in the paper) beside the computed ones,
  as constants;
- RAG cells as text ("Red", "Amber", "Green") coloured by conditional
  formatting, so the rating reads without colour and the colour follows an
  edited rating;
- the title and caption (source, units, negatives) above each table, the
  header row and label column frozen, and column widths that fit.

Before anything is written, every formula is checked against the view: a
total whose rows do not sum to the figure the view carries (or a
difference that is not its two columns' difference) is a ValueError, since
the workbook would show one figure until recalculated and another after.

xlsxwriter writes the workbooks (the ``report`` extra): it stores a
formula's result beside the formula, which openpyxl cannot.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._format import RAG_COLOURS
from .model import CellValue, Column, Finding, Table, View

__all__ = ["RAG_FILLS", "findings_header_row", "header_row_of", "sheet_names",
           "write_workbook"]

#: Fill and text colours of RAG cells: the colours every renderer uses
#: (Okabe and Ito's vermillion, orange and bluish green, which differ in
#: lightness as well as hue, so they stay apart with the common
#: colour-vision deficiencies), with black text, which reads on all three.
#: The rating's word ("Red", "Amber", "Green") is always in the cell too.
RAG_FILLS = {name: (colour, "#000000") for name, colour in RAG_COLOURS.items()}

_FINDINGS = "Findings"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SUMMED_KINDS = ("money", "count")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


# ---- sheet names -------------------------------------------------------------


def _clean_sheet_name(name: str) -> str:
    name = _BAD_SHEET_CHARS.sub(" ", name)
    name = " ".join(name.split()).strip("'")
    return name or "Table"


def sheet_names(tables: Sequence[Table], *, reserved: Sequence[str] = ()) -> list[str]:
    """A sheet name for each table, as Excel allows them: from the table's
    ``name`` (else its title), without the characters ``[]:*?/\\``, at
    most 31 characters, and unique without regard to case (a repeated name
    gets " (2)", " (3)"...).  ``reserved`` names are taken already."""
    taken = {r.casefold() for r in reserved} | {"history"}
    out: list[str] = []
    for table in tables:
        base = _clean_sheet_name(table.name or table.title)[:31].rstrip()
        name, k = base, 1
        while name.casefold() in taken:
            k += 1
            suffix = f" ({k})"
            name = base[:31 - len(suffix)].rstrip() + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


# ---- numbers ---------------------------------------------------------------------


def _per_unit(unit: str | None) -> int:
    """Pence in one ``unit``: 100 for "£", 100000 for "£000"."""
    if unit is None or unit == "p":
        return 1
    from .._present import per_unit

    return per_unit(unit)


def _in_unit(pence: int, unit: str | None) -> Decimal:
    """``pence`` in ``unit``, exactly."""
    return Decimal(pence) / Decimal(_per_unit(unit))


def _decimals_needed(pence: int, unit: str | None) -> int:
    """Digits after the point that show ``pence`` in ``unit`` exactly."""
    per, digits = _per_unit(unit), 0
    while pence % per:
        pence *= 10
        digits += 1
    return digits


def _percent_decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _column_decimals(table: Table, j: int) -> int:
    col = table.columns[j]
    if col.decimals is not None:
        return col.decimals
    values = [r.values[j] for r in table.rows if r.values[j] is not None]
    if col.kind == "money":
        return max([0, *(_decimals_needed(int(v), col.unit) for v in values
                         if isinstance(v, int))])
    if col.kind == "percent":
        return max([0, *(_percent_decimals(Decimal(v)) for v in values
                         if isinstance(v, (int, Decimal)))])
    return 0


def _digits(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _number_format(col: Column, decimals: int, negatives: str) -> str:
    """The Excel number format of a column: "£#,##0.00;(£#,##0.00)"."""
    if col.kind == "money":
        body = ("£" if col.unit == "£" else "") + _digits(decimals)
    elif col.kind == "count":
        body = "#,##0"
    elif col.kind == "percent":
        body = "0" + ("." + "0" * decimals if decimals else "") + "%"
    elif col.kind == "number":
        body = _digits(decimals) if col.decimals is not None else "General"
    else:
        return "@"
    if body == "General":
        return body
    negative = f"({body})" if negatives == "brackets" else f"-{body}"
    return f"{body};{negative}"


def _header(col: Column) -> str:
    """A column's header: its label, and its unit when the label does not
    say it ("Budget (£000)")."""
    if col.kind == "money" and col.unit and col.unit not in col.label:
        return f"{col.label} ({'pence' if col.unit == 'p' else col.unit})"
    return col.label


def _shown(value: CellValue, col: Column, decimals: int, negatives: str) -> str:
    """Roughly what Excel shows for a value: to size the column."""
    if value is None:
        return ""
    if col.kind == "money" and isinstance(value, int):
        amount = _in_unit(value, col.unit)
    elif col.kind == "percent" and isinstance(value, (int, Decimal)):
        return f"{Decimal(value):,.{decimals}f}%"
    elif col.kind in ("count", "number") and isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    elif col.kind == "date" and isinstance(value, str):
        return "30 Sep 2000"
    else:
        return str(value)
    text = f"{abs(amount):,.{decimals}f}"
    if col.kind == "money" and col.unit == "£":
        text = "£" + text
    if amount < 0:
        text = f"({text})" if negatives == "brackets" else f"-{text}"
    return text


def _cell_number(value: CellValue, col: Column, where: str) -> float:
    """The number a cell holds: money in its unit, a percentage as a
    fraction (44.16 percentage points: 0.4416), a count as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        raise ValueError(f"{where}: a {col.kind} column holds "
                         f"{type(value).__name__} {value!r}")
    if col.kind == "money":
        if not isinstance(value, int):
            raise ValueError(f"{where}: money must be int pence, not {value!r}")
        return float(_in_unit(value, col.unit))
    if col.kind == "percent":
        return float(Decimal(value) / 100) if not isinstance(value, float) \
            else value / 100
    return float(value)


# ---- laying out a table ------------------------------------------------------------


def _col_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _summed_rows(table: Table, i: int) -> list[int]:
    """The table rows the total or subtotal row ``i`` sums."""
    row = table.rows[i]
    if row.sum_of is not None:
        for k in row.sum_of:
            if not 0 <= k < len(table.rows) or k == i:
                raise ValueError(f"table {table.title!r} row {i} sums row {k}, "
                                 f"which is not another row of the table")
        return list(row.sum_of)
    rows: list[int] = []
    for k in range(i - 1, -1, -1):
        kind = table.rows[k].kind
        if kind in ("total", "subtotal"):
            break
        if kind == "line":
            rows.append(k)
    return sorted(rows)


def _is_summed(col: Column) -> bool:
    return (col.kind in _SUMMED_KINDS and col.summed
            and col.role not in ("stated", "difference", "label"))


@dataclass
class _Cell:
    """One cell to write: a constant, or a formula with its cached result."""

    value: CellValue
    formula: str | None = None


def _exact_number(value: CellValue) -> Decimal | None:
    if value is None or isinstance(value, (str, bool)):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _plan_cells(table: Table, first_row: int, where: str) -> list[list[_Cell]]:
    """Each cell of the table's body, with its formula where it has one,
    checked: a formula's result (computed exactly from the view's values)
    must be the value the view carries."""
    keys = {c.key: j for j, c in enumerate(table.columns)}
    out: list[list[_Cell]] = []
    for i, row in enumerate(table.rows):
        excel_row = first_row + i + 1  # 1-based
        cells: list[_Cell] = []
        for j, col in enumerate(table.columns):
            value = row.values[j]
            cell = _Cell(value)
            here = f"{where} row {i} ({_header(col)!r})"
            live = row.kind != "note" and _exact_number(value) is not None
            if col.difference_of is not None and live:
                a, b = (keys[k] for k in col.difference_of)
                va, vb = (_exact_number(row.values[a]), _exact_number(row.values[b]))
                alike = all((c.kind, c.unit) == (col.kind, col.unit)
                            for c in (table.columns[a], table.columns[b]))
                if va is None or vb is None or not alike:
                    # a figure not printed ("-", "n/a") or missing, or
                    # columns in other units than the difference's: the
                    # difference is carried as the view has it
                    cells.append(cell)
                    continue
                if vb - va != _exact_number(value):
                    raise ValueError(f"{here}: the view's difference {value!r} is "
                                     f"not {col.difference_of[1]} - "
                                     f"{col.difference_of[0]} ({vb - va})")
                cell.formula = (f"={_col_letter(b)}{excel_row}"
                                f"-{_col_letter(a)}{excel_row}")
            elif row.kind in ("total", "subtotal") and _is_summed(col) and live:
                summed = _summed_rows(table, i)
                if summed:
                    parts = [row_.values[j] for row_ in (table.rows[k] for k in summed)]
                    total = sum((_exact_number(v) or Decimal(0)) for v in parts)
                    if total != _exact_number(value):
                        raise ValueError(
                            f"{here}: the view's total {value!r} is not the sum "
                            f"of its rows ({total}); a live =SUM would show the "
                            f"one and apportion the other")
                    letter = _col_letter(j)
                    ranges = [f"{letter}{first_row + a + 1}" if a == b else
                              f"{letter}{first_row + a + 1}:{letter}{first_row + b + 1}"
                              for a, b in _runs(summed)]
                    cell.formula = f"=SUM({','.join(ranges)})"
            cells.append(cell)
        out.append(cells)
    return out


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]


def header_row_of(view: View, table: Table) -> int:
    """The row (0-based, as xlsxwriter counts; add 1 for Excel's number) of
    ``table``'s header on its sheet: below the view's title (when it is not
    the table's), the table's title, its caption and a blank row.  Its rows
    follow in order, one sheet row each."""
    return (int(bool(view.title) and view.title != table.title) + 1
            + int(bool(table.caption())) + 1)


def _write_table(book: Any, formats: _Formats, sheet_name: str, table: Table,
                 view: View) -> None:
    ws = book.add_worksheet(sheet_name)
    ncols = len(table.columns)
    has_notes = any(r.note for r in table.rows)
    r = 0
    if view.title and view.title != table.title:
        ws.write_string(r, 0, view.title, formats.get(italic=True))
        r += 1
    ws.write_string(r, 0, table.title, formats.get(bold=True, font_size=14))
    r += 1
    caption = table.caption()
    if caption:
        ws.write_string(r, 0, caption, formats.get(italic=True))
    header_row = header_row_of(view, table)
    decimals = [_column_decimals(table, j) for j in range(ncols)]
    widths = [0] * (ncols + has_notes)
    headers = [_header(c) for c in table.columns] + (["Note"] if has_notes else [])
    for j, text in enumerate(headers):
        numeric = j < ncols and table.columns[j].kind not in ("text", "rag", "date")
        ws.write_string(header_row, j, text, formats.get(
            bold=True, text_wrap=True, bottom=1, valign="bottom",
            align="right" if numeric else "left", bg_color="#E7E6E6"))
        widths[j] = min(len(text), 24)
    cells = _plan_cells(table, header_row + 1, f"table {table.title!r}")
    for i, row in enumerate(table.rows):
        excel_r = header_row + 1 + i
        style: dict[str, Any] = {}
        if row.kind in ("total", "subtotal"):
            style = {"bold": True, "top": 1}
            if row.kind == "total":
                style["bottom"] = 6  # a double rule under the grand total
        elif row.kind == "note":
            style = {"italic": True}
        for j, col in enumerate(table.columns):
            cell = cells[i][j]
            value = cell.value
            where = f"table {table.title!r} row {i} column {col.key!r}"
            widths[j] = max(widths[j], len(_shown(value, col, decimals[j],
                                                  table.negatives)))
            if col.kind in ("money", "count", "percent", "number"):
                fmt = formats.get(num_format=_number_format(col, decimals[j],
                                                            table.negatives),
                                  **style)
                if cell.formula is not None:
                    ws.write_formula(excel_r, j, cell.formula, fmt,
                                     _cell_number(value, col, where))
                elif value is None:
                    ws.write_blank(excel_r, j, None, fmt)
                elif isinstance(value, str):
                    # A figure not legible in the paper, carried as printed.
                    ws.write_string(excel_r, j, value, formats.get(align="right",
                                                                   **style))
                else:
                    ws.write_number(excel_r, j, _cell_number(value, col, where), fmt)
            elif col.kind == "date" and isinstance(value, str):
                try:
                    day = _dt.date.fromisoformat(value)
                except ValueError:
                    ws.write_string(excel_r, j, value, formats.get(**style))
                else:
                    ws.write_datetime(excel_r, j, day, formats.get(
                        num_format="d mmm yyyy", align="left", **style))
            elif value is None:
                ws.write_blank(excel_r, j, None, formats.get(**style))
            else:
                text_style = dict(style)
                if col.kind == "rag":
                    text_style["align"] = "center"
                ws.write_string(excel_r, j, str(value), formats.get(**text_style))
        if has_notes and row.note:
            ws.write_string(excel_r, ncols, row.note, formats.get(italic=True))
            widths[ncols] = max(widths[ncols], min(len(row.note), 80))
    last = header_row + len(table.rows)
    for j, col in enumerate(table.columns):
        if col.kind == "rag" and table.rows:
            for name, (fill, font) in RAG_FILLS.items():
                ws.conditional_format(header_row + 1, j, last, j, {
                    "type": "cell", "criteria": "==", "value": f'"{name}"',
                    "format": book.add_format({"bg_color": fill, "font_color": font,
                                               "bold": name == "Red"})})
    r = last + 2
    for note in table.notes:
        ws.write_string(r, 0, note, formats.get(italic=True))
        r += 1
    for j, width in enumerate(widths):
        ws.set_column(j, j, max(8, min(width, 80)) + 2)
    label_first = bool(table.columns) and table.columns[0].kind == "text"
    ws.freeze_panes(header_row + 1, 1 if label_first else 0)


def _severity(f: Finding) -> str:
    """"error", or "warning (rounding)" when the finding has a mark."""
    mark = f.mark
    return (f"{f.severity} ({mark})" if mark and mark.lower() != f.severity
            else f.severity)


def findings_header_row(views: Sequence[View]) -> int:
    """The row (0-based) of the Findings sheet's header: below its title,
    a line saying the order, one line per view that sums up its checks,
    and a blank row."""
    return 2 + sum(1 for v in views if v.findings_summary) + 1


def _write_findings(book: Any, formats: _Formats, views: Sequence[View]) -> None:
    ws = book.add_worksheet(_FINDINGS)
    header = formats.get(bold=True, bottom=1, bg_color="#E7E6E6")
    ws.write_string(0, 0, "Findings", formats.get(bold=True, font_size=14))
    ws.write_string(1, 0, "Errors first, then warnings, then notes; each "
                    "where it was found.", formats.get(italic=True))
    r = 2
    for v in views:
        summary = v.findings_summary
        if summary:
            ws.write_string(r, 0, f"{v.title}: {summary}")
            r += 1
    top = findings_header_row(views)
    for j, text in enumerate(("Paper", "Severity", "Where", "Message")):
        ws.write_string(top, j, text, header)
    rows = [(v.title, f) for v in views for f in v.findings]
    rows.sort(key=lambda t: _SEVERITY_ORDER.get(t[1].severity, 3))
    widths = [len("Paper"), len("Severity"), len("Where"), len("Message")]
    wrap = formats.get(text_wrap=True, valign="top")
    top_fmt = formats.get(valign="top")
    for i, (title, f) in enumerate(rows, top + 1):
        severity_fmt = formats.get(valign="top", bold=f.severity == "error")
        ws.write_string(i, 0, title, top_fmt)
        ws.write_string(i, 1, _severity(f), severity_fmt)
        ws.write_string(i, 2, f.where, top_fmt)
        ws.write_string(i, 3, f.message, wrap)
        for j, text in enumerate((title, _severity(f), f.where, f.message)):
            widths[j] = max(widths[j], len(text))
    if not rows:
        ws.write_string(top + 1, 0, "No findings.", formats.get(italic=True))
    for j, width in enumerate(widths):
        ws.set_column(j, j, min(width, 100 if j == 3 else 50) + 2)
    ws.freeze_panes(top + 1, 0)


def write_workbook(views: Sequence[View], path: str | os.PathLike[str], *,
                   findings: bool = True) -> None:
    """Write ``views`` to the Excel workbook ``path`` (.xlsx): first a
    "Findings" sheet (every view's findings, errors first; left out with
    ``findings=False``), then one sheet per table of each view in order.

    A ValueError is raised, before the file is made, when a table's total
    or difference does not follow from its rows (the live formula would
    disagree with the figure the view carries)."""
    try:
        import xlsxwriter
    except ImportError as exc:  # pragma: no cover - the report extra
        raise ImportError("writing Excel needs xlsxwriter: pip install "
                          "'apportion[report]'") from exc
    if isinstance(views, View):
        views = [views]
    pairs = [(view, table) for view in views for table in view.tables]
    names = sheet_names([t for _, t in pairs],
                        reserved=[_FINDINGS] if findings else [])
    # Check every formula before the file is made.
    for _, table in pairs:
        _plan_cells(table, 0, f"table {table.title!r}")
    book = xlsxwriter.Workbook(os.fspath(path), {"strings_to_numbers": False,
                                                 "strings_to_formulas": False,
                                                 "strings_to_urls": False})
    try:
        formats = _Formats(book)
        if findings:
            _write_findings(book, formats, views)
        for (view, table), name in zip(pairs, names):
            _write_table(book, formats, name, table, view)
        if not pairs and not findings:
            book.add_worksheet("Empty")
    finally:
        book.close()
