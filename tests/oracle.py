"""Answers computed straight from a simulator Org's edge sets, independent of any endpoint."""

from __future__ import annotations

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
