"""Seeded, deterministic generation of believable JumpCloud organizations."""

from __future__ import annotations

import random
import re

from gateway.simulator import fleet, names, people, records, shapes
from gateway.simulator.ids import NOW, ObjectIds, timeline
from gateway.simulator.model import Binding, Membership, Org, OrgSizes

DEMO_SEED = 1729


def generate_org(
    sizes: OrgSizes = OrgSizes(),  # noqa: B008 - frozen dataclass, safe as a default
    *,
    seed: int = 0,
    org_id: str | None = None,
    name: str | None = None,
) -> Org:
    """Build an organization of ``sizes``; the same arguments always give the same org."""
    rng = random.Random(seed)
    ids = ObjectIds(rng)
    founded = NOW - rng.randrange(2 * 365, 6 * 365) * 86400
    org_id = org_id or ids.make(founded)
    name = name or names.COMPANY_NAMES[seed % len(names.COMPANY_NAMES)]
    domain = re.sub(r"[^a-z0-9]", "", name.lower()) + ".com"
    ctx = records.Context(rng=rng, ids=ids, org_id=org_id, domain=domain)

    def stamps(count: int) -> list[int]:
        return timeline(rng, founded, count)

    roles = records.roles(ctx, sizes.custom_roles, stamps(sizes.custom_roles))
    groups = records.groups(ctx, sizes.groups, stamps(sizes.groups))
    applications = records.applications(ctx, sizes.applications, stamps(sizes.applications))
    ldap_servers = records.ldap_servers(ctx, sizes.ldap_servers, stamps(sizes.ldap_servers))
    radius_servers = records.radius_servers(ctx, sizes.radius_servers, stamps(sizes.radius_servers))
    users = people.users(ctx, sizes.users, stamps(sizes.users))
    admins = people.admins(ctx, sizes.admins, stamps(sizes.admins), roles, users)

    user_ids, group_ids = list(users), list(groups)
    memberships = _memberships(rng, user_ids, group_ids, sizes.groups_per_user)
    bindings: set[Binding] = set()
    low, high = sizes.groups_per_application
    for app_id in applications:
        count = min(len(group_ids), rng.randint(low, max(low, high)))
        bindings.update(
            ("user_group", g, "application", app_id) for g in rng.sample(group_ids, count)
        )
    for source, count, target, target_ids in (
        ("user", sizes.direct_app_bindings, "application", list(applications)),
        ("user_group", sizes.ldap_group_bindings, "ldap_server", list(ldap_servers)),
        ("user", sizes.ldap_user_bindings, "ldap_server", list(ldap_servers)),
        ("user_group", sizes.radius_group_bindings, "radius_server", list(radius_servers)),
        ("user", sizes.radius_user_bindings, "radius_server", list(radius_servers)),
    ):
        source_ids = user_ids if source == "user" else group_ids
        for source_id, target_id in _pairs(rng, source_ids, target_ids, count):
            bindings.add((source, source_id, target, target_id))

    # Devices come last, from their own RNG, so everything above stays as it always was.
    devices = fleet.generate(sizes, seed, ctx, founded, users, groups, radius_servers, ids.machine)
    return Org(
        id=org_id,
        name=name,
        users=users,
        groups=groups,
        applications=applications,
        ldap_servers=ldap_servers,
        radius_servers=radius_servers,
        admins=admins,
        roles=roles,
        memberships=memberships,
        bindings=bindings | devices.bindings,
        systems=devices.systems,
        system_groups=devices.system_groups,
        system_memberships=devices.memberships,
        binding_attributes=devices.attributes,
    )


def demo_org() -> Org:
    """The believable company behind ``jcgraph serve --demo`` and ``jcgraph simulator``."""
    sizes = OrgSizes(
        users=200,
        groups=25,
        applications=15,
        ldap_servers=2,
        radius_servers=3,
        systems=40,
        system_groups=6,
    )
    org = generate_org(sizes, seed=DEMO_SEED, name="Northwind Analytics")
    fleet.demo_access(org)
    return org


def shaped_org(users: int = 50, groups: int = 10, applications: int = 8, *, seed: int = 7) -> Org:
    """A regular shape to measure against (gateway.simulator.shapes): each user in 3 groups,
    each application bound to 2 groups, no direct application bindings."""
    org: Org = shapes.shaped(generate_org, OrgSizes, users, groups, applications, seed=seed)
    return org


def _group_sizes(user_count: int, group_count: int, mean: float) -> list[int]:
    """Zipf-like sizes: a few big groups ("All Staff", "Engineering"), a long small tail."""
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(group_count)]
    sizes = [0] * group_count
    remaining = round(user_count * mean)
    open_groups = list(range(group_count))
    while remaining > 0 and open_groups:
        total_weight = sum(weights[i] for i in open_groups)
        spent = 0
        for i in open_groups:
            take = min(round(remaining * weights[i] / total_weight), user_count - sizes[i])
            sizes[i] += take
            spent += take
        open_groups = [i for i in open_groups if sizes[i] < user_count]
        if spent == 0:
            break
        remaining -= spent
    return sizes


def _memberships(
    rng: random.Random, user_ids: list[str], group_ids: list[str], mean: float
) -> set[Membership]:
    memberships: set[Membership] = set()
    for group_id, size in zip(
        group_ids, _group_sizes(len(user_ids), len(group_ids), mean), strict=True
    ):
        memberships.update((user_id, group_id) for user_id in rng.sample(user_ids, size))
    return memberships


def _pairs(
    rng: random.Random, sources: list[str], targets: list[str], count: int
) -> list[tuple[str, str]]:
    """``count`` distinct random (source, target) pairs, fewer if there are not enough."""
    count = min(count, len(sources) * len(targets))
    chosen: dict[tuple[str, str], None] = {}
    while len(chosen) < count:
        chosen[(rng.choice(sources), rng.choice(targets))] = None
    return list(chosen)


def findings_org(*, seed: int = 2718) -> Org:
    """A small org holding at least one case of every access finding the gateway reports:
    an administrator without MFA, suspended, staged and locked users who still reach
    things, a user without MFA holding sudo (without a password) on a server, direct and
    redundant grants, an administrator whose user account reaches more than ten
    applications, an empty group that is still bound, and an application nobody reaches.
    The generated org underneath stays as ``generate_org`` makes it; the cases are edits."""
    org = generate_org(
        OrgSizes(
            users=60,
            groups=8,
            applications=14,
            direct_app_bindings=6,
            admins=5,
            custom_roles=1,
            systems=12,
            system_groups=4,
        ),
        seed=seed,
        name="Findings Test Co",
    )
    users = sorted(org.users)
    groups = sorted(org.groups)
    apps = sorted(org.applications)
    systems = sorted(org.systems)
    unreached, empty = apps[-1], groups[-1]
    bindings = {b for b in org.bindings if b[3] != unreached}
    memberships = {m for m in org.memberships if m[1] != empty}
    bindings.add(("user_group", empty, "application", apps[0]))
    bindings.add(("user_group", empty, "system", systems[0]))

    by_email = {u["email"]: u_id for u_id, u in org.users.items()}
    admin_users = {by_email[a["email"]] for a in org.admins.values() if a["email"] in by_email}
    cases = [u for u in users if u not in admin_users]
    suspended, staged, locked, no_mfa, redundant = cases[:5]
    for user_id, state in ((suspended, "SUSPENDED"), (staged, "STAGED")):
        user = org.users[user_id]
        user.update(state=state, activated=state != "STAGED", suspended=state == "SUSPENDED")
        user.update(account_locked=False, account_locked_date=None)
    org.users[locked].update(state="ACTIVATED", activated=True, suspended=False)
    org.users[locked].update(account_locked=True, account_locked_date=org.users[locked]["created"])
    bindings.add(("user", suspended, "application", apps[0]))
    bindings.add(("user", staged, "ldap_server", sorted(org.ldap_servers)[0]))
    bindings.add(("user", locked, "radius_server", sorted(org.radius_servers)[0]))

    user = org.users[no_mfa]
    user.update(state="ACTIVATED", activated=True, suspended=False, account_locked=False)
    user.update(totp_enabled=False, enable_user_portal_multifactor=False)
    user["mfa"] = {"configured": False, "exclusion": False}
    user["mfaEnrollment"] = dict.fromkeys(user["mfaEnrollment"], "NOT_ENROLLED")
    sudo_binding = ("user", no_mfa, "system", systems[1])
    bindings.update({sudo_binding, ("user", no_mfa, "application", apps[1])})
    org.binding_attributes[sudo_binding] = {"sudo": {"enabled": True, "withoutPassword": True}}

    # Reached twice: directly and through a group bound to the same application.
    memberships.add((redundant, groups[0]))
    bindings.update({("user_group", groups[0], "application", apps[2])})
    bindings.add(("user", redundant, "application", apps[2]))

    broad = next(a for a in sorted(org.admins) if org.admins[a]["email"] in by_email)
    mfa_less = next(a for a in sorted(org.admins) if a != broad)
    org.admins[mfa_less].update(enableMultiFactor=False, totpEnrolled=False, suspended=False)
    org.admins[mfa_less].pop("totpUpdatedAt", None)
    org.admins[broad]["suspended"] = False
    broad_user = by_email[org.admins[broad]["email"]]
    bindings.update(("user", broad_user, "application", a) for a in apps[:11])

    org.bindings = bindings
    org.memberships = memberships
    return org
