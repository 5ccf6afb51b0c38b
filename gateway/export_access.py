"""The access export's rows: every access path of the organisation, a page of users at a time.

Access rows are read a page of users at a time, through the loaders and the planner as
`gateway.findings` reads the organisation: per page, the users' records and each effective
relation for those users, then their rows, then the next page with fresh loaders (their
memo holds one page, not the organisation). Target, group and system-group names come
from the whole collections (systems, not read whole, by id). One row per access *path*: a
grant reached directly and through two groups is three rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

from gateway.directory import IdPage
from gateway.export_rows import OnProgress, Progress, Row
from gateway.findings_facts import display_name, has_mfa, sudo_of, user_state
from gateway.findings_kinds import ACCESS_TARGETS
from gateway.jumpcloud import SortKey
from gateway.loaders import Loaders
from gateway.model import (
    ACCESS_BY_TARGET,
    APPLICATION,
    DIRECT,
    GROUP,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    SYSTEM_GROUP,
    USER,
    GraphType,
    Kind,
    Listing,
    Neighbour,
    Record,
    Route,
    ordered_routes,
    record_id,
)

PAGE = 100  # users a page (JumpCloud's largest page is 100)

_NAMED_WHOLE = (APPLICATION, LDAP_SERVER, RADIUS_SERVER, GROUP, SYSTEM_GROUP)
_PATH_STEP = {GraphType.USER_GROUP.value: "group", GraphType.SYSTEM_GROUP.value: "system_group"}


async def access_rows(
    new_loaders: Callable[[], Loaders],
    *,
    page_size: int = PAGE,
    on_progress: OnProgress | None = None,
) -> AsyncIterator[list[Row]]:
    """Every access path of the organisation, one list of rows per page of users (users by
    id, then target kind in model order, target id, path shortest first). `new_loaders`
    makes the loaders of one page; the next page's ids are read while a page is written."""
    by_id = (SortKey("_id"),)
    loaders = new_loaders()
    for kind in _NAMED_WHOLE:
        loaders.prefetch(kind)  # read beside the first page, not after it
    page = await loaders.page(Listing(USER, 0, page_size, sort=by_id))
    done = rows = 0
    skip = 0
    upcoming: asyncio.Future[IdPage] | None = None
    try:
        while True:
            if skip + page_size < page.total:
                upcoming = asyncio.ensure_future(
                    loaders.page(Listing(USER, skip + page_size, page_size, sort=by_id))
                )
            loaders.expect(USER, page.total)  # the planner weighs the whole list
            out = await _page_rows(loaders, page.ids)
            done += len(page.ids)
            rows += len(out)
            if on_progress is not None:
                on_progress(Progress(done, max(page.total, done), rows))
            yield out
            if upcoming is None:
                return
            page, upcoming = await upcoming, None
            skip += page_size
            if not page.ids:
                return
            loaders = new_loaders()
    finally:
        if upcoming is not None:
            upcoming.cancel()


async def _page_rows(loaders: Loaders, ids: Sequence[str]) -> list[Row]:
    users, reached, names = await asyncio.gather(
        loaders.record(USER).load_many(ids),
        asyncio.gather(
            *(loaders.edges(ACCESS_BY_TARGET[k], USER).load_many(ids) for k in ACCESS_TARGETS)
        ),
        _whole_names(loaders),
    )
    systems = sorted({n.id for found in reached[ACCESS_TARGETS.index(SYSTEM)] for n in found})
    for system_id, record in zip(
        systems, await loaders.record(SYSTEM).load_many(systems), strict=True
    ):
        names[(SYSTEM, system_id)] = display_name(SYSTEM, record, system_id)
    out: list[Row] = []
    for index, user in enumerate(users):
        if user is None:  # deleted between the page and its read
            continue
        for target, found in zip(ACCESS_TARGETS, reached, strict=True):
            for n in sorted(found[index], key=lambda n: n.id):
                out += _grant_rows(user, target, n, names)
    return out


async def _whole_names(loaders: Loaders) -> dict[tuple[Kind, str], str]:
    collections = await asyncio.gather(*(loaders.collections.load(k) for k in _NAMED_WHOLE))
    return {
        (kind, object_id): display_name(kind, record, object_id)
        for kind, collection in zip(_NAMED_WHOLE, collections, strict=True)
        for object_id, record in collection.by_id.items()
    }


def _grant_rows(
    user: Record, target: Kind, n: Neighbour, names: Mapping[tuple[Kind, str], str]
) -> list[Row]:
    """One row per path of one user's access to one target."""
    assert target.graph_type is not None
    routes = ordered_routes(n.routes)
    direct, indirect = DIRECT in routes, any(r != DIRECT for r in routes)
    kind = "BOTH" if direct and indirect else "DIRECT" if direct else "INDIRECT"
    enabled: bool | None = None
    without_password: bool | None = None
    if target is SYSTEM:
        enabled, without_password = sudo_of(n.attributes)
    user_id = record_id(user)
    common: Row = {
        "user_id": user_id,
        "user_email": user.get("email") or "",
        "user_state": user_state(user),
        "user_mfa_enrolled": has_mfa(user),
        "target_type": target.graph_type.value,
        "target_id": n.id,
        "target_name": names.get((target, n.id), n.id),
        "kind": kind,
    }
    out = []
    for route in routes:
        group = _step(route, GraphType.USER_GROUP)
        system_group = _step(route, GraphType.SYSTEM_GROUP)
        out.append(
            {
                **common,
                "path": "+".join(_PATH_STEP.get(t, t) for t, _ in route) or "direct",
                "via_group_id": group,
                "via_group_name": names.get((GROUP, group), group) if group else None,
                "via_system_group_id": system_group,
                "via_system_group_name": (
                    names.get((SYSTEM_GROUP, system_group), system_group) if system_group else None
                ),
                "sudo_enabled": enabled,
                "sudo_without_password": without_password,
            }
        )
    return out


def _step(route: Route, graph_type: GraphType) -> str | None:
    return next((i for t, i in route if t == graph_type.value), None)
