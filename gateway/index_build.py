"""What an index build reports: progress lines as its pieces arrive, and its IndexBuild record."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from gateway.request_cost import RequestCost

log = logging.getLogger("gateway.access")


class IndexProgress:
    """Progress lines of one index build: every `every` pieces read or `seconds` of the
    clock, whichever comes first (checked as pieces arrive: a build waiting on one slow
    read logs once it comes). A build shorter than both logs only its final line."""

    def __init__(
        self,
        build: str,
        cost: RequestCost,
        clock: Callable[[], float],
        every: int,
        seconds: float,
    ) -> None:
        self._build = build
        self._cost = cost
        self._clock = clock
        self._every = every
        self._seconds = seconds
        self._started = self._last_at = clock()
        self._done = self._last_done = 0
        self.total = 0

    def read(self) -> None:
        """One more piece read (or failed)."""
        self._done += 1
        now = self._clock()
        if self._done == self.total or (
            self._done - self._last_done < self._every and now - self._last_at < self._seconds
        ):
            return
        self._last_done, self._last_at = self._done, now
        log.info(
            "%s: %d/%d pieces, %d upstream calls, %.1f s",
            self._build,
            self._done,
            self.total,
            self._cost.upstream.calls,
            now - self._started,
        )


@dataclass(frozen=True)
class IndexBuild:
    """What building one index cost; logged and exported as metrics."""

    relation: str
    side: str
    pieces: int
    upstream_calls: int
    seconds: float

    def log_line(self) -> None:
        """The build's final line."""
        log.info(
            "index %s from %s: %d pieces, %d upstream calls, %.3fs",
            self.relation,
            self.side,
            self.pieces,
            self.upstream_calls,
            self.seconds,
        )
