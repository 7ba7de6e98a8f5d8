"""Builds the __NAME__ plugin into a wheel; pyproject.toml has the rest.

The plugin is a plain shared library, not a Python extension: it is
compiled with this platform's C compiler (the one Python was built with, or
$CC) against the headers of the installed apportion, and placed in the
package apportion___NAME__ as __NAME__.so (.dylib on macOS, .dll on
Windows).  It never links against Python, so one wheel serves every Python
3 of a platform: the wheel is tagged py3-none-<platform>.

    pip wheel --no-build-isolation .       # apportion installed here
    pip wheel --find-links DIR .           # or apportion's wheel in DIR
"""

import re
import stat
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
NAME = "__NAME__"
PACKAGE = "apportion___NAME__"


def library_name():
    """__NAME__ with the suffix apportion looks for on this platform."""
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        return f"{NAME}.dll"
    if sys.platform == "darwin":
        return f"{NAME}.dylib"
    return f"{NAME}.so"


def version():
    """The version in the plugin's info block: one place to change it."""
    text = (HERE / f"{NAME}.c").read_text(encoding="utf-8")
    found = re.search(r'\.version\s*=\s*"([^"]+)"', text)
    if found is None:
        sys.exit(f"{NAME}.c has no '.version = \"...\"' in its info block")
    return found.group(1)


def compiler_flags(compiler_type):
    """The flags `python -m apportion plugin build` gives, in the
    compiler's own spelling.  Only the two entry points AP_PLUGIN_DEFINE
    writes are exported: MSVC exports nothing unless asked, gcc and clang
    hide the rest with -fvisibility=hidden."""
    if compiler_type == "msvc":
        return ["/std:c11", "/O2", "/W4"]
    flags = ["-std=c11", "-O2", "-Wall", "-Wextra"]
    if compiler_type == "unix":  # not mingw32: PE files have no visibility
        flags.append("-fvisibility=hidden")
    return flags


class BinaryDistribution(Distribution):
    """Holds compiled code, so the wheel is a platform's, not 'any'."""

    def has_ext_modules(self):
        return True


class build_plugin(build_ext):
    """Compiles the .c files of this folder into the plugin library, in
    the package's folder of the build (or of the source, when installed
    editable)."""

    def run(self):
        # setuptools makes the distutils it carries importable.
        from distutils.ccompiler import new_compiler
        from distutils.sysconfig import customize_compiler

        import apportion  # for its headers only

        compiler = new_compiler(compiler=self.compiler, force=self.force)
        customize_compiler(compiler)
        sources = sorted(p.name for p in HERE.glob("*.c"))
        objects = compiler.compile(
            sources, output_dir=self.build_temp,
            include_dirs=[apportion.get_include()],
            extra_postargs=compiler_flags(compiler.compiler_type))
        output = self.library_path()
        output.parent.mkdir(parents=True, exist_ok=True)
        compiler.link_shared_object(objects, str(output), target_lang="c")
        # apportion refuses a plugin file that others may write to.
        output.chmod(output.stat().st_mode & ~stat.S_IWOTH)

    def library_path(self):
        if self.inplace or getattr(self, "editable_mode", False):
            return HERE / PACKAGE / library_name()
        return Path(self.build_lib) / PACKAGE / library_name()

    def get_outputs(self):
        return [str(self.library_path())]


class bdist_plugin_wheel(bdist_wheel):
    """Tags the wheel py3-none-<platform>: the library does not use Python."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(
    version=version(),
    distclass=BinaryDistribution,
    cmdclass={"build_ext": build_plugin, "bdist_wheel": bdist_plugin_wheel},
)
