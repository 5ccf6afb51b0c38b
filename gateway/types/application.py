"""The Application type: an SSO application, its bound groups and its effective users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.access import ACCESS_APPLICATIONS, GROUP_APPLICATIONS
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


@strawberry.type(description="An application's logo.")
class Logo:
    url: str | None
    color: str | None


@strawberry.federation.type(
    keys=["jumpcloudId"], description="A JumpCloud SSO application (v1 `applications`)."
)
class Application(Node):
    jumpcloud_id: strawberry.ID
    name: str
    display_name: str | None
    display_label: str | None
    description: str | None
    logo: Logo | None
    color: str | None
    sso_url: str | None
    sso_type: str | None = strawberry.field(description="JumpCloud sso.type, e.g. saml.")
    active: bool | None
    created: str | None

    @classmethod
    def from_record(cls, record: Record) -> Application:
        aid = record_id(record)
        logo: dict[str, Any] | None = record.get("logo")
        sso: dict[str, Any] = record.get("sso") or {}
        active = record.get("active")
        return cls(
            id=to_global_id("Application", aid),
            jumpcloud_id=strawberry.ID(aid),
            name=str(record.get("name") or ""),
            display_name=text(record, "displayName"),
            display_label=text(record, "displayLabel"),
            description=text(record, "description"),
            logo=Logo(url=logo.get("url"), color=logo.get("color")) if logo else None,
            color=text(record, "color"),
            sso_url=text(record, "ssoUrl"),
            sso_type=None if sso.get("type") is None else str(sso["type"]),
            active=None if active is None else bool(active),
            created=text(record, "created"),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, jumpcloudId: strawberry.ID) -> Application | None:
        return await entity(info, Resource.APPLICATIONS, jumpcloudId, cls.from_record)

    @strawberry.field(description="User groups bound to the application.")
    async def groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GroupT]:
        from gateway.types.group import Group

        return await neighbour_connection(
            info,
            GROUP_APPLICATIONS,
            GraphType.APPLICATION,
            self.jumpcloud_id,
            Resource.GROUPS,
            Group.from_record,
            first,
            after,
        )

    @strawberry.field(
        description="Users who can reach the application, directly or through groups, with paths."
    )
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[UserT]:
        from gateway.types.user import User

        return await reverse_access(
            info, ACCESS_APPLICATIONS.right, self.jumpcloud_id, User.from_record, first, after
        )
