"""The Redis connection replicas coordinate through, and what happens when it fails.

Replicas share leases, the upstream budget and the 429 pause through it; an outage is
noticed once, routed around, then tried again."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger("gateway.shared")

# Coordination is worth a few milliseconds, never a request's whole deadline: a Redis that
# does not answer within this is treated as down. Not less: a busy replica's own event loop
# can take a second to read an answer Redis sent at once, and a false outage lets each
# replica spend the whole upstream budget (a Redis that is really down refuses at once).
SOCKET_TIMEOUT = 2.0
# While Redis is down each mechanism runs in process; this often it is tried again.
RETRY_AFTER = 1.0


class SharedLink:
    """One Redis client for coordination, and whether Redis is taken as down just now.

    While down (`usable()` is False) callers use their in-process fallback and send Redis
    nothing; `RETRY_AFTER` seconds after a failure the next caller tries again. The first
    failure of an outage and the first success after it are logged, once each.
    """

    def __init__(self, client: redis.Redis, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self._clock = clock
        self._down_until = -1.0
        self._down = False
        self.outages = 0
        """How many times Redis was found down (a metric)."""

    @classmethod
    def from_url(cls, url: str) -> SharedLink | None:
        """A link for a `redis://` or `rediss://` cache URL; None for `memory://` (nothing to
        share: every mechanism runs in process)."""
        if urlsplit(url).scheme not in {"redis", "rediss"}:
            return None
        client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            # After Redis restarts, each pooled connection fails once: retried at once on a
            # new one, it is no outage. (Redis down fails the retry as fast: refused.)
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        return cls(client)

    def usable(self) -> bool:
        return self._clock() >= self._down_until

    def failed(self, exc: BaseException) -> None:
        """A Redis call failed: run in process until it is tried again."""
        self._down_until = self._clock() + RETRY_AFTER
        if not self._down:
            self._down = True
            self.outages += 1
            log.warning(
                "Redis does not answer (%s): leases, the upstream budget and the 429 pause run "
                "in this process only until it does",
                type(exc).__name__,
            )

    def answered(self) -> None:
        """A Redis call succeeded: use it again from now on."""
        self._down_until = -1.0
        if self._down:
            self._down = False
            log.warning("Redis answers again: leases and the upstream budget are shared again")

    async def aclose(self) -> None:
        await self.client.aclose()
