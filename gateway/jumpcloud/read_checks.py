"""What a read may ask of JumpCloud: ids, page windows, filters, sorts and graph relations.

Each check refuses, unsent, with InvalidQueryError naming the endpoint; the parameter
builders render only what passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gateway.jumpcloud import errors
from gateway.jumpcloud.config import MAX_LIMIT
from gateway.jumpcloud.filters import ApiVersion, Filter, SortKey, filter_params, render_sort
from gateway.jumpcloud.resources import (
    ASSOCIATION_TARGETS,
    FILTERABLE_RELATIONS,
    RELATIONS,
    GraphType,
    Resource,
)

Params = list[tuple[str, str]]

# JumpCloud ids are 24-hex ObjectIds, but no spec gives a regex: accept anything that
# cannot change the path or the query it is placed into.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_jumpcloud_id(value: object) -> bool:
    """Whether `value` can be sent as an object id (anything else is refused unsent)."""
    return isinstance(value, str) and _ID.match(value) is not None


def check_id(value: str, endpoint: str) -> None:
    if not is_jumpcloud_id(value):
        raise errors.InvalidQueryError(
            f"{value!r:.40} is not a JumpCloud id (24 hex characters)", endpoint=endpoint
        )


def check_window(skip: int, limit: int, endpoint: str) -> None:
    if skip < 0 or not 1 <= limit <= MAX_LIMIT:
        raise errors.InvalidQueryError(
            f"skip must be >= 0 and limit within 1..{MAX_LIMIT} (got {skip}, {limit})",
            endpoint=endpoint,
        )


def window(skip: int, limit: int) -> Params:
    """A page's parameters: `limit` always sent, since JumpCloud's default page is 10."""
    return [("limit", str(limit)), ("skip", str(skip))]


def query_filters(filters: Sequence[Filter], version: ApiVersion, endpoint: str) -> Params:
    """The `filter` parameters, refused with the endpoint named when one cannot be sent."""
    try:
        return filter_params(filters, version) if filters else []
    except errors.InvalidQueryError as exc:
        raise errors.InvalidQueryError(exc.message, endpoint=endpoint) from None


def list_params(
    resource: Resource, filters: Sequence[Filter], sort: Sequence[SortKey], endpoint: str
) -> Params:
    """A list's `filter` and `sort` parameters; a sort on `_id` or `id` goes to the
    resource's own id field."""
    params = query_filters(filters, resource.version, endpoint)
    if sort:
        keys = [
            SortKey(resource.id_field, k.descending) if k.field in ("_id", "id") else k
            for k in sort
        ]
        try:
            params.append(("sort", render_sort(keys, resource.version)))
        except errors.InvalidQueryError as exc:
            raise errors.InvalidQueryError(exc.message, endpoint=endpoint) from None
    return params


def check_relation(
    source: GraphType,
    relation: str,
    targets: GraphType | None,
    filters: Sequence[Filter],
    endpoint: str,
) -> None:
    """A graph read JumpCloud documents: the relation exists for `source`, `/associations`
    names one of its targets (no other relation takes `targets`), and a filter only where
    the relation takes one."""
    if relation not in RELATIONS[source]:
        allowed = ", ".join(sorted(RELATIONS[source]))
        raise errors.InvalidQueryError(
            f"{source.value} has no {relation!r} relation; use one of {allowed}",
            endpoint=endpoint,
        )
    if relation == "associations":
        if targets is None or targets not in ASSOCIATION_TARGETS[source]:
            allowed = ", ".join(sorted(t.value for t in ASSOCIATION_TARGETS[source]))
            raise errors.InvalidQueryError(
                f"{source.value} associations need `targets`, one of {allowed}",
                endpoint=endpoint,
            )
    elif targets is not None:
        raise errors.InvalidQueryError("`targets` applies to associations only", endpoint=endpoint)
    if filters and relation not in FILTERABLE_RELATIONS:
        raise errors.InvalidQueryError(
            f"{relation!r} takes no filter, only limit and skip", endpoint=endpoint
        )
