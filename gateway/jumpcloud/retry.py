"""The retry policy: which failed upstream attempts to retry, and how long to wait."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable

import httpx

# 429 and the gateway-ish 5xx are transient; 500 is JumpCloud's generic error answer
# (V1 trait_standardErrors_500) and is not retried, like any other status.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# The search endpoints (search_systemusers_post, search_systems_post) are POSTs that only read.
SEARCH_PATH = "/api/search/"

Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def is_idempotent_read(request: httpx.Request) -> bool:
    """GETs, and the POSTs to /api/search/*, which read and change nothing."""
    if request.method in ("GET", "HEAD"):
        return True
    return request.method == "POST" and SEARCH_PATH in request.url.path


def parse_retry_after(value: str | None, *, cap: float, now: Clock = _utcnow) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date, as RFC 9110 says.

    Capped at `cap`. None when absent, negative, in the past or unreadable: the caller then
    falls back to exponential backoff. JumpCloud documents no Retry-After contract at all
    (nor any rate limit), so this is defensive standard HTTP.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(int(value)), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP-dates are always GMT
        when = when.replace(tzinfo=dt.UTC)
    seconds = (when - now()).total_seconds()
    if seconds < 0:
        return None
    return min(seconds, cap)


def backoff(exc: Exception, *, retry_after_cap: float, now: Clock = _utcnow) -> bool | float:
    """stamina backoff hook: False to give up, True for exponential backoff, or seconds to wait.

    Retries only idempotent reads, only on 429, 502, 503, 504 and transport errors
    (timeouts included), honouring Retry-After when the response carries one.
    """
    if isinstance(exc, httpx.HTTPStatusError):
        if not is_idempotent_read(exc.request):
            return False
        if exc.response.status_code not in RETRYABLE_STATUSES:
            return False
        wait = parse_retry_after(
            exc.response.headers.get("retry-after"), cap=retry_after_cap, now=now
        )
        return True if wait is None else wait
    if isinstance(exc, httpx.TransportError):
        try:
            request = exc.request
        except RuntimeError:  # raised outside a request: nothing says it is safe to resend
            return False
        return is_idempotent_read(request)
    return False
