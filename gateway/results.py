"""A GraphQL result as its response body: error codes, the request-error status and its cost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.types import ExecutionResult

from gateway.context import Context
from gateway.errors import classify
from gateway.media_types import MediaType, request_error_status
from gateway.metrics import Metrics

log = logging.getLogger("gateway.view")


@dataclass(frozen=True)
class Shaped:
    """The body to send, its HTTP status, and whether it is clean (no error: may be kept)."""

    body: dict[str, Any]
    status: int
    clean: bool


def shape(
    result: ExecutionResult,
    media: MediaType,
    context: Context | None,
    metrics: Metrics,
    clock: Callable[[], float],
) -> Shaped:
    """The response body: 200, but for a request error (nothing ran: no data and no error
    at a field's path, such as a parse, validation or variable error, or a limit's refusal)
    in application/graphql-response+json, which has no `data` entry and a 4xx or 5xx."""
    body: dict[str, Any] = {"data": result.data}
    status = 200
    if result.errors:
        errors = [format_error(e, metrics) for e in result.errors]
        body["errors"] = errors
        not_run = result.data is None and all(e.path is None for e in result.errors)
        if not_run and not media.legacy:
            del body["data"]
            # graphql-core's own errors (parse, validation, variables) are the request's
            # fault whatever code they were given; the rest by their code.
            codes = [
                formatted["extensions"]["code"]
                for formatted, e in zip(errors, result.errors, strict=True)
                if not (e.original_error is None or isinstance(e.original_error, GraphQLError))
            ]
            status = request_error_status(codes)
    extensions = dict(result.extensions or {})
    planned = extensions.pop("cost", {})  # the cost limit's estimate (gateway/limits.py)
    if context is not None:
        metrics.request_upstream_calls.observe(context.cost.upstream.calls)
        if context.report_cost or context.cost.cache.stale:
            extensions["cost"] = {**cost_extension(context, clock), **planned}
    if extensions:
        body["extensions"] = extensions
    return Shaped(body, status, clean=not result.errors)


def format_error(error: GraphQLError, metrics: Metrics) -> dict[str, Any]:
    """One error as the caller sees it: its stable code, and a message that never leaks an
    unexpected exception (logged instead)."""
    shown = classify(error)
    metrics.errors.labels(shown.code).inc()
    formatted: dict[str, Any] = dict(error.formatted)
    if shown.message is None:
        log.error("unexpected error at %s", error.path, exc_info=error.original_error)
    elif shown.code.startswith("UPSTREAM"):
        log.warning("upstream error at %s: %s", error.path, error.original_error)
    formatted["message"] = shown.message or "Unexpected error."
    formatted["extensions"] = {**shown.extensions, "code": shown.code}
    return formatted


def cost_extension(context: Context, clock: Callable[[], float]) -> dict[str, Any]:
    """`extensions.cost`: what the request cost upstream and in the cache, and its data's age."""
    upstream, cache = context.cost.upstream, context.cost.cache
    oldest = cache.oldest_stored_at
    return {
        "upstreamCalls": upstream.calls,
        "upstreamByEndpoint": dict(upstream.by_endpoint),
        "cacheHits": cache.hits,
        "cacheMisses": cache.misses,
        "staleEntries": cache.stale,
        "stale": cache.stale > 0,
        "dataAgeSeconds": None if oldest is None else round(clock() - oldest, 3),
    }
