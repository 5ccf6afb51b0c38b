"""Each retry is logged once: the client's own line. stamina's default logging hook would
add a second one; `jcgraph serve`'s logging set-up turns its default hooks off."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from stamina.instrumentation import set_on_retry_hooks

from gateway.jumpcloud import Resource
from gateway.observability import one_line_per_retry

from .fakes import FakeJumpCloud, make_users, status


@pytest.fixture
def default_hooks() -> Iterator[None]:
    set_on_retry_hooks(None)  # stamina's defaults, as in a process nobody configured
    yield
    set_on_retry_hooks(None)


async def retry_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    caplog.set_level(logging.DEBUG)  # every logger, stamina's included
    fake = FakeJumpCloud(users=make_users(1))
    fake.failures.extend([status(503), status(429, {"retry-after": "1"}), status(502)])
    async with fake.client() as client:
        await client.list_all(Resource.USERS)
    return [r for r in caplog.records if "retr" in r.getMessage().lower()]


@pytest.mark.usefixtures("default_hooks")
async def test_exactly_one_log_line_per_retry(caplog: pytest.LogCaptureFixture) -> None:
    one_line_per_retry()
    retried = await retry_lines(caplog)
    assert [(r.name, r.levelname) for r in retried] == [("gateway.jumpcloud", "WARNING")] * 3
    assert [r.getMessage().split(" failed with ")[1].split(" ")[0] for r in retried] == [
        "503",
        "429",
        "502",
    ]


@pytest.mark.usefixtures("default_hooks")
async def test_stamina_alone_would_log_each_retry_twice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    retried = await retry_lines(caplog)
    assert sorted(r.name for r in retried) == ["gateway.jumpcloud"] * 3 + ["stamina"] * 3
