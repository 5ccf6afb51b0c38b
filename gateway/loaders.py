"""Per-request DataLoaders over the directory and the access graph, made from the model on use.

One loader per kind (records by id), per relation and side (neighbours), and per lookup
field (ids by email, username, hostname): each is created the first time a request needs
it, so a request pays only for the loaders it uses, and a relation or kind added to the
model has its loaders without any list here to keep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.access import AccessGraph
from gateway.directory import Collection, Directory, IdPage
from gateway.model import ADMIN, Kind, Listing, Neighbour, Record, Relation

NeighbourLoader = DataLoader[str, list[Neighbour]]
"""Key: the id of an object on one side of a relation; value: its neighbours."""
RecordLoader = DataLoader[str, Record | None]
"""Key: an object's JumpCloud id; value: its record, None when it does not exist."""
LookupLoader = DataLoader[str, str | None]
"""Key: a unique field's value; value: the id of the object holding it."""
CollectionLoader = DataLoader[Kind, Collection]


def _observed(future: asyncio.Future[Any]) -> None:
    """Mark a prefetch's failure as seen: its reader, if any, handles it."""
    if not future.cancelled():
        future.exception()


class Loaders:
    """One set per GraphQL request (never shared: DataLoaders memoise per caller)."""

    def __init__(self, directory: Directory, graph: AccessGraph) -> None:
        self.directory = directory
        self._graph = graph
        self._records: dict[Kind, RecordLoader] = {}
        self._edges: dict[tuple[Relation, Kind], NeighbourLoader] = {}
        self._lookups: dict[tuple[Kind, str], LookupLoader] = {}
        self._admins_by_email: RecordLoader | None = None
        self._expected: dict[Kind, int] = {}
        self._held: dict[Kind, Collection] = {}
        self.collections: CollectionLoader = DataLoader(self._load_collections)

    async def _load_collections(self, kinds: list[Kind]) -> Sequence[Collection | BaseException]:
        # Per-key exceptions: one collection failing must not fail the others (strawberry#2791).
        return await asyncio.gather(
            *(self.directory.whole(k) for k in kinds), return_exceptions=True
        )

    async def collection(self, kind: Kind) -> list[Record]:
        return (await self.collections.load(kind)).records

    def prefetch(self, kind: Kind) -> None:
        """Start reading a whole collection now; whoever needs it later gets the same read
        (a failure then surfaces there, not here)."""
        if kind.whole and self.directory.whole_in_memory(kind, count=False) is None:
            asyncio.ensure_future(self.collections.load(kind)).add_done_callback(_observed)

    def record(self, kind: Kind) -> RecordLoader:
        """Objects of `kind` by id: from its collection, or by id in batches."""
        loader = self._records.get(kind)
        if loader is not None:
            return loader
        directory = self.directory
        if kind.whole:
            collections = self.collections

            async def from_collection(ids: list[str]) -> Sequence[Record | None]:
                by_id = (await collections.load(kind)).by_id
                return [by_id.get(i) for i in ids]

            loader = DataLoader(from_collection)
        else:

            async def by_id(ids: list[str]) -> Sequence[Record | BaseException | None]:
                found = await directory.records(kind, ids)
                return [found.get(i) for i in ids]

            loader = DataLoader(by_id)
        self._records[kind] = loader
        return loader

    def records_now(self, kind: Kind, ids: Sequence[str]) -> list[Record | None] | None:
        """Records by id (None: does not exist) when this process holds them all fresh, with
        no await and no DataLoader round; None when any must be read."""
        if not kind.whole:
            return self.directory.records_in_memory(kind, ids)
        collection = self._held.get(kind)
        if collection is None:
            # Held for the rest of the request once seen fresh: one request reads one
            # version of a collection, and a page of users asks for it once per user.
            collection = self.directory.whole_in_memory(kind)
            if collection is None:
                return None
            self._held[kind] = collection
        by_id = collection.by_id
        return [by_id.get(i) for i in ids]

    def edges_now(self, relation: Relation, side: Kind, object_id: str) -> list[Neighbour] | None:
        """One object's neighbours when this process holds them fresh; else None."""
        return self._graph.neighbours_in_memory(relation, side, object_id)

    def edges(self, relation: Relation, side: Kind) -> NeighbourLoader:
        """Neighbours across `relation` of objects of `side`, batched through the planner."""
        relation.other(side)  # a kind that is not a side fails here, not mid-batch
        key = (relation, side)
        loader = self._edges.get(key)
        if loader is None:
            graph = self._graph

            async def load(ids: list[str]) -> Sequence[list[Neighbour] | BaseException]:
                expected = self._expected.get(side, 0)
                found = await graph.neighbours(relation, side, ids, expected=expected)
                return [found.get(i, []) for i in ids]

            loader = self._edges[key] = DataLoader(load)
        return loader

    def lookup(self, kind: Kind, field: str) -> LookupLoader:
        """Ids of `kind` by a unique field (email, username, hostname)."""
        key = (kind, field)
        loader = self._lookups.get(key)
        if loader is None:
            directory = self.directory

            async def load(values: list[str]) -> Sequence[str | BaseException | None]:
                found = await directory.ids_by(kind, field, values)
                return [found.get(v) for v in values]

            loader = self._lookups[key] = DataLoader(load, max_batch_size=500)
        return loader

    def lookup_now(self, kind: Kind, field: str, value: str) -> str | Any | None:
        """The id holding a unique field's value (None: none does) when this process holds
        the answer fresh; else MISSING."""
        return self.directory.id_by_in_memory(kind, field, value)

    @property
    def admins_by_email(self) -> RecordLoader:
        """Console administrators by email, matched without regard to case."""
        if self._admins_by_email is None:
            collections = self.collections

            async def load(emails: list[str]) -> Sequence[Record | None]:
                admins = (await collections.load(ADMIN)).records
                by_email = {str(a.get("email") or "").lower(): a for a in admins if a.get("email")}
                return [by_email.get(e.lower()) for e in emails]

            self._admins_by_email = DataLoader(load)
        return self._admins_by_email

    def expect(self, kind: Kind, total: int) -> None:
        """This request pages through a list of `total` objects of `kind`: edge reads from
        that kind plan for the whole list, not for one page."""
        self._expected[kind] = max(self._expected.get(kind, 0), total)

    def page_now(self, listing: Listing) -> IdPage | None:
        """A page this process holds fresh; else None."""
        page = self.directory.page_in_memory(listing)
        if page is not None:
            self.expect(listing.kind, page.total)
        return page

    async def page(self, listing: Listing) -> IdPage:
        page = await self.directory.page(listing)
        self.expect(listing.kind, page.total)
        return page
