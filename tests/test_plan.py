"""Plans: the IASS 2021/22 example end to end, and every error path of the
loader, each asserting that the message names the JSON path."""

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import apportion
from apportion import PlanError

ROOT = Path(__file__).resolve().parent.parent
IASS = ROOT / "examples" / "iass-2021-22.json"


@pytest.fixture(scope="module")
def plan():
    return apportion.load_plan(IASS)


@pytest.fixture(scope="module")
def whole_q4():
    """The example as if Table 1 printed its Quarter 4 cell whole as
    £52,914 and named the authorities in its split.  It does neither: the
    page cuts the cell off after "£52,91" (the example carries it so), so
    the £2 these tests find is the checker's, not the paper's."""
    data = json.loads(IASS.read_text(encoding="utf-8"))
    assert data["stated"]["instalments"][3] == "£52,91…"
    data["stated"]["instalments"][3] = "£52,914"
    del data["readings"]
    return apportion.Plan(data)


def check(plan, check_id):
    return next(c for c in plan.checks if c.id == check_id)


def test_iass_apportionment(plan):
    frame = plan.apportionment()
    assert list(frame.columns) == ["description", "total", "NNC", "WNC"]
    row = frame.loc["40000154"]
    assert row["total"] == 40704500
    # 46.43% / 53.57% of £407,045: £188,990.9935 / £218,054.0065
    assert (row["NNC"], row["WNC"]) == (18899099, 21805401)
    assert frame.loc["Total", "NNC"] + frame.loc["Total", "WNC"] == 40704500
    assert frame["WNC"].dtype == "int64"


def test_iass_schedule(plan):
    sched = plan.schedule()
    assert list(sched.index) == ["Q1 Apr-Jun 2021", "Q2 Jul-Sep 2021",
                                 "Q3 Oct-Dec 2021", "Q4 Jan-Mar 2022"]
    assert sched["amount"].tolist() == [5291400, 5291400, 5291400, 5291200]
    assert sched["amount"].sum() == 21165400 == plan.recharge_share
    # Q4 is cut off by the page: no stated amount, only what is printed.
    assert sched["stated"].tolist()[:3] == [5291400] * 3
    assert pd.isna(sched["stated"].iloc[3]) and pd.isna(sched["difference"].iloc[3])
    assert sched["difference"].tolist()[:3] == [0, 0, 0]
    assert sched["printed"].tolist() == ["£52,914"] * 3 + ["£52,91…"]
    assert sched["kind"].tolist()[-1] == "balance"
    assert set(sched["payer"]) == {"WNC"} and set(sched["payee"]) == {"NNC"}


def test_iass_q4_cut_off_is_consistent_with_the_balancing_payment(plan):
    """Table 1's Quarter 4 cell reads "£52,91 Plus of minus reconcil
    amoun…": cut off, so it is checked only for consistency, never
    completed to £52,914."""
    assert plan.stated_printed[3] == ("cut off", "£52,91…")
    q4 = _finding(plan, "recharge.instalment[4]")
    assert q4.status == "ok" and q4.difference == 0
    assert ('the cell is cut off after "£52,91", so it can be £52,910.00 to '
            "£52,919.99") in q4.suggestion
    assert "the computed £52,912.00 is consistent with it." in q4.suggestion
    total = _finding(plan, "recharge.instalments.sum")
    assert total.status == "ok"
    assert "so they can sum to £211,652.00 to £211,661.99" in total.suggestion
    # Only the stated budget against the basis share disagrees, and that
    # finding says it rests on reading the unnamed split.
    assert {f.id for f in plan.audit.errors} == {"line[40000154].WNC.basis_share"}
    share = _finding(plan, "line[40000154].WNC.basis_share")
    assert 'reading the printed "53.57% 46.43%" as WNC 53.57%, NNC 46.43%' in share.check
    [reading] = plan.readings
    assert reading["of"] == "$.basis.values" and "does not say" in reading["evidence"]


def test_whole_q4_of_52914_would_be_2_over(whole_q4):
    plan = whole_q4
    total = check(plan, "recharge.instalments.sum")
    assert (total.stated, total.computed, total.difference) == (21165600, 21165400, 200)
    assert total.status == "mismatch"
    assert "£211,656.00" in total.finding and "£2.00 more" in total.finding
    share = check(plan, "line[40000154].WNC.basis_share")
    assert share.status == "mismatch"
    assert share.computed == 21805401 and share.difference == -640001
    assert check(plan, "line[40000154].WNC.funding").status == "ok"
    assert check(plan, "line[40000154].host_income").status == "ok"
    assert check(plan, "basis.percent_sum").status == "ok"
    assert {c.id for c in plan.failed_checks} == {
        "recharge.instalments.sum", "recharge.instalment[4]",
        "line[40000154].WNC.basis_share"}


def test_iass_carry_forward_apart(plan):
    cf = plan.carry_forwards()
    assert cf["amount"].tolist() == [12788235]
    assert cf.iloc[0]["kind"] == "receipt in advance"
    assert cf["amount"].sum() + plan.recharge_share == 12788235 + 21165400
    assert plan.schedule()["amount"].sum() == 21165400  # not mixed in


def test_report_text_and_html(plan, whole_q4):
    text = plan.report()
    # The paper's instalments are never summed to £211,656: Q4 is cut off.
    assert "£211,656.00" not in text and "£2.00 more" not in text
    assert "£52,91…" in text and "cut off" in text
    assert "£218,054.01" in text and "£6,400.01 less" in text
    assert "£127,882.35" in text
    assert 'Reading of $.basis.values: printed "53.57% 46.43%"' in text
    whole = whole_q4.report()
    assert "£211,656.00" in whole and "£2.00 more" in whole
    html = plan._repr_html_()
    assert "<table" in html and "£52,912.00" in html and "£52,91…" in html
    assert "1 failed" in repr(plan)
    assert isinstance(plan.checks_frame(), pd.DataFrame)


def test_cli_run_prints_report():
    out = subprocess.run([sys.executable, "-m", "apportion", "run", str(IASS)],
                         capture_output=True, text=True, check=True).stdout
    assert "Q4 Jan-Mar 2022" in out and "£52,91…" in out
    assert "£211,656.00" not in out
    js = subprocess.run([sys.executable, "-m", "apportion", "run", "--json", str(IASS)],
                        capture_output=True, text=True, check=True).stdout
    assert any(c["id"] == "recharge.instalments.sum" for c in json.loads(js)["checks"])
    strict = subprocess.run([sys.executable, "-m", "apportion", "run", "--strict", str(IASS)],
                            capture_output=True, text=True)
    assert strict.returncode == 1


def test_cli_reports_plan_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "apportion.plan/1",\n "authorities": 5}')
    res = subprocess.run([sys.executable, "-m", "apportion", "run", str(bad)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "$.authorities" in res.stderr and "bad.json:2:" in res.stderr


def test_actuals_give_balancing_payment():
    data = json.loads(IASS.read_text())
    data["actuals"] = {"expenditure": "£400,000"}
    plan = apportion.parse_plan(json.dumps(data))
    # WNC bears 211,654 / 407,045 of the actual spend.
    from fractions import Fraction
    exact = Fraction(40000000 * 21165400, 40704500)
    actual_share = int(exact + Fraction(1, 2))  # half up; the value is positive
    assert plan.balancing["actual_share"] == actual_share
    assert plan.balancing["final_instalment"] == actual_share - 3 * 5291400
    assert plan.schedule()["after_actuals"].sum() == actual_share
    data["recharge"]["of"] = "basis"
    plan = apportion.parse_plan(json.dumps(data))
    assert plan.recharge_share == 21805401
    assert plan.balancing["actual_share"] == apportion.apportion(
        40000000, ["46.43", "53.57"])[1]


def test_wrong_split_is_flagged_not_refused():
    # The Children's Trust Joint Committee papers of 6 March 2024: "44.16% for NNC and 56.84% for WNC" sums to 101%.
    data = json.loads(IASS.read_text())
    data["basis"]["values"] = {"NNC": "44.16", "WNC": "56.84"}
    plan = apportion.parse_plan(json.dumps(data))
    c = check(plan, "basis.percent_sum")
    assert c.status == "mismatch" and c.stated == 10100 and c.scale == 2
    assert "101.00%" in c.finding


def test_metric_basis_and_pence_keys():
    data = {
        "format": "apportion.plan/1",
        "authorities": [{"code": "NNC"}, {"code": "WNC"}],
        "basis": {"name": "0-17 population 2023", "kind": "metric",
                  "values": {"NNC": 80112, "WNC": "93,502"}},
        "budget_lines": [
            {"id": "a", "total_pence": 9007199254740993},
            {"id": "b", "total": "(3,540)"},
        ],
        "unit": "£000",
    }
    plan = apportion.parse_plan(json.dumps(data))
    frame = plan.apportionment()
    assert frame.loc["a", "total"] == 9007199254740993
    assert frame.loc["b", "total"] == -354000000
    assert frame.loc["Total", "NNC"] + frame.loc["Total", "WNC"] == 9007199254740993 - 354000000
    assert plan.recharge is None and plan.checks == []


def test_stated_total_checked_when_every_authority_stated():
    data = json.loads(IASS.read_text())
    data["budget_lines"][0]["stated"]["NNC"] = {"amount": "£195,392"}
    plan = apportion.parse_plan(json.dumps(data))
    c = check(plan, "line[40000154].total")
    # Three figures printed to the pound: £1 apart is their rounding (up
    # to £1.50 either way), as the audit's conventions have it.
    assert c.difference == -100 and c.status == "rounding"
    total = _finding(plan, "line[40000154].total")
    assert (total.status, total.cause, total.tolerance) == ("rounding", "rounding", Decimal("1"))
    data["budget_lines"][0]["stated"]["NNC"] = {"amount": "£195,394"}
    plan = apportion.parse_plan(json.dumps(data))
    c = check(plan, "line[40000154].total")
    assert c.difference == -300 and c.status == "mismatch"


def test_plan_error_pickles():
    import pickle
    err = PlanError("x", "$.a", 2, 3)
    back = pickle.loads(pickle.dumps(err))
    assert (back.path, back.line, back.column) == ("$.a", 2, 3)


def test_missing_file_is_oserror(tmp_path):
    with pytest.raises(OSError, match="cannot open plan"):
        apportion.load_plan(tmp_path / "nope.json")


# ---- every error path of the loader -------------------------------------

BASE = json.loads(IASS.read_text())


def mutate(fn):
    data = copy.deepcopy(BASE)
    fn(data)
    return data


def setter(path, value):
    def fn(data):
        *parents, last = path
        node = data
        for p in parents:
            node = node[p]
        node[last] = value
    return fn


def deleter(path):
    def fn(data):
        *parents, last = path
        node = data
        for p in parents:
            node = node[p]
        del node[last]
    return fn


def chain(*fns):
    def fn(data):
        for f in fns:
            f(data)
    return fn


CASES = [
    # (mutation, expected JSON path, fragment of the message)
    (setter(["format"], "apportion.plan/2"), "$.format", "apportion.plan/1"),
    (deleter(["format"]), "$.format", "missing required key"),
    (setter(["typo"], 1), "$.typo", "unknown key"),
    (setter(["unit"], "$"), "$.unit", "unknown unit"),
    (setter(["title"], 5), "$.title", "expected a string"),
    (setter(["notes"], 5), "$.notes", "expected text"),
    (setter(["source"], []), "$.source", "expected a string"),
    (deleter(["authorities"]), "$.authorities", "missing required key"),
    (setter(["authorities"], {}), "$.authorities", "expected an array"),
    (setter(["authorities"], []), "$.authorities", "at least one authority"),
    (setter(["authorities", 0], "NNC"), "$.authorities[0]", "expected an object"),
    (setter(["authorities", 0], {"name": "x"}), "$.authorities[0].code", "missing required key"),
    (setter(["authorities", 0], {"code": ""}), "$.authorities[0].code", "cannot be empty"),
    (setter(["authorities", 1], {"code": "NNC"}), "$.authorities[1].code", "declared twice"),
    (setter(["authorities", 0, "colour"], "red"), "$.authorities[0].colour", "unknown key"),
    (setter(["authorities", 0, "name"], 1), "$.authorities[0].name", "expected a string"),
    (setter(["agreement"], []), "$.agreement", "expected an object"),
    (setter(["agreement", "host"], "NCC"), "$.agreement.host", "unknown authority \"NCC\""),
    (deleter(["agreement", "receiving"]), "$.agreement.receiving", "give both"),
    (setter(["agreement", "receiving"], "NNC"), "$.agreement.receiving", "cannot be the host"),
    (setter(["agreement", "notice_months"], 9.5), "$.agreement.notice_months", "expected an integer"),
    (setter(["agreement", "notice_months"], -1), "$.agreement.notice_months", "0 to 1200"),
    (deleter(["basis"]), "$.basis", "missing required key"),
    (setter(["basis", "kind"], "ratio"), "$.basis.kind", "unknown basis kind"),
    (deleter(["basis", "kind"]), "$.basis.kind", "missing required key"),
    (setter(["basis", "mode"], "dhondt"), "$.basis.mode", "unknown apportionment mode"),
    (deleter(["basis", "values"]), "$.basis.values", "missing required key"),
    (setter(["basis", "values"], [1, 2]), "$.basis.values", "expected an object"),
    (setter(["basis", "values", "NCC"], "1"), "$.basis.values.NCC", "unknown authority"),
    (setter(["basis", "values", "WNC"], True), "$.basis.values.WNC", "expected a number"),
    (setter(["basis", "values", "WNC"], "53.5x"), "$.basis.values.WNC", "decimal number"),
    (setter(["basis", "values", "WNC"], "-53.57"), "$.basis.values.WNC", "cannot be negative"),
    (deleter(["basis", "values", "WNC"]), "$.basis.values.WNC", "no basis value"),
    (setter(["basis", "values"], {"NNC": 0, "WNC": "0.0"}), "$.basis.values", "every basis value is zero"),
    (setter(["basis", "values"], {"NNC": "0.000000000000000001", "WNC": "9223372036854775807"}),
     "$.basis.values", "overflows 64 bits"),
    (setter(["basis", "values", "WNC"], "1e30"), "$.basis.values.WNC", "more digits"),
    (deleter(["budget_lines"]), "$.budget_lines", "missing required key"),
    (setter(["budget_lines"], {}), "$.budget_lines", "expected an array"),
    (setter(["budget_lines"], []), "$.budget_lines", "at least one budget line"),
    (setter(["budget_lines", 0, "extra"], 1), "$.budget_lines[0].extra", "unknown key"),
    (deleter(["budget_lines", 0, "id"]), "$.budget_lines[0].id", "missing required key"),
    (deleter(["budget_lines", 0, "total"]), "$.budget_lines[0].total", "missing required key"),
    (setter(["budget_lines", 0, "total"], 407045), "$.budget_lines[0].total", "total_pence"),
    (setter(["budget_lines", 0, "total"], "£407,04S"), "$.budget_lines[0].total", "character 8"),
    (setter(["budget_lines", 0, "total_pence"], 1), "$.budget_lines[0].total_pence", "not both"),
    (chain(deleter(["budget_lines", 0, "total"]),
           setter(["budget_lines", 0, "total_pence"], 1.5)),
     "$.budget_lines[0].total_pence", "expected an integer"),
    (chain(deleter(["budget_lines", 0, "total"]),
           setter(["budget_lines", 0, "total_pence"], 2**63)),
     "$.budget_lines[0].total_pence", "does not fit in 64 bits"),
    (chain(deleter(["budget_lines", 0, "total"]),
           setter(["budget_lines", 0, "total_pence"], "1")),
     "$.budget_lines[0].total_pence", "expected an integer"),
    (setter(["budget_lines", 0, "stated"], []), "$.budget_lines[0].stated", "expected an object"),
    (setter(["budget_lines", 0, "stated", "XYZ"], {"amount": "1"}),
     "$.budget_lines[0].stated.XYZ", "unknown authority"),
    (setter(["budget_lines", 0, "stated", "WNC"], "£211,654"),
     "$.budget_lines[0].stated.WNC", "expected an object"),
    (deleter(["budget_lines", 0, "stated", "WNC", "amount"]),
     "$.budget_lines[0].stated.WNC.amount", "missing required key"),
    (setter(["budget_lines", 0, "stated", "WNC", "funding"], {}),
     "$.budget_lines[0].stated.WNC.funding", "expected an array"),
    (deleter(["budget_lines", 0, "stated", "WNC", "funding", 1, "source"]),
     "$.budget_lines[0].stated.WNC.funding[1].source", "missing required key"),
    (setter(["budget_lines", 0, "stated", "WNC", "funding", 0, "amount"], "10.829.0"),
     "$.budget_lines[0].stated.WNC.funding[0].amount", "cannot read money"),
    (setter(["budget_lines", 0, "host_income"], "-£211,654.001"),
     "$.budget_lines[0].host_income", "more precise than a penny"),
    (setter(["recharge"], "quarterly"), "$.recharge", "expected an object"),
    (setter(["recharge", "payer"], "NCC"), "$.recharge.payer", "unknown authority"),
    (setter(["recharge", "payee"], "WNC"), "$.recharge.payee", "same authority"),
    (chain(deleter(["agreement"]), deleter(["recharge", "payee"])),
     "$.recharge.payee", "name the payer and payee"),
    (setter(["recharge", "of"], "actuals"), "$.recharge.of", "expected \"stated\""),
    (deleter(["budget_lines", 0, "stated", "WNC"]),
     "$.budget_lines[0].stated.WNC", "states none for WNC"),
    (setter(["recharge", "instalments"], 13), "$.recharge.instalments", "1 to 12"),
    (setter(["recharge", "instalments"], "4"), "$.recharge.instalments", "expected an integer"),
    (setter(["recharge", "equal_part"], "shillings"), "$.recharge.equal_part", "\"pounds\""),
    (setter(["recharge", "rounding"], "bankers"), "$.recharge.rounding", "unknown rounding"),
    (setter(["actuals"], {}), "$.actuals.expenditure", "missing required key"),
    (setter(["actuals"], {"spend": "1"}), "$.actuals.spend", "unknown key"),
    (setter(["actuals"], {"expenditure": 5}), "$.actuals.expenditure", "expenditure_pence"),
    (setter(["carry_forwards"], {}), "$.carry_forwards", "expected an array"),
    (deleter(["carry_forwards", 0, "amount"]), "$.carry_forwards[0].amount", "missing required key"),
    (setter(["carry_forwards", 0, "payer"], "NCC"), "$.carry_forwards[0].payer", "unknown authority"),
    (chain(deleter(["agreement"]), deleter(["carry_forwards", 0, "payer"])),
     "$.carry_forwards[0].payer", "name the payer and payee"),
    (setter(["stated", "recharges"], []), "$.stated.recharges", "unknown key"),
    (setter(["stated", "instalments"], "£52,914"), "$.stated.instalments", "expected an array"),
    (setter(["stated", "instalments"], ["£1"] * 3), "$.stated.instalments", "3 instalments stated"),
    (deleter(["recharge"]), "$.stated.instalments", "need a $.recharge rule"),
    (setter(["stated", "instalments", 2], 52914), "$.stated.instalments[2]", "expected money"),
    (setter(["stated", "instalments", 3], "£52,9l4"), "$.stated.instalments[3]", "cannot read money"),
]


@pytest.mark.parametrize("mutation, path, fragment", CASES,
                         ids=[f"{c[1]}:{c[2]}" for c in CASES])
def test_error_names_the_path(mutation, path, fragment):
    text = json.dumps(mutate(mutation), indent=2, ensure_ascii=False)
    with pytest.raises(PlanError) as info:
        apportion.parse_plan(text, "plan.json")
    err = info.value
    assert err.path == path, str(err)
    assert path in str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"plan.json:{err.line}:{err.column}: ")
    assert err.line >= 1 and err.column >= 1


def test_error_line_and_column_point_at_the_value():
    text = ('{\n  "format": "apportion.plan/1",\n  "authorities": [{"code": "A"}],\n'
            '  "basis": {"kind": "metric", "values": {"A": 1}},\n'
            '  "budget_lines": [{"id": "x", "total": "£12,34"}]\n}')
    with pytest.raises(PlanError) as info:
        apportion.parse_plan(text, "p.json")
    assert (info.value.line, info.value.column) == (5, 41)
    assert text.splitlines()[4][40:].startswith('"£12,34"')


@pytest.mark.parametrize("text, fragment, line, column", [
    ('{"format": "apportion.plan/1",\n "x": }', "invalid JSON", 2, 7),
    ("[1, 2]", "expected an object", 1, 1),
    ('{"format": "apportion.plan/1"} trailing', "invalid JSON", 1, 32),
    ('{"format": "apportion.plan/1", "format": 2}', "duplicate key", 1, 42),
    ('{"format": "apportion.plan/1"\x00}', "NUL byte", 1, 30),
    ("", "invalid JSON", 1, 1),
])
def test_syntax_errors_have_positions(text, fragment, line, column):
    with pytest.raises(PlanError) as info:
        apportion.parse_plan(text, "s.json")
    assert fragment in str(info.value)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)


def test_every_truncation_is_a_clean_error():
    text = IASS.read_text()
    for cut in range(0, len(text), 7):
        with pytest.raises(PlanError) as info:
            apportion.parse_plan(text[:cut], "cut.json")
        assert info.value.line >= 1


@pytest.mark.parametrize("seed", range(3))
def test_random_byte_damage_never_crashes(seed):
    import random
    rng = random.Random(seed)
    raw = IASS.read_text()
    for _ in range(300):
        chars = list(raw)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice('{}[]",:0-£\\ ax9.')
        try:
            apportion.parse_plan("".join(chars), "damaged.json")
        except PlanError as exc:
            assert exc.path.startswith("$")


# ---- the plan's audit: the shared report, and the old names kept a release ----

def _finding(plan, check_id):
    return next(f for f in plan.audit.findings if f.id == check_id)


def test_checks_are_findings_of_the_shared_audit_report(whole_q4):
    plan = whole_q4
    from decimal import Decimal

    from apportion.audit import Report

    assert isinstance(plan.audit, Report)
    assert len(plan.audit) == 9 and not plan.ok and not plan.audit.ok
    assert plan.audit.counts() == {"ok": 6, "rounding": 0, "error": 3}
    total = _finding(plan, "recharge.instalments.sum")
    assert (total.stated, total.computed, total.difference, total.tolerance) == (
        Decimal("211656.00"), Decimal("211654.00"), Decimal("2.00"), Decimal("0.00"))
    assert (total.status, total.cause, total.kind) == ("error", "unexplained", "total")
    assert total.check == ("The 4 stated instalments sum to WNC's stated budget "
                           "being recharged")
    assert total.suggestion == (
        "The 4 stated instalments sum to WNC's stated budget being recharged: "
        "it does not — stated £211,656.00, computed £211,654.00; the stated "
        "figure is £2.00 more.")
    share = _finding(plan, "line[40000154].WNC.basis_share")
    assert (share.kind, share.row_label, share.column_label) == (
        "figure", "40000154", "WNC")
    assert share.tolerance == Decimal("0.50")  # printed to the pound
    pct = _finding(plan, "basis.percent_sum")
    assert pct.unit == "%" and total.unit is None
    assert pct.suggestion.endswith(": yes, 100.00%.")
    assert {f.id for f in plan.audit.errors} == {
        "recharge.instalments.sum", "recharge.instalment[4]",
        "line[40000154].WNC.basis_share"}


def test_findings_frame_is_the_reports(plan, whole_q4):
    frame = plan.findings()
    pd.testing.assert_frame_equal(frame, plan.audit.to_frame())
    assert len(frame) == 9 and (frame["status"] == "error").sum() == 1
    assert (whole_q4.findings()["status"] == "error").sum() == 3


def test_same_figures_and_judgements_as_the_old_checks(plan):
    with pytest.warns(DeprecationWarning, match="Plan.checks"):
        old = plan.checks
    assert [c.id for c in old] == [f.id for f in plan.audit.findings]
    for c, f in zip(old, plan.audit.findings):
        assert c.description == f.check and c.finding == f.suggestion
        assert {"ok": "ok", "rounding": "rounding", "mismatch": "error"}[
            c.status] == f.status


def test_old_names_warn_and_give_the_same(plan):
    with pytest.warns(DeprecationWarning, match="checks_frame"):
        frame = plan.checks_frame()
    pd.testing.assert_frame_equal(frame, plan.findings())
    with pytest.warns(DeprecationWarning, match="audit.errors"):
        failed = plan.failed_checks
    assert {c.id for c in failed} == {f.id for f in plan.audit.errors}
    with pytest.warns(DeprecationWarning, match="Check is deprecated"):
        c = apportion.Check("x", "A check", "money", 2, 5, 3, 2, "mismatch")
    assert not c.ok and "£0.02 more" in c.finding


def test_a_share_correctly_rounded_is_ok():
    # WNC's stated £211,654 (printed to the pound) against its share of
    # £211,654.16 is that share correctly rounded: ok, by the audit's
    # rounding conventions (check_figure's), with the cause "rounding".
    data = json.loads(IASS.read_text())
    data["basis"]["values"] = {"NNC": "48.00227", "WNC": "51.99773"}
    plan = apportion.parse_plan(json.dumps(data))
    share = _finding(plan, "line[40000154].WNC.basis_share")
    assert share.status == "ok" and share.cause == "rounding"
    assert share.suggestion.endswith(
        "yes, £211,654.00, the computed £211,654.16 rounded to the nearest £1.")
    assert apportion.audit.check_figure("£211,654", Decimal("211654.16")).status == "ok"


def test_a_share_cut_not_rounded_is_truncation():
    # £211,654 for a share of £211,654.65: cut toward zero, not rounded.
    data = json.loads(IASS.read_text())
    data["basis"]["values"] = {"NNC": "48.00215", "WNC": "51.99785"}
    plan = apportion.parse_plan(json.dumps(data))
    share = _finding(plan, "line[40000154].WNC.basis_share")
    assert (share.status, share.cause) == ("rounding", "truncation")
    assert share.computed == Decimal("211654.65")
    assert share.suggestion.endswith(
        "cut, not rounded — stated £211,654.00, computed £211,654.65; the "
        "stated figure is £0.65 less, the computed figure cut toward zero to "
        "the nearest £1 (truncation); rounded it would be £211,655.00.")
    # The same judgement as check_figure's on the same figures.
    same = apportion.audit.check_figure("£211,654", Decimal("211654.65"))
    assert (same.status, same.cause) == (share.status, share.cause)


def test_a_share_neither_rounded_nor_cut_is_an_error():
    # The seed's own figures: £211,654 against the basis share £218,054.01.
    plan = apportion.load_plan(IASS)
    share = _finding(plan, "line[40000154].WNC.basis_share")
    assert (share.status, share.cause) == ("error", "unexplained")
    assert share.difference == Decimal("-6400.01")


def test_funding_sum_by_the_audits_conventions():
    # The seed: £211,654 = 10,829 + 200,825 exactly.  Cut funding figures
    # (10,829.90 printed 10,829) leave the stated total above their sum by
    # more than rounding allows: truncation, as check_total names it.
    data = json.loads(IASS.read_text())
    plan = apportion.parse_plan(json.dumps(data))
    funding = _finding(plan, "line[40000154].WNC.funding")
    assert (funding.status, funding.cause) == ("ok", "none")
    stated = data["budget_lines"][0]["stated"]["WNC"]
    stated["amount"] = "£211,653.90"
    stated["funding"] = [{"source": "WNC DSG", "amount": "10,829.30"},
                         {"source": "WNC general fund", "amount": "200,824.60"}]
    plan = apportion.parse_plan(json.dumps(data))
    funding = _finding(plan, "line[40000154].WNC.funding")
    assert (funding.status, funding.cause) == ("ok", "none")
    stated["funding"] = [{"source": "WNC DSG", "amount": "10,829"},
                         {"source": "WNC general fund", "amount": "200,825.60"}]
    stated["amount"] = "£211,655.50"
    plan = apportion.parse_plan(json.dumps(data))
    funding = _finding(plan, "line[40000154].WNC.funding")
    assert (funding.status, funding.cause) == ("rounding", "truncation")
    assert "(truncation)" in funding.suggestion
    stated["amount"] = "£211,664"
    plan = apportion.parse_plan(json.dumps(data))
    funding = _finding(plan, "line[40000154].WNC.funding")
    assert funding.status == "error"


def test_host_income_judged_at_its_printed_precision():
    # NNC's income of -£211,654 against WNC's stated £211,654.40: the
    # negative of it rounded to the pound, ok; against £211,654.70 it is
    # cut toward zero: truncation.
    data = json.loads(IASS.read_text())
    stated = data["budget_lines"][0]["stated"]["WNC"]
    del stated["funding"]
    for amount, verdict in (("£211,654.40", ("ok", "rounding")),
                            ("£211,654.70", ("rounding", "truncation")),
                            ("£211,656.00", ("error", "unexplained"))):
        stated["amount"] = amount
        plan = apportion.parse_plan(json.dumps(data))
        income = _finding(plan, "line[40000154].host_income")
        assert (income.status, income.cause) == verdict, amount


def test_check_text_never_cut_mid_character():
    # Issue 17, finding 3: a basis name of 162 "é" once had a check's text
    # cut by a fixed buffer in the middle of a character (UnicodeDecodeError).
    data = json.loads(IASS.read_text())
    name = "é" * 162
    data["basis"]["name"] = name
    data["budget_lines"][0]["id"] = name
    plan = apportion.parse_plan(json.dumps(data))
    findings = plan.audit.findings
    assert len(findings) == 9
    share = _finding(plan, f"line[{name}].WNC.basis_share")
    assert f"by the {name} basis" in share.check
    assert all(name in f.check and name in f.suggestion
               for f in findings if f.id.startswith("line[") or f.id.startswith("basis"))
