"""Ledgers: lines summed by cost centre and period in C and apportioned to
authorities by each centre's basis, keeping every penny."""

import json
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apportion
from apportion import _core
from apportion.errors import ApportionError, InputError, MoneyOverflowError
from apportion.ledger import Ledger, LedgerApportionment, UnusedBasisWarning

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nct-ledger-2021-22.csv"
OUTTURN = ROOT / "examples" / "nct-outturn-2021-22.json"
SPLIT = {"NNC": "44.16", "WNC": "55.84"}  # the NCT contract split
INT64_MAX = 2**63 - 1


def days(*iso):
    return np.array(iso, dtype="datetime64[D]")


# ---- hand-checked ---------------------------------------------------------

def test_totals_hand_checked():
    ledger = Ledger(["B", "A", "A", "B", "A"], [1000, 250, -300, 7, 5],
                    period=["Q4", "Q1", "Q1", "Q4", "Q3"])
    frame = ledger.totals_frame()
    assert list(frame.index) == ["A", "B"]  # centres sorted by name
    assert list(frame.columns) == ["Q1", "Q2", "Q3", "Q4"]
    assert frame.dtypes.unique().tolist() == [np.dtype("int64")]
    assert frame.loc["A"].tolist() == [-50, 0, 5, 0]
    assert frame.loc["B"].tolist() == [0, 0, 0, 1007]
    assert ledger.total == 962
    assert len(ledger) == 5


def test_apportion_domain_example():
    # By hand: £407,045.00 by 44.16 : 55.84 is £179,751.07 / £227,293.93.
    ledger = Ledger(["IASS"], [40704500], period=[1])
    result = ledger.apportion({"IASS": SPLIT})
    assert result.shares[0, 0].tolist() == [17975107, 22729393]
    assert result.by_centre_frame().loc["IASS"].tolist() == [17975107, 22729393]
    assert result.authority_totals == {"NNC": 17975107, "WNC": 22729393}
    assert result.total == 40704500
    first_come = ledger.apportion({"IASS": SPLIT}, mode="first_come")
    assert first_come.shares[0, 0].tolist() == [17975108, 22729392]


def test_apportion_two_way_exact_by_hand():
    # One centre, 1 : 1, quarters 1, 1, 1, -7: running totals 1, 2, 3, -4
    # split (1, 0), (1, 1), (2, 1), (-2, -2); their differences are the
    # cells, and each authority's year is its share of the year (-4).
    ledger = Ledger(["C"] * 4, [1, 1, 1, -7], period=["Q1", "Q2", "Q3", "Q4"])
    result = ledger.apportion({"C": {"X": 1, "Y": 1}})
    assert result.shares[0].tolist() == [[1, 0], [0, 1], [1, 0], [-4, -3]]
    assert result.by_authority_frame().to_dict("list") == {
        "Q1": [1, 0], "Q2": [0, 1], "Q3": [1, 0], "Q4": [-4, -3]}
    assert result.authority_totals == {"X": -2, "Y": -2}
    assert apportion.apportion(-4, [1, 1]) == [-2, -2]


def test_long_view():
    ledger = Ledger(["A", "B"], [10, 20], period=["Q2", "Q3"])
    long = ledger.apportion({"N": 1, "W": 3}).to_frame()
    assert list(long.columns) == ["centre", "period", "authority", "pence"]
    assert len(long) == 2 * 4 * 2
    assert long["pence"].dtype == np.int64
    assert long["pence"].sum() == 30
    row = long[(long.centre == "B") & (long.period == "Q3") & (long.authority == "W")]
    assert row["pence"].tolist() == [15]
    assert long.groupby("authority", observed=True)["pence"].sum().to_dict() == {
        "N": 8, "W": 22}


# ---- periods and dates ----------------------------------------------------

def test_period_labels():
    kinds = {
        ("Q1", "q2", " Q4 "): ("quarter", [0, 1, 3]),
        ("P1", "P09", "p12"): ("month", [0, 8, 11]),
        ("1", "3", "4"): ("quarter", [0, 2, 3]),
    }
    for labels, (kind, codes) in kinds.items():
        ledger = Ledger(["A"] * 3, [1, 2, 3], period=list(labels))
        assert ledger.kind == kind
        assert ledger.totals_frame().loc["A"].to_numpy().nonzero()[0].tolist() == codes
    months = Ledger(["A", "A"], [5, 6], period=np.array([1, 12]), periods="month")
    assert months.periods == [f"P{k}" for k in range(1, 13)]
    assert months.totals_frame().loc["A", "P12"] == 6


def test_period_errors_name_the_line():
    with pytest.raises(InputError, match=r"line 1: period 'Q5' is not one of"):
        Ledger(["A", "A"], [1, 2], period=["Q1", "Q5"])
    with pytest.raises(InputError, match=r"line 2: period 7 is not a quarter 1 to 4 "
                                         r"\(for months, pass periods='month'\)"):
        Ledger(["A"] * 3, [1, 2, 3], period=np.array([1, 2, 7]))
    with pytest.raises(InputError, match=r"mix quarters \(line 0\) and months \(line 1\)"):
        Ledger(["A", "A"], [1, 2], period=["Q1", "P2"])
    with pytest.raises(InputError, match=r"line 1 has no period"):
        Ledger(["A", "A"], [1, 2], period=["Q1", None])
    with pytest.raises(InputError, match="either period= or date="):
        Ledger(["A"], [1])
    with pytest.raises(TypeError, match="for dates, use date="):
        Ledger(["A"], [1], period=days("2021-04-01"))


def test_dates_to_quarters_and_months():
    when = days("2021-04-01", "2021-06-30", "2021-07-01", "2021-12-31",
                "2022-01-01", "2022-03-31")
    ledger = Ledger(["A"] * 6, [1, 2, 4, 8, 16, 32], date=when)
    assert ledger.financial_year == "2021/22"  # from the earliest date
    assert ledger.totals_frame().loc["A"].tolist() == [3, 4, 8, 48]
    months = Ledger(["A"] * 6, [1, 2, 4, 8, 16, 32], date=when, periods="month")
    assert months.totals_frame().loc["A"].tolist() == [1, 0, 2, 4, 0, 0, 0, 0, 8, 16, 0, 32]
    # Dates as text or date objects read the same.
    text = Ledger(["A"] * 6, [1, 2, 4, 8, 16, 32], date=[str(d) for d in when])
    assert text.totals_frame().equals(ledger.totals_frame())


def test_date_outside_the_year_names_line_and_date():
    with pytest.raises(InputError, match=r"^line 2: the date 2022-04-01 is outside the "
                                         r"financial year 2021/22 \(2021-04-01 to "
                                         r"2022-03-31\)$"):
        Ledger(["A"] * 3, [1, 2, 3], date=days("2021-05-01", "2021-04-01", "2022-04-01"))
    with pytest.raises(InputError, match=r"line 0: the date 2021-05-01 is outside the "
                                         r"financial year 2022/23"):
        Ledger(["A"], [1], date=days("2021-05-01"), financial_year="2022/23")
    with pytest.raises(InputError, match=r"^line 1 has no date \(NaT\)"):
        Ledger(["A", "A"], [1, 2], date=np.array(["2021-05-01", "NaT"], "datetime64[D]"))


# ---- sources ----------------------------------------------------------------

def test_from_codes_reads_arrays_in_place():
    centre = np.array([0, 2, 1, 2], dtype=np.int16)
    period = np.array([0, 3, 3, 3], dtype=np.int8)
    amount = np.array([5, 6, 7, 8], dtype=np.int64)
    ledger = Ledger.from_codes(centre, period, amount, centres=["x", "y", "z"])
    assert ledger._centre_codes is centre and ledger._period_codes is period
    assert ledger._amount is amount
    assert ledger.totals_frame().to_numpy().tolist() == [[5, 0, 0, 0], [0, 0, 0, 7],
                                                   [0, 0, 0, 14]]
    bad = Ledger.from_codes(np.array([0, 3], np.int32), np.array([0, 0], np.int8),
                            np.array([1, 1]), centres=["x", "y", "z"])
    with pytest.raises(InputError, match=r"^line 1 has cost centre code 3; codes must "
                                         r"be 0 to 2$"):
        bad.totals_frame()
    bad = Ledger.from_codes(np.array([0, 1], np.int8), np.array([0, -1], np.int64),
                            np.array([1, 1]), centres=["x", "y"], periods="month")
    with pytest.raises(InputError, match=r"line 1 has period code -1; codes must be "
                                         r"0 to 11"):
        bad.apportion({"A": 1})
    with pytest.raises(TypeError, match="signed"):
        Ledger.from_codes(np.array([0], np.uint8), np.array([0], np.int8),
                          np.array([1]), centres=["x"])


def test_from_frame_names_rows_by_index():
    frame = pd.DataFrame({"cc": ["A", "B", "A"], "q": ["Q1", "Q2", "Q9"],
                          "pence": [1, 2, 3]}, index=[10, 20, 30])
    with pytest.raises(InputError, match=r"row 30: period 'Q9'"):
        Ledger.from_frame(frame, centre="cc", period="q", amount="pence")
    frame.loc[30, "q"] = "Q4"
    ledger = Ledger.from_frame(frame, centre="cc", period="q", amount="pence")
    assert ledger.totals_frame().loc["A"].tolist() == [1, 0, 0, 3]
    with pytest.raises(InputError, match=r"no column 'when' for the date"):
        Ledger.from_frame(frame, centre="cc", date="when", amount="pence")
    frame["pounds"] = [1.5, 2.0, 3.0]
    with pytest.raises(TypeError, match="money is never a float"):
        Ledger.from_frame(frame, centre="cc", period="q", amount="pounds")
    # Nullable ints, categoricals and Decimal / money-text amounts.
    frame["cat"] = pd.Categorical(["A", "B", "A"], categories=["B", "A", "Z"])
    frame["money"] = [Decimal("1.50"), "£2", 3]
    ledger = Ledger.from_frame(frame, centre="cat", period="q", amount="money")
    assert list(ledger.centres) == ["B", "A", "Z"]
    assert ledger.totals_frame().loc["A"].tolist() == [150, 0, 0, 3]
    frame["nullable"] = pd.array([1, None, 3], dtype="Int64")
    with pytest.raises(InputError, match=r"row 20 has no amount"):
        Ledger.from_frame(frame, centre="cc", period="q", amount="nullable")


def test_amounts_exact_and_refused():
    ledger = Ledger(["A", "A", "A"], ["£1,234.56", "(3.50)", "-0.06"], period=[1, 1, 2])
    assert ledger.totals_frame().loc["A"].tolist() == [123106, -6, 0, 0]
    thousands = Ledger(["A"], ["(3,540)"], period=[1], unit="£000")
    assert thousands.total == -354000000
    with pytest.raises(InputError, match=r'line 1: amount \'1.234\': cannot read money '
                                         r'"1.234": it is more precise than a penny'):
        Ledger(["A", "A"], ["1", "1.234"], period=[1, 1])
    with pytest.raises(MoneyOverflowError, match="line 0"):
        Ledger(["A"], np.array([2**64 - 1], dtype=np.uint64), period=[1])
    with pytest.raises(MoneyOverflowError, match="line 1: amount 2361183241434822606848: "
                                                 "it is beyond 64-bit pence"):
        Ledger(["A", "A"], [1, 2**71], period=[1, 1])
    with pytest.raises(TypeError, match="amount holds floats; money is never a float"):
        Ledger(["A", "A"], [1, 2.5], period=[1, 1])
    with pytest.raises(TypeError, match="line 1: amount is a float"):
        Ledger(["A", "A"], np.array([1, 2.5], dtype=object), period=[1, 1])


def write_csv(tmp_path, text, name="ledger.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_csv(tmp_path):
    path = write_csv(tmp_path, "posted,cc,value,notes\n"
                               "2021-04-01,A,\"1,000.00\",x\n"
                               "2021-07-15,B,(2.50),y\n"
                               "2022-03-31,A,0.01,z\n")
    ledger = Ledger.read_csv(path, centre="cc", date="posted", amount="value")
    assert ledger.financial_year == "2021/22"
    assert ledger.totals_frame().loc["A"].tolist() == [100000, 0, 0, 1]
    assert ledger.totals_frame().loc["B"].tolist() == [0, -250, 0, 0]
    pence = write_csv(tmp_path, "cc,q,p\nA,Q1,100\nA,Q1,-3\n", "pence.csv")
    assert Ledger.read_csv(pence, centre="cc", period="q", amount="p",
                           unit="p").total == 97
    uk = write_csv(tmp_path, "cc,d,a\nA,31/03/2022,1\n", "uk.csv")
    assert Ledger.read_csv(uk, centre="cc", date="d", amount="a",
                           date_format="%d/%m/%Y").totals_frame().loc["A", "Q4"] == 100


def test_read_csv_bad_rows_name_line_and_text(tmp_path):
    cases = [
        ("cc,q,a\nA,Q1,1.00\nB,Q2,12.3.4\n",
         r"line 3: amount '12.3.4': cannot read money \"12.3.4\": unexpected text"),
        ("cc,q,a\nA,Q1,1.00\nB,Q2,\n", r"line 3 has no amount$"),
        ("cc,q,a\nA,Q1,1.00\n,Q2,5\n", r"line 3 has no cost centre$"),
        ("cc,q,a\nA,Q1,1\nA,Q1,1\nA,Quarter 2,1\n", r"line 4: period 'Quarter 2'"),
    ]
    for k, (text, message) in enumerate(cases):
        path = write_csv(tmp_path, text, f"bad{k}.csv")
        with pytest.raises(InputError, match=rf"^{path} {message}"):
            Ledger.read_csv(path, centre="cc", period="q", amount="a")
    dates = write_csv(tmp_path, "cc,d,a\nA,2021-04-01,1\nA,2021-13-01,1\n", "d1.csv")
    with pytest.raises(InputError, match=rf"^{dates} line 3: date '2021-13-01' does "
                                         r"not read as %Y-%m-%d$"):
        Ledger.read_csv(dates, centre="cc", date="d", amount="a")
    outside = write_csv(tmp_path, "cc,d,a\nA,2021-04-01,1\nA,2022-04-01,1\n", "d2.csv")
    with pytest.raises(InputError, match=rf"^{outside} line 3: the date 2022-04-01 is "
                                         r"outside the financial year 2021/22"):
        Ledger.read_csv(outside, centre="cc", date="d", amount="a")
    with pytest.raises(InputError, match=r"no column 'amount'; its columns are 'cc', "
                                         r"'d', 'a'"):
        Ledger.read_csv(outside, centre="cc", date="d", amount="amount")


def test_parse_money_array_glue():
    out = np.empty(3, dtype=np.int64)
    assert _core.parse_money_array(["£1", "(2)", "3.5"], "£", out) is None
    assert out.tolist() == [100, -200, 350]
    index, message = _core.parse_money_array(["1", "x", "y"], "£000", out)
    assert index == 1 and 'cannot read money "x"' in message
    assert _core.parse_money_array(["1", 2], "£", out[:2]) == (1, "is not text")
    with pytest.raises(ValueError, match="out holds 3 values; 2 are needed"):
        _core.parse_money_array(["1", "2"], "£", out)


def test_glue_checks_arrays():
    c = np.array([0, 1], np.int16)
    q = np.array([0, 3], np.int8)
    a = np.array([5, 6], np.int64)
    out = np.empty(8, np.int64)
    _core.ledger_sum(c, q, a, 2, 4, 1, out)
    assert out.tolist() == [5, 0, 0, 0, 0, 0, 0, 6]
    with pytest.raises(ValueError, match="period holds 1 values; 2 are needed"):
        _core.ledger_sum(c, q[:1], a, 2, 4, 1, out)
    with pytest.raises(ValueError, match="out holds 8 values; 12 are needed"):
        _core.ledger_sum(c, q, a, 3, 4, 1, out)
    with pytest.raises(TypeError, match="centre must hold signed integer codes"):
        _core.ledger_sum(c.astype(np.uint16), q, a, 2, 4, 1, out)
    with pytest.raises(TypeError, match="amount must hold int64"):
        _core.ledger_sum(c, q, a.astype(np.int32), 2, 4, 1, out)
    with pytest.raises(InputError, match="threads must be 0"):
        _core.ledger_sum(c, q, a, 2, 4, -1, out)
    shares = np.empty(16, np.int64)
    _core.ledger_apportion(out, 2, 4, np.array([1, 1, 0, 1]), "largest_remainder",
                           shares)
    assert shares.reshape(2, 4, 2)[:, 0].tolist() == [[3, 2], [0, 0]]
    assert shares.reshape(2, 4, 2)[1, 3].tolist() == [0, 6]
    with pytest.raises(InputError, match="cost centre 1: all 2 weights are zero"):
        _core.ledger_apportion(out, 2, 4, np.array([1, 1, 0, 0]),
                               "largest_remainder", shares)
    periods = np.empty(2, np.int8)
    _core.ledger_periods(days("2021-04-01", "2022-01-01").view(np.int64),
                         int(days("2021-04-01").view(np.int64)[0]), 12, periods)
    assert periods.tolist() == [0, 9]


# ---- bases ------------------------------------------------------------------

def small_ledger():
    return Ledger(["A", "B", "B", "C"], [100, 200, 301, -5],
                  period=["Q1", "Q1", "Q3", "Q2"])


def test_basis_forms_agree():
    ledger = small_ledger()
    frame = pd.DataFrame({"NNC": [1, "44.16", Decimal("0.5")],
                          "WNC": [0, "55.84", Fraction(1, 2)]}, index=["A", "B", "C"])
    dicts = {"A": {"NNC": 1}, "B": {"NNC": 44.16, "WNC": "55.84"},
             "C": {"WNC": "1", "NNC": 1}}
    a = ledger.apportion(frame)
    b = ledger.apportion(dicts)
    assert a.authorities == b.authorities == ["NNC", "WNC"]
    assert np.array_equal(a.shares, b.shares)
    assert a.by_centre_frame().loc["A"].tolist() == [100, 0]  # a missing authority is 0
    assert a.by_centre_frame().loc["B"].tolist() == apportion.apportion(501, ["44.16", "55.84"])
    one = ledger.apportion(SPLIT)  # one basis for every centre
    series = ledger.apportion(pd.Series(SPLIT))
    assert np.array_equal(one.shares, series.shares)
    assert one.by_centre_frame().loc["C"].tolist() == apportion.apportion(-5, ["44.16", "55.84"])
    # Whole-number columns take a fast path; the same shares as text.
    ints = pd.DataFrame({"NNC": [4416, 1, 3], "WNC": [5584, 0, 3]}, index=["B", "A", "C"])
    text = ints.astype(str).astype(object)
    assert np.array_equal(ledger.apportion(ints).shares, ledger.apportion(text).shares)
    with pytest.raises(InputError, match=r"basis\['A'\]\['WNC'\] is negative \(-1\)"):
        ledger.apportion(ints.assign(WNC=[5584, -1, 3]))
    ordered = ledger.apportion(frame, authorities=["WNC", "NNC"])
    assert list(ordered.by_centre_frame().columns) == ["WNC", "NNC"]
    assert ordered.by_centre_frame().loc["B"].tolist() == apportion.apportion(
        501, ["55.84", "44.16"])


def test_basis_by_service():
    ledger = small_ledger()
    services = {"A": "Fostering", "B": "Fostering", "C": "Early help", "D": "x"}
    result = ledger.apportion({"Fostering": SPLIT, "Early help": {"NNC": 1}},
                              services=services)
    assert result.by_service_frame().to_dict("index") == {
        "Fostering": {"NNC": 44 + 221, "WNC": 56 + 280},
        "Early help": {"NNC": -5, "WNC": 0}}
    with pytest.raises(ValueError, match="no services"):
        ledger.apportion(SPLIT).by_service_frame()
    with pytest.raises(InputError, match=r"no service for cost centre 'C'"):
        ledger.apportion({"Fostering": SPLIT}, services={"A": "Fostering",
                                                         "B": "Fostering"})
    with pytest.raises(InputError, match=r"no basis for cost centre 'C' \(services "
                                         r"'Early help'\), which has lines"):
        ledger.apportion({"Fostering": SPLIT}, services=services)


def test_basis_errors_name_the_centre():
    ledger = small_ledger()
    with pytest.raises(InputError, match=r"^no basis for cost centre 'B', 'C', which "
                                         r"has lines in the ledger$"):
        ledger.apportion({"A": SPLIT})
    with pytest.raises(InputError, match=r"the basis for cost centre 'B' gives every "
                                         r"authority a zero weight"):
        ledger.apportion({"A": SPLIT, "B": {"NNC": 0, "WNC": "0.00"}, "C": SPLIT})
    with pytest.raises(InputError, match=r"basis\['C'\]\['WNC'\] is negative"):
        ledger.apportion({"A": SPLIT, "B": SPLIT, "C": {"NNC": 1, "WNC": -1}})
    with pytest.raises(InputError, match=r"basis\['B'\]\['NNC'\]: cannot read \"4x\""):
        ledger.apportion({"A": SPLIT, "B": {"NNC": "4x"}, "C": SPLIT})
    with pytest.raises(InputError, match=r"basis\['A'\]\['NNC'\] is nan"):
        ledger.apportion(pd.DataFrame({"NNC": [None, 1, 1], "WNC": [1, 1, 1]},
                                      index=["A", "B", "C"]))
    with pytest.raises(InputError, match=r"basis\['A'\] names 'SNC', not among"):
        ledger.apportion({"A": {"SNC": 1}, "B": SPLIT, "C": SPLIT},
                         authorities=["NNC", "WNC"])
    with pytest.raises(ValueError, match="unknown apportionment mode|mode"):
        ledger.apportion(SPLIT, mode="fair")
    with pytest.raises(TypeError, match="basis must be"):
        ledger.apportion([1, 2])


def test_basis_for_unknown_centre_warns():
    ledger = small_ledger()
    basis = {c: SPLIT for c in ["A", "B", "C", "Z1", "Z2"]}
    with pytest.warns(UnusedBasisWarning, match=r"2 cost centre\(s\) with no lines "
                                                r"in this ledger: 'Z1', 'Z2'"):
        result = ledger.apportion(basis)
    assert result.total == ledger.total
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ledger.apportion({c: SPLIT for c in "ABC"})


def test_categorical_centre_without_lines_needs_no_basis():
    centre = pd.Categorical(["A", "A"], categories=["A", "Unused"])
    ledger = Ledger(centre, [3, 4], period=[1, 2])
    result = ledger.apportion({"A": {"X": 1, "Y": 2}})
    assert result.by_centre_frame().loc["Unused"].tolist() == [0, 0]
    assert result.total == 7


def test_overflow_names_centre_and_period():
    ledger = Ledger(["A", "B", "B"], [1, INT64_MAX, 1], period=["Q1", "Q3", "Q3"])
    with pytest.raises(MoneyOverflowError, match=r"the lines of cost centre 'B' in Q3 "
                                                 r"sum to more than 64-bit pence"):
        ledger.totals_frame()
    # A centre whose periods fit but whose year does not.
    ledger = Ledger(["A", "A"], [INT64_MAX, 1], period=["Q1", "Q2"])
    with pytest.raises(MoneyOverflowError, match=r"cost centre 'A': the running total"):
        ledger.apportion(SPLIT)


def test_ledger_total_beyond_int64_is_exact():
    ledger = Ledger(["A", "B"], [INT64_MAX, INT64_MAX], period=[1, 1])
    result = ledger.apportion({"X": 1})
    assert ledger.total == 2 * INT64_MAX == result.total
    assert result.by_authority_frame().loc["X", "Q1"] == 2 * INT64_MAX


def test_report_and_html():
    ledger = small_ledger()
    result = ledger.apportion(SPLIT)
    text = result.report()
    assert "Every penny kept: the shares sum to the ledger total, £5.96." in text
    assert "Total" in text and "£3.00" in text  # Q1: 100 + 200 pence
    assert "By cost centre and authority" in text
    page = result._repr_html_()
    assert "<table" in page and "£5.96" in page
    assert "£" in repr(result) and "4 lines" in repr(result)
    assert "Ledger: 4 lines, 3 cost centres, quarters Q1-Q4" in repr(ledger)


def test_result_checks_its_own_pennies():
    ledger = small_ledger()
    result = ledger.apportion(SPLIT)
    broken = result.shares.copy()
    broken[0, 0, 0] += 1
    with pytest.raises(ApportionError, match="do not sum"):
        LedgerApportionment(ledger, ["NNC", "WNC"], broken, result.weights,
                            "largest_remainder", None)


def test_threads_agree():
    rng = np.random.default_rng(5)
    n = 400_000
    centre = rng.integers(0, 300, n).astype(np.int16)
    period = rng.integers(0, 12, n).astype(np.int8)
    amount = rng.integers(-10**9, 10**9, n)
    tables = []
    for threads in (1, 2, 4):
        ledger = Ledger.from_codes(centre, period, amount, centres=range(300),
                                   periods="month")
        tables.append(ledger.totals_frame(threads=threads).to_numpy())
    assert all(np.array_equal(tables[0], t) for t in tables)
    expect = pd.DataFrame({"c": centre, "p": period, "a": amount}).groupby(
        ["c", "p"])["a"].sum().unstack(fill_value=0)
    assert np.array_equal(tables[0], expect.to_numpy())


# ---- the example: the NCT's 2021/22 outturn (the SDC annual report 2021/22) -----------------------

def example_ledger():
    return Ledger.read_csv(EXAMPLE, centre="cost_centre", date="date", amount="amount")


def test_example_sums_to_the_seed_outturn():
    table = json.loads(OUTTURN.read_text())
    ledger = example_ledger()
    assert ledger.financial_year == "2021/22"
    # £1,070k in all.
    assert ledger.total == apportion.parse_money(table["total"]["outturn"], "£000")
    lines = pd.read_csv(EXAMPLE, dtype=str)
    services = dict(zip(lines["cost_centre"], lines["service"]))
    assert len(set(lines.groupby("cost_centre")["service"].nunique())) == 1
    by_service = ledger.totals_frame().sum(axis=1).groupby(services).sum()
    for line in table["lines"]:
        # Corporate Parent Service £44,170k ... contract income (£123,348k).
        assert by_service[line["service"]] == apportion.parse_money(
            line["outturn"], "£000"), line["service"]


def test_example_apportioned_by_the_contract_split():
    ledger = example_ledger()
    lines = pd.read_csv(EXAMPLE, dtype=str)
    services = dict(zip(lines["cost_centre"], lines["service"]))
    result = ledger.apportion({s: SPLIT for s in set(services.values())},
                              services=services)
    assert result.total == 107_000_000
    frame = result.by_service_frame()
    # Single-centre services whose 44.16% is whole pence: exact.
    assert frame.loc["NCT Central"].tolist() == [77_942_400, 98_557_600]
    assert frame.loc["Northamptonshire Children's Trust"].tolist() == [
        -5_447_047_680, -6_887_752_320]
    # Each centre rounds on its own, so a service of several centres is
    # within half a penny a centre of its exact 44.16%.
    centres_per_service = pd.Series(services).value_counts()
    for service, row in frame.iterrows():
        total = int(row.sum())
        exact = Fraction(total * 4416, 10000)
        assert abs(row["NNC"] - exact) <= Fraction(centres_per_service[service], 2)
    report = result.report()
    assert "£1,070,000.00" in report and "Corporate Parent Service" in report


# ---- properties ---------------------------------------------------------------

AMOUNT = st.integers(min_value=-10**12, max_value=10**12)
WEIGHT = st.one_of(st.integers(0, 10**6),
                   st.decimals(min_value=0, max_value=1000, places=2).map(str),
                   st.fractions(min_value=0, max_value=100, max_denominator=50))


@st.composite
def ledgers(draw):
    n_centres = draw(st.integers(1, 12))
    kind = draw(st.sampled_from(["quarter", "month"]))
    n = draw(st.integers(0, 200))
    centre = draw(st.lists(st.integers(0, n_centres - 1), min_size=n, max_size=n))
    period = draw(st.lists(st.integers(1, 4 if kind == "quarter" else 12),
                           min_size=n, max_size=n))
    amount = draw(st.lists(AMOUNT, min_size=n, max_size=n))
    parties = draw(st.integers(1, 4))
    basis = {}
    for c in range(n_centres):
        row = draw(st.lists(WEIGHT, min_size=parties, max_size=parties).filter(
            lambda ws: any(Fraction(w) for w in ws)))
        basis[f"cc{c}"] = {f"LA{k}": w for k, w in enumerate(row)}
    mode = draw(st.sampled_from(apportion.MODES))
    return [f"cc{c}" for c in centre], period, amount, kind, basis, mode


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_random_ledgers_keep_every_penny(case):
    centre, period, amount, kind, basis, mode = case
    if not centre:
        return
    ledger = Ledger(centre, amount, period=np.array(period), periods=kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusedBasisWarning)
        result = ledger.apportion(basis, mode=mode)
    shares = result.shares
    totals = ledger.totals_frame()
    # Everything sums to the ledger total, exactly.
    assert result.total == sum(amount) == sum(result.authority_totals.values())
    assert int(shares.astype(object).sum()) == sum(amount)
    # Every cell to its total.
    assert np.array_equal(shares.sum(axis=2), totals.to_numpy())
    # Each centre's year per authority is its apportionment of the year.
    years = totals.sum(axis=1)
    for c, name in enumerate(ledger.centres):
        weights = list(basis[name].values())
        assert shares[c].sum(axis=0).tolist() == apportion.apportion(
            int(years[name]), weights, mode=mode)
    # The sums are a pandas groupby's.
    expect = pd.DataFrame({"c": centre, "p": period, "a": amount}).groupby(
        ["c", "p"])["a"].sum()
    for (c, p), value in expect.items():
        assert totals.loc[c, f"{'Q' if kind == 'quarter' else 'P'}{p}"] == value
    assert totals.to_numpy().sum() == expect.sum()
