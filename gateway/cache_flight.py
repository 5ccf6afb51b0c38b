"""Single-flight loads of the TTL cache's missing keys, in this process and across replicas.

However many callers miss a key, this process loads it once and they share how it ended; with
Redis leases (gateway/lease.py) one replica loads it while the others wait for its value in the
shared level. A load that fails with a value still in its stale window ends with that value.
The engine that starts these loads is gateway/cache.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache_levels import Entry
from gateway.cache_store import CacheStore
from gateway.lease import Leases

log = logging.getLogger("gateway.cache")

JSON = Any
Fetch = Callable[[list[str]], Awaitable[Mapping[str, JSON | BaseException]]]
"""Values for the keys asked (a key left out does not exist upstream; one mapped to an
exception failed alone)."""


@dataclass(frozen=True)
class Outcome:
    """How one key's load ended, shared by every caller waiting on it."""

    entry: Entry | None = None
    """The value (or remembered absence) it ended with; None when it failed."""
    error: BaseException | None = None
    stale_at: float | None = None


class Flights:
    """The loads of one cache in flight, shared by the engine and its charged copies (one
    object, changed in place only)."""

    def __init__(
        self,
        store: CacheStore,
        *,
        stale_on: tuple[type[BaseException], ...],
        stale_scope: Callable[[], contextlib.AbstractContextManager[object]] | None,
        leases: Leases | None,
    ) -> None:
        self._store = store
        self._stale_on = stale_on
        self._stale_scope = stale_scope
        self._leases = leases
        self._inflight: dict[str, asyncio.Future[Outcome]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def join(
        self,
        keys: list[str],
        fetch: Fetch,
        expired: Mapping[str, Entry],
        max_age: float | None,
    ) -> dict[str, asyncio.Future[Outcome]]:
        """Each key's outcome to come: of the load in flight for it, or of one `fetch` of the
        keys no load has, started now (`expired`: the entries to serve stale if it fails;
        `max_age`: the starting request's, for values borrowed from another replica)."""
        futures = {k: self._inflight[k] for k in keys if k in self._inflight}
        self._store.stats.coalesced += len(futures)
        mine = [k for k in keys if k not in futures]
        if mine:
            loop = asyncio.get_running_loop()
            own = {k: loop.create_future() for k in mine}
            self._inflight.update(own)
            futures.update(own)
            # The load runs in a task of its own: a caller that is cancelled (graphql-core
            # cancels sibling fields) must not cancel it for the others waiting on it.
            task = asyncio.create_task(self._fetch(mine, fetch, expired, own, max_age))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return futures

    async def close(self) -> None:
        """Stop loads still running (a hung upstream, a prefetch nobody awaited)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _fetch(
        self,
        keys: list[str],
        fetch: Fetch,
        expired: Mapping[str, Entry],
        futures: Mapping[str, asyncio.Future[Outcome]],
        max_age: float | None,
    ) -> None:
        store = self._store
        try:
            store.stats.loads += 1
            borrowed: dict[str, Entry] = {}
            if self._leases is None:
                fetched = await self._fetch_and_store(keys, fetch, expired)
            else:
                fetched, borrowed = await self._fetch_leased(keys, fetch, expired, max_age)
            now = store.clock()
            for key, future in futures.items():
                error = fetched.get(key)
                if key in borrowed:  # another replica loaded it
                    future.set_result(Outcome(entry=borrowed[key]))
                elif key in fetched and not _is_error(error):
                    entry = store.local.get(key)
                    if entry is None or entry.absent:  # not kept (too large for the bound)
                        entry = Entry(orjson.loads(orjson.dumps(fetched[key])), now)
                    future.set_result(Outcome(entry=entry))
                elif error is None:
                    future.set_result(Outcome(entry=Entry(None, now, absent=True)))
                elif isinstance(error, self._stale_on) and key in expired:
                    store.stats.stale_served += 1
                    log.warning("serving a stale cache entry: %s", type(error).__name__)
                    entry = expired[key]
                    future.set_result(Outcome(entry=entry, stale_at=entry.stored_at))
                else:
                    future.set_result(Outcome(error=error))
        finally:
            for key, future in futures.items():
                if not future.done():  # this task itself was cancelled (shutdown)
                    future.set_result(Outcome(error=RuntimeError("the load was cancelled")))
                if self._inflight.get(key) is future:
                    del self._inflight[key]

    async def _fetch_and_store(
        self, keys: list[str], fetch: Fetch, expired: Mapping[str, Entry]
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
        await self._store.write_many({k: v for k, v in found.items() if not _is_error(v)})
        await self._store.write_absent([k for k in keys if k not in found])
        return found

    async def _fetch_leased(
        self,
        keys: list[str],
        fetch: Fetch,
        expired: Mapping[str, Entry],
        max_age: float | None,
    ) -> tuple[dict[str, JSON | BaseException], dict[str, Entry]]:
        """`_fetch_and_store` of the keys whose lease this process took, while waiting for
        the values of those another replica holds (gateway/lease.py); then the keys whose
        value did not come are fetched here. The fetched values, and those borrowed."""
        assert self._leases is not None
        since = self._store.clock()
        claim = await self._leases.claim(keys)
        waiting = None
        if claim.held:
            waiting = asyncio.create_task(
                self._leases.wait(claim.held, lambda ks: self._peer_entries(ks, since, max_age))
            )
        try:
            try:
                # A value stored (and its lease let go) between this miss and the claim.
                stored = (
                    await self._peer_entries(claim.owned, since, max_age) if claim.token else {}
                )
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

    async def _peer_entries(
        self, keys: list[str], since: float, max_age: float | None
    ) -> dict[str, Entry]:
        """Fresh entries for `keys` in the shared level; for a request that asked for data
        younger than the TTL (`max_age`), only those stored since it began to wait (`since`)."""
        store = self._store
        now = store.clock()
        return {
            k: e
            for k, e in (await store.read(keys)).items()
            if store.fresh(e, now)
            and (max_age is None or now - e.stored_at < max_age or e.stored_at >= since)
        }


def _is_error(value: object) -> bool:
    return isinstance(value, BaseException)
