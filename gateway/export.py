"""The access-review export: every access path and every finding as CSV or JSON Lines, streamed.

Access rows are read a page of users at a time, through the loaders and the planner as
`gateway.findings` reads the organisation: per page, the users' records and each effective
relation for those users, then their rows, then the next page with fresh loaders (their
memo holds one page, not the organisation). Target, group and system-group names come
from the whole collections (systems, not read whole, by id). One row per access *path*: a
grant reached directly and through two groups is three rows. The same generator feeds
`jcgraph export` and `GET /export/{access,findings}.{csv,jsonl}`.

Findings rows are `gateway.findings.of_organisation`'s findings, in its order, one a row.
"""

from __future__ import annotations

import asyncio
import csv
import enum
import io
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.directory import IdPage
from gateway.findings import ACCESS_TARGETS, Evidence, Found, has_mfa, of_organisation, user_state
from gateway.jumpcloud.filters import SortKey
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
    Neighbour,
    Record,
    Route,
    ordered_routes,
    record_id,
)

__all__ = [
    "ACCESS_COLUMNS",
    "FINDING_COLUMNS",
    "Format",
    "Progress",
    "Report",
    "access_rows",
    "chunks",
    "evidence_text",
    "finding_rows",
]

PAGE = 100  # users a page (JumpCloud's largest, API-NOTES §3)

Row = dict[str, Any]

ACCESS_COLUMNS = (
    "user_id",
    "user_email",
    "user_state",
    "user_mfa_enrolled",
    "target_type",
    "target_id",
    "target_name",
    "kind",
    "path",
    "via_group_id",
    "via_group_name",
    "via_system_group_id",
    "via_system_group_name",
    "sudo_enabled",
    "sudo_without_password",
)
FINDING_COLUMNS = (
    "kind",
    "severity",
    "summary",
    "subject_type",
    "subject_id",
    "target_type",
    "target_id",
    "evidence",
)


class Report(enum.StrEnum):
    """What is exported."""

    ACCESS = "access"
    FINDINGS = "findings"

    @property
    def columns(self) -> tuple[str, ...]:
        return ACCESS_COLUMNS if self is Report.ACCESS else FINDING_COLUMNS


class Format(enum.StrEnum):
    """How rows are written: CSV with a header line, or one JSON object a line."""

    CSV = "csv"
    JSONL = "jsonl"

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self is Format.CSV else "application/x-ndjson"


@dataclass(frozen=True)
class Progress:
    """How far an export is: users read of `total` (access; 0 of 0 for findings), rows out."""

    users: int
    total: int
    rows: int


OnProgress = Callable[[Progress], None]


# ---- access ----------------------------------------------------------------------------


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
    sort = [SortKey("_id")]
    loaders = new_loaders()
    for kind in _NAMED_WHOLE:
        loaders.prefetch(kind)  # read beside the first page, not after it
    page = await loaders.page(USER, 0, page_size, [], sort)
    done = rows = 0
    skip = 0
    upcoming: asyncio.Future[IdPage] | None = None
    try:
        while True:
            if skip + page_size < page.total:
                upcoming = asyncio.ensure_future(
                    loaders.page(USER, skip + page_size, page_size, [], sort)
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
        names[(SYSTEM, system_id)] = _name(SYSTEM, record, system_id)
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
        (kind, object_id): _name(kind, record, object_id)
        for kind, collection in zip(_NAMED_WHOLE, collections, strict=True)
        for object_id, record in collection.by_id.items()
    }


def _name(kind: Kind, record: Mapping[str, Any] | None, fallback: str) -> str:
    """An object's name as its console shows it; its id when it has none."""
    if record is None:
        return fallback
    if kind is APPLICATION:
        value = record.get("displayLabel") or record.get("displayName") or record.get("name")
    elif kind is SYSTEM:
        value = record.get("hostname") or record.get("displayName")
    else:
        value = record.get("name")
    return str(value) if value else fallback


def _grant_rows(
    user: Record, target: Kind, n: Neighbour, names: Mapping[tuple[Kind, str], str]
) -> list[Row]:
    """One row per path of one user's access to one target."""
    assert target.graph_type is not None
    routes = ordered_routes(n.routes)
    direct, indirect = DIRECT in routes, any(r != DIRECT for r in routes)
    kind = "BOTH" if direct and indirect else "DIRECT" if direct else "INDIRECT"
    if target is SYSTEM:
        sudo = (n.attributes or {}).get("sudo") or {}
        enabled: bool | None = bool(sudo.get("enabled"))
        without_password: bool | None = bool(enabled and sudo.get("withoutPassword"))
    else:
        enabled = without_password = None
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


# ---- findings --------------------------------------------------------------------------


async def finding_rows(
    loaders: Loaders, broad: int, *, on_progress: OnProgress | None = None
) -> AsyncIterator[list[Row]]:
    """Every finding of the organisation, in its stable order, as one list of rows (the
    findings are computed over the whole organisation before the first is known)."""
    found = await of_organisation(loaders, broad)
    rows = [_finding_row(f) for f in found]
    if on_progress is not None:
        on_progress(Progress(0, 0, len(rows)))
    yield rows


def _finding_row(found: Found) -> Row:
    return {
        "kind": found.kind.value,
        "severity": found.severity.value,
        "summary": found.summary,
        "subject_type": found.subject.name,
        "subject_id": found.subject_id,
        "target_type": found.target.name if found.target else None,
        "target_id": found.target_id,
        "evidence": " | ".join(evidence_text(e) for e in found.evidence),
    }


def evidence_text(evidence: Evidence) -> str:
    """One path as the objects it passes: `user:ID > user_group:ID > application:ID`."""
    assert evidence.target.graph_type is not None
    steps = [
        (GraphType.USER.value, evidence.user_id),
        *evidence.route,
        (evidence.target.graph_type.value, evidence.target_id),
    ]
    return " > ".join(f"{t}:{i}" for t, i in steps)


# ---- encoding --------------------------------------------------------------------------


async def chunks(
    report: Report,
    fmt: Format,
    new_loaders: Callable[[], Loaders],
    *,
    broad: int = 10,
    page_size: int = PAGE,
    on_progress: OnProgress | None = None,
) -> AsyncIterator[bytes]:
    """The export as bytes: the CSV header first, then one chunk per page of rows."""
    if report is Report.ACCESS:
        pages = access_rows(new_loaders, page_size=page_size, on_progress=on_progress)
    else:
        pages = finding_rows(new_loaders(), broad, on_progress=on_progress)
    columns = report.columns
    if fmt is Format.CSV:
        yield _csv([columns])
    async for rows in pages:
        if not rows:
            continue
        if fmt is Format.CSV:
            yield _csv([[_cell(row[c]) for c in columns] for row in rows])
        else:
            yield b"".join(orjson.dumps(row) + b"\n" for row in rows)


def _csv(lines: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode()


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell: booleans as true/false, nothing as empty; text a spreadsheet would run
    as a formula (a name starting with `=`, `+`, `-`, `@`) is prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text
