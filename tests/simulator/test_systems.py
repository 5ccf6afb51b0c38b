"""v1 /api/systems and /api/search/systems, v2 /api/v2/systemgroups: paging, filters, fields."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests.simulator.fixtures import API_KEY, client_for, fetch_all

MISSING = "0123456789abcdef01234567"


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=40, groups=5, systems=130, system_groups=12), seed=3)


@pytest.fixture
async def client(org: Org) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_simulator_app(Store.single(org, API_KEY))) as http:
        yield http


async def systems(client: httpx.AsyncClient, query: str = "", **headers: str) -> list[str]:
    """Every hostname a v1 listing returns, walking pages of 100."""
    seen: list[str] = []
    while True:
        response = await client.get(
            f"/api/systems?limit=100&skip={len(seen)}&{query}", headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(system["hostname"] for system in body["results"])
        if len(body["results"]) < 100:
            assert body["totalCount"] == len(seen)
            return seen


async def test_systems_page_through_every_record_once_in_id_order(
    client: httpx.AsyncClient, org: Org
) -> None:
    assert await systems(client, "sort=_id") == [s["hostname"] for s in org.systems.values()]
    first = (await client.get("/api/systems")).json()
    assert len(first["results"]) == 10
    assert first["totalCount"] == 130


async def test_limit_over_100_is_jumpclouds_exact_400(client: httpx.AsyncClient) -> None:
    for request in (
        client.get("/api/systems?limit=101"),
        client.post("/api/search/systems", json={"limit": 500}),
        client.get("/api/v2/systemgroups?limit=101"),
    ):
        response = await request
        assert response.status_code == 400
        assert response.json() == {
            "message": 'Bad Request: request parameter "limit" exceeds maximum value of 100'
        }


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("filter=osFamily:$eq:darwin", lambda s: s["osFamily"] == "darwin"),
        ("filter=osFamily:$ne:darwin", lambda s: s["osFamily"] != "darwin"),
        ("filter=os:$in:Ubuntu|Windows", lambda s: s["os"] in ("Ubuntu", "Windows")),
        ("filter=os:$nin:Ubuntu|Windows", lambda s: s["os"] not in ("Ubuntu", "Windows")),
        ("filter=hostname:$sw:ci-", lambda s: s["hostname"].startswith("ci-")),
        ("filter=active:$eq:false", lambda s: not s["active"]),
        ("filter=fde.active:$eq:true", lambda s: s["fde"]["active"]),
        ("filter=created:$lt:2024-01-01", lambda s: s["created"] < "2024-01-01"),
        ("filter=created:$gte:2024-01-01", lambda s: s["created"] >= "2024-01-01"),
        (
            "filter[0]=osFamily:$eq:linux&filter[1]=desktopCapable:$eq:false",
            lambda s: s["osFamily"] == "linux" and not s["desktopCapable"],
        ),
        (
            "filter[or][0]=os:$eq:Rocky Linux&filter[or][1]=os:$eq:Amazon Linux",
            lambda s: s["os"] in ("Rocky Linux", "Amazon Linux"),
        ),
    ],
)
async def test_v1_filters_on_systems(
    client: httpx.AsyncClient, org: Org, query: str, predicate: Callable[[dict[str, Any]], bool]
) -> None:
    expected = [s["hostname"] for s in org.systems.values() if predicate(s)]
    assert expected, "the seeded org has a system for every filter"
    assert await systems(client, query) == expected


async def test_eventually_consistent_operators_need_the_header(
    client: httpx.AsyncClient, org: Org
) -> None:
    refused = await client.get("/api/systems?filter=hostname:$co:mbp")
    assert refused.status_code == 400
    found = await systems(client, "filter=hostname:$co:mbp", **{"x-eventually-consistent": "true"})
    assert found == [s["hostname"] for s in org.systems.values() if "mbp" in s["hostname"]]


async def test_id_lookups_sort_and_fields(client: httpx.AsyncClient, org: Org) -> None:
    wanted = list(org.systems)[5:40:3]
    response = await client.get(
        "/api/systems",
        params={
            "filter": f"_id:$in:{'|'.join([*wanted, MISSING])}",
            "limit": 100,
            "sort": "-hostname",
            "fields": "hostname os",
        },
    )
    body = response.json()
    assert body["totalCount"] == len(wanted)
    expected = sorted((org.systems[s] for s in wanted), key=lambda s: s["hostname"], reverse=True)
    assert body["results"] == [
        {"_id": s["_id"], "hostname": s["hostname"], "os": s["os"]} for s in expected
    ]
    response = await client.get("/api/systems?sort=osFamily -lastContact _id&limit=100")
    rows = response.json()["results"]
    families = [r["osFamily"] for r in rows]
    assert families == sorted(families)


async def test_a_system_reads_by_id_with_fields(client: httpx.AsyncClient, org: Org) -> None:
    system_id, record = next(iter(org.systems.items()))
    assert (await client.get(f"/api/systems/{system_id}")).json() == record
    narrow = (await client.get(f"/api/systems/{system_id}?fields=hostname fde")).json()
    assert narrow == {"_id": system_id, "hostname": record["hostname"], "fde": record["fde"]}
    missing = await client.get(f"/api/systems/{MISSING}")
    assert missing.status_code == 404
    assert "system" in missing.json()["message"]


async def test_hostnames_are_unique_and_records_are_believable(org: Org) -> None:
    records = list(org.systems.values())
    assert len({s["hostname"] for s in records}) == len(records)
    assert {s["osFamily"] for s in records} == {"darwin", "windows", "linux"}
    assert {s["os"] for s in records} >= {"Mac OS X", "Windows", "Ubuntu"}
    for system in records:
        assert system["created"].endswith("Z")
        assert system["lastContact"] is None or system["lastContact"] >= system["created"]
        assert system["organization"] == org.id
        owner = system["primarySystemUser"]["id"]
        assert owner is None or org.users[owner]["state"] == "ACTIVATED"
        assert not system["fde"]["keyPresent"] or system["fde"]["active"]
    laptops = [s for s in records if s["primarySystemUser"]["id"]]
    assert laptops
    assert len({s["primarySystemUser"]["id"] for s in laptops}) == len(laptops)


async def test_search_takes_the_user_search_body_and_adds_memberof(
    client: httpx.AsyncClient, org: Org
) -> None:
    first, second = list(org.systems.values())[:2]
    response = await client.post(
        "/api/search/systems",
        json={
            "filter": {"or": [{"hostname": first["hostname"]}, {"hostname": second["hostname"]}]},
            "fields": "os hostname displayName",
        },
    )
    body = response.json()
    assert body["totalCount"] == 2
    groups_of = {
        s: sorted(g for m, g in org.system_memberships if m == s)
        for s in (first["_id"], second["_id"])
    }
    assert body["results"] == [
        {
            "_id": s["_id"],
            "os": s["os"],
            "hostname": s["hostname"],
            "displayName": s["displayName"],
            "memberof": groups_of[s["_id"]],
        }
        for s in (first, second)
    ]


async def test_search_filter_and_text_search_combine(client: httpx.AsyncClient, org: Org) -> None:
    response = await client.post(
        "/api/search/systems?limit=100",
        json={
            "searchFilter": {"searchTerm": ["MBP", "ci-"], "fields": ["hostname", "displayName"]},
            "filter": {"or": [{"os": "Ubuntu"}, {"os": "Mac OS X"}]},
        },
    )
    expected = [
        s["_id"]
        for s in org.systems.values()
        if s["os"] in ("Ubuntu", "Mac OS X")
        and any(
            term in value.lower()
            for term in ("mbp", "ci-")
            for value in (s["hostname"], s["displayName"])
        )
    ]
    assert expected
    assert [r["_id"] for r in response.json()["results"]] == expected
    default_fields = await client.post(
        "/api/search/systems", json={"searchFilter": {"searchTerm": "ci-runner"}, "limit": 100}
    )
    assert [r["_id"] for r in default_fields.json()["results"]] == [
        s["_id"] for s in org.systems.values() if "ci-runner" in s["hostname"]
    ]
    paged = await client.post("/api/search/systems?skip=4", json={"limit": 3})
    assert [r["_id"] for r in paged.json()["results"]] == list(org.systems)[4:7]


async def test_system_groups_list_with_filter_sort_fields_and_total(
    client: httpx.AsyncClient, org: Org
) -> None:
    rows, total = await fetch_all(client, "/api/v2/systemgroups?sort=id")
    assert total == 12
    assert rows == list(org.system_groups.values())
    assert all(g["type"] == "system_group" and "suggestionCounts" not in g for g in rows)
    rows, total = await fetch_all(client, "/api/v2/systemgroups?sort=-name&fields=name,type")
    names = sorted((g["name"] for g in org.system_groups.values()), reverse=True)
    assert [r["name"] for r in rows] == names
    assert all(set(r) == {"id", "name", "type"} for r in rows)
    rows, total = await fetch_all(
        client, "/api/v2/systemgroups?filter=membershipMethod:eq:DYNAMIC_AUTOMATED"
    )
    dynamic = [g["id"] for g in org.system_groups.values() if g["memberQuery"]]
    assert dynamic
    assert ([r["id"] for r in rows], total) == (dynamic, len(dynamic))
    rows, _ = await fetch_all(client, "/api/v2/systemgroups?filter=name:eq:Linux Servers")
    assert [r["name"] for r in rows] == ["Linux Servers"]


async def test_a_system_group_reads_by_id(client: httpx.AsyncClient, org: Org) -> None:
    group_id, record = next(iter(org.system_groups.items()))
    assert (await client.get(f"/api/v2/systemgroups/{group_id}")).json() == record
    missing = await client.get(f"/api/v2/systemgroups/{MISSING}")
    assert missing.status_code == 404
    assert "system group" in missing.json()["message"]
