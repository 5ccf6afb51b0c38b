"""Generated operations, valid against the schema, never make the gateway fail.

hypothesis-graphql (the generator schemathesis uses for GraphQL) draws queries from the
schema, every root field but federation's, with arbitrary arguments: ids that are not ids, huge and negative `first`s,
cursors that were never issued. Every answer is a GraphQL response: no 5xx, no masked
INTERNAL_SERVER_ERROR, and the API key nowhere in it.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import strategies as gql

from gateway.schema import build_schema
from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import API_KEY, gateway

SCHEMA = build_schema()._schema
ROOTS = sorted(n for n in SCHEMA.query_type.fields if not n.startswith("_"))  # type: ignore[union-attr]
ORG = generate_org(OrgSizes(users=15, groups=4, applications=3, systems=6, system_groups=2))


async def answer(query: str) -> tuple[int, str]:
    async with gateway(ORG) as gw:
        response = await gw.post(query)
    return response.status_code, response.text


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(query=gql.queries(SCHEMA, fields=ROOTS))
def test_generated_queries_get_graphql_answers_never_failures(query: str) -> None:
    status, body = asyncio.run(answer(query))
    assert status in (200, 400, 413), (status, query, body)
    assert "INTERNAL_SERVER_ERROR" not in body, (query, body)
    assert API_KEY not in body
