"""v2 endpoints: user and system groups, LDAP servers, roles, and the association graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.responses import Response

from gateway.simulator import graph
from gateway.simulator.query import (
    ApiError,
    Record,
    page,
    parse_list,
    project,
    select,
    sort_records,
    v2_filter,
    v2_filter_fields,
)
from gateway.simulator.responses import Call, Handler, find, json_response

# Graph type -> (Org attribute, name used in 404 messages)
_COLLECTIONS = {
    "user": ("users", "user"),
    "user_group": ("groups", "user group"),
    "application": ("applications", "application"),
    "ldap_server": ("ldap_servers", "LDAP server"),
    "radius_server": ("radius_servers", "RADIUS server"),
    "system": ("systems", "system"),
    "system_group": ("system_groups", "system group"),
}
# The ``targets`` each source type accepts on ``/associations`` (V2 trait_graphTargets*).
_USER_TARGETS = [
    "active_directory",
    "application",
    "g_suite",
    "idp_routing_policy",
    "ldap_server",
    "office_365",
    "password_manager_item",
    "policy",
    "policy_group",
    "radius_server",
    "system",
    "system_group",
]
TARGETS: dict[str, tuple[str, ...]] = {
    "user": tuple(_USER_TARGETS),
    "user_group": tuple(_USER_TARGETS),
    "application": ("agent_group", "user", "user_group"),
    "ldap_server": ("user", "user_group"),
    "radius_server": ("user", "user_group", "system_group"),
    "system": ("command", "policy", "policy_group", "user", "user_group"),
    "system_group": ("command", "policy", "policy_group", "radius_server", "user", "user_group"),
}
# memberof/membership filter on ``object_id`` and ``type``, the only filter fields the spec lists.
_GRAPH_ALIASES = {"object_id": "id"}
# Filters on these alone can run before the paths are built (only the page's are).
_SKELETON_FIELDS = {"id", "type"}


def _v2_page(
    call: Call,
    rows: Iterable[Record],
    *,
    filterable: bool = True,
    sortable: bool = True,
    fields: bool = False,
    envelope: bool = False,
    aliases: Mapping[str, str] | None = None,
    finish: Callable[[list[Record]], list[Record]] | None = None,
) -> Response:
    """Filter, sort, page; the total goes in the ``x-total-count`` response header, which
    no spec declares but JumpCloud's own clients read. ``finish`` turns the page's rows
    into what is sent."""
    limit, skip = page(call.params)
    rows = select(rows, v2_filter(call.params, aliases)) if filterable else list(rows)
    if sortable:
        rows = sort_records(rows, parse_list(call.query("sort"), ","))
    wanted = parse_list(call.query("fields"), ",") if fields else []
    window = rows[skip : skip + limit]
    if finish is not None:
        window = finish(window)
    results = [project(r, wanted, "id") for r in window]
    headers = {"x-total-count": str(len(rows))}
    body: Any = {"totalCount": len(rows), "results": results} if envelope else results
    return json_response(body, headers=headers)


async def usergroups_list(call: Call) -> Response:
    return _v2_page(call, call.org.groups.values(), fields=True)


async def usergroups_get(call: Call) -> Response:
    return json_response(find(call.org.groups, call.path["id"], "user group"))


async def systemgroups_list(call: Call) -> Response:
    return _v2_page(call, call.org.system_groups.values(), fields=True)


async def systemgroups_get(call: Call) -> Response:
    return json_response(find(call.org.system_groups, call.path["id"], "system group"))


async def ldapservers_list(call: Call) -> Response:
    return _v2_page(call, call.org.ldap_servers.values(), fields=True)


async def ldapservers_get(call: Call) -> Response:
    return json_response(find(call.org.ldap_servers, call.path["id"], "LDAP server"))


async def roles_list(call: Call) -> Response:
    """``RoleList {totalCount, results}``, one of three v2 lists with a body envelope (the
    rest are bare arrays); ``x-total-count`` is sent as well, like every other v2 list."""
    return _v2_page(call, call.org.roles.values(), envelope=True)


async def roles_get(call: Call) -> Response:
    return json_response(find(call.org.roles, call.path["id"], "role"))


def _source(call: Call, source_type: str) -> str:
    attribute, label = _COLLECTIONS[source_type]
    records: dict[str, dict[str, Any]] = getattr(call.org, attribute)
    find(records, call.path["id"], label)
    return call.path["id"]


def members(group_type: str) -> Handler:
    """``/usergroups|systemgroups/{id}/members``: direct members; the spec gives these
    lists limit and skip only, no filter or sort."""

    async def handler(call: Call) -> Response:
        rows = graph.members(call.org, _source(call, group_type), group_type)
        return _v2_page(call, rows, filterable=False, sortable=False)

    return handler


def membership(group_type: str) -> Handler:
    """``/usergroups|systemgroups/{id}/membership``: filter and sort on object_id, type."""

    async def handler(call: Call) -> Response:
        rows = graph.membership(call.org, _source(call, group_type), group_type)
        return _v2_page(call, rows, aliases=_GRAPH_ALIASES)

    return handler


def memberof(member_type: str) -> Handler:
    """``/users|systems/{id}/memberof``: filter and sort on object_id, type."""

    async def handler(call: Call) -> Response:
        rows = graph.memberof(call.org, _source(call, member_type), member_type)
        return _v2_page(call, rows, aliases=_GRAPH_ALIASES)

    return handler


def _targets(call: Call, source_type: str) -> list[str]:
    """``targets`` is required; an array sent comma-separated or repeated."""
    raw = [part for key, value in call.params if key == "targets" for part in value.split(",")]
    targets = [t.strip() for t in raw if t.strip()]
    allowed = TARGETS[source_type]
    if not targets:
        raise ApiError('Bad Request: request parameter "targets" is required')
    unknown = [t for t in targets if t not in allowed]
    if unknown:
        raise ApiError(
            f'Bad Request: request parameter "targets" has invalid value {unknown[0]!r};'
            f" allowed: {', '.join(allowed)}"
        )
    return targets


def associations(source_type: str) -> Handler:
    """``/{type}/{id}/associations?targets=...``: direct associations only."""

    async def handler(call: Call) -> Response:
        source_id = _source(call, source_type)
        targets = _targets(call, source_type)
        rows = graph.associations(call.org, source_type, source_id, targets)
        return _v2_page(call, rows, filterable=False, sortable=False)

    return handler


def traversal(source_type: str, target_type: str) -> Handler:
    """``/{type}/{id}/{targets}``: bound directly or through groups; limit/skip/filter.

    Paths are built for the page only, unless a filter looks past ``id`` and ``type``.
    """

    async def handler(call: Call) -> Response:
        org = call.org
        found = graph.reach(org, source_type, _source(call, source_type), target_type)
        if v2_filter_fields(call.params, _GRAPH_ALIASES) <= _SKELETON_FIELDS:
            rows = [{"id": object_id, "type": target_type} for object_id in sorted(found)]

            def finish(window: list[Record]) -> list[Record]:
                wanted = {str(r["id"]): found[str(r["id"])] for r in window}
                return list(graph.with_paths(org, target_type, wanted))

            return _v2_page(call, rows, sortable=False, aliases=_GRAPH_ALIASES, finish=finish)
        rows = graph.with_paths(org, target_type, found)
        return _v2_page(call, rows, sortable=False, aliases=_GRAPH_ALIASES)

    return handler
