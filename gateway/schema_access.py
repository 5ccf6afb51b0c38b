"""The Query root's access questions: who administers what, who reaches a target, findings.

Each is a root field (resolver and description) that gateway/schema_query.py puts on Query.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.errors import NotFound
from gateway.model import (
    ACCESS_BY_TARGET,
    APPLICATION,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    USER,
)
from gateway.schema_arguments import one_of
from gateway.types.access import AccessDecision, kind_of, paths, sudo_of
from gateway.types.admin import Admin, admins_with_scope
from gateway.types.common import records_list_connection
from gateway.types.entity import fetch
from gateway.types.findings import Finding, FindingKind, Severity, organisation_findings
from gateway.types.relay import Connection, ListScope
from gateway.types.user import User

_TARGET = "The target's JumpCloud id, when the target is {}; give exactly one target."


async def _admins_with_scope(
    info: Info,
    scope: Annotated[
        str,
        strawberry.argument(
            description="A permission scope, as roles list them (e.g. `applications`)."
        ),
    ],
    first: int | None = None,
    after: str | None = None,
) -> Connection[Admin] | None:
    holders = await admins_with_scope(info, scope)
    cursors = ListScope.of("Query.adminsWithScope", scope)
    return records_list_connection(info, holders, first, after, cursors, Admin.from_record)


ADMINS_WITH_SCOPE = strawberry.field(
    resolver=_admins_with_scope,
    description=(
        "Who can administer something: the admins whose roles carry `scope` (e.g. "
        "`applications`; a `x.readonly` scope is also granted by `x`)."
    ),
)


async def _access(
    info: Info,
    user: Annotated[strawberry.ID, strawberry.argument(description="The user's JumpCloud id.")],
    application: Annotated[
        strawberry.ID | None, strawberry.argument(description=_TARGET.format("an application"))
    ] = None,
    ldap_server: Annotated[
        strawberry.ID | None, strawberry.argument(description=_TARGET.format("an LDAP server"))
    ] = None,
    radius_server: Annotated[
        strawberry.ID | None, strawberry.argument(description=_TARGET.format("a RADIUS server"))
    ] = None,
    system: Annotated[
        strawberry.ID | None, strawberry.argument(description=_TARGET.format("a system"))
    ] = None,
) -> AccessDecision | None:
    field, target_id = one_of(
        application=application,
        ldap_server=ldap_server,
        radius_server=radius_server,
        system=system,
    )
    target = {
        "application": APPLICATION,
        "ldap_server": LDAP_SERVER,
        "radius_server": RADIUS_SERVER,
        "system": SYSTEM,
    }[field]
    if await fetch(info, User, user) is None:
        raise NotFound(f"No user has jumpcloudId {user!r}.")
    relation = ACCESS_BY_TARGET[target]
    found = await info.context.loaders.edges(relation, USER).load(str(user))
    reached = next((n for n in found if n.id == str(target_id)), None)
    routes = reached.routes if reached else ()
    assert target.graph_type is not None
    return AccessDecision(
        granted=bool(routes),
        kind=kind_of(routes),
        paths=paths(str(user), target.graph_type, str(target_id), routes),
        sudo=sudo_of(reached.attributes) if reached and relation.attributes else None,
    )


ACCESS = strawberry.field(
    resolver=_access,
    description=(
        "Can this user reach this target, how, and through which paths? Give the user's "
        "jumpcloudId and exactly one target: application, ldapServer, radiusServer or "
        "system."
    ),
)


async def _findings(
    info: Info,
    kinds: Annotated[
        list[FindingKind] | None,
        strawberry.argument(description="Only findings of these kinds; every kind when null."),
    ] = None,
    severity: Annotated[
        Severity | None,
        strawberry.argument(description="Only findings at this severity or above."),
    ] = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Finding] | None:
    return await organisation_findings(info, kinds, severity, first, after)


FINDINGS = strawberry.field(
    resolver=_findings,
    description=(
        "Access findings across the organisation, most severe first (then by kind, "
        "subject and target): only `kinds` when given, at `severity` or above. Each "
        "carries the access paths that show it. Computed from every user's effective "
        "access, so the first page reads the whole organisation; later pages are served "
        "from the cache."
    ),
)
