"""Sparing JumpCloud when it struggles, seen through the gateway.

A per-request deadline bounds every retry and wait, a 429 paces every request, a breaker per
organisation serves stale entries at once while open, and "not found" is remembered. The
scenarios that wait (429 pauses, timeouts, cool-downs) run in virtual time
(tests.virtual_time) with stamina's real backoff: nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import stamina
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.app import create_app
from gateway.organisations import client_config
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, Store, shaped_org
from tests.clock import FakeClock
from tests.harness import API_KEY, Harness, gateway
from tests.virtual_time import run

GROUPS = "{ groups { totalCount edges { node { name } } } }"
ADMINS = "{ admins { edges { node { email user { jumpcloudId } } } } }"


def heavy(first: int) -> str:
    """A frontend's overview: users, their groups and applications, and their access."""
    return f"""{{ users(first: {first}) {{ edges {{ node {{ email
        groups(first: 10) {{ edges {{ node {{ name
            applications(first: 10) {{ edges {{ node {{ name }} }} }} }} }} }}
        applications(first: 20) {{ edges {{ kind node {{ name }} }} }} }} }} }} }}"""


@pytest.fixture
def real_waits() -> Iterator[None]:
    with stamina.set_testing(False):
        yield


class RateLimit:
    """ASGI middleware: `per_second` requests in each second of the loop's clock, 429 for
    the rest (Retry-After: the seconds to the next second). Records when each one came."""

    def __init__(self, app: ASGIApp, per_second: int) -> None:
        self.app = app
        self.per_second = per_second
        self.seen: list[float] = []
        self.limited: list[float] = []
        self._window, self._count = -1, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        now = asyncio.get_running_loop().time()
        self.seen.append(now)
        if math.floor(now) != self._window:
            self._window, self._count = math.floor(now), 0
        self._count += 1
        if self._count <= self.per_second:
            await self.app(scope, receive, send)
            return
        self.limited.append(now)
        wait = str(max(1, math.ceil(self._window + 1 - now))).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", wait)]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"message":"Too Many Requests"}'})

    def per_second_after_first_429(self) -> Counter[int]:
        first = math.floor(self.limited[0])
        return Counter(math.floor(t) for t in self.seen if math.floor(t) > first)


@contextlib.asynccontextmanager
async def rate_limited_gateway(
    org: Org, per_second: int, **settings: Any
) -> AsyncIterator[tuple[Harness, RateLimit]]:
    """tests.harness.gateway with JumpCloud behind a rate limit and 50 ms of latency."""
    log, faults, clock = RequestLog(), Faults(latency=0.05), FakeClock()
    simulator = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    limit = RateLimit(simulator, per_second)
    config = dataclasses.replace(
        Settings(api_key=API_KEY, base_url="http://jumpcloud.test"), **settings
    )
    app = create_app(config, transport=httpx.ASGITransport(app=limit), clock=clock)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.test"
        ) as http,
    ):
        yield Harness(org=org, log=log, faults=faults, clock=clock, http=http, app=app), limit


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in payload.get("errors", [])]


@pytest.mark.usefixtures("real_waits")
def test_a_429_storm_stays_within_jumpclouds_limit_and_most_heavy_queries_answer() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], RateLimit]:
        # 20 distinct heavy queries at once: ~75 upstream calls, 15 s of JumpCloud's budget.
        async with rate_limited_gateway(shaped_org(users=200), per_second=5) as (gw, limit):
            responses = await asyncio.gather(*(gw.post(heavy(5 + i)) for i in range(20)))
        return [r.json() for r in responses], limit

    payloads, limit = run(scenario)
    per_second = limit.per_second_after_first_429()
    assert limit.limited, "the storm never reached JumpCloud's limit"
    assert max(per_second.values()) <= 5 + 1, sorted(per_second.items())
    answered = [p for p in payloads if "errors" not in p]
    assert len(answered) >= 15, [codes(p) for p in payloads]
    for payload in payloads:
        for error in payload.get("errors", []):
            assert error["extensions"]["code"] == "UPSTREAM_RATE_LIMITED"
            assert error["extensions"]["retryAfter"] >= 1


async def test_a_pause_beyond_the_deadline_fails_at_once_with_retry_after() -> None:
    async with gateway(shaped_org(), request_deadline=20) as gw:
        gw.faults.rate_limit(100, retry_after="30")
        payload = (await gw.post(GROUPS)).json()
    assert payload["errors"][0]["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "retryAfter": 30}
    assert gw.log.total == 1  # no retry: its wait alone outlasts the deadline


@pytest.mark.usefixtures("real_waits")
def test_an_open_breaker_serves_stale_entries_at_once_without_calling_jumpcloud() -> None:
    async def scenario() -> tuple[dict[str, Any], int, float]:
        loop = asyncio.get_running_loop()
        async with gateway(shaped_org(), cache_ttl=60, breaker_threshold=1) as gw:
            await gw.query(GROUPS)
            await gw.query("{ applications { totalCount } }")
            gw.clock.advance(120)  # both entries expired, within their stale window
            gw.faults.burst(1000, status=502)
            first = (await gw.post(GROUPS)).json()  # spends its retries; the breaker opens
            assert "errors" not in first
            assert first["extensions"]["cost"]["stale"]
            before, started = gw.log.total, loop.time()
            response = await gw.post("{ applications { totalCount } }", **{"x-jcgraph-cost": "1"})
            return response.json(), gw.log.total - before, loop.time() - started

    payload, calls, waited = run(scenario)
    assert "errors" not in payload
    assert payload["extensions"]["cost"]["stale"] is True
    assert payload["extensions"]["cost"]["dataAgeSeconds"] == 120
    assert (calls, waited) == (0, 0)


@pytest.mark.usefixtures("real_waits")
def test_a_hung_jumpcloud_answers_upstream_timeout_by_the_deadline() -> None:
    async def scenario() -> tuple[dict[str, Any], float, int]:
        loop = asyncio.get_running_loop()
        async with gateway(shaped_org(), upstream_timeout=10) as gw:
            gw.faults.hang(100)
            started = loop.time()
            payload = (await gw.post(GROUPS)).json()
            elapsed = loop.time() - started
            gw.faults.clear()
        return payload, elapsed, gw.log.total

    payload, elapsed, calls = run(scenario)
    assert codes(payload) == ["UPSTREAM_TIMEOUT"]
    assert elapsed <= 2 * 10  # JCGRAPH_REQUEST_DEADLINE defaults to twice the timeout
    assert calls == 2  # one timeout, retried once


async def test_admins_without_a_user_account_cost_nothing_the_second_time() -> None:
    org = shaped_org()
    async with gateway(org, negative_ttl=60) as gw:
        cold = await gw.calls(ADMINS)
        warm = await gw.calls(ADMINS)
        gw.clock.advance(61)  # "not found" expired; the records (TTL 300) did not
        again = await gw.calls(ADMINS)
        data = await gw.query(ADMINS)
    assert cold >= 2
    assert warm == 0
    assert again == 1  # only the emails that had no user are looked up again
    users = {e["node"]["email"]: e["node"]["user"] for e in data["admins"]["edges"]}
    assert sum(1 for u in users.values() if u is None) == 3


async def test_an_outage_answers_admins_from_the_cache_with_their_missing_users() -> None:
    org = shaped_org()
    async with gateway(org, cache_ttl=300, negative_ttl=60) as gw:
        fresh = await gw.query(ADMINS)
        gw.clock.advance(400)  # everything expired, within the stale window
        gw.faults.burst(1000, status=502)
        response = await gw.post(ADMINS, **{"x-jcgraph-cost": "1"})
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    assert payload["data"] == fresh
    assert payload["extensions"]["cost"]["stale"] is True
    assert payload["extensions"]["cost"]["dataAgeSeconds"] == 400


async def test_metrics_show_the_breaker_the_pace_and_cache_evictions() -> None:
    async with gateway(shaped_org(), cache_max_entries=2) as gw:
        await gw.query(heavy(5))
        text = (await gw.http.get("/metrics")).text
    assert 'jcgraph_upstream_circuit_state{org="default"} 0.0' in text
    assert 'jcgraph_upstream_paced_rate{org="default"} 0.0' in text
    evictions = next(
        line for line in text.splitlines() if line.startswith("jcgraph_cache_evictions_total")
    )
    assert float(evictions.split()[-1]) > 0
    assert 'jcgraph_cache_memory{org="default",unit="entries"} 2.0' in text


def test_the_settings_read_from_the_environment() -> None:
    env = {
        "JUMPCLOUD_API_KEY": API_KEY,
        "JCGRAPH_UPSTREAM_TIMEOUT": "4",
        "JCGRAPH_BREAKER_THRESHOLD": "3",
        "JCGRAPH_BREAKER_COOL_DOWN": "12",
        "JCGRAPH_NEGATIVE_TTL": "0",
        "JCGRAPH_CACHE_MAX_ENTRIES": "10",
        "JCGRAPH_CACHE_MAX_BYTES": "4096",
    }
    settings = Settings.from_env(env)
    assert client_config(settings).deadline_seconds == 8  # twice the timeout when unset
    assert (settings.breaker_threshold, settings.breaker_cool_down) == (3, 12)
    assert (settings.negative_ttl, settings.cache_max_entries, settings.cache_max_bytes) == (
        0,
        10,
        4096,
    )
    later = Settings.from_env({**env, "JCGRAPH_REQUEST_DEADLINE": "30"})
    assert client_config(later).deadline_seconds == 30
    with pytest.raises(ValueError, match="JCGRAPH_REQUEST_DEADLINE"):
        Settings.from_env({**env, "JCGRAPH_REQUEST_DEADLINE": "0"})


async def test_a_stale_answer_costs_one_attempt_not_every_retry() -> None:
    async with gateway(shaped_org(), cache_ttl=60) as gw:
        await gw.query(GROUPS)
        gw.clock.advance(120)
        gw.faults.burst(100, status=502)
        payload = (await gw.post(GROUPS, **{"x-jcgraph-cost": "1"})).json()
    assert payload["extensions"]["cost"]["stale"] is True
    assert gw.log.count(status=502) == 1
