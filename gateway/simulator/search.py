"""The JSON body of ``POST /api/search/*``: filter, searchFilter, fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gateway.simulator.query import (
    ApiError,
    Predicate,
    Record,
    lookup,
    parse_list,
    split_terms,
    text,
    texts,
)

# Used when a searchFilter names no fields (an assumption; the spec gives no default).
DEFAULT_SEARCH_FIELDS = ("username", "email", "firstname", "lastname", "displayname")
# For systems, the fields of the spec's own searchFilter example (search_systems_post).
SYSTEM_SEARCH_FIELDS = ("hostname", "displayName")

_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "$eq": lambda have, want: have == want,
    "$ne": lambda have, want: have == want,
    "$lt": lambda have, want: have < want,
    "$lte": lambda have, want: have <= want,
    "$gt": lambda have, want: have > want,
    "$gte": lambda have, want: have >= want,
    "$sw": str.startswith,
}


def _wanted(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text(item) for item in value]
    if isinstance(value, str):
        return split_terms(value)
    return [text(value)]


def _expression(expression: Any) -> Predicate:
    """``{field: value}`` (equality), or ``{field: {"$in": [...]}}``; several keys AND."""
    if not isinstance(expression, Mapping) or not expression:
        raise ApiError("Bad Request: each filter expression must be an object {field: value}")
    checks: list[Predicate] = []
    for field, wanted in expression.items():
        if isinstance(wanted, Mapping):
            checks.extend(_operator(str(field), str(op), arg) for op, arg in wanted.items())
        else:
            checks.append(_operator(str(field), "$eq", wanted))
    return lambda r: all(check(r) for check in checks)


def _operator(field: str, operator: str, argument: Any) -> Predicate:
    if operator in ("$in", "$nin"):
        terms, negate = _wanted(argument), operator == "$nin"
        return lambda r: any(have in terms for have in texts(lookup(r, field))) != negate
    test = _OPERATORS.get(operator)
    if test is None:
        raise ApiError(f"Bad Request: unsupported filter operator {operator}")
    want, negate = text(argument), operator == "$ne"
    return lambda r: any(test(have, want) for have in texts(lookup(r, field))) != negate


def body_filter(
    body: Mapping[str, Any], search_fields: tuple[str, ...] = DEFAULT_SEARCH_FIELDS
) -> Predicate:
    """``filter`` ({and: [...]}, {or: [...]}, or a list that ANDs) and ``searchFilter``
    (over ``search_fields`` when it names none)."""
    raw = body.get("filter")
    checks: list[Predicate] = []
    if isinstance(raw, list):
        checks.extend(_expression(item) for item in raw)
    elif isinstance(raw, Mapping) and raw:
        if set(raw) - {"and", "or"} or not all(isinstance(v, list) for v in raw.values()):
            raise ApiError('Bad Request: "filter" must be {"and": [...]} or {"or": [...]}')
        checks.extend(_expression(item) for item in raw.get("and", []))
        alternatives = [_expression(item) for item in raw.get("or", [])]
        if alternatives:
            checks.append(lambda r: any(alt(r) for alt in alternatives))
    elif raw not in (None, {}, ""):
        raise ApiError('Bad Request: "filter" must be an object or a list')
    search = body.get("searchFilter")
    if search:
        checks.append(_search(search, search_fields))
    return lambda r: all(check(r) for check in checks)


def _search(search: Any, default_fields: tuple[str, ...]) -> Predicate:
    """Partial, case-insensitive text match of any term on any named field."""
    if not isinstance(search, Mapping):
        raise ApiError('Bad Request: "searchFilter" must be an object')
    term = search.get("searchTerm", "")
    terms = [str(t).lower() for t in (term if isinstance(term, list) else [term]) if str(t)]
    fields = search.get("fields") or default_fields
    if not isinstance(fields, list | tuple) or not terms:
        raise ApiError('Bad Request: "searchFilter" needs searchTerm and a fields list')

    def match(record: Record) -> bool:
        values = [have.lower() for f in fields for have in texts(lookup(record, str(f)))]
        return any(t in have for t in terms for have in values)

    return match


def body_fields(body: Mapping[str, Any]) -> list[str] | None:
    """``fields`` from the body: a space-separated string (or, leniently, a list)."""
    raw = body.get("fields")
    if raw is None:
        return None
    if isinstance(raw, list):
        return [str(item) for item in raw]
    if isinstance(raw, str):
        return parse_list(raw, " ")
    raise ApiError('Bad Request: "fields" must be a space-separated string')
