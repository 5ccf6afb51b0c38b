"""JumpCloud's paths as templates, each with its operationId and handler."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from starlette.responses import Response

from gateway.simulator import v1, v2
from gateway.simulator.model import Org
from gateway.simulator.responses import Call, Handler


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    """e.g. ``/api/v2/usergroups/{id}/members``; what the request log records."""
    operation: str
    """JumpCloud's (legacy) operationId."""
    handler: Handler
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"{regex}/?"))


def _graph_routes() -> list[Route]:
    routes = [
        Route(
            "GET",
            "/api/v2/usergroups/{id}/members",
            "graph_userGroupMembersList",
            v2.members("user_group"),
        ),
        Route(
            "GET",
            "/api/v2/usergroups/{id}/membership",
            "graph_userGroupMembership",
            v2.membership("user_group"),
        ),
        Route("GET", "/api/v2/users/{id}/memberof", "graph_userMemberOf", v2.memberof("user")),
        Route(
            "GET",
            "/api/v2/systemgroups/{id}/members",
            "graph_systemGroupMembersList",
            v2.members("system_group"),
        ),
        Route(
            "GET",
            "/api/v2/systemgroups/{id}/membership",
            "graph_systemGroupMembership",
            v2.membership("system_group"),
        ),
        Route(
            "GET", "/api/v2/systems/{id}/memberof", "graph_systemMemberOf", v2.memberof("system")
        ),
    ]
    # (path segment, graph type, operationId stem)
    kinds = [
        ("users", "user", "User"),
        ("usergroups", "user_group", "UserGroup"),
        ("applications", "application", "Application"),
        ("ldapservers", "ldap_server", "LdapServer"),
        ("radiusservers", "radius_server", "RadiusServer"),
        ("systems", "system", "System"),
        ("systemgroups", "system_group", "SystemGroup"),
    ]
    for segment, kind, stem in kinds:
        routes.append(
            Route(
                "GET",
                f"/api/v2/{segment}/{{id}}/associations",
                f"graph_{stem[0].lower()}{stem[1:]}AssociationsList",
                v2.associations(kind),
            )
        )
    # Only the traversals the V2 spec defines between the kinds above (e.g. there is no
    # /usergroups/{id}/users, nor /systemgroups/{id}/radiusservers).
    traversals = {
        "users": ["applications", "ldapservers", "radiusservers", "systems", "systemgroups"],
        "usergroups": ["applications", "ldapservers", "radiusservers", "systems", "systemgroups"],
        "applications": ["users", "usergroups"],
        "ldapservers": ["users", "usergroups"],
        "radiusservers": ["users", "usergroups", "systemgroups"],
        "systems": ["users", "usergroups"],
        "systemgroups": ["users", "usergroups"],
    }
    by_segment = {segment: (kind, stem) for segment, kind, stem in kinds}
    for segment, targets in traversals.items():
        kind, stem = by_segment[segment]
        for target in targets:
            target_kind, target_stem = by_segment[target]
            routes.append(
                Route(
                    "GET",
                    f"/api/v2/{segment}/{{id}}/{target}",
                    f"graph_{stem[0].lower()}{stem[1:]}Traverse{target_stem}",
                    v2.traversal(kind, target_kind),
                )
            )
    return routes


KeyHandler = Callable[[Call, Sequence[Org]], Awaitable[Response]]

KEY_LEVEL: dict[str, KeyHandler] = {
    "organization_list": v1.organization_list,
    "organizations_get": v1.organizations_get,
}
"""Operations answered for the API key's organisations rather than for one org: their
specs list no x-org-id parameter, and JumpCloud's PowerShell module leaves the header out
for /api/organizations*."""


async def _key_level(call: Call) -> Response:
    raise AssertionError("key-level operations are answered from KEY_LEVEL")


def build_routes() -> tuple[Route, ...]:
    return (
        Route("GET", "/api/systemusers", "systemusers_list", v1.systemusers_list),
        Route("GET", "/api/systemusers/{id}", "systemusers_get", v1.systemusers_get),
        Route("POST", "/api/search/systemusers", "search_systemusers_post", v1.search_systemusers),
        Route("GET", "/api/systems", "systems_list", v1.systems_list),
        Route("GET", "/api/systems/{id}", "systems_get", v1.systems_get),
        Route("POST", "/api/search/systems", "search_systems_post", v1.search_systems),
        Route("GET", "/api/applications", "applications_list", v1.applications_list),
        Route("GET", "/api/applications/{id}", "applications_get", v1.applications_get),
        Route("GET", "/api/radiusservers", "radius_servers_list", v1.radius_servers_list),
        Route("GET", "/api/radiusservers/{id}", "radius_servers_get", v1.radius_servers_get),
        # No JumpCloud spec documents it, so the operation name is ours, not JumpCloud's.
        Route("GET", "/api/users", "admins_list", v1.admins_list),
        Route("GET", "/api/v2/usergroups", "groups_user_list", v2.usergroups_list),
        Route("GET", "/api/v2/usergroups/{id}", "groups_user_get", v2.usergroups_get),
        Route("GET", "/api/v2/systemgroups", "groups_system_list", v2.systemgroups_list),
        Route("GET", "/api/v2/systemgroups/{id}", "groups_system_get", v2.systemgroups_get),
        Route("GET", "/api/v2/ldapservers", "ldapservers_list", v2.ldapservers_list),
        Route("GET", "/api/v2/ldapservers/{id}", "ldapservers_get", v2.ldapservers_get),
        Route("GET", "/api/v2/roles", "roles_list", v2.roles_list),
        Route("GET", "/api/v2/roles/{id}", "roles_get", v2.roles_get),
        # Key-level: they read the orgs the API key administers, not one org (KEY_LEVEL).
        Route("GET", "/api/organizations", "organization_list", _key_level),
        Route("GET", "/api/organizations/{id}", "organizations_get", _key_level),
        *_graph_routes(),
    )


def match(
    routes: tuple[Route, ...], method: str, path: str
) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, whether the path exists for some other method)."""
    known = False
    for route in routes:
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict(), True
        known = True
    return None, {}, known
