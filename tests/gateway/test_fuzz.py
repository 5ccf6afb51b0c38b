"""Generated operations, valid against the schema, never make the running gateway fail.

hypothesis-graphql (the generator schemathesis uses for GraphQL) draws queries from the
schema, every root field but federation's, with arbitrary arguments: ids that are not ids,
huge and negative `first`s, cursors that were never issued. They are sent over a socket to
`jcgraph serve --demo`; every answer is a GraphQL response: no 5xx, no masked
INTERNAL_SERVER_ERROR, and the demo's API key nowhere in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import strategies as gql

from gateway.demo import DEMO_API_KEY
from gateway.schema import build_schema
from tests.processes import demo_server

SCHEMA = build_schema()._schema
ROOTS = sorted(n for n in SCHEMA.query_type.fields if not n.startswith("_"))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        demo_server(tmp_path_factory.mktemp("fuzz")) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(query=gql.queries(SCHEMA, fields=ROOTS))
def test_generated_queries_get_graphql_answers_never_failures(
    endpoint: httpx.Client, query: str
) -> None:
    response = endpoint.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400, 413), (response.status_code, query, response.text)
    assert "INTERNAL_SERVER_ERROR" not in response.text, (query, response.text)
    assert DEMO_API_KEY not in response.text
    payload = response.json()
    assert payload.get("data") is not None or payload.get("errors"), payload
