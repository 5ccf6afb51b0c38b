"""The GraphQL HTTP view: auth and bounds, persisted documents, replays, context, the result.

The view's own refusals, before any parsing, are gateway/intake.py's. Persisted documents
are resolved next (gateway/persisted.py), after auth and the size bound and before the
response cache, the lean path and Strawberry, which all see the plain request.

Every response is in the media type the request's `Accept` asks for (gateway.media_types):
application/json, as always, or application/graphql-response+json, in which a request error
(a refusal above, or a document that does not parse, validate or take its variables, or a
limit's refusal) has no `data` entry and a 4xx or 5xx status, and a result of execution is
200. The view's refusals keep their status in both but two: a GET of a mutation is 405
there (400 in application/json), an unknown persisted hash 404 (200 in application/json).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from gateway.access_log import request_id
from gateway.context import Context
from gateway.errors import BadRequest, GatewayError, NotFound, RequestRefused, Unauthenticated
from gateway.freshness import FreshReads
from gateway.intake import DEFAULT_MAX_BODY_BYTES, Callers, read_bounded, refusal
from gateway.jumpcloud import current_upstream_tracer
from gateway.media_types import JSON, MediaType, negotiate
from gateway.metrics import Metrics
from gateway.operations import Operations, lean_request
from gateway.persisted import PersistedDocuments, PersistedQueryNotFound
from gateway.request_cost import COST_HEADER, RequestCost
from gateway.request_lines import RequestLines
from gateway.response_cache import ResponseCache
from gateway.results import shape

if TYPE_CHECKING:
    from gateway.tracing import Tracing


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's policies around it."""

    def __init__(
        self,
        schema: Any,
        *,
        max_page_size: int,
        broad_access_applications: int = 10,
        metrics: Metrics,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        auth_tokens: tuple[str, ...] = (),
        graphiql_html: str | None = None,
        clock: Callable[[], float] = time.time,
        response_cache: ResponseCache | None = None,
        operations: Operations | None = None,
        persisted: PersistedDocuments | None = None,
        tracing: Tracing | None = None,
        fresh_reads: FreshReads | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql_html else None)
        self._operations = operations
        self._persisted = persisted
        self._responses = response_cache
        self._max_page_size = max_page_size
        self._broad_access = broad_access_applications
        self._max_body_bytes = max_body_bytes
        self._metrics = metrics
        self._graphiql_html = graphiql_html
        self._clock = clock
        self._tracing = tracing
        self._fresh = fresh_reads
        self._callers = Callers(auth_tokens, public_ide=graphiql_html is not None)
        policies = getattr(schema, "policies", None)
        max_tokens: int = 1_000 if policies is None else policies.documents.max_tokens
        self._lines = RequestLines(self._callers, max_tokens)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        started = time.perf_counter()
        if self._tracing is None:
            response, request, sent, replayed = await self._respond(scope, receive)
            traced = None
        else:
            traced = self._tracing.operation(Request(scope).headers)
            token = current_upstream_tracer.set(traced)
            try:
                response, request, sent, replayed = await self._respond(scope, receive)
            except BaseException:
                traced.end(operation=None, document=None, status=500, attributes={})
                raise
            finally:
                current_upstream_tracer.reset(token)
        rid = request_id(request.headers.get("x-request-id"))
        response.headers["x-request-id"] = rid
        # Its media type follows Accept; gzip'd for clients that accept it.
        response.headers["vary"] = "Accept, Accept-Encoding"
        await response(request.scope, receive, send)
        elapsed = time.perf_counter() - started
        self._metrics.requests.observe(elapsed)
        if traced is not None or self._lines.wanted():
            self._lines.observed(
                request, sent, response.status_code, elapsed, rid, replayed, traced
            )

    async def _respond(
        self, scope: Scope, receive: Receive
    ) -> tuple[Response, Request, bytes, bool]:
        """The response, the request as last rewritten, what was sent (body or query
        string, b"" if refused before it was read) and whether the response was replayed."""
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        request.state.jcgraph_media = media  # for process_result
        sent, replayed = b"", False
        try:
            if self._callers.refused(request):
                response = refusal(
                    Unauthenticated(
                        "Send `Authorization: Bearer <token>` with a token from "
                        "JCGRAPH_AUTH_TOKENS."
                    ),
                    media,
                    self._metrics,
                    status=401,
                    headers={"www-authenticate": "Bearer"},
                )
            else:
                replayed_body, sent = await read_bounded(request, receive, self._max_body_bytes)
                if self._persisted is not None:
                    scope, replayed_body, sent = self._persisted.resolve(
                        scope, receive, replayed_body, sent
                    )
                request = Request(scope, replayed_body)
                fresh, responses = self._fresh, self._responses
                max_age = None if fresh is None else fresh.grant(request.headers, self._metrics)
                request.state.jcgraph_max_age = max_age
                # A request asking for fresher data is recomputed, never replayed.
                key = kept = None
                if max_age is None and responses is not None:
                    key = responses.key_for(request, sent)
                    kept = None if key is None else responses.get(key)
                if kept is not None:
                    self._metrics.responses_replayed.inc()
                    # Only clean results are kept: the same body in either media type.
                    response = Response(kept, media_type=media.content_type)
                    replayed = True
                else:
                    lean = await self._lean(request, sent, media)
                    if lean is not None:
                        response = lean
                    else:
                        response = self._in_media(request, media, await self.run(request))
                    if key is not None and responses is not None:
                        responses.keep_if_fresh(key, request, response)
                    elif max_age is not None and responses is not None:
                        responses.clear()  # kept responses may predate what it re-read
        except RequestRefused as refused:
            status, headers = refused.status, None
            if isinstance(refused, PersistedQueryNotFound):
                # A hash-only GET may pass through shared caches: never keep "not found".
                headers = {"cache-control": "no-store"}
                # Apollo's clients expect 200, and find the code in a 4xx body as well;
                # without `data`, graphql-response+json must not be 2xx.
                status = 200 if media.legacy else 404
            response = refusal(refused, media, self._metrics, status=status, headers=headers)
        except HTTPException as exc:  # Strawberry's own refusals of malformed requests
            error: GatewayError = (
                NotFound(exc.reason) if exc.status_code == 404 else BadRequest(exc.reason)
            )
            status = exc.status_code
            if isinstance(exc.__cause__, InvalidOperationTypeError) and not media.legacy:
                status = 405  # the spec's status for a mutation over GET
            headers = {"allow": "GET, POST"} if status == 405 else None
            response = refusal(error, media, self._metrics, status=status, headers=headers)
        return response, request, sent, replayed

    def _in_media(self, request: Request, media: MediaType, response: Response) -> Response:
        """Strawberry's response in the negotiated media type: a GraphQL result (one that
        went through process_result, not the GraphiQL page) takes its Content-Type and the
        status process_result chose."""
        status: int | None = getattr(request.state, "jcgraph_status", None)
        if media.legacy or status is None:
            return response
        response.status_code = status
        response.headers["content-type"] = media.content_type
        return response

    async def _lean(self, request: Request, body: bytes, media: MediaType) -> Response | None:
        """The response of a POSTed JSON query through the lean path (gateway.operations);
        None for anything else, which Strawberry's pipeline then answers."""
        asked = None if self._operations is None else lean_request(request, body)
        if asked is None:
            return None
        query, variables, name = asked
        operations = self._operations
        assert operations is not None
        prepared = await operations.prepare(query, name)
        if prepared is None:
            return None
        request.state.jcgraph_operation = (query, prepared.name)  # for the request's log line
        cost = operations.estimate(query, prepared, name, variables)
        if cost is None:
            return None
        context = await self.get_context(request, None)
        with self._deadline(request):
            result = await operations.execute(prepared, context, variables, name)
        result.extensions = {"cost": cost}
        shaped = await self.process_result(request, result)  # type: ignore[arg-type]
        status: int = request.state.jcgraph_status
        return Response(self.encode_json(shaped), status_code=status, media_type=media.content_type)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html or "")

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # raises a JSONDecodeError, nesting bounded (1024)

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict):
            raise BadRequest(
                "The request body, and `variables` and `extensions` when given, must be JSON "
                "objects."
            )
        return parsed

    async def get_context(self, request: Any, response: Any) -> Context:
        services, cost = request.state.services, RequestCost()
        max_age = getattr(request.state, "jcgraph_max_age", None)
        readable = request.state.binding.readable
        context = Context(
            bound=None if services is None else services.loaders(cost, max_age),
            cost=cost,
            readable=readable,
            organizations=functools.partial(
                request.state.organisations.records, readable, cost, max_age
            ),
            max_page_size=self._max_page_size,
            report_cost=request.headers.get(COST_HEADER, "").lower() in {"1", "true", "yes"},
            broad_access_applications=self._broad_access,
        )
        request.state.jcgraph_context = context
        return context

    async def execute_operation(  # Strawberry's signature
        self,
        request: Request,
        request_adapter: Any,
        request_data: Any,
        context: Context,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        with self._deadline(request):
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )

    @contextlib.contextmanager
    def _deadline(self, request: Request) -> Iterator[None]:
        """One deadline over every upstream call the request makes, retries and waits
        included (what they cost is charged to its context's RequestCost)."""
        services = request.state.services
        with services.client.deadline() if services else contextlib.nullcontext():
            yield

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response body (gateway/results.py); its status goes in
        `request.state.jcgraph_status`, and whether it is clean (ResponseCache.keep_if_fresh)."""
        media: MediaType = getattr(request.state, "jcgraph_media", JSON)
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        shaped = shape(result, media, context, self._metrics, self._clock)
        request.state.jcgraph_status = shaped.status
        request.state.jcgraph_clean = shaped.clean
        return shaped.body  # type: ignore[return-value]
