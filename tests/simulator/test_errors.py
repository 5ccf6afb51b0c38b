"""Error statuses and bodies; bad input never produces a 500."""

from __future__ import annotations

import httpx
import pytest

from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org
from tests.simulator.fixtures import no_faults, request_log, seeded_org, simulator_client  # noqa: F401 - the faults, log, org and client fixtures

MISSING = "0123456789abcdef01234567"


async def test_limit_over_100_is_400_with_jumpclouds_exact_message(
    client: httpx.AsyncClient,
) -> None:
    for url in ("/api/systemusers?limit=101", "/api/v2/usergroups?limit=1000"):
        response = await client.get(url)
        assert response.status_code == 400
        assert response.json() == {
            "message": 'Bad Request: request parameter "limit" exceeds maximum value of 100'
        }


@pytest.mark.parametrize(
    "url",
    [
        f"/api/systemusers/{MISSING}",
        f"/api/applications/{MISSING}",
        f"/api/radiusservers/{MISSING}",
        f"/api/v2/usergroups/{MISSING}",
        f"/api/v2/ldapservers/{MISSING}",
        f"/api/v2/roles/{MISSING}",
        f"/api/v2/usergroups/{MISSING}/members",
        f"/api/v2/usergroups/{MISSING}/membership",
        f"/api/v2/users/{MISSING}/memberof",
        f"/api/v2/users/{MISSING}/applications",
        f"/api/v2/applications/{MISSING}/users",
        f"/api/v2/ldapservers/{MISSING}/usergroups",
        f"/api/v2/radiusservers/{MISSING}/associations?targets=user",
        f"/api/systems/{MISSING}",
        f"/api/v2/systemgroups/{MISSING}",
        f"/api/v2/systems/{MISSING}/memberof",
        f"/api/v2/systems/{MISSING}/users",
        f"/api/v2/systems/{MISSING}/associations?targets=user",
        f"/api/v2/systemgroups/{MISSING}/members",
        f"/api/v2/systemgroups/{MISSING}/membership",
        f"/api/v2/systemgroups/{MISSING}/usergroups",
        f"/api/v2/users/{MISSING}/systems",
        f"/api/v2/usergroups/{MISSING}/systemgroups",
        f"/api/v2/radiusservers/{MISSING}/systemgroups",
        "/api/systemusers/not-an-id",
        "/api/nothing/here",
        "/api/v2/usergroups/x/users",
    ],
)
async def test_unknown_ids_and_paths_are_404_json(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 404
    assert isinstance(response.json()["message"], str)


async def test_wrong_method_on_a_known_path_is_405_json(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/systemusers")
    assert response.status_code == 405
    assert "message" in response.json()


BAD_QUERIES = [
    "limit=abc",
    "limit=-1",
    "limit=1.5",
    "skip=-5",
    "skip=x",
    "limit=",
    "sort=---",
    "sort=,,",
    "fields=%00",
    "filter=:::",
    "filter=a:$in:",
    "filter=a:$eq:%FF",
    "filter[or][x]=a:$eq:b",
    "filter=name:between:a",
    "filter=attributes:$eq:x",
    "targets=",
    "targets=bogus",
    "targets=user,,user",
    "sort=-" + "x" * 500,
    "limit=99999999999999999999999",
]


async def test_bad_parameters_never_produce_a_500(
    client: httpx.AsyncClient, org: Org, log: RequestLog
) -> None:
    user, group = next(iter(org.users)), next(iter(org.groups))
    application = next(iter(org.applications))
    system, system_group = next(iter(org.systems)), next(iter(org.system_groups))
    paths = [
        "/api/systemusers",
        f"/api/systemusers/{user}",
        "/api/applications",
        "/api/radiusservers",
        "/api/users",
        "/api/v2/usergroups",
        "/api/v2/ldapservers",
        "/api/v2/roles",
        f"/api/v2/usergroups/{group}/members",
        f"/api/v2/usergroups/{group}/membership",
        f"/api/v2/users/{user}/memberof",
        f"/api/v2/users/{user}/associations",
        f"/api/v2/applications/{application}/associations",
        f"/api/v2/users/{user}/applications",
        f"/api/v2/applications/{application}/users",
        "/api/systems",
        f"/api/systems/{system}",
        "/api/v2/systemgroups",
        f"/api/v2/systemgroups/{system_group}",
        f"/api/v2/systems/{system}/memberof",
        f"/api/v2/systems/{system}/users",
        f"/api/v2/systems/{system}/usergroups",
        f"/api/v2/systems/{system}/associations",
        f"/api/v2/systemgroups/{system_group}/members",
        f"/api/v2/systemgroups/{system_group}/membership",
        f"/api/v2/systemgroups/{system_group}/users",
        f"/api/v2/systemgroups/{system_group}/associations",
        f"/api/v2/users/{user}/systems",
        f"/api/v2/users/{user}/systemgroups",
        f"/api/v2/usergroups/{group}/systems",
    ]
    for path in paths:
        for query in BAD_QUERIES:
            response = await client.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query, response.text)
            assert response.headers["content-type"] == "application/json"
        response = await client.post(path, content=b"\xff")
        assert response.status_code < 500
    assert log.count(status=500) == 0


BAD_BODIES: list[object] = [
    [],
    "x",
    {"filter": "hostname"},
    {"filter": {"not": []}},
    {"filter": [1]},
    {"filter": {"or": [{}]}},
    {"filter": [{"hostname": {"$regex": "x"}}]},
    {"searchFilter": "x"},
    {"searchFilter": {"searchTerm": ""}},
    {"searchFilter": {"searchTerm": "a", "fields": "hostname"}},
    {"fields": 3},
    {"limit": "many"},
    {"limit": True},
    {"skip": -1},
]


async def test_bad_search_bodies_never_produce_a_500(
    client: httpx.AsyncClient, log: RequestLog
) -> None:
    for body in BAD_BODIES:
        for path in ("/api/search/systems", "/api/search/systemusers"):
            response = await client.post(path, json=body)
            assert response.status_code == 400, (path, body, response.text)
            assert isinstance(response.json()["message"], str)
    assert log.count(status=500) == 0


async def test_associations_need_valid_targets(client: httpx.AsyncClient, org: Org) -> None:
    user, application = next(iter(org.users)), next(iter(org.applications))
    missing = await client.get(f"/api/v2/users/{user}/associations")
    wrong = await client.get(f"/api/v2/applications/{application}/associations?targets=system")
    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert "targets" in missing.json()["message"]
