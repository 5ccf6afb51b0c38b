"""Every request the simulator answered, so tests can assert exact upstream call counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoggedRequest:
    """One HTTP request, recorded once it was answered (or abandoned)."""

    method: str
    path: str
    route: str | None
    """The path template, e.g. ``/api/v2/usergroups/{id}/members``; None for unknown paths."""
    operation: str | None
    """JumpCloud's operationId, e.g. ``graph_userGroupMembersList``; None for unknown paths."""
    status: int
    """The status sent; 499 when the client gave up on a hung request."""
    query: str


@dataclass
class RequestLog:
    """One entry per HTTP request, including rejected, faulted and hung ones."""

    entries: list[LoggedRequest] = field(default_factory=list)

    def record(self, entry: LoggedRequest) -> None:
        self.entries.append(entry)

    def count(
        self,
        *,
        route: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        method: str | None = None,
    ) -> int:
        """How many requests match every given criterion."""
        return sum(
            1
            for e in self.entries
            if (route is None or e.route == route)
            and (operation is None or e.operation == operation)
            and (status is None or e.status == status)
            and (method is None or e.method == method.upper())
        )

    @property
    def total(self) -> int:
        return len(self.entries)

    def counts(self) -> Counter[str]:
        """Requests per operationId (``"<METHOD> <path>"`` for unknown paths)."""
        return Counter(e.operation or f"{e.method} {e.path}" for e in self.entries)

    def clear(self) -> None:
        self.entries.clear()
