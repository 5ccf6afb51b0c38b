"""One request's retries: their bookkeeping, the decision after each failed attempt, the log line.

The pure policy (what is retried, how long a Retry-After asks to wait) is retry.py's; this
adds what one request knows: its attempts left, its timeouts, and its deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from gateway.jumpcloud.accounting import Tally
from gateway.jumpcloud.spans import UpstreamSpan

log = logging.getLogger("gateway.jumpcloud")

# A timeout is retried once: a hung upstream is rarely fixed by waiting on it again and again.
MAX_TIMEOUT_RETRIES = 1


def loop_time() -> float:
    """The running event loop's clock, which deadlines are read on."""
    return asyncio.get_running_loop().time()


@dataclass
class Retrying:
    """One request's retry bookkeeping, read by its stamina backoff hook."""

    attempts: int = 1
    num: int = 0
    next_wait: float = 0.0
    timeouts: int = 0
    rate_limited: bool = False
    failing: bool = False
    """The last attempt failed as the breaker counts failures (5xx, transport, timeout)."""
    status: int | None = None
    """The last answer's HTTP status (for the span)."""
    span: UpstreamSpan | None = None
    tally: Tally | None = None
    """The request's cost, charged every attempt besides the client's call log."""


def decide(
    state: Retrying,
    backoff: Callable[[Exception], bool | float],
    jitter: float,
    endpoint: str,
    at: float | None,
    exc: Exception,
) -> bool | float:
    """The stamina hook: the pure policy (`backoff`), then this request's limits; `at` is
    its deadline on the loop's clock, `jitter` the backoff's (for the log line)."""
    # stamina's testing mode may allow more attempts than this request has.
    decision = backoff(exc) if state.num < state.attempts else False
    if isinstance(exc, httpx.HTTPStatusError):
        state.rate_limited = exc.response.status_code == 429
        what = str(exc.response.status_code)
    else:
        state.rate_limited = False
        what = type(exc).__name__
    if decision is not False and isinstance(exc, httpx.TimeoutException):
        state.timeouts += 1
        if state.timeouts > MAX_TIMEOUT_RETRIES:
            decision = False
    waits = decision is not True and decision is not False
    if waits and at is not None and loop_time() + decision > at:
        decision = False  # the wait alone outlasts the deadline: fail now, not then
    _log_retry(endpoint, what, state, decision, jitter)
    return decision


def _log_retry(
    endpoint: str, what: str, state: Retrying, decision: bool | float, jitter: float
) -> None:
    """One WARNING per retry that will happen: endpoint, status, wait; never the key."""
    if decision is False or state.num >= state.attempts:
        return
    if decision is True:
        wait = f"{state.next_wait:.2f}-{state.next_wait + jitter:.2f} s (exponential backoff)"
    else:
        wait = f"{decision:.2f} s (Retry-After)"
    log.warning(
        "upstream %s failed with %s on attempt %d of %d; retrying in %s",
        endpoint,
        what,
        state.num,
        state.attempts,
        wait,
        extra={"endpoint": endpoint, "upstream_status": what, "attempt": state.num},
    )
