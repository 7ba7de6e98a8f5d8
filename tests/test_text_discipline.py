"""One text discipline (issue 17, findings 2, 3 and 8): every file is
UTF-8, and invalid UTF-8 is an InputError (PlanError for the JSON formats)
naming the path, line and column, from every reader alike; a JSON text
cJSON reads is located the same way (every byte up to 0x20 is space); a
lone surrogate in a text argument is an InputError, never
UnicodeEncodeError; add_working_days coerces a date out of range to NaT
when asked."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import apportion
from apportion import InputError, PlanError, _core
from apportion.audit import check_table, load_table
from apportion.ledger import Ledger

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Every JSON reader: (its load function, an example file it reads).
JSON_READERS = [
    (apportion.load_plan, "iass-2021-22.json"),
    (apportion.load_outturn, "nct-outturn-2021-22.json"),
    (apportion.load_contract_sum, "nct-contract-sum-2024-25.json"),
    (apportion.load_kpis, "iass-kpis.json"),
    (apportion.load_savings, "nct-savings-2023-24.json"),
    (apportion.load_mtfp, "nct-mtfp-2017-21.json"),
    (check_table, "tables/nct-outturn-2021-22.json"),
]
READER_IDS = [f.__name__ for f, _ in JSON_READERS]

PARSERS = [apportion.parse_plan, apportion.parse_outturn,
           apportion.parse_contract_sum, apportion.parse_kpis,
           apportion.parse_savings, apportion.parse_mtfp]


def _with_bad_byte(text: bytes, after: bytes, bad: bytes = b"\xff") -> bytes:
    """text with `bad` put in right after the first `after`."""
    at = text.index(after) + len(after)
    return text[:at] + bad + text[at:]


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    head = data[:offset]
    line = head.count(b"\n") + 1
    last = head[head.rfind(b"\n") + 1:]
    return line, len(last.decode("utf-8")) + 1


# ---- finding 2: small valid JSON, cJSON's whitespace ---------------------

def test_finding_2_parse_plan_of_a_group_separator_is_a_plan_error():
    # Issue 17, finding 2: parse_plan('{\x1d"a":1}') raised MemoryError with
    # an empty message; cJSON skips every byte up to 0x20, and so does the
    # scan that locates values now, so the reader gets to say what is wrong.
    with pytest.raises(PlanError) as info:
        apportion.parse_plan('{\x1d"a":1}')
    assert 'unknown key "a"' in str(info.value)
    assert info.value.path == "$.a" and info.value.line == 1


@pytest.mark.parametrize("parse", PARSERS, ids=lambda f: f.__name__)
def test_finding_2_every_json_parser_says_what_is_wrong(parse):
    with pytest.raises(PlanError, match=r'unknown key "a"|"format"'):
        parse('{\x1d"a":1}')


@pytest.mark.parametrize("load, name", JSON_READERS, ids=READER_IDS)
def test_finding_2_every_json_reader_reads_a_file_with_control_spaces(
        tmp_path, load, name):
    # check_table(path) included: each example, with control bytes (which
    # cJSON takes for space) between its tokens, reads as the original.
    original = (EXAMPLES / name).read_bytes()
    spaced = original.replace(b'{\n', b'{\x1d\n', 3).replace(b',\n', b',\x01\x1f\n', 5)
    assert spaced != original
    path = tmp_path / Path(name).name
    path.write_bytes(spaced)
    again = load(path)
    expected = load(EXAMPLES / name)
    if isinstance(expected, dict):
        assert again.keys() == expected.keys()
    else:
        assert again.report().replace(str(path), "") == \
            expected.report().replace(str(EXAMPLES / name), "")


@pytest.mark.parametrize("load, name", JSON_READERS, ids=READER_IDS)
def test_finding_2_every_json_reader_of_the_issue_text(tmp_path, load, name):
    path = tmp_path / "small.json"
    path.write_bytes(b'{\x1d"a":1}')
    with pytest.raises(PlanError) as info:
        load(path)
    assert str(info.value) and str(path) in str(info.value)


# ---- finding 3: invalid UTF-8 in files ----------------------------------

@pytest.mark.parametrize("load, name", JSON_READERS, ids=READER_IDS)
def test_finding_3_invalid_utf8_in_a_json_file_names_path_line_and_column(
        tmp_path, load, name):
    # Issue 17, finding 3: invalid UTF-8 raised a raw UnicodeDecodeError
    # from load_plan, load_outturn, load_contract_sum and check_table, and
    # was accepted silently by load_kpis, load_savings and load_mtfp.
    original = (EXAMPLES / name).read_bytes()
    bad = _with_bad_byte(original, b'"title": "')
    offset = original.index(b'"title": "') + len(b'"title": "')
    line, column = _position(bad, offset)
    path = tmp_path / Path(name).name
    path.write_bytes(bad)
    with pytest.raises(PlanError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:{column}: $: invalid UTF-8 "
                              f"(byte 0xFF)"), message
    assert (info.value.line, info.value.column) == (line, column)


@pytest.mark.parametrize("bad", [b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                 b"\xc0\xaf", b"\x80"],
                         ids=["cut", "surrogate", "beyond-U+10FFFF",
                              "overlong", "continuation"])
def test_finding_3_each_kind_of_ill_formed_utf8_is_refused(tmp_path, bad):
    text = b'{"format": "apportion.kpis/1",\n  "title": "caf\xc3\xa9 ' + bad + b'"}'
    path = tmp_path / "k.json"
    path.write_bytes(text)
    with pytest.raises(PlanError, match=re.escape(f"{path}:2:18: $: invalid "
                                                  f"UTF-8")):
        apportion.load_kpis(path)


def test_finding_3_two_invalid_strings_in_one_object(tmp_path):
    # Issue 17, finding 3: two invalid strings in one object gave
    # "SystemError: <class 'UnicodeDecodeError'> returned a result with an
    # exception set".  The first bad byte is named, once.
    original = (EXAMPLES / "iass-2021-22.json").read_bytes()
    bad = _with_bad_byte(original, b'"description": "')
    bad = _with_bad_byte(bad, b'"id": "')
    path = tmp_path / "two.json"
    path.write_bytes(bad)
    first = min(bad.index(b"\xff"), bad.rindex(b"\xff"))
    line, column = _position(bad, first)
    with pytest.raises(PlanError) as info:
        apportion.load_plan(path)
    assert (info.value.line, info.value.column) == (line, column)
    assert not isinstance(info.value.__context__, UnicodeError)


def test_finding_3_invalid_utf8_in_a_table_csv_names_path_line_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"Service,Budget,Outturn\nCaf\xc3\xa9,1,2\nYouth \xe9,3,4\n")
    for read in (check_table, load_table):
        with pytest.raises(InputError, match=re.escape(
                f"{path}:3:7: invalid UTF-8 (byte 0xE9); the file must be "
                f"UTF-8 text")):
            read(path)


def test_finding_3_invalid_utf8_in_a_table_json_through_load_table(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{"format": "apportion.table/1", "title": "\xff"}')
    with pytest.raises(InputError, match=re.escape(f"{path}:1:43: invalid UTF-8")):
        load_table(path)


def test_finding_3_and_8_invalid_utf8_in_a_ledger_csv(tmp_path):
    # Issue 17, finding 8: the ledger CSV reader was never fuzzed; it now
    # reads its file through the same check as every other reader.
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"cc,q,amount\nA,Q1,1.00\nB\xff,Q2,2.00\n")
    with pytest.raises(InputError, match=re.escape(
            f"{path}:3:2: invalid UTF-8 (byte 0xFF)")):
        Ledger.read_csv(path, centre="cc", period="q", amount="amount")
    # A file the caller says is Latin-1 is read as Latin-1.
    ledger = Ledger.read_csv(path, centre="cc", period="q", amount="amount",
                             encoding="latin-1")
    assert ledger.total == 300
    assert "B\xff" in ledger.totals_frame().index


def test_finding_3_a_valid_ledger_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"\xef\xbb\xbfcc,q,amount\nA,Q1,1.00\n")
    ledger = Ledger.read_csv(path, centre="cc", period="q", amount="amount",
                             encoding="utf-8-sig")
    assert ledger.total == 100


# ---- finding 3: lone surrogates in str arguments ------------------------

@pytest.mark.parametrize("call, argument", [
    (lambda: apportion.parse_money("£1\ud800"), "parse_money() argument 'text'"),
    (lambda: apportion.parse_plan('{"title": "\udcff"}'), "parse_plan() argument 'text'"),
    (lambda: apportion.parse_kpis("{}", "k\ud800.json"), "parse_kpis() argument 'source'"),
    (lambda: apportion.format_money(100, "\ud800"), "format_money() argument 'unit'"),
    (lambda: apportion.apportion(100, ["1\ud800", "1"]), "parse_decimal() argument 'text'"),
    (lambda: apportion.Calendar("england\ud800"),
     "calendar_new() argument 'division'"),
], ids=["parse_money", "parse_plan", "source", "unit", "weight", "calendar"])
def test_finding_3_a_lone_surrogate_is_an_input_error(call, argument):
    # Issue 17, finding 3: a lone surrogate in any text argument gave
    # UnicodeEncodeError.
    with pytest.raises(InputError, match="lone surrogate") as info:
        call()
    assert argument in str(info.value)
    assert not isinstance(info.value, UnicodeError)


def test_finding_3_a_surrogate_in_a_ledger_text_names_the_item():
    out = np.empty(2, dtype=np.int64)
    with pytest.raises(InputError, match=re.escape(
            "texts[1] is not valid text: it holds a lone surrogate (U+D800) "
            "at position 1")):
        _core.parse_money_array(["1.00", "2\ud800"], "£", out)


def test_errors_from_the_core_keep_their_message_call_after_call():
    # The glue raises the core's error with its own words every time, the
    # position included; nothing is left set for the next call.
    for _ in range(3):
        with pytest.raises(PlanError, match=r"<plan>:1:2: \$: invalid JSON") as info:
            apportion.parse_plan("{")
        assert (info.value.line, info.value.column) == (1, 2)
    assert apportion.parse_money("£1") == 100


# ---- finding 8: add_working_days(errors=) -------------------------------

def test_finding_8_add_working_days_coerce_is_nat_for_that_element_only():
    # Issue 17, finding 8: add_working_days raised for a whole array when
    # one result fell outside 1970-2100.
    cal = apportion.Calendar("england-and-wales")
    dates = np.array(["2021-06-04", "2100-12-01", "2021-06-07"],
                     dtype="datetime64[D]")
    out = cal.add_working_days(dates, [3, 1000, 1], errors="coerce")
    assert out.tolist()[0] == np.datetime64("2021-06-09", "D").tolist()
    assert np.isnat(out[1])
    assert out[2] == np.datetime64("2021-06-08", "D")
    assert cal.add_working_days("2100-12-01", 1000, errors="coerce") is None
    # raise, the default, names the element.
    with pytest.raises(InputError, match=re.escape(
            "dates[1] (2100-12-01) moved 1000 working days falls outside the "
            "calendar's dates (1970-01-01 to 2100-12-31)")):
        cal.add_working_days(dates, [3, 1000, 1])
    with pytest.raises(InputError, match=re.escape(
            "dates[1] (2100-12-01) moved 1000 working days")):
        cal.add_working_days(dates, [3, 1000, 1], errors="raise")
    with pytest.raises(InputError, match="errors must be 'raise' or 'coerce'"):
        cal.add_working_days(dates, 1, errors="ignore")


def test_finding_8_coerce_keeps_pandas_index_and_roll_rules():
    import pandas as pd

    cal = apportion.Calendar("england-and-wales")
    s = pd.Series(pd.to_datetime(["2021-06-05", "1969-12-31"]), index=["a", "b"])
    out = cal.add_working_days(s, 1, roll="following", errors="coerce")
    assert list(out.index) == ["a", "b"]
    assert out["a"] == pd.Timestamp("2021-06-08") and pd.isna(out["b"])
    # roll="raise" still refuses a day that is not a working day.
    with pytest.raises(InputError, match="not a working day"):
        cal.add_working_days(s, 1, errors="coerce")
