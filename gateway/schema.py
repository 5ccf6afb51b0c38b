"""The Query root and `build_schema()`: the federated schema with its extensions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.access import ACCESS_BY_TARGET
from gateway.context import Info
from gateway.directory import Record
from gateway.errors import BadUserInput, NotFound
from gateway.jumpcloud.filters import SortKey
from gateway.jumpcloud.resources import GraphType, Resource
from gateway.limits import CostLimit
from gateway.types.access import AccessDecision, kind_of, paths
from gateway.types.admin import Admin, Role, admins_with_scope
from gateway.types.application import Application
from gateway.types.common import entity, records_list_connection, window
from gateway.types.group import Group
from gateway.types.inputs import ApplicationFilter, GroupFilter, UserFilter, UserOrder
from gateway.types.relay import Connection, Node, connection, from_global_id
from gateway.types.servers import LdapServer, RadiusServer
from gateway.types.user import User

NODE_TYPES: dict[str, tuple[Resource, Callable[[Record], Node]]] = {
    "User": (Resource.USERS, User.from_record),
    "Group": (Resource.GROUPS, Group.from_record),
    "Application": (Resource.APPLICATIONS, Application.from_record),
    "Admin": (Resource.ADMINS, Admin.from_record),
    "Role": (Resource.ROLES, Role.from_record),
    "LdapServer": (Resource.LDAP_SERVERS, LdapServer.from_record),
    "RadiusServer": (Resource.RADIUS_SERVERS, RadiusServer.from_record),
}


def _collection_connection(resource: Resource, make: Callable[[Record], Any]) -> Callable[..., Any]:
    async def resolve(
        info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Any]:
        records = await info.context.loaders.collection(resource)
        return records_list_connection(info, records, first, after, make)

    return resolve


@strawberry.type
class Query:
    @strawberry.field(description="Refetch any object by its global `id`.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, object_id = from_global_id(id)
        if type_name not in NODE_TYPES:
            raise BadUserInput(f"{id!r} is not a global id returned by this API")
        resource, make = NODE_TYPES[type_name]
        return await entity(info, resource, object_id, make)

    @strawberry.field(description="System users, filtered and ordered by JumpCloud.")
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: UserFilter | None = None,
        order_by: UserOrder | None = None,
    ) -> Connection[User]:
        win = window(info, first, after)
        filters = filter.to_filters() if filter else []
        sort = order_by.to_sort() if order_by else [SortKey("_id")]
        if win.limit == 0:
            page = await info.context.loaders.user_page(win.offset, 1, filters, sort)
            return connection([], win, page.total)
        page = await info.context.loaders.user_page(win.offset, win.limit, filters, sort)
        records = await info.context.loaders.users.load_many(page.ids)
        return connection(
            [None if r is None else User.from_record(r) for r in records], win, page.total
        )

    @strawberry.field(description="One user by JumpCloud id, email or username (give one).")
    async def user(
        self,
        info: Info,
        jumpcloud_id: strawberry.ID | None = None,
        email: str | None = None,
        username: str | None = None,
    ) -> User | None:
        given = [v for v in (jumpcloud_id, email, username) if v is not None]
        if len(given) != 1:
            raise BadUserInput("Give exactly one of jumpcloudId, email, username.")
        loaders = info.context.loaders
        user_id: str | None = jumpcloud_id
        if email is not None:
            user_id = await loaders.user_ids_by_email.load(email)
        elif username is not None:
            user_id = await loaders.user_ids_by_username.load(username)
        return await entity(info, Resource.USERS, user_id, User.from_record)

    @strawberry.field(description="User groups.")
    async def groups(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: GroupFilter | None = None,
    ) -> Connection[Group]:
        records = await info.context.loaders.collection(Resource.GROUPS)
        if filter is not None:
            records = [r for r in records if filter.matches(r)]
        return records_list_connection(info, records, first, after, Group.from_record)

    @strawberry.field(description="One group by JumpCloud id or exact name (give one).")
    async def group(
        self, info: Info, jumpcloud_id: strawberry.ID | None = None, name: str | None = None
    ) -> Group | None:
        if (jumpcloud_id is None) == (name is None):
            raise BadUserInput("Give exactly one of jumpcloudId, name.")
        if jumpcloud_id is not None:
            return await entity(info, Resource.GROUPS, jumpcloud_id, Group.from_record)
        groups = await info.context.loaders.collection(Resource.GROUPS)
        record = next((g for g in groups if g.get("name") == name), None)
        return None if record is None else Group.from_record(record)

    @strawberry.field(description="SSO applications.")
    async def applications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ApplicationFilter | None = None,
    ) -> Connection[Application]:
        records = await info.context.loaders.collection(Resource.APPLICATIONS)
        if filter is not None:
            records = [r for r in records if filter.matches(r)]
        return records_list_connection(info, records, first, after, Application.from_record)

    @strawberry.field(description="One application by JumpCloud id.")
    async def application(self, info: Info, jumpcloud_id: strawberry.ID) -> Application | None:
        return await entity(info, Resource.APPLICATIONS, jumpcloud_id, Application.from_record)

    admins: Connection[Admin] = strawberry.field(
        resolver=_collection_connection(Resource.ADMINS, Admin.from_record),
        description="Console administrators.",
    )
    roles: Connection[Role] = strawberry.field(
        resolver=_collection_connection(Resource.ROLES, Role.from_record),
        description="Administrator roles.",
    )
    ldap_servers: Connection[LdapServer] = strawberry.field(
        resolver=_collection_connection(Resource.LDAP_SERVERS, LdapServer.from_record),
        description="LDAP servers.",
    )
    radius_servers: Connection[RadiusServer] = strawberry.field(
        resolver=_collection_connection(Resource.RADIUS_SERVERS, RadiusServer.from_record),
        description="RADIUS servers.",
    )

    @strawberry.field(description="One LDAP server by JumpCloud id.")
    async def ldap_server(self, info: Info, jumpcloud_id: strawberry.ID) -> LdapServer | None:
        return await entity(info, Resource.LDAP_SERVERS, jumpcloud_id, LdapServer.from_record)

    @strawberry.field(description="One RADIUS server by JumpCloud id.")
    async def radius_server(self, info: Info, jumpcloud_id: strawberry.ID) -> RadiusServer | None:
        return await entity(info, Resource.RADIUS_SERVERS, jumpcloud_id, RadiusServer.from_record)

    @strawberry.field(
        description=(
            "Who can administer something: the admins whose roles carry `scope` (e.g. "
            "`applications`; a `x.readonly` scope is also granted by `x`)."
        )
    )
    async def admins_with_scope(
        self, info: Info, scope: str, first: int | None = None, after: str | None = None
    ) -> Connection[Admin]:
        holders = await admins_with_scope(info, scope)
        return records_list_connection(info, holders, first, after, Admin.from_record)

    @strawberry.field(
        description=(
            "Can this user reach this target, how, and through which paths? Give the user's "
            "jumpcloudId and exactly one target: application, ldapServer or radiusServer."
        )
    )
    async def access(
        self,
        info: Info,
        user: strawberry.ID,
        application: strawberry.ID | None = None,
        ldap_server: strawberry.ID | None = None,
        radius_server: strawberry.ID | None = None,
    ) -> AccessDecision:
        targets = [
            (t, i)
            for t, i in (
                (GraphType.APPLICATION, application),
                (GraphType.LDAP_SERVER, ldap_server),
                (GraphType.RADIUS_SERVER, radius_server),
            )
            if i is not None
        ]
        if len(targets) != 1:
            raise BadUserInput("Give exactly one of application, ldapServer, radiusServer.")
        target, target_id = targets[0]
        if await entity(info, Resource.USERS, user, User.from_record) is None:
            raise NotFound(f"No user has jumpcloudId {user!r}.")
        relation = ACCESS_BY_TARGET[target]
        found = await info.context.loaders.edges(relation, GraphType.USER).load(str(user))
        vias: Sequence[str | None] = next((n.via for n in found if n.id == target_id), ())
        return AccessDecision(
            granted=bool(vias),
            kind=kind_of(vias),
            paths=paths(str(user), target, str(target_id), vias),
        )


ENTITY_TYPES = [User, Group, Application, Admin, Role, LdapServer, RadiusServer]


def build_extensions(
    *, max_depth: int, max_aliases: int, max_cost: int
) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """Extensions as classes or factories; validation rules are built once so the
    validation cache hits (per-request rule classes never compare equal)."""
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return [
        lambda: AddValidationRules(rules),
        ParserCache,
        ValidationCache,
        lambda: CostLimit(max_cost=max_cost),  # after validation: needs a valid document
    ]


class GatewaySchema(strawberry.federation.Schema):
    """Errors are logged once, by the HTTP view, which knows which ones are expected."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(
    *, max_depth: int = 12, max_aliases: int = 100, max_cost: int = 50_000
) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        types=ENTITY_TYPES,
        federation_version="2.5",
        extensions=build_extensions(
            max_depth=max_depth, max_aliases=max_aliases, max_cost=max_cost
        ),
        config=StrawberryConfig(auto_camel_case=True),
    )
