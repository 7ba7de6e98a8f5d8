"""The three first-party service areas (plugins/iass, plugins/nct,
plugins/transformation) through the Python API, with the committee papers' real
figures:

* IASS: Schedule 3B2 (WNC's 2021/22 budget share £211,654, £52,914
  printed for each of Q1-Q3, the Q4 cell cut off after "£52,91"; the
  9-month notice period; IASS1-3).
* NCT: the SDC annual report 2021/22 (the outturn table in £000; the
  contract split 44.16% / 55.84%).
* TRANSFORMATION: the T&E Board update of 6 March 2024 (contract sum
  £180.009m = Block 1 £177.429m + Block 2 £2.580m; Block 3 £3.291m, whose
  stated total and balance do not agree with its business cases).

Each C measure is compared with the core's own measure on random records,
and each check is shown a deliberately wrong figure.
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import apportion
from apportion.errors import ApportionError

D = dt.date


@pytest.fixture(scope="module")
def iass():
    return apportion.service_area("IASS")


@pytest.fixture(scope="module")
def nct():
    return apportion.service_area("NCT")


@pytest.fixture(scope="module")
def tr():
    return apportion.service_area("TRANSFORMATION")


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def warnings_(findings):
    return [f for f in findings if f.severity == "warning"]


def fields(findings):
    return [f.field for f in findings]


# ---- what each area registers ---------------------------------------------------


def test_plugins_declare_themselves(iass, nct, tr):
    for area, name, code in ((iass, "iass", "IASS"), (nct, "nct", "NCT"),
                             (tr, "transformation", "TRANSFORMATION")):
        assert area.code == code
        assert area.plugin.name == name
        assert area.plugin.version == "1.0.0"
        assert area.plugin.service_area == code
        assert area.plugin.licence == "MIT"
        assert area.plugin.path.endswith(f"{name}.so")
        assert area.plugin.warnings == ()


def test_iass_registers(iass):
    assert set(iass.kpis) == {"IASS1", "IASS2", "IASS3"}
    assert iass.kpis["IASS2"].measure == "responded_within_3_working_days"
    assert iass.kpis["IASS1"].measure is None
    assert iass.kpis["IASS3"].measure is None
    m = iass.measures["responded_within_3_working_days"]
    assert m.columns == ("received", "responded")
    assert m.scale == 100
    assert set(iass.rules) == {"quarterly"}
    assert set(iass.checks) == {"critical_service_failures"}
    assert set(iass.sections) == {"recharge_summary"}
    assert iass.calculators["notice_end"].signature == "date(date)"
    assert iass.calculators["population_share"].signature == \
        "money(money, int64, int64)"


def test_iass_kpis_are_the_example_file(iass):
    """The plugin's KPIs are examples/iass-kpis.json's, plus the measure."""
    from pathlib import Path
    example = apportion.load_kpis(
        Path(__file__).resolve().parent.parent / "examples" / "iass-kpis.json")
    for ref, kpi in example.items():
        mine = iass.kpis[ref]
        for attr in ("description", "unit", "polarity", "target", "frequency",
                     "reported_to", "bands_text", "states", "bands"):
            assert getattr(mine, attr) == getattr(kpi, attr), (ref, attr)
    iass2 = iass.kpis["IASS2"]
    assert [iass2.score(v) for v in (80, Decimal("80.01"), 90)] == [
        apportion.RAG.RED, apportion.RAG.AMBER, apportion.RAG.GREEN]


def test_nct_registers(nct):
    kpis = nct.kpis
    assert len(kpis) == 16
    for ref, kpi in kpis.items():
        assert kpi.unit in ("%", "days"), ref
        assert kpi.polarity in ("higher", "lower"), ref
        assert kpi.escalation is not None, ref
    assert {k: v.measure for k, v in kpis.items() if v.measure} == {
        "NCT-REF-DECISION": "referral_decision_within_2_working_days",
        "NCT-REREFERRAL-12M": "rereferrals_within_12_months",
        "NCT-ASSESS-45WD": "assessments_within_45_working_days",
        "NCT-CPP-REPEAT": "cp_plans_second_or_subsequent",
        "NCT-CIC-3PLACEMENTS": "cic_three_or_more_placements",
    }
    assert kpis["NCT-REREFERRAL-12M"].polarity == "lower"
    assert kpis["NCT-ADOPTION-A10"].unit == "days"
    assert {n: m.columns for n, m in nct.measures.items()} == {
        "referral_decision_within_2_working_days": ("received", "decided"),
        "rereferrals_within_12_months": ("subject", "referred"),
        "assessments_within_45_working_days": ("started", "completed"),
        "cp_plans_second_or_subsequent": ("plan_start", "previous_plans"),
        "cic_three_or_more_placements": ("placements",),
    }
    assert set(nct.checks) == {"outturn"}
    assert set(nct.sections) == {"outturn_by_service_area"}
    assert nct.calculators["contract_split"].signature == "money(money, int64)"


def test_transformation_registers(tr):
    assert tr.kpis == {}
    assert set(tr.checks) == {"contract_sum", "block3", "stated_totals"}
    assert set(tr.sections) == {"block_summary"}
    assert tr.calculators["balance_outstanding"].signature == \
        "money(money, money)"


# ---- IASS -----------------------------------------------------------------------


def test_iass_quarterly_invoices_from_table_1(iass):
    """Schedule 3B2 Table 1: WNC's £211,654 is £52,914 in each of Q1-Q3
    as printed (a quarter, £52,913.50, rounded half up to whole pounds) and
    the balancing £52,912 in Q4, which the table's cut-off Q4 cell
    ("£52,91…") is consistent with but does not print whole."""
    expected = [5291400, 5291400, 5291400, 5291200]
    assert iass.recharge("quarterly", 21165400) == expected
    assert iass.recharge("quarterly", Decimal("211654")) == expected
    assert iass.recharge("quarterly", "£211,654") == expected
    # DSG £10,829 + general fund £200,825 make the share.
    assert iass.recharge("quarterly", Decimal("10829") + Decimal("200825")) == \
        expected


def test_iass_q4_balances_to_the_actual_share(iass):
    billed = [5291400] * 3
    # Actual spend below budget: Q4 is a smaller payment.
    assert iass.recharge("quarterly", 21165400, actual_share="£205,000",
                         billed=billed) == [*billed, 20500000 - 3 * 5291400]
    # Far below: Q4 is a refund.
    q = iass.recharge("quarterly", 21165400, actual_share=Decimal("150000"),
                      billed=billed)
    assert q[3] == 15000000 - 3 * 5291400 < 0
    assert sum(q) == 15000000
    # Only Q1 billed: Q2 and Q3 follow the budget, Q4 balances.
    q = iass.recharge("quarterly", 21165400, actual_share="£220,000",
                      billed=[5000000])
    assert q[:3] == [5000000, 5291400, 5291400] and sum(q) == 22000000
    # Billed but the actual share not known: Q4 balances to the budget.
    q = iass.recharge("quarterly", 21165400, billed=[5291400, 5300000])
    assert q[:2] == [5291400, 5300000] and sum(q) == 21165400
    # Nothing left to balance with.
    with pytest.raises(ApportionError, match="balancing"):
        iass.recharge("quarterly", 21165400, actual_share="£205,000",
                      billed=[5291400] * 4)
    with pytest.raises(ApportionError):
        iass.recharge("quarterly", 21165400, billed=[1] * 5)


def test_iass_notice_end(iass):
    """Schedule 3B2 3.1: 9 months' notice."""
    assert iass.call("notice_end", D(2022, 1, 31)) == D(2022, 10, 31)
    assert iass.call("notice_end", "2022-05-31") == D(2023, 2, 28)
    assert iass.call("notice_end", D(2023, 6, 29)) == D(2024, 3, 29)


def test_iass_population_share(iass):
    """The 0-17 populations DfE used in 2022 (NNC 79,186, WNC 92,050)
    applied to the £407,045 budget before disaggregation."""
    wnc = iass.call("population_share", "£407,045", 92050, 92050 + 79186)
    nnc = iass.call("population_share", "£407,045", 79186, 92050 + 79186)
    assert wnc + nnc == 40704500
    assert [wnc, nnc] == apportion.apportion(40704500, [92050, 79186])
    exact = Fraction(40704500 * 92050, 92050 + 79186)
    assert abs(wnc - exact) < 1
    assert iass.call("population_share", Decimal("100"), 0, 3) == 0
    assert iass.call("population_share", Decimal("100"), 1, 3) == 3333
    with pytest.raises(ApportionError, match="population"):
        iass.call("population_share", Decimal("100"), 4, 3)


def random_referrals(seed, n=4000):
    rng = np.random.default_rng(seed)
    start = np.datetime64("2021-04-01")
    received = start + rng.integers(0, 365, n).astype("timedelta64[D]")
    responded = received + rng.integers(0, 9, n).astype("timedelta64[D]")
    responded[rng.random(n) < 0.15] = np.datetime64("NaT")
    authority = rng.choice(["NNC", "WNC"], n)
    return pd.DataFrame({"received": received, "responded": responded,
                         "authority": authority})


@pytest.mark.parametrize("seed, n", [(1, 4000), (2, 4000), (3, 200_000)])
@pytest.mark.parametrize("as_of", [None, "2022-03-31", "2022-04-05"])
def test_iass_measure_equals_within_working_days(iass, seed, n, as_of):
    """The C measure against the core's kernel; 200,000 records are split
    into ranges that run on several threads at once."""
    records = random_referrals(seed, n)
    got = iass.measure("responded_within_3_working_days", records,
                       as_of=as_of)
    want = apportion.within_working_days(records["received"],
                                         records["responded"], 3,
                                         as_of=as_of)
    assert int(got.loc["all", "numerator"]) == int(want["within"].iloc[0])
    assert int(got.loc["all", "denominator"]) == int(want["total"].iloc[0])
    assert int(got.loc["all", "rows"]) == len(records)
    assert got.loc["all", "value"] == pytest.approx(want["rate"].iloc[0])
    by = iass.measure("responded_within_3_working_days", records,
                      by="authority", as_of=as_of)
    want = apportion.within_working_days(records["received"],
                                         records["responded"], 3,
                                         by=records["authority"], as_of=as_of)
    assert by["numerator"].tolist() == want["within"].tolist()
    assert by["denominator"].tolist() == want["total"].tolist()


def test_iass_measure_conventions(iass):
    """Received Friday 7 January 2022, answered Wednesday 12th: 3 working
    days after the day of receipt (docs/domain.rst), so within; Thursday is
    late.  The other conventions are parameters."""
    records = {"received": [D(2022, 1, 7), D(2022, 1, 7)],
               "responded": [D(2022, 1, 12), D(2022, 1, 13)]}
    got = iass.measure("responded_within_3_working_days", records)
    assert (got.loc["all", "numerator"], got.loc["all", "denominator"]) == (1, 2)
    for convention in ("busday_count", "inclusive"):
        got = iass.measure("responded_within_3_working_days", records,
                           params={"convention": convention})
        want = apportion.within_working_days(records["received"],
                                             records["responded"], 3,
                                             convention=convention)
        assert got.loc["all", "numerator"] == want["within"].iloc[0]
    with pytest.raises(ApportionError, match="convention"):
        iass.measure("responded_within_3_working_days", records,
                     params={"convention": "calendar_days"})


def test_iass_measure_errors_name_the_row(iass):
    records = {"received": [D(2022, 1, 10), D(2022, 3, 1)],
               "responded": [D(2022, 1, 11), None]}
    with pytest.raises(ApportionError, match="row 1"):
        iass.measure("responded_within_3_working_days", records,
                     as_of=D(2022, 2, 1))
    with pytest.raises(ApportionError):
        apportion.within_working_days(records["received"],
                                      records["responded"], 3,
                                      as_of=D(2022, 2, 1))
    records = {"received": [D(2022, 1, 10), D(2022, 3, 1)],
               "responded": [D(2022, 1, 11), D(2022, 2, 1)]}
    with pytest.raises(ApportionError, match="row 1"):
        iass.measure("responded_within_3_working_days", records)


def test_iass2_scored(iass):
    """17 of 20 in time is 85%: Amber against "Green = 90-100%, Amber =
    80-90%, Red = 80% or below"; 16 of 20 is 80%: Red."""
    received = [D(2022, 1, 4)] * 20
    records = {"received": received,
               "responded": [D(2022, 1, 5)] * 17 + [D(2022, 1, 14)] * 3}
    card = iass.score("IASS2", records)
    assert card.frame["rag"].tolist() == ["amber"]
    records["responded"] = [D(2022, 1, 5)] * 16 + [D(2022, 1, 14)] * 4
    assert iass.score("IASS2", records).frame["rag"].tolist() == ["red"]


def test_iass_critical_service_failures(iass):
    good = {"iass1": {"status": "in place"},
            "iass2": [{"period": "2021/22 Q1", "within": 95, "total": 100},
                      {"period": "2021/22 Q2", "within": 90, "total": 100}]}
    assert errors(iass.check("critical_service_failures", good)) == []
    bad = {"iass1": {"status": "not in place"},
           "iass2": [{"period": "2021/22 Q1", "within": 95, "total": 100},
                     {"period": "2021/22 Q2", "within": 85, "total": 100},
                     {"period": "2021/22 Q3", "within": 80, "total": 100}],
           "failures": [{"type": "2.1.2", "date": D(2021, 11, 3),
                         "description": "Backlog after staff absence"},
                        {"type": "2.1.9", "date": D(2021, 12, 1)}]}
    found = iass.check("critical_service_failures", bad)
    errs = errors(found)
    assert fields(errs) == ["iass1.status", "iass2[2].within", "failures[0]",
                            "failures[1].type"]
    assert "Children and Families Act 2014" in errs[0].message
    assert "2.1.1" in errs[0].message
    assert "80.0%" in errs[1].message and "2.1.2" in errs[1].message
    assert "2021-11-03" in errs[2].message
    assert "in line with agreed service level as set out in IASS2" in \
        errs[2].message
    assert fields(warnings_(found)) == ["iass2[1].within"]


def test_iass_check_reports_missing_data(iass):
    found = iass.check("critical_service_failures", {})
    assert [f.severity for f in found] == ["error"]
    assert "no data" in found[0].message
    found = iass.check("critical_service_failures",
                       {"iass1": {"status": "in place"}})
    assert fields(warnings_(found)) == ["iass2"]
    found = iass.check("critical_service_failures",
                       {"iass2": [{"within": 5}]})
    assert "iass1.status" in fields(warnings_(found))
    assert "iass2[0].total" in fields(errors(found))


def test_iass_recharge_summary(iass):
    text = iass.report("recharge_summary", {
        "budget_share": "£211,654", "authority": "WNC", "year": "2021/22"})
    assert text.count("| £52,914 |") == 3
    assert "| Q4 | January - March 2022 | £52,912 |" in text
    assert "**£211,654**" in text
    text = iass.report("recharge_summary", {
        "budget_share": Decimal("211654"), "actual_share": Decimal("205000")})
    assert "| £46,258 |" in text and "**£205,000**" in text
    with pytest.raises(ApportionError, match="budget_share"):
        iass.report("recharge_summary", {"authority": "WNC"})


# ---- NCT --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("as_of", [None, "2022-04-30"])
def test_nct_working_day_measures_equal_the_core(nct, seed, as_of):
    rng = np.random.default_rng(seed)
    n = 3000
    start = np.datetime64("2021-04-01") + rng.integers(0, 365, n).astype(
        "timedelta64[D]")
    for name, cols, limit in (
            ("referral_decision_within_2_working_days", ("received", "decided"), 2),
            ("assessments_within_45_working_days", ("started", "completed"), 45)):
        end = start + rng.integers(0, 3 * limit + 2, n).astype("timedelta64[D]")
        end[rng.random(n) < 0.1] = np.datetime64("NaT")
        records = {cols[0]: start, cols[1]: end}
        got = nct.measure(name, records, as_of=as_of)
        want = apportion.within_working_days(start, end, limit, as_of=as_of)
        assert got.loc["all", "numerator"] == want["within"].iloc[0], name
        assert got.loc["all", "denominator"] == want["total"].iloc[0], name


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_nct_rereferrals_equal_apportion_rereferrals(nct, seed):
    rng = np.random.default_rng(seed)
    n = 5000
    subject = rng.integers(0, 1500, n)
    referred = np.datetime64("2020-01-01") + rng.integers(0, 1200, n).astype(
        "timedelta64[D]")
    area = rng.choice(["NNC", "WNC"], n)
    got = nct.measure("rereferrals_within_12_months",
                      {"subject": subject, "referred": referred})
    want = apportion.rereferrals(subject, referred)
    assert got.loc["all", "numerator"] == want["rereferrals"].iloc[0]
    assert got.loc["all", "denominator"] == want["records"].iloc[0] == n
    got = nct.measure("rereferrals_within_12_months",
                      {"subject": subject, "referred": referred, "area": area},
                      by="area")
    want = apportion.rereferrals(subject, referred, by=area)
    assert got["numerator"].tolist() == want["rereferrals"].tolist()
    assert got["denominator"].tolist() == want["records"].tolist()
    # Subjects given as text are numbered first, with the same result.
    got = nct.measure("rereferrals_within_12_months",
                      {"subject": [f"child-{s}" for s in subject],
                       "referred": referred})
    assert got.loc["all", "numerator"] == \
        apportion.rereferrals(subject, referred)["rereferrals"].iloc[0]


def test_nct_rereferral_window():
    nct = apportion.service_area("NCT")
    records = {"subject": [7, 7, 8, 8, 9, 9],
               "referred": [D(2023, 2, 28), D(2024, 2, 29),   # 12 months
                            D(2021, 5, 1), D(2022, 5, 2),     # 12 months + 1 day
                            D(2022, 1, 3), D(2022, 1, 3)]}    # same day
    got = nct.measure("rereferrals_within_12_months", records)
    assert (got.loc["all", "numerator"], got.loc["all", "denominator"]) == (2, 6)
    with pytest.raises(ApportionError, match="row 1"):
        nct.measure("rereferrals_within_12_months",
                    {"subject": [1, 2], "referred": [D(2022, 1, 1), None]})


def test_nct_cp_plans_and_placements(nct):
    got = nct.measure("cp_plans_second_or_subsequent",
                      {"plan_start": [D(2021, 5, 1), D(2021, 6, 1),
                                      D(2021, 7, 1), D(2021, 8, 1)],
                       "previous_plans": [0, 1, 3, 0]})
    assert got.loc["all", ["numerator", "denominator"]].tolist() == [2, 4]
    assert got.loc["all", "value"] == 50
    got = nct.measure("cic_three_or_more_placements",
                      {"placements": [1, 3, 2, 5, 0]})
    assert got.loc["all", ["numerator", "denominator"]].tolist() == [2, 5]
    with pytest.raises(ApportionError, match="row 2"):
        nct.measure("cic_three_or_more_placements", {"placements": [1, 3, -1]})
    card = nct.score("NCT-CIC-3PLACEMENTS", {"placements": [1] * 9 + [3]})
    assert card.frame["rag"].tolist() == ["green"]       # 10% or below


def test_nct_contract_split(nct):
    """Pressures are funded 44.16% NNC / 55.84% WNC: the 2023/24 period 9
    forecast pressure of £29.670m, and Table 1's £407,045.00."""
    assert nct.call("contract_split", "£29.670m", 0) == 1310227200
    assert nct.call("contract_split", "£29.670m", 1) == 1656772800
    assert nct.call("contract_split", Decimal("407045"), 0) == 17975107
    assert nct.call("contract_split", Decimal("407045"), 1) == 22729393
    for total in (1, 99, 40704500, -1234567, 2967000000):
        assert nct.call("contract_split", total, 0) + \
            nct.call("contract_split", total, 1) == total
    with pytest.raises(ApportionError, match="NNC"):
        nct.call("contract_split", 100, 2)


def nct_outturn_2021_22():
    """Section 4 of the SDC annual report 2021/22, £000."""
    rows = [
        ("Corporate Parent Service", "43,998", "45,026", "(856)", "44,170", "172"),
        ("Children, Young People and Family Support Services", "5,692", "5,076",
         "-", "5,076", "(616)"),
        ("Prevention & Safeguarding", "14,314", "15,784", "(1,656)", "14,128",
         "(186)"),
        ("Quality Assurance and Commissioning", "57,579", "59,399", "(120)",
         "59,279", "1,700"),
        ("NCT Central", "1,765", "1,765", "-", "1,765", "0"),
        ("Northamptonshire Children's Trust", "(123,348)", "(123,348)", "-",
         "(123,348)", "0"),
    ]
    keys = ("service", "budget", "gross_outturn", "funding", "outturn",
            "variance")
    return {"unit": "£000",
            "lines": [dict(zip(keys, r)) for r in rows],
            "total": {"budget": "-", "gross_outturn": "3,701",
                      "funding": "(2,631)", "outturn": "1,070",
                      "variance": "1,070"}}


def test_nct_outturn_table_adds_up(nct):
    found = nct.check("outturn", nct_outturn_2021_22())
    assert errors(found) == []
    # The gross outturn and covid funding columns sum to 3,702 and (2,632):
    # one (£1k) off the stated totals, the rounding of the printed figures.
    assert fields(warnings_(found)) == ["total.gross_outturn", "total.funding"]
    assert all("within the rounding" in f.message for f in warnings_(found))
    # Without the gross and funding columns, nothing at all.
    data = nct_outturn_2021_22()
    for line in data["lines"]:
        del line["gross_outturn"], line["funding"]
    del data["total"]["gross_outturn"], data["total"]["funding"]
    assert nct.check("outturn", data) == []


def test_nct_outturn_finds_wrong_figures(nct):
    data = nct_outturn_2021_22()
    data["lines"][1]["variance"] = "(168)"       # digits swapped
    found = errors(nct.check("outturn", data))
    assert fields(found) == ["lines[1].variance", "total.variance"]
    assert "£448k" in found[0].message
    assert "Children, Young People and Family Support Services" in \
        found[0].message
    data = nct_outturn_2021_22()
    data["total"]["outturn"] = "1,170"
    found = errors(nct.check("outturn", data))
    # Against the lines' sum, against budget + variance and against gross
    # outturn + funding.
    assert fields(found) == ["total.outturn", "total.variance", "total.outturn"]
    assert all("£100k" in f.message for f in found)
    data = nct_outturn_2021_22()
    data["lines"][0]["outturn"] = "44,1x0"
    found = errors(nct.check("outturn", data))
    assert fields(found)[0] == "lines[0].outturn"
    data = nct_outturn_2021_22()
    del data["unit"]
    assert "unit" in fields(warnings_(nct.check("outturn", data)))
    assert fields(errors(nct.check("outturn", {"unit": "£000"}))) == ["lines"]


def test_nct_outturn_in_millions_and_reversed_sign(nct):
    data = {"unit": "£m", "variance_sign": "budget_minus_outturn",
            "lines": [{"service": "Placements", "budget": "60.000",
                       "outturn": "61.700", "variance": "(1.700)"}],
            "total": {"budget": "60.000", "outturn": "61.700",
                      "variance": "(1.700)"}}
    assert nct.check("outturn", data) == []
    data["lines"][0]["variance"] = "1.700"
    assert fields(errors(nct.check("outturn", data))) == [
        "lines[0].variance", "total.variance"]


def test_nct_outturn_section(nct):
    text = nct.report("outturn_by_service_area", nct_outturn_2021_22())
    assert "Figures in £000" in text
    assert "| Corporate Parent Service | 43,998 | 45,026 | (856) | 44,170 | " \
        "172 | overspend |" in text
    assert "| Prevention & Safeguarding | 14,314 | 15,784 | (1,656) | " \
        "14,128 | (186) | underspend |" in text
    assert "| **Total** | **0** | **3,701** | **(2,631)** | **1,070** | " \
        "**1,070** | overspend |" in text
    with pytest.raises(ApportionError, match="lines"):
        nct.report("outturn_by_service_area", {"unit": "£000"})


# ---- TRANSFORMATION ---------------------------------------------------------------


def transformation_2024_25(iro="£0.085m", mash="£0.070m"):
    """The T&E Board update, 6 March 2024: 7.1.2-7.1.7 and Appendix A.
    Circle to Success draws on Blocks 2 and 3, so it is listed once per
    block.  The IRO CP Chair is printed £0.85m; Block 2's £2.580m total
    holds only with £0.085m."""
    def case(theme, project, approved, funding, block, duration):
        return {"theme": theme, "project": project, "approved": approved,
                "funding": funding, "block": block, "duration": duration}
    dec, feb = D(2023, 12, 12), D(2024, 2, 1)
    return {
        "unit": "£m", "year": "2024/25", "as_of": D(2024, 2, 23),
        "contract_sum": "£180.009m",
        "block1": {"amount": "£177.429m"},
        "block2": {"amount": "£2.580", "total": "£2.580m",
                   "balance_outstanding": "£0m"},
        "block3": {"amount": "£3.291m", "total": "£1.659m",
                   "balance_outstanding": "£1.862m"},
        "business_cases": [
            case("Operational Efficiency", "Circle to Success", feb, "£1.280m",
                 2, "24/25 - One off"),
            case("Operational Efficiency", "Circle to Success", feb, "£0.410m",
                 3, "24/25 - One off"),
            case("Policy and Practice", "Placement Efficiency", dec, "£0.138m",
                 "Block 3", "24/25 - One off*"),
            case("Operational Efficiency", "Maximising Housing Benefit Subsidy",
                 dec, "-", "-", None),
            case("Policy and Practice",
                 "Improving Outcomes for Children - IRO CP Chair", dec, iro, 2,
                 "2 Year investment 24/25 - One off 25/26 - To be built into MTFP"),
            case("Policy and Practice",
                 "Improving Outcomes for Children - Strategic Manager", feb,
                 "£0.068m", 3, "24/25 - One off*"),
            case("Improving Outcomes for Children",
                 "Improving Outcomes for Children - FSWs", feb, "£0.132m", 3,
                 "24/25 - One off*"),
            case("Policy and Practice", "Practice Model", feb, "£0.132m", 2,
                 "3 years aligned to the MTFP"),
            case("Demand Management", "Exploitation Hub", feb, "£0.435m", 3,
                 "24/25 - One off*"),
            case("Demand Management", "MASH Review", feb, mash, 3,
                 "24/25 - One off*"),
            case("Workforce", "Managed Teams", dec, "£1.083m", 2,
                 "24/25 - One off*"),
            case("Policy and Practice",
                 "Improving Engagement for Young People - IV Visitors", feb,
                 "£0.203m", 3, "24/25 - One off*"),
        ],
    }


def test_transformation_contract_sum(tr):
    """£180.009m = £177.429m + £2.580m."""
    assert tr.check("contract_sum", transformation_2024_25()) == []
    data = transformation_2024_25()
    data["contract_sum"] = "£180.090m"
    found = tr.check("contract_sum", data)
    assert fields(errors(found)) == ["contract_sum"]
    assert "£0.081m more" in found[0].message
    data = transformation_2024_25()
    del data["block1"]
    assert fields(errors(tr.check("contract_sum", data))) == ["block1.amount"]
    # Decimal pounds are exact money too.
    assert tr.check("contract_sum", {
        "contract_sum": Decimal("180009000"), "block1": {"amount": Decimal("177429000")},
        "block2": {"amount": Decimal("2580000")}}) == []


def test_transformation_block3_as_printed(tr):
    """Block 3's business cases come to £1.456m, so the balance outstanding
    is £3.291m - £1.456m = £1.835m, not the stated £1.862m."""
    found = tr.check("block3", transformation_2024_25())
    errs = errors(found)
    assert fields(errs) == ["block3.balance_outstanding"]
    assert "£1.835m" in errs[0].message and "£0.027m more" in errs[0].message
    assert warnings_(found) == []


def test_transformation_block3_finds_overcommitment(tr):
    data = transformation_2024_25(mash="£3.000m")
    data["block3"]["balance_outstanding"] = "£0m"
    found = errors(tr.check("block3", data))
    assert fields(found) == ["block3.amount", "block3.balance_outstanding"]
    assert "exceeds the provision of £3.291m by £1.095m" in found[0].message
    data = transformation_2024_25()
    data["business_cases"][5]["approved"] = D(2024, 3, 1)    # after as_of
    del data["business_cases"][8]["theme"]
    del data["business_cases"][9]["funding"]
    found = tr.check("block3", data)
    assert "business_cases[5].approved" in fields(errors(found))
    assert "business_cases[9].funding" in fields(errors(found))
    assert "business_cases[8].theme" in fields(warnings_(found))
    data = transformation_2024_25()
    data["business_cases"][2]["block"] = "Block 2 & 3"
    assert "business_cases[2].block" in fields(errors(tr.check("block3", data)))


def test_transformation_stated_totals(tr):
    found = tr.check("stated_totals", transformation_2024_25())
    errs = errors(found)
    # Block 2 adds up; Block 3's stated £1.659m is £0.203m more than its
    # business cases.
    assert fields(errs) == ["block3.total"]
    assert "£0.203m more" in errs[0].message
    # With the IRO CP Chair as printed (£0.85m), Block 2 does not add up.
    found = errors(tr.check("stated_totals", transformation_2024_25(iro="£0.85m")))
    assert fields(found) == ["block2.total", "block2.balance_outstanding",
                             "block3.total"]
    assert "£0.765m less" in found[0].message


def test_transformation_generic_totals(tr):
    """Appendix A of the savings report (£000): the TOTAL row adds up; its
    Amber column (770) is not the rows' 100 + 200; the Amber total of all
    savings (1,370) is not 770 + 1,070 + 0."""
    savings = [100, 600, 240, 70, 100, 100, 200, 620, 627, 200, 50, 65, 900]
    data = {"totals": [
        {"label": "2023/24 savings", "unit": "£000", "stated": "3,872",
         "items": [f"{v:,}" for v in savings]},
        {"label": "total savings", "unit": "£000", "stated": "7,672",
         "items": ["3,872", "3,200", "600"]},
        {"label": "Amber, 2023/24 savings", "unit": "£000", "stated": "770",
         "items": ["100", "200"]},
        {"label": "Amber, total savings", "unit": "£000", "stated": "1,370",
         "items": ["770", "1,070", "0"]},
    ]}
    found = tr.check("stated_totals", data)
    assert fields(errors(found)) == ["totals[2].stated", "totals[3].stated"]
    assert "£470k more" in errors(found)[0].message
    assert "£470k less" in errors(found)[1].message
    assert "no stated totals" in tr.check("stated_totals", {})[0].message


def test_transformation_block_summary(tr):
    text = tr.report("block_summary", transformation_2024_25())
    assert "figures in £m" in text
    assert "| Block 1: core funding | 177.429 |  |  |" in text
    assert "| Block 2: transformation items | 2.580 | 2.580 | 0.000 |" in text
    assert "| Block 3: provision for business cases | 3.291 | 1.456 | 1.835 |" \
        in text
    assert "| **Contract sum (Blocks 1 and 2)** | **180.009** | | |" in text
    assert "total agreed 1.659; balance outstanding 1.862" in text
    assert "| Demand Management | MASH Review | 2024-02-01 | 3 | 0.070 |" in text
    with pytest.raises(ApportionError, match="no data"):
        tr.report("block_summary", {})


def test_transformation_balance_outstanding(tr):
    assert tr.call("balance_outstanding", "£3.291m", "£1.456m") == 183500000
    assert tr.call("balance_outstanding", "£3.291m", "£1.659m") == 163200000
    assert tr.call("balance_outstanding", Decimal("2580000"),
                   Decimal("2580000")) == 0
