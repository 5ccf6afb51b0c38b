"""The regular organisation shape the benches and tests measure against.

A pure function of a generator and its sizes type, importing nothing from the gateway, so a
bench can apply this checkout's shape to the generator of any version it measures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def shaped(
    generate: Callable[..., Any],
    sizes: Callable[..., Any],
    users: int = 50,
    groups: int = 10,
    applications: int = 8,
    *,
    seed: int = 7,
) -> Any:
    """Each user in 3 groups, each application bound to 2 groups, no direct application
    bindings (other kinds as the sizes type makes them): `generate(sizes(...), seed=seed)`,
    then its memberships and application bindings replaced."""
    org = generate(
        sizes(
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
