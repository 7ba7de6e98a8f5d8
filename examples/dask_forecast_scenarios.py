"""The README's forecast and cost scenario, run on a Dask LocalCluster, with
the IASS response-time KPI measured over a partitioned dataframe: every
figure equals the one computed in a single process, bit for bit.  The cost
scenario's unit cost (£64,150 a child a year) and inflation are the
assumptions of forecast_children_in_care.py, not figures of any paper.

    python examples/dask_forecast_scenarios.py [--workers 2] [--scenarios N]

Needs the Dask extra: pip install 'apportion[dask]'.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import apportion
from apportion import dask as apdask
from apportion import forecast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forecast_children_in_care import FORECAST_YEARS, cost_scenario, load_series

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=100_000)
    args = parser.parse_args(argv)

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                      dashboard_address=None) as cluster, \
            Client(cluster) as client:
        print(f"LocalCluster with {len(client.scheduler_info()['workers'])} "
              f"workers")

        # 1. The three areas' trends, fitted as one batch on the cluster.
        series, _, _ = load_series()
        wide = pd.DataFrame(series).T            # area x year
        at = FORECAST_YEARS
        remote = apdask.linear_trend_batch(wide.to_numpy(),
                                           times=wide.columns.to_numpy(float),
                                           predict_at=at, chunk_rows=1)
        local = forecast.linear_trend_batch(wide, predict_at=at,
                                            as_frame=False)
        assert np.array_equal(remote.mean, local.mean)
        assert np.array_equal(remote.obs_ci_upper, local.obs_ci_upper)
        print("\nTrend forecasts (cluster = single process):")
        print(pd.DataFrame(remote.mean, index=wide.index,
                           columns=at).round(1).to_string())

        # 2. The cost scenarios, in chunks on the workers.
        county = forecast.linear_trend(series["Northamptonshire"],
                                       predict_at=at)
        scenario = cost_scenario(county)
        run = apdask.simulate(scenario, args.scenarios, seed=20261123,
                              chunk_size=max(1, args.scenarios // 16))
        single = scenario.simulate(args.scenarios, seed=20261123)
        assert run.identical(single)
        print()
        print(run.report([5, 50, 95]))
        print("(on an ASSUMED unit cost of £64,150: see forecast_children_in_care.py)")
        print("(identical to the single-process run, scenario by scenario)")

        # 3. The IASS KPI, % responded to within 3 working days, over a
        # dataframe in 5 partitions.
        frame = pd.read_csv(HERE / "iass-referrals-2021-22.csv",
                            parse_dates=["received", "responded"])
        ddf = dd.from_pandas(frame, npartitions=5)
        kpi = apdask.within_working_days(ddf, "received", "responded", 3,
                                         by="authority")
        expected = apportion.within_working_days(
            frame["received"], frame["responded"], 3, by=frame["authority"])
        pd.testing.assert_frame_equal(kpi, expected, check_names=False)
        print("\nIASS referrals answered within 3 working days, by authority:")
        print(kpi[["within", "total", "rate"]].round(2).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
