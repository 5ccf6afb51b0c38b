"""The access-graph explorer at GET /explore: a static page drawing who reaches what, with
Cytoscape.js served by the gateway itself (no CDN), over the public GraphQL API only."""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from gateway.graphiql import DEFAULT_ROOT, asset_routes, missing_assets, remedy

# Served name (under /explore/) -> file inside `node_modules`, pinned in
# gateway/static/package.json; setup.py's build step copies these into gateway/static/dist
# along with gateway/graphiql.py's ASSETS.
ASSETS = {
    "cytoscape.js": "cytoscape/dist/cytoscape.min.js",
}

# The page's GraphQL documents, as in schema/operations/ (tests/test_explorer_browser.py holds
# them equal): the wheel carries the gateway package only, not schema/.
EXPLORE_USER = """\
# The access-graph explorer (/explore): one user's groups and effective targets, with paths.
query ExploreUser($email: String!) {
  user(email: $email) {
    id
    jumpcloudId
    email
    displayName
    state
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    applications(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    ldapServers(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    radiusServers(first: 100) {
      edges { kind node { id jumpcloudId name } paths { direct via { id jumpcloudId name } } }
    }
    systems(first: 100) {
      edges {
        kind
        sudo { enabled withoutPassword }
        node { id jumpcloudId hostname }
        paths { direct via { id jumpcloudId name } viaSystemGroup { id jumpcloudId name } }
      }
    }
  }
}
"""

EXPLORE_APPLICATION = """\
# The access-graph explorer (/explore): an application (by name), its groups and its users.
query ExploreApplication($name: String!) {
  applications(first: 1, filter: {name: $name}) {
    edges {
      node {
        id
        jumpcloudId
        name
        findings(first: 50) { totalCount edges { node { kind severity summary } } }
        groups(first: 100) { edges { node { id jumpcloudId name } } }
        users(first: 100) {
          totalCount
          edges { kind node { id jumpcloudId email } paths { direct via { id jumpcloudId name } } }
        }
      }
    }
  }
}
"""

EXPLORE_GROUP = """\
# The access-graph explorer (/explore): a group (by id or name), its members and what it is
# bound to.
query ExploreGroup($jumpcloudId: ID, $name: String) {
  group(jumpcloudId: $jumpcloudId, name: $name) {
    id
    jumpcloudId
    name
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    members(first: 100) { totalCount edges { node { id jumpcloudId email } } }
    applications(first: 100) { edges { node { id jumpcloudId name } } }
    ldapServers(first: 100) { edges { node { id jumpcloudId name } } }
    radiusServers(first: 100) { edges { node { id jumpcloudId name } } }
    systems(first: 100) { edges { node { id jumpcloudId hostname } } }
    systemGroups(first: 100) { edges { node { id jumpcloudId name } } }
  }
}
"""

EXPLORE_SYSTEM = """\
# The access-graph explorer (/explore): a system (by id or hostname), who can log into it with
# sudo, the user groups bound to it, the system groups it is in, and its findings.
query ExploreSystem($jumpcloudId: ID, $hostname: String) {
  system(jumpcloudId: $jumpcloudId, hostname: $hostname) {
    id
    jumpcloudId
    hostname
    findings(first: 50) { totalCount edges { node { kind severity summary } } }
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    systemGroups(first: 100) { edges { node { id jumpcloudId name } } }
    users(first: 100) {
      totalCount
      edges {
        kind
        sudo { enabled withoutPassword }
        node { id jumpcloudId email }
        paths { direct via { id jumpcloudId name } viaSystemGroup { id jumpcloudId name } }
      }
    }
  }
}
"""

EXPLORE_LDAP_SERVER = """\
# The access-graph explorer (/explore): an LDAP server (by id), the groups bound to it and the
# users who can bind. LdapServer has no findings field.
query ExploreLdapServer($jumpcloudId: ID!) {
  ldapServer(jumpcloudId: $jumpcloudId) {
    id
    jumpcloudId
    name
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    users(first: 100) {
      totalCount
      edges { kind node { id jumpcloudId email } paths { direct via { id jumpcloudId name } } }
    }
  }
}
"""

EXPLORE_RADIUS_SERVER = """\
# The access-graph explorer (/explore): a RADIUS server (by id), the groups bound to it and the
# users who can authenticate. RadiusServer has no findings field.
query ExploreRadiusServer($jumpcloudId: ID!) {
  radiusServer(jumpcloudId: $jumpcloudId) {
    id
    jumpcloudId
    name
    groups(first: 100) { edges { node { id jumpcloudId name } } }
    users(first: 100) {
      totalCount
      edges { kind node { id jumpcloudId email } paths { direct via { id jumpcloudId name } } }
    }
  }
}
"""

EXPLORE_SERVER_NAMES = """\
# The access-graph explorer (/explore): the names of LDAP and RADIUS servers, a page of each.
# Neither list takes a name filter, so the page finds a server by name itself: it pages through
# one list (`ldapAfter` or `radiusAfter`) for the exact name, asking `first: 0` of the other.
query ExploreServerNames(
  $ldapFirst: Int = 100
  $ldapAfter: String
  $radiusFirst: Int = 100
  $radiusAfter: String
) {
  ldapServers(first: $ldapFirst, after: $ldapAfter) {
    pageInfo { hasNextPage endCursor }
    edges { node { id jumpcloudId name } }
  }
  radiusServers(first: $radiusFirst, after: $radiusAfter) {
    pageInfo { hasNextPage endCursor }
    edges { node { id jumpcloudId name } }
  }
}
"""

DOCUMENTS = {
    "ExploreUser": EXPLORE_USER,
    "ExploreApplication": EXPLORE_APPLICATION,
    "ExploreGroup": EXPLORE_GROUP,
    "ExploreSystem": EXPLORE_SYSTEM,
    "ExploreLdapServer": EXPLORE_LDAP_SERVER,
    "ExploreRadiusServer": EXPLORE_RADIUS_SERVER,
    "ExploreServerNames": EXPLORE_SERVER_NAMES,
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jcgraph · access-graph explorer</title>
<style>
  body { margin: 0; font: 14px system-ui, sans-serif; display: grid; height: 100vh;
         grid-template-rows: auto 1fr; grid-template-columns: 1fr 24em; }
  header { grid-column: 1 / 3; display: flex; gap: .5em; padding: .5em; align-items: center;
           border-bottom: 1px solid #ccc; background: #f6f7f9; }
  header input[type=search] { width: 22em; }
  #graph { min-height: 0; }
  aside { border-left: 1px solid #ccc; padding: .5em 1em; overflow: auto; }
  aside h2 { font-size: 1.05em; margin: .3em 0; word-break: break-all; }
  .legend span { margin-right: .8em; white-space: nowrap; }
  .CRITICAL, .HIGH { color: #b00020; } .MEDIUM { color: #b26a00; } .LOW { color: #555; }
  #status { color: #555; margin-left: auto; }
  #graph-state { display: none; }
</style>
</head>
<body>
<header>
  <form id="search">
    <!-- Labels no wider than Application's, which sets the select's width (and the header's
         layout in docs/explorer.png). -->
    <select id="kind" aria-label="Search for">
      <option value="user">User (email)</option>
      <option value="application">Application (name)</option>
      <option value="group">Group (name)</option>
      <option value="system">System (host)</option>
      <option value="ldap_server">LDAP (name)</option>
      <option value="radius_server">RADIUS (name)</option>
    </select>
    <input id="query" type="search" placeholder="jane@example.com" aria-label="Search">
    <button>Draw</button>
  </form>
  <input id="token" type="password" placeholder="Bearer token (if required)"
         aria-label="Bearer token" autocomplete="off">
  <span class="legend">
    <span style="color:#c62828">━ DIRECT</span><span style="color:#1565c0">┅ INDIRECT</span>
    <span style="color:#6a1b9a">═ BOTH</span><span style="color:#999">┄ member/bound</span>
    <span>⚠ sudo</span>
  </span>
  <span id="status"></span>
</header>
<div id="graph"></div>
<aside id="panel"><p>Search for a user, group, application, system, or LDAP or RADIUS server.
Click a node to expand it and see its findings; click an edge to see the paths that grant
it.</p></aside>
<pre id="graph-state"></pre>
<script src="/explore/cytoscape.js"></script>
<script>
"use strict";
const DOCUMENTS = __DOCUMENTS__;
const TYPES = {
  user: "User", group: "Group", application: "Application", ldap_server: "LDAP server",
  radius_server: "RADIUS server", system: "System", system_group: "System group",
};
// What a click expands, and which of those have `findings` in the schema (servers have none).
const EXPANDABLE = ["user", "application", "group", "system", "ldap_server", "radius_server"];
const WITH_FINDINGS = ["user", "application", "group", "system"];
// How each kind is searched: the deep link's parameter and the search field's placeholder.
const SEARCHES = {
  user: ["email", "jane@example.com"], application: ["application", "name"],
  group: ["group", "name"], system: ["system", "hostname"],
  ldap_server: ["ldapServer", "name"], radius_server: ["radiusServer", "name"],
};
const $ = (id) => document.getElementById(id);
const token = $("token");
token.value = sessionStorage.getItem("jcgraph-token") || "";
token.addEventListener("change", () => sessionStorage.setItem("jcgraph-token", token.value));

async function gql(name, variables) {
  const headers = { "content-type": "application/json" };
  if (token.value) headers.authorization = "Bearer " + token.value;
  const response = await fetch("/graphql", {
    method: "POST", headers,
    body: JSON.stringify({ query: DOCUMENTS[name], operationName: name, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || body.errors) {
    const message = (body.errors || []).map((e) => e.message).join("; ");
    throw new Error(message || "HTTP " + response.status);
  }
  return body.data;
}

const cy = cytoscape({
  container: $("graph"),
  wheelSensitivity: 0.3,
  style: [
    { selector: "node", style: { label: "data(label)", "font-size": 9, "text-valign": "bottom",
      "text-margin-y": 3, width: 22, height: 22, "background-color": "#888" } },
    { selector: "node[type='user']", style: { "background-color": "#1976d2" } },
    { selector: "node[type='group']",
      style: { shape: "round-rectangle", "background-color": "#388e3c" } },
    { selector: "node[type='application']",
      style: { shape: "diamond", "background-color": "#f57c00" } },
    { selector: "node[type='ldap_server'], node[type='radius_server']",
      style: { shape: "hexagon", "background-color": "#7b1fa2" } },
    { selector: "node[type='system']",
      style: { shape: "rectangle", "background-color": "#546e7a" } },
    { selector: "node[type='system_group']",
      style: { shape: "cut-rectangle", "background-color": "#90a4ae" } },
    { selector: "node.root",
      style: { width: 34, height: 34, "border-width": 3, "border-color": "#000" } },
    { selector: "node:selected", style: { "border-width": 3, "border-color": "#fdd835" } },
    { selector: "edge", style: { width: 1.5, "curve-style": "bezier",
      "target-arrow-shape": "triangle", "arrow-scale": 0.7, "line-color": "#bbb",
      "target-arrow-color": "#bbb" } },
    { selector: "edge[relation!='access']", style: { "line-style": "dotted" } },
    { selector: "edge[kind='DIRECT']",
      style: { "line-color": "#c62828", "target-arrow-color": "#c62828" } },
    { selector: "edge[kind='INDIRECT']",
      style: { "line-color": "#1565c0", "target-arrow-color": "#1565c0", "line-style": "dashed" } },
    { selector: "edge[kind='BOTH']",
      style: { "line-color": "#6a1b9a", "target-arrow-color": "#6a1b9a", width: 4 } },
    { selector: "edge[sudo]", style: { label: "data(sudo)", "font-size": 8, color: "#b00020",
      "text-rotation": "autorotate" } },
    { selector: "edge:selected",
      style: { "line-color": "#fdd835", "target-arrow-color": "#fdd835" } },
  ],
});

const key = (type, id) => type + ":" + id;
const expanded = new Set();

function node(type, id, label, extra) {
  const k = key(type, id);
  let n = cy.getElementById(k);
  if (n.empty()) n = cy.add({ group: "nodes", data: { id: k, jid: id, type, label: label || id } });
  if (extra) n.data(extra);
  return k;
}

function edge(relation, source, target, extra) {
  const id = relation + ":" + source + "->" + target;
  let e = cy.getElementById(id);
  if (e.empty()) e = cy.add({ group: "edges", data: { id, relation, source, target } });
  if (extra) e.data(extra);
}

const userNode = (u) => node("user", u.jumpcloudId, u.email, { email: u.email });

function sudoLabel(sudo) {
  if (!sudo || !sudo.enabled) return undefined;
  return sudo.withoutPassword ? "⚠ sudo (no password)" : "⚠ sudo";
}

function access(userKey, targetKey, grant) {
  edge("access", userKey, targetKey, {
    kind: grant.kind, paths: grant.paths,
    sudo: sudoLabel(grant.sudo), sudoGrant: grant.sudo || null,
  });
}

function drawUser(u) {
  const me = node("user", u.jumpcloudId, u.email, { email: u.email, findings: u.findings });
  for (const { node: g } of u.groups.edges) {
    edge("member", me, node("group", g.jumpcloudId, g.name));
  }
  const targets = [["applications", "application"], ["ldapServers", "ldap_server"],
                   ["radiusServers", "radius_server"], ["systems", "system"]];
  for (const [field, type] of targets) {
    for (const grant of u[field].edges) {
      const t = grant.node;
      access(me, node(type, t.jumpcloudId, t.name || t.hostname), grant);
    }
  }
  return me;
}

function drawApplication(a) {
  const me = node("application", a.jumpcloudId, a.name, { findings: a.findings });
  for (const { node: g } of a.groups.edges) edge("bound", node("group", g.jumpcloudId, g.name), me);
  for (const grant of a.users.edges) {
    access(userNode(grant.node), me, grant);
  }
  return me;
}

function drawGroup(g) {
  const me = node("group", g.jumpcloudId, g.name, { findings: g.findings });
  for (const { node: u } of g.members.edges) edge("member", userNode(u), me);
  const bound = [["applications", "application"], ["ldapServers", "ldap_server"],
                 ["radiusServers", "radius_server"], ["systems", "system"],
                 ["systemGroups", "system_group"]];
  for (const [field, type] of bound) {
    for (const { node: t } of g[field].edges) {
      edge("bound", me, node(type, t.jumpcloudId, t.name || t.hostname));
    }
  }
  return me;
}

function drawSystem(s) {
  const me = node("system", s.jumpcloudId, s.hostname, { findings: s.findings });
  for (const { node: g } of s.groups.edges) edge("bound", node("group", g.jumpcloudId, g.name), me);
  for (const { node: g } of s.systemGroups.edges) {
    edge("member", me, node("system_group", g.jumpcloudId, g.name));
  }
  for (const grant of s.users.edges) {
    access(userNode(grant.node), me, grant);
  }
  return me;
}

function drawServer(type, s) {
  const me = node(type, s.jumpcloudId, s.name);
  for (const { node: g } of s.groups.edges) edge("bound", node("group", g.jumpcloudId, g.name), me);
  for (const grant of s.users.edges) {
    access(userNode(grant.node), me, grant);
  }
  return me;
}

// A server's JumpCloud id from its exact name: neither server list has a name filter, so page
// through the one asked for (`first: 0` leaves the other out) and match here.
async function serverId(type, name) {
  const [list, other] = type === "ldap_server" ? ["ldap", "radius"] : ["radius", "ldap"];
  const field = list + "Servers";
  let after = null;
  for (;;) {
    const data = await gql("ExploreServerNames", { [other + "First"]: 0, [list + "After"]: after });
    const found = data[field].edges.find((e) => e.node.name === name);
    if (found) return found.node.jumpcloudId;
    if (!data[field].pageInfo.hasNextPage) return null;
    after = data[field].pageInfo.endCursor;
  }
}

// Fetch an object's neighbourhood and draw it; the node's key, or null when not found.
async function load(type, by) {
  if (type === "user") {
    const data = await gql("ExploreUser", { email: by.email });
    return data.user && drawUser(data.user);
  }
  if (type === "application") {
    const found = (await gql("ExploreApplication", { name: by.name })).applications.edges[0];
    return found ? drawApplication(found.node) : null;
  }
  if (type === "group") {
    const data = await gql("ExploreGroup", by.jid ? { jumpcloudId: by.jid } : { name: by.name });
    return data.group && drawGroup(data.group);
  }
  if (type === "system") {
    const data = await gql("ExploreSystem",
                           by.jid ? { jumpcloudId: by.jid } : { hostname: by.hostname });
    return data.system && drawSystem(data.system);
  }
  if (type === "ldap_server" || type === "radius_server") {
    const jid = by.jid || await serverId(type, by.name);
    if (!jid) return null;
    const [name, field] = type === "ldap_server" ? ["ExploreLdapServer", "ldapServer"]
                                                 : ["ExploreRadiusServer", "radiusServer"];
    const server = (await gql(name, { jumpcloudId: jid }))[field];
    return server && drawServer(type, server);
  }
  return null;
}

function status(text) { $("status").textContent = text; }

function layout() {
  cy.layout({ name: "cose", animate: false, nodeDimensionsIncludeLabels: true, randomize: false })
    .run();
  const state = {
    nodes: cy.nodes().map((n) => ({ id: n.data("jid"), type: n.data("type") })),
    edges: cy.edges().map((e) => ({
      source: cy.getElementById(e.data("source")).data("jid"),
      target: cy.getElementById(e.data("target")).data("jid"),
      relation: e.data("relation"), kind: e.data("kind") || null, sudo: e.data("sudoGrant") || null,
    })),
    expanded: [...expanded],
  };
  $("graph-state").textContent = JSON.stringify(state);
}

async function search(type, text) {
  cy.elements().remove();
  expanded.clear();
  status("Loading…");
  try {
    const by = type === "user" ? { email: text } : type === "system" ? { hostname: text }
             : { name: text };
    const root = await load(type, by);
    if (!root) {
      const noun = /^[A-Z][a-z]/.test(TYPES[type]) ? TYPES[type].toLowerCase() : TYPES[type];
      status("No " + noun + " " + JSON.stringify(text));
      return null;
    }
    expanded.add(root);
    cy.getElementById(root).addClass("root");
    layout();
    select(cy.getElementById(root));
    status(cy.nodes().length + " nodes, " + cy.edges().length + " edges");
    return root;
  } catch (error) {
    status("Error: " + error.message);
    return null;
  }
}

async function expand(n) {
  const k = n.id();
  if (expanded.has(k)) return;
  const type = n.data("type");
  if (!EXPANDABLE.includes(type)) return;
  status("Expanding " + n.data("label") + "…");
  try {
    await load(type, { jid: n.data("jid"), email: n.data("email"), name: n.data("label") });
    expanded.add(k);
    layout();
    status(cy.nodes().length + " nodes, " + cy.edges().length + " edges");
  } catch (error) {
    status("Error: " + error.message);
  }
}

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

function select(n) {
  cy.elements().unselect();
  n.select();
  const panel = $("panel");
  panel.replaceChildren(text("h2", TYPES[n.data("type")] + ": " + n.data("label")),
                        text("p", "JumpCloud id " + n.data("jid")));
  const findings = n.data("findings");
  if (findings) {
    panel.append(text("h3", "Findings (" + findings.totalCount + ")"));
    const list = document.createElement("ul");
    for (const { node: f } of findings.edges) {
      const item = text("li", f.severity + " " + f.kind + ": ", f.severity);
      item.append(text("span", f.summary));
      list.append(item);
    }
    panel.append(list);
  } else if (WITH_FINDINGS.includes(n.data("type"))) {
    panel.append(text("p", "Loading…"));
  } else {
    panel.append(text("p", "No findings are reported on this kind of object."));
  }
}

function showEdge(e) {
  cy.elements().unselect();
  e.select();
  const [source, target] = [e.source(), e.target()];
  const panel = $("panel");
  const relation = e.data("relation");
  const title = relation === "access" ? e.data("kind") + " access"
              : relation === "member" ? "Member of" : "Bound to";
  panel.replaceChildren(text("h2", title),
                        text("p", source.data("label") + " → " + target.data("label")));
  if (e.data("sudo")) panel.append(text("p", e.data("sudo"), "HIGH"));
  const paths = e.data("paths");
  if (paths) {
    panel.append(text("h3", "Paths (" + paths.length + ")"));
    const list = document.createElement("ol");
    for (const p of paths) {
      const hops = [];
      if (p.direct) hops.push("direct binding");
      if (p.via) hops.push("via group " + p.via.name);
      if (p.viaSystemGroup) hops.push("via system group " + p.viaSystemGroup.name);
      list.append(text("li", hops.join(", ") || "direct"));
    }
    panel.append(list);
  }
}

cy.on("tap", "node", async (event) => {
  const n = event.target;
  select(n);
  await expand(n);
  select(n);
});
cy.on("tap", "edge", (event) => showEdge(event.target));

$("kind").addEventListener("change", () => {
  $("query").placeholder = SEARCHES[$("kind").value][1];
});
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("query").value.trim();
  if (q) search($("kind").value, q);
});

// Deep links: ?email=… (or ?application=… / ?group=… / ?system=<hostname> / ?ldapServer=… /
// ?radiusServer=…), then &expand=<JumpCloud id> to expand a drawn node as a click would.
(async () => {
  const params = new URLSearchParams(location.search);
  const kind = Object.keys(SEARCHES).find((k) => params.get(SEARCHES[k][0]));
  if (!kind) return;
  const wanted = params.get(SEARCHES[kind][0]);
  $("kind").value = kind;
  $("query").value = wanted;
  $("query").placeholder = SEARCHES[kind][1];
  const root = await search(kind, wanted);
  const id = params.get("expand");
  if (!root || !id) return;
  const n = cy.nodes().filter((n) => n.data("jid") === id);
  if (n.nonempty()) { select(n[0]); await expand(n[0]); select(n[0]); }
})();
</script>
</body>
</html>
"""

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jcgraph · explorer</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 3em auto">
<h1>The explorer's assets are not installed</h1>
<p>The access-graph explorer draws with Cytoscape.js, which the gateway serves itself rather
than from a CDN, and did not find {missing} in <code>{root}</code>.</p>
{remedy}
<p>Meanwhile the API answers POSTs at <code>/graphql</code>.</p>
</body></html>
"""


def explorer_html(root: Path = DEFAULT_ROOT) -> str:
    missing = missing_assets(root, ASSETS)
    if not missing:
        return PAGE.replace("__DOCUMENTS__", json.dumps(DOCUMENTS).replace("</", "<\\/"))
    files = ", ".join(f"<code>{html.escape(rel)}</code>" for rel in missing)
    return MISSING.format(missing=files, root=html.escape(str(root)), remedy=remedy(root))


def explorer_routes(root: Path = DEFAULT_ROOT) -> list[Route]:
    """GET /explore (the page, or what is missing for it) and GET /explore/{asset}."""

    async def page(request: Request) -> Response:
        return HTMLResponse(explorer_html(root), headers={"cache-control": "no-cache"})

    return [Route("/explore", page), *asset_routes(root, ASSETS, "/explore")]
