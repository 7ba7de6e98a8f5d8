"""KPI definitions, RAG scoring, direction of travel and escalation.

Band boundaries and values are exact rationals: 79.99 is 7999/100, and a
measured rate is its numerator over its denominator, so a rate of 4 in 5 is
exactly 80 and scores Red against "Red = 80% or below".  The band logic
(checks, reading councils' wording, scoring) runs in the C core.

>>> from apportion.kpi import KPI
>>> rereferrals = KPI("REREF", polarity="lower", target=22, tolerance=3)
>>> [str(rereferrals.score(v)) for v in (21, 24, 25.01)]
['green', 'amber', 'red']
>>> rereferrals.score_rates([1], [4]).tolist()   # 1 in 4 is exactly 25: in tolerance
[<RAG.AMBER: 'amber'>]
"""

from __future__ import annotations

import enum
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal, SupportsInt

import numpy as np
import numpy.typing as npt

from . import _core, limits
from ._convert import Weight, exact_ratio
from ._deprecate import keyword_only_after
from .errors import InputError
from .present.mixin import Presentable
from .present.model import Column, Finding, Row, Table, View

__all__ = [
    "ESCALATION_STATES",
    "KPI",
    "RAG",
    "AmbiguousBandsWarning",
    "Band",
    "load_kpis",
    "parse_kpis",
]

_OPEN, _INCLUSIVE, _EXCLUSIVE = 0, 1, 2
_NO_DATA = 255


class RAG(str, enum.Enum):
    """A RAG rating; equal to its lower-case name ("green" == RAG.GREEN)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    def __str__(self) -> str:
        return self.value


_RAG_CODES = {RAG.GREEN: 0, RAG.AMBER: 1, RAG.RED: 2}
_RAG_BY_CODE = {v: k for k, v in _RAG_CODES.items()}

#: The escalation states, mildest first.
ESCALATION_STATES = tuple(_core.escalation_names())


class AmbiguousBandsWarning(UserWarning):
    """A council's band wording put a boundary in two bands; the warning
    says how it was read."""


@dataclass(frozen=True)
class Band:
    """One RAG band.  ``lower``/``upper`` are exact (``Fraction``) or None
    for unbounded; each end says whether the value itself is in the band."""

    rag: RAG
    lower: Fraction | None = None
    lower_inclusive: bool = False
    upper: Fraction | None = None
    upper_inclusive: bool = False

    def __str__(self) -> str:
        lo = "-inf" if self.lower is None else _show(self.lower)
        hi = "inf" if self.upper is None else _show(self.upper)
        return (f"{self.rag.value.capitalize()} "
                f"{'[' if self.lower_inclusive else '('}{lo}, "
                f"{hi}{']' if self.upper_inclusive else ')'}")

    def _to_core(self) -> _core._CoreBand:
        def end(value: Fraction | None, inclusive: bool) -> tuple[int, int, int]:
            if value is None:
                return _OPEN, 0, 1
            return (_INCLUSIVE if inclusive else _EXCLUSIVE,
                    value.numerator, value.denominator)
        return (self.rag.value, *end(self.lower, self.lower_inclusive),
                *end(self.upper, self.upper_inclusive))

    @classmethod
    def _from_core(cls, t: _core._CoreBand) -> Band:
        rag, lk, ln, ld, uk, un, ud = t
        return cls(RAG(rag), None if lk == _OPEN else Fraction(ln, ld),
                   lk == _INCLUSIVE, None if uk == _OPEN else Fraction(un, ud),
                   uk == _INCLUSIVE)


def _show(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d.normalize(), "f") if Fraction(d) == x else str(x)


def _end(x: Fraction | None) -> Decimal | None:
    """A band's end as a Decimal (28 significant digits when it does not
    terminate); None when the band is open there."""
    if x is None:
        return None
    return Decimal(x.numerator) / Decimal(x.denominator)


def _judged(kpi: KPI) -> str:
    """How a KPI is judged, in words: "target 90%; Red: 80% or below;
    Amber: ...; Green: ... (higher is better)", or a status KPI's states."""
    if kpi.is_status:
        return "; ".join(f"{label} = {kpi.states[label.strip().casefold()].value.capitalize()}"
                         for label in kpi._labels)
    u = "%" if kpi.unit == "%" else ""
    bands = "; ".join(f"{b.rag.value.capitalize()}: {_band_words(b, kpi.unit)}"
                      for b in kpi.bands)
    target = "" if kpi.target is None else f"target {_show(kpi.target)}{u}; "
    return f"{target}{bands} ({kpi.polarity} is better)"


def _band_words(band: Band, unit: str) -> str:
    """"80% or below", "above 25%", "from 80% (not included) to 90% (not
    included)"."""
    u = "%" if unit == "%" else ""
    lo = None if band.lower is None else f"{_show(band.lower)}{u}"
    hi = None if band.upper is None else f"{_show(band.upper)}{u}"
    if lo is None and hi is None:
        return "any value"
    if lo is None:
        return f"{hi} or below" if band.upper_inclusive else f"below {hi}"
    if hi is None:
        return f"{lo} or above" if band.lower_inclusive else f"above {lo}"
    return (f"from {lo} ({'included' if band.lower_inclusive else 'not included'})"
            f" to {hi} ({'included' if band.upper_inclusive else 'not included'})")


def _exact(value: object, name: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    num, den = exact_ratio(value, name)
    return Fraction(num, den)


def _band_from(spec: Band | Mapping[str, object], i: int) -> Band:
    if isinstance(spec, Band):
        return spec
    if not isinstance(spec, Mapping):
        raise TypeError(f"bands[{i}] must be a Band or a dict with rag, lower, "
                        f"lower_inclusive, upper, upper_inclusive; not "
                        f"{type(spec).__name__}")
    unknown = set(spec) - {"rag", "lower", "lower_inclusive", "upper",
                           "upper_inclusive"}
    if unknown:
        raise InputError(f"bands[{i}]: unknown keys {sorted(unknown)}")
    if "rag" not in spec:
        raise InputError(f"bands[{i}] has no rag")
    ends: dict[str, tuple[Fraction | None, bool]] = {}
    for side in ("lower", "upper"):
        value = spec.get(side)
        if value is None:
            if f"{side}_inclusive" in spec:
                raise InputError(f"bands[{i}] has {side}_inclusive but no {side}")
            ends[side] = None, False
            continue
        if f"{side}_inclusive" not in spec:
            raise InputError(f"bands[{i}]: {side} is {value!r} but "
                             f"{side}_inclusive is not given; say whether "
                             f"{value!r} itself is in the band")
        ends[side] = (_exact(value, f"bands[{i}].{side}"),
                      bool(spec[f"{side}_inclusive"]))
    try:
        rag = RAG(str(spec["rag"]).lower())
    except ValueError:
        raise InputError(f"bands[{i}].rag is {spec['rag']!r}; expected green, "
                         f"amber or red") from None
    return Band(rag, *ends["lower"], *ends["upper"])


class KPI(Presentable):
    """A key performance indicator and how it is judged.

    ``bands`` is the council's own wording ("Green = 90-100%, Amber =
    80-90%, Red = 80% or below"), an explicit list of :class:`Band` (or
    dicts with rag, lower, lower_inclusive, upper, upper_inclusive), or
    None to derive Green/Amber/Red from ``target`` and ``tolerance``
    (``tolerance_kind`` "points" or "percent" of the target).  A status KPI
    (unit "status" or "yes/no") takes ``states``, a mapping of each state
    to its rating.  ``escalation`` is (failure_after, rectification_after):
    Red in that many consecutive periods is a Performance Failure, and one
    still Red that many periods later needs a Rectification Plan.
    ``measure`` names a measure of the same service area (one a plugin
    registers) that computes the KPI's value; None when the value is
    supplied.

    >>> iass2 = KPI("IASS2", target=90,
    ...             bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
    >>> iass2.score(80), iass2.score(80.01), iass2.score(90)
    (<RAG.RED: 'red'>, <RAG.AMBER: 'amber'>, <RAG.GREEN: 'green'>)
    """

    @keyword_only_after(4)
    def __init__(self, ref: str, description: str = "", unit: str = "%", *,
                 polarity: str = "higher", target: Weight | None = None,
                 bands: str | Sequence[Band | Mapping[str, object]] | None = None,
                 tolerance: Weight | None = None, tolerance_kind: str = "points",
                 frequency: str | None = None,
                 reported_to: str | None = None,
                 states: Mapping[str, str] | None = None,
                 escalation: tuple[int, int] | None = None,
                 warn: bool = True, measure: str | None = None) -> None:
        if not isinstance(ref, str) or not ref.strip():
            raise InputError("a KPI needs a ref such as 'IASS2'")
        if polarity not in ("higher", "lower"):
            raise InputError(f"{ref}: polarity must be 'higher' or 'lower', "
                             f"not {polarity!r}")
        self.ref = ref
        self.description = description
        self.unit = unit
        self.polarity = polarity
        self.frequency = frequency
        self.reported_to = reported_to
        if measure is not None and (not isinstance(measure, str) or not measure):
            raise InputError(f"{ref}: measure must be the name of a measure, "
                             f"not {measure!r}")
        self.measure = measure
        self.target = None if target is None else _exact(target, f"{ref}.target")
        self.tolerance = None if tolerance is None else \
            _exact(tolerance, f"{ref}.tolerance")
        self.tolerance_kind = tolerance_kind
        self.bands_text: str | None = None
        self.warning = ""
        self.states: dict[str, RAG] = {}
        self.escalation = _escalation_rule(ref, escalation)
        #: whether the definition gives the escalation rule (else it is
        #: the default (1, 1), an assumption)
        self.escalation_given = escalation is not None
        self.bands: tuple[Band, ...] = ()
        if unit in ("status", "yes/no"):
            if states is None:
                raise InputError(f"{ref}: a {unit} KPI needs states, such as "
                                 f"{{'in place': 'green', 'not in place': 'red'}}")
            if bands is not None:
                raise InputError(f"{ref}: a {unit} KPI is scored by its states, "
                                 f"not by bands")
            for label, rag in states.items():
                key = label.strip().casefold()
                if not key or key in self.states:
                    raise InputError(f"{ref}: state {label!r} is empty or "
                                     f"given twice")
                try:
                    self.states[key] = RAG(str(rag).lower())
                except ValueError:
                    raise InputError(f"{ref}: state {label!r} has rating "
                                     f"{rag!r}; expected green, amber or "
                                     f"red") from None
            self._labels = list(states)
            return
        if states is not None:
            raise InputError(f"{ref}: states are for status KPIs; this one's "
                             f"unit is {unit!r}")
        try:
            if isinstance(bands, str):
                self.bands_text = bands
                core, self.warning = _core.bands_parse_text(bands, polarity)
            elif bands is not None:
                specs = [_band_from(b, i) for i, b in enumerate(bands)]
                core, self.warning = _core.bands_make([b._to_core() for b in specs])
            elif self.target is not None and self.tolerance is not None:
                core, self.warning = _core.bands_from_tolerance(
                    polarity, _pair(self.target), _pair(self.tolerance),
                    tolerance_kind)
            else:
                raise InputError(f"{ref} needs bands, or a target and a "
                                 f"tolerance")
        except InputError as exc:
            raise InputError(f"{ref}: {exc}") from None
        self.bands = tuple(Band._from_core(t) for t in core)
        self._core_bands = core
        if self.warning and warn:
            # 3: past keyword_only_after's wrapper, at the caller.
            warnings.warn(f"{ref}: {self.warning}", AmbiguousBandsWarning,
                          stacklevel=3)

    @property
    def is_status(self) -> bool:
        return bool(self.states)

    def __repr__(self) -> str:
        if self.is_status:
            judged = ", ".join(f"{k}={v.value}" for k, v in self.states.items())
        else:
            judged = "; ".join(str(b) for b in self.bands)
        return f"KPI({self.ref!r}, {judged})"

    # ---- on a page ----------------------------------------------------------

    def _rule_text(self) -> str:
        failure, rectification = self.escalation
        return (f"Performance Failure after {failure} Red "
                f"{'period' if failure == 1 else 'periods'} in a row; a "
                f"Rectification Plan when still Red {rectification} "
                f"{'period' if rectification == 1 else 'periods'} later")

    def view(self) -> View:
        """The KPI on a page: what it measures, its target, how it is
        judged (its bands as a table, each end's value exact and whether
        it is in the band; a status KPI's states), a note of any reading
        of ambiguous wording, and its escalation rule as an assumption."""
        title = f"{self.ref}: {self.description}" if self.description else self.ref
        facts = [f"Unit {self.unit}"]
        if not self.is_status:
            facts.append(f"{self.polarity} is better")
        if self.target is not None:
            facts.append(f"target {_show(self.target)}"
                         f"{'%' if self.unit == '%' else ''}")
        if self.frequency:
            facts.append("reported " + {"annual": "annually"}.get(
                self.frequency, self.frequency))
        if self.reported_to:
            facts.append(f"to {self.reported_to}")
        if self.measure:
            facts.append(f"computed by the measure {self.measure}")
        paragraphs = ["; ".join(facts) + "."]
        if self.bands_text:
            paragraphs.append(f"Bands as worded: {self.bands_text}")
        elif self.tolerance is not None and not self.is_status:
            of = "points" if self.tolerance_kind == "points" else "% of the target"
            paragraphs.append(f"Bands derived from the target and a tolerance "
                              f"of {_show(self.tolerance)} {of}.")
        if self.is_status:
            table = Table(f"{self.ref}: states", (
                Column("state", "State", role="label"),
                Column("rag", "Rating", "rag")), tuple(
                Row((label, self.states[label.strip().casefold()].value.capitalize()))
                for label in self._labels),
                source=f"the definition of {self.ref}",
                name=f"{self.ref} states"[:31])
        else:
            kind: Literal["percent", "number"] = \
                "percent" if self.unit == "%" else "number"
            table = Table(f"{self.ref}: bands", (
                Column("rag", "Rating", "rag"),
                Column("lower", "From", kind),
                Column("upper", "To", kind),
                Column("reads", "In words")), tuple(
                Row((b.rag.value.capitalize(), _end(b.lower), _end(b.upper),
                     _band_words(b, self.unit)))
                for b in self.bands),
                source=f"the definition of {self.ref}; bands read by apportion",
                name=f"{self.ref} bands"[:31])
        findings = (Finding("note", self.ref, f"{self.ref}: {self.warning}"),) \
            if self.warning else ()
        return View(title, tuple(paragraphs), findings, (table,),
                    assumptions=(f"Escalation ({self.ref}): {self._rule_text()}",))

    # ---- scoring ----------------------------------------------------------

    def score(self, value: Weight | None) -> RAG | None:
        """The rating of one value: a number (int, float read as its
        shortest decimal text, "85.5%", Decimal, Fraction), or a state label
        for a status KPI.  None (or NaN) gives None."""
        if value is None or (isinstance(value, float) and value != value):
            return None
        if self.is_status:
            if not isinstance(value, str):
                raise TypeError(f"{self.ref} is a status KPI; score a state "
                                f"label such as {self._labels[0]!r}")
            rag = self.states.get(value.strip().casefold())
            if rag is None:
                raise InputError(f"{self.ref}: {value!r} is not one of its "
                                 f"states ({', '.join(map(repr, self._labels))})")
            return rag
        x = _exact(value, f"{self.ref} value")
        try:
            return RAG(_core.bands_score(self._core_bands, x.numerator,
                                         x.denominator))
        except InputError as exc:
            raise InputError(f"{self.ref}: {exc}") from None

    def score_rates(self, numerators: npt.ArrayLike, denominators: npt.ArrayLike,
                    scale: int = 100) -> npt.NDArray[np.object_]:
        """Ratings of measured rates scale * numerator / denominator, exactly;
        None where the denominator is 0 (no data).  An object array."""
        if self.is_status:
            raise InputError(f"{self.ref} is a status KPI; it has no rates")
        num = np.ascontiguousarray(numerators, dtype=np.int64)
        den = np.ascontiguousarray(denominators, dtype=np.int64)
        if num.shape != den.shape or num.ndim != 1:
            raise InputError("numerators and denominators must be 1-D and of "
                             "the same length")
        out = np.empty(num.shape[0], dtype=np.uint8)
        try:
            _core.bands_score_rates(self._core_bands, num, den, scale, _NO_DATA, out)
        except InputError as exc:
            raise InputError(f"{self.ref}: {exc}") from None
        codes = {0: RAG.GREEN, 1: RAG.AMBER, 2: RAG.RED, _NO_DATA: None}
        return np.array([codes[c] for c in out.tolist()], dtype=object)

    def direction(self, current: Weight | None,
                  previous: Weight | None) -> str | None:
        """"improving", "worsening" or "unchanged", judged by polarity; None
        when either value is missing."""
        if current is None or previous is None:
            return None
        if self.is_status:
            raise InputError(f"{self.ref} is a status KPI; compare ratings, "
                             f"not values")
        a = _exact(current, f"{self.ref} current")
        b = _exact(previous, f"{self.ref} previous")
        return _core.direction(self.polarity, _pair(a), _pair(b))

    def escalate(self, ratings: Sequence[str | None]) -> list[str]:
        """Escalation state of each period in order, from its rating (None:
        no data): "none", "out_of_tolerance", "performance_failure",
        "rectification_plan" or "no_data"."""
        codes = np.array([_NO_DATA if r is None else _RAG_CODES[RAG(str(r))]
                          for r in ratings], dtype=np.uint8)
        out = np.empty_like(codes)
        failure_after, rectification_after = self.escalation
        _core.escalation(codes, _NO_DATA, failure_after, rectification_after, out)
        return [ESCALATION_STATES[c] for c in out.tolist()]

    @classmethod
    def _from_definition(cls, d: _core._KpiDefinition) -> KPI:
        """A KPI from the reader's dict; the bands were checked in C."""
        kpi = cls.__new__(cls)
        kpi.ref = d["ref"]
        kpi.description = d["description"] or ""
        kpi.unit = d["unit"]
        kpi.polarity = d["polarity"]
        kpi.frequency = d["frequency"] or None
        kpi.reported_to = d["reported_to"] or None
        kpi.measure = d["measure"]
        kpi.target = None if d["target"] is None else Fraction(*d["target"])
        kpi.tolerance = None if d["tolerance"] is None else Fraction(*d["tolerance"])
        kpi.tolerance_kind = d["tolerance_kind"]
        kpi.bands_text = d["bands_text"]
        kpi.escalation = _escalation_rule(kpi.ref, d["escalation"])
        kpi.escalation_given = d["escalation"] is not None
        kpi.states = {label.strip().casefold(): RAG(rag) for label, rag in d["states"]}
        kpi._labels = [label for label, _ in d["states"]]
        if d["bands"] is None:
            kpi.bands, kpi._core_bands, kpi.warning = (), [], ""
        else:
            core, kpi.warning = d["bands"]
            kpi._core_bands = core
            kpi.bands = tuple(Band._from_core(t) for t in core)
        return kpi


def _pair(x: Fraction) -> tuple[int, int]:
    return x.numerator, x.denominator


def _escalation_rule(ref: str, rule: Iterable[SupportsInt] | None) -> tuple[int, int]:
    if rule is None:
        return (1, 1)
    try:
        failure_after, rectification_after = (int(v) for v in rule)
    except (TypeError, ValueError):
        raise InputError(f"{ref}: escalation must be (failure_after, "
                         f"rectification_after), not {rule!r}") from None
    if failure_after < 1 or rectification_after < 1:
        raise InputError(f"{ref}: escalation needs failure_after >= 1 and "
                         f"rectification_after >= 1, not {rule!r}")
    return failure_after, rectification_after


def _kpi_map(defs: Iterable[_core._KpiDefinition]) -> dict[str, KPI]:
    return {d["ref"]: KPI._from_definition(d) for d in defs}


def load_kpis(path: str | os.PathLike[str], *,
              max_bytes: int | None = None) -> dict[str, KPI]:
    """KPI definitions from a JSON file (format apportion.kpis/1), by ref.
    Errors are :class:`~apportion.PlanError` with the JSON path, line and
    column (invalid UTF-8 too).  A file larger than ``max_bytes`` (None:
    :data:`apportion.limits.max_input_bytes`) is refused before it is
    read."""
    return _kpi_map(_core.load_kpis(str(Path(path)),
                                    limits.input_bytes(max_bytes)))


def parse_kpis(text: str, source: str = "<string>") -> dict[str, KPI]:
    """KPI definitions from JSON text, by ref."""
    return _kpi_map(_core.parse_kpis(text, source))
