"""Demo mode: the embedded simulator's demo org behind the real client, over ASGI (no network)."""

from __future__ import annotations

import httpx

DEMO_API_KEY = "jca_demo_0000000000000000000000000000"
DEMO_BASE_URL = "http://jumpcloud.simulator"


def demo_transport() -> httpx.AsyncBaseTransport:
    """The demo organisation served in-process; the client talks to it over HTTP semantics."""
    from gateway.simulator.app import create_simulator_app
    from gateway.simulator.store import Store, demo_org

    return httpx.ASGITransport(app=create_simulator_app(Store.single(demo_org(), DEMO_API_KEY)))
