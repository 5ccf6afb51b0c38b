"""What an export is made of: a row, the columns of each report, and progress as rows come."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Progress:
    """How far an export is: users read of `total` (access; 0 of 0 for findings), rows out."""

    users: int
    total: int
    rows: int


OnProgress = Callable[[Progress], None]
