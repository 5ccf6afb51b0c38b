"""The Group type: a JumpCloud user group, its members and what it is bound to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.access import GROUP_APPLICATIONS, GROUP_LDAP, GROUP_RADIUS, MEMBERSHIP
from gateway.context import Info
from gateway.directory import Record, record_id
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.types.common import entity, neighbour_connection, text
from gateway.types.relay import Connection, Node, to_global_id

if TYPE_CHECKING:
    from gateway.types.application import Application
    from gateway.types.servers import LdapServer, RadiusServer
    from gateway.types.user import User

UserT = Annotated["User", strawberry.lazy("gateway.types.user")]
ApplicationT = Annotated["Application", strawberry.lazy("gateway.types.application")]
LdapServerT = Annotated["LdapServer", strawberry.lazy("gateway.types.servers")]
RadiusServerT = Annotated["RadiusServer", strawberry.lazy("gateway.types.servers")]


@strawberry.federation.type(keys=["jumpcloudId"], description="A JumpCloud user group (v2).")
class Group(Node):
    jumpcloud_id: strawberry.ID
    name: str
    description: str | None
    email: str | None
    membership_method: str | None = strawberry.field(
        description="STATIC, DYNAMIC_REVIEW_REQUIRED, DYNAMIC_AUTOMATED or NOTSET."
    )

    @classmethod
    def from_record(cls, record: Record) -> Group:
        gid = record_id(record)
        return cls(
            id=to_global_id("Group", gid),
            jumpcloud_id=strawberry.ID(gid),
            name=str(record.get("name") or ""),
            description=text(record, "description"),
            email=text(record, "email"),
            membership_method=text(record, "membershipMethod"),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Group | None:
        return await entity(info, Resource.GROUPS, jumpcloudId, cls.from_record)

    @strawberry.field(description="Users who are direct members of the group.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[UserT]:
        from gateway.types.user import User

        return await neighbour_connection(
            info,
            MEMBERSHIP,
            GraphType.USER_GROUP,
            self.jumpcloud_id,
            Resource.USERS,
            User.from_record,
            first,
            after,
        )

    @strawberry.field(description="Applications bound to the group.")
    async def applications(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ApplicationT]:
        from gateway.types.application import Application

        return await neighbour_connection(
            info,
            GROUP_APPLICATIONS,
            GraphType.USER_GROUP,
            self.jumpcloud_id,
            Resource.APPLICATIONS,
            Application.from_record,
            first,
            after,
        )

    @strawberry.field(description="LDAP servers bound to the group.")
    async def ldap_servers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[LdapServerT]:
        from gateway.types.servers import LdapServer

        return await neighbour_connection(
            info,
            GROUP_LDAP,
            GraphType.USER_GROUP,
            self.jumpcloud_id,
            Resource.LDAP_SERVERS,
            LdapServer.from_record,
            first,
            after,
        )

    @strawberry.field(description="RADIUS servers bound to the group.")
    async def radius_servers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[RadiusServerT]:
        from gateway.types.servers import RadiusServer

        return await neighbour_connection(
            info,
            GROUP_RADIUS,
            GraphType.USER_GROUP,
            self.jumpcloud_id,
            Resource.RADIUS_SERVERS,
            RadiusServer.from_record,
            first,
            after,
        )
