"""A :class:`~apportion.present.model.View` as an HTML fragment.

The fragment is self-contained: no script, no link, no image fetched from
anywhere (charts are inline SVG), every text escaped.  It has no
``<style>`` element (a notebook's sanitiser may drop one, and its rules
would reach the whole page): the few styles a reader needs (figures
right-aligned in tabular digits, the totals row bold under a rule, the RAG
colours) are ``style`` attributes, and without any style the view still
reads (a rating keeps its word and its glyph's shape).  The same elements
carry classes (``apportion-view``, ``ap-num``, ``ap-total``,
``ap-rag-red``...) that :data:`STYLESHEET` styles further for a page of
its own, such as the committee pack.

>>> from apportion.present import Column, Row, Table
>>> t = Table("Budget", (Column("item", "Item"),
...                      Column("b", "Budget", "money", "£000")),
...           (Row(("Staff", 61_600_000)), Row(("Total", 61_600_000), kind="total")))
>>> "text-align:right" in table_html(t) and "ap-total" in table_html(t)
True
"""

from __future__ import annotations

from html import escape

from ._format import (
    RAG_COLOURS,
    RAG_SYMBOLS,
    SEVERITY_COLOURS,
    Formatter,
    header,
    is_figure,
    mark,
    rag_name,
)
from .model import Chart, Table, View

__all__ = ["STYLESHEET", "findings_html", "rag_key_html", "table_html",
           "view_html"]

#: The CSS of a page of views (the committee pack); a notebook view needs
#: none of it, having its essentials inline.  Every rule is scoped under
#: ``.apportion-view`` so it styles nothing else on the page.
STYLESHEET = """\
.apportion-view { font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; line-height: 1.4; }
.apportion-view h2, .apportion-view h3, .apportion-view h4,
.apportion-view h5 { margin: 1em 0 0.4em; }
.apportion-view table { border-collapse: collapse; margin: 0.4em 0;
  font-size: 0.95em; }
.apportion-view caption { text-align: left; font-weight: bold;
  padding-bottom: 0.3em; }
.apportion-view th, .apportion-view td { padding: 0.2em 0.6em;
  vertical-align: top; }
.apportion-view thead th { border-bottom: 1px solid #1a1a1a;
  text-align: left; }
.apportion-view th.ap-num, .apportion-view td.ap-num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.apportion-view tr.ap-total td, .apportion-view tr.ap-subtotal td {
  font-weight: bold; border-top: 1px solid #1a1a1a; }
.apportion-view tr.ap-total td { border-bottom: 3px double #1a1a1a; }
.apportion-view tr.ap-row-note td { font-style: italic; color: #444; }
.apportion-view .ap-caption, .apportion-view .ap-source,
.apportion-view .ap-key { font-size: 0.85em; color: #444; margin: 0.2em 0; }
.apportion-view .ap-rag-red .ap-glyph { color: #D55E00; }
.apportion-view .ap-rag-amber .ap-glyph { color: #E69F00; }
.apportion-view .ap-rag-green .ap-glyph { color: #009E73; }
.apportion-view figure.ap-chart { margin: 0.6em 0; }
.apportion-view figure.ap-chart svg { max-width: 100%; height: auto; }
.apportion-view .ap-findings td { border-top: 1px solid #ccc; }
@media print {
  .apportion-view table, .apportion-view figure.ap-chart {
    page-break-inside: avoid; }
}
"""

_TABLE_STYLE = "border-collapse:collapse;margin:0.4em 0"
_CELL = "padding:0.2em 0.6em;vertical-align:top"
_NUM = "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
_HEAD = "border-bottom:1px solid currentColor"
_TOTAL = "font-weight:bold;border-top:1px solid currentColor"
_SMALL = "font-size:0.85em;margin:0.2em 0"


def _attrs(classes: list[str], styles: list[str]) -> str:
    out = f' class="{" ".join(classes)}"' if classes else ""
    style = ";".join(s for s in styles if s)
    return out + (f' style="{style}"' if style else "")


def rag_html(word: str) -> str:
    """A rating as its glyph (in the rating's colour) and its word."""
    name = rag_name(word)
    if name is None:
        return escape(word)
    return (f'<span class="ap-glyph" aria-hidden="true" '
            f'style="color:{RAG_COLOURS[name]}">{RAG_SYMBOLS[name]}</span> '
            f"{escape(word)}")


def rag_key_html() -> str:
    """The key to the RAG ratings: each glyph, colour and word."""
    items = " ".join(f'<span class="ap-rag-{n.lower()}">{rag_html(n)}</span>'
                     for n in ("Green", "Amber", "Red"))
    return f'<p class="ap-key" style="{_SMALL}">Key: {items}</p>'


def table_html(table: Table) -> str:
    """One table: a ``<table>`` with its title as the caption, then its
    source, units, negative convention and notes, and a RAG key when it
    rates."""
    fmt = Formatter(table)
    figures = [is_figure(c) for c in table.columns]
    head = "".join(
        f'<th scope="col"'
        f'{_attrs(["ap-num"] if fig else [], [_CELL, _HEAD, _NUM if fig else "text-align:left"])}>'
        f"{escape(header(c))}</th>"
        for c, fig in zip(table.columns, figures))
    rows = []
    for row in table.rows:
        total = row.kind in ("total", "subtotal")
        cells = []
        for i, (c, text) in enumerate(zip(table.columns, fmt.row(row.values))):
            classes = ["ap-num"] if figures[i] else []
            name = rag_name(text) if c.kind == "rag" else None
            if name is not None:
                classes.append(f"ap-rag-{name.lower()}")
                content = rag_html(text)
            else:
                content = escape(text)
            tag = "th" if i == 0 and total else "td"
            styles = [_CELL, _NUM if figures[i] else "text-align:left" if tag == "th" else "",
                      _TOTAL if total else ""]
            scope = ' scope="row"' if tag == "th" else ""
            cells.append(f"<{tag}{scope}{_attrs(classes, styles)}>{content}</{tag}>")
        kind = [f"ap-{row.kind}"] if row.kind != "line" else []
        rows.append(f"<tr{_attrs(kind, [])}>{''.join(cells)}</tr>")
        if row.note:
            rows.append(f'<tr class="ap-row-note"><td colspan="{len(table.columns)}" '
                        f'style="{_CELL};font-style:italic">{escape(row.note)}</td></tr>')
    anchor = f' id="{escape(table.name)}"' if table.name else ""
    caption = (f'<caption style="text-align:left;font-weight:bold">'
               f"{escape(table.title)}</caption>" if table.title else "")
    parts = [f'<div class="ap-table"{anchor}>',
             f'<table style="{_TABLE_STYLE}">{caption}<thead><tr>{head}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>"]
    notes = [table.caption(), *table.notes]
    parts += [f'<p class="ap-caption" style="{_SMALL}">{escape(n)}</p>'
              for n in notes if n]
    if any(c.kind == "rag" for c in table.columns):
        parts.append(rag_key_html())
    parts.append("</div>")
    return "\n".join(parts)


def findings_html(view: View) -> str:
    """The findings of ``view`` without their heading: the summary, then a
    table of each finding's mark (word and colour), place and message."""
    parts = ['<div class="ap-findings">']
    if view.findings_summary:
        parts.append(f"<p>{escape(view.findings_summary)}</p>")
    if view.findings:
        rows = []
        for f in view.findings:
            colour = SEVERITY_COLOURS[f.severity]
            glyph = {"error": "\u25b2", "warning": "\u25c6", "note": "\u25cf"}[f.severity]
            rows.append(
                f'<tr class="ap-{f.severity}"><td style="{_CELL};white-space:nowrap">'
                f'<span class="ap-glyph" aria-hidden="true" style="color:{colour}">'
                f"{glyph}</span> {escape(mark(f))}</td>"
                f'<td style="{_CELL}">{escape(f.where)}</td>'
                f'<td style="{_CELL}">{escape(f.message)}</td></tr>')
        parts.append(
            f'<table style="{_TABLE_STYLE}"><thead><tr>'
            + "".join(f'<th scope="col" style="{_CELL};{_HEAD};text-align:left">{h}</th>'
                      for h in ("Finding", "Where", "What"))
            + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    parts.append("</div>")
    return "\n".join(parts)


def chart_html(chart: Chart) -> str:
    """A chart as inline SVG in a ``<figure>`` with its title and source;
    without matplotlib (the ``plot`` extra), its title and a word why."""
    try:
        from .charts import chart_svg

        drawing = chart_svg(chart)
    except ImportError:
        drawing = ("<p>(The chart needs matplotlib: pip install "
                   "'apportion[plot]'.)</p>")
    caption = escape(chart.title + (f". Source: {chart.source}." if chart.source else ""))
    return (f'<figure class="ap-chart" style="margin:0.6em 0">{drawing}'
            f'<figcaption style="{_SMALL}">{caption}</figcaption></figure>')


def view_html(view: View, *, level: int = 3) -> str:
    """The whole view as an HTML fragment (no ``<html>``): its title as an
    ``<h{level}>``, paragraphs, tables, charts and findings, in a
    ``<div class="apportion-view">`` that Jupyter's TeX typesetting
    leaves alone (a "$" is text here)."""
    if not 1 <= level <= 5:
        raise ValueError(f"level must be 1 to 5 (a heading and its "
                         f"subheadings), not {level}")
    sub = level + 1
    # tex2jax_ignore and mathjax_ignore: Jupyter typesets TeX in HTML
    # output, and "$.basis.values" or two "£" amounts with "$" must stay text.
    parts = ['<div class="apportion-view tex2jax_ignore mathjax_ignore">',
             f"<h{level}>{escape(view.title)}</h{level}>"]
    if view.source:
        parts.append(f'<p class="ap-source" style="{_SMALL}">Source: {escape(view.source)}</p>')
    parts += [f"<p>{escape(p)}</p>" for p in view.paragraphs]
    if view.assumptions:
        parts.append("<ul class=\"ap-assumptions\">"
                     + "".join(f"<li>Assumption: {escape(a)}</li>" for a in view.assumptions)
                     + "</ul>")
    parts += [table_html(t) for t in view.tables]
    parts += [chart_html(c) for c in view.charts]
    if view.findings or view.findings_summary:
        if view.findings_title:
            parts.append(f"<h{sub}>{escape(view.findings_title)}</h{sub}>")
        parts.append(findings_html(view))
    parts.append("</div>")
    return "\n".join(parts)
