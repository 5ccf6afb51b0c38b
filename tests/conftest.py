"""Suite-wide: retries never sleep, and no log line holds the API key or an email.

Every test runs in stamina's testing mode, capped so that each call site keeps its own
configured attempts (ClientConfig.retry_attempts) and never waits between them; a test that
wants the real backoff opens `stamina.set_testing(False)` itself. Every log line the whole
suite produces, formatted as `jcgraph serve` formats it (through the root handler's Redactor),
is checked at the end of the session.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
import stamina

from gateway.redaction import Redactor
from tests.harness import API_KEY

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@pytest.fixture(autouse=True)
def _retries_never_sleep() -> Iterator[None]:
    # cap=True: attempts are capped at 1000, so each call site's own number stands.
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


class Lines(logging.Handler):
    """Formats a redacted copy of every record (the Redactor rewrites what it filters, and
    other handlers must still see the record as it was logged)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.redactor = Redactor([API_KEY])
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        copy = logging.makeLogRecord(record.__dict__)
        self.redactor.filter(copy)
        self.lines.append(self.format(copy))


@pytest.fixture(scope="session", autouse=True)
def _no_key_and_no_email_in_any_log_line() -> Iterator[None]:
    root = logging.getLogger()
    lines = Lines()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(lines)
    try:
        yield
        # Still attached after every test (none took logging over), so every line was seen.
        logging.getLogger("tests").info("log hygiene check: end of session")
    finally:
        root.removeHandler(lines)
        root.setLevel(level)
    leaks = [line for line in lines.lines if API_KEY in line or EMAIL.search(line)]
    assert any(line.endswith("end of session") for line in lines.lines), (
        "the log hygiene handler was detached during the session: the check would prove nothing"
    )
    assert not leaks, f"{len(leaks)} of {len(lines.lines)} log lines leak: {leaks[:3]}"
