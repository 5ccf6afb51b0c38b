"""One deadline bounds every call, retry and wait of a piece of work (virtual time)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import stamina

from gateway.jumpcloud import (
    ClientConfig,
    JumpCloudClient,
    Resource,
    UpstreamTimeoutError,
    deadline,
)
from gateway.jumpcloud.deadline import current_deadline
from tests.virtual_time import run

from .fakes import API_KEY, FakeJumpCloud, make_users, status


@pytest.fixture(autouse=True)
def _real_waits() -> Iterator[None]:
    with stamina.set_testing(False):
        yield


def test_the_deadline_bounds_the_retries_of_every_call_together() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(503)] * 1000)

    async def scenario() -> list[float]:
        loop = asyncio.get_running_loop()
        ended: list[float] = []
        async with fake.client(retry_attempts=1000, retry_timeout=1000) as client:
            with deadline(3):
                started = loop.time()
                for _ in range(2):
                    with pytest.raises(UpstreamTimeoutError, match="deadline"):
                        await client.page(Resource.USERS)
                    ended.append(loop.time() - started)
        return ended

    assert run(scenario) == [3, 3]  # the second read had nothing left of the first's budget


def test_a_hung_upstream_costs_one_timeout_and_one_retry_within_the_deadline() -> None:
    attempts = 0

    async def hang(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def scenario() -> tuple[float, int]:
        loop = asyncio.get_running_loop()
        config = ClientConfig(api_key=API_KEY, timeout=10)
        async with JumpCloudClient(config, transport=httpx.MockTransport(hang)) as client:
            with client.deadline():  # twice the timeout by default
                started = loop.time()
                with pytest.raises(UpstreamTimeoutError):
                    await client.page(Resource.USERS)
                return loop.time() - started, client.calls.total

    elapsed, calls = run(scenario)
    assert elapsed == 20
    assert (attempts, calls) == (2, 2)


def test_without_a_deadline_a_timeout_is_still_retried_only_once() -> None:
    attempts = 0

    async def hang(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        config = ClientConfig(api_key=API_KEY, timeout=10, retry_wait_jitter=0)
        async with JumpCloudClient(config, transport=httpx.MockTransport(hang)) as client:
            started = loop.time()
            with pytest.raises(UpstreamTimeoutError, match="retried once"):
                await client.page(Resource.USERS)
            return loop.time() - started

    assert run(scenario) == pytest.approx(20.1)  # two timeouts and one 0.1 s backoff
    assert attempts == 2


def test_a_retry_whose_wait_outlasts_the_deadline_is_not_waited_for() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.append(status(503, {"retry-after": "30"}))

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        async with fake.client() as client:
            with deadline(10):
                started = loop.time()
                with pytest.raises(Exception, match="answered 503"):
                    await client.page(Resource.USERS)
                return loop.time() - started

    assert run(scenario) == 0
    assert len(fake.requests) == 1


def test_nested_scopes_keep_the_earlier_deadline_and_tasks_inherit_it() -> None:
    async def scenario() -> None:
        now = asyncio.get_running_loop().time()
        assert current_deadline() is None
        with deadline(5):
            with deadline(50):
                assert current_deadline() == now + 5

            async def seen() -> float | None:
                return current_deadline()

            assert await asyncio.create_task(seen()) == now + 5
            with deadline(None):
                assert current_deadline() == now + 5
        assert current_deadline() is None

    run(scenario)


def test_the_default_deadline_is_twice_the_timeout() -> None:
    assert ClientConfig(api_key=API_KEY, timeout=7).deadline_seconds == 14
    assert ClientConfig(api_key=API_KEY, request_deadline=3).deadline_seconds == 3
    with pytest.raises(ValueError, match="request_deadline"):
        ClientConfig(api_key=API_KEY, request_deadline=0)
