"""What every object type shares: built from its record, fetched by id through its kind's loader."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ClassVar, Self, TypeVar

import strawberry

from gateway.context import Info
from gateway.model import Kind, Record, record_id
from gateway.types.relay import Node, to_global_id

E = TypeVar("E", bound="Entity")


class Entity:
    """A mixin of every object type of the model.

    A type declares its scalar fields and `scalars(record)`; the global id, `jumpcloudId`,
    `from_record` and the federation reference resolver come from here and its kind."""

    kind: ClassVar[Kind]

    @classmethod
    def scalars(cls, record: Record) -> dict[str, Any]:
        """The type's own fields, read from a JumpCloud record."""
        raise NotImplementedError

    @classmethod
    def from_record(cls, record: Record) -> Self:
        object_id = record_id(record)
        return cls(
            id=to_global_id(cls.kind.name, object_id),  # type: ignore[call-arg]
            jumpcloud_id=strawberry.ID(object_id),
            **cls.scalars(record),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Self | None:
        """Apollo Federation `_entities`: through the loader, so a batch costs a batch."""
        return await fetch(info, cls, jumpcloudId)


async def fetch(info: Info, cls: type[E], object_id: str | None) -> E | None:
    """One object by JumpCloud id through its kind's loader; None when it does not exist."""
    if object_id is None:
        return None
    record = await info.context.loaders.record(cls.kind).load(str(object_id))
    return None if record is None else cls.from_record(record)


def entity_type(kind: Kind, description: str) -> Callable[[type[E]], type[E]]:
    """Declare the GraphQL type of `kind`: a Node, a federation entity with the kind's keys."""

    def wrap(cls: type[E]) -> type[E]:
        if cls.__name__ != kind.name:
            raise TypeError(f"{cls.__name__} must be named {kind.name}, as its kind")
        cls.kind = kind
        return strawberry.federation.type(cls, keys=list(kind.keys), description=description)

    return wrap


@functools.cache
def entity_class(kind: Kind) -> type[Entity]:
    """The GraphQL type of a kind, imported on first use (types refer to each other)."""
    cls = getattr(importlib.import_module(kind.module), kind.name)
    if not (isinstance(cls, type) and issubclass(cls, Entity) and issubclass(cls, Node)):
        raise TypeError(f"{kind.module}.{kind.name} is not an entity type")
    return cls


def reference(
    kind: Kind, description: str, find: Callable[[Any, Info], Awaitable[str | None]]
) -> Any:
    """A field to one object of `kind` (or null): `find(root, info)` gives its id, then the
    kind's loader reads it, batched with every other read of the request."""

    async def resolve(root: Any, info: Info) -> Any:
        return await fetch(info, entity_class(kind), await find(root, info))

    node: Any = Annotated[kind.name, strawberry.lazy(kind.module)]
    resolve.__annotations__["return"] = node | None
    return strawberry.field(resolver=resolve, description=description)
