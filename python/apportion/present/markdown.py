"""A :class:`~apportion.present.model.View` as Markdown (GitHub's pipe
tables): headings, paragraphs, each table with its figures right-aligned
and its totals row in bold, its caption in italics under it, and the
findings as a list.  Ratings show their glyph and word.

>>> from apportion.present import Column, Row, Table
>>> t = Table("Budget", (Column("item", "Item"),
...                      Column("b", "Budget", "money", "£000")),
...           (Row(("Staff", 61_600_000)), Row(("Total", 61_600_000), kind="total")))
>>> print(table_markdown(t))
**Budget**
<BLANKLINE>
| Item | Budget (£000) |
| :--- | ---: |
| Staff | 616 |
| **Total** | **616** |
<BLANKLINE>
*Figures in £000; negatives in brackets.*
"""

from __future__ import annotations

import re

from ._format import RAG_SYMBOLS, Formatter, header, is_figure, mark, rag_name
from .model import Chart, Table, View

__all__ = ["escape_markdown", "table_markdown", "view_markdown"]

#: Markdown's own characters, and "$" and "~" (math and strikethrough in
#: Jupyter's and GitHub's Markdown): escaped wherever text is written.
_SPECIAL = re.compile(r"([\\`*_\[\]|#<>$~])")


def escape_markdown(text: str) -> str:
    """``text`` with Markdown's special characters escaped, so a label such
    as "gross_outturn" or "A|B" reads as written."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _cell(text: str, rag: bool) -> str:
    name = rag_name(text) if rag else None
    shown = escape_markdown(text)
    return f"{RAG_SYMBOLS[name]} {shown}" if name else shown


def table_markdown(table: Table) -> str:
    """One table as a pipe table with its title, caption and notes."""
    fmt = Formatter(table)
    out = [f"**{escape_markdown(table.title)}**", ""] if table.title else []
    out.append("| " + " | ".join(escape_markdown(header(c)) for c in table.columns) + " |")
    out.append("| " + " | ".join("---:" if is_figure(c) else ":---"
                                 for c in table.columns) + " |")
    for row in table.rows:
        cells = [_cell(t, c.kind == "rag") for c, t in zip(table.columns, fmt.row(row.values))]
        if row.kind in ("total", "subtotal"):
            cells = [f"**{c}**" if c else "" for c in cells]
        out.append("| " + " | ".join(cells) + " |")
        if row.note:
            out.append("| " + " | ".join([f"*{escape_markdown(row.note)}*"]
                                         + [""] * (len(table.columns) - 1)) + " |")
    notes = [n for n in (table.caption(), *table.notes) if n]
    if notes:
        out.append("")
        out += [f"*{escape_markdown(n)}*" for n in notes]
    if any(c.kind == "rag" for c in table.columns):
        out += ["", "Key: " + ", ".join(f"{RAG_SYMBOLS[n]} {n}"
                                        for n in ("Green", "Amber", "Red"))]
    return "\n".join(out)


def _chart_markdown(chart: Chart) -> str:
    names = ", ".join(s.name for s in chart.series)
    unit = f" in {chart.unit}" if chart.unit else ""
    source = f" Source: {chart.source}." if chart.source else ""
    return escape_markdown(f"Chart: {chart.title} ({names}{unit}).{source}")


def view_markdown(view: View, *, level: int = 3) -> str:
    """The whole view as Markdown, its title a heading of ``level``."""
    hashes = "#" * level
    out = [f"{hashes} {escape_markdown(view.title)}"]
    if view.source:
        out += ["", f"*Source: {escape_markdown(view.source)}*"]
    for p in view.paragraphs:
        out += ["", escape_markdown(p)]
    if view.assumptions:
        out.append("")
        out += [f"- Assumption: {escape_markdown(a)}" for a in view.assumptions]
    for t in view.tables:
        out += ["", table_markdown(t)]
    for c in view.charts:
        out += ["", _chart_markdown(c)]
    if view.findings or view.findings_summary:
        if view.findings_title:
            out += ["", f"{hashes}# {escape_markdown(view.findings_title)}"]
        if view.findings_summary:
            out += ["", escape_markdown(view.findings_summary)]
        if view.findings:
            out.append("")
            for f in view.findings:
                where = f"{escape_markdown(f.where)}: " if f.where else ""
                out.append(f"- **{escape_markdown(mark(f))}** {where}"
                           f"{escape_markdown(f.message)}")
    return "\n".join(out)
