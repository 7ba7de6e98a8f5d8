"""How one cell of a :class:`~apportion.present.model.Table` reads, for
every renderer: the text of a figure in its column's unit and the table's
negative convention, the column's heading with its unit, whether a column
is right-aligned, and the RAG key (colour, marker and word).

Money text comes from the C core (``_core.format_money``): nothing here
rounds, groups digits or knows a unit's scale itself.
"""

from __future__ import annotations

from decimal import Decimal

from .. import _core
from .._present import per_unit
from .model import CellValue, Column, Finding, Table

#: Kinds whose cells are figures: right-aligned, signed by the table's rule.
FIGURE_KINDS = frozenset({"money", "count", "percent", "number"})

#: The RAG colours, from Okabe and Ito's palette for colour-blind readers
#: (vermillion, orange, bluish green), each also given a marker and a
#: hatch so no rating is told by colour alone.
RAG_COLOURS = {"Red": "#D55E00", "Amber": "#E69F00", "Green": "#009E73"}
#: A glyph for the text of a rating (HTML and Markdown), one shape each.
RAG_SYMBOLS = {"Red": "\u25b2", "Amber": "\u25c6", "Green": "\u25cf"}
#: The same shapes as matplotlib markers, and a hatch for bars.
RAG_MARKERS = {"Red": "^", "Amber": "D", "Green": "o"}
RAG_HATCHES = {"Red": "xx", "Amber": "//", "Green": ""}

#: Colours of series that are not ratings (Okabe-Ito, in its own order,
#: black last), and a line style and marker each so print in grey reads.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                  "#D55E00", "#F0E442", "#000000")
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
SERIES_LINES = ("-", "--", "-.", ":")
SERIES_HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")

#: The word a finding's severity shows as; the colour beside it.
SEVERITY_WORDS = {"error": "ERROR", "warning": "warning", "note": "note"}
SEVERITY_COLOURS = {"error": "#D55E00", "warning": "#E69F00", "note": "#0072B2"}


def rag_name(value: object) -> str | None:
    """The rating a cell's text names ("red" -> "Red"), or None."""
    if not isinstance(value, str):
        return None
    word = value.strip().capitalize()
    return word if word in RAG_COLOURS else None


def mark(finding: Finding) -> str:
    """The word a finding is shown with: its own ``mark`` ("rounding",
    "not made") or its severity's."""
    return finding.mark or SEVERITY_WORDS[finding.severity]


def unit_name(unit: str) -> str:
    """A unit as a heading says it: "p" is "pence"."""
    return "pence" if unit == "p" else unit


def header(column: Column) -> str:
    """A column's heading with its unit: "Budget (£000)"."""
    if column.kind == "money" and column.unit and f"({column.unit})" not in column.label:
        return f"{column.label} ({unit_name(column.unit)})"
    return column.label


def is_figure(column: Column) -> bool:
    """True for a column of figures (right-aligned)."""
    return column.kind in FIGURE_KINDS


def _money_decimals(unit: str, values: list[int]) -> int:
    """Digits after the point that show every one of ``values`` exactly."""
    per, most = per_unit(unit), 0
    for value in values:
        step, decimals = per, 0
        while value % step and step > 1:
            step //= 10
            decimals += 1
        most = max(most, decimals)
    return most


def _percent_decimals(values: list[Decimal | int | float]) -> int:
    most = 0
    for v in values:
        if isinstance(v, Decimal):
            exponent = v.as_tuple().exponent
            if isinstance(exponent, int):
                most = max(most, -exponent)
        elif isinstance(v, float):
            most = max(most, 2)
    return most


class Formatter:
    """The text of every cell of one table, with each column's decimals
    fixed once (as its finest figure needs, unless the column says)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.decimals: list[int] = []
        for i, c in enumerate(table.columns):
            if c.decimals is not None:
                self.decimals.append(c.decimals)
                continue
            values = [r.values[i] for r in table.rows if r.values[i] is not None]
            if c.kind == "money" and c.unit:
                ints = [int(v) for v in values if isinstance(v, int)]
                self.decimals.append(_money_decimals(c.unit, ints))
            elif c.kind in ("percent", "number"):
                nums = [v for v in values if isinstance(v, (int, float, Decimal))]
                self.decimals.append(_percent_decimals(nums))
            else:
                self.decimals.append(0)

    def cell(self, i: int, value: CellValue) -> str:
        """The text of ``value`` in column ``i``."""
        column = self.table.columns[i]
        if value is None:
            return ""
        if isinstance(value, str) or column.kind in ("text", "date", "rag"):
            return str(value)
        signed = column.role == "difference"
        negatives = self.table.negatives
        decimals = self.decimals[i]
        if column.kind == "money" and column.unit:
            return money(int(value), column.unit, decimals, negatives, signed=signed)
        if column.kind == "percent":
            return _signed(f"{abs(Decimal(value)):,.{decimals}f}%",
                           Decimal(value), negatives, signed)
        if column.kind == "count" or isinstance(value, int):
            return _signed(f"{abs(int(value)):,}", int(value), negatives, signed)
        return _signed(f"{abs(Decimal(str(value))):,.{decimals}f}",
                       Decimal(str(value)), negatives, signed)

    def row(self, values: tuple[CellValue, ...]) -> list[str]:
        return [self.cell(i, v) for i, v in enumerate(values)]


def _signed(text: str, value: Decimal | int, negatives: str, signed: bool) -> str:
    if value < 0:
        return f"({text})" if negatives == "brackets" else f"-{text}"
    if signed and value > 0:
        return f"+{text}"
    return text


def money(pence: int, unit: str, decimals: int, negatives: str = "brackets",
          *, signed: bool = False) -> str:
    """``pence`` in ``unit`` by the core: "£472,512.00" in "£" (the symbol
    shown, as the text around it shows pounds), "(616)" in "£000" (the
    heading carries the unit); ``signed`` puts "+" before a positive."""
    symbol = unit == "£"
    text = str(_core.format_money(pence, unit, decimals, negatives, symbol, True))
    return "+" + text if signed and pence > 0 else text
