"""Scorecards: KPIs x periods with value, RAG, direction of travel and
escalation, as a DataFrame, as a :class:`~apportion.present.model.View` (text,
HTML for Jupyter and pages, Markdown, Excel) and as a chart.

The ratings, directions and escalation states come from the KPI engine in
C; this module lines values up by KPI, group and period and lays them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, SupportsInt, Union, cast

import numpy as np

from ._deprecate import keyword_only_after
from .errors import InputError
from .kpi import KPI, RAG, _exact
from .kpi import _judged as _bands_text
from .present._format import RAG_COLOURS as _RAG_COLOURS
from .present.mixin import Presentable
from .present.model import Chart, Column, Finding, Row, Series, Table, View

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .store import Store

__all__ = ["RAG_COLOURS", "Scorecard", "scorecard"]

#: The colours of the ratings, by their lower-case names: the presentation
#: layer's, from a palette colour-blind readers can tell apart (each rating
#: also has its own marker and word wherever it is drawn).
RAG_COLOURS = {name.lower(): colour for name, colour in _RAG_COLOURS.items()}
_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "termly": 3, "annual": 1,
                     "weekly": 52}
#: Escalation states as a view names them.
_ESCALATION_NAMES = {"none": "none", "out_of_tolerance": "out of tolerance",
                     "performance_failure": "Performance Failure",
                     "rectification_plan": "Rectification Plan",
                     "no_data": "no data"}
COLUMNS = ("description", "value", "numerator", "denominator", "target",
           "rag", "direction", "escalation")


#: The KPIs to score: one, several, or a {ref: KPI} mapping.
KPIs = KPI | Iterable[KPI] | Mapping[str, KPI]

#: Values to score: a long DataFrame, or a {ref: {period: value}} mapping.
Values = Union["pd.DataFrame", Mapping[str, Mapping[Any, Any]]]

#: One row of values: (kpi, group, period, value, numerator, denominator).
_Record = tuple[str, Any, Any, Any, int | None, int | None]


def _kpi_map(kpis: KPIs) -> dict[str, KPI]:
    if isinstance(kpis, KPI):
        return {kpis.ref: kpis}
    if isinstance(kpis, Mapping):
        return dict(kpis)
    out: dict[str, KPI] = {}
    for k in kpis:
        if not isinstance(k, KPI):
            raise TypeError(f"kpis must be KPI objects, not {type(k).__name__}")
        out[k.ref] = k
    return out


def _records(values: Values) -> Iterator[_Record]:
    """Rows of (kpi, group, period, value, numerator, denominator) from a
    long DataFrame or a {ref: {period: value}} mapping."""
    import pandas as pd
    if isinstance(values, Mapping):
        for ref, series in values.items():
            for period, value in dict(series).items():
                yield ref, None, period, value, None, None
        return
    if not isinstance(values, pd.DataFrame):
        raise TypeError("values must be a DataFrame (columns kpi, period and "
                        "value, or numerator and denominator) or a mapping "
                        "{kpi: {period: value}}")
    frame = values.reset_index() if not {"kpi", "period"} <= set(values.columns) \
        else values
    missing = {"kpi", "period"} - set(frame.columns)
    if missing:
        raise InputError(f"values needs columns {sorted(missing)}")
    has_rate = {"numerator", "denominator"} <= set(frame.columns)
    if not has_rate and "value" not in frame.columns:
        raise InputError("values needs a 'value' column, or 'numerator' and "
                         "'denominator'")
    group = frame["group"] if "group" in frame.columns else [None] * len(frame)
    # Each column taken once: a row at a time through .iloc costs more than
    # the scoring.
    if has_rate:
        for ref, g, period, num, den in zip(frame["kpi"], group, frame["period"],
                                            frame["numerator"], frame["denominator"]):
            yield ref, g, period, None, int(num), int(den)
    else:
        for ref, g, period, value in zip(frame["kpi"], group, frame["period"],
                                         frame["value"]):
            yield ref, g, period, value, None, None


class Scorecard(Presentable):
    """A KPI scorecard.  ``frame`` is a DataFrame indexed by (kpi, group,
    period) with the columns in ``COLUMNS``; build one with
    :func:`scorecard` or :meth:`from_measure`."""

    def __init__(self, frame: pd.DataFrame, kpis: Mapping[str, KPI],
                 title: str = "", *, source: str = "") -> None:
        self.frame = frame
        self.kpis = dict(kpis)
        self.title = title
        #: where the values came from (a file, a measure), for captions
        self.source = source

    def __repr__(self) -> str:
        return f"Scorecard({self.title!r}, {len(self.frame)} rows)\n{self.frame!r}"

    def to_frame(self) -> pd.DataFrame:
        """A copy of the scorecard's table."""
        return self.frame.copy()

    # ---- building ---------------------------------------------------------

    @classmethod
    @keyword_only_after(3)
    def from_measure(cls, kpi: KPI, measure: pd.DataFrame, *,
                     period_level: int = -1, compare: str = "previous",
                     title: str = "", scale: int = 100,
                     source: str = "", store: Store | None = None) -> Scorecard:
        """A scorecard of one KPI from a grouped measure such as
        :func:`~apportion.within_working_days` (columns within and total,
        rereferrals and records, or a service area measure's numerator and
        denominator), indexed by period or by (group, period); the values,
        ``scale * numerator / denominator``, are scored exactly from their
        counts.  ``source`` names where the records came from, for the
        view's captions.  With ``store`` the results are recorded there and
        the stored earlier periods count for direction of travel and
        escalation (see :func:`scorecard`)."""
        import pandas as pd
        if {"within", "total"} <= set(measure.columns):
            num, den = measure["within"], measure["total"]
        elif {"rereferrals", "records"} <= set(measure.columns):
            num, den = measure["rereferrals"], measure["records"]
        elif {"numerator", "denominator"} <= set(measure.columns):
            num, den = measure["numerator"], measure["denominator"]
        else:
            raise InputError("measure needs within and total (or rereferrals "
                             "and records, or numerator and denominator) "
                             "columns")
        index = measure.index
        periods: Iterable[Any]
        groups: Iterable[Any]
        if isinstance(index, pd.MultiIndex):
            if index.nlevels != 2:
                raise InputError("measure must be indexed by period or by "
                                 "(group, period)")
            level = period_level % 2
            periods = index.get_level_values(level)
            groups = index.get_level_values(1 - level)
        else:
            periods, groups = index, [None] * len(index)
        nums = np.asarray(num, dtype=np.int64)
        dens = np.asarray(den, dtype=np.int64)
        long = pd.DataFrame({"kpi": kpi.ref, "group": list(groups),
                             "period": list(periods)})
        if scale == 100:  # a percentage: scored from its counts
            long["numerator"], long["denominator"] = nums, dens
        else:
            values = [None if d == 0 else Fraction(scale * int(n), int(d))
                      for n, d in zip(nums, dens)]
            long["value"] = pd.Series(values, index=long.index, dtype=object)
        return scorecard({kpi.ref: kpi}, long, compare=compare, title=title,
                         source=source, store=store)

    # ---- views --------------------------------------------------------------

    def _lanes(self) -> tuple[list[tuple[Any, Any]], list[Any]]:
        """The (kpi, group) lanes and the periods, each in the frame's order."""
        frame = self.frame.reset_index()
        lanes = list(dict.fromkeys(zip(frame["kpi"], frame["group"])))
        periods = list(dict.fromkeys(frame["period"]))
        return lanes, periods

    def _value_kind(self) -> str:
        """The Value column's kind: "percent" when every KPI shown is a
        percentage, "number" when none is a status KPI, else "text"."""
        shown = [self.kpis[k] for k in dict.fromkeys(
            self.frame.index.get_level_values("kpi")) if k in self.kpis]
        if any(k.is_status for k in shown):
            return "text"
        if shown and all(k.unit == "%" for k in shown):
            return "percent"
        return "number"

    def _chart(self) -> Chart:
        """The "rag" chart: a series per KPI (and group), a point per
        period, each rated by text, colour and marker."""
        frame = self.frame.reset_index()
        lanes, periods = self._lanes()
        values: dict[tuple[Any, Any], list[float | None]] = {
            lane: [None] * len(periods) for lane in lanes}
        rags: dict[tuple[Any, Any], list[str | None]] = {
            lane: [None] * len(periods) for lane in lanes}
        numeric = self._value_kind() != "text"
        for r in frame.itertuples(index=False):
            lane, i = (r.kpi, r.group), periods.index(r.period)
            rags[lane][i] = _rag_name(r.rag)
            exact = _exact_value(r) if numeric else None
            values[lane][i] = None if exact is None else float(exact)
        kpis = [self.kpis[k] for k in dict.fromkeys(frame["kpi"]) if k in self.kpis]
        targets: tuple[tuple[str, float], ...] = ()
        if len(kpis) == 1 and kpis[0].target is not None and numeric:
            targets = (("Target", float(kpis[0].target)),)
        unit = {"percent": "%", "number": kpis[0].unit if len(kpis) == 1 else ""
                }.get(self._value_kind(), "")
        return Chart(self.title or "Scorecard", "rag",
                     tuple(str(p) for p in periods),
                     tuple(Series(_lane_name(k, g), tuple(values[(k, g)]),
                                  tuple(rags[(k, g)])) for k, g in lanes),
                     unit=unit, source=self._source(), targets=targets)

    def _source(self) -> str:
        scored = "scored by apportion against each KPI's bands"
        return f"{self.source}; {scored}" if self.source else "S" + scored[1:]

    def view(self) -> View:
        """The scorecard on a page: a paragraph of counts, a finding for
        each period in Performance Failure or needing a Rectification
        Plan, the table of values and ratings (RAG in words, never colour
        alone) and the "rag" chart.  Values are exact: a measured rate is
        its numerator over its denominator, as a percentage."""
        frame = self.frame.reset_index()
        lanes, periods = self._lanes()
        show_group = bool(frame["group"].notna().any())
        kind = self._value_kind()
        rated = any(not _missing(d) for d in frame["denominator"])
        value_kind: Any = kind
        columns = [Column("kpi", "KPI", role="label")]
        if show_group:
            columns.append(Column("group", "Group"))
        columns += [Column("period", "Period"),
                    Column("value", "Value", value_kind,
                           decimals=1 if rated and kind == "percent" else None)]
        if rated:
            columns += [Column("numerator", "Numerator", "count", summed=False),
                        Column("denominator", "Denominator", "count", summed=False)]
        columns += [Column("target", "Target", value_kind),
                    Column("rag", "RAG", "rag"),
                    Column("direction", "Direction"),
                    Column("escalation", "Escalation")]
        rows: list[Row] = []
        findings: list[Finding] = []
        counts = {name: 0 for name in ("Green", "Amber", "Red")}
        no_data = 0
        for r in frame.itertuples(index=False):
            rag = _rag_name(r.rag)
            if rag is None:
                no_data += 1
            else:
                counts[rag] += 1
            value: Any = _exact_value(r) if kind != "text" else (
                None if _missing(r.value) else str(r.value))
            target: Any = None
            if not _missing(r.target):
                target = _decimal(_exact(r.target, "target")) if kind != "text" \
                    else _show_plain(r.target)
            escalation = _ESCALATION_NAMES.get(_text(r.escalation),
                                               _text(r.escalation))
            cells: list[Any] = [str(r.kpi)]
            if show_group:
                cells.append(_text(r.group) or None)
            cells += [str(r.period), value]
            if rated:
                cells += [_count(r.numerator), _count(r.denominator)]
            cells += [target, rag, _text(r.direction) or None, escalation or None]
            rows.append(Row(tuple(cells)))
            if _text(r.escalation) in ("performance_failure", "rectification_plan"):
                shown = _show_value(r)
                where = " ".join(x for x in (str(r.kpi), _text(r.group),
                                             str(r.period)) if x)
                findings.append(Finding(
                    "warning", where,
                    f"{where}: {rag or 'no data'} at {shown}; {escalation}.",
                    (shown,)))
        kpis = [self.kpis[k] for k in dict.fromkeys(frame["kpi"]) if k in self.kpis]
        notes = tuple(f"{k.ref}: {_bands_text(k)}" for k in kpis)
        table = Table(self.title or "Scorecard", tuple(columns), tuple(rows),
                      source=self._source(), notes=notes, name="Scorecard")
        tally = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        summary = (f"{len(lanes)} KPI {'line' if len(lanes) == 1 else 'lines'} "
                   f"over {len(periods)} {'period' if len(periods) == 1 else 'periods'}: "
                   f"{tally or 'nothing rated'}"
                   + (f", {no_data} with no data" if no_data else "") + ".")
        paragraphs = [summary]
        if rated:
            paragraphs.append("A measured rate is scored exactly from its "
                              "numerator and denominator; the value shown is "
                              "rounded to one decimal place.")
        assumptions = tuple(
            f"Escalation ({k.ref}): Performance Failure after {k.escalation[0]} "
            f"Red {'period' if k.escalation[0] == 1 else 'periods'} in a row; "
            f"a Rectification Plan when still Red {k.escalation[1]} "
            f"{'period' if k.escalation[1] == 1 else 'periods'} later"
            for k in kpis)
        return View(self.title or "Scorecard", tuple(paragraphs), tuple(findings),
                    (table,), (self._chart(),), source=self.source,
                    assumptions=assumptions)

    def to_html(self, *, full: bool = False) -> str:
        """The scorecard's view as HTML (:func:`apportion.present.html.view_html`):
        a fragment for a notebook or a page, or with ``full`` a whole
        self-contained page (its stylesheet inline, no request to any
        other host)."""
        from .present.html import view_html
        body: str = view_html(self.view())
        if not full:
            return body
        return _page(self.title or "Scorecard", body)

    def to_text(self) -> str:
        """A plain-text table, for terminals and `make demo`."""
        frame = self.frame.reset_index()
        rows = [("KPI", "Group", "Period", "Value", "RAG", "Direction", "Escalation")]
        for r in frame.itertuples(index=False):
            rows.append((str(r.kpi), _text(r.group), str(r.period),
                         _show_value(r), _text(r.rag) or "no data",
                         _text(r.direction) or "-",
                         _text(r.escalation).replace("_", " ")))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(([self.title, ""] if self.title else []) + lines)

    def plot(self, path: str | os.PathLike[str] | None = None,
             dpi: int = 150) -> Figure:
        """The scorecard's "rag" chart as a matplotlib Figure, drawn with
        the object API by :func:`apportion.present.charts.chart_figure`:
        a series per KPI (and group), each period's rating shown by colour,
        marker and name, with a legend.  The backend in use is never
        changed and pyplot is not imported, so a notebook's later plots
        still show; in Jupyter the figure displays inline by itself (a
        :class:`~apportion.present.charts.ChartFigure`).  With ``path``
        also saves it there as a PNG.  Needs matplotlib (``pip install
        'apportion[plot]'``)."""
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ImportError("Scorecard.plot needs matplotlib: pip install "
                              "'apportion[plot]'") from None
        from .present.charts import chart_figure
        fig: Figure = chart_figure(self._chart())
        if path is not None:
            # "tight" keeps the title and legend inside the PNG whatever
            # the labels' lengths.
            fig.savefig(path, dpi=dpi, format="png", bbox_inches="tight")
        return fig


def _page(title: str, body: str) -> str:
    """A whole HTML page around a view's fragment: UTF-8, the presentation
    layer's stylesheet inline, nothing fetched from elsewhere."""
    import html

    from .present.html import STYLESHEET
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>\n{STYLESHEET}\n</style>\n"
            f"</head>\n<body>\n{body}\n</body>\n</html>\n")


def _missing(x: object) -> bool:
    import pandas as pd
    # x is any value a caller gave; numpy's and pandas' stubs list only
    # the array-likes and scalars they know.
    return x is None or (np.ndim(x) == 0  # type: ignore[arg-type]
                         and bool(pd.isna(x)))  # type: ignore[call-overload]


def _text(x: object) -> str:
    return "" if _missing(x) else str(x)


def _show_plain(x: object) -> str:
    if _missing(x):
        return ""
    if isinstance(x, Fraction):
        return f"{float(x):g}"
    return str(x)


def _count(x: object) -> int | None:
    return None if _missing(x) else int(cast(SupportsInt, x))


def _rag_name(x: object) -> str | None:
    """A rating as the renderers name it: "Green", "Amber", "Red"."""
    text = _text(x)
    return text.capitalize() if text else None


def _lane_name(kpi: object, group: object) -> str:
    return f"{kpi} {_text(group)}".strip()


def _decimal(x: Fraction) -> Decimal:
    """A fraction as a Decimal: exact when it terminates within 28
    significant digits, else to 28 (a renderer rounds it to its column's
    places)."""
    if x.denominator == 1:
        return Decimal(x.numerator)
    return Decimal(x.numerator) / Decimal(x.denominator)


def _exact_value(row: Any) -> Decimal | None:
    """A row's value, exact: a rate from its numerator and denominator."""
    if not _missing(row.denominator):
        if int(row.denominator) == 0:
            return None
        return _decimal(Fraction(100 * int(row.numerator), int(row.denominator)))
    if _missing(row.value) or isinstance(row.value, str):
        return None
    return _decimal(_exact(row.value, "value"))


def _show_value(row: Any) -> str:
    """A row (a namedtuple of the frame's columns) as its value's text."""
    if not _missing(row.denominator):
        if int(row.denominator) == 0:
            return "no data"
        return f"{row.value:.1f}% ({int(row.numerator)}/{int(row.denominator)})"
    return _show_plain(row.value)


@keyword_only_after(2)
def scorecard(kpis: KPIs, values: Values, *, compare: str = "previous",
              title: str = "", source: str = "",
              store: Store | None = None) -> Scorecard:
    """Score KPIs over periods.

    ``kpis`` is a KPI, a list of them or a {ref: KPI} mapping (as
    :func:`~apportion.load_kpis` returns).  ``values`` is a DataFrame with
    columns kpi, period and value (a number, or a state label for a status
    KPI) -- or numerator and denominator for measured rates, which are then
    scored exactly -- and optionally group (an authority); or a mapping
    {ref: {period: value}}.  Periods are taken in sorted order within each
    KPI and group.  ``compare`` is "previous" (the period before) or
    "last_year" (the same period a year before, by the KPI's frequency) for
    the direction of travel.  ``source`` names where the values came from
    (a file, a paper), for the view's captions.

    With ``store`` (an :class:`apportion.store.Store`) the periods must be
    datable (pandas Periods, dates, or text with a year such as
    "2021-04") and become
    pandas Periods in the card; the store's earlier results for each KPI
    and group are read, and direction of travel and escalation are
    computed over them and the new periods together (a stored period
    given again is replaced by the new value), so twelve monthly runs
    escalate as one run over the year does; the card holds the new
    periods, and its results are recorded in the store
    (:meth:`~apportion.store.Store.record_scorecard`: recording the same
    values again changes nothing).
    """
    import pandas as pd
    if compare not in ("previous", "last_year"):
        raise InputError(f"compare must be 'previous' or 'last_year', not {compare!r}")
    by_ref = _kpi_map(kpis)
    lanes: dict[tuple[str, Any], list[tuple[Any, Any, int | None, int | None]]] = {}
    for ref, group, period, value, num, den in _records(values):
        if ref not in by_ref:
            raise InputError(f"values name KPI {ref!r}, which is not among the "
                             f"KPIs given ({', '.join(by_ref)})")
        if store is not None:
            from .store._kpi import as_period
            where = f"KPI {ref}{'' if _missing(group) else ' ' + str(group)}"
            period = as_period(period, by_ref[ref], where)
        lanes.setdefault((ref, group), []).append((period, value, num, den))
    earlier = {} if store is None else store._earlier(lanes)
    rows, index = [], []
    for (ref, group), given in lanes.items():
        kpi = by_ref[ref]
        seen = [p for p, _, _, _ in given]
        if len(set(seen)) != len(seen):
            raise InputError(f"{ref}{'' if group is None else ' ' + str(group)}: "
                             f"a period is given twice")
        # (period, value, num, den, stored rating or None for a new item, new?)
        items: list[tuple[Any, Any, int | None, int | None, RAG | None, bool]] = [
            (p, v, n, d, None, True) for p, v, n, d in given]
        new = set(seen)
        for r in earlier.get((ref, group), ()):
            from .store._kpi import _from_stored
            period = _from_stored(r["period_start"], r["frequency"])
            if period in new:
                continue
            stored: Any = r["value_text"] if r["value_den"] is None else \
                Fraction(r["value_num"], r["value_den"])
            items.append((period, stored, r["numerator"], r["denominator"],
                          None if r["rag"] is None else RAG(r["rag"]), False))
        if store is not None:
            # Periods of different lengths cannot be put in order, and an
            # escalation over a lane out of order would be wrong.
            lengths = sorted({str(p.freqstr) for p, *_ in items})
            if len(lengths) > 1:
                raise InputError(
                    f"KPI {ref}{'' if _missing(group) else ' ' + str(group)}: "
                    f"periods of different lengths in one lane "
                    f"({', '.join(lengths)}), the store's and these together; "
                    f"give periods like those stored (e.g. '2021-04' for a "
                    f"month) or the KPI a frequency, so that a date is read "
                    f"as its period")
            items.sort(key=lambda t: t[0])
        else:
            try:
                items.sort(key=lambda t: t[0])
            except TypeError:
                pass  # periods that cannot be ordered stay in the order given
        exact: list[Fraction | None] = []
        rags: list[RAG | None] = []
        for _, value, num, den, stored_rag, fresh in items:
            x: Fraction | None
            if num is not None and den is not None:
                x = None if den == 0 else Fraction(100 * num, den)
                rag = kpi.score_rates([num], [den])[0] if fresh else stored_rag
            else:
                missing = _missing(value)
                x = None if kpi.is_status or missing else _exact(value, "value")
                rag = kpi.score(value) if fresh else stored_rag
            exact.append(x)
            rags.append(rag)
        lag = 1
        if compare == "last_year":
            per_year = _PERIODS_PER_YEAR.get(kpi.frequency or "")
            if per_year is None:
                raise InputError(f"{ref}: compare='last_year' needs the KPI's "
                                 f"frequency (monthly, quarterly...)")
            lag = per_year
        escalation = kpi.escalate(rags)
        for i, (period, value, num, den, _, fresh) in enumerate(items):
            if not fresh:
                continue
            direction = None
            if not kpi.is_status and i >= lag:
                direction = kpi.direction(exact[i], exact[i - lag])
            rate, rag = exact[i], rags[i]
            shown = value if num is None else (
                float(rate) if rate is not None else np.nan)
            rows.append((kpi.description, shown, num, den,
                         None if kpi.target is None else kpi.target,
                         None if rag is None else rag.value,
                         direction, escalation[i]))
            index.append((ref, group, period))
    frame = pd.DataFrame(rows, columns=COLUMNS,
                         index=pd.MultiIndex.from_tuples(
                             index, names=["kpi", "group", "period"]))
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype("Int64")
    card = Scorecard(frame, by_ref, title, source=source)
    if store is not None:
        store.record_scorecard(card, source=source or None)
    return card
