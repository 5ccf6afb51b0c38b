"""The findings about what nothing uses: groups bound but empty, applications nobody reaches."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from gateway.findings_facts import display_name
from gateway.findings_kinds import NOUN, PLURAL, Found, K, Severity
from gateway.loaders import Loaders
from gateway.model import APPLICATION, GROUP, MEMBERSHIP, RELATIONS, Record, record_id

GROUP_BINDINGS = tuple(r for r in RELATIONS if r.left is GROUP)
"""What a user group can be bound to (applications, servers, systems, system groups)."""


async def group_findings(loaders: Loaders, groups: Sequence[Record]) -> list[Found]:
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
            f"{count} {PLURAL[kind] if count > 1 else NOUN[kind]}" for kind, count in counts
        )
        out.append(
            Found(
                K.EMPTY_GROUP_WITH_BINDINGS,
                Severity.LOW,
                GROUP,
                group_id,
                f"Group {display_name(GROUP, group, group_id)} has no members but is bound to "
                f"{listed}.",
            )
        )
    return out


def unreached(application: Record) -> Found:
    """The finding of an application no user reaches."""
    app_id = record_id(application)
    return Found(
        K.APPLICATION_WITHOUT_ACCESS,
        Severity.LOW,
        APPLICATION,
        app_id,
        f"No user can reach application {display_name(APPLICATION, application, app_id)}.",
    )
