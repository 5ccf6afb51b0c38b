"""`is_awaitable`: graphql-core's test, remembered per type."""

from __future__ import annotations

from types import GeneratorType
from typing import Any

from graphql.pyutils import is_awaitable as _generic

_BY_TYPE: dict[type, bool] = dict.fromkeys(
    (type(None), bool, int, float, str, bytes, list, tuple, dict), False
)
_MAX_TYPES = 512  # types are few (the schema's classes, builtins, futures); a guard only


def is_awaitable(value: Any, _known: Any = _BY_TYPE.get, _type: Any = type) -> bool:
    """Whether `value` can be awaited. The executor asks it of every value it resolves and
    completes, twice a field, and the generic test is a `hasattr(value, "__await__")` that
    goes through the lazy `__getattr__` of the schema's objects. Whether a value is
    awaitable is a property of its type for every type resolvers return; a generator
    (awaitable only when it is an old-style coroutine) is tested each time. (The defaults
    bind the lookups locally: this runs hundreds of thousands of times a large query.)"""
    known: bool | None = _known(_type(value))
    return _learn(value) if known is None else known


def _learn(value: Any) -> bool:
    kind = type(value)
    known = _generic(value)
    if kind is not GeneratorType and len(_BY_TYPE) < _MAX_TYPES:
        _BY_TYPE[kind] = known
    return known
