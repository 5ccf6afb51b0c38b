"""The JumpCloud client's error tree; no message ever holds the API key.

* JumpCloudError                  any other unexpected upstream status (402, 409, 412, ...)
  + AuthenticationError           401: key missing, wrong, expired, or API access off
  + PermissionDeniedError         403: the key's admin role lacks the scope (or IP blocked)
  + NotFoundError                 404: no such object (or organisation)
  + UpstreamMisconfiguredError    404 on a collection (a path without an id): the base URL
                                  is wrong, or the organisation id names no organisation
  + BadRequestError               400: JumpCloud refused the query
    - InvalidQueryError           raised client-side, before any HTTP call
  + RateLimitedError              429 still answered after every retry, or the client's 429
                                  pause outlasts the request's deadline (.retry_after)
  + UpstreamUnavailableError      5xx after retries, transport errors, undecodable bodies,
                                  or the circuit breaker is open (nothing sent)
    - UpstreamTimeoutError        a timeout, retried once; or the request's deadline passed
    - UpstreamInconsistentError   pages disagree with the announced total (collection changed)

Every error carries `.status` (the HTTP status, or None when no response arrived) and
`.endpoint` ("GET /api/v2/usergroups/{id}/members": method and path template, never query
values), and a message saying what failed and what to do about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_REDACTED = "[REDACTED]"
# JumpCloud keys begin with "jca_": scrub anything shaped like one, too.
_KEY_SHAPE = re.compile(r"jca_[A-Za-z0-9_\-]+")
_QUOTE_LIMIT = 200


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with every secret, and anything shaped like a JumpCloud key, removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return _KEY_SHAPE.sub(_REDACTED, text)


def quote_upstream(text: str, secrets: Iterable[str] = ()) -> str:
    """Shorten and redact an upstream body so it can be quoted in a message."""
    text = " ".join(text.split())
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + "..."
    return redact(text, secrets)


class JumpCloudError(Exception):
    """Base class: JumpCloud (or the way to it) failed to answer a request."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str = "") -> None:
        super().__init__(redact(message))
        self.status = status
        self.endpoint = endpoint

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"endpoint={self.endpoint!r})"
        )


class AuthenticationError(JumpCloudError):
    """401: JumpCloud did not accept the API key."""


class PermissionDeniedError(JumpCloudError):
    """403: the key is valid but its administrator may not read this."""


class NotFoundError(JumpCloudError):
    """404: the object does not exist (or is not visible to this organisation)."""


class UpstreamMisconfiguredError(JumpCloudError):
    """404 on a collection, which always exists at the right base URL: the client points at
    the wrong place (a base URL ending in /api, say), or x-org-id names no organisation this
    key manages (JumpCloud documents "404 organization id not found"). Not a NotFoundError:
    nothing is missing, the configuration is wrong."""


class BadRequestError(JumpCloudError):
    """400: JumpCloud refused the request's parameters."""


class InvalidQueryError(BadRequestError):
    """A filter, sort, id or relation was refused before any request was sent."""

    def __init__(self, message: str, *, endpoint: str = "") -> None:
        super().__init__(message, status=None, endpoint=endpoint)


class RateLimitedError(JumpCloudError):
    """429 persisted after every retry, or the pause it imposed outlasts the request's
    deadline; `.retry_after` is JumpCloud's last hint (or the pause left), in seconds."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        endpoint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, endpoint=endpoint)
        self.retry_after = retry_after


class UpstreamUnavailableError(JumpCloudError):
    """JumpCloud failed (5xx), could not be reached, or answered something unreadable."""


class UpstreamTimeoutError(UpstreamUnavailableError):
    """JumpCloud did not answer within the per-attempt timeout (retried once), or the
    request's deadline passed first (deadline.py)."""


class UpstreamInconsistentError(UpstreamUnavailableError):
    """The pages read do not add up to the total JumpCloud announced."""
