"""Discovery through the `apportion.plugins` entry-point group, against
distributions laid out by hand in a folder on PYTHONPATH (a dist-info
folder with entry_points.txt, and the package holding the plugin file), in
a fresh interpreter each time (discovery runs once per process).

Every package here raises when imported: discovery must find the plugin
file without importing anything of the distribution that offers it.  A
wrong entry point is a PluginWarning naming it, its distribution and what
is wrong, and the others still load, as with APPORTION_PLUGIN_PATH.
(tests/test_plugin_wheel.py builds and installs a real plugin wheel.)
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from apportion.plugin import PLUGIN_SUFFIX

RAISES = 'raise RuntimeError("discovery imported " + __name__)\n'


def plugin_c(name, area, *, crash=False):
    """A plugin with no items; with crash, its init dies of SIGSEGV."""
    body = "raise(SIGSEGV);" if crash else ""
    return textwrap.dedent(f"""\
        #include <signal.h>
        #include "apportion/plugin.h"

        AP_PLUGIN_HOST_DECLARE(host);

        static const ap_plugin_info info = {{
            .size = sizeof(ap_plugin_info),
            .abi_major = AP_PLUGIN_ABI_MAJOR,
            .abi_minor = AP_PLUGIN_ABI_MINOR,
            .name = "{name}",
            .version = "1.0.0",
            .service_area = "{area}",
            .description = "A plugin offered through an entry point",
            .licence = "MIT",
            .url = NULL,
        }};

        static ap_status register_all(ap_registrar *reg, ap_error *err)
        {{
            (void)reg;
            (void)err;
            (void)host;
            {body}
            return AP_OK;
        }}

        AP_PLUGIN_DEFINE(info, register_all);
        """)


def distribution(site, name, version, entry_points):
    """A dist-info folder: the metadata importlib.metadata reads."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "".join(f"{k} = {v}\n" for k, v in entry_points)
    (info / "entry_points.txt").write_text(f"[apportion.plugins]\n{lines}")


def package(site, dotted):
    """The folder of a package (each level's __init__ raising if run)."""
    folder = site
    for part in dotted.split("."):
        folder = folder / part
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text(RAISES)
    return folder


SCRIPT = r"""
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import apportion
    import apportion.plugin as plugin
    listed = apportion.plugins()
    failures = plugin.load_failures()
print(json.dumps({
    "plugins": {p.name: [p.service_area, p.path, plugin.plugin_origin(p)]
                for p in listed},
    "warnings": [str(w.message) for w in caught
                 if w.category.__name__ == "PluginWarning"],
    "failures": failures,
    "imported": sorted(m for m in sys.modules if m.startswith("ep_")),
}))
"""


def discover(site, cwd, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("APPORTION_PLUGIN_PATH", "PYTHONPATH")}
    environ.update(PYTHONPATH=str(site), **env)
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True,
                       text=True, env=environ, cwd=cwd, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_entry_points_found_without_importing_their_packages(build, tmp_path):
    site = tmp_path / "site"
    site.mkdir(mode=0o755)
    top = build(plugin_c("ep_top", "EP_TOP"), "ep_top", folder=package(site, "ep_pkg"))
    deep = build(plugin_c("ep_deep", "EP_DEEP"), "ep_deep",
                 folder=package(site, "ep_outer.inner"))
    distribution(site, "apportion-ep-top", "1.2.3", [("ep_top", "ep_pkg")])
    distribution(site, "ep-deep", "2.0", [("ep_deep", "ep_outer.inner")])

    out = discover(site, tmp_path)
    assert out["warnings"] == [], out
    assert out["imported"] == [], out
    area, path, origin = out["plugins"]["ep_top"]
    assert (area, Path(path)) == ("EP_TOP", top.resolve())
    assert origin == "entry point ep_top of apportion-ep-top 1.2.3"
    area, path, origin = out["plugins"]["ep_deep"]
    assert (area, Path(path)) == ("EP_DEEP", deep.resolve())
    assert origin == "entry point ep_deep of ep-deep 2.0"
    assert out["plugins"]["iass"][2] == "shipped with apportion"


def test_wrong_entry_points_are_warnings_and_the_rest_load(build, tmp_path):
    site = tmp_path / "site"
    site.mkdir(mode=0o755)
    folder = package(site, "ep_pkg")
    good = build(plugin_c("ep_good", "EP_GOOD"), "ep_good", folder=folder)
    build(plugin_c("ep_crash", "EP_CRASH", crash=True), "ep_crash", folder=folder)
    distribution(site, "ep-broken", "0.1", [
        ("ep_absent", "ep_no_such_package"),   # not installed
        ("ep_attr", "ep_pkg:plugin_path"),     # names a function
        ("ep_nolib", "ep_pkg"),                # no ep_nolib.so there
        ("..", "ep_pkg"),                      # not a file name
        ("ep_crash", "ep_pkg"),                # crashes the probe
        ("ep_good", "ep_pkg"),
    ])

    out = discover(site, tmp_path)
    assert out["imported"] == [], out
    assert Path(out["plugins"]["ep_good"][1]) == good.resolve()
    assert "ep_crash" not in out["plugins"]
    warned = out["warnings"]
    assert len(warned) == 5, warned

    def warning(name):
        [message] = [m for m in warned if f"entry point {name} of ep-broken 0.1" in m]
        return message

    assert "the package ep_no_such_package is not installed" in warning("ep_absent")
    assert "no ':attribute'" in warning("ep_attr")
    assert f"there is no plugin file {site / 'ep_pkg' / ('ep_nolib' + PLUGIN_SUFFIX)}" \
        in warning("ep_nolib")
    assert "cannot be a plugin file's name" in warning("..")
    crashed = warning("ep_crash")
    assert f"ep_crash{PLUGIN_SUFFIX} is refused" in crashed
    assert "crashed the probe process with SIGSEGV" in crashed
    assert len(out["failures"]) == 5


def test_plugin_path_comes_before_entry_points(build, tmp_path):
    # The same plugin offered both ways: APPORTION_PLUGIN_PATH, the user's
    # own choice, loads first; the entry point's copy is then refused as a
    # second file of a plugin already loaded, with a warning naming it.
    site = tmp_path / "site"
    site.mkdir(mode=0o755)
    build(plugin_c("ep_twice", "EP_TWICE"), "ep_twice", folder=package(site, "ep_pkg"))
    distribution(site, "ep-twice", "1.0", [("ep_twice", "ep_pkg")])
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    local = build(plugin_c("ep_twice", "EP_TWICE"), "ep_twice", folder=mine)

    out = discover(site, tmp_path, APPORTION_PLUGIN_PATH=str(mine))
    area, path, origin = out["plugins"]["ep_twice"]
    assert (area, Path(path)) == ("EP_TWICE", local.resolve())
    assert origin == f"APPORTION_PLUGIN_PATH entry {mine}"
    [message] = out["warnings"]
    assert str(site / "ep_pkg" / f"ep_twice{PLUGIN_SUFFIX}") in message
