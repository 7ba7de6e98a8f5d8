"""A :class:`~apportion.present.model.Chart` drawn by matplotlib's object
API: :func:`chart_figure` makes a :class:`matplotlib.figure.Figure` of its
own and :func:`chart_svg` writes it as inline SVG.

Nothing here imports ``matplotlib.pyplot`` or calls ``matplotlib.use``: the
user's backend and pyplot's figures are never touched.  The Figure
:func:`chart_figure` returns is a :class:`ChartFigure`, a Figure that also
shows itself in Jupyter (``_repr_png_``), since a Figure made without
pyplot has no display of its own there until pyplot has been imported.

Series have colours from Okabe and Ito's palette for colour-blind readers,
and each also a marker (lines) or hatch (bars); RAG ratings have their own
colour, marker and hatch and are named in the legend, so no series and no
rating is told by colour alone.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from decimal import Decimal
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._format import (
    RAG_COLOURS,
    RAG_HATCHES,
    RAG_MARKERS,
    SERIES_COLOURS,
    SERIES_HATCHES,
    SERIES_LINES,
    SERIES_MARKERS,
    rag_name,
)
from .model import Chart, Series

__all__ = ["ChartFigure", "chart_figure", "chart_png", "chart_svg"]

#: Inches: wide enough for a dozen categories and a legend beside.
SIZE = (7.5, 4.2)


class ChartFigure(Figure):
    """A matplotlib Figure that Jupyter shows inline by itself (as PNG)
    whatever backend is in use, without pyplot."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        FigureCanvasAgg(self).print_png(buf)
        return buf.getvalue()


def _number(v: float | int | Decimal | None) -> float:
    return float("nan") if v is None else float(v)


def _rag_legend(names: list[str], *, bars: bool) -> list[Any]:
    handles: list[Any] = []
    for n in ("Green", "Amber", "Red"):
        if n not in names:
            continue
        if bars:
            handles.append(Patch(facecolor=RAG_COLOURS[n], edgecolor="black",
                                 hatch=RAG_HATCHES[n], label=n))
        else:
            handles.append(Line2D([], [], linestyle="", marker=RAG_MARKERS[n],
                                  markersize=9, markerfacecolor=RAG_COLOURS[n],
                                  markeredgecolor="black", label=n))
    return handles


def _ratings(series: Series) -> list[str | None]:
    if series.rag is None:
        return [None] * len(series.values)
    return [rag_name(r) for r in series.rag]


def _draw_bars(ax: Any, chart: Chart) -> list[Any]:
    n = max(len(chart.series), 1)
    width = 0.8 / n
    handles: list[Any] = []
    rated: list[str] = []
    for k, s in enumerate(chart.series):
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(chart.categories))]
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        ratings = _ratings(s)
        for x, v, r in zip(xs, s.values, ratings):
            if v is None:
                continue
            ax.bar(x, float(v), width,
                   color=RAG_COLOURS[r] if r else colour,
                   hatch=RAG_HATCHES[r] if r else SERIES_HATCHES[k % len(SERIES_HATCHES)],
                   edgecolor="black", linewidth=0.6)
            if r and r not in rated:
                rated.append(r)
        if not all(ratings) or n > 1:
            handles.append(Patch(facecolor=colour, edgecolor="black",
                                 hatch=SERIES_HATCHES[k % len(SERIES_HATCHES)],
                                 label=s.name))
    return handles + _rag_legend(rated, bars=True)


def _draw_lines(ax: Any, chart: Chart) -> list[Any]:
    xs = list(range(len(chart.categories)))
    by_name = {s.name: s for s in chart.series}
    handles: list[Any] = []
    if chart.band and all(b in by_name for b in chart.band):
        low, high = (by_name[b] for b in chart.band)
        handles.append(ax.fill_between(
            xs, [_number(v) for v in low.values], [_number(v) for v in high.values],
            color="#56B4E9", alpha=0.3, hatch="..", edgecolor="#0072B2",
            linewidth=0, label=f"{low.name} to {high.name}"))
    drawn = [s for s in chart.series if not chart.band or s.name not in chart.band]
    rated: list[str] = []
    for k, s in enumerate(drawn):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        (line,) = ax.plot(xs, [_number(v) for v in s.values], color=colour,
                          linestyle=SERIES_LINES[k % len(SERIES_LINES)],
                          marker=SERIES_MARKERS[k % len(SERIES_MARKERS)],
                          markersize=5, label=s.name)
        handles.insert(len(handles) - (1 if chart.band else 0), line)
        for x, v, r in zip(xs, s.values, _ratings(s)):
            if r and v is not None:
                ax.plot([x], [float(v)], linestyle="", marker=RAG_MARKERS[r],
                        markersize=10, markerfacecolor=RAG_COLOURS[r],
                        markeredgecolor="black", zorder=3)
                if r not in rated:
                    rated.append(r)
    return handles + _rag_legend(rated, bars=False)


def _draw_rag(ax: Any, chart: Chart) -> list[Any]:
    xs = list(range(len(chart.categories)))
    handles: list[Any] = []
    rated: list[str] = []
    for k, s in enumerate(chart.series):
        values = [_number(v) for v in s.values]
        (line,) = ax.plot(xs, values, color="#555555",
                          linestyle=SERIES_LINES[k % len(SERIES_LINES)],
                          linewidth=1, label=s.name, zorder=1)
        handles.append(line)
        for x, v, r in zip(xs, s.values, _ratings(s)):
            if v is None:
                continue
            if r is None:
                ax.plot([x], [float(v)], linestyle="", marker="s", markersize=7,
                        markerfacecolor="white", markeredgecolor="black", zorder=2)
                continue
            ax.plot([x], [float(v)], linestyle="", marker=RAG_MARKERS[r],
                    markersize=11, markerfacecolor=RAG_COLOURS[r],
                    markeredgecolor="black", zorder=3)
            if r not in rated:
                rated.append(r)
    return handles + _rag_legend(rated, bars=False)


def chart_figure(chart: Chart) -> Figure:
    """A new Figure (a :class:`ChartFigure`) with ``chart`` drawn on it:
    its title wrapped to fit, the unit on the value axis, the categories
    along the bottom, a legend naming every series, band, target and
    rating, and the source under it.  No pyplot state is made or used."""
    fig = ChartFigure(figsize=SIZE, layout="constrained")
    ax = fig.add_subplot()
    draw = {"bar": _draw_bars, "line": _draw_lines, "rag": _draw_rag}[chart.kind]
    handles = draw(ax, chart)
    for k, (label, value) in enumerate(chart.targets):
        handles.append(ax.axhline(float(value), color="black",
                                  linestyle=(":", "--")[k % 2], linewidth=1.2,
                                  label=label))
    ax.set_xticks(range(len(chart.categories)))
    rotate = len(chart.categories) > 8 or max(
        (len(c) for c in chart.categories), default=0) > 10
    ax.set_xticklabels(list(chart.categories), rotation=45 if rotate else 0,
                       ha="right" if rotate else "center")
    if chart.unit:
        ax.set_ylabel(chart.unit)
    ax.set_title("\n".join(textwrap.wrap(chart.title, 60)) or " ", loc="left",
                 fontsize=11)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False, fontsize=9)
    if chart.source:
        fig.supxlabel("\n".join(textwrap.wrap(f"Source: {chart.source}", 100)),
                      fontsize=8, x=0.01, ha="left")
    return fig


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def chart_svg(chart: Chart) -> str:
    """``chart`` as SVG text to put inline in HTML: no XML prologue, no
    metadata, nothing fetched from elsewhere; text kept as text (readable,
    searchable), with the chart's title as the SVG's ``<title>``."""
    fig = chart_figure(chart)
    salt = hashlib.sha256(repr(chart).encode()).hexdigest()[:12]
    buf = io.StringIO()
    with rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None, "Creator": None,
                                                      "Format": None, "Type": None})
    svg = _METADATA.sub("", _PROLOGUE.sub("", buf.getvalue(), count=1), count=1)
    from html import escape

    title = f"<title>{escape(chart.title)}</title>"
    head_end = svg.index(">") + 1
    svg = svg[:head_end] + title + svg[head_end:]
    return svg.replace("<svg ", '<svg role="img" ', 1).strip()


def chart_png(chart: Chart, *, dpi: int = 150) -> bytes:
    """``chart`` as PNG bytes (for a file or a spreadsheet), drawn by Agg
    on its own canvas."""
    fig = chart_figure(chart)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
