"""The exceptions apportion raises.

Every error is an :class:`ApportionError`; the subclasses also derive from the
built-in exception a Python user would expect (``ValueError``,
``OverflowError``), so existing ``except ValueError`` code keeps working.
"""

from __future__ import annotations

__all__ = [
    "ApportionError",
    "InputError",
    "MoneyOverflowError",
    "PlanError",
    "PluginError",
    "PluginWarning",
    "StoreError",
    "StoreVersionError",
]


class ApportionError(Exception):
    """Base class of every error apportion raises."""


class InputError(ApportionError, ValueError):
    """A value apportion cannot use: bad money text, a negative weight..."""


class MoneyOverflowError(ApportionError, OverflowError):
    """An amount or intermediate result does not fit in 64-bit pence."""


class PlanError(ApportionError, ValueError):
    """A plan file is invalid.

    ``path`` is the JSON path of the offending value (``$.budget_lines[0].total``),
    ``line`` and ``column`` its 1-based position in the file (0 when unknown),
    and ``source`` the file name.
    """

    def __init__(self, message: str, path: str = "", line: int = 0,
                 column: int = 0, source: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.source = source

    def __reduce__(self) -> tuple[type[PlanError], tuple[str, str, int, int, str],
                                  dict[str, object]]:
        # The constructor's arguments, and as state any attribute set since
        # (notes added with add_note) so that those travel too.
        return (type(self), (self.args[0] if self.args else "", self.path,
                             self.line, self.column, self.source),
                self.__dict__)


class PluginError(ApportionError):
    """A plugin could not be loaded or one of its items failed.

    The message names the plugin file (or the service area and item) and
    what was wrong, in the loader's or the plugin's own words.
    """


class PluginWarning(UserWarning):
    """A plugin found on the search path could not be loaded, or a loaded
    plugin warned about its own data."""


class StoreError(ApportionError):
    """A history store (:mod:`apportion.store`) could not be opened, read
    or written.

    The message names the store's URL (its password hidden), the table and
    the row (kpi, group, period) where there is one, and what was expected.
    """


class StoreVersionError(StoreError):
    """A store's schema version is one this release cannot use: newer than
    the code knows (written by a later apportion), or not a version at
    all.  The message names both versions."""
