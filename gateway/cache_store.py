"""The TTL cache's entries read and written over its two levels, as one store keyed by name.

This process's memory answers first (`BoundedMemory`); the shared level (Redis), when there is
one, answers for entries past their TTL and holds the copies served stale. A failing shared
level is logged once an outage and never fails a read or a write. The levels themselves are
gateway/cache_levels.py; the engine over this store is gateway/cache.py.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from gateway.cache_levels import BoundedMemory, CacheStats, Clock, Entry

log = logging.getLogger("gateway.cache")

JSON = Any

WRITE_SLICE = 500
"""Entries a Redis write sends at once."""


def credential_namespace(org_id: str | None, api_key: str | None) -> str:
    """Key prefix for one org and credential; the key itself is only ever hashed."""
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:16]
    return f"jcgraph:{org_id or 'default'}:{digest}:"


class CacheStore:
    """Entries by key over this process's memory (`local`) and the shared level (`backend`).

    One store is shared by an engine and all its charged copies (`TTLCache.charging` copies
    the engine, never its store), so its state (the memory, the outage) is this store's own.
    """

    def __init__(
        self,
        backend: Any,
        *,
        namespace: str,
        ttl: float,
        stale_ttl: float,
        negative_ttl: float,
        clock: Clock,
        stats: CacheStats,
        local: BoundedMemory,
    ) -> None:
        self._backend = backend
        """The shared level (Redis); None when this process's memory is the only level."""
        self.namespace = namespace
        self.ttl = ttl
        self.stale_ttl = stale_ttl
        self.negative_ttl = negative_ttl
        self.clock = clock
        self.stats = stats
        self.local = local
        """Decoded entries in this process: the whole cache for `memory://`, the first level
        in front of a shared backend otherwise (fresh entries only)."""
        self._down = False
        """Whether the shared level is failing now (so an outage logs its start and end once)."""

    async def close(self) -> None:
        """Let go of the memory and the backend."""
        self.local.clear()
        if self._backend is not None:
            await self._backend.close()

    async def clear(self) -> None:
        self.local.clear()
        if self._backend is not None:
            await self._backend.clear()

    def _key(self, key: str) -> str:
        return self.namespace + key

    async def ping(self) -> None:
        """Raise when the shared backend does not answer (readiness)."""
        if self._backend is not None:
            await self._backend.exists(self._key("ping"))

    async def read(self, keys: Sequence[str]) -> dict[str, Entry]:
        """Entries for `keys` (fresh or within their stale window): from this process's
        memory (decoded, no backend read), else from the shared backend."""
        if not keys:
            return {}
        found: dict[str, Entry] = {}
        remote: list[str] = []
        now = self.clock()
        for key in keys:
            entry = self.local.get(key)
            if entry is not None and (self._backend is None or self.fresh(entry, now)):
                found[key] = entry
                continue
            if entry is not None:
                # Past its TTL, the shared level answers: another replica may have refreshed
                # it, and it holds the copy served stale on errors.
                self.local.drop(key)
            remote.append(key)
        if self._backend is None or not remote:
            return found
        try:
            raw = await self._backend.multi_get([self._key(k) for k in remote])
        except Exception as exc:  # a cache outage must not fail reads JumpCloud can answer
            self._backend_failed("read", exc)
            return found
        self._backend_answered()
        for key, item in zip(remote, raw, strict=True):
            if isinstance(item, dict) and "t" in item:
                if "v" in item:
                    entry = Entry(item["v"], float(item["t"]))
                elif item.get("a") == 1:
                    entry = Entry(None, float(item["t"]), absent=True)
                else:
                    continue
                found[key] = entry
                if self.fresh(entry, now):
                    self.local.put(key, entry, len(orjson.dumps(item)), self._end(entry, now))
        return found

    def fresh(self, entry: Entry, now: float) -> bool:
        return now - entry.stored_at < self.life(entry)

    def _end(self, entry: Entry, now: float) -> float:
        """When this process forgets an entry: with a shared level, at the end of its TTL
        (then the shared level answers); alone, at the end of its stale window."""
        life = self.life(entry)
        if self._backend is not None:
            return entry.stored_at + life
        return now + max(1, int(life + self.stale_ttl))

    def life(self, entry: Entry) -> float:
        """How long an entry is fresh: the TTL, or the negative TTL for a "not found"."""
        return self.negative_ttl if entry.absent else self.ttl

    async def write_many(
        self, values: Mapping[str, JSON], *, stored_at: float | None = None
    ) -> None:
        """Store values as of `stored_at` (default now: a value derived from older entries
        passes their age on); a backend failure is logged and counted, never raised."""
        if not values:
            return
        now = self.clock() if stored_at is None else stored_at
        items = [{"v": v, "t": now} for v in values.values()]
        await self._write(list(values), items, self.ttl)

    async def write_absent(self, keys: Sequence[str]) -> None:
        """Remember `keys` as "not found" for the negative TTL (nothing when it is 0)."""
        if not keys or self.negative_ttl <= 0:
            return
        now = self.clock()
        await self._write(list(keys), [{"a": 1, "t": now} for _ in keys], self.negative_ttl)

    async def _write(self, keys: list[str], items: list[dict[str, Any]], life: float) -> None:
        # This process keeps what the shared level would return (JSON, decoded), never the
        # caller's own objects: both levels answer alike, and no caller can change an entry.
        raw = [orjson.dumps(item) for item in items]
        now = self.clock()
        for key, item, text in zip(keys, items, raw, strict=True):
            decoded = orjson.loads(text)
            entry = Entry(decoded.get("v"), float(item["t"]), absent="a" in item)
            if self._backend is None or self.fresh(entry, now):
                self.local.put(key, entry, len(key) + len(text), self._end(entry, now))
        if self._backend is None:
            return
        pairs = [(self._key(k), text) for k, text in zip(keys, raw, strict=True)]
        try:
            # In slices: each within the backend's timeout however large the write (an
            # access index is thousands of entries), so one slow write is no outage.
            for start in range(0, len(pairs), WRITE_SLICE):
                await self._backend.multi_set(
                    pairs[start : start + WRITE_SLICE], ttl=max(1, int(life + self.stale_ttl))
                )
        except Exception as exc:
            self._backend_failed("write", exc)

    def _backend_failed(self, action: str, exc: BaseException) -> None:
        """Count every failure; log the first of an outage only (then its end), not one
        line per read while the backend is down."""
        self.stats.backend_errors += 1
        if not self._down:
            self._down = True
            log.warning(
                "cache %s failed (%s): reading JumpCloud directly until the cache answers",
                action,
                type(exc).__name__,
            )

    def _backend_answered(self) -> None:
        if self._down:
            self._down = False
            log.warning("the cache answers again")
