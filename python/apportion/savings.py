"""RAG-rated savings: totals by rating, delivery against the target, and the
savings that will not be delivered as a pressure the authorities fund.

What counts as delivered.  Green is confirmed; Amber is likely but not yet
confirmed; Red will not be delivered; Mitigations are other savings found
to make up for red.  Two measures of delivery, both exact fractions of the
year's target (the sum of the proposals' amounts):

* **secured** = green + mitigations (confirmed only);
* **forecast** = green + amber + mitigations (if every amber item lands).

The **pressure** is the red total; with ``"at_risk": "red_and_amber"`` in
the file, amber counts towards it too.  It is split between the
authorities by the file's split (the NCT contract split, NNC 44.16 / WNC
55.84), to the penny by the largest remainder.

Figures are typed as the paper prints them (``schema/savings.schema.json``,
format ``apportion.savings/1``), as positive savings; a plan file may carry
the same object under ``"savings"``.  Every figure the paper states is
checked with ``ap_audit_sum``: :attr:`Savings.audit` is an
:class:`apportion.audit.Report`.  Money is int pence; percentages are
exact ``Fraction`` objects, with basis points rounded half up from the C
core for display.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import _core
from ._paper import CoreData, Paper
from ._present import (
    figure,
    in_unit,
    int64_columns,
    per_unit,
    percent_text,
    pounds,
)
from .present import Chart, Column, Row, Series, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Saving", "Savings", "load_savings", "parse_savings"]

COLUMNS = ("red", "amber", "green", "mitigations")


@dataclass(frozen=True)
class Saving:
    """One proposal, in pence: the target amount, its four RAG columns as
    printed, their sum (``rated``), and the paper's own row total if
    printed."""

    reference: str
    name: str
    sro: str
    comments: str
    amount: int
    red: int
    amber: int
    green: int
    mitigations: int
    rated: int
    stated_total: int | None

    @property
    def unrated(self) -> int:
        """amount - (red + amber + green + mitigations): nonzero when the
        row's columns do not make its amount."""
        return self.amount - self.rated


def _saving(p: CoreData, rated: int) -> Saving:
    """A proposal from the core's reading of it and its rated sum."""
    red, amber, green, mitigations = (a for a, _ in p["rated"])
    return Saving(p["reference"], p["name"], p["sro"], p["comments"],
                  p["amount"][0], red, amber, green, mitigations, rated,
                  None if p["total"] is None else p["total"][0])


class Savings(Paper):
    """A year's RAG-rated savings, totalled, measured and audited.

    ``Savings(path)`` or ``Savings(dict)`` reads a savings file (or a plan
    file with a ``"savings"`` member), as :class:`~apportion._paper.Paper`
    describes; :func:`load_savings` and :func:`parse_savings` do the same."""

    _core_load = staticmethod(_core.load_savings)
    _core_parse = staticmethod(_core.parse_savings)
    _default_source = "<savings>"

    title: str

    def _setup(self, data: CoreData) -> None:
        super()._setup(data)
        self.reference: str = data["reference"]
        self.location: str = data["location"]
        self.year: str = data["year"]
        self.as_at: str = data["as_at"]
        self.unit: str = data["unit"]
        #: "red", or "red_and_amber" when amber counts towards the pressure.
        self.at_risk: str = data["at_risk"]
        self.total_label: str = data["total_label"]
        self.split: dict[str, Any] | None = data["split"]
        result = data["result"]
        self.proposals: list[Saving] = [
            _saving(p, rated)
            for p, rated in zip(data["proposals"], result["row_rated"])]

    # ---- figures ---------------------------------------------------------

    @property
    def _result(self) -> CoreData:
        result: CoreData = self._data["result"]
        return result

    @property
    def target(self) -> int:
        """The sum of the proposals' amounts, pence."""
        return int(self._result["target"])

    @property
    def by_rag(self) -> dict[str, int]:
        """Totals by rating, pence: red, amber, green, mitigations."""
        return dict(zip(COLUMNS, self._result["by_column"]))

    @property
    def rated(self) -> int:
        """The four columns together (differs from the target when rows
        do not add up)."""
        return int(self._result["rated"])

    @property
    def secured(self) -> int:
        """green + mitigations, pence."""
        return int(self._result["secured"])

    @property
    def forecast(self) -> int:
        """green + amber + mitigations, pence."""
        return int(self._result["forecast"])

    @property
    def pressure(self) -> int:
        """The savings not delivered, funded as a pressure: red (plus
        amber when at risk), pence."""
        return int(self._result["pressure"])

    def _percent(self, part: int) -> Fraction | None:
        return None if self.target == 0 else Fraction(100 * part, self.target)

    @property
    def secured_percent(self) -> Fraction | None:
        """Secured as an exact percentage of the target (None when the
        target is zero)."""
        return self._percent(self.secured)

    @property
    def forecast_percent(self) -> Fraction | None:
        return self._percent(self.forecast)

    @property
    def secured_basis_points(self) -> int | None:
        """Secured in hundredths of a percent, rounded half up (C core)."""
        bp = self._result["secured_basis_points"]
        return None if bp is None else int(bp)

    @property
    def forecast_basis_points(self) -> int | None:
        bp = self._result["forecast_basis_points"]
        return None if bp is None else int(bp)

    @property
    def pressure_split(self) -> dict[str, int] | None:
        """The pressure by the split, pence, summing exactly to it; None
        without a split."""
        shares = self._result["pressure_split"]
        if shares is None or self.split is None:
            return None
        return dict(zip(self.split["codes"], shares))

    # ---- DataFrames ------------------------------------------------------

    def proposals_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame, one row per proposal: SRO, amount, red, amber, green,
        mitigations, rated (their sum), unrated (amount - rated), the
        paper's row total, comments.  Int pence or Decimals in ``unit``."""
        import pandas as pd

        money = ["amount", *COLUMNS, "rated", "unrated"]
        rows = []
        for s in self.proposals:
            row: dict[str, object] = {"proposal": s.name, "sro": s.sro}
            for c in money:
                row[c] = in_unit(getattr(s, c), unit)
            row["stated_total"] = (None if s.stated_total is None
                                   else in_unit(s.stated_total, unit))
            row["comments"] = s.comments
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["proposal", "sro", *money,
                                            "stated_total", "comments"])
        frame = frame.set_index("proposal")
        if unit is None:
            int64_columns(frame, money)
            int64_columns(frame, ["stated_total"], nullable=True)
        return frame

    def by_rag_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame of the totals by rating and the delivery measures:
        amount and percent of the target (exact Fractions)."""
        import pandas as pd

        rows = [(c.capitalize(), v) for c, v in self.by_rag.items()]
        rows += [("Rated (all four)", self.rated), ("Target", self.target),
                 ("Secured (green + mitigations)", self.secured),
                 ("Forecast (green + amber + mitigations)", self.forecast),
                 (f"Pressure ({self.at_risk.replace('_', ' ')})",
                  self.pressure)]
        frame = pd.DataFrame(
            {"amount": [in_unit(v, unit) for _, v in rows],
             "percent_of_target": [self._percent(v) for _, v in rows]},
            index=pd.Index([label for label, _ in rows], name="rating"))
        if unit is None:
            int64_columns(frame, ["amount"])
        return frame

    def pressure_split_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame of the pressure by the split: each authority's value
        and share (summing exactly to the pressure)."""
        import pandas as pd

        split = self.pressure_split
        if split is None or self.split is None:
            raise ValueError(f"{self.source} has no split between authorities")
        codes = self.split["codes"]
        frame = pd.DataFrame(
            {"value": [text for text, _, _ in self.split["values"]],
             "share": [in_unit(split[c], unit) for c in codes]},
            index=pd.Index(codes, name="authority"))
        if unit is None:
            int64_columns(frame, ["share"])
        return frame

    # ---- text and HTML ---------------------------------------------------

    def _heading(self) -> list[str]:
        out = [self.title or self.source]
        where = ", ".join(t for t in (self.reference, self.location) if t)
        if where:
            out.append(where)
        when = " ".join(t for t in (self.year, f"({self.as_at})"
                                    if self.as_at else "") if t)
        out.append((f"{when}: " if when else "") + f"figures in {self.unit}.")
        return out

    def _delivery_lines(self) -> list[str]:
        u = self.unit
        secured = percent_text(self.secured_basis_points) or "n/a"
        forecast = percent_text(self.forecast_basis_points) or "n/a"
        return [
            f"Target {figure(self.target, u)}; rated "
            f"{figure(self.rated, u)} (red {figure(self.by_rag['red'], u)}, "
            f"amber {figure(self.by_rag['amber'], u)}, green "
            f"{figure(self.by_rag['green'], u)}, mitigations "
            f"{figure(self.by_rag['mitigations'], u)}).",
            f"Secured (green + mitigations, confirmed): "
            f"{figure(self.secured, u)} = {secured} of the target.",
            f"Forecast (green + amber + mitigations, if amber lands): "
            f"{figure(self.forecast, u)} = {forecast} of the target.",
            f"Not delivered ({self.at_risk.replace('_', ' ')}), a pressure: "
            f"{pounds(self.pressure)}."]

    def _split_lines(self) -> list[str]:
        split = self.pressure_split
        if self.split is None or split is None:
            return []
        s = self.split
        shares = ", ".join(f"{c} {pounds(v)} ({text}"
                           f"{'%' if s['kind'] == 'percent' else ''})"
                           for (c, v), (text, _, _)
                           in zip(split.items(), s["values"]))
        return [f"Funded by the {s['name'] or 'split'}: {shares}."]

    def _paragraphs(self) -> list[str]:
        return [*self._delivery_lines(), *self._split_lines()]

    def _tables(self) -> list[Table]:
        """Each proposal by rating with the totals, and the delivery
        measures against the target."""
        u = self.unit
        source = self.reference or self.title or self.source
        # The amounts as printed, summed by the totals row (role "value":
        # a spreadsheet writes that row as live sums).
        money = [Column(c, c.capitalize(), "money", u) for c in ("amount", *COLUMNS)]
        money[0] = Column("amount", "Target", "money", u)
        rows = [Row((s.reference, s.name, s.sro, s.amount,
                     *[getattr(s, c) for c in COLUMNS], s.rated))
                for s in self.proposals]
        rows.append(Row(("Total", None, None, self.target, *self.by_rag.values(),
                         self.rated), kind="total"))
        columns = (Column("reference", "Reference"), Column("name", "Proposal"),
                   Column("sro", "SRO"), *money,
                   Column("rated", "Rated", "money", u, role="computed"))
        if not any(s.reference for s in self.proposals):
            # No references printed: the total's label goes to the proposal.
            columns = columns[1:]
            rows = [Row(r.values[1:], kind=r.kind) if r.kind == "line"
                    else Row(("Total", *r.values[2:]), kind=r.kind) for r in rows]
        proposals = Table(
            "Proposals by rating", columns, tuple(rows),
            source=f"{source}; totals computed by apportion",
            negatives="brackets", name="Proposals")
        measures = (
            ("Target", self.target, Decimal(100) if self.target else None),
            ("Secured (green + mitigations)", self.secured,
             _percent(self.secured_basis_points)),
            ("Forecast (green + amber + mitigations)", self.forecast,
             _percent(self.forecast_basis_points)))
        delivery = Table(
            "Delivery against the target",
            (Column("measure", "Measure"),
             Column("amount", "Amount", "money", u, role="computed", summed=False),
             Column("percent", "Of the target", "percent", decimals=2, summed=False)),
            tuple(Row(m) for m in measures),
            source=f"{source}; computed by apportion", negatives="brackets",
            name="Delivery")
        return [proposals, delivery]

    def _charts(self) -> list[Chart]:
        """The amounts by rating: each bar its RAG colour, hatch and name."""
        per = per_unit(self.unit)
        values = [self.by_rag[c] / per for c in COLUMNS]
        return [Chart("Delivery by rating", "bar",
                      tuple(c.capitalize() for c in COLUMNS),
                      (Series(f"Savings ({self.unit})", tuple(values),
                              ("Red", "Amber", "Green", None)),),
                      unit=self.unit,
                      targets=((f"Target {figure(self.target, self.unit)}",
                                self.target / per),),
                      source=self.reference or self.title or self.source)]

    def _repr_detail(self) -> str:
        return (f"{len(self.proposals)} proposals, secured "
                f"{percent_text(self.secured_basis_points) or 'n/a'}")


def _percent(basis_points: int | None) -> Decimal | None:
    return None if basis_points is None else Decimal(basis_points).scaleb(-2)


def load_savings(path: str | os.PathLike[str], *,
                 max_bytes: int | None = None) -> Savings:
    """Read a savings file (``apportion.savings/1``, or a plan file with a
    ``"savings"`` member); errors are :class:`~apportion.PlanError` naming
    the JSON path, line and column.  A file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is refused
    before it is read; invalid UTF-8 is a PlanError at its line and column."""
    return Savings.from_file(path, max_bytes=max_bytes)


def parse_savings(text: str, source: str = "<savings>") -> Savings:
    """Read savings from JSON text."""
    return Savings.from_text(text, source)
