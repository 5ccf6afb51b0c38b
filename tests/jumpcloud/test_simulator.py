"""The client against the in-process simulator: exact paging, batching, graph reads, faults."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from gateway.jumpcloud import (
    ClientConfig,
    Filter,
    GraphType,
    JumpCloudClient,
    NotFoundError,
    Op,
    Resource,
)
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org

from .fakes import API_KEY


@asynccontextmanager
async def simulated(
    org: Org, faults: Faults | None = None, **config: object
) -> AsyncIterator[tuple[JumpCloudClient, RequestLog]]:
    log = RequestLog()
    app = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    transport = httpx.ASGITransport(app=app)
    client = JumpCloudClient(
        ClientConfig(api_key=API_KEY, base_url="http://jumpcloud.test", **config),  # type: ignore[arg-type]
        transport=transport,
    )
    async with client:
        yield client, log


def org_of(users: int = 10, groups: int = 5) -> Org:
    return generate_org(OrgSizes(users=users, groups=groups, applications=3), seed=1)


@pytest.mark.parametrize("total", [0, 1, 100, 101, 250, 1000])
async def test_listing_users_is_exact_with_ceil_total_over_100_calls(total: int) -> None:
    org = org_of(users=total)
    async with simulated(org) as (client, log):
        users = await client.list_all(Resource.USERS)
    assert [u["_id"] for u in users] == sorted(org.users)
    assert len({u["_id"] for u in users}) == total
    assert log.total == max(1, math.ceil(total / 100))
    assert log.count(operation="systemusers_list", status=200) == log.total


async def test_v2_lists_accept_the_id_sort_and_read_every_group() -> None:
    org = org_of(users=50, groups=130)
    async with simulated(org) as (client, log):
        groups = await client.list_all(Resource.GROUPS)
    assert [g["id"] for g in groups] == sorted(org.groups)
    assert log.count(operation="groups_user_list", status=200) == 2


@pytest.mark.parametrize(
    "resource",
    [Resource.APPLICATIONS, Resource.ADMINS, Resource.ROLES, Resource.LDAP_SERVERS],
)
async def test_every_small_collection_lists_whole(resource: Resource) -> None:
    org = org_of()
    expected = {
        Resource.APPLICATIONS: org.applications,
        Resource.ADMINS: org.admins,
        Resource.ROLES: org.roles,
        Resource.LDAP_SERVERS: org.ldap_servers,
    }[resource]
    async with simulated(org) as (client, log):
        records = await client.list_all(resource)
    assert {r[resource.id_field] for r in records} == set(expected)
    assert log.total == 1


@pytest.mark.parametrize(
    "resource", [r for r in Resource if r.gettable and r is not Resource.USERS]
)
async def test_every_gettable_resource_reads_one_by_id(resource: Resource) -> None:
    async with simulated(org_of()) as (client, _):
        first = (await client.page(resource, limit=1)).records[0]
        assert await client.get(resource, first[resource.id_field]) == first


async def test_radius_servers_list_whole() -> None:
    org = org_of()
    async with simulated(org) as (client, _):
        servers = await client.list_all(Resource.RADIUS_SERVERS)
    assert {s["_id"] for s in servers} == set(org.radius_servers)


async def test_users_by_ids_batches_250_ids_into_3_calls() -> None:
    org = org_of(users=300)
    ids = sorted(org.users)[:250]
    async with simulated(org) as (client, log):
        users = await client.users_by_ids([*ids, "0" * 24])
    assert [u["_id"] for u in users] == ids
    assert log.total == 3


async def test_v1_filters_with_escaped_pipes_reach_the_simulator_intact() -> None:
    org = org_of(users=20)
    first = next(iter(org.users.values()))
    first["department"] = "Atlanta|Tampa"
    async with simulated(org) as (client, _):
        page = await client.page(
            Resource.USERS, filters=[Filter("department", Op.IN, ["Atlanta|Tampa", "nowhere"])]
        )
    assert [u["_id"] for u in page.records] == [first["_id"]]
    assert page.total == 1


async def test_group_members_match_the_store() -> None:
    org = org_of(users=300, groups=3)
    group_id, members = max(
        ((g, {u for u, gid in org.memberships if gid == g}) for g in org.groups),
        key=lambda pair: len(pair[1]),
    )
    async with simulated(org) as (client, log):
        edges = await client.graph(GraphType.USER_GROUP, group_id, "members")
    assert {e["to"]["id"] for e in edges} == members
    assert log.total == max(1, math.ceil(len(members) / 100))


async def test_a_burst_of_502s_recovers_and_a_missing_user_is_not_found() -> None:
    faults = Faults()
    faults.burst(3, status=502)
    org = org_of(users=150)
    async with simulated(org, faults) as (client, log):
        users = await client.list_all(Resource.USERS)
        with pytest.raises(NotFoundError):
            await client.get(Resource.USERS, "0" * 24)
    assert len(users) == 150
    assert log.count(status=502) == 3
    assert client.calls.total == log.total


async def test_a_rate_limit_is_retried() -> None:
    faults = Faults()
    faults.rate_limit(2, retry_after="2")
    async with simulated(org_of(users=5), faults) as (client, log):
        assert len(await client.list_all(Resource.USERS)) == 5
    assert log.count(status=429) == 2
    assert log.total == 3


async def test_systems_and_system_groups_list_whole_and_by_ids() -> None:
    org = generate_org(OrgSizes(users=20, groups=3, systems=230, system_groups=8), seed=2)
    async with simulated(org) as (client, log):
        systems = await client.list_all(Resource.SYSTEMS)
        groups = await client.list_all(Resource.SYSTEM_GROUPS)
        wanted = sorted(org.systems)[::7]
        some = await client.by_ids(Resource.SYSTEMS, wanted)
    assert [s["_id"] for s in systems] == list(org.systems)
    assert [g["id"] for g in groups] == list(org.system_groups)
    assert [s["_id"] for s in some] == wanted
    assert log.count(operation="systems_list", status=200) == 3 + 1
    assert log.count(operation="groups_system_list", status=200) == 1


async def test_every_system_graph_relation_reads_through_the_client() -> None:
    org = generate_org(OrgSizes(users=30, groups=4, systems=20, system_groups=5), seed=4)
    system, group = next(iter(org.system_memberships))
    user = next(u for t, u, k, _ in org.bindings if (t, k) == ("user", "system"))
    reads = {
        (GraphType.SYSTEM, system): ["memberof", "users", "usergroups"],
        (GraphType.SYSTEM_GROUP, group): ["members", "membership", "users", "usergroups"],
        (GraphType.USER, user): ["systems", "systemgroups"],
    }
    async with simulated(org) as (client, log):
        for (kind, object_id), relations in reads.items():
            for relation in relations:
                await client.graph(kind, object_id, relation)
        for kind, object_id, target in (
            (GraphType.SYSTEM, system, GraphType.USER),
            (GraphType.SYSTEM_GROUP, group, GraphType.RADIUS_SERVER),
        ):
            await client.graph(kind, object_id, "associations", targets=target)
        systems = await client.graph(GraphType.USER, user, "systems")
    assert log.count(status=200) == log.total
    assert {s["id"] for s in systems} >= {
        t for _, u, k, t in org.bindings if (u, k) == (user, "system")
    }
