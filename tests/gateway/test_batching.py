"""The data plan's contract: upstream calls per query, from the simulator's request log."""

from __future__ import annotations

from gateway.simulator.store import OrgSizes, generate_org, shaped_org
from tests.harness import gateway

USERS_GROUPS_APPS = """
{ users(first: 50) { edges { node { email groups(first: 20) { edges { node { name
    applications(first: 20) { edges { node { name displayLabel } } } } } } } } } }
"""


async def test_fifty_users_groups_applications_cold_at_most_23_calls_warm_none() -> None:
    async with gateway(shaped_org()) as gw:
        cold = await gw.calls(USERS_GROUPS_APPS)
        warm = await gw.calls(USERS_GROUPS_APPS)
    assert cold <= 23, gw.log.counts()
    assert warm == 0


async def test_fifty_users_answer_is_complete() -> None:
    org = shaped_org()
    async with gateway(org) as gw:
        data = await gw.query(USERS_GROUPS_APPS)
    edges = data["users"]["edges"]
    assert len(edges) == 50
    group_names = {g["id"]: g["name"] for g in org.groups.values()}
    apps_of_group: dict[str, set[str]] = {}
    for source_type, gid, target_type, aid in org.bindings:
        if source_type == "user_group" and target_type == "application":
            apps_of_group.setdefault(group_names[gid], set()).add(org.applications[aid]["name"])
    for edge in edges:
        groups = edge["node"]["groups"]["edges"]
        assert len(groups) == 3
        for g in groups:
            got = {a["node"]["name"] for a in g["node"]["applications"]["edges"]}
            assert got == apps_of_group.get(g["node"]["name"], set())


async def test_fifty_aliased_user_lookups_cost_one_call() -> None:
    org = shaped_org()
    ids = list(org.users)
    query = (
        "{ "
        + " ".join(f'u{i}: user(jumpcloudId: "{uid}") {{ email }}' for i, uid in enumerate(ids))
        + " }"
    )
    async with gateway(org) as gw:
        calls = await gw.calls(query)
        data = await gw.query(query)
    assert calls == 1, gw.log.counts()
    assert [data[f"u{i}"]["email"] for i in range(50)] == [org.users[u]["email"] for u in ids]


async def test_a_few_users_read_their_groups_per_user() -> None:
    org = shaped_org()
    uid = next(iter(org.users))
    async with gateway(org) as gw:
        await gw.query(f'{{ user(jumpcloudId: "{uid}") {{ groups {{ totalCount }} }} }}')
    assert gw.log.count(operation="graph_userMemberOf") == 1
    assert gw.log.count(operation="graph_userGroupMembersList") == 0


async def test_a_bad_id_or_email_fails_alone_in_its_batch() -> None:
    org = generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)
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
