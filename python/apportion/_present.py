"""Presentation shared by the papers' objects (plans, outturn, contract sums,
MTFP, savings): money as text or as a DataFrame value in a unit, plain-text
tables, the split's description, and the audit section of a report.

Money text always comes from the C core (``_core.format_money``); nothing
here rounds, groups digits or knows a unit's scale itself.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, SupportsInt

from . import _core

if TYPE_CHECKING:
    import pandas as pd

    from .audit import Report

# ---- money ------------------------------------------------------------------


@cache
def per_unit(unit: str) -> int:
    """Pence in one ``unit``, as the core reads it: "£000" -> 100000."""
    return int(_core.parse_money("1", unit)[0])


def in_unit(pence: int, unit: str | None) -> int | Decimal:
    """``pence`` as int (``unit`` None), or as an exact Decimal in ``unit``:
    the value of a DataFrame view's money column."""
    if unit is None:
        return pence
    return Decimal(pence) / Decimal(per_unit(unit))


def finest_decimals(unit: str, printed: Iterable[Sequence[int]]) -> int:
    """Digits after the point that show the finest of the printed figures
    (``(pence, resolution)`` pairs as the core read them; a nil's resolution
    is 0) in ``unit``: 3 for "£1.280m" in £m, 0 for "43,998" in £000."""
    digits = len(str(per_unit(unit))) - 1
    finest = [digits - (len(str(res)) - 1) for _, res in printed if res > 0]
    return max([0, *finest])


def figure(pence: SupportsInt | None, unit: str, decimals: int | None = None) -> str:
    """A figure as a table prints it in ``unit``, brackets for negatives:
    "(3,540)" in £000.  ``decimals`` None shows as many digits after the
    point as the figure needs, so nothing is rounded away; a table whose
    columns should align passes its :func:`finest_decimals`.  None is ""."""
    if pence is None:
        return ""
    value = int(pence)
    if decimals is None:
        per, decimals = per_unit(unit), 0
        while value % per and per > 1:
            per //= 10
            decimals += 1
    return str(_core.format_money(value, unit, decimals, "brackets", False, True))


def pounds(pence: SupportsInt | None, signed: bool = False) -> str:
    """Exact pounds and pence: "£472,512.00", "-£19,000.00"; with ``signed``
    a positive amount has "+".  None is ""."""
    if pence is None:
        return ""
    value = int(pence)
    text = str(_core.format_money(value, "£", 2, "minus", True, True))
    return "+" + text if signed and value > 0 else text


def cells(show: Callable[[int], str]) -> Callable[[object], str]:
    """A formatter of a money column for ``DataFrame.to_html``: each cell
    shown by ``show`` as int pence, a missing one as ""."""

    def cell(value: object) -> str:
        if isna(value):
            return ""
        assert isinstance(value, SupportsInt)  # a money column's int or Int64
        return show(int(value))

    return cell


def percent_text(basis_points: int | None) -> str:
    """Basis points (the core's rounding) as a percentage to two places:
    87 -> "0.87%".  None (no percentage: a nil denominator) is ""."""
    if basis_points is None:
        return ""
    return f"{Decimal(basis_points).scaleb(-2):.2f}%"


def split_text(split: dict[str, Any], codes: Sequence[str]) -> str:
    """A split between authorities in words: "contract split (NNC 44.16%,
    WNC 55.84%; pennies by largest remainder)"."""
    percent = "%" if split.get("kind") == "percent" else ""
    values = ", ".join(f"{code} {text}{percent}"
                       for code, (text, _, _) in zip(codes, split["values"]))
    return (f"{split['name'] or 'split'} ({values}; pennies by "
            f"{split['mode'].replace('_', ' ')})")


# ---- text and DataFrames ----------------------------------------------------


def isna(value: object) -> bool:
    """True for a missing DataFrame cell (None, NaN, NaT, <NA>)."""
    try:
        import pandas as pd

        # Any one cell may come here; pandas' stubs list its scalar types.
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def text_table(rows: Sequence[Sequence[object]],
               right: Iterable[int] = ()) -> list[str]:
    """Rows of cells as aligned text lines, indented two spaces; the
    columns numbered in ``right`` are right-aligned (figures)."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    aligned = set(right)
    out = []
    for r in rows:
        texts = [str(v).rjust(w) if i in aligned else str(v).ljust(w)
                 for i, (v, w) in enumerate(zip(r, widths))]
        out.append("  " + "  ".join(texts).rstrip())
    return out


def int64_columns(frame: pd.DataFrame, columns: Iterable[str], *,
                  nullable: bool = False) -> pd.DataFrame:
    """Money columns as int64 (``nullable``: Int64, <NA> where missing);
    returns the frame, changed in place."""
    import pandas as pd

    for col in columns:
        frame[col] = (pd.array(frame[col].tolist(), dtype="Int64") if nullable
                      else frame[col].astype("int64"))
    return frame


# ---- the audit of a paper's own figures -------------------------------------

AUDIT_HEADING = "Audit of the paper's figures"


def audit_lines(report: Report) -> list[str]:
    """The audit section of a paper's text report: a heading, then the
    :class:`~apportion.audit.Report`'s counts and findings (its own heading
    left out: the paper's report has given the title and unit)."""
    return [AUDIT_HEADING, *report.report(heading=False).splitlines()]


def audit_html(report: Report) -> str:
    """The audit section of a paper's HTML view (a view of level 3)."""
    return f"<h4>{html.escape(AUDIT_HEADING)}</h4>\n{report.to_html(heading=False)}"


def audit_summary(report: Report) -> str:
    """For a paper's repr: "34 checks, 9 errors"."""
    checks, errors = len(report), report.counts()["error"]
    return (f"{checks} {'check' if checks == 1 else 'checks'}, {errors} "
            f"{'error' if errors == 1 else 'errors'}")
