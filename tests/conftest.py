"""Suite-wide: every log line the whole suite produces, formatted as `jcgraph serve` formats
it (through the root handler's Redactor), holds neither the API key nor any email."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from gateway.observability import Redactor
from tests.harness import API_KEY

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


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
