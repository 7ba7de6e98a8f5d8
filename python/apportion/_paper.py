"""What every committee paper apportion reads has in common.

A paper (an outturn, a contract sum, an MTFP, a year's savings, a plan) is
a JSON file read and computed by the C core, which also audits every
figure the paper states.  :class:`Paper` holds what they share: the
constructors, the audit (``.audit``, ``.findings()``, ``.ok``) and the
text and HTML views, laid out the same way for each; a subclass adds its
own figures and tables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from . import limits
from ._present import AUDIT_HEADING, audit_summary
from .audit import Report
from .present import Chart, Presentable, Table, View

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CoreData", "Paper", "Source"]

#: What the core hands back for a paper: the file's figures as read, with
#: the computed ones under "result" (the glue's own shape, not public).
CoreData = dict[str, Any]

#: What a paper can be made from: a file's path, or its JSON form as a dict.
Source = str | os.PathLike[str] | Mapping[str, Any]

P = TypeVar("P", bound="Paper")


class Paper(Presentable):
    """A committee paper read by the C core, with the audit of its figures.

    Made from what a user has::

        Outturn("examples/nct-outturn-2021-22.json")   # a path (str or PathLike)
        Outturn({"format": "apportion.outturn/1", ...})  # the file's JSON as a dict
        Outturn.from_file(path)
        Outturn.from_text(text, source="paper.json")

    Every paper has ``.source`` (the file, or a name such as "<outturn>"),
    ``.title``, ``.audit`` (an :class:`apportion.audit.Report` of every
    figure the paper states), ``.findings()`` (the same as a DataFrame),
    ``.ok``, ``view()`` (an :class:`~apportion.present.model.View`: its heading,
    tables and the audit's findings) and from it ``report()`` (text; also
    ``str(paper)`` and ``to_text()``), ``to_markdown()``, ``to_excel(path)``
    and the HTML view for Jupyter, and a repr.  Papers pickle as their
    plain attributes.

    A subclass says which core reader it uses and lays out its own part of
    the report; the heading comes first and the audit last, for every
    paper.  To adopt the base (as :class:`~apportion.plan.Plan` can, in a
    few lines)::

        class Plan(Paper):
            _core_load = staticmethod(_core.load_plan)
            _core_parse = staticmethod(_core.parse_plan)
            _default_source = "<plan>"

            def _setup(self, data):        # was __init__(self, data)
                super()._setup(data)       # _data, source, title, and audit
                                           # from data["result"]["audit"]
                ...                        # the plan's own attributes

            def _heading(self): ...        # title lines, first one the title
            def _paragraphs(self): ...     # what the figures come to, in words
            def _tables(self): ...         # present.Table, in the paper's order
            def _repr_detail(self): ...    # "3 lines, total £1.00"

    and ``load_plan(path)`` returns ``Plan._from_core(_core.load_plan(...))``
    (or ``Plan.from_file(path)``).  The glue's dict goes only through the
    private :meth:`_from_core`.
    """

    #: The name a paper read from text or a dict has when none is given.
    _default_source = "<paper>"

    _data: CoreData
    #: The file the paper was read from, or the name given with its text.
    source: str
    title: str | None
    #: The audit of every figure the paper states.
    audit: Report

    # ---- construction ----------------------------------------------------

    def __init__(self, source: Source) -> None:
        """Read the paper from ``source``: a file's path, or the file's JSON
        form as a dict.  Errors are :class:`~apportion.PlanError` naming the
        JSON path, line and column (OSError for a file that cannot be
        read, InputError for one larger than
        :data:`apportion.limits.max_input_bytes`)."""
        if isinstance(source, Mapping):
            data = self._core_parse(json.dumps(source), self._default_source)
        elif isinstance(source, (str, os.PathLike)):
            data = self._core_load(os.fspath(source), limits.input_bytes())
        else:
            raise TypeError(f"{type(self).__name__}() takes a file's path or "
                            f"its JSON form as a dict, not "
                            f"{type(source).__name__}")
        self._setup(data)

    @classmethod
    def from_file(cls: type[P], path: str | os.PathLike[str], *,
                  max_bytes: int | None = None) -> P:
        """Read the paper from a file.  A file larger than ``max_bytes``
        (None: :data:`apportion.limits.max_input_bytes`) is refused with an
        InputError before it is read; a file that is not UTF-8 is a
        PlanError naming the line and column of the first bad byte."""
        return cls._from_core(cls._core_load(os.fspath(path),
                                             limits.input_bytes(max_bytes)))

    @classmethod
    def from_text(cls: type[P], text: str, source: str | None = None) -> P:
        """Read the paper from its JSON text; ``source`` names it in
        messages and reports."""
        return cls._from_core(
            cls._core_parse(text, cls._default_source if source is None else source))

    @classmethod
    def from_dict(cls: type[P], data: Mapping[str, Any],
                  source: str | None = None) -> P:
        """Read the paper from the file's JSON form as a dict."""
        return cls.from_text(json.dumps(data), source)

    @classmethod
    def _from_core(cls: type[P], data: CoreData) -> P:
        """The paper from what the core's reader returned."""
        paper = cls.__new__(cls)
        paper._setup(data)
        return paper

    # What a subclass provides: the core's reader of a file and of text.
    @staticmethod
    def _core_load(path: str, max_bytes: int | None = None) -> CoreData:
        raise NotImplementedError("a Paper subclass names its core reader")

    @staticmethod
    def _core_parse(text: str, source: str) -> CoreData:
        raise NotImplementedError("a Paper subclass names its core reader")

    def _setup(self, data: CoreData) -> None:
        """Take the core's dict; a subclass extends this (calling it first)
        with its own attributes."""
        self._data = data
        self.source = data["source"]
        self.title = data["title"]
        self.audit = Report._from_core(data["result"]["audit"], self.source)

    # ---- the audit ---------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when every figure the paper states agrees (within rounding)."""
        return self.audit.ok

    def findings(self) -> pd.DataFrame:
        """DataFrame of every check of a stated figure (``.audit`` as a
        DataFrame: where, the check, status, cause, stated, computed, the
        difference in the paper's unit, and a suggestion)."""
        return self.audit.to_frame()

    # ---- the view, text and HTML ---------------------------------------------

    def _heading(self) -> list[str]:
        """The report's first lines: the title, then what to know to read
        it (source, year, unit, sign)."""
        return [self.title or self.source]

    def _paragraphs(self) -> list[str]:
        """What the figures come to, in words, after the heading."""
        return []

    def _tables(self) -> list[Table]:
        """The paper's tables, in its order."""
        return []

    def _charts(self) -> list[Chart]:
        return []

    def _repr_detail(self) -> str:
        """The repr's short summary of the figures, before the audit's."""
        return ""

    def view(self) -> View:
        """The paper as a :class:`~apportion.present.model.View`: its heading and
        paragraphs, its tables, and last the audit of the figures it states
        (every difference a finding quoting its figures)."""
        heading = self._heading()
        audit = self.audit.view()
        return View(title=heading[0],
                    source=self.source if self.title else "",
                    paragraphs=(*heading[1:], *self._paragraphs()),
                    tables=tuple(self._tables()), charts=tuple(self._charts()),
                    findings=audit.findings, findings_title=AUDIT_HEADING,
                    findings_summary=audit.findings_summary)

    def report(self) -> str:
        """The paper as text: its heading, its figures and tables, and the
        audit of the figures it states."""
        return self.to_text()

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        detail = self._repr_detail()
        return (f"<{type(self).__name__} {self.title or self.source!r}: "
                f"{detail + ', ' if detail else ''}{audit_summary(self.audit)}>")
