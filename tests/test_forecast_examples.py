"""The forecasting examples run end to end: the children-in-care forecast
with its fan chart and scenarios, and the same job on a LocalCluster."""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, args, capsys):
    sys_argv = sys.argv
    sys.argv = [str(EXAMPLES / name), *args]
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        sys.argv = sys_argv
    assert done.value.code == 0
    return capsys.readouterr().out


def test_children_in_care_example(tmp_path, capsys):
    out = run_example("forecast_children_in_care.py",
                      ["--out", str(tmp_path), "--scenarios", "500"], capsys)
    png = tmp_path / "cla-fan-chart.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The break is explained and the back-cast shares stated.
    assert "back-cast at their 2022-23 shares (44.22% / 55.78%)" in out
    # The county's trend: +39.7 a year; 2026's mean 1,367.9.
    assert "+39.7 a year" in out and "1367.9" in out
    assert "500 scenarios (seed 20261123)" in out
    # The unit cost is labelled as what it is: an assumption, not a cost of
    # a child in care.
    # The report's own trend estimate cannot be reproduced, and it says so.
    assert "cannot be reproduced here" in out
    assert "reaches 1,229" in out and "figures reach 1,220." in out
    assert "ASSUMPTIONS: the unit cost of £64,150" in out
    assert "not a cost of a child in" in out


def test_dask_example_on_a_local_cluster(capsys):
    out = run_example("dask_forecast_scenarios.py",
                      ["--workers", "2", "--scenarios", "4000"], capsys)
    assert "LocalCluster with 2 workers" in out
    assert "identical to the single-process run" in out
    assert "NNC           647    747  86.61" in out
