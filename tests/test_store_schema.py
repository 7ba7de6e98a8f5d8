"""The store's database: opening, the schema version and its migrations,
the write transaction and its trail, on SQLite and PostgreSQL alike
(``store_url`` gives a fresh empty database of each)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import apportion.store
from apportion.errors import ApportionError, InputError, StoreError, StoreVersionError
from apportion.store import _schema
from apportion.store._store import _engine_url, _hidden

ROOT = Path(__file__).resolve().parent.parent



def raw_engine(url):
    """An engine on the store's database that is not the store's own."""
    return sa.create_engine(_engine_url(url))


def python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)


def test_import_apportion_does_not_import_sqlalchemy():
    result = python("import sys, apportion\n"
                    "apportion.scorecard; apportion.ServiceArea\n"
                    "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                    "('sqlalchemy', 'psycopg', 'apportion') and "
                    "(m.startswith(('sqlalchemy', 'psycopg')) or 'store' in m)))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_store_without_sqlalchemy_names_the_extra():
    result = python("import sys\nsys.modules['sqlalchemy'] = None\n"
                    "try:\n    import apportion.store\n"
                    "except ImportError as e:\n    print(e)\n")
    assert result.returncode == 0, result.stderr
    assert "pip install 'apportion[store]'" in result.stdout


def test_errors_are_apportion_errors():
    assert issubclass(StoreVersionError, StoreError)
    assert issubclass(StoreError, ApportionError)
    assert apportion.store.StoreError is StoreError


def test_fresh_store_has_every_version(store_url):
    with apportion.store.open(store_url) as s:
        assert s.backend == store_url.split(":")[0].split("+")[0]
        assert s.schema_version == s.known_version == max(_schema.MIGRATIONS)
        assert len(s.imports()) == 0
        with s.read() as conn:
            versions = conn.execute(sa.select(_schema.schema_version.c.version)
                                    .order_by(_schema.schema_version.c.version)).scalars().all()
            names = set(sa.inspect(conn).get_table_names())
        assert versions == list(range(1, s.known_version + 1))
        assert {t.name for t in _schema.metadata.sorted_tables} <= names
        assert repr(s) == f"Store({s.url!r})"


def test_opening_again_changes_nothing(store_url):
    apportion.store.open(store_url).close()
    with apportion.store.open(store_url, create=False) as s:
        with s.read() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(
                _schema.schema_version)).scalar()
        assert n == s.known_version


def test_empty_database_without_create_is_refused(store_url):
    with pytest.raises(StoreError, match="no apportion store there"):
        apportion.store.open(store_url, create=False)
    engine = raw_engine(store_url)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_a_database_that_is_not_a_store_is_refused(store_url):
    engine = raw_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table budgets (id integer primary key)"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="not an apportion store"):
        apportion.store.open(store_url)


def build_v1(url):
    """A genuine version 1 store: migration step 1 alone, with one KPI
    result written as version 1 wrote it."""
    engine = raw_engine(url)
    try:
        with engine.begin() as conn:
            _schema.MIGRATIONS[1](conn)
            conn.execute(sa.text(
                "insert into schema_version (version, applied_at, apportion_version) "
                "values (1, :at, '0.1.0')"), {"at": "2026-12-01 00:00:00"})
            conn.execute(sa.text(
                'insert into imports (id, kind, at, apportion_version, "user") '
                "values (1, 'kpi', :at, '0.1.0', 'analyst')"),
                {"at": "2026-12-01 00:00:00"})
            conn.execute(sa.text(
                "insert into kpi_results (kpi, grp, period_start, frequency, "
                "numerator, denominator, value_num, value_den, rag, description, "
                "bands, failure_after, rectification_after, rule_basis, rule_note, "
                "import_id) values ('IASS2', 'NNC', :start, 'M', 7, 10, 70, 1, "
                "'red', '', :bands, 1, 1, 'assumption', 'the default', 1)"),
                {"start": "2021-04-01",
                 "bands": '{"bands":[{"lower":null,"lower_inclusive":false,'
                          '"rag":"red","upper":[80,1],"upper_inclusive":true},'
                          '{"lower":[80,1],"lower_inclusive":false,"rag":"green",'
                          '"upper":null,"upper_inclusive":false}],"frequency":null,'
                          '"polarity":"higher","target":[80,1],"unit":"%"}'})
    finally:
        engine.dispose()


def test_a_version_1_store_opens_and_keeps_its_history(store_url):
    build_v1(store_url)
    with apportion.store.open(store_url, create=False) as s:
        assert s.schema_version == s.known_version
        history = s.history()
        assert len(history) == 1
        row = history.iloc[0]
        assert (row["kpi"], row["group"], str(row["period"])) == ("IASS2", "NNC", "2021-04")
        assert (row["numerator"], row["denominator"], row["rag"]) == (7, 10, "red")
        assert s.escalations()["escalation"].tolist() == ["performance_failure"]
        assert s.imports()["user"].tolist() == ["analyst"]


def test_a_newer_store_is_refused_naming_both_versions(store_url):
    with apportion.store.open(store_url) as s:
        known = s.known_version
    engine = raw_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(_schema.schema_version).values(
                version=known + 1, applied_at=sa.func.current_timestamp(),
                apportion_version="99.0"))
    finally:
        engine.dispose()
    with pytest.raises(StoreVersionError) as info:
        apportion.store.open(store_url)
    message = str(info.value)
    assert f"version {known + 1}" in message and f"version {known}," in message
    assert "upgrade apportion" in message


def test_write_rolls_back_everything_on_an_error(store_url):
    with apportion.store.open(store_url) as s:
        t = _schema.kpi_results
        with pytest.raises(InputError, match="bad row"):
            with s.write("kpi", source="test") as (conn, import_id):
                conn.execute(sa.insert(t).values(
                    kpi="K", grp="", period_start=sa.func.current_date(),
                    frequency="M", description="", bands="{}", failure_after=1,
                    rectification_after=1, rule_basis="assumption", rule_note="",
                    import_id=import_id))
                raise InputError("bad row")
        assert len(s.imports()) == 0
        assert len(s.history()) == 0


def test_write_keeps_the_trail_and_drops_an_import_that_changed_nothing(store_url, tmp_path):
    data = tmp_path / "return.csv"
    data.write_text("kpi,period\n")
    with apportion.store.open(store_url) as s:
        with s.write("kpi", file=data, source="nothing") as (conn, import_id):
            assert import_id >= 1
        assert len(s.imports()) == 0
        t = _schema.kpi_results
        with s.write("kpi", file=data, source="one row") as (conn, import_id):
            conn.execute(sa.insert(t).values(
                kpi="K", grp="", period_start=sa.func.current_date(),
                frequency="M", description="", bands="{}", failure_after=1,
                rectification_after=1, rule_basis="assumption", rule_note="",
                import_id=import_id))
        trail = s.imports()
        assert trail["kind"].tolist() == ["kpi"]
        assert trail["source"].tolist() == ["one row"]
        assert trail["file"].tolist() == [str(data)]
        import hashlib
        assert trail["sha256"].tolist() == [hashlib.sha256(data.read_bytes()).hexdigest()]
        assert str(trail["at"].dt.tz) == "UTC"
        assert trail["apportion_version"].tolist() == [apportion.__version__]


def test_the_unique_index_is_the_database_rule(store_url):
    """Two current results for one key are refused by the database itself,
    and the refused import leaves nothing."""
    with apportion.store.open(store_url) as s:
        t = _schema.kpi_results
        row = dict(kpi="K", grp="", period_start=sa.func.current_date(),
                   frequency="M", description="", bands="{}", failure_after=1,
                   rectification_after=1, rule_basis="assumption", rule_note="")
        with pytest.raises(StoreError, match="kpi import failed and changed nothing"):
            with s.write("kpi") as (conn, import_id):
                conn.execute(sa.insert(t).values(**row, import_id=import_id))
                conn.execute(sa.insert(t).values(**row, import_id=import_id))
        assert len(s.imports()) == 0 and len(s.history()) == 0


def test_default_url(monkeypatch, tmp_path):
    monkeypatch.delenv("APPORTION_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert apportion.store.default_url() == \
            f"sqlite:///{tmp_path}/data/apportion/history.db"
        with apportion.store.open() as s:
            assert s.backend == "sqlite"
        assert (tmp_path / "data" / "apportion" / "history.db").exists()
    monkeypatch.setenv("APPORTION_STORE", "sqlite:///elsewhere.db")
    assert apportion.store.default_url() == "sqlite:///elsewhere.db"


def test_urls():
    url = _engine_url("postgresql://analyst:secret@db.example/history")
    assert url.drivername == "postgresql+psycopg"
    assert "secret" not in _hidden(url) and "analyst" in _hidden(url)
    with pytest.raises(StoreError, match="SQLite or PostgreSQL, not 'mysql'"):
        apportion.store.open("mysql://analyst@db.example/history")
    with pytest.raises(StoreError, match="not a database URL"):
        apportion.store.open("history.db")


def test_a_home_folder_in_a_sqlite_url_is_expanded(monkeypatch, tmp_path):
    """sqlite3 does not expand "~": the store does, so the folder it makes
    and the file it opens are the same one."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with apportion.store.open("sqlite:///~/stores/nct.db") as s:
        assert s.schema_version == s.known_version
    assert (tmp_path / "stores" / "nct.db").is_file()
    assert not (tmp_path / "~").exists()
