"""Start the collections an operation will need beside its first read (DESIGN §5.8).

A query's waves of upstream reads depend on each other (a users page, then their groups,
then those groups' applications), but the small collections it touches do not: the group
and application records, and the ids an index is built from, are known from the operation
alone. Read from the document before execution, they start together with the first read
instead of one wave each later.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
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
from gateway.model import KIND_BY_NAME, Kind, Relation


def collections_needed(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> set[Kind]:
    """The kinds read whole that executing the operation will read: every object type of a
    whole kind it selects, and the far side of every relation it follows (an index is built
    from that side's ids)."""
    found: set[Kind] = set()
    info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            if operation_name is not None and (
                node.name is None or node.name.value != operation_name
            ):
                return

        def enter_field(self, node: FieldNode, *_: object) -> None:
            named = get_named_type(info.get_type())
            kind = KIND_BY_NAME.get(getattr(named, "name", ""))
            if kind is not None and kind.whole:
                found.add(kind)
            definition = info.get_field_def()
            field = (
                None if definition is None else definition.extensions.get("strawberry-definition")
            )
            metadata = getattr(field, "metadata", None) or {}
            relation, side = metadata.get("relation"), metadata.get("side")
            if isinstance(relation, Relation) and isinstance(side, Kind):
                other = relation.other(side)
                if other.whole:
                    found.add(other)

    visit(document, TypeInfoVisitor(info, Collect()))
    return found


class Prefetch(SchemaExtension):
    """Starts, before execution, the collection reads the operation will need."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if isinstance(context, Context) and document is not None:
            schema = execution.schema._schema
            for kind in collections_needed(schema, document, execution.operation_name):
                context.loaders.prefetch(kind)
        yield
