"""Effective access: kinds, typed paths and hops, access edges and connections."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry

from gateway.access import ACCESS_BY_TARGET, Neighbour, Via
from gateway.context import Info
from gateway.directory import Record
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.types.common import window
from gateway.types.relay import PageInfo, encode_cursor, page_info

if TYPE_CHECKING:
    from gateway.types.group import Group

NodeT = TypeVar("NodeT")


@strawberry.enum(description="How an access is granted.")
class AccessKind(enum.Enum):
    DIRECT = "DIRECT"
    INDIRECT = "INDIRECT"
    BOTH = "BOTH"


@strawberry.enum(description="JumpCloud's graph object types that appear on access paths.")
class GraphObjectType(enum.Enum):
    USER = "user"
    USER_GROUP = "user_group"
    APPLICATION = "application"
    LDAP_SERVER = "ldap_server"
    RADIUS_SERVER = "radius_server"


@strawberry.type(description="One end of a hop: a JumpCloud object by type and id.")
class GraphObjectRef:
    type: GraphObjectType
    jumpcloud_id: strawberry.ID


@strawberry.type(description="One association edge of JumpCloud's graph on an access path.")
class AccessHop:
    from_: GraphObjectRef = strawberry.field(name="from")
    to: GraphObjectRef


@strawberry.type(
    description=(
        "One way an access is granted: a direct binding (`via` null, one hop) or membership "
        "of a group bound to the target (two hops). Removing any hop revokes this path; the "
        "access ends when every path is removed."
    )
)
class AccessPath:
    hops: list[AccessHop]
    via_id: strawberry.Private[Via]

    @strawberry.field(description="The user group this path goes through; null when direct.")
    async def via(
        self, info: Info
    ) -> Annotated["Group", strawberry.lazy("gateway.types.group")] | None:
        from gateway.types.group import Group

        if self.via_id is None:
            return None
        record = await info.context.loaders.record(Resource.GROUPS).load(self.via_id)
        return None if record is None else Group.from_record(record)


def kind_of(vias: Sequence[Via]) -> AccessKind | None:
    direct = any(v is None for v in vias)
    indirect = any(v is not None for v in vias)
    if direct and indirect:
        return AccessKind.BOTH
    if direct:
        return AccessKind.DIRECT
    return AccessKind.INDIRECT if indirect else None


def paths(user_id: str, target: GraphType, target_id: str, vias: Sequence[Via]) -> list[AccessPath]:
    """Typed paths from a user to a target, one per grant (computed, not fetched)."""
    user = GraphObjectRef(type=GraphObjectType.USER, jumpcloud_id=strawberry.ID(user_id))
    end = GraphObjectRef(type=GraphObjectType(target.value), jumpcloud_id=strawberry.ID(target_id))
    out = []
    for via in vias:
        if via is None:
            hops = [AccessHop(from_=user, to=end)]
        else:
            group = GraphObjectRef(type=GraphObjectType.USER_GROUP, jumpcloud_id=strawberry.ID(via))
            hops = [AccessHop(from_=user, to=group), AccessHop(from_=group, to=end)]
        out.append(AccessPath(hops=hops, via_id=via))
    return out


@strawberry.type
class AccessEdge(Generic[NodeT]):
    cursor: str
    node: NodeT
    kind: AccessKind
    paths: list[AccessPath]


@strawberry.type
class AccessConnection(Generic[NodeT]):
    edges: list[AccessEdge[NodeT]]
    page_info: PageInfo
    total_count: int


async def access_connection(
    info: Info,
    neighbours: Sequence[Neighbour],
    *,
    node_resource: Resource,
    make: Callable[[Record], NodeT],
    user_of: Callable[[Neighbour], str],
    target: GraphType,
    target_of: Callable[[Neighbour], str],
    first: int | None,
    after: str | None,
) -> AccessConnection[NodeT]:
    win = window(info, first, after)
    chunk = list(neighbours[win.offset : win.offset + win.limit])
    records = await info.context.loaders.record(node_resource).load_many([n.id for n in chunk])
    edges = [
        AccessEdge(
            cursor=encode_cursor(win.offset + i),
            node=make(record),
            kind=kind_of(n.via) or AccessKind.DIRECT,
            paths=paths(user_of(n), target, target_of(n), n.via),
        )
        for i, (n, record) in enumerate(zip(chunk, records, strict=True))
        if record is not None
    ]
    return AccessConnection(
        edges=edges,
        page_info=page_info(win, len(chunk), len(neighbours)),
        total_count=len(neighbours),
    )


@strawberry.type(description="Whether a user can reach a target, how, and through which paths.")
class AccessDecision:
    granted: bool
    kind: AccessKind | None
    paths: list[AccessPath]


async def reverse_access(
    info: Info,
    target: GraphType,
    target_id: str,
    make: Callable[[Record], Any],
    first: int | None,
    after: str | None,
) -> AccessConnection[Any]:
    """The users who can reach one target (application or server), with their paths."""
    relation = ACCESS_BY_TARGET[target]
    found = await info.context.loaders.edges(relation, target).load(target_id)
    return await access_connection(
        info,
        found,
        node_resource=Resource.USERS,
        make=make,
        user_of=lambda n: n.id,
        target=target,
        target_of=lambda n: target_id,
        first=first,
        after=after,
    )
