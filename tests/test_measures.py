"""Grouped performance measures against plain pandas/numpy computations
written from the docstrings: within N working days (open records, as_of),
elapsed working-day summaries and re-referrals; grouping keys, combining
chunk results, errors and threads."""

import calendar as _calendar
import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import apportion
from apportion import Calendar, InputError

YEARS = range(1970, 2101)
NAT = np.datetime64("NaT", "D")
# Day offsets carry their unit: numpy 2.5 deprecates adding a bare integer
# (a "generic" timedelta) to a date.
OFFSETS = {name: (np.timedelta64(a, "D"), np.timedelta64(b, "D"))
           for name, (a, b) in {"after_start": (1, 1), "busday_count": (0, 0),
                                "inclusive": (0, 1)}.items()}
SLA_COLUMNS = ["within", "total", "rate", "late", "open_late", "open_pending", "records"]

CALENDARS = {
    "england-and-wales": Calendar("england-and-wales"),
    "scotland-closures-4day": Calendar("scotland", extra_closures=["2021-12-24", "2022-08-12"],
                                       weekmask="Mon Tue Wed Thu"),
    "northern-ireland": Calendar("northern-ireland"),
}
_BDC = {}


def busdaycal(cal):
    key = id(cal)
    if key not in _BDC:
        days = [d for y in YEARS for d in cal.holidays(y)]
        _BDC[key] = np.busdaycalendar(weekmask=cal.weekmask,
                                      holidays=np.array(days, dtype="datetime64[D]"))
    return _BDC[key]


def group_column(by, n):
    """The grouping as one or more plain columns for pandas."""
    if by is None:
        return {"g0": np.array(["all"] * n, dtype=object)}
    if isinstance(by, list):
        return {f"g{i}": np.asarray(b) for i, b in enumerate(by)}
    return {"g0": np.asarray(by)}


def _grouped(df, by, columns):
    keys = [c for c in df.columns if c.startswith("g")]
    out = df.groupby(keys, dropna=False, sort=True)[columns].sum()
    if len(keys) == 1:
        out.index = pd.Index(list(out.index))
    return out


def reference_within(start, end, days, cal, by=None, as_of=None,
                     convention="after_start"):
    """% within ``days`` working days, from the docstring: elapsed is
    busday_count(start + a, end + b) for the convention; closed records are
    within or late; an open record is late once the same count to as_of is
    past the limit, and otherwise pending (always pending without as_of)."""
    bdc = busdaycal(cal)
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]")
    a, b = OFFSETS[convention]
    closed = ~np.isnat(e)
    elapsed = np.zeros(s.size, dtype=np.int64)
    elapsed[closed] = np.busday_count(s[closed] + a, e[closed] + b, busdaycal=bdc)
    if as_of is None:
        open_late = np.zeros(s.size, dtype=bool)
    else:
        so_far = np.busday_count(s + a, np.datetime64(as_of, "D") + b, busdaycal=bdc)
        open_late = ~closed & (so_far > days)
    df = pd.DataFrame({
        "within": (closed & (elapsed <= days)).astype(np.int64),
        "total": (closed | open_late).astype(np.int64),
        "open_late": open_late.astype(np.int64),
        "open_pending": (~closed & ~open_late).astype(np.int64),
        "records": np.ones(s.size, dtype=np.int64),
        **group_column(by, s.size),
    })
    out = _grouped(df, by, ["within", "total", "open_late", "open_pending", "records"])
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(out["total"] > 0, 100.0 * out["within"] / out["total"], np.nan)
    out["late"] = out["total"] - out["within"]
    return out[SLA_COLUMNS]


def reference_elapsed(start, end, cal, by=None, convention="after_start"):
    bdc = busdaycal(cal)
    s = np.asarray(start, dtype="datetime64[D]")
    e = np.asarray(end, dtype="datetime64[D]")
    a, b = OFFSETS[convention]
    closed = ~np.isnat(e)
    elapsed = np.zeros(s.size, dtype=np.int64)
    elapsed[closed] = np.busday_count(s[closed] + a, e[closed] + b, busdaycal=bdc)
    df = pd.DataFrame({"closed": closed.astype(np.int64), "open": (~closed).astype(np.int64),
                       "elapsed_sum": elapsed, "when_closed": np.where(closed, elapsed, np.nan),
                       **group_column(by, s.size)})
    out = _grouped(df, by, ["closed", "open", "elapsed_sum"])
    keys = [c for c in df.columns if c.startswith("g")]
    most = df.groupby(keys, dropna=False, sort=True)["when_closed"].max()
    out["mean"] = np.where(out["closed"] > 0, out["elapsed_sum"] / out["closed"].clip(lower=1),
                           np.nan)
    out["max"] = most.to_numpy()
    return out


def months_before(day, months):
    """The same day ``months`` calendar months earlier, clamped to the end
    of a shorter month."""
    total = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(total, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def reference_rereferrals(subjects, dates, by=None, window_months=12):
    """A record is a re-referral when its subject's previous record, in
    order of date then row, is on or after the same date window_months
    earlier."""
    n = len(dates)
    order = sorted(range(n), key=lambda i: (subjects[i], dates[i], i))
    flags = np.zeros(n, dtype=bool)
    for prev, cur in itertools.pairwise(order):
        if subjects[prev] == subjects[cur] and \
                dates[prev] >= months_before(dates[cur], window_months):
            flags[cur] = True
    df = pd.DataFrame({"rereferrals": flags.astype(np.int64),
                       "records": np.ones(n, dtype=np.int64), **group_column(by, n)})
    out = _grouped(df, by, ["rereferrals", "records"])
    out["rate"] = np.where(out["records"] > 0, 100.0 * out["rereferrals"] / out["records"], np.nan)
    return out, flags


def assert_same(got, want):
    assert list(got.columns) == list(want.columns)
    assert list(got.index) == list(want.index)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False)


# ---- strategies ----------------------------------------------------------------

BASE = np.datetime64("2019-12-01", "D")
AUTHORITIES = ["E06000061", "E06000062", "E10000021", "W06000015"]


@st.composite
def records(draw, max_size=60):
    n = draw(st.integers(0, max_size))
    starts = draw(st.lists(st.integers(0, 1600), min_size=n, max_size=n))
    lengths = draw(st.lists(st.one_of(st.none(), st.integers(0, 40)), min_size=n, max_size=n))
    start = BASE + np.array(starts, dtype=np.int64)
    end = np.array([NAT if k is None else s + np.timedelta64(k, "D") for s, k in zip(start, lengths)],
                   dtype="datetime64[D]")
    kind = draw(st.sampled_from(["none", "text", "int", "two"]))
    if kind == "none":
        by = None
    elif kind == "text":
        by = np.array(draw(st.lists(st.sampled_from(AUTHORITIES), min_size=n, max_size=n)),
                      dtype=object)
    elif kind == "int":
        by = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), dtype=np.int64)
    else:
        by = [np.array(draw(st.lists(st.sampled_from(AUTHORITIES[:2]), min_size=n, max_size=n)),
                       dtype=object),
              np.array(draw(st.lists(st.integers(2021, 2023), min_size=n, max_size=n)),
                       dtype=np.int64)]
    return start, end, by


# ---- properties against the reference ----------------------------------------------

@settings(max_examples=150, deadline=None)
@given(records(), st.integers(0, 25), st.sampled_from(sorted(CALENDARS)),
       st.sampled_from(sorted(OFFSETS)))
def test_within_working_days_without_as_of(recs, days, cal_name, convention):
    start, end, by = recs
    cal = CALENDARS[cal_name]
    got = apportion.within_working_days(start, end, days, calendar=cal, by=by,
                                        convention=convention)
    want = reference_within(start, end, days, cal, by, None, convention)
    if by is None and len(start) == 0:
        assert list(got.index) == ["all"] and got["records"].tolist() == [0]
        return
    assert_same(got, want)
    assert (got["open_late"] == 0).all()


@settings(max_examples=150, deadline=None)
@given(records(), st.integers(0, 25), st.integers(0, 60), st.sampled_from(sorted(CALENDARS)),
       st.sampled_from(sorted(OFFSETS)))
def test_within_working_days_with_open_records_and_as_of(recs, days, after, cal_name,
                                                         convention):
    start, end, by = recs
    if len(start) == 0:
        return
    cal = CALENDARS[cal_name]
    as_of = start.max() + np.timedelta64(after, "D")  # on or after every start
    as_of_arg = str(as_of) if after % 2 else as_of.astype(object)
    got = apportion.within_working_days(start, end, days, calendar=cal, by=by,
                                        as_of=as_of_arg, convention=convention)
    assert_same(got, reference_within(start, end, days, cal, by, as_of, convention))


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from(sorted(CALENDARS)), st.sampled_from(sorted(OFFSETS)))
def test_elapsed_working_days_summary(recs, cal_name, convention):
    start, end, by = recs
    if len(start) == 0:
        return
    cal = CALENDARS[cal_name]
    got = apportion.elapsed_working_days_summary(start, end, calendar=cal, by=by,
                                                 convention=convention)
    assert list(got.columns) == ["closed", "open", "elapsed_sum", "mean", "max"]
    assert_same(got, reference_elapsed(start, end, cal, by, convention))


SPECIAL_DAYS = [dt.date(2020, 2, 29), dt.date(2021, 2, 28), dt.date(2021, 3, 1),
                dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2023, 3, 31),
                dt.date(2022, 12, 31), dt.date(2023, 1, 31)]


@st.composite
def referrals(draw):
    window = draw(st.sampled_from([1, 3, 6, 12, 12, 12, 24]))
    bases = draw(st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)),
                          min_size=1, max_size=4))
    pool = list(SPECIAL_DAYS)
    for b in bases:
        edge = months_before(b, window)
        pool += [b, edge, edge - dt.timedelta(days=1), edge + dt.timedelta(days=1)]
    n = draw(st.integers(0, 40))
    dates = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    subject_kind = draw(st.sampled_from([int, str]))
    subjects = [subject_kind(s) for s in draw(st.lists(st.integers(0, 4), min_size=n,
                                                       max_size=n))]
    by = draw(st.one_of(st.none(), st.lists(st.sampled_from(["NNC", "WNC"]),
                                            min_size=n, max_size=n)))
    return subjects, dates, by, window


@settings(max_examples=200, deadline=None)
@given(referrals(), st.sampled_from(["date", "text", "datetime64", "series"]))
def test_rereferrals(refs, form):
    subjects, dates, by, window = refs
    if not dates:
        return
    as_input = {
        "date": lambda: np.array(dates, dtype=object),
        "text": lambda: [d.isoformat() for d in dates],
        "datetime64": lambda: np.array(dates, dtype="datetime64[D]"),
        "series": lambda: pd.Series(pd.to_datetime(dates)),
    }[form]()
    by_arg = None if by is None else np.array(by, dtype=object)
    frame, flags = apportion.rereferrals(np.array(subjects, dtype=object), as_input, by=by_arg,
                                         window_months=window, return_flags=True)
    want, want_flags = reference_rereferrals(subjects, dates, by_arg, window)
    assert flags.tolist() == want_flags.tolist()
    assert_same(frame[["rereferrals", "records", "rate"]], want)
    alone = apportion.rereferrals(subjects, as_input, by=by_arg, window_months=window)
    pd.testing.assert_frame_equal(alone, frame)


# ---- fixed examples -----------------------------------------------------------------

def test_rereferral_window_examples():
    subjects = [1, 1, 2, 2, 3, 3, 3, 4, 4]
    dates = ["2023-02-28", "2024-02-29",   # 12 months before 29 Feb 2024 is 28 Feb 2023
             "2023-02-27", "2024-02-29",   # one day too early
             "2024-05-01", "2024-05-01", "2024-05-01",  # the same day: each after the first
             "2022-03-31", "2022-04-30"]
    frame, flags = apportion.rereferrals(subjects, dates, return_flags=True)
    assert flags.tolist() == [False, True, False, False, False, True, True, False, True]
    assert frame.loc["all", "rereferrals"] == 4 and frame.loc["all", "records"] == 9
    # A one-month window: 31 March back to 28/29 February.
    _, flags = apportion.rereferrals([1, 1, 2, 2], ["2023-02-28", "2023-03-31",
                                                    "2023-02-27", "2023-03-31"],
                                     window_months=1, return_flags=True)
    assert flags.tolist() == [False, True, False, False]


def test_rereferral_uses_the_latest_earlier_record_not_row_order():
    # Rows out of date order: the record of 2024-06-01 has 2024-01-01 before
    # it, within 12 months, although its row comes first.
    _frame, flags = apportion.rereferrals(["a", "a", "a"],
                                         ["2024-06-01", "2022-01-01", "2024-01-01"],
                                         return_flags=True)
    assert flags.tolist() == [True, False, False]


def test_rereferral_errors():
    with pytest.raises(InputError, match=r"row 1"):
        apportion.rereferrals([1, 2], np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"))
    with pytest.raises(InputError, match="window_months"):
        apportion.rereferrals([1, 2], ["2024-01-01", "2024-02-01"], window_months=0)
    with pytest.raises(InputError, match="subjects"):
        apportion.rereferrals([1, 2, 3], ["2024-01-01", "2024-02-01"])


@pytest.fixture(scope="module")
def cases():
    start = pd.Series(pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-04", "2024-03-05",
                                      "2024-03-01", "2024-03-28"]), name="received")
    end = pd.Series(pd.to_datetime(["2024-03-06", "2024-03-07", None, None, "2024-03-01",
                                    "2024-04-02"]), name="responded")
    authority = pd.Series(["NNC", "WNC", "NNC", "WNC", "NNC", "WNC"], name="authority")
    month = pd.Series([202403, 202403, 202403, 202403, 202402, 202403], name="month")
    return start, end, authority, month


def test_within_by_none_is_one_row_all(cases):
    start, end, _, _ = cases
    got = apportion.within_working_days(start, end, 3)
    assert list(got.index) == ["all"]
    assert list(got.columns) == SLA_COLUMNS
    # Elapsed: 3, 4, open, open, 0, 1 (over Easter 2024).
    row = got.loc["all"]
    assert (row["within"], row["total"], row["late"], row["open_pending"], row["records"]) == (
        3, 4, 1, 2, 6)
    assert row["rate"] == 75.0


def test_within_by_a_text_column(cases):
    start, end, authority, _ = cases
    got = apportion.within_working_days(start, end, 3, by=authority, as_of="2024-03-08")
    assert got.index.name == "authority"
    assert list(got.index) == ["NNC", "WNC"]
    # NNC: 3 in time, 0 in time, open since Mon 4 Mar: 4 days by Fri 8 Mar, late.
    # WNC: 4 (late), 1 in time, open since Tue 5 Mar: 3 days by Fri 8 Mar, pending.
    assert got.loc["NNC", ["within", "total", "open_late", "open_pending", "records"]].tolist() == [
        2, 3, 1, 0, 3]
    assert got.loc["WNC", ["within", "total", "open_late", "open_pending", "records"]].tolist() == [
        1, 2, 0, 1, 3]
    assert got.loc["WNC", "rate"] == 50.0


def test_within_by_two_columns_is_a_multiindex(cases):
    start, end, authority, month = cases
    got = apportion.within_working_days(start, end, 3, by=[authority, month])
    assert isinstance(got.index, pd.MultiIndex)
    assert list(got.index.names) == ["authority", "month"]
    assert list(got.index) == [("NNC", 202402), ("NNC", 202403), ("WNC", 202403)]
    assert got["records"].tolist() == [1, 2, 3]
    assert got["within"].tolist() == [1, 1, 1]


def test_within_by_keeps_missing_keys_as_a_group():
    start = np.array(["2024-03-01"] * 3, dtype="datetime64[D]")
    end = np.array(["2024-03-04", "2024-03-20", "2024-03-04"], dtype="datetime64[D]")
    got = apportion.within_working_days(start, end, 3, by=np.array(["NNC", None, "NNC"],
                                                                  dtype=object))
    assert got["records"].sum() == 3 and len(got) == 2
    missing = [k for k in got.index if not isinstance(k, str)]
    assert len(missing) == 1 and got.loc[got.index.isin(["NNC"]), "records"].tolist() == [2]


def test_elapsed_summary_fixed(cases):
    start, end, authority, _ = cases
    got = apportion.elapsed_working_days_summary(start, end, by=authority)
    assert got.loc["NNC"].tolist() == [2, 1, 3, 1.5, 3]
    assert got.loc["WNC"].tolist() == [2, 1, 5, 2.5, 4]
    inclusive = apportion.elapsed_working_days_summary(start, end, convention="inclusive")
    assert inclusive.loc["all", "elapsed_sum"] == (4 + 5 + 1 + 2)


def test_results_are_ordinary_frames_of_their_own(cases):
    """The frames are built straight from the kernel's groups: each column
    has its dtype, can be written, and shares nothing with the input or
    with another result."""
    start, end, _, _ = cases
    keys = np.arange(len(start), dtype=np.int64) % 2
    got = apportion.within_working_days(start, end, 3, by=keys)
    assert list(got.columns) == SLA_COLUMNS
    assert got.dtypes.tolist() == [np.int64, np.int64, np.float64] + [np.int64] * 4
    assert got.index.dtype == np.int64 and got.index.tolist() == [0, 1]
    again = apportion.within_working_days(start, end, 3, by=keys)
    got.loc[0, "within"] = -7
    got["records"] += 100
    assert again.loc[0, "within"] != -7 and (again["records"] < 100).all()
    assert keys.tolist() == (np.arange(len(start)) % 2).tolist()
    summary = apportion.elapsed_working_days_summary(start, end, by=keys)
    assert summary["max"].dtype == np.int64  # every group has a closed record
    summary.iloc[0, 0] = -1
    assert summary.iloc[0, 0] == -1
    open_only = apportion.elapsed_working_days_summary(start[:1], np.array([NAT]))
    assert open_only["max"].dtype == np.float64 and np.isnan(open_only.loc["all", "max"])


def test_calendar_by_name_or_object(cases):
    start, end, _, _ = cases
    by_name = apportion.within_working_days(start, end, 3, calendar="scotland")
    by_object = apportion.within_working_days(start, end, 3, calendar=Calendar("scotland"))
    pd.testing.assert_frame_equal(by_name, by_object)
    # Easter Monday is no holiday in Scotland: 28 Mar -> 2 Apr is 2 days there.
    summary = apportion.elapsed_working_days_summary(start[5:], end[5:], calendar="scotland")
    assert summary.loc["all", "elapsed_sum"] == 2
    with pytest.raises(TypeError):
        apportion.within_working_days(start, end, 3, calendar=3)


def test_empty_input():
    empty = np.array([], dtype="datetime64[D]")
    got = apportion.within_working_days(empty, empty, 3)
    assert list(got.index) == ["all"]
    assert got.loc["all", ["within", "total", "records"]].tolist() == [0, 0, 0]
    assert np.isnan(got.loc["all", "rate"])
    assert len(apportion.within_working_days(empty, empty, 3, by=np.array([], dtype=object))) == 0


def test_empty_lists_are_empty_input():
    """"sequences of dates or ISO text": an empty list is one."""
    got = apportion.within_working_days([], [], 3)
    assert got.loc["all", "records"] == 0


# ---- combine ---------------------------------------------------------------------------

def _big(n, seed):
    rng = np.random.default_rng(seed)
    start = (np.datetime64("2015-01-01") + rng.integers(0, 3000, n)).astype("datetime64[D]")
    end = start + rng.integers(0, 40, n)
    end[rng.random(n) < 0.1] = NAT
    authority = rng.choice(np.array(AUTHORITIES, dtype=object), n)
    month = apportion.date_parts(start, "month")
    return start, end, authority, month


def test_combine_chunks_equals_the_whole():
    start, end, authority, month = _big(50_000, 1)
    cuts = [0, 7_000, 7_001, 30_000, 50_000]
    parts = [slice(a, b) for a, b in itertools.pairwise(cuts)]
    for by in (authority, [authority, month], None):
        def pick(p):
            return None if by is None else (
                [b[p] for b in by] if isinstance(by, list) else by[p])
        whole = apportion.within_working_days(start, end, 10, by=by, as_of="2024-06-30")
        combined = apportion.combine(*[
            apportion.within_working_days(start[p], end[p], 10, by=pick(p), as_of="2024-06-30")
            for p in parts])
        pd.testing.assert_frame_equal(combined.sort_index(), whole, check_names=False)
        whole = apportion.elapsed_working_days_summary(start, end, by=by)
        combined = apportion.combine(*[
            apportion.elapsed_working_days_summary(start[p], end[p], by=pick(p)) for p in parts])
        pd.testing.assert_frame_equal(combined.sort_index(), whole, check_dtype=False,
                                      check_names=False)


def test_combine_groups_missing_from_some_chunks():
    a = apportion.within_working_days(["2024-03-01"], ["2024-03-04"], 3, by=["NNC"])
    b = apportion.within_working_days(["2024-03-01", "2024-03-01"], ["2024-03-20", None], 3,
                                      by=["WNC", "NNC"])
    got = apportion.combine(a, b)
    assert got.loc["NNC", ["within", "total", "records", "open_pending"]].tolist() == [1, 1, 2, 1]
    assert got.loc["WNC", ["within", "total", "late"]].tolist() == [0, 1, 1]
    assert got.loc["NNC", "rate"] == 100.0 and got.loc["WNC", "rate"] == 0.0


def test_combine_rereferrals_split_by_subject():
    rng = np.random.default_rng(4)
    n = 20_000
    subjects = rng.integers(0, 3_000, n)
    dates = (np.datetime64("2020-01-01") + rng.integers(0, 1500, n)).astype("datetime64[D]")
    by = rng.choice(np.array(["NNC", "WNC"], dtype=object), n)
    whole = apportion.rereferrals(subjects, dates, by=by)
    low = subjects < 1_500
    combined = apportion.combine(apportion.rereferrals(subjects[low], dates[low], by=by[low]),
                                 apportion.rereferrals(subjects[~low], dates[~low], by=by[~low]))
    pd.testing.assert_frame_equal(combined, whole, check_names=False)


def test_combine_errors():
    with pytest.raises(InputError):
        apportion.combine()
    a = apportion.within_working_days(["2024-03-01"], ["2024-03-04"], 3)
    b = apportion.elapsed_working_days_summary(["2024-03-01"], ["2024-03-04"])
    with pytest.raises(InputError, match="same columns"):
        apportion.combine(a, b)


# ---- errors ---------------------------------------------------------------------------

def test_errors_name_the_row():
    s = ["2024-03-01", "2024-03-01", "2024-03-05"]
    with pytest.raises(InputError, match=r"row 2 ends \(2024-03-04\) before it starts \(2024-03-05\)"):
        apportion.within_working_days(s, ["2024-03-04", None, "2024-03-04"], 3)
    with pytest.raises(InputError, match=r"row 1: start is 1969-12-31"):
        apportion.within_working_days(["2024-03-01", "1969-12-31"], ["2024-03-04", None], 3)
    with pytest.raises(InputError, match=r"row 0: start is NaT"):
        apportion.within_working_days(np.array(["NaT"], dtype="datetime64[D]"),
                                      np.array(["2024-03-04"], dtype="datetime64[D]"), 3)
    with pytest.raises(InputError, match=r"row 0: end is 2101-01-01"):
        apportion.within_working_days(["2024-03-01"], ["2101-01-01"], 3)
    with pytest.raises(InputError, match=r"row 1 is open and starts \(2024-03-05\) after the "
                                         r"as-of date \(2024-03-04\)"):
        apportion.within_working_days(["2024-03-01", "2024-03-05"], ["2024-03-04", None], 3,
                                      as_of="2024-03-04")
    with pytest.raises(InputError, match="as_of is 2101-01-01"):
        apportion.within_working_days(["2024-03-01"], [None], 3, as_of="2101-01-01")
    with pytest.raises(InputError, match=r"end\[1\]"):
        apportion.within_working_days(s[:2], ["2024-03-04", "4 March"], 3)
    with pytest.raises(InputError, match="row 1"):
        apportion.elapsed_working_days_summary(s[:2], ["2024-03-04", "2024-02-01"])


@pytest.mark.parametrize("days", [-1, -30, True, 2.5, "3"])
def test_days_must_be_a_whole_number_zero_or_more(days):
    with pytest.raises(InputError, match="days"):
        apportion.within_working_days(["2024-03-01"], ["2024-03-04"], days)


def test_shape_errors():
    with pytest.raises(InputError, match="same length"):
        apportion.within_working_days(["2024-03-01"] * 2, ["2024-03-04"], 3)
    with pytest.raises(InputError, match="arrays"):
        apportion.within_working_days("2024-03-01", "2024-03-04", 3)
    with pytest.raises(InputError, match="by"):
        apportion.within_working_days(["2024-03-01"] * 2, ["2024-03-04"] * 2, 3, by=["NNC"] * 3)
    with pytest.raises(InputError, match="convention"):
        apportion.within_working_days(["2024-03-01"], ["2024-03-04"], 3, convention="x")


def test_days_zero_means_same_day_only():
    got = apportion.within_working_days(["2024-03-01", "2024-03-01", "2024-03-02"],
                                        ["2024-03-01", "2024-03-04", "2024-03-04"], 0)
    # Same day: 0; Fri -> Mon: 1; Sat -> Mon: 1.
    assert got.loc["all", ["within", "total"]].tolist() == [1, 3]


# ---- threads ------------------------------------------------------------------------------

def test_threads_give_the_same_answer_as_sequential_calls():
    start, end, authority, month = _big(400_000, 9)
    subjects = np.random.default_rng(9).integers(0, 60_000, start.size)
    calls = [
        lambda: apportion.within_working_days(start, end, 3, by=authority),
        lambda: apportion.within_working_days(start, end, 10, by=[authority, month],
                                              as_of="2024-01-01"),
        lambda: apportion.within_working_days(start, end, 20, calendar="scotland",
                                              convention="inclusive"),
        lambda: apportion.within_working_days(start, end, 45, by=month, as_of="2023-06-30",
                                              calendar=CALENDARS["scotland-closures-4day"]),
        lambda: apportion.elapsed_working_days_summary(start, end, by=authority),
        lambda: apportion.rereferrals(subjects, start, by=authority),
    ]
    sequential = [c() for c in calls]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda c: c(), calls + calls))
    for got, want in zip(concurrent, sequential + sequential):
        pd.testing.assert_frame_equal(got, want)
    # And the big result is right, not merely repeatable.
    want = reference_within(start, end, 3, CALENDARS["england-and-wales"], authority)
    assert_same(sequential[0], want)


def test_any_thread_count_gives_the_same_result():
    start, end, authority, month = _big(400_000, 4)
    for measure in (
            lambda t: apportion.within_working_days(start, end, 3, by=[authority, month],
                                                    as_of="2024-01-01", threads=t),
            lambda t: apportion.elapsed_working_days_summary(start, end, by=authority,
                                                             threads=t)):
        every_core = measure(None)
        for t in (1, 2, 3, 8, 50):
            pd.testing.assert_frame_equal(measure(t), every_core)
    want = reference_within(start, end, 3, CALENDARS["england-and-wales"], authority)
    assert_same(apportion.within_working_days(start, end, 3, by=authority, threads=1), want)


@pytest.mark.parametrize("threads", [-1, 1.5, True, "2"])
def test_threads_must_be_none_or_a_whole_number(threads):
    with pytest.raises(apportion.InputError, match="threads must be None"):
        apportion.within_working_days(["2024-03-01"], ["2024-03-04"], 3, threads=threads)
