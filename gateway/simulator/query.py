"""JumpCloud list semantics: limit/skip, v1 and v2 filters, sort, fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

Params = Sequence[tuple[str, str]]
Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
_MISSING = object()


class ApiError(Exception):
    """A request JumpCloud would refuse; the app answers ``status`` with a JSON body.

    The body is ``{"message": ...}`` unless ``body`` gives the exact one: JumpCloud's error
    schemas are ``{code, message, status}``, its examples often hold the message alone, and
    the simulator sends the message alone.
    """

    def __init__(self, message: str, status: int = 400, body: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body if body is not None else {"message": message}


def last(params: Params, name: str) -> str | None:
    """The last value of a query parameter, as most frameworks (and JumpCloud) read it."""
    values = [value for key, value in params if key == name]
    return values[-1] if values else None


def _integer(name: str, raw: object, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ApiError(f'Bad Request: request parameter "{name}" must be an integer')
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ApiError(f'Bad Request: request parameter "{name}" must be an integer')
    value = int(text)
    if value < 0:
        raise ApiError(f'Bad Request: request parameter "{name}" must not be negative')
    return value


def page(params: Params, body: Mapping[str, Any] | None = None) -> tuple[int, int]:
    """(limit, skip). A value in a search body wins over the query string.

    JumpCloud's PowerShell module sends limit and skip both in the body and in the query
    string of ``/search/`` posts; the reference does not say which counts.

    ``limit=0`` is read as "not given" and yields the default of 10 (an assumption: no
    source says what JumpCloud does with 0; Mongo-style "no limit" would bypass the cap).
    """
    body = body or {}
    limit = _integer("limit", body.get("limit", last(params, "limit")), DEFAULT_LIMIT)
    skip = _integer("skip", body.get("skip", last(params, "skip")), 0)
    if limit > MAX_LIMIT:
        # The exact body reported in TheJumpCloud/jcapi-python issue #38 (on /api/systems).
        raise ApiError(
            f'Bad Request: request parameter "limit" exceeds maximum value of {MAX_LIMIT}'
        )
    return (limit or DEFAULT_LIMIT), skip


def lookup(record: Record, field: str) -> Any:
    """A dotted field (``mfa.configured``) or ``_MISSING``."""
    if "." not in field:  # the common case, without the split
        return record.get(field, _MISSING) if isinstance(record, Mapping) else _MISSING
    value: Any = record
    for part in field.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def text(value: Any) -> str:
    """How a stored value compares with a filter term: as a string, booleans lowercase."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def texts(value: Any) -> list[str]:
    """The strings a value offers for matching; a list matches through any element."""
    if value is _MISSING:
        return []
    if isinstance(value, list):
        return [text(item) for item in value]
    return [text(value)]


def split_terms(value: str) -> list[str]:
    """Split on ``|``; ``\\|`` is a literal pipe (V1 trait_filter_filter)."""
    terms, current, chars = [], [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append("|" if following == "|" else char + following)
        elif char == "|":
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return terms


def unescape(value: str) -> str:
    return "|".join(split_terms(value))


_V1_SINGLE: dict[str, Callable[[str, str], bool]] = {
    "$eq": lambda have, want: have == want,
    "$lt": lambda have, want: have < want,
    "$lte": lambda have, want: have <= want,
    "$gt": lambda have, want: have > want,
    "$gte": lambda have, want: have >= want,
}
# Need the ``x-eventually-consistent: true`` header; each takes several terms.
_V1_CONSISTENT: dict[str, Callable[[str, str], bool]] = {
    "$sw": str.startswith,
    "$ew": str.endswith,
    "$co": lambda have, want: want in have,
}


def v1_clause(expression: str, *, eventually_consistent: bool = False) -> Predicate:
    """One ``<field>:<$operator>:<value>`` filter (V1 trait_filter_filter)."""
    field, _, rest = expression.partition(":")
    operator, colon, value = rest.partition(":")
    if not field or not colon or not operator.startswith("$"):
        raise ApiError(
            f"Bad Request: invalid filter {expression!r}: expected <field>:<$operator>:<value>"
        )
    negate = operator in ("$ne", "$nin", "$nco")
    base = {"$ne": "$eq", "$nin": "$in", "$nco": "$co"}.get(operator, operator)
    consistent_only = base in ("$ew", "$co")
    if consistent_only and not eventually_consistent:
        raise ApiError(
            f"Bad Request: filter operator {operator} needs the header "
            "x-eventually-consistent: true"
        )
    if base in ("$in", *_V1_CONSISTENT):
        terms = split_terms(value) if base == "$in" or eventually_consistent else [unescape(value)]
        test = _V1_CONSISTENT.get(base) or _V1_SINGLE["$eq"]
    elif base in _V1_SINGLE:
        terms, test = [value], _V1_SINGLE[base]
    else:
        raise ApiError(f"Bad Request: unsupported filter operator {operator}")

    if test is _V1_SINGLE["$eq"]:
        # Equality against many terms (``_id:$in:<100 ids>``) is a set lookup.
        wanted = set(terms)

        def match_any(record: Record) -> bool:
            value = lookup(record, field)
            if type(value) is str:  # exactly str: text(value) is value
                return (value in wanted) != negate
            found = any(have in wanted for have in texts(value))
            return found != negate

        return match_any

    def match(record: Record) -> bool:
        found = any(test(have, want) for have in texts(lookup(record, field)) for want in terms)
        return found != negate

    return match


_V1_KEY = re.compile(r"filter(?:\[\d*\]|\[and\]\[\d+\])?")
_V1_OR_KEY = re.compile(r"filter\[or\]\[\d+\]")


def match_all(record: Record) -> bool:
    """The predicate of a request without filters; listings skip the scan when they see it."""
    return True


def v1_filter(params: Params, *, eventually_consistent: bool = False) -> Predicate:
    """AND of ``filter``/``filter[N]``, and one OR group ``filter[or][N]``; ``match_all``
    when there is none."""
    ands: list[Predicate] = []
    ors: list[Predicate] = []
    for key, value in params:
        if not key.startswith("filter") or not value:
            continue
        if _V1_KEY.fullmatch(key):
            ands.append(v1_clause(value, eventually_consistent=eventually_consistent))
        elif _V1_OR_KEY.fullmatch(key):
            ors.append(v1_clause(value, eventually_consistent=eventually_consistent))
        else:
            raise ApiError(f"Bad Request: unsupported filter parameter {key!r}")
    if not ands and not ors:
        return match_all
    if len(ands) == 1 and not ors:
        return ands[0]
    return lambda r: all(p(r) for p in ands) and (not ors or any(p(r) for p in ors))


def v1_id_terms(params: Params, id_key: str) -> set[str] | None:
    """The ids an AND clause ``<id_key>:$in:a|b`` (or ``$eq``) restricts a v1 list to, so a
    listing can look them up instead of scanning; None when no such clause. Every clause is
    still applied to what the look-up finds (``v1_filter``), so this only narrows the scan.
    """
    found: set[str] | None = None
    for key, value in params:
        if not value or not key.startswith("filter") or not _V1_KEY.fullmatch(key):
            continue
        for operator in ("$in", "$eq"):
            prefix = f"{id_key}:{operator}:"
            if value.startswith(prefix):
                rest = value[len(prefix) :]
                terms = set(split_terms(rest)) if operator == "$in" else {rest}
                found = terms if found is None else found & terms
    return found


def candidates(
    records: Mapping[str, Record], ids: set[str] | None, *, any_order: bool = False
) -> list[Record]:
    """The records (keyed by their id) an id clause can match, in ``records``' order unless
    ``any_order`` (the caller sorts them on the id next); all of them when ``ids`` is None."""
    if ids is None:
        return list(records.values())
    if any_order:
        return [records[i] for i in ids if i in records]
    return [records[i] for i in filter(ids.__contains__, records)]


def in_id_order(records: Mapping[str, Record]) -> bool:
    """Whether records keyed by their (string) ids are stored in id order, as generated
    orgs are: then an ascending sort on the id keeps them as they are (a C-speed check)."""
    keys = list(records)
    return all(type(k) is str for k in keys[:1]) and keys == sorted(keys)


def select(rows: Iterable[Record], match: Predicate) -> list[Record]:
    """The rows ``match`` keeps; no per-row call when the request had no filter."""
    if match is match_all:
        return list(rows)
    return [r for r in rows if match(r)]


def _v2_compare(operator: str) -> Callable[[str, str], bool] | None:
    return {
        "eq": lambda have, want: have == want,
        "ne": lambda have, want: have != want,
        "gt": lambda have, want: have > want,
        "ge": lambda have, want: have >= want,
        "lt": lambda have, want: have < want,
        "le": lambda have, want: have <= want,
        "search": lambda have, want: want.lower() in have.lower(),
    }.get(operator)


def v2_clause(expression: str, aliases: Mapping[str, str] | None = None) -> Predicate:
    """One ``<field>:<operator>:<value>`` filter (V2 trait_filter_filter)."""
    field, _, rest = expression.partition(":")
    operator, colon, value = rest.partition(":")
    if not field or not colon:
        raise ApiError(
            f"Bad Request: invalid filter {expression!r}: expected <field>:<operator>:<value>"
        )
    field = (aliases or {}).get(field, field)
    if operator == "in":
        terms = split_terms(value)
        return lambda r: any(have in terms for have in texts(lookup(r, field)))
    if operator == "ne":
        return lambda r: value not in texts(lookup(r, field))
    compare = _v2_compare(operator)
    if compare is None:
        # ``between`` is documented but its value syntax is not.
        raise ApiError(f"Bad Request: unsupported filter operator {operator!r}")
    return lambda r: any(compare(have, value) for have in texts(lookup(r, field)))


def _v2_filters(params: Params) -> list[str]:
    return [value for key, value in params if value and re.fullmatch(r"filter(\[\d*\])?", key)]


def v2_filter_fields(params: Params, aliases: Mapping[str, str] | None = None) -> set[str]:
    """The fields the request's v2 filters name (after ``aliases``)."""
    fields = (value.partition(":")[0] for value in _v2_filters(params))
    return {(aliases or {}).get(field, field) for field in fields}


def v2_filter(params: Params, aliases: Mapping[str, str] | None = None) -> Predicate:
    """Several v2 filters AND together. How JumpCloud combines them is not documented;
    AND is what JumpCloud's PowerShell module implies by sending ``filter[0]&filter[1]``."""
    clauses = [v2_clause(value, aliases) for value in _v2_filters(params)]
    if not clauses:
        return match_all
    if len(clauses) == 1:
        return clauses[0]
    return lambda r: all(p(r) for p in clauses)


def parse_list(value: str | None, separator: str) -> list[str]:
    """v1 ``sort``/``fields`` are space-separated, v2 ones comma-separated."""
    if not value:
        return []
    parts = value.split() if separator == " " else value.split(separator)
    return [part.strip() for part in parts if part.strip()]


def _sort_key(field: str) -> Callable[[Record], tuple[int, Any]]:
    def key(record: Record) -> tuple[int, Any]:
        value = lookup(record, field)
        if value is _MISSING or value is None:
            return (0, 0)
        if isinstance(value, bool):
            return (1, int(value))
        if isinstance(value, int | float):
            return (2, value)
        if isinstance(value, str):
            return (3, value)
        return (4, repr(value))

    return key


_PLAIN_TYPES = ({str}, {int}, {float}, {int, float})


def _plain_key(records: list[Record], field: str) -> Callable[[Record], Any] | None:
    """``itemgetter(field)`` when it orders ``records`` exactly as ``_sort_key`` does: a
    top-level field present in every record, all strings or all numbers (not bools)."""
    if "." in field or not records:
        return None
    get = itemgetter(field)
    try:
        values = list(map(get, records))
    except (KeyError, TypeError):
        return None
    return get if set(map(type, values)) in _PLAIN_TYPES else None


def sort_records(records: list[Record], fields: Iterable[str]) -> list[Record]:
    """Stable multi-key sort; ``-field`` is descending."""
    result = list(records)
    for spec in reversed(list(fields)):
        descending = spec.startswith("-")
        name = spec.lstrip("-+")
        if name:
            key = _plain_key(result, name) or _sort_key(name)
            result.sort(key=key, reverse=descending)
    return result


def project(record: Record, fields: Sequence[str], id_key: str) -> Record:
    """Only the named fields (dotted names keep their whole top-level field), plus the id."""
    if not fields:
        return record
    keep = {id_key, *(name.split(".")[0] for name in fields)}
    return {key: value for key, value in record.items() if key in keep}
