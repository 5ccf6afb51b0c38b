"""Several organisations behind one gateway (JCGRAPH_TENANTS): what each token may read, how a
request is bound to one organisation, and that nothing read for one is served to another."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.errors import Forbidden, OrgRequired
from gateway.settings import Settings, SettingsError
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Store, generate_org
from gateway.tenancy import TenantsError, bind, read_tenants
from tests.clock import FakeClock

MSP_KEY = "jca_msp_key_0a1b2c3d4e5f6a7b"
SOLO_KEY = "jca_solo_key_9f8e7d6c5b4a3928"
ALPHA = generate_org(OrgSizes(users=30), seed=1)
BRAVO = generate_org(OrgSizes(users=30), seed=2)
SOLO = generate_org(OrgSizes(users=12), seed=3)
TOKEN_A = "token-alpha-0123456789"
TOKEN_B = "token-bravo-0123456789"
TOKEN_MSP = "token-msp-both-0123456789"
TOKEN_SOLO = "token-solo-0123456789"

USERS = "{ users(first: 100) { totalCount edges { node { jumpcloudId email } } } }"
ORGANIZATIONS = "{ organizations { id name } }"


def tenants_config() -> str:
    """One multi-tenant key over ALPHA and BRAVO, read by the MSP's token and, through
    tenants sharing that key, by a token per organisation; SOLO's own key from the
    environment."""
    return json.dumps(
        {
            "tenants": [
                {
                    "name": "msp",
                    "api_key": MSP_KEY,
                    "org_ids": [ALPHA.id, BRAVO.id],
                    "tokens": [TOKEN_MSP],
                },
                {"name": "alpha", "api_key": MSP_KEY, "org_ids": [ALPHA.id], "tokens": [TOKEN_A]},
                {"name": "bravo", "api_key": MSP_KEY, "org_ids": [BRAVO.id], "tokens": [TOKEN_B]},
                {
                    "name": "solo",
                    "api_key_env": "SOLO_KEY",
                    "org_ids": [SOLO.id],
                    "tokens": [TOKEN_SOLO],
                },
            ]
        }
    )


@dataclass
class Deployment:
    http: httpx.AsyncClient
    log: RequestLog
    faults: Faults

    async def post(
        self, query: str, token: str | None, org: str | None = None, **extra: str
    ) -> httpx.Response:
        headers = dict(extra)
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        if org is not None:
            headers["x-jcgraph-org"] = org
        return await self.http.post("/graphql", json={"query": query}, headers=headers)

    async def data(self, query: str, token: str, org: str | None = None) -> dict[str, Any]:
        response = await self.post(query, token, org)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@contextlib.asynccontextmanager
async def deployment(**overrides: Any) -> AsyncIterator[Deployment]:
    store = Store.multi([ALPHA, BRAVO], MSP_KEY)
    store.orgs[SOLO.id] = SOLO
    store.api_keys[SOLO_KEY] = (SOLO.id,)
    log = RequestLog()
    faults = Faults()
    transport = httpx.ASGITransport(app=create_simulator_app(store, log=log, faults=faults))
    env = {"JCGRAPH_TENANTS": tenants_config(), "SOLO_KEY": SOLO_KEY}
    settings = Settings.from_env({**env, "JUMPCLOUD_BASE_URL": "http://jumpcloud.test"})
    if overrides:
        import dataclasses

        settings = dataclasses.replace(settings, **overrides)
    app = create_app(settings, transport=transport, clock=FakeClock())
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.test"
        ) as http,
    ):
        yield Deployment(http, log, faults)


def user_ids(data: dict[str, Any]) -> set[str]:
    return {e["node"]["jumpcloudId"] for e in data["users"]["edges"]}


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_token_of_one_organisation_reads_that_organisation_only() -> None:
    assert not set(ALPHA.users) & set(BRAVO.users)
    async with deployment() as gw:
        alpha = await gw.data(USERS, TOKEN_A)
        bravo = await gw.data(USERS, TOKEN_B)
        solo = await gw.data(USERS, TOKEN_SOLO)
    assert user_ids(alpha) == set(ALPHA.users)
    assert user_ids(bravo) == set(BRAVO.users)
    assert user_ids(solo) == set(SOLO.users)


async def test_a_token_of_several_organisations_names_one_with_the_org_header() -> None:
    async with deployment() as gw:
        listed = await gw.data(ORGANIZATIONS, TOKEN_MSP)
        unbound = await gw.post(USERS, TOKEN_MSP)
        alpha = await gw.data(USERS, TOKEN_MSP, ALPHA.id)
        bravo = await gw.data(USERS, TOKEN_MSP, BRAVO.id.upper())
    assert listed["organizations"] == [
        {"id": ALPHA.id, "name": ALPHA.name},
        {"id": BRAVO.id, "name": BRAVO.name},
    ]
    assert unbound.status_code == 200
    assert error_code(unbound) == "BAD_USER_INPUT"
    assert "x-jcgraph-org" in unbound.json()["errors"][0]["message"]
    assert user_ids(alpha) == set(ALPHA.users)
    assert user_ids(bravo) == set(BRAVO.users)


async def test_organizations_lists_only_what_the_token_may_read() -> None:
    async with deployment() as gw:
        alpha = await gw.data(ORGANIZATIONS, TOKEN_A)
        solo = await gw.data(ORGANIZATIONS, TOKEN_SOLO)
    assert alpha["organizations"] == [{"id": ALPHA.id, "name": ALPHA.name}]
    assert solo["organizations"] == [{"id": SOLO.id, "name": SOLO.name}]


async def test_a_key_that_may_not_list_organisations_still_names_them() -> None:
    async with deployment() as gw:
        # The key lacks the organizations.readonly scope organization_list needs: 403 on it.
        gw.faults.burst(10, status=403, route="organization_list")
        listed = await gw.data(ORGANIZATIONS, TOKEN_MSP)
    assert listed["organizations"] == [
        {"id": ALPHA.id, "name": None},
        {"id": BRAVO.id, "name": None},
    ]


@pytest.mark.parametrize(
    ("token", "header", "status", "code"),
    [
        (TOKEN_A, BRAVO.id, 403, "FORBIDDEN"),  # another tenant's organisation
        (TOKEN_A, SOLO.id, 403, "FORBIDDEN"),
        (TOKEN_A, "0" * 24, 403, "FORBIDDEN"),  # no such organisation: the same answer
        (TOKEN_MSP, SOLO.id, 403, "FORBIDDEN"),
        (TOKEN_A, "not-an-org", 400, "BAD_USER_INPUT"),
        (TOKEN_A, "", 400, "BAD_USER_INPUT"),
    ],
)
async def test_an_organisation_the_token_may_not_read_is_refused_before_any_upstream_call(
    token: str, header: str, status: int, code: str
) -> None:
    async with deployment() as gw:
        before = gw.log.total
        response = await gw.post(USERS, token, header)
        export = await gw.http.get(
            "/export/access.csv",
            headers={"authorization": f"Bearer {token}", "x-jcgraph-org": header},
        )
        assert gw.log.total == before
    assert (response.status_code, error_code(response)) == (status, code)
    assert "data" not in response.json() or response.json()["data"] is None
    assert (export.status_code, error_code(export)) == (status, code)


async def test_an_unknown_token_is_unauthenticated_whatever_org_it_names() -> None:
    async with deployment() as gw:
        response = await gw.post(USERS, "token-nobody-0123456789", ALPHA.id)
        anonymous = await gw.post(USERS, None, ALPHA.id)
        assert gw.log.total == 0
    assert (response.status_code, error_code(response)) == (401, "UNAUTHENTICATED")
    assert (anonymous.status_code, error_code(anonymous)) == (401, "UNAUTHENTICATED")


async def test_the_response_cache_never_replays_one_organisations_answer_to_another() -> None:
    async with deployment() as gw:
        first = [await gw.data(USERS, token) for token in (TOKEN_A, TOKEN_B, TOKEN_A, TOKEN_B)]
        # The same document, bound by the header instead of the token.
        again = await gw.data(USERS, TOKEN_MSP, BRAVO.id)
        listed_a = await gw.data(ORGANIZATIONS, TOKEN_A)
        listed_msp = await gw.data(ORGANIZATIONS, TOKEN_MSP, ALPHA.id)
    assert [user_ids(d) == set(ALPHA.users) for d in first] == [True, False, True, False]
    assert user_ids(first[1]) == user_ids(first[3]) == user_ids(again) == set(BRAVO.users)
    assert len(listed_a["organizations"]) == 1
    assert len(listed_msp["organizations"]) == 2


async def test_each_organisation_has_its_own_cache_and_metrics() -> None:
    async with deployment() as gw:
        cold = gw.log.total
        await gw.data(USERS, TOKEN_A)
        alpha_calls = gw.log.total - cold
        before = gw.log.total
        await gw.data(USERS, TOKEN_B)
        bravo_calls = gw.log.total - before
        before = gw.log.total
        await gw.data(USERS, TOKEN_MSP, ALPHA.id)  # warm for ALPHA whoever asks
        warm = gw.log.total - before
        metrics = (await gw.http.get("/metrics")).text
    assert alpha_calls == bravo_calls > 0
    assert warm == 0
    for org in (ALPHA, BRAVO):
        assert (
            f'jcgraph_upstream_requests_total{{endpoint="GET /api/systemusers",org="{org.id}",'
            'status="200"}' in metrics
        )
        assert f'jcgraph_upstream_circuit_state{{org="{org.id}"}} 0.0' in metrics
    assert SOLO.id not in metrics  # never read: never opened


async def test_the_export_reads_the_bound_organisation() -> None:
    async with deployment() as gw:
        alpha = await gw.http.get(
            "/export/access.jsonl", headers={"authorization": f"Bearer {TOKEN_A}"}
        )
        unbound = await gw.http.get(
            "/export/access.jsonl", headers={"authorization": f"Bearer {TOKEN_MSP}"}
        )
    rows = [json.loads(line) for line in alpha.text.splitlines()]
    assert rows
    emails = {u["email"] for u in ALPHA.users.values()}
    assert {row["user_email"] for row in rows} <= emails
    assert (unbound.status_code, error_code(unbound)) == (400, "BAD_USER_INPUT")


async def test_readiness_reports_each_tenant() -> None:
    async with deployment() as gw:
        response = await gw.http.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert set(body["tenants"]) == {"msp", "alpha", "bravo", "solo"}
    assert all(v["status"] == "ready" for v in body["tenants"].values())


# Configuration.


def test_tenants_are_read_from_toml_json_or_a_file(tmp_path: Path) -> None:
    toml = f"""
[[tenants]]
name = "acme"
api_key_env = "ACME_KEY"
org_ids = ["{ALPHA.id}"]
tokens = ["{TOKEN_A}"]
base_url = "https://console.eu.jumpcloud.com"
"""
    env = {"ACME_KEY": MSP_KEY}
    inline = read_tenants(toml, env)
    path = tmp_path / "tenants.toml"
    path.write_text(toml)
    from_file = read_tenants(str(path), env)
    as_json = read_tenants(
        json.dumps(
            {
                "tenants": [
                    {
                        "name": "acme",
                        "api_key": MSP_KEY,
                        "org_ids": [ALPHA.id],
                        "tokens": [TOKEN_A],
                        "base_url": "https://console.eu.jumpcloud.com",
                    }
                ]
            }
        )
    )
    assert inline == from_file == as_json
    tenant = inline.tenants[0]
    assert (tenant.name, tenant.api_key, tenant.org_ids) == ("acme", MSP_KEY, (ALPHA.id,))
    assert inline.orgs_of(TOKEN_A) == (ALPHA.id,)
    assert inline.orgs_of("token-nobody-0123456789") == ()
    assert MSP_KEY not in repr(inline)
    assert TOKEN_A not in repr(inline)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"tenants": []}, "non-empty list `tenants`"),
        (
            {"tenants": [{"api_key": MSP_KEY, "org_ids": ["abc"], "tokens": [TOKEN_A]}]},
            "not an organisation id",
        ),
        (
            {"tenants": [{"api_key": MSP_KEY, "org_ids": [ALPHA.id], "tokens": ["short"]}]},
            "at least 16",
        ),
        ({"tenants": [{"org_ids": [ALPHA.id], "tokens": [TOKEN_A]}]}, "exactly one of `api_key`"),
        (
            {"tenants": [{"api_key_env": "MISSING", "org_ids": [ALPHA.id], "tokens": [TOKEN_A]}]},
            "MISSING is not set",
        ),
        (
            {
                "tenants": [
                    {"api_key": MSP_KEY, "org_ids": [ALPHA.id], "tokens": [TOKEN_A], "orgs": 1}
                ]
            },
            "unknown field",
        ),
        (
            {
                "tenants": [
                    {"name": "a", "api_key": MSP_KEY, "org_ids": [ALPHA.id], "tokens": [TOKEN_A]},
                    {"name": "b", "api_key": SOLO_KEY, "org_ids": [ALPHA.id], "tokens": [TOKEN_B]},
                ]
            },
            "listed by tenants 'a' and 'b' with different API keys",
        ),
    ],
)
def test_a_bad_tenants_configuration_says_what_is_wrong_without_quoting_a_key(
    config: dict[str, Any], message: str
) -> None:
    with pytest.raises(TenantsError) as raised:
        read_tenants(json.dumps(config), {})
    assert message in str(raised.value)
    assert MSP_KEY not in str(raised.value)
    assert SOLO_KEY not in str(raised.value)


def test_tenants_replace_the_single_organisation_variables() -> None:
    env = {"JCGRAPH_TENANTS": tenants_config(), "SOLO_KEY": SOLO_KEY}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**env, "JUMPCLOUD_API_KEY": MSP_KEY, "JCGRAPH_AUTH_TOKENS": TOKEN_A})
    assert "JCGRAPH_TENANTS replaces JUMPCLOUD_API_KEY, JCGRAPH_AUTH_TOKENS" in str(raised.value)
    with pytest.raises(SettingsError, match="--demo"):
        Settings.from_env(env, demo=True)
    with pytest.raises(SettingsError, match="not valid TOML"):
        Settings.from_env({"JCGRAPH_TENANTS": "[[tenants]\nname="})
    settings = Settings.from_env(env)
    assert settings.tenants is not None
    assert set(settings.bearer_tokens) == {TOKEN_A, TOKEN_B, TOKEN_MSP, TOKEN_SOLO}


def test_binding_a_request_to_one_organisation() -> None:
    one, two = (ALPHA.id,), (ALPHA.id, BRAVO.id)
    assert bind(one, None).org_id == ALPHA.id
    assert bind(two, None).org_id is None
    assert bind(two, f" {BRAVO.id.upper()} ").org_id == BRAVO.id
    with pytest.raises(Forbidden):
        bind(one, BRAVO.id)
    with pytest.raises(OrgRequired):
        bind(two, "5f")


# A gateway without JCGRAPH_TENANTS keeps its one organisation.


async def test_a_single_organisation_gateway_accepts_only_its_own_org_header() -> None:
    store = Store.single(SOLO, SOLO_KEY)
    transport = httpx.ASGITransport(app=create_simulator_app(store))
    for org_id in (SOLO.id, None):
        settings = Settings(api_key=SOLO_KEY, base_url="http://jumpcloud.test", org_id=org_id)
        app = create_app(settings, transport=transport, clock=FakeClock())
        async with (
            LifespanManager(app) as manager,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app), base_url="http://gateway.test"
            ) as http,
        ):
            listed = (await http.post("/graphql", json={"query": ORGANIZATIONS})).json()
            own = await http.post(
                "/graphql", json={"query": USERS}, headers={"x-jcgraph-org": SOLO.id}
            )
            other = await http.post(
                "/graphql", json={"query": USERS}, headers={"x-jcgraph-org": ALPHA.id}
            )
        assert listed["data"]["organizations"] == [{"id": SOLO.id, "name": SOLO.name}]
        assert (other.status_code, error_code(other)) == (400, "BAD_USER_INPUT")
        if org_id is not None:
            assert user_ids(own.json()["data"]) == set(SOLO.users)
        else:  # no JUMPCLOUD_ORG_ID: nothing to check the header against
            assert (own.status_code, error_code(own)) == (400, "BAD_USER_INPUT")


async def test_startup_checks_probe_every_tenant_organisation() -> None:
    from gateway import doctor
    from gateway.doctor_findings import Level, blocking

    store = Store.multi([ALPHA, BRAVO], MSP_KEY)
    transport = httpx.ASGITransport(app=create_simulator_app(store))
    unknown = "f" * 24
    config = {
        "tenants": [
            {
                "name": "msp",
                "api_key": MSP_KEY,
                "org_ids": [ALPHA.id, unknown],
                "tokens": [TOKEN_MSP],
            }
        ]
    }
    settings = Settings.from_env(
        {"JCGRAPH_TENANTS": json.dumps(config), "JUMPCLOUD_BASE_URL": "http://jumpcloud.test"}
    )
    findings = await doctor.diagnose(settings, transport=transport)
    refused = blocking(findings)
    assert [(f.check, f.message.split(":")[0]) for f in refused] == [
        ("organization", f"tenant msp, organisation {unknown}")
    ]
    assert any(
        f.check == "organization" and f.message.startswith(f"tenant msp, organisation {ALPHA.id}")
        for f in findings
        if f.level is Level.OK
    )
    assert all(MSP_KEY not in f.message + f.fix for f in findings)
