"""The findings export's rows: the organisation's findings, in their order, one a row."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.export_rows import OnProgress, Progress, Row
from gateway.findings import of_organisation
from gateway.findings_kinds import Evidence, Found
from gateway.loaders import Loaders
from gateway.model import GraphType


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
