"""Finding types: access findings, their subject, target and evidence paths, as connections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Union

import strawberry

from gateway import findings as computed
from gateway.context import Info
from gateway.findings_kinds import FindingKind, Found, Severity, selected
from gateway.model import (
    ADMIN,
    APPLICATION,
    GROUP,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    USER,
    Kind,
)
from gateway.types.access import AccessPath, paths
from gateway.types.common import window
from gateway.types.entity import entity_class, fetch
from gateway.types.relay import Connection, ListScope, Slice, Window, connection

__all__ = [
    "Finding",
    "FindingKind",
    "FindingSubject",
    "FindingTarget",
    "Severity",
    "organisation_findings",
    "subject_findings",
]

# Registered in place: the classes themselves are the GraphQL enums.
strawberry.enum(
    FindingKind,
    description=(
        "What a finding is about. Each kind's definition and severity is in the README's "
        "Findings section."
    ),
)
strawberry.enum(
    Severity,
    name="FindingSeverity",
    description="How urgent a finding is: LOW, MEDIUM, HIGH, CRITICAL.",
)


def _union(name: str, kinds: Sequence[Kind], description: str) -> Any:
    """A union of entity types, named lazily (the entity modules declare `findings` fields
    of this module's types)."""
    members = tuple(Annotated[k.name, strawberry.lazy(k.module)] for k in kinds)
    return Annotated[Union[members], strawberry.union(name, description=description)]  # noqa: UP007 - a runtime tuple of members


FindingSubject = _union(
    "FindingSubject",
    (USER, ADMIN, APPLICATION, SYSTEM, GROUP),
    "The object a finding is about.",
)
FindingTarget = _union(
    "FindingTarget",
    (USER, APPLICATION, LDAP_SERVER, RADIUS_SERVER, SYSTEM),
    "The other end of a finding: what a user reaches, or the user a finding names.",
)


async def _subject(root: Finding, info: Info) -> Any:
    found = root.found
    return await fetch(info, entity_class(found.subject), found.subject_id)


async def _target(root: Finding, info: Info) -> Any:
    found = root.found
    if found.target is None:
        return None
    return await fetch(info, entity_class(found.target), found.target_id)


_subject.__annotations__["return"] = FindingSubject
_target.__annotations__["return"] = FindingTarget | None


@strawberry.type(
    description=(
        "Something in the directory that deserves a look: its kind and severity, a one-line "
        "summary, the object it is about and the access paths that show it."
    )
)
class Finding:
    kind: FindingKind = strawberry.field(description="What was found (see FindingKind).")
    severity: Severity = strawberry.field(description="How urgent it is.")
    summary: str = strawberry.field(description="One plain line; names objects, never emails.")
    found: strawberry.Private[Found]

    subject = strawberry.field(resolver=_subject, description="The object the finding is about.")
    target = strawberry.field(
        resolver=_target,
        description=(
            "The application, server or system a user reaches, or for SUDO_WITHOUT_PASSWORD "
            "and ADMIN_ALSO_USER_WITH_BROAD_ACCESS the user; null when there is none."
        ),
    )

    @strawberry.field(
        description=(
            "Access paths, as the access fields give them: for access kinds the paths that "
            "grant it; for DIRECT_BINDING the user's own bindings then the paths through their "
            "groups, if any; for REDUNDANT_PATH the paths that could be removed without "
            "taking the access away; empty for the hygiene kinds."
        )
    )
    def evidence(self) -> list[AccessPath]:
        out: list[AccessPath] = []
        for e in self.found.evidence:
            assert e.target.graph_type is not None
            out += paths(e.user_id, e.target.graph_type, e.target_id, [e.route])
        return out

    @classmethod
    def of(cls, found: Found) -> Finding:
        return cls(kind=found.kind, severity=found.severity, summary=found.summary, found=found)


def findings_connection(found: Sequence[Found], win: Window) -> Connection[Finding]:
    """A page of findings in their order (`Found.order`, unique): a cursor holds the last
    finding's order key, so a page starts after it whatever was found or resolved since."""
    page = Slice.of(win, [f.order() for f in found])
    chunk = found[page.start : page.start + len(page.positions)]
    return connection([Finding.of(f) for f in chunk], page)


async def organisation_findings(
    info: Info,
    kinds: list[FindingKind] | None,
    severity: Severity | None,
    first: int | None,
    after: str | None,
) -> Connection[Finding]:
    """The organisation's findings of `kinds` (all when null) at `severity` or above."""
    scope = ListScope.of("Query.findings", sorted(k.name for k in kinds or ()), severity)
    win = window(info, first, after, scope)  # a bad `first` or cursor: refused before any read
    context = info.context
    found = await computed.of_organisation(
        context.loaders, context.broad_access_applications, kinds
    )
    return findings_connection(selected(found, kinds, severity), win)


def subject_findings(kind: Kind) -> Any:
    """The `findings` field of an object of `kind`: the findings whose subject it is."""

    async def resolve(
        root: Any, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Finding] | None:
        scope = ListScope.of(f"{kind.name}.findings", root.jumpcloud_id)
        win = window(info, first, after, scope)
        context = info.context
        found = await computed.of_subject(
            context.loaders, kind, root._record, context.broad_access_applications
        )
        return findings_connection(found, win)

    return strawberry.field(
        resolver=resolve,
        description=(
            f"Findings about this {kind.name.lower()}, in the order of `Query.findings` (which "
            "lists the same ones among the rest)."
        ),
    )
