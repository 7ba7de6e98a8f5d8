"""Service areas from plugins.

Each service area (IASS, NCT, transformation blocks, or one a council or
supplier writes) is a shared library built against
``include/apportion/plugin.h`` and loaded at run time.  The plugins shipped
with apportion, those in the folders of ``APPORTION_PLUGIN_PATH``
(separated by ``os.pathsep``), and those installed distributions offer
through the ``apportion.plugins`` entry-point group load on first use;
:func:`load_plugin` loads one by path.  A plugin is never unloaded.

>>> area = service_area("IASS")
>>> area.recharge("quarterly", 21165400)
[5291400, 5291400, 5291400, 5291200]
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import re
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Union

import numpy as np
import numpy.typing as npt

from . import _core
from ._convert import Money
from ._convert import pence as _pence
from ._deprecate import keyword_only_after
from .calendar import Calendar, DateScalar, as_days
from .errors import InputError, PluginError, PluginWarning
from .kpi import KPI
from .measures import By, CalendarLike, _calendar, _group_keys, _ratio, _sorted
from .present.mixin import Presentable
from .present.model import View

if TYPE_CHECKING:
    import pandas as pd

    from .scorecard import Scorecard
    from .store import Store

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGIN_PATH_ENV",
    "PLUGIN_SUFFIX",
    "Calculator",
    "Finding",
    "Item",
    "Measure",
    "MeasureContext",
    "PluginInfo",
    "RuleContext",
    "ServiceArea",
    "load_plugin",
    "plugin_abi",
    "plugin_origin",
    "plugins",
    "service_area",
    "service_areas",
]

#: The environment variable naming extra plugin folders.
PLUGIN_PATH_ENV = "APPORTION_PLUGIN_PATH"
#: The entry-point group through which an installed distribution offers a
#: plugin: the entry point's name is the library's file name without its
#: suffix, its value the package (folder) holding the library.
ENTRY_POINT_GROUP = "apportion.plugins"


def _plugin_suffix(platform: str) -> str:
    if platform.startswith(("win32", "cygwin", "msys")):
        return ".dll"
    if platform == "darwin":
        return ".dylib"
    return ".so"


#: What a plugin file's name ends with on this platform: ``.so``, ``.dylib``
#: (macOS) or ``.dll`` (Windows).  (``sysconfig``'s ``SHLIB_SUFFIX`` is the
#: suffix of Python extensions, ``.so`` on macOS too, so it is not used.)
PLUGIN_SUFFIX = _plugin_suffix(sys.platform)

_NAT = np.iinfo(np.int64).min
_EPOCH = _dt.date(1970, 1, 1)
# Text shaped like an ISO date (YYYY-MM-DD), real or not.
_ISO_DATE = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*")

_lock = threading.RLock()
_discovered = False
_failures: list[tuple[str, str]] = []
_generation = 0  # bumped whenever the registry grows
# What register_measure and register_rule added to each area, by code and
# (kind, name), so that a pickled ServiceArea can take them with it.
_python_items: dict[str, dict[tuple[str, str], tuple[Any, ...]]] = {}

#: Case records: a DataFrame, or a mapping of column names to columns.
Records = Union["pd.DataFrame", Mapping[str, Any]]
#: A Python measure: ``func(records, ctx)`` -> (numerator, denominator), a
#: whole number each per record.
MeasureFunc = Callable[[dict[str, "npt.NDArray[np.int64]"], "MeasureContext"],
                       tuple["npt.ArrayLike", "npt.ArrayLike"]]
#: A Python recharge rule: ``func(budget_share, ctx)`` -> the instalments.
RuleFunc = Callable[[int, "RuleContext"], Iterable[int]]


def plugin_abi() -> tuple[int, int]:
    """The (major, minor) plugin ABI this apportion provides."""
    return _core.plugin_abi()


# ---- what is loaded -------------------------------------------------------


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin, as its info block declared it."""

    name: str
    version: str
    service_area: str
    description: str
    licence: str
    url: str | None
    path: str
    abi: tuple[int, int]
    warnings: tuple[str, ...] = ()

    @classmethod
    def _from_core(cls, d: _core._PluginDict) -> PluginInfo:
        return cls(d["name"], d["version"], d["service_area"], d["description"],
                   d["licence"], d["url"], d["path"], d["abi"],
                   tuple(d["warnings"]))


@dataclass(frozen=True)
class Item:
    """Something a service area offers: a rule, check or report section."""

    name: str
    description: str


@dataclass(frozen=True)
class Measure(Item):
    """A measure on case records: ``value = scale * numerator / denominator``
    per group, from the ``columns`` it reads."""

    columns: tuple[str, ...] = ()
    scale: int = 100


@dataclass(frozen=True)
class Calculator(Item):
    """A C function with a declared signature, such as ``date(date, int64)``."""

    signature: str = ""
    result: str = ""
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What a check found: ``severity`` is "info", "warning" or "error";
    ``field`` the path of the data it is about ("" for the whole)."""

    severity: str
    field: str
    message: str
    check: str = ""

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.severity}{where}: {self.message}"


@dataclass
class MeasureContext:
    """What a Python measure is given beside the records."""

    calendar: Calendar | None
    as_of: np.datetime64 | None
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class RuleContext:
    """What a Python recharge rule is given beside the budget share."""

    actual_share: int | None
    instalments: int
    billed: list[int]
    params: dict[str, object] = field(default_factory=dict)


# ---- finding and loading ----------------------------------------------------


def _package_folder() -> Path:
    return Path(__file__).resolve().parent / "_plugins"


def _candidates() -> list[tuple[Path, bool, str]]:
    """Plugin files in search order, each with whether to probe it and
    where it came from: the package's own (not probed: they are built and
    tested with apportion), then each entry of APPORTION_PLUGIN_PATH (a
    folder's plugin files in name order, or a file), then the entry points
    of the ``apportion.plugins`` group in name order; the last two probed."""
    found: list[tuple[Path, bool, str]] = []
    own = _package_folder()
    if own.is_dir():
        found += [(p, False, "shipped with apportion")
                  for p in sorted(own.glob(f"*{PLUGIN_SUFFIX}"))]
    for entry in os.environ.get(PLUGIN_PATH_ENV, "").split(os.pathsep):
        if not entry:
            continue
        p = Path(entry)
        origin = f"{PLUGIN_PATH_ENV} entry {entry}"
        if p.is_dir():
            found += [(q, True, origin) for q in sorted(p.glob(f"*{PLUGIN_SUFFIX}"))]
        elif p.is_file():
            found.append((p, True, origin))
        else:
            message = (f"{PLUGIN_PATH_ENV} names {entry!r}, which is neither "
                       f"a folder nor a file")
            _failures.append((entry, message))
            warnings.warn(message, PluginWarning, stacklevel=3)
    for path, origin, problem in _entry_point_candidates():
        if problem is None:
            found.append((Path(path), True, origin))
        else:
            _failures.append((str(path), problem))
            warnings.warn(problem, PluginWarning, stacklevel=3)
    return found


def _entry_point_candidates() -> list[tuple[Path | str, str, str | None]]:
    """(library, origin, None) for each entry point of the
    ``apportion.plugins`` group, or (what it names, origin, why it cannot
    be loaded).

    The library is found without importing anything of the distribution
    that offers it: the value names a package, which is looked up where
    Python would import it from (``importlib.util.find_spec``, which runs
    no code of the package, for its first part; the file system for the
    rest), and the library is ``<entry point name><PLUGIN_SUFFIX>`` in its
    folder.  So the only code of a third party that discovery runs is the
    plugin's C, after the same checks and probe as APPORTION_PLUGIN_PATH's
    plugins; a broken or slow package cannot break or slow every use of
    apportion."""
    from importlib.metadata import entry_points

    found: list[tuple[Path | str, str, str | None]] = []
    points = sorted(entry_points(group=ENTRY_POINT_GROUP),
                    key=lambda ep: (ep.name, ep.value))
    for ep in points:
        dist = ep.dist
        if dist is not None:
            origin = (f"entry point {ep.name} of {dist.metadata['Name']} "
                      f"{dist.version}")
        else:  # pragma: no cover - importlib.metadata always sets it
            origin = f"entry point {ep.name}"
        try:
            found.append((_entry_point_library(ep.name, ep.value), origin, None))
        except PluginError as e:
            found.append((ep.value, origin, f"{origin} ({ENTRY_POINT_GROUP} = "
                                            f"{ep.value!r}): {e}"))
    return found


def _entry_point_library(name: str, value: str) -> Path:
    """The plugin file an entry point names: ``name`` + PLUGIN_SUFFIX in
    the folder of the package ``value``, found without importing it."""
    import importlib.machinery
    import importlib.util
    import re

    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}", name) or ".." in name:
        raise PluginError(f"the entry point's name {name!r} cannot be a "
                          f"plugin file's name: use the plugin's name")
    module = value.strip()
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
        raise PluginError("the value must be the name of the package that "
                          "holds the plugin file, such as 'apportion_myplugin' "
                          "(no ':attribute': apportion does not import it)")
    parts = module.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
        for part in parts[1:]:
            # importlib.util.find_spec("a.b") would import a: look in a's
            # folders instead.
            locations = spec.submodule_search_locations if spec else None
            spec = (importlib.machinery.PathFinder.find_spec(part, list(locations))
                    if locations is not None else None)
    except (ImportError, ValueError) as e:
        raise PluginError(f"the package {module} cannot be found: {e}") from None
    if spec is None:
        raise PluginError(f"the package {module} is not installed")
    if spec.submodule_search_locations is not None:
        folders = [Path(p) for p in spec.submodule_search_locations]
    elif spec.origin is not None and spec.has_location:
        folders = [Path(spec.origin).parent]
    else:
        raise PluginError(f"the package {module} has no folder to hold a "
                          f"plugin file")
    for folder in folders:
        library = folder / f"{name}{PLUGIN_SUFFIX}"
        if library.is_file():
            return library
    where = " or ".join(str(f / f"{name}{PLUGIN_SUFFIX}") for f in folders)
    raise PluginError(f"there is no plugin file {where} (was the distribution "
                      f"built for another platform?)")


#: Where each plugin file discovery loaded came from, by real path.
_origins: dict[str, str] = {}


def plugin_origin(plugin: PluginInfo | str | os.PathLike[str]) -> str:
    """Where a loaded plugin came from: "shipped with apportion",
    "APPORTION_PLUGIN_PATH entry FOLDER", "entry point NAME of DISTRIBUTION
    VERSION" (an installed distribution's ``apportion.plugins`` entry
    point), or "load_plugin" (loaded by path).  ``plugin`` is what
    :func:`plugins` lists, or the plugin file's path."""
    path = plugin.path if isinstance(plugin, PluginInfo) else os.fspath(plugin)
    _discover()
    return _origins.get(os.path.realpath(path), "load_plugin")


#: Whether this platform can probe a plugin in a child process first (the
#: core's probe forks; Windows has no fork, and the core refuses there).
PROBE_AVAILABLE = sys.platform != "win32"


def _discover(probe: bool | None = None) -> None:
    """Loads the candidates once.  probe None probes those of
    APPORTION_PLUGIN_PATH and the entry points only, where the platform
    can (:data:`PROBE_AVAILABLE`); True or False every one or none."""
    global _discovered
    with _lock:
        if _discovered:
            return
        _discovered = True
        for path, third_party, origin in _candidates():
            # Whatever goes wrong with one plugin is a warning: the others
            # still load, and the registry stays as it was.
            # A file in site-packages is named with the entry point that
            # offered it.
            offered = f" (offered by {origin})" if origin.startswith("entry") else ""
            try:
                wanted = third_party and PROBE_AVAILABLE if probe is None else probe
                info = _load(path, wanted)
            except PluginError as e:
                _warn_failure(str(path), f"{e}{offered}")
            except Exception as e:
                _warn_failure(str(path), f"plugin {path} could not be "
                                         f"loaded: {type(e).__name__}: {e}{offered}")
            else:
                _origins.setdefault(os.path.realpath(info.path), origin)


def _warn_failure(path: str, message: str) -> None:
    _failures.append((path, message))
    warnings.warn(message, PluginWarning, stacklevel=4)


def _load(path: str | os.PathLike[str], probe: bool = False) -> PluginInfo:
    global _generation
    d, already = _core.plugin_load(os.path.abspath(os.fspath(path)), probe=probe)
    info = PluginInfo._from_core(d)
    if not already:
        _generation += 1
        for w in info.warnings:
            warnings.warn(f"plugin {info.name} ({info.path}): {w}",
                          PluginWarning, stacklevel=3)
    return info


def load_plugin(path: str | os.PathLike[str], *, probe: bool = False) -> PluginInfo:
    """Loads the plugin at ``path`` (a ``.so``, ``.dylib`` or ``.dll``
    file: :data:`PLUGIN_SUFFIX`) and returns what it
    declared.  Loading a file already loaded returns the first load.

    Before anything of the file runs, the host checks its bytes: an ELF
    shared library for this machine, whole (a truncated file is refused),
    its tables in range and its two entry points exported.  With ``probe``
    true the plugin is first loaded and initialised in a child process, and
    refused, naming the signal, if that process dies ("the plugin crashed
    the probe process with SIGSEGV"); only then is it loaded here.  The
    probe needs a child process made by fork: on Windows
    (:data:`PROBE_AVAILABLE` false) it is refused with a PluginError
    saying so, and discovery loads third parties' plugins unprobed.

    Raises :class:`~apportion.PluginError` naming the file and what was
    wrong; the registry is then as it was."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path, not {type(path).__name__}")
    if not isinstance(probe, bool):
        raise TypeError(f"probe must be a bool, not {type(probe).__name__}")
    if os.fspath(path) == "":
        raise PluginError("no plugin path given: load_plugin needs the path "
                          f"of a plugin file (a {PLUGIN_SUFFIX})")
    with _lock:
        _discover()
        return _load(path, probe)


def plugins() -> list[PluginInfo]:
    """Every loaded plugin, in load order (the package's own, those of
    APPORTION_PLUGIN_PATH and those of the ``apportion.plugins`` entry
    points are loaded first); :func:`plugin_origin` says where each came
    from."""
    _discover()
    return [PluginInfo._from_core(d) for d in _core.plugin_list()]


def load_failures() -> list[tuple[str, str]]:
    """(path, message) of each plugin found on the search path that did not
    load."""
    _discover()
    return list(_failures)


def service_area(code: str) -> ServiceArea:
    """The loaded service area with this code, such as "IASS"."""
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, not {type(code).__name__}")
    _discover()
    if _core.area_info(code) is None:
        loaded = ", ".join(p.service_area for p in plugins()) or "none"
        message = f"no service area {code!r} is loaded (loaded: {loaded})"
        if _failures:
            message += "; these plugins failed to load: " + "; ".join(
                m for _, m in _failures)
        raise PluginError(message)
    return ServiceArea(code)


def service_areas() -> dict[str, ServiceArea]:
    """Every loaded service area, by code."""
    return {p.service_area: ServiceArea(p.service_area) for p in plugins()}


# ---- converting values ------------------------------------------------------


def _day(value: object, what: str) -> int:
    d = as_days(value, what)
    if not d.scalar:
        raise InputError(f"{what} must be one date, not {d.days.shape[0]}")
    return int(d.days[0])


def _date_value(days: int) -> _dt.date | None:
    return None if days == _NAT else _EPOCH + _dt.timedelta(days=days)


def _typed(value: object, kind: str, what: str) -> int | float | str:
    """A Python value as the C type a calculator declared."""
    if type(value) is int and kind in ("int64", "money"):
        return value  # the common case, without the general conversions
    if kind == "int64":
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{what} must be an int, not {type(value).__name__}")
        return int(value)
    if kind == "double":
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating, Decimal, Fraction)):
            raise TypeError(f"{what} must be a number, not {type(value).__name__}")
        return float(value)
    if kind == "money":
        return _pence(value, what)
    if kind == "date":
        return _day(value, what)
    if kind == "string":
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a str, not {type(value).__name__}")
        if "\0" in value:
            raise InputError(f"{what} holds a NUL character")
        return value
    raise InputError(f"{what} has an unknown type {kind!r}")


def _from_typed(kind: str, value: Any) -> object:
    if kind == "date":
        return _date_value(value)
    return value


def _fields(data: Mapping[str, object] | None, prefix: str = ""
            ) -> list[tuple[str, str, Any]]:
    """Nested data flattened to (path, type, value): Decimal and Fraction
    are money (pounds), int int64, float double, str string and dates date;
    None is left out."""
    out: list[tuple[str, str, Any]] = []

    def walk(value: object, path: str) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                if not isinstance(k, str) or not k or any(c in k for c in ".[]\0"):
                    raise InputError(f"data key {k!r} at {path or 'the top'} "
                                     f"must be a non-empty str without '.', "
                                     f"'[', ']'")
                walk(v, f"{path}.{k}" if path else k)
            return
        if isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
            return
        if not path:
            raise TypeError("data must be a mapping of names to values")
        if isinstance(value, (bool, np.bool_)):
            out.append((path, "int64", int(value)))
        elif isinstance(value, (int, np.integer)):
            out.append((path, "int64", int(value)))
        elif isinstance(value, (float, np.floating)):
            out.append((path, "double", float(value)))
        elif isinstance(value, (Decimal, Fraction)):
            out.append((path, "money", _pence(value, path)))
        elif isinstance(value, str):
            if "\0" in value:
                raise InputError(f"{path} holds a NUL character")
            out.append((path, "string", value))
        elif isinstance(value, (_dt.date, np.datetime64)):  # pandas Timestamps too
            out.append((path, "date", _day(value, path)))
        else:
            raise TypeError(f"{path}: a {type(value).__name__} cannot be "
                            f"passed to a plugin (money is a Decimal or text, "
                            f"counts are int, dates are dates)")

    walk({} if data is None else data, prefix)
    return out


def _column(values: object, name: str, n: int | None) -> npt.NDArray[np.int64]:
    """A records column as int64: dates as days since 1970-01-01 (NaT
    kept), integers and flags as they are, other values numbered (missing
    values as -1)."""
    import pandas as pd
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M":
            arr = as_days(values, name).days
        else:
            arr = values.to_numpy()
    else:
        arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(f"column {name!r} must be one-dimensional, not of "
                         f"shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise InputError(f"column {name!r} has {arr.shape[0]} rows; the "
                         f"records have {n}")
    kind = arr.dtype.kind
    if kind == "M":
        return as_days(arr, name).days
    if kind == "b":
        return arr.astype(np.int64)
    if kind in "iu":
        if kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
            raise InputError(f"column {name!r} holds values beyond 64 bits")
        return np.ascontiguousarray(arr, dtype=np.int64)
    if kind == "f":
        if np.isnan(arr).any() or (arr != np.floor(arr)).any():
            raise InputError(f"column {name!r} holds numbers that are not "
                             f"whole; measures read whole numbers, dates and "
                             f"codes")
        return arr.astype(np.int64)
    # Dates given as objects or ISO text, else categories to number.
    present = [v for v in arr if not (v is None or (isinstance(v, float) and v != v)
                                      or v is pd.NaT)]
    if present and all(isinstance(v, (_dt.date, np.datetime64, pd.Timestamp))
                       for v in present):
        return as_days(arr, name).days
    if present and all(isinstance(v, str) for v in present):
        try:
            return as_days(arr, name).days
        except (InputError, ValueError):
            # A column with ISO dates in it holds dates: one that is not a
            # date is an error, never numbered as a category (which made
            # "yesterday" the date 1970-01-01).
            if any(_ISO_DATE.fullmatch(v) for v in present):
                raise
    codes, _ = pd.factorize(arr, use_na_sentinel=True)
    return codes.astype(np.int64, copy=False)


def _records_length(records: object) -> int:
    import pandas as pd
    if isinstance(records, pd.DataFrame):
        return len(records)
    if isinstance(records, Mapping):
        lengths = {len(v) for v in records.values()}
        if len(lengths) > 1:
            raise InputError(f"the record columns differ in length: "
                             f"{sorted(lengths)}")
        return lengths.pop() if lengths else 0
    raise TypeError(f"records must be a DataFrame or a mapping of columns, "
                    f"not {type(records).__name__}")


# ---- Python callables behind the closures ------------------------------------


def _integer_result(values: npt.ArrayLike, n: int, what: str) -> npt.NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InputError(f"{what} must have one value per record ({n}), not "
                         f"shape {arr.shape}")
    if arr.dtype.kind == "b":
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise InputError(f"{what} must be whole numbers (counts), not "
                         f"{arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _run_python_measure(func: MeasureFunc, names: tuple[str, ...],
                        columns: tuple[memoryview, ...], start: int, stop: int,
                        num_view: memoryview, den_view: memoryview,
                        calendar: Calendar | None, as_of: int | None,
                        params: dict[str, object]) -> None:
    """Called by the measure closure: the records as read-only int64 views,
    the results written into the host's arrays."""
    records: dict[str, npt.NDArray[np.int64]] = {}
    try:
        for name, view in zip(names, columns):
            records[name] = np.frombuffer(view, dtype=np.int64)
        n = records[names[0]].shape[0] if names else stop
        ctx = MeasureContext(calendar, None if as_of is None
                             else np.datetime64(int(as_of), "D"), params)
        before = _references(records)
        result = func(records, ctx)
        if not isinstance(result, tuple) or len(result) != 2:
            raise InputError(f"a measure returns (numerator, denominator), "
                             f"not {type(result).__name__}")
        num = _integer_result(result[0], n, "the numerator")[start:stop]
        den = _integer_result(result[1], n, "the denominator")[start:stop]
        del result
        out = np.frombuffer(num_view, dtype=np.int64)
        out[:] = num
        out = np.frombuffer(den_view, dtype=np.int64)
        out[:] = den
        del out, num, den
        # The arrays view memory the host frees after the call; a measure
        # that kept one (or a slice of one) would read freed memory later.
        if _references(records) != before:
            raise PluginError(f"a Python measure kept a view of its "
                              f"records after it returned ({func!r}); copy "
                              f"what it keeps, e.g. np.array(records[name])")
    except BaseException as e:
        # The traceback's frames hold views of host memory; let them go.
        traceback.clear_frames(e.__traceback__)
        raise
    finally:
        records.clear()


def _references(records: dict[str, npt.NDArray[np.int64]]) -> tuple[int, tuple[int, ...]]:
    """How many references there are to the records dict and each array."""
    return (sys.getrefcount(records),
            tuple(sys.getrefcount(records[k]) for k in records))


def _run_python_rule(func: RuleFunc, budget: int, actual: int | None, n: int,
                     billed: Sequence[int], params: dict[str, object],
                     out_view: memoryview) -> None:
    """Called by the rule closure."""
    try:
        ctx = RuleContext(actual, n, list(billed), params)
        result = [int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                  else _not_int(v) for v in func(budget, ctx)]
        if len(result) != n:
            raise InputError(f"a recharge rule returns {n} instalments, not "
                             f"{len(result)}")
        out = np.frombuffer(out_view, dtype=np.int64)
        out[:] = result
        del out
    except BaseException as e:
        traceback.clear_frames(e.__traceback__)
        raise


def _not_int(v: object) -> NoReturn:
    raise InputError(f"instalments are int pence, not {type(v).__name__}")


# ---- a service area ------------------------------------------------------------


class ServiceArea(Presentable):
    """A service area a plugin brought: its KPIs and what it can compute.

    A service area pickles by reference, for workers such as Dask's: it is
    looked up again by its code where it is unpickled, so its plugin must
    be installed there too (shipped with apportion, in a folder of
    ``APPORTION_PLUGIN_PATH``, or at the same path it was loaded from with
    :func:`load_plugin`, which is then loaded).  The measures and rules
    registered on it from Python travel with it and are registered there
    unless the area has them already: a module-level function by its name
    (so its module must be importable there too), any other (a lambda, a
    closure) by value with cloudpickle, which must then be installed on
    both sides.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        self._cache: tuple[int, _core._AreaInfo] | None = None

    def __repr__(self) -> str:
        info = self._info()
        items = ", ".join(f"{len(v)} {k}s" for k, v in info["items"].items() if v)
        return (f"<ServiceArea {self.code} from {info['plugin']['name']} "
                f"{info['plugin']['version']}: {len(info['kpis'])} KPIs"
                f"{', ' + items if items else ''}>")

    def __reduce__(self) -> tuple[Callable[..., ServiceArea],
                                  tuple[str, str, tuple[Any, ...]]]:
        registered = list(_python_items.get(self.code, {}).items())  # a snapshot
        items = tuple(
            ((kind, name), (_portable(spec[0], f"the Python {kind} {name!r} of "
                                                f"service area {self.code}"),
                            *spec[1:]))
            for (kind, name), spec in registered)
        return (_unpickle_area, (self.code, self.plugin.path, items))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServiceArea) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("ServiceArea", self.code))

    def _info(self) -> _core._AreaInfo:
        cached = self._cache
        if cached is None or cached[0] != _generation:
            info = _core.area_info(self.code)
            if info is None:  # pragma: no cover - areas are never unloaded
                raise PluginError(f"no service area {self.code!r} is loaded")
            cached = (_generation, info)
            self._cache = cached
        return cached[1]

    @property
    def plugin(self) -> PluginInfo:
        return PluginInfo._from_core(self._info()["plugin"])

    @property
    def description(self) -> str:
        return self._info()["plugin"]["description"]

    @property
    def kpis(self) -> dict[str, KPI]:
        """The area's KPIs by ref (each with ``measure``, the name of the
        measure that computes it, or None)."""
        return {d["ref"]: KPI._from_definition(d) for d in self._info()["kpis"]}

    def _items(self, kind: str) -> list[dict[str, Any]]:
        return self._info()["items"][kind]

    @property
    def measures(self) -> dict[str, Measure]:
        return {d["name"]: Measure(d["name"], d["description"],
                                   tuple(c.strip() for c in d["detail"].split(",")),
                                   d["scale"])
                for d in self._items("measure")}

    @property
    def rules(self) -> dict[str, Item]:
        return {d["name"]: Item(d["name"], d["description"])
                for d in self._items("rule")}

    @property
    def checks(self) -> dict[str, Item]:
        return {d["name"]: Item(d["name"], d["description"])
                for d in self._items("check")}

    @property
    def sections(self) -> dict[str, Item]:
        return {d["name"]: Item(d["name"], d["description"])
                for d in self._items("section")}

    @property
    def calculators(self) -> dict[str, Calculator]:
        return {d["name"]: Calculator(d["name"], d["description"], d["signature"],
                                      d["result"], tuple(d["args"]))
                for d in self._items("calculator")}

    def _named(self, kind: str, name: str) -> dict[str, Any]:
        if not isinstance(name, str):
            raise TypeError(f"the {kind} name must be a str, not "
                            f"{type(name).__name__}")
        for d in self._items(kind):
            if d["name"] == name:
                return d
        have = ", ".join(d["name"] for d in self._items(kind)) or "none"
        raise InputError(f"service area {self.code} has no {kind} {name!r} "
                         f"(it has: {have})")

    # ---- on a page ----

    def view(self) -> View:
        """The service area on a page: its plugin, its KPIs (each with its
        target, how it is judged and the measure that computes it) and
        what else it offers (measures, rules, checks, report sections,
        calculators)."""
        from .kpi import _judged
        from .present.model import Column, Row, Table
        p = self.plugin
        source = f"the plugin {p.name} {p.version} ({p.path})"
        kpis = Table(f"{self.code}: KPIs", (
            Column("ref", "KPI", role="label"),
            Column("description", "Description"),
            Column("unit", "Unit"),
            Column("judged", "Judged by"),
            Column("measure", "Measure")), tuple(
            Row((k.ref, k.description or None, k.unit, _judged(k),
                 k.measure)) for k in self.kpis.values()),
            source=source, name=f"{self.code} KPIs"[:31])
        rows = []
        for kind, items in (("measure", self.measures), ("rule", self.rules),
                            ("check", self.checks), ("section", self.sections),
                            ("calculator", self.calculators)):
            for item in items.values():
                detail = item.description
                if isinstance(item, Measure):
                    detail += f" (reads {', '.join(item.columns)}; scale {item.scale})"
                elif isinstance(item, Calculator):
                    detail += f" ({item.signature})"
                rows.append(Row((kind, item.name, detail.strip() or None)))
        offers = Table(f"{self.code}: what it offers", (
            Column("kind", "Kind"), Column("name", "Name", role="label"),
            Column("description", "Description")), tuple(rows),
            source=source, name=f"{self.code} items"[:31])
        paragraphs = (f"{p.description}" if p.description else self.code,
                      f"Plugin {p.name} {p.version} (ABI {p.abi[0]}.{p.abi[1]}, "
                      f"{p.licence}) from {p.path}.")
        return View(f"Service area {self.code}", paragraphs,
                    tables=tuple(t for t in (kpis, offers) if t.rows),
                    source=p.path)

    # ---- calculators ----

    def call(self, name: str, *args: object) -> object:
        """Calls a calculator by name through libffi, converting each
        argument to its declared type: money from int pence, Decimal pounds
        or text ("£1,234"); dates from a date, ISO text or datetime64."""
        calc = self._named("calculator", name)
        if len(args) != len(calc["args"]):
            raise InputError(f"{self.code}.{name} takes {len(calc['args'])} "
                             f"argument(s) ({calc['signature']}), not {len(args)}")
        values = [_typed(v, kind, f"argument {i + 1} of {self.code}.{name}")
                  for i, (v, kind) in enumerate(zip(args, calc["args"]))]
        kind, value = _core.area_call(self.code, name, values)
        return _from_typed(kind, value)

    # ---- measures and scoring ----

    @keyword_only_after(4)
    def measure(self, name: str, records: Records, by: By | str = None, *,
                calendar: CalendarLike = "england-and-wales",
                as_of: DateScalar = None,
                params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Runs a measure on case records, grouped by ``by``.

        ``records`` is a DataFrame or a mapping of columns; the measure's
        columns are read from it (dates become days, other text is
        numbered).  ``by`` is a column name, one key per record, or a list
        of either.  Returns a DataFrame indexed by group with rows,
        numerator, denominator and value (``scale * numerator /
        denominator``; NaN with no denominator).
        """
        import pandas as pd
        m = self._named("measure", name)
        n = _records_length(records)
        columns = tuple(c.strip() for c in m["detail"].split(","))
        arrays = []
        for c in columns:
            if c not in records:
                have = ", ".join(map(str, records.keys())) if hasattr(records, "keys") \
                    else ""
                raise InputError(f"{self.code}.{name} reads column {c!r}, which "
                                 f"the records do not have (they have: {have})")
            arrays.append(_column(records[c], c, n))
        keys, decode = _group_keys(self._by(records, by), n)
        cal = _calendar(calendar)
        as_of_day = _NAT if as_of is None else _day(as_of, "as_of")
        raw, scale = _core.area_measure(self.code, name, columns, arrays, keys,
                                        cal._cal, as_of_day,
                                        _fields(params), cal)
        rows = np.frombuffer(raw, dtype=np.int64).reshape(-1, 4)
        frame = pd.DataFrame({"rows": rows[:, 1], "numerator": rows[:, 2],
                              "denominator": rows[:, 3]})
        frame.index = decode(rows[:, 0])
        frame = _sorted(frame)
        if by is None and len(frame) == 0:
            frame = pd.DataFrame({"rows": [0], "numerator": [0], "denominator": [0]},
                                 index=pd.Index(["all"]))
        frame["value"] = _ratio(frame["numerator"], frame["denominator"], scale)
        frame.attrs["scale"] = int(scale)
        frame.attrs["measure"] = f"{self.code}.{name}"
        return frame

    @staticmethod
    def _by(records: Records, by: By | str) -> By:
        if by is None:
            return None
        if isinstance(by, str):
            return records[by]
        if isinstance(by, (list, tuple)) and all(isinstance(b, str) for b in by):
            return [records[b] for b in by]
        return by

    @keyword_only_after(4)
    def score(self, ref: str, records: Records, by: By | str = None, *,
              calendar: CalendarLike = "england-and-wales",
              as_of: DateScalar = None, params: Mapping[str, object] | None = None,
              compare: str = "previous", title: str = "",
              store: Store | None = None) -> Scorecard:
        """Scores a KPI of the area from case records: runs the measure the
        KPI names and rates each group exactly against its bands.  ``by`` is
        a period column, or (group, period) columns.  Returns a
        :class:`~apportion.Scorecard`.  With ``store`` (an
        :class:`apportion.store.Store`) the results are recorded there and
        the stored earlier periods count for direction of travel and
        escalation (see :func:`apportion.scorecard`)."""
        from .scorecard import Scorecard
        kpis = self.kpis
        if ref not in kpis:
            raise InputError(f"service area {self.code} has no KPI {ref!r} "
                             f"(it has: {', '.join(kpis) or 'none'})")
        kpi = kpis[ref]
        if kpi.measure is None:
            raise InputError(f"KPI {ref} names no measure; score it from "
                             f"values with apportion.scorecard")
        frame = self.measure(kpi.measure, records, by=by, calendar=calendar,
                             as_of=as_of, params=params)
        card: Scorecard = Scorecard.from_measure(
            kpi, frame, compare=compare, title=title or f"{self.code} {ref}",
            scale=frame.attrs["scale"], store=store)
        return card

    # ---- recharges, checks and reports ----

    @keyword_only_after(4)
    def recharge(self, rule: str, budget_share: Money, instalments: int = 4, *,
                 actual_share: Money | None = None, billed: Sequence[Money] = (),
                 params: Mapping[str, object] | None = None) -> list[int]:
        """Instalments (int pence) of a recharge by one of the area's rules;
        they always sum to the actual share when given, else the budget
        share.  Amounts are int pence, Decimal pounds or money text."""
        if isinstance(instalments, bool) or not isinstance(instalments, (int, np.integer)):
            raise TypeError("instalments must be an int")
        return _core.area_recharge(
            self.code, rule, _pence(budget_share, "budget_share"),
            None if actual_share is None else _pence(actual_share, "actual_share"),
            int(instalments), [_pence(b, "billed") for b in billed],
            _fields(params))

    def check(self, name: str | None = None,
              data: Mapping[str, object] | None = None) -> list[Finding]:
        """Runs one check (or, with ``name`` None, every check) on data: a
        mapping of names to values, lists and mappings, flattened to paths
        such as ``business_cases[2].funding``.  Money is given as text
        ("£1,234", "(3,540)") or Decimal pounds."""
        names = [name] if name is not None else [d["name"] for d in self._items("check")]
        flat = _fields(data)
        found: list[Finding] = []
        for n in names:
            found += [Finding(sev, fld, msg, n)
                      for sev, fld, msg in _core.area_check(self.code, n, flat)]
        return found

    def report(self, section: str, data: Mapping[str, object] | None = None) -> str:
        """A report section as Markdown."""
        return _core.area_section(self.code, section, _fields(data))

    # ---- Python items ----

    @keyword_only_after(4)
    def register_measure(self, name: str, func: MeasureFunc, columns: str | Sequence[str],
                         *, scale: int = 100, description: str = "") -> None:
        """Registers a Python function as a measure of this area.

        ``func(records, ctx)`` receives the records as a dict of read-only
        int64 arrays (dates as days since 1970-01-01: view them as
        ``datetime64[D]``) and a :class:`MeasureContext`, and returns
        (numerator, denominator), one whole number each per record.  It
        runs through the same C path as a plugin's measure, by way of a
        libffi closure; an exception it raises reaches the caller.  The
        arrays are valid only during the call."""
        global _generation
        if isinstance(columns, str):
            columns = [columns]
        cols = [str(c) for c in columns]
        _core.add_measure(self.code, name, description, ",".join(cols),
                          int(scale), func, _run_python_measure)
        _python_items.setdefault(self.code, {})[("measure", name)] = (
            func, tuple(cols), int(scale), description)
        _generation += 1

    @keyword_only_after(3)
    def register_rule(self, name: str, func: RuleFunc, *, description: str = "") -> None:
        """Registers a Python function as a recharge rule of this area:
        ``func(budget_share, ctx)`` returns the instalments (int pence);
        ``ctx`` is a :class:`RuleContext`.  The host checks that they sum
        to the share."""
        global _generation
        _core.add_rule(self.code, name, description, func, _run_python_rule)
        _python_items.setdefault(self.code, {})[("rule", name)] = (func, description)
        _generation += 1


class _ByValue:
    """A function that pickle cannot send by name (a lambda, a closure), as
    cloudpickle's bytes of it; loaded only where it is registered."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce__(self) -> tuple[type[_ByValue], tuple[bytes]]:
        return (_ByValue, (self.data,))


def _importable(func: object) -> bool:
    """True when pickle can send func by its module and name."""
    obj: object = sys.modules.get(getattr(func, "__module__", None) or "")
    for part in (getattr(func, "__qualname__", None) or "<>").split("."):
        obj = getattr(obj, part, None)
    return obj is func


def _portable(func: Callable[..., object], what: str) -> Callable[..., object] | _ByValue:
    """func itself when pickle can send it by name, else by value."""
    if _importable(func):
        return func
    try:
        import cloudpickle
    except ImportError:
        raise TypeError(f"{what} is {func!r}, which pickle can send only by "
                        f"name; register a module-level function, or install "
                        f"cloudpickle to send it by value") from None
    data: bytes = cloudpickle.dumps(func)
    return _ByValue(data)


def _unpickle_area(code: str, path: str,
                   python_items: Iterable[tuple[tuple[str, str], tuple[Any, ...]]] = ()
                   ) -> ServiceArea:
    """A pickled ServiceArea where it is unpickled: the area of that code,
    its plugin loaded from ``path`` when nothing here has brought it, and
    the Python measures and rules registered on it that it lacks here."""
    with _lock:  # a worker's threads may unpickle the same area at once
        _discover()
        if _core.area_info(code) is None and os.path.isfile(path):
            load_plugin(path)
        try:
            area = service_area(code)
        except PluginError as e:
            raise PluginError(
                f"a pickled ServiceArea {code!r} cannot be restored: {e}. Its "
                f"plugin was loaded from {path} where it was pickled; install "
                f"that plugin here (in a folder of {PLUGIN_PATH_ENV}, or at "
                f"the same path)") from None
        for (kind, name), spec in python_items:
            if any(d["name"] == name for d in area._items(kind)):
                continue  # registered here already
            func, *rest = spec
            if isinstance(func, _ByValue):
                func = pickle.loads(func.data)
            if kind == "measure":
                columns, scale, description = rest
                area.register_measure(name, func, columns, scale=scale,
                                      description=description)
            else:
                (description,) = rest
                area.register_rule(name, func, description=description)
    return area
