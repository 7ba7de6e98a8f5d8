"""What several test files share: building a test plugin from C source;
and, in the sdist round trip, the check that the package under test is the
installed one."""

import itertools
import os
import stat
from pathlib import Path

import pytest
from hypothesis import settings

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
