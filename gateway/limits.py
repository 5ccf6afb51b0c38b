"""Query cost limit: refuse, before any upstream call, operations that could fan out too far."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from gateway.errors import QueryTooCostly


class CostEstimate:
    """An upper estimate of the objects an operation can return.

    Every connection multiplies its parent's count by its `first` (or, where `first` is not
    given, by `assumed_size`: a typical list, not the cap, so ordinary nested queries pass).
    The estimate is the sum over all connections of those products.
    """

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        assumed_size: int,
    ) -> None:
        self._fragments = fragments
        self._variables = variables
        self._assumed = assumed_size

    def of(self, selection_set: SelectionSetNode | None, parent: int = 1) -> int:
        total = 0
        for field in self._fields(selection_set, set()):
            size = self._first(field)
            count = parent * size if size is not None else parent
            total += count if size is not None else 0
            total += self.of(field.selection_set, count)
        return total

    def _fields(
        self, selection_set: SelectionSetNode | None, seen: set[str]
    ) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in self._fragments:
                    seen.add(name)
                    yield from self._fields(self._fragments[name].selection_set, seen)

    def _first(self, field: FieldNode) -> int | None:
        """The multiplier of a connection field, None for a plain field."""
        arguments = {a.name.value: a.value for a in field.arguments or ()}
        if "first" not in arguments:
            if field.selection_set and _selects_edges(field.selection_set):
                return self._assumed
            return None
        value = arguments["first"]
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, VariableNode):
            given = self._variables.get(value.name.value)
            return max(int(given), 0) if isinstance(given, int) else self._assumed
        return self._assumed


def _selects_edges(selection_set: SelectionSetNode) -> bool:
    return any(
        isinstance(s, FieldNode) and s.name.value in {"edges", "totalCount", "pageInfo"}
        for s in selection_set.selections
    )


class CostLimit(SchemaExtension):
    """Adds QUERY_TOO_COSTLY to a valid document, before execution.

    It must come after ValidationCache in the extension list: that extension validates in
    its own `on_validate` and leaves `pre_execution_errors == []` for a valid document,
    which is what this one looks for (tests/gateway/test_errors.py fails if the order
    changes)."""

    def __init__(self, *, max_cost: int, assumed_size: int = 25) -> None:
        self.max_cost = max_cost
        self.assumed_size = assumed_size

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors == [] and document is not None:
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                if context.operation_name and (
                    definition.name is None or definition.name.value != context.operation_name
                ):
                    continue
                # A variable left out takes its declared default, as execution will.
                defaults = {
                    v.variable.name.value: int(v.default_value.value)
                    for v in definition.variable_definitions or ()
                    if isinstance(v.default_value, IntValueNode)
                }
                variables = {**defaults, **(context.variables or {})}
                estimate = CostEstimate(fragments, variables, self.assumed_size)
                cost = estimate.of(definition.selection_set)
                if cost > self.max_cost:
                    error = QueryTooCostly(
                        f"This query could return about {cost:,} objects; the limit is "
                        f"{self.max_cost:,}. Ask for smaller pages (`first`) or fewer levels.",
                        cost=cost,
                        maxCost=self.max_cost,
                    )
                    context.pre_execution_errors = [
                        GraphQLError(str(error), nodes=[definition], original_error=error)
                    ]
        yield
