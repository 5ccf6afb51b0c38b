"""The organisation's upstream budget: GCRA in process (virtual time) and in Redis, the
shared 429 pause, and the fall back to the process when Redis does not answer."""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Iterator

import httpx
import pytest
import stamina

from gateway.jumpcloud import ClientConfig, JumpCloudClient, RateLimitedError, Resource
from gateway.jumpcloud.budget import HEADROOM, Budget
from gateway.jumpcloud.shared import SharedLink
from tests.rates import busiest_second
from tests.virtual_time import run

from .fakes import API_KEY, FakeJumpCloud, make_users

REDIS = "redis://127.0.0.1:6379/0"




@pytest.fixture
def real_waits() -> Iterator[None]:
    with stamina.set_testing(False):
        yield


@pytest.mark.usefixtures("real_waits")
def test_a_client_sends_its_burst_at_once_then_one_request_an_interval() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    sent: list[float] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return await fake.handle(request)

    async def scenario() -> None:
        config = ClientConfig(api_key=API_KEY, upstream_rate=20, upstream_burst=5)
        async with JumpCloudClient(config, transport=httpx.MockTransport(handle)) as client:
            await asyncio.gather(*(client.page(Resource.USERS) for _ in range(105)))

    run(scenario)
    start = min(sent)
    assert sum(1 for t in sent if t == start) == 5
    # 19 spaced turns in a second, not 20: room for a request that arrives late upstream.
    assert busiest_second(sent) == 19 + 5
    assert max(sent) - start == pytest.approx(100 / 20 * HEADROOM)


@pytest.mark.usefixtures("real_waits")
def test_a_turn_after_the_deadline_is_refused_at_once_and_not_reserved() -> None:
    async def scenario() -> tuple[float, float]:
        budget = Budget(rate=1, burst=1)
        loop = asyncio.get_running_loop()
        await budget.take(None, "GET /x")  # the burst
        with pytest.raises(RateLimitedError):
            await budget.take(loop.time() + 0.5, "GET /x")  # its turn is 1.05 s away
        start = loop.time()
        await budget.take(None, "GET /x")  # the refused one took no turn
        return start, loop.time()

    start, end = run(scenario)
    assert end - start == pytest.approx(1.0 * HEADROOM)


@pytest.mark.usefixtures("real_waits")
def test_turns_a_busy_process_reaches_late_are_taken_again_so_requests_still_leave_spaced() -> None:
    async def scenario() -> tuple[list[float], int]:
        loop = asyncio.get_running_loop()
        stall_ends = loop.time() + 0.5

        async def stalled(seconds: float) -> None:
            # The event loop is busy until `stall_ends`: every turn before it is reached late.
            await asyncio.sleep(max(seconds, stalls_end_in()))

        def stalls_end_in() -> float:
            return stall_ends - loop.time()

        budget = Budget(rate=20, burst=1, sleep=stalled)
        left: list[float] = []

        async def request() -> None:
            await budget.take(None, "GET /x")
            left.append(loop.time())

        await asyncio.gather(*(request() for _ in range(4)))
        return sorted(left), budget.stalls

    left, stalls = run(scenario)
    interval = HEADROOM / 20
    gaps = [b - a for a, b in itertools.pairwise(left)]
    assert stalls == 3  # the three that waited all woke late, together
    assert all(gap >= interval - 1e-9 for gap in gaps), gaps  # yet they left a turn apart


@pytest.mark.redis
async def test_replicas_share_one_budget_and_one_pause() -> None:
    key = f"jcgraph-test:{secrets.token_hex(6)}:"
    links = [link for link in (SharedLink.from_url(REDIS) for _ in range(2)) if link]
    first, second = (Budget(rate=10, burst=2, link=link, key=key) for link in links)
    try:
        for _ in range(2):  # the burst, between them
            await first.take(None, "GET /x")
        await second.take(None, "GET /x")
        assert second.waited == pytest.approx(0.1, abs=0.02)  # one interval: the burst is spent
        await first.share_pause(3)
        paused = await second.take(None, "GET /x")
        assert 2.9 <= paused <= 3.0
    finally:
        client = links[0].client
        stored = await client.keys(key + "*")
        if stored:
            await client.delete(*stored)
        for link in links:
            await link.aclose()


async def test_without_redis_the_budget_runs_in_process_and_says_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    link = SharedLink.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    assert link is not None
    budget = Budget(rate=10, burst=1, link=link)
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.shared"):
            for _ in range(3):
                await budget.take(None, "GET /x")
            await budget.share_pause(2)
        assert link.outages == 1
        assert len([r for r in caplog.records if r.name == "gateway.shared"]) == 1
        assert budget.waited == pytest.approx(0.1 + 0.2, abs=0.02)  # the in-process budget
    finally:
        await link.aclose()


def test_without_a_rate_no_request_waits_or_counts_as_late() -> None:
    reads = itertools.count()

    def clock() -> float:  # a second passes at every reading: never on time for a turn
        read = next(reads)
        assert read < 100, "take() kept taking turns"
        return float(read)

    async def scenario() -> int:
        budget = Budget(rate=0, burst=1, clock=clock)
        for _ in range(3):
            assert await budget.take(None, "GET /x") == 0.0
        return budget.stalls

    assert run(scenario) == 0
