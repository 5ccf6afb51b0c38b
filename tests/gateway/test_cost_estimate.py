"""The cost estimate over a small schema of its own: what each kind of field counts, how
counts multiply down the tree, and the limits a policy holds an estimate to."""

from __future__ import annotations

from typing import Any

import graphql
import pytest

from gateway.cost import LIST_SIZE, PAGE_SIZE, CostEstimator, Estimate, estimate_request
from gateway.errors import QueryTooCostly, TooManyEntities
from gateway.limits import CostPolicy, EstimateMemo

# Connections (`edges` and `pageInfo`) with and without a declared default `first`, a
# paged list, plain lists (of objects, of scalars, of a union), an interface, `_entities`.
SDL = """
type Query {
  version: String!
  shelf(id: ID!): Shelf
  books(first: Int, last: Int, after: String): BookConnection!
  featured(first: Int = 7): BookConnection!
  recent(first: Int = 4): [Book!]!
  authors: [Author!]!
  search(text: String!): [Item!]!
  node(id: ID!): Node
  _entities(representations: [_Any!]!): [_Entity]!
}
scalar _Any
union _Entity = Book | Author
union Item = Book | Author
interface Node { id: ID! }
type PageInfo { hasNextPage: Boolean! }
type BookConnection { edges: [BookEdge!]! nodes: [Book!]! pageInfo: PageInfo! totalCount: Int! }
type BookEdge { cursor: String! node: Book! }
type AuthorConnection { edges: [AuthorEdge!]! nodes: [Author!]! pageInfo: PageInfo! }
type AuthorEdge { cursor: String! node: Author! }
type Shelf { id: ID! label: String! }
type Book implements Node {
  id: ID!
  title: String!
  tags: [String!]!
  authors(first: Int): AuthorConnection!
  citations: [Book!]!
}
type Author implements Node {
  id: ID!
  name: String!
  books(first: Int = 20): BookConnection!
}
"""
SCHEMA = graphql.build_schema(SDL)
HAS_NEXT = "pageInfo { hasNextPage }"


def parsed(query: str) -> graphql.DocumentNode:
    document = graphql.parse(query)
    assert graphql.validate(SCHEMA, document) == []
    return document


def estimate(query: str, variables: dict[str, Any] | None = None) -> Estimate:
    return estimate_request(SCHEMA, parsed(query), None, variables)


def test_the_default_sizes() -> None:
    assert (PAGE_SIZE, LIST_SIZE) == (100, 10)  # JumpCloud's largest page is 100


@pytest.mark.parametrize(
    ("query", "objects"),
    [
        pytest.param("{ version }", 0, id="a scalar"),
        pytest.param("{ shelf(id: 1) { label } }", 0, id="one object"),
        pytest.param("{ books(first: 7) { totalCount } }", 7, id="a connection with first"),
        pytest.param("{ books(first: 7) { edges { node { title } } } }", 7, id="its edges"),
        pytest.param("{ books(first: 7) { nodes { title } } }", 7, id="its nodes"),
        pytest.param("{ books(first: 7) { nodes { tags } } }", 7, id="a list of scalars"),
        pytest.param("{ books(last: 6) { totalCount } }", 6, id="last"),
        pytest.param("{ books(first: 0) { totalCount } }", 0, id="an empty page"),
        pytest.param("{ books(first: -3) { totalCount } }", 0, id="a negative first"),
        pytest.param("{ books { totalCount } }", 100, id="no first: the page size"),
        pytest.param("{ featured { totalCount } }", 7, id="no first: its default"),
        pytest.param("{ featured(first: null) { totalCount } }", 100, id="a null first"),
        pytest.param(
            f"{{ books(first: 5) {{ edges {{ node {{ authors(first: 3) {{ {HAS_NEXT} }} }} }} }} }}",
            5 + 5 * 3,
            id="nested connections multiply",
        ),
        pytest.param(
            "{ books(first: 5) { nodes { authors(first: 3) { nodes {"
            " books(first: 2) { totalCount } } } } } }",
            5 + 5 * 3 + 5 * 3 * 2,
            id="three levels",
        ),
        pytest.param("{ authors { name } }", 0, id="a plain list"),
        pytest.param(
            "{ authors { books(first: 4) { totalCount } } }", 10 * 4, id="a list fans out"
        ),
        pytest.param("{ authors { books { totalCount } } }", 10 * 20, id="a list over a default"),
        pytest.param(
            f"{{ authors {{ books(first: 2) {{ nodes {{ citations {{ authors(first: 3) {{ {HAS_NEXT}"
            " } } } } } }",
            10 * (2 + 2 * 10 * 3),
            id="lists within lists",
        ),
        pytest.param("{ recent { title } }", 4, id="a paged list: its default"),
        pytest.param(
            f"{{ recent(first: 9) {{ authors(first: 2) {{ {HAS_NEXT} }} }} }}",
            9 + 9 * 2,
            id="a paged list: as a connection",
        ),
        pytest.param("{ __typename }", 0, id="__typename"),
        pytest.param("{ __schema { types { fields { name } } } }", 0, id="introspection"),
    ],
)
def test_what_each_field_counts(query: str, objects: int) -> None:
    assert estimate(query) == Estimate(objects=objects, entities=0)


@pytest.mark.parametrize(
    ("query", "objects"),
    [
        pytest.param(
            f"""query {{ books(first: 5) {{ ...Page }} }}
            fragment Page on BookConnection {{ nodes {{ authors(first: 3) {{ {HAS_NEXT} }} }} }}""",
            20,
            id="a named fragment",
        ),
        pytest.param(
            f"""{{ books(first: 5) {{ ... on BookConnection {{ nodes {{
              ... {{ authors(first: 3) {{ {HAS_NEXT} }} }} }} }} }} }}""",
            20,
            id="inline fragments, with and without a type",
        ),
        pytest.param(
            f"""{{ books(first: 2) {{ nodes {{ ...N }} }} }}
            fragment N on Node {{ id ... on Book {{ authors(first: 3) {{ {HAS_NEXT} }} }} }}""",
            2 + 2 * 3,
            id="a fragment on an interface",
        ),
        pytest.param(
            f"""{{ books(first: 5) {{ nodes {{ ...A ...A }} }} }}
            fragment A on Book {{ authors(first: 3) {{ {HAS_NEXT} }} }}""",
            20,
            id="a fragment spread twice in one place",
        ),
        pytest.param(
            f"""{{ a: books(first: 5) {{ nodes {{ ...A }} }} b: featured {{ nodes {{ ...A }} }} }}
            fragment A on Book {{ authors(first: 3) {{ {HAS_NEXT} }} }}""",
            (5 + 5 * 3) + (7 + 7 * 3),
            id="a fragment used in two places",
        ),
        pytest.param(
            "{ a: books(first: 5) { totalCount } b: books(first: 5) { totalCount } }",
            10,
            id="aliases count apart",
        ),
        pytest.param(
            f"""{{ books(first: 5) {{ totalCount }}
                books(first: 5) {{ nodes {{ authors(first: 3) {{ {HAS_NEXT} }} }} }} }}""",
            20,
            id="one name selected twice counts once",
        ),
        pytest.param(
            f"""{{ node(id: 1) {{ ... on Book {{ authors(first: 8) {{ {HAS_NEXT} }} }}
                ... on Author {{ books(first: 3) {{ totalCount }} }} }} }}""",
            8,
            id="an interface: its most expensive member",
        ),
        pytest.param(
            '{ search(text: "x") { ... on Author { books { totalCount } } } }',
            10 * 20,
            id="a list of a union",
        ),
    ],
)
def test_fragments_cost_what_they_select(query: str, objects: int) -> None:
    assert estimate(query).objects == objects


@pytest.mark.parametrize(
    ("query", "variables", "objects"),
    [
        ("query($n: Int) { books(first: $n) { totalCount } }", {"n": 12}, 12),
        ("query($n: Int) { books(first: $n) { totalCount } }", None, 100),  # null: page size
        ("query($n: Int) { books(first: $n) { totalCount } }", {"n": None}, 100),
        ("query($n: Int = 6) { books(first: $n) { totalCount } }", None, 6),  # its default
        ("query($n: Int = 6) { books(first: $n) { totalCount } }", {"n": 9}, 9),
        (
            f"""query($a: Int!, $b: Int!) {{ books(first: $a) {{ nodes {{
              authors(first: $b) {{ {HAS_NEXT} }} }} }} }}""",
            {"a": 4, "b": 5},
            4 + 4 * 5,
        ),
    ],
)
def test_variables_supply_first(query: str, variables: dict[str, Any] | None, objects: int) -> None:
    assert estimate(query, variables).objects == objects


def test_entities_count_one_object_per_representation() -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Author { books(first: 2) { totalCount } } } }"""
    reps = [{"__typename": "Author", "id": str(i)} for i in range(6)]
    assert estimate(query, {"r": reps}) == Estimate(objects=6 + 6 * 2, entities=6)
    single = "{ _entities(representations: {a: 1}) { __typename } }"  # coerced to a list of one
    assert estimate(single) == Estimate(objects=1, entities=1)
    assert estimate(query, {"r": []}) == Estimate()


def test_the_named_operation_or_the_most_expensive() -> None:
    document = parsed(
        "query Small { books(first: 2) { totalCount } } "
        "query Big { books(first: 30) { totalCount } }"
    )
    assert estimate_request(SCHEMA, document, None, None).objects == 30
    assert estimate_request(SCHEMA, document, "Small", None).objects == 2
    assert estimate_request(SCHEMA, document, "Missing", None) == Estimate()


def test_the_page_and_list_sizes_are_parameters() -> None:
    paged = parsed("{ books { totalCount } featured(first: null) { totalCount } }")
    assert estimate_request(SCHEMA, paged, None, None, page_size=25).objects == 50
    listed = parsed("{ authors { books(first: 4) { totalCount } } }")
    operation = next(
        d for d in listed.definitions if isinstance(d, graphql.OperationDefinitionNode)
    )
    assert CostEstimator(SCHEMA, listed, list_size=3).operation(operation, None).objects == 12


def test_estimates_add_multiply_and_take_the_worst_apart() -> None:
    assert Estimate(2, 1) + Estimate(3, 4) == Estimate(5, 5)
    assert Estimate(2, 1).times(3) == Estimate(6, 3)
    assert Estimate(5, 1).at_least(Estimate(2, 4)) == Estimate(5, 4)


POLICY = CostPolicy(max_cost=100, max_entities=5, memo=EstimateMemo(), page_size=25)


@pytest.mark.parametrize(
    ("found", "refused", "extensions"),
    [
        (Estimate(100, 5), None, None),  # the limits themselves are allowed
        (Estimate(101, 0), QueryTooCostly, {"cost": 101, "maxCost": 100}),
        (Estimate(10, 6), TooManyEntities, {"entities": 6, "maxEntities": 5}),
        (Estimate(500, 6), TooManyEntities, {"entities": 6, "maxEntities": 5}),  # entities first
    ],
)
def test_the_policy_refuses_past_either_limit(
    found: Estimate, refused: type[Exception] | None, extensions: dict[str, int] | None
) -> None:
    refusal = POLICY.refusal(found)
    if refused is None:
        assert refusal is None
    else:
        assert isinstance(refusal, refused)
        assert refusal.extensions == extensions


def test_the_policy_estimates_with_its_page_size_and_reports() -> None:
    query = "{ books { nodes { authors(first: 3) { pageInfo { hasNextPage } } } } }"
    found = POLICY.estimate(SCHEMA, query, parsed(query), None, None)
    assert found == Estimate(25 + 25 * 3)
    assert POLICY.report(found) == {"estimatedCost": 100, "maxCost": 100}
    assert POLICY.refusal(found) is None


def test_the_memo_estimates_a_request_once() -> None:
    memo, calls = EstimateMemo(size=2), []

    def counted(objects: int) -> Estimate:
        calls.append(objects)
        return Estimate(objects)

    assert memo.of("{ a }", None, {"n": 1}, lambda: counted(1)) == Estimate(1)
    assert memo.of("{ a }", None, {"n": 1}, lambda: counted(9)) == Estimate(1)  # remembered
    assert memo.of("{ a }", None, {"n": 2}, lambda: counted(2)) == Estimate(2)  # new variables
    assert memo.of("{ a }", "A", {"n": 1}, lambda: counted(3)) == Estimate(3)  # evicts the first
    assert memo.of("{ a }", None, {"n": 1}, lambda: counted(4)) == Estimate(4)
    assert memo.of("{ a }", None, {"s": {1}}, lambda: counted(5)) == Estimate(5)  # not JSON
    assert memo.of("{ a }", None, {"s": {1}}, lambda: counted(6)) == Estimate(6)
    assert calls == [1, 2, 3, 4, 5, 6]
