"""The cache's two levels, process memory and shared Redis, and the builder of a cache on them.

The levels are this process's memory (`BoundedMemory`, decoded `Entry`s in LRU order) and
the shared one (Redis through aiocache, JSON by orjson); `open_cache` builds a `TTLCache` on
the levels a URL names. The engine itself is gateway/cache.py."""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import orjson
from aiocache import Cache as AioCache
from aiocache.serializers import BaseSerializer

from gateway.lease import Leases

if TYPE_CHECKING:
    from gateway.cache import TTLCache

Clock = Callable[[], float]
JSON = Any
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    value: JSON
    stored_at: float
    absent: bool = False
    """A remembered "not found": the key does not exist upstream (`value` is None)."""
    views: dict[Callable[[Any], Any], Any] = field(default_factory=dict, compare=False, repr=False)
    """Decoded forms of `value` (a collection by id, an index's neighbours), each made once
    while the entry lives in this process's first level."""

    def view(self, decode: Callable[[Any], T]) -> T:
        """`decode(value)`, made once per entry (values are shared: never mutate them)."""
        try:
            found: T = self.views[decode]
        except KeyError:
            found = self.views[decode] = decode(self.value)
        return found


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


class _OrjsonSerializer(BaseSerializer):  # type: ignore[misc]
    """JSON text, so an entry is the same bytes in memory and in Redis."""

    DEFAULT_ENCODING = None

    def dumps(self, value: Any) -> bytes:
        # Entries arrive already encoded (`_write` encodes each once, for both levels).
        return value if isinstance(value, bytes) else orjson.dumps(value)

    def loads(self, value: Any) -> Any:
        if value is None:
            return None
        return orjson.loads(value)


class BoundedMemory:
    """This process's cache memory: decoded entries in least-recently-used order, within
    `max_entries` entries and `max_bytes` bytes (of keys and the entries' JSON; None:
    unbounded).

    Each entry is forgotten at its end (the cache says when, on the cache's clock). Past a
    bound the least recently read or written go first, counted in `stats.evictions`; an
    ended one that goes is not counted, it was dead already.
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
        self._items: OrderedDict[str, tuple[Entry, int, float]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str, now: float | None = None) -> Entry | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[2] <= (self._clock() if now is None else now):
            self.drop(key)
            self._publish()
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: str, entry: Entry, size: int, end: float) -> None:
        if key in self._items:
            self.drop(key)
        if self._max_bytes is not None and size > self._max_bytes:
            self._stats.evictions += 1  # could never fit: dropped at once
            self._publish()
            return
        self._items[key] = (entry, size, end)
        self._bytes += size
        self._evict()

    def drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= item[1]

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0
        self._publish()

    def _evict(self) -> None:
        now = self._clock()
        while self._items and (
            (self._max_entries is not None and len(self._items) > self._max_entries)
            or (self._max_bytes is not None and self._bytes > self._max_bytes)
        ):
            _, (_, size, end) = self._items.popitem(last=False)
            self._bytes -= size
            if end > now:
                self._stats.evictions += 1
        self._publish()

    def _publish(self) -> None:
        self._stats.memory_entries = len(self._items)
        self._stats.memory_bytes = self._bytes


def open_cache(
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
    leases: Leases | None = None,
) -> TTLCache:
    """`memory://` is this process's own bounded LRU (`max_entries`, `max_bytes`);
    `redis://` bounds itself (its `maxmemory` policy). `leases` make a miss one load
    across replicas (Redis only)."""
    from gateway.cache import TTLCache  # the engine imports this module's levels

    parts = urlsplit(url)
    serializer = _OrjsonSerializer()
    stats = CacheStats()
    local = BoundedMemory(max_entries=max_entries, max_bytes=max_bytes, clock=clock, stats=stats)
    backend: Any = None
    if parts.scheme in {"redis", "rediss"}:
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
    elif parts.scheme != "memory":
        raise ValueError(f"unsupported cache url scheme {parts.scheme!r}")
    return TTLCache(
        backend,
        namespace=namespace,
        ttl=ttl,
        stale_ttl=stale_ttl,
        stale_on=stale_on,
        clock=clock,
        negative_ttl=negative_ttl,
        stats=stats,
        stale_scope=stale_scope,
        local=local,
        leases=leases,
    )
