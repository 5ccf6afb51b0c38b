"""End to end: `jcgraph serve --demo` on a socket, the access-graph explorer in headless
Chromium (driven by real key and mouse events, or loaded from a deep link), its drawn graph
compared with tests/oracle.py's answers from the demo org."""

from __future__ import annotations

import html
import json
import math
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from graphql import get_operation_ast, parse

from gateway.explorer import ASSETS, documents, explorer_html
from gateway.simulator.store import Org, demo_org
from tests import oracle
from tests.browser import browse
from tests.cdp import Page, open_page
from tests.processes import REPO_ROOT, demo_server

SCREENSHOT = REPO_ROOT / "docs" / "explorer.png"
"""The README's picture of the explorer, rewritten by every run of the click-through test."""
# Any host but loopback resolves to nothing, so a stray CDN reference fails instead of leaking.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
# Cytoscape's cose layout draws on Math.random: seeded (mulberry32), the drawing is the same on
# every run, and so are the spots the test clicks and the README's screenshot.
SEEDED_RANDOM = """(() => {
  let seed = 1;
  Math.random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();"""
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


def system_neighbourhood(org: Org, system_id: str) -> tuple[set[Node], set[Edge]]:
    """The system, the user groups bound to it, the system groups it is in, and the users who
    can log into it (with sudo)."""
    nodes = {(system_id, "system")}
    edges: set[Edge] = set()
    for group in {
        i for s, i, tt, t in org.bindings if (s, tt, t) == ("user_group", "system", system_id)
    }:
        nodes.add((group, "group"))
        edges.add((group, system_id, "bound", None, None))
    for group in oracle.system_groups_of(org, system_id):
        nodes.add((group, "system_group"))
        edges.add((system_id, group, "member", None, None))
    for user_id in org.users:
        found = oracle.effective_systems(org, user_id).get(system_id)
        if found:
            routes, sudo = found
            nodes.add((user_id, "user"))
            edges.add((user_id, system_id, "access", oracle.route_kind(routes), _sudo(sudo)))
    return nodes, edges


def server_neighbourhood(org: Org, server_type: str, server_id: str) -> tuple[set[Node], set[Edge]]:
    """An LDAP or RADIUS server, the groups bound to it and the users who reach it."""
    nodes = {(server_id, server_type)}
    edges: set[Edge] = set()
    for group in org.groups:
        if server_id in oracle.bound(org, "user_group", group, server_type):
            nodes.add((group, "group"))
            edges.add((group, server_id, "bound", None, None))
    for user_id in org.users:
        vias = oracle.effective(org, user_id, server_type).get(server_id)
        if vias:
            nodes.add((user_id, "user"))
            edges.add((user_id, server_id, "access", oracle.kind(vias), None))
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


def _system() -> str:
    """A system that at most 100 users reach (one page of System.users), with sudo, bound
    groups and system groups, and the most kinds of access edge among those."""

    def score(system_id: str) -> tuple[int, int, int, str] | None:
        grants = [g for u in ORG.users if (g := oracle.effective_systems(ORG, u).get(system_id))]
        groups = {
            i for s, i, tt, t in ORG.bindings if (s, tt, t) == ("user_group", "system", system_id)
        }
        if len(grants) > 100 or not any(sudo for _, sudo in grants) or not groups:
            return None
        kinds = {oracle.route_kind(routes) for routes, _ in grants}
        system_groups = oracle.system_groups_of(ORG, system_id)
        return -len(kinds), -len(system_groups), -len(grants), system_id

    scored = sorted(s for system_id in ORG.systems if (s := score(system_id)))
    assert scored, "no suitable demo system"
    return scored[0][3]


def _server(server_type: str) -> str:
    """The server of `server_type` that the most users reach (at most 100: one page of its
    users), with a group bound to it and more than one kind of access edge."""
    servers = ORG.ldap_servers if server_type == "ldap_server" else ORG.radius_servers
    fit = []
    for server_id in servers:
        _, edges = server_neighbourhood(ORG, server_type, server_id)
        users = [e for e in edges if e[2] == "access"]
        if (
            len(users) <= 100
            and any(e[2] == "bound" for e in edges)
            and len({e[3] for e in users}) > 1
        ):
            fit.append((-len(users), server_id))
    assert fit, f"no suitable demo {server_type}"
    return min(fit)[1]


def test_the_page_carries_each_explorer_document_named_as_its_operation() -> None:
    sent = documents()
    assert set(sent) == {
        "ExploreUser",
        "ExploreApplication",
        "ExploreGroup",
        "ExploreSystem",
        "ExploreLdapServer",
        "ExploreRadiusServer",
        "ExploreServerNames",
    }
    for name, document in sent.items():
        operation = get_operation_ast(parse(document))
        assert operation is not None
        assert operation.name is not None
        assert operation.name.value == name
    # The page (its assets installed, as the browser tests need) hands them to its script.
    assert json.dumps(sent).replace("</", "<\\/") in explorer_html()


def test_without_cytoscape_the_page_says_what_is_missing(tmp_path: Path) -> None:
    page = explorer_html(tmp_path)
    assert "not installed" in page
    assert "<code>cytoscape/dist/cytoscape.min.js</code>" in page
    assert "npm ci --prefix gateway/static" in page


@pytest.mark.browser
@pytest.mark.node
def test_a_deep_link_draws_a_users_access(demo: tuple[str, Path]) -> None:
    base, log = demo
    user_id, _ = _user()
    email = ORG.users[user_id]["email"]
    state = drawn(browse(f"{base}/explore?{urlencode({'email': email})}", "--dump-dom"))

    want_nodes, want_edges = user_neighbourhood(ORG, user_id)
    assert as_sets(state) == (want_nodes, want_edges)
    # Several kinds of access edge, and sudo, were drawn (not just asserted absent).
    assert len({e[3] for e in want_edges if e[2] == "access"}) > 1
    assert any(e[4] for e in want_edges)
    assert state["expanded"] == [f"user:{user_id}"]
    # Cytoscape came from the gateway itself.
    for name in ASSETS:
        assert f'GET /explore/{name} HTTP/1.1" 200' in log.read_text()


@pytest.mark.browser
@pytest.mark.node
def test_a_deep_link_expands_an_application_with_its_groups_and_users(
    demo: tuple[str, Path],
) -> None:
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


@pytest.mark.browser
@pytest.mark.node
@pytest.mark.parametrize("server_type", ["ldap_server", "radius_server"])
def test_a_deep_link_draws_a_server_found_by_name_with_its_groups_and_users(
    demo: tuple[str, Path], server_type: str
) -> None:
    base, _ = demo
    server_id = _server(server_type)
    records = ORG.ldap_servers if server_type == "ldap_server" else ORG.radius_servers
    parameter = "ldapServer" if server_type == "ldap_server" else "radiusServer"
    query = urlencode({parameter: records[server_id]["name"]})
    state = drawn(browse(f"{base}/explore?{query}", "--dump-dom"))

    assert as_sets(state) == server_neighbourhood(ORG, server_type, server_id)
    assert state["expanded"] == [f"{server_type}:{server_id}"]


@pytest.mark.browser
@pytest.mark.node
def test_a_deep_link_draws_a_system_found_by_hostname(demo: tuple[str, Path]) -> None:
    base, _ = demo
    system_id = _system()
    query = urlencode({"system": ORG.systems[system_id]["hostname"]})
    state = drawn(browse(f"{base}/explore?{query}", "--dump-dom"))

    want_nodes, want_edges = system_neighbourhood(ORG, system_id)
    assert as_sets(state) == (want_nodes, want_edges)
    assert any(e[4] for e in want_edges)
    assert state["expanded"] == [f"system:{system_id}"]


# ---- driven by hand: key presses and clicks over the DevTools protocol -------------------

Point = tuple[float, float]


def search(page: Page, text: str, kind: str = "user") -> None:
    """Pick `kind` in the kind select (by typing its label's first letter into it, as a
    keyboard user would), click the search field, type `text` over what it held, click Draw."""
    if kind != "user":
        first = page.evaluate(
            f"document.querySelector('#kind option[value={json.dumps(kind)}]').textContent[0]"
        )
        page.evaluate("document.getElementById('kind').focus()")
        page.type(first)
        assert page.evaluate("document.getElementById('kind').value") == kind
    page.click_element("#query")
    page.evaluate("document.getElementById('query').select()")  # typing replaces what was there
    page.type(text)
    page.click_element("#search button")


def settled(page: Page, key: str) -> dict[str, Any]:
    """The drawn graph, once the page has laid it out with `key` ("type:id") expanded."""
    state = page.wait_for(
        f"""(() => {{
          const text = document.getElementById("graph-state").textContent;
          return text && JSON.parse(text).expanded.includes({json.dumps(key)})
            && JSON.parse(text);
        }})()"""
    )
    assert isinstance(state, dict), state
    return state


def panel(page: Page) -> dict[str, Any]:
    """The side panel's headings, paragraphs and list items, as text."""
    found: dict[str, Any] = page.evaluate(
        """(() => {
          const all = (selector) => [...document.querySelectorAll("#panel " + selector)]
            .map((e) => e.textContent);
          return { h2: all("h2"), h3: all("h3"), p: all("p"), li: all("li") };
        })()"""
    )
    return found


def geometry(page: Page) -> dict[str, Any]:
    """Every drawn node (centre, radius) and edge (end points) in viewport CSS pixels, and the
    graph's box (left, top, right, bottom), from the page's top-level `cy` (a script's `const`
    is visible to evaluated expressions)."""
    found: dict[str, Any] = page.evaluate(
        """(() => {
          const box = document.getElementById("graph").getBoundingClientRect();
          const at = (p) => [p.x + box.left, p.y + box.top];
          return {
            box: [box.left, box.top, box.right, box.bottom],
            nodes: Object.fromEntries(cy.nodes().map((n) =>
              [n.id(), { at: at(n.renderedPosition()), r: n.renderedOuterWidth() / 2 }])),
            edges: Object.fromEntries(cy.edges().map((e) =>
              [e.id(), [at(e.renderedSourceEndpoint()), at(e.renderedTargetEndpoint())]])),
          };
        })()"""
    )
    return found


def _to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def clear_of_others(shape: dict[str, Any], key: str) -> bool:
    """Whether node `key`'s centre is on screen and under no other node (`node_point`'s test)."""
    x, y = shape["nodes"][key]["at"]
    left, top, right, bottom = shape["box"]
    return (left < x < right and top < y < bottom) and all(
        other == key or math.dist((x, y), n["at"]) > n["r"] + 2
        for other, n in shape["nodes"].items()
    )


def node_point(shape: dict[str, Any], key: str) -> Point:
    """The centre of node `key`, checked to be on screen and under no other node."""
    node = shape["nodes"][key]
    x, y = node["at"]
    left, top, right, bottom = shape["box"]
    assert left < x < right, (key, node, shape["box"])
    assert top < y < bottom, (key, node, shape["box"])
    for other, n in shape["nodes"].items():
        assert other == key or math.dist((x, y), n["at"]) > n["r"] + 2, (key, "under", other)
    return x, y


def edge_point(shape: dict[str, Any], key: str, clearance: float = 8.0) -> Point | None:
    """A point on edge `key` (a straight segment: no two drawn edges join the same two nodes)
    at least `clearance` px from every node and every other edge, or None."""
    (ax, ay), (bx, by) = shape["edges"][key]
    left, top, right, bottom = shape["box"]
    best: tuple[float, Point] | None = None
    for step in range(15, 86, 5):
        t = step / 100
        p = (ax + t * (bx - ax), ay + t * (by - ay))
        if not (left < p[0] < right and top < p[1] < bottom):
            continue
        room = min(
            [math.dist(p, n["at"]) - n["r"] for n in shape["nodes"].values()]
            + [_to_segment(p, *ends) for other, ends in shape["edges"].items() if other != key]
        )
        if room >= clearance and (best is None or room > best[0]):
            best = (room, p)
    return None if best is None else best[1]


def path_line(route: oracle.Route) -> str:
    """One path as the side panel lists it."""
    names = {
        "user_group": ("via group", ORG.groups),
        "system_group": ("via system group", ORG.system_groups),
    }
    parts = [] if route else ["direct binding"]
    for hop_type, hop_id in route:
        prefix, records = names[hop_type]
        parts.append(f"{prefix} {records[hop_id]['name']}")
    return ", ".join(parts)


def label(target_type: str, target_id: str) -> str:
    """A target's name as the page labels it (a system's hostname)."""
    record = {
        "application": ORG.applications,
        "ldap_server": ORG.ldap_servers,
        "radius_server": ORG.radius_servers,
        "system": ORG.systems,
    }[target_type][target_id]
    return str(record.get("name") or record["hostname"])


def operations_sent(page: Page, base: str) -> list[str]:
    """The GraphQL operations the page posted, in order, once every request it made is known
    to have gone to the gateway on loopback and nowhere else."""
    requests = page.requests()
    assert requests
    assert [r["url"] for r in requests if not r["url"].startswith(f"{base}/")] == []
    return [
        json.loads(r["postData"])["operationName"]
        for r in requests
        if r["url"] == f"{base}/graphql" and r["method"] == "POST"
    ]


@pytest.mark.browser
@pytest.mark.node
def test_searching_a_user_draws_its_groups_and_targets_offline(demo: tuple[str, Path]) -> None:
    base, log = demo
    user_id, _ = _user()
    with open_page(1400, 900, OFFLINE) as page:
        page.navigate(f"{base}/explore")
        assert page.evaluate("document.getElementById('graph-state').textContent") == ""
        search(page, ORG.users[user_id]["email"])
        state = settled(page, f"user:{user_id}")
        status = page.evaluate("document.getElementById('status').textContent")
        sent = operations_sent(page, base)

    want_nodes, want_edges = user_neighbourhood(ORG, user_id)
    assert as_sets(state) == (want_nodes, want_edges)
    assert status == f"{len(want_nodes)} nodes, {len(want_edges)} edges"
    assert state["expanded"] == [f"user:{user_id}"]
    assert sent == ["ExploreUser"]
    for name in ASSETS:
        assert f'GET /explore/{name} HTTP/1.1" 200' in log.read_text()


@pytest.mark.browser
@pytest.mark.node
def test_clicking_an_application_expands_it_and_clicking_an_edge_lists_its_paths(
    demo: tuple[str, Path],
) -> None:
    base, _ = demo
    user_id, app_id = _user()
    email = ORG.users[user_id]["email"]
    user_nodes, user_edges = user_neighbourhood(ORG, user_id)
    app_nodes, app_edges = application_neighbourhood(ORG, app_id)
    assert app_nodes - user_nodes
    reach = oracle.reach(ORG, user_id)
    with open_page(1400, 900, OFFLINE) as page:
        page.before_scripts(SEEDED_RANDOM)
        page.navigate(f"{base}/explore")
        search(page, email)
        settled(page, f"user:{user_id}")

        page.click(*node_point(geometry(page), f"application:{app_id}"))
        state = settled(page, f"application:{app_id}")
        page.wait_for("document.querySelector('#panel h3')")
        app_panel = panel(page)

        # The user's richest grant (most paths, sudo first) that has a clear spot to click.
        shape = geometry(page)
        ranked = sorted(reach.items(), key=lambda kv: (-len(kv[1][0]), kv[1][1] is None, kv[0]))
        clickable = [
            (target, grant, point)
            for target, grant in ranked
            if (point := edge_point(shape, f"access:user:{user_id}->{target[0]}:{target[1]}"))
        ]
        assert clickable, "no access edge of the user is clear of other nodes and edges"
        (target_type, target_id), (routes, sudo), point = clickable[0]
        page.click(*point)
        page.wait_for("document.querySelector('#panel h2').textContent.endsWith(' access')")
        edge_panel = panel(page)
        page.screenshot(SCREENSHOT)
        sent = operations_sent(page, base)

    assert as_sets(state) == (user_nodes | app_nodes, user_edges | app_edges)
    assert state["expanded"] == [f"user:{user_id}", f"application:{app_id}"]
    assert app_panel["h2"] == [f"Application: {ORG.applications[app_id]['name']}"]
    subject = [f for f in oracle.findings(ORG) if f[3] == app_id]
    assert app_panel["h3"] == [f"Findings ({len(subject)})"]

    assert edge_panel["h2"] == [f"{oracle.route_kind(set(routes))} access"]
    assert edge_panel["p"][0] == f"{email} → {label(target_type, target_id)}"
    sudo_line = [] if sudo is None else ["⚠ sudo (no password)" if sudo[1] else "⚠ sudo"]
    assert edge_panel["p"][1:] == sudo_line
    assert edge_panel["h3"] == [f"Paths ({len(routes)})"]
    assert sorted(edge_panel["li"]) == sorted(path_line(r) for r in routes)

    assert sent == ["ExploreUser", "ExploreApplication"]
    png = SCREENSHOT.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (1400, 900)


@pytest.mark.browser
@pytest.mark.node
def test_searching_a_system_by_hostname_draws_who_logs_in_with_sudo_and_its_findings(
    demo: tuple[str, Path],
) -> None:
    base, _ = demo
    system_id = _system()
    hostname = ORG.systems[system_id]["hostname"]
    with open_page(1400, 900, OFFLINE) as page:
        page.navigate(f"{base}/explore")
        search(page, hostname, "system")
        state = settled(page, f"system:{system_id}")
        page.wait_for("document.querySelector('#panel h3')")
        system_panel = panel(page)
        placeholder = page.evaluate("document.getElementById('query').placeholder")
        sent = operations_sent(page, base)

    want_nodes, want_edges = system_neighbourhood(ORG, system_id)
    assert as_sets(state) == (want_nodes, want_edges)
    # Sudo marks were drawn, with and without a password where the oracle says so.
    assert {e[4] for e in want_edges if e[2] == "access"} > {None}
    assert placeholder == "hostname"
    assert system_panel["h2"] == [f"System: {hostname}"]
    about = [f for f in oracle.findings(ORG) if f[2:4] == ("System", system_id)]
    assert system_panel["h3"] == [f"Findings ({len(about)})"]
    assert len(system_panel["li"]) == len(about)
    assert sent == ["ExploreSystem"]


@pytest.mark.browser
@pytest.mark.node
def test_searching_an_ldap_server_by_name_draws_its_groups_and_users(
    demo: tuple[str, Path],
) -> None:
    base, _ = demo
    server_id = _server("ldap_server")
    name = ORG.ldap_servers[server_id]["name"]
    with open_page(1400, 900, OFFLINE) as page:
        page.navigate(f"{base}/explore")
        search(page, name, "ldap_server")
        state = settled(page, f"ldap_server:{server_id}")
        server_panel = panel(page)
        search(page, "No such server", "ldap_server")
        page.wait_for("document.getElementById('status').textContent.startsWith('No ')")
        status = page.evaluate("document.getElementById('status').textContent")
        sent = operations_sent(page, base)

    assert as_sets(state) == server_neighbourhood(ORG, "ldap_server", server_id)
    assert server_panel["h2"] == [f"LDAP server: {name}"]
    assert server_panel["h3"] == []
    assert server_panel["p"][1:] == ["No findings are reported on this kind of object."]
    assert status == 'No LDAP server "No such server"'
    # Found by name among the listed servers, then drawn by id; a name not listed: no drawing.
    assert sent == ["ExploreServerNames", "ExploreLdapServer", "ExploreServerNames"]


@pytest.mark.browser
@pytest.mark.node
def test_clicking_a_server_in_a_users_graph_expands_its_groups_and_users(
    demo: tuple[str, Path],
) -> None:
    base, _ = demo
    user_id, _ = _user()
    user_nodes, user_edges = user_neighbourhood(ORG, user_id)
    servers = sorted((t, i) for i, t in user_nodes if t in ("ldap_server", "radius_server"))
    assert servers, "the demo user reaches no LDAP or RADIUS server"
    with open_page(1400, 900, OFFLINE) as page:
        page.before_scripts(SEEDED_RANDOM)
        page.navigate(f"{base}/explore")
        search(page, ORG.users[user_id]["email"])
        settled(page, f"user:{user_id}")
        shape = geometry(page)
        clear = [(t, i) for t, i in servers if clear_of_others(shape, f"{t}:{i}")]
        assert clear, "every server of the user lies under another node"
        server_type, server_id = clear[0]
        page.click(*node_point(shape, f"{server_type}:{server_id}"))
        state = settled(page, f"{server_type}:{server_id}")
        server_panel = panel(page)
        sent = operations_sent(page, base)

    server_nodes, server_edges = server_neighbourhood(ORG, server_type, server_id)
    assert server_nodes - user_nodes
    assert as_sets(state) == (user_nodes | server_nodes, user_edges | server_edges)
    assert state["expanded"] == [f"user:{user_id}", f"{server_type}:{server_id}"]
    assert server_panel["h2"][0].endswith(" server: " + label(server_type, server_id))
    assert server_panel["p"][1:] == ["No findings are reported on this kind of object."]
    operation = "ExploreLdapServer" if server_type == "ldap_server" else "ExploreRadiusServer"
    assert sent == ["ExploreUser", operation]
