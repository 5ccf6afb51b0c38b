"""What one record tells findings and exports: a user's state and MFA, sudo, a display name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.model import ADMIN, APPLICATION, SYSTEM, USER, Kind


def has_mfa(user: Mapping[str, Any]) -> bool:
    """A factor enrolled: `mfaEnrollment.overallStatus` or a factor's status ENROLLED, or
    `totp_enabled` (JumpCloud documents these fields and their values, not their meaning;
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


def sudo_of(attributes: Mapping[str, Any] | None) -> tuple[bool, bool]:
    """(enabled, without a password) from a traversal's compiled attributes."""
    sudo = (attributes or {}).get("sudo") or {}
    enabled = bool(sudo.get("enabled"))
    return enabled, enabled and bool(sudo.get("withoutPassword"))


def display_name(kind: Kind, record: Mapping[str, Any] | None, fallback: str) -> str:
    """An object's name as its console shows it, never an email; `fallback` (its id) when
    it has none."""
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
