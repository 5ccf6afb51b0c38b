"""One upstream rate budget per organisation, and the 429 pause every replica honours.

The budget is GCRA across replicas (one atomic Lua script in Redis), in process without
Redis.

GCRA (the generic cell rate algorithm) keeps one number per budget, the theoretical arrival
time `tat` of the next request. A request may leave when `tat - burst * interval <= now`,
and moves `tat` on by one `interval`. So `burst` requests may leave at once after a quiet
spell, then one every `interval`: in any second at most `rate + burst` leave.

The interval is 5 % longer than 1 / rate (`HEADROOM`): what JumpCloud counts is when requests
arrive, and a request reserved on time can be sent or read a few tens of milliseconds late
(a busy event loop on either side) while the next is not. At the exact interval the
receiving end then sees one more than `rate + burst` in some second; with the headroom it
sees at most `rate + burst` (in a second, 19 spaced requests plus the burst instead of 20).

A request reserves its turn in the same call that reads the shared pause (the key a 429 sets,
`share_pause`): one Redis round trip per upstream request, on Redis's clock, so replicas'
clocks need not agree. A turn further away than the request's deadline is not reserved.

When Redis fails (`SharedLink`), the same algorithm runs in process with the same numbers
until Redis answers again: degraded (each replica then spends the whole budget), not broken.
In stamina's testing mode the budget keeps its state but never waits, as the gate does.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

import stamina

from gateway.jumpcloud.shared import SharedLink
from gateway.jumpcloud.throttle import too_late

HEADROOM = 1.05
"""The interval between turns, in units of 1 / rate (see the module docstring)."""

# KEYS[1]: the budget's tat (microseconds, Redis time); KEYS[2]: the shared pause.
# ARGV: interval (µs; 0: no budget, the pause only), burst, longest acceptable wait (µs).
# Returns {0, pause left µs} | {1, wait µs} (reserved) | {-1, wait µs} (not reserved).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused * 1000} end
local interval = tonumber(ARGV[1])
if interval <= 0 then return {1, 0} end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat + interval - tonumber(ARGV[2]) * interval - now
if wait < 0 then wait = 0 end
if wait > tonumber(ARGV[3]) then return {-1, wait} end
local next = tat + interval
local ms = math.floor((next - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', ms)
return {1, wait}
"""

# KEYS[1]: the shared pause; ARGV[1]: its length (ms). Only ever lengthens a pause.
_PAUSE = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""


class Budget:
    """Requests a second to one organisation, shared through `link` when there is one.

    `rate` 0 turns the budget off (the pause is still shared). `key` is the organisation's
    and credential's namespace, as the cache's keys are.
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        link: SharedLink | None = None,
        key: str = "jcgraph:default:",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """`sleep` and `clock` (default: the running loop's time) stand in for the event
        loop's in tests."""
        if rate < 0 or burst < 1:
            raise ValueError("rate must be >= 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = HEADROOM / rate if rate > 0 else 0.0
        self._link = link
        self._keys = [key + "upstream:budget", key + "upstream:pause"]
        self._tat = -math.inf  # the in-process budget (loop time)
        self.waited = 0.0
        """Seconds requests waited for their turn (a metric)."""
        self.stalls = 0
        """Turns taken again because this process reached them late (a metric)."""
        self._sleep = sleep
        self._clock = clock

    async def take(self, deadline: float | None, endpoint: str) -> float:
        """Wait for this request's turn. Returns 0 once it may leave, or the seconds of a
        pause another replica shared (the caller pauses, and asks again after it);
        RateLimitedError when the turn comes after `deadline` (loop time).

        A turn is kept only if this process reaches it on time: when its event loop was busy
        past the turn (a large answer decoded, an index built), requests whose turns went by
        would leave together, so each takes a new turn instead (`stalls` counts them)."""
        now = self._clock or asyncio.get_running_loop().time
        # In stamina's testing mode turns are kept but never waited for, so none is too late.
        testing = stamina.is_testing()
        while True:
            asked = now()
            most = math.inf if deadline is None or testing else max(0.0, deadline - asked)
            wait = await self._reserve(asked, most, endpoint)
            if wait < 0:
                return -wait  # a shared pause
            if wait > 0:
                self.waited += wait
                if not testing:
                    await self._sleep(wait)
            if testing or self._interval <= 0 or now() - (asked + wait) <= self._interval:
                return 0.0  # on time (or no budget: nothing to be late for)
            self.stalls += 1

    async def _reserve(self, now: float, most: float, endpoint: str) -> float:
        """Reserve a turn: the seconds to wait for it, or minus the seconds of a shared pause
        (no turn reserved then)."""
        link = self._link
        if link is not None and link.usable():
            try:
                found = await link.client.eval(
                    _TAKE,
                    2,
                    *self._keys,
                    int(self._interval * 1e6),
                    self.burst,
                    int(min(most, 3600.0) * 1e6),
                )
            except Exception as exc:  # any Redis failure: run in process
                link.failed(exc)
            else:
                link.answered()
                status, micros = int(found[0]), int(found[1]) / 1e6
                if status == 0:
                    return -micros if micros > 0 else 0.0
                if status < 0:
                    raise too_late(endpoint, micros)
                return micros
        return self._take_here(now, most, endpoint)

    def _take_here(self, now: float, most: float, endpoint: str) -> float:
        """The same GCRA, in process."""
        if self._interval <= 0:
            return 0.0
        tat = max(self._tat, now)
        wait = max(0.0, tat + self._interval - self.burst * self._interval - now)
        if wait > most:
            raise too_late(endpoint, wait)
        self._tat = tat + self._interval
        return wait

    async def share_pause(self, seconds: float) -> None:
        """Tell every replica to pause for `seconds` (a 429's Retry-After); this process's
        own pause is the gate's (throttle.py)."""
        link = self._link
        if link is None or seconds <= 0 or not link.usable():
            return
        try:
            await link.client.eval(_PAUSE, 1, self._keys[1], max(1, math.ceil(seconds * 1000)))
        except Exception as exc:  # any Redis failure: the pause stays local
            link.failed(exc)
        else:
            link.answered()
