"""The v2 association graph: members, memberof, direct associations and traversals.

Shapes follow V2 ``GraphConnection`` and ``GraphObjectWithPaths`` (API-NOTES §7).

- ``/members`` and ``/associations`` list direct edges as ``{"attributes", "to"}``:
  the spec lets ``from`` be left out "if it is clear from context", and there it is the
  object named in the URL.
- Traversals (``/users/{id}/applications``, ``/applications/{id}/users``, ...),
  ``/membership`` and ``/memberof`` return every reachable object with its ``paths``.
  Each path runs *from the object in the URL to the result*, as the traversal
  descriptions say ("each path from this Application to the corresponding User"), and
  each edge carries both ``from`` and ``to``. A direct binding is a one-edge path; a
  binding through group g is two edges, source -> g -> target (user -> g -> application,
  or application -> g -> user for the reverse traversal).
- Edges carry no attributes here, so ``compiledAttributes`` (the merge of the edge
  attributes along all paths) is ``null``. Nested groups are not modelled.
- Results are ordered by id; paths list the direct one first, then by group id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from gateway.simulator.model import Org

Key = tuple[str, str, str]
Node = tuple[str, str]
"""(type, id)"""


@dataclass
class GraphIndex:
    """Edge lists by endpoint, each sorted by id."""

    groups_of_user: dict[str, list[str]] = field(default_factory=dict)
    users_of_group: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[Key, list[str]] = field(default_factory=dict)
    """(source_type, source_id, target_type) -> target ids"""
    sources: dict[Key, list[str]] = field(default_factory=dict)
    """(target_type, target_id, source_type) -> source ids"""


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
    targets: defaultdict[Key, list[str]] = defaultdict(list)
    sources: defaultdict[Key, list[str]] = defaultdict(list)
    for source_type, source_id, target_type, target_id in org.bindings:
        targets[(source_type, source_id, target_type)].append(target_id)
        sources[(target_type, target_id, source_type)].append(source_id)
    for table in (groups_of_user, users_of_group, targets, sources):
        for ids in table.values():
            ids.sort()
    built = GraphIndex(dict(groups_of_user), dict(users_of_group), dict(targets), dict(sources))
    org.graph_cache = (version, built)
    return built


def _edge(source: Node, target: Node) -> dict[str, Any]:
    return {
        "from": {"id": source[1], "type": source[0]},
        "to": {"id": target[1], "type": target[0]},
        "attributes": None,
    }


def connection(target: Node) -> dict[str, Any]:
    """A direct edge whose ``from`` is the object in the URL."""
    return {"attributes": None, "to": {"id": target[1], "type": target[0]}}


def _with_paths(kind: str, paths: dict[str, list[list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    return [
        {"id": object_id, "type": kind, "compiledAttributes": None, "paths": paths[object_id]}
        for object_id in sorted(paths)
    ]


def members(org: Org, group_id: str) -> list[dict[str, Any]]:
    """``/usergroups/{id}/members``: direct user members."""
    return [connection(("user", u)) for u in index(org).users_of_group.get(group_id, [])]


def membership(org: Org, group_id: str) -> list[dict[str, Any]]:
    """``/usergroups/{id}/membership``: every user in the group, with its path."""
    group = ("user_group", group_id)
    users = index(org).users_of_group.get(group_id, [])
    return _with_paths("user", {u: [[_edge(group, ("user", u))]] for u in users})


def memberof(org: Org, user_id: str) -> list[dict[str, Any]]:
    """``/users/{id}/memberof``: every group holding the user, with its path."""
    user = ("user", user_id)
    groups = index(org).groups_of_user.get(user_id, [])
    return _with_paths("user_group", {g: [[_edge(user, ("user_group", g))]] for g in groups})


def associations(
    org: Org, source_type: str, source_id: str, targets: list[str]
) -> list[dict[str, Any]]:
    """``/{type}/{id}/associations?targets=...``: direct bindings only, in either direction."""
    graph = index(org)
    found: list[Node] = []
    for target_type in dict.fromkeys(targets):
        found.extend(
            (target_type, t) for t in graph.targets.get((source_type, source_id, target_type), [])
        )
        found.extend(
            (target_type, s) for s in graph.sources.get((source_type, source_id, target_type), [])
        )
    return [connection(node) for node in sorted(set(found), key=lambda n: (n[0], n[1]))]


def traverse(org: Org, source_type: str, source_id: str, target_type: str) -> list[dict[str, Any]]:
    """Everything of ``target_type`` reachable from the source, directly or through groups."""
    graph = index(org)
    source: Node = (source_type, source_id)
    paths: defaultdict[str, list[list[dict[str, Any]]]] = defaultdict(list)

    def direct(other_type: str) -> list[str]:
        key = (source_type, source_id, other_type)
        return graph.targets.get(key, []) + graph.sources.get(key, [])

    for object_id in sorted(direct(target_type)):
        paths[object_id].append([_edge(source, (target_type, object_id))])
    if source_type == "user":
        via = graph.groups_of_user.get(source_id, [])
        reach = {g: graph.targets.get(("user_group", g, target_type), []) for g in via}
    elif target_type == "user":
        via = direct("user_group")
        reach = {g: graph.users_of_group.get(g, []) for g in via}
    else:
        reach = {}
    for group_id in sorted(reach):
        group: Node = ("user_group", group_id)
        for object_id in reach[group_id]:
            paths[object_id].append([_edge(source, group), _edge(group, (target_type, object_id))])
    return _with_paths(target_type, dict(paths))
