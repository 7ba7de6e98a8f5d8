"""Monte Carlo cost scenarios, beside the same model vectorised in numpy.

The job: N scenarios of five years' demand (children in care) x unit cost
x compounded inflation, with drawn demand (a shared and a yearly shock)
and drawn inflation, each year's cost rounded to a penny and split between
two authorities exactly (largest remainder); then the 5th, 50th and 95th
percentiles of every authority's cost each year.  apportion runs
``CostScenario.simulate`` (C, counter-based draws, every core) and
``ScenarioRun.percentiles``.  numpy draws from its own Generator (so the
draws differ; its apportionment is checked against apportion's on the same
totals) and uses ``np.percentile``.

    .venv/bin/python bench/bench_scenario.py [--n N] [--repeat R]
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import best_of, memory_bandwidth, print_traffic

from apportion import CostScenario

DEMAND = np.array([1233.0, 1262.0, 1291.0, 1320.0, 1349.0])
DEMAND_SD = np.array([0.0, 40.0, 55.0, 68.0, 80.0])
INFLATION = np.array([0.0, 0.035, 0.03, 0.025, 0.025])
UNIT_COST = 6_415_000                  # £64,150 in pence
WEIGHTS = np.array([4416, 5584])       # 44.16% / 55.84%
RHO = 0.6


def numpy_model(n, seed):
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, DEMAND.shape[0]))
    z = np.sqrt(RHO) * common + np.sqrt(1 - RHO) * own
    demand = np.maximum(0.0, DEMAND + DEMAND_SD * z)
    rates = INFLATION + 0.01 * rng.standard_normal((n, DEMAND.shape[0]))
    index = np.cumprod(1.0 + rates, axis=1)
    totals = np.rint(demand * UNIT_COST * index).astype(np.int64)
    return totals, numpy_split(totals)


def numpy_split(totals):
    """Two-party largest remainder in integer numpy (totals >= 0)."""
    W = WEIGHTS.sum()
    first = totals * WEIGHTS[0] // W
    rem0 = totals * WEIGHTS[0] % W
    rem1 = totals * WEIGHTS[1] % W
    second = totals * WEIGHTS[1] // W
    left = totals - first - second         # 0 or 1 penny
    to_first = (left == 1) & (rem0 >= rem1)
    first = first + to_first
    second = second + ((left == 1) & ~to_first)
    return np.stack([first, second], axis=2)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    args, _ = p.parse_known_args(argv)

    scenario = CostScenario(DEMAND, UNIT_COST, {"NNC": 4416, "WNC": 5584},
                            inflation=INFLATION, demand_sd=DEMAND_SD,
                            demand_correlation=RHO, inflation_sd=0.01,
                            years=["2023/24", "2024/25", "2025/26", "2026/27",
                                   "2027/28"])
    run = scenario.simulate(args.n, seed=1)
    assert np.array_equal(numpy_split(run.totals), run.shares), \
        "numpy's split differs from apportion's"
    q = [5, 50, 95]
    print(f"{args.n:,} scenarios x 5 years x 2 authorities; percentiles "
          f"{q} of each authority and the total each year")

    # apportion's two runs in turns with numpy's read of 1 GiB (one
    # thread and every core), so a busy moment slows all alike.
    (t_all, t_one), gbps_one, gbps_all = memory_bandwidth(
        args.repeat, [lambda: scenario.simulate(args.n, 1),
                      lambda: scenario.simulate(args.n, 1, threads=1)])
    t_np, (totals, shares) = best_of(args.repeat,
                                     lambda: numpy_model(args.n, 1))
    t_pct, _ = best_of(args.repeat, lambda: run.percentiles(q))
    cols = np.concatenate([shares, totals[:, :, None]], axis=2).reshape(
        args.n, -1)
    t_nppct, _ = best_of(args.repeat, lambda: np.rint(
        np.percentile(cols, q, axis=0, method="linear")).astype(np.int64))

    print(f"\n  apportion simulate (every core)  {t_all:8.4f} s   "
          f"{args.n / t_all / 1e6:6.2f} M scenarios/s")
    print(f"  apportion simulate (1 thread)    {t_one:8.4f} s")
    print(f"  numpy vectorised model           {t_np:8.4f} s")
    print(f"  apportion percentiles            {t_pct:8.4f} s")
    print(f"  numpy percentile + rint          {t_nppct:8.4f} s")
    print(f"  simulate: {t_np / t_all:.1f}x numpy ({t_np / t_one:.1f}x on one "
          f"thread); percentiles: {t_nppct / t_pct:.1f}x numpy")
    # What simulate writes: totals (n x 5 int64) and shares (n x 5 x 2).
    # It is bound by its arithmetic (Philox and the transform), not by
    # memory: the fraction says how far from the memory limit it is.
    print_traffic(run.totals.nbytes + run.shares.nbytes, t_one, t_all,
                  gbps_one, gbps_all)


if __name__ == "__main__":
    main()
