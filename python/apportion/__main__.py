"""Command line: ``python -m apportion run PLAN.json``,
``python -m apportion scorecard KPIS.json --kpi REF --records FILE.csv``,
``python -m apportion service AREA ...`` (a plugin's service area),
``python -m apportion audit TABLE`` (do a table's figures add up) and
``python -m apportion plugin new|build|list``."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from decimal import Decimal

from .errors import ApportionError

# The loader of each file format `run` reads, by the file's "format".
_PAPERS = {
    "apportion.mtfp/1": ("mtfp", "load_mtfp"),
    "apportion.savings/1": ("savings", "load_savings"),
    "apportion.outturn/1": ("outturn", "load_outturn"),
    "apportion.contract_sum/1": ("contract", "load_contract_sum"),
    "apportion.disaggregation/1": ("disaggregation", "load_disaggregation"),
}


def _file_format(path: str) -> str:
    """The "format" member of a JSON file, or "" when it has none (the
    loaders themselves report a file that is not JSON)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except ValueError:
        return ""
    return data.get("format", "") if isinstance(data, dict) else ""


def _run(args: argparse.Namespace) -> int:
    import importlib

    kind = _file_format(args.plan)
    if kind in _PAPERS:
        module, loader = _PAPERS[kind]
        paper = getattr(importlib.import_module(f".{module}", __package__),
                        loader)(args.plan)
        if args.json:
            print(paper.audit.to_json(indent=2))
        else:
            print(paper.report())
        return 1 if args.strict and not paper.audit.ok else 0
    if kind == "apportion.table/1":
        from .audit import check_table

        report = check_table(args.plan)
        print(report.to_json(indent=2) if args.json else report.report())
        return 1 if args.strict and not report.ok else 0

    from .plan import load_plan

    plan = load_plan(args.plan)
    if args.json:
        json.dump({"plan": plan.source, "checks": plan._checks_json()},
                  sys.stdout, indent=2)
        print()
    else:
        print(plan.report())
    return 1 if args.strict and not plan.ok else 0


_PERIOD_LABELS = {
    "quarter": lambda k: f"Q{k}",
    "period": lambda k: f"P{k}",
    "month": lambda k: f"{k // 100}-{k % 100:02d}",
    "financial_year": lambda k: f"{k}/{(k + 1) % 100:02d}",
    "financial_quarter": lambda k: f"{k // 10}/{(k // 10 + 1) % 100:02d} Q{k % 10}",
}


def _scorecard(args: argparse.Namespace) -> int:
    import pandas as pd

    from .calendar import Calendar, date_parts
    from .kpi import load_kpis
    from .measures import within_working_days
    from .scorecard import Scorecard

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        kpis = load_kpis(args.kpis)
    if args.kpi not in kpis:
        raise ApportionError(f"{args.kpis} has no KPI {args.kpi!r}; it has "
                             f"{', '.join(kpis)}")
    kpi = kpis[args.kpi]
    records = pd.read_csv(args.records, dtype=str, keep_default_na=False)
    for column in (args.start, args.end, *([args.by] if args.by else [])):
        if column not in records.columns:
            raise ApportionError(f"{args.records} has no column {column!r}; it "
                                 f"has {', '.join(records.columns)}")
    start = records[args.start].replace("", None)
    end = records[args.end].replace("", None)
    cal = Calendar(args.division)
    period = date_parts(start, args.period).map(_PERIOD_LABELS[args.period])
    by = [records[args.by], period] if args.by else period
    measure = within_working_days(start, end, args.days, calendar=cal, by=by,
                                  as_of=args.as_of)
    card = Scorecard.from_measure(
        kpi, measure, title=f"{kpi.ref}: {kpi.description or ''}".strip(": "),
        source=args.records)
    print(card.to_text())
    if kpi.warning:
        print(f"\nNote on the bands: {kpi.warning}")
    open_late = int(measure["open_late"].sum())
    pending = int(measure["open_pending"].sum())
    print(f"\n{len(records):,} records; {open_late} open and already late"
          f"{' on ' + args.as_of if args.as_of else ''}, {pending} open and "
          f"not yet due (left out).")
    if args.html:
        with open(args.html, "w") as f:
            f.write(card.to_html(full=True))
        print(f"HTML written to {args.html}")
    if args.png:
        card.plot(args.png)
        print(f"PNG written to {args.png}")
    return 0


def _service(args: argparse.Namespace) -> int:
    import pandas as pd

    from ._present import pounds
    from .calendar import date_parts
    from .plugin import service_area

    area = service_area(args.area)
    p = area.plugin
    print(f"{area.code}: {p.description}\n  plugin {p.name} {p.version} "
          f"(ABI {p.abi[0]}.{p.abi[1]}, {p.licence}) from {p.path}")
    for kind in ("kpis", "measures", "rules", "checks", "sections", "calculators"):
        names = list(getattr(area, kind))
        if names:
            print(f"  {kind}: {', '.join(names)}")
    status = 0
    if args.records:
        records = pd.read_csv(args.records, dtype=str, keep_default_na=False)
        records = records.replace("", None)
        measures = area.measures
        scored = 0
        for ref, kpi in area.kpis.items():
            if kpi.measure is None or kpi.measure not in measures:
                continue
            columns = measures[kpi.measure].columns
            if not all(c in records.columns for c in columns):
                continue
            period = date_parts(records[columns[0]], args.period)
            period = period.map(_PERIOD_LABELS[args.period])
            by = [records[args.by], period] if args.by else period
            card = area.score(ref, records, by=by, as_of=args.as_of,
                              title=f"{ref}: {kpi.description or ''}".strip(": "))
            print()
            print(card.to_text())
            scored += 1
        if not scored:
            raise ApportionError(f"no KPI of {area.code} has a measure whose "
                                 f"columns {args.records} holds")
    if args.recharge:
        instalments = area.recharge(args.rule, args.recharge,
                                    actual_share=args.actual)
        print(f"\nRecharge of {args.recharge} by rule {args.rule}: "
              + ", ".join(pounds(v) for v in instalments)
              + f" (sum {pounds(sum(instalments))})")
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            data = json.load(f, parse_float=_decimal)
        findings = area.check(None, data)
        print(f"\nChecks of {args.check}:")
        for finding in findings:
            print(f"  {finding.check}: {finding}")
        if not findings:
            print("  nothing found")
        if any(f.severity == "error" for f in findings):
            status = 1 if args.strict else 0
        if args.section:
            print()
            print(area.report(args.section, data))
    return status


def _audit(args: argparse.Namespace) -> int:
    from .audit import check_table

    status = 0
    reports = []
    for path in args.tables:
        report = check_table(path)
        reports.append(report)
        if args.json != "-":
            if len(reports) > 1:
                print()
            print(report.report(everything=args.all))
        if report.errors and args.strict:
            status = 1
    if args.json:
        data = [r.to_dict() for r in reports]
        text = json.dumps(data[0] if len(data) == 1 else data, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            print(f"findings written to {args.json}")
    return status


def _ledger(args: argparse.Namespace) -> int:
    from .ledger import Ledger

    split = {}
    for part in args.split.split(","):
        code, sep, weight = part.partition("=")
        if not sep or not code.strip() or not weight.strip():
            raise ApportionError(f"--split: expected CODE=WEIGHT pairs separated "
                                 f"by commas, e.g. NNC=44.16,WNC=55.84; found "
                                 f"{part!r}")
        split[code.strip()] = weight.strip()
    when = {"date": args.date} if args.date else {"period": args.period}
    ledger = Ledger.read_csv(args.ledger, centre=args.centre, amount=args.amount,
                             financial_year=args.year, unit=args.unit, **when)
    basis = {centre: split for centre in ledger.totals_frame().index}
    print(ledger.apportion(basis).report())
    return 0


def _decimal(text: str) -> Decimal:
    """JSON numbers with a point are read as Decimal pounds (money), exactly."""
    return Decimal(text)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["plugin"]:
        from .plugin_tool import main as plugin_main
        return plugin_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m apportion",
        description="Apportion, recharge and check a service plan exactly; "
                    "score KPIs from case records.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="print a plan's apportionment, recharge "
                         "schedule and the checks of its stated figures; or "
                         "an MTFP, savings, outturn, contract-sum or "
                         "disaggregation file's figures and their audit")
    run.add_argument("plan", help="a plan file (JSON), or a file of the "
                     "formats apportion.mtfp/1, savings/1, outturn/1, "
                     "contract_sum/1, disaggregation/1 or table/1")
    run.add_argument("--json", action="store_true",
                     help="print the checks as JSON instead of the report")
    run.add_argument("--strict", action="store_true",
                     help="exit with status 1 when a stated figure is wrong")

    card = sub.add_parser("scorecard", help="score a 'within N working days' "
                          "KPI from a CSV of case records, by period")
    card.add_argument("kpis", help="a KPI definition file (JSON)")
    card.add_argument("--kpi", required=True, help="the KPI's ref, e.g. IASS2")
    card.add_argument("--records", required=True, help="a CSV of records")
    card.add_argument("--start", default="received",
                      help="the column of start dates (default received)")
    card.add_argument("--end", default="responded",
                      help="the column of end dates, blank while open "
                           "(default responded)")
    card.add_argument("--by", help="a column to group by, e.g. authority")
    card.add_argument("--days", type=int, default=3,
                      help="the limit in working days (default 3)")
    card.add_argument("--period", default="quarter",
                      choices=sorted(_PERIOD_LABELS),
                      help="the reporting period (default quarter)")
    card.add_argument("--division", default="england-and-wales",
                      help="the bank-holiday calendar (default "
                           "england-and-wales)")
    card.add_argument("--as-of", dest="as_of",
                      help="the date the records were taken (YYYY-MM-DD): "
                           "open records past the limit on it count as late")
    card.add_argument("--html", help="also write the scorecard as HTML here")
    card.add_argument("--png", help="also draw it as a PNG here (matplotlib)")
    service = sub.add_parser("service", help="show a plugin's service area; "
                             "score its KPIs from records, run a recharge "
                             "rule, or check a table")
    service.add_argument("area", help="the service area code, e.g. IASS")
    service.add_argument("--records", help="a CSV of case records to score "
                         "every KPI whose measure's columns it holds")
    service.add_argument("--by", help="a column to group by, e.g. authority")
    service.add_argument("--period", default="quarter",
                         choices=sorted(_PERIOD_LABELS),
                         help="the reporting period (default quarter)")
    service.add_argument("--as-of", dest="as_of",
                         help="the date the records were taken (YYYY-MM-DD)")
    service.add_argument("--recharge", help="a budget share to invoice, "
                         "e.g. '£211,654'")
    service.add_argument("--actual", help="the year's actual share, for the "
                         "balancing instalment")
    service.add_argument("--rule", default="quarterly",
                         help="the recharge rule (default quarterly)")
    service.add_argument("--check", help="a JSON file of data to run every "
                         "check of the area on")
    service.add_argument("--section", help="also print this report section "
                         "of the --check data")
    service.add_argument("--strict", action="store_true",
                         help="exit with status 1 when a check finds an error")
    audit = sub.add_parser("audit", help="check that a table's stated "
                           "totals and column rules add up, and say why not")
    audit.add_argument("tables", nargs="+", metavar="TABLE",
                       help="a table file: JSON (apportion.table/1) or CSV")
    audit.add_argument("--all", action="store_true",
                       help="list every check, not only the differences")
    audit.add_argument("--json", metavar="FILE",
                       help="also write the findings as JSON to FILE ('-': "
                            "print the JSON instead of the text)")
    audit.add_argument("--strict", action="store_true",
                       help="exit with status 1 when a figure is wrong")
    ledger = sub.add_parser("ledger", help="sum a ledger CSV by cost centre "
                            "and quarter and apportion it by a split")
    ledger.add_argument("ledger", help="a CSV of ledger lines")
    ledger.add_argument("--split", required=True,
                        help="the basis for every cost centre, e.g. "
                             "NNC=44.16,WNC=55.84")
    ledger.add_argument("--centre", default="cost_centre",
                        help="the cost-centre column (default cost_centre)")
    ledger.add_argument("--amount", default="amount",
                        help="the amount column (default amount)")
    ledger.add_argument("--date", help="the date column, if periods come "
                        "from dates")
    ledger.add_argument("--period", default="period",
                        help="the period column (Q1..Q4, P1..P12) when there "
                             "is no --date (default period)")
    ledger.add_argument("--year", help="the financial year, e.g. 2021/22 "
                        "(needed with --date)")
    ledger.add_argument("--unit", default="£",
                        help="the unit amounts are in (default £)")
    from . import report as pack

    pack.add_arguments(sub.add_parser(
        "report", help="write a committee pack of plans, papers and tables: "
        "pack.html, pack.pdf and pack.xlsx"))
    sub.add_parser("plugin", help="new, build or list plugins "
                   "(python -m apportion plugin --help)")
    args = parser.parse_args(argv)
    commands = {"run": _run, "scorecard": _scorecard, "service": _service,
                "audit": _audit, "ledger": _ledger, "report": pack.main}
    try:
        return commands[args.command](args)
    except (ApportionError, OSError) as exc:
        print(f"apportion: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
