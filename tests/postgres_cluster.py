"""A throwaway PostgreSQL server for the tests and the store's benchmark.

``PostgresCluster().start()`` makes a cluster with Debian's server binaries
(the newest ``/usr/lib/postgresql/<version>/bin``; ``make deps`` installs
them) in a fresh temporary folder: ``initdb`` with trust authentication for
one superuser role, a unix socket in that folder and 127.0.0.1 on a free
port, ``fsync`` off (a test server keeps nothing).  It waits until the
server takes connections, and ``stop()`` shuts it down (``pg_ctl stop -m
fast``, then SIGQUIT if that fails) and removes the folder.  A started
cluster is also stopped at interpreter exit, so a failure or Ctrl-C between
start and stop leaves no server behind; and a watchdog process of its own
(this file run with ``--watchdog``) stops it and removes the folder when the
process that started it dies without exiting (SIGKILL, a crash).

initdb, pg_ctl and postgres refuse to run as root.  Under root (a container,
CI) they run as an unprivileged user, ``nobody`` unless said otherwise,
through ``setpriv`` (or ``runuser``), and the folder belongs to that user;
the folder is made under a parent every user can enter (``/tmp`` when
``$TMPDIR`` is private).

Databases are made and dropped with the server's own ``psql`` over the unix
socket, so the helper needs no Python driver; the URLs it gives are
SQLAlchemy's ``postgresql+psycopg://role@127.0.0.1:port/name``.

    python tests/postgres_cluster.py      # start one, print its facts, wait for Enter
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import glob
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["PostgresCluster", "PostgresMissing", "ServerFacts", "find_bin_dir"]

#: Where Debian's postgresql packages put the server: one folder a version.
DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
#: The programs the cluster needs from that folder.
PROGRAMS = ("initdb", "pg_ctl", "postgres", "psql", "pg_isready")

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresMissing(RuntimeError):
    """The PostgreSQL server programs are not installed."""


@dataclasses.dataclass(frozen=True)
class ServerFacts:
    """How to reach a running cluster: for tests that start their own
    processes (``env()`` gives the libpq variables, ``url(db)`` the
    SQLAlchemy URL)."""

    host: str
    port: int
    socket_dir: Path
    user: str
    bin_dir: Path

    def url(self, database: str, driver: str = "psycopg") -> str:
        """``postgresql+psycopg://user@127.0.0.1:port/database`` (no
        password: the cluster trusts local connections)."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{database}"

    def env(self, database: str = "postgres") -> dict[str, str]:
        """PGHOST (the socket folder), PGPORT, PGUSER and PGDATABASE, for a
        child process's environment (psql, libpq, psycopg)."""
        return {"PGHOST": str(self.socket_dir), "PGPORT": str(self.port),
                "PGUSER": self.user, "PGDATABASE": database}


def _version_key(bin_dir: str) -> tuple[int, ...]:
    version = Path(bin_dir).parent.name
    return tuple(int(p) for p in re.findall(r"\d+", version)) or (0,)


def find_bin_dir(search: str = DEBIAN_GLOB) -> Path:
    """The folder holding initdb, pg_ctl, postgres and psql: the newest of
    ``search`` (a glob, Debian's layout by default) that has them all, else
    the folder of an ``initdb`` on PATH that has them all.  Raises
    PostgresMissing naming ``make deps`` when there is none."""
    found = sorted(glob.glob(search), key=_version_key, reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        found.append(str(Path(on_path).resolve().parent))
    for folder in found:
        if all(os.access(Path(folder, p), os.X_OK) for p in PROGRAMS):
            return Path(folder)
    raise PostgresMissing(
        f"the PostgreSQL server programs ({', '.join(PROGRAMS)}) are not "
        f"installed: none under {search} nor initdb on PATH. Run `make deps` "
        "(it installs Debian's postgresql package), then run the tests again.")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _enterable_by_all(path: Path) -> bool:
    """Whether every folder from / down to ``path`` lets any user through."""
    path = path.resolve()
    for folder in (path, *path.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def _user_ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


class PostgresCluster:
    """One throwaway PostgreSQL cluster.

    ``PostgresCluster(user="apportion")`` names the superuser role the tests
    connect as; ``run_as`` the system user the server runs as when this
    process is root (default ``nobody``); ``bin_dir`` the server programs
    (default: find_bin_dir()).  ``start()``, ``stop()``, or ``with
    PostgresCluster() as pg:``.
    """

    def __init__(self, *, user: str = "apportion", run_as: str = "nobody",
                 bin_dir: Path | str | None = None, start_timeout: float = 60.0) -> None:
        if not _NAME.match(user):
            raise ValueError(f"role name {user!r}: expected lower-case letters, digits, _")
        self.user = user
        self.run_as = run_as
        self.bin_dir = Path(bin_dir) if bin_dir is not None else find_bin_dir()
        for program in PROGRAMS:
            if not os.access(self.bin_dir / program, os.X_OK):
                raise PostgresMissing(
                    f"{self.bin_dir / program} is missing: run `make deps` "
                    "(it installs Debian's postgresql package)")
        self.start_timeout = start_timeout
        self.folder: Path | None = None
        self.port: int | None = None
        self._lock = threading.Lock()
        self._serial = 0
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()

    # ---- where things are ------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self._folder() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._folder()

    @property
    def log_file(self) -> Path:
        return self._folder() / "server.log"

    @property
    def running(self) -> bool:
        return self.folder is not None and self.port is not None

    @property
    def facts(self) -> ServerFacts:
        if not self.running:
            raise RuntimeError("the cluster is not running: start() it first")
        assert self.port is not None
        return ServerFacts(host="127.0.0.1", port=self.port, socket_dir=self.socket_dir,
                           user=self.user, bin_dir=self.bin_dir)

    def url(self, database: str = "postgres", driver: str = "psycopg") -> str:
        """The SQLAlchemy URL of a database on this cluster, over TCP."""
        return self.facts.url(database, driver)

    def _folder(self) -> Path:
        if self.folder is None:
            raise RuntimeError("the cluster has no folder: start() it first")
        return self.folder

    # ---- running the server's programs -----------------------------------
    def _as_server_user(self) -> list[str]:
        """The prefix that runs a program as the unprivileged user when this
        process is root; nothing otherwise."""
        if os.geteuid() != 0:
            return []
        uid, gid = _user_ids(self.run_as)
        setpriv = shutil.which("setpriv")
        if setpriv:
            return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", self.run_as, "--"]
        raise PostgresMissing(
            "running as root, PostgreSQL must run as another user, but neither "
            "setpriv nor runuser is installed (Debian's util-linux has both)")

    def _env(self) -> dict[str, str]:
        # A clean libpq environment (no PGDATABASE, PGSERVICE... of the
        # caller's), the C locale, and a HOME the server user may read.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        if os.geteuid() == 0:
            env["HOME"] = str(self._folder())
        return env

    def _run(self, args: list[str], *, as_server: bool, timeout: float = 60.0,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = self._as_server_user() if as_server else []
        proc = subprocess.run([*prefix, *args], env=self._env(), cwd=self._folder(),
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} failed (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()}{self._log_tail()}")
        return proc

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-15:]
        except (OSError, RuntimeError):
            return ""
        return "\nserver log:\n  " + "\n  ".join(lines) if lines else ""

    # ---- start and stop --------------------------------------------------
    def _make_folder(self) -> Path:
        parent = Path(tempfile.gettempdir())
        if (os.geteuid() == 0 and not _enterable_by_all(parent)) or len(str(parent)) > 60:
            parent = Path("/tmp")
        # Short: the socket's path must stay under 108 bytes.
        folder = Path(tempfile.mkdtemp(prefix="apportion-pg-", dir=parent))
        if os.geteuid() == 0:
            uid, gid = _user_ids(self.run_as)
            os.chown(folder, uid, gid)
        return folder

    def start(self) -> PostgresCluster:
        """initdb, start, and wait until the server takes connections."""
        with self._lock:
            if self.running:
                return self
            self.folder = self._make_folder()
            self._owner = os.getpid()
            _live.add(self)
            try:
                self._start_watchdog()
                self._initdb()
                self._start_server()
            except BaseException:
                self._teardown()
                raise
            return self

    def _start_watchdog(self) -> None:
        """A process that waits for this one to go (the end of its stdin,
        whose only writer is here), then stops the server and removes the
        folder if they are still there."""
        self._watchdog = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--watchdog", str(self.folder),
             str(self.bin_dir), self.user, self.run_as],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def _initdb(self) -> None:
        self._run([str(self.bin_dir / "initdb"), "-D", str(self.data_dir),
                   "-U", self.user, "--auth=trust", "--encoding=UTF8",
                   "--locale=C", "--no-sync", "--no-instructions"],
                  as_server=True, timeout=120)

    def _write_config(self, port: int) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            "unix_socket_directories": "'" + str(self.socket_dir).replace("'", "''") + "'",
            "max_connections": "60",
            "shared_buffers": "32MB",
            # A test server keeps nothing: no waiting on the disk.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
        }
        auto = self.data_dir / "postgresql.auto.conf"
        text = "".join(f"{k} = {v}\n" for k, v in settings.items())
        # Written by the server user's files' owner: we may be root, the file
        # is theirs; rewriting keeps its owner.
        with open(auto, "w") as f:
            f.write(text)

    def _start_server(self) -> None:
        # A free port can be taken between finding it and binding it (by a
        # parallel test session): try a few.
        last: Exception | None = None
        for _ in range(5):
            port = _free_port()
            self._write_config(port)
            proc = self._run([str(self.bin_dir / "pg_ctl"), "start", "-D", str(self.data_dir),
                              "-l", str(self.log_file), "-w",
                              "-t", str(int(self.start_timeout))],
                             as_server=True, timeout=self.start_timeout + 30, check=False)
            if proc.returncode == 0:
                self.port = port
                self._wait_ready()
                return
            last = RuntimeError(
                f"pg_ctl start failed (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()}{self._log_tail()}")
            self._kill_server()
            if "already in use" not in self.log_file.read_text(errors="replace"):
                break
        assert last is not None
        raise last

    def _wait_ready(self) -> None:
        """Until a query over TCP answers (pg_ctl -w has seen the socket)."""
        deadline = time.monotonic() + self.start_timeout
        while True:
            proc = self._run([str(self.bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1",
                              "-p", str(self.port), "-U", self.user, "-d", "postgres"],
                             as_server=False, timeout=30, check=False)
            if proc.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the PostgreSQL server on port {self.port} did not "
                                   f"take connections within {self.start_timeout} s"
                                   f"{self._log_tail()}")
            time.sleep(0.1)
        self.sql("SELECT 1")

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first)
        except (OSError, ValueError, RuntimeError):
            return None

    def _kill_server(self) -> None:
        """SIGQUIT (immediate shutdown) to the postmaster, if there is one,
        and wait for it to go."""
        pid = self._postmaster_pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop the server and remove its folder; safe to call twice."""
        with self._lock:
            self._teardown()

    def _teardown(self) -> None:
        if self.folder is None:
            return
        try:
            if self._postmaster_pid() is not None:
                proc = self._run([str(self.bin_dir / "pg_ctl"), "stop", "-D",
                                  str(self.data_dir), "-m", "fast", "-w", "-t", "30"],
                                 as_server=True, timeout=60, check=False)
                if proc.returncode != 0:
                    self._kill_server()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.port = None
            _live.discard(self)
            if self._watchdog is not None:
                # Nothing left for it to do: its stdin's end lets it go.
                with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                    assert self._watchdog.stdin is not None
                    self._watchdog.stdin.close()
                    self._watchdog.wait(timeout=10)
                self._watchdog = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- databases -------------------------------------------------------
    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement with psql over the unix socket, as the test
        role; its output (unaligned, tuples only)."""
        facts = self.facts
        proc = self._run([str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t",
                          "-v", "ON_ERROR_STOP=1", "-h", str(facts.socket_dir),
                          "-p", str(facts.port), "-U", facts.user, "-d", database,
                          "-c", statement], as_server=False, timeout=60)
        return proc.stdout.strip()

    def new_database_name(self, prefix: str = "t") -> str:
        """A name no other database of this cluster has had: prefix, this
        process's id and a counter."""
        with self._lock:
            self._serial += 1
            serial = self._serial
        name = f"{prefix}_{os.getpid()}_{serial}".lower()
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: expected lower-case letters, digits, _")
        return name

    def create_database(self, name: str | None = None) -> str:
        """CREATE DATABASE (from template0, empty); returns its name."""
        name = name or self.new_database_name()
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: expected lower-case letters, digits, _")
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    def drop_database(self, name: str) -> None:
        """DROP DATABASE, closing any connection a test left open."""
        if not _NAME.match(name):
            raise ValueError(f"database name {name!r}: expected lower-case letters, digits, _")
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def databases(self) -> list[str]:
        """The names of the cluster's databases, templates left out."""
        out = self.sql("SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1")
        return out.splitlines()


# Every started cluster, stopped at exit if nothing stopped it before (by
# the process that started it: a forked child exiting leaves it alone).
_live: set[PostgresCluster] = set()


@atexit.register
def _stop_all() -> None:
    for cluster in list(_live):
        if cluster._owner == os.getpid():
            with contextlib.suppress(Exception):
                cluster.stop()


def _watch(folder: str, bin_dir: str, user: str, run_as: str) -> None:
    """The watchdog: wait for the end of stdin (the starting process closed
    it or died), then tear the cluster down if it is still there."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the starter's to handle
    sys.stdin.buffer.read()
    if Path(folder).exists():
        cluster = PostgresCluster(user=user, run_as=run_as, bin_dir=bin_dir)
        cluster.folder = Path(folder)
        cluster._teardown()


if __name__ == "__main__" and sys.argv[1:2] == ["--watchdog"]:
    _watch(*sys.argv[2:6])
elif __name__ == "__main__":
    with PostgresCluster() as pg:
        print(f"PostgreSQL {pg.sql('SHOW server_version')} from {pg.bin_dir}")
        print(f"  url    {pg.url()}")
        print(f"  socket {pg.socket_dir}")
        print(f"  psql   {pg.bin_dir / 'psql'} -h {pg.socket_dir} -p {pg.port} -U {pg.user} postgres")
        if sys.stdin.isatty():
            input("Enter stops it and removes the folder: ")
