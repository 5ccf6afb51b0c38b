"""Transient failures are retried (honouring Retry-After); the rest fail fast and typed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
import stamina
from stamina.instrumentation import RetryDetails, set_on_retry_hooks

from gateway.jumpcloud import (
    AuthenticationError,
    BadRequestError,
    JumpCloudError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    Resource,
    UpstreamMisconfiguredError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from tests.virtual_time import run

from .fakes import FakeJumpCloud, make_users, status

Sleep = Callable[[float], Awaitable[None]]


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Real backoff computation in virtual time (tests.virtual_time): records every wait."""
    recorded: list[float] = []
    real_sleep: Sleep = asyncio.sleep

    async def recording_sleep(delay: float) -> None:
        recorded.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    with stamina.set_testing(False):
        yield recorded


@pytest.fixture
def scheduled() -> Iterator[list[RetryDetails]]:
    recorded: list[RetryDetails] = []

    def record(details: RetryDetails) -> None:
        recorded.append(details)

    set_on_retry_hooks([record])
    yield recorded
    set_on_retry_hooks(None)


def test_429_with_retry_after_2_waits_two_seconds(
    waits: list[float], scheduled: list[RetryDetails]
) -> None:
    fake = FakeJumpCloud(users=make_users(3))
    fake.failures.append(status(429, {"retry-after": "2"}))

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with fake.client() as client:
            users = await client.list_all(Resource.USERS)
        assert len(users) == 3
        assert client.calls.counts()[("GET /api/systemusers", 429)] == 1
        return loop.time() - started

    # The retry's own wait and the client-wide pause end together: two seconds, not four.
    assert run(scenario) == 2.0
    assert [d.wait_for for d in scheduled] == [2.0]
    assert waits == [2.0]


def test_http_date_retry_after_is_honoured_and_capped(
    waits: list[float], scheduled: list[RetryDetails]
) -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.append(status(503, {"retry-after": "Fri, 31 Dec 2100 23:59:59 GMT"}))

    async def scenario() -> None:
        async with fake.client(retry_after_cap=7.5) as client:
            await client.list_all(Resource.USERS)

    run(scenario)
    assert [d.wait_for for d in scheduled] == [7.5]
    assert waits == [7.5]


def test_without_retry_after_backoff_is_exponential_within_bounds(
    waits: list[float],
) -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(503), status(503)])

    async def scenario() -> None:
        async with fake.client(retry_wait_initial=0.1, retry_wait_jitter=0.5) as client:
            await client.list_all(Resource.USERS)

    run(scenario)
    assert len(waits) == 2
    assert 0.1 <= waits[0] <= 0.6
    assert 0.2 <= waits[1] <= 0.7


async def test_a_5xx_burst_recovers_with_the_right_data() -> None:
    fake = FakeJumpCloud(users=make_users(250))
    fake.failures.extend([status(503), status(502), status(504)])
    async with fake.client() as client:
        users = await client.list_all(Resource.USERS)
    assert [u["_id"] for u in users] == [u["_id"] for u in fake.users]
    assert client.calls.total == 3 + 3


async def test_a_permanent_5xx_surfaces_after_every_attempt() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([status(503)] * 10)
    async with fake.client(retry_attempts=4) as client:
        with pytest.raises(UpstreamUnavailableError) as info:
            await client.get(Resource.USERS, "0" * 24)
    assert client.calls.total == 4
    assert info.value.status == 503
    assert info.value.endpoint == "GET /api/systemusers/{id}"
    assert "try again later" in str(info.value)


async def test_a_persistent_429_surfaces_as_rate_limited_with_its_hint() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([status(429, {"retry-after": "3"})] * 10)
    async with fake.client() as client:
        with pytest.raises(RateLimitedError) as info:
            await client.page(Resource.USERS)
    assert client.calls.total == 5
    assert info.value.retry_after == 3.0


async def test_a_timeout_is_retried_once_then_surfaces_as_upstream_timeout() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([httpx.ReadTimeout("slow")] * 10)
    async with fake.client(retry_attempts=5) as client:
        with pytest.raises(UpstreamTimeoutError) as info:
            await client.page(Resource.USERS)
    assert isinstance(info.value, UpstreamUnavailableError)
    assert info.value.status is None
    assert "retried once" in str(info.value)
    assert client.calls.counts() == {("GET /api/systemusers", 0): 2}


async def test_a_timeout_then_a_5xx_still_gets_the_other_retries() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([httpx.ReadTimeout("slow"), status(503), status(503)])
    async with fake.client(retry_attempts=5) as client:
        assert len((await client.page(Resource.USERS)).records) == 1
    assert client.calls.total == 4


async def test_a_connection_error_recovers() -> None:
    fake = FakeJumpCloud(users=make_users(2))
    fake.failures.append(httpx.ConnectError("refused"))
    async with fake.client() as client:
        assert len(await client.list_all(Resource.USERS)) == 2
    assert client.calls.total == 2


async def test_a_post_that_is_not_a_search_is_never_retried() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([status(503)] * 5)
    async with fake.client() as client:
        with pytest.raises(UpstreamUnavailableError):
            await client._upstream.request("POST", "/api/systemusers", "POST /api/systemusers")
    assert client.calls.total == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, UpstreamMisconfiguredError),  # a list, which always exists: misconfigured
        (500, UpstreamUnavailableError),
        (409, JumpCloudError),
    ],
)
async def test_client_errors_are_typed_and_never_retried(
    code: int, error: type[JumpCloudError]
) -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([status(code, body={"message": "nope"})] * 5)
    async with fake.client() as client:
        with pytest.raises(error) as info:
            await client.page(Resource.USERS)
    assert type(info.value) is error
    assert info.value.status == code
    assert 'JumpCloud said: "nope"' in str(info.value)
    assert client.calls.total == 1


async def test_get_of_a_missing_user_is_not_found() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    async with fake.client() as client:
        assert (await client.get(Resource.USERS, "0" * 24))["username"] == "user0"
        with pytest.raises(NotFoundError):
            await client.get(Resource.USERS, "f" * 24)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json={"unexpected": True}),
        httpx.Response(200, json={"results": [1, 2], "totalCount": 2}),
        httpx.Response(200, json={"results": [], "totalCount": "many"}),
    ],
)
async def test_unreadable_bodies_are_upstream_unavailable(response: httpx.Response) -> None:
    fake = FakeJumpCloud()
    fake.failures.append(lambda request: response)
    async with fake.client() as client:
        with pytest.raises(UpstreamUnavailableError):
            await client.page(Resource.USERS)
    assert client.calls.total == 1


async def test_in_a_single_attempt_scope_a_failure_is_not_retried() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([status(503)] * 5)
    async with fake.client() as client:
        with client.single_attempt(), pytest.raises(UpstreamUnavailableError):
            await client.page(Resource.USERS)
        assert client.calls.total == 1
        fake.failures.clear()
        await client.page(Resource.USERS)  # outside the scope, retries as usual


async def test_a_retried_search_post_sends_the_same_body_and_headers_again() -> None:
    fake = FakeJumpCloud(users=make_users(3))
    fake.failures.append(status(503))
    body = {"filter": {"and": [{"department": "Sales"}]}, "limit": 2, "skip": 0}
    async with fake.client() as client:
        await client._upstream.request(
            "POST", "/api/search/systemusers", "POST /api/search/systemusers", json=body
        )
    assert client.calls.total == 2
    first, retried = fake.requests
    assert (
        retried.read()
        == first.read()
        == b'{"filter":{"and":[{"department":"Sales"}]},"limit":2,"skip":0}'
    )
    assert retried.headers["content-length"] == first.headers["content-length"]
    assert retried.headers["x-api-key"] == first.headers["x-api-key"]
