"""Per-request DataLoaders: by id and by association, over the directory and the access graph."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from gateway.access import (
    ACCESS_APPLICATIONS,
    ACCESS_LDAP,
    ACCESS_RADIUS,
    GROUP_APPLICATIONS,
    GROUP_LDAP,
    GROUP_RADIUS,
    MEMBERSHIP,
    AccessGraph,
    Neighbour,
    Relation,
)
from gateway.directory import SMALL_COLLECTIONS, Directory, Record, UserPage, record_id
from gateway.jumpcloud.filters import Filter, SortKey
from gateway.jumpcloud.resources import GraphType, Resource

NeighbourLoader = DataLoader[str, list[Neighbour]]
RecordLoader = DataLoader[str, Record | None]

RELATIONS: tuple[Relation, ...] = (
    MEMBERSHIP,
    GROUP_APPLICATIONS,
    GROUP_LDAP,
    GROUP_RADIUS,
    ACCESS_APPLICATIONS,
    ACCESS_LDAP,
    ACCESS_RADIUS,
)


@dataclass(frozen=True)
class Loaders:
    """One set per GraphQL request (never shared: DataLoaders memoise per caller)."""

    users: RecordLoader
    user_ids_by_email: DataLoader[str, str | None]
    user_ids_by_username: DataLoader[str, str | None]
    admins_by_email: RecordLoader
    collections: DataLoader[Resource, list[Record]]
    records: dict[Resource, RecordLoader]
    neighbours: dict[tuple[str, GraphType], NeighbourLoader]
    directory: Directory

    def record(self, resource: Resource) -> RecordLoader:
        return self.users if resource is Resource.USERS else self.records[resource]

    def edges(self, relation: Relation, side: GraphType) -> NeighbourLoader:
        return self.neighbours[(relation.name, side)]

    async def collection(self, resource: Resource) -> list[Record]:
        return await self.collections.load(resource)

    async def user_page(
        self, skip: int, limit: int, filters: Sequence[Filter], sort: Sequence[SortKey]
    ) -> UserPage:
        return await self.directory.user_page(skip=skip, limit=limit, filters=filters, sort=sort)


def build_loaders(directory: Directory, graph: AccessGraph) -> Loaders:
    async def load_users(ids: list[str]) -> Sequence[Record | BaseException | None]:
        found = await directory.users(ids)
        return [found.get(i) for i in ids]

    def by_field(field: str) -> DataLoader[str, str | None]:
        async def load(values: list[str]) -> Sequence[str | BaseException | None]:
            found = await directory.users_by(field, values)
            return [found.get(v) for v in values]

        return DataLoader(load, max_batch_size=500)

    async def load_collections(
        resources: list[Resource],
    ) -> Sequence[list[Record] | BaseException]:
        # Per-key exceptions: one collection failing must not fail the others (strawberry#2791).
        return await asyncio.gather(
            *(directory.collection(r) for r in resources), return_exceptions=True
        )

    collections: DataLoader[Resource, list[Record]] = DataLoader(load_collections)

    async def load_admins_by_email(emails: list[str]) -> Sequence[Record | None]:
        # Console and directory emails are matched without regard to case.
        admins = await collections.load(Resource.ADMINS)
        by_email = {str(a.get("email") or "").lower(): a for a in admins if a.get("email")}
        return [by_email.get(e.lower()) for e in emails]

    def record_loader(resource: Resource) -> RecordLoader:
        async def load(ids: list[str]) -> Sequence[Record | None]:
            by_id = {record_id(r): r for r in await collections.load(resource)}
            return [by_id.get(i) for i in ids]

        return DataLoader(load)

    def neighbour_loader(relation: Relation, side: GraphType) -> NeighbourLoader:
        async def load(ids: list[str]) -> Sequence[list[Neighbour] | BaseException]:
            found = await graph.neighbours(relation, side, ids)
            return [found.get(i, []) for i in ids]

        return DataLoader(load)

    return Loaders(
        users=DataLoader(load_users),
        user_ids_by_email=by_field("email"),
        user_ids_by_username=by_field("username"),
        admins_by_email=DataLoader(load_admins_by_email),
        collections=collections,
        records={r: record_loader(r) for r in SMALL_COLLECTIONS},
        neighbours={
            (rel.name, side): neighbour_loader(rel, side)
            for rel in RELATIONS
            for side in (rel.left, rel.right)
        },
        directory=directory,
    )
