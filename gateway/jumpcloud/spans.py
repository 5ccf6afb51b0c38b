"""The seam a tracer hooks upstream requests through; no tracing library is imported here.

While a tracer is set in `current_upstream_tracer` (the view sets one per traced request),
every upstream request starts one span, injects its trace context into the headers every
attempt sends and ends it with the final status and the number of retries. Unset, a request
creates nothing."""

from __future__ import annotations

from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Protocol


class UpstreamSpan(Protocol):
    def inject(self, headers: MutableMapping[str, str]) -> None:
        """Write the span's trace context (`traceparent`) into an attempt's headers."""

    def end(self, status: int | None, retries: int, error: BaseException | None) -> None:
        """`status` is the last answer's HTTP status (None when none came)."""


class UpstreamTracer(Protocol):
    def start(self, method: str, endpoint: str) -> UpstreamSpan:
        """A span for one request to `endpoint` (`GET /api/v2/usergroups/{id}/members`)."""


current_upstream_tracer: ContextVar[UpstreamTracer | None] = ContextVar(
    "current_upstream_tracer", default=None
)
