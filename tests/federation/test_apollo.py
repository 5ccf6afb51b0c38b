"""The Apollo proof: jcgraph and an HR subgraph behind @apollo/gateway, queried both ways.

Real processes on free ports: `jcgraph serve --demo` (uvicorn), the HR subgraph and the
Apollo gateway (Node). HR's data is derived from the demo org, so every answer can be checked
against `demo_org()`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.simulator.store import Org, demo_org
from tests.federation.apollo import HERE, REPO_ROOT, compose, printed_ready, require_node
from tests.processes import free_port, healthy, running

pytestmark = pytest.mark.node

HR_DEPARTMENTS = ["People Operations", "Finance", "Platform", "Field Sales", "Research"]


@dataclass(frozen=True)
class Supergraph:
    url: str
    org: Org
    employees: list[dict[str, Any]]

    def query(self, query: str) -> dict[str, Any]:
        response = httpx.post(self.url, json={"query": query}, timeout=15)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        data: dict[str, Any] = payload["data"]
        return data


def hr_employees(org: Org) -> list[dict[str, Any]]:
    """HR's records for the first five demo users (in id order, as `users` lists them): their
    department, the previous one as manager, an application as favourite (the last has none)."""
    users = list(org.users.values())[:5]
    apps = list(org.applications)
    return [
        {
            "email": user["email"],
            "department": HR_DEPARTMENTS[i],
            "manager": users[i - 1]["email"] if i else None,
            "favouriteAppId": apps[i] if i < 4 else None,
        }
        for i, user in enumerate(users)
    ]


@pytest.fixture(scope="module")
def supergraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supergraph]:
    node = require_node()
    work = tmp_path_factory.mktemp("federation")
    org = demo_org()
    employees = hr_employees(org)
    data = work / "hr.json"
    data.write_text(json.dumps({"employees": employees}))
    jc_port, hr_port, gw_port = free_port(), free_port(), free_port()
    jc_url = f"http://127.0.0.1:{jc_port}/graphql"
    hr_url = f"http://127.0.0.1:{hr_port}/graphql"
    jcgraph = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--port", str(jc_port)]
    hr = [node, "hr-subgraph.mjs", "--data", str(data), "--port", str(hr_port)]
    with (
        running(
            "jcgraph",
            jcgraph,
            cwd=REPO_ROOT,
            logs=work,
            ready=healthy(f"http://127.0.0.1:{jc_port}/healthz"),
        ),
        running("hr", hr, cwd=HERE, logs=work, ready=printed_ready),
    ):
        # The live `_service` SDL, not the committed file: what Apollo would introspect.
        sdl = compose(jc_url, work / "supergraph.graphql", jcgraph_url=jc_url, hr_url=hr_url)
        sdl.check()
        apollo = [node, "supergraph.mjs", "--supergraph", str(work / "supergraph.graphql")]
        with running(
            "apollo-gateway",
            [*apollo, "--port", str(gw_port)],
            cwd=HERE,
            logs=work,
            ready=printed_ready,
        ):
            yield Supergraph(f"http://127.0.0.1:{gw_port}/", org, employees)


def test_jcgraph_users_get_their_department_from_hr(supergraph: Supergraph) -> None:
    data = supergraph.query("{ users(first: 5) { edges { node { email department } } } }")
    assert [edge["node"] for edge in data["users"]["edges"]] == [
        {"email": e["email"], "department": e["department"]} for e in supergraph.employees
    ]
    # HR's answer replaced JumpCloud's, which differs for every one of them.
    jumpcloud = {u["email"]: u.get("department") for u in supergraph.org.users.values()}
    assert all(jumpcloud[e["email"]] != e["department"] for e in supergraph.employees)


def test_hr_employees_resolve_users_and_applications_in_jcgraph(
    supergraph: Supergraph,
) -> None:
    data = supergraph.query(
        "{ employees { email user { jumpcloudId groups { totalCount } } favouriteApp { name } } }"
    )
    org = supergraph.org
    id_of = {u["email"]: user_id for user_id, u in org.users.items()}
    expected = []
    for e in supergraph.employees:
        user_id = id_of[e["email"]]
        app = e["favouriteAppId"]
        expected.append(
            {
                "email": e["email"],
                "user": {
                    "jumpcloudId": user_id,
                    "groups": {"totalCount": sum(1 for u, _ in org.memberships if u == user_id)},
                },
                "favouriteApp": None if app is None else {"name": org.applications[app]["name"]},
            }
        )
    assert data["employees"] == expected


def test_hr_fields_of_a_user_reached_from_hr(supergraph: Supergraph) -> None:
    # Planned within HR's own fetch (no `_entities` round trip): HR's User field resolvers
    # must work from the bare reference `Employee.user` returns.
    data = supergraph.query("{ employees { user { email department manager admin { email } } } }")
    admins = {a["email"] for a in supergraph.org.admins.values()}
    assert [e["user"] for e in data["employees"]] == [
        {
            "email": e["email"],
            "department": e["department"],
            "manager": e["manager"],
            "admin": {"email": e["email"]} if e["email"] in admins else None,
        }
        for e in supergraph.employees
    ]
