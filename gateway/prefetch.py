"""Start the collections an operation will need beside its first read.

A query's waves of upstream reads depend on each other (a users page, then their groups,
then those groups' applications), but the small collections it touches do not: the group
and application records, and the ids an index is built from, are known from the operation
alone. Read from the document before execution (once per document text), they start
together with the first read instead of one wave each later.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import (
    SKIP,
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from strawberry.extensions import SchemaExtension

from gateway.context import Context
from gateway.model import KIND_BY_NAME, Kind


def collections_needed(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> frozenset[Kind]:
    """The kinds read whole whose objects the operation selects: their records will be read
    (and their ids are what an index over them is built from)."""
    found: set[Kind] = set()
    info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> Any:
            name = None if node.name is None else node.name.value
            return SKIP if operation_name is not None and name != operation_name else None

        def enter_field(self, node: FieldNode, *_: object) -> None:
            named = get_named_type(info.get_type())
            kind = KIND_BY_NAME.get(getattr(named, "name", ""))
            if kind is not None and kind.whole:
                found.add(kind)

    visit(document, TypeInfoVisitor(info, Collect()))
    return frozenset(found)


class PrefetchPlans:
    """What each operation needs, worked out once per document text (an LRU)."""

    def __init__(self, size: int = 512) -> None:
        self._plans: OrderedDict[tuple[str, str | None], frozenset[Kind]] = OrderedDict()
        self._size = size

    def of(
        self, schema: GraphQLSchema, text: str, document: DocumentNode, operation: str | None
    ) -> frozenset[Kind]:
        key = (text, operation)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = collections_needed(schema, document, operation)
            if len(self._plans) > self._size:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        return plan


class Prefetch(SchemaExtension):
    """Starts, before execution, the collection reads the operation will need."""

    def __init__(self, *, plans: PrefetchPlans) -> None:
        self._plans = plans

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if isinstance(context, Context) and document is not None and execution.query:
            schema = execution.schema._schema
            plan = self._plans.of(schema, execution.query, document, execution.operation_name)
            for kind in plan:
                context.prefetch(kind)
        yield
