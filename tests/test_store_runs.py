"""Ledger totals and runs in the store: a ledger's totals after
apportionment by cost centre x period x authority in pence, every penny
back; forecasts and scenario runs by their parameters and seed, re-run
from the store bit for bit.  On SQLite and PostgreSQL alike
(``store_url``)."""

import hashlib
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import apportion.store
from apportion import forecast
from apportion.errors import InputError, StoreError
from apportion.ledger import Ledger
from apportion.scenario import CostScenario, ScenarioRun
from apportion.store import _papers, _runs, _schema
from apportion.store._runs import decode, digest, encode

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LEDGER = EXAMPLES / "nct-ledger-2021-22.csv"
SPLIT = {"NNC": "44.16", "WNC": "55.84"}  # the NCT contract split
# Children looked after in Northamptonshire at 31 March (as in the forecast
# example).
CLA = pd.Series([834, 936, 993, 1004, 1092, 1123, 1157, 1144],
                index=range(2014, 2022))


def nct_ledger(path=LEDGER):
    return Ledger.read_csv(path, centre="cost_centre", amount="amount",
                           date="date", periods="month")


def nct_run(path=LEDGER):
    return nct_ledger(path).apportion(SPLIT)


def cube(frame, run):
    """Stored totals (a long frame) as the (centre x period x authority)
    array of the run's shares."""
    centres = [str(c) for c in run.centres]
    periods = sorted(set(frame["period"]))
    out = np.zeros((len(centres), len(periods), len(run.authorities)), dtype=np.int64)
    for c, p, a, pence in zip(frame["centre"], frame["period"], frame["authority"],
                              frame["pence"]):
        out[centres.index(c), periods.index(p), run.authorities.index(a)] = pence
    return out


def bits(frame):
    """A frame's values as their bits (so NaN equals NaN, -0.0 is not 0.0)."""
    return np.ascontiguousarray(frame.to_numpy(dtype=np.float64)).view(np.int64)


# ---- ledger totals ----------------------------------------------------------

def test_the_nct_ledger_comes_back_to_the_penny(store_url):
    run = nct_run()
    with apportion.store.open(store_url) as s:
        done = s.record_ledger(run)
        totals = s.ledger_totals()
        trail = s.imports()
    nc, np_, na = run.shares.shape
    assert done == (done.import_id, nc * np_ * na, 0, 0, 0)
    assert len(totals) == nc * np_ * na == 21 * 12 * 2
    assert totals["pence"].dtype == np.int64
    # Every penny: the whole, each authority's, and every cell.
    assert int(totals["pence"].sum()) == run.total == 107_000_000
    assert totals.groupby("authority")["pence"].sum().to_dict() == \
        run.authority_totals
    assert np.array_equal(cube(totals, run), run.shares)
    assert sorted(set(totals["period"])) == list(
        pd.period_range("2021-04", "2022-03", freq="M"))
    assert set(totals["centre"]) == {str(c) for c in run.centres}
    assert totals["ledger"].isna().all() and totals["superseded_by"].isna().all()
    assert trail["kind"].tolist() == ["ledger"]
    assert trail["file"].tolist() == [str(LEDGER)]
    assert trail["sha256"].tolist() == [hashlib.sha256(LEDGER.read_bytes()).hexdigest()]


def test_recording_the_same_totals_again_changes_nothing(store_url):
    run = nct_run()
    with apportion.store.open(store_url) as s:
        s.record_ledger(run)
        totals, trail = s.ledger_totals(), s.imports()
        again = s.record_ledger(nct_run())
        pd.testing.assert_frame_equal(s.ledger_totals(), totals)
        pd.testing.assert_frame_equal(s.imports(), trail)
    assert again == (None, 0, 0, 21 * 12 * 2, 0)


def test_a_month_recorded_again_supersedes_its_changed_cells(store_url, tmp_path):
    run = nct_run()
    # December's ledger again: one line corrected, one centre's lines gone.
    lines = pd.read_csv(LEDGER, dtype=str)
    december = lines["date"].str.startswith("2021-12")
    first = lines.index[december][0]
    centre = lines.loc[first, "cost_centre"]
    lines.loc[first, "amount"] = "1.00"
    gone = lines.loc[december & (lines["cost_centre"] != centre), "cost_centre"].iloc[0]
    lines = lines[~(december & (lines["cost_centre"] == gone))]
    changed = tmp_path / "ledger.csv"
    lines.to_csv(changed, index=False)
    later = nct_ledger(changed).apportion(SPLIT)
    with apportion.store.open(store_url) as s:
        s.record_ledger(run)
        done = s.record_ledger(later, period="P9")
        current = s.ledger_totals()
        everything = s.ledger_totals(superseded=True)
        december_rows = s.ledger_totals(since="2021-12", until="2021-12")
    # The centre with no December lines now is still in the ledger (it has
    # lines in other months): its December cells are 0 now.
    assert gone in [str(c) for c in later.centres]
    assert done == (done.import_id, 0, 4, 21 * 2 - 4, 0)
    assert len(everything) == len(current) + 4
    # December is the later ledger's; every other month the first's.
    dec = pd.Period("2021-12", "M")
    assert set(december_rows["period"]) == {dec}
    assert int(december_rows["pence"].sum()) == int(later.shares[:, 8, :].sum())
    assert december_rows.loc[december_rows["centre"] == gone, "pence"].tolist() == [0, 0]
    others = current[current["period"] != dec]
    assert int(others["pence"].sum()) == int(run.total - run.shares[:, 8, :].sum())
    replaced = everything[everything["superseded_by"].notna()]
    assert set(replaced["period"]) == {dec}
    assert set(replaced["centre"]) == {centre, gone}
    assert replaced["superseded_by"].tolist() == [done.import_id] * 4


def test_periods_of_a_ledger(store_url):
    # A ledger by period label says no financial year: it must be given.
    ledger = Ledger(["A", "A", "B"], [1000, 250, 99], period=["Q1", "Q2", "Q4"])
    run = ledger.apportion({"NNC": 1, "WNC": 1})
    with apportion.store.open(store_url) as s:
        with pytest.raises(InputError, match="give financial_year="):
            s.record_ledger(run)
        with pytest.raises(InputError, match="'P5' is not one of the ledger's periods"):
            s.record_ledger(run, financial_year="2024/25", period="P5")
        s.record_ledger(run, financial_year="2024/25", name="quarters",
                        period=pd.Period("2024Q2", "Q-DEC"))
        s.record_ledger(run, financial_year="2024/25", name="quarters", period="Q4")
        totals = s.ledger_totals("quarters")
        assert totals["period"].tolist() == [pd.Period("2024Q2", "Q-DEC")] * 4 + \
            [pd.Period("2025Q1", "Q-DEC")] * 4
        assert totals["pence"].tolist() == [500, 500, 0, 0, 0, 0, 50, 49]
        assert totals["ledger"].tolist() == ["quarters"] * 8
        assert s.ledger_totals("").empty
        assert s.ledger_totals(centre="B", authority="WNC")["pence"].tolist() == [0, 49]
        # Q4 again from a ledger without centre B: B's Q4 cells are removed
        # (superseded with no replacement).
        only_a = Ledger(["A", "A"], [1000, 250], period=["Q1", "Q4"]).apportion(
            {"NNC": 1, "WNC": 1})
        done = s.record_ledger(only_a, financial_year="2024/25", name="quarters",
                               period="Q4")
        assert done[1:] == (0, 2, 0, 2)
        assert s.ledger_totals("quarters", since="2025Q1")["pence"].tolist() == [125, 125]
        assert len(s.ledger_totals("quarters", superseded=True)) == 10


def test_a_failure_in_the_middle_of_a_ledger_leaves_the_store_unchanged(
        store_url, tmp_path, monkeypatch):
    run = nct_run()
    lines = pd.read_csv(LEDGER, dtype=str)
    lines["amount"] = [f"{float(a) + 1:.2f}" for a in lines["amount"]]
    changed = tmp_path / "ledger.csv"
    lines.to_csv(changed, index=False)
    later = nct_ledger(changed).apportion(SPLIT)
    with apportion.store.open(store_url) as s:
        s.record_ledger(run)
        before = s.ledger_totals(superseded=True), s.imports()
        real = _runs.insert_rows

        def half_then_a_bad_row(conn, table, rows):
            # The stored cells are superseded and half the new ones are in
            # when the database refuses a row.
            real(conn, table, rows[: len(rows) // 2])
            real(conn, table, [{**rows[len(rows) // 2], "pence": None}])

        monkeypatch.setattr(_runs, "insert_rows", half_then_a_bad_row)
        with pytest.raises(StoreError, match="ledger import failed and changed nothing"):
            s.record_ledger(later)
        pd.testing.assert_frame_equal(s.ledger_totals(superseded=True), before[0])
        pd.testing.assert_frame_equal(s.imports(), before[1])
        monkeypatch.setattr(_runs, "insert_rows", real)
        assert s.record_ledger(later).superseded == 21 * 12 * 2 - \
            int((later.shares == run.shares).sum())


def test_a_bad_row_in_a_large_import_leaves_the_store_unchanged(store_url, monkeypatch):
    """A thousand rows or more go to PostgreSQL by COPY: a row refused in
    the middle of one is the same failed import, changing nothing."""
    centres = [f"CC{k:04d}" for k in range(600)]
    run = Ledger(centres, list(range(1000, 1600)), period=[1] * 600).apportion(
        {"NNC": 1, "WNC": 3})
    real = _runs.insert_rows
    with apportion.store.open(store_url) as s:
        def with_a_bad_row(conn, table, rows):
            assert len(rows) == 600 * 4 * 2  # four quarters
            rows[2500] = {**rows[2500], "pence": None}
            real(conn, table, rows)

        monkeypatch.setattr(_runs, "insert_rows", with_a_bad_row)
        with pytest.raises(StoreError, match="ledger import failed and changed nothing"):
            s.record_ledger(run, financial_year="2021/22")
        assert s.ledger_totals(superseded=True).empty and s.imports().empty
        monkeypatch.setattr(_runs, "insert_rows", real)
        done = s.record_ledger(run, financial_year="2021/22")
        totals = s.ledger_totals()
    assert done.added == 4800
    assert int(totals["pence"].sum()) == run.total == sum(range(1000, 1600))
    assert np.array_equal(cube(totals, run), run.shares)


# ---- forecasts --------------------------------------------------------------

def test_forecasts_are_rerun_bit_for_bit(store_url):
    gappy = CLA.astype(float).copy()
    gappy.iloc[3] = np.nan
    many = pd.DataFrame(np.random.default_rng(7).normal(100, 10, (40, 9)),
                        columns=range(2013, 2022))
    many.iloc[5, 2] = np.nan
    with apportion.store.open(store_url) as s:
        recorded = [
            s.record_forecast("linear_trend", CLA, predict_at=[2022, 2023, 2024]),
            s.record_forecast("linear_trend", gappy, predict_at=np.array([2022.5]),
                              level=0.8),
            s.record_forecast("holt", gappy, horizon=4),
            s.record_forecast("holt", CLA, horizon=3, alpha=0.5, beta=0.1 + 0.2),
            s.record_forecast("linear_trend_batch", many, predict_at=[2022, 2023],
                              threads=2),
            s.record_forecast("holt_batch", many.to_numpy(), horizon=3,
                              as_frame=False),
        ]
    # Opened again: the runs come from the database alone.
    with apportion.store.open(store_url) as s:
        for r in recorded:
            again = s.rerun(r.run_id, threads=1)
            if isinstance(r.result, pd.DataFrame):
                pd.testing.assert_frame_equal(again, r.result, check_exact=True)
                assert np.array_equal(bits(again), bits(r.result))
                assert again.index.equals(r.result.index)
            else:
                for name in ("predict_at", "mean", "obs_ci_lower", "obs_ci_upper",
                             "nobs"):
                    a, b = getattr(again, name), getattr(r.result, name)
                    assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
            assert digest(again) == digest(r.result)
        runs = s.runs()
        params = s.run_parameters(recorded[3].run_id)
    assert runs["id"].tolist() == [r.run_id for r in recorded]
    assert runs["kind"].tolist() == ["forecast"] * 6
    assert runs["method"].tolist() == ["linear_trend", "linear_trend", "holt", "holt",
                                       "linear_trend_batch", "holt_batch"]
    assert runs["seed"].isna().all()
    assert runs["result_sha256"].tolist() == [digest(r.result) for r in recorded]
    # The parameters as they were given, exactly.
    assert params["beta"] == 0.1 + 0.2 and params["horizon"] == 3
    pd.testing.assert_series_equal(params["values"], CLA)


def test_a_forecast_recorded_again_changes_nothing(store_url):
    with apportion.store.open(store_url) as s:
        first = s.record_forecast("holt", CLA, horizon=3, name="CLA")
        trail = s.imports()
        again = s.record_forecast("holt", CLA.copy(), horizon=3, name="CLA")
        other = s.record_forecast("holt", CLA, horizon=4, name="CLA")
        assert again.run_id == first.run_id and again.import_id is None
        assert again.status == "unchanged" and other.status == "added"
        assert len(s.imports()) == len(trail) + 1
        assert s.runs(name="CLA")["id"].tolist() == [first.run_id, other.run_id]
        with pytest.raises(InputError, match="method must be one of"):
            s.record_forecast("arima", CLA)
        with pytest.raises(InputError, match="holt takes no threads="):
            s.record_forecast("holt", CLA, horizon=3, threads=2)
        with pytest.raises(StoreError, match="a set cannot be stored exactly"):
            s.record_forecast("linear_trend", CLA, predict_at={2022, 2023})


def test_a_rerun_that_differs_is_refused(store_url):
    with apportion.store.open(store_url) as s:
        r = s.record_forecast("linear_trend", CLA, predict_at=[2022])
        t = _schema.metadata.tables["runs"]
        with s.engine.begin() as conn:
            conn.execute(sa.update(t).values(result_sha256="0" * 64))
        with pytest.raises(StoreError, match=rf"run id {r.run_id} \(forecast "
                           r"linear_trend\): the run made again differs from the "
                           r"result recorded by apportion"):
            s.rerun(r.run_id)
        with pytest.raises(StoreError, match="no run id 99"):
            s.rerun(99)


def test_a_failure_in_the_middle_of_a_run_leaves_the_store_unchanged(store_url,
                                                                    monkeypatch):
    with apportion.store.open(store_url) as s:
        first = s.record_forecast("holt", CLA, horizon=3)
        before = s.runs(superseded=True), s.imports()
        # The same run computed differently (as by another release): it
        # would supersede the stored one; the database fails after the old
        # run is marked and the new one inserted.
        monkeypatch.setattr(_runs, "digest", lambda result: "1" * 64)

        def fail(result):
            raise StoreError("the connection was lost")

        monkeypatch.setattr(_runs, "_inserted_id", fail)
        with pytest.raises(StoreError, match="the connection was lost"):
            s.record_forecast("holt", CLA, horizon=3)
        pd.testing.assert_frame_equal(s.runs(superseded=True), before[0])
        pd.testing.assert_frame_equal(s.imports(), before[1])
        monkeypatch.undo()
        monkeypatch.setattr(_runs, "digest", lambda result: "1" * 64)
        second = s.record_forecast("holt", CLA, horizon=3)
        assert second.status == "superseded"
        everything = s.runs(superseded=True)
        assert everything["superseded_by"].tolist() == [second.import_id, pd.NA]
        assert everything["id"].tolist() == [first.run_id, second.run_id]


# ---- scenarios --------------------------------------------------------------

def scenario():
    demand = forecast.linear_trend(CLA, predict_at=range(2022, 2027))
    basis = pd.DataFrame({"NNC": ["44.16", "45", "45.5", "46", "46.25"],
                          "WNC": ["55.84", "55", "54.5", "54", "53.75"]},
                         index=range(2022, 2027))
    return CostScenario(demand, "£52,000.17", basis, inflation=[0.035, 0.03, 0.025,
                                                               0.02, 0.02],
                        inflation_sd=0.01, demand_correlation=0.6)


def test_scenario_runs_are_rerun_bit_for_bit(store_url):
    model = scenario()
    runs = [model.simulate(500, 2**64 - 1, start=7, threads=2),
            model.simulate(300, 0),
            CostScenario([10.5, 11.25], 123456, {"A": 1, "B": 2},
                         years=["2025/26", "2026/27"]).simulate(50, 42)]
    with apportion.store.open(store_url) as s:
        recorded = [s.record_scenario(r, name="CLA placements") for r in runs]
        projected = s.record_scenario(model)
    with apportion.store.open(store_url) as s:
        for r, original in zip(recorded, runs):
            again = s.rerun(r.run_id, threads=1)
            assert isinstance(again, ScenarioRun)
            assert again.identical(original)
            assert again.totals.tobytes() == original.totals.tobytes()
            assert again.shares.tobytes() == original.shares.tobytes()
            assert again.scenario.years == original.scenario.years
        back = s.rerun(projected.run_id)
        pd.testing.assert_frame_equal(back, model.project(), check_exact=True)
        table = s.runs(kind="scenario")
        params = s.run_parameters(recorded[0].run_id)
    assert table["seed"].tolist() == [2**64 - 1, 0, 42, None]
    assert table["start"].tolist() == [7, 0, 0, pd.NA]
    assert table["n"].tolist() == [500, 300, 50, pd.NA]
    assert table["method"].tolist() == ["simulate"] * 3 + ["project"]
    assert table["name"].tolist() == ["CLA placements"] * 3 + [None]
    assert params["seed"] == 2**64 - 1 and params["unit_cost_pence"] == 5_200_017
    assert np.array_equal(params["weights"], model.weights)
    assert params["demand"].tobytes() == model.demand.tobytes()


def test_a_scenario_recorded_again_changes_nothing(store_url):
    run = scenario().simulate(100, 5)
    with apportion.store.open(store_url) as s:
        first = s.record_scenario(run)
        again = s.record_scenario(scenario().simulate(100, 5))
        other = s.record_scenario(scenario().simulate(100, 6))
        assert again[:3] == (first.run_id, None, "unchanged")
        assert other.status == "added"
        assert len(s.runs()) == len(s.imports()) == 2
        with pytest.raises(TypeError, match="ScenarioRun or a CostScenario"):
            s.record_scenario("run")


def test_parameters_are_encoded_exactly():
    values = [None, True, 3, 2**70, "text", 0.1, -0.0, math.inf, math.nan,
              [1, (2.5, "x")], {"a": 1, 2: [0.3]},
              np.float64(1 / 3), np.int32(7),
              np.array([[1.5, np.nan], [-0.0, 2.0]]), np.array([1, 2], dtype=np.int8),
              np.array(["a", None], dtype=object),
              pd.Series([1.0, np.nan], index=pd.Index([2020, 2021]), name="s"),
              pd.Series([1, 2], index=pd.Index(["a", "b"])),
              pd.DataFrame({"x": [1.5, 2.5], "y": [1, 2]}, index=pd.RangeIndex(3, 5)),
              pd.DataFrame(np.eye(2), columns=[2020.0, 2021.0])]
    for value in values:
        back = decode(encode(value))
        assert digest(back) == digest(value), value
        assert type(back) is type(value)
    assert math.copysign(1, decode(encode(-0.0))) == -1
    with pytest.raises(StoreError, match="a MultiIndex cannot be stored"):
        encode(pd.MultiIndex.from_tuples([(1, 2)]))


# ---- two analysts at once -----------------------------------------------------

ANALYST = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import apportion.store
    from apportion.ledger import Ledger

    url, folder, name, ledger = sys.argv[1:5]
    run = Ledger.read_csv(ledger, centre="cost_centre", amount="amount",
                          date="date", periods="month").apportion(
        {"NNC": "44.16", "WNC": "55.84"})
    with apportion.store.open(url) as s:
        (Path(folder) / f"{name}.ready").touch()
        while not (Path(folder) / "go").exists():
            time.sleep(0.005)
        for month in range(1, 13):
            s.record_ledger(run, period=f"P{month}")
""")


@pytest.mark.parametrize("same", [True, False])
def test_two_analysts_recording_the_ledger_at_once(store_url, tmp_path, same):
    """Two processes record the year month by month at the same time, the
    same ledger or a corrected one: every cell ends up current exactly once,
    and the current totals are one ledger's or the other's, month by month,
    to the penny."""
    other = LEDGER
    if not same:
        lines = pd.read_csv(LEDGER, dtype=str)
        lines["amount"] = [f"{float(a) + 0.07:.2f}" for a in lines["amount"]]
        other = tmp_path / "corrected.csv"
        lines.to_csv(other, index=False)
    script = tmp_path / "analyst.py"
    script.write_text(ANALYST)
    apportion.store.open(store_url).close()
    procs = [subprocess.Popen([sys.executable, str(script), store_url, str(tmp_path),
                               name, str(path)], stderr=subprocess.PIPE, text=True)
             for name, path in (("north", LEDGER), ("west", other))]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"{n}.ready").exists() for n in ("north", "west")):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    runs = {LEDGER: nct_run(), other: nct_run(other)}
    with apportion.store.open(store_url) as s:
        current = s.ledger_totals()
        every = s.ledger_totals(superseded=True)
        trail = s.imports()
    keys = ["centre", "period", "authority"]
    assert not current.duplicated(keys).any()
    assert len(current) == 21 * 12 * 2
    for k, period in enumerate(pd.period_range("2021-04", "2022-03", freq="M")):
        month = current[current["period"] == period]
        assert int(month["pence"].sum()) in {int(r.shares[:, k, :].sum())
                                             for r in runs.values()}
    if same:
        assert len(every) == len(current) and len(trail) == 12
    else:
        # Each month written by both: the second superseded the first's
        # changed cells, and both stay.
        assert len(trail) == 24
        replaced = every[every["superseded_by"].notna()]
        assert (replaced["superseded_by"] > replaced["import_id"]).all()
        assert len(every) == len(current) + len(replaced)


def test_a_digest_is_of_the_values_bit_for_bit():
    frame = pd.DataFrame({"mean": [1.0, 0.0]}, index=pd.Index([2022, 2023], name="time"))
    same = pd.DataFrame({"mean": [1.0, 0.0]}, index=pd.Index([2022, 2023], name="time"))
    assert digest(frame) == digest(same)
    flipped = same.copy()
    flipped.iloc[1, 0] = -0.0  # equal as numbers, not bit for bit
    assert digest(flipped) != digest(frame)
    assert digest(frame.astype(np.float32)) != digest(frame)
    # Text whatever pandas calls its dtype: the same values, the same digest.
    assert digest(pd.Index(["a", "b"], dtype=object)) == \
        digest(pd.Index(["a", "b"], dtype="string"))
    assert digest(pd.Index(["a", "b"], dtype=object)) != \
        digest(pd.Index(["a", "c"], dtype=object))


def test_another_driver_takes_sqlalchemy_inserts(store_url, monkeypatch):
    """The bulk path speaks to psycopg 3 and sqlite3 itself; a store whose
    driver is another (psycopg2 named in the URL, say) records a large
    ledger through SQLAlchemy's INSERTs instead, to the same totals."""
    centres = [f"CC{k:04d}" for k in range(600)]
    run = Ledger(centres, list(range(1000, 1600)), period=[1] * 600).apportion(
        {"NNC": 1, "WNC": 3})
    inserted = []
    real_insert = _papers.sa.insert

    def spied(table):
        inserted.append(table.name)
        return real_insert(table)

    with apportion.store.open(store_url) as s:
        monkeypatch.setattr(s.engine.dialect, "driver", "another")
        monkeypatch.setattr(_papers.sa, "insert", spied)
        done = s.record_ledger(run, financial_year="2021/22")
        monkeypatch.undo()
        totals = s.ledger_totals()
    assert "ledger_totals" in inserted
    assert done.added == 4800 >= _papers._COPY_FROM
    assert int(totals["pence"].sum()) == run.total
    assert np.array_equal(cube(totals, run), run.shares)
