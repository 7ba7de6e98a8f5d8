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

import html
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from . import _core
from ._present import (audit_html, audit_lines, audit_summary, figure,
                       heading_html, in_unit, int64_columns, isna, pounds,
                       shorten, split_text, text_table)
from .audit import Report

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
    amounts: Tuple[int, ...]
    total: int
    stated_total: Optional[int]
    allow_positive: bool = False

    @property
    def label(self) -> str:
        return self.reference or self.name


class MTFP:
    """A medium-term financial plan, rolled forward and audited.

    ``base``, ``growth``, ``savings`` and ``requirement`` map each year to
    int pence; ``by_category`` maps each category to its figures by year.
    """

    def __init__(self, data: dict) -> None:
        self._data = data
        self.source: str = data["source"]
        self.title: str = data["title"]
        self.reference: str = data["reference"]
        self.location: str = data["location"]
        self.unit: str = data["unit"]
        self.years: List[str] = list(data["years"])
        #: (name, heading, is_saving) of each category, growth first.
        self.categories: List[Tuple[str, str, bool]] = [
            tuple(c) for c in data["categories"]]
        result = data["result"]
        #: The audit of every figure the paper states.
        self.audit: Report = Report._from_core(result["audit"], self.source)
        kinds = {name: saving for name, _, saving in self.categories}
        self.proposals: List[MTFPProposal] = [
            MTFPProposal(p["reference"], p["name"], p["description"],
                         p["category"], kinds[p["category"]],
                         tuple(a for a, _ in p["amounts"]), total,
                         None if p["total"] is None else p["total"][0],
                         p["allow_positive"])
            for p, total in zip(data["proposals"], result["proposal_totals"])]
        self.split: Optional[dict] = data["split"]

    # ---- construction ----------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "<mtfp>") -> "MTFP":
        """From the file's JSON form as a dict (an MTFP, or a plan with an
        ``"mtfp"`` member).  Errors are :class:`~apportion.PlanError`
        naming the JSON path."""
        return cls(_core.parse_mtfp(json.dumps(data), source))

    # ---- figures ---------------------------------------------------------

    def _by_year(self, key: str) -> Dict[str, int]:
        return dict(zip(self.years, self._data["result"][key]))

    @property
    def base(self) -> Dict[str, int]:
        """Base brought forward per year, pence: the first as the file
        gives it, then each year's requirement before it."""
        return self._by_year("base")

    @property
    def growth(self) -> Dict[str, int]:
        return self._by_year("growth")

    @property
    def savings(self) -> Dict[str, int]:
        """Savings per year, pence: negative, as printed."""
        return self._by_year("savings")

    @property
    def requirement(self) -> Dict[str, int]:
        """Net budget requirement per year, pence."""
        return self._by_year("requirement")

    @property
    def by_category(self) -> Dict[str, Dict[str, int]]:
        """Each category's total per year, pence."""
        rows = self._data["result"]["by_category"]
        return {name: {y: rows[i][c] for i, y in enumerate(self.years)}
                for c, (name, _, _) in enumerate(self.categories)}

    @property
    def category_totals(self) -> Dict[str, int]:
        """Each category across all the years, pence."""
        return {name: v for (name, _, _), v in
                zip(self.categories, self._data["result"]["category_totals"])}

    @property
    def growth_total(self) -> int:
        return self._data["result"]["growth_total"]

    @property
    def savings_total(self) -> int:
        return self._data["result"]["savings_total"]

    @property
    def requirement_split(self) -> Optional[Dict[str, Dict[str, int]]]:
        """Each year's requirement by the split, pence: {year: {code:
        share}}, each year's shares summing exactly to its requirement; or
        None without a split."""
        rows = self._data["result"]["split"]
        if rows is None:
            return None
        codes = self.split["codes"]
        return {y: dict(zip(codes, row)) for y, row in zip(self.years, rows)}

    @property
    def ok(self) -> bool:
        """True when every stated figure agrees (within rounding)."""
        return self.audit.ok

    # ---- DataFrames ------------------------------------------------------

    def by_year(self, unit: Optional[str] = None):
        """DataFrame of the roll-forward: rows base brought forward, each
        category, growth, savings and net budget requirement; a column per
        year and a "Total" across the years for the flows (none for base
        and requirement).  Int pence, or exact Decimals in ``unit``."""
        import pandas as pd

        r = self._data["result"]
        rows, index = [], []

        def add(label, values, total):
            index.append(label)
            rows.append([in_unit(v, unit) for v in values]
                        + [None if total is None else in_unit(total, unit)])

        add("Base brought forward", r["base"], None)
        totals = r["category_totals"]
        for saving, title_total, key in ((False, "Growth", "growth"),
                                        (True, "Savings", "savings")):
            for c, (name, title, is_saving) in enumerate(self.categories):
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

    def proposals_frame(self, unit: Optional[str] = None):
        """DataFrame of the proposals by year: reference (index), name,
        category, one column per year, the computed total and the paper's
        stated total (missing where the paper prints none)."""
        import pandas as pd

        rows = []
        for p in self.proposals:
            row = {"reference": p.reference, "name": p.name,
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

    def split_frame(self, unit: Optional[str] = None):
        """DataFrame of each year's requirement and its split between the
        authorities (each row sums exactly)."""
        import pandas as pd

        split = self.requirement_split
        if split is None:
            raise ValueError(f"{self.source} has no split between authorities")
        codes = self.split["codes"]
        rows = [[in_unit(self.requirement[y], unit),
                 *[in_unit(split[y][c], unit) for c in codes]]
                for y in self.years]
        frame = pd.DataFrame(rows, index=pd.Index(self.years, name="year"),
                             columns=["requirement", *codes])
        return frame.astype("int64") if unit is None else frame

    def findings(self):
        """DataFrame of every check of the paper's figures (the audit)."""
        return self.audit.to_frame()

    # ---- text and HTML ---------------------------------------------------

    def _heading(self) -> List[str]:
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
        words = split_text(s, s["codes"])
        return words + (f". {s['note']}" if s["note"] else "")

    def report(self) -> str:
        """The plan as text: the roll-forward, each proposal by year, the
        split of each requirement, and the audit of the paper's figures."""
        out = self._heading()
        frame = self.by_year()
        table = [["", *self.years, "Total"]]
        for label, row in frame.iterrows():
            table.append([label] + [figure(row[y], self.unit)
                                    for y in self.years]
                         + ["" if isna(row["Total"])
                            else figure(row["Total"], self.unit)])
        out += ["", "Roll-forward"] + text_table(table, right=range(1, len(table[0])))
        table = [["reference", "proposal", "category", *self.years, "Total",
                  "stated"]]
        for p in self.proposals:
            table.append([p.reference, shorten(p.name, 44), p.category,
                          *[figure(v, self.unit) for v in p.amounts],
                          figure(p.total, self.unit),
                          figure(p.stated_total, self.unit)])
        out += ["", "Proposals by year"] + text_table(
            table, right=range(3, len(table[0])))
        if self.split is not None:
            codes = self.split["codes"]
            table = [["year", "requirement", *codes]]
            for y, shares in self.requirement_split.items():
                table.append([y, pounds(self.requirement[y]),
                              *[pounds(shares[c]) for c in codes]])
            out += ["", f"Each requirement by the {self._split_words()}"]
            out += text_table(table, right=range(1, len(table[0])))
        out += [""] + audit_lines(self.audit)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return (f"<MTFP {self.title or self.source!r}: {len(self.years)} years, "
                f"{len(self.proposals)} proposals, {audit_summary(self.audit)}>")

    def _repr_html_(self) -> str:
        esc = html.escape
        parts = heading_html(self._heading())

        def fig(v):
            return "" if isna(v) else figure(v, self.unit)

        fmt = {c: fig for c in [*self.years, "Total"]}
        parts.append("<h5>Roll-forward</h5>")
        parts.append(self.by_year().to_html(formatters=fmt))
        fmt = {c: fig for c in [*self.years, "total", "stated_total"]}
        parts.append("<h5>Proposals by year</h5>")
        parts.append(self.proposals_frame().to_html(formatters=fmt))
        if self.split is not None:
            parts.append(f"<h5>Each requirement by the "
                         f"{esc(self._split_words())}</h5>")
            frame = self.split_frame()
            parts.append(frame.to_html(
                formatters={c: pounds for c in frame.columns}))
        parts.append(audit_html(self.audit))
        return "\n".join(parts)


def load_mtfp(path) -> MTFP:
    """Read an MTFP file (``apportion.mtfp/1``, or a plan file with an
    ``"mtfp"`` member); errors are :class:`~apportion.PlanError` naming
    the JSON path, line and column."""
    return MTFP(_core.load_mtfp(os.fspath(path)))


def parse_mtfp(text: str, source: str = "<mtfp>") -> MTFP:
    """Read an MTFP from JSON text."""
    return MTFP(_core.parse_mtfp(text, source))
