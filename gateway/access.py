"""The access graph: neighbour pieces, the read planner and path semantics.

A relation of the graph model links a left kind to a right kind (users to groups, groups
to applications, users to the systems they can log into). JumpCloud answers "the
neighbours of one object" from either side, one call per object (plus pages). A *piece*
is that answer for one object, cached on its own. The *index* of a relation seen from one
side is the set of all pieces of the other side, inverted; it is worth reading when the
other side's collection is smaller than the batch asking (DESIGN §5.3): k users asking for
their groups cost k calls, or one call per group through the index.

Effective relations (user → application, LDAP, RADIUS, system) use JumpCloud's traversal
endpoints, whose `paths` say how each access is granted (API-NOTES §7): each path becomes a
*route*, the objects it passes between its two ends, in order (`()` for a direct binding;
`(user_group g)`; `(system_group s)`; `(user_group g, system_group s)`). A route read from
the other side is the same route reversed, so both sides and both plans answer alike.
Traversals to systems also carry `compiledAttributes`, of which the gateway keeps `sudo`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.cache import MISSING, CacheTally, TTLCache, current_cache_tally
from gateway.jumpcloud.accounting import Tally, current_tally
from gateway.jumpcloud.client import JumpCloudClient
from gateway.model import (
    DIRECT,
    AccessPlan,
    GraphType,
    Kind,
    Neighbour,
    Relation,
    Route,
    Step,
    ordered_routes,
)
from gateway.planner import Situation, Way, plan

log = logging.getLogger("gateway.access")

Pieces = list[Neighbour] | BaseException
"""One object's neighbours, or why they could not be read."""


def parse_neighbours(
    records: Iterable[Mapping[str, Any]], source_id: str, want: GraphType, *, attributes: bool
) -> list[Neighbour]:
    """Neighbours of `source_id` of type `want` from GraphConnection or GraphObjectWithPaths."""
    found: dict[str, set[Route]] = {}
    compiled: dict[str, Mapping[str, Any]] = {}
    for record in records:
        if "paths" in record:  # GraphObjectWithPaths
            if record.get("type") != want.value:
                continue
            target = str(record["id"])
            routes = found.setdefault(target, set())
            for path in record.get("paths") or [[]]:
                routes.add(_route(path, source_id, target))
            kept = _access_attributes(record.get("compiledAttributes")) if attributes else None
            if kept:
                compiled[target] = kept
        else:  # GraphConnection: the end that is not the source
            end = record.get("to") or {}
            if end.get("id") == source_id and record.get("from"):
                end = record["from"]
            if end.get("type") != want.value or not end.get("id"):
                continue
            found.setdefault(str(end["id"]), set()).add(DIRECT)
    return [Neighbour(i, ordered_routes(r), compiled.get(i)) for i, r in sorted(found.items())]


def _route(path: Iterable[Mapping[str, Any]], source_id: str, target_id: str) -> Route:
    """The objects a path passes, in path order, without its two ends."""
    steps: list[Step] = []
    for edge in path:
        for end in (edge.get("from"), edge.get("to")):
            if not end or end.get("id") in (source_id, target_id, None):
                continue
            step = (str(end.get("type")), str(end["id"]))
            if step not in steps:
                steps.append(step)
    return tuple(steps)


def _access_attributes(raw: Any) -> Mapping[str, Any] | None:
    """The compiled attributes that matter for access: `sudo {enabled, withoutPassword}`."""
    sudo = raw.get("sudo") if isinstance(raw, Mapping) else None
    if not isinstance(sudo, Mapping):
        return None
    return {
        "sudo": {
            "enabled": bool(sudo.get("enabled")),
            "withoutPassword": bool(sudo.get("withoutPassword")),
        }
    }


def decode_neighbours(raw: Any) -> list[Neighbour]:
    """A cached piece: one object's neighbours."""
    return [Neighbour.from_json(n) for n in raw]


def decode_index(raw: Any) -> dict[str, list[Neighbour]]:
    """A cached index: every object's neighbours."""
    return {i: decode_neighbours(n) for i, n in raw.items()}


def invert(pieces: Mapping[str, Sequence[Neighbour]]) -> dict[str, list[Neighbour]]:
    out: dict[str, list[Neighbour]] = {}
    for owner, neighbours in pieces.items():
        for n in neighbours:
            out.setdefault(n.id, []).append(n.reversed(owner))
    for items in out.values():
        items.sort(key=lambda n: n.id)
    return out


class _Progress:
    """Progress lines of one index build: every `every` pieces read or `seconds` of the
    clock, whichever comes first (checked as pieces arrive: a build waiting on one slow
    read logs once it comes). A build shorter than both logs only its final line."""

    def __init__(
        self, build: str, tally: Tally, clock: Callable[[], float], every: int, seconds: float
    ) -> None:
        self._build = build
        self._tally = tally
        self._clock = clock
        self._every = every
        self._seconds = seconds
        self._started = self._last_at = clock()
        self._done = self._last_done = 0
        self.total = 0

    def read(self) -> None:
        """One more piece read (or failed)."""
        self._done += 1
        now = self._clock()
        if self._done == self.total or (
            self._done - self._last_done < self._every and now - self._last_at < self._seconds
        ):
            return
        self._last_done, self._last_at = self._done, now
        log.info(
            "%s: %d/%d pieces, %d upstream calls, %.1f s",
            self._build,
            self._done,
            self.total,
            self._tally.calls,
            now - self._started,
        )


@dataclass(frozen=True)
class IndexBuild:
    """What building one index cost; logged and exported as metrics."""

    relation: str
    side: str
    pieces: int
    upstream_calls: int
    seconds: float


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
        progress: _Progress | None = None,
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
        tally, seen = Tally(), CacheTally()
        progress = _Progress(
            f"index {relation.name} from {side.name}", tally, self._clock, *self._progress
        )
        tokens = current_tally.set(tally), current_cache_tally.set(seen)
        try:
            pieces = await self.pieces(relation, side, ids, progress=progress)
        finally:
            current_tally.reset(tokens[0])
            current_cache_tally.reset(tokens[1])
        outer, outer_seen = current_tally.get(), current_cache_tally.get()
        if outer is not None:
            outer.calls += tally.calls
            outer.by_endpoint.update(tally.by_endpoint)
        if outer_seen is not None:
            outer_seen.merge(seen)
        build = IndexBuild(
            relation=relation.name,
            side=side.name,
            pieces=len(ids),
            upstream_calls=tally.calls,
            seconds=time.perf_counter() - started,
        )
        log.info(
            "index %s from %s: %d pieces, %d upstream calls, %.3fs",
            build.relation,
            build.side,
            build.pieces,
            build.upstream_calls,
            build.seconds,
        )
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
