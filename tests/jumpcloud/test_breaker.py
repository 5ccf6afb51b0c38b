"""The circuit breaker: open after N failed reads, fail fast, one probe, close on success."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import stamina

from gateway.jumpcloud import (
    BreakerState,
    NotFoundError,
    Resource,
    UpstreamUnavailableError,
)
from gateway.jumpcloud.breaker import CircuitBreaker
from tests.clock import FakeClock
from tests.virtual_time import run

from .fakes import FakeJumpCloud, make_users, status


def test_n_failures_in_a_row_open_it_and_the_cool_down_lets_one_probe_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cool_down=30, clock=clock)
    for _ in range(2):
        assert breaker.admit("GET /x") is False
        breaker.failed()
    assert breaker.state is BreakerState.CLOSED
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(UpstreamUnavailableError, match="30 s more"):
        breaker.admit("GET /x")
    clock.advance(30)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.admit("GET /x") is True  # the probe
    with pytest.raises(UpstreamUnavailableError, match="probe"):
        breaker.admit("GET /x")  # only one at a time
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.opened == 1


def test_a_failed_probe_opens_it_for_another_cool_down() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cool_down=10, clock=clock)
    breaker.failed()
    clock.advance(10)
    assert breaker.admit("GET /x") is True
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    clock.advance(9)
    assert breaker.state is BreakerState.OPEN
    clock.advance(1)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.opened == 2


def test_an_abandoned_probe_lets_the_next_call_probe() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cool_down=0, clock=clock)
    breaker.failed()
    assert breaker.admit("GET /x") is True
    breaker.abandoned(probe=True)
    assert breaker.admit("GET /x") is True


def test_an_answer_between_failures_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, cool_down=10, clock=FakeClock())
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED


@pytest.fixture
def real_waits() -> Iterator[None]:
    with stamina.set_testing(False):
        yield


@pytest.mark.usefixtures("real_waits")
def test_once_open_reads_fail_at_once_without_an_upstream_call() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(503)] * 100)

    async def scenario() -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        async with fake.client(breaker_threshold=2, breaker_cool_down=30) as client:
            for _ in range(2):  # two reads fail for good, after all their retries
                with pytest.raises(UpstreamUnavailableError):
                    await client.page(Resource.USERS)
            assert client.health().breaker is BreakerState.OPEN
            sent, started = len(fake.requests), loop.time()
            with pytest.raises(UpstreamUnavailableError, match="paused"):
                await client.page(Resource.USERS)
            return len(fake.requests) - sent, loop.time() - started

    calls, waited = run(scenario)
    assert (calls, waited) == (0, 0)


@pytest.mark.usefixtures("real_waits")
def test_after_the_cool_down_one_probe_closes_it_again() -> None:
    fake = FakeJumpCloud(users=make_users(1), yields=5)  # the probe is still on its way...
    fake.failures.extend([status(503)] * 5)  # one read's five attempts, then JumpCloud is back

    async def scenario() -> list[BreakerState]:
        async with fake.client(breaker_threshold=1, breaker_cool_down=30) as client:
            with pytest.raises(UpstreamUnavailableError):
                await client.page(Resource.USERS)
            states = [client.health().breaker]
            await asyncio.sleep(31)
            states.append(client.health().breaker)
            page, other = await asyncio.gather(
                client.page(Resource.USERS), client.page(Resource.USERS), return_exceptions=True
            )
            assert not isinstance(page, BaseException)  # the probe
            assert isinstance(other, UpstreamUnavailableError)  # ...when this one is refused
            states.append(client.health().breaker)
            await client.page(Resource.USERS)
            return states

    assert run(scenario) == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]


async def test_a_blip_that_a_retry_cures_never_opens_it() -> None:
    fake = FakeJumpCloud(users=make_users(1000), yields=5)
    first_attempts: set[str] = set()

    def flaky(request: httpx.Request) -> httpx.Response:
        skip = request.url.params["skip"]
        if skip not in first_attempts:  # every page fails once with a 503
            first_attempts.add(skip)
            return status(503)(request)
        return FakeJumpCloud.answer(fake, request)

    fake.answer = flaky  # type: ignore[method-assign]
    async with fake.client(breaker_threshold=2) as client:
        assert len(await client.list_all(Resource.USERS)) == 1000
        assert client.health().breaker is BreakerState.CLOSED


@pytest.mark.parametrize("code", [400, 403, 404, 429])
async def test_answers_that_are_not_failures_never_open_it(code: int) -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(code)] * 100)
    async with fake.client(breaker_threshold=1, retry_attempts=2) as client:
        for _ in range(3):
            with pytest.raises(Exception) as info:  # noqa: PT011 - each status its own type
                await client.page(Resource.USERS)
            assert not isinstance(info.value, UpstreamUnavailableError) or code == 429
        assert client.health().breaker is BreakerState.CLOSED


async def test_transport_errors_and_timeouts_open_it() -> None:
    fake = FakeJumpCloud()
    fake.failures.extend([httpx.ConnectError("refused")] * 5 + [httpx.ReadTimeout("slow")] * 2)
    async with fake.client(breaker_threshold=2) as client:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailableError):
                await client.page(Resource.USERS)
        assert client.health().breaker is BreakerState.OPEN


async def test_not_found_is_an_answer() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    async with fake.client(breaker_threshold=1) as client:
        with pytest.raises(NotFoundError):
            await client.get(Resource.USERS, "f" * 24)
        assert client.health().breaker is BreakerState.CLOSED
