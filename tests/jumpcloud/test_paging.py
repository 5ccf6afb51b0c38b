"""Listing reads every record exactly once, with ceil(total / 100) upstream calls."""

from __future__ import annotations

import math

import httpx
import pytest

from gateway.jumpcloud import Resource, SortKey, UpstreamInconsistentError

from .fakes import FakeJumpCloud, make_users

TOTALS = [0, 1, 100, 101, 250, 1000]


@pytest.mark.parametrize("total", TOTALS)
async def test_list_all_v1_reads_every_user_once(total: int) -> None:
    fake = FakeJumpCloud(users=make_users(total))
    async with fake.client() as client:
        users = await client.list_all(Resource.USERS)
    assert [u["_id"] for u in users] == [u["_id"] for u in fake.users]
    assert client.calls.total == max(1, math.ceil(total / 100))
    skips = sorted(int(r.url.params["skip"]) for r in fake.requests)
    assert skips == list(range(0, max(total, 1), 100))
    assert {r.url.params["limit"] for r in fake.requests} == {"100"}
    assert {r.url.params["sort"] for r in fake.requests} == {"_id"}


@pytest.mark.parametrize("total", TOTALS)
async def test_list_all_v2_reads_the_total_from_x_total_count(total: int) -> None:
    fake = FakeJumpCloud(groups=[{"id": f"{i:024x}", "name": f"g{i}"} for i in range(total)])
    async with fake.client() as client:
        groups = await client.list_all(Resource.GROUPS)
    assert groups == fake.groups
    assert client.calls.total == max(1, math.ceil(total / 100))
    # v2 objects name their id `id` (v1 ones `_id`): the default id sort is sent as `id`.
    assert {r.url.params["sort"] for r in fake.requests} == {"id"}


async def test_descending_id_sort_maps_onto_the_resource_id_field() -> None:
    fake = FakeJumpCloud(users=make_users(3))
    async with fake.client() as client:
        users = await client.list_all(Resource.USERS, sort=[SortKey("id", descending=True)])
    assert [u["username"] for u in users] == ["user2", "user1", "user0"]
    assert fake.requests[0].url.params["sort"] == "-_id"


async def test_page_sends_limit_and_skip_explicitly() -> None:
    fake = FakeJumpCloud(users=make_users(30))
    async with fake.client() as client:
        page = await client.page(Resource.USERS, skip=20, limit=5)
    assert [u["username"] for u in page.records] == [f"user{i}" for i in range(20, 25)]
    assert (page.total, page.total_exact) == (30, True)
    assert fake.requests[0].url.params["limit"] == "5"
    assert "sort" not in fake.requests[0].url.params


async def test_a_short_read_raises_instead_of_truncating() -> None:
    fake = FakeJumpCloud(users=make_users(250))

    def lying(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        page = fake.users[skip : skip + 100]
        if skip == 100:
            page = page[:-1]  # a record vanished between pages
        return httpx.Response(200, json={"results": page, "totalCount": 250})

    fake.answer = lying  # type: ignore[method-assign]
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError, match="read 249 records of 250"):
            await client.list_all(Resource.USERS)


async def test_a_moving_total_raises() -> None:
    fake = FakeJumpCloud(users=make_users(150))

    def growing(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        total = 150 if skip == 0 else 151
        page = fake.users[skip : skip + 100]
        return httpx.Response(200, json={"results": page, "totalCount": total})

    fake.answer = growing  # type: ignore[method-assign]
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError, match="moved from 150 to 151"):
            await client.list_all(Resource.USERS)


async def test_a_repeated_record_raises() -> None:
    fake = FakeJumpCloud(users=make_users(200))

    def shifted(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        start = skip - 1 if skip else 0  # second page repeats the first page's last record
        page = fake.users[start : start + 100]
        return httpx.Response(200, json={"results": page, "totalCount": 200})

    fake.answer = shifted  # type: ignore[method-assign]
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError, match="returned twice"):
            await client.list_all(Resource.USERS)


async def test_v2_list_without_a_count_pages_until_a_short_page() -> None:
    groups = [{"id": f"{i:024x}"} for i in range(230)]

    def no_header(request: httpx.Request) -> httpx.Response:
        skip, limit = int(request.url.params["skip"]), int(request.url.params["limit"])
        return httpx.Response(200, json=groups[skip : skip + limit])

    fake = FakeJumpCloud()
    fake.answer = no_header  # type: ignore[method-assign]
    async with fake.client() as client:
        assert await client.list_all(Resource.GROUPS) == groups
        page = await client.page(Resource.GROUPS, skip=200)
    assert client.calls.total == 3 + 1
    assert (page.total, page.total_exact) == (230, False)


async def test_an_upstream_ignoring_skip_cannot_loop_forever() -> None:
    groups = [{"id": f"{i:024x}"} for i in range(100)]
    fake = FakeJumpCloud()
    fake.answer = lambda request: httpx.Response(200, json=groups)  # type: ignore[method-assign]
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError):
            await client.list_all(Resource.GROUPS)
    assert client.calls.total == 2


async def test_roles_read_the_total_from_the_body() -> None:
    roles = [{"id": f"{i:024x}", "name": f"r{i}"} for i in range(120)]

    def roles_list(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        return httpx.Response(200, json={"totalCount": 120, "results": roles[skip : skip + 100]})

    fake = FakeJumpCloud()
    fake.answer = roles_list  # type: ignore[method-assign]
    async with fake.client() as client:
        assert await client.list_all(Resource.ROLES) == roles
    assert fake.requests[0].url.path == "/api/v2/roles"
    assert client.calls.total == 2
