"""The TTL cache seen through the gateway: warm reads, expiry, coalescing, stale-if-error."""

from __future__ import annotations

import asyncio

import pytest

from gateway.simulator.store import OrgSizes, generate_org
from tests import oracle
from tests.harness import gateway

GROUPS = "{ groups { totalCount edges { node { name } } } }"


def small_org():  # type: ignore[no-untyped-def]
    return generate_org(OrgSizes(users=20, groups=4, applications=3), seed=5)


async def test_expired_entries_are_read_again() -> None:
    async with gateway(small_org(), cache_ttl=60) as gw:
        assert await gw.calls(GROUPS) == 1
        gw.clock.advance(59)
        assert await gw.calls(GROUPS) == 0
        gw.clock.advance(2)
        assert await gw.calls(GROUPS) == 1


async def test_concurrent_requests_share_one_upstream_call() -> None:
    async with gateway(small_org()) as gw:
        responses = await asyncio.gather(*(gw.post(GROUPS) for _ in range(20)))
    assert all(r.status_code == 200 for r in responses)
    assert gw.log.count(operation="groups_user_list") == 1


async def test_stale_entry_is_served_when_jumpcloud_fails_and_the_response_says_so() -> None:
    org = small_org()
    async with gateway(org, cache_ttl=60, cache_stale_ttl=600) as gw:
        await gw.query(GROUPS)
        gw.clock.advance(120)
        gw.faults.burst(100, status=502)
        response = await gw.post(GROUPS)
    payload = response.json()
    assert "errors" not in payload
    assert payload["data"]["groups"]["totalCount"] == len(org.groups)
    cost = payload["extensions"]["cost"]
    assert cost["stale"] is True
    assert cost["dataAgeSeconds"] == 120


async def test_past_the_stale_window_an_outage_is_an_error() -> None:
    async with gateway(small_org(), cache_ttl=60, cache_stale_ttl=100) as gw:
        await gw.query(GROUPS)
        gw.clock.advance(200)
        gw.faults.burst(100, status=502)
        response = await gw.post(GROUPS)
    assert response.json()["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


async def test_cost_report_counts_the_upstream_calls_of_the_request() -> None:
    async with gateway(small_org()) as gw:
        cold = (await gw.post(GROUPS, **{"x-jcgraph-cost": "1"})).json()["extensions"]["cost"]
        warm = (await gw.post(GROUPS, **{"x-jcgraph-cost": "1"})).json()["extensions"]["cost"]
        plain = (await gw.post(GROUPS)).json()
    assert cold["upstreamCalls"] == 1
    assert cold["upstreamByEndpoint"] == {"GET /api/v2/usergroups": 1}
    assert warm["upstreamCalls"] == 0
    assert warm["cacheHits"] >= 1
    assert "extensions" not in plain


@pytest.mark.redis
async def test_replicas_share_a_redis_cache_and_answer_as_memory_does() -> None:
    import uuid

    import redis.asyncio as redis

    probe = redis.Redis(host="127.0.0.1", port=6379)
    try:
        await probe.ping()
    finally:
        await probe.aclose()
    org = small_org()
    # A key of its own gives this run a cache namespace of its own.
    key = f"jca_test_{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/0"
    async with gateway(org, store_key=key, cache_url=url) as first:
        cold = await first.calls(GROUPS)
        from_redis = await first.query(GROUPS)
    async with gateway(org, store_key=key, cache_url=url) as second:
        warm = await second.calls(GROUPS)
    async with gateway(org, store_key=key) as memory:
        from_memory = await memory.query(GROUPS)
    assert (cold, warm) == (1, 0)
    assert from_redis == from_memory


async def test_answers_from_the_index_are_no_fresher_than_its_pieces() -> None:
    org = generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)
    user = next(u for u in sorted(org.users) if oracle.groups_of(org, u))
    group = sorted(oracle.groups_of(org, user))[0]
    users_groups = """{ users(first: 100) { edges { node { jumpcloudId
      groups { edges { node { jumpcloudId } } } } } } }"""
    members = f'{{ group(jumpcloudId: "{group}") {{ members(first: 100) {{ edges {{ node {{ jumpcloudId }} }} }} }} }}'
    async with gateway(org, cache_ttl=300) as gw:
        await gw.query(members)  # t=0: the group's members are cached
        gw.clock.advance(290)
        await gw.query(users_groups)  # t=290: users' groups come from the (old) pieces
        org.memberships.discard((user, group))  # changed upstream
        gw.clock.advance(110)  # t=400: the pieces have expired
        by_user = {
            e["node"]["jumpcloudId"]: {
                g["node"]["jumpcloudId"] for g in e["node"]["groups"]["edges"]
            }
            for e in (await gw.query(users_groups))["users"]["edges"]
        }
        listed = {
            e["node"]["jumpcloudId"] for e in (await gw.query(members))["group"]["members"]["edges"]
        }
    assert group not in by_user[user]
    assert user not in listed


async def test_an_email_remembered_as_unknown_is_answered_from_memory_and_counted_once() -> None:
    query = '{ user(email: "nobody@example.invalid") { jumpcloudId } }'
    async with gateway(small_org(), negative_ttl=60, response_cache=False) as gw:
        first = await gw.post(query)
        assert first.json()["data"] == {"user": None}
        again = await gw.post(query, **{"x-jcgraph-cost": "1"})
    assert again.json()["data"] == {"user": None}
    cost = again.json()["extensions"]["cost"]
    assert (cost["upstreamCalls"], cost["cacheHits"], cost["cacheMisses"]) == (0, 1, 0)
