"""Small seeded orgs and in-process clients for the simulator's tests.

The pytest fixtures are named `org`, `log`, `faults` and `client` where a test asks for them;
a test module imports the functions below by name, and pytest registers them under those
names (gateway tests have fixtures of their own called `org`, so these are not suite-wide).
"""

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


@pytest.fixture(name="org")
def seeded_org() -> Org:
    """The `org` fixture: the SMALL org of seed 7."""
    return generate_org(SMALL, seed=7)


@pytest.fixture(name="log")
def request_log() -> RequestLog:
    """The `log` fixture: an empty request log."""
    return RequestLog()


@pytest.fixture(name="faults")
def no_faults() -> Faults:
    """The `faults` fixture: no fault injected yet."""
    return Faults()


@pytest.fixture(name="client")
async def simulator_client(
    org: Org, faults: Faults, log: RequestLog
) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture: the simulator serving `org` alone, with `faults` and `log`."""
    app = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    async with client_for(app) as http:
        yield http
