"""The JumpCloud collections and graph relations the client reads, with their paths and shapes."""

from __future__ import annotations

import enum

from gateway.jumpcloud.filters import ApiVersion


class Envelope(enum.Enum):
    """How a list response carries its records and its total count."""

    RESULTS = "results"  # v1 object {"results": [...], "totalCount": n}
    BARE = "bare"  # v2 bare array; the total is the x-total-count response header
    ROLES = "roles"  # v2 roles_list exception: {"totalCount": n, "results": [...]}


class Resource(enum.Enum):
    """A top-level collection: path, API version, list envelope and id field."""

    path: str
    version: ApiVersion
    envelope: Envelope
    id_field: str

    USERS = ("/api/systemusers", ApiVersion.V1, Envelope.RESULTS, "_id")  # systemusers_list
    GROUPS = ("/api/v2/usergroups", ApiVersion.V2, Envelope.BARE, "id")  # groups_user_list
    # applications_list
    APPLICATIONS = ("/api/applications", ApiVersion.V1, Envelope.RESULTS, "_id")
    # Undocumented: JumpCloud's own PowerShell module (Get-JCAdmin) lists admins here.
    ADMINS = ("/api/users", ApiVersion.V1, Envelope.RESULTS, "_id")
    ROLES = ("/api/v2/roles", ApiVersion.V2, Envelope.ROLES, "id")  # roles_list
    LDAP_SERVERS = ("/api/v2/ldapservers", ApiVersion.V2, Envelope.BARE, "id")  # ldapservers_list
    # radius_servers_list
    RADIUS_SERVERS = ("/api/radiusservers", ApiVersion.V1, Envelope.RESULTS, "_id")
    SYSTEMS = ("/api/systems", ApiVersion.V1, Envelope.RESULTS, "_id")  # systems_list
    # groups_system_list
    SYSTEM_GROUPS = ("/api/v2/systemgroups", ApiVersion.V2, Envelope.BARE, "id")
    # organization_list: the orgs the API key administers; read without x-org-id, as
    # JumpCloud's own PowerShell module reads it
    ORGANIZATIONS = ("/api/organizations", ApiVersion.V1, Envelope.RESULTS, "_id")

    def __init__(self, path: str, version: ApiVersion, envelope: Envelope, id_field: str) -> None:
        self.path = path
        self.version = version
        self.envelope = envelope
        self.id_field = id_field

    @property
    def gettable(self) -> bool:
        """Whether GET {path}/{id} exists: /api/users has only its list, and that undocumented."""
        return self is not Resource.ADMINS


class GraphType(enum.StrEnum):
    """The graph object types the gateway walks (a subset of JumpCloud's v2 GraphType enum)."""

    USER = "user"
    USER_GROUP = "user_group"
    APPLICATION = "application"
    LDAP_SERVER = "ldap_server"
    RADIUS_SERVER = "radius_server"
    SYSTEM = "system"
    SYSTEM_GROUP = "system_group"

    @property
    def plural(self) -> str:
        """The path segment: /api/v2/{plural}/{id}/..."""
        return _PLURAL[self]


_PLURAL = {
    GraphType.USER: "users",
    GraphType.USER_GROUP: "usergroups",
    GraphType.APPLICATION: "applications",
    GraphType.LDAP_SERVER: "ldapservers",
    GraphType.RADIUS_SERVER: "radiusservers",
    GraphType.SYSTEM: "systems",
    GraphType.SYSTEM_GROUP: "systemgroups",
}

_U, _G, _A, _L, _R, _S, _SG = (
    GraphType.USER,
    GraphType.USER_GROUP,
    GraphType.APPLICATION,
    GraphType.LDAP_SERVER,
    GraphType.RADIUS_SERVER,
    GraphType.SYSTEM,
    GraphType.SYSTEM_GROUP,
)
_TRAVERSE_FROM_USERS = frozenset(
    {"applications", "ldapservers", "radiusservers", "systems", "systemgroups"}
)

# Which relations exist on which source type: the v2 graph's lists (/associations, /members,
# /membership, /memberof) and its traversals (/users/{id}/applications and the like).
RELATIONS: dict[GraphType, frozenset[str]] = {
    _U: frozenset({"associations", "memberof"}) | _TRAVERSE_FROM_USERS,
    _G: frozenset({"associations", "members", "membership"}) | _TRAVERSE_FROM_USERS,
    _A: frozenset({"associations", "users", "usergroups"}),
    _L: frozenset({"associations", "users", "usergroups"}),
    _R: frozenset({"associations", "users", "usergroups", "systemgroups"}),
    _S: frozenset({"associations", "memberof", "users", "usergroups"}),
    _SG: frozenset({"associations", "members", "membership", "users", "usergroups"}),
}

# `targets` allowed on /associations, restricted to the types above (V2 trait_graphTargets*).
ASSOCIATION_TARGETS: dict[GraphType, frozenset[GraphType]] = {
    _U: frozenset({_A, _L, _R, _S, _SG}),
    _G: frozenset({_A, _L, _R, _S, _SG}),
    _A: frozenset({_U, _G}),
    _L: frozenset({_U, _G}),
    _R: frozenset({_U, _G, _SG}),
    _S: frozenset({_U, _G}),
    _SG: frozenset({_U, _G, _R}),
}

# `members` and `associations` take only limit/skip; the others also take `filter`.
FILTERABLE_RELATIONS = frozenset(
    {
        "membership",
        "memberof",
        "applications",
        "users",
        "usergroups",
        "ldapservers",
        "radiusservers",
        "systems",
        "systemgroups",
    }
)
