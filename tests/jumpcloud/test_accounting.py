"""Every upstream attempt is counted: per client by endpoint template, per request in a Tally."""

from __future__ import annotations

import asyncio

from gateway.jumpcloud import CallLog, ClientConfig, JumpCloudClient, Resource, Tally

from .fakes import API_KEY, FakeJumpCloud, make_users, object_id, status


async def test_attempts_are_logged_by_endpoint_template_and_status() -> None:
    fake = FakeJumpCloud(users=make_users(150))
    fake.failures.append(status(503))
    async with fake.client() as client:
        await client.list_all(Resource.USERS)
        await client.get(Resource.USERS, object_id(1))
    assert client.calls.counts() == {
        ("GET /api/systemusers", 503): 1,
        ("GET /api/systemusers", 200): 2,
        ("GET /api/systemusers/{id}", 200): 1,
    }
    assert all(c.elapsed >= 0 for c in client.calls.calls)
    client.calls.clear()
    assert client.calls.total == 0


async def test_a_tally_counts_only_its_own_work() -> None:
    fake = FakeJumpCloud(users=make_users(250))
    async with fake.client() as client:

        async def request(ids: list[str]) -> Tally:
            tally = Tally()
            await client.charging(tally).users_by_ids(ids)
            return tally

        small, large = await asyncio.gather(
            asyncio.ensure_future(request([object_id(1)])),
            asyncio.ensure_future(request([object_id(i) for i in range(250)])),
        )
    assert (small.calls, large.calls) == (1, 3)
    assert large.by_endpoint == {"GET /api/systemusers": 3}
    assert client.calls.total == 4  # the shared call log saw both


async def test_a_shared_call_log_and_the_configured_headers() -> None:
    calls = CallLog()
    fake = FakeJumpCloud(users=make_users(1))
    config = ClientConfig(
        api_key=API_KEY, org_id="org123", base_url="https://console.eu.jumpcloud.com"
    )
    async with JumpCloudClient(config, transport=fake.transport(), calls=calls) as client:
        await client.page(Resource.USERS)
    assert calls.total == 1
    assert client.calls is calls
    request = fake.requests[0]
    assert request.url.host == "console.eu.jumpcloud.com"
    assert request.headers["x-org-id"] == "org123"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("jcgraph/")


async def test_x_org_id_is_absent_unless_configured() -> None:
    fake = FakeJumpCloud(users=make_users(1))
    async with fake.client() as client:
        await client.page(Resource.USERS)
    assert "x-org-id" not in fake.requests[0].headers


def test_call_log_stays_bounded_while_counting_everything() -> None:
    from gateway.jumpcloud.accounting import CallLog

    log = CallLog(recent=10)
    for i in range(1000):
        log.record("GET", "GET /api/systemusers", 200 if i % 2 else 503, 0.001)
    assert log.total == 1000
    assert len(log.calls) == 10
    assert log.counts()[("GET /api/systemusers", 503)] == 500
