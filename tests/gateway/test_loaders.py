"""A request's loaders: made on first use, batched into few directory and graph reads.

Counted as upstream calls in the simulator's request log, over the real client and the
in-process simulator; the graph records each batch it is asked so a batch is seen whole.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.access import AccessGraph
from gateway.access_pieces import Pieces
from gateway.cache import MISSING
from gateway.cache_levels import open_cache
from gateway.directory import Directory
from gateway.jumpcloud.client import JumpCloudClient
from gateway.jumpcloud.config import ClientConfig
from gateway.jumpcloud.errors import PermissionDeniedError
from gateway.loaders import Loaders
from gateway.model import (
    ADMIN,
    APPLICATION,
    GROUP,
    MEMBERSHIP,
    USER,
    AccessPlan,
    Kind,
    Listing,
    Relation,
    SortKey,
)
from gateway.request_cost import RequestCost
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests.clock import FakeClock
from tests.harness import API_KEY

TTL = 60.0
NOBODY = "0" * 24
"""A well-formed id no object of the simulated organisation has."""


class RecordingGraph(AccessGraph):
    """The access graph, noting each batch of ids it is asked and the total expected."""

    batches: list[tuple[list[str], int]]

    async def neighbours(
        self, relation: Relation, side: Kind, ids: Sequence[str], *, expected: int = 0
    ) -> dict[str, Pieces]:
        self.batches.append((list(ids), expected))
        return await super().neighbours(relation, side, ids, expected=expected)


@dataclass
class Request:
    loaders: Loaders
    log: RequestLog
    faults: Faults
    clock: FakeClock
    org: Org
    graph: RecordingGraph

    @property
    def directory(self) -> Directory:
        return self.loaders.directory

    def another(self) -> Loaders:
        """The next request's loaders, over the same directory and cache."""
        return Loaders(self.directory, self.graph)


def org_of(users: int = 20, groups: int = 5) -> Org:
    return generate_org(OrgSizes(users=users, groups=groups, applications=3), seed=1)


@asynccontextmanager
async def simulated(org: Org) -> AsyncIterator[Request]:
    """One request's loaders over the real client and the simulator app, on a fake clock;
    the graph reads per key, so its calls are one per object."""
    log, faults, clock = RequestLog(), Faults(), FakeClock()
    app = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    config = ClientConfig(api_key=API_KEY, base_url="http://jumpcloud.test")
    cache = open_cache("memory://", namespace="t:", ttl=TTL, stale_ttl=0, clock=clock)
    async with JumpCloudClient(config, transport=httpx.ASGITransport(app=app)) as client:
        directory = Directory(client, cache)
        graph = RecordingGraph(
            client, cache, directory.ids, plan=AccessPlan.PER_KEY, clock=clock, window=TTL
        )
        graph.batches = []
        yield Request(Loaders(directory, graph), log, faults, clock, org, graph)
    await cache.close()


async def settled(log: RequestLog, calls: int) -> None:
    """Let work started in the background run until `calls` upstream calls were answered."""
    for _ in range(10_000):
        if log.total >= calls:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{log.total} calls answered, waited for {calls}")


async def test_each_loader_is_made_on_first_use_and_reused() -> None:
    async with simulated(org_of()) as r:
        loaders = r.loaders
        assert loaders.record(USER) is loaders.record(USER)
        assert loaders.record(GROUP) is loaders.record(GROUP)
        assert loaders.record(USER) is not loaders.record(GROUP)
        assert loaders.edges(MEMBERSHIP, USER) is loaders.edges(MEMBERSHIP, USER)
        assert loaders.edges(MEMBERSHIP, USER) is not loaders.edges(MEMBERSHIP, GROUP)
        assert loaders.lookup(USER, "email") is loaders.lookup(USER, "email")
        assert loaders.lookup(USER, "email") is not loaders.lookup(USER, "username")
        assert loaders.admins_by_email is loaders.admins_by_email
        assert r.another().record(USER) is not loaders.record(USER)
    assert r.log.total == 0


async def test_records_of_a_whole_kind_come_from_its_collection_in_one_call() -> None:
    org = org_of(groups=8)
    ids = sorted(org.groups)
    async with simulated(org) as r:
        found = await r.loaders.record(GROUP).load_many([*ids, NOBODY])
        collection = await r.loaders.collection(GROUP)
    assert found == [*(org.groups[i] for i in ids), None]
    assert [g["id"] for g in collection] == ids
    assert r.log.count(operation="groups_user_list") == r.log.total == 1


async def test_concurrent_user_loads_are_one_in_call() -> None:
    org = org_of(users=60)
    ids = sorted(org.users)[:50]
    async with simulated(org) as r:
        loader = r.loaders.record(USER)
        found = await asyncio.gather(*(loader.load(i) for i in [*ids, NOBODY]))
    assert found == [*(org.users[i] for i in ids), None]
    assert r.log.count(operation="systemusers_list") == r.log.total == 1


async def test_users_read_by_one_request_are_served_to_the_next_from_the_cache() -> None:
    org = org_of()
    ids = sorted(org.users)[:5]
    async with simulated(org) as r:
        await r.loaders.record(USER).load_many(ids)
        found = await r.another().record(USER).load_many(ids)
    assert found == [org.users[i] for i in ids]
    assert r.log.total == 1


async def test_a_prefetched_collection_is_the_one_its_reader_gets() -> None:
    org = org_of()
    async with simulated(org) as r:
        r.loaders.prefetch(GROUP)
        await settled(r.log, 1)
        groups = await r.loaders.collection(GROUP)
    assert [g["id"] for g in groups] == sorted(org.groups)
    assert r.log.total == 1


async def test_a_prefetch_and_a_reader_started_together_share_one_read() -> None:
    async with simulated(org_of()) as r:
        r.loaders.prefetch(GROUP)
        await r.loaders.collection(GROUP)
    assert r.log.total == 1


async def test_a_collection_held_fresh_or_a_listed_kind_is_not_prefetched() -> None:
    async with simulated(org_of()) as r:
        await r.loaders.collection(GROUP)
        loaders = r.another()
        loaders.prefetch(GROUP)
        loaders.prefetch(USER)
        for _ in range(100):
            await asyncio.sleep(0)
    assert r.log.total == 1


async def test_a_failed_prefetch_raises_at_its_reader_not_at_the_prefetch() -> None:
    async with simulated(org_of()) as r:
        r.faults.burst(1, status=403, route="groups_user_list")
        r.loaders.prefetch(GROUP)
        await settled(r.log, 1)
        with pytest.raises(PermissionDeniedError):
            await r.loaders.collection(GROUP)
    assert r.log.total == 1


async def test_a_failed_prefetch_nobody_reads_is_not_reported_as_unretrieved() -> None:
    unhandled: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: unhandled.append(context))
    try:
        async with simulated(org_of()) as r:
            r.faults.burst(1, status=403, route="groups_user_list")
            r.loaders.prefetch(GROUP)
            await settled(r.log, 1)
            for _ in range(10):
                await asyncio.sleep(0)
            del r
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert unhandled == []


async def test_records_now_answers_users_only_when_every_one_is_held_fresh() -> None:
    org = org_of()
    a, b = sorted(org.users)[:2]
    async with simulated(org) as r:
        assert r.loaders.records_now(USER, [a]) is None
        await r.loaders.record(USER).load(a)
        assert r.loaders.records_now(USER, [a]) == [org.users[a]]
        assert r.loaders.records_now(USER, [a, b]) is None
        r.clock.advance(TTL)
        assert r.loaders.records_now(USER, [a]) is None


async def test_records_now_answers_a_whole_kind_from_its_collection() -> None:
    org = org_of()
    gid = sorted(org.groups)[0]
    async with simulated(org) as r:
        assert r.loaders.records_now(GROUP, [gid]) is None
        await r.loaders.collection(GROUP)
        assert r.loaders.records_now(GROUP, [gid, NOBODY]) == [org.groups[gid], None]
    assert r.log.total == 1


async def test_a_collection_seen_fresh_is_held_for_the_rest_of_the_request() -> None:
    org = org_of()
    gid = sorted(org.groups)[0]
    async with simulated(org) as r:
        await r.loaders.collection(GROUP)
        assert r.loaders.records_now(GROUP, [gid]) == [org.groups[gid]]
        r.clock.advance(TTL)
        assert r.loaders.records_now(GROUP, [gid]) == [org.groups[gid]]
        assert r.another().records_now(GROUP, [gid]) is None


async def test_edges_refuse_a_kind_that_is_not_a_side_at_once() -> None:
    async with simulated(org_of()) as r:
        with pytest.raises(ValueError, match="not a side of membership"):
            r.loaders.edges(MEMBERSHIP, APPLICATION)
    assert r.log.total == 0


async def test_concurrent_neighbour_loads_are_one_graph_batch() -> None:
    org = org_of()
    ids = sorted(org.users)[:4]
    async with simulated(org) as r:
        loader = r.loaders.edges(MEMBERSHIP, USER)
        found = await asyncio.gather(*(loader.load(i) for i in ids))
        again = await r.another().edges(MEMBERSHIP, USER).load_many(ids)
    assert r.graph.batches[0] == (ids, 0)
    assert len(r.graph.batches) == 2
    assert r.log.count(operation="graph_userMemberOf") == r.log.total == 4
    for uid, neighbours, cached in zip(ids, found, again, strict=True):
        groups = {g for u, g in org.memberships if u == uid}
        assert {n.id for n in neighbours} == {n.id for n in cached} == groups


async def test_neighbours_read_are_then_held_in_memory() -> None:
    org = org_of()
    uid = sorted(org.users)[0]
    async with simulated(org) as r:
        assert r.loaders.edges_now(MEMBERSHIP, USER, uid) is None
        found = await r.loaders.edges(MEMBERSHIP, USER).load(uid)
        assert r.loaders.edges_now(MEMBERSHIP, USER, uid) == found


async def test_expect_keeps_the_largest_total_for_the_edge_reads_of_its_kind() -> None:
    org = org_of()
    uid = sorted(org.users)[0]
    async with simulated(org) as r:
        r.loaders.expect(USER, 40)
        r.loaders.expect(USER, 10)
        r.loaders.expect(GROUP, 99)
        await r.loaders.edges(MEMBERSHIP, USER).load(uid)
    assert r.graph.batches == [([uid], 40)]


async def test_a_page_read_sets_the_total_edge_reads_plan_for() -> None:
    org = org_of(users=30)
    async with simulated(org) as r:
        page = await r.loaders.page(Listing(USER, 0, 5, sort=(SortKey("_id"),)))
        await r.loaders.edges(MEMBERSHIP, USER).load(page.ids[0])
        loaders = r.another()
        assert loaders.page_now(Listing(USER, 0, 5, sort=(SortKey("_id"),))) == page
        await loaders.edges(MEMBERSHIP, USER).load(page.ids[1])
    assert page.ids == sorted(org.users)[:5]
    assert [expected for _, expected in r.graph.batches] == [30, 30]
    assert r.log.count(operation="systemusers_list") == 1


async def test_page_now_is_none_until_the_page_is_read() -> None:
    async with simulated(org_of()) as r:
        assert r.loaders.page_now(Listing(USER, 0, 5, sort=(SortKey("_id"),))) is None
    assert r.log.total == 0


async def test_concurrent_lookups_are_one_call() -> None:
    org = org_of()
    users = list(org.users.values())[:6]
    async with simulated(org) as r:
        loader = r.loaders.lookup(USER, "email")
        emails = [u["email"] for u in users]
        found = await asyncio.gather(*(loader.load(e) for e in [*emails, "nobody@example.invalid"]))
        held = r.loaders.lookup_now(USER, "email", emails[0])
    assert found == [*(u["_id"] for u in users), None]
    assert held == users[0]["_id"]
    assert r.log.count(operation="systemusers_list") == r.log.total == 1


async def test_lookup_now_is_missing_until_the_value_is_looked_up() -> None:
    org = org_of()
    email = next(iter(org.users.values()))["email"]
    async with simulated(org) as r:
        assert r.loaders.lookup_now(USER, "email", email) is MISSING
    assert r.log.total == 0


async def test_admins_are_found_by_email_without_regard_to_case_in_one_call() -> None:
    org = org_of()
    admins = list(org.admins.values())[:3]
    async with simulated(org) as r:
        loader = r.loaders.admins_by_email
        found = await asyncio.gather(
            *(loader.load(a["email"].upper()) for a in admins),
            loader.load("nobody@example.invalid"),
        )
        await r.loaders.collection(ADMIN)
    assert [f["email"] if f else None for f in found] == [*(a["email"] for a in admins), None]
    assert r.log.count(operation="admins_list") == r.log.total == 1


async def test_prefetching_a_warm_collection_serves_nothing_so_counts_no_hit() -> None:
    async with simulated(org_of()) as r:
        await r.loaders.collection(GROUP)
        cost = RequestCost()
        loaders = Loaders(r.directory.charging(cost), r.graph)
        loaders.prefetch(GROUP)
        await loaders.collection(GROUP)
    assert cost.cache.hits == 1
