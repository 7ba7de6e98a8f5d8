"""`python -m apportion run` on each paper's format, and `ledger`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "apportion", *args],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("example, heading, errors", [
    ("nct-outturn-2021-22.json", "Variance = outturn - budget", 0),
    ("nct-mtfp-2017-21.json", "Net budget requirement", 0),
    ("nct-savings-2023-24.json", "Secured", 7),
    ("nct-contract-sum-2024-25.json", "Block 3", 9),
])
def test_run_reads_each_format(example, heading, errors):
    p = run("run", f"examples/{example}")
    assert p.returncode == 0, p.stderr
    assert heading in p.stdout
    p = run("run", f"examples/{example}", "--json", "--strict")
    assert p.returncode == (1 if errors else 0), p.stderr
    assert json.loads(p.stdout)["counts"]["error"] == errors


def test_run_reads_a_table_and_still_a_plan():
    p = run("run", "examples/tables/nct-outturn-2021-22.json")
    assert p.returncode == 0 and "2 within rounding" in p.stdout
    p = run("run", "examples/iass-2021-22.json")
    assert p.returncode == 0 and "£211,654" in p.stdout


def test_ledger_command():
    p = run("ledger", "examples/nct-ledger-2021-22.csv", "--date", "date",
            "--year", "2021/22", "--split", "NNC=44.16,WNC=55.84")
    assert p.returncode == 0, p.stderr
    assert "£1,070,000.00" in p.stdout and "Every penny kept" in p.stdout
    bad = run("ledger", "examples/nct-ledger-2021-22.csv", "--split", "NNC")
    assert bad.returncode == 2 and "CODE=WEIGHT" in bad.stderr
