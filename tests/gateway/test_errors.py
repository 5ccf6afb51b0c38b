"""What bad input and upstream failures return: stable codes, partial data, no secrets."""

from __future__ import annotations

import logging

import pytest

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import API_KEY, gateway


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=30, groups=5, applications=4), seed=3)


def codes(payload: dict[str, object]) -> list[object]:
    errors = payload.get("errors")
    assert isinstance(errors, list)
    return [e["extensions"]["code"] for e in errors]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ users(first: 5) { totalCount ", "GRAPHQL_PARSE_FAILED"),
        ("{ users { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ users(first: 101) { totalCount } }", "BAD_USER_INPUT"),
        ("{ users(first: -1) { totalCount } }", "BAD_USER_INPUT"),
        ('{ users(after: "bm9wZQ==") { totalCount } }', "BAD_USER_INPUT"),
        ('{ node(id: "not-a-global-id") { id } }', "BAD_USER_INPUT"),
        ('{ user(email: "a@b.c", username: "x") { id } }', "GRAPHQL_VALIDATION_FAILED"),
        ('{ access(user: "x") { granted } }', "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_bad_input_gets_a_stable_code_never_a_500(org: Org, query: str, code: str) -> None:
    async with gateway(org) as gw:
        response = await gw.post(query)
    assert response.status_code in (200, 400)
    assert codes(response.json()) == [code]


async def test_too_deep_a_query_is_refused_before_any_upstream_call(org: Org) -> None:
    deep = (
        "{ users { edges { node { groups { edges { node { members { edges { node { groups {"
        " edges { node { members { edges { node { email } } } } } } } } } } } } } } } }"
    )
    async with gateway(org, max_depth=6) as gw:
        response = await gw.post(deep)
    assert codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert gw.log.total == 0


async def test_upstream_outage_fails_only_the_field_that_needed_it(org: Org) -> None:
    # A nullable field takes the null; a non-null one (the contract's connections) hands it
    # to its nearest nullable parent, as GraphQL specifies.
    app_id = next(iter(org.applications))
    query = f'{{ groups {{ totalCount }} application(jumpcloudId: "{app_id}") {{ name }} }}'
    async with gateway(org) as gw:
        await gw.query("{ groups { totalCount } }")
        gw.faults.burst(100, status=503, route="/api/applications")
        response = await gw.post(query)
    payload = response.json()
    assert payload["data"]["groups"]["totalCount"] == len(org.groups)
    assert payload["data"]["application"] is None
    assert codes(payload) == ["UPSTREAM_UNAVAILABLE"]
    assert payload["errors"][0]["path"] == ["application"]


async def test_upstream_rate_limit_maps_to_its_own_code(org: Org) -> None:
    async with gateway(org) as gw:
        gw.faults.rate_limit(100, retry_after="1")
        response = await gw.post("{ groups { totalCount } }")
    assert codes(response.json()) == ["UPSTREAM_RATE_LIMITED"]


async def test_a_rejected_api_key_says_which_variable_to_fix_and_never_shows_it(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with gateway(org, api_key="jca_wrong_key_never_shown") as gw:
        response = await gw.post("{ groups { totalCount } }")
    payload = response.json()
    assert codes(payload) == ["UPSTREAM_UNAUTHENTICATED"]
    assert "JUMPCLOUD_API_KEY" in payload["errors"][0]["message"]
    for secret in ("jca_wrong_key_never_shown", API_KEY):
        assert secret not in response.text
        assert all(secret not in r.getMessage() for r in caplog.records)


async def test_a_get_query_needs_the_token_even_when_it_asks_for_html(org: Org) -> None:
    async with gateway(org, auth_tokens=("s3cret",)) as gw:
        query = await gw.http.get(
            "/graphql",
            params={"query": "{ users { edges { node { email } } } }"},
            headers={"accept": "text/html"},
        )
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
    assert query.status_code == 401
    assert "@" not in query.text
    assert page.status_code == 200


async def test_a_variables_default_counts_toward_the_cost(org: Org) -> None:
    fan_out = """query($n: Int = 100) { users(first: 100) { edges { node { groups(first: $n) {
      edges { node { members(first: 100) { edges { node { email } } } } } } } } } }"""
    async with gateway(org) as gw:
        refused = await gw.post(fan_out)
    assert codes(refused.json()) == ["QUERY_TOO_COSTLY"]


async def test_gateway_bearer_tokens_guard_the_endpoint(org: Org) -> None:
    async with gateway(org, auth_tokens=("s3cret",)) as gw:
        denied = await gw.post("{ groups { totalCount } }")
        allowed = await gw.post("{ groups { totalCount } }", authorization="Bearer s3cret")
    assert denied.status_code == 401
    assert codes(denied.json()) == ["UNAUTHENTICATED"]
    assert allowed.json()["data"]["groups"]["totalCount"] == len(org.groups)


async def test_a_query_that_could_fan_out_too_far_is_refused_before_any_call(org: Org) -> None:
    fan_out = """query($n: Int) { users(first: 100) { edges { node { groups(first: $n) { edges {
      node { members(first: 100) { edges { node { email } } } } } } } } } }"""
    async with gateway(org) as gw:
        refused = await gw.post(fan_out, {"n": 100})
        calls = gw.log.total
        allowed = await gw.post(fan_out, {"n": 2})
    payload = refused.json()
    assert codes(payload) == ["QUERY_TOO_COSTLY"]
    assert payload["errors"][0]["extensions"]["cost"] == 100 + 100 * 100 + 100 * 100 * 100
    assert calls == 0
    assert "errors" not in allowed.json()
