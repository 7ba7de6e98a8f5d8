"""A third party's plugin installs like any package: the folder `plugin new`
writes builds into a wheel of its own (pyproject.toml and setup.py, the C
compiled by this platform's compiler), which installs into a fresh venv
beside apportion's own wheel; there apportion finds the plugin through the
wheel's entry point in the `apportion.plugins` group, without importing
the plugin's package, and scores its KPI.

Nothing is fetched from the network: both wheels are built with
--no-build-isolation (this venv's setuptools and apportion), and installed
with --no-index --no-deps.  apportion's wheel is the one the sdist round
trip built when APPORTION_TEST_WHEEL names it (tools/sdist_roundtrip.sh),
else it is built here once per session from a copy of the source tree.
The fresh venv has only the two wheels in its site-packages; apportion's
dependencies (numpy, pandas) come from this interpreter's site-packages,
named in a .pth file after its own.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from apportion.plugin import ENTRY_POINT_GROUP, PLUGIN_SUFFIX

NAME, AREA = "wheelcheck", "WHEELCHECK"
PACKAGE = f"apportion_{NAME}"
ROOT = Path(__file__).resolve().parents[1]
# What building apportion's wheel reads from the source tree.
BUILD_INPUTS = ("setup.py", "pyproject.toml", "README.md", "LICENSE",
                "MANIFEST.in", "include", "csrc", "python", "plugins")


def clean_env(**extra):
    """The environment without anything that adds plugins or modules."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("APPORTION_PLUGIN_PATH", "PYTHONPATH", "PYTHONHOME")}
    env.update(extra)
    return env


def pip(*args, cwd):
    """This interpreter's pip; its output is shown when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check",
         "--no-input", *args], cwd=cwd, env=clean_env(PIP_NO_INDEX="1"),
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def only_wheel(folder):
    wheels = sorted(Path(folder).glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="session")
def apportion_wheel(tmp_path_factory):
    given = os.environ.get("APPORTION_TEST_WHEEL")
    if given:
        assert Path(given).is_file(), f"APPORTION_TEST_WHEEL={given} is not a file"
        return Path(given)
    work = tmp_path_factory.mktemp("apportion-wheel")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("*.so", "*.dylib", "*.dll", "*.o", "*.pyc",
                                    "__pycache__", "_plugins", "*.egg-info")
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir",
        str(work / "dist"), str(source), cwd=work)
    return only_wheel(work / "dist")


@pytest.fixture(scope="module")
def plugin_wheel(tmp_path_factory):
    """The wheel of a plugin `python -m apportion plugin new` made."""
    work = tmp_path_factory.mktemp("plugin-wheel")
    new = subprocess.run([sys.executable, "-m", "apportion", "plugin", "new",
                          NAME], cwd=work, env=clean_env(), capture_output=True,
                         text=True, timeout=120)
    assert new.returncode == 0, new.stderr
    folder = work / NAME
    assert (folder / "pyproject.toml").is_file()
    assert (folder / PACKAGE / "__init__.py").is_file()
    pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir",
        str(work / "dist"), str(folder), cwd=work)
    return only_wheel(work / "dist")


@pytest.fixture(scope="module")
def venv(tmp_path_factory, apportion_wheel, plugin_wheel):
    """A fresh venv with apportion's wheel and the plugin's installed."""
    where = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)],
                   check=True, timeout=300)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip("--python", str(python), "install", "--no-deps", "--no-compile",
        str(apportion_wheel), str(plugin_wheel), cwd=where)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    # numpy and pandas from here, after the venv's own site-packages (a
    # .pth file's folders come after the one it is in, and .pth files in
    # them are not read: this venv's editable apportion stays out).
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz_test_dependencies.pth").write_text(
        "".join(f"{p}\n" for p in sorted(ours)))
    return python, Path(site)


def test_the_plugin_wheel(plugin_wheel):
    # One wheel per platform, for every Python 3: the library does not use
    # Python.  Inside: the package with the library, and the entry point.
    tag = plugin_wheel.stem.split("-")[-3:]
    assert tag[:2] == ["py3", "none"] and tag[2] != "any", plugin_wheel.name
    with zipfile.ZipFile(plugin_wheel) as whl:
        names = whl.namelist()
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = whl.read(info).decode()
    assert f"{PACKAGE}/{NAME}{PLUGIN_SUFFIX}" in names
    assert f"{PACKAGE}/__init__.py" in names
    assert not [n for n in names if n.endswith((".c", ".h", ".o"))], names
    assert f"[{ENTRY_POINT_GROUP}]\n{NAME} = {PACKAGE}" in entry_points


SCRIPT = r"""
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import pandas as pd
    import apportion
    from apportion.plugin import plugin_origin
    listed = {p.name: p for p in apportion.plugins()}
    info = listed[NAME]
    imported = PACKAGE in sys.modules
    area = apportion.service_area(AREA)
    records = pd.DataFrame({
        "received": pd.to_datetime(["2024-03-04"] * 4),
        # 10, 10, 11 and 10 working days
        "answered": pd.to_datetime(["2024-03-18", "2024-03-18", "2024-03-19",
                                    "2024-03-18"]),
        "team": ["north", "north", "south", "south"],
    })
    card = area.score(AREA + "1", records, by="team")
    import importlib
    by_hand = str(importlib.import_module(PACKAGE).plugin_path())
print(json.dumps({
    "apportion": apportion.__file__,
    "path": info.path,
    "origin": plugin_origin(info),
    "others": sorted(plugin_origin(p) for n, p in listed.items() if n != NAME),
    "imported": imported,
    "rag": card.frame["rag"].tolist(),
    "by_hand": by_hand,
    "warnings": [str(w.message) for w in caught
                 if w.category.__name__ == "PluginWarning"],
}))
"""


def test_discovered_through_its_entry_point_and_scored(venv, tmp_path):
    python, site = venv
    script = f"NAME, AREA, PACKAGE = {NAME!r}, {AREA!r}, {PACKAGE!r}\n" + SCRIPT
    r = subprocess.run([str(python), "-c", script], cwd=tmp_path, env=clean_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    # apportion and the plugin both from the fresh venv's wheels.
    assert Path(out["apportion"]).resolve().is_relative_to(site.resolve()), out
    library = (site / PACKAGE / f"{NAME}{PLUGIN_SUFFIX}").resolve()
    assert Path(out["path"]) == library
    assert Path(out["by_hand"]) == library
    assert out["origin"] == f"entry point {NAME} of apportion-{NAME} 0.1.0"
    # Found without importing the plugin's package.
    assert out["imported"] is False
    assert out["others"] == ["shipped with apportion"] * 3
    assert out["rag"] == ["green", "red"]
    assert out["warnings"] == []


def test_plugin_list_says_where_it_came_from(venv, tmp_path):
    python, site = venv
    r = subprocess.run([str(python), "-m", "apportion", "plugin", "list"],
                       cwd=tmp_path, env=clean_env(), capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "service", "area", "version", "ABI",
                                "from", "path"]
    [line] = [row for row in lines if row.split()[0] == NAME]
    assert f"entry point {NAME} of apportion-{NAME} 0.1.0" in line
    assert line.endswith(str((site / PACKAGE / f"{NAME}{PLUGIN_SUFFIX}").resolve()))
    for area in ("iass", "nct", "transformation"):
        [row] = [row for row in lines if row.split()[0] == area]
        assert "shipped with apportion" in row
