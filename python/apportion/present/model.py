"""What a result looks like on a page, before any format is chosen.

Every result object (a plan, a paper, an audit report, a scorecard, a
ledger, a forecast, a scenario run, a service area, a KPI, a calendar) can
describe itself as a :class:`View`: a title, a few paragraphs, its findings,
its tables and its charts.  The renderers (text, HTML, Markdown, Excel, the
committee pack) read only this model, so one object reads the same in a
terminal, a notebook, a spreadsheet and a committee paper.

The model carries exact values, never formatted text: money as int pence
with the unit a column is shown in, percentages as Decimal, counts as int.
Formatting (digit groups, brackets or minus, the unit's scale) is the
renderers' job and follows the :class:`Table`'s stated conventions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "RAG_NAMES",
    "CellValue",
    "Chart",
    "Column",
    "Finding",
    "Row",
    "Series",
    "Table",
    "View",
    "Viewable",
]

#: A cell's value.  Money: int pence.  Count: int.  Percent: Decimal in
#: percentage points (Decimal("44.16")).  Number: int, Decimal or float
#: (a forecast's mean; never money).  Text and RAG: str.  Date: ISO
#: "2023-03-31".  None: an empty cell (not zero).
CellValue = int | Decimal | float | str | None

#: The RAG ratings as every renderer names them (text first, colour second).
RAG_NAMES = ("Red", "Amber", "Green")

ColumnKind = Literal["text", "money", "count", "percent", "number", "rag", "date"]
ColumnRole = Literal["label", "stated", "computed", "difference", "value"]
RowKind = Literal["line", "subtotal", "total", "note"]
Negatives = Literal["brackets", "minus"]


@dataclass(frozen=True)
class Column:
    """One column of a :class:`Table`.

    ``unit`` is the unit a money column is shown in: "£" (pounds and pence),
    "£000", "£m" or "p"; the values stay pence.  ``decimals`` None shows as
    many digits after the point as the column's finest figure needs.

    ``role`` says what the figures are: "stated" (as printed in the paper,
    carried as read), "computed" (apportion's own), "difference" (computed
    minus stated, or the second of ``difference_of`` minus the first),
    "label" (the row's name), "value" (anything else).

    ``difference_of`` (two column keys ``(a, b)``) makes the column ``b - a``
    row by row; a spreadsheet writes it as a live formula (``=D5-C5``).
    ``summed`` False keeps a money or count column out of totals rows' live
    sums (a rate, a stated total carried as printed)."""

    key: str
    label: str
    kind: ColumnKind = "text"
    unit: str | None = None
    decimals: int | None = None
    role: ColumnRole = "value"
    difference_of: tuple[str, str] | None = None
    summed: bool = True


@dataclass(frozen=True)
class Row:
    """One row: one value per column, in the table's column order.

    ``kind`` "total" or "subtotal" rows carry the computed sums as values
    (so text and HTML show them); a spreadsheet writes each summed money or
    count cell of a computed column as ``=SUM(...)`` over ``sum_of`` (row
    indices in the table, 0 for the first row), or, when ``sum_of`` is None,
    over the "line" rows since the previous total or subtotal.  A stated
    column's cell in a total row is the figure as printed, never a formula.
    ``note`` explains a row (a finding's short form, a reading of a cut-off
    cell); renderers show it beside or under the row."""

    values: tuple[CellValue, ...]
    kind: RowKind = "line"
    sum_of: tuple[int, ...] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Table:
    """A table as a committee paper prints it.

    ``source`` names the paper and section the figures come from (or "computed
    by apportion"); ``negatives`` is the one convention for negative figures
    in this table.  :meth:`caption` states both with the units, so no
    renderer has to."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    source: str = ""
    negatives: Negatives = "brackets"
    notes: tuple[str, ...] = ()
    #: a short name for a spreadsheet sheet or an HTML anchor (<= 31 chars)
    name: str = ""

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row.values) != width:
                raise ValueError(f"table {self.title!r} row {i} has "
                                 f"{len(row.values)} values for {width} columns")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.title!r} repeats a column key")
        for c in self.columns:
            if c.difference_of and not set(c.difference_of) <= set(keys):
                raise ValueError(f"column {c.key!r} differences unknown columns "
                                 f"{c.difference_of}")

    def units(self) -> tuple[str, ...]:
        """The money units shown, in column order, each once."""
        seen: list[str] = []
        for c in self.columns:
            if c.kind == "money" and c.unit and c.unit not in seen:
                seen.append(c.unit)
        return tuple(seen)

    def caption(self) -> str:
        """"Source: ... Figures in £000; negatives in brackets." """
        parts = [f"Source: {self.source}." if self.source else ""]
        units = self.units()
        if units:
            shown = " and ".join("pence" if u == "p" else u for u in units)
            rule = ("in brackets" if self.negatives == "brackets"
                    else "with a minus sign")
            parts.append(f"Figures in {shown}; negatives {rule}.")
        return " ".join(p for p in parts if p)

    def column(self, key: str) -> int:
        """The index of the column ``key``."""
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)


@dataclass(frozen=True)
class Finding:
    """One thing a committee should know: a figure that is wrong, a rating
    that fails, an assumption.  ``severity`` orders them (errors first);
    ``figures`` are the figures the message quotes, as printed in it, so a
    test can find each one in any rendering."""

    severity: Literal["error", "warning", "note"]
    where: str
    message: str
    figures: tuple[str, ...] = ()
    #: the word shown for it when it says more than the severity ("rounding"
    #: for a difference within the printed rounding, "not made" for a check
    #: of an illegible figure); "" shows the severity
    mark: str = ""


@dataclass(frozen=True)
class Series:
    """One series of a chart: a name and a value per category (None for a
    gap).  ``rag`` optionally rates each point (shown by colour, marker and
    legend, never colour alone)."""

    name: str
    values: tuple[float | int | Decimal | None, ...]
    rag: tuple[str | None, ...] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart described by data, drawn by the renderers (SVG in HTML and
    the pack, PNG for files, a matplotlib Figure in notebooks).  ``kind``
    "bar" draws grouped bars, "line" a line per series (a trend, a forecast
    with its interval as two further series named in ``band``), "rag" the
    RAG of each point of one series over the categories.  ``unit`` labels
    the value axis ("£000", "%", "children")."""

    title: str
    kind: Literal["bar", "line", "rag"]
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    band: tuple[str, str] | None = None
    source: str = ""
    #: reference lines drawn across the chart: (label, value)
    targets: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class View:
    """Everything one object shows: its title, a few paragraphs (what it
    is, its total, its basis), its findings, tables and charts, in the
    order a committee paper would print them."""

    title: str
    paragraphs: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    #: the file or name the object was read from
    source: str = ""
    #: labelled assumptions in force (a unit cost, a target, a rule)
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    #: the heading of the findings ("Audit of the paper's figures"); "" for
    #: none (a view that is itself a list of findings)
    findings_title: str = "Findings"
    #: one sentence before the findings ("25 checks: 22 agree, 3 within
    #: rounding, 0 errors."), said even when there are none to list
    findings_summary: str = ""


@runtime_checkable
class Viewable(Protocol):
    """A result object that can describe itself on a page."""

    def view(self) -> View: ...
