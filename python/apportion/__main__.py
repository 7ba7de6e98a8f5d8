"""Command line: ``python -m apportion run PLAN.json``,
``python -m apportion scorecard KPIS.json --kpi REF --records FILE.csv``,
``python -m apportion service AREA ...`` (a plugin's service area),
``python -m apportion audit TABLE`` (do a table's figures add up),
``python -m apportion ledger LEDGER.csv --split ...``,
``python -m apportion store init|import|history|escalations [URL] ...``
(the history store) and ``python -m apportion plugin new|build|list``.

Each subcommand is one :class:`Command` in :data:`COMMANDS`: its help, a
function adding its arguments, a function checking its options before any
work (so that a bad option is reported before a banner or a computation)
and the function doing the work.  A new subcommand is one more entry.

Every error is one line on standard error, ``apportion: <message>``,
naming the file, its line as an editor shows it, the column and the value
where there are such; warnings are one line too, ``apportion: warning:
...``.  The exit status is :data:`EXIT_OK`, :data:`EXIT_FINDINGS` or
:data:`EXIT_USAGE` (see :data:`EPILOG`)."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TextIO

from .errors import ApportionError, InputError

if TYPE_CHECKING:
    import pandas as pd

    from ._records import Records

#: Success.
EXIT_OK = 0
#: ``--strict`` was given and a stated figure is wrong (or a check found an
#: error); also standard output closed before everything was written.
EXIT_FINDINGS = 1
#: A usage or input error: a bad option, a file that cannot be read, or a
#: value in one that is wrong.
EXIT_USAGE = 2

EPILOG = """\
exit status:
  0  success
  1  --strict was given and a stated figure is wrong (or a check found an
     error); also when standard output closed early (a pipe into head)
  2  a usage or input error: a bad option, a file that cannot be read, or
     a value in one that is wrong, said in one line on standard error that
     names the file, its line, the column and the value"""

# The loader of each file format `run` reads, by the file's "format".
_PAPERS = {
    "apportion.mtfp/1": ("mtfp", "load_mtfp"),
    "apportion.savings/1": ("savings", "load_savings"),
    "apportion.outturn/1": ("outturn", "load_outturn"),
    "apportion.contract_sum/1": ("contract", "load_contract_sum"),
    "apportion.disaggregation/1": ("disaggregation", "load_disaggregation"),
}

_PERIOD_LABELS = {
    "quarter": lambda k: f"Q{k}",
    "period": lambda k: f"P{k}",
    "month": lambda k: f"{k // 100}-{k % 100:02d}",
    "financial_year": lambda k: f"{k}/{(k + 1) % 100:02d}",
    "financial_quarter": lambda k: f"{k // 10}/{(k // 10 + 1) % 100:02d} Q{k % 10}",
}


# ---- messages ----------------------------------------------------------------

# Short words for the errors of opening a file.
_REASONS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
}
_STRERROR_REASONS = {os.strerror(code): reason for code, reason in _REASONS.items()}
# The core's words: "cannot open plan file x.json: No such file or directory".
_CORE_IO = re.compile(r"cannot (?:open|read) (?:[\w ]+ )?file (?P<path>.+): "
                      r"(?P<why>[^:]+)")


def _reason(code: int | None, text: str | None) -> str:
    if code in _REASONS:
        return _REASONS[code]
    if text in _STRERROR_REASONS:
        return _STRERROR_REASONS[text]
    text = text or "cannot be read"
    return text[:1].lower() + text[1:]


def _message(exc: BaseException) -> str:
    """The one line an error is reported in."""
    if isinstance(exc, OSError) and exc.filename is not None:
        text = f"{os.fsdecode(exc.filename)}: {_reason(exc.errno, exc.strerror)}"
    else:
        text = str(exc)
        match = _CORE_IO.fullmatch(text) if isinstance(exc, OSError) else None
        if match is not None:
            text = f"{match['path']}: {_reason(None, match['why'])}"
    return " ".join(text.split())


def _show_warning(message: Warning | str, category: type[Warning], filename: str,
                  lineno: int, file: TextIO | None = None,
                  line: str | None = None) -> None:
    """warnings.showwarning for the command line: one line, no source."""
    stream = sys.stderr if file is None else file
    try:
        stream.write(f"apportion: warning: {' '.join(str(message).split())}\n")
    except OSError:
        pass


def _readable(path: str) -> None:
    """An OSError (reported as "PATH: no such file") unless path is a file
    that can be opened for reading."""
    with open(path, "rb"):
        pass


def _writable(path: str, option: str) -> None:
    """An InputError unless the folder path is to be written in exists."""
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise InputError(f"{option} {path}: no such folder {folder!r}")


def _date_option(value: str | None, option: str) -> None:
    from . import _core

    if value is None:
        return
    try:
        _core.parse_date(value.strip())
    except InputError:
        raise InputError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _money_option(value: str | None, option: str) -> None:
    from ._convert import pence

    if value is None:
        return
    try:
        pence(value, option)
    except InputError as exc:
        raise InputError(f"{option}: {exc}") from None


# ---- run ---------------------------------------------------------------------


def _file_format(path: str) -> str:
    """The "format" member of a JSON file, or "" when it has none (the
    loaders themselves report a file that is not JSON)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except ValueError:
        return ""
    return data.get("format", "") if isinstance(data, dict) else ""


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("plan", help="a plan file (JSON), or a file of the "
                     "formats apportion.mtfp/1, savings/1, outturn/1, "
                     "contract_sum/1, disaggregation/1 or table/1")
    run.add_argument("--json", action="store_true",
                     help="print the checks as JSON instead of the report")
    run.add_argument("--strict", action="store_true",
                     help="exit with status 1 when a stated figure is wrong")


def _run_check(args: argparse.Namespace) -> None:
    _readable(args.plan)


def _run(args: argparse.Namespace) -> int:
    import importlib

    strict = EXIT_FINDINGS if args.strict else EXIT_OK
    kind = _file_format(args.plan)
    if kind in _PAPERS:
        module, loader = _PAPERS[kind]
        paper = getattr(importlib.import_module(f".{module}", __package__),
                        loader)(args.plan)
        if args.json:
            print(paper.audit.to_json(indent=2))
        else:
            print(paper.report())
        return EXIT_OK if paper.audit.ok else strict
    if kind == "apportion.table/1":
        from .audit import check_table

        report = check_table(args.plan)
        print(report.to_json(indent=2) if args.json else report.report())
        return EXIT_OK if report.ok else strict

    from .plan import load_plan

    plan = load_plan(args.plan)
    if args.json:
        json.dump({"plan": plan.source, "checks": plan._checks_json()},
                  sys.stdout, indent=2)
        print()
    else:
        print(plan.report())
    return EXIT_OK if plan.ok else strict


def _period(dates: Any, kind: str, name: str) -> pd.Series[Any]:
    """Each record's reporting period ("Q1", "2021/22 Q3"...) by its date."""
    import pandas as pd

    from .calendar import date_parts

    return pd.Series(date_parts(dates, kind), name=name).map(_PERIOD_LABELS[kind])


# ---- scorecard ---------------------------------------------------------------


def _scorecard_arguments(card: argparse.ArgumentParser) -> None:
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


def _scorecard_check(args: argparse.Namespace) -> None:
    from .calendar import DIVISIONS

    if args.days < 0:
        raise InputError(f"--days: {args.days} is negative; the limit is a "
                         f"number of working days, 0 or more")
    if args.division not in DIVISIONS:
        raise InputError(f"--division: no calendar {args.division!r}; the "
                         f"divisions are {', '.join(DIVISIONS)}")
    _date_option(args.as_of, "--as-of")
    for option in ("html", "png"):
        if getattr(args, option):
            _writable(getattr(args, option), f"--{option}")
    _readable(args.kpis)
    _readable(args.records)


def _scorecard(args: argparse.Namespace) -> int:
    from ._records import read_records
    from .calendar import Calendar
    from .kpi import load_kpis
    from .measures import within_working_days
    from .scorecard import Scorecard

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        kpis = load_kpis(args.kpis)
    if args.kpi not in kpis:
        raise InputError(f"{args.kpis} has no KPI {args.kpi!r}; it has "
                         f"{', '.join(kpis)}")
    kpi = kpis[args.kpi]
    records = read_records(args.records)
    records.require(args.start, what="--start")
    records.require(args.end, what="--end")
    records.require(args.by, what="--by")
    start = records.dates(args.start, required="start")
    end = records.dates(args.end)
    cal = Calendar(args.division)
    period = _period(start, args.period, args.start)
    by = [records.text(args.by), period] if args.by else period
    with records.located([args.start, args.end]):
        measure = within_working_days(start, end, args.days, calendar=cal,
                                      by=by, as_of=args.as_of)
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
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(card.to_html(full=True))
        print(f"HTML written to {args.html}")
    if args.png:
        card.plot(args.png)
        print(f"PNG written to {args.png}")
    return EXIT_OK


# ---- service -----------------------------------------------------------------


def _service_arguments(service: argparse.ArgumentParser) -> None:
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


def _service_check(args: argparse.Namespace) -> None:
    _date_option(args.as_of, "--as-of")
    _money_option(args.recharge, "--recharge")
    _money_option(args.actual, "--actual")
    if args.actual is not None and args.recharge is None:
        raise InputError("--actual is the year's actual share for a recharge; "
                         "give --recharge too")
    if args.by is not None and args.records is None:
        raise InputError("--by groups the records; give --records too")
    if args.section is not None and args.check is None:
        raise InputError("--section reports on the --check data; give "
                         "--check too")
    for path in (args.records, args.check):
        if path is not None:
            _readable(path)


def _records_columns(records: Records, columns: Sequence[str]) -> dict[str, Any]:
    """The columns a measure reads: dates as datetime64 (every value a
    date, or an error naming its line), other columns as text."""
    out: dict[str, Any] = {}
    for c in columns:
        out[c] = records.dates(c) if records.looks_like_dates(c) \
            else records.text(c).to_numpy()
    return out


def _service(args: argparse.Namespace) -> int:
    from ._present import pounds
    from ._records import read_records
    from .plugin import service_area

    # Everything the options name is checked before the banner.
    area = service_area(args.area)
    if args.recharge is not None and args.rule not in area.rules:
        raise InputError(f"--rule: service area {area.code} has no recharge "
                         f"rule {args.rule!r}; it has "
                         f"{', '.join(area.rules) or 'none'}")
    if args.section is not None and args.section not in area.sections:
        raise InputError(f"--section: service area {area.code} has no report "
                         f"section {args.section!r}; it has "
                         f"{', '.join(area.sections) or 'none'}")
    records = read_records(args.records) if args.records else None
    scored: list[tuple[str, tuple[str, ...]]] = []
    if records is not None:
        records.require(args.by, what="--by")
        measures = area.measures
        for ref, kpi in area.kpis.items():
            if kpi.measure is not None and kpi.measure in measures:
                columns = tuple(measures[kpi.measure].columns)
                if all(c in records.columns for c in columns):
                    scored.append((ref, columns))
        if not scored:
            raise InputError(f"{args.records}: no KPI of {area.code} has a "
                             f"measure whose columns it holds (its columns are "
                             f"{', '.join(map(repr, records.columns))})")
    data = _read_json(args.check) if args.check else None

    # All the work before any output, so that an error in the records or
    # the data is the only thing printed.
    out: list[str] = []
    for ref, columns in scored:
        kpi = area.kpis[ref]
        assert records is not None
        values = _records_columns(records, columns)
        period = _period(values[columns[0]], args.period, columns[0])
        by = [records.text(args.by), period] if args.by else period
        with records.located(columns):
            card = area.score(ref, values, by=by, as_of=args.as_of,
                              title=f"{ref}: {kpi.description or ''}".strip(": "))
        out += ["", card.to_text()]
    if args.recharge:
        instalments = area.recharge(args.rule, args.recharge,
                                    actual_share=args.actual)
        out.append(f"\nRecharge of {args.recharge} by rule {args.rule}: "
                   + ", ".join(pounds(v) for v in instalments)
                   + f" (sum {pounds(sum(instalments))})")
    status = EXIT_OK
    if args.check:
        findings = area.check(None, data)
        out.append(f"\nChecks of {args.check}:")
        out += [f"  {finding.check}: {finding}" for finding in findings]
        if not findings:
            out.append("  nothing found")
        if any(f.severity == "error" for f in findings) and args.strict:
            status = EXIT_FINDINGS
        if args.section:
            out += ["", area.report(args.section, data)]

    p = area.plugin
    print(f"{area.code}: {p.description}\n  plugin {p.name} {p.version} "
          f"(ABI {p.abi[0]}.{p.abi[1]}, {p.licence}) from {p.path}")
    for kind in ("kpis", "measures", "rules", "checks", "sections", "calculators"):
        names = list(getattr(area, kind))
        if names:
            print(f"  {kind}: {', '.join(names)}")
    for text in out:
        print(text)
    return status


def _read_json(path: str) -> Any:
    """A JSON file, numbers with a point read as Decimal pounds; an
    InputError naming the line and column where it is not JSON."""
    from ._convert import read_text

    text = read_text(path, "JSON")
    try:
        return json.loads(text, parse_float=_decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} line {exc.lineno}, column {exc.colno}: not "
                         f"JSON: {exc.msg}") from None


def _decimal(text: str) -> Decimal:
    """JSON numbers with a point are read as Decimal pounds (money), exactly."""
    return Decimal(text)


# ---- audit -------------------------------------------------------------------


def _audit_arguments(audit: argparse.ArgumentParser) -> None:
    audit.add_argument("tables", nargs="+", metavar="TABLE",
                       help="a table file: JSON (apportion.table/1) or CSV")
    audit.add_argument("--all", action="store_true",
                       help="list every check, not only the differences")
    audit.add_argument("--json", metavar="FILE",
                       help="also write the findings as JSON to FILE ('-': "
                            "print the JSON instead of the text)")
    audit.add_argument("--strict", action="store_true",
                       help="exit with status 1 when a figure is wrong")


def _audit_check(args: argparse.Namespace) -> None:
    if args.json and args.json != "-":
        _writable(args.json, "--json")
    for path in args.tables:
        _readable(path)


def _audit(args: argparse.Namespace) -> int:
    from .audit import check_table

    status = EXIT_OK
    reports = []
    for path in args.tables:
        report = check_table(path)
        reports.append(report)
        if args.json != "-":
            if len(reports) > 1:
                print()
            print(report.report(everything=args.all))
        if report.errors and args.strict:
            status = EXIT_FINDINGS
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


# ---- ledger ------------------------------------------------------------------


def _ledger_arguments(ledger: argparse.ArgumentParser) -> None:
    ledger.add_argument("ledger", help="a CSV of ledger lines")
    ledger.add_argument("--split", required=True,
                        help="the basis for every cost centre in percent, "
                             "e.g. NNC=44.16,WNC=55.84; it must sum to 100 "
                             "unless --rescale is given")
    ledger.add_argument("--rescale", action="store_true",
                        help="scale a --split that does not sum to 100 "
                             "(weights such as populations) in proportion")
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


def _split(text: str, rescale: bool) -> dict[str, str]:
    """--split as {code: weight}, checked: CODE=WEIGHT pairs, each weight a
    number 0 or more, each code once, summing to 100 unless rescaled."""
    split: dict[str, str] = {}
    total = Decimal(0)
    for part in text.split(","):
        code, sep, weight = (s.strip() for s in part.partition("="))
        if not sep or not code or not weight:
            raise InputError(f"--split: expected CODE=WEIGHT pairs separated "
                             f"by commas, e.g. NNC=44.16,WNC=55.84; found "
                             f"{part!r}")
        number = weight[:-1].strip() if weight.endswith("%") else weight
        try:
            value = Decimal(number)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or not re.fullmatch(
                r"[0-9]*\.?[0-9]+|[0-9]+\.", number):
            raise InputError(f"--split: {code}'s weight {weight!r} is not a "
                             f"number 0 or more")
        if code in split:
            raise InputError(f"--split: {code} is given twice")
        split[code] = number
        total += value
    if total != 100 and not rescale:
        raise InputError(f"--split: the split sums to {format(total, 'f')}%, "
                         f"not 100%; pass --rescale to scale it")
    return split


def _ledger_check(args: argparse.Namespace) -> None:
    _split(args.split, args.rescale)
    _readable(args.ledger)


def _ledger(args: argparse.Namespace) -> int:
    from ._records import check_fields
    from .ledger import Ledger

    check_fields(args.ledger)
    split = _split(args.split, args.rescale)
    when = {"date": args.date} if args.date else {"period": args.period}
    ledger = Ledger.read_csv(args.ledger, centre=args.centre, amount=args.amount,
                             financial_year=args.year, unit=args.unit, **when)
    basis = {centre: split for centre in ledger.totals_frame().index}
    print(ledger.apportion(basis).report())
    return EXIT_OK


# ---- the table of subcommands ------------------------------------------------


def _no_check(args: argparse.Namespace) -> None:
    """A subcommand whose options need no check beyond argparse's."""


# The committee pack's command lives in apportion.report, which reads files
# with this module's readers: imported when the command runs.
def _report_arguments(parser: argparse.ArgumentParser) -> None:
    from . import report
    report.add_arguments(parser)


def _report_check(args: argparse.Namespace) -> None:
    from . import report
    report.check(args)


def _report(args: argparse.Namespace) -> int:
    from . import report
    return report.main(args)


# The history store's commands live in apportion._store_cli, which imports
# the store extra (SQLAlchemy) only when one of them runs.
def _store_arguments(parser: argparse.ArgumentParser) -> None:
    from . import _store_cli
    _store_cli.add_arguments(parser)


def _store_check(args: argparse.Namespace) -> None:
    from . import _store_cli
    _store_cli.check(args)


def _store(args: argparse.Namespace) -> int:
    from . import _store_cli
    return _store_cli.main(args)


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help, a function adding its arguments
    to its parser, one checking the options before any work (raising
    InputError or OSError) and one doing the work (returning the exit
    status)."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    check: Callable[[argparse.Namespace], None] = _no_check


#: The subcommands, in the order --help lists them.  (``plugin`` is
#: apportion.plugin_tool's own command line, listed after these.)
COMMANDS: list[Command] = [
    Command("run", "print a plan's apportionment, recharge schedule and the "
            "checks of its stated figures; or an MTFP, savings, outturn, "
            "contract-sum or disaggregation file's figures and their audit",
            _run_arguments, _run, _run_check),
    Command("scorecard", "score a 'within N working days' KPI from a CSV of "
            "case records, by period", _scorecard_arguments, _scorecard,
            _scorecard_check),
    Command("service", "show a plugin's service area; score its KPIs from "
            "records, run a recharge rule, or check a table",
            _service_arguments, _service, _service_check),
    Command("audit", "check that a table's stated totals and column rules add "
            "up, and say why not", _audit_arguments, _audit, _audit_check),
    Command("ledger", "sum a ledger CSV by cost centre and quarter and "
            "apportion it by a split", _ledger_arguments, _ledger,
            _ledger_check),
    Command("report", "write a committee pack of plans, papers and tables: "
            "pack.html, pack.pdf and pack.xlsx", _report_arguments, _report,
            _report_check),
    Command("store", "keep KPI results in a history store (SQLite or "
            "PostgreSQL): init, import returns, print the history and the "
            "escalations", _store_arguments, _store, _store_check),
]


def _version() -> str:
    from . import __version__

    return __version__


def parser() -> argparse.ArgumentParser:
    """The command line's parser (also read by the docs' cli-help)."""
    top = argparse.ArgumentParser(
        prog="python -m apportion",
        description="Apportion, recharge and check a service plan exactly; "
                    "score KPIs from case records.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version",
                     version=f"apportion {_version()}")
    sub = top.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        arguments = sub.add_parser(command.name, help=command.help,
                                   description=command.help[:1].upper()
                                   + command.help[1:] + ".")
        command.arguments(arguments)
        arguments.set_defaults(command_entry=command)
    sub.add_parser("plugin", help="new, build or list plugins "
                   "(python -m apportion plugin --help)")
    return top


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["plugin"]:
        from .plugin_tool import main as plugin_main
        return plugin_main(argv[1:])
    args = parser().parse_args(argv)
    command: Command = args.command_entry
    try:
        command.check(args)
        return command.run(args)
    except BrokenPipeError:
        raise
    except (ApportionError, OSError) as exc:
        print(f"apportion: {_message(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _quiet_stdout() -> None:
    """After a closed pipe: the rest of the output goes nowhere, as the
    Python docs recommend (signal "Note on SIGPIPE"), so that the flush at
    exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line on argv (None: sys.argv[1:]) and returns its
    exit status; warnings are shown as one line each meanwhile."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            status = _dispatch(argv)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_FINDINGS
        except KeyboardInterrupt:
            print("apportion: interrupted", file=sys.stderr)
            return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
