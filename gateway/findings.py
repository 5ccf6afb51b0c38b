"""Access findings gathered: over the whole organisation, or about one object.

Every read goes through the request's loaders (cached, batched, planned like any field):
the whole organisation's findings page through its users once, read their effective access
with the planner (which, for a whole list of users, reads from the targets' side), and
reuse what that already told (a group on some user's path has members; an application on
none is reached by nobody) before reading anything more. Findings about one object read
only what that object needs, and equal the organisation's findings whose subject it is.

What each kind means and how urgent it is: gateway/findings_kinds.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence

from gateway.findings_access import Reach, system_findings, user_findings
from gateway.findings_admins import admin_findings
from gateway.findings_kinds import ACCESS_TARGETS, FindingKind, Found, K, ordered
from gateway.findings_unused import group_findings, unreached
from gateway.jumpcloud import SortKey
from gateway.loaders import Loaders
from gateway.model import (
    ACCESS_APPLICATIONS,
    ACCESS_BY_TARGET,
    ADMIN,
    APPLICATION,
    GROUP,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    USER,
    GraphType,
    Kind,
    Listing,
    Record,
    record_id,
)

PAGE = 100  # users per page read (JumpCloud's largest page is 100)

_ADMIN_KINDS = frozenset(
    {FindingKind.ADMIN_WITHOUT_MFA, FindingKind.ADMIN_ALSO_USER_WITH_BROAD_ACCESS}
)


# ---- the whole organisation -------------------------------------------------------------


async def of_organisation(
    loaders: Loaders, broad: int, kinds: Collection[FindingKind] | None = None
) -> list[Found]:
    """Every finding of the organisation (of `kinds`, when given), in order. The admins'
    findings and the users' are read side by side."""
    wanted = set(kinds or FindingKind)
    parts = await asyncio.gather(
        _admins_part(loaders, broad, wanted), _access_part(loaders, wanted)
    )
    return ordered(f for part in parts for f in part)


async def _admins_part(loaders: Loaders, broad: int, wanted: set[FindingKind]) -> list[Found]:
    if not wanted & _ADMIN_KINDS:
        return []
    return await admin_findings(loaders, await loaders.collection(ADMIN), broad, wanted)


async def _access_part(loaders: Loaders, wanted: set[FindingKind]) -> list[Found]:
    """Everything read from the users' effective access, and then what it leaves open."""
    if not wanted - _ADMIN_KINDS:
        return []
    for kind in (APPLICATION, LDAP_SERVER, RADIUS_SERVER, GROUP):
        loaders.prefetch(kind)  # read beside the users' pages, not after them
    users = await _all_users(loaders)
    reach = await _reach(loaders, users)
    out = await user_findings(loaders, users, reach, wanted)
    if K.APPLICATION_WITHOUT_ACCESS in wanted:
        reached = {n.id for per_user in reach.values() for n in per_user[APPLICATION]}
        applications = await loaders.collection(APPLICATION)
        out += [unreached(a) for a in applications if record_id(a) not in reached]
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
        out += await group_findings(loaders, [g for g in groups if record_id(g) not in on_paths])
    return out


async def _all_users(loaders: Loaders) -> list[Record]:
    """Every user, a page at a time (the pages after the first read together); the pages
    tell the planner the whole list is coming, so access is read from the targets' side."""
    by_id = (SortKey("_id"),)
    first = await loaders.page(Listing(USER, 0, PAGE, sort=by_id))
    ids = list(first.ids)
    if first.total > PAGE:
        rest = await loaders.page(Listing(USER, PAGE, first.total - PAGE, sort=by_id))
        ids += rest.ids
    records = await loaders.record(USER).load_many(ids)
    return [r for r in records if r is not None]


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
    every = set(FindingKind)
    out: list[Found] = []
    if kind is USER:
        out = await user_findings(loaders, [record], await _reach(loaders, [record]), every)
    elif kind is ADMIN:
        out = await admin_findings(loaders, [record], broad, every)
    elif kind is GROUP:
        out = await group_findings(loaders, [record])
    elif kind is APPLICATION:
        users = await loaders.edges(ACCESS_APPLICATIONS, APPLICATION).load(subject_id)
        out = [] if users else [unreached(record)]
    elif kind is SYSTEM:
        out = await system_findings(loaders, record)
    return ordered(f for f in out if f.subject is kind and f.subject_id == subject_id)
