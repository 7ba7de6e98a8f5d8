"""A history that lasts: KPI results by period, escalation across runs, the
year's papers, ledger totals and re-creatable runs, in a database.

SQLite is the embedded default; PostgreSQL serves a team.  Install the
``store`` extra (``pip install 'apportion[store]'``) for SQLAlchemy Core and
psycopg 3.

(Skeleton of issue 18: the modules are filled by the wave's helpers.)
"""

from __future__ import annotations
