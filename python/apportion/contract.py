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

import html
import os
from typing import TYPE_CHECKING, Any

from . import _core
from ._deprecate import renamed
from ._paper import CoreData, Paper
from ._present import (
    cells,
    figure,
    finest_decimals,
    int64_columns,
    isna,
    pounds,
    split_text,
    text_table,
)

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
        if self.title and self.source:
            out.append(f"Source: {self.source}")
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

    def _text_body(self) -> list[str]:
        """Blocks, business cases and the split."""
        out = [""]
        f = self.formatted_frame()
        table: list[list[object]] = [["block", "name", "amount", "agreed",
                                      "balance"]]
        table += [[idx, row["name"], row["amount"], row["agreed"], row["balance"]]
                  for idx, row in f.iterrows()]
        out += text_table(table, right=(2, 3, 4))
        out += ["", *self._summary_lines()]
        cases = self.business_cases_frame()
        if len(cases):
            out += ["", "Business cases"]
            table = [["approved", "block", "funding", "project"]]
            for _, c in cases.iterrows():
                table.append([c["approved"].date().isoformat()
                              if not isna(c["approved"]) else "",
                              "-" if isna(c["block"]) else c["block"],
                              self._fig(c["funding"]),
                              c["project"]])
            out += text_table(table, right=(2,))
        if self._r["by_authority"] is not None:
            out += ["", f"By authority, by the {self._split_words()}:"]
            frame = self.by_authority_frame()
            table = [["", *self.authorities, "total"]]
            for idx, row in frame.iterrows():
                table.append([idx, *[pounds(row[a]) for a in self.authorities],
                              pounds(row["total"])])
            out += text_table(table, right=range(1, len(self.authorities) + 2))
        return out

    def _html_body(self) -> list[str]:
        esc = html.escape
        parts = [self.formatted_frame().to_html()]
        parts += [f"<p>{esc(line)}</p>" for line in self._summary_lines()]
        if len(self._data["business_cases"]):
            parts.append("<h5>Business cases</h5>")
            parts.append(self.business_cases_frame().to_html(
                index=False, formatters={"funding": cells(self._fig)}))
        if self._r["by_authority"] is not None:
            parts.append(f"<h5>By authority ({esc(self._split_words())})</h5>")
            parts.append(self.by_authority_frame().to_html(formatters={
                c: cells(pounds) for c in [*self.authorities, "total"]}))
        return parts

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
