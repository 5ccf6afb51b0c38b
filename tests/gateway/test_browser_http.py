"""What browser frontends need from the HTTP layer: CORS for allowed origins, gzip."""

from __future__ import annotations

import pytest

from gateway.settings import Settings, SettingsError
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import API_KEY, gateway

APP = "https://app.example.com"
ELSEWHERE = "https://evil.example.net"
USERS = "{ users(first: 50) { edges { node { jumpcloudId username email } } } }"
SMALL = "{ groups(first: 1) { totalCount } }"


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=60, groups=4, applications=2), seed=3)


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": (
            "content-type, authorization, apollo-require-preflight, x-jcgraph-org"
        ),
    }


async def test_a_preflight_from_an_allowed_origin_is_answered_without_auth(org: Org) -> None:
    async with gateway(org, cors_origins=(APP,), auth_tokens=("s3cret",)) as gw:
        allowed = await gw.http.options("/graphql", headers=preflight(APP))
        get = await gw.http.options("/graphql", headers=preflight(APP, "GET"))
        refused = await gw.http.options("/graphql", headers=preflight(ELSEWHERE))
    assert allowed.status_code == get.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "POST" in allowed.headers["access-control-allow-methods"]
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    for header in (
        "content-type",
        "authorization",
        "apollo-require-preflight",
        "x-jcgraph-cost",
        "x-jcgraph-org",
    ):
        assert header in allowed_headers
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_responses_carry_cors_headers_only_for_allowed_origins(org: Org) -> None:
    async with gateway(org, cors_origins=(APP,), auth_tokens=("s3cret",)) as gw:
        bearer = {"authorization": "Bearer s3cret"}
        allowed = await gw.post(SMALL, origin=APP, **bearer)
        elsewhere = await gw.post(SMALL, origin=ELSEWHERE, **bearer)
        unauthenticated = await gw.post(SMALL, origin=APP)
    assert allowed.status_code == elsewhere.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "access-control-allow-origin" not in elsewhere.headers  # the browser hides it
    # A refusal is readable by the page too, so it can tell the user to sign in.
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["access-control-allow-origin"] == APP


async def test_without_origins_there_are_no_cors_headers(org: Org) -> None:
    async with gateway(org) as gw:
        response = await gw.post(SMALL, origin=APP)
        options = await gw.http.options("/graphql", headers=preflight(APP))
    assert not [h for h in response.headers if h.startswith("access-control-")]
    assert options.status_code == 405


async def test_any_origin_with_a_star(org: Org) -> None:
    async with gateway(org, cors_origins=("*",)) as gw:
        response = await gw.post(SMALL, origin=ELSEWHERE)
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("https://app.example.com", ("https://app.example.com",)),
        (
            " https://A.example.com , http://localhost:5173 ",
            ("https://a.example.com", "http://localhost:5173"),
        ),
        ("*", ("*",)),
        ("", ()),
    ],
)
def test_cors_origins_are_read_from_the_environment(value: str, origins: tuple[str, ...]) -> None:
    settings = Settings.from_env({"JUMPCLOUD_API_KEY": API_KEY, "JCGRAPH_CORS_ORIGINS": value})
    assert settings.cors_origins == origins


@pytest.mark.parametrize(
    "value",
    [
        "https://app.example.com/",
        "app.example.com",
        "https://app.example.com/path",
        "ftp://app.example.com",
        "https://app.example.com:99999",
        "https://user@app.example.com",
        "*,https://app.example.com",
    ],
)
def test_a_malformed_origin_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"JUMPCLOUD_API_KEY": API_KEY, "JCGRAPH_CORS_ORIGINS": value})
    (problem,) = refused.value.problems
    assert problem.startswith("JCGRAPH_CORS_ORIGINS")


async def test_large_responses_are_gzipped_when_the_client_accepts_it(org: Org) -> None:
    async with gateway(org) as gw:
        plain = await gw.post(USERS, **{"accept-encoding": "identity"})
        zipped = await gw.http.post(
            "/graphql", json={"query": USERS}, headers={"accept-encoding": "gzip"}
        )
        replayed = await gw.http.post(  # a warm response, replayed from the response cache
            "/graphql", json={"query": USERS}, headers={"accept-encoding": "gzip"}
        )
        replayed_plain = await gw.post(USERS, **{"accept-encoding": "identity"})
        small = await gw.post(SMALL, **{"accept-encoding": "gzip"})
        metrics = await gw.http.get("/metrics", headers={"accept-encoding": "gzip"})
        health = await gw.http.get("/healthz", headers={"accept-encoding": "gzip"})
    assert len(plain.content) > 1024
    assert "content-encoding" not in plain.headers
    for response in (zipped, replayed):
        assert response.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in response.headers["vary"].lower()
        assert response.json() == plain.json()  # httpx decodes it
        assert int(response.headers["content-length"]) < len(plain.content) / 2
    assert replayed_plain.content == plain.content
    assert "content-encoding" not in small.headers
    assert metrics.headers["content-encoding"] == "gzip"
    assert "jcgraph_responses_replayed_total 2.0" in metrics.text  # replayed, then gzipped
    assert health.json() == {"status": "ok"}


async def test_gzip_can_be_turned_off(org: Org) -> None:
    async with gateway(org, gzip_min_bytes=0) as gw:
        response = await gw.post(USERS, **{"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
