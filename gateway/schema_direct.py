"""Resolvers wired straight into graphql-core, past Strawberry's per-call wrapper."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)
from strawberry.types.field import StrawberryField

from gateway.types.common import DIRECT
from gateway.types.entity import Entity, readers


def resolve_fields_directly(schema: GraphQLSchema) -> None:
    """Resolve without Strawberry's per-call wrapper (its extension hooks, argument
    conversion and `Info` object) every field that needs none of it:

    - a plain field (no resolver, no field extension): an entity's straight from its record
      (gateway.types.entity), any other type's by reading the attribute;
    - a field marked `DIRECT` (relationship fields, lookups): its function called with the
      source, graphql-core's info (it has `context`) and the arguments by Python name.

    Most fields of a large list are plain or relationships; they dominate a warm walk."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLEnumType) and not named.name.startswith("__"):
            _serialize_by_member(named)
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        origin = getattr(named.extensions.get("strawberry-definition"), "origin", None)
        entity = isinstance(origin, type) and issubclass(origin, Entity)
        direct = readers(origin) if isinstance(origin, type) and entity else {}
        if entity:
            # Strawberry's check that a resolver returned an object of this type; an
            # entity's objects are made by its own class (`from_record`), and abstract types
            # resolve them by class, not by this check. It costs a call per object.
            named.is_type_of = None
        for field in named.fields.values():
            definition = field.extensions.get("strawberry-definition")
            if not isinstance(definition, StrawberryField) or definition.extensions:
                continue
            if definition.is_basic_field:
                read = direct.get(definition.python_name)
                field.resolve = _attribute(definition.python_name) if read is None else read
            elif definition.metadata.get(DIRECT):
                field.resolve = _direct(named.name, field, definition)


def _serialize_by_member(enum: GraphQLEnumType) -> None:
    """An enum's values serialized by a lookup of the Python member (Strawberry scans the
    values, reading each member's `value`, for every value it serializes)."""
    wrapped = getattr(enum, "wrapped_cls", None)
    if wrapped is None:
        return
    names = {
        member: name
        for name, value in enum.values.items()
        for member in wrapped
        if member.value == value.value
    }
    general = enum.serialize

    def serialize(output_value: Any) -> Any:
        try:
            return names[output_value]
        except (KeyError, TypeError):  # not a member (or unhashable): the general path
            return general(output_value)

    enum.serialize = serialize  # type: ignore[method-assign]


def _direct(parent: str, field: GraphQLField, definition: StrawberryField) -> Callable[..., Any]:
    resolver = definition.base_resolver
    assert resolver is not None
    where = f"{parent}.{definition.python_name}"
    call = resolver.wrapped_func
    if not inspect.isfunction(call):
        raise TypeError(f"{where}: a direct resolver is a plain function")
    parameters = list(inspect.signature(call).parameters)
    if resolver.info_parameter is None or parameters[1:2] != [resolver.info_parameter.name]:
        raise TypeError(f"{where}: a direct resolver takes (source, info, *arguments)")
    names = dict(zip(field.args, (a.python_name for a in definition.arguments), strict=True))
    for name, argument in field.args.items():
        if not isinstance(get_named_type(argument.type), GraphQLScalarType):
            raise TypeError(f"{where}: argument {name} is not a scalar; Strawberry converts it")

    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        return call(source, info, **{names[k]: v for k, v in arguments.items()})

    if all(k == v for k, v in names.items()):
        return call  # graphql-core passes the arguments by the names it takes
    return resolve


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve
