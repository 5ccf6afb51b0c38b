"""The graph model: every JumpCloud object kind and relation the gateway serves, declared once.

A `Kind` names a GraphQL type, the JumpCloud collection behind it and how it is read; a
`Relation` links two kinds and says how JumpCloud's v2 graph lists one object's neighbours
from either side. Loaders, the access planner, the node and entity registries, the
`GraphObjectType` enum and every relationship field derive from these declarations, so a
new kind is one `Kind` (and its relations) here, one module in `gateway/types/`, and the SDL.

The types name JumpCloud's vocabulary (`Filter`, `Op`, `SortKey`, `GraphType`, `Record`)
through this module, as they may not import the client's package (tests/test_layers.py).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.jumpcloud import Filter, GraphType, Op, Record, Resource, SortKey

__all__ = [
    "ACCESS_BY_TARGET",
    "DIRECT",
    "KINDS",
    "KIND_BY_NAME",
    "KIND_OF_TYPE",
    "RELATIONS",
    "AccessPlan",
    "Filter",
    "GraphType",
    "Kind",
    "Listing",
    "Neighbour",
    "Op",
    "Read",
    "Record",
    "Relation",
    "Route",
    "SortKey",
    "Step",
    "ordered_routes",
    "record_id",
]


def record_id(record: Mapping[str, Any]) -> str:
    """The object's id: v1 objects carry `_id`, v2 objects `id`."""
    return str(record.get("_id") or record.get("id"))


Step = tuple[str, str]
"""An object on a route: (JumpCloud graph type, id)."""
Route = tuple[Step, ...]
"""The objects a path passes between its two ends, in order; () for a direct edge."""
DIRECT: Route = ()


@dataclass(frozen=True)
class Neighbour:
    """One object across a relation, the routes it is reached by, and (for access to
    systems) the compiled attributes of those routes."""

    id: str
    routes: tuple[Route, ...] = (DIRECT,)
    attributes: Mapping[str, Any] | None = None

    def to_json(self) -> list[Any]:
        return [self.id, [[list(step) for step in route] for route in self.routes], self.attributes]

    @classmethod
    def from_json(cls, raw: Sequence[Any]) -> Neighbour:
        routes = tuple(tuple((str(t), str(i)) for t, i in route) for route in raw[1])
        return cls(str(raw[0]), routes, raw[2])

    def reversed(self, owner: str) -> Neighbour:
        """This edge seen from the other end: `owner` reached by the reversed routes."""
        return Neighbour(owner, ordered_routes(r[::-1] for r in self.routes), self.attributes)


def ordered_routes(routes: Iterable[Route]) -> tuple[Route, ...]:
    """Distinct routes, shortest first (a direct edge leads)."""
    return tuple(sorted(set(routes), key=lambda r: (len(r), r)))


class AccessPlan(enum.StrEnum):
    """How edge reads are planned: per key (one call per user), or from an index of the
    other side (one call per group or application, plus pages).

    AUTO weighs, per read, per-key calls against an index built from the other side; the
    others force one plan (benchmarks, and the test that both plans agree)."""

    AUTO = "auto"
    PER_KEY = "per-key"
    INDEX = "index"


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of JumpCloud object, served as one GraphQL type."""

    name: str
    """The GraphQL type name, also the prefix of its Relay global ids."""
    resource: Resource
    """The JumpCloud collection: list/get path, API version, envelope, id field."""
    graph_type: GraphType | None
    """Its type in JumpCloud's association graph; None for objects outside it."""
    module: str
    """The module of `gateway.types` that defines the GraphQL type."""
    whole: bool
    """Small enough (hundreds) to be read whole, in one paged scan, and served by id from
    that one read; otherwise read by id in `$in` batches and listed a page at a time."""
    indexable: bool = True
    """Whether reading every object's neighbours (an index) can be worth it: true for a
    kind whose count the planner weighs; false for users, the largest collection."""
    keys: tuple[str, ...] = ("jumpcloudId",)
    """Apollo Federation entity keys."""
    lookups: tuple[str, ...] = ()
    """Unique fields the kind can be found by (pushed down as a v1 filter)."""

    def __repr__(self) -> str:
        return f"Kind({self.name})"


USER = Kind(
    "User",
    Resource.USERS,
    GraphType.USER,
    "gateway.types.user",
    whole=False,
    indexable=False,
    keys=("jumpcloudId", "email"),
    lookups=("email", "username"),
)
GROUP = Kind("Group", Resource.GROUPS, GraphType.USER_GROUP, "gateway.types.group", whole=True)
APPLICATION = Kind(
    "Application", Resource.APPLICATIONS, GraphType.APPLICATION, "gateway.types.application", True
)
ADMIN = Kind("Admin", Resource.ADMINS, None, "gateway.types.admin", whole=True)
ROLE = Kind("Role", Resource.ROLES, None, "gateway.types.admin", whole=True)
LDAP_SERVER = Kind(
    "LdapServer", Resource.LDAP_SERVERS, GraphType.LDAP_SERVER, "gateway.types.servers", True
)
RADIUS_SERVER = Kind(
    "RadiusServer", Resource.RADIUS_SERVERS, GraphType.RADIUS_SERVER, "gateway.types.servers", True
)
SYSTEM = Kind(
    "System",
    Resource.SYSTEMS,
    GraphType.SYSTEM,
    "gateway.types.system",
    whole=False,  # devices number in the thousands: read by id, listed a page at a time
    lookups=("hostname",),
)
SYSTEM_GROUP = Kind(
    "SystemGroup", Resource.SYSTEM_GROUPS, GraphType.SYSTEM_GROUP, "gateway.types.system", True
)

KINDS: tuple[Kind, ...] = (
    USER,
    GROUP,
    APPLICATION,
    ADMIN,
    ROLE,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    SYSTEM_GROUP,
)
KIND_BY_NAME: Mapping[str, Kind] = {k.name: k for k in KINDS}
KIND_OF_TYPE: Mapping[GraphType, Kind] = {k.graph_type: k for k in KINDS if k.graph_type}


@dataclass(frozen=True)
class Read:
    """How JumpCloud lists one object's neighbours: GET /api/v2/{plural}/{id}/{relation}."""

    relation: str
    """`memberof`, `members`, `associations` or a traversal (`applications`, `users`, ...)."""
    targets: GraphType | None = None
    """The `targets` of an `/associations` read."""


@dataclass(frozen=True, eq=False)
class Relation:
    """A relation between two kinds, readable from either side in JumpCloud's v2 graph.

    An *effective* relation is read through JumpCloud's traversals, whose `paths` say how
    each object is reached (directly, or through user and system groups); one that
    carries *attributes* also keeps the traversal's compiled attributes (sudo)."""

    name: str
    left: Kind
    right: Kind
    left_read: Read
    """The neighbours (right objects) of one left object."""
    right_read: Read
    """The neighbours (left objects) of one right object."""
    effective: bool = False
    attributes: bool = False

    def __post_init__(self) -> None:
        if self.left.graph_type is None or self.right.graph_type is None:
            raise ValueError(f"{self.name}: both kinds must be in JumpCloud's graph")

    def other(self, side: Kind) -> Kind:
        if side is self.left:
            return self.right
        if side is self.right:
            return self.left
        raise ValueError(f"{side.name} is not a side of {self.name}")

    def read(self, side: Kind) -> Read:
        self.other(side)  # refuses a kind that is not a side
        return self.left_read if side is self.left else self.right_read

    def __repr__(self) -> str:
        return f"Relation({self.name})"


def _bound(name: str, left: Kind, right: Kind) -> Relation:
    """A direct association, read from either end with `/associations?targets=`."""
    assert left.graph_type is not None
    assert right.graph_type is not None
    return Relation(
        name,
        left,
        right,
        Read("associations", right.graph_type),
        Read("associations", left.graph_type),
    )


MEMBERSHIP = Relation("membership", USER, GROUP, Read("memberof"), Read("members"))
SYSTEM_MEMBERSHIP = Relation(
    "system-membership", SYSTEM, SYSTEM_GROUP, Read("memberof"), Read("members")
)
GROUP_APPLICATIONS = _bound("group-applications", GROUP, APPLICATION)
GROUP_LDAP = _bound("group-ldap", GROUP, LDAP_SERVER)
GROUP_RADIUS = _bound("group-radius", GROUP, RADIUS_SERVER)
GROUP_SYSTEMS = _bound("group-systems", GROUP, SYSTEM)
GROUP_SYSTEM_GROUPS = _bound("group-system-groups", GROUP, SYSTEM_GROUP)
ACCESS_APPLICATIONS = Relation(
    "access-applications", USER, APPLICATION, Read("applications"), Read("users"), effective=True
)
ACCESS_LDAP = Relation(
    "access-ldap", USER, LDAP_SERVER, Read("ldapservers"), Read("users"), effective=True
)
ACCESS_RADIUS = Relation(
    "access-radius", USER, RADIUS_SERVER, Read("radiusservers"), Read("users"), effective=True
)
ACCESS_SYSTEMS = Relation(
    "access-systems",
    USER,
    SYSTEM,
    Read("systems"),
    Read("users"),
    effective=True,
    attributes=True,
)

RELATIONS: tuple[Relation, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Relation)
)
"""Every relation declared above, in declaration order."""

ACCESS_BY_TARGET: Mapping[Kind, Relation] = {r.right: r for r in RELATIONS if r.effective}
"""The effective relation from users to each kind of access target."""


@dataclass(frozen=True)
class Listing:
    """One page of a listed kind as JumpCloud is asked for it: `limit` objects from `skip`,
    filtered and sorted by JumpCloud."""

    kind: Kind
    skip: int
    limit: int
    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = ()
