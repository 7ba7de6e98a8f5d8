"""Progress bars for long runs: simulations, large ledger and records
files, Dask jobs and the committee pack.

A bar is shown only where someone is watching: in a terminal (standard
output is a TTY; the bar is drawn on standard error) or in a Jupyter
kernel, where tqdm draws a widget when ipywidgets is installed and text
otherwise.  A script whose output goes to
a file or a pipe shows none.  Switch them for the whole process::

    apportion.progress.enable(False)   # never
    apportion.progress.enable(True)    # always, even into a pipe
    apportion.progress.enable(None)    # back to the rule above

or with the environment variable ``APPORTION_PROGRESS`` (``0`` or ``1``),
which :func:`enable` overrides.  Every function that can show a bar also
takes ``progress=`` (True, False or None for the process's setting) for one
call.  Bars need tqdm, which the ``progress`` extra installs; without it
runs are silent, never slower.

A bar never changes a result: work that shows one is cut into pieces whose
results join exactly (scenario ranges, blocks of rows), the same pieces with
the bar off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Tick", "bar", "enable", "enabled", "pieces"]

#: Called with the number of units just finished.
Tick = Callable[[int], None]

_setting: bool | None = None


def enable(on: bool | None) -> None:
    """Show bars always (True), never (False), or where someone watches
    (None, the default: a terminal or a Jupyter kernel)."""
    global _setting
    if on is not None and not isinstance(on, bool):
        raise TypeError(f"enable() takes True, False or None, not {on!r}")
    _setting = on


def _in_jupyter_kernel() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    get = getattr(shell, "get_ipython", None)
    ip = get() if callable(get) else None
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def _watched() -> bool:
    try:
        tty = sys.stdout is not None and sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        tty = False
    return tty or _in_jupyter_kernel()


def enabled(progress: bool | None = None) -> bool:
    """Whether a bar would show: ``progress`` if given, else the process's
    setting (:func:`enable`), else ``APPORTION_PROGRESS``, else whether
    someone is watching."""
    if progress is not None:
        return bool(progress)
    if _setting is not None:
        return _setting
    env = os.environ.get("APPORTION_PROGRESS", "").strip()
    if env in ("0", "1"):
        return env == "1"
    return _watched()


def _tqdm() -> Any:
    """tqdm's widget in a Jupyter kernel with ipywidgets, its text bar
    elsewhere (tqdm.auto would warn in a kernel without ipywidgets)."""
    try:
        if _in_jupyter_kernel():
            import importlib.util
            if importlib.util.find_spec("ipywidgets") is not None:
                from tqdm.notebook import tqdm as widget  # type: ignore[import-untyped]
                return widget
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        return None
    return tqdm


@contextmanager
def bar(total: int, desc: str, *, unit: str = "it",
        progress: bool | None = None) -> Iterator[Tick]:
    """A bar of ``total`` units for a ``with`` block, which calls the tick
    it is given with each piece's units; a no-op tick when no bar shows."""
    tqdm = _tqdm() if enabled(progress) else None
    if tqdm is None:
        yield _no_tick
        return
    with tqdm(total=total, desc=desc, unit=unit, unit_scale=total >= 10_000,
              leave=False, file=sys.stderr) as shown:
        yield shown.update


def _no_tick(_units: int) -> None:
    return None


def pieces(total: int, *, at_least: int, count: int = 100) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges that cover ``range(total)`` in about
    ``count`` pieces of at least ``at_least`` units each (one piece when the
    total is small), for work that joins exactly however it is cut."""
    if total <= 0:
        return []
    size = max(at_least, -(-total // count))
    return [(s, min(s + size, total)) for s in range(0, total, size)]
