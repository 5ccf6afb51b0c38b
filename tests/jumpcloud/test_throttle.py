"""JumpCloud's 429s pause every request of the client, then pace them (virtual time)."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import stamina

from gateway.jumpcloud import ClientConfig, JumpCloudClient, RateLimitedError, Resource, deadline
from tests.virtual_time import run

from .fakes import API_KEY, FakeJumpCloud, make_users, status


@pytest.fixture(autouse=True)
def _real_waits() -> Iterator[None]:
    """Backoff and pauses as in production; the virtual clock makes them free."""
    with stamina.set_testing(False):
        yield


class RateLimitedJumpCloud:
    """A fake JumpCloud that accepts `per_second` requests per wall-clock second of the
    loop's time and answers the rest 429 (Retry-After: the seconds to the next window)."""

    def __init__(self, per_second: int, latency: float = 0.05) -> None:
        self.per_second = per_second
        self.latency = latency
        self.fake = FakeJumpCloud(users=make_users(1))
        self.seen: list[float] = []
        self.limited: list[float] = []
        self._window = -1
        self._count = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        now = asyncio.get_running_loop().time()
        self.seen.append(now)
        if math.floor(now) != self._window:
            self._window, self._count = math.floor(now), 0
        self._count += 1
        over = self._count > self.per_second
        await asyncio.sleep(self.latency)
        if over:
            self.limited.append(now)
            wait = max(1, math.ceil(self._window + 1 - now))
            return status(429, {"retry-after": str(wait)})(request)
        return self.fake.answer(request)

    def client(self, **config: object) -> JumpCloudClient:
        return JumpCloudClient(
            ClientConfig(api_key=API_KEY, **config),  # type: ignore[arg-type]
            transport=httpx.MockTransport(self.handle),
        )

    def per_second_after_first_429(self) -> Counter[int]:
        """Requests seen in each whole second after the one of the first 429."""
        first = math.floor(self.limited[0])
        return Counter(math.floor(t) for t in self.seen if math.floor(t) > first)


def test_after_the_first_429_the_upstream_never_sees_more_than_its_limit_plus_one() -> None:
    upstream = RateLimitedJumpCloud(per_second=5)

    async def scenario() -> list[object]:
        async with upstream.client(max_concurrency=8, retry_attempts=1000) as client:
            reads = [client.page(Resource.USERS) for _ in range(200)]
            return await asyncio.gather(*reads, return_exceptions=True)

    results = run(scenario)
    assert all(not isinstance(r, BaseException) for r in results)
    per_second = upstream.per_second_after_first_429()
    assert max(per_second.values()) <= 5 + 1, per_second
    # Paced, not starved: 200 reads at 5 a second take 40 s, and few are refused.
    assert len(per_second) <= 42, per_second
    assert len(upstream.limited) <= 10


def test_a_429_holds_back_new_requests_and_retries_until_its_retry_after() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.append(status(429, {"retry-after": "7"}))
    sent: list[float] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return await fake.handle(request)

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        config = ClientConfig(api_key=API_KEY, max_concurrency=8)
        async with JumpCloudClient(config, transport=httpx.MockTransport(handle)) as client:
            start = loop.time()
            first = asyncio.ensure_future(client.page(Resource.USERS))
            await asyncio.sleep(1)  # the first read got its 429 a second ago
            others = [client.page(Resource.USERS) for _ in range(3)]
            await asyncio.gather(first, *others)
            return start

    start = run(scenario)
    offsets = [round(t - start, 3) for t in sent]
    # Nothing leaves during the pause; then one at once, the rest at the pace learned (no
    # request was accepted before the 429, so one a second to begin with).
    assert offsets[:2] == [0, 7]
    assert all(t >= 7 for t in offsets[1:])
    assert offsets == sorted(offsets)


def test_a_pause_that_outlasts_the_deadline_fails_at_once_with_retry_after() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(429, {"retry-after": "30"})] * 2)

    async def scenario() -> tuple[RateLimitedError, float]:
        loop = asyncio.get_running_loop()
        async with fake.client() as client:
            with deadline(10):
                started = loop.time()
                with pytest.raises(RateLimitedError) as info:
                    await client.page(Resource.USERS)
                with pytest.raises(RateLimitedError) as again:
                    await client.page(Resource.USERS)  # the pause alone outlasts it: unsent
        assert again.value.retry_after == 30
        return info.value, loop.time() - started

    error, waited = run(scenario)
    assert waited == 0
    assert error.retry_after == 30
    assert len(fake.requests) == 1


def test_without_retry_after_the_pause_backs_off_exponentially() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(429), status(429), status(429)])
    sent: list[float] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return await fake.handle(request)

    async def scenario() -> None:
        config = ClientConfig(api_key=API_KEY, retry_wait_jitter=0)
        async with JumpCloudClient(config, transport=httpx.MockTransport(handle)) as client:
            await client.page(Resource.USERS)

    run(scenario)
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(sent)]
    assert gaps == [1, 2, 4]  # the client's pause (1, 2, 4 s) outlasts stamina's own backoff


def test_the_pace_rises_again_once_jumpcloud_stops_limiting() -> None:
    upstream = RateLimitedJumpCloud(per_second=5, latency=0.01)

    async def scenario() -> tuple[float | None, float | None]:
        async with upstream.client(max_concurrency=8, retry_attempts=1000) as client:
            await asyncio.gather(*(client.page(Resource.USERS) for _ in range(60)))
            paced = client.health().pace.rate
            upstream.per_second = 1000  # the limit is lifted
            for _ in range(20):
                await asyncio.gather(*(client.page(Resource.USERS) for _ in range(40)))
            return paced, client.health().pace.rate

    paced, later = run(scenario)
    assert paced is not None
    assert paced <= 6
    assert later is None or later > paced
