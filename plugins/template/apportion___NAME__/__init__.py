"""The __NAME__ apportion plugin (the __AREA__ service area), installed as a
Python package: the plugin is the shared library beside this file,
``__NAME__.so`` (``.dylib`` on macOS, ``.dll`` on Windows).

apportion finds it through this distribution's entry point in the group
``apportion.plugins`` and loads it with its own plugins, without importing
this module.  :func:`plugin_path` is for loading it by hand::

    import apportion
    import apportion___NAME__
    apportion.load_plugin(apportion___NAME__.plugin_path())
"""

from pathlib import Path

__all__ = ["plugin_path"]

_SUFFIXES = (".so", ".dylib", ".dll")


def plugin_path() -> Path:
    """The path of the plugin library installed with this package."""
    here = Path(__file__).resolve().parent
    for suffix in _SUFFIXES:
        library = here / f"__NAME__{suffix}"
        if library.is_file():
            return library
    raise FileNotFoundError(f"the __NAME__ plugin library is missing from {here}: "
                            f"reinstall apportion-__NAME__")
