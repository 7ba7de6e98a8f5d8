"""(Skeleton: filled by the storeruns helper.)"""

from __future__ import annotations


class RunHistory:
    """(Skeleton.)"""
