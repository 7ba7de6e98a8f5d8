"""Writes examples/nct-kpi-returns/: a synthetic year (2021-22) of the
Northamptonshire Children's Trust's monthly KPI returns, one CSV per month,
for `make demo` and docs/store.rst.

The figures are made up (seeded, so the files are reproducible).  The NCT
annual report 2021-22 prints no monthly figures, only what the year was
like, and the returns follow what it says: Single Assessments within 45
working days never below 97%; re-referrals within 12 months above target
but within tolerance all year; complaints answered within 10 working days
below target on 4 occasions.  The rest is invented to show escalation: West
Northamptonshire's referral decisions slip below tolerance from October to
February (a Performance Failure, then a Rectification Plan under the
illustrative rule of examples/nct-kpis.json).  Each council's return is a
group (NNC, WNC); the rates are whole counts (numerator, denominator), as a
return holds them.

The trust's October return was resubmitted with corrected counts:
``2021-10-revised.csv`` is that return again with two rows changed, so that
importing it after the year shows a superseded result and its trail.

NCT-ADOPTION-A10 (average days, quarterly) is not a rate and is left out.

Run: .venv/bin/python examples/make_kpi_returns.py
"""

import csv
import random
from pathlib import Path

OUT = Path(__file__).with_name("nct-kpi-returns")
MONTHS = [f"{2021 + (m < 4)}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
GROUPS = ("NNC", "WNC")

# Each KPI: the rate (%) aimed at in each month of the year, by council,
# and the usual size of the denominator.  A rate is drawn near its aim and
# kept inside (low, high], the band the story needs.


def _profile(kpi: str, group: str, month: int) -> tuple[float, float]:
    """(low, high) of the rate, in percent, for one council and month (0 is
    April)."""
    if kpi == "NCT-REF-DECISION":
        # Target 90, tolerance 5 points: Red below 85.  WNC slips from
        # October (6) to February (10).
        if group == "WNC" and 6 <= month <= 10:
            return 78.0, 84.0
        return 90.5, 96.0
    if kpi == "NCT-ASSESS-45WD":
        return 97.2, 99.6  # never below 97%
    if kpi == "NCT-REREFERRAL-12M":
        return 22.5, 27.0  # above target 22, within 27.5 all year
    if kpi == "NCT-COMPLAINTS-10WD":
        # Below target 80 on four occasions: NNC in June and February
        # (Amber), WNC in September and October (Red: a Performance
        # Failure after 2, under the file's illustrative rule).
        if (group, month) in (("NNC", 2), ("NNC", 10)):
            return 72.0, 78.0
        if group == "WNC" and month in (5, 6):
            return 55.0, 66.0
        return 82.0, 95.0
    if kpi == "NCT-CPP-REPEAT":
        return 12.0, 19.5  # target 20% or below
    if kpi == "NCT-CIC-3PLACEMENTS":
        # Target 10% or below; NNC Amber in the winter.
        if group == "NNC" and month in (8, 9):
            return 10.3, 11.8
        return 6.0, 9.6
    raise KeyError(kpi)


# The denominators' usual size by KPI (a month's referrals, assessments...).
SIZE = {"NCT-REF-DECISION": 420, "NCT-ASSESS-45WD": 260,
        "NCT-REREFERRAL-12M": 420, "NCT-COMPLAINTS-10WD": 14,
        "NCT-CPP-REPEAT": 45, "NCT-CIC-3PLACEMENTS": 560}


def _counts(rng: random.Random, kpi: str, group: str, month: int) -> tuple[int, int]:
    low, high = _profile(kpi, group, month)
    share = 0.45 if group == "NNC" else 0.55
    for _ in range(1000):
        den = max(5, round(SIZE[kpi] * 2 * share * rng.uniform(0.85, 1.15)))
        num = round(den * rng.uniform(low, high) / 100)
        if low < 100 * num / den <= high:
            return num, den
    raise RuntimeError(f"no counts for {kpi} {group} month {month}")


def main() -> None:
    rng = random.Random(2122)
    OUT.mkdir(exist_ok=True)
    header = ["kpi", "group", "period", "numerator", "denominator"]
    october: list[list[object]] = []
    for m, period in enumerate(MONTHS):
        rows: list[list[object]] = []
        for kpi in SIZE:
            for group in GROUPS:
                num, den = _counts(rng, kpi, group, m)
                rows.append([kpi, group, period, num, den])
        with (OUT / f"{period}.csv").open("w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        if period == "2021-10":
            october = rows
    # The resubmitted October return: two late decisions found to have been
    # made in time, and one more complaint counted (answered in time).
    revised = [list(r) for r in october]
    for r in revised:
        if r[0] == "NCT-REF-DECISION" and r[1] == "WNC":
            r[3] = int(str(r[3])) + 2
        if r[0] == "NCT-COMPLAINTS-10WD" and r[1] == "NNC":
            r[3] = int(str(r[3])) + 1
            r[4] = int(str(r[4])) + 1
    with (OUT / "2021-10-revised.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(revised)


if __name__ == "__main__":
    main()
