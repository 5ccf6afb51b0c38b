"""Graph endpoints agree with an independent reading of the org's memberships and bindings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx

from gateway.simulator.store import Org
from tests.simulator.fixtures import fetch_all, no_faults, request_log, seeded_org, simulator_client  # noqa: F401 - the faults, log, org and client fixtures

Edge = tuple[str, str, str, str]
Paths = dict[str, set[tuple[Edge, ...]]]
SEGMENTS = {
    "application": "applications",
    "ldap_server": "ldapservers",
    "radius_server": "radiusservers",
}


def as_paths(rows: list[dict[str, Any]], kind: str) -> Paths:
    result: Paths = {}
    for row in rows:
        assert row["type"] == kind
        assert row["compiledAttributes"] is None
        paths = [
            tuple((e["from"]["type"], e["from"]["id"], e["to"]["type"], e["to"]["id"]) for e in p)
            for p in row["paths"]
        ]
        assert len(paths) == len(set(paths)), "a path is listed twice"
        result[row["id"]] = set(paths)
    assert [row["id"] for row in rows] == sorted(result), "results are ordered by id"
    return result


def user_reach(org: Org, user: str, kind: str) -> Paths:
    expected: Paths = defaultdict(set)
    for source_type, source, target_type, target in org.bindings:
        if target_type != kind:
            continue
        if source_type == "user" and source == user:
            expected[target].add(((("user", user, kind, target)),))
        if source_type == "user_group" and (user, source) in org.memberships:
            expected[target].add(
                (("user", user, "user_group", source), ("user_group", source, kind, target))
            )
    return dict(expected)


def target_reach(org: Org, kind: str, target: str) -> Paths:
    expected: Paths = defaultdict(set)
    for source_type, source, target_type, bound in org.bindings:
        if (target_type, bound) != (kind, target):
            continue
        if source_type == "user":
            expected[source].add(((kind, target, "user", source),))
            continue
        for user, group in org.memberships:
            if group == source:
                expected[user].add(
                    ((kind, target, "user_group", group), ("user_group", group, "user", user))
                )
    return dict(expected)


def bound_groups(org: Org, kind: str, target: str) -> Paths:
    return {
        source: {((kind, target, "user_group", source),)}
        for source_type, source, target_type, bound in org.bindings
        if source_type == "user_group" and (target_type, bound) == (kind, target)
    }


async def test_user_traversals_match_memberships_and_bindings(
    client: httpx.AsyncClient, org: Org
) -> None:
    for user in org.users:
        for kind, segment in SEGMENTS.items():
            rows, total = await fetch_all(client, f"/api/v2/users/{user}/{segment}")
            assert total == len(rows)
            assert as_paths(rows, kind) == user_reach(org, user, kind), (user, kind)


async def test_reverse_traversals_match_memberships_and_bindings(
    client: httpx.AsyncClient, org: Org
) -> None:
    collections = {
        "application": org.applications,
        "ldap_server": org.ldap_servers,
        "radius_server": org.radius_servers,
    }
    for kind, records in collections.items():
        for target in records:
            base = f"/api/v2/{SEGMENTS[kind]}/{target}"
            users, _ = await fetch_all(client, f"{base}/users")
            assert as_paths(users, "user") == target_reach(org, kind, target)
            groups, _ = await fetch_all(client, f"{base}/usergroups")
            assert as_paths(groups, "user_group") == bound_groups(org, kind, target)


async def test_group_endpoints_match_memberships_and_bindings(
    client: httpx.AsyncClient, org: Org
) -> None:
    for group in org.groups:
        members = {u for u, g in org.memberships if g == group}
        rows, _ = await fetch_all(client, f"/api/v2/usergroups/{group}/members")
        assert rows == [
            {"attributes": None, "to": {"id": u, "type": "user"}} for u in sorted(members)
        ]
        rows, _ = await fetch_all(client, f"/api/v2/usergroups/{group}/membership")
        assert as_paths(rows, "user") == {u: {(("user_group", group, "user", u),)} for u in members}
        for kind, segment in SEGMENTS.items():
            rows, _ = await fetch_all(client, f"/api/v2/usergroups/{group}/{segment}")
            direct = {
                t
                for s_type, s, k, t in org.bindings
                if (s_type, s, k) == ("user_group", group, kind)
            }
            assert as_paths(rows, kind) == {t: {(("user_group", group, kind, t),)} for t in direct}


async def test_memberof_lists_every_group_of_the_user(client: httpx.AsyncClient, org: Org) -> None:
    for user in org.users:
        rows, _ = await fetch_all(client, f"/api/v2/users/{user}/memberof")
        groups = {g for u, g in org.memberships if u == user}
        assert as_paths(rows, "user_group") == {
            g: {(("user", user, "user_group", g),)} for g in groups
        }


async def test_associations_are_direct_only_in_both_directions(
    client: httpx.AsyncClient, org: Org
) -> None:
    user = next(u for s_type, u, k, _ in org.bindings if s_type == "user" and k in SEGMENTS)
    rows, _ = await fetch_all(
        client, f"/api/v2/users/{user}/associations?targets=application,ldap_server,radius_server"
    )
    expected = sorted(
        (k, t)
        for s_type, s, k, t in org.bindings
        if (s_type, s) == ("user", user) and k in SEGMENTS
    )
    assert [(r["to"]["type"], r["to"]["id"]) for r in rows] == expected
    assert all(set(r) == {"attributes", "to"} for r in rows)

    app = next(iter(org.applications))
    rows, _ = await fetch_all(client, f"/api/v2/applications/{app}/associations?targets=user_group")
    groups = sorted(
        s
        for s_type, s, k, t in org.bindings
        if (s_type, k, t) == ("user_group", "application", app)
    )
    assert [r["to"]["id"] for r in rows] == groups
    assert all(r["to"]["type"] == "user_group" for r in rows)


async def test_graph_filters_take_object_id_and_type(client: httpx.AsyncClient, org: Org) -> None:
    user, group = next((u, g) for u, g in sorted(org.memberships))
    rows, total = await fetch_all(
        client, f"/api/v2/users/{user}/memberof?filter=object_id:eq:{group}"
    )
    assert [r["id"] for r in rows] == [group]
    assert total == 1
    rows, _ = await fetch_all(client, f"/api/v2/users/{user}/memberof?filter=type:eq:user_group")
    assert len(rows) == sum(1 for u, _ in org.memberships if u == user)


async def test_graph_answers_follow_edits_to_the_org(client: httpx.AsyncClient, org: Org) -> None:
    user, app = next(iter(org.users)), next(iter(org.applications))
    org.bindings.add(("user", user, "application", app))
    rows, _ = await fetch_all(client, f"/api/v2/users/{user}/applications")
    assert app in {r["id"] for r in rows}
    org.bindings = {b for b in org.bindings if b[3] != app}
    org.memberships.clear()
    rows, _ = await fetch_all(client, f"/api/v2/users/{user}/applications")
    assert app not in {r["id"] for r in rows}
