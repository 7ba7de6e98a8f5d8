"""One number lexer reads money, printed figures and decimals (issue 16):
money takes the no-break spaces (U+00A0, U+202F) that text copied from a
PDF has wherever a printed figure takes them, and the three grammars agree
on the value of every text they all accept.

Python reaches the three through ``apportion.parse_money``,
``apportion._core.parse_decimal`` and, for printed figures,
``apportion.check_total``: the glue's ``audit_sum`` reads each item with
``ap_figure_parse``, and against a stated nil the difference is minus the
figure, exactly."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apportion
from apportion import _core
from apportion.errors import ApportionError, InputError

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
MINUS_SIGN = "\u2212"


def figure_value(text: str) -> Fraction:
    """The value ap_figure_parse reads from text."""
    finding = apportion.check_total({"figure": text}, "0")
    return -Fraction(finding.difference)


def decimal_value(text: str) -> Fraction:
    num, den = _core.parse_decimal(text)
    return Fraction(num, den)


def money_value(text: str) -> Fraction:
    """parse_money in pounds, as a number of pounds."""
    return Fraction(apportion.parse_money(text), 100)


# ---- the bug: money and no-break spaces --------------------------------------


def test_the_figure_from_the_issue():
    assert apportion.parse_money("\u00a01,070") == 107000


@pytest.mark.parametrize("blank", [NBSP, NARROW_NBSP])
@pytest.mark.parametrize("text, pence", [
    ("{b}1,070", 107000),                 # leading
    ("1,070{b}", 107000),                 # trailing
    ("{b}{b}£1,070.50{b} ", 107050),      # both, several
    ("£{b}1,070", 107000),                # after the pound
    ("-£{b}211,654", -21165400),
    ("{b}(£{b}3,540){b}", -354000),
    (MINUS_SIGN + "£{b}5{b}", -500),
    ("{b}£0.85m", 85000000),
])
def test_money_reads_no_break_spaces_where_figures_do(blank, text, pence):
    text = text.format(b=blank)
    assert apportion.parse_money(text) == pence
    # The audit reads the same text as the same figure (less the suffix,
    # which figures do not know).
    if not text.rstrip().endswith("m"):
        assert figure_value(text) == Fraction(pence, 100)


@pytest.mark.parametrize("blank", [NBSP, NARROW_NBSP])
def test_no_break_space_is_no_thousands_separator(blank):
    # Figures refuse "1 070" with any blank inside the digits, and so does
    # money: a blank there is as likely to part two figures as to group one.
    text = f"1{blank}070"
    with pytest.raises(InputError, match="unexpected text at character 2"):
        apportion.parse_money(text)
    with pytest.raises(InputError, match="unexpected text at character 2"):
        figure_value(text)
    with pytest.raises(InputError, match="unexpected text"):
        apportion.parse_money(f"5{blank}m")


def test_no_break_spaces_alone_are_empty_money():
    with pytest.raises(InputError, match="empty"):
        apportion.parse_money(NBSP + NARROW_NBSP + " ")


def test_messages_count_characters_past_no_break_spaces():
    with pytest.raises(InputError) as info:
        apportion.parse_money(f"{NBSP}£21x,654")
    assert "at character 5 ('x')" in str(info.value)


# ---- the three grammars agree -----------------------------------------------

# Pieces of text, in the forms each grammar knows: random strings of them
# are mostly refused by one grammar or another, and the rest must agree.
PIECES = ["0", "1", "2", "5", "9", "000", "123", "4567", ",", ".", "-", "+",
          MINUS_SIGN, "£", "(", ")", "%", " ", "\t", "\n", NBSP, NARROW_NBSP,
          "m", "k", "p", "e", "E", "\u2013", "x"]
PIECE_TEXTS = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)


def grouped(n: int) -> str:
    return f"{n:,}"


@st.composite
def plain_numbers(draw, blanks=(" ", "\t", "")):
    """Numbers every grammar reads: an ASCII sign, digits grouped in threes
    or not, at most two decimals (money's pennies), spaces or tabs around."""
    whole = draw(st.integers(min_value=0, max_value=10**15))
    digits = draw(st.sampled_from([str, grouped]))(whole)
    decimals = draw(st.integers(min_value=0, max_value=2))
    if decimals:
        digits += "." + str(draw(st.integers(0, 10**decimals - 1))).zfill(
            decimals)
    sign = draw(st.sampled_from(["", "-", "+"]))
    before = draw(st.sampled_from(blanks))
    after = draw(st.sampled_from(blanks))
    return before + sign + digits + after


def read_all(text: str):
    """Each grammar's value of text, or None where it refuses the text."""
    values = []
    for read in (money_value, figure_value, decimal_value):
        try:
            values.append(read(text))
        except (ApportionError, OverflowError):
            values.append(None)
    return values


@settings(max_examples=400, deadline=None)
@given(st.one_of(PIECE_TEXTS, plain_numbers()))
def test_money_figure_and_decimal_agree_where_all_accept(text):
    values = read_all(text)
    if None not in values:
        assert values[0] == values[1] == values[2], (text, values)


@settings(max_examples=200, deadline=None)
@given(plain_numbers())
def test_plain_numbers_are_read_alike_by_all_three(text):
    # Keeps the property above from passing by refusing everything.
    money, figure, decimal = read_all(text)
    assert money is not None and money == figure == decimal, (text,)
    assert money == Fraction(Decimal(text.strip().replace(",", "")))


@st.composite
def printed_figures(draw):
    """Figures as printed in papers: PDF blanks around and after the £,
    the minus sign, brackets."""
    blanks = [" ", "\t", "\n", NBSP, NARROW_NBSP, ""]
    core = draw(plain_numbers(blanks=[""])).lstrip("+-")
    pound = draw(st.sampled_from(["", "£", "£" + draw(st.sampled_from(
        blanks))]))
    style = draw(st.sampled_from(["", "-", "+", MINUS_SIGN, "()",
                                  "after"]))
    if style == "()":
        body = "(" + pound + core + ")"
    elif style == "after" and pound:
        body = pound + draw(st.sampled_from(["-", MINUS_SIGN])) + core
    else:
        body = (style if style != "after" else "") + pound + core
    return (draw(st.sampled_from(blanks)) + body
            + draw(st.sampled_from(blanks)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(printed_figures(), PIECE_TEXTS))
def test_money_reads_every_printed_figure_the_audit_reads(text):
    # Wherever the audit reads a figure in pounds and pence (no %, not a
    # nil dash), money reads the same value: the blanks, signs and groups
    # are one lexer's.
    try:
        figure = figure_value(text)
    except (ApportionError, OverflowError):
        return
    trimmed = text.strip(" \t\n\r\v\f" + NBSP + NARROW_NBSP)
    if "%" in text or trimmed in ("-", "\u2013", "\u2014"):
        return
    if (figure * 100).denominator != 1:
        return
    assert money_value(text) == figure, (text,)


@settings(max_examples=200, deadline=None)
@given(printed_figures())
def test_printed_figures_are_read_by_money(text):
    assert money_value(text) == figure_value(text), (text,)
