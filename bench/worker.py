"""Child processes for bench.warm_path: each imports one version of `gateway` (the one on
its PYTHONPATH, see bench.stack.Code) and answers commands on stdin, one JSON line each
(prefixed `bench.stack.REPLY`; everything else this process prints goes to stderr).

    python -m bench.worker facts
        answers once: which `gateway` this is and its Settings defaults.
    python -m bench.worker walk --side=gateway|anchor --query=scalars|groups \
        --users=N --groups=G --applications=A --seed=S [--set NAME=VALUE ...]
        builds the org (`generate_org`) and the gateway over the in-process simulator
        (`bench.harness.gateway`, settings overridden by --set) or the graphql-core anchor,
        walks the query's pages twice to warm up, answers `{"digest": ...}` (the pages,
        to compare sides), then for each `walk` line walks every page again and answers
        `{"cpu": <time.process_time() spent>, "calls": <upstream calls during it>}`.
    python -m bench.worker rtt --latency=S
        for each `rtt` line, a fresh gateway over `shaped_org()` with `Faults.latency` S
        runs the waves query once, cold: `{"wall": s, "starts": [[at, method, path], ...]}`
        (one run first, unmeasured, for imports and first-use costs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TextIO

import orjson

import gateway as gateway_package
from bench.harness import Harness, Started, gateway, shaped_org, supported
from bench.stack import REPLY
from gateway.simulator.store import Org, OrgSizes, generate_org

SCALARS_QUERY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { jumpcloudId username email firstname
  lastname displayName state department } } } }"""
GROUPS_QUERY = """query($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { jumpcloudId
  groups(first: 100) { edges { node { name } } } } } } }"""
# Pages sized to the shaped org (3 groups a user, 2 groups an application): a connection
# without `first` costs a whole default page (100), which the cost limit would refuse here.
WAVES_QUERY = """{ users(first: 50) { edges { node { groups(first: 10) { edges { node {
  applications(first: 10) { edges { node { name } } } } } } } } } }"""
QUERIES = {"scalars": SCALARS_QUERY, "groups": GROUPS_QUERY}

_replies: TextIO = sys.stdout


def take_stdout() -> None:
    """Answers go to the original stdout; anything else printed goes to stderr."""
    global _replies
    _replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def reply(answer: dict[str, Any]) -> None:
    _replies.write(REPLY + json.dumps(answer) + "\n")
    _replies.flush()


async def commands() -> AsyncIterator[str]:
    """Lines from stdin until it closes (read in a thread: the loop stays free between)."""
    while line := await asyncio.to_thread(sys.stdin.readline):
        yield line.strip()


def parse_value(raw: str) -> Any:
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    with contextlib.suppress(ValueError):
        return int(raw)
    with contextlib.suppress(ValueError):
        return float(raw)
    return raw


def overrides(pairs: list[str]) -> dict[str, Any]:
    return {k: parse_value(v) for k, _, v in (p.partition("=") for p in pairs)}


CURSORS = frozenset({"cursor", "endCursor"})


def without_cursors(value: Any) -> Any:
    """The answer with its cursors left out: each side's cursors are its own (the anchor's
    are offsets, the gateway's name their list), so sides compare records and their order."""
    if isinstance(value, dict):
        return {k: without_cursors(v) for k, v in value.items() if k not in CURSORS}
    if isinstance(value, list):
        return [without_cursors(v) for v in value]
    return value


def digest(pages: list[Any]) -> str:
    """One side's pages, cursors left out (`without_cursors`)."""
    return hashlib.sha256(json.dumps(without_cursors(pages), sort_keys=True).encode()).hexdigest()


# facts


def facts() -> dict[str, Any]:
    from gateway.settings import Settings

    defaults = dataclasses.asdict(Settings(api_key="bench"))
    defaults.pop("api_key")
    return {
        "gateway": gateway_package.__file__,
        "settings": json.loads(json.dumps(defaults, default=str)),
    }


# walk


Pages = Callable[[], Awaitable[list[Any]]]


def pages_of(respond: Callable[[bytes], Awaitable[bytes]], query: str) -> Pages:
    """Every page of `query` (`after:` the last `endCursor`), POST bodies through orjson."""

    async def walk() -> list[Any]:
        pages, after = [], None
        while True:
            body = orjson.dumps({"query": query, "variables": {"after": after}})
            payload = orjson.loads(await respond(body))
            assert "errors" not in payload, payload
            pages.append(payload["data"])
            info = payload["data"]["users"]["pageInfo"]
            if not info["hasNextPage"]:
                return pages
            after = info["endCursor"]

    return walk


async def serve_walks(walk: Pages, calls: Callable[[], int], dropped: list[str]) -> None:
    await walk()
    reply({"digest": digest(await walk()), "gateway": gateway_package.__file__, "dropped": dropped})
    async for command in commands():
        assert command == "walk", command
        before = calls()
        started = time.process_time()
        await walk()
        spent = time.process_time() - started
        reply({"cpu": spent, "calls": calls() - before})


async def asgi_post(app: Any, body: bytes) -> tuple[int, bytes]:
    """POST /graphql straight into the ASGI app, as a server hands it a parsed request: the
    walk measures the gateway's own work (Starlette, the view, GraphQL), not an HTTP client's.
    Uncompressed (no Accept-Encoding), as the anchor answers."""
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, chunks = 0, []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    headers = [
        (b"host", b"gateway.bench"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status, b"".join(chunks)


async def walk_gateway(org: Org, query: str, settings: dict[str, Any]) -> None:
    kept, dropped = supported(settings)
    async with gateway(org, **kept) as gw:

        async def respond(body: bytes) -> bytes:
            status, answer = await asgi_post(gw.asgi, body)
            assert status == 200, answer
            return answer

        await serve_walks(pages_of(respond, query), lambda: gw.log.total, dropped)


async def walk_anchor(org: Org, query: str) -> None:
    from bench.anchor import Anchor

    anchor = Anchor(org)

    async def respond(body: bytes) -> bytes:
        return anchor.respond(body)  # synchronous: execute_sync

    await serve_walks(pages_of(respond, query), lambda: 0, [])


# rtt


async def rtt_once(latency: float) -> tuple[float, list[Started]]:
    gw: Harness
    async with gateway(shaped_org()) as gw:
        await gw.query("{ __typename }")
        gw.faults.latency = latency
        started = time.perf_counter()
        await gw.query(WAVES_QUERY)
        return time.perf_counter() - started, list(gw.starts)


async def serve_rtt(latency: float) -> None:
    await rtt_once(latency)  # imports and first-use costs in this process
    reply({"gateway": gateway_package.__file__})
    async for command in commands():
        assert command == "rtt", command
        wall, starts = await rtt_once(latency)
        reply({"wall": wall, "starts": [[s.at, s.method, s.path] for s in starts]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("facts")
    walk = sub.add_parser("walk")
    walk.add_argument("--side", choices=("gateway", "anchor"), required=True)
    walk.add_argument("--query", choices=sorted(QUERIES), required=True)
    for name in ("users", "groups", "applications", "seed"):
        walk.add_argument(f"--{name}", type=int, required=True)
    walk.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    rtt = sub.add_parser("rtt")
    rtt.add_argument("--latency", type=float, required=True)
    args = parser.parse_args()
    take_stdout()
    if args.mode == "facts":
        reply(facts())
    elif args.mode == "walk":
        sizes = OrgSizes(users=args.users, groups=args.groups, applications=args.applications)
        org = generate_org(sizes, seed=args.seed)
        query = QUERIES[args.query]
        if args.side == "anchor":
            asyncio.run(walk_anchor(org, query))
        else:
            asyncio.run(walk_gateway(org, query, overrides(args.set)))
    else:
        asyncio.run(serve_rtt(args.latency))


if __name__ == "__main__":
    main()
