"""The cost estimate: the objects an operation can fetch, page by page, over the schema's types.

Fragments, inline fragments, aliases and variables are resolved, so no spelling of a query
costs less than another:

- a field returning a Relay connection (an object type with `edges` and `pageInfo`), or a
  list that takes `first`, counts `first` (or `last`) objects per parent: the argument's
  declared default when it is left out, the page size when it is null (what the resolvers
  then return), so a query costs the same however its page size is spelt. A connection's
  `edges`/`nodes` are that page, not a further fan-out;
- `_entities` (Apollo Federation) counts one object per representation, and the number of
  representations is bounded on its own;
- any other list of objects (paths, hops, an admin's roles: lists by convention short,
  long ones are connections) counts nothing itself but multiplies what is below it by
  `LIST_SIZE`, so a connection under a list costs what it can fetch;
- lists of scalars and enums are values of their object;
- counts multiply down the tree; an abstract type costs its most expensive member;
- introspection (`__schema`, `__type`, `__typename`) never reaches JumpCloud and counts 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    value_from_ast_untyped,
)

PAGE_SIZE = 100  # objects a connection returns for a null `first` (JCGRAPH_MAX_PAGE_SIZE)
LIST_SIZE = 10  # fan-out assumed below a plain list of objects
ENTITIES_FIELD, REPRESENTATIONS = "_entities", "representations"
PAGE_LISTS = frozenset({"edges", "nodes"})


@dataclass(frozen=True)
class Estimate:
    """Objects an operation can return, and how many of them are `_entities` lookups."""

    objects: int = 0
    entities: int = 0

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(self.objects + other.objects, self.entities + other.entities)

    def times(self, factor: int) -> Estimate:
        return Estimate(self.objects * factor, self.entities * factor)

    def at_least(self, other: Estimate) -> Estimate:
        return Estimate(max(self.objects, other.objects), max(self.entities, other.entities))


class CostEstimator:
    """Walks one document against the schema; costs are kept per (type, selections), so a
    fragment spread in many places is costed once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        *,
        page_size: int = PAGE_SIZE,
        list_size: int = LIST_SIZE,
    ) -> None:
        self._schema = schema
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._page_size = page_size
        self._list_size = list_size
        self._variables: dict[str, Any] = {}
        self._memo: dict[tuple[str, tuple[int, ...]], Estimate] = {}

    def operation(
        self, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
    ) -> Estimate:
        # A variable left out takes its declared default, as execution will.
        defaults = {
            v.variable.name.value: value_from_ast_untyped(v.default_value)
            for v in operation.variable_definitions or ()
            if v.default_value is not None
        }
        self._variables = {**defaults, **(variables or {})}
        self._memo.clear()
        root = self._schema.get_root_type(operation.operation)
        return Estimate() if root is None else self._selections(root, (operation.selection_set,))

    def _selections(
        self, parent: GraphQLCompositeType, sets: Sequence[SelectionSetNode]
    ) -> Estimate:
        """The estimate below one object of type `parent` selecting `sets` (merged)."""
        key = (parent.name, tuple(id(s) for s in sets))
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = Estimate()  # validation rejects cycles; this only guards the walk
        runtime_types: Sequence[GraphQLObjectType] = (
            self._schema.get_possible_types(parent) if is_abstract_type(parent) else [parent]  # type: ignore[list-item]
        )
        worst = Estimate()
        for runtime in runtime_types:
            total = Estimate()
            for nodes in self._collect(runtime, sets).values():
                total += self._field(runtime, nodes)
            worst = worst.at_least(total)
        self._memo[key] = worst
        return worst

    def _collect(
        self, runtime: GraphQLObjectType, sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, as the executor groups them (aliases apart, repeats
        merged), through every fragment that applies to `runtime`."""
        fields: dict[str, list[FieldNode]] = {}
        seen: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, runtime):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self._fragments.get(name)
                    if name in seen or fragment is None:
                        continue
                    seen.add(name)
                    if self._applies(fragment.type_condition.name.value, runtime):
                        walk(fragment.selection_set)

        for selection_set in sets:
            walk(selection_set)
        return fields

    def _applies(self, condition: str, runtime: GraphQLObjectType) -> bool:
        target = self._schema.get_type(condition)
        if target is runtime:
            return True
        return is_abstract_type(target) and self._schema.is_sub_type(target, runtime)

    def _field(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> Estimate:
        name = nodes[0].name.value
        definition = parent.fields.get(name)
        if definition is None or name.startswith("__"):
            return Estimate()
        named = get_named_type(definition.type)
        here, fan_out = self._size(parent, nodes[0], definition, named)
        children = [n.selection_set for n in nodes if n.selection_set is not None]
        below = (
            self._selections(named, children)
            if children and is_composite_type(named)
            else Estimate()
        )
        return here + below.times(fan_out)

    def _size(
        self,
        parent: GraphQLObjectType,
        node: FieldNode,
        definition: GraphQLField,
        named: GraphQLNamedType,
    ) -> tuple[Estimate, int]:
        """(what this field itself counts per parent object, its fan-out below)."""
        name = node.name.value
        listed = is_list_type(get_nullable_type(definition.type))
        if name == ENTITIES_FIELD and REPRESENTATIONS in definition.args:
            count = _length(self._argument(node, definition, REPRESENTATIONS))
            return Estimate(count, count), count
        if _is_connection(named) and not listed:
            count = self._page(node, definition, self._page_size)
            return Estimate(count), count
        if not listed or not is_composite_type(named):
            return Estimate(), 1
        if _is_connection(parent) and name in PAGE_LISTS:
            return Estimate(), 1  # the page its connection already counted
        if "first" in definition.args or "last" in definition.args:
            count = self._page(node, definition, self._page_size)
            return Estimate(count), count  # a paged list: as a connection
        return Estimate(), self._list_size  # items of their parent; what is below fans out

    def _page(self, node: FieldNode, definition: GraphQLField, otherwise: int) -> int:
        for argument in ("first", "last"):
            if argument in definition.args:
                value = self._argument(node, definition, argument)
                if isinstance(value, int) and not isinstance(value, bool):
                    return max(value, 0)
        return otherwise

    def _argument(self, node: FieldNode, definition: GraphQLField, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = value_from_ast_untyped(argument.value, self._variables)
                return None if value is Undefined else value
        return _default(definition.args[name])


def _default(argument: GraphQLArgument) -> Any:
    """An argument's declared default: graphql-core keeps a schema built from SDL's as a
    literal (`default`), a Strawberry schema's as a value (`default_value`)."""
    if argument.default_value is not Undefined:
        return argument.default_value
    declared = getattr(argument, "default", None)
    if declared is None:
        return None
    if declared.literal is not None:
        return value_from_ast_untyped(declared.literal)
    return None if declared.value is Undefined else declared.value


def _is_connection(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and {"edges", "pageInfo"} <= named.fields.keys()


def _length(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return 0 if value is None else 1  # a single value is coerced to a list of one


def operations(document: DocumentNode, name: str | None) -> Iterator[OperationDefinitionNode]:
    """The operation `name` selects, or every operation when none is named (only one of
    them can run; execution refuses the rest)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            yield definition


def estimate_request(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    page_size: int = PAGE_SIZE,
) -> Estimate:
    """The estimate of a valid document's operation (the most expensive, when none is
    named: only one of them can run)."""
    estimator = CostEstimator(schema, document, page_size=page_size)
    found = Estimate()
    for operation in operations(document, operation_name):
        found = found.at_least(estimator.operation(operation, variables))
    return found
