"""The README's Apollo Client and urql graphcache recipes, run by the real clients against
`jcgraph serve --demo`: paged walks that miss and repeat nothing, every object with an `id`
normalised, and not one warning from either client.

The clients run in Node from tests/clients (`npm ci --prefix tests/clients`), driven by
tests/clients/recipes.mjs with the recipe files the README shows, in development mode (where
both clients warn)."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_object_type,
    parse,
    visit,
)

from gateway.simulator.store import demo_org
from tests import oracle
from tests.gateway.test_operations import FILES, cases
from tests.processes import REPO_ROOT, clean_env, demo_server

CLIENTS = REPO_ROOT / "tests" / "clients"
NPM_CI = "npm ci --prefix tests/clients"
OPERATIONS = REPO_ROOT / "schema" / "operations"
SCHEMA = build_schema((REPO_ROOT / "schema" / "schema.graphql").read_text(), assume_valid_sdl=True)
ORG = demo_org()
NODE_TYPES = frozenset(
    name
    for name, t in SCHEMA.type_map.items()
    if is_object_type(t) and any(i.name == "Node" for i in t.interfaces)
)
PAGING_ARGUMENTS = frozenset({"first", "after", "last", "before"})
CLIENT_NAMES = ["apollo", "urql"]

USERS_PAGE = 30
MEMBERS_PAGE = 25


# The schema's shapes, as the recipes must cover them


def connection_fields(schema: GraphQLSchema) -> dict[tuple[str, str], list[str]]:
    """(type, field) of every connection field -> its arguments besides the paging ones."""
    found = {}
    for name, t in schema.type_map.items():
        if not is_object_type(t) or name.startswith("__"):
            continue
        assert isinstance(t, GraphQLObjectType)
        for field_name, field in t.fields.items():
            if get_named_type(field.type).name.endswith("Connection"):
                found[name, field_name] = [a for a in field.args if a not in PAGING_ARGUMENTS]
    return found


def value_types(schema: GraphQLSchema) -> set[str]:
    """Object types without an `id`, other than the root, connections, edges and PageInfo."""
    return {
        name
        for name, t in schema.type_map.items()
        if is_object_type(t)
        and isinstance(t, GraphQLObjectType)
        and "id" not in t.fields
        and not name.startswith("_")
        and not re.search(r"^Query$|^PageInfo$|Connection$|Edge$", name)
    }


def held_singly(schema: GraphQLSchema) -> set[str]:
    """Value types some Node type or Query holds in a field of its own, not in a list: their
    fields merge when queries select different ones."""
    held = set()
    for name in {*NODE_TYPES, "Query"}:
        t = schema.type_map[name]
        assert isinstance(t, GraphQLObjectType)
        for field in t.fields.values():
            if not isinstance(get_nullable_type(field.type), GraphQLList):
                held.add(get_named_type(field.type).name)
    return held & value_types(schema)


def selected_fields(
    selection_set: SelectionSetNode,
    object_type: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
) -> set[str]:
    """The fields a selection set selects on `object_type` (aliases aside), through inline
    fragments and spreads whose condition it meets."""

    def meets(condition: NamedTypeNode | None) -> bool:
        if condition is None:
            return True
        named = SCHEMA.get_type(condition.name.value)
        return named is object_type or (
            is_abstract_type(named) and SCHEMA.is_sub_type(named, object_type)
        )

    found = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.alias is None:
            found.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
            fragment = (
                selection
                if isinstance(selection, InlineFragmentNode)
                else fragments[selection.name.value]
            )
            if meets(fragment.type_condition):
                found |= selected_fields(fragment.selection_set, object_type, fragments)
    return found


def selections_without_id(document: DocumentNode) -> list[str]:
    """Where a selection set on a Node type (or a union or interface member that is one)
    selects no `id`: `Type at field`."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    type_info = TypeInfo(SCHEMA)
    missing = []

    class Check(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.selection_set is None:
                return
            named = get_named_type(type_info.get_type())
            if is_abstract_type(named):
                possible = list(SCHEMA.get_possible_types(named))
            else:
                assert isinstance(named, GraphQLObjectType)
                possible = [named]
            for t in possible:
                if t.name in NODE_TYPES and "id" not in selected_fields(
                    node.selection_set, t, fragments
                ):
                    missing.append(f"{t.name} at {node.name.value}")

    visit(document, TypeInfoVisitor(type_info, Check()))
    return missing


# The Node side


def require_clients() -> str:
    """The `node` executable, with the pinned clients installed; fail (never skip) otherwise."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH; the client recipes need Node.js >= 20")
    if not (CLIENTS / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail(f"tests/clients/node_modules is missing: run `{NPM_CI}` first")
    return node


def recipes(*args: str) -> dict[str, Any]:
    """Run recipes.mjs in development mode (NODE_ENV unset, Apollo's development build): its
    JSON report. Fails on a failed run, showing what the clients printed."""
    env = {k: v for k, v in clean_env().items() if k != "NODE_ENV"}
    done = subprocess.run(
        [require_clients(), "--conditions=development", "recipes.mjs", *args],
        cwd=CLIENTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"recipes.mjs {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    if done.returncode != 0:
        pytest.fail(f"recipes.mjs {' '.join(args)}:\n{report.get('failure')}\n{report['console']}")
    return report


def busiest_group() -> dict[str, Any]:
    return max(ORG.groups.values(), key=lambda g: (len(oracle.members_of(ORG, g["id"])), g["id"]))


def value_type_queries() -> list[dict[str, Any]]:
    """Two queries selecting different fields of the same value types on the same objects:
    without the recipe Apollo warns that the second loses the first's."""
    user = next(u for u in ORG.users.values() if u.get("attributes"))
    system = next(s for s in ORG.systems.values() if s.get("attributes"))
    app = next(
        iter(oracle.effective(ORG, user["_id"], "application")), next(iter(ORG.applications))
    )
    variables = {
        "email": user["email"],
        "hostname": system["hostname"],
        "user": user["_id"],
        "application": app,
    }
    signature = "$email: String!, $hostname: String!, $user: ID!, $application: ID!"
    fields = [
        (
            "mfa { overallStatus totpStatus } attributes { name }",
            "fde { active } ssh { rootLogin } attributes { name }",
            "granted kind",
            "logo { url }",
        ),
        (
            "mfa { pushStatus webauthnStatus } attributes { name value }",
            "fde { keyPresent } ssh { passwordAuthentication }",
            "granted paths { direct via { id name } }",
            "logo { color }",
        ),
    ]
    return [
        {
            "name": f"ValueTypes{i}",
            "variables": variables,
            "document": f"""query ValueTypes{i}({signature}) {{
  user(email: $email) {{ id {user_fields} }}
  system(hostname: $hostname) {{ id {system_fields} }}
  access(user: $user, application: $application) {{ {access_fields} }}
  applications(first: 100) {{ edges {{ node {{ id {logo} }} }} }}
}}
""",
        }
        for i, (user_fields, system_fields, access_fields, logo) in enumerate(fields, 1)
    ]


def build_plan(url: str) -> dict[str, Any]:
    """Walk every user and the busiest group's members a page at a time, then run the
    value-type queries and every example operation once, all through one cache."""
    examples = [
        {"name": name, "document": FILES[name].read_text(), "variables": v}
        for name, (v, _) in sorted(cases(ORG).items())
    ]
    return {
        "url": url,
        "walks": [
            {
                "name": "users",
                "document": (OPERATIONS / "PageThroughUsers.graphql").read_text(),
                "variables": {"first": USERS_PAGE},
                "path": ["users"],
            },
            {
                "name": "members",
                "document": (OPERATIONS / "GroupMembers.graphql").read_text(),
                "variables": {"name": busiest_group()["name"], "first": MEMBERS_PAGE},
                "path": ["group", "members"],
            },
        ],
        "queries": [*value_type_queries(), *examples],
    }


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_clients()
    with demo_server(tmp_path_factory.mktemp("serve")) as base:
        yield f"{base}/graphql"


@pytest.fixture(scope="module")
def reports(gateway_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each client's report of the whole plan."""
    plan = tmp_path_factory.mktemp("plan") / "plan.json"
    plan.write_text(json.dumps(build_plan(gateway_url)))
    return {client: recipes(client, str(plan)) for client in CLIENT_NAMES}


# The operations and the README


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_example_operation_and_explorer_document_selects_id_on_every_node(
    name: str,
) -> None:
    document = parse(FILES[name].read_text())
    assert selections_without_id(document) == []


def test_the_id_check_finds_every_node_without_id() -> None:
    document = parse(
        '{ user(email: "a") { email groups { edges { node { id } } } } findings { edges { node {'
        " subject { ... on User { id } ... on Group { name } } } } } }"
    )
    assert selections_without_id(document) == [
        "User at user",
        "Admin at subject",
        "Application at subject",
        "System at subject",
        "Group at subject",
    ]


def readme_recipes() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("### Apollo Client and urql\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```js\n(.*?)```", section, re.S)


def test_the_readme_shows_the_tested_recipes() -> None:
    assert readme_recipes() == [
        (CLIENTS / "apollo-cache.mjs").read_text(),
        (CLIENTS / "urql-cache.mjs").read_text(),
    ]


@pytest.mark.node
def test_the_recipes_page_every_connection_and_embed_every_value_type() -> None:
    described = recipes("describe")
    apollo, urql = described["apollo"], described["urql"]
    connections = connection_fields(SCHEMA)
    # Apollo: relayStylePagination on every connection, keyed by its other arguments.
    paged = {
        (t, f): p["keyArgs"] for t, policy in apollo.items() for f, p in policy["fields"].items()
    }
    assert paged == {k: args or False for k, args in connections.items()}
    # ...value types merged when an object holds one, else left unnormalised.
    values = value_types(SCHEMA)
    assert values >= {"AccessPath", "AccessHop", "GraphObjectRef", "Logo", "MfaStatus"}
    merged = {t for t, p in apollo.items() if p["merge"] is True}
    unkeyed = {t for t, p in apollo.items() if p["keyFields"] is False}
    assert merged == held_singly(SCHEMA)
    assert unkeyed == values - merged
    # ...and every interface and union's members.
    assert {t: sorted(members) for t, members in described["possibleTypes"].items()} == {
        name: sorted(m.name for m in SCHEMA.get_possible_types(t))
        for name, t in SCHEMA.type_map.items()
        if is_abstract_type(t) and not name.startswith("_")
    }
    # urql: relayPagination on every connection (it keys by the other arguments itself), and
    # every value type embedded.
    assert {(t, f) for t, fs in urql["resolvers"].items() for f in fs} == set(connections)
    assert urql["keys"] == dict.fromkeys(values)
    assert described["console"] == []


# The clients against the gateway


def _edges_sent(walk: dict[str, Any], path: list[str]) -> list[dict[str, Any]]:
    """Every edge the gateway sent for a walk, page after page, checking that each page asked
    for the one after the previous page's endCursor."""
    edges: list[dict[str, Any]] = []
    after = None
    for page in walk["pages"]:
        assert "errors" not in page["body"], page["body"]["errors"]
        assert page["variables"].get("after") == after
        connection = page["body"]["data"]
        for key in path:
            connection = connection[key]
        edges += connection["edges"]
        after = connection["pageInfo"]["endCursor"]
    assert connection["pageInfo"]["hasNextPage"] is False
    return edges


def _check_walk(walk: dict[str, Any], path: list[str], want: set[str], page: int) -> None:
    sent = [e["node"]["jumpcloudId"] for e in _edges_sent(walk, path)]
    assert len(walk["pages"]) == math.ceil(len(want) / page)
    assert len(sent) == len(set(sent)), "the gateway sent an edge twice"
    assert set(sent) == want
    merged = walk["merged"]
    assert [e["node"]["jumpcloudId"] for e in merged["edges"]] == sent
    assert merged["totalCount"] == len(want)


@pytest.mark.node
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_walking_all_users_gets_each_once(client: str, reports: dict[str, Any]) -> None:
    assert len(ORG.users) == 200
    _check_walk(reports[client]["walks"]["users"], ["users"], set(ORG.users), USERS_PAGE)


@pytest.mark.node
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_walking_a_groups_members_gets_each_once(client: str, reports: dict[str, Any]) -> None:
    want = oracle.members_of(ORG, busiest_group()["id"])
    assert len(want) > 2 * MEMBERS_PAGE
    _check_walk(reports[client]["walks"]["members"], ["group", "members"], want, MEMBERS_PAGE)


@pytest.mark.node
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_the_clients_warn_about_nothing(client: str, reports: dict[str, Any]) -> None:
    assert reports[client]["console"] == []
    assert set(reports[client]["queries"]) == {q["name"] for q in build_plan("")["queries"]}
    assert all(reports[client]["queries"].values())


def _inline_nodes(value: Any, where: str) -> Iterator[str]:
    """Where, inside an Apollo cache entry, an object of a Node type sits inline."""
    if isinstance(value, dict):
        if value.get("__typename") in NODE_TYPES:
            yield where
        for key, item in value.items():
            yield from _inline_nodes(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _inline_nodes(item, f"{where}.{i}")


def apollo_entities(cache: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Apollo's normalised entries, after checking that no Node object is stored inline."""
    inline = [w for key, entry in cache.items() for w in _inline_nodes(entry, key) if w != key]
    assert inline == []
    return {k: entry for k, entry in cache.items() if entry.get("__typename") in NODE_TYPES}


def urql_entities(cache: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """graphcache's entities of Node types, as {field: value}."""
    return {
        key: {f: v["value"] for f, v in fields.items() if "value" in v}
        for key, fields in cache.items()
        if fields.get("__typename", {}).get("value") in NODE_TYPES
    }


@pytest.mark.node
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_every_object_with_an_id_is_normalised(client: str, reports: dict[str, Any]) -> None:
    cache = reports[client]["cache"]
    entities = apollo_entities(cache) if client == "apollo" else urql_entities(cache)
    # Each under `Type:id`, nowhere else (graphcache names an embedded object by its path).
    assert {k for k, e in entities.items() if k != f"{e['__typename']}:{e.get('id')}"} == set()
    users = {e["jumpcloudId"] for e in entities.values() if e["__typename"] == "User"}
    assert users == set(ORG.users)
    # The root field holds a reference to the group, not the group.
    group = busiest_group()
    (group_key,) = (
        k
        for k, e in entities.items()
        if e["__typename"] == "Group" and e["jumpcloudId"] == group["id"]
    )
    field = f'group({{"name":"{group["name"]}"}})'
    if client == "apollo":
        assert cache["ROOT_QUERY"][field] == {"__ref": group_key}
    else:
        assert cache["Query"][field] == {"link": group_key}


@pytest.mark.node
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_without_the_recipe_the_clients_warn(client: str, gateway_url: str, tmp_path: Path) -> None:
    """The harness sees what the recipe prevents: Apollo losing a value type's fields, and
    graphcache finding no key for one."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"url": gateway_url, "walks": [], "queries": value_type_queries()}))
    warned = "\n".join(m["message"] for m in recipes(client, str(plan), "--bare")["console"])
    if client == "apollo":
        for field, parent in (("mfa", "User"), ("logo", "Application"), ("access", "Query")):
            assert f"replacing the {field} field of a {parent} object" in warned
    else:
        for value_type in ("MfaStatus", "Logo", "AccessDecision", "AccessPath"):
            assert f"custom `keys` config for `{value_type}`" in warned
