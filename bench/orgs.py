"""Org shapes the benches measure against, built with the simulator's public generator."""

from __future__ import annotations

from gateway.simulator.store import Org, OrgSizes, generate_org


def shaped_org(users: int = 50, groups: int = 10, applications: int = 8, *, seed: int = 7) -> Org:
    """Each user in 3 groups, each application bound to 2 groups, no direct bindings."""
    org = generate_org(
        OrgSizes(
            users=users,
            groups=groups,
            applications=applications,
            groups_per_application=(2, 2),
            direct_app_bindings=0,
        ),
        seed=seed,
    )
    user_ids, group_ids, app_ids = list(org.users), list(org.groups), list(org.applications)
    org.memberships = {
        (u, group_ids[(i + k) % groups]) for i, u in enumerate(user_ids) for k in (0, 3, 7)
    }
    org.bindings = {b for b in org.bindings if b[2] != "application"} | {
        ("user_group", group_ids[(j + k) % groups], "application", a)
        for j, a in enumerate(app_ids)
        for k in (0, 5)
    }
    return org
