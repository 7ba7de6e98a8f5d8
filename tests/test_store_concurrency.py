"""Two analysts importing at once: two processes record KPI results into
one store at the same time, on SQLite and PostgreSQL alike, and every
period ends up there exactly once."""

import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

import apportion.store
from apportion.store import _schema

MONTHS = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 4)]

# One analyst's session: wait for the starting signal, then record each
# month given as its own import (a scorecard run with store=), as fast as
# it can, so that the two sessions' transactions interleave.
ANALYST = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    import apportion, apportion.store

    url, folder, name, months, numerator = sys.argv[1:6]
    kpi = apportion.KPI("IASS2", target=90, warn=False,
                        bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
    with apportion.store.open(url) as s:
        (Path(folder) / f"{name}.ready").touch()
        while not (Path(folder) / "go").exists():
            time.sleep(0.005)
        for month in months.split(","):
            values = pd.DataFrame({"kpi": "IASS2", "group": ["NNC", "WNC"],
                                   "period": month, "numerator": int(numerator),
                                   "denominator": 20})
            apportion.scorecard(kpi, values, source=name, store=s)
""")


def run_two(url, folder, first, second):
    """Runs two analysts at once, each given (name, months, numerator)."""
    script = folder / "analyst.py"
    script.write_text(ANALYST)
    with apportion.store.open(url):
        pass  # the store exists before the analysts start
    procs = [subprocess.Popen([sys.executable, str(script), url, str(folder), name,
                               ",".join(months), str(numerator)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, months, numerator in (first, second)]
    deadline = time.monotonic() + 120
    while not all((folder / f"{name}.ready").exists() for name, _, _ in (first, second)):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    (folder / "go").touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err


def check_once(s, months):
    """Every (kpi, group, period) current exactly once, and exactly the
    months expected."""
    h = s.history()
    assert not h.duplicated(["kpi", "group", "period"]).any()
    assert sorted({str(p) for p in h["period"]}) == sorted(months)
    assert len(h) == 2 * len(months)
    return h


def test_different_periods_at_once(store_url, tmp_path):
    run_two(store_url, tmp_path, ("north", MONTHS[:6], 19), ("west", MONTHS[6:], 15))
    with apportion.store.open(store_url) as s:
        h = check_once(s, MONTHS)
        trail = s.imports()
    assert len(trail) == 12
    assert sorted(trail["source"]) == ["north"] * 6 + ["west"] * 6
    by_month = h.groupby(h["period"].astype(str))["numerator"].first()
    assert by_month[MONTHS[:6]].tolist() == [19] * 6
    assert by_month[MONTHS[6:]].tolist() == [15] * 6


@pytest.mark.parametrize("same_values", [True, False])
def test_the_same_periods_at_once(store_url, tmp_path, same_values):
    """Both import the whole year: with the same values, the second import
    of each month changes nothing; with different ones, one supersedes the
    other and both stay, each month current once."""
    run_two(store_url, tmp_path, ("north", MONTHS, 19),
            ("west", MONTHS, 19 if same_values else 15))
    with apportion.store.open(store_url) as s:
        check_once(s, MONTHS)
        every = s.history(superseded=True)
        trail = s.imports()
    if same_values:
        assert len(every) == 24
        assert len(trail) == 12
    else:
        # Each month was written by both; whichever came second superseded
        # the first.
        assert len(every) == 48
        superseded = every[every["superseded_by"].notna()]
        assert len(superseded) == 24
        assert (superseded["superseded_by"] > superseded["import_id"]).all()
        assert len(trail) == 24
    for _, lane in every.groupby(["group", every["period"].astype(str)]):
        assert lane["superseded_by"].isna().sum() == 1


def test_the_store_is_created_once_by_two_at_once(store_url, tmp_path):
    """Two sessions opening an empty database at once make one store."""
    code = ("import sys, apportion.store\n"
            "apportion.store.open(sys.argv[1]).close()\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, store_url],
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with apportion.store.open(store_url, create=False) as s:
        with s.read() as conn:
            versions = conn.execute(sa.select(_schema.schema_version.c.version)).scalars().all()
        assert sorted(versions) == list(range(1, s.known_version + 1))


