"""The GraphQL HTTP view: caller auth, per-request context, error codes, cost report."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from gateway.cache import current_cache_tally
from gateway.context import Context
from gateway.errors import classify
from gateway.jumpcloud.accounting import current_tally
from gateway.observability import Metrics

log = logging.getLogger("gateway.view")

COST_HEADER = "x-jcgraph-cost"


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's policies around it."""

    def __init__(
        self,
        schema: Any,
        *,
        max_page_size: int,
        metrics: Metrics,
        auth_tokens: tuple[str, ...] = (),
        graphiql_html: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql_html else None)
        self._max_page_size = max_page_size
        self._metrics = metrics
        self._auth_tokens = auth_tokens
        self._graphiql_html = graphiql_html
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._auth_tokens:
            request = Request(scope, receive)
            if not self._authorised(request) and not self._is_ide_page(request):
                response = JSONResponse(
                    {
                        "data": None,
                        "errors": [
                            {
                                "message": "Send `Authorization: Bearer <token>` with a token "
                                "from JCGRAPH_AUTH_TOKENS.",
                                "extensions": {"code": "UNAUTHENTICATED"},
                            }
                        ],
                    },
                    status_code=401,
                    headers={"www-authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        started = time.perf_counter()
        await super().__call__(scope, receive, send)
        self._metrics.requests.observe(time.perf_counter() - started)

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in self._auth_tokens)

    def _is_ide_page(self, request: Request) -> bool:
        """Only the page itself is public; a GET that carries a query is an operation."""
        return (
            self._graphiql_html is not None
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        from starlette.responses import HTMLResponse

        return HTMLResponse(self._graphiql_html or "")

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Any, response: Any) -> Context:
        context = Context(
            loaders=request.state.services.loaders(),
            max_page_size=self._max_page_size,
            report_cost=request.headers.get(COST_HEADER, "").lower() in {"1", "true", "yes"},
        )
        request.state.jcgraph_context = context
        return context

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        request = kwargs["request"] if "request" in kwargs else args[0]
        context: Context = request.state.jcgraph_context
        upstream_token = current_tally.set(context.upstream)
        cache_token = current_cache_tally.set(context.cache)
        try:
            return await super().execute_operation(*args, **kwargs)
        finally:
            current_tally.reset(upstream_token)
            current_cache_tally.reset(cache_token)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [self._format(e) for e in result.errors]
        extensions = dict(result.extensions or {})
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        if context is not None:
            self._metrics.request_upstream_calls.observe(context.upstream.calls)
            if context.report_cost or context.cache.stale:
                extensions["cost"] = self._cost(context)
        if extensions:
            response["extensions"] = extensions
        return response  # type: ignore[return-value]

    def _format(self, error: GraphQLError) -> dict[str, Any]:
        code, message, extra = classify(error)
        self._metrics.errors.labels(code).inc()
        formatted: dict[str, Any] = dict(error.formatted)
        if message is None:
            log.error("unexpected error at %s", error.path, exc_info=error.original_error)
            message = "Unexpected error."
        elif code.startswith("UPSTREAM"):
            log.warning("upstream error at %s: %s", error.path, error.original_error)
        formatted["message"] = message
        formatted["extensions"] = {**extra, "code": code}
        return formatted

    def _cost(self, context: Context) -> dict[str, Any]:
        oldest = context.cache.oldest_stored_at
        return {
            "upstreamCalls": context.upstream.calls,
            "upstreamByEndpoint": dict(context.upstream.by_endpoint),
            "cacheHits": context.cache.hits,
            "cacheMisses": context.cache.misses,
            "staleEntries": context.cache.stale,
            "stale": context.cache.stale > 0,
            "dataAgeSeconds": None if oldest is None else round(self._clock() - oldest, 3),
        }
