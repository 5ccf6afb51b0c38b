"""The retry policy as a pure function: what is retried, and how long to wait."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from gateway.jumpcloud.retry import backoff, parse_retry_after

NOW = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return NOW


def status_error(
    status: int, method: str = "GET", path: str = "/api/systemusers", retry_after: str | None = None
) -> httpx.HTTPStatusError:
    request = httpx.Request(method, f"https://console.jumpcloud.com{path}")
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    response = httpx.Response(status, headers=headers, request=request)
    return httpx.HTTPStatusError("failed", request=request, response=response)


def test_retry_after_two_seconds_waits_two_seconds() -> None:
    assert backoff(status_error(429, retry_after="2"), retry_after_cap=30) == 2.0


def test_retry_after_http_date_waits_until_that_date() -> None:
    when = "Thu, 01 Jan 2026 12:00:05 GMT"
    assert backoff(status_error(429, retry_after=when), retry_after_cap=30, now=clock) == 5.0


def test_retry_after_is_capped() -> None:
    assert backoff(status_error(429, retry_after="3600"), retry_after_cap=30) == 30.0
    later = "Thu, 01 Jan 2026 13:00:00 GMT"
    assert parse_retry_after(later, cap=30, now=clock) == 30.0


@pytest.mark.parametrize("value", ["-1", "soon", "", "1.5e3", "Thu, 01 Jan 2026 11:00:00 GMT"])
def test_unusable_retry_after_falls_back_to_exponential_backoff(value: str) -> None:
    assert backoff(status_error(429, retry_after=value), retry_after_cap=30, now=clock) is True


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_on_reads_are_retried(status: int) -> None:
    assert backoff(status_error(status), retry_after_cap=30) is True


def test_retry_after_on_a_503_is_honoured() -> None:
    assert backoff(status_error(503, retry_after="7"), retry_after_cap=30) == 7.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500, 501])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert backoff(status_error(status), retry_after_cap=30) is False


def test_search_posts_are_reads_and_are_retried() -> None:
    exc = status_error(503, method="POST", path="/api/search/systemusers")
    assert backoff(exc, retry_after_cap=30) is True


def test_other_posts_are_never_retried() -> None:
    assert backoff(status_error(503, method="POST"), retry_after_cap=30) is False
    assert backoff(status_error(429, method="POST", retry_after="1"), retry_after_cap=30) is False
    assert backoff(status_error(503, method="PUT"), retry_after_cap=30) is False


@pytest.mark.parametrize(
    "exc_type", [httpx.ConnectError, httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ReadError]
)
def test_transport_errors_on_reads_are_retried(exc_type: type[httpx.TransportError]) -> None:
    exc = exc_type("boom", request=httpx.Request("GET", "https://x/api/systemusers"))
    assert backoff(exc, retry_after_cap=30) is True


def test_transport_errors_on_writes_are_not_retried() -> None:
    exc = httpx.ReadTimeout("boom", request=httpx.Request("POST", "https://x/api/systemusers"))
    assert backoff(exc, retry_after_cap=30) is False


def test_unrelated_exceptions_are_not_retried() -> None:
    assert backoff(ValueError("x"), retry_after_cap=30) is False
    assert backoff(httpx.ConnectError("no request attached"), retry_after_cap=30) is False
