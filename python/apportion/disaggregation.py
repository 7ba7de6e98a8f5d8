"""The disaggregation of a hosted service: what splitting one service run
by a host council for others into one service per council means for each.

A paper proposing it (a variation notice to an inter-authority agreement)
states the service's budget and each council's part, the activity each
council's residents make of the service, its staff, the extra cost of two
services where there was one, and its dates.  A file of the format
``apportion.disaggregation/1`` (``schema/disaggregation.schema.json``)
carries them as printed, and the C core computes:

* the budget under every basis side by side (:meth:`Disaggregation.bases_frame`):
  each council's share in pence, exact, each basis's shares summing to the
  budget, with each basis's percentages;
* the staffing split (:meth:`Disaggregation.staffing_frame`): the posts
  every new service needs once of its own, the posts the paper already
  gives to one council or the other, and the rest divided by each basis;
  the FTE before and after, and the extra cost as the range the paper
  prints (:attr:`Disaggregation.extra_cost`), never a midpoint;
* the notice timeline (:attr:`Disaggregation.timeline`): when notice given
  at the committee would end under the agreement's notice period, and how
  the target date stands against it;

and audits every stated figure (:attr:`Disaggregation.audit`): each basis's
stated total, the budget's allocations, the FTE, and each figure carried
from another paper, judged by the rounding conventions of
:func:`apportion.audit.check_figure` (a £k figure cut rather than rounded is
"truncation", not an error), with the reading the comparison rests on.

>>> from apportion.disaggregation import Disaggregation
>>> paper = Disaggregation("examples/iass-disaggregation-2022.json")
>>> paper.bases_frame().loc["caseload", "share"].tolist()
[18630449, 24269551]
>>> paper.timeline.notice_end, paper.timeline.target_margin_days
(datetime.date(2023, 7, 26), -117)
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import _core
from ._paper import CoreData, Paper
from ._present import isna, pounds, text_table
from .present import Column, Row, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Disaggregation", "ExtraCost", "Timeline", "load_disaggregation",
           "parse_disaggregation"]


def _decimal(value: int, decimals: int) -> Decimal:
    return Decimal(value).scaleb(-decimals)


@dataclass(frozen=True)
class ExtraCost:
    """The extra cost of running one service per council, as the range the
    paper prints: ``low`` and ``high`` in pence, never a midpoint."""

    printed: str
    low: int
    high: int
    what: str
    source: str

    def __str__(self) -> str:
        return (f"{self.printed}: {pounds(self.low)} to {pounds(self.high)} "
                "a year (a range as printed, not a midpoint)")


@dataclass(frozen=True)
class Timeline:
    """The paper's dates against the agreement's notice period."""

    notice_months: int
    notice_source: str
    notice_from: dt.date
    notice_from_what: str
    notice_end: dt.date
    target: dt.date
    target_printed: str
    target_source: str
    #: target - notice_end in days: negative when the target falls before
    #: notice given on ``notice_from`` would end.
    target_margin_days: int
    #: (date, what, source) of the other dates the paper gives.
    events: tuple[tuple[dt.date, str, str], ...]

    @property
    def meets_notice(self) -> bool:
        """True when the target date is on or after the end of notice given
        on ``notice_from``."""
        return self.target_margin_days >= 0

    def lines(self) -> list[str]:
        """The timeline as report lines."""
        rows: list[list[object]] = [[d.isoformat(), what, source]
                                    for d, what, source in self.events]
        out = text_table(rows) if rows else []
        ends = (f"Notice of {self.notice_months} months ({self.notice_source}) "
                f"given on {self.notice_from.isoformat()} ({self.notice_from_what}) "
                f"would end on {self.notice_end.isoformat()}.")
        days = abs(self.target_margin_days)
        if self.meets_notice:
            verdict = (f"The target date, {self.target.isoformat()} "
                       f"(\"{self.target_printed}\", {self.target_source}), is "
                       f"{days} days after notice would end: it meets the "
                       "notice period.")
        else:
            verdict = (f"The target date, {self.target.isoformat()} "
                       f"(\"{self.target_printed}\", {self.target_source}), is "
                       f"{days} days before notice would end: it meets the "
                       "notice period only if the councils agree to vary the "
                       "agreement without it, which the paper does not say.")
        return [*out, ends, verdict]


class Disaggregation(Paper):
    """A disaggregation paper, computed and audited.

    ``Disaggregation(path)`` or ``Disaggregation(dict)`` reads an
    ``apportion.disaggregation/1`` file, as
    :class:`~apportion._paper.Paper` describes; :func:`load_disaggregation`
    and :func:`parse_disaggregation` do the same.
    """

    _core_load = staticmethod(_core.load_disaggregation)
    _core_parse = staticmethod(_core.parse_disaggregation)
    _default_source = "<disaggregation>"

    title: str
    #: The extra cost of one service per council, as the range the paper
    #: prints; None when it gives none.
    extra_cost: ExtraCost | None
    #: The paper's dates against the agreement's notice period; None when
    #: the file has no timeline.
    timeline: Timeline | None

    def _setup(self, data: CoreData) -> None:
        super()._setup(data)
        result = data["result"]
        self.reference: str = data["reference"]
        self.unit: str = data["unit"]
        #: The authorities' codes, in the file's order.
        self.codes: list[str] = [code for code, _ in data["authorities"]]
        self.names: dict[str, str] = dict(data["authorities"])
        self.host: str = data["host"]
        budget = data["budget"]
        #: The budget as printed ("£429k") and in pence.
        self.budget_printed: str = budget["printed"]
        self.budget: int = budget["amount"][0]
        self.budget_source: str = budget["source"]
        #: Each authority's allocation as printed, where the paper prints it.
        self.allocations_printed: dict[str, str] = {
            code: text for code, text in zip(self.codes, data["allocations_printed"])
            if text is not None}
        #: The bases' names, in the file's order.
        self.basis_names: list[str] = [b["name"] for b in data["bases"]]
        self._bases = data["bases"]
        staffing = data["staffing"]
        self._staffing = staffing
        self.extra_cost = None
        if staffing is not None and staffing["extra_cost"] is not None:
            x = staffing["extra_cost"]
            self.extra_cost = ExtraCost(x["printed"], x["low"][0], x["high"][0],
                                        x["what"], x["source"])
        self._fte_decimals: int = result["fte_decimals"]
        t = data["timeline"]
        self.timeline = None
        if t is not None:
            self.timeline = Timeline(
                t["notice_months"], t["notice_source"],
                dt.date.fromisoformat(t["notice_from"]), t["notice_from_what"],
                dt.date.fromisoformat(t["notice_end"]),
                dt.date.fromisoformat(t["target"]), t["target_printed"],
                t["target_source"], t["target_margin_days"],
                tuple((dt.date.fromisoformat(e["date"]), e["what"], e["source"])
                      for e in t["events"]))

    # ---- figures ---------------------------------------------------------

    def _fte(self, value: int) -> Decimal:
        return _decimal(value, self._fte_decimals)

    @property
    def fte_now(self) -> Decimal | None:
        """The FTE of the service's post groups today; None without staffing."""
        if self._staffing is None:
            return None
        return self._fte(self._data["result"]["fte_now"])

    @property
    def fte_after(self) -> Decimal | None:
        """The FTE of the two services together once every post every
        service needs is there once in each."""
        if self._staffing is None:
            return None
        return self._fte(self._data["result"]["fte_after"])

    @property
    def fte_extra(self) -> Decimal | None:
        """``fte_after - fte_now``: the posts duplicated."""
        if self._staffing is None:
            return None
        return self._fte(self._data["result"]["fte_extra"])

    def bases_frame(self) -> pd.DataFrame:
        """The budget under each basis, side by side: one row per basis
        (index "basis"); columns in two levels, "share" (int64 pence, each
        row summing exactly to the budget) and "percent" (``Decimal`` to two
        places, each row summing to exactly 100), then the authority."""
        import pandas as pd

        result = self._data["result"]
        places = result["percent_decimals"]
        columns = pd.MultiIndex.from_product([["share", "percent"], self.codes],
                                             names=[None, "authority"])
        rows = [[*shares, *[_decimal(p, places) for p in percents]]
                for shares, percents in zip(result["shares"], result["percents"])]
        frame = pd.DataFrame(rows, columns=columns,
                             index=pd.Index(self.basis_names, name="basis"))
        return frame.astype({("share", c): "int64" for c in self.codes})

    def staffing_frame(self, basis: str | None = None) -> pd.DataFrame:
        """Each post group's FTE in each authority's new service under
        ``basis`` (default: the first basis), as ``Decimal``: one row per
        post group (index "role") with its rule ("divided",
        "once_in_each", "assigned") and its FTE today, then a column per
        authority.  A divided group follows the basis; the others are the
        same under every basis."""
        import pandas as pd

        if self._staffing is None:
            raise ValueError(f"{self.source} has no staffing")
        if not self.basis_names:
            raise ValueError(f"{self.source} has no basis to divide posts by")
        name = self.basis_names[0] if basis is None else basis
        if name not in self.basis_names:
            raise KeyError(f"no basis {name!r}; the bases are "
                           f"{', '.join(self.basis_names)}")
        k = self.basis_names.index(name)
        cells = self._data["result"]["post_fte"][k]
        n = len(self.codes)
        rows = []
        for p, post in enumerate(self._staffing["posts"]):
            rows.append([post["rule"], Decimal(post["fte"]),
                         *[self._fte(v) for v in cells[p * n:(p + 1) * n]]])
        return pd.DataFrame(rows, columns=["rule", "now", *self.codes],
                            index=pd.Index([p["role"] for p in self._staffing["posts"]],
                                           name="role"))

    def service_fte_frame(self) -> pd.DataFrame:
        """Each new service's FTE under each basis (``Decimal``): one row
        per basis, a column per authority."""
        import pandas as pd

        rows = [[self._fte(v) for v in row]
                for row in self._data["result"]["service_fte"]]
        return pd.DataFrame(rows, columns=pd.Index(self.codes, name="authority"),
                            index=pd.Index(self.basis_names, name="basis"))

    # ---- text and HTML ---------------------------------------------------

    def _heading(self) -> list[str]:
        lines = [self.title or self.source]
        if self.reference:
            lines.append(self.reference)
        lines.append(f"Host: {self.host} ({self.names[self.host]}); "
                     f"budget {self.budget_printed} ({self.budget_source})")
        return lines

    def _paragraphs(self) -> list[str]:
        out: list[str] = []
        st = self._staffing
        if st is not None:
            if st["headcount"] is not None:
                out.append(f"Staffing: {st['headcount']} staff, "
                           f"{st['fte'] or self.fte_now} FTE ({st['source']}).")
            out.append(f"FTE now {self.fte_now}; after disaggregation "
                       f"{self.fte_after} (+{self.fte_extra}: the posts every "
                       "new service needs once of its own).")
            if self.extra_cost is not None:
                out.append(f"Extra cost {self.extra_cost} "
                           f"({self.extra_cost.source}): {self.extra_cost.what}.")
                out.append(f"The budget with it: "
                           f"{pounds(self.budget + self.extra_cost.low)} to "
                           f"{pounds(self.budget + self.extra_cost.high)}.")
        t = self.timeline
        if t is not None:
            out += t.lines()[len(t.events):]
        return out

    def _tables(self) -> list[Table]:
        """The budget under each basis, the post groups and each new
        service's FTE under each basis, and the timeline."""
        source = self.reference or self.title or self.source
        tables: list[Table] = []
        codes = self.codes
        if self.basis_names:
            frame = self.bases_frame()
            tables.append(Table(
                f"The budget ({self.budget_printed}) under each basis",
                (Column("basis", "Basis"),
                 *[Column(f"{c}_share", f"{c} share", "money", "£", 2,
                          role="computed") for c in codes],
                 *[Column(f"{c}_percent", f"{c} %", "percent", summed=False)
                   for c in codes]),
                tuple(Row((str(name), *[int(row[("share", c)]) for c in codes],
                           *[Decimal(str(row[("percent", c)])) for c in codes]))
                      for name, row in frame.iterrows()),
                source=f"{source}; shares computed by apportion",
                negatives="minus", name="Bases",
                notes=tuple(f"{b['name']}: {b['reading']}" for b in self._bases
                            if b["reading"])))
        if self._staffing is not None and self.basis_names:
            posts = self.staffing_frame()
            tables.append(Table(
                f"Post groups, a divided group by {self.basis_names[0]}",
                (Column("group", "Post group"), Column("rule", "Rule"),
                 Column("now", "FTE now", "number"),
                 *[Column(c, f"{c} FTE", "number") for c in codes]),
                tuple(Row((str(role), str(row["rule"]), _fte(row["now"]),
                           *[_fte(row[c]) for c in codes]))
                      for role, row in posts.iterrows()),
                source=source, negatives="minus", name="Post groups"))
            fte = self.service_fte_frame()
            tables.append(Table(
                "Each new service's FTE under each basis",
                (Column("basis", "Basis"),
                 *[Column(c, f"{c} FTE", "number") for c in codes]),
                tuple(Row((str(name), *[_fte(row[c]) for c in codes]))
                      for name, row in fte.iterrows()),
                source=f"{source}; computed by apportion", negatives="minus",
                name="FTE"))
        t = self.timeline
        if t is not None and t.events:
            tables.append(Table(
                "Timeline",
                (Column("date", "Date", "date"), Column("event", "Event"),
                 Column("source", "Source")),
                tuple(Row((d.isoformat(), what, src)) for d, what, src in t.events),
                source=source, name="Timeline"))
        return tables

    def _repr_detail(self) -> str:
        return (f"budget {self.budget_printed}, {len(self.basis_names)} bases, "
                f"{len(self.codes)} authorities")


def _fte(value: object) -> Decimal | None:
    """An FTE figure of a frame as an exact Decimal (None for a gap)."""
    return None if value is None or isna(value) else Decimal(str(value))


def load_disaggregation(path: str | os.PathLike[str], *,
                        max_bytes: int | None = None) -> Disaggregation:
    """Read, compute and audit the disaggregation paper in the file at
    ``path``; :class:`~apportion.PlanError` names the JSON path, line and
    column of a bad figure.  A file larger than ``max_bytes`` (None:
    :data:`apportion.limits.max_input_bytes`) is refused before it is
    read; invalid UTF-8 is a PlanError at its line and column."""
    return Disaggregation.from_file(path, max_bytes=max_bytes)


def parse_disaggregation(text: str, source: str | None = None) -> Disaggregation:
    """The same as :func:`load_disaggregation` from JSON text; ``source``
    names it in messages."""
    return Disaggregation.from_text(text, source)
