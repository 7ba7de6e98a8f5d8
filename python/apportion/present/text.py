"""A :class:`~apportion.present.model.View` as plain text for a terminal.

The layout: the title, the source, the paragraphs and assumptions one to a
line, each table (its title, headings, a rule, the rows with figures
right-aligned, a rule above each total row, then its caption and notes),
each chart named with its source, and last the findings, each a mark
("ERROR", "warning", "rounding"), where it is, and its message on the next
line.

>>> from apportion.present import Column, Row, Table
>>> t = Table("Budget", (Column("item", "Item"),
...                      Column("b", "Budget", "money", "£000")),
...           (Row(("Staff", 61_600_000)), Row(("Income", -27_000_000)),
...            Row(("Total", 34_600_000), kind="total")), source="the paper")
>>> print(table_text(t))
Budget
  Item    Budget (£000)
  ------  -------------
  Staff            616
  Income          (270)
  ------  -------------
  Total            346
  Source: the paper. Figures in £000; negatives in brackets.
"""

from __future__ import annotations

from ._format import Formatter, header, is_figure, mark
from .model import Chart, Finding, Table, View

__all__ = ["findings_text", "table_text", "view_text"]

#: The indent of a table's lines and of a finding's mark.
INDENT = "  "
#: The indent of a finding's message, under its "where".
MESSAGE_INDENT = " " * 11


def table_text(table: Table) -> str:
    """One table as aligned text (see the module's example)."""
    return "\n".join(_table_lines(table))


def _table_lines(table: Table) -> list[str]:
    fmt = Formatter(table)
    heads = [header(c) for c in table.columns]
    body = [fmt.row(r.values) for r in table.rows]
    # Figures line up on their last digit: where a column brackets a
    # negative, the others leave the bracket's place blank.
    for i, c in enumerate(table.columns):
        if is_figure(c) and any(b[i].endswith(")") for b in body):
            for b in body:
                if b[i] and not b[i].endswith(")"):
                    b[i] += " "
    widths = [max([len(h), *(len(b[i]) for b in body)])
              for i, h in enumerate(heads)]
    right = [is_figure(c) for c in table.columns]

    def line(cells: list[str]) -> str:
        texts = [c.rjust(w) if r else c.ljust(w)
                 for c, w, r in zip(cells, widths, right)]
        return (INDENT + "  ".join(texts)).rstrip()

    rule = INDENT + "  ".join("-" * w for w in widths)
    out = [table.title] if table.title else []
    out += [line(heads), rule]
    for row, cells in zip(table.rows, body):
        if row.kind in ("total", "subtotal") and out[-1] != rule:
            out.append(rule)
        out.append(line(cells))
        if row.note:
            out.append(f"{INDENT}    {row.note}")
    caption = table.caption()
    if caption:
        out.append(INDENT + caption)
    out += [INDENT + note for note in table.notes]
    return out


def _chart_lines(chart: Chart) -> list[str]:
    """A chart in a terminal: its title and what it plots."""
    names = ", ".join(s.name for s in chart.series)
    unit = f" in {chart.unit}" if chart.unit else ""
    out = [f"Chart: {chart.title} ({names}{unit}, "
           f"{len(chart.categories)} points)"]
    if chart.source:
        out.append(f"{INDENT}Source: {chart.source}")
    return out


def finding_lines(finding: Finding) -> list[str]:
    """One finding: "  ERROR    where" and its message under it."""
    word = f"{mark(finding):<8}"
    if not finding.where:
        return [f"{INDENT}{word} {finding.message}"]
    return [f"{INDENT}{word} {finding.where}", MESSAGE_INDENT + finding.message]


def findings_text(view: View) -> str:
    """The findings of ``view`` without its heading: the summary sentence,
    then each finding."""
    out = [view.findings_summary] if view.findings_summary else []
    for f in view.findings:
        out += finding_lines(f)
    return "\n".join(out)


def view_text(view: View) -> str:
    """The whole view as text."""
    out = [view.title]
    if view.source:
        out.append(f"Source: {view.source}")
    out += list(view.paragraphs)
    out += [f"Assumption: {a}" for a in view.assumptions]
    for table in view.tables:
        out += ["", *_table_lines(table)]
    for chart in view.charts:
        out += ["", *_chart_lines(chart)]
    if view.findings or view.findings_summary:
        if view.findings_title:
            out += ["", view.findings_title]
        body = findings_text(view)
        if body:
            out.append(body)
    return "\n".join(out)
