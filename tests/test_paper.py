"""The papers' common base (apportion._paper.Paper): one way to make each
paper from what a user has, one audit shape, one text and HTML layout; and
the old names the naming rule replaced, kept a release with a warning."""

import json
import pickle
import warnings
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import apportion
from apportion import _core
from apportion._paper import Paper
from apportion._present import audit_html, audit_lines
from apportion.audit import Report, check_table
from apportion.contract import ContractSum, load_contract_sum
from apportion.mtfp import MTFP, load_mtfp
from apportion.outturn import Outturn, load_outturn, q4_balance
from apportion.savings import Savings, load_savings
from apportion.scorecard import Scorecard, scorecard

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

PAPERS = [
    (Outturn, load_outturn, "nct-outturn-2021-22.json", "<outturn>"),
    (ContractSum, load_contract_sum, "nct-contract-sum-2024-25.json", "<contract sum>"),
    (MTFP, load_mtfp, "nct-mtfp-2017-21.json", "<mtfp>"),
    (Savings, load_savings, "nct-savings-2023-24.json", "<savings>"),
]
IDS = [cls.__name__ for cls, *_ in PAPERS]


@pytest.fixture(params=PAPERS, ids=IDS)
def paper(request):
    cls, load, name, default = request.param
    return cls, load, EXAMPLES / name, default


def test_every_paper_is_made_from_a_path_a_text_or_a_dict(paper):
    cls, load, path, default = paper
    text = path.read_text(encoding="utf-8")
    loaded = load(path)
    assert isinstance(loaded, Paper) and type(loaded) is cls
    for made in (cls(path), cls(str(path)), cls.from_file(path),
                 cls.from_file(str(path)), cls.from_text(text, source=str(path))):
        assert type(made) is cls
        assert made.source == str(path)
        assert made.report() == loaded.report()
    # Without a name, text and a dict are named after the paper.
    from_text, from_dict = cls.from_text(text), cls(json.loads(text))
    assert from_text.source == from_dict.source == default
    assert cls.from_dict(json.loads(text)).source == default
    assert cls.from_dict(json.loads(text), source="x.json").source == "x.json"
    same = loaded.report().replace(str(path), default)
    assert from_text.report() == from_dict.report() == same
    assert from_dict.audit.to_dict() == from_text.audit.to_dict()


def test_the_audit_has_one_shape_on_every_paper(paper):
    cls, load, path, _ = paper
    p = load(path)
    assert isinstance(p.audit, Report)
    assert p.ok == p.audit.ok
    pdt.assert_frame_equal(p.findings(), p.audit.to_frame())
    assert len(p.findings()) == len(p.audit) > 0
    text = p.report()
    assert str(p) == text
    # the heading first, the audit last, for every paper
    assert text.startswith(p.title or p.source)
    assert text.endswith("\n".join(["", *audit_lines(p.audit)]))
    page = p._repr_html_()
    # the view is one <div class="apportion-view">; the audit closes it
    assert page.endswith(audit_html(p.audit) + "\n</div>")
    assert repr(p).startswith(f"<{cls.__name__} ")
    counts = p.audit.counts()
    assert f"{len(p.audit)} checks, {counts['error']} error" in repr(p)


def test_a_paper_pickles_whole(paper):
    cls, load, path, _ = paper
    p = load(path)
    back = pickle.loads(pickle.dumps(p))
    assert type(back) is cls and back.report() == p.report()
    pdt.assert_frame_equal(back.findings(), p.findings())


def test_the_constructor_refuses_what_is_not_a_path_or_a_dict(paper):
    cls, _, path, _ = paper
    with pytest.raises(TypeError, match=f"{cls.__name__}.. takes a file's path"):
        cls(path.read_bytes())
    with pytest.raises(TypeError, match="not int"):
        cls(3)


def test_the_glues_dict_is_not_a_public_input():
    """Outturn(data) used to take the core's dict; now a dict is the file's
    JSON form, and the core's own shape goes only through _from_core."""
    path = EXAMPLES / "nct-outturn-2021-22.json"
    data = _core.load_outturn(str(path))
    assert Outturn._from_core(data).report() == load_outturn(path).report()
    with pytest.raises(apportion.PlanError):
        Outturn(data)


def test_a_subclass_must_name_its_core_reader(tmp_path):
    class Draft(Paper):
        pass

    with pytest.raises(NotImplementedError, match="names its core reader"):
        Draft(tmp_path / "x.json")
    with pytest.raises(NotImplementedError):
        Draft.from_text("{}")


# ---- old names, kept one release ------------------------------------------------

def frames_equal(a, b):
    if a is None or b is None:
        assert a is b
    else:
        pdt.assert_frame_equal(a, b)


RENAMED = [
    (Outturn, "nct-outturn-2021-22.json", "lines", "lines_frame"),
    (Outturn, "nct-outturn-2021-22.json", "areas", "areas_frame"),
    (Outturn, "nct-outturn-2021-22.json", "by_authority", "by_authority_frame"),
    (Outturn, "nct-outturn-2021-22.json", "grants", "grants_frame"),
    (Outturn, "nct-outturn-2021-22.json", "formatted", "formatted_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "blocks", "blocks_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "business_cases",
     "business_cases_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "items", "items_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "tables", "tables_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "by_authority",
     "by_authority_frame"),
    (ContractSum, "nct-contract-sum-2024-25.json", "formatted", "formatted_frame"),
    (MTFP, "nct-mtfp-2017-21.json", "by_year", "by_year_frame"),
]


@pytest.mark.parametrize("cls, name, old, new", RENAMED,
                         ids=[f"{c.__name__}.{o}" for c, _, o, _ in RENAMED])
def test_an_old_name_warns_and_gives_the_same(cls, name, old, new):
    p = cls.from_file(EXAMPLES / name)
    with pytest.warns(DeprecationWarning,
                      match=rf"{cls.__name__}\.{old} is deprecated .* use {new} instead"):
        frames_equal(getattr(p, old)(), getattr(p, new)())
    assert isinstance(getattr(p, new)(), (pd.DataFrame, type(None)))


def test_mtfp_by_year_keeps_its_unit_under_the_old_name():
    m = MTFP.from_file(EXAMPLES / "nct-mtfp-2017-21.json")
    with pytest.warns(DeprecationWarning, match="MTFP.by_year"):
        old = m.by_year(unit="£000")
    frames_equal(old, m.by_year_frame(unit="£000"))


def test_q4_balance_frame_is_to_frame():
    b = q4_balance(EXAMPLES / "iass-2021-22.json", "£420,000")
    with pytest.warns(DeprecationWarning, match=r"Q4Balance\.frame is deprecated"):
        old = b.frame()
    frames_equal(old, b.to_frame())


def test_the_new_names_do_not_warn():
    o = Outturn.from_file(EXAMPLES / "nct-outturn-2021-22.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        o.lines_frame(), o.areas_frame(), o.by_authority_frame()
        o.formatted_frame(), o.grants_frame(), o.findings(), o.report()
        o._repr_html_()


# ---- options by keyword ---------------------------------------------------------

def test_report_options_by_position_still_work_with_a_warning():
    r = check_table(EXAMPLES / "tables" / "nct-outturn-2021-22.json")
    with pytest.warns(DeprecationWarning, match="pass it by keyword"):
        assert r.report(True) == r.report(everything=True)
    with pytest.warns(DeprecationWarning, match="everything, heading"):
        assert r.report(False, False) == r.report(heading=False)
    with pytest.warns(DeprecationWarning, match="heading"):
        assert r.to_html(False) == r.to_html(heading=False)
    with pytest.warns(DeprecationWarning, match="findings, file"):
        made = Report("t", "s", "£", None, "f.json")
    assert (made.file, len(made)) == ("f.json", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.report(everything=True, heading=False)
        Report("t", "s", "£", file="f.json")


def test_scorecard_options_by_position_still_work_with_a_warning():
    kpi = apportion.KPI("K1", target=90, tolerance=5)
    values = {"K1": {"2021-Q1": 80, "2021-Q2": 95}}
    new = scorecard(kpi, values, compare="previous", title="t")
    with pytest.warns(DeprecationWarning, match="compare, title"):
        old = scorecard(kpi, values, "previous", "t")
    pdt.assert_frame_equal(old.to_frame(), new.to_frame())
    assert old.title == "t"
    measure = pd.DataFrame({"within": [9, 8], "total": [10, 10]},
                           index=pd.Index(["Q1", "Q2"], name="period"))
    with pytest.warns(DeprecationWarning, match="period_level"):
        old = Scorecard.from_measure(kpi, measure, -1, "previous", "m")
    new = Scorecard.from_measure(kpi, measure, title="m")
    pdt.assert_frame_equal(old.to_frame(), new.to_frame())


# ---- the plan is a paper too ------------------------------------------------------
# Its report keeps its own layout (the apportionment, the schedule, then the
# checks in the plan's words), so only construction, the audit and pickling
# are held to the shared shape here.

def test_a_plan_is_a_paper_made_from_a_path_a_text_or_a_dict():
    path = EXAMPLES / "iass-2021-22.json"
    text = path.read_text(encoding="utf-8")
    loaded = apportion.load_plan(path)
    assert isinstance(loaded, Paper) and type(loaded) is apportion.Plan
    for made in (apportion.Plan(path), apportion.Plan(str(path)),
                 apportion.Plan.from_file(path),
                 apportion.Plan.from_text(text, source=str(path))):
        assert made.source == str(path) and made.report() == loaded.report()
    from_dict = apportion.Plan(json.loads(text))
    assert from_dict.source == "<plan>"
    assert from_dict.report() == loaded.report().replace(str(path), "<plan>")
    assert isinstance(loaded.audit, Report) and loaded.ok == loaded.audit.ok
    pdt.assert_frame_equal(loaded.findings(), loaded.audit.to_frame())
    back = pickle.loads(pickle.dumps(loaded))
    assert back.report() == loaded.report()
    with pytest.raises(TypeError, match="Plan.. takes a file's path"):
        apportion.Plan(b"{}")
