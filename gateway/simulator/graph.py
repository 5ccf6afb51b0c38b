"""The v2 association graph: members, memberof, direct associations and traversals.

Shapes follow the V2 spec's ``GraphConnection`` and ``GraphObjectWithPaths`` schemas.

- ``/members`` and ``/associations`` list direct edges as ``{"attributes", "to"}``:
  the spec lets ``from`` be left out "if it is clear from context", and there it is the
  object named in the URL.
- Traversals (``/users/{id}/applications``, ``/systems/{id}/users``, ...), ``/membership``
  and ``/memberof`` return every reachable object with its ``paths``. Each path runs *from
  the object in the URL to the result*, as the traversal descriptions say ("each path from
  this System to the corresponding User"), and each edge carries ``from``, ``to`` (oriented
  along the path) and ``attributes``. ``SHAPES`` lists, per traversal, the object types a
  path may pass through: a direct binding is one edge; through a user group or a system
  group two; user -> user group -> system group -> system three. A reverse traversal
  (``/systems/{id}/users``) has the same paths reversed.
- Binding edges carry the binding's ``attributes`` (``Org.binding_attributes``, null when
  it has none); membership edges (user in user group, system in system group) carry null.
- ``compiledAttributes`` is "the key/value merge of graph attributes over all the paths
  followed"; the spec does not define the merge. Ours (an inference): null when no edge on
  any path has attributes, otherwise ``{"sudo": {"enabled": E, "withoutPassword": W}}``
  where E is whether some edge enables sudo and W whether some edge enables it without a
  password. Each path holds exactly one binding, so "some edge" is "some path".
- Nested groups are not modelled: no group is a member of a group.
- Results are ordered by id; paths follow the order of their shape in ``SHAPES`` (the
  direct one first), then the ids along them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from gateway.simulator.model import Binding, Org

Key = tuple[str, str, str]
Node = tuple[str, str]
"""(type, id)"""
Shape = tuple[str, ...]
"""The object types along a path, from the object in the URL to the result."""

# A member type and the type of group that holds it.
_GROUP_OF = {"user": "user_group", "system": "system_group"}
_MEMBERSHIP = {*_GROUP_OF.items(), *((g, m) for m, g in _GROUP_OF.items())}

_U, _G, _S, _SG = "user", "user_group", "system", "system_group"
_FORWARD: dict[tuple[str, str], tuple[Shape, ...]] = {
    **{(_U, t): ((_U, t), (_U, _G, t)) for t in ("application", "ldap_server", "radius_server")},
    **{(_G, t): ((_G, t),) for t in ("application", "ldap_server", "radius_server")},
    (_U, _S): ((_U, _S), (_U, _G, _S), (_U, _SG, _S), (_U, _G, _SG, _S)),
    (_U, _SG): ((_U, _SG), (_U, _G, _SG)),
    (_G, _S): ((_G, _S), (_G, _SG, _S)),
    (_G, _SG): ((_G, _SG),),
    ("radius_server", _SG): (("radius_server", _SG),),
}
SHAPES: dict[tuple[str, str], tuple[Shape, ...]] = {
    **_FORWARD,
    **{(b, a): tuple(shape[::-1] for shape in shapes) for (a, b), shapes in _FORWARD.items()},
}
"""(source type, target type) -> the path shapes a traversal follows."""


@dataclass
class GraphIndex:
    """Edge lists by endpoint, each sorted by id."""

    groups_of_user: dict[str, list[str]] = field(default_factory=dict)
    users_of_group: dict[str, list[str]] = field(default_factory=dict)
    groups_of_system: dict[str, list[str]] = field(default_factory=dict)
    systems_of_group: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[Key, list[str]] = field(default_factory=dict)
    """(source_type, source_id, target_type) -> target ids"""
    sources: dict[Key, list[str]] = field(default_factory=dict)
    """(target_type, target_id, source_type) -> source ids"""
    adjacent: dict[Key, list[str]] = field(default_factory=dict)
    """(type, id, other type) -> ids joined to it by a membership or a binding, either way"""


def index(org: Org) -> GraphIndex:
    """The org's edge index, rebuilt only after its memberships or bindings change."""
    version = org.edge_version()
    cached = org.graph_cache
    if isinstance(cached, tuple) and cached[0] == version:
        built: GraphIndex = cached[1]
        return built
    groups_of_user: defaultdict[str, list[str]] = defaultdict(list)
    users_of_group: defaultdict[str, list[str]] = defaultdict(list)
    for user_id, group_id in org.memberships:
        groups_of_user[user_id].append(group_id)
        users_of_group[group_id].append(user_id)
    groups_of_system: defaultdict[str, list[str]] = defaultdict(list)
    systems_of_group: defaultdict[str, list[str]] = defaultdict(list)
    for system_id, group_id in org.system_memberships:
        groups_of_system[system_id].append(group_id)
        systems_of_group[group_id].append(system_id)
    targets: defaultdict[Key, list[str]] = defaultdict(list)
    sources: defaultdict[Key, list[str]] = defaultdict(list)
    adjacent: defaultdict[Key, list[str]] = defaultdict(list)
    for source_type, source_id, target_type, target_id in org.bindings:
        targets[(source_type, source_id, target_type)].append(target_id)
        sources[(target_type, target_id, source_type)].append(source_id)
        adjacent[(source_type, source_id, target_type)].append(target_id)
        adjacent[(target_type, target_id, source_type)].append(source_id)
    tables = (groups_of_user, users_of_group, groups_of_system, systems_of_group)
    ends = ((_U, _G), (_G, _U), (_S, _SG), (_SG, _S))
    for table, (kind, other) in zip(tables, ends, strict=True):
        for object_id, ids in table.items():
            adjacent[(kind, object_id, other)].extend(ids)
    for lists in (*tables, targets, sources, adjacent):
        for ids in lists.values():
            ids.sort()
    built = GraphIndex(
        dict(groups_of_user),
        dict(users_of_group),
        dict(groups_of_system),
        dict(systems_of_group),
        dict(targets),
        dict(sources),
        dict(adjacent),
    )
    org.graph_cache = (version, built)
    return built


def attributes(org: Org, a: Node, b: Node) -> dict[str, Any] | None:
    """The attributes of the edge between a and b: a binding's own (stored user side
    first), null for a membership or a binding without any."""
    if (a[0], b[0]) in _MEMBERSHIP or not org.binding_attributes:
        return None
    stored = org.binding_attributes
    forward: Binding = (a[0], a[1], b[0], b[1])
    found = stored.get(forward)
    return found if found is not None else stored.get((b[0], b[1], a[0], a[1]))


def _edge(source: Node, target: Node, attrs: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "from": {"id": source[1], "type": source[0]},
        "to": {"id": target[1], "type": target[0]},
        "attributes": attrs,
    }


def connection(target: Node, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
    """A direct edge whose ``from`` is the object in the URL."""
    return {"attributes": attrs, "to": {"id": target[1], "type": target[0]}}


def compile_attributes(paths: list[list[dict[str, Any]]]) -> dict[str, Any] | None:
    """The merge of the edges' attributes over every path (see the module docstring)."""
    found = [e["attributes"] for path in paths for e in path if e["attributes"] is not None]
    if not found:
        return None
    sudo = [a.get("sudo") for a in found]
    enabled = [s for s in sudo if isinstance(s, dict) and s.get("enabled") is True]
    without_password = any(s.get("withoutPassword") is True for s in enabled)
    return {"sudo": {"enabled": bool(enabled), "withoutPassword": without_password}}


def _with_paths(kind: str, paths: dict[str, list[list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    return [
        {
            "id": object_id,
            "type": kind,
            "compiledAttributes": compile_attributes(paths[object_id]),
            "paths": paths[object_id],
        }
        for object_id in sorted(paths)
    ]


def members(org: Org, group_id: str, group_type: str = _G) -> list[dict[str, Any]]:
    """``/usergroups/{id}/members``, ``/systemgroups/{id}/members``: direct members."""
    member_type = _U if group_type == _G else _S
    ids = index(org).adjacent.get((group_type, group_id, member_type), [])
    return [connection((member_type, m)) for m in ids]


def membership(org: Org, group_id: str, group_type: str = _G) -> list[dict[str, Any]]:
    """``/usergroups/{id}/membership``, ``/systemgroups/{id}/membership``: every member
    with its path."""
    member_type = _U if group_type == _G else _S
    group = (group_type, group_id)
    ids = index(org).adjacent.get((group_type, group_id, member_type), [])
    return _with_paths(member_type, {m: [[_edge(group, (member_type, m), None)]] for m in ids})


def memberof(org: Org, member_id: str, member_type: str = _U) -> list[dict[str, Any]]:
    """``/users/{id}/memberof``, ``/systems/{id}/memberof``: every group holding the
    object, with its path."""
    group_type = _GROUP_OF[member_type]
    member = (member_type, member_id)
    ids = index(org).adjacent.get((member_type, member_id, group_type), [])
    return _with_paths(group_type, {g: [[_edge(member, (group_type, g), None)]] for g in ids})


def associations(
    org: Org, source_type: str, source_id: str, targets: list[str]
) -> list[dict[str, Any]]:
    """``/{type}/{id}/associations?targets=...``: direct bindings only, in either direction,
    each with the binding's attributes."""
    graph = index(org)
    found: set[Node] = set()
    for target_type in dict.fromkeys(targets):
        key = (source_type, source_id, target_type)
        found.update((target_type, t) for t in graph.targets.get(key, []))
        found.update((target_type, s) for s in graph.sources.get(key, []))
    source: Node = (source_type, source_id)
    return [connection(node, attributes(org, source, node)) for node in sorted(found)]


Reach = dict[str, list[tuple[Node, ...]]]
"""Object id -> the nodes along each of its paths, in path order."""


def reach(org: Org, source_type: str, source_id: str, target_type: str) -> Reach:
    """Every object of ``target_type`` reachable from the source along ``SHAPES``, with the
    nodes of its paths: cheap to compute, so a page can turn only its own into edges."""
    adjacent = index(org).adjacent
    found: defaultdict[str, list[tuple[Node, ...]]] = defaultdict(list)
    for shape in SHAPES[(source_type, target_type)]:
        walks: list[tuple[Node, ...]] = [((source_type, source_id),)]
        for other in shape[1:]:
            walks = [
                (*walk, (other, following))
                for walk in walks
                for following in adjacent.get((walk[-1][0], walk[-1][1], other), [])
            ]
        for walk in walks:
            found[walk[-1][1]].append(walk)
    return dict(found)


def with_paths(org: Org, kind: str, found: Reach) -> list[dict[str, Any]]:
    """``GraphObjectWithPaths`` rows, by id, for the objects in ``found``."""
    edges: dict[tuple[Node, Node], dict[str, Any]] = {}

    def edge(a: Node, b: Node) -> dict[str, Any]:
        # One dict per edge, shared by the paths through it (they are serialised, not edited).
        made = edges.get((a, b))
        if made is None:
            made = edges[(a, b)] = _edge(a, b, attributes(org, a, b))
        return made

    paths = {
        object_id: [[edge(a, b) for a, b in pairwise(walk)] for walk in walks]
        for object_id, walks in found.items()
    }
    return _with_paths(kind, paths)


def traverse(org: Org, source_type: str, source_id: str, target_type: str) -> list[dict[str, Any]]:
    """Everything of ``target_type`` reachable from the source, with its paths."""
    return with_paths(org, target_type, reach(org, source_type, source_id, target_type))
