"""Schema version 2: the year's papers with their findings, ledger totals
after apportionment, and forecast and scenario runs.

Importing this module (``_schema`` does, at its end) declares the version 2
tables on ``apportion.store._schema.metadata``, for queries, and
registers ``MIGRATIONS[2]``, the step that adds them to a version 1 store.
The step holds its own frozen DDL (the tables as version 2 created them),
never generated from the current tables.

- ``papers``: one row per version of a paper as loaded, keyed by kind,
  name and period; its JSON text (the paper itself, re-loadable by
  apportion's loader), the text's SHA-256, the audit's counts.  A changed
  paper supersedes the stored one; both stay, each with its import.
- ``paper_findings``: every check of a stored paper's figures, the exact
  figures as (num, den) pairs (den a power of ten: the printed precision).
- ``ledger_totals``: pence by ledger, cost centre, period and authority.
- ``runs``: a forecast or a scenario run by its parameters (JSON with every
  number exact) and seed (decimal text: a seed is up to 2**64 - 1, beyond
  BIGINT), and the SHA-256 of its result, which a re-run must reproduce.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

from ._schema import MIGRATIONS, metadata

__all__ = ["ledger_totals", "paper_findings", "papers", "runs"]

#: The schema version these tables make.
VERSION = 2

_KEY = BigInteger().with_variant(Integer, "sqlite")

#: The year's papers, one row per version of a paper as loaded.
papers = Table(
    "papers", metadata,
    Column("id", _KEY, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("financial_year", Integer),
    Column("title", Text),
    Column("source", Text, nullable=False),
    Column("format", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("checks", Integer, nullable=False),
    Column("rounding", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("import_id", _KEY, ForeignKey("imports.id"), nullable=False),
    Column("superseded_by", _KEY, ForeignKey("imports.id")),
)
Index("papers_current", papers.c.kind, papers.c.name, papers.c.period_start,
      papers.c.frequency, unique=True,
      sqlite_where=papers.c.superseded_by.is_(None),
      postgresql_where=papers.c.superseded_by.is_(None))
Index("papers_year", papers.c.financial_year)

#: Every check of each stored paper's figures, in the audit's order.
paper_findings = Table(
    "paper_findings", metadata,
    Column("paper_id", _KEY, ForeignKey("papers.id"), primary_key=True,
           autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("finding_id", String(200)),
    Column("row_label", Text),
    Column("column_label", Text),
    Column("check_name", Text),
    Column("status", String(10), nullable=False),
    Column("cause", String(40), nullable=False),
    Column("item", Text),
    Column("unit", String(10)),
    Column("stated_num", BigInteger, nullable=False),
    Column("stated_den", BigInteger, nullable=False),
    Column("computed_num", BigInteger, nullable=False),
    Column("computed_den", BigInteger, nullable=False),
    Column("difference_num", BigInteger, nullable=False),
    Column("difference_den", BigInteger, nullable=False),
    Column("tolerance_num", BigInteger, nullable=False),
    Column("tolerance_den", BigInteger, nullable=False),
    Column("suggestion", Text, nullable=False),
)

#: Ledger totals after apportionment: pence by ledger, cost centre, period
#: and authority.
ledger_totals = Table(
    "ledger_totals", metadata,
    Column("id", _KEY, primary_key=True),
    Column("ledger", String(200), nullable=False),
    Column("centre", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("authority", String(100), nullable=False),
    Column("pence", BigInteger, nullable=False),
    Column("import_id", _KEY, ForeignKey("imports.id"), nullable=False),
    Column("superseded_by", _KEY, ForeignKey("imports.id")),
)
Index("ledger_totals_current", ledger_totals.c.ledger, ledger_totals.c.centre,
      ledger_totals.c.period_start, ledger_totals.c.frequency,
      ledger_totals.c.authority, unique=True,
      sqlite_where=ledger_totals.c.superseded_by.is_(None),
      postgresql_where=ledger_totals.c.superseded_by.is_(None))
Index("ledger_totals_import", ledger_totals.c.import_id)

#: Forecasts and scenario runs by their parameters and seed.
runs = Table(
    "runs", metadata,
    Column("id", _KEY, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("method", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("seed", String(20)),
    Column("start", BigInteger),
    Column("n", BigInteger),
    Column("parameters", Text, nullable=False),
    Column("parameters_sha256", String(64), nullable=False),
    Column("result_sha256", String(64), nullable=False),
    Column("import_id", _KEY, ForeignKey("imports.id"), nullable=False),
    Column("superseded_by", _KEY, ForeignKey("imports.id")),
)
Index("runs_current", runs.c.kind, runs.c.name, runs.c.parameters_sha256,
      unique=True, sqlite_where=runs.c.superseded_by.is_(None),
      postgresql_where=runs.c.superseded_by.is_(None))


def _v2(conn: Connection) -> None:
    """Version 2 from version 1: the papers and their findings, ledger
    totals and runs, with the DDL frozen as version 2 had it."""
    md = MetaData()
    key = BigInteger().with_variant(Integer, "sqlite")
    # Version 1's imports, only for the foreign keys to resolve: not created.
    Table("imports", md, Column("id", key, primary_key=True))
    p = Table(
        "papers", md,
        Column("id", key, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("name", Text, nullable=False),
        Column("period_start", Date, nullable=False),
        Column("frequency", String(16), nullable=False),
        Column("financial_year", Integer),
        Column("title", Text),
        Column("source", Text, nullable=False),
        Column("format", String(40), nullable=False),
        Column("text", Text, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("checks", Integer, nullable=False),
        Column("rounding", Integer, nullable=False),
        Column("errors", Integer, nullable=False),
        Column("import_id", key, ForeignKey("imports.id"), nullable=False),
        Column("superseded_by", key, ForeignKey("imports.id")))
    Index("papers_current", p.c.kind, p.c.name, p.c.period_start,
          p.c.frequency, unique=True,
          sqlite_where=p.c.superseded_by.is_(None),
          postgresql_where=p.c.superseded_by.is_(None))
    Index("papers_year", p.c.financial_year)
    f = Table(
        "paper_findings", md,
        Column("paper_id", key, ForeignKey("papers.id"), primary_key=True,
               autoincrement=False),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("finding_id", String(200)),
        Column("row_label", Text),
        Column("column_label", Text),
        Column("check_name", Text),
        Column("status", String(10), nullable=False),
        Column("cause", String(40), nullable=False),
        Column("item", Text),
        Column("unit", String(10)),
        Column("stated_num", BigInteger, nullable=False),
        Column("stated_den", BigInteger, nullable=False),
        Column("computed_num", BigInteger, nullable=False),
        Column("computed_den", BigInteger, nullable=False),
        Column("difference_num", BigInteger, nullable=False),
        Column("difference_den", BigInteger, nullable=False),
        Column("tolerance_num", BigInteger, nullable=False),
        Column("tolerance_den", BigInteger, nullable=False),
        Column("suggestion", Text, nullable=False))
    lt = Table(
        "ledger_totals", md,
        Column("id", key, primary_key=True),
        Column("ledger", String(200), nullable=False),
        Column("centre", Text, nullable=False),
        Column("period_start", Date, nullable=False),
        Column("frequency", String(16), nullable=False),
        Column("authority", String(100), nullable=False),
        Column("pence", BigInteger, nullable=False),
        Column("import_id", key, ForeignKey("imports.id"), nullable=False),
        Column("superseded_by", key, ForeignKey("imports.id")))
    Index("ledger_totals_current", lt.c.ledger, lt.c.centre, lt.c.period_start,
          lt.c.frequency, lt.c.authority, unique=True,
          sqlite_where=lt.c.superseded_by.is_(None),
          postgresql_where=lt.c.superseded_by.is_(None))
    Index("ledger_totals_import", lt.c.import_id)
    r = Table(
        "runs", md,
        Column("id", key, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("method", String(40), nullable=False),
        Column("name", Text, nullable=False),
        Column("seed", String(20)),
        Column("start", BigInteger),
        Column("n", BigInteger),
        Column("parameters", Text, nullable=False),
        Column("parameters_sha256", String(64), nullable=False),
        Column("result_sha256", String(64), nullable=False),
        Column("import_id", key, ForeignKey("imports.id"), nullable=False),
        Column("superseded_by", key, ForeignKey("imports.id")))
    Index("runs_current", r.c.kind, r.c.name, r.c.parameters_sha256,
          unique=True, sqlite_where=r.c.superseded_by.is_(None),
          postgresql_where=r.c.superseded_by.is_(None))
    md.create_all(conn, tables=[p, f, lt, r])


MIGRATIONS[VERSION] = _v2
