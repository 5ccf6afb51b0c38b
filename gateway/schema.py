"""The Query root and `build_schema()`: the federated schema with its extensions."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    specified_rules,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.field import StrawberryField

from gateway.context import Info
from gateway.errors import BadUserInput, NotFound
from gateway.limits import (
    CostLimit,
    CostPolicy,
    Documents,
    EstimateMemo,
    ParseLimits,
    Validation,
    create_document_worker,
)
from gateway.model import (
    ACCESS_BY_TARGET,
    APPLICATION,
    GROUP,
    KIND_BY_NAME,
    KINDS,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    SYSTEM_GROUP,
    USER,
    Kind,
    SortKey,
)
from gateway.prefetch import Prefetch, PrefetchPlans
from gateway.sdl import print_sdl
from gateway.types.access import AccessDecision, kind_of, paths, sudo_of
from gateway.types.admin import Admin, Role, admins_with_scope
from gateway.types.application import Application
from gateway.types.common import DIRECT, pushed_connection, records_list_connection
from gateway.types.descriptions import describe
from gateway.types.entity import E, Entity, entity_class, fetch, find, readers
from gateway.types.findings import Finding, FindingKind, Severity, organisation_findings
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
from gateway.validation import ExactlyOneArgument


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

    async def resolve(info: Info, jumpcloud_id: Annotated[strawberry.ID, _ID]) -> Any:
        return await fetch(info, cls, jumpcloud_id)

    resolve.__annotations__["return"] = cls | None
    return strawberry.field(resolver=resolve, description=description)


async def _matching(
    info: Info, kind: Kind, predicate: Callable[[dict[str, Any]], bool] | None
) -> list[dict[str, Any]]:
    records = await info.context.loaders.collection(kind)
    return records if predicate is None else [r for r in records if predicate(r)]


_ID = strawberry.argument(description="The object's JumpCloud id (`jumpcloudId`).")
_ONE_ID = strawberry.argument(description="Its JumpCloud id (`jumpcloudId`); or give another.")
_USER_FILTER = strawberry.argument(
    description="Only the users matching every field given (JumpCloud filters them)."
)
_SYSTEM_FILTER = strawberry.argument(
    description="Only the systems matching every field given (JumpCloud filters them)."
)
_GROUP_FILTER = strawberry.argument(description="Only the groups matching every field given.")
_ORDER = strawberry.argument(
    description=(
        "The order; by JumpCloud id when left out. Cursors are bound to it: change the order "
        "and start again from the first page."
    )
)
_PUSHED_AFTER = strawberry.argument(
    description=(
        "Return the items after this cursor: the `endCursor` (or an edge's `cursor`) of an "
        "earlier page of this same list, with the same `filter` and `orderBy`; any other "
        "cursor is refused with BAD_USER_INPUT. Leave it out for the first page. The cursor "
        "holds the last item's sort value, so items added or removed on earlier pages "
        "neither repeat nor skip one. It is an offset, which shifts when items are added "
        "or removed before it, among items sharing that value, in a descending order on "
        "any field but JUMPCLOUD_ID, and at an item without the ordered field."
    )
)
_TARGET = "The target's JumpCloud id, when the target is {}; give exactly one target."


def _one(**given: Any) -> tuple[str, Any]:
    named = [(k, v) for k, v in given.items() if v is not None]
    if len(named) != 1:
        names = ", ".join(_camel(k) for k in given)
        raise BadUserInput(f"Give exactly one of {names}.")
    return named[0]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


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
        after: Annotated[str | None, _PUSHED_AFTER] = None,
        filter: Annotated[UserFilter | None, _USER_FILTER] = None,
        order_by: Annotated[UserOrder | None, _ORDER] = None,
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
        jumpcloud_id: Annotated[strawberry.ID | None, _ONE_ID] = None,
        email: Annotated[
            str | None, strawberry.argument(description="Their email address, exactly.")
        ] = None,
        username: Annotated[
            str | None, strawberry.argument(description="Their username, exactly.")
        ] = None,
    ) -> User | None:
        field, value = _one(jumpcloud_id=jumpcloud_id, email=email, username=username)
        return find(info, User, field, value)  # type: ignore[return-value]

    @strawberry.field(description="Systems (devices), filtered and ordered by JumpCloud.")
    def systems(
        self,
        info: Info,
        first: int | None = None,
        after: Annotated[str | None, _PUSHED_AFTER] = None,
        filter: Annotated[SystemFilter | None, _SYSTEM_FILTER] = None,
        order_by: Annotated[SystemOrder | None, _ORDER] = None,
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
        jumpcloud_id: Annotated[strawberry.ID | None, _ONE_ID] = None,
        hostname: Annotated[
            str | None, strawberry.argument(description="Its hostname, exactly.")
        ] = None,
    ) -> System | None:
        field, value = _one(jumpcloud_id=jumpcloud_id, hostname=hostname)
        return find(info, System, field, value)  # type: ignore[return-value]

    @strawberry.field(description="User groups.")
    async def groups(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[GroupFilter | None, _GROUP_FILTER] = None,
    ) -> Connection[Group] | None:
        records = await _matching(info, GROUP, filter.matches if filter else None)
        scope = ListScope.of("Query.groups", filter)
        return records_list_connection(info, records, first, after, scope, Group.from_record)

    @strawberry.field(description="One group by JumpCloud id or exact name (give one).")
    async def group(
        self,
        info: Info,
        jumpcloud_id: Annotated[strawberry.ID | None, _ONE_ID] = None,
        name: Annotated[str | None, strawberry.argument(description="Its name, exactly.")] = None,
    ) -> Group | None:
        field, value = _one(jumpcloud_id=jumpcloud_id, name=name)
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
        filter: Annotated[GroupFilter | None, _GROUP_FILTER] = None,
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

    @strawberry.field(
        description=(
            "Who can administer something: the admins whose roles carry `scope` (e.g. "
            "`applications`; a `x.readonly` scope is also granted by `x`)."
        )
    )
    async def admins_with_scope(
        self,
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

    @strawberry.field(
        description=(
            "Can this user reach this target, how, and through which paths? Give the user's "
            "jumpcloudId and exactly one target: application, ldapServer, radiusServer or "
            "system."
        )
    )
    async def access(
        self,
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
        field, target_id = _one(
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

    @strawberry.field(
        description=(
            "Access findings across the organisation, most severe first (then by kind, "
            "subject and target): only `kinds` when given, at `severity` or above. Each "
            "carries the access paths that show it. Computed from every user's effective "
            "access, so the first page reads the whole organisation; later pages are served "
            "from the cache."
        )
    )
    async def findings(
        self,
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


@dataclass(frozen=True)
class Policies:
    """What every operation is held to before it runs, built once per schema and shared by
    Strawberry's extensions and the lean path (gateway.operations): the validation rules
    (one tuple, so the validation cache hits), bounded and cached parsing and validation,
    the cost policy with its memo, and the prefetch plans."""

    rules: tuple[type[ASTValidationRule], ...]
    documents: Documents
    cost: CostPolicy
    plans: PrefetchPlans

    @classmethod
    def of(
        cls,
        *,
        max_depth: int,
        max_aliases: int,
        max_cost: int,
        max_tokens: int,
        max_entities: int,
        max_page_size: int = 100,
    ) -> Policies:
        added = (
            *QueryDepthLimiter(max_depth=max_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
            ExactlyOneArgument,
        )
        return cls(
            # What Strawberry validates with: graphql-core's rules, then the added ones.
            rules=(*specified_rules, *added),
            documents=Documents(max_tokens=max_tokens, worker=create_document_worker()),
            cost=CostPolicy(
                max_cost=max_cost,
                max_entities=max_entities,
                memo=EstimateMemo(),
                page_size=max_page_size,
            ),
            plans=PrefetchPlans(),
        )

    def extensions(self) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
        """Strawberry's pipeline, as factories over the shared policies."""
        added = list(self.rules[len(specified_rules) :])
        return [
            lambda: AddValidationRules(added),
            lambda: ParseLimits(self.documents),
            lambda: Validation(self.documents),
            # After validation: it needs a valid document.
            lambda: CostLimit(self.cost),
            lambda: Prefetch(plans=self.plans),
        ]


class GatewaySchema(strawberry.federation.Schema):
    """Errors are logged once, by the HTTP view, which knows which ones are expected.
    `policies` are what its extensions apply, for the lean path to apply the same."""

    policies: Policies

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    def as_str(self) -> str:
        """The self-contained SDL (gateway.sdl), as `_service { sdl }` serves it."""
        return print_sdl(self)


def build_schema(
    *,
    max_depth: int = 12,
    max_aliases: int = 100,
    max_cost: int = 50_000,
    max_tokens: int = 1_000,
    max_entities: int = 100,
    max_page_size: int = 100,
) -> GatewaySchema:
    policies = Policies.of(
        max_depth=max_depth,
        max_aliases=max_aliases,
        max_cost=max_cost,
        max_tokens=max_tokens,
        max_entities=max_entities,
        max_page_size=max_page_size,
    )
    schema = GatewaySchema(
        query=Query,
        types=[entity_class(k) for k in KINDS],  # every kind an entity (`_entities`)
        federation_version="2.5",
        extensions=policies.extensions(),
        config=StrawberryConfig(auto_camel_case=True),
    )
    schema.policies = policies
    describe(schema._schema, max_page_size)
    sdl = schema.as_str()
    service = schema._schema.type_map["_Service"]
    assert isinstance(service, GraphQLObjectType)
    service.fields["sdl"].resolve = lambda *_: sdl  # the self-contained SDL (gateway.sdl)
    resolve_fields_directly(schema._schema)
    return schema


def resolve_fields_directly(schema: GraphQLSchema) -> None:
    """Resolve without Strawberry's per-call wrapper (its extension hooks, argument
    conversion and `Info` object) every field that needs none of it:

    - a plain field (no resolver, no field extension): an entity's straight from its record
      (gateway.types.entity), any other type's by reading the attribute;
    - a field marked `DIRECT` (relationship fields, lookups): its function called with the
      source, graphql-core's info (it has `context`) and the arguments by Python name.

    Most fields of a large list are plain or relationships; they dominate a warm walk."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLEnumType) and not named.name.startswith("__"):
            _serialize_by_member(named)
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        origin = getattr(named.extensions.get("strawberry-definition"), "origin", None)
        entity = isinstance(origin, type) and issubclass(origin, Entity)
        direct = readers(origin) if isinstance(origin, type) and entity else {}
        if entity:
            # Strawberry's check that a resolver returned an object of this type; an
            # entity's objects are made by its own class (`from_record`), and abstract types
            # resolve them by class, not by this check. It costs a call per object.
            named.is_type_of = None
        for field in named.fields.values():
            definition = field.extensions.get("strawberry-definition")
            if not isinstance(definition, StrawberryField) or definition.extensions:
                continue
            if definition.is_basic_field:
                read = direct.get(definition.python_name)
                field.resolve = _attribute(definition.python_name) if read is None else read
            elif definition.metadata.get(DIRECT):
                field.resolve = _direct(named.name, field, definition)


def _serialize_by_member(enum: GraphQLEnumType) -> None:
    """An enum's values serialized by a lookup of the Python member (Strawberry scans the
    values, reading each member's `value`, for every value it serializes)."""
    wrapped = getattr(enum, "wrapped_cls", None)
    if wrapped is None:
        return
    names = {
        member: name
        for name, value in enum.values.items()
        for member in wrapped
        if member.value == value.value
    }
    general = enum.serialize

    def serialize(output_value: Any) -> Any:
        try:
            return names[output_value]
        except (KeyError, TypeError):  # not a member (or unhashable): the general path
            return general(output_value)

    enum.serialize = serialize  # type: ignore[method-assign]


def _direct(parent: str, field: GraphQLField, definition: StrawberryField) -> Callable[..., Any]:
    resolver = definition.base_resolver
    assert resolver is not None
    where = f"{parent}.{definition.python_name}"
    call = resolver.wrapped_func
    if not inspect.isfunction(call):
        raise TypeError(f"{where}: a direct resolver is a plain function")
    parameters = list(inspect.signature(call).parameters)
    if resolver.info_parameter is None or parameters[1:2] != [resolver.info_parameter.name]:
        raise TypeError(f"{where}: a direct resolver takes (source, info, *arguments)")
    names = dict(zip(field.args, (a.python_name for a in definition.arguments), strict=True))
    for name, argument in field.args.items():
        if not isinstance(get_named_type(argument.type), GraphQLScalarType):
            raise TypeError(f"{where}: argument {name} is not a scalar; Strawberry converts it")

    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        return call(source, info, **{names[k]: v for k, v in arguments.items()})

    if all(k == v for k, v in names.items()):
        return call  # graphql-core passes the arguments by the names it takes
    return resolve


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve
