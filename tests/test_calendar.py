"""Working-day calendars: the published bank holidays, the holidays package,
numpy's business-day functions as the reference for counts and offsets, the
worked figures, input forms and errors, and financial-year parts."""

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

import apportion
from apportion import Calendar, InputError
from apportion.calendar import ROLLS

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "tests" / "data" / "uk_bank_holidays_2015_2030.csv"
DIVISIONS = ("england-and-wales", "scotland", "northern-ireland")
YEARS = range(1970, 2101)
FIRST, LAST = np.datetime64("1970-01-01"), np.datetime64("2100-12-31")
NAT = np.datetime64("NaT", "D")
# Day offsets carry their unit: numpy 2.5 deprecates adding a bare integer
# (a "generic" timedelta) to a date.
ONE_DAY = np.timedelta64(1, "D")


def days(n):
    return np.timedelta64(n, "D")


def published():
    """{(division, year): [rows in date order]} from the shared CSV."""
    out = defaultdict(list)
    with CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["date"])
            out[row["division"], day.year].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: r["date"])
    return out


PUBLISHED = published()


def numpy_calendar(cal, weekmask=None):
    """numpy's busdaycalendar with the calendar's own closures, every year."""
    days = [d for y in YEARS for d in cal.holidays(y)]
    return np.busdaycalendar(weekmask=weekmask or cal.weekmask,
                             holidays=np.array(days, dtype="datetime64[D]"))


def random_days(rng, n, lo=FIRST, hi=LAST):
    return rng.integers(lo.astype(np.int64), hi.astype(np.int64) + 1,
                        size=n).astype("datetime64[D]")


# ---- the published list -------------------------------------------------

def test_csv_covers_every_division_and_year():
    assert {k[0] for k in PUBLISHED} == set(DIVISIONS)
    assert {k[1] for k in PUBLISHED} == set(range(2015, 2031))
    # The file's own weekday column agrees with its dates, all weekdays.
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for rows in PUBLISHED.values():
        for r in rows:
            assert names[dt.date.fromisoformat(r["date"]).weekday()] == r["weekday"]


@pytest.mark.parametrize("division", DIVISIONS)
@pytest.mark.parametrize("year", range(2015, 2031))
def test_holidays_equal_the_published_weekdays(division, year):
    want = [dt.date.fromisoformat(r["date"]) for r in PUBLISHED[division, year]
            if dt.date.fromisoformat(r["date"]).weekday() < 5]
    assert Calendar(division).holidays(year) == want


@pytest.mark.parametrize("division", DIVISIONS)
def test_bank_holidays_titles_and_substitutes_match_the_csv(division):
    cal = Calendar(division)
    for year in range(2015, 2031):
        frame = cal.bank_holidays_frame(year)
        assert list(frame.columns) == ["date", "title", "substitute"]
        rows = PUBLISHED[division, year]
        assert frame["date"].tolist() == [dt.date.fromisoformat(r["date"]) for r in rows]
        assert frame["title"].tolist() == [r["title"] for r in rows]
        assert frame["substitute"].tolist() == [r["substitute_day"] == "true"
                                                for r in rows]


def test_domain_one_offs():
    ew, sc, ni = (Calendar(d) for d in DIVISIONS)
    assert dt.date(2020, 5, 8) in ew.holidays(2020)
    assert dt.date(2020, 5, 4) not in ew.holidays(2020)
    assert {dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19)} <= \
        set(ew.holidays(2022))
    assert dt.date(2022, 5, 30) not in ew.holidays(2022)
    assert dt.date(2023, 5, 8) in ew.holidays(2023)
    assert dt.date(2026, 6, 15) in sc.holidays(2026)
    assert dt.date(2026, 6, 15) not in ew.holidays(2026)
    assert dt.date(2026, 6, 15) not in ni.holidays(2026)
    # Northern Ireland: St Patrick's Day and 12 July (weekend -> Monday).
    assert dt.date(2024, 3, 18) in ni.holidays(2024)      # 17 March 2024 a Sunday
    assert dt.date(2025, 7, 14) in ni.holidays(2025)      # 12 July 2025 a Saturday
    # Scotland: 2 January, first Monday of August, St Andrew's Day.
    assert dt.date(2024, 1, 2) in sc.holidays(2024)
    assert dt.date(2024, 8, 5) in sc.holidays(2024)
    assert dt.date(2024, 8, 26) not in sc.holidays(2024)
    assert dt.date(2025, 12, 1) in sc.holidays(2025)      # 30 November a Sunday


def test_christmas_on_a_weekend():
    ew = Calendar("england-and-wales")
    # 2021: Christmas Saturday -> Mon 27 and Tue 28.
    assert [d for d in ew.holidays(2021) if d.month == 12] == [
        dt.date(2021, 12, 27), dt.date(2021, 12, 28)]
    # 2022: Christmas Sunday -> Boxing Day Mon 26, Christmas Tue 27.
    frame = ew.bank_holidays_frame(2022).set_index("title")
    assert frame.loc["Boxing Day", "date"] == dt.date(2022, 12, 26)
    assert frame.loc["Christmas Day", "date"] == dt.date(2022, 12, 27)
    assert bool(frame.loc["Christmas Day", "substitute"])
    # 2026: Boxing Day Saturday -> Mon 28.
    assert [d for d in ew.holidays(2026) if d.month == 12] == [
        dt.date(2026, 12, 25), dt.date(2026, 12, 28)]


# ---- the holidays package, 1970-2100 -----------------------------------------

SUBDIVISIONS = {"ENG": "england-and-wales", "WLS": "england-and-wales",
                "SCT": "scotland", "NIR": "northern-ireland"}

_EWNI_ONLY_OURS = {
    # 1970: the 1965-70 trial's spring and late summer holidays...
    dt.date(1970, 5, 25), dt.date(1970, 8, 31),
    # 1974: New Year's Day first proclaimed (holidays starts in 1975).
    dt.date(1974, 1, 1),
}
_EWNI_ONLY_THEIRS = {dt.date(1970, 5, 18)}  # ...where holidays has Whit Monday

#: The deliberate differences documented in csrc/calendar/bank_holidays.c and
#: tests/c/test_bank_holidays.c: (only in apportion, only in holidays).
EXPECTED_DIFFERENCES = {
    "england-and-wales": (_EWNI_ONLY_OURS, _EWNI_ONLY_THEIRS),
    "northern-ireland": (_EWNI_ONLY_OURS, _EWNI_ONLY_THEIRS),
    "scotland": (
        {
            # 1970-1977: first Monday in May (1871 Act); holidays has the
            # last Monday instead until 1978.
            dt.date(1970, 5, 4), dt.date(1971, 5, 3), dt.date(1972, 5, 1),
            dt.date(1973, 5, 7), dt.date(1974, 5, 6), dt.date(1975, 5, 5),
            dt.date(1976, 5, 3), dt.date(1977, 5, 2),
            # 1995: 1 May kept beside VE day's 8 May.
            dt.date(1995, 5, 1),
        },
        {
            # 1970-1971: 2 January only from 1972 (4 Jan 1971 its substitute).
            dt.date(1970, 1, 2), dt.date(1971, 1, 4),
            # 1971-1977: holidays' last Monday in May (first proclaimed 1978).
            dt.date(1971, 5, 31), dt.date(1972, 5, 29), dt.date(1973, 5, 28),
            dt.date(1974, 5, 27), dt.date(1975, 5, 26), dt.date(1976, 5, 31),
            dt.date(1977, 5, 30),
            # 2006: St Andrew's Day became a bank holiday by the 2007 Act.
            dt.date(2006, 11, 30),
        },
    ),
}


def test_holidays_package_version():
    # The oracle's differences below are those of this release, pinned in
    # the test extra: the newest that installs on every Python the package
    # supports (0.108 needs Python 3.11).
    assert holidays.__version__ == "0.107"


@pytest.mark.parametrize("subdiv", sorted(SUBDIVISIONS))
def test_agrees_with_holidays_package_except_documented_days(subdiv):
    division = SUBDIVISIONS[subdiv]
    theirs = {d for d in holidays.UK(subdiv=subdiv, years=YEARS) if d.weekday() < 5}
    cal = Calendar(division)
    ours = {d for y in YEARS for d in cal.holidays(y)}
    only_ours, only_theirs = EXPECTED_DIFFERENCES[division]
    assert sorted(ours - theirs) == sorted(only_ours)
    assert sorted(theirs - ours) == sorted(only_theirs)


@pytest.mark.parametrize("subdiv", sorted(SUBDIVISIONS))
def test_from_1978_identical_to_holidays_package_but_1995_2006_scotland(subdiv):
    division = SUBDIVISIONS[subdiv]
    cal = Calendar(division)
    for year in range(1978, 2101):
        theirs = sorted(d for d in holidays.UK(subdiv=subdiv, years=year)
                        if d.weekday() < 5)
        ours = cal.holidays(year)
        if division == "scotland" and year == 1995:
            assert set(ours) - set(theirs) == {dt.date(1995, 5, 1)}
        elif division == "scotland" and year == 2006:
            assert set(theirs) - set(ours) == {dt.date(2006, 11, 30)}
        else:
            assert ours == theirs, year


def test_csv_agrees_with_holidays_package():
    for division, subdiv in (("england-and-wales", "ENG"), ("scotland", "SCT"),
                             ("northern-ireland", "NIR")):
        theirs = sorted(d for d in holidays.UK(subdiv=subdiv, years=range(2015, 2031))
                        if d.weekday() < 5)
        mine = sorted(dt.date.fromisoformat(r["date"])
                      for (div, _), rows in PUBLISHED.items() if div == division
                      for r in rows)
        assert mine == theirs


# ---- numpy as the reference ----------------------------------------------------

def calendars():
    """Calendars worth comparing with numpy: each division, and closures with
    non-default weekmasks in their several forms."""
    closures = ["1970-01-01", "1999-12-30", "2024-12-24", "2024-12-28",
                "2030-06-07", "2100-12-31"]
    return [
        pytest.param(lambda: Calendar("england-and-wales"), id="ew"),
        pytest.param(lambda: Calendar("scotland"), id="scotland"),
        pytest.param(lambda: Calendar("northern-ireland"), id="ni"),
        pytest.param(lambda: Calendar("none"), id="none"),
        pytest.param(lambda: Calendar("england-and-wales", extra_closures=closures,
                                      weekmask="1111000"), id="closures-1111000"),
        pytest.param(lambda: Calendar("scotland", extra_closures=closures,
                                      weekmask="Mon Tue Wed Thu"), id="closures-MonTueWedThu"),
        pytest.param(lambda: Calendar("northern-ireland", extra_closures=closures,
                                      weekmask=[1, 1, 1, 1, 1, 1, 0]), id="closures-six-days"),
        pytest.param(lambda: Calendar("england-and-wales", extra_closures=closures,
                                      weekmask="Sat Sun"), id="closures-weekends"),
    ]


def test_weekmask_forms_are_the_same_calendar():
    a = Calendar(weekmask="1111000")
    b = Calendar(weekmask="Mon Tue Wed Thu")
    c = Calendar(weekmask=[True, True, True, True, False, False, False])
    assert a.weekmask == b.weekmask == c.weekmask == "1111000"
    assert Calendar(weekmask="Sat Sun").weekmask == "0000011"
    assert Calendar().weekmask == "1111100"
    fri = "2024-03-08"
    assert [x.is_working_day(fri) for x in (a, b, c)] == [False] * 3
    assert Calendar().is_working_day(fri)


@pytest.mark.parametrize("make", calendars())
def test_is_working_day_equals_numpy(make):
    cal = make()
    bdc = numpy_calendar(cal)
    days = random_days(np.random.default_rng(5), 100_000)
    days = np.concatenate([days, [FIRST, LAST]])
    assert np.array_equal(cal.is_working_day(days), np.is_busday(days, busdaycal=bdc))


@pytest.mark.parametrize("direction", ["forward", "reversed"])
def test_working_days_equals_busday_count_on_a_million_pairs(direction):
    """500,000 pairs each way, 1970-01-01 to 2101-01-01.  Forwards the end
    is exclusive, so the day after the last date is allowed; backwards
    numpy counts (end, start], so the start must be a covered date."""
    cal = Calendar("england-and-wales")
    bdc = numpy_calendar(cal)
    rng = np.random.default_rng(20240301)
    top = LAST + ONE_DAY if direction == "forward" else LAST
    a = random_days(rng, 500_000, hi=top)
    b = random_days(rng, 500_000, hi=top)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    start, end = (lo, hi) if direction == "forward" else (hi, lo)
    got = cal.working_days(start, end)
    want = np.busday_count(start, end, busdaycal=bdc)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, (
        f"{bad.size} of {got.size} differ; first: working_days({start[bad[0]]}, "
        f"{end[bad[0]]}) = {got[bad[0]]}, numpy.busday_count = {want[bad[0]]}")


def test_a_reversed_pair_needs_a_covered_start():
    # Counting (end, start] backwards needs to know whether the start is a
    # working day, and 2101's holidays are not covered.
    cal = Calendar("england-and-wales")
    assert cal.working_days("2100-12-01", "2101-01-01") == int(np.busday_count(
        "2100-12-01", "2101-01-01", busdaycal=numpy_calendar(cal)))
    with pytest.raises(InputError, match=r"start\[0\] is 2101-01-01"):
        cal.working_days(["2101-01-01"], ["2100-12-01"])


@pytest.mark.parametrize("start, end", [
    ("2024-03-04", "2024-03-10"),   # Monday to Sunday
    ("2024-03-10", "2024-03-04"),   # Sunday back to Monday
    ("2024-03-08", "2024-03-03"),   # Friday back to Sunday
    ("2024-03-04", "2024-03-04"),
    ("2024-12-27", "2024-12-20"),   # across Christmas, backwards
])
def test_working_days_small_cases_equal_busday_count(start, end):
    cal = Calendar("england-and-wales")
    assert cal.working_days(start, end) == int(
        np.busday_count(start, end, busdaycal=numpy_calendar(cal)))


def _pairs(rng, n, direction):
    top = LAST + ONE_DAY if direction == "forward" else LAST
    a = random_days(rng, n, hi=top)
    b = random_days(rng, n, hi=top)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return (lo, hi) if direction == "forward" else (hi, lo)


@pytest.mark.parametrize("make", calendars())
def test_working_days_with_closures_and_weekmasks_equal_numpy(make):
    cal = make()
    bdc = numpy_calendar(cal)
    start, end = _pairs(np.random.default_rng(17), 150_000, "forward")
    assert np.array_equal(cal.working_days(start, end),
                          np.busday_count(start, end, busdaycal=bdc))


@pytest.mark.parametrize("make", [p for p in calendars() if "closures" in p.id][:2])
def test_working_days_reversed_with_closures_and_weekmasks_equal_numpy(make):
    cal = make()
    bdc = numpy_calendar(cal)
    start, end = _pairs(np.random.default_rng(18), 150_000, "reversed")
    got = cal.working_days(start, end)
    want = np.busday_count(start, end, busdaycal=bdc)
    assert np.array_equal(got, want), f"{(got != want).sum()} of {got.size} differ"


def _offset_inputs(rng, n, span):
    days = random_days(rng, n)
    # Weekends, holidays and month ends are where the rolls differ.
    specials = np.array(["1970-01-01", "1970-01-03", "2100-12-31", "2100-12-25",
                         "2024-03-30", "2024-03-31", "2024-06-29", "2024-06-30",
                         "2023-12-31", "2021-01-31", "2022-12-25"],
                        dtype="datetime64[D]")
    days = np.concatenate([days, specials, [NAT, NAT]])
    n_off = rng.integers(-span, span + 1, size=days.size)
    n_off[: days.size // 10] = 0
    return days, n_off


def _in_calendar(x):
    return (x >= FIRST) & (x <= LAST)


@pytest.mark.parametrize("make", calendars())
@pytest.mark.parametrize("roll", [r for r in ROLLS if r != "raise"])
def test_add_working_days_equals_busday_offset(make, roll):
    cal = make()
    bdc = numpy_calendar(cal)
    rng = np.random.default_rng(ROLLS.index(roll))
    days, n = _offset_inputs(rng, 60_000, 400)
    want = np.busday_offset(days, n, roll=roll, busdaycal=bdc)
    rolled = np.busday_offset(days, 0, roll=roll, busdaycal=bdc)
    # Only where numpy's roll and result stay in 1970..2100.
    keep = np.isnat(days) | np.isnat(want) | (_in_calendar(want) & _in_calendar(rolled))
    got = cal.add_working_days(days[keep], n[keep], roll=roll)
    assert got.dtype == np.dtype("datetime64[D]")
    same = (got == want[keep]) | (np.isnat(got) & np.isnat(want[keep]))
    assert same.all(), (days[keep][~same][:5], n[keep][~same][:5],
                        got[~same][:5], want[keep][~same][:5])
    assert np.array_equal(np.isnat(got), np.isnat(want[keep]))
    if roll == "nat":
        assert np.isnat(got[~np.isnat(days[keep])]).any()  # some were rolled


@pytest.mark.parametrize("make", calendars())
def test_add_working_days_roll_raise_like_numpy(make):
    cal = make()
    bdc = numpy_calendar(cal)
    rng = np.random.default_rng(99)
    days, n = _offset_inputs(rng, 60_000, 400)
    present = ~np.isnat(days)
    days, n = days[present], n[present]
    working = np.is_busday(days, busdaycal=bdc)
    # Working days: both move them the same.
    want = np.busday_offset(days[working], n[working], roll="raise", busdaycal=bdc)
    keep = _in_calendar(want)
    assert np.array_equal(
        cal.add_working_days(days[working][keep], n[working][keep], roll="raise"),
        want[keep])
    # Non-working days: both raise, one date at a time.
    idle = np.flatnonzero(~working)
    assert idle.size > 100
    for i in rng.choice(idle, size=150, replace=False):
        with pytest.raises(ValueError):
            np.busday_offset(days[i], n[i], roll="raise", busdaycal=bdc)
        with pytest.raises(InputError, match="not a working day"):
            cal.add_working_days(days[i], int(n[i]), roll="raise")


def test_roll_raise_names_the_non_working_day():
    arr = np.array(["2024-03-04", "2024-03-09"], dtype="datetime64[D]")
    with pytest.raises(ValueError):
        np.busday_offset(arr, 1, roll="raise", busdaycal=numpy_calendar(Calendar()))
    with pytest.raises(InputError, match=r"dates\[1\] is 2024-03-09"):
        Calendar().add_working_days(arr, 1, roll="raise")


@pytest.mark.parametrize("roll", ROLLS)
def test_nat_input_like_numpy(roll):
    """numpy.busday_offset gives NaT for NaT with every roll but "raise",
    which raises; apportion must do the same on the same input."""
    cal = Calendar()
    bdc = numpy_calendar(cal)
    dates = np.array(["2024-03-04", "NaT"], dtype="datetime64[D]")
    try:
        want = np.busday_offset(dates, 1, roll=roll, busdaycal=bdc)
    except ValueError:
        with pytest.raises(InputError):
            cal.add_working_days(dates, 1, roll=roll)
    else:
        got = cal.add_working_days(dates, 1, roll=roll)
        assert got[0] == want[0] and np.isnat(got[1]) and np.isnat(want[1])


def test_add_working_days_beyond_the_calendar_raises():
    cal = Calendar()
    with pytest.raises(InputError, match="outside"):
        cal.add_working_days("2100-12-30", 5)
    with pytest.raises(InputError, match="outside"):
        cal.add_working_days("1970-01-02", -5)
    with pytest.raises(InputError, match="outside"):
        cal.add_working_days("1969-12-31", 0, roll="following")
    assert cal.add_working_days("2100-12-30", 1) == dt.date(2100, 12, 31)
    assert cal.add_working_days("1970-01-05", -1) == dt.date(1970, 1, 2)


def test_add_working_days_scalar_and_roll_errors():
    cal = Calendar()
    assert cal.add_working_days("2024-03-01", 3) == dt.date(2024, 3, 6)
    assert cal.add_working_days(dt.date(2024, 3, 2), 0, roll="following") == dt.date(2024, 3, 4)
    assert cal.add_working_days("2024-03-02", 0, roll="nat") is None
    assert cal.add_working_days("2024-03-31", 0, roll="modifiedfollowing") == dt.date(2024, 3, 28)
    with pytest.raises(InputError, match="roll must be one of"):
        cal.add_working_days("2024-03-01", 1, roll="sideways")
    with pytest.raises(TypeError):
        cal.add_working_days("2024-03-01", 1.5)


# ---- elapsed working days and the worked figures --------------------------------

@pytest.mark.parametrize("year, label, days", [
    (2021, "2021/22", 253), (2022, "2022/23", 251), (2023, "2023/24", 250),
    (2024, "2024/25", 254)])
def test_financial_year_working_days(year, label, days):
    cal = Calendar("england-and-wales")
    assert cal.financial_year_working_days(year) == days
    assert cal.financial_year_working_days(label) == days
    assert cal.working_days(f"{year}-04-01", f"{year + 1}-04-01") == days


def test_financial_year_working_days_errors():
    cal = Calendar()
    with pytest.raises(InputError, match="2021/23"):
        cal.financial_year_working_days("2021/23")
    with pytest.raises(InputError, match="1969/70"):
        cal.financial_year_working_days(1969)
    with pytest.raises(InputError, match="2100/01"):
        cal.financial_year_working_days(2100)
    with pytest.raises(TypeError):
        cal.financial_year_working_days(2021.0)


def test_elapsed_received_friday_responded_wednesday():
    cal = Calendar()
    fri, wed = dt.date(2024, 3, 1), dt.date(2024, 3, 6)
    assert fri.weekday() == 4 and wed.weekday() == 2
    assert cal.elapsed_working_days(fri, wed) == 3
    assert cal.elapsed_working_days("2024-03-01", "2024-03-06",
                                    convention="after_start") == 3
    assert cal.elapsed_working_days(fri, wed, convention="busday_count") == \
        int(np.busday_count(fri, wed)) == 3
    assert cal.elapsed_working_days(fri, wed, convention="inclusive") == 4
    # A holiday in between counts for nothing: Thu 28 Mar 2024 -> Tue 2 Apr
    # over Good Friday and Easter Monday.
    assert cal.elapsed_working_days("2024-03-28", "2024-04-02") == 1
    # Received on a Saturday: the clock starts that day the same way.
    assert cal.elapsed_working_days("2024-03-02", "2024-03-04") == 1
    assert cal.elapsed_working_days("2024-03-04", "2024-03-04") == 0
    with pytest.raises(InputError, match="convention must be one of"):
        cal.elapsed_working_days(fri, wed, convention="calendar")


@pytest.mark.parametrize("make", calendars())
@pytest.mark.parametrize("convention, s_off, e_off", [
    ("after_start", 1, 1), ("busday_count", 0, 0), ("inclusive", 0, 1)])
def test_elapsed_conventions_equal_numpy(make, convention, s_off, e_off):
    cal = make()
    bdc = numpy_calendar(cal)
    rng = np.random.default_rng(7)
    a = random_days(rng, 100_000)
    b = random_days(rng, 100_000)
    start, end = np.minimum(a, b), np.maximum(a, b)
    # Short gaps too, where the ends matter most.
    start[:50_000] = end[:50_000] - rng.integers(0, 15, 50_000)
    start = np.maximum(start, FIRST)
    want = np.busday_count(start + days(s_off), end + days(e_off), busdaycal=bdc)
    got = cal.elapsed_working_days(start, end, convention=convention)
    assert np.array_equal(got, want)


# ---- input forms -----------------------------------------------------------------

def test_input_forms_agree():
    cal = Calendar()
    want = [3, 1]
    starts = ["2024-03-01", "2024-03-28"]
    ends = ["2024-03-06", "2024-04-02"]
    forms = [
        (starts, ends),
        (np.array(starts, dtype="datetime64[D]"), np.array(ends, dtype="datetime64[D]")),
        (np.array(starts, dtype="datetime64[ns]"), np.array(ends, dtype="datetime64[ns]")),
        (np.array([dt.date(2024, 3, 1), "2024-03-28"], dtype=object),
         np.array([dt.date(2024, 3, 6), np.datetime64("2024-04-02")], dtype=object)),
        (pd.Series(pd.to_datetime(starts)), pd.Series(pd.to_datetime(ends))),
        (pd.DatetimeIndex(starts), pd.DatetimeIndex(ends)),
    ]
    for s, e in forms:
        got = cal.elapsed_working_days(s, e)
        assert list(np.asarray(got)) == want
    for s, e in zip(starts, ends):
        for conv in (str, dt.date.fromisoformat, np.datetime64, pd.Timestamp):
            assert cal.elapsed_working_days(conv(s), conv(e)) == want[starts.index(s)]
    # A datetime is read as its date.
    assert cal.elapsed_working_days(dt.datetime(2024, 3, 1, 23, 59), "2024-03-06") == 3


def test_scalar_in_scalar_out_array_in_array_out():
    cal = Calendar()
    assert isinstance(cal.working_days("2024-03-01", "2024-03-06"), int)
    assert isinstance(cal.is_working_day("2024-03-01"), bool)
    out = cal.working_days(np.array(["2024-03-01"], dtype="datetime64[D]"), "2024-03-06")
    assert isinstance(out, np.ndarray) and out.tolist() == [3]
    # A scalar beside an array is broadcast.
    out = cal.working_days("2024-03-01", np.array(["2024-03-06", "2024-03-08"],
                                                  dtype="datetime64[D]"))
    assert out.tolist() == [3, 5]


def test_series_with_nat_keeps_the_index():
    cal = Calendar()
    idx = pd.Index(["r1", "r2", "r3", "r4"], name="case")
    received = pd.Series(pd.to_datetime(["2024-03-01", None, "2024-03-04", "2024-03-09"]),
                         index=idx, name="received")
    responded = pd.Series(pd.to_datetime(["2024-03-06", "2024-03-06", None, "2024-03-11"]),
                          index=idx, name="responded")
    got = cal.elapsed_working_days(received, responded)
    assert isinstance(got, pd.Series)
    assert got.index.equals(idx)
    assert got.tolist() == [3, -1, -1, 1]
    moved = cal.add_working_days(received, 1, roll="following")
    assert isinstance(moved, pd.Series) and moved.index.equals(idx)
    assert moved.isna().tolist() == [False, True, False, False]
    assert [d.date() for d in moved.dropna()] == [dt.date(2024, 3, 4), dt.date(2024, 3, 5),
                                                  dt.date(2024, 3, 12)]
    flags = cal.is_working_day(received.dropna())
    assert flags.index.tolist() == ["r1", "r3", "r4"] and flags.tolist() == [True, True, False]
    # A Series beside a scalar keeps the Series' index, whichever side it is.
    assert cal.working_days("2024-01-01", received.dropna()).index.tolist() == ["r1", "r3", "r4"]
    assert cal.working_days(received.dropna(), "2024-04-01").tolist() == [20, 19, 14]


@pytest.mark.parametrize("missing", [np.datetime64("NaT", "D"), pd.NaT, None],
                         ids=["datetime64-NaT", "pandas-NaT", "None"])
def test_scalar_missing_date_gives_none(missing):
    """The docstring: a missing date (NaT, None) gives -1 in an array and
    None for a scalar."""
    cal = Calendar()
    assert cal.elapsed_working_days("2024-03-01", missing) is None
    assert cal.elapsed_working_days(missing, "2024-03-01") is None


def test_object_arrays_with_missing_values():
    cal = Calendar()
    s = np.array(["2024-03-01", None, dt.date(2024, 3, 2), "2024-03-01"], dtype=object)
    e = np.array([dt.date(2024, 3, 6), dt.date(2024, 3, 6), float("nan"), pd.NaT],
                 dtype=object)
    assert cal.elapsed_working_days(s, e).tolist() == [3, -1, -1, -1]


@pytest.mark.parametrize("text", ["03/01/2024", "2024-02-30", "2024-13-01", "x", ""])
def test_bad_text_names_the_element(text):
    cal = Calendar()
    with pytest.raises(InputError, match=r"end\[1\]"):
        cal.working_days(["2024-01-01", "2024-01-02"], ["2024-01-05", text])
    with pytest.raises(InputError, match=r"responded\[1\]"):
        cal.elapsed_working_days(["2024-03-01", "2024-03-01"], ["2024-03-06", text])
    with pytest.raises(InputError, match=r"dates\[0\]"):
        cal.is_working_day([text])


def test_response_before_receipt_names_the_row():
    cal = Calendar()
    with pytest.raises(InputError, match=r"row 1 .*2024-01-02.*2024-01-09"):
        cal.elapsed_working_days(["2024-01-01", "2024-01-09"], ["2024-01-05", "2024-01-02"])
    with pytest.raises(InputError, match="row 0"):
        cal.elapsed_working_days("2024-03-06", "2024-03-01")


@pytest.mark.parametrize("call", [
    lambda c: c.working_days("1969-12-31", "2024-01-02"),
    lambda c: c.working_days("2024-01-01", "2101-01-02"),
    lambda c: c.elapsed_working_days(["1969-12-31"], ["2024-03-01"]),
    lambda c: c.elapsed_working_days(["2024-03-01"], ["2101-01-01"]),
    lambda c: c.is_working_day("2101-01-01"),
    lambda c: c.is_working_day(np.array(["1900-01-01"], dtype="datetime64[D]")),
    lambda c: c.add_working_days("1969-12-31", 1, roll="following"),
    lambda c: c.holidays(1969),
    lambda c: c.holidays(2101),
    lambda c: c.bank_holidays_frame(1969),
])
def test_dates_outside_1970_2100_raise(call):
    with pytest.raises(InputError, match="1970.*2100"):
        call(Calendar())


@pytest.mark.parametrize("call, name", [
    (lambda c, d: c.working_days([d], ["2024-01-02"]), "start"),
    (lambda c, d: c.working_days(["2024-01-02"], [d]), "end"),
    (lambda c, d: c.elapsed_working_days([d], ["2024-03-01"]), "received"),
    (lambda c, d: c.elapsed_working_days(["1970-01-01"], [d]), "responded"),
], ids=["working_days-start", "working_days-end", "elapsed-received",
        "elapsed-responded"])
def test_a_date_out_of_range_is_named_as_bad_text_is(call, name):
    """The argument is named the same way whether its text is bad or its
    date is outside the calendar."""
    cal = Calendar()
    with pytest.raises(InputError, match=rf"^{name}\[0\]"):
        call(cal, "2024-02-30")
    with pytest.raises(InputError, match=rf"^{name}\[0\]"):
        call(cal, "2101-01-02" if name in ("end", "responded") else "1969-12-31")


def test_working_days_refuses_nat():
    cal = Calendar()
    with pytest.raises(InputError, match="NaT"):
        cal.working_days(np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"), "2024-03-01")


def test_mismatched_lengths_and_bad_types():
    cal = Calendar()
    with pytest.raises(InputError, match="same length"):
        cal.working_days(["2024-01-01", "2024-01-02"], ["2024-01-05"] * 3)
    with pytest.raises(TypeError):
        cal.working_days(20240101, "2024-01-05")
    with pytest.raises(TypeError):
        cal.working_days(np.array([1.5]), "2024-01-05")
    with pytest.raises(InputError, match="one-dimensional"):
        cal.is_working_day(np.array([["2024-01-01"]], dtype="datetime64[D]"))


def test_calendar_construction_errors():
    with pytest.raises(InputError, match="wales"):
        Calendar("wales")
    with pytest.raises(TypeError):
        Calendar(None)
    with pytest.raises(InputError, match="no working day"):
        Calendar(weekmask="0000000")
    with pytest.raises(InputError, match="Funday"):
        Calendar(weekmask="Mon Funday")
    with pytest.raises(InputError, match="7 are needed"):
        Calendar(weekmask=[1, 1, 1])
    with pytest.raises(InputError, match="NaT"):
        Calendar(extra_closures=["2024-01-01", None])
    with pytest.raises(InputError, match="1969-01-01"):
        Calendar(extra_closures=["1969-01-01"])
    with pytest.raises(InputError, match=r"extra_closures\[1\]"):
        Calendar(extra_closures=np.array(["2024-01-01", "Christmas Eve"], dtype=object))


def test_extra_closures_forms():
    forms = [["2024-12-24", "2024-12-31"],
             (dt.date(2024, 12, 24), dt.date(2024, 12, 31)),
             np.array(["2024-12-31", "2024-12-24", "2024-12-24"], dtype="datetime64[D]"),
             pd.Series(pd.to_datetime(["2024-12-24", "2024-12-31"]))]
    for closures in forms:
        cal = Calendar("england-and-wales", extra_closures=closures)
        assert cal.extra_closures == [dt.date(2024, 12, 24), dt.date(2024, 12, 31)]
        assert [d for d in cal.holidays(2024) if d.month == 12] == [
            dt.date(2024, 12, 24), dt.date(2024, 12, 25), dt.date(2024, 12, 26),
            dt.date(2024, 12, 31)]
        assert not cal.is_working_day("2024-12-24")
        assert cal.working_days("2024-12-23", "2025-01-03") == \
            Calendar().working_days("2024-12-23", "2025-01-03") - 2
    assert "2 closure days" in repr(Calendar(extra_closures=["2024-12-24", "2024-12-31"]))


def test_division_none_is_weekends_only():
    cal = Calendar("none")
    assert cal.holidays(2024) == []
    rng = np.random.default_rng(3)
    a, b = random_days(rng, 10_000), random_days(rng, 10_000)
    fwd = a <= b
    assert np.array_equal(cal.working_days(a[fwd], b[fwd]), np.busday_count(a[fwd], b[fwd]))


# ---- financial years --------------------------------------------------------------

@pytest.mark.parametrize("year, label", [(2021, "2021/22"), (1999, "1999/00"),
                                         (2099, "2099/00"), (1970, "1970/71"),
                                         (2009, "2009/10")])
def test_fy_label(year, label):
    assert apportion.fy_label(year) == label
    assert apportion.fy_label(np.int64(year)) == label


@pytest.mark.parametrize("bad", [True, 2021.0, "2021"])
def test_fy_label_needs_an_int(bad):
    with pytest.raises(TypeError):
        apportion.fy_label(bad)


def test_financial_year():
    assert apportion.financial_year("2022-03-31") == "2021/22"
    assert apportion.financial_year(dt.date(2022, 4, 1)) == "2022/23"
    arr = apportion.financial_year(np.array(["2021-04-01", "NaT", "2000-01-01"],
                                            dtype="datetime64[D]"))
    assert arr.tolist() == ["2021/22", None, "1999/00"]
    s = pd.Series(pd.to_datetime(["2022-04-01", None, "2022-03-31"]), index=[7, 8, 9])
    out = apportion.financial_year(s)
    assert isinstance(out, pd.Series) and out.index.tolist() == [7, 8, 9]
    assert out[7] == "2022/23" and out[9] == "2021/22" and pd.isna(out[8])


def test_date_parts_domain_examples():
    d = np.array(["2021-04-01", "2021-06-30", "2021-07-01", "2021-12-31", "2022-01-01",
                  "2022-03-31", "NaT"], dtype="datetime64[D]")
    assert apportion.date_parts(d, "financial_year").tolist() == [2021] * 6 + [-1]
    assert apportion.date_parts(d, "quarter").tolist() == [1, 1, 2, 3, 4, 4, -1]
    assert apportion.date_parts(d, "period").tolist() == [1, 3, 4, 9, 10, 12, -1]
    assert apportion.date_parts(d, "financial_quarter").tolist() == [
        20211, 20211, 20212, 20213, 20214, 20214, -1]
    assert apportion.date_parts(d, "month").tolist() == [
        202104, 202106, 202107, 202112, 202201, 202203, -1]
    assert apportion.date_parts("2021-12-25", "period") == 9
    with pytest.raises(InputError, match="part must be one of"):
        apportion.date_parts(d, "week")


def test_date_parts_equal_a_python_reference():
    rng = np.random.default_rng(11)
    days = random_days(rng, 20_000)
    dates = days.astype(object)

    def fy(x):
        return x.year if x.month >= 4 else x.year - 1

    def quarter(x):
        return (x.month - 4) % 12 // 3 + 1

    want = {
        "financial_year": [fy(x) for x in dates],
        "quarter": [quarter(x) for x in dates],
        "period": [(x.month - 4) % 12 + 1 for x in dates],
        "financial_quarter": [fy(x) * 10 + quarter(x) for x in dates],
        "month": [x.year * 100 + x.month for x in dates],
    }
    for part, values in want.items():
        assert apportion.date_parts(days, part).tolist() == values, part
    series = pd.Series(days[:50], index=np.arange(50) * 2)
    out = apportion.date_parts(series, "period")
    assert out.index.equals(series.index) and out.tolist() == want["period"][:50]
