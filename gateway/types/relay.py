"""Relay plumbing: the Node interface, global ids, cursors, windows and generic connections."""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, Self, TypeVar

import orjson
import strawberry

from gateway.awaitables import is_awaitable
from gateway.errors import BadUserInput

NodeT = TypeVar("NodeT")


@strawberry.interface(description="An object with a global id, refetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Relay global id.")


def to_global_id(type_name: str, object_id: str) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{object_id}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, JumpCloud id); BAD_USER_INPUT when the id is not one of ours."""
    try:
        decoded = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"{global_id!r} is not a global id returned by this API") from None
    type_name, sep, object_id = decoded.partition(":")
    if not sep or not type_name or not object_id:
        raise BadUserInput(f"{global_id!r} is not a global id returned by this API")
    return type_name, object_id


@dataclass(frozen=True)
class ListScope:
    """The list a cursor belongs to: a connection's name (`Query.users`, `Group.members`)
    and a digest of what picks and orders its items (the owner, the filter, the order)."""

    name: str
    digest: str

    @classmethod
    def of(cls, name: str, *facets: Any) -> ListScope:
        """`facets` are plain values or dataclasses (filters, orders, enums): their `repr`
        is stable, and only its hash goes into a cursor."""
        digest = hashlib.sha256(repr((name, facets)).encode()).hexdigest()[:16]
        return cls(name, digest)


@dataclass(frozen=True)
class Position:
    """Where a list was left: after the item whose sort key is `key`.

    `seen` is how many items came before it, the item included, when the cursor was made
    (it tells `hasPreviousPage`, and the count of a list JumpCloud pages with a keyset).
    `key` None is an offset position: the `seen` first items. `ties` (keyset reads of
    JumpCloud lists ordered by a field that is not unique) is how many items sharing the
    key's value come before the next one."""

    key: tuple[Any, ...] | None
    seen: int
    ties: int = 0


START = Position(key=None, seen=0)
"""Before the first item: where a list with no `after` starts."""


class Window(NamedTuple):
    """`first` items after `after`, of the list `scope`."""

    scope: ListScope
    limit: int
    after: Position | None

    @classmethod
    def of(cls, first: int | None, after: str | None, cap: int, scope: ListScope) -> Window:
        if first is None:
            first = cap
        if first < 0:
            raise BadUserInput("`first` must not be negative.")
        if first > cap:
            raise BadUserInput(f"`first` must be at most {cap}; page with `after`.", cap=cap)
        return cls(
            scope=scope, limit=first, after=None if after is None else decode_cursor(after, scope)
        )

    def cursor(self, key: tuple[Any, ...] | None, seen: int, ties: int = 0) -> str:
        return encode_cursor(self.scope, Position(key, seen, ties))

    def start(self, keys: Sequence[Any]) -> int:
        """Where the page starts in a list held whole, ordered by `keys` (ascending, so a
        cursor's item removed since still has its place): right after the cursor's item."""
        after = self.after
        if after is None:
            return 0
        if after.key is None:
            return min(after.seen, len(keys))
        key: Any = after.key[0] if len(after.key) == 1 else after.key
        at = bisect.bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            return at + 1
        try:  # a list not in key order: the item itself
            return keys.index(key) + 1
        except ValueError:
            return at  # gone since: the first item after where it was

    def page_info(
        self, start: int, count: int, total: int, first: str | None, last: str | None
    ) -> PageInfo:
        """Page info of `count` items from index `start` of `total`, with the cursors of
        the first and last of them; an empty page ends where it was asked to start."""
        has_next = start + count < total
        end = last
        if end is None and (self.after is not None or has_next):
            end = encode_cursor(self.scope, self.after or START)
        return PageInfo(
            has_next_page=has_next,
            has_previous_page=start > 0,
            start_cursor=first,
            end_cursor=end,
        )


_CURSOR_VERSION = "c1"


def encode_cursor(scope: ListScope, position: Position) -> str:
    raw = orjson.dumps(
        [_CURSOR_VERSION, scope.name, scope.digest, position.key, position.seen, position.ties]
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, scope: ListScope) -> Position:
    """The position `cursor` holds, if it was made for `scope`; else BAD_USER_INPUT."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        version, name, digest, key, seen, ties = raw
        valid = (
            version == _CURSOR_VERSION
            and isinstance(name, str)
            and isinstance(digest, str)
            and (key is None or isinstance(key, list))
            and isinstance(seen, int)
            and isinstance(ties, int)
            and seen >= 0
            and ties >= 0
        )
    except (binascii.Error, orjson.JSONDecodeError, TypeError, ValueError):
        valid = False
    if not valid:
        raise BadUserInput(f"{cursor!r} is not a cursor returned by this API")
    if name != scope.name:
        raise BadUserInput(
            f"This cursor belongs to `{name}`, not `{scope.name}`: pass a cursor this list "
            "returned."
        )
    if digest != scope.digest:
        raise BadUserInput(
            f"This cursor belongs to `{name}` with another owner, filter or order: page with "
            "the same arguments the cursor was returned with, or start again without `after`."
        )
    return Position(key=None if key is None else tuple(key), seen=seen, ties=ties)


@strawberry.type(description="Where a page sits in its list (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when items follow this page: ask for them with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when items come before this page (it was asked for with `after`)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description=(
            "The cursor to pass as `after` for the next page: the last item's, or on an "
            "empty page the position asked for, so it is never null while `hasNextPage` is "
            "true."
        )
    )


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT

    @classmethod
    def at(cls, window: Window, position: Position, node: NodeT) -> Edge[NodeT]:
        """The edge of `node` at `position`; its cursor is encoded only if a query reads it."""
        edge = cls.__new__(cls)
        edge.__dict__["node"] = node
        edge.__dict__["_at"] = (window.scope, position)
        return edge

    def __getattr__(self, name: str) -> Any:
        at = self.__dict__.get("_at")
        if name != "cursor" or at is None:
            raise AttributeError(name)
        cursor = self.__dict__["cursor"] = encode_cursor(*at)
        return cursor


@dataclass(frozen=True)
class Slice:
    """One page of a list: the window asked for, where the page starts in the list, the
    positions of its items and how many items the list holds."""

    window: Window
    start: int
    positions: Sequence[Position]
    total: int

    @classmethod
    def of(cls, window: Window, keys: Sequence[Any]) -> Slice:
        """The page of a list held whole, in ascending order of `keys` (one per item: a
        scalar, or a tuple for a compound order), so that a cursor's place survives items
        added and removed before it."""
        start = window.start(keys)
        chunk = keys[start : start + window.limit]
        positions = [
            Position(k if isinstance(k, tuple) else (k,), start + i + 1)
            for i, k in enumerate(chunk)
        ]
        return cls(window, start, positions, len(keys))

    def edge(self, index: int, node: NodeT) -> Edge[NodeT]:
        return Edge.at(self.window, self.positions[index], node)

    def cursor(self, index: int) -> str:
        return encode_cursor(self.window.scope, self.positions[index])

    def page_info(self) -> PageInfo:
        count = len(self.positions)
        return self.window.page_info(
            self.start,
            count,
            self.total,
            self.cursor(0) if count else None,
            self.cursor(count - 1) if count else None,
        )


class Lazy:
    """Fields a query may not select, made on first read: `lazy(**makers)` gives an object
    whose field `name` is `makers[name]()` the first time it is read. A maker may return an
    awaitable (records still to be read); it is started once, so aliases share it."""

    @classmethod
    def lazy(cls, values: dict[str, Any], makers: dict[str, Callable[[], Any]]) -> Self:
        obj = cls.__new__(cls)
        obj.__dict__.update(values)
        obj.__dict__["_makers"] = makers
        return obj

    def __getattr__(self, name: str) -> Any:
        makers: dict[str, Callable[[], Any]] | None = self.__dict__.get("_makers")
        if makers is None or name not in makers:
            raise AttributeError(name)
        value = makers[name]()
        if is_awaitable(value):
            value = asyncio.ensure_future(value)
        self.__dict__[name] = value
        return value


@strawberry.type
class Connection(Lazy, Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int


def connection(nodes: Sequence[NodeT | None], page: Slice) -> Connection[NodeT]:
    """A connection over `nodes`, the page's items. A None (an object deleted since its id
    was listed) gets no edge but keeps its position, so every cursor still points where it
    says."""
    return Connection(
        edges=[page.edge(i, n) for i, n in enumerate(nodes) if n is not None],
        page_info=page.page_info(),
        total_count=page.total,
    )
