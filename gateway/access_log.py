"""The access log: one line per HTTP request (a GraphQL one with its fields), no query string.

Also the stand-ins those lines show in place of what they must not: request ids, document
hashes and token ids.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.redaction import CLEAN, ConfiguredSecrets, redact

REQUEST_LOGGED = "jcgraph_request_logged"
"""Set in a request's state by the view once `gateway.request` has its line."""


class AccessLog:
    """ASGI middleware: one INFO line per HTTP request on `gateway.access`, the path
    without its query string (which can carry tokens or emails). GraphQL requests are left
    to the view's own line on `gateway.request` (`log_request`), which starts alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("gateway.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before it responds

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            if not scope.get("state", {}).get(REQUEST_LOGGED):
                self.log.info(
                    '%s "%s %s HTTP/%s" %d %.1fms',
                    remote_of(scope),
                    scope["method"],
                    scope["path"],
                    scope.get("http_version", "1.1"),
                    status,
                    (time.perf_counter() - started) * 1000,
                )


def remote_of(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


request_log = logging.getLogger("gateway.request")

# What a proxy or client may name its request with (UUIDs, W3C and AWS trace ids); anything
# else (too long, spaces, quotes, an address) is replaced by an id of our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")


def request_id(incoming: str | None) -> str:
    """The caller's `x-request-id` if it is a sane token, else a new random one."""
    if incoming is not None and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return os.urandom(8).hex()


def document_hash(document: str) -> str:
    """A GraphQL document's stand-in in logs and spans: the first 12 hex of its sha256 (the
    hash a persisted-query manifest files it under starts alike)."""
    return hashlib.sha256(document.encode()).hexdigest()[:12]


def token_id(token: str) -> str:
    """A bearer token's stand-in: the first 8 hex of its sha256 (`printf %s "$TOKEN" |
    sha256sum | cut -c1-8` finds it), never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def log_request(scope: Scope, fields: Mapping[str, Any]) -> None:
    """The one line of a GraphQL request on `gateway.request`: the access log's start, then
    the request's fields compactly (text); in JSON the fields are also keys of their own.

    `fields`: request_id, operation, document, status, duration_ms, upstream_calls,
    cache_hits, stale, replayed, client and, when tracing, trace_id."""
    trace_id = fields.get("trace_id")
    # Clean at source, so the handler's redaction can pass it by: every field is the
    # gateway's own (ids, hashes, counts) but the operation name, which the client chose.
    operation = fields["operation"]
    if operation is not None:
        operation = redact(operation, ConfiguredSecrets.secrets)
    extra = {**fields, "operation": operation, CLEAN: True}
    request_log.info(
        '%s "%s %s HTTP/%s" %d %.1fms id=%s op=%s doc=%s upstream=%d hits=%d stale=%s '
        "replayed=%s client=%s%s",
        remote_of(scope),
        scope["method"],
        scope["path"],
        scope.get("http_version", "1.1"),
        fields["status"],
        fields["duration_ms"],
        fields["request_id"],
        operation or "-",
        fields["document"] or "-",
        fields["upstream_calls"],
        fields["cache_hits"],
        _flag(fields["stale"]),
        _flag(fields["replayed"]),
        fields["client"] or "-",
        f" trace={trace_id}" if trace_id else "",
        extra=extra,
    )
