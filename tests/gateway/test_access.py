"""Effective access with paths: the oracle, both plans, and what "everyone's access" costs."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests import oracle
from tests.harness import Harness, gateway

TARGETS = {
    "applications": ("application", "applications"),
    "ldapServers": ("ldap_server", "ldapservers"),
    "radiusServers": ("radius_server", "radiusservers"),
}

HOPS = "direct hops { from { type jumpcloudId } to { type jumpcloudId } }"
EVERYONE = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId
    applications(first: 100) { totalCount edges { kind node { jumpcloudId }
      paths { via { jumpcloudId } HOPS } } }
    ldapServers(first: 100) { edges { kind node { jumpcloudId } paths { via { jumpcloudId } HOPS } } }
    radiusServers(first: 100) { edges { kind node { jumpcloudId }
      paths { via { jumpcloudId } HOPS } } }
  } } } }""".replace("HOPS", HOPS)

APPLICATIONS_ONLY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId applications(first: 100) { edges { kind node { jumpcloudId }
    paths { via { jumpcloudId } } } } } } } }"""


@pytest.fixture(scope="module")
def org() -> Org:
    return generate_org(
        OrgSizes(
            users=520,
            groups=50,
            applications=30,
            direct_app_bindings=60,
            ldap_servers=2,
            radius_servers=3,
            ldap_group_bindings=6,
            ldap_user_bindings=8,
            radius_group_bindings=6,
            radius_user_bindings=8,
        ),
        seed=2026,
    )


Access = dict[str, dict[str, dict[str, set[str | None]]]]
"""user id -> field -> target id -> vias"""


async def everyone(gw: Harness, query: str = EVERYONE) -> Access:
    out: Access = {}
    after = None
    while True:
        data = (await gw.query(query, {"after": after}))["users"]
        for edge in data["edges"]:
            user = edge["node"]
            out[user["jumpcloudId"]] = {
                field: {
                    e["node"]["jumpcloudId"]: {
                        p["via"]["jumpcloudId"] if p["via"] else None for p in e["paths"]
                    }
                    for e in user[field]["edges"]
                }
                for field in TARGETS
                if field in user
            }
            for field, (target_type, _) in TARGETS.items():
                for e in user.get(field, {}).get("edges", []):
                    vias = {p["via"]["jumpcloudId"] if p["via"] else None for p in e["paths"]}
                    assert e["kind"] == oracle.kind(vias)
                    target = (target_type, e["node"]["jumpcloudId"])
                    for p in e["paths"]:
                        if "hops" not in p:
                            continue
                        via = p["via"]["jumpcloudId"] if p["via"] else None
                        route = () if via is None else (("user_group", via),)
                        assert p["hops"] == oracle.hops(user["jumpcloudId"], route, target)
                        assert p["direct"] is (via is None)
        if not data["pageInfo"]["hasNextPage"]:
            return out
        after = data["pageInfo"]["endCursor"]


async def traversal(org: Org, user_id: str, plural: str) -> dict[str, set[str | None]]:
    """JumpCloud's own answer: the simulator's traversal endpoint, paths read independently."""
    app = create_simulator_app(Store.single(org, "jca_oracle"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://jc"
    ) as http:
        response = await http.get(
            f"/api/v2/users/{user_id}/{plural}",
            params={"limit": 100},
            headers={"x-api-key": "jca_oracle"},
        )
    assert response.status_code == 200
    out: dict[str, set[str | None]] = {}
    for item in response.json():
        vias: set[str | None] = set()
        for path in item["paths"]:
            groups = {
                end["id"]
                for edge in path
                for end in (edge.get("from"), edge["to"])
                if end and end["type"] == "user_group"
            }
            vias.add(next(iter(groups)) if groups else None)
        out[item["id"]] = vias
    return out


def test_the_org_has_every_kind_of_grant(org: Org) -> None:
    kinds = {
        oracle.kind(v) for u in org.users for v in oracle.effective(org, u, "application").values()
    }
    assert kinds == {"DIRECT", "INDIRECT", "BOTH"}


async def test_everyones_access_and_paths_equal_the_store_and_the_traversal_endpoints(
    org: Org,
) -> None:
    async with gateway(org) as gw:
        got = await everyone(gw)
    assert set(got) == set(org.users)
    for user_id, fields in got.items():
        for field, (target_type, _) in TARGETS.items():
            assert fields[field] == oracle.effective(org, user_id, target_type), (user_id, field)
    for user_id in sorted(org.users)[::13]:  # JumpCloud's endpoints, for a spread of users
        for field, (_, plural) in TARGETS.items():
            assert got[user_id][field] == await traversal(org, user_id, plural), (user_id, field)


async def test_reverse_access_equals_the_store(org: Org) -> None:
    query = """{ %s(first: 100) { edges { node { jumpcloudId users(first: 100) { totalCount
      edges { kind node { jumpcloudId } paths { via { jumpcloudId } } } } } } } }"""
    async with gateway(org) as gw:
        for root, target_type in (
            ("ldapServers", "ldap_server"),
            ("radiusServers", "radius_server"),
        ):
            data = await gw.query(query % root)
            for edge in data[root]["edges"]:
                target = edge["node"]
                want = {
                    u: v[target["jumpcloudId"]]
                    for u in org.users
                    if target["jumpcloudId"] in (v := oracle.effective(org, u, target_type))
                }
                assert target["users"]["totalCount"] == len(want)
                if len(want) <= 100:
                    got = {
                        e["node"]["jumpcloudId"]: {
                            p["via"]["jumpcloudId"] if p["via"] else None for p in e["paths"]
                        }
                        for e in target["users"]["edges"]
                    }
                    assert got == want


async def test_an_applications_users_page_through_all_grants(org: Org) -> None:
    app_id = max(
        org.applications,
        key=lambda a: sum(1 for u in org.users if a in oracle.effective(org, u, "application")),
    )
    want = {
        u: v[app_id] for u in org.users if app_id in (v := oracle.effective(org, u, "application"))
    }
    query = """query($id: ID!, $after: String) { application(jumpcloudId: $id) {
      users(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { jumpcloudId } paths { via { jumpcloudId } } } } } }"""
    got: dict[str, set[str | None]] = {}
    after = None
    async with gateway(org) as gw:
        while True:
            conn = (await gw.query(query, {"id": app_id, "after": after}))["application"]["users"]
            for e in conn["edges"]:
                got[e["node"]["jumpcloudId"]] = {
                    p["via"]["jumpcloudId"] if p["via"] else None for p in e["paths"]
                }
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
    assert len(want) > 100
    assert got == want


async def test_per_user_and_index_plans_give_identical_answers(org: Org) -> None:
    async with gateway(org, access_plan="per-key") as gw:
        per_user = await everyone(gw)
        per_user_calls = gw.log.count(operation="graph_userTraverseApplication")
    async with gateway(org, access_plan="index") as gw:
        indexed = await everyone(gw)
        index_calls = gw.log.count(operation="graph_userTraverseApplication")
    assert per_user == indexed
    assert per_user_calls == len(org.users)
    assert index_calls == 0


async def test_everyones_applications_cost_at_most_groups_apps_and_pages(org: Org) -> None:
    async with gateway(org) as gw:
        await everyone(gw, APPLICATIONS_ONLY)
        calls = gw.log.total
        reverse = gw.log.count(operation="graph_applicationTraverseUser")
        extra_pages = reverse - len(org.applications)
    user_pages = math.ceil(len(org.users) / 100)
    budget = len(org.groups) + len(org.applications) + user_pages + extra_pages
    assert calls <= budget, gw.log.counts()
    assert calls < len(org.users)


async def test_access_decision_says_granted_kind_and_paths(org: Org) -> None:
    cases: list[tuple[str, str, str, dict[str, set[str | None]]]] = []
    for user_id in sorted(org.users):
        for target_type, arg in (
            ("application", "application"),
            ("ldap_server", "ldapServer"),
            ("radius_server", "radiusServer"),
        ):
            granted = oracle.effective(org, user_id, target_type)
            pool = {
                "application": org.applications,
                "ldap_server": org.ldap_servers,
                "radius_server": org.radius_servers,
            }[target_type]
            for target_id in sorted(pool)[:3]:
                cases.append((user_id, arg, target_id, granted))
        if len(cases) > 120:
            break
    query = """query($u: ID!, $a: ID, $l: ID, $r: ID) { access(user: $u, application: $a,
      ldapServer: $l, radiusServer: $r) { granted kind paths { via { jumpcloudId } } } }"""
    async with gateway(org) as gw:
        for user_id, arg, target_id, granted in cases:
            variables: dict[str, Any] = {
                "u": user_id,
                {"application": "a", "ldapServer": "l", "radiusServer": "r"}[arg]: target_id,
            }
            decision = (await gw.query(query, variables))["access"]
            want = granted.get(target_id)
            assert decision["granted"] is bool(want)
            assert decision["kind"] == (oracle.kind(want) if want else None)
            vias = {p["via"]["jumpcloudId"] if p["via"] else None for p in decision["paths"]}
            assert vias == (want or set())


async def test_the_index_is_built_once_and_then_serves_every_page(org: Org) -> None:
    async with gateway(org, access_plan="index") as gw:
        await everyone(gw, APPLICATIONS_ONLY)
        first = gw.log.total
        metrics = (await gw.http.get("/metrics")).text
        gw.clock.advance(gw.app.state.settings.cache_ttl + 1)
        await everyone(gw, APPLICATIONS_ONLY)  # expired: read again, once
        rebuilt = (await gw.http.get("/metrics")).text
    assert 'jcgraph_index_builds_total{relation="access-applications"} 1.0' in metrics
    assert 'jcgraph_index_builds_total{relation="access-applications"} 2.0' in rebuilt
    assert gw.log.total == 2 * first


@pytest.mark.parametrize("plan", ["auto", "per-key", "index"])
async def test_access_for_an_unknown_user_is_not_found_under_every_plan(plan: str) -> None:
    org = generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)
    app = next(iter(org.applications))
    query = f'{{ access(user: "0123456789abcdef01234567", application: "{app}") {{ granted }} }}'
    async with gateway(org, access_plan=plan) as gw:
        await gw.post("{ users(first: 100) { edges { node { applications { totalCount } } } } }")
        payload = (await gw.post(query)).json()
    assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"
