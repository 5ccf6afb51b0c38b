"""Descriptions the type modules cannot declare one by one, applied to the built schema.

They cover Relay's generic plumbing (every connection, edge, `first` and `after`), Apollo
Federation's fields, and the values of enums declared outside gateway.types; applied to the
built schema, the SDL, introspection and `_service` all carry them."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_non_null_type,
)

ENUM_VALUES: Mapping[str, Mapping[str, str]] = {
    "AccessKind": {
        "DIRECT": "Granted only by the user's own binding to the target (one hop).",
        "INDIRECT": "Granted only through groups: a user group, a system group, or both.",
        "BOTH": "Granted directly and through groups: every path must go to revoke it.",
    },
    "GraphObjectType": {
        "USER": "A system user.",
        "USER_GROUP": "A user group.",
        "APPLICATION": "An SSO application.",
        "LDAP_SERVER": "An LDAP server.",
        "RADIUS_SERVER": "A RADIUS server.",
        "SYSTEM": "A system (device).",
        "SYSTEM_GROUP": "A system group.",
    },
    "FindingKind": {
        "ADMIN_WITHOUT_MFA": (
            "CRITICAL. A console administrator, not suspended, with neither "
            "`enableMultiFactor` nor `totpEnrolled`."
        ),
        "SUSPENDED_USER_WITH_ACCESS": (
            "HIGH. A SUSPENDED user still reaches an application, LDAP or RADIUS server, or "
            "system: one finding per target, its evidence every path that would have to go."
        ),
        "STAGED_USER_WITH_ACCESS": "MEDIUM. The same for a STAGED user.",
        "LOCKED_USER_WITH_ACCESS": "MEDIUM. The same for a user locked out (`account_locked`).",
        "USER_WITHOUT_MFA_WITH_ACCESS": (
            "An ACTIVATED user with no factor enrolled reaches an application (MEDIUM) or "
            "holds sudo on a system (HIGH)."
        ),
        "SUDO_WITHOUT_PASSWORD": (
            "HIGH. A system on which a user's compiled sudo needs no password; subject the "
            "system, target the user."
        ),
        "ADMIN_ALSO_USER_WITH_BROAD_ACCESS": (
            "MEDIUM. A console administrator whose system user (same email) reaches more "
            "applications than the server's threshold (JCGRAPH_BROAD_ACCESS_APPLICATIONS)."
        ),
        "DIRECT_BINDING": (
            "LOW. Access granted by the user's own binding instead of a user group; the "
            "evidence ends with the group-based alternative, if any."
        ),
        "REDUNDANT_PATH": (
            "LOW. Access granted by more than one path; the evidence is the paths that could "
            "go without taking the access away."
        ),
        "EMPTY_GROUP_WITH_BINDINGS": (
            "LOW. A user group with no members bound to an application, server, system or "
            "system group."
        ),
        "APPLICATION_WITHOUT_ACCESS": "LOW. An application no user reaches.",
    },
    "FindingSeverity": {
        "LOW": "Hygiene: worth tidying, no exposure on its own.",
        "MEDIUM": "Access that should be reviewed.",
        "HIGH": "Access that should most likely not exist.",
        "CRITICAL": "An exposure of the whole directory (an administrator account).",
    },
}

FEDERATION = {
    "_entities": (
        "Apollo Federation: the entities the representations name, in their order (null for "
        "one that does not exist). For a federation router, not for clients; at most "
        "JCGRAPH_MAX_ENTITIES representations a request."
    ),
    "_service": "Apollo Federation: this subgraph's SDL, for a federation router.",
}
FEDERATION_TYPES = {
    "_Any": "Apollo Federation: an entity representation, `{__typename, <key fields>}`.",
    "_Entity": "Apollo Federation: every type other subgraphs can reference by its key.",
    "_Service": "Apollo Federation: what a router learns about this subgraph.",
}


def first_description(page_size: int) -> str:
    return (
        f"How many items to return: at most {page_size}, and {page_size} when left out (the "
        f"server's page size, JCGRAPH_MAX_PAGE_SIZE). 0 returns no items, only `totalCount` "
        "and `pageInfo`. Page on with `after`."
    )


AFTER = (
    "Return the items after this cursor: the `endCursor` (or an edge's `cursor`) of an "
    "earlier page of this same list, with the same arguments; a cursor of another list, "
    "filter or order is refused with BAD_USER_INPUT. Leave it out for the first page."
)


def describe(schema: GraphQLSchema, page_size: int) -> None:
    """Fill in, on the built schema, the descriptions this module owns (see its docstring),
    give every `first` its real default (the page size), and leave out `= null` defaults."""
    query = schema.query_type
    if query is not None:
        query.description = query.description or (
            "The entry points: lists (Relay connections, forward paging with `first` and "
            "`after`), lookups by id or by a unique field, access decisions and findings."
        )
        for name, text in FEDERATION.items():
            if name in query.fields:
                query.fields[name].description = text
        if "_entities" in query.fields:
            query.fields["_entities"].args[
                "representations"
            ].description = "Entity references: `__typename` and the fields of one of its `@key`s."
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if named.name in FEDERATION_TYPES:
            named.description = FEDERATION_TYPES[named.name]
        if isinstance(named, GraphQLEnumType):
            _enum_values(named)
        if isinstance(named, GraphQLInputObjectType):
            for input_field in named.fields.values():
                if input_field.default_value is None and not is_non_null_type(input_field.type):
                    input_field.default_value = Undefined  # left out means null
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        if named.name == "_Service":
            named.fields["sdl"].description = "The subgraph's SDL, as schema/schema.graphql."
        if _is_connection(named):
            _connection(named)
        elif named.name.endswith("Edge") and {"cursor", "node"} <= named.fields.keys():
            _edge(named)
        for field in named.fields.values():
            for arg_name, arg in field.args.items():
                if arg_name == "first" and get_named_type(arg.type).name == "Int":
                    arg.description = first_description(page_size)
                    arg.default_value = page_size
                elif arg_name == "after" and get_named_type(arg.type).name == "String":
                    arg.description = arg.description or AFTER
                if arg.default_value is None and not is_non_null_type(arg.type):
                    # Left out means null: the SDL need not say `= null`.
                    arg.default_value = Undefined
        if "jumpcloudId" in named.fields and "id" in named.fields:
            field = named.fields["jumpcloudId"]
            field.description = field.description or (
                "JumpCloud's id of this object (`_id` in v1, `id` in v2): what lookups "
                "(`jumpcloudId:` arguments) and federation references (`@key`) take."
            )


def _enum_values(enum: GraphQLEnumType) -> None:
    texts = ENUM_VALUES.get(enum.name, {})
    for name, value in enum.values.items():
        if name in texts:
            value.description = texts[name]


def _is_connection(named: GraphQLObjectType | GraphQLInterfaceType) -> bool:
    return {"edges", "pageInfo", "totalCount"} <= set(named.fields)


def _edge_type(named: GraphQLObjectType | GraphQLInterfaceType) -> GraphQLObjectType:
    edge = get_named_type(named.fields["edges"].type)
    assert isinstance(edge, GraphQLObjectType)
    return edge


def _connection(named: GraphQLObjectType | GraphQLInterfaceType) -> None:
    edge = _edge_type(named)
    node: str = get_named_type(edge.fields["node"].type).name
    with_access = "kind" in edge.fields
    named.description = named.description or (
        f"One page of a list of {node} objects (a Relay connection)"
        + (", each with how it is reached and the paths that grant it." if with_access else ".")
    )
    named.fields["edges"].description = named.fields["edges"].description or (
        "The page's items in the list's order, each with its cursor."
    )
    named.fields["pageInfo"].description = named.fields["pageInfo"].description or (
        "Whether more items follow, and the cursor to ask for them with."
    )
    named.fields["totalCount"].description = named.fields["totalCount"].description or (
        "How many items the whole list holds (every page, not only this one)."
    )


def _edge(named: GraphQLObjectType | GraphQLInterfaceType) -> None:
    node = get_named_type(named.fields["node"].type).name
    named.description = named.description or f"One {node} on a page, with its cursor."
    named.fields["cursor"].description = named.fields["cursor"].description or (
        "This item's position in the list: pass it as `after` to get the items after it. "
        "Opaque, and valid only on the list (same field, owner, filter and order) that "
        "returned it."
    )
    named.fields["node"].description = named.fields["node"].description or f"The {node}."
