"""What one request cost: its upstream calls and its cache reads, in one object it is handed.

The view makes one per GraphQL request and keeps it on the request's context; the loaders
it builds read through a client and a cache *charged* with it (`JumpCloudClient.charging`,
`TTLCache.charging`), so every upstream attempt and every cache read lands in it, with no
ambient state. Work done on behalf of several requests (an index build) is charged to its
own RequestCost, merged into the one of the request that ran it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.jumpcloud import Tally

COST_HEADER = "x-jcgraph-cost"
"""A request sending it (1, true, yes) is told what it cost in `extensions.cost`."""


@dataclass
class CacheTally:
    """What one GraphQL request got from the cache (reported in its `extensions`)."""

    hits: int = 0
    misses: int = 0
    stale: int = 0
    oldest_stored_at: float | None = None
    expires_at: float | None = None
    """When the first entry this request was served fresh stops being fresh: until then a
    response computed only from such entries would be computed the same."""

    def saw(self, stored_at: float) -> None:
        if self.oldest_stored_at is None or stored_at < self.oldest_stored_at:
            self.oldest_stored_at = stored_at

    def fresh_until(self, expires_at: float) -> None:
        if self.expires_at is None or expires_at < self.expires_at:
            self.expires_at = expires_at

    def merge(self, other: CacheTally) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.stale += other.stale
        if other.oldest_stored_at is not None:
            self.saw(other.oldest_stored_at)
        if other.expires_at is not None:
            self.fresh_until(other.expires_at)


@dataclass
class RequestCost:
    """Upstream attempts (retries included) and what the cache served, for one request."""

    upstream: Tally = field(default_factory=Tally)
    cache: CacheTally = field(default_factory=CacheTally)

    def merge(self, other: RequestCost) -> None:
        self.upstream.merge(other.upstream)
        self.cache.merge(other.cache)
