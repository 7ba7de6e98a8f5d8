"""The store's history on a page: a KPI's trend and the escalation history
as :class:`~apportion.present.model.View` objects, so they read the same in
a terminal, a notebook, a spreadsheet and the committee pack as every
other result does.

:meth:`StoreViews.trend_view`, :meth:`StoreViews.escalations_view` and
:meth:`StoreViews.history_view` each return a :class:`StoredView`: a
:class:`~apportion.present.mixin.Presentable` (``to_text()``,
``to_markdown()``, ``to_excel(path)``, Jupyter's HTML) whose ``view()`` is
the View and whose ``to_frame()`` is the DataFrame it was made from.
Nothing is computed here: values, ratings, directions and escalation
states are the store's (:meth:`~apportion.store.Store.history` and
:meth:`~apportion.store.Store.escalations`); this module lays them out.

>>> import apportion, apportion.store
>>> import pandas as pd
>>> kpi = apportion.KPI("IASS2", target=90, warn=False,
...                     bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
>>> values = pd.DataFrame({"kpi": "IASS2", "period": ["2021-04", "2021-05"],
...                        "numerator": [19, 15], "denominator": [20, 20]})
>>> with apportion.store.open("sqlite://") as s:
...     _ = apportion.scorecard(kpi, values, store=s)
...     trend = s.trend_view("IASS2")
>>> print(trend.to_text().splitlines()[0])
IASS2: trend from 2021-04 to 2021-05
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from ..errors import StoreError
from ..present.mixin import Presentable
from ..present.model import Chart, Column, Finding, Row, Series, Table, View
from ._base import StoreBase

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StoreViews", "StoredView"]

#: Escalation states as a page names them.
STATE_NAMES = {"none": "none", "out_of_tolerance": "out of tolerance",
               "performance_failure": "Performance Failure",
               "rectification_plan": "Rectification Plan",
               "no_data": "no data"}
#: The states a committee is told of, as findings.
_ESCALATED = ("performance_failure", "rectification_plan")


class StoredView(Presentable):
    """A view of the store's history: ``view()`` is its
    :class:`~apportion.present.model.View` (text, HTML, Markdown and Excel
    through the presentation layer), ``to_frame()`` a copy of the
    DataFrame it shows."""

    def __init__(self, view: View, frame: pd.DataFrame) -> None:
        self._view = view
        self._frame = frame

    def __repr__(self) -> str:
        return f"StoredView({self._view.title!r}, {len(self._frame)} rows)"

    def view(self) -> View:
        """The View: title, paragraphs, tables, charts, findings."""
        return self._view

    def to_frame(self) -> pd.DataFrame:
        """A copy of the rows the view shows, as the store read them."""
        return self._frame.copy()

    def to_html(self, *, full: bool = False) -> str:
        """The view as an HTML fragment, or with ``full`` a whole
        self-contained page (the stylesheet inline, nothing fetched)."""
        from ..present.html import view_html
        from ..scorecard import _page

        body = view_html(self._view)
        return _page(self._view.title, body) if full else body


# ---- cells ------------------------------------------------------------------


def _missing(x: object) -> bool:
    from ..scorecard import _missing as missing
    return missing(x)


def _text(x: object) -> str:
    return "" if _missing(x) else str(x)


def _int(x: object) -> int | None:
    return None if _missing(x) else int(x)  # type: ignore[call-overload]


def _decimal(x: Fraction) -> Decimal:
    from ..scorecard import _decimal as decimal
    return decimal(x)


def _exact(row: Any) -> Fraction | None:
    """A stored result's value, exactly: a rate from its numerator and
    denominator (in percent), else its stored exact value."""
    num, den = _int(row["numerator"]), _int(row["denominator"])
    if num is not None and den is not None:
        return None if den == 0 else Fraction(100 * num, den)
    exact = row.get("value_exact")
    return exact if isinstance(exact, Fraction) else None


def _rag(x: object) -> str | None:
    text = _text(x)
    return text.capitalize() if text else None


def _period_key(period: Any) -> tuple[Any, str]:
    """A period's place in time: its first day, then its frequency."""
    start = getattr(period, "start_time", None)
    return (start if start is not None else str(period),
            str(getattr(period, "freqstr", "")))


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _show(x: Fraction) -> str:
    from ..kpi import _show as show
    return show(x)


def _at(x: object) -> str | None:
    """An import's UTC time as "2026-12-08 01:02 UTC"."""
    if _missing(x):
        return None
    stamp: Any = x
    return f"{stamp:%Y-%m-%d %H:%M} UTC"


# ---- the band definition in force ----------------------------------------------


def _definition(text: object) -> dict[str, Any]:
    try:
        loaded = json.loads(str(text))
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _band_lines(definition: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    """Reference lines for a chart: each finite edge between two bands,
    named by the ratings it separates ("Amber | Green at 90%"; an outer end
    such as Green's 100% is left out), and the target when it is not an
    edge."""
    unit = "%" if definition.get("unit") == "%" else ""
    edges: dict[Fraction, list[str]] = {}
    for band in definition.get("bands") or ():
        for side in ("lower", "upper"):
            end = band.get(side)
            if end is None:
                continue
            edges.setdefault(Fraction(*end), []).append(str(band["rag"]).capitalize())
    lines: list[tuple[str, float]] = []
    target = definition.get("target")
    ordered = sorted(edges)
    for value in ordered:
        names = list(dict.fromkeys(edges[value]))
        if len(names) < 2 and value in (ordered[0], ordered[-1]):
            continue  # an outer end (0%, 100%), not a boundary between bands
        at_target = target is not None and Fraction(*target) == value
        lines.append((f"{' | '.join(names)} at {_show(value)}{unit}"
                      + (" (the target)" if at_target else ""), float(value)))
    if target is not None and Fraction(*target) not in edges:
        lines.append((f"Target {_show(Fraction(*target))}{unit}",
                      float(Fraction(*target))))
    return tuple(lines)


def _bands_words(definition: dict[str, Any]) -> str:
    """The bands in force in words: the council's wording when stored,
    else each band's range."""
    if definition.get("states"):
        return "; ".join(f"{label} = {str(rag).capitalize()}"
                         for label, rag in definition["states"].items())
    if definition.get("text"):
        return str(definition["text"])
    from ..kpi import RAG, Band, _band_words
    unit = str(definition.get("unit", ""))
    parts = []
    for b in definition.get("bands") or ():
        band = Band(RAG(b["rag"]),
                    None if b["lower"] is None else Fraction(*b["lower"]),
                    bool(b["lower_inclusive"]),
                    None if b["upper"] is None else Fraction(*b["upper"]),
                    bool(b["upper_inclusive"]))
        parts.append(f"{band.rag.value.capitalize()}: {_band_words(band, unit)}")
    return "; ".join(parts)


def _rule_words(failure_after: int, rectification_after: int) -> str:
    return (f"Performance Failure after {_plural(failure_after, 'Red period')} in "
            f"a row; a Rectification Plan when still Red "
            f"{_plural(rectification_after, 'period')} later")


# ---- the mixin ------------------------------------------------------------------


class StoreViews(StoreBase):
    """The store's history as views (a mixin of
    :class:`~apportion.store.Store`): :meth:`trend_view`,
    :meth:`escalations_view` and :meth:`history_view`."""

    if TYPE_CHECKING:
        def history(self, kpi: str | None = None, group: str | None = None,
                    since: object = None, until: object = None, *,
                    superseded: bool = False) -> pd.DataFrame: ...

        def escalations(self, kpi: str | None = None,
                        group: str | None = None) -> pd.DataFrame: ...

        def _derived(self, kpis: Iterable[str] | None,
                     group: str | None) -> pd.DataFrame: ...

    def _views_none(self, kpi: str | None, group: str | None) -> StoreError:
        what = "results" if kpi is None else f"results of KPI {kpi}"
        if group is not None:
            what += f" for group {group!r}"
        known = sorted(set(self.history()["kpi"]))
        has = (f"; it has results of {', '.join(known)}" if known
               else "; it has no KPI results yet")
        return StoreError(f"{self.url}: table kpi_results has no {what}{has}")

    def _views_rows(self, kpi: str | None, group: str | None) -> pd.DataFrame:
        """The current history of ``kpi`` (and ``group``) with the store's
        direction, escalation and consecutive Red run of each period."""
        # One read, so the results and what is derived from them agree even
        # while an import goes on.
        frame = self._derived(None if kpi is None else [kpi], group)
        if frame.empty:
            raise self._views_none(kpi, group)
        return frame

    # ---- the trend of one KPI ---------------------------------------------

    def trend_view(self, kpi: str, group: str | None = None) -> StoredView:
        """One KPI's stored results over time: a line chart of its value by
        period (a line per group; each point's RAG by colour, marker and
        name; the edges of the bands in force, and the target, as
        reference lines) and the table of results with each period's
        direction of travel and escalation state, recomputed by the store
        over the whole stored history.  A period in Performance Failure
        or needing a Rectification Plan is a finding; an escalation rule
        that is not the contract's is an assumption.  A StoreError when
        the store holds no results of ``kpi`` (and ``group``)."""
        frame = self._views_rows(kpi, group)
        rows = [r for _, r in frame.iterrows()]
        periods = sorted({r["period"] for r in rows}, key=_period_key)
        groups = list(dict.fromkeys(_text(r["group"]) for r in rows))
        show_group = any(groups)
        latest = max(rows, key=lambda r: _period_key(r["period"]))
        definition = _definition(latest["bands"])
        unit = str(definition.get("unit", ""))
        status = bool(definition.get("states"))
        title = f"{kpi}: trend from {periods[0]} to {periods[-1]}"
        if group is not None:
            title = f"{kpi} {group}: trend from {periods[0]} to {periods[-1]}"
        source = f"the history store {self.url}"

        # The chart: a series per group, a point per period.
        charts: tuple[Chart, ...] = ()
        if not status:
            index = {p: i for i, p in enumerate(periods)}
            series = []
            for g in groups:
                values: list[float | None] = [None] * len(periods)
                rags: list[str | None] = [None] * len(periods)
                for r in rows:
                    if _text(r["group"]) != g:
                        continue
                    exact = _exact(r)
                    i = index[r["period"]]
                    values[i] = None if exact is None else float(exact)
                    rags[i] = _rag(r["rag"])
                series.append(Series(g or kpi, tuple(values), tuple(rags)))
            charts = (Chart(title, "line", tuple(str(p) for p in periods),
                            tuple(series), unit="%" if unit == "%" else unit,
                            source=f"{source}; each point rated by the bands "
                                   f"in force when it was recorded",
                            targets=_band_lines(definition)),)

        # The table.
        kind: Literal["percent", "number", "text"] = \
            "text" if status else ("percent" if unit == "%" else "number")
        rated = any(not _missing(r["denominator"]) for r in rows)
        columns = ([Column("group", "Group", role="label")] if show_group else []) + [
            Column("period", "Period", role="label" if not show_group else "value"),
            Column("value", "Value", kind, decimals=1 if rated and kind == "percent"
                   else None)]
        if rated:
            columns += [Column("numerator", "Numerator", "count", summed=False),
                        Column("denominator", "Denominator", "count", summed=False)]
        columns += [Column("rag", "RAG", "rag"), Column("direction", "Direction"),
                    Column("escalation", "Escalation"),
                    Column("recorded", "Recorded", "date"),
                    Column("import", "Import", "count", summed=False)]
        table_rows: list[Row] = []
        findings: list[Finding] = []
        counts = {"Green": 0, "Amber": 0, "Red": 0}
        for r in sorted(rows, key=lambda r: (_text(r["group"]), _period_key(r["period"]))):
            rag = _rag(r["rag"])
            if rag in counts:
                counts[rag] += 1
            exact = _exact(r)
            value: Any = _text(r["state"]) or None if status else (
                None if exact is None else _decimal(exact))
            state = STATE_NAMES.get(_text(r["escalation"]), _text(r["escalation"]))
            cells: list[Any] = [_text(r["group"]) or None] if show_group else []
            cells += [str(r["period"]), value]
            if rated:
                cells += [_int(r["numerator"]), _int(r["denominator"])]
            cells += [rag, _text(r["direction"]) or None, state or None,
                      _at(r["at"]), _int(r["import_id"])]
            table_rows.append(Row(tuple(cells)))
            if _text(r["escalation"]) in _ESCALATED:
                where = " ".join(x for x in (kpi, _text(r["group"]), str(r["period"])) if x)
                shown = "no data" if exact is None else \
                    f"{float(exact):.1f}{'%' if unit == '%' else ''}"
                findings.append(Finding(
                    "warning", where,
                    f"{where}: {rag or 'no data'} at {shown}, "
                    f"{_plural(int(r['consecutive_red']), 'Red period')} in a row; "
                    f"{state}.", (shown,)))
        bands = _bands_words(definition)
        table = Table(f"{kpi}: stored results", tuple(columns), tuple(table_rows),
                      source=f"{source}; direction and escalation recomputed over "
                             f"the stored history",
                      notes=(f"Bands in force for {latest['period']}: {bands}",),
                      name=f"{kpi} trend"[:31])
        tally = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        paragraphs = [f"{_plural(len(rows), 'stored result')} of {kpi} over "
                      f"{_plural(len(periods), 'period')}"
                      + (f" for {_plural(len(groups), 'group')} "
                         f"({', '.join(groups)})" if show_group else "")
                      + f": {tally or 'nothing rated'}."]
        description = _text(latest["description"])
        if description:
            paragraphs.insert(0, description)
        changed = {str(r["bands"]) for r in rows}
        if len(changed) > 1:
            paragraphs.append(f"The band definition changed over these periods "
                              f"({len(changed)} definitions); each result is "
                              f"rated by the one in force when it was recorded, "
                              f"and the chart's lines are those for "
                              f"{latest['period']}.")
        view = View(title, tuple(paragraphs), tuple(findings), (table,), charts,
                    source=source, assumptions=_assumptions(rows))
        return StoredView(view, frame)

    # ---- the escalation history -------------------------------------------

    def escalations_view(self, kpi: str | None = None, group: str | None = None,
                         *, every_period: bool = False) -> StoredView:
        """The escalation history the store derives from its stored
        results: a table with one line per KPI and group (its periods, how
        many were Red, the longest run of Red, the latest period's rating
        and state, the escalation rule and whether it is the contract's or
        an assumption), then a table of the periods out of tolerance or
        escalated (with ``every_period``, every period).  Each period that
        entered a Performance Failure or a Rectification Plan is a
        finding; each rule that is an assumption is listed as one."""
        frame = self._views_rows(kpi, group)
        rows = [r for _, r in frame.iterrows()]
        lanes: dict[tuple[str, str], list[Any]] = {}
        for r in rows:
            lanes.setdefault((str(r["kpi"]), _text(r["group"])), []).append(r)
        show_group = any(g for _, g in lanes)
        source = f"the history store {self.url}"

        # One line per lane.
        columns = [Column("kpi", "KPI", role="label")]
        if show_group:
            columns.append(Column("group", "Group"))
        columns += [Column("periods", "Periods", "count", summed=False),
                    Column("red", "Red", "count", summed=False),
                    Column("longest", "Longest Red run", "count", summed=False),
                    Column("latest", "Latest"), Column("rag", "RAG", "rag"),
                    Column("state", "State"), Column("rule", "Rule"),
                    Column("basis", "Basis")]
        summary: list[Row] = []
        findings: list[Finding] = []
        for (ref, g), lane in lanes.items():
            lane.sort(key=lambda r: _period_key(r["period"]))
            last = lane[-1]
            reds = sum(1 for r in lane if _text(r["rag"]) == "red")
            longest = max((_int(r["consecutive_red"]) or 0 for r in lane), default=0)
            failure, rect = int(last["failure_after"]), int(last["rectification_after"])
            cells: list[Any] = [ref] + ([g or None] if show_group else [])
            cells += [len(lane), reds, longest, str(last["period"]), _rag(last["rag"]),
                      STATE_NAMES.get(_text(last["escalation"]), _text(last["escalation"])),
                      f"failure after {failure}, plan {rect} later",
                      _text(last["rule_basis"])]
            summary.append(Row(tuple(cells)))
            previous = ""
            for r in lane:
                state = _text(r["escalation"])
                if state in _ESCALATED and state != previous:
                    where = " ".join(x for x in (ref, g, str(r["period"])) if x)
                    basis = ("an assumption" if _text(r["rule_basis"]) == "assumption"
                             else "the contract's")
                    findings.append(Finding(
                        "warning", where,
                        f"{where}: {STATE_NAMES[state]}, Red "
                        f"{_plural(_int(r['consecutive_red']) or 0, 'period')} "
                        f"in a row; the rule ({basis}): "
                        f"{_rule_words(int(r['failure_after']), int(r['rectification_after']))}."))
                previous = state
        lanes_table = Table("Escalation by KPI" + (" and group" if show_group else ""),
                            tuple(columns), tuple(summary),
                            source=f"{source}; escalation recomputed over the "
                                   f"stored history by each KPI's stored rule",
                            notes=("Basis: 'contract' when the KPI's definition "
                                   "gives the rule, 'assumption' when it gives "
                                   "none or calls its figures illustrative.",),
                            name="Escalation by KPI")

        # The periods.
        shown = [r for r in rows if every_period
                 or _text(r["escalation"]) not in ("none", "no_data", "")]
        shown.sort(key=lambda r: (str(r["kpi"]), _text(r["group"]),
                                  _period_key(r["period"])))
        pcols = [Column("kpi", "KPI", role="label")]
        if show_group:
            pcols.append(Column("group", "Group"))
        percent = all(_definition(r["bands"]).get("unit") == "%" for r in rows)
        pcols += [Column("period", "Period"),
                  Column("value", "Value", "percent" if percent else "number",
                         decimals=1),
                  Column("rag", "RAG", "rag"),
                  Column("run", "Red in a row", "count", summed=False),
                  Column("state", "Escalation")]
        prows: list[Row] = []
        for r in shown:
            exact = _exact(r)
            cells = [str(r["kpi"])] + ([_text(r["group"]) or None] if show_group else [])
            cells += [str(r["period"]), None if exact is None else _decimal(exact),
                      _rag(r["rag"]), _int(r["consecutive_red"]),
                      STATE_NAMES.get(_text(r["escalation"]), _text(r["escalation"]))]
            prows.append(Row(tuple(cells)))
        periods_table = Table(
            "Every stored period" if every_period
            else "Periods out of tolerance or escalated",
            tuple(pcols), tuple(prows), source=source, name="Escalation periods")

        periods = sorted({r["period"] for r in rows}, key=_period_key)
        escalated = sum(1 for r in rows if _text(r["escalation"]) in _ESCALATED)
        paragraphs = (
            f"{_plural(len(lanes), 'KPI line')} over {_plural(len(periods), 'period')} "
            f"({periods[0]} to {periods[-1]}): {_plural(escalated, 'period')} in "
            f"Performance Failure or needing a Rectification Plan.",
            "Escalation is not stored: the store recomputes it from the stored "
            "ratings with the same rule the scorecard uses, so a month recorded "
            "late or superseded changes the months after it.")
        title = "Escalation history" + (f": {kpi}" if kpi else "") + (
            f" {group}" if group else "")
        view = View(title, paragraphs, tuple(findings), (lanes_table, periods_table),
                    source=source, assumptions=_assumptions(rows),
                    findings_title="Escalations")
        return StoredView(view, frame)

    # ---- the stored results and their trail ---------------------------------

    def history_view(self, kpi: str | None = None, group: str | None = None,
                     since: object = None, until: object = None, *,
                     superseded: bool = False) -> StoredView:
        """The stored results as a table (those of :meth:`history`, with
        the same arguments): value, numerator, denominator and RAG, and
        the import that recorded each (when, from which file); with
        ``superseded``, also every result a later import superseded,
        beside the one that replaced it, marked with that import."""
        frame = self.history(kpi=kpi, group=group, since=since, until=until,
                             superseded=superseded)
        if frame.empty:
            raise self._views_none(kpi, group)
        rows = [r for _, r in frame.iterrows()]
        show_group = any(_text(r["group"]) for r in rows)
        rated = any(not _missing(r["denominator"]) for r in rows)
        states = any(_text(r["state"]) for r in rows)
        columns = [Column("kpi", "KPI", role="label")]
        if show_group:
            columns.append(Column("group", "Group"))
        columns += [Column("period", "Period"),
                    Column("value", "Value", "number", decimals=1)]
        if states:
            columns.append(Column("state", "State"))
        if rated:
            columns += [Column("numerator", "Numerator", "count", summed=False),
                        Column("denominator", "Denominator", "count", summed=False)]
        columns += [Column("rag", "RAG", "rag"), Column("import", "Import", "count",
                                                        summed=False),
                    Column("recorded", "Recorded", "date"), Column("file", "File")]
        if superseded:
            columns.append(Column("superseded", "Superseded by import", "count",
                                  summed=False))
        out: list[Row] = []
        for r in rows:
            exact = _exact(r)
            cells: list[Any] = [str(r["kpi"])]
            if show_group:
                cells.append(_text(r["group"]) or None)
            cells += [str(r["period"]), None if exact is None else _decimal(exact)]
            if states:
                cells.append(_text(r["state"]) or None)
            if rated:
                cells += [_int(r["numerator"]), _int(r["denominator"])]
            cells += [_rag(r["rag"]), _int(r["import_id"]), _at(r["at"]),
                      os.path.basename(_text(r["file"])) or _text(r["source"]) or None]
            if superseded:
                cells.append(_int(r["superseded_by"]))
            out.append(Row(tuple(cells)))
        kpis = list(dict.fromkeys(str(r["kpi"]) for r in rows))
        old = sum(1 for r in rows if not _missing(r["superseded_by"]))
        paragraphs = [f"{_plural(len(rows) - old, 'current result')} of "
                      f"{_plural(len(kpis), 'KPI')} ({', '.join(kpis)})"
                      + (f", and {_plural(old, 'superseded result')} kept with "
                         f"the import that superseded each" if superseded else "")
                      + "."]
        title = "KPI history" + (f": {kpi}" if kpi else "") + (f" {group}" if group else "")
        table = Table(title, tuple(columns), tuple(out),
                      source=f"the history store {self.url}", name="KPI history")
        view = View(title, tuple(paragraphs), (), (table,),
                    source=f"the history store {self.url}")
        return StoredView(view, frame)


def _assumptions(rows: Iterable[Any]) -> tuple[str, ...]:
    """Each KPI's escalation rule that is an assumption, once, with the
    store's note of why."""
    out: dict[str, str] = {}
    for r in rows:
        if _text(r["rule_basis"]) == "assumption":
            out.setdefault(str(r["kpi"]), f"Escalation ({r['kpi']}): "
                           f"{_text(r['rule_note'])}")
    return tuple(out.values())

