"""apportion.dask on a real two-worker LocalCluster: every result equals
the single-process one exactly, however the data is partitioned."""

import pickle
from pathlib import Path

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import apportion
from apportion import CostScenario, forecast
from apportion import dask as apdask
from apportion.errors import InputError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    c = Client(cluster)
    try:
        assert len(c.scheduler_info()["workers"]) == 2
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def referrals():
    frame = pd.read_csv(EXAMPLES / "iass-referrals-2021-22.csv",
                        parse_dates=["received", "responded"])
    # A quarter of the records still open, so open/late counts are exercised.
    frame.loc[frame.index % 4 == 0, "responded"] = pd.NaT
    frame["month"] = frame["received"].dt.month
    return frame


@pytest.mark.parametrize("partitions", [1, 3, 7])
@pytest.mark.parametrize("by", ["authority", ["authority", "month"], None])
def test_within_working_days_equals_single_machine(client, referrals,
                                                   partitions, by):
    keys = None if by is None else (referrals[by] if isinstance(by, str)
                                    else [referrals[c] for c in by])
    expected = apportion.within_working_days(
        referrals["received"], referrals["responded"], 3, by=keys,
        as_of="2022-03-31")
    ddf = dd.from_pandas(referrals, npartitions=partitions)
    got = apdask.within_working_days(ddf, "received", "responded", 3,
                                     by=by, as_of="2022-03-31")
    pd.testing.assert_frame_equal(got, expected, check_names=False)


def test_within_working_days_with_a_calendar_object(client, referrals):
    cal = apportion.Calendar("england-and-wales",
                             extra_closures=["2021-12-29", "2021-12-30"])
    expected = apportion.within_working_days(
        referrals["received"], referrals["responded"], 3, calendar=cal,
        by=referrals["authority"])
    ddf = dd.from_pandas(referrals, npartitions=4)
    got = apdask.within_working_days(ddf, "received", "responded", 3,
                                     calendar=cal, by="authority",
                                     client=client)
    pd.testing.assert_frame_equal(got, expected, check_names=False)


def test_within_working_days_names_a_missing_column(client, referrals):
    ddf = dd.from_pandas(referrals, npartitions=2)
    with pytest.raises(InputError, match="no column 'closed'"):
        apdask.within_working_days(ddf, "received", "closed", 3)


@pytest.fixture(scope="module")
def many_series():
    rng = np.random.default_rng(2026)
    values = np.cumsum(rng.normal(5, 20, size=(5000, 10)), axis=1) + 500
    values[rng.random(values.shape) < 0.05] = np.nan
    return values


@pytest.mark.parametrize("chunk_rows", [5000, 1234, 97])
def test_batch_forecasts_equal_single_process(client, many_series, chunk_rows):
    years = np.arange(2014, 2024, dtype=float)
    single = forecast.linear_trend_batch(many_series, times=years,
                                         predict_at=[2024, 2026],
                                         as_frame=False)
    darr = da.from_array(many_series, chunks=(chunk_rows, 5))
    got = apdask.linear_trend_batch(darr, times=years,
                                    predict_at=[2024, 2026])
    for name in (*forecast.BATCH_COLUMNS, "nobs"):
        assert np.array_equal(getattr(got, name), getattr(single, name),
                              equal_nan=True), name
    holt_single = forecast.holt_batch(many_series, 3, alpha=0.5, beta=0.2,
                                      as_frame=False)
    holt_got = apdask.holt_batch(many_series, 3, alpha=0.5, beta=0.2,
                                 chunk_rows=chunk_rows)
    assert np.array_equal(holt_got.mean, holt_single.mean, equal_nan=True)
    assert np.array_equal(holt_got.obs_ci_upper, holt_single.obs_ci_upper,
                          equal_nan=True)


@pytest.fixture(scope="module")
def scenario():
    return CostScenario([1182, 1233, 1260, 1290], "£64,150",
                        {"NNC": "44.16", "WNC": "55.84"},
                        inflation=[0, 0.05, 0.035, 0.03],
                        demand_sd=[0, 25.0, 35.0, 45.0],
                        demand_correlation=0.6, inflation_sd=0.01,
                        years=["2022/23", "2023/24", "2024/25", "2025/26"])


@pytest.mark.parametrize("chunk_size", [None, 1000, 333, 97])
def test_scenarios_bit_identical_across_partitionings(client, scenario,
                                                      chunk_size):
    single = scenario.simulate(3000, seed=20261123, threads=1)
    got = apdask.simulate(scenario, 3000, seed=20261123,
                          chunk_size=chunk_size)
    assert got.identical(single)
    pd.testing.assert_frame_equal(got.percentiles([5, 50, 95]),
                                  single.percentiles([5, 50, 95]))


def test_threads_and_cluster_agree(client, scenario):
    runs = [scenario.simulate(2000, seed=7, threads=t) for t in (1, 2, 4)]
    assert runs[1].identical(runs[0]) and runs[2].identical(runs[0])
    assert apdask.simulate(scenario, 2000, 7, chunk_size=250,
                           client=client).identical(runs[0])


def test_objects_travel_to_workers(client):
    cal = apportion.Calendar("england-and-wales")
    got = client.submit(lambda c: c.working_days("2021-12-20", "2022-01-10"),
                        cal).result()
    assert got == cal.working_days("2021-12-20", "2022-01-10")
    plan = apportion.load_plan(EXAMPLES / "iass-2021-22.json")
    remote = client.submit(lambda p: p.report(), plan).result()
    assert remote == plan.report()
    assert pickle.loads(pickle.dumps(plan)).report() == plan.report()


def test_trend_batch_takes_a_dataframes_years_as_the_local_one_does() -> None:
    # Children in care at 31 March (the tour's figures) as one row per
    # area: without times= the years are the columns, on the cluster too,
    # so 2024 is the year after the last, not 2,024 steps out.
    cla = [834, 936, 993, 1004, 1092, 1123, 1157, 1144, 1182, 1233]
    wide = pd.DataFrame([cla, cla[::-1]], index=["county", "reversed"],
                        columns=range(2014, 2024))
    local = forecast.linear_trend_batch(wide, predict_at=[2024], as_frame=False)
    remote = apdask.linear_trend_batch(wide, predict_at=[2024], chunk_rows=1)
    assert np.array_equal(remote.mean, local.mean)
    assert list(remote.labels) == ["county", "reversed"]
    assert 1250 < remote.mean[0, 0] < 1320
    ddf = dd.from_pandas(wide, npartitions=2)
    on_dask = apdask.linear_trend_batch(ddf, predict_at=[2024])
    assert np.array_equal(on_dask.mean, local.mean)


@pytest.mark.parametrize("on_client", [True, False])
def test_a_progress_bar_changes_nothing(client, scenario, referrals, capsys,
                                        on_client):
    # Each piece ticks the bar as it finishes, on the client given or on
    # the default one; the results are those of the run without a bar.
    use = client if on_client else None
    single = scenario.simulate(1500, seed=11, threads=1)
    run = apdask.simulate(scenario, 1500, 11, chunk_size=250, client=use,
                          progress=True)
    assert run.identical(single)
    err = capsys.readouterr().err
    assert "scenario ranges" in err and "0/6 " in err  # tqdm draws the start
    ddf = dd.from_pandas(referrals, npartitions=3)
    quiet = apdask.within_working_days(ddf, "received", "responded", 3,
                                       by="authority", as_of="2022-03-31",
                                       client=use, progress=False)
    shown = apdask.within_working_days(ddf, "received", "responded", 3,
                                       by="authority", as_of="2022-03-31",
                                       client=use, progress=True)
    pd.testing.assert_frame_equal(shown, quiet)
    assert "partitions" in capsys.readouterr().err


def test_progress_on_the_local_scheduler_without_a_client(capsys):
    # No distributed client exists in this process's default slot here only
    # if none was made: use dask's threaded scheduler explicitly.
    import dask
    values = np.arange(40, dtype=float).reshape(8, 5)
    with dask.config.set(scheduler="threads"):
        got = apdask.linear_trend_batch(values, predict_at=[5], chunk_rows=2,
                                        progress=True, client=None)
    want = forecast.linear_trend_batch(values, predict_at=[5], as_frame=False)
    assert np.array_equal(got.mean, want.mean)
    assert "series blocks" in capsys.readouterr().err
