"""A directive that puts a command's ``--help`` text into a page.

``.. cli-help:: run`` runs ``python -m apportion run --help`` in the build
(through :func:`apportion.__main__.main`, which is what the command runs)
and shows what argparse prints, so the CLI page always says what the
installed command accepts.  ``.. cli-help:: plugin build`` does the same
for the plugin subcommands.  No dependency beyond Sphinx itself.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def help_text(words: list[str]) -> str:
    from apportion.__main__ import main

    out = io.StringIO()
    # argparse wraps to the terminal's width: fix it, so the page does not
    # depend on who built it.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                main([*words, "--help"])
            except SystemExit:  # argparse exits after printing the help
                pass
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return out.getvalue().rstrip()


class CliHelp(SphinxDirective):
    required_arguments = 0
    optional_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        text = help_text(list(self.arguments))
        if not text:
            raise self.error(f"no help text for {' '.join(self.arguments)!r}")
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
