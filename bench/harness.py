"""A gateway over an in-process simulator for benches, built from the public factories only."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, Store

API_KEY = "jca_bench_key_3c4d5e6f7a8b"
FROZEN_NOW = 1_700_000_000.0
"""The gateway's clock in benches: time stands still, so a warm cache stays warm."""


@dataclass
class Started:
    """When each upstream request was handed to the network (perf_counter seconds)."""

    at: float
    method: str
    path: str


class RecordingTransport(httpx.AsyncBaseTransport):
    """Records each request's start time, then sends it through `inner`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, starts: list[Started]) -> None:
        self.inner = inner
        self.starts = starts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts.append(Started(time.perf_counter(), request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Harness:
    org: Org
    log: RequestLog
    faults: Faults
    http: httpx.AsyncClient
    app: Any
    starts: list[Started] = field(default_factory=list)

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


@contextlib.asynccontextmanager
async def gateway(org: Org, **settings: Any) -> AsyncIterator[Harness]:
    """The gateway app over `org`, its lifespan running, reached through ASGI. `settings`
    override Settings fields; the upstream is the simulator, in this process and event loop."""
    log, faults, starts = RequestLog(), Faults(), list[Started]()
    simulator = create_simulator_app(Store.single(org, API_KEY), faults=faults, log=log)
    transport = RecordingTransport(httpx.ASGITransport(app=simulator), starts)
    config = dataclasses.replace(
        Settings(api_key=API_KEY, base_url="http://jumpcloud.bench"), **settings
    )
    app = create_app(config, transport=transport, clock=lambda: FROZEN_NOW)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.bench"
        ) as http,
    ):
        yield Harness(org=org, log=log, faults=faults, http=http, app=app, starts=starts)
