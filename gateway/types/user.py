"""The User type: a JumpCloud system user, its groups, effective access and admin account."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.access import ACCESS_APPLICATIONS, ACCESS_LDAP, ACCESS_RADIUS, MEMBERSHIP, Relation
from gateway.context import Info
from gateway.directory import Record, record_id
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.types.access import AccessConnection, access_connection
from gateway.types.common import Attribute, attributes, entity, neighbour_connection, text
from gateway.types.relay import Connection, Node, to_global_id

if TYPE_CHECKING:
    from gateway.types.admin import Admin
    from gateway.types.application import Application
    from gateway.types.group import Group
    from gateway.types.servers import LdapServer, RadiusServer

GroupT = Annotated["Group", strawberry.lazy("gateway.types.group")]
ApplicationT = Annotated["Application", strawberry.lazy("gateway.types.application")]
LdapServerT = Annotated["LdapServer", strawberry.lazy("gateway.types.servers")]
RadiusServerT = Annotated["RadiusServer", strawberry.lazy("gateway.types.servers")]
AdminT = Annotated["Admin", strawberry.lazy("gateway.types.admin")]


@strawberry.enum(description="A system user's account state (JumpCloud `state`).")
class UserState(enum.Enum):
    ACTIVATED = "ACTIVATED"
    SUSPENDED = "SUSPENDED"
    STAGED = "STAGED"


@strawberry.type(description="Multi-factor authentication status of a user.")
class MfaStatus:
    configured: bool
    overall_status: str | None = strawberry.field(
        description="JumpCloud mfaEnrollment.overallStatus, e.g. ENROLLED or NOT_ENROLLED."
    )
    totp_status: str | None
    push_status: str | None
    webauthn_status: str | None


def _mfa(record: Record) -> MfaStatus:
    mfa: dict[str, Any] = record.get("mfa") or {}
    enrollment: dict[str, Any] = record.get("mfaEnrollment") or {}
    return MfaStatus(
        configured=bool(mfa.get("configured")),
        overall_status=enrollment.get("overallStatus"),
        totp_status=enrollment.get("totpStatus"),
        push_status=enrollment.get("pushStatus"),
        webauthn_status=enrollment.get("webAuthnStatus"),
    )


def _state(record: Record) -> UserState:
    try:
        return UserState(record.get("state") or "ACTIVATED")
    except ValueError:
        return UserState.SUSPENDED if record.get("suspended") else UserState.ACTIVATED


@strawberry.federation.type(
    keys=["jumpcloudId", "email"], description="A JumpCloud system user (v1 `systemusers`)."
)
class User(Node):
    jumpcloud_id: strawberry.ID
    username: str
    email: str
    firstname: str | None
    lastname: str | None
    display_name: str | None
    state: UserState
    suspended: bool
    locked: bool = strawberry.field(description="Locked out after failed logins.")
    mfa: MfaStatus
    created: str | None
    department: str | None
    job_title: str | None
    employee_identifier: str | None
    attributes: list[Attribute]

    @classmethod
    def from_record(cls, record: Record) -> User:
        uid = record_id(record)
        first, last = text(record, "firstname"), text(record, "lastname")
        display = text(record, "displayname") or " ".join(p for p in (first, last) if p) or None
        return cls(
            id=to_global_id("User", uid),
            jumpcloud_id=strawberry.ID(uid),
            username=str(record.get("username") or ""),
            email=str(record.get("email") or ""),
            firstname=first,
            lastname=last,
            display_name=display,
            state=_state(record),
            suspended=bool(record.get("suspended")),
            locked=bool(record.get("account_locked")),
            mfa=_mfa(record),
            created=text(record, "created"),
            department=text(record, "department"),
            job_title=text(record, "jobTitle"),
            employee_identifier=text(record, "employeeIdentifier"),
            attributes=attributes(record.get("attributes")),
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info, jumpcloudId: strawberry.ID | None = None, email: str | None = None
    ) -> User | None:
        if jumpcloudId is None and email is not None:
            user_id = await info.context.loaders.user_ids_by_email.load(email)
        else:
            user_id = jumpcloudId
        return await entity(info, Resource.USERS, user_id, cls.from_record)

    @strawberry.field(description="Groups the user is a member of.")
    async def groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GroupT]:
        from gateway.types.group import Group

        return await neighbour_connection(
            info,
            MEMBERSHIP,
            GraphType.USER,
            self.jumpcloud_id,
            Resource.GROUPS,
            Group.from_record,
            first,
            after,
        )

    @strawberry.field(
        description="Applications the user can reach, directly or through groups, with paths."
    )
    async def applications(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[ApplicationT]:
        from gateway.types.application import Application

        return await self._access(
            info, ACCESS_APPLICATIONS, Resource.APPLICATIONS, Application.from_record, first, after
        )

    @strawberry.field(description="LDAP servers the user can bind to, with paths.")
    async def ldap_servers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[LdapServerT]:
        from gateway.types.servers import LdapServer

        return await self._access(
            info, ACCESS_LDAP, Resource.LDAP_SERVERS, LdapServer.from_record, first, after
        )

    @strawberry.field(description="RADIUS servers the user can authenticate to, with paths.")
    async def radius_servers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AccessConnection[RadiusServerT]:
        from gateway.types.servers import RadiusServer

        return await self._access(
            info, ACCESS_RADIUS, Resource.RADIUS_SERVERS, RadiusServer.from_record, first, after
        )

    async def _access(
        self,
        info: Info,
        relation: Relation,
        resource: Resource,
        make: Callable[[Record], Any],
        first: int | None,
        after: str | None,
    ) -> AccessConnection[Any]:
        found = await info.context.loaders.edges(relation, GraphType.USER).load(self.jumpcloud_id)
        user_id = str(self.jumpcloud_id)
        return await access_connection(
            info,
            found,
            node_resource=resource,
            make=make,
            user_of=lambda n: user_id,
            target=relation.right,
            target_of=lambda n: n.id,
            first=first,
            after=after,
        )

    @strawberry.field(description="The console administrator with the same email, if any.")
    async def admin(self, info: Info) -> AdminT | None:
        from gateway.types.admin import Admin

        record = await info.context.loaders.admins_by_email.load(self.email)
        return None if record is None else Admin.from_record(record)
