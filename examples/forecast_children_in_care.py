"""Children looked after in Northamptonshire: a linear-trend forecast to
2026 for the county and for North and West Northamptonshire, a fan chart,
and what the forecast could cost each council.

    python examples/forecast_children_in_care.py [--out DIR] [--scenarios N]

The figures are the DfE's (northants_children_looked_after.csv: children
looked after at 31 March).

The break in the series.  Northamptonshire County Council was abolished on
1 April 2021 and replaced by two unitary councils, North Northamptonshire
(E06000061) and West Northamptonshire (E06000062); the Northamptonshire
Children's Trust serves both.  The DfE publishes the county (E10000021) up
to the year ending March 2021 and the two unitaries from March 2022, so no
series runs through the split.  This example does not hide that:

- The county's series continues as the sum of North and West from 2022:
  the two cover exactly the old county's area, and a child looked after on
  31 March is counted by one council only, so the sum is the same measure.
  (The trust's own report gives 1,094 in March 2018 and 1,184 in March
  2022; the DfE's are 1,092 and 1,182 — 523 + 659.)
- North and West have only two years of their own, too few for a trend
  with an interval (three are needed).  Their earlier years are therefore
  estimated ("back-cast") as the county's figure times each council's
  share of the county in 2022-2023 (North 44.22%, West 55.78%).  That
  assumes the split of children between the two areas was the same before
  2022 as after; the chart draws back-cast years hollow so no one mistakes
  them for published figures.  Because a least-squares line is linear in
  the data, North's and West's forecasts add up to the county's exactly;
  their intervals do not add (uncertainties do not add).

Then the cost, on ASSUMPTIONS that no paper gives as the cost of a child in
care: the county's forecast demand x a unit cost of £64,150 a child a year,
with 3.5% inflation a year +- 1 point (also an assumption), split by the
trust's contract shares of 44.16% / 55.84% (the Transformation and
Efficiency Board update to the Joint Children's Trust Committee, 6 March
2024, paragraph 7.1.1).  The £64,150 is not a cost of care: it is the
Homes for Ukraine rate the government pays a council, for the first year
only, for an eligible child placed in its care after a sponsorship breaks
down (the trust's Service Delivery Contract annual report 2021/22, section
9.3).  It is used here only as a round figure of the right size; the real
cost of a placement varies widely (a single placement costs £500k, the same
report says in section 4).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from apportion import CostScenario, forecast

HERE = Path(__file__).resolve().parent
DATA = HERE / "northants_children_looked_after.csv"
COUNTY, NORTH, WEST = ("Northamptonshire", "North Northamptonshire",
                       "West Northamptonshire")
SPLIT_YEAR = 2022          # the first year ending 31 March after the split
FORECAST_YEARS = [2024, 2025, 2026]
# An ASSUMPTION, not a cost of care (see the module docstring): the Homes
# for Ukraine first-year rate per child whose sponsorship broke down.
UNIT_COST = "£64,150"
UNIT_COST_NOTE = ("ASSUMPTIONS: the unit cost of £64,150 a child a year is the Homes for\n"
                  "Ukraine first-year rate for a child taken into care after a sponsorship\n"
                  "breaks down (NCT annual report 2021/22, 9.3), not a cost of a child in\n"
                  "care; inflation of 3.5% +- 1 point a year is assumed too.")
CONTRACT_SPLIT = {"NNC": "44.16", "WNC": "55.84"}


def load_series(path: Path = DATA):
    """The county's series (2022 on: North + West) and North's and West's
    (before 2022: back-cast by their 2022-23 shares).  Returns (series by
    area, the back-cast mask by area, the shares)."""
    cla = pd.read_csv(path).pivot_table(
        index="year_ending_31_march", columns="la_name",
        values="cla_at_31_march")
    after = cla.index >= SPLIT_YEAR
    county = cla[COUNTY].copy()
    county[after] = cla.loc[after, NORTH] + cla.loc[after, WEST]
    both = cla.loc[after, NORTH].sum() + cla.loc[after, WEST].sum()
    shares = {NORTH: cla.loc[after, NORTH].sum() / both,
              WEST: cla.loc[after, WEST].sum() / both}
    series = {COUNTY: county}
    backcast = {COUNTY: np.zeros(len(cla), dtype=bool)}
    for area in (NORTH, WEST):
        s = cla[area].copy()
        s[~after] = county[~after] * shares[area]
        series[area] = s
        backcast[area] = ~after
    return series, backcast, shares


def forecasts(series, levels=(0.5, 0.8, 0.95)):
    """For each area: a frame per interval level, over the fitted years
    and the forecast years."""
    out = {}
    for area, s in series.items():
        at = list(s.index) + FORECAST_YEARS
        out[area] = {lv: forecast.linear_trend(s, predict_at=at, level=lv)
                     for lv in levels}
    return out


def fan_chart(series, backcast, fans, path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharex=True)
    for ax, (area, s) in zip(axes, series.items()):
        levels = sorted(fans[area], reverse=True)
        for lv, alpha in zip(levels, (0.15, 0.25, 0.4)):
            f = fans[area][lv].loc[FORECAST_YEARS[0] - 1:]
            ax.fill_between(f.index, f["obs_ci_lower"], f["obs_ci_upper"],
                            color="tab:blue", alpha=alpha, lw=0,
                            label=f"{int(lv * 100)}% prediction interval")
        line = fans[area][levels[0]]
        ax.plot(line.index, line["mean"], color="tab:blue", lw=1.5,
                label="linear trend")
        own = ~backcast[area]
        ax.plot(s.index[own], s[own], "o", color="black",
                label="DfE figure" if area != COUNTY else
                "DfE figure (2022 on: North + West)")
        if backcast[area].any():
            ax.plot(s.index[~own], s[~own], "o", mfc="white", color="grey",
                    label="back-cast from the county (share of 2022-23)")
        ax.axvline(SPLIT_YEAR - 0.5, color="tab:red", ls="--", lw=1)
        ax.text(SPLIT_YEAR - 0.4, ax.get_ylim()[0], " county split\n 1 April 2021",
                color="tab:red", fontsize=8, va="bottom")
        ax.set_title(area)
        ax.set_xlabel("year ending 31 March")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("children looked after")
    axes[0].legend(fontsize=7, loc="upper left")
    axes[1].legend(handles=axes[1].get_legend_handles_labels()[0][-2:],
                   fontsize=7, loc="upper left")
    fig.suptitle("Children looked after, Northamptonshire: trend to 2026 "
                 "with 50/80/95% prediction intervals")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def cost_scenario(county_forecast) -> CostScenario:
    f = county_forecast.loc[FORECAST_YEARS]
    return CostScenario(f, UNIT_COST, CONTRACT_SPLIT,
                        inflation=[0.035] * len(FORECAST_YEARS),
                        inflation_sd=0.01, demand_correlation=0.8)


# The trust's annual report 2021/22, section 6: "increased from 1094 to 1184
# across 4 years up to March 22 ... A straight linear trend line estimates
# the March 24 total care population at 1211."
REPORT_2018, REPORT_2022, REPORT_MARCH_24 = 1094, 1184, 1211


def report_trend_note(county) -> str:
    """Why the report's 1,211 is not reproduced: it fits figures it does not
    print.  What its printed figures and the DfE's give instead."""
    two_point = REPORT_2022 + 2 * (REPORT_2022 - REPORT_2018) / 4
    dfe = forecast.linear_trend(county.loc[2018:2022].astype(float),
                                predict_at=[2024])["mean"].iloc[0]
    return (f"\nThe trust's annual report 2021/22 (section 6) puts March 2024 at "
            f"{REPORT_MARCH_24:,} by a straight-line\ntrend of figures it does not "
            f"print, so its estimate cannot be reproduced here: a line\nthrough the "
            f"two it prints ({REPORT_2018:,} in 2018, {REPORT_2022:,} in 2022) reaches "
            f"{two_point:,.0f}; the DfE's\nMarch 2018-2022 figures reach {dfe:,.0f}.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/examples"),
                        help="where the fan chart goes")
    parser.add_argument("--scenarios", type=int, default=10_000)
    args = parser.parse_args(argv)

    series, backcast, shares = load_series()
    print("Children looked after at 31 March (DfE).  From 2022 the county is "
          "North + West;")
    print(f"North's and West's years before 2022 are back-cast at their "
          f"2022-23 shares ({shares[NORTH]:.2%} / {shares[WEST]:.2%}).")
    table = pd.DataFrame(series).astype(float).round(1)
    print(table.to_string())

    fans = forecasts(series)
    print("\nLinear trend forecasts, 95% intervals:")
    for area in series:
        f = fans[area][0.95].loc[FORECAST_YEARS]
        fit = f.attrs["fit"]
        print(f"\n{area}: {fit.slope:+.1f} a year (se {fit.slope_se:.1f}), "
              f"R² {fit.r_squared:.3f}, {fit.nobs} years")
        print(f.round(1).to_string())
    total = sum(fans[a][0.95].loc[FORECAST_YEARS, "mean"] for a in (NORTH, WEST))
    gap = np.max(np.abs(total - fans[COUNTY][0.95].loc[FORECAST_YEARS, "mean"]))
    print(f"\nNorth + West forecasts differ from the county's by at most "
          f"{gap:.2e} children (a least-squares line is linear in the data).")

    print(report_trend_note(series[COUNTY]))

    holt = forecast.holt(series[COUNTY].astype(float), len(FORECAST_YEARS))
    h = holt.attrs["fit"]
    print(f"\nHolt's method for the county (alpha {h.alpha:.3f}, beta "
          f"{h.beta:.3f} fitted):")
    print(holt.round(1).to_string())
    if h.alpha == 0.0 and h.beta == 0.0:
        print("(With alpha = beta = 0 nothing is smoothed away: the best "
              "Holt fit of this series is\nthe least-squares line itself; "
              "its interval is narrower because ETS counts no\nuncertainty "
              "in the line.)")

    png = fan_chart(series, backcast, fans, args.out / "cla-fan-chart.png")
    print(f"\nFan chart: {png}")

    scenario = cost_scenario(fans[COUNTY][0.95])
    print(f"\n{UNIT_COST_NOTE}")
    print(f"{scenario!r}")
    print(scenario.report())
    run = scenario.simulate(args.scenarios, seed=20261123)
    print()
    print(run.report([5, 50, 95]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
