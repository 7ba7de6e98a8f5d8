"""The presentation layer: one model of a result on a page
(:mod:`apportion.present.model`) and the renderers that read it."""

from __future__ import annotations

from .model import RAG_NAMES, CellValue, Chart, Column, Finding, Row, Series, Table, View, Viewable

__all__ = ["RAG_NAMES", "CellValue", "Chart", "Column", "Finding", "Row",
           "Series", "Table", "View", "Viewable"]
