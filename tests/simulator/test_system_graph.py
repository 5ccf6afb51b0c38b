"""System and system-group graph endpoints agree with an independent reading of the org.

The expectations are computed here from ``Org.memberships``, ``Org.system_memberships``,
``Org.bindings`` and ``Org.binding_attributes`` alone, sharing no code with the simulator.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from itertools import pairwise
from typing import Any

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, demo_org, generate_org
from tests.simulator.fixtures import API_KEY, client_for, fetch_all

SIZES = OrgSizes(
    users=80,
    groups=10,
    applications=4,
    ldap_servers=1,
    radius_servers=3,
    systems=64,
    system_groups=12,
    direct_system_bindings=24,
    user_system_group_bindings=10,
    group_system_bindings=10,
    group_system_group_bindings=12,
    radius_system_group_bindings=4,
    sudo_share=0.4,
)
SEGMENT = {
    "user": "users",
    "user_group": "usergroups",
    "system": "systems",
    "system_group": "systemgroups",
    "radius_server": "radiusservers",
}
U, G, S, SG = "user", "user_group", "system", "system_group"
# The path shapes each traversal should return, from the object in the URL to the result:
# a direct binding or a route through a user group and/or a system group (see the docstring
# of gateway/simulator/graph.py).
FORWARD: dict[tuple[str, str], list[tuple[str, ...]]] = {
    (U, S): [(U, S), (U, G, S), (U, SG, S), (U, G, SG, S)],
    (U, SG): [(U, SG), (U, G, SG)],
    (G, S): [(G, S), (G, SG, S)],
    (G, SG): [(G, SG)],
    ("radius_server", SG): [("radius_server", SG)],
}
TRAVERSALS: dict[tuple[str, str], list[tuple[str, ...]]] = {
    **FORWARD,
    (S, U): [shape[::-1] for shape in FORWARD[(U, S)]],
    (S, G): [shape[::-1] for shape in FORWARD[(G, S)]],
    (SG, U): [shape[::-1] for shape in FORWARD[(U, SG)]],
    (SG, G): [shape[::-1] for shape in FORWARD[(G, SG)]],
}

Hop = tuple[str, str, str, str, str]
"""(from type, from id, to type, to id, attributes as JSON)"""
Expected = dict[str, tuple[set[tuple[Hop, ...]], Any]]
"""result id -> (paths, compiledAttributes)"""


class Edges:
    """The org's edges as plain neighbour sets, each edge with its attributes."""

    def __init__(self, org: Org) -> None:
        self.near: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.attributes: dict[frozenset[tuple[str, str]], Any] = {}
        for user, group in org.memberships:
            self._join((U, user), (G, group), None)
        for system, group in org.system_memberships:
            self._join((S, system), (SG, group), None)
        for binding in org.bindings:
            source_type, source, target_type, target = binding
            self._join(
                (source_type, source),
                (target_type, target),
                org.binding_attributes.get(binding),
            )

    def _join(self, a: tuple[str, str], b: tuple[str, str], attributes: Any) -> None:
        self.near[(a[0], a[1], b[0])].add(b[1])
        self.near[(b[0], b[1], a[0])].add(a[1])
        self.attributes[frozenset((a, b))] = attributes

    def expected(self, source_type: str, source: str, target_type: str) -> Expected:
        paths: defaultdict[str, set[tuple[Hop, ...]]] = defaultdict(set)
        for shape in TRAVERSALS[(source_type, target_type)]:
            partial: list[list[tuple[str, str]]] = [[(source_type, source)]]
            for kind in shape[1:]:
                partial = [
                    [*walk, (kind, other)]
                    for walk in partial
                    for other in self.near.get((walk[-1][0], walk[-1][1], kind), set())
                ]
            for walk in partial:
                hops = tuple(
                    (
                        walk[i][0],
                        walk[i][1],
                        walk[i + 1][0],
                        walk[i + 1][1],
                        json.dumps(self.attributes[frozenset((walk[i], walk[i + 1]))]),
                    )
                    for i in range(len(walk) - 1)
                )
                paths[walk[-1][1]].add(hops)
        return {target: (found, compiled(found)) for target, found in paths.items()}


def compiled(paths: set[tuple[Hop, ...]]) -> Any:
    """The merge the simulator documents: null without attributes, else sudo's OR."""
    attributes = [json.loads(hop[4]) for path in paths for hop in path if hop[4] != "null"]
    if not attributes:
        return None
    sudo = [a.get("sudo") or {} for a in attributes]
    return {
        "sudo": {
            "enabled": any(s.get("enabled") is True for s in sudo),
            "withoutPassword": any(
                s.get("enabled") is True and s.get("withoutPassword") is True for s in sudo
            ),
        }
    }


def shapes_of(expected: Expected) -> set[tuple[str, ...]]:
    return {
        (*(hop[0] for hop in path), path[-1][2]) for paths, _ in expected.values() for path in paths
    }


def as_expected(rows: list[dict[str, Any]], kind: str, source: tuple[str, str]) -> Expected:
    result: Expected = {}
    for row in rows:
        assert row["type"] == kind
        paths = []
        for path in row["paths"]:
            assert (path[0]["from"]["type"], path[0]["from"]["id"]) == source
            assert (path[-1]["to"]["type"], path[-1]["to"]["id"]) == (kind, row["id"])
            for before, after in pairwise(path):
                assert before["to"] == after["from"], "each hop starts where the last ended"
            paths.append(
                tuple(
                    (
                        e["from"]["type"],
                        e["from"]["id"],
                        e["to"]["type"],
                        e["to"]["id"],
                        json.dumps(e["attributes"]),
                    )
                    for e in path
                )
            )
        assert len(paths) == len(set(paths)), "a path is listed twice"
        lengths = [len(p) for p in paths]
        assert lengths == sorted(lengths), "the shortest (direct) paths come first"
        result[row["id"]] = (set(paths), row["compiledAttributes"])
    assert [row["id"] for row in rows] == sorted(result), "results are ordered by id"
    return result


@pytest.fixture
def org() -> Org:
    return generate_org(SIZES, seed=21)


@pytest.fixture
async def client(org: Org) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_simulator_app(Store.single(org, API_KEY))) as http:
        yield http


def objects(org: Org, kind: str) -> list[str]:
    return list(
        {
            U: org.users,
            G: org.groups,
            S: org.systems,
            SG: org.system_groups,
            "radius_server": org.radius_servers,
        }[kind]
    )


def test_the_seeded_org_has_every_path_shape_and_some_sudo(org: Org) -> None:
    assert len(org.systems) >= 60
    assert len(org.system_groups) >= 10
    edges = Edges(org)
    for (source_type, target_type), shapes in TRAVERSALS.items():
        found: set[tuple[str, ...]] = set()
        for source in objects(org, source_type):
            found |= shapes_of(edges.expected(source_type, source, target_type))
        assert found == set(shapes), (source_type, target_type)
    sudo = Counter(json.dumps(a) for a in org.binding_attributes.values())
    assert sudo[json.dumps({"sudo": {"enabled": True, "withoutPassword": True}})] > 0
    assert sudo[json.dumps({"sudo": {"enabled": True, "withoutPassword": False}})] > 0
    assert sudo[json.dumps({"sudo": {"enabled": False, "withoutPassword": False}})] > 0
    system_bindings = [b for b in org.bindings if b[2] in (S, SG) and b[0] != "radius_server"]
    assert len(org.binding_attributes) < len(system_bindings), "some bindings carry none"


@pytest.mark.parametrize("org", [generate_org(), demo_org()], ids=["default", "demo"])
def test_every_path_shape_exists_at_the_default_sizes(org: Org) -> None:
    edges = Edges(org)
    for pair in ((U, S), (U, SG), (G, S)):
        found: set[tuple[str, ...]] = set()
        for source in objects(org, pair[0]):
            found |= shapes_of(edges.expected(pair[0], source, pair[1]))
        assert found == set(TRAVERSALS[pair]), pair


@pytest.mark.parametrize(("source_type", "target_type"), sorted(TRAVERSALS))
async def test_every_traversal_matches_the_org_for_every_object(
    client: httpx.AsyncClient, org: Org, source_type: str, target_type: str
) -> None:
    edges = Edges(org)
    for source in objects(org, source_type):
        url = f"/api/v2/{SEGMENT[source_type]}/{source}/{SEGMENT[target_type]}"
        rows, total = await fetch_all(client, url)
        assert total == len(rows)
        got = as_expected(rows, target_type, (source_type, source))
        assert got == edges.expected(source_type, source, target_type), url


async def test_a_traversal_filter_on_compiled_attributes_sees_every_result(
    client: httpx.AsyncClient, org: Org
) -> None:
    edges = Edges(org)
    for system in org.systems:
        expected = edges.expected(S, system, U)
        with_sudo = sorted(u for u, (_, c) in expected.items() if c and c["sudo"]["enabled"])
        rows, total = await fetch_all(
            client, f"/api/v2/systems/{system}/users?filter=compiledAttributes.sudo.enabled:eq:true"
        )
        assert [r["id"] for r in rows] == with_sudo
        assert total == len(with_sudo)


async def test_traversal_pages_and_id_filters_build_the_same_rows(
    client: httpx.AsyncClient, org: Org
) -> None:
    system = max(org.systems, key=lambda s: len(Edges(org).expected(S, s, U)))
    everything, total = await fetch_all(client, f"/api/v2/systems/{system}/users")
    assert total > 3
    page = await client.get(f"/api/v2/systems/{system}/users?limit=2&skip=1")
    assert page.json() == everything[1:3]
    assert page.headers["x-total-count"] == str(total)
    wanted = everything[2]["id"]
    one = await client.get(f"/api/v2/systems/{system}/users?filter=object_id:eq:{wanted}")
    assert one.json() == [everything[2]]
    typed = await client.get(f"/api/v2/systems/{system}/users?filter=type:eq:user&limit=100")
    assert typed.json() == everything[:100]


async def test_system_memberof_and_group_membership_match_the_org(
    client: httpx.AsyncClient, org: Org
) -> None:
    for system in org.systems:
        rows, _ = await fetch_all(client, f"/api/v2/systems/{system}/memberof")
        groups = sorted(g for s, g in org.system_memberships if s == system)
        assert rows == [
            {
                "id": g,
                "type": SG,
                "compiledAttributes": None,
                "paths": [
                    [
                        {
                            "from": {"id": system, "type": S},
                            "to": {"id": g, "type": SG},
                            "attributes": None,
                        }
                    ]
                ],
            }
            for g in groups
        ]
    for group in org.system_groups:
        members = sorted(s for s, g in org.system_memberships if g == group)
        rows, total = await fetch_all(client, f"/api/v2/systemgroups/{group}/members")
        assert rows == [{"attributes": None, "to": {"id": s, "type": S}} for s in members]
        assert total == len(members)
        rows, _ = await fetch_all(client, f"/api/v2/systemgroups/{group}/membership")
        assert [r["id"] for r in rows] == members
        assert all(r["type"] == S and r["compiledAttributes"] is None for r in rows)
        assert [r["paths"][0][0]["from"] for r in rows] == [{"id": group, "type": SG}] * len(rows)


async def test_memberof_and_membership_take_filter_and_sort(
    client: httpx.AsyncClient, org: Org
) -> None:
    system = max(org.systems, key=lambda s: sum(m[0] == s for m in org.system_memberships))
    groups = sorted(g for s, g in org.system_memberships if s == system)
    assert len(groups) >= 2
    rows, _ = await fetch_all(client, f"/api/v2/systems/{system}/memberof?sort=-id")
    assert [r["id"] for r in rows] == groups[::-1]
    rows, _ = await fetch_all(
        client, f"/api/v2/systems/{system}/memberof?filter=object_id:eq:{groups[1]}"
    )
    assert [r["id"] for r in rows] == [groups[1]]
    group = groups[0]
    members = sorted(s for s, g in org.system_memberships if g == group)
    rows, _ = await fetch_all(
        client, f"/api/v2/systemgroups/{group}/membership?sort=-id&filter=type:eq:system"
    )
    assert [r["id"] for r in rows] == members[::-1]


def direct(org: Org, kind: str, object_id: str, targets: set[str]) -> list[dict[str, Any]]:
    found = []
    for binding in org.bindings:
        source_type, source, target_type, target = binding
        if (source_type, source) == (kind, object_id) and target_type in targets:
            other = (target_type, target)
        elif (target_type, target) == (kind, object_id) and source_type in targets:
            other = (source_type, source)
        else:
            continue
        found.append(
            {
                "attributes": org.binding_attributes.get(binding),
                "to": {"id": other[1], "type": other[0]},
            }
        )
    return sorted(found, key=lambda c: (c["to"]["type"], c["to"]["id"]))


ASSOCIATIONS = {
    S: ["command", "policy", "policy_group", U, G],
    SG: ["command", "policy", "policy_group", "radius_server", U, G],
    U: [S, SG],
    G: [S, SG],
    "radius_server": [SG],
}


@pytest.mark.parametrize("kind", sorted(ASSOCIATIONS))
async def test_associations_list_direct_bindings_with_their_attributes(
    client: httpx.AsyncClient, org: Org, kind: str
) -> None:
    targets = ASSOCIATIONS[kind]
    for object_id in objects(org, kind):
        url = f"/api/v2/{SEGMENT[kind]}/{object_id}/associations?targets={','.join(targets)}"
        rows, total = await fetch_all(client, url)
        assert rows == direct(org, kind, object_id, set(targets)), url
        assert total == len(rows)


async def test_association_targets_follow_the_spec_enums(
    client: httpx.AsyncClient, org: Org
) -> None:
    system, group = next(iter(org.systems)), next(iter(org.system_groups))
    refused = [
        f"/api/v2/systems/{system}/associations?targets=system_group",
        f"/api/v2/systems/{system}/associations?targets=radius_server",
        f"/api/v2/systemgroups/{group}/associations?targets=system",
        f"/api/v2/systems/{system}/associations",
    ]
    for url in refused:
        response = await client.get(url)
        assert response.status_code == 400, url
        assert "targets" in response.json()["message"]
    empty = await client.get(f"/api/v2/systems/{system}/associations?targets=command")
    assert (empty.status_code, empty.json()) == (200, [])


async def test_binding_attribute_edits_show_at_once(client: httpx.AsyncClient, org: Org) -> None:
    user, system = next(iter(org.users)), next(iter(org.systems))
    org.bindings.add((U, user, S, system))
    org.binding_attributes[(U, user, S, system)] = {
        "sudo": {"enabled": True, "withoutPassword": True}
    }
    rows, _ = await fetch_all(client, f"/api/v2/users/{user}/systems?filter=object_id:eq:{system}")
    assert rows[0]["compiledAttributes"] == {"sudo": {"enabled": True, "withoutPassword": True}}
    assert rows[0]["paths"][0] == [
        {
            "from": {"id": user, "type": U},
            "to": {"id": system, "type": S},
            "attributes": {"sudo": {"enabled": True, "withoutPassword": True}},
        }
    ]
    org.system_memberships.clear()
    org.binding_attributes.clear()
    org.bindings = {b for b in org.bindings if b[3] != system}
    rows, _ = await fetch_all(client, f"/api/v2/users/{user}/systems?filter=object_id:eq:{system}")
    assert rows == []


async def test_new_paths_exist_only_where_the_spec_defines_them(client: httpx.AsyncClient) -> None:
    for url in (
        "/api/v2/systemgroups/x/radiusservers",
        "/api/v2/systems/x/systemgroups",
        "/api/v2/systemgroups/x/systems",
        "/api/v2/systems/x/applications",
        "/api/v2/systems/x",
        "/api/v2/systems",
    ):
        response = await client.get(url)
        assert response.status_code == 404, url
        assert isinstance(response.json()["message"], str)
