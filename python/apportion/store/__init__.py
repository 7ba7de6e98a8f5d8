"""A history that lasts: KPI results by period, escalation across runs, the
year's papers, ledger totals and re-creatable runs, in a database.

SQLite is the embedded default; PostgreSQL serves a team.  The store is
built on SQLAlchemy Core (no ORM) and psycopg 3: install the ``store``
extra (``pip install 'apportion[store]'``).  ``import apportion`` never
imports them; importing this module without them is an ImportError that
names the extra.

>>> import apportion, apportion.store
>>> import pandas as pd
>>> kpi = apportion.KPI("IASS2", target=90, warn=False,
...                     bands="Green = 90-100%, Amber = 80-90%, Red = 80% or below")
>>> values = pd.DataFrame({"kpi": "IASS2", "period": ["2021-04", "2021-05"],
...                        "numerator": [9, 7], "denominator": [10, 10]})
>>> with apportion.store.open("sqlite://") as s:
...     card = apportion.scorecard(kpi, values, store=s)
...     s.history(kpi="IASS2")[["period", "numerator", "denominator", "rag"]]
    period  numerator  denominator    rag
0  2021-04          9           10  green
1  2021-05          7           10    red
"""

from __future__ import annotations

try:
    import sqlalchemy  # noqa: F401
except ImportError as _exc:
    raise ImportError("apportion.store needs SQLAlchemy (and psycopg 3 for "
                      "PostgreSQL): pip install 'apportion[store]'") from _exc

from ..errors import StoreError, StoreVersionError
from ._kpi import Recorded
from ._papers import PaperRecorded
from ._runs import LedgerRecorded, RunRecorded
from ._store import Store, default_url, open

__all__ = ["LedgerRecorded", "PaperRecorded", "Recorded", "RunRecorded", "Store",
           "StoreError", "StoreVersionError", "default_url", "open"]
