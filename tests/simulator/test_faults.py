"""Scripted faults: bursts, 429 + Retry-After, random 5xx, latency, hangs; all logged."""

from __future__ import annotations

import asyncio

import httpx

from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, Store
from tests.simulator.fixtures import (  # noqa: F401 - the faults, log, org and client fixtures
    API_KEY,
    client_for,
    no_faults,
    request_log,
    seeded_org,
    simulator_client,
)


async def test_burst_fails_the_next_n_requests_then_recovers(
    client: httpx.AsyncClient, faults: Faults, log: RequestLog
) -> None:
    faults.burst(2, status=503)
    statuses = [(await client.get("/api/systemusers")).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert log.count(operation="systemusers_list", status=503) == 2
    assert log.total == 3


async def test_burst_can_target_one_route(
    client: httpx.AsyncClient, faults: Faults, org: Org
) -> None:
    group = next(iter(org.groups))
    faults.burst(1, route="/api/v2/usergroups/{id}/members")
    assert (await client.get("/api/systemusers")).status_code == 200
    failed = await client.get(f"/api/v2/usergroups/{group}/members")
    assert failed.status_code == 502
    assert failed.json() == {"message": "Bad Gateway"}
    assert (await client.get(f"/api/v2/usergroups/{group}/members")).status_code == 200


async def test_rate_limit_sends_429_with_retry_after(
    client: httpx.AsyncClient, faults: Faults, log: RequestLog
) -> None:
    faults.rate_limit(1, retry_after="7", route="groups_user_list")
    limited = await client.get("/api/v2/usergroups")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert "message" in limited.json()
    assert (await client.get("/api/v2/usergroups")).status_code == 200
    assert log.count(route="/api/v2/usergroups", status=429) == 1


async def test_rate_limit_every_nth_request(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.rate_limit_every = 3
    statuses = [(await client.get("/api/systemusers")).status_code for _ in range(6)]
    assert statuses == [200, 200, 429, 200, 200, 429]


async def test_error_rate_is_seeded_and_roughly_that_often(org: Org) -> None:
    async def statuses(seed: int) -> list[int]:
        faults = Faults(error_rate=0.3, seed=seed)
        app = create_simulator_app(Store.single(org, API_KEY), faults=faults)
        async with client_for(app) as client:
            return [(await client.get("/api/v2/roles")).status_code for _ in range(200)]

    first, again = await statuses(1), await statuses(1)
    assert first == again
    errors = [s for s in first if s != 200]
    assert 30 < len(errors) < 90
    assert set(errors) <= {500, 502, 503, 504}


async def test_latency_goes_through_the_injected_sleep(org: Org) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    faults = Faults(latency=0.25, sleep=sleep)
    async with client_for(create_simulator_app(Store.single(org, API_KEY), faults=faults)) as c:
        await c.get("/api/systemusers")
        await c.get("/api/nothing")
    assert slept == [0.25, 0.25]


async def test_hang_blocks_until_cancelled_and_is_logged(
    client: httpx.AsyncClient, faults: Faults, log: RequestLog
) -> None:
    faults.hang(1, route="systemusers_list")
    pending = asyncio.ensure_future(client.get("/api/systemusers"))
    for _ in range(50):
        await asyncio.sleep(0)
        if faults.hanging:
            break
    assert faults.hanging == 1
    assert not pending.done()
    assert (await client.get("/api/v2/roles")).status_code == 200
    pending.cancel()
    for _ in range(50):
        await asyncio.sleep(0)
        if not faults.hanging:
            break
    assert pending.cancelled()
    assert faults.hanging == 0
    assert log.count(operation="systemusers_list", status=499) == 1
    assert (await client.get("/api/systemusers")).status_code == 200


async def test_clear_releases_hung_requests(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.hang(1)
    pending = asyncio.ensure_future(client.get("/api/systemusers"))
    for _ in range(50):
        await asyncio.sleep(0)
        if faults.hanging:
            break
    assert not pending.done()
    faults.clear()
    response = await pending
    assert response.status_code == 200


async def test_log_counts_by_operation_and_clears(
    client: httpx.AsyncClient, log: RequestLog, org: Org
) -> None:
    user = next(iter(org.users))
    await client.get("/api/systemusers")
    await client.get(f"/api/v2/users/{user}/memberof")
    await client.get(f"/api/v2/users/{user}/memberof")
    assert log.counts() == {"systemusers_list": 1, "graph_userMemberOf": 2}
    assert log.count(route="/api/v2/users/{id}/memberof", method="get") == 2
    assert log.entries[0].query == ""
    log.clear()
    assert log.total == 0
