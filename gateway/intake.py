"""What the view checks before anything parses a request: its caller, and how much it sends.

Every refusal the view makes itself is a GraphQL-shaped JSON body with a stable
`extensions.code`, counted in the error metric, and comes before any parsing:

    401 UNAUTHENTICATED         no or wrong bearer token (JCGRAPH_AUTH_TOKENS)
    413 REQUEST_TOO_LARGE       body (declared or streamed) or query string over
                                JCGRAPH_MAX_BODY_BYTES; the rest of the body is never read
    400 BATCHING_NOT_SUPPORTED  a JSON array of operations
    400 BAD_REQUEST             not JSON, not an object, wrong content type, bad fields
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive

from gateway.access_log import token_id
from gateway.errors import BadRequest, BatchingNotSupported, GatewayError, RequestTooLarge
from gateway.media_types import MediaType

if TYPE_CHECKING:  # the metrics (prometheus_client) are the view's, not a settings check's
    from gateway.metrics import Metrics

DEFAULT_MAX_BODY_BYTES = 262_144


class Callers:
    """The bearer tokens that may call (none: anyone may), each with its logged stand-in."""

    def __init__(self, tokens: tuple[str, ...], *, public_ide: bool) -> None:
        self._tokens = tokens
        self._ids = {t: token_id(t) for t in tokens}
        self._public_ide = public_ide

    def refused(self, request: Request) -> bool:
        """Whether to answer 401: tokens are set, and this is neither one nor the IDE page."""
        return bool(self._tokens) and not (self._authorised(request) or self._ide_page(request))

    def client_id(self, request: Request) -> str | None:
        """The caller's token's stand-in (access_log.token_id), None without auth."""
        if not self._ids:
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return self._ids.get(token) if scheme.lower() == "bearer" else None

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in self._tokens)

    def _ide_page(self, request: Request) -> bool:
        """Only the page itself is public; a GET that carries a query (or a persisted
        query's hash, in `extensions`) is an operation."""
        return (
            self._public_ide
            and request.method == "GET"
            and "query" not in request.query_params
            and "extensions" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )


async def read_bounded(request: Request, receive: Receive, limit: int) -> tuple[Receive, bytes]:
    """Check the request's size before anything parses it: the query string of a GET,
    the body of a POST (its declared length, then while it streams in). Returns a
    `receive` that replays the body that was read, and what was sent (the query string
    or the body)."""
    too_large = RequestTooLarge(
        f"The request is larger than {limit:,} bytes, the limit (JCGRAPH_MAX_BODY_BYTES). "
        "Send a smaller query, or fewer variables.",
        maxBytes=limit,
    )
    query_string: bytes = request.scope.get("query_string", b"")
    if len(query_string) > limit:
        raise too_large
    if request.method != "POST":
        return receive, query_string
    declared = request.headers.get("content-length")
    if declared is not None and not declared.isdigit():
        raise BadRequest("The Content-Length header is not a number.")
    if declared is not None and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            raise BadRequest("The request body did not arrive.")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if body.lstrip()[:1] == b"[":
        raise BatchingNotSupported(
            "Batched operations (a JSON array) are not supported; send one operation per request.",
        )
    return replay(body, receive), body


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields `body` once, then whatever the server sends next (a
    disconnect)."""
    pending = [body]

    async def replayed() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replayed


def refusal(
    error: GatewayError,
    media: MediaType,
    metrics: Metrics,
    *,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response:
    """The view's own refusal, made before anything ran: `data: null` in
    application/json, no `data` entry in application/graphql-response+json."""
    metrics.errors.labels(error.code).inc()
    extensions = {**error.extensions, "code": error.code}
    errors = [{"message": str(error), "extensions": extensions}]
    body = {"data": None, "errors": errors} if media.legacy else {"errors": errors}
    return JSONResponse(body, status_code=status, headers=headers, media_type=media.content_type)
