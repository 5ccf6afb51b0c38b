"""Document parsing and validation: the token limit, fragment nesting, long documents off-loop.

A document of more tokens than the limit is refused while it is lexed; fragments spread too
deep are refused before validation; parsing and validation go through Strawberry's shared
LRU caches, and a long document is parsed and validated in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.error import GraphQLSyntaxError
from graphql.validation import ASTValidationRule
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from gateway.errors import TooManyTokens

# Validation rules recurse through fragment spreads; graphql-core aborts past 200, but
# Strawberry's depth limiter overflows the stack before that.
MAX_FRAGMENT_NESTING = 100
# Documents up to this many characters (so about half as many tokens) are parsed and
# validated on the event loop: a few milliseconds at worst, less than a thread hop costs.
INLINE_DOCUMENT_CHARS = 512

T = TypeVar("T")


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
