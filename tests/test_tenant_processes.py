"""Two tenants behind one `jcgraph serve` process, on a simulator process holding two
organisations behind one multi-tenant key: a thousand interleaved requests with each
tenant's token, every answer checked for the other tenant's data, and forbidden
organisation headers refused before any upstream call (counted from the simulator's log)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Org, generate_org
from tests.processes import REPO_ROOT, free_port, healthy, running

API_KEY = "jca_tenants_test_key_7c6b5a4d3e2f"
USERS = 40
REQUESTS = 1000
# `tests.simulator_server --orgs 2 --users 40` serves the orgs of seeds 0 and 1.
ORGS = [generate_org(OrgSizes(users=USERS), seed=seed) for seed in (0, 1)]
TOKENS = ["tenant-zero-token-0123456789", "tenant-one-token-0123456789"]

PAGE = """
query Page { users(first: 50) { totalCount edges { node {
  jumpcloudId email groups(first: 50) { edges { node { jumpcloudId name } } }
} } } }
"""
GROUPS = "query Groups { groups(first: 100) { edges { node { jumpcloudId name } } } }"
APPS = """
query Apps { applications(first: 100) { edges { node {
  jumpcloudId users(first: 100) { edges { node { jumpcloudId email } } }
} } } }
"""
ORGANIZATIONS = "query Orgs { organizations { id name } }"
PROBE = "query Probe($id: ID!) { user(jumpcloudId: $id) { jumpcloudId email } }"
_ID = re.compile(r"\b[0-9a-f]{24}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Deployment:
    simulator: str
    gateway: str

    def upstream_calls(self) -> int:
        return len(httpx.get(f"{self.simulator}/_test/log", timeout=10).json())


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    logs = tmp_path_factory.mktemp("tenants")
    sim_port, port = free_port(), free_port()
    simulator = [
        sys.executable, "-m", "tests.simulator_server", "--port", str(sim_port),
        "--api-key", API_KEY, "--orgs", "2", "--users", str(USERS),
    ]  # fmt: skip
    tenants = {
        "tenants": [
            {"name": f"tenant-{i}", "api_key": API_KEY, "org_ids": [org.id], "tokens": [token]}
            for i, (org, token) in enumerate(zip(ORGS, TOKENS, strict=True))
        ]
    }
    env = {
        "JCGRAPH_TENANTS": json.dumps(tenants),
        "JUMPCLOUD_BASE_URL": f"http://127.0.0.1:{sim_port}",
        "JCGRAPH_GRAPHIQL": "false",
        "JCGRAPH_LOG_LEVEL": "WARNING",
    }
    serve = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    with (
        running(
            "simulator",
            simulator,
            cwd=REPO_ROOT,
            logs=logs,
            ready=lambda log: all(org.id in log.read_text() for org in ORGS),
            timeout=60,
        ),
        running(
            "jcgraph",
            serve,
            cwd=REPO_ROOT,
            logs=logs,
            ready=healthy(f"http://127.0.0.1:{port}/healthz"),
            env=env,
            timeout=60,
        ),
    ):
        yield Deployment(f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}")


def identifiers(org: Org) -> tuple[set[str], set[str]]:
    """Every id and email of `org`: users, groups, applications, systems, servers."""
    ids: set[str] = {org.id}
    for records in (
        org.users,
        org.groups,
        org.applications,
        org.systems,
        org.system_groups,
        org.ldap_servers,
        org.radius_servers,
    ):
        ids |= set(records)
    emails = {str(u["email"]).lower() for u in org.users.values()}
    return ids, emails


def test_forbidden_organisation_headers_are_refused_before_any_upstream_call(
    deployment: Deployment,
) -> None:
    before = deployment.upstream_calls()
    with httpx.Client(base_url=deployment.gateway, timeout=30) as http:
        answers = [
            http.post(
                "/graphql",
                json={"query": PAGE},
                headers={"authorization": f"Bearer {TOKENS[i]}", "x-jcgraph-org": other},
            )
            for i in (0, 1)
            for other in (ORGS[1 - i].id, "0" * 24, "not-an-organisation")
        ]
    assert deployment.upstream_calls() == before
    codes = [(a.status_code, a.json()["errors"][0]["extensions"]["code"]) for a in answers]
    assert codes == [(403, "FORBIDDEN"), (403, "FORBIDDEN"), (400, "BAD_USER_INPUT")] * 2


def test_a_thousand_interleaved_requests_never_return_the_other_tenants_data(
    deployment: Deployment,
) -> None:
    known = [identifiers(org) for org in ORGS]
    for mine, theirs in ((0, 1), (1, 0)):  # the check below can tell them apart
        assert not known[mine][0] & known[theirs][0]
        assert not known[mine][1] & known[theirs][1]
    probes = [sorted(org.users) for org in ORGS]

    def one(i: int, http: httpx.Client) -> tuple[int, int, dict[str, Any], str]:
        tenant = i % 2  # interleaved: every other request is the other tenant's
        step = (i // 2) % 5
        body: dict[str, Any] = {"query": (PAGE, GROUPS, APPS, ORGANIZATIONS, PROBE)[step]}
        if step == 4:  # the other tenant's user, by id: must not be found
            body["variables"] = {"id": probes[1 - tenant][i % USERS]}
        response = http.post(
            "/graphql", json=body, headers={"authorization": f"Bearer {TOKENS[tenant]}"}
        )
        return tenant, step, response.json(), response.text

    def batch(indices: range) -> list[tuple[int, int, dict[str, Any], str]]:
        with httpx.Client(base_url=deployment.gateway, timeout=60) as http:
            return [one(i, http) for i in indices]

    workers = 8
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(batch, [range(w, REQUESTS, workers) for w in range(workers)])
        results = [r for part in parts for r in part]
    assert len(results) == REQUESTS
    for tenant, step, payload, text in results:
        org, (their_ids, their_emails) = ORGS[tenant], known[1 - tenant]
        assert not set(_ID.findall(text)) & their_ids, (tenant, step)
        assert not {e.lower() for e in _EMAIL.findall(text)} & their_emails, (tenant, step)
        assert "errors" not in payload, payload
        if step == 4:  # another organisation's id is no user here
            assert payload["data"] == {"user": None}
            continue
        data = payload["data"]
        if step == 0:
            assert data["users"]["totalCount"] == USERS
            assert {e["node"]["jumpcloudId"] for e in data["users"]["edges"]} == set(org.users)
        elif step == 1:
            assert {e["node"]["jumpcloudId"] for e in data["groups"]["edges"]} == set(org.groups)
        elif step == 2:
            got = {e["node"]["jumpcloudId"] for e in data["applications"]["edges"]}
            assert got == set(org.applications)
        else:
            assert data["organizations"] == [{"id": org.id, "name": org.name}]
