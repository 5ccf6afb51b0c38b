"""Lookups that take exactly one of their arguments (`user`, `system`, `group`, `access`)
are checked when the document is validated, by the lean path and Strawberry's pipeline
alike; what only the variables can tell is refused on that field alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import is_nullable_type

from gateway.schema import build_schema
from gateway.simulator.store import Org, OrgSizes, generate_org
from gateway.validation import ONE_OF
from tests.harness import Harness, gateway


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=20, groups=4, applications=3), seed=5)


async def both_paths(gw: Harness, query: str, variables: dict[str, Any] | None = None) -> list[Any]:
    """The payloads of a POST (the lean path) and of a GET (Strawberry's pipeline)."""
    posted = (await gw.post(query, variables)).json()
    params = {"query": query}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    got = (await gw.http.get("/graphql", params=params)).json()
    return [posted, got]


@pytest.mark.parametrize(
    "query",
    [
        "{ user { email } }",
        '{ user(email: "a@b.c", username: "a") { email } }',
        "{ user(jumpcloudId: null, email: null) { email } }",
        "{ system { hostname } }",
        '{ system(jumpcloudId: "x", hostname: "y") { hostname } }',
        "{ group { name } }",
        '{ group(jumpcloudId: "x", name: "y") { name } }',
        '{ access(user: "x") { granted } }',
        '{ access(user: "x", application: "a", system: "s") { granted } }',
        'query($a: ID!, $s: ID!) { access(user: "x", application: $a, system: $s) { granted } }',
        '{ ...F } fragment F on Query { user(email: "a", username: "b") { email } }',
    ],
)
async def test_none_or_several_lookup_arguments_fail_validation_before_any_read(
    org: Org, query: str
) -> None:
    variables = {"a": "a", "s": "s"} if "$a" in query else None
    async with gateway(org) as gw:
        payloads = await both_paths(gw, query, variables)
        calls = gw.log.total
    for payload in payloads:
        assert payload.get("data") is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
        assert "exactly one of" in payload["errors"][0]["message"]
    assert calls == 0


async def test_one_lookup_argument_passes_whichever_way_it_is_given(org: Org) -> None:
    user = next(iter(org.users.values()))
    query = """query($email: String!, $id: ID) {
      byEmail: user(email: $email) { jumpcloudId }
      byId: user(jumpcloudId: $id, email: null) { jumpcloudId } }"""
    async with gateway(org) as gw:
        data = await gw.query(query, {"email": user["email"], "id": user["_id"]})
    assert data == {"byEmail": {"jumpcloudId": user["_id"]}, "byId": {"jumpcloudId": user["_id"]}}


async def test_nullable_variables_that_leave_no_target_null_only_that_field(org: Org) -> None:
    user_id = next(iter(org.users))
    query = """query($u: ID!, $app: ID, $system: ID, $g: ID, $name: String) {
      access(user: $u, application: $app, system: $system) { granted }
      group(jumpcloudId: $g, name: $name) { name }
      users(first: 1) { totalCount } }"""
    async with gateway(org) as gw:
        for payload in await both_paths(gw, query, {"u": user_id}):
            assert payload["data"]["access"] is None
            assert payload["data"]["group"] is None
            assert payload["data"]["users"] == {"totalCount": len(org.users)}
            assert sorted((e["path"], e["extensions"]["code"]) for e in payload["errors"]) == [
                (["access"], "BAD_USER_INPUT"),
                (["group"], "BAD_USER_INPUT"),
            ]


def test_the_rule_names_the_arguments_the_schema_declares() -> None:
    query = build_schema()._schema.query_type
    assert query is not None
    for field, names in ONE_OF.items():
        declared = set(query.fields[field].args)
        assert set(names) <= declared, field
        assert all(is_nullable_type(query.fields[field].args[n].type) for n in names)
