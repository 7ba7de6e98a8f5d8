"""AP_PLUGIN_HOST_DECLARE and AP_PLUGIN_DEFINE (include/apportion/plugin.h):
the entry points every plugin used to write out, written by two macros.

The macros are the plugin's side only; the ABI is as it was.  So:
- a plugin using them compiles as C99, C11 and C++11 under every warning,
  and exports the two entry points and nothing else;
- a plugin written before them (today's template with its two entry
  points written out by hand, as every plugin wrote them before) still
  builds with -Werror, loads, and registers what the template registers;
- handed an older host, a plugin using them does what one with entry points
  written by hand did: one that declares ABI 1.0 loads in a 1.0 host and
  does without the 1.1 functions, one that declares 1.1 is refused;
- their own guard turns away a NULL host and a host of another major
  without reading its table.

An older host is made by a shim: a plugin whose entry points open the
plugin under test and hand its init the real host table saying it is ABI
1.0 and ends at text_append (the real functions still stand past that
size, so a plugin that looked past it would be seen calling them).
"""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import apportion
from apportion import PluginError, PluginWarning
from apportion.plugin import plugin_abi

INCLUDE = Path(apportion.get_include())
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "plugins" / "template" / "__NAME__.c"

CC = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or "cc"
# make deps installs g++ and binutils (nm) where they are missing.
CXX = shutil.which(os.environ.get("CXX", "g++")) or "g++"
NM = shutil.which("nm") or "nm"

# As setup.py builds apportion's own plugins: `plugin build`'s flags and
# -Werror.
FLAGS = ("-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
         "-fvisibility=hidden")
STRICT = ("-Wall", "-Wextra", "-pedantic", "-Werror")


def compile_plugin(source: str, library: Path, extra=()) -> Path:
    """Compiles source into library with FLAGS; fails the test with the
    compiler's output when it says anything at all."""
    src = library.with_suffix(".c")
    src.write_text(source)
    cmd = [CC, *FLAGS, f"-I{INCLUDE}", str(src), "-o", str(library), *extra]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "", \
        f"{' '.join(cmd)}:\n{r.stderr}"
    library.chmod(0o755)  # the loader refuses what others may write
    return library


def from_template(text: str, name: str) -> str:
    return text.replace("__NAME__", name).replace("__AREA__", name.upper())


def exported(library: Path) -> set:
    """The names library exports, less the toolchain's own (_init, ...)."""
    r = subprocess.run([NM, "-D", "--defined-only", str(library)],
                       capture_output=True, text=True, check=True)
    return {line.split()[-1] for line in r.stdout.splitlines()
            if line.strip() and not line.split()[-1].startswith("_")}


def status_code(name: str) -> int:
    """An ap_status's value: its place in error.h's AP_STATUS_MAP."""
    text = (INCLUDE / "apportion" / "error.h").read_text()
    codes = re.findall(r"^\s*X\((AP_\w+),", text, re.M)
    return codes.index(name)


def refused(path: Path, pattern: str, area: str) -> str:
    """Loading path raises a PluginError naming the file and matching
    pattern, and leaves the registry as it was."""
    before = apportion.plugins()
    with pytest.raises(PluginError) as e:
        apportion.load_plugin(path)
    assert apportion.plugins() == before
    assert area not in {p.service_area for p in apportion.plugins()}
    message = str(e.value)
    assert str(path) in message or os.path.realpath(path) in message, message
    assert re.search(pattern, message), message
    return message


# ---- compiling ---------------------------------------------------------------

MACRO_TU = r"""
#include <stddef.h>
#include "apportion/plugin.h"

AP_PLUGIN_HOST_DECLARE(host);

static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, "macro_probe",
                                    "1.0.0", "MACRO_PROBE", "a probe",
                                    "MIT", NULL};

static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    if (AP_HOST_HAS(host, warn))
        return host->warn(reg, "%s", "a host of 1.1");
    return host->error_set(err, AP_E_PLUGIN, "no warn");
}

AP_PLUGIN_DEFINE(info, register_all);

/* The entry points have the types the header names. */
ap_plugin_info_fn probe_info_fn(void);
ap_plugin_info_fn probe_info_fn(void) { return apportion_plugin_info; }
ap_plugin_init_fn probe_init_fn(void);
ap_plugin_init_fn probe_init_fn(void) { return apportion_plugin_init; }
"""

# The sizes the guard holds each minor's table to: 1.0 ends where 1.1's
# first function begins, and 1.1 is the whole table (a new minor adds its
# size, and the guard its case, and this probe then says so).
SIZES = r"""
typedef char probe_size_1_0[AP_HOST_SIZE_1_0 == offsetof(ap_host, warn)
                            ? 1 : -1];
typedef char probe_size_1_1[AP_HOST_SIZE_1_1 == sizeof(ap_host) ? 1 : -1];
"""


def compile_only(compiler, std, source, tmp_path, suffix=".c"):
    src = tmp_path / f"tu{suffix}"
    src.write_text(source)
    cmd = [compiler, f"-std={std}", *STRICT, "-Wmissing-prototypes"
           if suffix == ".c" else "-Wmissing-declarations", "-Wshadow",
           "-fsyntax-only", f"-I{INCLUDE}", str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == "", \
        f"{' '.join(cmd)}:\n{r.stderr}\n--- source ---\n{source}"


@pytest.mark.parametrize("std", ["c99", "c11"])
def test_macros_compile_as_c(std, tmp_path):
    compile_only(CC, std, MACRO_TU + SIZES, tmp_path)


def test_macros_compile_as_cxx11(tmp_path):
    # C++ gives the entry points C linkage through the macro itself.
    compile_only(CXX, "c++11", MACRO_TU + SIZES, tmp_path, suffix=".cpp")


def test_macros_need_their_semicolon(tmp_path):
    # Each macro ends in a declaration, so `MACRO;` is no stray ';' at file
    # scope (-pedantic), and a missing ';' is a compile error.
    without = MACRO_TU.replace("AP_PLUGIN_DEFINE(info, register_all);",
                               "AP_PLUGIN_DEFINE(info, register_all)")
    src = tmp_path / "nosemi.c"
    src.write_text(without)
    r = subprocess.run([CC, "-std=c11", "-fsyntax-only", f"-I{INCLUDE}",
                        str(src)], capture_output=True, text=True)
    assert r.returncode != 0


def test_a_plugin_using_the_macros_exports_the_two_entry_points(tmp_path):
    library = compile_plugin(MACRO_TU, tmp_path / "probe.so")
    assert exported(library) == {"apportion_plugin_info",
                                 "apportion_plugin_init"}


# ---- a plugin written before the macros -----------------------------------------


# The two entry points as a plugin wrote them before the macros: export
# both, keep the host, refuse a host without what the plugin calls, then
# register, passing a failure's message on through host->strdup.
ENTRY_POINTS_BY_HAND = r"""
AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return &info;
}

AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *h,
                                                 ap_registrar *reg,
                                                 char **error_message)
{
    ap_error err = {0};

    host = h;
    if (!AP_HOST_HAS(host, sla_rows)) {
        *error_message = host->strdup("this plugin needs host->sla_rows "
                                      "(plugin ABI 1.1): update apportion");
        return AP_E_PLUGIN;
    }
    if (register_all(reg, &err) != AP_OK) {
        *error_message = host->strdup(err.message);
        return err.status;
    }
    return AP_OK;
}
"""


def written_by_hand(template: str) -> str:
    """The template without the macros: its host variable declared and its
    entry points written out, as before AP_PLUGIN_DEFINE existed."""
    declare = "AP_PLUGIN_HOST_DECLARE(host);"
    define = "AP_PLUGIN_DEFINE(info, register_all);"
    assert template.count(declare) == 1 and template.count(define) == 1
    return (template.replace(declare, "static const ap_host *host;")
            .replace(define, ENTRY_POINTS_BY_HAND))


def test_the_hand_written_form_uses_no_macro():
    text = written_by_hand(TEMPLATE.read_text())
    code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    assert "AP_PLUGIN_DEFINE" not in code and "AP_PLUGIN_HOST_DECLARE" not in code
    assert "AP_PLUGIN_EXPORT ap_status apportion_plugin_init" in code
    assert "AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info" in code


def test_a_plugin_written_before_the_macros_builds_and_loads(tmp_path):
    old = compile_plugin(from_template(written_by_hand(TEMPLATE.read_text()), "hand_made"),
                         tmp_path / "hand_made.so")
    new = compile_plugin(from_template(TEMPLATE.read_text(), "macro_made"),
                         tmp_path / "macro_made.so")
    infos = [apportion.load_plugin(old), apportion.load_plugin(new)]
    assert [i.name for i in infos] == ["hand_made", "macro_made"]
    assert infos[0].abi == infos[1].abi == plugin_abi()
    areas = [apportion.service_area(i.service_area) for i in infos]

    # Each registers the same items, which work the same.
    def items(area):
        return (sorted(k.replace(area.code, "AREA") for k in area.kpis),
                sorted(area.measures), sorted(area.rules), sorted(area.checks),
                sorted(area.sections), sorted(area.calculators))

    assert items(areas[0]) == items(areas[1])
    assert items(areas[0])[0] == ["AREA1"]
    data = {"budget_share": "£211,654", "instalments": ["£52,914"] * 4}
    for area in areas:
        assert area.recharge("monthly", 1200, instalments=12) == [100] * 12
        assert [f.message for f in area.check("instalments_sum", data)] == [
            "the 4 instalments sum to £211,656.00, £2.00 more than the "
            "budget share of £211,654.00"]
        assert "| 4 | £52,914.00 |" in area.report("instalments", data)
    assert areas[0].call("due_date", "2024-03-27", 10) == \
        areas[1].call("due_date", "2024-03-27", 10)


# ---- an older host ----------------------------------------------------------------

SHIM = r"""
#include <dlfcn.h>
#include <string.h>

#include "apportion/plugin.h"

static ap_host older;
static ap_plugin_info_fn inner_info;
static ap_plugin_init_fn inner_init;

static int open_inner(void)
{
    void *lib, *info_sym, *init_sym;
    if (inner_info != NULL)
        return 1;
    if ((lib = dlopen(INNER, RTLD_NOW | RTLD_LOCAL)) == NULL ||
        (info_sym = dlsym(lib, AP_PLUGIN_INFO_SYMBOL)) == NULL ||
        (init_sym = dlsym(lib, AP_PLUGIN_INIT_SYMBOL)) == NULL)
        return 0;
    memcpy(&inner_info, &info_sym, sizeof inner_info);
    memcpy(&inner_init, &init_sym, sizeof inner_init);
    return 1;
}

AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return open_inner() ? inner_info() : NULL;
}

/* The host of ABI 1.0: the real table, cut at text_append. */
AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *host,
                                                 ap_registrar *reg,
                                                 char **error_message)
{
    older = *host;
    older.size = AP_HOST_SIZE_1_0;
    older.abi_minor = 0;
    return inner_init(&older, reg, error_message);
}
"""


def through_older_host(inner: Path, tmp_path: Path) -> Path:
    """A plugin file that is inner, handed a host of ABI 1.0."""
    source = f"#define INNER {c_string(str(inner))}\n" + SHIM
    return compile_plugin(source, tmp_path / f"older_host_{inner.stem}.so")


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# A plugin that declares ABI 1.0 and uses warn (1.1) only when the host has
# it; its entry points written by hand, as before the macros, or by them.
DECLARES_1_0 = r"""
#include <stdint.h>
#include "apportion/plugin.h"

@HOST@

static const ap_plugin_info info = {
    sizeof(ap_plugin_info), AP_PLUGIN_ABI_MAJOR, 0, /* declares ABI 1.0 */
    @NAME@, "1.0.0", @AREA@, "Declares plugin ABI 1.0", "MIT", NULL};

static int64_t doubled(int64_t x, ap_error *err)
{
    int64_t out = 0;
    host->money_add(x, x, &out, err);
    return out;
}

static ap_status register_all(ap_registrar *reg, ap_error *err)
{
    const ap_calculator_def calc = {sizeof(ap_calculator_def), "doubled",
                                    "money(money)", "x + x",
                                    AP_CALCULATOR_FN(doubled)};
    ap_status st = host->register_calculator(reg, &calc, err);
    if (st == AP_OK && AP_HOST_HAS(host, warn))
        st = host->warn(reg, "this host has warn");
    return st;
}

@ENTRY_POINTS@
"""

BY_HAND = {
    "@HOST@": "static const ap_host *host;",
    "@ENTRY_POINTS@": r"""
AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return &info;
}

AP_PLUGIN_EXPORT ap_status apportion_plugin_init(const ap_host *h,
                                                 ap_registrar *reg,
                                                 char **error_message)
{
    ap_error err = {0};
    ap_status st;
    host = h;
    if ((st = register_all(reg, &err)) != AP_OK)
        *error_message = host->strdup(err.message);
    return st;
}
""",
}

BY_MACROS = {
    "@HOST@": "AP_PLUGIN_HOST_DECLARE(host);",
    "@ENTRY_POINTS@": "AP_PLUGIN_DEFINE(info, register_all);",
}


def declares_1_0(style: str, name: str) -> str:
    source = DECLARES_1_0
    for key, value in {**(BY_HAND if style == "by_hand" else BY_MACROS),
                       "@NAME@": c_string(name),
                       "@AREA@": c_string(name.upper())}.items():
        source = source.replace(key, value)
    return source


@pytest.mark.parametrize("style", ["by_hand", "macros"])
def test_a_plugin_declaring_1_0_loads_in_a_1_0_host_without_1_1(style,
                                                                 tmp_path):
    older = through_older_host(compile_plugin(
        declares_1_0(style, f"old_host_{style}"),
        tmp_path / f"old_host_{style}.so"), tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginWarning)
        info = apportion.load_plugin(older)
    assert info.abi == (1, 0)
    assert info.warnings == ()
    area = apportion.service_area(info.service_area)
    assert area.call("doubled", 12345) == 24690


@pytest.mark.parametrize("style", ["by_hand", "macros"])
def test_the_same_plugin_uses_1_1_in_a_1_1_host(style, tmp_path):
    library = compile_plugin(declares_1_0(style, f"new_host_{style}"),
                             tmp_path / f"new_host_{style}.so")
    with pytest.warns(PluginWarning, match="this host has warn"):
        info = apportion.load_plugin(library)
    assert info.warnings == ("this host has warn",)
    assert apportion.service_area(info.service_area).call("doubled", 7) == 14


def test_a_plugin_declaring_1_1_is_refused_by_a_1_0_host(tmp_path):
    # The template declares 1.1.  Written by hand it tested for sla_rows;
    # with the macros, the guard compares the host's minor and size with
    # the declared minor.  Both refuse, saying why, and nothing stays.
    old = through_older_host(compile_plugin(
        from_template(written_by_hand(TEMPLATE.read_text()), "refused_by_hand"),
        tmp_path / "refused_by_hand.so"), tmp_path)
    refused(old, r"init failed .*needs host->sla_rows \(plugin ABI 1\.1\)",
            "REFUSED_BY_HAND")
    new = through_older_host(compile_plugin(
        from_template(TEMPLATE.read_text(), "refused_by_macros"),
        tmp_path / "refused_by_macros.so"), tmp_path)
    message = refused(new, r"init failed .*: this plugin is built for plugin "
                      r"ABI 1\.1 but apportion gives it 1\.0 \(a host table "
                      r"of (\d+) bytes, (\d+) needed\): update apportion",
                      "REFUSED_BY_MACROS")
    have, need = map(int, re.search(r"of (\d+) bytes, (\d+) needed",
                                    message).groups())
    assert 0 < have < need


# ---- the guard, called directly ----------------------------------------------


GUARD_SCRIPT = r"""
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
init = lib.apportion_plugin_init
init.restype = ctypes.c_int
init.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                 ctypes.POINTER(ctypes.c_char_p)]

class Head(ctypes.Structure):  # what every major's table starts with
    _fields_ = [("size", ctypes.c_size_t), ("abi_major", ctypes.c_uint32),
                ("abi_minor", ctypes.c_uint32)]

message = ctypes.c_char_p(None)
print(init(None, None, ctypes.byref(message)), message.value)
other = Head(ctypes.sizeof(Head), 2, 0)
print(init(ctypes.addressof(other), None, ctypes.byref(message)),
      message.value)
"""


def test_the_guard_turns_away_no_host_and_another_major(tmp_path):
    library = compile_plugin(from_template(TEMPLATE.read_text(), "guarded"),
                             tmp_path / "guarded.so")
    # In a process of its own: a guard that read the table would crash it.
    r = subprocess.run([sys.executable, "-c", GUARD_SCRIPT, str(library)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    plugin_error = status_code("AP_E_PLUGIN")
    assert r.stdout.splitlines() == [f"{plugin_error} None"] * 2


def test_the_first_party_plugins_use_the_macros():
    for source in (ROOT / "plugins").glob("*/*.c"):
        text = source.read_text()
        assert "AP_PLUGIN_DEFINE(info, register_all);" in text, source
        assert "apportion_plugin_init(" not in text, source
