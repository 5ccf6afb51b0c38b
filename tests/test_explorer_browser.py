"""End to end: `jcgraph serve --demo` on a socket, the access-graph explorer in Chromium,
its drawn graph compared with tests/oracle.py's answers from the demo org."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from gateway.explorer import ASSETS, DOCUMENTS, explorer_html
from gateway.simulator.store import Org, demo_org
from tests import oracle
from tests.browser import browse
from tests.processes import REPO_ROOT, demo_server

OPERATIONS = REPO_ROOT / "schema" / "operations"
ORG = demo_org()

Node = tuple[str, str]
"""(JumpCloud id, type)"""
Edge = tuple[str, str, str, str | None, str | None]
"""(source id, target id, relation, kind, sudo as JSON)"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`jcgraph serve --demo` from this checkout: its base URL and its log."""
    logs = tmp_path_factory.mktemp("serve")
    with demo_server(logs) as base:
        yield base, logs / "jcgraph.log"


def _sudo(sudo: oracle.Sudo) -> str | None:
    if sudo is None:
        return None
    return json.dumps({"enabled": sudo[0], "withoutPassword": sudo[1]}, sort_keys=True)


def user_neighbourhood(org: Org, user_id: str) -> tuple[set[Node], set[Edge]]:
    """The user, its groups and its effective targets; member and access edges."""
    nodes = {(user_id, "user")}
    edges: set[Edge] = set()
    for group in oracle.groups_of(org, user_id):
        nodes.add((group, "group"))
        edges.add((user_id, group, "member", None, None))
    for (target_type, target), (routes, sudo) in oracle.reach(org, user_id).items():
        nodes.add((target, target_type))
        edges.add((user_id, target, "access", oracle.route_kind(set(routes)), _sudo(sudo)))
    return nodes, edges


def application_neighbourhood(org: Org, app_id: str) -> tuple[set[Node], set[Edge]]:
    """The application, the groups bound to it and the users who reach it."""
    nodes = {(app_id, "application")}
    edges: set[Edge] = set()
    for group in {
        i for s, i, tt, t in org.bindings if (s, tt, t) == ("user_group", "application", app_id)
    }:
        nodes.add((group, "group"))
        edges.add((group, app_id, "bound", None, None))
    for user_id in org.users:
        vias = oracle.effective(org, user_id, "application").get(app_id)
        if vias:
            nodes.add((user_id, "user"))
            edges.add((user_id, app_id, "access", oracle.kind(vias), None))
    return nodes, edges


def drawn(dom: str) -> dict[str, Any]:
    """The graph the page drew, from its hidden <pre id="graph-state">."""
    found = re.search(r'<pre id="graph-state">(.*?)</pre>', dom, re.S)
    assert found, dom[:3000]
    assert found.group(1), dom[:3000]
    state: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return state


def as_sets(state: dict[str, Any]) -> tuple[set[Node], set[Edge]]:
    nodes = {(n["id"], n["type"]) for n in state["nodes"]}
    edges = {
        (
            e["source"],
            e["target"],
            e["relation"],
            e["kind"],
            None if e["sudo"] is None else json.dumps(e["sudo"], sort_keys=True),
        )
        for e in state["edges"]
    }
    assert len(nodes) == len(state["nodes"])
    assert len(edges) == len(state["edges"])
    return nodes, edges


def _user() -> tuple[str, str]:
    """A user whose drawing has sudo and more than one kind of access edge (the most targets
    among those), and an application it reaches that at most 100 users reach (one page of
    Application.users)."""

    def users_of(app_id: str) -> int:
        return sum(1 for u in ORG.users if app_id in oracle.effective(ORG, u, "application"))

    for user_id in sorted(ORG.users, key=lambda u: (-len(oracle.reach(ORG, u)), u)):
        reach = oracle.reach(ORG, user_id)
        kinds = {oracle.route_kind(set(routes)) for routes, _ in reach.values()}
        apps = sorted(t for k, t in reach if k == "application" and users_of(t) <= 100)
        if apps and len(kinds) > 1 and any(sudo for _, sudo in reach.values()):
            return user_id, apps[0]
    raise AssertionError("no suitable demo user")


def test_the_pages_documents_are_the_operation_files() -> None:
    for name, document in DOCUMENTS.items():
        assert document == (OPERATIONS / f"{name}.graphql").read_text(), name
    assert {p.stem for p in OPERATIONS.glob("Explore*.graphql")} == set(DOCUMENTS)


def test_without_cytoscape_the_page_says_what_is_missing(tmp_path: Path) -> None:
    page = explorer_html(tmp_path)
    assert "not installed" in page
    assert "<code>cytoscape/dist/cytoscape.min.js</code>" in page
    assert "npm ci --prefix gateway/static" in page


def test_the_explorer_draws_a_users_access_offline(demo: tuple[str, Path], tmp_path: Path) -> None:
    base, log = demo
    user_id, _ = _user()
    email = ORG.users[user_id]["email"]
    screenshot = tmp_path / "explorer.png"
    url = f"{base}/explore?{urlencode({'email': email})}"
    browse(url, f"--screenshot={screenshot}")
    state = drawn(browse(url, "--dump-dom"))

    want_nodes, want_edges = user_neighbourhood(ORG, user_id)
    assert as_sets(state) == (want_nodes, want_edges)
    # Several kinds of access edge, and sudo, were drawn (not just asserted absent).
    assert len({e[3] for e in want_edges if e[2] == "access"}) > 1
    assert any(e[4] for e in want_edges)
    assert state["expanded"] == [f"user:{user_id}"]
    # Cytoscape came from the gateway itself.
    for name in ASSETS:
        assert f'GET /explore/{name} HTTP/1.1" 200' in log.read_text()
    assert screenshot.read_bytes().startswith(b"\x89PNG"), screenshot
    print(f"The explorer: {screenshot}")


def test_expanding_an_application_adds_its_groups_and_users(demo: tuple[str, Path]) -> None:
    base, _ = demo
    user_id, app_id = _user()
    email = ORG.users[user_id]["email"]
    state = drawn(
        browse(f"{base}/explore?{urlencode({'email': email, 'expand': app_id})}", "--dump-dom")
    )

    user_nodes, user_edges = user_neighbourhood(ORG, user_id)
    app_nodes, app_edges = application_neighbourhood(ORG, app_id)
    assert len(app_nodes - user_nodes) > 0
    assert as_sets(state) == (user_nodes | app_nodes, user_edges | app_edges)
    assert state["expanded"] == [f"user:{user_id}", f"application:{app_id}"]
