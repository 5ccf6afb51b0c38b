"""Independent reads start together: a query costs its dependent waves of round trips.

Runs in virtual time (tests.virtual_time) with a fixed latency per upstream request, so the
time a query takes is exactly its number of sequential round trips times that latency.
"""

from __future__ import annotations

import asyncio

from gateway.simulator.store import shaped_org
from tests.harness import gateway
from tests.virtual_time import run

RTT = 0.05
NESTED = """{ users(first: 50) { edges { node { groups(first: 20) { edges { node {
  applications(first: 20) { edges { node { name } } } } } } } } } }"""


def round_trips(query: str) -> tuple[float, int]:
    async def scenario() -> tuple[float, int]:
        async with gateway(shaped_org()) as gw:
            gw.faults.latency = RTT
            loop = asyncio.get_running_loop()
            started = loop.time()
            await gw.query(query)
            return (loop.time() - started) / RTT, gw.log.total

    return run(scenario)


def test_users_groups_applications_cost_three_waves() -> None:
    """The users page, the group and application collections start together (1); the groups'
    members give the users' groups (2); the applications' groups give the groups'
    applications (3). Nothing waits for a read it does not need."""
    waves, calls = round_trips(NESTED)
    assert calls == 21
    assert round(waves, 6) == 3


def test_a_lone_lookup_is_one_round_trip() -> None:
    waves, calls = round_trips("{ groups(first: 3) { edges { node { name } } } }")
    assert (round(waves, 6), calls) == (1, 1)
