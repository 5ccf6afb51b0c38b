"""API keys, multi-tenant org selection with x-org-id, and the errors JumpCloud sends for them."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from gateway.simulator.app import create_simulator_app
from gateway.simulator.log import RequestLog
from gateway.simulator.store import OrgSizes, Store, generate_org
from tests.simulator.fixtures import client_for

TINY = OrgSizes(users=3, groups=1, applications=1, admins=1)
FIRST, SECOND = generate_org(TINY, seed=1), generate_org(TINY, seed=2)
OUTSIDER = generate_org(TINY, seed=3)


def _app(log: RequestLog | None = None) -> Starlette:
    store = Store.multi([FIRST, SECOND], "jca_multi")
    store.orgs[OUTSIDER.id] = OUTSIDER
    store.api_keys["jca_single"] = (FIRST.id,)
    store.api_keys["jca_outsider"] = (OUTSIDER.id,)
    return create_simulator_app(store, log=log)


async def test_missing_key_is_401_unauthorized() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_app()), base_url="http://jc"
    ) as client:
        response = await client.get("/api/systemusers")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


async def test_unknown_key_is_401_with_the_field_reported_body() -> None:
    async with client_for(_app(), **{"x-api-key": "jca_nope"}) as client:
        response = await client.get("/api/v2/usergroups")
    assert response.status_code == 401
    assert response.json()["message"] == "Unauthorized: api key user not found"


async def test_single_org_key_needs_no_org_header() -> None:
    async with client_for(_app(), **{"x-api-key": "jca_single"}) as client:
        response = await client.get("/api/systemusers")
        same = await client.get("/api/systemusers", headers={"x-org-id": FIRST.id})
    assert response.json()["totalCount"] == 3
    assert same.json() == response.json()


async def test_multi_tenant_key_without_org_header_is_401() -> None:
    async with client_for(_app(), **{"x-api-key": "jca_multi"}) as client:
        response = await client.get("/api/systemusers")
    assert response.status_code == 401
    assert "organization" in response.json()["message"]


async def test_multi_tenant_key_reads_the_org_it_names() -> None:
    async with client_for(_app(), **{"x-api-key": "jca_multi"}) as client:
        first = await client.get("/api/systemusers", headers={"x-org-id": FIRST.id})
        second = await client.get("/api/systemusers", headers={"x-org-id": SECOND.id})
    assert [u["_id"] for u in first.json()["results"]] == list(FIRST.users)
    assert [u["_id"] for u in second.json()["results"]] == list(SECOND.users)


async def test_org_outside_the_key_or_unknown_is_404_and_malformed_is_400() -> None:
    async with client_for(_app(), **{"x-api-key": "jca_multi"}) as client:
        foreign = await client.get("/api/systemusers", headers={"x-org-id": OUTSIDER.id})
        unknown = await client.get("/api/systemusers", headers={"x-org-id": "0" * 24})
        malformed = await client.get("/api/systemusers", headers={"x-org-id": "acme"})
    assert (foreign.status_code, unknown.status_code, malformed.status_code) == (404, 404, 400)
    assert all("message" in r.json() for r in (foreign, unknown, malformed))


async def test_rejected_requests_are_logged_too() -> None:
    log = RequestLog()
    async with client_for(_app(log), **{"x-api-key": "jca_nope"}) as client:
        await client.get("/api/systemusers")
    assert log.count(operation="systemusers_list", status=401) == 1
