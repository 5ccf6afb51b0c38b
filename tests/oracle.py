"""Answers computed straight from a simulator Org's edge sets, independent of any endpoint."""

from __future__ import annotations

import itertools
from typing import Any

from gateway.simulator.store import Org

Via = str | None


def groups_of(org: Org, user_id: str) -> set[str]:
    return {g for u, g in org.memberships if u == user_id}


def members_of(org: Org, group_id: str) -> set[str]:
    return {u for u, g in org.memberships if g == group_id}


def bound(org: Org, source_type: str, source_id: str, target_type: str) -> set[str]:
    return {
        t for s, i, tt, t in org.bindings if (s, i, tt) == (source_type, source_id, target_type)
    }


def effective(org: Org, user_id: str, target_type: str) -> dict[str, set[Via]]:
    """target id -> the set of ways it is granted (None: direct; a group id: via that group)."""
    out: dict[str, set[Via]] = {}
    for target in bound(org, "user", user_id, target_type):
        out.setdefault(target, set()).add(None)
    for group in groups_of(org, user_id):
        for target in bound(org, "user_group", group, target_type):
            out.setdefault(target, set()).add(group)
    return out


def kind(vias: set[Via]) -> str:
    direct, indirect = None in vias, any(v is not None for v in vias)
    return "BOTH" if direct and indirect else "DIRECT" if direct else "INDIRECT"


Route = tuple[tuple[str, str], ...]
"""The objects a grant passes between the user and the target, in order."""


Sudo = tuple[bool, bool] | None
"""(enabled, withoutPassword), or None when no route grants sudo."""


def system_groups_of(org: Org, system_id: str) -> set[str]:
    return {g for s, g in org.system_memberships if s == system_id}


def _sudo(org: Org, binding: tuple[str, str, str, str]) -> tuple[bool, bool]:
    sudo = (org.binding_attributes.get(binding) or {}).get("sudo") or {}
    return bool(sudo.get("enabled")), bool(sudo.get("enabled") and sudo.get("withoutPassword"))


def effective_systems(org: Org, user_id: str) -> dict[str, tuple[set[Route], Sudo]]:
    """system id -> (routes, sudo): the four ways a user reaches a system (direct; through a
    user group; through a system group holding the system; through a user group bound to such
    a system group), and sudo compiled over every route: enabled when any route's binding
    grants it, without a password when any granting route says so; None when none grants."""
    found: dict[str, tuple[set[Route], list[tuple[bool, bool]]]] = {}

    def grant(system_id: str, route: Route, binding: tuple[str, str, str, str]) -> None:
        routes, sudos = found.setdefault(system_id, (set(), []))
        routes.add(route)
        sudos.append(_sudo(org, binding))

    groups = groups_of(org, user_id)
    by_group: dict[str, set[str]] = {}
    for system_id, group_id in org.system_memberships:
        by_group.setdefault(group_id, set()).add(system_id)
    for source, source_id, target_type, target_id in org.bindings:
        binding = (source, source_id, target_type, target_id)
        if source == "user" and source_id == user_id:
            hops: Route = ()
        elif source == "user_group" and source_id in groups:
            hops = (("user_group", source_id),)
        else:
            continue
        if target_type == "system":
            grant(target_id, hops, binding)
        elif target_type == "system_group":
            for system_id in by_group.get(target_id, set()):
                grant(system_id, (*hops, ("system_group", target_id)), binding)
    out: dict[str, tuple[set[Route], Sudo]] = {}
    for system_id, (routes, sudos) in found.items():
        enabled = any(e for e, _ in sudos)
        out[system_id] = (routes, (True, any(w for _, w in sudos)) if enabled else None)
    return out


def route_kind(routes: set[Route]) -> str:
    direct, indirect = () in routes, any(routes - {()})
    return "BOTH" if direct and indirect else "DIRECT" if direct else "INDIRECT"


def hops(user_id: str, route: Route, target: tuple[str, str]) -> list[dict[str, Any]]:
    """The hops of one grant as the API spells them: from the user, through the route."""
    ends = [("user", user_id), *route, target]
    ref = [{"type": t.upper(), "jumpcloudId": i} for t, i in ends]
    return [{"from": a, "to": b} for a, b in itertools.pairwise(ref)]
