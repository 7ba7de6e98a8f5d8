"""The year's papers in the store: each plan, outturn, savings tracker,
MTFP, contract sum, disaggregation and audited table as loaded, with the
findings of its audit, keyed by paper and period.

The stored paper is the paper: its JSON text as the file held it (a CSV
table as the JSON form apportion reads it into), which apportion's own
loader reads back into the same object (:meth:`PaperHistory.paper`).
Before a paper is recorded its text is read again and checked to load into
the paper given, so a file changed since it was loaded is refused rather
than stored under the wrong figures.  Recording the same paper again
changes nothing; a changed paper for the same name and period supersedes
the stored one, and both stay, each with its import's trail (when, which
file, its SHA-256).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Union

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import InputError, StoreError
from . import _schema
from ._base import StoreBase

if TYPE_CHECKING:
    import pandas as pd

    from .._paper import Paper
    from ..audit import Finding, Report

__all__ = ["PaperHistory", "PaperRecorded", "financial_year_of", "period_of"]

#: What :meth:`Store.record_paper` takes: a paper or an audited
#: table's report as loaded, or the path of a file to load.
PaperLike = Union["Paper", "Report", str, "os.PathLike[str]"]

_INT64 = (-(1 << 63), (1 << 63) - 1)

#: Each paper kind: (module, class, the file format).
_KINDS: dict[str, tuple[str, str, str]] = {
    "plan": ("plan", "Plan", "apportion.plan/1"),
    "outturn": ("outturn", "Outturn", "apportion.outturn/1"),
    "savings": ("savings", "Savings", "apportion.savings/1"),
    "mtfp": ("mtfp", "MTFP", "apportion.mtfp/1"),
    "contract_sum": ("contract", "ContractSum", "apportion.contract_sum/1"),
    "disaggregation": ("disaggregation", "Disaggregation",
                       "apportion.disaggregation/1"),
    "table": ("audit", "Report", "apportion.table/1"),
}

_FY_TEXT = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2}|\d{4})\s*$")
_FY_ANY = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")
_PERIOD_NUMBER = re.compile(r"^\s*(?:P|Period)\s*0*(\d{1,2})\b", re.IGNORECASE)
_QUARTER_NUMBER = re.compile(r"^\s*Q\s*([1-4])\b", re.IGNORECASE)


class PaperRecorded(NamedTuple):
    """What :meth:`Store.record_paper` did: the stored paper's id
    (the row now current for its name and period), the import's id (None
    when nothing changed, so no import was kept), and whether the paper
    was ``"added"`` (new name or period), ``"superseded"`` (it replaced a
    different stored version, which stays) or ``"unchanged"``."""

    paper_id: int
    import_id: int | None
    status: str


# ---- periods ------------------------------------------------------------------

def stored_frequency(period: pd.Period) -> str:
    """A Period's frequency as the store keeps it: pandas' name, a year
    as ``Y-...`` whatever this pandas calls it."""
    name = str(period.freqstr)
    return "Y" + name[1:] if name.startswith("A") else name


def from_stored(start: _dt.date, frequency: str) -> pd.Period:
    """The pandas Period stored as its first day and frequency."""
    import pandas as pd
    try:
        return pd.Period(start, freq=frequency)
    except (ValueError, TypeError):  # annual was A- before pandas 2.2
        if frequency.startswith("Y"):
            return pd.Period(start, freq="A" + frequency[1:])
        raise


def financial_year(start_year: int) -> pd.Period:
    """The financial year from 1 April of ``start_year`` as a Period
    (frequency ``Y-MAR``: 2021/22 is ``Period('2022', 'Y-MAR')``)."""
    return from_stored(_dt.date(start_year, 4, 1), "Y-MAR")


def _fy_start(text: str, what: str) -> int:
    """The first calendar year of a financial year written "2021/22",
    "2021-22" or "2021/2022"."""
    match = _FY_ANY.match(text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if second == (first + 1) % (100 if second < 100 else 10_000) or \
                second == first + 1:
            return first
    raise InputError(f"{what}: {text!r} is not a financial year such as "
                     f"'2021/22'")


def period_of(period: object, where: str = "period") -> pd.Period:
    """A period as the store takes it: a pandas Period as it is; text
    "2021/22" (a financial year, April to March); other text as pandas
    reads it ("2023-12" a month, "2021Q2" a quarter); a date its day.

    >>> period_of("2021/22")
    Period('2022', 'Y-MAR')
    >>> period_of("2023-12")
    Period('2023-12', 'M')
    """
    import pandas as pd
    if isinstance(period, pd.Period):
        return period
    if isinstance(period, str):
        if _FY_TEXT.match(period):
            return financial_year(_fy_start(period, where))
        try:
            return pd.Period(period.strip())
        except (ValueError, TypeError):
            pass
    elif isinstance(period, _dt.date):
        return pd.Period(period, freq="D")
    raise InputError(f"{where}: {period!r} is not a period the store can "
                     f"date; give a pandas Period, a financial year such as "
                     f"'2021/22', or text pandas reads as a period such as "
                     f"'2023-12' (a month) or '2021Q2' (a quarter)")


def financial_year_of(period: pd.Period) -> int:
    """The first calendar year of the financial year (April to March)
    holding the period's first day."""
    start = period.start_time
    return int(start.year if start.month >= 4 else start.year - 1)


def _fy_month(start_year: int, number: int) -> pd.Period:
    """Period ``number`` (1 = April .. 12 = March) of a financial year."""
    import pandas as pd
    month = (number + 2) % 12 + 1
    return pd.Period(_dt.date(start_year + (month < 4), month, 1), freq="M")


def _fy_quarter(start_year: int, number: int) -> pd.Period:
    """Quarter ``number`` (1 = April to June) of a financial year."""
    import pandas as pd
    month = 4 + 3 * (number - 1)
    year = start_year + (month > 12)
    return pd.Period(_dt.date(year, (month - 1) % 12 + 1, 1), freq="Q-DEC")


def _within_year(start_year: int, label: str | None) -> pd.Period:
    """A paper's period within its financial year: "P09" or "Period 09 -
    December 2023" a month, "Q3" a quarter, else the year."""
    if label:
        match = _PERIOD_NUMBER.match(label)
        if match and 1 <= int(match.group(1)) <= 12:
            return _fy_month(start_year, int(match.group(1)))
        match = _QUARTER_NUMBER.match(label)
        if match:
            return _fy_quarter(start_year, int(match.group(1)))
    return financial_year(start_year)


def _paper_period(kind: str, paper: Any, name: str) -> pd.Period:
    """The period a paper says it is of: its financial year, or the
    period within it that an outturn or a savings tracker names."""
    year: str | None = None
    label: str | None = None
    if kind in ("plan", "contract_sum"):
        year = paper.financial_year
    elif kind == "outturn":
        year, label = paper.financial_year, paper.period
    elif kind == "savings":
        year, label = paper.year, paper.as_at
    elif kind == "mtfp":
        year = paper.years[0] if paper.years else None
    if not year:
        raise InputError(f"the {kind} {name!r} does not say its period; give "
                         f"period= (a financial year such as '2021/22', or a "
                         f"pandas Period)")
    return _within_year(_fy_start(year, f"the {kind} {name!r}"), label)


# ---- the paper and its text ------------------------------------------------------

def _kind_of(paper: object) -> str:
    from .._paper import Paper
    from ..audit import Report
    if isinstance(paper, Report):
        return "table"
    if isinstance(paper, Paper):
        for kind, (_, cls, _) in _KINDS.items():
            if type(paper).__name__ == cls:
                return kind
    raise TypeError(f"record_paper takes a paper (a Plan, Outturn, Savings, "
                    f"MTFP, ContractSum, Disaggregation), an audited table's "
                    f"Report, or a file's path; not {type(paper).__name__}")


def _paper_class(kind: str) -> Any:
    import importlib
    module, cls, _ = _KINDS[kind]
    return getattr(importlib.import_module(f"..{module}", __package__), cls)


def _load(path: str) -> Any:
    """The paper a file holds, read as ``python -m apportion report``
    reads it (by its "format"); a file of another format (KPIs, say) is
    an InputError naming the formats the store keeps."""
    from ..__main__ import _file_format
    from ..report import load
    if not path.lower().endswith(".csv"):
        fmt = _file_format(path)
        known = {f for _, _, f in _KINDS.values()}
        if fmt and fmt not in known:
            raise InputError(f"{path}: the store keeps papers of the formats "
                             f"{', '.join(sorted(known))} (and CSV tables), "
                             f"not {fmt!r}")
    return load(path)


def _canonical(text: str) -> str:
    """A paper's JSON as canonical text: the same content whatever its
    layout or order of members."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_of(kind: str, paper: Any, file: str | None) -> tuple[str, str, str]:
    """(the paper's JSON text, the file it came from, the file's SHA-256),
    read again from the file and checked to load into the same paper."""
    from .._convert import read_text
    from ..audit import _table_from_csv, check_table

    path = file if file is not None else (
        paper.file if kind == "table" else paper.source)
    name = paper.title or path
    if path is None or not Path(path).is_file():
        raise StoreError(
            f"the {kind} {name!r} was not read from a file the store can "
            f"read again ({path!r}); give file= the file it was read from "
            f"(the store keeps the paper's text, so that the stored paper "
            f"is the paper)")
    if kind == "table" and Path(path).suffix.lower() not in (".json", ".csv"):
        raise StoreError(f"the table {name!r} came from {path}; the store "
                         f"keeps tables read from JSON or CSV files")
    raw = read_text(path, kind)
    text = raw
    if kind == "table" and Path(path).suffix.lower() == ".csv":
        text = json.dumps(_table_from_csv(raw, str(path)), ensure_ascii=False,
                          indent=1)
    try:
        if kind == "table":
            same = (check_table(json.loads(text)).findings == paper.findings)
        else:
            again = type(paper).from_text(text, paper.source)
            same = again._data == paper._data
    except (ValueError, InputError) as exc:
        raise StoreError(f"{path}: the file does not read as the {kind} "
                         f"{name!r} as loaded: {exc}") from None
    if not same:
        raise StoreError(f"{path}: the file does not hold the {kind} "
                         f"{name!r} as loaded (it has changed since, or it is "
                         f"not the file the paper was read from); load it "
                         f"again, or give file= the file it was read from")
    return text, os.fspath(path), _sha256(raw)


# ---- findings as rows --------------------------------------------------------------

def _pair(value: Decimal, what: str) -> tuple[int, int]:
    """An exact decimal as (num, den), den the power of ten of its printed
    precision (Decimal('1.50') is (150, 100))."""
    if not value.is_finite():
        raise StoreError(f"{what} is {value}; the store keeps finite figures")
    exponent = int(value.as_tuple().exponent)
    if exponent >= 0:
        num, den = int(value), 1
    else:
        den = 10 ** -exponent
        num = int(value.scaleb(-exponent))
    if not (_INT64[0] <= num <= _INT64[1] and den <= _INT64[1]):
        raise StoreError(f"{what} {value} does not fit the store's 64-bit "
                         f"columns")
    return num, den


def _decimal(num: int, den: int) -> Decimal:
    """(num, den) back to the Decimal it was, precision kept."""
    places = len(str(den)) - 1
    return Decimal(num).scaleb(-places) if places else Decimal(num)


def _finding_rows(paper_id: int, findings: Sequence[Finding],
                  where: str) -> list[dict[str, Any]]:
    rows = []
    for seq, f in enumerate(findings):
        here = f"{where}, finding {seq + 1}"
        row: dict[str, Any] = {
            "paper_id": paper_id, "seq": seq, "finding_id": f.id,
            "row_label": f.row_label, "column_label": f.column_label,
            "check_name": f.check, "status": f.status, "cause": f.cause,
            "item": f.item, "unit": f.unit, "suggestion": f.suggestion}
        for name in ("stated", "computed", "difference", "tolerance"):
            row[f"{name}_num"], row[f"{name}_den"] = _pair(
                getattr(f, name), f"{here}: {name}")
        rows.append(row)
    return rows


class PaperHistory(StoreBase):
    """The year's papers of a :class:`~apportion.store.Store` (a mixin)."""

    # ---- writing -------------------------------------------------------------

    def record_paper(self, paper: PaperLike, *, period: object = None,
                     file: str | os.PathLike[str] | None = None,
                     name: str | None = None) -> PaperRecorded:
        """Records a paper as loaded, with the findings of its audit, in
        one import.

        ``paper`` is a :class:`~apportion.plan.Plan`, an
        :class:`~apportion.outturn.Outturn`, a
        :class:`~apportion.savings.Savings` tracker, an
        :class:`~apportion.mtfp.MTFP`, a
        :class:`~apportion.contract.ContractSum`, a
        :class:`~apportion.disaggregation.Disaggregation`, or the
        :class:`~apportion.audit.Report` of an audited table
        (:func:`~apportion.audit.check_table` of a JSON or CSV file); or
        the path of any of those files, loaded as ``python -m apportion
        report`` loads it.  The paper's text is read from ``file`` (None:
        the file the paper was read from) and must load into the same
        paper.

        A paper is keyed by its kind, ``name`` (None: its title, else its
        file's name) and ``period``: None takes the period the paper says
        (a plan's or contract sum's financial year, an outturn's period
        "P12" or a savings tracker's "Period 09" within its year, an MTFP's
        first year); a disaggregation or a table says none, so give one: a
        pandas Period, a financial year "2021/22", or text such as
        "2023-12" (a month) or "2021Q2" (a calendar quarter).

        The same paper again changes nothing (status "unchanged"); a
        different paper for the same kind, name and period supersedes the
        stored one, which stays with its import.  Any failure rolls the
        whole import back.
        """
        if isinstance(paper, (str, os.PathLike)):
            if file is None:
                file = paper
            paper = _load(os.fspath(paper))
        kind = _kind_of(paper)
        p: Any = paper
        text, path, file_sha = _text_of(kind, p,
                                        None if file is None else os.fspath(file))
        key_name = name or p.title or Path(path).name
        where = f"the {kind} {key_name!r}"
        at = period_of(period, where) if period is not None else \
            _paper_period(kind, p, key_name)
        if kind == "table":
            fmt = "apportion.table/1"
        else:
            member = json.loads(text).get("format")
            fmt = member if isinstance(member, str) else _KINDS[kind][2]
        findings = list(p.findings if kind == "table" else p.audit.findings)
        counts = (p if kind == "table" else p.audit).counts()
        canonical = _canonical(text)
        row = {"kind": kind, "name": key_name,
               "period_start": at.start_time.date(),
               "frequency": stored_frequency(at),
               "financial_year": financial_year_of(at),
               "title": p.title or None, "source": p.source if kind != "table"
               else (p.source or path), "format": fmt, "text": text,
               "sha256": _sha256(text), "checks": len(findings),
               "rounding": counts["rounding"], "errors": counts["error"]}
        t = _schema.metadata.tables["papers"]
        f = _schema.metadata.tables["paper_findings"]
        with self.write("paper", file=path, source=f"{kind} {key_name}",
                        sha256=file_sha) as (conn, import_id):
            current = conn.execute(
                sa.select(t.c.id, t.c.text).where(
                    t.c.kind == kind, t.c.name == key_name,
                    t.c.period_start == row["period_start"],
                    t.c.frequency == row["frequency"],
                    t.c.superseded_by.is_(None))).first()
            if current is not None and _canonical(current.text) == canonical:
                return PaperRecorded(int(current.id), None, "unchanged")
            status = "added"
            if current is not None:
                conn.execute(sa.update(t).where(t.c.id == current.id)
                             .values(superseded_by=import_id))
                status = "superseded"
            paper_id = _inserted_id(conn.execute(sa.insert(t).values(
                **row, import_id=import_id)))
            rows = _finding_rows(paper_id, findings,
                                 f"{where} ({at})")
            insert_rows(conn, f, rows)
        return PaperRecorded(paper_id, import_id, status)

    # ---- reading -------------------------------------------------------------

    def papers(self, year: object = None, *, kind: str | None = None,
               name: str | None = None,
               superseded: bool = False) -> pd.DataFrame:
        """The stored papers as a DataFrame, oldest import first: id, kind,
        name, period (a pandas Period), financial_year ("2021/22"), title,
        source, format, sha256 (of the stored text), checks, rounding,
        errors (the audit's counts), import_id, imported_at (UTC), file,
        file_sha256 (the import's trail) and superseded_by (None while
        current).

        ``year`` keeps the papers of one financial year: its first calendar
        year (2021), text ("2021/22") or a Period within it.  ``kind`` and
        ``name`` filter; ``superseded`` includes the versions a later
        import replaced."""
        import pandas as pd
        t = _schema.metadata.tables["papers"]
        i = _schema.imports
        query = (sa.select(t.c.id, t.c.kind, t.c.name, t.c.period_start,
                           t.c.frequency, t.c.financial_year, t.c.title,
                           t.c.source, t.c.format, t.c.sha256, t.c.checks,
                           t.c.rounding, t.c.errors, t.c.import_id,
                           i.c.at.label("imported_at"), i.c.file,
                           i.c.sha256.label("file_sha256"), t.c.superseded_by)
                 .join(i, i.c.id == t.c.import_id).order_by(t.c.id))
        if year is not None:
            query = query.where(t.c.financial_year == _year_filter(year))
        if kind is not None:
            query = query.where(t.c.kind == kind)
        if name is not None:
            query = query.where(t.c.name == name)
        if not superseded:
            query = query.where(t.c.superseded_by.is_(None))
        with self.read() as conn:
            rows = conn.execute(query).mappings().all()
        columns = ["id", "kind", "name", "period", "financial_year", "title",
                   "source", "format", "sha256", "checks", "rounding", "errors",
                   "import_id", "imported_at", "file", "file_sha256",
                   "superseded_by"]
        records = []
        for r in rows:
            d = dict(r)
            d["period"] = from_stored(_as_date(d.pop("period_start")),
                                      d.pop("frequency"))
            fy = d["financial_year"]
            d["financial_year"] = None if fy is None else _fy_label(int(fy))
            records.append(d)
        frame = _frame(records, columns, ints=("id", "checks", "rounding",
                                               "errors", "import_id"),
                       nullable=("superseded_by",))
        frame["imported_at"] = pd.to_datetime(frame["imported_at"], utc=True)
        return frame

    def _paper_row(self, conn: Connection, key: int | str, period: object,
                   kind: str | None) -> Mapping[str, Any]:
        t = _schema.metadata.tables["papers"]
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            raise TypeError(f"a stored paper is named by its id (an int) or "
                            f"its name (str), not {type(key).__name__}")
        if isinstance(key, int):
            query = sa.select(t).where(t.c.id == key)
            what = f"paper id {key}"
        else:
            query = sa.select(t).where(t.c.name == key,
                                       t.c.superseded_by.is_(None))
            what = f"paper {key!r}"
            if kind is not None:
                query = query.where(t.c.kind == kind)
                what = f"{kind} {key!r}"
            if period is not None:
                at = period_of(period, what)
                query = query.where(t.c.period_start == at.start_time.date(),
                                    t.c.frequency == stored_frequency(at))
                what += f" for {at}"
        rows = conn.execute(query.order_by(t.c.id)).mappings().all()
        if not rows:
            raise StoreError(f"{self.url}: table papers has no {what}")
        if len(rows) > 1:
            periods = ", ".join(str(from_stored(_as_date(r["period_start"]),
                                                r["frequency"])) for r in rows)
            raise StoreError(f"{self.url}: table papers has {len(rows)} "
                             f"current {what} (periods {periods}); give "
                             f"period= or the paper's id")
        return dict(rows[0])

    def paper_text(self, key: int | str, period: object = None, *,
                   kind: str | None = None) -> str:
        """A stored paper's JSON text, as the file held it (a CSV table as
        its JSON form): by its id (any version, superseded or not), or by
        its name with ``period`` and ``kind`` where the name alone does
        not say which (the current version)."""
        with self.read() as conn:
            return str(self._paper_row(conn, key, period, kind)["text"])

    def paper(self, key: int | str, period: object = None, *,
              kind: str | None = None) -> Any:
        """A stored paper loaded again from its text by apportion's own
        loader: the same Plan, Outturn, Savings, MTFP, ContractSum or
        Disaggregation as was recorded (its ``source`` the file it was read
        from), or for a table the :class:`~apportion.audit.Report` of
        :func:`~apportion.audit.check_table`.  ``key``, ``period`` and
        ``kind`` as for ``paper_text()``."""
        with self.read() as conn:
            row = self._paper_row(conn, key, period, kind)
        if row["kind"] == "table":
            from ..audit import check_table
            report = check_table(json.loads(row["text"]))
            return report
        cls = _paper_class(str(row["kind"]))
        return cls.from_text(str(row["text"]), str(row["source"]))

    def findings(self, key: int | str | None = None, period: object = None, *,
                 kind: str | None = None, year: object = None,
                 status: str | None = None,
                 superseded: bool = False) -> pd.DataFrame:
        """The findings of the stored papers' audits as a DataFrame: one row
        per check, with paper_id, kind, name, period, seq (the audit's
        order), finding_id, row_label, column_label, check, status, cause,
        item, unit, stated, computed, difference and tolerance (exact
        Decimals, their printed precision kept) and suggestion.

        ``key`` (a paper's id or name, with ``period``) picks one paper;
        ``kind``, ``year`` (as for ``papers()``) and ``status`` ("ok",
        "rounding", "error") filter; ``superseded`` includes the findings
        of versions a later import replaced."""
        t = _schema.metadata.tables["papers"]
        f = _schema.metadata.tables["paper_findings"]
        query = (sa.select(f, t.c.kind, t.c.name, t.c.period_start,
                           t.c.frequency)
                 .join(t, t.c.id == f.c.paper_id)
                 .order_by(f.c.paper_id, f.c.seq))
        with self.read() as conn:
            if key is not None:
                row = self._paper_row(conn, key, period, kind)
                query = query.where(f.c.paper_id == row["id"])
            else:
                if kind is not None:
                    query = query.where(t.c.kind == kind)
                if year is not None:
                    query = query.where(t.c.financial_year == _year_filter(year))
                if not superseded:
                    query = query.where(t.c.superseded_by.is_(None))
            if status is not None:
                query = query.where(f.c.status == status)
            rows = conn.execute(query).mappings().all()
        columns = ["paper_id", "kind", "name", "period", "seq", "finding_id",
                   "row_label", "column_label", "check", "status", "cause",
                   "item", "unit", "stated", "computed", "difference",
                   "tolerance", "suggestion"]
        records = []
        for r in rows:
            d: dict[str, Any] = {
                "paper_id": int(r["paper_id"]), "kind": r["kind"],
                "name": r["name"],
                "period": from_stored(_as_date(r["period_start"]),
                                      r["frequency"]),
                "seq": int(r["seq"]), "finding_id": r["finding_id"],
                "row_label": r["row_label"], "column_label": r["column_label"],
                "check": r["check_name"], "status": r["status"],
                "cause": r["cause"], "item": r["item"], "unit": r["unit"],
                "suggestion": r["suggestion"]}
            for name in ("stated", "computed", "difference", "tolerance"):
                d[name] = _decimal(int(r[f"{name}_num"]), int(r[f"{name}_den"]))
            records.append(d)
        return _frame(records, columns, ints=("paper_id", "seq"))


def _frame(records: list[dict[str, Any]], columns: list[str], *,
           ints: Sequence[str] = (), nullable: Sequence[str] = ()
           ) -> pd.DataFrame:
    """A DataFrame of records: ``ints`` as int64, ``nullable`` as Int64,
    every other column as objects (a missing value None, as stored)."""
    import pandas as pd
    data: dict[str, Any] = {}
    for col in columns:
        values = [r[col] for r in records]
        if col in ints:
            data[col] = np.array([int(v) for v in values], dtype=np.int64)
        elif col in nullable:
            data[col] = pd.array([None if v is None else int(v) for v in values],
                                 dtype="Int64")
        else:
            data[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=columns)


#: Rows from which the store hands an insert straight to the driver.
_COPY_FROM = 1000


def insert_rows(conn: Connection, table: sa.Table,
                rows: list[dict[str, Any]]) -> None:
    """Inserts many rows (dicts with the same keys) into one of the
    store's tables, in the caller's transaction.  A thousand rows or more
    go straight to the driver (COPY on PostgreSQL, one prepared INSERT
    run for every row on SQLite, dates as the ISO text SQLAlchemy's DATE
    stores there), several times faster than SQLAlchemy's INSERTs for a
    year of ledger totals; a row the database refuses is the same
    SQLAlchemy error either way."""
    if not rows:
        return
    backend = conn.dialect.name
    # The fast paths speak to psycopg 3 and sqlite3 themselves; any other
    # driver (psycopg2 named in the URL, say) takes SQLAlchemy's INSERTs.
    if (backend, conn.dialect.driver) not in (("postgresql", "psycopg"),
                                              ("sqlite", "pysqlite")) \
            or len(rows) < _COPY_FROM:
        conn.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    unknown = [name for name in names if name not in table.c]
    if unknown:  # the statements are built from the table's own names only
        raise StoreError(f"table {table.name} has no column {unknown[0]!r}")
    columns = ", ".join(names)
    raw: Any = conn.connection.driver_connection
    if raw is None:
        raise StoreError("the database connection is closed")
    if backend == "postgresql":
        import psycopg
        statement = f"COPY {table.name} ({columns}) FROM STDIN"
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
        except psycopg.Error as exc:
            raise sa.exc.DBAPIError.instance(statement, None, exc,
                                             psycopg.Error) from exc
        return
    import sqlite3
    statement = (f"INSERT INTO {table.name} ({columns}) VALUES "
                 f"({', '.join('?' * len(names))})")
    dated = [k for k, name in enumerate(names)
             if isinstance(table.c[name].type, sa.Date)]
    values = [[row[name] for name in names] for row in rows]
    for cells in values:
        for k in dated:
            day = cells[k]
            if isinstance(day, _dt.date):
                cells[k] = day.isoformat()
    try:
        raw.executemany(statement, values)
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc,
                                         sqlite3.Error) from exc


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an INSERT of one row made."""
    key = result.inserted_primary_key
    if key is None:
        raise StoreError("the database gave no id for the row inserted")
    return int(key[0])


def _as_date(value: object) -> _dt.date:
    """A DATE as the driver returns it (a date; text on some drivers)."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


def _fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _year_filter(year: object) -> int:
    """A financial year's first calendar year from 2021, "2021/22" or a
    Period within it."""
    import pandas as pd
    if isinstance(year, bool):
        raise TypeError("year must be a financial year (2021, '2021/22' or a "
                        "Period), not a bool")
    if isinstance(year, int):
        return year
    if isinstance(year, str):
        return _fy_start(year, "year")
    if isinstance(year, pd.Period):
        return financial_year_of(year)
    raise TypeError(f"year must be a financial year (2021, '2021/22' or a "
                    f"Period), not {type(year).__name__}")
