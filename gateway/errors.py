"""Errors the gateway shows its callers, each with a stable `extensions.code`.

* GatewayError                    a message safe to show; `code` goes to extensions.code
  + BadUserInput                  BAD_USER_INPUT: an argument, cursor, variable or header
    - OrgRequired                 the token may read several organisations; name one
  + NotFound                      NOT_FOUND: no such object (by id, email or name)
  + Forbidden                     FORBIDDEN (403): an organisation the token may not read
  + QueryTooCostly                QUERY_TOO_COSTLY: the estimate is over JCGRAPH_MAX_COST
  + Unauthenticated               UNAUTHENTICATED (401): no or wrong bearer token
  + TooManyTokens                 TOO_MANY_TOKENS: the document is over JCGRAPH_MAX_TOKENS
  + TooManyEntities               TOO_MANY_ENTITIES: `_entities` over JCGRAPH_MAX_ENTITIES
  + RequestRefused                refused by the HTTP view before any GraphQL work (.status)
    - BadRequest                  BAD_REQUEST (400): not a GraphQL request
    - BatchingNotSupported        BATCHING_NOT_SUPPORTED (400): a JSON array of operations
    - RequestTooLarge             REQUEST_TOO_LARGE (413): over JCGRAPH_MAX_BODY_BYTES
    - PersistedQueryNotFound, …   in gateway/persisted.py

`classify` turns any error of a GraphQL result into what the caller sees (a `Shown`):
these keep their code and message, JumpCloud's (gateway/jumpcloud/errors.py) are mapped
by `for_upstream`, parse and validation errors keep graphql-core's message, and anything
else is masked as INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import GraphQLError

from gateway.jumpcloud import (
    AuthenticationError,
    BadRequestError,
    InvalidQueryError,
    JumpCloudError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamMisconfiguredError,
    UpstreamTimeoutError,
)


class GatewayError(Exception):
    """An error whose message is safe to show; `code` goes to `extensions.code`."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions = extensions


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class OrgRequired(BadUserInput):
    """Reading directory data needs one organisation, and the request named none."""


class NotFound(GatewayError):
    code = "NOT_FOUND"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


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


class Shown(NamedTuple):
    """What a caller sees of one error."""

    code: str
    message: str | None
    """None: masked ("Unexpected error.")."""
    extensions: dict[str, Any]


def classify(error: GraphQLError) -> Shown:
    """What the caller sees of one GraphQL error (see the module docstring)."""
    original = error.original_error
    if original is None:
        # Parse and validation errors: about the query text, safe to show.
        if error.message.startswith("Syntax Error"):
            return Shown("GRAPHQL_PARSE_FAILED", error.message, {})
        return Shown("GRAPHQL_VALIDATION_FAILED", error.message, {})
    if isinstance(original, GraphQLError):
        # graphql-core wraps a variable's coercion error ("Variable '$id' of required type
        # 'ID!' was not provided.") in another: about the request's variables, safe to show.
        return Shown("BAD_USER_INPUT", error.message, {})
    if isinstance(original, GatewayError):
        return Shown(original.code, str(original), original.extensions)
    if isinstance(original, JumpCloudError):
        return for_upstream(original)
    return Shown("INTERNAL_SERVER_ERROR", None, {})


def for_upstream(error: JumpCloudError) -> Shown:
    """What a caller sees of an upstream failure, naming the setting to fix when the
    gateway's configuration is at fault."""
    if isinstance(error, RateLimitedError):
        return Shown(
            "UPSTREAM_RATE_LIMITED",
            "JumpCloud is rate limiting this gateway; retry later.",
            {"retryAfter": error.retry_after} if error.retry_after is not None else {},
        )
    if isinstance(error, AuthenticationError):
        return Shown(
            "UPSTREAM_UNAUTHENTICATED",
            "JumpCloud rejected the gateway's API key; check JUMPCLOUD_API_KEY (a multi-tenant "
            "administrator's key also needs JUMPCLOUD_ORG_ID) and run `jcgraph doctor`.",
            {},
        )
    if isinstance(error, PermissionDeniedError):
        return Shown(
            "UPSTREAM_FORBIDDEN",
            "The gateway's API key may not read this; its administrator role lacks a scope.",
            {},
        )
    if isinstance(error, UpstreamMisconfiguredError):
        return Shown(
            "UPSTREAM_MISCONFIGURED",
            "The gateway is misconfigured: JumpCloud has no such list at JUMPCLOUD_BASE_URL "
            "(it must be the console host, e.g. https://console.jumpcloud.com, without /api), "
            "or JUMPCLOUD_ORG_ID names no organisation the key manages; run `jcgraph doctor`.",
            {},
        )
    if isinstance(error, NotFoundError):
        return Shown("NOT_FOUND", "JumpCloud has no such object.", {})
    if isinstance(error, InvalidQueryError):  # refused before it was sent
        return Shown("BAD_USER_INPUT", str(error), {})
    if isinstance(error, BadRequestError):
        return Shown("BAD_USER_INPUT", f"JumpCloud refused the request: {error}", {})
    if isinstance(error, UpstreamTimeoutError):
        return Shown("UPSTREAM_TIMEOUT", "JumpCloud did not answer in time; retry later.", {})
    return Shown("UPSTREAM_UNAVAILABLE", "JumpCloud did not answer; retry later.", {})
