"""Whole responses are replayed exactly as long as recomputing them would give the same."""

from __future__ import annotations

import re
import tracemalloc

import orjson
import pytest

from gateway.response_cache import ResponseCache
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import Harness, gateway

GROUPS = "{ groups(first: 5) { edges { node { jumpcloudId name } } } }"
USERS_AND_GROUPS = """{ users(first: 3) { edges { node { jumpcloudId username } } }
  groups(first: 5) { edges { node { jumpcloudId name } } } }"""


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=20, groups=6, applications=3), seed=5)


async def replayed(gw: Harness) -> int:
    metrics = (await gw.http.get("/metrics")).text
    found = re.search(r"^jcgraph_responses_replayed_total (\S+)$", metrics, re.M)
    assert found is not None
    return int(float(found.group(1)))


async def test_a_warm_response_is_replayed_without_reading_the_cache(org: Org) -> None:
    async with gateway(org) as gw:
        first = (await gw.post(GROUPS)).content  # read upstream: not kept
        second = (await gw.post(GROUPS)).content  # from cache entries only: kept
        assert await replayed(gw) == 0
        calls = gw.log.total
        third = (await gw.post(GROUPS)).content
        assert await replayed(gw) == 1
        assert gw.log.total == calls
    assert first == second == third


async def test_a_change_upstream_shows_once_its_entries_expire_and_not_before(org: Org) -> None:
    group_id = next(iter(org.groups))
    async with gateway(org) as gw:
        await gw.query(GROUPS)
        await gw.query(GROUPS)  # kept
        org.groups[group_id]["name"] = "Renamed upstream"
        gw.clock.advance(gw.app.state.settings.cache_ttl - 1)
        before = await gw.query(GROUPS)  # the entries are fresh: recomputing gives the same
        assert await replayed(gw) == 1
        gw.clock.advance(2)
        after = await gw.query(GROUPS)
        assert await replayed(gw) == 1  # expired with its entries: computed again
    names = {e["node"]["jumpcloudId"]: e["node"]["name"] for e in before["groups"]["edges"]}
    assert names[group_id] != "Renamed upstream"
    names = {e["node"]["jumpcloudId"]: e["node"]["name"] for e in after["groups"]["edges"]}
    assert names[group_id] == "Renamed upstream"


async def test_a_response_lives_only_as_long_as_its_first_entry_to_expire(org: Org) -> None:
    ttl = 300
    async with gateway(org, cache_ttl=ttl) as gw:
        await gw.query("{ users(first: 3) { edges { node { jumpcloudId } } } }")  # users at t0
        gw.clock.advance(200)
        await gw.query(USERS_AND_GROUPS)  # groups read at t0 + 200: not kept
        await gw.query(USERS_AND_GROUPS)  # kept until t0 + 300, when the users page expires
        gw.clock.advance(99)
        await gw.query(USERS_AND_GROUPS)
        assert await replayed(gw) == 1
        calls = gw.log.total
        gw.clock.advance(2)  # t0 + 301: the users entries expired, the groups did not
        await gw.query(USERS_AND_GROUPS)
        assert await replayed(gw) == 1
        assert gw.log.total > calls  # the page was read again


async def test_errors_stale_answers_and_cost_reports_are_never_replayed(org: Org) -> None:
    async with gateway(org) as gw:
        for _ in range(3):  # an error (a bad global id): computed each time
            response = (await gw.post('{ node(id: "nope") { id } }')).json()
            assert response["errors"]
        await gw.query(GROUPS)
        for _ in range(2):  # asking what it costs: the answer must be this request's
            response = (await gw.post(GROUPS, **{"x-jcgraph-cost": "1"})).json()
            assert response["extensions"]["cost"]["upstreamCalls"] == 0
        gw.clock.advance(gw.app.state.settings.cache_ttl + 1)
        gw.faults.error_rate = 1.0
        for _ in range(2):  # JumpCloud down, entries stale: served stale, never kept
            response = (await gw.post(GROUPS)).json()
            assert response["extensions"]["cost"]["stale"] is True
        assert await replayed(gw) == 0


async def test_each_request_is_its_own_key(org: Org) -> None:
    query = "query($n: Int) { groups(first: $n) { edges { node { name } } } }"
    async with gateway(org) as gw:
        for n in (1, 2, 1, 2, 1, 2):
            data = await gw.query(query, {"n": n})
            assert len(data["groups"]["edges"]) == n
        # The first request read upstream; every later one computed once, then replayed.
        assert await replayed(gw) == 3


def test_a_kept_body_holds_only_its_own_bytes() -> None:
    """The byte bound counts what is held: orjson.dumps returns a body inside its whole
    output buffer (4 KiB for a short one), and keeping that buffer made 5,000 short
    responses hold about 20 MB while the bound counted under 1."""
    cache = ResponseCache(clock=lambda: 0.0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(100):
            cache.keep(b"%d" % i, orjson.dumps({"data": {"n": i}}), expires_at=1.0)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache.get(b"7") == b'{"data":{"n":7}}'
    assert held < 100 * 1024  # a few hundred bytes an entry, not orjson's 4 KiB
