"""The Store: one database, its schema version and its write transactions.

(Skeleton: filled by the storecore helper.)
"""

from __future__ import annotations

from ._kpi import KpiHistory
from ._papers import PaperHistory
from ._runs import RunHistory
from ._views import StoreViews


class Store(KpiHistory, PaperHistory, RunHistory, StoreViews):
    """A history store (skeleton)."""
