"""The audit of a large printed table: every stated total and every rule.

The table has --n item rows (default 200,000) and 8 columns: a budget, six
spend and income lines, and "Net" = Staff + Premises + Transport + Supplies
+ Third Party - Income.  Every --every rows (default 20) a subtotal row
states the sum of the items since the last one ("total": "above"); a grand
total at the end states the sum of every item ("all").  About one item row
in 50 is subtracted in the totals ("sign": -1).  Seeded errors: one
subtotal in 100 has one column out by a few hundred, and one item row in
1,000 prints a Net that does not follow its rule.

The same checks two ways:

1. apportion.audit.check_table(dict): the table as the JSON form's dict.
   Its rows go to the core as arrays (labels, signs, totals, and per cell
   a kind, the printed digits as int64 and their decimals), never written
   out as JSON; everything else of the table (columns, rules) is read as
   JSON.  The core checks every total and rule over those cells: a check
   whose figures agree exactly costs a sum and no strings, and only the
   ones that differ get ap_audit_sum's rounding allowance, cause search
   and suggestion.  Python counts the checks from the core's counters and
   makes a Finding object only for each difference (the agreeing checks
   stay in the core until report.findings is read).  Also the core call
   alone on JSON text encoded before timing
   (apportion._core.audit_checks_text: the strict JSON reader, then the
   same columnar check), which leaves out the dict and the Finding
   objects.
2. pandas on int64 columns built before timing: groupby on a subtotal key
   for the subtotals, a column sum for the grand total, and column
   arithmetic for the rule's residual in every row.  Differences only: no
   rounding allowance, no causes, no text.

Asserts that the two give the same difference for every total in every
column and the same residual for the rule in every row, then prints each
time, the ratio, and the figures' bytes (8 columns of int64 read once)
against the machine's measured read bandwidth.  check_table runs on one
thread; its time is dominated by walking the dict's Python objects, not
by memory traffic, so the fraction is small by nature.

    .venv/bin/python bench/bench_audit.py [--n N] [--every K] [--repeat R] [--seed S]
"""

from __future__ import annotations

import json
import os

import numpy as np
from timing import bench_parser, memory_bandwidth, print_traffic

COLUMNS = ["Budget", "Staff", "Premises", "Transport", "Supplies",
           "Third Party", "Income", "Net"]
PARTS = ["Staff", "Premises", "Transport", "Supplies", "Third Party"]
RULE = "Net = Staff + Premises + Transport + Supplies + Third Party - Income"
NET = COLUMNS.index("Net")
INCOME = COLUMNS.index("Income")
PART_INDEX = [COLUMNS.index(c) for c in PARTS]


def make_table(n, every, seed):
    """The printed figures, as int64 arrays: items (n x 8), their signs,
    the subtotals (one per block of `every` items, the last block may be
    short) and the grand total, each with the seeded errors."""
    rng = np.random.default_rng(seed)
    items = rng.integers(-1_000_000, 1_000_001, size=(n, len(COLUMNS)),
                         dtype=np.int64)
    items[:, INCOME] = np.abs(items[:, INCOME])
    items[:, NET] = items[:, PART_INDEX].sum(axis=1) - items[:, INCOME]
    signs = np.where(rng.random(n) < 0.02, -1, 1).astype(np.int64)
    # A Net that does not follow its rule, in one row in 1,000.
    bad_rows = rng.choice(n, size=max(1, n // 1000), replace=False)
    items[bad_rows, NET] += rng.integers(1, 100, size=bad_rows.size) * 10
    block = np.arange(n) // every
    n_blocks = int(block[-1]) + 1
    signed = items * signs[:, None]
    subtotals = np.zeros((n_blocks, len(COLUMNS)), dtype=np.int64)
    np.add.at(subtotals, block, signed)
    grand = signed.sum(axis=0)
    # A subtotal out in one column, in one block in 100.
    bad_blocks = rng.choice(n_blocks, size=max(1, n_blocks // 100),
                            replace=False)
    bad_cols = rng.integers(0, len(COLUMNS), size=bad_blocks.size)
    subtotals[bad_blocks, bad_cols] += rng.integers(1, 100,
                                                    size=bad_blocks.size) * 7
    return items, signs, block, subtotals, grand


def table_rows(items, signs, block, subtotals, grand):
    """The order rows are printed in: (kind, index) with kind "item",
    "subtotal" or "grand"."""
    order = []
    n = len(items)
    for i in range(n):
        order.append(("item", i))
        if i == n - 1 or block[i + 1] != block[i]:
            order.append(("subtotal", int(block[i])))
    order.append(("grand", 0))
    return order


def as_dict(items, signs, block, subtotals, grand):
    """The table in the JSON form (apportion.table/1), figures as ints."""
    rows = []
    for kind, i in table_rows(items, signs, block, subtotals, grand):
        if kind == "item":
            row = {"label": f"Line {i + 1}", "values": items[i].tolist()}
            if signs[i] < 0:
                row["sign"] = -1
        elif kind == "subtotal":
            row = {"label": f"Subtotal {i + 1}", "total": "above",
                   "values": subtotals[i].tolist()}
        else:
            row = {"label": "Grand total", "total": "all",
                   "values": grand.tolist()}
        rows.append(row)
    return {"format": "apportion.table/1", "title": "bench", "unit": "£",
            "columns": COLUMNS, "rules": [RULE], "rows": rows}


# ---- apportion ---------------------------------------------------------------


def by_apportion(table):
    """What a user asks first: the table's checks and its differences (a
    Finding object for each difference; the agreeing checks stay as the
    core's dicts until report.findings is read)."""
    from apportion.audit import check_table

    report = check_table(table)
    report.errors, report.counts()
    return report


def by_core(text):
    """The core's checks of the JSON text: their counts and the checks
    that differ, as dicts."""
    from apportion import _core

    checks = _core.audit_checks_text(text, "<bench>")
    head = _core.audit_checks_head(checks)
    differ = [_core.audit_checks_item(checks, i)
              for i in _core.audit_checks_not_ok(checks)]
    return head, differ


def rows_path_taken(table):
    """Whether check_table hands this dict's rows to the core as arrays
    (rather than falling back to JSON text)."""
    from apportion import _core

    header = {k: v for k, v in table.items() if k != "rows"}
    return _core.audit_checks_rows(json.dumps(header), table["rows"],
                                   "<bench>") is not None


def apportion_differences(findings, n_rows):
    """Total differences as an (n_rows x 8) array (0 where no total) and
    rule residuals per row, from the report's findings."""
    totals = np.zeros((n_rows, len(COLUMNS)), dtype=np.int64)
    has_total = np.zeros((n_rows, len(COLUMNS)), dtype=bool)
    rules = np.zeros(n_rows, dtype=np.int64)
    has_rule = np.zeros(n_rows, dtype=bool)
    errors = 0
    for f in findings:
        get = f.get if isinstance(f, dict) else f.__getattribute__
        kind, row, col = get("kind"), get("row"), get("column")
        diff = int(get("difference"))
        errors += get("status") == "error"
        if kind == "total":
            totals[row, col] = diff
            has_total[row, col] = True
        else:
            assert col == NET, f"a rule finding in column {col}"
            rules[row] = diff
            has_rule[row] = True
    return totals, has_total, rules, has_rule, errors


# ---- pandas ------------------------------------------------------------------


def pandas_frames(items, signs, block, subtotals, grand):
    """Built before timing: the items with their sign and block, and the
    whole printed table in print order (items and totals) for the rule."""
    import pandas as pd

    frame = pd.DataFrame(items, columns=COLUMNS)
    frame["sign"] = signs
    frame["block"] = block
    order = table_rows(items, signs, block, subtotals, grand)
    printed = np.empty((len(order), len(COLUMNS)), dtype=np.int64)
    for r, (kind, i) in enumerate(order):
        printed[r] = (items[i] if kind == "item" else
                      subtotals[i] if kind == "subtotal" else grand)
    whole = pd.DataFrame(printed, columns=COLUMNS)
    stated_sub = pd.DataFrame(subtotals, columns=COLUMNS)
    return frame, whole, stated_sub, pd.Series(grand, index=COLUMNS)


def by_pandas(frame, whole, stated_sub, stated_grand):
    """stated - computed for every subtotal and the grand total, and the
    rule's residual (Net - its parts) in every printed row."""
    signed = frame[COLUMNS].mul(frame["sign"], axis=0)
    computed_sub = signed.groupby(frame["block"]).sum()
    sub_diff = stated_sub - computed_sub.to_numpy()
    grand_diff = stated_grand - signed.sum()
    residual = whole["Net"] - (whole[PARTS].sum(axis=1) - whole["Income"])
    return sub_diff, grand_diff, residual


# ---- the comparison ----------------------------------------------------------


def assert_same(order, got, want):
    totals, has_total, rules, has_rule, _ = got
    sub_diff, grand_diff, residual = want
    sub_rows = [r for r, (kind, _) in enumerate(order) if kind == "subtotal"]
    grand_row = len(order) - 1
    assert has_total[sub_rows].all() and has_total[grand_row].all(), \
        "apportion left a printed total unchecked"
    assert has_total.sum() == len(COLUMNS) * (len(sub_rows) + 1), \
        "apportion checked a total on an item row"
    assert (totals[sub_rows] == sub_diff.to_numpy()).all(), \
        "pandas and apportion disagree on a subtotal difference"
    assert (totals[grand_row] == grand_diff.to_numpy()).all(), \
        "pandas and apportion disagree on the grand total"
    assert has_rule.all(), "apportion left a row's rule unchecked"
    assert (rules == residual.to_numpy()).all(), \
        "pandas and apportion disagree on a rule residual"


def main(argv=None):
    parser = bench_parser(__doc__, 200_000, "item rows")
    parser.add_argument("--every", type=int, default=20,
                        help="item rows per subtotal (default 20)")
    # run.py passes its arguments to every bench_*.py (--n means records
    # to bench_measures); take what is ours and ignore the rest.
    args, _ = parser.parse_known_args(argv)
    if args.n < 1 or args.every < 1 or args.repeat < 1:
        parser.error("--n, --every and --repeat must be positive")

    data = make_table(args.n, args.every, args.seed)
    order = table_rows(*data)
    table = as_dict(*data)
    text = json.dumps(table)
    frames = pandas_frames(*data)

    # One untimed run of each on a small table first: imports and set-up.
    small = make_table(min(args.n, 1_000), args.every, args.seed)
    by_apportion(as_dict(*small))
    by_pandas(*pandas_frames(*small))

    assert rows_path_taken(table), "check_table would read the rows as JSON"
    report = by_apportion(table)
    got = apportion_differences(report.findings, len(order))
    n_findings = len(report.findings)
    n_differ = len(report._differences())
    del report
    want = by_pandas(*frames)
    assert_same(order, got, want)
    head, differ = by_core(text)
    assert head[3] == n_findings and len(differ) == n_differ
    del head, differ

    (t_api, t_core, t_pd), gbps_one, gbps_all = memory_bandwidth(
        args.repeat, [lambda: by_apportion(table), lambda: by_core(text),
                      lambda: by_pandas(*frames)])
    n_totals = int(got[1].sum())
    print(f"{args.n:,} item rows x {len(COLUMNS)} columns, a subtotal every "
          f"{args.every} rows and a grand total ({len(order):,} rows); rule "
          f"{RULE!r}; best of {args.repeat}; {os.cpu_count()} CPUs")
    print(f"checked: pandas and apportion agree on all {n_totals:,} total "
          f"differences and {len(order):,} rule residuals; apportion: "
          f"{n_findings:,} findings, {got[4]:,} errors (seeded: a subtotal "
          f"in 100 and a Net in 1,000)")
    print()
    rows = [("apportion.audit.check_table(dict)", t_api),
            ("the core call on JSON text", t_core),
            ("pandas groupby + column arithmetic", t_pd)]
    print(f"  {'method':<44} {'seconds':>8} {'k checks/s':>11}")
    print(f"  {'-' * 44} {'-' * 8} {'-' * 11}")
    for name, t in rows:
        print(f"  {name:<44} {t:8.3f} {n_findings / t / 1e3:11.1f}")
    print()
    for name, t in (("check_table", t_api), ("the core call", t_core)):
        ratio = t / t_pd
        word = "slower" if ratio >= 1 else "faster"
        shown = ratio if ratio >= 1 else 1 / ratio
        print(f"  {name} is {shown:,.1f}x {word} than pandas")
    print()
    # The figures read once: every printed cell's int64 digits.
    nbytes = len(order) * len(COLUMNS) * 8
    print_traffic(nbytes, t_api, t_api, gbps_one, gbps_all)
    print("  (check_table runs on one thread: the every-core line is the "
          "same time against the every-core bandwidth)")
    print()
    print("  check_table's time runs from the dict to the counts and a "
          "Finding per difference: the rows walked into arrays, the rules "
          "and columns read as JSON, every check summed, and for the checks "
          "that differ the rounding allowance, the cause search and the "
          "suggestion.")
    print("  The core call starts from JSON text encoded before timing and "
          "ends with the differing checks as dicts.")
    print("  pandas starts from int64 DataFrames built before timing and "
          "computes the differences only.")


if __name__ == "__main__":
    main()
