"""Small shared types and the helpers every entity module uses to build connections."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry

from gateway.access import Relation
from gateway.context import Info
from gateway.directory import Record
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.types.relay import Connection, Window, connection

T = TypeVar("T")


@strawberry.type(description="A custom attribute: a name and a value.")
class Attribute:
    name: str
    value: str | None


def attributes(raw: Any) -> list[Attribute]:
    if not isinstance(raw, list):
        return []
    return [
        Attribute(
            name=str(a.get("name")), value=None if a.get("value") is None else str(a["value"])
        )
        for a in raw
        if isinstance(a, dict) and a.get("name") is not None
    ]


def text(record: Record, key: str) -> str | None:
    value = record.get(key)
    return None if value is None or value == "" else str(value)


def window(info: Info, first: int | None, after: str | None) -> Window:
    return Window.from_arguments(first, after, info.context.max_page_size)


async def records_connection(
    info: Info,
    resource: Resource,
    ids: Sequence[str],
    first: int | None,
    after: str | None,
    make: Callable[[Record], T],
) -> Connection[T]:
    """A connection over known ids: slice, then load only the slice's records (batched)."""
    win = window(info, first, after)
    chunk = ids[win.offset : win.offset + win.limit]
    records = await info.context.loaders.record(resource).load_many(list(chunk))
    return connection([None if r is None else make(r) for r in records], win, len(ids))


def records_list_connection(
    info: Info,
    records: Sequence[Record],
    first: int | None,
    after: str | None,
    make: Callable[[Record], T],
) -> Connection[T]:
    """A connection over records already in hand (a filtered small collection)."""
    win = window(info, first, after)
    chunk = records[win.offset : win.offset + win.limit]
    return connection([make(r) for r in chunk], win, len(records))


async def neighbour_connection(
    info: Info,
    relation: Relation,
    side: GraphType,
    object_id: str,
    resource: Resource,
    make: Callable[[Record], T],
    first: int | None,
    after: str | None,
) -> Connection[T]:
    """The objects on the other side of `relation` from one object, as a connection."""
    found = await info.context.loaders.edges(relation, side).load(object_id)
    ids = [n.id for n in found]
    return await records_connection(info, resource, ids, first, after, make)


async def entity(
    info: Info, resource: Resource, object_id: str | None, make: Callable[[Record], T]
) -> T | None:
    """One object by JumpCloud id through its loader; None when it does not exist."""
    if object_id is None:
        return None
    record = await info.context.loaders.record(resource).load(str(object_id))
    return None if record is None else make(record)
