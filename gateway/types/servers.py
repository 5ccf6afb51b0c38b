"""LDAP and RADIUS server types: their bound groups and the users who can reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.access import GROUP_LDAP, GROUP_RADIUS
from gateway.context import Info
from gateway.directory import Record, record_id
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.types.access import AccessConnection, reverse_access
from gateway.types.common import entity, neighbour_connection, text
from gateway.types.relay import Connection, Node, to_global_id

if TYPE_CHECKING:
    from gateway.types.group import Group
    from gateway.types.user import User

GroupT = Annotated["Group", strawberry.lazy("gateway.types.group")]
UserT = Annotated["User", strawberry.lazy("gateway.types.user")]


@strawberry.federation.type(keys=["jumpcloudId"], description="A JumpCloud LDAP server (v2).")
class LdapServer(Node):
    jumpcloud_id: strawberry.ID
    name: str
    user_lockout_action: str | None
    user_password_expiration_action: str | None

    @classmethod
    def from_record(cls, record: Record) -> LdapServer:
        sid = record_id(record)
        return cls(
            id=to_global_id("LdapServer", sid),
            jumpcloud_id=strawberry.ID(sid),
            name=str(record.get("name") or ""),
            user_lockout_action=text(record, "userLockoutAction"),
            user_password_expiration_action=text(record, "userPasswordExpirationAction"),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> LdapServer | None:
        return await entity(info, Resource.LDAP_SERVERS, jumpcloudId, cls.from_record)

    @strawberry.field(description="User groups bound to the server.")
    async def groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GroupT]:
        from gateway.types.group import Group

        return await neighbour_connection(
            info,
            GROUP_LDAP,
            GraphType.LDAP_SERVER,
            self.jumpcloud_id,
            Resource.GROUPS,
            Group.from_record,
            first,
            after,
        )

    @strawberry.field(description="Users who can bind, directly or through groups, with paths.")
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[UserT]:
        from gateway.types.user import User

        return await reverse_access(
            info, GraphType.LDAP_SERVER, self.jumpcloud_id, User.from_record, first, after
        )


@strawberry.federation.type(keys=["jumpcloudId"], description="A JumpCloud RADIUS server (v1).")
class RadiusServer(Node):
    jumpcloud_id: strawberry.ID
    name: str
    network_source_ip: str | None
    mfa: str | None = strawberry.field(description="DISABLED, ENABLED, REQUIRED or ALWAYS.")
    auth_idp: str | None
    tags: list[str]

    @classmethod
    def from_record(cls, record: Record) -> RadiusServer:
        sid = record_id(record)
        tags: Any = record.get("tagNames") or record.get("tags") or []
        return cls(
            id=to_global_id("RadiusServer", sid),
            jumpcloud_id=strawberry.ID(sid),
            name=str(record.get("name") or ""),
            network_source_ip=text(record, "networkSourceIp"),
            mfa=text(record, "mfa"),
            auth_idp=text(record, "authIdp"),
            tags=[str(t) for t in tags] if isinstance(tags, list) else [],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> RadiusServer | None:
        return await entity(info, Resource.RADIUS_SERVERS, jumpcloudId, cls.from_record)

    @strawberry.field(description="User groups bound to the server.")
    async def groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GroupT]:
        from gateway.types.group import Group

        return await neighbour_connection(
            info,
            GROUP_RADIUS,
            GraphType.RADIUS_SERVER,
            self.jumpcloud_id,
            Resource.GROUPS,
            Group.from_record,
            first,
            after,
        )

    @strawberry.field(
        description="Users who can authenticate, directly or through groups, with paths."
    )
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[UserT]:
        from gateway.types.user import User

        return await reverse_access(
            info, GraphType.RADIUS_SERVER, self.jumpcloud_id, User.from_record, first, after
        )
