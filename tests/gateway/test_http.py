"""The HTTP surface: GraphiQL from local assets, health, readiness, metrics, the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.graphiql import ASSETS, DEFAULT_ROOT, assets_present
from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import gateway

ORG = generate_org(OrgSizes(users=10, groups=3, applications=2), seed=1)


async def test_graphiql_page_loads_nothing_from_outside() -> None:
    async with gateway(ORG) as gw:
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert not re.findall(r"""(?:src|href)=["']https?://""", page.text)


@pytest.mark.node
async def test_graphiql_assets_are_served_by_the_gateway() -> None:
    assert assets_present(), "run `npm ci --prefix gateway/static` (the README's test command does)"
    async with gateway(ORG) as gw:
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
        for name in ASSETS:
            asset = await gw.http.get(f"/graphiql/{name}")
            assert asset.status_code == 200, name
            assert asset.content == (DEFAULT_ROOT / ASSETS[name]).read_bytes()
            assert f"/graphiql/{name}" in page.text
        missing = await gw.http.get("/graphiql/../../pyproject.toml")
    assert missing.status_code == 404


async def test_without_assets_the_page_says_how_to_install_them(tmp_path: Path) -> None:
    async with gateway(ORG, graphiql_assets=str(tmp_path)) as gw:
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
    assert "npm ci --prefix gateway/static" in page.text


async def test_health_readiness_and_metrics() -> None:
    async with gateway(ORG) as gw:
        assert (await gw.http.get("/healthz")).json() == {"status": "ok"}
        assert (await gw.http.get("/readyz")).json()["status"] == "ready"
        await gw.query("{ groups { totalCount } }")
        await gw.post("{ users(first: 1000) { totalCount } }")
        metrics = (await gw.http.get("/metrics")).text
    assert (
        'jcgraph_upstream_requests_total{endpoint="GET /api/v2/usergroups",org="default",'
        'status="200"} 1.0' in metrics
    )
    assert 'jcgraph_graphql_errors_total{code="BAD_USER_INPUT"} 1.0' in metrics
    assert "jcgraph_graphql_request_seconds_count 2.0" in metrics


def test_serve_without_a_key_exits_non_zero_and_says_what_to_set() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "JUMPCLOUD_API_KEY" in result.stderr
    assert "--demo" in result.stderr
