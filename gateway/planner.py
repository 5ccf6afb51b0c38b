"""How to read one relation for a batch of objects: per key, or whole from the other side.

A pure function of what is known when the batch is read (`Situation`): how many of the
batch's objects miss the cache, how many the request may walk through, whether the other
side can be listed and its index is built, how many of its pieces are warm, and how many
per-key reads were already spent within the cache's lifetime. Its answer (`Plan`) is the way
to read and the upstream reads that way costs: one per piece read (a piece of many pages
costs one read per page; the prediction counts pieces).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gateway.model import AccessPlan


class Way(enum.Enum):
    CACHED = "cached"
    """Every object of the batch has its piece in the cache."""
    INDEX_BUILT = "index built"
    """The whole relation, inverted, is in the cache: read the batch from it."""
    INDEX = "index"
    """Read every piece of the other side (those not warm) and invert them."""
    PER_KEY = "per key"
    """Read one piece per missing object of the batch."""


@dataclass(frozen=True)
class Situation:
    missing: int
    """Objects of the batch whose piece is not cached."""
    expected: int = 0
    """Objects the request may walk through (a connection's total when the batch is one
    page of it); 0 when the batch is all there is."""
    indexable: bool = True
    """The other side can be listed whole (its objects are few enough to read each)."""
    mode: AccessPlan = AccessPlan.AUTO
    index_built: bool = False
    others: int = 0
    """Objects on the other side (their pieces make the index)."""
    warm: int = 0
    """Of those, the ones whose piece is cached (a piece that failed is not)."""
    spent: int = 0
    """Per-key reads of this relation already made within the cache's lifetime."""


@dataclass(frozen=True)
class Plan:
    way: Way
    reads: int
    """Upstream reads the way costs, one per piece."""


def choose_index(*, index_reads: int, per_key_reads: int, spent: int) -> bool:
    """The index wins when it is cheaper than what this request would read one key at a
    time, or than what earlier ones already spent: a crawl paging 100 users at a time
    builds it once instead of paying per key on every page."""
    return index_reads < per_key_reads or index_reads <= spent


def plan(situation: Situation) -> Plan:
    """The way to read the batch and its cost. `others` and `warm` are only looked at when
    the index is possible and not built, so a caller may learn them last."""
    s = situation
    if s.missing == 0:
        return Plan(Way.CACHED, 0)
    if not s.indexable or s.mode is AccessPlan.PER_KEY:
        return Plan(Way.PER_KEY, s.missing)
    if s.index_built:
        return Plan(Way.INDEX_BUILT, 0)
    index_reads = max(0, s.others - s.warm)
    if s.mode is AccessPlan.INDEX or choose_index(
        index_reads=index_reads, per_key_reads=max(s.missing, s.expected), spent=s.spent
    ):
        return Plan(Way.INDEX, index_reads)
    return Plan(Way.PER_KEY, s.missing)
