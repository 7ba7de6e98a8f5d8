"""What several test files share: building a test plugin from C source;
the store's databases (``store_url``: a fresh empty database a test, on
SQLite and on a throwaway PostgreSQL server, ``postgres_server`` and
``postgres_facts``); and, in the sdist round trip, the check that the
package under test is the installed one."""

import itertools
import os
import stat
from pathlib import Path

import pytest
from hypothesis import settings
from postgres_cluster import PostgresCluster, ServerFacts

import apportion
from apportion.plugin_tool import build_plugin

# The properties draw the same examples on every run, so a test that passes
# in one place passes in CI: a failure is a finding to keep, not a flake.
# HYPOTHESIS_PROFILE=explore draws afresh each run, to look for new ones.
settings.register_profile("apportion", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "apportion"))

if os.environ.get("APPORTION_TEST_INSTALLED"):
    # tools/sdist_roundtrip.sh: the tests must exercise the wheel pip built
    # from the sdist, not a source tree that happens to be importable.
    _where = Path(apportion.__file__).resolve()
    assert "site-packages" in _where.parts, (
        f"apportion was imported from {_where}, not from an installed wheel")

_serial = itertools.count()


@pytest.fixture
def build(tmp_path):
    """build(source, stem="plugin", folder=None) -> Path of folder/stem.so,
    compiled by apportion's own `plugin build` (its compiler, flags and
    headers) from a private copy of the source."""
    assert stat.S_IMODE(tmp_path.stat().st_mode) & 0o022 == 0, \
        "tmp_path must not be writable by others"

    def build_(source, stem="plugin", folder=None):
        folder = Path(folder) if folder is not None else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        # Each build its own source folder: `plugin build` compiles every .c
        # in the folder it is given.
        src = tmp_path / "_sources" / f"{stem}_{next(_serial)}"
        src.mkdir(parents=True)
        (src / f"{stem}.c").write_text(source)
        return build_plugin(src, output=folder / f"{stem}.so")

    return build_


# ---- databases for the store's tests (issue 18) ----------------------------
# One throwaway PostgreSQL cluster a test session (tests/postgres_cluster.py),
# started the first time a test asks for it and stopped at the session's end
# (and at exit, after a failure or Ctrl-C).  A missing server is an error
# naming `make deps`, never a skip: make test installs the server.


@pytest.fixture(scope="session")
def postgres_server():
    """The session's running PostgresCluster (started on first use)."""
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_facts(postgres_server) -> ServerFacts:
    """How to reach the session's server (host, port, socket_dir, user,
    bin_dir; ``url(db)`` and ``env(db)``), for tests that start their own
    processes."""
    return postgres_server.facts


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of a fresh, empty database, once on each backend: a SQLite
    file in tmp_path, or a database of its own on the session's PostgreSQL
    server (``postgresql+psycopg://role@127.0.0.1:port/name``), dropped
    after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)
