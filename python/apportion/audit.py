"""The audit of reported tables: do the printed figures add up, and if not,
the most likely reason.

``check_total`` checks one stated total against its items, ``check_split``
percentages that must make a whole, and ``check_table`` a whole table
(JSON of the format ``apportion.table/1``, or CSV).  The arithmetic and the
search for causes run in the C core (``ap_audit_sum``,
``ap_audit_table_check``); this module converts figures to the text the
core reads and its scaled integers back to ``Decimal``.

``check_figure`` and ``check_rate`` check one printed figure against the
exact value it stands for: correctly rounded (half up or half to even) is
"ok", cut toward zero is "rounding" with the cause ``truncation``, anything
else an error.

Causes, each claimed only when the arithmetic supports it: ``rounding``
(within what the printed precision allows: status "rounding", not an
error), ``truncation`` (more than rounding allows, but what cutting the
printed figures toward zero leaves: status "rounding"), ``transposition``,
``decimal_shift``, ``duplicated_item``, ``omitted_item``, ``sign_error``,
``reclassification`` (tables only) and otherwise ``unexplained``.  When
several explanations fit equally well the finding names no item and its
suggestion says so; every one of them is in ``candidates``.

>>> from apportion.audit import check_total
>>> f = check_total({"Q1": "1,234", "Q2": "5,678"}, "6,192")
>>> f.status, f.cause, f.difference
('error', 'transposition', Decimal('-720'))
>>> check_total(["52,914"] * 4, "211,654").status   # within the printed rounding
'rounding'
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import _core, limits
from ._convert import read_text
from ._deprecate import keyword_only_after
from .errors import InputError
from .present import Finding as ViewFinding
from .present import Presentable, View

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Candidate", "Finding", "Report", "check_figure", "check_rate",
           "check_split", "check_table", "check_table_excel", "check_total",
           "load_table"]

STATUSES = ("ok", "rounding", "error")


def _scaled(value: int, scale: int) -> Decimal:
    """value * 10**-scale, exactly, keeping the scale's trailing zeros."""
    return Decimal(value).scaleb(-scale)


@dataclass(frozen=True)
class Candidate:
    """One explanation that fits: ``label`` is the figure at fault ("the
    stated total" for the total itself) and ``corrected`` the value that
    makes the figures agree (for an omitted or duplicated item, the item)."""

    cause: str
    label: str | None
    corrected: Decimal
    exact: bool

    @classmethod
    def _from_core(cls, d: dict[str, Any]) -> Candidate:
        value, decimals = d["corrected"]
        return cls(d["cause"], d["label"], _scaled(value, decimals), d["exact"])


@dataclass(frozen=True)
class Finding:
    """The result of checking one stated figure against its parts.

    ``difference`` is stated - computed.  ``item`` is the label of the one
    figure at fault, or None (the figures agree, nothing fits, or several
    explanations fit equally).  For a table, ``row_label``,
    ``column_label`` and ``check`` say which figure and which check; a
    plan's checks also have a stable ``id`` ("recharge.instalments.sum")
    and, for percentages, the ``unit`` "%" (None: the report's unit)."""

    status: str
    cause: str
    item: str | None
    stated: Decimal
    computed: Decimal
    difference: Decimal
    tolerance: Decimal
    suggestion: str
    candidates: tuple[Candidate, ...] = ()
    kind: str | None = None
    row: int | None = None
    column: int | None = None
    row_label: str | None = None
    column_label: str | None = None
    check: str | None = None
    id: str | None = None
    unit: str | None = None

    @classmethod
    def _from_core(cls, d: dict[str, Any]) -> Finding:
        scale = d["scale"]
        return cls(
            status=d["status"], cause=d["cause"], item=d["item_label"],
            stated=_scaled(d["stated"], scale),
            computed=_scaled(d["computed"], scale),
            difference=_scaled(d["difference"], scale),
            tolerance=_scaled(d["tolerance"], scale),
            suggestion=d["suggestion"],
            candidates=tuple(Candidate._from_core(c) for c in d["candidates"]),
            kind=d.get("kind"), row=d.get("row"), column=d.get("column"),
            row_label=d.get("row_label"), column_label=d.get("column_label"),
            check=d.get("check"), id=d.get("id"), unit=d.get("unit"))

    @property
    def ok(self) -> bool:
        """True unless the figures disagree beyond rounding."""
        return self.status != "error"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values; Decimals as their exact text."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if name == "candidates":
                value = [{"cause": c.cause, "label": c.label,
                          "corrected": str(c.corrected), "exact": c.exact}
                         for c in value]
            elif isinstance(value, Decimal):
                value = str(value)
            if value is not None or name in ("item",):
                out[name] = value
        return out

    def __str__(self) -> str:
        where = ""
        if self.row_label is not None:
            where = f"{self.row_label}, {self.column_label}: "
        return f"{where}{self.status} ({self.cause}). {self.suggestion}"


# ---- one stated total ------------------------------------------------------

#: A figure as printed: text ("(3,540)", "£0.25"), an int, a Decimal, or a
#: float (read as its shortest decimal text).
Figure = str | int | float | Decimal


def _refuse_bool_or_infinite(value: object, what: str, expected: str,
                             finite: str) -> None:
    """A bool is not a number here (though Python counts it an int), nor is
    an infinite or NaN Decimal: InputError naming `what`."""
    if isinstance(value, bool):
        raise InputError(f"{what}: expected {expected}, found a bool")
    if isinstance(value, Decimal) and not value.is_finite():
        raise InputError(f"{what}: expected {finite}, found {value}")


def _figure_text(value: object, what: str) -> str:
    """The text the core reads for one figure, exactly."""
    if isinstance(value, str):
        return value
    _refuse_bool_or_infinite(value, what, "a figure", "a finite figure")
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{what}: expected a finite figure, found {value}")
        # A float is read as its shortest decimal text, as weights are.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Fraction):
        raise InputError(f"{what}: a Fraction has no printed precision; give "
                         "the figure as printed (text or Decimal)")
    raise InputError(f"{what}: expected a figure (text, int or Decimal), "
                     f"found {type(value).__name__}")


#: Figures to check: {label: figure}, or a sequence of them.
Items = Mapping[str, Figure] | Iterable[Figure]


def _items(items: Items) -> tuple[list[str], list[str]]:
    if isinstance(items, Mapping):
        labels = [str(k) for k in items]
        values = list(items.values())
    else:
        values = list(items)
        labels = [f"item {i + 1}" for i in range(len(values))]
    if not values:
        raise InputError("no items to check the total against")
    texts = [_figure_text(v, label) for v, label in zip(values, labels)]
    return texts, labels


def _decimals(decimals: object) -> int:
    if decimals is None:
        return -1
    if isinstance(decimals, bool) or not isinstance(decimals, Integral) \
            or not 0 <= int(decimals) <= 15:
        raise InputError(f"decimals: expected an integer from 0 to 15 (the "
                         f"precision the paper printed), found {decimals!r}")
    return int(decimals)


def check_total(items: Items, stated_total: Figure, decimals: int | None = None,
                *, label: str = "the stated total") -> Finding:
    """Check a stated total against its items.

    ``items`` maps labels to figures as printed ("0.410", "(3,540)", a
    ``Decimal`` or an int), or is a sequence of them (labelled "item 1",
    ...).  ``decimals`` is the precision the paper printed every figure to;
    by default each figure's own is read from its text, so "0.85" beside
    "1.280" is taken at face value.

    >>> f = check_total({"a": "1.280", "b": "0.85", "c": "0.132",
    ...                  "d": "1.083"}, "2.580")
    >>> f.status, f.cause, f.item, f.difference
    ('error', 'decimal_shift', 'b', Decimal('-0.765'))
    """
    texts, labels = _items(items)
    d = _core.audit_sum(texts, None, _figure_text(stated_total, label),
                        _decimals(decimals), False, labels, label, None)
    return Finding._from_core(d)


def check_split(shares: Items, expected: Figure = 100,
                decimals: int | None = None) -> Finding:
    """Check that percentage shares make ``expected`` (100 by default),
    which is exact: only the shares carry printed rounding.

    >>> f = check_split({"NNC": "44.16", "WNC": "56.84"})
    >>> f.status, f.difference
    ('error', Decimal('-1.00'))
    """
    texts, labels = _items(shares)
    texts = [t.strip().rstrip("%").rstrip() for t in texts]
    d = _core.audit_sum(texts, None, _figure_text(expected, "expected"),
                        _decimals(decimals), True, labels, "the whole", "%")
    return Finding._from_core(d)


# ---- one printed figure against its exact value -----------------------------

_INT64 = 2**63


def _exact(value: object, what: str) -> Fraction:
    """An exact number as a Fraction; floats and the rest are refused."""
    _refuse_bool_or_infinite(value, what, "an exact number", "a finite number")
    if isinstance(value, Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    raise InputError(f"{what}: expected an exact number (int, Decimal or "
                     f"Fraction), found {type(value).__name__}")


def _int64_pair(value: Fraction, what: str) -> tuple[int, int]:
    num, den = value.numerator, value.denominator
    if not (-_INT64 <= num < _INT64 and den < _INT64):
        raise InputError(f"{what}: {value} is too large or too finely "
                         "divided to check: its numerator and denominator "
                         "must each fit in 64 bits")
    return num, den


def check_figure(stated: str, value: int | Decimal | Fraction) -> Finding:
    """Check one printed money figure against the exact value it stands
    for.

    ``stated`` is the figure as printed, with its unit: "£52,914", "£0.85",
    "£407k", "£1.2m", "£0.3bn", "(£3.5m)", "£2.1 million" (a bare number is
    pounds; a percentage is for :func:`check_rate`).  ``value`` is exact:
    an ``int`` is **pence**, a ``Decimal`` or ``Fraction`` is **pounds**.

    The figure is judged at its printed precision (its last digit: £1 for
    "£52,914", £1,000 for "£407k", £100,000 for "£1.2m"):

    - status "ok" when it is the value correctly rounded there; a value
      exactly half-way may be rounded up (away from zero) or to even, and
      either is ok.  The cause is "none" when the figure is the value
      exactly, else "rounding".
    - status "rounding", cause "truncation", when it is the value cut
      toward zero there but no rounding of it.
    - status "error" (cause "unexplained") otherwise.

    The finding's figures are in pounds: ``computed`` is the value (exact,
    or rounded a few places below the printed digit when it has no short
    decimal form), ``difference`` is stated - computed and ``tolerance``
    half the printed unit.

    >>> check_figure("£407k", Decimal("406500")).status   # a tie, half up
    'ok'
    >>> f = check_figure("£52,914", 5291460)               # int: pence
    >>> f.status, f.cause, f.difference
    ('rounding', 'truncation', Decimal('-0.60'))
    >>> f = check_figure("£1.2m", Decimal("1310000"))
    >>> f.status, f.difference
    ('error', Decimal('-110000.00'))
    """
    if not isinstance(stated, str):
        raise InputError("stated: expected the figure as printed (text), "
                         f"found {type(stated).__name__}")
    if isinstance(value, (Decimal, Fraction)):
        pence = _exact(value, "value") * 100
    else:
        pence = _exact(value, "value")
    num, den = _int64_pair(pence, "value")
    return Finding._from_core(_core.audit_figure(stated, num, den, False))


def check_rate(numerator: int | Decimal | Fraction,
               denominator: int | Decimal | Fraction, stated: str) -> Finding:
    """Check a printed percentage or rate against numerator / denominator,
    with :func:`check_figure`'s rules and statuses.

    ``stated`` is a percentage ("78.4%": the ratio times 100) or a bare rate
    ("0.784": the ratio itself), judged at its printed precision.  The
    finding's figures are in the stated unit (``unit`` "%" for a
    percentage).

    >>> check_rate(29, 37, "78.4%").status                # 78.378...%
    'ok'
    >>> f = check_rate(29, 37, "78.3%")
    >>> f.status, f.cause
    ('rounding', 'truncation')
    >>> check_rate(29, 37, "78.5%").status
    'error'
    """
    if not isinstance(stated, str):
        raise InputError("stated: expected the rate as printed (text), "
                         f"found {type(stated).__name__}")
    den = _exact(denominator, "denominator")
    if den == 0:
        raise InputError(f"cannot check the rate {stated!r}: the "
                         "denominator is zero")
    ratio = _exact(numerator, "numerator") / den
    n, d = _int64_pair(ratio, "numerator / denominator")
    result = _core.audit_figure(stated, n, d, True)
    if "%" in stated:
        result["unit"] = "%"
    return Finding._from_core(result)


# ---- whole tables ------------------------------------------------------------


#: A figure as a message prints it: "£52,914.00", "-£2.00", "(3,540)",
#: "0.87%", "1.835", "£0.203m"; a bare whole number ("6 lines") is not one.
_QUOTED = re.compile(r"[-+]?\(?[-+]?£?\d[\d,]*(?:\.\d+)?(?:bn|m|k)?%?\)?")


def quoted_figures(message: str) -> tuple[str, ...]:
    """The figures ``message`` quotes, as printed in it, each once: those
    with a £, a %, a digit group or a decimal point."""
    out: list[str] = []
    for m in _QUOTED.finditer(message):
        text = m.group().rstrip(".,")
        if text.startswith("(") != text.endswith(")"):
            text = text.strip("()")
        if any(c in text for c in "£%,.") and text not in out:
            out.append(text)
    return tuple(out)


#: How each status of a check shows among a view's findings: severity, mark.
_SHOWN: dict[str, tuple[Literal["error", "warning", "note"], str]] = {
    "ok": ("note", "ok"), "rounding": ("warning", "rounding"),
          "error": ("error", "ERROR")}


def finding_view(f: Finding) -> ViewFinding:
    """A check as a :class:`~apportion.present.model.Finding`: its mark ("ERROR",
    "rounding", "not made"), where (row / column [check] (cause)), its
    suggestion and the figures the suggestion quotes."""
    severity, mark = _SHOWN[f.status]
    if f.cause == "illegible":
        severity, mark = "note", "not made"
    # "rounding" is said by the mark, "none" needs no saying.
    cause = "" if f.cause in ("none", "rounding") else f" ({f.cause})"
    where = f"{f.row_label} / {f.column_label} [{f.check}]{cause}"
    return ViewFinding(severity, where, f.suggestion,
                       quoted_figures(f.suggestion), mark=mark)


class _Checks:
    """The core's checks of one table (a capsule of
    ``_core.audit_checks_text``): the counts and the checks that are not ok
    at hand, a dict for any other check made only when it is read.  It
    pickles as the dicts it stands for (a capsule cannot travel), and
    compares equal to another holding the same checks."""

    __slots__ = ("_capsule", "_items", "_n", "_not_ok_items", "counts",
                 "source", "title", "unit")

    def __init__(self, capsule: _core._AuditChecks | None,
                 items: list[dict[str, Any]] | None = None,
                 head: tuple[str, str, str] = ("", "", "")) -> None:
        self._capsule = capsule
        self._items = items
        self._not_ok_items: list[dict[str, Any]] | None = None
        self._n: int
        if capsule is not None:
            (self.title, self.source, self.unit, self._n, ok, rounding,
             error) = _core.audit_checks_head(capsule)
            self.counts = {"ok": ok, "rounding": rounding, "error": error}
        else:
            items = items or []
            self.title, self.source, self.unit = head
            self._n = len(items)
            statuses = [f["status"] for f in items]
            self.counts = {s: statuses.count(s) for s in STATUSES}

    def __len__(self) -> int:
        return int(self._n)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._items is not None:
            return iter(self._items)
        item = _core.audit_checks_item
        capsule = self._capsule
        assert capsule is not None
        return (item(capsule, i) for i in range(self._n))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Checks):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Checks, (None, list(self), (self.title, self.source,
                                             self.unit)))

    def not_ok(self) -> list[dict[str, Any]]:
        """The checks not ok or not made (cause illegible), in order."""
        if self._not_ok_items is None:
            if self._items is not None:
                self._not_ok_items = [
                    f for f in self._items
                    if f["status"] != "ok" or f["cause"] == "illegible"]
            else:
                capsule = self._capsule
                assert capsule is not None
                self._not_ok_items = [
                    _core.audit_checks_item(capsule, i)
                    for i in _core.audit_checks_not_ok(capsule)]
        return self._not_ok_items


class Report(Presentable):
    """Every check of one table, in table order.

    A large table has hundreds of thousands of checks, nearly all of them
    agreeing; a Finding object is made for each only when ``findings`` is
    first read, while ``errors``, ``rounding``, ``ok`` and ``counts()``
    make objects only for the differences."""

    @keyword_only_after(4)
    def __init__(self, title: str, source: str, unit: str, *,
                 findings: list[Finding] | None = None,
                 file: str | None = None) -> None:
        self.title, self.source, self.unit, self.file = title, source, unit, file
        self._findings = findings
        self._raw: list[dict[str, Any]] | _Checks = []

    @classmethod
    def _from_core(cls, d: dict[str, Any], file: str | None = None) -> Report:
        report = cls(d["title"], d["source"], d["unit"], file=file)
        report._raw = d["findings"]
        return report

    @classmethod
    def _from_checks(cls, capsule: _core._AuditChecks,
                     file: str | None = None) -> Report:
        """A table's checks as the core keeps them (a capsule of
        ``_core.audit_checks_text``): objects only for what is read."""
        checks = _Checks(capsule)
        report = cls(checks.title, checks.source, checks.unit, file=file)
        report._raw = checks
        return report

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = [Finding._from_core(f) for f in self._raw]
            self._raw = []
        return self._findings

    def _differences(self) -> list[Finding]:
        """The findings that are not ok, and the checks that could not be
        made (cause "illegible": a figure cut off or not legible), in table
        order."""
        if self._findings is not None:
            return [f for f in self._findings
                    if f.status != "ok" or f.cause == "illegible"]
        raw = (self._raw.not_ok() if isinstance(self._raw, _Checks)
               else self._raw)
        return [Finding._from_core(f) for f in raw
                if f["status"] != "ok" or f["cause"] == "illegible"]

    def _with_status(self, status: str) -> list[Finding]:
        if self._findings is not None:
            return [f for f in self._findings if f.status == status]
        raw = (self._raw.not_ok()
               if isinstance(self._raw, _Checks) and status != "ok"
               else self._raw)
        return [Finding._from_core(f) for f in raw
                if f["status"] == status]

    @property
    def errors(self) -> list[Finding]:
        return self._with_status("error")

    @property
    def rounding(self) -> list[Finding]:
        return self._with_status("rounding")

    @property
    def ok(self) -> bool:
        """True when no figure disagrees beyond rounding."""
        return self.counts()["error"] == 0

    def counts(self) -> dict[str, int]:
        if self._findings is None and isinstance(self._raw, _Checks):
            return dict(self._raw.counts)
        statuses = ([f.status for f in self._findings]
                    if self._findings is not None
                    else [f["status"] for f in self._raw])
        return {s: statuses.count(s) for s in STATUSES}

    def __len__(self) -> int:
        return len(self._findings if self._findings is not None else self._raw)

    def __repr__(self) -> str:
        c = self.counts()
        return (f"<Report {self.title or self.file or 'table'}: {len(self)} "
                f"checks, {c['rounding']} within rounding, {c['error']} "
                f"errors>")

    def to_frame(self) -> pd.DataFrame:
        """One row per check: where, what, status, cause, figures."""
        import pandas as pd

        columns = ["row_label", "column_label", "check", "status", "cause",
                   "item", "stated", "computed", "difference", "tolerance",
                   "suggestion"]
        return pd.DataFrame([{c: getattr(f, c) for c in columns}
                             for f in self.findings], columns=columns)

    def _counts_text(self) -> str:
        c = self.counts()
        n = len(self)
        # A check that could not be made (a figure cut off or not legible)
        # is "ok", nothing found wrong, but does not agree: said apart.
        unmade = sum(f.cause == "illegible" for f in
                     (self.findings if self._findings is not None
                      else self._differences()))
        return (f"{n} {'check' if n == 1 else 'checks'}: "
                f"{c['ok'] - unmade} agree, "
                f"{c['rounding']} within rounding, {c['error']} "
                f"{'error' if c['error'] == 1 else 'errors'}"
                + (f", {unmade} could not be made"
                   if unmade else "") + ".")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values: the heading, the counts, and each
        finding's :meth:`Finding.to_dict`."""
        return {"title": self.title, "source": self.source, "unit": self.unit,
                "file": self.file, "counts": self.counts(),
                "findings": [f.to_dict() for f in self.findings]}

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text; ``kwargs`` go to ``json.dumps``
        (``indent=2``, say)."""
        return json.dumps(self.to_dict(), **kwargs)

    def view(self, *, everything: bool = False) -> View:
        """The report as a :class:`~apportion.present.model.View`: the title,
        source and unit, the counts as the findings' summary, then each
        error, rounding difference and check that could not be made (every
        check when ``everything``) as a finding quoting its figures."""
        shown = self.findings if everything else self._differences()
        return View(title=self.title or self.file or "table",
                    source=self.source,
                    paragraphs=(f"Figures in {self.unit}",) if self.unit else (),
                    findings=tuple(finding_view(f) for f in shown),
                    findings_title="", findings_summary=self._counts_text())

    @keyword_only_after(1)
    def report(self, *, everything: bool = False, heading: bool = True) -> str:
        """Text for a terminal: a heading (title, source, unit), the counts,
        then each error and rounding difference with its cause (every check
        when ``everything``).  ``heading=False`` leaves the heading out, for
        a paper's report that has given its title and unit already."""
        from .present.text import findings_text, view_text

        view = self.view(everything=everything)
        return view_text(view) if heading else findings_text(view)

    def __str__(self) -> str:
        return self.report()

    @keyword_only_after(1)
    def to_html(self, *, heading: bool = True) -> str:
        """HTML: the counts and a table of every finding that is not ok;
        ``heading`` as for :meth:`report` (without it, the findings alone,
        as a paper's view shows its audit)."""
        from .present.html import findings_html, view_html

        view = self.view()
        return view_html(view) if heading else findings_html(view)


_CSV_DIRECTIVES = ("title", "source", "unit", "decimals", "rule", "note")


def _table_from_csv(text: str, source: str) -> dict[str, Any]:
    """A CSV table as the JSON form: ``#key: value`` lines first (title,
    source, unit, decimals, and any number of rule lines), then a header
    row whose first cell names the label column and whose other cells are
    the columns; a column headed ``total`` says which rows a total row
    states the sum of ("above", "all", or row labels separated by ``;``)."""
    table: dict[str, Any] = {"format": "apportion.table/1", "rules": []}
    body: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#") and not body:
            key, sep, value = stripped[1:].partition(":")
            key = key.strip().lower()
            if not sep or key not in _CSV_DIRECTIVES:
                raise InputError(
                    f"{source}:{number}: a directive line reads '#key: value' "
                    f"with key one of {', '.join(_CSV_DIRECTIVES)}; found "
                    f"{stripped[:60]!r}")
            value = value.strip()
            if key == "rule":
                table["rules"].append(value)
            elif key == "decimals":
                try:
                    table["decimals"] = int(value)
                except ValueError:
                    raise InputError(f"{source}:{number}: decimals must be an "
                                     f"integer, found {value!r}") from None
            else:
                table[key] = value
        elif stripped or body:
            body.append((number, line))
    if not table["rules"]:
        del table["rules"]
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in body))))
    if not rows:
        raise InputError(f"{source}: no header row")
    header = [h.strip() for h in rows[0]]
    total_col = header.index("total") if "total" in header[1:] else None
    table["columns"] = [h for i, h in enumerate(header)
                        if i > 0 and i != total_col]
    table["rows"] = []
    for (number, _), cells in zip(body[1:], rows[1:]):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"{source}:{number}: expected {len(header)} "
                             f"cells as in the header, found {len(cells)}")
        row: dict[str, Any] = {"label": cells[0].strip()}
        values: list[str | None] = []
        for i, cell in enumerate(cells):
            if i == 0:
                continue
            if i == total_col:
                spec = cell.strip()
                if spec:
                    row["total"] = (spec if spec in ("above", "all") else
                                    [s.strip() for s in spec.split(";")])
                continue
            values.append(cell.strip() or None)
        row["values"] = values
        table["rows"].append(row)
    return table


def load_table(path: str | os.PathLike[str], *,
               max_bytes: int | None = None) -> dict[str, Any]:
    """A table file (``.json`` or ``.csv``) as the JSON form's dict.  A
    file larger than ``max_bytes`` (None:
    :data:`apportion.limits.max_input_bytes`) is refused before it is read,
    and one that is not UTF-8 is an InputError naming its line and
    column."""
    file = Path(path)
    text = read_text(file, "table", max_bytes)
    if file.suffix.lower() == ".csv":
        return _table_from_csv(text, str(file))
    table: dict[str, Any] = json.loads(text)
    return table


def check_table(table: str | os.PathLike[str] | Mapping[str, Any], *,
                max_bytes: int | None = None) -> Report:
    """Audit a whole table: every stated total and every column rule, then
    reclassification across each total row, then each printed rate (its
    ``"rates"``) by :func:`check_rate`'s rules.

    ``table`` is a path to a JSON (``apportion.table/1``) or CSV file, or
    the JSON form as a dict.  Errors in the table itself raise PlanError
    with the JSON path.  A file larger than ``max_bytes`` (None:
    :data:`apportion.limits.max_input_bytes`) is refused before it is read;
    invalid UTF-8 is a PlanError (JSON) or InputError (CSV) naming the
    path, line and column."""
    if isinstance(table, (str, os.PathLike)):
        path = Path(table)
        if path.suffix.lower() == ".csv":
            data = _table_from_csv(read_text(path, "table", max_bytes), str(path))
            return Report._from_checks(
                _core.audit_checks_text(json.dumps(data), str(path)),
                str(path))
        return Report._from_checks(
            _core.audit_checks_file(str(path), limits.input_bytes(max_bytes)),
            str(path))
    if isinstance(table, Mapping):
        return Report._from_checks(_table_checks(table))
    raise InputError("check_table expects a file path or the table as a dict, "
                     f"not {type(table).__name__}")


def _table_checks(table: Mapping[str, Any]) -> _core._AuditChecks:
    """The core's checks of a table given as the JSON form's dict.  Its
    rows go to the core as they are (a large table's figures are never
    written out as JSON text and read back) when every row is plain; the
    table is read as JSON otherwise, and whenever the core finds fault,
    so that every message names the JSON path as the file's would."""
    rows = table.get("rows")
    if isinstance(rows, list) and rows:
        header = {k: v for k, v in table.items() if k != "rows"}
        capsule = _core.audit_checks_rows(
            json.dumps(header, default=_json_default), rows, "<table>")
        if capsule is not None:
            return capsule
    return _core.audit_checks_text(json.dumps(table, default=_json_default),
                                   "<table>")


def _json_default(value: object) -> str | int:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Integral):
        return int(value)
    raise TypeError(f"{type(value).__name__} is not a table figure")


def check_table_excel(path: str | os.PathLike[str], *, sheet: str | None = None,
                      range: str | None = None, max_bytes: int | None = None,
                      **directives: Any) -> Report:
    """:func:`check_table` of a table laid out in a workbook's sheet as the
    CSV form lays it out (directive rows, a header row, the rows), in a
    ``range`` ("A1:F9" or a defined name) or the sheet's used cells.
    ``directives`` (title, source, unit, decimals, rules, note) give or
    override the sheet's own.  A figure that cannot be read is an error
    naming its cell: see :func:`apportion.workbook.check_table`."""
    from .workbook import check_table as check_sheet

    return check_sheet(path, sheet=sheet, range=range, max_bytes=max_bytes,
                       **directives)
