"""Seeded generation of an org's devices: systems, system groups, memberships, bindings."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.simulator import devices
from gateway.simulator.ids import ObjectIds, builtin_machine, timeline
from gateway.simulator.model import Binding, Org, OrgSizes, SystemMembership
from gateway.simulator.records import Context, Records


@dataclass
class Fleet:
    """What ``generate`` adds to an org."""

    systems: Records = field(default_factory=dict)
    system_groups: Records = field(default_factory=dict)
    memberships: set[SystemMembership] = field(default_factory=set)
    bindings: set[Binding] = field(default_factory=set)
    attributes: dict[Binding, dict[str, Any]] = field(default_factory=dict)


def generate(
    sizes: OrgSizes,
    seed: int,
    org_context: Context,
    founded: int,
    users: Records,
    groups: Records,
    radius_servers: Records,
    machine: int,
) -> Fleet:
    """Systems, system groups, their memberships and every binding to them, for the org of
    ``org_context`` and its ``users``, ``groups`` and ``radius_servers``.

    A separate RNG (seeded from ``seed``) and id maker: ids never collide with the org's
    others because the id maker's machine part differs from theirs (``machine``) and from
    the built-in roles'.
    """
    rng = random.Random(f"jcgraph-devices:{seed}")
    ids = ObjectIds(rng)
    while ids.machine in (machine, builtin_machine()):
        ids = ObjectIds(rng)
    ctx = Context(rng=rng, ids=ids, org_id=org_context.org_id, domain=org_context.domain)
    fleet = Fleet()
    fleet.system_groups = devices.system_groups(ctx, timeline(rng, founded, sizes.system_groups))
    fleet.systems, facets = devices.systems(ctx, timeline(rng, founded, sizes.systems), users)
    fleet.memberships = _memberships(rng, fleet.system_groups, facets)

    user_ids, group_ids = list(users), list(groups)
    system_ids, system_group_ids = list(fleet.systems), list(fleet.system_groups)
    # Half the direct bindings let a laptop's primary user onto it; the rest are random.
    owned = [
        (str(r["primarySystemUser"]["id"]), s)
        for s, r in fleet.systems.items()
        if r["primarySystemUser"]["id"]
    ]
    own = rng.sample(owned, min(len(owned), (sizes.direct_system_bindings + 1) // 2))
    plan: dict[Binding, None] = {("user", u, "system", s): None for u, s in own}
    for source, source_ids, target, target_ids, count in (
        ("user", user_ids, "system", system_ids, sizes.direct_system_bindings - len(own)),
        ("user", user_ids, "system_group", system_group_ids, sizes.user_system_group_bindings),
        ("user_group", group_ids, "system", system_ids, sizes.group_system_bindings),
        (
            "user_group",
            group_ids,
            "system_group",
            system_group_ids,
            sizes.group_system_group_bindings,
        ),
    ):
        taken = {(b[1], b[3]) for b in plan if b[0] == source and b[2] == target}
        for source_id, target_id in _fresh_pairs(rng, source_ids, target_ids, count, taken):
            plan[(source, source_id, target, target_id)] = None
    for binding in plan:
        attributes = _sudo(rng, sizes.sudo_share)
        if attributes is not None:
            fleet.attributes[binding] = attributes
    radius = _fresh_pairs(
        rng, list(radius_servers), system_group_ids, sizes.radius_system_group_bindings, set()
    )
    fleet.bindings = {*plan, *(("radius_server", r, "system_group", g) for r, g in radius)}
    return fleet


def _sudo(rng: random.Random, share: float) -> dict[str, Any] | None:
    """Sudo for ``share`` of the bindings (a third of them without a password); of the
    rest, half say sudo is off and half carry no attributes."""
    roll = rng.random()
    if roll < share:
        return {"sudo": {"enabled": True, "withoutPassword": rng.random() < 1 / 3}}
    if roll < share + (1 - share) / 2:
        return {"sudo": {"enabled": False, "withoutPassword": False}}
    return None


def demo_access(org: Org) -> None:
    """Northwind's device access: IT Admins hold sudo on the servers and build agents,
    engineers use the build agents, finance its workstations, and four IT staff are bound
    to a Linux server each with sudo (two without a password)."""
    groups = {g["name"]: g_id for g_id, g in org.groups.items()}
    system_groups = {g["name"]: g_id for g_id, g in org.system_groups.items()}
    sudo = {"sudo": {"enabled": True, "withoutPassword": False}}
    admins = ("user_group", groups["IT Admins"])
    grants: dict[Binding, dict[str, Any] | None] = {
        (*admins, "system_group", system_groups["Linux Servers"]): sudo,
        (*admins, "system_group", system_groups["Build Agents"]): sudo,
        ("user_group", groups["Engineering"], "system_group", system_groups["Build Agents"]): {
            "sudo": {"enabled": False, "withoutPassword": False}
        },
        (
            "user_group",
            groups["Finance"],
            "system_group",
            system_groups["Finance Workstations"],
        ): None,
    }
    servers = [s for s, r in org.systems.items() if not r["desktopCapable"]]
    for system_id in servers:
        if org.systems[system_id]["osFamily"] == "windows":
            grants[(*admins, "system", system_id)] = sudo
    linux = [s for s in servers if org.systems[s]["osFamily"] == "linux"]
    staff = [
        u_id
        for u_id, u in org.users.items()
        if u["department"] == "IT" and u["state"] == "ACTIVATED"
    ]
    for index, (user_id, system_id) in enumerate(zip(staff[:4], linux, strict=False)):
        without_password = index % 2 == 0
        grants[("user", user_id, "system", system_id)] = {
            "sudo": {"enabled": True, "withoutPassword": without_password}
        }
    org.bindings.update(grants)
    for binding, attributes in grants.items():
        if attributes is None:
            org.binding_attributes.pop(binding, None)
        else:
            org.binding_attributes[binding] = attributes


def _memberships(
    rng: random.Random, groups: Records, facets: Mapping[str, devices.Facets]
) -> set[SystemMembership]:
    """Each named group holds the systems its rule matches; each numbered one a random
    tenth of the fleet."""
    result: set[SystemMembership] = set()
    system_ids = list(facets)
    for index, group_id in enumerate(groups):
        group_rule = devices.rule(index)[2]
        if group_rule is None:
            chosen = rng.sample(system_ids, min(len(system_ids), max(1, len(system_ids) // 10)))
        else:
            chosen = [
                s
                for s, facet in facets.items()
                if all(facet[name] in allowed for name, allowed in group_rule.items())
            ]
        result.update((system_id, group_id) for system_id in chosen)
    return result


def _fresh_pairs(
    rng: random.Random,
    sources: list[str],
    targets: list[str],
    count: int,
    taken: set[tuple[str, str]],
) -> list[tuple[str, str]]:
    """``count`` distinct random (source, target) pairs not in ``taken``, fewer if there are
    not enough."""
    count = max(0, min(count, len(sources) * len(targets) - len(taken)))
    chosen: dict[tuple[str, str], None] = {}
    while len(chosen) < count:
        pair = (rng.choice(sources), rng.choice(targets))
        if pair not in taken:
            chosen[pair] = None
    return list(chosen)
