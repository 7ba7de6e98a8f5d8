"""``python -m apportion store init|import|history|escalations [URL] ...``:
the history store (:mod:`apportion.store`) from a shell.

- ``init`` creates a store, or migrates an older one to this release's
  schema, and says which it did;
- ``import`` records KPI returns (a CSV or an Excel sheet with the columns
  kpi and period, numerator and denominator or value, and optionally
  group), scored against a KPI file, one import per file in one transaction each, and
  says what each changed: results new, unchanged and superseded;
- ``history`` and ``escalations`` print the stored results and the
  escalation history as tables, and write them as CSV (``--csv``), a
  self-contained HTML page (``--html``) or a workbook (``--xlsx``).

URL is a database URL (``sqlite:///history.db``,
``postgresql://user@host/db``); without one the default store is used
(``$APPORTION_STORE``, else ``history.db`` in the user's data folder), and
the first line printed says which.  Errors are one line, as everywhere in
the command line, naming the file, its line (or sheet and cell) and the
column.  The commands of :mod:`apportion.__main__` import this module only
when ``store`` is run, and it imports SQLAlchemy only then too.
"""

from __future__ import annotations

import argparse
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import ApportionError, InputError

if TYPE_CHECKING:
    import pandas as pd

    from .kpi import KPI
    from .scorecard import Scorecard
    from .store import Store
    from .store._views import StoredView

__all__ = ["add_arguments", "check", "main"]

#: The columns every KPI return has.
RETURN_COLUMNS = ("kpi", "period")
#: The columns it may have: a rate's counts, a value (a number, or a status
#: KPI's state), a group.
OPTIONAL_COLUMNS = ("numerator", "denominator", "value", "group")
_WHAT = ("a KPI return has kpi, period, and numerator and denominator or "
         "value, and optionally group")
#: A URL names its scheme: "sqlite:///x.db", "postgresql://host/db".
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EXCEL = (".xlsx", ".xlsm")


def _is_url(text: str) -> bool:
    return bool(_URL.match(text))


# ---- arguments --------------------------------------------------------------


def _url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", nargs="?", metavar="URL",
                        help="the store: sqlite:///FILE.db or "
                             "postgresql://USER@HOST/DB (default: "
                             "$APPORTION_STORE, else history.db in the user's "
                             "data folder)")


def _out_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", metavar="FILE",
                        help="also write the rows as CSV to FILE ('-': print "
                             "the CSV instead of the table)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write the tables (and chart) as a "
                             "self-contained HTML page to FILE")
    parser.add_argument("--xlsx", metavar="FILE",
                        help="also write the tables to an Excel workbook "
                             "(needs the report extra)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m apportion store``: one subcommand each
    for init, import, history and escalations."""
    sub = parser.add_subparsers(dest="store_command", required=True,
                                metavar="{init,import,history,escalations}")
    init = sub.add_parser(
        "init", help="create a store, or migrate an older one",
        description="Create a history store at URL, or bring an older one "
                    "to this release's schema; say which was done.")
    _url_argument(init)

    imp = sub.add_parser(
        "import", help="record KPI returns (CSV or Excel) in a store",
        usage="%(prog)s [-h] [URL] FILE [FILE ...]\n"
              "         --kpis KPIS.json [--sheet SHEET]",
        description="Record KPI returns in the store, one import (one "
                    "transaction) per file, and say what each changed: "
                    "results new, unchanged (already stored as they are) "
                    "and superseded (a changed return; the old result is "
                    "kept, with this import as the one that superseded "
                    "it).  A return has the columns kpi and period, "
                    "numerator and denominator (a rate's counts) or value "
                    "(a number, or a status KPI's state), and optionally "
                    "group; each KPI must be in the --kpis file.")
    imp.add_argument("files", nargs="+", metavar="FILE",
                     help="one or more returns: CSV, or .xlsx (with --sheet "
                          "when it has several sheets); the store's URL "
                          "comes first when it is not the default (a word "
                          "with '://' is the URL)")
    imp.add_argument("--kpis", required=True, metavar="KPIS.json",
                     help="the KPI definitions the returns are scored against "
                          "(JSON, apportion.kpis/1)")
    imp.add_argument("--sheet", help="the sheet of an Excel return")

    hist = sub.add_parser(
        "history", help="print the stored KPI results",
        description="Print the stored KPI results, one line per KPI, group "
                    "and period, with the import that recorded each.")
    _url_argument(hist)
    hist.add_argument("--kpi", help="only this KPI (with one KPI, --html "
                                    "also draws its trend)")
    hist.add_argument("--group", help="only this group (an authority, a team)")
    hist.add_argument("--since", metavar="PERIOD",
                      help="only periods from this one (2021-04, 2021Q2, or "
                           "a date)")
    hist.add_argument("--until", metavar="PERIOD",
                      help="only periods up to this one")
    hist.add_argument("--superseded", action="store_true",
                      help="also list the results later imports superseded")
    _out_arguments(hist)

    esc = sub.add_parser(
        "escalations", help="print the escalation history",
        description="Print the escalation history the store derives from "
                    "its stored results: one line per KPI and group, with "
                    "its rule and whether that is the contract's or an "
                    "assumption, then the periods out of tolerance or "
                    "escalated.")
    _url_argument(esc)
    esc.add_argument("--kpi", help="only this KPI")
    esc.add_argument("--group", help="only this group")
    esc.add_argument("--all", action="store_true", dest="every_period",
                     help="list every stored period, not only those out of "
                          "tolerance or escalated")
    _out_arguments(esc)


# ---- checks before any work ---------------------------------------------------


def _writable(path: str | None, option: str) -> None:
    if path is None or path == "-":
        return
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise InputError(f"{option} {path}: no such folder {folder!r}")


def _url_and_files(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """(URL or None, the returns) of ``store import``'s positionals."""
    words = list(args.files)
    url = words.pop(0) if words and _is_url(words[0]) else None
    for w in words:
        if _is_url(w):
            raise InputError(f"{w}: a URL must come first, before the files "
                             f"to import")
    if not words:
        raise InputError("store import: no file to import; give one or more "
                         "returns (CSV or .xlsx) after the URL")
    return url, words


def check(args: argparse.Namespace) -> None:
    """Check the options of ``python -m apportion store ...`` before any
    work: a URL looks like one, the files can be read, the folders written
    to exist."""
    if args.store_command == "import":
        _, files = _url_and_files(args)
        for path in [args.kpis, *files]:
            with open(path, "rb"):
                pass
        return
    if args.url is not None and not _is_url(args.url):
        raise InputError(f"{args.url!r} is not a store URL; expected "
                         f"sqlite:///FILE.db or postgresql://USER@HOST/DB")
    for option in ("csv", "html", "xlsx"):
        _writable(getattr(args, option, None), f"--{option}")
    for option in ("since", "until"):
        if getattr(args, option, None) is not None:
            _store_module()
            from .store._kpi import as_period
            as_period(getattr(args, option), None, f"--{option}")


# ---- opening the store ----------------------------------------------------------


def _store_module() -> Any:
    """apportion.store, or an ApportionError naming the extra to install
    (the command line reports it in one line)."""
    try:
        import apportion.store as store
    except ImportError as exc:
        raise ApportionError(str(exc)) from None
    return store


def _open(url: str | None, *, create: bool) -> tuple[Store, str]:
    """The store at ``url`` (None: the default) and the line saying which."""
    store = _store_module()
    if not create:
        _refuse_missing_file(url or store.default_url())
    s: Store = store.open(url, create=create)
    if url is None:
        why = ("$APPORTION_STORE" if os.environ.get("APPORTION_STORE")
               else "the default; give a URL or set APPORTION_STORE for another")
        return s, f"Store: {s.url} ({why})"
    return s, f"Store: {s.url}"


def _refuse_missing_file(url: str) -> None:
    """A StoreError when ``url`` is a SQLite file that does not exist:
    opening it would leave an empty file behind."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from .errors import StoreError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return  # the store says what is wrong with it
    path = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or path in ("", ":memory:") \
            or path.startswith("file:"):
        return
    if not os.path.exists(os.path.expanduser(path)):
        raise StoreError(f"{url}: no store there ({path}: no such file); make "
                         f"one with `python -m apportion store init {url}`")


# ---- init ---------------------------------------------------------------------


def _init(args: argparse.Namespace) -> int:
    import datetime as _dt

    import sqlalchemy as sa

    started = _dt.datetime.now(_dt.timezone.utc)
    s, banner = _open(args.url, create=True)
    with s:
        from .store import _schema
        table = _schema.schema_version
        with s.read() as conn:
            steps = conn.execute(sa.select(table.c.version, table.c.applied_at)
                                 .order_by(table.c.version)).all()
        version = s.schema_version
    print(banner)

    def now(at: Any) -> bool:
        stamp = at if at.tzinfo is not None else at.replace(tzinfo=_dt.timezone.utc)
        return bool(stamp >= started)

    applied = [int(v) for v, at in steps if now(at)]
    if not applied:
        print(f"Already at schema version {version}, the current one; nothing "
              f"to do.")
    elif applied[0] == 1:
        print(f"Created: schema version {version} "
              f"({'step' if len(applied) == 1 else 'steps'} "
              f"{', '.join(map(str, applied))}).")
    else:
        print(f"Migrated from schema version {applied[0] - 1} to {version} "
              f"({'step' if len(applied) == 1 else 'steps'} "
              f"{', '.join(map(str, applied))}); the history is kept.")
    return 0


# ---- import: reading a return -------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """One cell of a return: its value (text from a CSV, what openpyxl
    read from a sheet) and where it is, for errors."""

    value: Any
    where: str


def _csv_rows(path: str) -> Iterator[dict[str, _Cell]]:
    from ._records import read_records

    records = read_records(path)
    records.require(*RETURN_COLUMNS, what=_WHAT)
    if "value" not in records.columns:
        records.require("numerator", "denominator", what=_WHAT)
    columns = [c for c in (*RETURN_COLUMNS, *OPTIONAL_COLUMNS)
               if c in records.columns]
    values = {c: records.frame[c].tolist() for c in columns}
    for i in range(len(records)):
        yield {c: _Cell(values[c][i], records.where(i, c)) for c in columns}


def _excel_rows(path: str, sheet: str | None) -> Iterator[dict[str, _Cell]]:
    from .workbook import read_region

    region = read_region(path, sheet=sheet)
    found = {name: j for j, name in enumerate(region.header)}
    required = RETURN_COLUMNS if "value" in found else (
        *RETURN_COLUMNS, "numerator", "denominator")
    for name in required:
        region.column(name, f"{name} of a KPI return")
    columns = [c for c in (*RETURN_COLUMNS, *OPTIONAL_COLUMNS) if c in found]
    for row, values in region.rows:
        yield {c: _Cell(values[found[c]], region.where(row, found[c]))
               for c in columns}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _count(cell: _Cell, name: str) -> int:
    from .workbook import _integer_cell

    if _blank(cell.value):
        raise InputError(f"{cell.where} is blank; every result needs a {name} "
                         f"(a whole number, 0 or more)")
    n = _integer_cell(cell.value, cell.where)
    if n < 0:
        raise InputError(f"{cell.where}: {cell.value!r} is negative; a {name} "
                         f"is a count, 0 or more")
    return n


def _value(cell: _Cell, kpi: KPI) -> str | Decimal:
    """A return's value: a status KPI's state (one of its labels), else an
    exact number."""
    from .workbook import _number_cell

    if kpi.is_status:
        label = str(cell.value).strip()
        if label.casefold() not in kpi.states:
            raise InputError(f"{cell.where}: {label!r} is not a state of "
                             f"{kpi.ref} ({', '.join(map(repr, kpi._labels))})")
        return label
    text = cell.value
    if isinstance(text, str):
        text = text.strip().removesuffix("%").strip()
    return _number_cell(text, cell.where)


def read_return(path: str, kpis: dict[str, KPI], *, sheet: str | None = None,
                kpis_file: str = "the KPI file") -> pd.DataFrame:
    """A KPI return as the values :func:`apportion.scorecard` scores: a
    DataFrame of kpi, group (None when blank or absent), period (a pandas
    Period), numerator and denominator (a rate's counts; None for a
    value) and value (a number as a Decimal, or a status KPI's state; None
    for a rate), every row checked.  A row gives numerator and denominator,
    or value.  An error names the file, its line (or sheet and cell), the
    column and the value: a KPI not in ``kpis``, counts for a status KPI, a
    state it does not have, a period without its year, a count that is not
    a whole number 0 or more, a numerator above its denominator, or a
    (kpi, group, period) given twice."""
    import pandas as pd

    from .store._kpi import as_period

    rows = _excel_rows(path, sheet) if path.lower().endswith(_EXCEL) \
        else _csv_rows(path)
    out: dict[str, list[Any]] = {c: [] for c in ("kpi", "group", "period",
                                                 "numerator", "denominator",
                                                 "value")}
    first: dict[tuple[str, str, Any], str] = {}
    for cells in rows:
        ref = "" if _blank(cells["kpi"].value) else str(cells["kpi"].value).strip()
        if not ref:
            raise InputError(f"{cells['kpi'].where} is blank; every result "
                             f"names its KPI")
        kpi = kpis.get(ref)
        if kpi is None:
            raise InputError(f"{cells['kpi'].where}: {ref!r} is not a KPI of "
                             f"{kpis_file} (it has {', '.join(kpis)})")
        group_cell = cells.get("group")
        group = None if group_cell is None or _blank(group_cell.value) \
            else str(group_cell.value).strip()
        pcell = cells["period"]
        if _blank(pcell.value):
            raise InputError(f"{pcell.where} is blank; every result needs its "
                             f"period (2021-04, 2021Q2)")
        text = pcell.value.isoformat()[:10] if hasattr(pcell.value, "isoformat") \
            else str(pcell.value)
        period = as_period(text, kpi, pcell.where)
        counted = [c for c in (cells.get("numerator"), cells.get("denominator"))
                   if c is not None and not _blank(c.value)]
        vcell = cells.get("value")
        num = den = None
        value: str | Decimal | None = None
        if counted or vcell is None or _blank(vcell.value):
            if kpi.is_status:
                raise InputError(f"{cells['kpi'].where}: {ref} is a status KPI, "
                                 f"rated by its states; give its state in the "
                                 f"value column, not a numerator and "
                                 f"denominator")
            if "numerator" not in cells or "denominator" not in cells:
                raise InputError(f"{(vcell or pcell).where} is blank; every "
                                 f"result needs its value")
            num = _count(cells["numerator"], "numerator")
            den = _count(cells["denominator"], "denominator")
            if num > den:
                raise InputError(f"{cells['numerator'].where}: {num:,} is more "
                                 f"than the denominator {den:,}; a rate's "
                                 f"numerator counts part of its denominator")
            if vcell is not None and not _blank(vcell.value):
                raise InputError(f"{vcell.where}: a value beside a numerator "
                                 f"and denominator; give one or the other")
        else:
            value = _value(vcell, kpi)
        key = (ref, group or "", period)
        if key in first:
            raise InputError(f"{pcell.where}: {ref}{' ' + group if group else ''} "
                             f"{period} is given twice (first at {first[key]})")
        first[key] = pcell.where
        for name, item in (("kpi", ref), ("group", group), ("period", period),
                           ("numerator", num), ("denominator", den),
                           ("value", value)):
            out[name].append(item)
    if not out["kpi"]:
        raise InputError(f"{path}: no results (a header and no rows)")
    return pd.DataFrame({name: pd.Series(items, dtype=object)
                         for name, items in out.items()})


def _scorecard(values: pd.DataFrame, kpis: dict[str, KPI], path: str) -> Scorecard:
    """One scorecard of a return's rates (scored exactly from their counts)
    and values together."""
    import pandas as pd

    from .scorecard import Scorecard, scorecard

    rated = values["value"].isna()
    cards = []
    for part, columns in ((values[rated], ["kpi", "group", "period", "numerator",
                                           "denominator"]),
                          (values[~rated], ["kpi", "group", "period", "value"])):
        if len(part):
            frame = part[columns].copy()
            for c in ("numerator", "denominator"):
                if c in frame:
                    frame[c] = frame[c].astype("int64")
            used = {ref: kpis[ref] for ref in dict.fromkeys(frame["kpi"])}
            cards.append(scorecard(used, frame, source=path))
    if len(cards) == 1:
        return cards[0]
    both = pd.concat([c.frame for c in cards])
    for c in ("numerator", "denominator"):
        both[c] = both[c].astype("Int64")
    return Scorecard(both, {**cards[0].kpis, **cards[1].kpis}, source=path)


def _import(args: argparse.Namespace) -> int:
    from .kpi import load_kpis

    url, files = _url_and_files(args)
    with warnings.catch_warnings():
        # How ambiguous band wording was read is said in the KPI's view.
        warnings.simplefilter("ignore")
        kpis = load_kpis(args.kpis)
    # Every file read and checked before the store is touched: a bad row in
    # the third file leaves the store as it was.
    returns = [(path, read_return(path, kpis, sheet=args.sheet,
                                  kpis_file=args.kpis)) for path in files]
    s, banner = _open(url, create=False)
    print(banner)
    with s:
        for path, values in returns:
            done = s.record_scorecard(_scorecard(values, kpis, path), file=path)
            trail = (f"import {done.import_id}" if done.import_id is not None
                     else "nothing changed, no import kept")
            print(f"{path}: {len(values):,} results: {done.added:,} new, "
                  f"{done.unchanged:,} unchanged, {done.superseded:,} "
                  f"superseded ({trail})")
    return 0


# ---- history and escalations -------------------------------------------------------


def _write_out(args: argparse.Namespace, shown: StoredView,
               frame: pd.DataFrame) -> None:
    """--csv, --html and --xlsx, each said in a line."""
    if args.csv and args.csv != "-":
        frame.to_csv(args.csv, index=False)
        print(f"CSV written to {args.csv}")
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(shown.to_html(full=True))
        print(f"HTML written to {args.html}")
    if args.xlsx:
        shown.to_excel(args.xlsx)
        print(f"Excel written to {args.xlsx}")


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as CSV shows it: periods as their text, exact values and
    the stored band definition left out (the value, numerator and
    denominator say the same)."""
    out = frame.drop(columns=[c for c in ("value_exact", "bands")
                              if c in frame.columns])
    if "period" in out.columns:
        out["period"] = [str(p) for p in out["period"]]
    return out


def _history(args: argparse.Namespace) -> int:
    s, banner = _open(args.url, create=False)
    with s:
        if args.kpi is not None and not args.superseded and args.since is None \
                and args.until is None:
            shown = s.trend_view(args.kpi, args.group)
        else:
            shown = s.history_view(args.kpi, args.group, args.since, args.until,
                                   superseded=args.superseded)
        frame = s.history(kpi=args.kpi, group=args.group, since=args.since,
                          until=args.until, superseded=args.superseded)
    return _show(args, banner, shown, _csv_frame(frame))


def _escalations(args: argparse.Namespace) -> int:
    s, banner = _open(args.url, create=False)
    with s:
        shown = s.escalations_view(args.kpi, args.group,
                                   every_period=args.every_period)
        frame = s.escalations(kpi=args.kpi, group=args.group)
    return _show(args, banner, shown, _csv_frame(frame))


def _show(args: argparse.Namespace, banner: str, shown: StoredView,
          frame: pd.DataFrame) -> int:
    if args.csv == "-":
        print(frame.to_csv(index=False), end="")
    else:
        print(banner)
        print()
        print(shown.to_text())
    _write_out(args, shown, frame)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _init, "import": _import, "history": _history,
    "escalations": _escalations}


def main(args: argparse.Namespace) -> int:
    """Run ``python -m apportion store ...``; the exit status."""
    _store_module()  # a one-line error naming the extra when it is missing
    return _COMMANDS[args.store_command](args)
