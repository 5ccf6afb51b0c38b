"""`_entities` resolves through the loaders: a hundred representations cost a batch."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import Harness, gateway

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on User { jumpcloudId email }
    ... on Group { jumpcloudId name }
    ... on Application { jumpcloudId name }
    ... on Admin { jumpcloudId email }
    ... on Role { jumpcloudId name }
    ... on LdapServer { jumpcloudId name }
    ... on RadiusServer { jumpcloudId name }
    ... on System { jumpcloudId hostname }
    ... on SystemGroup { jumpcloudId name }
  }
}
"""
MISSING_ID = "0123456789abcdef01234567"


def org_of(users: int = 120) -> Org:
    return generate_org(OrgSizes(users=users), seed=11)


def in_filters(gw: Harness, operation: str) -> dict[str, list[str]]:
    """Field -> values of each `field:$in:a|b|...` filter sent in `operation` requests."""
    found: dict[str, list[str]] = {}
    for entry in gw.log.entries:
        if entry.operation == operation:
            for value in parse_qs(entry.query).get("filter", []):
                field, _, values = value.partition(":$in:")
                found.setdefault(field, []).extend(values.split("|"))
    return found


async def test_hundred_mixed_key_user_representations_cost_two_calls() -> None:
    org = org_of()
    users = list(org.users.values())[:100]
    # Alternate the keys, so both loaders fill within the same tick.
    representations = [
        {"__typename": "User", "jumpcloudId": u["_id"]}
        if i % 2 == 0
        else {"__typename": "User", "email": u["email"]}
        for i, u in enumerate(users)
    ]
    async with gateway(org) as gw:
        data = await gw.query(ENTITIES, {"representations": representations})
        filters = in_filters(gw, "systemusers_list")
    # One `$in` read per key: `_id` for half, `email` for the other half (whose records
    # then fill the cache, so the users loader makes no second read for them).
    assert gw.log.total == 2, gw.log.counts()
    assert sorted(filters["_id"]) == sorted(u["_id"] for u in users[0::2])
    assert sorted(filters["email"]) == sorted(u["email"] for u in users[1::2])
    assert data["_entities"] == [
        {"__typename": "User", "jumpcloudId": u["_id"], "email": u["email"]} for u in users
    ]


async def test_unknown_user_keys_resolve_to_null() -> None:
    org = org_of(users=5)
    known = next(iter(org.users.values()))
    representations = [
        {"__typename": "User", "jumpcloudId": MISSING_ID},
        {"__typename": "User", "email": "nobody@example.invalid"},
        {"__typename": "User", "email": known["email"]},
    ]
    async with gateway(org) as gw:
        data = await gw.query(ENTITIES, {"representations": representations})
    assert data["_entities"] == [
        None,
        None,
        {"__typename": "User", "jumpcloudId": known["_id"], "email": known["email"]},
    ]


async def test_every_other_entity_resolves_with_one_collection_read_each() -> None:
    org = org_of(users=5)
    collections: dict[str, tuple[dict[str, dict[str, Any]], str, str]] = {
        # typename: (records, field the entity answers with, record key it comes from)
        "Group": (org.groups, "name", "name"),
        "Application": (org.applications, "name", "name"),
        "Admin": (org.admins, "email", "email"),
        "Role": (org.roles, "name", "name"),
        "LdapServer": (org.ldap_servers, "name", "name"),
        "RadiusServer": (org.radius_servers, "name", "name"),
        "SystemGroup": (org.system_groups, "name", "name"),
    }
    representations: list[dict[str, str]] = []
    expected: list[dict[str, str] | None] = []
    for typename, (records, field, key) in collections.items():
        for record_key, record in list(records.items())[:2]:
            representations.append({"__typename": typename, "jumpcloudId": record_key})
            expected.append({"__typename": typename, "jumpcloudId": record_key, field: record[key]})
        representations.append({"__typename": typename, "jumpcloudId": MISSING_ID})
        expected.append(None)
    async with gateway(org) as gw:
        data = await gw.query(ENTITIES, {"representations": representations})
    assert data["_entities"] == expected
    counts = gw.log.counts()
    assert sorted(counts) == sorted(
        [
            "groups_user_list",
            "applications_list",
            "admins_list",
            "roles_list",
            "ldapservers_list",
            "radius_servers_list",
            "groups_system_list",
        ]
    ), counts
    assert set(counts.values()) == {1}, counts


async def test_a_hundred_system_representations_cost_one_batch() -> None:
    org = generate_org(OrgSizes(users=5, systems=130), seed=11)
    systems = list(org.systems.values())[:99]
    representations = [{"__typename": "System", "jumpcloudId": s["_id"]} for s in systems]
    representations.append({"__typename": "System", "jumpcloudId": MISSING_ID})
    async with gateway(org) as gw:
        data = await gw.query(ENTITIES, {"representations": representations})
        filters = in_filters(gw, "systems_list")
    assert gw.log.counts() == {"systems_list": 1}  # 100 ids: one `$in` batch
    assert sorted(filters["_id"]) == sorted([*(s["_id"] for s in systems), MISSING_ID])
    assert data["_entities"] == [
        {"__typename": "System", "jumpcloudId": s["_id"], "hostname": s["hostname"]}
        for s in systems
    ] + [None]
