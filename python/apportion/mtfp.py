"""Medium-term financial plans (MTFP) rolled forward year by year.

Each year: base brought forward + growth (inflation, service pressures) +
savings (efficiencies, income generation, service transformation, service
cuts) = net budget requirement, which becomes the next year's base brought
forward.

Figures are typed as the paper prints them (``schema/mtfp.schema.json``,
format ``apportion.mtfp/1``).  Savings are printed negative, in brackets
("(3,540)"), and are added as printed, so the savings total is negative; a
savings proposal with a positive amount is refused, naming it, unless it
says ``"allow_positive": true``.  A plan file (``apportion.plan/1``) may
carry the same object under a top-level ``"mtfp"`` member.

The C core reads the file, rolls the plan forward, splits each year's
requirement between authorities (if the file gives a split) and checks
every figure the paper states with ``ap_audit_sum``: :attr:`MTFP.audit` is
an :class:`apportion.audit.Report`.  Money is int pence throughout;
DataFrame views take ``unit="£000"`` (or any unit) for exact ``Decimal``
figures in that unit instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _core
from ._deprecate import renamed
from ._paper import CoreData, Paper
from ._present import (
    in_unit,
    int64_columns,
    split_text,
)
from .present import Column, Row, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MTFP", "MTFPProposal", "load_mtfp", "parse_mtfp"]


@dataclass(frozen=True)
class MTFPProposal:
    """One proposal: its printed amounts per year (pence, in the plan's
    year order), the sum of them, and the paper's own total if printed."""

    reference: str
    name: str
    description: str
    category: str
    is_saving: bool
    amounts: tuple[int, ...]
    total: int
    stated_total: int | None
    allow_positive: bool = False

    @property
    def label(self) -> str:
        return self.reference or self.name


class MTFP(Paper):
    """A medium-term financial plan, rolled forward and audited.

    ``base``, ``growth``, ``savings`` and ``requirement`` map each year to
    int pence; ``by_category`` maps each category to its figures by year.
    ``MTFP(path)`` or ``MTFP(dict)`` reads an MTFP file (or a plan file with
    an ``"mtfp"`` member), as :class:`~apportion._paper.Paper` describes;
    :func:`load_mtfp` and :func:`parse_mtfp` do the same.
    """

    _core_load = staticmethod(_core.load_mtfp)
    _core_parse = staticmethod(_core.parse_mtfp)
    _default_source = "<mtfp>"

    title: str

    def _setup(self, data: CoreData) -> None:
        super()._setup(data)
        self.reference: str = data["reference"]
        self.location: str = data["location"]
        self.unit: str = data["unit"]
        self.years: list[str] = list(data["years"])
        #: (name, heading, is_saving) of each category, growth first.
        self.categories: list[tuple[str, str, bool]] = [
            (name, heading, saving) for name, heading, saving in data["categories"]]
        result = data["result"]
        kinds = {name: saving for name, _, saving in self.categories}
        self.proposals: list[MTFPProposal] = [
            MTFPProposal(p["reference"], p["name"], p["description"],
                         p["category"], kinds[p["category"]],
                         tuple(a for a, _ in p["amounts"]), total,
                         None if p["total"] is None else p["total"][0],
                         p["allow_positive"])
            for p, total in zip(data["proposals"], result["proposal_totals"])]
        self.split: dict[str, Any] | None = data["split"]

    # ---- figures ---------------------------------------------------------

    def _by_year(self, key: str) -> dict[str, int]:
        return dict(zip(self.years, self._data["result"][key]))

    @property
    def base(self) -> dict[str, int]:
        """Base brought forward per year, pence: the first as the file
        gives it, then each year's requirement before it."""
        return self._by_year("base")

    @property
    def growth(self) -> dict[str, int]:
        return self._by_year("growth")

    @property
    def savings(self) -> dict[str, int]:
        """Savings per year, pence: negative, as printed."""
        return self._by_year("savings")

    @property
    def requirement(self) -> dict[str, int]:
        """Net budget requirement per year, pence."""
        return self._by_year("requirement")

    @property
    def by_category(self) -> dict[str, dict[str, int]]:
        """Each category's total per year, pence."""
        rows = self._data["result"]["by_category"]
        return {name: {y: rows[i][c] for i, y in enumerate(self.years)}
                for c, (name, _, _) in enumerate(self.categories)}

    @property
    def category_totals(self) -> dict[str, int]:
        """Each category across all the years, pence."""
        return {name: v for (name, _, _), v in
                zip(self.categories, self._data["result"]["category_totals"])}

    @property
    def growth_total(self) -> int:
        return int(self._data["result"]["growth_total"])

    @property
    def savings_total(self) -> int:
        return int(self._data["result"]["savings_total"])

    @property
    def requirement_split(self) -> dict[str, dict[str, int]] | None:
        """Each year's requirement by the split, pence: {year: {code:
        share}}, each year's shares summing exactly to its requirement; or
        None without a split."""
        rows = self._data["result"]["split"]
        if rows is None or self.split is None:
            return None
        codes = self.split["codes"]
        return {y: dict(zip(codes, row)) for y, row in zip(self.years, rows)}

    # ---- DataFrames ------------------------------------------------------

    def by_year_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame of the roll-forward: rows base brought forward, each
        category, growth, savings and net budget requirement; a column per
        year and a "Total" across the years for the flows (none for base
        and requirement).  Int pence, or exact Decimals in ``unit``."""
        import pandas as pd

        r = self._data["result"]
        rows: list[list[int | Decimal | None]] = []
        index: list[str] = []

        def add(label: str, values: list[int], total: int | None) -> None:
            index.append(label)
            shown: list[int | Decimal | None] = [in_unit(v, unit) for v in values]
            rows.append([*shown, None if total is None else in_unit(total, unit)])

        add("Base brought forward", r["base"], None)
        totals = r["category_totals"]
        for saving, title_total, key in ((False, "Growth", "growth"),
                                        (True, "Savings", "savings")):
            for c, (_, title, is_saving) in enumerate(self.categories):
                if is_saving == saving:
                    add(title, [row[c] for row in r["by_category"]],
                        totals[c])
            add(title_total, r[key], r[f"{key}_total"])
        add("Net budget requirement", r["requirement"], None)
        frame = pd.DataFrame(rows, index=pd.Index(index, name="line"),
                             columns=[*self.years, "Total"])
        if unit is None:
            int64_columns(frame, self.years)
            int64_columns(frame, ["Total"], nullable=True)
        return frame

    def proposals_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame of the proposals by year: reference (index), name,
        category, one column per year, the computed total and the paper's
        stated total (missing where the paper prints none)."""
        import pandas as pd

        rows = []
        for p in self.proposals:
            row: dict[str, object] = {"reference": p.reference, "name": p.name,
                                      "category": p.category}
            for y, v in zip(self.years, p.amounts):
                row[y] = in_unit(v, unit)
            row["total"] = in_unit(p.total, unit)
            row["stated_total"] = (None if p.stated_total is None
                                   else in_unit(p.stated_total, unit))
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["reference", "name", "category",
                                            *self.years, "total",
                                            "stated_total"])
        frame = frame.set_index("reference")
        if unit is None:
            int64_columns(frame, [*self.years, "total"])
            int64_columns(frame, ["stated_total"], nullable=True)
        return frame

    def split_frame(self, unit: str | None = None) -> pd.DataFrame:
        """DataFrame of each year's requirement and its split between the
        authorities (each row sums exactly)."""
        import pandas as pd

        split = self.requirement_split
        if split is None or self.split is None:
            raise ValueError(f"{self.source} has no split between authorities")
        codes = self.split["codes"]
        rows = [[in_unit(self.requirement[y], unit),
                 *[in_unit(split[y][c], unit) for c in codes]]
                for y in self.years]
        frame = pd.DataFrame(rows, index=pd.Index(self.years, name="year"),
                             columns=["requirement", *codes])
        return frame.astype("int64") if unit is None else frame

    by_year = renamed(by_year_frame, "MTFP.by_year")

    # ---- text and HTML ---------------------------------------------------

    def _heading(self) -> list[str]:
        out = [self.title or self.source]
        where = ", ".join(t for t in (self.reference, self.location) if t)
        if where:
            out.append(where)
        out.append(f"Figures in {self.unit}; savings are negative, as "
                   "printed. Net budget requirement = base brought forward + "
                   "growth + savings; it is the next year's base.")
        return out

    def _split_words(self) -> str:
        s = self.split
        assert s is not None  # only with a split
        words = split_text(s, s["codes"])
        return words + (f". {s['note']}" if s["note"] else "")

    def _tables(self) -> list[Table]:
        """The roll-forward (base, each category, growth and savings as
        subtotals, the net budget requirement), each proposal by year, and
        each requirement's split between the authorities."""
        r = self._data["result"]
        unit, years = self.unit, self.years
        source = self.reference or self.title or self.source
        year_cols = [Column(y, y, "money", unit, role="computed") for y in years]
        rows: list[Row] = [Row(("Base brought forward", *r["base"], None))]
        subtotals: list[int] = [0]
        totals = r["category_totals"]
        for saving, title_total, key in ((False, "Growth", "growth"),
                                        (True, "Savings", "savings")):
            first = len(rows)
            for c, (_, title, is_saving) in enumerate(self.categories):
                if is_saving == saving:
                    rows.append(Row((title, *[row[c] for row in r["by_category"]],
                                     totals[c])))
            subtotals.append(len(rows))
            rows.append(Row((title_total, *r[key], r[f"{key}_total"]),
                            kind="subtotal", sum_of=tuple(range(first, len(rows)))))
        rows.append(Row(("Net budget requirement", *r["requirement"], None),
                        kind="total", sum_of=tuple(subtotals)))
        tables = [Table("Roll-forward",
                        (Column("line", "Line"), *year_cols,
                         Column("total", "Total", "money", unit, role="computed")),
                        tuple(rows), source=source, negatives="brackets",
                        name="Roll-forward")]
        prop_rows = tuple(
            Row((p.reference, p.name, p.category, *p.amounts, p.total, p.stated_total))
            for p in self.proposals)
        tables.append(Table(
            "Proposals by year",
            (Column("reference", "Reference"), Column("name", "Proposal"),
             Column("category", "Category"), *year_cols,
             Column("total", "Total", "money", unit, role="computed"),
             Column("stated", "Stated total", "money", unit, role="stated",
                    summed=False)),
            prop_rows, source=source, negatives="brackets", name="Proposals"))
        split = self.requirement_split
        if self.split is not None and split is not None:
            codes = self.split["codes"]
            tables.append(Table(
                f"Each requirement by the {self._split_words()}",
                (Column("year", "Year"),
                 Column("requirement", "Requirement", "money", "£", 2, role="computed"),
                 *[Column(c, c, "money", "£", 2, role="computed") for c in codes]),
                tuple(Row((y, self.requirement[y], *[shares[c] for c in codes]))
                      for y, shares in split.items()),
                source=f"{source}; split computed by apportion",
                negatives="brackets", name="Split"))
        return tables

    def _repr_detail(self) -> str:
        return f"{len(self.years)} years, {len(self.proposals)} proposals"


def load_mtfp(path: str | os.PathLike[str], *,
              max_bytes: int | None = None) -> MTFP:
    """Read an MTFP file (``apportion.mtfp/1``, or a plan file with an
    ``"mtfp"`` member); errors are :class:`~apportion.PlanError` naming
    the JSON path, line and column.  A file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is refused
    before it is read; invalid UTF-8 is a PlanError at its line and column."""
    return MTFP.from_file(path, max_bytes=max_bytes)


def parse_mtfp(text: str, source: str = "<mtfp>") -> MTFP:
    """Read an MTFP from JSON text."""
    return MTFP.from_text(text, source)
