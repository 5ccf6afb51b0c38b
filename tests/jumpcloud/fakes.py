"""A scripted JumpCloud behind httpx.MockTransport: list semantics plus queued failures."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.jumpcloud import ClientConfig, JumpCloudClient

API_KEY = "jca_SECRET_sentinel_123"

Record = dict[str, Any]
Responder = Callable[[httpx.Request], httpx.Response]


def object_id(n: int) -> str:
    return f"{n:024x}"


def make_users(n: int) -> list[Record]:
    return [{"_id": object_id(i), "username": f"user{i}"} for i in range(n)]


def _window(request: httpx.Request) -> tuple[int, int]:
    limit = int(request.url.params.get("limit", "10"))  # JumpCloud's default page is 10
    skip = int(request.url.params.get("skip", "0"))
    return skip, limit


def _in_terms(value: str) -> list[str]:
    """Split `$in` terms on unescaped pipes (V1 trait_filter_filter)."""
    terms, current, chars = [], "", iter(value)
    for c in chars:
        if c == "\\":
            current += next(chars, "")
        elif c == "|":
            terms.append(current)
            current = ""
        else:
            current += c
    return [*terms, current]


@dataclass
class FakeJumpCloud:
    """v1 lists ({results,totalCount}), v2 lists (bare + x-total-count) and scripted faults.

    `failures` is consumed first: each entry answers one request instead of the fake.
    `delay` yields to the event loop inside each request so concurrency can be measured.
    """

    users: list[Record] = field(default_factory=list)
    groups: list[Record] = field(default_factory=list)
    edges: list[Record] = field(default_factory=list)
    failures: deque[Responder | Exception] = field(default_factory=deque)
    yields: int = 0
    requests: list[httpx.Request] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **config: Any) -> JumpCloudClient:
        return JumpCloudClient(ClientConfig(api_key=API_KEY, **config), transport=self.transport())

    async def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["x-api-key"] == API_KEY
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(self.yields):
                await asyncio.sleep(0)
            if self.failures:
                failure = self.failures.popleft()
                if isinstance(failure, Exception):
                    raise failure
                return failure(request)
            return self.answer(request)
        finally:
            self.in_flight -= 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        skip, limit = _window(request)
        if path == "/api/systemusers":
            users = self.users
            flt = request.url.params.get("filter")
            if flt:
                field_, op, value = flt.split(":", 2)
                assert (field_, op) == ("_id", "$in")
                wanted = set(_in_terms(value))
                users = [u for u in users if u["_id"] in wanted]
            if request.url.params.get("sort") == "-_id":
                users = users[::-1]
            page = users[skip : skip + limit]
            return httpx.Response(200, json={"results": page, "totalCount": len(users)})
        if path.startswith("/api/systemusers/"):
            wanted_id = path.rsplit("/", 1)[1]
            for user in self.users:
                if user["_id"] == wanted_id:
                    return httpx.Response(200, json=user)
            return httpx.Response(404, json={"message": "Not Found"})
        if path == "/api/search/systemusers":
            page = self.users[skip : skip + limit]
            return httpx.Response(200, json={"results": page, "totalCount": len(self.users)})
        if path == "/api/v2/usergroups":
            page = self.groups[skip : skip + limit]
            return httpx.Response(200, json=page, headers={"x-total-count": str(len(self.groups))})
        if path.startswith("/api/v2/"):
            page = self.edges[skip : skip + limit]
            return httpx.Response(200, json=page, headers={"x-total-count": str(len(self.edges))})
        return httpx.Response(404, json={"message": "Not Found"})


def status(code: int, headers: dict[str, str] | None = None, body: Any = None) -> Responder:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, headers=headers, json=body or {"message": f"status {code}"})

    return respond
