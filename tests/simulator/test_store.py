"""The seeded org generator: deterministic, realistic, fast enough for 10k users."""

from __future__ import annotations

import re
from collections import Counter

from gateway.simulator.graph import index
from gateway.simulator.store import Org, OrgSizes, Store, demo_org, generate_org

OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def test_same_seed_gives_the_same_org() -> None:
    assert generate_org(seed=3) == generate_org(seed=3)
    assert demo_org() == demo_org()
    assert generate_org(seed=3).users != generate_org(seed=4).users


def test_ten_thousand_users_generate_with_unique_usernames_and_emails() -> None:
    org = generate_org(OrgSizes(users=10_000, groups=60, applications=40), seed=1)
    users = list(org.users.values())
    assert len(users) == 10_000
    assert len({u["username"] for u in users}) == 10_000
    assert len({u["email"] for u in users}) == 10_000
    assert 2.0 < len(org.memberships) / 10_000 < 3.0


def test_ids_are_object_ids_in_creation_order() -> None:
    org = demo_org()
    for records in (org.users, org.groups, org.applications, org.admins, org.roles):
        assert list(records) == sorted(records)
        assert all(OBJECT_ID.fullmatch(record_id) for record_id in records)
    every_id = [
        *org.users,
        *org.groups,
        *org.applications,
        *org.ldap_servers,
        *org.radius_servers,
        *org.admins,
    ]
    assert len(set(every_id)) == len(every_id)
    assert OBJECT_ID.fullmatch(org.id)


def test_user_states_are_mostly_activated_and_consistent() -> None:
    users = list(demo_org().users.values())
    states = Counter(u["state"] for u in users)
    assert states["ACTIVATED"] > 0.8 * len(users)
    assert states["SUSPENDED"] > 0
    assert states["STAGED"] > 0
    for user in users:
        assert user["suspended"] == (user["state"] == "SUSPENDED")
        assert user["activated"] == (user["state"] != "STAGED")
        assert user["totp_enabled"] == (user["mfaEnrollment"]["totpStatus"] == "ENROLLED")


def test_group_sizes_are_skewed_with_all_staff_the_biggest() -> None:
    org = demo_org()
    sizes = Counter(group_id for _, group_id in org.memberships)
    ordered = [org.groups[g]["name"] for g, _ in sizes.most_common()]
    assert ordered[0] == "All Staff"
    assert sizes.most_common()[0][1] > 0.5 * len(org.users)
    assert min(sizes.values()) < 10


def test_demo_apps_are_well_known_saas_with_logos() -> None:
    apps = list(demo_org().applications.values())
    assert len(apps) == 15
    labels = {a["displayLabel"] for a in apps}
    assert {"Slack", "GitHub", "Salesforce", "Zoom"} <= labels
    for app in apps:
        assert app["logo"]["url"].startswith("https://")
        assert app["sso"]["type"] in {"saml", "oidc", "bookmark"}


def test_admins_include_multi_role_and_share_emails_with_users() -> None:
    org = demo_org()
    admins = list(org.admins.values())
    multi = [a for a in admins if a["roleName"] == "Multi Role"]
    assert multi
    assert len(multi[0]["roles"]) == len(multi[0]["roleNames"]) > 1
    assert all(role_id in org.roles for a in admins for role_id in a["roles"])
    user_emails = {u["email"]: u for u in org.users.values()}
    shared = [a for a in admins if a["email"] in user_emails]
    assert shared
    assert all(user_emails[a["email"]]["admin"]["id"] == a["_id"] for a in shared)


def test_roles_are_built_in_plus_custom_and_built_in_ids_are_shared_by_orgs() -> None:
    first, second = generate_org(seed=1), generate_org(seed=2)
    builtin = [r for r in first.roles.values() if not r["isCustom"]]
    assert [r["name"] for r in builtin] == [
        "Administrator With Billing",
        "Administrator",
        "Manager",
        "Command Runner With Billing",
        "Command Runner",
        "Help Desk",
        "Billing Only",
        "Read Only",
    ]
    assert sum(r["isCustom"] for r in first.roles.values()) == 2
    assert {r["id"] for r in builtin} <= set(second.roles)


def test_graph_index_follows_edits_to_memberships_and_bindings() -> None:
    org = generate_org(OrgSizes(users=5, groups=2, applications=1), seed=2)
    user_id, group_id = next(iter(org.users)), next(iter(org.groups))
    org.memberships.discard((user_id, group_id))
    assert group_id not in index(org).groups_of_user.get(user_id, [])
    org.memberships.add((user_id, group_id))
    assert group_id in index(org).groups_of_user[user_id]
    org.memberships = set()
    assert index(org).groups_of_user == {}


def test_graph_index_follows_edits_to_system_memberships() -> None:
    org = generate_org(OrgSizes(users=5, groups=2, systems=4, system_groups=2), seed=2)
    system_id, group_id = next(iter(org.systems)), next(iter(org.system_groups))
    org.system_memberships.discard((system_id, group_id))
    assert group_id not in index(org).groups_of_system.get(system_id, [])
    org.system_memberships.add((system_id, group_id))
    assert group_id in index(org).groups_of_system[system_id]
    org.system_memberships = set()
    assert index(org).systems_of_group == {}


def test_an_org_built_by_hand_needs_no_device_fields() -> None:
    org = Org(
        id="0" * 24,
        name="Hand Made",
        users={},
        groups={},
        applications={},
        ldap_servers={},
        radius_servers={},
        admins={},
        roles={},
        memberships=set(),
        bindings=set(),
    )
    assert (org.systems, org.system_groups, org.binding_attributes) == ({}, {}, {})
    assert org.system_memberships == set()
    assert index(org).adjacent == {}


def test_store_single_and_multi_map_keys_to_orgs() -> None:
    one, two = generate_org(seed=1), generate_org(seed=2)
    assert Store.single(one, "k").api_keys == {"k": (one.id,)}
    assert Store.multi([one, two], "k").api_keys == {"k": (one.id, two.id)}
