"""The throwaway PostgreSQL cluster the store's tests run on
(tests/postgres_cluster.py) and the conftest fixtures over it: a fresh
empty database each test on both backends, a server running as an
unprivileged user when the tests run as root, nothing left behind after a
stop, a failure, an interrupt or an exit, two clusters side by side, and a
missing server an error naming `make deps`."""

import os
import pwd
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from postgres_cluster import PostgresCluster, PostgresMissing, find_bin_dir

HERE = Path(__file__).resolve().parent


def alive(pid):
    """Whether a process runs (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def port_open(port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_gone(pid, seconds=30):
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def postmaster_pid(data_dir):
    return int((Path(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0])


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_a_fresh_empty_database(store_url, round_):
    # Both rounds leave a table behind: the second would see the first's
    # if the database were shared.
    engine = sa.create_engine(store_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE marker (round INTEGER NOT NULL)"))
            conn.execute(sa.text("INSERT INTO marker VALUES (:r)"), {"r": round_})
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT round FROM marker")).scalar_one() == round_
        backend = engine.dialect.name
        assert backend == ("sqlite" if store_url.startswith("sqlite") else "postgresql")
        if backend == "postgresql":
            assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_postgres_databases_are_dropped_after_their_test(postgres_server):
    # What store_url does around a test, with the engine's pool still
    # holding a connection (the drop closes it).
    name = postgres_server.create_database()
    engine = sa.create_engine(postgres_server.url(name))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
    assert engine.pool.checkedin() == 1
    assert name in postgres_server.databases()
    postgres_server.drop_database(name)
    engine.dispose()
    assert name not in postgres_server.databases()


def test_the_server_runs_as_an_unprivileged_user(postgres_server):
    owner = Path(postgres_server.data_dir).stat().st_uid
    pid = postmaster_pid(postgres_server.data_dir)
    runs_as = Path(f"/proc/{pid}/status").read_text().split("\nUid:\t", 1)[1].split()[0]
    if os.geteuid() == 0:
        assert owner == int(runs_as) == pwd.getpwnam("nobody").pw_uid
    else:
        assert owner == int(runs_as) == os.geteuid()
    # The role the tests connect as is the cluster's superuser.
    assert postgres_server.sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "t"


def test_a_child_process_reaches_the_server_from_the_facts(postgres_facts):
    # psql through the libpq variables (unix socket) and psycopg through the
    # URL (TCP), each in a process of its own.
    env = {**os.environ, **postgres_facts.env()}
    out = subprocess.run([str(postgres_facts.bin_dir / "psql"), "-X", "-A", "-t", "-c",
                          "SELECT current_user, inet_server_port()"],
                         env=env, capture_output=True, text=True, check=True).stdout
    # Over the socket there is no server port: inet_server_port() is NULL.
    assert out.strip() == f"{postgres_facts.user}|"
    code = textwrap.dedent(f"""
        import sqlalchemy as sa
        engine = sa.create_engine({postgres_facts.url("postgres")!r})
        with engine.connect() as conn:
            print(conn.execute(sa.text("SELECT inet_server_port()")).scalar_one())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert int(out) == postgres_facts.port


def test_two_clusters_side_by_side_then_nothing_left():
    # As two parallel test sessions have: each its own folder and port, a
    # database in one is not in the other; stop removes the folder and the
    # server, and a second stop does nothing.
    with PostgresCluster() as one, PostgresCluster() as two:
        assert one.port != two.port
        assert one.folder != two.folder
        name = one.create_database()
        assert name in one.databases()
        assert name not in two.databases()
        pids = [postmaster_pid(c.data_dir) for c in (one, two)]
        ports = [one.port, two.port]
        folders = [one.folder, two.folder]
        assert all(alive(p) for p in pids)
    for pid, port, folder in zip(pids, ports, folders):
        assert wait_gone(pid)
        assert not folder.exists()
        assert not port_open(port)
    one.stop()
    assert one.folder is None


def test_an_interrupt_while_starting_stops_the_server(monkeypatch):
    # Ctrl-C after the server started but before start() returned.
    cluster = PostgresCluster()
    seen = {}

    def interrupted():
        seen["pid"] = postmaster_pid(cluster.data_dir)
        seen["folder"] = cluster.folder
        raise KeyboardInterrupt

    monkeypatch.setattr(cluster, "_wait_ready", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cluster.start()
    assert alive(seen["pid"]) is False or wait_gone(seen["pid"])
    assert not seen["folder"].exists()
    assert not cluster.running


@pytest.mark.parametrize("ending", ["exception", "sigint", "sigkill"])
def test_a_process_that_never_stops_its_cluster_leaves_nothing(ending):
    # A test run dying with its cluster running: of an error or of Ctrl-C
    # (SIGINT), where the atexit hook stops it; or killed (SIGKILL), where
    # the cluster's watchdog process does.
    code = textwrap.dedent(f"""
        import signal, sys, time
        # Python's own Ctrl-C handler, even when this test run was started
        # in the background (which ignores SIGINT, and its children inherit that).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {str(HERE)!r})
        from postgres_cluster import PostgresCluster
        pg = PostgresCluster().start()
        pid = open(pg.data_dir / "postmaster.pid").readline().strip()
        print(pg.folder, pid, pg.port, flush=True)
        if {ending!r} == "exception":
            raise RuntimeError("a test run failing")
        time.sleep(120)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        folder, pid, port = child.stdout.readline().split()
        assert Path(folder).is_dir() and alive(int(pid))
        if ending != "exception":
            child.send_signal(signal.SIGINT if ending == "sigint" else signal.SIGKILL)
        _, err = child.communicate(timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode != 0
    if ending != "sigkill":
        assert ("KeyboardInterrupt" if ending == "sigint" else "a test run failing") in err
    assert wait_gone(int(pid))
    deadline = time.monotonic() + 30
    while Path(folder).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(folder).exists()
    assert not port_open(int(port))


def test_a_missing_server_is_an_error_naming_make_deps(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresMissing, match=r"make deps"):
        find_bin_dir(str(tmp_path / "postgresql" / "*" / "bin"))
    (tmp_path / "initdb").write_text("#!/bin/sh\nexit 1\n")
    (tmp_path / "initdb").chmod(0o755)
    with pytest.raises(PostgresMissing, match=r"pg_ctl is missing: run `make deps`"):
        PostgresCluster(bin_dir=tmp_path)


def test_the_newest_installed_version_is_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    real = find_bin_dir()
    for version in ("9.6", "15", "16", "100"):
        folder = tmp_path / version / "bin"
        folder.mkdir(parents=True)
        programs = ["initdb", "pg_ctl", "postgres", "psql", "pg_isready"]
        for program in programs if version != "100" else programs[:2]:
            (folder / program).symlink_to(real / program)
    # 100 lacks programs; 16 is newer than 15 and 9.6 (numerically).
    assert find_bin_dir(str(tmp_path / "*" / "bin")) == tmp_path / "16" / "bin"


def test_a_forked_child_exiting_leaves_the_cluster_running():
    # A test that forks (multiprocessing, os.fork) and whose child exits
    # normally runs the child's atexit hooks: they must not stop the
    # parent's server.
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(HERE)!r})
        from postgres_cluster import PostgresCluster
        pg = PostgresCluster().start()
        pid = os.fork()
        if pid == 0:
            sys.exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        print(pg.sql("SELECT 1"), flush=True)
        pg.stop()
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
