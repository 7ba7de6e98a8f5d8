"""Python callables registered as measures and recharge rules.

area.register_measure and area.register_rule turn a Python function into a
C function pointer (a libffi closure) that the core calls exactly as it
calls a plugin's.  A Python measure of "responded within 3 working days
after the day of receipt" must give the same numerator and denominator per
group as the IASS plugin's C measure and as apportion.within_working_days;
exceptions raised inside a callable reach the caller as the same object;
bad results, kept views and duplicate names are refused; recharge rules
must conserve pennies.

The callables are registered in a service area of a small plugin built
here (the registry is process-wide and never forgets, so every name is made
unique); the IASS comparison uses the IASS plugin shipped in the package.
"""

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest

import apportion
from apportion import ApportionError, Calendar, InputError, PluginError
from apportion.plugin_tool import build_plugin

NAT = np.datetime64("NaT", "D")
LIMIT = 3

_serial = itertools.count()


def unique(request, what="m"):
    base = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    return f"{what}{next(_serial)}_{base}"[:60]


AREA_SOURCE = r"""
#include "apportion/plugin.h"

static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, NAME, "1.0.0", AREA,
                                    "An empty service area for Python "
                                    "callables", "MIT", NULL};

AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return &info;
}

AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *host,
                                                 ap_registrar *reg,
                                                 char **error_message)
{
    (void)host;
    (void)reg;
    (void)error_message;
    return AP_OK;
}
"""


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """An empty service area, from a plugin built (by `plugin build`) and
    loaded for this module."""
    folder = tmp_path_factory.mktemp("closure_area")
    name, code = "closure_tests", "CLOSURE_TESTS"
    (folder / "area.c").write_text(AREA_SOURCE.replace("NAME", json.dumps(name))
                                   .replace("AREA", json.dumps(code)))
    info = apportion.load_plugin(build_plugin(folder))
    assert info.service_area == code
    return apportion.service_area(code)


# ---- records -----------------------------------------------------------------


def make_records(seed=20220331, n=3000):
    """Referrals received through 2021/22 (weekends and bank holidays
    included), most answered within a fortnight, about one in eight still
    open, from four authorities."""
    rng = np.random.default_rng(seed)
    received = np.datetime64("2021-04-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    responded = received + rng.integers(0, 15, n).astype("timedelta64[D]")
    responded[rng.random(n) < 0.12] = NAT
    # Some of the newest still open, so that an as-of date just after the
    # last receipt has open records both late and not yet due.
    newest = received > received.max() - 7
    responded[newest & (rng.random(n) < 0.5)] = NAT
    authority = rng.choice(np.array(["NNC", "WNC", "Bedford", "Luton"]), n)
    return pd.DataFrame({"received": received, "responded": responded,
                         "authority": authority})


RECORDS = make_records()
# As of a few days after the last receipt: some open records are already
# late, the newest are still pending.
LAST = RECORDS["received"].max().to_datetime64().astype("datetime64[D]")
AS_OF_VALUES = {"no_as_of": None, "as_of_after_last": str(LAST + 2),
                "as_of_well_after": str(LAST + 40)}
CALENDARS = {
    "england-and-wales": "england-and-wales",
    "scotland-4day-closures": Calendar("scotland", extra_closures=["2021-12-24"],
                                       weekmask="Mon Tue Wed Thu"),
}


def python_within_3(records, ctx):
    """Responded within 3 working days after the day of receipt, from the
    docstrings of Calendar.elapsed_working_days and within_working_days."""
    received = records["received"].view("datetime64[D]")
    responded = records["responded"].view("datetime64[D]")
    n = received.shape[0]
    numerator = np.zeros(n, dtype=np.int64)
    denominator = np.zeros(n, dtype=np.int64)
    closed = ~np.isnat(responded)
    elapsed = ctx.calendar.elapsed_working_days(received, responded)
    assert (elapsed[~closed] == -1).all()  # missing is -1 in an array
    numerator[closed] = elapsed[closed] <= LIMIT
    denominator[closed] = 1
    if ctx.as_of is not None:
        open_ = np.flatnonzero(~closed & (received <= ctx.as_of))
        if open_.size:
            so_far = ctx.calendar.elapsed_working_days(received[open_], ctx.as_of)
            denominator[open_] = so_far > LIMIT  # late whatever happens
    return numerator, denominator


@pytest.fixture(scope="module")
def within_3(area):
    name = "py_responded_within_3_working_days"
    area.register_measure(name, python_within_3, ["received", "responded"],
                          scale=100, description="as IASS2, in Python")
    return name


def test_registered_measure_is_listed(area, within_3):
    m = area.measures[within_3]
    assert m.columns == ("received", "responded")
    assert m.scale == 100
    assert m.description == "as IASS2, in Python"


@pytest.mark.parametrize("as_of", list(AS_OF_VALUES))
@pytest.mark.parametrize("cal", list(CALENDARS))
def test_python_measure_matches_within_working_days(area, within_3, as_of, cal):
    as_of, calendar = AS_OF_VALUES[as_of], CALENDARS[cal]
    got = area.measure(within_3, RECORDS, by="authority", as_of=as_of,
                       calendar=calendar)
    want = apportion.within_working_days(RECORDS["received"], RECORDS["responded"],
                                         LIMIT, calendar=calendar,
                                         by=RECORDS["authority"], as_of=as_of)
    assert list(got.index) == list(want.index)
    assert got["numerator"].tolist() == want["within"].tolist()
    assert got["denominator"].tolist() == want["total"].tolist()
    assert got["rows"].tolist() == want["records"].tolist()
    np.testing.assert_allclose(got["value"], want["rate"], equal_nan=True)
    # The data exercises every kind of record.
    assert want["late"].sum() > 0 and want["within"].sum() > 0
    if as_of != AS_OF_VALUES["as_of_well_after"]:
        assert want["open_pending"].sum() > 0  # open, not yet due
    if as_of is not None:
        assert want["open_late"].sum() > 0  # open and already late


@pytest.mark.parametrize("as_of", list(AS_OF_VALUES))
@pytest.mark.parametrize("cal", list(CALENDARS))
def test_python_measure_matches_iass_c_measure(area, within_3, as_of, cal):
    as_of, calendar = AS_OF_VALUES[as_of], CALENDARS[cal]
    iass = apportion.service_area("IASS")
    c = iass.measure("responded_within_3_working_days", RECORDS, by="authority",
                     as_of=as_of, calendar=calendar)
    py = area.measure(within_3, RECORDS, by="authority", as_of=as_of,
                      calendar=calendar)
    assert list(py.index) == list(c.index)
    for column in ("rows", "numerator", "denominator"):
        assert py[column].tolist() == c[column].tolist(), column
    assert py.attrs["scale"] == c.attrs["scale"] == 100


def test_python_measure_without_groups(area, within_3):
    got = area.measure(within_3, RECORDS, as_of=AS_OF_VALUES["as_of_after_last"])
    want = apportion.within_working_days(RECORDS["received"], RECORDS["responded"],
                                         LIMIT, as_of=AS_OF_VALUES["as_of_after_last"])
    assert got[["numerator", "denominator"]].values.tolist() == \
        want[["within", "total"]].values.tolist()


def test_python_measure_sees_context(area, request):
    seen = {}

    def spy(records, ctx):
        seen["columns"] = sorted(records)
        seen["dtype"] = {k: (v.dtype, v.flags.writeable) for k, v in records.items()}
        seen["calendar"] = ctx.calendar
        seen["as_of"] = ctx.as_of
        seen["params"] = dict(ctx.params)
        n = len(records["received"])
        return np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)

    name = unique(request)
    area.register_measure(name, spy, ["received", "responded"])
    cal = Calendar("northern-ireland")
    frame = area.measure(name, RECORDS.head(10), as_of="2022-04-20", calendar=cal,
                         params={"days": 3, "label": "x"})
    assert frame["denominator"].tolist() == [10]
    assert seen["columns"] == ["received", "responded"]
    assert all(d == np.dtype(np.int64) and not w for d, w in seen["dtype"].values())
    assert seen["calendar"] is cal
    assert seen["as_of"] == np.datetime64("2022-04-20", "D")
    assert seen["params"] == {"days": 3, "label": "x"}


# ---- errors from Python measures ----------------------------------------------


def test_exception_in_measure_is_the_same_object(area, request):
    raised = LookupError("no tariff for authority 7")

    def failing(records, ctx):
        raise raised

    name = unique(request)
    area.register_measure(name, failing, ["received"])
    with pytest.raises(LookupError) as e:
        area.measure(name, RECORDS.head(50))
    assert e.value is raised
    # And again: nothing of the first failure is left behind.
    with pytest.raises(LookupError) as e:
        area.measure(name, RECORDS.head(5), by="authority")
    assert e.value is raised


def test_apportion_error_in_measure_is_the_same_object(area, request):
    raised = InputError("row 3: a made-up problem")

    def failing(records, ctx):
        raise raised

    name = unique(request)
    area.register_measure(name, failing, ["received"])
    with pytest.raises(InputError) as e:
        area.measure(name, RECORDS.head(5))
    assert e.value is raised


@pytest.mark.parametrize("shape", ["too_long", "too_short", "two_d", "not_a_tuple",
                                   "floats"])
def test_measure_returning_wrong_shape(area, request, shape):
    def wrong(records, ctx):
        n = len(records["received"])
        if shape == "too_long":
            return np.zeros(n + 1, dtype=np.int64), np.ones(n + 1, dtype=np.int64)
        if shape == "too_short":
            return np.zeros(n - 1, dtype=np.int64), np.ones(n, dtype=np.int64)
        if shape == "two_d":
            return np.zeros((n, 1), dtype=np.int64), np.ones((n, 1), dtype=np.int64)
        if shape == "not_a_tuple":
            return np.zeros(n, dtype=np.int64)
        return np.zeros(n) + 0.5, np.ones(n)

    name = unique(request)
    area.register_measure(name, wrong, ["received"])
    with pytest.raises(InputError):
        area.measure(name, RECORDS.head(20))


@pytest.mark.parametrize("how", ["array", "datetime_view", "records_dict"])
def test_measure_keeping_its_input_is_reported(area, request, how):
    kept = []

    def hoarder(records, ctx):
        # Each keeps a view of the host's memory past the call.
        if how == "array":
            kept.append(records["received"])
        elif how == "datetime_view":
            kept.append(records["received"].view("datetime64[D]"))
        else:
            kept.append(dict(records))
        n = len(records["received"])
        return np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)

    name = unique(request)
    area.register_measure(name, hoarder, ["received"])
    try:
        with pytest.raises(PluginError, match=r"kept a view"):
            area.measure(name, RECORDS.head(20))
    finally:
        kept.clear()  # never read it: the memory is gone


def test_measure_copying_its_input_is_fine(area, request):
    kept = []

    def copier(records, ctx):
        kept.append(records["received"].copy())
        n = len(records["received"])
        return np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)

    name = unique(request)
    area.register_measure(name, copier, ["received"])
    frame = area.measure(name, RECORDS.head(20))
    assert frame["denominator"].tolist() == [20]
    assert kept[0].tolist() == \
        RECORDS["received"].head(20).to_numpy().astype("datetime64[D]").view(np.int64).tolist()


def test_negative_denominator_is_refused(area, request):
    def negative(records, ctx):
        n = len(records["received"])
        return np.zeros(n, dtype=np.int64), -np.ones(n, dtype=np.int64)

    name = unique(request)
    area.register_measure(name, negative, ["received"])
    with pytest.raises(ApportionError, match=name):
        area.measure(name, RECORDS.head(5))


def test_measure_name_registered_twice(area, request):
    name = unique(request)

    def zero(records, ctx):
        n = len(records["received"])
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)

    area.register_measure(name, zero, ["received"])
    with pytest.raises(PluginError, match=re.escape(name)):
        area.register_measure(name, zero, ["received"])
    # The first registration stands.
    assert area.measure(name, RECORDS.head(3))["rows"].tolist() == [3]


def test_measure_in_an_area_that_is_not_loaded(request):
    name = unique(request)
    ghost = apportion.ServiceArea("NO_SUCH_AREA_ANYWHERE")
    with pytest.raises(PluginError):
        ghost.register_measure(name, lambda r, c: (0, 0), ["received"])


# ---- recharge rules ----------------------------------------------------------------


def even_rule(budget, ctx):
    share = budget if ctx.actual_share is None else ctx.actual_share
    n = ctx.instalments
    base = share // n
    return [base] * (n - 1) + [share - base * (n - 1)]


def test_rule_that_conserves_pennies(area, request):
    name = unique(request, "r")
    area.register_rule(name, even_rule, description="equal with a balancing last")
    assert name in area.rules
    assert area.recharge(name, 21165403, 4) == [5291350, 5291350, 5291350, 5291353]
    got = area.recharge(name, 21165400, 4, actual_share=21000001)
    assert sum(got) == 21000001 and len(got) == 4
    got = area.recharge(name, "£211,654.03", 12)
    assert sum(got) == 21165403 and len(got) == 12


def test_rule_sees_its_context(area, request):
    seen = {}

    def spy(budget, ctx):
        seen.update(budget=budget, actual=ctx.actual_share, n=ctx.instalments,
                    billed=list(ctx.billed), params=dict(ctx.params))
        return even_rule(budget, ctx)

    name = unique(request, "r")
    area.register_rule(name, spy)
    area.recharge(name, 1000, 3, actual_share=1200, billed=[400],
                  params={"granularity": 100})
    assert seen == {"budget": 1000, "actual": 1200, "n": 3, "billed": [400],
                    "params": {"granularity": 100}}


def test_rule_that_loses_pennies_is_refused(area, request):
    def leaky(budget, ctx):
        return [budget // ctx.instalments] * ctx.instalments

    name = unique(request, "r")
    area.register_rule(name, leaky)
    with pytest.raises(ApportionError) as e:
        area.recharge(name, 1000003, 4)
    message = str(e.value)
    assert re.search(r"penn|conserv|sum", message, re.I), message
    # An amount that divides exactly conserves pennies, so it is accepted.
    assert area.recharge(name, 1000000, 4) == [250000] * 4


def test_rule_ignoring_actual_share_is_refused(area, request):
    def budget_only(budget, ctx):
        return even_rule(budget, type(ctx)(None, ctx.instalments, ctx.billed))

    name = unique(request, "r")
    area.register_rule(name, budget_only)
    assert sum(area.recharge(name, 1000, 4)) == 1000
    with pytest.raises(ApportionError, match=r"(?i)penn|conserv|sum"):
        area.recharge(name, 1000, 4, actual_share=1001)


def test_exception_in_rule_is_the_same_object(area, request):
    raised = ZeroDivisionError("no authorities to share between")

    def failing(budget, ctx):
        raise raised

    name = unique(request, "r")
    area.register_rule(name, failing)
    with pytest.raises(ZeroDivisionError) as e:
        area.recharge(name, 1000, 4)
    assert e.value is raised


def test_rule_returning_the_wrong_count(area, request):
    name = unique(request, "r")
    area.register_rule(name, lambda budget, ctx: [budget])
    with pytest.raises(InputError):
        area.recharge(name, 1000, 4)


def test_rule_returning_floats(area, request):
    name = unique(request, "r")
    area.register_rule(name, lambda budget, ctx: [budget / 4] * 4)
    with pytest.raises(InputError):
        area.recharge(name, 1000, 4)


def test_rule_name_registered_twice(area, request):
    name = unique(request, "r")
    area.register_rule(name, even_rule)
    with pytest.raises(PluginError, match=re.escape(name)):
        area.register_rule(name, even_rule)
