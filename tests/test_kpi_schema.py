"""The shipped KPI JSON Schema describes what the C KPI reader accepts."""

import copy
import json
import re
from pathlib import Path

import jsonschema  # a [test] extra: it checks the schema we ship
import pytest

import apportion

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "python" / "apportion" / "schema" / "kpis.schema.json")
                    .read_text(encoding="utf-8"))
EXAMPLES = {name: json.loads((ROOT / "examples" / f"{name}-kpis.json").read_text(encoding="utf-8"))
            for name in ("iass", "nct")}
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_schema_is_valid_and_accepts_the_examples(name):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    VALIDATOR.validate(EXAMPLES[name])
    kpis = apportion.parse_kpis(json.dumps(EXAMPLES[name]))  # and so does the reader
    assert list(kpis) == [k["ref"] for k in EXAMPLES[name]["kpis"]]


def test_examples_point_at_the_schema():
    for data in EXAMPLES.values():
        assert data["$schema"] == "../python/apportion/schema/kpis.schema.json"
        assert data["format"] == SCHEMA["properties"]["format"]["const"]


def test_schema_ships_with_the_package():
    shipped = Path(apportion.__file__).resolve().parent / "schema" / "kpis.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == SCHEMA


def test_schema_and_reader_accept_a_measure():
    data = copy.deepcopy(EXAMPLES["iass"])
    next(k for k in data["kpis"] if k["ref"] == "IASS2")["measure"] = "within_3"
    VALIDATOR.validate(data)
    kpis = apportion.parse_kpis(json.dumps(data))
    assert kpis["IASS2"].measure == "within_3"
    assert kpis["IASS1"].measure is None


def kpi(data, ref):
    return next(k for k in data["kpis"] if k["ref"] == ref)


def broken(name, fn):
    data = copy.deepcopy(EXAMPLES[name])
    fn(data)
    return data


BAD = {
    "unknown top-level key": ("iass", lambda d: d.update(typo=1)),
    "no format": ("iass", lambda d: d.pop("format")),
    "another format": ("iass", lambda d: d.update(format="apportion.kpis/2")),
    "plan format": ("iass", lambda d: d.update(format="apportion.plan/1")),
    "no KPIs": ("iass", lambda d: d.update(kpis=[])),
    "title not text": ("nct", lambda d: d.update(title=5)),
    "unknown KPI key": ("iass", lambda d: kpi(d, "IASS2").update(colour="red")),
    "no ref": ("iass", lambda d: kpi(d, "IASS2").pop("ref")),
    "blank ref": ("nct", lambda d: kpi(d, "NCT-REF-DECISION").update(ref=" ")),
    "status KPI with polarity": ("iass", lambda d: kpi(d, "IASS1").update(polarity="higher")),
    "status KPI with target": ("iass", lambda d: kpi(d, "IASS1").update(target=1)),
    "status KPI without states": ("iass", lambda d: kpi(d, "IASS1").pop("states")),
    "state rated purple": ("iass", lambda d: kpi(d, "IASS3")["states"].update(late="purple")),
    "measure without polarity": ("iass", lambda d: kpi(d, "IASS2").pop("polarity")),
    "measure with states": ("iass", lambda d: kpi(d, "IASS2").update(states={"x": "green"})),
    "measure without bands or tolerance": ("iass", lambda d: kpi(d, "IASS2").pop("bands")),
    "empty band text": ("iass", lambda d: kpi(d, "IASS2").update(bands="")),
    "bands a number": ("iass", lambda d: kpi(d, "IASS2").update(bands=5)),
    "target in words": ("iass", lambda d: kpi(d, "IASS2").update(target="ninety")),
    "unit hours": ("iass", lambda d: kpi(d, "IASS2").update(unit="hours")),
    "frequency daily": ("iass", lambda d: kpi(d, "IASS2").update(frequency="daily")),
    "polarity sideways": ("iass", lambda d: kpi(d, "IASS2").update(polarity="sideways")),
    "band without lower_inclusive": (
        "nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][1].pop("lower_inclusive")),
    "lower_inclusive without lower": (
        "nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][0].update(lower_inclusive=True)),
    "band rated purple": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][0].update(rag="purple")),
    "band rated Green": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][0].update(rag="Green")),
    "unknown band key": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][0].update(colour=1)),
    "no bands in the list": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M").update(bands=[])),
    "band bound in words": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][0].update(upper="twenty")),
    "tolerance without target": ("nct", lambda d: kpi(d, "NCT-REF-DECISION").pop("target")),
    "tolerance kind pct": ("nct", lambda d: kpi(d, "NCT-REF-DECISION")["tolerance"].update(kind="pct")),
    "tolerance without kind": ("nct", lambda d: kpi(d, "NCT-REF-DECISION")["tolerance"].pop("kind")),
    "negative tolerance": ("nct", lambda d: kpi(d, "NCT-REF-DECISION")["tolerance"].update(value=-5)),
    "negative tolerance text": ("nct", lambda d: kpi(d, "NCT-REF-DECISION")["tolerance"].update(value="-5")),
    "escalation after 0": (
        "nct", lambda d: kpi(d, "NCT-REF-DECISION")["escalation"].update(failure_after=0)),
    "escalation after 1.5": (
        "nct", lambda d: kpi(d, "NCT-REF-DECISION")["escalation"].update(failure_after=1.5)),
    "empty measure": ("iass", lambda d: kpi(d, "IASS2").update(measure="")),
    "measure a number": ("iass", lambda d: kpi(d, "IASS2").update(measure=3)),
    "escalation incomplete": (
        "nct", lambda d: kpi(d, "NCT-REF-DECISION")["escalation"].pop("rectification_after")),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_schema_and_reader_both_refuse(case):
    name, fn = BAD[case]
    data = broken(name, fn)
    assert list(VALIDATOR.iter_errors(data))
    with pytest.raises(apportion.PlanError) as info:
        apportion.parse_kpis(json.dumps(data, indent=2))
    assert info.value.path.startswith("$")
    assert info.value.line >= 1 and info.value.column >= 1


#: Rules the schema says it cannot express: the reader alone refuses these.
READER_ONLY = {
    "ref used twice": ("nct", lambda d: d["kpis"].append(copy.deepcopy(d["kpis"][0])),
                       "$.kpis[7].ref"),
    "bands with a gap": ("nct", lambda d: kpi(d, "NCT-REREFERRAL-12M")["bands"][1].update(lower=23),
                         "$.kpis[2].bands"),
    "wording that overlaps": (
        "iass", lambda d: kpi(d, "IASS2").update(
            bands="Green = 90-100%, Amber = 75-90%, Red = 80% or below"),
        "$.kpis[1].bands"),
    "states differing only by case": (
        "iass", lambda d: kpi(d, "IASS1")["states"].update({"IN PLACE": "red"}),
        '$.kpis[0].states["IN PLACE"]'),
}


@pytest.mark.parametrize("case", sorted(READER_ONLY))
def test_reader_refuses_what_the_schema_cannot_say(case):
    name, fn, path = READER_ONLY[case]
    data = broken(name, fn)
    assert not list(VALIDATOR.iter_errors(data))
    with pytest.raises(apportion.PlanError) as info:
        apportion.parse_kpis(json.dumps(data, indent=2))
    assert info.value.path == path


def number_pattern():
    return re.compile(SCHEMA["$defs"]["number"]["anyOf"][1]["pattern"])


def reader_reads(text):
    doc = {"format": "apportion.kpis/1",
           "kpis": [{"ref": "A", "polarity": "higher", "target": text,
                     "tolerance": {"value": 1, "kind": "points"}}]}
    try:
        apportion.parse_kpis(json.dumps(doc))
    except apportion.PlanError:
        return False
    return True


@pytest.mark.parametrize("text", ["90", " 90 ", "90%", "79.99", "1,234", "1,234.5%",
                                  "12,345,678", ".5", "+5", "-5", "9e1", "9E-1", "0.1%"])
def test_number_pattern_agrees_with_the_reader_on_good_text(text):
    assert number_pattern().match(text)
    assert reader_reads(text)


@pytest.mark.parametrize("text", ["ninety", "90 %", "1_000", "", "%", "-", "+", ".",
                                  "1,23", "1,2345", "12,34,567"])
def test_number_pattern_agrees_with_the_reader_on_bad_text(text):
    """Either both read the text or neither does; these are ones neither
    should: empty or sign-only text, and commas that are not thousands
    separators ("1,23" is 1.23 in much of Europe, not 123)."""
    assert not number_pattern().match(text)
    assert not reader_reads(text)


@pytest.mark.parametrize("text", ["5.", "5.%"])
def test_number_pattern_and_reader_agree_on_edge_text(text):
    assert bool(number_pattern().match(text)) == reader_reads(text)
