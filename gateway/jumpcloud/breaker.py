"""The circuit breaker: after N failures in a row, stop calling JumpCloud for a cool-down.

    CLOSED --N failures in a row--> OPEN --cool-down over--> HALF_OPEN (one probe)
    HALF_OPEN --probe answered--> CLOSED;  HALF_OPEN --probe failed--> OPEN (cool-down again)

A failure is a read that failed for good, after its retries, with a 5xx, a transport error
or a timeout (the caller, upstream.py, reports it once): a blip that a retry cures never
counts, however many concurrent reads it hits. Any answer (2xx, 4xx, 429) shows JumpCloud
is there and resets the count; 429s have a gate of their own (throttle.py). While open,
calls fail at once with UpstreamUnavailableError, so the cache serves its stale entries
without spending retries on an upstream that is down. The half-open probe is one attempt.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from gateway.jumpcloud import errors

log = logging.getLogger("gateway.jumpcloud")

Clock = Callable[[], float]


class BreakerState(enum.Enum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


class CircuitBreaker:
    """One per organisation (per client). `clock` is monotonic seconds (the loop's time)."""

    def __init__(self, *, threshold: int, cool_down: float, clock: Clock) -> None:
        if threshold < 1 or cool_down < 0:
            raise ValueError("breaker threshold must be >= 1 and cool-down >= 0")
        self.threshold = threshold
        self.cool_down = cool_down
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self.opened = 0
        """How many times the breaker opened (a metric)."""

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self.cool_down:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def admit(self, endpoint: str) -> bool:
        """Let an attempt through, or raise UpstreamUnavailableError at once.

        Returns True when the attempt is the half-open probe: its outcome decides, and the
        caller must report it (`succeeded`, `failed`) or give the probe back (`abandoned`).
        """
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        assert self._opened_at is not None
        wait = max(0.0, self.cool_down - (self._clock() - self._opened_at))
        until = "until a probe answers" if self._probing else f"for {wait:.0f} s more"
        raise errors.UpstreamUnavailableError(
            f"{endpoint} not sent: JumpCloud failed {self.threshold} times in a row, so calls "
            f"are paused {until}; retry later",
            endpoint=endpoint,
        )

    def succeeded(self) -> None:
        """JumpCloud answered (any status but a 5xx)."""
        if self._opened_at is not None:
            log.warning("JumpCloud answers again: circuit closed")
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def failed(self) -> None:
        """A 5xx, a transport error or a timeout."""
        self._failures += 1
        if self._probing or (self._opened_at is None and self._failures >= self.threshold):
            self._open()

    def abandoned(self, probe: bool) -> None:
        """The attempt ended without an answer of its own (cancelled): no verdict."""
        if probe:
            self._probing = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._probing = False
        self.opened += 1
        log.warning(
            "JumpCloud failed %d times in a row: circuit open for %.0f s",
            self._failures,
            self.cool_down,
        )
