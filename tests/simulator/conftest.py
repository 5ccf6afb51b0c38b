"""Fixtures: small seeded orgs and in-process clients for the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org

API_KEY = "jca_test_key"
SMALL = OrgSizes(
    users=60,
    groups=8,
    applications=6,
    direct_app_bindings=8,
    ldap_servers=2,
    radius_servers=2,
    ldap_group_bindings=3,
    ldap_user_bindings=3,
    radius_group_bindings=3,
    radius_user_bindings=3,
    admins=6,
)


def client_for(app: Any, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://jc",
        headers={"x-api-key": API_KEY, **headers},
    )


async def fetch_all(client: httpx.AsyncClient, url: str) -> tuple[list[Any], int]:
    """Walk a v2 list 100 at a time; returns the rows and the x-total-count."""
    rows: list[Any] = []
    separator = "&" if "?" in url else "?"
    while True:
        response = await client.get(f"{url}{separator}limit=100&skip={len(rows)}")
        assert response.status_code == 200, response.text
        page = response.json()
        rows.extend(page)
        if len(page) < 100:
            return rows, int(response.headers["x-total-count"])


@pytest.fixture
def org() -> Org:
    return generate_org(SMALL, seed=7)


@pytest.fixture
def log() -> RequestLog:
    return RequestLog()


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
async def client(org: Org, faults: Faults, log: RequestLog) -> AsyncIterator[httpx.AsyncClient]:
    app = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    async with client_for(app) as http:
        yield http
