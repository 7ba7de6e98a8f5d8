"""What every part of a Store may use, declared once for the type checker.

:class:`~apportion.store.Store` is put together from one mixin per concern
(KPI results, papers, ledger totals and runs, views); each mixin derives
from :class:`StoreBase`, which names the attributes and the two
transaction methods that ``_store.Store`` defines.  At run time the class
is empty.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["StoreBase"]


class StoreBase:
    """The Store's shared API, as its mixins see it."""

    if TYPE_CHECKING:
        url: str
        backend: str

        def write(self, kind: str, *, file: str | os.PathLike[str] | None = None,
                  source: str | None = None, sha256: str | None = None
                  ) -> AbstractContextManager[tuple[Connection, int]]: ...

        def read(self) -> AbstractContextManager[Connection]: ...
