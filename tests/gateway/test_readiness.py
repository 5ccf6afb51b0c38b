"""/readyz means "this replica can answer": JumpCloud reachable with this key, or stale data to
serve; a rejected key is not ready; Redis down with JumpCloud up is still ready."""

from __future__ import annotations

import pytest

from gateway.simulator.generate import generate_org
from gateway.simulator.model import Org, OrgSizes
from tests.harness import gateway
from tests.processes import free_port

USERS = "{ users(first: 5) { edges { node { username } } } }"


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=10, groups=3, applications=2), seed=4)


async def test_ready_when_jumpcloud_answers_with_this_key(org: Org) -> None:
    async with gateway(org) as gw:
        response = await gw.http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["jumpcloud"] == "ok"


async def test_not_ready_with_a_rejected_key_and_the_reason_names_the_variable(org: Org) -> None:
    async with gateway(org, api_key="jca_revoked_key_77") as gw:
        response = await gw.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "UPSTREAM_UNAUTHENTICATED"
    assert "JUMPCLOUD_API_KEY" in response.json()["reason"]
    assert "jca_revoked_key_77" not in response.text


async def test_not_ready_with_a_base_url_without_jumpcloud_lists(org: Org) -> None:
    async with gateway(org, base_url="http://jumpcloud.test/api") as gw:
        response = await gw.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "UPSTREAM_MISCONFIGURED"
    assert "JUMPCLOUD_BASE_URL" in response.json()["reason"]


async def test_ready_when_jumpcloud_is_down_but_the_cache_can_serve_stale(org: Org) -> None:
    async with gateway(org) as gw:
        await gw.query(USERS)
        gw.faults.burst(100, status=503)
        response = await gw.http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["jumpcloud"] == "unavailable"
    assert response.json()["servingStale"] is True


async def test_not_ready_when_jumpcloud_is_down_and_nothing_is_cached(org: Org) -> None:
    async with gateway(org) as gw:
        gw.faults.burst(100, status=503)
        response = await gw.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "UPSTREAM_UNAVAILABLE"


async def test_not_ready_when_stale_serving_is_off_and_jumpcloud_is_down(org: Org) -> None:
    async with gateway(org, cache_stale_ttl=0.0) as gw:
        await gw.query(USERS)
        gw.faults.burst(100, status=503)
        response = await gw.http.get("/readyz")
    assert response.status_code == 503


async def test_ready_with_redis_down_while_jumpcloud_answers(org: Org) -> None:
    async with gateway(org, cache_url=f"redis://127.0.0.1:{free_port()}/0") as gw:
        response = await gw.http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["cache"].startswith("redis unreachable")


async def test_a_verdict_is_kept_a_few_seconds_then_renewed(org: Org) -> None:
    async with gateway(org) as gw:
        first = await gw.http.get("/readyz")
        calls = gw.log.total
        gw.faults.burst(100, status=503)
        kept = await gw.http.get("/readyz")
        assert gw.log.total == calls  # no new probe within the verdict's life
        gw.clock.advance(5.0)
        renewed = await gw.http.get("/readyz")
    assert first.status_code == 200
    assert kept.status_code == 200
    assert renewed.status_code == 503
    assert gw.log.total == calls + 1


async def test_healthz_answers_whatever_jumpcloud_says(org: Org) -> None:
    async with gateway(org, api_key="jca_revoked_key_77") as gw:
        response = await gw.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
