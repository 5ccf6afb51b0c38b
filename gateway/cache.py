"""The TTL cache's engine: single-flight loads (across replicas with Redis leases,
gateway/lease.py), stale-if-error, "not found" remembered briefly, per-request tallies; over
the two levels of gateway/cache_levels.py (`open_cache` builds one from a URL)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from gateway.cache_levels import BoundedMemory, CacheStats, Entry
from gateway.lease import Leases

log = logging.getLogger("gateway.cache")

Clock = Callable[[], float]
JSON = Any
T = TypeVar("T")
MISSING: Any = object()
"""What `peek_local` answers for a key it cannot serve from this process."""


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


current_cache_tally: contextvars.ContextVar[CacheTally | None] = contextvars.ContextVar(
    "current_cache_tally", default=None
)

current_max_age: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "current_max_age", default=None
)
"""The age (seconds) beyond which the current request takes no entry as fresh, when it asked
for fresher data than the TTL gives (`Cache-Control: no-cache` or `max-age`, gateway.view):
older entries are re-read as if expired (and still served stale if the read fails). Entries
are stored, and expire, as always."""


WRITE_SLICE = 500
"""Entries a Redis write sends at once."""


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
        local: BoundedMemory | None = None,
        leases: Leases | None = None,
    ) -> None:
        self._backend = backend
        """The shared level (Redis); None when this process's memory is the only level."""
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
        self._local = local or BoundedMemory(
            max_entries=20_000, max_bytes=None, clock=clock, stats=self.stats
        )
        """Decoded entries in this process: the whole cache for `memory://`, the first level
        in front of a shared backend otherwise (fresh entries only)."""
        self._leases = leases if backend is not None else None
        self._backend_down = False
        """One load per key across replicas (gateway/lease.py): only with a shared level."""

    async def close(self) -> None:
        """Stop loads still running (a hung upstream, a prefetch nobody awaited), then let go
        of the memory and the backend."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._local.clear()
        if self._backend is not None:
            await self._backend.close()

    async def clear(self) -> None:
        self._local.clear()
        if self._backend is not None:
            await self._backend.clear()

    @property
    def namespace(self) -> str:
        """The organisation and a hash of the credential every key is prefixed with."""
        return self._namespace

    def _key(self, key: str) -> str:
        return self._namespace + key

    async def ping(self) -> None:
        """Raise when the shared backend does not answer (readiness)."""
        if self._backend is not None:
            await self._backend.exists(self._key("ping"))

    async def _read(self, keys: Sequence[str]) -> dict[str, Entry]:
        """Entries for `keys` (fresh or within their stale window): from this process's
        memory (decoded, no backend read), else from the shared backend."""
        if not keys:
            return {}
        found: dict[str, Entry] = {}
        remote: list[str] = []
        now = self._clock()
        for key in keys:
            entry = self._local.get(key)
            if entry is not None and (self._backend is None or self._fresh(entry, now)):
                found[key] = entry
                continue
            if entry is not None:
                # Past its TTL, the shared level answers: another replica may have refreshed
                # it, and it holds the copy served stale on errors.
                self._local.drop(key)
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
                if self._fresh(entry, now):
                    self._local.put(key, entry, len(orjson.dumps(item)), self._end(entry, now))
        return found

    def _fresh(self, entry: Entry, now: float) -> bool:
        return now - entry.stored_at < self._life(entry)

    def _end(self, entry: Entry, now: float) -> float:
        """When this process forgets an entry: with a shared level, at the end of its TTL
        (then the shared level answers); alone, at the end of its stale window."""
        life = self._life(entry)
        if self._backend is not None:
            return entry.stored_at + life
        return now + max(1, int(life + self.stale_ttl))

    def peek_local(self, key: str, decode: Callable[[Any], T] | None = None) -> T | Any:
        """A fresh value from this process's memory, decoded, counted as a hit; or MISSING
        (never a backend read, never a load: for resolvers that answer from memory without
        awaiting)."""
        now = self._clock()
        entry = self._local.get(key, now)
        if entry is None or entry.absent or now - entry.stored_at >= self._asked_ttl():
            return MISSING
        self._hit(entry.stored_at, 1)
        return entry.value if decode is None else entry.view(decode)

    def _hit(self, oldest: float, count: int) -> None:
        self.stats.hits += count
        tally = current_cache_tally.get()
        if tally is not None:
            tally.hits += count
            tally.saw(oldest)
            tally.fresh_until(oldest + self.ttl)

    def peek_local_many(
        self, keys: Sequence[str], decode: Callable[[Any], T] | None = None
    ) -> list[T | Any] | None:
        """`peek_local` of every key, at one moment; None unless every one is held fresh."""
        now = self._clock()
        local, ttl = self._local, self._asked_ttl()
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

    def _life(self, entry: Entry) -> float:
        return self.negative_ttl if entry.absent else self.ttl

    def _asked_ttl(self) -> float:
        """The TTL, or the request's max age when it asked for fresher (`current_max_age`)."""
        asked = current_max_age.get()
        return self.ttl if asked is None else min(self.ttl, asked)

    async def write_many(
        self, values: Mapping[str, JSON], *, stored_at: float | None = None
    ) -> None:
        """Store values as of `stored_at` (default now: a value derived from older entries
        passes their age on); a backend failure is logged and counted, never raised."""
        if not values:
            return
        now = self._clock() if stored_at is None else stored_at
        items = [{"v": v, "t": now} for v in values.values()]
        await self._write(list(values), items, self.ttl)

    async def _write_absent(self, keys: Sequence[str]) -> None:
        if not keys or self.negative_ttl <= 0:
            return
        now = self._clock()
        await self._write(list(keys), [{"a": 1, "t": now} for _ in keys], self.negative_ttl)

    async def _write(self, keys: list[str], items: list[dict[str, Any]], life: float) -> None:
        # This process keeps what the shared level would return (JSON, decoded), never the
        # caller's own objects: both levels answer alike, and no caller can change an entry.
        raw = [orjson.dumps(item) for item in items]
        now = self._clock()
        for key, item, text in zip(keys, items, raw, strict=True):
            decoded = orjson.loads(text)
            entry = Entry(decoded.get("v"), float(item["t"]), absent="a" in item)
            if self._backend is None or self._fresh(entry, now):
                self._local.put(key, entry, len(key) + len(text), self._end(entry, now))
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
        if not self._backend_down:
            self._backend_down = True
            log.warning(
                "cache %s failed (%s): reading JumpCloud directly until the cache answers",
                action,
                type(exc).__name__,
            )

    def _backend_answered(self) -> None:
        if self._backend_down:
            self._backend_down = False
            log.warning("the cache answers again")

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
        now = self._clock()
        fresh = {
            k: e
            for k, e in (await self._read(keys)).items()
            if not e.absent and now - e.stored_at < self._asked_ttl()
        }
        tally = current_cache_tally.get()
        if count:
            self.stats.hits += len(fresh)
            if tally is not None:
                tally.hits += len(fresh)
                for entry in fresh.values():
                    tally.saw(entry.stored_at)
                    tally.fresh_until(entry.stored_at + self._life(entry))
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
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]],
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
        tally = current_cache_tally.get()
        asked = current_max_age.get()
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
            if age < (life if asked is None else min(life, asked)):
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
            if outcome.error is not None:
                result[key] = outcome.error
            elif outcome.entry is not None and not outcome.entry.absent:
                result[key] = _decoded(outcome.entry, decode)
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
            borrowed: dict[str, Entry] = {}
            if self._leases is None:
                fetched = await self._fetch_and_store(keys, fetch, expired)
            else:
                fetched, borrowed = await self._fetch_leased(keys, fetch, expired)
            now = self._clock()
            for key, future in futures.items():
                error = fetched.get(key)
                if key in borrowed:  # another replica loaded it
                    future.set_result(_Outcome(entry=borrowed[key]))
                elif key in fetched and not _is_error(error):
                    entry = self._local.get(key)
                    if entry is None or entry.absent:  # not kept (too large for the bound)
                        entry = Entry(orjson.loads(orjson.dumps(fetched[key])), now)
                    future.set_result(_Outcome(entry=entry))
                elif error is None:
                    future.set_result(_Outcome(entry=Entry(None, now, absent=True)))
                elif isinstance(error, self._stale_on) and key in expired:
                    self.stats.stale_served += 1
                    log.warning("serving a stale cache entry: %s", type(error).__name__)
                    entry = expired[key]
                    future.set_result(_Outcome(entry=entry, stale_at=entry.stored_at))
                else:
                    future.set_result(_Outcome(error=error))
        finally:
            for key, future in futures.items():
                if not future.done():  # this task itself was cancelled (shutdown)
                    future.set_result(_Outcome(error=RuntimeError("the load was cancelled")))
                if self._inflight.get(key) is future:
                    del self._inflight[key]

    async def _fetch_and_store(
        self,
        keys: list[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]],
        expired: Mapping[str, Entry],
    ) -> dict[str, JSON | BaseException]:
        """One `fetch(keys)`, its values stored (and what it left out, as absent): the
        fetched values and per-key errors of `keys`; a fetch that raised is every key's
        error."""
        scope: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
        if self._stale_scope is not None and all(k in expired for k in keys):
            scope = self._stale_scope()
        try:
            with scope:
                fetched = dict(await fetch(keys))
        except Exception as exc:
            return dict.fromkeys(keys, exc)
        wanted = set(keys)
        found = {k: v for k, v in fetched.items() if k in wanted}
        await self.write_many({k: v for k, v in found.items() if not _is_error(v)})
        await self._write_absent([k for k in keys if k not in found])
        return found

    async def _fetch_leased(
        self,
        keys: list[str],
        fetch: Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]],
        expired: Mapping[str, Entry],
    ) -> tuple[dict[str, JSON | BaseException], dict[str, Entry]]:
        """`_fetch_and_store` of the keys whose lease this process took, while waiting for
        the values of those another replica holds (gateway/lease.py); then the keys whose
        value did not come are fetched here. The fetched values, and those borrowed."""
        assert self._leases is not None
        since = self._clock()
        claim = await self._leases.claim(keys)
        waiting = None
        if claim.held:
            waiting = asyncio.create_task(
                self._leases.wait(claim.held, lambda ks: self._peer_entries(ks, since))
            )
        try:
            try:
                # A value stored (and its lease let go) between this miss and the claim.
                stored = await self._peer_entries(claim.owned, since) if claim.token else {}
                mine = [k for k in claim.owned if k not in stored]
                fetched = await self._fetch_and_store(mine, fetch, expired) if mine else {}
            finally:
                await self._leases.release(claim)
            borrowed = await waiting if waiting is not None else {}
            borrowed.update(stored)
        finally:
            if waiting is not None and not waiting.done():
                waiting.cancel()
        late = [k for k in claim.held if k not in borrowed]
        if late:
            fetched.update(await self._fetch_and_store(late, fetch, expired))
        return fetched, borrowed

    async def _peer_entries(self, keys: list[str], since: float) -> dict[str, Entry]:
        """Fresh entries for `keys` in the shared level; for a request that asked for data
        younger than the TTL, only those stored since it began to wait (`since`)."""
        asked = current_max_age.get()
        now = self._clock()
        return {
            k: e
            for k, e in (await self._read(keys)).items()
            if self._fresh(e, now)
            and (asked is None or now - e.stored_at < asked or e.stored_at >= since)
        }


def _is_error(value: object) -> bool:
    return isinstance(value, BaseException)


@dataclass(frozen=True)
class _Outcome:
    """How one key's load ended, shared by every caller waiting on it."""

    entry: Entry | None = None
    """The value (or remembered absence) it ended with; None when it failed."""
    error: BaseException | None = None
    stale_at: float | None = None


def _decoded(entry: Entry, decode: Callable[[Any], Any] | None) -> Any:
    return entry.value if decode is None else entry.view(decode)
