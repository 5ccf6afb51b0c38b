"""Generated devices: seeded, realistic, fast, and added without changing anything else."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from typing import Any

import orjson
import pytest

from gateway.simulator.store import Org, OrgSizes, demo_org, generate_org
from tests.simulator.fixtures import SMALL

OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_OLD_TARGETS = ("application", "ldap_server", "radius_server")


def digest_without_devices(org: Org) -> str:
    """A hash of everything the generator made before it made devices."""
    data: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "users": org.users,
        "groups": org.groups,
        "applications": org.applications,
        "ldap_servers": org.ldap_servers,
        "radius_servers": org.radius_servers,
        "admins": org.admins,
        "roles": org.roles,
        "memberships": sorted(org.memberships),
        "bindings": sorted(b for b in org.bindings if b[2] in _OLD_TARGETS),
    }
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


# Computed with the generator as it was before systems existed (same function as above).
@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (generate_org, "9ec71191bdc1ff4c3143f0ed64ae3e980c10c15cf2c162cfbc247ea21a49c09c"),
        (
            lambda: generate_org(seed=3),
            "2b3e0824b71cf014f8dd54f19dcc5c862fb595efcce5194ea98b3578c5a798d7",
        ),
        (
            lambda: generate_org(SMALL, seed=7),
            "1d4e1c2612adcc03dadee5614155fa50277e7b80ba36a2725437006fbda3715d",
        ),
        (demo_org, "0559292838dc5ac2da22e8befc5302ad7224d718161a55811713f0e63c37ccba"),
    ],
    ids=["default", "seed-3", "small", "demo"],
)
def test_devices_leave_the_existing_data_byte_for_byte_unchanged(make: Any, expected: str) -> None:
    assert digest_without_devices(make()) == expected


def test_the_demo_orgs_people_are_the_ones_the_docs_name() -> None:
    org = demo_org()
    assert org.id == "65e11a80a7ff12429800e283"
    assert list(org.users)[:2] == ["65ea48a2a7ff12429800e2b3", "65ebc9d0a7ff12429800e2b4"]
    assert [u["username"] for u in list(org.users.values())[:3]] == [
        "brian.james",
        "felix.hughes",
        "arjun.kim",
    ]


def test_devices_are_deterministic_per_seed() -> None:
    first, again, other = generate_org(seed=5), generate_org(seed=5), generate_org(seed=6)
    assert first == again
    assert first.systems == again.systems
    assert first.binding_attributes == again.binding_attributes
    assert first.systems != other.systems


@pytest.mark.parametrize("org", [generate_org(), demo_org(), generate_org(SMALL, seed=7)])
def test_device_ids_never_collide_with_the_orgs_other_ids(org: Org) -> None:
    for records in (org.systems, org.system_groups):
        assert list(records) == sorted(records), "in id (creation) order"
        assert all(OBJECT_ID.fullmatch(i) for i in records)
    every_id = [
        org.id,
        *org.users,
        *org.groups,
        *org.applications,
        *org.ldap_servers,
        *org.radius_servers,
        *org.admins,
        *org.roles,
        *org.systems,
        *org.system_groups,
    ]
    assert len(set(every_id)) == len(every_id)
    machines = {i[8:18] for i in org.systems} | {i[8:18] for i in org.system_groups}
    assert len(machines) == 1
    assert machines.isdisjoint({i[8:18] for i in (*org.users, *org.roles)})


def test_every_edge_names_objects_that_exist() -> None:
    org = generate_org(seed=2)
    collections = {
        "user": org.users,
        "user_group": org.groups,
        "application": org.applications,
        "ldap_server": org.ldap_servers,
        "radius_server": org.radius_servers,
        "system": org.systems,
        "system_group": org.system_groups,
    }
    for source_type, source, target_type, target in org.bindings:
        assert source in collections[source_type]
        assert target in collections[target_type]
    assert all(s in org.systems and g in org.system_groups for s, g in org.system_memberships)
    assert set(org.binding_attributes) <= set(org.bindings)
    sizes = OrgSizes()
    kinds = Counter((b[0], b[2]) for b in org.bindings)
    assert kinds[("user", "system")] == sizes.direct_system_bindings
    assert kinds[("user", "system_group")] == sizes.user_system_group_bindings
    assert kinds[("user_group", "system")] == sizes.group_system_bindings
    assert kinds[("user_group", "system_group")] == sizes.group_system_group_bindings
    assert kinds[("radius_server", "system_group")] == sizes.radius_system_group_bindings


def test_system_groups_hold_what_their_names_say() -> None:
    org = generate_org(OrgSizes(systems=300, system_groups=14), seed=4)
    by_name = {g["name"]: g_id for g_id, g in org.system_groups.items()}
    members: dict[str, set[str]] = {name: set() for name in by_name}
    names = {g_id: name for name, g_id in by_name.items()}
    for system, group in org.system_memberships:
        members[names[group]].add(system)
    systems = org.systems
    assert members["Windows Fleet"] == {s for s, r in systems.items() if r["osFamily"] == "windows"}
    assert members["macOS Fleet"] == {s for s, r in systems.items() if r["osFamily"] == "darwin"}
    attributes = {s: {a["name"]: a["value"] for a in r["attributes"]} for s, r in systems.items()}
    assert members["All Laptops"] == {s for s, a in attributes.items() if "assetTag" in a}
    assert members["Production Servers"] == {
        s for s, a in attributes.items() if a.get("environment") == "prod"
    }
    assert all(systems[s]["hostname"].startswith("ci-") for s in members["Build Agents"])
    assert all(
        systems[s]["osFamily"] == "linux" and not systems[s]["desktopCapable"]
        for s in members["Linux Servers"]
    )
    assert all(members.values()), "every named group has members in a big enough fleet"
    dynamic = {g["name"] for g in org.system_groups.values() if g["membershipMethod"] != "STATIC"}
    assert dynamic == {"Windows Fleet", "macOS Fleet", "Ubuntu Hosts"}


def test_the_demo_org_has_northwinds_fleet_and_its_sudo_rules() -> None:
    org = demo_org()
    assert len(org.systems) == 40
    assert [g["name"] for g in org.system_groups.values()] == [
        "All Laptops",
        "Engineering Macs",
        "Linux Servers",
        "Build Agents",
        "Finance Workstations",
        "Windows Fleet",
    ]
    sizes = Counter(g for _, g in org.system_memberships)
    assert all(sizes[g] > 0 for g in org.system_groups)
    groups = {g["name"]: g_id for g_id, g in org.groups.items()}
    system_groups = {g["name"]: g_id for g_id, g in org.system_groups.items()}
    admins_to_servers = ("user_group", groups["IT Admins"], "system_group")
    sudo = {"sudo": {"enabled": True, "withoutPassword": False}}
    assert org.binding_attributes[(*admins_to_servers, system_groups["Linux Servers"])] == sudo
    direct_sudo = [
        a["sudo"]
        for (source_type, _, target_type, _), a in org.binding_attributes.items()
        if (source_type, target_type) == ("user", "system") and a["sudo"]["enabled"]
    ]
    assert len(direct_sudo) >= 3
    assert any(s["withoutPassword"] for s in direct_sudo)
    assert not all(s["withoutPassword"] for s in direct_sudo)
    oses = Counter(r["osFamily"] for r in org.systems.values())
    assert set(oses) == {"darwin", "windows", "linux"}


def test_ten_thousand_users_and_two_thousand_systems_generate_quickly() -> None:
    started = time.perf_counter()
    org = generate_org(
        OrgSizes(users=10_000, groups=60, applications=40, systems=2_000, system_groups=20),
        seed=1,
    )
    elapsed = time.perf_counter() - started
    assert len(org.systems) == 2_000
    assert len({s["hostname"] for s in org.systems.values()}) == 2_000
    assert elapsed < 3.0, f"took {elapsed:.2f}s"


def test_an_org_without_people_or_devices_still_generates() -> None:
    org = generate_org(OrgSizes(users=0, groups=0, systems=0, system_groups=0, radius_servers=0))
    assert (org.systems, org.system_groups) == ({}, {})
    assert (org.system_memberships, org.binding_attributes) == (set(), {})
    lonely = generate_org(OrgSizes(users=0, groups=0, systems=5, system_groups=2))
    assert all(s["primarySystemUser"]["id"] is None for s in lonely.systems.values())
