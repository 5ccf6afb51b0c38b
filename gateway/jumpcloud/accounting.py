"""What upstream calls cost: a per-client call log and the tally one piece of work is charged."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    """One upstream attempt. `status` is 0 when no response arrived (transport error)."""

    method: str
    endpoint: str
    status: int
    elapsed: float


class CallLog:
    """Counts of every upstream attempt a client made (retries included), and the most recent
    attempts in order. Bounded: a long-running gateway keeps counters, not every call."""

    def __init__(self, recent: int = 1000) -> None:
        self.calls: deque[Call] = deque(maxlen=recent)
        self._counts: Counter[tuple[str, int]] = Counter()
        self._total = 0

    def record(self, method: str, endpoint: str, status: int, elapsed: float) -> None:
        """Record one attempt; `endpoint` is a template such as "GET /api/systemusers/{id}"."""
        self.calls.append(Call(method, endpoint, status, elapsed))
        self._counts[(endpoint, status)] += 1
        self._total += 1

    @property
    def total(self) -> int:
        return self._total

    def counts(self) -> Counter[tuple[str, int]]:
        """Attempts by (endpoint, status)."""
        return Counter(self._counts)

    def clear(self) -> None:
        self.calls.clear()
        self._counts.clear()
        self._total = 0


@dataclass
class Tally:
    """Upstream attempts made on behalf of one piece of work (e.g. one GraphQL request): a
    client made by `JumpCloudClient.charging(tally)` adds every attempt it makes to it."""

    calls: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)

    def add(self, endpoint: str) -> None:
        self.calls += 1
        self.by_endpoint[endpoint] += 1

    def merge(self, other: Tally) -> None:
        self.calls += other.calls
        self.by_endpoint.update(other.by_endpoint)
