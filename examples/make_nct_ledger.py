"""Writes examples/nct-ledger-2021-22.csv: a small ledger of the
Northamptonshire Children's Trust's 2021/22 spending and income for the
ledger demo, the README tour and the tests.

The lines are synthetic (seeded, so the file is reproducible): made up,
but built so that each service's year sums exactly to the NCT 2021/22
outturn by service area (section 4 of the Service Delivery Contract
annual report 2021/22, examples/nct-outturn-2021-22.json): Corporate
Parent Service £44,170k, Children, Young People and Family Support
Services £5,076k, Prevention & Safeguarding £14,128k, Quality Assurance
and Commissioning £59,279k, NCT Central £1,765k and the contract income
(Northamptonshire Children's Trust) (£123,348k), £1,070k in all.  Within a
service, the spending lines sum to its gross outturn and the income lines
to its funding.  Each line's cost centre belongs to one service (the
service column says which).  Amounts are pounds and pence, negative for
income.  Run: .venv/bin/python examples/make_nct_ledger.py
"""

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTTURN = HERE / "nct-outturn-2021-22.json"
OUT = HERE / "nct-ledger-2021-22.csv"

# Made-up cost centres for each service of the outturn table: spending
# centres, then the centre its income (if any) is booked to.
CENTRES = {
    "Corporate Parent Service": (
        ["CP10 Fostering", "CP11 Residential placements", "CP12 Leaving care",
         "CP13 Adoption and permanence", "CP14 Children in care teams"],
        "CP19 Corporate parenting income"),
    "Children, Young People and Family Support Services": (
        ["FS20 Early help", "FS21 Family centres", "FS22 Short breaks"],
        "FS29 Family support income"),
    "Prevention & Safeguarding": (
        ["PS30 MASH and front door", "PS31 Assessment teams",
         "PS32 Child protection", "PS33 Youth offending"],
        "PS39 Safeguarding grants"),
    "Quality Assurance and Commissioning": (
        ["QA40 External placements", "QA41 Commissioned services",
         "QA42 Quality assurance", "QA43 Independent reviewing"],
        "QA49 Commissioning income"),
    "NCT Central": (["NC50 Trust central costs"], "NC59 Central income"),
    "Northamptonshire Children's Trust": (
        [], "NT60 Contract sum from the councils"),
}


def thousands_to_pence(text: str) -> int:
    """A figure of the outturn table in £000 ("45,026", "(856)", "-")."""
    text = text.strip()
    if text == "-":
        return 0
    negative = text.startswith("(") and text.endswith(")")
    value = int(text.strip("()").replace(",", "")) * 1000 * 100
    return -value if negative else value


def split(total: int, parts: int, rng: random.Random):
    """total pence in `parts` amounts by random whole weights, exactly."""
    weights = [rng.randint(20, 100) for _ in range(parts)]
    shares = [total * w // sum(weights) for w in weights]
    for k in range(total - sum(shares)):
        shares[k] += 1
    return shares


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def main() -> None:
    rng = random.Random(20210401)
    table = json.loads(OUTTURN.read_text())
    start = date(2021, 4, 1)
    rows = []
    for line in table["lines"]:
        service = line["service"]
        spending, income_centre = CENTRES[service]
        gross = thousands_to_pence(line["gross_outturn"])
        funding = thousands_to_pence(line["funding"])
        assert gross + funding == thousands_to_pence(line["outturn"]), service
        if spending:
            for amount in split(gross, 40 * len(spending), rng):
                rows.append((start + timedelta(days=rng.randrange(365)),
                             rng.choice(spending), service, amount))
        else:  # the contract income is all the service has: monthly receipts
            funding = gross
        if funding:
            # Income arrives monthly, on the 15th of each month.
            for month, amount in enumerate(split(-funding, 12, rng)):
                year, m = (2021, 4 + month) if month < 9 else (2022, month - 8)
                rows.append((date(year, m, 15), income_centre, service, -amount))
    rows.sort(key=lambda r: (r[0], r[1]))
    with OUT.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "cost_centre", "service", "amount"])
        for day, centre, service, amount in rows:
            w.writerow([day.isoformat(), centre, service, pounds(amount)])


if __name__ == "__main__":
    main()
