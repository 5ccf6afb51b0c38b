"""One upstream rate budget per organisation: GCRA across replicas (one atomic Lua script in
Redis), in process without Redis; and the 429 pause every replica honours.

GCRA (the generic cell rate algorithm) keeps one number per budget, the theoretical arrival
time `tat` of the next request. A request may leave when `tat - burst * interval <= now`,
and moves `tat` on by one `interval` (1 / rate). So `burst` requests may leave at once after a
quiet spell, then one every `interval`: in any second at most `rate + burst` leave.

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

import stamina

from gateway.jumpcloud.shared import SharedLink
from gateway.jumpcloud.throttle import too_late

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
    ) -> None:
        if rate < 0 or burst < 1:
            raise ValueError("rate must be >= 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1 / rate if rate > 0 else 0.0
        self._link = link
        self._keys = [key + "upstream:budget", key + "upstream:pause"]
        self._tat = -math.inf  # the in-process budget (loop time)
        self.waited = 0.0
        """Seconds requests waited for their turn (a metric)."""

    async def take(self, deadline: float | None, endpoint: str) -> float:
        """Wait for this request's turn. Returns 0 once it may leave, or the seconds of a
        pause another replica shared (the caller pauses, and asks again after it);
        RateLimitedError when the turn comes after `deadline` (loop time)."""
        loop = asyncio.get_running_loop()
        # In stamina's testing mode turns are kept but never waited for, so none is too late.
        testing = stamina.is_testing()
        most = math.inf if deadline is None or testing else max(0.0, deadline - loop.time())
        link = self._link
        wait: float | None = None
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
                    return micros
                if status < 0:
                    raise too_late(endpoint, micros)
                wait = micros
        if wait is None:
            wait = self._take_here(loop.time(), most, endpoint)
        if wait > 0:
            self.waited += wait
            if not testing:
                await asyncio.sleep(wait)
        return 0.0

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
