"""Admin and Role types: the console's administrators, their roles and scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.context import Info
from gateway.directory import Record, record_id
from gateway.jumpcloud.resources import Resource
from gateway.types.common import entity, records_list_connection, text
from gateway.types.relay import Connection, Node, to_global_id

if TYPE_CHECKING:
    from gateway.types.user import User

UserT = Annotated["User", strawberry.lazy("gateway.types.user")]


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
    roles = await info.context.loaders.collection(Resource.ROLES)
    admins = await info.context.loaders.collection(Resource.ADMINS)
    granting = {
        record_id(r) for r in roles if any(scope_grants(s, scope) for s in r.get("scopes") or [])
    }
    return [a for a in admins if granting.intersection(role_ids(a, roles))]


@strawberry.federation.type(
    keys=["jumpcloudId"], description="An administrator role and its scopes."
)
class Role(Node):
    jumpcloud_id: strawberry.ID
    name: str
    description: str | None
    scopes: list[str] = strawberry.field(
        description="Permission scopes, the vocabulary of each operation's x-scopes."
    )
    is_custom: bool

    @classmethod
    def from_record(cls, record: Record) -> Role:
        rid = record_id(record)
        return cls(
            id=to_global_id("Role", rid),
            jumpcloud_id=strawberry.ID(rid),
            name=str(record.get("name") or ""),
            description=text(record, "description"),
            scopes=[str(s) for s in record.get("scopes") or []],
            is_custom=bool(record.get("isCustom")),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Role | None:
        return await entity(info, Resource.ROLES, jumpcloudId, cls.from_record)

    @strawberry.field(description="Administrators who hold this role.")
    async def admins(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Admin]:
        roles = await info.context.loaders.collection(Resource.ROLES)
        admins = await info.context.loaders.collection(Resource.ADMINS)
        holders = [a for a in admins if self.jumpcloud_id in role_ids(a, roles)]
        return records_list_connection(info, holders, first, after, Admin.from_record)


@strawberry.federation.type(keys=["jumpcloudId"], description="A JumpCloud console administrator.")
class Admin(Node):
    jumpcloud_id: strawberry.ID
    email: str
    firstname: str | None
    lastname: str | None
    role_name: str | None = strawberry.field(description='JumpCloud roleName, e.g. "Multi Role".')
    mfa_enabled: bool
    totp_enrolled: bool
    suspended: bool
    created: str | None
    record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, record: Record) -> Admin:
        aid = record_id(record)
        return cls(
            id=to_global_id("Admin", aid),
            jumpcloud_id=strawberry.ID(aid),
            email=str(record.get("email") or ""),
            firstname=text(record, "firstname"),
            lastname=text(record, "lastname"),
            role_name=text(record, "roleName"),
            mfa_enabled=bool(record.get("enableMultiFactor")),
            totp_enrolled=bool(record.get("totpEnrolled")),
            suspended=bool(record.get("suspended")),
            created=text(record, "created"),
            record=record,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Admin | None:
        return await entity(info, Resource.ADMINS, jumpcloudId, cls.from_record)

    @strawberry.field(description="The administrator's roles.")
    async def roles(self, info: Info) -> list[Role]:
        roles = await info.context.loaders.collection(Resource.ROLES)
        wanted = role_ids(self.record, roles)
        by_id = {record_id(r): r for r in roles}
        return [Role.from_record(by_id[i]) for i in wanted if i in by_id]

    @strawberry.field(description="The system user with the same email, if any.")
    async def user(self, info: Info) -> UserT | None:
        from gateway.types.user import User

        user_id = await info.context.loaders.user_ids_by_email.load(self.email)
        return await entity(info, Resource.USERS, user_id, User.from_record)
