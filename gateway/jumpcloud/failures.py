"""The typed error a failed upstream request ends with: its last exception's, or its deadline's."""

from __future__ import annotations

import math
from collections.abc import Sequence

import httpx

from gateway.jumpcloud import errors, responses
from gateway.jumpcloud.config import ClientConfig


def exception_error(
    endpoint: str, exc: httpx.HTTPError, config: ClientConfig, secrets: Sequence[str]
) -> errors.JumpCloudError:
    """The typed error for the exception that ended the retries."""
    if isinstance(exc, httpx.HTTPStatusError):
        return responses.error_for(
            exc.response, endpoint, secrets, retry_after_cap=config.retry_after_cap
        )
    if isinstance(exc, httpx.TimeoutException):
        return errors.UpstreamTimeoutError(
            f"{endpoint} timed out ({_describe(exc)}), retried once: JumpCloud is slow or "
            f"unreachable; try again later or raise the timeout ({config.timeout} s)",
            endpoint=endpoint,
        )
    return errors.UpstreamUnavailableError(
        f"{endpoint} could not reach JumpCloud ({_describe(exc)}) after every "
        f"retry; check the network path to {config.base_url}",
        endpoint=endpoint,
    )


def deadline_error(endpoint: str, paused: float, rate_limited: bool) -> errors.JumpCloudError:
    """The error for a request its deadline ended: rate limited if JumpCloud said so (the
    last answer was a 429, or the client is still `paused` for seconds by one)."""
    if paused > 0 or rate_limited:
        return errors.RateLimitedError(
            f"{endpoint} not answered before the request's deadline: JumpCloud is rate "
            "limiting this key; retry later",
            status=None,
            endpoint=endpoint,
            retry_after=max(1, math.ceil(paused)),
        )
    return errors.UpstreamTimeoutError(
        f"{endpoint} not answered before the request's deadline: JumpCloud is slow or "
        "unreachable; retry later",
        endpoint=endpoint,
    )


def _describe(exc: Exception) -> str:
    """The exception's type and (already scrubbed) message, shortened for an error message."""
    text = str(exc)
    return f"{type(exc).__name__}: {text:.120}" if text else type(exc).__name__
