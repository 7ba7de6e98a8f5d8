"""Writes examples/iass-referrals-2021-22.csv: a synthetic year of IASS
referrals and enquiries for the demo and the README tour.

The records are made up (seeded, so the file is reproducible); their
shape follows the service plan: enquiries to the SEND Information, Advice
and Support Service from both councils' areas, answered mostly within a
few working days, a few still open at the year end.  Volumes are split
about 45 : 55 between North and West Northamptonshire, like their 0-17
populations.  Run: .venv/bin/python examples/make_iass_referrals.py
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("iass-referrals-2021-22.csv")


def main() -> None:
    rng = random.Random(202122)
    start = date(2021, 4, 1)
    rows = []
    for i in range(1, 1601):
        received = start + timedelta(days=rng.randrange(365))
        authority = "NNC" if rng.random() < 0.45 else "WNC"
        # West's team was short-staffed in the autumn: slower replies.
        slow = authority == "WNC" and date(2021, 10, 1) <= received <= date(2021, 12, 31)
        delay = rng.choices([0, 1, 2, 3, 4, 5, 7, 10, 14],
                            weights=[8, 30, 25, 17, 6, 5, 4, 3, 2] if not slow
                            else [4, 18, 20, 17, 12, 10, 8, 6, 5])[0]
        responded = received + timedelta(days=delay)
        if responded > date(2022, 3, 31):
            responded = None  # still open at the year end
        rows.append((f"IASS-{i:05d}", authority, received.isoformat(),
                     "" if responded is None else responded.isoformat()))
    rows.sort(key=lambda r: (r[2], r[0]))
    with OUT.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["reference", "authority", "received", "responded"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
