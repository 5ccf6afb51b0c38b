"""Relationship fields from the model: one resolver factory for every relation and side."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.context import Info
from gateway.model import Kind, Neighbour, Relation
from gateway.types.access import AccessConnection, LoginConnection, access_connection
from gateway.types.common import DIRECT, id_list_connection, window
from gateway.types.entity import entity_class
from gateway.types.relay import Connection, ListScope


def related(relation: Relation, side: Kind, description: str) -> Any:
    """The connection field of a `side` object to the objects across `relation`.

    The objects come through the relation's loader (batched, planned, cached) and then the
    other kind's record loader, one page at a time. The field is nullable: when a read fails,
    it alone is null, with its error. An effective relation's edges carry the
    access kind and paths (and sudo, for relations with attributes)."""
    other = relation.other(side)
    node: Any = Annotated[other.name, strawberry.lazy(other.module)]
    if not relation.effective:
        returns: Any = Connection[node]
    elif relation.attributes:
        returns = LoginConnection[node]
    else:
        returns = AccessConnection[node]

    def build(info: Info, owner: str, found: list[Neighbour], first: Any, after: Any) -> Any:
        made = entity_class(other).from_record
        # A cursor belongs to one owner's list of this field (`Group.members` of a group).
        scope = ListScope.of(f"{info.path.typename}.{info.field_name}", owner)
        if relation.effective:
            return access_connection(
                info, relation, side, owner, found, made, window(info, first, after, scope)
            )
        return id_list_connection(info, other, [n.id for n in found], first, after, scope, made)

    async def later(info: Info, owner: str, first: Any, after: Any) -> Any:
        found = await info.context.loaders.edges(relation, side).load(owner)
        return build(info, owner, found, first, after)

    def resolve(root: Any, info: Info, first: int | None = None, after: str | None = None) -> Any:
        owner: str = root.jumpcloud_id
        found = info.context.loaders.edges_now(relation, side, owner)
        if found is None:
            return later(info, owner, first, after)
        return build(info, owner, found, first, after)

    # Nullable: a failed read nulls this field alone, beside its error, and the rest of the
    # response arrives (the convention for fields backed by remote reads).
    resolve.__annotations__["return"] = returns | None
    return strawberry.field(
        resolver=resolve,
        description=description,
        metadata={"relation": relation, "side": side, DIRECT: True},
    )
