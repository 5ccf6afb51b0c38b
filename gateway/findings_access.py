"""The findings a user's access raises: state, MFA, sudo, direct bindings and redundant paths.

A user's findings are read from the user's side (their effective access, one target
kind at a time); a system's, from the system's side: who holds sudo there without a
password. Only the targets that raise a finding are read for their names.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Sequence

from gateway.findings_facts import display_name, has_mfa, sudo_of, user_state
from gateway.findings_kinds import (
    ACCESS_TARGETS,
    NOUN,
    Evidence,
    FindingKind,
    Found,
    K,
    Severity,
    evidence_of,
)
from gateway.loaders import Loaders
from gateway.model import (
    ACCESS_SYSTEMS,
    APPLICATION,
    SYSTEM,
    USER,
    GraphType,
    Kind,
    Neighbour,
    Record,
    Route,
    ordered_routes,
    record_id,
)

Reach = dict[str, dict[Kind, list[Neighbour]]]
"""user id -> target kind -> the targets the user reaches (routes from the user's side)."""

_TARGET = "\x00"
"""Stands for the target's name in a summary until the names are read: only the targets
that raise a finding are read for their names."""


def _through_group(route: Route) -> bool:
    return any(t == GraphType.USER_GROUP.value for t, _ in route)


def _paths(count: int) -> str:
    return "1 path" if count == 1 else f"{count} paths"


async def _names(
    loaders: Loaders, objects: Iterable[tuple[Kind, str]]
) -> dict[tuple[Kind, str], str]:
    """Display names of `objects`: small collections whole, systems by id, in one wave."""
    wanted: dict[Kind, list[str]] = {}
    for kind, object_id in sorted(set(objects), key=lambda o: (o[0].name, o[1])):
        wanted.setdefault(kind, []).append(object_id)
    reads = [loaders.record(k).load_many(ids) for k, ids in wanted.items()]
    names: dict[tuple[Kind, str], str] = {}
    for (kind, ids), records in zip(wanted.items(), await asyncio.gather(*reads), strict=True):
        for object_id, record in zip(ids, records, strict=True):
            names[(kind, object_id)] = display_name(kind, record, object_id)
    return names


async def user_findings(
    loaders: Loaders, users: Sequence[Record], reach: Reach, wanted: set[FindingKind]
) -> list[Found]:
    """The findings of `wanted` kinds that `users`' access (`reach`) raises, names read."""
    raised: list[tuple[Found, Kind, str]] = []
    for user in users:
        for target in ACCESS_TARGETS:
            for n in reach[record_id(user)][target]:
                raised += [(f, target, n.id) for f in _access_findings(user, target, n)]
    raised = [r for r in raised if r[0].kind in wanted]
    names = await _names(loaders, ((k, i) for _, k, i in raised))
    return [
        dataclasses.replace(f, summary=f.summary.replace(_TARGET, names[(k, i)]))
        for f, k, i in raised
    ]


def _access_findings(user: Record, target: Kind, n: Neighbour) -> list[Found]:
    """The findings one user's access to one target raises (`_TARGET` for its name)."""
    user_id = record_id(user)
    who, what = display_name(USER, user, user_id), f"{NOUN[target]} {_TARGET}"
    state, mfa = user_state(user), has_mfa(user)
    routes = ordered_routes(n.routes)
    every = evidence_of(user_id, target, n.id, routes)
    sudo, without_password = sudo_of(n.attributes) if target is SYSTEM else (False, False)
    out: list[Found] = []

    def add(
        kind: FindingKind, severity: Severity, summary: str, evidence: tuple[Evidence, ...] = every
    ) -> None:
        out.append(Found(kind, severity, USER, user_id, summary, target, n.id, evidence))

    paths = _paths(len(routes))
    if state == "SUSPENDED":
        add(
            K.SUSPENDED_USER_WITH_ACCESS,
            Severity.HIGH,
            f"Suspended user {who} can still reach {what} ({paths}).",
        )
    if state == "STAGED":
        add(
            K.STAGED_USER_WITH_ACCESS,
            Severity.MEDIUM,
            f"Staged user {who} can already reach {what} ({paths}).",
        )
    if user.get("account_locked"):
        add(
            K.LOCKED_USER_WITH_ACCESS,
            Severity.MEDIUM,
            f"Locked-out user {who} still reaches {what} ({paths}).",
        )
    if state == "ACTIVATED" and not mfa and target is APPLICATION:
        add(
            K.USER_WITHOUT_MFA_WITH_ACCESS,
            Severity.MEDIUM,
            f"User {who} has no MFA factor enrolled and can reach {what}.",
        )
    if state == "ACTIVATED" and not mfa and sudo:
        add(
            K.USER_WITHOUT_MFA_WITH_ACCESS,
            Severity.HIGH,
            f"User {who} has no MFA factor enrolled and holds sudo on {what}.",
        )
    if without_password:
        out.append(_sudo_without_password(n.id, _TARGET, user_id, who, routes))
    own = [r for r in routes if not _through_group(r)]
    grouped = [r for r in routes if _through_group(r)]
    if own:
        instead = (
            f"{_paths(len(grouped))} through their groups already grant it"
            if grouped
            else "no group of theirs grants it"
        )
        add(
            K.DIRECT_BINDING,
            Severity.LOW,
            f"User {who} is bound to {what} directly, not through a group; {instead}.",
            evidence_of(user_id, target, n.id, [*own, *grouped]),
        )
    if len(routes) > 1:
        keep = grouped[0] if grouped else routes[0]
        spare = [r for r in routes if r != keep]
        add(
            K.REDUNDANT_PATH,
            Severity.LOW,
            f"User {who} reaches {what} through {paths}; {len(spare)} could be removed "
            "without taking the access away.",
            evidence_of(user_id, target, n.id, spare),
        )
    return out


def _sudo_without_password(
    system_id: str, hostname: str, user_id: str, who: str, routes: Sequence[Route]
) -> Found:
    return Found(
        K.SUDO_WITHOUT_PASSWORD,
        Severity.HIGH,
        SYSTEM,
        system_id,
        f"System {hostname} lets user {who} run sudo without a password ({_paths(len(routes))}).",
        USER,
        user_id,
        evidence_of(user_id, SYSTEM, system_id, routes),
    )


async def system_findings(loaders: Loaders, system: Record) -> list[Found]:
    """A system's findings, read from its side: who holds sudo there without a password."""
    system_id = record_id(system)
    users = await loaders.edges(ACCESS_SYSTEMS, SYSTEM).load(system_id)
    sudoers = [n for n in users if sudo_of(n.attributes)[1]]
    records = await loaders.record(USER).load_many([n.id for n in sudoers])
    hostname = display_name(SYSTEM, system, system_id)
    return [
        _sudo_without_password(
            system_id,
            hostname,
            n.id,
            display_name(USER, record, n.id),
            # Read from the system's side: each route reversed, to run from the user.
            ordered_routes(r[::-1] for r in n.routes),
        )
        for n, record in zip(sudoers, records, strict=True)
    ]
