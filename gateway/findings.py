"""Access findings: what in a directory deserves a look, each with the paths that show it.

Every read goes through the request's loaders (cached, batched, planned like any field):
the whole organisation's findings page through its users once, read their effective access
with the planner (which, for a whole list of users, reads from the targets' side), and
reuse what that already told (a group on some user's path has members; an application on
none is reached by nobody) before reading anything more. Findings about one object read
only what that object needs, and equal the organisation's findings whose subject it is.

Definitions and severities (the README's *Findings* section says the same):

- ADMIN_WITHOUT_MFA (CRITICAL): a console administrator, not suspended, with neither
  `enableMultiFactor` nor `totpEnrolled` set. API-NOTES §8 lists both fields (V1
  `userreturn`, V2 `Administrator`) but describes neither; the organisation-wide
  `settings.requireAdminMFA` (§8, Organizations) is not read.
- SUSPENDED_USER_WITH_ACCESS (HIGH), STAGED_USER_WITH_ACCESS (MEDIUM): a user in that
  `state` still reaches an application, LDAP server, RADIUS server or system; one finding
  per target, its evidence every path that would have to go.
- LOCKED_USER_WITH_ACCESS (MEDIUM): the same for `account_locked`.
- USER_WITHOUT_MFA_WITH_ACCESS: an ACTIVATED user with no MFA factor enrolled reaches an
  application (MEDIUM) or holds sudo on a system (HIGH).
- SUDO_WITHOUT_PASSWORD (HIGH): a system on which a user's compiled sudo is enabled without
  a password; the subject is the system, the target the user.
- ADMIN_ALSO_USER_WITH_BROAD_ACCESS (MEDIUM): a console administrator, not suspended, whose
  system user (same email, as `Admin.user`) reaches more than N applications
  (`JCGRAPH_BROAD_ACCESS_APPLICATIONS`).
- DIRECT_BINDING (LOW): an access granted by the user's own binding (to the target, or to a
  system group holding it) rather than through a user group. Its evidence is that path and
  then the group-based alternative: the paths through the user's own groups to the same
  target, when there are any (then the binding can go and nothing changes).
- REDUNDANT_PATH (LOW): an access granted by more than one path (kind BOTH, or several
  groups). One path is kept, the shortest through a user group (else the shortest); the
  evidence is the rest, which could all be removed without taking the access away (the
  compiled sudo of a system may still change).
- EMPTY_GROUP_WITH_BINDINGS (LOW): a user group with no members bound to anything.
- APPLICATION_WITHOUT_ACCESS (LOW): an application no user reaches.

Findings are ordered by severity (CRITICAL first), kind (the order above), subject id and
target id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.jumpcloud.filters import SortKey
from gateway.loaders import Loaders
from gateway.model import (
    ACCESS_APPLICATIONS,
    ACCESS_BY_TARGET,
    ACCESS_SYSTEMS,
    ADMIN,
    APPLICATION,
    GROUP,
    LDAP_SERVER,
    MEMBERSHIP,
    RADIUS_SERVER,
    RELATIONS,
    SYSTEM,
    SYSTEM_GROUP,
    USER,
    GraphType,
    Kind,
    Neighbour,
    Record,
    Route,
    ordered_routes,
    record_id,
)

PAGE = 100  # users per page read (JumpCloud's largest, API-NOTES §3)


class FindingKind(enum.Enum):
    """What a finding is about; declared in the order findings of one severity are listed."""

    ADMIN_WITHOUT_MFA = "ADMIN_WITHOUT_MFA"
    SUSPENDED_USER_WITH_ACCESS = "SUSPENDED_USER_WITH_ACCESS"
    STAGED_USER_WITH_ACCESS = "STAGED_USER_WITH_ACCESS"
    LOCKED_USER_WITH_ACCESS = "LOCKED_USER_WITH_ACCESS"
    USER_WITHOUT_MFA_WITH_ACCESS = "USER_WITHOUT_MFA_WITH_ACCESS"
    SUDO_WITHOUT_PASSWORD = "SUDO_WITHOUT_PASSWORD"
    ADMIN_ALSO_USER_WITH_BROAD_ACCESS = "ADMIN_ALSO_USER_WITH_BROAD_ACCESS"
    DIRECT_BINDING = "DIRECT_BINDING"
    REDUNDANT_PATH = "REDUNDANT_PATH"
    EMPTY_GROUP_WITH_BINDINGS = "EMPTY_GROUP_WITH_BINDINGS"
    APPLICATION_WITHOUT_ACCESS = "APPLICATION_WITHOUT_ACCESS"


K = FindingKind


class Severity(enum.Enum):
    """How urgent a finding is, least first; a `severity` filter is a minimum."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _SEVERITIES.index(self)


_SEVERITIES = list(Severity)
_KINDS = list(FindingKind)

ACCESS_TARGETS: tuple[Kind, ...] = tuple(ACCESS_BY_TARGET)
"""The kinds users reach (applications, LDAP and RADIUS servers, systems), model order."""
GROUP_BINDINGS = tuple(r for r in RELATIONS if r.left is GROUP)
"""What a user group can be bound to (applications, servers, systems, system groups)."""

_ADMIN_KINDS = frozenset(
    {FindingKind.ADMIN_WITHOUT_MFA, FindingKind.ADMIN_ALSO_USER_WITH_BROAD_ACCESS}
)
_NOUN = {
    APPLICATION: "application",
    LDAP_SERVER: "LDAP server",
    RADIUS_SERVER: "RADIUS server",
    SYSTEM: "system",
    SYSTEM_GROUP: "system group",
}
_PLURAL = {
    APPLICATION: "applications",
    LDAP_SERVER: "LDAP servers",
    RADIUS_SERVER: "RADIUS servers",
    SYSTEM: "systems",
    SYSTEM_GROUP: "system groups",
}


@dataclass(frozen=True)
class Evidence:
    """One path from a user to a target: the objects between them (`()`: direct)."""

    user_id: str
    target: Kind
    target_id: str
    route: Route


@dataclass(frozen=True)
class Found:
    """One finding: what, how urgent, about which object, and the paths that show it."""

    kind: FindingKind
    severity: Severity
    subject: Kind
    subject_id: str
    summary: str
    target: Kind | None = None
    target_id: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def order(self) -> tuple[int, int, str, str]:
        return (-self.severity.rank, _KINDS.index(self.kind), self.subject_id, self.target_id or "")


def ordered(found: Iterable[Found]) -> list[Found]:
    """Findings in their stable order: severity, kind, subject id, target id."""
    return sorted(found, key=Found.order)


def selected(
    found: Iterable[Found], kinds: Collection[FindingKind] | None, severity: Severity | None
) -> list[Found]:
    """Those of `kinds` (all when None) at `severity` or above."""
    least = severity.rank if severity else 0
    return [f for f in found if (kinds is None or f.kind in kinds) and f.severity.rank >= least]


# ---- the whole organisation -------------------------------------------------------------


async def of_organisation(
    loaders: Loaders, broad: int, kinds: Collection[FindingKind] | None = None
) -> list[Found]:
    """Every finding of the organisation (of `kinds`, when given), in order. The admins'
    findings and the users' are read side by side."""
    wanted = set(kinds or _KINDS)
    parts = await asyncio.gather(
        _admins_part(loaders, broad, wanted), _access_part(loaders, wanted)
    )
    return ordered(f for part in parts for f in part)


async def _admins_part(loaders: Loaders, broad: int, wanted: set[FindingKind]) -> list[Found]:
    if not wanted & _ADMIN_KINDS:
        return []
    return await _admin_findings(loaders, await loaders.collection(ADMIN), broad, wanted)


async def _access_part(loaders: Loaders, wanted: set[FindingKind]) -> list[Found]:
    """Everything read from the users' effective access, and then what it leaves open."""
    if not wanted - _ADMIN_KINDS:
        return []
    for kind in (APPLICATION, LDAP_SERVER, RADIUS_SERVER, GROUP):
        loaders.prefetch(kind)  # read beside the users' pages, not after them
    users = await _all_users(loaders)
    reach = await _reach(loaders, users)
    out = await _user_findings(loaders, users, reach, wanted)
    if K.APPLICATION_WITHOUT_ACCESS in wanted:
        reached = {n.id for per_user in reach.values() for n in per_user[APPLICATION]}
        applications = await loaders.collection(APPLICATION)
        out += [_unreached(a) for a in applications if record_id(a) not in reached]
    if K.EMPTY_GROUP_WITH_BINDINGS in wanted:
        # A group on some user's path has that user as a member: no need to read it.
        on_paths = {
            i
            for per_user in reach.values()
            for found in per_user.values()
            for n in found
            for route in n.routes
            for t, i in route
            if t == GraphType.USER_GROUP.value
        }
        groups = await loaders.collection(GROUP)
        out += await _group_findings(loaders, [g for g in groups if record_id(g) not in on_paths])
    return out


async def _all_users(loaders: Loaders) -> list[Record]:
    """Every user, a page at a time (the pages after the first read together); the pages
    tell the planner the whole list is coming, so access is read from the targets' side."""
    sort = [SortKey("_id")]
    first = await loaders.page(USER, 0, PAGE, [], sort)
    ids = list(first.ids)
    if first.total > PAGE:
        rest = await loaders.page(USER, PAGE, first.total - PAGE, [], sort)
        ids += rest.ids
    records = await loaders.record(USER).load_many(ids)
    return [r for r in records if r is not None]


Reach = dict[str, dict[Kind, list[Neighbour]]]
"""user id -> target kind -> the targets the user reaches (routes from the user's side)."""


async def _reach(loaders: Loaders, users: Sequence[Record]) -> Reach:
    ids = [record_id(u) for u in users]
    found = await asyncio.gather(
        *(loaders.edges(ACCESS_BY_TARGET[k], USER).load_many(ids) for k in ACCESS_TARGETS)
    )
    return {
        user_id: {k: found[n][i] for n, k in enumerate(ACCESS_TARGETS)}
        for i, user_id in enumerate(ids)
    }


# ---- one object -------------------------------------------------------------------------


async def of_subject(loaders: Loaders, kind: Kind, record: Record, broad: int) -> list[Found]:
    """The findings whose subject is this object, in order: the organisation's findings
    about it, read with only what it needs."""
    subject_id = record_id(record)
    out: list[Found] = []
    if kind is USER:
        out = await _user_findings(loaders, [record], await _reach(loaders, [record]), set(_KINDS))
    elif kind is ADMIN:
        out = await _admin_findings(loaders, [record], broad, set(_KINDS))
    elif kind is GROUP:
        out = await _group_findings(loaders, [record])
    elif kind is APPLICATION:
        users = await loaders.edges(ACCESS_APPLICATIONS, APPLICATION).load(subject_id)
        out = [] if users else [_unreached(record)]
    elif kind is SYSTEM:
        out = await _system_findings(loaders, record)
    return ordered(f for f in out if f.subject is kind and f.subject_id == subject_id)


# ---- the checks -------------------------------------------------------------------------


def has_mfa(user: Mapping[str, Any]) -> bool:
    """A factor enrolled: `mfaEnrollment.overallStatus` or a factor's status ENROLLED, or
    `totp_enabled` (API-NOTES §8 lists the fields and their values, not their meaning;
    `mfa.configured` is not taken as enrolment)."""
    enrollment = user.get("mfaEnrollment") or {}
    statuses = ("overallStatus", "totpStatus", "webAuthnStatus", "pushStatus")
    return bool(user.get("totp_enabled")) or any(enrollment.get(s) == "ENROLLED" for s in statuses)


def user_state(user: Mapping[str, Any]) -> str:
    """`state` (STAGED, ACTIVATED or SUSPENDED), else from the `suspended` flag."""
    state = user.get("state")
    if state in ("STAGED", "ACTIVATED", "SUSPENDED"):
        return str(state)
    return "SUSPENDED" if user.get("suspended") else "ACTIVATED"


def _sudo(attributes: Mapping[str, Any] | None) -> tuple[bool, bool]:
    """(enabled, without a password) from a traversal's compiled attributes."""
    sudo = (attributes or {}).get("sudo") or {}
    enabled = bool(sudo.get("enabled"))
    return enabled, enabled and bool(sudo.get("withoutPassword"))


def _through_group(route: Route) -> bool:
    return any(t == GraphType.USER_GROUP.value for t, _ in route)


def _evidence(
    user_id: str, target: Kind, target_id: str, routes: Iterable[Route]
) -> tuple[Evidence, ...]:
    return tuple(Evidence(user_id, target, target_id, r) for r in routes)


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
            names[(kind, object_id)] = _name(kind, record, object_id)
    return names


def _name(kind: Kind, record: Mapping[str, Any] | None, fallback: str) -> str:
    """An object's name as people know it: never an email."""
    if record is None:
        return fallback
    if kind is USER:
        value = record.get("username")
    elif kind is ADMIN:
        value = " ".join(str(p) for p in (record.get("firstname"), record.get("lastname")) if p)
    elif kind is APPLICATION:
        value = record.get("displayLabel") or record.get("displayName") or record.get("name")
    elif kind is SYSTEM:
        value = record.get("hostname") or record.get("displayName")
    else:
        value = record.get("name")
    return str(value) if value else fallback


_TARGET = "\x00"
"""Stands for the target's name in a summary until the names are read: only the targets
that raise a finding are read for their names."""


async def _user_findings(
    loaders: Loaders, users: Sequence[Record], reach: Reach, wanted: set[FindingKind]
) -> list[Found]:
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
    who, what = _name(USER, user, user_id), f"{_NOUN[target]} {_TARGET}"
    state, mfa = user_state(user), has_mfa(user)
    routes = ordered_routes(n.routes)
    every = _evidence(user_id, target, n.id, routes)
    sudo, without_password = _sudo(n.attributes) if target is SYSTEM else (False, False)
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
            _evidence(user_id, target, n.id, [*own, *grouped]),
        )
    if len(routes) > 1:
        keep = grouped[0] if grouped else routes[0]
        spare = [r for r in routes if r != keep]
        add(
            K.REDUNDANT_PATH,
            Severity.LOW,
            f"User {who} reaches {what} through {paths}; {len(spare)} could be removed "
            "without taking the access away.",
            _evidence(user_id, target, n.id, spare),
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
        _evidence(user_id, SYSTEM, system_id, routes),
    )


async def _system_findings(loaders: Loaders, system: Record) -> list[Found]:
    """A system's findings, read from its side: who holds sudo there without a password."""
    system_id = record_id(system)
    users = await loaders.edges(ACCESS_SYSTEMS, SYSTEM).load(system_id)
    sudoers = [n for n in users if _sudo(n.attributes)[1]]
    records = await loaders.record(USER).load_many([n.id for n in sudoers])
    hostname = _name(SYSTEM, system, system_id)
    return [
        _sudo_without_password(
            system_id,
            hostname,
            n.id,
            _name(USER, record, n.id),
            # Read from the system's side: each route reversed, to run from the user.
            ordered_routes(r[::-1] for r in n.routes),
        )
        for n, record in zip(sudoers, records, strict=True)
    ]


async def _admin_findings(
    loaders: Loaders, admins: Sequence[Record], broad: int, wanted: set[FindingKind]
) -> list[Found]:
    active = [a for a in admins if not a.get("suspended")]
    out: list[Found] = []
    if K.ADMIN_WITHOUT_MFA in wanted:
        out += [
            Found(
                K.ADMIN_WITHOUT_MFA,
                Severity.CRITICAL,
                ADMIN,
                record_id(a),
                f"Console administrator {_name(ADMIN, a, record_id(a))} has neither MFA "
                "(enableMultiFactor) nor TOTP enrolled.",
            )
            for a in active
            if not a.get("enableMultiFactor") and not a.get("totpEnrolled")
        ]
    if K.ADMIN_ALSO_USER_WITH_BROAD_ACCESS not in wanted:
        return out
    # The user with the same email, found as `Admin.user` finds it.
    emailed = [a for a in active if a.get("email")]
    user_ids = await loaders.lookup(USER, "email").load_many([str(a["email"]) for a in emailed])
    matched = [(a, u) for a, u in zip(emailed, user_ids, strict=True) if u is not None]
    reached = await loaders.edges(ACCESS_APPLICATIONS, USER).load_many([u for _, u in matched])
    broad_users = [(a, u, r) for (a, u), r in zip(matched, reached, strict=True) if len(r) > broad]
    users = await loaders.record(USER).load_many([u for _, u, _ in broad_users])
    for (admin, user_id, applications), user in zip(broad_users, users, strict=True):
        admin_id = record_id(admin)
        out.append(
            Found(
                K.ADMIN_ALSO_USER_WITH_BROAD_ACCESS,
                Severity.MEDIUM,
                ADMIN,
                admin_id,
                f"Console administrator {_name(ADMIN, admin, admin_id)} is also user "
                f"{_name(USER, user, user_id)}, who reaches {len(applications)} applications "
                f"(more than {broad}).",
                USER,
                user_id,
                tuple(
                    e
                    for n in applications
                    for e in _evidence(user_id, APPLICATION, n.id, ordered_routes(n.routes))
                ),
            )
        )
    return out


async def _group_findings(loaders: Loaders, groups: Sequence[Record]) -> list[Found]:
    """Of `groups`, those with no member but some binding: memberships first, then only
    the empty groups' bindings."""
    ids = [record_id(g) for g in groups]
    members = await loaders.edges(MEMBERSHIP, GROUP).load_many(ids)
    empty = [(g, i) for g, i, m in zip(groups, ids, members, strict=True) if not m]
    bound = await asyncio.gather(
        *(loaders.edges(r, GROUP).load_many([i for _, i in empty]) for r in GROUP_BINDINGS)
    )
    out: list[Found] = []
    for index, (group, group_id) in enumerate(empty):
        counts = [
            (relation.right, len(found[index]))
            for relation, found in zip(GROUP_BINDINGS, bound, strict=True)
            if found[index]
        ]
        if not counts:
            continue
        listed = ", ".join(
            f"{count} {_PLURAL[kind] if count > 1 else _NOUN[kind]}" for kind, count in counts
        )
        out.append(
            Found(
                K.EMPTY_GROUP_WITH_BINDINGS,
                Severity.LOW,
                GROUP,
                group_id,
                f"Group {_name(GROUP, group, group_id)} has no members but is bound to {listed}.",
            )
        )
    return out


def _unreached(application: Record) -> Found:
    app_id = record_id(application)
    return Found(
        K.APPLICATION_WITHOUT_ACCESS,
        Severity.LOW,
        APPLICATION,
        app_id,
        f"No user can reach application {_name(APPLICATION, application, app_id)}.",
    )
