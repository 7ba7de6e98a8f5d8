"""One size and overflow discipline (issue 17, findings 5 and 6): every
integer argument is range-checked with a message naming the argument and
its range (MoneyOverflowError for money, InputError otherwise); result
sizes are checked against apportion.limits before anything is allocated;
readers refuse a file larger than max_bytes before parsing it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import apportion
from apportion import InputError, MoneyOverflowError, _core, forecast, limits
from apportion.audit import check_table, load_table
from apportion.ledger import Ledger
from apportion.scenario import CostScenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def scenario() -> CostScenario:
    return CostScenario([100, 110], 10_000, {"A": [1, 3], "B": [1, 1]})


# ---- finding 5: overflow with names -------------------------------------

def test_finding_5_format_money_decimals_names_decimals():
    # Issue 17, finding 5: plain OverflowError in C wording from
    # format_money(0, decimals=2**40).  decimals is not money: InputError.
    with pytest.raises(InputError, match=re.escape(
            "argument 'decimals' must be an integer from -2147483648 to "
            "2147483647, not 1099511627776")):
        apportion.format_money(0, decimals=2**40)


def test_finding_5_recharge_schedule_instalments_names_instalments():
    # recharge_schedule(0, 2**63): the count of instalments is not money,
    # so an InputError naming instalments and its range.
    with pytest.raises(InputError, match=re.escape(
            "instalments = 9223372036854775808 asks for "
            "9,223,372,036,854,775,808 result values, more than "
            "apportion.limits.max_result_items")):
        apportion.recharge_schedule(0, 2**63)
    # The core's binding names it and its range too.
    with pytest.raises(InputError, match=re.escape(
            "schedule_equal() argument 'instalments' must be an integer from "
            "-9223372036854775808 to 9223372036854775807, not "
            "9223372036854775808")):
        _core.schedule_equal(0, 2**63, 1, "half_up")
    # The share is money: beyond 64 bits it is MoneyOverflowError.
    with pytest.raises(MoneyOverflowError, match="share does not fit"):
        apportion.recharge_schedule(2**63, 4)


def test_finding_5_apportion_array_object_overflow_is_money_overflow():
    # apportion_array(np.array([2**70], dtype=object), [1, 1]) gave
    # OverflowError; the scalar gives MoneyOverflowError, and so does the
    # array now, naming the element.
    with pytest.raises(MoneyOverflowError, match="total does not fit"):
        apportion.apportion(2**70, [1, 1])
    with pytest.raises(MoneyOverflowError, match=re.escape(
            "totals[1] does not fit in a 64-bit integer (from -2**63 to "
            "2**63 - 1): 1180591620717411303424")):
        apportion.apportion_array(np.array([5, 2**70], dtype=object), [1, 1])
    assert apportion.apportion_array(np.array([2**63 - 1], dtype=object),
                                     [1, 1]).sum() == 2**63 - 1


def test_finding_5_calendar_holidays_names_the_year():
    cal = apportion.Calendar("england-and-wales")
    with pytest.raises(InputError, match=re.escape(
            "argument 'year' must be an integer from -9223372036854775808 to "
            "9223372036854775807, not 9223372036854775808")):
        cal.holidays(2**63)


def test_finding_5_within_working_days_names_days():
    start = np.array(["2021-06-04"], dtype="datetime64[D]")
    with pytest.raises(InputError, match=re.escape(
            "days must be a whole number of working days from 0 to "
            "9223372036854775807, not 9223372036854775808")):
        apportion.within_working_days(start, start, days=2**63)


def test_finding_5_linear_trend_batch_names_threads():
    values = np.arange(10.0).reshape(2, 5)
    with pytest.raises(InputError, match=re.escape(
            "threads must be None (every core) or a whole number from 1 to "
            "2147483647, not 9223372036854775808")):
        forecast.linear_trend_batch(values, threads=2**63)
    # The core's own binding names it too when called directly.
    with pytest.raises(InputError, match=re.escape(
            "trend_batch() argument 'threads' must be an integer from")):
        _core.trend_batch(values, None, None, 0.95, 2**40)


def test_finding_5_integer_arguments_of_the_glue_name_themselves():
    # Format codes i, I, L and n, and the (LL) tuples: every one names the
    # function, the argument and the range; a non-integer is TypeError.
    with pytest.raises(InputError, match=r"fy_working_days\(\) argument "
                       r"'start_year' must be an integer"):
        _core.fy_working_days(
            apportion.Calendar("england-and-wales")._cal, 2**64)
    with pytest.raises(InputError, match=r"argument 'weekmask' must be an "
                       r"integer from 0 to 4294967295, not -1"):
        _core.calendar_new("england-and-wales", -1, None)
    with pytest.raises(InputError, match=r"bands_from_tolerance\(\) argument "
                       r"'target' must be an integer"):
        _core.bands_from_tolerance("higher", (2**64, 1), (1, 1), "absolute")
    with pytest.raises(TypeError):
        _core.fy_working_days(apportion.Calendar("england-and-wales")._cal, 1.5)
    with pytest.raises(InputError, match=r"signs\[1\] must be an integer from "
                       r"-1 to 1, not 1180591620717411303424"):
        _core.audit_sum(["1", "2"], [1, 2**70], "3", 0, False, None, None, None)


def test_finding_5_horizons_and_threads_of_holt():
    values = np.arange(10.0).reshape(2, 5)
    with pytest.raises(InputError, match="threads must be an integer from 0 "
                       "to 2147483647"):
        _core.holt_batch(values, 0.5, 0.5, None, None, 3, 0.95, 2**40, None,
                         None, None, None, None, None, None, None, None)
    with pytest.raises(InputError, match="horizon must be an integer from 0"):
        _core.holt_batch(values, 0.5, 0.5, None, None, 2**70, 0.95, 1, None,
                         None, None, None, None, None, None, None, None)


# ---- finding 6: sizes checked before allocating -------------------------

@pytest.mark.parametrize("n", [10**12, 2**62])
def test_finding_6_simulate_refuses_an_absurd_n_at_once(scenario, n):
    # Issue 17, finding 6: simulate(10**12) ended in numpy's "Unable to
    # allocate 21.8 TiB" and simulate(2**62) in a numpy ValueError.
    with pytest.raises(InputError, match=re.escape(
            f"n = {n} asks for {n * 2 * 3:,} result values, more than "
            f"apportion.limits.max_result_items (268,435,456)")):
        scenario.simulate(n, 1)


def test_finding_6_holt_batch_refuses_an_absurd_horizon_at_once():
    values = np.arange(10.0).reshape(2, 5)
    with pytest.raises(InputError, match=r"horizon = 1099511627776 asks for "
                       r"[\d,]+ result values, more than apportion\.limits\."
                       r"max_result_items"):
        forecast.holt_batch(values, 2**40)
    with pytest.raises(InputError, match="horizon = 1099511627776"):
        forecast.holt(np.arange(5.0), 2**40)


def test_finding_6_recharge_schedule_of_a_trillion_instalments():
    with pytest.raises(InputError, match="instalments = 1000000000000 asks for"):
        apportion.recharge_schedule(0, 10**12)


def test_limits_are_documented_defaults_and_adjustable(scenario, monkeypatch):
    assert limits.max_result_items == 2**28
    assert limits.max_input_bytes == 2**30
    assert apportion.limits is limits
    monkeypatch.setattr(limits, "max_result_items", 11)
    with pytest.raises(InputError, match=re.escape(
            "n = 2 asks for 12 result values, more than "
            "apportion.limits.max_result_items (11)")):
        scenario.simulate(2, 1)
    assert scenario.simulate(1, 1).totals.shape == (1, 2)  # 6 values
    monkeypatch.setattr(limits, "max_result_items", 12)
    assert scenario.simulate(2, 1).totals.shape == (2, 2)
    monkeypatch.setattr(limits, "max_result_items", "many")
    with pytest.raises(InputError, match="apportion.limits.max_result_items "
                       "must be a whole number, 0 or more, not 'many'"):
        scenario.simulate(1, 1)


# ---- finding 6: readers refuse large inputs before parsing --------------

READERS = [
    (apportion.load_plan, "iass-2021-22.json", "plan"),
    (apportion.load_outturn, "nct-outturn-2021-22.json", "outturn"),
    (apportion.load_contract_sum, "nct-contract-sum-2024-25.json", "contract sum"),
    (apportion.load_kpis, "iass-kpis.json", "KPI"),
    (apportion.load_savings, "nct-savings-2023-24.json", "savings"),
    (apportion.load_mtfp, "nct-mtfp-2017-21.json", "MTFP"),
    (check_table, "tables/nct-outturn-2021-22.json", "table"),
    (load_table, "tables/nct-outturn-2021-22.json", "table"),
]


@pytest.mark.parametrize("load, name, what", READERS,
                         ids=[f"{r[0].__name__}-{r[2]}" for r in READERS])
def test_finding_6_readers_take_max_bytes(tmp_path, load, name, what):
    path = tmp_path / Path(name).name
    shutil.copy(EXAMPLES / name, path)
    size = path.stat().st_size
    load(path, max_bytes=size)  # exactly the limit reads
    with pytest.raises(InputError, match=re.escape(
            f"{what} file {path} is larger than the limit of {size - 1} "
            f"bytes (max_bytes)")):
        load(path, max_bytes=size - 1)


def test_finding_6_readers_follow_max_input_bytes(tmp_path, monkeypatch):
    path = tmp_path / "contract.json"
    shutil.copy(EXAMPLES / "nct-contract-sum-2024-25.json", path)
    monkeypatch.setattr(limits, "max_input_bytes", 100)
    with pytest.raises(InputError, match=re.escape(
            f"contract sum file {path} is larger than the limit of 100 bytes")):
        apportion.load_contract_sum(path)
    with pytest.raises(InputError, match="larger than the limit of 100 bytes"):
        apportion.ContractSum(path)
    # One call may allow more.
    assert apportion.load_contract_sum(path, max_bytes=10**9).contract_sum > 0


def test_finding_6_a_table_csv_and_a_ledger_csv_take_max_bytes(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("Service,A\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(
            f"table file {table} is larger than the limit of 5 bytes")):
        check_table(table, max_bytes=5)
    ledger = tmp_path / "l.csv"
    ledger.write_text("cc,q,a\nA,Q1,1.00\n", encoding="utf-8")  # 17 bytes
    assert Ledger.read_csv(ledger, centre="cc", period="q", amount="a",
                           max_bytes=17).total == 100
    with pytest.raises(InputError, match=re.escape(
            f"ledger file {ledger} is larger than the limit of 16 bytes")):
        Ledger.read_csv(ledger, centre="cc", period="q", amount="a",
                        max_bytes=16)


def test_finding_6_q4_balance_reads_under_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    shutil.copy(EXAMPLES / "iass-2021-22.json", path)
    monkeypatch.setattr(limits, "max_input_bytes", 10)
    with pytest.raises(InputError, match="plan file .* is larger than the "
                       "limit of 10 bytes"):
        apportion.q4_balance(path, "£420,000")


@pytest.mark.parametrize("bad", [-1, 2**63, 1.5, True, "10"])
def test_max_bytes_must_be_a_whole_number(tmp_path, bad):
    with pytest.raises(InputError, match="max_bytes must be None"):
        apportion.load_plan(EXAMPLES / "iass-2021-22.json", max_bytes=bad)


def test_the_glue_reader_refuses_a_bad_max_bytes():
    with pytest.raises(InputError, match="max_bytes must be a whole number "
                       "of bytes from 0 to 9223372036854775807"):
        _core.load_plan(str(EXAMPLES / "iass-2021-22.json"), -1)
    with pytest.raises(TypeError, match="max_bytes must be an int"):
        _core.load_plan(str(EXAMPLES / "iass-2021-22.json"), 1.5)
    # None: no limit of the glue's own.
    assert _core.load_plan(str(EXAMPLES / "iass-2021-22.json"))["source"]
