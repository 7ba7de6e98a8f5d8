"""The year's papers in the store: every kind recorded as loaded with its
findings, keyed by paper and period; the stored text is the paper (it
loads back into the same object); recording it again changes nothing; a
changed paper supersedes and both stay with their trail; a failure in the
middle of an import leaves the store as it was.  On SQLite and PostgreSQL
alike (``store_url``)."""

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import apportion
import apportion.store
from apportion.audit import check_table, load_table
from apportion.contract import load_contract_sum
from apportion.disaggregation import load_disaggregation
from apportion.errors import InputError, StoreError
from apportion.mtfp import load_mtfp
from apportion.outturn import load_outturn
from apportion.plan import Plan
from apportion.savings import load_savings
from apportion.store import _papers
from apportion.store._papers import period_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TABLES = EXAMPLES / "tables"

# Every paper kind, the file it is read from, the period given (None: the
# paper says its own) and the period it is stored under.
KINDS = [
    ("plan", "iass-2021-22.json", None, pd.Period("2022", "Y-MAR")),
    ("outturn", "nct-outturn-2021-22.json", None, pd.Period("2022-03", "M")),
    ("savings", "nct-savings-2023-24.json", None, pd.Period("2023-12", "M")),
    ("mtfp", "nct-mtfp-2017-21.json", None, pd.Period("2018", "Y-MAR")),
    ("contract_sum", "nct-contract-sum-2024-25.json", None,
     pd.Period("2025", "Y-MAR")),
    ("disaggregation", "iass-disaggregation-2022.json", "2022/23",
     pd.Period("2023", "Y-MAR")),
    ("table", "tables/nct-pressures-2023-24.json", "2023-12",
     pd.Period("2023-12", "M")),
]
LOADERS = {"plan": apportion.load_plan, "outturn": load_outturn,
           "savings": load_savings, "mtfp": load_mtfp,
           "contract_sum": load_contract_sum,
           "disaggregation": load_disaggregation, "table": check_table}


def loaded(kind, name):
    return LOADERS[kind](EXAMPLES / name)


def findings_of(obj):
    return obj.findings if isinstance(obj, apportion.audit.Report) else obj.audit.findings


def same_paper(a, b):
    """Two loaded papers hold the same figures and the same audit."""
    assert type(a) is type(b)
    if isinstance(a, apportion.audit.Report):
        assert a.findings == b.findings
    else:
        assert a._data == b._data
        assert a.audit.findings == b.audit.findings


def test_every_kind_is_recorded_with_its_findings_and_loads_back(store_url):
    with apportion.store.open(store_url) as s:
        papers = {}
        for kind, name, period, _ in KINDS:
            paper = loaded(kind, name)
            done = s.record_paper(paper, period=period)
            assert done.status == "added" and done.import_id is not None
            papers[kind] = (done.paper_id, paper)
        frame = s.papers()
        assert frame["kind"].tolist() == [k for k, *_ in KINDS]
        assert frame["period"].tolist() == [p for *_, p in KINDS]
        assert frame["file"].tolist() == [str(EXAMPLES / n) for _, n, *_ in KINDS]
        assert frame["superseded_by"].isna().all()
        for kind, (paper_id, paper) in papers.items():
            row = frame.set_index("id").loc[paper_id]
            found = findings_of(paper)
            assert row["checks"] == len(found)
            assert row["errors"] == sum(f.status == "error" for f in found)
            assert row["rounding"] == sum(f.status == "rounding" for f in found)
            # The stored paper is the paper: its text as the file holds it,
            # its sha256 that text's, and loaded back it is the same paper.
            text = s.paper_text(paper_id)
            file = EXAMPLES / dict((k, n) for k, n, *_ in KINDS)[kind]
            assert text == file.read_text(encoding="utf-8")
            assert row["sha256"] == hashlib.sha256(text.encode()).hexdigest()
            assert row["file_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
            same_paper(s.paper(paper_id), paper)
            # The findings as stored: every check, exact, in order.
            stored = s.findings(paper_id)
            assert len(stored) == len(found)
            assert stored["seq"].tolist() == list(range(len(found)))
            for (_, r), f in zip(stored.iterrows(), found):
                assert (r["status"], r["cause"], r["check"], r["row_label"],
                        r["column_label"], r["finding_id"], r["item"]) == \
                    (f.status, f.cause, f.check, f.row_label, f.column_label,
                     f.id, f.item)
                for name in ("stated", "computed", "difference", "tolerance"):
                    # The same Decimal to its printed precision.
                    assert str(r[name]) == str(getattr(f, name))
    assert frame["financial_year"].tolist() == [
        "2021/22", "2021/22", "2023/24", "2017/18", "2024/25", "2022/23", "2023/24"]


def test_a_paper_given_by_its_path_and_read_by_name(store_url):
    path = EXAMPLES / "nct-outturn-2021-22.json"
    with apportion.store.open(store_url) as s:
        done = s.record_paper(path)
        title = load_outturn(path).title
        same_paper(s.paper(title), load_outturn(path))
        same_paper(s.paper(title, "2022-03", kind="outturn"), load_outturn(path))
        assert s.paper_text(title) == path.read_text(encoding="utf-8")
        with pytest.raises(StoreError, match=r"no outturn .* for 2021-04"):
            s.paper(title, "2021-04", kind="outturn")
        with pytest.raises(StoreError, match="no paper id 99"):
            s.paper(99)
        assert done.paper_id == 1


def test_recording_the_same_paper_again_changes_nothing(store_url, tmp_path):
    path = tmp_path / "plan.json"
    shutil.copy(EXAMPLES / "iass-2021-22.json", path)
    with apportion.store.open(store_url) as s:
        first = s.record_paper(apportion.load_plan(path))
        papers, trail, found = s.papers(), s.imports(), s.findings()
        again = s.record_paper(apportion.load_plan(path))
        # The same content laid out differently is the same paper.
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data, indent=4, sort_keys=True), encoding="utf-8")
        relaid = s.record_paper(apportion.load_plan(path))
        pd.testing.assert_frame_equal(s.papers(), papers)
        pd.testing.assert_frame_equal(s.imports(), trail)
        pd.testing.assert_frame_equal(s.findings(), found)
    assert first.status == "added"
    assert again == relaid == (first.paper_id, None, "unchanged")


def test_a_changed_paper_supersedes_and_both_stay_with_their_trail(store_url, tmp_path):
    path = tmp_path / "savings.json"
    shutil.copy(EXAMPLES / "nct-savings-2023-24.json", path)
    old = load_savings(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    with apportion.store.open(store_url) as s:
        first = s.record_paper(old)
        # The tracker's period 9 again: half of the first saving now Green.
        data["proposals"][0].update(amber="50", green="50")
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        new = load_savings(path)
        second = s.record_paper(new)
        current = s.papers()
        everything = s.papers(superseded=True)
        trail = s.imports()
        old_back, new_back = s.paper(first.paper_id), s.paper(second.paper_id)
        old_findings = s.findings(first.paper_id)
        assert len(s.findings()) == len(new.audit.findings)
        assert len(s.findings(superseded=True)) == 2 * len(new.audit.findings)
    assert second.status == "superseded" and second.paper_id != first.paper_id
    assert current["id"].tolist() == [second.paper_id]
    assert everything["id"].tolist() == [first.paper_id, second.paper_id]
    assert everything["superseded_by"].tolist() == [second.import_id, pd.NA]
    assert everything["period"].tolist() == [pd.Period("2023-12", "M")] * 2
    assert trail["id"].tolist() == [first.import_id, second.import_id]
    assert trail["kind"].tolist() == ["paper", "paper"]
    assert trail["file"].tolist() == [str(path)] * 2
    assert trail["sha256"].nunique() == 2  # the file's hash at each import
    assert everything["file_sha256"].tolist() == trail["sha256"].tolist()
    same_paper(old_back, old)
    same_paper(new_back, new)
    assert len(old_findings) == len(old.audit.findings)


def test_different_periods_of_one_paper_are_kept_apart(store_url, tmp_path):
    path = tmp_path / "savings.json"
    data = json.loads((EXAMPLES / "nct-savings-2023-24.json").read_text(encoding="utf-8"))
    with apportion.store.open(store_url) as s:
        for month in ("Period 08 - November 2023", "Period 09 - December 2023"):
            data["as_at"] = month
            path.write_text(json.dumps(data), encoding="utf-8")
            assert s.record_paper(load_savings(path)).status == "added"
        frame = s.papers(kind="savings")
        assert frame["period"].tolist() == [pd.Period("2023-11", "M"),
                                            pd.Period("2023-12", "M")]
        with pytest.raises(StoreError, match="2 current savings .*give period="):
            s.paper(frame["name"].iloc[0], kind="savings")
        assert s.paper(frame["name"].iloc[0], "2023-11").as_at.startswith("Period 08")


def test_papers_of_a_year(store_url):
    with apportion.store.open(store_url) as s:
        for kind, name, period, _ in KINDS:
            s.record_paper(loaded(kind, name), period=period)
        assert s.papers(2021)["kind"].tolist() == ["plan", "outturn"]
        assert s.papers("2023/24")["kind"].tolist() == ["savings", "table"]
        assert s.papers(pd.Period("2023-06", "M"))["kind"].tolist() == ["savings", "table"]
        assert s.papers("2019/20").empty
        assert s.papers(kind="mtfp")["financial_year"].tolist() == ["2017/18"]
        errors = s.findings(status="error", year=2021)
        assert set(errors["kind"]) == {"plan"}
        assert (errors["status"] == "error").all()
        assert len(s.findings(kind="table")) == 1


def test_a_csv_table_is_stored_as_its_json_form(store_url, tmp_path):
    data = load_table(TABLES / "nct-outturn-2021-22.json")
    lines = [f"#title: {data['title']}", f"#unit: {data['unit']}"]
    lines += [f"#rule: {rule}" for rule in data["rules"]]
    lines.append(",".join(["Service", *data["columns"], "total"]))
    for row in data["rows"]:
        total = row.get("total", "")
        cells = [row["label"], *[v or "" for v in row["values"]],
                 total if isinstance(total, str) else ";".join(total)]
        lines.append(",".join(f'"{c}"' for c in cells))
    path = tmp_path / "outturn.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_table(path)
    with apportion.store.open(store_url) as s:
        name = "NCT outturn 2021/22, as the section 4 table prints it; " * 10
        done = s.record_paper(report, period="2021/22", name=name)
        text = s.paper_text(done.paper_id)
        back = s.paper(done.paper_id)
        row = s.papers().iloc[0]
    assert json.loads(text)["format"] == "apportion.table/1"
    assert back.findings == report.findings
    assert row["format"] == "apportion.table/1" and row["file"] == str(path)
    assert row["name"] == name and len(name) > 500
    # The trail's hash is the CSV file's; the stored text's its own.
    assert row["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["sha256"] == hashlib.sha256(text.encode()).hexdigest()


def test_a_paper_read_from_text_needs_its_file(store_url, tmp_path):
    path = EXAMPLES / "iass-2021-22.json"
    plan = Plan.from_text(path.read_text(encoding="utf-8"))
    with apportion.store.open(store_url) as s:
        with pytest.raises(StoreError, match="give file="):
            s.record_paper(plan)
        # Given the file it came from, it is checked to be that paper.
        with pytest.raises(StoreError, match="does not read as the plan"):
            s.record_paper(plan, file=EXAMPLES / "nct-outturn-2021-22.json")
        other = tmp_path / "other.json"
        other.write_text(path.read_text(encoding="utf-8").replace(
            '"2021/22"', '"2022/23"', 1), encoding="utf-8")
        with pytest.raises(StoreError, match="does not hold the plan .* as loaded"):
            s.record_paper(plan, file=other)
        assert s.papers().empty and s.imports().empty
        done = s.record_paper(plan, file=path)
        assert s.papers()["file"].tolist() == [str(path)]
        assert s.paper_text(done.paper_id) == path.read_text(encoding="utf-8")


def test_a_file_changed_since_it_was_loaded_is_refused(store_url, tmp_path):
    path = tmp_path / "plan.json"
    shutil.copy(EXAMPLES / "iass-2021-22.json", path)
    plan = apportion.load_plan(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["budget_lines"][0]["total"] = "£1.00"
    path.write_text(json.dumps(data), encoding="utf-8")
    with apportion.store.open(store_url) as s:
        with pytest.raises(StoreError, match=r"plan.json: the file does not hold the plan"):
            s.record_paper(plan)
        assert s.papers().empty and s.imports().empty


def test_a_paper_that_says_no_period_needs_one(store_url):
    with apportion.store.open(store_url) as s:
        for kind, name in (("disaggregation", "iass-disaggregation-2022.json"),
                           ("table", "tables/nct-pressures-2023-24.json")):
            with pytest.raises(InputError, match="does not say its period; give period="):
                s.record_paper(loaded(kind, name))
        with pytest.raises(InputError, match="'Q9' is not a period"):
            s.record_paper(loaded("table", "tables/nct-pressures-2023-24.json"),
                           period="Q9")
        assert s.papers().empty
    with apportion.store.open(store_url) as s:
        with pytest.raises(InputError, match="not 'apportion.kpis/1'"):
            s.record_paper(EXAMPLES / "iass-kpis.json")
        with pytest.raises(TypeError, match="not int"):
            s.record_paper(3)


def test_periods():
    assert period_of("2021/22") == pd.Period("2022", "Y-MAR")
    assert period_of("2021/2022").start_time == pd.Timestamp("2021-04-01")
    assert period_of("2023-12") == pd.Period("2023-12", "M")
    assert period_of("2021Q2") == pd.Period("2021Q2", "Q-DEC")
    assert period_of(pd.Period("2021-05", "M")) == pd.Period("2021-05", "M")
    with pytest.raises(InputError, match="'2021/23' is not a financial year"):
        period_of("2021/23")
    assert _papers._fy_month(2021, 1) == pd.Period("2021-04", "M")
    assert _papers._fy_month(2021, 12) == pd.Period("2022-03", "M")
    assert _papers._fy_quarter(2021, 4) == pd.Period("2022Q1", "Q-DEC")
    assert _papers._within_year(2023, "Period 09 - December 2023") == \
        pd.Period("2023-12", "M")
    assert _papers._within_year(2021, "P12") == pd.Period("2022-03", "M")
    assert _papers._within_year(2021, "Q3") == pd.Period("2021Q4", "Q-DEC")
    assert _papers._within_year(2021, None) == pd.Period("2022", "Y-MAR")


def test_exact_figures_keep_their_precision():
    for text in ("0.50", "-6400.01", "211654.00", "3200", "0.000"):
        num, den = _papers._pair(Decimal(text), "x")
        assert str(_papers._decimal(num, den)) == text
    assert _papers._pair(Decimal("-6400.01"), "x") == (-640001, 100)
    assert _papers._decimal(*_papers._pair(Decimal("1E+3"), "x")) == 1000
    with pytest.raises(StoreError, match="does not fit"):
        _papers._pair(Decimal("1E+30"), "the stated figure")


def test_a_failure_in_the_middle_leaves_the_store_unchanged(store_url, tmp_path, monkeypatch):
    path = tmp_path / "outturn.json"
    shutil.copy(EXAMPLES / "nct-outturn-2021-22.json", path)
    with apportion.store.open(store_url) as s:
        first = s.record_paper(load_outturn(path))
        before = (s.papers(superseded=True), s.imports(),
                  s.findings(superseded=True))
        data = json.loads(path.read_text(encoding="utf-8"))
        data["notes"] = [*data["notes"], "Issued again."]
        path.write_text(json.dumps(data), encoding="utf-8")
        new = load_outturn(path)
        real = _papers.insert_rows

        def half_then_a_bad_row(conn, table, rows):
            # The new version's row is in and the old one superseded; half
            # its findings go in, then one the database refuses.
            real(conn, table, rows[: len(rows) // 2])
            real(conn, table, [{**rows[len(rows) // 2], "status": None}])

        monkeypatch.setattr(_papers, "insert_rows", half_then_a_bad_row)
        with pytest.raises(StoreError, match="paper import failed and changed nothing"):
            s.record_paper(new)
        after = (s.papers(superseded=True), s.imports(),
                 s.findings(superseded=True))
        for a, b in zip(before, after):
            pd.testing.assert_frame_equal(a, b)
        # A figure that does not fit, found in the middle of the findings.
        monkeypatch.setattr(_papers, "insert_rows", real)
        findings = new.audit.findings
        findings[10] = dataclasses.replace(findings[10], stated=Decimal("1E+30"))
        with pytest.raises(StoreError, match=r"finding 11: stated 1E\+30 does not fit"):
            s.record_paper(new)
        after = (s.papers(superseded=True), s.imports(),
                 s.findings(superseded=True))
        for a, b in zip(before, after):
            pd.testing.assert_frame_equal(a, b)
        assert s.papers()["id"].tolist() == [first.paper_id]


def test_two_analysts_recording_the_papers_at_once(store_url, tmp_path):
    """Two processes record the same papers at the same time: each is
    stored once, by whichever came first; the other's import changed
    nothing and left no trace."""
    script = tmp_path / "analyst.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from pathlib import Path
        import apportion.store

        url, folder, name, *files = sys.argv[1:]
        with apportion.store.open(url) as s:
            (Path(folder) / f"{name}.ready").touch()
            while not (Path(folder) / "go").exists():
                time.sleep(0.005)
            for file in files:
                s.record_paper(file)
    """))
    files = [str(EXAMPLES / name) for kind, name, period, _ in KINDS if period is None]
    apportion.store.open(store_url).close()
    procs = [subprocess.Popen([sys.executable, str(script), store_url, str(tmp_path),
                               name, *order], stderr=subprocess.PIPE, text=True)
             for name, order in (("north", files), ("west", files[::-1]))]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"{n}.ready").exists() for n in ("north", "west")):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with apportion.store.open(store_url) as s:
        papers = s.papers(superseded=True)
        assert sorted(papers["file"]) == sorted(files)
        assert len(s.imports()) == len(files)
        assert len(s.findings()) == sum(len(findings_of(loaded(k, n)))
                                        for k, n, p, _ in KINDS if p is None)
