"""Every file in schema/operations/ runs against the demo org and matches the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.simulator.store import Org, demo_org
from tests import oracle
from tests.harness import Harness, gateway

OPERATIONS = Path(__file__).resolve().parents[2] / "schema" / "operations"
ORG = demo_org()

Check = Callable[[Org, dict[str, Any], dict[str, Any]], None]


def _ids(connection: dict[str, Any]) -> set[str]:
    return {e["node"]["jumpcloudId"] for e in connection["edges"]}


def _app_with_most_users(org: Org) -> str:
    return max(
        org.applications,
        key=lambda a: sum(1 for u in org.users if a in oracle.effective(org, u, "application")),
    )


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
    }


def test_every_operation_file_has_a_check() -> None:
    assert {p.stem for p in OPERATIONS.glob("*.graphql")} == set(cases(ORG))


@pytest.mark.parametrize("name", sorted(p.stem for p in OPERATIONS.glob("*.graphql")))
async def test_operation_answers_match_the_demo_org(name: str) -> None:
    variables, check = cases(ORG)[name]
    gw: Harness
    async with gateway(ORG) as gw:
        data = await gw.query((OPERATIONS / f"{name}.graphql").read_text(), variables)
    check(ORG, variables, data)
