"""Scorecards: KPIs x periods with value, RAG, direction of travel and
escalation, as a DataFrame, as HTML for Jupyter and as a PNG chart.

The ratings, directions and escalation states come from the KPI engine in
C; this module lines values up by KPI, group and period and lays them out.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from ._deprecate import keyword_only_after
from .errors import InputError
from .kpi import KPI, RAG, _exact

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["RAG_COLOURS", "Scorecard", "scorecard"]

#: Fill colours for RAG cells (the GOV.UK palette's green, amber and red).
RAG_COLOURS = {"green": "#00703c", "amber": "#f47738", "red": "#d4351c"}
_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "termly": 3, "annual": 1,
                     "weekly": 52}
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
    for i, (ref, g, period) in enumerate(zip(frame["kpi"], group, frame["period"])):
        if has_rate:
            num, den = frame["numerator"].iloc[i], frame["denominator"].iloc[i]
            yield ref, g, period, None, int(num), int(den)
        else:
            yield ref, g, period, frame["value"].iloc[i], None, None


class Scorecard:
    """A KPI scorecard.  ``frame`` is a DataFrame indexed by (kpi, group,
    period) with the columns in ``COLUMNS``; build one with
    :func:`scorecard` or :meth:`from_measure`."""

    def __init__(self, frame: pd.DataFrame, kpis: Mapping[str, KPI],
                 title: str = "") -> None:
        self.frame = frame
        self.kpis = dict(kpis)
        self.title = title

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
                     title: str = "", scale: int = 100) -> Scorecard:
        """A scorecard of one KPI from a grouped measure such as
        :func:`~apportion.within_working_days` (columns within and total,
        rereferrals and records, or a service area measure's numerator and
        denominator), indexed by period or by (group, period); the values,
        ``scale * numerator / denominator``, are scored exactly from their
        counts."""
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
        return scorecard({kpi.ref: kpi}, long, compare=compare, title=title)

    # ---- views --------------------------------------------------------------

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """An HTML table with the RAG cells filled in their colours."""
        frame = self.frame.reset_index()
        show_group = bool(frame["group"].notna().any())
        heads = ["KPI"] + (["Group"] if show_group else []) + [
            "Period", "Value", "Target", "RAG", "Direction", "Escalation"]
        out = ['<table class="apportion-scorecard" style="border-collapse:'
               'collapse">']
        if self.title:
            out.append(f"<caption>{html.escape(self.title)}</caption>")
        out.append("<thead><tr>" + "".join(
            f'<th style="text-align:left;padding:2px 8px">{h}</th>' for h in heads)
            + "</tr></thead><tbody>")
        for row in frame.itertuples(index=False):
            rag = _text(row.rag)
            style = (f"background:{RAG_COLOURS[rag]};color:white;font-weight:bold"
                     if rag in RAG_COLOURS else "")
            cells: list[str | None] = [html.escape(str(row.kpi))]
            if show_group:
                cells.append(html.escape(_text(row.group)))
            cells += [html.escape(str(row.period)), _show_value(row),
                      _show_plain(row.target), None,
                      html.escape(_text(row.direction)),
                      html.escape(_text(row.escalation).replace("_", " "))]
            tds = []
            for c in cells:
                if c is None:
                    tds.append(f'<td style="{style};padding:2px 8px">'
                               f'{html.escape(rag or "no data").capitalize()}</td>')
                else:
                    tds.append(f'<td style="padding:2px 8px">{c}</td>')
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

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
        """A PNG chart: one row per KPI (and group), one column per period,
        each cell in its RAG colour with the value written in it.  Needs
        matplotlib (``pip install apportion[plot]``).  Returns the figure;
        with ``path`` also saves it there."""
        try:
            import matplotlib
            matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
            from matplotlib.patches import Rectangle
        except ImportError:
            raise ImportError("Scorecard.plot needs matplotlib: pip install "
                              "'apportion[plot]'") from None
        frame = self.frame.reset_index()
        lanes = list(dict.fromkeys(
            (k, g) for k, g in zip(frame["kpi"], frame["group"])))
        periods = list(dict.fromkeys(frame["period"]))
        fig: Figure
        fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(periods),
                                        0.6 + 0.45 * len(lanes)))
        for r in frame.itertuples(index=False):
            y = lanes.index((r.kpi, r.group))
            x = periods.index(r.period)
            colour = RAG_COLOURS.get(_text(r.rag), "#b1b4b6")
            ax.add_patch(Rectangle((x, y), 0.95, 0.9, color=colour))
            ax.text(x + 0.475, y + 0.45, _show_value(r), ha="center",
                    va="center", color="white", fontsize=8, fontweight="bold")
        ax.set_xlim(0, len(periods))
        ax.set_ylim(len(lanes), 0)
        ax.set_xticks([i + 0.475 for i in range(len(periods))])
        ax.set_xticklabels([str(p) for p in periods], fontsize=8)
        ax.set_yticks([i + 0.45 for i in range(len(lanes))])
        ax.set_yticklabels([f"{k} {_text(g)}".strip() for k, g in lanes],
                           fontsize=8)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=10)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=dpi, format="png")
        return fig


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


def _show_value(row: Any) -> str:
    """A row (a namedtuple of the frame's columns) as its value's text."""
    if not _missing(row.denominator):
        if int(row.denominator) == 0:
            return "no data"
        return f"{row.value:.1f}% ({int(row.numerator)}/{int(row.denominator)})"
    return _show_plain(row.value)


@keyword_only_after(2)
def scorecard(kpis: KPIs, values: Values, *, compare: str = "previous",
              title: str = "") -> Scorecard:
    """Score KPIs over periods.

    ``kpis`` is a KPI, a list of them or a {ref: KPI} mapping (as
    :func:`~apportion.load_kpis` returns).  ``values`` is a DataFrame with
    columns kpi, period and value (a number, or a state label for a status
    KPI) -- or numerator and denominator for measured rates, which are then
    scored exactly -- and optionally group (an authority); or a mapping
    {ref: {period: value}}.  Periods are taken in sorted order within each
    KPI and group.  ``compare`` is "previous" (the period before) or
    "last_year" (the same period a year before, by the KPI's frequency) for
    the direction of travel.
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
        lanes.setdefault((ref, group), []).append((period, value, num, den))
    rows, index = [], []
    for (ref, group), items in lanes.items():
        kpi = by_ref[ref]
        try:
            items.sort(key=lambda t: t[0])
        except TypeError:
            pass  # periods that cannot be ordered stay in the order given
        seen = [p for p, _, _, _ in items]
        if len(set(seen)) != len(seen):
            raise InputError(f"{ref}{'' if group is None else ' ' + str(group)}: "
                             f"a period is given twice")
        exact: list[Fraction | None] = []
        rags: list[RAG | None] = []
        for _, value, num, den in items:
            x: Fraction | None
            if num is not None and den is not None:
                x = None if den == 0 else Fraction(100 * num, den)
                rag = kpi.score_rates([num], [den])[0]
            else:
                missing = _missing(value)
                x = None if kpi.is_status or missing else _exact(value, "value")
                rag = kpi.score(value)
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
        for i, (period, value, num, den) in enumerate(items):
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
    return Scorecard(frame, by_ref, title)
