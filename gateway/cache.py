"""The TTL cache's engine: fresh reads, stale-if-error and what each request read.

Loads of one key share one call (gateway/cache_flight.py; across replicas with Redis leases,
gateway/lease.py); an expired entry is served while JumpCloud is down; "not found" is
remembered briefly. Entries are read and written by gateway/cache_store.py over the two levels
of gateway/cache_levels.py (`open_cache` builds a cache from a URL)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from gateway.cache_flight import Fetch, Flights
from gateway.cache_levels import BoundedMemory, CacheStats, Clock, Entry
from gateway.cache_store import CacheStore
from gateway.lease import Leases
from gateway.request_cost import CacheTally

JSON = Any
T = TypeVar("T")
MISSING: Any = object()
"""What `peek_local` answers for a key it cannot serve from this process."""


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
        local: BoundedMemory | None = None,
        leases: Leases | None = None,
    ) -> None:
        stats = stats if stats is not None else CacheStats()
        self._store = CacheStore(
            backend,
            namespace=namespace,
            ttl=ttl,
            stale_ttl=stale_ttl,
            negative_ttl=negative_ttl,
            clock=clock,
            stats=stats,
            local=local
            or BoundedMemory(max_entries=20_000, max_bytes=None, clock=clock, stats=stats),
        )
        """The entries over both levels: one store, shared with every charged copy."""
        self._leases = leases if backend is not None else None
        """One load per key across replicas (gateway/lease.py): only with a shared level."""
        self._flights = Flights(
            self._store, stale_on=stale_on, stale_scope=stale_scope, leases=self._leases
        )
        """The loads in flight: one object, shared with every charged copy."""
        self._tally: CacheTally | None = None
        self._max_age: float | None = None

    def charging(self, tally: CacheTally, max_age: float | None = None) -> TTLCache:
        """This cache as one request reads it: what it serves is counted in `tally`, and with
        `max_age` (seconds; the request asked for fresher data than the TTL gives, with
        `Cache-Control: no-cache` or `max-age`, gateway/freshness.py) no older entry is taken
        as fresh: it is re-read as if expired (and still served stale if the read fails).
        Entries are stored, and expire, as always; every other piece of state is shared."""
        charged = copy.copy(self)
        charged._tally, charged._max_age = tally, max_age
        return charged

    @property
    def ttl(self) -> float:
        return self._store.ttl

    @property
    def stale_ttl(self) -> float:
        return self._store.stale_ttl

    @property
    def stats(self) -> CacheStats:
        return self._store.stats

    @property
    def namespace(self) -> str:
        """The organisation and a hash of the credential every key is prefixed with."""
        return self._store.namespace

    async def close(self) -> None:
        """Stop loads still running (a hung upstream, a prefetch nobody awaited), then let go
        of the memory and the backend."""
        await self._flights.close()
        await self._store.close()

    async def clear(self) -> None:
        await self._store.clear()

    async def ping(self) -> None:
        """Raise when the shared backend does not answer (readiness)."""
        await self._store.ping()

    def peek_local(
        self, key: str, decode: Callable[[Any], T] | None = None, *, count: bool = True
    ) -> T | Any:
        """A fresh value from this process's memory, decoded, counted as a hit (unless
        `count=False`: a look that serves nothing); None for a "not found" remembered fresh;
        or MISSING (never a backend read, never a load: for resolvers that answer from
        memory without awaiting)."""
        now = self._store.clock()
        entry = self._store.local.get(key, now)
        if entry is None:
            return MISSING
        life = self._store.life(entry)
        if now - entry.stored_at >= self._asked(life):
            return MISSING
        if count:
            if entry.absent:
                self.stats.negative_hits += 1
            self._hit(entry.stored_at, 1, life)
        if entry.absent:
            return None
        return entry.value if decode is None else entry.view(decode)

    def _hit(self, oldest: float, count: int, life: float | None = None) -> None:
        """`count` entries served fresh, the oldest stored at `oldest` and fresh for `life`
        (the TTL unless given): a response made from them is the same until then."""
        self.stats.hits += count
        tally = self._tally
        if tally is not None:
            tally.hits += count
            tally.saw(oldest)
            tally.fresh_until(oldest + (self.ttl if life is None else life))

    def peek_local_many(
        self, keys: Sequence[str], decode: Callable[[Any], T] | None = None
    ) -> list[T | Any] | None:
        """`peek_local` of every key, at one moment; None unless every one is held fresh."""
        now = self._store.clock()
        local, ttl = self._store.local, self._asked(self.ttl)
        entries = []
        for key in keys:
            entry = local.get(key, now)
            if entry is None or entry.absent or now - entry.stored_at >= ttl:
                return None
            entries.append(entry)
        if not entries:
            return []
        self._hit(min(e.stored_at for e in entries), len(entries))
        if decode is None:
            return [e.value for e in entries]
        return [e.view(decode) for e in entries]

    def _asked(self, life: float) -> float:
        """How long an entry of this `life` is fresh for this request: its life, or the
        request's max age when it asked for fresher (`charging`)."""
        asked = self._max_age
        return life if asked is None else min(life, asked)

    async def write_many(
        self, values: Mapping[str, JSON], *, stored_at: float | None = None
    ) -> None:
        """Store values as of `stored_at` (default now: a value derived from older entries
        passes their age on); a backend failure is logged and counted, never raised."""
        await self._store.write_many(values, stored_at=stored_at)

    async def peek_many(
        self,
        keys: Sequence[str],
        *,
        count: bool = True,
        decode: Callable[[Any], Any] | None = None,
    ) -> dict[str, JSON]:
        """Fresh values (decoded, if asked), never a load; `count=False` for a planner's look
        that serves nothing."""
        entries = await self.peek_entries(keys, count=count)
        return {k: _decoded(e, decode) for k, e in entries.items()}

    async def peek_entries(self, keys: Sequence[str], *, count: bool = True) -> dict[str, Entry]:
        """Fresh entries (value and when it was stored), never a load; remembered "not
        found"s are not values and are left out."""
        now = self._store.clock()
        fresh = {
            k: e
            for k, e in (await self._store.read(keys)).items()
            if not e.absent and now - e.stored_at < self._asked(self.ttl)
        }
        tally = self._tally
        if count:
            self.stats.hits += len(fresh)
            if tally is not None:
                tally.hits += len(fresh)
                for entry in fresh.values():
                    tally.saw(entry.stored_at)
                    tally.fresh_until(entry.stored_at + self._store.life(entry))
        return fresh

    async def load(
        self,
        key: str,
        fetch: Callable[[], Awaitable[JSON]],
        *,
        decode: Callable[[Any], Any] | None = None,
    ) -> JSON:
        """One value; raises what the fetch raised (or the stale value, see the class)."""

        async def fetch_one(missing: list[str]) -> dict[str, JSON]:
            return {key: await fetch()}

        value = (await self.load_many([key], fetch_one, decode=decode))[key]
        if isinstance(value, BaseException):
            raise value
        return value

    async def load_many(
        self,
        keys: Iterable[str],
        fetch: Fetch,
        *,
        decode: Callable[[Any], Any] | None = None,
    ) -> dict[str, JSON | BaseException]:
        """Values for `keys`: fresh ones from the cache, the rest from one `fetch(missing)`;
        each passed through `decode` (once per entry while it lives in the first level).

        `fetch` may leave a key out (it does not exist upstream: absent from the result, and
        remembered as absent for `negative_ttl`) or map it to an exception (that key failed:
        the exception is its value here, so one failing key never fails the others). A fetch
        that raises fails every key it was asked for, except those served stale.
        """
        wanted = list(dict.fromkeys(keys))
        tally = self._tally
        asked = self._max_age
        store = self._store
        now = store.clock()
        entries = await store.read(wanted)
        result: dict[str, JSON | BaseException] = {}
        answered: set[str] = set()
        expired: dict[str, Entry] = {}
        for key in wanted:
            entry = entries.get(key)
            if entry is None:
                continue
            age, life = now - entry.stored_at, store.life(entry)
            if age < self._asked(life):
                answered.add(key)
                if entry.absent:
                    self.stats.negative_hits += 1
                else:
                    result[key] = _decoded(entry, decode)
                self.stats.hits += 1
                if tally is not None:
                    tally.hits += 1
                    tally.saw(entry.stored_at)
                    tally.fresh_until(entry.stored_at + life)
            elif age < life + self.stale_ttl:
                expired[key] = entry
        missing = [k for k in wanted if k not in answered]
        if not missing:
            return result
        self.stats.misses += len(missing)
        if tally is not None:
            tally.misses += len(missing)

        futures = self._flights.join(missing, fetch, expired, asked)
        for key in missing:
            outcome = await asyncio.shield(futures[key])
            if outcome.stale_at is not None and tally is not None:
                tally.stale += 1
                tally.saw(outcome.stale_at)
            if outcome.error is not None:
                result[key] = outcome.error
            elif outcome.entry is not None and not outcome.entry.absent:
                result[key] = _decoded(outcome.entry, decode)
        return result


def _decoded(entry: Entry, decode: Callable[[Any], Any] | None) -> Any:
    return entry.value if decode is None else entry.view(decode)
