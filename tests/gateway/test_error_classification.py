"""What a caller sees of each kind of error: `classify` over the gateway's error tree,
JumpCloud's mapped errors, graphql-core's own, and everything else masked."""

from __future__ import annotations

import inspect

import pytest
from graphql import GraphQLError

from gateway import errors
from gateway.errors import Shown, classify
from gateway.jumpcloud import errors as upstream


def raised(original: Exception) -> GraphQLError:
    return GraphQLError("wrapped", original_error=original)


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (
            GraphQLError("Syntax Error: Expected Name, found <EOF>."),
            Shown("GRAPHQL_PARSE_FAILED", "Syntax Error: Expected Name, found <EOF>.", {}),
        ),
        (
            GraphQLError("Cannot query field 'x' on type 'Query'."),
            Shown("GRAPHQL_VALIDATION_FAILED", "Cannot query field 'x' on type 'Query'.", {}),
        ),
        (  # graphql-core wraps a variable's coercion error in another
            GraphQLError(
                "Variable '$id' of required type 'ID!' was not provided.",
                original_error=GraphQLError("inner"),
            ),
            Shown("BAD_USER_INPUT", "Variable '$id' of required type 'ID!' was not provided.", {}),
        ),
        (
            raised(errors.BadUserInput("`first` must be 0 or more", argument="first")),
            Shown("BAD_USER_INPUT", "`first` must be 0 or more", {"argument": "first"}),
        ),
        (
            raised(errors.OrgRequired("send x-jcgraph-org", header="x-jcgraph-org")),
            Shown("BAD_USER_INPUT", "send x-jcgraph-org", {"header": "x-jcgraph-org"}),
        ),
        (raised(errors.Forbidden("not yours")), Shown("FORBIDDEN", "not yours", {})),
        (
            raised(upstream.RateLimitedError("429", retry_after=3.0)),
            Shown(
                "UPSTREAM_RATE_LIMITED",
                "JumpCloud is rate limiting this gateway; retry later.",
                {"retryAfter": 3.0},
            ),
        ),
        (
            raised(upstream.NotFoundError("404", status=404)),
            Shown("NOT_FOUND", "JumpCloud has no such object.", {}),
        ),
        (raised(KeyError("jca_secret")), Shown("INTERNAL_SERVER_ERROR", None, {})),
    ],
)
def test_each_error_is_shown_with_its_code_and_a_safe_message(
    error: GraphQLError, shown: Shown
) -> None:
    assert classify(error) == shown


def test_every_gateway_error_is_in_the_drawn_tree_with_its_own_code() -> None:
    classes = [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.GatewayError) and c.__module__ == errors.__name__
    ]
    tree = errors.__doc__ or ""
    assert all(f" {c.__name__} " in tree for c in classes), classes
    codes = {c.code for c in classes if c not in (errors.GatewayError, errors.RequestRefused)}
    assert "INTERNAL_SERVER_ERROR" not in codes  # each says what went wrong
