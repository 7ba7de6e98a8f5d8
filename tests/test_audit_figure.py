"""The rounding conventions: check_figure and check_rate judge one printed
figure against the exact value it stands for ("ok" when correctly rounded,
half up or half to even; "rounding"/"truncation" when cut toward zero;
"error" otherwise), and check_total names a total that is off only because
its figures were cut as truncation."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.audit import check_figure, check_rate, check_table, check_total
from apportion.errors import InputError

# ---- the committee papers' own figures --------------------------------------


def test_support_services_kpis_met_is_cut_not_rounded():
    # NCT annual report of the Service Delivery Contract 2021/22, section
    # 3.1 (Support Services provided to NCT by the Councils): "There is a
    # total of 37 KPIs ... Of these, 78.3% (29 KPIs) met or exceeded their
    # target."  29/37 is 78.378...%: rounded 78.4%, cut 78.3%.
    f = check_rate(29, 37, "78.3%")
    assert (f.status, f.cause) == ("rounding", "truncation")
    assert f.unit == "%" and f.item == "the stated figure"
    assert f.stated == Decimal("78.30000")
    assert f.computed == Decimal("78.37838")
    assert "rounded it would be 78.4%" in f.suggestion
    assert check_rate(29, 37, "78.4%").status == "ok"
    assert check_rate(29, 37, "78.5%").status == "error"


def test_youth_offending_questionnaire_rates_are_rounded():
    # NCT annual report 2021/22, section 10.6 (Surveys of children and young
    # people: young people receiving support from the Youth Offending
    # Service): "57 of 69 (83%) found their worker supportive" and "59 out
    # of 69 (86%) said they did not commit further offences".
    for met, stated in ((57, "83%"), (59, "86%")):
        f = check_rate(met, 69, stated)
        assert (f.status, f.cause) == ("ok", "rounding"), stated
    # 59/69 is 85.507...%: cutting gives 85%, which is not what it printed.
    assert check_rate(59, 69, "85%").cause == "truncation"


def test_children_in_care_increase_is_rounded():
    # NCT annual report 2021/22, section 6 (Service demand): children in
    # care "increased from 1094 to 1184 across 4 years up to March 22, which
    # is an 8% increase" (8.23%).
    f = check_rate(1184 - 1094, 1094, "8%")
    assert (f.status, f.cause) == ("ok", "rounding")


def test_outturn_overspend_in_millions_is_the_table_total():
    # NCT annual report 2021/22, section 4 (Cost of delivering services):
    # "an overspend of £1.070m against the approved budget of £123.348m",
    # where the table prints the variance total 1,070 and the budget
    # (123,348) in £'000.
    for stated, thousands in (("£1.070m", 1_070), ("£123.348m", 123_348)):
        f = check_figure(stated, thousands * 1000 * 100)
        assert (f.status, f.cause) == ("ok", "none"), stated
    # The same overspend printed to £0.1m and cut would still be ok at
    # £1.1m, the rounding of 1.070; "£1.0m" is the cut.
    assert check_figure("£1.1m", Decimal(1_070_000)).status == "ok"
    assert check_figure("£1.0m", Decimal(1_070_000)).cause == "truncation"


def test_iass_quarterly_recharge_is_a_tie_rounded():
    # IASS service plan 2021/22 (Schedule 3B2), section 5, Table 1: the
    # WNC expenditure budget £211,654 is recharged in quarters of £52,914.
    # A quarter is £52,913.50 exactly: a tie, which half up and half to
    # even both take to £52,914; cutting gives £52,913.
    quarter = Fraction(211_654, 4)
    f = check_figure("£52,914", quarter)
    assert (f.status, f.cause) == ("ok", "rounding")
    assert f.computed == Decimal("52913.50") and f.difference == Decimal("0.50")
    f = check_figure("£52,913", quarter)
    assert (f.status, f.cause) == ("rounding", "truncation")
    # The budget's footnote: WNC DSG 10,829 and general fund 200,825.
    assert check_total({"WNC DSG": "10,829", "WNC general fund": "200,825"},
                       "£211,654").status == "ok"


def test_iass_variation_notice_budget_in_thousands_is_cut():
    # IASS variation notice, Shared Services Joint Committee 26 October
    # 2022, paragraph 7.1.2: "the WNC budget allocation is £211k", beside
    # the £211,654 of the 2021/22 service plan's Table 1: rounded to the
    # £1,000 that is £212k, so the notice's figure is the plan's cut.
    f = check_figure("£211k", 211_654 * 100)
    assert (f.status, f.cause) == ("rounding", "truncation")
    assert f.difference == Decimal("-654.00")
    assert f.tolerance == Decimal("500.00")
    assert "rounded it would be £212,000" in f.suggestion
    # Its total: "a budget cost of £429k" with NNC £218k and WNC £211k.
    assert check_total({"NNC": "218", "WNC": "211"}, "429").status == "ok"


# ---- the rules by hand ---------------------------------------------------------


@pytest.mark.parametrize("stated, value, status, cause", [
    ("£2", Decimal("2.5"), "ok", "rounding"),        # half to even
    ("£3", Decimal("2.5"), "ok", "rounding"),        # half up
    ("£3", Decimal("3.5"), "rounding", "truncation"),  # the cut, no rounding
    ("£4", Decimal("3.5"), "ok", "rounding"),
    ("-£2", Decimal("-2.5"), "ok", "rounding"),      # ties away from zero...
    ("(£3)", Decimal("-2.5"), "ok", "rounding"),     # ...or to even
    ("-£3", Decimal("-3.5"), "rounding", "truncation"),  # cut toward zero
    ("£5", Decimal("5"), "ok", "none"),
    ("£6", Decimal("5"), "error", "unexplained"),
    ("£0.85", 85, "ok", "none"),                       # int: pence
    ("£0.8", 85, "ok", "rounding"),                    # 0.85 to even
    ("£0.9", 85, "ok", "rounding"),                    # 0.85 half up
    ("£407k", Decimal("407499.99"), "ok", "rounding"),
    ("£406k", Decimal("406999.99"), "rounding", "truncation"),
    ("£1.2m", Fraction(1_249_999), "ok", "rounding"),
    ("£2.1 million", Decimal("2100000"), "ok", "none"),
    ("£0.3bn", Decimal("399999999"), "rounding", "truncation"),
    ("£1,070", Decimal("1069.5"), "ok", "rounding"),
    ("1,070", Decimal("1070.4"), "ok", "rounding"),  # a bare figure: pounds
])
def test_check_figure_rules(stated, value, status, cause):
    f = check_figure(stated, value)
    assert (f.status, f.cause) == (status, cause)
    assert f.ok == (status != "error")


def test_units_of_the_value():
    # An int is pence; a Decimal or Fraction is pounds.
    assert check_figure("£1", 100).cause == "none"
    assert check_figure("£1", Decimal(1)).cause == "none"
    assert check_figure("£1", Fraction(1)).cause == "none"
    assert check_figure("£1", 1).status == "error"
    f = check_figure("£0.33", Fraction(1, 3))
    assert f.status == "ok" and f.computed == Decimal("0.333333")
    assert "about" in f.suggestion


def test_rates_bare_and_percent():
    assert check_rate(3, 8, "0.375").cause == "none"
    assert check_rate(3, 8, "0.38").status == "ok"
    assert check_rate(3, 8, "0.37").cause == "truncation"
    assert check_rate(3, 8, "37.5%").unit == "%"
    assert check_rate(3, 8, "0.375").unit is None
    assert check_rate(Decimal("1.5"), Decimal("4"), "37.5%").cause == "none"
    assert check_rate(-1, -2, "50%").cause == "none"


@pytest.mark.parametrize("call, words", [
    (lambda: check_figure("44.16%", 4416), "percentage"),
    (lambda: check_figure("£1.2x", 1), "£1.2x"),
    (lambda: check_figure("", 1), "figure"),
    (lambda: check_figure("£1", 1.0), "float"),
    (lambda: check_figure("£1", True), "bool"),
    (lambda: check_figure("£1", Decimal("NaN")), "finite"),
    (lambda: check_figure("£1", 10**20), "64 bits"),
    (lambda: check_rate(1, 0, "1%"), "zero"),
    (lambda: check_rate(1, 2, "£1"), "money"),
    (lambda: check_rate(1, 2, "half"), "half"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(InputError, match=words):
        call()


# ---- totals cut rather than rounded -------------------------------------------


def test_total_of_cut_items_is_truncation():
    # 1.9 + 2.9 + 3.95 = 8.75, printed cut as 1, 2 and 3 and rounded as
    # 9: 3 more than the items, beyond the 2 that rounding four figures
    # allows, but what cutting three of them can leave.
    f = check_total(["1", "2", "3"], "9")
    assert (f.status, f.cause) == ("rounding", "truncation")
    assert "truncation" in f.suggestion
    # Cut items leave the sum short, never over: a total below the items
    # by more than rounding allows is an error, and so is one over by more
    # than cutting every figure could leave.
    assert check_total(["1", "2", "3"], "3").status == "error"
    assert check_total(["1", "2", "3"], "10").status == "error"
    # Within the rounding still reads as rounding.
    assert check_total(["1", "2", "3"], "7").cause == "rounding"


def test_cut_items_of_a_table_are_truncation():
    table = {"format": "apportion.table/1", "title": "cut", "unit": "£k",
             "columns": ["a"],
             "rows": [{"label": "x", "values": ["1"]},
                      {"label": "y", "values": ["2"]},
                      {"label": "z", "values": ["3"]},
                      {"label": "Total", "values": ["9"], "total": "above"}]}
    [f] = check_table(table).findings
    assert (f.status, f.cause) == ("rounding", "truncation")


def test_a_nil_is_never_cut():
    # A "-" or "£0m" stands for nothing: it is allowed its rounding (half a
    # unit) but not a whole unit cut away.
    assert check_total(["0.7"], "-").status == "error"
    assert check_total(["0.4"], "-").status == "rounding"


# ---- properties ----------------------------------------------------------------

# A money unit: its text and the pounds one printed unit at 0 decimals is.
UNITS = [("", 1), ("k", 1000), ("m", 10**6), ("bn", 10**9)]


def money_text(digits: int, decimals: int, suffix: str) -> str:
    mag = format(Decimal(abs(digits)).scaleb(-decimals), ",f")
    return ("-" if digits < 0 else "") + "£" + mag + suffix


def rounded_and_cut(x: Fraction) -> tuple[set[int], int]:
    """x's roundings to a whole number (half up, away from zero, and half
    to even) and its cut toward zero, by Decimal's own rules."""
    # At 80 digits the quotient of these numbers keeps its ties exact, and
    # its other values far enough from one.
    with localcontext() as ctx:
        ctx.prec = 80
        d = Decimal(x.numerator) / Decimal(x.denominator)
        r = {int(d.quantize(Decimal(1), rounding=m))
             for m in (ROUND_HALF_UP, ROUND_HALF_EVEN)}
        return r, int(d.quantize(Decimal(1), rounding=ROUND_DOWN))


values = st.builds(Fraction, st.integers(-10**12, 10**12),
                   st.integers(1, 10**4))
precisions = st.tuples(st.sampled_from(UNITS), st.integers(0, 3))


def in_printed_units(value: Fraction, unit: int, decimals: int) -> Fraction:
    return value / unit * 10**decimals


@settings(max_examples=300, deadline=None)
@given(values, precisions, st.data())
def test_property_money(value, precision, data):
    (suffix, unit), decimals = precision
    rounded, cut = rounded_and_cut(in_printed_units(value, unit, decimals))
    for d in rounded:
        f = check_figure(money_text(d, decimals, suffix), value)
        assert f.status == "ok"
    if cut not in rounded:
        f = check_figure(money_text(cut, decimals, suffix), value)
        assert (f.status, f.cause) == ("rounding", "truncation")
    other = data.draw(st.integers(cut - 5, cut + 5).filter(
        lambda d: d != cut and d not in rounded))
    f = check_figure(money_text(other, decimals, suffix), value)
    assert (f.status, f.cause) == ("error", "unexplained")


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6).flatmap(
    lambda n: st.tuples(st.just(n), st.booleans())),
    st.integers(0, 4), st.data())
def test_property_rates(numerator, den_and_sign, decimals, data):
    denominator, percent = den_and_sign
    x = Fraction(numerator, denominator) * (100 if percent else 1)
    rounded, cut = rounded_and_cut(x * 10**decimals)

    def text(d: int) -> str:
        return format(Decimal(d).scaleb(-decimals), "f") + ("%" if percent
                                                            else "")

    for d in rounded:
        assert check_rate(numerator, denominator, text(d)).status == "ok"
    if cut not in rounded:
        f = check_rate(numerator, denominator, text(cut))
        assert (f.status, f.cause) == ("rounding", "truncation")
    other = data.draw(st.integers(cut - 5, cut + 5).filter(
        lambda d: d != cut and d not in rounded))
    assert check_rate(numerator, denominator, text(other)).status == "error"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.builds(Fraction, st.integers(100, 10**6),
                          st.integers(1, 100)),
                min_size=1, max_size=8))
def test_property_cut_items_never_an_error(trues):
    # True values of at least 1 printed cut to whole numbers (so none is
    # a nil, which is only ever rounded), the total rounded
    # or cut: never an error, and truncation whenever rounding cannot
    # explain it.
    items = [str(int(t)) for t in trues]
    total = sum(trues, Fraction(0))
    for stated in (int(total), round(total)):
        f = check_total(items, str(stated))
        assert f.status != "error", (items, stated)
        if f.status == "rounding":
            assert f.cause in ("rounding", "truncation")


def test_a_figure_far_from_a_value_exact_only_at_many_decimals():
    # 2/65,536 is exact only at 15 decimals, where 9,224 does not fit in 64
    # bits: the finding shows the value rounded instead of overflowing.
    # (Found by the hypothesis property of check_rate on Python 3.10.)
    f = check_rate(2, 65536, "9224")
    assert (f.status, f.cause) == ("error", "unexplained")
    assert f.stated == Decimal("9224")
    assert check_rate(2, 65536, "0.00003").status == "ok"
