"""Users by id cost one upstream call per 100 ids."""

from __future__ import annotations

import httpx
import pytest

from gateway.jumpcloud import InvalidQueryError, UpstreamInconsistentError

from .fakes import FakeJumpCloud, make_users, object_id


async def test_250_ids_cost_three_calls() -> None:
    fake = FakeJumpCloud(users=make_users(300))
    ids = [object_id(i) for i in range(250)]
    async with fake.client() as client:
        users = await client.users_by_ids(ids)
    assert [u["_id"] for u in users] == ids
    assert client.calls.total == 3
    sizes = sorted(len(r.url.params["filter"].split(":", 2)[2].split("|")) for r in fake.requests)
    assert sizes == [50, 100, 100]
    assert sorted(r.url.params["limit"] for r in fake.requests) == ["100", "100", "50"]
    assert fake.requests[0].url.params["filter"].startswith("_id:$in:")


async def test_missing_ids_are_simply_absent_and_order_follows_the_question() -> None:
    fake = FakeJumpCloud(users=make_users(5))
    ids = [object_id(3), "f" * 24, object_id(1), object_id(3)]
    async with fake.client() as client:
        users = await client.users_by_ids(ids)
    assert [u["_id"] for u in users] == [object_id(3), object_id(1)]
    assert client.calls.total == 1


async def test_no_ids_cost_no_call() -> None:
    fake = FakeJumpCloud()
    async with fake.client() as client:
        assert await client.users_by_ids([]) == []
    assert client.calls.total == 0


async def test_ids_that_could_change_the_filter_are_refused_before_any_call() -> None:
    fake = FakeJumpCloud()
    async with fake.client() as client:
        with pytest.raises(InvalidQueryError):
            await client.users_by_ids(["a|b"])
        with pytest.raises(InvalidQueryError):
            await client.users_by_ids([""])
    assert fake.requests == []


async def test_batch_size_is_configurable() -> None:
    fake = FakeJumpCloud(users=make_users(10))
    async with fake.client(user_id_batch=4) as client:
        users = await client.users_by_ids([object_id(i) for i in range(10)])
    assert len(users) == 10
    assert client.calls.total == 3


async def test_an_upstream_ignoring_the_filter_is_detected() -> None:
    fake = FakeJumpCloud(users=make_users(500))
    ignoring = httpx.Response(200, json={"results": fake.users[:2], "totalCount": 500})
    fake.answer = lambda request: ignoring  # type: ignore[method-assign]
    async with fake.client() as client:
        with pytest.raises(UpstreamInconsistentError):
            await client.users_by_ids([object_id(0), object_id(1)])
