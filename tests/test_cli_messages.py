"""The command line speaks clearly (issue 14): every error one line naming
the file, the line as an editor shows it, the column and the value; no raw
errno text; a closed pipe ends quietly; options checked before any work;
the same findings from `run` and `audit`.  Each case runs
`python -m apportion` as a subprocess on small files written to tmp_path
and asserts its exact message and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from apportion.audit import check_table
from apportion.savings import load_savings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apportion", *args],
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": ""})


# ---- run and audit agree ---------------------------------------------------


def _causes(findings: list[dict[str, object]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(row, column) -> (cause, difference) of every error."""
    return {(str(f["row_label"]), str(f["column_label"])):
            (str(f["cause"]), str(f["difference"]))
            for f in findings if f["status"] == "error"}


def test_savings_paper_and_its_table_name_the_same_causes() -> None:
    paper = _causes(load_savings(EXAMPLES / "nct-savings-2023-24.json")
                    .audit.to_dict()["findings"])
    table = _causes(check_table(EXAMPLES / "tables" / "nct-savings-2023-24.json")
                    .to_dict()["findings"])
    # The Amber/Green swap on the TOTAL row: the row's own figures agree,
    # the two column totals are out by +470 and -470.
    assert paper[("TOTAL", "Amber")] == table[("TOTAL", "Amber")] \
        == ("reclassification", "470")
    assert paper[("TOTAL", "Green")] == table[("TOTAL", "Green")] \
        == ("reclassification", "-470")
    # Every cell both audits find wrong is wrong for the same reason.
    both = paper.keys() & table.keys()
    assert len(both) >= 4
    assert {k: paper[k] for k in both} == {k: table[k] for k in both}


def test_run_prints_the_reclassification_that_audit_prints() -> None:
    run = cli("run", str(EXAMPLES / "nct-savings-2023-24.json"))
    audit = cli("audit", str(EXAMPLES / "tables" / "nct-savings-2023-24.json"))
    assert run.returncode == 0 and audit.returncode == 0
    line = ("ERROR    TOTAL / Amber [TOTAL = the sum of proposals 1 to 13] "
            "(reclassification)")
    assert line in run.stdout
    text = ("470 appears in Amber's total that the items put in Green: the "
            "row's own figures agree (2023/24 = Red + Amber + Green + "
            "Mitigations) but the Amber and Green columns do not")
    assert text in run.stdout and text in audit.stdout
    assert "(unexplained)" not in "".join(
        ln for ln in run.stdout.splitlines() if ln.lstrip().startswith("ERROR    TOTAL /"))
