"""The GraphQL HTTP view: caller auth, request bounds, per-request context, error codes, cost.

Every refusal the view makes itself is a GraphQL-shaped JSON body with a stable
`extensions.code`, counted in the error metric, and comes before any parsing:

    401 UNAUTHENTICATED         no or wrong bearer token (JCGRAPH_AUTH_TOKENS)
    413 REQUEST_TOO_LARGE       body (declared or streamed) or query string over
                                JCGRAPH_MAX_BODY_BYTES; the rest of the body is never read
    400 BATCHING_NOT_SUPPORTED  a JSON array of operations
    400 BAD_REQUEST             not JSON, not an object, wrong content type, bad fields

Persisted documents (gateway.persisted) are resolved next, after auth and the size bound and
before the response cache, the lean path and Strawberry, which all see the plain request:

    200 PERSISTED_QUERY_NOT_FOUND   a hash this gateway does not hold: send the document too
    400 BAD_REQUEST                 the hash is not the document's, or a malformed extension
    400 PERSISTED_QUERY_NOT_ALLOWED not in the trusted documents (JCGRAPH_TRUSTED_DOCUMENTS)

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
import hmac
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from gateway.cache import current_cache_tally, current_max_age
from gateway.context import Context
from gateway.errors import (
    BadRequest,
    BatchingNotSupported,
    GatewayError,
    NotFound,
    RequestRefused,
    RequestTooLarge,
    Unauthenticated,
    classify,
)
from gateway.freshness import FreshReads, FreshReadsRateLimited, requested_max_age
from gateway.jumpcloud.accounting import current_tally
from gateway.jumpcloud.spans import current_upstream_tracer
from gateway.media_types import JSON, MediaType, negotiate, request_error_status
from gateway.observability import (
    REQUEST_LOGGED,
    Metrics,
    document_hash,
    log_request,
    request_id,
    request_log,
    token_id,
)
from gateway.operations import Operations
from gateway.persisted import PersistedDocuments, PersistedQueryNotFound
from gateway.response_cache import ResponseCache

if TYPE_CHECKING:
    from gateway.tracing import OperationSpan, Tracing

log = logging.getLogger("gateway.view")

COST_HEADER = "x-jcgraph-cost"
DEFAULT_MAX_BODY_BYTES = 262_144
_LEAN_FIELDS = frozenset({"query", "variables", "operationName"})


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
        self._auth_tokens = auth_tokens
        self._graphiql_html = graphiql_html
        self._clock = clock
        self._tracing = tracing
        self._fresh = fresh_reads
        self._token_ids = {t: token_id(t) for t in auth_tokens}
        self._names: dict[str, str | None] = {}
        # A document the gateway would refuse as too long is not parsed for its name either.
        policies = getattr(schema, "policies", None)
        self._max_tokens: int = 1_000 if policies is None else policies.documents.max_tokens

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
        if traced is not None or request_log.isEnabledFor(logging.INFO):
            self._observed(request, sent, response.status_code, elapsed, rid, replayed, traced)

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
            if self._refuses_caller(request):
                response = self._refuse(
                    Unauthenticated(
                        "Send `Authorization: Bearer <token>` with a token from "
                        "JCGRAPH_AUTH_TOKENS."
                    ),
                    media,
                    status=401,
                    headers={"www-authenticate": "Bearer"},
                )
            else:
                replay, sent = await self._bounded(request, receive)
                scope, replay, sent = self._resolve_persisted(scope, receive, replay, sent)
                request = Request(scope, replay)
                max_age = self._max_age(request)
                request.state.jcgraph_max_age = max_age
                # A request asking for fresher data is recomputed, never replayed.
                key = None if max_age is not None else self._response_key(request, sent)
                kept = None if key is None else self._responses.get(key)  # type: ignore[union-attr]
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
                    if key is not None:
                        self._keep(key, request, response)
                    elif max_age is not None and self._responses is not None:
                        self._responses.clear()  # kept responses may predate what it re-read
        except RequestRefused as refusal:
            status, headers = refusal.status, None
            if isinstance(refusal, PersistedQueryNotFound):
                # A hash-only GET may pass through shared caches: never keep "not found".
                headers = {"cache-control": "no-store"}
                # Apollo's clients expect 200, and find the code in a 4xx body as well;
                # without `data`, graphql-response+json must not be 2xx.
                status = 200 if media.legacy else 404
            response = self._refuse(refusal, media, status=status, headers=headers)
        except HTTPException as exc:  # Strawberry's own refusals of malformed requests
            error: GatewayError = (
                NotFound(exc.reason) if exc.status_code == 404 else BadRequest(exc.reason)
            )
            status = exc.status_code
            if isinstance(exc.__cause__, InvalidOperationTypeError) and not media.legacy:
                status = 405  # the spec's status for a mutation over GET
            headers = {"allow": "GET, POST"} if status == 405 else None
            response = self._refuse(error, media, status=status, headers=headers)
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

    def _observed(
        self,
        request: Request,
        sent: bytes,
        status: int,
        seconds: float,
        rid: str,
        replayed: bool,
        traced: OperationSpan | None,
    ) -> None:
        """The request's line on `gateway.request` and the end of its span: one formatted
        line, no work per field."""
        query, operation = getattr(request.state, "jcgraph_operation", None) or _operation_in(
            request.method, sent
        )
        document = None if query is None else document_hash(query)
        if operation is None and query is not None:
            operation = self._operation_name(document, query)  # type: ignore[arg-type]
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        fields: dict[str, Any] = {
            "request_id": rid,
            "operation": operation,
            "document": document,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "upstream_calls": 0 if context is None else context.upstream.calls,
            "cache_hits": 0 if context is None else context.cache.hits,
            "stale": context is not None and context.cache.stale > 0,
            "replayed": replayed,
            "client": self._client_id(request),
        }
        if traced is not None:
            fields["trace_id"] = traced.trace_id
            traced.end(
                operation=operation,
                document=document,
                status=status,
                attributes={f"jcgraph.{k}": v for k, v in fields.items() if v is not None},
            )
        if request_log.isEnabledFor(logging.INFO):
            setattr(request.state, REQUEST_LOGGED, True)  # AccessLog leaves it to this line
            log_request(request.scope, fields)

    def _operation_name(self, document: str, query: str) -> str | None:
        """The name of a document's single operation, parsed once per document (a bounded
        memo): what the request log names an operation sent without `operationName`."""
        if document not in self._names:
            if len(self._names) >= 1024:
                self._names.clear()
            try:
                operation = get_operation_ast(parse(query, max_tokens=self._max_tokens))
            except GraphQLError:
                operation = None
            name = None if operation is None or operation.name is None else operation.name.value
            self._names[document] = name
        return self._names[document]

    def _client_id(self, request: Request) -> str | None:
        """The caller's token's stand-in (observability.token_id), None without auth."""
        if not self._token_ids:
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return self._token_ids.get(token) if scheme.lower() == "bearer" else None

    async def _lean(self, request: Request, body: bytes, media: MediaType) -> Response | None:
        """The response of a POSTed JSON query through the lean path (gateway.operations);
        None for anything else, which Strawberry's pipeline then answers."""
        if self._operations is None or request.method != "POST":
            return None
        headers = request.headers
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        accept = headers.get("accept", "")
        if media_type != "application/json" or "multipart" in accept or "event-stream" in accept:
            return None
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not payload.keys() <= _LEAN_FIELDS:
            return None
        query, variables = payload.get("query"), payload.get("variables")
        name = payload.get("operationName")
        if not (
            isinstance(query, str)
            and isinstance(variables, dict | None)
            and isinstance(name, str | None)
        ):
            return None
        operations = self._operations
        prepared = await operations.prepare(query, name)
        if prepared is None:
            return None
        request.state.jcgraph_operation = (query, prepared.name)  # for the request's log line
        cost = operations.estimate(query, prepared, name, variables)
        if cost is None:
            return None
        context = await self.get_context(request, None)
        with self._accounted(request, context):
            result = await operations.execute(prepared, context, variables, name)
        result.extensions = {"cost": cost}
        shaped = await self.process_result(request, result)  # type: ignore[arg-type]
        status: int = request.state.jcgraph_status
        return Response(self.encode_json(shaped), status_code=status, media_type=media.content_type)

    def _resolve_persisted(
        self, scope: Scope, receive: Receive, replay: Receive, sent: bytes
    ) -> tuple[Scope, Receive, bytes]:
        """The request with its persisted document resolved into a plain one (the body or
        query string rewritten, gateway.persisted), or as it came (`replay` replays what was
        read from `receive`) when it names none."""
        if self._persisted is None:
            return scope, replay, sent
        if scope["method"] == "POST":
            body = self._persisted.resolve_body(sent)
            if body is None:
                return scope, replay, sent
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            return {**scope, "headers": headers}, _replay(body, receive), body
        query_string = self._persisted.resolve_query_string(sent)
        if query_string is None:
            return scope, replay, sent
        return {**scope, "query_string": query_string}, replay, query_string

    def _response_key(self, request: Request, sent: bytes) -> bytes | None:
        """The response cache's key for an operation, or None when it must run: no cache,
        the caller asked what it costs, or not an operation (the GraphiQL page)."""
        if self._responses is None or request.headers.get(COST_HEADER):
            return None
        if request.method == "GET" and "query" not in request.query_params:
            return None
        services = request.state.services
        if services is None:
            return None  # bound to no organisation: nothing to keep
        # Per organisation, and per the set of organisations the caller may read, which
        # `organizations` answers with.
        readable = ",".join(request.state.binding.readable)
        namespace = f"{services.cache.namespace}|{readable}"
        return self._responses.key(namespace, request.method, sent)

    def _keep(self, key: bytes, request: Request, response: Response) -> None:
        """Keep a response computed only from fresh cache entries, until the first of them
        expires (gateway.response_cache)."""
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        if (
            self._responses is None
            or context is None
            or response.status_code != 200
            or not getattr(request.state, "jcgraph_clean", False)
            or context.upstream.calls
            or context.cache.misses
            or context.cache.stale
            or context.cache.expires_at is None
        ):
            return
        self._responses.keep(key, bytes(response.body), context.cache.expires_at)

    async def _bounded(self, request: Request, receive: Receive) -> tuple[Receive, bytes]:
        """Check the request's size before anything parses it: the query string of a GET,
        the body of a POST (its declared length, then while it streams in). Returns a
        `receive` that replays the body that was read, and what was sent (the query string
        or the body)."""
        limit = self._max_body_bytes
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
                "Batched operations (a JSON array) are not supported; send one operation "
                "per request.",
            )
        return _replay(body, receive), body

    def _refuse(
        self,
        error: GatewayError,
        media: MediaType,
        *,
        status: int,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The view's own refusal, made before anything ran: `data: null` in
        application/json, no `data` entry in application/graphql-response+json."""
        self._metrics.errors.labels(error.code).inc()
        extensions = {**error.extensions, "code": error.code}
        errors = [{"message": str(error), "extensions": extensions}]
        body = {"data": None, "errors": errors} if media.legacy else {"errors": errors}
        return JSONResponse(
            body, status_code=status, headers=headers, media_type=media.content_type
        )

    def _refuses_caller(self, request: Request) -> bool:
        return bool(self._auth_tokens) and not (
            self._authorised(request) or self._is_ide_page(request)
        )

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        return any(hmac.compare_digest(token.encode(), t.encode()) for t in self._auth_tokens)

    def _is_ide_page(self, request: Request) -> bool:
        """Only the page itself is public; a GET that carries a query (or a persisted
        query's hash, in `extensions`) is an operation."""
        return (
            self._graphiql_html is not None
            and request.method == "GET"
            and "query" not in request.query_params
            and "extensions" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

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
        services = request.state.services
        context = Context(
            bound=None if services is None else services.loaders(),
            readable=request.state.binding.readable,
            organizations=functools.partial(
                request.state.organisations.records, request.state.binding.readable
            ),
            max_page_size=self._max_page_size,
            report_cost=request.headers.get(COST_HEADER, "").lower() in {"1", "true", "yes"},
            broad_access_applications=self._broad_access,
        )
        request.state.jcgraph_context = context
        return context

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        request = kwargs["request"] if "request" in kwargs else args[0]
        with self._accounted(request, request.state.jcgraph_context):
            return await super().execute_operation(*args, **kwargs)

    @contextlib.contextmanager
    def _accounted(self, request: Request, context: Context) -> Iterator[None]:
        """The request's tallies of upstream calls and cache reads, and one deadline over
        every upstream call it makes, retries and waits included."""
        upstream_token = current_tally.set(context.upstream)
        cache_token = current_cache_tally.set(context.cache)
        age_token = current_max_age.set(getattr(request.state, "jcgraph_max_age", None))
        try:
            services = request.state.services
            with services.client.deadline() if services else contextlib.nullcontext():
                yield
        finally:
            current_tally.reset(upstream_token)
            current_cache_tally.reset(cache_token)
            current_max_age.reset(age_token)

    def _max_age(self, request: Request) -> float | None:
        """The max age a request may ask its data to have (gateway.freshness): None unless
        it sends Cache-Control, from a caller allowed to, within the rate."""
        header = request.headers.get("cache-control")
        asked = None if header is None else requested_max_age(header)
        if asked is None or self._fresh is None:
            return None
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self._fresh.allowed(bearer):
            self._metrics.fresh_reads.labels("ignored").inc()
            return None
        try:
            self._fresh.take()
        except FreshReadsRateLimited:
            self._metrics.fresh_reads.labels("refused").inc()
            raise
        self._metrics.fresh_reads.labels("served").inc()
        return asked

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response body, and its status in `request.state.jcgraph_status`: 200, but for
        a request error (nothing ran: no data and no error at a field's path, such as a
        parse, validation or variable error, or a limit's refusal) in
        application/graphql-response+json, which has no `data` entry and a 4xx or 5xx."""
        media: MediaType = getattr(request.state, "jcgraph_media", JSON)
        response: dict[str, Any] = {"data": result.data}
        status = 200
        if result.errors:
            errors = [self._format(e) for e in result.errors]
            response["errors"] = errors
            not_run = result.data is None and all(e.path is None for e in result.errors)
            if not_run and not media.legacy:
                del response["data"]
                # graphql-core's own errors (parse, validation, variables) are the
                # request's fault whatever code they were given; the rest by their code.
                codes = [
                    formatted["extensions"]["code"]
                    for formatted, e in zip(errors, result.errors, strict=True)
                    if not (e.original_error is None or isinstance(e.original_error, GraphQLError))
                ]
                status = request_error_status(codes)
        else:
            request.state.jcgraph_clean = True  # may be kept (see _keep)
        request.state.jcgraph_status = status
        extensions = dict(result.extensions or {})
        planned = extensions.pop("cost", {})  # the cost limit's estimate (gateway.limits)
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        if context is not None:
            self._metrics.request_upstream_calls.observe(context.upstream.calls)
            if context.report_cost or context.cache.stale:
                extensions["cost"] = {**self._cost(context), **planned}
        if extensions:
            response["extensions"] = extensions
        return response  # type: ignore[return-value]

    def _format(self, error: GraphQLError) -> dict[str, Any]:
        shown = classify(error)
        self._metrics.errors.labels(shown.code).inc()
        formatted: dict[str, Any] = dict(error.formatted)
        if shown.message is None:
            log.error("unexpected error at %s", error.path, exc_info=error.original_error)
        elif shown.code.startswith("UPSTREAM"):
            log.warning("upstream error at %s: %s", error.path, error.original_error)
        formatted["message"] = shown.message or "Unexpected error."
        formatted["extensions"] = {**shown.extensions, "code": shown.code}
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


def _operation_in(method: str, sent: bytes) -> tuple[str | None, str | None]:
    """(document, operation name) of a request the lean path did not read: a POSTed JSON
    body or a GET's query string; (None, None) for anything else."""
    try:
        if method == "POST":
            payload = orjson.loads(sent)
        else:
            payload = {k: v[0] for k, v in parse_qs(sent.decode("latin-1")).items()}
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        return None, None
    if not isinstance(payload, dict):
        return None, None
    query, name = payload.get("query"), payload.get("operationName")
    return (query if isinstance(query, str) else None), (name if isinstance(name, str) else None)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields `body` once, then whatever the server sends next (a
    disconnect)."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay
