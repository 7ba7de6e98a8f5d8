"""The C tests are registered by the build, not by hand.

The Makefile runs tests/c/collect_tests.awk over tests/c/*.c into
build/ctest/test_list.h, the X-macro list the runner (tests/c/runner.c)
expands.  Here the real rule is run with its output sent to a temporary
folder (BUILD=...), and for the error cases with test files of our own
(CTEST_SRC=...): the list must hold every TEST definition exactly once, in
file and definition order; a name defined twice must stop the build
naming both places; and the list must be made again when a test file
changes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS_C = ROOT / "tests" / "c"

DEFINITION = re.compile(r"^TEST\((\w+)\)", re.M)
ANY_USE = re.compile(r"\bTEST\s*\(")
ENTRY = re.compile(r"^\s*X\((\w+)\)\s*\\$", re.M)


def make_list(build: Path, sources: list[Path] | None = None
              ) -> subprocess.CompletedProcess[str]:
    """Runs the Makefile's rule for build/test_list.h."""
    cmd = ["make", "-s", "-C", str(ROOT), f"BUILD={build}"]
    if sources is not None:
        cmd.append("CTEST_SRC=" + " ".join(str(s) for s in sources))
    cmd.append(f"{build}/test_list.h")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def listed(build: Path) -> list[str]:
    return ENTRY.findall((build / "test_list.h").read_text())


def test_the_list_holds_exactly_the_test_definitions(tmp_path: Path) -> None:
    r = make_list(tmp_path)
    assert r.returncode == 0, r.stderr
    expected: list[str] = []
    for path in sorted(TESTS_C.glob("*.c")):
        text = path.read_text()
        found = DEFINITION.findall(text)
        # Every use of TEST( in a test file is a definition at the start of
        # a line, so none is written in a way the collector would miss
        # (runner.c, the harness, only mentions the macro).
        assert path.name == "runner.c" or \
            len(ANY_USE.findall(text)) == len(found), (
            f"{path.relative_to(ROOT)}: a TEST( that does not start a line")
        expected += found
    assert listed(tmp_path) == expected
    assert len(expected) == len(set(expected))
    # 165 before the registration moved to the build, and test_clear.c's 2.
    assert len(expected) >= 167


def test_no_list_is_kept_by_hand() -> None:
    assert sorted(TESTS_C.glob("test_list*.h")) == []
    runner = (TESTS_C / "runner.c").read_text()
    # Angle brackets: the generated list on the -I path, never a file
    # beside runner.c.
    assert "#include <test_list.h>" in runner


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_name_defined_twice_stops_the_build(tmp_path: Path) -> None:
    a = write(tmp_path / "test_a.c",
              '#include "runner.h"\n\nTEST(alpha)\n{\n}\n\nTEST(twice)\n{\n}\n')
    b = write(tmp_path / "test_b.c",
              '#include "runner.h"\n\nTEST(beta) {}\nTEST(twice) {}\n')
    build = tmp_path / "build"
    r = make_list(build, [a, b])
    assert r.returncode != 0
    assert f"{b}:4: TEST(twice) is defined twice; the first is at {a}:7" \
        in r.stderr
    assert not (build / "test_list.h").exists()

    # With the second one renamed, the list is made, in file order.
    write(b, '#include "runner.h"\n\nTEST(beta) {}\nTEST(once) {}\n')
    r = make_list(build, [a, b])
    assert r.returncode == 0, r.stderr
    assert listed(build) == ["alpha", "twice", "beta", "once"]


def test_an_unreadable_name_stops_the_build(tmp_path: Path) -> None:
    a = write(tmp_path / "test_a.c", "TEST(ok) {}\nTEST(2nd) {}\n")
    r = make_list(tmp_path / "build", [a])
    assert r.returncode != 0
    assert f"{a}:2: cannot read the test name in: TEST(2nd)" in r.stderr


def test_the_list_is_made_again_when_a_test_file_changes(
        tmp_path: Path) -> None:
    a = write(tmp_path / "test_a.c", "TEST(first) {}\n")
    b = write(tmp_path / "test_b.c", "TEST(second) {}\n")
    build = tmp_path / "build"
    assert make_list(build, [a, b]).returncode == 0
    assert listed(build) == ["first", "second"]

    write(b, "TEST(second) {}\n\nTEST(added) {}\n")
    # Newer than the list whatever the file system's clock resolution.
    later = (build / "test_list.h").stat().st_mtime + 10
    os.utime(b, (later, later))
    r = make_list(build, [a, b])
    assert r.returncode == 0, r.stderr
    assert listed(build) == ["first", "second", "added"]
