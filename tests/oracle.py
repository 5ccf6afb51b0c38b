"""Answers computed straight from a simulator Org's edge sets, independent of any endpoint."""

from __future__ import annotations

import itertools
from collections.abc import Callable
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
    return _effective(
        lambda source_type, source_id: bound(org, source_type, source_id, target_type),
        user_id,
        groups_of(org, user_id),
    )


def _effective(
    bound_to: Callable[[str, str], set[str]], user_id: str, groups: set[str]
) -> dict[str, set[Via]]:
    out: dict[str, set[Via]] = {}
    for target in bound_to("user", user_id):
        out.setdefault(target, set()).add(None)
    for group in groups:
        for target in bound_to("user_group", group):
            out.setdefault(target, set()).add(group)
    return out


class Indexed:
    """`groups_of` and `effective` for orgs of thousands of users: the same rules over the
    edge sets, indexed once instead of scanned per user."""

    def __init__(self, org: Org) -> None:
        self._groups: dict[str, set[str]] = {}
        for user, group in org.memberships:
            self._groups.setdefault(user, set()).add(group)
        self._bound: dict[tuple[str, str, str], set[str]] = {}
        for source_type, source_id, target_type, target in org.bindings:
            self._bound.setdefault((source_type, source_id, target_type), set()).add(target)

    def groups_of(self, user_id: str) -> set[str]:
        return self._groups.get(user_id, set())

    def effective(self, user_id: str, target_type: str) -> dict[str, set[Via]]:
        return _effective(
            lambda source_type, source_id: self._bound.get(
                (source_type, source_id, target_type), set()
            ),
            user_id,
            self.groups_of(user_id),
        )


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


# ---- findings -------------------------------------------------------------------------
# The findings the README defines, computed from the store's records and edge sets alone.

FINDING_KINDS = (
    "ADMIN_WITHOUT_MFA",
    "SUSPENDED_USER_WITH_ACCESS",
    "STAGED_USER_WITH_ACCESS",
    "LOCKED_USER_WITH_ACCESS",
    "USER_WITHOUT_MFA_WITH_ACCESS",
    "SUDO_WITHOUT_PASSWORD",
    "ADMIN_ALSO_USER_WITH_BROAD_ACCESS",
    "DIRECT_BINDING",
    "REDUNDANT_PATH",
    "EMPTY_GROUP_WITH_BINDINGS",
    "APPLICATION_WITHOUT_ACCESS",
)
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")

Proof = tuple[str, str, Route]
"""One evidence path: (user id, target id, route from the user)."""
Finding = tuple[str, str, str, str, str | None, str | None, tuple[Proof, ...]]
"""(kind, severity, subject type, subject id, target type, target id, evidence)."""


def _shortest_first(routes: Any) -> list[Route]:
    return sorted(set(routes), key=lambda r: (len(r), r))


def reach(org: Org, user_id: str) -> dict[tuple[str, str], tuple[list[Route], Sudo]]:
    """(target type, target id) -> (routes from the user, shortest first; sudo)."""
    out: dict[tuple[str, str], tuple[list[Route], Sudo]] = {}
    for target_type in ("application", "ldap_server", "radius_server"):
        for target, vias in effective(org, user_id, target_type).items():
            routes = [() if v is None else (("user_group", v),) for v in vias]
            out[(target_type, target)] = (_shortest_first(routes), None)
    for system_id, (routes, sudo) in effective_systems(org, user_id).items():
        out[("system", system_id)] = (_shortest_first(routes), sudo)
    return out


_TYPE_NAMES = {
    "application": "Application",
    "ldap_server": "LdapServer",
    "radius_server": "RadiusServer",
    "system": "System",
}


def enrolled(user: dict[str, Any]) -> bool:
    factors = user.get("mfaEnrollment") or {}
    return user.get("totp_enabled") is True or "ENROLLED" in (
        factors.get("overallStatus"),
        factors.get("totpStatus"),
        factors.get("webAuthnStatus"),
        factors.get("pushStatus"),
    )


def findings(org: Org, broad: int = 10) -> list[Finding]:
    """Every finding of the org, in the documented order."""
    out: list[Finding] = []
    reached = {u: reach(org, u) for u in org.users}
    by_email = {u["email"]: u_id for u_id, u in org.users.items()}
    for admin_id, admin in org.admins.items():
        if admin.get("suspended"):
            continue
        if not admin.get("enableMultiFactor") and not admin.get("totpEnrolled"):
            out.append(("ADMIN_WITHOUT_MFA", "CRITICAL", "Admin", admin_id, None, None, ()))
        user_id = by_email.get(admin["email"])
        apps = sorted(t for k, t in (reached.get(user_id) or {}) if k == "application")
        if user_id is not None and len(apps) > broad:
            proof = tuple(
                (user_id, app, route)
                for app in apps
                for route in reached[user_id][("application", app)][0]
            )
            out.append(
                (
                    "ADMIN_ALSO_USER_WITH_BROAD_ACCESS",
                    "MEDIUM",
                    "Admin",
                    admin_id,
                    "User",
                    user_id,
                    proof,
                )
            )
    for user_id, user in org.users.items():
        state = user["state"]
        for (target_type, target), (routes, sudo) in reached[user_id].items():
            every = tuple((user_id, target, r) for r in routes)
            about = ("User", user_id, _TYPE_NAMES[target_type], target)

            def add(kind: str, severity: str, proof: tuple[Proof, ...] = every) -> None:
                out.append((kind, severity, *about, proof))  # noqa: B023 - used at once

            if state == "SUSPENDED":
                add("SUSPENDED_USER_WITH_ACCESS", "HIGH")
            if state == "STAGED":
                add("STAGED_USER_WITH_ACCESS", "MEDIUM")
            if user.get("account_locked"):
                add("LOCKED_USER_WITH_ACCESS", "MEDIUM")
            if state == "ACTIVATED" and not enrolled(user):
                if target_type == "application":
                    add("USER_WITHOUT_MFA_WITH_ACCESS", "MEDIUM")
                if sudo is not None:
                    add("USER_WITHOUT_MFA_WITH_ACCESS", "HIGH")
            if sudo is not None and sudo[1]:
                out.append(
                    ("SUDO_WITHOUT_PASSWORD", "HIGH", "System", target, "User", user_id, every)
                )
            grouped = [r for r in routes if any(t == "user_group" for t, _ in r)]
            own = [r for r in routes if r not in grouped]
            if own:
                add("DIRECT_BINDING", "LOW", tuple((user_id, target, r) for r in own + grouped))
            if len(routes) > 1:
                kept = grouped[0] if grouped else routes[0]
                spare = tuple((user_id, target, r) for r in routes if r != kept)
                add("REDUNDANT_PATH", "LOW", spare)
    for group_id in org.groups:
        bound_to = {b for b in org.bindings if b[:2] == ("user_group", group_id)}
        if bound_to and not members_of(org, group_id):
            out.append(("EMPTY_GROUP_WITH_BINDINGS", "LOW", "Group", group_id, None, None, ()))
    reachable = {t for grants in reached.values() for k, t in grants if k == "application"}
    for app_id in org.applications:
        if app_id not in reachable:
            out.append(("APPLICATION_WITHOUT_ACCESS", "LOW", "Application", app_id, None, None, ()))
    return sorted(
        out,
        key=lambda f: (-SEVERITIES.index(f[1]), FINDING_KINDS.index(f[0]), f[3], f[5] or ""),
    )
