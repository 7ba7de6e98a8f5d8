"""The limits apportion checks before it reads a file or allocates a result.

An absurd request (ten million million scenarios, a horizon of 2**40 steps,
a file of many gigabytes) fails at once with an :class:`~apportion.InputError`
that names the argument, the size it would take and the limit, rather than
running the machine out of memory or ending in numpy's "Unable to allocate
21.8 TiB".  The limits are generous: no council's paper or forecast comes
near them.  Each is a module attribute, read at every call, so a program
that truly needs more raises it::

    import apportion.limits
    apportion.limits.max_result_items = 2**31   # for one very large run

``max_result_items`` (default 268,435,456, which is 2**28)
    The most values (numbers in the arrays a call returns, all arrays
    counted) one call may make: ``CostScenario.simulate`` (``n`` scenarios x
    years x (1 + authorities)), ``holt_batch`` and ``holt`` (series x
    ``horizon``), ``recharge_schedule`` (``instalments``).  At 8 bytes a
    value the default is 2 GiB of results.

``max_input_bytes`` (default 1,073,741,824, which is 1 GiB)
    The largest file a reader reads: :func:`~apportion.load_plan`,
    :func:`~apportion.load_outturn`, :func:`~apportion.load_contract_sum`,
    :func:`~apportion.load_kpis`, :func:`~apportion.load_savings`,
    :func:`~apportion.load_mtfp`, :func:`~apportion.check_table` (JSON and
    CSV), :func:`~apportion.audit.load_table` and
    :meth:`Ledger.read_csv <apportion.ledger.Ledger.read_csv>`.  Each also
    takes ``max_bytes=`` for one call; a larger file is refused before it
    is parsed, naming the path and the limit.

>>> import apportion
>>> apportion.limits.max_result_items
268435456
>>> apportion.limits.check_items(10**12, "n", items=10**12 * 4)
... # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
apportion.errors.InputError: n = 1000000000000 asks for 4,000,000,000,000 result values, ...
"""

from __future__ import annotations

import numbers

from .errors import InputError

__all__ = ["check_items", "input_bytes", "max_input_bytes", "max_result_items"]

#: The most values one call may return (all its arrays counted).
max_result_items: int = 1 << 28
#: The largest file, in bytes, a reader reads unless given ``max_bytes=``.
max_input_bytes: int = 1 << 30


def _setting(name: str) -> int:
    value = globals()[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < 0:
        raise InputError(f"apportion.limits.{name} must be a whole number, 0 "
                         f"or more, not {value!r}")
    return int(value)


def check_items(value: int, name: str, *, items: int) -> None:
    """Refuse a request whose result would hold more than
    :data:`max_result_items` values: ``name`` is the argument that asks for
    it (``"n"``, ``"horizon"``), ``value`` its value and ``items`` the
    values the whole result would hold."""
    limit = _setting("max_result_items")
    if items > limit:
        raise InputError(f"{name} = {value} asks for {items:,} result values, "
                         f"more than apportion.limits.max_result_items "
                         f"({limit:,}); raise that limit to allow it")


def input_bytes(max_bytes: object = None) -> int:
    """A reader's ``max_bytes`` argument as the byte limit it applies:
    None is :data:`max_input_bytes`; otherwise a whole number, 0 or more."""
    if max_bytes is None:
        return _setting("max_input_bytes")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral) \
            or not 0 <= int(max_bytes) < 2**63:
        raise InputError(f"max_bytes must be None (apportion.limits."
                         f"max_input_bytes) or a whole number of bytes from 0 "
                         f"to 2**63 - 1, not {max_bytes!r}")
    return int(max_bytes)
