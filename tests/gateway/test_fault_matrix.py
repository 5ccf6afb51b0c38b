"""The fault matrix: whatever JumpCloud does, every value answered is the store's own.

Each scenario runs the same frontend query in virtual time (tests.virtual_time, so pauses,
timeouts and retries take no real time) and checks every user, group and access the
response holds against the store; what could not be read is null beside an UPSTREAM_* error,
and the response itself is never `data: null`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import stamina

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests import oracle
from tests.harness import Harness, gateway
from tests.virtual_time import run

QUERY = """{ users(first: 30) { edges { node { jumpcloudId email
  groups { edges { node { jumpcloudId name } } }
  applications { edges { kind node { jumpcloudId } paths { viaGroupId } } } } } } }"""

ORG = generate_org(OrgSizes(users=40, groups=8, applications=6), seed=13)
Setup = Callable[[Harness], Awaitable[None]]


async def warm_then_down(gw: Harness) -> None:
    await gw.query(QUERY)
    gw.clock.advance(gw.app.state.settings.cache_ttl + 1)
    gw.faults.error_rate = 1.0


async def cold_and_down(gw: Harness) -> None:
    gw.faults.error_rate = 1.0


def errors_at(rate: float) -> Setup:
    async def setup(gw: Harness) -> None:
        gw.faults.error_rate = rate

    return setup


async def rate_limited(gw: Harness) -> None:
    gw.faults.rate_limit(3, retry_after="1")  # fewer 429s than one read may retry


async def hung(gw: Harness) -> None:
    gw.faults.hang(3)


SCENARIOS: dict[str, tuple[Setup, bool]] = {
    # name: (what JumpCloud does, whether every user must be answered)
    "20% 5xx": (errors_at(0.2), False),
    "50% 5xx": (errors_at(0.5), False),
    "429 storm": (rate_limited, True),
    "outage, warm cache": (warm_then_down, True),
    "outage, cold cache": (cold_and_down, False),
    "hung upstream": (hung, False),
}


def check(org: Org, payload: dict[str, Any]) -> int:
    """Every value in the response against the store; the number of users checked."""
    assert payload["data"] is not None, payload
    for error in payload.get("errors", []):
        assert error["extensions"]["code"].startswith("UPSTREAM_"), error
    users = payload["data"]["users"]
    if users is None:
        return 0
    for edge in users["edges"]:
        user = edge["node"]
        record = org.users[user["jumpcloudId"]]
        assert user["email"] == record["email"]
        if user["groups"] is not None:
            got = {g["node"]["jumpcloudId"]: g["node"]["name"] for g in user["groups"]["edges"]}
            assert set(got) == oracle.groups_of(org, user["jumpcloudId"])
            assert all(org.groups[g]["name"] == name for g, name in got.items())
        if user["applications"] is not None:
            want = oracle.effective(org, user["jumpcloudId"], "application")
            got_vias = {
                e["node"]["jumpcloudId"]: {p["viaGroupId"] for p in e["paths"]}
                for e in user["applications"]["edges"]
            }
            assert got_vias == want
            for e in user["applications"]["edges"]:
                assert e["kind"] == oracle.kind(want[e["node"]["jumpcloudId"]])
    return len(users["edges"])


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_answered_value_is_the_stores(scenario: str) -> None:
    setup, complete = SCENARIOS[scenario]

    async def scenario_run() -> dict[str, Any]:
        async with gateway(ORG) as gw:
            await setup(gw)
            response = await gw.post(QUERY)
            assert response.status_code == 200
            payload: dict[str, Any] = response.json()
            return payload

    with stamina.set_testing(False):  # real backoff, in virtual time
        payload = run(scenario_run)
    checked = check(ORG, payload)
    if complete:  # throttled or stale, but whole
        assert checked == 30
        assert "errors" not in payload, payload["errors"]
