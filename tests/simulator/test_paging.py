"""limit/skip paging: totals and complete, gap-free walks at every size boundary."""

from __future__ import annotations

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests.simulator.fixtures import API_KEY, client_for, fetch_all

SIZES = [0, 1, 100, 101, 250]


def _org(users: int = 0, groups: int = 0, systems: int = 0, system_groups: int = 0) -> Org:
    sizes = OrgSizes(
        users=users,
        groups=groups,
        applications=0,
        admins=0,
        systems=systems,
        system_groups=system_groups,
    )
    return generate_org(sizes, seed=5)


def _client(org: Org) -> httpx.AsyncClient:
    return client_for(create_simulator_app(Store.single(org, API_KEY)))


@pytest.mark.parametrize("size", SIZES)
async def test_v1_systemusers_pages_cover_every_user_once(size: int) -> None:
    org = _org(users=size)
    seen: list[str] = []
    async with _client(org) as client:
        while True:
            response = await client.get(
                "/api/systemusers", params={"limit": 100, "skip": len(seen), "sort": "_id"}
            )
            body = response.json()
            assert body["totalCount"] == size
            seen.extend(user["_id"] for user in body["results"])
            if len(body["results"]) < 100:
                break
    assert seen == list(org.users)


@pytest.mark.parametrize("size", SIZES)
async def test_v2_usergroups_pages_cover_every_group_once(size: int) -> None:
    org = _org(groups=size)
    async with _client(org) as client:
        rows, total = await fetch_all(client, "/api/v2/usergroups?sort=id")
    assert total == size
    assert [row["id"] for row in rows] == list(org.groups)


@pytest.mark.parametrize("size", SIZES)
async def test_group_members_pages_cover_every_member_once(size: int) -> None:
    org = _org(users=size, groups=1)
    group_id = next(iter(org.groups))
    org.memberships = {(user_id, group_id) for user_id in org.users}
    async with _client(org) as client:
        rows, total = await fetch_all(client, f"/api/v2/usergroups/{group_id}/members")
    assert total == size
    assert [row["to"]["id"] for row in rows] == sorted(org.users)


@pytest.mark.parametrize("size", SIZES)
async def test_v1_systems_pages_cover_every_system_once(size: int) -> None:
    org = _org(systems=size)
    seen: list[str] = []
    async with _client(org) as client:
        while True:
            response = await client.get(
                "/api/systems", params={"limit": 100, "skip": len(seen), "sort": "_id"}
            )
            body = response.json()
            assert body["totalCount"] == size
            seen.extend(system["_id"] for system in body["results"])
            if len(body["results"]) < 100:
                break
    assert seen == list(org.systems)


@pytest.mark.parametrize("size", SIZES)
async def test_v2_system_groups_and_their_members_page_completely(size: int) -> None:
    org = _org(systems=size, system_groups=size)
    group_id = next(iter(org.system_groups), "")
    org.system_memberships = {(system_id, group_id) for system_id in org.systems}
    async with _client(org) as client:
        rows, total = await fetch_all(client, "/api/v2/systemgroups?sort=id")
        assert (total, [row["id"] for row in rows]) == (size, list(org.system_groups))
        if size:
            rows, total = await fetch_all(client, f"/api/v2/systemgroups/{group_id}/members")
            assert total == size
            assert [row["to"]["id"] for row in rows] == sorted(org.systems)


async def test_limit_defaults_to_ten_and_skip_past_the_end_is_empty() -> None:
    async with _client(_org(users=25)) as client:
        first = (await client.get("/api/systemusers")).json()
        zero = (await client.get("/api/systemusers?limit=0")).json()
        beyond = (await client.get("/api/systemusers?skip=500")).json()
        v2 = await client.get("/api/v2/usergroups")
    assert len(first["results"]) == 10
    assert len(zero["results"]) == 10
    assert beyond == {"results": [], "totalCount": 25}
    assert v2.headers["x-total-count"] == "0"


async def test_search_post_takes_limit_and_skip_from_the_body_or_the_query() -> None:
    org = _org(users=30)
    async with _client(org) as client:
        from_body = await client.post("/api/search/systemusers", json={"limit": 5, "skip": 10})
        from_query = await client.post("/api/search/systemusers?limit=5&skip=10", json={})
    assert from_body.json() == from_query.json()
    assert [u["_id"] for u in from_body.json()["results"]] == list(org.users)[10:15]
    assert from_body.json()["totalCount"] == 30
