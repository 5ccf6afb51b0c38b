"""The API key reaches JumpCloud's header and nowhere else: no message, repr or log record."""

from __future__ import annotations

import logging

import httpx
import pytest

from gateway.jumpcloud import ClientConfig, JumpCloudError, Resource, redact

from .fakes import API_KEY, FakeJumpCloud, make_users, status

ECHO = {"message": f"Unauthorized: api key {API_KEY} not found", "key": API_KEY}


def scenarios() -> list[object]:
    return [
        status(401, body=ECHO),
        status(403, body=ECHO),
        status(400, body=ECHO),
        status(503, body=ECHO),
        status(429, {"retry-after": "1"}, body=ECHO),
        lambda request: httpx.Response(500, text=f"upstream crashed holding {API_KEY}"),
        lambda request: httpx.Response(200, text=f"not json {API_KEY}"),
        httpx.ConnectError(f"refused for {API_KEY}"),
        httpx.ReadTimeout(f"slow for {API_KEY}"),
    ]


@pytest.mark.parametrize("failure", scenarios())
async def test_the_key_appears_in_no_error_or_log_record(
    failure: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([failure] * 5)  # type: ignore[list-item]
    async with fake.client() as client:
        with pytest.raises(JumpCloudError) as info:
            await client.list_all(Resource.USERS)
    assert fake.requests[0].headers["x-api-key"] == API_KEY  # it was sent, though
    exc = info.value
    assert API_KEY not in str(exc)
    assert API_KEY not in repr(exc)
    assert API_KEY not in repr(client.config)
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.__dict__)


async def test_retries_are_logged_at_warning_with_endpoint_status_and_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.jumpcloud")
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(429, {"retry-after": "2"}), status(503)])
    async with fake.client() as client:
        await client.list_all(Resource.USERS)
    messages = [r.getMessage() for r in caplog.records if r.name == "gateway.jumpcloud"]
    assert len(messages) == 2
    assert "GET /api/systemusers failed with 429 on attempt 1 of 5" in messages[0]
    assert "2.00 s (Retry-After)" in messages[0]
    assert "failed with 503 on attempt 2 of 5" in messages[1]
    assert "exponential backoff" in messages[1]


def test_redact_removes_the_secret_and_anything_key_shaped() -> None:
    assert redact(f"key={API_KEY}!", [API_KEY]) == "key=[REDACTED]!"
    assert redact("other jca_abc123 key") == "other [REDACTED] key"
    assert redact("secret plain", ["plain"]) == "secret [REDACTED]"


def test_config_repr_hides_the_key() -> None:
    config = ClientConfig(api_key="plainkey-not-jca-shaped")
    assert "plainkey" not in repr(config)
