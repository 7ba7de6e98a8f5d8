"""Builds apportion's C extension; the metadata lives in pyproject.toml.

libffi and cJSON are found with pkg-config and linked, never copied into
the tree: Debian's libffi-dev and libcjson-dev, Homebrew's libffi and
cjson, or conda-forge's libffi and cjson.

The first-party plugins (plugins/<area>/) are built beside the extension as
shared libraries of their own, apportion/_plugins/<area>.so (.dylib on
macOS, .dll on Windows), and the plugin template (plugins/template/) is
shipped as apportion/plugin_template/.

The compiler's flags are chosen by its kind: MSVC's spelling where MSVC
builds (Windows' default), gcc's and clang's elsewhere.
"""

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

# The package that provides each pkg-config module: Debian's (apt-get),
# Homebrew's and conda-forge's.
LIBRARIES = {
    "libcjson": {"apt-get": "libcjson-dev", "brew": "cjson", "conda": "cjson"},
    "libffi": {"apt-get": "libffi-dev", "brew": "libffi", "conda": "libffi"},
}


def install_advice(packages):
    """How to install packages (a dict as LIBRARIES' values) on Debian or
    Ubuntu, with Homebrew, or into a conda environment."""
    return ("install it with 'apt-get install {apt-get}' (Debian, Ubuntu), "
            "'brew install {brew}' (macOS, Homebrew; then PKG_CONFIG_PATH="
            "\"$(brew --prefix {brew})/lib/pkgconfig\" if pkg-config still "
            "does not find it) or 'conda install -c conda-forge {conda}' "
            "(a conda environment)").format_map(packages)


def plugin_suffix():
    """What apportion.plugin.PLUGIN_SUFFIX is on this platform."""
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        return ".dll"
    if sys.platform == "darwin":
        return ".dylib"
    return ".so"


def version():
    text = (HERE / "include" / "apportion" / "version.h").read_text()
    return re.search(r'#define AP_VERSION_STRING "([^"]+)"', text).group(1)


def pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit("apportion: pkg-config, which finds libcjson and libffi, is "
                 "missing; " + install_advice(
                     {"apt-get": "pkg-config", "brew": "pkg-config",
                      "conda": "pkg-config"}))
    except subprocess.CalledProcessError:
        return None
    return out.split()


def library_flags():
    include_dirs, library_dirs, libraries = [], [], []
    for module, packages in LIBRARIES.items():
        cflags = pkg_config("--cflags", module)
        libs = pkg_config("--libs", module)
        if cflags is None or libs is None:
            sys.exit(f"apportion: {module} was not found (pkg-config "
                     f"--libs {module} fails); {install_advice(packages)}")
        include_dirs += [f[2:] for f in cflags if f.startswith("-I")]
        library_dirs += [f[2:] for f in libs if f.startswith("-L")]
        libraries += [f[2:] for f in libs if f.startswith("-l")]
    return include_dirs, library_dirs, libraries


PLUGINS = HERE / "plugins"
TEMPLATE = PLUGINS / "template"
# The compiler flags, by the kind of compiler (distutils' compiler_type:
# "msvc" for Microsoft's, "unix" for gcc and clang, "mingw32" for gcc
# making Windows DLLs).  Warnings are errors everywhere, as in the Makefile.
# -fvisibility=hidden keeps everything but what is marked exported (the
# extension's PyInit__core, a plugin's two AP_PLUGIN_EXPORT entry points)
# inside the library; MSVC and mingw's DLLs export only what is marked
# anyway.  Scenario draws must be bit-identical however they are computed:
# no fused multiply-adds where one build has FMA (-ffp-contract=off; MSVC's
# /fp:precise does not contract).
EXTENSION_FLAGS = {
    "msvc": ["/std:c11", "/W4", "/WX", "/O2", "/fp:precise",
             # The core's own bounds-checked text functions, not MSVC's _s
             # variants.
             "/D_CRT_SECURE_NO_WARNINGS"],
    "unix": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-pthread",
             "-fvisibility=hidden", "-ffp-contract=off"],
    "mingw32": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2",
                "-ffp-contract=off"],
}
EXTENSION_LINK_FLAGS = {"msvc": [], "unix": ["-pthread"], "mingw32": []}
# How setup.py compiles a first-party plugin: the flags `python -m
# apportion plugin build` gives a third party's, plus warnings as errors,
# as the core has.
PLUGIN_FLAGS = {
    "msvc": ["/std:c11", "/W4", "/WX", "/O2", "/D_CRT_SECURE_NO_WARNINGS"],
    "unix": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC",
             "-fvisibility=hidden", "-O2"],
    "mingw32": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"],
}


def compiler_kind(compiler):
    """EXTENSION_FLAGS' key for a distutils compiler: cygwin's gcc is
    mingw32's, any other (such as a CC=clang) is unix's."""
    kind = compiler.compiler_type
    if kind == "cygwin":
        return "mingw32"
    return kind if kind in EXTENSION_FLAGS else "unix"
if not TEMPLATE.is_dir():
    sys.exit("apportion: plugins/template/ is missing: a source distribution "
             "must include plugins/ (see MANIFEST.in)")


def plugin_dirs():
    """plugins/<area>/ for each first-party plugin: every folder there with
    C files, except the template (which has placeholders, not a plugin)."""
    return sorted(d for d in PLUGINS.iterdir()
                  if d.is_dir() and d != TEMPLATE and any(d.glob("*.c")))


def restrict(path):
    """The plugin loader refuses a file or folder that others may write
    to, so never leave one so, whatever the umask."""
    path.chmod(path.stat().st_mode & ~stat.S_IWOTH)


class build_py_with_headers(build_py):
    """Ships include/apportion/*.h inside the package, for get_include(),
    and plugins/template/ as apportion/plugin_template/, for `plugin new`.
    Both live outside python/, where package_data cannot reach; a source
    checkout (an editable install) uses them where they are."""

    def run(self):
        super().run()
        package = Path(self.build_lib) / "apportion"
        target = package / "include" / "apportion"
        target.mkdir(parents=True, exist_ok=True)
        for header in (HERE / "include" / "apportion").glob("*.h"):
            shutil.copy2(header, target / header.name)
        # The template's files and folders (its wheel's package), without
        # what building or testing it in place may have left.
        target = package / "plugin_template"
        for path in TEMPLATE.rglob("*"):
            relative = path.relative_to(TEMPLATE)
            if (path.is_file() and "__pycache__" not in relative.parts
                    and path.suffix not in (".so", ".dylib", ".dll", ".o",
                                            ".obj", ".pyc")):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)


class build_ext_with_plugins(build_ext):
    """Builds the extension, then each first-party plugin as a shared
    library of its own in apportion/_plugins/, where the package loads them
    from at run time.  They are not linked into the extension: they are
    loaded through the same dlopen and host table as a third party's, so
    the ABI is exercised by what we ship.  An editable install (inplace)
    builds them into python/apportion/_plugins/."""

    def build_extensions(self):
        kind = compiler_kind(self.compiler)
        for ext in self.extensions:
            ext.extra_compile_args = [*EXTENSION_FLAGS[kind],
                                      *ext.extra_compile_args]
            ext.extra_link_args = [*EXTENSION_LINK_FLAGS[kind],
                                   *ext.extra_link_args]
            if kind == "msvc":  # the C library has the maths
                ext.libraries = [lib for lib in ext.libraries if lib != "m"]
        super().build_extensions()

    def run(self):
        super().run()
        for source_dir in plugin_dirs():
            self.build_plugin(source_dir)

    def plugin_folder(self):
        if self.inplace:
            package = self.get_finalized_command("build_py").get_package_dir(
                "apportion")
            return HERE / package / "_plugins"
        return Path(self.build_lib) / "apportion" / "_plugins"

    def build_plugin(self, source_dir):
        output = self.plugin_folder() / f"{source_dir.name}{plugin_suffix()}"
        sources = sorted(str(p.relative_to(HERE)) for p in source_dir.glob("*.c"))
        objects = self.compiler.compile(
            sources, output_dir=self.build_temp, include_dirs=["include"],
            extra_postargs=PLUGIN_FLAGS[compiler_kind(self.compiler)])
        output.parent.mkdir(parents=True, exist_ok=True)
        restrict(output.parent)
        self.compiler.link_shared_object(objects, str(output), target_lang="c")
        restrict(output)

    def get_outputs(self):
        folder = self.plugin_folder()
        return [*super().get_outputs(),
                *(str(folder / f"{d.name}{plugin_suffix()}")
                  for d in plugin_dirs())]


include_dirs, library_dirs, libraries = library_flags()
# The core: csrc/<subsystem>/*.c (csrc/README.md gives the subsystems and
# what each may use).
core_sources = sorted(str(p.relative_to(HERE))
                      for p in (HERE / "csrc").glob("*/*.c"))
# The glue between the core and Python: python/glue/, beside the package.
glue_sources = sorted(str(p.relative_to(HERE))
                      for p in (HERE / "python" / "glue").glob("*.c"))

extension = Extension(
    "apportion._core",
    sources=[*glue_sources, *core_sources],
    include_dirs=["include", "csrc", "python/glue", *include_dirs],
    library_dirs=library_dirs,
    # libm: the forecasts' and scenarios' log, exp, sqrt and cos.
    libraries=[*libraries, "m"],
    # The compiler's flags (EXTENSION_FLAGS) are added by build_ext, which
    # knows which compiler it has; libm is dropped for MSVC.
)

setup(
    version=version(),
    ext_modules=[extension],
    cmdclass={"build_py": build_py_with_headers,
              "build_ext": build_ext_with_plugins},
)
