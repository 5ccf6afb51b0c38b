"""What upstream calls cost: a per-client call log and a per-request tally."""

from __future__ import annotations

from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    """One upstream attempt. `status` is 0 when no response arrived (transport error)."""

    method: str
    endpoint: str
    status: int
    elapsed: float


class CallLog:
    """Every upstream attempt a client made, retries included, in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def record(self, method: str, endpoint: str, status: int, elapsed: float) -> None:
        """Record one attempt; `endpoint` is a template such as "GET /api/systemusers/{id}"."""
        self.calls.append(Call(method, endpoint, status, elapsed))

    @property
    def total(self) -> int:
        return len(self.calls)

    def counts(self) -> Counter[tuple[str, int]]:
        """Attempts by (endpoint, status)."""
        return Counter((c.endpoint, c.status) for c in self.calls)

    def clear(self) -> None:
        self.calls.clear()


@dataclass
class Tally:
    """Upstream attempts made on behalf of one piece of work (e.g. one GraphQL request)."""

    calls: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)

    def add(self, endpoint: str) -> None:
        self.calls += 1
        self.by_endpoint[endpoint] += 1


# The gateway sets a fresh Tally per GraphQL request; the client adds every attempt to it.
current_tally: ContextVar[Tally | None] = ContextVar("current_tally", default=None)
