"""The command line speaks clearly (issue 14): every error one line naming
the file, the line as an editor shows it, the column and the value; no raw
errno text; a closed pipe ends quietly; options checked before any work;
the same findings from `run` and `audit`.  Each case runs
`python -m apportion` as a subprocess on small files written to tmp_path
and asserts its exact message and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from apportion.audit import check_table
from apportion.savings import load_savings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apportion", *args],
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": ""})


# ---- run and audit agree ---------------------------------------------------


def _causes(findings: list[dict[str, object]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(row, column) -> (cause, difference) of every error."""
    return {(str(f["row_label"]), str(f["column_label"])):
            (str(f["cause"]), str(f["difference"]))
            for f in findings if f["status"] == "error"}


def test_savings_paper_and_its_table_name_the_same_causes() -> None:
    paper = _causes(load_savings(EXAMPLES / "nct-savings-2023-24.json")
                    .audit.to_dict()["findings"])
    table = _causes(check_table(EXAMPLES / "tables" / "nct-savings-2023-24.json")
                    .to_dict()["findings"])
    # The Amber/Green swap on the TOTAL row: the row's own figures agree,
    # the two column totals are out by +470 and -470.
    assert paper[("TOTAL", "Amber")] == table[("TOTAL", "Amber")] \
        == ("reclassification", "470")
    assert paper[("TOTAL", "Green")] == table[("TOTAL", "Green")] \
        == ("reclassification", "-470")
    # Every cell both audits find wrong is wrong for the same reason.
    both = paper.keys() & table.keys()
    assert len(both) >= 4
    assert {k: paper[k] for k in both} == {k: table[k] for k in both}


def test_run_prints_the_reclassification_that_audit_prints() -> None:
    run = cli("run", str(EXAMPLES / "nct-savings-2023-24.json"))
    audit = cli("audit", str(EXAMPLES / "tables" / "nct-savings-2023-24.json"))
    assert run.returncode == 0 and audit.returncode == 0
    line = ("ERROR    TOTAL / Amber [TOTAL = the sum of proposals 1 to 13] "
            "(reclassification)")
    assert line in run.stdout
    text = ("470 appears in Amber's total that the items put in Green: the "
            "row's own figures agree (2023/24 = Red + Amber + Green + "
            "Mitigations) but the Amber and Green columns do not")
    assert text in run.stdout and text in audit.stdout
    assert "(unexplained)" not in "".join(
        ln for ln in run.stdout.splitlines() if ln.lstrip().startswith("ERROR    TOTAL /"))


# ---- helpers -------------------------------------------------------------------

HEADER = "reference,authority,received,responded"


def records_csv(folder: Path, name: str = "records.csv", *, n: int = 3,
                changes: dict[int, str] | None = None) -> str:
    """A records CSV of n records, IASS-00001... received on working days
    from 2021-04-01 and answered a day later; changes puts a line's text in
    place by its line number (1 is the header)."""
    lines = [HEADER]
    for k in range(n):
        day = 1 + k % 28
        lines.append(f"IASS-{k + 1:05d},{'NNC' if k % 2 else 'WNC'},"
                     f"2021-06-{day:02d},2021-06-{min(day + 1, 30):02d}")
    for number, text in (changes or {}).items():
        lines[number - 1] = text
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return name


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The only line of standard error (asserting there is one)."""
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, \
        result.stderr
    return result.stderr[:-1]


def scorecard(folder: Path, records: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("scorecard", str(EXAMPLES / "iass-kpis.json"), "--kpi", "IASS2",
               "--records", records, *extra, cwd=folder)


def service(folder: Path, records: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("service", "IASS", "--records", records, *extra, cwd=folder)


def both(folder: Path, records: str, message: str, *extra: str) -> None:
    """scorecard and service say the same one line and exit 2, printing
    nothing on standard output."""
    for result in (scorecard(folder, records, *extra), service(folder, records, *extra)):
        assert (one_line(result), result.returncode) == (message, 2)
        assert result.stdout == ""


# ---- --version -----------------------------------------------------------------


def test_version_is_the_package_and_the_installed_distribution() -> None:
    from importlib.metadata import version

    import apportion

    result = cli("--version")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == f"apportion {apportion.__version__}\n"
    assert version("apportion") == apportion.__version__


# ---- records: the file's line, its column, the value ---------------------------


def test_a_bad_date_names_the_file_line_column_and_value(tmp_path: Path) -> None:
    name = records_csv(tmp_path, n=520, changes={
        501: "IASS-00500,NNC,2023-13-01,2023-13-02"})
    both(tmp_path, name, "apportion: records.csv line 501, column 'received': "
         "'2023-13-01' is not a date (YYYY-MM-DD)")


def test_a_responded_value_that_is_no_date_is_reported_where_it_is(tmp_path: Path) -> None:
    # Once "row 0 ends (1970-01-01) before it starts": a made-up date.
    name = records_csv(tmp_path, changes={2: "IASS-00001,WNC,2021-06-01,yesterday"})
    both(tmp_path, name, "apportion: records.csv line 2, column 'responded': "
         "'yesterday' is not a date (YYYY-MM-DD)")


def test_a_record_that_ends_before_it_starts_is_its_line(tmp_path: Path) -> None:
    # Found by the core, about its row 2: said of the file's line 4.
    name = records_csv(tmp_path, n=5, changes={4: "IASS-00003,WNC,2021-06-03,2021-05-28"})
    both(tmp_path, name, "apportion: records.csv line 4, column 'responded': "
         "'2021-05-28' is before the start in column 'received' "
         "('2021-06-03'); a record cannot end before it starts")


def test_an_open_record_after_the_as_of_date_is_its_line(tmp_path: Path) -> None:
    name = records_csv(tmp_path, changes={3: "IASS-00002,NNC,2021-07-01,"})
    both(tmp_path, name, "apportion: records.csv line 3, column 'received': "
         "'2021-07-01' is after the as-of date (2021-06-30) but the record is "
         "open (column 'responded' is blank)", "--as-of", "2021-06-30")


def test_a_blank_or_out_of_range_start(tmp_path: Path) -> None:
    name = records_csv(tmp_path, changes={3: "IASS-00002,NNC,,2021-06-02"})
    both(tmp_path, name, "apportion: records.csv line 3, column 'received' is "
         "blank; every record needs a start date")
    name = records_csv(tmp_path, "old.csv", changes={2: "IASS-00001,NNC,1969-12-31,"})
    both(tmp_path, name, "apportion: old.csv line 2, column 'received': "
         "'1969-12-31' is outside the calendar's dates (1970-01-01 to "
         "2100-12-31)")


def test_lines_count_as_an_editor_does_past_a_quoted_line_break(tmp_path: Path) -> None:
    # Record 1's reference spans lines 2-3, so record 2 starts on line 4.
    (tmp_path / "records.csv").write_text(
        f'{HEADER}\n"IASS-1\nand more",NNC,2021-06-01,2021-06-02\n'
        f"IASS-2,NNC,2021-06-31,\n", encoding="utf-8")
    both(tmp_path, "records.csv", "apportion: records.csv line 4, column "
         "'received': '2021-06-31' is not a date (YYYY-MM-DD)")


def test_a_missing_column_names_the_option(tmp_path: Path) -> None:
    name = records_csv(tmp_path)
    result = scorecard(tmp_path, name, "--by", "council")
    assert (one_line(result), result.returncode) == (
        "apportion: records.csv: no column 'council' (--by); its columns are "
        "'reference', 'authority', 'received', 'responded'", 2)


# ---- unexpected fields -------------------------------------------------------------


def test_a_line_with_more_fields_than_the_header_is_an_error(tmp_path: Path) -> None:
    name = records_csv(tmp_path, changes={3: "IASS-00002,NNC,2021-06-02,2021-06-03,late"})
    both(tmp_path, name, "apportion: records.csv line 3: 5 fields where the "
         "header names 4 columns (unexpected 'late' after column 'responded')")


def test_a_line_with_fewer_fields_than_the_header_is_an_error(tmp_path: Path) -> None:
    name = records_csv(tmp_path, changes={4: "IASS-00003,NNC,2021-06-03"})
    both(tmp_path, name, "apportion: records.csv line 4: 3 fields where the "
         "header names 4 columns (no 'responded')")


def test_a_ledger_line_with_an_extra_field_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ledger.csv").write_text(
        "cost_centre,period,amount\nFS22,Q1,100.00\nFS22,Q2,50.00,x\n",
        encoding="utf-8")
    result = cli("ledger", "ledger.csv", "--split", "NNC=44.16,WNC=55.84",
                 cwd=tmp_path)
    assert (one_line(result), result.returncode) == (
        "apportion: ledger.csv line 3: 4 fields where the header names 3 "
        "columns (unexpected 'x' after column 'amount')", 2)
    assert result.stdout == ""


# ---- files that cannot be read -------------------------------------------------------


def test_a_missing_file_is_one_line_without_errno(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    result = cli("run", "examples/x.json", cwd=tmp_path)
    assert (one_line(result), result.returncode) == (
        "apportion: examples/x.json: no such file", 2)
    result = scorecard(tmp_path, "nothing.csv")
    assert (one_line(result), result.returncode) == (
        "apportion: nothing.csv: no such file", 2)
    result = cli("audit", "examples", cwd=tmp_path)
    assert (one_line(result), result.returncode) == (
        "apportion: examples: is a folder, not a file", 2)


def test_permission_denied_is_one_line(tmp_path: Path, monkeypatch: Any,
                                       capsys: Any) -> None:
    # As root every file is readable, so the refusal is the one open()
    # would raise for a file of mode 000.
    import builtins
    import errno

    from apportion.__main__ import main

    target = str(tmp_path / "plan.json")
    real_open = builtins.open

    def refusing_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if file == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    assert main(["run", target]) == 2
    assert capsys.readouterr().err == f"apportion: {target}: permission denied\n"


def test_the_cores_words_for_a_file_are_shortened_too() -> None:
    from apportion.__main__ import _message

    assert _message(OSError("cannot open plan file x.json: Permission denied")) \
        == "x.json: permission denied"
    assert _message(OSError("cannot open records file a b.csv: No such file "
                            "or directory")) == "a b.csv: no such file"


# ---- a closed pipe ---------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly() -> None:
    # No reader at all: the first write fails, as when `head -1` has left.
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "apportion", "audit", "--all",
             str(EXAMPLES / "tables" / "nct-savings-2023-24.json")],
            stdout=write, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 1


# ---- options before any work ---------------------------------------------------------


def test_service_reports_a_bad_option_before_its_banner(tmp_path: Path) -> None:
    name = records_csv(tmp_path)
    cases = [
        (["--as-of", "2022-13-01", "--records", name],
         "apportion: --as-of: '2022-13-01' is not a date (YYYY-MM-DD)"),
        (["--check", "missing.json"], "apportion: missing.json: no such file"),
        (["--recharge", "£211,654", "--rule", "monthly"],
         "apportion: --rule: service area IASS has no recharge rule "
         "'monthly'; it has quarterly"),
        (["--recharge", "lots"],
         "apportion: --recharge: cannot read money \"lots\": expected a digit "
         "at character 1 ('l')"),
        (["--section", "recharge_summary"],
         "apportion: --section reports on the --check data; give --check too"),
    ]
    for options, message in cases:
        result = cli("service", "IASS", *options, cwd=tmp_path)
        assert (one_line(result), result.returncode, result.stdout) == \
            (message, 2, ""), options


def test_scorecard_reports_a_bad_option_before_reading(tmp_path: Path) -> None:
    result = scorecard(tmp_path, "nothing.csv", "--as-of", "31/03/2022")
    assert (one_line(result), result.returncode, result.stdout) == (
        "apportion: --as-of: '31/03/2022' is not a date (YYYY-MM-DD)", 2, "")
    result = scorecard(tmp_path, records_csv(tmp_path), "--html", "no/x.html")
    assert (one_line(result), result.returncode, result.stdout) == (
        "apportion: --html no/x.html: no such folder 'no'", 2, "")


# ---- --split -----------------------------------------------------------------------------


def test_a_split_that_is_not_100_needs_rescale(tmp_path: Path) -> None:
    ledger = str(EXAMPLES / "nct-ledger-2021-22.csv")
    args = ["ledger", ledger, "--date", "date", "--year", "2021/22"]
    result = cli(*args, "--split", "NNC=44.16,WNC=56.84")
    assert (one_line(result), result.returncode, result.stdout) == (
        "apportion: --split: the split sums to 101.00%, not 100%; pass "
        "--rescale to scale it", 2, "")
    scaled = cli(*args, "--split", "NNC=44.16,WNC=56.84", "--rescale")
    assert scaled.returncode == 0 and scaled.stderr == ""
    assert "£1,070,000.00" in scaled.stdout
    result = cli(*args, "--split", "NNC=44.16,WNC=about half")
    assert (one_line(result), result.returncode) == (
        "apportion: --split: WNC's weight 'about half' is not a number 0 or "
        "more", 2)
    exact = cli(*args, "--split", "NNC=44.16%,WNC=55.84%")
    assert exact.returncode == 0 and exact.stderr == ""


# ---- warnings -------------------------------------------------------------------------------


def test_a_warning_is_one_line_without_source(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apportion", "service", "IASS"],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "",
             "APPORTION_PLUGIN_PATH": str(tmp_path / "nowhere")})
    assert result.returncode == 0
    assert one_line(result) == (
        f"apportion: warning: APPORTION_PLUGIN_PATH names "
        f"'{tmp_path / 'nowhere'}', which is neither a folder nor a file")
    assert result.stdout.startswith("IASS: ")


# ---- exit codes ---------------------------------------------------------------------------


def test_exit_codes_are_in_the_help_and_the_docs() -> None:
    help_text = cli("--help").stdout
    assert "exit status:\n  0  success\n  1  --strict" in help_text
    assert "  2  a usage or input error" in help_text
    docs = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8")
    for code in ("``0``", "``1``", "``2``"):
        assert code in docs


def test_strict_exits_1_on_a_wrong_figure_and_usage_errors_exit_2() -> None:
    savings = str(EXAMPLES / "nct-savings-2023-24.json")
    assert cli("run", savings).returncode == 0
    assert cli("run", "--strict", savings).returncode == 1
    result = cli("run")
    assert result.returncode == 2 and "usage:" in result.stderr


# ---- the library under the command line ------------------------------------------------


def test_a_plugin_measure_refuses_a_date_column_holding_a_word() -> None:
    import pandas as pd
    import pytest

    from apportion.errors import InputError
    from apportion.plugin import service_area

    records = pd.DataFrame({"received": ["2021-04-01", "2021-04-02"],
                            "responded": ["yesterday", "2021-04-06"]})
    with pytest.raises(InputError, match=r'^responded\[0\]: "yesterday" is not a date'):
        service_area("IASS").score("IASS2", records)


def test_the_cores_words_about_a_record_by_position_become_its_line(tmp_path: Path) -> None:
    from apportion._records import read_records

    (tmp_path / "r.csv").write_text(
        "id,start,end\n\nA,2021-04-01,2021-04-02\nB,2021-04-05,2021-04-01\n",
        encoding="utf-8")
    records = read_records(tmp_path / "r.csv")
    path = str(tmp_path / "r.csv")
    assert list(records.lines) == [3, 4]  # the blank line 2 is skipped
    columns = ("start", "end")
    assert records.locate('end[1]: "2021-04-01" is not a date of the form '
                          'YYYY-MM-DD', columns) == (
        f"{path} line 4, column 'end': '2021-04-01' is not a date of the "
        f"form YYYY-MM-DD")
    assert records.locate("AREA.measure: row 0 has denominator -1; it must "
                          "be 0 or more", columns) == (
        f"{path} line 3: has denominator -1; it must be 0 or more (start "
        f"'2021-04-01', end '2021-04-02')")
    # Another record's number, or other words, are left as they are.
    assert records.locate("row 7 ends (x) before it starts (y)", columns) \
        == "row 7 ends (x) before it starts (y)"
    assert records.locate("as_of: bad", columns) == "as_of: bad"
