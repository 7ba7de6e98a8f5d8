"""The Store: one database, its schema version and its write transactions."""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError, StoreVersionError
from . import _schema
from ._kpi import KpiHistory
from ._papers import PaperHistory
from ._runs import RunHistory
from ._views import StoreViews

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Store", "default_url", "open"]

#: The key of the write lock on PostgreSQL (``pg_advisory_xact_lock``): the
#: first 8 bytes of sha256("apportion.store write lock"), as a signed int.
WRITE_LOCK_KEY = -4816075206733681997

#: How long (ms) a SQLite writer waits for another's lock before failing.
BUSY_TIMEOUT_MS = 60_000

_BACKENDS = ("sqlite", "postgresql")


def _data_folder() -> Path:
    """The user's data folder for apportion, by platform."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "apportion"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "apportion"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "apportion"


def default_url() -> str:
    """The store :func:`open` uses when given no URL: ``$APPORTION_STORE``
    when it is set, else the SQLite file ``history.db`` in the user's data
    folder (``$XDG_DATA_HOME/apportion`` or ``~/.local/share/apportion`` on
    Linux, ``~/Library/Application Support/apportion`` on macOS,
    ``%LOCALAPPDATA%\\apportion`` on Windows).

    >>> import os
    >>> os.environ["APPORTION_STORE"] = "sqlite:///team.db"
    >>> default_url()
    'sqlite:///team.db'
    >>> del os.environ["APPORTION_STORE"]
    """
    env = os.environ.get("APPORTION_STORE")
    if env:
        return env
    return "sqlite:///" + (_data_folder() / "history.db").as_posix()


def _engine_url(url: str) -> URL:
    """The SQLAlchemy URL of a store URL: ``postgresql://`` (or
    ``postgres://``) reaches PostgreSQL through psycopg 3."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(f"{url!r} is not a database URL (expected "
                         f"sqlite:///path.db or postgresql://user@host/db): "
                         f"{exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _hidden(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _apportion_version() -> str:
    from .. import __version__
    return str(__version__)


def _sha256(path: str) -> str | None:
    """The file's SHA-256 in hex; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _set_wal(cur: Any) -> None:
    """Puts the database in WAL mode.  Two connections switching a new
    file's journal mode at once can deadlock on its locks, and SQLite then
    answers "database is locked" at once, without waiting the busy
    timeout: so the switch is tried again, until that timeout."""
    import sqlite3
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        # sqlite3 does not expand "~": expand it once, so the folder made
        # and the file opened are the same.
        database = str(Path(database).expanduser())
        url = url.set(database=database)
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling off: the store says BEGIN
        # (or BEGIN IMMEDIATE for a writer) itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        _set_wal(cur)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("apportion_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Store(KpiHistory, PaperHistory, RunHistory, StoreViews):
    """A history store: KPI results by period, the year's papers, ledger
    totals and runs, in one database (SQLite or PostgreSQL).

    Open one with :func:`apportion.store.open`; it is a context manager
    that closes the store's connections at the end.

    >>> import apportion.store
    >>> with apportion.store.open("sqlite://") as s:   # in memory
    ...     s.backend, s.schema_version >= 1
    ('sqlite', True)
    """

    def __init__(self, url: str, *, create: bool = True) -> None:
        self._url = _engine_url(url)
        #: the store's URL, its password hidden
        self.url = _hidden(self._url)
        backend = self._url.get_backend_name()
        if backend not in _BACKENDS:
            raise StoreError(f"{self.url}: the store runs on SQLite or "
                             f"PostgreSQL, not {backend!r}")
        #: "sqlite" or "postgresql"
        self.backend = backend
        try:
            if backend == "sqlite":
                self.engine: Engine = _sqlite_engine(self._url)
            else:
                self.engine = sa.create_engine(self._url, pool_pre_ping=True)
        except ImportError as exc:
            raise ImportError(f"{self.url} needs psycopg 3: pip install "
                              f"'apportion[store]' ({exc})") from None
        try:
            self._open(create)
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # ---- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Closes the store's connections (the engine's pool)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # ---- schema -----------------------------------------------------------

    def _version(self, conn: Connection) -> int | None:
        """The store's schema version; None for an empty database."""
        inspector = sa.inspect(conn)
        if not inspector.has_table("schema_version"):
            if inspector.get_table_names():
                raise StoreError(f"{self.url}: the database has tables but no "
                                 f"schema_version table; it is not an "
                                 f"apportion store")
            return None
        table = _schema.schema_version
        version = conn.execute(sa.select(sa.func.max(table.c.version))).scalar()
        if version is None:
            raise StoreVersionError(f"{self.url}: the table schema_version is "
                                    f"empty; expected a version from 1 to "
                                    f"{self.known_version}")
        return int(version)

    @property
    def known_version(self) -> int:
        """The newest schema version this release knows (and writes)."""
        return max(_schema.MIGRATIONS)

    @property
    def schema_version(self) -> int:
        """The store's schema version, as its ``schema_version`` table
        says."""
        with self.read() as conn:
            version = self._version(conn)
        return 0 if version is None else version

    def _refuse_newer(self, version: int) -> None:
        if version > self.known_version:
            raise StoreVersionError(
                f"{self.url}: the store's schema is version {version}, newer "
                f"than version {self.known_version}, the newest this release "
                f"of apportion ({_apportion_version()}) knows; upgrade "
                f"apportion to open it")

    def _open(self, create: bool) -> None:
        """Checks the store's version and brings an older (or, with
        ``create``, an empty) store to the current one."""
        try:
            with self.engine.connect() as conn:
                version = self._version(conn)
                conn.rollback()
            if version is not None:
                self._refuse_newer(version)
                if version == self.known_version:
                    return
            elif not create:
                raise StoreError(f"{self.url}: no apportion store there (the "
                                 f"database is empty); open it with "
                                 f"create=True or run `python -m apportion "
                                 f"store init`")
            with self._locked() as conn:
                # Again under the lock: another process may have got here first.
                version = self._version(conn) or 0
                self._refuse_newer(version)
                for step in range(version + 1, self.known_version + 1):
                    _schema.MIGRATIONS[step](conn)
                    conn.execute(sa.insert(_schema.schema_version).values(
                        version=step, applied_at=_utcnow(),
                        apportion_version=_apportion_version()))
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.url}: cannot open the store: "
                             f"{_reason(exc)}") from exc

    # ---- transactions ---------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        """A transaction holding the store's write lock."""
        with self.engine.connect() as conn:
            if self.backend == "sqlite":
                conn.execution_options(apportion_write=True)
            with conn.begin():
                if self.backend == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
                yield conn

    @contextmanager
    def write(self, kind: str, *, file: str | os.PathLike[str] | None = None,
              source: str | None = None,
              sha256: str | None = None) -> Iterator[tuple[Connection, int]]:
        """One import: a context manager giving ``(conn, import_id)``, a
        connection in one transaction that holds the store's write lock
        (``BEGIN IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on
        PostgreSQL), and the id of the import's row in ``imports``.

        Everything the import writes goes through ``conn``, each row
        carrying ``import_id``; at the end of the block the transaction
        commits, and an exception rolls all of it back, the import's row
        included.  An import that wrote no row referring to it (every row
        it offered was already there: an idempotent re-import) leaves no
        trace: its ``imports`` row is dropped, so the trail lists only the
        imports that changed the store.

        ``kind`` says what is imported ("kpi", "paper", "ledger"...);
        ``file`` the file it came from, whose SHA-256 is taken when
        ``sha256`` is not given; ``source`` anything else that says where
        it came from (a plugin, a run).

        >>> import sqlalchemy as sa, apportion.store
        >>> with apportion.store.open("sqlite://") as s:
        ...     with s.write("note", source="a doctest") as (conn, import_id):
        ...         pass                        # wrote nothing: no trace
        ...     len(s.imports())
        0
        """
        file_name = None if file is None else os.fspath(file)
        if sha256 is None and file_name is not None:
            sha256 = _sha256(file_name)
        try:
            with self._locked() as conn:
                self._check_current(conn)
                key = conn.execute(sa.insert(_schema.imports).values(
                    kind=kind, at=_utcnow(), file=file_name, sha256=sha256,
                    source=source, apportion_version=_apportion_version(),
                    user=_user())).inserted_primary_key
                assert key is not None
                import_id = int(key[0])
                yield conn, import_id
                if not _referenced(conn, import_id):
                    conn.execute(sa.delete(_schema.imports).where(
                        _schema.imports.c.id == import_id))
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.url}: the {kind} import failed and "
                             f"changed nothing: {_reason(exc)}") from exc

    def _check_current(self, conn: Connection) -> None:
        version = self._version(conn) or 0
        if version != self.known_version:
            self._refuse_newer(version)
            raise StoreVersionError(f"{self.url}: the store's schema is "
                                    f"version {version}, expected "
                                    f"{self.known_version}; open it again "
                                    f"to migrate it")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read connection, in a transaction that sees one snapshot of
        the store (a WAL read transaction on SQLite, REPEATABLE READ on
        PostgreSQL, so a reading of several statements is consistent
        while imports go on) and is rolled back at the end.

        >>> import sqlalchemy as sa, apportion.store
        >>> with apportion.store.open("sqlite://") as s, s.read() as conn:
        ...     conn.execute(sa.text("select count(*) from kpi_results")).scalar()
        0
        """
        with self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            try:
                yield conn
            finally:
                conn.rollback()

    def imports(self) -> pd.DataFrame:
        """The trail: one row per import that changed the store, oldest
        first, with its id, kind, at (a UTC timestamp), file, sha256,
        source, apportion_version and user."""
        import pandas as pd
        table = _schema.imports
        with self.read() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.id)).all()
        frame = pd.DataFrame([tuple(r) for r in rows],
                             columns=[c.name for c in table.columns])
        frame["id"] = frame["id"].astype("int64")
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        return frame


def _reason(exc: SQLAlchemyError) -> str:
    """A database error in one line, without SQLAlchemy's background link."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _referenced(conn: Connection, import_id: int) -> bool:
    """Whether any row of the store refers to the import: a column with a
    foreign key to imports.id holding it."""
    for table in _schema.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is _schema.imports.c.id for fk in column.foreign_keys):
                hit = conn.execute(sa.select(sa.literal(1)).select_from(table)
                                   .where(column == import_id).limit(1)).first()
                if hit is not None:
                    return True
    return False


def open(url: str | None = None, *, create: bool = True) -> Store:
    """Opens the history store at ``url``: ``sqlite:///path.db`` (a file;
    ``sqlite://`` is one in memory) or ``postgresql://user@host/db``
    (through psycopg 3).  None opens :func:`default_url`.

    A store of an older schema version is migrated to this release's; a
    newer one is refused with :class:`~apportion.errors.StoreVersionError`
    naming both versions.  An empty database becomes a store when
    ``create`` is true, else it is a :class:`~apportion.errors.StoreError`.

    >>> import apportion.store
    >>> s = apportion.store.open("sqlite://")
    >>> s
    Store('sqlite://')
    >>> s.close()
    """
    return Store(default_url() if url is None else url, create=create)
