"""The Query root: the API's entry points, from objects by id to lists and access questions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from gateway.context import Info
from gateway.errors import BadUserInput
from gateway.model import (
    APPLICATION,
    GROUP,
    KIND_BY_NAME,
    SYSTEM,
    SYSTEM_GROUP,
    USER,
    Kind,
    SortKey,
)
from gateway.schema_access import ACCESS, ADMINS_WITH_SCOPE, FINDINGS
from gateway.schema_arguments import (
    GROUP_FILTER,
    JUMPCLOUD_ID,
    ONE_ID,
    ORDER,
    PUSHED_AFTER,
    SYSTEM_FILTER,
    USER_FILTER,
    one_of,
)
from gateway.types.admin import Admin, Role
from gateway.types.application import Application
from gateway.types.common import DIRECT, pushed_connection, records_list_connection
from gateway.types.entity import E, entity_class, fetch, find
from gateway.types.group import Group
from gateway.types.inputs import (
    ApplicationFilter,
    GroupFilter,
    SystemFilter,
    SystemOrder,
    UserFilter,
    UserOrder,
)
from gateway.types.organization import Organization
from gateway.types.relay import Connection, ListScope, Node, from_global_id
from gateway.types.servers import LdapServer, RadiusServer
from gateway.types.system import System, SystemGroup
from gateway.types.user import User


def _collection(cls: type[E], name: str, description: str) -> Any:
    """A root field listing a small collection whole."""

    async def resolve(
        info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Any]:
        records = await info.context.loaders.collection(cls.kind)
        return records_list_connection(info, records, first, after, scope, cls.from_record)

    scope = ListScope.of(f"Query.{name}")
    resolve.__annotations__["return"] = Connection[cls] | None  # type: ignore[valid-type]
    return strawberry.field(resolver=resolve, description=description)


def _by_id(cls: type[E], description: str) -> Any:
    """A root field fetching one object by JumpCloud id."""

    async def resolve(info: Info, jumpcloud_id: Annotated[strawberry.ID, JUMPCLOUD_ID]) -> Any:
        return await fetch(info, cls, jumpcloud_id)

    resolve.__annotations__["return"] = cls | None
    return strawberry.field(resolver=resolve, description=description)


async def _matching(
    info: Info, kind: Kind, predicate: Callable[[dict[str, Any]], bool] | None
) -> list[dict[str, Any]]:
    records = await info.context.loaders.collection(kind)
    return records if predicate is None else [r for r in records if predicate(r)]


@strawberry.type
class Query:
    @strawberry.field(description="Refetch any object by its global `id`.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id (any object's `id`).")
        ],
    ) -> Node | None:
        type_name, object_id = from_global_id(id)
        kind = KIND_BY_NAME.get(type_name)
        if kind is None:
            raise BadUserInput(f"{id!r} is not a global id returned by this API")
        return await fetch(info, entity_class(kind), object_id)  # type: ignore[return-value]

    @strawberry.field(
        description="The JumpCloud organisations the caller may read here, in configuration "
        "order: one on a single-organisation gateway; on one serving several "
        "(JCGRAPH_TENANTS), those the bearer token is allowed. Answered without naming one."
    )
    async def organizations(self, info: Info) -> list[Organization]:
        return [Organization.from_record(r) for r in await info.context.organizations()]

    @strawberry.field(description="System users, filtered and ordered by JumpCloud.")
    def users(
        self,
        info: Info,
        first: int | None = None,
        after: Annotated[str | None, PUSHED_AFTER] = None,
        filter: Annotated[UserFilter | None, USER_FILTER] = None,
        order_by: Annotated[UserOrder | None, ORDER] = None,
    ) -> Connection[User] | None:
        filters = filter.to_filters() if filter else []
        sort = order_by.to_sort() if order_by else [SortKey("_id")]
        scope = ListScope.of("Query.users", filters, sort)
        return pushed_connection(  # type: ignore[return-value]
            info, USER, User.from_record, first, after, scope, filters, sort
        )

    @strawberry.field(
        description="One user by JumpCloud id, email or username (give one).",
        metadata={DIRECT: True},
    )
    def user(
        self,
        info: Info,
        jumpcloud_id: Annotated[strawberry.ID | None, ONE_ID] = None,
        email: Annotated[
            str | None, strawberry.argument(description="Their email address, exactly.")
        ] = None,
        username: Annotated[
            str | None, strawberry.argument(description="Their username, exactly.")
        ] = None,
    ) -> User | None:
        field, value = one_of(jumpcloud_id=jumpcloud_id, email=email, username=username)
        return find(info, User, field, value)  # type: ignore[return-value]

    @strawberry.field(description="Systems (devices), filtered and ordered by JumpCloud.")
    def systems(
        self,
        info: Info,
        first: int | None = None,
        after: Annotated[str | None, PUSHED_AFTER] = None,
        filter: Annotated[SystemFilter | None, SYSTEM_FILTER] = None,
        order_by: Annotated[SystemOrder | None, ORDER] = None,
    ) -> Connection[System] | None:
        filters = filter.to_filters() if filter else []
        sort = order_by.to_sort() if order_by else [SortKey("_id")]
        scope = ListScope.of("Query.systems", filters, sort)
        return pushed_connection(  # type: ignore[return-value]
            info, SYSTEM, System.from_record, first, after, scope, filters, sort
        )

    @strawberry.field(
        description="One system by JumpCloud id or hostname (give one).",
        metadata={DIRECT: True},
    )
    def system(
        self,
        info: Info,
        jumpcloud_id: Annotated[strawberry.ID | None, ONE_ID] = None,
        hostname: Annotated[
            str | None, strawberry.argument(description="Its hostname, exactly.")
        ] = None,
    ) -> System | None:
        field, value = one_of(jumpcloud_id=jumpcloud_id, hostname=hostname)
        return find(info, System, field, value)  # type: ignore[return-value]

    @strawberry.field(description="User groups.")
    async def groups(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[GroupFilter | None, GROUP_FILTER] = None,
    ) -> Connection[Group] | None:
        records = await _matching(info, GROUP, filter.matches if filter else None)
        scope = ListScope.of("Query.groups", filter)
        return records_list_connection(info, records, first, after, scope, Group.from_record)

    @strawberry.field(description="One group by JumpCloud id or exact name (give one).")
    async def group(
        self,
        info: Info,
        jumpcloud_id: Annotated[strawberry.ID | None, ONE_ID] = None,
        name: Annotated[str | None, strawberry.argument(description="Its name, exactly.")] = None,
    ) -> Group | None:
        field, value = one_of(jumpcloud_id=jumpcloud_id, name=name)
        if field == "jumpcloud_id":
            return await fetch(info, Group, value)
        found = await _matching(info, GROUP, lambda r: r.get("name") == value)
        return Group.from_record(found[0]) if found else None

    @strawberry.field(description="System groups.")
    async def system_groups(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[GroupFilter | None, GROUP_FILTER] = None,
    ) -> Connection[SystemGroup] | None:
        records = await _matching(info, SYSTEM_GROUP, filter.matches if filter else None)
        scope = ListScope.of("Query.systemGroups", filter)
        return records_list_connection(info, records, first, after, scope, SystemGroup.from_record)

    system_group: SystemGroup | None = _by_id(SystemGroup, "One system group by JumpCloud id.")

    @strawberry.field(description="SSO applications.")
    async def applications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[
            ApplicationFilter | None,
            strawberry.argument(description="Only the applications matching every field given."),
        ] = None,
    ) -> Connection[Application] | None:
        records = await _matching(info, APPLICATION, filter.matches if filter else None)
        scope = ListScope.of("Query.applications", filter)
        return records_list_connection(info, records, first, after, scope, Application.from_record)

    application: Application | None = _by_id(Application, "One application by JumpCloud id.")
    admins: Connection[Admin] | None = _collection(Admin, "admins", "Console administrators.")
    roles: Connection[Role] | None = _collection(Role, "roles", "Administrator roles.")
    ldap_servers: Connection[LdapServer] | None = _collection(
        LdapServer, "ldapServers", "LDAP servers."
    )
    radius_servers: Connection[RadiusServer] | None = _collection(
        RadiusServer, "radiusServers", "RADIUS servers."
    )
    ldap_server: LdapServer | None = _by_id(LdapServer, "One LDAP server by JumpCloud id.")
    radius_server: RadiusServer | None = _by_id(RadiusServer, "One RADIUS server by JumpCloud id.")

    # Unannotated, as a method is: Strawberry lists such fields after the annotated ones, in
    # the order written, so the SDL has these last.
    admins_with_scope = ADMINS_WITH_SCOPE
    access = ACCESS
    findings = FINDINGS
