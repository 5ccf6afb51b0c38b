"""Responses validate against JumpCloud's own published schemas (data/jumpcloud-schemas.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from gateway.simulator.store import Org
from tests.simulator.fixtures import no_faults, request_log, seeded_org, simulator_client  # noqa: F401 - the faults, log, org and client fixtures

SCHEMAS = Path(__file__).parent / "data" / "jumpcloud-schemas.json"


@cache
def schemas() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMAS.read_text())
    return loaded


def validate(instance: Any, name: str) -> None:
    """Validate one record, or each record of a list, and refuse undeclared fields."""
    version, component = name.split(":")
    schema = schemas()[version][component]
    validator = Draft202012Validator(schema)
    declared = set(schema.get("properties", {}))
    for record in instance if isinstance(instance, list) else [instance]:
        validator.validate(record)
        # No invented fields: every key we send is one the schema declares.
        assert not declared or set(record) <= declared, (name, set(record) - declared)


def test_the_schema_file_names_its_source() -> None:
    source = schemas()["_source"]
    assert source["commit"] == "2d46aa0b0f3ec1e04daba98f9d254f6cf53ec4cd"
    assert "TheJumpCloud/jumpcloud-docs-public" in source["repository"]
    assert '"$ref"' not in SCHEMAS.read_text()


def endpoints(org: Org) -> list[tuple[str, str, str | None]]:
    """(url, schema of the body, schema of each item in ``results`` or the array)."""
    user, group = next(iter(org.users)), next(iter(org.groups))
    app, ldap = next(iter(org.applications)), next(iter(org.ldap_servers))
    radius, role = next(iter(org.radius_servers)), next(iter(org.roles))
    # Make sure every graph endpoint has something to return, directly and via a group.
    org.memberships.add((user, group))
    for kind, target in (("application", app), ("ldap_server", ldap), ("radius_server", radius)):
        org.bindings.update({("user", user, kind, target), ("user_group", group, kind, target)})
    system, system_group = next(iter(org.systems)), next(iter(org.system_groups))
    org.system_memberships.add((system, system_group))
    org.bindings.update(
        {
            ("user", user, "system", system),
            ("user_group", group, "system_group", system_group),
            ("radius_server", radius, "system_group", system_group),
        }
    )
    org.binding_attributes[("user", user, "system", system)] = {
        "sudo": {"enabled": True, "withoutPassword": False}
    }
    graph_with_paths = [
        f"/api/v2/usergroups/{group}/membership",
        f"/api/v2/users/{user}/memberof",
        *(f"/api/v2/users/{user}/{t}" for t in ("applications", "ldapservers", "radiusservers")),
        *(
            f"/api/v2/usergroups/{group}/{t}"
            for t in ("applications", "ldapservers", "radiusservers")
        ),
        *(
            f"/api/v2/{s}/users"
            for s in (f"applications/{app}", f"ldapservers/{ldap}", f"radiusservers/{radius}")
        ),
        *(
            f"/api/v2/{s}/usergroups"
            for s in (f"applications/{app}", f"ldapservers/{ldap}", f"radiusservers/{radius}")
        ),
        f"/api/v2/systems/{system}/memberof",
        f"/api/v2/systemgroups/{system_group}/membership",
        *(f"/api/v2/{s}/systems" for s in (f"users/{user}", f"usergroups/{group}")),
        *(f"/api/v2/{s}/systemgroups" for s in (f"users/{user}", f"usergroups/{group}")),
        *(f"/api/v2/{s}/users" for s in (f"systems/{system}", f"systemgroups/{system_group}")),
        *(f"/api/v2/{s}/usergroups" for s in (f"systems/{system}", f"systemgroups/{system_group}")),
        f"/api/v2/radiusservers/{radius}/systemgroups",
    ]
    connections = [
        f"/api/v2/usergroups/{group}/members",
        f"/api/v2/users/{user}/associations?targets=application,ldap_server,radius_server",
        f"/api/v2/usergroups/{group}/associations?targets=application",
        f"/api/v2/applications/{app}/associations?targets=user,user_group",
        f"/api/v2/ldapservers/{ldap}/associations?targets=user&targets=user_group",
        f"/api/v2/radiusservers/{radius}/associations?targets=user_group",
        f"/api/v2/systemgroups/{system_group}/members",
        f"/api/v2/users/{user}/associations?targets=system",
        f"/api/v2/systems/{system}/associations?targets=user,user_group",
        f"/api/v2/systemgroups/{system_group}/associations?targets=user_group,radius_server",
        f"/api/v2/radiusservers/{radius}/associations?targets=system_group",
    ]
    return [
        ("/api/systemusers?limit=100", "v1:systemuserslist", "v1:systemuserreturn"),
        (f"/api/systemusers/{user}", "v1:systemuserreturn", None),
        ("/api/applications", "v1:applicationslist", "v1:application"),
        (f"/api/applications/{app}", "v1:application", None),
        ("/api/radiusservers", "v1:radiusserverslist", "v1:radiusserver"),
        (f"/api/radiusservers/{radius}", "v1:radiusserver", None),
        ("/api/users", "v1:systemuserslist", "v1:userreturn"),
        ("/api/v2/usergroups?limit=100", "", "v2:UserGroup"),
        (f"/api/v2/usergroups/{group}", "v2:UserGroup", None),
        ("/api/v2/ldapservers", "", "v2:ldap-server"),
        (f"/api/v2/ldapservers/{ldap}", "v2:ldap-server", None),
        ("/api/v2/roles?limit=100", "v2:RoleList", "v2:Role"),
        (f"/api/v2/roles/{role}", "v2:Role", None),
        ("/api/systems?limit=100", "v1:systemslist", "v1:system"),
        (f"/api/systems/{system}", "v1:system", None),
        ("/api/v2/systemgroups?limit=100", "", "v2:SystemGroup"),
        (f"/api/v2/systemgroups/{system_group}", "v2:SystemGroup", None),
        *((url, "", "v2:GraphObjectWithPaths") for url in graph_with_paths),
        *((url, "", "v2:GraphConnection") for url in connections),
    ]


async def test_every_endpoint_matches_the_vendor_schema(
    client: httpx.AsyncClient, org: Org
) -> None:
    for url, body_schema, item_schema in endpoints(org):
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        if body_schema:
            # /api/users is undocumented; its envelope is the v1 {results, totalCount} shape.
            validate(body, body_schema)
        items = body if isinstance(body, list) else body.get("results")
        if item_schema and items is not None:
            assert items, url
            validate(items, item_schema)
        elif item_schema:
            validate(body, item_schema)


async def test_search_results_match_the_search_schema(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/search/systemusers", json={"limit": 50})
    validate(response.json(), "v1:systemUsersSearchlist")
    validate(response.json()["results"], "v1:systemuserSearchReturn")
    response = await client.post("/api/search/systems", json={"limit": 50})
    validate(response.json(), "v1:systemsSearchlist")
    validate(response.json()["results"], "v1:systemSearch")
    assert all("memberof" in r for r in response.json()["results"])


@pytest.mark.parametrize(
    ("url", "schema"),
    [
        ("/api/systemusers?limit=500", "v1:Error"),
        ("/api/systemusers/0123456789abcdef01234567", "v1:Error"),
        ("/api/v2/usergroups?filter=bad", "v2:Error"),
        ("/api/v2/roles/0123456789abcdef01234567", "v2:Error"),
        ("/api/systems?limit=101", "v1:Error"),
        ("/api/systems/0123456789abcdef01234567", "v1:Error"),
        ("/api/v2/systemgroups/0123456789abcdef01234567", "v2:Error"),
        ("/api/v2/systems/0123456789abcdef01234567/users", "v2:Error"),
    ],
)
async def test_error_bodies_match_the_error_schema(
    client: httpx.AsyncClient, url: str, schema: str
) -> None:
    response = await client.get(url)
    assert response.status_code >= 400
    validate(response.json(), schema)
