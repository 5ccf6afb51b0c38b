"""JSON responses and the per-request call context shared by the endpoint handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.simulator.model import Org
from gateway.simulator.query import ApiError, Params, last


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), status, dict(headers or {}), "application/json")


@dataclass
class Call:
    """One authorised request: the org it reads, its query and path parameters."""

    request: Request
    org: Org
    params: Params
    path: dict[str, str]

    def query(self, name: str) -> str | None:
        return last(self.params, name)

    @property
    def eventually_consistent(self) -> bool:
        """``x-eventually-consistent: true`` unlocks multi-term $sw and $ew/$co/$nco."""
        return self.request.headers.get("x-eventually-consistent", "").lower() == "true"

    async def json_body(self) -> dict[str, Any]:
        raw = await self.request.body()
        if not raw.strip():
            return {}
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ApiError("Bad Request: the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError("Bad Request: the body must be a JSON object")
        return body


Handler = Callable[[Call], Awaitable[Response]]


def find(records: Mapping[str, dict[str, Any]], record_id: str, kind: str) -> dict[str, Any]:
    """The record, or a 404 naming what was missing."""
    record = records.get(record_id)
    if record is None:
        raise ApiError(f"Not Found: no {kind} with id {record_id!r}", status=404)
    return record


def window(rows: Iterable[Any], skip: int, limit: int) -> list[Any]:
    return list(rows)[skip : skip + limit]
