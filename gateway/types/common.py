"""Small shared types and the helpers every type module uses: field readers and connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar, cast

import strawberry

from gateway.context import Context, Info
from gateway.model import Kind, Record
from gateway.types.relay import Connection, Edge, Window, connection, page_info

T = TypeVar("T")

DIRECT = "jcgraph.direct"
"""Field metadata: the resolver reads only `info.context` and takes only scalar arguments,
so graphql-core may call it without Strawberry's wrapper (gateway.schema)."""


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


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def strings(raw: Any) -> list[str]:
    return [str(v) for v in raw if v is not None] if isinstance(raw, list) else []


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (API-NOTES §10); None when absent or
    not a timestamp (JumpCloud types several of them as plain strings)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def window(info: Info, first: int | None, after: str | None) -> Window:
    return Window.from_arguments(first, after, info.context.max_page_size)


def now_or_later(ready: Callable[[], T | None], later: Callable[[], Awaitable[T]]) -> T:
    """`ready()` when it can answer from memory; else the awaitable `later()`, which the
    executor awaits. A resolver that answers from memory never suspends: a warm query runs
    without a DataLoader round or an event-loop turn per field."""
    value = ready()
    if value is not None:
        return value
    return cast(T, later())


def records_connection(
    info: Info,
    kind: Kind,
    ids: Sequence[str],
    first: int | None,
    after: str | None,
    make: Callable[[Record], T],
    total: int | None = None,
) -> Connection[T]:
    """A connection over known ids (from `window.offset` on when `total` is given, the ids
    of one page). Only a query that selects `edges` reads the slice's records (from memory,
    or batched): a count costs nothing more."""
    win = window(info, first, after)
    chunk = list(ids[win.offset : win.offset + win.limit] if total is None else ids)
    count = len(ids) if total is None else total
    return Connection.lazy(
        {"total_count": count},
        {
            "edges": partial(_record_edges, info.context, kind, chunk, make, win.offset),
            "page_info": partial(page_info, win, len(chunk), count),
        },
    )


def _record_edges(
    context: Context, kind: Kind, ids: list[str], make: Callable[[Record], T], offset: int
) -> list[Edge[T]] | Awaitable[list[Edge[T]]]:
    """The edges over `ids` from `offset`: from memory when this process holds the records,
    else an awaitable reading them (batched). An object deleted since its id was listed gets
    no edge but keeps its position, so every cursor still points where it says."""
    records = context.loaders.records_now(kind, ids)
    if records is None:
        return _record_edges_later(context, kind, ids, make, offset)
    return [Edge.at(offset + i, make(r)) for i, r in enumerate(records) if r is not None]


async def _record_edges_later(
    context: Context, kind: Kind, ids: list[str], make: Callable[[Record], T], offset: int
) -> list[Edge[T]]:
    records = await context.loaders.record(kind).load_many(ids)
    return [Edge.at(offset + i, make(r)) for i, r in enumerate(records) if r is not None]


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
