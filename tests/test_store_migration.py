"""A store written by the release before (schema version 1: the KPI
history) opens with this code, is migrated to version 2 (papers, ledger
totals, runs) and keeps its history; the version 2 tables the frozen
migration step makes are the tables the code queries.  On SQLite and
PostgreSQL alike (``store_url``)."""

import warnings
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import apportion
import apportion.store
from apportion import AmbiguousBandsWarning
from apportion.store import _schema, _schema_runs, _store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
V1_TABLES = ("schema_version", "imports", "kpi_results")
V2_TABLES = ("papers", "paper_findings", "ledger_totals", "runs")
MONTHS = [str(p) for p in pd.period_range("2021-04", "2022-03", freq="M")]
# Referrals answered in time of 20 a month, April 2021 to March 2022 (made
# up): a run of Red months for NNC.
NUMERATORS = {"NNC": [19, 18, 15, 14, 15, 17, 19, 19, 14, 15, 15, 19],
              "WNC": [18, 16, 16, 16, 16, 16, 18, 18, 18, 15, 18, 18]}


def iass2():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AmbiguousBandsWarning)
        return apportion.load_kpis(EXAMPLES / "iass-kpis.json")["IASS2"]


def values(months):
    return pd.DataFrame(
        [("IASS2", g, m, NUMERATORS[g][MONTHS.index(m)], 20)
         for g in NUMERATORS for m in months],
        columns=["kpi", "group", "period", "numerator", "denominator"])


def build_v1_with_history(url, monkeypatch):
    """A genuine version 1 store, written by the store's own API as the
    release with schema version 1 had it: the migrations stop at step 1 and
    the store knows only version 1's tables.  Its KPI history is recorded
    month by month by ``apportion.scorecard(..., store=)``; a month is
    recorded again with a correction, so the history has a superseded
    result and its trail."""
    with monkeypatch.context() as m:
        m.delitem(_schema.MIGRATIONS, 2)
        v1 = sa.MetaData()
        for name in V1_TABLES:
            m.setattr(_schema, name, _schema.metadata.tables[name].to_metadata(v1))
        m.setattr(_schema, "metadata", v1)
        with apportion.store.open(url) as s:
            assert s.schema_version == s.known_version == 1
            kpi = iass2()
            for month in MONTHS[:6]:
                apportion.scorecard(kpi, values([month]), store=s)
            corrected = values([MONTHS[2]])
            corrected.loc[corrected["group"] == "NNC", "numerator"] = 17
            apportion.scorecard(kpi, corrected, store=s)
            history = s.history(superseded=True)
            current = s.history()
            escalations = s.escalations()
            trail = s.imports()
    return history, current, escalations, trail


def raw_tables(url):
    engine = sa.create_engine(_store._engine_url(url))
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            versions = conn.execute(sa.text(
                "select version from schema_version order by version")).scalars().all()
    finally:
        engine.dispose()
    return names, versions


def test_a_version_1_store_migrates_to_version_2_with_its_history(store_url, monkeypatch):
    history, current, escalations, trail = build_v1_with_history(store_url, monkeypatch)
    names, versions = raw_tables(store_url)
    assert names == set(V1_TABLES) and versions == [1]
    assert len(history) == 6 * 2 + 1 and len(current) == 6 * 2
    assert len(trail) == 7

    with apportion.store.open(store_url, create=False) as s:
        assert s.schema_version == s.known_version == 2
        pd.testing.assert_frame_equal(s.history(superseded=True), history)
        pd.testing.assert_frame_equal(s.history(), current)
        pd.testing.assert_frame_equal(s.escalations(), escalations)
        pd.testing.assert_frame_equal(s.imports(), trail)
        # Version 2's part works in the migrated store, and the KPI
        # history goes on from where it was.
        paper = s.record_paper(EXAMPLES / "iass-2021-22.json")
        apportion.scorecard(iass2(), values(MONTHS[6:]), store=s)
        assert paper.status == "added" and len(s.papers()) == 1
        assert len(s.history()) == 12 * 2
        later = s.history(superseded=True, until="2021-09")
        pd.testing.assert_frame_equal(later.reset_index(drop=True),
                                      history.reset_index(drop=True))
    names, versions = raw_tables(store_url)
    assert names == set(V1_TABLES) | set(V2_TABLES) and versions == [1, 2]
    # Opening again does nothing more.
    with apportion.store.open(store_url, create=False) as s:
        assert s.schema_version == 2
    assert raw_tables(store_url)[1] == [1, 2]


def test_the_frozen_step_makes_the_tables_the_code_queries(store_url):
    """Version 2's migration step declares its DDL apart from the current
    tables: they must agree, column for column and index for index."""
    apportion.store.open(store_url).close()
    engine = sa.create_engine(_store._engine_url(store_url))
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for name in V2_TABLES:
                table = _schema.metadata.tables[name]
                assert table is getattr(_schema_runs, name)
                stored = {c["name"]: c for c in inspector.get_columns(name)}
                assert list(stored) == [c.name for c in table.columns]
                for column in table.columns:
                    got = stored[column.name]
                    assert got["nullable"] == column.nullable, (name, column.name)
                    assert got["type"].compile(dialect=engine.dialect) == \
                        column.type.compile(dialect=engine.dialect), (name, column.name)
                indexes = {i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
                           for i in inspector.get_indexes(name)}
                assert indexes == {i.name: (tuple(c.name for c in i.columns),
                                            bool(i.unique)) for i in table.indexes}
                fks = {(tuple(f["constrained_columns"]), f["referred_table"])
                       for f in inspector.get_foreign_keys(name)}
                assert fks == {((fk.parent.name,), fk.column.table.name)
                               for fk in table.foreign_keys}
    finally:
        engine.dispose()


def test_every_period_exactly_once_is_the_databases_rule(store_url):
    """The partial unique indexes refuse a second current row for a key,
    whatever the code does; a superseded one may stay beside it."""
    with apportion.store.open(store_url) as s:
        t = _schema.metadata.tables["ledger_totals"]
        row = {"ledger": "", "centre": "A", "period_start": pd.Timestamp("2021-04-01").date(),
               "frequency": "M", "authority": "NNC", "pence": 1}
        with s.write("test") as (conn, import_id):
            conn.execute(sa.insert(t).values(**row, import_id=import_id))
            conn.execute(sa.insert(t).values(**row, import_id=import_id,
                                             superseded_by=import_id))
        with pytest.raises(apportion.store.StoreError, match="changed nothing"):
            with s.write("test") as (conn, import_id):
                conn.execute(sa.insert(t).values(**row, import_id=import_id))
        assert len(s.ledger_totals(superseded=True)) == 2
