"""The shared TTL cache: JSON entries, single-flight loads, stale-if-error (sole aiocache user)."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiocache import Cache as AioCache
from aiocache.serializers import BaseSerializer

log = logging.getLogger("gateway.cache")

Clock = Callable[[], float]
JSON = Any


@dataclass
class CacheTally:
    """What one GraphQL request got from the cache (reported in its `extensions`)."""

    hits: int = 0
    misses: int = 0
    stale: int = 0
    oldest_stored_at: float | None = None

    def saw(self, stored_at: float) -> None:
        if self.oldest_stored_at is None or stored_at < self.oldest_stored_at:
            self.oldest_stored_at = stored_at


current_cache_tally: contextvars.ContextVar[CacheTally | None] = contextvars.ContextVar(
    "current_cache_tally", default=None
)


@dataclass(frozen=True)
class Entry:
    value: JSON
    stored_at: float


class _OrjsonSerializer(BaseSerializer):  # type: ignore[misc]
    """JSON text, so an entry is the same bytes in memory and in Redis."""

    DEFAULT_ENCODING = None

    def dumps(self, value: Any) -> bytes:
        return orjson.dumps(value)

    def loads(self, value: Any) -> Any:
        if value is None:
            return None
        return orjson.loads(value)


@dataclass
class CacheStats:
    """Process-wide counters (exported as metrics)."""

    hits: int = 0
    misses: int = 0
    stale_served: int = 0
    loads: int = 0
    coalesced: int = 0


def credential_namespace(org_id: str | None, api_key: str | None) -> str:
    """Key prefix for one org and credential; the key itself is only ever hashed."""
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:16]
    return f"jcgraph:{org_id or 'default'}:{digest}:"


class TTLCache:
    """A TTL cache whose entries survive past their TTL for `stale_ttl` more seconds.

    A fresh entry is served. A missing or expired one is loaded; concurrent loads of the
    same key share one call (single-flight). When a load fails with one of `stale_on`
    and an expired entry is still within its stale window, the expired entry is served
    and counted as stale instead of failing.
    """

    def __init__(
        self,
        backend: Any,
        *,
        namespace: str,
        ttl: float,
        stale_ttl: float,
        stale_on: tuple[type[BaseException], ...] = (),
        clock: Clock = time.time,
    ) -> None:
        self._backend = backend
        self._namespace = namespace
        self.ttl = ttl
        self.stale_ttl = stale_ttl
        self._stale_on = stale_on
        self._clock = clock
        self._inflight: dict[str, asyncio.Future[JSON]] = {}
        self.stats = CacheStats()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str,
        ttl: float,
        stale_ttl: float,
        stale_on: tuple[type[BaseException], ...] = (),
        clock: Clock = time.time,
    ) -> TTLCache:
        parts = urlsplit(url)
        serializer = _OrjsonSerializer()
        backend: Any
        if parts.scheme == "memory":
            backend = AioCache(AioCache.MEMORY, serializer=serializer)
        elif parts.scheme in {"redis", "rediss"}:
            db = int(parts.path.lstrip("/") or 0)
            backend = AioCache(
                AioCache.REDIS,
                endpoint=parts.hostname or "127.0.0.1",
                port=parts.port or 6379,
                db=db,
                password=parts.password,
                ssl=parts.scheme == "rediss",
                serializer=serializer,
            )
        else:
            raise ValueError(f"unsupported cache url scheme {parts.scheme!r}")
        return cls(
            backend,
            namespace=namespace,
            ttl=ttl,
            stale_ttl=stale_ttl,
            stale_on=stale_on,
            clock=clock,
        )

    async def close(self) -> None:
        await self._backend.close()

    async def clear(self) -> None:
        await self._backend.clear()

    def _key(self, key: str) -> str:
        return self._namespace + key

    async def _read(self, keys: Sequence[str]) -> dict[str, Entry]:
        if not keys:
            return {}
        raw = await self._backend.multi_get([self._key(k) for k in keys])
        found: dict[str, Entry] = {}
        for key, item in zip(keys, raw, strict=True):
            if isinstance(item, dict) and "v" in item and "t" in item:
                found[key] = Entry(item["v"], float(item["t"]))
        return found

    async def write_many(self, values: Mapping[str, JSON]) -> None:
        """Store fresh values (also used to fill entries a wider read brought in)."""
        if not values:
            return
        now = self._clock()
        pairs = [(self._key(k), {"v": v, "t": now}) for k, v in values.items()]
        await self._backend.multi_set(pairs, ttl=max(1, int(self.ttl + self.stale_ttl)))

    async def peek_many(self, keys: Sequence[str], *, count: bool = True) -> dict[str, JSON]:
        """Fresh values, never a load; `count=False` for a planner's look that serves nothing."""
        now = self._clock()
        fresh = {k: e for k, e in (await self._read(keys)).items() if now - e.stored_at < self.ttl}
        tally = current_cache_tally.get()
        if count:
            self.stats.hits += len(fresh)
            if tally is not None:
                tally.hits += len(fresh)
                for entry in fresh.values():
                    tally.saw(entry.stored_at)
        return {k: e.value for k, e in fresh.items()}

    async def load(self, key: str, fetch: Callable[[], Awaitable[JSON]]) -> JSON:
        async def fetch_one(missing: list[str]) -> dict[str, JSON]:
            return {key: await fetch()}

        return (await self.load_many([key], fetch_one))[key]

    async def load_many(
        self,
        keys: Iterable[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON]]],
    ) -> dict[str, JSON]:
        """Values for `keys`: fresh ones from the cache, the rest from one `fetch(missing)`.

        `fetch` may leave a key out (it does not exist upstream); such keys are absent from
        the result and are not cached.
        """
        wanted = list(dict.fromkeys(keys))
        tally = current_cache_tally.get()
        now = self._clock()
        entries = await self._read(wanted)
        result: dict[str, JSON] = {}
        expired: dict[str, Entry] = {}
        for key in wanted:
            entry = entries.get(key)
            if entry is not None and now - entry.stored_at < self.ttl:
                result[key] = entry.value
                self.stats.hits += 1
                if tally is not None:
                    tally.hits += 1
                    tally.saw(entry.stored_at)
            elif entry is not None and now - entry.stored_at < self.ttl + self.stale_ttl:
                expired[key] = entry
        missing = [k for k in wanted if k not in result]
        if not missing:
            return result
        self.stats.misses += len(missing)
        if tally is not None:
            tally.misses += len(missing)

        joined = {k: self._inflight[k] for k in missing if k in self._inflight}
        mine = [k for k in missing if k not in joined]
        self.stats.coalesced += len(joined)
        if mine:
            await self._fetch_into(mine, fetch, expired, result)
        for key, future in joined.items():
            try:
                value = await asyncio.shield(future)
            except _Absent:
                continue
            result[key] = value
        return result

    async def _fetch_into(
        self,
        keys: list[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON]]],
        expired: Mapping[str, Entry],
        result: dict[str, JSON],
    ) -> None:
        loop = asyncio.get_running_loop()
        futures = {k: loop.create_future() for k in keys}
        self._inflight.update(futures)
        try:
            self.stats.loads += 1
            try:
                fetched = dict(await fetch(keys))
            except self._stale_on as exc:
                stale = {k: expired[k] for k in keys if k in expired}
                if len(stale) != len(keys):
                    raise
                log.warning("serving %d stale cache entries: %s", len(stale), type(exc).__name__)
                self._serve_stale(stale, futures, result)
                return
            await self.write_many({k: v for k, v in fetched.items() if k in futures})
            for key, future in futures.items():
                if key in fetched:
                    result[key] = fetched[key]
                    future.set_result(fetched[key])
                else:
                    future.set_exception(_Absent())
        except BaseException as exc:
            for future in futures.values():
                if not future.done():
                    future.set_exception(exc)
            raise
        finally:
            for key, future in futures.items():
                if self._inflight.get(key) is future:
                    del self._inflight[key]
                if future.done() and not future.cancelled():
                    future.exception()  # mark retrieved: joiners may have gone away

    def _serve_stale(
        self,
        stale: Mapping[str, Entry],
        futures: Mapping[str, asyncio.Future[JSON]],
        result: dict[str, JSON],
    ) -> None:
        tally = current_cache_tally.get()
        for key, entry in stale.items():
            result[key] = entry.value
            futures[key].set_result(entry.value)
            self.stats.stale_served += 1
            if tally is not None:
                tally.stale += 1
                tally.saw(entry.stored_at)


class _Absent(Exception):
    """Internal: the key does not exist upstream."""


@dataclass
class FakeClock:
    """An injectable clock for tests: time moves only when told to."""

    now: float = field(default=1_700_000_000.0)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
