"""The shipped JSON Schema describes what the C plan reader accepts."""

import copy
import json
import re
from pathlib import Path

import jsonschema  # a [test] extra: it checks the schema we ship
import pytest

import apportion

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" / "plan.schema.json")
                    .read_text(encoding="utf-8"))
EXAMPLE = json.loads((ROOT / "examples" / "iass-2021-22.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_is_valid_and_accepts_the_example():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    VALIDATOR.validate(EXAMPLE)
    apportion.parse_plan(json.dumps(EXAMPLE))  # and so does the reader


def test_schema_ships_with_the_package():
    shipped = Path(apportion.__file__).resolve().parent / "schema" / "plan.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def money_pattern():
    return re.compile(SCHEMA["$defs"]["line"]["properties"]["total"]["pattern"])


@pytest.mark.parametrize("text", ["£211,654", "-£211,654", "£-211,654", "£127,882.35",
                                  "(3,540)", "(£3,540)", "£0.85m", "£1.3m", "407045",
                                  "10,829", "\u2212£5", "85p", "£1.2bn", " £ 5 "])
def test_money_pattern_agrees_with_the_parser_on_good_text(text):
    assert money_pattern().match(text)
    apportion.parse_money(text)


@pytest.mark.parametrize("text", ["£12x", "£1,23", "(3,540", "(-3,540)", "£", "£5.",
                                  "1234,567", "£5 m", "--5"])
def test_money_pattern_agrees_with_the_parser_on_bad_text(text):
    assert not money_pattern().match(text)
    with pytest.raises(apportion.InputError):
        apportion.parse_money(text)


def broken(fn):
    data = copy.deepcopy(EXAMPLE)
    fn(data)
    return data


@pytest.mark.parametrize("fn", [
    lambda d: d.update(typo=1),
    lambda d: d.pop("format"),
    lambda d: d["budget_lines"][0].update(total=407045),
    lambda d: d["budget_lines"][0].update(total_pence=40704500),
    lambda d: d["budget_lines"][0].pop("total"),
    lambda d: d["basis"].update(kind="ratio"),
    lambda d: d["budget_lines"][0].update(total="£12x"),
    lambda d: d["recharge"].update(instalments=13),
    lambda d: d["stated"]["instalments"].append(52914),
    lambda d: d["agreement"].pop("receiving"),
])
def test_schema_and_reader_both_refuse(fn):
    data = broken(fn)
    assert list(VALIDATOR.iter_errors(data))
    with pytest.raises(apportion.PlanError):
        apportion.parse_plan(json.dumps(data))
