"""Each GraphQL request's one log line and the end of its span, with its operation named."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError, get_operation_ast, parse
from starlette.requests import Request

from gateway.access_log import REQUEST_LOGGED, document_hash, log_request, request_log
from gateway.context import Context
from gateway.intake import Callers

if TYPE_CHECKING:
    from gateway.tracing import OperationSpan


class RequestLines:
    """Writes the line on `gateway.request` (and ends the span) once a response is sent:
    one formatted line, no work per field."""

    def __init__(self, callers: Callers, max_tokens: int) -> None:
        self._callers = callers
        # A document the gateway would refuse as too long is not parsed for its name either.
        self._max_tokens = max_tokens
        self._names: dict[str, str | None] = {}

    @staticmethod
    def wanted() -> bool:
        return request_log.isEnabledFor(logging.INFO)

    def observed(
        self,
        request: Request,
        sent: bytes,
        status: int,
        seconds: float,
        rid: str,
        replayed: bool,
        traced: OperationSpan | None,
    ) -> None:
        query, operation = getattr(request.state, "jcgraph_operation", None) or operation_in(
            request.method, sent
        )
        document = None if query is None else document_hash(query)
        if operation is None and query is not None:
            operation = self._operation_name(document, query)  # type: ignore[arg-type]
        context: Context | None = getattr(request.state, "jcgraph_context", None)
        fields: dict[str, Any] = {
            "request_id": rid,
            "operation": operation,
            "document": document,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "upstream_calls": 0 if context is None else context.cost.upstream.calls,
            "cache_hits": 0 if context is None else context.cost.cache.hits,
            "stale": context is not None and context.cost.cache.stale > 0,
            "replayed": replayed,
            "client": self._callers.client_id(request),
        }
        if traced is not None:
            fields["trace_id"] = traced.trace_id
            traced.end(
                operation=operation,
                document=document,
                status=status,
                attributes={f"jcgraph.{k}": v for k, v in fields.items() if v is not None},
            )
        if self.wanted():
            setattr(request.state, REQUEST_LOGGED, True)  # AccessLog leaves it to this line
            log_request(request.scope, fields)

    def _operation_name(self, document: str, query: str) -> str | None:
        """The name of a document's single operation, parsed once per document (a bounded
        memo): what the request log names an operation sent without `operationName`."""
        if document not in self._names:
            if len(self._names) >= 1024:
                self._names.clear()
            try:
                operation = get_operation_ast(parse(query, max_tokens=self._max_tokens))
            except GraphQLError:
                operation = None
            name = None if operation is None or operation.name is None else operation.name.value
            self._names[document] = name
        return self._names[document]


def operation_in(method: str, sent: bytes) -> tuple[str | None, str | None]:
    """(document, operation name) of a request the lean path did not read: a POSTed JSON
    body or a GET's query string; (None, None) for anything else."""
    try:
        if method == "POST":
            payload = orjson.loads(sent)
        else:
            payload = {k: v[0] for k, v in parse_qs(sent.decode("latin-1")).items()}
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        return None, None
    if not isinstance(payload, dict):
        return None, None
    query, name = payload.get("query"), payload.get("operationName")
    return (query if isinstance(query, str) else None), (name if isinstance(name, str) else None)
