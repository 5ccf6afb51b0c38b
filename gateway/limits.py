"""Document limits: tokens and fragment nesting at parse time; cost and `_entities` before
execution.

The cost estimates the objects an operation fetches page by page, computed over the
schema's types with fragments, inline fragments, aliases and variables resolved, so no
spelling of a query costs less than another:

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

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLCompositeType,
    GraphQLError,
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
from graphql.error import GraphQLSyntaxError
from graphql.validation import ASTValidationRule
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from gateway.errors import QueryTooCostly, TooManyEntities, TooManyTokens

PAGE_SIZE = 100  # objects a connection returns for a null `first` (JCGRAPH_MAX_PAGE_SIZE)
LIST_SIZE = 10  # fan-out assumed below a plain list of objects
ENTITIES_FIELD, REPRESENTATIONS = "_entities", "representations"
PAGE_LISTS = frozenset({"edges", "nodes"})
# Validation rules recurse through fragment spreads; graphql-core aborts past 200, but
# Strawberry's depth limiter overflows the stack before that.
MAX_FRAGMENT_NESTING = 100
# Documents up to this many characters (so about half as many tokens) are parsed and
# validated on the event loop: a few milliseconds at worst, less than a thread hop costs.
INLINE_DOCUMENT_CHARS = 512

T = TypeVar("T")


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


def create_document_worker() -> Executor:
    """The one thread that parses and validates long documents (see `off_loop`): one, so
    a flood of them queues there rather than taking the event loop's share of the GIL."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="jcgraph-documents")


async def off_loop(worker: Executor, size: int, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` on the event loop for a short document, in `worker` for a long one:
    validation is CPU-bound (quadratic in places), and while a thread runs it the loop
    still gets the GIL every switch interval, so other requests keep being served."""
    if size <= INLINE_DOCUMENT_CHARS:
        return work(*args)
    return await asyncio.get_running_loop().run_in_executor(worker, work, *args)


class Documents:
    """Parsing within the token limit and validation, each through Strawberry's shared LRU
    caches, long documents off the event loop; one per schema, used by the extensions
    below and by the lean path (gateway.operations) alike.

    A document of more than `max_tokens` tokens (comments included) is refused as
    TOO_MANY_TOKENS while it is lexed, so no more work than that many tokens is ever done on
    it; fragments spread more than `MAX_FRAGMENT_NESTING` deep are refused before
    validation, whose rules recurse through them."""

    def __init__(self, *, max_tokens: int, worker: Executor) -> None:
        self.max_tokens = max_tokens
        self.worker = worker
        self._parse = ParserCache().cached_parse_document
        self._validate = ValidationCache().cached_validate_document

    async def parse(self, query: str) -> DocumentNode:
        try:
            document: DocumentNode = await off_loop(
                self.worker, len(query), self._parse_bounded, query
            )
        except GraphQLSyntaxError as error:
            if not error.message.endswith(f"more than {self.max_tokens} tokens. Parsing aborted."):
                raise
            refusal = TooManyTokens(
                f"This document has more than {self.max_tokens:,} tokens, the limit; send a "
                "smaller query (fewer fields, fragments or comments).",
                maxTokens=self.max_tokens,
            )
            raise GraphQLError(str(refusal), original_error=refusal) from None
        if fragment_nesting(document) > MAX_FRAGMENT_NESTING:
            raise GraphQLError(
                f"Fragments spread each other more than {MAX_FRAGMENT_NESTING} deep; flatten them."
            )
        return document

    def _parse_bounded(self, query: str) -> DocumentNode:
        document: DocumentNode = self._parse(query, max_tokens=self.max_tokens)
        return document

    async def validate(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        errors: list[GraphQLError] = await off_loop(
            self.worker, len(query), self._validate, schema, document, rules
        )
        return errors


class ParseLimits(SchemaExtension):
    """Parsing through `Documents`: bounded, cached."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        context.graphql_document = await self.documents.parse(context.query or "")
        yield


class Validation(SchemaExtension):
    """Validation through `Documents`: cached, long documents off the event loop."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = await self.documents.validate(
            context.schema._schema,
            context.query or "",
            context.graphql_document,
            context.validation_rules,
        )
        yield


def fragment_nesting(document: DocumentNode) -> int:
    """How deep fragment spreads nest (a spread closing a cycle adds nothing: validation
    reports cycles). Iterative, so no document can overflow the stack here."""
    spreads: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            spreads[definition.name.value] = _spreads_in(definition.selection_set)
    depths: dict[str, int] = {}
    for root in spreads:
        path, on_path = [(root, iter(spreads[root]))], {root}
        while path:
            name, pending = path[-1]
            for spread in pending:
                if spread in spreads and spread not in depths and spread not in on_path:
                    path.append((spread, iter(spreads[spread])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                depths[name] = 1 + max((depths.get(s, 0) for s in spreads[name]), default=0)
    return max(depths.values(), default=0)


def _spreads_in(selection_set: SelectionSetNode) -> set[str]:
    found: set[str] = set()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                found.add(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return found


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
            lambda: estimate_request(
                schema, document, operation_name, variables, self.page_size
            ),
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
