"""The IASS budget under each basis of disaggregation, side by side.

    python examples/compare_iass_bases.py

Reads iass-disaggregation-2022.json (the £429k budget of the IASS
variation notice, Shared Services Joint Committee, 26 October 2022, and the
bases it and the 2021/22 service plan state; the file names the section of
each figure) and prints each council's share, in pounds and as a
percentage, under each basis, with the difference from the budget the
council now provides.
"""

from __future__ import annotations

import json
from pathlib import Path

import apportion

HERE = Path(__file__).resolve().parent


def main() -> None:
    example = json.loads((HERE / "iass-disaggregation-2022.json").read_text(encoding="utf-8"))
    bases = {b["name"]: b["values"] for b in example["bases"]}
    total = example["budget"]["total"]
    frame = apportion.compare_bases(total, bases)
    share, percent = frame["share"], frame["percent"]
    current = share.loc["current budget"]
    print(f"IASS budget {total} under each basis: share, percent, and the "
          "difference from the current budget")
    for name in frame.index:
        cells = []
        for authority in share.columns:
            pence = int(share.loc[name, authority])
            diff = pence - int(current[authority])
            change = ("+" if diff > 0 else "") + apportion.format_money(diff)
            cells.append(f"{authority} {apportion.format_money(pence):>11} "
                         f"{percent.loc[name, authority]:>6}% {change:>12}")
        print(f"  {name:<16} " + "   ".join(cells))
    for basis in example["bases"]:
        if "reading" in basis:
            print(f"  {basis['name']}: printed \"{basis['reading']['printed']}\", "
                  f"read as {basis['reading']['read_as']} (the paper does not "
                  "say which council has which)")


if __name__ == "__main__":
    main()
