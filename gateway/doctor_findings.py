"""What a start-up check found, which findings refuse the start, and the report of them.

Policy (`blocking`): a check JumpCloud *answered* (the key rejected, no list at the base
URL, the organisation unknown) or a setting that does not parse refuses the start, since
every request would fail the same way and stale data is never served on such an answer
(`gateway.organisations.STALE_ON`). JumpCloud not answering, Redis down and GraphiQL assets missing
only warn: a replica can still serve cached data, read through without Redis, and answer
queries without GraphiQL.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.jumpcloud import redact


class Level(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was found and, unless it passed, how to fix it."""

    check: str
    level: Level
    message: str
    fix: str = ""


# Checks whose failure refuses `jcgraph serve` (see the module docstring).
BLOCKING = frozenset({"settings", "api key", "base url", "organization"})


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.level is Level.FAIL and f.check in BLOCKING]


def render(findings: Sequence[Finding], secrets: Sequence[str] = ()) -> str:
    """The report: one line a check, the fix indented under it; secrets removed."""
    lines = []
    for f in findings:
        lines.append(f"{f.level.value:<5} {f.check:<13} {f.message}")
        if f.fix and f.level is not Level.OK:
            lines.append(f"{'':<20}fix: {f.fix}")
    failed = sum(f.level is Level.FAIL for f in findings)
    lines.append(
        f"{failed} check(s) failed; fix them and run `jcgraph doctor` again"
        if failed
        else "every check passed"
    )
    return redact("\n".join(lines) + "\n", secrets)
