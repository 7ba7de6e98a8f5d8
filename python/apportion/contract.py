"""Contract sums paid in blocks: core funding, named items and provisions
drawn down by approved business cases.

:func:`load_contract_sum` reads a contract-sum file (JSON of the format
``apportion.contract_sum/1``, see ``schema/contract_sum.schema.json``).  The
C core computes each block's funding agreed and balance outstanding
(amount - funding agreed), the contract sum (the blocks in it), the split
between the authorities, and audits every figure the paper prints;
:class:`ContractSum` shows them as pandas DataFrames (money in int pence),
as text and as HTML in Jupyter.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _core
from ._deprecate import renamed
from ._paper import CoreData, Paper
from ._present import (
    figure,
    finest_decimals,
    int64_columns,
    isna,
    pounds,
    split_text,
)
from .present import Column, Row, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ContractSum", "load_contract_sum", "parse_contract_sum"]


class ContractSum(Paper):
    """A contract sum in blocks, its business cases, the tables the paper
    prints for them, and the audit of the paper's figures.

    ``ContractSum(path)`` or ``ContractSum(dict)`` reads a contract-sum
    file, as :class:`~apportion._paper.Paper` describes;
    :func:`load_contract_sum` and :func:`parse_contract_sum` do the same."""

    _core_load = staticmethod(_core.load_contract_sum)
    _core_parse = staticmethod(_core.parse_contract_sum)
    _default_source = "<contract sum>"

    def _setup(self, data: CoreData) -> None:
        super()._setup(data)
        self._r: CoreData = data["result"]
        self.financial_year: str | None = data["financial_year"]
        self.as_of: str | None = data["as_of"]
        self.unit: str = data["unit"]
        self.authorities: list[str] = [c for c, _ in data["authorities"]]
        self.authority_names: dict[str, str] = {c: n for c, n in data["authorities"]}
        self.split: dict[str, Any] | None = data["split"]
        printed = [b["amount"] for b in data["blocks"]]
        printed += [c["funding"] for c in data["business_cases"]]
        printed += [it["funding"] for t in data["tables"] for it in t["items"]]
        self._dec = finest_decimals(self.unit, printed)

    def _fig(self, pence: int | None) -> str:
        """A figure as the paper's tables print it, to their finest
        precision."""
        return figure(pence, self.unit, self._dec)

    # ---- figures (int pence) ------------------------------------------------

    @property
    def contract_sum(self) -> int:
        """The sum of the blocks in the contract sum (NCT 2024/25: Blocks 1
        and 2, £180.009m)."""
        return int(self._r["contract_sum"])

    @property
    def stated_contract_sum(self) -> int | None:
        s = self._data["contract_sum"]
        return None if s is None else int(s[0])

    @property
    def provisions(self) -> int:
        """The blocks outside the contract sum (Block 3, £3.291m)."""
        return int(self._r["provisions"])

    @property
    def agreed(self) -> int:
        """The funding agreed for every business case."""
        return int(self._r["agreed"])

    # ---- DataFrames -----------------------------------------------------------

    def blocks_frame(self) -> pd.DataFrame:
        """DataFrame, one row per block: name, kind, whether it is in the
        contract sum, amount, funding agreed by its business cases, balance
        outstanding (amount - agreed), the number of cases, the one-off part
        (when every case says), and each authority's share of the amount."""
        import pandas as pd

        ba = self._r["by_authority"]
        rows = []
        for k, (b, res) in enumerate(zip(self._data["blocks"], self._r["blocks"])):
            row = {"block": b["id"], "name": b["name"], "kind": b["kind"],
                   "in_contract_sum": b["in_contract_sum"],
                   "amount": res["amount"], "agreed": res["agreed"],
                   "balance": res["balance"], "cases": res["n_cases"],
                   "non_recurring": res["non_recurring"]}
            if ba is not None:
                row.update(zip(self.authorities, ba["block_shares"][k]))
            rows.append(row)
        frame = pd.DataFrame(rows).set_index("block")
        int64_columns(frame, ["non_recurring"], nullable=True)
        return int64_columns(frame, ["amount", "agreed", "balance",
                                     *(self.authorities if ba is not None else [])])

    def business_cases_frame(self) -> pd.DataFrame:
        """DataFrame of the business cases: theme, project, date approved,
        block (None: funded from none), funding agreed (pence), whether it
        recurs, and its duration as written."""
        import pandas as pd

        frame = pd.DataFrame(
            [{"theme": c["theme"], "project": c["project"],
              "approved": pd.Timestamp(c["approved"]) if c["approved"] else pd.NaT,
              "block": c["block"], "funding": c["funding"][0],
              "recurring": c["recurring"], "duration": c["duration"]}
             for c in self._data["business_cases"]],
            columns=["theme", "project", "approved", "block", "funding",
                     "recurring", "duration"])
        # A case from no block has <NA>, not NaN, in a column of text.
        frame["block"] = frame["block"].astype("string")
        frame["recurring"] = frame["recurring"].astype("boolean")
        return int64_columns(frame, ["funding"])

    def items_frame(self) -> pd.DataFrame:
        """DataFrame of every item of the tables the paper prints for its
        blocks: the table, the block, the project, the funding as printed
        there, the business case's funding, and the difference."""
        import pandas as pd

        cases = self._data["business_cases"]
        rows = []
        for t in self._data["tables"]:
            for it in t["items"]:
                case = cases[it["business_case"]]["funding"][0]
                rows.append({"table": t["title"], "block": t["block"],
                             "project": it["project"],
                             "printed": it["funding"][0], "business_case": case,
                             "difference": it["funding"][0] - case})
        frame = pd.DataFrame(rows, columns=["table", "block", "project", "printed",
                                            "business_case", "difference"])
        return int64_columns(frame, ["printed", "business_case", "difference"])

    def tables_frame(self) -> pd.DataFrame:
        """DataFrame, one row per printed table: its block, the sum of its
        items, the stated total, the block's amount less the items, and
        the stated balance outstanding (pence; None when not printed)."""
        import pandas as pd

        amounts = {b["id"]: r["amount"]
                   for b, r in zip(self._data["blocks"], self._r["blocks"])}
        rows = []
        for t in self._data["tables"]:
            items = sum(it["funding"][0] for it in t["items"])
            rows.append({
                "table": t["title"], "block": t["block"], "items": items,
                "stated_total": None if t["total"] is None else t["total"][0],
                "balance": amounts[t["block"]] - items,
                "stated_balance": (None if t["balance_outstanding"] is None
                                   else t["balance_outstanding"][0])})
        frame = pd.DataFrame(rows, columns=["table", "block", "items",
                                            "stated_total", "balance",
                                            "stated_balance"])
        return int64_columns(frame, ["items", "stated_total", "balance",
                                     "stated_balance"], nullable=True)

    def by_authority_frame(self) -> pd.DataFrame:
        """DataFrame of each block's split between the authorities (int
        pence, exact by block and by authority), with the contract sum's
        and the provisions' shares."""
        import pandas as pd

        ba = self._r["by_authority"]
        if ba is None:
            raise ValueError(f"{self.source} has no authorities and split")
        index = [f"Block {b['id']}" for b in self._data["blocks"]]
        rows = [list(r) for r in ba["block_shares"]]
        index += ["Contract sum", "Provisions"]
        rows += [ba["contract_sum"], ba["provisions"]]
        frame = pd.DataFrame(rows, columns=self.authorities,
                             index=pd.Index(index, name="block"))
        frame["total"] = frame[self.authorities].sum(axis=1)
        return int64_columns(frame, [*self.authorities, "total"])

    def formatted_frame(self) -> pd.DataFrame:
        """The blocks as the paper prints them, in its unit."""
        frame = self.blocks_frame()
        out = frame[["name", "kind", "in_contract_sum"]].copy()
        for col in ("amount", "agreed", "balance"):
            out[col] = [self._fig(v) for v in frame[col]]
        out.loc[frame["kind"] == "core", ["agreed", "balance"]] = ""
        return out

    blocks = renamed(blocks_frame, "ContractSum.blocks")
    business_cases = renamed(business_cases_frame, "ContractSum.business_cases")
    items = renamed(items_frame, "ContractSum.items")
    tables = renamed(tables_frame, "ContractSum.tables")
    by_authority = renamed(by_authority_frame, "ContractSum.by_authority")
    formatted = renamed(formatted_frame, "ContractSum.formatted")

    # ---- text and HTML -----------------------------------------------------------

    def _heading(self) -> list[str]:
        out = [self.title or self.source]
        when = ", ".join(x for x in (self.financial_year,
                                     f"as of {self.as_of}" if self.as_of else None)
                         if x)
        out.append(f"{when + '; ' if when else ''}figures in {self.unit}, "
                   f"brackets are negative.  Balance outstanding = amount - "
                   f"funding agreed by the block's business cases.")
        return out

    def _summary_lines(self) -> list[str]:
        fig = self._fig
        blocks_in = [b["id"] for b in self._data["blocks"] if b["in_contract_sum"]]
        out = [f"Contract sum (Block{'s' if len(blocks_in) > 1 else ''} "
               f"{' + '.join(blocks_in)}): {fig(self.contract_sum)}"
               + (f" (stated {fig(self.stated_contract_sum)})"
                  if self.stated_contract_sum is not None else "")]
        if self.provisions:
            out.append(f"Provisions outside it: {fig(self.provisions)}")
        return out

    def _split_words(self) -> str:
        assert self.split is not None  # only with authorities and a split
        return split_text(self.split, self.authorities)

    def _paragraphs(self) -> list[str]:
        return self._summary_lines()

    def _tables(self) -> list[Table]:
        """The blocks as the paper prints them (in its unit), the business
        cases, and the split between the authorities (in pounds)."""
        unit, dec = self.unit, self._dec
        source = self.title or self.source
        blocks = self.blocks_frame()
        rows = []
        for idx, b in blocks.iterrows():
            core = b["kind"] == "core"
            rows.append(Row((str(idx), b["name"], int(b["amount"]),
                             None if core else int(b["agreed"]),
                             None if core else int(b["balance"]))))
        tables = [Table(
            "Blocks", (Column("block", "Block"), Column("name", "Name"),
                       Column("amount", "Amount", "money", unit, dec, role="stated"),
                       Column("agreed", "Funding agreed", "money", unit, dec,
                              role="computed"),
                       Column("balance", "Balance outstanding", "money", unit, dec,
                              role="computed")),
            tuple(rows), source=source, negatives="brackets", name="Blocks")]
        cases = self.business_cases_frame()
        if len(cases):
            tables.append(Table(
                "Business cases",
                (Column("approved", "Approved", "date"), Column("block", "Block"),
                 Column("funding", "Funding", "money", unit, dec, role="stated"),
                 Column("project", "Project")),
                tuple(Row((c["approved"].date().isoformat()
                           if not isna(c["approved"]) else None,
                           "-" if isna(c["block"]) else str(c["block"]),
                           int(c["funding"]), c["project"]))
                      for _, c in cases.iterrows()),
                source=source, negatives="brackets", name="Business cases"))
        if self._r["by_authority"] is not None:
            frame = self.by_authority_frame()
            in_sum = [k for k, b in enumerate(self._data["blocks"])
                      if b["in_contract_sum"]]
            rows = []
            for label, r in frame.iterrows():
                values: tuple[str | int, ...] = (
                    str(label), *[int(r[a]) for a in self.authorities], int(r["total"]))
                rows.append(Row(values, kind="subtotal", sum_of=tuple(in_sum))
                            if label == "Contract sum" else Row(values))
            tables.append(Table(
                f"By authority, by the {self._split_words()}",
                (Column("block", "Block"),
                 *[Column(a, a, "money", "£", 2, role="computed")
                   for a in self.authorities],
                 Column("total", "Total", "money", "£", 2, role="computed")),
                tuple(rows), source=f"{source}; split computed by apportion",
                negatives="brackets", name="By authority"))
        return tables

    def _repr_detail(self) -> str:
        return (f"{len(self._data['blocks'])} block(s), contract sum "
                f"{pounds(self.contract_sum)}")


def load_contract_sum(path: str | os.PathLike[str], *,
                      max_bytes: int | None = None) -> ContractSum:
    """Read a contract-sum file; errors are :class:`~apportion.PlanError`
    naming the JSON path, line and column.  A file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is refused
    before it is read; invalid UTF-8 is a PlanError at its line and column."""
    return ContractSum.from_file(path, max_bytes=max_bytes)


def parse_contract_sum(text: str, source: str = "<contract sum>") -> ContractSum:
    """Read a contract sum from JSON text."""
    return ContractSum.from_text(text, source)
