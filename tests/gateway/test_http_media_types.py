"""The response's media type follows `Accept` (GraphQL over HTTP): application/json as it
always was, or application/graphql-response+json, where a request error has no `data` entry
and a 4xx or 5xx status and a result of execution is 200."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from starlette.requests import Request
from strawberry.types import ExecutionResult

from gateway.jumpcloud.errors import UpstreamTimeoutError
from gateway.media_types import GRAPHQL_RESPONSE, JSON, MediaType, negotiate
from gateway.metrics import Metrics
from gateway.schema import build_schema
from gateway.simulator.store import Org, OrgSizes, generate_org
from gateway.view import GraphQLView
from tests.harness import Harness, gateway

MODERN = "application/graphql-response+json"
MODERN_CONTENT_TYPE = "application/graphql-response+json; charset=utf-8"
GROUPS = "{ groups(first: 5) { edges { node { name } } } }"


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=10, groups=3, applications=2), seed=3)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("text/html", JSON),  # nothing acceptable: application/json, as before
        (MODERN, GRAPHQL_RESPONSE),
        (f"{MODERN}; charset=utf-8", GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE),
        # The spec's recommended header: both at q=1, the first listed wins.
        (f"{MODERN}; charset=utf-8, application/json; charset=utf-8", GRAPHQL_RESPONSE),
        (f"application/json, {MODERN}", JSON),
        (f"application/json;q=0.9, {MODERN}", GRAPHQL_RESPONSE),
        (f"{MODERN};q=0.5, application/json", JSON),
        (f"{MODERN}, */*", GRAPHQL_RESPONSE),
        (f"*/*, {MODERN}", GRAPHQL_RESPONSE),  # the more specific range, at the same q
        (f"{MODERN};q=0, */*", JSON),
        ("application/json;q=0, */*", GRAPHQL_RESPONSE),  # refuses application/json
        (f"{MODERN};q=abc, application/json", JSON),  # a malformed q accepts nothing
        ("application/json, multipart/mixed", JSON),  # GraphiQL's fetcher
    ],
)
def test_accept_chooses_the_media_type(accept: str | None, expected: MediaType) -> None:
    assert negotiate(accept) is expected


@dataclass(frozen=True)
class Case:
    """A request the gateway refuses before anything runs, and how each media type says so."""

    send: Callable[[Harness, dict[str, str]], Awaitable[httpx.Response]]
    code: str | None  # None: not checked here
    modern_status: int  # application/graphql-response+json
    legacy_status: int  # application/json: what it has always been
    settings: dict[str, Any] = field(default_factory=dict)


def post_json(
    body: object, extra: dict[str, str] | None = None
) -> Callable[[Harness, dict[str, str]], Awaitable[httpx.Response]]:
    async def send(gw: Harness, headers: dict[str, str]) -> httpx.Response:
        return await gw.http.post("/graphql", json=body, headers={**headers, **(extra or {})})

    return send


def post_raw(body: bytes) -> Callable[[Harness, dict[str, str]], Awaitable[httpx.Response]]:
    async def send(gw: Harness, headers: dict[str, str]) -> httpx.Response:
        headers = {"content-type": "application/json", **headers}
        return await gw.http.post("/graphql", content=body, headers=headers)

    return send


def get(params: dict[str, str]) -> Callable[[Harness, dict[str, str]], Awaitable[httpx.Response]]:
    async def send(gw: Harness, headers: dict[str, str]) -> httpx.Response:
        return await gw.http.get("/graphql", params=params, headers=headers)

    return send


USER_BY_ID = "query User($id: ID!) { user(jumpcloudId: $id) { email } }"
UNKNOWN_HASH = hashlib.sha256(b"{ __typename }").hexdigest()

REQUEST_ERRORS = {
    "unparseable JSON": Case(post_raw(b'{ "not a JSON'), "BAD_REQUEST", 400, 400),
    "no query": Case(post_json({"variables": {}}), "BAD_REQUEST", 400, 400),
    "query not a string": Case(post_json({"query": 0}), "BAD_REQUEST", 400, 400),
    "variables not an object": Case(
        post_json({"query": "{ __typename }", "variables": [7]}), "BAD_REQUEST", 400, 400
    ),
    "a batch": Case(post_json([{"query": "{ __typename }"}]), "BATCHING_NOT_SUPPORTED", 400, 400),
    "parse error": Case(post_json({"query": "{"}), "GRAPHQL_PARSE_FAILED", 400, 200),
    "validation error": Case(
        post_json({"query": "{ noSuchField }"}), "GRAPHQL_VALIDATION_FAILED", 400, 200
    ),
    "variable coercion failure": Case(
        post_json({"query": USER_BY_ID, "variables": {"id": None}}),
        "BAD_USER_INPUT",
        400,
        200,
    ),
    "an organisation this gateway does not serve": Case(
        post_json({"query": "{ __typename }"}, {"x-jcgraph-org": "0" * 24}),
        "BAD_USER_INPUT",
        400,
        400,
    ),
    "operation not found": Case(
        post_json({"query": "query A { __typename }", "operationName": "B"}),
        "BAD_REQUEST",
        400,
        400,
    ),
    "too deep": Case(
        post_json({"query": "{ users { edges { node { groups { edges { node { name } } } } } } }"}),
        "GRAPHQL_VALIDATION_FAILED",
        400,
        200,
        {"max_depth": 3},
    ),
    "too costly": Case(
        post_json({"query": "{ users(first: 100) { edges { node { email } } } }"}),
        "QUERY_TOO_COSTLY",
        400,
        200,
        {"max_cost": 10},
    ),
    "too many tokens": Case(
        post_json({"query": "{ a b c d e f g h i j k l }"}),
        "TOO_MANY_TOKENS",
        400,
        200,
        {"max_tokens": 5},
    ),
    "no bearer token": Case(
        post_json({"query": "{ __typename }"}),
        "UNAUTHENTICATED",
        401,
        401,
        {"auth_tokens": ("s3cret",)},
    ),
    "body too large": Case(
        post_json({"query": "{ __typename }", "operationName": "x" * 200}),
        "REQUEST_TOO_LARGE",
        413,
        413,
        {"max_body_bytes": 128},
    ),
    "GET parse error": Case(get({"query": "{"}), "GRAPHQL_PARSE_FAILED", 400, 200),
    "GET mutation": Case(get({"query": "mutation { __typename }"}), "BAD_REQUEST", 405, 400),
    "unknown persisted hash": Case(
        post_json({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": UNKNOWN_HASH}}}),
        "PERSISTED_QUERY_NOT_FOUND",
        404,
        200,
    ),
    "unknown persisted hash over GET": Case(
        get({"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})}),
        "PERSISTED_QUERY_NOT_FOUND",
        404,
        200,
    ),
}


def has_one_error_coded(body: dict[str, Any], expected: str | None) -> bool:
    errors = body["errors"]
    assert len(errors) == 1, errors
    return expected is None or errors[0]["extensions"]["code"] == expected


@pytest.mark.parametrize("case", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_a_request_error_has_no_data_and_a_4xx_in_graphql_response_json(
    org: Org, case: Case
) -> None:
    async with gateway(org, **case.settings) as gw:
        modern = await case.send(gw, {"accept": MODERN})
        legacy = [
            await case.send(gw, {"accept": accept})
            for accept in ("application/json", "*/*", f"application/json, {MODERN}")
        ]
    assert modern.status_code == case.modern_status, modern.text
    assert modern.headers["content-type"] == MODERN_CONTENT_TYPE
    assert "data" not in modern.json()
    assert has_one_error_coded(modern.json(), case.code), modern.text
    for response in legacy:
        assert response.status_code == case.legacy_status, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["data"] is None
        assert has_one_error_coded(response.json(), case.code), response.text


async def test_without_accept_the_answer_is_application_json_as_before(org: Org) -> None:
    async with gateway(org) as gw:
        del gw.http.headers["accept"]  # httpx sends `*/*` unless told otherwise
        failed = await gw.http.post("/graphql", json={"query": "{"})
        ran = await gw.http.post("/graphql", json={"query": "{ __typename }"})
    assert "accept" not in failed.request.headers
    assert failed.status_code == ran.status_code == 200
    assert failed.headers["content-type"] == ran.headers["content-type"] == "application/json"
    assert failed.json()["data"] is None
    assert ran.json() == {"data": {"__typename": "Query"}}


async def test_a_get_mutation_in_graphql_response_json_is_405_and_says_what_is_allowed(
    org: Org,
) -> None:
    async with gateway(org) as gw:
        response = await gw.http.get(
            "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": MODERN}
        )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_an_unknown_persisted_hash_is_never_stored_in_either_media_type(org: Org) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": UNKNOWN_HASH}}}
    async with gateway(org) as gw:
        for accept in (MODERN, "application/json"):
            response = await gw.http.post("/graphql", json=body, headers={"accept": accept})
            assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("accept", [MODERN, "application/json"])
async def test_results_of_execution_are_200_with_data_in_either_media_type(
    org: Org, accept: str
) -> None:
    content_type = MODERN_CONTENT_TYPE if accept == MODERN else "application/json"
    headers = {"accept": accept}
    async with gateway(org) as gw:
        lean = await gw.http.post("/graphql", json={"query": GROUPS}, headers=headers)
        pipeline = await gw.http.get("/graphql", params={"query": GROUPS}, headers=headers)
        # A field error: partial data, the error at its path.
        partial = await gw.http.post(
            "/graphql",
            json={"query": '{ node(id: "garbage") { id } groups(first: 1) { totalCount } }'},
            headers=headers,
        )
        document = "{ groups(first: 2) { totalCount } }"
        digest = hashlib.sha256(document.encode()).hexdigest()
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        stored = await gw.http.post(
            "/graphql", json={"query": document, "extensions": extensions}, headers=headers
        )
        by_hash = await gw.http.post("/graphql", json={"extensions": extensions}, headers=headers)
    for response in (lean, pipeline, partial, stored, by_hash):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == content_type
        assert "accept" in response.headers["vary"].lower()
    assert lean.json() == pipeline.json()
    assert len(lean.json()["data"]["groups"]["edges"]) == 3
    assert partial.json()["data"] == {"node": None, "groups": {"totalCount": 3}}
    assert partial.json()["errors"][0]["path"] == ["node"]
    assert by_hash.json() == stored.json() == {"data": {"groups": {"totalCount": 3}}}


async def test_a_kept_response_is_replayed_in_the_media_type_asked_for(org: Org) -> None:
    async with gateway(org) as gw:
        await gw.post(GROUPS)  # reads JumpCloud: not kept
        kept = await gw.http.post("/graphql", json={"query": GROUPS})  # from cache: kept
        replayed = await gw.http.post(
            "/graphql", json={"query": GROUPS}, headers={"accept": MODERN}
        )
        metrics = (await gw.http.get("/metrics")).text
    assert re.search(r"^jcgraph_responses_replayed_total 1\.0$", metrics, re.M), metrics
    assert replayed.status_code == 200
    assert replayed.headers["content-type"] == MODERN_CONTENT_TYPE
    assert replayed.content == kept.content


async def test_the_graphiql_page_is_still_html(org: Org) -> None:
    async with gateway(org) as gw:
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


def graphql_response_request(media: MediaType = GRAPHQL_RESPONSE) -> Request:
    request = Request({"type": "http", "method": "POST", "headers": [], "state": {}})
    request.state.jcgraph_media = media
    return request


@pytest.mark.parametrize("media", [GRAPHQL_RESPONSE, JSON], ids=["modern", "legacy"])
async def test_null_data_from_execution_is_a_result_not_a_request_error(media: MediaType) -> None:
    """A non-null root field that failed nulls `data` after the operation ran: its error has
    a path, and the response is a result, 200 with `data: null`, in either media type."""
    view = GraphQLView(build_schema(), max_page_size=100, metrics=Metrics())
    request = graphql_response_request(media)
    failed = ExecutionResult(data=None, errors=[GraphQLError("boom", path=["_service"])])
    body = await view.process_result(request, failed)
    assert request.state.jcgraph_status == 200
    assert "data" in body
    assert body["data"] is None


@pytest.mark.parametrize(
    ("original", "code", "status"),
    [
        (None, "GRAPHQL_VALIDATION_FAILED", 400),
        (RuntimeError("bug"), "INTERNAL_SERVER_ERROR", 500),
        (UpstreamTimeoutError("slow"), "UPSTREAM_TIMEOUT", 504),
    ],
)
async def test_a_request_error_of_the_gateway_or_jumpcloud_is_5xx_in_graphql_response_json(
    original: Exception | None, code: str, status: int
) -> None:
    """Nothing ran (no data, no error at a path): the request's fault is 400; the
    gateway's or JumpCloud's is a 5xx, never 2xx."""
    view = GraphQLView(build_schema(), max_page_size=100, metrics=Metrics())
    request = graphql_response_request()
    error = GraphQLError("refused", original_error=original)
    body: dict[str, Any] = dict(
        await view.process_result(request, ExecutionResult(data=None, errors=[error]))
    )
    assert request.state.jcgraph_status == status
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == code
