"""(Skeleton: filled by the storecore helper.)"""

from __future__ import annotations


class KpiHistory:
    """(Skeleton.)"""
