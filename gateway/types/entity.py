"""What every object type shares: built from its record, fetched by id through its kind's loader."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self, TypeVar

import strawberry
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.private import is_private

from gateway.context import Info
from gateway.model import Kind, Record, record_id
from gateway.types.common import Attribute, attributes, flag, parse_timestamp, strings
from gateway.types.relay import Node, to_global_id

E = TypeVar("E", bound="Entity")


class Entity:
    """A mixin of every object type of the model.

    A type declares its fields; each plain scalar field is read from the record key of the
    same name in camelCase (or `source("key")`, dotted for nested keys) and converted by its
    annotation; a field marked `derived(fn)` is `fn(record)`. Objects are made over their
    record and read a field only when a query selects it. The global id, `jumpcloudId`,
    `from_record` and the federation reference resolver come from here."""

    kind: ClassVar[Kind]
    _record: Record

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """The object over `record`: each field is read the first time it is asked for
        (only what a query selects is ever converted)."""
        obj = cls.__new__(cls)
        obj.__dict__["_record"] = record
        return obj

    def __getattr__(self, name: str) -> Any:
        # Called only for fields not read yet (see from_record).
        record: Record | None = self.__dict__.get("_record")
        read = None if record is None else readers(type(self)).get(name)
        if read is None:
            raise AttributeError(name)
        value = self.__dict__[name] = read(self)
        return value

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Self | None:
        """Apollo Federation `_entities`: through the loader, so a batch costs a batch."""
        return await fetch(info, cls, jumpcloudId)


def source(key: str, *, name: str | None = None, description: str | None = None) -> Any:
    """A scalar field read from record key `key` (`a.b` for a nested key)."""
    return strawberry.field(name=name, description=description, metadata={"key": key})


def derived(derive: Callable[[Record], Any], *, description: str | None = None) -> Any:
    """A field computed from the whole record by `derive`."""
    return strawberry.field(description=description, metadata={"derive": derive})


Reader = Callable[..., Any]
"""Reads one field of an entity object from its record: `read(obj)`, or `read(obj, info)`
as graphql-core calls a resolver (gateway.schema_direct sets readers as the fields'
resolvers)."""

_READERS: dict[type, dict[str, Reader]] = {}


def readers(cls: type) -> dict[str, Reader]:
    """A reader for every field of an entity type read from its record (plain, derived, and
    its global id), made once per type; relationship fields are not among them."""
    known = _READERS.get(cls)
    if known is not None:
        return known
    kind: Kind = cls.kind  # type: ignore[attr-defined]
    out: dict[str, Reader] = {
        "id": lambda obj, _info=None: to_global_id(kind.name, obj.jumpcloud_id),
        "jumpcloud_id": lambda obj, _info=None: record_id(obj._record),  # a str, as an ID is
    }
    for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if field.base_resolver is not None or field.python_name in _OWN:
            continue
        derive = field.metadata.get("derive")
        if derive is not None:
            out[field.python_name] = _on_record(derive)
            continue
        if is_private(field.type):
            raise TypeError(f"{cls.__name__}.{field.python_name}: read `_record` instead")
        key = field.metadata.get("key") or _camel(field.python_name)
        out[field.python_name] = _reader(key, field.type, f"{cls.__name__}.{field.name}")
    _READERS[cls] = out
    return out


_OWN = frozenset({"id", "jumpcloud_id"})


def _on_record(derive: Callable[[Record], Any]) -> Reader:
    return lambda obj, _info=None: derive(obj._record)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _reader(key: str, annotation: Any, where: str) -> Reader:
    """A reader of record key `key` (dotted: nested) converted by the field's annotation;
    the common conversions are inlined, so a field costs one call."""
    optional = isinstance(annotation, StrawberryOptional)
    inner = annotation.of_type if optional else annotation
    if "." in key:
        head, *path = key.split(".")

        def get(record: Record) -> Any:
            value = record.get(head)
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            return value

    else:

        def get(record: Record) -> Any:
            return record.get(key)

    if "." not in key and inner is str and optional:

        def text(obj: Any, _info: Any = None) -> str | None:
            value = obj._record.get(key)
            return None if value is None or value == "" else str(value)

        return text
    if "." not in key and inner is str:

        def required_text(obj: Any, _info: Any = None) -> str:
            value = obj._record.get(key)
            return "" if value is None else str(value)

        return required_text
    convert: Callable[[Any], Any]
    if inner is str:
        convert = _text if optional else _required_text
    elif inner is bool:
        convert = flag if optional else bool
    elif inner is datetime and optional:
        convert = parse_timestamp
    elif isinstance(inner, StrawberryList) and inner.of_type is str:
        convert = strings
    elif isinstance(inner, StrawberryList) and inner.of_type is Attribute:
        convert = attributes
    else:
        raise TypeError(f"{where}: no reader for {annotation!r}; declare it derived(...)")
    return lambda obj, _info=None: convert(get(obj._record))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _required_text(value: Any) -> str:
    return "" if value is None else str(value)


async def fetch(info: Info, cls: type[E], object_id: str | None) -> E | None:
    """One object by JumpCloud id through its kind's loader; None when it does not exist."""
    if object_id is None:
        return None
    record = await info.context.loaders.record(cls.kind).load(str(object_id))
    return None if record is None else cls.from_record(record)


def find(info: Info, cls: type[E], field: str, value: str) -> E | Awaitable[E | None] | None:
    """One object by JumpCloud id (`field` "jumpcloud_id") or by a unique field of its kind
    (email, username, hostname): from memory, without awaiting, when this process holds the
    answer; else an awaitable reading it through the loaders."""
    loaders = info.context.loaders
    object_id: Any = (
        value if field == "jumpcloud_id" else loaders.lookup_now(cls.kind, field, value)
    )
    if object_id is None:
        return None  # remembered fresh as held by no object
    if isinstance(object_id, str):
        records = loaders.records_now(cls.kind, [object_id])
        if records is not None:
            return None if records[0] is None else cls.from_record(records[0])

    async def later() -> E | None:
        found: str | None = value
        if field != "jumpcloud_id":
            found = await loaders.lookup(cls.kind, field).load(value)
        return await fetch(info, cls, found)

    return later()


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
