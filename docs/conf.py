# Sphinx configuration for apportion's documentation site.
#
# Why Sphinx: autodoc and napoleon build the API reference from the
# docstrings the package already has, so the reference follows the code;
# sphinx.ext.doctest runs the pages' examples, and `-W` makes every warning
# an error, which is how `make docs` builds; and it is the tool numpy,
# pandas and CPython document themselves with, so their users know its
# pages.  The theme is Sphinx's default (alabaster): nothing to download.
#
# Build: `make docs` (HTML into build/docs) and `make doctest`.

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))

project = "apportion"
author = "the apportion developers"
copyright = "the apportion developers"

try:
    import apportion

    release = apportion.__version__
except ImportError:  # pragma: no cover - the build needs the package
    release = ""
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "cli_help",
    "schema_fields",
    "optional_module",
]

root_doc = "index"
exclude_patterns = ["_build", "README.md"]
templates_path: list[str] = []
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = f"apportion {release}"

# The reference: members in source order, annotations in the description
# rather than the signature line (long pandas types read better there).
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = True

# Examples in the pages run from the repository's root, as a reader who has
# cloned it runs them, so paths such as examples/iass-2021-22.json resolve.
doctest_global_setup = f"""
import os
os.chdir({str(ROOT)!r})
"""

# The pages' examples are in doctest directives.  The docstrings' plain
# >>> blocks, which autodoc brings into the reference, are run by pytest
# --doctest-modules (make doctest) in their own modules' namespaces.
doctest_test_doctest_blocks = ""

# There is no intersphinx (the build works offline), so types that live in
# other libraries cannot be linked; everything of apportion's own must be.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|pandas|pd|datetime|decimal|fractions|numbers|os|pathlib|argparse"
               r"|collections|typing|enum|dask|distributed|matplotlib|_io|da|dd|sqlalchemy)\..*"),
    (r"py:.*", r"(DataFrame|Series|Index|ndarray|ArrayLike|NDArray|Decimal"
               r"|Fraction|Path|PathLike|date|datetime|Timestamp|Enum|StrEnum"
               r"|Client|Figure|Axes|Array|SupportsIndex|Callable|Iterable"
               r"|Iterator|Sequence|Mapping|MutableMapping|Any|Optional|Union"
               r"|Literal|TextIO|IO|Self|TypeAlias|npt\..*|Delayed)"),
]
# Running the doctest builder must not need a display for matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")


# The package's docstrings are prose.  A property's or attribute's first
# line often reads "What it is: more", which napoleon would take for a type
# ("What it is") and a description; keep such docstrings as written.
_HELD: dict[int, list[str]] = {}


def _hold(app, what, name, obj, options, lines):
    if what in ("attribute", "property", "data"):
        _HELD[id(lines)] = list(lines)


def _restore(app, what, name, obj, options, lines):
    held = _HELD.pop(id(lines), None)
    if held is not None:
        lines[:] = held


# The docstrings name public objects as a user writes them: apportion.Plan
# and PlanError rather than apportion.plan.Plan.  The top level only
# re-exports them, and each is documented once, where it is defined, so a
# reference that finds nothing is tried again at that place, and then as
# the unique documented object whose name ends the same way.
_PY_ROLES = {"class", "func", "meth", "attr", "data", "exc", "obj", "mod"}


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "py" or node.get("reftype") not in _PY_ROLES:
        return None
    target = node.get("reftarget", "").lstrip(".~")
    domain = env.get_domain("py")
    candidates = []
    head, _, rest = target.partition(".")
    if head == "apportion" and rest:
        import apportion as package

        name, _, member = rest.partition(".")
        obj = getattr(package, name, None)
        module = getattr(obj, "__module__", None)
        if module and module != "apportion":
            candidates.append(".".join(p for p in (module, name, member) if p))
    matches = sorted(full for full in domain.objects if full.endswith("." + target))
    if len(matches) == 1:
        candidates.append(matches[0])
    candidates += _inherited(target, node)
    for full in candidates:
        found = domain.resolve_xref(env, node["refdoc"], app.builder,
                                    node["reftype"], full, node, contnode)
        if found is not None:
            return found
    if _unlinkable(target, node):
        return contnode  # shown as written, without a link
    return None


def _lookup(target: str, node):
    """The object a name in a docstring or an annotation stands for, looked
    up as Python would from where it is written; None when not found."""
    import importlib

    parts = target.split(".")
    for cut in range(len(parts), 0, -1):  # a full dotted name
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            break
        return obj
    package = sorted(m for m in sys.modules
                     if m == "apportion" or m.startswith("apportion."))
    places = [node.get("py:module"), *package]
    for place in places:  # a name relative to a module of the package
        module = sys.modules.get(place) if place else None
        obj = module
        try:
            for attr in parts:
                obj = getattr(obj, attr)
        except AttributeError:
            continue
        if module is not None:
            return obj
    return None


def _inherited(target: str, node) -> list[str]:
    """Class.member where the member is inherited: the base that defines
    it (Savings.audit is documented on the papers' base class)."""
    import inspect

    owner, _, member = target.rpartition(".")
    cls = _lookup(owner, node) if owner else None
    if not inspect.isclass(cls):
        return []
    return [f"{base.__module__}.{base.__qualname__}.{member}"
            for base in cls.__mro__[1:]
            if member in vars(base) or member in vars(base).get("__annotations__", {})]


def _unlinkable(target: str, node) -> bool:
    """A name with no page of its own, shown unlinked: anything private
    (apportion._convert.Weight), and type variables and type aliases of the
    package's annotations, which are not classes."""
    import inspect

    if any(p.startswith("_") for p in target.split(".")):
        return True
    obj = _lookup(target, node)
    if obj is None:
        return False
    return not (inspect.isclass(obj) or inspect.isroutine(obj)
                or inspect.ismodule(obj))


# The docstrings write an absolute value as |budget|, which reST would take
# for a substitution; they use no substitutions, so escape the bars.
_BARS = re.compile(r"(?<![`\\|])\|([^|`\s][^|`]*?)\|(?![`|])")


def _absolute_values(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if "|" in line and not line.lstrip().startswith(("|", "+", "=")):
            lines[i] = _BARS.sub(r"\\|\1\\|", line)


def setup(app):
    app.connect("autodoc-process-docstring", _absolute_values, priority=50)
    app.connect("autodoc-process-docstring", _hold, priority=100)
    app.connect("autodoc-process-docstring", _restore, priority=900)
    app.connect("missing-reference", _resolve)
