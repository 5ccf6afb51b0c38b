"""Relay plumbing: the Node interface, global ids, cursors, windows and generic connections."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, Self, TypeVar

import strawberry

from gateway.awaitables import is_awaitable
from gateway.errors import BadUserInput

NodeT = TypeVar("NodeT")
_CURSOR_PREFIX = "cursor:"


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


class Window(NamedTuple):
    """A slice [offset, offset + limit) of a list, from `first` and `after`."""

    offset: int
    limit: int

    @classmethod
    def from_arguments(cls, first: int | None, after: str | None, cap: int) -> Window:
        if first is None:
            first = cap
        if first < 0:
            raise BadUserInput("`first` must not be negative.")
        if first > cap:
            raise BadUserInput(f"`first` must be at most {cap}; page with `after`.", cap=cap)
        offset = decode_cursor(after) + 1 if after else 0
        return cls(offset=offset, limit=first)


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
        if raw.startswith(_CURSOR_PREFIX):
            offset = int(raw[len(_CURSOR_PREFIX) :])
            if offset >= 0:
                return offset
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadUserInput(f"{cursor!r} is not a cursor returned by this API")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(window: Window, count: int, total: int) -> PageInfo:
    return PageInfo(
        has_next_page=window.offset + count < total,
        has_previous_page=window.offset > 0,
        start_cursor=encode_cursor(window.offset) if count else None,
        end_cursor=encode_cursor(window.offset + count - 1) if count else None,
    )


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT

    @classmethod
    def at(cls, offset: int, node: NodeT) -> Edge[NodeT]:
        """The edge of `node` at `offset`; its cursor is encoded only if a query reads it."""
        edge = cls.__new__(cls)
        edge.__dict__["node"] = node
        edge.__dict__["_offset"] = offset
        return edge

    def __getattr__(self, name: str) -> Any:
        offset = self.__dict__.get("_offset")
        if name != "cursor" or offset is None:
            raise AttributeError(name)
        cursor = self.__dict__["cursor"] = encode_cursor(offset)
        return cursor


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


def edges_of(nodes: Sequence[NodeT | None], window: Window) -> list[Edge[NodeT]]:
    """Edges over the sliced `nodes`, starting at `window.offset`. A None (an object deleted
    since its id was listed) gets no edge but keeps its position, so every cursor still
    points where it says."""
    return [Edge.at(window.offset + i, n) for i, n in enumerate(nodes) if n is not None]


def connection(nodes: Sequence[NodeT | None], window: Window, total: int) -> Connection[NodeT]:
    """A connection over `nodes`, the sliced items starting at `window.offset`."""
    return Connection(
        edges=edges_of(nodes, window),
        page_info=page_info(window, len(nodes), total),
        total_count=total,
    )
