"""Builds apportion's C extension; the metadata lives in pyproject.toml.

libffi and cJSON are Debian's libffi-dev and libcjson-dev, found with
pkg-config and linked, never copied into the tree.

The first-party plugins (plugins/<area>/) are built beside the extension as
shared libraries of their own, apportion/_plugins/<area>.so, and the plugin
template (plugins/template/) is shipped as apportion/plugin_template/.
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


PLUGINS = HERE / "plugins"
TEMPLATE = PLUGINS / "template"
# How setup.py compiles a first-party plugin: the flags `python -m
# apportion plugin build` gives a third party's, plus -Werror, as the core
# has.  -fvisibility=hidden leaves only the two AP_PLUGIN_EXPORT entry
# points exported.
PLUGIN_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC",
                 "-fvisibility=hidden", "-O2"]
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
        target = package / "plugin_template"
        target.mkdir(parents=True, exist_ok=True)
        for path in TEMPLATE.iterdir():
            if path.is_file() and path.suffix not in (".so", ".o", ".pyc"):
                shutil.copy2(path, target / path.name)


class build_ext_with_plugins(build_ext):
    """Builds the extension, then each first-party plugin as a shared
    library of its own in apportion/_plugins/, where the package loads them
    from at run time.  They are not linked into the extension: they are
    loaded through the same dlopen and host table as a third party's, so
    the ABI is exercised by what we ship.  An editable install (inplace)
    builds them into python/apportion/_plugins/."""

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
        output = self.plugin_folder() / f"{source_dir.name}.so"
        sources = sorted(str(p.relative_to(HERE)) for p in source_dir.glob("*.c"))
        objects = self.compiler.compile(
            sources, output_dir=self.build_temp,
            include_dirs=["include"], extra_postargs=PLUGIN_CFLAGS)
        output.parent.mkdir(parents=True, exist_ok=True)
        restrict(output.parent)
        self.compiler.link_shared_object(objects, str(output), target_lang="c")
        restrict(output)

    def get_outputs(self):
        folder = self.plugin_folder()
        return [*super().get_outputs(),
                *(str(folder / f"{d.name}.so") for d in plugin_dirs())]


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
    extra_compile_args=["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-pthread",
                        # Only PyInit__core (PyMODINIT_FUNC marks it) is
                        # exported; the core's and the glue's functions stay
                        # inside the extension.
                        "-fvisibility=hidden",
                        # Scenario draws must be bit-identical however they are
                        # computed: no fused multiply-adds where one build has FMA.
                        "-ffp-contract=off"],
    extra_link_args=["-pthread"],
)

setup(
    version=version(),
    ext_modules=[extension],
    cmdclass={"build_py": build_py_with_headers,
              "build_ext": build_ext_with_plugins},
)
