"""Fresh data on demand: Cache-Control on a request re-reads what is older than asked, for
callers allowed to ask, within a rate."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.freshness import requested_max_age
from gateway.settings import Settings, SettingsError
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import Harness, gateway

QUERY = "{ groups { edges { node { jumpcloudId name } } } }"
ADMIN, READER = "admin-token-1", "reader-token-2"
TOKENS: dict[str, Any] = {"auth_tokens": (ADMIN, READER), "fresh_read_tokens": (ADMIN,)}


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=20, groups=4, applications=2), seed=11)


async def names(gw: Harness, token: str, cache_control: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"}
    if cache_control is not None:
        headers["cache-control"] = cache_control
    before = gw.log.total
    response = await gw.post(QUERY, **headers)
    payload = response.json()
    return {
        "status": response.status_code,
        "calls": gw.log.total - before,
        "names": None
        if "data" not in payload or payload["data"] is None
        else {
            e["node"]["jumpcloudId"]: e["node"]["name"] for e in payload["data"]["groups"]["edges"]
        },
        "errors": payload.get("errors"),
    }


def rename_first_group(gw: Harness) -> tuple[str, str]:
    group_id = sorted(gw.org.groups)[0]
    gw.org.groups[group_id]["name"] = "Renamed upstream"
    return group_id, "Renamed upstream"


@pytest.mark.parametrize(
    ("header", "age"),
    [
        ("no-cache", 0.0),
        ("max-age=30", 30.0),
        ("no-store", 0.0),
        ("max-age=120, no-cache", 0.0),
        ("private, max-age=5", 5.0),
        ("max-age=abc", None),
        ("public", None),
        ("", None),
    ],
)
def test_cache_control_is_read_as_a_max_age(header: str, age: float | None) -> None:
    assert requested_max_age(header) == age


async def test_no_cache_from_an_allowed_caller_rereads_what_changed_upstream(org: Org) -> None:
    async with gateway(org, **TOKENS) as gw:
        first = await names(gw, ADMIN)
        group_id, new_name = rename_first_group(gw)
        cached = await names(gw, ADMIN)
        fresh = await names(gw, ADMIN, "no-cache")
        after = await names(gw, READER)
    assert first["calls"] > 0
    assert cached["calls"] == 0
    assert cached["names"] == first["names"]  # within the TTL: the old name
    assert fresh["calls"] > 0
    assert fresh["names"][group_id] == new_name
    # The re-read refreshed the cache for everyone, without another call.
    assert after["calls"] == 0
    assert after["names"][group_id] == new_name


async def test_max_age_rereads_only_entries_older_than_asked(org: Org) -> None:
    async with gateway(org, **TOKENS) as gw:
        await names(gw, ADMIN)
        gw.clock.advance(100)  # entries are now 100 s old, within the 300 s TTL
        younger = await names(gw, ADMIN, "max-age=200")
        older = await names(gw, ADMIN, "max-age=50")
    assert younger["calls"] == 0
    assert older["calls"] > 0


async def test_callers_not_allowed_are_served_from_the_cache(org: Org) -> None:
    """A browser sends no-cache on a reload: from a caller not listed it changes nothing."""
    async with gateway(org, **TOKENS) as gw:
        await names(gw, READER)
        rename_first_group(gw)
        ignored = await names(gw, READER, "no-cache")
        metrics = (await gw.http.get("/metrics")).text
    assert ignored["status"] == 200
    assert ignored["calls"] == 0
    assert "Renamed upstream" not in ignored["names"].values()
    assert 'jcgraph_fresh_reads_total{outcome="ignored"} 1.0' in metrics


async def test_fresh_reads_are_rate_limited(org: Org) -> None:
    async with gateway(org, fresh_reads_per_minute=2, **TOKENS) as gw:
        served = [await names(gw, ADMIN, "no-cache") for _ in range(2)]
        refused = await names(gw, ADMIN, "no-cache")
        plain = await names(gw, ADMIN)
        gw.clock.advance(30)  # one read's worth of refill at 2 a minute
        again = await names(gw, ADMIN, "no-cache")
        metrics = (await gw.http.get("/metrics")).text
    assert all(r["status"] == 200 and r["calls"] > 0 for r in served)
    assert refused["status"] == 429
    assert refused["calls"] == 0
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "FRESH_READS_RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == 30
    assert plain["status"] == 200  # cached answers are never limited
    assert plain["calls"] == 0
    assert again["status"] == 200
    assert again["calls"] > 0
    assert 'jcgraph_fresh_reads_total{outcome="served"} 3.0' in metrics
    assert 'jcgraph_fresh_reads_total{outcome="refused"} 1.0' in metrics


async def test_a_fresh_read_is_never_replayed_from_the_response_cache(org: Org) -> None:
    async with gateway(org, **TOKENS) as gw:
        await names(gw, ADMIN)
        await names(gw, ADMIN)  # kept, then replayed from here on
        group_id, new_name = rename_first_group(gw)
        replayed = await names(gw, ADMIN)
        fresh = await names(gw, ADMIN, "no-cache")
    assert "Renamed upstream" not in replayed["names"].values()
    assert fresh["names"][group_id] == new_name


def test_fresh_read_tokens_must_pass_auth() -> None:
    env = {"JCGRAPH_AUTH_TOKENS": "a-token", "JCGRAPH_FRESH_READ_TOKENS": "another"}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env, demo=True)
    assert any("JCGRAPH_FRESH_READ_TOKENS" in p for p in raised.value.problems)
    assert not any("another" in p for p in raised.value.problems)
    env["JCGRAPH_FRESH_READS_PER_MINUTE"] = "0"
    env["JCGRAPH_FRESH_READ_TOKENS"] = "a-token"
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env, demo=True)
    assert any("JCGRAPH_FRESH_READS_PER_MINUTE" in p for p in raised.value.problems)
