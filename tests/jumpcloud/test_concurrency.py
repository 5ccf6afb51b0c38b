"""In-flight upstream requests never exceed max_concurrency, retries and backoff included."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import stamina

from gateway.jumpcloud import Resource

from .fakes import FakeJumpCloud, make_users, status


async def test_paging_stays_within_max_concurrency() -> None:
    fake = FakeJumpCloud(users=make_users(1000), yields=5)
    async with fake.client(max_concurrency=3) as client:
        users = await client.list_all(Resource.USERS)
    assert len(users) == 1000
    assert fake.max_in_flight == 3  # bounded, and the bound is actually used


async def test_retries_stay_within_max_concurrency() -> None:
    fake = FakeJumpCloud(users=make_users(1000), yields=5)
    first_attempts: set[str] = set()

    def flaky(request: httpx.Request) -> httpx.Response:
        skip = request.url.params["skip"]
        if skip not in first_attempts:  # every page fails once with a 503
            first_attempts.add(skip)
            return status(503)(request)
        return FakeJumpCloud.answer(fake, request)

    fake.answer = flaky  # type: ignore[method-assign]
    async with fake.client(max_concurrency=4) as client:
        users = await client.list_all(Resource.USERS)
    assert [u["_id"] for u in users] == [u["_id"] for u in fake.users]
    assert client.calls.total == 20
    assert fake.max_in_flight == 4


@pytest.fixture
def backoff_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.Event]:
    """Backoff sleeps (delay > 0) block until the test opens the gate."""
    gate = asyncio.Event()
    real_sleep = asyncio.sleep

    async def gated_sleep(delay: float) -> None:
        if delay > 0:
            await gate.wait()
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", gated_sleep)
    with stamina.set_testing(False):
        yield gate


async def test_the_semaphore_is_not_held_while_backing_off(backoff_gate: asyncio.Event) -> None:
    fake = FakeJumpCloud(users=make_users(1))
    limited = asyncio.Event()

    # A 503 with Retry-After backs off this read only (a 429 would pause the whole client).
    def unavailable(request: httpx.Request) -> httpx.Response:
        limited.set()
        return status(503, {"retry-after": "5"})(request)

    fake.failures.append(unavailable)
    async with fake.client(max_concurrency=1) as client:
        backing_off = asyncio.ensure_future(client.get(Resource.USERS, "0" * 24))
        await limited.wait()  # its first attempt got the 503; it now backs off
        # With one slot, this read can only finish if the backing-off read released it.
        other = await asyncio.wait_for(client.page(Resource.USERS), timeout=5)
        backoff_gate.set()
        user = await backing_off
    assert other.total == 1
    assert user["username"] == "user0"
    assert [r.url.path for r in fake.requests] == [
        "/api/systemusers/" + "0" * 24,
        "/api/systemusers",
        "/api/systemusers/" + "0" * 24,
    ]
