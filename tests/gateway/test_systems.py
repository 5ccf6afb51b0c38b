"""Who can log into which system, and with sudo: systems and system groups against the store."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests import oracle
from tests.harness import Harness, gateway

PATH_FIELDS = """paths { direct via { jumpcloudId } viaSystemGroup { jumpcloudId }
  hops { from { type jumpcloudId } to { type jumpcloudId } } }"""

EVERYONES_SYSTEMS = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId systems(first: 100) { totalCount
    edges { kind node { jumpcloudId } sudo { enabled withoutPassword } PATHS } } } } } }""".replace(
    "PATHS", PATH_FIELDS
)

Grants = dict[str, dict[str, tuple[set[oracle.Route], oracle.Sudo]]]
"""user id -> system id -> (routes, sudo)"""


@pytest.fixture(scope="module")
def org() -> Org:
    return generate_org(
        OrgSizes(
            users=420,
            groups=40,
            applications=10,
            systems=90,
            system_groups=12,
            direct_system_bindings=70,
            user_system_group_bindings=40,
            group_system_bindings=20,
            group_system_group_bindings=25,
        ),
        seed=4242,
    )


def route_of(user_id: str, system_id: str, path: dict[str, Any]) -> oracle.Route:
    """A path's objects between the user and the system, checked hop by hop on the way."""
    hops = path["hops"]
    assert hops[0]["from"] == {"type": "USER", "jumpcloudId": user_id}
    assert hops[-1]["to"] == {"type": "SYSTEM", "jumpcloudId": system_id}
    for before, after in itertools.pairwise(hops):
        assert before["to"] == after["from"]  # hops chain
    route = tuple((h["to"]["type"].lower(), h["to"]["jumpcloudId"]) for h in hops[:-1])
    assert hops == oracle.hops(user_id, route, ("system", system_id))
    assert path["direct"] is (route == ())
    groups = [i for t, i in route if t == "user_group"]
    system_groups = [i for t, i in route if t == "system_group"]
    assert (path["via"] or {}).get("jumpcloudId") == (groups[0] if groups else None)
    assert (path["viaSystemGroup"] or {}).get("jumpcloudId") == (
        system_groups[0] if system_groups else None
    )
    return route


def sudo_of(edge: dict[str, Any]) -> oracle.Sudo:
    sudo = edge["sudo"]
    return None if sudo is None else (sudo["enabled"], sudo["withoutPassword"])


async def everyones_systems(gw: Harness) -> Grants:
    out: Grants = {}
    after = None
    while True:
        data = (await gw.query(EVERYONES_SYSTEMS, {"after": after}))["users"]
        for user_edge in data["edges"]:
            user = user_edge["node"]
            grants = out[user["jumpcloudId"]] = {}
            assert user["systems"]["totalCount"] == len(user["systems"]["edges"])
            for e in user["systems"]["edges"]:
                system_id = e["node"]["jumpcloudId"]
                routes = {route_of(user["jumpcloudId"], system_id, p) for p in e["paths"]}
                assert len(routes) == len(e["paths"])  # no path twice
                assert e["kind"] == oracle.route_kind(routes)
                grants[system_id] = (routes, sudo_of(e))
        if not data["pageInfo"]["hasNextPage"]:
            return out
        after = data["pageInfo"]["endCursor"]


async def traversal(org: Org, path: str) -> list[dict[str, Any]]:
    """JumpCloud's own answer: the simulator's traversal endpoint, read directly."""
    app = create_simulator_app(Store.single(org, "jca_oracle"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://jc"
    ) as http:
        response = await http.get(path, params={"limit": 100}, headers={"x-api-key": "jca_oracle"})
    assert response.status_code == 200, response.text
    assert int(response.headers["x-total-count"]) <= 100
    body: list[dict[str, Any]] = response.json()
    return body


def test_the_org_has_every_path_shape_and_sudo(org: Org) -> None:
    grants = [oracle.effective_systems(org, u) for u in org.users]
    shapes = {tuple(t for t, _ in r) for g in grants for routes, _ in g.values() for r in routes}
    assert shapes == {(), ("user_group",), ("system_group",), ("user_group", "system_group")}
    sudos = {sudo for g in grants for _, sudo in g.values()}
    assert {None, (True, False), (True, True)} <= sudos
    assert len(org.systems) >= 60
    assert len(org.system_groups) >= 10
    assert len(org.users) >= 400


@dataclass(frozen=True)
class Run:
    """Everyone's systems under one plan, and the upstream calls it took (by operationId)."""

    grants: Grants
    calls: Counter[str]


@pytest.fixture(scope="module")
def runs(org: Org) -> dict[str, Run]:
    async def run(plan: str) -> Run:
        async with gateway(org, access_plan=plan) as gw:
            return Run(await everyones_systems(gw), gw.log.counts())

    return {plan: asyncio.run(run(plan)) for plan in ("auto", "per-key", "index")}


@pytest.mark.parametrize("plan", ["auto", "per-key", "index"])
def test_everyones_systems_paths_and_sudo_equal_the_store(
    org: Org, runs: dict[str, Run], plan: str
) -> None:
    want = {u: oracle.effective_systems(org, u) for u in org.users}
    assert runs[plan].grants == want


async def test_a_sample_equals_jumpclouds_own_traversal(org: Org, runs: dict[str, Run]) -> None:
    got = runs["auto"].grants
    for user_id in sorted(org.users)[::17]:
        items = await traversal(org, f"/api/v2/users/{user_id}/systems")
        theirs: dict[str, tuple[set[oracle.Route], oracle.Sudo]] = {}
        for item in items:
            routes = set()
            for path in item["paths"]:
                assert path[0]["from"] == {"id": user_id, "type": "user"}
                assert path[-1]["to"] == {"id": item["id"], "type": "system"}
                routes.add(tuple((e["to"]["type"], e["to"]["id"]) for e in path[:-1]))
            sudo = (item.get("compiledAttributes") or {}).get("sudo") or {}
            enabled = bool(sudo.get("enabled"))
            theirs[item["id"]] = (
                routes,
                (True, bool(sudo.get("withoutPassword"))) if enabled else None,
            )
        assert got[user_id] == theirs, user_id


def test_everyones_systems_cost_what_the_orgs_shape_says(org: Org, runs: dict[str, Run]) -> None:
    """The default plan reads every system's users once (the index: fewer systems than a page
    of users), never a user's systems one by one; its budget comes from the org's shape."""
    reach: dict[str, int] = dict.fromkeys(org.systems, 0)
    for user_id in org.users:
        for system_id in oracle.effective_systems(org, user_id):
            reach[system_id] += 1
    user_pages = math.ceil(len(org.users) / 100)
    system_id_pages = math.ceil(len(org.systems) / 100)
    index_reads = sum(max(1, math.ceil(n / 100)) for n in reach.values())
    auto = runs["auto"].calls
    assert auto["graph_userTraverseSystem"] == 0
    assert auto["graph_systemTraverseUser"] == index_reads
    assert auto["systemusers_list"] == user_pages
    # the ids the planner counts, then each page's systems by id (at most one batch each)
    assert system_id_pages <= auto["systems_list"] <= system_id_pages + user_pages
    assert auto.total() <= user_pages + system_id_pages + index_reads + user_pages
    per_key = runs["per-key"].calls
    assert per_key["graph_userTraverseSystem"] == len(org.users)
    assert per_key["graph_systemTraverseUser"] == 0


async def test_who_can_log_into_each_system_equals_the_store(org: Org) -> None:
    query = """query($after: String) { systems(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { jumpcloudId users(first: 100) { totalCount
        edges { kind node { jumpcloudId } sudo { enabled withoutPassword } PATHS } } } } } }""".replace(
        "PATHS", PATH_FIELDS
    )
    want: dict[str, dict[str, tuple[set[oracle.Route], oracle.Sudo]]] = {s: {} for s in org.systems}
    for user_id in org.users:
        for system_id, grant in oracle.effective_systems(org, user_id).items():
            want[system_id][user_id] = grant
    got: dict[str, dict[str, tuple[set[oracle.Route], oracle.Sudo]]] = {}
    async with gateway(org) as gw:
        after = None
        while True:
            data = (await gw.query(query, {"after": after}))["systems"]
            for edge in data["edges"]:
                system_id = edge["node"]["jumpcloudId"]
                users = edge["node"]["users"]
                assert users["totalCount"] == len(want[system_id])
                if users["totalCount"] > 100:
                    continue  # paged; checked by the per-user direction
                got[system_id] = {
                    e["node"]["jumpcloudId"]: (
                        {route_of(e["node"]["jumpcloudId"], system_id, p) for p in e["paths"]},
                        sudo_of(e),
                    )
                    for e in users["edges"]
                }
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
    assert got
    assert all(got[s] == want[s] for s in got)


async def test_access_decision_for_a_system_carries_paths_and_sudo(org: Org) -> None:
    query = """query($u: ID!, $s: ID!) { access(user: $u, system: $s) { granted kind
      sudo { enabled withoutPassword } paths { direct hops { from { type jumpcloudId }
      to { type jumpcloudId } } } } }"""
    checked = 0
    async with gateway(org) as gw:
        for user_id in sorted(org.users)[::7]:
            grants = oracle.effective_systems(org, user_id)
            for system_id in sorted(org.systems)[:4] + sorted(grants)[:2]:
                decision = (await gw.query(query, {"u": user_id, "s": system_id}))["access"]
                routes, sudo = grants.get(system_id, (set(), None))
                assert decision["granted"] is bool(routes)
                assert decision["kind"] == (oracle.route_kind(routes) if routes else None)
                assert sudo_of(decision) == sudo
                assert [p["hops"] for p in decision["paths"]] == [
                    oracle.hops(user_id, r, ("system", system_id))
                    for r in sorted(routes, key=lambda r: (len(r), r))
                ]
                checked += 1
    assert checked > 100


async def test_groups_system_groups_and_systems_relate_as_in_the_store(org: Org) -> None:
    query = """{ groups(first: 40) { edges { node { jumpcloudId
        systems(first: 100) { totalCount edges { node { jumpcloudId } } }
        systemGroups(first: 100) { totalCount edges { node { jumpcloudId } } } } } }
      systemGroups(first: 12) { edges { node { jumpcloudId name
        systems(first: 100) { totalCount edges { node { jumpcloudId hostname } } }
        groups(first: 100) { edges { node { jumpcloudId } } } } } }
      systems(first: 100) { edges { node { jumpcloudId
        systemGroups(first: 20) { edges { node { jumpcloudId } } }
        groups(first: 20) { edges { node { jumpcloudId } } } } } } }"""

    def ids(connection: dict[str, Any]) -> set[str]:
        return {e["node"]["jumpcloudId"] for e in connection["edges"]}

    def bound(source_type: str, target_type: str) -> set[tuple[str, str]]:
        return {(s, t) for st, s, tt, t in org.bindings if (st, tt) == (source_type, target_type)}

    assert (len(org.groups), len(org.system_groups)) == (40, 12)
    async with gateway(org) as gw:
        data = await gw.query(query)
    for edge in data["groups"]["edges"]:
        g = edge["node"]
        assert ids(g["systems"]) == {
            t for s, t in bound("user_group", "system") if s == g["jumpcloudId"]
        }
        assert ids(g["systemGroups"]) == {
            t for s, t in bound("user_group", "system_group") if s == g["jumpcloudId"]
        }
    assert len(data["systemGroups"]["edges"]) == len(org.system_groups)
    for edge in data["systemGroups"]["edges"]:
        sg = edge["node"]
        assert sg["name"] == org.system_groups[sg["jumpcloudId"]]["name"]
        members = {s for s, g in org.system_memberships if g == sg["jumpcloudId"]}
        assert ids(sg["systems"]) == members
        assert ids(sg["groups"]) == {
            s for s, t in bound("user_group", "system_group") if t == sg["jumpcloudId"]
        }
    assert len(data["systems"]["edges"]) == min(100, len(org.systems))
    for edge in data["systems"]["edges"]:
        system = edge["node"]
        assert ids(system["systemGroups"]) == oracle.system_groups_of(org, system["jumpcloudId"])
        assert ids(system["groups"]) == {
            s for s, t in bound("user_group", "system") if t == system["jumpcloudId"]
        }


async def test_systems_filter_and_order_are_pushed_down(org: Org) -> None:
    linux = sorted(
        (r["hostname"], i) for i, r in org.systems.items() if r.get("osFamily") == "linux"
    )
    assert linux
    query = """{ systems(first: 100, filter: {osFamily: "linux"},
      orderBy: {field: HOSTNAME, direction: DESC}) {
      totalCount edges { node { jumpcloudId hostname osFamily } } } }"""
    async with gateway(org) as gw:
        calls = await gw.calls(query)
        data = await gw.query(query)
        first = gw.log.entries[-calls] if calls else None
    assert calls == 1
    assert first is not None
    assert first.route == "/api/systems"
    assert "osFamily:$eq:linux" in unquote_plus(first.query)
    got = [(e["node"]["hostname"], e["node"]["jumpcloudId"]) for e in data["systems"]["edges"]]
    assert got == sorted(linux, reverse=True)[:100]
    assert data["systems"]["totalCount"] == len(linux)


async def test_a_system_by_hostname_id_and_global_id(org: Org) -> None:
    system_id, record = next(iter(org.systems.items()))
    fields = "jumpcloudId hostname displayName os created lastContact remoteIP fde { active }"
    async with gateway(org) as gw:
        by_name = await gw.query(
            "query($h: String!) { system(hostname: $h) { id FIELDS } }".replace("FIELDS", fields),
            {"h": record["hostname"]},
        )
        by_id = await gw.query(
            "query($i: ID!) { system(jumpcloudId: $i) { id FIELDS } }".replace("FIELDS", fields),
            {"i": system_id},
        )
        node = await gw.query(
            "query($i: ID!) { node(id: $i) { ... on System { FIELDS } } }".replace(
                "FIELDS", fields
            ),
            {"i": by_id["system"]["id"]},
        )
        unknown = await gw.query('{ system(hostname: "no-such-host") { jumpcloudId } }')
    assert by_name["system"] == by_id["system"]
    assert node["node"] == {k: v for k, v in by_id["system"].items() if k != "id"}
    assert by_id["system"]["hostname"] == record["hostname"]
    assert by_id["system"]["created"].endswith("+00:00")
    assert unknown == {"system": None}
