"""``python -m apportion plugin ...``: start, build and list plugins.

``plugin new NAME`` copies the plugin template (a small service area,
written to be read, with the pyproject.toml and setup.py that build it into
a wheel of its own) into ./NAME, ``plugin build DIR`` compiles a plugin
folder into a shared library against the installed headers, and ``plugin
list`` shows what is loaded and where each plugin came from, each plugin
probed in a child process first (``--no-probe`` not).  :func:`new_plugin`
and :func:`build_plugin` do the same from Python.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import PluginError
from .plugin import PLUGIN_SUFFIX

__all__ = ["build_plugin", "main", "new_plugin", "template_folder"]

#: What a plugin name may be: it names the folder, the C file, the library
#: and the plugin in its info block, so it must suit all four.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

#: The compiler flags of ``plugin build``, before -I and the sources.
CFLAGS = ("-std=c11", "-O2", "-Wall", "-Wextra", "-fPIC", "-shared",
          "-fvisibility=hidden")

# The placeholders the template's file and folder names and text hold:
# the plugin's name, its service area, and the apportion version that wrote
# it (the oldest its pyproject.toml asks for: its headers are this one's).
_NAME, _AREA, _VERSION = "__NAME__", "__AREA__", "__APPORTION_VERSION__"
# What a build leaves in a folder, never copied from the template.
_BUILT = (".so", ".dylib", ".dll", ".o", ".obj", ".pyc")


def template_folder() -> Path:
    """The plugin template: shipped in the package, or plugins/template in
    a source checkout (an editable install)."""
    here = Path(__file__).resolve().parent
    shipped = here / "plugin_template"
    if shipped.is_dir():
        return shipped
    source = here.parent.parent / "plugins" / "template"
    if source.is_dir():
        return source
    raise PluginError(f"the plugin template is missing: neither {shipped} "
                      f"nor {source} exists; reinstall apportion")


def new_plugin(name: str, directory: str | os.PathLike[str] | None = None,
               area: str | None = None) -> Path:
    """Writes a new plugin ``name`` into ``directory/name`` (default
    ./name) from the template and returns that folder.

    ``name`` is lower-case letters, digits and ``_``, starting with a
    letter; its service area is ``area`` (1 to 32 upper-case letters,
    digits and ``_``), by default the name in upper case.  An existing
    folder is used only when it is empty.

    Besides the C file, its tests and a Makefile, the folder has a
    ``pyproject.toml`` and ``setup.py`` that build the plugin into a wheel
    of its own (``pip wheel .``): the library inside the package
    ``apportion_<name>``, offered to apportion through an entry point of
    the ``apportion.plugins`` group."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise PluginError(
            f"{name!r} cannot be a plugin name: use 1 to 64 lower-case "
            f"letters, digits and '_', starting with a letter (such as "
            f"'school_transport')")
    if area is None and len(name) > 32:
        raise PluginError(f"the service area code is at most 32 characters, "
                          f"so {name!r} needs one of its own (--area CODE)")
    area = name.upper() if area is None else area
    if not isinstance(area, str) or not re.fullmatch(r"[A-Z0-9_]{1,32}", area):
        raise PluginError(f"{area!r} cannot be a service area code: use 1 to "
                          f"32 upper-case letters, digits and '_'")
    target = Path("." if directory is None else directory) / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PluginError(f"{target} already exists and is not an empty "
                          f"folder; nothing was written (remove it, or "
                          f"choose another name or --dir)")
    from . import __version__

    template = template_folder()
    files = sorted(p for p in template.rglob("*")
                   if p.is_file() and not p.name.endswith(_BUILT)
                   and "__pycache__" not in p.relative_to(template).parts)
    target.mkdir(parents=True, exist_ok=True)
    for source in files:
        text = source.read_text(encoding="utf-8")
        text = (text.replace(_NAME, name).replace(_AREA, area)
                .replace(_VERSION, __version__))
        relative = source.relative_to(template)
        output = target.joinpath(*(part.replace(_NAME, name)
                                   for part in relative.parts))
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return target


def _command(directory: str | os.PathLike[str],
             output: str | os.PathLike[str] | None = None,
             cc: str | None = None) -> tuple[list[str], Path]:
    """The compiler command that builds the plugin in ``directory``, and
    the library it writes."""
    from . import get_include

    folder = Path(directory)
    if not folder.is_dir():
        raise PluginError(f"{folder} is not a folder")
    sources = sorted(folder.glob("*.c"))
    if not sources:
        raise PluginError(f"{folder} holds no .c files to build")
    if output is None:
        # The folder names the library, as `plugin new` made it; a folder
        # whose name cannot ("My Plugin") falls back on its one .c file.
        name = folder.resolve().name
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
            if len(sources) != 1:
                raise PluginError(f"cannot name the library after the folder "
                                  f"{name!r}; give --output")
            name = sources[0].stem
        output = folder / f"{name}{PLUGIN_SUFFIX}"
    compiler = shlex.split(cc or os.environ.get("CC") or "cc")
    command = [*compiler, *CFLAGS, f"-I{get_include()}",
               *(str(s) for s in sources), "-o", str(output)]
    return command, Path(output)


def _compile(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(list(command), capture_output=True, text=True)
    except FileNotFoundError:
        raise PluginError(f"the C compiler {command[0]!r} was not found: "
                          f"install one (apt-get install gcc) or name it "
                          f"with CC or --cc") from None


def _restrict(output: Path) -> None:
    """The loader refuses a file others may write to: make sure it is not."""
    mode = output.stat().st_mode
    if mode & stat.S_IWOTH:
        output.chmod(mode & ~stat.S_IWOTH)


def build_plugin(directory: str | os.PathLike[str],
                 output: str | os.PathLike[str] | None = None,
                 cc: str | None = None) -> Path:
    """Compiles every .c file in ``directory`` into a plugin library and
    returns its path: ``output``, by default ``directory/<folder
    name><PLUGIN_SUFFIX>`` (``.so``, or ``.dylib`` on macOS).

    ``cc`` is the compiler (default $CC, else ``cc``), run with
    ``-std=c11 -O2 -Wall -Wextra -fPIC -shared -fvisibility=hidden`` and
    apportion's headers on the include path.  A failed build raises
    :class:`~apportion.PluginError` with the compiler's messages."""
    command, out = _command(directory, output, cc)
    result = _compile(command)
    if result.returncode != 0:
        raise PluginError(f"building {directory} failed (exit status "
                          f"{result.returncode}): {shlex.join(command)}\n"
                          f"{result.stderr.rstrip()}")
    _restrict(out)
    return out


# ---- the command line --------------------------------------------------------


def _new(args: argparse.Namespace) -> int:
    folder = new_plugin(args.name, args.dir, args.area)
    print(f"wrote {folder}/ from the plugin template: build and test it with\n"
          f"  cd {shlex.quote(str(folder))} && make test")
    return 0


def _build(args: argparse.Namespace) -> int:
    command, out = _command(args.directory, args.output, args.cc)
    print(shlex.join(command))
    sys.stdout.flush()
    result = _compile(command)
    sys.stderr.write(result.stderr)  # warnings as well as errors
    if result.returncode != 0:
        return result.returncode
    _restrict(out)
    print(f"built {out}")
    folder = out.resolve().parent
    if folder.stat().st_mode & stat.S_IWOTH:
        print(f"note: others may write to {folder}, so apportion will not "
              f"load plugins from it; move {out.name} or chmod o-w the folder",
              file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    from .plugin import _discover, plugin_origin, plugins

    # Each plugin is loaded first in a probe process (unless --no-probe), so
    # that one which crashes is listed as a failure, not the end of the
    # command.  A plugin that fails to load is a PluginWarning, on stderr.
    _discover(probe=not args.no_probe)
    loaded = plugins()
    rows = [("name", "service area", "version", "ABI", "from", "path")]
    rows += [(p.name, p.service_area, p.version,
              ".".join(str(v) for v in p.abi), plugin_origin(p), p.path)
             for p in loaded]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths))
              + "  " + row[-1])
    if not loaded:
        print("(no plugins are loaded)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs ``plugin new|build|list``; argv holds the arguments after
    ``plugin``.  Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m apportion plugin",
        description="Start, build and list apportion plugins (service areas "
                    "as shared libraries).")
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser("new", help="write a new plugin from the template")
    new.add_argument("name", help="the plugin's name: lower-case letters, "
                     "digits and '_', starting with a letter")
    new.add_argument("--dir", default=".",
                     help="where to make the folder NAME (default .)")
    new.add_argument("--area", help="its service area code: up to 32 "
                     "upper-case letters, digits and '_' (default NAME in "
                     "upper case)")
    build = sub.add_parser("build", help="compile a plugin folder's .c files "
                           "into a shared library")
    build.add_argument("directory", help="the plugin's folder")
    build.add_argument("--output", "-o", help="the library to write (default "
                       f"DIR/<folder name>{PLUGIN_SUFFIX})")
    build.add_argument("--cc", help="the C compiler (default $CC, else cc)")
    listing = sub.add_parser("list", help="list the loaded plugins and where "
                             "each came from: apportion's own, those in "
                             "APPORTION_PLUGIN_PATH and those installed "
                             "distributions offer through the "
                             "apportion.plugins entry points, each probed "
                             "first")
    listing.add_argument("--no-probe", action="store_true",
                         help="load the plugins without first loading each "
                         "in a child process (the probe)")
    args = parser.parse_args(argv)
    run = {"new": _new, "build": _build, "list": _list}[args.command]
    try:
        return run(args)
    except (PluginError, OSError) as exc:
        print(f"apportion: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
