"""Fresh data on demand: `Cache-Control: no-cache` or `max-age=N` on a request.

After a revocation an administrator may need an answer younger than the cache's TTL. A request
carrying `Cache-Control: no-cache` (max age 0) or `max-age=N` takes no cache entry older than
that as fresh: those entries are re-read from JumpCloud (its loaders read through a cache
charged with that max age, `TTLCache.charging`), and the response cache is not consulted.
Only callers whose bearer token is listed in JCGRAPH_FRESH_READ_TOKENS may ask (a browser
sends `no-cache` on a reload: from anyone else the header is ignored), and only
JCGRAPH_FRESH_READS_PER_MINUTE times a minute across the process (a token bucket), so that
fresh reads cannot be used to flood JumpCloud: beyond that the request is refused with
FRESH_READS_RATE_LIMITED and `retryAfter`.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.datastructures import Headers

from gateway.errors import RequestRefused
from gateway.metrics import Metrics


class FreshReadsRateLimited(RequestRefused):
    code = "FRESH_READS_RATE_LIMITED"
    status = 429


def requested_max_age(cache_control: str) -> float | None:
    """The max age a request's `Cache-Control` asks for: 0 for `no-cache` (or `no-store`),
    N for `max-age=N`, the smallest when several; None when it asks for nothing (or says
    nothing this understands)."""
    found: list[float] = []
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-cache", "no-store"):
            found.append(0.0)
        elif name == "max-age" and value.strip().isdigit():
            found.append(float(value.strip()))
    return min(found) if found else None


@dataclass
class FreshReads:
    """Who may ask for fresh reads, and how often (a token bucket refilled continuously)."""

    tokens: tuple[str, ...] = field(repr=False)
    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _level: float = field(init=False)
    _at: float = field(init=False)

    def __post_init__(self) -> None:
        self._level = float(self.per_minute)
        self._at = self.clock()

    def grant(self, headers: Headers, metrics: Metrics) -> float | None:
        """The max age a request may ask its data to have: None unless it sends
        Cache-Control, from a caller allowed to, within the rate (else FreshReadsRateLimited)."""
        header = headers.get("cache-control")
        asked = None if header is None else requested_max_age(header)
        if asked is None:
            return None
        scheme, _, bearer = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self.allowed(bearer):
            metrics.fresh_reads.labels("ignored").inc()
            return None
        try:
            self.take()
        except FreshReadsRateLimited:
            metrics.fresh_reads.labels("refused").inc()
            raise
        metrics.fresh_reads.labels("served").inc()
        return asked

    def allowed(self, bearer: str | None) -> bool:
        return bearer is not None and any(
            hmac.compare_digest(bearer.encode(), t.encode()) for t in self.tokens
        )

    def take(self) -> None:
        """Spend one fresh read, or raise FreshReadsRateLimited saying when the next is due."""
        now = self.clock()
        rate = self.per_minute / 60.0
        self._level = min(float(self.per_minute), self._level + (now - self._at) * rate)
        self._at = now
        if self._level >= 1.0:
            self._level -= 1.0
            return
        wait = math.ceil((1.0 - self._level) / rate) if rate > 0 else 60
        raise FreshReadsRateLimited(
            f"Fresh reads (Cache-Control: no-cache or max-age) are limited to {self.per_minute} "
            f"a minute (JCGRAPH_FRESH_READS_PER_MINUTE), so as not to flood JumpCloud; retry "
            f"in {wait} s, or send the request without Cache-Control for cached data.",
            retryAfter=wait,
        )
