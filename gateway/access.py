"""The access graph: relations, their cached pieces, the read planner and path semantics.

An edge relation links a left object (a user or a user group) to a right object (a group,
an application, an LDAP or RADIUS server). JumpCloud answers "the neighbours of one object"
from either side, one call per object (plus pages). A *piece* is that answer for one
object, cached on its own. The *index* of a relation seen from one side is the set of all
pieces of the other side, inverted; it is worth reading when the other side's collection
is smaller than the batch asking (DESIGN §5.3): k users asking for their groups cost k
calls per user, or one call per group through the index.

Effective relations (user → application / LDAP / RADIUS) use JumpCloud's traversal
endpoints, whose `paths` say how each access is granted: a path with no user group on it
is a direct binding, a path through a user group is a grant via that group
(API-NOTES §7). Pieces keep, per neighbour, the list of groups it is reached through
(`None` for a direct binding), so both sides and both plans answer alike.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.cache import CacheTally, TTLCache, current_cache_tally
from gateway.jumpcloud.accounting import Tally, current_tally
from gateway.jumpcloud.client import GraphType, JumpCloudClient

log = logging.getLogger("gateway.access")

Via = str | None
"""The user group a grant goes through, or None for a direct binding."""


@dataclass(frozen=True)
class Neighbour:
    id: str
    via: tuple[Via, ...] = (None,)

    def to_json(self) -> list[Any]:
        return [self.id, list(self.via)]

    @classmethod
    def from_json(cls, raw: Sequence[Any]) -> Neighbour:
        return cls(str(raw[0]), tuple(raw[1]))


Pieces = list[Neighbour] | BaseException
"""One object's neighbours, or why they could not be read."""


@dataclass(frozen=True)
class Read:
    """How JumpCloud lists the neighbours of one object of a side."""

    source: GraphType
    relation: str
    targets: GraphType | None = None


@dataclass(frozen=True)
class Relation:
    name: str
    left: GraphType
    right: GraphType
    left_read: Read
    right_read: Read
    effective: bool = False

    def other(self, side: GraphType) -> GraphType:
        if side == self.left:
            return self.right
        if side == self.right:
            return self.left
        raise ValueError(f"{side} is not a side of {self.name}")

    def read(self, side: GraphType) -> Read:
        return self.left_read if side == self.left else self.right_read


U, G = GraphType.USER, GraphType.USER_GROUP
APP, LDAP, RADIUS = GraphType.APPLICATION, GraphType.LDAP_SERVER, GraphType.RADIUS_SERVER

MEMBERSHIP = Relation("membership", U, G, Read(U, "memberof"), Read(G, "members"))
GROUP_APPLICATIONS = Relation(
    "group-applications", G, APP, Read(G, "associations", APP), Read(APP, "associations", G)
)
GROUP_LDAP = Relation(
    "group-ldap", G, LDAP, Read(G, "associations", LDAP), Read(LDAP, "associations", G)
)
GROUP_RADIUS = Relation(
    "group-radius", G, RADIUS, Read(G, "associations", RADIUS), Read(RADIUS, "associations", G)
)
ACCESS_APPLICATIONS = Relation(
    "access-applications", U, APP, Read(U, "applications"), Read(APP, "users"), effective=True
)
ACCESS_LDAP = Relation(
    "access-ldap", U, LDAP, Read(U, "ldapservers"), Read(LDAP, "users"), effective=True
)
ACCESS_RADIUS = Relation(
    "access-radius", U, RADIUS, Read(U, "radiusservers"), Read(RADIUS, "users"), effective=True
)
ACCESS_BY_TARGET = {APP: ACCESS_APPLICATIONS, LDAP: ACCESS_LDAP, RADIUS: ACCESS_RADIUS}


def parse_neighbours(
    records: Iterable[Mapping[str, Any]], source_id: str, want: GraphType
) -> list[Neighbour]:
    """Neighbours of `source_id` of type `want` from GraphConnection or GraphObjectWithPaths."""
    found: dict[str, set[Via]] = {}
    for record in records:
        if "paths" in record:  # GraphObjectWithPaths
            if record.get("type") != want.value:
                continue
            target = str(record["id"])
            vias = found.setdefault(target, set())
            for path in record.get("paths") or [[]]:
                vias.add(_via(path, source_id, target))
        else:  # GraphConnection: the end that is not the source
            end = record.get("to") or {}
            if end.get("id") == source_id and record.get("from"):
                end = record["from"]
            if end.get("type") != want.value or not end.get("id"):
                continue
            found.setdefault(str(end["id"]), set()).add(None)
    return [Neighbour(i, _ordered(v)) for i, v in sorted(found.items())]


def _via(path: Iterable[Mapping[str, Any]], source_id: str, target_id: str) -> Via:
    for edge in path:
        for end in (edge.get("from"), edge.get("to")):
            if end and end.get("type") == G.value and end.get("id") not in (source_id, target_id):
                return str(end["id"])
    return None


def _ordered(vias: Iterable[Via]) -> tuple[Via, ...]:
    return tuple(sorted(vias, key=lambda v: (v is not None, v or "")))


def invert(pieces: Mapping[str, Sequence[Neighbour]]) -> dict[str, list[Neighbour]]:
    out: dict[str, list[Neighbour]] = {}
    for owner, neighbours in pieces.items():
        for n in neighbours:
            out.setdefault(n.id, []).append(Neighbour(owner, n.via))
    for items in out.values():
        items.sort(key=lambda n: n.id)
    return out


PLANS = ("auto", "per-key", "index")
"""auto: per batch, the cheaper of per-key reads and the index (DESIGN §5.3); the others
force one plan (benchmarks, and the test that both plans agree)."""


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

    `members_of` lists every object of a small side (groups, applications, servers); users
    are never indexed from (there are too many of them).
    """

    def __init__(
        self,
        client: JumpCloudClient,
        cache: TTLCache,
        members_of: Callable[[GraphType], Awaitable[list[str]]],
        on_index_build: Callable[[IndexBuild], None] | None = None,
        plan: str = "auto",
    ) -> None:
        if plan not in PLANS:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}")
        self._client = client
        self._cache = cache
        self._members_of = members_of
        self._on_index_build = on_index_build
        self._plan = plan

    @staticmethod
    def _key(relation: Relation, side: GraphType, object_id: str) -> str:
        return f"edges:{relation.name}:{side.value}:{object_id}"

    async def neighbours(
        self, relation: Relation, side: GraphType, ids: Sequence[str]
    ) -> dict[str, Pieces]:
        """Neighbours of each id (an object of `side`) across `relation`; a key whose read
        failed maps to its exception, so it fails alone."""
        wanted = list(dict.fromkeys(ids))
        keys = {i: self._key(relation, side, i) for i in wanted}
        cached = await self._cache.peek_many(list(keys.values()))
        result: dict[str, Pieces] = {
            i: [Neighbour.from_json(n) for n in cached[k]] for i, k in keys.items() if k in cached
        }
        missing = [i for i in wanted if i not in result]
        if not missing:
            return result
        other = relation.other(side)
        if other != GraphType.USER and self._plan != "per-key":
            index_key = self._index_key(relation, side)
            built = (await self._cache.peek_entries([index_key])).get(index_key)
            if built is not None:  # only the asked-for entries become objects
                found = {i: built.value.get(i, []) for i in missing}
                # Objects with no neighbour were not stored per object at build time.
                await self._cache.write_many(
                    {keys[i]: v for i, v in found.items()}, stored_at=built.stored_at
                )
                for i, v in found.items():
                    result[i] = [Neighbour.from_json(n) for n in v]
                return result
            others = await self._members_of(other)
            warm = await self._cache.peek_many(
                [self._key(relation, other, o) for o in others], count=False
            )
            if self._plan == "index" or len(warm) == len(others) or len(others) < len(missing):
                index = await self._index(relation, other, others, index_key)
                for i in missing:
                    result[i] = index if isinstance(index, BaseException) else index.get(i, [])
                return result
        result.update(await self.pieces(relation, side, missing))
        return result

    @staticmethod
    def _index_key(relation: Relation, side: GraphType) -> str:
        """The whole relation inverted, keyed by objects of `side` (built from the other)."""
        return f"index:{relation.name}:{side.value}"

    async def pieces(
        self, relation: Relation, side: GraphType, ids: Sequence[str]
    ) -> dict[str, Pieces]:
        """Per-key reads: one upstream read (all pages) per object not in the cache."""
        read = relation.read(side)
        want = relation.other(side)
        by_key = {self._key(relation, side, i): i for i in ids}

        async def one(key: str) -> Any:
            object_id = by_key[key]
            records = await self._client.graph(
                read.source, object_id, read.relation, targets=read.targets
            )
            return [n.to_json() for n in parse_neighbours(records, object_id, want)]

        async def fetch(keys: list[str]) -> dict[str, Any]:
            found = await asyncio.gather(*(one(k) for k in keys), return_exceptions=True)
            return dict(zip(keys, found, strict=True))

        loaded = await self._cache.load_many(list(by_key), fetch)
        return {
            by_key[k]: v if isinstance(v, BaseException) else [Neighbour.from_json(n) for n in v]
            for k, v in loaded.items()
        }

    async def _index(
        self, relation: Relation, side: GraphType, ids: Sequence[str], index_key: str
    ) -> dict[str, list[Neighbour]] | BaseException:
        """All pieces of `side`, inverted, and cached as one entry as old as its oldest piece;
        the first failed piece instead, since an index with a hole in it would answer wrongly."""
        started = time.perf_counter()
        tally, seen = Tally(), CacheTally()
        tokens = current_tally.set(tally), current_cache_tally.set(seen)
        try:
            pieces = await self.pieces(relation, side, ids)
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
            side=side.value,
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
