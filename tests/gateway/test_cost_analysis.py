"""The cost estimate walks the operation with the schema's types, so no spelling of a query
(inline or named fragments, aliases, variables, `_entities`) costs less than it can fetch;
what it refuses, it refuses before any upstream call."""

from __future__ import annotations

from typing import Any

import graphql
import pytest

from gateway.cost import LIST_SIZE, PAGE_SIZE, CostEstimator, Estimate, operations
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import gateway

# A schema of its own: the estimate knows Relay connections, plain lists, abstract types
# and `_entities`, and no field of the gateway's schema by name.
SDL = """
type Query {
  things(first: Int, after: String): ThingConnection!
  thing(id: ID!): Thing
  node(id: ID!): Node
  tops: [Thing!]!
  tagged(first: Int = 3): [Thing!]!
  _entities(representations: [_Any!]!): [_Entity]!
}
scalar _Any
union _Entity = Thing | Other
interface Node { id: ID! }
type PageInfo { hasNextPage: Boolean! }
type ThingConnection { edges: [ThingEdge!]! pageInfo: PageInfo! totalCount: Int! }
type ThingEdge { cursor: String! node: Thing! }
type Thing implements Node {
  id: ID!
  labels: [String!]!
  parts(first: Int): ThingConnection!
  others: [Other!]!
}
type Other implements Node {
  id: ID!
  things(first: Int): ThingConnection!
}
"""
SCHEMA = graphql.build_schema(SDL)


def estimate(query: str, variables: dict[str, Any] | None = None) -> Estimate:
    document = graphql.parse(query)
    assert graphql.validate(SCHEMA, document) == []
    estimator = CostEstimator(SCHEMA, document)
    worst = Estimate()
    for operation in operations(document, None):
        worst = worst.at_least(estimator.operation(operation, variables))
    return worst


@pytest.mark.parametrize(
    ("query", "objects"),
    [
        ("{ things(first: 7) { totalCount } }", 7),
        ("{ things { totalCount } }", PAGE_SIZE),  # no `first`, no default: the page size
        ("{ things(first: 5) { edges { node { parts(first: 4) { totalCount } } } } }", 5 + 20),
        ("{ things(first: 5) { edges { node { labels } } } }", 5),  # scalars count nothing
        ("{ tagged { id } }", 3),  # a paged list: by `first`, here its declared default
        ("{ tops { id } }", 0),  # a plain list: items of their parent...
        ("{ tops { parts(first: 4) { totalCount } } }", LIST_SIZE * 4),  # ...that fan out
        ("{ tops { others { things(first: 2) { totalCount } } } }", LIST_SIZE**2 * 2),
        ("{ thing(id: 1) { parts(first: 2) { edges { node { id } } } } }", 2),
        ("{ __schema { types { fields { name } } } }", 0),  # introspection stays home
    ],
)
def test_every_list_counts_and_counts_multiply(query: str, objects: int) -> None:
    assert estimate(query).objects == objects


def test_fragments_aliases_and_variables_cost_what_they_select() -> None:
    plain = "{ things(first: 10) { edges { node { parts(first: 10) { totalCount } } } } }"
    inline = """{ things(first: 10) { ... on ThingConnection { edges { ... { node {
      ... on Thing { parts(first: 10) { totalCount } } } } } } } }"""
    named = """query { things(first: 10) { ...C } }
      fragment C on ThingConnection { edges { node { ...T } } }
      fragment T on Thing { parts(first: 10) { totalCount } }"""
    variables = """query($n: Int!) { things(first: $n) { edges { node {
      parts(first: $n) { totalCount } } } } }"""
    aliased = """{ a: things(first: 10) { edges { node { parts(first: 10) { totalCount } } } }
                   b: things(first: 10) { edges { node { parts(first: 10) { totalCount } } } } }"""
    assert estimate(plain).objects == 110
    assert estimate(inline).objects == 110
    assert estimate(named).objects == 110
    assert estimate(variables, {"n": 10}).objects == 110
    assert estimate("query($n: Int = 10) { things(first: $n) { totalCount } }").objects == 10
    assert estimate(aliased).objects == 220


def test_a_field_selected_twice_under_one_name_is_costed_once() -> None:
    twice = """{ things(first: 10) { edges { node { parts(first: 10) { totalCount } } } }
                 things(first: 10) { edges { node { id } } } }"""
    assert estimate(twice).objects == 110


def test_an_abstract_type_costs_its_most_expensive_member() -> None:
    query = """{ node(id: 1) {
      ... on Thing { parts(first: 5) { totalCount } }
      ... on Other { things(first: 30) { edges { node { parts(first: 2) { totalCount } } } } }
    } }"""
    assert estimate(query).objects == 30 + 60


def test_entities_count_their_representations_wherever_they_come_from() -> None:
    by_variable = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Thing { parts(first: 2) { totalCount } } } }"""
    literal = "{ _entities(representations: [{a: 1}, {a: 2}, {a: 3}]) { __typename } }"
    reps = [{"__typename": "Thing", "id": str(i)} for i in range(40)]
    assert estimate(by_variable, {"r": reps}) == Estimate(objects=40 + 80, entities=40)
    assert estimate(literal) == Estimate(objects=3, entities=3)


# --- through the gateway: refused with a code, before any upstream call ---------------


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=30, groups=5, applications=4), seed=3)


def refusal(payload: dict[str, Any]) -> dict[str, Any]:
    errors = payload["errors"]
    assert len(errors) == 1, errors
    extensions: dict[str, Any] = errors[0]["extensions"]
    return extensions


FOUR_LEVELS = PAGE_SIZE + PAGE_SIZE**2 + PAGE_SIZE**3 + PAGE_SIZE**4  # 101,010,100


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        pytest.param(
            """{ users { edges { node { groups { edges { node { members { edges { node {
              groups { edges { node { name } } } } } } } } } } } } }""",
            None,
            FOUR_LEVELS,
            id="plain",
        ),
        pytest.param(
            """{ users { ... on UserConnection { edges { node { groups { ... on GroupConnection {
              edges { node { members { ... on UserConnection { edges { node {
              groups { ... on GroupConnection { edges { node { name } } } } } } } } } } } } } } } } }""",
            None,
            FOUR_LEVELS,
            id="inline fragments",
        ),
        pytest.param(
            """query { users { ...Users } }
            fragment Users on UserConnection { edges { node { groups { ...Groups } } } }
            fragment Groups on GroupConnection { edges { node { members { ...Members } } } }
            fragment Members on UserConnection { edges { node { groups { ...Names } } } }
            fragment Names on GroupConnection { edges { node { name } } }""",
            None,
            FOUR_LEVELS,
            id="named fragments",
        ),
        pytest.param(
            """query($n: Int!) { users(first: $n) { edges { node { groups(first: $n) { edges {
              node { members(first: $n) { edges { node { email } } } } } } } } } }""",
            {"n": 100},
            100 + 100**2 + 100**3,
            id="variables for first",
        ),
    ],
)
async def test_a_fan_out_is_refused_however_it_is_spelled(
    org: Org, query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    async with gateway(org) as gw:
        response = await gw.post(query, variables, **{"x-jcgraph-cost": "1"})
    payload = response.json()
    assert refusal(payload)["code"] == "QUERY_TOO_COSTLY"
    assert refusal(payload)["cost"] == cost
    assert payload["extensions"]["cost"]["estimatedCost"] == cost
    assert payload["extensions"]["cost"]["upstreamCalls"] == 0
    assert gw.log.total == 0


async def test_aliased_roots_add_up(org: Org) -> None:
    root = "users(first: 100) { edges { node { groups(first: 100) { totalCount } } } }"
    one = f"{{ a: {root} }}"
    five = "{ " + " ".join(f"r{i}: {root}" for i in range(5)) + " }"
    async with gateway(org) as gw:
        refused = (await gw.post(five)).json()
        calls = gw.log.total
        allowed = await gw.post(one, **{"x-jcgraph-cost": "1"})
    assert refusal(refused)["code"] == "QUERY_TOO_COSTLY"
    assert refusal(refused)["cost"] == 5 * (100 + 100 * 100)
    assert calls == 0
    assert "errors" not in allowed.json()
    assert allowed.json()["extensions"]["cost"]["estimatedCost"] == 100 + 100 * 100


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { email groups(first: 5) { totalCount } } } }"""


@pytest.mark.parametrize("count", [101, 2_000])
async def test_too_many_entity_representations_are_refused(org: Org, count: int) -> None:
    user = next(iter(org.users))
    reps = [{"__typename": "User", "jumpcloudId": user}] * count
    async with gateway(org) as gw:
        response = await gw.post(ENTITIES, {"r": reps})
    extensions = refusal(response.json())
    assert extensions["code"] == "TOO_MANY_ENTITIES"
    assert (extensions["entities"], extensions["maxEntities"]) == (count, 100)
    assert gw.log.total == 0


async def test_entity_representations_up_to_the_cap_are_served(org: Org) -> None:
    users = list(org.users)
    reps = [{"__typename": "User", "jumpcloudId": users[i % len(users)]} for i in range(100)]
    async with gateway(org) as gw:
        data = await gw.query(ENTITIES, {"r": reps})
    assert len(data["_entities"]) == 100
    assert all(e is not None for e in data["_entities"])


async def test_the_entity_cap_is_configurable(org: Org) -> None:
    reps = [{"__typename": "User", "jumpcloudId": u} for u in list(org.users)[:11]]
    async with gateway(org, max_entities=10) as gw:
        refused = (await gw.post(ENTITIES, {"r": reps})).json()
        served = await gw.query(ENTITIES, {"r": reps[:10]})
    assert refusal(refused)["code"] == "TOO_MANY_ENTITIES"
    assert len(served["_entities"]) == 10


async def test_an_ordinary_nested_query_passes_and_reports_its_estimate(org: Org) -> None:
    query = """{ users(first: 20) { totalCount edges { node { email
      groups(first: 10) { edges { node { name applications(first: 10) { totalCount } } } } } } } }"""
    async with gateway(org) as gw:
        response = await gw.post(query, **{"x-jcgraph-cost": "1"})
        quiet = await gw.post(query)
    payload = response.json()
    assert "errors" not in payload
    cost = payload["extensions"]["cost"]
    assert cost["estimatedCost"] == 20 + 20 * 10 + 20 * 10 * 10
    assert cost["maxCost"] == 50_000
    assert cost["upstreamCalls"] >= 1  # the actual calls, beside the estimate
    assert {"cacheHits", "cacheMisses", "upstreamByEndpoint", "dataAgeSeconds"} <= cost.keys()
    assert "extensions" not in quiet.json()  # reported only when asked


async def test_the_limit_is_configurable(org: Org) -> None:
    query = "{ users(first: 10) { edges { node { groups(first: 10) { totalCount } } } } }"
    async with gateway(org, max_cost=100) as gw:
        refused = (await gw.post(query)).json()
    assert refusal(refused) == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 110,
        "maxCost": 100,
    }
