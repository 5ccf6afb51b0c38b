"""The directory's read contract, as upstream calls in the simulator's request log.

Small collections are read whole once; users and systems by id in `$in` batches, by page and
by unique field; a fresh entry is served with no call, from memory without awaiting, and a
request's charged view counts its own calls and cache reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from gateway.cache import MISSING
from gateway.cache_levels import open_cache
from gateway.directory import Directory
from gateway.jumpcloud.client import JumpCloudClient
from gateway.jumpcloud.config import ClientConfig
from gateway.model import GROUP, SYSTEM, USER, Listing, SortKey
from gateway.request_cost import RequestCost
from gateway.simulator.app import create_simulator_app
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests.clock import FakeClock
from tests.harness import API_KEY

TTL = 60.0
NOBODY = "0" * 24
"""A well-formed id no object of the simulated organisation has."""
BY_ID = (SortKey("_id"),)


@dataclass
class Upstream:
    directory: Directory
    log: RequestLog
    clock: FakeClock
    org: Org


def org_of(users: int = 20, groups: int = 5) -> Org:
    return generate_org(OrgSizes(users=users, groups=groups, applications=3), seed=1)


@asynccontextmanager
async def simulated(org: Org, *, negative_ttl: float = 0.0) -> AsyncIterator[Upstream]:
    """A directory over the real client and the simulator app, in process, on a fake clock."""
    log = RequestLog()
    app = create_simulator_app(Store.single(org, API_KEY), log=log)
    clock = FakeClock()
    config = ClientConfig(api_key=API_KEY, base_url="http://jumpcloud.test")
    cache = open_cache(
        "memory://", namespace="t:", ttl=TTL, stale_ttl=0, clock=clock, negative_ttl=negative_ttl
    )
    async with JumpCloudClient(config, transport=httpx.ASGITransport(app=app)) as client:
        yield Upstream(Directory(client, cache), log, clock, org)
    await cache.close()


async def test_a_whole_collection_is_read_once_then_served_from_the_cache() -> None:
    org = org_of(groups=5)
    async with simulated(org) as up:
        first = await up.directory.collection(GROUP)
        calls = up.log.total
        second = await up.directory.collection(GROUP)
    assert calls == up.log.count(operation="groups_user_list") == 1
    assert up.log.total == 1
    assert [g["id"] for g in first] == sorted(org.groups) == [g["id"] for g in second]


async def test_a_collection_of_130_is_read_in_two_pages() -> None:
    async with simulated(org_of(groups=130)) as up:
        found = await up.directory.whole(GROUP)
    assert len(found.records) == len(found.by_id) == 130
    assert up.log.count(operation="groups_user_list") == up.log.total == 2


async def test_an_object_of_a_whole_kind_is_found_by_id_in_its_collection() -> None:
    org = org_of()
    gid = sorted(org.groups)[2]
    async with simulated(org) as up:
        found = await up.directory.whole(GROUP)
        ids = await up.directory.ids(GROUP)
    assert found.by_id[gid]["name"] == org.groups[gid]["name"]
    assert ids == sorted(org.groups)
    assert up.log.total == 1


async def test_a_listed_kind_is_not_read_whole() -> None:
    async with simulated(org_of()) as up:
        with pytest.raises(ValueError, match="not read whole"):
            await up.directory.whole(USER)
    assert up.log.total == 0


async def test_every_user_id_is_listed_once_then_served_from_the_cache() -> None:
    org = org_of(users=150)
    async with simulated(org) as up:
        first = await up.directory.ids(USER)
        second = await up.directory.ids(USER)
    assert first == second == sorted(org.users)
    assert up.log.count(operation="systemusers_list") == up.log.total == 2


async def test_250_users_by_id_are_three_in_batches_then_none() -> None:
    org = org_of(users=260)
    ids = sorted(org.users)[:250]
    async with simulated(org) as up:
        found = await up.directory.records(USER, ids)
        cold = up.log.total
        again = await up.directory.records(USER, ids)
    assert cold == up.log.count(operation="systemusers_list") == 3
    assert up.log.total == 3
    assert found == again == {i: org.users[i] for i in ids}


async def test_absent_and_malformed_ids_are_absent_and_a_malformed_one_costs_nothing() -> None:
    org = org_of()
    uid = next(iter(org.users))
    async with simulated(org) as up:
        assert await up.directory.records(USER, ["../admins"]) == {}
        assert up.log.total == 0
        found = await up.directory.records(USER, [uid, NOBODY])
    assert found == {uid: org.users[uid]}
    assert up.log.total == 1


async def test_an_absent_id_is_asked_again_without_a_negative_ttl() -> None:
    async with simulated(org_of()) as up:
        await up.directory.records(USER, [NOBODY])
        await up.directory.records(USER, [NOBODY])
    assert up.log.total == 2


async def test_an_absent_id_is_remembered_for_the_negative_ttl() -> None:
    async with simulated(org_of(), negative_ttl=30) as up:
        await up.directory.records(USER, [NOBODY])
        assert await up.directory.records(USER, [NOBODY]) == {}
        assert up.log.total == 1
        up.clock.advance(30)
        await up.directory.records(USER, [NOBODY])
    assert up.log.total == 2


async def test_systems_are_read_by_id_too() -> None:
    org = org_of()
    sid = sorted(org.systems)[0]
    async with simulated(org) as up:
        found = await up.directory.records(SYSTEM, [sid])
        await up.directory.records(SYSTEM, [sid])
    assert found == {sid: org.systems[sid]}
    assert up.log.count(operation="systems_list") == up.log.total == 1


async def test_users_looked_up_by_email_cost_one_call_then_none() -> None:
    org = org_of()
    users = list(org.users.values())[:5]
    emails = [u["email"] for u in users]
    async with simulated(org) as up:
        first = await up.directory.ids_by(USER, "email", [*emails, "nobody@example.invalid"])
        second = await up.directory.ids_by(USER, "email", emails)
    assert first == second == {u["email"]: u["_id"] for u in users}
    assert up.log.count(operation="systemusers_list") == up.log.total == 1


async def test_150_usernames_are_looked_up_in_two_calls() -> None:
    org = org_of(users=160)
    users = list(org.users.values())[:150]
    async with simulated(org) as up:
        found = await up.directory.ids_by(USER, "username", [u["username"] for u in users])
    assert found == {u["username"]: u["_id"] for u in users}
    assert up.log.total == 2


async def test_a_lookup_fills_the_records_it_found() -> None:
    org = org_of()
    user = next(iter(org.users.values()))
    async with simulated(org) as up:
        await up.directory.ids_by(USER, "email", [user["email"]])
        found = await up.directory.records(USER, [user["_id"]])
    assert found == {user["_id"]: user}
    assert up.log.total == 1


async def test_an_unknown_value_is_asked_again_unless_remembered_absent() -> None:
    async with simulated(org_of()) as up:
        await up.directory.ids_by(USER, "email", ["nobody@example.invalid"])
        await up.directory.ids_by(USER, "email", ["nobody@example.invalid"])
    assert up.log.total == 2
    async with simulated(org_of(), negative_ttl=30) as up:
        await up.directory.ids_by(USER, "email", ["nobody@example.invalid"])
        assert await up.directory.ids_by(USER, "email", ["nobody@example.invalid"]) == {}
    assert up.log.total == 1


async def test_a_value_no_filter_can_express_is_absent_and_sent_nowhere() -> None:
    async with simulated(org_of()) as up:
        assert await up.directory.ids_by(USER, "username", ["back\\slash"]) == {}
        assert up.directory.id_by_in_memory(USER, "username", "back\\slash") is MISSING
    assert up.log.total == 0


async def test_a_field_that_is_not_a_lookup_is_refused() -> None:
    async with simulated(org_of()) as up:
        with pytest.raises(ValueError, match="cannot be looked up by"):
            await up.directory.ids_by(USER, "hostname", ["x"])
        assert up.directory.id_by_in_memory(USER, "hostname", "x") is MISSING
    assert up.log.total == 0


async def test_a_page_is_read_once_per_window() -> None:
    org = org_of(users=30)
    async with simulated(org) as up:
        first = await up.directory.page(Listing(USER, 0, 10, sort=BY_ID))
        again = await up.directory.page(Listing(USER, 0, 10, sort=BY_ID))
        assert up.log.total == 1
        other = await up.directory.page(Listing(USER, 10, 10, sort=BY_ID))
    assert first == again
    assert first.ids == sorted(org.users)[:10] == first.values
    assert other.ids == sorted(org.users)[10:20]
    assert first.total == other.total == 30
    assert up.log.count(operation="systemusers_list") == up.log.total == 2


async def test_a_window_of_250_is_three_pages_and_fills_the_records() -> None:
    org = org_of(users=260)
    async with simulated(org) as up:
        page = await up.directory.page(Listing(USER, 0, 250, sort=BY_ID))
        records = await up.directory.records(USER, page.ids)
    assert page.ids == sorted(org.users)[:250]
    assert page.total == 260
    assert len(records) == 250
    assert up.log.total == 3


async def test_a_window_past_the_end_stops_at_the_total() -> None:
    org = org_of(users=120)
    async with simulated(org) as up:
        page = await up.directory.page(Listing(USER, 0, 300, sort=BY_ID))
    assert page.ids == sorted(org.users)
    assert up.log.total == 2


async def test_a_page_is_in_memory_only_once_read_and_while_fresh() -> None:
    async with simulated(org_of()) as up:
        d = up.directory
        assert d.page_in_memory(Listing(USER, 0, 5, sort=BY_ID)) is None
        page = await d.page(Listing(USER, 0, 5, sort=BY_ID))
        assert d.page_in_memory(Listing(USER, 0, 5, sort=BY_ID)) == page
        assert d.page_in_memory(Listing(USER, 5, 5, sort=BY_ID)) is None
        up.clock.advance(TTL)
        assert d.page_in_memory(Listing(USER, 0, 5, sort=BY_ID)) is None


async def test_records_are_in_memory_only_when_every_one_is_held_fresh() -> None:
    org = org_of()
    a, b = sorted(org.users)[:2]
    async with simulated(org) as up:
        assert up.directory.records_in_memory(USER, [a]) is None
        await up.directory.records(USER, [a])
        assert up.directory.records_in_memory(USER, [a]) == [org.users[a]]
        assert up.directory.records_in_memory(USER, [a, b]) is None
        up.clock.advance(TTL)
        assert up.directory.records_in_memory(USER, [a]) is None
    assert up.directory.records_in_memory(USER, []) == []


async def test_a_remembered_absence_is_not_answered_from_memory() -> None:
    async with simulated(org_of(), negative_ttl=30) as up:
        await up.directory.records(USER, [NOBODY])
        assert up.directory.records_in_memory(USER, [NOBODY]) is None


async def test_a_collection_is_in_memory_only_once_read_and_while_fresh() -> None:
    async with simulated(org_of()) as up:
        assert up.directory.whole_in_memory(GROUP) is None
        found = await up.directory.whole(GROUP)
        assert up.directory.whole_in_memory(GROUP) is found
        up.clock.advance(TTL - 1)
        assert up.directory.whole_in_memory(GROUP) is found
        up.clock.advance(1)
        assert up.directory.whole_in_memory(GROUP) is None
    assert up.log.total == 1


async def test_a_looked_up_id_is_in_memory_while_fresh() -> None:
    org = org_of()
    user = next(iter(org.users.values()))
    async with simulated(org) as up:
        assert up.directory.id_by_in_memory(USER, "email", user["email"]) is MISSING
        await up.directory.ids_by(USER, "email", [user["email"]])
        assert up.directory.id_by_in_memory(USER, "email", user["email"]) == user["_id"]
        up.clock.advance(TTL)
        assert up.directory.id_by_in_memory(USER, "email", user["email"]) is MISSING


async def test_expired_entries_are_read_again() -> None:
    org = org_of()
    uid = next(iter(org.users))
    async with simulated(org) as up:
        await up.directory.whole(GROUP)
        await up.directory.records(USER, [uid])
        up.clock.advance(TTL)
        await up.directory.whole(GROUP)
        await up.directory.records(USER, [uid])
    assert up.log.total == 4


async def test_organisations_are_listed_once_then_served_from_the_cache() -> None:
    org = org_of()
    async with simulated(org) as up:
        first = await up.directory.organizations()
        second = await up.directory.organizations()
    assert first == second
    assert [o["_id"] for o in first] == [org.id]
    assert up.log.count(operation="organization_list") == up.log.total == 1


async def test_a_charged_view_counts_its_own_calls_and_cache_reads() -> None:
    org = org_of()
    uid = next(iter(org.users))
    async with simulated(org) as up:
        mine, theirs = RequestCost(), RequestCost()
        await up.directory.charging(mine).whole(GROUP)
        await up.directory.charging(mine).records(USER, [uid])
        await up.directory.charging(theirs).whole(GROUP)
    assert (mine.upstream.calls, mine.cache.misses, mine.cache.hits) == (2, 2, 0)
    assert (theirs.upstream.calls, theirs.cache.misses, theirs.cache.hits) == (0, 0, 1)
    assert up.log.total == 2


async def test_an_uncharged_read_lands_in_no_request_cost() -> None:
    async with simulated(org_of()) as up:
        cost = RequestCost()
        up.directory.charging(cost)
        await up.directory.whole(GROUP)
    assert cost == RequestCost()


async def test_a_hit_from_memory_is_charged_to_the_view_that_asked() -> None:
    async with simulated(org_of()) as up:
        await up.directory.whole(GROUP)
        cost = RequestCost()
        assert up.directory.charging(cost).whole_in_memory(GROUP) is not None
    assert (cost.upstream.calls, cost.cache.hits) == (0, 1)
    assert cost.cache.oldest_stored_at == up.clock.now


async def test_a_max_age_of_zero_reads_a_cached_entry_again() -> None:
    async with simulated(org_of()) as up:
        await up.directory.whole(GROUP)
        cost = RequestCost()
        fresh = up.directory.charging(cost, max_age=0)
        assert fresh.whole_in_memory(GROUP) is None
        await fresh.whole(GROUP)
        assert up.log.total == 2
        await up.directory.whole(GROUP)
    assert (cost.upstream.calls, cost.cache.misses, cost.cache.hits) == (1, 1, 0)
    assert up.log.total == 2


async def test_a_max_age_is_measured_against_the_entrys_age() -> None:
    async with simulated(org_of()) as up:
        await up.directory.whole(GROUP)
        up.clock.advance(10)
        await up.directory.charging(RequestCost(), max_age=20).whole(GROUP)
        assert up.log.total == 1
        await up.directory.charging(RequestCost(), max_age=5).whole(GROUP)
    assert up.log.total == 2


async def test_a_lookup_remembered_as_absent_is_answered_none_from_memory() -> None:
    async with simulated(org_of(), negative_ttl=30) as up:
        assert await up.directory.ids_by(USER, "email", ["nobody@example.invalid"]) == {}
        assert up.log.total == 1
        assert up.directory.id_by_in_memory(USER, "email", "nobody@example.invalid") is None
        up.clock.advance(30)  # past the negative TTL: no longer known
        assert up.directory.id_by_in_memory(USER, "email", "nobody@example.invalid") is MISSING
