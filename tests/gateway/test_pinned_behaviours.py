"""Behaviours that once went wrong, each pinned by the scenario that showed it."""

from __future__ import annotations

import pytest

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests import oracle
from tests.harness import gateway


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)


async def test_a_bad_id_or_email_fails_alone_in_its_batch(org: Org) -> None:
    good = next(iter(org.users.values()))
    query = """query($id: ID!, $email: String!) {
      a: user(jumpcloudId: $id) { email } b: user(jumpcloudId: "not an id!") { email }
      c: user(email: $email) { jumpcloudId } d: user(email: "back\\\\slash@example.com") { jumpcloudId }
    }"""
    async with gateway(org) as gw:
        response = await gw.post(query, {"id": good["_id"], "email": good["email"]})
    payload = response.json()
    assert "errors" not in payload, payload
    assert payload["data"] == {
        "a": {"email": good["email"]},
        "b": None,
        "c": {"jumpcloudId": good["_id"]},
        "d": None,
    }


@pytest.mark.parametrize("plan", ["auto", "per-key", "index"])
async def test_access_for_an_unknown_user_is_not_found_under_every_plan(
    org: Org, plan: str
) -> None:
    app = next(iter(org.applications))
    query = f'{{ access(user: "0123456789abcdef01234567", application: "{app}") {{ granted }} }}'
    async with gateway(org, access_plan=plan) as gw:
        await gw.post("{ users(first: 100) { edges { node { applications { totalCount } } } } }")
        payload = (await gw.post(query)).json()
    assert payload["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_cursors_keep_their_positions_when_a_listed_user_has_gone(org: Org) -> None:
    group = max(org.groups, key=lambda g: len(oracle.members_of(org, g)))
    members = sorted(oracle.members_of(org, group))
    query = """query($g: ID!, $after: String) { group(jumpcloudId: $g) {
      members(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { jumpcloudId } } } } }"""
    async with gateway(org) as gw:
        await gw.query(query, {"g": group})  # the member list is cached now
        del org.users[members[4]]  # deleted upstream since
        seen: list[str] = []
        after = None
        while True:
            conn = (await gw.query(query, {"g": group, "after": after}))["group"]["members"]
            seen += [e["node"]["jumpcloudId"] for e in conn["edges"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
    assert seen == [m for m in members if m != members[4]]


async def test_pages_larger_than_jumpclouds_limit_are_read_as_several(org: Org) -> None:
    async with gateway(org, max_page_size=250) as gw:
        data = await gw.query("{ users(first: 250) { totalCount edges { node { jumpcloudId } } } }")
        calls = gw.log.count(operation="systemusers_list")
    assert [e["node"]["jumpcloudId"] for e in data["users"]["edges"]] == sorted(org.users)[:250]
    assert data["users"]["totalCount"] == len(org.users)
    assert calls == 3


async def test_answers_from_the_index_are_no_fresher_than_its_pieces(org: Org) -> None:
    user = next(u for u in sorted(org.users) if oracle.groups_of(org, u))
    group = sorted(oracle.groups_of(org, user))[0]
    users_groups = """{ users(first: 100) { edges { node { jumpcloudId
      groups { edges { node { jumpcloudId } } } } } } }"""
    members = f'{{ group(jumpcloudId: "{group}") {{ members(first: 100) {{ edges {{ node {{ jumpcloudId }} }} }} }} }}'
    async with gateway(org, cache_ttl=300) as gw:
        await gw.query(members)  # t=0: the group's members are cached
        gw.clock.advance(290)
        await gw.query(users_groups)  # t=290: users' groups come from the (old) pieces
        org.memberships.discard((user, group))  # changed upstream
        gw.clock.advance(110)  # t=400: the pieces have expired
        by_user = {
            e["node"]["jumpcloudId"]: {
                g["node"]["jumpcloudId"] for g in e["node"]["groups"]["edges"]
            }
            for e in (await gw.query(users_groups))["users"]["edges"]
        }
        listed = {
            e["node"]["jumpcloudId"] for e in (await gw.query(members))["group"]["members"]["edges"]
        }
    assert group not in by_user[user]
    assert user not in listed
