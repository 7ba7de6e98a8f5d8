"""The store's tables and the migrations that build them.

``metadata`` holds the current tables (SQLAlchemy Core, no ORM), for
queries.  ``MIGRATIONS[n]`` brings a store from version ``n - 1`` to
version ``n`` inside the caller's write transaction; a fresh store runs
every step from 0 (empty), so a fresh store and a migrated one are the same
by construction.  Each step holds its own frozen DDL (its tables are
declared inside the step, never generated from ``metadata``), so that a
test can still build a genuine store of an older version.

Version 1 (this module): ``schema_version``, ``imports`` and
``kpi_results``.  Version 2 (``_schema_runs``) adds the papers, ledger
totals and runs; it registers itself when this module imports it, at the
end.

Conventions: money is BIGINT pence; rates are a numerator and a denominator
(BIGINT); exact values are a pair (num, den); dates are DATE; timestamps
are UTC.  No column holds as a float anything apportion holds exactly.  A
period is its first day (DATE) and its frequency (a pandas frequency
string such as ``M`` or ``Q-DEC``); a missing group is stored as ``''``.
Rows are never deleted or updated in place, except that a superseded row
gets the id of the import that superseded it (``superseded_by``); a
partial unique index on each table's key ``WHERE superseded_by IS NULL``
makes "every period exactly once" the database's rule.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

__all__ = ["MIGRATIONS", "imports", "kpi_results", "metadata", "schema_version"]

#: The current tables of every version, for queries.
metadata = MetaData()

#: The schema's version history: one row per migration step applied.
schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("apportion_version", String(40), nullable=False),
)

#: The trail: one row per import (a transaction of :meth:`Store.write`)
#: that changed something.
imports = Table(
    "imports", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("file", Text),
    Column("sha256", String(64)),
    Column("source", Text),
    Column("apportion_version", String(40), nullable=False),
    Column("user", String(200), nullable=False),
)

#: KPI results: one current row per (kpi, group, period), superseded rows
#: kept with the import that superseded them.
kpi_results = Table(
    "kpi_results", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kpi", String(100), nullable=False),
    Column("grp", String(200), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("numerator", BigInteger),
    Column("denominator", BigInteger),
    Column("value_num", BigInteger),
    Column("value_den", BigInteger),
    Column("value_text", Text),
    Column("rag", String(5)),
    Column("description", Text, nullable=False),
    Column("bands", Text, nullable=False),
    Column("failure_after", Integer, nullable=False),
    Column("rectification_after", Integer, nullable=False),
    Column("rule_basis", String(10), nullable=False),
    Column("rule_note", Text, nullable=False),
    Column("source", Text),
    Column("import_id", BigInteger().with_variant(Integer, "sqlite"),
           ForeignKey("imports.id"), nullable=False),
    Column("superseded_by", BigInteger().with_variant(Integer, "sqlite"),
           ForeignKey("imports.id")),
)
Index("kpi_results_current", kpi_results.c.kpi, kpi_results.c.grp,
      kpi_results.c.period_start, kpi_results.c.frequency, unique=True,
      sqlite_where=kpi_results.c.superseded_by.is_(None),
      postgresql_where=kpi_results.c.superseded_by.is_(None))


def _v1(conn: Connection) -> None:
    """Version 1 from an empty database: the version table, the imports
    trail and the KPI results, with the DDL frozen as version 1 had it."""
    md = MetaData()
    key = BigInteger().with_variant(Integer, "sqlite")
    Table("schema_version", md,
          Column("version", Integer, primary_key=True, autoincrement=False),
          Column("applied_at", DateTime(timezone=True), nullable=False),
          Column("apportion_version", String(40), nullable=False))
    Table("imports", md,
          Column("id", key, primary_key=True),
          Column("kind", String(40), nullable=False),
          Column("at", DateTime(timezone=True), nullable=False),
          Column("file", Text),
          Column("sha256", String(64)),
          Column("source", Text),
          Column("apportion_version", String(40), nullable=False),
          Column("user", String(200), nullable=False))
    results = Table(
        "kpi_results", md,
        Column("id", key, primary_key=True),
        Column("kpi", String(100), nullable=False),
        Column("grp", String(200), nullable=False),
        Column("period_start", Date, nullable=False),
        Column("frequency", String(16), nullable=False),
        Column("numerator", BigInteger),
        Column("denominator", BigInteger),
        Column("value_num", BigInteger),
        Column("value_den", BigInteger),
        Column("value_text", Text),
        Column("rag", String(5)),
        Column("description", Text, nullable=False),
        Column("bands", Text, nullable=False),
        Column("failure_after", Integer, nullable=False),
        Column("rectification_after", Integer, nullable=False),
        Column("rule_basis", String(10), nullable=False),
        Column("rule_note", Text, nullable=False),
        Column("source", Text),
        Column("import_id", key, ForeignKey("imports.id"), nullable=False),
        Column("superseded_by", key, ForeignKey("imports.id")))
    Index("kpi_results_current", results.c.kpi, results.c.grp,
          results.c.period_start, results.c.frequency, unique=True,
          sqlite_where=results.c.superseded_by.is_(None),
          postgresql_where=results.c.superseded_by.is_(None))
    Index("kpi_results_lane", results.c.kpi, results.c.grp, results.c.period_start)
    md.create_all(conn)


Index("kpi_results_lane", kpi_results.c.kpi, kpi_results.c.grp,
      kpi_results.c.period_start)

#: The step that brings a store to version n from version n - 1, run inside
#: the write transaction that records it in ``schema_version``.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1}

# Version 2 (the papers, ledger totals and runs) registers its step and
# declares its tables on ``metadata`` when imported; at the end, since it
# builds on what is above.
from . import _schema_runs  # noqa: E402,F401
