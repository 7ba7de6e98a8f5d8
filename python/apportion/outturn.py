"""Outturn against budget, and the Q4 balancing payment of a recharge.

:func:`load_outturn` reads an outturn file (JSON of the format
``apportion.outturn/1``, see ``schema/outturn.schema.json``).  The C core
computes each line's variance, the totals, the position after reserves and
the split between authorities, and audits every figure the paper states;
:class:`Outturn` shows them as pandas DataFrames (money in int pence), as
text and as HTML in Jupyter.

Sign: variance = outturn - budget, so a positive variance is an overspend
(adverse).  A file that prints its variances the other way round says so
(``"variance_sign": "budget_minus_outturn"``); that changes only how its
stated figures are read.

:func:`q4_balance` re-runs a plan's own compute (``apportion.plan``) with the
year's actual expenditure and returns the payer's actual share and the
balancing payment (positive) or refund (negative), with the plan's
carry-forwards and receipts in advance listed apart, never netted in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypedDict, Union

from . import _core, limits
from ._deprecate import renamed
from ._paper import CoreData, Paper
from ._present import (
    figure,
    finest_decimals,
    int64_columns,
    percent_text,
    pounds,
    split_text,
)
from .present import Column, Presentable, Row, Table, View

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .plan import Plan

__all__ = ["CarryForward", "Outturn", "OutturnTotal", "Q4Balance", "load_outturn",
           "parse_outturn", "parse_q4_balance", "q4_balance"]


#: Money as q4_balance takes it: int pence (a numpy integer too), money
#: text such as "£420,000", or Decimal pounds.
Money = Union[int, "np.integer[Any]", str, Decimal]

_SIGN_NAMES = {"outturn_minus_budget": "outturn - budget",
               "budget_minus_outturn": "budget - outturn"}


# ---- outturn ------------------------------------------------------------------

_MONEY_COLUMNS = ["budget", "gross_outturn", "funding", "outturn", "variance"]


class OutturnTotal(TypedDict):
    """:attr:`Outturn.total`: money in int pence; the variance's exact
    ratio to the service budget and its basis points (None for a nil
    budget)."""

    budget: int
    gross_outturn: int
    funding: int
    outturn: int
    variance: int
    variance_ratio: Fraction | None
    variance_bp: int | None


def _direction(variance: int) -> str:
    return ("overspend" if variance > 0 else "underspend" if variance < 0
            else "on budget")


def _percent(basis_points: int | None) -> Decimal | None:
    """The core's basis points as a percentage: 87 -> 0.87."""
    return None if basis_points is None else Decimal(basis_points).scaleb(-2)


def _ratio(v: dict[str, Any]) -> Fraction | None:
    return None if v["ratio"] is None else Fraction(*v["ratio"])


class Outturn(Paper):
    """Budget against outturn by line, service area and authority, with the
    use of reserves and the audit of the paper's own figures.

    ``Outturn(path)`` or ``Outturn(dict)`` reads an outturn file (or a plan
    file with an ``"outturn"`` member), as :class:`~apportion._paper.Paper`
    describes; :func:`load_outturn` and :func:`parse_outturn` do the same."""

    _core_load = staticmethod(_core.load_outturn)
    _core_parse = staticmethod(_core.parse_outturn)
    _default_source = "<outturn>"

    def _setup(self, data: CoreData) -> None:
        super()._setup(data)
        r = data["result"]
        self._r: CoreData = r
        self.financial_year: str | None = data["financial_year"]
        self.period: str | None = data["period"]
        self.unit: str = data["unit"]
        self.outturn_kind: str = data["outturn_kind"]
        self.funding_label: str = data["funding_label"]
        #: How the file prints its variances ("outturn_minus_budget" or
        #: "budget_minus_outturn").
        self.variance_sign: str = data["variance_sign"]
        #: The convention of every computed variance: always
        #: "outturn_minus_budget" (positive is an overspend).
        self.sign: str = r["sign"]
        self.sign_rule: str = data["sign_rule"]
        self.authorities: list[str] = [c for c, _ in data["authorities"]]
        self.authority_names: dict[str, str] = {c: n for c, n in data["authorities"]}
        self.split: dict[str, Any] | None = data["split"]
        printed = [line[k] for line in data["lines"] for k in _MONEY_COLUMNS
                   if k != "funding" and line[k] is not None]
        printed += [a for line in data["lines"] for _, a in line["funding"]]
        printed += [v for v in data["total"].values() if v is not None]
        self._dec = finest_decimals(self.unit, printed)

    def _fig(self, pence: int | None) -> str:
        """A figure as the paper's table prints it, to its finest precision."""
        return figure(pence, self.unit, self._dec)

    # ---- figures (int pence; variances overspend-positive) ----------------

    @property
    def total(self) -> OutturnTotal:
        """Budget, gross outturn, funding, outturn and variance over every
        line, and the variance in basis points of the service budget."""
        t = self._r["total"]
        return OutturnTotal(budget=t["budget"], gross_outturn=t["gross_outturn"],
                            funding=t["funding"], outturn=t["outturn"],
                            variance=t["variance"], variance_ratio=_ratio(t),
                            variance_bp=t["basis_points"])

    @property
    def service_budget(self) -> int:
        """The budget of the service lines, before income lines (such as
        the contract sum) net it down: NCT 2021/22's £123.348m."""
        return int(self._r["service_budget"])

    @property
    def income_budget(self) -> int:
        return int(self._r["income_budget"])

    @property
    def reserves(self) -> int:
        """The reserves used to meet the variance."""
        return int(self._r["reserves"])

    @property
    def net_variance(self) -> int:
        """The variance after reserves: negative is a net underspend."""
        return int(self._r["net_variance"])

    @property
    def sign_reversed(self) -> bool:
        """True when every stated line variance is the computed one negated:
        the file's ``variance_sign`` is probably the other convention."""
        return bool(self._r["sign_reversed"])

    # ---- DataFrames -------------------------------------------------------

    def lines_frame(self) -> pd.DataFrame:
        """DataFrame, one row per line: the service, its area, kind and
        authority; budget, gross outturn, funding, outturn and variance in
        int pence (variance = outturn - budget, positive an overspend);
        ``variance_ratio`` the exact Fraction of |budget| (None for a nil
        budget), ``variance_bp`` in basis points rounded half away from
        zero, ``direction``, and the paper's own variance as printed
        (``stated_variance``, pence, in the file's convention)."""
        import pandas as pd

        rows, index = [], []
        for line, v in zip(self._data["lines"], self._r["lines"]):
            stated = line["variance"]
            rows.append({
                "service": line["service"],
                "service_area": line["service_area"] or line["service"],
                "kind": line["kind"], "authority": line["authority"],
                **{k: v[k] for k in _MONEY_COLUMNS},
                "variance_ratio": _ratio(v), "variance_bp": v["basis_points"],
                "direction": _direction(v["variance"]),
                "stated_variance": None if stated is None else stated[0],
            })
            index.append(line["id"])
        frame = pd.DataFrame(rows, index=pd.Index(index, name="line"))
        int64_columns(frame, _MONEY_COLUMNS)
        return int64_columns(frame, ["variance_bp", "stated_variance"],
                             nullable=True)

    def areas_frame(self) -> pd.DataFrame:
        """DataFrame by service area (a line without one is its own area):
        the same money columns summed, with the variance ratio of the
        area's budget."""
        import pandas as pd

        rows = [{"service_area": a["name"], "lines": a["n_lines"],
                 **{k: a[k] for k in _MONEY_COLUMNS},
                 "variance_ratio": _ratio(a), "variance_bp": a["basis_points"]}
                for a in self._r["areas"]]
        frame = pd.DataFrame(rows).set_index("service_area")
        int64_columns(frame, _MONEY_COLUMNS)
        return int64_columns(frame, ["variance_bp"], nullable=True)

    def by_authority_frame(self) -> pd.DataFrame:
        """DataFrame of each line's variance split between the authorities
        (int pence, exact by line and by authority), a "Total" row, the
        reserves split the same way, and the net variance."""
        import pandas as pd

        ba = self._r["by_authority"]
        if ba is None:
            raise ValueError(f"{self.source} has no authorities and split")
        index = [line["id"] for line in self._data["lines"]]
        services = [line["service"] for line in self._data["lines"]]
        rows = [list(r) for r in ba["variance_shares"]]
        rows += [ba["variance"], ba["reserves"], ba["net_variance"]]
        index += ["Total", "Reserves used", "Net variance"]
        services += ["", "", ""]
        frame = pd.DataFrame(rows, columns=self.authorities,
                             index=pd.Index(index, name="line"))
        frame.insert(0, "service", services)
        frame["total"] = frame[self.authorities].sum(axis=1)
        return int64_columns(frame, [*self.authorities, "total"])

    def reserves_frame(self) -> pd.DataFrame:
        """DataFrame of the reserves used, in pence."""
        import pandas as pd

        return pd.DataFrame(
            [{"name": r["name"], "description": r["description"],
              "amount": r["amount"][0]} for r in self._data["reserves"]],
            columns=["name", "description", "amount"])

    def grants_frame(self) -> pd.DataFrame | None:
        """DataFrame of the grants table the paper prints beside the
        outturn (in pence), or None."""
        import pandas as pd

        g = self._data["grants"]
        if g is None:
            return None
        frame = pd.DataFrame([{"grant": n, "amount": a[0]} for n, a in g["items"]])
        return int64_columns(frame, ["amount"])

    def formatted_frame(self) -> pd.DataFrame:
        """The lines as the paper prints them (figures in the file's unit,
        brackets for negatives) with the variance % and whether it is an
        over- or underspend; then the computed "Total" and, when the paper
        prints one, its own total row."""
        import pandas as pd

        frame = self.lines_frame()
        total = self.total
        names = ["Budget", "Gross outturn", self.funding_label, "Outturn",
                 "Variance"]
        rows = []
        for idx, row in frame.iterrows():
            bp = row["variance_bp"]
            rows.append([idx, row["service"],
                         *[self._fig(row[k]) for k in _MONEY_COLUMNS],
                         percent_text(None if pd.isna(bp) else int(bp)),
                         row["direction"]])
        money = (total["budget"], total["gross_outturn"], total["funding"],
                 total["outturn"], total["variance"])  # _MONEY_COLUMNS' order
        rows.append(["Total", "Total", *[self._fig(v) for v in money],
                     percent_text(total["variance_bp"]),
                     _direction(total["variance"])])
        printed = self._data["total"]
        if any(v is not None for v in printed.values()):
            rows.append(["Total as printed", "Total as printed",
                         *[("-" if printed[k][1] == 0 else self._fig(printed[k][0]))
                           if printed[k] is not None else ""
                           for k in _MONEY_COLUMNS], "", ""])
        out = pd.DataFrame([r[1:] for r in rows],
                           columns=["Service", *names, "Variance %", ""],
                           index=pd.Index([r[0] for r in rows], name="line"))
        return out

    lines = renamed(lines_frame, "Outturn.lines")
    areas = renamed(areas_frame, "Outturn.areas")
    by_authority = renamed(by_authority_frame, "Outturn.by_authority")
    grants = renamed(grants_frame, "Outturn.grants")
    formatted = renamed(formatted_frame, "Outturn.formatted")

    # ---- text and HTML ----------------------------------------------------

    def _heading(self) -> list[str]:
        out = [self.title or self.source]
        kind = "Forecast outturn" if self.outturn_kind == "forecast" else "Outturn"
        when = " ".join(x for x in (self.financial_year,
                                    f"({self.period})" if self.period else None)
                        if x)
        out.append(f"{kind}{' ' + when if when else ''}; figures in {self.unit}, "
                   f"brackets are negative.")
        out.append(self.sign_rule)
        if self.variance_sign != self.sign:
            out.append(f"The paper prints its variances as "
                       f"{_SIGN_NAMES[self.variance_sign]}; they are shown here "
                       f"as {_SIGN_NAMES[self.sign]}.")
        if self.sign_reversed:
            out.append("WARNING: every stated variance is the computed one "
                       "negated: the file's variance_sign is probably the "
                       "other convention.")
        return out

    def _paragraphs(self) -> list[str]:
        """The position: the budget before income, the total variance (with
        its sign, as the tables show it), the reserves and what is left."""
        fig = self._fig
        t = self.total
        out = []
        if self.income_budget:
            out.append(f"The service budget is {fig(self.service_budget)} "
                       f"before income of {fig(self.income_budget)}, so the "
                       f"budget totals {fig(t['budget']) or '-'}.")
        word = _direction(t["variance"])
        pct = (f", {percent_text(t['variance_bp'])} of the "
               f"{'service ' if self.income_budget else ''}budget"
               if t["variance_bp"] is not None else "")
        signed = "+" if t["variance"] > 0 else ""
        out.append(f"Total variance {signed}{fig(t['variance'])}: "
                   f"{'an ' if word[0] in 'ou' else 'a '}{word}{pct}."
                   if word != "on budget" else "The total is on budget.")
        for r in self._data["reserves"]:
            out.append(f"Reserve used: {r['name']} {fig(r['amount'][0])}"
                       + (f" ({r['description']})" if r["description"] else ""))
        if self._data["reserves"]:
            net = self.net_variance
            out.append(f"Net variance after reserves {fig(net)}: "
                       + ("a net overspend" if net > 0 else
                          "a net underspend" if net < 0 else "break-even")
                       + f" of {pounds(abs(net))}.")
        return out

    def _split_words(self) -> str:
        assert self.split is not None  # only with authorities and a split
        return split_text(self.split, self.authorities)

    def _tables(self) -> list[Table]:
        """The lines as the paper prints them (in its unit) with the
        computed total and the paper's own; then the variance, reserves
        and net variance by authority (in pounds).  Negatives in brackets
        throughout; variances signed (+ an overspend)."""
        unit, dec = self.unit, self._dec
        source = self.title or self.source
        names = ["Budget", "Gross outturn", self.funding_label, "Outturn"]
        columns = (Column("line", "Line"), Column("service", "Service"),
                   *[Column(k, n, "money", unit, dec, role="computed")
                     for k, n in zip(_MONEY_COLUMNS, names)],
                   Column("variance", "Variance", "money", unit, dec,
                          role="difference", difference_of=("budget", "outturn")),
                   Column("variance_pct", "Variance %", "percent", decimals=2,
                          role="difference", summed=False),
                   Column("direction", "Over or under"))
        rows = []
        for line, v in zip(self._data["lines"], self._r["lines"]):
            rows.append(Row((line["id"], line["service"],
                             *[v[k] for k in _MONEY_COLUMNS],
                             _percent(v["basis_points"]),
                             _direction(v["variance"]))))
        t = self.total
        rows.append(Row(("Total", None, *[t[k] for k in _MONEY_COLUMNS],  # type: ignore[literal-required]
                         _percent(t["variance_bp"]), _direction(t["variance"])),
                        kind="total"))
        printed = self._data["total"]
        if any(v is not None for v in printed.values()):
            rows.append(Row(("Total as printed", None,
                             *[("-" if printed[k][1] == 0 else printed[k][0])
                               if printed[k] is not None else None
                               for k in _MONEY_COLUMNS], None, None),
                            kind="note",
                            note="the paper's own total row, as printed"))
        tables = [Table("Outturn by line", columns, tuple(rows),
                        source=f"{source}; totals and variances computed by apportion",
                        negatives="brackets", name="Outturn")]
        ba = self._r["by_authority"]
        if ba is not None:
            rows = [Row((code, ba["variance"][k], ba["reserves"][k],
                         ba["net_variance"][k]))
                    for k, code in enumerate(self.authorities)]
            rows.append(Row(("Total", sum(ba["variance"]), sum(ba["reserves"]),
                             sum(ba["net_variance"])), kind="total"))
            tables.append(Table(
                f"By authority, by the {self._split_words()}",
                (Column("authority", "Authority"),
                 Column("variance", "Variance", "money", "£", 2, role="computed"),
                 Column("reserves", "Reserves used", "money", "£", 2, role="computed"),
                 Column("net_variance", "Net variance", "money", "£", 2,
                        role="computed")),
                tuple(rows), source=f"{source}; split computed by apportion",
                negatives="brackets", name="By authority"))
        return tables

    def _repr_detail(self) -> str:
        return (f"{len(self._data['lines'])} line(s), variance "
                f"{pounds(self.total['variance'], signed=True)}")


def load_outturn(path: str | os.PathLike[str], *,
                 max_bytes: int | None = None) -> Outturn:
    """Read an outturn file; errors are :class:`~apportion.PlanError` naming
    the JSON path, line and column.  A file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is refused
    before it is read; invalid UTF-8 is a PlanError at its line and column."""
    return Outturn.from_file(path, max_bytes=max_bytes)


def parse_outturn(text: str, source: str = "<outturn>") -> Outturn:
    """Read an outturn from JSON text."""
    return Outturn.from_text(text, source)


# ---- the Q4 balancing payment --------------------------------------------------

class CarryForward(TypedDict):
    """A carry-forward or receipt in advance of a plan, invoiced apart from
    the balance (amount in int pence)."""

    description: str | None
    kind: str
    from_year: str | None
    amount: int
    payer: str
    payee: str


@dataclass(frozen=True)
class Q4Balance(Presentable):
    """A recharge settled against the year's actual expenditure.

    Money is int pence.  ``balance`` = ``actual_share`` - ``billed_total``:
    positive is a further payment by the payer, negative a refund to it.
    ``carry_forwards`` (the plan's carry-forwards and receipts in advance)
    are invoiced apart and never part of the balance."""

    source: str
    payer: str
    payee: str
    budget: int
    actual_expenditure: int
    variance: int
    budget_share: int
    actual_share: int
    billed: tuple[int, ...]
    billed_total: int
    planned_final: int
    balance: int
    carry_forwards: tuple[CarryForward, ...]

    @classmethod
    def _from_core(cls, d: CoreData) -> Q4Balance:
        cfs = tuple(CarryForward(description=c["description"], kind=c["kind"],
                                 from_year=c["from_year"], amount=c["amount"][0],
                                 payer=c["payer"], payee=c["payee"])
                    for c in d["carry_forwards"])
        return cls(d["source"], d["payer"], d["payee"], d["budget"],
                   d["actual_expenditure"], d["variance"], d["budget_share"],
                   d["actual_share"], tuple(d["billed"]), d["billed_total"],
                   d["planned_final"], d["balance"], cfs)

    @property
    def kind(self) -> str:
        """"payment", "refund" or "nil"."""
        return ("payment" if self.balance > 0 else "refund" if self.balance < 0
                else "nil")

    def to_frame(self) -> pd.DataFrame:
        """DataFrame of the invoices: those billed, then the balance."""
        import pandas as pd

        n = len(self.billed) + 1
        labels = ([f"Q{k + 1}" for k in range(n)] if n == 4
                  else [f"{k + 1} of {n}" for k in range(n)])
        frame = pd.DataFrame({
            "payer": self.payer, "payee": self.payee,
            "kind": ["billed"] * (n - 1) + [f"balance ({self.kind})"],
            "amount": [*self.billed, self.balance],
            "planned": [*self.billed, self.planned_final],
        }, index=pd.Index(labels, name="instalment"))
        return int64_columns(frame, ["amount", "planned"])

    def carry_forwards_frame(self) -> pd.DataFrame:
        """DataFrame of the carry-forwards and receipts in advance, apart."""
        import pandas as pd

        return pd.DataFrame(list(self.carry_forwards),
                            columns=["payer", "payee", "amount", "kind",
                                     "from_year", "description"])

    frame = renamed(to_frame, "Q4Balance.frame")

    def view(self) -> View:
        """The balance as a :class:`~apportion.present.model.View`: the shares,
        what was billed and the balance in words, the invoices (the last
        the balance) in a table, and the carry-forwards invoiced apart."""
        word = {"payment": f"a further payment by {self.payer}",
                "refund": f"a refund to {self.payer}",
                "nil": "nothing further"}[self.kind]
        paragraphs = [
            f"Budget {pounds(self.budget)}; actual expenditure "
            f"{pounds(self.actual_expenditure)} (variance "
            f"{pounds(self.variance, signed=True)}, positive an overspend).",
            f"{self.payer}'s share: {pounds(self.budget_share)} of the "
            f"budget, {pounds(self.actual_share)} of the actual spend.",
            f"Billed {' + '.join(pounds(b) for b in self.billed) or 'nothing'}"
            f" = {pounds(self.billed_total)}; the final instalment was "
            f"planned at {pounds(self.planned_final)}.",
            f"Balance: {pounds(self.balance)}, {word}."]
        if self.carry_forwards:
            paragraphs.append("Invoiced apart, not in the balance:")
            for c in self.carry_forwards:
                paragraphs.append(
                    f"{c['payer']} pays {c['payee']} {pounds(c['amount'])}: {c['kind']}"
                    + (f" from {c['from_year']}" if c["from_year"] else "")
                    + (f" — {c['description']}" if c["description"] else ""))
        frame = self.to_frame()
        rows = [Row((str(label), r["kind"], int(r["amount"]), int(r["planned"])))
                for label, r in frame.iterrows()]
        rows.append(Row(("Total", None, self.actual_share,
                         self.billed_total + self.planned_final), kind="total"))
        table = Table(
            "Invoices", (Column("instalment", "Instalment"), Column("kind", "Kind"),
                         Column("amount", "Amount", "money", "£", 2, role="computed"),
                         Column("planned", "Planned", "money", "£", 2,
                                role="computed")),
            tuple(rows), source=f"{self.source}; computed by apportion",
            negatives="minus", name="Invoices")
        return View(f"Q4 balancing of {self.payer}'s recharge to {self.payee} "
                    f"({self.source})", paragraphs=tuple(paragraphs),
                    tables=(table,))

    def report(self) -> str:
        """The balance as text: the shares, what was billed, the balance,
        the invoices, and the carry-forwards invoiced apart."""
        return self.to_text()

    def __str__(self) -> str:
        return self.report()


def _actual_pence(actual: object) -> object:
    """Int pence, money text ("£420,000", "£0.42m") or Decimal pounds, as
    int pence; anything else goes to the core as it is, for its message."""
    if isinstance(actual, bool):
        raise TypeError("actual_expenditure must be int pence, money text or "
                        "Decimal pounds, not bool")
    if isinstance(actual, str):
        return int(_core.parse_money(actual, "£")[0])
    if isinstance(actual, Decimal):
        hundredths = actual * 100
        if hundredths != hundredths.to_integral_value():
            raise ValueError(f"actual_expenditure {actual} is finer than a penny")
        return int(hundredths)
    if isinstance(actual, float):
        raise TypeError("actual_expenditure must not be a float: give int "
                        "pence, money text such as '£420,000' or a Decimal")
    return actual  # ints (and numpy integers) are checked by the core


def q4_balance(plan: str | os.PathLike[str] | Plan,
               actual_expenditure: Money) -> Q4Balance:
    """The Q4 balancing payment or refund of ``plan``'s recharge when the
    year's actual expenditure is ``actual_expenditure`` (int pence, money
    text such as ``"£420,000"``, or Decimal pounds; a ledger's total works).

    ``plan`` is a plan file's path or a :class:`~apportion.plan.Plan`
    loaded from a file; the plan is read again and computed by the core
    with the actual set, so shares, rounding and the instalments billed are
    the plan's own.  For a plan held as text use :func:`parse_q4_balance`."""
    path = getattr(plan, "source", plan)
    if not isinstance(path, (str, bytes, os.PathLike)) or not os.path.isfile(path):
        raise ValueError(
            f"q4_balance needs a plan file: {path!r} is not one (a Plan "
            f"parsed from text: pass its text to parse_q4_balance)")
    return Q4Balance._from_core(
        _core.load_plan_balance(os.fspath(path), _actual_pence(actual_expenditure),
                                limits.input_bytes()))


def parse_q4_balance(text: str, actual_expenditure: Money,
                     source: str = "<plan>") -> Q4Balance:
    """:func:`q4_balance` for a plan given as JSON text."""
    return Q4Balance._from_core(
        _core.parse_plan_balance(text, source, _actual_pence(actual_expenditure)))
