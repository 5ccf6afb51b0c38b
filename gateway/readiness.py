"""`/readyz`: can this replica answer? JumpCloud reachable with its key, or stale data to serve.

Ready means one of:
- JumpCloud answered a one-user list with this key (a 403 counts: the key is accepted);
- JumpCloud did not answer (down, slow, rate limiting) but the cache can serve stale data:
  entries in this process's memory (`memory://`, which keeps them through the stale
  window), or a shared Redis that answers (it holds what every replica read).
Not ready: JumpCloud answered that the configuration is wrong (key rejected, no list at the
base URL, organisation unknown), which no cached data can hide, since stale is served only
when JumpCloud fails, not when it refuses; or it did not answer and nothing is cached.
Redis being down does not make a replica unready: reads go through to JumpCloud.

A verdict is kept `ttl` seconds, so a probe every second costs JumpCloud one call per `ttl`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.cache import TTLCache
from gateway.doctor_upstream import probe
from gateway.errors import for_upstream
from gateway.jumpcloud import (
    JumpCloudClient,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamUnavailableError,
)

READY_TTL = 5.0
# Bound of the upstream probe: under a typical orchestrator probe timeout, so a hung
# JumpCloud reads as "did not answer" rather than as a probe that never returns.
PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class Verdict:
    ready: bool
    body: dict[str, Any]
    at: float


class Readiness:
    """The last verdict, renewed at most once per `ttl` (concurrent checks share a probe)."""

    def __init__(
        self,
        *,
        shared_cache: bool,
        clock: Callable[[], float],
        ttl: float = READY_TTL,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        self._shared = shared_cache
        self._clock = clock
        self._ttl = ttl
        self._probe_seconds = probe_seconds
        self._last: Verdict | None = None
        self._lock = asyncio.Lock()

    def _current(self) -> Verdict | None:
        last = self._last
        if last is not None and self._clock() - last.at < self._ttl:
            return last
        return None

    async def check(self, client: JumpCloudClient, cache: TTLCache) -> Verdict:
        verdict = self._current()
        if verdict is not None:
            return verdict
        async with self._lock:
            verdict = self._current()
            if verdict is None:
                verdict = await self._examine(client, cache)
                self._last = verdict
            return verdict

    async def _examine(self, client: JumpCloudClient, cache: TTLCache) -> Verdict:
        error = await probe(client, self._probe_seconds)
        cache_state, cache_up = await self._cache_state(cache)
        now = self._clock()
        if error is None or isinstance(error, PermissionDeniedError):
            jumpcloud = "ok" if error is None else "key accepted; its role may not list users"
            return Verdict(True, {"status": "ready", "jumpcloud": jumpcloud, **cache_state}, now)
        if isinstance(error, UpstreamUnavailableError | RateLimitedError):
            stale = cache.stale_ttl > 0 and (
                cache_up if self._shared else cache.stats.memory_entries > 0
            )
            if stale:
                body = {"status": "ready", "jumpcloud": "unavailable", "servingStale": True}
                return Verdict(True, {**body, **cache_state}, now)
            reason = "JumpCloud did not answer and the cache holds nothing to serve stale"
            body = {"status": "unavailable", "code": "UPSTREAM_UNAVAILABLE", "reason": reason}
            return Verdict(False, {**body, **cache_state}, now)
        shown = for_upstream(error)
        body = {"status": "unavailable", "code": shown.code, "reason": shown.message}
        return Verdict(False, {**body, **cache_state}, now)

    async def _cache_state(self, cache: TTLCache) -> tuple[dict[str, Any], bool]:
        if not self._shared:
            return {"cache": "memory"}, True
        try:
            async with asyncio.timeout(self._probe_seconds):
                await cache.ping()
        except Exception as exc:  # Redis down: reads go through to JumpCloud
            return {"cache": f"redis unreachable ({type(exc).__name__}); memory only"}, False
        return {"cache": "redis"}, True
