"""Errors the gateway shows its callers, each with a stable `extensions.code`."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from gateway.jumpcloud import errors as upstream


class GatewayError(Exception):
    """An error whose message is safe to show; `code` goes to `extensions.code`."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions = extensions


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class NotFound(GatewayError):
    code = "NOT_FOUND"


class QueryTooCostly(GatewayError):
    code = "QUERY_TOO_COSTLY"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class TooManyTokens(GatewayError):
    code = "TOO_MANY_TOKENS"


class TooManyEntities(GatewayError):
    code = "TOO_MANY_ENTITIES"


class RequestRefused(GatewayError):
    """Refused by the HTTP view before any GraphQL work; `status` is the HTTP status."""

    status = 400


class BadRequest(RequestRefused):
    code = "BAD_REQUEST"


class BatchingNotSupported(RequestRefused):
    code = "BATCHING_NOT_SUPPORTED"


class RequestTooLarge(RequestRefused):
    code = "REQUEST_TOO_LARGE"
    status = 413


def classify(error: GraphQLError) -> tuple[str, str | None, dict[str, Any]]:
    """(code, safe message or None to mask, extra extensions) for one GraphQL error."""
    original = error.original_error
    if original is None:
        # Parse and validation errors: about the query text, safe to show.
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED", error.message, {}
        return "GRAPHQL_VALIDATION_FAILED", error.message, {}
    if isinstance(original, GraphQLError):
        # graphql-core wraps a variable's coercion error ("Variable '$id' of required type
        # 'ID!' was not provided.") in another: about the request's variables, safe to show.
        return "BAD_USER_INPUT", error.message, {}
    if isinstance(original, GatewayError):
        return original.code, str(original), original.extensions
    if isinstance(original, upstream.JumpCloudError):
        return for_upstream(original)
    return "INTERNAL_SERVER_ERROR", None, {}


def for_upstream(error: upstream.JumpCloudError) -> tuple[str, str, dict[str, Any]]:
    """(code, safe message, extra extensions) for an upstream failure: what a caller sees,
    naming the setting to fix when the gateway's configuration is at fault."""
    if isinstance(error, upstream.RateLimitedError):
        return (
            "UPSTREAM_RATE_LIMITED",
            "JumpCloud is rate limiting this gateway; retry later.",
            {"retryAfter": error.retry_after} if error.retry_after is not None else {},
        )
    if isinstance(error, upstream.AuthenticationError):
        return (
            "UPSTREAM_UNAUTHENTICATED",
            "JumpCloud rejected the gateway's API key; check JUMPCLOUD_API_KEY (a multi-tenant "
            "administrator's key also needs JUMPCLOUD_ORG_ID) and run `jcgraph doctor`.",
            {},
        )
    if isinstance(error, upstream.PermissionDeniedError):
        return (
            "UPSTREAM_FORBIDDEN",
            "The gateway's API key may not read this; its administrator role lacks a scope.",
            {},
        )
    if isinstance(error, upstream.UpstreamMisconfiguredError):
        return (
            "UPSTREAM_MISCONFIGURED",
            "The gateway is misconfigured: JumpCloud has no such list at JUMPCLOUD_BASE_URL "
            "(it must be the console host, e.g. https://console.jumpcloud.com, without /api), "
            "or JUMPCLOUD_ORG_ID names no organisation the key manages; run `jcgraph doctor`.",
            {},
        )
    if isinstance(error, upstream.NotFoundError):
        return "NOT_FOUND", "JumpCloud has no such object.", {}
    if isinstance(error, upstream.InvalidQueryError):  # refused before it was sent
        return "BAD_USER_INPUT", str(error), {}
    if isinstance(error, upstream.BadRequestError):
        return "BAD_USER_INPUT", f"JumpCloud refused the request: {error}", {}
    if isinstance(error, upstream.UpstreamTimeoutError):
        return "UPSTREAM_TIMEOUT", "JumpCloud did not answer in time; retry later.", {}
    return "UPSTREAM_UNAVAILABLE", "JumpCloud did not answer; retry later.", {}
