"""The lean path: a POSTed JSON query executed by graphql-core directly.

It runs under the same policies as Strawberry's pipeline. That per-request pipeline (an
extension runner with five extensions and their hooks, a middleware manager consulted for
every field) costs more than executing a small warm query does. A query already known to be
valid and within every limit runs here instead, with the same parse and validation caches
and rules, the same cost policy and prefetch (`Policies`), graphql-core's executor with
Strawberry's execution context (so resolvers see the same info), and the view's own
response shaping. Everything else (a document with errors, a refused cost, several
operations and no name, anything but a query) goes through Strawberry's pipeline, which
answers it as always: this path never makes an error response of its own.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    OperationType,
    execute,
    get_operation_ast,
)
from starlette.requests import Request
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.awaitables import is_awaitable
from gateway.context import Context
from gateway.model import Kind
from gateway.schema import GatewaySchema


@dataclass(frozen=True)
class Prepared:
    """A valid query document and the collections it will need (gateway.prefetch)."""

    document: DocumentNode
    prefetch: frozenset[Kind]
    name: str | None  # the operation's own name (what runs when none is given)


class Operations:
    """Prepared queries by document text and operation name (an LRU: the same document is
    parsed, validated and planned once), and their execution."""

    def __init__(self, schema: GatewaySchema, size: int = 256) -> None:
        self._schema = schema._schema
        self._policies = schema.policies
        self._prepared: OrderedDict[tuple[bytes, str | None], Prepared | None] = OrderedDict()
        self._size = size

    async def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        """The prepared query; None when the document is not a valid query (then the
        Strawberry pipeline answers it, with its errors)."""
        key = (hashlib.sha256(query.encode()).digest(), operation_name)
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        prepared = await self._prepare(query, operation_name)
        self._prepared[key] = prepared
        if len(self._prepared) > self._size:
            self._prepared.popitem(last=False)
        return prepared

    async def _prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        policies = self._policies
        try:
            document = await policies.documents.parse(query)
        except Exception:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if await policies.documents.validate(self._schema, query, document, policies.rules):
            return None
        plan = policies.plans.of(self._schema, query, document, operation_name)
        return Prepared(document, plan, None if operation.name is None else operation.name.value)

    def estimate(
        self,
        query: str,
        prepared: Prepared,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> dict[str, Any] | None:
        """The cost report of a query within the limits; None when the cost policy refuses it
        (then the Strawberry pipeline answers, with the refusal)."""
        cost = self._policies.cost
        estimate = cost.estimate(self._schema, query, prepared.document, operation_name, variables)
        return None if cost.refusal(estimate) is not None else cost.report(estimate)

    async def execute(
        self,
        prepared: Prepared,
        context: Context,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult:
        for kind in prepared.prefetch:
            context.prefetch(kind)
        result = execute(
            self._schema,
            prepared.document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=StrawberryGraphQLCoreExecutionContext,
            is_awaitable=is_awaitable,  # type: ignore[arg-type]
            operation_extensions=None,  # what Strawberry's execution context expects
        )
        if isinstance(result, ExecutionResult):
            return result
        return await result


LEAN_FIELDS = frozenset({"query", "variables", "operationName"})


def lean_request(
    request: Request, body: bytes
) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """(query, variables, operation name) of a request the lean path may take: a POSTed
    application/json object of those fields alone, answered in one JSON response; None for
    anything else (Strawberry's pipeline answers it)."""
    if request.method != "POST":
        return None
    headers = request.headers
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    accept = headers.get("accept", "")
    if media_type != "application/json" or "multipart" in accept or "event-stream" in accept:
        return None
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or not payload.keys() <= LEAN_FIELDS:
        return None
    query, variables = payload.get("query"), payload.get("variables")
    name = payload.get("operationName")
    if not (
        isinstance(query, str)
        and isinstance(variables, dict | None)
        and isinstance(name, str | None)
    ):
        return None
    return query, variables, name
