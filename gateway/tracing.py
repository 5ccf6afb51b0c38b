"""OpenTelemetry spans (the `otel` extra): one per GraphQL operation, one per upstream call.

Enabled by JCGRAPH_OTEL=true only. The operation's span continues the caller's trace (its
W3C `traceparent`); each upstream request is a child span and carries its own `traceparent`
to JumpCloud. Where spans go is OpenTelemetry's standard configuration: a tracer provider
set up by `opentelemetry-instrument`, else one made here that exports over OTLP/HTTP as the
OTEL_EXPORTER_OTLP_* variables say, named by OTEL_SERVICE_NAME (default `jcgraph`).

Nothing here is imported unless tracing is on, so the gateway runs without the extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from gateway import __version__

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer, TracerProvider

MISSING_EXTRA = (
    "JCGRAPH_OTEL is true but OpenTelemetry is not installed; install the extra "
    "(pip install 'jcgraph[otel]') or unset JCGRAPH_OTEL"
)


def installed() -> bool:
    """Whether the `otel` extra (the API and the SDK) can be imported."""
    try:
        return importlib.util.find_spec("opentelemetry.sdk.trace") is not None
    except ModuleNotFoundError:  # `opentelemetry` itself is missing
        return False


class Tracing:
    """Starts operation spans; `provider` defaults to the process's tracer provider."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        from opentelemetry import trace
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        provider = provider if provider is not None else trace.get_tracer_provider()
        self._tracer = provider.get_tracer("jcgraph", __version__)
        self._propagator = TraceContextTextMapPropagator()

    def operation(self, headers: Mapping[str, str]) -> OperationSpan:
        """The span of one GraphQL request, a child of the caller's `traceparent` if any."""
        from opentelemetry.trace import SpanKind

        parent = self._propagator.extract(headers)
        span = self._tracer.start_span("graphql", context=parent, kind=SpanKind.SERVER)
        return OperationSpan(span, self._tracer, self._propagator)


class OperationSpan:
    """One operation's span, and the `UpstreamTracer` of the calls made on its behalf."""

    def __init__(self, span: Span, tracer: Tracer, propagator: Any) -> None:
        self.span = span
        self._tracer = tracer
        self._propagator = propagator

    @property
    def trace_id(self) -> str:
        return f"{self.span.get_span_context().trace_id:032x}"

    def start(self, method: str, endpoint: str) -> UpstreamCallSpan:
        from opentelemetry.trace import SpanKind, set_span_in_context

        _, _, template = endpoint.partition(" ")
        span = self._tracer.start_span(
            endpoint,
            context=set_span_in_context(self.span),
            kind=SpanKind.CLIENT,
            attributes={"http.request.method": method, "url.template": template},
        )
        return UpstreamCallSpan(span, self._propagator)

    def end(
        self,
        *,
        operation: str | None,
        document: str | None,
        status: int,
        attributes: Mapping[str, Any],
    ) -> None:
        from opentelemetry.trace import StatusCode

        span = self.span
        span.update_name(f"graphql {operation}" if operation else "graphql")
        if operation:
            span.set_attribute("graphql.operation.name", operation)
        if document:
            span.set_attribute("jcgraph.document.sha256", document)
        span.set_attribute("http.response.status_code", status)
        span.set_attributes(attributes)
        if status >= 500:
            span.set_status(StatusCode.ERROR)
        span.end()


class UpstreamCallSpan:
    """One upstream request's span, retries included (`http.request.resend_count`)."""

    def __init__(self, span: Span, propagator: Any) -> None:
        self.span = span
        self._propagator = propagator

    def inject(self, headers: MutableMapping[str, str]) -> None:
        from opentelemetry.trace import set_span_in_context

        self._propagator.inject(headers, context=set_span_in_context(self.span))

    def end(self, status: int | None, retries: int, error: BaseException | None) -> None:
        from opentelemetry.trace import StatusCode

        span = self.span
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if retries:
            span.set_attribute("http.request.resend_count", retries)
        if error is not None:
            # The type only: messages may hold filter values (emails).
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(StatusCode.ERROR)
        span.end()


def create_tracing() -> Tracing:
    """Tracing through the process's tracer provider, or, when nothing configured one, an
    SDK provider exporting over OTLP/HTTP (configured by the standard OTEL_* variables),
    made the process's provider so that its spans are flushed at exit."""
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    current = trace.get_tracer_provider()
    if isinstance(current, SdkTracerProvider):
        return Tracing(current)
    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over this default.
    provider = SdkTracerProvider(resource=Resource.create({"service.name": "jcgraph"}))
    provider.add_span_processor(BatchSpanProcessor(_exporter()))
    trace.set_tracer_provider(provider)
    return Tracing(provider)


def _exporter() -> Any:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
            OTLPSpanExporter,
        )
    except ImportError:  # the SDK alone: spans are printed, one JSON object each
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    return OTLPSpanExporter()
