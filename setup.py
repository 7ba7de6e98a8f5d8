"""Builds apportion's C extension; the metadata lives in pyproject.toml.

libffi and cJSON are Debian's libffi-dev and libcjson-dev, found with
pkg-config and linked, never copied into the tree.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

# Debian package that provides each pkg-config module.
LIBRARIES = {"libcjson": "libcjson-dev", "libffi": "libffi-dev"}


def version():
    text = (HERE / "include" / "apportion" / "version.h").read_text()
    return re.search(r'#define AP_VERSION_STRING "([^"]+)"', text).group(1)


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("apportion: pkg-config is missing; install it with "
                 "'apt-get install pkg-config'")
    except subprocess.CalledProcessError:
        return None
    return out.split()


def library_flags():
    include_dirs, library_dirs, libraries = [], [], []
    for module, package in LIBRARIES.items():
        cflags = pkg_config("--cflags", module)
        libs = pkg_config("--libs", module)
        if cflags is None or libs is None:
            sys.exit(f"apportion: {module} was not found; install it with "
                     f"'apt-get install {package}'")
        include_dirs += [f[2:] for f in cflags if f.startswith("-I")]
        library_dirs += [f[2:] for f in libs if f.startswith("-L")]
        libraries += [f[2:] for f in libs if f.startswith("-l")]
    return include_dirs, library_dirs, libraries


class build_py_with_headers(build_py):
    """Ships include/apportion/*.h inside the package, for get_include()."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "apportion" / "include" / "apportion"
        target.mkdir(parents=True, exist_ok=True)
        for header in (HERE / "include" / "apportion").glob("*.h"):
            shutil.copy2(header, target / header.name)


include_dirs, library_dirs, libraries = library_flags()
core_sources = sorted(str(p.relative_to(HERE)) for p in (HERE / "csrc").glob("*.c"))
# The glue: _core.c and one file per concern beside it.
glue_sources = sorted(str(p.relative_to(HERE))
                      for p in (HERE / "python" / "apportion").glob("_core*.c"))

extension = Extension(
    "apportion._core",
    sources=[*glue_sources, *core_sources],
    include_dirs=["include", "csrc", *include_dirs],
    library_dirs=library_dirs,
    libraries=libraries,
    extra_compile_args=["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-pthread"],
    extra_link_args=["-pthread"],
)

setup(
    version=version(),
    ext_modules=[extension],
    cmdclass={"build_py": build_py_with_headers},
)
