"""The access graph: neighbour lookups over the cache, per key or through an index.

A relation of the graph model links a left kind to a right kind (users to groups, groups
to applications, users to the systems they can log into). JumpCloud answers "the
neighbours of one object" from either side, one call per object (plus pages). A *piece*
is that answer for one object, cached on its own. The *index* of a relation seen from one
side is the set of all pieces of the other side, inverted; it is worth reading when the
other side's collection is smaller than the batch asking (gateway/planner.py weighs the
two): k users asking for their groups cost k calls, or one call per group through the index.

Effective relations (user → application, LDAP, RADIUS, system) use JumpCloud's traversal
endpoints (`GET /api/v2/{type}/{id}/{targets}`), whose `paths` list every way each access is
granted: each path becomes a *route*, the objects it passes between its two ends, in order
(`()` for a direct binding; `(user_group g)`; `(system_group s)`; `(user_group g,
system_group s)`); gateway/jumpcloud/edges.py reads them. A route read from the other side
is the same route reversed, so both sides and both plans answer alike. Traversals to
systems also carry `compiledAttributes`, of which the gateway keeps `sudo`.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from gateway.access_pieces import Pieces, decode_index, decode_neighbours, invert, parse_neighbours
from gateway.cache import MISSING, TTLCache
from gateway.index_build import IndexBuild, IndexProgress
from gateway.jumpcloud import JumpCloudClient
from gateway.model import AccessPlan, Kind, Neighbour, Relation
from gateway.planner import Situation, Way, plan
from gateway.request_cost import RequestCost


class AccessGraph:
    """Neighbour lookups over the cache, choosing per batch between per-key reads and an index.

    `members_of` lists the ids of every object of a kind the planner may index from
    (groups, applications, servers, systems); users are never indexed from (too many).
    """

    def __init__(
        self,
        client: JumpCloudClient,
        cache: TTLCache,
        members_of: Callable[[Kind], Awaitable[list[str]]],
        on_index_build: Callable[[IndexBuild], None] | None = None,
        plan: AccessPlan = AccessPlan.AUTO,
        *,
        clock: Callable[[], float] = time.time,
        window: float = 300.0,
        progress_every: int = 100,
        progress_seconds: float = 5.0,
    ) -> None:
        self._client = client
        self._cache = cache
        self._members_of = members_of
        self._on_index_build = on_index_build
        self._plan = AccessPlan(plan)
        self._clock = clock
        self._window = window
        self._spent: dict[tuple[Relation, Kind], tuple[float, int]] = {}
        self._progress = (progress_every, progress_seconds)
        self._cost: RequestCost | None = None
        self._max_age: float | None = None

    def charging(
        self,
        cost: RequestCost,
        max_age: float | None = None,
        members_of: Callable[[Kind], Awaitable[list[str]]] | None = None,
    ) -> AccessGraph:
        """This graph as one request reads it: its calls and cache reads charged to `cost`
        (an index build's too, once built), no entry older than `max_age` taken as fresh,
        and `members_of` (the request's directory) in place of the shared one. The plan's
        spending record and everything else are shared."""
        charged = copy.copy(self)
        charged._client = self._client.charging(cost.upstream)
        charged._cache = self._cache.charging(cost.cache, max_age)
        charged._cost, charged._max_age = cost, max_age
        if members_of is not None:
            charged._members_of = members_of
        return charged

    def spent(self, relation: Relation, side: Kind) -> int:
        """Per-key reads made for `relation` from `side` within the last cache lifetime."""
        started, calls = self._spent.get((relation, side), (0.0, 0))
        return calls if self._clock() - started <= self._window else 0

    def _spend(self, relation: Relation, side: Kind, calls: int) -> None:
        started, spent = self._spent.get((relation, side), (0.0, 0))
        if self._clock() - started > self._window:
            started, spent = self._clock(), 0
        self._spent[(relation, side)] = (started, spent + calls)

    @staticmethod
    def _key(relation: Relation, side: Kind, object_id: str) -> str:
        return f"edges:{relation.name}:{side.name}:{object_id}"

    async def neighbours(
        self, relation: Relation, side: Kind, ids: Sequence[str], *, expected: int = 0
    ) -> dict[str, Pieces]:
        """Neighbours of each id (an object of `side`) across `relation`; a key whose read
        failed maps to its exception, so it fails alone.

        `expected` is how many objects of `side` the request can walk through (a connection's
        total, when these ids are one page of it): the plan weighs the index against that
        many per-key reads, not against this batch alone."""
        wanted = list(dict.fromkeys(ids))
        keys = {i: self._key(relation, side, i) for i in wanted}
        cached = await self._cache.peek_many(list(keys.values()), decode=decode_neighbours)
        result: dict[str, Pieces] = {i: cached[k] for i, k in keys.items() if k in cached}
        missing = [i for i in wanted if i not in result]
        other = relation.other(side)
        # Planned as facts are learned: whether the index is possible, whether it is built,
        # then what building it would cost (gateway/planner.py).
        facts = Situation(
            missing=len(missing), expected=expected, indexable=other.indexable, mode=self._plan
        )
        chosen = plan(facts)
        if chosen.way is Way.CACHED:
            return result
        if chosen.way is not Way.PER_KEY:
            index_key = self._index_key(relation, side)
            built = (await self._cache.peek_entries([index_key])).get(index_key)
            if built is not None:
                index = built.view(decode_index)
                found = {i: index.get(i, []) for i in missing}
                # Objects with no neighbour were not stored per object at build time.
                await self._cache.write_many(
                    {keys[i]: [n.to_json() for n in v] for i, v in found.items()},
                    stored_at=built.stored_at,
                )
                result.update(found)
                return result
            others = await self._members_of(other)
            warm = await self._cache.peek_many(
                [self._key(relation, other, o) for o in others], count=False
            )
            facts = dataclasses.replace(
                facts, others=len(others), warm=len(warm), spent=self.spent(relation, side)
            )
            chosen = plan(facts)
            if chosen.way is Way.INDEX:
                inverted = await self._index(relation, other, others, index_key)
                for i in missing:
                    result[i] = (
                        inverted if isinstance(inverted, BaseException) else inverted.get(i, [])
                    )
                return result
        self._spend(relation, side, len(missing))
        result.update(await self.pieces(relation, side, missing))
        return result

    @staticmethod
    def _index_key(relation: Relation, side: Kind) -> str:
        """The whole relation inverted, keyed by objects of `side` (built from the other)."""
        return f"index:{relation.name}:{side.name}"

    async def pieces(
        self,
        relation: Relation,
        side: Kind,
        ids: Sequence[str],
        *,
        progress: IndexProgress | None = None,
    ) -> dict[str, Pieces]:
        """Per-key reads: one upstream read (all pages) per object not in the cache."""
        read = relation.read(side)
        source, want = side.graph_type, relation.other(side).graph_type
        assert source is not None
        assert want is not None
        by_key = {self._key(relation, side, i): i for i in ids}

        async def one(key: str) -> Any:
            object_id = by_key[key]
            records = await self._client.graph(
                source, object_id, read.relation, targets=read.targets
            )
            found = parse_neighbours(records, object_id, want, attributes=relation.attributes)
            return [n.to_json() for n in found]

        async def counted(key: str) -> Any:
            assert progress is not None
            try:
                return await one(key)
            finally:
                progress.read()

        async def fetch(keys: list[str]) -> dict[str, Any]:
            if progress is None:
                reads = [one(k) for k in keys]
            else:
                progress.total = len(keys)
                reads = [counted(k) for k in keys]
            found = await asyncio.gather(*reads, return_exceptions=True)
            return dict(zip(keys, found, strict=True))

        loaded = await self._cache.load_many(list(by_key), fetch, decode=decode_neighbours)
        return {by_key[k]: v for k, v in loaded.items()}

    def neighbours_in_memory(
        self, relation: Relation, side: Kind, object_id: str
    ) -> list[Neighbour] | None:
        """One object's neighbours if this process holds them fresh, without awaiting."""
        found = self._cache.peek_local(self._key(relation, side, object_id), decode_neighbours)
        return None if found is MISSING else found

    async def _index(
        self, relation: Relation, side: Kind, ids: Sequence[str], index_key: str
    ) -> dict[str, list[Neighbour]] | BaseException:
        """All pieces of `side`, inverted, and cached as one entry as old as its oldest piece;
        the first failed piece instead, since an index with a hole in it would answer wrongly."""
        started = time.perf_counter()
        cost = RequestCost()  # the build's own, then the request's too
        progress = IndexProgress(
            f"index {relation.name} from {side.name}", cost, self._clock, *self._progress
        )
        builder = self.charging(cost, self._max_age)
        try:
            pieces = await builder.pieces(relation, side, ids, progress=progress)
        finally:
            if self._cost is not None:
                self._cost.merge(cost)
        seen = cost.cache
        build = IndexBuild(
            relation=relation.name,
            side=side.name,
            pieces=len(ids),
            upstream_calls=cost.upstream.calls,
            seconds=time.perf_counter() - started,
        )
        build.log_line()
        if self._on_index_build is not None:
            self._on_index_build(build)
        complete: dict[str, list[Neighbour]] = {}
        for owner, found in pieces.items():
            if isinstance(found, BaseException):
                return found
            complete[owner] = found
        inverted = invert(complete)
        if not seen.stale:  # an index built on stale pieces is served once, never stored
            # Stored whole (it answers for objects with no neighbour too) and per object, so
            # a warm batch reads its own entries, not the whole index; all as old as the
            # oldest piece they came from.
            entries = {i: [n.to_json() for n in v] for i, v in inverted.items()}
            asked = relation.other(side)
            await self._cache.write_many(
                {
                    index_key: entries,
                    **{self._key(relation, asked, i): v for i, v in entries.items()},
                },
                stored_at=seen.oldest_stored_at,
            )
        return inverted
