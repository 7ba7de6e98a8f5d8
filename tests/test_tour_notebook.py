"""The tour (docs/tour.rst) as a notebook: examples/tour.ipynb is the
page's own code, and it runs clean, top to bottom, in a fresh Jupyter
kernel started from examples/ as a user who opens it there would start it,
printing what the page says it prints."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "tour.ipynb"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tour_notebook", ROOT / "tools" / "tour_notebook.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_notebook_is_the_pages_code() -> None:
    tool = _tool()
    assert tool.main(["--check"]) == 0, "run python tools/tour_notebook.py"


def test_cells_split_where_the_page_shows_a_value() -> None:
    tool = _tool()
    block = ["   >>> a = 1", "   >>> a + 1", "   2", "   >>> for i in (1, 2):",
             "   ...     print(i)", "   1", "   2", "   >>> b = 3"]
    assert tool.examples(block) == [("a = 1\na + 1", "2"),
                                    ("for i in (1, 2):\n    print(i)", "1\n2"),
                                    ("b = 3", "")]


@pytest.fixture(scope="module")
def executed() -> object:
    import nbclient  # the test extra installs both: never a reason to skip
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # No progress bars: a bar is drawn on stderr, which this test reads for
    # warnings and errors (tests/test_progress.py tests the bars).
    before = os.environ.get("APPORTION_PROGRESS")
    os.environ["APPORTION_PROGRESS"] = "0"  # the kernel inherits it
    try:
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3",
            resources={"metadata": {"path": str(ROOT / "examples")}})
        client.execute()  # raises CellExecutionError on the first failing cell
    finally:
        if before is None:
            del os.environ["APPORTION_PROGRESS"]
        else:
            os.environ["APPORTION_PROGRESS"] = before
    return nb


def test_the_tour_runs_clean_in_a_fresh_kernel(executed: object) -> None:
    cells = executed.cells  # type: ignore[attr-defined]
    errors = [o for c in cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or o.get("name") == "stderr"]
    assert errors == []


def test_each_cell_prints_what_the_page_says(executed: object) -> None:
    tool = _tool()
    pairs = tool.expected_outputs((ROOT / "docs" / "tour.rst").read_text(encoding="utf-8"))
    code = [c for c in executed.cells if c.cell_type == "code"][1:]  # type: ignore[attr-defined]
    assert len(code) == len(pairs)
    checked = 0
    for cell, (source, expected) in zip(code, pairs, strict=True):
        assert cell.source == source
        if not expected:
            continue
        shown = "".join(o.get("text", "") if o.output_type == "stream"
                        else o.get("data", {}).get("text/plain", "")
                        for o in cell.outputs)
        if "..." in expected:  # the page elides part of the output
            head = expected.split("...")[0]
            assert _squash(shown).startswith(_squash(head)), source
        else:
            assert _squash(shown) == _squash(expected), source
        checked += 1
    assert checked > 40
