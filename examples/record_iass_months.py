"""Records a year of IASS2 in a history store, month by month, as the
service would: each month's referrals and enquiries scored by the IASS
service area two weeks after the month ends, and the results recorded with
``store=`` (so each month's escalation counts the months stored before).

The records are examples/iass-referrals-2021-22.csv (made up, by
examples/make_iass_referrals.py).  A record answered after the day a
month's return is made is still open on that day: it counts as late if it
is already past the 3 working days, and is left out otherwise.  The
records were extracted on 31 March 2022, so March's return is made that
day.

Run: .venv/bin/python examples/record_iass_months.py sqlite:///build/demo/history.db
(`make demo` does, into a fresh store).
"""

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd

import apportion
import apportion.store

RECORDS = Path(__file__).with_name("iass-referrals-2021-22.csv")
#: How long after a month ends its return is made.
RETURN_AFTER = dt.timedelta(days=14)
#: The day the records were extracted: March's return is made on it.
EXTRACTED = pd.Timestamp("2022-03-31")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="the store (default: the "
                        "default store, see apportion.store.default_url)")
    args = parser.parse_args()
    area = apportion.service_area("IASS")
    records = pd.read_csv(RECORDS, dtype=str, keep_default_na=False)
    received = pd.to_datetime(records["received"])
    responded = pd.to_datetime(records["responded"].replace("", None))
    months = pd.period_range("2021-04", "2022-03", freq="M")
    with apportion.store.open(args.url) as store:
        print(f"Recording IASS2 month by month in {store.url}")
        for month in months:
            taken = min(month.end_time.normalize() + RETURN_AFTER, EXTRACTED)
            mine = (received.dt.to_period("M") == month).to_numpy()
            answered = responded[mine]
            open_then = answered.isna() | (answered > taken)
            values = {
                "received": received[mine].to_numpy(dtype="datetime64[D]"),
                "responded": answered.where(~open_then).to_numpy(dtype="datetime64[D]"),
            }
            by = [records["authority"][mine].to_numpy(),
                  [str(month)] * int(mine.sum())]
            card = area.score("IASS2", values, by=by, as_of=taken.date(),
                              store=store, title=f"IASS2 {month}")
            frame = card.to_frame().reset_index()
            shown = ", ".join(
                f"{r.group} {r.numerator}/{r.denominator} {r.rag} ({r.escalation})"
                for r in frame.itertuples())
            print(f"  {month} (return of {taken:%Y-%m-%d}): {shown}")


if __name__ == "__main__":
    main()
