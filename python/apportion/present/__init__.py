"""The presentation layer: one model of a result on a page
(:mod:`apportion.present.model`) and the renderers that read it:
:mod:`~apportion.present.text`, :mod:`~apportion.present.html`,
:mod:`~apportion.present.markdown`, :mod:`~apportion.present.charts`
(matplotlib, the ``plot`` extra) and :mod:`~apportion.present.excel`
(the ``report`` extra).  :class:`Presentable` gives a result object with a
``view()`` its ``_repr_html_``, ``to_markdown()``, ``to_text()`` and
``to_excel()``."""

from __future__ import annotations

from .mixin import Presentable
from .model import RAG_NAMES, CellValue, Chart, Column, Finding, Row, Series, Table, View, Viewable

__all__ = ["RAG_NAMES", "CellValue", "Chart", "Column", "Finding", "Presentable",
           "Row", "Series", "Table", "View", "Viewable"]
