"""The IASS variation notice (Shared Services Joint Committee, 26
October 2022), as a disaggregation paper: the budget under each basis, the
staffing split, the figures carried from the 2021/22 service plan and the
notice timeline, from the example's own figures; broken copies the audit
must catch; errors that name the JSON path; the schema; the CLI."""

import copy
import datetime as dt
import json
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import apportion
from apportion.disaggregation import Disaggregation, load_disaggregation, parse_disaggregation

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "examples" / "iass-disaggregation-2022.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" /
                     "disaggregation.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paper():
    return load_disaggregation(str(EXAMPLE_PATH))


def finding(paper, check_id):
    [f] = [f for f in paper.audit.findings if f.id == check_id]
    return f


def test_the_budget_under_each_basis_is_exact_and_whole(paper):
    frame = paper.bases_frame()
    assert list(frame.index) == ["caseload", "new referrals", "contacts",
                                 "0-18 population", "current budget"]
    share = frame["share"]
    assert (share.sum(axis=1) == 429_000_00).all()
    assert share.loc["caseload"].tolist() == [186_304_49, 242_695_51]
    assert share.loc["current budget"].tolist() == [218_000_00, 211_000_00]
    assert (frame["percent"].sum(axis=1) == Decimal(100)).all()
    assert frame.loc["0-18 population", "percent"].tolist() == [Decimal("46.43"),
                                                                Decimal("53.57")]


def test_the_bases_agree_with_compare_bases(paper):
    bases = {b["name"]: b["values"] for b in EXAMPLE["bases"]}
    frame = apportion.compare_bases(EXAMPLE["budget"]["total"], bases)
    assert frame["share"].values.tolist() == paper.bases_frame()["share"].values.tolist()
    assert frame["percent"].values.tolist() == paper.bases_frame()["percent"].values.tolist()


def test_each_basis_stated_total_is_its_parts(paper):
    for k in range(3):
        f = finding(paper, f"bases.{k}.total")
        assert f.status == "ok"
    assert finding(paper, "bases.0.total").stated == 1202


def test_a_stated_total_of_counts_is_judged_exactly():
    broken = copy.deepcopy(EXAMPLE)
    broken["bases"][0]["stated_total"] = "1,203"   # one person more
    f = finding(Disaggregation(broken), "bases.0.total")
    assert f.status == "error"
    assert f.difference == 1
    broken["bases"][0]["stated_total"] = "1,220"   # two digits swapped
    f = finding(Disaggregation(broken), "bases.0.total")
    assert (f.status, f.cause) == ("error", "transposition")


def test_staffing_split(paper):
    assert paper.fte_now == Decimal("9.48")
    assert paper.fte_after == Decimal("11.48")
    assert paper.fte_extra == Decimal("2.00")
    posts = paper.staffing_frame("caseload")
    assert posts.loc["Manager", ["NNC", "WNC"]].tolist() == [Decimal(1), Decimal(1)]
    assert posts.loc["IAS Officer", ["NNC", "WNC"]].tolist() == [Decimal(1), Decimal(1)]
    assert posts.loc["Case officer", ["NNC", "WNC"]].tolist() == [Decimal("2.38"),
                                                                  Decimal("3.10")]
    for name in paper.basis_names:
        frame = paper.staffing_frame(name)
        assert frame.loc["Case officer", ["NNC", "WNC"]].sum() == Decimal("5.48")
    service = paper.service_fte_frame()
    assert (service.sum(axis=1) == Decimal("11.48")).all()
    assert finding(paper, "staffing.fte").status == "ok"
    with pytest.raises(KeyError, match="no basis 'area'"):
        paper.staffing_frame("area")


def test_the_extra_cost_is_a_range_never_a_midpoint(paper):
    x = paper.extra_cost
    assert (x.printed, x.low, x.high) == ("circa £80-90k", 80_000_00, 90_000_00)
    text = paper.report()
    assert "£80,000.00 to £90,000.00" in text
    assert "£85,000" not in text
    assert "£509,000.00 to £519,000.00" in text


def test_figures_carried_from_the_service_plan(paper):
    wnc = finding(paper, "cross_checks.0")
    assert (wnc.status, wnc.cause) == ("rounding", "truncation")
    assert "rounded it would be £212,000" in wnc.suggestion
    assert "a reading, not a printed fact" in wnc.suggestion
    total = finding(paper, "cross_checks.1")
    assert total.status == "error"
    assert total.stated - total.computed == Decimal("21955.00")
    assert "does not say which year" in total.suggestion


def test_the_notice_timeline(paper):
    t = paper.timeline
    assert t.notice_months == 9
    assert t.notice_from == dt.date(2022, 10, 26)
    assert t.notice_end == dt.date(2023, 7, 26)
    assert t.target == dt.date(2023, 3, 31)
    assert t.target_margin_days == -117
    assert not t.meets_notice
    assert [e[0] for e in t.events] == [dt.date(2021, 4, 1), dt.date(2022, 9, 21),
                                        dt.date(2022, 10, 26)]
    assert "117 days before notice would end" in paper.report()


def test_notice_at_the_month_end_is_clamped():
    shorter = copy.deepcopy(EXAMPLE)
    shorter["timeline"]["notice_from"]["date"] = "2022-05-31"
    t = Disaggregation(shorter).timeline
    assert t.notice_end == dt.date(2023, 2, 28)
    assert t.meets_notice and t.target_margin_days == 31


def test_the_paper_views(paper):
    assert paper.host == "NNC" and paper.codes == ["NNC", "WNC"]
    assert paper.budget == 429_000_00 and paper.budget_printed == "£429k"
    html = paper._repr_html_()
    # each table's title is its <caption> (the view's own markup)
    assert "FTE under each basis</caption>" in html and ">Timeline</caption>" in html
    assert "9 checks" in repr(paper)
    again = pickle.loads(pickle.dumps(paper))
    assert again.bases_frame().equals(paper.bases_frame())
    from_text = parse_disaggregation(EXAMPLE_PATH.read_text(encoding="utf-8"), "x.json")
    assert from_text.source == "x.json"


@pytest.mark.parametrize("change, path, words", [
    (lambda d: d.update(host="ZZZ"), r"\$\.host", "unknown authority"),
    (lambda d: d["budget"]["allocations"].update(XYZ="£1k"),
     r"\$\.budget\.allocations\.XYZ", "unknown authority"),
    (lambda d: d["bases"].append(copy.deepcopy(d["bases"][0])),
     r"\$\.bases\[5\]\.name", "listed twice"),
    (lambda d: d["staffing"]["posts"][2].pop("assigned"),
     r"\$\.staffing\.posts\[2\]\.assigned", "missing required key"),
    (lambda d: d["staffing"]["posts"][0].update(assigned={"NNC": "1", "WNC": "1"}),
     r"\$\.staffing\.posts\[0\]\.assigned", "rule is \"assigned\""),
    (lambda d: d["staffing"]["posts"][3].update(fte="5,48"),
     r"\$\.staffing\.posts\[3\]\.fte", "5,48"),
    (lambda d: d["timeline"]["target"].update(date="31/03/2023"),
     r"\$\.timeline\.target\.date", "31/03/2023"),
    (lambda d: d["timeline"]["events"].reverse(),
     r"\$\.timeline\.events\[1\]", "date order"),
    (lambda d: d["cross_checks"][0].update(stated="about £211k"),
     r"\$\.cross_checks\[0\]\.stated", "about"),
])
def test_bad_files_name_the_json_path(change, path, words):
    broken = copy.deepcopy(EXAMPLE)
    change(broken)
    with pytest.raises(apportion.PlanError, match=path) as info:
        Disaggregation(broken)
    assert words in str(info.value)


def test_the_schema_takes_the_example_and_refuses_what_the_reader_refuses():
    jsonschema.validate(EXAMPLE, SCHEMA)
    broken = copy.deepcopy(EXAMPLE)
    broken["staffing"]["posts"][2].pop("assigned")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)
    with pytest.raises(apportion.PlanError):
        Disaggregation(broken)


def test_run_prints_the_report_and_strict_fails_on_the_error():
    run = [sys.executable, "-m", "apportion", "run", str(EXAMPLE_PATH)]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    for heading in ("The budget (£429k) under each basis", "Staffing", "Timeline",
                    "Audit of the paper's figures"):
        assert heading in out
    strict = subprocess.run([*run, "--strict"], capture_output=True, text=True)
    assert strict.returncode == 1
    as_json = subprocess.run([*run, "--json"], capture_output=True, text=True,
                             check=True).stdout
    assert json.loads(as_json)["findings"][-1]["status"] == "error"


def test_the_iass_plugin_gives_the_same_notice_end(paper):
    # The notice period is the IASS service plan's (Schedule 3B2, 3.1), and
    # the IASS plugin's notice_end calculator is its rule: notice given at
    # the committee ends where the paper's timeline says.
    iass = apportion.service_area("IASS")
    t = paper.timeline
    assert iass.call("notice_end", t.notice_from) == t.notice_end


def test_the_reader_keeps_the_readers_limits(tmp_path):
    with pytest.raises(apportion.InputError, match="max_bytes|limit"):
        load_disaggregation(EXAMPLE_PATH, max_bytes=100)
    bad = tmp_path / "bad.json"
    bad.write_bytes(EXAMPLE_PATH.read_bytes().replace(b"Manager", b"Man\xffager", 1))
    with pytest.raises(apportion.PlanError, match="UTF-8"):
        load_disaggregation(bad)
