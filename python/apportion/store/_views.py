"""(Skeleton: filled by the storecli helper.)"""

from __future__ import annotations


class StoreViews:
    """(Skeleton.)"""
