"""`python -m apportion store init|import|history|escalations` (issue 18),
on SQLite and on PostgreSQL (the store_url fixture): what each command
prints and writes, what an import changed, and the one-line errors naming
the file, line (or sheet and cell), column and value, after which the store
is as it was.

The commands run in this process through apportion.__main__.main (one run
as a subprocess, for the real entry point); the returns are small CSV and
Excel files written to tmp_path."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

import apportion
import apportion.store
from apportion.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NCT_KPIS = str(EXAMPLES / "nct-kpis.json")
RETURNS = EXAMPLES / "nct-kpi-returns"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["store", *args])
    out, err = capsys.readouterr()
    return status, out, err


def write_csv(path: Path, rows: list[list[object]],
              header: tuple[str, ...] = ("kpi", "group", "period", "numerator",
                                         "denominator")) -> str:
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def months(*names: str) -> list[str]:
    return [str(RETURNS / f"{n}.csv") for n in names]


def stored(url: str, **kw: object) -> list[tuple[str, str | None, str, int, int]]:
    with apportion.store.open(url, create=False) as s:
        frame = s.history(**kw)  # type: ignore[arg-type]
    return [(r.kpi, r.group, str(r.period), int(r.numerator), int(r.denominator))
            for r in frame.itertuples()]


@pytest.fixture
def store(store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A store made by `store init`."""
    status, _, _ = run(capsys, "init", store_url)
    assert status == 0
    return store_url


# ---- init ----------------------------------------------------------------------


def test_init_creates_then_finds_the_store_current(
        store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "init", store_url)
    with apportion.store.open(store_url, create=False) as s:
        version, known, url = s.schema_version, s.known_version, s.url
    steps = ", ".join(str(n) for n in range(1, known + 1))
    assert (status, err) == (0, "")
    assert out == (f"Store: {url}\nCreated: schema version {version} "
                   f"({'steps' if known > 1 else 'step'} {steps}).\n")
    assert version == known
    status, out, _ = run(capsys, "init", store_url)
    assert status == 0
    assert out.splitlines()[1] == (f"Already at schema version {known}, the "
                                   f"current one; nothing to do.")


def test_init_migrates_an_older_store(store_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import sqlalchemy as sa

    from apportion.store import _schema

    # A genuine version 1 store: step 1 alone, as version 1 ran it.
    url = store_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            _schema.MIGRATIONS[1](conn)
            conn.execute(sa.insert(_schema.schema_version).values(
                version=1, applied_at=datetime(2026, 12, 1, tzinfo=timezone.utc),
                apportion_version="0.1.0"))
    finally:
        engine.dispose()
    known = max(_schema.MIGRATIONS)
    assert known >= 2  # version 2 (the papers, ledger and runs) is in the tree
    status, out, _ = run(capsys, "init", store_url)
    steps = ", ".join(str(n) for n in range(2, known + 1))
    assert status == 0
    assert out.splitlines()[1] == (
        f"Migrated from schema version 1 to {known} "
        f"({'steps' if known > 2 else 'step'} {steps}); the history is kept.")


def test_commands_other_than_init_do_not_create_a_store(
        store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("history", "escalations", "import"):
        extra = [months("2021-04")[0], "--kpis", NCT_KPIS] if command == "import" else []
        status, out, err = run(capsys, command, store_url, *extra)
        assert status == 2 and out == ""
        assert " store there" in err and "store init" in err
        assert err.startswith("apportion: ") and err.count("\n") == 1
    if store_url.startswith("sqlite:///"):
        # Not even an empty file is left behind.
        assert not Path(store_url.removeprefix("sqlite:///")).exists()


# ---- import ----------------------------------------------------------------------


def test_import_says_what_each_return_changed(
        store: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = months("2021-09", "2021-10")
    status, out, err = run(capsys, "import", store, *files, "--kpis", NCT_KPIS)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Store: ")
    assert lines[1] == (f"{files[0]}: 12 results: 12 new, 0 unchanged, "
                        f"0 superseded (import 1)")
    assert lines[2] == (f"{files[1]}: 12 results: 12 new, 0 unchanged, "
                        f"0 superseded (import 2)")
    # The same return again changes nothing and leaves no import behind.
    status, out, _ = run(capsys, "import", store, files[1], "--kpis", NCT_KPIS)
    assert out.splitlines()[1] == (f"{files[1]}: 12 results: 0 new, 12 unchanged, "
                                   f"0 superseded (nothing changed, no import kept)")
    # The resubmitted October return: two results changed.
    revised = str(RETURNS / "2021-10-revised.csv")
    status, out, _ = run(capsys, "import", store, revised, "--kpis", NCT_KPIS)
    with apportion.store.open(store, create=False) as s:
        trail = s.imports()
        everything = s.history(superseded=True)
    # (The dropped import's id is not reused on PostgreSQL: a sequence.)
    last = int(trail["id"].iloc[-1])
    assert out.splitlines()[1] == (f"{revised}: 12 results: 0 new, 10 unchanged, "
                                   f"2 superseded (import {last})")
    assert list(trail["file"]) == [*files, revised]
    old = everything[everything["superseded_by"].notna()]
    assert sorted(zip(old["kpi"], old["group"])) == [
        ("NCT-COMPLAINTS-10WD", "NNC"), ("NCT-REF-DECISION", "WNC")]
    assert set(old["superseded_by"]) == {last}


def test_imported_values_are_the_files_figures(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "r.csv", [
        ["NCT-REF-DECISION", "NNC", "2021-04", 90, 100],
        ["NCT-REF-DECISION", "", "2021-05", " 1,700", "2000"],
        ["NCT-CPP-REPEAT", "WNC", "2021-Q2", 3, 20]])
    status, _, err = run(capsys, "import", store, path, "--kpis", NCT_KPIS)
    assert (status, err) == (0, "")
    assert stored(store) == [("NCT-CPP-REPEAT", "WNC", "2021Q2", 3, 20),
                             ("NCT-REF-DECISION", None, "2021-05", 1700, 2000),
                             ("NCT-REF-DECISION", "NNC", "2021-04", 90, 100)]
    kpis = apportion.load_kpis(NCT_KPIS)
    with apportion.store.open(store, create=False) as s:
        rags = dict(zip(zip(s.history()["kpi"], s.history()["group"]),
                        s.history()["rag"]))
    assert rags[("NCT-REF-DECISION", "NNC")] == kpis["NCT-REF-DECISION"].score(
        Fraction(90)).value
    assert rags[("NCT-REF-DECISION", None)] == kpis["NCT-REF-DECISION"].score(
        Fraction(85)).value


def test_excel_return(store: str, tmp_path: Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Return"
    ws.append(["kpi", "period", "numerator", "denominator", "group"])
    ws.append(["NCT-ASSESS-45WD", "2021-04", 250, 255, "NNC"])
    ws.append(["NCT-ASSESS-45WD", "2021-05", 240.0, 244, "NNC"])
    path = str(tmp_path / "return.xlsx")
    book.save(path)
    status, out, err = run(capsys, "import", store, path, "--kpis", NCT_KPIS)
    assert (status, err) == (0, "")
    assert "2 results: 2 new" in out
    assert stored(store) == [("NCT-ASSESS-45WD", "NNC", "2021-04", 250, 255),
                             ("NCT-ASSESS-45WD", "NNC", "2021-05", 240, 244)]
    ws.append(["NCT-ASSESS-45WD", "2021-06", 2.5, 244, "NNC"])
    book.save(path)
    status, out, err = run(capsys, "import", store, path, "--kpis", NCT_KPIS)
    assert status == 2 and out == ""
    assert err == ("apportion: Return!C4 (column 'numerator'): expected a whole "
                   "number, found the number 2.5\n")


BAD_ROWS = [
    (["NCT-NOPE", "NNC", "2021-04", 1, 2],
     "r.csv line 3, column 'kpi': 'NCT-NOPE' is not a KPI of {kpis} (it has "
     "NCT-REF-DECISION, NCT-ASSESS-45WD, NCT-REREFERRAL-12M, NCT-COMPLAINTS-10WD, "
     "NCT-CPP-REPEAT, NCT-CIC-3PLACEMENTS, NCT-ADOPTION-A10)"),
    (["NCT-REF-DECISION", "NNC", "Q1", 1, 2],
     "r.csv line 3, column 'period': period 'Q1' is not a period the store can "
     "date"),
    (["NCT-REF-DECISION", "NNC", "", 1, 2],
     "r.csv line 3, column 'period' is blank; every result needs its period"),
    (["NCT-REF-DECISION", "NNC", "2021-05", "1.5", 2],
     "r.csv line 3, column 'numerator': expected a whole number, found '1.5'"),
    (["NCT-REF-DECISION", "NNC", "2021-05", -1, 2],
     "r.csv line 3, column 'numerator': '-1' is negative"),
    (["NCT-REF-DECISION", "NNC", "2021-05", 5, ""],
     "r.csv line 3, column 'denominator' is blank"),
    (["NCT-REF-DECISION", "NNC", "2021-05", 5, 4],
     "r.csv line 3, column 'numerator': 5 is more than the denominator 4"),
    (["NCT-REF-DECISION", "NNC", "2021-04", 5, 9],
     "r.csv line 3, column 'period': NCT-REF-DECISION NNC 2021-04 is given twice "
     "(first at r.csv line 2, column 'period')"),
]


@pytest.mark.parametrize("bad,message", BAD_ROWS)
def test_a_bad_row_is_named_and_nothing_is_recorded(
        store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], bad: list[object], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "good.csv", [["NCT-REF-DECISION", "WNC", "2021-04", 9, 10]])
    write_csv(tmp_path / "r.csv", [
        ["NCT-REF-DECISION", "NNC", "2021-04", 9, 10], bad,
        ["NCT-REF-DECISION", "NNC", "2021-06", 9, 10]])
    # The good file first: every file is read and checked before the store
    # is touched, so it is not recorded either.
    status, out, err = run(capsys, "import", store, "good.csv", "r.csv",
                           "--kpis", NCT_KPIS)
    assert status == 2 and out == ""
    assert err.startswith("apportion: " + message.format(kpis=NCT_KPIS))
    assert err.count("\n") == 1
    assert stored(store) == []


def test_values_and_states_beside_rates(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mixed = write_csv(tmp_path / "mixed.csv", [
        ["NCT-REF-DECISION", "NNC", "2021-04", 90, 100, ""],
        ["NCT-ADOPTION-A10", "", "2021Q2", "", "", "410.5"],
        ["NCT-ADOPTION-A10", "", "2021Q3", "", "", "498"]],
        header=("kpi", "group", "period", "numerator", "denominator", "value"))
    status = write_csv(tmp_path / "status.csv", [
        ["IASS1", "2021", "In place"], ["IASS3", "2021Q3", "produced but not provided"]],
        header=("kpi", "period", "value"))
    assert run(capsys, "import", store, mixed, "--kpis", NCT_KPIS)[0] == 0
    assert run(capsys, "import", store, status, "--kpis",
               str(EXAMPLES / "iass-kpis.json"))[0] == 0
    nct = apportion.load_kpis(NCT_KPIS)["NCT-ADOPTION-A10"]
    iass = apportion.load_kpis(EXAMPLES / "iass-kpis.json")
    with apportion.store.open(store, create=False) as s:
        h = s.history()
    got = {(r.kpi, str(r.period)): (r.value_exact, r.state, r.rag)
           for r in h.itertuples()}
    assert got[("NCT-ADOPTION-A10", "2021Q2")] == (
        Fraction(821, 2), None, nct.score(Fraction(821, 2)).value)
    assert got[("NCT-ADOPTION-A10", "2021Q3")][2] == nct.score(498).value
    assert got[("IASS1", "2021")][1:] == ("In place", iass["IASS1"].score("in place").value)
    assert got[("IASS3", "2021Q3")][2] == "amber"
    assert got[("NCT-REF-DECISION", "2021-04")][2] == "green"
    # Importing the mixed return again changes nothing.
    _, out, _ = run(capsys, "import", store, mixed, "--kpis", NCT_KPIS)
    assert "0 new, 3 unchanged, 0 superseded" in out


def test_a_status_kpi_and_a_missing_column_are_refused(
        store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    kpis = str(EXAMPLES / "iass-kpis.json")
    write_csv(tmp_path / "s.csv", [["IASS1", "", "2021", 1, 1]])
    status, _, err = run(capsys, "import", store, "s.csv", "--kpis", kpis)
    assert status == 2
    assert err.startswith("apportion: s.csv line 2, column 'kpi': IASS1 is a "
                          "status KPI")
    write_csv(tmp_path / "v.csv", [["IASS3", "2021Q3", "late"]],
              header=("kpi", "period", "value"))
    status, _, err = run(capsys, "import", store, "v.csv", "--kpis", kpis)
    assert err == ("apportion: v.csv line 2, column 'value': 'late' is not a state "
                   "of IASS3 ('produced and provided', 'produced but not provided', "
                   "'not produced or provided')\n")
    write_csv(tmp_path / "b.csv", [["IASS2", "2021-04", 1, 2, "50"]],
              header=("kpi", "period", "numerator", "denominator", "value"))
    status, _, err = run(capsys, "import", store, "b.csv", "--kpis", kpis)
    assert err == ("apportion: b.csv line 2, column 'value': a value beside a "
                   "numerator and denominator; give one or the other\n")
    write_csv(tmp_path / "m.csv", [["IASS2", "2021-04", 1]],
              header=("kpi", "period", "numerator"))
    status, _, err = run(capsys, "import", store, "m.csv", "--kpis", kpis)
    assert status == 2
    assert err.startswith("apportion: m.csv: no column 'denominator'")


def test_options_are_checked_before_any_work(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "history", "not-a-url")
    assert (status, out) == (2, "")
    assert err == ("apportion: 'not-a-url' is not a store URL; expected "
                   "sqlite:///FILE.db or postgresql://USER@HOST/DB\n")
    status, out, err = run(capsys, "history", store, "--since", "Q3")
    assert (status, out) == (2, "")
    assert err.startswith("apportion: --since: period 'Q3' is not a period the "
                          "store can date")
    missing = str(tmp_path / "nowhere" / "x.html")
    status, out, err = run(capsys, "escalations", store, "--html", missing)
    assert (status, out) == (2, "")
    assert err == (f"apportion: --html {missing}: no such folder "
                   f"{str(tmp_path / 'nowhere')!r}\n")
    status, out, err = run(capsys, "import", store, str(tmp_path / "none.csv"),
                           "--kpis", NCT_KPIS)
    assert (status, out) == (2, "")
    assert err == f"apportion: {tmp_path / 'none.csv'}: no such file\n"
    status, out, err = run(capsys, "import", months("2021-04")[0], store,
                           "--kpis", NCT_KPIS)
    assert err == f"apportion: {store}: a URL must come first, before the files to import\n"


# ---- history and escalations ---------------------------------------------------------


@pytest.fixture
def year(store: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A store holding the NCT's made-up year of returns."""
    files = sorted(str(p) for p in RETURNS.glob("20*.csv") if "revised" not in p.name)
    assert len(files) == 12
    status, _, _ = run(capsys, "import", store, *files, "--kpis", NCT_KPIS)
    assert status == 0
    return store


def test_escalations_print_every_escalated_period(
        year: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with apportion.store.open(year, create=False) as s:
        frame = s.escalations()
    status, out, err = run(capsys, "escalations", year,
                           "--csv", str(tmp_path / "e.csv"),
                           "--html", str(tmp_path / "e.html"))
    assert (status, err) == (0, "")
    escalated = frame[~frame["escalation"].isin(["none", "no_data"])]
    assert len(escalated) >= 3
    for r in escalated.itertuples():
        state = {"out_of_tolerance": "out of tolerance",
                 "performance_failure": "Performance Failure",
                 "rectification_plan": "Rectification Plan"}[r.escalation]
        line = [x for x in out.splitlines()
                if x.split()[:3] == [r.kpi, r.group, str(r.period)]]
        assert len(line) == 1 and line[0].endswith(state)
    assert "Rectification Plan" in out
    assert f"{len(set(zip(frame['kpi'], frame['group'])))} KPI lines over 12 periods" in out
    written = list(csv.DictReader((tmp_path / "e.csv").open()))
    assert len(written) == len(frame)
    assert {"kpi", "group", "period", "escalation", "rule_basis"} <= set(written[0])
    assert [w["escalation"] for w in written] == list(frame["escalation"])
    page = (tmp_path / "e.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Escalation history" in page


def test_escalations_csv_to_standard_output(
        year: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "escalations", year, "--kpi", "NCT-REF-DECISION",
                         "--group", "WNC", "--csv", "-")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["period"] for r in rows] == [
        "2021-04", "2021-05", "2021-06", "2021-07", "2021-08", "2021-09",
        "2021-10", "2021-11", "2021-12", "2022-01", "2022-02", "2022-03"]
    kpi = apportion.load_kpis(NCT_KPIS)["NCT-REF-DECISION"]
    assert [r["escalation"] for r in rows] == kpi.escalate([r["rag"] for r in rows])


def test_history_of_one_kpi_is_its_trend(
        year: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "t.html"
    status, out, _ = run(capsys, "history", year, "--kpi", "NCT-CPP-REPEAT",
                         "--html", str(html))
    assert status == 0
    assert "NCT-CPP-REPEAT: trend from 2021-04 to 2022-03" in out
    assert out.count("\n  NNC    20") + out.count("\n  WNC    20") == 24
    assert "<svg" in html.read_text()


def test_history_with_superseded_lists_the_trail(
        year: str, capsys: pytest.CaptureFixture[str]) -> None:
    revised = str(RETURNS / "2021-10-revised.csv")
    run(capsys, "import", year, revised, "--kpis", NCT_KPIS)
    status, out, _ = run(capsys, "history", year, "--since", "2021-10",
                         "--until", "2021-10", "--superseded")
    assert status == 0
    assert "12 current results of 6 KPIs" in out
    assert "2 superseded results kept" in out
    rows = [line.split() for line in out.splitlines() if " 2021-10 " in line]
    assert len(rows) == 14
    # A superseded row names the import that superseded it (13), last.
    assert sorted(r[0] for r in rows if r[-1] == "13") == [
        "NCT-COMPLAINTS-10WD", "NCT-REF-DECISION"]


def test_the_default_store_is_said(tmp_path: Path, store_url: str,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("APPORTION_STORE", store_url)
    status, out, _ = run(capsys, "init")
    assert status == 0
    assert out.splitlines()[0].endswith("($APPORTION_STORE)")
    monkeypatch.delenv("APPORTION_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        status, out, _ = run(capsys, "init")
        where = tmp_path / "data" / "apportion" / "history.db"
        assert out.splitlines()[0] == (
            f"Store: sqlite:///{where} (the default; give a URL or set "
            f"APPORTION_STORE for another)")
        assert where.exists()


def test_history_of_an_unknown_kpi_names_what_the_store_has(
        year: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "history", year, "--kpi", "IASS2")
    assert (status, out) == (2, "")
    assert "table kpi_results has no results of KPI IASS2; it has results of " \
           "NCT-ASSESS-45WD, NCT-CIC-3PLACEMENTS" in err


def test_the_command_runs_as_a_program(store_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": ""}
    done = subprocess.run([sys.executable, "-m", "apportion", "store", "init",
                           store_url], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "Created: schema version" in done.stdout
    done = subprocess.run([sys.executable, "-m", "apportion", "store", "import",
                           store_url, *months("2021-04"), "--kpis", NCT_KPIS],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "12 results: 12 new" in done.stdout


@pytest.mark.parametrize("command", ["init", "import", "history", "escalations"])
def test_without_the_store_extra_the_error_names_it(
        command: str, tmp_path: Path) -> None:
    # SQLAlchemy made unimportable, as in an install without the extra.
    extra = [months("2021-04")[0], "--kpis", NCT_KPIS] if command == "import" else []
    code = ("import sys; sys.modules['sqlalchemy'] = None; "
            "from apportion.__main__ import main; "
            f"sys.exit(main(['store', {command!r}, 'sqlite:///{tmp_path}/x.db', "
            f"*{extra!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, env={**os.environ, "PYTHONWARNINGS": ""})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("apportion: apportion.store needs SQLAlchemy")
    assert "pip install 'apportion[store]'" in done.stderr
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "x.db").exists()
