"""`is_awaitable`: graphql-core's test, remembered per type."""

from __future__ import annotations

from types import GeneratorType
from typing import Any

from graphql.pyutils import is_awaitable as _generic

_BY_TYPE: dict[type, bool] = dict.fromkeys(
    (type(None), bool, int, float, str, bytes, list, tuple, dict), False
)
_MAX_TYPES = 512  # types are few (the schema's classes, builtins, futures); a guard only


def is_awaitable(value: Any) -> bool:
    """Whether `value` can be awaited. The executor asks it of every value it resolves and
    completes, twice a field, and the generic test is a `hasattr(value, "__await__")` that
    goes through the lazy `__getattr__` of the schema's objects. Whether a value is
    awaitable is a property of its type for every type resolvers return; a generator
    (awaitable only when it is an old-style coroutine) is tested each time."""
    kind = type(value)
    known = _BY_TYPE.get(kind)
    if known is None:
        known = _generic(value)
        if kind is not GeneratorType and len(_BY_TYPE) < _MAX_TYPES:
            _BY_TYPE[kind] = known
    return known
