"""Every table shipped in examples/tables, audited: what the audit finds in
each (the papers' slips, named where one slip explains them) is asserted
here, so that a change in the audit's judgement of a seed's figures is seen.
A table added to examples/tables without its findings here fails."""

import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from apportion import parse_money
from apportion.audit import check_split, check_table, load_table

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "examples" / "tables"

WHOLE = "Whole (100%, not printed)"
ALL_FOUR = "All four (100%, not printed)"

# file -> ({status: count}, {(row, column): (status, cause, stated - computed)})
# for every finding that is not "ok".
EXPECTED = {
    # the IASS service plan 2021/22 (Schedule 3B2): Quarter 4 cut off by
    # the page, consistent with the quarters making WNC's budget
    "iass-table-1-2021-22.json": ({"ok": 1, "rounding": 0, "error": 0}, {}),
    # the CFE Business Plan 2017-21
    "mtfp-2017-21.json": ({"ok": 15, "rounding": 0, "error": 0}, {}),
    "mtfp-2017-21-proposals.json": ({"ok": 66, "rounding": 0, "error": 0}, {}),
    # the savings paper, Children's Trust Joint Committee, 6 March 2024
    "nct-savings-2023-24.json": ({"ok": 41, "rounding": 0, "error": 5}, {
        ("TOTAL", "Amber"): ("error", "reclassification", "470"),
        ("TOTAL", "Green"): ("error", "reclassification", "-470"),
        ("Additional Valuing care (see NCT 3b)", "2023/24"):
            ("error", "unexplained", "-70"),
        ("TOTAL SAVINGS", "Green"): ("error", "unexplained", "425"),
        ("TOTAL SAVINGS", "2023/24"): ("error", "transposition", "-495"),
    }),
    "nct-savings-2023-24-rag.json": ({"ok": 0, "rounding": 0, "error": 1}, {
        ("Savings in the 2023/24 Contract Sum", "£m"):
            ("error", "transposition", "-0.495"),
    }),
    "nct-pressures-2023-24.json": ({"ok": 0, "rounding": 0, "error": 1}, {
        ("Staffing pressure after the investment", "£m"):
            ("error", "decimal_shift", "2091.906"),
    }),
    "nct-invest-to-save-2023-24.json": ({"ok": 1, "rounding": 1, "error": 1}, {
        ("One off invest to save funding (4.6)", "£m"):
            ("rounding", "rounding", "0.008"),
        ("Total invest to save funding (4.9, 2.3)", "£m"):
            ("error", "unexplained", "0.008"),
    }),
    "nct-contract-split-2023-24.json": ({"ok": 2, "rounding": 0, "error": 1}, {
        ("Savings paper 2.8, 5.5 and 7.1.3", WHOLE):
            ("error", "unexplained", "-1.00"),
    }),
    # the T&E Board Update, the same committee
    "transformation-2024-25-block2.json": ({"ok": 1, "rounding": 0, "error": 1}, {
        ("Total", "Funding Agreed 2024/25"): ("error", "decimal_shift", "-0.765"),
    }),
    "transformation-2024-25-block3.json": ({"ok": 0, "rounding": 0, "error": 2}, {
        ("Total", "Funding Agreed 2024/25"): ("error", "duplicated_item", "0.203"),
        ("Balance outstanding", "Funding Agreed 2024/25"):
            ("error", "unexplained", "0.230"),
    }),
    "transformation-2024-25-block3-section-7.json": (
        {"ok": 0, "rounding": 0, "error": 2}, {
            ("Total", "Funding Agreed 2024/25"): ("error", "unexplained", "-0.427"),
            ("Balance outstanding", "Funding Agreed 2024/25"):
                ("error", "unexplained", "0.230"),
        }),
    "transformation-2024-25-appendix-a.json": ({"ok": 0, "rounding": 0, "error": 2}, {
        ("Block 2 summary: Total", "Funding Agreed 2024/25, Block 2"):
            ("error", "decimal_shift", "-0.765"),
        ("Block 3 summary: Total", "Funding Agreed 2024/25, Block 3"):
            ("error", "duplicated_item", "0.203"),
    }),
    "transformation-2024-25-contract-sum.json": (
        {"ok": 1, "rounding": 0, "error": 0}, {}),
    # the NCT Service Delivery Contract annual report 2021/22
    "nct-outturn-2021-22.json": ({"ok": 17, "rounding": 2, "error": 0}, {
        ("Total", "Gross Outturn"): ("rounding", "rounding", "-1"),
        ("Total", "Less Covid Funding"): ("rounding", "rounding", "1"),
    }),
    "nct-outturn-reserves-2021-22.json": ({"ok": 1, "rounding": 0, "error": 0}, {}),
    "nct-budget-gaps-2023-26.json": ({"ok": 1, "rounding": 0, "error": 1}, {
        ("Total", "2024-25"): ("error", "unexplained", "-0.004"),
    }),
    "nct-grants-2021-22.json": ({"ok": 2, "rounding": 0, "error": 0}, {}),
    "nct-support-services-kpis-2021-22.json": (
        {"ok": 2, "rounding": 1, "error": 0}, {
            # "78.3% (29 KPIs)" of 37: 78.378...% cut, not rounded
            ("Met or exceeded target, % of all KPIs", "KPIs"):
                ("rounding", "truncation", "-0.07838"),
        }),
    # "57 of 69 (83%)", "59 out of 69 (86%)": both rounded
    "nct-youth-offending-survey-2021-22.json": (
        {"ok": 2, "rounding": 0, "error": 0}, {}),
    "nct-property-2021-22.json": ({"ok": 1, "rounding": 0, "error": 0}, {}),
    "nct-social-worker-survey-2021.json": ({"ok": 3, "rounding": 3, "error": 1}, {
        ("Leadership", ALL_FOUR): ("rounding", "rounding", "-0.1"),
        ("Learning and development", ALL_FOUR): ("error", "unexplained", "0.8"),
        ("Autonomy and decision making", ALL_FOUR): ("rounding", "rounding", "0.1"),
        ("Overall Assessment", ALL_FOUR): ("rounding", "rounding", "0.1"),
    }),
}


def test_every_shipped_table_has_its_findings_here():
    assert sorted(p.name for p in TABLES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_table_findings(name):
    counts, not_ok = EXPECTED[name]
    r = check_table(TABLES / name)
    assert r.counts() == counts
    found = {(f.row_label, f.column_label): (f.status, f.cause, f.difference)
             for f in r.findings if f.status != "ok"}
    assert found == {k: (s, c, Decimal(d)) for k, (s, c, d) in not_ok.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_table_names_its_paper_and_place(name):
    data = load_table(TABLES / name)
    source = data["source"]
    assert "seed" not in source and "/shared/" not in source
    # the paper by its own name: the committee and date, or the report
    assert any(w in source for w in ("Joint Committee", "annual report",
                                     "Inter Authority Agreement",
                                     "Annual Report", "Business Plan",
                                     "Board Update", "Review of realisation"))
    assert any(w in data["source"] for w in ("section", "paragraph", "Appendix"))


def test_the_named_slips_say_what_would_make_the_figures_agree():
    def first(name, row):
        (f,) = [f for f in check_table(TABLES / name).errors if f.row_label == row]
        return f.candidates[0].corrected
    assert first("nct-pressures-2023-24.json",
                 "Staffing pressure after the investment") == Decimal("2.094")
    assert first("nct-savings-2023-24-rag.json",
                 "Savings in the 2023/24 Contract Sum") == Decimal("5.055")
    assert first("transformation-2024-25-appendix-a.json",
                 "Block 2 summary: Total") == Decimal("0.085")


def test_the_not_printed_whole_gives_the_verdicts_of_an_exact_split_check():
    """The survey and the contract split carry a 100% the papers do not
    print, at the shares' precision; check_split takes the whole as exact.
    Both come to the same verdict on every row."""
    for name, column, shares in (
            ("nct-social-worker-survey-2021.json", ALL_FOUR,
             ("Strongly Disagree", "Disagree", "Agree", "Strongly Agree")),
            ("nct-contract-split-2023-24.json", WHOLE, ("NNC", "WNC"))):
        data = load_table(TABLES / name)
        cols = data["columns"]
        verdicts = {f.row_label: f.status for f in check_table(data).findings
                    if f.column_label == column}
        assert len(verdicts) == len(data["rows"])
        for row in data["rows"]:
            split = check_split({c: row["values"][cols.index(c)] for c in shares})
            assert split.status == verdicts[row["label"]], (name, row["label"])


def test_grants_covid_line_is_the_outturn_tables_covid_funding():
    grants = load_table(TABLES / "nct-grants-2021-22.json")
    outturn = load_table(TABLES / "nct-outturn-2021-22.json")
    (covid,) = [r["values"][0] for r in grants["rows"]
                if r["label"] == "Covid /funding"]
    column = outturn["columns"].index("Less Covid Funding")
    (total,) = [r["values"][column] for r in outturn["rows"]
                if r["label"] == "Total"]
    assert parse_money(covid, unit=grants["unit"]) == \
        parse_money(total, unit=outturn["unit"]) == parse_money("-£2.631m")


def test_support_services_rate_is_the_count_cut_not_rounded():
    """The report's "78.3% (29 KPIs)" of 37, as the table states it: the
    audit's verdict agrees with rounding and cutting done here by hand."""
    data = load_table(TABLES / "nct-support-services-kpis-2021-22.json")
    counts = {r["label"]: int(r["values"][0]) for r in data["rows"]}
    met, total = counts["Met or exceeded target"], counts["Total KPIs"]
    rate = Fraction(100 * met, total)
    exact = Decimal(rate.numerator) / Decimal(rate.denominator)
    assert exact.quantize(Decimal("0.1"), ROUND_HALF_UP) == Decimal("78.4")
    assert exact.quantize(Decimal("0.1"), ROUND_DOWN) == Decimal("78.3")
    (stated,) = data["rates"]
    assert stated["stated"] == "78.3%"
    assert stated["numerator"] == {"row": "Met or exceeded target"}
    assert stated["denominator"] == {"row": "Total KPIs"}
    (f,) = [f for f in check_table(data).findings if f.kind == "figure"]
    assert (f.status, f.cause, f.unit) == ("rounding", "truncation", "%")
    assert f.row_label == stated["label"]
    assert "rounded it would be 78.4%" in f.suggestion


def test_youth_offending_rates_are_the_counts_rounded():
    """Section 10.6's "57 of 69 (83%)" and "59 out of 69 (86%)"."""
    data = load_table(TABLES / "nct-youth-offending-survey-2021-22.json")
    counts = {r["label"]: int(r["values"][0]) for r in data["rows"]}
    assert sorted(counts.values()) == [57, 59, 69]
    findings = [f for f in check_table(data).findings if f.kind == "figure"]
    assert [(f.status, f.cause) for f in findings] == [("ok", "rounding")] * 2
    assert [f.stated for f in findings] == [Decimal("83"), Decimal("86")]


def test_new_tables_audit_from_the_command_line():
    names = [n for n in sorted(EXPECTED) if n not in (
        "mtfp-2017-21.json", "mtfp-2017-21-proposals.json",
        "nct-savings-2023-24.json", "nct-outturn-2021-22.json")]
    p = subprocess.run([sys.executable, "-m", "apportion", "audit",
                        *[str(TABLES / n) for n in names]],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    for name in names:
        assert load_table(TABLES / name)["title"] in p.stdout


def test_iass_table_1_quarter_4_cut_off_is_consistent():
    # Table 1 of the IASS service plan prints Quarter 4 as "£52,91" and
    # the page cuts it off: carried as printed, never completed, and the
    # three quarters of £52,914 leave £52,912 for it, which it allows.
    data = load_table(TABLES / "iass-table-1-2021-22.json")
    assert data["rows"][0]["values"][-1] == "£52,91…"
    (f,) = check_table(data).findings
    assert (f.status, f.cause, f.stated, f.computed) == (
        "ok", "none", Decimal("211654"), Decimal("211654"))
    assert f.suggestion.endswith(
        'Quarter 4 recharge Jan - Mar 2022 is cut off after "£52,91", so they '
        "can sum to 211,652 to 211,661 (or, were more digits cut off, "
        "53,068,742 to 53,078,741, and so on); the stated figure 211,654 is "
        "consistent with that.")
