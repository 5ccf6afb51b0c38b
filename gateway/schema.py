"""Building the federated schema, with the policies every operation is held to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import strawberry
from graphql import GraphQLError, GraphQLObjectType, specified_rules
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.documents import Documents, ParseLimits, Validation, create_document_worker
from gateway.limits import CostLimit, CostPolicy, EstimateMemo
from gateway.model import KINDS
from gateway.prefetch import Prefetch, PrefetchPlans
from gateway.schema_direct import resolve_fields_directly
from gateway.schema_query import Query
from gateway.sdl import print_sdl
from gateway.types.descriptions import describe
from gateway.types.entity import entity_class
from gateway.validation import ExactlyOneArgument


@dataclass(frozen=True)
class Policies:
    """What every operation is held to before it runs, built once per schema and shared by
    Strawberry's extensions and the lean path (gateway.operations): the validation rules
    (one tuple, so the validation cache hits), bounded and cached parsing and validation,
    the cost policy with its memo, and the prefetch plans."""

    rules: tuple[type[ASTValidationRule], ...]
    documents: Documents
    cost: CostPolicy
    plans: PrefetchPlans

    @classmethod
    def of(
        cls,
        *,
        max_depth: int,
        max_aliases: int,
        max_cost: int,
        max_tokens: int,
        max_entities: int,
        max_page_size: int = 100,
    ) -> Policies:
        added = (
            *QueryDepthLimiter(max_depth=max_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
            ExactlyOneArgument,
        )
        return cls(
            # What Strawberry validates with: graphql-core's rules, then the added ones.
            rules=(*specified_rules, *added),
            documents=Documents(max_tokens=max_tokens, worker=create_document_worker()),
            cost=CostPolicy(
                max_cost=max_cost,
                max_entities=max_entities,
                memo=EstimateMemo(),
                page_size=max_page_size,
            ),
            plans=PrefetchPlans(),
        )

    def extensions(self) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
        """Strawberry's pipeline, as factories over the shared policies."""
        added = list(self.rules[len(specified_rules) :])
        return [
            lambda: AddValidationRules(added),
            lambda: ParseLimits(self.documents),
            lambda: Validation(self.documents),
            # After validation: it needs a valid document.
            lambda: CostLimit(self.cost),
            lambda: Prefetch(plans=self.plans),
        ]


class GatewaySchema(strawberry.federation.Schema):
    """Errors are logged once, by the HTTP view, which knows which ones are expected.
    `policies` are what its extensions apply, for the lean path to apply the same."""

    policies: Policies

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None

    def as_str(self) -> str:
        """The self-contained SDL (gateway.sdl), as `_service { sdl }` serves it."""
        return print_sdl(self)


def build_schema(
    *,
    max_depth: int = 12,
    max_aliases: int = 100,
    max_cost: int = 50_000,
    max_tokens: int = 1_000,
    max_entities: int = 100,
    max_page_size: int = 100,
) -> GatewaySchema:
    policies = Policies.of(
        max_depth=max_depth,
        max_aliases=max_aliases,
        max_cost=max_cost,
        max_tokens=max_tokens,
        max_entities=max_entities,
        max_page_size=max_page_size,
    )
    schema = GatewaySchema(
        query=Query,
        types=[entity_class(k) for k in KINDS],  # every kind an entity (`_entities`)
        federation_version="2.5",
        extensions=policies.extensions(),
        config=StrawberryConfig(auto_camel_case=True),
    )
    schema.policies = policies
    describe(schema._schema, max_page_size)
    sdl = schema.as_str()
    service = schema._schema.type_map["_Service"]
    assert isinstance(service, GraphQLObjectType)
    service.fields["sdl"].resolve = lambda *_: sdl  # the self-contained SDL (gateway.sdl)
    resolve_fields_directly(schema._schema)
    return schema
