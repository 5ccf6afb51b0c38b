"""Requests too large to parse are refused before any parsing work and any upstream call,
with a stable code, never a 500; long documents are parsed and validated off the loop."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from gateway.documents import INLINE_DOCUMENT_CHARS, off_loop
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import Harness, gateway

MB = 1024 * 1024


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=20, groups=4, applications=3), seed=5)


def code(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    value: str = errors[0]["extensions"]["code"]
    return value


def repeated_fields(size: int) -> bytes:
    """A JSON body `{"query": "{ a a a ... }"}` of `size` bytes."""
    head, tail = b'{"query": "{ ', b'}"}'
    return head + b"a " * ((size - len(head) - len(tail)) // 2) + tail


async def post_raw(gw: Harness, body: Any, **headers: str) -> httpx.Response:
    return await gw.http.post(
        "/graphql", content=body, headers={"content-type": "application/json", **headers}
    )


@pytest.mark.parametrize("size", [2 * MB, 5 * MB])
async def test_a_body_over_the_limit_is_refused_before_any_work(org: Org, size: int) -> None:
    async with gateway(org) as gw:
        response = await post_raw(gw, repeated_fields(size))
        metrics = (await gw.http.get("/metrics")).text
    assert response.status_code == 413
    assert code(response) == "REQUEST_TOO_LARGE"
    assert response.json()["errors"][0]["extensions"]["maxBytes"] == 262_144
    assert "JCGRAPH_MAX_BODY_BYTES" in response.json()["errors"][0]["message"]
    assert gw.log.total == 0
    assert 'jcgraph_graphql_errors_total{code="REQUEST_TOO_LARGE"} 1.0' in metrics


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(org: Org) -> None:
    chunk, sent = b"a " * 32 * 1024, []  # 64 KiB a chunk, 5 MB in all, no Content-Length

    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": "{ '
        for _ in range(80):
            sent.append(len(chunk))
            yield chunk
        yield b'}"}'

    async with gateway(org) as gw:
        response = await post_raw(gw, body())
    assert code(response) == "REQUEST_TOO_LARGE"
    assert sum(sent) <= 262_144 + len(chunk)  # read up to the limit, not the 5 MB
    assert gw.log.total == 0


async def test_a_declared_length_over_the_limit_is_refused_without_reading(org: Org) -> None:
    pulled = []

    async def body() -> AsyncIterator[bytes]:
        pulled.append(1)
        yield repeated_fields(300_000)

    async with gateway(org) as gw:
        response = await post_raw(gw, body(), **{"content-length": "300000"})
    assert code(response) == "REQUEST_TOO_LARGE"
    assert pulled == []


async def test_the_body_limit_is_configurable_and_a_body_under_it_is_served(org: Org) -> None:
    query = b'{"query": "{ groups { totalCount } }"}'
    async with gateway(org, max_body_bytes=len(query)) as gw:
        served = await post_raw(gw, query)
        refused = await post_raw(gw, query[:-1] + b" }")
    assert served.json()["data"]["groups"]["totalCount"] == len(org.groups)
    assert code(refused) == "REQUEST_TOO_LARGE"


async def test_a_get_query_string_has_the_same_bound(org: Org) -> None:
    async with gateway(org, max_body_bytes=2048) as gw:
        refused = await gw.http.get("/graphql", params={"query": "{ " + "a " * 1_100 + "}"})
        served = await gw.http.get("/graphql", params={"query": "{ groups { totalCount } }"})
    assert refused.status_code == 413
    assert code(refused) == "REQUEST_TOO_LARGE"
    assert served.json()["data"]["groups"]["totalCount"] == len(org.groups)
    assert gw.log.total == 1


async def test_a_get_query_has_the_same_token_limit(org: Org) -> None:
    async with gateway(org) as gw:
        refused = await gw.http.get("/graphql", params={"query": "{ " + "a " * 5_000 + "}"})
    assert code(refused) == "TOO_MANY_TOKENS"
    assert gw.log.total == 0


async def test_too_many_tokens_are_refused_while_lexing(org: Org) -> None:
    async with gateway(org) as gw:
        fields = await gw.post("{ " + "a " * 1_000 + "}")
        comments = await gw.post("{ groups { totalCount } }" + "\n#" * 1_000)
        just_under = await gw.post("{ groups { " + "totalCount " * 490 + "} }" + "\n#" * 500)
    assert code(fields) == "TOO_MANY_TOKENS"
    assert fields.json()["errors"][0]["extensions"]["maxTokens"] == 1_000
    assert code(comments) == "TOO_MANY_TOKENS"  # comments count: they cost lexing too
    assert "errors" not in just_under.json()
    assert gw.log.total == 1  # only the document under the limit ran


async def test_the_token_limit_is_configurable(org: Org) -> None:
    query = "{ groups { totalCount } }"  # 6 tokens
    async with gateway(org, max_tokens=100) as gw:
        assert "errors" not in (await gw.post(query)).json()
        assert code(await gw.post("{ " + "__typename " * 100 + "}")) == "TOO_MANY_TOKENS"


async def test_a_batch_of_operations_is_refused_with_its_own_code(org: Org) -> None:
    batch = [{"query": "{ groups { totalCount } }"}] * 3
    async with gateway(org) as gw:
        response = await gw.http.post("/graphql", json=batch)
    assert response.status_code == 400
    assert code(response) == "BATCHING_NOT_SUPPORTED"
    assert gw.log.total == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{", "application/json"),
        (b'"a string"', "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b'{"query": 1}', "application/json"),
        (b'{"query": "{ groups { totalCount } }", "variables": [1]}', "application/json"),
        (b'{"query": "{ groups { totalCount } }"}', "text/plain"),
        (b"{}", "application/json"),
        (
            b'{"query": "{ a }", "variables": {"x": ' + b"[" * 2000 + b"]" * 2000 + b"}}",
            "application/json",
        ),
    ],
)
async def test_malformed_requests_get_bad_request_never_a_500(
    org: Org, body: bytes, content_type: str
) -> None:
    async with gateway(org) as gw:
        response = await post_raw(gw, body, **{"content-type": content_type})
    assert response.status_code == 400
    assert code(response) == "BAD_REQUEST"
    assert gw.log.total == 0


async def test_refused_callers_are_counted_in_the_error_metric(org: Org) -> None:
    async with gateway(org, auth_tokens=("s3cret",)) as gw:
        denied = await gw.post("{ groups { totalCount } }")
        big = await post_raw(gw, repeated_fields(2 * MB))  # the caller is refused first
        metrics = (await gw.http.get("/metrics")).text
    assert (denied.status_code, big.status_code) == (401, 401)
    assert 'jcgraph_graphql_errors_total{code="UNAUTHENTICATED"} 2.0' in metrics


async def test_long_documents_are_worked_on_off_the_event_loop() -> None:
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents")
    try:
        short = await off_loop(worker, INLINE_DOCUMENT_CHARS, lambda: threading.current_thread())
        long = await off_loop(worker, INLINE_DOCUMENT_CHARS + 1, threading.current_thread)
    finally:
        worker.shutdown()
    assert short is threading.current_thread()
    assert long.name.startswith("documents")


async def test_a_long_document_does_not_hold_up_a_short_one(org: Org) -> None:
    # Validated in the worker (quadratic: 990 fields of one name); its own text, so no
    # other test's run has it in the validation cache.
    heavy = "{ groups { " + "totalCount " * 990 + "} } # " + uuid.uuid4().hex
    async with gateway(org) as gw:
        await gw.query("{ groups { totalCount } }")  # warm: the short one reads the cache
        done: list[str] = []

        async def run(name: str, query: str) -> None:
            await gw.post(query)
            done.append(name)

        await asyncio.gather(run("heavy", heavy), run("light", "{ groups { totalCount } }"))
    assert done == ["light", "heavy"]
