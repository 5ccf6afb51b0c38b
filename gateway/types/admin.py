"""Admin and Role types: the console's administrators, their roles and scopes."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.context import Info
from gateway.model import ADMIN, ROLE, USER, Record, record_id
from gateway.types.common import records_list_connection
from gateway.types.entity import Entity, entity_type, reference, source
from gateway.types.findings import subject_findings
from gateway.types.relay import Connection, ListScope, Node


def role_ids(admin: Record, roles: list[Record]) -> list[str]:
    """An admin's role ids: `roles` (several), else `role`, else matched by `roleName(s)`."""
    ids = [str(r) for r in admin.get("roles") or [] if r]
    if not ids and admin.get("role"):
        ids = [str(admin["role"])]
    if not ids:
        names = set(admin.get("roleNames") or []) | {admin.get("roleName")}
        ids = [record_id(r) for r in roles if r.get("name") in names]
    return ids


def scope_grants(held: str, wanted: str) -> bool:
    """A held scope grants itself, and `x` also grants `x.readonly`."""
    return held == wanted or (wanted.endswith(".readonly") and held == wanted[: -len(".readonly")])


async def admins_with_scope(info: Info, scope: str) -> list[Record]:
    roles = await info.context.loaders.collection(ROLE)
    admins = await info.context.loaders.collection(ADMIN)
    granting = {
        record_id(r) for r in roles if any(scope_grants(s, scope) for s in r.get("scopes") or [])
    }
    return [a for a in admins if granting.intersection(role_ids(a, roles))]


@entity_type(ROLE, "An administrator role and its scopes.")
class Role(Entity, Node):
    jumpcloud_id: strawberry.ID
    name: str = strawberry.field(description='The role\'s name, e.g. "Administrator".')
    description: str | None = strawberry.field(description="What the role is for.")
    scopes: list[str] = strawberry.field(
        description="Permission scopes, the vocabulary of each operation's x-scopes."
    )
    is_custom: bool = strawberry.field(
        description="True for a role an admin made; false for JumpCloud's built-in roles."
    )

    @strawberry.field(description="Administrators who hold this role.")
    async def admins(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Admin] | None:
        roles = await info.context.loaders.collection(ROLE)
        admins = await info.context.loaders.collection(ADMIN)
        holders = [a for a in admins if self.jumpcloud_id in role_ids(a, roles)]
        scope = ListScope.of("Role.admins", self.jumpcloud_id)
        return records_list_connection(info, holders, first, after, scope, Admin.from_record)


@entity_type(ADMIN, "A JumpCloud console administrator.")
class Admin(Entity, Node):
    jumpcloud_id: strawberry.ID
    email: str = strawberry.field(description="The administrator's login email.")
    firstname: str | None = strawberry.field(description="First name; null when not set.")
    lastname: str | None = strawberry.field(description="Last name; null when not set.")
    role_name: str | None = strawberry.field(description='JumpCloud roleName, e.g. "Multi Role".')
    mfa_enabled: bool = source(
        "enableMultiFactor", description="JumpCloud `enableMultiFactor` for this admin."
    )
    totp_enrolled: bool = strawberry.field(
        description="Whether the admin has enrolled a TOTP authenticator."
    )
    suspended: bool = strawberry.field(description="A suspended admin cannot log in.")
    created: datetime | None = strawberry.field(description="When the admin was added.")

    @strawberry.field(description="The administrator's roles.")
    async def roles(self, info: Info) -> list[Role] | None:
        roles = await info.context.loaders.collection(ROLE)
        wanted = role_ids(self._record, roles)
        by_id = {record_id(r): r for r in roles}
        return [Role.from_record(by_id[i]) for i in wanted if i in by_id]

    user = reference(
        USER,
        "The system user with the same email, if any.",
        lambda admin, info: info.context.loaders.lookup(USER, "email").load(admin.email),
    )

    findings = subject_findings(ADMIN)
