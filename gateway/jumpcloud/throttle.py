"""JumpCloud's 429s: one pause for every request of a client, then a learned pace.

JumpCloud publishes no rate limit, so the gate learns one from its answers:

* A 429 pauses every request of the client, new ones and retries alike, until its
  Retry-After (or an exponential backoff when it sends none).
* From then on requests leave at a pace: as many a second as JumpCloud accepted in the
  second before that 429 (at least one). The pace rises by one request a second every
  `ramp_interval` quiet seconds while it is below the pace JumpCloud last refused, and every
  `probe_interval` above it: one step at a time, each step held long enough for a 429 to come
  back, so at most one request a second above JumpCloud's limit is ever sent;
  the next 429 sets it back to what was accepted. After `forget_after` seconds without a
  429 the pace is dropped.

A 429 another replica got pauses this client too (`hold`, shared by budget.py); only a 429
of its own teaches the pace. Only a 429 to a request sent after the current pause began is
news: the others were already on their way when JumpCloud said stop. Times are the event
loop's clock. In stamina's testing mode the gate keeps its state but never waits, like
stamina itself.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from dataclasses import dataclass

import stamina

from gateway.jumpcloud import errors


def _now() -> float:
    return asyncio.get_running_loop().time()


@dataclass(frozen=True)
class Pace:
    """How the gate stands (a metric): requests a second (None: unpaced), pause left."""

    rate: float | None
    paused_for: float
    pauses: int


class RateGate:
    """Decides when each attempt of one client may leave (see the module docstring)."""

    def __init__(
        self,
        *,
        backoff_initial: float = 1.0,
        backoff_cap: float = 30.0,
        ramp_interval: float = 2.0,
        probe_interval: float = 10.0,
        forget_after: float = 60.0,
    ) -> None:
        self._backoff_initial = backoff_initial
        self._backoff_cap = backoff_cap
        self._ramp_interval = ramp_interval
        self._probe_interval = probe_interval
        self._forget_after = forget_after
        self._paused_until = -math.inf
        self._pause_began = -math.inf
        self._rate: float | None = None
        self._ceiling = math.inf  # the pace in force at the last 429 (inf: none yet)
        self._limited_sent = -math.inf  # send time of the 429 the pace was learned from
        self._next_slot = -math.inf
        self._last_limited = -math.inf
        self._last_raised = -math.inf
        self._strikes = 0
        self._accepted: deque[float] = deque()  # send times of accepted requests, ~2 s
        self.pauses = 0
        """How many 429s paused the client (a metric)."""

    def pace(self) -> Pace:
        return Pace(self._rate, max(0.0, self._paused_until - _now()), self.pauses)

    def pause_left(self) -> float:
        return max(0.0, self._paused_until - _now())

    def hold(self, seconds: float) -> None:
        """Pause for `seconds` because another replica got a 429 (budget.py shares it): the
        same pause as a 429 of this client's own, but it teaches the pace nothing."""
        self._paused_until = max(self._paused_until, _now() + seconds)

    async def wait_pause(self, deadline: float | None, endpoint: str) -> None:
        """Outside the concurrency slot: wait out the pause; RateLimitedError at once when
        it outlasts `deadline`."""
        while (left := self.pause_left()) > 0:
            if deadline is not None and self._paused_until > deadline:
                raise too_late(endpoint, left)
            if stamina.is_testing():
                return
            await asyncio.sleep(left)

    async def wait_turn(self, deadline: float | None, endpoint: str) -> bool:
        """Inside the concurrency slot: wait for this attempt's place in the pace.

        False when a pause began meanwhile: the caller leaves the slot and waits it out.
        """
        if self._rate is not None:
            now = _now()
            slot = max(now, self._next_slot)
            if deadline is not None and slot > deadline:
                raise too_late(endpoint, slot - now)
            self._next_slot = slot + 1 / self._rate
            if slot > now and not stamina.is_testing():
                await asyncio.sleep(slot - now)
        return stamina.is_testing() or self.pause_left() <= 0

    def answered(self, sent_at: float, status: int, retry_after: float | None) -> None:
        """Learn from one answer (`sent_at` is the loop time the attempt left)."""
        now = _now()
        if status != 429:
            self._accept(sent_at, now)
            return
        wait = retry_after
        if sent_at < self._pause_began:  # already in flight when the pause began: no news
            if wait is not None:
                self._paused_until = max(self._paused_until, now + wait)
            return
        if wait is None:
            wait = min(self._backoff_cap, self._backoff_initial * 2**self._strikes)
        self._strikes += 1
        self.pauses += 1
        self._pause_began = now
        self._paused_until = max(self._paused_until, now + wait)
        self._ceiling = self._rate if self._rate is not None else math.inf
        self._limited_sent = sent_at
        accepted = self._accepted_before(sent_at)
        self._rate = accepted if self._rate is None else max(1.0, min(self._rate, accepted))
        self._last_limited = self._last_raised = now

    def _accepted_before(self, sent_at: float) -> int:
        """Accepted requests sent in the second up to `sent_at` (at least one)."""
        return max(1, sum(1 for t in self._accepted if sent_at - 1 < t <= sent_at))

    def _accept(self, sent_at: float, now: float) -> None:
        self._strikes = 0
        self._accepted.append(sent_at)
        while self._accepted and self._accepted[0] < now - 2:
            self._accepted.popleft()
        if self._rate is None:
            return
        if sent_at <= self._limited_sent:  # answered after the 429, but accepted before it
            self._rate = max(
                self._rate, min(self._ceiling, self._accepted_before(self._limited_sent))
            )
            return
        if now - self._last_limited >= self._forget_after:
            self._rate = None
            return
        below = self._rate + 1 < self._ceiling
        interval = self._ramp_interval if below else self._probe_interval
        if now - self._last_raised >= interval:
            self._rate += 1
            self._last_raised = now


def too_late(endpoint: str, wait: float) -> errors.RateLimitedError:
    return errors.RateLimitedError(
        f"{endpoint} not sent: JumpCloud asked the gateway to slow down, and the next turn "
        f"({wait:.1f} s away) comes after this request's deadline; retry later",
        status=None,
        endpoint=endpoint,
        retry_after=math.ceil(wait),
    )
