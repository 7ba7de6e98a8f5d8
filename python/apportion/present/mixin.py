"""The :class:`Presentable` mixin: a result object that describes itself as
a :class:`~apportion.present.model.View` gets its HTML (shown by Jupyter),
Markdown, text and Excel from the one set of renderers."""

from __future__ import annotations

import importlib
import os

from .model import View

__all__ = ["Presentable"]


class Presentable:
    """Mix in to a class with ``view() -> View``; gives ``_repr_html_``
    (Jupyter's rich display), :meth:`to_markdown`, :meth:`to_text` and
    :meth:`to_excel`.

    There is deliberately no ``_repr_markdown_``: a frontend that ranks
    Markdown above HTML (some do) would show a plain pipe table instead of
    the HTML view; call :meth:`to_markdown` for Markdown."""

    def view(self) -> View:
        """What the object shows: its title, paragraphs, tables, charts and
        findings (each class writes its own)."""
        raise NotImplementedError(f"{type(self).__name__} has no view()")

    def _repr_html_(self) -> str:
        from .html import view_html

        return view_html(self.view())

    def to_markdown(self) -> str:
        """The object as Markdown (pipe tables, the findings as a list)."""
        from .markdown import view_markdown

        return view_markdown(self.view())

    def to_text(self) -> str:
        """The object as plain text, as a terminal shows it."""
        from .text import view_text

        return view_text(self.view())

    def to_excel(self, path: str | os.PathLike[str]) -> None:
        """Write the object's tables to an Excel workbook at ``path``: one
        sheet per table (money as numbers in the table's unit, totals as
        live formulas) and a sheet of its findings.  Needs the ``report``
        extra (``pip install 'apportion[report]'``)."""
        # Imported by name: the excel module and its library are optional.
        excel = importlib.import_module(".excel", __package__)
        excel.write_workbook([self.view()], path)
