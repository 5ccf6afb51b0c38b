"""Scripted upstream trouble: latency, 5xx bursts, random errors, 429 + Retry-After, hangs."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class FaultResponse:
    """What to send instead of the real answer."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class _Rule:
    kind: Literal["burst", "rate_limit", "hang"]
    remaining: int
    route: str | None
    status: int = 502
    retry_after: str = "2"

    def matches(self, route: str | None, operation: str | None, path: str) -> bool:
        return self.route is None or self.route in (route, operation, path)


def _error(status: int, headers: dict[str, str] | None = None) -> FaultResponse:
    # JumpCloud's error bodies carry a "message"; no source shows a 5xx or 429 body, so the
    # simulator sends the status phrase.
    return FaultResponse(status, {"message": HTTPStatus(status).phrase}, headers or {})


class Faults:
    """Faults applied to each request before it is handled, in this order:

    1. ``latency`` seconds through the injectable ``sleep`` (tests pass a recorder);
    2. the first scripted rule that matches (``burst``, ``rate_limit``, ``hang``), in the
       order they were scripted; a rule's ``route`` matches the path template, the
       operationId or the literal path, and None matches every request;
    3. ``rate_limit_every``: every Nth request gets 429;
    4. ``error_rate``: a random 500/502/503/504 with that probability (seeded RNG).
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        error_rate: float = 0.0,
        rate_limit_every: int = 0,
        retry_after: str = "2",
        seed: int = 0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.latency = latency
        self.error_rate = error_rate
        self.rate_limit_every = rate_limit_every
        self.retry_after = retry_after
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._rules: list[_Rule] = []
        self._seen = 0
        self._release: asyncio.Event | None = None
        self.hanging = 0
        """Requests currently held by ``hang``."""

    def burst(self, count: int, status: int = 502, route: str | None = None) -> None:
        """The next ``count`` matching requests fail with ``status``."""
        self._rules.append(_Rule("burst", count, route, status=status))

    def rate_limit(self, count: int, retry_after: str = "2", route: str | None = None) -> None:
        """The next ``count`` matching requests get 429 with ``Retry-After``."""
        self._rules.append(_Rule("rate_limit", count, route, status=429, retry_after=retry_after))

    def hang(self, count: int, route: str | None = None) -> None:
        """The next ``count`` matching requests never answer (until ``clear`` or cancel)."""
        self._rules.append(_Rule("hang", count, route))

    def clear(self) -> None:
        """Drop every fault; hung requests resume and are answered normally."""
        self.latency = 0.0
        self.error_rate = 0.0
        self.rate_limit_every = 0
        self._rules.clear()
        if self._release is not None:
            self._release.set()
            self._release = None

    async def apply(
        self, route: str | None, operation: str | None, path: str
    ) -> FaultResponse | None:
        """The fault response for this request, or None to handle it normally."""
        self._seen += 1
        if self.latency > 0:
            await self._sleep(self.latency)
        rule = next((r for r in self._rules if r.matches(route, operation, path)), None)
        if rule is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                self._rules.remove(rule)
            if rule.kind == "hang":
                await self._hang()
                return None
            if rule.kind == "rate_limit":
                return _error(429, {"Retry-After": rule.retry_after})
            return _error(rule.status)
        if self.rate_limit_every > 0 and self._seen % self.rate_limit_every == 0:
            return _error(429, {"Retry-After": self.retry_after})
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return _error(self._rng.choice((500, 502, 503, 504)))
        return None

    async def _hang(self) -> None:
        if self._release is None:
            self._release = asyncio.Event()
        release = self._release
        self.hanging += 1
        try:
            await release.wait()
        finally:
            self.hanging -= 1
