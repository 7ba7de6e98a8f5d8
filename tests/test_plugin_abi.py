"""The plugin ABI headers as a plugin author's compiler sees them.

include/apportion/plugin.h promises to compile as C99, C11 and C++ and to
include only headers that do; registry.h (the host side) makes the same
promise.  Each is compiled on its own with every warning an error, as is a
translation unit that uses the header's macros the way a plugin does
(AP_PLUGIN_INFO_HEADER in a static initialiser, AP_HOST_HAS for a newer
host function, AP_PLUGIN_INFO_SIZE_1_0 for an ABI 1.0 info block).  The
header's ABI version must be the one the built extension reports.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import apportion
from apportion.plugin import plugin_abi

INCLUDE = Path(apportion.get_include())
HEADERS = ("plugin.h", "registry.h")

GCC = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("gcc") or shutil.which("cc") \
    or "cc"
GXX = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("g++")

C_DIALECTS = ("c99", "c11")
STRICT = ("-Wall", "-Wextra", "-pedantic", "-Werror")

# A C compiler is needed to install apportion at all, so its absence is a
# failure here; g++ is not among apportion's dependencies.
needs_cxx = pytest.mark.skipif(GXX is None, reason="no C++ compiler (g++) found")


def compile_only(compiler, std, source: str, tmp_path: Path, suffix=".c",
                 extra=()):
    """Compiles source with -fsyntax-only under every warning; fails the
    test with the compiler's output when it does not compile cleanly."""
    src = tmp_path / f"tu_{std.replace('+', 'x')}{suffix}"
    src.write_text(source)
    cmd = [compiler, f"-std={std}", *STRICT, "-fsyntax-only", f"-I{INCLUDE}",
           *extra, str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, (f"{' '.join(cmd)} failed:\n{r.stderr}\n"
                               f"--- source ---\n{source}")
    assert r.stderr.strip() == "", f"compiler said something:\n{r.stderr}"


def test_headers_are_where_get_include_says():
    for h in HEADERS:
        assert (INCLUDE / "apportion" / h).is_file(), h


# ---- each header alone ------------------------------------------------------


@pytest.mark.parametrize("std", C_DIALECTS)
@pytest.mark.parametrize("header", HEADERS)
def test_header_compiles_as_c(header, std, tmp_path):
    # Included first and alone, so the header must bring everything it uses.
    compile_only(GCC, std, f'#include "apportion/{header}"\n', tmp_path)


@pytest.mark.parametrize("std", C_DIALECTS)
@pytest.mark.parametrize("header", HEADERS)
def test_header_compiles_twice_as_c(header, std, tmp_path):
    # Include guards: a plugin may include both headers in any order.
    compile_only(GCC, std,
                 f'#include "apportion/{header}"\n'
                 f'#include "apportion/{header}"\n'
                 '#include "apportion/plugin.h"\n'
                 '#include "apportion/registry.h"\n', tmp_path)


@needs_cxx
@pytest.mark.parametrize("header", HEADERS)
def test_header_compiles_as_cxx11(header, tmp_path):
    compile_only(GXX, "c++11", f'#include "apportion/{header}"\n', tmp_path,
                 suffix=".cpp")


# ---- the macros a plugin uses -------------------------------------------------

PLUGIN_TU = r"""
#include <stddef.h>
#include <stdint.h>
#include "apportion/plugin.h"

/* The positional initialiser the header documents. */
static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, "abi_probe",
                                    "1.0.0", "ABI_PROBE", "a probe",
                                    "MIT", NULL};

AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void);
AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return &info;
}

/* Feature detection for a function newer than the declared minor, and for
 * one every 1.x host has. */
int probe_has_warn(const ap_host *host);
int probe_has_warn(const ap_host *host)
{
    return AP_HOST_HAS(host, warn) && AP_HOST_HAS(host, text_append) &&
           AP_HOST_HAS(host, alloc);
}

/* The entry points have the types the header names. */
static ap_status probe_init(const ap_host *host, ap_registrar *reg,
                            char **error_message)
{
    (void)reg;
    if (AP_HOST_HAS(host, warn))
        return AP_OK;
    *error_message = host->strdup("no warn");
    return AP_E_PLUGIN;
}
ap_plugin_info_fn probe_info_fn(void);
ap_plugin_info_fn probe_info_fn(void) { return apportion_plugin_info; }
ap_plugin_init_fn probe_init_fn(void);
ap_plugin_init_fn probe_init_fn(void) { return probe_init; }

/* A 1.0 info block is everything up to licence. */
typedef char probe_size_1_0_covers_licence[
    AP_PLUGIN_INFO_SIZE_1_0 == offsetof(ap_plugin_info, licence) +
                               sizeof(const char *) ? 1 : -1];
typedef char probe_size_1_0_stops_before_url[
    AP_PLUGIN_INFO_SIZE_1_0 <= offsetof(ap_plugin_info, url) ? 1 : -1];
typedef char probe_header_sizes_whole_struct[
    sizeof(ap_plugin_info) >= AP_PLUGIN_INFO_SIZE_1_0 ? 1 : -1];
/* 1.1 appended warn at the end of the table. */
typedef char probe_warn_after_text_append[
    offsetof(ap_host, warn) > offsetof(ap_host, text_append) ? 1 : -1];

/* The symbol names. */
static const char *const probe_symbols[2] = {AP_PLUGIN_INFO_SYMBOL,
                                             AP_PLUGIN_INIT_SYMBOL};
const char *probe_symbol(int i);
const char *probe_symbol(int i) { return probe_symbols[i & 1]; }

/* Calculator functions are stored through the generic pointer. */
static int64_t probe_calc(int64_t a, ap_error *err)
{
    (void)err;
    return a;
}
ap_generic_fn probe_calc_fn(void);
ap_generic_fn probe_calc_fn(void) { return AP_CALCULATOR_FN(probe_calc); }
"""

# C++ rejects designated initialisers before C++20 and a few C-isms; the
# same macros in a C++11 translation unit.
PLUGIN_TU_CXX = r"""
#include <cstddef>
#include "apportion/plugin.h"

static const ap_plugin_info info = {AP_PLUGIN_INFO_HEADER, "abi_probe",
                                    "1.0.0", "ABI_PROBE", "a probe",
                                    "MIT", NULL};

extern "C" AP_PLUGIN_EXPORT const ap_plugin_info *apportion_plugin_info(void)
{
    return &info;
}

int probe_has_warn(const ap_host *host)
{
    return AP_HOST_HAS(host, warn);
}

static_assert(AP_PLUGIN_INFO_SIZE_1_0 ==
                  offsetof(ap_plugin_info, licence) + sizeof(const char *),
              "1.0 size");
"""


@pytest.mark.parametrize("std", C_DIALECTS)
def test_macros_in_a_plugin_compile_as_c(std, tmp_path):
    compile_only(GCC, std, PLUGIN_TU, tmp_path)


def test_macros_in_a_plugin_compile_under_c11_with_hidden_visibility(tmp_path):
    # As `python -m apportion plugin build` compiles plugins.
    compile_only(GCC, "c11", PLUGIN_TU, tmp_path,
                 extra=("-fPIC", "-fvisibility=hidden"))


@needs_cxx
def test_macros_in_a_plugin_compile_as_cxx11(tmp_path):
    compile_only(GXX, "c++11", PLUGIN_TU_CXX, tmp_path, suffix=".cpp")


# ---- the version ----------------------------------------------------------------


def header_abi():
    text = (INCLUDE / "apportion" / "plugin.h").read_text()
    major = re.search(r"^#define AP_PLUGIN_ABI_MAJOR (\d+)\s*$", text, re.M)
    minor = re.search(r"^#define AP_PLUGIN_ABI_MINOR (\d+)\s*$", text, re.M)
    assert major and minor, "plugin.h defines AP_PLUGIN_ABI_MAJOR/MINOR"
    return int(major.group(1)), int(minor.group(1))


def test_header_abi_matches_extension():
    assert plugin_abi() == header_abi()
    major, minor = plugin_abi()
    assert isinstance(major, int) and isinstance(minor, int)
    assert major >= 1 and minor >= 0


def test_header_abi_matches_extension_as_the_preprocessor_sees_it(tmp_path):
    major, minor = plugin_abi()
    compile_only(GCC, "c11",
                 '#include "apportion/plugin.h"\n'
                 f"#if AP_PLUGIN_ABI_MAJOR != {major}\n"
                 f'#error "AP_PLUGIN_ABI_MAJOR is not {major}"\n'
                 "#endif\n"
                 f"#if AP_PLUGIN_ABI_MINOR != {minor}\n"
                 f'#error "AP_PLUGIN_ABI_MINOR is not {minor}"\n'
                 "#endif\n", tmp_path)


def test_header_version_history_names_current_minor():
    # The header's history lists each minor; the newest is the current one.
    text = (INCLUDE / "apportion" / "plugin.h").read_text()
    major, minor = header_abi()
    listed = [int(m) for m in re.findall(rf"^ \*\s+{major}\.(\d+)\s", text, re.M)]
    assert listed and max(listed) == minor, listed
