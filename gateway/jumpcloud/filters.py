"""Filter and sort value objects, validated and rendered for JumpCloud v1 or v2 queries."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.jumpcloud.errors import InvalidQueryError

# Dotted field paths such as `attributes.sudo.enabled` or `suggestionCounts.add` are
# documented filter fields (of v2 groups_user_list); anything else could smuggle syntax in.
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_MAX_TERMS = 100


class ApiVersion(enum.Enum):
    V1 = "v1"
    V2 = "v2"


class Op(enum.Enum):
    """Filter operators. v1 and v2 spell them differently (`$gte` against `ge`)."""

    # v1 (V1 trait_filter_filter)
    EQ = "$eq"
    NE = "$ne"
    IN = "$in"
    NIN = "$nin"
    SW = "$sw"
    LT = "$lt"
    LTE = "$lte"
    GT = "$gt"
    GTE = "$gte"
    # v2 (V2 trait_filter_filter)
    V2_EQ = "eq"
    V2_NE = "ne"
    V2_IN = "in"
    V2_SEARCH = "search"
    V2_GT = "gt"
    V2_GE = "ge"
    V2_LT = "lt"
    V2_LE = "le"

    @property
    def version(self) -> ApiVersion:
        return ApiVersion.V1 if self.value.startswith("$") else ApiVersion.V2

    @property
    def multi(self) -> bool:
        """Whether the value is a list of `|`-separated terms."""
        return self in (Op.IN, Op.NIN, Op.V2_IN)


@dataclass(frozen=True)
class Filter:
    """`field:op:value`; `value` is a sequence of terms for `$in`, `$nin` and `in`."""

    field: str
    op: Op
    value: str | Sequence[str]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


def _check_field(field: str, what: str) -> None:
    if not _FIELD.match(field):
        raise InvalidQueryError(
            f"{what} field {field!r} is not a field name (letters, digits, '_' and dots); "
            "use a field of the JumpCloud object"
        )


def _terms(f: Filter) -> list[str]:
    terms = [f.value] if isinstance(f.value, str) else list(f.value)
    if not terms:
        raise InvalidQueryError(
            f"filter on {f.field!r} with {f.op.value!r} needs at least one term"
        )
    if len(terms) > _MAX_TERMS:
        raise InvalidQueryError(
            f"filter on {f.field!r} has {len(terms)} terms; send at most {_MAX_TERMS} per call"
        )
    if not all(isinstance(t, str) for t in terms):
        raise InvalidQueryError(f"filter on {f.field!r}: every term must be a string")
    return terms


def validate(f: Filter, version: ApiVersion) -> None:
    """Raise InvalidQueryError unless `f` can be sent to a `version` endpoint."""
    _check_field(f.field, "filter")
    if f.op.version is not version:
        raise InvalidQueryError(
            f"operator {f.op.value!r} is a {f.op.version.value} operator; this endpoint is "
            f"{version.value} (v1 and v2 spell operators differently)"
        )
    terms = _terms(f)
    if not f.op.multi and (len(terms) != 1 or not isinstance(f.value, str)):
        raise InvalidQueryError(f"operator {f.op.value!r} takes a single value, not a list")
    for term in terms:
        if any(c in term for c in "\r\n\x00"):
            raise InvalidQueryError(f"filter on {f.field!r} holds a control character")
        if f.op.multi and not term:
            raise InvalidQueryError(f"filter on {f.field!r} holds an empty term")
        # No escape for a backslash is documented, so "a\" followed by the separator would be
        # read as an escaped pipe: refuse rather than guess.
        if f.op.multi and "\\" in term:
            raise InvalidQueryError(f"filter term {term!r} holds a backslash, which cannot be sent")
        # Only v1 documents an escape for a literal pipe (a backslash); v2 does not.
        if version is ApiVersion.V2 and f.op.multi and "|" in term:
            raise InvalidQueryError(
                f"filter term {term!r} holds '|', which v2 cannot escape; filter on another field"
            )


def _escape_v1(term: str) -> str:
    # One backslash in a GET query string (two inside a JSON body), as V1 trait_filter_filter says.
    return term.replace("|", "\\|")


def render_v1(f: Filter) -> str:
    """`field:$op:value`; `$in`/`$nin` terms joined by `|`, literal pipes escaped as `\\|`."""
    validate(f, ApiVersion.V1)
    terms = _terms(f)
    # `$sw` also reads `|` as a term separator when eventually consistent, so escape it too.
    escape = f.op.multi or f.op is Op.SW
    value = "|".join(_escape_v1(t) for t in terms) if escape else terms[0]
    return f"{f.field}:{f.op.value}:{value}"


def render_v2(f: Filter) -> str:
    """`field:op:value`; `in` terms joined by `|` (as JumpCloud's v2 filter traits document)."""
    validate(f, ApiVersion.V2)
    return f"{f.field}:{f.op.value}:{'|'.join(_terms(f))}"


def render(f: Filter, version: ApiVersion) -> str:
    return render_v1(f) if version is ApiVersion.V1 else render_v2(f)


def filter_params(filters: Sequence[Filter], version: ApiVersion) -> list[tuple[str, str]]:
    """Query parameters for ANDed filters.

    One filter is sent as `filter=...`. Several are sent as `filter[0]=...&filter[1]=...`,
    the AND form V1 trait_filter_filter documents. v2 documents no form for several filters
    on directory objects; JumpCloud's own PowerShell module sends the same indexed form to v2
    (Get-JCSystemKB.ps1), so v2 gets it too.
    """
    rendered = [render(f, version) for f in filters]
    if len(rendered) == 1:
        return [("filter", rendered[0])]
    return [(f"filter[{i}]", value) for i, value in enumerate(rendered)]


def render_sort(keys: Sequence[SortKey], version: ApiVersion) -> str:
    """v1 sorts are space-separated, v2 comma-separated; `-` means descending in both."""
    for key in keys:
        _check_field(key.field, "sort")
    sep = " " if version is ApiVersion.V1 else ","
    return sep.join(f"-{k.field}" if k.descending else k.field for k in keys)
