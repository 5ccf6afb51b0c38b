"""The shared TTL cache: JSON entries, single-flight loads, stale-if-error, "not found"
remembered briefly, a bounded in-process backend (sole aiocache user)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
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

    def merge(self, other: CacheTally) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.stale += other.stale
        if other.oldest_stored_at is not None:
            self.saw(other.oldest_stored_at)


current_cache_tally: contextvars.ContextVar[CacheTally | None] = contextvars.ContextVar(
    "current_cache_tally", default=None
)


@dataclass(frozen=True)
class Entry:
    value: JSON
    stored_at: float
    absent: bool = False
    """A remembered "not found": the key does not exist upstream (`value` is None)."""


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
    backend_errors: int = 0
    negative_hits: int = 0
    evictions: int = 0
    memory_entries: int = 0
    memory_bytes: int = 0


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

    With `negative_ttl` > 0, a key a load_many fetch left out ("not found") is remembered
    as absent for that long, and served as absent: fresh, or stale while loads fail, as
    any entry.

    `stale_scope`, when given, is entered around a load whose every key has a stale entry
    to fall back on: the client's single attempt, so no retries are spent on an answer
    already in hand.
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
        negative_ttl: float = 0.0,
        stats: CacheStats | None = None,
        stale_scope: Callable[[], contextlib.AbstractContextManager[object]] | None = None,
    ) -> None:
        self._backend = backend
        self._namespace = namespace
        self.ttl = ttl
        self.stale_ttl = stale_ttl
        self.negative_ttl = negative_ttl
        self._stale_on = stale_on
        self._clock = clock
        self._inflight: dict[str, asyncio.Future[_Outcome]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.stats = stats if stats is not None else CacheStats()
        self._stale_scope = stale_scope

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
        negative_ttl: float = 0.0,
        max_entries: int | None = None,
        max_bytes: int | None = None,
        stale_scope: Callable[[], contextlib.AbstractContextManager[object]] | None = None,
    ) -> TTLCache:
        """`memory://` is this process's own bounded LRU (`max_entries`, `max_bytes`);
        `redis://` bounds itself (its `maxmemory` policy)."""
        parts = urlsplit(url)
        serializer = _OrjsonSerializer()
        stats = CacheStats()
        backend: Any
        if parts.scheme == "memory":
            backend = BoundedMemory(
                max_entries=max_entries, max_bytes=max_bytes, clock=clock, stats=stats
            )
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
            negative_ttl=negative_ttl,
            stats=stats,
            stale_scope=stale_scope,
        )

    async def close(self) -> None:
        await self._backend.close()

    async def clear(self) -> None:
        await self._backend.clear()

    def _key(self, key: str) -> str:
        return self._namespace + key

    async def ping(self) -> None:
        """Raise when the backend does not answer (readiness)."""
        await self._backend.exists(self._key("ping"))

    async def _read(self, keys: Sequence[str]) -> dict[str, Entry]:
        if not keys:
            return {}
        try:
            raw = await self._backend.multi_get([self._key(k) for k in keys])
        except Exception as exc:  # a cache outage must not fail reads JumpCloud can answer
            self.stats.backend_errors += 1
            log.warning("cache read failed, reading upstream: %s", type(exc).__name__)
            return {}
        found: dict[str, Entry] = {}
        for key, item in zip(keys, raw, strict=True):
            if isinstance(item, dict) and "t" in item:
                if "v" in item:
                    found[key] = Entry(item["v"], float(item["t"]))
                elif item.get("a") == 1:
                    found[key] = Entry(None, float(item["t"]), absent=True)
        return found

    def _life(self, entry: Entry) -> float:
        return self.negative_ttl if entry.absent else self.ttl

    async def write_many(
        self, values: Mapping[str, JSON], *, stored_at: float | None = None
    ) -> None:
        """Store values as of `stored_at` (default now: a value derived from older entries
        passes their age on); a backend failure is logged and counted, never raised."""
        if not values:
            return
        now = self._clock() if stored_at is None else stored_at
        pairs = [(self._key(k), {"v": v, "t": now}) for k, v in values.items()]
        await self._write(pairs, self.ttl)

    async def _write_absent(self, keys: Sequence[str]) -> None:
        if not keys or self.negative_ttl <= 0:
            return
        now = self._clock()
        await self._write([(self._key(k), {"a": 1, "t": now}) for k in keys], self.negative_ttl)

    async def _write(self, pairs: list[tuple[str, dict[str, Any]]], life: float) -> None:
        try:
            await self._backend.multi_set(pairs, ttl=max(1, int(life + self.stale_ttl)))
        except Exception as exc:
            self.stats.backend_errors += 1
            log.warning("cache write failed: %s", type(exc).__name__)

    async def peek_many(self, keys: Sequence[str], *, count: bool = True) -> dict[str, JSON]:
        """Fresh values, never a load; `count=False` for a planner's look that serves nothing."""
        return {k: e.value for k, e in (await self.peek_entries(keys, count=count)).items()}

    async def peek_entries(self, keys: Sequence[str], *, count: bool = True) -> dict[str, Entry]:
        """Fresh entries (value and when it was stored), never a load; remembered "not
        found"s are not values and are left out."""
        now = self._clock()
        fresh = {
            k: e
            for k, e in (await self._read(keys)).items()
            if not e.absent and now - e.stored_at < self.ttl
        }
        tally = current_cache_tally.get()
        if count:
            self.stats.hits += len(fresh)
            if tally is not None:
                tally.hits += len(fresh)
                for entry in fresh.values():
                    tally.saw(entry.stored_at)
        return fresh

    async def load(self, key: str, fetch: Callable[[], Awaitable[JSON]]) -> JSON:
        """One value; raises what the fetch raised (or the stale value, see the class)."""

        async def fetch_one(missing: list[str]) -> dict[str, JSON]:
            return {key: await fetch()}

        value = (await self.load_many([key], fetch_one))[key]
        if isinstance(value, BaseException):
            raise value
        return value

    async def load_many(
        self,
        keys: Iterable[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]],
    ) -> dict[str, JSON | BaseException]:
        """Values for `keys`: fresh ones from the cache, the rest from one `fetch(missing)`.

        `fetch` may leave a key out (it does not exist upstream: absent from the result, and
        remembered as absent for `negative_ttl`) or map it to an exception (that key failed:
        the exception is its value here, so one failing key never fails the others). A fetch
        that raises fails every key it was asked for, except those served stale.
        """
        wanted = list(dict.fromkeys(keys))
        tally = current_cache_tally.get()
        now = self._clock()
        entries = await self._read(wanted)
        result: dict[str, JSON | BaseException] = {}
        answered: set[str] = set()
        expired: dict[str, Entry] = {}
        for key in wanted:
            entry = entries.get(key)
            if entry is None:
                continue
            age, life = now - entry.stored_at, self._life(entry)
            if age < life:
                answered.add(key)
                if entry.absent:
                    self.stats.negative_hits += 1
                else:
                    result[key] = entry.value
                self.stats.hits += 1
                if tally is not None:
                    tally.hits += 1
                    tally.saw(entry.stored_at)
            elif age < life + self.stale_ttl:
                expired[key] = entry
        missing = [k for k in wanted if k not in answered]
        if not missing:
            return result
        self.stats.misses += len(missing)
        if tally is not None:
            tally.misses += len(missing)

        futures = {k: self._inflight[k] for k in missing if k in self._inflight}
        self.stats.coalesced += len(futures)
        mine = [k for k in missing if k not in futures]
        if mine:
            loop = asyncio.get_running_loop()
            own = {k: loop.create_future() for k in mine}
            self._inflight.update(own)
            futures.update(own)
            # The load runs in a task of its own: a caller that is cancelled (graphql-core
            # cancels sibling fields) must not cancel it for the others waiting on it.
            task = asyncio.create_task(self._fetch(mine, fetch, expired, own))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        for key in missing:
            outcome = await asyncio.shield(futures[key])
            if outcome.stale_at is not None and tally is not None:
                tally.stale += 1
                tally.saw(outcome.stale_at)
            if outcome.absent:
                continue
            result[key] = outcome.error if outcome.error is not None else outcome.value
        return result

    async def _fetch(
        self,
        keys: list[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]],
        expired: Mapping[str, Entry],
        futures: Mapping[str, asyncio.Future[_Outcome]],
    ) -> None:
        try:
            self.stats.loads += 1
            failure: BaseException | None = None
            scope: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
            if self._stale_scope is not None and all(k in expired for k in keys):
                scope = self._stale_scope()
            try:
                with scope:
                    fetched = dict(await fetch(keys))
            except Exception as exc:
                fetched, failure = {}, exc
            fresh = {k: v for k, v in fetched.items() if k in futures and not _is_error(v)}
            await self.write_many(fresh)
            if failure is None:
                await self._write_absent([k for k in futures if k not in fetched])
            for key, future in futures.items():
                error = fetched.get(key, failure)
                if key in fresh:
                    future.set_result(_Outcome(value=fresh[key]))
                elif error is None:
                    future.set_result(_Outcome(absent=True))
                elif isinstance(error, self._stale_on) and key in expired:
                    self.stats.stale_served += 1
                    log.warning("serving a stale cache entry: %s", type(error).__name__)
                    entry = expired[key]
                    future.set_result(
                        _Outcome(value=entry.value, absent=entry.absent, stale_at=entry.stored_at)
                    )
                else:
                    future.set_result(_Outcome(error=error))
        finally:
            for key, future in futures.items():
                if not future.done():  # this task itself was cancelled (shutdown)
                    future.set_result(_Outcome(error=RuntimeError("the load was cancelled")))
                if self._inflight.get(key) is future:
                    del self._inflight[key]


class BoundedMemory:
    """The in-process backend: JSON bytes in least-recently-used order, within
    `max_entries` entries and `max_bytes` bytes (of keys and JSON values; None: unbounded).

    Entries expire on the cache's clock (their TTL plus the stale window). Past a bound the
    least recently read or written go first, counted in `stats.evictions`; an expired one
    that goes is not counted, it was dead already.
    """

    def __init__(
        self, *, max_entries: int | None, max_bytes: int | None, clock: Clock, stats: CacheStats
    ) -> None:
        if (max_entries is not None and max_entries < 1) or (
            max_bytes is not None and max_bytes < 1
        ):
            raise ValueError("max_entries and max_bytes must be at least 1 (or None)")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._stats = stats
        self._items: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._bytes = 0

    async def multi_get(self, keys: Sequence[str]) -> list[Any]:
        now = self._clock()
        found: list[Any] = []
        for key in keys:
            item = self._items.get(key)
            if item is None or item[1] <= now:
                if item is not None:
                    self._drop(key)
                found.append(None)
                continue
            self._items.move_to_end(key)
            found.append(orjson.loads(item[0]))
        self._publish()
        return found

    async def multi_set(self, pairs: Sequence[tuple[str, Any]], ttl: float) -> None:
        expires = self._clock() + ttl
        for key, value in pairs:
            raw = orjson.dumps(value)
            if key in self._items:
                self._drop(key)
            if self._max_bytes is not None and len(key) + len(raw) > self._max_bytes:
                self._stats.evictions += 1  # could never fit: dropped at once
                continue
            self._items[key] = (raw, expires)
            self._bytes += len(key) + len(raw)
        self._evict()

    async def exists(self, key: str) -> bool:
        item = self._items.get(key)
        return item is not None and item[1] > self._clock()

    async def clear(self) -> None:
        self._items.clear()
        self._bytes = 0
        self._publish()

    async def close(self) -> None:
        await self.clear()

    def _drop(self, key: str) -> None:
        raw, _ = self._items.pop(key)
        self._bytes -= len(key) + len(raw)

    def _evict(self) -> None:
        now = self._clock()
        while self._items and (
            (self._max_entries is not None and len(self._items) > self._max_entries)
            or (self._max_bytes is not None and self._bytes > self._max_bytes)
        ):
            key, (raw, expires) = self._items.popitem(last=False)
            self._bytes -= len(key) + len(raw)
            if expires > now:
                self._stats.evictions += 1
        self._publish()

    def _publish(self) -> None:
        self._stats.memory_entries = len(self._items)
        self._stats.memory_bytes = self._bytes


def _is_error(value: object) -> bool:
    return isinstance(value, BaseException)


@dataclass(frozen=True)
class _Outcome:
    """How one key's load ended, shared by every caller waiting on it."""

    value: JSON = None
    error: BaseException | None = None
    absent: bool = False
    stale_at: float | None = None
