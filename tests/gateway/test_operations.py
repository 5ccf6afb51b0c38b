"""Every example operation (schema/operations/) and every explorer document
(gateway/explorer_operations/) runs against the demo org and matches the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.simulator.store import Org, demo_org
from tests import oracle
from tests.harness import Harness, gateway

REPO = Path(__file__).resolve().parents[2]
FILES = {
    p.stem: p
    for folder in (REPO / "schema" / "operations", REPO / "gateway" / "explorer_operations")
    for p in folder.glob("*.graphql")
}
ORG = demo_org()

Check = Callable[[Org, dict[str, Any], dict[str, Any]], None]


def _ids(connection: dict[str, Any]) -> set[str]:
    return {e["node"]["jumpcloudId"] for e in connection["edges"]}


def _app_with_most_users(org: Org) -> str:
    return max(
        org.applications,
        key=lambda a: sum(1 for u in org.users if a in oracle.effective(org, u, "application")),
    )


def _app_on_one_page_of_users(org: Org) -> str:
    """The application with the most users among those one page (100) of users covers."""
    reached = {
        a: sum(1 for u in org.users if a in oracle.effective(org, u, "application"))
        for a in sorted(org.applications)
    }
    return max((a for a in reached if reached[a] <= 100), key=lambda a: reached[a])


def _user_with_access(org: Org) -> dict[str, Any]:
    return next(u for u in org.users.values() if oracle.effective(org, u["_id"], "application"))


def check_users_groups_apps(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    assert data["users"]["totalCount"] == len(org.users)
    for edge in data["users"]["edges"]:
        user = edge["node"]
        assert _ids(user["groups"]) == oracle.groups_of(org, user["jumpcloudId"])
        for g in user["groups"]["edges"]:
            group_id = g["node"]["jumpcloudId"]
            assert _ids(g["node"]["applications"]) == oracle.bound(
                org, "user_group", group_id, "application"
            )


def check_application_groups(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    app = data["application"]
    assert _ids(app["groups"]) == {
        i
        for s, i, tt, t in org.bindings
        if s == "user_group" and tt == "application" and t == variables["application"]
    }
    for g in app["groups"]["edges"]:
        members = oracle.members_of(org, g["node"]["jumpcloudId"])
        assert g["node"]["members"]["totalCount"] == len(members)


def check_group_members(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    group = next(g for g in org.groups.values() if g["name"] == variables["name"])
    members = oracle.members_of(org, group["id"])
    assert data["group"]["members"]["totalCount"] == len(members)
    assert _ids(data["group"]["members"]) <= members


def check_admins(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    assert data["admins"]["totalCount"] == len(org.admins)
    emails = {u["email"]: u["_id"] for u in org.users.values()}
    for edge in data["admins"]["edges"]:
        admin = edge["node"]
        record = org.admins[admin["jumpcloudId"]]
        assert admin["roles"], admin["email"]
        assert {r["jumpcloudId"] for r in admin["roles"]} == set(
            record.get("roles") or [record.get("role")]
        )
        want_user = emails.get(admin["email"])
        assert (admin["user"] or {}).get("jumpcloudId") == want_user


def check_page(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    ids = [e["node"]["jumpcloudId"] for e in data["users"]["edges"]]
    assert ids == sorted(org.users)[: variables.get("first", 50)]


def check_user_access(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    user = data["user"]
    want = oracle.effective(org, user["jumpcloudId"], "application")
    got = {e["node"]["jumpcloudId"]: e for e in user["applications"]["edges"]}
    assert set(got) == set(want)
    for app_id, edge in got.items():
        assert edge["kind"] == oracle.kind(want[app_id])
        vias = {p["via"]["jumpcloudId"] if p["via"] else None for p in edge["paths"]}
        assert vias == want[app_id]
    for field, target in (("ldapServers", "ldap_server"), ("radiusServers", "radius_server")):
        assert _ids(user[field]) == set(oracle.effective(org, user["jumpcloudId"], target))


def check_who_can_reach(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    app_id = variables["application"]
    want = {u for u in org.users if app_id in oracle.effective(org, u, "application")}
    assert data["application"]["users"]["totalCount"] == len(want)
    assert _ids(data["application"]["users"]) <= want
    assert data["adminsWithScope"]["totalCount"] >= 1


def check_decision(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    want = oracle.effective(org, variables["user"], "application").get(variables["application"])
    assert data["access"]["granted"] is bool(want)
    assert {p["via"]["jumpcloudId"] if p["via"] else None for p in data["access"]["paths"]} == (
        want or set()
    )


def _sudo(grant: tuple[set[oracle.Route], oracle.Sudo]) -> dict[str, bool] | None:
    sudo = grant[1]
    return None if sudo is None else {"enabled": sudo[0], "withoutPassword": sudo[1]}


def check_who_can_log_in(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    system = data["system"]
    system_id = next(i for i, r in org.systems.items() if r["hostname"] == variables["hostname"])
    want = {
        u: g[system_id] for u in org.users if system_id in (g := oracle.effective_systems(org, u))
    }
    assert system["users"]["totalCount"] == len(want)
    assert any(e["sudo"] for e in system["users"]["edges"])
    for edge in system["users"]["edges"]:
        grant = want[edge["node"]["jumpcloudId"]]
        assert edge["kind"] == oracle.route_kind(grant[0])
        assert edge["sudo"] == _sudo(grant)
        assert len(edge["paths"]) == len(grant[0])
    names = {e["node"]["name"] for e in system["systemGroups"]["edges"]}
    assert names == {org.system_groups[g]["name"] for g in oracle.system_groups_of(org, system_id)}


def check_user_systems(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    user_id = next(i for i, u in org.users.items() if u["email"] == variables["email"])
    want = oracle.effective_systems(org, user_id)
    edges = data["user"]["systems"]["edges"]
    assert {e["node"]["jumpcloudId"] for e in edges} == set(want)
    for edge in edges:
        grant = want[edge["node"]["jumpcloudId"]]
        assert edge["sudo"] == _sudo(grant)
        routes = {
            tuple(
                (t, p[k]["jumpcloudId"])
                for t, k in (("user_group", "via"), ("system_group", "viaSystemGroup"))
                if p[k]
            )
            for p in edge["paths"]
        }
        assert routes == grant[0]


def _system_with_sudo(org: Org) -> str:
    """The hostname of the machine with the most users holding sudo there."""
    sudoers: dict[str, int] = dict.fromkeys(sorted(org.systems), 0)
    for user_id in org.users:
        for system_id, (_, sudo) in oracle.effective_systems(org, user_id).items():
            sudoers[system_id] += sudo is not None
    return str(org.systems[max(sudoers, key=lambda s: sudoers[s])]["hostname"])


def _user_with_most_systems(org: Org) -> str:
    user_id = max(sorted(org.users), key=lambda u: len(oracle.effective_systems(org, u)))
    return str(org.users[user_id]["email"])


def check_findings(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    levels = oracle.SEVERITIES[oracle.SEVERITIES.index(variables["severity"]) :]
    want = [f for f in oracle.findings(org) if f[1] in levels]
    assert data["findings"]["totalCount"] == len(want)
    nodes = [e["node"] for e in data["findings"]["edges"]]
    assert len(nodes) == min(len(want), variables["first"]) > 0
    for node, finding in zip(nodes, want, strict=False):
        target = node["target"] or {}
        subject = node["subject"]
        assert (node["kind"], node["severity"], subject["__typename"], subject["jumpcloudId"]) == (
            finding[:4]
        )
        assert (target.get("__typename"), target.get("jumpcloudId")) == finding[4:6]
        routes = [
            tuple(
                (t, p[k]["jumpcloudId"])
                for t, k in (("user_group", "via"), ("system_group", "viaSystemGroup"))
                if p[k]
            )
            for p in node["evidence"]
        ]
        assert routes == [route for _, _, route in finding[6]]


def _kinds(connection: dict[str, Any]) -> dict[str, str]:
    return {e["node"]["jumpcloudId"]: e["kind"] for e in connection["edges"]}


def check_explore_user(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    user = data["user"]
    user_id = next(i for i, u in org.users.items() if u["email"] == variables["email"])
    assert user["jumpcloudId"] == user_id
    assert _ids(user["groups"]) == oracle.groups_of(org, user_id)
    reach = oracle.reach(org, user_id)
    for field, target_type in (
        ("applications", "application"),
        ("ldapServers", "ldap_server"),
        ("radiusServers", "radius_server"),
        ("systems", "system"),
    ):
        assert _kinds(user[field]) == {
            t: oracle.route_kind(set(routes))
            for (k, t), (routes, _) in reach.items()
            if k == target_type
        }
    for edge in user["systems"]["edges"]:
        assert edge["sudo"] == _sudo(
            oracle.effective_systems(org, user_id)[edge["node"]["jumpcloudId"]]
        )
    kinds = [f[0] for f in oracle.findings(org) if f[2:4] == ("User", user_id)]
    assert user["findings"]["totalCount"] == len(kinds)


def check_explore_application(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    (edge,) = data["applications"]["edges"]
    app = edge["node"]
    app_id = next(i for i, a in org.applications.items() if a["name"] == variables["name"])
    assert app["jumpcloudId"] == app_id
    assert _ids(app["groups"]) == {
        i for s, i, tt, t in org.bindings if (s, tt, t) == ("user_group", "application", app_id)
    }
    want = {
        u: oracle.kind(vias)
        for u in org.users
        if (vias := oracle.effective(org, u, "application").get(app_id))
    }
    assert app["users"]["totalCount"] == len(want)
    assert _kinds(app["users"]) == want
    about = [f for f in oracle.findings(org) if f[2:4] == ("Application", app_id)]
    assert app["findings"]["totalCount"] == len(about)


def check_explore_group(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    group = data["group"]
    group_id = next(g["id"] for g in org.groups.values() if g["name"] == variables["name"])
    assert group["jumpcloudId"] == group_id
    assert group["members"]["totalCount"] == len(oracle.members_of(org, group_id))
    assert _ids(group["members"]) <= oracle.members_of(org, group_id)
    for field, target_type in (
        ("applications", "application"),
        ("ldapServers", "ldap_server"),
        ("radiusServers", "radius_server"),
        ("systems", "system"),
        ("systemGroups", "system_group"),
    ):
        assert _ids(group[field]) == oracle.bound(org, "user_group", group_id, target_type)
    about = [f for f in oracle.findings(org) if f[2:4] == ("Group", group_id)]
    assert group["findings"]["totalCount"] == len(about)


def check_explore_system(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    system = data["system"]
    want = {
        u: g[variables["jumpcloudId"]]
        for u in org.users
        if variables["jumpcloudId"] in (g := oracle.effective_systems(org, u))
    }
    assert system["users"]["totalCount"] == len(want)
    assert _kinds(system["users"]) == {u: oracle.route_kind(g[0]) for u, g in want.items()}
    assert any(e["sudo"] for e in system["users"]["edges"])
    for edge in system["users"]["edges"]:
        assert edge["sudo"] == _sudo(want[edge["node"]["jumpcloudId"]])
    about = [f for f in oracle.findings(org) if f[2:4] == ("System", variables["jumpcloudId"])]
    assert system["findings"]["totalCount"] == len(about)


def _server_users(org: Org, server_type: str, server_id: str) -> int:
    return sum(1 for u in org.users if server_id in oracle.effective(org, u, server_type))


def _check_explore_server(server_type: str, field: str) -> Check:
    def check(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
        server = data[field]
        server_id = variables["jumpcloudId"]
        assert server["jumpcloudId"] == server_id
        assert _ids(server["groups"]) == {
            g for g in org.groups if server_id in oracle.bound(org, "user_group", g, server_type)
        }
        want = {
            u: oracle.kind(vias)
            for u in org.users
            if (vias := oracle.effective(org, u, server_type).get(server_id))
        }
        assert server["users"]["totalCount"] == len(want)
        assert _kinds(server["users"]) == want

    return check


def check_explore_server_names(org: Org, variables: dict[str, Any], data: dict[str, Any]) -> None:
    assert data["ldapServers"]["edges"] == []
    names = {e["node"]["jumpcloudId"]: e["node"]["name"] for e in data["radiusServers"]["edges"]}
    assert names == {i: r["name"] for i, r in org.radius_servers.items()}
    assert not data["radiusServers"]["pageInfo"]["hasNextPage"]


def cases(org: Org) -> dict[str, tuple[dict[str, Any], Check]]:
    user = _user_with_access(org)
    app = _app_with_most_users(org)
    group = max(org.groups.values(), key=lambda g: len(oracle.members_of(org, g["id"])))
    return {
        "UsersWithGroupsAndApplications": ({}, check_users_groups_apps),
        "ApplicationGroupsAndMembers": ({"application": app}, check_application_groups),
        "GroupMembers": ({"name": group["name"]}, check_group_members),
        "AdminsWithRoles": ({}, check_admins),
        "PageThroughUsers": ({}, check_page),
        "UserAccess": ({"email": user["email"]}, check_user_access),
        "WhoCanReachApplication": ({"application": app}, check_who_can_reach),
        "AccessDecision": (
            {
                "user": user["_id"],
                "application": next(iter(oracle.effective(org, user["_id"], "application"))),
            },
            check_decision,
        ),
        "WhoCanLogIntoSystem": ({"hostname": _system_with_sudo(org)}, check_who_can_log_in),
        "UserSystems": ({"email": _user_with_most_systems(org)}, check_user_systems),
        "Findings": ({"severity": "HIGH", "first": 50}, check_findings),
        "ExploreUser": ({"email": _user_with_most_systems(org)}, check_explore_user),
        "ExploreApplication": (
            {"name": org.applications[_app_on_one_page_of_users(org)]["name"]},
            check_explore_application,
        ),
        "ExploreGroup": ({"name": group["name"]}, check_explore_group),
        "ExploreSystem": (
            {
                "jumpcloudId": next(
                    i for i, r in org.systems.items() if r["hostname"] == _system_with_sudo(org)
                )
            },
            check_explore_system,
        ),
        "ExploreLdapServer": (
            {
                "jumpcloudId": max(
                    org.ldap_servers, key=lambda s: (_server_users(org, "ldap_server", s), s)
                )
            },
            _check_explore_server("ldap_server", "ldapServer"),
        ),
        "ExploreRadiusServer": (
            {
                "jumpcloudId": max(
                    org.radius_servers, key=lambda s: (_server_users(org, "radius_server", s), s)
                )
            },
            _check_explore_server("radius_server", "radiusServer"),
        ),
        "ExploreServerNames": ({"ldapFirst": 0}, check_explore_server_names),
    }


def test_every_operation_file_has_a_check() -> None:
    assert set(FILES) == set(cases(ORG))


@pytest.mark.parametrize("name", sorted(FILES))
async def test_operation_answers_match_the_demo_org(name: str) -> None:
    variables, check = cases(ORG)[name]
    gw: Harness
    async with gateway(ORG) as gw:
        data = await gw.query(FILES[name].read_text(), variables)
    check(ORG, variables, data)


async def _answers(gw: Harness, query: str, variables: dict[str, Any], how: str) -> Any:
    """The payload (timing left out) and the upstream calls of one request sent `how`:
    POSTed JSON runs on the lean path, GET through Strawberry's pipeline."""
    before = gw.log.total
    headers = {"x-jcgraph-cost": "1"}
    if how == "POST":
        response = await gw.post(query, variables, **headers)
    else:
        params = {"query": query, "variables": json.dumps(variables)}
        response = await gw.http.get("/graphql", params=params, headers=headers)
    assert response.status_code == 200, response.text
    payload = response.json()
    payload["extensions"]["cost"].pop("dataAgeSeconds")
    return payload, gw.log.total - before


@pytest.mark.parametrize("name", sorted(FILES))
async def test_lean_path_and_strawberry_pipeline_answer_alike(name: str) -> None:
    """The same operation, cold then warm, POSTed and sent as GET: the same payloads (cost
    report included) from the same upstream calls."""
    query = FILES[name].read_text()
    variables = cases(ORG)[name][0]
    runs = {}
    for how in ("POST", "GET"):
        async with gateway(ORG, response_cache=False) as gw:
            runs[how] = [await _answers(gw, query, variables, how) for _ in range(2)]
    assert runs["POST"] == runs["GET"]
    (cold, cold_calls), (warm, warm_calls) = runs["POST"]
    assert cold_calls > 0
    assert warm_calls == 0
    assert "errors" not in cold
    assert cold == warm | {"extensions": cold["extensions"]}


@pytest.mark.parametrize(
    "query",
    [
        "{ users(first: 1) { edges { node { nope } } } }",  # invalid
        "{ users(first: 100) { edges { node { groups(first: 100) { edges { node { members"
        "(first: 100) { totalCount } } } } } } } }",  # over the cost limit
        "{ users(first: 1) { edges { node { jumpcloudId } } }",  # syntax
    ],
)
async def test_refusals_are_the_pipelines_whichever_way_sent(query: str) -> None:
    async with gateway(ORG) as gw:
        posted = await gw.post(query)
        got = await gw.http.get("/graphql", params={"query": query})
    assert posted.status_code == got.status_code
    assert posted.json() == got.json()
    assert posted.json().get("errors")
