"""The GraphQL-over-HTTP response media type `Accept` picks, and the statuses it implies.

Each type gives a request error its own status:

    application/json                   as it always was: every body has `data` (null
                                       when nothing ran), GraphQL errors come with 200
                                       and only the view's own refusals with a 4xx; what
                                       clients sending no Accept, `*/*` or
                                       application/json get
    application/graphql-response+json  a request error (unparseable body, no query, a
                                       parse, validation or variable error, a refused
                                       limit) has no `data` entry and a 4xx or 5xx status;
                                       a result of execution is 200, partial or not

The spec (GraphQL over HTTP, "Body" and "Status Codes") asks for the highest-priority type
the server supports, and recommends 406 when none is acceptable; this gateway answers
application/json then, as it always has, which the spec also allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaType:
    name: str
    content_type: str  # the response's Content-Type header
    legacy: bool  # application/json: request errors keep `data: null` and, mostly, 200


JSON = MediaType("application/json", "application/json", legacy=True)
GRAPHQL_RESPONSE = MediaType(
    "application/graphql-response+json",
    "application/graphql-response+json; charset=utf-8",
    legacy=False,
)


def negotiate(accept: str | None) -> MediaType:
    """The media type to answer in. application/graphql-response+json when `accept`
    accepts it and prefers it to application/json (a higher q; a more specific range at
    the same q; at the same q and specificity, listed first), or does not accept
    application/json at all; application/json otherwise, including no header, `*/*`
    alone and nothing acceptable."""
    if not accept or accept == "*/*":  # most clients: answered without parsing
        return JSON
    ranges = [_media_range(part) for part in accept.split(",")]
    modern = _preference(ranges, GRAPHQL_RESPONSE.name)
    legacy = _preference(ranges, JSON.name)
    return GRAPHQL_RESPONSE if modern[0] > 0 and modern > legacy else JSON


def request_error_status(codes: Iterable[str]) -> int:
    """The status of a response without `data` in application/graphql-response+json, from
    its errors' `extensions.code`: a failure of the gateway or of JumpCloud is 5xx (the
    spec's "as appropriate"), anything the request itself got wrong is 400."""
    statuses = [_SERVER_ERRORS.get(code, 400) for code in codes]
    return max(statuses, default=400)


_SERVER_ERRORS = {
    "INTERNAL_SERVER_ERROR": 500,
    "UPSTREAM_UNAUTHENTICATED": 502,
    "UPSTREAM_FORBIDDEN": 502,
    "UPSTREAM_MISCONFIGURED": 502,
    "UPSTREAM_UNAVAILABLE": 502,
    "UPSTREAM_RATE_LIMITED": 503,
    "UPSTREAM_TIMEOUT": 504,
}


def _media_range(part: str) -> tuple[str, float]:
    """(lower-cased media range, q) of one element of an Accept header; q is 0 when it is
    not a number from 0 to 1, so a malformed range accepts nothing."""
    name, *parameters = part.split(";")
    quality = 1.0
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 0.0
            if not 0.0 <= quality <= 1.0:  # also NaN
                quality = 0.0
    return name.strip().lower(), quality


def _preference(ranges: list[tuple[str, float]], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching `media_type`, the
    first of several alike, as RFC 9110 ranks `Accept` ranges; (0, -1, 0) when none matches."""
    any_subtype = media_type.partition("/")[0] + "/*"
    best: tuple[float, int, int] = (0.0, -1, 0)
    for position, (name, quality) in enumerate(ranges):
        if name == media_type:
            specificity = 2
        elif name == any_subtype:
            specificity = 1
        elif name == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (quality, specificity, -position)
    return best
