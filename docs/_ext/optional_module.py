"""``.. optional-automodule:: NAME`` documents a module when it exists.

It stands for ``.. automodule:: NAME`` with ``:members:`` when the module
can be imported, and for nothing otherwise, so a page can name a module
that is arriving on another branch without the build failing before the
branches meet.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


class OptionalAutomodule(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        try:
            present = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            present = False
        if not present:
            return []
        source, _line = self.get_source_info()
        text = StringList([f".. automodule:: {name}", "   :members:", ""],
                          source=source)
        holder = nodes.section()
        holder.document = self.state.document
        nested_parse_with_titles(self.state, text, holder)
        return holder.children


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("optional-automodule", OptionalAutomodule)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
