"""What a finding is: its kinds and severities, the paths that show it, and its order.

Definitions and severities (the README's *Findings* section says the same):

- ADMIN_WITHOUT_MFA (CRITICAL): a console administrator, not suspended, with neither
  `enableMultiFactor` nor `totpEnrolled` set. JumpCloud's API lists both fields (V1
  `userreturn`, V2 `Administrator`) but documents neither; the organisation-wide
  `settings.requireAdminMFA` (of the Organizations API) is not read.
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

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from gateway.model import (
    ACCESS_BY_TARGET,
    APPLICATION,
    LDAP_SERVER,
    RADIUS_SERVER,
    SYSTEM,
    SYSTEM_GROUP,
    Kind,
    Route,
)


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

NOUN = {
    APPLICATION: "application",
    LDAP_SERVER: "LDAP server",
    RADIUS_SERVER: "RADIUS server",
    SYSTEM: "system",
    SYSTEM_GROUP: "system group",
}
PLURAL = {
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


def evidence_of(
    user_id: str, target: Kind, target_id: str, routes: Iterable[Route]
) -> tuple[Evidence, ...]:
    """The evidence of one user's access to one target: one path per route, in order."""
    return tuple(Evidence(user_id, target, target_id, r) for r in routes)


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
