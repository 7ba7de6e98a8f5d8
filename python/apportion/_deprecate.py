"""Old names and old call forms kept for one release, with a warning.

apportion renames a public name or makes an option keyword-only only with a
release of grace: the old form still works and says, once per call site,
what to write instead.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def renamed(new: F, old_name: str, *, since: str = "0.2") -> F:
    """A deprecated alias of `new` under `old_name`: it warns, then calls
    `new` with the same arguments (a method stays a method)."""

    @functools.wraps(new)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old_name} is deprecated since apportion {since}; use "
            f"{new.__name__} instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = old_name.rsplit(".", 1)[-1]
    alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :meth:`{new.__qualname__}`."
    # As warnings.deprecated (Python 3.13) marks what it wraps, so tools
    # that walk an API can tell an alias from the name it stands for.
    alias.__deprecated__ = f"use {new.__name__}"  # type: ignore[attr-defined]
    return alias  # type: ignore[return-value]


def keyword_only_after(n: int, *, since: str = "0.2") -> Callable[[F], F]:
    """For a function whose options have become keyword-only: a call that
    still passes more than `n` arguments by position (self counted) works,
    with a DeprecationWarning naming the options to pass by keyword."""

    def decorate(fn: F) -> F:
        params = list(inspect.signature(fn).parameters.values())
        positional = [p.name for p in params
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        if len(positional) != n:
            raise TypeError(f"{fn.__qualname__} takes {len(positional)} "
                            f"positional arguments, not {n}")

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > n:
                extra = args[n:]
                if len(extra) > len(keyword_only):
                    raise TypeError(f"{fn.__qualname__}() takes at most "
                                    f"{n + len(keyword_only)} arguments "
                                    f"({len(args)} given)")
                names = keyword_only[:len(extra)]
                for name in names:
                    if name in kwargs:
                        raise TypeError(f"{fn.__qualname__}() got multiple "
                                        f"values for argument {name!r}")
                warnings.warn(
                    f"passing {', '.join(names)} to {fn.__qualname__}() by "
                    f"position is deprecated since apportion {since}; pass "
                    f"{'it' if len(names) == 1 else 'them'} by keyword",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs.update(zip(names, extra))
                args = args[:n]
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def deprecated_property(message: str) -> Callable[[Callable[[Any], Any]], property]:
    """A read-only property kept one release: reading it warns with
    `message` (what to use instead), then returns what the getter gives.
    The getter is marked ``__deprecated__`` as :func:`renamed` marks an
    alias."""

    def decorate(fget: Callable[[Any], Any]) -> property:
        @functools.wraps(fget)
        def getter(self: Any) -> Any:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return fget(self)

        getter.__deprecated__ = message  # type: ignore[attr-defined]
        return property(getter)

    return decorate
