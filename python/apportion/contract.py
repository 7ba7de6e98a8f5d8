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
from typing import List, Optional

from . import _core
from .audit import Report
from .outturn import (_audit_html, _audit_lines, _decimals, _fmt, _int64,
                      _pounds, _text_table)

__all__ = ["ContractSum", "load_contract_sum", "parse_contract_sum"]


class ContractSum:
    """A contract sum in blocks, its business cases, the tables the paper
    prints for them, and the audit of the paper's figures."""

    def __init__(self, data: dict) -> None:
        self._data = data
        self._r = data["result"]
        self.source: str = data["source"]
        self.title: Optional[str] = data["title"]
        self.financial_year: Optional[str] = data["financial_year"]
        self.as_of: Optional[str] = data["as_of"]
        self.unit: str = data["unit"]
        self.authorities: List[str] = [c for c, _ in data["authorities"]]
        self.authority_names = {c: n for c, n in data["authorities"]}
        self.split: Optional[dict] = data["split"]
        self.audit_report: Report = Report._from_core(self._r["audit"],
                                                      self.source)
        printed = [b["amount"] for b in data["blocks"]]
        printed += [c["funding"] for c in data["business_cases"]]
        printed += [it["funding"] for t in data["tables"] for it in t["items"]]
        self._dec = _decimals(self.unit, printed)

    def _fig(self, pence: Optional[int]) -> str:
        return _fmt(pence, self.unit, self._dec)

    # ---- figures (int pence) ------------------------------------------------

    @property
    def contract_sum(self) -> int:
        """The sum of the blocks in the contract sum (NCT 2024/25: Blocks 1
        and 2, £180.009m)."""
        return self._r["contract_sum"]

    @property
    def stated_contract_sum(self) -> Optional[int]:
        s = self._data["contract_sum"]
        return None if s is None else s[0]

    @property
    def provisions(self) -> int:
        """The blocks outside the contract sum (Block 3, £3.291m)."""
        return self._r["provisions"]

    @property
    def agreed(self) -> int:
        """The funding agreed for every business case."""
        return self._r["agreed"]

    @property
    def audit(self):
        """DataFrame of every check of a printed figure."""
        return self.audit_report.to_frame()

    # ---- DataFrames -----------------------------------------------------------

    def blocks(self):
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
        frame["non_recurring"] = pd.array(frame["non_recurring"].tolist(),
                                          dtype="Int64")
        return _int64(frame, ["amount", "agreed", "balance",
                              *(self.authorities if ba is not None else [])])

    def business_cases(self):
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
        return _int64(frame, ["funding"])

    def items(self):
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
        return _int64(frame, ["printed", "business_case", "difference"])

    def tables(self):
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
        for col in ("items", "stated_total", "balance", "stated_balance"):
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
        return frame

    def by_authority(self):
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
        return _int64(frame, [*self.authorities, "total"])

    def formatted(self):
        """The blocks as the paper prints them, in its unit."""
        frame = self.blocks()
        out = frame[["name", "kind", "in_contract_sum"]].copy()
        for col in ("amount", "agreed", "balance"):
            out[col] = [self._fig(v) for v in frame[col]]
        out.loc[frame["kind"] == "core", ["agreed", "balance"]] = ""
        return out

    # ---- text and HTML -----------------------------------------------------------

    def _header(self) -> List[str]:
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

    def _summary_lines(self) -> List[str]:
        fig = self._fig
        blocks_in = [b["id"] for b in self._data["blocks"] if b["in_contract_sum"]]
        out = [f"Contract sum (Block{'s' if len(blocks_in) > 1 else ''} "
               f"{' + '.join(blocks_in)}): {fig(self.contract_sum)}"
               + (f" (stated {fig(self.stated_contract_sum)})"
                  if self.stated_contract_sum is not None else "")]
        if self.provisions:
            out.append(f"Provisions outside it: {fig(self.provisions)}")
        return out

    def _split_text(self) -> str:
        s = self.split
        values = ", ".join(f"{code} {text}{'%' if s['kind'] == 'percent' else ''}"
                           for code, (text, _, _) in zip(self.authorities,
                                                          s["values"]))
        return (f"{s['name'] or 'split'} ({values}; pennies by "
                f"{s['mode'].replace('_', ' ')})")

    def report(self) -> str:
        """The contract sum as text: blocks, business cases, the split and
        the audit."""
        out = self._header() + [""]
        f = self.formatted()
        table = [["block", "name", "amount", "agreed", "balance"]]
        table += [[idx, row["name"], row["amount"], row["agreed"], row["balance"]]
                  for idx, row in f.iterrows()]
        out += _text_table(table, right=(2, 3, 4))
        out += [""] + self._summary_lines()
        cases = self.business_cases()
        if len(cases):
            out += ["", "Business cases"]
            table = [["approved", "block", "funding", "project"]]
            for _, c in cases.iterrows():
                table.append([c["approved"].date().isoformat()
                              if not _isna(c["approved"]) else "",
                              "-" if _isna(c["block"]) else c["block"],
                              self._fig(c["funding"]),
                              c["project"]])
            out += _text_table(table, right=(2,))
        if self._r["by_authority"] is not None:
            out += ["", f"By authority, by the {self._split_text()}:"]
            frame = self.by_authority()
            table = [["", *self.authorities, "total"]]
            for idx, row in frame.iterrows():
                table.append([idx, *[_pounds(row[a]) for a in self.authorities],
                              _pounds(row["total"])])
            out += _text_table(table, right=range(1, len(self.authorities) + 2))
        out += [""] + _audit_lines(self.audit_report)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        c = self.audit_report.counts()
        return (f"<ContractSum {self.title or self.source!r}: "
                f"{len(self._data['blocks'])} block(s), contract sum "
                f"{_pounds(self.contract_sum)}, {c['error']} audit error(s)>")

    def _repr_html_(self) -> str:
        esc = html.escape
        head = self._header()
        parts = [f"<h4>{esc(head[0])}</h4>"]
        parts += [f"<p>{esc(line)}</p>" for line in head[1:]]
        parts.append(self.formatted().to_html())
        parts += [f"<p>{esc(line)}</p>" for line in self._summary_lines()]
        if len(self._data["business_cases"]):
            parts.append("<h5>Business cases</h5>")
            parts.append(self.business_cases().to_html(
                index=False, formatters={"funding": self._fig}))
        if self._r["by_authority"] is not None:
            parts.append(f"<h5>By authority ({esc(self._split_text())})</h5>")
            parts.append(self.by_authority().to_html(formatters={
                c: _pounds for c in [*self.authorities, "total"]}))
        parts.append("<h5>Audit of the stated figures</h5>")
        parts.append(_audit_html(self.audit_report))
        return "\n".join(parts)


def _isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def load_contract_sum(path) -> ContractSum:
    """Read a contract-sum file; errors are :class:`~apportion.PlanError`
    naming the JSON path, line and column."""
    return ContractSum(_core.load_contract_sum(os.fspath(path)))


def parse_contract_sum(text: str, source: str = "<contract sum>") -> ContractSum:
    """Read a contract sum from JSON text."""
    return ContractSum(_core.parse_contract_sum(text, source))
