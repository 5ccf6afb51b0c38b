"""Logging set-up: every line redacted through the root handler, as text or as JSON objects."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
import stamina

from gateway.redaction import CLEAN, RECORD_ATTRIBUTES, ConfiguredSecrets, Redactor

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str, *, secrets: Sequence[str] = (), fmt: str = "text") -> None:
    """Called by the CLI only: a library must not configure logging on import.

    Every line goes through the root handler and its `Redactor`: uvicorn is run without a
    logging config of its own (its loggers propagate here) and without its access log
    (`AccessLog` writes one without query strings). `fmt` is `text` or `json` (one JSON
    object a line, `JsonFormatter`)."""
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    # Neither format shows where a line was logged from, nor its thread or process: skip
    # collecting them, as the logging HOWTO's "Optimization" section suggests (the caller's
    # frame walk is a third of a request line's cost).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    redactor = Redactor(secrets)
    ConfiguredSecrets.secrets = redactor.secrets
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
        if fmt == "json":
            handler.setFormatter(JsonFormatter())
    # httpx logs every request URL at INFO, filter values (emails) included; the metrics
    # count upstream requests, and the client logs each retry itself.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level]))
    one_line_per_retry()


def one_line_per_retry() -> None:
    """Turn off stamina's default retry hooks: the client logs each retry itself (endpoint,
    status, wait; `gateway.jumpcloud`), and stamina's logging hook would log it a second
    time (`stamina.retry_scheduled`, with the exception's repr), its Prometheus hook count
    it in prometheus_client's global registry, which /metrics does not serve."""
    stamina.instrumentation.set_on_retry_hooks(())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's `extra=` fields,
    and the exception when there is one. It formats what the handler's `Redactor` already
    rewrote, so the same redaction holds in both formats."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in RECORD_ATTRIBUTES and name not in line and name != CLEAN:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return orjson.dumps(line, default=str).decode()

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 in UTC with milliseconds: `2024-05-01T12:00:00.123Z`."""
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + (
            f".{int(record.msecs):03d}Z"
        )
