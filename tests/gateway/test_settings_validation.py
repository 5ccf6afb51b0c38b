"""Every setting is validated at start-up with a message naming the variable; start-up checks
refuse a configuration JumpCloud rejects and only warn when it cannot be reached."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway.cli import is_loopback, startup_checks
from gateway.settings import Settings, SettingsError
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.generate import generate_org
from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Store
from tests.harness import API_KEY, gateway

REPO = Path(__file__).resolve().parents[2]
BASE = {"JUMPCLOUD_API_KEY": API_KEY}


def problems(**variables: str) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**BASE, **variables})
    return refused.value.problems


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("JUMPCLOUD_BASE_URL", "notaurl", "must be an http:// or https:// URL"),
        ("JUMPCLOUD_BASE_URL", "ftp://console.jumpcloud.com", "must be an http:// or https://"),
        ("JUMPCLOUD_BASE_URL", "https://host:port", "is not a valid URL"),
        ("JUMPCLOUD_ORG_ID", "acme", "24 hexadecimal characters"),
        ("JCGRAPH_MAX_PAGE_SIZE", "nan", "must be a finite number"),
        ("JCGRAPH_MAX_PAGE_SIZE", "2.5", "must be a whole number"),
        ("JCGRAPH_MAX_COST", "inf", "must be a finite number"),
        ("JCGRAPH_UPSTREAM_TIMEOUT", "-inf", "must be a finite number"),
        ("JCGRAPH_CACHE_TTL", "soon", "must be a finite number"),
        ("JCGRAPH_AUTH_TOKENS", ",", "holds no token"),
        ("JCGRAPH_AUTH_TOKENS", " , ,", "holds no token"),
        ("JCGRAPH_AUTH_TOKENS", "a,,b", "holds an empty token; remove the stray comma"),
        ("JCGRAPH_CACHE_URL", "memcached://x", "must start with memory://"),
        ("JCGRAPH_CACHE_URL", "redis://cache:port/0", "malformed port"),
        ("JCGRAPH_CACHE_URL", "redis://cache:6379/zero", "database must be a number"),
        ("JCGRAPH_GRAPHIQL", "maybe", "must be true or false"),
        ("JCGRAPH_LOG_LEVEL", "loud", "must be DEBUG, INFO"),
        ("JUMPCLOUD_API_KEY", "jca_key\n", "whitespace or control characters"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable: str, value: str, said: str) -> None:
    (problem,) = problems(**{variable: value})
    assert problem.startswith(variable)
    assert said in problem


def test_every_problem_is_listed_not_only_the_first() -> None:
    found = problems(JCGRAPH_MAX_PAGE_SIZE="nan", JCGRAPH_MAX_COST="inf", JCGRAPH_AUTH_TOKENS=",")
    assert [p.split()[0] for p in found] == [
        "JCGRAPH_MAX_PAGE_SIZE",
        "JCGRAPH_MAX_COST",
        "JCGRAPH_AUTH_TOKENS",
    ]


def test_the_api_key_is_never_quoted_in_a_problem() -> None:
    (problem,) = problems(JUMPCLOUD_API_KEY="jca_s3cret with space")
    assert "s3cret" not in problem


def test_good_values_parse() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "JUMPCLOUD_BASE_URL": "https://console.eu.jumpcloud.com/",
            "JUMPCLOUD_ORG_ID": "5c3536e9e0a6840001872782",
            "JCGRAPH_MAX_PAGE_SIZE": "50",
            "JCGRAPH_AUTH_TOKENS": " a, b ",
            "JCGRAPH_CACHE_URL": "redis://:pw@cache:6379/1",
        }
    )
    assert settings.base_url == "https://console.eu.jumpcloud.com"
    assert settings.max_page_size == 50
    assert settings.auth_tokens == ("a", "b")


def test_serve_refuses_a_bad_setting_with_a_message_and_no_traceback() -> None:
    env = {"PATH": "/usr/bin:/bin", "JUMPCLOUD_API_KEY": API_KEY, "JCGRAPH_MAX_COST": "inf"}
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", "1"],
        env={**env, "JUMPCLOUD_BASE_URL": "notaurl"},
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "jcgraph: JUMPCLOUD_BASE_URL must be an http:// or https:// URL" in done.stderr
    assert "jcgraph: JCGRAPH_MAX_COST must be a finite number, got 'inf'" in done.stderr
    assert "Traceback" not in done.stderr


def simulator(faults: Faults | None = None) -> httpx.ASGITransport:
    org = generate_org(OrgSizes(users=3, groups=1, applications=1), seed=5)
    return httpx.ASGITransport(app=create_simulator_app(Store.single(org, API_KEY), faults=faults))


def settings(**overrides: str) -> Settings:
    return Settings.from_env(
        {**BASE, "JUMPCLOUD_BASE_URL": "http://jumpcloud.test", "JCGRAPH_GRAPHIQL": "false"}
        | overrides
    )


def test_start_up_checks_pass_quietly_on_a_correct_setup(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.startup"):
        assert startup_checks(settings(), "127.0.0.1", simulator()) is True
    assert [r for r in caplog.records if r.name == "gateway.startup"] == []


def test_start_up_refuses_a_rejected_key(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.startup"):
        started = startup_checks(
            settings(JUMPCLOUD_API_KEY="jca_wrong_1"), "127.0.0.1", simulator()
        )
    assert started is False
    text = caplog.text
    assert "JumpCloud rejected JUMPCLOUD_API_KEY" in text
    assert "refusing to start" in text
    assert "jca_wrong_1" not in text


def test_start_up_refuses_a_base_url_without_jumpcloud_lists(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.startup"):
        started = startup_checks(
            settings(JUMPCLOUD_BASE_URL="http://jumpcloud.test/api"), "127.0.0.1", simulator()
        )
    assert started is False
    assert "JUMPCLOUD_BASE_URL" in caplog.text


def test_start_up_only_warns_when_jumpcloud_does_not_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    faults = Faults()
    faults.burst(10, status=503)
    with caplog.at_level(logging.WARNING, logger="gateway.startup"):
        started = startup_checks(settings(), "127.0.0.1", simulator(faults))
    assert started is True
    (record,) = [r for r in caplog.records if r.name == "gateway.startup"]
    assert record.levelno == logging.WARNING
    assert "did not answer" in record.getMessage()


@pytest.mark.parametrize(
    ("host", "tokens", "warned"),
    [
        ("0.0.0.0", "", True),
        ("10.1.2.3", "", True),
        ("gateway.internal", "", True),
        ("0.0.0.0", "s3cret", False),
        ("127.0.0.1", "", False),
        ("::1", "", False),
        ("localhost", "", False),
    ],
)
def test_a_non_loopback_bind_without_auth_tokens_warns(
    host: str, tokens: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.startup"):
        assert startup_checks(settings(JCGRAPH_AUTH_TOKENS=tokens), host, simulator())
    assert ("without JCGRAPH_AUTH_TOKENS" in caplog.text) is warned
    assert is_loopback(host) is (host in ("127.0.0.1", "::1", "localhost"))


async def test_a_list_answering_404_is_upstream_misconfigured_naming_the_base_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    org = generate_org(OrgSizes(users=3, groups=1, applications=1), seed=5)
    query = "{ users(first: 2) { totalCount } }"
    with caplog.at_level(logging.ERROR, logger="gateway.jumpcloud"):
        async with gateway(org, base_url="http://jumpcloud.test/api") as gw:
            first = (await gw.post(query)).json()
            second = (await gw.post(query)).json()
    for payload in (first, second):
        (error,) = payload["errors"]
        assert error["extensions"]["code"] == "UPSTREAM_MISCONFIGURED"
        assert "JUMPCLOUD_BASE_URL" in error["message"]
        assert "JUMPCLOUD_ORG_ID" in error["message"]
    logged = [
        r for r in caplog.records if r.name == "gateway.jumpcloud" and "404" in r.getMessage()
    ]
    assert len(logged) == 1


async def test_a_missing_object_is_still_not_found() -> None:
    org = generate_org(OrgSizes(users=3, groups=1, applications=1), seed=5)
    query = '{ group(jumpcloudId: "0123456789abcdef01234567") { name } }'
    async with gateway(org) as gw:
        payload = (await gw.post(query)).json()
    assert payload["data"] == {"group": None}
    assert "errors" not in payload or all(
        e["extensions"]["code"] != "UPSTREAM_MISCONFIGURED" for e in payload["errors"]
    )


async def test_a_rejected_key_names_both_the_key_and_the_org_id_variables() -> None:
    org = generate_org(OrgSizes(users=3, groups=1, applications=1), seed=5)
    async with gateway(org, api_key="jca_unknown_22") as gw:
        payload = (await gw.post("{ users(first: 1) { totalCount } }")).json()
    (error,) = payload["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAUTHENTICATED"
    assert "JUMPCLOUD_API_KEY" in error["message"]
    assert "JUMPCLOUD_ORG_ID" in error["message"]
