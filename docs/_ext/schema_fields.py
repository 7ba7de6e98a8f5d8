"""A directive that lists a JSON schema's top-level members.

``.. schema-fields:: python/apportion/schema/plan.schema.json`` reads the
schema the package ships (the path is from the repository's root) and
shows each top-level member with its type and the schema's own
description, marking the required ones, so the format pages say what the
schemas say.  The nodes are built directly: a description is shown as
text, never parsed as reStructuredText.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]


def _type_of(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in spec["enum"])
    if "const" in spec:
        return json.dumps(spec["const"], ensure_ascii=False)
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind:
        return str(kind)
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    for key in ("oneOf", "anyOf"):
        if key in spec:
            return " or ".join(_type_of(s) for s in spec[key])
    return "any"


class SchemaFields(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = ROOT / self.arguments[0]
        self.env.note_dependency(str(path))
        schema = json.loads(path.read_text(encoding="utf-8"))
        required = set(schema.get("required", []))
        items = nodes.definition_list()
        for name, spec in schema.get("properties", {}).items():
            term = nodes.term()
            term += nodes.literal(name, name)
            note = f" ({_type_of(spec)}{', required' if name in required else ''})"
            term += nodes.Text(note)
            text = spec.get("description", "")
            if not text and "$ref" in spec:
                ref = str(spec["$ref"]).rsplit("/", 1)[-1]
                text = schema.get("$defs", schema.get("definitions", {})).get(
                    ref, {}).get("description", "")
            definition = nodes.definition()
            definition += nodes.paragraph(text, text or "(no description)")
            items += nodes.definition_list_item("", term, definition)
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("schema-fields", SchemaFields)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
