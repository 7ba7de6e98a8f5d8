"""KPI results in the store: recording scorecards, reading the history back,
and escalation across runs.

Each stored result keeps the band definition in force when it was scored
(its bands, target, unit and polarity as JSON) and the escalation rule
with whether it is the contract's or an assumption, so a result means
tomorrow what it meant when it was recorded.  Escalation and direction of
travel are never stored: they are derived from the stored history, with
the C kernels the scorecard uses, whenever they are asked for.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple, SupportsInt, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import InputError, StoreError
from ..kpi import KPI, RAG
from ..scorecard import _missing
from . import _schema
from ._base import StoreBase

if TYPE_CHECKING:
    import os

    import pandas as pd

    from ..scorecard import Scorecard

__all__ = ["KpiHistory", "Recorded"]

_INT64 = (-(1 << 63), (1 << 63) - 1)
#: Results written per round of statements by record_scorecard.
_CHUNK = 500
#: A KPI's frequency as a pandas period frequency.
_FREQUENCIES = {"monthly": "M", "quarterly": "Q-DEC", "annual": "Y-DEC",
                "weekly": "W-SUN", "daily": "D"}
#: Words in a KPI's description that say its figures are not the contract's.
_NOT_CONTRACT = re.compile(r"illustrative|assum|made[ -]up|synthetic", re.IGNORECASE)


class Recorded(NamedTuple):
    """What :meth:`Store.record_scorecard` did: the import's id (None
    when nothing changed and so no import was kept), the results added for
    periods not stored before, those that superseded a different stored
    result, and those already stored as they are."""

    import_id: int | None
    added: int
    superseded: int
    unchanged: int


# ---- periods ----------------------------------------------------------------

def _freq(period: pd.Period) -> str:
    """A Period's frequency as stored: pandas' name, annual as Y-..."""
    name = str(period.freqstr)
    return "Y" + name[1:] if name.startswith("A") else name


def _pandas_freq(stored: str) -> str:
    """A stored frequency as this pandas names it (annual was A- before
    pandas 2.2)."""
    import pandas as pd
    try:
        pd.Period("2000-01-01", freq=stored)
    except (ValueError, TypeError):
        if stored.startswith("Y"):
            return "A" + stored[1:]
        raise
    return stored


def as_period(period: object, kpi: KPI | None = None, where: str = "") -> pd.Period:
    """A period as the store keeps it: a pandas Period.  A Period is taken
    as it is; text is read by pandas (``"2021-04"`` a month, ``"2021Q2"``
    a calendar quarter, ``"2021"`` a year); a date (or text of a whole
    date) stands for the period of the KPI's frequency holding it (a day
    when the KPI has none).  Text with no year (``"Q1"``) is an
    InputError naming ``where``.

    >>> as_period("2021-04")
    Period('2021-04', 'M')
    >>> as_period("2021-05-17", KPI("X", target=1, tolerance=1, frequency="monthly"))
    Period('2021-05', 'M')
    """
    import pandas as pd
    freq = None if kpi is None else _FREQUENCIES.get(kpi.frequency or "")
    if isinstance(period, pd.Period):
        return period
    found: object = None
    try:
        if isinstance(period, str):
            found = pd.Period(period.strip())
            if isinstance(found, pd.Period) and _freq(found) == "D" and freq is not None:
                found = pd.Period(found.start_time, freq=_pandas_freq(freq))
        elif isinstance(period, (_dt.date, pd.Timestamp)) or hasattr(period, "dtype"):
            stamp = pd.Timestamp(period)  # type: ignore[arg-type]
            found = pd.Period(stamp, freq=_pandas_freq(freq or "D"))
    except (ValueError, TypeError, OverflowError):
        pass
    if isinstance(found, pd.Period):  # not NaT
        return found
    raise InputError(f"{where + ': ' if where else ''}period {period!r} is not "
                     f"a period the store can date; give a pandas Period, a "
                     f"date, or text with its year such as '2021-04' (a "
                     f"month) or '2021Q2' (a quarter)")


def _from_stored(start: _dt.date, freq: str) -> pd.Period:
    import pandas as pd
    return pd.Period(start, freq=_pandas_freq(freq))


# ---- what is stored with each result ----------------------------------------

def _pair(x: Fraction | None) -> list[int] | None:
    return None if x is None else [x.numerator, x.denominator]


def _definition(kpi: KPI) -> str:
    """The band definition in force, as canonical JSON: unit, polarity,
    target, tolerance, bands (each end exact as [num, den]) or states, and
    the council's wording when given."""
    d: dict[str, Any] = {"unit": kpi.unit, "polarity": kpi.polarity,
                         "target": _pair(kpi.target),
                         "frequency": kpi.frequency}
    if kpi.is_status:
        d["states"] = {label: kpi.states[label.strip().casefold()].value
                       for label in kpi._labels}
    else:
        d["bands"] = [{"rag": b.rag.value, "lower": _pair(b.lower),
                       "lower_inclusive": b.lower_inclusive,
                       "upper": _pair(b.upper),
                       "upper_inclusive": b.upper_inclusive} for b in kpi.bands]
        if kpi.bands_text:
            d["text"] = kpi.bands_text
        if kpi.tolerance is not None:
            d["tolerance"] = _pair(kpi.tolerance)
            d["tolerance_kind"] = kpi.tolerance_kind
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


def escalation_rule(kpi: KPI) -> tuple[int, int, str, str]:
    """A KPI's escalation rule as the store records it: (failure_after,
    rectification_after, basis, note).  The basis is "contract" when the
    KPI's definition gives the rule, "assumption" when it gives none
    (apportion's default, one Red period and one more) or when its
    description says its figures are illustrative or assumed.

    >>> escalation_rule(KPI("X", target=90, tolerance=5))[:3]
    (1, 1, 'assumption')
    >>> escalation_rule(KPI("X", target=90, tolerance=5, escalation=(3, 2)))[:3]
    (3, 2, 'contract')
    """
    failure, rectification = kpi.escalation
    given = getattr(kpi, "escalation_given", True)
    if not given:
        return (failure, rectification, "assumption",
                f"the definition of {kpi.ref} gives no escalation rule: "
                f"apportion's default, {kpi._rule_text()}")
    said = _NOT_CONTRACT.search(kpi.description or "")
    if said:
        sentence = _sentence(kpi.description, said.start())
        return (failure, rectification, "assumption",
                f"as the definition of {kpi.ref} gives it ({kpi._rule_text()}), "
                f"but its description says: {sentence}")
    return (failure, rectification, "contract",
            f"as the definition of {kpi.ref} gives it: {kpi._rule_text()}")


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` holding position ``at``."""
    start = max(text.rfind(". ", 0, at) + 2, 0) if ". " in text[:at] else 0
    end = text.find(". ", at)
    return text[start:len(text) if end < 0 else end + 1].strip()


def _int64(x: int, what: str) -> int:
    if not _INT64[0] <= x <= _INT64[1]:
        raise StoreError(f"{what} {x} does not fit the store's 64-bit column")
    return x


class _Row(NamedTuple):
    """One result as stored (the columns that say what it is)."""

    kpi: str
    grp: str
    period_start: _dt.date
    frequency: str
    numerator: int | None
    denominator: int | None
    value_num: int | None
    value_den: int | None
    value_text: str | None
    rag: str | None
    description: str
    bands: str
    failure_after: int
    rectification_after: int
    rule_basis: str
    rule_note: str

    def same_result(self, other: Mapping[str, Any]) -> bool:
        """Whether a stored row says the same as this one (its source and
        import aside)."""
        return all(other[name] == getattr(self, name) for name in self._fields)


def _result_rows(card: Scorecard, url: str) -> Iterator[_Row]:
    """The rows a scorecard stores, each checked as it comes: its period
    dated, its numbers within 64 bits.  An error names the store's URL,
    the table and the row."""
    try:
        yield from _checked_rows(card)
    except InputError as exc:
        raise InputError(f"{url}: table kpi_results: {exc}") from None
    except StoreError as exc:
        raise StoreError(f"{url}: table kpi_results: {exc}") from None


def _checked_rows(card: Scorecard) -> Iterator[_Row]:
    from ..kpi import _exact
    frame = card.frame.reset_index()
    # What is stored of each KPI: its band definition and rule, once.
    stored: dict[str, tuple[str, tuple[int, int, str, str]]] = {}
    for r in frame.itertuples(index=False):
        ref = str(r.kpi)
        kpi = card.kpis.get(ref)
        group = "" if _missing(r.group) else str(r.group)
        where = f"KPI {ref}{' ' + group if group else ''}"
        if kpi is None:
            raise InputError(f"{where}: the scorecard has no definition of "
                             f"{ref}, so its bands cannot be stored")
        period = as_period(r.period, kpi, where)
        where = f"{where} {period}"
        num = None if _missing(r.numerator) else int(cast(SupportsInt, r.numerator))
        den = None if _missing(r.denominator) else int(cast(SupportsInt, r.denominator))
        value_text: str | None = None
        exact: Fraction | None = None
        if den is not None and num is not None:
            exact = None if den == 0 else Fraction(100 * num, den)
        elif kpi.is_status:
            value_text = None if _missing(r.value) else str(r.value)
        elif not _missing(r.value):
            exact = _exact(r.value, f"{where} value")
        if ref not in stored:
            stored[ref] = _definition(kpi), escalation_rule(kpi)
        definition, (failure, rectification, basis, note) = stored[ref]
        try:
            row = _Row(
                ref, group, period.start_time.date(), _freq(period),
                None if num is None else _int64(num, "numerator"),
                None if den is None else _int64(den, "denominator"),
                None if exact is None else _int64(exact.numerator, "value's numerator"),
                None if exact is None else _int64(exact.denominator, "value's denominator"),
                value_text, None if _missing(r.rag) else str(r.rag),
                kpi.description or "", definition, failure, rectification,
                basis, note)
        except StoreError as exc:
            raise StoreError(f"{where}: {exc}") from None
        yield row


def _write_chunk(conn: Connection, rows: list[_Row], import_id: int,
                 source: str | None) -> tuple[int, int, int]:
    """Writes some results in the import's transaction: reads the current
    rows of their keys at once, supersedes those that differ and inserts
    the new ones (two statements).  Returns (added, superseded,
    unchanged)."""
    t = _schema.kpi_results
    keys = {(r.kpi, r.grp, r.period_start, r.frequency) for r in rows}
    if len(keys) != len(rows):
        raise InputError("table kpi_results: a (kpi, group, period) is given "
                         "twice in one import")
    query = sa.select(t).where(
        t.c.kpi.in_({r.kpi for r in rows}),
        t.c.period_start.between(min(r.period_start for r in rows),
                                 max(r.period_start for r in rows)),
        t.c.superseded_by.is_(None))
    current = {(m["kpi"], m["grp"], m["period_start"], m["frequency"]): dict(m)
               for m in conn.execute(query).mappings()}
    new: list[dict[str, Any]] = []
    old: list[int] = []
    unchanged = 0
    for row in rows:
        stored = current.get((row.kpi, row.grp, row.period_start, row.frequency))
        if stored is not None:
            if row.same_result(stored):
                unchanged += 1
                continue
            old.append(int(stored["id"]))
        new.append({**row._asdict(), "source": source, "import_id": import_id})
    if old:  # before the inserts: one current row per key, always
        conn.execute(sa.update(t).where(t.c.id.in_(old)).values(superseded_by=import_id))
    if new:
        conn.execute(sa.insert(t), new)
    return len(new) - len(old), len(old), unchanged


class KpiHistory(StoreBase):
    """The KPI results of a :class:`~apportion.store.Store` (a mixin)."""

    # ---- writing ----------------------------------------------------------

    def record_scorecard(self, card: Scorecard, *,
                         file: str | os.PathLike[str] | None = None,
                         source: str | None = None) -> Recorded:
        """Records a scorecard's results, one import in one transaction.

        Each (kpi, group, period) not stored yet is added; one stored with
        a different result (numbers, rating, bands or rule) is superseded:
        the old row stays, marked with this import, and the new one is
        current; one stored as it is changes nothing, so recording the
        same values again leaves the store as it was.  The card's periods
        must be datable: pandas Periods, dates, or text with its year.  ``file`` and ``source``
        say where the values came from, for the trail (the file's SHA-256
        is kept too).  Any error (a bad row anywhere) rolls the whole
        import back."""
        added = superseded = unchanged = 0
        source = source or card.source or None
        with self.write("kpi", file=file, source=source) as (conn, import_id):
            rows = _result_rows(card, self.url)
            while chunk := list(itertools.islice(rows, _CHUNK)):
                a, s, u = _write_chunk(conn, chunk, import_id, source)
                added, superseded, unchanged = added + a, superseded + s, unchanged + u
            kept = import_id if added or superseded else None
        return Recorded(kept, added, superseded, unchanged)

    # ---- reading ----------------------------------------------------------

    def _results(self, conn: Connection, kpi: str | Iterable[str] | None,
                 group: str | None, *, superseded: bool = False,
                 since: _dt.date | None = None,
                 until: _dt.date | None = None) -> list[dict[str, Any]]:
        t, imp = _schema.kpi_results, _schema.imports
        query = sa.select(t, imp.c.at, imp.c.file, imp.c.sha256).join(
            imp, imp.c.id == t.c.import_id)
        if kpi is not None:
            query = query.where(t.c.kpi == kpi) if isinstance(kpi, str) \
                else query.where(t.c.kpi.in_(list(kpi)))
        if group is not None:
            query = query.where(t.c.grp == group)
        if not superseded:
            query = query.where(t.c.superseded_by.is_(None))
        if since is not None:
            query = query.where(t.c.period_start >= since)
        if until is not None:
            query = query.where(t.c.period_start <= until)
        query = query.order_by(t.c.kpi, t.c.grp, t.c.period_start, t.c.frequency,
                               t.c.import_id)
        return [dict(m) for m in conn.execute(query).mappings()]

    def _earlier(self, lanes: Iterable[tuple[str, Any]]
                 ) -> dict[tuple[str, Any], list[dict[str, Any]]]:
        """The current stored results of each (kpi, group) lane, oldest
        period first, for a scorecard computed over history (one query)."""
        wanted = {(ref, "" if _missing(group) else str(group)): (ref, group)
                  for ref, group in lanes}
        out: dict[tuple[str, Any], list[dict[str, Any]]] = {
            lane: [] for lane in wanted.values()}
        if not wanted:
            return out
        with self.read() as conn:
            rows = self._results(conn, sorted({ref for ref, _ in wanted}), None)
        for row in rows:
            lane = wanted.get((row["kpi"], row["grp"]))
            if lane is not None:
                out[lane].append(row)
        return out

    def history(self, kpi: str | None = None, group: str | None = None,
                since: object = None, until: object = None, *,
                superseded: bool = False) -> pd.DataFrame:
        """The stored KPI results, one row per (kpi, group, period), in
        that order (with ``superseded``, also every superseded result,
        beside the one that replaced it).

        ``since`` and ``until`` bound the periods' first days (a date,
        text or a Period: its first day).  Columns: kpi, group (None where
        there is none), period (a pandas Period), numerator and
        denominator (Int64), value (a float to show; NaN for no data or a
        state), value_exact (a Fraction, or None), state (a status KPI's
        label), rag, description, bands (the band definition in force, as
        JSON), failure_after, rectification_after, rule_basis ("contract"
        or "assumption"), rule_note, source, import_id, at (the import's
        UTC time), file, sha256 and superseded_by (the import that
        superseded the row, or <NA>)."""
        with self.read() as conn:
            rows = self._results(conn, kpi, group, superseded=superseded,
                                 since=_bound(since), until=_bound(until))
        return _frame(rows)

    def scorecard(self, period: object, *,
                  kpis: str | Iterable[str] | None = None) -> pd.DataFrame:
        """The stored results of one period (a Period, or text pandas reads
        as one: ``"2021-04"``), with each result's direction of travel
        (against the stored period before) and escalation state (over the
        stored history, by the result's stored rule): the
        :meth:`history` columns and direction, escalation and
        consecutive_red.  ``kpis`` limits it to some KPIs."""
        import pandas as pd
        p = as_period(period, None, "scorecard")
        refs = [kpis] if isinstance(kpis, str) else kpis
        frame = self._derived(refs, None)
        if frame.empty:
            return frame
        keep = [(x == p) if isinstance(x, pd.Period) and x.freqstr == p.freqstr
                else False for x in frame["period"]]
        return frame[keep].reset_index(drop=True)

    def escalations(self, kpi: str | None = None,
                    group: str | None = None) -> pd.DataFrame:
        """The escalation history from the stored results: for each (kpi,
        group), each stored period in order with its rating and its
        escalation state ("none", "out_of_tolerance",
        "performance_failure", "rectification_plan" or "no_data"),
        recomputed with the C escalation kernel over the whole stored
        history by the lane's rule (that of its latest result).  Columns:
        kpi, group, period, value, numerator, denominator, rag,
        consecutive_red (Red periods in a row up to this one), escalation,
        direction, failure_after, rectification_after, rule_basis and
        rule_note."""
        frame = self._derived([kpi] if kpi is not None else None, group)
        return frame[["kpi", "group", "period", "value", "numerator",
                      "denominator", "rag", "consecutive_red", "escalation",
                      "direction", "failure_after", "rectification_after",
                      "rule_basis", "rule_note"]]

    def _derived(self, kpis: Sequence[str] | Iterable[str] | None,
                 group: str | None) -> pd.DataFrame:
        """The current history with direction, escalation and
        consecutive_red derived lane by lane."""
        with self.read() as conn:
            rows = self._results(conn, kpis, group)
        frame = _frame(rows)
        directions: list[str | None] = [None] * len(frame)
        escalations: list[str] = [""] * len(frame)
        runs: list[int] = [0] * len(frame)
        for _, lane in frame.groupby(["kpi", "group"], sort=False, dropna=False):
            last = lane.iloc[-1]
            kpi = _rule_kpi(str(last["kpi"]), json.loads(str(last["bands"])),
                            int(cast(SupportsInt, last["failure_after"])),
                            int(cast(SupportsInt, last["rectification_after"])))
            ratings = [None if _missing(r) else str(r) for r in lane["rag"]]
            states = kpi.escalate(ratings)
            run = 0
            previous: Fraction | None = None
            for i, (at, rating, exact) in enumerate(zip(lane.index, ratings,
                                                        lane["value_exact"])):
                run = run + 1 if rating == RAG.RED.value else 0
                pos = int(at)
                runs[pos], escalations[pos] = run, states[i]
                if i and not kpi.is_status:
                    directions[pos] = kpi.direction(exact, previous)
                previous = exact
        frame["direction"] = directions
        frame["escalation"] = escalations
        frame["consecutive_red"] = runs
        return frame


def _rule_kpi(ref: str, definition: Mapping[str, Any], failure_after: int,
              rectification_after: int) -> KPI:
    """The KPI a stored result was scored by, rebuilt from its stored
    definition, with the lane's escalation rule."""
    rule = (failure_after, rectification_after)
    if "states" in definition:
        return KPI(ref, unit=str(definition["unit"]),
                   states=dict(definition["states"]), escalation=rule)
    bands: list[dict[str, object]] = []
    for b in definition["bands"]:
        band: dict[str, object] = {"rag": b["rag"]}
        for side in ("lower", "upper"):
            if b[side] is not None:
                band[side] = Fraction(*b[side])
                band[f"{side}_inclusive"] = bool(b[f"{side}_inclusive"])
        bands.append(band)
    target = definition.get("target")
    return KPI(ref, unit=str(definition["unit"]),
               polarity=str(definition["polarity"]),
               target=None if target is None else Fraction(*target),
               bands=bands, warn=False, escalation=rule)


def _bound(x: object) -> _dt.date | None:
    """A period bound as a first day."""
    import pandas as pd
    if x is None:
        return None
    if isinstance(x, pd.Period):
        return x.start_time.date()
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    return as_period(x, None, "since/until").start_time.date()


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The history's DataFrame from stored rows."""
    import numpy as np
    import pandas as pd
    exact = [None if r["value_den"] is None else Fraction(r["value_num"], r["value_den"])
             for r in rows]
    frame = pd.DataFrame({
        "kpi": pd.Series([r["kpi"] for r in rows], dtype=object),
        "group": pd.Series([r["grp"] or None for r in rows], dtype=object),
        "period": pd.Series([_from_stored(r["period_start"], r["frequency"])
                             for r in rows], dtype=object),
        "numerator": pd.array([r["numerator"] for r in rows], dtype="Int64"),
        "denominator": pd.array([r["denominator"] for r in rows], dtype="Int64"),
        "value": np.array([np.nan if x is None else float(x) for x in exact],
                          dtype=np.float64),
        "value_exact": pd.Series(exact, dtype=object),
        "state": pd.Series([r["value_text"] for r in rows], dtype=object),
        "rag": pd.Series([r["rag"] for r in rows], dtype=object),
    })
    for name in ("description", "bands", "rule_basis", "rule_note", "source",
                 "file", "sha256"):
        frame[name] = pd.Series([r[name] for r in rows], dtype=object)
    for name in ("failure_after", "rectification_after", "import_id"):
        frame[name] = np.array([r[name] for r in rows], dtype=np.int64)
    frame["at"] = pd.to_datetime(pd.Series([r["at"] for r in rows], dtype=object),
                                 utc=True)
    frame["superseded_by"] = pd.array([r["superseded_by"] for r in rows],
                                      dtype="Int64")
    if len(frame) and len({p.freqstr for p in frame["period"]}) == 1:
        frame["period"] = frame["period"].astype(pd.PeriodDtype(frame["period"].iloc[0].freq))
    return frame
