"""v1 endpoints: system users, systems, their searches, applications, RADIUS servers, admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from gateway.simulator import graph
from gateway.simulator.model import Org
from gateway.simulator.query import (
    Predicate,
    Record,
    candidates,
    in_id_order,
    page,
    parse_list,
    project,
    select,
    sort_records,
    v1_filter,
    v1_id_terms,
)
from gateway.simulator.responses import Call, find, json_response
from gateway.simulator.search import SYSTEM_SEARCH_FIELDS, body_fields, body_filter


def _listing(
    call: Call,
    records: Mapping[str, Record],
    *,
    default_sort: str = "",
    extra: Predicate | None = None,
    body: dict[str, Any] | None = None,
    fields: list[str] | None = None,
) -> tuple[list[Record], int]:
    """Filter, sort, count and cut one page, the v1 way.

    ``records`` are keyed by ``_id``: an ``_id:$in:`` filter looks its ids up instead of
    scanning, and only the page's records are projected.
    """
    limit, skip = page(call.params, body)
    match = v1_filter(call.params, eventually_consistent=call.eventually_consistent)
    sort = parse_list(call.query("sort") or default_sort, " ")
    ids = v1_id_terms(call.params, "_id")
    if ids is None and sort in (["_id"], ["+_id"]) and in_id_order(records):
        sort = []  # a filter keeps the stored order, which is already the sort's
    by_id = bool(sort) and sort[0].lstrip("-+") == "_id"  # ids are unique: a total order
    rows = select(candidates(records, ids, any_order=by_id), match)
    if extra is not None:
        rows = [r for r in rows if extra(r)]
    rows = sort_records(rows, sort)
    if fields is None:
        fields = parse_list(call.query("fields"), " ")
    return [project(r, fields, "_id") for r in rows[skip : skip + limit]], len(rows)


def _v1_list(call: Call, records: Mapping[str, Record], **kwargs: Any) -> Response:
    results, total = _listing(call, records, **kwargs)
    return json_response({"results": results, "totalCount": total})


async def systemusers_list(call: Call) -> Response:
    return _v1_list(call, call.org.users)


async def systemusers_get(call: Call) -> Response:
    user = find(call.org.users, call.path["id"], "system user")
    return json_response(project(user, parse_list(call.query("fields"), " "), "_id"))


async def search_systemusers(call: Call) -> Response:
    """``POST /api/search/systemusers``: results add ``memberof`` (group ids)."""
    body = await call.json_body()
    fields = body_fields(body)
    groups_of = graph.index(call.org).groups_of_user
    results, total = _listing(
        call, call.org.users, extra=body_filter(body), body=body, fields=fields
    )
    rows = [{**r, "memberof": groups_of.get(str(r["_id"]), [])} for r in results]
    return json_response({"results": rows, "totalCount": total})


async def systems_list(call: Call) -> Response:
    """``GET /api/systems``. The spec also lists ``search`` (a query-string object whose
    encoding it does not give), which is not served."""
    return _v1_list(call, call.org.systems)


async def systems_get(call: Call) -> Response:
    """``GET /api/systems/{id}`` with ``fields``; the spec lists ``filter`` here too but
    says nothing of what it does to one record, so it is not applied."""
    system = find(call.org.systems, call.path["id"], "system")
    return json_response(project(system, parse_list(call.query("fields"), " "), "_id"))


async def search_systems(call: Call) -> Response:
    """``POST /api/search/systems``: the user search's body form; results add ``memberof``
    (system group ids). The ``primarySystemUser.*`` fields of ``systemSearch`` are not sent."""
    body = await call.json_body()
    fields = body_fields(body)
    groups_of = graph.index(call.org).groups_of_system
    extra = body_filter(body, SYSTEM_SEARCH_FIELDS)
    results, total = _listing(call, call.org.systems, extra=extra, body=body, fields=fields)
    rows = [{**r, "memberof": groups_of.get(str(r["_id"]), [])} for r in results]
    return json_response({"results": rows, "totalCount": total})


async def applications_list(call: Call) -> Response:
    """Sorted by ``name`` unless asked otherwise (V1 applications_list ``sort`` default).

    The spec's ``applicationslist`` also declares a top-level ``name`` string with no
    description; what JumpCloud puts there is unknown, so this says "applications".
    """
    results, total = _listing(call, call.org.applications, default_sort="name")
    return json_response({"name": "applications", "results": results, "totalCount": total})


async def applications_get(call: Call) -> Response:
    return json_response(find(call.org.applications, call.path["id"], "application"))


async def radius_servers_list(call: Call) -> Response:
    return _v1_list(call, call.org.radius_servers)


async def radius_servers_get(call: Call) -> Response:
    return json_response(find(call.org.radius_servers, call.path["id"], "RADIUS server"))


async def admins_list(call: Call) -> Response:
    """``GET /api/users``: undocumented; ``{results, totalCount}`` paged with limit/skip,
    as JumpCloud's own PowerShell module (``Get-JCAdmin``) reads it."""
    return _v1_list(call, call.org.admins)


def organization_records(orgs: Sequence[Org]) -> dict[str, dict[str, Any]]:
    """The orgs an API key administers as v1 ``organization`` list records (``_id``,
    ``displayName``, ``logoUrl``, the fields ``organization_list`` returns), keyed by ``_id``."""
    return {
        org.id: {"_id": org.id, "displayName": org.name, "logoUrl": ""}
        for org in sorted(orgs, key=lambda o: o.id)
    }


async def organization_list(call: Call, orgs: Sequence[Org]) -> Response:
    """``GET /api/organizations``: every org the key administers (V1/V2 info.description: the
    primary org's key lists all managed organizations), paged and filtered the v1 way."""
    return _v1_list(call, organization_records(orgs))


async def organizations_get(call: Call, orgs: Sequence[Org]) -> Response:
    found = find(organization_records(orgs), call.path["id"], "organization")
    return json_response(project(found, parse_list(call.query("fields"), " "), "_id"))
