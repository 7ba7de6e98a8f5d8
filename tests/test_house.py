"""The core's layout holds: every C file sits in a subsystem folder, uses
only what the dependency rule at the top of csrc/README.md allows, and no
two C files depend on each other, directly or round a cycle.

The rule is checked on the #include lines and again on the symbols each
compiled file takes from the others (nm), so a function declared by hand
in a .c file cannot slip past it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def dependency_rule() -> dict[str, set[str]]:
    """folder -> the folders it may use, read from csrc/README.md's table."""
    text = (CSRC / "README.md").read_text()
    rule: dict[str, set[str]] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`(\w+)`\s*\|[^|]*\|\s*([^|]*)\|\s*$", line)
        if m:
            uses = {w for w in re.findall(r"\w+", m.group(2))}
            rule[m.group(1)] = uses
    assert rule, "csrc/README.md has no dependency table"
    return rule


RULE = dependency_rule()


def core_files(pattern: str) -> list[Path]:
    return sorted(CSRC.rglob(pattern))


def folder_of(path: Path) -> str:
    return path.relative_to(CSRC).parts[0]


def test_every_file_sits_in_a_subsystem_folder():
    for path in core_files("*.[ch]"):
        rel = path.relative_to(CSRC)
        assert len(rel.parts) == 2, f"csrc/{rel}: not in a subsystem folder"
        assert rel.parts[0] in RULE, (
            f"csrc/{rel}: folder {rel.parts[0]!r} is not in csrc/README.md's "
            "dependency table")


def test_the_rule_names_only_folders_that_exist_and_nothing_uses_plugin():
    folders = {p.name for p in CSRC.iterdir() if p.is_dir()}
    assert set(RULE) == folders
    for folder, uses in RULE.items():
        assert uses <= folders, f"{folder} may use {uses - folders}: no such folder"
        assert "plugin" not in uses, f"{folder} may use plugin"


def allowed(user: str, used: str) -> bool:
    return user == used or used in RULE[user]


def test_includes_follow_the_rule():
    problems = []
    for path in core_files("*.[ch]"):
        text = path.read_text()
        if re.search(r"#\s*include\s*[<\"]Python\.h[>\"]", text):
            problems.append(f"{path.relative_to(ROOT)} includes Python.h")
        for name in INCLUDE.findall(text):
            parts = name.split("/")
            if parts[0] == "apportion":  # the public API
                continue
            if len(parts) != 2:
                problems.append(f"{path.relative_to(ROOT)}: #include "
                                f"\"{name}\" does not name its folder")
            elif not allowed(folder_of(path), parts[0]):
                problems.append(f"{path.relative_to(ROOT)} includes {name}: "
                                f"{folder_of(path)} may not use {parts[0]}")
    assert not problems, "\n".join(problems)


# What a file outside csrc/platform/ may include with <...>: the C standard
# library and the two libraries the core links (cJSON, libffi).  Anything
# of an operating system's (<pthread.h>, <dlfcn.h>, <unistd.h>, <sys/...>,
# <windows.h>) and the compilers' arithmetic builtins are the platform
# layer's (csrc/platform/platform.h), so the core builds everywhere it does.
STANDARD_HEADERS = {
    "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h",
    "inttypes.h", "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h",
    "signal.h", "stdalign.h", "stdarg.h", "stdatomic.h", "stdbool.h",
    "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "stdnoreturn.h",
    "string.h", "tgmath.h", "time.h", "uchar.h", "wchar.h", "wctype.h",
    "cJSON.h", "ffi.h",
}
SYSTEM_INCLUDE = re.compile(r"^\s*#\s*include\s*<([^>]+)>", re.M)
COMPILER_ONLY = re.compile(r"__int128|__builtin_\w*overflow")


def test_only_the_platform_layer_includes_platform_headers() -> None:
    problems = []
    for path in core_files("*.[ch]"):
        if folder_of(path) == "platform":
            continue
        text = path.read_text()
        for name in SYSTEM_INCLUDE.findall(text):
            if name not in STANDARD_HEADERS:
                problems.append(f"{path.relative_to(ROOT)} includes <{name}>: "
                                "only csrc/platform/ may")
        code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for m in COMPILER_ONLY.finditer(code):
            problems.append(f"{path.relative_to(ROOT)} uses {m.group(0)}: "
                            "use the platform layer's ap__i128 and "
                            "ap__*_overflow_*")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("outside", ["python/glue", "plugins"])
def test_glue_and_plugins_reach_the_core_only_through_public_headers(outside):
    for path in sorted((ROOT / outside).rglob("*.[ch]")):
        for name in INCLUDE.findall(path.read_text()):
            folder = name.split("/")[0]
            assert folder not in RULE, (
                f"{path.relative_to(ROOT)} includes the core's internal {name}")


def compile_objects(tmp: Path) -> list[Path]:
    """Each core file compiled on its own, for nm."""
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "no C compiler"
    flags = subprocess.run(["pkg-config", "--cflags", "libcjson", "libffi"],
                           capture_output=True, text=True, check=True).stdout.split()
    sources = core_files("*.c")

    def one(src: Path) -> Path:
        obj = tmp / (str(src.relative_to(CSRC)).replace("/", "__") + ".o")
        subprocess.run([cc, "-std=gnu11", "-O0", "-c", f"-I{ROOT / 'include'}",
                        f"-I{CSRC}", *flags, str(src), "-o", str(obj)],
                       check=True, capture_output=True)
        return obj

    with ThreadPoolExecutor() as pool:
        return list(pool.map(one, sources))


def symbol_graph(objects: list[Path]) -> dict[str, set[str]]:
    """file -> the core files whose symbols it uses."""
    defined: dict[str, str] = {}
    undefined: dict[str, set[str]] = {}
    for obj in objects:
        name = obj.name[:-2].replace("__", "/")
        out = subprocess.run(["nm", str(obj)], capture_output=True, text=True,
                             check=True).stdout
        undefined[name] = set()
        for line in out.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1] in "TDBRGSV":
                defined[fields[2]] = name
            elif len(fields) == 2 and fields[0] == "U":
                undefined[name].add(fields[1])
    return {name: {defined[s] for s in syms if s in defined} - {name}
            for name, syms in undefined.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return symbol_graph(compile_objects(tmp_path_factory.mktemp("objects")))


def test_symbols_follow_the_rule(graph):
    problems = [f"{user} uses {used}: {user.split('/')[0]} may not use "
                f"{used.split('/')[0]}"
                for user, uses in sorted(graph.items()) for used in sorted(uses)
                if not allowed(user.split("/")[0], used.split("/")[0])]
    assert not problems, "\n".join(problems)


def test_no_cycle_between_c_files(graph):
    assert len(graph) == len(core_files("*.c"))
    assert cycles(graph) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
