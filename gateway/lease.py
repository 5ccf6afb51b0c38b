"""Short Redis leases, so one replica loads a key while the others wait for its value.

A cache miss (after the in-process single-flight) claims a lease per key: `SET key token NX
PX ttl`. The owner loads, stores the value, then releases its leases (compare-and-delete: a
lease that expired and was claimed by another replica is not the owner's to delete). While
it loads it renews them every third of the TTL, so a slow load keeps its lease and a dead
owner's lease expires within one TTL. A replica that finds a lease held polls the shared
level (bounded backoff) until the value appears, the lease goes without one (the owner failed
or died: it then reads through itself), or `max_wait` passes.

A Redis failure gives up on coordination for that load (`SharedLink` notes it once): each
replica then loads for itself, as before leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from gateway.jumpcloud import SharedLink

log = logging.getLogger("gateway.lease")

V = TypeVar("V")

# Deletes (ARGV[2] == "del") or renews (else, for ARGV[2] ms) the leases in KEYS still held
# with token ARGV[1]; the count it touched.
_OWNED = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    if ARGV[2] == 'del' then redis.call('DEL', key) else redis.call('PEXPIRE', key, ARGV[2]) end
    n = n + 1
  end
end
return n
"""

POLL_FIRST = 0.01
POLL_MOST = 0.2


@dataclass
class Claim:
    """What one load claimed: the keys it owns (loads), and those another replica holds."""

    owned: list[str]
    held: list[str]
    token: str | None = None
    """None: no lease was taken (Redis is down)."""
    leased: list[str] = field(default_factory=list)
    """The Redis keys of the owned leases."""
    keeper: asyncio.Task[None] | None = None


class Leases:
    """Leases for one organisation's cache keys (`namespace` as the cache's)."""

    def __init__(
        self, link: SharedLink, *, namespace: str, ttl: float = 5.0, max_wait: float = 20.0
    ) -> None:
        if ttl <= 0 or max_wait <= 0:
            raise ValueError("lease ttl and max_wait must be positive")
        self._link = link
        self._prefix = namespace + "lease:"
        self.ttl = ttl
        self.max_wait = max_wait
        self.claims = 0
        """Loads that asked for leases (a metric)."""
        self.waits = 0
        """Loads that waited for another replica (a metric)."""

    async def claim(self, keys: Sequence[str]) -> Claim:
        """Take the free leases among `keys`; on a Redis failure own every key, unleased."""
        link = self._link
        if not keys or not link.usable():
            return Claim(owned=list(keys), held=[])
        self.claims += 1
        token = secrets.token_hex(12)
        ttl_ms = max(1, int(self.ttl * 1000))
        try:
            async with link.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(self._prefix + key, token, nx=True, px=ttl_ms)
                taken = await pipe.execute()
        except Exception as exc:  # any Redis failure: load unleased
            link.failed(exc)
            return Claim(owned=list(keys), held=[])
        link.answered()
        owned = [k for k, ok in zip(keys, taken, strict=True) if ok]
        claim = Claim(
            owned=owned,
            held=[k for k, ok in zip(keys, taken, strict=True) if not ok],
            token=token,
            leased=[self._prefix + k for k in owned],
        )
        if claim.leased:
            claim.keeper = asyncio.create_task(self._keep(claim))
        return claim

    async def release(self, claim: Claim) -> None:
        """Let go of the owned leases (after their values are stored)."""
        if claim.keeper is not None:
            claim.keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await claim.keeper
            claim.keeper = None
        if claim.token is None or not claim.leased or not self._link.usable():
            return
        with contextlib.suppress(Exception):  # unreleased, a lease expires on its own
            await self._owned(claim, "del")

    async def wait(
        self,
        keys: Sequence[str],
        read: Callable[[list[str]], Awaitable[dict[str, V]]],
    ) -> dict[str, V]:
        """What `read` finds for `keys` while their leases are held elsewhere: polls until
        each key's value appears, its lease goes without one, or `max_wait` passes. Keys
        left out are the caller's to load."""
        self.waits += 1
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.max_wait
        found: dict[str, V] = {}
        pending = list(keys)
        delay = POLL_FIRST
        while pending and loop.time() < give_up:
            await asyncio.sleep(min(delay, max(0.0, give_up - loop.time())))
            delay = min(delay * 2, POLL_MOST)
            try:
                # Leases first, values second: a value stored before its lease went is seen.
                held = await self._held(pending)
                found.update(await read(pending))
            except Exception as exc:  # any Redis failure: stop waiting
                self._link.failed(exc)
                break
            pending = [k for k in pending if k not in found and k in held]
        return found

    async def _held(self, keys: list[str]) -> set[str]:
        values = await self._link.client.mget([self._prefix + k for k in keys])
        return {k for k, v in zip(keys, values, strict=True) if v is not None}

    async def _keep(self, claim: Claim) -> None:
        """Renew the claim's leases every third of the TTL while its load runs."""
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await self._owned(claim, str(max(1, int(self.ttl * 1000))))
            except Exception as exc:  # the lease will lapse; the load goes on
                self._link.failed(exc)
                return

    async def _owned(self, claim: Claim, action: str) -> int:
        found = await self._link.client.eval(
            _OWNED, len(claim.leased), *claim.leased, claim.token or "", action
        )
        return int(found)
