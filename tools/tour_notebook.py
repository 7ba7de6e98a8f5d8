"""Write examples/tour.ipynb from docs/tour.rst, the tour's one source.

The page's prose becomes Markdown cells and each ``.. doctest::`` block a
code cell (the prompts and the expected output left out: the notebook shows
what the code prints when run).  ``make doctest`` checks the page's outputs;
tests/test_tour_notebook.py checks that the committed notebook is this
script's output and runs it in a fresh kernel.

    python tools/tour_notebook.py            # rewrite examples/tour.ipynb
    python tools/tour_notebook.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "tour.rst"
TARGET = ROOT / "examples" / "tour.ipynb"

# The tour reads examples/ by paths from the repository's root, where the
# page runs; a notebook opened from examples/ starts there, so step up.
FIRST_CELL = """\
# The tour reads the files in examples/ by paths from the repository's
# root: run from there (a notebook opened in examples/ steps up once).
import os
from pathlib import Path

if Path.cwd().name == "examples" and Path("../examples").is_dir():
    os.chdir("..")"""

_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")
_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|doc|ref):`~?([^`]+)`")
_UNDERLINE = re.compile(r"^([=\-~^\"'])\1{2,}\s*$")


def _inline(text: str) -> str:
    """reST inline markup as Markdown: roles and ``literals`` as code."""
    def role(m: re.Match[str]) -> str:
        target = m.group(1)
        label = re.match(r"(.*?)\s*<(.+)>$", target)
        shown = label.group(1) if label else target.rsplit(".", 1)[-1]
        return f"`{shown}`"
    text = _ROLE.sub(role, text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def examples(block: list[str]) -> list[tuple[str, str]]:
    """A doctest block as (source, expected output) pairs, unprompted: one
    pair per example that shows a value (a notebook shows only a cell's
    last one), the examples without output joined to the next."""
    out: list[tuple[str, str]] = []
    source: list[str] = []
    expected: list[str] = []
    for raw in block:
        line = raw[3:] if raw.startswith("   ") else raw.lstrip()
        prompt = line.startswith((">>> ", "... ")) or line in (">>>", "...")
        if prompt and expected:
            out.append(("\n".join(source).rstrip(), "\n".join(expected)))
            source, expected = [], []
        if prompt:
            source.append(_DIRECTIVE.sub("", line[4:]))
        elif line.strip() and source:
            expected.append(line)
    if source:
        out.append(("\n".join(source).rstrip(), "\n".join(expected)))
    return [(s, e) for s, e in out if s.strip()]


def cells(rst: str) -> list[tuple[str, str]]:
    """(kind, source) pairs, kind "markdown" or "code", in page order."""
    out: list[tuple[str, str]] = []
    prose: list[str] = []

    def flush() -> None:
        text = "\n".join(prose).strip("\n")
        if text.strip():
            out.append(("markdown", text))
        prose.clear()

    lines = rst.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _UNDERLINE.match(nxt) and len(nxt.strip()) >= len(line.strip()):
            flush()
            level = "#" if nxt.startswith("=") else "##"
            out.append(("markdown", f"{level} {_inline(line.strip())}"))
            i += 2
            continue
        if line.startswith(".. "):
            flush()
            directive = line[3:].split("::")[0].strip()
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            if directive == "doctest":
                out += [("code", source) for source, _ in examples(block)]
            continue  # contents and other directives have no notebook form
        prose.append(_inline(line))
        i += 1
    flush()
    return out


def expected_outputs(rst: str) -> list[tuple[str, str]]:
    """Every doctest example of the page as (source, expected output), in
    the order of the notebook's code cells after the first."""
    lines = rst.splitlines()
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(".. doctest::"):
            i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            pairs += examples(block)
            continue
        i += 1
    return pairs


def notebook(rst: str) -> dict[str, object]:
    """The notebook as nbformat 4 JSON, with no outputs."""
    body = [("code", FIRST_CELL), *cells(rst)]
    nb_cells = []
    for n, (kind, source) in enumerate(body):
        cell: dict[str, object] = {"cell_type": kind, "id": f"tour-{n:03d}",
                                   "metadata": {},
                                   "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        nb_cells.append(cell)
    return {"cells": nb_cells,
            "metadata": {"kernelspec": {"display_name": "Python 3",
                                        "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def render(rst: str) -> str:
    return json.dumps(notebook(rst), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if examples/tour.ipynb is out of date")
    args = parser.parse_args(argv)
    text = render(SOURCE.read_text(encoding="utf-8"))
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run "
                  f"python tools/tour_notebook.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["cells"])
    print(f"wrote {TARGET.relative_to(ROOT)} ({count} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
