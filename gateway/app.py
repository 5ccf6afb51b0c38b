"""`create_app(settings, transport=None)`: the Starlette app, its lifespan and routes."""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
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

from gateway.access import AccessGraph
from gateway.cache import TTLCache, credential_namespace
from gateway.compression import AcceptedGZip
from gateway.directory import Directory
from gateway.explorer import explorer_routes
from gateway.export import Format, Report, chunks
from gateway.freshness import FreshReads
from gateway.graphiql import DEFAULT_ROOT, asset_routes, graphiql_html
from gateway.jumpcloud import errors as upstream
from gateway.jumpcloud.budget import Budget
from gateway.jumpcloud.client import ClientConfig, JumpCloudClient
from gateway.jumpcloud.shared import SharedLink
from gateway.lease import Leases
from gateway.loaders import Loaders
from gateway.observability import Metrics
from gateway.operations import Operations
from gateway.persisted import PersistedDocuments, read_manifest
from gateway.readiness import Readiness
from gateway.response_cache import ResponseCache
from gateway.schema import build_schema
from gateway.settings import Settings
from gateway.tracing import Tracing, create_tracing
from gateway.view import GraphQLView


@dataclass(frozen=True)
class Services:
    """What the lifespan opens, once per process: one HTTP client, one cache."""

    client: JumpCloudClient
    cache: TTLCache
    directory: Directory
    graph: AccessGraph

    def loaders(self) -> Loaders:
        return Loaders(self.directory, self.graph)


class State(TypedDict):
    services: Services


# Stale entries are served only when JumpCloud is down or throttling, never on a 4xx.
STALE_ON = (upstream.UpstreamUnavailableError, upstream.RateLimitedError)


def client_config(settings: Settings) -> ClientConfig:
    if settings.demo:
        from gateway.demo import DEMO_API_KEY, DEMO_BASE_URL

        api_key, base_url, org_id = DEMO_API_KEY, DEMO_BASE_URL, None
    else:
        api_key, base_url, org_id = settings.api_key or "", settings.base_url, settings.org_id
    return ClientConfig(
        api_key=api_key,
        base_url=base_url,
        org_id=org_id,
        max_concurrency=settings.upstream_concurrency,
        timeout=settings.upstream_timeout,
        retry_attempts=settings.retry_attempts,
        retry_timeout=settings.retry_timeout,
        request_deadline=settings.request_deadline,
        breaker_threshold=settings.breaker_threshold,
        breaker_cool_down=settings.breaker_cool_down,
    )


# What a GraphQL client in a browser sends: JSON bodies, a bearer token, the cost request
# header, and the header Apollo clients add to prove a request is not a simple CSRF form.
CORS_HEADERS = ("content-type", "authorization", "x-jcgraph-cost", "apollo-require-preflight")


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
    config = client_config(settings)
    if transport is None and settings.demo:
        from gateway.demo import demo_transport

        transport = demo_transport()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        namespace = credential_namespace(config.org_id, config.api_key)
        # Replicas sharing a Redis share one budget, one pause and one load per key.
        link = SharedLink.from_url(settings.cache_url)
        budget = Budget(
            rate=settings.upstream_rate, burst=settings.upstream_burst, link=link, key=namespace
        )
        client = JumpCloudClient(config, transport=transport, budget=budget)
        cache = TTLCache.from_url(
            settings.cache_url,
            namespace=namespace,
            ttl=settings.cache_ttl,
            stale_ttl=settings.cache_stale_ttl,
            stale_on=STALE_ON,
            clock=clock,
            negative_ttl=settings.negative_ttl,
            max_entries=settings.cache_max_entries,
            max_bytes=settings.cache_max_bytes,
            stale_scope=client.single_attempt,
            leases=(
                Leases(
                    link,
                    namespace=namespace,
                    ttl=settings.cache_lease_ttl,
                    max_wait=config.deadline_seconds,
                )
                if link is not None
                else None
            ),
        )
        directory = Directory(client, cache)
        graph = AccessGraph(
            client,
            cache,
            directory.ids,
            on_index_build=metrics.index_built,
            plan=settings.access_plan,
            clock=clock,
            window=settings.cache_ttl,
        )
        services = Services(client=client, cache=cache, directory=directory, graph=graph)
        metrics.watch(lambda: client.calls, lambda: cache.stats)
        metrics.watch_upstream(client.health, config.org_id or "default")
        try:
            yield {"services": services}
        finally:
            await client.aclose()
            await cache.close()
            if link is not None:
                await link.aclose()

    assets = Path(settings.graphiql_assets) if settings.graphiql_assets else DEFAULT_ROOT
    schema = build_schema(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_cost,
        max_tokens=settings.max_tokens,
        max_entities=settings.max_entities,
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
        auth_tokens=settings.auth_tokens,
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
    readiness = Readiness(shared_cache=settings.cache_url.startswith("redis"), clock=clock)

    async def readyz(request: Request) -> Response:
        services: Services = request.state.services
        verdict = await readiness.check(services.client, services.cache)
        return JSONResponse(
            {**verdict.body, "demo": settings.demo}, status_code=200 if verdict.ready else 503
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def export_endpoint(request: Request) -> Response:
        """`GET /export/{access,findings}.{csv,jsonl}`: the access-review export, streamed
        as it is read (gateway/export.py), behind the same bearer tokens as /graphql."""
        if settings.auth_tokens and not _bearer_in(request, settings.auth_tokens):
            metrics.errors.labels("UNAUTHENTICATED").inc()
            message = "Send `Authorization: Bearer <token>` with a token from JCGRAPH_AUTH_TOKENS."
            return JSONResponse(
                {
                    "data": None,
                    "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
                },
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        try:
            report = Report(request.path_params["report"])
            fmt = Format(request.path_params["format"])
        except ValueError:
            message = "Exports: /export/access.csv, access.jsonl, findings.csv, findings.jsonl."
            return JSONResponse(
                {
                    "data": None,
                    "errors": [{"message": message, "extensions": {"code": "NOT_FOUND"}}],
                },
                status_code=404,
            )
        services: Services = request.state.services
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
        middleware=browser_middleware(settings),
    )
    app.state.settings = dataclasses.replace(settings, api_key=None)
    app.state.metrics = metrics
    return app


def _bearer_in(request: Request, tokens: tuple[str, ...]) -> bool:
    """The caller sent `Authorization: Bearer <one of tokens>` (compared in constant time)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens)
