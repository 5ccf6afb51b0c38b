"""With tracing on, a GraphQL operation is one span under the caller's trace, and each
upstream call is a child span whose `traceparent` reaches JumpCloud."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from asgi_lifespan import LifespanManager

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway import tracing
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import OrgSizes, Store, generate_org
from tests.harness import API_KEY

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


async def test_one_span_per_upstream_call_under_the_operations_span() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    org = generate_org(OrgSizes(users=4, groups=2, applications=1), seed=5)
    sent: list[httpx.Request] = []
    simulator = httpx.ASGITransport(app=create_simulator_app(Store.single(org, API_KEY)))

    async def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return await simulator.handle_async_request(request)

    settings = Settings(api_key=API_KEY, base_url="http://jumpcloud.test")
    app = create_app(
        settings,
        transport=httpx.MockTransport(handle),
        tracing=tracing.Tracing(provider),
    )
    query = "query Members { groups(first: 2) { edges { node { members { totalCount } } } } }"
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.test"
        ) as http,
    ):
        answer = await http.post(
            "/graphql",
            json={"query": query},
            headers={"traceparent": f"00-{TRACE_ID}-{PARENT}-01"},
        )
    assert answer.status_code == 200, answer.text
    assert "traceparent" not in answer.headers  # see README: x-request-id correlates
    spans = exporter.get_finished_spans()
    (operation,) = [s for s in spans if s.name.startswith("graphql")]
    calls = [s for s in spans if s is not operation]
    assert operation.name == "graphql Members"
    assert f"{operation.context.trace_id:032x}" == TRACE_ID
    assert operation.parent is not None
    assert f"{operation.parent.span_id:016x}" == PARENT
    assert operation.attributes["graphql.operation.name"] == "Members"
    assert operation.attributes["http.response.status_code"] == 200
    assert len(calls) == len(sent) > 0  # one span per upstream call
    for call in calls:
        assert call.parent is not None
        assert call.parent.span_id == operation.context.span_id
        assert call.context.trace_id == operation.context.trace_id
        assert call.attributes["http.response.status_code"] == 200
    assert {c.name for c in calls} >= {"GET /api/v2/usergroups/{id}/members"}
    # Each upstream request carried its own span as parent.
    carried = {r.headers["traceparent"].split("-")[2] for r in sent}
    assert carried == {f"{c.context.span_id:016x}" for c in calls}


def test_tracing_on_without_the_extra_is_a_clear_settings_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracing, "installed", lambda: False)
    problems = dataclasses.replace(Settings(api_key="k"), otel=True).problems()
    assert problems == [tracing.MISSING_EXTRA]
    assert "pip install 'jcgraph[otel]'" in tracing.MISSING_EXTRA
