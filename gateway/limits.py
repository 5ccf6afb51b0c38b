"""The cost limit: each request's estimate, memoised, held to its limits before execution.

An operation that could return more objects than the maximum cost is refused as
QUERY_TOO_COSTLY, one that asks for more `_entities` representations than allowed as
TOO_MANY_ENTITIES; what the estimate counts is described in gateway/cost.py.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension

from gateway.cost import PAGE_SIZE, Estimate, estimate_request
from gateway.errors import QueryTooCostly, TooManyEntities


class EstimateMemo:
    """Estimates by request (document text, operation name, variables), an LRU: the same
    request is estimated once, however often it is sent."""

    def __init__(self, size: int = 1_024) -> None:
        self._found: OrderedDict[tuple[str, str | None, bytes], Estimate] = OrderedDict()
        self._size = size

    def of(
        self,
        text: str | None,
        operation: str | None,
        variables: Mapping[str, Any] | None,
        estimate: Callable[[], Estimate],
    ) -> Estimate:
        try:
            given = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
            key = (text or "", operation, hashlib.sha256(given).digest())
        except TypeError:  # variables JSON cannot express: estimate every time
            return estimate()
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = estimate()
            if len(self._found) > self._size:
                self._found.popitem(last=False)
        else:
            self._found.move_to_end(key)
        return found


@dataclass(frozen=True)
class CostPolicy:
    """The limits an estimate is held to, and the memo of estimates; one per schema, used
    by the extension (`CostLimit`) and by the lean path (gateway.operations) alike."""

    max_cost: int
    max_entities: int
    memo: EstimateMemo
    page_size: int = PAGE_SIZE

    def estimate(
        self,
        schema: GraphQLSchema,
        query: str | None,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> Estimate:
        return self.memo.of(
            query,
            operation_name,
            variables,
            lambda: estimate_request(schema, document, operation_name, variables, self.page_size),
        )

    def refusal(self, estimate: Estimate) -> TooManyEntities | QueryTooCostly | None:
        if estimate.entities > self.max_entities:
            return TooManyEntities(
                f"This query asks for {estimate.entities:,} entity representations; the limit "
                f"is {self.max_entities:,} a request. Send them in several requests.",
                entities=estimate.entities,
                maxEntities=self.max_entities,
            )
        if estimate.objects > self.max_cost:
            return QueryTooCostly(
                f"This query could return about {estimate.objects:,} objects; the limit is "
                f"{self.max_cost:,}. Ask for smaller pages (`first`) or fewer levels.",
                cost=estimate.objects,
                maxCost=self.max_cost,
            )
        return None

    def report(self, estimate: Estimate) -> dict[str, Any]:
        """What `extensions.cost` says of the estimate."""
        return {"estimatedCost": estimate.objects, "maxCost": self.max_cost}


class CostLimit(SchemaExtension):
    """Adds TOO_MANY_ENTITIES or QUERY_TOO_COSTLY to a valid document, before execution,
    and reports the estimate under `extensions.cost` (the view folds it into its report).

    It must come after `Validation` in the extension list: that extension validates in
    its own `on_validate` and leaves `pre_execution_errors == []` for a valid document,
    which is what this one looks for (tests/gateway/test_cost_analysis.py fails if the
    order changes)."""

    def __init__(self, policy: CostPolicy) -> None:
        self.policy = policy
        self.estimate: Estimate | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors == [] and document is not None:
            estimate = self.policy.estimate(
                context.schema._schema,
                context.query,
                document,
                context.operation_name,
                context.variables,
            )
            self.estimate = estimate
            refusal = self.policy.refusal(estimate)
            if refusal is not None:
                context.pre_execution_errors = [GraphQLError(str(refusal), original_error=refusal)]
        yield

    def get_results(self) -> dict[str, Any]:
        if self.estimate is None:
            return {}
        return {"cost": self.policy.report(self.estimate)}
