"""Effective access: kinds, typed paths and hops, sudo, access edges and connections."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from gateway.context import Info
from gateway.model import (
    DIRECT,
    GROUP,
    SYSTEM_GROUP,
    USER,
    GraphType,
    Kind,
    Neighbour,
    Record,
    Relation,
    Route,
    Step,
)
from gateway.types.common import now_or_later
from gateway.types.entity import reference
from gateway.types.relay import Lazy, PageInfo, Slice, Window

NodeT = TypeVar("NodeT")

GraphObjectType = strawberry.enum(
    GraphType,
    name="GraphObjectType",
    description="JumpCloud's graph object types that appear on access paths.",
)


@strawberry.type(description="One end of a hop: a JumpCloud object by type and id.")
class GraphObjectRef:
    type: GraphObjectType = strawberry.field(  # type: ignore[valid-type]
        description="What kind of object it is."
    )
    jumpcloud_id: strawberry.ID = strawberry.field(description="Its JumpCloud id.")


@strawberry.type(description="One association edge of JumpCloud's graph on an access path.")
class AccessHop:
    from_: GraphObjectRef = strawberry.field(name="from", description="The end nearer the user.")
    to: GraphObjectRef = strawberry.field(description="The end nearer the target.")


@strawberry.type(
    description=(
        "Whether sudo is granted on a system, compiled over every path (JumpCloud's "
        "`compiledAttributes.sudo`)."
    )
)
class Sudo:
    enabled: bool = strawberry.field(description="True: at least one path grants sudo.")
    without_password: bool = strawberry.field(
        description="Sudo without a password on at least one path that grants sudo."
    )


def sudo_of(attributes: Mapping[str, Any] | None) -> Sudo | None:
    """Sudo from compiled attributes; None when no path grants it."""
    raw = (attributes or {}).get("sudo") or {}
    if not raw.get("enabled"):
        return None
    return Sudo(enabled=True, without_password=bool(raw.get("withoutPassword")))


@strawberry.type(
    description=(
        "One way an access is granted: a direct binding (one hop), or through a user group "
        "and/or a system group (two or three hops). Removing any hop revokes this path; the "
        "access ends when every path is removed."
    )
)
class AccessPath:
    hops: list[AccessHop] = strawberry.field(
        description="The association edges from the user to the target, in order."
    )
    via_group_id: strawberry.ID | None = strawberry.field(
        description=(
            "The jumpcloudId of the user group this path goes through, if any: present "
            "whenever `via` would be, without reading the group."
        )
    )
    via_system_group_id: strawberry.ID | None = strawberry.field(
        description="The jumpcloudId of the system group this path goes through, if any."
    )
    route: strawberry.Private[Route]

    @strawberry.field(description="True for a direct binding of the user to the target.")
    def direct(self) -> bool:
        return self.route == DIRECT

    via = reference(
        GROUP, "The user group this path goes through, if any.", lambda p, _: p.step(GROUP)
    )
    via_system_group = reference(
        SYSTEM_GROUP,
        "The system group this path goes through, if any.",
        lambda p, _: p.step(SYSTEM_GROUP),
    )

    async def step(self, kind: Kind) -> str | None:
        """The id of the object of `kind` this path passes, if any."""
        return next((i for t, i in self.route if kind.graph_type == t), None)


@strawberry.enum(description="How an access is granted.")
class AccessKind(enum.Enum):
    DIRECT = "DIRECT"
    INDIRECT = "INDIRECT"
    BOTH = "BOTH"


def kind_of(routes: Sequence[Route]) -> AccessKind | None:
    direct = any(r == DIRECT for r in routes)
    indirect = any(r != DIRECT for r in routes)
    if direct and indirect:
        return AccessKind.BOTH
    if direct:
        return AccessKind.DIRECT
    return AccessKind.INDIRECT if indirect else None


def paths(
    user_id: str, target: GraphType, target_id: str, routes: Sequence[Route]
) -> list[AccessPath]:
    """Typed paths from a user to a target, one per route (computed, not fetched)."""
    end: Step = (target.value, target_id)
    out = []
    for route in routes:
        objects = [(GraphType.USER.value, user_id), *route, end]
        refs = [
            GraphObjectRef(type=GraphType(t), jumpcloud_id=strawberry.ID(i)) for t, i in objects
        ]
        hops = [AccessHop(from_=a, to=b) for a, b in itertools.pairwise(refs)]
        groups = [i for t, i in route if t == GraphType.USER_GROUP.value]
        system_groups = [i for t, i in route if t == GraphType.SYSTEM_GROUP.value]
        out.append(
            AccessPath(
                hops=hops,
                via_group_id=strawberry.ID(groups[0]) if groups else None,
                via_system_group_id=strawberry.ID(system_groups[0]) if system_groups else None,
                route=route,
            )
        )
    return out


KIND = "How the access is granted: directly, through groups, or both."
PATHS = "Every path that grants the access; all of them must go to revoke it."


@strawberry.type
class AccessEdge(Generic[NodeT]):
    cursor: str
    node: NodeT
    kind: AccessKind = strawberry.field(description=KIND)
    paths: list[AccessPath] = strawberry.field(description=PATHS)


@strawberry.type
class AccessConnection(Lazy, Generic[NodeT]):
    edges: list[AccessEdge[NodeT]]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="Access to log into a system: how, through which paths, with sudo.")
class LoginEdge(Generic[NodeT]):
    cursor: str
    node: NodeT
    kind: AccessKind = strawberry.field(description=KIND)
    paths: list[AccessPath] = strawberry.field(description=PATHS)
    sudo: Sudo | None = strawberry.field(description="Null when no path grants sudo.")


@strawberry.type
class LoginConnection(Lazy, Generic[NodeT]):
    edges: list[LoginEdge[NodeT]]
    page_info: PageInfo
    total_count: int


def access_connection(
    info: Info,
    relation: Relation,
    side: Kind,
    owner: str,
    neighbours: Sequence[Neighbour],
    make: Callable[[Record], Any],
    win: Window,
) -> Any:
    """The objects one object reaches across an effective relation, with their paths, always
    told from the user to the target (routes read from the target's side are reversed).
    Neighbours come in id order: cursors hold the last id."""
    target = relation.right.graph_type
    assert target is not None
    page = Slice.of(win, [n.id for n in neighbours])
    chunk = list(neighbours[page.start : page.start + len(page.positions)])
    other = relation.other(side)
    ids = [n.id for n in chunk]
    loaders = info.context.loaders

    def edges(records: Sequence[Record | None]) -> list[Any]:
        out: list[Any] = []
        for offset, (n, record) in enumerate(zip(chunk, records, strict=True)):
            if record is None:
                continue
            if side is USER:
                user_id, target_id, routes = owner, n.id, n.routes
            else:
                user_id, target_id, routes = n.id, owner, tuple(r[::-1] for r in n.routes)
            fields: dict[str, Any] = {
                "cursor": page.cursor(offset),
                "node": make(record),
                "kind": kind_of(routes) or AccessKind.DIRECT,
                "paths": paths(user_id, target, target_id, routes),
            }
            if relation.attributes:
                out.append(LoginEdge(**fields, sudo=sudo_of(n.attributes)))
            else:
                out.append(AccessEdge(**fields))
        return out

    def ready() -> list[Any] | None:
        records = loaders.records_now(other, ids)
        return None if records is None else edges(records)

    async def later() -> list[Any]:
        return edges(await loaders.record(other).load_many(ids))

    connection_type = LoginConnection if relation.attributes else AccessConnection
    return connection_type.lazy(
        {"total_count": len(neighbours)},
        {
            "edges": lambda: now_or_later(ready, later),
            "page_info": page.page_info,
        },
    )


@strawberry.type(description="Whether a user can reach a target, how, and through which paths.")
class AccessDecision:
    granted: bool = strawberry.field(description="True when at least one path grants it.")
    kind: AccessKind | None = strawberry.field(
        description="How it is granted; null when it is not."
    )
    paths: list[AccessPath] = strawberry.field(
        description="Every path that grants it; empty when it is not granted."
    )
    sudo: Sudo | None = strawberry.field(
        default=None, description="For a system: sudo compiled over the paths; else null."
    )
