"""Conversions from the values users hold to what the C core takes.

Nothing here computes a result: it only turns ints, text, ``Decimal``,
``Fraction`` and numpy scalars into exact integers and ratios, and refuses
what cannot be exact.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from . import _core, limits
from .errors import InputError

Ratio = tuple[int, int]
#: What a weight may be: an int, decimal text, Decimal, Fraction or any
#: other rational (numpy integers too); a float is read as its shortest text.
Weight = int | str | Decimal | Fraction | float | numbers.Rational
#: What an amount of money may be: int pence, money text, or a Decimal or
#: Fraction of pounds.
Money = int | str | Decimal | Fraction | numbers.Integral


def exact_ratio(value: object, name: str) -> Ratio:
    """A weight as (numerator, denominator), exactly."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not bool")
    if isinstance(value, numbers.Integral):
        return int(value), 1
    if isinstance(value, str):
        try:
            return _core.parse_decimal(value)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(f"{name} is {value}; a weight must be finite")
        num, den = value.as_integer_ratio()
        return num, den
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    if isinstance(value, float):
        # A float is read as its shortest decimal text: 0.5357 -> "0.5357".
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{name} is {value}; a weight must be finite")
        return _core.parse_decimal(repr(value))
    if isinstance(value, numbers.Rational):
        return int(value.numerator), int(value.denominator)
    raise TypeError(f"{name} must be an int, decimal text, Decimal or "
                    f"Fraction, not {type(value).__name__}")


def weight_ratios(weights: Iterable[Weight]) -> tuple[list[int], list[int]]:
    if isinstance(weights, (str, bytes)):
        raise TypeError("weights must be a sequence of weights, not a string")
    nums: list[int] = []
    dens: list[int] = []
    for i, w in enumerate(weights):
        n, d = exact_ratio(w, f"weights[{i}]")
        nums.append(n)
        dens.append(d)
    return nums, dens


def integer_weights(weights: Iterable[Weight]) -> list[int]:
    """Weights on a common denominator, as the core's kernels take them."""
    nums, dens = weight_ratios(weights)
    return _core.weights_common(nums, dens)


def pence(value: object, name: str = "total", unit: str = "£") -> int:
    """An amount of money as int pence.

    An int is already pence.  Text is a printed figure ("£407,045"); a
    ``Decimal`` or ``Fraction`` is an amount in pounds that must come to a
    whole number of pence.  Floats are refused: money is never a float.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be money, not bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        return _core.parse_money(value, unit)[0]
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(f"{name} is {value}; money must be finite")
        return _core.parse_money(format(value, "f"), "£")[0]
    if isinstance(value, Fraction):
        scaled = value * 100
        if scaled.denominator != 1:
            raise InputError(f"{name} is {value} pounds, which is not a whole "
                             f"number of pence")
        return int(scaled)
    if isinstance(value, float):
        raise TypeError(f"{name} is a float; money is never a float: pass int "
                        f"pence, text such as '£407,045' or a Decimal")
    raise TypeError(f"{name} must be int pence, money text, Decimal or "
                    f"Fraction, not {type(value).__name__}")


#: The most threads a kernel takes (a C int).
_THREADS_MAX = 2**31 - 1


def threads(value: object) -> int:
    """A kernel's ``threads`` argument: None is 0 (every core), else a
    whole number from 1 to 2**31 - 1."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or not 0 <= int(value) <= _THREADS_MAX:
        raise InputError(f"threads must be None (every core) or a whole "
                         f"number from 1 to {_THREADS_MAX}, not {value!r}")
    return int(value)


def count(value: object, name: str, of: str = "", least: int = 1) -> int:
    """A whole number, ``least`` or more (a horizon, a number of scenarios):
    bool, floats and smaller numbers are refused, naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < least:
        unit = f" of {of}" if of else ""
        raise InputError(f"{name} must be a whole number{unit}, {least} or "
                         f"more, not {value!r}")
    return int(value)


def read_file(path: str | os.PathLike[str], what: str, max_bytes: object = None,
              *, check_utf8: bool = True) -> bytes:
    """The bytes of a file apportion reads that the core does not parse (a
    CSV), read as the core's readers read theirs: a file larger than
    ``max_bytes`` (None: :data:`apportion.limits.max_input_bytes`) is an
    InputError before it is read, naming ``what`` ("ledger"), the path and
    the limit; with ``check_utf8``, invalid UTF-8 is an InputError naming
    the path, line and column of the first bad byte."""
    return _core.read_file(os.fspath(path), what, limits.input_bytes(max_bytes),
                           check_utf8)


def read_text(path: str | os.PathLike[str], what: str,
              max_bytes: object = None) -> str:
    """:func:`read_file` of a UTF-8 file, as str."""
    return read_file(path, what, max_bytes).decode("utf-8")
