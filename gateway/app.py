"""`create_app(settings, transport=None)`: the Starlette app, its lifespan and routes."""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypedDict

import httpx
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.compression import AcceptedGZip
from gateway.errors import GatewayError, NotFound, Unauthenticated
from gateway.explorer import explorer_routes
from gateway.export import Format, Report, chunks
from gateway.freshness import FreshReads
from gateway.graphiql import DEFAULT_ROOT, asset_routes, graphiql_html
from gateway.metrics import Metrics
from gateway.operations import Operations
from gateway.org_binding import OrgBinding
from gateway.organisations import Organisations, Services, client_config
from gateway.persisted import PersistedDocuments, read_manifest
from gateway.readiness import Readiness
from gateway.response_cache import ResponseCache
from gateway.schema import build_schema
from gateway.settings import Settings
from gateway.tenancy import unbound_error
from gateway.tracing import Tracing, create_tracing
from gateway.view import GraphQLView

__all__ = ["State", "client_config", "create_app"]


class State(TypedDict):
    organisations: Organisations
    services: Services | None
    """The one organisation's, on a gateway without JCGRAPH_TENANTS (None with tenants:
    OrgBinding picks each request's)."""


# What a GraphQL client in a browser sends: JSON bodies, a bearer token, the cost request
# header, the organisation it reads (several behind one gateway), and the header Apollo
# clients add to prove a request is not a simple CSRF form.
CORS_HEADERS = (
    "content-type",
    "authorization",
    "x-jcgraph-cost",
    "x-jcgraph-org",
    "apollo-require-preflight",
)


def browser_middleware(settings: Settings) -> list[Middleware]:
    """CORS for the allowed origins (outermost, so refusals carry its headers too and
    preflights are answered before auth), then gzip for responses above the threshold
    (compressed after the view, so the response cache keeps and replays plain bodies)."""
    middleware: list[Middleware] = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=list(CORS_HEADERS),
                max_age=600,
            )
        )
    if settings.gzip_min_bytes:
        # Level 5: most of level 9's ratio on JSON, at a fraction of the CPU.
        middleware.append(
            Middleware(AcceptedGZip, minimum_size=settings.gzip_min_bytes, compresslevel=5)
        )
    return middleware


def create_app(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    clock: Callable[[], float] = time.time,
    tracing: Tracing | None = None,
) -> Starlette:
    """The gateway as an ASGI app. `transport` replaces the network (tests, demo); `tracing`
    the tracer JCGRAPH_OTEL would set up (tests)."""
    settings.validate()
    metrics = Metrics()
    if transport is None and settings.demo:
        from gateway.demo import demo_transport

        transport = demo_transport()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        organisations = Organisations(settings, transport, metrics, clock=clock)
        single = None if settings.tenants else organisations.get(organisations.single)
        try:
            yield {"organisations": organisations, "services": single}
        finally:
            await organisations.aclose()

    assets = Path(settings.graphiql_assets) if settings.graphiql_assets else DEFAULT_ROOT
    schema = build_schema(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_cost,
        max_tokens=settings.max_tokens,
        max_entities=settings.max_entities,
        max_page_size=settings.max_page_size,
    )
    view = GraphQLView(
        schema,
        operations=Operations(schema),
        persisted=PersistedDocuments(
            trusted=read_manifest(settings.trusted_documents)
            if settings.trusted_documents
            else None
        ),
        max_page_size=settings.max_page_size,
        broad_access_applications=settings.broad_access_applications,
        fresh_reads=(
            FreshReads(settings.fresh_read_tokens, settings.fresh_reads_per_minute, clock=clock)
            if settings.fresh_read_tokens
            else None
        ),
        max_body_bytes=settings.max_body_bytes,
        metrics=metrics,
        auth_tokens=settings.bearer_tokens,
        graphiql_html=graphiql_html(assets) if settings.graphiql else None,
        response_cache=(
            ResponseCache(max_bytes=settings.response_cache_max_bytes, clock=clock)
            if settings.response_cache
            else None
        ),
        clock=clock,
        tracing=tracing if tracing is not None or not settings.otel else create_tracing(),
    )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # "This replica can answer", not "Redis answers": see gateway/readiness.py.
    shared = settings.cache_url.startswith("redis")
    readiness = Readiness(shared_cache=shared, clock=clock)

    tenant_readiness: dict[str, Readiness] = {}

    async def readyz(request: Request) -> Response:
        organisations: Organisations = request.state.organisations
        if settings.tenants is None:
            services = organisations.get(organisations.single)
            verdict = await readiness.check(services.client, services.cache)
            return JSONResponse(
                {**verdict.body, "demo": settings.demo}, status_code=200 if verdict.ready else 503
            )
        # One probe per tenant (its first organisation): ready while any tenant can be
        # served, so one revoked key does not take the replica out of rotation.
        verdicts = {}
        for tenant in settings.tenants.tenants:
            services = organisations.get(tenant.org_ids[0])
            check = tenant_readiness.setdefault(
                tenant.name, Readiness(shared_cache=shared, clock=clock)
            )
            verdicts[tenant.name] = await check.check(services.client, services.cache)
        ready = any(v.ready for v in verdicts.values())
        body = {
            "status": "ready" if ready else "unavailable",
            "tenants": {name: v.body for name, v in verdicts.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def export_endpoint(request: Request) -> Response:
        """`GET /export/{access,findings}.{csv,jsonl}`: the access-review export, streamed
        as it is read (gateway/export.py), behind the same bearer tokens as /graphql."""
        if settings.bearer_tokens and not _bearer_in(request, settings.bearer_tokens):
            return _refusal(
                metrics,
                Unauthenticated("Send `Authorization: Bearer <token>` with a token allowed here."),
                401,
                {"www-authenticate": "Bearer"},
            )
        try:
            report = Report(request.path_params["report"])
            fmt = Format(request.path_params["format"])
        except ValueError:
            message = "Exports: /export/access.csv, access.jsonl, findings.csv, findings.jsonl."
            return _refusal(metrics, NotFound(message), 404)
        services: Services | None = request.state.services
        if services is None:
            return _refusal(metrics, unbound_error(request.state.binding.readable), 400)
        return StreamingResponse(
            chunks(report, fmt, services.loaders, broad=settings.broad_access_applications),
            media_type=fmt.media_type,
            headers={
                "content-disposition": f'attachment; filename="{report}.{fmt}"',
                "cache-control": "no-store",
            },
        )

    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/export/{report}.{format}", export_endpoint, methods=["GET"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            *(asset_routes(assets) if settings.graphiql else []),
            *explorer_routes(assets),
        ],
        lifespan=lifespan,
        middleware=[
            *browser_middleware(settings),
            Middleware(OrgBinding, settings=settings, metrics=metrics),
        ],
    )
    # For tests and introspection: without the API key(s) (each tenant names one).
    app.state.settings = dataclasses.replace(settings, api_key=None, tenants=None)
    app.state.metrics = metrics
    return app


def _refusal(
    metrics: Metrics, error: GatewayError, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    metrics.errors.labels(error.code).inc()
    extensions = {**error.extensions, "code": error.code}
    return JSONResponse(
        {"data": None, "errors": [{"message": str(error), "extensions": extensions}]},
        status_code=status,
        headers=headers,
    )


def _bearer_in(request: Request, tokens: tuple[str, ...]) -> bool:
    """The caller sent `Authorization: Bearer <one of tokens>` (compared in constant time)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens)
