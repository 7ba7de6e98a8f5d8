"""Service plans: loaded and computed by the C core, presented here.

:func:`load_plan` reads a plan file (JSON, see ``schema/plan.schema.json``);
the core parses it, apportions every line, builds the recharge schedule and
audits each figure the paper states.  :class:`Plan` holds the results and
shows them as pandas DataFrames, as text and as HTML in Jupyter; its audit
is an :class:`apportion.audit.Report` (``plan.audit``, ``plan.findings()``)
as every paper's is.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import _core
from ._deprecate import deprecated_property, renamed
from ._paper import Paper
from ._present import isna, pounds
from .audit import Finding
from .present import Column, Row, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Check", "Plan", "load_plan", "parse_plan"]

_QUARTER_MONTHS = ("Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar")


@dataclass(frozen=True)
class Check:
    """Deprecated since 0.2: a plan's checks are the findings of its audit
    (``plan.audit``, an :class:`apportion.audit.Report`, and
    ``plan.findings()``); a Check is the old shape of one, kept a release.

    One stated figure checked against what apportion computes.
    ``difference`` is stated - computed.  ``status`` is "ok", "rounding"
    (within the figure's printed precision) or "mismatch".  Money values are
    int pence; percentages are ints in units of ``10**-scale`` percent.
    """

    id: str
    description: str
    kind: str
    scale: int
    stated: int
    computed: int
    difference: int
    status: str

    @classmethod
    def _of(cls, f: Finding) -> Check:
        """The old shape of one of the plan's findings."""
        scale = -int(f.stated.as_tuple().exponent)
        check = cls.__new__(cls)
        values = {"id": f.id, "description": f.check,
                  "kind": "percent" if f.unit == "%" else "money",
                  "scale": scale, "stated": int(f.stated.scaleb(scale)),
                  "computed": int(f.computed.scaleb(scale)),
                  "difference": int(f.difference.scaleb(scale)),
                  "status": "mismatch" if f.status == "error" else f.status}
        for name, value in values.items():
            object.__setattr__(check, name, value)
        # The finding's own sentence, which says more than the figures can
        # (a stated figure cut off by the page: what it can be).
        object.__setattr__(check, "_suggestion", f.suggestion)
        return check

    def __post_init__(self) -> None:
        warnings.warn("apportion.Check is deprecated since apportion 0.2; "
                      "a plan's checks are the findings of plan.audit",
                      DeprecationWarning, stacklevel=3)

    @property
    def ok(self) -> bool:
        return self.status != "mismatch"

    def _value(self, v: int, signed: bool = False) -> str:
        if self.kind == "money":
            return pounds(v, signed)
        text = f"{Decimal(v).scaleb(-self.scale):f}%"
        return "+" + text if signed and v > 0 else text

    @property
    def finding(self) -> str:
        """One sentence: what was stated, what it should be, by how much."""
        own: str | None = getattr(self, "_suggestion", None)
        if own is not None:
            return own
        stated, computed = self._value(self.stated), self._value(self.computed)
        if self.status == "ok":
            return f"{self.description}: yes, {stated}."
        verdict = ("within its printed rounding" if self.status == "rounding"
                   else "it does not")
        more = "more" if self.difference > 0 else "less"
        return (f"{self.description}: {verdict} — stated {stated}, computed "
                f"{computed}; the stated figure is "
                f"{self._value(abs(self.difference))} {more}.")


class Plan(Paper):
    """A service plan with its apportionment, schedule and the audit of the
    figures it states.  Made as every paper is: ``Plan(path_or_dict)``,
    :meth:`from_file`, :meth:`from_text` (or :func:`load_plan` and
    :func:`parse_plan`)."""

    _default_source = "<plan>"
    _core_load = staticmethod(_core.load_plan)
    _core_parse = staticmethod(_core.parse_plan)

    def _setup(self, data: dict[str, Any]) -> None:
        super()._setup(data)  # source, title and the audit
        self.reference: str | None = data["reference"]
        self.financial_year: str | None = data["financial_year"]
        self.unit: str = data["unit"]
        self.authorities = [code for code, _ in data["authorities"]]
        self.authority_names = {code: name for code, name in data["authorities"]}
        self.agreement: dict[str, Any] = data["agreement"]
        self.basis: dict[str, Any] = data["basis"]
        self.recharge: dict[str, Any] | None = data["recharge"]

    # ---- figures ---------------------------------------------------------

    @property
    def shares(self) -> list[list[int]]:
        """Each line's share per authority, in pence (lines x authorities)."""
        return [list(row) for row in self._data["result"]["shares"]]

    @property
    def authority_totals(self) -> dict[str, int]:
        return dict(zip(self.authorities, self._data["result"]["authority_totals"]))

    @property
    def instalments(self) -> list[int] | None:
        """The planned recharge instalments in pence (the last balances)."""
        inst = self._data["result"]["instalments"]
        return None if inst is None else list(inst)

    @property
    def recharge_share(self) -> int | None:
        return self._data["result"]["recharge_share"] if self.recharge else None

    @property
    def balancing(self) -> dict[str, Any] | None:
        """With actual expenditure: the payer's actual share and the final
        (balancing) instalment; positive is a payment, negative a refund."""
        b = self._data["result"]["balancing"]
        if b is None:
            return None
        return {"actual_share": b[0], "final_instalment": b[1]}

    @property
    def stated_printed(self) -> list[tuple[str, str]]:
        """Each stated instalment as printed: ``(legibility, text)`` with
        legibility "legible", "cut off" (a legible prefix, "£52,91…") or
        "not legible".  A cut-off figure is checked only for consistency."""
        return [(str(how), str(text)) for how, text in self._data["stated_printed"]]

    @property
    def readings(self) -> list[dict[str, str]]:
        """How ambiguous printed cells were read (the file's "readings"):
        dicts of ``of`` (the JSON path read), ``printed``, ``read_as`` and
        ``evidence``."""
        return [dict(r) for r in self._data["readings"]]

    def _by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.audit.findings if f.id is not None}

    @deprecated_property("Plan.checks is deprecated since apportion 0.2; use "
                         "Plan.audit (its findings) or Plan.findings()")
    def checks(self) -> list[Check]:
        """Deprecated since 0.2: the findings of ``audit``, in the old
        shape of :class:`Check`."""
        return [Check._of(f) for f in self.audit.findings]

    def _checks_json(self) -> list[dict[str, Any]]:
        """The checks as ``apportion run --json`` has always printed them."""
        return [{k: v for k, v in Check._of(f).__dict__.items() if not k.startswith("_")}
                for f in self.audit.findings]

    @deprecated_property("Plan.failed_checks is deprecated since apportion "
                         "0.2; use Plan.audit.errors")
    def failed_checks(self) -> list[Check]:
        """Deprecated since 0.2: use ``plan.audit.errors``."""
        return [Check._of(f) for f in self.audit.errors]

    def _instalment_labels(self) -> list[str]:
        assert self.recharge is not None
        n: int = self.recharge["instalments"]
        fy = self.financial_year or ""
        if n == 4 and len(fy) == 7 and fy[4] == "/" and fy[:4].isdigit():
            start = int(fy[:4])
            return [f"Q{q + 1} {_QUARTER_MONTHS[q]} {start + (q == 3)}"
                    for q in range(4)]
        return [f"{k + 1} of {n}" for k in range(n)]

    # ---- DataFrames ------------------------------------------------------

    def apportionment(self) -> pd.DataFrame:
        """DataFrame: one row per budget line, the total and each
        authority's share by the basis, in int pence; a final "Total" row."""
        import pandas as pd

        rows, index = [], []
        for line, shares in zip(self._data["lines"], self._data["result"]["shares"]):
            rows.append([line["description"], line["total"][0], *shares])
            index.append(line["id"])
        result = self._data["result"]
        rows.append(["", result["grand_total"], *result["authority_totals"]])
        index.append("Total")
        frame = pd.DataFrame(rows, index=pd.Index(index, name="line"),
                             columns=["description", "total", *self.authorities])
        for col in ["total", *self.authorities]:
            frame[col] = frame[col].astype("int64")
        return frame

    def schedule(self) -> pd.DataFrame:
        """DataFrame of the recharge invoices in pence: the planned amount,
        the paper's stated amount (if any) and the difference."""
        import pandas as pd

        if self.recharge is None:
            raise ValueError(f"{self.source} has no recharge rule")
        planned = self.instalments
        assert planned is not None  # a recharge rule always has a schedule
        printed = self.stated_printed
        # A cut-off or illegible cell has no stated amount: never completed.
        stated: list[Any] = ([s if how == "legible" else None
                              for (s, _), (how, _) in
                              zip(self._data["stated_instalments"], printed)]
                             or [None] * len(planned))
        n = len(planned)
        frame = pd.DataFrame({
            "payer": self.recharge["payer"],
            "payee": self.recharge["payee"],
            "kind": ["equal part"] * (n - 1) + ["balance"],
            "amount": pd.array(list[Any](planned), dtype="Int64"),
            "stated": pd.array(stated, dtype="Int64"),
        }, index=pd.Index(self._instalment_labels(), name="instalment"))
        # stated - planned, as the core's audit computed it
        by_id = self._by_id()
        diffs = [by_id.get(f"recharge.instalment[{k + 1}]") for k in range(n)]
        frame["difference"] = pd.array(
            [None if f is None or s is None else _pence(f.difference)
             for f, s in zip(diffs, stated)], dtype="Int64")
        if any(how != "legible" for how, _ in printed):
            # The cells as printed, where some are cut off or not legible.
            frame["printed"] = [text for _, text in printed]
        bal = self.balancing
        if bal is not None:
            after: list[Any] = [*planned[:-1], bal["final_instalment"]]
            frame["after_actuals"] = pd.array(after, dtype="Int64")
        return frame

    def carry_forwards(self) -> pd.DataFrame:
        """DataFrame of carry-forwards, invoiced apart from the recharge."""
        import pandas as pd

        rows = [{"payer": c["payer"], "payee": c["payee"], "amount": c["amount"][0],
                 "kind": c["kind"], "from_year": c["from_year"],
                 "description": c["description"]}
                for c in self._data["carry_forwards"]]
        return pd.DataFrame(rows, columns=["payer", "payee", "amount", "kind",
                                           "from_year", "description"])

    checks_frame = renamed(Paper.findings, "Plan.checks_frame")

    # ---- text and HTML ---------------------------------------------------

    def _heading(self) -> list[str]:
        out = [self.title or self.source]
        if self.reference:
            out.append(self.reference)
        ag = self.agreement
        if ag["host"]:
            names = self.authority_names
            out.append(f"Host {ag['host']} ({names[ag['host']] or ag['host']}) providing to "
                       f"{ag['receiving']} ({names[ag['receiving']] or ag['receiving']})"
                       + (f"; notice period {ag['notice_months']} months"
                          if ag["notice_months"] is not None else ""))
        values = ", ".join(f"{code} {text}" for code, (text, _, _) in
                           zip(self.authorities, self.basis["values"]))
        out.append(f"Basis: {self.basis['name'] or 'unnamed'} ({self.basis['kind']}): "
                   f"{values}; pennies by {self.basis['mode'].replace('_', ' ')}")
        for r in self.readings:
            out.append(f"Reading of {r['of']}: printed \"{r['printed']}\", read as "
                       f"{r['read_as']}. Evidence: {r['evidence']}")
        return out

    def _paragraphs(self) -> list[str]:
        out = []
        r = self.recharge
        if r is not None:
            part = "whole pounds" if r["granularity"] == 100 else "pence"
            what = "stated budget" if r["of"] == "stated" else "share by the basis"
            out.append(f"Recharge: {r['payer']} pays {r['payee']} its {what} of "
                       f"{pounds(self.recharge_share)} in {r['instalments']} instalments "
                       f"(equal parts in {part}, rounded {r['rounding'].replace('_', ' ')}; "
                       f"the last balances).")
            bal = self.balancing
            if bal is not None:
                word = "a further payment" if bal["final_instalment"] >= 0 else "a refund"
                out.append(f"With actual expenditure, {r['payer']}'s actual share is "
                           f"{pounds(bal['actual_share'])} and the final instalment is "
                           f"{pounds(bal['final_instalment'])} ({word}).")
        if self._data["carry_forwards"]:
            out.append(f"Carry-forwards are invoiced apart from the recharge: "
                       f"{pounds(sum(c['amount'][0] for c in self._data['carry_forwards']))}"
                       f" in all.")
        return out

    def _tables(self) -> list[Table]:
        """The apportionment by the basis, the recharge schedule and the
        carry-forwards, in pounds and pence with a minus sign for negatives
        (as the paper prints them)."""
        source = self.reference or self.title or self.source
        money = [Column("total", "Budget", "money", "£", 2),
                 *[Column(a, a, "money", "£", 2, role="computed")
                   for a in self.authorities]]
        result = self._data["result"]
        rows = [Row((line["id"], line["description"], line["total"][0], *shares))
                for line, shares in zip(self._data["lines"], result["shares"])]
        rows.append(Row(("Total", None, result["grand_total"],
                         *result["authority_totals"]), kind="total"))
        tables = [Table("Apportionment by the basis",
                        (Column("line", "Line"), Column("description", "Description"),
                         *money), tuple(rows),
                        source=f"{source}; shares computed by apportion",
                        negatives="minus", name="Apportionment")]
        if self.recharge is not None:
            tables.append(self._schedule_table(source))
        cfs = self._data["carry_forwards"]
        if cfs:
            tables.append(Table(
                "Carry-forwards, invoiced apart from the recharge",
                (Column("payer", "Payer"), Column("payee", "Payee"),
                 Column("amount", "Amount", "money", "£", 2),
                 Column("kind", "Kind"), Column("from_year", "From year"),
                 Column("description", "Description")),
                tuple(Row((c["payer"], c["payee"], c["amount"][0], c["kind"],
                           c["from_year"], c["description"])) for c in cfs),
                source=source, negatives="minus", name="Carry-forwards"))
        return tables

    def _schedule_table(self, source: str) -> Table:
        """The invoices: planned, stated as printed (a cut-off cell as its
        legible prefix), stated - invoice with its sign, a total row."""
        sched = self.schedule()
        printed: list[tuple[str, str] | None] = (
            list(self.stated_printed) or [None] * len(sched))
        columns = [Column("instalment", "Instalment"),
                   Column("invoice", "Invoice", "money", "£", 2, role="computed"),
                   Column("stated", "Stated", "money", "£", 2, role="stated"),
                   Column("difference", "Stated - invoice", "money", "£", 2,
                          role="difference", difference_of=("invoice", "stated"))]
        after = "after_actuals" in sched.columns
        if after:
            columns.append(Column("after", "After actuals", "money", "£", 2,
                                  role="computed"))
        rows = []
        for (label, row), cell in zip(sched.iterrows(), printed):
            has = not isna(row["stated"])
            stated: int | str | None = (int(row["stated"]) if has
                                        else cell[1] if cell is not None else None)
            values: list[Any] = [str(label), int(row["amount"]), stated,
                                 int(row["difference"]) if has else None]
            if after:
                values.append(int(row["after_actuals"]))
            note = (f"{cell[0]} as printed: not checked against the invoice"
                    if cell is not None and not has else None)
            rows.append(Row(tuple(values), note=note))
        total = self._by_id().get("recharge.instalments.sum")
        whole = all(c is None or c[0] == "legible" for c in printed)
        totals: list[Any] = ["Total", self.recharge_share,
                             _pence(total.stated) if total and whole else None,
                             _pence(total.difference) if total and whole else None]
        if after:
            totals.append(sum(int(v) for v in sched["after_actuals"]))
        rows.append(Row(tuple(totals), kind="total"))
        r = self.recharge
        assert r is not None
        return Table(f"Recharge schedule: {r['payer']} pays {r['payee']}",
                     tuple(columns), tuple(rows),
                     source=f"{source}; invoices computed by apportion",
                     negatives="minus", name="Recharge schedule")

    def __repr__(self) -> str:
        bad = len(self.audit.errors)
        return (f"<Plan {self.title or self.source!r}: {len(self._data['lines'])} "
                f"line(s), {len(self.authorities)} authorities, "
                f"{len(self.audit)} checks, {bad} failed>")


def _pence(pounds_: Decimal) -> int:
    """A money finding's figure (exact pounds and pence) in pence."""
    return int(pounds_.scaleb(2))


def load_plan(path: str | os.PathLike[str], *,
              max_bytes: int | None = None) -> Plan:
    """Read a plan file; errors are :class:`~apportion.PlanError` naming the
    JSON path, line and column.  A file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is refused
    before it is read; invalid UTF-8 is a PlanError at its line and column."""
    return Plan.from_file(path, max_bytes=max_bytes)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Read a plan from JSON text."""
    return Plan.from_text(text, source)
