"""Small shared types and the helpers every type module uses: field readers and connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple, TypeVar, cast

import strawberry

from gateway.context import Context, Info
from gateway.model import Filter, Kind, Listing, Op, Record, SortKey, record_id
from gateway.types.relay import (
    Connection,
    Edge,
    ListScope,
    Position,
    Slice,
    Window,
    connection,
)

T = TypeVar("T")

DIRECT = "jcgraph.direct"
"""Field metadata: the resolver reads only `info.context` and takes only scalar arguments,
so graphql-core may call it without Strawberry's wrapper (gateway.schema_direct)."""


@strawberry.type(description="A custom attribute: a name and a value.")
class Attribute:
    name: str = strawberry.field(description="The attribute's name.")
    value: str | None = strawberry.field(description="Its value; null when empty.")


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
    """An ISO 8601 timestamp (JumpCloud sends UTC) as an aware UTC datetime; None when absent or
    not a timestamp (JumpCloud types several of them as plain strings)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def window(info: Info, first: int | None, after: str | None, scope: ListScope) -> Window:
    """The page `first`/`after` ask for, of the list `scope` (a cursor of another list is
    refused), `first` capped at the page size."""
    return Window.of(first, after, info.context.max_page_size, scope)


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
    page: Slice,
    make: Callable[[Record], T],
) -> Connection[T]:
    """A connection over `ids`, the ids of `page`'s items. Only a query that selects `edges`
    reads their records (from memory, or batched): a count costs nothing more."""
    chunk = list(ids)
    return Connection.lazy(
        {"total_count": page.total},
        {
            "edges": partial(_record_edges, info.context, kind, chunk, make, page),
            "page_info": page.page_info,
        },
    )


def id_list_connection(
    info: Info,
    kind: Kind,
    ids: Sequence[str],
    first: int | None,
    after: str | None,
    scope: ListScope,
    make: Callable[[Record], T],
) -> Connection[T]:
    """A connection over a list of ids held whole, in id order (JumpCloud's graph lists
    are kept sorted by id): cursors hold the last id, so a page starts after it even when
    objects were added or removed since."""
    page = Slice.of(window(info, first, after, scope), ids)
    chunk = ids[page.start : page.start + len(page.positions)]
    return records_connection(info, kind, chunk, page, make)


def _record_edges(
    context: Context, kind: Kind, ids: list[str], make: Callable[[Record], T], page: Slice
) -> list[Edge[T]] | Awaitable[list[Edge[T]]]:
    """The edges over `ids`: from memory when this process holds the records, else an
    awaitable reading them (batched). An object deleted since its id was listed gets no
    edge but keeps its position, so every cursor still points where it says."""
    records = context.loaders.records_now(kind, ids)
    if records is None:
        return _record_edges_later(context, kind, ids, make, page)
    return [page.edge(i, make(r)) for i, r in enumerate(records) if r is not None]


async def _record_edges_later(
    context: Context, kind: Kind, ids: list[str], make: Callable[[Record], T], page: Slice
) -> list[Edge[T]]:
    records = await context.loaders.record(kind).load_many(ids)
    return [page.edge(i, make(r)) for i, r in enumerate(records) if r is not None]


def records_list_connection(
    info: Info,
    records: Sequence[Record],
    first: int | None,
    after: str | None,
    scope: ListScope,
    make: Callable[[Record], T],
) -> Connection[T]:
    """A connection over records already in hand (a small collection read whole in id
    order, filtered): cursors hold the last id."""
    page = Slice.of(window(info, first, after, scope), [record_id(r) for r in records])
    chunk = records[page.start : page.start + len(page.positions)]
    return connection([make(r) for r in chunk], page)


class PagedRead(NamedTuple):
    """How to read a page of a list JumpCloud filters and sorts (users, systems) from a
    cursor: `skip` and the keyset `filters` to add, and how many items come `before`."""

    skip: int
    filters: tuple[Filter, ...]
    before: int

    @classmethod
    def of(cls, after: Position | None, sort: Sequence[SortKey]) -> PagedRead:
        if after is None:
            return cls(0, (), 0)
        if after.key is None:  # an offset position (see `positions`)
            return cls(after.seen, (), after.seen)
        value, primary = after.key[0], sort[0]
        if primary.field == "_id":
            # The unique key: exactly the items past the cursor's (a v1 `$gt`/`$lt` filter).
            op = Op.LT if primary.descending else Op.GT
            return cls(0, (Filter("_id", op, value),), after.seen)
        # Another field, ascending (ties ordered by `_id`): the items from the cursor's
        # value on, less those sharing it that were already returned. Inserts and deletes
        # elsewhere leave the place intact; among the items sharing that value, it is an
        # offset.
        return cls(after.ties, (Filter(primary.field, Op.GTE, value),), after.seen)

    def positions(
        self, after: Position | None, sort: Sequence[SortKey], values: Sequence[Any]
    ) -> list[Position]:
        """The positions of a page's items, whose first sort keys are `values`.

        A keyset position needs the item's value as a filter term: `_id` always has one;
        another field only ascending, and only when the item has the field (JumpCloud
        sorts items without it first ascending and last descending, and no v1 filter
        selects a missing value). Otherwise the position is an offset: the items before
        it, which shifts if items are added or removed before it."""
        primary = sort[0] if sort else SortKey("_id")
        keyed = primary.field == "_id" or not primary.descending
        out: list[Position] = []
        run_value: Any = after.key[0] if after is not None and after.key else None
        run = after.ties if after is not None and after.key and primary.field != "_id" else 0
        for i, value in enumerate(values):
            seen = self.before + i + 1
            if not keyed or not isinstance(value, str):
                out.append(Position(None, seen))
                run_value, run = None, 0
                continue
            if primary.field == "_id":
                out.append(Position((value,), seen))
                continue
            run = run + 1 if value == run_value else 1
            run_value = value
            out.append(Position((value,), seen, run))
        return out


def pushed_connection(
    info: Info,
    kind: Kind,
    make: Callable[[Record], T],
    first: int | None,
    after: str | None,
    scope: ListScope,
    filters: Sequence[Filter],
    sort: Sequence[SortKey],
) -> Connection[T] | Awaitable[Connection[T]]:
    """A page of a listed kind (users, systems), filtered and sorted by JumpCloud: from
    memory when this process holds the page, else read. After a cursor, the page is read
    from the cursor's key on (a keyset), so items added or removed on earlier pages neither
    repeat nor skip an item; `totalCount` is then the items before the cursor when it was
    made plus those JumpCloud counts from it on."""
    win = window(info, first, after, scope)
    read = PagedRead.of(win.after, sort)
    wanted = [*filters, *read.filters]
    loaders = info.context.loaders
    size = max(win.limit, 1)  # `first: 0` still reads the count
    listing = Listing(kind, read.skip, size, tuple(wanted), tuple(sort))

    def build(page: Any) -> Connection[T]:
        ids = page.ids[: win.limit]
        total = read.before - read.skip + page.total
        loaders.expect(kind, total)
        positions = read.positions(win.after, sort, page.values[: len(ids)])
        return records_connection(info, kind, ids, Slice(win, read.before, positions, total), make)

    def ready() -> Connection[T] | None:
        page = loaders.page_now(listing)
        return None if page is None else build(page)

    async def later() -> Connection[T]:
        return build(await loaders.page(listing))

    return now_or_later(ready, later)
