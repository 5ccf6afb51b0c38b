"""A gateway over an in-process simulator for benches, built from the public factories only."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import Org, OrgSizes, Store, generate_org

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


def supported(settings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The `settings` this code's Settings has a field for, and the names of the others
    (benches that run several versions of the gateway pass a setting only where it exists)."""
    names = {f.name for f in dataclasses.fields(Settings)}
    kept = {k: v for k, v in settings.items() if k in names}
    return kept, sorted(set(settings) - names)


@dataclass
class Client:
    """A gateway app reached through ASGI."""

    http: httpx.AsyncClient

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


@dataclass
class Harness(Client):
    """The gateway over an in-process simulator (`org`), its request log and faults."""

    org: Org
    log: RequestLog
    faults: Faults
    app: Any
    asgi: Any  # the app with its lifespan state, to call without an HTTP client
    starts: list[Started] = field(default_factory=list)


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
        yield Harness(
            http=http, org=org, log=log, faults=faults, app=app, asgi=manager.app, starts=starts
        )


@contextlib.asynccontextmanager
async def http_gateway(base_url: str, api_key: str, **settings: Any) -> AsyncIterator[Client]:
    """The gateway app reading a JumpCloud (a simulator process) at `base_url` over the
    network, its lifespan running, reached through ASGI; same clock as `gateway`."""
    config = dataclasses.replace(Settings(api_key=api_key, base_url=base_url), **settings)
    app = create_app(config, clock=lambda: FROZEN_NOW)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.bench"
        ) as http,
    ):
        yield Client(http=http)


def shaped_org() -> Org:
    """This checkout's shape (gateway/simulator/shapes.py, loaded from its file) applied to
    the generator of the version measured, which may predate it."""
    path = Path(__file__).resolve().parent.parent / "gateway" / "simulator" / "shapes.py"
    spec = importlib.util.spec_from_file_location("bench_shapes", path)
    assert spec is not None
    assert spec.loader is not None
    shapes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shapes)
    org: Org = shapes.shaped(generate_org, OrgSizes)
    return org
