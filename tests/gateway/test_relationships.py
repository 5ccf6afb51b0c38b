"""Relationships in both directions equal the simulator's store, on a 300-user org."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import Harness, gateway


@pytest.fixture(scope="module")
def org() -> Org:
    return generate_org(OrgSizes(users=320, groups=30, applications=20), seed=11)


async def all_pages(gw: Harness, query: str, path: list[str], **variables: Any) -> list[Any]:
    """Every node of a connection, walking `after` cursors."""
    nodes: list[Any] = []
    after = None
    while True:
        data = await gw.query(query, {**variables, "after": after})
        for key in path:
            data = data[key]
        nodes += [e["node"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            assert data["totalCount"] == len(nodes)
            return nodes
        after = data["pageInfo"]["endCursor"]


USERS = """query($after: String) { users(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId email groups(first: 100) { totalCount edges { node { jumpcloudId } } } } }
} }"""

GROUPS = """query($after: String) { groups(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId name
    members(first: 100) { totalCount pageInfo { hasNextPage } edges { node { jumpcloudId } } }
    applications(first: 100) { totalCount edges { node { jumpcloudId } } } } }
} }"""

APPS = """query($after: String) { applications(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { jumpcloudId groups(first: 100) { edges { node { jumpcloudId } } } } }
} }"""


async def test_every_users_groups_equal_the_store(org: Org) -> None:
    async with gateway(org) as gw:
        users = await all_pages(gw, USERS, ["users"])
    assert [u["jumpcloudId"] for u in users] == sorted(org.users)
    for user in users:
        want = {g for u, g in org.memberships if u == user["jumpcloudId"]}
        got = {e["node"]["jumpcloudId"] for e in user["groups"]["edges"]}
        assert got == want, user["email"]
        assert user["groups"]["totalCount"] == len(want)


async def test_every_groups_members_and_applications_equal_the_store(org: Org) -> None:
    async with gateway(org) as gw:
        groups = await all_pages(gw, GROUPS, ["groups"])
    assert {g["jumpcloudId"] for g in groups} == set(org.groups)
    for group in groups:
        gid = group["jumpcloudId"]
        members = {u for u, g in org.memberships if g == gid}
        assert group["members"]["totalCount"] == len(members)
        if not group["members"]["pageInfo"]["hasNextPage"]:
            assert {e["node"]["jumpcloudId"] for e in group["members"]["edges"]} == members
        apps = {
            t
            for s, i, tt, t in org.bindings
            if s == "user_group" and i == gid and tt == "application"
        }
        assert {e["node"]["jumpcloudId"] for e in group["applications"]["edges"]} == apps


async def test_every_applications_groups_equal_the_store(org: Org) -> None:
    async with gateway(org) as gw:
        apps = await all_pages(gw, APPS, ["applications"])
    assert {a["jumpcloudId"] for a in apps} == set(org.applications)
    for app in apps:
        want = {
            i
            for s, i, tt, t in org.bindings
            if s == "user_group" and tt == "application" and t == app["jumpcloudId"]
        }
        assert {e["node"]["jumpcloudId"] for e in app["groups"]["edges"]} == want


async def test_big_group_members_page_through_cursors(org: Org) -> None:
    biggest = max(org.groups, key=lambda g: sum(1 for _, x in org.memberships if x == g))
    query = """query($id: ID!, $after: String) { group(jumpcloudId: $id) {
      members(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { jumpcloudId } } } } }"""
    async with gateway(org) as gw:
        members = await all_pages(gw, query, ["group", "members"], id=biggest)
    ids = [m["jumpcloudId"] for m in members]
    assert len(ids) == len(set(ids))
    assert set(ids) == {u for u, g in org.memberships if g == biggest}
