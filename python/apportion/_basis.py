"""A basis as rows of integer weights: the one reader of the forms a
basis takes (a DataFrame of keys x authorities, a dict of key -> authority
-> weight, or one mapping of weights) for ledgers, whose keys are cost
centres, and cost scenarios, whose keys are years.  Weights are exact
(ints, decimal text, Decimal, Fraction) and each row is brought to
integers on its own common denominator."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from . import _core
from ._convert import exact_ratio
from .errors import InputError, MoneyOverflowError

INT64_MAX = 2**63 - 1

# How many names an error or warning lists before "and N more".
_LIST_AT_MOST = 8

#: One row of integer weights: a list, or a row of an int64 array.
IntRow = list[int] | npt.NDArray[np.int64]


def listing(names: Iterable[object], quote: bool = True) -> str:
    """Names for a message, at most eight and then "and N more"."""
    names = list(names)
    shown = ", ".join(repr(n) if quote else str(n) for n in names[:_LIST_AT_MOST])
    more = len(names) - _LIST_AT_MOST
    return shown + (f" and {more} more" if more > 0 else "")


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def basis_rows(basis: object, authorities: Sequence[Hashable] | None
               ) -> tuple[list[Hashable], list[IntRow], list[Hashable]]:
    """(keys, integer weight rows, authorities) from a basis: a DataFrame, a
    dict of dicts, or one mapping of weights (keys [None]).  Each row's
    exact weights are brought to integers on their own common
    denominator."""
    import pandas as pd

    if isinstance(basis, pd.DataFrame):
        columns: list[Hashable] = list(basis.columns.tolist())
        if authorities is None:
            authorities = columns
        unknown = [c for c in columns if c not in authorities]
        missing = [a for a in authorities if a not in columns]
        if unknown or missing:
            raise InputError("the basis columns must be the authorities "
                             f"{listing(authorities)}; "
                             + (f"unknown {listing(unknown)}" if unknown else
                                f"missing {listing(missing)}"))
        if basis.index.has_duplicates:
            raise InputError("the basis names a row twice: " + listing(
                basis.index[basis.index.duplicated()].unique()))
        keys = basis.index.tolist()
        ints = basis[list(authorities)]
        if len(keys) and all(dt.kind in "iu" for dt in ints.dtypes):
            # Whole weights are exact already: no conversion one by one.
            values = ints.to_numpy()
            if values.dtype.kind == "u" and values.max() > INT64_MAX:
                raise MoneyOverflowError("a basis weight is beyond 64 bits")
            values = values.astype(np.int64)
            if values.min() < 0:
                j, k = (int(x[0]) for x in np.nonzero(values < 0))
                raise InputError(f"basis[{keys[j]!r}][{authorities[k]!r}] is "
                                 f"negative ({values[j, k]}); weights must be "
                                 "zero or more")
            table = None
        else:
            cells = basis.astype(object)
            table = [[cells.iat[j, columns.index(a)] for a in authorities]
                     for j in range(len(keys))]
    elif isinstance(basis, pd.Series) or (isinstance(basis, Mapping) and not any(
            isinstance(v, (Mapping, pd.Series)) for v in basis.values())):
        row = basis.to_dict() if isinstance(basis, pd.Series) else dict(basis)
        if authorities is None:
            authorities = list(row)
        keys, table = [None], [[row.get(a, 0) for a in authorities]]
        refuse_unknown(row, authorities, "the basis")
    elif isinstance(basis, Mapping):
        keys = list(basis)
        if authorities is None:
            authorities = []
            for row in basis.values():
                for a in row:
                    if a not in authorities:
                        authorities.append(a)
        table = []
        for k in keys:
            row = basis[k]
            row = row.to_dict() if isinstance(row, pd.Series) else row
            if not isinstance(row, Mapping):
                raise TypeError(f"basis[{k!r}] must map authorities to weights, not "
                                f"{type(row).__name__}")
            refuse_unknown(row, authorities, f"basis[{k!r}]")
            table.append([row.get(a, 0) for a in authorities])
    else:
        raise TypeError("basis must be a DataFrame, a dict of dicts (centre -> "
                        "authority -> weight) or one dict of weights, not "
                        f"{type(basis).__name__}")
    authorities = list(authorities)
    if not authorities:
        raise InputError("the basis names no authorities")
    if len(set(authorities)) != len(authorities):
        raise InputError(f"authorities repeats a name: {listing(authorities)}")
    if table is None:
        return keys, list(values), authorities
    rows: list[IntRow] = []
    for k, cells_row in zip(keys, table):
        name = "basis" if k is None else f"basis[{k!r}]"
        nums: list[int] = []
        dens: list[int] = []
        for a, v in zip(authorities, cells_row):
            num, den = exact_ratio(plain(v), f"{name}[{a!r}]")
            if num < 0:
                raise InputError(f"{name}[{a!r}] is negative ({v!s}); weights must "
                                 "be zero or more")
            nums.append(num)
            dens.append(den)
        rows.append(_core.weights_common(nums, dens))
    return keys, rows, authorities


def refuse_unknown(row: Mapping[Hashable, object], authorities: Sequence[Hashable],
                   name: str) -> None:
    unknown = [a for a in row if a not in authorities]
    if unknown:
        raise InputError(f"{name} names {listing(unknown)}, not among the "
                         f"authorities {listing(authorities)}")
