"""Query root behaviour: lookups, filters pushed down, ordering, node refetch, paging."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import gateway


@pytest.fixture(scope="module")
def org() -> Org:
    return generate_org(OrgSizes(users=120, groups=8, applications=6), seed=21)


async def test_user_by_email_username_and_id_agree(org: Org) -> None:
    user = list(org.users.values())[17]
    query = """query($id: ID!, $email: String!, $username: String!) {
      a: user(jumpcloudId: $id) { jumpcloudId } b: user(email: $email) { jumpcloudId }
      c: user(username: $username) { jumpcloudId } missing: user(email: "nobody@x.invalid") { id } }"""
    async with gateway(org) as gw:
        data = await gw.query(
            query, {"id": user["_id"], "email": user["email"], "username": user["username"]}
        )
    assert data["a"] == data["b"] == data["c"] == {"jumpcloudId": user["_id"]}
    assert data["missing"] is None


async def test_user_filters_are_pushed_down_to_jumpcloud(org: Org) -> None:
    suspended = sorted(u["_id"] for u in org.users.values() if u["state"] == "SUSPENDED")
    query = """{ users(filter: {state: SUSPENDED}) { totalCount edges { node { jumpcloudId state } } } }"""
    async with gateway(org) as gw:
        data = await gw.query(query)
    assert data["users"]["totalCount"] == len(suspended)
    assert [e["node"]["jumpcloudId"] for e in data["users"]["edges"]] == suspended
    (request,) = [e for e in gw.log.entries if e.operation == "systemusers_list"]
    params = parse_qs(request.query)
    assert params["filter"] == ["state:$eq:SUSPENDED"]
    assert params["limit"] == ["100"]


async def test_users_order_by_lastname_descending(org: Org) -> None:
    query = """{ users(first: 100, orderBy: {field: LASTNAME, direction: DESC}) {
      edges { node { lastname jumpcloudId } } } }"""
    async with gateway(org) as gw:
        data = await gw.query(query)
    got = [(e["node"]["lastname"], e["node"]["jumpcloudId"]) for e in data["users"]["edges"]]
    want = sorted(((u["lastname"], u["_id"]) for u in org.users.values()), key=lambda t: t[1])
    want.sort(key=lambda t: t[0], reverse=True)
    assert [g[0] for g in got] == [w[0] for w in want[:100]]


async def test_node_refetches_every_entity_type(org: Org) -> None:
    query = """{ users(first: 1) { edges { node { id } } } groups(first: 1) { edges { node { id } } }
      applications(first: 1) { edges { node { id } } } admins(first: 1) { edges { node { id } } }
      roles(first: 1) { edges { node { id } } } ldapServers(first: 1) { edges { node { id } } }
      radiusServers(first: 1) { edges { node { id } } } }"""
    async with gateway(org) as gw:
        data = await gw.query(query)
        ids = [conn["edges"][0]["node"]["id"] for conn in data.values()]
        for global_id in ids:
            got = await gw.query(
                "query($id: ID!) { node(id: $id) { id __typename } }", {"id": global_id}
            )
            assert got["node"]["id"] == global_id


async def test_group_and_application_filters_apply_in_the_gateway(org: Org) -> None:
    group = list(org.groups.values())[2]
    app = list(org.applications.values())[1]
    query = """query($g: String!, $a: String!) {
      groups(filter: {name: $g}) { totalCount edges { node { jumpcloudId } } }
      applications(filter: {nameContains: $a}) { edges { node { jumpcloudId } } } }"""
    async with gateway(org) as gw:
        data = await gw.query(query, {"g": group["name"], "a": app["name"].upper()})
    assert data["groups"]["edges"] == [{"node": {"jumpcloudId": group["id"]}}]
    assert {"node": {"jumpcloudId": app["_id"]}} in data["applications"]["edges"]


async def test_paging_users_walks_every_record_once(org: Org) -> None:
    seen: list[str] = []
    after = None
    async with gateway(org) as gw:
        while True:
            data = await gw.query(
                "query($after: String) { users(first: 33, after: $after) { totalCount "
                "pageInfo { hasNextPage endCursor } edges { node { jumpcloudId } } } }",
                {"after": after},
            )
            seen += [e["node"]["jumpcloudId"] for e in data["users"]["edges"]]
            if not data["users"]["pageInfo"]["hasNextPage"]:
                break
            after = data["users"]["pageInfo"]["endCursor"]
    assert seen == sorted(org.users)


async def test_a_document_is_validated_once_whichever_path_runs_it(org: Org) -> None:
    from strawberry.extensions.validation_cache import DEFAULT_MAXSIZE, _get_validate_cache

    validate = _get_validate_cache(DEFAULT_MAXSIZE)
    query = "{ groups { totalCount } } # validation-cache probe"
    # Without the response cache, which would answer the repeats without validating at all.
    async with gateway(org, response_cache=False) as gw:
        misses = validate.cache_info().misses
        for _ in range(5):  # POSTed JSON: the lean path, which prepares a document once
            await gw.query(query)
        for _ in range(3):  # GET: Strawberry's pipeline, through the same validation cache
            response = await gw.http.get("/graphql", params={"query": query})
            assert response.json() == {"data": {"groups": {"totalCount": len(org.groups)}}}
    # The rules are one tuple built once (not per request), so both paths share the entry.
    assert validate.cache_info().misses - misses == 1
