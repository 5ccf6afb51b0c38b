"""A gateway wired to an in-process simulator: the app's own factory, lifespan and ASGI."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, Store
from tests.clock import FakeClock

API_KEY = "jca_test_key_9f8e7d6c5b4a"


@dataclass
class Harness:
    org: Org
    log: RequestLog
    faults: Faults
    clock: FakeClock
    http: httpx.AsyncClient
    app: Any

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.http.post("/graphql", json=body, headers=headers)

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a query that must succeed; return its `data`."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data

    async def calls(self, query: str, variables: dict[str, Any] | None = None) -> int:
        """How many upstream requests one successful query made."""
        before = self.log.total
        await self.query(query, variables)
        return self.log.total - before


@contextlib.asynccontextmanager
async def gateway(org: Org, *, store_key: str = API_KEY, **settings: Any) -> AsyncIterator[Harness]:
    """The gateway over `org`; `settings` override Settings fields (api_key defaults to the
    key the simulator accepts, `store_key`)."""
    log = RequestLog()
    faults = Faults()
    store = Store.single(org, store_key)
    transport = httpx.ASGITransport(app=create_simulator_app(store, faults=faults, log=log))
    clock = FakeClock()
    config = dataclasses.replace(
        Settings(api_key=store_key, base_url="http://jumpcloud.test"), **settings
    )
    app = create_app(config, transport=transport, clock=clock)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.test"
        ) as http,
    ):
        yield Harness(org=org, log=log, faults=faults, clock=clock, http=http, app=app)
