"""The committee pack: plans, papers, audited tables, KPI scorecards and
forecasts in one HTML file, one PDF and one workbook.

In Python (``card`` a :class:`~apportion.scorecard.Scorecard`)::

    from apportion.report import Pack
    pack = Pack(["examples/iass-2021-22.json", card], title="IASS 2021/22")
    written = pack.write("build/pack")   # pack.html, pack.xlsx, pack.pdf

Each item is an object with ``view()`` (:class:`~apportion.present.model.View`),
a View itself, or the path of a file apportion reads (the formats the
``run`` command reads: a plan, an MTFP, savings, outturn, contract-sum or
disaggregation paper, or a table to audit).

- ``pack.html`` is one self-contained file: the stylesheet inline, charts
  as inline SVG, nothing fetched from anywhere.  A contents list, then the
  findings of every paper (errors first), then each paper with its tables
  and charts.  It prints on A4: each paper starts a page, table headers
  repeat on every page and no row is split between pages.
- ``pack.pdf`` is the same page printed by headless Chromium over the
  DevTools protocol (:class:`Chromium`), with the pack's title at the head
  of each page, "Page n of N" at its foot and the headings as the PDF's
  bookmarks.  docs/pack.rst says why Chromium.
- ``pack.xlsx`` is :func:`apportion.present.excel.write_workbook` of the
  same views.

The command line is ``python -m apportion report FILE... --out DIR``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import html
import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

from . import progress as _progress
from .errors import ApportionError
from .present.model import Finding, View, Viewable

__all__ = ["FORMATS", "Chromium", "Item", "Pack", "Page", "Progress", "Written",
           "add_arguments", "check", "find_chromium", "load", "main"]

#: What a pack holds: an object with ``view()``, a View, or a file's path.
Item: TypeAlias = "Viewable | View | str | os.PathLike[str]"

#: A progress callback: ``progress(step, done, total)``, called after each
#: step ("view", "html", "xlsx", "pdf") with the steps done so far.
Progress: TypeAlias = Callable[[str, int, int], None]

#: The files a pack writes, in the order it writes them.
FORMATS = ("html", "xlsx", "pdf")

_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
_SEVERITY_NAMES = {"error": "Error", "warning": "Warning", "note": "Note"}
# The marks of the present renderers' findings: a shape as well as a colour.
_GLYPHS = {"error": "\u25b2", "warning": "\u25c6", "note": "\u25cf"}

# The footer and header Chromium prints in each page's margin.  Their
# font size must be given: the default is too small to read.
_HEADER = ('<div style="font-size:8pt;width:100%;margin:0 15mm;color:#505a5f;'
           'font-family:sans-serif;display:flex;justify-content:space-between">'
           '<span class="title"></span><span>{date}</span></div>')
_FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;'
           'color:#505a5f;font-family:sans-serif">Page <span class="pageNumber">'
           '</span> of <span class="totalPages"></span></div>')


# ---- reading the items -------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Viewable:
    """The object a file holds, read as ``python -m apportion run`` reads
    it (by the file's "format"): a paper, an audited table (JSON
    ``apportion.table/1`` or CSV) or a plan."""
    from .__main__ import _PAPERS, _file_format

    name = os.fspath(path)
    if name.lower().endswith(".csv"):
        kind = "apportion.table/1"
    else:
        kind = _file_format(name)
    obj: Any
    if kind in _PAPERS:
        module, loader = _PAPERS[kind]
        obj = getattr(importlib.import_module(f".{module}", __package__), loader)(name)
    elif kind == "apportion.table/1":
        from .audit import check_table

        obj = check_table(name)
    elif kind in ("", "apportion.plan/1"):
        from .plan import load_plan

        obj = load_plan(name)
    else:
        raise ApportionError(
            f"{name}: a pack cannot show a file of the format {kind!r}; it reads "
            f"plans, tables (apportion.table/1) and the papers "
            f"({', '.join(sorted(_PAPERS))}); build other objects (a scorecard, "
            f"a forecast) in Python and give them to apportion.report.Pack")
    if not isinstance(obj, Viewable):
        raise ApportionError(f"{name}: a {type(obj).__name__} has no view() to "
                             f"show in a pack")
    return obj


def _view_of(item: Item) -> View:
    if isinstance(item, View):
        return item
    if isinstance(item, (str, os.PathLike)):
        return load(item).view()
    if isinstance(item, Viewable):
        return item.view()
    raise TypeError(f"a pack holds objects with view(), Views or file paths, "
                    f"not {type(item).__name__}")


# ---- the pack ----------------------------------------------------------------


@dataclass
class Written:
    """What :meth:`Pack.write` wrote: the path of each file by format, and
    the seconds each took (``views`` is the time to build the views)."""

    paths: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class Pack:
    """A committee pack of ``items`` (objects with ``view()``, Views, or
    paths of files apportion reads), in the order given.

    ``title`` heads the pack and each printed page; ``date`` (default
    today) is printed under it.  ``progress`` is a callable called after
    each step of :meth:`write` (see :data:`Progress`), or whether
    :meth:`write` shows a progress bar: True, False, or None for where
    someone is watching (see :mod:`apportion.progress`)."""

    def __init__(self, items: Iterable[Item], *, title: str = "Committee pack",
                 date: _dt.date | None = None,
                 progress: Progress | bool | None = None) -> None:
        self.items = list(items)
        if not self.items:
            raise ApportionError("a pack needs at least one paper")
        self.title = title
        self.date = date or _dt.date.today()
        self.progress = progress
        self._views: list[View] | None = None
        # the bar of a write() in progress, moved by each step
        self._tick: _progress.Tick | None = None

    def __repr__(self) -> str:
        return f"Pack({self.title!r}, {len(self.items)} papers)"

    def _step(self, step: str, done: int, total: int) -> None:
        if self._tick is not None:
            self._tick(1)
        if callable(self.progress):
            self.progress(step, done, total)

    def views(self) -> list[View]:
        """Each item's view, in the pack's order (built once)."""
        if self._views is None:
            views = []
            for i, item in enumerate(self.items):
                views.append(_view_of(item))
                self._step("view", i + 1, len(self.items))
            self._views = views
        return self._views

    def findings(self) -> list[tuple[int, Finding]]:
        """Every paper's findings as (paper index, finding): errors first,
        then warnings, then notes, each in the pack's order."""
        found = [(i, f) for i, view in enumerate(self.views()) for f in view.findings]
        return sorted(found, key=lambda pair: _SEVERITY_ORDER.get(pair[1].severity, 3))

    # ---- HTML ---------------------------------------------------------------

    def to_html(self) -> str:
        """The pack as one self-contained HTML document."""
        from .present.html import STYLESHEET

        views = self.views()
        findings = self.findings()
        title = html.escape(self.title)
        date = html.escape(_long_date(self.date))
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en-GB">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # No favicon request: the pack fetches nothing.
            '<link rel="icon" href="data:,">',
            f"<title>{title}</title>",
            f"<style>\n{STYLESHEET}\n{_pack_css()}\n</style>",
            "</head>",
            '<body class="apportion-pack">',
            '<header class="pack-cover">',
            f"<h1>{title}</h1>",
            f'<p class="pack-date">{date}</p>',
            f"<p>{_count(len(views), 'paper')}; {_findings_summary(findings)}.</p>",
            "</header>",
            _contents_html(views, findings),
            _findings_html(views, findings),
        ]
        from .present.html import view_html

        for i, view in enumerate(views):
            parts.append(f'<section class="pack-paper" id="paper-{i + 1}">')
            # The view as rendered everywhere else, its title the section's
            # heading; its findings are listed once, at the front, so here
            # only their summary stays, with a link to them.
            body = view_html(replace(view, findings=(), findings_title=""), level=2)
            n = len(view.findings)
            if n:
                link = (f'<p class="pack-paper-findings"><a href="#findings-{i + 1}">'
                        f"{_count(n, 'finding')}</a>: listed under Findings at "
                        f"the front.</p>")
                head_end = body.index("</h2>") + len("</h2>")
                body = body[:head_end] + "\n" + link + body[head_end:]
            parts += [body, "</section>"]
        parts += ["</body>", "</html>", ""]
        return "\n".join(parts)

    def write_html(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_html` to ``path``."""
        out = Path(path)
        out.write_text(self.to_html(), encoding="utf-8")
        return out

    # ---- the other formats ----------------------------------------------------

    def write_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """The pack's workbook (one sheet per table and a findings sheet),
        written by :func:`apportion.present.excel.write_workbook`."""
        out = Path(path)
        try:
            from .present.excel import write_workbook

            write_workbook(self.views(), out)
        except ModuleNotFoundError as exc:
            raise _EngineMissing(f"pack.xlsx needs {exc.name}: pip install "
                                 f"'apportion[report]'") from exc
        except ImportError as exc:
            raise _EngineMissing(f"pack.xlsx: {exc}") from exc
        return out

    def write_pdf(self, path: str | os.PathLike[str], *,
                  html_path: str | os.PathLike[str] | None = None,
                  chromium: str | None = None) -> Path:
        """Print the pack to a PDF at ``path`` with headless Chromium
        (``chromium``: its executable; default :func:`find_chromium`).
        ``html_path`` is the pack's HTML if already written; otherwise it is
        written to a temporary file."""
        out = Path(path)
        with tempfile.TemporaryDirectory(prefix="apportion-pack-") as tmp:
            source = Path(html_path) if html_path else self.write_html(Path(tmp) / "pack.html")
            with Chromium(chromium, timeout=300) as browser:
                page = browser.open(source.resolve().as_uri())
                pdf = page.pdf(header=_HEADER.format(date=html.escape(_long_date(self.date))),
                               footer=_FOOTER)
        out.write_bytes(pdf)
        return out

    def write(self, out_dir: str | os.PathLike[str], *,
              formats: Sequence[str] = FORMATS, chromium: str | None = None) -> Written:
        """Write ``pack.html``, ``pack.xlsx`` and ``pack.pdf`` (those of
        ``formats``) into ``out_dir``, made if missing.

        When an engine is missing (Chromium for the PDF, the ``report``
        extra for the workbook) the other files are still written, and then
        an :class:`~apportion.errors.ApportionError` says what to install;
        when a file cannot be made, the others are still written and then
        its error is raised."""
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ApportionError(f"unknown pack formats {unknown}; the formats "
                                 f"are {', '.join(FORMATS)}")
        todo = [f for f in FORMATS if f in formats]
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        steps = (0 if self._views is not None else len(self.items)) + len(todo)
        show = None if callable(self.progress) else self.progress
        with _progress.bar(steps, "committee pack", unit="step",
                           progress=show) as tick:
            self._tick = tick
            try:
                return self._write(folder, todo, chromium)
            finally:
                self._tick = None

    def _write(self, folder: Path, todo: list[str], chromium: str | None) -> Written:
        written = Written()
        start = time.perf_counter()
        self.views()
        written.seconds["views"] = time.perf_counter() - start
        missing: list[str] = []
        failed: list[BaseException] = []
        html_path = None
        for done, fmt in enumerate(todo, 1):
            start = time.perf_counter()
            target = folder / f"pack.{fmt}"
            try:
                if fmt == "html":
                    html_path = written.paths["html"] = self.write_html(target)
                elif fmt == "xlsx":
                    written.paths["xlsx"] = self.write_xlsx(target)
                else:
                    written.paths["pdf"] = self.write_pdf(target, html_path=html_path,
                                                          chromium=chromium)
            except _EngineMissing as exc:
                missing.append(str(exc))
                continue
            except Exception as exc:  # the other files are still written
                failed.append(exc)
                continue
            written.seconds[fmt] = time.perf_counter() - start
            self._step(fmt, done, len(todo))
        wrote = ", ".join(str(p) for p in written.paths.values()) or "nothing"
        if failed:
            raise failed[0]
        if missing:
            raise ApportionError("; ".join(missing) + f" (written: {wrote})")
        return written


def _long_date(day: _dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _findings_summary(findings: list[tuple[int, Finding]]) -> str:
    if not findings:
        return "no findings"
    by = {s: sum(1 for _, f in findings if f.severity == s) for s in _SEVERITY_ORDER}
    kinds = ", ".join(_count(n, s) for s, n in by.items() if n)
    return f"{_count(len(findings), 'finding')} ({kinds})"


def _pack_css() -> str:
    return resources.files("apportion.present").joinpath("pack.css").read_text("utf-8")


def _contents_html(views: list[View], findings: list[tuple[int, Finding]]) -> str:
    lines = ['<nav class="pack-contents" aria-labelledby="contents-title">',
             '<h2 id="contents-title">Contents</h2>', "<ol>",
             f'<li><a href="#findings">Findings</a> '
             f'<span class="pack-count">{html.escape(_findings_summary(findings))}</span></li>']
    for i, view in enumerate(views):
        tables = len(view.tables)
        charts = len(view.charts)
        what = ", ".join(_count(n, noun) for n, noun in
                         ((tables, "table"), (charts, "chart"), (len(view.findings), "finding"))
                         if n)
        lines.append(f'<li><a href="#paper-{i + 1}">{html.escape(view.title)}</a>'
                     + (f' <span class="pack-count">{what}</span>' if what else "")
                     + "</li>")
    lines += ["</ol>", "</nav>"]
    return "\n".join(lines)


def _findings_html(views: list[View], findings: list[tuple[int, Finding]]) -> str:
    lines = ['<section class="pack-findings" id="findings" aria-labelledby="findings-title">',
             '<h2 id="findings-title">Findings</h2>']
    if not findings:
        lines += ["<p>No paper has a finding.</p>", "</section>"]
        return "\n".join(lines)
    lines += ["<p>Every paper's findings, errors first. Each row says its "
              "severity in words; the mark and its colour repeat it.</p>",
              '<table class="pack-findings-table">',
              "<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Paper</th>"
              "<th scope=\"col\">Where</th><th scope=\"col\">Finding</th></tr></thead>",
              "<tbody>"]
    anchored: set[int] = set()
    for i, finding in findings:
        anchor = ""
        if i not in anchored:
            anchored.add(i)
            anchor = f' id="findings-{i + 1}"'
        severity = finding.severity
        lines.append(
            f'<tr class="pack-{severity}"{anchor}>'
            f'<td><span class="pack-severity pack-severity-{severity}">'
            f'<span class="pack-glyph" aria-hidden="true">{_GLYPHS.get(severity, "")}'
            f"</span> {html.escape(finding.mark or _SEVERITY_NAMES.get(severity, severity))}"
            f"</span></td>"
            f'<td><a href="#paper-{i + 1}">{html.escape(views[i].title)}</a></td>'
            f"<td>{html.escape(finding.where)}</td>"
            f"<td>{html.escape(finding.message)}</td></tr>")
    lines += ["</tbody>", "</table>", "</section>"]
    return "\n".join(lines)


# ---- headless Chromium over the DevTools protocol ------------------------------


class _EngineMissing(ApportionError):
    """The PDF or workbook engine is not installed (the pack goes on with
    the other files)."""


_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """The Chromium to print with: $APPORTION_CHROMIUM, else the first of
    chromium, chromium-browser, google-chrome on PATH."""
    given = os.environ.get("APPORTION_CHROMIUM")
    if given:
        found = shutil.which(given)
        if not found:
            raise _EngineMissing(f"pack.pdf: APPORTION_CHROMIUM is {given!r}, "
                                 f"which is not an executable")
        return found
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise _EngineMissing("pack.pdf needs headless Chromium, which is not "
                         "installed: install Debian's chromium package "
                         "(apt-get install chromium) or set APPORTION_CHROMIUM "
                         "to a Chromium or Chrome executable")


class Chromium:
    """A headless Chromium driven over the DevTools protocol on a pipe
    (``--remote-debugging-pipe``: messages are JSON, each ended by a NUL
    byte, written to the browser's fd 3 and read from its fd 4), so no port
    is opened and no client library is needed.

    Use it as a context manager; :meth:`open` loads a page in a new tab."""

    def __init__(self, executable: str | None = None, *, timeout: float = 60.0) -> None:
        self.executable = executable or find_chromium()
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="apportion-chromium-")
        self._stderr = open(os.path.join(self._profile, "stderr.log"), "w+b")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        args = ["--headless", "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}", "--no-first-run",
                "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--mute-audio",
                "--hide-scrollbars", "--font-render-hinting=none", "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(0, "--no-sandbox")  # Chromium refuses root otherwise
        # The browser's fds 3 and 4 are the pipes, given to it as stdin and
        # stdout and moved by the shell (Popen cannot place other fds).
        command = ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>&2',
                   self.executable, *args]
        try:
            # Its own process group, so that stopping it stops the helper
            # processes it starts too (they write into the profile).
            self._process = subprocess.Popen(command, stdin=to_browser_r,
                                             stdout=from_browser_w, stderr=self._stderr,
                                             start_new_session=True)
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)
        self._write = to_browser_w
        self._read = from_browser_r
        self._buffer = b""
        self._next_id = 0
        self._pages: dict[str, Page] = {}
        self._closed = False
        # A browser never closed (no with block, an interrupt) is still
        # stopped and its profile removed when this object goes.
        self._cleanup = weakref.finalize(self, _stop_browser, self._process,
                                         (to_browser_w, from_browser_r),
                                         self._stderr, self._profile)
        try:
            self.send("Browser.getVersion")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, what: str) -> ApportionError:
        self._stderr.flush()
        self._stderr.seek(0)
        lines = [line for line in self._stderr.read().decode("utf-8", "replace").splitlines()
                 if line.strip() and "dbus" not in line]
        tail = "; ".join(lines[-3:])
        return ApportionError(f"headless Chromium ({self.executable}) {what}"
                              + (f": {tail}" if tail else ""))

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._fail(f"did not answer within {self.timeout:g} s")
            ready, _, _ = select.select([self._read], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise self._fail("stopped")
            self._buffer += chunk
        text, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(text)
        return message

    def _dispatch(self, message: dict[str, Any]) -> None:
        page = self._pages.get(message.get("sessionId", ""))
        if page is not None and "method" in message:
            page._event(message["method"], message.get("params", {}))

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its result (events that arrive
        meanwhile go to their pages)."""
        if self._closed:
            raise ApportionError("headless Chromium is closed")
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise self._fail("stopped") from None
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == ident:
                if "error" in answer:
                    raise ApportionError(f"headless Chromium: {method} failed: "
                                         f"{answer['error'].get('message', answer['error'])}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self._dispatch(answer)

    def wait_for(self, page: Page, method: str) -> dict[str, Any]:
        """Read messages until ``page`` receives the event ``method``."""
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._message(deadline)
            self._dispatch(message)
            if message.get("sessionId") == page.session and message.get("method") == method:
                params: dict[str, Any] = message.get("params", {})
                return params

    def open(self, url: str, *, width: int = 1200, height: int = 1600) -> Page:
        """A new tab showing ``url``, loaded (its load event fired), with
        every request and console message it made recorded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Page", "Network", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False})
        result = page.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise ApportionError(f"headless Chromium could not open {url}: "
                                 f"{result['errorText']}")
        self.wait_for(page, "Page.loadEventFired")
        return page

    def close(self) -> None:
        """Close the browser and remove its temporary profile."""
        if self._closed:
            return
        try:
            if self._process.poll() is None:
                try:
                    os.write(self._write, json.dumps(
                        {"id": self._next_id + 1, "method": "Browser.close"}).encode() + b"\0")
                except OSError:
                    pass
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
        finally:
            self._closed = True
            self._cleanup()


def _stop_browser(process: subprocess.Popen[bytes], fds: tuple[int, ...],
                  log: Any, profile: str) -> None:
    # The browser's helper processes (renderer, zygote, crash handler) can
    # outlive it for a moment, still writing into the profile: stop its
    # whole process group (while the leader is unreaped, its id cannot be
    # anyone else's) before removing the folder.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # the group is gone already
    if process.poll() is None:
        process.kill()
    process.wait()
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    log.close()
    for _ in range(50):
        shutil.rmtree(profile, ignore_errors=True)
        if not os.path.exists(profile):
            break
        time.sleep(0.02)  # a file written while the folder was removed


class Page:
    """A tab of :class:`Chromium`: ``requests`` lists the URL of every
    request it made, ``errors`` every console error, uncaught exception
    and error logged by the browser for it."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session
        self.requests: list[str] = []
        self.errors: list[str] = []

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            self.errors.append("console: " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in args))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + str(
                details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"{entry.get('source')}: {entry.get('text')} "
                               f"{entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed":
            self.errors.append(f"network: {params.get('errorText')}")

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command to this tab."""
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise ApportionError(f"headless Chromium: {expression!r} raised "
                                 f"{result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def text(self) -> str:
        """The page's text as a reader sees it (``innerText``)."""
        return str(self.evaluate("document.body.innerText"))

    def screenshot(self, *, full_page: bool = True) -> bytes:
        """A PNG of the page: all of it, or the viewport."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.send("Page.captureScreenshot", params)["data"])

    def pdf(self, *, header: str = "<span></span>", footer: str = _FOOTER) -> bytes:
        """The page printed as the pack prints: the page size and margins of
        its CSS (@page: A4), backgrounds, ``header`` and ``footer``
        templates (Chromium's: elements of class pageNumber, totalPages,
        title, date are filled in) and the headings as bookmarks."""
        result = self.send("Page.printToPDF", {
            "printBackground": True,
            "preferCSSPageSize": True,
            "displayHeaderFooter": True,
            "headerTemplate": header,
            "footerTemplate": footer,
            "generateDocumentOutline": True,
            "generateTaggedPDF": True,
        })
        return base64.b64decode(result["data"])


# ---- the command line ----------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m apportion report``."""
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="plans, papers (MTFP, savings, outturn, contract "
                             "sum, disaggregation) and tables (JSON or CSV), "
                             "in the order the pack shows them")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="the folder to write pack.html, pack.pdf and "
                             "pack.xlsx into (made if missing)")
    parser.add_argument("--title", default="Committee pack",
                        help="the pack's title (default 'Committee pack')")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="which files to write, separated by commas "
                             f"(default {','.join(FORMATS)})")


def check(args: argparse.Namespace) -> None:
    """Check the options of ``python -m apportion report`` before any work:
    the formats are known and every file can be opened."""
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ApportionError(f"--formats: expected some of {', '.join(FORMATS)} "
                             f"separated by commas; found {args.formats!r}")
    for name in args.files:
        with open(name, "rb"):
            pass


def main(args: argparse.Namespace) -> int:
    """Run ``python -m apportion report``: write the pack, say what was
    written and how long each file took."""
    check(args)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    pack = Pack(args.files, title=args.title)
    written = pack.write(args.out, formats=formats)
    views = pack.views()
    findings = pack.findings()
    print(f"{pack.title}: {_count(len(views), 'paper')}, "
          f"{_findings_summary(findings)} ({written.seconds['views']:.2f} s to read)")
    for fmt, path in written.paths.items():
        print(f"  {path} ({written.seconds[fmt]:.2f} s)")
    sys.stdout.flush()
    return 0

